//! The check santhosh-tekuri/jsonschema v6 makes of a schema before it compiles it: the schema,
//! read as a value, against its draft's metaschema (the draft its `$schema` names, 2020-12 when
//! none), with formats asserted (`pattern` must be a Go regular expression). A schema that fails
//! is refused with the library's text:
//!
//! ```text
//! "file:///values.schema.json#" is not valid against metaschema: jsonschema validation failed with 'https://json-schema.org/draft/2020-12/schema#'
//! - at '': 'allOf' failed
//!   - at '/type': 'anyOf' failed
//! ```
//!
//! The metaschemas are the official documents as the `referencing` crate (a dependency of
//! `jsonschema`) ships them; `validate` evaluates them like any schema. The verdict is kept per
//! schema text, so a chart's schema is checked once per process. Not asserted: the `uri` and
//! `uri-reference` formats of `$id`, `$schema` and `$ref` (see `format`).
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use referencing::meta;
use serde_json::Value as Json;

use super::validate::{draft_of, Validator};
use super::words::quote;

/// The verdict on each schema text checked so far.
type Verdicts = HashMap<Vec<u8>, Result<(), String>>;

/// `Err` with the library's text when `schema` (whose text is `text`) does not satisfy its
/// draft's metaschema.
pub fn check(text: &[u8], schema: &Json) -> Result<(), String> {
    static VERDICTS: LazyLock<Mutex<Verdicts>> = LazyLock::new(Default::default);
    if let Some(verdict) = VERDICTS.lock().ok().and_then(|m| m.get(text).cloned()) {
        return verdict;
    }
    let verdict = against_metaschema(schema);
    if let Ok(mut verdicts) = VERDICTS.lock() {
        verdicts.insert(text.to_vec(), verdict.clone());
    }
    verdict
}

fn against_metaschema(schema: &Json) -> Result<(), String> {
    let (url, root, resources): (&str, &Json, Vec<&Json>) = match draft_of(schema) {
        4 => (
            "http://json-schema.org/draft-04/schema#",
            &**meta::DRAFT4,
            vec![],
        ),
        6 => (
            "http://json-schema.org/draft-06/schema#",
            &**meta::DRAFT6,
            vec![],
        ),
        7 => (
            "http://json-schema.org/draft-07/schema#",
            &**meta::DRAFT7,
            vec![],
        ),
        2019 => (
            "https://json-schema.org/draft/2019-09/schema#",
            &**meta::DRAFT201909,
            vec![
                &**meta::DRAFT201909_CORE,
                &**meta::DRAFT201909_APPLICATOR,
                &**meta::DRAFT201909_VALIDATION,
                &**meta::DRAFT201909_META_DATA,
                &**meta::DRAFT201909_FORMAT,
                &**meta::DRAFT201909_CONTENT,
            ],
        ),
        _ => (
            "https://json-schema.org/draft/2020-12/schema#",
            &**meta::DRAFT202012,
            vec![
                &**meta::DRAFT202012_CORE,
                &**meta::DRAFT202012_APPLICATOR,
                &**meta::DRAFT202012_UNEVALUATED,
                &**meta::DRAFT202012_VALIDATION,
                &**meta::DRAFT202012_META_DATA,
                &**meta::DRAFT202012_FORMAT_ANNOTATION,
                &**meta::DRAFT202012_CONTENT,
            ],
        ),
    };
    let validator = Validator::with_resources(root, &resources, true)
        .map_err(|e| format!("metaschema {url}: {e}"))?;
    let errors = validator.validate_root(schema);
    if errors.is_empty() {
        return Ok(());
    }
    let mut out = format!(
        "{} is not valid against metaschema: jsonschema validation failed with {}",
        super::go_quote("file:///values.schema.json#"),
        quote(url)
    );
    for e in &errors {
        super::show(e, 1, &mut out);
    }
    Err(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(schema: &str) -> Result<(), String> {
        check(schema.as_bytes(), &serde_json::from_str(schema).unwrap())
    }

    #[test]
    fn a_typo_in_type_is_refused_through_the_vocabularies() {
        assert_eq!(
            verdict(r#"{"properties":{"a":{"minimum":"x"}}}"#).unwrap_err(),
            "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with 'https://json-schema.org/draft/2020-12/schema#'\n\
             - at '': 'allOf' failed\n  - at '/properties/a': 'allOf' failed\n    - at '/properties/a/minimum': got string, want number"
        );
    }

    #[test]
    fn valid_schemas_of_every_draft_pass() {
        for schema in [
            r##"{"$defs":{"p":{"type":"integer"}},"properties":{"p":{"$ref":"#/$defs/p","pattern":"^\\d+$"}},"unevaluatedProperties":false}"##,
            r#"{"$schema":"https://json-schema.org/draft/2019-09/schema","items":{"type":"string"}}"#,
            r#"{"$schema":"http://json-schema.org/draft-07/schema#","items":[{"type":"string"}]}"#,
            r#"{"$schema":"http://json-schema.org/draft-06/schema#","examples":[1]}"#,
            r#"{"$schema":"http://json-schema.org/draft-04/schema#","exclusiveMinimum":true,"minimum":1}"#,
            "true",
        ] {
            assert_eq!(verdict(schema), Ok(()), "{schema}");
        }
    }

    #[test]
    fn patterns_are_go_regular_expressions() {
        let err = verdict(r#"{"$schema":"http://json-schema.org/draft-07/schema#","pattern":"["}"#)
            .unwrap_err();
        assert!(
            err.ends_with("- at '/pattern': '[' is not valid regex: error parsing regexp: missing closing ]: `[`"),
            "{err}"
        );
    }
}
