//! `list`: which releases to show, in which order. Mirrors `pkg/action/list.go` (Helm v3.17.3).
//!
//! Helm downloads and decodes every record of the namespace and then filters; here the filters that
//! only need labels (latest revision per release, status, `-l` selector, `-f` on the name label) run
//! on the records' labels (listed without payloads when the driver can: Kubernetes' metadata-only
//! lists), and only the records that survive are fetched and decoded, and then only the fields
//! `list` prints ([`Summary`]). Label and payload agree on name, version and status for every
//! record Helm or Rudder writes (Helm reads by the same labels).
use std::collections::HashMap;

use crate::storage::{self, RawRecord, Status, Storage, Summary};

/// Which statuses to show. Mirrors `action.ListStates`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StateMask(u32);

impl StateMask {
    pub const DEPLOYED: StateMask = StateMask(1);
    pub const UNINSTALLED: StateMask = StateMask(1 << 1);
    pub const UNINSTALLING: StateMask = StateMask(1 << 2);
    pub const PENDING_INSTALL: StateMask = StateMask(1 << 3);
    pub const PENDING_UPGRADE: StateMask = StateMask(1 << 4);
    pub const PENDING_ROLLBACK: StateMask = StateMask(1 << 5);
    pub const SUPERSEDED: StateMask = StateMask(1 << 6);
    pub const FAILED: StateMask = StateMask(1 << 7);
    pub const UNKNOWN: StateMask = StateMask(1 << 8);
    pub const ALL: StateMask = StateMask((1 << 8) - 1);

    pub fn union(self, other: StateMask) -> StateMask {
        StateMask(self.0 | other.0)
    }

    /// `FromName`: the bit of a status (`UNKNOWN` for anything else).
    pub fn of(status: &str) -> StateMask {
        match status {
            "deployed" => Self::DEPLOYED,
            "uninstalled" => Self::UNINSTALLED,
            "superseded" => Self::SUPERSEDED,
            "failed" => Self::FAILED,
            "uninstalling" => Self::UNINSTALLING,
            "pending-install" => Self::PENDING_INSTALL,
            "pending-upgrade" => Self::PENDING_UPGRADE,
            "pending-rollback" => Self::PENDING_ROLLBACK,
            _ => Self::UNKNOWN,
        }
    }

    fn matches(self, status: &str) -> bool {
        self.0 & Self::of(status).0 != 0
    }
}

/// `list`'s options. Mirrors the fields of `action.List`.
#[derive(Clone, Debug, Default)]
pub struct ListOptions {
    pub all: bool,
    pub deployed: bool,
    pub failed: bool,
    pub pending: bool,
    pub superseded: bool,
    pub uninstalled: bool,
    pub uninstalling: bool,
    /// `-d`: sort by date.
    pub by_date: bool,
    /// `-r`.
    pub reverse: bool,
    /// `--max` (0: no limit).
    pub limit: usize,
    pub offset: usize,
    /// `-f`: a regular expression on the release name.
    pub filter: Option<String>,
    /// `-l`: a label selector.
    pub selector: Option<String>,
}

impl ListOptions {
    /// `SetStateMask`.
    pub fn state_mask(&self) -> StateMask {
        if self.all {
            return StateMask::ALL;
        }
        let mut m = StateMask::default();
        let mut add = |on: bool, bits: StateMask| {
            if on {
                m = m.union(bits);
            }
        };
        add(self.deployed, StateMask::DEPLOYED);
        add(self.uninstalled, StateMask::UNINSTALLED);
        add(self.uninstalling, StateMask::UNINSTALLING);
        add(
            self.pending,
            StateMask::PENDING_INSTALL
                .union(StateMask::PENDING_ROLLBACK)
                .union(StateMask::PENDING_UPGRADE),
        );
        add(self.failed, StateMask::FAILED);
        add(self.superseded, StateMask::SUPERSEDED);
        if m == StateMask::default() {
            m = StateMask::DEPLOYED.union(StateMask::FAILED);
        }
        m
    }
}

/// Why `list` failed.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Storage(#[from] storage::Error),
    /// `-f` is not a valid regular expression.
    #[error("error parsing regexp: {0}")]
    Filter(String),
    /// `-l` is not a valid selector.
    #[error("{0}")]
    Selector(String),
}

/// A release as `list` prints it.
#[derive(Clone, Debug)]
pub struct Listed {
    pub summary: Summary,
    pub labels: std::collections::BTreeMap<String, String>,
}

