//! `rollback`: a new revision that copies an earlier one (chart, values, manifest, hooks) without
//! rendering again. Mirrors `action.Rollback` (`pkg/action/rollback.go`, Helm v3.17.3): record the
//! new revision `pending-rollback` ("Rollback to N"), pre-rollback hooks, apply the old manifest
//! (deleting what it lacks), wait, post-rollback hooks, supersede every deployed revision, record the
//! new one `deployed`. A failed apply marks the new revision `failed` and the previous `superseded`.
//!
//! An object of the target revision that the current revision lacks but that exists (re-created by
//! hand, or kept by `helm.sh/resource-policy: keep` when a later revision dropped it) fails the
//! rollback, as in Helm 3.17 and 4 (`no ConfigMap with the name "a" found`: Helm looks for the
//! object's original in the current manifest); Rudder fails it before any object is changed,
//! where Helm has already updated the objects it visited first.
use super::apply_method::{self, ServerSide};
use super::deploy;
use super::deploy::Resolved;
use super::hooks;
use super::install::WaitOptions;
use super::release_error::Error;
use crate::kube::apply::Applier;
use crate::kube::wait::{self, WaitRules};
use crate::release::HookEvent;
use crate::storage::record::{Info, Release, Status, Time};
use crate::storage::{Record, Storage};

/// What `rudder rollback` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct RollbackOptions {
    pub release_name: String,
    /// 0: the revision before the last.
    pub revision: i64,
    pub wait: WaitOptions,
    pub no_hooks: bool,
    pub cleanup_on_fail: bool,
    /// `--force` / `--force-replace`: existing objects are replaced whole (`PUT`).
    pub force_replace: bool,
    /// `--force-conflicts`: server-side apply takes over fields other managers own.
    pub force_conflicts: bool,
    /// Helm 4's `--server-side` (`auto`: the target revision's method).
    pub server_side: ServerSide,
    pub description: Option<String>,
}

