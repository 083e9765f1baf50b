//! Loading a chart from a directory or an archive into a [`Chart`], as Helm v3's `pkg/chart/loader`
//! (`Load`, `LoadDir`, `LoadFile`, `LoadArchive`, `LoadFiles`).
//!
//! A chart directory is walked in lexical order (symlinks followed), filtered by `.helmignore` plus the
//! default `templates/.?*` rule; every file is at most 5 MiB and loses a leading UTF-8 BOM. An archive
//! is read by [`super::archive`]. Both end in [`load_files`], which sorts the flat file list into
//! Chart.yaml, values, schema, templates, other files and subcharts (`charts/<dir>` and
//! `charts/*.tgz`, entries starting with `_` or `.` ignored), then validates Chart.yaml.
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::archive::{self, MAX_DECOMPRESSED_FILE_SIZE};
use super::error::{go_quote, Error};
use super::helmignore::Rules;
use super::metadata;
use super::model::{Chart, File, Lock, Metadata};
use super::sniff;
use crate::values::yaml_input;

/// One file of a chart before it is sorted into the model. Mirrors `loader.BufferedFile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufferedFile {
    /// Slash-separated path relative to the chart root.
    pub name: String,
    pub data: Vec<u8>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Loads a chart from a directory or a chart archive (`.tgz`, sniffed by content).
pub fn load(path: &Path) -> Result<Chart, Error> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|_| Error::NotFound {
        path: shown.clone(),
    })?;
    if meta.is_dir() {
        return load_dir(path);
    }
    let bytes = fs::read(path).map_err(|e| Error::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    if !archive::is_gzip(&bytes) {
        if shown.ends_with(".yml") || shown.ends_with(".yaml") {
            return Err(Error::Archive(format!(
                "file '{shown}' seems to be a YAML file, but expected a gzipped archive"
            )));
        }
        return Err(Error::Archive(format!(
            "file '{shown}' does not appear to be a gzipped archive; got '{}'",
            sniff::detect_content_type(&sniff::archive_head(&bytes))
        )));
    }
    // Only a chart file given by path words a bad gzip header (Helm's `LoadFile`; subcharts,
    // `lint` and `Expand` print Go's text as is).
    load_archive(&bytes).map_err(|e| match e {
        Error::Archive(msg) if msg == archive::GZIP_INVALID_HEADER => Error::Archive(format!(
            "file '{shown}' does not appear to be a valid chart file (details: {msg})"
        )),
        other => other,
    })
}

/// Loads a chart from the bytes of a gzipped tar archive (Helm's `LoadArchive`).
pub fn load_archive(bytes: &[u8]) -> Result<Chart, Error> {
    load_files(archive::read_archive_files(bytes)?)
}

/// Loads a chart directory.
pub fn load_dir(dir: &Path) -> Result<Chart, Error> {
    load_files(read_found(walk_dir(dir)?)?)
}

/// The entries of a chart directory, in walk order, after `.helmignore` (the first pass of
/// [`load_dir`]; [`read_found`] is the second).
pub(crate) fn walk_dir(dir: &Path) -> Result<Vec<Found>, Error> {
    let mut rules = match fs::read(dir.join(".helmignore")) {
        Ok(bytes) => Rules::parse(&String::from_utf8_lossy(&bytes))?,
        Err(_) => Rules::default(),
    };
    rules.add_defaults();
    let mut found = Vec::new();
    walk(dir, "", &rules, &mut found);
    Ok(found)
}

/// An entry the walk found, in walk order. Contents are read in a second pass so that they can be
/// read on two threads; problems are kept in place so that the first one in walk order is reported,
/// as by a single sequential walk.
pub(crate) enum Found {
    File { rel_name: String, full: PathBuf },
    Problem(Error),
}

/// A failed `open` or `stat` during the walk, as Go's `*PathError` prints it.
fn io_error(p: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: format!("open {}", p.display()),
        message: crate::go_os::reason(&e),
    }
}

