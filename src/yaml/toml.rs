//! TOML for Helm's `toToml` and `fromToml`, which use BurntSushi/toml (v1.4 in Helm 3.17.3).
//!
//! [`encode`] follows BurntSushi's encoder: in every table, plain keys first and then sub-tables, each
//! group sorted by byte order; nil values skipped; a blank line before each top-level table and each
//! `[[array.of.tables]]` entry; nested keys and headers indented by two spaces per level; strings in
//! double quotes with `\"`, `\\`, `\t`, `\n`, `\u001f`-style escapes; floats in `%f` form with `.0`
//! added when integral (`1000000.0`, `0.0000001`; Helm 4's newer BurntSushi prints `1e+06` instead);
//! arrays inline (`[1.0, "a"]`), maps inside mixed arrays as inline tables. A nil inside an array is
//! BurntSushi's error `toml: cannot encode array with nil element`, which `toToml` prints as its output.
//! Host structs (`Object::go_fields`) are tables of their fields in declaration order under their Go
//! names (plain keys, then sub-tables), embedded structs inlined, nil slices and maps left out.
//!
//! [`decode`] uses the `toml` crate for the data; when it refuses a text, the error is BurntSushi's
//! as [`super::toml_syntax`] finds it (`fromToml` puts the error text under an `Error` key). The
//! crate falls short there: its texts and positions are its own.
use std::rc::Rc;

use super::numfmt::{format_f, shortest};
use crate::template::value::{List, Map, MapEntries, Object, Value};

/// A BurntSushi encoder error (its message, e.g. `toml: cannot encode array with nil element`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError(pub String);

/// Which BurntSushi float format to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatStyle {
    /// Helm 3.17.3 (BurntSushi v1.4): `strconv.FormatFloat(f, 'f', -1, 64)` plus `.0`.
    Fixed,
    /// Helm 4 (BurntSushi v1.5): `%g`-style exponents for large and small magnitudes (`1e+06`).
    Shortest,
}

/// `toml.NewEncoder(b).Encode(v)`.
pub fn encode(v: &Value, floats: FloatStyle) -> Result<String, EncodeError> {
    let mut enc = Encoder {
        out: String::new(),
        floats,
    };
    enc.encode(&[], v)?;
    Ok(enc.out)
}

struct Encoder {
    out: String,
    floats: FloatStyle,
}

fn nil_element() -> EncodeError {
    EncodeError("toml: cannot encode array with nil element".to_string())
}

/// Host objects as BurntSushi sees them: a struct stays an object (a table of its fields, see
/// [`table_entries`]), a `time.Time` too (a datetime, see `Encoder::element`); a type with its own
/// marshaller or a named slice type gives its JSON-like form.
fn plain(v: &Value) -> Value {
    match v {
        Value::Object(o) if o.type_name() == "time.Time" => v.clone(),
        // BurntSushi writes a `time.Duration` as its `String()`, quoted.
        Value::Object(o) if o.type_name() == "time.Duration" => Value::string(o.format_v()),
        Value::Object(o) if o.to_json_value().is_some() || o.go_fields().is_none() => {
            super::json::object_json_value(o.as_ref())
        }
        other => other.clone(),
    }
}

/// The entries of a value BurntSushi encodes as a table: a map's in key order; a struct's exported
/// fields in declaration order under their Go names (no struct here has `toml` tags), embedded
/// structs inlined, nil fields left out.
fn table_entries(v: &Value) -> Option<Vec<(Rc<str>, Value)>> {
    match v {
        Value::Map(m) => Some(m.entries()),
        Value::Object(o) if o.to_json_value().is_none() => struct_entries(o.as_ref()),
        _ => None,
    }
}

fn struct_entries(o: &dyn Object) -> Option<Vec<(Rc<str>, Value)>> {
    let mut out = Vec::new();
    for field in o.go_fields()? {
        if field.embedded {
            if let Value::Object(inner) = &field.value {
                if let Some(entries) = struct_entries(inner.as_ref()) {
                    out.extend(entries);
                    continue;
                }
            }
        }
        if !is_nil(&field.value) {
            out.push((Rc::from(field.name), field.value));
        }
    }
    Some(out)
}

