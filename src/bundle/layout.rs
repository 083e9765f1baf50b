//! The bundle's OCI image layout (`images/`: `oci-layout`, `index.json`, `blobs/sha256/<hex>`, as
//! the OCI image-spec's image-layout.md describes it): copying an image from its registry into it
//! (manifest, or index with its per-platform manifests, kept whole or filtered by `--platform`;
//! configs and layers), and walking what an image references (for verify and push).
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::progress::Progress;
use super::{io_error, Error};
use crate::registry::image::{digest_of, is_index, Manifest};
use crate::registry::image_ref::ImageRef;
use crate::registry::Client;

pub const LAYOUT_DIR: &str = "images";
const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// How deep indexes may nest (an index of indexes of … ): deeper is refused.
const MAX_NESTING: usize = 8;

/// What one image copy needs at every level of its tree.
#[derive(Clone, Copy)]
struct ImageCopy<'a> {
    repository: &'a str,
    platforms: &'a [String],
    shown: &'a str,
    progress: &'a Progress,
}

/// A blob an image references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub digest: String,
    pub size: Option<u64>,
    /// `manifest`, `index`, `config` or `layer`.
    pub role: &'static str,
    pub media_type: String,
}

/// An image layout directory.
pub struct Layout {
    pub root: PathBuf,
}

fn hex_of(digest: &str) -> Result<&str, Error> {
    digest
        .strip_prefix("sha256:")
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| Error(format!("unsupported digest {digest:?} (sha256 only)")))
}

impl Layout {
    /// Creates the layout under `root` (`oci-layout` written).
    pub fn create(root: &Path) -> Result<Layout, Error> {
        let blobs = root.join("blobs/sha256");
        let _gate = super::interrupt::gate();
        std::fs::create_dir_all(&blobs).map_err(|e| io_error("mkdir", &blobs, &e))?;
        let marker = root.join("oci-layout");
        std::fs::write(&marker, b"{\"imageLayoutVersion\":\"1.0.0\"}")
            .map_err(|e| io_error("write", &marker, &e))?;
        Ok(Layout {
            root: root.to_path_buf(),
        })
    }

    /// An existing layout.
    pub fn open(root: &Path) -> Layout {
        Layout {
            root: root.to_path_buf(),
        }
    }

    /// `blobs/sha256/<hex>` of `digest`.
    pub fn blob_path(&self, digest: &str) -> Result<PathBuf, Error> {
        Ok(self.root.join("blobs/sha256").join(hex_of(digest)?))
    }

    /// The path of `digest` inside the bundle (`images/blobs/sha256/<hex>`), for messages.
    pub fn shown(digest: &str) -> String {
        format!(
            "{LAYOUT_DIR}/blobs/sha256/{}",
            digest.strip_prefix("sha256:").unwrap_or(digest)
        )
    }

    fn put_bytes(&self, data: &[u8]) -> Result<String, Error> {
        let digest = digest_of(data);
        let path = self.blob_path(&digest)?;
        let _gate = super::interrupt::gate();
        std::fs::write(&path, data).map_err(|e| io_error("write", &path, &e))?;
        Ok(digest)
    }

