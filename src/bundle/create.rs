//! `rudder bundle create`: the chart (dependencies checked against Chart.lock, fetched with
//! `dependency build` when charts/ is incomplete), its values files, and every image of the
//! manifests rendered for each values layering (plus the chart's `artifacthub.io/images`
//! annotation and `--image`), copied into the bundle's OCI layout; then `bundle.json` and the
//! archive, written whole or not at all.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::archive;
use super::connect::{connect, Access};
use super::images::{annotation_images, container_images};
use super::layout::{Layout, LAYOUT_DIR};
use super::manifest::{
    ChartEntry, ImageEntry, Manifest, ValuesEntry, KIND, MANIFEST_DIGEST_FILE, MANIFEST_FILE,
};
use super::progress::Progress;
use super::{io_error, Error};
use crate::chart::Chart;
use crate::registry::image_ref::ImageRef;

const ANNOTATION: &str = "artifacthub.io/images";

/// What `bundle create` was asked to do.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// A chart directory or archive.
    pub chart: String,
    /// The values layerings, each a list of values files in order (empty: the chart's defaults).
    pub value_sets: Vec<Vec<String>>,
    /// `--set`, applied to every layering.
    pub set: Vec<String>,
    /// `--set-string`, applied to every layering.
    pub set_string: Vec<String>,
    /// `--kube-version` and `--api-versions` for the renders.
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
    /// Images to add (`--image`).
    pub extra_images: Vec<String>,
    /// `--platform` filters for multi-arch indexes.
    pub platforms: Vec<String>,
    pub output: PathBuf,
    pub access: Access,
    /// Repository paths for `dependency build`.
    pub settings: crate::deps::Settings,
    pub quiet: bool,
}

/// What was bundled.
#[derive(Debug, Clone)]
pub struct Created {
    pub manifest: Manifest,
}

