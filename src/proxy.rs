//! Proxies from the environment, decided as Go's `net/http.ProxyFromEnvironment`
//! (`golang.org/x/net/http/httpproxy`) decides them, since that is what Helm uses for chart
//! repositories and registries (its HTTP getter and the OCI client) and what client-go uses for the
//! API server when the kubeconfig names no `proxy-url`:
//!
//! - `HTTPS_PROXY`/`https_proxy` for `https://` URLs, `HTTP_PROXY`/`http_proxy` for `http://` ones
//!   (the upper-case name first; an empty value counts as unset); a proxy given without a scheme is
//!   `http://`;
//! - never for `localhost` or a loopback address (so servers on 127.0.0.1 are always reached
//!   directly, whatever the environment says);
//! - `NO_PROXY`/`no_proxy`: comma-separated; `*` for everything; an IP or CIDR matches addresses; a
//!   name matches itself and its subdomains (`example.com`), a leading `.` or `*.` only subdomains;
//!   any entry may carry a `:port`.
//!
//! [`reqwest_proxy`] plugs this into reqwest (whose own rules differ: it has no loopback exception),
//! [`for_url`] gives the proxy for the cluster's URL (`crate::kube::config`).
use std::net::IpAddr;

/// The proxy settings of an environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    http: Option<String>,
    https: Option<String>,
    no_proxy: NoProxy,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct NoProxy {
    all: bool,
    ips: Vec<(IpMatch, String)>,
    /// (suffix starting with `.`, whether the name itself matches too, port).
    domains: Vec<(String, bool, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum IpMatch {
    Ip(IpAddr),
    Cidr(IpAddr, u8),
}

impl ProxyEnv {
    /// The process environment's.
    pub fn from_env() -> ProxyEnv {
        ProxyEnv::from_lookup(|k| std::env::var(k).ok())
    }

    /// From a variable lookup (for tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let any = |upper: &str, lower: &str| {
            get(upper)
                .filter(|v| !v.is_empty())
                .or_else(|| get(lower).filter(|v| !v.is_empty()))
        };
        ProxyEnv {
            http: any("HTTP_PROXY", "http_proxy").map(|p| with_scheme(&p)),
            https: any("HTTPS_PROXY", "https_proxy").map(|p| with_scheme(&p)),
            no_proxy: NoProxy::parse(&any("NO_PROXY", "no_proxy").unwrap_or_default()),
        }
    }

    /// The proxy for a request to `scheme://host:port` (`host` without brackets), if any.
    pub fn proxy_for(&self, scheme: &str, host: &str, port: u16) -> Option<String> {
        let proxy = match scheme {
            "https" => self.https.as_ref()?,
            "http" => self.http.as_ref()?,
            _ => return None,
        };
        self.use_proxy(host, port).then(|| proxy.clone())
    }

    /// `useProxy`.
    fn use_proxy(&self, host: &str, port: u16) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host == "localhost" {
            return false;
        }
        let ip = host.parse::<IpAddr>().ok();
        if ip.is_some_and(|ip| ip.is_loopback()) {
            return false;
        }
        let no_proxy = &self.no_proxy;
        if no_proxy.all {
            return false;
        }
        let port = port.to_string();
        let port_ok = |p: &str| p.is_empty() || p == port;
        let host = host.trim().to_ascii_lowercase();
        if let Some(ip) = ip {
            for (matcher, p) in &no_proxy.ips {
                let hit = match matcher {
                    IpMatch::Ip(m) => *m == ip,
                    IpMatch::Cidr(net, bits) => in_cidr(ip, *net, *bits),
                };
                // A CIDR matches on any port (Go's cidrMatch has none).
                if hit && (matches!(matcher, IpMatch::Cidr(..)) || port_ok(p)) {
                    return false;
                }
            }
        }
        for (suffix, whole, p) in &no_proxy.domains {
            let hit = host.ends_with(suffix.as_str()) || (*whole && host == suffix[1..]);
            if hit && port_ok(p) {
                return false;
            }
        }
        true
    }
}

impl NoProxy {
    fn parse(text: &str) -> NoProxy {
        let mut out = NoProxy::default();
        for entry in text.split(',') {
            let entry = entry.trim().to_ascii_lowercase();
            if entry.is_empty() {
                continue;
            }
            if entry == "*" {
                return NoProxy {
                    all: true,
                    ..NoProxy::default()
                };
            }
            if let Some((net, bits)) = parse_cidr(&entry) {
                out.ips.push((IpMatch::Cidr(net, bits), String::new()));
                continue;
            }
            let (host, port) = split_host_port(&entry).unwrap_or((entry.clone(), String::new()));
            if let Ok(ip) = host.parse::<IpAddr>() {
                out.ips.push((IpMatch::Ip(ip), port));
                continue;
            }
            if host.is_empty() {
                continue;
            }
            let host = host
                .strip_prefix('*')
                .filter(|h| h.starts_with('.'))
                .map_or(host.clone(), str::to_string);
            let (suffix, whole) = if host.starts_with('.') {
                (host, false)
            } else {
                (format!(".{host}"), true)
            };
            out.domains.push((suffix, whole, port));
        }
        out
    }
}

