//! YAML 1.1 implicit typing of plain scalars, as go-yaml v2's `resolve` does it.
//!
//! Helm reads YAML through sigs.k8s.io/yaml, which uses a fork of go-yaml v2: a plain (unquoted) scalar
//! is a bool when it is one of `y Y yes Yes YES on On ON true True TRUE` (and the `n/no/off/false`
//! family), null when empty or `~ null Null NULL`, a float for `.inf`/`.nan` spellings, an integer when
//! Go's `strconv.ParseInt(s, 0, 64)` accepts it after removing `_` (so `0777` is octal, `0x1F` hex,
//! `0o17` and `0b101` work too), a float when it matches go-yaml's float pattern, a timestamp when it
//! looks like one (`2001-12-14`, which Helm keeps as the original string), and a string otherwise.
//!
//! The emitter uses the same rules to decide which strings must be quoted (`"yes"`, `"1e3"`, `"08"`).

/// What a plain scalar resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer above `i64::MAX` that fits a `u64`.
    Uint(u64),
    Float(f64),
    /// A timestamp; Helm sees the original text as a string.
    Timestamp,
    /// A `<<` merge key.
    Merge,
    Str,
}

/// Resolves a plain scalar the way go-yaml v2 does for an untagged node.
pub fn resolve_plain(s: &str) -> Resolved {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false)
        }
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        "<<" => return Resolved::Merge,
        _ => {}
    }
    let first = s.as_bytes()[0];
    match first {
        b'.' => match parse_go_float(s) {
            Some(f) => Resolved::Float(f),
            None => Resolved::Str,
        },
        b'+' | b'-' | b'0'..=b'9' => resolve_numeric(s),
        _ => Resolved::Str,
    }
}

fn resolve_numeric(s: &str) -> Resolved {
    if looks_like_timestamp(s) {
        return Resolved::Timestamp;
    }
    let plain: String = s.chars().filter(|c| *c != '_').collect();
    if let Some(i) = parse_go_int(&plain) {
        return Resolved::Int(i);
    }
    if let Some(u) = parse_go_uint(&plain) {
        return Resolved::Uint(u);
    }
    if is_yaml_style_float(&plain) {
        if let Some(f) = parse_go_float(&plain) {
            return Resolved::Float(f);
        }
    }
    if let Some(bits) = plain.strip_prefix("0b") {
        if let Ok(i) = i64::from_str_radix(bits, 2) {
            if !bits.starts_with(['+', '-']) {
                return Resolved::Int(i);
            }
        }
        if let Ok(u) = u64::from_str_radix(bits, 2) {
            if !bits.starts_with('+') {
                return Resolved::Uint(u);
            }
        }
    } else if let Some(bits) = plain.strip_prefix("-0b") {
        if !bits.starts_with(['+', '-']) {
            if let Ok(i) = i64::from_str_radix(&format!("-{bits}"), 2) {
                return Resolved::Int(i);
            }
        }
    }
    Resolved::Str
}

/// Go's `strconv.ParseInt(s, 0, 64)` (after go-yaml removed underscores): optional sign, then a `0x`,
/// `0o`, `0b` or leading-`0` (octal) prefix, or decimal digits.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, body) = split_sign(s);
    let magnitude = parse_go_magnitude(body)?;
    if negative {
        if magnitude <= i64::MAX as u64 + 1 {
            Some((magnitude as i64).wrapping_neg())
        } else {
            None
        }
    } else if magnitude <= i64::MAX as u64 {
        Some(magnitude as i64)
    } else {
        None
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: no sign allowed.
pub fn parse_go_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    parse_go_magnitude(s)
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = s.strip_prefix('+') {
        (false, rest)
    } else {
        (false, s)
    }
}

