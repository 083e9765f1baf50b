//! Proxies from the environment (`src/proxy.rs`), against helm v3.17.3 and v4.1.4: a small
//! HTTP proxy on 127.0.0.1 (CONNECT tunnels and absolute-form requests, every connection sent to
//! 127.0.0.1 whatever host was asked for) records what goes through it. The API server (`helm list`)
//! and a chart repository (`repo add`, `pull`) are named by a host name that `/etc/hosts` maps to
//! 127.0.0.1 (so a direct connection never needs DNS), and by 127.0.0.1 itself, which Go never
//! proxies. For each environment Rudder and Helm must agree: the exit code, standard output, and
//! whether the proxy saw their connections.
//!
//! Without the servers or the oracles the tests say so and pass, except under CI=true.
mod common;
mod deps_support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use deps_support::*;

/// A forwarding proxy on 127.0.0.1; `seen` lists `CONNECT host:port` / `GET host:port` per request
/// head it read.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    /// `http`, or `https` for [`Proxy::start_tls`].
    scheme: &'static str,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || serve(stream, &log));
            }
        });
        Proxy {
            port,
            seen,
            scheme: "http",
        }
    }

    /// The same proxy spoken to over TLS (`HTTPS_PROXY=https://…`), with certificate `cert` and
    /// key `key` (DER), offering no ALPN protocol: CONNECT tunnels only.
    fn start_tls(cert: Vec<u8>, key: Vec<u8>) -> Proxy {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.into()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                while let Ok((stream, _)) = listener.accept().await {
                    let (acceptor, log) = (acceptor.clone(), log.clone());
                    tokio::spawn(async move {
                        if let Ok(tls) = acceptor.accept(stream).await {
                            serve_tls(tls, &log).await;
                        }
                    });
                }
            });
        });
        Proxy {
            port,
            seen,
            scheme: "https",
        }
    }

    fn url(&self) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.port)
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// One client connection: its first request head names the target; the rest is piped both ways.
fn serve(mut client: TcpStream, log: &Mutex<Vec<String>>) {
    let _ = client.set_read_timeout(Some(std::time::Duration::from_secs(30)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut words = text.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let authority = if method == "CONNECT" {
        target.to_string()
    } else {
        let rest = target.strip_prefix("http://").unwrap_or(target);
        let host = rest.split('/').next().unwrap_or("");
        if host.contains(':') {
            host.to_string()
        } else {
            format!("{host}:80")
        }
    };
    log.lock().unwrap().push(format!(
        "{} {authority}",
        if method == "CONNECT" {
            "CONNECT"
        } else {
            "GET"
        }
    ));
    let port = authority.rsplit(':').next().unwrap_or("0");
    // Only ever 127.0.0.1, whatever the host name.
    let Ok(mut server) = TcpStream::connect(format!("127.0.0.1:{port}")) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    if method == "CONNECT" {
        let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    } else {
        let _ = server.write_all(&head);
    }
    let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
}

/// One TLS client connection: a CONNECT request head, then the tunnel to 127.0.0.1.
async fn serve_tls<S>(mut client: S, log: &Mutex<Vec<String>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut words = text.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if method != "CONNECT" {
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    }
    log.lock().unwrap().push(format!("CONNECT {target}"));
    let port = target.rsplit(':').next().unwrap_or("0");
    let Ok(mut server) = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    };
    let _ = client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await;
    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
}

/// A name other than `localhost` that `/etc/hosts` maps to 127.0.0.1 (Go proxies it, and reaches
/// it directly without DNS).
fn loopback_name() -> Option<String> {
    let hosts = std::fs::read_to_string("/etc/hosts").ok()?;
    hosts.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next()? == "127.0.0.1")
            .then(|| words.find(|w| *w != "localhost" && !w.contains('.')))
            .flatten()
            .map(str::to_string)
    })
}

