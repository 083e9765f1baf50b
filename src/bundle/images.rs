//! The container images of rendered manifests, and rewriting them to a site's registry.
//!
//! An image is the `image` string of an entry of a `containers`, `initContainers` or
//! `ephemeralContainers` list, wherever that list is in a document (Pods, workload templates,
//! CronJobs, and custom resources that embed a pod spec). Image strings elsewhere (an operator's
//! `spec.image`, a ConfigMap, an environment variable) are not images of the release: they are
//! neither bundled nor rewritten (docs/air-gap.md).
//!
//! Rewriting edits the text in place (so the manifest keeps its layout and comments): the YAML
//! parser's events give the line and column of every container image's scalar, and each becomes
//! `SITE/REPOSITORY[:TAG][@DIGEST]` (quotes kept). A reference the bundle does not hold, or one written
//! so that it cannot be replaced in place (escapes, a multi-line scalar), is an error: an image is
//! never left pointing at the internet.
use std::collections::BTreeMap;

use yaml_rust2::parser::Event;
use yaml_rust2::scanner::TScalarStyle;
use yaml_rust2::{Yaml, YamlLoader};

use super::Error;
use crate::registry::image_ref::ImageRef;

const CONTAINER_LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// A container image found in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// As written.
    pub reference: String,
    /// `Kind/name` of the document that holds it.
    pub object: String,
}

fn walk(node: &Yaml, object: &str, out: &mut Vec<Found>) {
    match node {
        Yaml::Hash(map) => {
            for (key, value) in map {
                if let (Yaml::String(k), Yaml::Array(items)) = (key, value) {
                    if CONTAINER_LISTS.contains(&k.as_str()) {
                        for item in items {
                            if let Some(image) = item["image"].as_str() {
                                out.push(Found {
                                    reference: image.to_string(),
                                    object: object.to_string(),
                                });
                            }
                        }
                    }
                }
                walk(value, object, out);
            }
        }
        Yaml::Array(items) => items.iter().for_each(|i| walk(i, object, out)),
        _ => {}
    }
}

/// Every container image of the YAML documents in `text` (`source` names it in errors).
pub fn container_images(text: &str, source: &str) -> Result<Vec<Found>, Error> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| {
        Error(format!(
            "{source}: the rendered manifests are not YAML: {e}"
        ))
    })?;
    let mut out = Vec::new();
    for doc in &docs {
        let object = format!(
            "{}/{}",
            doc["kind"].as_str().unwrap_or("?"),
            doc["metadata"]["name"].as_str().unwrap_or("?")
        );
        walk(doc, &object, &mut out);
    }
    Ok(out)
}

/// The images of a chart's `artifacthub.io/images` annotation (a YAML list of
/// `{name, image, platforms?}`).
pub fn annotation_images(annotation: &str, chart: &str) -> Result<Vec<String>, Error> {
    let docs = YamlLoader::load_from_str(annotation).map_err(|e| {
        Error(format!(
            "chart {chart}: annotation artifacthub.io/images is not YAML: {e}"
        ))
    })?;
    let mut out = Vec::new();
    for doc in &docs {
        let Some(items) = doc.as_vec() else {
            return Err(Error(format!(
                "chart {chart}: annotation artifacthub.io/images must be a list of {{name, image}}"
            )));
        };
        for item in items {
            match item["image"].as_str() {
                Some(image) => out.push(image.to_string()),
                None => {
                    return Err(Error(format!(
                        "chart {chart}: an entry of annotation artifacthub.io/images has no image"
                    )))
                }
            }
        }
    }
    Ok(out)
}

/// Rewrites container images to a site's registry (the post-render step of an offline install).
pub struct Rewriter {
    /// The site's registry (`HOST:PORT`).
    pub site: String,
    /// Normalized reference (as [`ImageRef::display`]) → the bundled image's digest, and the digest
    /// the chart pinned when it differs (an index filtered by `--platform`).
    pub bundled: BTreeMap<String, (String, Option<String>)>,
}

