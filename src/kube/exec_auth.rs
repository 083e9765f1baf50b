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
//! Not done: client-go runs the plugin again when the credential's `expirationTimestamp` has
//! passed or the server answers 401; here a credential is fetched once per command, so a command
//! that outlives its credential fails with the server's 401. Only JSON output is read (client-go
//! also accepts YAML).
use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::{Command, Stdio};
use std::sync::Mutex;

use ::kube::config::{AuthInfo, ExecConfig, ExecInteractiveMode};
use base64::Engine;
use secrecy::SecretString;
use serde_json::{json, Value};

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

/// Why the plugin gave no credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecError {
    /// The kubeconfig's `exec` section is invalid (client-go's `invalid configuration: …`).
    Config(String),
    /// Running the plugin or reading its answer failed (client-go's `getting credentials: …`).
    Credentials(String),
}

/// The credentials fetched in this process, by plugin configuration: a plugin runs once per
/// command however many clients the command builds (it may prompt the user).
static FETCHED: Mutex<Option<HashMap<String, Credential>>> = Mutex::new(None);

/// Replaces `auth.exec` by the credential its plugin prints, unless `auth` already carries a
/// credential (which then wins). `user` names the kubeconfig user in configuration errors.
/// Afterwards `auth.exec` is empty, so kube-rs never runs the plugin itself.
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
    let cached = lock().as_ref().and_then(|m| m.get(&key).cloned());
    let credential = match cached {
        Some(c) => c,
        None => {
            let c = run(&exec, interactive).map_err(ExecError::Credentials)?;
            lock()
                .get_or_insert_with(HashMap::new)
                .insert(key, c.clone());
            c
        }
    };
    match credential {
        Credential::Token(token) => auth.token = Some(token),
        Credential::Identity(cert, key) => {
            use secrecy::ExposeSecret;
            let b64 = base64::engine::general_purpose::STANDARD;
            auth.client_certificate_data = Some(b64.encode(cert));
            auth.client_key_data = Some(SecretString::from(b64.encode(key.expose_secret())));
        }
    }
    Ok(())
}

fn lock() -> std::sync::MutexGuard<'static, Option<HashMap<String, Credential>>> {
    FETCHED.lock().unwrap_or_else(|e| e.into_inner())
}

fn cache_key(exec: &ExecConfig) -> String {
    serde_json::to_string(exec).unwrap_or_default()
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

/// The `KUBERNETES_EXEC_INFO` the plugin gets.
fn exec_info(exec: &ExecConfig, interactive: bool) -> String {
    let mut spec = json!({ "interactive": interactive });
    if exec.provide_cluster_info {
        if let Some(cluster) = &exec.cluster {
            spec["cluster"] = serde_json::to_value(cluster).unwrap_or(Value::Null);
        }
    }
    json!({
        "kind": "ExecCredential",
        "apiVersion": exec.api_version.clone().unwrap_or_default(),
        "spec": spec,
    })
    .to_string()
}

/// Runs the plugin and reads its credential.
fn run(exec: &ExecConfig, interactive: bool) -> Result<Credential, String> {
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

/// client-go's checks of the plugin's answer.
fn parse(stdout: &[u8], api_version: &str) -> Result<Credential, String> {
    // serde_json's messages quote no input, so nothing the plugin printed reaches the error.
    let answer: Value =
        serde_json::from_slice(stdout).map_err(|e| format!("decoding stdout: {e}"))?;
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
    let (token, cert, key) = (
        field("token"),
        field("clientCertificateData"),
        field("clientKeyData"),
    );
    match (token, cert, key) {
        (None, None, None) => Err("exec plugin didn't return a token or cert/key pair".into()),
        (_, Some(_), None) | (_, None, Some(_)) => {
            Err("exec plugin returned only certificate or key, not both".into())
        }
        (_, Some(cert), Some(key)) => Ok(Credential::Identity(
            cert.to_string(),
            SecretString::from(key.to_string()),
        )),
        (Some(token), None, None) => Ok(Credential::Token(SecretString::from(token.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Ok(Credential::Token(_))
        ));
        assert!(matches!(
            parse(
                answer(json!({"clientCertificateData": "c", "clientKeyData": "k"})).as_bytes(),
                v1
            ),
            Ok(Credential::Identity(c, _)) if c == "c"
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
    fn exec_info_carries_the_mode_and_the_cluster_only_when_asked() {
        let mut e = exec("client.authentication.k8s.io/v1", None);
        let info: Value = serde_json::from_str(&exec_info(&e, false)).unwrap();
        assert_eq!(
            info,
            json!({"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1", "spec": {"interactive": false}})
        );
        e.provide_cluster_info = true;
        e.cluster = serde_json::from_value(json!({"server": "https://127.0.0.1:1"})).ok();
        let info: Value = serde_json::from_str(&exec_info(&e, true)).unwrap();
        assert_eq!(info["spec"]["cluster"]["server"], "https://127.0.0.1:1");
        assert_eq!(info["spec"]["interactive"], true);
    }
}
