//! `values.schema.json` validation, as Helm v3.17.3's `chartutil.ValidateAgainstSchema`: every chart's
//! schema is checked against its own coalesced values (the root chart against all values, a subchart
//! against `values.<name>`), recursively, and all errors of all charts are reported together:
//!
//! ```text
//! values don't meet the specifications of the schema(s) in the following chart(s):
//! chart:
//! - (root): req is required
//! - a.b: Invalid type. Expected: integer, given: string
//! ```
//!
//! Helm 3.17 uses xeipuuv/gojsonschema; Rudder uses the `jsonschema` crate and rewrites its errors into
//! gojsonschema's English texts for the common keywords (type, required, enum, const, minimum/maximum,
//! exclusive bounds, multipleOf, min/max length, items and properties, pattern, format,
//! additionalProperties, additionalItems, uniqueItems, dependencies, propertyNames, anyOf/oneOf/allOf/
//! not, if/then/else). `anyOf`/`oneOf` failures are followed by the errors of the branch gojsonschema
//! scores best (its score is approximated: see `best_branch`); a failed `allOf`, `then` or `else`
//! adds its own line; a failed `contains` is followed by the errors of its best item. gojsonschema
//! reports errors in Go map order, which changes from run to
//! run; Rudder reports them in the crate's (schema) order.
use jsonschema::error::{TypeKind, ValidationErrorKind};

use crate::chart::Chart;
use crate::template::Value;

use super::Error;

/// Validates `values` against the schemas of `chart` and its subcharts; all errors at once.
pub fn validate_against_schema(chart: &Chart, values: &Value) -> Result<(), Error> {
    validate_chart_tree(
        chart,
        values,
        validate_against_single_schema,
        SubchartValues::EmptyWhenMissing,
    )
}

/// Checks one values tree against one schema document: the report lines, or why the schema was
/// refused.
pub(crate) type SingleSchema = fn(&Value, &[u8]) -> Result<(), String>;

/// What the chart walk does with a subchart whose values are missing, null or not a map.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubchartValues {
    /// Helm v3.17: missing values are validated as an empty map; anything else as it is.
    EmptyWhenMissing,
    /// Helm v3.18+: missing or null values are not validated; values that are not a map are
    /// reported as `invalid type for values: expected object (map), got <Go type>`.
    SkipMissing,
}

/// The chart walk of `chartutil.ValidateAgainstSchema`: every chart's schema against its own
/// values (the root against all values, a subchart against `values.<name>`), recursively, each
/// failing chart reported as `<name>:` followed by its lines.
pub(crate) fn validate_chart_tree(
    chart: &Chart,
    values: &Value,
    single: SingleSchema,
    rule: SubchartValues,
) -> Result<(), Error> {
    let mut report = String::new();
    collect(chart, values, single, rule, &mut report);
    if report.is_empty() {
        Ok(())
    } else {
        Err(Error::Schema(report))
    }
}

fn collect(
    chart: &Chart,
    values: &Value,
    single: SingleSchema,
    rule: SubchartValues,
    report: &mut String,
) {
    if let Some(schema) = &chart.schema {
        if let Err(details) = single(values, schema) {
            report.push_str(chart.name());
            report.push_str(":\n");
            report.push_str(&details);
        }
    }
    for sub in &chart.dependencies {
        let raw = values.as_map().and_then(|m| m.get(sub.name()));
        let sub_values = match (rule, raw) {
            (SubchartValues::EmptyWhenMissing, raw) => raw.unwrap_or_else(Value::empty_map),
            (SubchartValues::SkipMissing, None | Some(Value::Nil)) => continue,
            (SubchartValues::SkipMissing, Some(v @ Value::Map(_))) => v,
            (SubchartValues::SkipMissing, Some(other)) => {
                report.push_str(&format!(
                    "{}:\ninvalid type for values: expected object (map), got {}\n",
                    sub.name(),
                    go_type_name(&other)
                ));
                continue;
            }
        };
        collect(sub, &sub_values, single, rule, report);
    }
}

/// Go's `%T` of a values node, as Helm's values hold it.
fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) | Value::Bytes(_) => "string",
        Value::Bool(_) => "bool",
        Value::Int(..) => "int64",
        Value::Uint(..) => "uint64",
        Value::Float(_) => "float64",
        Value::List(_) => "[]interface {}",
        _ => "map[string]interface {}",
    }
}

