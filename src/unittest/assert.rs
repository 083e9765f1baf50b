//! Assertions: which documents an assertion looks at (its templates, `documentIndex`,
//! `documentSelector`), and every validator of helm-unittest v1.1.2 with its verdict rules and its
//! failure text (`FailInfo` lines: `Path:`, `Expected to …:`, `Actual:`, `Diff:`).
//!
//! The verdict rules follow helm-unittest's validators, quirks included, since the point is the same
//! verdict on every test: over several documents or several path matches every one must pass; no
//! document at all passes only a negated assertion; `notGreaterOrEqual` passes whenever the types
//! match (Go's `a || b == c` precedence in `operator_validator.go`); `failedTemplate` without
//! parameters passes on any failed render.
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::yaml::emit::Doc;

use super::data::{self, deep_equal, go_type_name, marshal};
use super::diff::unified;
use super::path::Path;
use super::snapshot::{Compared, SnapshotCache};
use super::suite::DocumentSelector;

/// Every assertion type, with whether it is the negated form of its validator and whether it needs
/// the render to succeed.
const TYPES: &[(&str, bool, bool)] = &[
    ("matchSnapshot", false, true),
    ("matchSnapshotRaw", false, true),
    ("equal", false, true),
    ("notEqual", true, true),
    ("greaterOrEqual", false, true),
    ("notGreaterOrEqual", true, true),
    ("lessOrEqual", false, true),
    ("notLessOrEqual", true, true),
    ("equalRaw", false, true),
    ("notEqualRaw", true, true),
    ("exists", false, true),
    ("notExists", true, true),
    ("matchRegex", false, true),
    ("notMatchRegex", true, true),
    ("matchRegexRaw", false, true),
    ("notMatchRegexRaw", true, true),
    ("contains", false, true),
    ("notContains", true, true),
    ("isKind", false, true),
    ("isAPIVersion", false, true),
    ("hasDocuments", false, true),
    ("isSubset", false, true),
    ("isNotSubset", true, true),
    ("isNullOrEmpty", false, true),
    ("isNotNullOrEmpty", true, true),
    ("failedTemplate", false, false),
    ("notFailedTemplate", true, true),
    ("containsDocument", false, true),
    ("lengthEqual", false, true),
    ("notLengthEqual", true, true),
    ("isNull", true, true),
    ("isNotNull", false, true),
    ("isEmpty", false, true),
    ("isNotEmpty", true, true),
    ("isType", false, true),
    ("isNotType", true, true),
];

/// The names, for error messages.
pub const ASSERT_TYPES: &[&str] = &[
    "containsDocument",
    "contains",
    "notContains",
    "equal",
    "notEqual",
    "equalRaw",
    "notEqualRaw",
    "exists",
    "notExists",
    "failedTemplate",
    "notFailedTemplate",
    "greaterOrEqual",
    "notGreaterOrEqual",
    "lessOrEqual",
    "notLessOrEqual",
    "hasDocuments",
    "isAPIVersion",
    "isKind",
    "isNullOrEmpty",
    "isNotNullOrEmpty",
    "isEmpty",
    "isNotEmpty",
    "isSubset",
    "isNotSubset",
    "isType",
    "isNotType",
    "lengthEqual",
    "notLengthEqual",
    "matchRegex",
    "notMatchRegex",
    "matchRegexRaw",
    "notMatchRegexRaw",
    "matchSnapshot",
    "matchSnapshotRaw",
    "isNull",
    "isNotNull",
];

pub fn is_assert_type(name: &str) -> bool {
    TYPES.iter().any(|(n, _, _)| *n == name)
}

/// The parameters each validator accepts (matched without regard to case, as mapstructure does).
pub fn params_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "equal" | "notEqual" => &["path", "value", "decodeBase64"],
        "greaterOrEqual" | "notGreaterOrEqual" | "lessOrEqual" | "notLessOrEqual" => {
            &["path", "value"]
        }
        "equalRaw" | "notEqualRaw" => &["value"],
        "exists" | "notExists" | "isNull" | "isNotNull" => &["path"],
        "matchRegex" | "notMatchRegex" => &["path", "pattern", "decodeBase64"],
        "matchRegexRaw" | "notMatchRegexRaw" => &["pattern"],
        "contains" | "notContains" => &["path", "content", "count", "any"],
        "isKind" | "isAPIVersion" => &["of"],
        "hasDocuments" => &["count", "filterAware"],
        "isSubset" | "isNotSubset" => &["path", "content"],
        "isNullOrEmpty" | "isNotNullOrEmpty" | "isEmpty" | "isNotEmpty" => &["path"],
        "failedTemplate" | "notFailedTemplate" => &["errorMessage", "errorPattern"],
        "containsDocument" => &["kind", "apiVersion", "name", "namespace", "any"],
        "lengthEqual" | "notLengthEqual" => &["paths", "path", "count"],
        "isType" | "isNotType" => &["path", "type"],
        "matchSnapshot" => &["path", "matchRegex", "notMatchRegex"],
        _ => &[],
    }
}

/// Go's `regexp.Compile`: RE2 syntax as Go reads it (a `{` that starts no repetition is a literal,
/// as in `^{.*}$`), translated for the `regex` crate; the error is Go's text.
pub fn go_regex(pattern: &str) -> Result<regex::Regex, String> {
    crate::template::funcs::sprig::regex::compile_go(pattern)
}

/// A validator with its parameters.
#[derive(Debug, Clone)]
pub enum Validator {
    Equal {
        path: String,
        compiled: Path,
        value: Doc,
        decode_base64: bool,
    },
    Operator {
        path: String,
        compiled: Path,
        value: Doc,
        greater: bool,
    },
    EqualRaw {
        value: String,
    },
    Exists {
        path: String,
        compiled: Path,
    },
    MatchRegex {
        path: String,
        compiled: Path,
        pattern: String,
        regex: Option<regex::Regex>,
        decode_base64: bool,
    },
    MatchRegexRaw {
        pattern: String,
        regex: Option<regex::Regex>,
    },
    Contains {
        path: String,
        compiled: Path,
        content: Doc,
        count: Option<i64>,
        any: bool,
    },
    IsKind {
        of: String,
    },
    IsApiVersion {
        of: String,
    },
    HasDocuments {
        count: i64,
        filter_aware: bool,
    },
    IsSubset {
        path: String,
        compiled: Path,
        content: Doc,
    },
    IsNullOrEmpty {
        path: String,
        compiled: Path,
    },
    FailedTemplate {
        error_message: String,
        error_pattern: String,
    },
    ContainsDocument {
        kind: String,
        api_version: String,
        name: String,
        namespace: String,
        any: bool,
    },
    LengthEqual {
        paths: Vec<(String, Path)>,
        path: String,
        compiled: Path,
        count: Option<i64>,
    },
    IsType {
        path: String,
        compiled: Path,
        type_name: String,
    },
    MatchSnapshot {
        path: String,
        compiled: Path,
        match_regex: String,
        not_match_regex: String,
    },
    MatchSnapshotRaw,
}

