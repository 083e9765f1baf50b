//! Go strings in Rust strings: the byte-string representation of the value model.
//!
//! A Go `string` holds arbitrary bytes; a Rust `str` only valid UTF-8. Templates meet invalid UTF-8
//! when a chart renders a binary file (`.Files.Get "x.bz2" | b64enc`), decodes base64 of binary data,
//! cuts a string inside a character (`trunc`, `substr`) or writes a `"\xff"` escape. Go keeps the bytes;
//! so do we, without a second string type on the hot path: every byte of an invalid sequence is stored
//! as one *escape character*, U+10FF00 + byte (U+10FF80..=U+10FFFF, the end of plane 16's private use
//! area). Valid UTF-8 — nearly every string — is stored as it is, so nothing changes for it, and
//! checking a string for escapes is one `memchr` for their lead byte `F4`.
//!
//! - [`from_bytes`] makes the stored form of Go bytes (borrowed when they are valid UTF-8). A valid
//!   character that happens to lie in the escape range is itself stored as four escapes, so
//!   `to_bytes(from_bytes(b)) == b` for all bytes.
//! - [`to_bytes`] gives Go's bytes back: what is written to stdout and files, hashed, encoded, counted.
//! - An escape is one `char`, as an invalid byte is one rune (U+FFFD, width 1) to Go's `range`,
//!   `utf8.RuneCountInString` and `fmt`'s width and precision, so rune-based code works unchanged.
//!   Where Go turns invalid bytes into U+FFFD (`encoding/json`, `strings.Map`: `upper`, `lower`,
//!   `title`), [`replace_invalid`] does the same.
//!
//! Strings of values files go through [`from_bytes`] too (`yaml::convert`), so a character of the
//! escape range there is stored as its four bytes and written out as Go does. A limit: rune-wise
//! functions (`range`, `trunc`, `%c`) see such a character as four invalid bytes where Go sees one
//! rune, and strings from `--set` and chart metadata are taken as they are (a character of the range
//! would be written as one byte). No real text uses those 128 code points (the last two are Unicode
//! non-characters).
use std::borrow::Cow;

/// The lead byte of every escape character (and of every other character from U+100000).
const LEAD: u8 = 0xF4;
/// The first escape character, for byte 0x80.
const FIRST: u32 = 0x10FF80;

/// The escape character storing byte `b` (0x80..=0xFF).
fn escape(b: u8) -> char {
    debug_assert!(b >= 0x80);
    char::from_u32(0x10FF00 + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The byte an escape character stores, `None` for any other character.
pub fn escaped_byte(c: char) -> Option<u8> {
    let c = c as u32;
    (c >= FIRST).then(|| (c - 0x10FF00) as u8)
}

/// True when `s` holds escapes (Go bytes that are not valid UTF-8).
#[inline]
pub fn has_escapes(s: &str) -> bool {
    // Every escape starts with F4 8F BE or F4 8F BF; F4 alone is rare enough to check first.
    let b = s.as_bytes();
    if !b.contains(&LEAD) {
        return false;
    }
    s.chars().any(|c| c as u32 >= FIRST)
}

/// The stored form of Go's bytes `b`: `b` itself when it is valid UTF-8 without escape-range
/// characters, else with each invalid byte (and each byte of an escape-range character) escaped.
pub fn from_bytes(b: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(b) {
        if !has_escapes(s) {
            return Cow::Borrowed(s);
        }
    }
    Cow::Owned(encode(b))
}

/// [`from_bytes`] of an owned buffer (no copy when it is plain UTF-8).
pub fn from_vec(b: Vec<u8>) -> String {
    match String::from_utf8(b) {
        Ok(s) if !has_escapes(&s) => s,
        Ok(s) => encode(s.as_bytes()),
        Err(e) => encode(e.as_bytes()),
    }
}

fn encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + b.len() / 2);
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c as u32 >= FIRST {
                let mut buf = [0u8; 4];
                for &byte in c.encode_utf8(&mut buf).as_bytes() {
                    out.push(escape(byte));
                }
            } else {
                out.push(c);
            }
        }
        for &byte in chunk.invalid() {
            out.push(escape(byte));
        }
    }
    out
}

