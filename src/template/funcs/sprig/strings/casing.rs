//! Go's rune classes and case mappings, and the casing algorithms Sprig's string functions call:
//! `strings.Title`, goutils' `Uncapitalize`/`SwapCase`/`Initials`/`DeleteWhiteSpace`, and xstrings
//! v1.5.0's `ToSnakeCase`/`ToKebabCase`/`ToPascalCase`.
//!
//! Go maps case rune by rune with Unicode's *simple* mappings (`ß` stays `ß` in `upper`), while Rust's
//! `char::to_uppercase` uses the full mappings; [`go_to_upper`]/[`go_to_lower`] bridge the two.
//! Go's rune classes (`unicode.IsUpper`, `IsPunct`…) test general categories, which come from the
//! `unicode-general-category` crate (Unicode 16; Go 1.23 has Unicode 15, which differs only for
//! characters added in 16). Titlecase mapping covers the Latin digraphs; other titlecase letters map
//! to uppercase.
use unicode_general_category::{get_general_category, GeneralCategory};

/// Go's `unicode.ToUpper`: the simple uppercase mapping (a rune whose only uppercase form is several
/// runes, such as `ß`, is unchanged).
pub fn go_to_upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => greek_iota_subscript_upper(c).unwrap_or(c),
    }
}

/// The simple uppercase of the Greek letters with ypogegrammeni, whose full uppercase is two runes
/// (`ᾳ` → `ΑΙ`) but whose simple mapping is the prosgegrammeni form (`ᾳ` → `ᾼ`).
fn greek_iota_subscript_upper(c: char) -> Option<char> {
    let u = c as u32;
    let mapped = match u {
        0x1f80..=0x1f87 | 0x1f90..=0x1f97 | 0x1fa0..=0x1fa7 => u + 8,
        0x1fb3 | 0x1fc3 | 0x1ff3 => u + 9,
        _ => return None,
    };
    char::from_u32(mapped)
}

/// Go's `unicode.ToLower`: the simple lowercase mapping (`İ` → `i`).
pub fn go_to_lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Go's `unicode.ToTitle`: uppercase, except for the four Latin digraphs that have a titlecase form.
pub fn go_to_title(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        _ => go_to_upper(c),
    }
}

/// Go's `unicode.IsTitle` (category `Lt`).
pub fn go_is_title(c: char) -> bool {
    get_general_category(c) == GeneralCategory::TitlecaseLetter
}

/// Go's `unicode.IsUpper` (category `Lu`).
pub fn go_is_upper(c: char) -> bool {
    get_general_category(c) == GeneralCategory::UppercaseLetter
}

/// Go's `unicode.IsLower` (category `Ll`).
pub fn go_is_lower(c: char) -> bool {
    get_general_category(c) == GeneralCategory::LowercaseLetter
}

/// Go's `unicode.IsSpace` (the `White_Space` property).
pub fn go_is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Go's `unicode.IsLetter` (category `L`).
pub fn go_is_letter(c: char) -> bool {
    use GeneralCategory::*;
    matches!(
        get_general_category(c),
        UppercaseLetter | LowercaseLetter | TitlecaseLetter | ModifierLetter | OtherLetter
    )
}

/// Go's `unicode.IsDigit` (category `Nd`).
pub fn go_is_digit(c: char) -> bool {
    get_general_category(c) == GeneralCategory::DecimalNumber
}

/// Go's `unicode.IsNumber` (category `N`).
pub fn go_is_number(c: char) -> bool {
    use GeneralCategory::*;
    matches!(
        get_general_category(c),
        DecimalNumber | LetterNumber | OtherNumber
    )
}

/// Go's `unicode.IsPunct` (category `P`).
pub fn go_is_punct(c: char) -> bool {
    use GeneralCategory::*;
    matches!(
        get_general_category(c),
        ConnectorPunctuation
            | DashPunctuation
            | OpenPunctuation
            | ClosePunctuation
            | InitialPunctuation
            | FinalPunctuation
            | OtherPunctuation
    )
}

/// Go's `strings.ToUpper`.
pub fn to_upper(s: &str) -> String {
    s.chars().map(go_to_upper).collect()
}

/// Go's `strings.ToLower`.
pub fn to_lower(s: &str) -> String {
    s.chars().map(go_to_lower).collect()
}

/// The separator test of Go's `strings.Title`: ASCII other than letters, digits and `_`, and
/// non-ASCII spaces.
fn is_title_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if go_is_letter(c) || go_is_digit(c) {
        return false;
    }
    go_is_space(c)
}

