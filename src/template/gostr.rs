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
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// The lead byte of every escape character (and of every other character from U+100000).
const LEAD: u8 = 0xF4;
/// The first escape character, for byte 0x80.
const FIRST: u32 = 0x10FF80;

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
    // Built as bytes, decoding UTF-8 by hand: a binary file is mostly short runs of ASCII between
    // invalid bytes, where `utf8_chunks` yields a chunk per invalid byte and a `char` push per
    // escape costs several times the four byte copies.
    // Sized for the worst case at once (an escape is four bytes; a valid sequence is no longer
    // than its bytes): a binary file is about 2.5 times its size stored, and growing by doubling
    // copied it twice more.
    let high = b.iter().filter(|&&x| x >= 0x80).count();
    let mut out = Vec::with_capacity(b.len() + 3 * high);
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        if lead < 0x80 {
            let run = b[i..]
                .iter()
                .position(|&x| x >= 0x80)
                .unwrap_or(b.len() - i);
            out.extend_from_slice(&b[i..i + run]);
            i += run;
            continue;
        }
        let len = utf8_sequence_len(&b[i..]);
        if len == 0 {
            out.extend_from_slice(&escape_bytes(lead));
            i += 1;
        } else if lead == LEAD && b[i + 1] == 0x8F && b[i + 2] >= 0xBE {
            // A valid character of the escape range is stored as four escapes.
            for &byte in &b[i..i + 4] {
                out.extend_from_slice(&escape_bytes(byte));
            }
            i += 4;
        } else {
            out.extend_from_slice(&b[i..i + len]);
            i += len;
        }
    }
    debug_assert!(std::str::from_utf8(&out).is_ok());
    // SAFETY: `out` is made of ASCII runs, whole sequences that `utf8_sequence_len` found
    // well-formed (the Unicode table `str::from_utf8` follows; `encode_matches_utf8_chunks` holds
    // the two together on sequences of every class of UTF-8 byte) and escape characters (`escape_bytes`: F4 8F BE|BF
    // 80..=BF, U+10FF80..=U+10FFFF). Checking it again cost a tenth of rendering a chart of
    // binary files.
    unsafe { String::from_utf8_unchecked(out) }
}

/// The length of the valid UTF-8 sequence `b` starts with (its first byte is not ASCII), 0 when
/// it does not start with one: the Unicode table of well-formed sequences, which `str::from_utf8`
/// follows (no overlong forms, no surrogates, nothing above U+10FFFF).
fn utf8_sequence_len(b: &[u8]) -> usize {
    let cont = |at: usize, lo: u8, hi: u8| b.get(at).is_some_and(|&x| (lo..=hi).contains(&x));
    let ok = match b[0] {
        0xC2..=0xDF => cont(1, 0x80, 0xBF),
        0xE0 => cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF),
        0xE1..=0xEC | 0xEE..=0xEF => cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF),
        0xED => cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF),
        0xF0 => cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF),
        0xF1..=0xF3 => cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF),
        0xF4 => cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF),
        _ => false,
    };
    match (ok, b[0]) {
        (false, _) => 0,
        (true, 0xC2..=0xDF) => 2,
        (true, 0xE0..=0xEF) => 3,
        (true, _) => 4,
    }
}

