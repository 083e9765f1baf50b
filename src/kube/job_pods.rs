//! A hook Job counted done by its own pods (beyond Helm): about a second sooner than its `Complete`
//! condition says so.
//!
//! The Job controller (kube-controller-manager, `pkg/controller/job/job_controller.go`, v1.35)
//! syncs a Job one second after any of its pods changes (`SyncJobBatchPeriod`), so a hook Job whose
//! pod succeeds at once is marked `Complete` no sooner than a second later, and Helm, which waits
//! for that condition, waits that second for each hook Job. Rudder also watches the Job's pods (by
//! the Job's selector, keeping only pods the Job controls), from the `resourceVersion` of the Job's
//! create: it sees every pod of the Job from the first one on, and counts the Job done when the
//! controller's own rules can only make it `Complete` at its next sync. In `syncJob`, a non-indexed
//! Job becomes `Complete` when `succeeded >= completions` and no pod is active, unless one of the
//! failure checks, made before it, fires first:
//!
//! - failed pods beyond `backoffLimit`, or a pod failure policy's rule: ruled out because no pod of
//!   the Job may have failed or been deleted (either spoils the shortcut for the rest of the wait),
//!   the Job's status counts no failure, and Jobs with a `podFailurePolicy` are left out;
//! - `restartPolicy: OnFailure` restarts beyond `backoffLimit` (counted on running and pending pods
//!   only): the restarts of every pod seen, which only grow, stay below the limit;
//! - `activeDeadlineSeconds`: the deadline runs from the Job's `startTime`, which is after its
//!   create was sent; the shortcut is taken only while at least [`DEADLINE_MARGIN`] of it is left,
//!   counted from when the create was sent, so a controller that syncs within that margin still
//!   finds the Job within its deadline;
//! - a `FailureTarget` or `Failed` condition already on the Job.
//!
//! Left to the `Complete` condition, as before: Indexed Jobs (`successPolicy`,
//! `backoffLimitPerIndex`), Jobs without `completions` (work queues), suspended Jobs, Jobs managed by
//! another controller (`managedBy`), selectors with `matchExpressions`, and any Job whose pods'
//! watch fails. A failed Job or pod ends the wait as it always did (`super::ready`).
use std::collections::HashMap;
use std::time::Duration;

use ::kube::api::{Api, WatchEvent, WatchParams};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;

/// How much of a Job's `activeDeadlineSeconds` must be left for its pods to count it done.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(60);

/// What has been seen of a Job's pods since the Job was created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pods {
    /// Each pod the Job controls (by uid): whether it has succeeded.
    succeeded: HashMap<String, bool>,
    /// Container restarts of every pod seen, at their latest count.
    restarts: HashMap<String, i64>,
    /// Set once a pod failed or was deleted: the pods can no longer say the Job is done.
    spoiled: bool,
}

impl Pods {
    /// Takes in one watch event of a pod of the Job (`deleted` for a `DELETED` event).
    pub fn observe(&mut self, pod: &Pod, deleted: bool) {
        let Some(uid) = pod.metadata.uid.clone() else {
            return;
        };
        let status = pod.status.as_ref();
        let phase = status.and_then(|s| s.phase.as_deref());
        if deleted || pod.metadata.deletion_timestamp.is_some() || phase == Some("Failed") {
            self.spoiled = true;
        }
        let restarts = status
            .map(|s| {
                s.init_container_statuses
                    .iter()
                    .chain(s.container_statuses.iter())
                    .flatten()
                    .map(|c| i64::from(c.restart_count))
                    .sum()
            })
            .unwrap_or(0);
        self.restarts.insert(uid.clone(), restarts);
        self.succeeded.insert(uid, phase == Some("Succeeded"));
    }
}

fn int(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

fn present(v: &Value, pointer: &str) -> bool {
    v.pointer(pointer).is_some_and(|v| !v.is_null())
}

/// Whether the Job's spec and status leave its outcome to the rules this module checks (see the
/// module doc for what is left out).
fn eligible(job: &Value) -> bool {
    let spec_ok = job
        .pointer("/spec/completionMode")
        .and_then(Value::as_str)
        .is_none_or(|m| m == "NonIndexed")
        && int(job, "/spec/completions").is_some_and(|c| c >= 1)
        && !present(job, "/spec/successPolicy")
        && !present(job, "/spec/podFailurePolicy")
        && !present(job, "/spec/backoffLimitPerIndex")
        && job.pointer("/spec/suspend").and_then(Value::as_bool) != Some(true)
        && job
            .pointer("/spec/managedBy")
            .and_then(Value::as_str)
            .is_none_or(|m| m == "kubernetes.io/job-controller")
        && !present(job, "/metadata/deletionTimestamp");
    let failed_or_failing = job
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|conditions| {
            conditions.iter().any(|c| {
                matches!(
                    c.get("type").and_then(Value::as_str),
                    Some("Failed" | "FailureTarget")
                ) && c.get("status").and_then(Value::as_str) == Some("True")
            })
        });
    let uncounted_failures = job
        .pointer("/status/uncountedTerminatedPods/failed")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    spec_ok
        && !failed_or_failing
        && int(job, "/status/failed").unwrap_or(0) == 0
        && !uncounted_failures
}