/// One `asserts[]` entry.
#[derive(Debug, Clone)]
pub struct Assertion {
    /// The key that named it (`notEqual`).
    pub kind: &'static str,
    pub validator: Validator,
    pub not: bool,
    pub template: String,
    pub document_index: Option<i64>,
    pub document_selector: Option<DocumentSelector>,
    /// 1-based line in the suite file.
    pub line: usize,
    antonym: bool,
    pub require_render_success: bool,
}

impl Assertion {
    pub fn new(
        kind: &str,
        validator: Validator,
        not: bool,
        template: String,
        document_index: Option<i64>,
        document_selector: Option<DocumentSelector>,
        line: usize,
    ) -> Assertion {
        let &(name, antonym, require) = TYPES
            .iter()
            .find(|(n, _, _)| *n == kind)
            .expect("checked by the suite parser");
        Assertion {
            kind: name,
            validator,
            not,
            template,
            document_index,
            document_selector,
            line,
            antonym,
            require_render_success: require,
        }
    }
}

/// What one test's render produced, as the assertions see it.
pub struct Rendered {
    /// Template path → documents (text files and render failures as `{raw: …}`).
    pub manifests: BTreeMap<String, Vec<Doc>>,
    pub render_succeeded: bool,
    /// A render error that could not be attributed to a template.
    pub render_error: Option<String>,
    pub did_post_render: bool,
    pub skip_empty_templates: bool,
    pub fail_fast: bool,
}

/// The verdict on one assertion.
#[derive(Debug, Clone, Default)]
pub struct AssertResult {
    pub index: usize,
    pub kind: &'static str,
    pub not: bool,
    pub passed: bool,
    pub skipped: bool,
    pub skip_reason: String,
    pub fail_info: Vec<String>,
    /// The assertion's line in the suite file.
    pub line: usize,
}

/// The snapshots one test compares, numbered in call order.
pub struct SnapshotComparer<'c> {
    pub cache: &'c mut SnapshotCache,
    pub test: String,
    pub counter: u64,
}

impl SnapshotComparer<'_> {
    fn compare(&mut self, content: &str, match_regex: &str, not_match_regex: &str) -> Compared {
        self.counter += 1;
        self.cache.compare(
            &self.test,
            self.counter,
            content,
            match_regex,
            not_match_regex,
        )
    }
}

const RAW: &str = "raw";

impl Assertion {
    /// Runs the assertion on `rendered`, over `templates` (full paths, already resolved).
    pub fn assert(
        &self,
        index: usize,
        templates: &[String],
        document_index: Option<i64>,
        selector: Option<&DocumentSelector>,
        rendered: &Rendered,
        snapshots: &mut SnapshotComparer,
    ) -> AssertResult {
        let mut result = AssertResult {
            index,
            kind: self.kind,
            not: self.not,
            line: self.line,
            ..AssertResult::default()
        };
        // templatesResult restricted to the assertion's templates (missing ones are present, empty).
        let mut templates_docs: BTreeMap<String, Option<&Vec<Doc>>> = BTreeMap::new();
        let only = if rendered.did_post_render && rendered.manifests.len() == 1 {
            rendered
                .manifests
                .keys()
                .find(|k| k.ends_with("manifest.yaml"))
                .cloned()
        } else {
            None
        };
        match &only {
            Some(key) => {
                templates_docs.insert(key.clone(), rendered.manifests.get(key));
            }
            None => {
                for t in templates {
                    templates_docs.insert(t.clone(), rendered.manifests.get(t));
                }
            }
        }
        let selected: Result<BTreeMap<String, Vec<Doc>>, String> = match selector {
            Some(s) if !s.path.is_empty() => select_documents(s, &templates_docs),
            _ => match document_index {
                Some(i) if i != -1 => {
                    let mut out = BTreeMap::new();
                    let mut error = None;
                    for (t, docs) in &templates_docs {
                        let docs = docs.map(|d| d.as_slice()).unwrap_or(&[]);
                        if i < 0 || i as usize >= docs.len() {
                            error = Some(format!("document index {i} is out of range"));
                            break;
                        }
                        out.insert(t.clone(), vec![docs[i as usize].clone()]);
                    }
                    match error {
                        Some(e) => Err(e),
                        None => Ok(out),
                    }
                }
                _ => Ok(templates_docs
                    .iter()
                    .map(|(t, d)| (t.clone(), d.cloned().unwrap_or_default()))
                    .collect()),
            },
        };
        let selected = match selected {
            Ok(s) => s,
            Err(e) => {
                result.fail_info = vec!["Error:".into(), e];
                return result;
            }
        };
        let mut selected_templates: Vec<&String> = selected.keys().collect();
        selected_templates.sort();
        if rendered.skip_empty_templates && selected_templates.is_empty() {
            result.skipped = true;
            result.passed = true;
            result.skip_reason = "skipped as 'documentSelector.skipEmptyTemplates: true' and 'selectedTemplates: empty'".into();
            return result;
        }
        let negative = self.not != self.antonym;
        if selected_templates.is_empty() {
            if self.require_render_success != rendered.render_succeeded {
                result.fail_info = vec!["Error: rendered manifest is empty".into()];
            } else {
                let (passed, info) = self.validate(&[], &[], negative, rendered, snapshots);
                result.passed = passed;
                result.fail_info = info;
            }
            return result;
        }
        let mut passed = false;
        for (i, template) in selected_templates.iter().enumerate() {
            let docs = rendered.manifests.get(*template);
            let (add_template, ok, info) = if docs.is_none() && self.require_render_success {
                (
                    false,
                    false,
                    vec![
                        "Error:".to_string(),
                        if template.is_empty() {
                            "\tassertion.template must be given if testsuite.templates is empty"
                                .to_string()
                        } else {
                            format!(
                                "\ttemplate \"{template}\" not exists or not selected in test suite"
                            )
                        },
                    ],
                )
            } else if self.require_render_success != rendered.render_succeeded {
                let info = match docs.and_then(|d| d.first()) {
                    Some(first) => vec![format!("Error: Invalid rendering: {}", raw_sprint(first))],
                    None => vec!["Error: rendered manifest is empty".to_string()],
                };
                (true, false, info)
            } else {
                let all = docs.map(|d| d.as_slice()).unwrap_or(&[]);
                let (ok, info) =
                    self.validate(all, &selected[*template], negative, rendered, snapshots);
                (true, ok, info)
            };
            if !ok {
                if add_template {
                    result.fail_info.push(format!("Template:\t{template}"));
                }
                result.fail_info.extend(info);
            }
            passed = if i == 0 { ok } else { passed && ok };
        }
        result.passed = passed;
        result
    }

