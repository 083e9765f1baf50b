//! `install`: render a chart against the cluster and create a release. Mirrors `action.Install`
//! (`pkg/action/install.go`, Helm v3.17.3), applying with server-side apply as Helm 4 does:
//!
//! name check → load → dependencies → CRDs from `crds/` → render with the cluster's capabilities →
//! objects built and owned → adoption check → (dry run ends here) → namespace → record
//! `pending-install` → pre-install hooks → apply → wait → post-install hooks → record `deployed`.
//! A failure after the record exists marks it `failed`; with `--atomic` the release is uninstalled.
use std::io::Read;
use std::time::Duration;

use super::apply_method::ServerSide;
use super::deploy;
use super::pipeline;
use super::release_error::Error;
use super::release_steps as steps;
use crate::engine::ReleaseOptions;
use crate::kube::apply::{collect_errors, Applier, ApplyParams};
use crate::kube::object::Object;
use crate::kube::wait::{self, WaitRules};
use crate::release::HookEvent;
use crate::storage::record::{Release, Status};
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
    /// What install and upgrade share.
    pub request: steps::Request<'a>,
    pub skip_crds: bool,
    pub replace: bool,
    pub create_namespace: bool,
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
    let name = &options.request.release_name;
    let steps::Loaded {
        mut chart,
        values: config,
        warnings,
    } = steps::load(name, &options.request.chart, &options.request.values, stdin)?;
    // Helm's `availableName` bails out on a dry run: the name may be in use.
    let previous = if options.request.dry_run.is_dry_run() {
        None
    } else {
        available_name(storage, name, options.replace).await?
    };
    chart.process_dependencies(&config)?;
    if !options.skip_crds && !options.request.dry_run.is_dry_run() {
        install_crds(applier, &chart.chart).await?;
    }
    let release = ReleaseOptions {
        name: name.clone(),
        namespace: options.request.namespace.clone(),
        revision: 1,
        is_install: true,
        is_upgrade: false,
    };
    let rendered = steps::render(
        applier,
        &mut chart,
        &config,
        &release,
        options.request.dry_run,
        &options.request.render,
        options.request.post_renderer,
    )?;
    let mut rel = steps::new_revision(&release, rendered, &config, None, "ssa");
    if options.request.dry_run.is_dry_run() {
        rel.set_status(Status::PendingInstall, "Dry run complete");
        return Ok(Installed {
            release: rel,
            warnings,
        });
    }
    if options.create_namespace {
        create_namespace(applier, &options.request.namespace).await?;
    }
    let objects = deploy::build(
        applier,
        &rel.manifest,
        &options.request.namespace,
        Some(name),
        "release manifest",
    )
    .await?;
    let existed = deploy::check_adoption(
        applier,
        &objects,
        name,
        &options.request.namespace,
        options.request.take_ownership,
    )
    .await
    .map_err(|e| {
        Error::msg(format!(
            "rendered manifests contain a resource that already exists. Unable to continue with install: {e}"
        ))
    })?;
    // As Helm 4, the force flags only matter for objects adopted (a plain install creates).
    let adopting = existed.contains(&true);
    // Helm 4's `--server-side=false`: objects created (`POST`, as a replace of objects that do not
    // exist), recorded `csa`; existing objects adopted get Helm's client-side update, whose
    // original is the new object itself (custom resources: a three-way JSON merge patch with
    // `--take-ownership`, as Helm 4).
    let client_side = options.request.server_side == ServerSide::Off;
    let force_replace = adopting && options.request.force_replace;
    let patch_adopted = client_side && adopting && !force_replace;
    if client_side || force_replace {
        rel.apply_method = "csa".to_string();
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
    let mut record = steps::record_pending(storage, rel, options.request.labels.clone()).await?;
    let phases = steps::Phases {
        before: HookEvent::PreInstall,
        after: HookEvent::PostInstall,
        no_hooks: options.request.no_hooks,
        wait: options.request.wait,
        atomic: options.request.atomic,
        params: ApplyParams {
            force_conflicts: adopting && options.request.force_conflicts,
            replace: (client_side && !patch_adopted) || force_replace,
            client_side: patch_adopted,
            three_way_json: patch_adopted && options.request.take_ownership,
            ..ApplyParams::default()
        },
    };
    // The adoption check read every object: when none exists, none is read again (an adopted
    // one is, for the managed fields a client-side apply may have left).
    let known = deploy::Known {
        exists: (!adopting).then_some(&existed),
        ..deploy::Known::default()
    };
    let deployed = steps::interruptible(async {
        let mut created = Vec::new();
        steps::deploy(
            applier,
            storage,
            &mut record,
            &phases,
            (&[], &objects),
            known,
            &mut created,
        )
        .await?;
        let description = options
            .request
            .description
            .as_deref()
            .unwrap_or("Install complete");
        record.release.set_status(Status::Deployed, description);
        storage.update(&mut record).await?;
        Ok(())
    })
    .await;
    match deployed {
        Ok(()) => Ok(Installed {
            release: record.release,
            warnings,
        }),
        Err(e) => Err(fail(applier, storage, &mut record, &objects, options, e).await),
    }
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
    if let Err(e) = steps::record_failed(storage, record, "Release", &err).await {
        return Error::msg(format!(
            "{err}: and the failed release could not be recorded: {e}"
        ));
    }
    if !options.request.atomic {
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
