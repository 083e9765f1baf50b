//! Which cluster, as whom, in which namespace: Helm's kube flags and `HELM_*` variables
//! (`pkg/cli/environment.go`) resolved into a kube-rs `Config` the way kubectl's loader does.
//!
//! - `--kubeconfig` names the only file read; otherwise every file of `KUBECONFIG` (split like
//!   `PATH`) is merged, the first file to set a value winning; otherwise `~/.kube/config`. With none of
//!   them and no `--kube-apiserver`, the in-cluster service account is used when present, else
//!   `http://localhost:8080` (client-go's default, which Helm then reports as unreachable).
//! - `--kube-context`/`HELM_KUBECONTEXT` picks the context; `--kube-apiserver`, `--kube-token`,
//!   `--kube-as-user`, `--kube-as-group`, `--kube-ca-file`, `--kube-insecure-skip-tls-verify` and
//!   `--kube-tls-server-name` override what the context says.
//! - The namespace is `-n`/`HELM_NAMESPACE`, else the context's namespace, else `default`.
//!
//! A credential plugin (`exec`) is run by `super::exec_auth`, not by kube-rs.
//!
//! Tokens given on the command line are kept in `secrecy` strings and never formatted.
use std::path::PathBuf;

use ::kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};

use super::error::{chain, Error};

/// Helm's global cluster settings. Mirrors the kube part of `cli.EnvSettings`.
#[derive(Clone, Default)]
pub struct KubeSettings {
    /// `--kubeconfig`.
    pub kubeconfig: Option<PathBuf>,
    /// `--kube-context` / `HELM_KUBECONTEXT`.
    pub context: Option<String>,
    /// `-n/--namespace` / `HELM_NAMESPACE`.
    pub namespace: Option<String>,
    /// `--kube-apiserver` / `HELM_KUBEAPISERVER`.
    pub api_server: Option<String>,
    /// `--kube-token` / `HELM_KUBETOKEN`.
    pub token: Option<String>,
    /// `--kube-as-user` / `HELM_KUBEASUSER`.
    pub as_user: Option<String>,
    /// `--kube-as-group` (repeatable) / `HELM_KUBEASGROUPS` (comma-separated).
    pub as_groups: Vec<String>,
    /// `--kube-ca-file` / `HELM_KUBECAFILE`.
    pub ca_file: Option<PathBuf>,
    /// `--kube-insecure-skip-tls-verify` / `HELM_KUBEINSECURE_SKIP_TLS_VERIFY`.
    pub insecure_skip_tls_verify: bool,
    /// `--kube-tls-server-name` / `HELM_KUBETLS_SERVER_NAME`.
    pub tls_server_name: Option<String>,
    /// `--qps`/`HELM_QPS` and `--burst-limit`/`HELM_BURST_LIMIT` (see `super::rate_limit`).
    pub rate_limit: Option<super::rate_limit::RateLimit>,
}

impl std::fmt::Debug for KubeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeSettings")
            .field("kubeconfig", &self.kubeconfig)
            .field("context", &self.context)
            .field("namespace", &self.namespace)
            .field("api_server", &self.api_server)
            .field("token", &self.token.as_ref().map(|_| "<hidden>"))
            .field("as_user", &self.as_user)
            .field("as_groups", &self.as_groups)
            .field("ca_file", &self.ca_file)
            .field("insecure_skip_tls_verify", &self.insecure_skip_tls_verify)
            .field("tls_server_name", &self.tls_server_name)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

