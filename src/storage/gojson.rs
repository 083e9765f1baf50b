//! Go's `encoding/json` output for serde types: what `json.Marshal` writes for the same data.
//!
//! serde_json already writes struct fields in declaration order and escapes what JSON requires; Go
//! differs in three places, handled here by a [`serde_json::ser::Formatter`]:
//! - `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026`, and U+2028/U+2029 as `\u2028`,
//!   `\u2029` (HTML-safe output, Go's default);
//! - floats use Go's `%f`/`%e` choice (`1e+21`, `1e-7`) instead of ryu's shortest form;
//! - Go sorts the keys of maps (`map[string]interface{}`): fields holding such maps serialize through
//!   [`sorted`] / [`sorted_opt`], which write object keys in byte order at every depth.
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::yaml::numfmt::json_float;

/// `json.Marshal(value)`.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(4096);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    value.serialize(&mut ser)?;
    Ok(out)
}

/// `json.Marshal(value)` as text.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    // The formatter only ever writes valid UTF-8 (serde_json's own guarantee, plus ASCII escapes).
    to_vec(value).map(|v| String::from_utf8(v).unwrap_or_default())
}

/// What `json.NewEncoder(out).Encode(value)` writes: the JSON and a newline (Helm's `-o json`).
pub fn to_line<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut s = to_string(value)?;
    s.push('\n');
    Ok(s)
}

struct GoFormatter;

impl serde_json::ser::Formatter for GoFormatter {
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        writer.write_all(json_float(value).as_bytes())
    }

    fn write_f32<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f32,
    ) -> std::io::Result<()> {
        writer.write_all(json_float(f64::from(value)).as_bytes())
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escape = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(escape.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// A JSON value written with object keys in byte order at every depth (Go's map encoding).
pub struct Sorted<'a>(pub &'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => SortedMap(map).serialize(serializer),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Sorted(item))?;
                }
                seq.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// A JSON object written with its keys in byte order at every depth.
pub struct SortedMap<'a>(pub &'a Map<String, Value>);

impl Serialize for SortedMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut entries: Vec<(&String, &Value)> = self.0.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut map = serializer.serialize_map(Some(entries.len()))?;
        for (k, v) in entries {
            map.serialize_entry(k, &Sorted(v))?;
        }
        map.end()
    }
}

/// `serialize_with` for a `Map` field that is a Go map.
pub fn sorted<S: Serializer>(map: &Map<String, Value>, serializer: S) -> Result<S::Ok, S::Error> {
    SortedMap(map).serialize(serializer)
}

/// `serialize_with` for an optional `Map` field that is a Go map (`None` is `null`).
pub fn sorted_opt<S: Serializer>(
    map: &Option<Map<String, Value>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match map {
        Some(map) => SortedMap(map).serialize(serializer),
        None => serializer.serialize_none(),
    }
}

/// `serialize_with` for any JSON value that may hold Go maps.
pub fn sorted_value<S: Serializer>(value: &Value, serializer: S) -> Result<S::Ok, S::Error> {
    Sorted(value).serialize(serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        let v = serde_json::json!({"a": "<b>&\u{2028}\n\u{1}é"});
        assert_eq!(
            to_string(&Sorted(&v)).unwrap(),
            r#"{"a":"\u003cb\u003e\u0026\u2028\n\u0001é"}"#
        );
    }

    #[test]
    fn floats_like_go() {
        let v = serde_json::json!([1.0, 1e21, 1e-7, 0.5, 3]);
        assert_eq!(to_string(&v).unwrap(), "[1,1e+21,1e-7,0.5,3]");
    }

    #[test]
    fn maps_sorted_at_every_depth() {
        let v: Value =
            serde_json::from_str(r#"{"b":{"z":1,"a":[{"y":1,"x":2}]},"a":null}"#).unwrap();
        assert_eq!(
            to_string(&Sorted(&v)).unwrap(),
            r#"{"a":null,"b":{"a":[{"x":2,"y":1}],"z":1}}"#
        );
    }
}
