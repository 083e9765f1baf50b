//! Running one test (helm-unittest's `TestJob.RunV3`): its values (values files, the suite's and the
//! test's `set`, scoped to the suite's chart within the dependency tree), a render of the already
//! loaded chart through Rudder's engine with the test's release, capabilities and chart overrides,
//! the failure of a render turned into a document for `failedTemplate`, an optional post-renderer,
//! the rendered files read as YAML documents, and every assertion run over its templates.
//!
//! Each render starts from a copy of the chart loaded once for the whole run, so nothing one test
//! changes (chart metadata, values) reaches the next; only the parse trees of its templates are
//! shared between the tests that select the same templates ([`ParseCache`]).
use std::collections::BTreeMap;
use std::path::Path as FsPath;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::chart::Chart;
use crate::engine::{Capabilities, Engine, KubeVersion, ParseCache, ReleaseOptions};
use crate::yaml::emit::Doc;

use super::assert::{AssertResult, Rendered, SnapshotComparer};
use super::data::{self, merge_tables};
use super::path::set_path;
use super::snapshot::SnapshotCache;
use super::suite::{Suite, Test};

/// A render's files, whether it succeeded, and an error no template could be blamed for.
type Output = (BTreeMap<String, String>, bool, Option<String>);

/// What a run needs to know besides the suite.
#[derive(Debug, Clone, Default)]
pub struct RunSettings {
    /// `-v/--values` files (absolute), added after the suite's own.
    pub values: Vec<String>,
    pub fail_fast: bool,
    pub skip_schema_validation: bool,
    /// `-d/--debugPlugin`: where every test's rendered files are written (helm-unittest's
    /// `.debug`, relative to the working directory), each under its template name.
    pub render_path: Option<std::path::PathBuf>,
}

/// The Kubernetes version a test gets when neither it nor its suite names one. helm-unittest's
/// `capabilitiesV3` writes every test's version into Helm's shared `DefaultCapabilities`, so that
/// is the version the last test rendered before it (in the run's order: charts, suite files,
/// suites, tests) had; v1.20.0 at the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeCarry {
    pub major: String,
    pub minor: String,
}

impl Default for KubeCarry {
    fn default() -> KubeCarry {
        KubeCarry {
            major: "1".to_string(),
            minor: "20".to_string(),
        }
    }
}

impl KubeCarry {
    /// Whether `test` renders at all (skipped tests leave the version alone).
    pub fn renders(suite: &Suite, test: &Test) -> bool {
        test.skip_reason.is_empty() && suite.skip_reason.is_empty()
    }

    /// The version `test` renders with, which later tests then inherit.
    pub fn apply(&mut self, suite: &Suite, test: &Test) -> KubeCarry {
        let pick = |t: &String, s: &String, carried: &String| {
            first_non_empty(t, s).unwrap_or(carried).clone()
        };
        *self = KubeCarry {
            major: pick(
                &test.capabilities.major_version,
                &suite.capabilities.major_version,
                &self.major,
            ),
            minor: pick(
                &test.capabilities.minor_version,
                &suite.capabilities.minor_version,
                &self.minor,
            ),
        };
        self.clone()
    }
}

/// The verdict on one test.
#[derive(Debug, Clone, Default)]
pub struct TestResult {
    pub name: String,
    pub line: usize,
    pub passed: bool,
    pub skipped: bool,
    /// An error that stopped the test (values, render, post-render, YAML of the output).
    pub error: Option<String>,
    pub asserts: Vec<AssertResult>,
    pub duration: Duration,
}

/// `spliteChartRoutes`: the chart names along a route (`parent/charts/sub` → `parent`, `sub`).
fn routes(route: &str) -> Vec<&str> {
    route.split('/').step_by(2).collect()
}

/// `scopeValuesWithRoutes`: puts values meant for a subchart under its name (keeping `global`).
fn scope(routes: &[&str], values: Doc) -> Doc {
    if routes.len() <= 1 {
        return values;
    }
    let mut scoped = Vec::new();
    if let Doc::Map(m) = &values {
        if let Some(g) = data::get(m, "global") {
            data::insert(&mut scoped, "global", g.clone());
        }
    }
    data::insert(&mut scoped, routes[routes.len() - 1], values);
    scope(&routes[..routes.len() - 1], Doc::Map(scoped))
}

