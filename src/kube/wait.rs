//! Waiting until a set of objects reaches a state: ready ([`wait_ready`], for `--wait` and hooks)
//! or gone ([`wait_deleted`]). The rules of readiness are in [`super::ready`]; this module watches.
//!
//! Objects are grouped by resource and namespace. Each group is listed once (by name when it holds
//! one object, else by Helm's `managed-by` label when every object carries it) and then watched
//! from the list's `resourceVersion`, so a state change is seen as the API server reports it, with
//! no polling interval and no request while nothing changes (objects just created, as a hook is,
//! skip the list: a group of one starts from the create's answer and watches from its version,
//! [`wait_ready_created`]). A watch that ends (the server's
//! timeout, `410 Gone`, a dropped connection) is followed by a fresh list; while the API server
//! does not answer, the group retries every second until the deadline and its objects read as
//! waiting for the server. Only where the server refuses to watch (`403`/`405`: RBAC that grants
//! `get` but not `watch`) does a group fall back to re-reading its objects every half second.
//!
//! On timeout the error names every object still waiting and what it waits for; a failed Job or
//! Pod ends the wait at once, and so does a group the API server refuses to list or read (a
//! `4xx` other than the watch refusals above: its resource gone with its CRD, RBAC), whatever
//! the other groups still wait for.
use std::collections::HashMap;
use std::time::Duration;

use ::kube::api::{Api, DynamicObject, ListParams, WatchEvent, WatchParams};
use futures::channel::mpsc;
use futures::StreamExt;
use serde_json::Value;

use super::apply::{Applier, Error};
use super::discovery::Kind;
use super::job_pods;
use super::object::Object;
pub use super::ready::{readiness, Readiness, WaitRules};

/// A progress report while waiting.
pub trait Progress {
    /// The objects still waiting and what each waits for (called whenever that changes), out of
    /// `total` objects waited for.
    fn waiting(&mut self, pending: &[(String, String)], total: usize);
    /// The wait ended (ready, failed or timed out): a live view clears itself.
    fn done(&mut self) {}
}

/// Discards progress.
pub struct Quiet;

impl Progress for Quiet {
    fn waiting(&mut self, _: &[(String, String)], _: usize) {}
}

/// Why waiting ended without every object ready.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaitError {
    /// Helm's line first (`context deadline exceeded`), then every object still waiting.
    #[error("context deadline exceeded{}", .0.iter().map(|(o, why)| format!("\n  {o} is not ready: waiting for {why}")).collect::<String>())]
    Timeout(Vec<(String, String)>),
    #[error("{0}")]
    Failed(String),
    #[error("{0}")]
    Cluster(Error),
}

/// Waits until every object is ready, at most `timeout`.
pub async fn wait_ready(
    applier: &Applier,
    objects: &[(Object, Kind)],
    rules: WaitRules,
    timeout: Duration,
    progress: &mut dyn Progress,
) -> Result<(), WaitError> {
    let watched: Vec<&(Object, Kind)> = objects
        .iter()
        .filter(|(o, _)| super::ready::needs_reading(&o.kind, rules))
        .collect();
    let judge = |object: &Object, live: Option<&Value>| match live {
        Some(live) => readiness(&object.kind, live, rules),
        None => Readiness::Waiting("the object to exist".into()),
    };
    wait_until(applier, &watched, None, None, timeout, progress, &judge).await
}

/// [`wait_ready`] for objects just created, with the API server's answer to each create (the
/// object as stored, and its `resourceVersion`): a resource watched for one object starts from
/// that answer and watches from its version at once, without listing first (a round trip less
/// between a hook's creation and the watch that sees it complete). With hook rules, a Job also
/// counts as ready when its pods show it can only become `Complete` ([`super::job_pods`]);
/// `sent` is when the creates were sent.
pub async fn wait_ready_created(
    applier: &Applier,
    objects: &[(Object, Kind)],
    created: &[Value],
    rules: WaitRules,
    sent: tokio::time::Instant,
    timeout: Duration,
    progress: &mut dyn Progress,
) -> Result<(), WaitError> {
    let mut watched = Vec::new();
    let mut answers = Vec::new();
    for (object, answer) in objects.iter().zip(created) {
        if super::ready::needs_reading(&object.0.kind, rules) {
            watched.push(object);
            answers.push(answer);
        }
    }
    let judge = |object: &Object, live: Option<&Value>| match live {
        Some(live) => readiness(&object.kind, live, rules),
        None => Readiness::Waiting("the object to exist".into()),
    };
    let by_pods = rules.hooks.then_some(sent);
    wait_until(
        applier,
        &watched,
        Some(&answers),
        by_pods,
        timeout,
        progress,
        &judge,
    )
    .await
}

