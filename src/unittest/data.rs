//! Data as helm-unittest sees it: gopkg.in/yaml.v3 decoding into `interface{}` (YAML 1.2 typing: only
//! `true`/`false` are booleans, `yes` is a string, integers are Go `int`s, timestamps stay strings,
//! merge keys apply), Go's `reflect.DeepEqual` on the result, Go's type names (`isType`), and
//! yaml.v3's encoder with `SetIndent(2)` (failure messages and snapshots).
//!
//! The value type is the YAML layer's [`Doc`]; its `Map` keeps entries in yaml.v3's key order, so
//! emitting needs no sort. Parsing reuses the YAML layer's node loader (positions, anchors).
use std::cmp::Ordering;
use std::rc::Rc;

use yaml_rust2::scanner::TScalarStyle;

use crate::yaml::emit::{emit_with, Doc, Flavor};
use crate::yaml::load::{parse_nodes, Node, NodeKind};
use crate::yaml::resolve::{parse_go_float, parse_go_int, parse_go_uint, resolve_plain, Resolved};
use crate::yaml::sort::key_cmp_v3;

/// A YAML problem, with the 1-based line where it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl DataError {
    fn from_yaml(e: crate::yaml::Error) -> DataError {
        DataError {
            line: e.line,
            message: e.go_text(),
        }
    }
}

/// Every document of `text` as yaml.v3 decodes it into `interface{}` (empty documents are `Null`).
pub fn parse_documents(text: &str) -> Result<Vec<Doc>, DataError> {
    let nodes = match parse_nodes(text, usize::MAX) {
        Ok(nodes) => nodes,
        Err(e) => match relax_flow_closers(text) {
            // go-yaml accepts a flow collection closed at its key's indentation (HELM-FACTS §8);
            // the YAML layer does not, so such closers are indented like the line before them.
            Some(relaxed) => {
                parse_nodes(&relaxed, usize::MAX).map_err(|_| DataError::from_yaml(e))?
            }
            None => return Err(DataError::from_yaml(e)),
        },
    };
    nodes.iter().map(|n| decode(n)).collect()
}

/// `text` with each line that only closes a flow collection (`]`, `}`, optionally followed by `,`)
/// indented like the previous non-blank line; `None` when there is no such line.
fn relax_flow_closers(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut previous_indent = 0;
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start_matches(' ');
        let indent = body.len() - trimmed.len();
        let closer = matches!(trimmed.trim_end(), "]" | "}" | "]," | "},");
        if closer && indent < previous_indent {
            out.push_str(&" ".repeat(previous_indent));
            out.push_str(&line[indent..]);
            changed = true;
            continue;
        }
        if !trimmed.trim().is_empty() {
            previous_indent = indent;
        }
        out.push_str(line);
    }
    changed.then_some(out)
}

/// The first document of `text` (`Null` when there is none).
pub fn parse_one(text: &str) -> Result<Doc, DataError> {
    let nodes = parse_nodes(text, 1).map_err(DataError::from_yaml)?;
    match nodes.first() {
        Some(n) => decode(n),
        None => Ok(Doc::Null),
    }
}

/// yaml.v3's decoding of one node into `interface{}`.
pub fn decode(node: &Node) -> Result<Doc, DataError> {
    match &node.kind {
        NodeKind::Scalar { value, style, tag } => Ok(scalar(
            value,
            *style,
            tag.as_ref().map(|t| t.suffix.as_str()),
        )),
        NodeKind::Seq { items, .. } => Ok(Doc::Seq(
            items.iter().map(|n| decode(n)).collect::<Result<_, _>>()?,
        )),
        NodeKind::Map { entries, .. } => {
            let mut out: Vec<(Rc<str>, Doc)> = Vec::with_capacity(entries.len());
            let mut lines: Vec<usize> = Vec::with_capacity(entries.len());
            let mut merged: Vec<(Rc<str>, Doc)> = Vec::new();
            for (k, v) in entries {
                if k.is_merge_key() {
                    match decode(v)? {
                        Doc::Map(m) => merged.extend(m),
                        Doc::Seq(items) => {
                            for item in items {
                                if let Doc::Map(m) = item {
                                    for (mk, mv) in m {
                                        if !merged.iter().any(|(x, _)| *x == mk) {
                                            merged.push((mk, mv));
                                        }
                                    }
                                }
                            }
                        }
                        _ => {
                            return Err(DataError {
                                line: v.line,
                                message:
                                    "yaml: map merge requires map or sequence of maps as the value"
                                        .into(),
                            })
                        }
                    }
                    continue;
                }
                let key: Rc<str> = Rc::from(key_text(&decode(k)?));
                if let Some(i) = out.iter().position(|(x, _)| *x == key) {
                    return Err(DataError {
                        line: k.line,
                        message: format!(
                            "yaml: unmarshal errors:\n  line {}: mapping key {} already defined at line {}",
                            k.line,
                            go_quote(&key),
                            lines[i]
                        ),
                    });
                }
                out.push((key, decode(v)?));
                lines.push(k.line);
            }
            for (mk, mv) in merged {
                if !out.iter().any(|(x, _)| *x == mk) {
                    out.push((mk, mv));
                }
            }
            out.sort_by(|a, b| key_cmp_v3(&a.0, &b.0));
            Ok(Doc::Map(out))
        }
    }
}

