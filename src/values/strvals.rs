//! Helm's `--set` family grammar (`pkg/strvals` in Helm v3): `a.b=1,c[0]=x,d={x,y}`.
//!
//! One parser serves the four value readers Helm has: typed scalars (`--set`: `true`/`false`/`null` in
//! any case, `0`, and base-10 int64 without a leading zero; everything else a string), strings
//! (`--set-string`), file contents (`--set-file`: the value is a path) and JSON values (`--set-json`).
//! `--set-literal` has its own, simpler grammar ([`parse_literal_into`]): the whole rest of the line is
//! the value. Assignments merge into an existing map (the values read so far). Error texts are Helm's,
//! including the ones Go produces by recovering from a failed type assertion
//! (`unable to parse key: interface conversion: interface {} is string, not []interface {}`).
use crate::template::{Map, MapEntries, Value};

/// Helm's `MaxIndex`.
pub const MAX_INDEX: i64 = 65536;
/// Helm's `MaxNestedNameLevel`.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How the right-hand side of an assignment becomes a value.
pub enum ValueReader<'a> {
    /// `--set`: typed scalars.
    Typed,
    /// `--set-string`: always strings.
    String,
    /// `--set-file`: the value names a file whose contents (a string) are the value.
    File(&'a mut dyn FnMut(&str) -> Result<Value, String>),
    /// `--set-json`: JSON values.
    Json,
}

/// Parses a `--set`-style line into `dest`. The error text is what Helm prints after
/// `failed parsing --set data: `.
pub fn parse_into(line: &str, dest: &Map, reader: ValueReader<'_>) -> Result<(), String> {
    let mut p = Parser {
        sc: Cursor::new(line),
        reader,
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => continue,
            Err(Stop::Eof) => return Ok(()),
            Err(Stop::NotList) => return Err("not a list".into()),
            Err(Stop::Msg(m)) => return Err(m),
        }
    }
}

/// Parses a `--set-literal` line into `dest`.
pub fn parse_literal_into(line: &str, dest: &Map) -> Result<(), String> {
    let mut p = LiteralParser {
        sc: Cursor::new(line),
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => continue,
            Err(Stop::Eof) => return Ok(()),
            Err(Stop::NotList) => return Err("not a list".into()),
            Err(Stop::Msg(m)) => return Err(m),
        }
    }
}

/// Why parsing of one assignment stopped.
#[derive(Debug)]
enum Stop {
    /// End of input (Go's `io.EOF`), which ends parsing successfully at a key boundary.
    Eof,
    /// The value is not a `{…}` list (Go's `ErrNotList`).
    NotList,
    Msg(String),
}

impl From<String> for Stop {
    fn from(m: String) -> Stop {
        Stop::Msg(m)
    }
}

