//! `upgrade`: render a chart against the cluster and move the release to a new revision. Mirrors
//! `action.Upgrade` (`pkg/action/upgrade.go`, Helm v3.17.3), applying with server-side apply:
//!
//! lock check (last revision `pending-*` refuses) → current revision (the deployed one, else the last
//! `failed`/`superseded`) → values (Helm's reuse rules) → render → objects built and owned →
//! adoption check for new objects → **preflight** (every object as a server-side dry run; any
//! refusal ends the upgrade before anything changes) → record `pending-upgrade` → pre-upgrade hooks →
//! apply, delete dropped objects → wait → post-upgrade hooks → current revision `superseded`, new one
//! `deployed`. A failure after the record exists marks the new revision `failed`; `--cleanup-on-fail`
//! deletes what this attempt created; `--atomic` rolls back.
use std::collections::BTreeMap;
use std::io::Read;

use super::apply_method;
use super::deploy::{self, Resolved};
use super::install::WaitOptions;
use super::release_error::Error;
use super::release_record;
use super::release_steps as steps;
use super::rollback;
use crate::engine::ReleaseOptions;
use crate::kube::apply::{Applier, ApplyParams};
use crate::kube::object::Object;
use crate::release::HookEvent;
use crate::storage::record::{Release, Status};
use crate::storage::{Record, Storage};
use crate::template::Value;

/// How the new revision's values relate to the current one's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ValuesMode {
    /// Helm's default: the flags' values; none given means the current revision's, silently.
    #[default]
    Default,
    /// `--reuse-values`: the current values under the flags, over the *current* chart's defaults.
    Reuse,
    /// `--reset-values`: the flags' values only.
    Reset,
    /// `--reset-then-reuse-values`: the current values under the flags, over the new chart's defaults.
    ResetThenReuse,
}

/// What `rudder upgrade` was asked to do.
#[derive(Default)]
pub struct UpgradeOptions<'a> {
    /// What install and upgrade share.
    pub request: steps::Request<'a>,
    pub values_mode: ValuesMode,
    pub cleanup_on_fail: bool,
}

/// The release as stored after the upgrade.
pub struct Upgraded {
    pub release: Release,
    pub warnings: Vec<String>,
}

/// The revision an upgrade starts from: Helm's `prepareUpgrade` choice.
pub async fn current_revision(storage: &Storage, name: &str) -> Result<(Record, Record), Error> {
    let last = storage.last(name).await.map_err(|e| match e {
        crate::storage::Error::NotFound | crate::storage::Error::NoRevision(_) => {
            Error::msg(format!("{name:?} has no deployed releases"))
        }
        e => e.into(),
    })?;
    if last.release.status().is_pending() {
        return Err(Error::msg(
            "another operation (install/upgrade/rollback) is in progress",
        ));
    }
    if last.release.status() == Status::Deployed {
        return Ok((last.clone(), last));
    }
    match storage.deployed(name).await {
        Ok(current) => Ok((current, last)),
        Err(crate::storage::Error::NoDeployed(_))
            if matches!(last.release.status(), Status::Failed | Status::Superseded) =>
        {
            Ok((last.clone(), last))
        }
        Err(e) => Err(e.into()),
    }
}

/// Helm's `reuseValues`.
fn reuse_values(
    mode: ValuesMode,
    chart: &mut crate::chart::Chart,
    current: &Release,
    new: Value,
) -> Value {
    let current_config = release_record::values_from_json(&current.config);
    let as_map = |v: &Value| match v {
        Value::Map(m) => Some(m.clone()),
        _ => None,
    };
    match mode {
        ValuesMode::Reset => new,
        ValuesMode::Reuse => {
            if let Some(old_chart) = current.chart.as_ref().and_then(|c| c.values.as_ref()) {
                let old_defaults = release_record::values_from_json(old_chart);
                if let (Some(cfg), Some(defaults)) =
                    (as_map(&current_config), as_map(&old_defaults))
                {
                    let dst = crate::template::Map::new(crate::template::MapEntries::new());
                    let merged = crate::values::coalesce_tables(
                        &crate::values::coalesce_tables(&dst, &cfg),
                        &defaults,
                    );
                    chart.values = Value::Map(merged);
                }
            }
            merge_under(new, &current_config)
        }
        ValuesMode::ResetThenReuse => merge_under(new, &current_config),
        ValuesMode::Default => {
            let empty = as_map(&new).is_none_or(|m| m.is_empty());
            if empty && !current.config.is_empty() {
                current_config
            } else {
                new
            }
        }
    }
}

