//! Credential plugins (`users[].user.exec` in a kubeconfig), run as client-go's
//! `plugin/pkg/client/auth/exec` runs them, once per command.
//!
//! - The plugin gets the command line's environment plus the kubeconfig's `env`, and
//!   `KUBERNETES_EXEC_INFO`: an `ExecCredential` of the configured `apiVersion` whose `spec` says
//!   whether it may talk to the user (`interactive`) and, with `provideClusterInfo`, the cluster.
//! - `interactiveMode`: `Never` is never interactive; `IfAvailable` (the default for
//!   `v1beta1`; `v1` requires the field) is interactive when standard input is a terminal;
//!   `Always` fails unless it is one. An interactive plugin gets our standard input; a plugin that
//!   is not gets none. Its standard error is always ours, so whatever it says on a failure
//!   reaches the user as it does under kubectl and Helm.
//! - It must print an `ExecCredential` of the same `apiVersion` with a `status` carrying a token
//!   or a client certificate and key (PEM). The token becomes the bearer token, the pair the TLS
//!   client identity.
//! - A credential given another way (a token, `--kube-token`, basic auth, a client certificate)
//!   wins and the plugin is not run, as client-go skips the plugin then.
//! - Failures are client-go's words behind `getting credentials: `: the plugin not found (with
//!   client-go's install hint for a name not on `PATH`, `fork/exec` for a path), its
//!   exit code, what was wrong with its output. They name the command, never its output or
//!   environment (either may hold a secret).
//!
//! Why not kube-rs's: kube-rs runs the plugin each time it builds a TLS configuration or its
//! authentication layer (three times for one of our clients behind an HTTPS proxy), marks it
//! interactive whenever `interactiveMode` is not `Never` (even with standard input a pipe), takes
//! the plugin's standard error away from the user when not interactive, and on failure prints the
//! command's whole environment (the cluster's CA and the kubeconfig's `env` values) and output.
//!
//! - A token credential is refreshed as client-go refreshes it: the plugin runs again before a
//!   request when the credential's `expirationTimestamp` has passed, and after a request the server
//!   answers `401 Unauthorized` unless another request already got a newer credential (one plugin
//!   run at a time, as client-go's mutex does). Beyond client-go, the refused request is then sent
//!   once more with the new token when its body can be replayed (every request but a streamed
//!   upload): client-go hands the 401 to its caller, so Helm fails that one request (a wait, an
//!   apply) where Rudder goes on. [`Refreshing`] is that layer; `connection` puts it in place of
//!   kube-rs's authentication layer.
//! - The answer may be JSON or YAML, as client-go's universal decoder reads both.
//! - `KUBERNETES_EXEC_INFO` is the bytes client-go writes: Go's field order, its trailing newline,
//!   and with `provideClusterInfo` the cluster's `config` extension, `null` when absent.
//!
//! Not done: a client certificate is fetched once per command (client-go asks the plugin again for
//! each new TLS connection once it has expired, and closes its connections when it changes); the
//! cluster's `disable-compression` is not passed in the exec info (kube-rs does not keep it).
use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use ::kube::client::Body;
use ::kube::config::{AuthInfo, ExecConfig, ExecInteractiveMode};
use base64::Engine;
use chrono::{DateTime, Utc};
use http::{Request, Response};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tower::{BoxError, Service, ServiceExt as _};

const EXEC_INFO: &str = "KUBERNETES_EXEC_INFO";
const API_VERSIONS: [&str; 2] = [
    "client.authentication.k8s.io/v1beta1",
    "client.authentication.k8s.io/v1",
];
const INSTALL_HINT: &str = "\n\nIt looks like you are trying to use a client-go credential plugin that is not installed.\n\nTo learn more about this feature, consult the documentation available at:\n      https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins";

/// What a plugin handed back.
#[derive(Clone)]
enum Credential {
    Token(SecretString),
    /// PEM certificate and key.
    Identity(String, SecretString),
}

/// A credential with the time it stops being good (client-go's `exp`; none: until a 401).
#[derive(Clone)]
struct Answer {
    credential: Credential,
    expires: Option<DateTime<Utc>>,
}

