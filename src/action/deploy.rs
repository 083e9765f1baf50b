//! Changing a cluster to match a release: the part `install`, `upgrade`, `rollback` and `uninstall`
//! share. Mirrors Helm's `kube.Client.Build`/`Create`/`Update`/`Delete` as the actions use them
//! (`pkg/action/{install,upgrade,rollback,uninstall,validate}.go`, Helm v3.17.3), with Helm 4's
//! server-side apply:
//!
//! - [`build`]: the objects of a manifest, kinds resolved, namespaces defaulted, ownership set;
//! - [`check_adoption`]: an existing object is taken over only if it already belongs to the
//!   release (or with `--take-ownership`);
//! - [`update`]: objects applied in three waves that keep what Helm's install order protects
//!   (see [`wave`]; the objects of one wave concurrently), then objects the new manifest no longer
//!   has deleted, unless `helm.sh/resource-policy: keep`;
//! - [`delete`]: objects deleted in Helm's uninstall order, `keep` honoured;
//!   With a client-side plan, objects are created or patched as Helm 3 patches them instead
//!   ([`client_side`]: three-way merge patches).
//! - [`preflight`]: every object sent as a server-side dry run first, so that an upgrade the API
//!   server would refuse changes nothing; its answers also tell which objects an apply would not
//!   change, which [`update`] then does not send again.
//! - Objects an apply would not change are not sent at all, neither as dry runs nor applied
//!   ([`Known::skip_unchanged`], [`crate::kube::managed_fields`]): a no-change upgrade or a
//!   rollback to what is live reads the objects and writes only the release records. The cluster
//!   ends as Helm 4 leaves it: the server does not write a no-op apply either.
use std::collections::HashSet;

use kube::api::PropagationPolicy;

use crate::kube::apply::{
    collect_errors, Applier, ApplyParams, Error as ClusterError, FIELD_MANAGER,
};
use crate::kube::client_side;
use crate::kube::discovery::Kind;
use crate::kube::managed_fields;
use crate::kube::object::{self, Object};
use crate::release::INSTALL_ORDER;

/// Helm's `UninstallOrder` (`releaseutil/kind_sorter.go`).
pub const UNINSTALL_ORDER: &[&str] = &[
    "APIService",
    "Ingress",
    "IngressClass",
    "Service",
    "CronJob",
    "Job",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
    "DaemonSet",
    "RoleBindingList",
    "RoleBinding",
    "RoleList",
    "Role",
    "ClusterRoleBindingList",
    "ClusterRoleBinding",
    "ClusterRoleList",
    "ClusterRole",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "ConfigMap",
    "SecretList",
    "Secret",
    "ServiceAccount",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "LimitRange",
    "ResourceQuota",
    "NetworkPolicy",
    "Namespace",
    "PriorityClass",
];

/// An object with its resolved kind.
pub type Resolved = (Object, Kind);

/// A manifest that could not be turned into objects, or a kind the server does not serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unable to build kubernetes objects from {what}: {message}")]
pub struct BuildError {
    /// `release manifest`, `current release manifest`, `new release manifest`.
    pub what: &'static str,
    pub message: String,
}

/// The objects of `manifest`, resolved against the server. With `owner`, each gets Helm's ownership
/// label and annotations (`setMetadataVisitor`).
pub async fn build(
    applier: &Applier,
    manifest: &str,
    namespace: &str,
    owner: Option<&str>,
    what: &'static str,
) -> Result<Vec<Resolved>, BuildError> {
    let fail = |message: String| BuildError { what, message };
    let objects = object::objects_of_manifest(manifest).map_err(|e| fail(e.to_string()))?;
    let mut out = Vec::with_capacity(objects.len());
    for mut object in objects {
        if let Some(release) = owner {
            object.set_owner(release, namespace);
        }
        let kind = applier
            .resolve(&mut object, namespace)
            .await
            .map_err(|e| fail(e.to_string()))?;
        out.push((object, kind));
    }
    Ok(out)
}

