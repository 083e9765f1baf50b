//! The distribution API calls for container images (what `rudder bundle` copies): manifests of any
//! of the four media types (OCI image manifest and index, Docker v2 manifest and manifest list),
//! blobs streamed to a writer with their digest checked, blob existence, streamed blob uploads and
//! manifest uploads. Chart-specific calls stay in [`super::client`].
use std::io::{Read, Write};

use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE};
use reqwest::Method;
use sha2::{Digest, Sha256};

use super::client::{read_all, status_error, Client};
use super::Error;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// Whether `media_type` is an index (a list of per-platform manifests).
pub fn is_index(media_type: &str) -> bool {
    media_type == OCI_INDEX || media_type == DOCKER_LIST
}

/// What [`Client::put_blob_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobPut {
    /// The repository had the blob.
    Present,
    /// Mounted from this repository of the same registry.
    Mounted(String),
    /// Its bytes were sent.
    Uploaded,
}

/// A manifest as the registry sent it (bytes kept exactly: its digest is their sha256).
#[derive(Debug, Clone)]
pub struct Manifest {
    pub data: Vec<u8>,
    pub media_type: String,
    /// `sha256:…` of `data`.
    pub digest: String,
}

/// `sha256:<hex>` of `data`.
pub fn digest_of(data: &[u8]) -> String {
    format!("sha256:{}", crate::deps::digest::sha256_hex(data))
}

/// The media type a manifest declares in its own `mediaType` field.
pub fn declared_media_type(data: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(data).ok()?;
    json.get("mediaType")?.as_str().map(str::to_string)
}

impl Client {
    /// Whether the registry answers `GET /v2/` with these credentials. On failure, also whether
    /// no HTTP answer came (a transport error that is not a refused certificate: over HTTPS, the
    /// registry may speak plain HTTP).
    pub fn ping(&mut self) -> Result<(), (Error, bool)> {
        let url = format!("{}/v2/", self.base());
        if let Err(e) = self.authorize(self.http.get(&url)).send() {
            let no_answer = !crate::deps::getter::is_certificate_failure(&e);
            return Err((self.transport(&Method::GET, &url, &e), no_answer));
        }
        let response = self
            .send(Method::GET, &url, HeaderMap::new(), None)
            .map_err(|e| (e, false))?;
        match response.status().as_u16() {
            200..=299 => Ok(()),
            code @ (401 | 403) => Err((
                Error(format!(
                    "{}: {code} {}: the registry refused the credentials{} (rudder registry login {}, or Docker's config.json)",
                    self.registry,
                    response.status().canonical_reason().unwrap_or(""),
                    if self.options.credentials.is_some() { "" } else { " (none were found for it)" },
                    self.registry
                )),
                false,
            )),
            _ => Err((status_error(&Method::GET, &url, response), false)),
        }
    }

    /// Whether requests go over plain HTTP.
    pub fn plain_http(&self) -> bool {
        self.options.plain_http
    }