/// Go's `strings.Title`: titlecases every letter that follows a separator.
pub fn title(s: &str) -> String {
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_title_separator(prev) {
                go_to_title(c)
            } else {
                c
            };
            prev = c;
            out
        })
        .collect()
}

/// goutils `Uncapitalize` with whitespace delimiters: lowercases the first rune of every word.
pub fn uncapitalize(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if go_is_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                go_to_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `SwapCase`: upper/title → lower; lower → upper, or title case at the start of a word.
pub fn swap_case(s: &str) -> String {
    let mut after_space = true;
    s.chars()
        .map(|c| {
            if go_is_upper(c) || go_is_title(c) {
                after_space = false;
                go_to_lower(c)
            } else if go_is_lower(c) {
                let out = if after_space {
                    go_to_title(c)
                } else {
                    go_to_upper(c)
                };
                after_space = false;
                out
            } else {
                after_space = go_is_space(c);
                c
            }
        })
        .collect()
}

/// Go's `unicode.IsSpace` of a single byte taken as a rune (goutils works byte by byte).
fn byte_is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// goutils `Initials`: the first byte of every whitespace-separated word. goutils reads bytes as runes,
/// so a non-ASCII first letter comes out as the Latin-1 character of its first byte (`é` → `Ã`).
pub fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut last_was_gap = true;
    for b in s.bytes() {
        if byte_is_space(b) {
            last_was_gap = true;
        } else if last_was_gap {
            out.push(char::from(b));
            last_was_gap = false;
        }
    }
    out
}

/// goutils `DeleteWhiteSpace`: drops whitespace bytes; when any was dropped, the remaining bytes are
/// re-encoded as Latin-1 characters (goutils' byte-as-rune reading), so `é` becomes `Ã©`.
pub fn delete_white_space(s: &str) -> String {
    if !s.bytes().any(byte_is_space) {
        return s.to_string();
    }
    s.bytes()
        .filter(|b| !byte_is_space(*b))
        .map(char::from)
        .collect()
}

/// xstrings' connector runes: `-`, `_` and whitespace.
fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || go_is_space(c)
}

/// xstrings' `isAlphabet`: a letter that is not a CJK ideograph.
fn is_alphabet(c: char) -> bool {
    if !go_is_letter(c) {
        return false;
    }
    let u = c as u32;
    !(u >= 0x3400
        && ((0x4e00..=0x9fcc).contains(&u)
            || (0x3400..=0x4d85).contains(&u)
            || (0x20000..=0x2b81d).contains(&u)))
}

/// The word classes of xstrings' word splitter.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    /// Nothing left.
    End,
    Number,
    /// A word starting with an uppercase letter (`Foo`, `HTTP`).
    Upper,
    /// A word of lowercase (or caseless) letters.
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// Length in bytes of the prefix of `s` whose chars satisfy `pred`.
fn prefix_len(s: &str, pred: impl Fn(char) -> bool) -> usize {
    s.char_indices()
        .find(|(_, c)| !pred(*c))
        .map_or(s.len(), |(i, _)| i)
}

/// xstrings' `nextWord`: splits the next word off `s`.
fn next_word(s: &str) -> (Word, &str, &str) {
    let Some(first) = s.chars().next() else {
        return (Word::End, "", "");
    };
    let head = first.len_utf8();
    let rest = &s[head..];
    let (kind, len) = if is_connector(first) {
        (Word::Connector, head + prefix_len(rest, is_connector))
    } else if go_is_punct(first) {
        (Word::Punct, head + prefix_len(rest, go_is_punct))
    } else if go_is_upper(first) {
        match rest.chars().next() {
            Some(second) if go_is_upper(second) => {
                let run = prefix_len(rest, go_is_upper);
                let after = &rest[run..];
                match after.chars().next() {
                    // "HTTPServer": the last capital starts the next word.
                    Some(next) if is_alphabet(next) => {
                        let last_upper = rest[..run].chars().next_back().map_or(0, char::len_utf8);
                        (Word::Upper, head + run - last_upper)
                    }
                    _ => (Word::Upper, head + run),
                }
            }
            Some(second) if is_alphabet(second) => (
                Word::Upper,
                head + prefix_len(rest, |c| is_alphabet(c) && !go_is_upper(c)),
            ),
            _ => (Word::Upper, head),
        }
    } else if is_alphabet(first) {
        (
            Word::Alphabet,
            head + prefix_len(rest, |c| is_alphabet(c) && !go_is_upper(c)),
        )
    } else if go_is_number(first) {
        (Word::Number, head + prefix_len(rest, go_is_number))
    } else {
        (
            Word::Other,
            head + prefix_len(rest, |c| {
                !(is_connector(c) || is_alphabet(c) || go_is_number(c) || go_is_punct(c))
            }),
        )
    };
    (kind, &s[..len], &s[len..])
}

