//! Go's builtin template functions (`text/template/funcs.go`, go1.23): `and or not len index slice
//! print printf println html js urlquery call eq ne lt le gt ge`.
//!
//! `and`/`or` short-circuit, so the evaluator runs them itself; the rest are plain functions over
//! evaluated arguments returning Go's exact error texts (the evaluator adds `error calling NAME: `).
//! A function registered in the `FuncTable` under the same name wins over a builtin, as in Go.
use super::fmt::{format_v, sprint, sprintln};
use super::printf::sprintf;
use super::types::{GoType, Signature};
use super::value::{List, MapKind, UintKind, Value};

/// A Go builtin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Print,
    Printf,
    Println,
    Html,
    Js,
    Urlquery,
    Call,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Builtin {
    pub fn lookup(name: &str) -> Option<Builtin> {
        Some(match name {
            "and" => Builtin::And,
            "or" => Builtin::Or,
            "not" => Builtin::Not,
            "len" => Builtin::Len,
            "index" => Builtin::Index,
            "slice" => Builtin::Slice,
            "print" => Builtin::Print,
            "printf" => Builtin::Printf,
            "println" => Builtin::Println,
            "html" => Builtin::Html,
            "js" => Builtin::Js,
            "urlquery" => Builtin::Urlquery,
            "call" => Builtin::Call,
            "eq" => Builtin::Eq,
            "ne" => Builtin::Ne,
            "lt" => Builtin::Lt,
            "le" => Builtin::Le,
            "gt" => Builtin::Gt,
            "ge" => Builtin::Ge,
            _ => return None,
        })
    }

    /// The parameter types Go's reflection checks a builtin's arguments against: any values, except
    /// `printf`'s format, which is a `string`.
    pub fn signature(self) -> Signature {
        const ANY: GoType = GoType::Interface;
        match self {
            Builtin::And
            | Builtin::Or
            | Builtin::Call
            | Builtin::Index
            | Builtin::Slice
            | Builtin::Eq => Signature::variadic(&[ANY], ANY),
            Builtin::Printf => Signature::variadic(&[GoType::String], ANY),
            Builtin::Print | Builtin::Println | Builtin::Html | Builtin::Js | Builtin::Urlquery => {
                Signature::variadic(&[], ANY)
            }
            Builtin::Not | Builtin::Len => Signature::fixed(&[ANY]),
            Builtin::Ne | Builtin::Lt | Builtin::Le | Builtin::Gt | Builtin::Ge => {
                Signature::fixed(&[ANY, ANY])
            }
        }
    }
}

/// Calls a builtin other than `and`/`or`. `first_arg_text` gives the source text of the first
/// argument (Go's `call` names it in its error; only an error asks for it).
pub fn call(
    b: Builtin,
    args: Vec<Value>,
    first_arg_text: impl FnOnce() -> String,
) -> Result<Value, String> {
    match b {
        Builtin::And | Builtin::Or => Ok(args.into_iter().next().unwrap_or_default()),
        Builtin::Not => Ok(Value::Bool(!args.first().is_some_and(Value::truthy))),
        Builtin::Len => length(args.first().unwrap_or(&Value::Nil)).map(Value::int),
        Builtin::Index => index(&args),
        Builtin::Slice => slice(&args),
        Builtin::Print => Ok(Value::string(sprint(&args))),
        Builtin::Println => Ok(Value::string(sprintln(&args))),
        Builtin::Printf => {
            let format = args.first().and_then(Value::as_str).unwrap_or("");
            Ok(Value::string(sprintf(format, &args[1.min(args.len())..])))
        }
        Builtin::Html => Ok(Value::string(html_escape(&eval_args(&args)))),
        Builtin::Js => Ok(Value::string(js_escape(&eval_args(&args)))),
        Builtin::Urlquery => Ok(Value::string(query_escape(&eval_args(&args)))),
        Builtin::Call => match args.first() {
            None | Some(Value::Nil) => Err("call of nil".into()),
            Some(v) => Err(format!(
                "non-function {} of type {}",
                first_arg_text(),
                v.type_name()
            )),
        },
        Builtin::Eq | Builtin::Ne | Builtin::Lt | Builtin::Le | Builtin::Gt | Builtin::Ge
            if args
                .iter()
                .any(|a| matches!(a, Value::Object(o) if o.int_value().is_some())) =>
        {
            // A named integer type (`time.Duration`) compares as its integer kind.
            let args = args
                .into_iter()
                .map(|a| match &a {
                    Value::Object(o) => o.int_value().map_or(a, Value::int64),
                    _ => a,
                })
                .collect();
            call(b, args, first_arg_text)
        }
        Builtin::Eq => {
            let (first, rest) = args
                .split_first()
                .ok_or("missing argument for comparison")?;
            eq(first, rest).map(Value::Bool)
        }
        Builtin::Ne => eq(&args[0], &args[1..2]).map(|b| Value::Bool(!b)),
        Builtin::Lt => lt(&args[0], &args[1]).map(Value::Bool),
        Builtin::Le => le(&args[0], &args[1]).map(Value::Bool),
        Builtin::Gt => le(&args[0], &args[1]).map(|b| Value::Bool(!b)),
        Builtin::Ge => lt(&args[0], &args[1]).map(|b| Value::Bool(!b)),
    }
}

