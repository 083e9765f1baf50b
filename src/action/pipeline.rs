//! The render pipeline: the path from a chart reference to sorted manifests and hooks, shared by every
//! command that renders (`template`, `lint`, `install`, `upgrade`, the unit-test runner).
//!
//! Each step is a named function or method, called in this order by the commands, which put their own
//! checks between steps where Helm does:
//!
//! ```text
//! locate → user_values → load → check_installable → check_dependencies → process_dependencies
//!        → coalesce → validate_schema → check_kube_version → render → sort
//! ```
//!
//! Mirrors what Helm v3.17.3 spreads over `cmd/helm/install.go` (`runInstall`), `action.Install.Run`
//! and `renderResources` (`pkg/action/action.go`, 11 positional arguments). Options that only change
//! how one command assembles its output (`--output-dir`, `--show-only`, CRDs in the output) stay in
//! that command.
//!
//! The fast path of `template` lives here: a chart directory's templates are parsed on a helper thread
//! while the chart loads ([`crate::engine::preload`]), and the heads of rendered files are read on a
//! helper thread while later templates still render ([`release::HeadReader`]).
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::chart_source::{self, ValueOptions};
use crate::chart::Chart;
use crate::engine::funcs::Lookup;
use crate::engine::{self, preload::Preparsed, Capabilities, Engine, ReleaseOptions};
use crate::release::{self, Hook, Manifest};
use crate::template::ast::Source;
use crate::template::Value;

/// The step a failure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Locate,
    Values,
    Load,
    Dependencies,
    Coalesce,
    Schema,
    /// The chart's `kubeVersion` against the cluster's (or `--kube-version`).
    KubeVersion,
    /// Rendering the templates.
    Render,
    /// Splitting the output into documents and reading their heads.
    Sort,
}

/// A failed step. `message` is Helm's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub stage: Stage,
    pub message: String,
    /// The failing template line with a caret (render errors).
    pub excerpt: Option<String>,
    /// What was rendered, as Helm prints it with `--debug` when a document cannot be read (sort
    /// errors): `---\n# Source: NAME\nCONTENT\n` for each non-blank file.
    pub rendered: Option<String>,
}

impl Error {
    fn at(stage: Stage, message: impl Into<String>) -> Error {
        Error {
            stage,
            message: message.into(),
            excerpt: None,
            rendered: None,
        }
    }