/// Nil, a nil slice or a nil map: BurntSushi leaves such keys out.
fn is_nil(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::List(l) => l.is_nil(),
        Value::Map(m) => m.is_nil(),
        _ => false,
    }
}

/// True when BurntSushi treats the value as a table or an array of tables.
fn is_table(v: &Value) -> Result<bool, EncodeError> {
    let v = plain(v);
    Ok(match &v {
        Value::List(l) => is_table_array(l)?,
        other => table_entries(other).is_some(),
    })
}

fn is_table_array(l: &List) -> Result<bool, EncodeError> {
    if l.is_empty() {
        return Ok(false);
    }
    let mut all_tables = true;
    for item in l.items() {
        match plain(item) {
            Value::Nil => return Err(nil_element()),
            other if table_entries(&other).is_some() => {}
            _ => all_tables = false,
        }
    }
    Ok(all_tables)
}

fn is_bare_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_part(k: &str) -> String {
    if is_bare_key(k) {
        k.to_string()
    } else {
        quoted(k)
    }
}

fn key_path(key: &[Rc<str>]) -> String {
    key.iter()
        .map(|k| key_part(k))
        .collect::<Vec<_>>()
        .join(".")
}

fn indent(key: &[Rc<str>]) -> String {
    "  ".repeat(key.len().saturating_sub(1))
}

impl Encoder {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn encode(&mut self, key: &[Rc<str>], v: &Value) -> Result<(), EncodeError> {
        let v = plain(v);
        // A nil slice at the top is an empty array to BurntSushi (`[]`); elsewhere nil is skipped.
        if key.is_empty() && matches!(&v, Value::List(l) if l.is_nil()) {
            self.out.push_str("[]");
            return Ok(());
        }
        if is_nil(&v) {
            return Ok(());
        }
        if let Some(entries) = table_entries(&v) {
            return self.table(key, entries);
        }
        match v {
            Value::List(l) if is_table_array(&l)? && !key.is_empty() => {
                self.array_of_tables(key, &l)
            }
            other => self.key_value(key, &other),
        }
    }

    fn key_value(&mut self, key: &[Rc<str>], v: &Value) -> Result<(), EncodeError> {
        if let Some(last) = key.last() {
            self.out.push_str(&indent(key));
            self.out.push_str(&key_part(last));
            self.out.push_str(" = ");
        }
        self.element(v)?;
        if !key.is_empty() {
            self.newline();
        }
        Ok(())
    }

