//! `template`: render a chart locally, as `helm template` does (Helm v3.17.3 `cmd/helm/template.go`,
//! `action.Install` in client-only dry-run mode and `renderResources` in `pkg/action/action.go`).
//!
//! The steps of [`super::pipeline`] in Helm's order, with `template`'s own checks between them
//! (`--dry-run`'s value, the release name), then the output assembled: CRDs, manifests,
//! post-renderer, hooks, `--output-dir` files and `--show-only`.
use std::io::Read;
use std::path::PathBuf;

use super::chart_source::ValueOptions;
use super::pipeline::{self, hook_text};
use super::show_only;
use crate::engine::{self, Capabilities, Engine, KubeVersion, ReleaseOptions};
use crate::template::ast::Source;

/// What `rudder template` was asked to do (flags already parsed).
#[derive(Debug, Clone, Default)]
pub struct TemplateOptions {
    pub release_name: String,
    pub chart: PathBuf,
    pub values: ValueOptions,
    pub namespace: String,
    /// `--kube-version`, as given.
    pub kube_version: Option<String>,
    /// `--api-versions`.
    pub api_versions: Vec<String>,
    /// `--show-only` patterns.
    pub show_only: Vec<String>,
    /// `--output-dir`.
    pub output_dir: Option<PathBuf>,
    /// `--release-name`: put files under `<output-dir>/<release>`.
    pub use_release_name: bool,
    pub include_crds: bool,
    pub skip_crds: bool,
    pub skip_tests: bool,
    /// `--no-hooks`.
    pub disable_hooks: bool,
    pub is_upgrade: bool,
    pub skip_schema_validation: bool,
    /// `--enable-dns`.
    pub enable_dns: bool,
    /// `--debug`: with a render error, still return what was rendered.
    pub debug: bool,
    /// `--dry-run[=MODE]`, checked as Helm checks it (the output is the same for every mode).
    pub dry_run: Option<String>,
    /// `--dependency-update`, with the repository paths to use: when charts/ does not satisfy
    /// Chart.yaml, run `dependency update` first (its progress lines lead the output, as in Helm).
    pub dependency_update: Option<crate::deps::Settings>,
}

/// An external program the manifests are piped through (`--post-renderer`).
pub trait PostRenderer {
    /// Feeds `manifests` to the program and returns its output, or Helm's error text.
    fn run(&self, manifests: &str) -> Result<String, String>;
}

/// A file `--output-dir` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Where to write it (output dir joined with the template path).
    pub path: PathBuf,
    /// `---\n# Source: …\n…\n`.
    pub content: String,
    /// Append rather than truncate (a later document of the same file, or a hook written into an
    /// existing file).
    pub append: bool,
}

/// Text kept as the pieces it is written in: `template`'s standard output. The rendered documents
/// are moved in as the sorter made them rather than copied into one text: a release's output can
/// be megabytes (dashboards, CRDs, files embedded through `.Files.Get`), and the copy doubled that
/// part of the peak memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pieces {
    pieces: Vec<Piece>,
    /// Whether the last piece is one of ours (separators, headers) that text may be appended to.
    open: bool,
}

/// One piece of [`Pieces`]: a text of its own, or a range of a chart file's bytes (a CRD of
/// `--include-crds`: megabytes the chart holds anyway, no longer copied).
#[derive(Debug, Clone)]
enum Piece {
    Own(String),
    /// `source[start..end]`, on character boundaries.
    Shared {
        source: Source,
        start: usize,
        end: usize,
    },
}

impl Piece {
    fn as_str(&self) -> &str {
        match self {
            Piece::Own(text) => text,
            Piece::Shared { source, start, end } => &source[*start..*end],
        }
    }

    /// Keeps the first `len` bytes (a character boundary).
    fn truncate(&mut self, len: usize) {
        match self {
            Piece::Own(text) => text.truncate(len),
            Piece::Shared { start, end, .. } => *end = *start + len,
        }
    }

    /// Drops the first `len` bytes (a character boundary).
    fn drop_front(&mut self, len: usize) {
        match self {
            Piece::Own(text) => {
                text.drain(..len);
            }
            Piece::Shared { start, .. } => *start += len,
        }
    }
}