    /// Reads a manifest blob.
    pub fn read(&self, digest: &str) -> Result<Vec<u8>, Error> {
        let path = self.blob_path(digest)?;
        std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error(format!(
                "{} is missing from the bundle",
                Layout::shown(digest)
            )),
            _ => io_error("open", &path, &e),
        })
    }

    /// Copies the blob `descriptor` names from `repository` unless the layout has it.
    fn copy_blob(
        &self,
        client: &mut Client,
        repository: &str,
        blob: &BlobRef,
        progress: &Progress,
    ) -> Result<(), Error> {
        let path = self.blob_path(&blob.digest)?;
        let label = format!(
            "{} {}",
            blob.role,
            &blob.digest[..19.min(blob.digest.len())]
        );
        if path.exists() {
            progress.start(&label, blob.size.unwrap_or(0)).finish(None);
            return Ok(());
        }
        let partial = path.with_extension("partial");
        let bar = progress.start(&label, blob.size.unwrap_or(0));
        let result = (|| {
            let file = {
                let _gate = super::interrupt::gate();
                std::fs::File::create(&partial).map_err(|e| io_error("open", &partial, &e))?
            };
            let mut out = BufWriter::new(file);
            let n = client.blob_to(repository, &blob.digest, &mut out, &mut |done| {
                bar.set(done)
            })?;
            out.flush().map_err(|e| io_error("write", &partial, &e))?;
            if let Some(size) = blob.size.filter(|s| *s != n) {
                return Err(Error(format!(
                    "blob {} of {repository}: the registry sent {n} bytes, the manifest says {size}",
                    blob.digest
                )));
            }
            let _gate = super::interrupt::gate();
            std::fs::rename(&partial, &path).map_err(|e| io_error("rename", &path, &e))?;
            Ok(n)
        })();
        match result {
            Ok(n) => {
                bar.finish(Some(n));
                Ok(())
            }
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                Err(e)
            }
        }
    }

    /// Copies `image` from `client`'s registry: the stored top manifest (an index filtered to
    /// `platforms` when given) and the digest the registry served.
    pub fn copy_image(
        &self,
        client: &mut Client,
        image: &ImageRef,
        platforms: &[String],
        progress: &Progress,
    ) -> Result<(Manifest, String), Error> {
        let shown = image.display();
        let top = client.image_manifest(&image.repository, image.target(), &shown)?;
        let source_digest = top.digest.clone();
        let copy = ImageCopy {
            repository: &image.repository,
            platforms,
            shown: &shown,
            progress,
        };
        match self.copy_tree(client, &copy, top, 0)? {
            Some(stored) => Ok((stored, source_digest)),
            None => Err(Error(format!(
                "{shown}: no manifest for platform {} (the index has {})",
                platforms.join(", "),
                self.platforms_seen(client, &copy, &source_digest)
                    .join(", ")
            ))),
        }
    }

    /// Stores `manifest` and everything below it. An index keeps its entries whose platform is
    /// one of `platforms` (all when none is given; an entry that is itself an index and names no
    /// platform is filtered through); a changed index is a new one with its own digest. `None`
    /// when the filter leaves nothing.
    fn copy_tree(
        &self,
        client: &mut Client,
        copy: &ImageCopy,
        manifest: Manifest,
        depth: usize,
    ) -> Result<Option<Manifest>, Error> {
        let shown = copy.shown;
        if !is_index(&manifest.media_type) {
            self.copy_manifest_blobs(client, copy.repository, &manifest, shown, copy.progress)?;
            self.put_bytes(&manifest.data)?;
            return Ok(Some(manifest));
        }
        if depth >= MAX_NESTING {
            return Err(Error(format!(
                "{shown}: indexes nested deeper than {MAX_NESTING} levels at {}",
                manifest.digest
            )));
        }
        let mut index: serde_json::Value = serde_json::from_slice(&manifest.data)
            .map_err(|e| Error(format!("{shown}: invalid index {}: {e}", manifest.digest)))?;
        let entries = index["manifests"].as_array().cloned().unwrap_or_default();
        let mut kept = Vec::new();
        let mut changed = false;
        for entry in &entries {
            let declared = entry.get("platform").is_some();
            if !copy.platforms.is_empty() && declared && !platform_matches(entry, copy.platforms) {
                changed = true;
                continue;
            }
            let digest = entry["digest"].as_str().unwrap_or_default();
            let child = client.image_manifest(copy.repository, digest, shown)?;
            let filter_inside = !copy.platforms.is_empty() && !declared;
            if !is_index(&child.media_type) {
                if filter_inside {
                    // A manifest that names no platform (an attestation, say) is not asked for.
                    changed = true;
                    continue;
                }
                self.copy_manifest_blobs(client, copy.repository, &child, shown, copy.progress)?;
                self.put_bytes(&child.data)?;
                kept.push(entry.clone());
                continue;
            }
            let whole = ImageCopy {
                platforms: if filter_inside { copy.platforms } else { &[] },
                ..*copy
            };
            match self.copy_tree(client, &whole, child, depth + 1)? {
                Some(stored) if stored.digest == digest => kept.push(entry.clone()),
                Some(stored) => {
                    let mut entry = entry.clone();
                    entry["digest"] = serde_json::Value::String(stored.digest.clone());
                    entry["size"] = serde_json::Value::from(stored.data.len());
                    kept.push(entry);
                    changed = true;
                }
                None => changed = true,
            }
        }
        if kept.is_empty() {
            return Ok(None);
        }
        let stored = if changed {
            index["manifests"] = serde_json::Value::Array(kept);
            let data = serde_json::to_vec(&index).unwrap_or_default();
            Manifest {
                digest: digest_of(&data),
                data,
                media_type: manifest.media_type,
            }
        } else {
            manifest
        };
        self.put_bytes(&stored.data)?;
        Ok(Some(stored))
    }

    /// The platforms an index names (through nested indexes), for the error of a filter that
    /// matched nothing.
    fn platforms_seen(&self, client: &mut Client, copy: &ImageCopy, digest: &str) -> Vec<String> {
        let mut seen = Vec::new();
        let mut queue = vec![(digest.to_string(), 0usize)];
        while let Some((digest, depth)) = queue.pop() {
            let Ok(m) = client.image_manifest(copy.repository, &digest, copy.shown) else {
                continue;
            };
            let Ok(index) = serde_json::from_slice::<serde_json::Value>(&m.data) else {
                continue;
            };
            for entry in index["manifests"].as_array().cloned().unwrap_or_default() {
                if entry.get("platform").is_some() {
                    seen.push(platform_of(&entry));
                } else if depth < MAX_NESTING {
                    if let Some(d) = entry["digest"].as_str() {
                        queue.push((d.to_string(), depth + 1));
                    }
                }
            }
        }
        seen
    }

    fn copy_manifest_blobs(
        &self,
        client: &mut Client,
        repository: &str,
        manifest: &Manifest,
        shown: &str,
        progress: &Progress,
    ) -> Result<(), Error> {
        for blob in manifest_blobs(&manifest.data, shown)? {
            self.copy_blob(client, repository, &blob, progress)?;
        }
        Ok(())
    }

    /// Writes `index.json` naming every image (`org.opencontainers.image.ref.name` is the
    /// normalized reference).
    pub fn write_index(&self, images: &[super::manifest::ImageEntry]) -> Result<(), Error> {
        let manifests: Vec<serde_json::Value> = images
            .iter()
            .map(|i| {
                serde_json::json!({
                    "mediaType": i.media_type,
                    "digest": i.digest,
                    "size": i.size,
                    "annotations": { REF_NAME: i.image },
                })
            })
            .collect();
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": crate::registry::image::OCI_INDEX,
            "manifests": manifests,
        });
        let path = self.root.join("index.json");
        let _gate = super::interrupt::gate();
        let mut text = serde_json::to_string_pretty(&index).unwrap_or_default();
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| io_error("write", &path, &e))
    }

    /// Every blob the image `digest` (a manifest or an index) references, children of an index
    /// first (through nested indexes) and the top manifest last; each present and matching its
    /// descriptor's size.
    pub fn image_blobs(&self, digest: &str, shown: &str) -> Result<Vec<BlobRef>, Error> {
        let mut out = Vec::new();
        self.tree_blobs(digest, shown, 0, &mut out)?;
        Ok(out)
    }

    fn tree_blobs(
        &self,
        digest: &str,
        shown: &str,
        depth: usize,
        out: &mut Vec<BlobRef>,
    ) -> Result<(), Error> {
        let data = self
            .read(digest)
            .map_err(|e| Error(format!("image {shown}: {e}")))?;
        let media_type = crate::registry::image::declared_media_type(&data).unwrap_or_default();
        if !is_index(&media_type) {
            for blob in manifest_blobs(&data, shown)? {
                self.check_present(&blob, shown)?;
                out.push(blob);
            }
            return Ok(());
        }
        if depth >= MAX_NESTING {
            return Err(Error(format!(
                "image {shown}: indexes nested deeper than {MAX_NESTING} levels at {}",
                Layout::shown(digest)
            )));
        }
        let index: serde_json::Value = serde_json::from_slice(&data).map_err(|e| {
            Error(format!(
                "image {shown}: {}: invalid index: {e}",
                Layout::shown(digest)
            ))
        })?;
        for entry in index["manifests"].as_array().cloned().unwrap_or_default() {
            let child = entry["digest"].as_str().unwrap_or_default().to_string();
            self.tree_blobs(&child, shown, depth + 1, out)?;
            let child_data = self
                .read(&child)
                .map_err(|e| Error(format!("image {shown}: {e}")))?;
            if let Some(size) = entry["size"]
                .as_u64()
                .filter(|s| *s != child_data.len() as u64)
            {
                return Err(Error(format!(
                    "image {shown}: {} (manifest) has {} bytes, the index says {size}",
                    Layout::shown(&child),
                    child_data.len()
                )));
            }
            out.push(BlobRef {
                digest: child,
                size: entry["size"].as_u64(),
                role: "manifest",
                media_type: entry["mediaType"].as_str().unwrap_or_default().to_string(),
            });
        }
        Ok(())
    }

    fn check_present(&self, blob: &BlobRef, shown: &str) -> Result<(), Error> {
        let path = self.blob_path(&blob.digest)?;
        match std::fs::metadata(&path) {
            Err(_) => Err(Error(format!(
                "image {shown}: {} ({}) is missing from the bundle",
                Layout::shown(&blob.digest),
                blob.role
            ))),
            Ok(m) if blob.size.is_some_and(|s| s != m.len()) => Err(Error(format!(
                "image {shown}: {} ({}) has {} bytes, the manifest says {}",
                Layout::shown(&blob.digest),
                blob.role,
                m.len(),
                blob.size.unwrap_or(0)
            ))),
            Ok(_) => Ok(()),
        }
    }
}