    fn validate(
        &self,
        docs: &[Doc],
        selected: &[Doc],
        negative: bool,
        rendered: &Rendered,
        snapshots: &mut SnapshotComparer,
    ) -> (bool, Vec<String>) {
        let ctx = Ctx {
            negative,
            fail_fast: rendered.fail_fast,
        };
        match &self.validator {
            Validator::Equal {
                path,
                compiled,
                value,
                decode_base64,
            } => equal(&ctx, selected, path, compiled, value, *decode_base64),
            Validator::Operator {
                path,
                compiled,
                value,
                greater,
            } => operator(&ctx, selected, path, compiled, value, *greater),
            Validator::EqualRaw { value } => equal_raw(&ctx, selected, value),
            Validator::Exists { path, compiled } => exists(&ctx, selected, path, compiled),
            Validator::MatchRegex {
                path,
                compiled,
                pattern,
                regex,
                decode_base64,
            } => match_regex(
                &ctx,
                selected,
                path,
                compiled,
                pattern,
                regex,
                *decode_base64,
            ),
            Validator::MatchRegexRaw { pattern, regex } => {
                match_regex_raw(&ctx, selected, pattern, regex)
            }
            Validator::Contains {
                path,
                compiled,
                content,
                count,
                any,
            } => contains(&ctx, selected, path, compiled, content, *count, *any),
            Validator::IsKind { of } => is_field(&ctx, selected, "kind", of, " to be kind"),
            Validator::IsApiVersion { of } => {
                is_field(&ctx, selected, "apiVersion", of, " to be apiVersion")
            }
            Validator::HasDocuments {
                count,
                filter_aware,
            } => {
                let len = if *filter_aware {
                    selected.len()
                } else {
                    docs.len()
                } as i64;
                if (len == *count) != negative {
                    (true, Vec::new())
                } else if negative {
                    (
                        false,
                        split_info(
                            &fail_format(true, false, false, false, " documents count to be"),
                            -1,
                            -1,
                            &[&count.to_string()],
                        ),
                    )
                } else {
                    (
                        false,
                        split_info(
                            &fail_format(false, false, true, false, " documents count to be"),
                            -1,
                            -1,
                            &[&count.to_string(), &len.to_string()],
                        ),
                    )
                }
            }
            Validator::IsSubset {
                path,
                compiled,
                content,
            } => is_subset(&ctx, selected, path, compiled, content),
            Validator::IsNullOrEmpty { path, compiled } => {
                is_null_or_empty(&ctx, selected, path, compiled)
            }
            Validator::FailedTemplate {
                error_message,
                error_pattern,
            } => failed_template(&ctx, selected, rendered, error_message, error_pattern),
            Validator::ContainsDocument {
                kind,
                api_version,
                name,
                namespace,
                any,
            } => contains_document(&ctx, selected, kind, api_version, name, namespace, *any),
            Validator::LengthEqual {
                paths,
                path,
                compiled,
                count,
            } => length_equal(&ctx, selected, paths, path, compiled, *count),
            Validator::IsType {
                path,
                compiled,
                type_name,
            } => is_type(&ctx, selected, path, compiled, type_name),
            Validator::MatchSnapshot {
                path,
                compiled,
                match_regex,
                not_match_regex,
            } => match_snapshot(
                &ctx,
                selected,
                path,
                compiled,
                match_regex,
                not_match_regex,
                snapshots,
            ),
            Validator::MatchSnapshotRaw => match_snapshot_raw(&ctx, selected, snapshots),
        }
    }
}

/// `fmt.Sprintf("%s", manifest["raw"])`.
fn raw_sprint(doc: &Doc) -> String {
    match doc {
        Doc::Map(m) => match data::get(m, RAW) {
            Some(Doc::Str(s)) => s.to_string(),
            Some(other) => data::go_sprint(other),
            None => "%!s(<nil>)".to_string(),
        },
        _ => "%!s(<nil>)".to_string(),
    }
}

fn select_documents(
    selector: &DocumentSelector,
    templates: &BTreeMap<String, Option<&Vec<Doc>>>,
) -> Result<BTreeMap<String, Vec<Doc>>, String> {
    let Some(path) = &selector.compiled else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    let mut total = 0;
    for (template, docs) in templates {
        let mut picked = Vec::new();
        for doc in docs.map(|d| d.as_slice()).unwrap_or(&[]) {
            let found = path.find(doc);
            let matches = found.iter().any(|v| match &selector.value {
                None => true,
                Some(want) => deep_equal(want, v),
            });
            if matches {
                if !selector.match_many && !picked.is_empty() {
                    return Err("multiple indexes found".into());
                }
                picked.push(doc.clone());
            }
        }
        total += picked.len();
        if !selector.match_many && total > 1 {
            return Err("multiple indexes found".into());
        }
        if !picked.is_empty() {
            out.insert(template.clone(), picked);
        }
    }
    if total == 0 && !selector.skip_empty_templates {
        return Err("document not found".into());
    }
    Ok(out)
}

struct Ctx {
    negative: bool,
    fail_fast: bool,
}

/// `setFailFormat`.
fn fail_format(not: bool, path: bool, actual: bool, diff: bool, custom: &str) -> String {
    let mut out = format!("\nExpected{}{custom}:\n%s\n", if not { " NOT" } else { "" });
    if path {
        out = format!("Path:%s{out}");
    }
    if actual {
        out.push_str("Actual:\n%s\n");
    }
    if diff {
        out.push_str("Diff:\n%s\n");
    }
    out
}

const ERROR_FORMAT: &str = "\nError:\n%s\n";

