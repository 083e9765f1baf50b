//! The OCI distribution API calls Helm's registry client makes: the `/v2/` check for `login`, tag
//! lists, manifests and blobs, with Basic credentials (from `--username/--password` or the registry
//! config) sent up front and a Bearer token fetched when the registry asks for one (how:
//! [`super::token`]).
use std::io::Read;

use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::Method;

use super::reference::{version_to_tag, Reference};
use super::MANIFEST_MEDIA_TYPE;
use super::{
    Error, CHART_LAYER_MEDIA_TYPE, CONFIG_MEDIA_TYPE, LEGACY_CHART_LAYER_MEDIA_TYPE,
    PROV_LAYER_MEDIA_TYPE,
};
use crate::deps::digest::sha256_hex;
use crate::deps::getter::Options as TlsOptions;

/// Connection options of one command.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--plain-http`.
    pub plain_http: bool,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub insecure_skip_tls_verify: bool,
    /// `(username, password)`; an empty username marks the password as an identity token (an
    /// OAuth2 refresh token), as Helm's registry client reads one from the credentials store
    /// (see [`super::token`]).
    pub credentials: Option<(String, String)>,
}

/// A client for one registry host.
pub struct Client {
    pub(super) http: reqwest::blocking::Client,
    pub(super) options: Options,
    pub(super) registry: String,
    pub(super) bearer: Option<String>,
    /// In `registry login`: token requests ask for an offline (refresh) token.
    pub(super) logging_in: bool,
    /// The refresh token a token service issued during `registry login`.
    pub(super) issued_identity: Option<String>,
}

/// A pulled chart.
pub struct Pulled {
    pub data: Vec<u8>,
    /// The manifest's digest.
    pub digest: String,
    /// `host/repo:tag` as Helm prints it.
    pub shown: String,
    pub name: String,
    pub version: String,
    /// The provenance layer (`PROV_LAYER_MEDIA_TYPE`), when asked for and the manifest has one.
    pub provenance: Option<Vec<u8>>,
}

pub(super) fn status_error(method: &Method, url: &str, response: Response) -> Error {
    let code = response.status().as_u16();
    let body = response.text().unwrap_or_default();
    // The distribution API's `{"errors":[{"code":"NAME_UNKNOWN","message":"…"}]}`, as oras prints it.
    let detail = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            let e = v.get("errors")?.get(0)?;
            let code = e.get("code")?.as_str()?.to_lowercase().replace('_', " ");
            let message = e.get("message")?.as_str()?.to_string();
            Some(format!("{code}: {message}"))
        })
        .unwrap_or_else(|| {
            reqwest::StatusCode::from_u16(code)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("")
                .to_string()
        });
    Error(format!(
        "{method} {}: unexpected status code {code}: {detail}",
        crate::template::printf::quote_go(url)
    ))
}

