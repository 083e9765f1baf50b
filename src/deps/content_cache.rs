//! Helm 4's content-addressed chart cache (`pkg/downloader/cache.go`, `DiskCache`), shared with
//! Helm 4 so that a chart either tool downloaded is found by the other: a chart archive is
//! `<root>/<first byte of its sha256, 2 hex digits>/<sha256 hex>.chart`, its provenance file the
//! same name ending `.prov`. The root is `HELM_CONTENT_CACHE`, else `<cache home>/content`
//! ([`super::Settings::content_cache`]).
//!
//! When helm v4.1.4 reads and writes it (observed, and what `ChartDownloader.DownloadTo` and
//! `DownloadToCache` do):
//! - `show`, `template`, `install`, `upgrade` of a chart (`LocateChart`): a `repo/chart` reference
//!   is looked up under the digest its cached index gives before anything is downloaded; whatever
//!   is downloaded (also through `--repo`, an archive URL or `oci://`, which are never looked up)
//!   is stored under its digest. Rudder: [`Use::ReadWrite`].
//! - `pull repo/chart` (`DownloadTo`) reads it the same way but never writes it. Rudder:
//!   [`Use::Read`].
//! - `dependency update|build` neither reads nor writes it.
//!
//! An empty file counts as missing; a directory where a file should be is the error `is a
//! directory` (for `pull` Helm ignores it and downloads). Files are written through a temporary
//! file and a rename, mode 0644, directories 0755.
//!
//! Deliberately stricter: Helm uses a cached file whatever its content; Rudder uses it only when
//! its sha256 is the digest it is filed under, and otherwise downloads (and, with
//! [`Use::ReadWrite`], replaces it).
use std::path::{Path, PathBuf};

use super::error::{io, Error};

/// How a command uses the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Use {
    /// Not at all.
    #[default]
    None,
    /// Looks a chart up before downloading it (`pull`).
    Read,
    /// Looks it up and stores what it downloads (`show`, `template`, `install`, `upgrade`).
    ReadWrite,
}

/// What is cached under a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Chart,
    Provenance,
}

impl Kind {
    fn suffix(self) -> &'static str {
        match self {
            Kind::Chart => ".chart",
            Kind::Provenance => ".prov",
        }
    }
}

/// The cache under `root`.
#[derive(Debug, Clone)]
pub struct ContentCache {
    root: PathBuf,
}

impl ContentCache {
    pub fn new(root: &Path) -> ContentCache {
        ContentCache {
            root: root.to_path_buf(),
        }
    }

    /// `<root>/<2 hex>/<digest><suffix>` for a sha256 digest (hex, with or without `sha256:`);
    /// `None` for anything that is not 64 hex digits.
    pub fn path(&self, digest: &str, kind: Kind) -> Option<PathBuf> {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let hex = hex.to_ascii_lowercase();
        Some(
            self.root
                .join(&hex[..2])
                .join(format!("{hex}{}", kind.suffix())),
        )
    }

    /// The bytes cached under `digest`, when there are any and (for a chart) their sha256 is
    /// `digest`. A directory in the file's place is Helm's `is a directory`.
    pub fn get(&self, digest: &str, kind: Kind) -> Result<Option<Vec<u8>>, Error> {
        let Some(path) = self.path(digest, kind) else {
            return Ok(None);
        };
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("stat", &path, &e)),
        };
        if meta.is_dir() {
            return Err(Error::Resolve("is a directory".into()));
        }
        if meta.len() == 0 {
            return Ok(None);
        }
        let data = match std::fs::read(&path) {
            Ok(data) => data,
            // Gone or unreadable since: download instead, as Helm does when its read fails.
            Err(_) => return Ok(None),
        };
        if kind == Kind::Chart && !same_digest(&super::digest::sha256_hex(&data), digest) {
            return Ok(None);
        }
        Ok(Some(data))
    }

    /// Stores `data` under `digest` (Helm's `Put`: directories 0755, the file 0644 through a
    /// temporary file and a rename).
    pub fn put(&self, digest: &str, data: &[u8], kind: Kind) -> Result<PathBuf, Error> {
        let path = self
            .path(digest, kind)
            .ok_or_else(|| Error::Resolve(format!("invalid content digest {digest:?}")))?;
        let dir = path.parent().unwrap_or(&self.root);
        crate::go_os::mkdir_all(dir).map_err(Error::Io)?;
        super::manager::atomic_write(&path, data)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
            .map_err(|e| io("chmod", &path, &e))?;
        Ok(path)
    }
}

fn same_digest(actual_hex: &str, digest: &str) -> bool {
    actual_hex.eq_ignore_ascii_case(digest.strip_prefix("sha256:").unwrap_or(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "rudder-content-cache-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn layout_is_helm_4s() {
        let cache = ContentCache::new(Path::new("/c"));
        let digest = "4FDF0781d189b0f8453327ed4e65668a2e0c17efcd5f30cfd8011be5bc489b41";
        assert_eq!(
            cache.path(digest, Kind::Chart).unwrap(),
            PathBuf::from(
                "/c/4f/4fdf0781d189b0f8453327ed4e65668a2e0c17efcd5f30cfd8011be5bc489b41.chart"
            )
        );
        assert_eq!(
            cache
                .path(&format!("sha256:{digest}"), Kind::Provenance)
                .unwrap()
                .extension()
                .unwrap(),
            "prov"
        );
        assert!(cache.path("abc", Kind::Chart).is_none());
        assert!(cache.path(&"g".repeat(64), Kind::Chart).is_none());
    }

    #[test]
    fn put_then_get_and_what_counts_as_missing() {
        let root = scratch("roundtrip");
        let cache = ContentCache::new(&root);
        let data = b"chart bytes".to_vec();
        let digest = super::super::digest::sha256_hex(&data);
        assert_eq!(cache.get(&digest, Kind::Chart).unwrap(), None);
        let path = cache.put(&digest, &data, Kind::Chart).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o644
        );
        assert_eq!(cache.get(&digest, Kind::Chart).unwrap(), Some(data));
        // Other bytes under the digest: not used.
        std::fs::write(&path, b"something else").unwrap();
        assert_eq!(cache.get(&digest, Kind::Chart).unwrap(), None);
        // Empty: missing.
        std::fs::write(&path, b"").unwrap();
        assert_eq!(cache.get(&digest, Kind::Chart).unwrap(), None);
        // A directory: Helm's error.
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert_eq!(
            cache.get(&digest, Kind::Chart).unwrap_err().to_string(),
            "is a directory"
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
