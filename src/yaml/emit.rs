//! Helm's `toYaml` output: go-yaml v2's emitter applied to the JSON form of a value.
//!
//! sigs.k8s.io/yaml's `Marshal` is `json.Marshal`, then go-yaml v2 `Unmarshal` of that JSON (so a
//! number becomes an `int` when it is integral and fits, `1e-07` stays a float, strings stay
//! strings), then go-yaml v2 `Marshal`. This module reproduces the last two steps on our values:
//!
//! - [`Doc`] is the data after the JSON round trip, maps sorted in yaml.v2's natural order
//!   ([`super::sort`]).
//! - [`Emitter`] follows libyaml's block emitter as go-yaml v2 configures it (indent 2, width 80,
//!   unicode on): sequences under a mapping key are not indented (`a:\n- 1`), empty collections are
//!   `{}`/`[]`, strings that would read back as another type are double-quoted (`"yes"`, `"1e3"`,
//!   `""`), strings that cannot be plain are single-quoted (`' lead'`, `'a: b'`), strings with a
//!   newline use a literal block (`|`, `|-`, `|+`, with an indentation indicator when they start with
//!   a space) unless they have trailing spaces or non-printable characters (then double quotes with
//!   `\t`, `\U0001F600`-style escapes), and long plain or quoted strings are folded after column 80.
use std::rc::Rc;

use super::error::Error;
use super::json::object_json_value;
use super::numfmt::{go_g, json_float};
use super::resolve::{is_base60_float, resolve_plain, Resolved};
use super::sort::{key_cmp, key_cmp_v3};
use crate::template::value::Value;

/// A value after the JSON → go-yaml round trip.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(Rc<str>),
    /// A `time.Time` as yaml.v3 writes it (`toYamlPretty`): its RFC 3339 text, plain (unquoted).
    Timestamp(Rc<str>),
    /// A string that is not UTF-8 as yaml.v3 writes it (`toYamlPretty`): `!!binary` and its base64
    /// text (in lines of 70, then a literal block, when longer).
    Binary(Rc<str>),
    Seq(Vec<Doc>),
    /// Entries in yaml.v2's natural key order.
    Map(Vec<(Rc<str>, Doc)>),
}

/// Converts a template value as `json.Marshal` + go-yaml v2 `Unmarshal` would.
/// Whether `key`, written as a JSON string, is longer than go-yaml's simple-key limit (1024
/// characters from the opening quote to the `:`).
fn json_key_too_long(key: &str) -> bool {
    let mut quoted = String::with_capacity(key.len() + 8);
    super::json::write_string(&mut quoted, key, true);
    quoted.chars().count() > 1024
}

pub fn json_round_trip(v: &Value) -> Result<Doc, Error> {
    json_round_trip_depth(v, 0)
}