impl KubeSettings {
    /// The settings Helm takes from the environment before flags are applied.
    pub fn from_env() -> KubeSettings {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`KubeSettings::from_env`] over any variable lookup (for tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> KubeSettings {
        let groups = get("HELM_KUBEASGROUPS").unwrap_or_default();
        let groups = groups.trim_matches([',', ' ']);
        KubeSettings {
            kubeconfig: None,
            context: non_empty(get("HELM_KUBECONTEXT")),
            namespace: non_empty(get("HELM_NAMESPACE")),
            api_server: non_empty(get("HELM_KUBEAPISERVER")),
            token: non_empty(get("HELM_KUBETOKEN")),
            as_user: non_empty(get("HELM_KUBEASUSER")),
            as_groups: if groups.is_empty() {
                Vec::new()
            } else {
                groups.split(',').map(str::to_string).collect()
            },
            ca_file: non_empty(get("HELM_KUBECAFILE")).map(PathBuf::from),
            insecure_skip_tls_verify: get("HELM_KUBEINSECURE_SKIP_TLS_VERIFY")
                .and_then(|v| crate::cli::pflag::parse_bool(&v).ok())
                .unwrap_or(false),
            tls_server_name: non_empty(get("HELM_KUBETLS_SERVER_NAME")),
            rate_limit: super::rate_limit::RateLimit::from_flags(
                get("HELM_QPS").and_then(|v| v.trim().parse().ok()),
                get("HELM_BURST_LIMIT").and_then(|v| v.trim().parse().ok()),
                false,
            ),
        }
    }

    /// The merged kubeconfig these settings point at, or `None` when there is no file at all.
    fn load_kubeconfig(&self) -> Result<Option<Kubeconfig>, Error> {
        if let Some(path) = &self.kubeconfig {
            return read_file(path).map(Some);
        }
        if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
            let mut merged: Option<Kubeconfig> = None;
            for path in std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()) {
                // kubectl skips files of the list that do not exist.
                if !path.exists() {
                    continue;
                }
                let next = read_file(&path)?;
                merged = Some(match merged {
                    Some(m) => m.merge(next).map_err(|e| bad_config(&path, &e))?,
                    None => next,
                });
            }
            return Ok(merged);
        }
        let home = std::env::var_os("HOME").map(PathBuf::from);
        match home.map(|h| h.join(".kube/config")) {
            Some(path) if path.exists() => read_file(&path).map(Some),
            _ => Ok(None),
        }
    }

    /// The kube-rs configuration and the namespace these settings select.
    pub async fn resolve(&self) -> Result<(::kube::Config, String), Error> {
        let kubeconfig = self.load_kubeconfig()?;
        let mut proxy_in_kubeconfig = false;
        let mut user = String::new();
        let (mut config, context_namespace) = match kubeconfig {
            Some(kc) => {
                let context = self.context.clone().or_else(|| kc.current_context.clone());
                if let Some(name) = &context {
                    if !kc.contexts.iter().any(|c| &c.name == name) {
                        return Err(Error::UnknownContext(name.clone()));
                    }
                }
                let namespace = context.as_ref().and_then(|name| {
                    kc.contexts
                        .iter()
                        .find(|c| &c.name == name)
                        .and_then(|c| c.context.as_ref())
                        .and_then(|c| c.namespace.clone())
                });
                let has_context = context.is_some();
                user = context
                    .as_ref()
                    .and_then(|name| kc.contexts.iter().find(|c| &c.name == name))
                    .and_then(|c| c.context.as_ref())
                    .and_then(|c| c.user.clone())
                    .unwrap_or_default();
                proxy_in_kubeconfig = context
                    .as_ref()
                    .and_then(|name| kc.contexts.iter().find(|c| &c.name == name))
                    .and_then(|c| c.context.as_ref())
                    .and_then(|c| kc.clusters.iter().find(|n| n.name == c.cluster))
                    .and_then(|n| n.cluster.as_ref())
                    .is_some_and(|c| c.proxy_url.as_deref().is_some_and(|p| !p.is_empty()));
                let options = KubeConfigOptions {
                    context,
                    ..Default::default()
                };
                let config = if has_context {
                    ::kube::Config::from_custom_kubeconfig(kc, &options)
                        .await
                        .map_err(|e| self.config_error(e))?
                } else {
                    fallback_config(self.api_server.is_some())?
                };
                (config, namespace)
            }
            // client-go: a named context must exist, even when there is no kubeconfig at all.
            None => match &self.context {
                Some(name) => return Err(Error::UnknownContext(name.clone())),
                None => (fallback_config(self.api_server.is_some())?, None),
            },
        };
        self.apply_overrides(&mut config)?;
        super::exec_auth::resolve(&mut config.auth_info, &user).map_err(|e| match e {
            super::exec_auth::ExecError::Config(text) => Error::Kubeconfig(text),
            // Helm meets this on its first request, the version check.
            super::exec_auth::ExecError::Credentials(text) => Error::Kubeconfig(format!(
                "Get \"{}/version\": getting credentials: {text}",
                config.cluster_url.to_string().trim_end_matches('/')
            )),
        })?;
        if !proxy_in_kubeconfig {
            // client-go without a `proxy-url`: Go's ProxyFromEnvironment (kube-rs reads only
            // HTTPS_PROXY and knows no loopback exception).
            config.proxy_url = reqwest::Url::parse(&config.cluster_url.to_string())
                .ok()
                .and_then(|url| crate::proxy::for_url(&url))
                .map(|p| {
                    p.parse()
                        .map_err(|e| Error::Kubeconfig(format!("invalid proxy address {p:?}: {e}")))
                })
                .transpose()?;
        }
        let namespace = self
            .namespace
            .clone()
            .or(context_namespace)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".to_string());
        config.default_namespace = namespace.clone();
        Ok((config, namespace))
    }

    fn config_error(&self, e: KubeconfigError) -> Error {
        match e {
            KubeconfigError::LoadContext(name) => Error::UnknownContext(name),
            other => Error::Kubeconfig(chain(&other)),
        }
    }

    fn apply_overrides(&self, config: &mut ::kube::Config) -> Result<(), Error> {
        if let Some(server) = &self.api_server {
            // client-go accepts a bare host:port and assumes https.
            let url = if server.contains("://") {
                server.clone()
            } else {
                format!("https://{server}")
            };
            config.cluster_url = url
                .parse()
                .map_err(|e| Error::Kubeconfig(format!("invalid --kube-apiserver {url:?}: {e}")))?;
        }
        if let Some(token) = &self.token {
            config.auth_info.token = Some(secrecy::SecretString::from(token.clone()));
            config.auth_info.token_file = None;
        }
        if let Some(user) = &self.as_user {
            config.auth_info.impersonate = Some(user.clone());
        }
        if !self.as_groups.is_empty() {
            config.auth_info.impersonate_groups = Some(self.as_groups.clone());
        }
        if let Some(ca) = &self.ca_file {
            let pem = std::fs::read(ca).map_err(|e| {
                Error::Kubeconfig(format!("unable to read CA file {}: {e}", ca.display()))
            })?;
            config.root_cert = Some(pem_certificates(&pem, ca)?);
        }
        if self.insecure_skip_tls_verify {
            config.accept_invalid_certs = true;
        }
        if let Some(name) = &self.tls_server_name {
            config.tls_server_name = Some(name.clone());
        }
        Ok(())
    }
}

