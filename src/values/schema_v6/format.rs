//! The `format` checks santhosh-tekuri/jsonschema v6 makes, with its reasons. Helm (v3.18+) does
//! not call the library's `AssertFormat`, so formats are asserted in drafts 4, 6 and 7 only (from
//! draft 2019 on `format` is an annotation unless a metaschema's `$vocabulary` asks for
//! assertion, which Rudder does not read). Checked: `ipv4`, `hostname`, `uuid`, `regex`,
//! `json-pointer`, `relative-json-pointer`, `duration`, `period`, `email`, `date`, `time`,
//! `date-time`, `semver`, and with Go's `net/netip` and `net/url` (go1.26, as helm-unittest
//! v1.1.2 is built; `go_net.rs`) `ipv6` and `uri`, `iri`, `uri-reference`, `iri-reference`,
//! `uri-template`. In the library's v6.0.2 (the version Helm pins) `iri` is checked as `uri` and
//! `iri-reference` as `uri-reference`: non-ASCII passes both, a space fails both only where
//! Go's URL parser refuses it (in a host or the user information).
use serde_json::Value as Json;

use super::words::{int, quote_char};
use crate::go_net::{self, GoUrl};

/// `Some(Err(reason))` when `v` is a string that is not of the format; `None` for values and
/// formats not checked. `regex` compiles a Go pattern, `Err` with Go's error text.
pub fn check(
    name: &str,
    v: &Json,
    regex: impl Fn(&str) -> Result<(), String>,
) -> Option<Result<(), String>> {
    let Json::String(s) = v else { return None };
    match name {
        "ipv4" => Some(ipv4(s)),
        "hostname" => Some(hostname(s)),
        "uuid" => Some(uuid(s)),
        "regex" => Some(regex(s)),
        "json-pointer" => Some(json_pointer(s)),
        "relative-json-pointer" => Some(relative_json_pointer(s)),
        "duration" => Some(duration(s)),
        "period" => Some(period(s)),
        "email" => Some(email(s)),
        "date" => Some(date(s)),
        "time" => Some(time(s)),
        "date-time" => Some(date_time(s)),
        "semver" => Some(semver(s)),
        "ipv6" => Some(ipv6(s.as_bytes())),
        "uri" | "iri" => Some(uri(s)),
        "uri-reference" | "iri-reference" => Some(uri_reference(s)),
        "uri-template" => Some(uri_template(s)),
        _ => None,
    }
}

fn ipv4(s: &str) -> Result<(), String> {
    let groups: Vec<&str> = s.split('.').collect();
    if groups.len() != 4 {
        return Err("expected four decimals".to_string());
    }
    for g in groups {
        if g.len() > 1 && g.starts_with('0') {
            return Err("leading zeros".to_string());
        }
        let n: i64 = go_atoi(g)?;
        if !(0..=255).contains(&n) {
            return Err("decimal must be between 0 and 255".to_string());
        }
    }
    Ok(())
}

/// Go's `strconv.Atoi`, with its error text.
fn go_atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            super::go_quote(s)
        ));
    }
    s.parse::<i64>().map_err(|_| {
        format!(
            "strconv.Atoi: parsing {}: value out of range",
            super::go_quote(s)
        )
    })
}

/// `validateIPV6`: a colon, then `netip.ParseAddr` with no zone.
fn ipv6(s: &[u8]) -> Result<(), String> {
    if !s.contains(&b':') {
        return Err("missing colon".to_string());
    }
    if go_net::parse_addr(s)?.has_zone {
        return Err("zone id is not a part of ipv6 address".to_string());
    }
    Ok(())
}

/// `parseURL`: `url.Parse`, then a host with a colon must be a bracketed IPv6 address.
fn parse_url(s: &str) -> Result<go_net::Url, String> {
    let u = go_net::parse(s, GoUrl::Go126)?;
    let hostname = u.hostname();
    if hostname.contains(&b':') {
        if !u.host.contains(&b'[') || !u.host.contains(&b']') {
            return Err("ipv6 address not enclosed in brackets".to_string());
        }
        ipv6(hostname).map_err(|e| format!("invalid ipv6 address: {e}"))?;
    }
    Ok(u)
}

