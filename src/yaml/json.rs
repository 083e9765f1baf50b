//! Go's `encoding/json`, byte for byte, over template values.
//!
//! Encoding ([`marshal`]) follows `json.Marshal`: map keys in byte order, `<`, `>`, `&` escaped as
//! `\u003c`… (unless HTML escaping is off, as in Sprig's `toRawJson`), U+2028/U+2029 escaped, control
//! characters as `\n`, `\b`, `\u001f`…, floats in `%f` form unless the magnitude is < 1e-6 or ≥ 1e21
//! (then `1e-7`, `1e+21`), NaN/±Inf an error, `[]byte` as base64, host objects through
//! `Object::to_json_value`, else their struct fields in declaration order (`Object::go_fields`, JSON
//! tags and `omitempty` applied), else `{}`; a nil slice is `null`. [`marshal_indent`] is
//! `json.MarshalIndent(v, "", "  ")`.
//!
//! Decoding ([`unmarshal`]) is `json.Unmarshal` into `interface{}`: numbers are float64, a duplicate
//! key keeps the last value, and errors carry Go's scanner messages
//! (`invalid character 'x' looking for beginning of value`, `unexpected end of JSON input`).
use std::rc::Rc;

use base64::Engine;

use super::error::{Error, ErrorKind};
use super::numfmt::json_float;
use crate::template::value::{json_fields, object_as_map, List, Map, MapEntries, Object, Value};

/// Encoding options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Escape `<`, `>` and `&` (Go's default).
    pub escape_html: bool,
    /// `Some(indent)` for `MarshalIndent` with an empty prefix.
    pub indent: Option<&'static str>,
}

impl Options {
    pub const MARSHAL: Options = Options {
        escape_html: true,
        indent: None,
    };
}

/// `json.Marshal(v)`.
pub fn marshal(v: &Value) -> Result<String, Error> {
    encode(v, Options::MARSHAL)
}

/// `json.MarshalIndent(v, "", "  ")`.
pub fn marshal_indent(v: &Value) -> Result<String, Error> {
    encode(
        v,
        Options {
            escape_html: true,
            indent: Some("  "),
        },
    )
}

/// Encodes with explicit options.
pub fn encode(v: &Value, opts: Options) -> Result<String, Error> {
    let mut out = String::new();
    write_value(&mut out, v, opts, 0)?;
    Ok(out)
}

const MAX_DEPTH: usize = 1000;

fn unsupported(what: String) -> Error {
    Error::new(
        ErrorKind::Marshal,
        format!("json: unsupported value: {what}"),
    )
}

/// True for a `complex128` (a template literal such as `1i`), which no encoder Helm uses supports.
pub fn is_complex(v: &Value) -> bool {
    matches!(v, Value::Object(o) if o.kind_name() == "complex128")
}

/// True when a `complex128` sits anywhere inside `v` (maps and lists searched).
pub fn contains_complex(v: &Value) -> bool {
    match v {
        Value::List(l) => l.items().iter().any(contains_complex),
        Value::Map(m) => m.entries().iter().any(|(_, v)| contains_complex(v)),
        other => is_complex(other),
    }
}

fn newline_indent(out: &mut String, opts: Options, depth: usize) {
    if let Some(indent) = opts.indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(indent);
        }
    }
}

/// A JSON object of `entries` in their order (a map's sorted keys, a struct's fields).
fn write_object<K: AsRef<str>>(
    out: &mut String,
    entries: &[(K, Value)],
    opts: Options,
    depth: usize,
) -> Result<(), Error> {
    out.push('{');
    if !entries.is_empty() {
        for (i, (k, item)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            newline_indent(out, opts, depth + 1);
            write_string(out, k.as_ref(), opts.escape_html);
            out.push(':');
            if opts.indent.is_some() {
                out.push(' ');
            }
            write_value(out, item, opts, depth + 1)?;
        }
        newline_indent(out, opts, depth);
    }
    out.push('}');
    Ok(())
}

