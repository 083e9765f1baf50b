//! Go-conversion helpers shared by the Sprig themes: the loose conversions Sprig applies to
//! `interface {}` arguments, and a few Go library rules the themes need in more than one place.
//!
//! - [`strval`]: Sprig's `strval` (string, `[]byte`, `error`/`Stringer`, else `%v`).
//! - [`to_int64`], [`to_int`], [`to_float64`]: `spf13/cast` v1.7.0's `ToInt64`/`ToInt`/`ToFloat64`, as
//!   Sprig v3.3.0 calls them (errors swallowed to 0). Strings are parsed by Go's `strconv.ParseInt` with
//!   base 0 (`0x1f`, `0o17`, `017`, `0b11`, `1_000`) after cast's `trimZeroDecimal` (`"5.00"` → `"5"`).
//! - [`strslice`]: Sprig's `strslice` (a value as `[]string`), [`string_list`] to build one.
//! - [`deep_equal`]: Go's `reflect.DeepEqual` over template values (an `int` 1 is not an `int64` 1).
//! - [`go_quote`]: Go's `strconv.Quote` (`%q` of a string).
//! - [`parse_go_int`]/[`parse_go_float`]: Go's `strconv.ParseInt`/`ParseFloat` syntax.
//!
//! Go's `reflect.Kind` names used in Sprig's error texts come from [`Value::kind_name`].
use crate::template::fmt::format_v;
use crate::template::types::GoType;
use crate::template::value::{List, Value};

/// Sprig's `strval`: strings as they are, `[]byte` as text, anything else with Go's `%v` (host objects
/// print through their `String()`/`%v` form).
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => String::from(&**s),
        Value::Bytes(b) => crate::template::gostr::from_bytes(b).into_owned(),
        other => format_v(other),
    }
}

/// `cast.ToInt64` (Sprig's `toInt64`): ints as they are, unsigned ints wrapped, floats truncated toward
/// zero, strings parsed with base prefixes, bools 1/0, nil and anything unconvertible 0.
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i, _) => *i,
        Value::Uint(u, _) => *u as i64,
        Value::Float(f) => float_to_int64(*f),
        Value::String(s) => parse_go_int(trim_zero_decimal(s), 0).unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        Value::Object(o) => cast_named_int(o.as_ref()).unwrap_or(0),
        _ => 0,
    }
}

/// cast's `toInt`: of the named integer types only `time.Month` and `time.Weekday` convert.
fn cast_named_int(o: &dyn crate::template::value::Object) -> Option<i64> {
    match o.type_name() {
        "time.Month" | "time.Weekday" => o.int_value(),
        _ => None,
    }
}

/// `cast.ToInt` (Go's `int` is 64 bits on the platforms Helm ships for): the same rules as [`to_int64`].
pub fn to_int(v: &Value) -> i64 {
    to_int64(v)
}

/// Go's `int64(f)` conversion as amd64 performs it: truncation toward zero, and the "integer
/// indefinite" value `math.MinInt64` for NaN and out-of-range values.
pub fn float_to_int64(f: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f.trunc() as i64
    }
}

/// `cast.ToFloat64`: numbers converted, strings parsed by Go's `strconv.ParseFloat` rules (0 when they
/// do not parse), bools 1/0, nil and anything else 0.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i, _) => *i as f64,
        Value::Uint(u, _) => *u as f64,
        Value::Float(f) => *f,
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Object(o) => cast_named_int(o.as_ref()).map_or(0.0, |n| n as f64),
        _ => 0.0,
    }
}