/// `getTemplateFileName`: `templates/` is implied unless the name starts with `templates`,
/// `charts`, `crds` or `**`.
pub fn template_file_name(name: &str) -> String {
    if ["templates", "charts", "crds", "**"]
        .iter()
        .any(|p| name.starts_with(p))
    {
        name.to_string()
    } else {
        format!("templates/{name}")
    }
}

/// `filepath.Join` of a route and a name, cleaned.
fn join(route: &str, name: &str) -> String {
    crate::template::funcs::sprig::paths::clean(&format!("{route}/{name}"))
}

/// `getTemplateFileNamePattern`: the regular expression (matched anywhere, unanchored) a template
/// name of a suite stands for.
fn template_pattern(name: &str) -> Option<regex::Regex> {
    let mut p = name.replace('.', "\\.");
    p = p.replace('+', "\\+");
    p = p.replace('[', "\\[");
    p = p.replace(']', "\\]");
    p = p.replace("**", "[0-9a-zA-Z_\\-/\\.]+");
    p = p.replace('*', "[0-9a-zA-Z_\\-_/\\.]*");
    for c in ['?', '(', ')', '|', '{', '}', '^', '$'] {
        p = p.replace(c, &format!("\\{c}"));
    }
    regex::Regex::new(&p).ok()
}

/// `CopyV3Chart`: keeps, in every chart of the tree, the templates the suite selects (minus the
/// excluded ones) and all partials.
fn filter_templates(
    chart: &mut Chart,
    current: &str,
    select: &[regex::Regex],
    skip: &[regex::Regex],
) {
    let templates = std::mem::take(&mut chart.templates);
    let mut kept = Vec::new();
    for re in select {
        for t in &templates {
            if re.is_match(&format!("{current}/{}", t.name)) {
                kept.push(t.clone());
            }
        }
    }
    kept.retain(|t| {
        let full = format!("{current}/{}", t.name);
        !skip.iter().any(|re| re.is_match(&full))
    });
    for t in &templates {
        if t.name
            .rsplit('/')
            .next()
            .unwrap_or(&t.name)
            .starts_with('_')
        {
            kept.push(t.clone());
        }
    }
    // The same template selected twice is one template to Helm's engine.
    let mut seen = std::collections::HashSet::new();
    kept.retain(|t| seen.insert(t.name.clone()));
    chart.templates = kept;
    for dep in &mut chart.dependencies {
        let child = format!("{current}/charts/{}", dep.name());
        filter_templates(dep, &child, select, skip);
    }
}

/// Helm's render error as helm-unittest splits it: the template file and the message
/// (`parseRenderError`).
fn parse_render_error(message: &str) -> (String, String) {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"(?msU)^(?:.+: |.+ \()(?:(.+):\d+:\d+).+(?:.+>)*: (.+)$")
            .expect("valid pattern")
    });
    match re.captures(message) {
        Some(c) => {
            let file = c.get(1).map_or("", |m| m.as_str()).to_string();
            let raw = match message.split_once('\n') {
                Some((_, rest)) => rest.to_string(),
                None => c.get(2).map_or("", |m| m.as_str()).to_string(),
            };
            (file, raw)
        }
        None => (String::new(), String::new()),
    }
}

fn raw_doc(text: &str) -> Doc {
    Doc::Map(vec![(Rc::from("raw"), Doc::Str(Rc::from(text)))])
}

/// `parseYamlFile`: the documents of a rendered file, empty ones dropped; a document that is not a
/// map is an error, as decoding into helm-unittest's `K8sManifest` is.
fn parse_yaml_file(text: &str) -> Result<Vec<Doc>, String> {
    static SPLIT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = SPLIT.get_or_init(|| regex::Regex::new(r"(?:^|\s*\n)---\s*").expect("valid pattern"));
    let text = re.replace_all(text, "\n---\n");
    let docs = data::parse_documents(&text).map_err(|e| e.message)?;
    let mut out = Vec::new();
    for d in docs {
        match d {
            Doc::Null => {}
            Doc::Map(m) if m.is_empty() => {}
            Doc::Map(_) => out.push(d),
            other => {
                let tag = match other {
                    Doc::Seq(_) => "!!seq",
                    Doc::Str(_) | Doc::Timestamp(_) => "!!str",
                    Doc::Int(_) | Doc::Uint(_) => "!!int",
                    Doc::Float(_) => "!!float",
                    Doc::Bool(_) => "!!bool",
                    _ => "!!map",
                };
                return Err(format!(
                    "yaml: unmarshal errors:\n  cannot unmarshal {tag} into common.K8sManifest"
                ));
            }
        }
    }
    Ok(out)
}