fn uri(s: &str) -> Result<(), String> {
    if !parse_url(s)?.is_abs() {
        return Err("relative url".to_string());
    }
    Ok(())
}

fn uri_reference(s: &str) -> Result<(), String> {
    if s.contains('\\') {
        return Err("contains \\".to_string());
    }
    parse_url(s).map(|_| ())
}

/// Each segment of the path as written (`RawPath`, empty when Go's own escaping gives the path
/// back) percent-decoded, its braces paired and not nested.
fn uri_template(s: &str) -> Result<(), String> {
    let u = parse_url(s)?;
    for token in u.raw_path.split(|&c| c == b'/') {
        let token =
            go_net::path_unescape(token).map_err(|e| format!("percent decode failed: {e}"))?;
        let mut want_open = true;
        for c in token {
            let open = match c {
                b'{' => true,
                b'}' => false,
                _ => continue,
            };
            if open != want_open {
                return Err("nested curly braces".to_string());
            }
            want_open = !want_open;
        }
        if !want_open {
            return Err("no matching closing brace".to_string());
        }
    }
    Ok(())
}

fn hostname(s: &str) -> Result<(), String> {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.len() > 253 {
        return Err("more than 253 characters long".to_string());
    }
    for label in s.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("label must be 1 to 63 characters long".to_string());
        }
        if label.starts_with('-') {
            return Err("label starts with hyphen".to_string());
        }
        if label.ends_with('-') {
            return Err("label ends with hyphen".to_string());
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!("invalid character {}", quote_char(c)));
        }
    }
    Ok(())
}

fn uuid(s: &str) -> Result<(), String> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let groups: Vec<&str> = s.split('-').collect();
    if groups.len() != GROUPS.len() {
        return Err(format!("must have {} elements", int(GROUPS.len() as i64)));
    }
    for (i, g) in groups.iter().enumerate() {
        if g.len() != GROUPS[i] {
            return Err(format!(
                "element {} must be {} characters long",
                int(i as i64 + 1),
                int(GROUPS[i] as i64)
            ));
        }
        if let Some(c) = g.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(format!("non-hex character {}", quote_char(c)));
        }
    }
    Ok(())
}

fn json_pointer(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Ok(());
    }
    if !s.starts_with('/') {
        return Err("not starting with /".to_string());
    }
    for token in s.split('/').skip(1) {
        let mut escape = false;
        for c in token.chars() {
            if escape {
                escape = false;
                if c != '0' && c != '1' {
                    return Err("~ must be followed by 0 or 1".to_string());
                }
                continue;
            }
            if c == '~' {
                escape = true;
            }
        }
        if escape {
            return Err("~ must be followed by 0 or 1".to_string());
        }
    }
    Ok(())
}

fn relative_json_pointer(s: &str) -> Result<(), String> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err("must start with non-negative integer".to_string());
    }
    if digits > 1 && s.starts_with('0') {
        return Err("starts with zero".to_string());
    }
    match &s[digits..] {
        "#" => Ok(()),
        rest => json_pointer(rest),
    }
}