/// Go's `bytes.Buffer` read as runes.
struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    fn new(s: &str) -> Cursor {
        Cursor {
            chars: s.chars().collect(),
            pos: 0,
        }
    }

    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn rest(&self) -> String {
        self.chars[self.pos..].iter().collect()
    }

    /// Reads until one of `stop` (consumed, returned) or the end (`None`); `\` escapes the next rune
    /// when `escapes` is set.
    fn until(&mut self, stop: &[char], escapes: bool) -> (String, Option<char>) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, None),
                Some(c) if stop.contains(&c) => return (v, Some(c)),
                Some('\\') if escapes => match self.read() {
                    None => return (v, None),
                    Some(next) => v.push(next),
                },
                Some(c) => v.push(c),
            }
        }
    }

    /// The index of `[i]`, after the `[` was read.
    fn index(&mut self, escapes: bool) -> Result<i64, Stop> {
        let (v, last) = self.until(&[']'], escapes);
        if last.is_none() {
            return Err(Stop::Msg("error parsing index: EOF".into()));
        }
        atoi(&v)
    }

    /// The start of Helm's `listItem` after `[i]` was read: a negative index or anything but `[`, `.`
    /// or `=` after the `]` is an error; otherwise the delimiter (`None` at the end of input).
    fn after_index(&mut self, i: i64, escapes: bool) -> Result<Option<char>, Stop> {
        if i < 0 {
            return Err(Stop::Msg(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.until(&['[', '.', '='], escapes);
        if !k.is_empty() {
            return Err(Stop::Msg(format!(
                "unexpected data at end of array index: {}",
                quote_runes(&k)
            )));
        }
        Ok(last)
    }
}

/// Go's `%q` of a string.
fn quote(s: &str) -> String {
    crate::chart::error::go_quote(s)
}

/// Go's `%q` of a `[]rune`: each rune quoted, `['a' 'b']`.
fn quote_runes(s: &str) -> String {
    let runes: Vec<String> = s
        .chars()
        .map(|c| match c {
            '\'' => "'\\''".to_string(),
            '\\' => "'\\\\'".to_string(),
            c if c.is_control() => format!("'\\x{:02x}'", c as u32),
            c => format!("'{c}'"),
        })
        .collect();
    format!("[{}]", runes.join(" "))
}

/// The panic message Go gives for a failed `x.(T)` type assertion, as `key` recovers it.
fn assertion_error(found: Option<&Value>, want: &str) -> Stop {
    let found = match found {
        None | Some(Value::Nil) => "nil".to_string(),
        Some(v) => v.type_name(),
    };
    let found_desc = if found == "nil" {
        "nil".to_string()
    } else {
        found
    };
    Stop::Msg(format!(
        "unable to parse key: interface conversion: interface {{}} is {found_desc}, not {want}"
    ))
}

fn existing_list(data: &Map, key: &str) -> Result<Vec<Value>, Stop> {
    match data.get(key) {
        None => Ok(Vec::new()),
        Some(Value::List(l)) if *l.elem_type() == crate::template::types::GoType::Interface => {
            Ok(l.items().to_vec())
        }
        Some(other) => Err(assertion_error(Some(&other), "[]interface {}")),
    }
}

fn existing_map(data: &Map, key: &str) -> Result<Map, Stop> {
    match data.get(key) {
        None => Ok(Map::new(MapEntries::new())),
        Some(Value::Map(m)) if *m.kind() == crate::template::value::MapKind::StringInterface => {
            Ok(m)
        }
        Some(other) => Err(assertion_error(Some(&other), "map[string]interface {}")),
    }
}

fn set(data: &Map, key: &str, value: Value) {
    if !key.is_empty() {
        data.insert(key, value);
    }
}

/// The list at `list[i]` to descend into (`[i][j]`): empty when absent or nil.
fn nested_list(list: &[Value], i: i64) -> Result<Vec<Value>, Stop> {
    match list.get(i as usize) {
        Some(Value::Nil) | None => Ok(Vec::new()),
        Some(Value::List(l)) => Ok(l.items().to_vec()),
        Some(other) => Err(assertion_error(Some(other), "[]interface {}")),
    }
}

/// The map at `list[i]` to descend into (`[i].k`): a non-map element is replaced by a new map.
fn nested_map(list: &mut [Value], i: i64) -> Map {
    match list.get(i as usize) {
        Some(Value::Map(m)) => m.clone(),
        Some(_) => {
            let m = Map::new(MapEntries::new());
            list[i as usize] = Value::Map(m.clone());
            m
        }
        None => Map::new(MapEntries::new()),
    }
}

fn set_index(mut list: Vec<Value>, index: i64, value: Value) -> Result<Vec<Value>, Stop> {
    if index < 0 {
        return Err(Stop::Msg(format!("negative {index} index not allowed")));
    }
    if index > MAX_INDEX {
        return Err(Stop::Msg(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        )));
    }
    let i = index as usize;
    if list.len() <= i {
        list.resize(i + 1, Value::Nil);
    }
    list[i] = value;
    Ok(list)
}

/// Go's `strconv.Atoi` error texts for an index.
fn atoi(s: &str) -> Result<i64, Stop> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Stop::Msg(format!(
            "error parsing index: strconv.Atoi: parsing {}: invalid syntax",
            quote(s)
        )));
    }
    s.parse::<i64>().map_err(|_| {
        Stop::Msg(format!(
            "error parsing index: strconv.Atoi: parsing {}: value out of range",
            quote(s)
        ))
    })
}

/// `--set` typing (`typedVal`).
pub fn typed_value(s: &str, force_string: bool) -> Value {
    if force_string {
        return Value::str(s);
    }
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if s == "0" {
        return Value::int64(0);
    }
    if !s.is_empty() && !s.starts_with('0') {
        let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(i) = s.parse::<i64>() {
                return Value::int64(i);
            }
        }
    }
    Value::str(s)
}

