//! Helm's YAML and JSON semantics, byte-exact.
//!
//! Helm reads YAML through sigs.k8s.io/yaml: go-yaml v2 (YAML 1.1) decodes the text, the result is
//! converted to JSON and decoded again by `encoding/json`. So every number in `values.yaml` is a
//! `float64`, `yes`/`on`/`y` are booleans, `0777` is octal, non-string keys become strings
//! (`yes:` → `"true"`), and timestamps stay strings. Helm writes YAML (`toYaml`) the other way round:
//! `json.Marshal`, then go-yaml v2 decodes the JSON and emits it with yaml.v2's natural key order and
//! quoting rules.
//!
//! - [`input`] is go-yaml's reader: bytes to text (UTF-16 with a BOM decoded, invalid UTF-8 refused);
//! - [`load`] parses text into a node tree with positions, from the events [`events`] gives: those of
//!   [`simple`] (a fast reader of plain block YAML) where it vouches for the text, else yaml-rust2's;
//! - [`resolve`] is YAML 1.1 implicit typing;
//! - [`convert`] applies go-yaml v2's decoding and sigs.k8s.io/yaml's YAML→JSON rules;
//! - [`emit`] is go-yaml v2's emitter as `toYaml` uses it, [`sort`] its key order;
//! - [`json`] is Go's `encoding/json` (Marshal, MarshalIndent, Unmarshal);
//! - [`toml`] is the TOML encoder/decoder behind `toToml`/`fromToml`, [`toml_syntax`] BurntSushi's
//!   syntax errors;
//! - [`skim`] decodes only chosen parts of a plain document (manifest heads); [`items`] decodes a
//!   large document of many small items (a repository index) one item at a time;
//! - [`memo`] keeps parsed `fromYaml` texts so a chart parsing the same text in every template pays once.
//!
//! serde_yaml is not used: it is archived and types scalars by YAML 1.2, unlike Helm.
pub mod aliasing;
pub mod build;
pub mod convert;
pub mod deep_flow;
pub mod emit;
pub mod error;
pub mod events;
pub(crate) mod go_scan;
pub mod input;
pub mod items;
pub mod json;
pub mod load;
pub mod memo;
pub mod numfmt;
pub mod resolve;
pub mod simple;
pub mod skim;
pub mod sort;
pub mod toml;
pub mod toml_syntax;

pub use error::{Error, ErrorKind};

use crate::template::value::{Map, MapEntries, Value};

/// Reads a values file from its bytes, as go-yaml does (see [`input`]), then [`parse_values`].
pub fn read_values(bytes: &[u8], file: &str) -> Result<Value, Error> {
    let text = input::decode(bytes).map_err(|e| e.in_file(file))?;
    parse_values(&text, file)
}

/// Parses a values file (`values.yaml`, `-f` files): a map; an empty document gives an empty map.
///
/// Mirrors `chartutil.ReadValues`: a document that is not a map is an error
/// (`error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of
/// type map[string]interface {}`).
pub fn parse_values(text: &str, file: &str) -> Result<Value, Error> {
    let value = parse_value(text, file)?;
    match value {
        Value::Nil => Ok(Value::Map(Map::new(MapEntries::new()))),
        Value::Map(_) => Ok(value),
        other => {
            let what = json_kind(&other);
            Err(Error::new(
                ErrorKind::Unmarshal,
                format!(
                    "while decoding JSON: json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
                ),
            )
            .in_file(file))
        }
    }
}

/// The JSON kind name Go's decoder uses in type errors.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Float(_) | Value::Int(..) | Value::Uint(..) => "number",
        _ => "object",
    }
}

/// Parses the first document of `text` into Helm's data (`fromYaml`, `yaml.Unmarshal` into
/// `interface{}`); an empty document is nil.
pub fn parse_value(text: &str, file: &str) -> Result<Value, Error> {
    // A plain document (most values files) is decoded straight from its events; the skim gives up
    // on everything that needs the node tree (anchors, tags, merge keys, odd keys, errors) and on
    // texts the simple reader does not read whole (several documents among them). A large one is
    // built as it is read, without the list of its events (`build`).
    if text.len() >= build::MIN_STREAMED_BYTES {
        if let Some(value) = build::plain_values(text) {
            return Ok(value.unwrap_or(Value::Nil));
        }
    }
    match skim::skim_plain_document(text, skim::Pick::All) {
        Some(None) => return Ok(Value::Nil),
        Some(Some(decoded)) => {
            if let Ok(value) = convert::to_value(&decoded) {
                return Ok(value);
            }
        }
        None => {}
    }
    let docs = load::parse_for_decoder(text, 1).map_err(|e| e.in_file(file))?;
    match docs.first() {
        None => Ok(Value::Nil),
        Some(node) => node_to_value(node).map_err(|e| e.in_file(file)),
    }
}

