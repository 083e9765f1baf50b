//! `lint`: Helm v3.17.3's `action.Lint` and `pkg/lint` over one chart path — Chart.yaml, values,
//! templates (rendered in lint mode with the user's values), dependencies — in Helm's order and with
//! its messages. The `templates/` rule reuses the render pipeline of `template` (chart loading,
//! dependency processing, coalescing, schema validation, the engine).
//!
//! Kubernetes API deprecations are checked against `chart::deprecated_apis`. Not implemented:
//! JSON-formatted manifests (read as YAML here).
use std::path::{Path, PathBuf};

use super::pipeline::LoadedChart;
use crate::chart::lint::{self as rules, Linter, Message, Severity};
use crate::engine::{Capabilities, Engine, KubeVersion, ReleaseOptions};
use crate::template::printf::quote_go;
use crate::template::Value;

/// How to lint (flags already parsed).
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// `--strict`: warnings fail the chart too.
    pub strict: bool,
    /// `--namespace`.
    pub namespace: String,
    /// `--kube-version`.
    pub kube_version: Option<KubeVersion>,
    /// `--skip-schema-validation` (the `templates/` rule only, as in Helm).
    pub skip_schema_validation: bool,
}

/// The outcome for one path. Mirrors `action.LintResult`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintResult {
    pub messages: Vec<Message>,
    /// Messages at or above the failing severity, and errors that stopped linting the path.
    pub errors: Vec<String>,
}

impl LintResult {
    /// Helm's `HasWarningsOrErrors`.
    pub fn has_warnings_or_errors(&self) -> bool {
        self.messages.iter().any(|m| m.severity > Severity::Info) || !self.errors.is_empty()
    }
}

/// Lints one chart path (a directory or a `.tgz`/`.tar.gz` archive). Mirrors `action.Lint.Run`.
pub fn run(path: &str, values: &Value, options: &LintOptions) -> LintResult {
    let mut result = LintResult::default();
    let tolerance = if options.strict {
        Severity::Warning
    } else {
        Severity::Error
    };
    match lint_chart(path, values, options) {
        Err(e) => result.errors.push(e),
        Ok(linter) => {
            for m in &linter.messages {
                if m.severity >= tolerance {
                    result.errors.push(m.text.clone());
                }
            }
            result.messages = linter.messages;
        }
    }
    result
}

/// `--with-subcharts`: every directory under `PATH/charts` holding a Chart.yaml and every archive
/// there, in Go's `filepath.Walk` order, after the given paths.
pub fn with_subcharts(paths: &[String]) -> Vec<String> {
    let mut out = paths.to_vec();
    for p in paths {
        walk(&go_join(p, "charts"), &mut out);
    }
    out
}

fn walk(path: &str, out: &mut Vec<String>) {
    let p = Path::new(path);
    let Ok(meta) = std::fs::symlink_metadata(p) else {
        return;
    };
    if meta.is_dir() {
        let Ok(entries) = std::fs::read_dir(p) else {
            return;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            walk(&go_join(path, &name), out);
        }
    } else if p.file_name().is_some_and(|n| n == "Chart.yaml") {
        out.push(go_dir(path));
    } else if path.ends_with(".tgz") || path.ends_with(".tar.gz") {
        out.push(path.to_string());
    }
}

/// Go's `filepath.Join` for two relative-or-absolute slash paths (cleaned).
fn go_join(a: &str, b: &str) -> String {
    go_clean(&format!("{a}/{b}"))
}

fn go_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => go_clean(&path[..i]),
        None => ".".to_string(),
    }
}

/// Go's `filepath.Clean`.
fn go_clean(path: &str) -> String {
    crate::template::funcs::sprig::paths::clean(path)
}

