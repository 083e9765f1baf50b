//! `values.schema.json` validation as Helm v3.18+ does it (v3.21.3 is the one helm-unittest v1.1.2
//! embeds): `chartutil.ValidateAgainstSchema` on santhosh-tekuri/jsonschema v6. Used by
//! `rudder unittest`; `rudder template` and the release commands keep Helm v3.17.3's gojsonschema
//! behaviour (`super::schema`).
//!
//! What changes against 3.17, and is done here:
//! - a schema without `$schema` is read as draft 2020-12 (`prefixItems`, `$defs`,
//!   `dependentRequired`, `unevaluatedProperties` apply; `format` is only an annotation), where
//!   gojsonschema read draft 7;
//! - the errors are the library's tree, one `- at '<JSON pointer>': <reason>` line each, nested
//!   two spaces per level under `validation failed` groups and `anyOf`/`oneOf`/`allOf` failures
//!   (`words`, `validate`);
//! - a subchart whose values are missing or null is not validated; values that are not a map are
//!   reported as `invalid type for values: expected object (map), got <Go type>`.
//!
//! - a schema is first checked against its draft's metaschema (`meta`): `"type": "strin"` is an
//!   error before any value is looked at.
//!
//! Not done: `$ref`s to other files or URLs are not loaded (Helm would fetch them).
mod format;
mod meta;
mod validate;
mod words;

use crate::chart::Chart;
use crate::template::Value;

use super::schema::{to_json, validate_chart_tree, SubchartValues};
use super::Error;

/// Validates `values` against the schemas of `chart` and its subcharts, as Helm v3.21 does.
pub fn validate_against_schema(chart: &Chart, values: &Value) -> Result<(), Error> {
    validate_chart_tree(
        chart,
        values,
        validate_against_single_schema,
        SubchartValues::SkipMissing,
    )
}

/// Validates one values map against one schema: the library's error lines (Helm's text after
/// the `jsonschema validation failed with …` line it drops), or the reason the schema was refused.
pub fn validate_against_single_schema(values: &Value, schema: &[u8]) -> Result<(), String> {
    let text = schema;
    let schema: serde_json::Value = serde_json::from_slice(text).map_err(|e| e.to_string())?;
    meta::check(text, &schema)?;
    let validator = validate::Validator::new(&schema)?;
    let instance = match to_json(values) {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        other => other,
    };
    let errors = validator.validate_root(&instance);
    if errors.is_empty() {
        return Ok(());
    }
    let mut out = String::new();
    for e in &errors {
        show(e, 1, &mut out);
    }
    // The text starts after the dropped first line's newline.
    Err(format!("{}\n", out.trim_start_matches('\n')))
}

/// The library's `display`: each error on its own line, `- ` after two spaces per level beyond
/// the first; a failed `$ref` with a single cause is not shown, its cause takes its place.
fn show(e: &validate::Error, indent: usize, out: &mut String) {
    let skip = e.reference && e.causes.len() == 1;
    let mut inner = indent;
    if !skip {
        out.push('\n');
        for _ in 1..indent {
            out.push_str("  ");
        }
        out.push_str("- at ");
        out.push_str(&words::quote(&words::json_ptr(&e.location)));
        out.push_str(": ");
        out.push_str(&e.message);
        inner += 1;
    }
    for cause in &e.causes {
        show(cause, inner, out);
    }
}

/// Go's `%q` of a string (double quotes).
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
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
    fn errors_nest_as_the_library_prints_them() {
        let schema = r##"{"type":"object","required":["req","req2"],"properties":{
            "f":{"type":"number","maximum":2.5,"multipleOf":0.5},
            "img":{"$ref":"#/$defs/img"},"p":{"type":["string","null"],"pattern":"^a+$"},
            "any":{"anyOf":[{"type":"string"},{"type":"integer","minimum":10}]}},
            "$defs":{"img":{"required":["repo"],"properties":{"tag":{"minLength":2}}}}}"##;
        let out = check(schema, "f: 3.7\nimg: {tag: x}\np: b\nany: 3\n");
        assert_eq!(
            out,
            "- at '': missing properties 'req', 'req2'\n\
             - at '/any': 'anyOf' failed\n  - at '/any': got number, want string\n  - at '/any': minimum: got 3, want 10\n\
             - at '/f': validation failed\n  - at '/f': maximum: got 3.7, want 2.5\n  - at '/f': multipleOf: got 3.7, want 0.5\n\
             - at '/img': validation failed\n  - at '/img': missing property 'repo'\n  - at '/img/tag': minLength: got 1, want 2\n\
             - at '/p': 'b' does not match pattern '^a+$'\n"
        );
    }

    #[test]
    fn a_single_ref_error_prints_through() {
        let schema = r##"{"$ref":"#/$defs/a","$defs":{"a":{"type":"object","properties":{"a":{"type":"string"}}}}}"##;
        assert_eq!(
            check(schema, "a: 1\n"),
            "- at '/a': got number, want string\n"
        );
        assert_eq!(
            check(
                r##"{"properties":{"a":{"$ref":"#/$defs/nope"}}}"##,
                "a: 1\n"
            ),
            "json-pointer in \"file:///values.schema.json#/$defs/nope\" not found"
        );
    }

    #[test]
    fn format_asserts_only_before_draft_2019() {
        let draft7 = r##"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"ip":{"format":"ipv4"}}}"##;
        assert_eq!(
            check(draft7, "ip: 1.2.3\n"),
            "- at '/ip': '1.2.3' is not valid ipv4: expected four decimals\n"
        );
        assert_eq!(
            check(
                r##"{"properties":{"ip":{"format":"ipv4"}}}"##,
                "ip: 1.2.3\n"
            ),
            ""
        );
    }
}