/// Why the plugin gave no credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecError {
    /// The kubeconfig's `exec` section is invalid (client-go's `invalid configuration: …`).
    Config(String),
    /// Running the plugin or reading its answer failed (client-go's `getting credentials: …`).
    Credentials(String),
}

/// One configured plugin and its current credential: client-go's `Authenticator`.
pub struct Plugin {
    exec: ExecConfig,
    interactive: bool,
    /// The current answer and how many times the plugin has answered. The lock is held while
    /// the plugin runs, so it runs once at a time (it may prompt the user).
    state: Mutex<(Answer, u64)>,
    /// Every token this plugin handed out in this process: a configuration carrying one of them
    /// got it from this plugin.
    issued: Mutex<Vec<SecretString>>,
}

/// The plugins run in this process, by configuration: a plugin runs once per command however many
/// clients the command builds, until its credential expires or is refused.
static PLUGINS: Mutex<Option<HashMap<String, Arc<Plugin>>>> = Mutex::new(None);

/// Replaces `auth.exec` by the credential its plugin prints, unless `auth` already carries a
/// credential (which then wins). `user` names the kubeconfig user in configuration errors.
/// Afterwards `auth.exec` is empty, so kube-rs never runs the plugin itself; [`refreshing`] finds
/// the plugin again from the token.
pub fn resolve(auth: &mut AuthInfo, user: &str) -> Result<(), ExecError> {
    let Some(exec) = auth.exec.take() else {
        return Ok(());
    };
    let has_credential = auth.token.is_some()
        || auth.token_file.is_some()
        || auth.username.is_some()
        || auth.client_certificate.is_some()
        || auth.client_certificate_data.is_some();
    if has_credential {
        return Ok(());
    }
    let interactive = interactive(&exec, user, std::io::stdin().is_terminal())?;
    let key = cache_key(&exec);
    let known = plugins().as_ref().and_then(|m| m.get(&key).cloned());
    let credential = match known {
        Some(plugin) => plugin.current().map_err(ExecError::Credentials)?.0,
        None => {
            let answer = run(&exec, interactive).map_err(ExecError::Credentials)?;
            let plugin = Arc::new(Plugin {
                exec,
                interactive,
                issued: Mutex::new(token_of(&answer.credential).into_iter().collect()),
                state: Mutex::new((answer.clone(), 1)),
            });
            plugins()
                .get_or_insert_with(HashMap::new)
                .insert(key, plugin);
            answer.credential
        }
    };
    match credential {
        Credential::Token(token) => auth.token = Some(token),
        Credential::Identity(cert, key) => {
            let b64 = base64::engine::general_purpose::STANDARD;
            auth.client_certificate_data = Some(b64.encode(cert));
            auth.client_key_data = Some(SecretString::from(b64.encode(key.expose_secret())));
        }
    }
    Ok(())
}

/// The plugin that handed out `auth`'s token, if one did: requests made with that configuration
/// then take their token from the plugin ([`Refreshing`]), not from `auth`.
pub fn refreshing(auth: &AuthInfo) -> Option<Arc<Plugin>> {
    let token = auth.token.as_ref()?.expose_secret().to_string();
    let all = plugins();
    all.as_ref()?
        .values()
        .find(|p| lock(&p.issued).iter().any(|t| t.expose_secret() == token))
        .cloned()
}

fn plugins() -> std::sync::MutexGuard<'static, Option<HashMap<String, Arc<Plugin>>>> {
    lock(&PLUGINS)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn cache_key(exec: &ExecConfig) -> String {
    serde_json::to_string(exec).unwrap_or_default()
}

fn token_of(c: &Credential) -> Option<SecretString> {
    match c {
        Credential::Token(t) => Some(t.clone()),
        Credential::Identity(..) => None,
    }
}

