//! Node tree → the data Helm sees, following sigs.k8s.io/yaml's YAML→JSON→`encoding/json` path.
//!
//! Step 1 ([`decode`]) is go-yaml v2 decoding into `interface{}`: plain scalars are typed by YAML 1.1
//! ([`super::resolve`]), timestamps stay strings, `<<` merges maps (in document order, so a merge after
//! an explicit key overrides it; a list of maps is merged last-to-first so earlier maps win), and a
//! duplicate key silently replaces the earlier value. Map keys are then made strings as
//! sigs.k8s.io/yaml does: ints in decimal, floats with `strconv.FormatFloat(f, 'g', -1, 32)`, bools as
//! `true`/`false`; a null or list key is an error.
//!
//! Step 2 ([`to_value`]) is the JSON round trip: every number becomes a `float64`, NaN and ±Inf are
//! errors (`json: unsupported value: +Inf`).
//!
//! [`YamlDeserializer`] is the typed path (Chart.yaml, Chart.lock): it deserialises straight from the
//! decoded data and, as sigs.k8s.io/yaml does for string-typed targets, turns a number or bool into its
//! string form (`version: 1.0` gives `"1"`).
use std::collections::BTreeMap;
use std::rc::Rc;

use base64::Engine;
use serde::de::{self, IntoDeserializer, Visitor};
use yaml_rust2::scanner::TScalarStyle;

use super::error::{Error, ErrorKind};
use super::load::{alias_at, contains_itself, Alias, Node, NodeKind};
use super::resolve::{parse_go_float, parse_go_int, parse_go_uint, resolve_plain, Resolved};
use crate::template::value::{List, Map, MapEntries, MapKind, Value};

/// go-yaml's decoded value with keys already made strings.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Yaml>),
    Map(BTreeMap<String, Yaml>),
}

const YAML_TAG_PREFIX: &str = "tag:yaml.org,2002:";

fn convert_error(node: &Node, message: String) -> Error {
    let mut e = Error::new(ErrorKind::Convert, message);
    e.line = node.line;
    e.column = node.column;
    e
}

fn syntax_at(node: &Node, message: String) -> Error {
    // go-yaml's decoder reports these without a line (`yaml: map merge requires …`).
    let mut e = Error::new(ErrorKind::Syntax, message);
    e.line = node.line;
    e.column = node.column;
    e
}

/// Decodes a node as go-yaml v2 decodes into `interface{}`, with sigs.k8s.io/yaml's key conversion.
/// Children are decoded in document order, and an alias inside its own anchor's node is refused
/// where the decoder reaches it (`anchor 'x' value contains itself`): go-yaml decodes the anchored
/// node again from there and meets the same alias, every node before it having decoded once
/// already. A key JSON cannot take (null, a uint64) is sigs.k8s.io/yaml's error, after go-yaml's
/// decoding: any decoding error comes first.
pub fn decode(node: &Node) -> Result<Yaml, Error> {
    let mut key_error = None;
    let decoded = decode_in(node, &mut key_error)?;
    match key_error {
        Some(e) => Err(e),
        None => Ok(decoded),
    }
}

/// [`decode`], keeping the first key error in `key_error`.
fn decode_in(node: &Node, key_error: &mut Option<Error>) -> Result<Yaml, Error> {
    match &node.kind {
        NodeKind::Scalar { value, style, tag } => decode_scalar(node, value, *style, tag),
        NodeKind::Seq { items, aliases, .. } => items
            .iter()
            .enumerate()
            .map(|(i, n)| decode_child(n, aliases, i, key_error))
            .collect::<Result<_, _>>()
            .map(Yaml::Seq),
        NodeKind::Map {
            entries, aliases, ..
        } => {
            let mut map = BTreeMap::new();
            decode_map_into(entries, aliases, &mut map, key_error)?;
            Ok(Yaml::Map(map))
        }
    }
}

/// Decodes the child `node` at place `at` of a collection with `aliases`.
fn decode_child(
    node: &Node,
    aliases: &[Alias],
    at: usize,
    key_error: &mut Option<Error>,
) -> Result<Yaml, Error> {
    match alias_at(aliases, at) {
        Some(alias) if alias.open.is_some() => Err(contains_itself(alias, node)),
        _ => decode_in(node, key_error),
    }
}