/// RFC 3339 appendix A durations (`P1Y2M`, `PT1H`, `P3W`).
fn duration(s: &str) -> Result<(), String> {
    let Some(s) = s.strip_prefix('P') else {
        return Err("must start with P".to_string());
    };
    if s.is_empty() {
        return Err("nothing after P".to_string());
    }
    if let Some(weeks) = s.strip_suffix('W') {
        if weeks.is_empty() {
            return Err("no number in week".to_string());
        }
        if !weeks.bytes().all(|b| b.is_ascii_digit()) {
            return Err("invalid week".to_string());
        }
        return Ok(());
    }
    const ALL_UNITS: [&str; 2] = ["YMD", "HMS"];
    for (i, part) in s.split('T').enumerate() {
        if i != 0 && part.is_empty() {
            return Err("no time elements".to_string());
        }
        if i >= ALL_UNITS.len() {
            return Err("more than one T".to_string());
        }
        let mut units = ALL_UNITS[i];
        let mut rest = part;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err("missing number".to_string());
            }
            rest = &rest[digits..];
            let Some(&unit) = rest.as_bytes().first() else {
                return Err("missing unit".to_string());
            };
            match units.bytes().position(|u| u == unit) {
                Some(j) => units = &units[j + 1..],
                None if ALL_UNITS[i].as_bytes().contains(&unit) => {
                    return Err(format!("unit {} out of order", go_quote_byte(unit)))
                }
                None => return Err(format!("invalid unit {}", go_quote_byte(unit))),
            }
            rest = &rest[1..];
        }
    }
    Ok(())
}

/// Go's `%q` of a byte (the library formats the unit byte that way): `'Y'`.
fn go_quote_byte(b: u8) -> String {
    quote_char(char::from(b))
}

/// `<start>/<end>`: a date-time and a date-time or duration, or a duration and a date-time.
fn period(s: &str) -> Result<(), String> {
    let Some((start, end)) = s.split_once('/') else {
        return Err("missing slash".to_string());
    };
    if start.starts_with('P') {
        duration(start).map_err(|e| format!("invalid start duration: {e}"))?;
        date_time(end).map_err(|e| format!("invalid end date-time: {e}"))
    } else {
        date_time(start).map_err(|e| format!("invalid start date-time: {e}"))?;
        if end.starts_with('P') {
            duration(end).map_err(|e| format!("invalid end duration: {e}"))
        } else {
            date_time(end).map_err(|e| format!("invalid end date-time: {e}"))
        }
    }
}

fn email(s: &str) -> Result<(), String> {
    if s.len() > 254 {
        // The library's text says 255.
        return Err("more than 255 characters long".to_string());
    }
    let Some(at) = s.rfind('@') else {
        return Err("missing @".to_string());
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    if local.len() > 64 {
        return Err("local part more than 64 characters long".to_string());
    }
    if local.len() > 1 && local.starts_with('"') {
        // Quoted (the library checks only the opening quote and drops the last byte).
        let inner = &local.as_bytes()[1..local.len() - 1];
        if inner.contains(&b'\\') || inner.contains(&b'"') {
            return Err("backslash and quote are not allowed within quoted local part".to_string());
        }
    } else {
        if local.starts_with('.') {
            return Err("starts with dot".to_string());
        }
        if local.ends_with('.') {
            return Err("ends with dot".to_string());
        }
        if local.contains("..") {
            return Err("consecutive dots".to_string());
        }
        if let Some(c) = local
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || ".!#$%&'*+-/=?^_`{|}~".contains(*c)))
        {
            return Err(format!("invalid character {}", quote_char(c)));
        }
    }
    if let Some(inner) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        if let Some(addr) = inner.strip_prefix("IPv6:") {
            return ipv6(addr.as_bytes()).map_err(|e| format!("invalid ipv6 address: {e}"));
        }
        return ipv4(inner).map_err(|e| format!("invalid ipv4 address: {e}"));
    }
    hostname(domain).map_err(|e| format!("invalid domain: {e}"))
}

