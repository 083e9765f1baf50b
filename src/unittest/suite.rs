//! The suite file format of helm-unittest v1.1.2 (`TestSuite`, `TestJob`, `Assertion` and the
//! validators' parameters), read from YAML with every key checked: a value of the wrong type, a
//! malformed path or regular expression is an [`Error`] naming the suite file, the test and the
//! line. An unknown key (a misspelt one silently weakens a test) is such an error with `--strict`;
//! without it, it is a warning with the same text, and the key is ignored as helm-unittest ignores
//! it, since public suites have them (traefik's put `documentIndex` inside `equal:`).
//!
//! A file may hold several suites separated by `---` lines (helm-unittest's `splitterPattern`); each
//! is parsed on its own, and a snapshot id distinguishes their snapshot files only when given.
use std::rc::Rc;

use crate::yaml::emit::Doc;
use crate::yaml::load::{parse_nodes, Node, NodeKind};

use super::assert::{Assertion, Validator};
use super::data;
use super::path::Path;
use super::Error;

/// `release:` of a suite or a test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub upgrade: bool,
}

/// `chart:` overrides of the chart's version and appVersion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartOverride {
    pub version: String,
    pub app_version: String,
}

/// `capabilities:` of a suite (API versions are added to each test's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub major_version: String,
    pub minor_version: String,
    /// `None` when a test gave `apiVersions:` a non-list value (which drops the suite's).
    pub api_versions: Option<Vec<String>>,
}

/// `postRenderer:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostRenderer {
    pub cmd: String,
    pub args: Vec<String>,
}

/// One kind `kubernetesProvider.scheme` declares (`apiVersion/Kind` → resource).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemeKind {
    pub group: String,
    pub version: String,
    pub resource: String,
    pub namespaced: bool,
}

/// `kubernetesProvider:`: the objects `lookup` finds.
#[derive(Debug, Clone, Default)]
pub struct KubernetesProvider {
    pub scheme: Vec<(String, SchemeKind)>,
    pub objects: Vec<Doc>,
}

/// `documentSelector:`.
#[derive(Debug, Clone)]
pub struct DocumentSelector {
    pub path: String,
    pub compiled: Option<Path>,
    pub value: Option<Doc>,
    pub match_many: bool,
    pub skip_empty_templates: bool,
}

/// One `tests[]` entry.
#[derive(Debug, Clone)]
pub struct Test {
    pub name: String,
    pub line: usize,
    pub values: Vec<String>,
    pub set: Vec<(String, Doc)>,
    pub template: String,
    pub templates: Vec<String>,
    pub document_index: Option<i64>,
    pub document_selector: Option<DocumentSelector>,
    pub release: Release,
    pub chart: ChartOverride,
    pub capabilities: Capabilities,
    pub asserts: Vec<Assertion>,
    pub skip_reason: String,
    pub kubernetes_provider: KubernetesProvider,
    pub post_renderer: PostRenderer,
}

/// One suite.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The suite file as given on the command line (relative to the working directory).
    pub file: String,
    /// 1-based line where this suite's document starts in the file.
    pub line: usize,
    pub name: String,
    pub values: Vec<String>,
    pub set: Vec<(String, Doc)>,
    pub templates: Vec<String>,
    pub exclude_templates: Vec<String>,
    pub include_crds: bool,
    pub release: Release,
    pub chart: ChartOverride,
    pub capabilities: Capabilities,
    pub kubernetes_provider: KubernetesProvider,
    pub post_renderer: PostRenderer,
    pub tests: Vec<Test>,
    pub snapshot_id: String,
    pub skip_reason: String,
    pub minimum_version: String,
    /// Unknown keys that were ignored (errors with `--strict`).
    pub warnings: Vec<Error>,
}

impl Suite {
    /// Where the suite's snapshots live: `<dir>/__snapshot__/<file name>[_<snapshotId>].snap`.
    pub fn snapshot_file(&self) -> std::path::PathBuf {
        let path = std::path::Path::new(&self.file);
        let mut name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !self.snapshot_id.is_empty() {
            name.push('_');
            name.push_str(&self.snapshot_id);
        }
        name.push_str(".snap");
        path.parent()
            .unwrap_or(std::path::Path::new(""))
            .join("__snapshot__")
            .join(name)
    }
}

/// The plugin version suites compare `skip.minimumVersion` with.
pub const PLUGIN_VERSION: &str = "1.1.2";

/// Splits a suite file into its suites and parses each. A suite that fails to parse is an error
/// in the list; the others still come back.
pub fn parse_file(file: &str, text: &str, strict: bool) -> Vec<Result<Suite, Error>> {
    documents(text)
        .into_iter()
        .filter_map(|(base_line, part)| parse_suite(file, part, base_line, strict))
        .collect()
}

/// The suites of a template rendered from a `--chart-tests-path` chart (helm-unittest's
/// `iterateTemplates`): as [`parse_file`], but each must have a `suite` name, and one without a
/// `snapshotId` gets its position among the template's documents (`0`, `1`, ...), so that the
/// suites of one template keep separate snapshot files. `file` is the template's path; lines are
/// those of the rendered text.
pub fn parse_rendered(file: &str, text: &str, strict: bool) -> Vec<Result<Suite, Error>> {
    let mut out = Vec::new();
    for (index, (base_line, part)) in documents(text).into_iter().enumerate() {
        let Some(parsed) = parse_suite(file, part, base_line, strict) else {
            continue;
        };
        out.push(parsed.and_then(|mut suite| {
            if suite.name.is_empty() {
                return Err(Error {
                    file: file.to_string(),
                    line: suite.line,
                    test: None,
                    message: "helm chart based test suites must include `suite` field".to_string(),
                });
            }
            if suite.snapshot_id.is_empty() {
                suite.snapshot_id = index.to_string();
            }
            Ok(suite)
        }));
    }
    out
}