fn write_value(out: &mut String, v: &Value, opts: Options, depth: usize) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new(
            ErrorKind::Marshal,
            "json: unsupported value: encountered a cycle",
        ));
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i, _) => out.push_str(&i.to_string()),
        Value::Uint(u, _) => out.push_str(&u.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(unsupported(crate::template::fmt::format_float_g(*f)));
            }
            out.push_str(&json_float(*f));
        }
        Value::String(s) => write_string(out, s, opts.escape_html),
        Value::Bytes(b) => {
            out.push('"');
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
            out.push('"');
        }
        Value::List(l) if l.is_nil() => out.push_str("null"),
        Value::List(l) => {
            out.push('[');
            if !l.is_empty() {
                for (i, item) in l.items().iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline_indent(out, opts, depth + 1);
                    write_value(out, item, opts, depth + 1)?;
                }
                newline_indent(out, opts, depth);
            }
            out.push(']');
        }
        Value::Map(m) if m.is_nil() => out.push_str("null"),
        Value::Map(m) => write_object(out, &m.entries(), opts, depth)?,
        Value::Object(o) if o.kind_name() == "complex128" => {
            return Err(Error::new(
                ErrorKind::Marshal,
                "json: unsupported type: complex128",
            ));
        }
        Value::Object(o) => {
            if let Some(j) = o.to_json_value() {
                write_value(out, &j, opts, depth + 1)?;
            } else if let Some(m) = object_as_map(o.as_ref()) {
                write_value(out, &Value::Map(m), opts, depth + 1)?;
            } else {
                let fields = json_fields(o.as_ref()).unwrap_or_default();
                write_object(out, &fields, opts, depth)?;
            }
        }
    }
    Ok(())
}

/// A host object as the plain value `encoding/json` would produce for it (a struct becomes a map of
/// its JSON fields), for encoders that do not care about field order (`toYaml` sorts the keys).
pub fn object_json_value(o: &dyn Object) -> Value {
    if let Some(j) = o.to_json_value() {
        return j;
    }
    if let Some(m) = object_as_map(o) {
        return Value::Map(m);
    }
    let entries: MapEntries = json_fields(o)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (Rc::from(k), v))
        .collect();
    Value::map(entries)
}

/// Go's `encodeState.string`.
pub fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    if crate::template::gostr::has_escapes(s) {
        // Go's bytes: each invalid byte is `\ufffd`; escapes may also spell a valid character.
        let bytes = crate::template::gostr::to_bytes(s);
        for chunk in bytes.utf8_chunks() {
            // Stored again: a character of the escape range stays four escapes.
            let valid = crate::template::gostr::from_bytes(chunk.valid().as_bytes());
            write_chars(out, &valid, escape_html);
            for _ in chunk.invalid() {
                out.push_str("\\ufffd");
            }
        }
    } else {
        write_chars(out, s, escape_html);
    }
    out.push('"');
}

fn write_chars(out: &mut String, s: &str, escape_html: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xF] as char);
            }
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xF] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
}

/// `json.Unmarshal(text, &v)` with `v interface{}`.
pub fn unmarshal(text: &str) -> Result<Value, Error> {
    match unmarshal_partial(text) {
        (Some(v), None) => Ok(v),
        (_, e) => Err(e.unwrap_or_else(|| Error::new(ErrorKind::Unmarshal, "no value"))),
    }
}

/// `json.Unmarshal` as Go runs it: the syntax of the whole text is checked first (a syntax error
/// gives no value); then the value is decoded, and a number too large for float64 is left nil and
/// its error kept (the first one), decoding going on. So a valid text gives its value, with that
/// error when a number overflowed (`fromJson` returns such a partial map beside `Error`).
pub fn unmarshal_partial(text: &str) -> (Option<Value>, Option<Error>) {
    let mut p = JsonParser {
        b: text.as_bytes(),
        text,
        i: 0,
        overflow: None,
    };
    p.skip_ws();
    let v = match p.value(0) {
        Ok(v) => v,
        Err(e) => return (None, Some(e)),
    };
    p.skip_ws();
    if p.i < p.b.len() {
        return (None, Some(p.invalid("after top-level value")));
    }
    (Some(v), p.overflow)
}

struct JsonParser<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
    /// The first number that overflowed float64 (see [`unmarshal_partial`]).
    overflow: Option<Error>,
}

/// Go's `quoteChar`: `'x'`, `'\''`, `'"'`, `'\n'`. Go quotes one byte as if it were the code point
/// of that value, so the first byte of a multi-byte character shows as a Latin-1 letter (`'Ã'` for
/// `é`'s 0xC3), see `JsonParser::current_char`.
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        '"' => "'\"'".to_string(),
        c => {
            let q = format!("{:?}", c.to_string());
            let inner = &q[1..q.len() - 1];
            let inner = if c.is_control() {
                match c {
                    '\n' => "\\n".to_string(),
                    '\t' => "\\t".to_string(),
                    '\r' => "\\r".to_string(),
                    '\u{7}' => "\\a".to_string(),
                    '\u{8}' => "\\b".to_string(),
                    '\u{b}' => "\\v".to_string(),
                    '\u{c}' => "\\f".to_string(),
                    c if (c as u32) < 0x80 => format!("\\x{:02x}", c as u32),
                    c => format!("\\u{:04x}", c as u32),
                }
            } else {
                inner.to_string()
            };
            format!("'{inner}'")
        }
    }
}