fn parse_go_magnitude(body: &str) -> Option<u64> {
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms go-yaml lets through (and `.5`-style
/// forms). Out-of-range values are an error in Go, so they resolve as strings.
pub fn parse_go_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let ok = !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !ok {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() {
        None
    } else {
        Some(f)
    }
}

/// go-yaml's timestamp check: `YYYY-M-D`, optionally followed by a time in one of the formats it
/// accepts (`T`/`t`/space separated, fractional seconds, `Z` or `±hh:mm` zone).
pub fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut p = Cursor { b, i: 5 };
    let Some(month) = p.number(1, 2) else {
        return false;
    };
    if !p.eat(b'-') {
        return false;
    }
    let Some(day) = p.number(1, 2) else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(&b[..4], month) {
        return false;
    }
    if p.done() {
        return true;
    }
    let sep = b[p.i];
    p.i += 1;
    if !matches!(sep, b'T' | b't' | b' ') {
        return false;
    }
    if !p.clock() {
        return false;
    }
    if sep == b' ' {
        return p.done();
    }
    // RFC 3339 zone: Z or ±hh:mm.
    if p.eat(b'Z') {
        return p.done();
    }
    if p.i < b.len() && (b[p.i] == b'+' || b[p.i] == b'-') {
        p.i += 1;
        // Go's time.Parse allows offsets of 24 hours and 60 minutes (`+24:60`).
        let ok = p.number(2, 2).is_some_and(|h| h <= 24)
            && p.eat(b':')
            && p.number(2, 2).is_some_and(|m| m <= 60);
        return ok && p.done();
    }
    false
}

fn days_in_month(year: &[u8], month: u32) -> u32 {
    let y: u32 = std::str::from_utf8(year)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    match month {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i == self.b.len()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.i < self.b.len() && self.b[self.i] == c {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i - start < min {
            return None;
        }
        std::str::from_utf8(&self.b[start..self.i])
            .ok()?
            .parse()
            .ok()
    }

    /// `15:4:5` with an optional fraction, after a `.` or (Go ≥ 1.17's time.Parse) a `,`.
    fn clock(&mut self) -> bool {
        let ok = self.number(1, 2).is_some_and(|h| h < 24)
            && self.eat(b':')
            && self.number(1, 2).is_some_and(|m| m < 60)
            && self.eat(b':')
            && self.number(1, 2).is_some_and(|s| s < 60);
        if !ok {
            return false;
        }
        if self.eat(b'.') || self.eat(b',') {
            let start = self.i;
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                self.i += 1;
            }
            return self.i > start;
        }
        true
    }
}

/// go-yaml's base-60 float pattern (`1:20`, `-1_0:30.5`), which the emitter quotes.
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !(b[0] == b'+' || b[0] == b'-' || b[0].is_ascii_digit()) || !s.contains(':')
    {
        return false;
    }
    let mut i = usize::from(b[0] == b'+' || b[0] == b'-');
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let n = i - start;
        if n == 0 || (n == 2 && b[start] > b'5') {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_booleans_and_nulls() {
        assert_eq!(resolve_plain("yes"), Resolved::Bool(true));
        assert_eq!(resolve_plain("Off"), Resolved::Bool(false));
        assert_eq!(resolve_plain("y"), Resolved::Bool(true));
        assert_eq!(resolve_plain("yEs"), Resolved::Str);
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain(""), Resolved::Null);
    }

    #[test]
    fn go_integer_prefixes() {
        assert_eq!(resolve_plain("0777"), Resolved::Int(511));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("0o17"), Resolved::Int(15));
        assert_eq!(resolve_plain("0b101"), Resolved::Int(5));
        assert_eq!(resolve_plain("-0b101"), Resolved::Int(-5));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("+12"), Resolved::Int(12));
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Resolved::Uint(u64::MAX)
        );
    }

    #[test]
    fn floats() {
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("1."), Resolved::Float(1.0));
        assert_eq!(resolve_plain("1e"), Resolved::Str);
        assert_eq!(resolve_plain("1.2.3"), Resolved::Str);
        assert!(matches!(resolve_plain(".inf"), Resolved::Float(f) if f.is_infinite()));
        assert_eq!(resolve_plain("1e400"), Resolved::Str);
    }

    #[test]
    fn timestamps() {
        assert_eq!(resolve_plain("2001-12-14"), Resolved::Timestamp);
        assert_eq!(
            resolve_plain("2001-12-14T21:59:43.10Z"),
            Resolved::Timestamp
        );
        assert_eq!(resolve_plain("2001-12-14 21:59:43.10"), Resolved::Timestamp);
        assert_eq!(resolve_plain("2001-13-14"), Resolved::Str);
        assert_eq!(resolve_plain("2001-12-14x"), Resolved::Str);
        // Go's time.Parse: a `,` before the fraction, offsets up to +24:60, not +25:00 or +01:61.
        assert_eq!(
            resolve_plain("2023-12-31T1:00:00,5-01:00"),
            Resolved::Timestamp
        );
        assert_eq!(resolve_plain("2023-12-31 1:00:00,5"), Resolved::Timestamp);
        assert_eq!(
            resolve_plain("2023-12-31T23:59:59+24:60"),
            Resolved::Timestamp
        );
        assert_eq!(resolve_plain("2023-12-31T23:59:59+25:00"), Resolved::Str);
        assert_eq!(resolve_plain("2023-12-31T23:59:59+01:61"), Resolved::Str);
        assert_eq!(resolve_plain("2023-12-31T23:59:59,Z"), Resolved::Str);
    }

    #[test]
    fn base60() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30.15"));
        assert!(!is_base60_float("1:2a"));
        assert!(!is_base60_float("a:1"));
    }
}
