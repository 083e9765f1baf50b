//! The templates' `lookup` against a live cluster: [`ClusterLookup`] implements the engine's
//! [`Lookup`] seam with kube-rs. Mirrors Helm's `NewLookupFunction` (`pkg/engine/lookup_func.go`):
//! a named object or the list of all objects of a kind, an empty map for what does not exist.
//!
//! Templates render synchronously inside an async command, so each lookup leaves the runtime's
//! worker (`block_in_place`) and waits on the request there: this needs tokio's multi-thread
//! runtime, which the commands that render against a cluster run on.
use ::kube::api::{Api, DynamicObject, ListParams};

use super::discovery::ServerResources;
use crate::engine::funcs::Lookup;

/// `lookup` through a client.
pub struct ClusterLookup {
    client: ::kube::Client,
    resources: ServerResources,
    runtime: tokio::runtime::Handle,
}

impl ClusterLookup {
    /// A lookup on the current (multi-thread) runtime.
    pub fn new(client: ::kube::Client, resources: ServerResources) -> ClusterLookup {
        ClusterLookup {
            client,
            resources,
            runtime: tokio::runtime::Handle::current(),
        }
    }

    async fn fetch(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<String>, String> {
        let found = self.resources.kind(api_version, kind).ok_or_else(|| {
            format!("unable to get apiresource from unstructured: {api_version}, Kind={kind}: no matches for kind {kind:?} in version {api_version:?}")
        })?;
        let api: Api<DynamicObject> = if found.namespaced && !namespace.is_empty() {
            Api::namespaced_with(self.client.clone(), namespace, &found.resource)
        } else {
            Api::all_with(self.client.clone(), &found.resource)
        };
        let result = if name.is_empty() {
            api.list(&ListParams::default())
                .await
                .map(|list| serde_json::to_string(&list).ok())
        } else {
            api.get(name).await.map(|o| serde_json::to_string(&o).ok())
        };
        match result {
            Ok(json) => Ok(json),
            Err(::kube::Error::Api(status)) if status.code == 404 => Ok(None),
            Err(::kube::Error::Api(status)) => Err(status.message.clone()),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl Lookup for ClusterLookup {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<String>, String> {
        tokio::task::block_in_place(|| {
            self.runtime
                .block_on(self.fetch(api_version, kind, namespace, name))
        })
    }
}