impl PartialEq for Piece {
    fn eq(&self, other: &Piece) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Piece {}

impl Pieces {
    /// Appends `text` (copied; next to the last piece when that is one of ours).
    pub fn push_str(&mut self, text: &str) {
        match self.pieces.last_mut() {
            Some(Piece::Own(last)) if self.open => last.push_str(text),
            _ => {
                self.pieces.push(Piece::Own(text.to_string()));
                self.open = true;
            }
        }
    }

    /// Appends `text` itself, without a copy.
    pub fn push(&mut self, text: String) {
        self.pieces.push(Piece::Own(text));
        self.open = false;
    }

    /// Appends `---\n# Source: NAME\nCONTENT\n` (as [`Pieces::push_source`]), sharing `content`.
    fn push_shared_source(&mut self, name: &str, content: Source) {
        self.push_str("---\n# Source: ");
        self.push_str(name);
        self.push_str("\n");
        let end = content.len();
        self.pieces.push(Piece::Shared {
            source: content,
            start: 0,
            end,
        });
        self.open = false;
        self.push_str("\n");
    }

    /// Appends `---\n# Source: NAME\nCONTENT\n` (as [`pipeline::push_source`]), moving `content`.
    fn push_source(&mut self, name: &str, content: String) {
        self.push_str("---\n# Source: ");
        self.push_str(name);
        self.push_str("\n");
        self.push(content);
        self.push_str("\n");
    }

    /// The pieces, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().map(Piece::as_str)
    }

    /// Writes the pieces as Go's bytes (`template::gostr::to_bytes`), many pieces to a system call
    /// (`writev`): a chart of 4,000 templates has 12,000 pieces, and a `write` for each piece (or
    /// for each line, through standard output's line buffer) was a call per piece.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        use std::io::IoSlice;
        /// At most this many pieces to a call (Linux's `IOV_MAX` is 1,024).
        const BATCH: usize = 1024;
        for batch in self.pieces.chunks(BATCH) {
            let bytes: Vec<std::borrow::Cow<'_, [u8]>> = batch
                .iter()
                .map(|piece| crate::template::gostr::to_bytes(piece.as_str()))
                .collect();
            let mut slices: Vec<IoSlice<'_>> = bytes.iter().map(|b| IoSlice::new(b)).collect();
            let mut left = &mut slices[..];
            IoSlice::advance_slices(&mut left, 0);
            while !left.is_empty() {
                match out.write_vectored(left) {
                    Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                    Ok(n) => IoSlice::advance_slices(&mut left, n),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        out.flush()
    }

    /// `format!("{}\n", text.trim())` of the whole text, piece by piece.
    fn trim_with_newline(&mut self) {
        while let Some(last) = self.pieces.last_mut() {
            let kept = last.as_str().trim_end().len();
            last.truncate(kept);
            if kept != 0 {
                break;
            }
            self.pieces.pop();
        }
        let blank = self
            .pieces
            .iter()
            .position(|p| !p.as_str().trim_start().is_empty())
            .unwrap_or(self.pieces.len());
        self.pieces.drain(..blank);
        if let Some(first) = self.pieces.first_mut() {
            let text = first.as_str();
            let leading = text.len() - text.trim_start().len();
            first.drop_front(leading);
        }
        self.open = false;
        self.push_str("\n");
    }
}

impl From<String> for Pieces {
    fn from(text: String) -> Pieces {
        Pieces {
            pieces: vec![Piece::Own(text)],
            open: false,
        }
    }
}

impl std::fmt::Display for Pieces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.iter().try_for_each(|piece| f.write_str(piece))
    }
}

/// What the command prints and writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateOutput {
    /// Standard output.
    pub stdout: Pieces,
    /// Progress lines of `--dependency-update`, printed before anything else.
    pub progress: String,
    /// Files for `--output-dir`, in order; the CLI prints `wrote PATH` for each.
    pub files: Vec<OutputFile>,
    /// Warnings for standard error (`This chart is deprecated`).
    pub warnings: Vec<String>,
    /// Lines Helm logs to standard error as they are (`manifest_sorter.go:190: info: skipping
    /// unknown hook: "x"`).
    pub log_lines: Vec<String>,
}