fn json_round_trip_depth(v: &Value, depth: usize) -> Result<Doc, Error> {
    if depth > 1000 {
        return Err(Error::new(
            super::error::ErrorKind::Marshal,
            "json: unsupported value: encountered a cycle",
        ));
    }
    Ok(match v {
        Value::Nil => Doc::Null,
        Value::Bool(b) => Doc::Bool(*b),
        Value::Int(i, _) => Doc::Int(*i),
        Value::Uint(u, _) if *u <= i64::MAX as u64 => Doc::Int(*u as i64),
        Value::Uint(u, _) => Doc::Uint(*u),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(Error::new(
                    super::error::ErrorKind::Marshal,
                    format!(
                        "json: unsupported value: {}",
                        crate::template::fmt::format_float_g(*f)
                    ),
                ));
            }
            if f.fract() == 0.0 && f.abs() < 1e15 {
                // What the round trip gives for a whole number: JSON writes its digits, go-yaml
                // reads an int back (`-0` included). Skips formatting and re-parsing.
                Doc::Int(*f as i64)
            } else {
                number_doc(&json_float(*f))
            }
        }
        // `encoding/json` writes each invalid UTF-8 byte as `\ufffd` (see `template::gostr`).
        // Escapes may also spell a character of the escape range, which JSON keeps as it is.
        Value::String(s) if crate::template::gostr::has_escapes(s) => {
            let bytes = crate::template::gostr::to_bytes(s);
            let mut text = String::with_capacity(bytes.len());
            for chunk in bytes.utf8_chunks() {
                text.push_str(chunk.valid());
                text.extend(std::iter::repeat_n('\u{fffd}', chunk.invalid().len()));
            }
            if text.chars().any(disallowed_after_json) {
                return Err(disallowed_in_json());
            }
            if text.contains('\u{85}') {
                text = fold_raw_breaks(&text);
            }
            Doc::Str(Rc::from(text.as_str()))
        }
        Value::String(s) if any_disallowed_after_json(s) => return Err(disallowed_in_json()),
        Value::String(s) if s.contains('\u{85}') => Doc::Str(Rc::from(fold_raw_breaks(s).as_str())),
        Value::String(s) => Doc::Str(s.clone()),
        Value::Bytes(b) => {
            use base64::Engine;
            Doc::Str(Rc::from(
                base64::engine::general_purpose::STANDARD.encode(b).as_str(),
            ))
        }
        Value::List(l) if l.is_nil() => Doc::Null,
        Value::Map(m) if m.is_nil() => Doc::Null,
        Value::List(l) => Doc::Seq(
            l.items()
                .iter()
                .map(|i| json_round_trip_depth(i, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let mut entries = m
                .borrow()
                .iter()
                .map(|(k, v)| {
                    if any_disallowed_after_json(k) {
                        return Err(disallowed_in_json());
                    }
                    if k.len() > 1020 && json_key_too_long(k) {
                        // go-yaml reads the JSON back: a quoted key whose `:` is more than 1024
                        // characters after its opening quote is no simple key any more, and the
                        // flow mapping fails ("did not find expected ',' or '}'").
                        return Err(Error::new(
                            super::error::ErrorKind::Syntax,
                            "did not find expected ',' or '}'",
                        ));
                    }
                    let key = match crate::template::gostr::replace_invalid(k) {
                        std::borrow::Cow::Borrowed(_) => k.clone(),
                        std::borrow::Cow::Owned(replaced) => Rc::from(replaced),
                    };
                    Ok((key, json_round_trip_depth(v, depth + 1)?))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            entries.sort_by(|a, b| key_cmp(&a.0, &b.0));
            Doc::Map(entries)
        }
        Value::Object(o) if o.kind_name() == "complex128" => {
            return Err(Error::new(
                super::error::ErrorKind::Marshal,
                "json: unsupported type: complex128",
            ))
        }
        Value::Object(o) => json_round_trip_depth(&object_json_value(o.as_ref()), depth + 1)?,
    })
}

/// True for characters `encoding/json` leaves raw (it escapes C0 controls) that go-yaml's reader
/// then refuses: DEL, C1 controls other than NEL, U+FFFE and U+FFFF.
fn disallowed_after_json(c: char) -> bool {
    (c as u32) >= 0x20 && super::load::is_disallowed_char(c)
}

/// Whether `s` holds a character [`disallowed_after_json`]: of ASCII, only DEL is, so an ASCII
/// text (nearly all, and every base64 payload) is one vectorised check and a byte search.
fn any_disallowed_after_json(s: &str) -> bool {
    if s.is_ascii() {
        return s.as_bytes().contains(&0x7F);
    }
    s.chars().any(disallowed_after_json)
}

/// `encoding/json` leaves DEL and C1 controls raw, and go-yaml's reader then refuses the JSON text.
fn disallowed_in_json() -> Error {
    Error::new(
        super::error::ErrorKind::Syntax,
        "control characters are not allowed",
    )
}

/// go-yaml's reading of a JSON string that holds a raw line break. `encoding/json` escapes `\n`,
/// `\r`, U+2028 and U+2029 but not U+0085 (NEL), which go-yaml's scanner then folds like any line
/// break inside a quoted scalar: blanks around it are dropped, one break becomes a space, n breaks
/// become n-1 newlines.
fn fold_raw_breaks(s: &str) -> String {
    let mut out = String::new();
    let mut pending_blanks = String::new();
    let mut breaks = 0usize;
    for c in s.chars() {
        if c == '\u{85}' {
            pending_blanks.clear();
            breaks += 1;
        } else if c == ' ' || c == '\t' {
            if breaks == 0 {
                pending_blanks.push(c);
            }
        } else {
            if breaks == 1 {
                out.push(' ');
            } else if breaks > 1 {
                out.extend(std::iter::repeat_n('\n', breaks - 1));
            }
            breaks = 0;
            out.push_str(&pending_blanks);
            pending_blanks.clear();
            out.push(c);
        }
    }
    if breaks == 1 {
        out.push(' ');
    } else if breaks > 1 {
        out.extend(std::iter::repeat_n('\n', breaks - 1));
    }
    out.push_str(&pending_blanks);
    out
}

/// go-yaml's reading of a JSON number.
fn number_doc(text: &str) -> Doc {
    match resolve_plain(text) {
        Resolved::Int(i) => Doc::Int(i),
        Resolved::Uint(u) => Doc::Uint(u),
        Resolved::Float(f) => Doc::Float(f),
        _ => Doc::Str(Rc::from(text)),
    }
}

/// The data as gopkg.in/yaml.v3 sees a Go value directly (Helm's `toYamlPretty`): no JSON round
/// trip, so a `float64` stays a float (`1e+06`) and an `int` an int.
pub fn direct(v: &Value) -> Doc {
    direct_depth(v, 0)
}

/// yaml.v3's `encodeBase64`: standard base64, split into lines of 70 characters each ending in a
/// newline once the text is 70 characters or longer.
fn v3_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = crate::template::funcs::sprig::encoding::base64_encode(bytes);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for line in encoded.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn direct_depth(v: &Value, depth: usize) -> Doc {
    if depth > 1000 {
        return Doc::Null;
    }
    match v {
        Value::Nil => Doc::Null,
        Value::Bool(b) => Doc::Bool(*b),
        Value::Int(i, _) => Doc::Int(*i),
        Value::Uint(u, _) if *u <= i64::MAX as u64 => Doc::Int(*u as i64),
        Value::Uint(u, _) => Doc::Uint(*u),
        Value::Float(f) => Doc::Float(*f),
        Value::String(s) if crate::template::gostr::has_escapes(s) => {
            Doc::Binary(Rc::from(v3_base64(&crate::template::gostr::to_bytes(s))))
        }
        Value::String(s) => Doc::Str(s.clone()),
        Value::Bytes(b) => Doc::Seq(b.iter().map(|x| Doc::Int(i64::from(*x))).collect()),
        Value::List(l) => Doc::Seq(
            l.items()
                .iter()
                .map(|i| direct_depth(i, depth + 1))
                .collect(),
        ),
        Value::Map(m) => {
            let mut entries: Vec<_> = m
                .entries()
                .into_iter()
                .map(|(k, v)| (k, direct_depth(&v, depth + 1)))
                .collect();
            entries.sort_by(|a, b| key_cmp_v3(&a.0, &b.0));
            Doc::Map(entries)
        }
        Value::Object(o) => match (o.to_json_value(), o.go_fields()) {
            // yaml.v3 writes a `time.Time` as a plain RFC 3339 timestamp (its JSON text unquoted).
            (Some(Value::String(s)), _) if o.type_name() == "time.Time" => Doc::Timestamp(s),
            // yaml.v3 writes a `time.Duration` as its `String()` (`1h0m0s`).
            _ if o.type_name() == "time.Duration" => {
                direct_depth(&Value::string(o.format_v()), depth + 1)
            }
            (Some(j), _) => direct_depth(&j, depth + 1),
            // yaml.v3 marshals a struct's fields in declaration order under their `yaml` tags or
            // lower-cased names; it inlines nothing without `,inline` and ignores `json` tags.
            (None, Some(fields)) => Doc::Map(
                fields
                    .into_iter()
                    .filter_map(|f| {
                        let (key, omitempty) = f.yaml_key()?;
                        if omitempty && f.value.is_go_empty() {
                            return None;
                        }
                        Some((Rc::from(key), direct_depth(&f.value, depth + 1)))
                    })
                    .collect(),
            ),
            (None, None) => match crate::template::value::object_as_map(o.as_ref()) {
                Some(m) => direct_depth(&Value::Map(m), depth + 1),
                None => Doc::Map(Vec::new()),
            },
        },
    }
}

/// The two emitter configurations Helm uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// go-yaml v2 via sigs.k8s.io/yaml (`toYaml`): width 80, sequences not indented under keys.
    V2,
    /// gopkg.in/yaml.v3 with `SetIndent(2)` (`toYamlPretty`): no folding, sequences indented.
    V3Indent2,
}

/// `yaml.Marshal` of round-tripped data (go-yaml v2).
pub fn emit(doc: &Doc) -> String {
    emit_with(doc, Flavor::V2)
}

/// Emits a document with the given flavour.
pub fn emit_with(doc: &Doc, flavor: Flavor) -> String {
    let mut e = Emitter::new();
    if flavor == Flavor::V3Indent2 {
        e.best_width = usize::MAX;
        e.indent_sequences = true;
    }
    e.node(doc, Context::ROOT);
    // Document end: an implicit end only moves to a fresh line.
    e.write_indent();
    e.out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

#[derive(Clone, Copy)]
struct Context {
    root: bool,
    mapping: bool,
    simple_key: bool,
}

impl Context {
    const ROOT: Context = Context {
        root: true,
        mapping: false,
        simple_key: false,
    };
    const ITEM: Context = Context {
        root: false,
        mapping: false,
        simple_key: false,
    };
    const VALUE: Context = Context {
        root: false,
        mapping: true,
        simple_key: false,
    };
    const SIMPLE_KEY: Context = Context {
        root: false,
        mapping: true,
        simple_key: true,
    };
}

/// What libyaml's `yaml_emitter_analyze_scalar` finds out about a scalar.
#[derive(Debug, PartialEq)]
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// libyaml's `is_printable` (on UTF-8 bytes; four-byte characters are not printable).
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

/// A non-empty ASCII word of letters, digits and `_./-+=` that starts with a letter, digit or one
/// of `_/+=`: the scalar analysis finds nothing in it (no leading `-`/`.` that could start
/// `---`/`...`). `+` and `=` are indicators nowhere in go-yaml's analysis (v2 and v3 alike), and
/// they are what base64 text holds besides letters, digits and `/`.
fn is_plain_word(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes
        .first()
        .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'/' | b'+' | b'='))
        && bytes.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-' | b'+' | b'=')
        })
}