/// The non-empty documents of a suite file (split at helm-unittest's `splitterPattern`), each
/// with the number of lines before it.
fn documents(text: &str) -> Vec<(usize, &str)> {
    let splitter = regex::Regex::new(r"(?:^|\s*\n)---\s*").expect("valid pattern");
    let mut start = 0;
    let mut parts = Vec::new();
    for m in splitter.find_iter(text) {
        parts.push((start, &text[start..m.start()]));
        start = m.end();
    }
    parts.push((start, &text[start..]));
    parts
        .into_iter()
        .filter(|(_, part)| !part.trim().is_empty())
        .map(|(offset, part)| (text[..offset].matches('\n').count(), part))
        .collect()
}

struct Ctx<'a> {
    file: &'a str,
    base_line: usize,
    test: Option<String>,
    strict: bool,
    warnings: std::cell::RefCell<Vec<Error>>,
    /// Unknown keys found with `--strict`.
    strict_errors: std::cell::RefCell<Vec<Error>>,
    /// The line of the key of each value [`mapping`] returned (by the value node's address), so
    /// that an unknown key is reported where the key is.
    key_lines: std::cell::RefCell<std::collections::HashMap<usize, usize>>,
}

impl Ctx<'_> {
    /// An unknown key where helm-unittest's `--strict` (yaml.v3's `KnownFields`) rejects one: an
    /// error of the suite when strict (all of them are reported), else a warning.
    fn unknown(&self, line: usize, message: String) -> Result<(), Error> {
        let e = self.error_at(line, message);
        if self.strict {
            self.strict_errors.borrow_mut().push(e);
        } else {
            self.warnings.borrow_mut().push(e);
        }
        Ok(())
    }

    /// An unknown key helm-unittest ignores even with `--strict` (assertion parameters, keys beside
    /// the assertion type, a test's `capabilities`, which it reads as maps): always a warning.
    fn ignored(&self, line: usize, message: String) {
        let e = self.error_at(line, message);
        self.warnings.borrow_mut().push(e);
    }

    fn error(&self, node: &Node, message: impl Into<String>) -> Error {
        Error {
            file: self.file.to_string(),
            line: self.base_line + node.line,
            test: self.test.clone(),
            message: message.into(),
        }
    }

    fn error_at(&self, line: usize, message: impl Into<String>) -> Error {
        Error {
            file: self.file.to_string(),
            line: self.base_line + line,
            test: self.test.clone(),
            message: message.into(),
        }
    }
}

fn parse_suite(
    file: &str,
    text: &str,
    base_line: usize,
    strict: bool,
) -> Option<Result<Suite, Error>> {
    let mut ctx = Ctx {
        file,
        base_line,
        test: None,
        strict,
        warnings: std::cell::RefCell::new(Vec::new()),
        strict_errors: std::cell::RefCell::new(Vec::new()),
        key_lines: std::cell::RefCell::new(std::collections::HashMap::new()),
    };
    let nodes = match parse_nodes(text, 1) {
        Ok(nodes) => nodes,
        Err(e) => {
            return Some(Err(ctx.error_at(
                e.line.max(1),
                format!("the suite is not valid YAML: {}", e.go_text()),
            )))
        }
    };
    let root = nodes.first()?;
    if matches!(&root.kind, NodeKind::Scalar { value, .. } if value.is_empty()) {
        return None;
    }
    let parsed = suite_from(&mut ctx, root, base_line);
    let mut strict_errors = ctx.strict_errors.take().into_iter();
    if let Some(mut first) = strict_errors.next() {
        // helm-unittest lists every unknown field; so does this, one per line.
        for more in strict_errors {
            first.message.push('\n');
            first.message.push_str(&more.to_string());
        }
        return Some(Err(first));
    }
    Some(parsed.map(|mut suite| {
        suite.warnings = ctx.warnings.take();
        suite
    }))
}

const SUITE_KEYS: &[&str] = &[
    "suite",
    "values",
    "set",
    "templates",
    "excludeTemplates",
    "includeCrds",
    "release",
    "chart",
    "capabilities",
    "kubernetesProvider",
    "postRenderer",
    "tests",
    "snapshotId",
    "skip",
];

const TEST_KEYS: &[&str] = &[
    "it",
    "values",
    "set",
    "template",
    "templates",
    "documentIndex",
    "documentSelector",
    "release",
    "chart",
    "capabilities",
    "asserts",
    "skip",
    "kubernetesProvider",
    "postRenderer",
];