    fn table(&mut self, key: &[Rc<str>], m: Vec<(Rc<str>, Value)>) -> Result<(), EncodeError> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            self.out.push_str(&indent(key));
            self.out.push('[');
            self.out.push_str(&key_path(key));
            self.out.push(']');
            self.newline();
        }
        self.map_body(key, m)
    }

    fn array_of_tables(&mut self, key: &[Rc<str>], l: &List) -> Result<(), EncodeError> {
        for item in l.items() {
            let Some(m) = table_entries(&plain(item)) else {
                continue;
            };
            self.newline();
            self.out.push_str(&indent(key));
            self.out.push_str("[[");
            self.out.push_str(&key_path(key));
            self.out.push_str("]]");
            self.newline();
            self.map_body(key, m)?;
        }
        Ok(())
    }

    fn map_body(&mut self, key: &[Rc<str>], m: Vec<(Rc<str>, Value)>) -> Result<(), EncodeError> {
        let mut direct = Vec::new();
        let mut sub = Vec::new();
        for (k, v) in m {
            if is_table(&v)? {
                sub.push((k, v));
            } else {
                direct.push((k, v));
            }
        }
        for (k, v) in direct.into_iter().chain(sub) {
            let mut child = key.to_vec();
            child.push(k);
            self.encode(&child, &v)?;
        }
        Ok(())
    }

    fn float(&self, f: f64) -> String {
        if f.is_nan() {
            return if f.is_sign_negative() { "-nan" } else { "nan" }.to_string();
        }
        if f.is_infinite() {
            return if f < 0.0 { "-inf" } else { "inf" }.to_string();
        }
        let s = match self.floats {
            FloatStyle::Fixed => {
                if f == 0.0 {
                    if f.is_sign_negative() { "-0" } else { "0" }.to_string()
                } else {
                    let (neg, digits, exp) = shortest(f);
                    format_f(neg, &digits, exp)
                }
            }
            FloatStyle::Shortest => super::numfmt::go_g(f),
        };
        if s.contains(['.', 'e', 'n', 'i']) {
            s
        } else {
            s + ".0"
        }
    }

    fn element(&mut self, v: &Value) -> Result<(), EncodeError> {
        if let Value::Object(o) = v {
            // BurntSushi writes a `time.Time` as a TOML datetime (RFC 3339, unquoted).
            if let (true, Some(Value::String(s))) =
                (o.type_name() == "time.Time", o.to_json_value())
            {
                self.out.push_str(&s);
                return Ok(());
            }
        }
        match plain(v) {
            Value::Nil => return Err(nil_element()),
            Value::Bool(b) => self.out.push_str(if b { "true" } else { "false" }),
            Value::Int(i, _) => self.out.push_str(&i.to_string()),
            Value::Uint(u, _) => self.out.push_str(&u.to_string()),
            Value::Float(f) => {
                let s = self.float(f);
                self.out.push_str(&s);
            }
            Value::String(s) => self.out.push_str(&quoted(&s)),
            Value::Bytes(b) => {
                // A `[]byte` is a slice of numbers to BurntSushi.
                let numbers: Vec<String> = b.iter().map(u8::to_string).collect();
                self.out.push('[');
                self.out.push_str(&numbers.join(", "));
                self.out.push(']');
            }
            Value::List(l) => {
                is_table_array(&l)?;
                self.out.push('[');
                for (i, item) in l.items().iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.element(item)?;
                }
                self.out.push(']');
            }
            v @ (Value::Map(_) | Value::Object(_)) => {
                self.out.push('{');
                let entries: Vec<_> = table_entries(&v)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(_, v)| !is_nil(v))
                    .collect();
                let mut direct = Vec::new();
                let mut sub = Vec::new();
                for (k, v) in entries {
                    if is_table(&v)? {
                        sub.push((k, v));
                    } else {
                        direct.push((k, v));
                    }
                }
                let has_sub = !sub.is_empty();
                let n_direct = direct.len();
                for (i, (k, v)) in direct.into_iter().enumerate() {
                    self.out.push_str(&key_part(&k));
                    self.out.push_str(" = ");
                    self.element(&v)?;
                    if has_sub || i + 1 != n_direct {
                        self.out.push_str(", ");
                    }
                }
                let n_sub = sub.len();
                for (i, (k, v)) in sub.into_iter().enumerate() {
                    self.out.push_str(&key_part(&k));
                    self.out.push_str(" = ");
                    self.element(&v)?;
                    if i + 1 != n_sub {
                        self.out.push_str(", ");
                    }
                }
                self.out.push('}');
            }
        }
        Ok(())
    }
}

/// `toml.Unmarshal(text, &map[string]interface{})`: integers are `int64`, floats `float64`, dates
/// `time.Time` values.
pub fn decode(text: &str) -> Result<Value, String> {
    // BurntSushi's lexer first: it refuses TOML 1.1 forms the crate accepts (a trailing comma or a
    // line break in an inline table), and its texts are the ones Helm prints.
    if let Some(syntax) = super::toml_syntax::syntax_error(text) {
        return Err(syntax.text());
    }
    let table: ::toml::Table = text.parse().map_err(|e: ::toml::de::Error| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        // The parser's error for a key given twice.
        if let Some(key) = e
            .message()
            .strip_prefix("duplicate key `")
            .and_then(|k| k.split('`').next())
        {
            return format!(
                "toml: line {line} (last key \"{key}\"): Key '{key}' has already been defined."
            );
        }
        format!("toml: line {line}: {}", e.message())
    })?;
    Ok(table_to_value(&table))
}

fn table_to_value(t: &::toml::Table) -> Value {
    let mut entries = MapEntries::new();
    for (k, v) in t {
        entries.insert(Rc::from(k.as_str()), toml_to_value(v));
    }
    Value::Map(Map::new(entries))
}

