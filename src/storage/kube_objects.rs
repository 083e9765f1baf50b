//! The `secret` (default) and `configmap` drivers: one Kubernetes object per revision, as Helm
//! writes them (`pkg/storage/driver/secrets.go`, `cfgmaps.go`).
//!
//! Secrets have type `helm.sh/release.v1` and keep the payload in `data.release` (so the API's JSON
//! shows it base64-encoded a second time); ConfigMaps keep the same text in `data.release` as is.
//! Updates send the `resourceVersion` read with the record when there is one, so the API server
//! refuses a write over a change made in between (Helm's own updates are unconditional).
use std::collections::BTreeMap;

use ::kube::api::{Api, DeleteParams, ListParams, ObjectMeta, PostParams};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::ByteString;

use super::driver::{BoxFuture, Driver, RawRecord, WriteRecord};
use super::error::Error;
use crate::kube::Cluster;

/// Which object kind holds the records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    Secret,
    ConfigMap,
}

/// Records kept in Secrets or ConfigMaps of one namespace (or read from all, for `list -A`).
#[derive(Clone)]
pub struct KubeObjects {
    kind: ObjectKind,
    cluster: Cluster,
    /// `None`: every namespace (reads only).
    namespace: Option<String>,
}

impl KubeObjects {
    pub fn new(kind: ObjectKind, cluster: Cluster, namespace: Option<String>) -> KubeObjects {
        KubeObjects {
            kind,
            cluster,
            namespace,
        }
    }

    fn kind_name(&self) -> &'static str {
        match self.kind {
            ObjectKind::Secret => "Secret",
            ObjectKind::ConfigMap => "ConfigMap",
        }
    }

    fn object_name(&self, namespace: &str, key: &str) -> String {
        format!("{} {namespace}/{key}", self.kind_name())
    }

    fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }

    fn secrets(&self) -> Api<Secret> {
        match &self.namespace {
            Some(ns) => Api::namespaced(self.cluster.client.clone(), ns),
            None => Api::all(self.cluster.client.clone()),
        }
    }

    fn config_maps(&self) -> Api<ConfigMap> {
        match &self.namespace {
            Some(ns) => Api::namespaced(self.cluster.client.clone(), ns),
            None => Api::all(self.cluster.client.clone()),
        }
    }

    fn raw(&self, meta: ObjectMeta, data: Vec<u8>) -> RawRecord {
        let namespace = meta.namespace.unwrap_or_else(|| self.ns().to_string());
        let key = meta.name.unwrap_or_default();
        RawRecord {
            object: self.object_name(&namespace, &key),
            key,
            namespace,
            labels: meta.labels.unwrap_or_default(),
            annotations: meta.annotations.unwrap_or_default(),
            resource_version: meta.resource_version,
            data,
        }
    }

    fn record_of_secret(&self, s: Secret) -> RawRecord {
        let data = s
            .data
            .and_then(|mut d| d.remove("release"))
            .map(|b| b.0)
            .unwrap_or_default();
        self.raw(s.metadata, data)
    }

    fn record_of_config_map(&self, c: ConfigMap) -> RawRecord {
        let data = c
            .data
            .and_then(|mut d| d.remove("release"))
            .unwrap_or_default()
            .into_bytes();
        self.raw(c.metadata, data)
    }

    fn meta(&self, record: &WriteRecord, resource_version: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            name: Some(record.key.clone()),
            namespace: self.namespace.clone(),
            labels: Some(record.labels.clone()),
            annotations: (!record.annotations.is_empty()).then(|| record.annotations.clone()),
            resource_version: resource_version.map(str::to_string),
            ..Default::default()
        }
    }

    fn secret(&self, record: &WriteRecord, resource_version: Option<&str>) -> Secret {
        Secret {
            metadata: self.meta(record, resource_version),
            type_: Some("helm.sh/release.v1".to_string()),
            data: Some(BTreeMap::from([(
                "release".to_string(),
                ByteString(record.data.clone().into_bytes()),
            )])),
            ..Default::default()
        }
    }

    fn config_map(&self, record: &WriteRecord, resource_version: Option<&str>) -> ConfigMap {
        ConfigMap {
            metadata: self.meta(record, resource_version),
            data: Some(BTreeMap::from([(
                "release".to_string(),
                record.data.clone(),
            )])),
            ..Default::default()
        }
    }

    fn err(&self, e: ::kube::Error) -> crate::kube::Error {
        self.cluster.error(e)
    }
}

impl Driver for KubeObjects {
    fn name(&self) -> &'static str {
        self.kind_name()
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<RawRecord, Error>> {
        Box::pin(async move {
            let got = match self.kind {
                ObjectKind::Secret => self
                    .secrets()
                    .get_opt(key)
                    .await
                    .map(|o| o.map(|s| self.record_of_secret(s))),
                ObjectKind::ConfigMap => self
                    .config_maps()
                    .get_opt(key)
                    .await
                    .map(|o| o.map(|c| self.record_of_config_map(c))),
            };
            match got {
                Ok(Some(record)) => Ok(record),
                Ok(None) => Err(Error::NotFound),
                Err(e) => Err(Error::kube("get: failed to get", self.err(e))),
            }
        })
    }