/// `lintChart`: unpacks an archive, requires Chart.yaml, then runs every rule.
fn lint_chart(path: &str, values: &Value, options: &LintOptions) -> Result<Linter, String> {
    let mut _unpacked = None;
    let chart_path: PathBuf = if path.ends_with(".tgz") || path.ends_with(".tar.gz") {
        let dir = Unpacked::new(path)?;
        let top = dir.top_dir()?;
        _unpacked = Some(dir);
        top
    } else {
        PathBuf::from(path)
    };
    let chart_yaml = go_join(&chart_path.display().to_string(), "Chart.yaml");
    if let Err(e) = std::fs::metadata(&chart_yaml) {
        return Err(format!(
            "unable to check Chart.yaml file in chart: stat {chart_yaml}: {}",
            crate::go_os::reason(&e)
        ));
    }
    Ok(all(&chart_path, values, options))
}

/// `lint.AllWithKubeVersionAndSchemaValidation`.
fn all(dir: &Path, values: &Value, options: &LintOptions) -> Linter {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let shown = go_clean(&absolute.display().to_string());
    let mut linter = Linter::default();
    rules::chartfile(&mut linter, dir);
    rules::values(&mut linter, dir, values);
    templates(&mut linter, dir, values, options);
    rules::dependencies(&mut linter, dir, &shown);
    linter
}

/// `rules.TemplatesWithSkipSchemaValidation`: render in lint mode, then check every template of the
/// chart (not its subcharts): extension, v2-only constructs, and each rendered YAML document.
fn templates(linter: &mut Linter, dir: &Path, values: &Value, options: &LintOptions) {
    const TEMPLATES: &str = "templates/";
    let templates_dir = dir.join("templates");
    if !linter.rule(
        Severity::Warning,
        TEMPLATES,
        match std::fs::metadata(&templates_dir) {
            Ok(meta) if !meta.is_dir() => Err("not a directory".into()),
            _ => Ok(()),
        },
    ) {
        return;
    }
    let chart = match crate::chart::load(dir) {
        Ok(chart) => chart,
        Err(e) => {
            linter.rule(Severity::Error, TEMPLATES, Err(e.to_string()));
            return;
        }
    };
    let release = ReleaseOptions {
        name: "test-release".to_string(),
        namespace: options.namespace.clone(),
        revision: 0,
        is_install: false,
        is_upgrade: false,
    };
    let capabilities = Capabilities::for_template(options.kube_version.clone(), &[]);
    let mut chart = LoadedChart::from(chart);
    // Like Helm, failures here end the rule silently (the values rule reports bad values).
    if chart.process_dependencies(values).is_err() {
        return;
    }
    let Ok(coalesced) = chart.coalesce(values) else {
        return;
    };
    if !options.skip_schema_validation {
        if let Err(e) = chart.validate_schema(&coalesced) {
            linter.rule(Severity::Error, TEMPLATES, Err(e.to_string()));
            return;
        }
    }
    let engine = Engine {
        lint_mode: true,
        ..Engine::default()
    };
    let rendered = match chart.render(&coalesced, &release, &capabilities, engine) {
        Ok(rendered) => rendered.into_files(),
        Err(e) => {
            linter.rule(Severity::Error, TEMPLATES, Err(e.to_string()));
            return;
        }
    };
    let chart = chart.chart;
    for file in &chart.templates {
        let name = file.name.as_str();
        let raw = String::from_utf8_lossy(&file.data);
        let ext = go_ext(name);
        linter.check(
            Severity::Error,
            name,
            [".yaml", ".yml", ".tpl", ".txt"].contains(&ext),
            || format!("file extension '{ext}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"),
        );
        linter.rule(Severity::Warning, name, no_crd_hooks(&raw));
        linter.check(Severity::Error, name, !raw.contains(".Release.Time"), || {
            ".Release.Time has been removed in v3, please replace with the `now` function in your templates".into()
        });
        // Helm only checks `.yaml` files here (its `.yml` test is dead code).
        if ext != ".yaml" {
            continue;
        }
        let content = rendered
            .get(&format!("{}/{name}", chart.name()))
            .map(String::as_str)
            .unwrap_or("");
        if content.trim().is_empty() {
            continue;
        }
        linter.rule(Severity::Warning, name, top_indent(content));
        for doc in yaml_documents(content) {
            let head = match doc.and_then(|doc| parse_k8s_head(&doc)) {
                Ok(head) => head,
                Err(e) => {
                    // Helm stops the whole rule at the first unreadable document.
                    linter.rule(
                        Severity::Error,
                        name,
                        Err(format!("unable to parse YAML: {e}")),
                    );
                    return;
                }
            };
            let Some(head) = head else {
                continue;
            };
            linter.rule(Severity::Warning, name, metadata_name(&head));
            linter.rule(Severity::Warning, name, no_deprecations(&head, options));
            linter.rule(Severity::Error, name, match_selector(&head, content));
            linter.rule(Severity::Error, name, list_annotations(&head, content));
        }
    }
}