fn node_to_value(node: &load::Node) -> Result<Value, Error> {
    check_expansion(node)?;
    convert::to_value(&convert::decode(node)?)
}

/// go-yaml's guard against alias bombs.
fn check_expansion(node: &load::Node) -> Result<(), Error> {
    if aliasing::excessive(node) {
        let mut e = Error::new(ErrorKind::Syntax, "document contains excessive aliasing");
        e.line = node.line;
        return Err(e);
    }
    Ok(())
}

/// Parses every document of a multi-document stream.
pub fn parse_documents(text: &str, file: &str) -> Result<Vec<Value>, Error> {
    let docs = load::parse_for_decoder(text, usize::MAX).map_err(|e| e.in_file(file))?;
    docs.iter()
        .map(|n| node_to_value(n).map_err(|e| e.in_file(file)))
        .collect()
}

/// The first document as go-yaml v2 decodes it (before the JSON round trip, so ints and floats are
/// still apart and keys are already strings), or `None` for an empty stream. It is checked for all
/// that [`parse_value`] rejects, with the same error, but Helm's data is not built: for callers that
/// read a few fields with their own typed rules, e.g. Helm's manifest head (`releaseutil.SimpleHead`).
pub fn decode_document(text: &str, file: &str) -> Result<Option<convert::Yaml>, Error> {
    let docs = load::parse_for_decoder(text, 1).map_err(|e| e.in_file(file))?;
    docs.first()
        .map(|node| {
            check_expansion(node)
                .and_then(|()| convert::decode(node))
                .and_then(|decoded| convert::check_json(&decoded).map(|()| decoded))
                .map_err(|e| e.in_file(file))
        })
        .transpose()
}

/// Deserialises a typed document (Chart.yaml, Chart.lock) as sigs.k8s.io/yaml does: YAML 1.1 typing,
/// and numbers or bools given where the target wants a string become strings (`version: 1.0` → `"1"`).
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, Error> {
    // The node tree is dropped before the typed value is built: two whole copies of a large input
    // (a repository index of tens of MB) are never alive at once with the third.
    let decoded = {
        let docs = load::parse_for_decoder(text, 1).map_err(|e| e.in_file(file))?;
        match docs.first() {
            None => convert::Yaml::Null,
            Some(node) => convert::decode(node).map_err(|e| e.in_file(file))?,
        }
    };
    T::deserialize(convert::YamlDeserializer(&decoded)).map_err(|e| {
        Error::new(
            ErrorKind::Unmarshal,
            format!("while decoding JSON: json: {e}"),
        )
        .in_file(file)
    })
}

/// Helm's `toYaml` body (sigs.k8s.io/yaml `Marshal`), with its trailing newline: the caller trims.
pub fn to_yaml(v: &Value) -> Result<String, Error> {
    Ok(emit::emit(&emit::json_round_trip(v)?))
}

