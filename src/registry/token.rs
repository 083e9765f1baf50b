//! How the registry client gets a Bearer token when a registry answers `401` with a `Bearer
//! realm="…",service="…",scope="…"` challenge, as helm v3.17.3's clients ask a token service
//! (containerd 1.7's resolver for pulls and pushes, Docker's login for `registry login`, both inside
//! oras-go v1.2.5):
//!
//! - with a username and password (pulls, pushes, bundles): first the OAuth2 password grant, `POST
//!   realm` with the form `client_id=containerd-client`, `grant_type=password`, `username`,
//!   `password`, `scope` (space-separated), `service`; when the service answers 400, 401, 404 or 405
//!   (no OAuth2 endpoint, or a refusal), Docker's token protocol: `GET realm?scope=…&service=…`
//!   (one `scope` parameter per scope) with the credentials as Basic authentication. Any other
//!   answer is final;
//! - anonymously: that `GET` without credentials;
//! - with an identity token (an OAuth2 refresh token: `identitytoken` in a config file's `auths`,
//!   or a credential helper's `Username` of `<token>`; an empty username in
//!   [`Options::credentials`](super::client::Options)): the OAuth2 refresh grant, `POST realm` with
//!   the form `grant_type=refresh_token`, `refresh_token`, `service`, `scope` and `client_id`;
//! - for `registry login`, as Docker's login does: the `GET` only, also asking for an offline token
//!   (`offline_token=true&client_id=docker`, `account=USER`); a `refresh_token` in the answer is the
//!   identity token that login stores in place of the password.
//!
//! The answer's `token` (or `access_token`) is the Bearer token.
//!
//! helm v4.1.4 (oras-go v2.6.0's auth client) asks the other way round: `registry login` tries the
//! password grant first (`client_id=oras-go`, then the `GET`), pulls and pushes only `GET`. Rudder
//! follows v3.17.3 here, whose identity-token files it shares (docs/repositories.md); the test
//! `tests/bundle.rs: token_grants_as_helm_asks_for_them` records what each of the three sends.
use reqwest::blocking::{RequestBuilder, Response};
use reqwest::Method;

use super::client::{describe_scope, read_all, Client};
use super::Error;

/// The OAuth2 `client_id` sent with a refresh grant (containerd's, which Helm v3.17 pulls and
/// pushes with).
const OAUTH_CLIENT_ID: &str = "containerd-client";

/// The `client_id` of Docker's login when it asks for an offline token.
const LOGIN_CLIENT_ID: &str = "docker";

impl Client {
    /// The identity token the client authenticates with, if its credentials are one.
    pub(super) fn identity_token(&self) -> Option<&str> {
        match &self.options.credentials {
            Some((user, token)) if user.is_empty() && !token.is_empty() => Some(token),
            _ => None,
        }
    }