/// Runs `rollback`; returns the new revision.
pub async fn run(
    applier: &Applier,
    storage: &Storage,
    options: &RollbackOptions,
) -> Result<Release, Error> {
    let name = &options.release_name;
    super::release_name::validate(name).map_err(|e| Error::msg(e.to_string()))?;
    let mut current = storage.last(name).await.map_err(|e| match e {
        crate::storage::Error::NoRevision(_) => crate::storage::Error::NotFound.into(),
        e => Error::from(e),
    })?;
    let previous_version = if options.revision > 0 {
        options.revision
    } else {
        current.release.version - 1
    };
    if previous_version <= 0 {
        return Err(Error::msg(format!(
            "release has no {previous_version} version"
        )));
    }
    let previous = storage
        .get(name, previous_version)
        .await
        .map_err(|e| match e {
            crate::storage::Error::NotFound => {
                Error::msg(format!("release has no {previous_version} version"))
            }
            e => e.into(),
        })?;
    let previous = previous.release;
    let plan = apply_method::plan(
        options.server_side,
        options.force_replace,
        options.force_conflicts,
        &[&current.release, &previous],
    )?;
    let current_info = current.release.info.clone().unwrap_or_default();
    let mut target = Release {
        name: name.clone(),
        namespace: current.release.namespace.clone(),
        chart: previous.chart.clone(),
        config: previous.config.clone(),
        manifest: previous.manifest.clone(),
        hooks: previous.hooks.clone(),
        version: current.release.version + 1,
        info: Some(Info {
            first_deployed: current_info.first_deployed.clone(),
            last_deployed: Time::now(),
            notes: previous
                .info
                .as_ref()
                .map(|i| i.notes.clone())
                .unwrap_or_default(),
            ..Info::default()
        }),
        apply_method: plan.method.to_string(),
        ..Release::default()
    };
    let description = options
        .description
        .clone()
        .unwrap_or_else(|| format!("Rollback to {previous_version}"));
    target.set_status(Status::PendingRollback, &description);
    let namespace = target.namespace.clone();
    let current_objects = deploy::build(
        applier,
        &current.release.manifest,
        &namespace,
        None,
        "current release manifest",
    )
    .await?;
    let target_objects = deploy::build(
        applier,
        &target.manifest,
        &namespace,
        Some(name),
        "new release manifest",
    )
    .await?;
    let mut record = Record::new(target);
    record.labels = current.labels.clone();
    // Who holds the pending lock (shown by `rudder status`, freed by `rudder release-lock`).
    record.holder = Some(crate::storage::LockHolder::current());
    storage.create(&mut record).await?;
    let timeout = options.wait.timeout;
    if !options.no_hooks {
        hooks::run(
            applier,
            storage,
            &mut record,
            HookEvent::PreRollback,
            timeout,
        )
        .await?;
    }
    let params = plan.params;
    let both_ssa = current.release.apply_method == "ssa" && previous.apply_method == "ssa";
    let applied = async {
        // Only the target's objects the current revision lacks are read: an existing one fails
        // the rollback, as in Helm, but before anything changes.
        let exists = deploy::existing(applier, &current_objects, &target_objects).await?;
        refuse_unrecorded(&current_objects, &target_objects, &exists)?;
        // Both revisions applied server-side: no managed fields to move, and the current
        // revision's objects exist.
        // Every object is read, and those an apply would not change are not sent.
        let known = deploy::Known {
            exists: both_ssa.then_some(exists.as_slice()),
            skip_unchanged: true,
            ..deploy::Known::default()
        };
        deploy::update(applier, &current_objects, &target_objects, params, known).await?;
        Ok::<(), Error>(())
    }
    .await;
    match applied {
        Ok(()) => {}
        Err(e) => {
            let msg = format!(
                "Rollback {name:?} failed: {}",
                super::release_error::description_text(&e)
            );
            let kept = current_info.description.clone();
            current.release.set_status(Status::Superseded, &kept);
            record.release.set_status(Status::Failed, &msg);
            storage.update(&mut current).await?;
            storage.update(&mut record).await?;
            return Err(e);
        }
    }
    if options.wait.wait {
        let rules = WaitRules {
            jobs: options.wait.wait_for_jobs,
            hooks: false,
        };
        if let Err(e) = wait::wait_ready(
            applier,
            &target_objects,
            rules,
            timeout,
            &mut *crate::kube::progress::reporter(),
        )
        .await
        {
            let msg = format!(
                "Release {name:?} failed: {}",
                super::release_error::description_text(&e)
            );
            record.release.set_status(Status::Failed, &msg);
            storage.update(&mut record).await?;
            return Err(e.into());
        }
    }
    if !options.no_hooks {
        hooks::run(
            applier,
            storage,
            &mut record,
            HookEvent::PostRollback,
            timeout,
        )
        .await?;
    }
    // Supersede every deployed revision (helm/helm#2941).
    for mut deployed in storage.deployed_all(name).await.unwrap_or_default() {
        if deployed.release.version == record.release.version {
            continue;
        }
        let description = deployed
            .release
            .info
            .as_ref()
            .map(|i| i.description.clone())
            .unwrap_or_default();
        deployed
            .release
            .set_status(Status::Superseded, &description);
        storage.update(&mut deployed).await?;
    }
    record.release.set_status(Status::Deployed, &description);
    storage.update(&mut record).await?;
    Ok(record.release)
}

/// Helm's rollback finds no original for an object the current revision lacks when it exists:
/// the error for the first such object of `target` (`exists`: whether each one does).
fn refuse_unrecorded(
    current: &[Resolved],
    target: &[Resolved],
    exists: &[bool],
) -> Result<(), Error> {
    let recorded: std::collections::HashSet<_> = current.iter().map(|(o, _)| o.key()).collect();
    match target
        .iter()
        .zip(exists)
        .find(|((o, _), exists)| **exists && !recorded.contains(&o.key()))
    {
        Some(((object, _), _)) => Err(Error::msg(format!(
            "no {} with the name {:?} found",
            object.kind, object.name
        ))),
        None => Ok(()),
    }
}
