//! `uninstall`: delete a release's objects and its records. Mirrors `action.Uninstall`
//! (`pkg/action/uninstall.go`, Helm v3.17.3): the last revision becomes `uninstalling`, pre-delete
//! hooks run, the record is updated, the manifest's objects are deleted in uninstall order (those
//! annotated `helm.sh/resource-policy: keep` stay), `--wait` waits for them to be gone, post-delete
//! hooks run, and then every revision is purged, or with `--keep-history` the last one is recorded
//! `uninstalled` ("Uninstallation complete").
//!
//! When deleting objects fails, Helm's `failed to delete release: NAME` is returned and the record
//! stays `uninstalling` ("Deletion in progress (or silently failed)"), as in Helm 3.17 and 4.1: no
//! revision is purged, and running `uninstall` again retries. Helm logs the failed deletions only with
//! `--debug`; Rudder lists them under that first line (kind, name and the server's reason).
use std::time::Duration;

use kube::api::PropagationPolicy;

use super::deploy;
use super::hooks;
use super::release_error::Error;
use crate::kube::apply::Applier;
use crate::release::HookEvent;
use crate::storage::record::{Status, Time};
use crate::storage::Storage;

/// What `rudder uninstall` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct UninstallOptions {
    pub release_name: String,
    pub keep_history: bool,
    pub no_hooks: bool,
    pub wait: bool,
    pub timeout: Duration,
    pub description: Option<String>,
    /// `--ignore-not-found`.
    pub ignore_not_found: bool,
    /// `--cascade`: the deletion propagation policy (`None`: background, Helm's default).
    pub cascade: Option<PropagationPolicy>,
}

/// Helm's `parseCascadingFlag`: `orphan`, `foreground`, else background (an unknown value too).
pub fn cascade_policy(flag: &str) -> PropagationPolicy {
    match flag {
        "orphan" => PropagationPolicy::Orphan,
        "foreground" => PropagationPolicy::Foreground,
        _ => PropagationPolicy::Background,
    }
}

/// What happened.
#[derive(Debug, Default)]
pub struct Uninstalled {
    /// Helm's `These resources were kept due to the resource policy:` list (`[Kind] name` lines),
    /// empty when nothing was kept.
    pub kept: String,
    /// The release was not there and `--ignore-not-found` was given.
    pub not_found: bool,
}

/// Runs `uninstall`.
pub async fn run(
    applier: &Applier,
    storage: &Storage,
    options: &UninstallOptions,
) -> Result<Uninstalled, Error> {
    let name = &options.release_name;
    super::release_name::validate(name)
        .map_err(|e| Error::msg(format!("uninstall: Release name is invalid: {name}: {e}")))?;
    let history = match storage.history(name).await {
        Ok(h) if !h.is_empty() => h,
        Ok(_) | Err(crate::storage::Error::NotFound) => {
            if options.ignore_not_found {
                return Ok(Uninstalled {
                    not_found: true,
                    ..Uninstalled::default()
                });
            }
            return Err(Error::msg(format!(
                "uninstall: Release not loaded: {name}: release: not found"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let versions: Vec<i64> = history.iter().map(|r| r.release.version).collect();
    let mut record = history
        .into_iter()
        .max_by_key(|r| r.release.version)
        .expect("history is not empty");
    if record.release.status() == Status::Uninstalled {
        if !options.keep_history {
            purge(storage, name, &versions).await?;
            return Ok(Uninstalled::default());
        }
        return Err(Error::msg(format!(
            "the release named {name:?} is already deleted"
        )));
    }
    record.release.set_status(
        Status::Uninstalling,
        "Deletion in progress (or silently failed)",
    );
    if let Some(info) = record.release.info.as_mut() {
        info.deleted = Time::now();
    }
    if !options.no_hooks {
        hooks::run(
            applier,
            storage,
            &mut record,
            HookEvent::PreDelete,
            options.timeout,
        )
        .await?;
    }
    storage.update(&mut record).await?;
    let namespace = record.release.namespace.clone();
    let objects = deploy::build(
        applier,
        &record.release.manifest,
        &namespace,
        None,
        "release manifest",
    )
    .await?;
    let deleted = deploy::delete_with(applier, objects, options.cascade.clone())
        .await
        .map_err(|e| Error::msg(format!("failed to delete release: {name}\n{e}")))?;
    let mut kept = String::new();
    if !deleted.kept.is_empty() {
        kept.push_str("These resources were kept due to the resource policy:\n");
        for (object, _) in &deleted.kept {
            kept.push_str(&format!("[{}] {}\n", object.kind, object.name));
        }
    }
    if options.wait {
        hooks::wait_deleted(applier, &deleted.deleted, options.timeout).await?;
    }
    if !options.no_hooks {
        hooks::run(
            applier,
            storage,
            &mut record,
            HookEvent::PostDelete,
            options.timeout,
        )
        .await?;
    }
    let description = options
        .description
        .clone()
        .unwrap_or_else(|| "Uninstallation complete".to_string());
    record.release.set_status(Status::Uninstalled, &description);
    if !options.keep_history {
        purge(storage, name, &versions).await?;
        return Ok(Uninstalled {
            kept,
            not_found: false,
        });
    }
    storage.update(&mut record).await?;
    Ok(Uninstalled {
        kept,
        not_found: false,
    })
}

async fn purge(storage: &Storage, name: &str, versions: &[i64]) -> Result<(), Error> {
    for &v in versions {
        storage.delete(name, v).await?;
    }
    Ok(())
}
