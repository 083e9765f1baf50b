//! The steps `install` and `upgrade` share, each as Helm's `action.Install` and `action.Upgrade`
//! take it, so that each command reads as its own short sequence of them:
//!
//! - [`load`]: the release name checked, the chart located and loaded, the user's values read;
//! - [`render`]: the release rendered against the cluster (`lookup` live unless
//!   `--dry-run=client`, `.Capabilities` from discovery);
//! - [`new_revision`]: the record of the new revision, built from the render;
//! - [`record_pending`]: that record stored `pending-*`, with its lock holder;
//! - [`interruptible`]: the work after it, ended by SIGINT/SIGTERM as Helm 3.7+ ends it;
//! - [`deploy`]: hooks before, objects applied, `--wait`, hooks after;
//! - [`record_failed`]: Helm's `failRelease`, the revision marked `failed`.
use std::io::Read;
use std::path::{Path, PathBuf};

use super::apply_method::ServerSide;
use super::chart_source::ValueOptions;
use super::deploy::{self, Resolved};
use super::hooks;
use super::install::{DryRun, WaitOptions};
use super::pipeline::{self, LoadedChart};
use super::release_error::Error;
use super::release_record;
use super::release_render::{self, RenderOptions, RenderedRelease};
use super::template::PostRenderer;
use crate::engine::ReleaseOptions;
use crate::kube::apply::{Applier, ApplyParams};
use crate::kube::lookup::ClusterLookup;
use crate::kube::wait::{self, WaitRules};
use crate::release::HookEvent;
use crate::storage::record::{Info, Release, Status, Time};
use crate::storage::{Record, Storage};
use crate::template::Value;

/// What `install` and `upgrade` are both asked to do.
#[derive(Default)]
pub struct Request<'a> {
    pub release_name: String,
    pub chart: PathBuf,
    pub values: ValueOptions,
    pub namespace: String,
    /// `--description`.
    pub description: Option<String>,
    pub dry_run: DryRun,
    /// `--no-hooks`.
    pub no_hooks: bool,
    pub wait: WaitOptions,
    /// `--atomic` / `--rollback-on-failure`.
    pub atomic: bool,
    /// `--take-ownership`: adopt existing objects whoever owns them.
    pub take_ownership: bool,
    /// `--force` / `--force-replace`: existing objects are replaced whole (`PUT`); on install,
    /// only objects adopted (as Helm 4).
    pub force_replace: bool,
    /// `--force-conflicts`: server-side apply takes over fields other managers own; on install,
    /// only on objects adopted (as Helm 4).
    pub force_conflicts: bool,
    /// `--labels`: on the record's object only (an upgrade merges them with the current ones).
    pub labels: std::collections::BTreeMap<String, String>,
    /// `--no-preflight` (Rudder only): an upgrade skips its server-side dry run of every object and
    /// applies directly, as Helm does (a refusal then fails the upgrade half-way).
    pub no_preflight: bool,
    /// Helm 4's `--server-side`: how objects are sent (see [`ServerSide`]).
    pub server_side: ServerSide,
    pub render: RenderOptions<'a>,
    pub post_renderer: Option<&'a dyn PostRenderer>,
}

/// A chart loaded for a release, with the user's values and the chart's warnings to print.
pub struct Loaded {
    pub chart: LoadedChart,
    /// The values of `-f`, `--set` and the like, merged.
    pub values: Value,
    pub warnings: Vec<String>,
}

/// The release name checked, the chart located, the user's values read (from standard input
/// too), the chart loaded and checked to be installable with its dependencies present.
pub fn load(
    name: &str,
    chart: &Path,
    values: &ValueOptions,
    stdin: &mut dyn Read,
) -> Result<Loaded, Error> {
    super::release_name::validate(name).map_err(|e| Error::msg(e.to_string()))?;
    let path = pipeline::locate(&chart.display().to_string())?;
    let values = pipeline::user_values(values, stdin)?;
    let chart = pipeline::load(&path)?;
    let warnings = chart.check_installable()?;
    chart.check_dependencies()?;
    Ok(Loaded {
        chart,
        values,
        warnings,
    })
}