fn suite_from(ctx: &mut Ctx, root: &Node, base_line: usize) -> Result<Suite, Error> {
    let entries = mapping(ctx, root, "a suite")?;
    let entries = known(ctx, entries, SUITE_KEYS, "suite")?;
    let mut suite = Suite {
        file: ctx.file.to_string(),
        line: base_line + root.line,
        name: String::new(),
        values: Vec::new(),
        set: Vec::new(),
        templates: Vec::new(),
        exclude_templates: Vec::new(),
        include_crds: false,
        release: Release::default(),
        chart: ChartOverride::default(),
        capabilities: Capabilities::default(),
        kubernetes_provider: KubernetesProvider::default(),
        post_renderer: PostRenderer::default(),
        tests: Vec::new(),
        snapshot_id: String::new(),
        skip_reason: String::new(),
        minimum_version: String::new(),
        warnings: Vec::new(),
    };
    let mut tests_node = None;
    for (key, value) in &entries {
        match key.as_str() {
            "suite" => suite.name = string(ctx, value)?,
            "values" => suite.values = strings(ctx, value)?,
            "set" => suite.set = set_map(ctx, value)?,
            "templates" => suite.templates = strings(ctx, value)?,
            "excludeTemplates" => suite.exclude_templates = strings(ctx, value)?,
            "includeCrds" => suite.include_crds = boolean(ctx, value)?,
            "release" => suite.release = release(ctx, value)?,
            "chart" => suite.chart = chart_override(ctx, value)?,
            "capabilities" => {
                let entries = mapping(ctx, value, "capabilities")?;
                let entries = known(
                    ctx,
                    entries,
                    &["majorVersion", "minorVersion", "apiVersions"],
                    "capabilities",
                )?;
                let mut caps = Capabilities {
                    api_versions: Some(Vec::new()),
                    ..Capabilities::default()
                };
                for (k, v) in &entries {
                    match k.as_str() {
                        "majorVersion" => caps.major_version = string(ctx, v)?,
                        "minorVersion" => caps.minor_version = string(ctx, v)?,
                        _ => caps.api_versions = Some(strings(ctx, v)?),
                    }
                }
                suite.capabilities = caps;
            }
            "kubernetesProvider" => suite.kubernetes_provider = provider(ctx, value)?,
            "postRenderer" => suite.post_renderer = post_renderer(ctx, value)?,
            "tests" => tests_node = Some(value.clone()),
            "snapshotId" => suite.snapshot_id = string(ctx, value)?,
            "skip" => {
                let entries = mapping(ctx, value, "skip")?;
                let entries = known(ctx, entries, &["reason", "minimumVersion"], "skip")?;
                for (k, v) in &entries {
                    match k.as_str() {
                        "reason" => suite.skip_reason = string(ctx, v)?,
                        _ => suite.minimum_version = string(ctx, v)?,
                    }
                }
            }
            _ => unreachable!("checked above"),
        }
    }
    let Some(tests_node) = tests_node else {
        return Err(ctx.error(root, "no tests found"));
    };
    if is_null(&tests_node) {
        return Err(ctx.error(&tests_node, "no tests found"));
    }
    let NodeKind::Seq { items, .. } = &tests_node.kind else {
        return Err(ctx.error(&tests_node, "`tests` must be a list of tests"));
    };
    if items.is_empty() {
        return Err(ctx.error(&tests_node, "no tests found"));
    }
    for item in items {
        let test = test_from(ctx, item)?;
        suite.tests.push(test);
        ctx.test = None;
    }
    if !suite.minimum_version.is_empty() && !version_meets_minimum(&suite.minimum_version) {
        suite.skip_reason = format!(
            "Test suite requires minimum unittest plugin version {}, but current version is {PLUGIN_VERSION}",
            suite.minimum_version
        );
    }
    Ok(suite)
}

fn version_meets_minimum(minimum: &str) -> bool {
    let parse = |s: &str| {
        let s = s.trim_start_matches('v');
        let mut parts = s.split(['-', '+']).next().unwrap_or("").split('.');
        let mut n = [0u64; 3];
        for slot in &mut n {
            match parts.next() {
                Some(p) => *slot = p.parse().ok()?,
                None => break,
            }
        }
        Some(n)
    };
    match (parse(PLUGIN_VERSION), parse(minimum)) {
        (Some(current), Some(min)) => current >= min,
        _ => false,
    }
}

fn test_from(ctx: &mut Ctx, node: &Node) -> Result<Test, Error> {
    let entries = mapping(ctx, node, "a test")?;
    if let Some((_, name)) = entries.iter().find(|(k, _)| k == "it") {
        ctx.test = Some(string(ctx, name)?);
    }
    let entries = known(ctx, entries, TEST_KEYS, "test")?;
    let mut test = Test {
        name: ctx.test.clone().unwrap_or_default(),
        line: ctx.base_line + node.line,
        values: Vec::new(),
        set: Vec::new(),
        template: String::new(),
        templates: Vec::new(),
        document_index: None,
        document_selector: None,
        release: Release::default(),
        chart: ChartOverride::default(),
        capabilities: Capabilities {
            api_versions: Some(Vec::new()),
            ..Capabilities::default()
        },
        asserts: Vec::new(),
        skip_reason: String::new(),
        kubernetes_provider: KubernetesProvider::default(),
        post_renderer: PostRenderer::default(),
    };
    let mut asserts_node = None;
    for (key, value) in &entries {
        match key.as_str() {
            "it" => {}
            "values" => test.values = strings(ctx, value)?,
            "set" => test.set = set_map(ctx, value)?,
            "template" => test.template = string(ctx, value)?,
            "templates" => test.templates = strings(ctx, value)?,
            "documentIndex" => test.document_index = Some(integer(ctx, value)?),
            "documentSelector" => {
                test.document_selector = Some(document_selector(ctx, value, false)?)
            }
            "release" => test.release = release(ctx, value)?,
            "chart" => test.chart = chart_override(ctx, value)?,
            "capabilities" => {
                // A test's capabilities are a map to helm-unittest: unknown keys pass `--strict`.
                const CAPABILITIES: &[&str] = &["majorVersion", "minorVersion", "apiVersions"];
                let mut entries = mapping(ctx, value, "capabilities")?;
                entries.retain(|(k, v)| {
                    let ok = CAPABILITIES.contains(&k.as_str());
                    if !ok {
                        ctx.ignored(
                            v.line,
                            format!(
                                "unknown key {k:?} in capabilities (expected one of: {})",
                                CAPABILITIES.join(", ")
                            ),
                        );
                    }
                    ok
                });
                for (k, v) in &entries {
                    match k.as_str() {
                        "majorVersion" => test.capabilities.major_version = version_field(ctx, v)?,
                        "minorVersion" => test.capabilities.minor_version = version_field(ctx, v)?,
                        _ => {
                            test.capabilities.api_versions = match &v.kind {
                                NodeKind::Seq { items, .. } => Some(
                                    items
                                        .iter()
                                        .filter_map(|i| match data::decode(i) {
                                            Ok(Doc::Str(s)) => Some(s.to_string()),
                                            _ => None,
                                        })
                                        .collect(),
                                ),
                                // A null or non-list value drops the suite's API versions.
                                _ => None,
                            }
                        }
                    }
                }
            }
            "asserts" => asserts_node = Some(value.clone()),
            "skip" => {
                let entries = mapping(ctx, value, "skip")?;
                let entries = known(ctx, entries, &["reason"], "skip")?;
                for (_, v) in &entries {
                    test.skip_reason = string(ctx, v)?;
                }
            }
            "kubernetesProvider" => test.kubernetes_provider = provider(ctx, value)?,
            "postRenderer" => test.post_renderer = post_renderer(ctx, value)?,
            _ => unreachable!("checked above"),
        }
    }
    let items = match asserts_node.as_deref().map(|n| &n.kind) {
        Some(NodeKind::Seq { items, .. }) if !items.is_empty() => items.clone(),
        Some(NodeKind::Seq { .. }) | None => return Err(ctx.error(node, "no asserts found")),
        Some(_) if asserts_node.as_deref().is_some_and(is_null) => {
            return Err(ctx.error(node, "no asserts found"))
        }
        Some(_) => {
            return Err(ctx.error(
                asserts_node.as_deref().unwrap_or(node),
                "`asserts` must be a list of assertions",
            ))
        }
    };
    for (index, item) in items.iter().enumerate() {
        test.asserts.push(assertion(ctx, item, index)?);
    }
    Ok(test)
}

