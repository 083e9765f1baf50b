//! Helm's global cluster flags (`pkg/cli/environment.go` `AddFlags`), shared by every command that
//! talks to the cluster, and the runtime those commands run on.
use std::path::PathBuf;

use clap::Args;

use crate::kube::{Cluster, KubeSettings};
use crate::storage::{self, Storage};

/// `-n`, `--kubeconfig`, `--kube-*` and `--debug`, over the `HELM_*` environment variables.
#[derive(Debug, Args, Clone, Default)]
pub struct KubeArgs {
    /// Namespace scope for this request.
    #[arg(short = 'n', long = "namespace")]
    pub namespace: Option<String>,
    /// Path to the kubeconfig file.
    #[arg(long = "kubeconfig")]
    pub kubeconfig: Option<PathBuf>,
    /// Name of the kubeconfig context to use.
    #[arg(long = "kube-context")]
    pub kube_context: Option<String>,
    /// Bearer token used for authentication.
    #[arg(long = "kube-token", hide_env_values = true)]
    pub kube_token: Option<String>,
    /// Username to impersonate for the operation.
    #[arg(long = "kube-as-user")]
    pub kube_as_user: Option<String>,
    /// Group to impersonate for the operation, this flag can be repeated to specify multiple groups.
    #[arg(long = "kube-as-group")]
    pub kube_as_group: Vec<String>,
    /// The address and the port for the Kubernetes API server.
    #[arg(long = "kube-apiserver")]
    pub kube_apiserver: Option<String>,
    /// The certificate authority file for the Kubernetes API server connection.
    #[arg(long = "kube-ca-file")]
    pub kube_ca_file: Option<PathBuf>,
    /// Server name to use for Kubernetes API server certificate validation.
    #[arg(long = "kube-tls-server-name")]
    pub kube_tls_server_name: Option<String>,
    /// If true, the Kubernetes API server's certificate will not be checked for validity.
    #[arg(long = "kube-insecure-skip-tls-verify")]
    pub kube_insecure_skip_tls_verify: bool,
    /// Enable verbose output.
    #[arg(long = "debug")]
    pub debug: bool,
    /// Client-side default throttling limit.
    #[arg(long = "burst-limit", value_parser = super::pflag::parse_int)]
    pub burst_limit: Option<i64>,
    /// Queries per second used when communicating with the Kubernetes API, not including bursting.
    #[arg(long = "qps", value_parser = super::pflag::parse_float32)]
    pub qps: Option<f32>,
}

impl KubeArgs {
    /// The environment's settings with these flags applied on top.
    pub fn settings(&self) -> KubeSettings {
        let mut s = KubeSettings::from_env();
        let set = |slot: &mut Option<String>, v: &Option<String>| {
            if let Some(v) = v {
                *slot = Some(v.clone()).filter(|v| !v.is_empty());
            }
        };
        set(&mut s.namespace, &self.namespace);
        set(&mut s.context, &self.kube_context);
        set(&mut s.token, &self.kube_token);
        set(&mut s.as_user, &self.kube_as_user);
        set(&mut s.api_server, &self.kube_apiserver);
        set(&mut s.tls_server_name, &self.kube_tls_server_name);
        if let Some(p) = &self.kubeconfig {
            s.kubeconfig = Some(p.clone()).filter(|p| !p.as_os_str().is_empty());
        }
        if let Some(p) = &self.kube_ca_file {
            s.ca_file = Some(p.clone());
        }
        if !self.kube_as_group.is_empty() {
            s.as_groups = self.kube_as_group.clone();
        }
        if self.kube_insecure_skip_tls_verify {
            s.insecure_skip_tls_verify = true;
        }
        // Flags over `HELM_QPS`/`HELM_BURST_LIMIT`; `--debug` reports each wait.
        let env_qps = s.rate_limit.map(|l| l.qps as f32);
        let env_burst = s.rate_limit.map(|l| i64::from(l.burst));
        s.rate_limit = crate::kube::rate_limit::RateLimit::from_flags(
            self.qps.or(env_qps),
            self.burst_limit.or(env_burst),
            self.debug,
        );
        s
    }
}

/// Runs a future on a single-threaded runtime (commands are short-lived and mostly wait on I/O).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(future),
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            std::process::exit(1)
        }
    }
}

/// What a read command needs: a reachable cluster and the storage of its namespace (or of all
/// namespaces with `all_namespaces`), with the driver `HELM_DRIVER` names.
pub async fn open_storage(
    args: &KubeArgs,
    all_namespaces: bool,
) -> Result<(Cluster, Storage), String> {
    // How `--wait` and hooks show progress on stderr (live on a terminal, lines with --debug).
    crate::kube::progress::configure(args.debug);
    let cluster = Cluster::connect(&args.settings())
        .await
        .map_err(|e| e.to_string())?;
    cluster.check_reachable().await.map_err(|e| e.to_string())?;
    let namespace = (!all_namespaces).then(|| cluster.namespace.clone());
    let storage = storage::open(&storage::DriverChoice::from_env(), &cluster, namespace)
        .await
        .map_err(|e| e.to_string())?;
    Ok((cluster, storage))
}