fn decode_map_into(
    entries: &[(Rc<Node>, Rc<Node>)],
    aliases: &[Alias],
    map: &mut BTreeMap<String, Yaml>,
    key_error: &mut Option<Error>,
) -> Result<(), Error> {
    for (i, (key, value)) in entries.iter().enumerate() {
        // An alias is no merge key, even to a `<<` (go-yaml's `isMerge` wants a scalar node).
        if key.is_merge_key() && alias_at(aliases, 2 * i).is_none() {
            merge_into(value, alias_at(aliases, 2 * i + 1), map, key_error)?;
            continue;
        }
        // go-yaml decodes the key, refuses a collection, then decodes the value.
        let decoded_key = decode_child(key, aliases, 2 * i, key_error)?;
        if matches!(decoded_key, Yaml::Seq(_) | Yaml::Map(_)) {
            return Err(syntax_at(
                key,
                format!("invalid map key: {}", go_sharp_v_node(key)?),
            ));
        }
        let decoded_value = decode_child(value, aliases, 2 * i + 1, key_error)?;
        match key_to_string(key, decoded_key, &decoded_value) {
            Ok(key_string) => {
                map.insert(key_string, decoded_value);
            }
            Err(e) => {
                key_error.get_or_insert(e);
            }
        }
    }
    Ok(())
}

/// go-yaml's `merge`: the value of a `<<` key (`alias` when it was written as one) merged into
/// `map`. A map merges; so does a sequence written in place whose items are maps or aliases to
/// maps, last item first (earlier maps win); an alias must name a map. Anything else is `map
/// merge requires map or sequence of maps as the value`, met where the decoder reaches it.
fn merge_into(
    value: &Node,
    alias: Option<&Alias>,
    map: &mut BTreeMap<String, Yaml>,
    key_error: &mut Option<Error>,
) -> Result<(), Error> {
    let want_map = || {
        syntax_at(
            value,
            "map merge requires map or sequence of maps as the value".to_string(),
        )
    };
    // A map, or an alias to one (written `item_alias`), merged.
    let merge_map = |node: &Node,
                     item_alias: Option<&Alias>,
                     map: &mut BTreeMap<String, Yaml>,
                     key_error: &mut Option<Error>| {
        match (item_alias, &node.kind) {
            (Some(alias), _) if alias.open == Some(true) => Err(contains_itself(alias, node)),
            (Some(alias), _) if alias.open == Some(false) => Err(want_map()),
            (
                _,
                NodeKind::Map {
                    entries, aliases, ..
                },
            ) => decode_map_into(entries, aliases, map, key_error),
            _ => Err(want_map()),
        }
    };
    if alias.is_some() {
        return merge_map(value, alias, map, key_error);
    }
    match &value.kind {
        NodeKind::Map { .. } => merge_map(value, None, map, key_error),
        NodeKind::Seq { items, aliases, .. } => {
            for (i, item) in items.iter().enumerate().rev() {
                merge_map(item, alias_at(aliases, i), map, key_error)?;
            }
            Ok(())
        }
        NodeKind::Scalar { .. } => Err(want_map()),
    }
}

/// sigs.k8s.io/yaml's conversion of a decoded key to a JSON object key.
fn key_to_string(node: &Node, key: Yaml, value: &Yaml) -> Result<String, Error> {
    Ok(match key {
        Yaml::Str(s) => s,
        Yaml::Int(i) => i.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Float(f) => match format_float32_g(f).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            s => s.to_string(),
        },
        Yaml::Uint(u) => {
            return Err(convert_error(
                node,
                format!(
                    "unsupported map key of type: uint64, key: 0x{u:x}, value: {}",
                    go_sharp_v(value)
                ),
            ))
        }
        Yaml::Null => {
            return Err(convert_error(
                node,
                format!(
                    "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                    go_sharp_v(value)
                ),
            ))
        }
        Yaml::Seq(_) | Yaml::Map(_) => {
            return Err(syntax_at(
                node,
                format!("invalid map key: {}", go_sharp_v_node(node)?),
            ));
        }
    })
}