/// Removes the staging directory when dropped.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn create(options: &CreateOptions) -> Result<Created, Error> {
    let progress = Progress::stderr(options.quiet);
    let chart_path = crate::action::chart_source::locate_chart(&options.chart).map_err(Error)?;
    let chart = load_with_dependencies(&chart_path, options)?;
    let parent = options
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = Staging(parent.join(format!(
        ".rudder-bundle-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    )));
    // Removed by the signal watcher too (Ctrl-C), until the bundle is written.
    let _registered = super::interrupt::register(&staging.0);
    {
        let _gate = super::interrupt::gate();
        std::fs::create_dir_all(&staging.0).map_err(|e| io_error("mkdir", &staging.0, &e))?;
    }
    let root = staging.0.as_path();
    let mut manifest = Manifest {
        kind: KIND.to_string(),
        schema_version: 1,
        created: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        // Only the keys: a value given on the command line may be a secret.
        set: options
            .set
            .iter()
            .chain(&options.set_string)
            .flat_map(|s| s.split(','))
            .filter_map(|kv| kv.split_once('=').map(|(k, _)| k.to_string()))
            .collect(),
        platforms: options.platforms.clone(),
        ..Manifest::default()
    };

    // The chart, and each dependency as its own archive (for `bundle push`).
    let archive_name = crate::chart::package::archive_name(&chart);
    let data = if chart_path.is_file() {
        std::fs::read(&chart_path).map_err(|e| io_error("open", &chart_path, &e))?
    } else {
        crate::chart::package::package(&chart).map_err(|e| Error(e.to_string()))?
    };
    let file = format!("chart/{archive_name}");
    write_file(root, &file, &data)?;
    manifest.chart = ChartEntry {
        name: chart.name().to_string(),
        version: chart.metadata.version.clone(),
        file,
    };
    let mut stack: Vec<&Chart> = chart.dependencies.iter().collect();
    while let Some(dep) = stack.pop() {
        let file = format!("charts/{}", crate::chart::package::archive_name(dep));
        if !root.join(&file).exists() {
            let data = crate::chart::package::package(dep).map_err(|e| Error(e.to_string()))?;
            write_file(root, &file, &data)?;
            manifest.dependencies.push(ChartEntry {
                name: dep.name().to_string(),
                version: dep.metadata.version.clone(),
                file,
            });
        }
        stack.extend(dep.dependencies.iter());
    }
    manifest.dependencies.sort_by(|a, b| a.file.cmp(&b.file));

    // Values files, each stored once.
    let mut stored: BTreeMap<String, String> = BTreeMap::new();
    for set in &options.value_sets {
        let mut files = Vec::new();
        for source in set {
            if !stored.contains_key(source) {
                let data =
                    std::fs::read(source).map_err(|e| io_error("open", Path::new(source), &e))?;
                let base = Path::new(source)
                    .file_name()
                    .map(|b| b.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "values.yaml".into());
                let file = format!("values/{}-{base}", stored.len() + 1);
                write_file(root, &file, &data)?;
                manifest.values.push(ValuesEntry {
                    file: file.clone(),
                    source: source.clone(),
                });
                stored.insert(source.clone(), file);
            }
            files.push(stored[source].clone());
        }
        manifest.value_sets.push(files);
    }

    // The images: rendered for each layering, annotated, and asked for.
    let mut wanted: BTreeMap<String, (ImageRef, Vec<String>)> = BTreeMap::new();
    let mut want = |written: &str, context: &str| -> Result<(), Error> {
        let image = ImageRef::parse(written).map_err(|e| Error(format!("{context}: {e}")))?;
        let entry = wanted
            .entry(image.display())
            .or_insert_with(|| (image, Vec::new()));
        if !entry.1.iter().any(|w| w == written) {
            entry.1.push(written.to_string());
        }
        Ok(())
    };
    let layerings: Vec<Vec<String>> = if options.value_sets.is_empty() {
        vec![Vec::new()]
    } else {
        options.value_sets.clone()
    };
    for set in &layerings {
        let shown = if set.is_empty() {
            "the chart's default values".to_string()
        } else {
            format!("values {}", set.join(","))
        };
        let rendered = render(&chart_path, set, options)
            .map_err(|e| Error(format!("rendering {} with {shown}: {e}", chart.name())))?;
        for found in container_images(&rendered, &shown)? {
            want(
                &found.reference,
                &format!("{} (rendered with {shown})", found.object),
            )?;
        }
    }
    let mut charts: Vec<&Chart> = vec![&chart];
    while let Some(c) = charts.pop() {
        if let Some(text) = c.metadata.annotations.get(ANNOTATION) {
            for image in annotation_images(text, c.name())? {
                want(
                    &image,
                    &format!("chart {}: annotation {ANNOTATION}", c.name()),
                )?;
            }
        }
        charts.extend(c.dependencies.iter());
    }
    for image in &options.extra_images {
        want(image, "--image")?;
    }

    let layout = Layout::create(&root.join(LAYOUT_DIR))?;
    let mut clients: BTreeMap<String, crate::registry::Client> = BTreeMap::new();
    for (image, references) in wanted.values() {
        progress.line(&format!("Copying {}", image.display()));
        let host = image.api_host().to_string();
        if !clients.contains_key(&host) {
            let client = connect(&host, &image.registry, &options.access)
                .map_err(|e| Error(format!("image {}: {e}", image.display())))?;
            clients.insert(host.clone(), client);
        }
        let client = clients.get_mut(&host).expect("inserted above");
        let (stored, source_digest) = layout
            .copy_image(client, image, &options.platforms, &progress)
            .map_err(|e| {
                if e.0.starts_with(&image.display()) {
                    e
                } else {
                    Error(format!("image {}: {e}", image.display()))
                }
            })?;
        manifest.images.push(ImageEntry {
            image: image.display(),
            references: references.clone(),
            registry: image.registry.clone(),
            repository: image.repository.clone(),
            tag: image.tag.clone(),
            source_digest: (source_digest != stored.digest).then_some(source_digest),
            digest: stored.digest,
            media_type: stored.media_type,
            size: stored.data.len() as u64,
        });
    }
    layout.write_index(&manifest.images)?;

    for rel in archive::list_files(root)? {
        if rel.starts_with(&format!("{LAYOUT_DIR}/blobs/")) {
            continue;
        }
        let path = root.join(&rel);
        let digest = file_digest(&path)?;
        manifest.files.insert(rel, digest);
    }
    let text = manifest.render();
    write_file(root, MANIFEST_FILE, text.as_bytes())?;
    write_file(
        root,
        MANIFEST_DIGEST_FILE,
        format!("{}\n", crate::registry::image::digest_of(text.as_bytes())).as_bytes(),
    )?;
    archive::write(root, &options.output)?;
    Ok(Created { manifest })
}

/// The sha256 of a file, streamed.
pub fn file_digest(path: &Path) -> Result<String, Error> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path).map_err(|e| io_error("open", path, &e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| io_error("read", path, &e))?;
    Ok(format!("sha256:{:x}", hasher.finalize()))
}

fn write_file(root: &Path, rel: &str, data: &[u8]) -> Result<(), Error> {
    let path = root.join(rel);
    let _gate = super::interrupt::gate();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_error("mkdir", parent, &e))?;
    }
    std::fs::write(&path, data).map_err(|e| io_error("write", &path, &e))
}