/// Helm's `existingResourceConflict`: of `objects`, those that already exist must belong to
/// `release` (or `take_ownership` must be set). Returns the objects that exist (to be adopted).
pub async fn check_adoption(
    applier: &Applier,
    objects: &[Resolved],
    release: &str,
    namespace: &str,
    take_ownership: bool,
) -> Result<Vec<bool>, String> {
    let live = applier.get_all(objects).await;
    let mut exists = Vec::with_capacity(objects.len());
    for ((object, _), live) in objects.iter().zip(live) {
        match live {
            Ok(None) => exists.push(false),
            Ok(Some(live)) => {
                if !take_ownership {
                    if let Some(why) = object::ownership_error(&live, release, namespace) {
                        return Err(format!(
                            "{} exists and cannot be imported into the current release: {why}",
                            object.describe()
                        ));
                    }
                }
                exists.push(true);
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(exists)
}

/// Whether each object of `target` exists, reading only those not in `current` (a revision
/// applied server-side, whose objects exist; one deleted by hand since is re-created by the apply
/// all the same).
pub async fn existing(
    applier: &Applier,
    current: &[Resolved],
    target: &[Resolved],
) -> Result<Vec<bool>, ClusterError> {
    let known: HashSet<_> = current.iter().map(|(o, _)| o.key()).collect();
    let others: Vec<Resolved> = target
        .iter()
        .filter(|(o, _)| !known.contains(&o.key()))
        .cloned()
        .collect();
    let mut live = collect_errors(applier.get_all(&others).await)?.into_iter();
    Ok(target
        .iter()
        .map(|(o, _)| known.contains(&o.key()) || live.next().flatten().is_some())
        .collect())
}

/// Splits objects into runs of one kind, in the order given (already install order).
fn runs_of_kind(objects: &[Resolved]) -> Vec<&[Resolved]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=objects.len() {
        if i == objects.len() || objects[i].0.kind != objects[start].0.kind {
            if i > start {
                runs.push(&objects[start..i]);
            }
            start = i;
        }
    }
    runs
}

/// Which of the three apply waves a kind belongs to. Helm applies kind by kind; what that order
/// protects is that an object exists before anything admitted after it depends on it: the
/// namespace, priority class, storage, CRD, service account and quotas a Pod or claim is admitted
/// against (wave 0); the configuration, claims, RBAC and Services a Pod reads when it starts
/// (Service links are injected into a Pod's environment at creation) (wave 1); then every
/// workload and anything else, custom resources included (wave 2). Objects of one wave do not
/// depend on each other at admission, so each wave is applied at once, in three round trips
/// instead of one per kind.
pub fn wave(kind: &str) -> usize {
    match kind {
        "PriorityClass"
        | "Namespace"
        | "StorageClass"
        | "PersistentVolume"
        | "CustomResourceDefinition"
        | "ServiceAccount"
        | "ResourceQuota"
        | "LimitRange" => 0,
        "NetworkPolicy"
        | "PodSecurityPolicy"
        | "PodDisruptionBudget"
        | "Secret"
        | "SecretList"
        | "ConfigMap"
        | "PersistentVolumeClaim"
        | "ClusterRole"
        | "ClusterRoleList"
        | "ClusterRoleBinding"
        | "ClusterRoleBindingList"
        | "Role"
        | "RoleList"
        | "RoleBinding"
        | "RoleBindingList"
        | "Service" => 1,
        _ => 2,
    }
}

/// `objects` split into their apply waves (see [`wave`]), each in the order given.
fn waves(objects: &[Resolved]) -> Vec<Vec<Resolved>> {
    let mut out: Vec<Vec<Resolved>> = vec![Vec::new(); 3];
    for object in objects {
        out[wave(&object.0.kind)].push(object.clone());
    }
    out.retain(|w| !w.is_empty());
    out
}

/// Objects sorted stably by kind in `order` (unknown kinds last, by name).
pub fn sort_by_kind(objects: &mut [Resolved], order: &[&str]) {
    objects.sort_by(|(a, _), (b, _)| {
        let rank = |k: &str| order.iter().position(|o| *o == k);
        match (rank(&a.kind), rank(&b.kind)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.kind.cmp(&b.kind),
        }
    });
}

/// What [`update`] did.
#[derive(Debug, Default)]
pub struct Updated {
    /// Objects that did not exist before (for `--cleanup-on-fail`).
    pub created: Vec<Resolved>,
    /// Objects of the old manifest that were deleted.
    pub deleted: Vec<Resolved>,
    /// Objects of the old manifest kept by `helm.sh/resource-policy: keep`.
    pub kept: Vec<Resolved>,
}

/// What the caller knows of the objects [`update`] applies, so that nothing is read or sent twice.
#[derive(Debug, Clone, Copy, Default)]
pub struct Known<'a> {
    /// Whether each object of the target exists (the caller read it already, or it belongs to a
    /// revision applied server-side). Given only when no object can need its managed fields moved
    /// from client-side to server-side apply; without it every object is read first: to know which
    /// ones this update creates (for `--cleanup-on-fail`) and which ones a client-side apply (Helm
    /// 3) last wrote.
    pub exists: Option<&'a [bool]>,
    /// For each object of the target, the `resourceVersion` at which the preflight found that
    /// applying it changes nothing (see [`preflight`]); empty when not known. Such an object is
    /// applied only if it changed since (one read of those objects tells).
    pub unchanged: &'a [Option<String>],
    /// Read every object of the target first and do not apply those whose fields owned by field
    /// manager `helm` (operation `Apply`) already are the manifest's, value for value (see
    /// [`crate::kube::managed_fields`]): the server would not change them. Server-side applies
    /// only, and not with `--force-conflicts` or a dry run (then every object is applied).
    pub skip_unchanged: bool,
}

/// Applies `target` and deletes what only `current` has. With `params.replace`, objects are
/// replaced whole instead (see [`Applier::replace_all`]); with `params.client_side`, created or
/// patched as Helm's client-side update (see [`client_side`]).
pub async fn update(
    applier: &Applier,
    current: &[Resolved],
    target: &[Resolved],
    params: ApplyParams,
    known: Known<'_>,
) -> Result<Updated, ClusterError> {
    let mut updated = Updated::default();
    if params.client_side {
        // Helm's three-way merge: wave by wave, objects created or patched.
        for run in waves(target) {
            let results = client_side::update_all(applier, &run, current, params).await;
            for ((object, kind), result) in run.iter().zip(&results) {
                if let Ok(client_side::Sent::Created) = result {
                    updated.created.push((object.clone(), kind.clone()));
                }
            }
            collect_errors(results)?;
        }
    } else if params.replace {
        // Replaced whole: nothing to read first, and no managed fields to move (the `PUT` makes
        // `helm` the owner of everything it sets).
        for run in waves(target) {
            let results = applier.replace_all(&run, params.dry_run).await;
            for ((object, kind), result) in run.iter().zip(&results) {
                if let Ok((_, true)) = result {
                    updated.created.push((object.clone(), kind.clone()));
                }
            }
            collect_errors(results)?;
        }
    } else {
        let skip = known.skip_unchanged && !params.force_conflicts && !params.dry_run;
        // Managed fields move only for a release last applied client-side (no `exists` known).
        let migrate = known.exists.is_none();
        let (todo, live) = if skip {
            // One read of every object tells which ones an apply would not change, which ones
            // exist, and which ones a client-side apply last wrote.
            let live = applier.get_all(target).await;
            let mut todo = Vec::with_capacity(target.len());
            let mut todo_live = Vec::with_capacity(target.len());
            for (i, ((object, kind), live)) in target.iter().zip(live).enumerate() {
                let seen = known.unchanged.get(i).and_then(Option::as_ref);
                let same = match &live {
                    Ok(Some(live)) => {
                        seen.is_some_and(|v| resource_version(live) == Some(v.as_str()))
                            || managed_fields::apply_is_noop(live, &object.body, FIELD_MANAGER)
                    }
                    _ => false,
                };
                if !same {
                    todo.push((object.clone(), kind.clone()));
                    todo_live.push(live);
                }
            }
            (todo, todo_live)
        } else {
            let still = still_unchanged(applier, target, known.unchanged).await;
            let mut todo = Vec::with_capacity(target.len());
            let mut exists = Vec::with_capacity(target.len());
            for (i, object) in target.iter().enumerate() {
                if !still.contains(&i) {
                    todo.push(object.clone());
                    exists.extend(known.exists.and_then(|e| e.get(i).copied()));
                }
            }
            let live = match known.exists {
                Some(_) => exists
                    .iter()
                    .map(|&exists| Ok(exists.then_some(serde_json::Value::Null)))
                    .collect(),
                None => applier.get_all(&todo).await,
            };
            (todo, live)
        };
        apply_waves(applier, &todo, params, live, migrate, &mut updated).await?;
    }
    let wanted: HashSet<_> = target.iter().map(|(o, _)| o.key()).collect();
    let mut stale: Vec<Resolved> = Vec::new();
    let dropped: Vec<Resolved> = current
        .iter()
        .filter(|(o, _)| !wanted.contains(&o.key()))
        .cloned()
        .collect();
    // Helm checks the live object's annotation (the manifest may have been edited since); the
    // dropped objects are read together.
    let live = collect_errors(applier.get_all(&dropped).await)?;
    for ((object, kind), live) in dropped.iter().zip(live) {
        let Some(live) = live else { continue };
        let keep = object::annotation(&live, object::RESOURCE_POLICY_ANNOTATION)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(object::KEEP_POLICY));
        if keep {
            updated.kept.push((object.clone(), kind.clone()));
        } else {
            stale.push((object.clone(), kind.clone()));
        }
    }
    let results = applier.delete_all(&stale, None).await;
    collect_errors(results)?;
    updated.deleted = stale;
    Ok(updated)
}