/// Runs `list` over a storage (a namespace, or all of them).
pub async fn run(storage: &Storage, opts: &ListOptions) -> Result<Vec<Listed>, ListError> {
    let filter = match &opts.filter {
        Some(f) if !f.is_empty() => {
            Some(regex::Regex::new(f).map_err(|e| ListError::Filter(e.to_string()))?)
        }
        _ => None,
    };
    let selector = Selector::parse(opts.selector.as_deref().unwrap_or(""))?;
    let mask = opts.state_mask();
    // Labels first when the store can list them alone: payloads are then fetched only for the
    // records that survive the filters (a tenth of them with ten revisions per release).
    let (raws, fetch_later) = match storage.list_labels().await? {
        Some(labels_only) => (labels_only, true),
        None => (storage.list_raw().await?, false),
    };
    let label = |r: &RawRecord, k: &str| r.labels.get(k).cloned().unwrap_or_default();
    let mut kept: Vec<&RawRecord> = raws
        .iter()
        .filter(|r| {
            filter
                .as_ref()
                .is_none_or(|re| re.is_match(&label(r, "name")))
        })
        .collect();
    if mask != StateMask::SUPERSEDED {
        let mut latest: HashMap<(String, String), &RawRecord> = HashMap::new();
        for r in kept {
            let k = (r.namespace.clone(), label(r, "name"));
            match latest.get(&k) {
                Some(prev) if prev.revision_label() > r.revision_label() => {}
                _ => {
                    latest.insert(k, r);
                }
            }
        }
        kept = latest.into_values().collect();
    }
    kept.retain(|r| mask.matches(&label(r, "status")) && selector.matches(&r.labels));
    let fetched;
    let kept: Vec<&RawRecord> = if fetch_later {
        fetched = storage.fetch(kept.into_iter().cloned().collect()).await?;
        fetched.iter().collect()
    } else {
        kept
    };
    let mut listed = Vec::with_capacity(kept.len());
    for r in kept {
        match r.decode_summary() {
            Ok(summary) => listed.push(Listed {
                summary,
                labels: r.labels.clone(),
            }),
            // Helm skips records it cannot decode.
            Err(_) => continue,
        }
    }
    sort(&mut listed, opts);
    if opts.offset >= listed.len() {
        return Ok(Vec::new());
    }
    let limit = if opts.limit > 0 && opts.limit < listed.len() {
        opts.limit
    } else {
        listed.len()
    };
    let end = (opts.offset + limit).min(listed.len());
    Ok(listed.drain(opts.offset..end).collect())
}

/// Helm's orders: by name; `-r` by name descending; `-d` by date ascending (sic); `-d -r` by date
/// descending. Dates compare in whole seconds.
fn sort(list: &mut [Listed], opts: &ListOptions) {
    let by_name = |a: &Listed, b: &Listed| a.summary.name.cmp(&b.summary.name);
    let by_date = |a: &Listed, b: &Listed| {
        a.summary
            .last_deployed()
            .unix()
            .cmp(&b.summary.last_deployed().unix())
    };
    match (opts.by_date, opts.reverse) {
        (true, false) => list.sort_by(by_date),
        (true, true) => list.sort_by(|a, b| by_date(b, a)),
        (false, true) => list.sort_by(|a, b| by_name(b, a)),
        (false, false) => list.sort_by(by_name),
    }
}

/// A Kubernetes label selector (`k8s.io/apimachinery/pkg/labels.Parse`): comma-separated
/// requirements `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`.
#[derive(Debug, Default)]
pub struct Selector(Vec<Requirement>);

#[derive(Debug)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, ListError> {
        let mut reqs = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let bad = || ListError::Selector(format!("unable to parse requirement: {part:?}"));
            let req = if let Some(k) = part.strip_prefix('!') {
                Requirement::NotExists(k.trim().to_string())
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = part.split_once("==") {
                Requirement::Equals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = part.split_once('=') {
                Requirement::Equals(k.trim().into(), v.trim().into())
            } else if let Some((k, rest)) = part.split_once(" notin ") {
                Requirement::NotIn(k.trim().into(), set_values(rest).ok_or_else(bad)?)
            } else if let Some((k, rest)) = part.split_once(" in ") {
                Requirement::In(k.trim().into(), set_values(rest).ok_or_else(bad)?)
            } else if part.contains(' ') || part.contains('(') {
                return Err(bad());
            } else {
                Requirement::Exists(part.to_string())
            };
            reqs.push(req);
        }
        Ok(Selector(reqs))
    }

    pub fn matches(&self, labels: &std::collections::BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::NotExists(k) => !labels.contains_key(k),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
        })
    }
}

