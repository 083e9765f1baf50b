//! The head of a manifest (`apiVersion`, `kind`, `metadata.name`, `metadata.annotations`), read the way
//! Helm reads it: `sigs.k8s.io/yaml.Unmarshal` into `releaseutil.SimpleHead`.
//!
//! That means YAML → JSON → Go's `encoding/json`, whose rules show through:
//! - keys match field names case-insensitively (`Kind:` sets the kind), the last match winning;
//! - a scalar where a string field is expected is taken as its text (`kind: 5` is kind `"5"`), because
//!   sigs.k8s.io/yaml converts scalars to the target field's type;
//! - a list or map where a string is expected, or a non-map document, is an error with Go's text
//!   (`json: cannot unmarshal array into Go struct field SimpleHead.kind of type string`).
//!
//! The YAML itself is read by `crate::yaml` (YAML 1.1, go-yaml's error texts).
use std::collections::BTreeMap;

use crate::yaml::convert::Yaml;
use crate::yaml::skim::{skim_document, Pick};

/// The fields Helm reads from every manifest. Mirrors `releaseutil.SimpleHead`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimpleHead {
    pub version: String,
    pub kind: String,
    pub metadata: Option<HeadMetadata>,
}

/// `metadata` of a manifest head.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeadMetadata {
    pub name: String,
    /// `None` when the document has no (or a null) `annotations` map.
    pub annotations: Option<BTreeMap<String, String>>,
}

impl SimpleHead {
    /// The value of an annotation.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata
            .as_ref()?
            .annotations
            .as_ref()?
            .get(key)
            .map(String::as_str)
    }

    /// Helm's `hasAnyAnnotation`.
    pub fn has_any_annotation(&self) -> bool {
        self.metadata
            .as_ref()
            .and_then(|m| m.annotations.as_ref())
            .is_some_and(|a| !a.is_empty())
    }
}

/// Why a document's head could not be read; `Display` is Go's text after `YAML parse error on FILE: `.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeadError {
    /// The YAML itself is malformed (sigs.k8s.io/yaml's text, e.g. `error converting YAML to JSON:
    /// yaml: line 3: could not find expected ':'`).
    #[error("{0}")]
    Syntax(String),
    /// The YAML is well formed but does not fit `SimpleHead`.
    #[error("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {found} into {target}")]
    Type { found: &'static str, target: String },
}

const METADATA_TYPE: &str = "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }";

/// Reads the head of one document (already split and trimmed). The document is checked as a whole
/// (YAML syntax, go-yaml's decoding, the JSON round trip), but only the head's fields are converted.
pub fn parse_head(doc: &str) -> Result<SimpleHead, HeadError> {
    // Rendered bytes that are not UTF-8 (see `template::gostr`): go-yaml's reader refuses them.
    if crate::template::gostr::has_escapes(doc) {
        let bytes = crate::template::gostr::to_bytes(doc);
        if let Err(e) = crate::yaml::input::decode(&bytes) {
            return Err(HeadError::Syntax(e.to_string()));
        }
    }
    match skim_document(doc, Pick::Map(head_field)) {
        Some(root) => head_of(&root),
        None => head_of(&decode_fully(doc)?),
    }
}

/// The whole document decoded (what [`parse_head`] falls back to when the skim cannot vouch).
fn decode_fully(doc: &str) -> Result<Option<Yaml>, HeadError> {
    crate::yaml::decode_document(doc, "").map_err(|e| HeadError::Syntax(e.to_string()))
}

