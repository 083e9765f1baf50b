//! Uploading a blob of any size from a file with bounded memory: the OCI distribution spec's chunked
//! upload (`POST …/blobs/uploads/` opens a session, each `PATCH` sends one chunk of at most
//! [`CHUNK`] bytes streamed from the file with its `Content-Range`, `PUT …?digest=` closes it), the
//! file's sha256 computed while the chunks stream and checked against the digest before the session
//! is closed (a file that changed under us is an error, never a blob under the wrong digest).
//!
//! A chunk that fails (the connection drops, the registry answers 5xx) is retried: the session's
//! status (`GET` of the upload URL: `204` with `Range: 0-N`) says how many bytes the registry holds,
//! and the upload resumes there, the hash caught up by reading the file; a registry that cannot say
//! (the distribution registry refuses a session whose offset moved under a partial write) gets the
//! session cancelled (`DELETE`) and a clean upload from the start. At most [`ATTEMPTS`] failures
//! per blob; then the last one is the error.
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{Arc, Mutex};

use reqwest::blocking::Response;
use reqwest::header::{HeaderMap, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, RANGE};
use reqwest::Method;
use sha2::{Digest, Sha256};

use super::client::{status_error, Client};
use super::Error;

/// The largest chunk one `PATCH` sends (streamed: it is never held in memory).
pub const CHUNK: u64 = 16 * 1024 * 1024;

/// Failed chunks tolerated per blob.
pub const ATTEMPTS: usize = 3;

/// What the reader of one chunk has hashed, shared with the request body's thread.
#[derive(Default)]
struct Hashed {
    hasher: Sha256,
    bytes: u64,
}

/// A chunk of the file that hashes what it hands out.
struct HashingReader {
    inner: std::io::Take<File>,
    hashed: Arc<Mutex<Hashed>>,
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut hashed = self.hashed.lock().unwrap_or_else(|e| e.into_inner());
        hashed.hasher.update(&buf[..n]);
        hashed.bytes += n as u64;
        Ok(n)
    }
}

/// Why a chunk did not land.
enum ChunkFailure {
    /// Worth retrying (transport error, 5xx, 401 with a fresh token, a short read).
    Retry(Error),
    /// The registry does not take the chunk where we think the session is (416): the session
    /// is abandoned and the upload starts again.
    Restart(Error),
    /// The registry refused the upload (other 4xx): final.
    Final(Error),
}

impl Client {
    /// The upload URL in the `Location` of a response that opened or advanced an upload session
    /// (`request` names the request in errors); relative locations are made absolute.
    pub(super) fn session_location(
        &self,
        request: &str,
        response: &Response,
    ) -> Result<String, Error> {
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .ok_or_else(|| Error(format!("{request}: no upload location")))?;
        Ok(if location.starts_with('/') {
            format!("{}{location}", self.base())
        } else {
            location.to_string()
        })
    }

    /// Opens an upload session for `repository` (`POST …/blobs/uploads/`): its URL.
    pub(super) fn open_session(&mut self, repository: &str) -> Result<String, Error> {
        let start = format!("{}/v2/{repository}/blobs/uploads/", self.base());
        let response = self.send(Method::POST, &start, HeaderMap::new(), Some(Vec::new()))?;
        if response.status() != reqwest::StatusCode::ACCEPTED {
            return Err(status_error(&Method::POST, &start, response));
        }
        self.session_location(&format!("POST {start}"), &response)
    }

    /// Uploads the file at `path` as blob `digest` through the session at `location` (see the
    /// module doc), calling `progress` with the bytes the registry has accepted.
    pub(super) fn upload_file(
        &mut self,
        repository: &str,
        digest: &str,
        path: &Path,
        mut location: String,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), Error> {
        let open =
            || File::open(path).map_err(|e| Error(crate::go_os::path_error("open", path, &e)));
        let size = open()?
            .metadata()
            .map_err(|e| Error(crate::go_os::path_error("stat", path, &e)))?
            .len();
        let mut offset = 0u64;
        let mut committed = Sha256::new();
        let mut failures = 0usize;
        while offset < size {
            let end = (offset + CHUNK).min(size);
            match self.patch_chunk(&location, path, offset, end, &committed) {
                Ok((next, hasher)) => {
                    location = next;
                    committed = hasher;
                    offset = end;
                    progress(offset);
                }
                Err(ChunkFailure::Final(e)) => {
                    self.cancel(&location);
                    return Err(e);
                }
                Err(ChunkFailure::Retry(e) | ChunkFailure::Restart(e))
                    if failures + 1 >= ATTEMPTS =>
                {
                    self.cancel(&location);
                    return Err(Error(format!(
                        "uploading blob {digest} to {}/{repository}: gave up after {ATTEMPTS} failed chunks: {e}",
                        self.registry
                    )));
                }
                Err(ChunkFailure::Restart(_)) => {
                    failures += 1;
                    self.cancel(&location);
                    location = self.open_session(repository)?;
                    offset = 0;
                    committed = Sha256::new();
                }
                Err(ChunkFailure::Retry(_)) => {
                    failures += 1;
                    match self.session_status(&location) {
                        Some((next, held)) if held <= size => {
                            location = next;
                            if held < offset {
                                committed = Sha256::new();
                                hash_range(path, 0, held, &mut committed)?;
                            } else {
                                hash_range(path, offset, held, &mut committed)?;
                            }
                            offset = held;
                        }
                        _ => {
                            self.cancel(&location);
                            location = self.open_session(repository)?;
                            offset = 0;
                            committed = Sha256::new();
                        }
                    }
                }
            }
        }
        let actual = format!("sha256:{:x}", committed.finalize());
        if actual != digest {
            self.cancel(&location);
            return Err(Error(format!(
                "{}: its content hashes to {actual}, not {digest} (did it change while it was uploaded?)",
                path.display()
            )));
        }
        let separator = if location.contains('?') { '&' } else { '?' };
        let put = format!("{location}{separator}digest={digest}");
        let response = self.send(Method::PUT, &put, HeaderMap::new(), Some(Vec::new()))?;
        if response.status() != reqwest::StatusCode::CREATED {
            return Err(status_error(&Method::PUT, &put, response));
        }
        Ok(())
    }

