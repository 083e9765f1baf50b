//! A bundle's chart for the commands that only read a chart (`rudder template`, `show`, `lint`
//! given a bundle file): `bundle.json` is checked against `bundle.sha256`, then only the chart's
//! archive (`chart/<name>-<version>.tgz`, its locked dependencies in its `charts/`) is taken out of
//! the stream, checked against the digest `bundle.json` records for it, and written to a temporary
//! directory; the images are not extracted. No network is involved. A full check of every file is
//! `bundle verify` (and what `install` and `bundle push` run first).
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::manifest::{Manifest, MANIFEST_DIGEST_FILE, MANIFEST_FILE};
use super::{io_error, Error};

/// The chart archive of a bundle, written to a temporary directory removed when dropped.
pub struct BundleChart {
    dir: PathBuf,
    /// The chart archive.
    pub chart: PathBuf,
    pub manifest: Manifest,
}

impl Drop for BundleChart {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Takes the chart out of `bundle` (which [`super::archive::is_bundle`] recognised).
pub fn open_chart(bundle: &Path) -> Result<BundleChart, Error> {
    let shown = bundle.display().to_string();
    let corrupt = |entry: &str, e: &dyn std::fmt::Display| {
        Error(format!(
            "bundle {shown}: truncated or corrupt archive (at {entry}): {e}"
        ))
    };
    let file = std::fs::File::open(bundle).map_err(|e| io_error("open", bundle, &e))?;
    let mut archive =
        tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
    let mut entries = archive.entries().map_err(|e| corrupt("its start", &e))?;
    let mut next_named = |wanted: &str| -> Result<Vec<u8>, Error> {
        let mut entry = entries
            .next()
            .ok_or_else(|| Error(format!("bundle {shown}: {wanted} is missing")))?
            .map_err(|e| corrupt(wanted, &e))?;
        let path = entry.path().map_err(|e| corrupt(wanted, &e))?;
        if path != Path::new(wanted) {
            return Err(Error(format!(
                "bundle {shown}: expected {wanted}, found {}",
                path.display()
            )));
        }
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| corrupt(wanted, &e))?;
        Ok(data)
    };
    let text = next_named(MANIFEST_FILE)?;
    let recorded = String::from_utf8_lossy(&next_named(MANIFEST_DIGEST_FILE)?)
        .trim()
        .to_string();
    let actual = crate::registry::image::digest_of(&text);
    if recorded != actual {
        return Err(Error(format!(
            "bundle {shown}: {MANIFEST_FILE}: digest mismatch: {MANIFEST_DIGEST_FILE} records {recorded}, the file's is {actual}"
        )));
    }
    let manifest = Manifest::parse(&text).map_err(|e| Error(format!("bundle {shown}: {e}")))?;
    let wanted = manifest.chart.file.clone();
    let Some(expected) = manifest.files.get(&wanted).cloned() else {
        return Err(Error(format!(
            "bundle {shown}: {MANIFEST_FILE} records no digest for its chart {wanted}"
        )));
    };
    let dir = std::env::temp_dir().join(format!(
        "rudder-bundle-chart-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| io_error("mkdir", &dir, &e))?;
    let base = Path::new(&wanted)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "chart.tgz".into());
    let opened = BundleChart {
        chart: dir.join(base),
        dir,
        manifest,
    };
    let mut last = MANIFEST_DIGEST_FILE.to_string();
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(&last, &e))?;
        let path = entry
            .path()
            .map_err(|e| corrupt(&last, &e))?
            .to_string_lossy()
            .into_owned();
        last = path.clone();
        if path != wanted {
            continue;
        }
        let mut out = std::fs::File::create(&opened.chart)
            .map_err(|e| io_error("open", &opened.chart, &e))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = entry.read(&mut buffer).map_err(|e| corrupt(&path, &e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            out.write_all(&buffer[..n])
                .map_err(|e| io_error("write", &opened.chart, &e))?;
        }
        let actual = format!("sha256:{:x}", hasher.finalize());
        if actual != expected {
            return Err(Error(format!(
                "bundle {shown}: {wanted}: digest mismatch: bundle.json records {expected}, the file's is {actual}"
            )));
        }
        return Ok(opened);
    }
    Err(Error(format!("bundle {shown}: {wanted} is missing")))
}
