//! The bundle file: a gzipped tar whose first entries are `bundle.json` and `bundle.sha256` (so a
//! bundle is recognised by reading a few hundred bytes), then every other file in path order. Entries
//! carry no owner, time or mode beyond 0644/0755, so the same content gives the same bytes.
//!
//! Extraction accepts regular files and directories only, with relative paths that stay inside the
//! destination; anything else (links, devices, `..`, absolute paths) and a truncated or corrupt
//! stream are errors naming the bundle and the entry.
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::{Compression, GzBuilder};

use super::manifest::{MANIFEST_DIGEST_FILE, MANIFEST_FILE};
use super::{io_error, Error};

/// Every regular file under `root`, as `/`-separated relative paths, sorted.
pub fn list_files(root: &Path) -> Result<Vec<String>, Error> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), Error> {
        let entries = std::fs::read_dir(dir).map_err(|e| io_error("open", dir, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error("readdir", dir, &e))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| io_error("lstat", &path, &e))?;
            if kind.is_dir() {
                walk(root, &path, out)?;
            } else {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    out.sort();
    Ok(out)
}

/// Writes the files under `staging` as the bundle `output` (through a temporary file renamed into
/// place, so a failure never leaves a partial bundle).
pub fn write(staging: &Path, output: &Path) -> Result<(), Error> {
    let mut files = list_files(staging)?;
    files.retain(|f| f != MANIFEST_FILE && f != MANIFEST_DIGEST_FILE);
    files.insert(0, MANIFEST_DIGEST_FILE.to_string());
    files.insert(0, MANIFEST_FILE.to_string());
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    let temp = output.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    // Removed by the signal watcher too (Ctrl-C) until renamed into place.
    let _registered = super::interrupt::register(&temp);
    let result = (|| {
        let file = {
            let _gate = super::interrupt::gate();
            File::create(&temp).map_err(|e| io_error("open", &temp, &e))?
        };
        let gz: GzEncoder<BufWriter<File>> = GzBuilder::new()
            .mtime(0)
            .write(BufWriter::new(file), Compression::fast());
        let mut tar = tar::Builder::new(gz);
        for rel in &files {
            let path = staging.join(rel);
            let mut source = File::open(&path).map_err(|e| io_error("open", &path, &e))?;
            let size = source
                .metadata()
                .map_err(|e| io_error("stat", &path, &e))?
                .len();
            let mut header = tar::Header::new_gnu();
            header.set_size(size);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut header, rel, &mut source)
                .map_err(|e| Error(format!("writing {}: {rel}: {e}", output.display())))?;
        }
        let gz = tar
            .into_inner()
            .map_err(|e| Error(format!("writing {}: {e}", output.display())))?;
        let mut writer = gz
            .finish()
            .map_err(|e| Error(format!("writing {}: {e}", output.display())))?;
        writer
            .flush()
            .map_err(|e| Error(format!("writing {}: {e}", output.display())))?;
        let _gate = super::interrupt::gate();
        std::fs::rename(&temp, output).map_err(|e| io_error("rename", output, &e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn open(bundle: &Path) -> Result<tar::Archive<GzDecoder<BufReader<File>>>, Error> {
    let file = File::open(bundle).map_err(|e| io_error("open", bundle, &e))?;
    Ok(tar::Archive::new(GzDecoder::new(BufReader::new(file))))
}

/// Whether `path` is a bundle file (its first entry is `bundle.json`).
pub fn is_bundle(path: &Path) -> bool {
    if !path.is_file() {
        return false;
    }
    let Ok(mut archive) = open(path) else {
        return false;
    };
    let Ok(mut entries) = archive.entries() else {
        return false;
    };
    matches!(
        entries.next(),
        Some(Ok(entry)) if entry.path().is_ok_and(|p| p == Path::new(MANIFEST_FILE))
    )
}

/// A relative path that stays inside the destination, or `None`.
fn safe_path(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// Extracts the bundle `bundle` into the (existing, empty) directory `dest`.
pub fn extract(bundle: &Path, dest: &Path) -> Result<(), Error> {
    let shown = bundle.display();
    let mut archive = open(bundle)?;
    let corrupt = |entry: &str, e: &dyn std::fmt::Display| {
        Error(format!(
            "bundle {shown}: truncated or corrupt archive (at {entry}): {e}"
        ))
    };
    let entries = archive.entries().map_err(|e| corrupt("its start", &e))?;
    let mut last = String::from("its start");
    let mut count = 0usize;
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(&last, &e))?;
        let raw = entry
            .path()
            .map_err(|e| corrupt(&last, &e))?
            .to_string_lossy()
            .into_owned();
        last = raw.clone();
        let Some(rel) = safe_path(Path::new(&raw)) else {
            return Err(Error(format!(
                "bundle {shown}: entry {raw:?} leaves the bundle (absolute or with ..)"
            )));
        };
        let target = dest.join(&rel);
        match entry.header().entry_type() {
            tar::EntryType::Directory => {
                let _gate = super::interrupt::gate();
                std::fs::create_dir_all(&target).map_err(|e| io_error("mkdir", &target, &e))?;
                continue;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {}
            other => {
                return Err(Error(format!(
                    "bundle {shown}: entry {raw:?} is a {other:?}, not a regular file (links are not allowed)"
                )))
            }
        }
        let mut out = {
            let _gate = super::interrupt::gate();
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_error("mkdir", parent, &e))?;
            }
            BufWriter::new(File::create(&target).map_err(|e| io_error("open", &target, &e))?)
        };
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = entry.read(&mut buffer).map_err(|e| corrupt(&raw, &e))?;
            if n == 0 {
                break;
            }
            out.write_all(&buffer[..n])
                .map_err(|e| io_error("write", &target, &e))?;
        }
        out.flush().map_err(|e| io_error("write", &target, &e))?;
        count += 1;
    }
    // A gzip stream cut short can still end on a tar block boundary: the trailer must be intact.
    let mut rest = archive.into_inner();
    let mut sink = Vec::new();
    rest.read_to_end(&mut sink)
        .map_err(|e| corrupt(&last, &e))?;
    if count == 0 {
        return Err(Error(format!("bundle {shown}: the archive is empty")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{extract, safe_path};
    use std::path::Path;

    /// A gzipped tar with one entry named `name` (written into the header as is) of `kind`.
    fn archive_with(name: &[u8], kind: tar::EntryType) -> Vec<u8> {
        let mut header = tar::Header::new_gnu();
        header.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name);
        header.set_entry_type(kind);
        header.set_size(0);
        header.set_mode(0o644);
        if kind == tar::EntryType::Symlink {
            header.set_link_name("/etc/passwd").unwrap();
        }
        header.set_cksum();
        let mut tar = tar::Builder::new(Vec::new());
        tar.append(&header, std::io::empty()).unwrap();
        let data = tar.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &data).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn refuses_traversal_and_links() {
        let dir =
            std::env::temp_dir().join(format!("rudder-bundle-archive-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("b.tgz");
        for (name, kind, expected) in [
            (
                &b"../evil"[..],
                tar::EntryType::Regular,
                "leaves the bundle",
            ),
            (&b"/abs"[..], tar::EntryType::Regular, "leaves the bundle"),
            (&b"link"[..], tar::EntryType::Symlink, "not a regular file"),
        ] {
            std::fs::write(&file, archive_with(name, kind)).unwrap();
            let out = dir.join("out");
            let _ = std::fs::remove_dir_all(&out);
            std::fs::create_dir_all(&out).unwrap();
            let e = extract(&file, &out).unwrap_err();
            assert!(e.0.contains(expected), "{e}");
            assert!(!dir.join("evil").exists());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn paths_stay_inside() {
        assert!(safe_path(Path::new("../x")).is_none());
        assert!(safe_path(Path::new("/etc/passwd")).is_none());
        assert!(safe_path(Path::new("a/../../x")).is_none());
        assert_eq!(safe_path(Path::new("./a/b")).unwrap(), Path::new("a/b"));
    }
}