/// Runs one test of `suite` against `chart` (the whole chart, loaded once); `parsed` keeps the
/// template sets of earlier tests on this chart (only the values differ between tests).
#[allow(clippy::too_many_arguments)]
pub fn run_test(
    chart: &Chart,
    parsed: &mut ParseCache,
    suite: &Suite,
    route: &str,
    test: &Test,
    settings: &RunSettings,
    cache: &mut SnapshotCache,
    kube: &mut KubeCarry,
) -> TestResult {
    let start = Instant::now();
    let mut result = TestResult {
        name: test.name.clone(),
        line: test.line,
        ..TestResult::default()
    };
    if !KubeCarry::renders(suite, test) {
        result.skipped = true;
        return result;
    }
    let require_success = test.asserts.iter().all(|a| a.require_render_success);

    // Values: files (the suite's, the command line's, the test's), then the suite's and the
    // test's `set`; later ones win.
    let route_names = routes(route);
    let mut base = Doc::Map(Vec::new());
    let suite_dir = FsPath::new(&suite.file)
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let files = suite
        .values
        .iter()
        .chain(&settings.values)
        .chain(&test.values);
    for file in files {
        let path = if FsPath::new(file).is_absolute() {
            FsPath::new(file).to_path_buf()
        } else {
            suite_dir.join(file)
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                result.error = Some(crate::go_os::path_error("open", &path, &e));
                result.duration = start.elapsed();
                return result;
            }
        };
        let value = match data::parse_one(&text) {
            Ok(Doc::Null) => Doc::Map(Vec::new()),
            Ok(d @ Doc::Map(_)) => d,
            Ok(_) => {
                result.error = Some(format!(
                    "failed to parse {file}: yaml: unmarshal errors:\n  line 1: cannot unmarshal a non-map document into map[string]interface {{}}"
                ));
                result.duration = start.elapsed();
                return result;
            }
            Err(e) => {
                result.error = Some(format!("failed to parse {file}: {}", e.message));
                result.duration = start.elapsed();
                return result;
            }
        };
        base = merge_tables(scope(&route_names, value), &base);
    }
    for (path, value) in suite.set.iter().chain(&test.set) {
        match set_path(path, value.clone()) {
            Ok(v) => base = merge_tables(scope(&route_names, v), &base),
            Err(e) => {
                result.error = Some(e.to_string());
                result.duration = start.elapsed();
                return result;
            }
        }
    }

    let templates_to_assert: Vec<String> = if suite.templates.is_empty() {
        vec!["**".to_string()]
    } else {
        suite.templates.clone()
    };
    let (output, render_succeeded, render_error) = render_or_fail(
        chart,
        parsed,
        suite,
        route,
        test,
        &base,
        &templates_to_assert,
        require_success,
        settings,
        kube,
    )
    .unwrap_or_else(|e| (BTreeMap::new(), false, Some(e)));
    if let Some(dir) = &settings.render_path {
        if let Err(e) = write_rendered(dir, &output) {
            result.error = Some(e);
            result.duration = start.elapsed();
            return result;
        }
    }
    if let Some(e) = &render_error {
        result.error = Some(e.clone());
    }

    // Post-render.
    let post = if !test.post_renderer.cmd.is_empty() {
        Some(&test.post_renderer)
    } else if !suite.post_renderer.cmd.is_empty() {
        Some(&suite.post_renderer)
    } else {
        None
    };
    let (files, did_post_render) = match post {
        None => (output.clone(), false),
        Some(p) => match post_render(&output, &p.cmd, &p.args) {
            Ok(files) => (files, true),
            Err(e) => {
                result.error = Some(e);
                result.duration = start.elapsed();
                return result;
            }
        },
    };

    // Rendered files as documents.
    let chart_name = chart.name().to_string();
    let mut manifests: BTreeMap<String, Vec<Doc>> = BTreeMap::new();
    if suite.include_crds {
        for (name, text) in crd_files(chart, &chart_name) {
            match parse_yaml_file(&text) {
                Ok(docs) => {
                    manifests.insert(name, docs);
                }
                Err(e) => {
                    result.error = Some(e);
                    result.duration = start.elapsed();
                    return result;
                }
            }
        }
    }
    for (file, text) in &files {
        let key = if file.starts_with(&chart_name) {
            file.clone()
        } else {
            join(&chart_name, file)
        };
        let ext = if render_succeeded {
            key.rsplit_once('.').map(|(_, e)| e).unwrap_or("")
        } else {
            "yaml"
        };
        match ext {
            "yaml" | "yml" | "tpl" => {
                if !render_succeeded {
                    manifests.insert(key, vec![raw_doc(text)]);
                    continue;
                }
                match parse_yaml_file(text) {
                    Ok(docs) => {
                        manifests.insert(key, docs);
                    }
                    Err(e) => {
                        result.error = Some(e);
                        result.duration = start.elapsed();
                        return result;
                    }
                }
            }
            "txt" => {
                manifests.insert(key, vec![raw_doc(text)]);
            }
            _ => {}
        }
    }

    // Which templates each assertion looks at (`polishAssertionsTemplate`).
    let wildcard = templates_to_assert.iter().any(|t| t.contains('*'));
    let default_templates: Vec<String> = if wildcard {
        let mut all: Vec<String> = output.keys().cloned().collect();
        if suite.include_crds {
            all.extend(crd_files(chart, &chart_name).into_iter().map(|(n, _)| n));
        }
        all
    } else {
        templates_to_assert
            .iter()
            .map(|t| join(route, &template_file_name(t)))
            .collect()
    };
    let selector = test.document_selector.as_ref();
    let skip_empty = selector.is_some_and(|s| s.skip_empty_templates);
    let rendered = Rendered {
        manifests,
        render_succeeded,
        render_error,
        did_post_render,
        skip_empty_templates: skip_empty,
        fail_fast: settings.fail_fast,
    };
    let mut comparer = SnapshotComparer {
        cache,
        test: test.name.clone(),
        counter: 0,
    };
    let mut passed = false;
    for (i, assertion) in test.asserts.iter().enumerate() {
        let templates: Vec<String> = if !assertion.template.is_empty() {
            vec![join(route, &template_file_name(&assertion.template))]
        } else if !test.templates.is_empty() {
            test.templates
                .iter()
                .map(|t| join(route, &template_file_name(t)))
                .collect()
        } else if !test.template.is_empty() {
            vec![join(route, &template_file_name(&test.template))]
        } else {
            default_templates.clone()
        };
        let index = test.document_index.or(assertion.document_index);
        let sel = assertion.document_selector.as_ref().or(selector);
        let r = assertion.assert(i, &templates, index, sel, &rendered, &mut comparer);
        let ok = r.passed;
        if r.skipped {
            passed = true;
        }
        result.asserts.push(r);
        passed = if i == 0 { ok } else { passed && ok };
        if !passed && settings.fail_fast {
            break;
        }
    }
    result.passed = passed;
    if !result.asserts.is_empty() && result.asserts.iter().all(|a| a.skipped) {
        result.skipped = true;
    }
    result.duration = start.elapsed();
    result
}