/// cast's `trimZeroDecimal`: `"5.000"` → `"5"`, `"5."` and `"5.10"` unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut found_zero = false;
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b'.' => {
                if found_zero {
                    return &s[..i];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// Go's `strconv.ParseInt(s, base, 64)`; `base` 0 means "from the prefix" (`0x`, `0o`, `0b`, leading
/// `0` for octal) and then allows `_` between digits. `None` for a syntax or range error.
pub fn parse_go_int(s: &str, base: u32) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = parse_go_uint(body, base)?;
    if negative {
        if magnitude > 1u64 << 63 {
            None
        } else {
            Some((magnitude as i64).wrapping_neg())
        }
    } else if magnitude > i64::MAX as u64 {
        None
    } else {
        Some(magnitude as i64)
    }
}

/// Go's `strconv.ParseUint(s, base, 64)` (no sign allowed).
pub fn parse_go_uint(s: &str, base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let (radix, digits, prefixed) = if base == 0 {
        if let Some(rest) = lower.strip_prefix("0x") {
            (16, rest.to_string(), true)
        } else if let Some(rest) = lower.strip_prefix("0o") {
            (8, rest.to_string(), true)
        } else if let Some(rest) = lower.strip_prefix("0b") {
            (2, rest.to_string(), true)
        } else if lower.len() > 1 && lower.starts_with('0') {
            (8, lower[1..].to_string(), true)
        } else {
            (10, lower.clone(), false)
        }
    } else {
        (base, lower.clone(), false)
    };
    if base == 0 && !underscores_ok(&lower, prefixed) {
        return None;
    }
    let cleaned: String = if base == 0 {
        digits.chars().filter(|c| *c != '_').collect()
    } else {
        digits
    };
    if cleaned.is_empty() {
        return None;
    }
    let mut acc: u64 = 0;
    for c in cleaned.chars() {
        let d = c.to_digit(radix)?;
        acc = acc
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(d))?;
    }
    Some(acc)
}

/// Go's `underscoreOK`: underscores only between digits (or right after a base prefix).
fn underscores_ok(s: &str, prefixed: bool) -> bool {
    if !s.contains('_') {
        return true;
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    // A prefix counts as a digit for the rule "an underscore must follow a digit".
    let mut saw_digit_or_prefix = false;
    if prefixed && bytes.len() >= 2 && bytes[0] == b'0' {
        if matches!(bytes[1], b'x' | b'o' | b'b') {
            i = 2;
        } else {
            i = 1;
        }
        saw_digit_or_prefix = true;
    }
    let mut last_underscore = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'_' {
            if !saw_digit_or_prefix || last_underscore {
                return false;
            }
            last_underscore = true;
        } else {
            last_underscore = false;
            saw_digit_or_prefix = true;
        }
        i += 1;
    }
    !last_underscore
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms charts use (`1`, `-1.5`, `.5`, `1e3`,
/// `Inf`, `NaN`, `1_000`, `0x1.8p1`).
pub fn parse_go_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return s.parse::<f64>().ok();
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        let value = parse_hex_float(hex)?;
        return Some(if s.starts_with('-') { -value } else { value });
    }
    let owned;
    let (s, body) = if body.contains('_') {
        if !underscores_ok(&lower, false) {
            return None;
        }
        owned = s.replace('_', "");
        let b = owned.strip_prefix(['+', '-']).unwrap_or(&owned);
        (owned.as_str(), b)
    } else {
        (s, body)
    };
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

/// The body of a Go hexadecimal float after `0x`: hex digits with an optional `.`, then a mandatory
/// binary exponent `p±N`.
fn parse_hex_float(hex: &str) -> Option<f64> {
    let (mantissa, exponent) = hex.split_once('p')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int_part.chars().chain(frac_part.chars()) {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let scale = exponent - 4 * frac_part.len() as i32;
    Some(value * 2f64.powi(scale))
}

/// Sprig's `strslice`: a `[]string` as it is; the elements of any other slice (host slices included)
/// through [`strval`], nils dropped; nil as an empty list; anything else as a one-element list.
pub fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l
            .items()
            .iter()
            .filter(|item| !item.is_nil())
            .map(strval)
            .collect(),
        Value::Bytes(b) => b.iter().map(|byte| byte.to_string()).collect(),
        Value::Object(_) if object_slice(v).is_some() => {
            object_slice(v).map_or_else(Vec::new, |l| strslice(&Value::List(l)))
        }
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

/// A Go `[]string` value.
pub fn string_list(items: Vec<String>) -> Value {
    Value::string_list(items)
}

/// A Go `[]interface {}` value.
pub fn interface_list(items: Vec<Value>) -> Value {
    Value::List(List::new(items))
}

/// A Go `[]int` value.
pub fn int_list(items: Vec<i64>) -> Value {
    Value::List(List::typed(
        GoType::INT,
        items.into_iter().map(Value::int).collect(),
    ))
}

/// The elements of a Go slice or array value as `interface {}` values (`[]byte` gives `uint8`s), or
/// `None` when the value is not a slice.
pub fn slice_items(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.items().to_vec()),
        Value::Bytes(b) => Some(
            b.iter()
                .map(|byte| Value::Uint(u64::from(*byte), crate::template::UintKind::Uint8))
                .collect(),
        ),
        Value::Object(_) => object_slice(v).map(|l| l.items().to_vec()),
        _ => None,
    }
}