/// Waits until none of `objects` exists any more, at most `timeout`.
pub async fn wait_deleted(
    applier: &Applier,
    objects: &[(Object, Kind)],
    timeout: Duration,
    progress: &mut dyn Progress,
) -> Result<(), WaitError> {
    let watched: Vec<&(Object, Kind)> = objects.iter().collect();
    let judge = |_: &Object, live: Option<&Value>| match live {
        Some(_) => Readiness::Waiting("its deletion".into()),
        None => Readiness::Ready,
    };
    wait_until(applier, &watched, None, None, timeout, progress, &judge).await
}

/// What a group's watcher saw of one object.
enum Seen {
    Live(Value),
    Absent,
    /// The API server did not answer (restarting, unreachable): the text of the failure.
    Unreachable(String),
    /// What has been seen of a Job's pods (see [`super::job_pods`]).
    Pods(job_pods::Pods),
}

/// Objects of one resource in one namespace, watched together.
struct Group {
    api: Api<DynamicObject>,
    /// Index into the objects waited for, and name.
    members: Vec<(usize, String)>,
    fields: Option<String>,
    labels: Option<String>,
    /// For a group of one object just created: the create's answer, and its `resourceVersion`
    /// to watch from instead of listing first.
    start: Option<(Value, String)>,
}

type Judge<'a> = dyn Fn(&Object, Option<&Value>) -> Readiness + 'a;

/// Waits until `judge` says every object is ready. With `jobs_by_pods` (when the objects were
/// created, for hooks), each created Job's pods are watched too and can make it ready sooner.
async fn wait_until(
    applier: &Applier,
    objects: &[&(Object, Kind)],
    created: Option<&[&Value]>,
    jobs_by_pods: Option<tokio::time::Instant>,
    timeout: Duration,
    progress: &mut dyn Progress,
    judge: &Judge<'_>,
) -> Result<(), WaitError> {
    if objects.is_empty() {
        return Ok(());
    }
    let deadline = tokio::time::Instant::now() + timeout;
    let mut states: Vec<Readiness> =
        vec![Readiness::Waiting("the object to exist".into()); objects.len()];
    let mut seen = vec![false; objects.len()];
    // For Jobs whose pods are watched: the Job's latest state, and what its pods showed.
    let mut jobs: Vec<Option<Value>> = vec![None; objects.len()];
    let mut pods: Vec<Option<job_pods::Pods>> = vec![None; objects.len()];
    let (tx, mut rx) = mpsc::unbounded::<(usize, Seen)>();
    // The first group whose watch fails ends the wait at once (Helm's waiter stops at the first
    // error it cannot retry), whatever the other groups still wait for.
    let watchers = async {
        let mut running: futures::stream::FuturesUnordered<_> = groups(applier, objects, created)
            .into_iter()
            .map(|g| watch_group(g, tx.clone()))
            .collect();
        while let Some(ended) = running.next().await {
            if let Err(e) = ended {
                return e;
            }
        }
        Error::Unreachable("watch ended".into())
    };
    let pod_watches: Vec<(usize, &Value)> = match (jobs_by_pods, created) {
        (Some(_), Some(created)) => objects
            .iter()
            .zip(created)
            .enumerate()
            .filter(|(_, ((object, _), _))| {
                object.kind == "Job" && object.api_version == "batch/v1"
            })
            .map(|(i, (_, answer))| (i, *answer))
            .collect(),
        _ => Vec::new(),
    };
    let pod_watchers = async {
        futures::future::join_all(pod_watches.iter().map(|&(i, answer)| {
            let tx = tx.clone();
            async move {
                let send = move |p| {
                    let _ = tx.unbounded_send((i, Seen::Pods(p)));
                };
                job_pods::watch(applier.client().clone(), answer, &send).await;
            }
        }))
        .await;
        // A pods watch that ended leaves its Job to its condition; nothing else to do.
        std::future::pending::<std::convert::Infallible>().await
    };
    let mut last_report: Vec<(String, String)> = Vec::new();
    let consume = async {
        while let Some((i, update)) = rx.next().await {
            let object = &objects[i].0;
            let state = match update {
                Seen::Live(live) => {
                    seen[i] = true;
                    let state = judge(object, Some(&live));
                    if jobs_by_pods.is_some() {
                        jobs[i] = Some(live);
                    }
                    state
                }
                Seen::Absent => {
                    seen[i] = true;
                    jobs[i] = None;
                    judge(object, None)
                }
                Seen::Unreachable(why) => {
                    seen[i] = true;
                    Readiness::Waiting(format!("the API server to answer ({why})"))
                }
                Seen::Pods(p) => {
                    pods[i] = Some(p);
                    states[i].clone()
                }
            };
            states[i] = match (state, &jobs[i], &pods[i], jobs_by_pods) {
                (Readiness::Waiting(_), Some(job), Some(p), Some(sent))
                    if job_pods::done(job, p, sent.elapsed()) =>
                {
                    Readiness::Ready
                }
                (state, ..) => state,
            };
            if let Readiness::Failed(why) = &states[i] {
                return Err(WaitError::Failed(why.clone()));
            }
            if seen.iter().all(|s| *s) && states.iter().all(|s| *s == Readiness::Ready) {
                if !last_report.is_empty() {
                    progress.waiting(&[], objects.len());
                }
                return Ok(());
            }
            // Report once every object has been seen, and then on every change.
            if seen.iter().all(|s| *s) {
                let report = pending(objects, &states);
                if report != last_report {
                    progress.waiting(&report, objects.len());
                    last_report = report;
                }
            }
        }
        // Every watcher ended: only by an error, sent as Failed before; unreachable here.
        Ok(())
    };
    let outcome = tokio::select! {
        biased;
        r = consume => r,
        e = watchers => Err(WaitError::Cluster(e)),
        never = pod_watchers => match never {},
        () = tokio::time::sleep_until(deadline) => Err(WaitError::Timeout(pending(objects, &states))),
    };
    progress.done();
    outcome
}