fn helm_v4() -> Option<PathBuf> {
    let out = Command::new(Path::new(ROOT).join("scripts/install-oracle"))
        .args(["path", "v4"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Runs `bin args` in `dir` with exactly the given proxy variables (others removed).
fn run(bin: &Path, dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(bin);
    command
        .args(args)
        .current_dir(dir)
        .env("HELM_CONFIG_HOME", dir.join(".helm/config"))
        .env("HELM_CACHE_HOME", dir.join(".helm/cache"))
        .env("HELM_DATA_HOME", dir.join(".helm/data"));
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        command.env_remove(var);
    }
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Proxy variables of one run.
type Env<'a> = Vec<(&'a str, &'a str)>;

/// For each environment: Rudder and each Helm agree on the exit code, standard output, and the
/// proxy's log (which must be `proxied` or empty).
fn compare(
    proxy: &Proxy,
    helms: &[PathBuf],
    dir: &Path,
    env: &[(&str, &str)],
    args: &[&str],
    proxied: bool,
) {
    // Each program with its own directory and Helm homes.
    let side = |i: usize| {
        let d = dir.join(format!("side-{i}"));
        if let Some(out) = args.iter().position(|a| *a == "-d").map(|i| args[i + 1]) {
            std::fs::create_dir_all(d.join(out)).unwrap();
        }
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let _ = proxy.take();
    let (code, stdout, stderr) = run(rudder(), &side(0), env, args);
    let ours = proxy.take();
    assert_eq!(code, 0, "rudder {args:?} with {env:?}: {stderr}");
    assert_eq!(
        !ours.is_empty(),
        proxied,
        "rudder {args:?} with {env:?}: proxy saw {ours:?}"
    );
    for (i, helm) in helms.iter().enumerate() {
        let (their_code, their_stdout, their_stderr) = run(helm, &side(i + 1), env, args);
        let theirs = proxy.take();
        assert_eq!(
            (their_code, &their_stdout),
            (code, &stdout),
            "{} {args:?} with {env:?}: {their_stderr}",
            helm.display()
        );
        let hosts = |seen: &[String]| {
            let mut v: Vec<String> = seen.to_vec();
            v.sort();
            v.dedup();
            v
        };
        assert_eq!(
            hosts(&ours),
            hosts(&theirs),
            "{} {args:?} with {env:?}: what the proxy saw",
            helm.display()
        );
    }
}

/// What the two API-server tests need: the control plane's kubeconfig, helm v3 and v4, and a
/// loopback name other than localhost (each missing piece reported as the tests always did).
fn cluster_and_helms() -> Option<(PathBuf, PathBuf, PathBuf, String)> {
    let kubeconfig = common::kubeconfig()?;
    let helm3 = helm()?;
    let Some(helm4) = helm_v4() else {
        unavailable("helm v4 (scripts/install-oracle)");
        return None;
    };
    let Some(name) = loopback_name() else {
        unavailable("a name other than localhost for 127.0.0.1 in /etc/hosts");
        return None;
    };
    Some((kubeconfig, helm3, helm4, name))
}

#[test]
fn the_api_server_through_https_proxy_as_client_go() {
    let Some((kubeconfig, helm3, helm4, name)) = cluster_and_helms() else {
        return;
    };
    let proxy = Proxy::start();
    let dir = std::env::temp_dir().join(format!("rudder-proxy-kube-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    let server = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("server:"))
        .unwrap()
        .trim()
        .to_string();
    let port = server.rsplit(':').next().unwrap().to_string();
    // The same cluster by name; the certificate is checked against one of its names.
    let named = text.replace(
        &format!("server: {server}"),
        &format!("server: https://{name}:{port}\n    tls-server-name: kubernetes"),
    );
    std::fs::write(dir.join("named"), named).unwrap();
    std::fs::copy(&kubeconfig, dir.join("loopback")).unwrap();
    let helms = [helm3, helm4];
    let list = |config: &str| {
        vec![
            "list".to_string(),
            "-n".to_string(),
            "dp-proxy".to_string(),
            "--kubeconfig".to_string(),
            dir.join(config).display().to_string(),
        ]
    };
    let via = proxy.url();
    let no_port = format!(".example.com,{name}:{port}");
    let cases: Vec<(&str, Env, bool)> = vec![
        ("named", vec![("HTTPS_PROXY", &via)], true),
        ("named", vec![("https_proxy", &via)], true),
        (
            "named",
            vec![("HTTPS_PROXY", &via), ("NO_PROXY", &name)],
            false,
        ),
        (
            "named",
            vec![("HTTPS_PROXY", &via), ("no_proxy", &no_port)],
            false,
        ),
        (
            "named",
            vec![("HTTPS_PROXY", &via), ("NO_PROXY", "other.example")],
            true,
        ),
        ("named", vec![("HTTP_PROXY", &via)], false),
        ("loopback", vec![("HTTPS_PROXY", &via)], false),
        (
            "loopback",
            vec![("HTTPS_PROXY", &via), ("NO_PROXY", "127.0.0.1")],
            false,
        ),
    ];
    for (config, env, proxied) in &cases {
        let args = list(config);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        compare(&proxy, &helms, &dir, env, &args, *proxied);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A CA and a proxy certificate for 127.0.0.1 and `kubernetes` (the `tls-server-name` of the
/// `named` kubeconfig, which Go checks the proxy's certificate against too): the CA's PEM, the
/// certificate's DER and its key's PKCS#8 DER.
fn proxy_certificate() -> (String, Vec<u8>, Vec<u8>) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "rudder-test-proxy-ca");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, &ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "kubernetes".to_string()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
    (ca_cert.pem(), leaf.der().to_vec(), key.serialize_der())
}

/// `HTTPS_PROXY=https://…`: the proxy spoken to over TLS. client-go (Go's transport) checks the
/// proxy's certificate with the cluster's TLS settings (its CA, its `tls-server-name`), so the
/// proxy's CA must be in the kubeconfig's `certificate-authority-data`; Rudder does the same.
#[test]
fn the_api_server_through_a_tls_proxy_as_client_go() {
    use base64::Engine;
    let Some((kubeconfig, helm3, helm4, name)) = cluster_and_helms() else {
        return;
    };
    let (proxy_ca, cert, key) = proxy_certificate();
    let proxy = Proxy::start_tls(cert, key);
    let dir = std::env::temp_dir().join(format!("rudder-tls-proxy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .unwrap()
            .trim()
            .to_string()
    };
    let server = value("server:");
    let ca = value("certificate-authority-data:");
    let port = server.rsplit(':').next().unwrap().to_string();
    let named = text.replace(
        &format!("server: {server}"),
        &format!("server: https://{name}:{port}\n    tls-server-name: kubernetes"),
    );
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut both = b64.decode(&ca).unwrap();
    both.extend_from_slice(proxy_ca.as_bytes());
    let trusting = named.replace(&ca, &b64.encode(both));
    std::fs::write(dir.join("named"), named).unwrap();
    std::fs::write(dir.join("trusting"), trusting).unwrap();
    std::fs::copy(&kubeconfig, dir.join("loopback")).unwrap();
    let helms = [helm3, helm4];
    let list = |config: &str| {
        vec![
            "list".to_string(),
            "-n".to_string(),
            "rt-tls-proxy".to_string(),
            "--kubeconfig".to_string(),
            dir.join(config).display().to_string(),
        ]
    };
    let via = proxy.url();
    let cases: Vec<(&str, Env, bool)> = vec![
        ("trusting", vec![("HTTPS_PROXY", &via)], true),
        (
            "trusting",
            vec![("HTTPS_PROXY", &via), ("NO_PROXY", &name)],
            false,
        ),
        ("loopback", vec![("HTTPS_PROXY", &via)], false),
        (
            "loopback",
            vec![("HTTPS_PROXY", &via), ("NO_PROXY", "127.0.0.1")],
            false,
        ),
    ];
    for (config, env, proxied) in &cases {
        let args = list(config);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        compare(&proxy, &helms, &dir, env, &args, *proxied);
    }
    // The proxy's CA not among the cluster's: refused by everyone before any CONNECT.
    let args = list("named");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let env = [("HTTPS_PROXY", via.as_str())];
    let (code, _, stderr) = run(rudder(), &dir, &env, &args);
    assert_eq!(code, 1, "{stderr}");
    for helm in &helms {
        let (their_code, _, their_stderr) = run(helm, &dir, &env, &args);
        assert_eq!(their_code, 1, "{their_stderr}");
        assert!(their_stderr.contains("proxyconnect"), "{their_stderr}");
    }
    // Helm v3's words (v4 writes `kubernetes` in lower case).
    let (_, _, v3_stderr) = run(&helms[0], &dir, &env, &args);
    assert_eq!(stderr, v3_stderr);
    // Directly, with the proxy's CA as the cluster's (`--kube-ca-file`): Go's words too.
    let ca_file = dir.join("proxy-ca.pem");
    std::fs::write(&ca_file, &proxy_ca).unwrap();
    let mut args = list("loopback");
    args.extend(["--kube-ca-file".to_string(), ca_file.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, stderr) = run(rudder(), &dir, &[], &args);
    let (v3_code, _, v3_stderr) = run(&helms[0], &dir, &[], &args);
    assert_eq!((code, &stderr), (v3_code, &v3_stderr));
    assert!(
        stderr.contains("certificate signed by unknown authority"),
        "{stderr}"
    );
    assert!(proxy.take().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn chart_repositories_and_registries_through_http_proxy_as_helm() {
    let Some(helm3) = helm() else { return };
    let Some(helm4) = helm_v4() else {
        unavailable("helm v4 (scripts/install-oracle)");
        return;
    };
    let Some(server) = repo_server() else { return };
    let Some(registry) = registry_server() else {
        return;
    };
    let Some(name) = loopback_name() else {
        unavailable("a name other than localhost for 127.0.0.1 in /etc/hosts");
        return;
    };
    let proxy = Proxy::start();
    let published = publish(&helm3, &server, "proxy");
    let path = published.rsplit('/').next().unwrap().to_string();
    let oci_path = format!("127.0.0.1:{}/{path}", registry["REGISTRY_PLAIN_PORT"]);
    let out = Command::new(&helm3)
        .arg("push")
        .arg(
            Path::new(&server["REPO_ROOT"])
                .join(&path)
                .join("redis-2.1.3.tgz"),
        )
        .arg(format!("oci://{oci_path}"))
        .arg("--plain-http")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let dir = std::env::temp_dir().join(format!("rudder-proxy-repo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let helms = [helm3, helm4];
    let port = &server["REPO_HTTP_PORT"];
    let by_name = format!("http://{name}:{port}/{path}");
    let by_ip = format!("http://127.0.0.1:{port}/{path}");
    let oci_by_name = format!(
        "oci://{name}:{}/{path}/redis",
        registry["REGISTRY_PLAIN_PORT"]
    );
    let via = proxy.url();
    let registry_no_proxy = format!("{name}:{}", registry["REGISTRY_PLAIN_PORT"]);
    let cases: Vec<(Vec<&str>, Env, bool)> = vec![
        (
            vec!["repo", "add", "named", &by_name],
            vec![("HTTP_PROXY", &via)],
            true,
        ),
        (
            // The index names its archives by 127.0.0.1: fetched directly.
            vec!["pull", "named/redis", "-d", "out-1"],
            vec![("http_proxy", &via)],
            false,
        ),
        (vec!["repo", "update"], vec![("http_proxy", &via)], true),
        (
            vec!["pull", "redis", "--repo", &by_name, "-d", "out-2"],
            vec![("HTTP_PROXY", &via), ("NO_PROXY", &name)],
            false,
        ),
        (
            vec!["pull", "redis", "--repo", &by_name, "-d", "out-3"],
            vec![("HTTPS_PROXY", &via)],
            false,
        ),
        (
            vec!["pull", "redis", "--repo", &by_ip, "-d", "out-4"],
            vec![("HTTP_PROXY", &via)],
            false,
        ),
        (
            vec![
                "pull",
                &oci_by_name,
                "--version",
                "2.1.3",
                "--plain-http",
                "-d",
                "out-5",
            ],
            vec![("HTTP_PROXY", &via)],
            true,
        ),
        (
            vec![
                "pull",
                &oci_by_name,
                "--version",
                "2.1.3",
                "--plain-http",
                "-d",
                "out-6",
            ],
            vec![("HTTP_PROXY", &via), ("NO_PROXY", &registry_no_proxy)],
            false,
        ),
    ];
    for (args, env, proxied) in &cases {
        compare(&proxy, &helms, &dir, env, args, *proxied);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(Path::new(&server["REPO_ROOT"]).join(&path));
}
