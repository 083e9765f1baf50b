//! Connecting to a registry for the bundle commands: credentials from the flags, else Helm's
//! registry config, else Docker's `config.json` (`$DOCKER_CONFIG` or `~/.docker`); HTTPS unless
//! `--plain-http`, except that a registry on the loopback network that does not speak TLS is used
//! over plain HTTP, as container tools allow.
use std::path::{Path, PathBuf};

use super::Error;
use crate::registry::client::{is_loopback, Options};
use crate::registry::{credentials, Client};

/// How the bundle commands reach registries.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// TLS options, `--plain-http` and credentials given on the command line.
    pub options: Options,
    /// Helm's registry config file.
    pub registry_config: PathBuf,
}

fn docker_config() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(Path::new(&dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".docker/config.json"))
}

/// The stored credentials for `host`.
fn stored(access: &Access, host: &str) -> Option<(String, String)> {
    if let Some(found) = credentials::get(&access.registry_config, host) {
        return Some(found);
    }
    let docker = docker_config()?;
    let mut keys = vec![host.to_string(), format!("https://{host}")];
    if host == "docker.io" || host == "registry-1.docker.io" {
        keys.push("https://index.docker.io/v1/".to_string());
        keys.push("index.docker.io".to_string());
    }
    keys.iter().find_map(|k| credentials::get(&docker, k))
}

/// A client for `host` that answered `GET /v2/`. `credentials_host` is the name credentials are
/// stored under (`docker.io` for Docker Hub's `registry-1.docker.io`).
pub fn connect(host: &str, credentials_host: &str, access: &Access) -> Result<Client, Error> {
    let mut options = access.options.clone();
    if options.credentials.is_none() {
        options.credentials = stored(access, credentials_host);
    }
    let mut client = Client::new(host, options.clone())?;
    match client.ping() {
        Ok(()) => Ok(client),
        Err((error, no_answer)) if no_answer && !options.plain_http && is_loopback(host) => {
            options.plain_http = true;
            let mut plain = Client::new(host, options)?;
            match plain.ping() {
                Ok(()) => Ok(plain),
                // It speaks plain HTTP and refused: that is the answer.
                Err((refusal, false)) => Err(refusal.into()),
                Err(_) => Err(error.into()),
            }
        }
        Err((error, _)) => Err(error.into()),
    }
}
