//! `install`: render a chart against the cluster and create a release. Mirrors `action.Install`
//! (`pkg/action/install.go`, Helm v3.17.3), applying with server-side apply as Helm 4 does:
//!
//! name check → load → dependencies → CRDs from `crds/` → render with the cluster's capabilities →
//! objects built and owned → adoption check → (dry run ends here) → namespace → record
//! `pending-install` → pre-install hooks → apply → wait → post-install hooks → record `deployed`.
//! A failure after the record exists marks it `failed`; with `--atomic` the release is uninstalled.
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use super::chart_source::ValueOptions;
use super::deploy;
use super::hooks;
use super::pipeline;
use super::release_error::Error;
use super::release_record;
use super::release_render::{self, RenderOptions};
use super::template::PostRenderer;
use crate::engine::ReleaseOptions;
use crate::kube::apply::{collect_errors, Applier, ApplyParams};
use crate::kube::lookup::ClusterLookup;
use crate::kube::object::Object;
use crate::kube::wait::{self, WaitRules};
use crate::release::HookEvent;
use crate::storage::record::{Info, Release, Status, Time};
use crate::storage::{Record, Storage};

/// `--dry-run`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DryRun {
    #[default]
    None,
    Client,
    Server,
}

impl DryRun {
    /// Helm's values: `none`/`false` (no dry run), `client`/`true`, `server`.
    pub fn parse(text: &str) -> Result<DryRun, String> {
        match text {
            "" | "none" | "false" => Ok(DryRun::None),
            "client" | "true" => Ok(DryRun::Client),
            "server" => Ok(DryRun::Server),
            _ => Err("Invalid dry-run flag. Flag must one of the following: false, true, none, client, server".into()),
        }
    }

    pub fn is_dry_run(self) -> bool {
        self != DryRun::None
    }
}

/// Waiting after applying.
#[derive(Debug, Clone, Copy, Default)]
pub struct WaitOptions {
    /// `--wait`.
    pub wait: bool,
    /// `--wait-for-jobs`.
    pub wait_for_jobs: bool,
    /// `--timeout` (Helm's default is 5m0s).
    pub timeout: Duration,
}

/// What `rudder install` was asked to do.
#[derive(Default)]
pub struct InstallOptions<'a> {
    pub release_name: String,
    pub chart: PathBuf,
    pub values: ValueOptions,
    pub namespace: String,
    pub description: Option<String>,
    pub dry_run: DryRun,
    pub no_hooks: bool,
    pub skip_crds: bool,
    pub replace: bool,
    pub create_namespace: bool,
    pub wait: WaitOptions,
    /// `--atomic` / `--rollback-on-failure`.
    pub atomic: bool,
    pub take_ownership: bool,
    /// `--force-replace` (Helm 4; `--force`): adopted objects are replaced whole (`PUT`).
    pub force_replace: bool,
    /// `--force-conflicts` (Helm 4): adopted objects' fields other managers own are taken over.
    pub force_conflicts: bool,
    /// `--labels`: stored on the record's object only.
    pub labels: BTreeMap<String, String>,
    pub render: RenderOptions<'a>,
    pub post_renderer: Option<&'a dyn PostRenderer>,
}

/// The outcome: the release as stored (or as it would be, for a dry run), and warnings to print.
pub struct Installed {
    pub release: Release,
    pub warnings: Vec<String>,
}