fn go_quote(s: &str) -> String {
    crate::template::printf::quote_go(s)
}

/// The text of a map key (helm-unittest's manifests are `map[string]interface{}`).
fn key_text(d: &Doc) -> String {
    match d {
        Doc::Null => String::new(),
        Doc::Bool(b) => b.to_string(),
        Doc::Int(i) => i.to_string(),
        Doc::Uint(u) => u.to_string(),
        Doc::Float(f) => crate::yaml::numfmt::go_g(*f),
        Doc::Str(s) | Doc::Timestamp(s) | Doc::Binary(s) => s.to_string(),
        other => emit(other).trim_end().to_string(),
    }
}

/// yaml.v3's typing of a scalar.
fn scalar(value: &str, style: TScalarStyle, tag: Option<&str>) -> Doc {
    let text = || Doc::Str(Rc::from(value));
    match tag {
        Some("str") | Some("binary") => return text(),
        Some("null") => return Doc::Null,
        Some("bool") => {
            return match value {
                "true" | "True" | "TRUE" => Doc::Bool(true),
                "false" | "False" | "FALSE" => Doc::Bool(false),
                _ => text(),
            }
        }
        Some("int") => {
            let plain: String = value.chars().filter(|c| *c != '_').collect();
            return match parse_go_int(&plain) {
                Some(i) => Doc::Int(i),
                None => parse_go_uint(&plain).map_or_else(text, Doc::Uint),
            };
        }
        Some("float") => return parse_go_float(value).map_or_else(text, Doc::Float),
        Some(_) => return text(),
        None => {}
    }
    if style != TScalarStyle::Plain {
        return text();
    }
    match value {
        // YAML 1.1 booleans are strings to yaml.v3 when decoding into interface{}.
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "n" | "N" | "no" | "No" | "NO"
        | "off" | "Off" | "OFF" => return text(),
        _ => {}
    }
    match resolve_plain(value) {
        Resolved::Null => Doc::Null,
        Resolved::Bool(b) => Doc::Bool(b),
        Resolved::Int(i) => Doc::Int(i),
        Resolved::Uint(u) => Doc::Uint(u),
        Resolved::Float(f) => Doc::Float(f),
        Resolved::Timestamp | Resolved::Merge | Resolved::Str => text(),
    }
}

/// yaml.v3 `Marshal` with indent 2, after helm-unittest's removal of leading newlines from strings
/// (`TrustedMarshalYAML`).
pub fn marshal(d: &Doc) -> String {
    emit(&strip_leading_newlines(d))
}

/// yaml.v3 `Marshal` with indent 2, as is.
pub fn emit(d: &Doc) -> String {
    emit_with(d, Flavor::V3Indent2)
}