/// helm-unittest's `convertIToString`: a string, or an integer written as one; anything else is "".
fn version_field(ctx: &Ctx, node: &Node) -> Result<String, Error> {
    Ok(match decode(ctx, node)? {
        Doc::Str(s) => s.to_string(),
        Doc::Int(i) => i.to_string(),
        _ => String::new(),
    })
}

fn assertion(ctx: &Ctx, node: &Node, index: usize) -> Result<Assertion, Error> {
    let entries = mapping(ctx, node, "an assertion")?;
    let mut found: Option<(&str, &Rc<Node>)> = None;
    let mut not = false;
    let mut template = String::new();
    let mut document_index = None;
    let mut selector = None;
    let mut unknown = Vec::new();
    for (key, value) in &entries {
        match key.as_str() {
            "not" => not = boolean(ctx, value)?,
            "template" => template = string(ctx, value)?,
            "documentIndex" => document_index = Some(integer(ctx, value)?),
            "documentSelector" => selector = Some(document_selector(ctx, value, true)?),
            other => {
                if !super::assert::is_assert_type(other) {
                    unknown.push(other);
                    continue;
                }
                if let Some((first, _)) = found {
                    return Err(ctx.error(
                        node,
                        format!(
                            "asserts[{index}]: assertion type `{first}` and `{other}` is declared duplicately"
                        ),
                    ));
                }
                found = Some((other, value));
            }
        }
    }
    // Keys beside the assertion type are ignored; without one, the first is the invalid type.
    let line_of = |key: &str| node_of_key(node, key).unwrap_or(node).line;
    let Some((kind, params)) = found else {
        return Err(match unknown.first() {
            Some(other) => ctx.error_at(
                line_of(other),
                format!(
                    "asserts[{index}]: Assertion type `{other}` is invalid (expected one of: {})",
                    super::assert::ASSERT_TYPES.join(", ")
                ),
            ),
            None => ctx.error(node, format!("asserts[{index}]: no assertion type defined")),
        });
    };
    for other in unknown {
        ctx.ignored(
            line_of(other),
            format!("asserts[{index}]: unknown key {other:?} beside `{kind}` (ignored)"),
        );
    }
    let validator = validator(ctx, kind, params, index)?;
    Ok(Assertion::new(
        kind,
        validator,
        not,
        template,
        document_index,
        selector,
        ctx.base_line + node.line,
    ))
}

fn node_of_key<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    if let NodeKind::Map { entries, .. } = &node.kind {
        for (k, _) in entries {
            if let NodeKind::Scalar { value, .. } = &k.kind {
                if value == key {
                    return Some(k);
                }
            }
        }
    }
    None
}

/// The parameters of one validator, matched by name without regard to case (mapstructure).
struct Params<'a> {
    ctx: &'a Ctx<'a>,
    kind: &'a str,
    index: usize,
    node: &'a Node,
    entries: Vec<(String, Rc<Node>)>,
}

