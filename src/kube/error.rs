//! Errors of the cluster layer, worded as Helm words them on its first line.
//!
//! Nothing here ever holds a token, a password or a client key: kubeconfig problems are described by
//! file, context and field names, connection problems by the server URL and the transport's text.
use std::fmt;

/// What went wrong talking to (or finding) the cluster.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The kubeconfig could not be read or does not say how to reach a cluster. Helm reports these
    /// while checking reachability: `Kubernetes cluster unreachable: …`.
    #[error("Kubernetes cluster unreachable: {0}")]
    Kubeconfig(String),
    /// `--kube-context` (or `HELM_KUBECONTEXT`) names a context the kubeconfig does not define.
    #[error("Kubernetes cluster unreachable: context \"{0}\" does not exist")]
    UnknownContext(String),
    /// The API server could not be reached.
    #[error("Kubernetes cluster unreachable: {detail}")]
    Unreachable { server: String, detail: String },
    /// The server refused the request for lack of permission (HTTP 403); the server's text.
    #[error("{0}")]
    Forbidden(String),
    /// Any other refusal by the API server: its HTTP code, reason and message.
    #[error("{}", .0)]
    Api(ApiError),
    /// A failure inside the client (decoding a response, building a request).
    #[error("{0}")]
    Client(String),
}

/// The `Status` the API server answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: u16,
    pub reason: String,
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error {
    /// Classifies an error from kube-rs. `server` names the API server for connection errors.
    pub fn from_kube(e: ::kube::Error, server: &str) -> Error {
        match e {
            ::kube::Error::Api(status) if status.is_forbidden() => Error::Forbidden(status.message),
            ::kube::Error::Api(status) => Error::Api(ApiError {
                code: status.code,
                reason: status.reason,
                message: status.message,
            }),
            ::kube::Error::HyperError(e) => Error::Unreachable {
                server: server.to_string(),
                detail: transport_detail(server, &e),
            },
            ::kube::Error::Service(e) => Error::Unreachable {
                server: server.to_string(),
                detail: transport_detail(server, e.as_ref()),
            },
            other => Error::Client(chain(&other)),
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api(a) if a.code == 404 || a.reason == "NotFound")
    }

    pub fn is_already_exists(&self) -> bool {
        matches!(self, Error::Api(a) if a.reason == "AlreadyExists")
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Api(a) if a.reason == "Conflict" || (a.code == 409 && a.reason != "AlreadyExists"))
    }
}

/// An error and its sources joined with `: `, without repeating a source its parent already shows.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// A transport failure as Go's `net/http` words it: `Get "URL": dial tcp HOST:PORT: connect:
/// connection refused` for the common socket errors, `Get "URL": tls: failed to verify
/// certificate: x509: …` for a refused certificate (behind `proxyconnect tcp: ` when it was an
/// HTTPS proxy's), else `Get "URL": <the error chain>`.
fn transport_detail(url: &str, e: &(dyn std::error::Error + 'static)) -> String {
    if let Some(tls) = crate::deps::getter::go_tls_failure(e) {
        // hyper-util's proxy tunnel failed: Go says it failed connecting to the proxy.
        let via_proxy = chain(e).contains("tunnel error");
        let prefix = if via_proxy { "proxyconnect tcp: " } else { "" };
        return format!("Get \"{url}\": {prefix}{tls}");
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            let why = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => Some("connect: connection refused"),
                std::io::ErrorKind::TimedOut => Some("i/o timeout"),
                std::io::ErrorKind::HostUnreachable => Some("connect: no route to host"),
                std::io::ErrorKind::NetworkUnreachable => Some("connect: network is unreachable"),
                _ => None,
            };
            if let Some(why) = why {
                return format!("Get \"{url}\": dial tcp {}: {why}", dial_address(url));
            }
        }
        source = s.source();
    }
    format!("Get \"{url}\": {}", chain(e))
}

/// `host:port` of a URL as Go's dialer names it (`localhost` resolved to `127.0.0.1`, the scheme's
/// default port filled in).
fn dial_address(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (h, p.to_string()),
        _ => (
            authority,
            if scheme == "http" { "80" } else { "443" }.to_string(),
        ),
    };
    let host = if host == "localhost" {
        "127.0.0.1"
    } else {
        host
    };
    format!("{host}:{port}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dial_addresses_like_go() {
        assert_eq!(
            dial_address("http://localhost:8080/version"),
            "127.0.0.1:8080"
        );
        assert_eq!(dial_address("https://127.0.0.1:1/version"), "127.0.0.1:1");
        assert_eq!(
            dial_address("https://example.test/version"),
            "example.test:443"
        );
    }
}