fn strip_leading_newlines(d: &Doc) -> Doc {
    match d {
        Doc::Str(s) if s.starts_with('\n') => Doc::Str(Rc::from(s.trim_start_matches('\n'))),
        Doc::Seq(items) => Doc::Seq(items.iter().map(strip_leading_newlines).collect()),
        Doc::Map(m) => Doc::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), strip_leading_newlines(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Go's `reflect.DeepEqual` on decoded YAML (maps compare regardless of order; `int` and `float64`
/// never equal; NaN never equals itself).
pub fn deep_equal(a: &Doc, b: &Doc) -> bool {
    match (a, b) {
        (Doc::Null, Doc::Null) => true,
        (Doc::Bool(x), Doc::Bool(y)) => x == y,
        (Doc::Int(x), Doc::Int(y)) => x == y,
        (Doc::Uint(x), Doc::Uint(y)) => x == y,
        (Doc::Float(x), Doc::Float(y)) => x == y,
        (Doc::Str(x), Doc::Str(y))
        | (Doc::Str(x), Doc::Timestamp(y))
        | (Doc::Timestamp(x), Doc::Str(y))
        | (Doc::Timestamp(x), Doc::Timestamp(y)) => x == y,
        (Doc::Seq(x), Doc::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| deep_equal(p, q))
        }
        (Doc::Map(x), Doc::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| get(y, k).is_some_and(|w| deep_equal(v, w)))
        }
        _ => false,
    }
}

/// The value under `key` of a map's entries.
pub fn get<'a>(entries: &'a [(Rc<str>, Doc)], key: &str) -> Option<&'a Doc> {
    entries.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
}

/// Go's `reflect.TypeOf(v).String()` for decoded YAML (`""` for nil).
pub fn go_type_name(d: &Doc) -> &'static str {
    match d {
        Doc::Null => "",
        Doc::Bool(_) => "bool",
        Doc::Int(_) => "int",
        Doc::Uint(_) => "uint64",
        Doc::Float(_) => "float64",
        Doc::Str(_) | Doc::Timestamp(_) | Doc::Binary(_) => "string",
        Doc::Seq(_) => "[]interface {}",
        Doc::Map(_) => "map[string]interface {}",
    }
}

/// Whether a value is nil, an empty collection, or its type's zero value (`isNullOrEmpty`).
pub fn is_null_or_empty(d: &Doc) -> bool {
    match d {
        Doc::Null => true,
        Doc::Bool(b) => !b,
        Doc::Int(i) => *i == 0,
        Doc::Uint(u) => *u == 0,
        Doc::Float(f) => *f == 0.0,
        Doc::Str(s) | Doc::Timestamp(s) | Doc::Binary(s) => s.is_empty(),
        Doc::Seq(items) => items.is_empty(),
        Doc::Map(m) => m.is_empty(),
    }
}