/// Go's `time.Parse("2006-01-02", s)`, with its error texts.
fn date(s: &str) -> Result<(), String> {
    const LAYOUT: &str = "2006-01-02";
    let cannot = |value: &str, element: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            go_time_quote(s),
            go_time_quote(LAYOUT),
            go_time_quote(value),
            go_time_quote(element)
        )
    };
    // Year: four bytes, the first a digit, read by the time package's atoi (a sign allowed).
    let b = s.as_bytes();
    if b.len() < 4 || !b[0].is_ascii_digit() {
        return Err(cannot(s, "2006"));
    }
    let year: i64 = match s.get(..4).and_then(|y| y.parse().ok()) {
        Some(y) => y,
        None => return Err(cannot(s, "2006")),
    };
    let rest = &s[4..];
    let Some(rest) = rest.strip_prefix('-') else {
        return Err(cannot(rest, "-"));
    };
    let Some((month, after)) = two_digits(rest) else {
        return Err(cannot(rest, "01"));
    };
    if !(1..=12).contains(&month) {
        return Err(format!(
            "parsing time {}: month out of range",
            go_time_quote(s)
        ));
    }
    let Some(rest) = after.strip_prefix('-') else {
        return Err(cannot(after, "-"));
    };
    let Some((day, after)) = two_digits(rest) else {
        return Err(cannot(rest, "02"));
    };
    if !after.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            go_time_quote(s),
            go_time_quote(after)
        ));
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > days {
        return Err(format!(
            "parsing time {}: day out of range",
            go_time_quote(s)
        ));
    }
    Ok(())
}

/// Two ASCII digits at the start (the time package's fixed-width `getnum`).
fn two_digits(s: &str) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_digit() && b[1].is_ascii_digit() {
        Some((
            i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
            &s[2..],
        ))
    } else {
        None
    }
}

/// The time package's `quote`: double quotes, with bytes outside printable ASCII as `\xNN`.
fn go_time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
            out.push(c);
        } else if c.is_ascii() && !c.is_ascii_control() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
    }
    out.push('"');
    out
}

/// RFC 3339 `full-time`: `hh:mm:ss[.frac](Z|±hh:mm)`, leap seconds only at 23:59 UTC.
fn time(s: &str) -> Result<(), String> {
    if s.len() < 9 {
        return Err("less than 9 characters long".to_string());
    }
    let b = s.as_bytes();
    if b[2] != b':' || b[5] != b':' {
        return Err("missing colon in correct place".to_string());
    }
    let Some(hms) = s.get(..8) else {
        return Err("invalid hour/min/sec".to_string());
    };
    let mut parts = Vec::new();
    for token in hms.splitn(3, ':') {
        let n = atoi(token).ok_or("invalid hour/min/sec")?;
        if n < 0 {
            return Err("non-positive hour/min/sec".to_string());
        }
        parts.push(n);
    }
    let (mut h, mut m, sec) = (parts[0], parts[1], parts[2]);
    if h > 23 || m > 59 || sec > 60 {
        return Err("hour/min/sec out of range".to_string());
    }
    let mut rest = &s[8..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err("no digits in second fraction".to_string());
        }
        rest = &frac[digits..];
    }
    if rest != "z" && rest != "Z" {
        if rest.len() != 6 {
            return Err("offset must be 6 characters long".to_string());
        }
        let sign = match rest.as_bytes()[0] {
            b'+' => -1,
            b'-' => 1,
            _ => return Err("offset must begin with plus/minus".to_string()),
        };
        let offset = &rest[1..];
        if offset.as_bytes()[2] != b':' {
            return Err("missing colon in offset in correct place".to_string());
        }
        let mut zone = Vec::new();
        for token in offset.splitn(2, ':') {
            let n = atoi(token).ok_or("invalid hour/min in offset")?;
            if n < 0 {
                return Err("non-positive hour/min in offset".to_string());
            }
            zone.push(n);
        }
        let (zh, zm) = (zone[0], zone[1]);
        if zh > 23 || zm > 59 {
            return Err("hour/min in offset out of range".to_string());
        }
        let mut hm = (h * 60 + m) + sign * (zh * 60 + zm);
        if hm < 0 {
            hm += 24 * 60;
        }
        (h, m) = (hm / 60, hm % 60);
    }
    if sec >= 60 && (h != 23 || m != 59) {
        return Err("invalid leap second".to_string());
    }
    Ok(())
}