/// A JSON value as Go's `encoding/json` decodes it into `interface{}` (numbers are float64).
pub fn json_to_value(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(items) => Value::list(items.iter().map(json_to_value).collect()),
        serde_json::Value::Object(o) => {
            let entries = o
                .iter()
                .map(|(k, v)| (k.as_str().into(), json_to_value(v)))
                .collect();
            Value::Map(Map::new(entries))
        }
    }
}

struct Parser<'a> {
    sc: Cursor,
    reader: ValueReader<'a>,
}

impl Parser<'_> {
    fn is_json(&self) -> bool {
        matches!(self.reader, ValueReader::Json)
    }

    fn read_value(&mut self, raw: &str) -> Result<Value, Stop> {
        match &mut self.reader {
            ValueReader::Typed => Ok(typed_value(raw, false)),
            ValueReader::String | ValueReader::Json => Ok(typed_value(raw, true)),
            ValueReader::File(read) => read(raw).map_err(Stop::Msg),
        }
    }

    fn key(&mut self, data: &Map, level: usize) -> Result<(), Stop> {
        let (k, last) = self.sc.until(&['=', '[', ',', '.'], true);
        match last {
            None => {
                if k.is_empty() {
                    Err(Stop::Eof)
                } else {
                    Err(Stop::Msg(format!("key {} has no value", quote(&k))))
                }
            }
            Some('[') => {
                let i = self.sc.index(true)?;
                let list = existing_list(data, &k)?;
                let (list, result) = self.list_item(list, i, level);
                if let Some(list) = list {
                    set(data, &k, Value::list(list));
                } else {
                    set(data, &k, Value::Nil);
                }
                result
            }
            Some('=') => {
                if self.is_json() {
                    if self.empty_val() {
                        set(data, &k, Value::Nil);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(list) => {
                        set(data, &k, Value::list(list));
                        Ok(())
                    }
                    Err(Stop::Eof) => {
                        set(data, &k, Value::str(""));
                        Err(Stop::Eof)
                    }
                    Err(Stop::NotList) => {
                        let (rs, _) = self.sc.until(&[','], true);
                        let v = self.read_value(&rs);
                        match v {
                            Ok(v) => {
                                set(data, &k, v);
                                Ok(())
                            }
                            Err(e) => {
                                set(data, &k, Value::Nil);
                                Err(e)
                            }
                        }
                    }
                    Err(e) => Err(e),
                }
            }
            Some(',') => {
                set(data, &k, Value::str(""));
                Err(Stop::Msg(format!(
                    "key {} has no value (cannot end with ,)",
                    quote(&k)
                )))
            }
            Some(_) => {
                // '.'
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(Stop::Msg(format!("value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}")));
                }
                let inner = existing_map(data, &k)?;
                let result = self.key(&inner, level);
                if result.is_ok() && inner.is_empty() {
                    return Err(Stop::Msg(format!("key map {} has no value", quote(&k))));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Map(inner));
                }
                result
            }
        }
    }

    /// Returns the list to store (None when Go would store nil) and the outcome.
    fn list_item(
        &mut self,
        list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> (Option<Vec<Value>>, Result<(), Stop>) {
        let last = match self.sc.after_index(i, true) {
            Ok(last) => last,
            Err(e) => return (Some(list), Err(e)),
        };
        match last {
            None => (Some(list), Err(Stop::Eof)),
            Some('=') => {
                if self.is_json() {
                    if self.empty_val() {
                        return finish(set_index(list.clone(), i, Value::Nil), list);
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return (Some(list), Err(e)),
                    };
                    let out = set_index(list.clone(), i, v);
                    self.empty_val();
                    return finish(out, list);
                }
                match self.val_list() {
                    Ok(vl) => finish(set_index(list.clone(), i, Value::list(vl)), list),
                    Err(Stop::Eof) => finish(set_index(list.clone(), i, Value::str("")), list),
                    Err(Stop::NotList) => {
                        let (rs, _) = self.sc.until(&[','], true);
                        match self.read_value(&rs) {
                            Ok(v) => finish(set_index(list.clone(), i, v), list),
                            Err(e) => (Some(list), Err(e)),
                        }
                    }
                    Err(e) => (Some(list), Err(e)),
                }
            }
            Some('[') => {
                let next = match self.sc.index(true) {
                    Ok(n) => n,
                    Err(e) => return (Some(list), Err(e)),
                };
                let current = match nested_list(&list, i) {
                    Ok(current) => current,
                    Err(e) => return (Some(list), Err(e)),
                };
                let (inner, result) = self.list_item(current, next, level);
                if let Err(e) = result {
                    return (Some(list), Err(e));
                }
                let inner = inner.map(Value::list).unwrap_or(Value::Nil);
                finish(set_index(list.clone(), i, inner), list)
            }
            Some('.') => {
                let mut list = list;
                let inner = nested_map(&mut list, i);
                if let Err(e) = self.key(&inner, level) {
                    return (Some(list), Err(e));
                }
                finish(set_index(list.clone(), i, Value::Map(inner)), list)
            }
            Some(other) => (
                None,
                Err(Stop::Msg(format!(
                    "parse error: unexpected token {}",
                    other as u32
                ))),
            ),
        }
    }

    /// Skips blanks; true (and the comma consumed) at a comma or the end.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.sc.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.sc.unread();
                    return false;
                }
            }
        }
    }

    fn json_value(&mut self) -> Result<Value, Stop> {
        let rest = self.sc.rest();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(j)) => {
                let consumed = rest[..stream.byte_offset()].chars().count();
                self.sc.pos += consumed;
                Ok(json_to_value(&j))
            }
            Some(Err(e)) => Err(Stop::Msg(e.to_string())),
            None => Err(Stop::Msg("unexpected end of JSON input".into())),
        }
    }

    fn val_list(&mut self) -> Result<Vec<Value>, Stop> {
        match self.sc.read() {
            None => return Err(Stop::Eof),
            Some('{') => {}
            Some(_) => {
                self.sc.unread();
                return Err(Stop::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.sc.until(&[',', '}'], true);
            match last {
                None => return Err(Stop::Msg("list must terminate with '}'".into())),
                Some('}') => {
                    match self.sc.read() {
                        Some(',') | None => {}
                        Some(_) => self.sc.unread(),
                    }
                    list.push(self.read_value(&rs)?);
                    return Ok(list);
                }
                Some(_) => list.push(self.read_value(&rs)?),
            }
        }
    }
}

fn finish(
    result: Result<Vec<Value>, Stop>,
    original: Vec<Value>,
) -> (Option<Vec<Value>>, Result<(), Stop>) {
    match result {
        Ok(l) => (Some(l), Ok(())),
        Err(e) => (Some(original), Err(e)),
    }
}

struct LiteralParser {
    sc: Cursor,
}

impl LiteralParser {
    fn key(&mut self, data: &Map, level: usize) -> Result<(), Stop> {
        let (k, last) = self.sc.until(&['=', '[', '.'], false);
        match last {
            None => {
                if k.is_empty() {
                    Err(Stop::Eof)
                } else {
                    Err(Stop::Msg(format!("key {} has no value", quote(&k))))
                }
            }
            Some('=') => {
                let (v, _) = self.sc.until(&[], false);
                set(data, &k, Value::string(v));
                Ok(())
            }
            Some('.') => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(Stop::Msg(format!("value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}")));
                }
                let inner = existing_map(data, &k)?;
                let result = self.key(&inner, level);
                if result.is_ok() && inner.is_empty() {
                    return Err(Stop::Msg(format!("key map {} has no value", quote(&k))));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Map(inner));
                }
                result
            }
            Some(_) => {
                let (v, last) = self.sc.until(&[']'], false);
                if last.is_none() {
                    return Err(Stop::Msg("error parsing index: EOF".into()));
                }
                let i = atoi(&v)?;
                let list = existing_list(data, &k)?;
                let (list, result) = self.list_item(list, i, level);
                set(data, &k, list.map(Value::list).unwrap_or(Value::Nil));
                result
            }
        }
    }

    fn list_item(
        &mut self,
        list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> (Option<Vec<Value>>, Result<(), Stop>) {
        let last = match self.sc.after_index(i, false) {
            Ok(last) => last,
            Err(e) => return (Some(list), Err(e)),
        };
        match last {
            None => (Some(list), Err(Stop::Eof)),
            Some('=') => {
                let (v, _) = self.sc.until(&[], false);
                finish(set_index(list.clone(), i, Value::string(v)), list)
            }
            Some('.') => {
                let mut list = list;
                let inner = nested_map(&mut list, i);
                if let Err(e) = self.key(&inner, level) {
                    return (Some(list), Err(e));
                }
                finish(set_index(list.clone(), i, Value::Map(inner)), list)
            }
            Some(_) => {
                let next = match self.sc.index(false) {
                    Ok(n) => n,
                    Err(e) => return (Some(list), Err(e)),
                };
                let current = match nested_list(&list, i) {
                    Ok(current) => current,
                    Err(e) => return (Some(list), Err(e)),
                };
                let (inner, result) = self.list_item(current, next, level);
                if let Err(e) = result {
                    return (Some(list), Err(e));
                }
                let inner = inner.map(Value::list).unwrap_or(Value::Nil);
                finish(set_index(list.clone(), i, inner), list)
            }
        }
    }
}