/// [`update`]'s server-side apply of `target`, wave by wave, after moving the managed fields of
/// objects a client-side apply last wrote (with `migrate`). `live`: each object's live state, or
/// `Null` for one known to exist without being read.
async fn apply_waves(
    applier: &Applier,
    target: &[Resolved],
    params: ApplyParams,
    live: Vec<Result<Option<serde_json::Value>, ClusterError>>,
    migrate: bool,
    updated: &mut Updated,
) -> Result<(), ClusterError> {
    let mut errors = Vec::new();
    let mut existed = HashSet::new();
    let mut migrations = Vec::new();
    for ((object, kind), live) in target.iter().zip(live) {
        match live {
            Ok(Some(live)) => {
                existed.insert(object.key());
                if let Some(fields) = object::migrated_managed_fields(&live).filter(|_| migrate) {
                    let version = live
                        .pointer("/metadata/resourceVersion")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    migrations.push((object, kind, fields, version));
                }
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(collect_errors::<()>(errors.into_iter().map(Err).collect()).unwrap_err());
    }
    // Objects a client-side apply (Helm 3) last wrote: their fields move to server-side apply first
    // (Helm 4's csaupgrade), so that fields the new manifest drops are removed.
    if !params.dry_run {
        let results = futures::future::join_all(migrations.into_iter().map(
            |(object, kind, fields, version)| {
                migrate_managed_fields(applier, object, kind, fields, version)
            },
        ))
        .await;
        collect_errors(results)?;
    }
    for run in waves(target) {
        let results = applier.apply_all(&run, params).await;
        for ((object, kind), result) in run.iter().zip(&results) {
            if result.is_ok() && !existed.contains(&object.key()) {
                updated.created.push((object.clone(), kind.clone()));
            }
        }
        collect_errors(results)?;
    }
    Ok(())
}

/// The indexes of the objects the preflight found unchanged whose `resourceVersion` is still the
/// one it saw (one concurrent read of those objects): applying them would change nothing.
async fn still_unchanged(
    applier: &Applier,
    target: &[Resolved],
    unchanged: &[Option<String>],
) -> HashSet<usize> {
    let seen: Vec<(usize, &String)> = unchanged
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.as_ref().map(|v| (i, v)))
        .filter(|(i, _)| *i < target.len())
        .collect();
    let objects: Vec<Resolved> = seen.iter().map(|(i, _)| target[*i].clone()).collect();
    let live = applier.get_all(&objects).await;
    seen.iter()
        .zip(live)
        .filter(|((_, version), live)| {
            matches!(live, Ok(Some(live)) if resource_version(live) == Some(version.as_str()))
        })
        .map(|((i, _), _)| *i)
        .collect()
}

fn resource_version(live: &serde_json::Value) -> Option<&str> {
    live.pointer("/metadata/resourceVersion")
        .and_then(serde_json::Value::as_str)
}

/// What the preflight found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Each object the API server refuses, with its reason.
    pub refusals: Vec<ClusterError>,
    /// For each object, when compared: the `resourceVersion` at which applying it would change
    /// nothing (see [`Known::unchanged`]).
    pub unchanged: Vec<Option<String>>,
}