/// The elements of a host object whose Go kind is a slice (such as `.Capabilities.APIVersions`, a
/// `chartutil.VersionSet`); see `Object::slice_items`.
pub fn object_slice(v: &Value) -> Option<List> {
    match v {
        Value::Object(o) => o.slice_items(),
        _ => None,
    }
}

/// Go's `reflect.DeepEqual` over template values: types must match exactly (an `int` never equals an
/// `int64`, a `[]string` never a `[]interface {}`), then contents compare recursively.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x, kx), Value::Int(y, ky)) => kx == ky && x == y,
        (Value::Uint(x, kx), Value::Uint(y, ky)) => kx == ky && x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.elem_type() == y.elem_type()
                && x.len() == y.len()
                && x.items()
                    .iter()
                    .zip(y.items())
                    .all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.ptr_eq(y) {
                return true;
            }
            if x.kind() != y.kind() || x.len() != y.len() {
                return false;
            }
            let left = x.entries();
            let right = y.entries();
            left.iter()
                .zip(right.iter())
                .all(|((kp, vp), (kq, vq))| kp == kq && deep_equal(vp, vq))
        }
        (Value::Object(x), Value::Object(y)) => {
            std::rc::Rc::ptr_eq(x, y)
                || (x.type_name() == y.type_name() && x.format_v() == y.format_v())
        }
        _ => false,
    }
}

/// Go's `strconv.Quote` (one implementation, in the template layer's printf).
pub use crate::template::printf::quote_go as go_quote;

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
pub fn is_go_printable(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory::*};
    c == ' '
        || !matches!(
            get_general_category(c),
            Control
                | Format
                | PrivateUse
                | Surrogate
                | Unassigned
                | SpaceSeparator
                | LineSeparator
                | ParagraphSeparator
        )
}

/// The string argument at `i` (the evaluator has converted it to a Go `string`); "" if absent.
pub fn arg_str(args: &[Value], i: usize) -> &str {
    match args.get(i) {
        Some(Value::String(s)) => s,
        _ => "",
    }
}

/// The integer argument at `i` (converted to a Go integer type by the evaluator); 0 if absent.
pub fn arg_int(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n, _)) => *n,
        Some(Value::Uint(n, _)) => *n as i64,
        _ => 0,
    }
}

/// The bool argument at `i`; false if absent.
pub fn arg_bool(args: &[Value], i: usize) -> bool {
    matches!(args.get(i), Some(Value::Bool(true)))
}

/// The argument at `i`, nil if absent.
pub fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Nil)
}

/// Go's text for the panic of `reflect.TypeOf(nil).Kind()` that Sprig's list functions hit on nil.
pub const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// Go's text for a recovered integer division by zero.
pub const DIVIDE_BY_ZERO: &str = "runtime error: integer divide by zero";

/// Calls a function implementation outside any template, for unit tests.
#[cfg(test)]
pub use test_support::test_call;

#[cfg(test)]
mod test_support {
    use crate::template::funcs::{CallCtx, Exec, FuncEnv};
    use crate::template::value::Value;

    struct NoExec;
    impl Exec for NoExec {
        fn execute_template(
            &mut self,
            _: &str,
            _: Value,
        ) -> Result<String, crate::template::Error> {
            unreachable!()
        }
        fn parse_and_execute(
            &mut self,
            _: &str,
            _: &str,
            _: Value,
        ) -> Result<String, crate::template::Error> {
            unreachable!()
        }
        fn top_name(&self) -> &str {
            ""
        }
    }

