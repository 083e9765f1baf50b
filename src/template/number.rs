//! Literals: Go's number syntax (`strconv.ParseInt/ParseUint/ParseFloat` with base 0, as the template
//! parser's `newNumber` uses them), character constants and `strconv.Unquote` for strings.
//!
//! Go strings may hold arbitrary bytes (`"\xff"`); ours are UTF-8, so invalid byte sequences produced
//! by `\x`/octal escapes are replaced by U+FFFD. Valid multi-byte sequences (`"\xc3\xa9"`) decode as Go's.
use super::ast::{Number, Pos};
use super::lexer::ItemType;

const INVALID_SYNTAX: &str = "invalid syntax";

/// Go's `parse.Tree.newNumber`.
pub fn parse_number(pos: Pos, text: &str, typ: ItemType) -> Result<Number, String> {
    let mut n = Number {
        pos,
        text: text.into(),
        ..Number::default()
    };
    match typ {
        ItemType::CharConstant => {
            let (r, tail) = unquote_char(&text[1..], '\'')?;
            if tail != "'" {
                return Err(format!("malformed character constant: {text}"));
            }
            n.is_int = true;
            n.int = r as i64;
            n.is_uint = true;
            n.uint = r as u64;
            n.is_float = true;
            n.float = r as f64;
            return Ok(n);
        }
        ItemType::Complex => {
            let (re, im) =
                parse_complex(text).ok_or_else(|| format!("expected integer; found {text}"))?;
            n.is_complex = true;
            n.complex = (re, im);
            simplify_complex(&mut n);
            return Ok(n);
        }
        _ => {}
    }
    if let Some(body) = text.strip_suffix('i') {
        if let Some(f) = parse_float(body) {
            n.is_complex = true;
            n.complex = (0.0, f);
            simplify_complex(&mut n);
            return Ok(n);
        }
    }
    let uint = parse_integer(text, false);
    if let Some(u) = uint {
        n.is_uint = true;
        n.uint = u as u64;
    }
    if let Some(i) = parse_integer(text, true) {
        if i >= i64::MIN as i128 && i <= i64::MAX as i128 {
            n.is_int = true;
            n.int = i as i64;
            if i == 0 {
                n.is_uint = true;
                n.uint = 0;
            }
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float = n.int as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float = n.uint as f64;
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!(
                "integer overflow: {}",
                super::printf::quote_go(text)
            ));
        }
        n.is_float = true;
        n.float = f;
        if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
            n.is_int = true;
            n.int = f as i64;
        }
        if f.fract() == 0.0 && f >= 0.0 && f < u64::MAX as f64 {
            n.is_uint = true;
            n.uint = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!(
            "illegal number syntax: {}",
            super::printf::quote_go(text)
        ));
    }
    Ok(n)
}

fn simplify_complex(n: &mut Number) {
    n.is_float = n.complex.1 == 0.0;
    if n.is_float {
        n.float = n.complex.0;
        let f = n.float;
        n.is_int = f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64;
        if n.is_int {
            n.int = f as i64;
        }
        n.is_uint = f.fract() == 0.0 && f >= 0.0 && f < u64::MAX as f64;
        if n.is_uint {
            n.uint = f as u64;
        }
    }
}

fn parse_complex(text: &str) -> Option<(f64, f64)> {
    let body = text.strip_suffix('i')?;
    let bytes = body.as_bytes();
    let split = (1..bytes.len()).rev().find(|&i| {
        (bytes[i] == b'+' || bytes[i] == b'-') && !matches!(bytes[i - 1], b'e' | b'E' | b'p' | b'P')
    })?;
    Some((parse_float(&body[..split])?, parse_float(&body[split..])?))
}

/// Go's `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscore_ok(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseInt(s, 0, 64)` (signed) or `ParseUint(s, 0, 64)` (unsigned), widened to i128;
/// `None` on syntax error or when the magnitude exceeds 64 bits.
fn parse_integer(text: &str, signed: bool) -> Option<i128> {
    let (neg, body) = match text.as_bytes().first()? {
        b'+' if signed => (false, &text[1..]),
        b'-' if signed => (true, &text[1..]),
        _ => (false, text),
    };
    let b = body.as_bytes();
    let (base, digits) = if b.len() >= 2 && b[0] == b'0' {
        match b[1].to_ascii_lowercase() {
            b'x' => (16, &body[2..]),
            b'o' => (8, &body[2..]),
            b'b' => (2, &body[2..]),
            _ => (8, &body[1..]),
        }
    } else {
        (10, body)
    };
    if digits.is_empty() && base != 8 {
        return None;
    }
    if body.contains('_') && !underscore_ok(body) {
        return None;
    }
    let mut value: u128 = 0;
    let mut any = false;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let d = c.to_digit(base)?;
        value = value * base as u128 + d as u128;
        if value > u64::MAX as u128 {
            return None;
        }
        any = true;
    }
    if !any {
        return None;
    }
    if signed {
        let v = if neg { -(value as i128) } else { value as i128 };
        if v < i64::MIN as i128 || v > i64::MAX as i128 {
            return None;
        }
        Some(v)
    } else {
        Some(value as i128)
    }
}