/// The stored form of `s` again after it was joined from parts: escapes that now make a valid
/// character together (the two halves of a character cut by `trunc`, joined by `printf`, `cat` or a
/// template's output) become that character, so that comparisons, `quote` and every other reader
/// see what Go sees. Costs one `memchr` when `s` holds no escapes.
#[inline]
pub fn canonical(s: String) -> String {
    if !has_escapes(&s) || !may_join(&s) {
        return s;
    }
    from_vec(decode(&s))
}

/// Whether `s` has an escaped lead byte right before an escaped continuation byte: the only way
/// escapes can make a valid character together (a conservative test; [`canonical`] then decides).
fn may_join(s: &str) -> bool {
    let mut lead = false;
    for c in s.chars() {
        match escaped_byte(c) {
            Some(0x80..=0xBF) if lead => return true,
            Some(b) => lead = (0xC2..=0xF4).contains(&b),
            None => lead = false,
        }
    }
    false
}

/// The number of escapes in `s`: each is `F4 8F BE|BF xx`, so one pass over the bytes counts them.
fn escape_count(s: &str) -> usize {
    let b = s.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while let Some(at) = b[i..].iter().position(|&x| x == LEAD) {
        let at = i + at;
        if b.get(at + 1) == Some(&0x8F) && b.get(at + 2).is_some_and(|&x| x >= 0xBE) {
            n += 1;
            i = at + 4;
        } else {
            i = at + 1;
        }
        if i >= b.len() {
            break;
        }
    }
    n
}

/// Go's bytes of the stored string `s` (borrowed when it holds no escapes).
#[inline]
pub fn to_bytes(s: &str) -> Cow<'_, [u8]> {
    if !has_escapes(s) {
        return Cow::Borrowed(s.as_bytes());
    }
    Cow::Owned(decode(s))
}

/// [`to_bytes`] of an owned string (no copy when it holds no escapes).
pub fn into_bytes(s: String) -> Vec<u8> {
    if !has_escapes(&s) {
        return s.into_bytes();
    }
    decode(&s)
}

fn decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut buf = [0u8; 4];
    for c in s.chars() {
        match escaped_byte(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    out
}

/// Where `needle` first occurs in `hay`, in bytes: Go's `strings.Index`. Needed for needles holding
/// escapes, which in Go may match inside a character (`"\xc3"` inside `"é"`).
pub fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Go's `strings.SplitN(s, sep, n)` on bytes (`n < 0`: every part), each part stored again; `sep`
/// is not empty.
pub fn split_bytes(s: &str, sep: &str, n: i64) -> Vec<String> {
    let (hay, sep) = (to_bytes(s), to_bytes(sep));
    let mut out = Vec::new();
    let mut rest: &[u8] = &hay;
    while n < 0 || (out.len() as i64) < n - 1 {
        let Some(at) = find_bytes(rest, &sep) else {
            break;
        };
        out.push(from_bytes(&rest[..at]).into_owned());
        rest = &rest[at + sep.len()..];
    }
    out.push(from_bytes(rest).into_owned());
    out
}

/// Go's `strings.ReplaceAll(s, old, new)` on bytes, stored again; `old` is not empty.
pub fn replace_bytes(s: &str, old: &str, new: &str) -> String {
    let (hay, old, new) = (to_bytes(s), to_bytes(old), to_bytes(new));
    let mut out = Vec::with_capacity(hay.len());
    let mut rest: &[u8] = &hay;
    while let Some(at) = find_bytes(rest, &old) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(&new);
        rest = &rest[at + old.len()..];
    }
    out.extend_from_slice(rest);
    from_vec(out)
}

/// Go's `len(s)`: the number of bytes.
#[inline]
pub fn byte_len(s: &str) -> usize {
    if !has_escapes(s) {
        return s.len();
    }
    // An escape is 4 bytes stored for 1 byte in Go.
    s.len() - 3 * escape_count(s)
}