impl Plugin {
    /// client-go's `getCreds`: the current credential, the plugin run again first when it has
    /// expired; with the number of the answer (for [`Plugin::refresh_after`]).
    fn current(&self) -> Result<(Credential, u64), String> {
        let mut state = lock(&self.state);
        if !expired(&state.0, Utc::now()) {
            return Ok((state.0.credential.clone(), state.1));
        }
        self.rerun(&mut state)?;
        Ok((state.0.credential.clone(), state.1))
    }

    /// The current token without waiting: `None` when it has expired or the plugin is running.
    fn fresh_token(&self) -> Option<(SecretString, u64)> {
        let state = self.state.try_lock().ok()?;
        if expired(&state.0, Utc::now()) {
            return None;
        }
        token_of(&state.0.credential).map(|t| (t, state.1))
    }

    /// client-go's `maybeRefreshCreds`: after answer `seen` was refused, runs the plugin again
    /// unless a newer answer is already there.
    fn refresh_after(&self, seen: u64) -> Result<(), String> {
        let mut state = lock(&self.state);
        if state.1 != seen {
            return Ok(());
        }
        self.rerun(&mut state)
    }

    fn rerun(&self, state: &mut (Answer, u64)) -> Result<(), String> {
        let answer = run(&self.exec, self.interactive)?;
        if let Some(token) = token_of(&answer.credential) {
            lock(&self.issued).push(token);
        }
        *state = (answer, state.1 + 1);
        Ok(())
    }

    /// [`Plugin::current`]'s token, off the async runtime's threads when the plugin must run.
    async fn token(self: &Arc<Self>) -> Result<(Option<SecretString>, u64), BoxError> {
        if let Some((token, n)) = self.fresh_token() {
            return Ok((Some(token), n));
        }
        let plugin = self.clone();
        let (credential, n) = tokio::task::spawn_blocking(move || plugin.current())
            .await
            .map_err(BoxError::from)?
            .map_err(|e| BoxError::from(format!("getting credentials: {e}")))?;
        Ok((token_of(&credential), n))
    }
}

/// client-go's `credsExpired`: a credential without an expiry never expires.
fn expired(answer: &Answer, now: DateTime<Utc>) -> bool {
    answer.expires.is_some_and(|at| now > at)
}

/// The layer under kube-rs's others that authenticates each request with the plugin's current
/// token, as client-go's exec round tripper does, and sends a request refused with 401 once more
/// with the token the plugin then gives.
#[derive(Clone)]
pub struct Refreshing<S> {
    plugin: Arc<Plugin>,
    inner: S,
}

impl<S> Refreshing<S> {
    pub fn new(plugin: Arc<Plugin>, inner: S) -> Self {
        Refreshing { plugin, inner }
    }
}

impl<S, B> Service<Request<Body>> for Refreshing<S>
where
    S: Service<Request<Body>, Response = Response<B>, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response<B>;
    type Error = BoxError;
    type Future = futures::future::BoxFuture<'static, Result<Response<B>, BoxError>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        // The service polled ready is the one that sends; a clone sends the retry.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let plugin = self.plugin.clone();
        Box::pin(async move {
            // client-go: a request that already carries credentials is sent as it is.
            if req.headers().contains_key(http::header::AUTHORIZATION) {
                return inner.call(req).await;
            }
            let (token, seen) = plugin.token().await?;
            if let Some(token) = &token {
                req.headers_mut()
                    .insert(http::header::AUTHORIZATION, bearer(token)?);
            }
            let again = replay(&req);
            let res = inner.call(req).await?;
            if res.status() != http::StatusCode::UNAUTHORIZED {
                return Ok(res);
            }
            let refreshed = {
                let plugin = plugin.clone();
                tokio::task::spawn_blocking(move || plugin.refresh_after(seen))
                    .await
                    .map_err(BoxError::from)?
            };
            if let Err(e) = refreshed {
                // client-go logs this and hands back the 401.
                eprintln!("refreshing credentials: {e}");
                return Ok(res);
            }
            let Some(mut again) = again else {
                return Ok(res);
            };
            let (new_token, _) = plugin.token().await?;
            let same = match (&token, &new_token) {
                (Some(a), Some(b)) => a.expose_secret() == b.expose_secret(),
                _ => true,
            };
            match new_token {
                Some(t) if !same => {
                    again
                        .headers_mut()
                        .insert(http::header::AUTHORIZATION, bearer(&t)?);
                    drop(res);
                    inner.oneshot(again).await
                }
                _ => Ok(res),
            }
        })
    }
}