/// Validates one values map against one schema; the error lists the violations, one `- ` line each.
pub fn validate_against_single_schema(values: &Value, schema: &[u8]) -> Result<(), String> {
    let schema: serde_json::Value = serde_json::from_slice(schema).map_err(|e| e.to_string())?;
    let validator = gojsonschema_options(&schema)
        .build(&schema)
        .map_err(|e| schema_error(&e))?;
    let instance = match to_json(values) {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        other => other,
    };
    let mut out = String::new();
    let mut summaries = Vec::new();
    for error in validator.iter_errors(&instance) {
        report(&error, &schema, &instance, None, &mut out, &mut summaries);
    }
    for line in summaries {
        out.push_str(&line);
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

/// Why a schema was refused; gojsonschema's words for a `format` that is not a string.
fn schema_error(e: &jsonschema::ValidationError) -> String {
    let format_not_string = matches!(
        e.kind(),
        ValidationErrorKind::Type {
            kind: TypeKind::Single(jsonschema::JsonType::String)
        }
    ) && e.instance_path().as_str().ends_with("/format");
    if format_not_string {
        "format must be of type string".to_string()
    } else {
        e.to_string()
    }
}

/// The crate's options for a schema as gojsonschema reads it: its draft, and `format` checked by
/// gojsonschema's own checkers in every draft (`values/schema_formats.rs`): its 17 formats by Go's
/// rules, a number with one of them refused, any other format name passing.
fn gojsonschema_options(schema: &serde_json::Value) -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .with_draft(gojsonschema_draft(schema))
        .with_keyword("format", |_, value, _| {
            let format = value.as_str().unwrap_or_default();
            Ok(Box::new(GoFormat {
                known: super::schema_formats::known(format),
                message: format!("Does not match format '{format}'"),
                format: format.to_string(),
            }))
        })
}

/// The `format` keyword as gojsonschema checks it (its error worded as gojsonschema's).
struct GoFormat {
    format: String,
    known: bool,
    message: String,
}

impl<'i> jsonschema::Keyword<'i> for GoFormat {
    fn validate(
        &self,
        instance: &'i serde_json::Value,
    ) -> Result<(), jsonschema::ValidationError<'i>> {
        if self.is_valid(instance) {
            Ok(())
        } else {
            Err(jsonschema::ValidationError::custom(self.message.clone()))
        }
    }

    fn is_valid(&self, instance: &'i serde_json::Value) -> bool {
        !self.known || super::schema_formats::is_format(&self.format, instance)
    }
}

/// The draft gojsonschema validates with: draft 4 or 6 when `$schema` names one, else draft 7 (its
/// newest; the keywords of later drafts, such as `prefixItems` or `$defs`, mean nothing to it, so a
/// draft 2020-12 schema is read as draft 7).
fn gojsonschema_draft(schema: &serde_json::Value) -> jsonschema::Draft {
    let named = schema
        .get("$schema")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    if named.contains("draft-04") {
        jsonschema::Draft::Draft4
    } else if named.contains("draft-06") {
        jsonschema::Draft::Draft6
    } else {
        jsonschema::Draft::Draft7
    }
}