/// Sends every object as a server-side dry run of what [`update`] will send with `params` (an
/// apply, forced or not, or a replace) and returns each refusal with the server's reason. With
/// `compare` (an apply), every object is read first: one whose fields owned by `helm` already
/// are the manifest's is not sent at all (an apply of it changes nothing, so the server could only
/// refuse it through an admission webhook or policy that now refuses the unchanged object), and
/// one whose dry-run answer is the live object itself, byte for byte, would not change either (the
/// server does not even write a no-op apply); [`update`] need not send them again.
pub async fn preflight(
    applier: &Applier,
    (current, target): (&[Resolved], &[Resolved]),
    params: ApplyParams,
    compare: bool,
) -> Checked {
    let params = ApplyParams {
        dry_run: true,
        ..params
    };
    if params.client_side {
        // The very patches (and creations) the update will send, as dry runs.
        let results = client_side::update_all(applier, target, current, params).await;
        return Checked {
            refusals: results.into_iter().filter_map(Result::err).collect(),
            unchanged: Vec::new(),
        };
    }
    if params.replace {
        let results = applier.replace_all(target, true).await;
        return Checked {
            refusals: results.into_iter().filter_map(Result::err).collect(),
            unchanged: Vec::new(),
        };
    }
    if !compare {
        let results = applier.apply_all(target, params).await;
        return Checked {
            refusals: results.into_iter().filter_map(Result::err).collect(),
            unchanged: Vec::new(),
        };
    }
    // The live objects first: those whose fields `helm` owns already are the manifest's need no
    // dry run (an apply of them changes nothing, see [`crate::kube::managed_fields`]); the
    // others are sent, and an answer equal to the live object, byte for byte, marks them
    // unchanged too (the server normalised a value the manifest spells otherwise).
    let live = applier.get_all(target).await;
    let noop: Vec<bool> = target
        .iter()
        .zip(&live)
        .map(|((object, _), live)| {
            !params.force_conflicts
                && matches!(live, Ok(Some(live))
                    if managed_fields::apply_is_noop(live, &object.body, FIELD_MANAGER))
        })
        .collect();
    let sent: Vec<Resolved> = target
        .iter()
        .zip(&noop)
        .filter(|(_, noop)| !**noop)
        .map(|(o, _)| o.clone())
        .collect();
    let mut results = applier.apply_all(&sent, params).await.into_iter();
    let mut checked = Checked::default();
    for (noop, live) in noop.into_iter().zip(live) {
        let live = live.ok().flatten();
        if noop {
            let version = live.as_ref().and_then(resource_version);
            checked.unchanged.push(version.map(str::to_string));
            continue;
        }
        match (results.next(), live) {
            (Some(Ok(applied)), Some(live)) if applied == live => {
                checked
                    .unchanged
                    .push(resource_version(&live).map(str::to_string));
            }
            (Some(Err(e)), _) => {
                checked.refusals.push(e);
                checked.unchanged.push(None);
            }
            _ => checked.unchanged.push(None),
        }
    }
    checked
}

