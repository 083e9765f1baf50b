//! Connecting to a registry for the bundle commands: credentials from the flags, else Helm's
//! registry config, else Docker's `config.json` (`$DOCKER_CONFIG` or `~/.docker`), credential
//! helpers included (`registry::credentials`); HTTPS unless
//! `--plain-http`, except that a registry on the loopback network that does not speak TLS is used
//! over plain HTTP, as container tools allow.
use std::path::PathBuf;

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

/// The stored credentials for `host` (`credentials::stored`: Helm's registry config, then
/// Docker's, credential helpers included); Docker Hub's are also looked up under the names Docker
/// stores them by.
fn stored(access: &Access, host: &str) -> Result<Option<(String, String)>, Error> {
    let mut keys = vec![host];
    if host == "docker.io" || host == "registry-1.docker.io" {
        keys.extend(["https://index.docker.io/v1/", "index.docker.io"]);
    }
    for key in keys {
        if let Some(found) = credentials::stored(&access.registry_config, key)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// A client for `host` that answered `GET /v2/`. `credentials_host` is the name credentials are
/// stored under (`docker.io` for Docker Hub's `registry-1.docker.io`).
pub fn connect(host: &str, credentials_host: &str, access: &Access) -> Result<Client, Error> {
    let mut options = access.options.clone();
    if options.credentials.is_none() {
        options.credentials = stored(access, credentials_host)?;
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
