//! `rudder bundle verify`, and the check every other bundle command makes first: the bundle is
//! extracted into a temporary directory, `bundle.json` must match `bundle.sha256`, every file it
//! lists must be present with its digest, every blob must hash to its name, every image must be
//! complete (manifests, configs, layers, sizes), and nothing else may be in the bundle. Each failure
//! names the file inside the bundle.
use std::path::{Path, PathBuf};

use super::archive;
use super::create::file_digest;
use super::layout::{Layout, LAYOUT_DIR};
use super::manifest::{Manifest, MANIFEST_DIGEST_FILE, MANIFEST_FILE};
use super::{io_error, Error};

/// An extracted, verified bundle; the directory is removed when dropped.
pub struct Opened {
    pub root: PathBuf,
    pub manifest: Manifest,
    /// Removed by the signal watcher too (Ctrl-C) while opened.
    _registered: super::interrupt::Registration,
}

impl Drop for Opened {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl Opened {
    /// The absolute path of a file inside the bundle.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

/// Extracts and verifies `bundle`.
pub fn open(bundle: &Path) -> Result<Opened, Error> {
    std::fs::metadata(bundle).map_err(|e| io_error("open", bundle, &e))?;
    let root = std::env::temp_dir().join(format!(
        "rudder-bundle-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    let registered = super::interrupt::register(&root);
    {
        let _gate = super::interrupt::gate();
        std::fs::create_dir_all(&root).map_err(|e| io_error("mkdir", &root, &e))?;
    }
    let mut opened = Opened {
        root,
        manifest: Manifest::default(),
        _registered: registered,
    };
    archive::extract(bundle, &opened.root)?;
    opened.manifest =
        verify_dir(&opened.root).map_err(|e| Error(format!("bundle {}: {e}", bundle.display())))?;
    Ok(opened)
}

/// Verifies an extracted bundle; its manifest.
pub fn verify_dir(root: &Path) -> Result<Manifest, Error> {
    let read = |rel: &str| {
        std::fs::read(root.join(rel)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error(format!("{rel} is missing")),
            _ => io_error("open", &root.join(rel), &e),
        })
    };
    let text = read(MANIFEST_FILE)?;
    let recorded = String::from_utf8_lossy(&read(MANIFEST_DIGEST_FILE)?)
        .trim()
        .to_string();
    let actual = crate::registry::image::digest_of(&text);
    if recorded != actual {
        return Err(Error(format!(
            "{MANIFEST_FILE}: digest mismatch: {MANIFEST_DIGEST_FILE} records {recorded}, the file's is {actual}"
        )));
    }
    let manifest = Manifest::parse(&text)?;
    for (rel, digest) in &manifest.files {
        let path = root.join(rel);
        if !path.is_file() {
            return Err(Error(format!("{rel} is missing")));
        }
        let actual = file_digest(&path)?;
        if &actual != digest {
            return Err(Error(format!(
                "{rel}: digest mismatch: bundle.json records {digest}, the file's is {actual}"
            )));
        }
    }
    let blobs = format!("{LAYOUT_DIR}/blobs/sha256/");
    for rel in archive::list_files(root)? {
        if rel == MANIFEST_FILE || rel == MANIFEST_DIGEST_FILE || manifest.files.contains_key(&rel)
        {
            continue;
        }
        let Some(hex) = rel.strip_prefix(&blobs) else {
            return Err(Error(format!("{rel}: not listed in bundle.json")));
        };
        let actual = file_digest(&root.join(&rel))?;
        if actual != format!("sha256:{hex}") {
            return Err(Error(format!(
                "{rel}: digest mismatch: the blob's content hashes to {actual}"
            )));
        }
    }
    let layout = Layout::open(&root.join(LAYOUT_DIR));
    for image in &manifest.images {
        let top = layout
            .read(&image.digest)
            .map_err(|e| Error(format!("image {}: {e}", image.image)))?;
        if top.len() as u64 != image.size {
            return Err(Error(format!(
                "image {}: {} has {} bytes, bundle.json says {}",
                image.image,
                Layout::shown(&image.digest),
                top.len(),
                image.size
            )));
        }
        layout.image_blobs(&image.digest, &image.image)?;
    }
    for entry in std::iter::once(&manifest.chart).chain(&manifest.dependencies) {
        if !manifest.files.contains_key(&entry.file) {
            return Err(Error(format!("{} is missing", entry.file)));
        }
    }
    Ok(manifest)
}
