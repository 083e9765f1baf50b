//! The connection to the API server: the HTTP stack under the kube-rs `Client`.
//!
//! kube-rs's own stack (`ClientBuilder::try_from(Config)`) speaks HTTP/1.1 only, so every request
//! in flight holds a TLS connection of its own: one no-change upgrade of the benchmark chart opened
//! 116 connections (each a full handshake with a client certificate, paid by us and by the API
//! server on the same cores), where client-go opens one. This module builds the same stack with
//! HTTP/2 offered by ALPN (`h2`, then `http/1.1`), as Go's transport does: on a TLS server that
//! accepts it (every kube-apiserver), all requests of a command share one kept-alive connection as
//! multiplexed streams; a plain-`http://` server or one that answers `http/1.1` gets HTTP/1.1 as
//! before. Like client-go, an idle HTTP/2 connection is pinged every 30 s and dropped when a ping
//! is not answered within 15 s.
//!
//! Everything else is kube-rs's: its TLS client configuration (CA, `insecure-skip-tls-verify`,
//! client certificates including an exec plugin's), its authentication layer (tokens, token files;
//! a credential plugin's token goes through `exec_auth::Refreshing` instead), its base-URI, header and retry layers, its timeouts, and the proxy tunnel of
//! hyper-util (`proxy_url`, which `config` sets from the kubeconfig or the environment). kube-rs
//! falls short only in not offering the HTTP/2 part: its connector fixes ALPN to HTTP/1.1 and its
//! `hyper-util` client is built without HTTP/2.
use std::time::Duration;

use ::kube::client::{Body, ClientBuilder, ConfigExt};
use base64::Engine;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::{proxy::Tunnel, Connection, HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tower::{util::BoxService, BoxError, ServiceBuilder, ServiceExt as _};

/// The service under a [`::kube::Client`] (before `--qps` / `--burst-limit` wrap it).
pub type Service = BoxService<Request<Body>, Response<Incoming>, BoxError>;

/// How often an HTTP/2 connection is pinged (client-go's `ReadIdleTimeout`).
const PING_INTERVAL: Duration = Duration::from_secs(30);
/// How long a ping may go unanswered before the connection is dropped (client-go's `PingTimeout`).
const PING_TIMEOUT: Duration = Duration::from_secs(15);

/// The client builder for `config`: kube-rs's layers over a connection pool that speaks HTTP/2
/// where the server offers it. Errors are kube-rs's (bad TLS material, an unsupported proxy scheme).
pub fn client_builder(config: ::kube::Config) -> Result<ClientBuilder<Service>, ::kube::Error> {
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    // Go's net package sets TCP_NODELAY on every TCP connection.
    tcp.set_nodelay(true);
    match config.proxy_url.clone() {
        None => finish(config, tcp),
        Some(proxy) if proxy.scheme_str() == Some("http") => {
            let tunnel = with_proxy_auth(&proxy, Tunnel::new(proxy.clone(), tcp));
            finish(config, tunnel)
        }
        Some(proxy) if proxy.scheme_str() == Some("https") => {
            // TLS to the proxy itself: HTTP/1.1 only, since the tunnel speaks CONNECT.
            let to_proxy = tls_builder(&config)?.enable_http1().wrap_connector(tcp);
            let tunnel = with_proxy_auth(&proxy, Tunnel::new(proxy.clone(), to_proxy));
            finish(config, tunnel)
        }
        Some(proxy) if proxy.scheme_str() == Some("socks5") => {
            Err(::kube::Error::ProxyProtocolDisabled {
                proxy_url: Box::new(proxy),
                protocol_feature: "kube/socks5",
            })
        }
        Some(proxy) => Err(::kube::Error::ProxyProtocolUnsupported {
            proxy_url: Box::new(proxy),
        }),
    }
}

/// The TLS part of a connector: kube-rs's client configuration and `tls-server-name`.
fn tls_builder(
    config: &::kube::Config,
) -> Result<
    hyper_rustls::HttpsConnectorBuilder<hyper_rustls::builderstates::WantsProtocols1>,
    ::kube::Error,
> {
    let mut builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config.rustls_client_config()?)
        .https_or_http();
    if let Some(name) = &config.tls_server_name {
        let name = rustls::pki_types::ServerName::try_from(name.clone()).map_err(|e| {
            ::kube::Error::RustlsTls(::kube::client::RustlsTlsError::InvalidServerName(e))
        })?;
        builder =
            builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name));
    }
    Ok(builder)
}