/// Runs `install`.
pub async fn run(
    applier: &Applier,
    storage: &Storage,
    options: &InstallOptions<'_>,
    stdin: &mut dyn Read,
) -> Result<Installed, Error> {
    let name = &options.release_name;
    super::release_name::validate(name).map_err(|e| Error::msg(e.to_string()))?;
    let path = pipeline::locate(&options.chart.display().to_string())?;
    let config = pipeline::user_values(&options.values, stdin)?;
    let mut chart = pipeline::load(&path)?;
    let warnings = chart.check_installable()?;
    chart.check_dependencies()?;
    // Helm's `availableName` bails out on a dry run: the name may be in use.
    let previous = if options.dry_run.is_dry_run() {
        None
    } else {
        available_name(storage, name, options.replace).await?
    };
    chart.process_dependencies(&config)?;
    if !options.skip_crds && !options.dry_run.is_dry_run() {
        install_crds(applier, &chart.chart).await?;
    }
    if options.dry_run != DryRun::Client {
        chart.set_lookup(std::rc::Rc::new(ClusterLookup::new(
            applier.client().clone(),
            applier.resources(),
        )));
    }
    let release = ReleaseOptions {
        name: name.clone(),
        namespace: options.namespace.clone(),
        revision: 1,
        is_install: true,
        is_upgrade: false,
    };
    let render_options = RenderOptions {
        post_renderer: options.post_renderer,
        ..clone_render(&options.render)
    };
    let rendered = release_render::render(
        &mut chart,
        &config,
        &release,
        &applier.capabilities(),
        &render_options,
    )?;
    let now = Time::now();
    let mut rel = Release {
        name: name.clone(),
        namespace: options.namespace.clone(),
        chart: Some(rendered.chart),
        config: release_record::values_json(&config),
        manifest: rendered.manifest,
        hooks: rendered.hooks,
        version: 1,
        info: Some(Info {
            first_deployed: now.clone(),
            last_deployed: now,
            notes: rendered.notes,
            ..Info::default()
        }),
        apply_method: "ssa".to_string(),
        ..Release::default()
    };
    if options.dry_run.is_dry_run() {
        rel.set_status(Status::PendingInstall, "Dry run complete");
        return Ok(Installed {
            release: rel,
            warnings,
        });
    }
    if options.create_namespace {
        create_namespace(applier, &options.namespace).await?;
    }
    let objects = deploy::build(
        applier,
        &rel.manifest,
        &options.namespace,
        Some(name),
        "release manifest",
    )
    .await?;
    let existed = deploy::check_adoption(
        applier,
        &objects,
        name,
        &options.namespace,
        options.take_ownership,
    )
    .await
    .map_err(|e| {
        Error::msg(format!(
            "rendered manifests contain a resource that already exists. Unable to continue with install: {e}"
        ))
    })?;
    // As Helm 4, the force flags only matter for objects adopted (a plain install creates).
    let adopting = existed.contains(&true);
    if adopting && options.force_replace {
        rel.apply_method = super::upgrade::apply_method(true).to_string();
    }
    if let Some(mut last) = previous {
        // `--replace`: the name's last revision gives way (marked superseded unless it failed).
        if last.release.status() != Status::Failed {
            last.release.set_status(
                Status::Superseded,
                &last
                    .release
                    .info
                    .as_ref()
                    .map(|i| i.description.clone())
                    .unwrap_or_default(),
            );
            storage.update(&mut last).await?;
        }
        rel.version = last.release.version + 1;
    }
    rel.set_status(Status::PendingInstall, "Initial install underway");
    let mut record = Record::new(rel);
    record.labels = options.labels.clone();
    // Who holds the pending lock (shown by `rudder status`, freed by `rudder release-lock`).
    record.holder = Some(crate::storage::LockHolder::current());
    storage.create(&mut record).await?;

    let result = tokio::select! {
        r = perform(applier, storage, &mut record, &objects, &existed, options) => r,
        () = super::interrupt::interrupted() => Err(Error::msg(super::interrupt::CANCELED)),
    };
    match result {
        Ok(()) => Ok(Installed {
            release: record.release,
            warnings,
        }),
        Err(e) => Err(fail(applier, storage, &mut record, &objects, options, e).await),
    }
}

/// Hooks, apply, wait, hooks, `deployed`.
async fn perform(
    applier: &Applier,
    storage: &Storage,
    record: &mut Record,
    objects: &[deploy::Resolved],
    existed: &[bool],
    options: &InstallOptions<'_>,
) -> Result<(), Error> {
    let timeout = options.wait.timeout;
    if !options.no_hooks {
        hooks::run(applier, storage, record, HookEvent::PreInstall, timeout).await?;
    }
    // The adoption check read every object: when none exists, none is read again (an adopted
    // one is, for the managed fields a client-side apply may have left).
    let adopting = existed.contains(&true);
    let known = (!adopting).then_some(existed);
    let params = ApplyParams {
        force_conflicts: adopting && options.force_conflicts,
        replace: adopting && options.force_replace,
        ..ApplyParams::default()
    };
    let known = deploy::Known {
        exists: known,
        ..deploy::Known::default()
    };
    deploy::update(applier, &[], objects, params, known).await?;
    if options.wait.wait || options.atomic {
        let rules = WaitRules {
            jobs: options.wait.wait_for_jobs,
            hooks: false,
        };
        wait::wait_ready(
            applier,
            objects,
            rules,
            timeout,
            &mut *crate::kube::progress::reporter(),
        )
        .await?;
    }
    if !options.no_hooks {
        hooks::run(applier, storage, record, HookEvent::PostInstall, timeout).await?;
    }
    let description = options
        .description
        .clone()
        .unwrap_or_else(|| "Install complete".to_string());
    record.release.set_status(Status::Deployed, &description);
    storage.update(record).await?;
    Ok(())
}