/// `releaseutil.SimpleHead` of a decoded document (`None`: an empty one).
fn head_of(root: &Option<Yaml>) -> Result<SimpleHead, HeadError> {
    let mut head = SimpleHead::default();
    let mut first_error = None;
    match root {
        None | Some(Yaml::Null) => return Ok(head),
        Some(Yaml::Map(map)) => {
            for (key, value) in map {
                if key.eq_ignore_ascii_case("apiVersion") {
                    set_string(
                        &mut head.version,
                        value,
                        "SimpleHead.apiVersion",
                        &mut first_error,
                    );
                } else if key.eq_ignore_ascii_case("kind") {
                    set_string(&mut head.kind, value, "SimpleHead.kind", &mut first_error);
                } else if key.eq_ignore_ascii_case("metadata") {
                    read_metadata(&mut head, value, &mut first_error);
                }
            }
        }
        Some(other) => {
            return Err(HeadError::Type {
                found: json_kind(other),
                target: "Go value of type releaseutil.SimpleHead".to_string(),
            })
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(head),
    }
}

/// The parts of a document [`parse_head`] looks at (the field names match case-insensitively).
fn head_field(key: &str) -> Option<Pick> {
    if key.eq_ignore_ascii_case("apiVersion") || key.eq_ignore_ascii_case("kind") {
        Some(Pick::Shape)
    } else if key.eq_ignore_ascii_case("metadata") {
        Some(Pick::Map(metadata_field))
    } else {
        None
    }
}

fn metadata_field(key: &str) -> Option<Pick> {
    if key.eq_ignore_ascii_case("name") {
        Some(Pick::Shape)
    } else if key.eq_ignore_ascii_case("annotations") {
        Some(Pick::Map(|_| Some(Pick::Shape)))
    } else {
        None
    }
}

fn read_metadata(head: &mut SimpleHead, value: &Yaml, first_error: &mut Option<HeadError>) {
    let map = match value {
        Yaml::Null => {
            head.metadata = None;
            return;
        }
        Yaml::Map(map) => map,
        other => {
            note(
                first_error,
                other,
                format!("SimpleHead.metadata of type {METADATA_TYPE}"),
            );
            return;
        }
    };
    let meta = head.metadata.get_or_insert_with(HeadMetadata::default);
    for (key, value) in map {
        if key.eq_ignore_ascii_case("name") {
            set_string(&mut meta.name, value, ".metadata.name", first_error);
        } else if key.eq_ignore_ascii_case("annotations") {
            match value {
                Yaml::Null => meta.annotations = None,
                Yaml::Map(entries) => {
                    let annotations = meta.annotations.get_or_insert_with(BTreeMap::new);
                    for (k, v) in entries {
                        let mut text = String::new();
                        set_string(&mut text, v, ".metadata.annotations", first_error);
                        annotations.insert(k.clone(), text);
                    }
                }
                other => note(
                    first_error,
                    other,
                    ".metadata.annotations of type map[string]string".to_string(),
                ),
            }
        }
    }
}

fn set_string(slot: &mut String, value: &Yaml, field: &str, first_error: &mut Option<HeadError>) {
    match value {
        Yaml::Null => {}
        Yaml::Seq(_) | Yaml::Map(_) => {
            note(first_error, value, format!("{field} of type string"));
        }
        Yaml::Str(s) => *slot = s.clone(),
        // After the JSON round trip every number is a float64, which the string field then spells
        // as Go prints it.
        scalar => {
            if let Ok(json) = crate::yaml::convert::to_value(scalar) {
                *slot = crate::template::fmt::format_v(&json);
            }
        }
    }
}

fn note(first_error: &mut Option<HeadError>, found: &Yaml, field: String) {
    if first_error.is_none() {
        *first_error = Some(HeadError::Type {
            found: json_kind(found),
            target: format!("Go struct field {field}"),
        });
    }
}

/// The JSON kind Go's decoder names in its errors.
fn json_kind(y: &Yaml) -> &'static str {
    match y {
        Yaml::Seq(_) => "array",
        Yaml::Map(_) => "object",
        Yaml::Int(_) | Yaml::Uint(_) | Yaml::Float(_) => "number",
        Yaml::Bool(_) => "bool",
        Yaml::Null | Yaml::Str(_) => "string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kind_name_and_annotations() {
        let head = parse_head(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    helm.sh/hook: test\n",
        )
        .unwrap();
        assert_eq!(head.kind, "Pod");
        assert_eq!(head.version, "v1");
        assert_eq!(head.annotation("helm.sh/hook"), Some("test"));
        assert!(head.has_any_annotation());
    }

    #[test]
    fn field_names_are_case_insensitive_and_scalars_become_strings() {
        let head = parse_head("Kind: 5\nMETADATA:\n  Name: x").unwrap();
        assert_eq!(head.kind, "5");
        assert_eq!(head.metadata.unwrap().name, "x");
    }

    #[test]
    fn non_map_document_is_a_type_error() {
        let err = parse_head("foo").unwrap_err();
        assert_eq!(
            err.to_string(),
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type releaseutil.SimpleHead"
        );
    }

    #[test]
    fn list_kind_is_a_field_error() {
        let err = parse_head("kind: [a]").unwrap_err();
        assert_eq!(
            err.to_string(),
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field SimpleHead.kind of type string"
        );
    }

    #[test]
    fn syntax_errors_use_go_yaml_text() {
        let err = parse_head("a: b: c").unwrap_err();
        assert_eq!(
            err.to_string(),
            "error converting YAML to JSON: yaml: mapping values are not allowed in this context"
        );
    }

    /// Every document of the project's charts and test data (templates, values, goldens of rendered
    /// manifests, broken inputs) gets the same head or error from the skim as from the full decode.
    #[test]
    fn skim_and_full_decode_agree_on_the_corpus() {
        crate::test_corpus::on_command_stack(|| {
            let (mut skimmed, mut documents) = (0, 0);
            for (path, text) in crate::test_corpus::texts() {
                for doc in crate::release::manifest::split_manifests(&text) {
                    documents += 1;
                    let full = decode_fully(&doc).and_then(|root| head_of(&root));
                    if skim_document(&doc, Pick::Map(head_field)).is_some() {
                        skimmed += 1;
                    }
                    assert_eq!(parse_head(&doc), full, "{}:\n{doc}", path.display());
                }
            }
            assert!(
                skimmed > 500 && skimmed < documents,
                "{skimmed} of {documents} skimmed"
            );
        });
    }

    #[test]
    fn comment_only_document_has_an_empty_head() {
        assert_eq!(parse_head("# nothing").unwrap(), SimpleHead::default());
    }
}