/// The objects not ready yet, described, with what each waits for.
fn pending(objects: &[&(Object, Kind)], states: &[Readiness]) -> Vec<(String, String)> {
    objects
        .iter()
        .zip(states)
        .filter_map(|((object, _), state)| match state {
            Readiness::Waiting(why) => Some((object.describe(), why.clone())),
            _ => None,
        })
        .collect()
}

/// Groups objects by resource and namespace.
fn groups(
    applier: &Applier,
    objects: &[&(Object, Kind)],
    created: Option<&[&Value]>,
) -> Vec<Group> {
    let mut by_key: HashMap<(String, Option<String>), Vec<usize>> = HashMap::new();
    let mut order = Vec::new();
    for (i, (object, kind)) in objects.iter().enumerate() {
        let key = (
            format!("{}/{}", kind.resource.api_version, kind.resource.plural),
            object.namespace.clone().filter(|_| kind.namespaced),
        );
        by_key
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(i);
    }
    order
        .into_iter()
        .map(|key| {
            let indices = by_key.remove(&key).unwrap_or_default();
            let (object, kind) = objects[indices[0]];
            let api = applier.api(object, kind);
            let members: Vec<(usize, String)> = indices
                .iter()
                .map(|&i| (i, objects[i].0.name.clone()))
                .collect();
            let fields = (members.len() == 1).then(|| format!("metadata.name={}", members[0].1));
            let all_managed = indices.iter().all(|&i| {
                objects[i]
                    .0
                    .body
                    .pointer("/metadata/labels/app.kubernetes.io~1managed-by")
                    .and_then(Value::as_str)
                    == Some("Helm")
            });
            let labels = (fields.is_none() && all_managed)
                .then(|| "app.kubernetes.io/managed-by=Helm".to_string());
            let start = match (created, indices.as_slice()) {
                (Some(created), &[i]) => created.get(i).and_then(|answer| {
                    let version = answer.pointer("/metadata/resourceVersion")?.as_str()?;
                    Some(((*answer).clone(), version.to_string()))
                }),
                _ => None,
            };
            Group {
                api,
                members,
                fields,
                labels,
                start,
            }
        })
        .collect()
}

fn api_error(group: &Group, verb: &'static str, status: Box<::kube::core::Status>) -> Error {
    Error::Api(super::apply::ApiFailure {
        verb,
        kind: group.api.resource_url().to_string(),
        name: group
            .members
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        message: status.message,
        reason: status.reason,
        code: status.code,
    })
}

