//! Installing a release from a bundle (`rudder install|upgrade --install REL FILE --offline
//! --registry HOST:PORT`): the bundle is extracted and verified, the release is made from its chart
//! archive, and every container image of the rendered manifests and hooks is rewritten to the
//! site's registry by [`ImageRewrite`], a post-render step of ours that runs after any
//! `--post-renderer` (no mutating webhook is involved). `rudder template BUNDLE --registry HOST:PORT`
//! applies the same step to what it prints.
use std::path::{Path, PathBuf};

use super::images::Rewriter;
use super::verify::{self, Opened};
use super::Error;
use crate::action::template::PostRenderer;

/// A bundle opened for an install.
pub struct FromBundle {
    /// The chart archive inside the extracted bundle.
    pub chart: PathBuf,
    pub rewrite: ImageRewrite,
    /// Keeps the extracted bundle until the install is done.
    pub opened: Opened,
}

/// The image rewriting step.
pub struct ImageRewrite(pub Rewriter);

impl PostRenderer for ImageRewrite {
    fn run(&self, manifests: &str) -> Result<String, String> {
        self.0
            .rewrite(manifests)
            .map_err(|e| format!("rewriting images to {}: {e}", self.0.site))
    }
}

/// Whether `chart` names a bundle file.
pub fn is_bundle(chart: &Path) -> bool {
    super::archive::is_bundle(chart)
}

/// Opens `bundle` for an install whose images come from `registry`.
pub fn open(bundle: &Path, registry: &str) -> Result<FromBundle, Error> {
    site(registry)?;
    let opened = verify::open(bundle)?;
    Ok(FromBundle {
        chart: opened.path(&opened.manifest.chart.file),
        rewrite: rewrite(registry, &opened.manifest)?,
        opened,
    })
}

/// The step that moves the images of `manifest` (a bundle's) to `registry`: what an install from
/// the bundle applies, and `rudder template BUNDLE --registry` too.
pub fn rewrite(
    registry: &str,
    manifest: &super::manifest::Manifest,
) -> Result<ImageRewrite, Error> {
    Ok(ImageRewrite(Rewriter::new(
        site(registry)?,
        &manifest.images,
    )))
}

/// `--registry` checked: HOST[:PORT], no scheme, no path (a trailing `/` is dropped).
fn site(registry: &str) -> Result<&str, Error> {
    let site = registry.trim_end_matches('/');
    if site.is_empty() || site.contains("://") || site.contains('/') {
        return Err(Error(format!(
            "--registry {registry:?}: expected HOST[:PORT] (no scheme, no path)"
        )));
    }
    Ok(site)
}