impl Params<'_> {
    fn get(&self, name: &str) -> Option<&Rc<Node>> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    fn error(&self, node: &Node, message: String) -> Error {
        self.ctx.error(
            node,
            format!("asserts[{}] `{}`: {message}", self.index, self.kind),
        )
    }

    fn string(&self, name: &str) -> Result<String, Error> {
        match self.get(name) {
            None => Ok(String::new()),
            Some(n) => match decode(self.ctx, n)? {
                Doc::Str(s) => Ok(s.to_string()),
                Doc::Null => Ok(String::new()),
                other => Err(self.error(
                    n,
                    format!(
                        "'{name}' expected type 'string', got unconvertible type '{}'",
                        data::go_type_name(&other)
                    ),
                )),
            },
        }
    }

    fn boolean(&self, name: &str) -> Result<bool, Error> {
        match self.get(name) {
            None => Ok(false),
            Some(n) => match decode(self.ctx, n)? {
                Doc::Bool(b) => Ok(b),
                Doc::Null => Ok(false),
                other => Err(self.error(
                    n,
                    format!(
                        "'{name}' expected type 'bool', got unconvertible type '{}'",
                        data::go_type_name(&other)
                    ),
                )),
            },
        }
    }

    fn opt_int(&self, name: &str) -> Result<Option<i64>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(n) => match decode(self.ctx, n)? {
                Doc::Int(i) => Ok(Some(i)),
                Doc::Float(f) => Ok(Some(f as i64)),
                Doc::Null => Ok(None),
                other => Err(self.error(
                    n,
                    format!(
                        "'{name}' expected type 'int', got unconvertible type '{}'",
                        data::go_type_name(&other)
                    ),
                )),
            },
        }
    }

    fn any(&self, name: &str) -> Result<Doc, Error> {
        match self.get(name) {
            None => Ok(Doc::Null),
            Some(n) => decode(self.ctx, n),
        }
    }

    fn path(&self, name: &str) -> Result<(String, Path), Error> {
        let text = self.string(name)?;
        let path = Path::parse(&text).map_err(|e| {
            self.error(
                self.get(name).map(|n| &**n).unwrap_or(self.node),
                e.to_string(),
            )
        })?;
        Ok((text, path))
    }

    fn regex(&self, name: &str, text: &str) -> Result<Option<regex::Regex>, Error> {
        if text.is_empty() {
            return Ok(None);
        }
        super::assert::go_regex(text).map(Some).map_err(|e| {
            self.error(
                self.get(name).map(|n| &**n).unwrap_or(self.node),
                format!("invalid regular expression {text:?}: {e}"),
            )
        })
    }
}

fn validator(ctx: &Ctx, kind: &str, params: &Rc<Node>, index: usize) -> Result<Validator, Error> {
    let entries = if is_null(params) {
        Vec::new()
    } else {
        match &params.kind {
            NodeKind::Map { .. } => mapping(ctx, params, "the assertion's parameters")?,
            _ => {
                let got = data::go_type_name(&decode(ctx, params)?);
                return Err(ctx.error(
                    params,
                    format!("asserts[{index}] `{kind}`: expected a map of parameters, got '{got}'"),
                ));
            }
        }
    };
    let allowed: &[&str] = super::assert::params_of(kind);
    let mut kept = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        if allowed.iter().any(|a| a.eq_ignore_ascii_case(&key)) {
            kept.push((key, value));
            continue;
        }
        let line = node_of_key(params, &key).unwrap_or(&value).line;
        ctx.ignored(
            line,
            format!(
                "asserts[{index}] `{kind}`: unknown parameter {key:?} (expected {})",
                if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                }
            ),
        );
    }
    let p = Params {
        ctx,
        kind,
        index,
        node: params,
        entries: kept,
    };
    Ok(match kind {
        "equal" | "notEqual" => {
            let (path, compiled) = p.path("path")?;
            Validator::Equal {
                path,
                compiled,
                value: p.any("value")?,
                decode_base64: p.boolean("decodeBase64")?,
            }
        }
        "greaterOrEqual" | "notGreaterOrEqual" | "lessOrEqual" | "notLessOrEqual" => {
            let (path, compiled) = p.path("path")?;
            Validator::Operator {
                path,
                compiled,
                value: p.any("value")?,
                greater: kind.contains("reater"),
            }
        }
        "equalRaw" | "notEqualRaw" => Validator::EqualRaw {
            value: p.string("value")?,
        },
        "exists" | "notExists" | "isNull" | "isNotNull" => {
            let (path, compiled) = p.path("path")?;
            Validator::Exists { path, compiled }
        }
        "matchRegex" | "notMatchRegex" => {
            let (path, compiled) = p.path("path")?;
            let pattern = p.string("pattern")?;
            let regex = p.regex("pattern", &pattern)?;
            Validator::MatchRegex {
                path,
                compiled,
                pattern,
                regex,
                decode_base64: p.boolean("decodeBase64")?,
            }
        }
        "matchRegexRaw" | "notMatchRegexRaw" => {
            let pattern = p.string("pattern")?;
            let regex = p.regex("pattern", &pattern)?;
            Validator::MatchRegexRaw { pattern, regex }
        }
        "contains" | "notContains" => {
            let (path, compiled) = p.path("path")?;
            Validator::Contains {
                path,
                compiled,
                content: p.any("content")?,
                count: p.opt_int("count")?,
                any: p.boolean("any")?,
            }
        }
        "isKind" => Validator::IsKind {
            of: p.string("of")?,
        },
        "isAPIVersion" => Validator::IsApiVersion {
            of: p.string("of")?,
        },
        "hasDocuments" => Validator::HasDocuments {
            count: p.opt_int("count")?.unwrap_or(0),
            filter_aware: p.boolean("filterAware")?,
        },
        "isSubset" | "isNotSubset" => {
            let (path, compiled) = p.path("path")?;
            Validator::IsSubset {
                path,
                compiled,
                content: p.any("content")?,
            }
        }
        "isNullOrEmpty" | "isNotNullOrEmpty" | "isEmpty" | "isNotEmpty" => {
            let (path, compiled) = p.path("path")?;
            Validator::IsNullOrEmpty { path, compiled }
        }
        "failedTemplate" | "notFailedTemplate" => {
            let error_pattern = p.string("errorPattern")?;
            Validator::FailedTemplate {
                error_message: p.string("errorMessage")?,
                error_pattern,
            }
        }
        "containsDocument" => Validator::ContainsDocument {
            kind: p.string("kind")?,
            api_version: p.string("apiVersion")?,
            name: p.string("name")?,
            namespace: p.string("namespace")?,
            any: p.boolean("any")?,
        },
        "lengthEqual" | "notLengthEqual" => {
            let mut paths = Vec::new();
            if let Some(n) = p.get("paths") {
                for text in strings(ctx, n)? {
                    let compiled = Path::parse(&text).map_err(|e| p.error(n, e.to_string()))?;
                    paths.push((text, compiled));
                }
            }
            let (path, compiled) = p.path("path")?;
            Validator::LengthEqual {
                paths,
                path,
                compiled,
                count: p.opt_int("count")?,
            }
        }
        "isType" | "isNotType" => {
            let (path, compiled) = p.path("path")?;
            Validator::IsType {
                path,
                compiled,
                type_name: p.string("type")?,
            }
        }
        "matchSnapshot" => {
            let (path, compiled) = p.path("path")?;
            let sub_pattern = |name: &str| -> Result<String, Error> {
                match p.get(name) {
                    None => Ok(String::new()),
                    Some(n) if is_null(n) => Ok(String::new()),
                    Some(n) => {
                        let entries = mapping(ctx, n, name)?;
                        let mut pattern = String::new();
                        for (k, v) in &entries {
                            if !k.eq_ignore_ascii_case("pattern") {
                                ctx.ignored(
                                    v.line,
                                    format!(
                                        "asserts[{index}] `{kind}`: unknown parameter {k:?} of {name} (expected pattern)"
                                    ),
                                );
                                continue;
                            }
                            pattern = string(ctx, v)?;
                        }
                        if !pattern.is_empty() {
                            p.regex(name, pattern.trim())?;
                        }
                        Ok(pattern)
                    }
                }
            };
            Validator::MatchSnapshot {
                path,
                compiled,
                match_regex: sub_pattern("matchRegex")?,
                not_match_regex: sub_pattern("notMatchRegex")?,
            }
        }
        "matchSnapshotRaw" => Validator::MatchSnapshotRaw,
        _ => unreachable!("is_assert_type checked {kind}"),
    })
}