/// Whether `job` (its latest state) can only become `Complete`, given its `pods` seen since its
/// create was sent `since_create` ago.
pub fn done(job: &Value, pods: &Pods, since_create: Duration) -> bool {
    if !eligible(job) || pods.spoiled || pods.succeeded.is_empty() {
        return false;
    }
    let Some(completions) = int(job, "/spec/completions") else {
        return false;
    };
    // Every pod seen has succeeded (none active), and enough of them.
    if !pods.succeeded.values().all(|s| *s) || (pods.succeeded.len() as i64) < completions {
        return false;
    }
    if job
        .pointer("/spec/template/spec/restartPolicy")
        .and_then(Value::as_str)
        == Some("OnFailure")
    {
        // `pastBackoffLimitOnFailure`: restarts >= backoffLimit (> 0 when the limit is 0) fails
        // the Job; the API server defaults the limit to 6.
        let limit = int(job, "/spec/backoffLimit").unwrap_or(6);
        if pods.restarts.values().sum::<i64>() >= limit.max(1) {
            return false;
        }
    }
    if let Some(deadline) = int(job, "/spec/activeDeadlineSeconds") {
        let deadline = Duration::from_secs(u64::try_from(deadline).unwrap_or(0));
        if since_create + DEADLINE_MARGIN >= deadline {
            return false;
        }
    }
    true
}

/// The label selector of the Job's pods (its `spec.selector.matchLabels`), when it has only those.
fn selector(job: &Value) -> Option<String> {
    let selector = job.pointer("/spec/selector")?;
    if selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .is_some_and(|e| !e.is_empty())
    {
        return None;
    }
    let labels = selector.get("matchLabels")?.as_object()?;
    if labels.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for (key, value) in labels {
        parts.push(format!("{key}={}", value.as_str()?));
    }
    Some(parts.join(","))
}

