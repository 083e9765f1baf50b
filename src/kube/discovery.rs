//! What the API server serves: every group, version and kind (custom resources included), whether
//! each kind is namespaced, and the server's version. Read once per command through aggregated
//! discovery (two requests: `/api` and `/apis`), and again only when a kind is not found (a CRD
//! installed since).
//!
//! Also builds `.Capabilities` as Helm's `Configuration.getCapabilities` does: the server's
//! `gitVersion`, and the version set of `action.GetVersionSet` (each `group/version` and each
//! `group/version/Kind`).
use std::collections::{BTreeSet, HashMap};

use ::kube::discovery::{ApiResource, Scope};

use crate::engine::{Capabilities, KubeVersion};

/// A kind the server serves.
#[derive(Debug, Clone)]
pub struct Kind {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// The result of discovery.
#[derive(Debug, Clone, Default)]
pub struct ServerResources {
    /// `apiVersion` → kind → resource.
    kinds: HashMap<String, HashMap<String, Kind>>,
    /// `group/version` and `group/version/Kind`, as Helm's `GetVersionSet`.
    version_set: BTreeSet<String>,
    pub kube_version: KubeVersion,
}

impl ServerResources {
    /// Runs discovery against the server.
    pub async fn discover(client: &::kube::Client) -> Result<ServerResources, ::kube::Error> {
        let version = client.apiserver_version().await?;
        let discovery = ::kube::Discovery::new(client.clone())
            .run_aggregated()
            .await?;
        let mut out = ServerResources {
            kube_version: KubeVersion {
                version: version.git_version.clone(),
                major: version.major.clone(),
                minor: version.minor.clone(),
            },
            ..ServerResources::default()
        };
        for group in discovery.groups() {
            for version in group.versions() {
                for (resource, caps) in group.versioned_resources(version) {
                    let api_version = resource.api_version.clone();
                    out.version_set.insert(api_version.clone());
                    out.version_set
                        .insert(format!("{api_version}/{}", resource.kind));
                    out.kinds.entry(api_version).or_default().insert(
                        resource.kind.clone(),
                        Kind {
                            namespaced: caps.scope == Scope::Namespaced,
                            resource,
                        },
                    );
                }
            }
        }
        Ok(out)
    }

    /// The kind `kind` of `api_version`, if served.
    pub fn kind(&self, api_version: &str, kind: &str) -> Option<&Kind> {
        self.kinds.get(api_version)?.get(kind)
    }

    /// `.Capabilities` for rendering against this server.
    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            kube_version: self.kube_version.clone(),
            api_versions: self.version_set.iter().cloned().collect(),
            ..Capabilities::default()
        }
    }
}