fn document_selector(ctx: &Ctx, node: &Node, from_assert: bool) -> Result<DocumentSelector, Error> {
    let entries = mapping(ctx, node, "documentSelector")?;
    let entries = known(
        ctx,
        entries,
        &["path", "value", "matchMany", "skipEmptyTemplates"],
        "documentSelector",
    )?;
    let mut selector = DocumentSelector {
        path: String::new(),
        compiled: None,
        value: None,
        match_many: false,
        skip_empty_templates: false,
    };
    let mut has_path = false;
    for (k, v) in &entries {
        match k.as_str() {
            "path" => {
                has_path = !is_null(v);
                selector.path = string(ctx, v)?;
                if !selector.path.is_empty() {
                    selector.compiled = Some(
                        Path::parse(&selector.path)
                            .map_err(|e| ctx.error(v, format!("documentSelector: {e}")))?,
                    );
                }
            }
            "value" => {
                let d = decode(ctx, v)?;
                selector.value = if matches!(d, Doc::Null) {
                    None
                } else {
                    Some(d)
                };
            }
            "matchMany" => selector.match_many = boolean(ctx, v)?,
            _ => selector.skip_empty_templates = boolean(ctx, v)?,
        }
    }
    if from_assert && !has_path {
        return Err(ctx.error(node, "empty 'documentSelector.path' not supported"));
    }
    Ok(selector)
}

fn release(ctx: &Ctx, node: &Node) -> Result<Release, Error> {
    let entries = mapping(ctx, node, "release")?;
    let entries = known(
        ctx,
        entries,
        &["name", "namespace", "revision", "upgrade"],
        "release",
    )?;
    let mut r = Release::default();
    for (k, v) in &entries {
        match k.as_str() {
            "name" => r.name = string(ctx, v)?,
            "namespace" => r.namespace = string(ctx, v)?,
            "revision" => r.revision = integer(ctx, v)?,
            _ => r.upgrade = boolean(ctx, v)?,
        }
    }
    Ok(r)
}

fn chart_override(ctx: &Ctx, node: &Node) -> Result<ChartOverride, Error> {
    let entries = mapping(ctx, node, "chart")?;
    let entries = known(ctx, entries, &["version", "appVersion"], "chart")?;
    let mut c = ChartOverride::default();
    for (k, v) in &entries {
        match k.as_str() {
            "version" => c.version = string(ctx, v)?,
            _ => c.app_version = string(ctx, v)?,
        }
    }
    Ok(c)
}

fn post_renderer(ctx: &Ctx, node: &Node) -> Result<PostRenderer, Error> {
    let entries = mapping(ctx, node, "postRenderer")?;
    let entries = known(ctx, entries, &["cmd", "args"], "postRenderer")?;
    let mut p = PostRenderer::default();
    for (k, v) in &entries {
        match k.as_str() {
            "cmd" => p.cmd = string(ctx, v)?,
            _ => p.args = strings(ctx, v)?,
        }
    }
    Ok(p)
}

fn provider(ctx: &Ctx, node: &Node) -> Result<KubernetesProvider, Error> {
    let entries = mapping(ctx, node, "kubernetesProvider")?;
    let entries = known(ctx, entries, &["scheme", "objects"], "kubernetesProvider")?;
    let mut p = KubernetesProvider::default();
    for (k, v) in &entries {
        match k.as_str() {
            "scheme" => {
                for (kind, props) in mapping(ctx, v, "kubernetesProvider.scheme")? {
                    let props_entries = mapping(ctx, &props, "a scheme entry")?;
                    let props_entries = known(
                        ctx,
                        props_entries,
                        &["gvr", "namespaced"],
                        "kubernetesProvider.scheme",
                    )?;
                    let mut s = SchemeKind::default();
                    for (pk, pv) in &props_entries {
                        if pk == "namespaced" {
                            s.namespaced = boolean(ctx, pv)?;
                        } else {
                            let gvr = mapping(ctx, pv, "gvr")?;
                            let gvr = known(ctx, gvr, &["group", "version", "resource"], "gvr")?;
                            for (gk, gv) in &gvr {
                                let text = string(ctx, gv)?;
                                match gk.as_str() {
                                    "group" => s.group = text,
                                    "version" => s.version = text,
                                    _ => s.resource = text,
                                }
                            }
                        }
                    }
                    p.scheme.push((kind, s));
                }
            }
            _ => {
                if is_null(v) {
                    continue;
                }
                let NodeKind::Seq { items, .. } = &v.kind else {
                    return Err(ctx.error(v, "kubernetesProvider.objects must be a list"));
                };
                for item in items {
                    let d = decode(ctx, item)?;
                    if !matches!(d, Doc::Map(_)) {
                        return Err(ctx.error(item, "each kubernetesProvider object must be a map"));
                    }
                    p.objects.push(d);
                }
            }
        }
    }
    Ok(p)
}

