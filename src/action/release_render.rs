//! Rendering a release for `install` and `upgrade`: the last steps of [`super::pipeline`] with the
//! cluster's capabilities, then what Helm's `renderResources` does with the result for a release:
//! the manifest text (post-rendered), the hooks and the notes, plus the chart as the record stores
//! it.
use super::pipeline::{self, LoadedChart};
use super::release_error::Error;
use super::release_record;
use super::template::PostRenderer;
use crate::engine::{Capabilities, Engine, ReleaseOptions};
use crate::storage::record;
use crate::template::Value;

/// Options of a render for a release.
#[derive(Default)]
pub struct RenderOptions<'a> {
    pub skip_schema_validation: bool,
    pub enable_dns: bool,
    /// `--render-subchart-notes`.
    pub sub_notes: bool,
    pub post_renderer: Option<&'a dyn PostRenderer>,
    /// Rewrites container images to a site's registry (installs from a bundle,
    /// [`crate::bundle::install`]): applied after the post-renderer, to the manifests and to every
    /// hook (Helm 3's post-renderer does not see hooks; their images must move too).
    pub image_rewrite: Option<&'a dyn PostRenderer>,
}

/// What a release is made of.
pub struct RenderedRelease {
    /// `---\n# Source: …` documents in install order, post-rendered.
    pub manifest: String,
    pub hooks: Vec<record::Hook>,
    pub notes: String,
    pub chart: record::Chart,
    /// The computed values (chart defaults coalesced with the user's), for `get values -a`.
    pub values: Value,
}

/// Coalesces, validates and renders `chart` (dependencies already processed) for a release.
pub fn render(
    chart: &mut LoadedChart,
    config: &Value,
    release: &ReleaseOptions,
    capabilities: &Capabilities,
    options: &RenderOptions,
) -> Result<RenderedRelease, Error> {
    let values = chart.coalesce(config)?;
    if !options.skip_schema_validation {
        chart.validate_schema(&values)?;
    }
    chart.check_kube_version(capabilities)?;
    let engine = Engine {
        enable_dns: options.enable_dns,
        ..Engine::default()
    };
    let rendered = chart.render(&values, release, capabilities, engine)?;
    let notes = rendered.notes_text(chart.chart.name(), options.sub_notes);
    let sorted = rendered.sort()?;
    let mut manifest = pipeline::manifest_text(&sorted.manifests);
    if let Some(post) = options.post_renderer {
        manifest = post
            .run(&manifest)
            .map_err(|e| Error::msg(format!("error while running post render on files: {e}")))?;
    }
    let mut hooks: Vec<record::Hook> = sorted
        .hooks
        .iter()
        .map(release_record::hook_record)
        .collect();
    if let Some(rewrite) = options.image_rewrite {
        manifest = rewrite.run(&manifest).map_err(Error::msg)?;
        for hook in &mut hooks {
            hook.manifest = rewrite
                .run(&hook.manifest)
                .map_err(|e| Error::msg(format!("hook {}: {e}", hook.path)))?;
        }
    }
    Ok(RenderedRelease {
        manifest,
        hooks,
        notes,
        chart: release_record::chart_record(&chart.chart),
        values,
    })
}