    pub fn test_call(
        f: crate::template::funcs::FuncImpl,
        args: Vec<Value>,
    ) -> Result<Value, crate::template::FuncError> {
        let env = FuncEnv::system();
        let mut exec = NoExec;
        let mut ctx = CallCtx {
            exec: &mut exec,
            env: &env,
        };
        f(&mut ctx, args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_int64_follows_cast() {
        // helm: {{ int64 "0x10" }} {{ int64 "010" }} {{ int64 "5.00" }} {{ int64 "1_000" }} {{ int64 "x" }}
        assert_eq!(to_int64(&Value::str("0x10")), 16);
        assert_eq!(to_int64(&Value::str("010")), 8);
        assert_eq!(to_int64(&Value::str("5.00")), 5);
        assert_eq!(to_int64(&Value::str("1_000")), 1000);
        assert_eq!(to_int64(&Value::str("x")), 0);
        assert_eq!(to_int64(&Value::str("5.5")), 0);
        assert_eq!(to_int64(&Value::Float(-2.9)), -2);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(to_int64(&Value::Nil), 0);
    }

    #[test]
    fn to_float64_follows_cast() {
        assert_eq!(to_float64(&Value::str("1.5")), 1.5);
        assert_eq!(to_float64(&Value::str("1e3")), 1000.0);
        assert_eq!(to_float64(&Value::str("abc")), 0.0);
        assert_eq!(to_float64(&Value::int(3)), 3.0);
        // helm: {{ float64 "0x1p2" }} → 4; {{ float64 "1_0" }} → 10
        assert_eq!(to_float64(&Value::str("0x1p2")), 4.0);
        assert_eq!(to_float64(&Value::str("-0x1.8p1")), -3.0);
        assert_eq!(to_float64(&Value::str("0x1")), 0.0);
        assert_eq!(to_float64(&Value::str("1_0")), 10.0);
    }

    #[test]
    fn strslice_drops_nils_and_formats_the_rest() {
        let l = Value::list(vec![
            Value::str("a"),
            Value::Nil,
            Value::int(1),
            Value::Float(1.5),
        ]);
        assert_eq!(strslice(&l), vec!["a", "1", "1.5"]);
        assert_eq!(strslice(&Value::Nil), Vec::<String>::new());
        assert_eq!(strslice(&Value::int(4)), vec!["4"]);
    }

    #[test]
    fn deep_equal_distinguishes_int_kinds() {
        assert!(!deep_equal(&Value::int(1), &Value::int64(1)));
        assert!(deep_equal(&Value::int64(1), &Value::int64(1)));
        let a = Value::list(vec![Value::str("a")]);
        let b = Value::string_list(vec!["a".into()]);
        assert!(!deep_equal(&a, &b));
    }

    #[test]
    fn go_quote_escapes_like_strconv() {
        assert_eq!(
            go_quote("a\"b\\c\n\u{1}é\u{200b}"),
            "\"a\\\"b\\\\c\\n\\x01é\\u200b\""
        );
    }

    #[test]
    fn parse_go_int_handles_prefixes_and_underscores() {
        assert_eq!(parse_go_int("-0b101", 0), Some(-5));
        assert_eq!(parse_go_int("0o17", 0), Some(15));
        assert_eq!(parse_go_int("1__0", 0), None);
        assert_eq!(parse_go_int("_1", 0), None);
        assert_eq!(parse_go_int("9223372036854775808", 0), None);
        assert_eq!(parse_go_int("-9223372036854775808", 0), Some(i64::MIN));
        assert_eq!(parse_go_int("017", 8), Some(15));
        assert_eq!(parse_go_int("1_7", 8), None);
    }

    #[test]
    fn part_a_registers_126_distinct_sprig_names() {
        use crate::template::funcs::sprig::{
            conversion, defaults, lists, math, reflection, regex, strings,
        };
        let themes = [
            strings::FUNCS,
            lists::FUNCS,
            math::FUNCS,
            conversion::FUNCS,
            regex::FUNCS,
            reflection::FUNCS,
            defaults::FUNCS,
        ];
        let mut names: Vec<&str> = themes
            .iter()
            .flat_map(|t| t.iter().map(|d| d.name))
            .collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(total, 126);
        assert_eq!(names.len(), 126, "a name is registered twice");
    }
}