fn set_values(rest: &str) -> Option<Vec<String>> {
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.split(',').map(|s| s.trim().to_string()).collect())
}

/// Splits on commas outside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The status of a listed release.
pub fn status_of(l: &Listed) -> Status {
    l.summary.status()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::record::{Chart, Info, Metadata, Release};
    use crate::storage::{Memory, Record};

    fn rel(ns: &str, name: &str, v: i64, status: Status, secs: i64) -> Release {
        Release {
            name: name.into(),
            namespace: ns.into(),
            version: v,
            info: Some(Info {
                status,
                last_deployed: storage::Time::parse(&format!("2026-01-01T00:00:{secs:02}Z"))
                    .unwrap(),
                ..Default::default()
            }),
            chart: Some(Chart {
                metadata: Some(Metadata {
                    name: "c".into(),
                    version: "1.0.0".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn names(l: &[Listed]) -> Vec<String> {
        l.iter()
            .map(|x| {
                format!(
                    "{}/{}:{}",
                    x.summary.namespace, x.summary.name, x.summary.version
                )
            })
            .collect()
    }

    #[test]
    fn filters_like_helm() {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(async {
                let mem = Memory::new(None);
                let put = |ns: &str, r: Release| {
                    let s = Storage::new(Box::new(mem.in_namespace(Some(ns.to_string()))));
                    async move { s.create(&mut Record::new(r)).await.unwrap() }
                };
                put("a", rel("a", "one", 1, Status::Superseded, 1)).await;
                put("a", rel("a", "one", 2, Status::Deployed, 5)).await;
                put("a", rel("a", "two", 1, Status::Failed, 3)).await;
                put("a", rel("a", "three", 1, Status::Uninstalled, 2)).await;
                put("b", rel("b", "one", 1, Status::PendingInstall, 4)).await;
                let a = Storage::new(Box::new(mem.in_namespace(Some("a".into()))));
                let all = Storage::new(Box::new(mem.in_namespace(None)));
                let run = |s: &'static str, o: ListOptions| {
                    let st = if s == "a" { &a } else { &all };
                    async move { names(&run(st, &o).await.unwrap()) }
                };
                assert_eq!(
                    run("a", ListOptions::default()).await,
                    ["a/one:2", "a/two:1"]
                );
                assert_eq!(
                    run(
                        "a",
                        ListOptions {
                            all: true,
                            ..Default::default()
                        }
                    )
                    .await,
                    ["a/one:2", "a/three:1", "a/two:1"]
                );
                assert_eq!(
                    run(
                        "a",
                        ListOptions {
                            superseded: true,
                            ..Default::default()
                        }
                    )
                    .await,
                    ["a/one:1"]
                );
                assert_eq!(
                    run(
                        "*",
                        ListOptions {
                            all: true,
                            by_date: true,
                            ..Default::default()
                        }
                    )
                    .await,
                    ["a/three:1", "a/two:1", "b/one:1", "a/one:2"]
                );
                assert_eq!(
                    run(
                        "*",
                        ListOptions {
                            pending: true,
                            ..Default::default()
                        }
                    )
                    .await,
                    ["b/one:1"]
                );
                assert_eq!(
                    run(
                        "a",
                        ListOptions {
                            all: true,
                            reverse: true,
                            offset: 1,
                            limit: 1,
                            ..Default::default()
                        }
                    )
                    .await,
                    ["a/three:1"]
                );
                assert_eq!(
                    run(
                        "a",
                        ListOptions {
                            filter: Some("^t".into()),
                            ..Default::default()
                        }
                    )
                    .await,
                    ["a/two:1"]
                );
                assert_eq!(
                    run(
                        "a",
                        ListOptions {
                            selector: Some("status!=failed".into()),
                            ..Default::default()
                        }
                    )
                    .await,
                    ["a/one:2"]
                );
            });
    }

    #[test]
    fn selectors() {
        let labels = [("a", "1"), ("b", "2")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (sel, want) in [
            ("", true),
            ("a=1", true),
            ("a==1,b=2", true),
            ("a!=1", false),
            ("c", false),
            ("!c", true),
            ("a in (1, 3)", true),
            ("b notin (2)", false),
        ] {
            assert_eq!(
                Selector::parse(sel).unwrap().matches(&labels),
                want,
                "{sel}"
            );
        }
    }
}
