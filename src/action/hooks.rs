//! Running a release's hooks for one event. Mirrors `Configuration.execHook` (`pkg/action/hooks.go`,
//! Helm v3.17.3):
//!
//! 1. the hooks of the event, in kind order, sorted stably by weight then name;
//! 2. for each: no delete policy means `before-hook-creation`; a hook with that policy is deleted
//!    (and its deletion awaited) first; its phase is recorded as `Running`, it is created, and
//!    Jobs and Pods are awaited (complete / succeeded); its phase becomes `Succeeded` or `Failed`;
//!    the `Running` record is written while the hook is created and awaited, not before (see
//!    [`run`]), and the watch that awaits it starts from the create's answer;
//! 3. a failed hook with `hook-failed` is deleted, and the error ends the run;
//! 4. once all succeeded, those with `hook-succeeded` are deleted, last one first.
//!
//! Helm 4's `helm.sh/hook-output-log-policy` (`hook-failed`, `hook-succeeded`) prints the logs of
//! a hook's pods on stderr before step 3's or step 4's deletion (`crate::kube::pod_logs`).
//!
//! CRDs created as hooks are never deleted.
use std::time::Duration;

use super::deploy::{self, Resolved};
use super::release_error::Error;
use crate::kube::apply::{collect_errors, Applier, Deletion};
use crate::kube::pod_logs;
use crate::kube::progress;
use crate::kube::wait::{self, WaitRules};
use crate::release::HookEvent;
use crate::storage::record::{Hook, HookExecution, Time};
use crate::storage::{Record, Storage};

const BEFORE_CREATION: &str = "before-hook-creation";
const SUCCEEDED: &str = "hook-succeeded";
const FAILED: &str = "hook-failed";

/// Runs the hooks of `event` of the release in `record`, updating the record's hook phases in
/// storage as Helm does.
pub async fn run(
    applier: &Applier,
    storage: &Storage,
    record: &mut Record,
    event: HookEvent,
    timeout: Duration,
) -> Result<(), Error> {
    let namespace = record.release.namespace.clone();
    let mut order: Vec<usize> = (0..record.release.hooks.len())
        .filter(|&i| {
            record.release.hooks[i]
                .events
                .iter()
                .any(|e| e == event.as_str())
        })
        .collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&record.release.hooks[a], &record.release.hooks[b]);
        a.weight.cmp(&b.weight).then_with(|| a.name.cmp(&b.name))
    });
    for &i in &order {
        let hook = &mut record.release.hooks[i];
        if hook.delete_policies.is_empty() {
            hook.delete_policies = vec![BEFORE_CREATION.to_string()];
        }
        let hook = hook.clone();
        delete_by_policy(applier, &hook, &namespace, BEFORE_CREATION, timeout).await?;
        let objects = deploy::build(applier, &hook.manifest, &namespace, None, "hook manifest")
            .await
            .map_err(|e| failed(event, &hook, &e.to_string()))?;
        record.release.hooks[i].last_run = HookExecution {
            started_at: Time::now(),
            completed_at: Time::default(),
            phase: "Running".to_string(),
        };
        // Helm records the hook as running before creating it (and goes on if that write
        // fails). The write goes out here at the same time as the create and the wait: the record
        // is `pending-*` already, so a crash at any point loses no revision, and a failed write
        // still fails the operation, once the hook has run.
        let rules = WaitRules {
            hooks: true,
            ..WaitRules::default()
        };
        let (written, outcome) = futures::join!(storage.update(record), async {
            let sent = tokio::time::Instant::now();
            let created = collect_errors(applier.create_all(&objects).await)
                .map_err(|e| failed(event, &hook, &e.to_string()))?;
            wait::wait_ready_created(
                applier,
                &objects,
                &created,
                rules,
                sent,
                timeout,
                &mut *progress::reporter(),
            )
            .await
            .map_err(Error::Wait)
        });
        let run = &mut record.release.hooks[i].last_run;
        run.completed_at = Time::now();
        match outcome {
            Err(e @ Error::Wait(_)) => {
                run.phase = "Failed".to_string();
                output_logs(applier, &hook, &namespace, FAILED).await;
                let _ = delete_by_policy(applier, &hook, &namespace, FAILED, timeout).await;
                return Err(e);
            }
            Err(e) => {
                run.phase = "Failed".to_string();
                return Err(e);
            }
            Ok(()) => written?,
        }
        run.phase = "Succeeded".to_string();
    }
    for &i in order.iter().rev() {
        let hook = record.release.hooks[i].clone();
        output_logs(applier, &hook, &namespace, SUCCEEDED).await;
        delete_by_policy(applier, &hook, &namespace, SUCCEEDED, timeout).await?;
    }
    Ok(())
}

/// Helm 4's `outputLogsByPolicy`: when the hook's `helm.sh/hook-output-log-policy` names `policy`,
/// its pods' container logs go to stderr as Helm 4's logger writes them (see
/// `crate::kube::pod_logs`; like Helm's `HookOutputFunc`, this writes to the log stream itself).
/// A failure to read them is reported the same way and changes nothing else.
async fn output_logs(applier: &Applier, hook: &Hook, release_namespace: &str, policy: &str) {
    // As Helm 4: the record's policies (a Helm 3 record has none), not the manifest's annotation.
    if !hook.output_log_policies.iter().any(|p| p == policy) {
        return;
    }
    let namespace = pod_logs::namespace_of(&hook.manifest, release_namespace);
    for output in pod_logs::hook_logs(applier.client(), &namespace, &hook.kind, &hook.name).await {
        if let Some(line) = pod_logs::log_line(&output) {
            eprintln!("{line}");
        }
    }
}

fn failed(event: HookEvent, hook: &Hook, message: &str) -> Error {
    Error::msg(format!(
        "warning: Hook {} {} failed: {message}",
        event.as_str(),
        hook.path
    ))
}

/// Deletes the hook's objects when it has `policy`, and waits until they are gone.
async fn delete_by_policy(
    applier: &Applier,
    hook: &Hook,
    namespace: &str,
    policy: &str,
    timeout: Duration,
) -> Result<(), Error> {
    if hook.kind == "CustomResourceDefinition" || !hook.delete_policies.iter().any(|p| p == policy)
    {
        return Ok(());
    }
    let objects = deploy::build(applier, &hook.manifest, namespace, None, "hook manifest").await?;
    let deleted = collect_errors(applier.delete_each(&objects, None).await)?;
    // Only objects the server is still deleting are waited for: one that did not exist, or that
    // the `DELETE` removed at once (a hook Job or ConfigMap, deleted in the background), is gone
    // already, with nothing more to ask the server.
    let pending: Vec<Resolved> = objects
        .into_iter()
        .zip(deleted)
        .filter_map(|(object, deleted)| (deleted == Deletion::Pending).then_some(object))
        .collect();
    wait_deleted(applier, &pending, timeout).await
}

/// Waits until none of `objects` exists any more (watched, see [`wait::wait_deleted`]).
pub async fn wait_deleted(
    applier: &Applier,
    objects: &[Resolved],
    timeout: Duration,
) -> Result<(), Error> {
    wait::wait_deleted(applier, objects, timeout, &mut *progress::reporter())
        .await
        .map_err(|e| match e {
            wait::WaitError::Timeout(remaining) => Error::msg(format!(
                "timed out waiting for the condition: {} still exist",
                remaining
                    .iter()
                    .map(|(o, _)| o.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            e => Error::Wait(e),
        })
}
