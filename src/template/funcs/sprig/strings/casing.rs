//! Go's rune classes and case mappings, and the casing algorithms Sprig's string functions call:
//! `strings.Title`, goutils' `Uncapitalize`/`SwapCase`/`Initials`/`DeleteWhiteSpace`, and xstrings
//! v1.5.0's `ToSnakeCase`/`ToKebabCase`/`ToPascalCase`.
//!
//! Go maps case rune by rune with Unicode's *simple* mappings (`ß` stays `ß` in `upper`), while Rust's
//! `char::to_uppercase` uses the full mappings; [`go_to_upper`]/[`go_to_lower`] bridge the two.
//! Go's `unicode.IsUpper`/`IsLower` test the `Lu`/`Ll` categories, Rust's the wider derived
//! properties; the `Other_Uppercase`/`Other_Lowercase` ranges are excluded here. `unicode.IsPunct`
//! (category `P`) has no Rust counterpart: ASCII is exact, other scripts cover the common
//! punctuation blocks only.

/// Go's `unicode.ToUpper`: the simple uppercase mapping (a rune whose only uppercase form is several
/// runes, such as `ß`, is unchanged).
pub fn go_to_upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
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

/// Go's `unicode.IsTitle` for the runes charts meet (the Latin digraphs).
pub fn go_is_title(c: char) -> bool {
    matches!(c, 'ǅ' | 'ǈ' | 'ǋ' | 'ǲ')
}

/// Go's `unicode.IsUpper` (category `Lu`).
pub fn go_is_upper(c: char) -> bool {
    c.is_uppercase() && !matches!(c as u32, 0x2160..=0x216f | 0x24b6..=0x24cf | 0x1f130..=0x1f189)
}

/// Go's `unicode.IsLower` (category `Ll`).
pub fn go_is_lower(c: char) -> bool {
    c.is_lowercase()
        && !matches!(c as u32,
            0xaa | 0xba | 0x2b0..=0x2b8 | 0x2c0..=0x2c1 | 0x2e0..=0x2e4 | 0x345 | 0x37a
            | 0x1d2c..=0x1d6a | 0x1d78 | 0x1d9b..=0x1dbf | 0x2071 | 0x207f | 0x2090..=0x209c
            | 0x2170..=0x217f | 0x24d0..=0x24e9 | 0x2c7c..=0x2c7d | 0xa69c..=0xa69d | 0xa770
            | 0xa7f8..=0xa7f9 | 0xab5c..=0xab5f)
}

/// Go's `unicode.IsSpace`.
pub fn go_is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Go's `unicode.IsLetter` (approximated by the `Alphabetic` property).
pub fn go_is_letter(c: char) -> bool {
    c.is_alphabetic()
}

/// Go's `unicode.IsNumber` (category `N`).
pub fn go_is_number(c: char) -> bool {
    c.is_numeric()
}

/// Go's `unicode.IsPunct` (category `P`): exact for ASCII and Latin-1, the common blocks elsewhere.
pub fn go_is_punct(c: char) -> bool {
    if c.is_ascii() {
        return matches!(
            c,
            '!' | '"'
                | '#'
                | '%'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | ','
                | '-'
                | '.'
                | '/'
                | ':'
                | ';'
                | '?'
                | '@'
                | '['
                | '\\'
                | ']'
                | '_'
                | '{'
                | '}'
        );
    }
    matches!(c as u32,
        0xa1 | 0xa7 | 0xab | 0xb6 | 0xb7 | 0xbb | 0xbf | 0x37e | 0x387 | 0x55a..=0x55f
        | 0x589..=0x58a | 0x5be | 0x5c0 | 0x5c3 | 0x5c6 | 0x5f3..=0x5f4 | 0x60c..=0x60d
        | 0x61b | 0x61e..=0x61f | 0x66a..=0x66d | 0x6d4 | 0x964..=0x965 | 0x970
        | 0x2010..=0x2027 | 0x2030..=0x2043 | 0x2045..=0x2051 | 0x2053..=0x205e
        | 0x207d..=0x207e | 0x208d..=0x208e | 0x2308..=0x230b | 0x2329..=0x232a
        | 0x2768..=0x2775 | 0x27c5..=0x27c6 | 0x27e6..=0x27ef | 0x2983..=0x2998
        | 0x29d8..=0x29db | 0x29fc..=0x29fd | 0x2e00..=0x2e2e | 0x2e30..=0x2e4f
        | 0x3001..=0x3003 | 0x3008..=0x3011 | 0x3014..=0x301f | 0x3030 | 0x303d | 0x30a0
        | 0x30fb | 0xfe10..=0xfe19 | 0xfe30..=0xfe52 | 0xfe54..=0xfe61 | 0xfe63 | 0xfe68
        | 0xfe6a..=0xfe6b | 0xff01..=0xff03 | 0xff05..=0xff0a | 0xff0c..=0xff0f
        | 0xff1a..=0xff1b | 0xff1f..=0xff20 | 0xff3b..=0xff3d | 0xff3f | 0xff5b | 0xff5d
        | 0xff5f..=0xff65)
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
    if go_is_letter(c) || c.is_numeric() {
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
