//! Rendering a chart tree the way Helm v3.17.3's `Engine.Render` does (`pkg/engine/engine.go`):
//!
//! 1. every template of the chart and its subcharts becomes one entry of a single template set, named
//!    by its full path (`parent/charts/sub/templates/x.yaml`); library charts contribute only their
//!    `_*` files;
//! 2. each chart gets one render context shared by all its files: `.Values` scoped to the chart (the
//!    parent's `.Values.<name>`, the same map, so mutations leak), `.Chart`, `.Files`, `.Release`,
//!    `.Capabilities`, `.Subcharts`; `.Template` is set on that shared context before each file runs;
//! 3. files are parsed, then executed, in `sortTemplates` order: deeper paths first and, at one depth,
//!    reverse byte order; so a parent's `define` (parsed later) wins over a subchart's;
//! 4. partials (`_*`) are parsed but never executed;
//! 5. outside strict mode every `<no value>` is removed from the output.
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::backend::{Source, TemplateSet};
use super::capabilities::Capabilities;
use super::chart_object::chart_value;
use super::error::Error;
use super::files::Files;
use super::funcs::{shared_table, RenderState};
use super::preload::Preparsed;
use crate::chart::Chart;
use crate::template::{FuncEnv, Map, MapEntries, MapKind, MissingKey, Value};

/// `.Release` as `helm template` fills it. Mirrors `chartutil.ReleaseOptions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseOptions {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_install: bool,
    pub is_upgrade: bool,
}

impl ReleaseOptions {
    fn to_value(&self) -> Value {
        let map = Map::new(MapEntries::new());
        map.insert("Name", Value::str(&self.name));
        map.insert("Namespace", Value::str(&self.namespace));
        map.insert("IsUpgrade", Value::Bool(self.is_upgrade));
        map.insert("IsInstall", Value::Bool(self.is_install));
        map.insert("Revision", Value::int(self.revision));
        map.insert("Service", Value::str("Helm"));
        Value::Map(map)
    }
}

/// How to render.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Engine {
    /// `missingkey=error` and no `<no value>` removal (Helm's `--strict` lint).
    pub strict: bool,
    /// `required`/`fail` do not fail (lint).
    pub lint_mode: bool,
    /// `--enable-dns`: `getHostByName` resolves names instead of returning "".
    pub enable_dns: bool,
}

/// One file to render.
struct Renderable<'c> {
    /// Full path, e.g. `parent/charts/sub/templates/x.yaml`.
    name: String,
    /// The template, borrowed from the chart.
    text: Cow<'c, str>,
    /// The chart's bytes of the template (what a [`ParseCache`] recognises it by); `None` in
    /// [`template_order`].
    data: Option<&'c Arc<[u8]>>,
    /// The shared context of the file's chart.
    context: Map,
    /// `parent/charts/sub/templates`.
    base_path: std::rc::Rc<str>,
}

impl Engine {
    /// Renders every non-partial template of `chart` (subcharts included, already filtered by their
    /// conditions) with the coalesced `values`. Returns full path → output.
    pub fn render(
        &self,
        chart: &Chart,
        values: &Value,
        release: &ReleaseOptions,
        capabilities: &Capabilities,
    ) -> Result<BTreeMap<String, String>, Error> {
        self.render_each(chart, values, release, capabilities, &mut |_, _| {})
    }

    /// [`Engine::render`], handing each output to `on_output(path, text)` as soon as it is rendered
    /// (so that reading the manifests can start before the last template is done).
    pub fn render_each(
        &self,
        chart: &Chart,
        values: &Value,
        release: &ReleaseOptions,
        capabilities: &Capabilities,
        on_output: &mut dyn FnMut(&str, &str),
    ) -> Result<BTreeMap<String, String>, Error> {
        self.render_preparsed(chart, None, values, release, capabilities, on_output)
    }

    /// [`Engine::render_each`] of a chart loaded by [`super::preload::load_chart`], with the
    /// templates it parsed.
    pub fn render_preparsed(
        &self,
        chart: &Chart,
        preparsed: Option<Preparsed>,
        values: &Value,
        release: &ReleaseOptions,
        capabilities: &Capabilities,
        on_output: &mut dyn FnMut(&str, &str),
    ) -> Result<BTreeMap<String, String>, Error> {
        self.render_with_lookup(
            chart,
            preparsed,
            values,
            release,
            capabilities,
            None,
            on_output,
        )
    }