/// A symlink that does not resolve, as Helm's `sympath.Walk` reports it: `error evaluating
/// symlink <link>: lstat <first missing path>: <reason>` (the link made absolute, as Helm's loader
/// works on `filepath.Abs(dir)`; the `lstat` path is where `filepath.EvalSymlinks` stopped).
fn symlink_error(link: &Path, e: std::io::Error) -> Error {
    let link = std::path::absolute(link).unwrap_or_else(|_| link.to_path_buf());
    Error::Io {
        path: format!("error evaluating symlink {}", link.display()),
        message: eval_symlinks_failure(&link)
            .unwrap_or_else(|| crate::go_os::path_error("stat", &link, &e)),
    }
}

/// Why `filepath.EvalSymlinks` fails on an absolute path: `lstat <path>: <reason>` for the first
/// path it could not `lstat`, following links component by component (a relative target from
/// the link's directory), or a bare `not a directory`. `None` when it resolves (or loops: Go
/// then says `too many links`, left to the caller).
fn eval_symlinks_failure(path: &Path) -> Option<String> {
    use std::collections::VecDeque;
    use std::path::Component;
    let mut pending: VecDeque<std::ffi::OsString> = VecDeque::new();
    let push_front = |pending: &mut VecDeque<std::ffi::OsString>, p: &Path| {
        let parts: Vec<_> = p
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_os_string()),
                Component::ParentDir => Some("..".into()),
                _ => None,
            })
            .collect();
        for part in parts.into_iter().rev() {
            pending.push_front(part);
        }
    };
    push_front(&mut pending, path);
    let mut dest = PathBuf::from("/");
    let mut links = 0;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            dest.pop();
            continue;
        }
        let next = dest.join(&part);
        match fs::symlink_metadata(&next) {
            Err(e) => return Some(crate::go_os::path_error("lstat", &next, &e)),
            Ok(meta) if meta.file_type().is_symlink() => {
                links += 1;
                if links > 255 {
                    return None;
                }
                let target = fs::read_link(&next).ok()?;
                if target.is_absolute() {
                    dest = PathBuf::from("/");
                }
                push_front(&mut pending, &target);
            }
            Ok(meta) => {
                if !meta.is_dir() && !pending.is_empty() {
                    return Some("not a directory".to_string());
                }
                dest = next;
            }
        }
    }
    None
}

fn walk(dir: &Path, rel: &str, rules: &Rules, out: &mut Vec<Found>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return out.push(Found::Problem(io_error(dir, e))),
    };
    let mut entries: Vec<(String, fs::DirEntry)> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| (entry.file_name().to_string_lossy().into_owned(), entry))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, entry) in entries {
        let full = dir.join(&name);
        let rel_name = if rel.is_empty() {
            name.clone()
        } else {
            [rel, "/", &name].concat()
        };
        // Follows symlinks, as Helm's sympath.Walk does; other entries need no `stat`.
        let file_type = match entry.file_type() {
            Ok(t) if !t.is_symlink() => t,
            Ok(_) => match fs::metadata(&full) {
                Ok(meta) => meta.file_type(),
                Err(e) => return out.push(Found::Problem(symlink_error(&full, e))),
            },
            Err(_) => match fs::metadata(&full) {
                Ok(meta) => meta.file_type(),
                Err(e) => return out.push(Found::Problem(io_error(&full, e))),
            },
        };
        if file_type.is_dir() {
            if rules.ignore(&rel_name, true) {
                continue;
            }
            walk(&full, &rel_name, rules, out);
            continue;
        }
        if rules.ignore(&rel_name, false) {
            continue;
        }
        if !file_type.is_file() {
            return out.push(Found::Problem(Error::Io {
                path: full.display().to_string(),
                message: "cannot load irregular file as it has file mode type bits set".into(),
            }));
        }
        out.push(Found::File { rel_name, full });
    }
}

