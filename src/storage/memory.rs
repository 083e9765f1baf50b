//! The `memory` driver: records in process memory, for tests and `HELM_DRIVER=memory`.
//! Mirrors `pkg/storage/driver/memory.go` in what it stores (the same encoded payload and labels as
//! the Secret driver), with versions so optimistic concurrency can be tested without a cluster.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::driver::{BoxFuture, Driver, RawRecord, WriteRecord};
use super::error::Error;

#[derive(Default)]
struct Store {
    /// (namespace, key) → record.
    records: BTreeMap<(String, String), RawRecord>,
    next_version: u64,
}

/// Records in memory. Clones share the same store; each views one namespace (or all, for reads).
#[derive(Clone, Default)]
pub struct Memory {
    store: Arc<Mutex<Store>>,
    namespace: Option<String>,
}

impl Memory {
    pub fn new(namespace: Option<String>) -> Memory {
        Memory {
            store: Arc::default(),
            namespace,
        }
    }

    /// A view of the same records in another namespace (`None`: all of them).
    pub fn in_namespace(&self, namespace: Option<String>) -> Memory {
        Memory {
            store: self.store.clone(),
            namespace,
        }
    }

    fn ns(&self) -> String {
        self.namespace
            .clone()
            .unwrap_or_else(|| "default".to_string())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic while holding the lock leaves consistent data (every write is one insert).
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self, store: &mut Store, record: &WriteRecord) -> Option<String> {
        store.next_version += 1;
        let version = store.next_version.to_string();
        let ns = self.ns();
        store.records.insert(
            (ns.clone(), record.key.clone()),
            RawRecord {
                key: record.key.clone(),
                object: format!("Memory {ns}/{}", record.key),
                namespace: ns,
                labels: record.labels.clone(),
                annotations: record.annotations.clone(),
                resource_version: Some(version.clone()),
                data: record.data.clone().into_bytes(),
            },
        );
        Some(version)
    }
}

impl Driver for Memory {
    fn name(&self) -> &'static str {
        "Memory"
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<RawRecord, Error>> {
        let found = self
            .lock()
            .records
            .get(&(self.ns(), key.to_string()))
            .cloned();
        Box::pin(async move { found.ok_or(Error::NotFound) })
    }

    fn query<'a>(
        &'a self,
        labels: &'a [(&'a str, &'a str)],
    ) -> BoxFuture<'a, Result<Vec<RawRecord>, Error>> {
        let store = self.lock();
        let found = store
            .records
            .values()
            .filter(|r| self.namespace.as_ref().is_none_or(|ns| &r.namespace == ns))
            .filter(|r| {
                labels
                    .iter()
                    .all(|(k, v)| r.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .cloned()
            .collect();
        Box::pin(async move { Ok(found) })
    }

    fn create<'a>(
        &'a self,
        record: &'a WriteRecord,
    ) -> BoxFuture<'a, Result<Option<String>, Error>> {
        let mut store = self.lock();
        let result = if store.records.contains_key(&(self.ns(), record.key.clone())) {
            Err(Error::Exists)
        } else {
            Ok(self.write(&mut store, record))
        };
        Box::pin(async move { result })
    }

    fn update<'a>(
        &'a self,
        record: &'a WriteRecord,
        resource_version: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<String>, Error>> {
        let mut store = self.lock();
        let current = store.records.get(&(self.ns(), record.key.clone()));
        let result = match (current, resource_version) {
            (None, _) => Err(Error::NotFound),
            (Some(cur), Some(expected)) if cur.resource_version.as_deref() != Some(expected) => {
                Err(Error::Conflict {
                    object: cur.object.clone(),
                })
            }
            _ => Ok(self.write(&mut store, record)),
        };
        Box::pin(async move { result })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        let removed = self.lock().records.remove(&(self.ns(), key.to_string()));
        Box::pin(async move { removed.map(|_| ()).ok_or(Error::NotFound) })
    }
}