/// Renders the chart for a test: the files, whether the render succeeded, and an error no template
/// could be blamed for (values, dependencies, schema, or a failure no `failedTemplate` expects;
/// `Err`, with which helm-unittest goes on to the assertions with nothing rendered).
#[allow(clippy::too_many_arguments)]
fn render_or_fail(
    chart: &Chart,
    parsed: &mut ParseCache,
    suite: &Suite,
    route: &str,
    test: &Test,
    user: &Doc,
    templates_to_assert: &[String],
    require_success: bool,
    settings: &RunSettings,
    kube: &mut KubeCarry,
) -> Result<Output, String> {
    let json = data::to_json(user)?;
    let values = crate::yaml::parse_values(&json, "values").map_err(|e| e.to_string())?;
    let chart = chart.clone();

    let release_name = if test.release.name.is_empty() {
        suite.release.name.clone()
    } else {
        test.release.name.clone()
    };
    if !release_name.is_empty() && crate::action::release_name::validate(&release_name).is_err() {
        return Err(format!(
            "invalid release name, must match regex {} and the length must not be longer than 53",
            crate::action::release_name::RELEASE_NAME_PATTERN
        ));
    }
    // The render pipeline's steps (`action::pipeline`); the render itself is the engine's, since a
    // test needs NOTES.txt among the files and no sorting.
    let mut loaded = crate::action::pipeline::LoadedChart::from(chart);
    loaded
        .process_dependencies(&values)
        .map_err(|e| e.to_string())?;
    // From here on helm-unittest has computed the capabilities (and left their version behind).
    let KubeCarry { major, minor } = kube.apply(suite, test);
    let coalesced = loaded.coalesce(&values).map_err(|e| e.to_string())?;
    if !settings.skip_schema_validation {
        // helm-unittest's embedded Helm (v3.21) validates with santhosh-tekuri/jsonschema.
        crate::values::schema_v6::validate_against_schema(&loaded.chart, &coalesced)
            .map_err(|e| e.to_string())?;
    }
    let mut chart = loaded.chart;

    let select: Vec<regex::Regex> = templates_to_assert
        .iter()
        .filter_map(|t| template_pattern(&join(route, &template_file_name(t))))
        .collect();
    let skip: Vec<regex::Regex> = suite
        .exclude_templates
        .iter()
        .filter_map(|t| template_pattern(&join(route, &template_file_name(t))))
        .collect();
    let name = chart.name().to_string();
    filter_templates(&mut chart, &name, &select, &skip);

    // `chart:` overrides apply to the chart and its direct dependencies.
    let version = first_non_empty(&test.chart.version, &suite.chart.version);
    let app_version = first_non_empty(&test.chart.app_version, &suite.chart.app_version);
    if let Some(v) = version {
        chart.metadata.version = v.clone();
        for d in &mut chart.dependencies {
            d.metadata.version = v.clone();
        }
    }
    if let Some(v) = app_version {
        chart.metadata.app_version = v.clone();
        for d in &mut chart.dependencies {
            d.metadata.app_version = v.clone();
        }
    }

    let release = ReleaseOptions {
        name: if release_name.is_empty() {
            "RELEASE-NAME".to_string()
        } else {
            release_name
        },
        namespace: first_non_empty(&test.release.namespace, &suite.release.namespace)
            .cloned()
            .unwrap_or_else(|| "NAMESPACE".to_string()),
        revision: if test.release.revision != 0 {
            test.release.revision
        } else {
            suite.release.revision
        },
        is_install: !(test.release.upgrade || suite.release.upgrade),
        is_upgrade: test.release.upgrade || suite.release.upgrade,
    };
    let mut api_versions = Vec::new();
    if let Some(test_versions) = &test.capabilities.api_versions {
        api_versions.extend(test_versions.iter().cloned());
        if let Some(suite_versions) = &suite.capabilities.api_versions {
            api_versions.extend(suite_versions.iter().cloned());
        }
    }
    let capabilities = Capabilities {
        kube_version: KubeVersion {
            version: format!("v{major}.{minor}.0"),
            major,
            minor,
        },
        api_versions,
        ..Capabilities::default()
    };
    let provider = merged_provider(suite, test);
    let engine = Engine::default();
    let lookup = provider.map(|p| Rc::new(p) as Rc<dyn crate::engine::funcs::Lookup>);
    let result = engine.render_cached(
        &chart,
        parsed,
        &coalesced,
        &release,
        &capabilities,
        lookup,
        &mut |_, _| {},
    );
    match result {
        Ok(files) => Ok((files, true, None)),
        Err(e) => {
            let message = e.to_string();
            if require_success {
                return Err(message);
            }
            let (file, raw) = parse_render_error(&message);
            if file.is_empty() && raw.is_empty() {
                return Ok((BTreeMap::new(), false, Some(message)));
            }
            let mut out = BTreeMap::new();
            let base = file.rsplit('/').next().unwrap_or(&file);
            if base.starts_with('_') {
                for t in templates_to_assert {
                    out.insert(join(route, &template_file_name(t)), raw.clone());
                }
            } else {
                out.insert(file, raw);
            }
            Ok((out, false, None))
        }
    }
}