/// What [`delete`] did.
#[derive(Debug, Default)]
pub struct Deleted {
    pub deleted: Vec<Resolved>,
    /// Kept by `helm.sh/resource-policy: keep`.
    pub kept: Vec<Resolved>,
}

/// Deletes the objects of a release in uninstall order, keeping those marked `keep` (in the
/// manifest, as Helm's `filterManifestsToKeep`).
pub async fn delete(applier: &Applier, objects: Vec<Resolved>) -> Result<Deleted, ClusterError> {
    delete_with(applier, objects, None).await
}

/// [`delete`] with a deletion propagation policy (`uninstall --cascade`; `None` is background).
pub async fn delete_with(
    applier: &Applier,
    objects: Vec<Resolved>,
    propagation: Option<PropagationPolicy>,
) -> Result<Deleted, ClusterError> {
    let (kept, mut doomed): (Vec<_>, Vec<_>) = objects.into_iter().partition(|(o, _)| o.keep());
    sort_by_kind(&mut doomed, UNINSTALL_ORDER);
    let mut errors = Vec::new();
    for run in runs_of_kind(&doomed) {
        errors.extend(
            applier
                .delete_all(run, propagation.clone())
                .await
                .into_iter()
                .filter_map(Result::err),
        );
    }
    if !errors.is_empty() {
        return Err(collect_errors::<()>(errors.into_iter().map(Err).collect()).unwrap_err());
    }
    Ok(Deleted {
        deleted: doomed,
        kept,
    })
}