/// Renders the chart as `template` does (CRDs and hooks included) with one values layering.
fn render(chart: &Path, values: &[String], options: &CreateOptions) -> Result<String, String> {
    let template_options = crate::action::template::TemplateOptions {
        release_name: "bundle".to_string(),
        chart: chart.to_path_buf(),
        values: crate::values::ValueOptions {
            value_files: values.to_vec(),
            values: options.set.clone(),
            string_values: options.set_string.clone(),
            ..Default::default()
        },
        namespace: "default".to_string(),
        kube_version: options.kube_version.clone(),
        api_versions: options.api_versions.clone(),
        include_crds: true,
        ..Default::default()
    };
    crate::action::template::run(&template_options, &mut std::io::empty(), None)
        .map(|out| out.stdout.to_string())
        .map_err(|e| e.message)
}

/// Loads the chart; when its charts/ does not hold what Chart.yaml asks for and Chart.lock exists,
/// runs `dependency build` first. Every locked dependency must then be present at its locked
/// version.
fn load_with_dependencies(path: &Path, options: &CreateOptions) -> Result<Chart, Error> {
    let load = || crate::chart::load(path).map_err(|e| Error(e.to_string()));
    let mut chart = load()?;
    if crate::chart::check_dependencies(&chart).is_err() {
        if !path.is_dir() || chart.lock.is_none() {
            let detail = crate::chart::check_dependencies(&chart)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            return Err(Error(format!(
                "chart {}: dependencies are missing from charts/ ({detail}): run `rudder dependency update` first",
                chart.name()
            )));
        }
        let mut out = std::io::stderr();
        let mut log = std::io::stderr();
        let mut manager = crate::deps::manager::Manager {
            chart_path: path.to_path_buf(),
            settings: &options.settings,
            skip_update: false,
            out: &mut out,
            log: &mut log,
            registry: options.access.options.clone(),
            verify: Default::default(),
        };
        manager
            .build()
            .map_err(|e| Error(format!("chart {}: dependency build: {e}", chart.name())))?;
        chart = load()?;
    }
    if let Some(lock) = &chart.lock {
        for locked in &lock.dependencies {
            match chart
                .dependencies
                .iter()
                .find(|c| c.name() == locked.name)
            {
                Some(c) if c.metadata.version == locked.version => {}
                Some(c) => {
                    return Err(Error(format!(
                        "chart {}: charts/ holds {} {} but Chart.lock locks {}: run `rudder dependency build`",
                        chart.name(),
                        locked.name,
                        c.metadata.version,
                        locked.version
                    )))
                }
                None => {
                    return Err(Error(format!(
                        "chart {}: {} {} (locked in Chart.lock) is missing from charts/: run `rudder dependency build`",
                        chart.name(),
                        locked.name,
                        locked.version
                    )))
                }
            }
        }
    }
    Ok(chart)
}