/// `strconv.ParseFloat(s, 64)` for the forms the lexer can produce (decimal and hex floats, with
/// underscores); `None` on syntax or range error.
pub fn parse_float(text: &str) -> Option<f64> {
    if text.contains('_') && !underscore_ok(text) {
        return None;
    }
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let (neg, body) = match clean.as_bytes().first()? {
        b'+' => (false, &clean[1..]),
        b'-' => (true, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let value = if body.len() > 2
        && body.as_bytes()[0] == b'0'
        && matches!(body.as_bytes()[1], b'x' | b'X')
    {
        parse_hex_float(&body[2..])?
    } else {
        if !body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        let v: f64 = body.parse().ok()?;
        if v.is_infinite() {
            return None;
        }
        v
    };
    Some(if neg { -value } else { value })
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = match s.find(['p', 'P']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
        None => return None,
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int_part.chars().chain(frac_part.chars()) {
        value = value * 16.0 + c.to_digit(16)? as f64;
    }
    let shift = exp - 4 * frac_part.len() as i32;
    let v = value * 2f64.powi(shift);
    if v.is_infinite() {
        return None;
    }
    Some(v)
}

/// Go's `strconv.UnquoteChar`: one (possibly escaped) character of a quoted literal, and the rest.
/// Byte escapes (`\xff`, `\377`) come back as chars U+0000–U+00FF flagged by the caller's context.
fn unquote_char_raw(s: &str, quote: char) -> Result<(u32, bool, &str), String> {
    let mut chars = s.chars();
    let c = chars.next().ok_or(INVALID_SYNTAX)?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(INVALID_SYNTAX.into());
    }
    if c != '\\' {
        return Ok((c as u32, false, chars.as_str()));
    }
    let e = chars.next().ok_or(INVALID_SYNTAX)?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some(7),
        'b' => Some(8),
        'f' => Some(12),
        'n' => Some(10),
        'r' => Some(13),
        't' => Some(9),
        'v' => Some(11),
        '\\' => Some('\\' as u32),
        '\'' | '"' => {
            if e != quote {
                return Err(INVALID_SYNTAX.into());
            }
            Some(e as u32)
        }
        _ => None,
    };
    if let Some(v) = simple {
        return Ok((v, false, rest));
    }
    match e {
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let hex = rest.get(..n).ok_or(INVALID_SYNTAX)?;
            let v = u32::from_str_radix(hex, 16).map_err(|_| INVALID_SYNTAX)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(INVALID_SYNTAX.into());
            }
            if e == 'x' {
                return Ok((v, true, &rest[n..]));
            }
            if char::from_u32(v).is_none() {
                return Err(INVALID_SYNTAX.into());
            }
            Ok((v, false, &rest[n..]))
        }
        '0'..='7' => {
            let oct = s.get(1..4).ok_or(INVALID_SYNTAX)?;
            if !oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return Err(INVALID_SYNTAX.into());
            }
            let v = u32::from_str_radix(oct, 8).map_err(|_| INVALID_SYNTAX)?;
            if v > 255 {
                return Err(INVALID_SYNTAX.into());
            }
            Ok((v, true, &s[4..]))
        }
        _ => Err(INVALID_SYNTAX.into()),
    }
}

/// Go's `strconv.UnquoteChar`, returning the rune value.
pub fn unquote_char(s: &str, quote: char) -> Result<(u32, &str), String> {
    let (v, _, rest) = unquote_char_raw(s, quote)?;
    Ok((v, rest))
}

