//! The `format` checks santhosh-tekuri/jsonschema v6 makes (in drafts 4, 6 and 7 only: from draft
//! 2019 on `format` is an annotation), with its reasons: `ipv4`, `hostname`, `uuid`, `regex` and
//! `json-pointer`. The library knows more formats (dates, URIs, e-mail, IPv6, durations,
//! semver); Rudder passes those unchecked.
use serde_json::Value as Json;

use super::words::{int, quote_char};

/// `Some(Err(reason))` when `v` is a string that is not of the format; `None` for values and
/// formats not checked.
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
        "regex" => Some(regex(s).map_err(|e| format!("error parsing regexp: {e}"))),
        "json-pointer" => Some(json_pointer(s)),
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
    }
}