    /// [`Engine::render_preparsed`] with `lookup` reading live objects from a cluster.
    #[allow(clippy::too_many_arguments)]
    pub fn render_with_lookup(
        &self,
        chart: &Chart,
        preparsed: Option<Preparsed>,
        values: &Value,
        release: &ReleaseOptions,
        capabilities: &Capabilities,
        lookup: Option<std::rc::Rc<dyn super::funcs::Lookup>>,
        on_output: &mut dyn FnMut(&str, &str),
    ) -> Result<BTreeMap<String, String>, Error> {
        self.render_taking(
            chart,
            preparsed,
            values,
            release,
            capabilities,
            lookup,
            &mut |path, text| shown_and_kept(on_output, path, text),
        )
    }

    /// [`Engine::render_with_lookup`] handing each output itself to `on_output(path, text)`, which
    /// gives it back to be returned, or keeps it (then the returned map has no entry for `path`):
    /// a caller that goes on with the outputs needs no second copy of them.
    #[allow(clippy::too_many_arguments)]
    pub fn render_taking(
        &self,
        chart: &Chart,
        preparsed: Option<Preparsed>,
        values: &Value,
        release: &ReleaseOptions,
        capabilities: &Capabilities,
        lookup: Option<std::rc::Rc<dyn super::funcs::Lookup>>,
        on_output: &mut dyn FnMut(&str, String) -> Option<String>,
    ) -> Result<BTreeMap<String, String>, Error> {
        self.render_from(
            chart,
            Parse::Preparsed(preparsed),
            values,
            release,
            capabilities,
            lookup,
            on_output,
        )
    }

