//! Release storage: the record model ([`record`]), its Helm-compatible encoding ([`codec`],
//! [`gojson`]), the [`Driver`] trait and its drivers (`secret`, `configmap`, `memory`), and
//! [`Storage`] on top, which owns history, pruning, the deployed/last lookups and the pending lock.
//! Mirrors `pkg/storage` of Helm v3.17.3; see docs/releases.md for the format and the differences.
//!
//! Records written here are what Helm 3.17 writes (object name, type, labels, payload), so Helm reads
//! them; records Helm 3 or Helm 4 wrote decode here, unknown fields included.
//!
//! What this module does not do: render, apply, or decide policy (which revision to roll back to,
//! when to supersede). Those belong to the actions that call it.
use std::collections::BTreeMap;
use std::sync::Mutex;

pub mod codec;
pub mod driver;
pub mod error;
pub mod gojson;
pub mod kube_objects;
pub mod memory;
pub mod record;
pub mod sql;

pub use driver::{Driver, RawRecord, WriteRecord, LOCK_HOLDER_ANNOTATION, SYSTEM_LABELS};
pub use error::Error;
pub use kube_objects::{KubeObjects, ObjectKind};
pub use memory::Memory;
pub use record::{Release, Status, Summary, Time};

/// `HelmStorageType`: the prefix of every record's name.
pub const STORAGE_TYPE: &str = "sh.helm.release.v1";

/// Kubernetes' limit on the data of one object (a Secret's or ConfigMap's `data`).
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Checks that a release's record fits in one Kubernetes object, before anything is applied.
/// Returns the encoded size, or [`Error::TooLarge`] naming the largest files and the manifest.
pub fn check_size(release: &Release) -> Result<usize, Error> {
    let data = codec::encode(release).map_err(|e| Error::Encode {
        name: release.name.clone(),
        detail: e.to_string(),
    })?;
    if data.len() <= MAX_RECORD_BYTES {
        return Ok(data.len());
    }
    let mut parts: Vec<(String, usize)> = Vec::new();
    if let Some(chart) = &release.chart {
        for f in chart.templates.iter().chain(chart.files.iter()).flatten() {
            parts.push((f.name.clone(), f.data.as_ref().map_or(0, Vec::len)));
        }
    }
    parts.push(("the rendered manifest".to_string(), release.manifest.len()));
    parts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let largest = parts
        .iter()
        .take(5)
        .map(|(name, n)| format!("{name} ({n} bytes)"))
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::TooLarge {
        name: release.name.clone(),
        revision: release.version,
        size: data.len(),
        limit: MAX_RECORD_BYTES,
        largest,
    })
}

/// The default `--history-max` (`HELM_MAX_HISTORY`).
pub const DEFAULT_MAX_HISTORY: usize = 10;

/// The record name of a revision: `sh.helm.release.v1.<name>.v<revision>` (`makeKey`).
pub fn key(name: &str, revision: i64) -> String {
    format!("{STORAGE_TYPE}.{name}.v{revision}")
}

/// Who holds a pending revision (the lock): written beside the record in a form Helm ignores (an
/// annotation), shown by `status`, and checked by `release-lock` before it frees a release.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LockHolder {
    pub host: String,
    pub pid: u32,
    /// When the operation started (RFC 3339).
    pub started: String,
}

impl LockHolder {
    /// This process, starting now.
    pub fn current() -> LockHolder {
        LockHolder {
            host: hostname(),
            pid: std::process::id(),
            started: Time::now().rfc3339(),
        }
    }

    /// Whether the holder is this machine's process that no longer runs. `None` when that cannot
    /// be known here (another host).
    pub fn is_gone(&self) -> Option<bool> {
        if self.host != hostname() {
            return None;
        }
        Some(!std::path::Path::new(&format!("/proc/{}", self.pid)).exists())
    }
}

/// This machine's name (`/proc/sys/kernel/hostname`, else `$HOSTNAME`).
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_string())
}