/// The DER certificates of a PEM bundle.
fn pem_certificates(pem: &[u8], path: &std::path::Path) -> Result<Vec<Vec<u8>>, Error> {
    let mut certs = Vec::new();
    for item in x509_parser::pem::Pem::iter_from_buffer(pem) {
        let item = item.map_err(|e| {
            Error::Kubeconfig(format!("unable to read CA file {}: {e}", path.display()))
        })?;
        if item.label == "CERTIFICATE" {
            certs.push(item.contents);
        }
    }
    if certs.is_empty() {
        return Err(Error::Kubeconfig(format!(
            "unable to read CA file {}: no certificates found",
            path.display()
        )));
    }
    Ok(certs)
}

fn read_file(path: &std::path::Path) -> Result<Kubeconfig, Error> {
    if !path.exists() {
        return Err(Error::Kubeconfig(format!(
            "stat {}: no such file or directory",
            path.display()
        )));
    }
    Kubeconfig::read_from(path).map_err(|e| bad_config(path, &e))
}

fn bad_config(path: &std::path::Path, e: &KubeconfigError) -> Error {
    let detail = match e {
        KubeconfigError::ReadConfig(io, _) => io.to_string(),
        // A YAML syntax error in go-yaml's words (as client-go reports it), when our reader finds
        // one; otherwise the first line of kube-rs's reader's message.
        KubeconfigError::Parse(_) => std::fs::read_to_string(path)
            .ok()
            .and_then(|text| crate::yaml::parse_documents(&text, "").err())
            .map(|e| e.go_text())
            .unwrap_or_else(|| chain(e).lines().next().unwrap_or_default().to_string()),
        other => chain(other),
    };
    Error::Kubeconfig(format!(
        "error loading config file \"{}\": {detail}",
        path.display()
    ))
}

/// No kubeconfig context: the in-cluster account, else client-go's `http://localhost:8080`.
fn fallback_config(has_server: bool) -> Result<::kube::Config, Error> {
    if !has_server {
        if let Ok(config) = ::kube::Config::incluster() {
            return Ok(config);
        }
    }
    let url = "http://localhost:8080"
        .parse()
        .map_err(|e| Error::Client(format!("{e}")))?;
    Ok(::kube::Config::new(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_like_helm() {
        let env = |name: &str| {
            Some(
                match name {
                    "HELM_NAMESPACE" => "team",
                    "HELM_KUBECONTEXT" => "",
                    "HELM_KUBEASGROUPS" => " a,b, ",
                    "HELM_KUBEINSECURE_SKIP_TLS_VERIFY" => "T",
                    "HELM_KUBETOKEN" => "secret-token",
                    _ => return None,
                }
                .to_string(),
            )
        };
        let s = KubeSettings::from_lookup(env);
        assert_eq!(s.namespace.as_deref(), Some("team"));
        assert_eq!(s.context, None);
        assert_eq!(s.as_groups, ["a", "b"]);
        assert!(s.insecure_skip_tls_verify);
        assert!(!format!("{s:?}").contains("secret-token"));
    }
}