/// `splitInfof`: fills `%s` with tab-indented replacements and splits into lines, with the
/// document and value indexes in front when they are not -1.
fn split_info(
    format: &str,
    manifest_index: i64,
    values_index: i64,
    replacements: &[&str],
) -> Vec<String> {
    let format = format.trim_matches(|c| c == '\t' || c == '\n' || c == ' ');
    let mut out = String::new();
    let mut reps = replacements.iter();
    let mut rest = format;
    while let Some(at) = rest.find("%s") {
        out.push_str(&rest[..at]);
        match reps.next() {
            Some(r) => {
                out.push('\t');
                out.push_str(
                    r.replace('\n', "\n\t")
                        .trim_matches(|c| c == '\t' || c == '\n' || c == ' '),
                );
            }
            None => out.push_str("%!s(MISSING)"),
        }
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    let mut lines: Vec<String> = out.split('\n').map(str::to_string).collect();
    if values_index >= 0 {
        lines.insert(0, format!("ValuesIndex:\t{values_index}"));
    }
    if manifest_index >= 0 {
        lines.insert(0, format!("DocumentIndex:\t{manifest_index}"));
    }
    lines
}

fn error_info(manifest_index: i64, values_index: i64, message: &str) -> Vec<String> {
    split_info(ERROR_FORMAT, manifest_index, values_index, &[message])
}

/// A string value, base64-decoded first when the assertion asks (`decodeBase64`); when it does not
/// decode, the failed verdict helm-unittest gives.
fn decoded(
    s: &str,
    decode_base64: bool,
    manifest_index: i64,
    values_index: i64,
) -> Result<String, (bool, Vec<String>)> {
    if !decode_base64 {
        return Ok(s.to_string());
    }
    use base64::Engine;
    match base64::engine::general_purpose::STANDARD.decode(s.as_bytes()) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(_) => Err((
            false,
            error_info(
                manifest_index,
                values_index,
                &format!("unable to decode base64 expected content {s}"),
            ),
        )),
    }
}

/// `uniformContent`: `%v`, spaces before line ends removed (and `\r\n` made `\n`), leading
/// newlines trimmed.
fn uniform(s: &str) -> String {
    static SPACES: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = SPACES.get_or_init(|| regex::Regex::new(r"(?m)[ ]+\r?\n").expect("valid pattern"));
    re.replace_all(s, "\n").trim_start_matches('\n').to_string()
}

fn uniform_doc(d: &Doc) -> Doc {
    match d {
        Doc::Str(s) => Doc::Str(Rc::from(uniform(s))),
        Doc::Seq(items) => Doc::Seq(items.iter().map(uniform_doc).collect()),
        Doc::Map(m) => Doc::Map(m.iter().map(|(k, v)| (k.clone(), uniform_doc(v))).collect()),
        other => other.clone(),
    }
}

fn raw_of(doc: &Doc) -> String {
    let text = match doc {
        Doc::Map(m) => match data::get(m, RAW) {
            Some(Doc::Str(s)) => s.to_string(),
            Some(other) => data::go_sprint(other),
            None => "<nil>".to_string(),
        },
        _ => "<nil>".to_string(),
    };
    uniform(&text)
}

/// `determineSuccess`.
fn step(i: usize, so_far: bool, now: bool) -> bool {
    if i == 0 {
        now
    } else {
        so_far && now
    }
}

/// A document's (or a value's) verdict in the loop all validators share.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Pass,
    Fail,
    /// Leaves the verdict as it was (a value whose type cannot be compared, as helm-unittest's
    /// `continue` does).
    Skip,
    /// Settles the assertion as passed at once, earlier errors dropped (`containsDocument` with
    /// `any`).
    PassAll,
}

impl Step {
    fn of(ok: bool) -> Step {
        if ok {
            Step::Pass
        } else {
            Step::Fail
        }
    }
}

/// What an empty selection of documents means to a validator.
enum Empty<F: FnOnce() -> Vec<String>> {
    /// A failure with these errors, unless the assertion is negated (most validators).
    Fails(F),
    /// A pass, and a failure when negated (the snapshot validators).
    Passes,
}

/// helm-unittest's loop over the selected documents, the one every validator runs: each
/// document's verdict folded with `determineSuccess`, `--failfast` stopping at the first failure
/// where the validator does (`existing` does not), an empty selection settled by `empty`.
fn each_document<F: FnOnce() -> Vec<String>>(
    ctx: &Ctx,
    manifests: &[Doc],
    stops_early: bool,
    empty: Empty<F>,
    mut check: impl FnMut(usize, &Doc, &mut Vec<String>) -> Step,
) -> (bool, Vec<String>) {
    let mut errors = Vec::new();
    let success = fold(ctx, manifests, false, stops_early, |i, doc| {
        check(i, doc, &mut errors)
    });
    match success {
        None => (true, Vec::new()),
        Some(_) if manifests.is_empty() => match empty {
            Empty::Fails(_) if ctx.negative => (true, errors),
            Empty::Fails(no_manifest) => {
                errors.extend(no_manifest());
                (false, errors)
            }
            Empty::Passes => (!ctx.negative, errors),
        },
        Some(success) => (success, errors),
    }
}

/// The fold of verdicts both loops (documents, and the values a path finds in one) make:
/// `start` before the first, `determineSuccess` after each, stopping at the first failure under
/// `--failfast` when `stops_early`. `None` when a step settled everything (`PassAll`).
fn fold<T>(
    ctx: &Ctx,
    items: &[T],
    start: bool,
    stops_early: bool,
    mut check: impl FnMut(usize, &T) -> Step,
) -> Option<bool> {
    let mut success = start;
    for (i, item) in items.iter().enumerate() {
        match check(i, item) {
            Step::Skip => continue,
            Step::PassAll => return None,
            verdict => success = step(i, success, verdict == Step::Pass),
        }
        if !success && stops_early && ctx.fail_fast {
            break;
        }
    }
    Some(success)
}

/// One document's values at a path, each checked by `check`: a path that finds nothing fails
/// (`unknown path`, quoted or not as the validator words it) unless negated.
#[allow(clippy::too_many_arguments)]
fn each_value(
    ctx: &Ctx,
    manifest: &Doc,
    mi: usize,
    path: &str,
    compiled: &Path,
    quote_unknown_path: bool,
    errors: &mut Vec<String>,
    mut check: impl FnMut(&Doc, i64, i64, &mut Vec<String>) -> Step,
) -> Step {
    let actuals = compiled.find(manifest);
    if actuals.is_empty() && !ctx.negative {
        let message = if quote_unknown_path {
            format!("unknown path '{path}'")
        } else {
            format!("unknown path {path}")
        };
        errors.extend(error_info(mi as i64, -1, &message));
        return Step::Fail;
    }
    let start = actuals.is_empty() && ctx.negative;
    let ok = fold(ctx, &actuals, start, true, |ai, actual| {
        check(actual, mi as i64, ai as i64, errors)
    });
    Step::of(ok.unwrap_or(true))
}