/// Go's `%#v` of the collection go-yaml decodes from `node` into `interface{}` (its "invalid map key"
/// error). Unlike [`decode`], a map's keys keep their YAML type there (`map[interface
/// {}]interface {}{false:1}` for `{n: 1}`), and `fmt` prints them sorted: by value among keys of one
/// type; keys of several types Go sorts by the address of their type, which nothing outside the Go
/// binary knows, so they are sorted here by kind (null, bool, int, float, string). A map with a
/// merge key prints as [`decode`] makes it.
fn go_sharp_v_node(node: &Node) -> Result<String, Error> {
    fn element(node: &Node) -> Result<String, Error> {
        match &node.kind {
            NodeKind::Scalar { .. } => Ok(go_sharp_v_deep(&decode(node)?, true)),
            _ => go_sharp_v_node(node),
        }
    }
    fn rank(key: &Yaml) -> u8 {
        match key {
            Yaml::Null => 0,
            Yaml::Bool(_) => 1,
            Yaml::Int(_) => 2,
            Yaml::Uint(_) => 3,
            Yaml::Float(_) => 4,
            _ => 5,
        }
    }
    match &node.kind {
        NodeKind::Scalar { .. } => Ok(go_sharp_v_deep(&decode(node)?, false)),
        NodeKind::Seq { items, .. } => {
            let parts = items
                .iter()
                .map(|i| element(i))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(format!("[]interface {{}}{{{}}}", parts.join(", ")))
        }
        NodeKind::Map { entries, .. } => {
            if entries.iter().any(|(k, _)| k.is_merge_key()) {
                return Ok(go_sharp_v_deep(&decode(node)?, false));
            }
            let mut typed: Vec<(Yaml, String)> = Vec::new();
            for (key, value) in entries {
                let decoded = decode(key)?;
                if matches!(decoded, Yaml::Seq(_) | Yaml::Map(_)) {
                    return Err(syntax_at(
                        key,
                        format!("invalid map key: {}", go_sharp_v_node(key)?),
                    ));
                }
                let printed = element(value)?;
                // A duplicate key: the last value wins.
                typed.retain(|(k, _)| *k != decoded);
                typed.push((decoded, printed));
            }
            typed.sort_by(|(a, _), (b, _)| {
                rank(a).cmp(&rank(b)).then_with(|| match (a, b) {
                    (Yaml::Bool(a), Yaml::Bool(b)) => a.cmp(b),
                    (Yaml::Int(a), Yaml::Int(b)) => a.cmp(b),
                    (Yaml::Uint(a), Yaml::Uint(b)) => a.cmp(b),
                    (Yaml::Float(a), Yaml::Float(b)) => a.total_cmp(b),
                    (Yaml::Str(a), Yaml::Str(b)) => a.cmp(b),
                    _ => std::cmp::Ordering::Equal,
                })
            });
            let parts: Vec<String> = typed
                .iter()
                .map(|(k, v)| format!("{}:{v}", go_sharp_v_deep(k, true)))
                .collect();
            Ok(format!(
                "map[interface {{}}]interface {{}}{{{}}}",
                parts.join(", ")
            ))
        }
    }
}

/// Go's `%#v` of a value go-yaml decoded into `interface{}` (its "invalid map key" error): collections
/// in full, `interface {}(nil)` for a nil element. Keys are the strings [`decode`] made of them, so
/// a non-string key inside such a collection prints quoted.
fn go_sharp_v_deep(v: &Yaml, element: bool) -> String {
    match v {
        Yaml::Null if element => "interface {}(nil)".to_string(),
        Yaml::Str(s) => crate::template::printf::quote_go(s),
        Yaml::Seq(items) => {
            let parts: Vec<String> = items.iter().map(|i| go_sharp_v_deep(i, true)).collect();
            format!("[]interface {{}}{{{}}}", parts.join(", "))
        }
        Yaml::Map(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        crate::template::printf::quote_go(k),
                        go_sharp_v_deep(v, true)
                    )
                })
                .collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", parts.join(", "))
        }
        scalar => go_sharp_v(scalar),
    }
}

