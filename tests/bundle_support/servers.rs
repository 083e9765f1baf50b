//! Servers the bundle tests start for themselves: a docker-registry (the same Debian package
//! tests/registry-server/up installs) with a configuration of the test's own, its access log kept so
//! that a test can count requests; and a token server for registries configured with `auth: token`
//! (Docker Hub and GHCR style), issuing ES256 JWTs signed with a key made here, whose certificate
//! the registry trusts.
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A docker-registry process of the test's own, stopped and its storage removed when dropped.
pub struct TestRegistry {
    pub host: String,
    dir: PathBuf,
    child: Child,
}

impl TestRegistry {
    /// Starts a registry storing under `dir`, with `auth` (YAML under the top-level `auth:` key,
    /// indented two spaces; empty for none).
    pub fn start(dir: &Path, auth: &str) -> TestRegistry {
        let bin = ["/usr/bin/docker-registry", "/usr/sbin/docker-registry"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .expect("docker-registry (tests/registry-server/up installs it)");
        std::fs::create_dir_all(dir).unwrap();
        let port = free_port();
        let auth = if auth.is_empty() {
            String::new()
        } else {
            format!("auth:\n{auth}")
        };
        let config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: rudder-test-{port}\n{auth}",
            dir.join("data").display()
        );
        std::fs::write(dir.join("config.yml"), config).unwrap();
        let child = Command::new(bin)
            .arg("serve")
            .arg(dir.join("config.yml"))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.join("access.log")).unwrap())
            .stderr(std::fs::File::create(dir.join("registry.log")).unwrap())
            .spawn()
            .unwrap();
        let host = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(&host).is_err() {
            assert!(
                Instant::now() < deadline,
                "the registry did not start: {}",
                std::fs::read_to_string(dir.join("registry.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        TestRegistry {
            host,
            dir: dir.to_path_buf(),
            child,
        }
    }

    /// The access log's requests so far (`METHOD /path?query STATUS`), in order.
    pub fn requests(&self) -> Vec<String> {
        // A line is written as its request finishes, maybe after the client saw the answer: read
        // until the log stops growing.
        let read = || std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut text = read();
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let again = read();
            if again == text || Instant::now() > deadline {
                break;
            }
            text = again;
        }
        text.lines()
            .filter_map(|l| {
                let start = l.find('"')? + 1;
                let line = &l[start..];
                let end = line.find('"')?;
                let mut parts = line[..end].split(' ');
                let status = line[end + 1..].split_whitespace().next()?;
                Some(format!("{} {} {status}", parts.next()?, parts.next()?))
            })
            .collect()
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A token server: Docker's token protocol (`GET /token?service=…&scope=…`) and the OAuth2 one
/// (`POST /token` with a form: `grant_type=password` with `username`/`password`, or
/// `grant_type=refresh_token` with `refresh_token`). `user:password` (Basic, or the password grant)
/// get every action they ask for; anonymous requests get `pull` on repositories under `public/`
/// only; a wrong password or refresh token is a 401. Started with
/// [`TokenServer::start_with_refresh_tokens`], a `GET` with `offline_token=true` and the right
/// credentials also gets `refresh_token` ([`TokenServer::refresh_token`]), as Docker Hub answers
/// `docker login`.
pub struct TokenServer {
    /// `http://127.0.0.1:PORT/token`.
    pub realm: String,
    /// The certificate (PEM) the registry verifies tokens with.
    pub certificate: PathBuf,
    pub issuer: String,
    /// Tokens issued, and requests refused.
    pub issued: Arc<AtomicUsize>,
    pub refused: Arc<AtomicUsize>,
    /// Tokens issued for a refresh grant.
    pub refreshed: Arc<AtomicUsize>,
    /// Every request, as the grant it asked for: `GET basic`, `GET anonymous`, `POST password
    /// client_id=…`, `POST refresh_token client_id=…` (whatever its answer).
    pub grants: Arc<Mutex<Vec<String>>>,
    user: String,
}

struct Signer {
    key: p256::ecdsa::SigningKey,
    certificate_der: Vec<u8>,
    issuer: String,
    user: String,
    password: String,
    refresh_tokens: bool,
}

/// What the server counts.
struct Counters {
    issued: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
    refreshed: Arc<AtomicUsize>,
    grants: Arc<Mutex<Vec<String>>>,
}

impl TokenServer {
    /// Starts the server; its certificate is written under `dir`.
    pub fn start(dir: &Path, user: &str, password: &str) -> TokenServer {
        TokenServer::start_serving(dir, user, password, false)
    }

    /// Starts a server that also issues refresh (identity) tokens.
    pub fn start_with_refresh_tokens(dir: &Path, user: &str, password: &str) -> TokenServer {
        TokenServer::start_serving(dir, user, password, true)
    }

    /// The refresh token the server issues (and accepts) for its user.
    pub fn refresh_token(&self) -> String {
        refresh_token_of(&self.user)
    }

    fn start_serving(dir: &Path, user: &str, password: &str, refresh_tokens: bool) -> TokenServer {
        use p256::pkcs8::DecodePrivateKey;
        std::fs::create_dir_all(dir).unwrap();
        let key_pair = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(vec!["rudder-test-token-issuer".into()]).unwrap();
        let certificate = params.self_signed(&key_pair).unwrap();
        let certificate_path = dir.join("token.crt");
        std::fs::write(&certificate_path, certificate.pem()).unwrap();
        let signer = Arc::new(Signer {
            key: p256::ecdsa::SigningKey::from_pkcs8_der(&key_pair.serialize_der()).unwrap(),
            certificate_der: certificate.der().to_vec(),
            issuer: "rudder-test-issuer".into(),
            user: user.into(),
            password: password.into(),
            refresh_tokens,
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let realm = format!("http://{}/token", listener.local_addr().unwrap());
        let counters = Arc::new(Counters {
            issued: Arc::new(AtomicUsize::new(0)),
            refused: Arc::new(AtomicUsize::new(0)),
            refreshed: Arc::new(AtomicUsize::new(0)),
            grants: Arc::new(Mutex::new(Vec::new())),
        });
        let (issued, refused, refreshed, grants) = (
            counters.issued.clone(),
            counters.refused.clone(),
            counters.refreshed.clone(),
            counters.grants.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let signer = signer.clone();
                let counters = counters.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &signer, &counters);
                });
            }
        });
        TokenServer {
            realm,
            certificate: certificate_path,
            issuer: "rudder-test-issuer".into(),
            issued,
            refused,
            refreshed,
            grants,
            user: user.into(),
        }
    }

    /// The grants asked for since the last call (see [`TokenServer::grants`]).
    pub fn take_grants(&self) -> Vec<String> {
        std::mem::take(&mut *self.grants.lock().unwrap())
    }

    /// The `auth:` YAML of a registry that trusts this server, as service `service`.
    pub fn registry_auth(&self, service: &str) -> String {
        format!(
            "  token:\n    realm: {}\n    service: {service}\n    issuer: {}\n    rootcertbundle: {}\n",
            self.realm,
            self.issuer,
            self.certificate.display()
        )
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn refresh_token_of(user: &str) -> String {
    format!("refresh-{user}")
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

fn serve(mut stream: TcpStream, signer: &Signer, counters: &Counters) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = None;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.trim().to_string());
            } else if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let post = request_line.starts_with("POST ");
    let target = request_line.split(' ').nth(1).unwrap_or("");
    let query = if post {
        let mut body = vec![0; length];
        std::io::Read::read_exact(&mut reader, &mut body)?;
        String::from_utf8_lossy(&body).into_owned()
    } else {
        target.split_once('?').map_or("", |(_, q)| q).to_string()
    };
    let mut service = String::new();
    let mut scopes = Vec::new();
    let mut form = std::collections::BTreeMap::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "service" => service = percent_decode(v),
            "scope" => scopes.extend(percent_decode(v).split(' ').map(str::to_string)),
            _ => {
                form.insert(k.to_string(), percent_decode(v));
            }
        }
    }
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let grant = if post {
        format!(
            "POST {} client_id={}",
            field("grant_type"),
            field("client_id")
        )
    } else if authorization.is_some() {
        "GET basic".to_string()
    } else {
        "GET anonymous".to_string()
    };
    counters.grants.lock().unwrap().push(grant);
    let credentials = if post {
        match field("grant_type") {
            "refresh_token" => Some((
                field("refresh_token") == refresh_token_of(&signer.user),
                true,
            )),
            "password" => Some((
                field("username") == signer.user && field("password") == signer.password,
                false,
            )),
            _ => {
                return respond(
                    &mut stream,
                    "400 Bad Request",
                    r#"{"error":"unsupported_grant_type"}"#,
                )
            }
        }
    } else {
        authorization
            .as_deref()
            .and_then(|a| a.strip_prefix("Basic "))
            .map(|encoded| {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .unwrap_or_default();
                let text = String::from_utf8_lossy(&decoded).into_owned();
                (
                    text == format!("{}:{}", signer.user, signer.password),
                    false,
                )
            })
    };
    let user = match credentials {
        Some((false, _)) => {
            counters.refused.fetch_add(1, Ordering::SeqCst);
            return respond(
                &mut stream,
                "401 Unauthorized",
                r#"{"details":"invalid username, password or refresh token"}"#,
            );
        }
        Some((true, refresh)) => {
            if refresh {
                counters.refreshed.fetch_add(1, Ordering::SeqCst);
            }
            Some(signer.user.clone())
        }
        None => None,
    };
    let mut access = Vec::new();
    for scope in scopes.iter().filter(|s| !s.is_empty()) {
        let Some((kind, rest)) = scope.split_once(':') else {
            continue;
        };
        let Some((name, actions)) = rest.rsplit_once(':') else {
            continue;
        };
        let granted: Vec<&str> = actions
            .split(',')
            .filter(|a| user.is_some() || (*a == "pull" && name.starts_with("public/")))
            .collect();
        if !granted.is_empty() {
            access.push(serde_json::json!({"type": kind, "name": name, "actions": granted}));
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = serde_json::json!({
        "typ": "JWT",
        "alg": "ES256",
        "x5c": [base64::engine::general_purpose::STANDARD.encode(&signer.certificate_der)],
    });
    let claims = serde_json::json!({
        "iss": signer.issuer,
        "sub": user.clone().unwrap_or_default(),
        "aud": service,
        "exp": now + 300,
        "nbf": now - 10,
        "iat": now,
        "jti": format!("{now}-{}", counters.issued.load(Ordering::SeqCst)),
        "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string())
    );
    let signature: p256::ecdsa::Signature =
        p256::ecdsa::signature::Signer::sign(&signer.key, signing_input.as_bytes());
    let token = format!("{signing_input}.{}", b64.encode(signature.to_bytes()));
    counters.issued.fetch_add(1, Ordering::SeqCst);
    let mut body = serde_json::json!({"token": token, "access_token": token, "expires_in": 300});
    if signer.refresh_tokens && !post && field("offline_token") == "true" && user.is_some() {
        body["refresh_token"] = refresh_token_of(&signer.user).into();
    }
    respond(&mut stream, "200 OK", &body.to_string())
}