/// Go's `filepath.Ext`.
fn go_ext(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) => &base[i..],
        None => "",
    }
}

/// `"?helm\.sh/hook"?:\s+crd-install`.
fn no_crd_hooks(raw: &str) -> Result<(), String> {
    let re = regex::Regex::new(r#""?helm\.sh/hook"?:\s+crd-install"#).expect("valid regex");
    if re.is_match(raw) {
        Err("manifest is a crd-install hook. This hook is no longer supported in v3 and all CRDs should also exist the crds/ directory at the top level of the chart".into())
    } else {
        Ok(())
    }
}

/// `validateTopIndentLevel`: the first non-blank line must not be indented.
fn top_indent(content: &str) -> Result<(), String> {
    for line in content.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            return Err(format!(
                "document starts with an illegal indent: {}, which may cause parsing problems",
                quote_go(line)
            ));
        }
        return Ok(());
    }
    Ok(())
}

/// The documents of a rendered file as apimachinery's `YAMLReader` splits them: at lines starting
/// with `---` (only spaces or a comment may follow); an empty document is skipped.
fn yaml_documents(content: &str) -> Vec<Result<String, String>> {
    let mut docs = Vec::new();
    let mut buffer = String::new();
    for line in content.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                docs.push(Err(format!("invalid Yaml document separator: {trimmed}")));
                return docs;
            }
            if !buffer.is_empty() {
                docs.push(Ok(std::mem::take(&mut buffer)));
            }
            continue;
        }
        buffer.push_str(line);
    }
    if !buffer.is_empty() {
        docs.push(Ok(buffer));
    }
    docs
}

/// What lint reads of a manifest. Mirrors `rules.K8sYamlStruct`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct K8sHead {
    api_version: String,
    kind: String,
    name: String,
}

/// sigs.k8s.io/yaml `Unmarshal` into `*K8sYamlStruct`: `None` for an empty document; Go's errors for
/// values of the wrong shape (scalars are converted to the string fields' type).
fn parse_k8s_head(doc: &str) -> Result<Option<K8sHead>, String> {
    let value = crate::yaml::parse_value(doc, "").map_err(|e| e.to_string())?;
    let type_error = |found: &Value, target: &str| {
        format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into {target}",
            crate::values::yaml_input::json_kind(found)
        )
    };
    let map = match &value {
        Value::Nil => return Ok(None),
        Value::Map(map) => map,
        other => return Err(type_error(other, "Go value of type rules.K8sYamlStruct")),
    };
    let mut head = K8sHead::default();
    let mut first_error = None;
    let mut note = |e: String| {
        if first_error.is_none() {
            first_error = Some(e);
        }
    };
    for (key, v) in map.entries() {
        if key.eq_ignore_ascii_case("apiVersion") {
            match scalar_text(&v) {
                Some(text) => head.api_version = text,
                None => note(type_error(
                    &v,
                    "Go struct field K8sYamlStruct.apiVersion of type string",
                )),
            }
        } else if key.eq_ignore_ascii_case("kind") {
            match scalar_text(&v) {
                Some(text) => head.kind = text,
                None => note(type_error(
                    &v,
                    "Go struct field K8sYamlStruct.Kind of type string",
                )),
            }
        } else if key.eq_ignore_ascii_case("metadata") {
            match &v {
                Value::Nil => {}
                Value::Map(meta) => {
                    for (k, mv) in meta.entries() {
                        let field = if k.eq_ignore_ascii_case("name") {
                            "Name"
                        } else if k.eq_ignore_ascii_case("namespace") {
                            "Namespace"
                        } else {
                            continue;
                        };
                        match scalar_text(&mv) {
                            Some(text) if field == "Name" => head.name = text,
                            Some(_) => {}
                            None => note(type_error(
                                &mv,
                                &format!(
                                    "Go struct field K8sYamlStruct.Metadata.{field} of type string"
                                ),
                            )),
                        }
                    }
                }
                other => note(type_error(
                    other,
                    "Go struct field K8sYamlStruct.Metadata of type rules.k8sYamlMetadata",
                )),
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(Some(head)),
    }
}

/// A scalar as the text sigs.k8s.io/yaml gives a string field (`null` is "").
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Nil => Some(String::new()),
        Value::List(_) | Value::Map(_) => None,
        other => Some(crate::template::fmt::format_v(other)),
    }
}