/// Renders `chart` (dependencies processed) for `release` with the cluster's capabilities;
/// `lookup` reads the live cluster unless the dry run is client-side.
pub fn render(
    applier: &Applier,
    chart: &mut LoadedChart,
    config: &Value,
    release: &ReleaseOptions,
    dry_run: DryRun,
    options: &RenderOptions<'_>,
    post_renderer: Option<&dyn PostRenderer>,
) -> Result<RenderedRelease, Error> {
    if dry_run != DryRun::Client {
        chart.set_lookup(std::rc::Rc::new(ClusterLookup::new(
            applier.client().clone(),
            applier.resources(),
        )));
    }
    let options = RenderOptions {
        skip_schema_validation: options.skip_schema_validation,
        enable_dns: options.enable_dns,
        sub_notes: options.sub_notes,
        post_renderer,
        image_rewrite: options.image_rewrite,
    };
    release_render::render(chart, config, release, &applier.capabilities(), &options)
}

/// The record of a new revision made of `rendered` (status not set yet). `first_deployed` is the
/// release's first deployment (`None` for a new release: now).
pub fn new_revision(
    release: &ReleaseOptions,
    rendered: RenderedRelease,
    config: &Value,
    first_deployed: Option<Time>,
    apply_method: &str,
) -> Release {
    let now = Time::now();
    Release {
        name: release.name.clone(),
        namespace: release.namespace.clone(),
        chart: Some(rendered.chart),
        config: release_record::values_json(config),
        manifest: rendered.manifest,
        hooks: rendered.hooks,
        version: release.revision,
        info: Some(Info {
            first_deployed: first_deployed.unwrap_or_else(|| now.clone()),
            last_deployed: now,
            notes: rendered.notes,
            ..Info::default()
        }),
        apply_method: apply_method.to_string(),
        ..Release::default()
    }
}

/// Stores `release` (already `pending-*`) with the record's `labels` and this process as the
/// holder of the pending lock (shown by `rudder status`, freed by `rudder release-lock`).
pub async fn record_pending(
    storage: &Storage,
    release: Release,
    labels: std::collections::BTreeMap<String, String>,
) -> Result<Record, Error> {
    let mut record = Record::new(release);
    record.labels = labels;
    record.holder = Some(crate::storage::LockHolder::current());
    storage.create(&mut record).await?;
    Ok(record)
}

/// Runs `work`, ended by SIGINT or SIGTERM with Helm's `context canceled`.
pub async fn interruptible<T>(
    work: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    tokio::select! {
        r = work => r,
        () = super::interrupt::interrupted() => Err(Error::msg(super::interrupt::CANCELED)),
    }
}

/// How [`deploy`] runs: the hook events around the apply, and waiting.
pub struct Phases {
    pub before: HookEvent,
    pub after: HookEvent,
    pub no_hooks: bool,
    pub wait: WaitOptions,
    /// `--atomic`: waits even without `--wait`.
    pub atomic: bool,
    /// How objects are sent (forced, replaced).
    pub params: ApplyParams,
}

/// Hooks before, `target` applied (what only `current` has deleted), `--wait`, hooks after.
/// Objects this creates are added to `created` as soon as they are (for `--cleanup-on-fail`, also
/// when a later step fails).
pub async fn deploy(
    applier: &Applier,
    storage: &Storage,
    record: &mut Record,
    phases: &Phases,
    (current, target): (&[Resolved], &[Resolved]),
    known: deploy::Known<'_>,
    created: &mut Vec<Resolved>,
) -> Result<(), Error> {
    let timeout = phases.wait.timeout;
    if !phases.no_hooks {
        hooks::run(applier, storage, record, phases.before, timeout).await?;
    }
    let updated = deploy::update(applier, current, target, phases.params, known).await?;
    created.extend(updated.created);
    if phases.wait.wait || phases.atomic {
        let rules = WaitRules {
            jobs: phases.wait.wait_for_jobs,
            hooks: false,
        };
        wait::wait_ready(
            applier,
            target,
            rules,
            timeout,
            &mut *crate::kube::progress::reporter(),
        )
        .await?;
    }
    if !phases.no_hooks {
        hooks::run(applier, storage, record, phases.after, timeout).await?;
    }
    Ok(())
}

/// Helm's `failRelease`: the revision marked `failed` with `"<what> "<name>" failed: …"`
/// (`Release` for an install, `Upgrade` for an upgrade), written as soon as the cluster answers
/// again (for up to a minute), so that an operation the API server's absence ended still gets its
/// record.
pub async fn record_failed(
    storage: &Storage,
    record: &mut Record,
    what: &str,
    err: &Error,
) -> Result<(), crate::storage::Error> {
    let name = record.release.name.clone();
    record.release.set_status(
        Status::Failed,
        &format!(
            "{what} {name:?} failed: {}",
            super::release_error::description_text(err)
        ),
    );
    storage
        .update_when_reachable(record, std::time::Duration::from_secs(60))
        .await
}