/// Lists and watches one group until the wait ends (the caller drops this future), sending what
/// it sees of each member. Returns only on an error the API server gave for the request itself.
async fn watch_group(
    mut group: Group,
    tx: mpsc::UnboundedSender<(usize, Seen)>,
) -> Result<(), Error> {
    let index: HashMap<&str, usize> = group
        .members
        .iter()
        .map(|(i, n)| (n.as_str(), *i))
        .collect();
    let send = |i: usize, seen: Seen| {
        let _ = tx.unbounded_send((i, seen));
    };
    let unreachable = |why: String| {
        for (i, _) in &group.members {
            send(*i, Seen::Unreachable(why.clone()));
        }
    };
    let mut list_params = ListParams::default();
    let mut watch_params = WatchParams::default().timeout(290);
    if let Some(f) = &group.fields {
        list_params = list_params.fields(f);
        watch_params = watch_params.fields(f);
    }
    if let Some(l) = &group.labels {
        list_params = list_params.labels(l);
        watch_params = watch_params.labels(l);
    }
    // A group of one object just created starts from the create's answer; every later round
    // (a watch that ended) lists again.
    if let Some((answer, version)) = group.start.take() {
        send(group.members[0].0, Seen::Live(answer));
        if let Ok(stream) = group.api.watch(&watch_params, &version).await {
            follow(stream, &index, &send).await;
        }
    }
    loop {
        let list = match group.api.list(&list_params).await {
            Ok(list) => list,
            Err(::kube::Error::Api(s)) if s.code == 403 || s.code == 405 => {
                return poll_group(&group, &send).await;
            }
            Err(::kube::Error::Api(s)) if s.code < 500 => return Err(api_error(&group, "list", s)),
            Err(e) => {
                unreachable(short(&e));
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let version = list.metadata.resource_version.clone().unwrap_or_default();
        let mut live: HashMap<String, DynamicObject> = list
            .items
            .into_iter()
            .filter_map(|o| o.metadata.name.clone().map(|n| (n, o)))
            .collect();
        for (i, name) in &group.members {
            match live.remove(name) {
                Some(o) => send(*i, Seen::Live(to_value(o))),
                None => send(*i, Seen::Absent),
            }
        }
        let stream = match group.api.watch(&watch_params, &version).await {
            Ok(stream) => stream,
            Err(::kube::Error::Api(s)) if s.code == 403 || s.code == 405 => {
                return poll_group(&group, &send).await;
            }
            Err(e) => {
                unreachable(short(&e));
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        follow(stream, &index, &send).await;
        // A watch the server ended normally is renewed at once; a short pause keeps a server
        // that keeps closing watches from being flooded.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sends what a watch reports of the group's members until it ends (the server's timeout,
/// `410 Gone` when the version is too old, a broken stream).
async fn follow(
    stream: impl futures::Stream<Item = Result<WatchEvent<DynamicObject>, ::kube::Error>>,
    index: &HashMap<&str, usize>,
    send: &dyn Fn(usize, Seen),
) {
    let mut stream = std::pin::pin!(stream);
    while let Some(event) = stream.next().await {
        match event {
            Ok(WatchEvent::Added(o) | WatchEvent::Modified(o)) => {
                if let Some(&i) = o.metadata.name.as_deref().and_then(|n| index.get(n)) {
                    send(i, Seen::Live(to_value(o)));
                }
            }
            Ok(WatchEvent::Deleted(o)) => {
                if let Some(&i) = o.metadata.name.as_deref().and_then(|n| index.get(n)) {
                    send(i, Seen::Absent);
                }
            }
            Ok(WatchEvent::Bookmark(_)) => {}
            Ok(WatchEvent::Error(_)) | Err(_) => break,
        }
    }
}

/// Where the server refuses watches: re-reads each member every half second.
async fn poll_group(group: &Group, send: &dyn Fn(usize, Seen)) -> Result<(), Error> {
    loop {
        for (i, name) in &group.members {
            match group.api.get_opt(name).await {
                Ok(Some(o)) => send(*i, Seen::Live(to_value(o))),
                Ok(None) => send(*i, Seen::Absent),
                Err(::kube::Error::Api(s)) if s.code < 500 => {
                    return Err(api_error(group, "get", s))
                }
                Err(e) => send(*i, Seen::Unreachable(short(&e))),
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn to_value(object: DynamicObject) -> Value {
    serde_json::to_value(object).unwrap_or(Value::Null)
}

/// A transport failure in one line (kube-rs nests the cause).
fn short(e: &::kube::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = s.source();
    }
    text
}