impl JsonParser<'_> {
    fn eof(&self) -> Error {
        Error::new(ErrorKind::Unmarshal, "unexpected end of JSON input")
    }

    /// The end of the input inside a literal or a number: Go's scanner then steps a space through
    /// the state it is in, so the error is about `' '` rather than the end.
    fn eof_in(&self, context: &str) -> Error {
        Error::new(
            ErrorKind::Unmarshal,
            format!("invalid character ' ' {context}"),
        )
    }

    /// The byte at the error, as Go's scanner sees it: one byte, widened to a code point.
    fn current_char(&self) -> char {
        self.b.get(self.i).map_or('\0', |&b| b as char)
    }

    fn invalid(&self, context: &str) -> Error {
        Error::new(
            ErrorKind::Unmarshal,
            format!(
                "invalid character {} {context}",
                quote_char(self.current_char())
            ),
        )
    }

    fn skip_ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        if depth > 10_000 {
            return Err(Error::new(ErrorKind::Unmarshal, "exceeded max depth"));
        }
        match self.peek() {
            None => Err(self.eof()),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::string),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Nil),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.invalid("looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, Error> {
        for (k, expected) in word.bytes().enumerate() {
            let context = || {
                format!(
                    "in literal {word} (expecting {})",
                    quote_char(word.as_bytes()[k] as char)
                )
            };
            match self.peek() {
                None => return Err(self.eof_in(&context())),
                Some(c) if c == expected => self.i += 1,
                Some(_) => return Err(self.invalid(&context())),
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, Error> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            None => return Err(self.eof_in("in numeric literal")),
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.i += 1;
                }
            }
            Some(_) => return Err(self.invalid("in numeric literal")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            match self.peek() {
                None => return Err(self.eof_in("after decimal point in numeric literal")),
                Some(b'0'..=b'9') => {}
                Some(_) => return Err(self.invalid("after decimal point in numeric literal")),
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            match self.peek() {
                None => return Err(self.eof_in("in exponent of numeric literal")),
                Some(b'0'..=b'9') => {}
                Some(_) => return Err(self.invalid("in exponent of numeric literal")),
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        let text = &self.text[start..self.i];
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => {
                if self.overflow.is_none() {
                    self.overflow = Some(Error::new(
                        ErrorKind::Unmarshal,
                        format!(
                            "json: cannot unmarshal number {text} into Go value of type float64"
                        ),
                    ));
                }
                Ok(Value::Nil)
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(c) = self.peek() else {
                return Err(self.eof());
            };
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.invalid("in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, Error> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.eof());
            };
            match c {
                b'"' => {
                    self.i += 1;
                    // Go's bytes: an invalid byte (an escape of the stored form that spells no
                    // character with its neighbours) is U+FFFD.
                    return Ok(match crate::template::gostr::replace_invalid(&out) {
                        std::borrow::Cow::Borrowed(_) => out,
                        std::borrow::Cow::Owned(replaced) => replaced,
                    });
                }
                b'\\' => {
                    self.i += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.eof());
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&hi)
                                && self.b[self.i..].starts_with(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    self.i = save;
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            // A character of the escape range is stored as its four bytes'
                            // escapes (`template::gostr`), never as itself.
                            let ch = ch.unwrap_or('\u{fffd}');
                            let mut buf = [0; 4];
                            out.push_str(&crate::template::gostr::from_bytes(
                                ch.encode_utf8(&mut buf).as_bytes(),
                            ));
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.invalid("in string escape code"));
                        }
                    }
                }
                c if c < 0x20 => return Err(self.invalid("in string literal")),
                _ => {
                    let ch = self.text[self.i..].chars().next().unwrap_or('\0');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, Error> {
        self.i += 1;
        let mut entries = MapEntries::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Value::Map(Map::new(entries)));
        }
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Err(self.eof()),
                Some(b'"') => {}
                Some(_) => return Err(self.invalid("looking for beginning of object key string")),
            }
            let key = self.string()?;
            self.skip_ws();
            match self.peek() {
                None => return Err(self.eof()),
                Some(b':') => self.i += 1,
                Some(_) => return Err(self.invalid("after object key")),
            }
            self.skip_ws();
            let v = self.value(depth + 1)?;
            entries.insert(Rc::from(key), v);
            self.skip_ws();
            match self.peek() {
                None => return Err(self.eof()),
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Map(Map::new(entries)));
                }
                Some(_) => return Err(self.invalid("after object key:value pair")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, Error> {
        self.i += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Value::List(List::new(items)));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                None => return Err(self.eof()),
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::List(List::new(items)));
                }
                Some(_) => return Err(self.invalid("after array element")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (Rc::from(*k), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn marshal_escapes_like_go() {
        let v = obj(&[
            ("b", Value::str("<a&b>\u{2028}\n\u{1}")),
            ("a", Value::Float(1e-7)),
            (
                "c",
                Value::list(vec![Value::Nil, Value::Bool(true), Value::int(3)]),
            ),
        ]);
        assert_eq!(
            marshal(&v).unwrap(),
            r#"{"a":1e-7,"b":"\u003ca\u0026b\u003e\u2028\n\u0001","c":[null,true,3]}"#
        );
    }

    #[test]
    fn marshal_indent_like_go() {
        let v = obj(&[
            ("a", Value::list(vec![])),
            ("b", obj(&[("c", Value::Float(1.5))])),
        ]);
        assert_eq!(
            marshal_indent(&v).unwrap(),
            "{\n  \"a\": [],\n  \"b\": {\n    \"c\": 1.5\n  }\n}"
        );
    }

    #[test]
    fn nan_is_unsupported() {
        let err = marshal(&Value::Float(f64::NAN)).unwrap_err();
        assert_eq!(err.message, "json: unsupported value: NaN");
    }

    #[test]
    fn unmarshal_numbers_are_floats() {
        let v =
            unmarshal(r#" {"a": [1, 2.5e3, "x\u00e9\ud83d\ude00"], "a": {"b": null}} "#).unwrap();
        assert_eq!(marshal(&v).unwrap(), r#"{"a":{"b":null}}"#);
        let v = unmarshal("[1, 2.5e3, \"x\\u00e9\\ud83d\\ude00\"]").unwrap();
        assert_eq!(marshal(&v).unwrap(), "[1,2500,\"xé😀\"]");
    }

    #[test]
    fn unmarshal_keeps_go_bytes_apart_from_escapes() {
        use crate::template::gostr::{from_bytes, to_bytes};
        let string = |text: &str| {
            let v = unmarshal(text).unwrap();
            to_bytes(v.as_str().expect("a string")).into_owned()
        };
        // A `\u` escape of a character of the escape range is that character, not an invalid byte.
        assert_eq!(string(r#""\udbff\udfff""#), b"\xf4\x8f\xbf\xbf");
        assert_eq!(string(r#""\udbff\udf80x""#), b"\xf4\x8f\xbe\x80x");
        // Go's bytes of the text: a valid character of the range is kept, an invalid byte is U+FFFD.
        let stored = from_bytes(b"\"\xf4\x8f\xbf\xbf \xff \xc3\"");
        assert_eq!(string(&stored), "\u{10FFFF} \u{FFFD} \u{FFFD}".as_bytes());
        // Two escapes spelling a character together are that character.
        let joined = format!("\"{}{}\"", from_bytes(b"\xc3"), from_bytes(b"\xa9"));
        assert_eq!(string(&joined), "é".as_bytes());
    }

    #[test]
    fn unmarshal_errors_use_go_wording() {
        let msg = |t: &str| unmarshal(t).unwrap_err().message;
        assert_eq!(msg(""), "unexpected end of JSON input");
        assert_eq!(msg("{"), "unexpected end of JSON input");
        assert_eq!(
            msg("x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(msg("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(msg("[1 2]"), "invalid character '2' after array element");
        assert_eq!(msg("1 2"), "invalid character '2' after top-level value");
        // The end inside a literal or number: Go's scanner steps a space through its state.
        assert_eq!(
            msg("tru"),
            "invalid character ' ' in literal true (expecting 'e')"
        );
        assert_eq!(msg("-"), "invalid character ' ' in numeric literal");
        assert_eq!(msg("[1"), "unexpected end of JSON input");
        assert_eq!(
            msg("trux"),
            "invalid character 'x' in literal true (expecting 'e')"
        );
        assert_eq!(
            msg("{a:1}"),
            "invalid character 'a' looking for beginning of object key string"
        );
    }
}