    /// A Bearer token for the challenge `params` (see the module doc). During `registry login`
    /// a refresh token in the answer is kept in `self.issued_identity`.
    pub(super) fn fetch_token(&mut self, params: &[(String, String)]) -> Result<String, Error> {
        let realm = params
            .iter()
            .find(|(k, _)| k == "realm")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut token_url = reqwest::Url::parse(&realm).map_err(|e| {
            Error(format!(
                "{}: invalid token realm {realm:?}: {e}",
                self.registry
            ))
        })?;
        let service = params
            .iter()
            .find(|(k, _)| k == "service")
            .map(|(_, v)| v.as_str());
        let scopes: Vec<&str> = params
            .iter()
            .filter(|(k, _)| k == "scope")
            .flat_map(|(_, v)| v.split(' ').filter(|s| !s.is_empty()))
            .collect();
        let scope = scopes.join(" ");
        let (method, request) = if let Some(refresh) = self.identity_token() {
            let request = self.form_post(
                token_url,
                &[
                    ("client_id", OAUTH_CLIENT_ID),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh),
                    ("scope", &scope),
                    ("service", service.unwrap_or_default()),
                ],
            );
            (Method::POST, request)
        } else {
            let password_grant = match &self.options.credentials {
                Some((user, pass)) if !self.logging_in && !user.is_empty() && !pass.is_empty() => {
                    let request = self.form_post(
                        token_url.clone(),
                        &[
                            ("client_id", OAUTH_CLIENT_ID),
                            ("grant_type", "password"),
                            ("password", pass),
                            ("scope", &scope),
                            ("service", service.unwrap_or_default()),
                            ("username", user),
                        ],
                    );
                    Some(
                        request
                            .send()
                            .map_err(|e| self.transport(&Method::POST, &realm, &e))?,
                    )
                }
                _ => None,
            };
            match password_grant {
                // containerd's fallback: token services without the OAuth2 endpoint answer
                // 404 (GCR), 405, 401 (Artifactory) or 400 (ACR); a wrong password is a 401 too.
                Some(r) if !matches!(r.status().as_u16(), 400 | 401 | 404 | 405) => {
                    return self.token_answer(r, &realm, params);
                }
                _ => {}
            }
            {
                let mut query = token_url.query_pairs_mut();
                for (k, v) in params.iter().filter(|(k, _)| k != "realm") {
                    if k == "scope" {
                        // One scope parameter per scope, as Docker asks.
                        for scope in v.split(' ').filter(|s| !s.is_empty()) {
                            query.append_pair(k, scope);
                        }
                    } else {
                        query.append_pair(k, v);
                    }
                }
                if self.logging_in {
                    query.append_pair("offline_token", "true");
                    query.append_pair("client_id", LOGIN_CLIENT_ID);
                    if let Some((user, _)) = &self.options.credentials {
                        query.append_pair("account", user);
                    }
                }
            }
            let mut request = self.http.get(token_url);
            if let Some((user, pass)) = &self.options.credentials {
                request = request.basic_auth(user, Some(pass));
            }
            (Method::GET, request)
        };
        let response = request
            .send()
            .map_err(|e| self.transport(&method, &realm, &e))?;
        self.token_answer(response, &realm, params)
    }

    /// A `POST` of the form `pairs` (empty values left out; keys in the order given, which is
    /// the sorted order Go's `url.Values.Encode` writes).
    fn form_post(&self, url: reqwest::Url, pairs: &[(&str, &str)]) -> RequestBuilder {
        let mut form = reqwest::Url::parse("http://form.invalid/").expect("a valid URL");
        {
            let mut query = form.query_pairs_mut();
            for (k, v) in pairs
                .iter()
                .filter(|(k, v)| !v.is_empty() || *k == "service")
            {
                query.append_pair(k, v);
            }
        }
        let body = form.query().unwrap_or_default().to_string();
        self.http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(body)
    }

    /// The Bearer token in a token service's answer, or why there is none.
    fn token_answer(
        &mut self,
        response: Response,
        realm: &str,
        params: &[(String, String)],
    ) -> Result<String, Error> {
        if !response.status().is_success() {
            let status = response.status();
            let cause = if self.identity_token().is_some() {
                format!(
                    " (it refused the identity token stored for {})",
                    self.registry
                )
            } else if self.options.credentials.is_some() {
                format!(" (it refused the credentials given for {})", self.registry)
            } else {
                self.credentials_hint()
            };
            return Err(Error(format!(
                "{}: {} refused: the token service {realm} answered {} {}{cause}",
                self.registry,
                describe_scope(params),
                status.as_u16(),
                status.canonical_reason().unwrap_or(""),
            )));
        }
        let body = read_all(response, realm)?;
        let json: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| Error(format!("reading the token from {realm}: {e}")))?;
        let text = |key: &str| {
            json.get(key)
                .and_then(|t| t.as_str())
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        if self.logging_in && self.identity_token().is_none() {
            if let Some(refresh) = text("refresh_token") {
                self.issued_identity = Some(refresh);
            }
        }
        text("token")
            .or_else(|| text("access_token"))
            .ok_or_else(|| Error(format!("no token in the answer of {realm}")))
    }
}