    /// [`Engine::render_with_lookup`] for a caller that renders the same chart many times (the
    /// unit-test runner): the template set is taken from `cache` when an earlier render parsed the
    /// same templates (same paths, same file contents of the same loaded chart), and parsed and
    /// kept there otherwise. Only parsing is shared; every render has its own contexts and values.
    #[allow(clippy::too_many_arguments)]
    pub fn render_cached(
        &self,
        chart: &Chart,
        cache: &mut ParseCache,
        values: &Value,
        release: &ReleaseOptions,
        capabilities: &Capabilities,
        lookup: Option<std::rc::Rc<dyn super::funcs::Lookup>>,
        on_output: &mut dyn FnMut(&str, &str),
    ) -> Result<BTreeMap<String, String>, Error> {
        self.render_from(
            chart,
            Parse::Cached(cache),
            values,
            release,
            capabilities,
            lookup,
            &mut |path, text| shown_and_kept(on_output, path, text),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn render_from(
        &self,
        chart: &Chart,
        parse: Parse<'_>,
        values: &Value,
        release: &ReleaseOptions,
        capabilities: &Capabilities,
        lookup: Option<std::rc::Rc<dyn super::funcs::Lookup>>,
        on_output: &mut dyn FnMut(&str, String) -> Option<String>,
    ) -> Result<BTreeMap<String, String>, Error> {
        let top = TopValues {
            values: as_chartutil_values(values),
            release: release.to_value(),
            capabilities: capabilities.to_value(),
        };
        let mut renderables = Vec::new();
        collect(chart, None, chart.name(), &top, &mut renderables);
        sort_templates(&mut renderables);

        let missing_key = if self.strict {
            MissingKey::Error
        } else {
            MissingKey::Zero
        };
        let new_set = || TemplateSet::new(shared_table(self.enable_dns), missing_key);
        // A template read in place shares the chart's bytes with its parse trees.
        let sources: Vec<(&str, Source)> = renderables
            .iter()
            .map(|r| {
                let source = match r.data {
                    Some(data) => Source::within(data, &r.text),
                    None => Source::copy(&r.text),
                };
                (r.name.as_str(), source)
            })
            .collect();
        let set = match parse {
            Parse::Preparsed(preparsed) => {
                let mut set = new_set();
                match preparsed {
                    Some(preparsed) => preparsed.parse_into(&mut set, &sources),
                    None => set.parse_all(&sources),
                }
                .map_err(Error::from_parse)?;
                set
            }
            Parse::Cached(cache) => {
                let key = CacheKey {
                    strict: self.strict,
                    enable_dns: self.enable_dns,
                    templates: renderables
                        .iter()
                        .map(|r| (r.name.clone(), r.data.cloned()))
                        .collect(),
                };
                cache.get_or_parse(key, || {
                    let mut set = new_set();
                    set.parse_all(&sources).map_err(Error::from_parse)?;
                    Ok(set)
                })?
            }
        };

        let mut env = FuncEnv::system();
        env.ext = Box::new(RenderState {
            lint_mode: self.lint_mode,
            lookup,
            ..RenderState::default()
        });
        let mut rendered = BTreeMap::new();
        for r in &renderables {
            if is_partial(&r.name) {
                continue;
            }
            let template = Map::with_kind(MapKind::Values, MapEntries::new());
            template.insert("Name", Value::str(&r.name));
            template.insert("BasePath", Value::str(&r.base_path));
            r.context.insert("Template", Value::Map(template));
            let out = set
                .execute(&r.name, &Value::Map(r.context.clone()), &env)
                .map_err(Error::from_exec)?;
            let out = if self.strict || !out.contains("<no value>") {
                without_spare_room(out)
            } else {
                out.replace("<no value>", "")
            };
            if let Some(out) = on_output(&r.name, out) {
                rendered.insert(r.name.clone(), out);
            }
        }
        // The parse trees and contexts are the largest structures of a render. Freeing them took
        // 6 % of a `rudder template` run on a 320-template chart; leaking them (CLI only) costs
        // about 0.8 MiB of peak memory there, as the output can no longer reuse their memory.
        crate::teardown::dispose((set, renderables, env, top));
        Ok(rendered)
    }
}

/// Below this size an output with spare room is copied to a buffer of its length.
const COPY_BELOW: usize = 64 << 10;

/// A template's output without the executor's spare room. Outputs are kept until the manifests
/// are written, and the executor's buffer grows by doubling: a 330-byte Deployment sat in 512
/// bytes (4,000 templates: 0.7 MB of nothing). A small output is copied to a buffer of its size
/// and its buffer freed, so the next template's output grows into it again; shrinking it in place
/// would leave a hole after each output that only a block of that size could use. A large one is
/// shrunk in place (its freed tail is large enough to be used again).
fn without_spare_room(mut out: String) -> String {
    if out.capacity() == out.len() {
        out
    } else if out.len() < COPY_BELOW {
        String::from(out.as_str())
    } else {
        out.shrink_to_fit();
        out
    }
}

/// The adapter of an `on_output` that only looks at each output to one that hands it back to be
/// returned (the shape [`Engine::render_taking`] and `render_from` take).
fn shown_and_kept(
    on_output: &mut dyn FnMut(&str, &str),
    path: &str,
    text: String,
) -> Option<String> {
    on_output(path, &text);
    Some(text)
}

/// Where a render's template set comes from.
enum Parse<'a> {
    /// Parsed now (using what [`super::preload`] parsed ahead, if anything).
    Preparsed(Option<Preparsed>),
    /// Shared with earlier renders through a [`ParseCache`].
    Cached(&'a mut ParseCache),
}

/// Template sets parsed by earlier renders ([`Engine::render_cached`]), each under the templates it
/// was parsed from: their paths in parse order and the loaded chart's bytes of each (compared by
/// address: the cache holds them, so an address cannot be reused by other contents). A parse error
/// is kept too, and given again. Sets are cloned out (their trees are shared).
#[derive(Default)]
pub struct ParseCache {
    sets: crate::fasthash::FastHashMap<CacheKey, Result<TemplateSet, Error>>,
}

impl ParseCache {
    fn get_or_parse(
        &mut self,
        key: CacheKey,
        parse: impl FnOnce() -> Result<TemplateSet, Error>,
    ) -> Result<TemplateSet, Error> {
        self.sets.entry(key).or_insert_with(parse).clone()
    }
}

struct CacheKey {
    strict: bool,
    enable_dns: bool,
    templates: Vec<(String, Option<Arc<[u8]>>)>,
}

impl CacheKey {
    fn address(data: &Option<Arc<[u8]>>) -> Option<(*const u8, usize)> {
        data.as_ref().map(|d| (d.as_ptr(), d.len()))
    }
}

impl PartialEq for CacheKey {
    fn eq(&self, other: &CacheKey) -> bool {
        self.strict == other.strict
            && self.enable_dns == other.enable_dns
            && self.templates.len() == other.templates.len()
            && self
                .templates
                .iter()
                .zip(&other.templates)
                .all(|((a, x), (b, y))| a == b && CacheKey::address(x) == CacheKey::address(y))
    }
}

impl Eq for CacheKey {}

impl std::hash::Hash for CacheKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.strict.hash(state);
        self.enable_dns.hash(state);
        for (name, data) in &self.templates {
            name.hash(state);
            CacheKey::address(data).hash(state);
        }
    }
}

