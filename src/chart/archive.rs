//! Reading a chart archive (`.tgz`) into a flat list of files, with Helm's safety rules
//! (`pkg/chart/loader/archive.go` in Helm v3.17.3).
//!
//! - The first path component of every entry is dropped (it is the chart's directory name), `\` is
//!   taken as the separator when present, the rest is cleaned like Go's `path.Clean`.
//! - Absolute paths, paths that clean to `.` or start with `..`, drive letters and a `Chart.yaml` at the
//!   archive's top level are rejected with Helm's messages.
//! - At most 100 MiB decompressed in total and 5 MiB per file. Unlike Helm, which reads a whole entry
//!   before checking, reading stops as soon as a limit is crossed, so a gzip bomb costs no memory.
//! - Concatenated gzip members are read (`MultiGzDecoder`, like Go's `gzip.Reader`).
//! - PAX/GNU extension headers and directories are skipped; links load as empty files, as in Helm v3.
//! - A leading UTF-8 BOM is stripped from every file.
//! - A damaged archive gets the text of the Go reader that would have failed: `unexpected EOF` for a
//!   truncated one (gzip or tar), `archive/tar: invalid tar header` for a block that is no header,
//!   `gzip: invalid header`, `gzip: invalid checksum`. Go's inflater names the offset of corrupt
//!   deflate data (`flate: corrupt input before offset N`); flate2's does not, and may notice the
//!   damage at another place or not at all (the tar header check then does), so that one error says
//!   `flate: corrupt input` (docs/compatibility.md).
use std::cell::Cell;
use std::io::Read;

use flate2::read::MultiGzDecoder;

use std::sync::Arc;

use super::error::Error;
use super::loader::{read_sized, without_bom, BufferedFile};
use super::model::File;

/// Helm's `MaxDecompressedChartSize`: 100 MiB.
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's `MaxDecompressedFileSize`: 5 MiB.
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// Whether `bytes` start as a gzip stream of deflate data (magic number and method), the test of
/// Helm's `ensureArchive`.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x1F\x8B\x08")
}

/// The text Go's `gzip.ErrHeader` prints; [`super::loader::load`] words it for a chart file.
pub const GZIP_INVALID_HEADER: &str = "gzip: invalid header";

/// How the gzip stream under the tar reader has gone so far.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum GzipState {
    Reading,
    /// All of it was read: a tar reader that wants more found the archive truncated.
    Ended,
    /// It failed, with Go's text for the failure.
    Failed(&'static str),
}

/// The gzip layer under the tar reader, recording in `state` how it ended.
struct GzipLayer<'a> {
    decoder: MultiGzDecoder<&'a [u8]>,
    state: &'a Cell<GzipState>,
}

impl Read for GzipLayer<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let result = self.decoder.read(buf);
        match &result {
            Ok(0) if !buf.is_empty() => self.state.set(GzipState::Ended),
            Ok(_) => {}
            Err(e) => self.state.set(GzipState::Failed(go_gzip_error(e))),
        }
        result
    }
}

/// Go's text for what flate2 reports (see the module doc for corrupt deflate data).
fn go_gzip_error(e: &std::io::Error) -> &'static str {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        return "unexpected EOF";
    }
    let text = e.to_string();
    if text.contains("checksum") {
        "gzip: invalid checksum"
    } else if text.contains("gzip header") {
        GZIP_INVALID_HEADER
    } else {
        "flate: corrupt input"
    }
}

/// Go's text for a failure of the tar reader, given how the gzip stream under it went: a gzip
/// failure is the cause; a stream that ended is a truncated tar; otherwise the block read is no
/// tar header.
fn go_archive_error(state: GzipState) -> Error {
    Error::Archive(
        match state {
            GzipState::Failed(text) => text,
            GzipState::Ended => "unexpected EOF",
            GzipState::Reading => "archive/tar: invalid tar header",
        }
        .to_string(),
    )
}

/// Reads the files of a gzipped chart archive, applying Helm's path rules and size limits.
pub fn read_archive_files(bytes: &[u8]) -> Result<Vec<BufferedFile>, Error> {
    Ok(read_archive_shared(bytes)?
        .into_iter()
        .map(|f| BufferedFile {
            name: f.name,
            data: f.data.to_vec(),
        })
        .collect())
}