/// The lines of one error, as gojsonschema words it: `anyOf`/`oneOf` failures followed by the
/// errors of the branch that got furthest (gojsonschema's best score), a failed `propertyNames`
/// followed by the name's own error, one line per pair of equal items; and, once per `allOf`,
/// `then` or `else` that failed, that schema's own line (gathered in `summaries`, printed after).
/// A failed `contains` is followed by the errors of the item that got furthest. `document` is
/// the whole values document; `at` overrides the context (a property name's error is reported at
/// its object).
fn report(
    error: &jsonschema::ValidationError,
    root: &serde_json::Value,
    document: &serde_json::Value,
    at: Option<&str>,
    out: &mut String,
    summaries: &mut Vec<String>,
) {
    use ValidationErrorKind as K;
    let context = at
        .map(str::to_string)
        .unwrap_or_else(|| context_of(error.instance_path().as_str()));
    let schema_path = error.schema_path().as_str();
    let segments: Vec<&str> = schema_path.split('/').collect();
    // A keyword in the schema path (not a property of that name).
    let keyword_at = |i: usize, name: &str| segments[i] == name && segments[i - 1] != "properties";
    let under = |name: &str| (1..segments.len()).any(|i| keyword_at(i, name));
    let mut line = |message: &str| out.push_str(&format!("- {context}: {message}\n"));
    match error.kind() {
        K::AnyOf { context: branches } | K::OneOfNotValid { context: branches } => {
            line(if matches!(error.kind(), K::AnyOf { .. }) {
                "Must validate at least one schema (anyOf)"
            } else {
                "Must validate one and only one schema (oneOf)"
            });
            if let Some(best) = best_branch(root, schema_path, error.instance(), branches) {
                for e in best {
                    report(e, root, document, None, out, summaries);
                }
            }
        }
        K::PropertyNames { error: inner } => {
            let name = match inner.instance().as_ref() {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            line(&format!("Property name of \"{name}\" does not match"));
            report(inner, root, document, Some(&context), out, summaries);
        }
        K::Contains => {
            line("At least one of the items must match");
            let best =
                best_contains_item(root, document, schema_path, error.instance_path().as_str());
            for e in &best {
                report(e, root, document, None, out, summaries);
            }
        }
        K::UniqueItems => {
            // Every item equal to an earlier one, paired with the last such index.
            if let serde_json::Value::Array(items) = error.instance().as_ref() {
                let mut seen: Vec<(String, usize)> = Vec::new();
                for (j, item) in items.iter().enumerate() {
                    let text = item.to_string();
                    match seen.iter_mut().find(|(t, _)| *t == text) {
                        Some((_, i)) => {
                            line(&format!("array items[{i},{j}] must be unique"));
                            *i = j;
                        }
                        None => seen.push((text, j)),
                    }
                }
            }
        }
        K::Required { property } if under("dependencies") => line(&format!(
            "Has a dependency on {}",
            property
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| property.to_string())
        )),
        kind => {
            for message in describe(kind, error.instance(), &context) {
                line(&message);
            }
        }
    }
    // The schemas that failed because one of theirs did: their line once each.
    for (i, segment) in segments.iter().enumerate().skip(1) {
        if !keyword_at(i, segment) {
            continue;
        }
        let message = match *segment {
            "allOf" if i + 1 < segments.len() => "Must validate all the schemas (allOf)",
            "then" => "Must validate \"then\" as \"if\" was valid",
            "else" => "Must validate \"else\" as \"if\" was not valid",
            _ => continue,
        };
        let summary = format!("- {context}: {message}\n");
        if !summaries.contains(&summary) {
            summaries.push(summary);
        }
    }
}

/// The `anyOf`/`oneOf` branch gojsonschema reports the errors of: the highest score, the first
/// on ties. Its score is the number of checks a branch got through (four per object, array,
/// string or number it reached with the right type, three per boolean or null) less two per
/// error; here the checks are counted over the branch's `properties` and `items`, without the
/// combinators nested in it.
fn best_branch<'e>(
    root: &serde_json::Value,
    schema_path: &str,
    instance: &serde_json::Value,
    branches: &'e [Vec<jsonschema::ValidationError<'static>>],
) -> Option<&'e Vec<jsonschema::ValidationError<'static>>> {
    let schemas = root
        .pointer(schema_path)
        .and_then(serde_json::Value::as_array);
    let mut best: Option<(i64, usize)> = None;
    for (i, errors) in branches.iter().enumerate() {
        let reached = schemas
            .and_then(|s| s.get(i))
            .map_or(0, |s| checks(s, instance, root, 0));
        let score = reached - 2 * errors.len() as i64;
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, i));
        }
    }
    best.map(|(_, i)| &branches[i])
}

/// The errors of the item a failed `contains` reports with it in gojsonschema: the one with the
/// best score (see [`best_branch`]), the first on ties. The items' errors come from validating
/// the document again with that `contains` read as `items` (so `$ref`s resolve as before); when
/// the schema has `items` beside it, or the path crosses a `$ref`, none are reported.
fn best_contains_item(
    root: &serde_json::Value,
    document: &serde_json::Value,
    schema_path: &str,
    at: &str,
) -> Vec<jsonschema::ValidationError<'static>> {
    use serde_json::Value as J;
    let Some(container_path) = schema_path.strip_suffix("/contains") else {
        return Vec::new();
    };
    let Some(J::Array(items)) = document.pointer(at) else {
        return Vec::new();
    };
    let mut modified = root.clone();
    let Some(J::Object(container)) = modified.pointer_mut(container_path) else {
        return Vec::new();
    };
    if container.contains_key("items") {
        return Vec::new();
    }
    let Some(sub) = container.remove("contains") else {
        return Vec::new();
    };
    container.insert("items".to_string(), sub.clone());
    let Ok(validator) = gojsonschema_options(root).build(&modified) else {
        return Vec::new();
    };
    let items_path = format!("{container_path}/items");
    let mut per_item: Vec<Vec<jsonschema::ValidationError<'static>>> =
        items.iter().map(|_| Vec::new()).collect();
    for e in validator.iter_errors(document) {
        let path = e.schema_path().as_str();
        if path != items_path && !path.starts_with(&format!("{items_path}/")) {
            continue;
        }
        let index = e
            .instance_path()
            .as_str()
            .strip_prefix(at)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.split('/').next())
            .and_then(|i| i.parse::<usize>().ok());
        if let Some(list) = index.and_then(|i| per_item.get_mut(i)) {
            list.push(e.to_owned());
        }
    }
    let mut best: Option<(i64, usize)> = None;
    for (i, (item, errors)) in items.iter().zip(&per_item).enumerate() {
        let score = checks(&sub, item, root, 0) - 2 * errors.len() as i64;
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, i));
        }
    }
    best.map(|(_, i)| std::mem::take(&mut per_item[i]))
        .unwrap_or_default()
}