/// The validators that check each value a path finds.
fn per_value(
    ctx: &Ctx,
    manifests: &[Doc],
    path: &str,
    compiled: &Path,
    unknown_path_quote: bool,
    no_manifest: impl Fn() -> Vec<String>,
    mut check: impl FnMut(&Doc, i64, i64) -> (bool, Vec<String>),
) -> (bool, Vec<String>) {
    each_document(
        ctx,
        manifests,
        true,
        Empty::Fails(no_manifest),
        |mi, manifest, errors| {
            each_value(
                ctx,
                manifest,
                mi,
                path,
                compiled,
                unknown_path_quote,
                errors,
                |actual, mi, ai, errors| {
                    let (ok, errs) = check(actual, mi, ai);
                    errors.extend(errs);
                    Step::of(ok)
                },
            )
        },
    )
}

fn equal(
    ctx: &Ctx,
    manifests: &[Doc],
    path: &str,
    compiled: &Path,
    value: &Doc,
    decode_base64: bool,
) -> (bool, Vec<String>) {
    let fail = |actual: &Doc, mi: i64, ai: i64, not: bool| {
        let expected = marshal(value);
        let actual = marshal(actual);
        if not {
            split_info(
                &fail_format(true, true, false, false, " to equal"),
                mi,
                ai,
                &[path, &expected],
            )
        } else {
            let d = unified(&expected, &actual);
            split_info(
                &fail_format(false, true, true, true, " to equal"),
                mi,
                ai,
                &[path, &expected, &actual, &d],
            )
        }
    };
    per_value(
        ctx,
        manifests,
        path,
        compiled,
        false,
        || {
            fail(
                &Doc::Str(Rc::from("no manifest found")),
                -1,
                -1,
                ctx.negative,
            )
        },
        |actual, mi, ai| {
            let actual = match actual {
                Doc::Str(s) => match decoded(s, decode_base64, mi, ai) {
                    Ok(text) => Doc::Str(Rc::from(uniform(&text))),
                    Err(failed) => return failed,
                },
                other => uniform_doc(other),
            };
            if deep_equal(value, &actual) == ctx.negative {
                (false, fail(&actual, mi, ai, ctx.negative))
            } else {
                (true, Vec::new())
            }
        },
    )
}

fn operator(
    ctx: &Ctx,
    manifests: &[Doc],
    path: &str,
    compiled: &Path,
    value: &Doc,
    greater: bool,
) -> (bool, Vec<String>) {
    let comparison = if greater { "greater" } else { "less" };
    let fail = |msg: &str, mi: i64, ai: i64| {
        split_info(
            &fail_format(
                ctx.negative,
                true,
                false,
                false,
                &format!(" to be {comparison} then or equal to, got"),
            ),
            mi,
            ai,
            &[path, msg],
        )
    };
    each_document(
        ctx,
        manifests,
        true,
        Empty::Fails(|| fail("no manifests found", -1, -1)),
        |mi, manifest, errors| {
            each_value(
                ctx,
                manifest,
                mi,
                path,
                compiled,
                true,
                errors,
                |actual, mi, ai, errors| {
                    let (at, et) = (go_type_name(actual), go_type_name(value));
                    if at != et || at.is_empty() {
                        let show = |t: &str| {
                            if t.is_empty() {
                                "%!s(<nil>)".to_string()
                            } else {
                                t.to_string()
                            }
                        };
                        errors.extend(error_info(
                            mi,
                            ai,
                            &format!(
                                "actual '{}' and expected '{}' types do not match",
                                show(at),
                                show(et)
                            ),
                        ));
                        return Step::Skip;
                    }
                    // Go: `(cmp == greater && a >= e) || (cmp == less && a <= e) == negative`,
                    // with negative = !context.Negative.
                    let neg = !ctx.negative;
                    let ge = cmp_docs(actual, value).map(|o| o != std::cmp::Ordering::Less);
                    let le = cmp_docs(actual, value).map(|o| o != std::cmp::Ordering::Greater);
                    let (Some(ge), Some(le)) = (ge, le) else {
                        errors.extend(fail(&format!("unsupported type '{et}'"), mi, ai));
                        return Step::Fail;
                    };
                    let result = (greater && ge) || ((!greater && le) == neg);
                    if !result {
                        errors.extend(fail(
                            &format!(
                                "the actual '{}' is not {comparison} or equal to the expected '{}'",
                                data::go_sprint(actual),
                                data::go_sprint(value)
                            ),
                            mi,
                            ai,
                        ));
                    }
                    Step::of(result)
                },
            )
        },
    )
}

fn cmp_docs(a: &Doc, b: &Doc) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Doc::Str(x), Doc::Str(y)) => Some(x.cmp(y)),
        (Doc::Int(x), Doc::Int(y)) => Some(x.cmp(y)),
        (Doc::Float(x), Doc::Float(y)) => x.partial_cmp(y).or(Some(std::cmp::Ordering::Less)),
        _ => None,
    }
}

/// The validators that look at each whole document: `check` gives a failing document's errors.
fn per_doc(
    ctx: &Ctx,
    manifests: &[Doc],
    no_manifest: impl Fn() -> Vec<String>,
    mut check: impl FnMut(&Doc, i64) -> Option<Vec<String>>,
) -> (bool, Vec<String>) {
    each_document(
        ctx,
        manifests,
        true,
        Empty::Fails(no_manifest),
        |i, manifest, errors| match check(manifest, i as i64) {
            Some(errs) => {
                errors.extend(errs);
                Step::Fail
            }
            None => Step::Pass,
        },
    )
}

fn equal_raw(ctx: &Ctx, manifests: &[Doc], value: &str) -> (bool, Vec<String>) {
    let expected = marshal(&Doc::Str(Rc::from(value)));
    let fail = |actual: &str| {
        let actual = marshal(&Doc::Str(Rc::from(actual)));
        if ctx.negative {
            split_info(
                &fail_format(true, false, false, false, " to equal"),
                -1,
                -1,
                &[&expected],
            )
        } else {
            let d = unified(&expected, &actual);
            split_info(
                &fail_format(false, false, true, true, " to equal"),
                -1,
                -1,
                &[&expected, &actual, &d],
            )
        }
    };
    per_doc(
        ctx,
        manifests,
        || fail("no manifest found"),
        |m, _| {
            let actual = raw_of(m);
            if (value == actual) == ctx.negative {
                Some(fail(&actual))
            } else {
                None
            }
        },
    )
}

fn exists(ctx: &Ctx, manifests: &[Doc], path: &str, compiled: &Path) -> (bool, Vec<String>) {
    let fail = |mi: i64| {
        let format = format!(
            "Path:%s expected to {}exists",
            if ctx.negative { "NOT " } else { "" }
        );
        split_info(&format, mi, -1, &[path])
    };
    // helm-unittest's `exists` does not stop early under --failfast.
    each_document(
        ctx,
        manifests,
        false,
        Empty::Fails(|| fail(-1)),
        |i, m, errors| {
            let found = !compiled.find(m).is_empty();
            if found == ctx.negative {
                errors.extend(fail(i as i64));
                return Step::Fail;
            }
            Step::Pass
        },
    )
}