/// [`read_archive_files`], each file's bytes read into the shared buffer the chart keeps.
pub(crate) fn read_archive_shared(bytes: &[u8]) -> Result<Vec<File>, Error> {
    if bytes.is_empty() {
        // Go's gzip reader finds no header at all.
        return Err(Error::Archive("EOF".to_string()));
    }
    let state = Cell::new(GzipState::Reading);
    let mut archive = tar::Archive::new(GzipLayer {
        decoder: MultiGzDecoder::new(bytes),
        state: &state,
    });
    let entries = archive
        .entries()
        .map_err(|_| go_archive_error(state.get()))?;
    let mut files = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    for entry in entries {
        let mut entry = entry.map_err(|_| go_archive_error(state.get()))?;
        let kind = entry.header().entry_type();
        if kind.is_dir()
            || kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
        {
            continue;
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = entry_name(&raw_name)?;
        let declared = entry.header().size().unwrap_or(0);
        if declared > remaining {
            return Err(too_large_chart());
        }
        if declared > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(Error::Archive(format!(
                "decompressed chart file {} is larger than the maximum file size {}",
                super::error::go_quote(&raw_name),
                MAX_DECOMPRESSED_FILE_SIZE
            )));
        }
        let data: Arc<[u8]> = if kind.is_file()
            || kind == tar::EntryType::Continuous
            || kind == tar::EntryType::GNUSparse
        {
            // One byte more than allowed tells a lying header from an honest one. Sized by the
            // header (at most the file limit, checked above): read in place, no regrowth, no copy.
            let limit = remaining.min(MAX_DECOMPRESSED_FILE_SIZE) + 1;
            let data = read_sized(&mut (&mut entry).take(limit), &[], declared as usize)
                .map_err(|_| go_archive_error(state.get()))?;
            if data.len() as u64 > MAX_DECOMPRESSED_FILE_SIZE.min(remaining) {
                return Err(too_large_chart());
            }
            if (data.len() as u64) < declared && state.get() != GzipState::Reading {
                // The stream ended (or failed) inside the entry's data: Go's tar reader says so.
                return Err(go_archive_error(state.get()));
            }
            data
        } else {
            Arc::from(&[][..])
        };
        let written = data.len() as u64;
        remaining -= written;
        if written < declared || remaining == 0 {
            return Err(too_large_chart());
        }
        files.push(File {
            name,
            data: without_bom(data),
        });
    }
    if files.is_empty() {
        return Err(Error::Archive("no files in chart archive".to_string()));
    }
    Ok(files)
}

fn too_large_chart() -> Error {
    Error::Archive(format!(
        "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
    ))
}

/// The chart-relative name of an archive entry, or Helm's error for an unsafe one.
fn entry_name(raw: &str) -> Result<String, Error> {
    let delimiter = if raw.contains('\\') { '\\' } else { '/' };
    let parts: Vec<&str> = raw.split(delimiter).collect();
    let rest = parts[1..].join("/");
    if rest.starts_with('/') {
        return Err(Error::Archive(
            "chart illegally contains absolute paths".to_string(),
        ));
    }
    let cleaned = clean_path(&rest);
    if cleaned == "." {
        return Err(Error::Archive(format!(
            "chart illegally contains content outside the base directory: {}",
            super::error::go_quote(raw)
        )));
    }
    if cleaned.starts_with("..") {
        return Err(Error::Archive(
            "chart illegally references parent directory".to_string(),
        ));
    }
    if is_drive_path(&cleaned) {
        return Err(Error::Archive(
            "chart contains illegally named files".to_string(),
        ));
    }
    if parts[0] == "Chart.yaml" {
        return Err(Error::Archive(
            "chart yaml not in base directory".to_string(),
        ));
    }
    Ok(cleaned)
}

/// `^[a-zA-Z]:/`
fn is_drive_path(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/'
}