/// `tabs_allowed_in_blocks` is yaml.v3's rule: a tab only rules out plain and single-quoted styles,
/// so a multi-line string with tabs can still be a literal block (yaml.v2 double-quotes it).
fn analyze(value: &str, tabs_allowed_in_blocks: bool) -> Analysis {
    if is_plain_word(value) {
        // Most keys and many values: no indicator, space, break or special character anywhere.
        return PLAIN_WORD;
    }
    analyze_scan(value, tabs_allowed_in_blocks)
}

/// What [`analyze_scan`] finds for every [`is_plain_word`].
const PLAIN_WORD: Analysis = Analysis {
    multiline: false,
    flow_plain_allowed: true,
    block_plain_allowed: true,
    single_quoted_allowed: true,
    block_allowed: true,
};

/// libyaml's `yaml_emitter_analyze_scalar`, character by character.
fn analyze_scan(value: &str, tabs_allowed_in_blocks: bool) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut tab_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;

    if value.starts_with("---") || value.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut chars = value.chars().peekable();
    let mut preceded_by_whitespace = true;
    let mut i = 0;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let followed_by_whitespace = next.is_none_or(is_blank);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                '?' | ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if c == '\t' && tabs_allowed_in_blocks {
            tab_characters = true;
        } else if !is_printable(c) {
            special_characters = true;
        }
        let last = next.is_none();
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank(c) || is_break(c) || c == '\0';
        i += 1;
    }

    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || tab_characters || special_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// The style go-yaml v2's encoder asks for a string (`encoder.stringv`).
