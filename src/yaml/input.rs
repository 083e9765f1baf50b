//! go-yaml's reader: the bytes of a YAML file to text, as `readerc.go` decodes them.
//!
//! go-yaml reads raw bytes, not Go strings: a UTF-16 file with a byte-order mark (`FF FE` or
//! `FE FF`) is decoded, a UTF-8 BOM is skipped, and anything else must be valid UTF-8, else the read
//! fails with one of libyaml's reader errors (`invalid leading UTF-8 octet`, `invalid trailing UTF-8
//! octet`, `incomplete UTF-8 octet sequence`, `invalid length of a UTF-8 sequence`, `invalid Unicode
//! character`, and the UTF-16 ones). Reader errors carry no line: go-yaml prints `yaml: <problem>`.
//!
//! go-yaml decodes lazily, a chunk ahead of its scanner, so a syntax error well before a bad byte
//! would be reported first; here the whole input is checked before parsing. The two orders differ
//! only for a file with both a syntax error and an encoding error, and then both readers refuse it.
use std::borrow::Cow;

use super::error::{Error, ErrorKind};

/// The text go-yaml reads from `bytes` (a BOM kept for UTF-8, which the parser skips), or its
/// reader error.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, Error> {
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return utf16(rest, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return utf16(rest, u16::from_be_bytes).map(Cow::Owned);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => Err(reader_error(utf8_problem(&bytes[e.valid_up_to()..]))),
    }
}

fn reader_error(problem: &str) -> Error {
    Error::new(ErrorKind::Syntax, problem)
}

/// libyaml's complaint about the invalid UTF-8 sequence at the start of `bad`.
fn utf8_problem(bad: &[u8]) -> &'static str {
    let lead = bad[0];
    let width = match lead {
        _ if lead & 0x80 == 0 => 1,
        _ if lead & 0xE0 == 0xC0 => 2,
        _ if lead & 0xF0 == 0xE0 => 3,
        _ if lead & 0xF8 == 0xF0 => 4,
        _ => return "invalid leading UTF-8 octet",
    };
    if width > bad.len() {
        return "incomplete UTF-8 octet sequence";
    }
    let mut value = u32::from(lead) & [0x7F, 0x1F, 0x0F, 0x07][width - 1];
    for &octet in &bad[1..width] {
        if octet & 0xC0 != 0x80 {
            return "invalid trailing UTF-8 octet";
        }
        value = (value << 6) | u32::from(octet & 0x3F);
    }
    let shortest = match width {
        2 => value >= 0x80,
        3 => value >= 0x800,
        4 => value >= 0x10000,
        _ => true,
    };
    if !shortest {
        return "invalid length of a UTF-8 sequence";
    }
    // What `str::from_utf8` refuses beyond the above: surrogates and values past U+10FFFF.
    "invalid Unicode character"
}

/// Decodes UTF-16 code units (after the BOM) with libyaml's checks.
fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, Error> {
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut i = 0;
    while i < bytes.len() {
        if bytes.len() - i < 2 {
            return Err(reader_error("incomplete UTF-16 character"));
        }
        let value = unit([bytes[i], bytes[i + 1]]);
        let c = match value & 0xFC00 {
            0xDC00 => return Err(reader_error("unexpected low surrogate area")),
            0xD800 => {
                if bytes.len() - i < 4 {
                    return Err(reader_error("incomplete UTF-16 surrogate pair"));
                }
                let low = unit([bytes[i + 2], bytes[i + 3]]);
                if low & 0xFC00 != 0xDC00 {
                    return Err(reader_error("expected low surrogate area"));
                }
                i += 4;
                0x10000 + ((u32::from(value) & 0x3FF) << 10) + (u32::from(low) & 0x3FF)
            }
            _ => {
                i += 2;
                u32::from(value)
            }
        };
        // Every value here is a scalar value: surrogates were paired above.
        out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(bytes: &[u8]) -> String {
        decode(bytes).unwrap_err().to_string()
    }

    #[test]
    fn utf8_errors_are_libyamls() {
        let p = |b: &[u8]| problem(b).replace("error converting YAML to JSON: yaml: ", "");
        assert_eq!(p(b"a: \xff"), "invalid leading UTF-8 octet");
        assert_eq!(p(b"a: \xc3("), "invalid trailing UTF-8 octet");
        assert_eq!(p(b"a: \xe2\x82"), "incomplete UTF-8 octet sequence");
        assert_eq!(p(b"a: \xc0\x80"), "invalid length of a UTF-8 sequence");
        assert_eq!(p(b"a: \xed\xa0\x80"), "invalid Unicode character");
        assert_eq!(p(b"a: \xf4\x90\x80\x80"), "invalid Unicode character");
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let mut le = vec![0xff, 0xfe];
        le.extend("a: é😀\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le).unwrap(), "a: é😀\n");
        let mut be = vec![0xfe, 0xff];
        be.extend("a: é\n".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).unwrap(), "a: é\n");
        assert!(problem(&[0xff, 0xfe, b'a']).ends_with("incomplete UTF-16 character"));
        assert!(problem(&[0xff, 0xfe, 0x00, 0xdc]).ends_with("unexpected low surrogate area"));
        assert!(
            problem(&[0xff, 0xfe, 0x3d, 0xd8, b'a', 0]).ends_with("expected low surrogate area")
        );
    }

    #[test]
    fn utf8_is_borrowed() {
        assert!(matches!(decode(b"a: 1\n").unwrap(), Cow::Borrowed(_)));
    }
}