struct TopValues {
    values: Value,
    release: Value,
    capabilities: Value,
}

/// Helm's `recAllTpls`: builds `chart`'s context, recurses into subcharts, and queues its templates.
fn collect<'c>(
    chart: &'c Chart,
    parent_values: Option<&Value>,
    full_path: &str,
    top: &TopValues,
    out: &mut Vec<Renderable<'c>>,
) -> Map {
    let values = match parent_values {
        None => top.values.clone(),
        Some(parent) => table(parent, chart.name())
            .unwrap_or_else(|| Value::Map(Map::with_kind(MapKind::Values, MapEntries::new()))),
    };
    let subcharts = Map::new(MapEntries::new());
    let context = Map::with_kind(MapKind::Values, MapEntries::new());
    context.insert(
        "Chart",
        chart_value(&chart.metadata, parent_values.is_none()),
    );
    context.insert(
        "Files",
        Files::new(chart.files.iter().map(|f| (f.name.clone(), f.data.clone()))).to_value(),
    );
    context.insert("Release", top.release.clone());
    context.insert("Capabilities", top.capabilities.clone());
    context.insert("Values", values.clone());
    context.insert("Subcharts", Value::Map(subcharts.clone()));

    // Helm joins with `path.Join`, which cleans: a chart named "." has `templates/x.yaml`.
    let join = |tail: &str| {
        let joined = [full_path, tail].concat();
        if full_path == "." || full_path.starts_with("./") {
            crate::template::funcs::sprig::paths::clean(&joined)
        } else {
            joined
        }
    };
    // One per chart, shared by its templates.
    let base_path: std::rc::Rc<str> = join("/templates").into();
    for child in &chart.dependencies {
        let child_path = [full_path, "/charts/", child.name()].concat();
        let child_context = collect(child, Some(&values), &child_path, top, out);
        subcharts.insert(child.name(), Value::Map(child_context));
    }

    for template in &chart.templates {
        if chart.is_library() && !is_partial(&template.name) {
            continue;
        }
        out.push(Renderable {
            name: join(&["/", &template.name].concat()),
            text: crate::chart::loader::text(&template.data),
            data: Some(&template.data),
            context: context.clone(),
            base_path: base_path.clone(),
        });
    }
    context
}

/// The root `.Values` is a `chartutil.Values` in Helm (`typeOf` shows it). A shallow copy with that
/// type keeps every nested map shared, so mutations still leak as in Helm.
fn as_chartutil_values(values: &Value) -> Value {
    match values {
        Value::Map(m) if *m.kind() != MapKind::Values => {
            let entries: MapEntries = m.entries().into_iter().collect();
            Value::Map(Map::with_kind(MapKind::Values, entries))
        }
        Value::Map(_) => values.clone(),
        _ => Value::Map(Map::with_kind(MapKind::Values, MapEntries::new())),
    }
}

/// `chartutil.Values.Table(name)`: the map under `name`, if it is one, as a `chartutil.Values`
/// (Go converts it; the entries stay shared).
fn table(values: &Value, name: &str) -> Option<Value> {
    let map = values.as_map()?;
    match map.get(name)? {
        Value::Map(m) => Some(Value::Map(m.as_values())),
        _ => None,
    }
}

fn is_partial(path: &str) -> bool {
    path.rsplit('/').next().unwrap_or(path).starts_with('_')
}

