//! `template`: render a chart locally, as `helm template` does (Helm v3.17.3 `cmd/helm/template.go`,
//! `action.Install` in client-only dry-run mode and `renderResources` in `pkg/action/action.go`).
//!
//! The steps, in Helm's order: merge the value flags, load the chart, refuse library charts, check
//! that declared dependencies are present, validate the release name, process dependencies, build
//! `.Capabilities` and `.Release`, coalesce and validate values, check the chart's `kubeVersion`,
//! render, sort into manifests and hooks, assemble the output (CRDs, manifests, post-renderer, hooks),
//! and apply `--show-only`.
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use super::chart_source::{self, ValueOptions};
use super::show_only;
use crate::engine::{self, Capabilities, Engine, KubeVersion, ReleaseOptions};
use crate::release::{self, Hook};

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

/// What the command prints and writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateOutput {
    /// Standard output.
    pub stdout: String,
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

/// Runs `template`.
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
    let chart_path =
        chart_source::locate_chart(&options.chart.display().to_string()).map_err(Error::new)?;
    let user_values = chart_source::merge_values(&options.values, stdin).map_err(Error::new)?;
    let (mut chart, preparsed) =
        chart_source::load_chart_for_render(&chart_path).map_err(Error::new)?;
    match chart.metadata.chart_type.as_str() {
        "" | "application" => {}
        other => return Err(Error::new(format!("{other} charts are not installable"))),
    }
    if chart.metadata.deprecated {
        output.warnings.push("This chart is deprecated".to_string());
    }
    if let Err(e) = chart_source::check_dependencies(&chart) {
        let message = format!("An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: {e}");
        let Some(settings) = &options.dependency_update else {
            return Err(Error::new(message));
        };
        let mut log = Vec::new();
        let mut registry_log = Vec::new();
        let result = crate::deps::manager::Manager {
            chart_path: chart_path.clone(),
            settings,
            skip_update: false,
            out: &mut log,
            log: &mut registry_log,
            registry: crate::registry::client::Options::default(),
        }
        .update();
        output.progress = String::from_utf8_lossy(&log).into_owned();
        output.log_lines.extend(
            String::from_utf8_lossy(&registry_log)
                .lines()
                .map(str::to_string),
        );
        if let Err(e) = result {
            let mut error = Error::new(e.to_string());
            error.stdout = Some(std::mem::take(&mut output.progress));
            return Err(error);
        }
        (chart, _) = chart_source::load_chart_for_render(&chart_path)
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
    chart_source::process_dependencies(&mut chart, &user_values).map_err(Error::new)?;

    let capabilities = Capabilities::for_template(kube_version, &options.api_versions);
    let release = ReleaseOptions {
        name: options.release_name.clone(),
        namespace: options.namespace.clone(),
        revision: 1,
        is_install: !options.is_upgrade,
        is_upgrade: options.is_upgrade,
    };
    let values = chart_source::coalesce(&chart, &user_values).map_err(Error::new)?;
    if !options.skip_schema_validation {
        chart_source::validate_schema(&chart, &values).map_err(Error::new)?;
    }

    let kube_constraint = &chart.metadata.kube_version;
    if !kube_constraint.is_empty()
        && !chart_source::kube_version_compatible(
            kube_constraint,
            &capabilities.kube_version.version,
        )
    {
        return Err(Error::render(format!(
            "chart requires kubeVersion: {kube_constraint} which is incompatible with Kubernetes {}",
            capabilities.kube_version.version
        )));
    }

    let engine = Engine {
        enable_dns: options.enable_dns,
        ..Engine::default()
    };
    // Started with the first rendered file: by then the thread that parsed the templates ahead has
    // ended, and the reader's thread takes over its memory arena (and the rest of its huge page).
    let mut head_reader: Option<release::HeadReader> = None;
    let rendered = engine
        .render_preparsed(
            &chart,
            preparsed,
            &values,
            &release,
            &capabilities,
            &mut |path, text| {
                if !path.ends_with("NOTES.txt") {
                    head_reader
                        .get_or_insert_with(release::HeadReader::start)
                        .feed(path, text);
                }
            },
        )
        .map_err(|e: engine::Error| {
            let mut error = Error::render(e.to_string());
            error.excerpt = e.source_excerpt();
            if options.debug {
                // Helm still prints the (empty) manifest: one newline.
                error.stdout = Some("\n".to_string());
            }
            error
        })?;
    let manifests_only: BTreeMap<String, String> = rendered
        .into_iter()
        .filter(|(path, _)| !path.ends_with("NOTES.txt"))
        .collect();
    let heads = head_reader
        .map(release::HeadReader::finish)
        .unwrap_or_default();
    let sorted = match release::sort_prepared(&manifests_only, heads) {
        Ok(sorted) => sorted,
        Err(err) => {
            let mut dump = String::new();
            for (name, content) in &manifests_only {
                if content.trim().is_empty() {
                    continue;
                }
                dump.push_str(&format!("---\n# Source: {name}\n{content}\n"));
            }
            let mut error = Error::render(err.to_string());
            if options.debug {
                error.stdout = Some(format!("{}\n", dump.trim()));
            }
            return Err(error);
        }
    };

    // Only the error path above needs the unsorted files; freeing them now lets the output reuse
    // their memory (peak memory is one of `template`'s targets).
    drop(manifests_only);

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

    let mut manifest_text = String::new();
    if options.include_crds {
        for (name, data) in crd_objects(&chart, chart.name()) {
            match &release_dir {
                None => push_source(&mut manifest_text, &name, &data),
                Some(dir) => write(&mut output, dir, &name, &data),
            }
        }
    }
    if release_dir.is_none() {
        manifest_text.reserve(
            sorted
                .manifests
                .iter()
                .map(|m| m.name.len() + m.content.len() + 16)
                .sum(),
        );
    }
    for m in &sorted.manifests {
        match &release_dir {
            None => push_source(&mut manifest_text, &m.name, &m.content),
            Some(dir) => write(&mut output, dir, &m.name, &m.content),
        }
    }
    if let Some(post) = post_renderer {
        manifest_text = post
            .run(&manifest_text)
            .map_err(|e| Error::render(format!("error while running post render on files: {e}")))?;
    }

    let mut text = trimmed_with_newline(manifest_text);
    if !options.disable_hooks {
        for hook in sorted
            .hooks
            .iter()
            .filter(|h| !(options.skip_tests && h.is_test()))
        {
            match &release_dir {
                None => push_source(&mut text, &hook.path, &hook.manifest),
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

/// Appends `---\n# Source: NAME\nCONTENT\n`, the way Helm prints each document.
fn push_source(out: &mut String, name: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(name);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

/// `format!("{}\n", text.trim())` without a second copy of the (whole-release) text.
fn trimmed_with_newline(mut text: String) -> String {
    text.truncate(text.trim_end().len());
    let leading = text.len() - text.trim_start().len();
    text.drain(..leading);
    text.push('\n');
    text
}

fn hook_text(hook: &Hook) -> String {
    let mut text = String::with_capacity(hook.path.len() + hook.manifest.len() + 16);
    push_source(&mut text, &hook.path, &hook.manifest);
    text
}

/// Helm's `Chart.CRDObjects`: `crds/*.yaml|yml|json` of the chart and then of each subchart, named by
/// full path.
fn crd_objects(chart: &crate::chart::Chart, full_path: &str) -> Vec<(String, String)> {
    let mut crds = Vec::new();
    for file in &chart.files {
        let is_manifest = [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| file.name.ends_with(ext));
        if file.name.starts_with("crds/") && is_manifest {
            crds.push((
                format!("{full_path}/{}", file.name),
                String::from_utf8_lossy(&file.data).into_owned(),
            ));
        }
    }
    for sub in &chart.dependencies {
        crds.extend(crd_objects(
            sub,
            &format!("{full_path}/charts/{}", sub.name()),
        ));
    }
    crds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_matches_format_of_trim() {
        for text in ["", " \n ", "a", "\n\t---\nkind: A\n\n", "é \u{3000}"] {
            assert_eq!(
                trimmed_with_newline(text.to_string()),
                format!("{}\n", text.trim()),
                "{text:?}"
            );
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
            out.stdout,
            "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: rel\n---\n# Source: c/templates/hook.yaml\nkind: Job\nmetadata:\n  name: h\n  annotations:\n    helm.sh/hook: pre-install\n"
        );
        let mut no_hooks = options(dir.clone());
        no_hooks.disable_hooks = true;
        let out = run(&no_hooks, &mut std::io::empty(), None).unwrap();
        assert!(!out.stdout.contains("hook.yaml"));
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