#[allow(clippy::too_many_arguments)]
fn match_regex(
    ctx: &Ctx,
    manifests: &[Doc],
    path: &str,
    compiled: &Path,
    pattern: &str,
    regex: &Option<regex::Regex>,
    decode_base64: bool,
) -> (bool, Vec<String>) {
    let fail = |actual: &str, mi: i64, ai: i64| {
        split_info(
            &fail_format(ctx.negative, true, true, false, " to match"),
            mi,
            ai,
            &[path, pattern, actual],
        )
    };
    let Some(re) = regex else {
        return (
            false,
            error_info(-1, -1, "expected field 'pattern' to be filled"),
        );
    };
    per_value(
        ctx,
        manifests,
        path,
        compiled,
        false,
        || fail("no manifest found", -1, -1),
        |actual, mi, ai| match actual {
            Doc::Str(s) => {
                let text = match decoded(s, decode_base64, mi, ai) {
                    Ok(text) => text,
                    Err(failed) => return failed,
                };
                if re.is_match(&text) == ctx.negative {
                    (false, fail(&text, mi, ai))
                } else {
                    (true, Vec::new())
                }
            }
            other => (
                false,
                error_info(
                    mi,
                    ai,
                    &format!("expect '{path}' to be a string, got:\n{}", marshal(other)),
                ),
            ),
        },
    )
}

fn match_regex_raw(
    ctx: &Ctx,
    manifests: &[Doc],
    pattern: &str,
    regex: &Option<regex::Regex>,
) -> (bool, Vec<String>) {
    let Some(re) = regex else {
        return (
            false,
            error_info(-1, -1, "expected field 'pattern' to be filled"),
        );
    };
    let fail = |actual: &str| {
        split_info(
            &fail_format(ctx.negative, false, true, false, " to match"),
            -1,
            -1,
            &[pattern, actual],
        )
    };
    per_doc(
        ctx,
        manifests,
        || fail("no manifest found"),
        |m, _| {
            let actual = raw_of(m);
            if re.is_match(&actual) == ctx.negative {
                Some(fail(&actual))
            } else {
                None
            }
        },
    )
}

#[allow(clippy::too_many_arguments)]
fn contains(
    ctx: &Ctx,
    manifests: &[Doc],
    path: &str,
    compiled: &Path,
    content: &Doc,
    count: Option<i64>,
    any: bool,
) -> (bool, Vec<String>) {
    let fail = |actual: &Doc, mi: i64, ai: i64| {
        split_info(
            &fail_format(ctx.negative, true, true, false, " to contain"),
            mi,
            ai,
            &[
                path,
                &marshal(&Doc::Seq(vec![content.clone()])),
                &marshal(actual),
            ],
        )
    };
    per_value(
        ctx,
        manifests,
        path,
        compiled,
        false,
        || fail(&Doc::Str(Rc::from("no manifest found")), 0, -1),
        |actual, mi, ai| {
            let Doc::Seq(items) = actual else {
                return (
                    false,
                    error_info(
                        mi,
                        ai,
                        &format!("expect '{path}' to be an array, got:\n{}", marshal(actual)),
                    ),
                );
            };
            let mut found = false;
            let mut found_count = 0i64;
            for ele in items {
                let (is_array, is_submatch) = if any {
                    match (ele, content) {
                        (Doc::Map(e), Doc::Map(c)) => (false, subset(e, c)),
                        _ => (true, false),
                    }
                } else {
                    (false, false)
                };
                if is_submatch {
                    found = true;
                    found_count += 1;
                }
                if (!any || is_array) && deep_equal(ele, content) {
                    found = true;
                    found_count += 1;
                }
            }
            match count {
                None => {
                    if found == ctx.negative {
                        (false, fail(actual, mi, ai))
                    } else {
                        (true, Vec::new())
                    }
                }
                Some(c) => {
                    if (found && c == found_count) == ctx.negative {
                        if !found {
                            (false, fail(actual, mi, ai))
                        } else {
                            (
                                false,
                                error_info(
                                    mi,
                                    ai,
                                    &format!(
                                        "expect count {c} in '{path}' to be in array, got {found_count}:\n{}",
                                        marshal(actual)
                                    ),
                                ),
                            )
                        }
                    } else {
                        (true, Vec::new())
                    }
                }
            }
        },
    )
}

/// `validateSubset`: every key of `content` is in `actual` with an equal value.
fn subset(actual: &[(Rc<str>, Doc)], content: &[(Rc<str>, Doc)]) -> bool {
    content.iter().all(|(k, v)| match data::get(actual, k) {
        Some(a) => deep_equal(a, v),
        None => matches!(v, Doc::Null),
    })
}

fn is_field(
    ctx: &Ctx,
    manifests: &[Doc],
    field: &str,
    of: &str,
    custom: &str,
) -> (bool, Vec<String>) {
    let fail = |actual: &Doc, mi: i64| {
        if ctx.negative {
            split_info(
                &fail_format(true, false, false, false, custom),
                mi,
                -1,
                &[of],
            )
        } else {
            split_info(
                &fail_format(false, false, true, false, custom),
                mi,
                -1,
                &[of, &marshal(actual)],
            )
        }
    };
    per_doc(
        ctx,
        manifests,
        || fail(&Doc::Str(Rc::from("no manifest found")), -1),
        |m, i| {
            let value = match m {
                Doc::Map(e) => data::get(e, field).cloned().unwrap_or(Doc::Null),
                _ => Doc::Null,
            };
            let is = matches!(&value, Doc::Str(s) if &**s == of);
            if is == ctx.negative {
                Some(fail(&value, i))
            } else {
                None
            }
        },
    )
}

fn is_subset(
    ctx: &Ctx,
    manifests: &[Doc],
    path: &str,
    compiled: &Path,
    content: &Doc,
) -> (bool, Vec<String>) {
    let fail = |actual: &Doc, mi: i64, ai: i64| {
        split_info(
            &fail_format(ctx.negative, true, true, false, " to contain"),
            mi,
            ai,
            &[path, &marshal(content), &marshal(actual)],
        )
    };
    per_value(
        ctx,
        manifests,
        path,
        compiled,
        false,
        || fail(&Doc::Str(Rc::from("no manifest found")), -1, -1),
        |actual, mi, ai| match (actual, content) {
            (Doc::Map(a), Doc::Map(c)) => {
                let found = subset(a, c);
                if found == ctx.negative {
                    (false, fail(actual, mi, ai))
                } else {
                    (true, Vec::new())
                }
            }
            _ => (
                false,
                error_info(
                    mi,
                    ai,
                    &format!("expect '{path}' to be an object, got:\n{}", marshal(actual)),
                ),
            ),
        },
    )
}