/// Go's `strconv.Unquote` for `"…"`, `` `…` `` and `'…'` literals.
pub fn unquote(s: &str) -> Result<String, String> {
    let mut chars = s.chars();
    let quote = chars.next().ok_or(INVALID_SYNTAX)?;
    if s.len() < 2 || !s.ends_with(quote) {
        return Err(INVALID_SYNTAX.into());
    }
    let body = &s[1..s.len() - 1];
    match quote {
        '`' => {
            if body.contains('`') {
                return Err(INVALID_SYNTAX.into());
            }
            Ok(body.replace('\r', ""))
        }
        '"' if !body.contains(['\\', '\n', '"']) => Ok(body.to_string()),
        '"' | '\'' => {
            if body.contains('\n') {
                return Err(INVALID_SYNTAX.into());
            }
            let mut bytes: Vec<u8> = Vec::with_capacity(body.len());
            let mut rest = body;
            let mut count = 0;
            while !rest.is_empty() {
                let (v, is_byte, tail) = unquote_char_raw(rest, quote)?;
                if is_byte {
                    bytes.push(v as u8);
                } else {
                    let c = char::from_u32(v).ok_or(INVALID_SYNTAX)?;
                    let mut buf = [0u8; 4];
                    bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                rest = tail;
                count += 1;
            }
            if quote == '\'' && count != 1 {
                return Err(INVALID_SYNTAX.into());
            }
            Ok(super::gostr::from_vec(bytes))
        }
        _ => Err(INVALID_SYNTAX.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str) -> Number {
        parse_number(0, text, ItemType::Number).unwrap()
    }

    #[test]
    fn integers_in_every_base() {
        assert_eq!(num("0x1F").int, 31);
        assert_eq!(num("0o17").int, 15);
        assert_eq!(num("017").int, 15);
        assert_eq!(num("0b101").int, 5);
        assert_eq!(num("1_000").int, 1000);
        assert_eq!(num("-5").int, -5);
        assert!(!num("-5").is_uint);
    }

    #[test]
    fn floats_and_errors() {
        assert_eq!(num("1e3").float, 1000.0);
        assert!(num("1e3").is_int);
        assert_eq!(num("0x1p-2").float, 0.25);
        assert_eq!(num("1.5").float, 1.5);
        assert!(!num("1.5").is_int);
        assert_eq!(
            parse_number(0, "08", ItemType::Number).unwrap_err(),
            "integer overflow: \"08\""
        );
        assert_eq!(
            parse_number(0, "99999999999999999999", ItemType::Number).unwrap_err(),
            "integer overflow: \"99999999999999999999\""
        );
    }

    #[test]
    fn strings_unquote_like_go() {
        assert_eq!(
            unquote(r#""a\tb\u00e9\U0001F600\x41\101""#).unwrap(),
            "a\tbé😀AA"
        );
        assert_eq!(unquote("`a\\n\r`").unwrap(), "a\\n");
        assert_eq!(unquote(r#""\'""#).unwrap_err(), "invalid syntax");
        assert_eq!(unquote(r#""\xc3\xa9""#).unwrap(), "é");
        // Without escapes the body is the value (the fast path), as in Go.
        assert_eq!(unquote(r#""plain é text""#).unwrap(), "plain é text");
        assert_eq!(unquote(r#""""#).unwrap(), "");
        assert_eq!(unquote("\"a\nb\"").unwrap_err(), "invalid syntax");
        assert_eq!(unquote(r#""a"b""#).unwrap_err(), "invalid syntax");
    }

    #[test]
    fn char_constants() {
        assert_eq!(
            parse_number(0, "'a'", ItemType::CharConstant).unwrap().int,
            97
        );
        assert_eq!(
            parse_number(0, "'\\n'", ItemType::CharConstant)
                .unwrap()
                .int,
            10
        );
    }
}

/// A `complex128` constant (`1i`, `2+3i`) as a template value: printed as Go's `%v` prints it
/// (`(0+1i)`), `%T` `complex128`. No template function computes with complex numbers.
#[derive(Debug)]
pub struct Complex128 {
    text: String,
    /// Whether both parts are zero (Go's truth: a zero complex is false).
    zero: bool,
}

impl Complex128 {
    pub fn value(re: f64, im: f64) -> super::value::Value {
        let im_s = super::fmt::format_float_g(im);
        let sign = if im_s.starts_with(['-', '+']) {
            ""
        } else {
            "+"
        };
        let text = format!("({}{sign}{im_s}i)", super::fmt::format_float_g(re));
        super::value::Value::Object(std::rc::Rc::new(Complex128 {
            text,
            zero: re == 0.0 && im == 0.0,
        }))
    }
}

impl super::value::Object for Complex128 {
    fn type_name(&self) -> &str {
        "complex128"
    }

    fn kind_name(&self) -> &str {
        "complex128"
    }

    fn field(&self, _: &str) -> Option<super::value::Value> {
        None
    }

    fn format_v(&self) -> String {
        self.text.clone()
    }

    fn truthy(&self) -> bool {
        !self.zero
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