/// Reads what the walk found, in order, stopping at the first problem.
pub(crate) fn read_found(found: Vec<Found>) -> Result<Vec<BufferedFile>, Error> {
    let read_part = |part: &[Found]| -> Vec<Result<BufferedFile, Error>> {
        let mut files = Vec::with_capacity(part.len());
        for f in part {
            let result = read_entry(f);
            let stop = result.is_err();
            files.push(result);
            if stop {
                break;
            }
        }
        files
    };
    let results = if found.len() < PARALLEL_READ_MIN_FILES || !crate::parallel::has_second_core() {
        read_part(&found)
    } else {
        // Reading is mostly system calls; a second thread halves the wait on large charts.
        let (first, second) = found.split_at(found.len() / 2);
        std::thread::scope(|scope| {
            let helper = scope.spawn(|| read_part(second));
            let mut results = read_part(first);
            if results.last().is_some_and(|r| r.is_ok()) || results.is_empty() {
                match helper.join() {
                    Ok(rest) => results.extend(rest),
                    Err(_) => results.extend(read_part(second)),
                }
            }
            results
        })
    };
    results.into_iter().collect()
}

/// The file a walk entry names, read; or the problem the walk found there.
pub(crate) fn read_entry(found: &Found) -> Result<BufferedFile, Error> {
    match found {
        Found::File { rel_name, full } => read_file(rel_name, full),
        Found::Problem(e) => Err(e.clone()),
    }
}

/// Below this many files a directory is read on the calling thread.
const PARALLEL_READ_MIN_FILES: usize = 32;

/// Reads one chart file: at most [`MAX_DECOMPRESSED_FILE_SIZE`] bytes, without a leading UTF-8 BOM.
pub(crate) fn read_file(rel_name: &str, full: &Path) -> Result<BufferedFile, Error> {
    use std::io::Read;
    let read_error = |op: &str, e: std::io::Error| Error::Io {
        path: format!("error reading {rel_name}"),
        message: crate::go_os::path_error(op, full, &e),
    };
    let file = fs::File::open(full).map_err(|e| read_error("open", e))?;
    let mut data = read_to_end_via_scratch(file.take(MAX_DECOMPRESSED_FILE_SIZE + 1))
        .map_err(|e| read_error("read", e))?;
    if data.len() as u64 > MAX_DECOMPRESSED_FILE_SIZE {
        let name = rel_name.rsplit('/').next().unwrap_or(rel_name);
        return Err(Error::Archive(format!(
            "chart file {} is larger than the maximum file size {}",
            go_quote(name),
            MAX_DECOMPRESSED_FILE_SIZE
        )));
    }
    if data.starts_with(UTF8_BOM) {
        data.drain(..UTF8_BOM.len());
    }
    Ok(BufferedFile {
        name: rel_name.to_string(),
        data,
    })
}

/// Size of the per-thread buffer chart files are read into; larger files go on into a `Vec`.
const SCRATCH_BYTES: usize = 32 << 10;