/// Parses one `--set` line into a fresh map (for tests and `ToYAML`-style uses).
pub fn parse(line: &str) -> Result<Value, String> {
    let m = Map::new(MapEntries::new());
    parse_into(line, &m, ValueReader::Typed)?;
    Ok(Value::Map(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(v: &Value) -> String {
        crate::template::fmt::format_v(v)
    }

    fn ok(line: &str) -> String {
        show(&parse(line).unwrap_or_else(|e| panic!("{line}: {e}")))
    }

    fn err(line: &str) -> String {
        parse(line).unwrap_err()
    }

    #[test]
    fn grammar_table() {
        let cases = [
            ("a=1", "map[a:1]"),
            ("a=1,b=x", "map[a:1 b:x]"),
            ("a.b=1", "map[a:map[b:1]]"),
            ("a[1]=x", "map[a:[<nil> x]]"),
            ("a={x,y}", "map[a:[x y]]"),
            ("g\\.h=1", "map[g.h:1]"),
            ("a=null", "map[a:<nil>]"),
            ("a=007", "map[a:007]"),
            ("a=", "map[a:]"),
            ("a[0].b=1,a[0].c=2", "map[a:[map[b:1 c:2]]]"),
            ("a[0][1]=z", "map[a:[[<nil> z]]]"),
            ("a=x=y", "map[a:x=y]"),
            ("a={}", "map[a:[]]"),
            ("a=b\\,c", "map[a:b,c]"),
        ];
        for (line, want) in cases {
            assert_eq!(ok(line), want, "{line}");
        }
    }

    #[test]
    fn typing() {
        assert!(matches!(typed_value("TRUE", false), Value::Bool(true)));
        assert!(matches!(typed_value("-12", false), Value::Int(-12, _)));
        assert!(matches!(typed_value("0", false), Value::Int(0, _)));
        assert!(matches!(typed_value("1.5", false), Value::String(_)));
        assert!(matches!(
            typed_value("9223372036854775808", false),
            Value::String(_)
        ));
    }

    #[test]
    fn errors_match_helm() {
        assert_eq!(err("a"), r#"key "a" has no value"#);
        assert_eq!(err("a,b=1"), r#"key "a" has no value (cannot end with ,)"#);
        assert_eq!(err("a.=1"), r#"key map "a" has no value"#);
        assert_eq!(
            err("a[x]=1"),
            r#"error parsing index: strconv.Atoi: parsing "x": invalid syntax"#
        );
        assert_eq!(
            err("a[65537]=1"),
            "index of 65537 is greater than maximum supported index of 65536"
        );
        assert_eq!(err("a={x,y"), "list must terminate with '}'");
        assert_eq!(
            err("a=1,a.b=2"),
            "unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}"
        );
        let deep = (0..32)
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(".")
            + "=1";
        assert!(err(&deep).starts_with("value name nested level is greater"));
    }

    #[test]
    fn json_values() {
        let m = Map::new(MapEntries::new());
        parse_into(r#"a={"b":[1,"x"]},c=,d=true"#, &m, ValueReader::Json).unwrap();
        assert_eq!(show(&Value::Map(m)), "map[a:map[b:[1 x]] c:<nil> d:true]");
    }

    #[test]
    fn literal_takes_the_rest() {
        let m = Map::new(MapEntries::new());
        parse_literal_into("l=a,b=c\\d", &m).unwrap();
        assert_eq!(show(&Value::Map(m)), "map[l:a,b=c\\d]");
    }
}