    /// Whether the failure came from rendering the templates or reading what they produced.
    pub fn during_render(&self) -> bool {
        matches!(self.stage, Stage::KubeVersion | Stage::Render | Stage::Sort)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Step 1, Helm's `LocateChart`: the chart's absolute path on disk.
pub fn locate(chart: &str) -> Result<PathBuf, Error> {
    chart_source::locate_chart(chart).map_err(|e| Error::at(Stage::Locate, e))
}

/// Step 2: the value flags merged in Helm's order (the user's "config").
pub fn user_values(options: &ValueOptions, stdin: &mut dyn Read) -> Result<Value, Error> {
    chart_source::merge_values(options, stdin).map_err(|e| Error::at(Stage::Values, e))
}

/// Step 3: loads the chart (directory or archive), starting to parse a large directory's templates.
pub fn load(path: &Path) -> Result<LoadedChart, Error> {
    let (chart, preparsed) =
        chart_source::load_chart_for_render(path).map_err(|e| Error::at(Stage::Load, e))?;
    Ok(LoadedChart {
        chart,
        preparsed,
        lookup: None,
    })
}

/// A loaded chart on its way through the pipeline.
pub struct LoadedChart {
    pub chart: Chart,
    /// Templates already parsed by [`load`], used by the first [`LoadedChart::render`].
    preparsed: Option<Preparsed>,
    /// Where `lookup` reads live objects (rendering against a cluster); `None` offline.
    lookup: Option<Rc<dyn Lookup>>,
}

impl From<Chart> for LoadedChart {
    /// A chart loaded elsewhere (its templates are parsed when it renders).
    fn from(chart: Chart) -> LoadedChart {
        LoadedChart {
            chart,
            preparsed: None,
            lookup: None,
        }
    }
}

impl LoadedChart {
    /// Renders against a cluster: `lookup` reads live objects through `source`.
    pub fn set_lookup(&mut self, source: Rc<dyn Lookup>) {
        self.lookup = Some(source);
    }

    /// Helm's `checkIfInstallable`: only application charts render into a release. Returns the
    /// warnings to print (`This chart is deprecated`).
    pub fn check_installable(&self) -> Result<Vec<String>, Error> {
        match self.chart.metadata.chart_type.as_str() {
            "" | "application" => {}
            other => {
                return Err(Error::at(
                    Stage::Load,
                    format!("{other} charts are not installable"),
                ))
            }
        }
        let mut warnings = Vec::new();
        if self.chart.metadata.deprecated {
            warnings.push("This chart is deprecated".to_string());
        }
        Ok(warnings)
    }

    /// Helm's `CheckDependencies`: every dependency Chart.yaml declares is present under `charts/`.
    pub fn check_dependencies(&self) -> Result<(), Error> {
        chart_source::check_dependencies(&self.chart).map_err(|e| {
            Error::at(Stage::Dependencies, format!("An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: {e}"))
        })
    }

    /// Conditions, tags, aliases and import-values against the user's values.
    pub fn process_dependencies(&mut self, config: &Value) -> Result<(), Error> {
        chart_source::process_dependencies(&mut self.chart, config)
            .map_err(|e| Error::at(Stage::Dependencies, e))
    }

    /// The user's values over the chart's defaults (`chartutil.CoalesceValues`).
    pub fn coalesce(&self, config: &Value) -> Result<Value, Error> {
        chart_source::coalesce(&self.chart, config).map_err(|e| Error::at(Stage::Coalesce, e))
    }

    /// [`LoadedChart::coalesce`] as the last use of the chart's values and of `config`, which
    /// are reused instead of copied (`values::coalesce_values_taking`); the chart's `values` are
    /// nil afterwards. For a command that renders once (`template`).
    pub fn coalesce_taking(&mut self, config: Value) -> Result<Value, Error> {
        crate::values::coalesce_values_taking(&mut self.chart, config)
            .map_err(|e| Error::at(Stage::Coalesce, e.to_string()))
    }

    /// Each chart's `values.schema.json` against its coalesced values.
    pub fn validate_schema(&self, values: &Value) -> Result<(), Error> {
        chart_source::validate_schema(&self.chart, values).map_err(|e| Error::at(Stage::Schema, e))
    }

    /// The chart's `kubeVersion` constraint against the Kubernetes version templates will see.
    pub fn check_kube_version(&self, capabilities: &Capabilities) -> Result<(), Error> {
        let constraint = &self.chart.metadata.kube_version;
        let kube = &capabilities.kube_version.version;
        if constraint.is_empty() || chart_source::kube_version_compatible(constraint, kube) {
            return Ok(());
        }
        Err(Error::at(
            Stage::KubeVersion,
            format!(
                "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {kube}"
            ),
        ))
    }

    /// Renders every template; the documents' heads are read on a helper thread as files come out.
    pub fn render(
        &mut self,
        values: &Value,
        release: &ReleaseOptions,
        capabilities: &Capabilities,
        engine: Engine,
    ) -> Result<Rendered, Error> {
        // Started with the first rendered file: by then the thread that parsed the templates ahead
        // has ended, and the reader's thread takes over its memory arena.
        let mut head_reader: Option<release::HeadReader> = None;
        let rendered = engine
            .render_taking(
                &self.chart,
                self.preparsed.take(),
                values,
                release,
                capabilities,
                self.lookup.clone(),
                // The reader takes each file's text (no copy); notes and the files the sorter skips
                // come back to the engine's map.
                &mut |path, text| {
                    if is_notes(path) {
                        return Some(text);
                    }
                    head_reader
                        .get_or_insert_with(release::HeadReader::start)
                        .feed(path, text)
                },
            )
            .map_err(|e: engine::Error| Error {
                excerpt: e.source_excerpt(),
                ..Error::at(Stage::Render, e.to_string())
            })?;
        let (notes, files): (BTreeMap<_, _>, BTreeMap<_, _>) =
            rendered.into_iter().partition(|(path, _)| is_notes(path));
        Ok(Rendered {
            files,
            notes,
            heads: head_reader
                .map(release::HeadReader::finish)
                .unwrap_or_default(),
        })
    }
}

fn is_notes(path: &str) -> bool {
    path.ends_with("NOTES.txt")
}

/// The output of [`LoadedChart::render`].
pub struct Rendered {
    /// Template path → output, without NOTES.txt files, of the files the head reader did not take
    /// (the rest are in `heads`).
    files: BTreeMap<String, String>,
    /// NOTES.txt outputs (the chart's and its subcharts'), by path.
    pub notes: BTreeMap<String, String>,
    heads: release::PreparedHeads,
}

impl Rendered {
    /// Helm's notes: the chart's own `templates/NOTES.txt`, or with `sub_notes` every chart's,
    /// joined by newlines.
    pub fn notes_text(&self, chart_name: &str, sub_notes: bool) -> String {
        let own = format!("{chart_name}/templates/NOTES.txt");
        let mut text = String::new();
        for (path, body) in &self.notes {
            if sub_notes || *path == own {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(body);
            }
        }
        text
    }

    /// Template path → output of every rendered file but the NOTES.txt files.
    pub fn into_files(self) -> BTreeMap<String, String> {
        let mut files = self.files;
        files.extend(
            self.heads
                .files
                .into_iter()
                .map(|(path, read)| (path, read.text)),
        );
        files
    }

    /// The last step: splits the files into documents, reads each head, separates hooks, and sorts
    /// both lists in Helm's install order. On failure the error carries the rendered files.
    pub fn sort(self) -> Result<release::Sorted, Error> {
        release::sort_prepared(self.files, self.heads).map_err(|(err, files)| {
            let mut dump = String::new();
            for (name, content) in &files {
                if !content.trim().is_empty() {
                    push_source(&mut dump, name, content);
                }
            }
            Error {
                rendered: Some(dump),
                ..Error::at(Stage::Sort, err.to_string())
            }
        })
    }
}

/// Appends `---\n# Source: NAME\nCONTENT\n`, the way Helm writes each document of a release.
pub fn push_source(out: &mut String, name: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(name);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

/// The release manifest Helm stores and applies: every (non-hook) document in install order, each
/// with its `# Source:` line.
pub fn manifest_text(manifests: &[Manifest]) -> String {
    let mut text = String::with_capacity(
        manifests
            .iter()
            .map(|m| m.name.len() + m.content.len() + 16)
            .sum(),
    );
    for m in manifests {
        push_source(&mut text, &m.name, &m.content);
    }
    text
}

/// One hook as Helm prints it after the manifests.
pub fn hook_text(hook: &Hook) -> String {
    let mut text = String::with_capacity(hook.path.len() + hook.manifest.len() + 16);
    push_source(&mut text, &hook.path, &hook.manifest);
    text
}

/// Helm's `Chart.CRDObjects`: `crds/*.yaml|yml|json` of the chart and then of each subchart, named by
/// full path (`chart/crds/x.yaml`, `chart/charts/sub/crds/y.yaml`), with their text (borrowed from
/// the chart: CRD files are often megabytes, copied out as they are).
pub fn crd_objects(chart: &Chart) -> Vec<(String, Cow<'_, str>)> {
    let mut crds = Vec::new();
    collect_crds(chart, chart.name(), &mut |name, file| {
        crds.push((name, crd_text(file)))
    });
    crds
}

/// [`crd_objects`] with each text sharing the chart's buffer of its file (a copy when the file is
/// not valid UTF-8).
pub fn crd_sources(chart: &Chart) -> Vec<(String, Source)> {
    let mut crds = Vec::new();
    collect_crds(chart, chart.name(), &mut |name, file| {
        crds.push((name, Source::within(&file.data, &crd_text(file))))
    });
    crds
}

fn crd_text(file: &crate::chart::File) -> Cow<'_, str> {
    // `from_utf8` checks valid text faster than the lossy decoder's chunks.
    match std::str::from_utf8(&file.data) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(&file.data),
    }
}

fn collect_crds<'c>(
    chart: &'c Chart,
    full_path: &str,
    found: &mut dyn FnMut(String, &'c crate::chart::File),
) {
    for file in &chart.files {
        let is_manifest = [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| file.name.ends_with(ext));
        if file.name.starts_with("crds/") && is_manifest {
            found(format!("{full_path}/{}", file.name), file);
        }
    }
    for sub in &chart.dependencies {
        collect_crds(sub, &format!("{full_path}/charts/{}", sub.name()), found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart_dir(test: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "rudder-action-pipeline-{}-{test}",
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

    fn empty() -> Value {
        user_values(&ValueOptions::default(), &mut std::io::empty()).unwrap()
    }

    fn release() -> ReleaseOptions {
        ReleaseOptions {
            name: "rel".into(),
            namespace: "ns".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        }
    }

    #[test]
    fn steps_in_order_give_manifests_hooks_and_notes() {
        let dir = chart_dir(
            "steps",
            &[
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
                ("values.yaml", "n: 1\n"),
                ("crds/crd.yaml", "kind: CustomResourceDefinition\n"),
                (
                    "templates/cm.yaml",
                    "kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Values.n }}\n",
                ),
                (
                    "templates/job.yaml",
                    "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: post-install\n",
                ),
                ("templates/NOTES.txt", "hello {{ .Release.Namespace }}"),
            ],
        );
        let path = locate(dir.to_str().unwrap()).unwrap();
        let flags = ValueOptions {
            values: vec!["n=2".to_string()],
            ..ValueOptions::default()
        };
        let config = user_values(&flags, &mut std::io::empty()).unwrap();
        let mut chart = load(&path).unwrap();
        assert!(chart.check_installable().unwrap().is_empty());
        chart.check_dependencies().unwrap();
        chart.process_dependencies(&config).unwrap();
        let values = chart.coalesce(&config).unwrap();
        chart.validate_schema(&values).unwrap();
        chart.check_kube_version(&Capabilities::default()).unwrap();
        let rendered = chart
            .render(
                &values,
                &release(),
                &Capabilities::default(),
                Engine::default(),
            )
            .unwrap();
        assert_eq!(rendered.notes_text("c", false), "hello ns");
        let sorted = rendered.sort().unwrap();
        assert_eq!(
            manifest_text(&sorted.manifests),
            "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: rel-2\n"
        );
        assert_eq!(sorted.hooks.len(), 1);
        assert_eq!(sorted.hooks[0].name, "j");
        assert_eq!(
            crd_objects(&chart.chart),
            vec![(
                "c/crds/crd.yaml".to_string(),
                Cow::Borrowed("kind: CustomResourceDefinition\n")
            )]
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn each_step_names_its_stage() {
        let dir = chart_dir(
            "stages",
            &[
                (
                    "Chart.yaml",
                    "apiVersion: v2\nname: c\nversion: 0.1.0\nkubeVersion: '>=9.0.0'\n",
                ),
                ("templates/x.yaml", "kind: A\n"),
            ],
        );
        assert_eq!(locate("./no/such/chart").unwrap_err().stage, Stage::Locate);
        let chart = load(&locate(dir.to_str().unwrap()).unwrap()).unwrap();
        let err = chart
            .check_kube_version(&Capabilities::default())
            .unwrap_err();
        assert_eq!(err.stage, Stage::KubeVersion);
        assert!(err
            .message
            .starts_with("chart requires kubeVersion: >=9.0.0"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn unreadable_document_carries_the_rendered_files() {
        let dir = chart_dir(
            "sort",
            &[
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
                ("templates/x.yaml", "foo"),
            ],
        );
        let mut chart = load(&locate(dir.to_str().unwrap()).unwrap()).unwrap();
        let values = chart.coalesce(&empty()).unwrap();
        let rendered = chart
            .render(
                &values,
                &release(),
                &Capabilities::default(),
                Engine::default(),
            )
            .unwrap();
        let err = rendered.sort().unwrap_err();
        assert_eq!(err.stage, Stage::Sort);
        assert!(err.during_render());
        assert_eq!(
            err.rendered.as_deref(),
            Some("---\n# Source: c/templates/x.yaml\nfoo\n")
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