/// gojsonschema's score increments for `v` against `schema` (see [`best_branch`]).
fn checks(
    schema: &serde_json::Value,
    v: &serde_json::Value,
    root: &serde_json::Value,
    depth: usize,
) -> i64 {
    use serde_json::Value as J;
    let J::Object(s) = schema else { return 0 };
    if depth > 64 {
        return 0;
    }
    if let Some(target) = s
        .get("$ref")
        .and_then(J::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| root.pointer(p))
    {
        return checks(target, v, root, depth + 1);
    }
    let kind = json_type_name(v);
    let allowed = match s.get("type") {
        Some(J::String(t)) => t == kind || (t == "number" && kind == "integer"),
        Some(J::Array(ts)) => ts.iter().any(|t| {
            t.as_str() == Some(kind) || (t.as_str() == Some("number") && kind == "integer")
        }),
        _ => true,
    };
    if !allowed {
        return 0;
    }
    match v {
        J::Object(map) => {
            let props = s.get("properties").and_then(J::as_object);
            4 + map
                .iter()
                .filter_map(|(k, child)| {
                    props
                        .and_then(|p| p.get(k))
                        .map(|sub| checks(sub, child, root, depth + 1))
                })
                .sum::<i64>()
        }
        J::Array(items) => {
            4 + match s.get("items") {
                Some(sub @ J::Object(_)) => items
                    .iter()
                    .map(|item| checks(sub, item, root, depth + 1))
                    .sum(),
                Some(J::Array(subs)) => items
                    .iter()
                    .zip(subs)
                    .map(|(item, sub)| checks(sub, item, root, depth + 1))
                    .sum(),
                _ => 0,
            }
        }
        J::Bool(_) | J::Null => 3,
        _ => 4,
    }
}

/// gojsonschema's context: `(root)` or the dotted path (`a.b.0`).
fn context_of(pointer: &str) -> String {
    if pointer.is_empty() {
        return "(root)".to_string();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

/// gojsonschema's type name of a JSON value (`integer` for integral numbers).
fn json_type_name(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) => {
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                "integer"
            } else {
                "number"
            }
        }
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// A JSON number as Go prints gojsonschema's limits (`10`, `1.5`).
fn number_text(v: &serde_json::Value) -> String {
    match v.as_f64() {
        Some(f) => crate::template::fmt::format_float_g(f),
        None => v.to_string(),
    }
}

fn describe(
    kind: &ValidationErrorKind,
    instance: &serde_json::Value,
    context: &str,
) -> Vec<String> {
    use ValidationErrorKind as K;
    let field = context;
    let one = |s: String| vec![s];
    match kind {
        K::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => format!(
                    "[{}]",
                    ts.iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            };
            one(format!(
                "Invalid type. Expected: {expected}, given: {}",
                json_type_name(instance)
            ))
        }
        K::Required { property } => one(format!(
            "{} is required",
            property
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| property.to_string())
        )),
        K::Enum { options } => {
            let allowed = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| options.to_string());
            one(format!("{field} must be one of the following: {allowed}"))
        }
        K::Constant { expected_value } => one(format!("{field} does not match: {expected_value}")),
        K::Minimum { limit } => one(format!(
            "Must be greater than or equal to {}",
            number_text(limit)
        )),
        K::Maximum { limit } => one(format!(
            "Must be less than or equal to {}",
            number_text(limit)
        )),
        K::ExclusiveMinimum { limit } => {
            one(format!("Must be greater than {}", number_text(limit)))
        }
        K::ExclusiveMaximum { limit } => one(format!("Must be less than {}", number_text(limit))),
        K::MultipleOf { multiple_of } => one(format!(
            "Must be a multiple of {}",
            crate::template::fmt::format_float_g(*multiple_of)
        )),
        K::MinLength { limit } => one(format!(
            "String length must be greater than or equal to {limit}"
        )),
        K::MaxLength { limit } => one(format!(
            "String length must be less than or equal to {limit}"
        )),
        K::MinItems { limit } => one(format!("Array must have at least {limit} items")),
        K::MaxItems { limit } => one(format!("Array must have at most {limit} items")),
        K::MinProperties { limit } => one(format!("Must have at least {limit} properties")),
        K::MaxProperties { limit } => one(format!("Must have at most {limit} properties")),
        K::Pattern { pattern } => one(format!("Does not match pattern '{pattern}'")),
        K::Format { format } => one(format!("Does not match format '{format}'")),
        K::Custom { message, .. } => one(message.clone()),
        K::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|p| format!("Additional property {p} is not allowed"))
            .collect(),
        K::AnyOf { .. } => one("Must validate at least one schema (anyOf)".to_string()),
        K::OneOfNotValid { .. } | K::OneOfMultipleValid { .. } => {
            one("Must validate one and only one schema (oneOf)".to_string())
        }
        K::AdditionalItems { .. } => one("No additional items allowed on array".to_string()),
        K::Contains => one("At least one of the items must match".to_string()),
        K::Not { .. } => one("Must not validate the schema (not)".to_string()),
        K::FalseSchema => one("False always fails validation".to_string()),
        other => one(format!("{other:?}")),
    }
}