    /// The manifest `target` (a tag or `sha256:…`) of `repository`, checked against the digest
    /// when `target` is one. `shown` names the image in errors.
    pub fn image_manifest(
        &mut self,
        repository: &str,
        target: &str,
        shown: &str,
    ) -> Result<Manifest, Error> {
        let url = format!("{}/v2/{repository}/manifests/{target}", self.base());
        let mut headers = HeaderMap::new();
        let accept = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(", ");
        headers.insert(ACCEPT, accept.parse().expect("media types"));
        let response = self.send(Method::GET, &url, headers, None)?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(Error(format!("{shown}: not found")));
        }
        if !response.status().is_success() {
            return Err(status_error(&Method::GET, &url, response));
        }
        let header_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_string())
            .unwrap_or_default();
        let data = read_all(response, &url)?;
        let digest = digest_of(&data);
        if target.starts_with("sha256:") && target != digest {
            return Err(Error(format!(
                "{shown}: digest mismatch: the registry sent a manifest whose digest is {digest}"
            )));
        }
        let media_type = declared_media_type(&data).unwrap_or(header_type);
        if ![OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].contains(&media_type.as_str()) {
            return Err(Error(format!(
                "{shown}: unsupported manifest media type {media_type:?}"
            )));
        }
        Ok(Manifest {
            data,
            media_type,
            digest,
        })
    }

    /// Streams the blob `digest` of `repository` into `out`, calling `progress` with the bytes
    /// read so far; the blob's sha256 must be `digest`.
    pub fn blob_to(
        &mut self,
        repository: &str,
        digest: &str,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64, Error> {
        let url = format!("{}/v2/{repository}/blobs/{digest}", self.base());
        let mut response = self.send(Method::GET, &url, HeaderMap::new(), None)?;
        if !response.status().is_success() {
            return Err(status_error(&Method::GET, &url, response));
        }
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = response
                .read(&mut buffer)
                .map_err(|e| Error(format!("reading {url}: {e}")))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            out.write_all(&buffer[..n])
                .map_err(|e| Error(format!("writing blob {digest}: {e}")))?;
            total += n as u64;
            progress(total);
        }
        let actual = format!("sha256:{:x}", hasher.finalize());
        if actual != digest {
            return Err(Error(format!(
                "blob {digest} of {}/{repository}: digest mismatch: the registry sent {actual}",
                self.registry
            )));
        }
        Ok(total)
    }

    /// Whether the registry already has blob `digest` in `repository`.
    pub fn has_blob(&mut self, repository: &str, digest: &str) -> Result<bool, Error> {
        let url = format!("{}/v2/{repository}/blobs/{digest}", self.base());
        let response = self.send(Method::HEAD, &url, HeaderMap::new(), None)?;
        match response.status().as_u16() {
            200..=299 => Ok(true),
            404 => Ok(false),
            _ => Err(status_error(&Method::HEAD, &url, response)),
        }
    }

    /// Puts the file at `path` as blob `digest` of `repository` unless the registry has it there
    /// already: mounted from the repository `mount_from` when given (`POST
    /// …/blobs/uploads/?mount=…&from=…`, no bytes sent), uploaded otherwise (in chunks streamed
    /// from disk, its digest checked on the way: [`super::upload`]). A registry that does not mount
    /// (it answers 202 with an upload session, or refuses the request) gets the upload.
    pub fn put_blob_file(
        &mut self,
        repository: &str,
        digest: &str,
        path: &std::path::Path,
        mount_from: Option<&str>,
    ) -> Result<BlobPut, Error> {
        self.put_blob_file_with(repository, digest, path, mount_from, &mut |_| {})
    }

    /// [`Client::put_blob_file`], calling `progress` with the bytes the registry has accepted.
    pub fn put_blob_file_with(
        &mut self,
        repository: &str,
        digest: &str,
        path: &std::path::Path,
        mount_from: Option<&str>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<BlobPut, Error> {
        // The HEAD also obtains a Bearer token when the registry wants one.
        if self.has_blob(repository, digest)? {
            return Ok(BlobPut::Present);
        }
        let mut session = None;
        if let Some(from) = mount_from.filter(|f| *f != repository) {
            let url = format!(
                "{}/v2/{repository}/blobs/uploads/?mount={digest}&from={from}",
                self.base()
            );
            // A refusal (401/403 for the source repository, 404, 405) is not an error: upload.
            if let Ok(response) = self.send(Method::POST, &url, HeaderMap::new(), Some(Vec::new()))
            {
                match response.status().as_u16() {
                    201 => return Ok(BlobPut::Mounted(from.to_string())),
                    202 => {
                        session = self
                            .session_location(&format!("POST {url}"), &response)
                            .ok()
                    }
                    _ => {}
                }
            }
        }
        let session = match session {
            Some(session) => session,
            None => self.open_session(repository)?,
        };
        self.upload_file(repository, digest, path, session, progress)?;
        Ok(BlobPut::Uploaded)
    }

    /// Uploads `data` as a blob of `repository` (unless present); its digest.
    pub fn put_blob(&mut self, repository: &str, data: &[u8]) -> Result<String, Error> {
        self.upload(repository, data)
    }

    /// Uploads `manifest` (bytes unchanged, so its digest stays) as `repository:reference`.
    pub fn put_manifest(
        &mut self,
        repository: &str,
        reference: &str,
        manifest: &Manifest,
    ) -> Result<(), Error> {
        let url = format!("{}/v2/{repository}/manifests/{reference}", self.base());
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            manifest
                .media_type
                .parse()
                .map_err(|_| Error(format!("invalid media type {:?}", manifest.media_type)))?,
        );
        let response = self.send(Method::PUT, &url, headers, Some(manifest.data.clone()))?;
        if response.status() != reqwest::StatusCode::CREATED {
            return Err(status_error(&Method::PUT, &url, response));
        }
        Ok(())
    }
}