fn bearer(token: &SecretString) -> Result<http::HeaderValue, BoxError> {
    let mut value = http::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
        .map_err(|_| {
            BoxError::from("getting credentials: the token is not a valid header value")
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// A copy of `req` to send again, when its body can be copied.
fn replay(req: &Request<Body>) -> Option<Request<Body>> {
    let body = req.body().try_clone()?;
    let mut again = Request::new(body);
    *again.method_mut() = req.method().clone();
    *again.uri_mut() = req.uri().clone();
    *again.version_mut() = req.version();
    *again.headers_mut() = req.headers().clone();
    Some(again)
}

/// client-go's validation of the `exec` section and its `isInteractive`.
fn interactive(exec: &ExecConfig, user: &str, stdin_is_terminal: bool) -> Result<bool, ExecError> {
    let api_version = exec.api_version.as_deref().unwrap_or_default();
    let mut problems = Vec::new();
    if exec.command.as_deref().unwrap_or_default().is_empty() {
        problems.push(format!(
            "command must be specified for {user} to use exec authentication plugin"
        ));
    }
    if api_version.is_empty() {
        problems.push(format!(
            "apiVersion must be specified for {user} to use exec authentication plugin"
        ));
    }
    // v1beta1 defaults the mode to IfAvailable; v1 has no default.
    let mode = match &exec.interactive_mode {
        Some(mode) => Some(mode.clone()),
        None if api_version == "client.authentication.k8s.io/v1beta1" => {
            Some(ExecInteractiveMode::IfAvailable)
        }
        None => {
            problems.push(format!(
                "interactiveMode must be specified for {user} to use exec authentication plugin"
            ));
            None
        }
    };
    match problems.len() {
        0 => {}
        1 => {
            return Err(ExecError::Config(format!(
                "invalid configuration: {}",
                problems[0]
            )))
        }
        _ => {
            return Err(ExecError::Config(format!(
                "invalid configuration: [{}]",
                problems.join(", ")
            )))
        }
    }
    if !API_VERSIONS.contains(&api_version) {
        return Err(ExecError::Config(format!(
            "exec plugin: invalid apiVersion {api_version:?}"
        )));
    }
    match mode {
        Some(ExecInteractiveMode::Never) | None => Ok(false),
        Some(ExecInteractiveMode::IfAvailable) => Ok(stdin_is_terminal),
        Some(ExecInteractiveMode::Always) if stdin_is_terminal => Ok(true),
        Some(ExecInteractiveMode::Always) => Err(ExecError::Credentials(
            "exec plugin cannot support interactive mode: standard input is not a terminal".into(),
        )),
    }
}

/// The `KUBERNETES_EXEC_INFO` the plugin gets: client-go's encoding of its `ExecCredential`, field
/// for field (Go's order, `omitempty` fields left out, `config` always there) with the trailing
/// newline of its JSON encoder.
fn exec_info(exec: &ExecConfig, interactive: bool) -> String {
    use crate::yaml::json::write_string;
    let mut out = String::from("{\"kind\":\"ExecCredential\",\"apiVersion\":");
    write_string(
        &mut out,
        exec.api_version.as_deref().unwrap_or_default(),
        true,
    );
    out.push_str(",\"spec\":{");
    if let Some(cluster) = exec.cluster.as_ref().filter(|_| exec.provide_cluster_info) {
        out.push_str("\"cluster\":{\"server\":");
        write_string(
            &mut out,
            cluster.server.as_deref().unwrap_or_default(),
            true,
        );
        if let Some(name) = cluster.tls_server_name.as_deref().filter(|s| !s.is_empty()) {
            out.push_str(",\"tls-server-name\":");
            write_string(&mut out, name, true);
        }
        if cluster.insecure_skip_tls_verify == Some(true) {
            out.push_str(",\"insecure-skip-tls-verify\":true");
        }
        if let Some(ca) = cluster
            .certificate_authority_data
            .as_deref()
            .filter(|d| !d.is_empty())
        {
            out.push_str(",\"certificate-authority-data\":\"");
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(ca));
            out.push('"');
        }
        if let Some(proxy) = cluster.proxy_url.as_deref().filter(|s| !s.is_empty()) {
            out.push_str(",\"proxy-url\":");
            write_string(&mut out, proxy, true);
        }
        out.push_str(",\"config\":");
        match &cluster.config {
            Some(config) => out.push_str(&go_json(config)),
            None => out.push_str("null"),
        }
        out.push_str("},");
    }
    out.push_str(if interactive {
        "\"interactive\":true}}\n"
    } else {
        "\"interactive\":false}}\n"
    });
    out
}

/// A JSON value as Go's encoder writes an embedded raw message: compact, HTML characters escaped.
fn go_json(v: &Value) -> String {
    let mut out = String::new();
    write_go_json(&mut out, v);
    out
}

fn write_go_json(out: &mut String, v: &Value) {
    match v {
        Value::String(s) => crate::yaml::json::write_string(out, s, true),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                crate::yaml::json::write_string(out, k, true);
                out.push(':');
                write_go_json(out, item);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Runs the plugin and reads its credential.
fn run(exec: &ExecConfig, interactive: bool) -> Result<Answer, String> {
    let command = exec.command.clone().unwrap_or_default();
    let mut cmd = Command::new(&command);
    cmd.args(exec.args.iter().flatten());
    for var in exec.env.iter().flatten() {
        if let (Some(name), Some(value)) = (var.get("name"), var.get("value")) {
            cmd.env(name, value);
        }
    }
    cmd.env(EXEC_INFO, exec_info(exec, interactive))
        .stdin(if interactive {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let out = match cmd.output() {
        Ok(out) => out,
        // Go looks a bare name up in PATH first (exec.Error); a path is tried as it is.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !command.contains('/') => {
            let mut text = format!("exec: executable {command} not found{INSTALL_HINT}");
            if let Some(hint) = exec.install_hint.as_deref().filter(|h| !h.is_empty()) {
                text.push_str("\n\n");
                text.push_str(hint);
            }
            return Err(text);
        }
        Err(e) => return Err(format!("exec: fork/exec {command}: {}", go_errno_text(&e))),
    };
    if !out.status.success() {
        return Err(format!(
            "exec: executable {command} failed with exit code {}",
            out.status.code().unwrap_or(-1)
        ));
    }
    parse(&out.stdout, exec.api_version.as_deref().unwrap_or_default())
}

/// A system error as Go's `syscall.Errno` prints it: strerror's text, lower-cased first letter.
fn go_errno_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// client-go's checks of the plugin's answer, JSON or YAML.
fn parse(stdout: &[u8], api_version: &str) -> Result<Answer, String> {
    // serde_json's messages quote no input, so nothing the plugin printed reaches the error.
    let answer: Value = match serde_json::from_slice(stdout) {
        Ok(v) => v,
        Err(e) => {
            // Not JSON: client-go's decoder reads YAML too (sigs.k8s.io/yaml). Its errors may
            // quote the text, so a YAML failure is reported with the JSON one.
            let yaml = std::str::from_utf8(stdout)
                .ok()
                .and_then(|text| crate::yaml::from_str::<Value>(text, "stdout").ok())
                .filter(Value::is_object);
            match yaml {
                Some(v) => v,
                None => return Err(format!("decoding stdout: {e}")),
            }
        }
    };
    let got = answer.get("apiVersion").and_then(Value::as_str);
    if answer.get("kind").and_then(Value::as_str) != Some("ExecCredential") || got.is_none() {
        return Err("decoding stdout: couldn't get version/kind; not an ExecCredential".into());
    }
    if got != Some(api_version) {
        return Err(format!(
            "exec plugin is configured to use API version {api_version}, plugin returned version {}",
            got.unwrap_or_default()
        ));
    }
    let Some(status) = answer.get("status").filter(|s| !s.is_null()) else {
        return Err("exec plugin didn't return a status field".into());
    };
    let field = |name: &str| {
        status
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    // metav1.Time: RFC 3339; null or absent is no expiry.
    let expires = match status.get("expirationTimestamp") {
        None | Some(Value::Null) => None,
        Some(Value::String(at)) if at.is_empty() => None,
        Some(Value::String(at)) => Some(
            DateTime::parse_from_rfc3339(at)
                .map_err(|_| {
                    format!("decoding stdout: parsing time {at:?} as \"2006-01-02T15:04:05Z07:00\"")
                })?
                .with_timezone(&Utc),
        ),
        Some(_) => {
            return Err("decoding stdout: expirationTimestamp is not a string".into());
        }
    };
    let (token, cert, key) = (
        field("token"),
        field("clientCertificateData"),
        field("clientKeyData"),
    );
    let credential = match (token, cert, key) {
        (None, None, None) => Err("exec plugin didn't return a token or cert/key pair".into()),
        (_, Some(_), None) | (_, None, Some(_)) => {
            Err("exec plugin returned only certificate or key, not both".to_string())
        }
        (_, Some(cert), Some(key)) => Ok(Credential::Identity(
            cert.to_string(),
            SecretString::from(key.to_string()),
        )),
        (Some(token), None, None) => Ok(Credential::Token(SecretString::from(token.to_string()))),
    }?;
    Ok(Answer {
        credential,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exec(api_version: &str, mode: Option<ExecInteractiveMode>) -> ExecConfig {
        serde_json::from_value(json!({
            "apiVersion": api_version,
            "command": "plugin",
        }))
        .map(|mut e: ExecConfig| {
            e.interactive_mode = mode;
            e
        })
        .unwrap()
    }

    #[test]
    fn interactive_mode_as_client_go_decides_it() {
        let v1 = "client.authentication.k8s.io/v1";
        let beta = "client.authentication.k8s.io/v1beta1";
        use ExecInteractiveMode::*;
        assert_eq!(interactive(&exec(v1, Some(Never)), "u", true), Ok(false));
        assert_eq!(
            interactive(&exec(v1, Some(IfAvailable)), "u", true),
            Ok(true)
        );
        assert_eq!(
            interactive(&exec(v1, Some(IfAvailable)), "u", false),
            Ok(false)
        );
        assert_eq!(interactive(&exec(v1, Some(Always)), "u", true), Ok(true));
        assert_eq!(
            interactive(&exec(v1, Some(Always)), "u", false),
            Err(ExecError::Credentials(
                "exec plugin cannot support interactive mode: standard input is not a terminal"
                    .into()
            ))
        );
        // v1beta1 defaults to IfAvailable; v1 has no default.
        assert_eq!(interactive(&exec(beta, None), "u", true), Ok(true));
        assert_eq!(
            interactive(&exec(v1, None), "dev", false),
            Err(ExecError::Config(
                "invalid configuration: interactiveMode must be specified for dev to use exec authentication plugin".into()
            ))
        );
        assert_eq!(
            interactive(
                &exec("client.authentication.k8s.io/v1alpha1", Some(Never)),
                "u",
                false
            ),
            Err(ExecError::Config(
                "exec plugin: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\"".into()
            ))
        );
    }

    #[test]
    fn answers_checked_as_client_go_checks_them() {
        let v1 = "client.authentication.k8s.io/v1";
        let answer = |status: Value| {
            json!({"kind": "ExecCredential", "apiVersion": v1, "status": status}).to_string()
        };
        assert!(matches!(
            parse(answer(json!({"token": "t"})).as_bytes(), v1),
            Ok(Answer {
                credential: Credential::Token(_),
                expires: None
            })
        ));
        assert!(matches!(
            parse(
                answer(json!({"clientCertificateData": "c", "clientKeyData": "k"})).as_bytes(),
                v1
            ),
            Ok(Answer { credential: Credential::Identity(c, _), .. }) if c == "c"
        ));
        let err = |bytes: &[u8]| parse(bytes, v1).err().unwrap();
        assert_eq!(
            err(answer(json!({"clientKeyData": "k"})).as_bytes()),
            "exec plugin returned only certificate or key, not both"
        );
        assert_eq!(
            err(answer(json!({})).as_bytes()),
            "exec plugin didn't return a token or cert/key pair"
        );
        assert_eq!(
            err(br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1"}"#),
            "exec plugin didn't return a status field"
        );
        assert_eq!(
            err(br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"secret-t"}}"#),
            "exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1beta1"
        );
        // Garbage is reported without being quoted.
        let garbage = err(b"token=secret-t");
        assert!(garbage.starts_with("decoding stdout: "), "{garbage}");
        assert!(!garbage.contains("secret-t"), "{garbage}");
    }

    #[test]
    fn exec_info_is_the_bytes_client_go_writes() {
        let mut e = exec("client.authentication.k8s.io/v1", None);
        assert_eq!(
            exec_info(&e, false),
            "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"spec\":{\"interactive\":false}}\n"
        );
        // The cluster only when asked for; `config` is there even when the kubeconfig has none.
        e.cluster = serde_json::from_value(json!({"server": "https://127.0.0.1:1"})).ok();
        assert!(!exec_info(&e, true).contains("cluster"));
        e.provide_cluster_info = true;
        assert_eq!(
            exec_info(&e, true),
            "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"spec\":{\"cluster\":{\"server\":\"https://127.0.0.1:1\",\"config\":null},\"interactive\":true}}\n"
        );
        // Every field, in Go's order; the extension verbatim, compact, HTML escaped as Go does.
        e.cluster = serde_json::from_value(json!({
            "config": {"z": "<a&b>", "a": [1, true]},
            "proxy-url": "http://p:3128",
            "certificate-authority-data": "Q0E=",
            "insecure-skip-tls-verify": true,
            "tls-server-name": "api",
            "server": "https://h:6443",
        }))
        .ok();
        assert_eq!(
            exec_info(&e, false),
            "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"spec\":{\"cluster\":{\"server\":\"https://h:6443\",\"tls-server-name\":\"api\",\"insecure-skip-tls-verify\":true,\"certificate-authority-data\":\"Q0E=\",\"proxy-url\":\"http://p:3128\",\"config\":{\"z\":\"\\u003ca\\u0026b\\u003e\",\"a\":[1,true]}},\"interactive\":false}}\n"
        );
    }

    #[test]
    fn yaml_answers_and_expiry_read_as_client_go_reads_them() {
        let v1 = "client.authentication.k8s.io/v1";
        let yaml = "apiVersion: client.authentication.k8s.io/v1\nkind: ExecCredential\nstatus:\n  token: t\n  expirationTimestamp: 2026-12-07T21:00:00Z\n";
        let answer = parse(yaml.as_bytes(), v1).unwrap();
        assert!(matches!(&answer.credential, Credential::Token(t) if t.expose_secret() == "t"));
        let at = DateTime::parse_from_rfc3339("2026-12-07T21:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(answer.expires, Some(at));
        // Expired only once the time has passed; without an expiry, never.
        assert!(!expired(&answer, at));
        assert!(expired(&answer, at + chrono::Duration::seconds(1)));
        let forever = parse(
            br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t","expirationTimestamp":null}}"#,
            v1,
        )
        .unwrap();
        assert!(!expired(&forever, at + chrono::Duration::days(3650)));
        // A bad time is a decoding error; neither it nor YAML garbage quotes the token.
        let bad = parse(
            br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"secret-t","expirationTimestamp":"soon"}}"#,
            v1,
        )
        .err()
        .unwrap();
        assert!(
            bad.starts_with("decoding stdout: parsing time \"soon\""),
            "{bad}"
        );
        let garbage = parse(b"token: [secret-t", v1).err().unwrap();
        assert!(garbage.starts_with("decoding stdout: "), "{garbage}");
        assert!(!garbage.contains("secret-t"), "{garbage}");
    }
}