/// The JSON form of a values tree, as Helm gets it by marshalling values to YAML and back to JSON.
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i, _) => serde_json::Value::from(*i),
        Value::Uint(u, _) => serde_json::Value::from(*u),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
                serde_json::Value::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f)
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null)
            }
        }
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Bytes(b) => serde_json::Value::String(String::from_utf8_lossy(b).into_owned()),
        Value::List(l) => serde_json::Value::Array(l.items().iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.entries()
                .iter()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
        Value::Object(o) => to_json(&crate::yaml::json::object_json_value(o.as_ref())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml_input::parse_values;

    fn check(schema: &str, values: &str) -> String {
        validate_against_single_schema(&parse_values(values).unwrap(), schema.as_bytes())
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn gojsonschema_wording() {
        let schema = r#"{"type":"object","required":["req"],"properties":{
            "a":{"type":"integer"},"num":{"minimum":10},"e":{"enum":["x","y"]},
            "p":{"type":"string","pattern":"^a+$"},
            "o":{"type":"object","additionalProperties":false,"properties":{"k":{"type":"string"}}},
            "l":{"type":"array","items":{"type":"string"},"minItems":3}}}"#;
        let out = check(
            schema,
            "a: x\nnum: 1\ne: z\np: b\no: {j: 1, k: 2}\nl: [1]\n",
        );
        for line in [
            "- (root): req is required\n",
            "- a: Invalid type. Expected: integer, given: string\n",
            "- num: Must be greater than or equal to 10\n",
            "- e: e must be one of the following: \"x\", \"y\"\n",
            "- p: Does not match pattern '^a+$'\n",
            "- o: Additional property j is not allowed\n",
            "- o.k: Invalid type. Expected: string, given: integer\n",
            "- l.0: Invalid type. Expected: string, given: integer\n",
            "- l: Array must have at least 3 items\n",
        ] {
            assert!(out.contains(line), "missing {line:?} in\n{out}");
        }
    }

    #[test]
    fn combinators_as_gojsonschema_reports_them() {
        let schema = r#"{"type":"object","properties":{
            "any":{"anyOf":[{"type":"string"},{"type":"integer","minimum":10}]},
            "all":{"allOf":[{"minimum":10},{"maximum":1}]},
            "l":{"type":"array","uniqueItems":true},
            "dependencies":{"type":"object","dependencies":{"a":["b"]}}}}"#;
        let out = check(
            schema,
            "any: 3\nall: 5\nl: [1, 2, 1, 1]\ndependencies: {a: 1}\n",
        );
        for line in [
            "- any: Must validate at least one schema (anyOf)\n",
            "- any: Must be greater than or equal to 10\n",
            "- all: Must be greater than or equal to 10\n",
            "- all: Must be less than or equal to 1\n",
            "- all: Must validate all the schemas (allOf)\n",
            "- l: array items[0,2] must be unique\n",
            "- l: array items[2,3] must be unique\n",
            "- dependencies: Has a dependency on b\n",
        ] {
            assert!(out.contains(line), "missing {line:?} in\n{out}");
        }
        assert!(!out.contains("given: integer"), "{out}");
    }

    #[test]
    fn valid_values_pass() {
        assert_eq!(check(r#"{"type":"object"}"#, "a: 1\n"), "");
    }
}
