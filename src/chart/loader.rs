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
    load_shared(archive::read_archive_shared(bytes)?)
}

/// Loads a chart directory.
pub fn load_dir(dir: &Path) -> Result<Chart, Error> {
    load_shared(read_found(walk_dir(dir)?)?)
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
pub(crate) fn read_found(found: Vec<Found>) -> Result<Vec<File>, Error> {
    let read_part = |part: &[Found]| -> Vec<Result<File, Error>> {
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
pub(crate) fn read_entry(found: &Found) -> Result<File, Error> {
    match found {
        Found::File { rel_name, full } => read_file(rel_name, full),
        Found::Problem(e) => Err(e.clone()),
    }
}

/// Below this many files a directory is read on the calling thread.
const PARALLEL_READ_MIN_FILES: usize = 32;

/// Reads one chart file: at most [`MAX_DECOMPRESSED_FILE_SIZE`] bytes, without a leading UTF-8 BOM,
/// into the shared buffer the chart keeps (no further copy).
pub(crate) fn read_file(rel_name: &str, full: &Path) -> Result<File, Error> {
    let read_error = |op: &str, e: std::io::Error| Error::Io {
        path: format!("error reading {rel_name}"),
        message: crate::go_os::path_error(op, full, &e),
    };
    let file = fs::File::open(full).map_err(|e| read_error("open", e))?;
    let data = read_chart_file(file).map_err(|e| read_error("read", e))?;
    if data.len() as u64 > MAX_DECOMPRESSED_FILE_SIZE {
        let name = rel_name.rsplit('/').next().unwrap_or(rel_name);
        return Err(Error::Archive(format!(
            "chart file {} is larger than the maximum file size {}",
            go_quote(name),
            MAX_DECOMPRESSED_FILE_SIZE
        )));
    }
    Ok(File {
        name: rel_name.to_string(),
        data: without_bom(data),
    })
}

/// `data` without a leading UTF-8 BOM (a copy only when there is one).
pub(crate) fn without_bom(data: Arc<[u8]>) -> Arc<[u8]> {
    match data.strip_prefix(UTF8_BOM) {
        Some(rest) => Arc::from(rest),
        None => data,
    }
}

/// Size of the per-thread buffer chart files are first read into.
const SCRATCH_BYTES: usize = 32 << 10;

/// Reads a chart file to its end, or to one byte past [`MAX_DECOMPRESSED_FILE_SIZE`], into a buffer of
/// exactly its size. A file that fits the per-thread scratch buffer takes two `read` calls (the data,
/// then end of file) and one copy out of the scratch; a larger one is read into a buffer sized by
/// `fstat` once, without regrowth (growing a `Vec` by doubling copied a 1 MB file three times over
/// and faulted in the pages of every copy). `fs::read` would `stat` every file, small ones too.
fn read_chart_file(file: fs::File) -> std::io::Result<Arc<[u8]>> {
    use std::io::Read;
    // The size is only a hint (the file may change while it is read).
    read_limited((&file).take(MAX_DECOMPRESSED_FILE_SIZE + 1), || {
        file.metadata().map_or(0, |m| m.len())
    })
}

/// [`read_chart_file`] of any reader (at most one byte past the file limit), asking `size_hint` for
/// the size only when the data does not fit the scratch buffer.
fn read_limited(
    mut reader: impl std::io::Read,
    size_hint: impl FnOnce() -> u64,
) -> std::io::Result<Arc<[u8]>> {
    use std::cell::RefCell;
    thread_local! {
        static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0; SCRATCH_BYTES].into_boxed_slice());
    }
    SCRATCH.with_borrow_mut(|scratch| {
        let filled = fill(&mut reader, scratch)?;
        if filled < scratch.len() {
            return Ok(Arc::from(&scratch[..filled]));
        }
        let hint = size_hint().min(MAX_DECOMPRESSED_FILE_SIZE + 1) as usize;
        read_sized(&mut reader, &scratch[..filled], hint)
    })
}

/// Reads into `buf` until it is full or the reader ends; returns how much was read.
fn fill(reader: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// `prefix` followed by the rest of `reader`, in a buffer allocated once for `size_hint` bytes when
/// the hint is right (copied into one of the right size when it is not).
pub(crate) fn read_sized(
    reader: &mut impl std::io::Read,
    prefix: &[u8],
    size_hint: usize,
) -> std::io::Result<Arc<[u8]>> {
    let size = size_hint.max(prefix.len());
    // Zeroed rather than uninitialised: reading needs initialised bytes, and the pages are touched
    // by the read anyway. (`repeat_n` has an exact length: one allocation, filled in place.)
    let mut data: Arc<[u8]> = std::iter::repeat_n(0u8, size).collect();
    let buf = Arc::get_mut(&mut data).expect("a new Arc is unique");
    buf[..prefix.len()].copy_from_slice(prefix);
    let filled = prefix.len() + fill(reader, &mut buf[prefix.len()..])?;
    if filled < size {
        return Ok(Arc::from(&buf[..filled]));
    }
    let mut probe = [0u8; 512];
    let more = fill(reader, &mut probe)?;
    if more == 0 {
        return Ok(data);
    }
    // Longer than the hint said: the rest goes the slow way.
    let mut whole = Vec::with_capacity(size + more);
    whole.extend_from_slice(&data);
    whole.extend_from_slice(&probe[..more]);
    reader.read_to_end(&mut whole)?;
    Ok(Arc::from(whole))
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
pub(crate) fn load_shared(files: Vec<File>) -> Result<Chart, Error> {
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
    fn reader_returns_every_byte_whatever_the_size_hint() {
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
                // Right, too small (the file grew), too large (it shrank), none.
                for hint in [size, size / 2, size + 100, 0] {
                    let got = read_limited(Trickle { data: &data, chunk }, || hint as u64).unwrap();
                    assert_eq!(
                        &got[..],
                        &data[..],
                        "size {size}, chunk {chunk}, hint {hint}"
                    );
                }
            }
        }
    }

    #[test]
    fn reading_stops_one_byte_past_the_file_limit() {
        let limit = MAX_DECOMPRESSED_FILE_SIZE as usize;
        let data = vec![7u8; limit + 10];
        let reader = std::io::Read::take(&data[..], limit as u64 + 1);
        let got = read_limited(reader, || data.len() as u64).unwrap();
        assert_eq!(got.len(), limit + 1);
    }

    #[test]
    fn files_are_read_whole_without_bom() {
        let dir = std::env::temp_dir().join(format!("rudder-loader-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big: Vec<u8> = (0..3 * SCRATCH_BYTES + 5).map(|i| (i % 13) as u8).collect();
        let cases: [(&str, Vec<u8>, &[u8]); 3] = [
            ("small", b"\xEF\xBB\xBFkey: v".to_vec(), b"key: v"),
            ("empty", Vec::new(), b""),
            ("big", big.clone(), &big),
        ];
        for (name, written, want) in cases {
            let path = dir.join(name);
            std::fs::write(&path, &written).unwrap();
            let file = read_file(name, &path).unwrap();
            assert_eq!(file.name, name);
            assert_eq!(&file.data[..], want, "{name}");
        }
        let too_big = dir.join("too-big");
        std::fs::write(
            &too_big,
            vec![b'a'; MAX_DECOMPRESSED_FILE_SIZE as usize + 1],
        )
        .unwrap();
        let e = read_file("templates/too-big", &too_big).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "chart file \"too-big\" is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
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
