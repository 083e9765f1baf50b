//! `rudder bundle push`: every image of a verified bundle into the site's registry under the same
//! repository path and tag (blobs first, each streamed from the extracted bundle in chunks with
//! bounded memory ([`crate::registry::upload`]), then per-platform manifests, then the image's manifest or
//! index, bytes unchanged so digests stay; a blob already sent to another repository in this push
//! is mounted from there), and every chart of the bundle as an OCI chart, as
//! `rudder push` pushes one, under `<registry>/<charts path>/<name>:<version>`.
use std::collections::BTreeMap;
use std::path::PathBuf;

use super::connect::{connect, Access};
use super::layout::{Layout, LAYOUT_DIR};
use super::progress::Progress;
use super::{verify, Error};
use crate::registry::image::{declared_media_type, BlobPut, Manifest};
use crate::registry::Reference;

/// What `bundle push` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    pub bundle: PathBuf,
    /// `HOST:PORT` of the site's registry.
    pub registry: String,
    /// The repository path charts go under (`charts`).
    pub charts_path: String,
    pub access: Access,
    pub quiet: bool,
}

/// What was pushed: `(reference, digest)` of each image and chart.
#[derive(Debug, Clone, Default)]
pub struct Pushed {
    pub images: Vec<(String, String)>,
    pub charts: Vec<(String, String)>,
}

pub fn push(options: &PushOptions) -> Result<Pushed, Error> {
    let progress = Progress::stderr(options.quiet);
    let opened = verify::open(&options.bundle)?;
    let site = options.registry.trim_end_matches('/');
    if site.is_empty() || site.contains("://") || site.contains('/') {
        return Err(Error(format!(
            "--registry {site:?}: expected HOST[:PORT] (no scheme, no path)"
        )));
    }
    let mut client = connect(site, site, &options.access)?;
    let layout = Layout::open(&opened.path(LAYOUT_DIR));
    let mut pushed = Pushed::default();
    // Where each blob is known to be on the site during this push: the same blob for another
    // repository is mounted from there instead of uploaded again.
    let mut on_site: BTreeMap<String, String> = BTreeMap::new();
    for image in &opened.manifest.images {
        let shown = format!("{site}/{}", image.repository);
        let reference = match &image.tag {
            Some(tag) => format!("{shown}:{tag}"),
            None => format!("{shown}@{}", image.digest),
        };
        // The destination, as the `Pushed:` lines of the charts and the references printed last.
        progress.line(&format!("Pushing {reference}"));
        for blob in layout.image_blobs(&image.digest, &image.image)? {
            if blob.role == "manifest" {
                let data = layout.read(&blob.digest)?;
                let media_type = declared_media_type(&data).unwrap_or(blob.media_type.clone());
                let manifest = Manifest {
                    digest: blob.digest.clone(),
                    data,
                    media_type,
                };
                client
                    .put_manifest(&image.repository, &blob.digest, &manifest)
                    .map_err(|e| Error(format!("pushing {shown}: {e}")))?;
                continue;
            }
            let label = format!(
                "{} {}",
                blob.role,
                &blob.digest[..19.min(blob.digest.len())]
            );
            let bar = progress.start(&label, blob.size.unwrap_or(0));
            let path = layout.blob_path(&blob.digest)?;
            let put = client
                .put_blob_file_with(
                    &image.repository,
                    &blob.digest,
                    &path,
                    on_site.get(&blob.digest).map(String::as_str),
                    &mut |done| bar.set(done),
                )
                .map_err(|e| Error(format!("pushing {shown}: {e}")))?;
            on_site
                .entry(blob.digest.clone())
                .or_insert_with(|| image.repository.clone());
            match put {
                BlobPut::Uploaded => bar.finish(Some(blob.size.unwrap_or(0))),
                BlobPut::Present => bar.finish(None),
                BlobPut::Mounted(from) => bar.finish_note(&format!("mounted from {from}")),
            }
        }
        let top = Manifest {
            data: layout.read(&image.digest)?,
            media_type: image.media_type.clone(),
            digest: image.digest.clone(),
        };
        let target = image.tag.clone().unwrap_or_else(|| image.digest.clone());
        client
            .put_manifest(&image.repository, &target, &top)
            .map_err(|e| Error(format!("pushing {shown}: {e}")))?;
        pushed.images.push((reference, image.digest.clone()));
    }
    let charts_path = options.charts_path.trim_matches('/');
    let remote = Reference {
        registry: site.to_string(),
        repository: if charts_path.is_empty() {
            "charts".to_string()
        } else {
            charts_path.to_string()
        },
        tag: None,
        digest: None,
    };
    for chart in std::iter::once(&opened.manifest.chart).chain(&opened.manifest.dependencies) {
        let path = opened.path(&chart.file);
        let data = std::fs::read(&path).map_err(|e| super::io_error("open", &path, &e))?;
        let (shown, digest) = client
            .push(&remote, &data)
            .map_err(|e| Error(format!("pushing chart {}: {e}", chart.file)))?;
        progress.line(&format!("Pushed: {shown}"));
        pushed.charts.push((shown, digest));
    }
    Ok(pushed)
}
