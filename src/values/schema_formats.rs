//! The `format` checks of Helm v3.17.3's schema validator, xeipuuv/gojsonschema v1.2.0
//! (`format_checkers.go`), with the Go 1.23 standard library helm v3.17.3 is built with.
//!
//! gojsonschema knows 17 formats; any other name passes. A string is checked by the format's rule
//! (below); a number with a known format always fails (every checker returns false for anything but
//! a string, and numbers are handed to it); booleans, nulls, arrays and objects pass. The checks are
//! the same whatever draft the schema names.
//!
//! | format | passes when |
//! | --- | --- |
//! | `date` | `time.Parse("2006-01-02")` |
//! | `time` | `time.Parse` with `15:04:05Z07:00` or `15:04:05` |
//! | `date-time` | `time.Parse` with one of `15:04:05`, `15:04:05Z07:00`, `2006-01-02`, RFC 3339 |
//! | `email`, `idn-email` | `net/mail.ParseAddress` (display names, groups, comments) |
//! | `hostname` | labels of 1–63 ASCII letters, digits and inner `-`, under 256 bytes |
//! | `ipv4`, `ipv6` | `net.ParseIP`, and a `.` (`ipv4`) or a `:` (`ipv6`) |
//! | `uri`, `iri` | `url.Parse` with a scheme, no `\` |
//! | `uri-reference`, `iri-reference` | `url.Parse`, no `\` |
//! | `uri-template` | as `uri-reference`, every `{` of the path closed |
//! | `uuid` | lower-case hex only, 8-4-4-4-12 |
//! | `regex` | empty, or Go's `regexp.Compile` (RE2) |
//! | `json-pointer`, `relative-json-pointer` | RFC 6901 / the draft's relative pointer, `~` only as `~0`/`~1` |
use crate::go_net::{parse, parse_ip, GoUrl};

/// The formats gojsonschema checks; any other passes.
const KNOWN: [&str; 17] = [
    "date",
    "time",
    "date-time",
    "hostname",
    "email",
    "idn-email",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "uuid",
    "regex",
    "json-pointer",
    "relative-json-pointer",
];

/// Whether gojsonschema has a checker for `format`.
pub(crate) fn known(format: &str) -> bool {
    KNOWN.contains(&format)
}

/// gojsonschema's verdict on a JSON value for `format`.
pub(crate) fn is_format(format: &str, value: &serde_json::Value) -> bool {
    if !known(format) {
        return true;
    }
    match value {
        serde_json::Value::String(s) => check(format, s),
        serde_json::Value::Number(_) => false,
        _ => true,
    }
}

/// gojsonschema's verdict on a string for one of its formats (`true` for any other name).
pub(crate) fn check(format: &str, s: &str) -> bool {
    match format {
        "date" => go_time(s, &[DATE]),
        "time" => go_time(s, &[TIME_ZONE, TIME]),
        "date-time" => go_time(s, &[TIME, TIME_ZONE, DATE, RFC3339, RFC3339_NANO]),
        "hostname" => hostname(s),
        "email" | "idn-email" => mail_address(s.as_bytes()),
        "ipv4" => s.contains('.') && parse_ip(s.as_bytes()),
        "ipv6" => s.contains(':') && parse_ip(s.as_bytes()),
        "uri" | "iri" => !s.contains('\\') && parse(s, GoUrl::Go123).is_ok_and(|u| u.is_abs()),
        "uri-reference" | "iri-reference" => !s.contains('\\') && parse(s, GoUrl::Go123).is_ok(),
        "uri-template" => {
            !s.contains('\\') && parse(s, GoUrl::Go123).is_ok_and(|u| braces_paired(&u.path))
        }
        "uuid" => uuid(s.as_bytes()),
        "regex" => s.is_empty() || crate::template::funcs::sprig::regex::compile_go(s).is_ok(),
        "json-pointer" => json_pointer(s.as_bytes()),
        "relative-json-pointer" => relative_json_pointer(s.as_bytes()),
        _ => true,
    }
}

/// gojsonschema's `^([^{]*({[^}]*})?)*$`: every `{` closed by a later `}` (a `{` inside braces
/// and a `}` outside them are plain characters).
fn braces_paired(path: &[u8]) -> bool {
    let mut inside = false;
    for &c in path {
        match c {
            b'{' if !inside => inside = true,
            b'}' if inside => inside = false,
            _ => {}
        }
    }
    !inside
}