/// A decoded release with what its store says about it.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub release: Release,
    /// Helm's `rls.Labels`: without system labels when read by [`Storage::get`], all labels when read
    /// by a query (history, deployed, last). Written back on create/update, as Helm does.
    pub labels: BTreeMap<String, String>,
    /// The store's version when read; updates are conditional on it.
    pub resource_version: Option<String>,
    /// The lock holder of a pending revision, when Rudder wrote it.
    pub holder: Option<LockHolder>,
    /// How to name the record in messages (`Secret ns/key`).
    pub object: String,
}

impl Record {
    /// A record for a release that is not stored yet.
    pub fn new(release: Release) -> Record {
        Record {
            release,
            ..Default::default()
        }
    }

    fn from_raw(raw: &RawRecord, keep_system_labels: bool) -> Result<Record, Error> {
        let release = raw.decode()?;
        let labels = if keep_system_labels {
            raw.labels.clone()
        } else {
            raw.labels
                .iter()
                .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        Ok(Record {
            release,
            labels,
            resource_version: raw.resource_version.clone(),
            holder: raw
                .annotations
                .get(LOCK_HOLDER_ANNOTATION)
                .and_then(|h| serde_json::from_str(h).ok()),
            object: raw.object.clone(),
        })
    }
}

/// Release history on top of a driver. Mirrors `storage.Storage`.
pub struct Storage {
    driver: Box<dyn Driver>,
    /// `--history-max`: 0 keeps every revision.
    pub max_history: usize,
    /// Records skipped because they could not be decoded (Helm skips them silently).
    skipped: Mutex<Vec<Error>>,
    /// Whether an undecodable record fails a read instead of being skipped
    /// ([`Storage::refusing_undecodable`]).
    strict: bool,
}

impl Storage {
    pub fn new(driver: Box<dyn Driver>) -> Storage {
        Storage {
            driver,
            max_history: 0,
            skipped: Mutex::new(Vec::new()),
            strict: false,
        }
    }

    /// For commands that write: a record of the release that cannot be decoded fails the read,
    /// naming it, instead of being skipped. Helm skips it there too, and then fails with
    /// `release: already exists` (upgrade, rollback: the next revision is the unreadable one) or
    /// uninstalls the objects and leaves the unreadable record behind.
    pub fn refusing_undecodable(mut self) -> Storage {
        self.strict = true;
        self
    }

    pub fn with_max_history(mut self, max: usize) -> Storage {
        self.max_history = max;
        self
    }

    /// The driver's Helm name (`Secret`, `ConfigMap`, `Memory`, `SQL`).
    pub fn driver_name(&self) -> &'static str {
        self.driver.name()
    }