fn is_null(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Scalar { value, style, tag }
        if tag.is_none() && *style == yaml_rust2::scanner::TScalarStyle::Plain
            && matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
}

fn decode(ctx: &Ctx, node: &Node) -> Result<Doc, Error> {
    data::decode(node).map_err(|e| ctx.error_at(e.line.max(node.line), e.message))
}

fn kind_name(node: &Node) -> &'static str {
    match &node.kind {
        NodeKind::Scalar { .. } => "a scalar",
        NodeKind::Seq { .. } => "a list",
        NodeKind::Map { .. } => "a map",
    }
}

/// The entries of a mapping node, keys as text (a null node is an empty mapping). Merge keys
/// (`<<: *anchor`, or a list of anchors, the earlier winning) apply as yaml.v3 applies them: the
/// merged map's entries fill in the keys the mapping does not give itself.
fn mapping(ctx: &Ctx, node: &Node, what: &str) -> Result<Vec<(String, Rc<Node>)>, Error> {
    match &node.kind {
        NodeKind::Map { entries, .. } => {
            let mut out: Vec<(String, Rc<Node>)> = Vec::new();
            let mut merged: Vec<(String, Rc<Node>)> = Vec::new();
            for (k, v) in entries {
                if k.is_merge_key() {
                    let sources: Vec<&Node> = match &v.kind {
                        NodeKind::Seq { items, .. } => items.iter().map(|i| &**i).collect(),
                        _ => vec![&**v],
                    };
                    for source in sources {
                        if !matches!(source.kind, NodeKind::Map { .. }) {
                            return Err(ctx.error(
                                v,
                                "map merge requires map or sequence of maps as the value",
                            ));
                        }
                        for (mk, mv) in mapping(ctx, source, what)? {
                            if !merged.iter().any(|(x, _)| *x == mk) {
                                merged.push((mk, mv));
                            }
                        }
                    }
                    continue;
                }
                let key = match data::decode(k) {
                    Ok(Doc::Str(s)) => s.to_string(),
                    Ok(other) => data::go_sprint(&other),
                    Err(e) => return Err(ctx.error_at(e.line.max(k.line), e.message)),
                };
                if out.iter().any(|(x, _)| *x == key) {
                    return Err(ctx.error(k, format!("mapping key {key:?} is given twice")));
                }
                ctx.key_lines
                    .borrow_mut()
                    .insert(Rc::as_ptr(v) as usize, k.line);
                out.push((key, v.clone()));
            }
            for (key, value) in merged {
                if !out.iter().any(|(x, _)| *x == key) {
                    out.push((key, value));
                }
            }
            Ok(out)
        }
        _ if is_null(node) => Ok(Vec::new()),
        _ => Err(ctx.error(
            node,
            format!("expected {what} as a map, got {}", kind_name(node)),
        )),
    }
}

/// The entries with known keys. An unknown key is an error with `--strict` (as in helm-unittest,
/// whose yaml.v3 decoder then knows its fields); otherwise a warning, since helm-unittest ignores
/// unknown keys and suites in the wild have them.
fn known(
    ctx: &Ctx,
    entries: Vec<(String, Rc<Node>)>,
    allowed: &[&str],
    what: &str,
) -> Result<Vec<(String, Rc<Node>)>, Error> {
    let mut out = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        if allowed.contains(&key.as_str()) {
            out.push((key, value));
            continue;
        }
        let line = ctx
            .key_lines
            .borrow()
            .get(&(Rc::as_ptr(&value) as usize))
            .copied();
        ctx.unknown(
            line.unwrap_or(value.line),
            format!(
                "unknown key {key:?} in {what} (expected one of: {})",
                allowed.join(", ")
            ),
        )?;
    }
    Ok(out)
}

/// A string field as yaml.v3 fills one: any scalar's text; null is "".
fn string(ctx: &Ctx, node: &Node) -> Result<String, Error> {
    match &node.kind {
        NodeKind::Scalar { value, .. } => {
            if is_null(node) {
                Ok(String::new())
            } else {
                Ok(value.clone())
            }
        }
        _ => Err(ctx.error(node, format!("expected a string, got {}", kind_name(node)))),
    }
}

fn strings(ctx: &Ctx, node: &Node) -> Result<Vec<String>, Error> {
    match &node.kind {
        NodeKind::Seq { items, .. } => items.iter().map(|i| string(ctx, i)).collect(),
        _ if is_null(node) => Ok(Vec::new()),
        _ => Err(ctx.error(
            node,
            format!("expected a list of strings, got {}", kind_name(node)),
        )),
    }
}