pub fn is_loopback(registry: &str) -> bool {
    let host = registry.rsplit_once(':').map_or(registry, |(h, _)| h);
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

impl Client {
    pub fn new(registry: &str, options: Options) -> Result<Client, Error> {
        let tls = TlsOptions {
            ca_file: options.ca_file.clone(),
            cert_file: options.cert_file.clone(),
            key_file: options.key_file.clone(),
            insecure_skip_tls_verify: options.insecure_skip_tls_verify,
            ..TlsOptions::default()
        };
        let http = crate::deps::getter::client(&tls).map_err(|e| Error(e.to_string()))?;
        Ok(Client {
            http,
            options,
            registry: registry.to_string(),
            bearer: None,
            logging_in: false,
            issued_identity: None,
        })
    }

    pub(super) fn base(&self) -> String {
        let scheme = if self.options.plain_http {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{}", self.registry)
    }

    pub(super) fn transport(&self, method: &Method, url: &str, e: &reqwest::Error) -> Error {
        let quoted = crate::template::printf::quote_go(url);
        match crate::deps::getter::tls_failure(e) {
            Some(text) => Error(format!("{method} {quoted}: {text}")),
            None => Error(crate::values::getter::transport_error(url, e).replacen(
                "Get ",
                &format!("{method} "),
                1,
            )),
        }
    }

    pub(super) fn authorize(&self, request: RequestBuilder) -> RequestBuilder {
        match (&self.bearer, &self.options.credentials) {
            (Some(token), _) => request.bearer_auth(token),
            (None, Some((user, pass))) if !user.is_empty() => request.basic_auth(user, Some(pass)),
            (None, _) => request,
        }
    }

    /// Sends a request, fetching a Bearer token once when the registry asks for one. A registry
    /// that still answers 401 with the new token refused the access: that is an error naming the
    /// registry and what was asked for.
    pub(super) fn send(
        &mut self,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Result<Response, Error> {
        let mut fetched_from: Option<String> = None;
        loop {
            let mut request = self
                .http
                .request(method.clone(), url)
                .headers(headers.clone());
            if let Some(body) = &body {
                request = request.body(body.clone());
            }
            let response = self
                .authorize(request)
                .send()
                .map_err(|e| self.transport(&method, url, &e))?;
            if response.status() != reqwest::StatusCode::UNAUTHORIZED {
                return Ok(response);
            }
            let challenge = response
                .headers()
                .get(WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let Some(params) = challenge
                .strip_prefix("Bearer ")
                .or_else(|| challenge.strip_prefix("bearer "))
            else {
                return Ok(response);
            };
            let params = parse_challenge(params);
            if let Some(realm) = fetched_from {
                return Err(Error(format!(
                    "{}: {} refused: the token from {realm} does not grant it{}",
                    self.registry,
                    describe_scope(&params),
                    self.credentials_hint()
                )));
            }
            self.bearer = Some(self.fetch_token(&params)?);
            fetched_from = Some(
                params
                    .iter()
                    .find(|(k, _)| k == "realm")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            );
        }
    }

    /// Where credentials come from, for refusals.
    pub(super) fn credentials_hint(&self) -> String {
        if self.options.credentials.is_some() {
            String::new()
        } else {
            format!(
                " (no credentials were found for {}: rudder registry login, --username/--password, or Docker's config.json)",
                self.registry
            )
        }
    }

    /// `registry login`: the `/v2/` endpoint must accept the credentials. A registry on the loopback
    /// network that does not speak TLS is tried over plain HTTP, as Docker's rules allow. The
    /// identity token a token service issued for the credentials, if it issued one (what login
    /// stores in place of the password, as Docker's login does).
    pub fn login(&mut self) -> Result<Option<String>, Error> {
        self.logging_in = true;
        let result = self.check_login();
        self.logging_in = false;
        result?;
        Ok(self.issued_identity.take())
    }

    fn check_login(&mut self) -> Result<(), Error> {
        let url = format!("{}/v2/", self.base());
        // A certificate the client does not accept is a failure, not a reason to try plain HTTP.
        let certificate_refused = !self.options.plain_http
            && self
                .authorize(self.http.get(&url))
                .send()
                .err()
                .is_some_and(|e| crate::deps::getter::is_certificate_failure(&e));
        let response = match self.send(Method::GET, &url, HeaderMap::new(), None) {
            Ok(r) => r,
            Err(e)
                if !self.options.plain_http
                    && !certificate_refused
                    && is_loopback(&self.registry) =>
            {
                self.options.plain_http = true;
                let plain = format!("{}/v2/", self.base());
                match self.send(Method::GET, &plain, HeaderMap::new(), None) {
                    Ok(r) => r,
                    Err(_) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        if !response.status().is_success() {
            let status = response.status();
            return Err(Error(format!(
                "login attempt to {url} failed with status: {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )));
        }
        Ok(())
    }

    /// The repository's tags that are versions, newest first (`_` read as `+`).
    pub fn tags(&mut self, repository: &str) -> Result<Vec<String>, Error> {
        let url = format!("{}/v2/{repository}/tags/list", self.base());
        let response = self.send(Method::GET, &url, HeaderMap::new(), None)?;
        if !response.status().is_success() {
            return Err(status_error(&Method::GET, &url, response));
        }
        let body = read_all(response, &url)?;
        let json: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| Error(format!("GET {url}: {e}")))?;
        let mut versions: Vec<String> = json
            .get("tags")
            .and_then(|t| t.as_array())
            .map(|tags| {
                tags.iter()
                    .filter_map(|t| t.as_str())
                    .map(|t| t.replace('_', "+"))
                    .filter(|v| crate::chart::constraint::is_version(v) && !v.starts_with('v'))
                    .collect()
            })
            .unwrap_or_default();
        versions.sort_by(|a, b| {
            crate::chart::constraint::compare_versions(b, a).unwrap_or(std::cmp::Ordering::Equal)
        });
        Ok(versions)
    }

    /// Pulls the chart `reference` names, at `version` (a version or a constraint; the newest when
    /// empty) unless the reference has a tag or digest.
    pub fn pull(&mut self, reference: &Reference, version: &str) -> Result<Pulled, Error> {
        self.pull_with(reference, version, false)
    }

    /// [`Client::pull`], also fetching the provenance layer when `provenance` is set (Helm's
    /// `PullOptWithProv`, for `--verify`); a manifest without one leaves `Pulled::provenance` empty.
    pub fn pull_with(
        &mut self,
        reference: &Reference,
        version: &str,
        provenance: bool,
    ) -> Result<Pulled, Error> {
        let mut reference = reference.clone();
        if reference.tag.is_none() && reference.digest.is_none() {
            let exact = crate::chart::constraint::is_version(version) && !version.contains(' ');
            let chosen = if exact {
                version.to_string()
            } else {
                let tags = self.tags(&reference.repository)?;
                let constraint = if version.is_empty() { "*" } else { version };
                tags.iter()
                    .find(|t| t.as_str() == version)
                    .or_else(|| {
                        tags.iter()
                            .find(|t| crate::chart::constraint::is_compatible_range(constraint, t))
                    })
                    .cloned()
                    .ok_or_else(|| {
                        Error(format!(
                            "Could not locate a version matching provided version string {version}"
                        ))
                    })?
            };
            reference.tag = Some(version_to_tag(&chosen));
        }
        let target = reference
            .digest
            .clone()
            .or_else(|| reference.tag.clone())
            .unwrap_or_default();
        let url = format!(
            "{}/v2/{}/manifests/{target}",
            self.base(),
            reference.repository
        );
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, MANIFEST_MEDIA_TYPE.parse().expect("media type"));
        let response = self.send(Method::GET, &url, headers, None)?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(Error(format!("{}: not found", reference.display())));
        }
        if !response.status().is_success() {
            return Err(status_error(&Method::GET, &url, response));
        }
        let body = read_all(response, &url)?;
        let digest = format!("sha256:{}", sha256_hex(&body));
        if let Some(wanted) = &reference.digest {
            if wanted != &digest {
                return Err(Error(format!(
                    "{}: the manifest's digest is {digest}",
                    reference.display()
                )));
            }
        }
        let manifest: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| Error(format!("{}: invalid manifest: {e}", reference.display())))?;
        let config = &manifest["config"];
        if config["mediaType"].as_str() != Some(CONFIG_MEDIA_TYPE) {
            return Err(Error(format!(
                "{}: not a Helm chart (config media type {})",
                reference.display(),
                config["mediaType"].as_str().unwrap_or("missing")
            )));
        }
        let layers = manifest["layers"].as_array().cloned().unwrap_or_default();
        let chart_layers: Vec<&serde_json::Value> = layers
            .iter()
            .filter(|l| {
                matches!(
                    l["mediaType"].as_str(),
                    Some(CHART_LAYER_MEDIA_TYPE | LEGACY_CHART_LAYER_MEDIA_TYPE)
                )
            })
            .collect();
        let [layer] = chart_layers.as_slice() else {
            return Err(Error(format!(
                "manifest does not contain exactly one layer of type {CHART_LAYER_MEDIA_TYPE}"
            )));
        };
        let config_data = self.blob(&reference.repository, config)?;
        let data = self.blob(&reference.repository, layer)?;
        let provenance = match layers
            .iter()
            .find(|l| l["mediaType"].as_str() == Some(PROV_LAYER_MEDIA_TYPE))
        {
            Some(layer) if provenance => Some(self.blob(&reference.repository, layer)?),
            _ => None,
        };
        let meta: serde_json::Value = serde_json::from_slice(&config_data).map_err(|e| {
            Error(format!(
                "{}: invalid chart config: {e}",
                reference.display()
            ))
        })?;
        Ok(Pulled {
            data,
            digest,
            shown: reference.display(),
            name: meta["name"].as_str().unwrap_or_default().to_string(),
            version: meta["version"].as_str().unwrap_or_default().to_string(),
            provenance,
        })
    }

    /// A blob, checked against its descriptor's digest.
    fn blob(&mut self, repository: &str, descriptor: &serde_json::Value) -> Result<Vec<u8>, Error> {
        let digest = descriptor["digest"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let url = format!("{}/v2/{repository}/blobs/{digest}", self.base());
        let response = self.send(Method::GET, &url, HeaderMap::new(), None)?;
        if !response.status().is_success() {
            return Err(status_error(&Method::GET, &url, response));
        }
        let data = read_all(response, &url)?;
        let actual = format!("sha256:{}", sha256_hex(&data));
        if actual != digest {
            return Err(Error(format!(
                "blob {digest} of {repository}: digest mismatch: the registry sent {actual}"
            )));
        }
        Ok(data)
    }

    /// Starts a monolithic blob upload (`POST …/blobs/uploads/`): the URL to `PUT` the blob to.
    pub(super) fn start_upload(&mut self, repository: &str, digest: &str) -> Result<String, Error> {
        let location = self.open_session(repository)?;
        let separator = if location.contains('?') { '&' } else { '?' };
        Ok(format!("{location}{separator}digest={digest}"))
    }

    pub(super) fn upload(&mut self, repository: &str, data: &[u8]) -> Result<String, Error> {
        let digest = format!("sha256:{}", sha256_hex(data));
        let head = format!("{}/v2/{repository}/blobs/{digest}", self.base());
        if self
            .send(Method::HEAD, &head, HeaderMap::new(), None)?
            .status()
            .is_success()
        {
            return Ok(digest);
        }
        let put = self.start_upload(repository, &digest)?;
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            "application/octet-stream".parse().expect("media type"),
        );
        let response = self.send(Method::PUT, &put, headers, Some(data.to_vec()))?;
        if response.status() != reqwest::StatusCode::CREATED {
            return Err(status_error(&Method::PUT, &put, response));
        }
        Ok(digest)
    }

    /// `push CHART.tgz oci://host/path`: the chart at `<path>/<name>:<version>`; the reference shown
    /// and the manifest's digest.
    pub fn push(&mut self, remote: &Reference, archive: &[u8]) -> Result<(String, String), Error> {
        self.push_with(remote, archive, None)
    }

    /// [`Client::push`] with the chart's provenance file as a layer of its own, listed before the
    /// chart's as Helm lists it (Helm pushes `CHART.tgz.prov` when it lies beside the archive).
    pub fn push_with(
        &mut self,
        remote: &Reference,
        archive: &[u8],
        provenance: Option<&[u8]>,
    ) -> Result<(String, String), Error> {
        let chart = crate::chart::load_archive(archive).map_err(|e| Error(e.to_string()))?;
        let md = &chart.metadata;
        let repository = format!("{}/{}", remote.repository, md.name);
        let reference = Reference {
            registry: remote.registry.clone(),
            repository: repository.clone(),
            tag: Some(version_to_tag(&md.version)),
            digest: None,
        };
        let config = crate::deps::gojson::compact(&serde_json::to_value(md).unwrap_or_default());
        let config_digest = self.upload(&repository, config.as_bytes())?;
        let layer_digest = self.upload(&repository, archive)?;
        let mut layers = Vec::new();
        if let Some(prov) = provenance {
            let digest = self.upload(&repository, prov)?;
            layers.push(serde_json::json!({"mediaType": PROV_LAYER_MEDIA_TYPE, "digest": digest, "size": prov.len()}));
        }
        layers.push(serde_json::json!({"mediaType": CHART_LAYER_MEDIA_TYPE, "digest": layer_digest, "size": archive.len()}));
        let mut annotations = std::collections::BTreeMap::new();
        let mut add = |k: &str, v: &str| {
            if !v.trim().is_empty() {
                annotations.insert(k.to_string(), v.to_string());
            }
        };
        add("org.opencontainers.image.description", &md.description);
        add("org.opencontainers.image.title", &md.name);
        add("org.opencontainers.image.version", &md.version);
        add("org.opencontainers.image.url", &md.home);
        add(
            "org.opencontainers.image.created",
            &chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        if let Some(source) = md.sources.first() {
            add("org.opencontainers.image.source", source);
        }
        if !md.maintainers.is_empty() {
            let authors: Vec<String> = md
                .maintainers
                .iter()
                .map(|m| {
                    let mut s = m.name.clone();
                    if !m.email.is_empty() {
                        s.push_str(&format!(" ({})", m.email));
                    }
                    s
                })
                .collect();
            add("org.opencontainers.image.authors", &authors.join(", "));
        }
        for (k, v) in &md.annotations {
            if k != "org.opencontainers.image.version" && k != "org.opencontainers.image.title" {
                annotations.insert(k.clone(), v.clone());
            }
        }
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "config": {"mediaType": CONFIG_MEDIA_TYPE, "digest": config_digest, "size": config.len()},
            "layers": layers,
            "annotations": annotations,
        });
        let body = crate::deps::gojson::compact(&manifest);
        let digest = format!("sha256:{}", sha256_hex(body.as_bytes()));
        let url = format!(
            "{}/v2/{repository}/manifests/{}",
            self.base(),
            reference.tag.as_deref().unwrap_or_default()
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            MANIFEST_MEDIA_TYPE.parse().expect("media type"),
        );
        let response = self.send(Method::PUT, &url, headers, Some(body.into_bytes()))?;
        if response.status() != reqwest::StatusCode::CREATED {
            return Err(status_error(&Method::PUT, &url, response));
        }
        Ok((reference.display(), digest))
    }
}

/// The `key=value` pairs of a challenge (`realm="…",service="…",scope="a:b:pull,push"`): values
/// may be quoted, and a quoted value may hold commas and `\`-escapes.
fn parse_challenge(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && *c != ',') {
            key.push(c);
        }
        if key.is_empty() && chars.peek().is_none() {
            return out;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| *c == ' ').is_some() {}
            if chars.next_if_eq(&'"').is_some() {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => value.extend(chars.next()),
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(c) = chars.next_if(|c| *c != ',') {
                    value.push(c);
                }
            }
        }
        out.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
}

/// What a challenge asks for, for messages: `access to repository a/b (pull,push)`.
pub(super) fn describe_scope(params: &[(String, String)]) -> String {
    let scopes: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "scope")
        .flat_map(|(_, v)| v.split(' ').filter(|s| !s.is_empty()))
        .map(|scope| {
            let (kind, rest) = scope.split_once(':').unwrap_or((scope, ""));
            match rest.rsplit_once(':') {
                Some((name, actions)) => format!("{kind} {name} ({actions})"),
                None => scope.to_string(),
            }
        })
        .collect();
    if scopes.is_empty() {
        "access".to_string()
    } else {
        format!("access to {}", scopes.join(" and "))
    }
}

pub(super) fn read_all(mut response: Response, url: &str) -> Result<Vec<u8>, Error> {
    let mut data = Vec::new();
    response
        .read_to_end(&mut data)
        .map_err(|e| Error(format!("reading {url}: {e}")))?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::{describe_scope, parse_challenge};

    #[test]
    fn challenges_keep_commas_inside_quotes() {
        let params = parse_challenge(
            r#"realm="https://auth.example/token",service="registry.example",scope="repository:org/app:pull,push repository:org/base:pull""#,
        );
        assert_eq!(
            params,
            [
                ("realm".into(), "https://auth.example/token".into()),
                ("service".into(), "registry.example".into()),
                (
                    "scope".into(),
                    "repository:org/app:pull,push repository:org/base:pull".into()
                ),
            ]
        );
        assert_eq!(
            describe_scope(&params),
            "access to repository org/app (pull,push) and repository org/base (pull)"
        );
        let bare = parse_challenge(r#"realm=http://a/t, service = "s\"x""#);
        assert_eq!(
            bare,
            [
                ("realm".into(), "http://a/t".into()),
                ("service".into(), "s\"x".into())
            ]
        );
        assert_eq!(describe_scope(&bare), "access");
    }
}