/// Helm's `failRelease`: the record says `failed`; with `--atomic` the release is uninstalled.
async fn fail(
    applier: &Applier,
    storage: &Storage,
    record: &mut Record,
    objects: &[deploy::Resolved],
    options: &InstallOptions<'_>,
    err: Error,
) -> Error {
    let name = record.release.name.clone();
    record.release.set_status(
        Status::Failed,
        &format!(
            "Release {name:?} failed: {}",
            super::release_error::description_text(&err)
        ),
    );
    if let Err(e) = storage
        .update_when_reachable(record, std::time::Duration::from_secs(60))
        .await
    {
        return Error::msg(format!(
            "{err}: and the failed release could not be recorded: {e}"
        ));
    }
    if !options.atomic {
        return err;
    }
    let uninstalled = async {
        deploy::delete(applier, objects.to_vec()).await?;
        for rec in storage.history(&name).await? {
            storage.delete(&name, rec.release.version).await?;
        }
        Ok::<(), Error>(())
    }
    .await;
    match uninstalled {
        Ok(()) => Error::msg(format!(
            "release {name} failed, and has been uninstalled due to atomic being set: {err}"
        )),
        Err(e) => Error::msg(format!(
            "an error occurred while uninstalling the release. original install error: {err}: {e}"
        )),
    }
}

/// Helm's `availableName`: the name must be free, or with `--replace` its last revision
/// `uninstalled` or `failed` (returned, to be superseded).
async fn available_name(
    storage: &Storage,
    name: &str,
    replace: bool,
) -> Result<Option<Record>, Error> {
    let last = match storage.last(name).await {
        Ok(last) => last,
        Err(crate::storage::Error::NotFound | crate::storage::Error::NoRevision(_)) => {
            return Ok(None)
        }
        Err(e) => return Err(e.into()),
    };
    if replace && matches!(last.release.status(), Status::Uninstalled | Status::Failed) {
        return Ok(Some(last));
    }
    Err(Error::msg("cannot re-use a name that is still in use"))
}

/// Creates the chart's CRDs (`crds/` of the chart and its subcharts) that do not exist yet, waits
/// until they are established, and reads discovery again.
pub async fn install_crds(applier: &Applier, chart: &crate::chart::Chart) -> Result<(), Error> {
    let crds = pipeline::crd_objects(chart);
    if crds.is_empty() {
        return Ok(());
    }
    let mut objects = Vec::new();
    for (name, text) in &crds {
        for doc in crate::release::split_manifests(text) {
            let Some(mut object) = Object::from_yaml(&doc, name)
                .map_err(|e| Error::msg(format!("failed to install CRD {name}: {e}")))?
            else {
                continue;
            };
            let kind = applier
                .resolve(&mut object, "")
                .await
                .map_err(|e| Error::msg(format!("failed to install CRD {name}: {e}")))?;
            objects.push((object, kind));
        }
    }
    let results = applier.create_all(&objects).await;
    let created: Vec<_> = objects
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.is_ok())
        .map(|(o, _)| o.clone())
        .collect();
    collect_errors(
        results
            .into_iter()
            .filter(|r| !matches!(r, Err(e) if e.is_already_exists()))
            .collect(),
    )
    .map_err(|e| Error::msg(format!("failed to install CRD: {e}")))?;
    if !created.is_empty() {
        wait::wait_ready(
            applier,
            &created,
            WaitRules::default(),
            Duration::from_secs(60),
            &mut *crate::kube::progress::reporter(),
        )
        .await?;
    }
    applier.refresh().await?;
    Ok(())
}

/// `--create-namespace`: a Namespace labelled `name=<ns>`, AlreadyExists ignored.
pub async fn create_namespace(applier: &Applier, namespace: &str) -> Result<(), Error> {
    let body = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": namespace, "labels": {"name": namespace}},
    });
    let mut object = Object::from_json(body).map_err(|e| Error::msg(e.to_string()))?;
    let kind = applier.resolve(&mut object, "").await?;
    match applier.create_all(&[(object, kind)]).await.remove(0) {
        Err(e) if !e.is_already_exists() => Err(e.into()),
        _ => Ok(()),
    }
}

fn clone_render<'a>(r: &RenderOptions<'a>) -> RenderOptions<'a> {
    RenderOptions {
        skip_schema_validation: r.skip_schema_validation,
        enable_dns: r.enable_dns,
        sub_notes: r.sub_notes,
        post_renderer: r.post_renderer,
        image_rewrite: r.image_rewrite,
    }
}