/// The config and layers an image manifest references.
pub fn manifest_blobs(data: &[u8], shown: &str) -> Result<Vec<BlobRef>, Error> {
    let manifest: serde_json::Value = serde_json::from_slice(data)
        .map_err(|e| Error(format!("{shown}: invalid image manifest: {e}")))?;
    let describe = |d: &serde_json::Value, role: &'static str| -> Result<BlobRef, Error> {
        let digest = d["digest"]
            .as_str()
            .ok_or_else(|| Error(format!("{shown}: a {role} descriptor has no digest")))?;
        hex_of(digest).map_err(|e| Error(format!("{shown}: {e}")))?;
        Ok(BlobRef {
            digest: digest.to_string(),
            size: d["size"].as_u64(),
            role,
            media_type: d["mediaType"].as_str().unwrap_or_default().to_string(),
        })
    };
    let mut out = vec![describe(&manifest["config"], "config")?];
    for layer in manifest["layers"].as_array().cloned().unwrap_or_default() {
        out.push(describe(&layer, "layer")?);
    }
    Ok(out)
}

fn platform_of(entry: &serde_json::Value) -> String {
    let p = &entry["platform"];
    let mut s = format!(
        "{}/{}",
        p["os"].as_str().unwrap_or("?"),
        p["architecture"].as_str().unwrap_or("?")
    );
    if let Some(v) = p["variant"].as_str() {
        s.push('/');
        s.push_str(v);
    }
    s
}

/// Whether an index entry is for one of `platforms` (`os/arch` or `os/arch/variant`).
fn platform_matches(entry: &serde_json::Value, platforms: &[String]) -> bool {
    let have = platform_of(entry);
    platforms.iter().any(|want| {
        have == *want || (want.matches('/').count() == 1 && have.starts_with(&format!("{want}/")))
    })
}

#[cfg(test)]
mod tests {
    use super::platform_matches;

    #[test]
    fn platforms_match_with_or_without_variant() {
        let e = serde_json::json!({"platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}});
        assert!(platform_matches(&e, &["linux/arm64".into()]));
        assert!(platform_matches(&e, &["linux/arm64/v8".into()]));
        assert!(!platform_matches(&e, &["linux/amd64".into()]));
    }
}