/// Reads `reader` to its end with two `read` calls for a file that fits the scratch buffer (the
/// data, then end of file), and returns a `Vec` of exactly its size. `fs::read` makes an extra `stat`
/// for its size hint, and `read_to_end` without a hint starts with 32-byte reads and doubles: about
/// six calls per small file.
fn read_to_end_via_scratch(mut reader: impl std::io::Read) -> std::io::Result<Vec<u8>> {
    use std::cell::RefCell;
    thread_local! {
        static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0; SCRATCH_BYTES].into_boxed_slice());
    }
    SCRATCH.with_borrow_mut(|scratch| {
        let mut filled = 0;
        loop {
            if filled == scratch.len() {
                let mut data = scratch.to_vec();
                reader.read_to_end(&mut data)?;
                return Ok(data);
            }
            match reader.read(&mut scratch[filled..]) {
                Ok(0) => return Ok(scratch[..filled].to_vec()),
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    })
}

/// Builds a chart from its flat file list. Mirrors `loader.LoadFiles`.
pub fn load_files(files: Vec<BufferedFile>) -> Result<Chart, Error> {
    // Each file's bytes are moved into one shared buffer, which `raw` and the list it is sorted
    // into (and a subchart directory's own chart) all hold.
    load_shared(
        files
            .into_iter()
            .map(|f| File {
                name: f.name,
                data: Arc::from(f.data),
            })
            .collect(),
    )
}

/// [`load_files`] of files whose bytes are already shared.
fn load_shared(files: Vec<File>) -> Result<Chart, Error> {
    let mut chart = Chart::default();
    let mut metadata: Option<Metadata> = None;
    for f in files.iter().filter(|f| f.name == "Chart.yaml") {
        let md = metadata.insert(
            yaml_text(&f.data)
                .and_then(|t| yaml_input::parse_metadata(&t))
                .map_err(|message| Error::Parse {
                    file: "Chart.yaml".into(),
                    message,
                })?,
        );
        if md.api_version.is_empty() {
            md.api_version = "v1".into();
        }
    }
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    let mut values_seen = false;
    chart.raw = files.clone();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" | "requirements.lock" => {
                chart.lock = Some(parse_lock(&f)?);
                let md = metadata.get_or_insert_with(Metadata::default);
                if f.name == "requirements.lock" && md.api_version == "v1" {
                    chart.files.push(f);
                }
            }
            "values.yaml" => {
                values_seen = true;
                chart.values = yaml_text(&f.data)
                    .and_then(|t| yaml_input::parse_values(&t))
                    .map_err(|message| Error::Parse {
                        file: "values.yaml".into(),
                        message,
                    })?;
            }
            "values.schema.json" => chart.schema = Some(f.data.to_vec()),
            "requirements.yaml" => {
                let md = metadata.get_or_insert_with(Metadata::default);
                if md.api_version != "v1" {
                    eprintln!("Warning: Dependencies are handled in Chart.yaml since apiVersion \"v2\". We recommend migrating dependencies to Chart.yaml.");
                }
                yaml_text(&f.data)
                    .and_then(|t| yaml_input::apply_requirements(&t, md))
                    .map_err(|message| Error::Parse {
                        file: "requirements.yaml".into(),
                        message,
                    })?;
                if md.api_version == "v1" {
                    chart.files.push(f);
                }
            }
            name if name.starts_with("templates/") => chart.templates.push(f),
            name if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    chart.files.push(f);
                    continue;
                }
                let inner = &name["charts/".len()..];
                let sub = inner.split('/').next().unwrap_or_default().to_string();
                subcharts.entry(sub).or_default().push(File {
                    name: inner.to_string(),
                    data: f.data,
                });
            }
            _ => chart.files.push(f),
        }
    }
    if !values_seen {
        chart.values = crate::template::Value::empty_map();
    }
    let mut md = metadata.ok_or(Error::MissingChartYaml)?;
    metadata::validate(&mut md)?;
    chart.metadata = md;

    for (sub, files) in subcharts {
        if sub.starts_with('_') || sub.starts_with('.') {
            continue;
        }
        let loaded = if sub.ends_with(".tgz") {
            match files.into_iter().next() {
                Some(file) if file.name == sub => load_archive(&file.data),
                Some(file) => Err(Error::Archive(format!(
                    "error unpacking subchart tar in {}: expected {sub}, got {}",
                    chart.name(),
                    file.name
                ))),
                None => continue,
            }
        } else {
            let inner: Vec<File> = files
                .into_iter()
                .filter_map(|f| {
                    f.name.split_once('/').map(|(_, rest)| File {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_shared(inner)
        };
        let sub_chart = loaded.map_err(|e| Error::Subchart {
            name: sub.clone(),
            parent: chart.name().to_string(),
            source: Box::new(e),
        })?;
        chart.dependencies.push(sub_chart);
    }
    chart.set_parent_paths(None);
    Ok(chart)
}

fn parse_lock(f: &File) -> Result<Lock, Error> {
    /// The lock's dependency list (release records store it, as Helm's `chart.Lock`).
    #[derive(Default, serde::Deserialize)]
    struct Dependencies {
        #[serde(default)]
        dependencies: Vec<super::Dependency>,
    }
    let parse_error = |message| Error::Parse {
        file: f.name.clone(),
        message,
    };
    let text = yaml_text(&f.data).map_err(parse_error)?;
    let value = yaml_input::parse_any(&text).map_err(parse_error)?;
    let get = |k: &str| {
        value
            .as_map()
            .and_then(|m| m.get(k))
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    // A dependency list of the wrong shape is left empty, as before (Helm refuses the lock; a
    // known difference).
    let dependencies = crate::yaml::from_str::<Dependencies>(&text, &f.name)
        .map(|d| d.dependencies)
        .unwrap_or_default();
    Ok(Lock {
        generated: get("generated"),
        digest: get("digest"),
        dependencies,
    })
}

/// A YAML file's bytes as go-yaml reads them (UTF-16 with a BOM decoded, invalid UTF-8 refused with
/// go-yaml's reader error), see `yaml::input`.
fn yaml_text(data: &[u8]) -> Result<std::borrow::Cow<'_, str>, String> {
    crate::yaml::input::decode(data).map_err(|e| e.to_string())
}

/// A template file's bytes as text (borrowed when they are valid UTF-8); invalid UTF-8 is kept as
/// Go keeps it, in the value model's byte-string form (`template::gostr`).
pub(crate) fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    crate::template::gostr::from_bytes(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::archive::tests::tgz;

    fn file(name: &str, data: &str) -> BufferedFile {
        BufferedFile {
            name: name.into(),
            data: data.as_bytes().to_vec(),
        }
    }

    /// A reader that hands out at most `chunk` bytes per call, like a pipe or a slow file system.
    struct Trickle<'a> {
        data: &'a [u8],
        chunk: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn scratch_reader_returns_every_byte() {
        for size in [
            0,
            1,
            SCRATCH_BYTES - 1,
            SCRATCH_BYTES,
            SCRATCH_BYTES + 1,
            3 * SCRATCH_BYTES + 7,
        ] {
            let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            for chunk in [1000, SCRATCH_BYTES, usize::MAX] {
                let got = read_to_end_via_scratch(Trickle { data: &data, chunk }).unwrap();
                assert_eq!(got, data, "size {size}, chunk {chunk}");
            }
        }
    }

    #[test]
    fn sorts_files_into_the_model() {
        let c = load_files(vec![
            file("Chart.yaml", "apiVersion: v2\nname: top\nversion: 0.1.0\n"),
            file("values.yaml", "a: 1\n"),
            file("templates/x.yaml", "x"),
            file("README.md", "r"),
            file("charts/sub/Chart.yaml", "name: sub\nversion: 1.0.0\n"),
            file("charts/sub/templates/y.yaml", "y"),
            file("charts/_skip/Chart.yaml", "bad: ["),
        ])
        .unwrap();
        assert_eq!(c.templates.len(), 1);
        assert_eq!(c.files[0].name, "README.md");
        assert_eq!(c.dependencies.len(), 1);
        let sub = &c.dependencies[0];
        assert_eq!(sub.metadata.api_version, "v1");
        assert_eq!(sub.parent_path.as_deref(), Some("top"));
    }

    #[test]
    fn missing_chart_yaml() {
        let e = load_files(vec![file("values.yaml", "")]).unwrap_err();
        assert_eq!(e.to_string(), "Chart.yaml file is missing");
    }

    #[test]
    fn subchart_errors_name_the_subchart() {
        let e = load_files(vec![
            file("Chart.yaml", "apiVersion: v2\nname: top\nversion: 0.1.0\n"),
            file("charts/sub/values.yaml", ""),
        ])
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "error unpacking subchart sub in top: Chart.yaml file is missing"
        );
    }

    #[test]
    fn subchart_archives_load() {
        let archive = tgz(&[(
            "sub/Chart.yaml",
            b"apiVersion: v2\nname: sub\nversion: 1.0.0\n",
        )]);
        let c = load_files(vec![
            file("Chart.yaml", "apiVersion: v2\nname: top\nversion: 0.1.0\n"),
            BufferedFile {
                name: "charts/sub-1.0.0.tgz".into(),
                data: archive,
            },
        ])
        .unwrap();
        assert_eq!(c.dependencies[0].name(), "sub");
    }
}
