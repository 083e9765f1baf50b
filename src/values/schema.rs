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
//! additionalProperties, uniqueItems, anyOf/oneOf/allOf/not). Where the two libraries disagree on which
//! errors to report (e.g. the sub-errors of `anyOf`), the lists differ. gojsonschema reports errors in
//! Go map order, which changes from run to run; Rudder reports them in the crate's (schema) order.
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
    let validator = jsonschema::options()
        .with_draft(gojsonschema_draft(&schema))
        .build(&schema)
        .map_err(|e| e.to_string())?;
    let instance = match to_json(values) {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        other => other,
    };
    let mut out = String::new();
    for error in validator.iter_errors(&instance) {
        let context = context_of(error.instance_path().as_str());
        for message in describe(error.kind(), error.instance(), &context) {
            out.push_str(&format!("- {context}: {message}\n"));
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
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
        K::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|p| format!("Additional property {p} is not allowed"))
            .collect(),
        K::UniqueItems => one(format!("{field} shouldn't contain duplicates")),
        K::AnyOf { .. } => one("Must validate at least one schema (anyOf)".to_string()),
        K::OneOfNotValid { .. } | K::OneOfMultipleValid { .. } => {
            one("Must validate one and only one schema (oneOf)".to_string())
        }
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
    fn valid_values_pass() {
        assert_eq!(check(r#"{"type":"object"}"#, "a: 1\n"), "");
    }
}