/// xstrings' `toLower`: uppercase and connector words are lowered (connectors become `connector`);
/// other words are written as they are.
fn push_lowered(out: &mut String, kind: Word, word: &str, connector: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if go_is_upper(c) {
            out.push(go_to_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings' `camelCaseToLowerCase` (`ToSnakeCase` with `_`, `ToKebabCase` with `-`).
pub fn camel_to_lower(s: &str, connector: char) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let (mut kind, mut word, mut rest) = next_word(s);
    while !rest.is_empty() {
        if kind != Word::Connector {
            push_lowered(&mut out, kind, word, connector);
        }
        let prev = kind;
        let last = word;
        (kind, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while kind == Word::Alphabet || kind == Word::Number {
                    push_lowered(&mut out, kind, word, connector);
                    (kind, word, rest) = next_word(rest);
                }
                if !matches!(kind, Word::End | Word::Punct | Word::Connector) {
                    out.push(connector);
                }
            }
            Word::Connector => push_lowered(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if kind != Word::Number {
                    if kind != Word::Connector && kind != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let number = word;
                (kind, word, rest) = next_word(rest);
                if kind != Word::Alphabet {
                    // "Bld4Floor": the number belongs to the previous word.
                    push_lowered(&mut out, Word::Number, number, connector);
                    if kind != Word::Connector && kind != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                // "HTTP2xx": lowercase letters after the number start a new word with it.
                out.push(connector);
                push_lowered(&mut out, Word::Number, number, connector);
                while kind == Word::Alphabet || kind == Word::Number {
                    push_lowered(&mut out, kind, word, connector);
                    (kind, word, rest) = next_word(rest);
                }
                if !matches!(kind, Word::End | Word::Connector | Word::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    push_lowered(&mut out, kind, word, connector);
    out
}

/// xstrings v1.5.0 `ToPascalCase` (Sprig's `camelcase`): connectors removed and the next rune
/// uppercased; within a word that starts uppercase, the following uppercase run is lowered
/// (`GOLANG_IS_GREAT` → `GolangIsGreat`, `HTTPServer` → `Httpserver`). Leading connectors stay, and a
/// string that is only connectors gets its last one doubled (`_` → `__`), as xstrings does.
pub fn pascal_case(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut current = '\0';
    let mut first_upper = false;
    for c in chars.by_ref() {
        current = c;
        if !is_connector(c) {
            first_upper = go_is_upper(c);
            current = go_to_upper(c);
            break;
        }
        out.push(c);
    }
    if chars.peek().is_none() {
        // Only one rune after the leading connectors (or none: xstrings repeats the last connector).
        out.push(current);
        return out;
    }
    for c in chars {
        let prev = current;
        current = c;
        if is_connector(current) && is_connector(prev) {
            out.push(prev);
            continue;
        }
        if is_connector(prev) {
            first_upper = go_is_upper(current);
            current = go_to_upper(current);
        } else {
            if first_upper {
                if go_is_upper(current) {
                    current = go_to_lower(current);
                } else {
                    first_upper = false;
                }
            }
            out.push(prev);
        }
    }
    out.push(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_matches_xstrings() {
        // helm: {{ snakecase "…" }} for each input
        for (input, want) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO_PATH", "go_path"),
            ("GO PATH", "go_path"),
            ("GO-PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
        ] {
            assert_eq!(camel_to_lower(input, '_'), want, "{input}");
        }
    }

    #[test]
    fn pascal_case_matches_xstrings() {
        // helm: {{ camelcase "…" | quote }} for each input
        for (input, want) in [
            ("some_words", "SomeWords"),
            ("_complex__case_", "_Complex_Case_"),
            ("GOLANG_IS_GREAT", "GolangIsGreat"),
            ("FooBAR", "FooBAR"),
            ("HTTPServer", "Httpserver"),
            ("_", "__"),
            ("__a", "__A"),
            ("a  b", "A B"),
            ("ÀB_ÇD", "ÀbÇd"),
            ("x", "X"),
        ] {
            assert_eq!(pascal_case(input), want, "{input}");
        }
    }

    #[test]
    fn title_and_friends() {
        assert_eq!(title("hello wORLD foo_bar a-b"), "Hello WORLD Foo_bar A-B");
        assert_eq!(uncapitalize("Hello World"), "hello world");
        assert_eq!(swap_case("This Is A.test"), "tHIS iS a.TEST");
        assert_eq!(initials("first try"), "ft");
        assert_eq!(delete_white_space(" a b\tc "), "abc");
    }
}
