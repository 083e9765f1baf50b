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
use std::sync::Arc;
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

/// A token server (`GET /token?service=…&scope=…`, Docker's token protocol). `user:password`
/// (Basic) get every action they ask for; anonymous requests get `pull` on repositories under
/// `public/` only; a wrong password is a 401.
pub struct TokenServer {
    /// `http://127.0.0.1:PORT/token`.
    pub realm: String,
    /// The certificate (PEM) the registry verifies tokens with.
    pub certificate: PathBuf,
    pub issuer: String,
    /// Tokens issued, and requests refused.
    pub issued: Arc<AtomicUsize>,
    pub refused: Arc<AtomicUsize>,
}

struct Signer {
    key: p256::ecdsa::SigningKey,
    certificate_der: Vec<u8>,
    issuer: String,
    user: String,
    password: String,
}

impl TokenServer {
    /// Starts the server; its certificate is written under `dir`.
    pub fn start(dir: &Path, user: &str, password: &str) -> TokenServer {
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
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let realm = format!("http://{}/token", listener.local_addr().unwrap());
        let issued = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let (counts_issued, counts_refused) = (issued.clone(), refused.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let signer = signer.clone();
                let (issued, refused) = (counts_issued.clone(), counts_refused.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &signer, &issued, &refused);
                });
            }
        });
        TokenServer {
            realm,
            certificate: certificate_path,
            issuer: "rudder-test-issuer".into(),
            issued,
            refused,
        }
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

fn serve(
    mut stream: TcpStream,
    signer: &Signer,
    issued: &AtomicUsize,
    refused: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.trim().to_string());
            }
        }
    }
    let target = request_line.split(' ').nth(1).unwrap_or("");
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let mut service = String::new();
    let mut scopes = Vec::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "service" => service = percent_decode(v),
            "scope" => scopes.extend(percent_decode(v).split(' ').map(str::to_string)),
            _ => {}
        }
    }
    let user = match authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Basic "))
    {
        Some(encoded) => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&decoded).into_owned();
            if text != format!("{}:{}", signer.user, signer.password) {
                refused.fetch_add(1, Ordering::SeqCst);
                let body = r#"{"details":"invalid username or password"}"#;
                write!(
                    stream,
                    "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )?;
                return Ok(());
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
        "jti": format!("{now}-{}", issued.load(Ordering::SeqCst)),
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
    issued.fetch_add(1, Ordering::SeqCst);
    let body =
        serde_json::json!({"token": token, "access_token": token, "expires_in": 300}).to_string();
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}