/// `writeRenderedOutput`: each rendered file under `dir`, at its template name (the chart's name
/// first), directories made as needed; a later test's render of the same file replaces it.
fn write_rendered(dir: &FsPath, files: &BTreeMap<String, String>) -> Result<(), String> {
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            crate::go_os::mkdir_all(parent)?;
        }
        std::fs::write(&path, text).map_err(|e| crate::go_os::path_error("open", &path, &e))?;
    }
    Ok(())
}

fn merged_provider(suite: &Suite, test: &Test) -> Option<super::lookup::Provider> {
    let mut objects = test.kubernetes_provider.objects.clone();
    objects.extend(suite.kubernetes_provider.objects.iter().cloned());
    if objects.is_empty() {
        return None;
    }
    let mut scheme = test.kubernetes_provider.scheme.clone();
    for (k, v) in &suite.kubernetes_provider.scheme {
        scheme.retain(|(x, _)| x != k);
        scheme.push((k.clone(), v.clone()));
    }
    Some(super::lookup::Provider { scheme, objects })
}

fn first_non_empty<'a>(a: &'a String, b: &'a String) -> Option<&'a String> {
    if !a.is_empty() {
        Some(a)
    } else if !b.is_empty() {
        Some(b)
    } else {
        None
    }
}

/// `Chart.CRDObjects`: `crds/*.yaml|yml|json` of the chart tree, named by full path.
fn crd_files(chart: &Chart, full: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in &chart.files {
        if f.name.starts_with("crds/")
            && [".yaml", ".yml", ".json"]
                .iter()
                .any(|e| f.name.ends_with(e))
        {
            out.push((
                format!("{full}/{}", f.name),
                String::from_utf8_lossy(&f.data).into_owned(),
            ));
        }
    }
    for d in &chart.dependencies {
        out.extend(crd_files(d, &format!("{full}/charts/{}", d.name())));
    }
    out
}