impl Rewriter {
    /// A rewriter for the images of a bundle's manifest.
    pub fn new(site: &str, images: &[super::manifest::ImageEntry]) -> Rewriter {
        let mut bundled = BTreeMap::new();
        for image in images {
            bundled.insert(
                image.image.clone(),
                (image.digest.clone(), image.source_digest.clone()),
            );
        }
        Rewriter {
            site: site.to_string(),
            bundled,
        }
    }

    /// The new text of the reference `written`, or why it cannot be rewritten.
    fn target(&self, written: &str, object: &str) -> Result<Option<String>, Error> {
        let parsed = ImageRef::parse(written).map_err(|e| Error(format!("{object}: {e}")))?;
        if parsed.registry == self.site {
            return Ok(None);
        }
        let Some((digest, _)) = self.bundled.get(&parsed.display()) else {
            return Err(Error(format!(
                "image {written:?} of {object} is not in the bundle (bundle create renders the values layerings it is given; add this one with --values-set)"
            )));
        };
        let mut moved = parsed.moved_to(&self.site);
        if moved.digest.is_some() {
            moved.digest = Some(digest.clone());
        }
        Ok(Some(moved.display()))
    }

    /// Rewrites the container images of the YAML documents in `text`.
    pub fn rewrite(&self, text: &str) -> Result<String, Error> {
        let found = container_images(text, "post-render")?;
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for f in &found {
            if let Some(new) = self.target(&f.reference, &f.object)? {
                map.insert(f.reference.clone(), new);
            }
        }
        if map.is_empty() {
            return Ok(text.to_string());
        }
        let mut positions = Positions::default();
        yaml_rust2::parser::Parser::new_from_str(text)
            .load(&mut positions, true)
            .map_err(|e| Error(format!("post-render: the manifests are not YAML: {e}")))?;
        let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
        // Right to left within a line, so earlier columns stay valid.
        positions
            .found
            .sort_by_key(|b| std::cmp::Reverse((b.line, b.col)));
        for p in &positions.found {
            let Some(new) = map.get(&p.value) else {
                continue;
            };
            let cannot = || {
                Error(format!(
                    "cannot rewrite image reference {:?} (line {} of the manifests): write it as one plain or quoted scalar without escapes",
                    p.value,
                    p.line + 1
                ))
            };
            let line = lines.get_mut(p.line).ok_or_else(cannot)?;
            let start = line
                .char_indices()
                .nth(p.col)
                .map_or(line.len(), |(i, _)| i);
            let (written, replacement) = match p.style {
                TScalarStyle::Plain => (p.value.clone(), new.clone()),
                TScalarStyle::DoubleQuoted => (format!("\"{}\"", p.value), format!("\"{new}\"")),
                TScalarStyle::SingleQuoted => (format!("'{}'", p.value), format!("'{new}'")),
                _ => return Err(cannot()),
            };
            if !line[start..].starts_with(&written) {
                return Err(cannot());
            }
            line.replace_range(start..start + written.len(), &replacement);
        }
        Ok(lines.concat())
    }
}

/// Where the container images' scalars are: a walk over the parser's events that tracks, for each
/// open mapping or sequence, the key it is the value of.
#[derive(Default)]
struct Positions {
    stack: Vec<Frame>,
    found: Vec<Position>,
}

struct Frame {
    is_map: bool,
    /// The key this collection is the value of (in a mapping parent).
    parent_key: Option<String>,
    /// A mapping's key awaiting its value.
    key: Option<String>,
    /// A mapping expects a key next.
    expect_key: bool,
}

struct Position {
    /// 0-based.
    line: usize,
    /// In characters, 0-based.
    col: usize,
    value: String,
    style: TScalarStyle,
}

impl Positions {
    /// The parent's state after one key or value (scalar, alias or collection) was read in it.
    fn advance(&mut self) {
        if let Some(top) = self.stack.last_mut() {
            if top.is_map {
                top.expect_key = !top.expect_key;
                if top.expect_key {
                    top.key = None;
                }
            }
        }
    }

    fn is_container_image(&self, key: &str) -> bool {
        let n = self.stack.len();
        key == "image"
            && n >= 2
            && !self.stack[n - 2].is_map
            && self.stack[n - 2]
                .parent_key
                .as_deref()
                .is_some_and(|k| CONTAINER_LISTS.contains(&k))
    }
}