/// Go's `s[from:to]` in bytes (indices already checked against [`byte_len`]), stored again.
pub fn byte_slice(s: &str, from: usize, to: usize) -> String {
    let bytes = to_bytes(s);
    from_bytes(&bytes[from..to]).into_owned()
}

/// `s` with every invalid byte as U+FFFD, what Go's `encoding/json` and `strings.Map` write.
pub fn replace_invalid(s: &str) -> Cow<'_, str> {
    if !has_escapes(s) {
        return Cow::Borrowed(s);
    }
    // Escapes may spell a valid character of the escape range itself, which Go keeps.
    let bytes = decode(s);
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        // Stored again: a character of the escape range stays four escapes.
        out.push_str(&from_bytes(chunk.valid().as_bytes()));
        out.extend(std::iter::repeat_n(
            char::REPLACEMENT_CHARACTER,
            chunk.invalid().len(),
        ));
    }
    Cow::Owned(out)
}

/// The rune Go's `range` and `utf8.DecodeRuneInString` see for the stored character `c`: U+FFFD for
/// an invalid byte.
#[inline]
pub fn go_rune(c: char) -> char {
    if c as u32 >= FIRST {
        char::REPLACEMENT_CHARACTER
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_is_stored_as_it_is() {
        assert!(matches!(
            from_bytes(b"h\xc3\xa9llo"),
            Cow::Borrowed("h\u{e9}llo")
        ));
        assert!(matches!(
            to_bytes("h\u{e9}llo"),
            Cow::Borrowed(b"h\xc3\xa9llo")
        ));
        assert!(!has_escapes("plane 16: \u{10FF7F}"));
    }

    #[test]
    fn every_byte_string_round_trips() {
        let samples: [&[u8]; 7] = [
            b"\xff",
            b"a\xc3(b",
            b"\xe2\x82",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff",
            "\u{10FF80}\u{10FFFF}".as_bytes(),
            b"\xf4\x8f\xbf",
            b"\xed\xa0\x80 surrogate",
        ];
        for b in samples {
            let s = from_bytes(b);
            assert!(has_escapes(&s), "{b:?}");
            assert_eq!(to_bytes(&s).as_ref(), b);
            assert_eq!(byte_len(&s), b.len());
            assert_eq!(into_bytes(from_vec(b.to_vec())), b);
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(to_bytes(&from_bytes(&all)).as_ref(), &all[..]);
    }

    #[test]
    fn an_invalid_byte_is_one_rune() {
        let s = from_bytes(b"a\xffb");
        assert_eq!(s.chars().count(), 3);
        assert_eq!(s.chars().map(go_rune).collect::<String>(), "a\u{FFFD}b");
        assert_eq!(replace_invalid(&s), "a\u{FFFD}b");
    }

    #[test]
    fn joined_halves_are_a_character_again() {
        let joined = byte_slice("\u{e9}", 0, 1) + &byte_slice("\u{e9}", 1, 2);
        assert!(has_escapes(&joined));
        assert_eq!(canonical(joined), "\u{e9}");
        let stays = from_bytes(b"\xa9\xc3").into_owned();
        assert_eq!(canonical(stays.clone()), stays);
        let cut = from_bytes(b"\xe2\x82x").into_owned();
        assert!(may_join(&cut));
        assert_eq!(canonical(cut.clone()), cut);
        assert_eq!(escape_count(&cut), 2);
    }

    #[test]
    fn byte_slices_cut_inside_characters() {
        let s = "h\u{e9}";
        let cut = byte_slice(s, 0, 2);
        assert_eq!(to_bytes(&cut).as_ref(), b"h\xc3");
        assert_eq!(byte_slice(&cut, 1, 2), from_bytes(b"\xc3"));
        assert_eq!(
            byte_slice(&from_bytes(b"\xff\xfe"), 1, 2),
            from_bytes(b"\xfe")
        );
    }
}
