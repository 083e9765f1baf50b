//! HTTP(S) downloads of index files and chart archives with a repository's options, as Helm v3's
//! `getter.HTTPGetter` (`pkg/getter/httpgetter.go`): Helm's User-Agent, basic auth sent only to the
//! repository's own scheme and host unless `pass_credentials_all`, a custom CA, a client certificate,
//! `insecure_skip_tls_verify`; any status but 200 is `failed to fetch URL : 404 Not Found`.
//!
//! reqwest (blocking, rustls with ring) as for `-f URL`; reqwest drops the `Authorization` header when
//! a redirect leaves the host, as Go's client does. Credentials never appear in an error text.
use std::io::Read;
use std::sync::Once;

use super::error::Error;

/// Helm 3.17.3's User-Agent (`version.GetUserAgent`).
const USER_AGENT: &str = "Helm/3.17.3";

/// A repository's connection options (`getter.Option`s).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The repository URL the credentials belong to (`getter.WithURL`).
    pub repo_url: String,
    pub username: String,
    pub password: String,
    pub pass_credentials_all: bool,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub insecure_skip_tls_verify: bool,
}

impl Options {
    /// The options of a configured repository.
    pub fn for_entry(entry: &super::repofile::Entry) -> Options {
        Options {
            repo_url: entry.url.clone(),
            username: entry.username.clone(),
            password: entry.password.clone(),
            pass_credentials_all: entry.pass_credentials_all,
            ca_file: entry.ca_file.clone(),
            cert_file: entry.cert_file.clone(),
            key_file: entry.key_file.clone(),
            insecure_skip_tls_verify: entry.insecure_skip_tls_verify,
        }
    }
}

fn scheme_and_host(url: &str) -> Option<(String, String)> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let host = match parsed.port() {
        Some(port) => format!("{}:{port}", parsed.host_str().unwrap_or("")),
        None => parsed.host_str().unwrap_or("").to_string(),
    };
    Some((parsed.scheme().to_string(), host))
}

/// Set by `--offline` (`rudder install|upgrade … --offline`, air-gapped installs): from then on no
/// HTTP client is built, so no chart repository, registry or values URL is contacted. The cluster's
/// API server is reached through `crate::kube`, which this does not affect.
static NETWORK_FORBIDDEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The error every HTTP client gives once the network is forbidden.
pub const OFFLINE_ERROR: &str =
    "--offline: refusing to reach the network (only the cluster's API server may be contacted)";