/// TLS (offering `h2` and `http/1.1`) over `connector`, the timeouts, the pool, and kube-rs's layers.
fn finish<C>(config: ::kube::Config, connector: C) -> Result<ClientBuilder<Service>, ::kube::Error>
where
    C: tower::Service<http::Uri> + Clone + Send + Sync + 'static,
    C::Response: Connection + hyper::rt::Read + hyper::rt::Write + Send + Unpin + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    let https = tls_builder(&config)?
        .enable_all_versions()
        .wrap_connector(connector);
    let mut timed = hyper_timeout::TimeoutConnector::new(https);
    timed.set_connect_timeout(config.connect_timeout);
    timed.set_read_timeout(config.read_timeout);
    timed.set_write_timeout(config.write_timeout);
    timed.set_reset_reader_on_write(config.reset_reader_on_write);

    let pool: hyper_util::client::legacy::Client<_, Body> =
        hyper_util::client::legacy::Builder::new(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .http2_keep_alive_interval(PING_INTERVAL)
            .http2_keep_alive_timeout(PING_TIMEOUT)
            .build(timed);

    let default_namespace = config.default_namespace.clone();
    let retry = config
        .default_retry
        .then(|| tower::retry::RetryLayer::new(::kube::client::retry::RetryPolicy::server_retry()));
    // A token from a credential plugin: the plugin's layer (refreshed on expiry and on 401)
    // takes the place of kube-rs's authentication layer.
    let plugin = super::exec_auth::refreshing(&config.auth_info);
    let auth = match plugin {
        Some(_) => None,
        None => config.auth_layer()?,
    };
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(retry)
        .option_layer(auth)
        .option_layer(plugin.map(PluginLayer))
        .layer(config.extra_headers_layer()?)
        .map_err(BoxError::from)
        .service(pool)
        .boxed();
    Ok(ClientBuilder::new(service, default_namespace))
}

/// [`super::exec_auth::Refreshing`] as a layer.
struct PluginLayer(std::sync::Arc<super::exec_auth::Plugin>);

impl<S> tower::Layer<S> for PluginLayer {
    type Service = super::exec_auth::Refreshing<S>;

    fn layer(&self, inner: S) -> Self::Service {
        super::exec_auth::Refreshing::new(self.0.clone(), inner)
    }
}

/// `Proxy-Authorization: Basic …` from the proxy URL's user info, percent-decoded as Go's
/// `url.Parse` does.
fn with_proxy_auth<C>(proxy: &http::Uri, tunnel: Tunnel<C>) -> Tunnel<C> {
    let Some((userinfo, _)) = proxy.authority().and_then(|a| a.as_str().rsplit_once('@')) else {
        return tunnel;
    };
    let value = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(percent_decoded(userinfo))
    );
    match http::HeaderValue::from_str(&value) {
        Ok(header) => tunnel.with_auth(header),
        Err(_) => tunnel,
    }
}

/// `%XX` escapes replaced by their bytes; anything else (a lone `%`, a bad digit) kept as it is.
fn percent_decoded(s: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_user_info_is_percent_decoded() {
        assert_eq!(percent_decoded("user:pa%40ss%3Aword"), b"user:pa@ss:word");
        assert_eq!(percent_decoded("user:pass"), b"user:pass");
        assert_eq!(percent_decoded("a%+A%4"), b"a%+A%4");
        assert_eq!(percent_decoded("%41"), b"A");
    }
}
