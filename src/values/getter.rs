//! Fetching `-f`/`--set-file` arguments that are http(s) URLs, as Helm v3's `getter.HTTPGetter`
//! (`pkg/getter/httpgetter.go`): a GET with Helm's User-Agent; any status but 200 is
//! `failed to fetch URL : STATUS`, a transport failure is Go's `Get "URL": …` text.
//!
//! Other schemes are not getters in Helm either (without plugins): those arguments are read as local
//! paths by the caller.
use std::io::Read;
use std::sync::Once;

/// Helm 3.17.3's User-Agent (`version.GetUserAgent`).
const USER_AGENT: &str = "Helm/3.17.3";

/// Whether Helm has a getter for `arg`'s scheme (`http`/`https`).
pub fn is_url(arg: &str) -> bool {
    let lower = arg.get(..8).unwrap_or(arg).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// GETs `url`; the body, or Helm's error text.
pub fn fetch(url: &str) -> Result<Vec<u8>, String> {
    if crate::deps::getter::network_forbidden() {
        return Err(format!(
            "Get {}: {}",
            quote(url),
            crate::deps::getter::OFFLINE_ERROR
        ));
    }
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        // reqwest is built without a bundled provider; rustls uses ring (as rcgen does).
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    let client = reqwest::blocking::Client::builder()
        .user_agent(USER_AGENT)
        .no_proxy()
        .proxy(crate::proxy::reqwest_proxy())
        .build()
        .map_err(|e| format!("Get {}: {e}", quote(url)))?;
    let mut response = client
        .get(url)
        .send()
        .map_err(|e| transport_error(url, &e))?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        let reason = status.canonical_reason().unwrap_or("");
        return Err(format!(
            "failed to fetch {url} : {} {reason}",
            status.as_u16()
        ));
    }
    let mut body = Vec::new();
    response
        .read_to_end(&mut body)
        .map_err(|e| format!("Get {}: {e}", quote(url)))?;
    Ok(body)
}

fn quote(url: &str) -> String {
    crate::template::printf::quote_go(url)
}

/// Go's `*url.Error` text for the common transport failures (`dial tcp HOST:PORT: connect:
/// connection refused`); otherwise reqwest's own description after `Get "URL": `.
pub(crate) fn transport_error(url: &str, e: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                let target = e
                    .url()
                    .map(|u| {
                        let host = u.host_str().unwrap_or("");
                        let port = u.port_or_known_default().unwrap_or(0);
                        format!("{host}:{port}")
                    })
                    .unwrap_or_default();
                return format!(
                    "Get {}: dial tcp {target}: connect: connection refused",
                    quote(url)
                );
            }
        }
        source = err.source();
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text = format!("{text}: {c}");
        cause = c.source();
    }
    format!("Get {}: {text}", quote(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_schemes_are_urls() {
        assert!(is_url("http://127.0.0.1/x.yaml"));
        assert!(is_url("HTTPS://example.com/x.yaml"));
        assert!(!is_url("file:///x.yaml"));
        assert!(!is_url("values.yaml"));
        assert!(!is_url("-"));
    }
}