/// The UTF-8 bytes of the escape character storing byte `b` (0x80..=0xFF): U+10FF00 + b is
/// `F4 8F BE|BF 10xxxxxx`.
#[inline]
fn escape_bytes(b: u8) -> [u8; 4] {
    debug_assert!(b >= 0x80);
    [
        LEAD,
        0x8F,
        if b < 0xC0 { 0xBE } else { 0xBF },
        0x80 | (b & 0x3F),
    ]
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

/// A stored string and the Go bytes it holds.
type Known = (Rc<str>, Arc<[u8]>);

thread_local! {
    /// The last binary file stored as a string by [`remember_bytes`], with the bytes it came from.
    static KNOWN: RefCell<Option<Known>> = const { RefCell::new(None) };
}

/// Records that the stored string `s` holds exactly `bytes`, so that [`to_bytes`] of that very
/// string copies them instead of decoding its escapes: `.Files.Get "x.bin" | b64enc` and
/// `| sha256sum` read a binary file back as bytes right after storing it. One entry per thread;
/// holding `s` keeps its address from being reused by another string while it is recorded.
pub fn remember_bytes(s: &Rc<str>, bytes: &Arc<[u8]>) {
    if has_escapes(s) {
        KNOWN.with(|k| *k.borrow_mut() = Some((s.clone(), bytes.clone())));
    }
}

/// The bytes [`remember_bytes`] recorded for `s`, when `s` is that string (same address and
/// length: a stored string is never changed in place).
fn known_bytes(s: &str) -> Option<Vec<u8>> {
    KNOWN.with(|k| {
        let known = k.borrow();
        let (text, bytes) = known.as_ref()?;
        (std::ptr::eq(text.as_ptr(), s.as_ptr()) && text.len() == s.len()).then(|| bytes.to_vec())
    })
}

/// Go's bytes of the stored string `s` (borrowed when it holds no escapes).
#[inline]
pub fn to_bytes(s: &str) -> Cow<'_, [u8]> {
    if !has_escapes(s) {
        return Cow::Borrowed(s.as_bytes());
    }
    if let Some(bytes) = known_bytes(s) {
        return Cow::Owned(bytes);
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
    // Byte-wise: every character but an escape is copied as it is; an escape is `F4 8F BE|BF x`.
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(at) = b[i..].iter().position(|&x| x == LEAD) {
        let at = i + at;
        out.extend_from_slice(&b[i..at]);
        match (b.get(at + 1), b.get(at + 2), b.get(at + 3)) {
            (Some(0x8F), Some(&third @ (0xBE | 0xBF)), Some(&last)) => {
                let high = if third == 0xBE { 0x80 } else { 0xC0 };
                out.push(high | (last & 0x3F));
                i = at + 4;
            }
            _ => {
                out.push(LEAD);
                i = at + 1;
            }
        }
    }
    out.extend_from_slice(&b[i..]);
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
    fn escape_bytes_are_the_escape_characters() {
        for b in 0x80..=0xFFu8 {
            let c = char::from_u32(0x10FF00 + u32::from(b)).unwrap();
            let mut buf = [0u8; 4];
            assert_eq!(c.encode_utf8(&mut buf).as_bytes(), escape_bytes(b));
            assert_eq!(escaped_byte(c), Some(b));
        }
        // A valid character with lead byte F4 that is not an escape is copied as it is.
        let bytes = b"\xf4\x80\x80\x80\xf4\x8f\xbd\xbfx\xff\xf4\x8f";
        let s = from_bytes(bytes).into_owned();
        assert!(s.starts_with("\u{100000}\u{10FF7F}x"));
        assert_eq!(to_bytes(&s).as_ref(), bytes);
        // Pseudo-random bytes, as a binary file holds them, round-trip.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let s = from_bytes(&random).into_owned();
        assert_eq!(to_bytes(&s).as_ref(), &random[..]);
        assert_eq!(byte_len(&s), random.len());
    }

    /// The hand-written encoder against `utf8_chunks` (the reference it replaced) on every
    /// sequence of up to three bytes from an alphabet covering every class of UTF-8 byte.
    #[test]
    fn encode_matches_utf8_chunks() {
        fn reference(b: &[u8]) -> String {
            let mut out = String::new();
            for chunk in b.utf8_chunks() {
                for c in chunk.valid().chars() {
                    if c as u32 >= FIRST {
                        let mut buf = [0u8; 4];
                        for &byte in c.encode_utf8(&mut buf).as_bytes() {
                            out.push(escaped_char(byte));
                        }
                    } else {
                        out.push(c);
                    }
                }
                chunk
                    .invalid()
                    .iter()
                    .for_each(|&x| out.push(escaped_char(x)));
            }
            out
        }
        fn escaped_char(b: u8) -> char {
            char::from_u32(0x10FF00 + u32::from(b)).unwrap()
        }
        let alphabet = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBE, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
            0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ];
        let mut seq = Vec::new();
        for &a in &alphabet {
            for &b in &alphabet {
                for &c in &alphabet {
                    for &d in &[0x80u8, 0xBF, 0x41] {
                        seq.clear();
                        seq.extend_from_slice(&[a, b, c, d]);
                        for n in 1..=4 {
                            assert_eq!(encode(&seq[..n]), reference(&seq[..n]), "{:x?}", &seq[..n]);
                        }
                    }
                }
            }
        }
        let escape_range = "\u{10FF80}a\u{10FFFF}\u{10FF7F}";
        assert_eq!(
            encode(escape_range.as_bytes()),
            reference(escape_range.as_bytes())
        );
    }

    #[test]
    fn remembered_bytes_are_those_of_that_string_only() {
        let bytes: Arc<[u8]> = Arc::from(&b"a\xff\xfeb"[..]);
        let stored: Rc<str> = Rc::from(from_bytes(&bytes));
        remember_bytes(&stored, &bytes);
        assert_eq!(to_bytes(&stored).as_ref(), &bytes[..]);
        // A part of it, or an equal string elsewhere, is decoded as usual.
        let part = &stored[..stored.len() - 1];
        assert_eq!(to_bytes(part).as_ref(), b"a\xff\xfe");
        let copy = stored.to_string();
        assert_eq!(to_bytes(&copy).as_ref(), &bytes[..]);
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
