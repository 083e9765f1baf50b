//! Docker's credential helper protocol, as oras-go's native store (which Helm uses) speaks it:
//! `docker-credential-<name> get` found on `$PATH`, the server on standard input, a JSON
//! `{"ServerURL", "Username", "Secret"}` on standard output; standard error goes to ours. `store`
//! (that JSON on standard input) and `erase` (the server) for `registry login|logout`. A helper
//! that exits non-zero printing `credentials not found in native keychain` has nothing stored
//! for the server, which is not an error. A `Username` of `<token>` marks an identity token
//! (OAuth2 refresh token), given to the registry client as `("", token)`; `store` writes one the
//! same way.
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::Error;

const PREFIX: &str = "docker-credential-";
const NOT_FOUND: &str = "credentials not found in native keychain";
/// The `Username` that marks the `Secret` as an identity token.
const TOKEN_USERNAME: &str = "<token>";

/// Which setting of which file chose the helper, for messages (`credHelpers in FILE`).
pub struct Origin<'a> {
    pub field: &'static str,
    pub file: &'a Path,
}

/// The `(username, secret)` helper `name` holds for `server`, `None` when it holds none.
pub fn get(name: &str, server: &str, origin: &Origin) -> Result<Option<(String, String)>, Error> {
    let program = format!("{PREFIX}{name}");
    let context = || {
        format!(
            "{server}: credential helper {program} ({} in {})",
            origin.field,
            origin.file.display()
        )
    };
    let out = match run_helper(&program, "get", server) {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error(format!("{}: not found in $PATH", context())))
        }
        Err(e) => return Err(Error(format!("{}: {e}", context()))),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let message = stdout.trim();
    if !out.status.success() {
        if message == NOT_FOUND {
            return Ok(None);
        }
        let status = match out.status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        };
        let detail = if message.is_empty() {
            status
        } else {
            format!("{status}: {message}")
        };
        return Err(Error(format!("{}: get failed: {detail}", context())));
    }
    let parsed: serde_json::Value = serde_json::from_str(message).map_err(|e| {
        Error(format!(
            "{}: expected a JSON object with Username and Secret on standard output: {e}",
            context()
        ))
    })?;
    let field = |k: &str| parsed.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    let (username, secret) = (field("Username"), field("Secret"));
    if username == TOKEN_USERNAME {
        return Ok(Some((String::new(), secret.to_string())));
    }
    if username.is_empty() && secret.is_empty() {
        return Ok(None);
    }
    Ok(Some((username.to_string(), secret.to_string())))
}

/// `docker-credential-<name> store` of `(username, secret)` for `server` (what `registry login`
/// does when a helper is configured for the server; an empty `username` stores `secret` as an
/// identity token); a failure in the words of Docker's helper client, as Helm prints it.
pub fn store(name: &str, server: &str, username: &str, secret: &str) -> Result<(), Error> {
    let username = if username.is_empty() {
        TOKEN_USERNAME
    } else {
        username
    };
    // Go's json.Encoder: the fields in this order, HTML characters escaped, a final line break.
    let mut input = String::new();
    for (i, (key, value)) in [
        ("ServerURL", server),
        ("Username", username),
        ("Secret", secret),
    ]
    .into_iter()
    .enumerate()
    {
        input.push(if i == 0 { '{' } else { ',' });
        crate::yaml::json::write_string(&mut input, key, true);
        input.push(':');
        crate::yaml::json::write_string(&mut input, value, true);
    }
    input.push_str("}\n");
    run_for(name, "store", &input, "storing")
}

/// `docker-credential-<name> erase` of `server` (`registry logout`).
pub fn erase(name: &str, server: &str) -> Result<(), Error> {
    run_for(name, "erase", server, "erasing")
}

/// Runs `docker-credential-<name> <action>` with `input` on standard input; `Error: error <doing>
/// credentials - err: <exit status or exec error>, out: `<standard output>`` when it fails.
fn run_for(name: &str, action: &str, input: &str, doing: &str) -> Result<(), Error> {
    let program = format!("{PREFIX}{name}");
    let failed = |err: String, out: &str| {
        Error(format!(
            "error {doing} credentials - err: {err}, out: `{}`",
            out.trim()
        ))
    };
    let out = match run_helper(&program, action, input) {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(failed(
                format!("exec: \"{program}\": executable file not found in $PATH"),
                "",
            ))
        }
        Err(e) => return Err(failed(e.to_string(), "")),
    };
    if out.status.success() {
        return Ok(());
    }
    let status = match out.status.code() {
        Some(code) => format!("exit status {code}"),
        None => "signal: killed".to_string(),
    };
    Err(failed(status, &String::from_utf8_lossy(&out.stdout)))
}

/// Runs `program action` with `input` on its standard input; its output (standard error goes
/// to ours). A helper that exits without reading closes the pipe: its exit status tells.
fn run_helper(program: &str, action: &str, input: &str) -> std::io::Result<std::process::Output> {
    let mut child = Command::new(program)
        .arg(action)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes());
    }
    child.wait_with_output()
}

/// The helper oras-go picks when a config file configures no authentication at all, on Linux:
/// `pass` when the `pass` program is on `$PATH`, else `secretservice`, and only when
/// `docker-credential-<that>` is on `$PATH` too.
pub fn platform_default() -> Option<&'static str> {
    let name = if crate::go_os::look_path("pass").is_some() {
        "pass"
    } else {
        "secretservice"
    };
    crate::go_os::look_path(&format!("{PREFIX}{name}")).map(|_| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_helper_is_named_with_its_origin() {
        let file = Path::new("/cfg/config.json");
        let origin = Origin {
            field: "credsStore",
            file,
        };
        let err = get("rudder-no-such-helper-xyz", "reg:5000", &origin).unwrap_err();
        assert_eq!(
            err.0,
            "reg:5000: credential helper docker-credential-rudder-no-such-helper-xyz (credsStore in /cfg/config.json): not found in $PATH"
        );
    }
}