fn is_null_or_empty(
    ctx: &Ctx,
    manifests: &[Doc],
    path: &str,
    compiled: &Path,
) -> (bool, Vec<String>) {
    let fail = |actual: &Doc, mi: i64, ai: i64| {
        split_info(
            &fail_format(
                ctx.negative,
                true,
                false,
                false,
                " to be null or empty, got",
            ),
            mi,
            ai,
            &[path, &marshal(actual)],
        )
    };
    per_value(
        ctx,
        manifests,
        path,
        compiled,
        false,
        || fail(&Doc::Str(Rc::from("no manifest found")), -1, -1),
        |actual, mi, ai| {
            if data::is_null_or_empty(actual) == ctx.negative {
                (false, fail(actual, mi, ai))
            } else {
                (true, Vec::new())
            }
        },
    )
}

fn failed_template(
    ctx: &Ctx,
    manifests: &[Doc],
    rendered: &Rendered,
    message: &str,
    pattern: &str,
) -> (bool, Vec<String>) {
    let custom = if pattern.is_empty() {
        " to equal"
    } else {
        " to match"
    };
    let expected = if message.is_empty() { pattern } else { message };
    // `mi`: the failed document's index (`DocumentIndex:`), -1 for a render error.
    let fail = |actual: &str, mi: i64| {
        if ctx.negative {
            split_info(
                &fail_format(true, false, false, false, custom),
                mi,
                -1,
                &[expected],
            )
        } else {
            split_info(
                &fail_format(false, false, true, false, custom),
                mi,
                -1,
                &[expected, actual],
            )
        }
    };
    if !message.is_empty() && !pattern.is_empty() {
        return (
            false,
            error_info(
                -1,
                -1,
                "single attribute 'errorMessage' or 'errorPattern' supported at the same time",
            ),
        );
    }
    let check_pattern = |actual: &str, mi: i64| -> (bool, Vec<String>) {
        let re = match go_regex(pattern).or_else(|_| go_regex(&regex::escape(pattern))) {
            Ok(re) => re,
            Err(e) => return (false, error_info(-1, -1, &e)),
        };
        if re.is_match(actual) == ctx.negative {
            // Patterns with regex metacharacters are retried as literal text.
            let meta = pattern.chars().any(|c| "\\.+*?()|[]{}^$".contains(c));
            if meta {
                if let Ok(lit) = go_regex(&regex::escape(pattern)) {
                    if lit.is_match(actual) != ctx.negative {
                        return (true, Vec::new());
                    }
                }
            }
            return (false, fail(actual, mi));
        }
        (true, Vec::new())
    };
    let check_message = |actual: &str| -> (bool, Vec<String>) {
        if (message == actual) == ctx.negative {
            (false, fail(actual, -1))
        } else {
            (true, Vec::new())
        }
    };
    if let Some(err) = &rendered.render_error {
        if !pattern.is_empty() {
            return check_pattern(err, -1);
        }
        if !message.is_empty() {
            return check_message(err);
        }
        return (true, Vec::new());
    }
    each_document(
        ctx,
        manifests,
        true,
        Empty::Fails(|| fail("No failed document", -1)),
        |i, m, errors| {
            if message.is_empty() && pattern.is_empty() && !ctx.negative {
                return Step::Pass;
            }
            let actual = match m {
                Doc::Map(e) => match data::get(e, RAW) {
                    Some(Doc::Str(s)) => Some(s.to_string()),
                    _ => None,
                },
                _ => None,
            };
            let (ok, errs) = if !pattern.is_empty() {
                match &actual {
                    Some(a) => check_pattern(a, i as i64),
                    None => (true, Vec::new()),
                }
            } else if !message.is_empty() {
                let equal = actual.as_deref() == Some(message);
                if equal == ctx.negative {
                    (
                        false,
                        fail(actual.as_deref().unwrap_or("%!s(<nil>)"), i as i64),
                    )
                } else {
                    (true, Vec::new())
                }
            } else {
                (true, Vec::new())
            };
            errors.extend(errs);
            Step::of(ok)
        },
    )
}

fn contains_document(
    ctx: &Ctx,
    manifests: &[Doc],
    kind: &str,
    api_version: &str,
    name: &str,
    namespace: &str,
    any: bool,
) -> (bool, Vec<String>) {
    let mut parts = vec![format!("Kind = {kind}, apiVersion = {api_version}")];
    if !name.is_empty() {
        parts.push(format!("Name = {name}"));
    }
    if !namespace.is_empty() {
        parts.push(format!("Namespace = {namespace}"));
    }
    let joined = parts.join(", ");
    let fail = |mi: i64| {
        split_info(
            &fail_format(ctx.negative, false, false, false, " to contain document"),
            mi,
            -1,
            &[&joined],
        )
    };
    let field = |m: &Doc, key: &str| -> Option<Doc> {
        match m {
            Doc::Map(e) => data::get(e, key).cloned(),
            _ => None,
        }
    };
    let meta = |m: &Doc, key: &str| -> Option<Doc> {
        match field(m, "metadata") {
            Some(Doc::Map(e)) => data::get(&e, key).cloned(),
            _ => None,
        }
    };
    let matches = |m: &Doc| {
        if let Some(Doc::Str(k)) = field(m, "kind") {
            if &*k != kind {
                return false;
            }
        }
        if let Some(Doc::Str(a)) = field(m, "apiVersion") {
            if &*a != api_version {
                return false;
            }
        }
        if !name.is_empty() && !matches!(meta(m, "name"), Some(Doc::Str(n)) if &*n == name) {
            return false;
        }
        if !namespace.is_empty()
            && !matches!(meta(m, "namespace"), Some(Doc::Str(n)) if &*n == namespace)
        {
            return false;
        }
        true
    };
    each_document(
        ctx,
        manifests,
        true,
        Empty::Fails(|| fail(0)),
        |i, m, errors| {
            if matches(m) == ctx.negative {
                errors.extend(fail(i as i64));
                Step::Fail
            } else if any != ctx.negative {
                Step::PassAll
            } else {
                Step::Pass
            }
        },
    )
}