    /// Sends bytes `offset..end` of the file as one `PATCH`; the session's next URL and the hash
    /// of the file up to `end`.
    fn patch_chunk(
        &mut self,
        location: &str,
        path: &Path,
        offset: u64,
        end: u64,
        committed: &Sha256,
    ) -> Result<(String, Sha256), ChunkFailure> {
        let retry = |e: String| ChunkFailure::Retry(Error(e));
        let mut file = File::open(path)
            .map_err(|e| ChunkFailure::Final(Error(crate::go_os::path_error("open", path, &e))))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| ChunkFailure::Final(Error(crate::go_os::path_error("seek", path, &e))))?;
        let length = end - offset;
        let hashed = Arc::new(Mutex::new(Hashed {
            hasher: committed.clone(),
            bytes: 0,
        }));
        let body = HashingReader {
            inner: file.take(length),
            hashed: hashed.clone(),
        };
        let request = self
            .http
            .patch(location)
            .header(CONTENT_TYPE, "application/octet-stream")
            .header("Content-Range", format!("{offset}-{}", end - 1))
            .header(CONTENT_LENGTH, length)
            .body(reqwest::blocking::Body::sized(body, length));
        let response = self
            .authorize(request)
            .send()
            .map_err(|e| retry(self.transport(&Method::PATCH, location, &e).0))?;
        let status = response.status().as_u16();
        if status == 401 {
            // A token that expired mid-upload: a fresh one, and the chunk again.
            let e = status_error(&Method::PATCH, location, response);
            self.bearer = None;
            return Err(ChunkFailure::Retry(e));
        }
        if status != 202 {
            let e = status_error(&Method::PATCH, location, response);
            return Err(if status >= 500 {
                ChunkFailure::Retry(e)
            } else if status == 416 {
                ChunkFailure::Restart(e)
            } else {
                ChunkFailure::Final(e)
            });
        }
        let next = self
            .session_location(&format!("PATCH {location}"), &response)
            .map_err(ChunkFailure::Final)?;
        let hashed = std::mem::take(&mut *hashed.lock().unwrap_or_else(|e| e.into_inner()));
        if hashed.bytes != length {
            return Err(retry(format!(
                "{}: read {} of the {length} bytes at offset {offset}",
                path.display(),
                hashed.bytes
            )));
        }
        Ok((next, hashed.hasher))
    }

    /// The session's URL and how many bytes the registry holds (`GET` of the upload URL), if it
    /// can say.
    fn session_status(&mut self, location: &str) -> Option<(String, u64)> {
        let response = self
            .send(Method::GET, location, HeaderMap::new(), None)
            .ok()?;
        if response.status() != reqwest::StatusCode::NO_CONTENT {
            return None;
        }
        let held = match response.headers().get(RANGE) {
            None => 0,
            Some(range) => held_bytes(range.to_str().ok()?)?,
        };
        let next = self.session_location("GET upload status", &response).ok()?;
        Some((next, held))
    }

    /// Cancels an upload session (best effort: the registry expires abandoned ones anyway).
    fn cancel(&mut self, location: &str) {
        let _ = self.send(Method::DELETE, location, HeaderMap::new(), None);
    }
}

/// How many bytes a session holds, from its `Range: 0-<last>`. `0-0` is what the distribution
/// registry says of an empty session too: taken as empty (a registry that holds one byte then
/// answers 416, and the upload starts again).
fn held_bytes(range: &str) -> Option<u64> {
    let (_, last) = range.trim().trim_start_matches("bytes=").split_once('-')?;
    match last.trim().parse::<u64>().ok()? {
        0 => Some(0),
        last => Some(last + 1),
    }
}

/// Feeds bytes `from..to` of the file at `path` to `hasher`.
fn hash_range(path: &Path, from: u64, to: u64, hasher: &mut Sha256) -> Result<(), Error> {
    let mut file =
        File::open(path).map_err(|e| Error(crate::go_os::path_error("open", path, &e)))?;
    file.seek(SeekFrom::Start(from))
        .map_err(|e| Error(crate::go_os::path_error("seek", path, &e)))?;
    let mut chunk = file.take(to.saturating_sub(from));
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = chunk
            .read(&mut buffer)
            .map_err(|e| Error(crate::go_os::path_error("read", path, &e)))?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(&buffer[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::held_bytes;

    #[test]
    fn ranges_say_how_much_a_session_holds() {
        assert_eq!(held_bytes("0-0"), Some(0));
        assert_eq!(held_bytes("0-1023"), Some(1024));
        assert_eq!(held_bytes("bytes=0-15"), Some(16));
        assert_eq!(held_bytes("garbage"), None);
        assert_eq!(held_bytes("0-x"), None);
    }
}