/// A bool field as yaml.v3 fills one (YAML 1.1 spellings such as `yes` are accepted there).
fn boolean(ctx: &Ctx, node: &Node) -> Result<bool, Error> {
    if is_null(node) {
        return Ok(false);
    }
    if let NodeKind::Scalar { value, .. } = &node.kind {
        match value.as_str() {
            "true" | "True" | "TRUE" | "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
                return Ok(true)
            }
            "false" | "False" | "FALSE" | "n" | "N" | "no" | "No" | "NO" | "off" | "Off"
            | "OFF" => return Ok(false),
            _ => {}
        }
    }
    Err(ctx.error(node, "expected true or false"))
}

fn integer(ctx: &Ctx, node: &Node) -> Result<i64, Error> {
    if is_null(node) {
        return Ok(0);
    }
    match decode(ctx, node)? {
        Doc::Int(i) => Ok(i),
        Doc::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(ctx.error(node, "expected an integer")),
    }
}

/// A `set:` map: each key is a set path, each value any YAML.
fn set_map(ctx: &Ctx, node: &Node) -> Result<Vec<(String, Doc)>, Error> {
    let mut out = Vec::new();
    for (key, value) in mapping(ctx, node, "set")? {
        let v = decode(ctx, &value)?;
        super::path::set_path(&key, Doc::Null)
            .map_err(|e| ctx.error(&value, format!("set: key {key:?}: {e}")))?;
        out.push((key, v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_suite_with_two_documents() {
        let text = "suite: a\ntemplates: [x.yaml]\ntests:\n  - it: t1\n    set:\n      a.b: 1\n    asserts:\n      - isKind:\n          of: Pod\n---\nsuite: b\ntests:\n  - it: t2\n    asserts:\n      - hasDocuments:\n          count: 1\n";
        let suites = parse_file("tests/x_test.yaml", text, true);
        assert_eq!(suites.len(), 2);
        let a = suites[0].as_ref().unwrap();
        assert_eq!(a.name, "a");
        assert_eq!(a.templates, ["x.yaml"]);
        assert_eq!(a.tests[0].set[0].0, "a.b");
        let b = suites[1].as_ref().unwrap();
        assert_eq!(b.line, 11);
        assert_eq!(b.tests[0].asserts.len(), 1);
    }

    #[test]
    fn merge_keys_fill_in_what_a_mapping_does_not_give() {
        let text = "suite: a\nx-keys:\n  sel: &sel {path: kind, value: Secret}\n  idx: &idx {path: metadata.name}\ntests:\n  - it: t\n    documentSelector:\n      <<: *sel\n      value: ConfigMap\n    asserts:\n      - exists:\n          <<: [*idx, *sel]\n";
        let suite = parse_file("t.yaml", text, false).remove(0).unwrap();
        let sel = suite.tests[0].document_selector.as_ref().unwrap();
        assert_eq!(sel.path, "kind");
        assert_eq!(
            data::to_json(sel.value.as_ref().unwrap()).unwrap(),
            r#""ConfigMap""#
        );
        let text =
            "suite: a\ntests:\n  - it: t\n    documentSelector:\n      <<: [1]\n    asserts: []\n";
        let err = parse_file("t.yaml", text, true).remove(0).unwrap_err();
        assert!(err.to_string().contains("map merge requires"), "{err}");
    }

    #[test]
    fn unknown_keys_name_file_test_and_line() {
        let text = "suite: a\ntests:\n  - it: first\n    valeus: [x.yaml]\n    asserts:\n      - isKind: {of: Pod}\n";
        let err = parse_file("t.yaml", text, true).remove(0).unwrap_err();
        assert_eq!(err.line, 4);
        assert_eq!(err.test.as_deref(), Some("first"));
        assert!(err.to_string().contains("unknown key \"valeus\""), "{err}");
        let text = "suite: a\ntests:\n  - it: first\n    asserts:\n      - equal: {path: 'a[', value: 1}\n";
        let err = parse_file("t.yaml", text, true).remove(0).unwrap_err();
        assert_eq!(err.line, 5);
        assert!(err.to_string().contains("invalid path"), "{err}");
        let text = "suite: a\ntests:\n  - it: first\n    asserts:\n      - matchRegex: {path: a, pattern: '('}\n";
        let err = parse_file("t.yaml", text, true).remove(0).unwrap_err();
        assert!(
            err.to_string().contains("invalid regular expression"),
            "{err}"
        );
        let text = "suite: a\ntests:\n  - it: first\n    asserts:\n      - isKindd: {of: Pod}\n";
        let err = parse_file("t.yaml", text, true).remove(0).unwrap_err();
        assert!(err.to_string().contains("`isKindd` is invalid"), "{err}");
    }

    #[test]
    fn unknown_keys_warn_unless_strict() {
        let text = "suite: a\ntests:\n  - it: first\n    valeus: [x.yaml]\n    asserts:\n      - equal: {path: a, value: 1, documentIndex: 0}\n";
        let suite = parse_file("t.yaml", text, false).remove(0).unwrap();
        let warnings: Vec<String> = suite.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            warnings,
            [
                "t.yaml:4: test \"first\": unknown key \"valeus\" in test (expected one of: it, values, set, template, templates, documentIndex, documentSelector, release, chart, capabilities, asserts, skip, kubernetesProvider, postRenderer)",
                "t.yaml:6: test \"first\": asserts[0] `equal`: unknown parameter \"documentIndex\" (expected path, value, decodeBase64)"
            ]
        );
    }

    #[test]
    fn snapshot_file_sits_beside_the_suite() {
        let s = parse_file(
            "c/tests/a_test.yaml",
            "tests:\n  - it: x\n    asserts:\n      - matchSnapshot: {}\n",
            false,
        )
        .remove(0)
        .unwrap();
        assert_eq!(
            s.snapshot_file(),
            std::path::PathBuf::from("c/tests/__snapshot__/a_test.yaml.snap")
        );
    }
}