/// Moves a live object's client-side managed fields to server-side apply, conditional on its
/// `resourceVersion`. Controllers write the objects too (a Deployment's status, say): when the
/// object changed since it was read (409), it is read again and the move recomputed, a few times.
async fn migrate_managed_fields(
    applier: &Applier,
    object: &Object,
    kind: &Kind,
    mut fields: serde_json::Value,
    mut version: String,
) -> Result<(), ClusterError> {
    const ATTEMPTS: usize = 5;
    for attempt in 1..=ATTEMPTS {
        match applier
            .set_managed_fields(object, kind, fields, &version)
            .await
        {
            Err(ClusterError::Api(failure)) if failure.code == 409 && attempt < ATTEMPTS => {
                let Some(live) = applier.get(object, kind).await? else {
                    return Ok(());
                };
                let Some(again) = object::migrated_managed_fields(&live) else {
                    return Ok(());
                };
                fields = again;
                version = live
                    .pointer("/metadata/resourceVersion")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string();
            }
            other => return other,
        }
    }
    Ok(())
}

/// Objects sorted into install order (for manifests not written by the sorter).
pub fn install_order(objects: &mut [Resolved]) {
    sort_by_kind(objects, INSTALL_ORDER);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waves_keep_what_install_order_protects() {
        let workloads = INSTALL_ORDER
            .iter()
            .position(|k| *k == "DaemonSet")
            .unwrap();
        for (i, kind) in INSTALL_ORDER.iter().enumerate() {
            // Everything Helm applies before workloads comes in an earlier wave than workloads.
            assert_eq!(wave(kind) == 2, i >= workloads, "{kind}");
        }
        // What Pods and claims are admitted against comes before what they read at start.
        for first in [
            "Namespace",
            "PriorityClass",
            "ServiceAccount",
            "StorageClass",
            "LimitRange",
        ] {
            assert!(wave(first) < wave("PersistentVolumeClaim"), "{first}");
        }
        assert!(wave("Service") < wave("Pod"));
        assert_eq!(wave("ServiceMonitor"), 2);
    }
}
