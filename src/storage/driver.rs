//! The `Driver` trait: where records are kept. Mirrors `pkg/storage/driver.Driver` (v3.17.3), with
//! two differences that make Rudder safer without changing what Helm sees:
//! - reads return records undecoded ([`RawRecord`]), so `list` decodes only what it prints;
//! - every record carries the store's version (`resourceVersion`), and an update with a version
//!   fails with [`Error::Conflict`] when the record changed since it was read.
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use super::codec;
use super::error::Error;
use super::record::{Release, Summary};

/// A boxed future, as trait objects need.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Labels every record has (`driver.systemLabels`); `get` hides them as Helm does.
pub const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// The annotation holding the holder of a pending (locked) revision. Helm ignores annotations on
/// its records, and its own updates drop them.
pub const LOCK_HOLDER_ANNOTATION: &str = "rudder.sh/lock-holder";

/// A record as stored, not yet decoded.
#[derive(Clone, Debug, Default)]
pub struct RawRecord {
    /// The object's name (`sh.helm.release.v1.<name>.v<revision>`).
    pub key: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// The store's version of the record (Kubernetes `resourceVersion`).
    pub resource_version: Option<String>,
    /// `data.release`: base64 of gzip of JSON.
    pub data: Vec<u8>,
    /// How to name the record in messages (`Secret ns/key`).
    pub object: String,
}

impl RawRecord {
    fn decode_error(&self, source: codec::DecodeError) -> Error {
        Error::Decode {
            key: self.key.clone(),
            object: self.object.clone(),
            source,
        }
    }

    /// The whole release.
    pub fn decode(&self) -> Result<Release, Error> {
        codec::decode(&self.data).map_err(|e| self.decode_error(e))
    }

    /// Only what `list` prints.
    pub fn decode_summary(&self) -> Result<Summary, Error> {
        codec::decode_summary(&self.data).map_err(|e| self.decode_error(e))
    }

    /// The `version` label as a number (0 when missing).
    pub fn revision_label(&self) -> i64 {
        self.labels
            .get("version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

/// A record to write: the object's name, labels, annotations and payload.
#[derive(Clone, Debug, Default)]
pub struct WriteRecord {
    pub key: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub data: String,
}

/// Where release records live. Implemented by the `secret`, `configmap`, `memory` and `sql` drivers.
pub trait Driver: Send + Sync {
    /// Helm's driver name (`Secret`, `ConfigMap`, `Memory`, `SQL`).
    fn name(&self) -> &'static str;
    /// The record named `key`, or [`Error::NotFound`].
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<RawRecord, Error>>;
    /// Every record whose labels include all of `labels` (`owner=helm` is always among them).
    fn query<'a>(
        &'a self,
        labels: &'a [(&'a str, &'a str)],
    ) -> BoxFuture<'a, Result<Vec<RawRecord>, Error>>;
    /// Creates a record; [`Error::Exists`] when one with that key exists. Returns its version.
    fn create<'a>(
        &'a self,
        record: &'a WriteRecord,
    ) -> BoxFuture<'a, Result<Option<String>, Error>>;
    /// Replaces a record. With `resource_version`, fails with [`Error::Conflict`] unless the stored
    /// record still has that version. Returns the new version.
    fn update<'a>(
        &'a self,
        record: &'a WriteRecord,
        resource_version: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<String>, Error>>;
    /// Deletes a record; [`Error::NotFound`] when there is none.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>>;

    /// Like [`Driver::query`] but without payloads (`data` empty), when the store can list labels
    /// much more cheaply than whole records (Kubernetes' metadata-only lists); `None` otherwise.
    /// `list` filters on labels first and then [`Driver::fetch`]es only the records it prints.
    fn query_labels<'a>(
        &'a self,
        _labels: &'a [(&'a str, &'a str)],
    ) -> BoxFuture<'a, Result<Option<Vec<RawRecord>>, Error>> {
        Box::pin(async { Ok(None) })
    }

    /// The payloads of records [`Driver::query_labels`] returned (records deleted in between are
    /// left out).
    fn fetch<'a>(
        &'a self,
        records: Vec<RawRecord>,
    ) -> BoxFuture<'a, Result<Vec<RawRecord>, Error>> {
        Box::pin(async move { Ok(records) })
    }
}