/// Watches the pods of the Job `created` (the API server's answer to its create) from the create's
/// `resourceVersion`, and calls `send` with what has been seen after every event of a pod the Job
/// controls. Returns when the watch cannot go on (the Job is then awaited by its condition alone).
pub async fn watch(client: ::kube::Client, created: &Value, send: &dyn Fn(Pods)) {
    let (Some(namespace), Some(uid), Some(mut version), Some(labels)) = (
        created
            .pointer("/metadata/namespace")
            .and_then(Value::as_str),
        created.pointer("/metadata/uid").and_then(Value::as_str),
        created
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string),
        selector(created),
    ) else {
        return;
    };
    if !eligible(created) {
        return;
    }
    let api: Api<Pod> = Api::namespaced(client, namespace);
    let params = WatchParams::default().labels(&labels).timeout(290);
    let mut pods = Pods::default();
    // A watch the server ends (its timeout) goes on from the last version seen, so no event is
    // missed; any error ends the shortcut.
    loop {
        let Ok(stream) = api.watch(&params, &version).await else {
            return;
        };
        let mut stream = std::pin::pin!(stream);
        while let Some(event) = stream.next().await {
            let (pod, deleted) = match event {
                Ok(WatchEvent::Added(p) | WatchEvent::Modified(p)) => (p, false),
                Ok(WatchEvent::Deleted(p)) => (p, true),
                Ok(WatchEvent::Bookmark(b)) => {
                    version = b.metadata.resource_version;
                    continue;
                }
                Ok(WatchEvent::Error(_)) | Err(_) => return,
            };
            if let Some(v) = &pod.metadata.resource_version {
                version = v.clone();
            }
            let controlled = pod
                .metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.controller == Some(true) && o.uid == uid);
            if controlled {
                pods.observe(&pod, deleted);
                send(pods.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn job() -> Value {
        json!({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "j", "namespace": "ns", "uid": "job-uid", "resourceVersion": "7"},
            "spec": {
                "completions": 1, "parallelism": 1, "backoffLimit": 2,
                "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "job-uid"}},
                "template": {"spec": {"restartPolicy": "Never"}}
            },
            "status": {}
        })
    }

    fn pod(uid: &str, phase: &str, restarts: i32) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": uid, "uid": uid},
            "status": {"phase": phase, "containerStatuses": [
                {"name": "c", "image": "i", "imageID": "", "ready": false, "restartCount": restarts}
            ]}
        }))
        .unwrap()
    }

    fn seen(pods: &[(Pod, bool)]) -> Pods {
        let mut out = Pods::default();
        for (p, deleted) in pods {
            out.observe(p, *deleted);
        }
        out
    }

    const SOON: Duration = Duration::from_secs(1);

    #[test]
    fn a_job_is_done_when_its_completions_have_succeeded_and_nothing_is_active() {
        let job = job();
        assert!(!done(&job, &Pods::default(), SOON));
        assert!(!done(&job, &seen(&[(pod("a", "Running", 0), false)]), SOON));
        assert!(done(
            &job,
            &seen(&[(pod("a", "Succeeded", 0), false)]),
            SOON
        ));
        let mut two = job.clone();
        two["spec"]["completions"] = json!(2);
        let one = seen(&[(pod("a", "Succeeded", 0), false)]);
        assert!(!done(&two, &one, SOON));
        let both = seen(&[
            (pod("a", "Succeeded", 0), false),
            (pod("b", "Running", 0), false),
        ]);
        assert!(!done(&two, &both, SOON));
        let both = seen(&[
            (pod("a", "Succeeded", 0), false),
            (pod("b", "Succeeded", 0), false),
        ]);
        assert!(done(&two, &both, SOON));
    }

    #[test]
    fn a_failed_or_deleted_pod_spoils_the_shortcut_for_good() {
        let job = job();
        let failed_then_replaced = seen(&[
            (pod("a", "Failed", 0), false),
            (pod("a", "Failed", 0), true),
            (pod("b", "Succeeded", 0), false),
        ]);
        assert!(!done(&job, &failed_then_replaced, SOON));
        let deleted = seen(&[
            (pod("a", "Running", 0), true),
            (pod("b", "Succeeded", 0), false),
        ]);
        assert!(!done(&job, &deleted, SOON));
        let mut terminating = pod("a", "Succeeded", 0);
        terminating.metadata.deletion_timestamp = Some(
            k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(Default::default()),
        );
        assert!(!done(&job, &seen(&[(terminating, false)]), SOON));
    }

    #[test]
    fn the_jobs_own_failure_signs_and_unusual_specs_leave_it_to_the_condition() {
        let ok = seen(&[(pod("a", "Succeeded", 0), false)]);
        let mut failing = job();
        failing["status"] = json!({"conditions": [{"type": "FailureTarget", "status": "True"}]});
        assert!(!done(&failing, &ok, SOON));
        failing["status"] = json!({"failed": 1});
        assert!(!done(&failing, &ok, SOON));
        failing["status"] = json!({"uncountedTerminatedPods": {"failed": ["x"]}});
        assert!(!done(&failing, &ok, SOON));
        for (field, value) in [
            ("completionMode", json!("Indexed")),
            ("podFailurePolicy", json!({"rules": []})),
            ("successPolicy", json!({"rules": []})),
            ("suspend", json!(true)),
            ("managedBy", json!("example.com/other")),
            ("completions", Value::Null),
        ] {
            let mut j = job();
            j["spec"][field] = value;
            assert!(!done(&j, &ok, SOON), "{field}");
        }
        let mut j = job();
        j["spec"]["completionMode"] = json!("NonIndexed");
        j["spec"]["managedBy"] = json!("kubernetes.io/job-controller");
        assert!(done(&j, &ok, SOON));
    }

    #[test]
    fn restarts_under_on_failure_stay_below_the_backoff_limit() {
        let mut job = job();
        job["spec"]["template"]["spec"]["restartPolicy"] = json!("OnFailure");
        assert!(done(
            &job,
            &seen(&[(pod("a", "Succeeded", 1), false)]),
            SOON
        ));
        assert!(!done(
            &job,
            &seen(&[(pod("a", "Succeeded", 2), false)]),
            SOON
        ));
        job["spec"]["backoffLimit"] = json!(0);
        assert!(done(
            &job,
            &seen(&[(pod("a", "Succeeded", 0), false)]),
            SOON
        ));
        assert!(!done(
            &job,
            &seen(&[(pod("a", "Succeeded", 1), false)]),
            SOON
        ));
    }

    #[test]
    fn an_active_deadline_must_be_far_enough_away() {
        let mut job = job();
        job["spec"]["activeDeadlineSeconds"] = json!(600);
        let ok = seen(&[(pod("a", "Succeeded", 0), false)]);
        assert!(done(&job, &ok, SOON));
        assert!(!done(&job, &ok, Duration::from_secs(540)));
        job["spec"]["activeDeadlineSeconds"] = json!(30);
        assert!(!done(&job, &ok, SOON));
    }

    #[test]
    fn the_pods_selector_is_the_jobs_match_labels() {
        assert_eq!(
            selector(&job()).as_deref(),
            Some("batch.kubernetes.io/controller-uid=job-uid")
        );
        let mut j = job();
        j["spec"]["selector"]["matchExpressions"] = json!([{"key": "a", "operator": "Exists"}]);
        assert_eq!(selector(&j), None);
    }
}