    fn query<'a>(
        &'a self,
        labels: &'a [(&'a str, &'a str)],
    ) -> BoxFuture<'a, Result<Vec<RawRecord>, Error>> {
        Box::pin(async move {
            for (_, v) in labels {
                if !valid_label_value(v) {
                    return Err(Error::InvalidLabel(v.to_string()));
                }
            }
            let selector = labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            let params = ListParams::default().labels(&selector);
            // Helm's `List` (every record) and `Query` (by name) word their failures differently.
            let context = if labels == [("owner", "helm")] {
                "list: failed to list"
            } else {
                "query: failed to query with labels"
            };
            match self.kind {
                ObjectKind::Secret => self
                    .secrets()
                    .list(&params)
                    .await
                    .map(|l| {
                        l.items
                            .into_iter()
                            .map(|s| self.record_of_secret(s))
                            .collect()
                    })
                    .map_err(|e| Error::kube(context, self.err(e))),
                ObjectKind::ConfigMap => self
                    .config_maps()
                    .list(&params)
                    .await
                    .map(|l| {
                        l.items
                            .into_iter()
                            .map(|c| self.record_of_config_map(c))
                            .collect()
                    })
                    .map_err(|e| Error::kube(context, self.err(e))),
            }
        })
    }

    fn query_labels<'a>(
        &'a self,
        labels: &'a [(&'a str, &'a str)],
    ) -> BoxFuture<'a, Result<Option<Vec<RawRecord>>, Error>> {
        Box::pin(async move {
            let selector = labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            let params = ListParams::default().labels(&selector);
            // Worded as `query` words the same request (Helm's `List` vs `Query`).
            let context = if labels == [("owner", "helm")] {
                "list: failed to list"
            } else {
                "query: failed to query with labels"
            };
            let metas: Vec<ObjectMeta> = match self.kind {
                ObjectKind::Secret => self
                    .secrets()
                    .list_metadata(&params)
                    .await
                    .map(|l| l.items.into_iter().map(|m| m.metadata).collect()),
                ObjectKind::ConfigMap => self
                    .config_maps()
                    .list_metadata(&params)
                    .await
                    .map(|l| l.items.into_iter().map(|m| m.metadata).collect()),
            }
            .map_err(|e| Error::kube(context, self.err(e)))?;
            Ok(Some(
                metas.into_iter().map(|m| self.raw(m, Vec::new())).collect(),
            ))
        })
    }

    fn fetch<'a>(
        &'a self,
        records: Vec<RawRecord>,
    ) -> BoxFuture<'a, Result<Vec<RawRecord>, Error>> {
        Box::pin(async move {
            // Concurrent GETs, a bounded number at a time, in the order given.
            const AT_ONCE: usize = 32;
            let mut out = Vec::with_capacity(records.len());
            for chunk in records.chunks(AT_ONCE) {
                let mut tasks = tokio::task::JoinSet::new();
                for (i, r) in chunk.iter().enumerate() {
                    let one = KubeObjects::new(
                        self.kind,
                        self.cluster.clone(),
                        Some(r.namespace.clone()),
                    );
                    let key = r.key.clone();
                    tasks.spawn(async move { (i, one.get(&key).await) });
                }
                let mut got: Vec<(usize, RawRecord)> = Vec::with_capacity(chunk.len());
                while let Some(joined) = tasks.join_next().await {
                    match joined {
                        Ok((i, Ok(record))) => got.push((i, record)),
                        Ok((_, Err(Error::NotFound))) => {}
                        Ok((_, Err(e))) => return Err(e),
                        Err(e) => return Err(Error::Backend(format!("list: {e}"))),
                    }
                }
                got.sort_by_key(|(i, _)| *i);
                out.extend(got.into_iter().map(|(_, r)| r));
            }
            Ok(out)
        })
    }

    fn create<'a>(
        &'a self,
        record: &'a WriteRecord,
    ) -> BoxFuture<'a, Result<Option<String>, Error>> {
        Box::pin(async move {
            let pp = PostParams::default();
            let created = match self.kind {
                ObjectKind::Secret => self
                    .secrets()
                    .create(&pp, &self.secret(record, None))
                    .await
                    .map(|s| s.metadata.resource_version),
                ObjectKind::ConfigMap => self
                    .config_maps()
                    .create(&pp, &self.config_map(record, None))
                    .await
                    .map(|c| c.metadata.resource_version),
            };
            created.map_err(|e| {
                let e = self.err(e);
                if e.is_already_exists() {
                    Error::Exists
                } else {
                    Error::kube("create: failed to create", e)
                }
            })
        })
    }

    fn update<'a>(
        &'a self,
        record: &'a WriteRecord,
        resource_version: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<String>, Error>> {
        Box::pin(async move {
            let pp = PostParams::default();
            let updated = match self.kind {
                ObjectKind::Secret => self
                    .secrets()
                    .replace(&record.key, &pp, &self.secret(record, resource_version))
                    .await
                    .map(|s| s.metadata.resource_version),
                ObjectKind::ConfigMap => self
                    .config_maps()
                    .replace(&record.key, &pp, &self.config_map(record, resource_version))
                    .await
                    .map(|c| c.metadata.resource_version),
            };
            updated.map_err(|e| {
                let e = self.err(e);
                if e.is_conflict() {
                    Error::Conflict {
                        object: self.object_name(self.ns(), &record.key),
                    }
                } else {
                    Error::kube("update: failed to update", e)
                }
            })
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let dp = DeleteParams::default();
            let deleted = match self.kind {
                ObjectKind::Secret => self.secrets().delete(key, &dp).await.map(|_| ()),
                ObjectKind::ConfigMap => self.config_maps().delete(key, &dp).await.map(|_| ()),
            };
            deleted.map_err(|e| {
                let e = self.err(e);
                if e.is_not_found() {
                    Error::NotFound
                } else {
                    Error::kube("delete: failed to delete", e)
                }
            })
        })
    }
}

/// `validation.IsValidLabelValue`: at most 63 characters, alphanumerics and `-_.`, starting and
/// ending with an alphanumeric (or empty).
pub fn valid_label_value(v: &str) -> bool {
    let bytes = v.as_bytes();
    v.is_empty()
        || (bytes.len() <= 63
            && bytes[0].is_ascii_alphanumeric()
            && bytes[bytes.len() - 1].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
}