/// Go's `fmt.Sprintf("%v", v)` of decoded YAML.
pub fn go_sprint(d: &Doc) -> String {
    match d {
        Doc::Null => "<nil>".into(),
        Doc::Bool(b) => b.to_string(),
        Doc::Int(i) => i.to_string(),
        Doc::Uint(u) => u.to_string(),
        Doc::Float(f) => crate::yaml::numfmt::go_g(*f),
        Doc::Str(s) | Doc::Timestamp(s) | Doc::Binary(s) => s.to_string(),
        Doc::Seq(items) => {
            let parts: Vec<String> = items.iter().map(go_sprint).collect();
            format!("[{}]", parts.join(" "))
        }
        Doc::Map(m) => {
            let mut entries: Vec<&(Rc<str>, Doc)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_sprint(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// Inserts or replaces `key` in a map's entries, keeping yaml.v3's key order.
pub fn insert(entries: &mut Vec<(Rc<str>, Doc)>, key: &str, value: Doc) {
    match entries.iter().position(|(k, _)| &**k == key) {
        Some(i) => entries[i].1 = value,
        None => {
            let at = entries
                .iter()
                .position(|(k, _)| key_cmp_v3(k, key) == Ordering::Greater)
                .unwrap_or(entries.len());
            entries.insert(at, (Rc::from(key), value));
        }
    }
}

/// Helm's `chartutil.MergeTables(dst, src)`: keys of `src` missing from `dst` are copied; where both
/// hold maps the merge recurses; `dst` wins otherwise.
pub fn merge_tables(dst: Doc, src: &Doc) -> Doc {
    let (Doc::Map(mut d), Doc::Map(s)) = (dst.clone(), src) else {
        return dst;
    };
    for (k, sv) in s {
        match d.iter().position(|(dk, _)| dk == k) {
            None => insert(&mut d, k, sv.clone()),
            Some(i) => {
                if matches!(d[i].1, Doc::Map(_)) && matches!(sv, Doc::Map(_)) {
                    let dv = std::mem::replace(&mut d[i].1, Doc::Null);
                    d[i].1 = merge_tables(dv, sv);
                }
            }
        }
    }
    Doc::Map(d)
}

/// The JSON text of a value (what sigs.k8s.io/yaml's `Marshal` goes through); non-finite floats,
/// which JSON cannot carry, are an error as in Go.
pub fn to_json(d: &Doc) -> Result<String, String> {
    let mut out = String::new();
    write_json(d, &mut out)?;
    Ok(out)
}

fn write_json(d: &Doc, out: &mut String) -> Result<(), String> {
    match d {
        Doc::Null => out.push_str("null"),
        Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Doc::Int(i) => out.push_str(&i.to_string()),
        Doc::Uint(u) => out.push_str(&u.to_string()),
        Doc::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    crate::yaml::numfmt::go_g(*f)
                ));
            }
            out.push_str(&crate::yaml::numfmt::json_float(*f));
        }
        Doc::Str(s) | Doc::Timestamp(s) | Doc::Binary(s) => {
            crate::yaml::json::write_string(out, s, false)
        }
        Doc::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        Doc::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                crate::yaml::json::write_string(out, k, false);
                out.push(':');
                write_json(v, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Doc {
        Doc::Str(Rc::from(x))
    }

    #[test]
    fn yaml_v3_typing() {
        let d = parse_one(
            "a: yes\nb: true\nc: 1\nd: 1.5\ne: 2001-12-14\nf: ~\ng: '1'\nh: 0x10\ni: 1e3\n",
        )
        .unwrap();
        let Doc::Map(m) = d else { panic!() };
        assert_eq!(get(&m, "a"), Some(&s("yes")));
        assert_eq!(get(&m, "b"), Some(&Doc::Bool(true)));
        assert_eq!(get(&m, "c"), Some(&Doc::Int(1)));
        assert_eq!(get(&m, "d"), Some(&Doc::Float(1.5)));
        assert_eq!(get(&m, "e"), Some(&s("2001-12-14")));
        assert_eq!(get(&m, "f"), Some(&Doc::Null));
        assert_eq!(get(&m, "g"), Some(&s("1")));
        assert_eq!(get(&m, "h"), Some(&Doc::Int(16)));
        assert_eq!(get(&m, "i"), Some(&Doc::Float(1000.0)));
    }

    #[test]
    fn flow_collections_may_close_at_their_keys_indentation() {
        let docs = parse_documents("a:\n  args: [\n    \"x\",\n  ]\n").unwrap();
        assert_eq!(to_json(&docs[0]).unwrap(), r#"{"a":{"args":["x"]}}"#);
    }

    #[test]
    fn merge_keys_and_duplicates() {
        let d = parse_one("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n").unwrap();
        let Doc::Map(m) = d else { panic!() };
        let Some(Doc::Map(inner)) = get(&m, "m") else {
            panic!()
        };
        assert_eq!(get(inner, "x"), Some(&Doc::Int(1)));
        assert_eq!(get(inner, "y"), Some(&Doc::Int(3)));
        let err = parse_one("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(
            err.message,
            "yaml: unmarshal errors:\n  line 3: mapping key \"a\" already defined at line 1"
        );
    }

    #[test]
    fn deep_equal_is_typed_and_unordered() {
        let a = parse_one("{a: 1, b: [x]}").unwrap();
        let b = parse_one("{b: [x], a: 1}").unwrap();
        let c = parse_one("{b: [x], a: 1.0}").unwrap();
        assert!(deep_equal(&a, &b));
        assert!(!deep_equal(&a, &c));
    }

    #[test]
    fn marshal_is_yaml_v3_indent_two() {
        let d = parse_one("b: [x, 'yes', '1.5']\na: {c: \"l1\\nl2\\n\"}\n").unwrap();
        assert_eq!(
            marshal(&d),
            "a:\n  c: |\n    l1\n    l2\nb:\n  - x\n  - \"yes\"\n  - \"1.5\"\n"
        );
    }

    #[test]
    fn merge_tables_keeps_dst() {
        let dst = parse_one("a: {b: 1}\nc: 2").unwrap();
        let src = parse_one("a: {b: 9, d: 4}\nc: 9\ne: 5").unwrap();
        let merged = merge_tables(dst, &src);
        assert_eq!(
            to_json(&merged).unwrap(),
            r#"{"a":{"b":1,"d":4},"c":2,"e":5}"#
        );
    }
}