fn toml_to_value(v: &::toml::Value) -> Value {
    match v {
        ::toml::Value::String(s) => Value::str(s),
        ::toml::Value::Integer(i) => Value::int64(*i),
        ::toml::Value::Float(f) => Value::Float(*f),
        ::toml::Value::Boolean(b) => Value::Bool(*b),
        ::toml::Value::Datetime(d) => datetime_to_value(d),
        ::toml::Value::Array(a) => Value::list(a.iter().map(toml_to_value).collect()),
        ::toml::Value::Table(t) => table_to_value(t),
    }
}

/// A TOML date or time as BurntSushi/toml gives it: a `time.Time`, in UTC for `Z`, in a fixed zone
/// for an offset, and in the fixed zones `datetime-local`, `date-local` and `time-local` (offset 0)
/// for the local forms; a local time is on January 1 of year 0.
fn datetime_to_value(d: &::toml::value::Datetime) -> Value {
    use crate::template::funcs::sprig::date::TimeObject;
    use crate::template::funcs::sprig::gotime::{GoTime, Zone};
    let (year, month, day) = d.date.map_or((0, 1, 1), |x| {
        (i32::from(x.year), u32::from(x.month), u32::from(x.day))
    });
    let (hour, minute, second, nanos) = d.time.map_or((0, 0, 0, 0), |t| {
        (
            u32::from(t.hour),
            u32::from(t.minute),
            u32::from(t.second.unwrap_or(0)),
            t.nanosecond.unwrap_or(0),
        )
    });
    let civil = chrono::NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|date| date.and_hms_opt(hour, minute, second))
        .map_or(0, |dt| dt.and_utc().timestamp());
    let local = |name: &str| Zone::Fixed {
        name: name.to_string(),
        offset: 0,
    };
    let (zone, offset) = match (d.offset, d.date, d.time) {
        (Some(::toml::value::Offset::Z), _, _) => (Zone::Utc, 0),
        (Some(::toml::value::Offset::Custom { minutes }), _, _) => {
            let offset = i32::from(minutes) * 60;
            (
                Zone::Fixed {
                    name: String::new(),
                    offset,
                },
                offset,
            )
        }
        (None, Some(_), Some(_)) => (local("datetime-local"), 0),
        (None, Some(_), None) => (local("date-local"), 0),
        (None, None, _) => (local("time-local"), 0),
    };
    TimeObject::value(GoTime::from_unix(civil - i64::from(offset), nanos, zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: Vec<(&str, Value)>) -> Value {
        Value::map(pairs.into_iter().map(|(k, v)| (Rc::from(k), v)).collect())
    }

    #[test]
    fn tables_and_arrays_like_burntsushi() {
        let v = map(vec![
            ("b", Value::Bool(true)),
            ("n", Value::Float(1e6)),
            ("z", Value::Nil),
            (
                "list",
                Value::list(vec![Value::Float(1.0), Value::str("a")]),
            ),
            (
                "t",
                map(vec![
                    ("a", Value::Float(1.0)),
                    ("arr", Value::list(vec![map(vec![("k", Value::str("v"))])])),
                    ("sub", map(vec![("x", Value::int64(2))])),
                ]),
            ),
        ]);
        assert_eq!(
            encode(&v, FloatStyle::Fixed).unwrap(),
            "b = true\nlist = [1.0, \"a\"]\nn = 1000000.0\n\n[t]\n  a = 1.0\n\n  [[t.arr]]\n    k = \"v\"\n  [t.sub]\n    x = 2\n"
        );
    }

    #[test]
    fn nil_in_array_is_an_error() {
        let v = map(vec![("a", Value::list(vec![Value::Nil]))]);
        assert_eq!(
            encode(&v, FloatStyle::Fixed).unwrap_err().0,
            "toml: cannot encode array with nil element"
        );
    }

    #[test]
    fn decode_types() {
        let v = decode("a = 1\nb = 1.5\n[t]\nc = [\"x\"]\n").unwrap();
        let m = v.as_map().unwrap();
        assert!(matches!(m.get("a"), Some(Value::Int(1, _))));
        assert!(matches!(m.get("b"), Some(Value::Float(f)) if f == 1.5));
        assert!(decode("a = ").is_err());
    }
}