/// Go's `json.Marshal`.
pub fn to_json(v: &Value) -> Result<String, Error> {
    json::marshal(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(v: &Value, k: &str) -> Value {
        v.as_map().unwrap().get(k).unwrap()
    }

    #[test]
    fn values_numbers_are_floats() {
        let v = parse_values("a: 1\nb: 0777\nc: yes\nd: ~\ne: 1.5\n", "values.yaml").unwrap();
        assert!(matches!(get(&v, "a"), Value::Float(f) if f == 1.0));
        assert!(matches!(get(&v, "b"), Value::Float(f) if f == 511.0));
        assert!(matches!(get(&v, "c"), Value::Bool(true)));
        assert!(get(&v, "d").is_nil());
    }

    /// Wherever the skim decodes a text (every YAML text of the repository and each of its
    /// documents), the value is the one the node tree gives, and the node tree finds no error.
    #[test]
    fn plain_documents_decode_as_through_the_node_tree() {
        crate::test_corpus::on_command_stack(|| {
            let mut skimmed = 0;
            for (path, text) in crate::test_corpus::texts() {
                let mut texts = crate::release::manifest::split_manifests(&text);
                texts.push(text);
                for text in texts {
                    let Some(fast) = skim::skim_plain_document(&text, skim::Pick::All) else {
                        continue;
                    };
                    let full = load::parse_nodes(&text, 1).unwrap();
                    let full = full.first().map(|node| node_to_value(node).unwrap());
                    let fast = fast.map(|decoded| convert::to_value(&decoded).unwrap());
                    assert_eq!(
                        format!("{fast:?}"),
                        format!("{full:?}"),
                        "{}",
                        path.display()
                    );
                    skimmed += 1;
                }
            }
            assert!(skimmed > 500, "{skimmed}");
        });
    }

    #[test]
    fn empty_values_are_an_empty_map() {
        let v = parse_values("# nothing\n", "values.yaml").unwrap();
        assert!(v.as_map().unwrap().is_empty());
    }

    #[test]
    fn values_must_be_a_map() {
        let e = parse_values("- 1\n", "values.yaml").unwrap_err();
        assert_eq!(e.file, "values.yaml");
        assert!(e.to_string().starts_with("error unmarshaling JSON:"));
    }

    #[test]
    fn round_trip_values_through_to_yaml() {
        let text = "a:\n- 1\n- x: \"yes\"\nb: |-\n  l1\n  l2\nc: 1.5\n";
        let v = parse_values(text, "v").unwrap();
        assert_eq!(to_yaml(&v).unwrap(), text);
    }

    #[test]
    fn chart_yaml_typed_like_helm() {
        let text = "apiVersion: v2\nname: c\nversion: 1.0\nappVersion: 1.10\ndescription:\nkeywords:\nannotations:\n  a: 1\n  b: yes\ndeprecated: false\nunknown: x\n";
        let m: crate::chart::model::Metadata = from_str(text, "Chart.yaml").unwrap();
        assert_eq!(m.version, "1");
        assert_eq!(m.app_version, "1.1");
        assert_eq!(m.description, "");
        assert!(m.keywords.is_empty());
        assert_eq!(m.annotations["a"], "1");
        assert_eq!(m.annotations["b"], "true");
    }

    #[test]
    fn documents() {
        let docs = parse_documents("a: 1\n---\n- 2\n", "x").unwrap();
        assert_eq!(docs.len(), 2);
    }
}

#[cfg(test)]
mod properties {
    use std::rc::Rc;

    use proptest::prelude::*;

    use super::*;

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Nil),
            any::<bool>().prop_map(Value::Bool),
            (-1e15f64..1e15).prop_map(Value::Float),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::Float),
            "[a-zA-Z0-9 :#'\"\\-?.,\\[\\]{}é😀\n\t]{0,40}".prop_map(Value::string),
            prop_oneof![
                Just("yes"),
                Just("~"),
                Just("1e3"),
                Just("08"),
                Just(" x"),
                Just("a: b"),
                Just("- x"),
                Just("x\n"),
                Just("\n\n"),
                Just("2020-01-01")
            ]
            .prop_map(Value::str),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        scalar().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::list),
                prop::collection::btree_map("[a-zA-Z0-9_ .:-]{0,12}", inner, 0..5).prop_map(|m| {
                    Value::map(m.into_iter().map(|(k, v)| (Rc::from(k), v)).collect())
                }),
            ]
        })
    }

    /// Structural equality with JSON's view of numbers.
    fn same_json(v: &Value, j: &serde_json::Value) -> bool {
        match (v, j) {
            (Value::Nil, serde_json::Value::Null) => true,
            (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
            // serde_json's default float parsing may be one ulp off; ours is checked exactly below.
            (Value::Float(f), serde_json::Value::Number(n)) => {
                n.as_f64().is_some_and(|g| (g - f).abs() <= f.abs() * 1e-15)
            }
            (Value::String(s), serde_json::Value::String(t)) => **s == **t,
            (Value::List(l), serde_json::Value::Array(a)) => {
                l.len() == a.len() && l.items().iter().zip(a).all(|(x, y)| same_json(x, y))
            }
            (Value::Map(m), serde_json::Value::Object(o)) => {
                m.len() == o.len()
                    && m.entries()
                        .iter()
                        .all(|(k, x)| o.get(&**k).is_some_and(|y| same_json(x, y)))
            }
            _ => false,
        }
    }

    /// Structural equality of two template values (floats by value).
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Float(x), Value::Float(y)) => x == y,
            (Value::String(x), Value::String(y)) => x == y,
            (Value::List(x), Value::List(y)) => {
                x.len() == y.len() && x.items().iter().zip(y.items()).all(|(p, q)| same(p, q))
            }
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len()
                    && x.entries()
                        .iter()
                        .all(|(k, p)| y.get(k).is_some_and(|q| same(p, &q)))
            }
            _ => false,
        }
    }

    proptest! {
        #[test]
        fn to_json_parses_back_with_serde_json(v in value()) {
            let text = to_json(&v).unwrap();
            let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
            prop_assert!(same_json(&v, &parsed), "{text}");
            let ours = json::unmarshal(&text).unwrap();
            prop_assert!(same(&v, &ours), "{text}");
        }

        #[test]
        fn to_yaml_parses_back_to_the_same_values(
            m in prop::collection::btree_map("[a-z]{1,6}", value(), 0..6)
        ) {
            let v = Value::map(m.into_iter().map(|(k, v)| (Rc::from(k), v)).collect());
            let text = to_yaml(&v).unwrap();
            let back = parse_values(&text, "v").unwrap();
            prop_assert!(same(&v, &back), "{text}");
        }
    }
}
