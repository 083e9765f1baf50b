//! The cluster client: a kube-rs `Client` built from Helm's flags and environment (see [`config`]),
//! with typed errors ([`error`]). Other parts of the cluster layer (discovery, apply, wait) live
//! beside these files; release storage is in `crate::storage`.
pub mod apply;
pub mod client_side;
pub mod config;
pub mod connection;
pub mod discovery;
pub mod error;
pub mod exec_auth;
pub mod job_pods;
pub mod live;
pub mod lookup;
pub mod managed_fields;
pub mod merge_patch;
pub mod object;
pub mod patch_meta;
pub mod pod_logs;
pub mod progress;
pub mod rate_limit;
pub mod ready;
pub mod wait;

pub use config::KubeSettings;
pub use error::Error;

/// A connected client and the namespace the command works in.
#[derive(Clone)]
pub struct Cluster {
    pub client: ::kube::Client,
    /// `-n`, else the context's namespace, else `default`.
    pub namespace: String,
    /// The API server URL (for error messages; never carries credentials).
    pub server: String,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("namespace", &self.namespace)
            .field("server", &self.server)
            .finish()
    }
}

impl Cluster {
    /// Builds the client. Nothing is sent to the server yet (see [`Cluster::check_reachable`]).
    pub async fn connect(settings: &KubeSettings) -> Result<Cluster, Error> {
        let (config, namespace) = settings.resolve().await?;
        let server = config.cluster_url.to_string();
        let server = server.trim_end_matches('/').to_string();
        let builder =
            connection::client_builder(config).map_err(|e| Error::from_kube(e, &server))?;
        let client = match settings.rate_limit {
            Some(limit) => builder
                .with_layer(&rate_limit::RateLimitLayer::new(limit))
                .build(),
            None => builder.build(),
        };
        Ok(Cluster {
            client,
            namespace,
            server,
        })
    }

    /// `IsReachable`: asks the server for its version, as Helm does before reading releases.
    pub async fn check_reachable(&self) -> Result<(), Error> {
        self.client
            .apiserver_version()
            .await
            .map(|_| ())
            .map_err(|e| Error::from_kube(e, &format!("{}/version", self.server)))
    }

    /// Maps a kube-rs error of a request to this cluster.
    pub fn error(&self, e: ::kube::Error) -> Error {
        Error::from_kube(e, &self.server)
    }
}
