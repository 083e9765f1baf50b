//! The texts of santhosh-tekuri/jsonschema v6's errors: its quoting of strings and JSON pointers,
//! its display of schema values, and the English number printing of golang.org/x/text's message
//! printer (`1,000`, `1.5×10⁰⁶`) that its `%v`/`%d` numbers go through.
use serde_json::Value as Json;

/// The library's `quote`: Go's `%q`, then every `\"` made `"` and every `'` made `\'`, single quotes
/// around it (`'a\'b"c'`). The first replacement also eats the backslash of an escaped `\` before
/// the closing quote: `a\` shows as `'a\'`.
pub fn quote(s: &str) -> String {
    let q = crate::template::printf::quote_go(s)
        .replace("\\\"", "\"")
        .replace('\'', "\\'");
    format!("'{}'", &q[1..q.len() - 1])
}

/// Each token quoted and joined (`'a', 'b'`).
pub fn join_quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|s| quote(s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A JSON pointer of instance tokens (`/a/0`, `~` and `/` escaped).
pub fn json_ptr(tokens: &[String]) -> String {
    let mut out = String::new();
    for t in tokens {
        out.push('/');
        out.push_str(&t.replace('~', "~0").replace('/', "~1"));
    }
    out
}

/// The library's `display`: a string quoted, a list or map as `value`, anything else as Go's `%v`
/// prints it.
pub fn display(v: &Json) -> String {
    match v {
        Json::String(s) => quote(s),
        Json::Array(_) | Json::Object(_) => "value".to_string(),
        Json::Null => "<nil>".to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
    }
}

/// Whether a value is neither list nor map.
pub fn is_primitive(v: &Json) -> bool {
    !matches!(v, Json::Array(_) | Json::Object(_))
}

/// An integer as the English message printer's `%d` prints it: groups of three (`70,000`).
pub fn int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    out.push_str(&group(&digits));
    out
}

fn group(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A float as the English message printer's `%v` prints it: the shortest digits; a scientific
/// form with superscript exponent (`1×10⁰⁶`, `1.5×10⁻⁰⁵`) when the exponent is below -4 or at
/// least 6, else a grouped decimal (`12,345.678`).
pub fn float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "∞" } else { "-∞" }.to_string();
    }
    if f == 0.0 {
        return "0".to_string();
    }
    // `{:e}` is the shortest round-trip form: `d.ddde±x`.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let e = format!("{:02}", exp.unsigned_abs());
        let sup: String = e.chars().map(superscript).collect();
        let esign = if exp < 0 { "⁻" } else { "" };
        return format!("{sign}{m}×10{esign}{sup}");
    }
    // Decimal: digits placed around the point, the integer part grouped.
    let point = exp + 1; // digits before the point
    let (int_part, frac) = if point <= 0 {
        (
            "0".to_string(),
            format!("{}{digits}", "0".repeat((-point) as usize)),
        )
    } else if point as usize >= digits.len() {
        (
            format!("{digits}{}", "0".repeat(point as usize - digits.len())),
            String::new(),
        )
    } else {
        (
            digits[..point as usize].to_string(),
            digits[point as usize..].to_string(),
        )
    };
    if frac.is_empty() {
        format!("{sign}{}", group(&int_part))
    } else {
        format!("{sign}{}.{frac}", group(&int_part))
    }
}

fn superscript(c: char) -> char {
    match c {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        _ => '⁹',
    }
}

/// Go's `%q` of one character (`strconv.QuoteRune`): `'x'`, `'\\'`, `'\''`, `'"'`.
pub fn quote_char(c: char) -> String {
    let inner = match c {
        '"' => "\"".to_string(),
        '\'' => "\\'".to_string(),
        _ => {
            let q = crate::template::printf::quote_go(c.encode_utf8(&mut [0; 4]));
            q[1..q.len() - 1].to_string()
        }
    };
    format!("'{inner}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_the_english_message_printer_prints_them() {
        for (f, want) in [
            (0.0, "0"),
            (-5.0, "-5"),
            (0.5, "0.5"),
            (3.7, "3.7"),
            (1000.0, "1,000"),
            (123456.0, "123,456"),
            (999999.0, "999,999"),
            (1e6, "1×10⁰⁶"),
            (1234567.0, "1.234567×10⁰⁶"),
            (-1234567.0, "-1.234567×10⁰⁶"),
            (1e21, "1×10²¹"),
            (1e100, "1×10¹⁰⁰"),
            (0.0001, "0.0001"),
            (0.00001, "1×10⁻⁰⁵"),
            (0.000012345, "1.2345×10⁻⁰⁵"),
            (1.5e-7, "1.5×10⁻⁰⁷"),
            (12345.678, "12,345.678"),
            (-0.25, "-0.25"),
            (65535.0, "65,535"),
        ] {
            assert_eq!(float(f), want, "{f}");
        }
        assert_eq!(int(1234567), "1,234,567");
        assert_eq!(int(-1000), "-1,000");
        assert_eq!(int(5), "5");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(quote("x\ny"), "'x\\ny'");
        assert_eq!(quote("a\\"), "'a\\'");
        assert_eq!(quote("a\\b\u{a0}"), "'a\\\\b\\u00a0'");
        assert_eq!(quote_char('\\'), "'\\\\'");
        assert_eq!(quote_char('\''), "'\\''");
        assert_eq!(quote_char('"'), "'\"'");
        assert_eq!(
            json_ptr(&["a/b".into(), "c~".into(), "0".into()]),
            "/a~1b/c~0/0"
        );
    }
}