    /// Decode errors of records that reads skipped since the last call, for the caller to report.
    pub fn take_skipped(&self) -> Vec<Error> {
        std::mem::take(&mut *self.skipped.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn decode_all(&self, raws: &[RawRecord]) -> Result<Vec<Record>, Error> {
        let mut out = Vec::with_capacity(raws.len());
        for raw in raws {
            match Record::from_raw(raw, true) {
                Ok(r) => out.push(r),
                Err(e) if self.strict => return Err(e),
                Err(e) => self
                    .skipped
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(e),
            }
        }
        Ok(out)
    }

    /// One revision (`Storage.Get`); system labels are not in [`Record::labels`].
    pub async fn get(&self, name: &str, revision: i64) -> Result<Record, Error> {
        let raw = self.driver.get(&key(name, revision)).await?;
        Record::from_raw(&raw, false)
    }

    /// Every revision of a release, in no particular order (`Storage.History`);
    /// [`Error::NotFound`] when there is none.
    pub async fn history(&self, name: &str) -> Result<Vec<Record>, Error> {
        let raws = self
            .driver
            .query(&[("name", name), ("owner", "helm")])
            .await?;
        if raws.is_empty() {
            return Err(Error::NotFound);
        }
        self.decode_all(&raws)
    }

    /// Every deployed revision (`DeployedAll`); [`Error::NoDeployed`] when there is none.
    pub async fn deployed_all(&self, name: &str) -> Result<Vec<Record>, Error> {
        let raws = self
            .driver
            .query(&[("name", name), ("owner", "helm"), ("status", "deployed")])
            .await?;
        if raws.is_empty() {
            return Err(Error::NoDeployed(name.to_string()));
        }
        self.decode_all(&raws)
    }

    /// The newest deployed revision (`Deployed`).
    pub async fn deployed(&self, name: &str) -> Result<Record, Error> {
        let selector = [("name", name), ("owner", "helm"), ("status", "deployed")];
        if let Some(newest) = self.newest_by_labels(&selector).await? {
            return newest.ok_or_else(|| Error::NoDeployed(name.to_string()));
        }
        let mut all = self.deployed_all(name).await?;
        all.sort_by_key(|r| std::cmp::Reverse(r.release.version));
        all.into_iter()
            .next()
            .ok_or_else(|| Error::NoDeployed(name.to_string()))
    }

    /// The newest revision whatever its status (`Last`).
    pub async fn last(&self, name: &str) -> Result<Record, Error> {
        if let Some(newest) = self
            .newest_by_labels(&[("name", name), ("owner", "helm")])
            .await?
        {
            return newest.ok_or(Error::NotFound);
        }
        let mut all = self.history(name).await?;
        all.sort_by_key(|r| std::cmp::Reverse(r.release.version));
        all.into_iter()
            .next()
            .ok_or_else(|| Error::NoRevision(name.to_string()))
    }

    /// The records `selector` matches, labels only (see [`Driver::query_labels`]), each with its
    /// revision from its `version` label; `None` when the driver cannot list labels alone or a
    /// record's `version` label is missing or not a number (then the payloads decide).
    async fn versions_by_labels(
        &self,
        selector: &[(&str, &str)],
    ) -> Result<Option<Vec<(i64, RawRecord)>>, Error> {
        let Some(raws) = self.driver.query_labels(selector).await? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(raws.len());
        for raw in raws {
            match raw
                .labels
                .get("version")
                .and_then(|v| v.parse::<i64>().ok())
            {
                Some(version) => out.push((version, raw)),
                None => return Ok(None),
            }
        }
        Ok(Some(out))
    }

    /// The newest record `selector` matches, found by the labels and only it fetched and decoded:
    /// `Some(None)` when none matches; `None` when the labels cannot tell or the newest record
    /// cannot be decoded (then the caller reads every payload, as Helm does, and skips or refuses
    /// the undecodable one as it would).
    async fn newest_by_labels(
        &self,
        selector: &[(&str, &str)],
    ) -> Result<Option<Option<Record>>, Error> {
        let Some(versions) = self.versions_by_labels(selector).await? else {
            return Ok(None);
        };
        let Some((_, newest)) = versions.into_iter().max_by_key(|(v, _)| *v) else {
            return Ok(Some(None));
        };
        let fetched = self.driver.fetch(vec![newest]).await?;
        match fetched.first().map(|raw| Record::from_raw(raw, true)) {
            Some(Ok(record)) => Ok(Some(Some(record))),
            _ => Ok(None),
        }
    }

    /// Every record (`owner=helm`) undecoded, for `list` to decode only what it prints.
    pub async fn list_raw(&self) -> Result<Vec<RawRecord>, Error> {
        self.driver.query(&[("owner", "helm")]).await
    }

    /// Every record's labels without payloads, when the driver can list them cheaply (then
    /// [`Storage::fetch`] the ones needed); `None` when it cannot.
    pub async fn list_labels(&self) -> Result<Option<Vec<RawRecord>>, Error> {
        self.driver.query_labels(&[("owner", "helm")]).await
    }

    /// The payloads of records from [`Storage::list_labels`].
    pub async fn fetch(&self, records: Vec<RawRecord>) -> Result<Vec<RawRecord>, Error> {
        self.driver.fetch(records).await
    }

    /// Stores a new revision (`Storage.Create`): first prunes the history to `max_history - 1`
    /// revisions, never removing the newest deployed one; then creates the record, which fails with
    /// [`Error::Exists`] if another client created that revision first.
    pub async fn create(&self, record: &mut Record) -> Result<(), Error> {
        if self.max_history > 0 {
            match self
                .remove_least_recent(&record.release.name, self.max_history - 1)
                .await
            {
                Ok(()) | Err(Error::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        let write = self.write_record(record, "createdAt")?;
        record.resource_version = self.driver.create(&write).await?;
        Ok(())
    }

    /// Replaces a stored revision (`Storage.Update`). When the record was read from the store, the
    /// write succeeds only if nobody changed it since ([`Error::Conflict`] otherwise).
    pub async fn update(&self, record: &mut Record) -> Result<(), Error> {
        let write = self.write_record(record, "modifiedAt")?;
        record.resource_version = self
            .driver
            .update(&write, record.resource_version.as_deref())
            .await?;
        Ok(())
    }

    /// [`Storage::update`], tried again every second while the cluster cannot be reached (an API
    /// server restarting answers nothing, then `503`), for at most `patience`: so that an
    /// operation that failed because the server went away still gets its `failed` record.
    pub async fn update_when_reachable(
        &self,
        record: &mut Record,
        patience: std::time::Duration,
    ) -> Result<(), Error> {
        let deadline = std::time::Instant::now() + patience;
        loop {
            match self.update(record).await {
                Err(e) if e.is_unreachable() && std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
                result => return result,
            }
        }
    }

    /// Deletes a revision (`Storage.Delete`) and returns it.
    pub async fn delete(&self, name: &str, revision: i64) -> Result<Record, Error> {
        let k = key(name, revision);
        let raw = self.driver.get(&k).await?;
        let record = Record::from_raw(&raw, false);
        self.driver.delete(&k).await?;
        record
    }

    /// Deletes the oldest revisions until `max` remain, keeping the newest deployed one
    /// (`removeLeastRecent`).
    async fn remove_least_recent(&self, name: &str, max: usize) -> Result<(), Error> {
        let selector = [("name", name), ("owner", "helm")];
        let (versions, last_deployed) = match self.versions_by_labels(&selector).await? {
            // The labels say what Helm's decoded records say (the `status` label is the status).
            Some(found) => {
                let deployed = found
                    .iter()
                    .filter(|(_, raw)| {
                        raw.labels.get("status").map(String::as_str) == Some("deployed")
                    })
                    .map(|(v, _)| *v)
                    .max();
                (
                    found.into_iter().map(|(v, _)| v).collect::<Vec<_>>(),
                    deployed,
                )
            }
            None => {
                let history = self.history(name).await?;
                if history.len() <= max {
                    return Ok(());
                }
                let deployed = match self.deployed(name).await {
                    Ok(r) => Some(r.release.version),
                    Err(Error::NoDeployed(_)) => None,
                    Err(e) => return Err(e),
                };
                (
                    history.iter().map(|r| r.release.version).collect(),
                    deployed,
                )
            }
        };
        let mut versions = versions;
        if versions.len() <= max {
            return Ok(());
        }
        versions.sort_unstable();
        let mut to_delete = Vec::new();
        for version in &versions {
            if versions.len() - to_delete.len() == max {
                break;
            }
            if last_deployed != Some(*version) {
                to_delete.push(key(name, *version));
            }
        }
        // Deleted together (Helm deletes one after another; the outcome is the same).
        let results =
            futures::future::join_all(to_delete.iter().map(|k| self.driver.delete(k))).await;
        let mut errors: Vec<Error> = results.into_iter().filter_map(Result::err).collect();
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            n => Err(Error::Backend(format!(
                "encountered {n} deletion errors. First is: {}",
                errors[0]
            ))),
        }
    }

    /// The object to write for `record`, labelled as Helm labels it: the release's labels, the
    /// timestamp label (`createdAt` on create, `modifiedAt` on update), the release's labels again
    /// (so a stale timestamp carried in them wins, as in Helm), then `name`, `owner`, `status`,
    /// `version`.
    fn write_record(&self, record: &Record, stamp: &str) -> Result<WriteRecord, Error> {
        let release = &record.release;
        let data = codec::encode(release).map_err(|e| Error::Encode {
            name: release.name.clone(),
            detail: e.to_string(),
        })?;
        if data.len() > MAX_RECORD_BYTES {
            // The API server would refuse it with only "Too long"; say what made it large.
            check_size(release)?;
        }
        let mut labels = record.labels.clone();
        labels.insert(
            stamp.to_string(),
            chrono::Utc::now().timestamp().to_string(),
        );
        labels.extend(record.labels.clone());
        labels.insert("name".into(), release.name.clone());
        labels.insert("owner".into(), "helm".into());
        labels.insert("status".into(), release.status().to_string());
        labels.insert("version".into(), release.version.to_string());
        let mut annotations = BTreeMap::new();
        if let (Some(holder), true) = (&record.holder, release.status().is_pending()) {
            annotations.insert(
                LOCK_HOLDER_ANNOTATION.to_string(),
                serde_json::to_string(holder).unwrap_or_default(),
            );
        }
        Ok(WriteRecord {
            key: key(&release.name, release.version),
            labels,
            annotations,
            data,
        })
    }
}

#[cfg(test)]
mod tests;

/// Which driver holds the records: `HELM_DRIVER` and, for `sql`,
/// `HELM_DRIVER_SQL_CONNECTION_STRING`, as the CLI read them.
#[derive(Clone, Debug, Default)]
pub struct DriverChoice {
    /// `secret`/`secrets`/empty, `configmap`/`configmaps`, `memory` or `sql`.
    pub driver: String,
    /// The libpq connection string of the `sql` driver.
    pub sql_connection: String,
}

impl DriverChoice {
    /// From `HELM_DRIVER` and `HELM_DRIVER_SQL_CONNECTION_STRING`.
    pub fn from_env() -> DriverChoice {
        DriverChoice {
            driver: std::env::var("HELM_DRIVER").unwrap_or_default(),
            sql_connection: std::env::var("HELM_DRIVER_SQL_CONNECTION_STRING").unwrap_or_default(),
        }
    }

    /// The named driver with no connection string (every driver but `sql`).
    pub fn named(driver: &str) -> DriverChoice {
        DriverChoice {
            driver: driver.to_string(),
            sql_connection: String::new(),
        }
    }
}

/// The storage a [`DriverChoice`] names, over one namespace or, with `None`, all of them (for
/// reads). Mirrors `action.Configuration.Init`.
pub async fn open(
    choice: &DriverChoice,
    cluster: &crate::kube::Cluster,
    namespace: Option<String>,
) -> Result<Storage, Error> {
    let driver: Box<dyn Driver> = match choice.driver.as_str() {
        "secret" | "secrets" | "" => Box::new(KubeObjects::new(
            ObjectKind::Secret,
            cluster.clone(),
            namespace,
        )),
        "configmap" | "configmaps" => Box::new(KubeObjects::new(
            ObjectKind::ConfigMap,
            cluster.clone(),
            namespace,
        )),
        "memory" => Box::new(Memory::new(namespace)),
        "sql" => Box::new(sql::Sql::connect(&choice.sql_connection, namespace).await?),
        other => return Err(Error::Backend(format!("unknown driver {other:?}"))),
    };
    Ok(Storage::new(driver))
}