impl yaml_rust2::parser::MarkedEventReceiver for Positions {
    fn on_event(&mut self, event: Event, mark: yaml_rust2::scanner::Marker) {
        match event {
            Event::DocumentStart | Event::DocumentEnd => self.stack.clear(),
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let parent_key = self
                    .stack
                    .last()
                    .filter(|t| t.is_map && !t.expect_key)
                    .and_then(|t| t.key.clone());
                self.stack.push(Frame {
                    is_map: matches!(event, Event::MappingStart(..)),
                    parent_key,
                    key: None,
                    expect_key: true,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.advance();
            }
            Event::Scalar(value, style, ..) => {
                if let Some(top) = self.stack.last_mut() {
                    if top.is_map && top.expect_key {
                        top.key = Some(value);
                        top.expect_key = false;
                        return;
                    }
                    if top.is_map {
                        let key = top.key.clone().unwrap_or_default();
                        if self.is_container_image(&key) {
                            self.found.push(Position {
                                line: mark.line().saturating_sub(1),
                                col: mark.col(),
                                value,
                                style,
                            });
                        }
                    }
                }
                self.advance();
            }
            Event::Alias(_) => self.advance(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "---\n# Source: x/templates/d.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: init\n          image: \"busybox\"\n      containers:\n      - name: app\n        image: 127.0.0.1:5000/demo/app:1.0 # pinned\n        env:\n        - name: image\n          value: nginx\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  image: busybox\n";

    #[test]
    fn finds_container_images_only() {
        let found = container_images(DOC, "t").unwrap();
        let refs: Vec<&str> = found.iter().map(|f| f.reference.as_str()).collect();
        assert_eq!(refs, ["busybox", "127.0.0.1:5000/demo/app:1.0"]);
        assert_eq!(found[0].object, "Deployment/web");
    }

    #[test]
    fn rewrites_in_place_and_refuses_unknown_images() {
        let images = vec![
            super::super::manifest::ImageEntry {
                image: "docker.io/library/busybox:latest".into(),
                digest: "sha256:1".into(),
                ..Default::default()
            },
            super::super::manifest::ImageEntry {
                image: "127.0.0.1:5000/demo/app:1.0".into(),
                digest: "sha256:2".into(),
                ..Default::default()
            },
        ];
        let r = Rewriter::new("10.1.1.1:5000", &images);
        let out = r.rewrite(DOC).unwrap();
        assert!(out.contains("image: \"10.1.1.1:5000/library/busybox:latest\"\n"));
        assert!(out.contains("image: 10.1.1.1:5000/demo/app:1.0 # pinned\n"));
        // Not a container image: left alone.
        assert!(out.contains("data:\n  image: busybox\n"));
        let r = Rewriter::new("10.1.1.1:5000", &images[..1]);
        let e = r.rewrite(DOC).unwrap_err();
        assert!(e
            .0
            .contains("\"127.0.0.1:5000/demo/app:1.0\" of Deployment/web is not in the bundle"));
        let flow =
            "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: busybox}]}\n";
        let out = Rewriter::new("s:1", &images).rewrite(flow).unwrap();
        assert!(out.contains("image: s:1/library/busybox:latest}"), "{out}");
        let escaped = "kind: Pod\nspec:\n  containers:\n  - image: \"bus\\x79box\"\n";
        let e = Rewriter::new("s:1", &images).rewrite(escaped).unwrap_err();
        assert!(e.0.contains("line 4"), "{e}");
    }

    #[test]
    fn reads_the_artifacthub_annotation() {
        let a = "- name: app\n  image: 127.0.0.1:5000/demo/app:1.0\n- name: db\n  image: postgres:16\n  platforms: [linux/amd64]\n";
        assert_eq!(
            annotation_images(a, "c").unwrap(),
            ["127.0.0.1:5000/demo/app:1.0", "postgres:16"]
        );
        assert!(annotation_images("name: x", "c").is_err());
    }
}