fn requested_string_style(s: &str) -> Style {
    if s.contains('\n') {
        return Style::Literal;
    }
    // go-yaml's `resolve` looks `<<` up only for a first character it hints at, which `<` is not:
    // to the encoder it is a string, written plain.
    let can_use_plain =
        matches!(resolve_plain(s), Resolved::Str | Resolved::Merge) && !is_base60_float(s);
    if can_use_plain {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// libyaml's emitter state for block output.
pub struct Emitter {
    out: String,
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
    flow_level: usize,
    best_indent: i64,
    best_width: usize,
    /// yaml.v3 flavour: a sequence under a mapping key is indented (yaml.v2 does not indent it), and
    /// tabs do not rule out literal blocks.
    indent_sequences: bool,
}

impl Emitter {
    fn new() -> Emitter {
        Emitter {
            out: String::new(),
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
            flow_level: 0,
            best_indent: 2,
            best_width: 80,
            indent_sequences: false,
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// libyaml's `write_break`: `\n` is written as the configured break, any other break as is.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            self.indent += self.best_indent;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn node(&mut self, doc: &Doc, ctx: Context) {
        match doc {
            Doc::Null => self.scalar("null", Style::Plain, ctx),
            Doc::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, ctx),
            Doc::Int(i) => self.scalar(&i.to_string(), Style::Plain, ctx),
            Doc::Uint(u) => self.scalar(&u.to_string(), Style::Plain, ctx),
            Doc::Float(f) => {
                let s = match go_g(*f).as_str() {
                    "+Inf" => ".inf".to_string(),
                    "-Inf" => "-.inf".to_string(),
                    "NaN" => ".nan".to_string(),
                    s => s.to_string(),
                };
                self.scalar(&s, Style::Plain, ctx)
            }
            Doc::Str(s) => self.scalar(s, requested_string_style(s), ctx),
            Doc::Timestamp(s) => self.scalar(s, Style::Plain, ctx),
            Doc::Binary(s) => {
                self.write_indicator("!!binary", true, false, false);
                let style = if s.contains('\n') {
                    Style::Literal
                } else {
                    Style::Plain
                };
                self.scalar(s, style, ctx)
            }
            Doc::Seq(items) => {
                if items.is_empty() || self.flow_level > 0 {
                    self.flow_sequence(items);
                } else {
                    self.block_sequence(items, ctx);
                }
            }
            Doc::Map(entries) => {
                if entries.is_empty() || self.flow_level > 0 {
                    self.flow_mapping(entries);
                } else {
                    self.block_mapping(entries);
                }
            }
        }
    }

    fn flow_sequence(&mut self, items: &[Doc]) {
        self.write_indicator("[", true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > self.best_width {
                self.write_indent();
            }
            self.node(item, Context::ITEM);
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator("]", false, false, false);
    }

    fn flow_mapping(&mut self, entries: &[(Rc<str>, Doc)]) {
        self.write_indicator("{", true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > self.best_width {
                self.write_indent();
            }
            self.node(&Doc::Str(k.clone()), Context::SIMPLE_KEY);
            self.write_indicator(":", false, false, false);
            self.node(v, Context::VALUE);
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator("}", false, false, false);
    }

    fn block_sequence(&mut self, items: &[Doc], ctx: Context) {
        let indentless = ctx.mapping && !self.indention && !self.indent_sequences;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context::ITEM);
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, entries: &[(Rc<str>, Doc)]) {
        self.increase_indent(false, false);
        for (k, v) in entries {
            self.write_indent();
            let simple = !analyze(k, self.indent_sequences).multiline && k.len() <= 128;
            let key = Doc::Str(k.clone());
            if simple {
                self.node(&key, Context::SIMPLE_KEY);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.node(&key, Context::VALUE);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(v, Context::VALUE);
        }
        self.pop_indent();
    }

    fn scalar(&mut self, value: &str, requested: Style, ctx: Context) {
        let a = analyze(value, self.indent_sequences);
        let mut style = requested;
        if ctx.simple_key && a.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain {
            let plain_allowed = if self.flow_level > 0 {
                a.flow_plain_allowed
            } else {
                a.block_plain_allowed
            };
            if !plain_allowed || (value.is_empty() && (self.flow_level > 0 || ctx.simple_key)) {
                style = Style::SingleQuoted;
            }
        }
        if style == Style::SingleQuoted && !a.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!a.block_allowed || self.flow_level > 0 || ctx.simple_key) {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(value, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        let _ = ctx.root;
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        if !value.chars().any(|c| c == ' ' || is_break(c)) {
            // One word: nothing to fold or break, written as is.
            self.out.push_str(value);
            self.column += value.chars().count();
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let mut chars = value.chars().peekable();
        let mut spaces = false;
        let mut breaks = false;
        while let Some(c) = chars.next() {
            if c == ' ' {
                let next_is_space = chars.peek() == Some(&' ');
                if allow_breaks && !spaces && self.column > self.best_width && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let byte_len = value.len();
        let mut byte_pos = 0;
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 0
                    && byte_pos < byte_len - 1
                    && !next_is_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
            byte_pos += c.len_utf8();
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        self.write_indicator("\"", true, false, false);
        let starts_with_bom = value.starts_with('\u{feff}');
        let chars: Vec<char> = value.chars().collect();
        let byte_len = value.len();
        let mut byte_pos = 0;
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || starts_with_bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let short = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match short {
                    Some(s) => self.put(s),
                    None => {
                        let v = c as u32;
                        let (prefix, width) = if v <= 0xFF {
                            ('x', 2)
                        } else if v <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(prefix);
                        for k in (0..width).rev() {
                            self.put(HEX[((v >> (k * 4)) & 0xF) as usize] as char);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 0
                    && byte_pos < byte_len - 1
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            byte_pos += c.len_utf8();
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_block_scalar_hints(&mut self, value: &str) {
        let first = value.chars().next();
        if first.is_some_and(|c| c == ' ' || is_break(c)) {
            let hint = char::from(b'0' + self.best_indent as u8);
            self.write_indicator(&hint.to_string(), false, false, false);
        }
        let mut rev = value.chars().rev();
        let chomp = match rev.next() {
            None => Some('-'),
            Some(last) if !is_break(last) => Some('-'),
            Some(_) => match rev.next() {
                None => Some('+'),
                Some(prev) if is_break(prev) => Some('+'),
                Some(_) => None,
            },
        };
        if let Some(c) = chomp {
            self.write_indicator(&c.to_string(), false, false, false);
        }
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        self.write_block_scalar_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod analyze_tests {
    use super::*;

    #[test]
    fn plain_words_analyse_like_the_full_scan() {
        for word in [
            "a",
            "app.kubernetes.io/name",
            "v1",
            "_x",
            "/path/to",
            "a-b_c.d",
            "9",
            "x--",
            "aGVsbG8gd29ybGQ+Pz8/",
            "+/9=",
            "==",
        ] {
            assert!(is_plain_word(word), "{word}");
            assert_eq!(analyze_scan(word, false), PLAIN_WORD, "{word}");
            assert_eq!(analyze_scan(word, true), PLAIN_WORD, "{word}");
        }
        for other in [
            "", "-a", ".a", "---", "...", "a b", "a:b", "é", "a#b", "a,b",
        ] {
            assert!(!is_plain_word(other), "{other}");
        }
    }

    #[test]
    fn the_ascii_check_for_json_finds_what_the_character_check_finds() {
        let mut texts: Vec<String> = (0u8..0x80).map(|b| format!("ab{}c", b as char)).collect();
        texts.extend(
            [
                "", "plain", "\u{80}", "a\u{85}", "\u{9f}x", "\u{fffe}", "é\u{7f}", "é",
            ]
            .map(String::from),
        );
        for t in &texts {
            assert_eq!(
                any_disallowed_after_json(t),
                t.chars().any(disallowed_after_json),
                "{t:?}"
            );
        }
    }

    #[test]
    fn every_short_word_the_fast_path_takes_analyses_like_the_full_scan() {
        // All printable ASCII strings of one and two characters, and three-character strings
        // over the word characters and the indicators: whatever the fast path admits, the full
        // scan finds nothing in.
        let printable: Vec<char> = (0x20u8..0x7f).map(char::from).collect();
        let mut words: Vec<String> = Vec::new();
        for &a in &printable {
            words.push(a.to_string());
            for &b in &printable {
                words.push([a, b].iter().collect());
            }
        }
        let alphabet: Vec<char> = "aZ9_./-+=:#,?[]{}&*!|>'\"%@` ".chars().collect();
        for &a in &alphabet {
            for &b in &alphabet {
                for &c in &alphabet {
                    words.push([a, b, c].iter().collect());
                }
            }
        }
        let mut admitted = 0;
        for word in &words {
            if is_plain_word(word) {
                admitted += 1;
                assert_eq!(analyze_scan(word, false), PLAIN_WORD, "{word:?}");
                assert_eq!(analyze_scan(word, true), PLAIN_WORD, "{word:?}");
            }
        }
        assert!(admitted > 1000, "{admitted}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::value::MapEntries;

    fn map(pairs: Vec<(&str, Value)>) -> Value {
        let mut m = MapEntries::new();
        for (k, v) in pairs {
            m.insert(Rc::from(k), v);
        }
        Value::map(m)
    }

    fn to_yaml(v: &Value) -> String {
        emit(&json_round_trip(v).unwrap())
    }

    #[test]
    fn nested_maps_and_lists() {
        let v = map(vec![
            (
                "b",
                Value::list(vec![
                    Value::int(1),
                    map(vec![("x", Value::str("z")), ("w", Value::Nil)]),
                ]),
            ),
            (
                "a",
                map(vec![("c", Value::empty_map()), ("d", Value::list(vec![]))]),
            ),
        ]);
        assert_eq!(
            to_yaml(&v),
            "a:\n  c: {}\n  d: []\nb:\n- 1\n- w: null\n  x: z\n"
        );
    }

    #[test]
    fn strings_that_need_quotes() {
        let v = map(vec![
            ("a", Value::str("yes")),
            ("b", Value::str("1e3")),
            ("c", Value::str(" lead")),
            ("d", Value::str("a: b")),
            ("e", Value::str("")),
            ("f", Value::str("08")),
            ("g", Value::str("it's")),
            ("h", Value::str("- x")),
            ("i", Value::str("tab\there")),
            ("j", Value::str("😀")),
        ]);
        assert_eq!(
            to_yaml(&v),
            "a: \"yes\"\nb: \"1e3\"\nc: ' lead'\nd: 'a: b'\ne: \"\"\nf: \"08\"\ng: it's\nh: '- x'\ni: \"tab\\there\"\nj: \"\\U0001F600\"\n"
        );
    }

    #[test]
    fn numbers_after_json_round_trip() {
        let v = Value::list(vec![
            Value::Float(1e6),
            Value::Float(1e21),
            Value::Float(1e-7),
            Value::Float(0.1),
            Value::Float(3.0),
            Value::Float(1e20),
        ]);
        assert_eq!(
            to_yaml(&v),
            "- 1000000\n- 1e+21\n- 1e-07\n- 0.1\n- 3\n- 1e+20\n"
        );
    }

    #[test]
    fn literal_blocks() {
        let v = map(vec![
            ("a", Value::str("x\ny")),
            ("b", Value::str("x\ny\n")),
            ("c", Value::str("x\n\n")),
            ("d", Value::str(" x\ny")),
            ("e", Value::str("x \ny")),
        ]);
        assert_eq!(
            to_yaml(&v),
            "a: |-\n  x\n  y\nb: |\n  x\n  y\nc: |+\n  x\n\nd: |2-\n   x\n  y\ne: \"x \\ny\"\n"
        );
    }

    #[test]
    fn long_plain_strings_fold() {
        let words = vec!["word"; 30].join(" ");
        let v = map(vec![("k", Value::str(&words))]);
        let out = to_yaml(&v);
        assert_eq!(
            out,
            format!(
                "k: {}\n  {}\n",
                vec!["word"; 16].join(" "),
                vec!["word"; 14].join(" ")
            )
        );
    }

    #[test]
    fn pretty_flavor_indents_sequences_and_keeps_floats() {
        let v = map(vec![(
            "a",
            Value::list(vec![Value::Float(1e6), Value::int(2)]),
        )]);
        assert_eq!(
            emit_with(&direct(&v), Flavor::V3Indent2),
            "a:\n  - 1e+06\n  - 2\n"
        );
    }

    #[test]
    fn raw_control_characters_after_json_fail() {
        assert!(json_round_trip(&Value::str("del\u{7f}")).is_err());
        assert_eq!(to_yaml(&Value::str("a\u{1}")), "\"a\\x01\"\n");
    }

    #[test]
    fn scalar_at_root() {
        assert_eq!(to_yaml(&Value::str("hello")), "hello\n");
        assert_eq!(to_yaml(&Value::Nil), "null\n");
        assert_eq!(to_yaml(&Value::empty_map()), "{}\n");
    }
}