/// `validateNoDeprecations` at `--kube-version` (default 1.32, as helm v3.17.3 is built).
fn no_deprecations(head: &K8sHead, options: &LintOptions) -> Result<(), String> {
    let version = options.kube_version.clone().unwrap_or_default();
    // ParseKubeVersion's parts are digits. Not reproduced: a part beyond Go's int, for which Helm
    // warns with strconv.Atoi's `value out of range` on every kind of client-go's scheme.
    let (Ok(major), Ok(minor)) = (version.major.parse(), version.minor.parse()) else {
        return Ok(());
    };
    crate::chart::deprecated_apis::check(&head.api_version, &head.kind, major, minor)
}

/// `validateMetadataName`: the name rule of the object's kind (apimachinery's validators).
fn metadata_name(head: &K8sHead) -> Result<(), String> {
    let name = head.name.as_str();
    let problems = match head.kind.to_ascii_lowercase().as_str() {
        "service" => dns1035_label(name),
        "namespace" => dns1123_label(name),
        "certificatesigningrequest" => Vec::new(),
        "role" | "clusterrole" | "rolebinding" | "clusterrolebinding" => path_segment_name(name),
        _ => dns1123_subdomain(name),
    };
    if problems.is_empty() {
        return Ok(());
    }
    let errors: Vec<String> = problems
        .iter()
        .map(|p| format!("metadata.name: Invalid value: {}: {p}", quote_go(name)))
        .collect();
    let aggregate = if errors.len() == 1 {
        errors[0].clone()
    } else {
        format!("[{}]", errors.join(", "))
    };
    Err(format!(
        "object name does not conform to Kubernetes naming requirements: {}: {aggregate}",
        quote_go(name)
    ))
}

const DNS1123_LABEL: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";

fn full_match(pattern: &str, text: &str) -> bool {
    regex::Regex::new(&format!("^(?:{pattern})$"))
        .expect("valid regex")
        .is_match(text)
}

fn dns1123_subdomain_pattern() -> String {
    format!(r"{DNS1123_LABEL}(\.{DNS1123_LABEL})*")
}

fn dns1123_subdomain(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !full_match(&dns1123_subdomain_pattern(), name) {
        errs.push(format!("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '{}')", dns1123_subdomain_pattern()));
    }
    errs
}

fn dns1123_label(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !full_match(DNS1123_LABEL, name) {
        if full_match(&dns1123_subdomain_pattern(), name) {
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(format!("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '{DNS1123_LABEL}')"));
        }
    }
    errs
}

fn dns1035_label(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !full_match(DNS1035_LABEL, name) {
        errs.push(format!("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '{DNS1035_LABEL}')"));
    }
    errs
}

fn path_segment_name(name: &str) -> Vec<String> {
    for bad in [".", ".."] {
        if name == bad {
            return vec![format!("may not be '{bad}'")];
        }
    }
    ["/", "%"]
        .iter()
        .filter(|bad| name.contains(*bad))
        .map(|bad| format!("may not contain '{bad}'"))
        .collect()
}

/// `validateMatchSelector`: workload kinds need a selector somewhere in the file.
fn match_selector(head: &K8sHead, content: &str) -> Result<(), String> {
    match head.kind.as_str() {
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet"
            if !(content.contains("matchLabels") || content.contains("matchExpressions")) =>
        {
            Err(format!(
                "a {} must contain matchLabels or matchExpressions, and {} does not",
                head.kind,
                quote_go(&head.name)
            ))
        }
        _ => Ok(()),
    }
}