fn length_equal(
    ctx: &Ctx,
    manifests: &[Doc],
    paths: &[(String, Path)],
    path: &str,
    compiled: &Path,
    count: Option<i64>,
) -> (bool, Vec<String>) {
    let fail = |p: &str, c: &str, actual: &str, mi: i64| {
        split_info(
            &fail_format(ctx.negative, true, true, false, " to match count"),
            mi,
            -1,
            &[p, c, actual],
        )
    };
    if !path.is_empty() && count.is_none_or(|c| c < 0) {
        return (
            false,
            error_info(-1, -1, "'count' field must be set if 'path' is used"),
        );
    }
    if !path.is_empty() && !paths.is_empty() {
        return (
            false,
            error_info(-1, -1, "'paths' couldn't be used with 'path'"),
        );
    }
    let single = |m: &Doc, p: &str, c: &Path, mi: i64| -> (bool, Vec<String>, i64) {
        let actuals = c.find(m);
        let mut errs = Vec::new();
        let mut length = 0i64;
        let start = actuals.is_empty() && ctx.negative;
        let ok = fold(ctx, &actuals, start, true, |ai, actual| {
            let items = match actual {
                Doc::Seq(items) => Some(items.len() as i64),
                _ => None,
            };
            if items.is_none() && count.is_none() {
                errs.extend(error_info(mi, ai as i64, &format!("{p} is not array")));
                return Step::Skip;
            }
            length = items.unwrap_or(0);
            match count {
                Some(c) if (length == c) == ctx.negative => {
                    errs.extend(fail(p, &c.to_string(), &length.to_string(), mi));
                    Step::Fail
                }
                _ => Step::Pass,
            }
        })
        .unwrap_or(true);
        (ok, errs, length)
    };
    each_document(
        ctx,
        manifests,
        true,
        Empty::Fails(|| fail("", "", "no manifest found", -1)),
        |mi, m, errors| {
            let mi_i = mi as i64;
            let (ok, errs) = if !path.is_empty() {
                let (ok, errs, _) = single(m, path, compiled, mi_i);
                (ok, errs)
            } else {
                let mut errs = Vec::new();
                let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
                let mut all_ok = true;
                for (p, c) in paths {
                    let (ok, e, len) = single(m, p, c, mi_i);
                    counts.insert(p, len);
                    if !ok {
                        errs.extend(e);
                        all_ok = false;
                    }
                }
                if !all_ok {
                    (false, errs)
                } else {
                    let mut first: Option<i64> = None;
                    let mut ok = true;
                    for (p, len) in &counts {
                        match first {
                            None => first = Some(*len),
                            Some(f) if (f == *len) == ctx.negative => {
                                errs.extend(fail(p, "-1", &len.to_string(), mi_i));
                                ok = false;
                                break;
                            }
                            _ => {}
                        }
                    }
                    // an empty list of paths leaves the count at -1, which fails
                    if first.is_none() {
                        ok = false;
                    }
                    (ok, errs)
                }
            };
            errors.extend(errs);
            Step::of(ok)
        },
    )
}

fn is_type(
    ctx: &Ctx,
    manifests: &[Doc],
    path: &str,
    compiled: &Path,
    type_name: &str,
) -> (bool, Vec<String>) {
    let fail = |actual: &str, mi: i64, ai: i64| {
        split_info(
            &fail_format(ctx.negative, true, true, false, " to be of type"),
            mi,
            ai,
            &[path, type_name, actual],
        )
    };
    per_value(
        ctx,
        manifests,
        path,
        compiled,
        false,
        || fail("no manifest found", -1, -1),
        |actual, mi, ai| {
            let t = go_type_name(actual);
            if (t == type_name) == ctx.negative {
                (false, fail(t, mi, ai))
            } else {
                (true, Vec::new())
            }
        },
    )
}

fn match_snapshot(
    ctx: &Ctx,
    manifests: &[Doc],
    path: &str,
    compiled: &Path,
    match_regex: &str,
    not_match_regex: &str,
    snapshots: &mut SnapshotComparer,
) -> (bool, Vec<String>) {
    each_document(
        ctx,
        manifests,
        true,
        Empty::<fn() -> Vec<String>>::Passes,
        |mi, m, errors| {
            each_value(
                ctx,
                m,
                mi,
                path,
                compiled,
                false,
                errors,
                |actual, mi, ai, errors| {
                    let content = marshal(actual);
                    let r = snapshots.compare(&content, match_regex.trim(), not_match_regex.trim());
                    if r.passed == ctx.negative {
                        errors.extend(snapshot_fail(&r, path, true, mi, ai, ctx.negative));
                        Step::Fail
                    } else {
                        Step::Pass
                    }
                },
            )
        },
    )
}

fn snapshot_fail(
    r: &Compared,
    path: &str,
    with_path: bool,
    mi: i64,
    ai: i64,
    not: bool,
) -> Vec<String> {
    if !r.message.is_empty() {
        return split_info(
            &fail_format(not, false, false, false, &r.message),
            mi,
            ai,
            &[&r.cached],
        );
    }
    let custom = format!(" to match snapshot {}", r.index);
    let shown = if not {
        r.cached.clone()
    } else {
        unified(&r.cached, &r.new)
    };
    if with_path {
        split_info(
            &fail_format(not, true, false, false, &custom),
            mi,
            ai,
            &[path, &shown],
        )
    } else {
        split_info(
            &fail_format(not, false, false, false, &custom),
            -1,
            -1,
            &[&shown],
        )
    }
}

fn match_snapshot_raw(
    ctx: &Ctx,
    manifests: &[Doc],
    snapshots: &mut SnapshotComparer,
) -> (bool, Vec<String>) {
    each_document(
        ctx,
        manifests,
        true,
        Empty::<fn() -> Vec<String>>::Passes,
        |_, m, errors| {
            let content = marshal(&Doc::Str(Rc::from(raw_of(m))));
            let r = snapshots.compare(&content, "", "");
            if r.passed == ctx.negative {
                errors.extend(snapshot_fail(&r, "", false, -1, -1, ctx.negative));
                Step::Fail
            } else {
                Step::Pass
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_info_indents_and_numbers() {
        let lines = split_info(
            &fail_format(false, true, true, false, " to equal"),
            0,
            1,
            &["a.b", "x\ny\n", "z"],
        );
        assert_eq!(
            lines,
            [
                "DocumentIndex:\t0",
                "ValuesIndex:\t1",
                "Path:\ta.b",
                "Expected to equal:",
                "\tx",
                "\ty",
                "Actual:",
                "\tz"
            ]
        );
    }

    #[test]
    fn uniform_drops_spaces_before_newlines() {
        assert_eq!(uniform("\n\na  \nb \r\nc "), "a\nb\nc ");
    }

    #[test]
    fn every_type_has_parameters_listed() {
        for (name, _, _) in TYPES {
            assert!(ASSERT_TYPES.contains(name), "{name}");
            let _ = params_of(name);
        }
        assert_eq!(ASSERT_TYPES.len(), TYPES.len());
    }
}