const FILE_MARK: &str = "#### file:";

/// `MergeAndPostRender` and `SplitManifests`: every file under a `#### file: NAME` comment through
/// the command, and back.
fn post_render(
    files: &BTreeMap<String, String>,
    cmd: &str,
    args: &[String],
) -> Result<BTreeMap<String, String>, String> {
    use std::io::Write;
    let mut input = String::new();
    for (name, text) in files {
        input.push_str(&format!("---\n{FILE_MARK} {name}\n{}\n", text.trim()));
    }
    let mut child = std::process::Command::new(cmd)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("post-render failed: unable to find binary at {cmd}: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child
        .wait_with_output()
        .map_err(|e| format!("post-render failed: {e}"))?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(format!(
            "post-render failed: error while running command {cmd}. error output:\n{}: {}",
            String::from_utf8_lossy(&output.stderr),
            output.status
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut out = BTreeMap::new();
    let marker = format!("---\n{FILE_MARK}");
    let mut blocks: Vec<&str> = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.get(1..).and_then(|r| r.find(&marker)).map(|i| i + 1) {
        blocks.push(&rest[..at]);
        rest = &rest[at..];
    }
    blocks.push(rest);
    for block in blocks {
        let Some(pos) = block.find(FILE_MARK) else {
            continue;
        };
        let line_end = block[pos..].find('\n').map_or(block.len(), |i| pos + i);
        let name = block[pos + FILE_MARK.len()..line_end].trim_start_matches(' ');
        if name.is_empty() {
            continue;
        }
        let body = block.get(line_end + 1..).unwrap_or("");
        out.insert(name.to_string(), body.to_string());
    }
    if out.is_empty() {
        out.insert("manifest.yaml".to_string(), text);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_errors_split_like_helm_unittest() {
        assert_eq!(
            parse_render_error("execution error at (c/templates/x.yaml:3:4): boom"),
            ("c/templates/x.yaml".to_string(), "boom".to_string())
        );
        assert_eq!(
            parse_render_error("template: c/templates/x.yaml:3:4: executing \"c/templates/x.yaml\" at <.Values.a.b>: nil pointer evaluating interface {}.b"),
            (
                "c/templates/x.yaml".to_string(),
                "nil pointer evaluating interface {}.b".to_string()
            )
        );
        assert_eq!(
            parse_render_error("something else"),
            (String::new(), String::new())
        );
    }

    #[test]
    fn routes_scope_subchart_values() {
        let v = data::parse_one("a: 1\nglobal: {g: 2}").unwrap();
        let scoped = scope(&routes("p/charts/s"), v);
        assert_eq!(
            data::to_json(&scoped).unwrap(),
            r#"{"global":{"g":2},"s":{"a":1,"global":{"g":2}}}"#
        );
    }

    #[test]
    fn template_names_and_patterns() {
        assert_eq!(template_file_name("dep.yaml"), "templates/dep.yaml");
        assert_eq!(
            template_file_name("charts/x/templates/a.yaml"),
            "charts/x/templates/a.yaml"
        );
        let re = template_pattern("c/templates/*.yaml").unwrap();
        assert!(re.is_match("c/templates/dep.yaml"));
        let re = template_pattern("c/**").unwrap();
        assert!(re.is_match("c/charts/s/templates/a.yaml"));
    }
}