/// `CoalesceTables(new, old)`: the new values win, the old fill in.
fn merge_under(new: Value, old: &Value) -> Value {
    match (&new, old) {
        (Value::Map(n), Value::Map(o)) => Value::Map(crate::values::coalesce_tables(n, o)),
        _ => new,
    }
}

/// Runs `upgrade` (the release must exist; `upgrade --install` is the CLI's choice).
pub async fn run(
    applier: &Applier,
    storage: &Storage,
    options: &UpgradeOptions<'_>,
    stdin: &mut dyn Read,
) -> Result<Upgraded, Error> {
    let name = &options.request.release_name;
    let steps::Loaded {
        mut chart,
        values: flags,
        warnings,
    } = steps::load(name, &options.request.chart, &options.request.values, stdin)?;
    let (mut current, last) = current_revision(storage, name).await?;
    let config = reuse_values(
        options.values_mode,
        &mut chart.chart,
        &current.release,
        flags,
    );
    chart.process_dependencies(&config)?;
    let release = ReleaseOptions {
        name: name.clone(),
        namespace: options.request.namespace.clone(),
        revision: last.release.version + 1,
        is_install: false,
        is_upgrade: true,
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
    let first_deployed = current
        .release
        .info
        .as_ref()
        .map(|i| i.first_deployed.clone());
    let plan = apply_method::plan(
        options.request.server_side,
        options.request.force_replace,
        options.request.force_conflicts,
        &[&current.release],
    )?;
    let mut rel = steps::new_revision(
        &release,
        rendered,
        &config,
        Some(first_deployed.unwrap_or_default()),
        plan.method,
    );
    if options.request.dry_run.is_dry_run() {
        rel.set_status(Status::PendingUpgrade, "Dry run complete");
        return Ok(Upgraded {
            release: rel,
            warnings,
        });
    }
    let objects = Objects::of(applier, &current.release, &rel, options).await?;
    let params = plan.params;
    // A release applied server-side has its objects compared too: those an apply would not
    // change are not sent again.
    let compare = objects.exists.is_some() && !params.replace && !params.client_side;
    // `--no-preflight`: applied directly, as Helm applies (a refusal fails half-way).
    let unchanged = if options.request.no_preflight {
        Vec::new()
    } else {
        // A release last applied client-side has its fields moved from manager `helm`'s `Update`
        // entries to server-side apply only when applied: until then the dry run would conflict
        // with those entries, so it takes them over (as the move will).
        let checked = ApplyParams {
            force_conflicts: params.force_conflicts || objects.exists.is_none(),
            ..params
        };
        preflight(
            applier,
            (&objects.current, &objects.target),
            checked,
            compare,
        )
        .await?
    };

    rel.set_status(Status::PendingUpgrade, "Preparing upgrade");
    let labels = merged_labels(&current, &options.request.labels);
    let mut record = steps::record_pending(storage, rel, labels).await?;
    let phases = steps::Phases {
        before: HookEvent::PreUpgrade,
        after: HookEvent::PostUpgrade,
        no_hooks: options.request.no_hooks,
        wait: options.request.wait,
        atomic: options.request.atomic,
        params,
    };
    let known = deploy::Known {
        exists: objects.exists.as_deref(),
        unchanged: &unchanged,
        skip_unchanged: compare,
    };
    let mut created = Vec::new();
    let deployed = steps::interruptible(steps::deploy(
        applier,
        storage,
        &mut record,
        &phases,
        (&objects.current, &objects.target),
        known,
        &mut created,
    ))
    .await;
    if let Err(e) = deployed {
        return Err(fail(applier, storage, &mut record, created, options, e).await);
    }
    let description = current
        .release
        .info
        .as_ref()
        .map(|i| i.description.clone())
        .unwrap_or_default();
    current.release.set_status(Status::Superseded, &description);
    storage.update(&mut current).await?;
    let description = options
        .request
        .description
        .as_deref()
        .unwrap_or("Upgrade complete");
    record.release.set_status(Status::Deployed, description);
    storage.update(&mut record).await?;
    Ok(Upgraded {
        release: record.release,
        warnings,
    })
}

/// The labels of the new record: the current ones with `--labels` on top (`null` removes).
fn merged_labels(current: &Record, new: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut labels = current.labels.clone();
    for (k, v) in new {
        if v == "null" {
            labels.remove(k);
        } else {
            labels.insert(k.clone(), v.clone());
        }
    }
    labels
}

/// The objects an upgrade moves from and to.
struct Objects {
    current: Vec<Resolved>,
    target: Vec<Resolved>,
    /// Whether each target object exists, known without reading it again (see
    /// [`deploy::Known::exists`]); `None` for a release last applied client-side (Helm 3), whose
    /// objects are all read for their managed fields.
    exists: Option<Vec<bool>>,
}

impl Objects {
    /// Both manifests' objects, and the adoption check of the objects the new one adds (Helm's
    /// `existingResourceConflict`, or `--take-ownership`).
    async fn of(
        applier: &Applier,
        current: &Release,
        new: &Release,
        options: &UpgradeOptions<'_>,
    ) -> Result<Objects, Error> {
        let namespace = &options.request.namespace;
        let current_objects = deploy::build(
            applier,
            &current.manifest,
            namespace,
            None,
            "current release manifest",
        )
        .await?;
        let target = deploy::build(
            applier,
            &new.manifest,
            namespace,
            Some(&new.name),
            "new release manifest",
        )
        .await?;
        let known: std::collections::HashSet<_> =
            current_objects.iter().map(|(o, _)| o.key()).collect();
        let new_objects: Vec<Resolved> = target
            .iter()
            .filter(|(o, _)| !known.contains(&o.key()))
            .cloned()
            .collect();
        let new_existed = deploy::check_adoption(
            applier,
            &new_objects,
            &new.name,
            namespace,
            options.request.take_ownership,
        )
        .await
        .map_err(|e| {
            Error::msg(format!(
                "rendered manifests contain a resource that already exists. Unable to continue with update: {e}"
            ))
        })?;
        // The current revision's objects exist (one deleted by hand since is re-created, and not
        // counted as created by this upgrade); the new ones were just read, in the same order.
        let mut new_existed = new_existed.into_iter();
        let exists: Vec<bool> = target
            .iter()
            .map(|(o, _)| known.contains(&o.key()) || new_existed.next().unwrap_or(false))
            .collect();
        Ok(Objects {
            current: current_objects,
            target,
            exists: (current.apply_method == "ssa").then_some(exists),
        })
    }
}

/// Helm's `failRelease` for upgrades.
async fn fail(
    applier: &Applier,
    storage: &Storage,
    record: &mut Record,
    created: Vec<Resolved>,
    options: &UpgradeOptions<'_>,
    err: Error,
) -> Error {
    let name = record.release.name.clone();
    if let Err(e) = steps::record_failed(storage, record, "Upgrade", &err).await {
        return Error::msg(format!(
            "{err}: and the failed revision could not be recorded: {e}"
        ));
    }
    if options.cleanup_on_fail && !created.is_empty() {
        if let Err(e) = deploy::delete(applier, created).await {
            return Error::msg(format!("{err}: cleanup error: {e}"));
        }
    }
    if !options.request.atomic {
        return err;
    }
    let rollback_options = rollback::RollbackOptions {
        release_name: name.clone(),
        revision: 0,
        wait: WaitOptions {
            wait: true,
            ..options.request.wait
        },
        no_hooks: options.request.no_hooks,
        cleanup_on_fail: options.cleanup_on_fail,
        force_replace: options.request.force_replace,
        force_conflicts: options.request.force_conflicts,
        server_side: options.request.server_side,
        description: None,
    };
    // Helm rolls back to the newest revision that was deployed or superseded.
    let history = match storage.history(&name).await {
        Ok(h) => h,
        Err(e) => {
            return Error::msg(format!(
            "an error occurred while rolling back the release. original upgrade error: {err}: {e}"
        ))
        }
    };
    let target = history
        .iter()
        .filter(|r| matches!(r.release.status(), Status::Superseded | Status::Deployed))
        .map(|r| r.release.version)
        .max();
    let Some(target) = target else {
        return Error::msg(format!(
            "an error occurred while rolling back the release. original upgrade error: {err}: unable to find a previously successful release"
        ));
    };
    match rollback::run(
        applier,
        storage,
        &rollback::RollbackOptions {
            revision: target,
            ..rollback_options
        },
    )
    .await
    {
        Ok(_) => Error::msg(format!(
            "release {name} failed, and has been rolled back due to atomic being set: {err}"
        )),
        Err(e) => Error::msg(format!(
            "an error occurred while rolling back the release. original upgrade error: {err}: {e}"
        )),
    }
}

/// Every object of the upgrade as a server-side dry run; any refusal fails the upgrade before
/// anything changes, naming each object, the server's reason and, for fields that cannot change,
/// the fields and the way out. Returns what [`deploy::Known::unchanged`] holds.
async fn preflight(
    applier: &Applier,
    (current, target): (&[Resolved], &[Resolved]),
    params: ApplyParams,
    compare: bool,
) -> Result<Vec<Option<String>>, Error> {
    let checked = deploy::preflight(applier, (current, target), params, compare).await;
    let refusals = checked.refusals;
    if refusals.is_empty() {
        return Ok(checked.unchanged);
    }
    let mut text = String::from(
        "the API server refuses this upgrade; nothing was changed and no revision was recorded:",
    );
    let mut immutable = Vec::new();
    let mut conflicts = false;
    // Refused as applied, though no field that cannot change is changed: a replace may pass.
    let mut replaceable = false;
    for refusal in &refusals {
        conflicts |= refusal.is_conflict();
        let crate::kube::apply::Error::Api(failure) = refusal else {
            text.push_str(&format!("\n  {refusal}"));
            continue;
        };
        let Some((object, kind)) = target
            .iter()
            .find(|(o, _)| o.kind == failure.kind && o.name == failure.name)
        else {
            text.push_str(&format!("\n  {refusal}"));
            continue;
        };
        // The server's reason; a replace or a conflict in Helm's words.
        let reason = match failure.verb {
            "patch" => failure.message.clone(),
            _ => failure.to_string(),
        };
        text.push_str(&format!("\n  {}: {reason}", object.describe()));
        let mut cannot_change = failure.message.contains("field is immutable")
            || failure
                .message
                .contains("Forbidden: updates to statefulset spec");
        if cannot_change || failure.message.contains("Forbidden") {
            let live = applier.get(object, kind).await.ok().flatten();
            let fields = live
                .map(|live| changed_immutable_fields(object, &live))
                .unwrap_or_default();
            if !fields.is_empty() {
                text.push_str(&format!(
                    "\n    fields that cannot change on an existing {}: {}",
                    object.kind,
                    fields.join(", ")
                ));
                cannot_change = true;
            }
        }
        if cannot_change {
            immutable.push(object);
        } else if failure.verb == "patch" && failure.code == 422 {
            replaceable = true;
        }
    }
    if !immutable.is_empty() {
        let names: Vec<String> = immutable
            .iter()
            .map(|o| format!("{}/{}", o.kind.to_lowercase(), o.name))
            .collect();
        let ns = immutable[0].namespace.clone().unwrap_or_default();
        text.push_str(&format!(
            "\nhint: these objects must be recreated to take the new fields. Delete them without their pods \
(`kubectl delete {} -n {ns} --cascade=orphan`) and run the upgrade again; or keep the current values.",
            names.join(" ")
        ));
    }
    if conflicts {
        text.push_str(
            "\nhint: fields another field manager owns are not taken over without --force-conflicts.",
        );
    }
    if replaceable && !params.replace {
        text.push_str(
            "\nhint: --force replaces objects whole instead of applying them, which drops the fields the chart no longer sets.",
        );
    }
    Err(Error::msg(text))
}

/// Whether everything `wanted` sets is already so in `live` (which also holds server defaults).
fn is_subset(wanted: &serde_json::Value, live: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (wanted, live) {
        (Value::Object(w), Value::Object(l)) => w
            .iter()
            .all(|(k, v)| l.get(k).is_some_and(|lv| is_subset(v, lv)) || v.is_null()),
        (Value::Array(w), Value::Array(l)) => {
            w.len() == l.len() && w.iter().zip(l).all(|(a, b)| is_subset(a, b))
        }
        (Value::Number(a), Value::String(b)) | (Value::String(b), Value::Number(a)) => {
            a.to_string() == *b
        }
        _ => wanted == live,
    }
}

/// For a StatefulSet, the `spec` fields the new object changes that the API server does not allow
/// to change; empty for other kinds.
pub fn changed_immutable_fields(object: &Object, live: &serde_json::Value) -> Vec<String> {
    const MUTABLE: &[&str] = &[
        "replicas",
        "ordinals",
        "template",
        "updateStrategy",
        "revisionHistoryLimit",
        "persistentVolumeClaimRetentionPolicy",
        "minReadySeconds",
    ];
    if object.kind != "StatefulSet" {
        return Vec::new();
    }
    let empty = serde_json::Map::new();
    let new = object
        .body
        .pointer("/spec")
        .and_then(|s| s.as_object())
        .unwrap_or(&empty);
    let old = live
        .pointer("/spec")
        .and_then(|s| s.as_object())
        .unwrap_or(&empty);
    let mut fields: Vec<String> = new
        .iter()
        .filter(|(k, _)| !MUTABLE.contains(&k.as_str()))
        .filter(|(k, v)| !old.get(k.as_str()).is_some_and(|live| is_subset(v, live)))
        .map(|(k, _)| format!("spec.{k}"))
        .collect();
    fields.sort();
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::chart_source::ValueOptions;
    use serde_json::json;

    #[test]
    fn names_statefulset_fields_that_cannot_change() {
        let object = Object::from_json(json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
            "spec": {"replicas": 3, "serviceName": "db",
                "volumeClaimTemplates": [{"metadata": {"name": "data"},
                    "spec": {"storageClassName": "fast-ssd"}}]}
        }))
        .unwrap();
        let live = json!({"spec": {"replicas": 1, "serviceName": "db", "podManagementPolicy": "OrderedReady",
            "volumeClaimTemplates": [{"metadata": {"name": "data"},
                "spec": {"volumeMode": "Filesystem"}, "status": {"phase": "Pending"}}]}});
        assert_eq!(
            changed_immutable_fields(&object, &live),
            ["spec.volumeClaimTemplates"]
        );
        let same = json!({"spec": {"serviceName": "db", "volumeClaimTemplates": [{"metadata": {"name": "data"},
            "spec": {"storageClassName": "fast-ssd", "volumeMode": "Filesystem"}}]}});
        assert!(changed_immutable_fields(&object, &same).is_empty());
    }

    #[test]
    fn values_reuse_rules() {
        let mut chart = crate::chart::Chart::default();
        let current = Release {
            config: serde_json::from_str(r#"{"a":1,"b":{"c":2}}"#).unwrap(),
            ..Release::default()
        };
        let flags = |text: &str| {
            let options = ValueOptions {
                values: if text.is_empty() {
                    vec![]
                } else {
                    vec![text.to_string()]
                },
                ..ValueOptions::default()
            };
            options.merge_values(&mut std::io::empty()).unwrap()
        };
        let json = |v: &Value| serde_json::to_string(&release_record::values_json(v)).unwrap();
        let silent = reuse_values(ValuesMode::Default, &mut chart, &current, flags(""));
        assert_eq!(json(&silent), r#"{"a":1,"b":{"c":2}}"#);
        let given = reuse_values(ValuesMode::Default, &mut chart, &current, flags("x=1"));
        assert_eq!(json(&given), r#"{"x":1}"#);
        let reused = reuse_values(
            ValuesMode::ResetThenReuse,
            &mut chart,
            &current,
            flags("b.d=3"),
        );
        assert_eq!(json(&reused), r#"{"a":1,"b":{"c":2,"d":3}}"#);
        let reset = reuse_values(ValuesMode::Reset, &mut chart, &current, flags(""));
        assert_eq!(json(&reset), "{}");
    }
}