/// Go's `evalArgs`: a lone string as is, otherwise `fmt.Sprint` with nil shown as `<no value>`.
fn eval_args(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.to_string();
    }
    if args.iter().any(Value::is_nil) {
        let shown: Vec<Value> = args
            .iter()
            .map(|a| {
                if a.is_nil() {
                    Value::str("<no value>")
                } else {
                    a.clone()
                }
            })
            .collect();
        return sprint(&shown);
    }
    sprint(args)
}

fn length(v: &Value) -> Result<i64, String> {
    match v {
        Value::Nil => Err("len of nil pointer".into()),
        Value::String(s) => Ok(super::gostr::byte_len(s) as i64),
        Value::Bytes(b) => Ok(b.len() as i64),
        Value::List(l) => Ok(l.len() as i64),
        Value::Map(m) => Ok(m.len() as i64),
        Value::Object(o) if o.map_entries().is_some() => {
            Ok(o.map_entries().map_or(0, |e| e.len()) as i64)
        }
        Value::Object(o) if o.slice_items().is_some() => {
            Ok(o.slice_items().map_or(0, |l| l.len()) as i64)
        }
        other => Err(format!("len of type {}", other.type_name())),
    }
}

/// Go's `indexArg`.
fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x: i128 = match index {
        Value::Int(i, _) => *i as i128,
        Value::Uint(u, _) => *u as i128,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ))
        }
    };
    if x < 0 || x > cap as i128 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(args: &[Value]) -> Result<Value, String> {
    let (item, indexes) = args.split_first().ok_or("index of untyped nil")?;
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut item = item.clone();
    for index in indexes {
        if item.is_nil() {
            return Err("index of nil pointer".into());
        }
        if let Value::Object(o) = &item {
            // A named slice type (`chartutil.VersionSet`) indexes like its elements, a named map
            // type (`engine.files`, a `map[string][]byte`) like a map: a missing key gives the
            // element's zero value, an empty `[]byte`.
            if let Some(l) = o.slice_items() {
                item = Value::List(l);
            } else if let Some(entries) = o.map_entries() {
                let key = match index {
                    Value::String(k) => k.clone(),
                    Value::Nil => return Err("value is nil; should be of type string".into()),
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ))
                    }
                };
                item = entries
                    .into_iter()
                    .find(|(k, _)| *k == key)
                    .map_or_else(|| Value::Bytes(std::rc::Rc::from(&[][..])), |(_, v)| v);
                continue;
            }
        }
        item = match &item {
            Value::List(l) => {
                let x = index_arg(index, l.len())?;
                l.get(x)
                    .cloned()
                    .ok_or("reflect: slice index out of range")?
            }
            Value::Bytes(b) => {
                let x = index_arg(index, b.len())?;
                let byte = b.get(x).ok_or("reflect: slice index out of range")?;
                Value::Uint(*byte as u64, UintKind::Uint8)
            }
            Value::String(s) => {
                let bytes = super::gostr::to_bytes(s);
                let x = index_arg(index, bytes.len())?;
                let byte = bytes.get(x).ok_or("reflect: string index out of range")?;
                Value::Uint(*byte as u64, UintKind::Uint8)
            }
            Value::Map(m) => {
                let key_type = "string";
                let key = match index {
                    Value::String(k) => k.clone(),
                    Value::Nil => {
                        return Err(format!("value is nil; should be of type {key_type}"))
                    }
                    other => {
                        return Err(format!(
                            "value has type {}; should be {key_type}",
                            other.type_name()
                        ))
                    }
                };
                match m.get(&key) {
                    Some(v) => v,
                    None if *m.kind() == MapKind::StringString => Value::str(""),
                    None => Value::Nil,
                }
            }
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn slice(args: &[Value]) -> Result<Value, String> {
    let (item, indexes) = args.split_first().ok_or("slice of untyped nil")?;
    if item.is_nil() {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            super::gostr::byte_len(s)
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0usize, len, len];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    let (from, to) = (idx[0], idx[1]);
    Ok(match item {
        Value::String(s) => Value::string(super::gostr::byte_slice(s, from, to)),
        Value::List(l) => Value::List(List::typed(
            l.elem_type().clone(),
            l.items()[from..to].to_vec(),
        )),
        Value::Bytes(b) => Value::Bytes(b[from..to].into()),
        _ => Value::Nil,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BasicKind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    /// `complex128` (a literal such as `1i`): equal or not, never ordered.
    Complex,
    String,
}

fn basic_kind(v: &Value) -> BasicKind {
    match v {
        Value::Bool(_) => BasicKind::Bool,
        Value::Int(..) => BasicKind::Int,
        Value::Uint(..) => BasicKind::Uint,
        Value::Float(_) => BasicKind::Float,
        Value::String(_) => BasicKind::String,
        Value::Object(o) if o.kind_name() == "complex128" => BasicKind::Complex,
        _ => BasicKind::Invalid,
    }
}

const ERR_BAD_COMPARISON_TYPE: &str = "invalid type for comparison";
const ERR_BAD_COMPARISON: &str = "incompatible types for comparison";

/// The reflect kind name used by `canCompare`.
fn reflect_kind(v: &Value) -> String {
    match v {
        Value::Nil => "invalid".into(),
        other => other.kind_name(),
    }
}

/// Go 1.23's `eq`: arg1 == any of the others.
fn eq(arg1: &Value, others: &[Value]) -> Result<bool, String> {
    if others.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(arg1);
    for arg in others {
        let k2 = basic_kind(arg);
        let truth = if k1 != k2 {
            match (arg1, arg) {
                (Value::Int(a, _), Value::Uint(b, _)) => *a >= 0 && *a as u64 == *b,
                (Value::Uint(a, _), Value::Int(b, _)) => *b >= 0 && *a == *b as u64,
                _ => {
                    if !arg1.is_nil() && !arg.is_nil() {
                        return Err(ERR_BAD_COMPARISON.into());
                    }
                    false
                }
            }
        } else {
            match (arg1, arg) {
                (Value::Bool(a), Value::Bool(b)) => a == b,
                (Value::Float(a), Value::Float(b)) => a == b,
                (Value::Int(a, _), Value::Int(b, _)) => a == b,
                (Value::String(a), Value::String(b)) => a == b,
                (Value::Uint(a, _), Value::Uint(b, _)) => a == b,
                // Two complex128 values: their `%v` texts are equal exactly when they are.
                (Value::Object(a), Value::Object(b)) if k1 == BasicKind::Complex => {
                    a.format_v() == b.format_v()
                }
                _ => {
                    let (rk1, rk2) = (reflect_kind(arg1), reflect_kind(arg));
                    if rk1 != rk2 && rk1 != "invalid" && rk2 != "invalid" {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            sprintf("%s", std::slice::from_ref(arg1)),
                            arg1.type_name(),
                            arg.type_name(),
                            format_v(arg)
                        ));
                    }
                    if arg1.is_nil() || arg.is_nil() {
                        arg1.is_nil() == arg.is_nil()
                    } else {
                        match (arg1, arg) {
                            (Value::Object(a), Value::Object(b)) if comparable(arg) => {
                                objects_equal(a.as_ref(), b.as_ref())
                            }
                            _ => {
                                return Err(format!(
                                    "non-comparable type {}: {}",
                                    sprintf("%s", std::slice::from_ref(arg)),
                                    arg.type_name()
                                ))
                            }
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Go's `reflect.Type.Comparable` for the values `eq` gets past its basic kinds: a host struct is
/// comparable when all its fields are (no slices or maps); named slice and map types never are.
fn comparable(v: &Value) -> bool {
    match v {
        Value::List(_) | Value::Map(_) | Value::Bytes(_) => false,
        Value::Object(o) => {
            if o.slice_items().is_some() || o.map_entries().is_some() {
                return false;
            }
            match o.go_fields() {
                Some(fields) if o.kind_name() == "struct" => {
                    fields.iter().all(|f| comparable(&f.value))
                }
                _ => true,
            }
        }
        _ => true,
    }
}

/// `==` of two comparable host objects: a struct compares field by field, anything else (a
/// pointer, a struct whose fields are not modelled) by identity.
fn objects_equal(a: &dyn super::value::Object, b: &dyn super::value::Object) -> bool {
    if a.type_name() != b.type_name() {
        return false;
    }
    if b.kind_name() == "struct" {
        if let (Some(x), Some(y)) = (a.go_fields(), b.go_fields()) {
            return x.len() == y.len()
                && x.iter().zip(&y).all(|(p, q)| match (&p.value, &q.value) {
                    (Value::Object(p), Value::Object(q)) => objects_equal(p.as_ref(), q.as_ref()),
                    (p, q) => eq(p, std::slice::from_ref(q)).unwrap_or(false),
                });
        }
    }
    std::ptr::addr_eq(a as *const _, b as *const _)
}

fn lt(arg1: &Value, arg2: &Value) -> Result<bool, String> {
    let k1 = basic_kind(arg1);
    if k1 == BasicKind::Invalid {
        return Err(ERR_BAD_COMPARISON_TYPE.into());
    }
    let k2 = basic_kind(arg2);
    if k2 == BasicKind::Invalid {
        return Err(ERR_BAD_COMPARISON_TYPE.into());
    }
    if k1 != k2 {
        return match (arg1, arg2) {
            (Value::Int(a, _), Value::Uint(b, _)) => Ok(*a < 0 || (*a as u64) < *b),
            (Value::Uint(a, _), Value::Int(b, _)) => Ok(*b >= 0 && *a < *b as u64),
            _ => Err(ERR_BAD_COMPARISON.into()),
        };
    }
    match (arg1, arg2) {
        (Value::Float(a), Value::Float(b)) => Ok(a < b),
        (Value::Int(a, _), Value::Int(b, _)) => Ok(a < b),
        (Value::String(a), Value::String(b)) => Ok(a < b),
        (Value::Uint(a, _), Value::Uint(b, _)) => Ok(a < b),
        _ => Err(ERR_BAD_COMPARISON_TYPE.into()),
    }
}

fn le(arg1: &Value, arg2: &Value) -> Result<bool, String> {
    if lt(arg1, arg2)? {
        return Ok(true);
    }
    eq(arg1, std::slice::from_ref(arg2))
}

/// Go's `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString` (go1.23 table).
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if c.is_ascii() => out.push(c),
            // An invalid byte is U+FFFD to Go, printable: the byte is written as it is.
            c if super::printf::is_print(c) || super::gostr::escaped_byte(c).is_some() => {
                out.push(c)
            }
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in super::gostr::to_bytes(s).iter() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapers_match_go() {
        assert_eq!(html_escape("<a&b>\"'"), "&lt;a&amp;b&gt;&#34;&#39;");
        assert_eq!(
            js_escape("a'b\"<>\\é\u{1}&="),
            "a\\'b\\\"\\u003C\\u003E\\\\é\\u0001\\u0026\\u003D"
        );
        assert_eq!(query_escape("a b&c=d/é~"), "a+b%26c%3Dd%2F%C3%A9~");
    }

    #[test]
    fn comparisons() {
        assert_eq!(
            eq(&Value::str("a"), &[Value::str("x"), Value::str("a")]),
            Ok(true)
        );
        assert_eq!(
            eq(&Value::Float(1.0), &[Value::int(1)]),
            Err(ERR_BAD_COMPARISON.into())
        );
        assert_eq!(eq(&Value::Nil, &[Value::int(1)]), Ok(false));
        assert_eq!(eq(&Value::Nil, &[Value::Nil]), Ok(true));
        assert_eq!(
            lt(&Value::Nil, &Value::int(1)),
            Err(ERR_BAD_COMPARISON_TYPE.into())
        );
        assert_eq!(
            lt(&Value::int(-1), &Value::Uint(1, UintKind::Uint)),
            Ok(true)
        );
    }

    #[test]
    fn index_errors() {
        let l = Value::list(vec![Value::int(1), Value::int(2)]);
        assert_eq!(
            index(&[l.clone(), Value::int(5)]).unwrap_err(),
            "index out of range: 5"
        );
        assert_eq!(
            index(&[l.clone(), Value::int(2)]).unwrap_err(),
            "reflect: slice index out of range"
        );
        assert_eq!(
            index(&[l, Value::Nil]).unwrap_err(),
            "cannot index slice/array with nil"
        );
        assert_eq!(
            index(&[Value::int(1), Value::int(0)]).unwrap_err(),
            "can't index item of type int"
        );
    }
}