/// Helm's `sortTemplates`: more `/` first, then reverse byte order.
fn sort_templates(renderables: &mut [Renderable<'_>]) {
    renderables.sort_by(|a, b| {
        let depth = |s: &str| s.bytes().filter(|&c| c == b'/').count();
        depth(&b.name)
            .cmp(&depth(&a.name))
            .then_with(|| b.name.cmp(&a.name))
    });
}

/// The paths in Helm's parse and render order (for tests and `--debug`).
pub fn template_order(names: &[&str]) -> Vec<String> {
    let mut renderables: Vec<Renderable> = names
        .iter()
        .map(|n| Renderable {
            name: n.to_string(),
            text: Cow::Borrowed(""),
            data: None,
            context: Map::new(MapEntries::new()),
            base_path: "".into(),
        })
        .collect();
    sort_templates(&mut renderables);
    renderables.into_iter().map(|r| r.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_keep_no_spare_room() {
        let mut small = String::with_capacity(512);
        small.push_str("kind: ConfigMap\n");
        let small = without_spare_room(small);
        assert_eq!(
            (small.as_str(), small.capacity()),
            ("kind: ConfigMap\n", 16)
        );
        let mut large = String::with_capacity(2 * COPY_BELOW);
        large.push_str(&"x".repeat(COPY_BELOW + 1));
        let large = without_spare_room(large);
        assert_eq!(large.capacity(), COPY_BELOW + 1);
        let exact = String::from("a: 1\n");
        let at = exact.as_ptr();
        let kept = without_spare_room(exact);
        assert_eq!(kept.as_ptr(), at);
    }

    #[test]
    fn deeper_first_then_reverse_alphabetical() {
        let order = template_order(&[
            "c/templates/a.yaml",
            "c/templates/b.yaml",
            "c/charts/s/templates/x.yaml",
            "c/templates/_h.tpl",
        ]);
        assert_eq!(
            order,
            vec![
                "c/charts/s/templates/x.yaml",
                "c/templates/b.yaml",
                "c/templates/a.yaml",
                "c/templates/_h.tpl",
            ]
        );
    }

    fn chart(templates: &[(&str, &str)]) -> Chart {
        let mut chart = Chart::default();
        chart.metadata.name = "c".to_string();
        chart.metadata.version = "1.0.0".to_string();
        chart.templates = templates
            .iter()
            .map(|(name, text)| crate::chart::File {
                name: name.to_string(),
                data: Arc::from(text.as_bytes()),
            })
            .collect();
        chart
    }

    #[test]
    fn cached_parses_render_what_fresh_parses_render() {
        let full = chart(&[
            (
                "templates/_h.tpl",
                "{{ define \"h\" }}x={{ .Values.x }}{{ end }}",
            ),
            ("templates/a.yaml", "a: {{ include \"h\" . }}"),
            ("templates/b.yaml", "b: {{ .Values.x | quote }}"),
        ]);
        let release = ReleaseOptions {
            name: "r".into(),
            namespace: "n".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        };
        let caps = Capabilities::default();
        let engine = Engine::default();
        let mut cache = ParseCache::default();
        for x in 0..3 {
            let values = Map::new(MapEntries::new());
            values.insert("x", Value::int(x));
            let values = Value::Map(values);
            // A copy of the chart, as each unit test renders one: the bytes are shared.
            let copy = full.clone();
            let fresh = engine.render(&copy, &values, &release, &caps).unwrap();
            let cached = engine
                .render_cached(
                    &copy,
                    &mut cache,
                    &values,
                    &release,
                    &caps,
                    None,
                    &mut |_, _| {},
                )
                .unwrap();
            assert_eq!(fresh, cached);
            assert_eq!(cached["c/templates/a.yaml"], format!("a: x={x}"));
        }
        assert_eq!(
            cache.sets.len(),
            1,
            "one selection of templates, parsed once"
        );
        let mut fewer = full.clone();
        fewer.templates.remove(2);
        let values = Value::Map(Map::new(MapEntries::new()));
        let out = engine
            .render_cached(
                &fewer,
                &mut cache,
                &values,
                &release,
                &caps,
                None,
                &mut |_, _| {},
            )
            .unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(cache.sets.len(), 2);
        // Same names, other contents: another entry, never the cached trees.
        let other = chart(&[
            ("templates/_h.tpl", "{{ define \"h\" }}y{{ end }}"),
            ("templates/a.yaml", "a: {{ include \"h\" . }}"),
            ("templates/b.yaml", "{{ if }}"),
        ]);
        for _ in 0..2 {
            let err = engine
                .render_cached(
                    &other,
                    &mut cache,
                    &values,
                    &release,
                    &caps,
                    None,
                    &mut |_, _| {},
                )
                .unwrap_err();
            let fresh = engine.render(&other, &values, &release, &caps).unwrap_err();
            assert_eq!(err.to_string(), fresh.to_string());
        }
        assert_eq!(cache.sets.len(), 3);
    }

    #[test]
    fn subchart_values_are_the_parents_map() {
        let parent = Map::new(MapEntries::new());
        let sub = Map::new(MapEntries::new());
        parent.insert("sub", Value::Map(sub.clone()));
        let Some(Value::Map(found)) = table(&Value::Map(parent), "sub") else {
            panic!()
        };
        assert!(found.ptr_eq(&sub));
    }
}