/// Go's `%+#v` of a decoded scalar (for sigs.k8s.io/yaml's key error); collections are abridged.
fn go_sharp_v(v: &Yaml) -> String {
    match v {
        Yaml::Null => "<nil>".to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Int(i) => i.to_string(),
        Yaml::Uint(u) => format!("0x{u:x}"),
        Yaml::Float(f) => super::numfmt::go_g(*f),
        Yaml::Str(s) => format!("{s:?}"),
        Yaml::Seq(_) => "[]interface {}{...}".to_string(),
        Yaml::Map(_) => "map[interface {}]interface {}{...}".to_string(),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest digits that round-trip as a float32.
pub fn format_float32_g(f: f64) -> String {
    let f32v = f as f32;
    if f32v.is_nan() {
        return "NaN".to_string();
    }
    if f32v.is_infinite() {
        return if f32v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f32v == 0.0 {
        return if f32v.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let s = format!("{:e}", f32v.abs());
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    super::numfmt::format_g(f32v < 0.0, &digits, exp)
}

fn decode_scalar(
    node: &Node,
    value: &str,
    style: TScalarStyle,
    tag: &Option<yaml_rust2::parser::Tag>,
) -> Result<Yaml, Error> {
    let Some(tag) = tag else {
        return Ok(untagged_scalar(value, style));
    };
    if tag.handle != YAML_TAG_PREFIX {
        // A local or unknown tag: go-yaml keeps the text.
        return Ok(Yaml::Str(value.to_string()));
    }
    let mismatch = |want: &str, got: &str| {
        syntax_at(
            node,
            format!("cannot decode !!{got} `{value}` as a !!{want}"),
        )
    };
    let resolved = if value.is_empty() && style != TScalarStyle::Plain {
        Resolved::Str
    } else {
        resolve_plain(value)
    };
    let got = match &resolved {
        Resolved::Null => "null",
        Resolved::Bool(_) => "bool",
        Resolved::Int(_) | Resolved::Uint(_) => "int",
        Resolved::Float(_) => "float",
        Resolved::Timestamp => "timestamp",
        Resolved::Merge => "merge",
        Resolved::Str => "str",
    };
    match tag.suffix.as_str() {
        "str" => Ok(Yaml::Str(value.to_string())),
        "binary" => {
            let cleaned: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(cleaned)
                .map_err(|_| {
                    syntax_at(
                        node,
                        "!!binary value contains invalid base64 data".to_string(),
                    )
                })?;
            Ok(Yaml::Str(String::from_utf8_lossy(&bytes).into_owned()))
        }
        "float" => match resolved {
            Resolved::Int(i) => Ok(Yaml::Float(i as f64)),
            Resolved::Uint(u) => Ok(Yaml::Float(u as f64)),
            Resolved::Float(f) => Ok(Yaml::Float(f)),
            _ => Err(mismatch("float", got)),
        },
        "int" | "bool" | "null" | "timestamp" if got == tag.suffix => {
            Ok(resolved_to_yaml(value, resolved))
        }
        "int" | "bool" | "null" | "timestamp" => Err(mismatch(&tag.suffix, got)),
        _ => Ok(Yaml::Str(value.to_string())),
    }
}

/// An untagged scalar as go-yaml decodes it: quoted and block scalars are strings, plain ones are
/// typed by YAML 1.1.
pub fn untagged_scalar(value: &str, style: TScalarStyle) -> Yaml {
    resolved_to_yaml(value, resolve_untagged(value, style))
}

/// What an untagged scalar resolves to: quoted and block scalars are strings, plain ones are typed by
/// YAML 1.1.
pub(crate) fn resolve_untagged(value: &str, style: TScalarStyle) -> Resolved {
    match style {
        TScalarStyle::Plain => resolve_plain(value),
        _ => Resolved::Str,
    }
}

/// The decoded scalar of `text` resolved as `r`; a string takes `text` (moved when it is a `String`).
pub(crate) fn resolved_to_yaml(text: impl Into<String>, r: Resolved) -> Yaml {
    match r {
        Resolved::Null => Yaml::Null,
        Resolved::Bool(b) => Yaml::Bool(b),
        Resolved::Int(i) => Yaml::Int(i),
        Resolved::Uint(u) => Yaml::Uint(u),
        Resolved::Float(f) => Yaml::Float(f),
        Resolved::Timestamp | Resolved::Merge | Resolved::Str => Yaml::Str(text.into()),
    }
}

/// The JSON round trip into Helm's `interface{}` data: numbers become `float64`.
pub fn to_value(y: &Yaml) -> Result<Value, Error> {
    Ok(match y {
        Yaml::Null => Value::Nil,
        Yaml::Bool(b) => Value::Bool(*b),
        Yaml::Int(i) => Value::Float(*i as f64),
        Yaml::Uint(u) => Value::Float(*u as f64),
        Yaml::Float(f) => {
            if !f.is_finite() {
                return Err(unsupported_float(*f));
            }
            Value::Float(*f)
        }
        // A character of the range that stores invalid bytes is stored as its bytes (`gostr`).
        Yaml::Str(s) => Value::str(&crate::template::gostr::from_bytes(s.as_bytes())),
        Yaml::Seq(items) => Value::List(List::new(
            items.iter().map(to_value).collect::<Result<_, _>>()?,
        )),
        Yaml::Map(m) => {
            let mut entries = MapEntries::new();
            for (k, v) in m {
                entries.insert(Rc::from(k.as_str()), to_value(v)?);
            }
            Value::Map(Map::with_kind(MapKind::StringInterface, entries))
        }
    })
}

/// What [`to_value`] rejects (a NaN or infinite float), found in the same order, without building
/// anything.
pub fn check_json(y: &Yaml) -> Result<(), Error> {
    match y {
        Yaml::Float(f) if !f.is_finite() => Err(unsupported_float(*f)),
        Yaml::Seq(items) => items.iter().try_for_each(check_json),
        Yaml::Map(m) => m.values().try_for_each(check_json),
        _ => Ok(()),
    }
}

fn unsupported_float(f: f64) -> Error {
    Error::new(
        ErrorKind::Convert,
        format!(
            "json: unsupported value: {}",
            crate::template::fmt::format_float_g(f)
        ),
    )
}

/// A serde deserializer over decoded YAML with sigs.k8s.io/yaml's number→string coercion.
pub struct YamlDeserializer<'a>(pub &'a Yaml);

type DeError = de::value::Error;

impl<'de> IntoDeserializer<'de, DeError> for YamlDeserializer<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for YamlDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Yaml::Null => visitor.visit_unit(),
            Yaml::Bool(b) => visitor.visit_bool(*b),
            Yaml::Int(i) => visitor.visit_i64(*i),
            Yaml::Uint(u) => visitor.visit_u64(*u),
            Yaml::Float(f) => visitor.visit_f64(*f),
            Yaml::Str(s) => visitor.visit_str(s),
            Yaml::Seq(items) => visitor.visit_seq(de::value::SeqDeserializer::new(
                items.iter().map(YamlDeserializer),
            )),
            Yaml::Map(m) => visitor.visit_map(de::value::MapDeserializer::new(
                m.iter().map(|(k, v)| (k.as_str(), YamlDeserializer(v))),
            )),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            // encoding/json leaves a field untouched for a JSON null.
            Yaml::Null => visitor.visit_str(""),
            Yaml::Int(i) => visitor.visit_string(i.to_string()),
            Yaml::Uint(u) => visitor.visit_string(u.to_string()),
            Yaml::Float(f) => visitor.visit_string(format_float32_g(*f)),
            Yaml::Bool(b) => visitor.visit_string(b.to_string()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Yaml::Null => visitor.visit_bool(false),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Yaml::Null => visitor.visit_seq(de::value::SeqDeserializer::new(std::iter::empty::<
                YamlDeserializer<'de>,
            >())),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Yaml::Null => visitor.visit_map(de::value::MapDeserializer::new(std::iter::empty::<(
                &'de str,
                YamlDeserializer<'de>,
            )>())),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Yaml::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Yaml::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct tuple
        tuple_struct struct identifier ignored_any
    }
}

/// Parses a JSON-style number the way Go's `encoding/json` reads it into `interface{}` (float64).
pub fn number_text_to_f64(s: &str) -> Option<f64> {
    parse_go_int(s)
        .map(|i| i as f64)
        .or_else(|| parse_go_uint(s).map(|u| u as f64))
        .or_else(|| parse_go_float(s))
}

#[cfg(test)]
mod tests {
    use super::super::load::parse_nodes;
    use super::*;

    fn decode_text(text: &str) -> Yaml {
        decode(&parse_nodes(text, 1).unwrap()[0]).unwrap()
    }

    fn map(entries: &[(&str, Yaml)]) -> Yaml {
        Yaml::Map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn decode_error(text: &str) -> String {
        let docs = super::super::load::parse_for_decoder(text, 1).unwrap();
        decode(&docs[0]).unwrap_err().message
    }

    #[test]
    fn an_alias_inside_its_own_anchor_fails_where_the_decoder_reaches_it() {
        const ITSELF: &str = "anchor 'x' value contains itself";
        const WANT_MAP: &str = "map merge requires map or sequence of maps as the value";
        assert_eq!(
            decode_error(
                "a: &x [1, *x]
"
            ),
            ITSELF
        );
        assert_eq!(
            decode_error(
                "a: &x {b: *x}
"
            ),
            ITSELF
        );
        assert_eq!(
            decode_error(
                "a: &x {<<: *x}
"
            ),
            ITSELF
        );
        // What the decoder meets before the alias comes first.
        assert_eq!(
            decode_error(
                "a: &x [{<<: 1}, *x]
"
            ),
            WANT_MAP
        );
        assert!(decode_error(
            "a: &x [{[1]: 2}, *x]
"
        )
        .starts_with("invalid map key: "));
        assert_eq!(
            decode_error(
                "a: &x [*x, {<<: 1}]
"
            ),
            ITSELF
        );
        // A merge list is merged last item first.
        assert_eq!(
            decode_error(
                "a: &x {b: {<<: [*x, 1]}}
"
            ),
            WANT_MAP
        );
        assert_eq!(decode_error("a: &x [{<<: [*x]}]\n"), WANT_MAP);
        // A key JSON cannot take is sigs.k8s.io/yaml's error, after decoding.
        assert_eq!(
            decode_error(
                "a: &x {~: 1, b: *x}
"
            ),
            ITSELF
        );
        // Readers of the node tree (`parse_nodes`) are refused the text.
        let e = parse_nodes(
            "a: [1, {b: &x [*x]}]
",
            1,
        )
        .unwrap_err();
        assert_eq!(e.message, ITSELF);
    }

    #[test]
    fn a_merge_alias_must_name_a_map() {
        const WANT_MAP: &str = "map merge requires map or sequence of maps as the value";
        assert_eq!(
            decode_error(
                "s: &s [{a: 1}]
m: {<<: *s}
"
            ),
            WANT_MAP
        );
        assert_eq!(
            decode_error(
                "s: &s 1
m: {<<: *s}
"
            ),
            WANT_MAP
        );
        assert_eq!(
            decode_text(
                "a: &a {x: 1}
m: {<<: [*a, {z: 2}], <<: *a}
"
            ),
            map(&[
                ("a", map(&[("x", Yaml::Int(1))])),
                ("m", map(&[("x", Yaml::Int(1)), ("z", Yaml::Int(2))])),
            ])
        );
        // An alias to `<<` is no merge key.
        assert_eq!(
            decode_text(
                "k: &k <<
m: {*k : 1}
"
            ),
            map(&[
                ("k", Yaml::Str("<<".into())),
                ("m", map(&[("<<", Yaml::Int(1))])),
            ])
        );
    }

    #[test]
    fn non_string_keys_are_stringified() {
        assert_eq!(
            decode_text("yes: 1\n1: a\n1.5: b\nn: c\n"),
            map(&[
                ("true", Yaml::Int(1)),
                ("1", Yaml::Str("a".into())),
                ("1.5", Yaml::Str("b".into())),
                ("false", Yaml::Str("c".into())),
            ])
        );
    }

    #[test]
    fn merge_keys_in_document_order() {
        let y = decode_text("base: &b {a: 1, b: 2}\nx:\n  b: 3\n  <<: *b\n  c: 4\n");
        let Yaml::Map(m) = y else { panic!() };
        assert_eq!(
            m["x"],
            map(&[
                ("a", Yaml::Int(1)),
                ("b", Yaml::Int(2)),
                ("c", Yaml::Int(4))
            ])
        );
    }

    #[test]
    fn merge_list_earlier_maps_win() {
        let y = decode_text("a: &a {k: 1}\nb: &b {k: 2, j: 3}\nx:\n  <<: [*a, *b]\n");
        let Yaml::Map(m) = y else { panic!() };
        assert_eq!(m["x"], map(&[("j", Yaml::Int(3)), ("k", Yaml::Int(1))]));
    }

    #[test]
    fn duplicate_keys_last_wins() {
        assert_eq!(decode_text("a: 1\na: 2\n"), map(&[("a", Yaml::Int(2))]));
    }

    #[test]
    fn quoted_and_tagged_scalars() {
        assert_eq!(decode_text("'yes'"), Yaml::Str("yes".into()));
        assert_eq!(decode_text("!!str 12"), Yaml::Str("12".into()));
        assert_eq!(decode_text("!!float 12"), Yaml::Float(12.0));
        assert_eq!(decode_text("2020-01-01"), Yaml::Str("2020-01-01".into()));
    }

    #[test]
    fn infinity_has_no_json_form() {
        let err = to_value(&decode_text("a: .inf")).unwrap_err();
        assert_eq!(err.message, "json: unsupported value: +Inf");
    }

    #[test]
    fn typed_path_coerces_numbers_to_strings() {
        #[derive(serde::Deserialize)]
        struct Meta {
            version: String,
            count: Option<i64>,
        }
        let y = decode_text("version: 1.0\ncount: 3\n");
        let m: Meta = serde::Deserialize::deserialize(YamlDeserializer(&y)).unwrap();
        assert_eq!(m.version, "1");
        assert_eq!(m.count, Some(3));
        assert_eq!(format_float32_g(0.1), "0.1");
        assert_eq!(format_float32_g(1.10), "1.1");
    }
}