/// Forbids every later HTTP(S) request of this process (`--offline`).
pub fn forbid_network() {
    NETWORK_FORBIDDEN.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Whether `--offline` forbade the network.
pub fn network_forbidden() -> bool {
    NETWORK_FORBIDDEN.load(std::sync::atomic::Ordering::SeqCst)
}

pub(crate) fn client(options: &Options) -> Result<reqwest::blocking::Client, Error> {
    if network_forbidden() {
        return Err(Error::Http(OFFLINE_ERROR.to_string()));
    }
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    // Proxies as Go's ProxyFromEnvironment decides them (crate::proxy), not as reqwest would.
    let mut builder = reqwest::blocking::Client::builder()
        .user_agent(USER_AGENT)
        .no_proxy()
        .proxy(crate::proxy::reqwest_proxy());
    if !options.ca_file.is_empty() {
        let pem = std::fs::read(&options.ca_file).map_err(|_| {
            Error::Http(format!(
                "can't create TLS config for client: can't read CA file: {}",
                options.ca_file
            ))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            Error::Http(format!(
                "can't create TLS config for client: failed to append certificates from file: {}: {e}",
                options.ca_file
            ))
        })?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    if !options.cert_file.is_empty() && !options.key_file.is_empty() {
        let key_pair_error = |detail: String| {
            Error::Http(format!(
                "can't create TLS config for client: can't load key pair from cert {} and key {}: {detail}",
                options.cert_file, options.key_file
            ))
        };
        let read = |path: &str| {
            std::fs::read(path).map_err(|e| {
                key_pair_error(crate::go_os::path_error(
                    "open",
                    std::path::Path::new(path),
                    &e,
                ))
            })
        };
        let mut pem = read(&options.cert_file)?;
        pem.extend(read(&options.key_file)?);
        let identity =
            reqwest::Identity::from_pem(&pem).map_err(|e| key_pair_error(e.to_string()))?;
        builder = builder.identity(identity);
    }
    if options.insecure_skip_tls_verify {
        builder = builder.danger_accept_invalid_certs(true);
    }
    builder
        .build()
        .map_err(|e| Error::Http(format!("can't create HTTP client: {e}")))
}

/// GETs `url` with `options`; the body, or Helm's error text.
pub fn get(url: &str, options: &Options) -> Result<Vec<u8>, Error> {
    let client = client(options)?;
    let mut request = client.get(url);
    let same_origin = match (scheme_and_host(&options.repo_url), scheme_and_host(url)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    if (options.pass_credentials_all || same_origin)
        && !options.username.is_empty()
        && !options.password.is_empty()
    {
        request = request.basic_auth(&options.username, Some(&options.password));
    }
    let mut response = request.send().map_err(|e| {
        Error::Http(match tls_failure(&e) {
            Some(text) => format!("Get {}: {text}", crate::template::printf::quote_go(url)),
            None => crate::values::getter::transport_error(url, &e),
        })
    })?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        let reason = status.canonical_reason().unwrap_or("");
        return Err(Error::Http(format!(
            "failed to fetch {url} : {} {reason}",
            status.as_u16()
        )));
    }
    let mut body = Vec::new();
    response.read_to_end(&mut body).map_err(|e| {
        Error::Http(format!(
            "Get {}: {e}",
            crate::template::printf::quote_go(url)
        ))
    })?;
    Ok(body)
}

/// A TLS handshake failure in Go's words (`tls: failed to verify certificate: x509: certificate signed
/// by unknown authority`), found by walking the error's causes to rustls' error.
pub(crate) fn tls_failure(e: &reqwest::Error) -> Option<String> {
    go_tls_failure(e)
}

/// [`tls_failure`] of any error chain (the cluster client's too).
pub(crate) fn go_tls_failure(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    use rustls::CertificateError as C;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        let tls = find_rustls(err);
        if let Some(tls) = tls {
            let verify = "tls: failed to verify certificate: x509:";
            return Some(match tls {
                rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
                    format!("{verify} certificate signed by unknown authority")
                }
                rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. })
                | rustls::Error::InvalidCertificate(
                    C::NotValidYet | C::NotValidYetContext { .. },
                ) => {
                    format!("{verify} certificate has expired or is not yet valid")
                }
                rustls::Error::InvalidCertificate(
                    C::NotValidForName | C::NotValidForNameContext { .. },
                ) => format!("{verify} certificate is not valid for the requested host name"),
                other => format!("tls: {other}"),
            });
        }
        source = err.source();
    }
    None
}

/// Whether `e` failed because the server's certificate was not accepted (as opposed to the server
/// not speaking TLS at all).
pub(crate) fn is_certificate_failure(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(tls) = find_rustls(err) {
            return matches!(tls, rustls::Error::InvalidCertificate(_));
        }
        source = err.source();
    }
    false
}

/// rustls' error in `err` or in the `io::Error`s wrapped inside it (hyper wraps it twice).
fn find_rustls<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let inner = err.downcast_ref::<std::io::Error>()?.get_ref()?;
    find_rustls(inner)
}

/// Helm's `repo.ResolveReferenceURL(base, ref)`: `ref` against `base` with a trailing `/` added to
/// base's path (so `https://x/charts` + `index.yaml` is `https://x/charts/index.yaml`); the base's
/// query is kept.
pub fn resolve_reference(base: &str, reference: &str) -> Result<String, Error> {
    let mut parsed = reqwest::Url::parse(base)
        .map_err(|e| Error::Resolve(format!("failed to parse base URL {base}: {e}")))?;
    let query = parsed.query().map(str::to_string);
    if !parsed.path().ends_with('/') {
        let path = format!("{}/", parsed.path());
        parsed.set_path(&path);
    }
    let mut joined = parsed
        .join(reference)
        .map_err(|e| Error::Resolve(format!("failed to parse {reference} as URL: {e}")))?;
    if joined.query().is_none() {
        joined.set_query(query.as_deref());
    }
    Ok(joined.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_url_joins_like_helm() {
        assert_eq!(
            resolve_reference("http://127.0.0.1:8080/charts", "index.yaml").unwrap(),
            "http://127.0.0.1:8080/charts/index.yaml"
        );
        assert_eq!(
            resolve_reference("http://127.0.0.1:8080/", "redis-1.0.0.tgz").unwrap(),
            "http://127.0.0.1:8080/redis-1.0.0.tgz"
        );
        assert_eq!(
            resolve_reference("http://h/c?t=1", "index.yaml").unwrap(),
            "http://h/c/index.yaml?t=1"
        );
    }
}
