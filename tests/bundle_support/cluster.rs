//! The offline installs' surroundings on the local control plane: a command whose every HTTP(S)
//! request of reqwest goes to a recording listener, and a guard that uninstalls the release and
//! deletes its namespace when the test ends, passed or not.
use std::path::{Path, PathBuf};
use std::process::Command;

/// Points `command` at the cluster and sends every HTTP and HTTPS request of reqwest (charts,
/// registries, values URLs) to `proxy` through HTTP_PROXY and ALL_PROXY. HTTPS_PROXY is left
/// unset: kube-rs reads it for the API server and, built without its `http-proxy` feature, refuses
/// to start when it is set.
pub fn offline<'a>(command: &'a mut Command, kubeconfig: &Path, proxy: &str) -> &'a mut Command {
    command
        .env("KUBECONFIG", kubeconfig)
        .env("HTTP_PROXY", proxy)
        .env("ALL_PROXY", proxy)
        .env("http_proxy", proxy)
        .env("all_proxy", proxy)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
}

/// The `jsonpath={..image}` of the `kinds` in `namespace`: every image the live objects name.
pub fn live_images(kubeconfig: &Path, kinds: &str, namespace: &str) -> String {
    let out = Command::new(crate::common::oracle("kubectl"))
        .args(["get", kinds, "-n", namespace, "-o", "jsonpath={..image}"])
        .env("KUBECONFIG", kubeconfig)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Uninstalls `release` and deletes `namespace` when dropped.
pub struct Installed {
    pub kubeconfig: PathBuf,
    pub release: String,
    pub namespace: String,
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args(["uninstall", &self.release, "-n", &self.namespace])
            .env("KUBECONFIG", &self.kubeconfig)
            .output();
        // Not common::oracle: a panic while a failed test unwinds would abort the binary.
        let kubectl =
            Command::new(Path::new(crate::deps_support::ROOT).join("scripts/install-oracle"))
                .args(["path", "kubectl"])
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        if let Some(kubectl) = kubectl {
            let _ = Command::new(kubectl)
                .args(["delete", "namespace", &self.namespace, "--wait=false"])
                .env("KUBECONFIG", &self.kubeconfig)
                .output();
        }
    }
}