/// Go's `path.Clean` for a relative or absolute slash path.
pub fn clean_path(p: &str) -> String {
    crate::template::funcs::sprig::paths::clean(p)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    /// Builds a gzipped tar with raw entry names (no path checks by the `tar` crate).
    pub(crate) fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut header = tar::Header::new_gnu();
            {
                let raw = header.as_old_mut();
                raw.name[..name.len()].copy_from_slice(name.as_bytes());
            }
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_cksum();
            builder.append(&header, *data).expect("append");
        }
        let tar = builder.into_inner().expect("tar");
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(&tar).expect("gzip");
        gz.finish().expect("gzip")
    }

    #[test]
    fn strips_top_directory_and_bom() {
        let files = read_archive_files(&tgz(&[
            ("c/Chart.yaml", b"\xEF\xBB\xBFname: c"),
            ("c/templates/x.yaml", b"a: 1"),
        ]))
        .unwrap();
        assert_eq!(files[0].name, "Chart.yaml");
        assert_eq!(files[0].data, b"name: c");
        assert_eq!(files[1].name, "templates/x.yaml");
    }

    #[test]
    fn rejects_parent_references() {
        let e = read_archive_files(&tgz(&[("c/../../etc/passwd", b"x")])).unwrap_err();
        assert_eq!(e.to_string(), "chart illegally references parent directory");
    }

    #[test]
    fn rejects_absolute_and_drive_paths() {
        let e = read_archive_files(&tgz(&[("c//etc/passwd", b"x")])).unwrap_err();
        assert_eq!(e.to_string(), "chart illegally contains absolute paths");
        let e = read_archive_files(&tgz(&[("c/c:/x", b"x")])).unwrap_err();
        assert_eq!(e.to_string(), "chart contains illegally named files");
        let e = read_archive_files(&tgz(&[("Chart.yaml", b"x")])).unwrap_err();
        assert!(e.to_string().contains("outside the base directory"), "{e}");
    }

    #[test]
    fn rejects_top_level_chart_yaml() {
        let e = read_archive_files(&tgz(&[("Chart.yaml/x", b"x")])).unwrap_err();
        assert_eq!(e.to_string(), "chart yaml not in base directory");
    }

    #[test]
    fn gzip_bomb_stops_at_the_file_limit() {
        let big = vec![0u8; (MAX_DECOMPRESSED_FILE_SIZE + 1) as usize];
        let e = read_archive_files(&tgz(&[("c/big", &big)])).unwrap_err();
        assert!(
            e.to_string().contains("larger than the maximum file size"),
            "{e}"
        );
    }

    #[test]
    fn total_size_limit() {
        let chunk = vec![0u8; (MAX_DECOMPRESSED_FILE_SIZE - 1) as usize];
        let names: Vec<String> = (0..21).map(|i| format!("c/f{i}")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &chunk[..])).collect();
        let e = read_archive_files(&tgz(&entries)).unwrap_err();
        assert!(e
            .to_string()
            .contains("decompressed chart is larger than the maximum size"));
    }

    #[test]
    fn not_gzip() {
        let e = read_archive_files(b"hello, not a gzip stream").unwrap_err();
        assert_eq!(e.to_string(), GZIP_INVALID_HEADER);
        // Go reads the 10-byte header whole first.
        let e = read_archive_files(b"hello").unwrap_err();
        assert_eq!(e.to_string(), "unexpected EOF");
        let e = read_archive_files(b"").unwrap_err();
        assert_eq!(e.to_string(), "EOF");
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(data).expect("gzip");
        gz.finish().expect("gzip")
    }

    fn untar(archive: &[u8]) -> Vec<u8> {
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(archive)
            .read_to_end(&mut tar)
            .expect("gunzip");
        tar
    }

    #[test]
    fn truncated_archives_are_unexpected_eof_as_in_go() {
        let archive = tgz(&[("c/Chart.yaml", b"name: c\n"), ("c/big", &[7u8; 3000])]);
        // Cut inside the gzip stream.
        for cut in [12, 40, archive.len() / 2] {
            let e = read_archive_files(&archive[..cut]).unwrap_err();
            assert_eq!(e.to_string(), "unexpected EOF", "cut at {cut}");
        }
        // A complete gzip stream of a tar cut inside an entry's data, and inside a header.
        let tar = untar(&archive);
        for cut in [1024 + 100, 512 + 100] {
            let e = read_archive_files(&gzip(&tar[..cut])).unwrap_err();
            assert_eq!(e.to_string(), "unexpected EOF", "cut at {cut}");
        }
    }

    #[test]
    fn damaged_archives_name_the_failing_layer() {
        let e = read_archive_files(&gzip(&[0xA5; 2048])).unwrap_err();
        assert_eq!(e.to_string(), "archive/tar: invalid tar header");
        let mut tar = untar(&tgz(&[("c/Chart.yaml", b"name: c\n")]));
        tar[148] = b'9'; // the header checksum
        let e = read_archive_files(&gzip(&tar)).unwrap_err();
        assert_eq!(e.to_string(), "archive/tar: invalid tar header");
        // A deflate block of the reserved type 3.
        let mut corrupt = gzip(b"");
        corrupt.truncate(10);
        corrupt.extend_from_slice(&[0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let e = read_archive_files(&corrupt).unwrap_err();
        assert_eq!(e.to_string(), "flate: corrupt input");
    }

    #[test]
    fn go_path_clean() {
        assert_eq!(clean_path("a/./b/../c"), "a/c");
        assert_eq!(clean_path("../a"), "../a");
        assert_eq!(clean_path(""), ".");
        assert_eq!(clean_path("a/.."), ".");
    }
}