/// `^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])(\.(…same…))*$` and under 256 bytes.
fn hostname(s: &str) -> bool {
    s.len() < 256
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            (1..=63).contains(&b.len())
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

/// `^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$` (lower case only).
fn uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// `^(?:/(?:[^~/]|~0|~1)*)*$`: empty, or a `/` first and every `~` followed by `0` or `1`.
fn json_pointer(s: &[u8]) -> bool {
    if s.first().is_some_and(|&c| c != b'/') {
        return false;
    }
    s.iter()
        .enumerate()
        .all(|(i, &c)| c != b'~' || matches!(s.get(i + 1), Some(b'0' | b'1')))
}

/// `^(?:0|[1-9][0-9]*)(?:#|(?:/(?:[^~/]|~0|~1)*)*)$`: a number without leading zeros, then `#`
/// alone or a JSON pointer.
fn relative_json_pointer(s: &[u8]) -> bool {
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || (digits > 1 && s[0] == b'0') {
        return false;
    }
    let rest = &s[digits..];
    rest == b"#" || json_pointer(rest)
}

// ---------------------------------------------------------------------------------------------
// time.Parse (Go 1.23 `time/format.go`), for the layouts gojsonschema uses.

/// One element of a layout: a literal, or one of Go's `std` chunks.
#[derive(Clone, Copy, PartialEq)]
enum Chunk {
    Lit(u8),
    /// `2006`: four bytes, the first a digit, all of them digits.
    LongYear,
    /// `01`: two digits, 1–12.
    ZeroMonth,
    /// `02`: two digits (checked against the month at the end).
    ZeroDay,
    /// `15`: one or two digits, under 24.
    Hour,
    /// `04`: two digits, under 60.
    ZeroMinute,
    /// `05`: two digits, under 60, and a fraction (`.` or `,` and digits) when no fraction chunk
    /// follows.
    ZeroSecond,
    /// `.999999999`: an optional fraction of any number of digits.
    Frac9,
    /// `Z07:00`: `Z`, or a sign, two digits (≤ 24), `:`, two digits (≤ 60).
    ColonZone,
}

use Chunk::*;

const TIME: &[Chunk] = &[Hour, Lit(b':'), ZeroMinute, Lit(b':'), ZeroSecond];
const TIME_ZONE: &[Chunk] = &[
    Hour,
    Lit(b':'),
    ZeroMinute,
    Lit(b':'),
    ZeroSecond,
    ColonZone,
];
const DATE: &[Chunk] = &[LongYear, Lit(b'-'), ZeroMonth, Lit(b'-'), ZeroDay];
const RFC3339: &[Chunk] = &[
    LongYear,
    Lit(b'-'),
    ZeroMonth,
    Lit(b'-'),
    ZeroDay,
    Lit(b'T'),
    Hour,
    Lit(b':'),
    ZeroMinute,
    Lit(b':'),
    ZeroSecond,
    ColonZone,
];
const RFC3339_NANO: &[Chunk] = &[
    LongYear,
    Lit(b'-'),
    ZeroMonth,
    Lit(b'-'),
    ZeroDay,
    Lit(b'T'),
    Hour,
    Lit(b':'),
    ZeroMinute,
    Lit(b':'),
    ZeroSecond,
    Frac9,
    ColonZone,
];

/// Whether `time.Parse` accepts `s` with one of `layouts`. (`time.Parse`'s RFC 3339 fast path
/// accepts a subset of what its general parser does, so only the general one is written.)
fn go_time(s: &str, layouts: &[&[Chunk]]) -> bool {
    layouts.iter().any(|layout| parses(s.as_bytes(), layout))
}

/// Go's `getnum`: one digit, or two; `fixed` wants two.
fn getnum(v: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    let d0 = v.first().filter(|c| c.is_ascii_digit())?;
    match v.get(1).filter(|c| c.is_ascii_digit()) {
        Some(d1) => Some((u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'), &v[2..])),
        None if fixed => None,
        None => Some((u32::from(d0 - b'0'), &v[1..])),
    }
}

/// A fraction `.123` / `,123`: the bytes after it, when `v` starts with one.
fn fraction(v: &[u8]) -> Option<&[u8]> {
    if v.len() >= 2 && matches!(v[0], b'.' | b',') && v[1].is_ascii_digit() {
        let n = 1 + v[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        Some(&v[n..])
    } else {
        None
    }
}

fn parses(mut v: &[u8], layout: &[Chunk]) -> bool {
    let (mut year, mut month, mut day) = (0u32, 1u32, 1u32);
    for (i, chunk) in layout.iter().enumerate() {
        match *chunk {
            Lit(c) => match v.split_first() {
                Some((&first, rest)) if first == c => v = rest,
                _ => return false,
            },
            LongYear => {
                if v.len() < 4 || !v[..4].iter().all(u8::is_ascii_digit) {
                    return false;
                }
                year = v[..4].iter().fold(0, |n, c| n * 10 + u32::from(c - b'0'));
                v = &v[4..];
            }
            ZeroMonth => match getnum(v, true) {
                Some((m, rest)) if (1..=12).contains(&m) => (month, v) = (m, rest),
                _ => return false,
            },
            ZeroDay => match getnum(v, true) {
                Some((d, rest)) => (day, v) = (d, rest),
                None => return false,
            },
            Hour => match getnum(v, false) {
                Some((h, rest)) if h < 24 => v = rest,
                _ => return false,
            },
            ZeroMinute => match getnum(v, true) {
                Some((m, rest)) if m < 60 => v = rest,
                _ => return false,
            },
            ZeroSecond => match getnum(v, true) {
                Some((sec, rest)) if sec < 60 => {
                    v = rest;
                    if layout.get(i + 1) != Some(&Frac9) {
                        if let Some(rest) = fraction(v) {
                            v = rest;
                        }
                    }
                }
                _ => return false,
            },
            Frac9 => {
                if let Some(rest) = fraction(v) {
                    v = rest;
                }
            }
            ColonZone => {
                if v.first() == Some(&b'Z') {
                    v = &v[1..];
                    continue;
                }
                if v.len() < 6 || v[3] != b':' || !matches!(v[0], b'+' | b'-') {
                    return false;
                }
                match (getnum(&v[1..3], true), getnum(&v[4..6], true)) {
                    (Some((h, _)), Some((m, _))) if h <= 24 && m <= 60 => v = &v[6..],
                    _ => return false,
                }
            }
        }
    }
    v.is_empty() && day >= 1 && day <= days_in(month, year)
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// ---------------------------------------------------------------------------------------------
// net/mail.ParseAddress (Go 1.23 `net/mail/message.go`): the verdict only.

/// Whether `mail.ParseAddress` accepts `s`.
fn mail_address(s: &[u8]) -> bool {
    let mut p = Mail { s };
    // parseSingleAddress
    let Some(count) = p.parse_address(true) else {
        return false;
    };
    p.skip_cfws() && p.s.is_empty() && count == 1
}

/// `utf8.DecodeRune`: the rune (U+FFFD for a bad byte) and its length (0 at the end).
fn decode_rune(s: &[u8]) -> (char, usize) {
    let Some(&lead) = s.first() else {
        return ('\u{FFFD}', 0);
    };
    let width = match lead {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return ('\u{FFFD}', 1),
    };
    match s
        .get(..width)
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|t| t.chars().next())
    {
        Some(c) => (c, width),
        None => ('\u{FFFD}', 1),
    }
}

fn is_vchar(r: char) -> bool {
    ('!'..='~').contains(&r) || r as u32 >= 0x80
}

fn is_wsp(r: char) -> bool {
    r == ' ' || r == '\t'
}

fn is_atext(r: char, dot: bool) -> bool {
    match r {
        '.' => dot,
        '(' | ')' | '<' | '>' | '[' | ']' | ':' | ';' | '@' | '\\' | ',' | '"' => false,
        _ => is_vchar(r),
    }
}

fn is_qtext(r: char) -> bool {
    r != '\\' && r != '"' && is_vchar(r)
}

fn is_dtext(r: char) -> bool {
    r != '[' && r != ']' && r != '\\' && is_vchar(r)
}

/// Go's `addrParser` over the rest of the input.
struct Mail<'a> {
    s: &'a [u8],
}

impl<'a> Mail<'a> {
    fn consume(&mut self, c: u8) -> bool {
        if self.s.first() == Some(&c) {
            self.s = &self.s[1..];
            true
        } else {
            false
        }
    }

    fn skip_space(&mut self) {
        while matches!(self.s.first(), Some(b' ' | b'\t')) {
            self.s = &self.s[1..];
        }
    }

    fn skip_cfws(&mut self) -> bool {
        self.skip_space();
        while self.consume(b'(') {
            if self.consume_comment().is_none() {
                return false;
            }
            self.skip_space();
        }
        true
    }

    /// The comment's text (escapes removed) once its `(` is consumed; `None` when unclosed.
    fn consume_comment(&mut self) -> Option<Vec<u8>> {
        let mut depth = 1;
        let mut comment = Vec::new();
        while !self.s.is_empty() && depth > 0 {
            if self.s[0] == b'\\' && self.s.len() > 1 {
                self.s = &self.s[1..];
            } else if self.s[0] == b'(' {
                depth += 1;
            } else if self.s[0] == b')' {
                depth -= 1;
            }
            if depth > 0 {
                comment.push(self.s[0]);
            }
            self.s = &self.s[1..];
        }
        (depth == 0).then_some(comment)
    }

    /// `parseAddress`: how many addresses it read (a group may hold none or several).
    fn parse_address(&mut self, handle_group: bool) -> Option<usize> {
        self.skip_space();
        if self.s.is_empty() {
            return None;
        }
        if self.consume_addr_spec() {
            self.skip_space();
            if self.s.first() == Some(&b'(') && !self.consume_display_name_comment() {
                return None;
            }
            return Some(1);
        }
        if self.s[0] != b'<' && !self.consume_phrase() {
            return None;
        }
        self.skip_space();
        if handle_group && self.consume(b':') {
            return self.consume_group_list();
        }
        if !self.consume(b'<') || !self.consume_addr_spec() || !self.consume(b'>') {
            return None;
        }
        Some(1)
    }

    fn consume_group_list(&mut self) -> Option<usize> {
        let mut count = 0;
        self.skip_space();
        if self.consume(b';') {
            return self.skip_cfws().then_some(0);
        }
        loop {
            self.skip_space();
            count += self.parse_address(false)?;
            if !self.skip_cfws() {
                return None;
            }
            if self.consume(b';') {
                return self.skip_cfws().then_some(count);
            }
            if !self.consume(b',') {
                return None;
            }
        }
    }

    /// `consumeAddrSpec`; on failure the input is left as it was.
    fn consume_addr_spec(&mut self) -> bool {
        let orig = self.s;
        let ok = self.addr_spec();
        if !ok {
            self.s = orig;
        }
        ok
    }

    fn addr_spec(&mut self) -> bool {
        self.skip_space();
        if self.s.is_empty() {
            return false;
        }
        let local = if self.s[0] == b'"' {
            matches!(self.consume_quoted_string(), Some(q) if !q.is_empty())
        } else {
            self.consume_atom(true, false)
        };
        if !local || !self.consume(b'@') {
            return false;
        }
        self.skip_space();
        if self.s.is_empty() {
            return false;
        }
        if self.s[0] == b'[' {
            self.consume_domain_literal()
        } else {
            self.consume_atom(true, false)
        }
    }

    /// `consumePhrase`: false when it read no word (or a comment between words was unclosed).
    fn consume_phrase(&mut self) -> bool {
        let mut words = 0;
        loop {
            if words > 0 && !self.skip_cfws() {
                return false;
            }
            self.skip_space();
            if self.s.is_empty() {
                break;
            }
            let ok = if self.s[0] == b'"' {
                self.consume_quoted_string().is_some()
            } else {
                let start = self.s;
                self.consume_atom(true, true) && {
                    let word = &start[..start.len() - self.s.len()];
                    !rfc2047_charset_error(word)
                }
            };
            if !ok {
                break;
            }
            words += 1;
        }
        words > 0
    }

    /// `consumeQuotedString` (at the opening `"`): the content, `None` on an error.
    fn consume_quoted_string(&mut self) -> Option<Vec<char>> {
        let mut i = 1;
        let mut out = Vec::new();
        let mut escaped = false;
        loop {
            let (r, size) = decode_rune(&self.s[i..]);
            if size == 0 || (size == 1 && r == '\u{FFFD}') {
                return None;
            }
            if escaped {
                if !is_vchar(r) && !is_wsp(r) {
                    return None;
                }
                out.push(r);
                escaped = false;
            } else if is_qtext(r) || is_wsp(r) {
                out.push(r);
            } else if r == '"' {
                break;
            } else if r == '\\' {
                escaped = true;
            } else {
                return None;
            }
            i += size;
        }
        self.s = &self.s[i + 1..];
        Some(out)
    }

    /// `consumeAtom`: a dot-atom (`dot`), strict about dots unless `permissive`.
    fn consume_atom(&mut self, dot: bool, permissive: bool) -> bool {
        let mut i = 0;
        loop {
            let (r, size) = decode_rune(&self.s[i..]);
            if size == 1 && r == '\u{FFFD}' {
                return false;
            }
            if size == 0 || !is_atext(r, dot) {
                break;
            }
            i += size;
        }
        if i == 0 {
            return false;
        }
        let atom = &self.s[..i];
        self.s = &self.s[i..];
        permissive
            || !(atom[0] == b'.'
                || atom[atom.len() - 1] == b'.'
                || atom.windows(2).any(|w| w == b".."))
    }

    fn consume_domain_literal(&mut self) -> bool {
        if !self.consume(b'[') {
            return false;
        }
        let start = self.s;
        loop {
            match self.s.first() {
                None => return false,
                Some(b']') => break,
                Some(_) => {}
            }
            let (r, size) = decode_rune(self.s);
            if (size == 1 && r == '\u{FFFD}') || !is_dtext(r) {
                return false;
            }
            self.s = &self.s[size..];
        }
        let dtext = &start[..start.len() - self.s.len()];
        self.consume(b']') && parse_ip(dtext)
    }

    fn consume_display_name_comment(&mut self) -> bool {
        if !self.consume(b'(') {
            return false;
        }
        let Some(comment) = self.consume_comment() else {
            return false;
        };
        !comment
            .split(|c| *c == b' ' || *c == b'\t')
            .filter(|w| !w.is_empty())
            .any(rfc2047_charset_error)
    }
}

/// Whether `mime.WordDecoder.Decode` of `word` fails in its charset step, the only failure
/// `net/mail` passes on: a well-formed encoded word (`=?charset?B|Q?text?=`, four `?`, decodable
/// text) whose charset is not UTF-8, ISO-8859-1 or US-ASCII.
fn rfc2047_charset_error(word: &[u8]) -> bool {
    if word.len() < 8
        || !word.starts_with(b"=?")
        || !word.ends_with(b"?=")
        || word.iter().filter(|c| **c == b'?').count() != 4
    {
        return false;
    }
    let inner = &word[2..word.len() - 2];
    let mut parts = inner.splitn(3, |c| *c == b'?');
    let (Some(charset), Some(encoding), Some(text)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if charset.is_empty() || encoding.len() != 1 {
        return false;
    }
    let decodes = match encoding[0] {
        b'B' | b'b' => crate::template::funcs::sprig::encoding::base64_decode(text).is_ok(),
        b'Q' | b'q' => q_decodes(text),
        _ => false,
    };
    decodes
        && !["utf-8", "iso-8859-1", "us-ascii"]
            .iter()
            .any(|known| charset.eq_ignore_ascii_case(known.as_bytes()))
}

/// Whether `mime`'s `qDecode` accepts `s`.
fn q_decodes(s: &[u8]) -> bool {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'=' => {
                if i + 2 >= s.len()
                    || !s[i + 1].is_ascii_hexdigit()
                    || !s[i + 2].is_ascii_hexdigit()
                {
                    return false;
                }
                i += 2;
            }
            b'_' | b' '..=b'~' | b'\n' | b'\r' | b'\t' => {}
            _ => return false,
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_as_go_parses_them() {
        for ok in [
            "2024-02-29",
            "0000-02-29",
            "2023-12-31T23:59:59Z",
            "2023-12-31T23:59:59.123456789123+24:60",
            "2023-12-31T1:00:00,5-01:00",
            "1:02:03",
            "23:59:59.5",
            "12:00:00Z",
        ] {
            assert!(check("date-time", ok), "{ok}");
        }
        for bad in [
            "2023-02-29",
            "2023-12-31t23:59:59Z",
            "2023-12-31T23:59:59z",
            "2023-12-31T24:00:00Z",
            "2023-12-31T23:59:60Z",
            "2023-12-31T23:59:59+25:00",
            "2023-12-31T23:59:59+01:61",
            "2023-12-31T23:59:59+0100",
            "2023-12-31 23:59:59Z",
            "23-12-31",
            "+023-12-31",
            "2023-1-31",
            "12:00",
            "",
        ] {
            assert!(!check("date-time", bad), "{bad}");
        }
        assert!(check("date", "2024-02-29"));
        assert!(!check("date", "2024-02-29T00:00:00Z"));
        assert!(check("time", "1:00:00+01:00"));
        assert!(!check("time", "2024-02-29"));
    }

    #[test]
    fn emails_as_net_mail_parses_them() {
        for ok in [
            "a@b",
            "a.b@c.d",
            "\"a b\"@c",
            "John Doe <john@example.com>",
            "<a@b>",
            "a@b (comment)",
            "a@[1.2.3.4]",
            "a@[::1]",
            "g: a@b;",
            "=?utf-8?q?J=C3=B6rg?= <a@b>",
            "ü@ö",
        ] {
            assert!(check("email", ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b",
            ".a@b",
            "a..b@c",
            "a.@b",
            "a@b.",
            "a@[IPv6:::1]",
            "g:;",
            "g: a@b, c@d;",
            "a@b (unclosed",
            "=?x-unknown?q?a?= <a@b>",
            "a@b (=?x-unknown?q?a?=)",
            "a@b c@d",
            "\"\"@b",
        ] {
            assert!(!check("email", bad), "{bad}");
        }
    }

    #[test]
    fn the_regular_expression_formats() {
        assert!(check("uuid", "0a1b2c3d-0000-4000-8000-00000000abcd"));
        assert!(!check("uuid", "0A1B2C3D-0000-4000-8000-00000000ABCD"));
        assert!(check("hostname", "a-1.example.com"));
        for bad in ["", "a.", "-a", "a_b", "a..b", &"a".repeat(64)] {
            assert!(!check("hostname", bad), "{bad}");
        }
        assert!(!check("hostname", &["a"; 129].join(".")));
        assert!(check("json-pointer", ""));
        assert!(check("json-pointer", "/a~0b/~1/"));
        assert!(!check("json-pointer", "a"));
        assert!(!check("json-pointer", "/~2"));
        assert!(check("relative-json-pointer", "0#"));
        assert!(check("relative-json-pointer", "10/a"));
        assert!(!check("relative-json-pointer", "01"));
        assert!(!check("relative-json-pointer", "1#/"));
        assert!(check("regex", ""));
        assert!(check("regex", "^a+$"));
        assert!(!check("regex", "(?=a)"));
        assert!(!check("regex", "a**"));
    }

    #[test]
    fn numbers_fail_known_formats_and_pass_unknown_ones() {
        let n = serde_json::json!(5);
        assert!(!is_format("ipv4", &n));
        assert!(is_format("no-such-format", &n));
        assert!(is_format("idn-hostname", &serde_json::json!("-")));
        assert!(is_format("email", &serde_json::json!(true)));
    }
}

/// A differential sweep against gojsonschema (run by hand): `RUDDER_FORMAT_CORPUS` names a file of
/// JSON strings, one a line; for each string and each of gojsonschema's formats the verdict is
/// written to `RUDDER_FORMAT_OUT` as `["format","string","ok"|"bad"]` lines, the shape of a small Go
/// program that calls `gojsonschema.FormatCheckers.IsFormat` (docs/values.md).
#[cfg(test)]
#[test]
#[ignore = "needs RUDDER_FORMAT_CORPUS and RUDDER_FORMAT_OUT"]
fn sweep_against_gojsonschema() {
    use std::io::Write;
    let corpus = std::env::var("RUDDER_FORMAT_CORPUS").expect("RUDDER_FORMAT_CORPUS");
    let out = std::env::var("RUDDER_FORMAT_OUT").expect("RUDDER_FORMAT_OUT");
    let text = std::fs::read_to_string(corpus).expect("corpus");
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).expect("out"));
    for line in text.lines().filter(|l| !l.is_empty()) {
        let s: String = serde_json::from_str(line).expect("a JSON string");
        for format in KNOWN {
            let verdict = if check(format, &s) { "ok" } else { "bad" };
            let row = serde_json::to_string(&[format, s.as_str(), verdict]).expect("json");
            writeln!(w, "{row}").expect("write");
        }
    }
}