/// Go's `strconv.Atoi` as a yes/no (a sign allowed).
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn date_time(s: &str) -> Result<(), String> {
    if s.len() < 20 {
        return Err("less than 20 characters long".to_string());
    }
    let b = s.as_bytes();
    if b[10] != b't' && b[10] != b'T' {
        return Err("11th character must be t or T".to_string());
    }
    let (Some(d), Some(t)) = (s.get(..10), s.get(11..)) else {
        return Err("invalid date element".to_string());
    };
    date(d).map_err(|e| format!("invalid date element: {e}"))?;
    time(t).map_err(|e| format!("invalid time element: {e}"))
}

/// semver.org's grammar: `major.minor.patch[-pre.release][+build]`.
fn semver(s: &str) -> Result<(), String> {
    let mut s = s;
    if let Some((core, build)) = s.split_once('+') {
        if build.is_empty() {
            return Err("build is empty".to_string());
        }
        for id in build.split('.') {
            if id.is_empty() {
                return Err("build identifier is empty".to_string());
            }
            if let Some(c) = id
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
            {
                return Err(format!(
                    "invalid character {} in build identifier",
                    quote_char(c)
                ));
            }
        }
        s = core;
    }
    if let Some((core, pre)) = s.split_once('-') {
        for id in pre.split('.') {
            if id.is_empty() {
                return Err("pre-release identifier is empty".to_string());
            }
            if let Some(c) = id
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
            {
                return Err(format!(
                    "invalid character {} in pre-release identifier",
                    quote_char(c)
                ));
            }
            if id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit()) {
                return Err("pre-release numeric identifier starts with zero".to_string());
            }
        }
        s = core;
    }
    let versions: Vec<&str> = s.split('.').collect();
    if versions.len() != 3 {
        return Err("versionCore must have 3 numbers separated by dot".to_string());
    }
    for (name, v) in ["major", "minor", "patch"].iter().zip(versions) {
        if v.is_empty() {
            return Err(format!("{name} is empty"));
        }
        if v.len() > 1 && v.starts_with('0') {
            return Err(format!("{name} starts with zero"));
        }
        if !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{name} contains non-digit"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons() {
        assert_eq!(ipv4("1.2.3").unwrap_err(), "expected four decimals");
        assert_eq!(ipv4("1.2.3.04").unwrap_err(), "leading zeros");
        assert_eq!(
            ipv4("1.2.3.x").unwrap_err(),
            "strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            ipv4("1.2.3.256").unwrap_err(),
            "decimal must be between 0 and 255"
        );
        assert_eq!(hostname("a_b").unwrap_err(), "invalid character '_'");
        assert_eq!(hostname("-a").unwrap_err(), "label starts with hyphen");
        assert_eq!(uuid("x").unwrap_err(), "must have 5 elements");
        assert!(uuid("123e4567-e89b-12d3-a456-426614174000").is_ok());
        assert_eq!(
            date("2024-13-01").unwrap_err(),
            "parsing time \"2024-13-01\": month out of range"
        );
        assert_eq!(
            date("2023-02-29").unwrap_err(),
            "parsing time \"2023-02-29\": day out of range"
        );
        assert_eq!(
            date("2024/01/01").unwrap_err(),
            "parsing time \"2024/01/01\" as \"2006-01-02\": cannot parse \"/01/01\" as \"-\""
        );
        assert!(date("2024-02-29").is_ok());
        assert_eq!(duration("P1M2Y").unwrap_err(), "unit 'Y' out of order");
        assert_eq!(time("25:00:00Z").unwrap_err(), "hour/min/sec out of range");
        assert!(date_time("2024-01-01T10:00:00.5+02:00").is_ok());
        assert_eq!(semver("1.02.3").unwrap_err(), "minor starts with zero");
        assert_eq!(email("a..b@x.io").unwrap_err(), "consecutive dots");
    }
}