/// A failure. `rendered` carries what `--debug` still prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    /// The failure came from rendering (Helm then adds a hint to use `--debug`).
    pub during_render: bool,
    /// Standard output to print anyway (with `--debug`).
    pub stdout: Option<String>,
    /// `--output-dir` files Helm had already written when it failed.
    pub files: Vec<OutputFile>,
    /// The failing template line with a caret, printed after the first line with `--debug`.
    pub excerpt: Option<String>,
}

impl Error {
    fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            during_render: false,
            stdout: None,
            files: Vec::new(),
            excerpt: None,
        }
    }

    fn render(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            during_render: true,
            stdout: None,
            files: Vec::new(),
            excerpt: None,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if self.during_render {
            f.write_str("\n\nUse --debug flag to render out invalid YAML")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<pipeline::Error> for Error {
    fn from(e: pipeline::Error) -> Error {
        Error {
            during_render: e.during_render(),
            excerpt: e.excerpt,
            ..Error::new(e.message)
        }
    }
}

/// Runs `template`: the render pipeline with `helm template`'s checks between its steps, then the
/// output assembled.
pub fn run(
    options: &TemplateOptions,
    stdin: &mut dyn Read,
    post_renderer: Option<&dyn PostRenderer>,
) -> Result<TemplateOutput, Error> {
    let mut output = TemplateOutput::default();
    let kube_version = match &options.kube_version {
        Some(text) => Some(
            KubeVersion::parse(text)
                .map_err(|e| Error::new(format!("invalid kube version '{text}': {e}")))?,
        ),
        None => None,
    };
    // Helm locates the chart before it reads any values.
    let chart_path = pipeline::locate(&options.chart.display().to_string())?;
    let user_values = pipeline::user_values(&options.values, stdin)?;
    let mut chart = pipeline::load(&chart_path)?;
    output.warnings = chart.check_installable()?;
    if let Err(missing) = chart.check_dependencies() {
        let Some(settings) = &options.dependency_update else {
            return Err(missing.into());
        };
        let (progress, result) = super::dependency_update::update(&chart_path, settings);
        output.progress = progress.stdout;
        output.log_lines.extend(progress.log_lines);
        if let Err(e) = result {
            let mut error = Error::new(e.to_string());
            error.stdout = Some(std::mem::take(&mut output.progress));
            return Err(error);
        }
        chart = pipeline::load(&chart_path)
            .map_err(|e| Error::new(format!("failed reloading chart after repo update: {e}")))?;
    }
    if let Some(mode) = options.dry_run.as_deref() {
        if !matches!(mode, "" | "false" | "true" | "none" | "client" | "server") {
            return Err(Error::new(
                "Invalid dry-run flag. Flag must one of the following: false, true, none, client, server",
            ));
        }
    }
    super::release_name::validate(&options.release_name).map_err(|e| Error::new(e.to_string()))?;
    chart.process_dependencies(&user_values)?;

    let capabilities = Capabilities::for_template(kube_version, &options.api_versions);
    let release = ReleaseOptions {
        name: options.release_name.clone(),
        namespace: options.namespace.clone(),
        revision: 1,
        is_install: !options.is_upgrade,
        is_upgrade: options.is_upgrade,
    };
    // The chart's values and the user's are not needed after this: handed over, not copied.
    let values = chart.coalesce_taking(user_values)?;
    if !options.skip_schema_validation {
        chart.validate_schema(&values)?;
    }
    chart.check_kube_version(&capabilities)?;
    let engine = Engine {
        enable_dns: options.enable_dns,
        ..Engine::default()
    };
    let rendered = chart
        .render(&values, &release, &capabilities, engine)
        .map_err(|e| {
            let debug_stdout = (options.debug && e.stage == pipeline::Stage::Render)
                // Helm still prints the (empty) manifest: one newline.
                .then(|| "\n".to_string());
            Error {
                stdout: debug_stdout,
                ..Error::from(e)
            }
        })?;
    // Sorting consumes the unsorted files: freeing them now lets the output reuse their memory (peak
    // memory is one of `template`'s targets).
    let sorted = rendered.sort().map_err(|e| {
        let debug_stdout = e
            .rendered
            .as_deref()
            .filter(|_| options.debug)
            .map(|dump| format!("{}\n", dump.trim()));
        Error {
            stdout: debug_stdout,
            ..Error::from(e)
        }
    })?;
    let chart = chart.chart;

    for value in &sorted.unknown_hooks {
        output.log_lines.push(format!(
            "manifest_sorter.go:190: info: skipping unknown hook: {}",
            engine::funcs::go_quote(value)
        ));
    }

    // Helm's `filepath.Join(outputDir, name)` with `--release-name`, the flag as given otherwise;
    // each file is then `<dir>/<template path>`, joined as text (`out//chart/...` for `out/`).
    let release_dir = options.output_dir.as_ref().map(|dir| {
        let dir = dir.display().to_string();
        if options.use_release_name {
            crate::template::funcs::sprig::paths::clean(&format!("{dir}/{}", options.release_name))
        } else {
            dir
        }
    });
    let out_file = |dir: &str, name: &str| PathBuf::from(format!("{dir}/{name}"));
    let mut written: Vec<String> = Vec::new();
    let mut write = |output: &mut TemplateOutput, dir: &str, name: &str, body: &str| {
        let append = written.iter().any(|w| w == name);
        output.files.push(OutputFile {
            path: out_file(dir, name),
            content: format!("---\n# Source: {name}\n{body}\n"),
            append,
        });
        if !append {
            written.push(name.to_string());
        }
    };

    let crds = if options.include_crds {
        pipeline::crd_sources(&chart)
    } else {
        Vec::new()
    };
    let mut text = Pieces::default();
    for (name, data) in &crds {
        match &release_dir {
            None => text.push_shared_source(name, data.clone()),
            Some(dir) => write(&mut output, dir, name, data),
        }
    }
    drop(crds);
    let mut sorted = sorted;
    for m in std::mem::take(&mut sorted.manifests) {
        match &release_dir {
            None => text.push_source(&m.name, m.content),
            Some(dir) => write(&mut output, dir, &m.name, &m.content),
        }
    }
    if let Some(post) = post_renderer {
        text = post
            .run(&text.to_string())
            .map_err(|e| Error::render(format!("error while running post render on files: {e}")))?
            .into();
    }

    text.trim_with_newline();
    if !options.disable_hooks {
        for hook in sorted
            .hooks
            .iter()
            .filter(|h| !(options.skip_tests && h.is_test()))
        {
            match &release_dir {
                None => text.push_source(&hook.path, hook.manifest.clone()),
                Some(dir) => {
                    let path = out_file(dir, &hook.path);
                    let exists = path.exists() || written.contains(&hook.path);
                    output.files.push(OutputFile {
                        path,
                        content: hook_text(hook),
                        append: exists,
                    });
                    if !exists {
                        written.push(hook.path.clone());
                    }
                }
            }
        }
    }

    if options.show_only.is_empty() {
        output.stdout = text;
    } else {
        let text = text.to_string();
        let selected = show_only::select(&text, &options.show_only).map_err(|message| Error {
            files: std::mem::take(&mut output.files),
            ..Error::new(message)
        })?;
        for doc in selected {
            output.stdout.push_str(&format!("---\n{doc}\n"));
        }
    }
    crate::teardown::dispose((chart, values, sorted));
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CRD's piece shares the chart's bytes and trims and prints as a copy of them would.
    #[test]
    fn shared_pieces_act_as_own_ones() {
        let texts = [
            "",
            " \n ",
            "a",
            "\n\t---\nkind: A\n\n",
            "é \u{3000}",
            "\u{3000}b ",
        ];
        let shared = |text: &str| {
            let source = Source::copy(text);
            Piece::Shared {
                end: source.len(),
                source,
                start: 0,
            }
        };
        for a in texts {
            for b in texts {
                let mut pieces = Pieces {
                    pieces: vec![shared(a), Piece::Own(b.to_string()), shared(b)],
                    open: false,
                };
                pieces.trim_with_newline();
                let whole = [a, b, b].concat();
                assert_eq!(
                    pieces.to_string(),
                    format!("{}\n", whole.trim()),
                    "{whole:?}"
                );
            }
            let mut named = Pieces::default();
            named.push_shared_source("c/crds/x.yaml", Source::copy(a));
            named.push_str("after");
            let mut copied = Pieces::default();
            copied.push_source("c/crds/x.yaml", a.to_string());
            copied.push_str("after");
            assert_eq!(named.to_string(), copied.to_string());
            assert_eq!(named, copied);
        }
    }

    #[test]
    fn trimming_matches_format_of_trim() {
        let texts = [
            "",
            " \n ",
            "a",
            "\n\t---\nkind: A\n\n",
            "é \u{3000}",
            "\u{3000}b ",
        ];
        for a in texts {
            for b in texts {
                for c in texts {
                    let mut pieces = Pieces::default();
                    pieces.push_str(a);
                    pieces.push(b.to_string());
                    pieces.push(c.to_string());
                    pieces.trim_with_newline();
                    let whole = [a, b, c].concat();
                    assert_eq!(
                        pieces.to_string(),
                        format!("{}\n", whole.trim()),
                        "{whole:?}"
                    );
                }
            }
        }
    }

    /// A writer that takes at most `most` bytes a call (vectored or not), as a pipe may.
    struct Partial {
        written: Vec<u8>,
        most: usize,
        calls: usize,
    }

    impl std::io::Write for Partial {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.write_vectored(&[std::io::IoSlice::new(buf)])
        }

        fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
            self.calls += 1;
            let mut n = 0;
            for buf in bufs {
                let take = buf.len().min(self.most - n);
                self.written.extend_from_slice(&buf[..take]);
                n += take;
                if n == self.most {
                    break;
                }
            }
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn pieces_are_written_whole_and_in_order_in_few_calls() {
        let mut pieces = Pieces::default();
        let mut want = String::new();
        for i in 0..3000 {
            let name = format!("c/templates/t{i}.yaml");
            let body = format!("kind: ConfigMap\nmetadata:\n  name: m{i}\n");
            pieces.push_source(&name, body.clone());
            want.push_str(&format!("---\n# Source: {name}\n{body}\n"));
        }
        // Go's bytes: a piece holding an invalid byte is written as that byte.
        let invalid = crate::template::gostr::from_bytes(b"x\xFFy").into_owned();
        pieces.push(invalid);
        pieces.push(String::new());
        let mut want = want.into_bytes();
        want.extend_from_slice(b"x\xFFy");
        for most in [usize::MAX, 7, 4096] {
            let mut out = Partial {
                written: Vec::new(),
                most,
                calls: 0,
            };
            pieces.write_to(&mut out).unwrap();
            assert!(out.written == want, "at most {most} a call");
            if most == usize::MAX {
                assert!(out.calls <= 9, "{} calls", out.calls);
            }
        }
    }

    fn chart_dir(test: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "rudder-action-template-{}-{test}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        dir
    }

    fn options(chart: PathBuf) -> TemplateOptions {
        TemplateOptions {
            release_name: "rel".into(),
            chart,
            namespace: "default".into(),
            ..TemplateOptions::default()
        }
    }

    #[test]
    fn manifests_then_hooks_with_source_headers() {
        let dir = chart_dir("hooks", &[
            ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
            (
                "templates/hook.yaml",
                "kind: Job\nmetadata:\n  name: h\n  annotations:\n    helm.sh/hook: pre-install\n",
            ),
            (
                "templates/cm.yaml",
                "kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
            ),
        ]);
        let out = run(&options(dir.clone()), &mut std::io::empty(), None).unwrap();
        assert_eq!(
            out.stdout.to_string(),
            "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: rel\n---\n# Source: c/templates/hook.yaml\nkind: Job\nmetadata:\n  name: h\n  annotations:\n    helm.sh/hook: pre-install\n"
        );
        let mut no_hooks = options(dir.clone());
        no_hooks.disable_hooks = true;
        let out = run(&no_hooks, &mut std::io::empty(), None).unwrap();
        assert!(!out.stdout.to_string().contains("hook.yaml"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn render_errors_carry_the_debug_hint() {
        let dir = chart_dir(
            "errors",
            &[
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
                ("templates/cm.yaml", "{{ fail \"boom\" }}"),
                ("templates/x.yaml", "x: 1"),
            ],
        );
        let err = run(&options(dir.clone()), &mut std::io::empty(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "execution error at (c/templates/cm.yaml:1:3): boom\n\nUse --debug flag to render out invalid YAML"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