/// Go's `parseProxy`: a value that has no scheme and host is read as `http://VALUE`.
fn with_scheme(proxy: &str) -> String {
    match reqwest::Url::parse(proxy) {
        Ok(url) if url.has_host() => proxy.to_string(),
        _ => format!("http://{proxy}"),
    }
}

/// `net.SplitHostPort` for `host:port` and `[v6]:port`; `None` without a port.
fn split_host_port(s: &str) -> Option<(String, String)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, port) = rest.split_once("]:")?;
        return Some((host.to_string(), port.to_string()));
    }
    let (host, port) = s.rsplit_once(':')?;
    if host.contains(':') {
        return None;
    }
    Some((host.to_string(), port.to_string()))
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (ip, bits) = s.split_once('/')?;
    let ip: IpAddr = ip.parse().ok()?;
    let bits: u8 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// The proxy for `url` under the process environment.
pub fn for_url(url: &reqwest::Url) -> Option<String> {
    let env = ProxyEnv::from_env();
    env.proxy_for(url.scheme(), url.host_str()?, url.port_or_known_default()?)
}

/// A reqwest proxy that follows these rules (use with `ClientBuilder::no_proxy()` first, so that
/// reqwest's own reading of the environment is off).
pub fn reqwest_proxy() -> reqwest::Proxy {
    let env = ProxyEnv::from_env();
    reqwest::Proxy::custom(move |url| {
        env.proxy_for(url.scheme(), url.host_str()?, url.port_or_known_default()?)
            .and_then(|p| reqwest::Url::parse(&p).ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> ProxyEnv {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyEnv::from_lookup(move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn scheme_picks_the_variable() {
        let e = env(&[("HTTPS_PROXY", "http://p:1"), ("http_proxy", "q:2")]);
        assert_eq!(
            e.proxy_for("https", "example.com", 443).as_deref(),
            Some("http://p:1")
        );
        assert_eq!(
            e.proxy_for("http", "example.com", 80).as_deref(),
            Some("http://q:2")
        );
        let e = env(&[("HTTP_PROXY", "http://p:1")]);
        assert_eq!(e.proxy_for("https", "example.com", 443), None);
        let e = env(&[("HTTPS_PROXY", ""), ("https_proxy", "http://low:3")]);
        assert_eq!(
            e.proxy_for("https", "example.com", 443).as_deref(),
            Some("http://low:3")
        );
    }

    #[test]
    fn loopback_is_never_proxied() {
        let e = env(&[("HTTPS_PROXY", "http://p:1"), ("HTTP_PROXY", "http://p:1")]);
        for host in ["localhost", "127.0.0.1", "127.4.5.6", "::1", "[::1]"] {
            assert_eq!(e.proxy_for("https", host, 443), None, "{host}");
        }
        assert!(e.proxy_for("https", "localhost.example", 443).is_some());
    }

    #[test]
    fn no_proxy_rules_are_go_s() {
        let e = env(&[
            ("HTTPS_PROXY", "http://p:1"),
            (
                "NO_PROXY",
                " Foo.com, .bar.org,*.baz.net, 10.0.0.0/8, 192.168.1.1, 172.16.0.5:8443, qux.io:8080 ",
            ),
        ]);
        let proxied = |host: &str, port: u16| e.proxy_for("https", host, port).is_some();
        assert!(!proxied("foo.com", 443));
        assert!(!proxied("a.foo.com", 443));
        assert!(proxied("afoo.com", 443));
        assert!(proxied("bar.org", 443));
        assert!(!proxied("x.bar.org", 443));
        assert!(proxied("baz.net", 443));
        assert!(!proxied("y.baz.net", 443));
        assert!(!proxied("10.1.2.3", 6443));
        assert!(proxied("11.1.2.3", 6443));
        assert!(!proxied("192.168.1.1", 1));
        assert!(!proxied("172.16.0.5", 8443));
        assert!(proxied("172.16.0.5", 443));
        assert!(!proxied("qux.io", 8080));
        assert!(proxied("qux.io", 443));
        let all = env(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "*")]);
        assert_eq!(all.proxy_for("https", "example.com", 443), None);
    }

    #[test]
    fn a_proxy_without_scheme_is_http() {
        assert_eq!(with_scheme("10.0.0.1:3128"), "http://10.0.0.1:3128");
        assert_eq!(with_scheme("proxy.local:3128"), "http://proxy.local:3128");
        assert_eq!(with_scheme("https://proxy:3128"), "https://proxy:3128");
    }
}