/// `validateListAnnotations`: `helm.sh/resource-policy` on an item of a `List` is ignored by Helm.
fn list_annotations(head: &K8sHead, content: &str) -> Result<(), String> {
    if head.kind != "List" {
        return Ok(());
    }
    let value =
        crate::yaml::parse_value(content, "").map_err(|e| format!("unable to parse YAML: {e}"))?;
    let items = value
        .as_map()
        .and_then(|m| {
            m.entries()
                .into_iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("items"))
                .map(|(_, v)| v)
        })
        .unwrap_or(Value::Nil);
    let Value::List(items) = items else {
        return Ok(());
    };
    for item in items.items().iter() {
        let annotated = item
            .as_map()
            .and_then(|m| m.get("metadata"))
            .and_then(|m| m.as_map().and_then(|m| m.get("annotations")))
            .and_then(|a| {
                a.as_map()
                    .map(|a| a.get("helm.sh/resource-policy").is_some())
            })
            .unwrap_or(false);
        if annotated {
            return Err(
                "Annotation 'helm.sh/resource-policy' within List objects are ignored".into(),
            );
        }
    }
    Ok(())
}

/// An archive unpacked into a temporary directory, removed on drop (Helm's `chartutil.Expand`).
struct Unpacked {
    dir: PathBuf,
}

impl Unpacked {
    fn new(path: &str) -> Result<Unpacked, String> {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "helm-lint{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("unable to create temp dir to extract tarball: {e}"))?;
        let unpacked = Unpacked { dir };
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "unable to open tarball: open {path}: {}",
                crate::go_os::reason(&e)
            )
        })?;
        let chart = crate::chart::load_archive(&bytes)
            .map_err(|e| format!("unable to extract tarball: {e}"))?;
        let top = unpacked.dir.join(chart.name());
        let write = |name: &str, data: &[u8]| -> Result<(), String> {
            let full = top.join(name);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&full, data).map_err(|e| format!("unable to extract tarball: {e}"))
        };
        for file in &chart.raw {
            write(&file.name, &file.data)?;
        }
        Ok(unpacked)
    }

    fn top_dir(&self) -> Result<PathBuf, String> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        entries
            .into_iter()
            .next()
            .ok_or_else(|| "unable to extract tarball: empty archive".to_string())
    }
}

impl Drop for Unpacked {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_like_apimachinery() {
        let docs = yaml_documents("a: 1\n---\n---\nb: 2\n--- # c\n\n");
        let docs: Vec<String> = docs.into_iter().map(Result::unwrap).collect();
        assert_eq!(docs, vec!["a: 1\n", "b: 2\n", "\n"]);
        // A bad separator is an error at once: the document before it is never decoded.
        let bad = yaml_documents("a: 1\n---x\n");
        assert_eq!(bad.len(), 1);
        assert!(bad[0].is_err());
    }

    #[test]
    fn name_rules_per_kind() {
        let head = |kind: &str, name: &str| K8sHead {
            kind: kind.into(),
            name: name.into(),
            ..K8sHead::default()
        };
        assert!(metadata_name(&head("ConfigMap", "ok.name")).is_ok());
        assert!(metadata_name(&head("Namespace", "a.b"))
            .unwrap_err()
            .ends_with("must not contain dots"));
        assert!(metadata_name(&head("Role", "a/b"))
            .unwrap_err()
            .ends_with("may not contain '/'"));
        assert!(metadata_name(&head("Service", "1abc")).is_err());
    }

    #[test]
    fn clean_join_and_ext() {
        assert_eq!(go_join(".", "charts"), "charts");
        assert_eq!(go_join("a/", "../b"), "b");
        assert_eq!(go_dir("charts/sub/Chart.yaml"), "charts/sub");
        assert_eq!(go_ext("templates/x.yaml"), ".yaml");
        assert_eq!(go_ext("templates/x"), "");
    }
}
