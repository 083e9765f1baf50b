//! Go `regexp/syntax` (Perl flags, as `regexp.Compile` uses) translated to the `regex` crate's syntax.
//!
//! Both are RE2, but they disagree at the edges, and this module walks the Go pattern once to
//! - report Go's syntax errors with Go's text (`missing closing )`, `invalid repeat count`, `invalid
//!   escape sequence`, `invalid character class range`, `invalid or unsupported Perl syntax`…),
//!   with Go's own checks: class names (`[[:foo:]]`, `\ps`, `\p{greek}` are unknown to Go) and the
//!   limit of 1,000 on the product of nested repeat counts;
//! - accept what Go accepts: `\p{^Greek}` (a negated name), `(?)` (no flags), `[:` without `:]`;
//! - keep Go's meaning where the crate's differs: `\d \w \s \b` are ASCII-only, `{` that does not start
//!   a valid repeat is a literal (`a{,5}`), `\Q…\E` quotes, `\<` is a plain `<`, a `[` inside a class is
//!   a literal, capture names may start with a digit and repeat;
//! - emit literals as `\x{…}` escapes so that no character means something else to the crate.
//!
//! Capture names are not passed to the crate: groups are emitted unnamed and their Go names are
//! returned by index, for `${name}` expansion.

/// A translated pattern: the crate's pattern and the Go name of each capture group (index 0 is the
/// whole match).
pub struct Translated {
    pub pattern: String,
    pub names: Vec<Option<String>>,
}

/// Go's error text without the `error parsing regexp: ` prefix.
type SyntaxError = String;

fn error(code: &str, arg: &str) -> SyntaxError {
    format!("{code}: `{arg}`")
}

const MAX_REPEAT: u32 = 1000;

/// Translates a Go pattern, or returns Go's syntax error.
pub fn translate(pattern: &str) -> Result<Translated, SyntaxError> {
    Parser {
        src: pattern,
        pos: 0,
        out: String::with_capacity(pattern.len() * 2),
        names: vec![None],
        open_groups: 0,
        can_repeat: false,
        last_repeat: None,
        weights: Weights::default(),
        outer_weights: Vec::new(),
    }
    .run()
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    out: String,
    names: Vec<Option<String>>,
    open_groups: usize,
    /// Whether the previous item can take a repetition operator.
    can_repeat: bool,
    /// Where the previous item started, when it was a repetition operator.
    last_repeat: Option<usize>,
    /// The repeat weights of the innermost open group's items.
    weights: Weights,
    /// Those of the enclosing groups, innermost last.
    outer_weights: Vec<Weights>,
}

/// Go's limit on nested counted repeats (`repeatIsValid`): along every path of the tree, the product
/// of the counts (the maximum, or the minimum when unbounded) must stay within [`MAX_REPEAT`], a
/// repeat `{0}` ends the path and `{0,}` does not count. An item's weight is the largest such product
/// below it (1 for a plain atom).
#[derive(Clone, Copy)]
struct Weights {
    /// The largest weight of the items before the last one (alternatives included).
    done: u64,
    /// The weight of the last item, the one a repetition operator applies to.
    last: u64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { done: 1, last: 1 }
    }
}

impl Weights {
    /// The weight of the whole group so far.
    fn total(self) -> u64 {
        self.done.max(self.last)
    }
}

/// The characters storing invalid bytes (`gostr`): Go's regexp reads each invalid byte as U+FFFD,
/// so wherever a pattern names U+FFFD they match too.
const INVALID_BYTES: &str = "\\x{10FF80}-\\x{10FFFF}";

fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || (!c.is_ascii() && !c.is_whitespace()) {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

/// The names of Go's POSIX classes (`[[:alpha:]]`, negated as `[[:^alpha:]]`); the crate knows the
/// same ones.
const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Go's Unicode general categories (Go 1.23 `unicode.Categories`).
const CATEGORIES: [&str; 36] = [
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs",
];

/// Go's Unicode scripts (Go 1.23 `unicode.Scripts`, Unicode 15.0.0), sorted.
#[rustfmt::skip]
const SCRIPTS: [&str; 163] = [
    "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum",
    "Bassa_Vah", "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese",
    "Buhid", "Canadian_Aboriginal", "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee",
    "Chorasmian", "Common", "Coptic", "Cuneiform", "Cypriot", "Cypro_Minoan", "Cyrillic", "Deseret",
    "Devanagari", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs", "Elbasan", "Elymaic",
    "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati", "Gunjala_Gondi",
    "Gurmukhi", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana",
    "Imperial_Aramaic", "Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese",
    "Kaithi", "Kannada", "Katakana", "Kawi", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script",
    "Khmer", "Khojki", "Khudawadi", "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B",
    "Lisu", "Lycian", "Lydian", "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean",
    "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek", "Mende_Kikakui", "Meroitic_Cursive",
    "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar", "Nabataean",
    "Nag_Mundari", "Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong",
    "Ogham", "Ol_Chiki", "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic",
    "Old_Persian", "Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Oriya", "Osage",
    "Osmanya", "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician",
    "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada", "Shavian",
    "Siddham", "SignWriting", "Sinhala", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese",
    "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet", "Takri",
    "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta",
    "Toto", "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Yi",
    "Zanabazar_Square",
];

/// The crate's class for Go's `\p{name}` (`\P{name}` when `negated`), or `None` when Go knows no
/// such name (`regexp/syntax` `unicodeTable`: exactly `Any`, a category or a script, case-sensitive).
fn unicode_class(name: &str, negated: bool) -> Option<String> {
    let p = if negated { 'P' } else { 'p' };
    if name == "Any" {
        return Some(format!("\\{p}{{Any}}"));
    }
    let caret = if negated { "^" } else { "" };
    if name == "C" {
        // Go's `C` is Cc, Cf, Co and Cs; the crate's also holds unassigned code points (Cn). A
        // surrogate is never in a string (Go reads U+FFFD), and the crate has no `Cs`.
        return Some(format!("[{caret}\\p{{Cc}}\\p{{Cf}}\\p{{Co}}]"));
    }
    if name == "Cs" {
        // Nothing, or everything.
        let caret = if negated { "" } else { "^" };
        return Some(format!("[{caret}\\x{{0}}-\\x{{10FFFF}}]"));
    }
    if CATEGORIES.contains(&name) {
        return Some(format!("\\{p}{{gc={name}}}"));
    }
    // `sc=`: a bare script name means its Script_Extensions to the crate, its Script to Go.
    SCRIPTS
        .binary_search(&name)
        .ok()
        .map(|_| format!("\\{p}{{sc={name}}}"))
}

/// Go's Perl classes, ASCII-only.
fn perl_class(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        's' => "[\\t\\n\\x{C}\\r ]",
        'S' => "[^\\t\\n\\x{C}\\r ]",
        'w' => "[0-9A-Za-z_]",
        'W' => "[^0-9A-Za-z_]",
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn atom(&mut self) {
        self.atom_weighing(1);
    }

    /// An item of the given repeat weight is complete.
    fn atom_weighing(&mut self, weight: u64) {
        self.can_repeat = true;
        self.last_repeat = None;
        self.weights.done = self.weights.total();
        self.weights.last = weight;
    }

    /// A group opens: its items are weighed apart.
    fn open_group(&mut self) {
        self.open_groups += 1;
        self.outer_weights.push(std::mem::take(&mut self.weights));
    }

    fn run(mut self) -> Result<Translated, SyntaxError> {
        while let Some(c) = self.peek() {
            let start = self.pos;
            match c {
                '(' => self.group()?,
                ')' => {
                    self.bump();
                    if self.open_groups == 0 {
                        return Err(error("unexpected )", self.src));
                    }
                    self.open_groups -= 1;
                    self.out.push(')');
                    let weight = self.weights.total();
                    self.weights = self.outer_weights.pop().unwrap_or_default();
                    self.atom_weighing(weight);
                }
                '|' => {
                    self.bump();
                    self.out.push('|');
                    self.can_repeat = false;
                    self.last_repeat = None;
                    self.weights = Weights {
                        done: self.weights.total(),
                        last: 1,
                    };
                }
                '*' | '+' | '?' => {
                    self.bump();
                    self.repetition(start, &c.to_string(), None)?;
                }
                '{' => match self.repeat_count()? {
                    Some((op, counts)) => self.repetition(start, &op, Some(counts))?,
                    None => {
                        self.bump();
                        push_literal(&mut self.out, '{');
                        self.atom();
                    }
                },
                '[' => {
                    self.class()?;
                    self.atom();
                }
                '\\' => self.escape_outside_class()?,
                '.' | '^' | '$' => {
                    self.bump();
                    self.out.push(c);
                    self.atom();
                }
                '\u{FFFD}' => {
                    self.bump();
                    self.out.push_str("[\\x{FFFD}");
                    self.out.push_str(INVALID_BYTES);
                    self.out.push(']');
                    self.atom();
                }
                _ => {
                    self.bump();
                    push_literal(&mut self.out, c);
                    self.atom();
                }
            }
        }
        if self.open_groups > 0 {
            return Err(error("missing closing )", self.src));
        }
        Ok(Translated {
            pattern: self.out,
            names: self.names,
        })
    }

    /// A repetition operator `op` that started at `start` (already consumed), plus a lazy `?`;
    /// `counts` (minimum, maximum when bounded) for `{…}`.
    fn repetition(
        &mut self,
        start: usize,
        op: &str,
        counts: Option<(u32, Option<u32>)>,
    ) -> Result<(), SyntaxError> {
        let mut op = op.to_string();
        if self.peek() == Some('?') {
            self.bump();
            op.push('?');
        }
        if let Some(previous) = self.last_repeat {
            return Err(error(
                "invalid nested repetition operator",
                &self.src[previous..self.pos],
            ));
        }
        if !self.can_repeat {
            return Err(error("missing argument to repetition operator", &op));
        }
        if let Some((min, max)) = counts {
            let weight = match max.unwrap_or(min) {
                _ if max == Some(0) => 1,
                0 => self.weights.last,
                count => self.weights.last.saturating_mul(u64::from(count)),
            };
            if (min >= 2 || max.is_some_and(|m| m >= 2)) && weight > u64::from(MAX_REPEAT) {
                return Err(error("invalid repeat count", &op));
            }
            self.weights.last = weight;
        }
        self.out.push_str(&op);
        self.last_repeat = Some(start);
        Ok(())
    }

    /// `{n}`, `{n,}` or `{n,m}` at the cursor: consumed and returned when well-formed; `None` (nothing
    /// consumed) when the `{` is a literal.
    #[allow(clippy::type_complexity)]
    fn repeat_count(&mut self) -> Result<Option<(String, (u32, Option<u32>))>, SyntaxError> {
        let rest = self.rest();
        let Some(close) = rest.find('}') else {
            return Ok(None);
        };
        let body = &rest[1..close];
        let (min, max) = match body.split_once(',') {
            Some((min, max)) => (min, Some(max)),
            None => (body, None),
        };
        let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !is_number(min) || max.is_some_and(|m| !m.is_empty() && !is_number(m)) {
            return Ok(None);
        }
        let op = &rest[..=close];
        let parse = |s: &str| s.parse::<u32>().unwrap_or(u32::MAX);
        let lo = parse(min);
        let hi = match max {
            None => Some(lo),
            Some("") => None,
            Some(m) => Some(parse(m)),
        };
        if lo > MAX_REPEAT || hi.is_some_and(|h| h > MAX_REPEAT || h < lo) {
            return Err(error("invalid repeat count", op));
        }
        self.pos += op.len();
        Ok(Some((op.to_string(), (lo, hi))))
    }

    fn group(&mut self) -> Result<(), SyntaxError> {
        let start = self.pos;
        self.bump();
        self.can_repeat = false;
        self.last_repeat = None;
        if self.peek() != Some('?') {
            self.open_group();
            self.names.push(None);
            self.out.push('(');
            return Ok(());
        }
        self.bump();
        let rest = self.rest();
        let named = rest.strip_prefix("P<").or_else(|| {
            rest.strip_prefix('<')
                .filter(|r| !r.starts_with(['=', '!']))
        });
        if let Some(after) = named {
            let Some(end) = after.find('>') else {
                return Err(error("invalid named capture", &self.src[start..]));
            };
            let name = &after[..end];
            let header_end = self.src.len() - after.len() + end + 1;
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(error("invalid named capture", &self.src[start..header_end]));
            }
            self.pos = header_end;
            self.open_group();
            self.names.push(Some(name.to_string()));
            self.out.push('(');
            return Ok(());
        }
        // Flags: `(?flags)` or `(?flags:re)`, flags from `imsU` with an optional `-`.
        let mut flags = String::new();
        let mut negated = false;
        loop {
            let Some(c) = self.bump() else {
                return Err(error(
                    "invalid or unsupported Perl syntax",
                    &self.src[start..],
                ));
            };
            match c {
                'i' | 'm' | 's' | 'U' => flags.push(c),
                '-' if !negated => {
                    negated = true;
                    flags.push('-');
                }
                ':' | ')' if !flags.ends_with('-') => {
                    if c == ':' {
                        self.open_group();
                        self.out.push_str(&format!("(?{flags}:"));
                    } else if !flags.is_empty() {
                        self.out.push_str(&format!("(?{flags})"));
                    }
                    return Ok(());
                }
                _ => {
                    return Err(error(
                        "invalid or unsupported Perl syntax",
                        &self.src[start..self.pos],
                    ))
                }
            }
        }
    }

    /// An escape outside a class: assertions, `\Q…\E`, classes, or a literal.
    fn escape_outside_class(&mut self) -> Result<(), SyntaxError> {
        let start = self.pos;
        self.bump();
        match self.peek() {
            Some('A') | Some('z') => {
                let c = self.bump().unwrap_or('A');
                self.out.push('\\');
                self.out.push(c);
                self.atom();
                return Ok(());
            }
            Some('b') | Some('B') => {
                let c = self.bump().unwrap_or('b');
                self.out.push_str(&format!("(?-u:\\{c})"));
                self.atom();
                return Ok(());
            }
            Some('Q') => {
                self.bump();
                let rest = self.rest();
                let (quoted, consumed) = match rest.find("\\E") {
                    Some(end) => (&rest[..end], end + 2),
                    None => (rest, rest.len()),
                };
                for c in quoted.chars() {
                    push_literal(&mut self.out, c);
                }
                self.pos += consumed;
                self.atom();
                return Ok(());
            }
            _ => {}
        }
        self.pos = start;
        let item = self.class_item_escape()?;
        self.out.push_str(&item);
        self.atom();
        Ok(())
    }

    /// An escape that denotes a class (`\d`, `\pL`) or a single character; returns the crate's text
    /// (a character as `\x{…}`, a Perl class as a bracketed ASCII class, valid inside a class too).
    fn class_item_escape(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        self.bump();
        let Some(c) = self.peek() else {
            return Err(error("trailing backslash at end of expression", ""));
        };
        if let Some(class) = perl_class(c) {
            self.bump();
            return Ok(class.to_string());
        }
        if c == 'p' || c == 'P' {
            self.bump();
            let (name, end) = if self.peek() == Some('{') {
                match self.rest().find('}') {
                    Some(end) => (&self.rest()[1..end], self.pos + end + 1),
                    None => return Err(error("invalid character class range", &self.src[start..])),
                }
            } else {
                let len = self.peek().map_or(0, char::len_utf8);
                (&self.rest()[..len], self.pos + len)
            };
            let sequence = &self.src[start..end];
            self.pos = end;
            // `\p{^Greek}` is `\P{Greek}`.
            let (name, negated) = match name.strip_prefix('^') {
                Some(name) => (name, c == 'p'),
                None => (name, c == 'P'),
            };
            return unicode_class(name, negated)
                .ok_or_else(|| error("invalid character class range", sequence));
        }
        let ch = self.escaped_char(start)?;
        let mut out = String::new();
        push_literal(&mut out, ch);
        Ok(out)
    }

    /// The character of a single-character escape (the cursor is after the backslash).
    fn escaped_char(&mut self, start: usize) -> Result<char, SyntaxError> {
        let invalid = |p: &Parser<'_>| Err(error("invalid escape sequence", &p.src[start..p.pos]));
        let Some(c) = self.bump() else {
            return Err(error("trailing backslash at end of expression", ""));
        };
        let octal = |p: &Parser<'_>| p.peek().is_some_and(|d| ('0'..='7').contains(&d));
        match c {
            '1'..='7' if !octal(self) => invalid(self),
            '0'..='7' => {
                let mut value = c as u32 - '0' as u32;
                for _ in 0..2 {
                    if !octal(self) {
                        break;
                    }
                    let d = self.bump().unwrap_or('0');
                    value = value * 8 + (d as u32 - '0' as u32);
                }
                Ok(char::from_u32(value).unwrap_or('\0'))
            }
            'x' => {
                let rest = self.rest();
                let (digits, consumed) = if let Some(braced) = rest.strip_prefix('{') {
                    match braced.find('}') {
                        Some(end) => (&braced[..end], end + 2),
                        None => {
                            self.pos = self.src.len();
                            return invalid(self);
                        }
                    }
                } else {
                    let two = rest.char_indices().nth(2).map_or(rest.len(), |(i, _)| i);
                    (&rest[..two], two)
                };
                self.pos += consumed;
                let value = if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                    None
                } else {
                    u32::from_str_radix(digits, 16)
                        .ok()
                        .and_then(char::from_u32)
                };
                match value {
                    Some(ch) if Self::braced_or_two(consumed, digits) => Ok(ch),
                    _ => invalid(self),
                }
            }
            'a' => Ok('\u{7}'),
            'f' => Ok('\u{c}'),
            'n' => Ok('\n'),
            'r' => Ok('\r'),
            't' => Ok('\t'),
            'v' => Ok('\u{b}'),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(c),
            _ => invalid(self),
        }
    }

    /// Whether a `\x` escape had its braces or exactly two hex digits.
    fn braced_or_two(consumed: usize, digits: &str) -> bool {
        consumed > digits.len() || digits.len() == 2
    }

    /// A bracketed class, with Go's item rules.
    fn class(&mut self) -> Result<(), SyntaxError> {
        let start = self.pos;
        self.bump();
        let mut out = String::from("[");
        if self.peek() == Some('^') {
            self.bump();
            out.push('^');
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(error("missing closing ]", &self.src[start..]));
            };
            if c == ']' && !first {
                self.bump();
                break;
            }
            first = false;
            // Go looks for the first `:]` after `[:`, even beyond this class.
            if self.rest().len() > 2 && self.rest().starts_with("[:") {
                if let Some(end) = self.rest()[2..].find(":]") {
                    let text = &self.rest()[..end + 4];
                    let name = &text[2..text.len() - 2];
                    if !POSIX_CLASSES.contains(&name.strip_prefix('^').unwrap_or(name)) {
                        return Err(error("invalid character class range", text));
                    }
                    out.push_str(text);
                    self.pos += text.len();
                    continue;
                }
            }
            let item_start = self.pos;
            let low = match self.class_char()? {
                ClassChar::Char(ch) => ch,
                ClassChar::Class(text) => {
                    out.push_str(&text);
                    continue;
                }
            };
            let is_range = self.rest().starts_with('-')
                && !self.rest()[1..].starts_with(']')
                && self.rest().len() > 1;
            if !is_range {
                push_literal(&mut out, low);
                if low == '\u{FFFD}' {
                    out.push_str(INVALID_BYTES);
                }
                continue;
            }
            self.bump();
            // Go reads the high end as one character: a class escape there is an invalid escape.
            let mut high_escape = self.rest().chars();
            if high_escape.next() == Some('\\')
                && high_escape
                    .next()
                    .is_some_and(|n| perl_class(n).is_some() || n == 'p' || n == 'P')
            {
                return Err(error("invalid escape sequence", &self.rest()[..2]));
            }
            let high = match self.class_char()? {
                ClassChar::Char(ch) => ch,
                ClassChar::Class(_) => {
                    return Err(error(
                        "invalid character class range",
                        &self.src[item_start..self.pos],
                    ))
                }
            };
            if high < low {
                return Err(error(
                    "invalid character class range",
                    &self.src[item_start..self.pos],
                ));
            }
            push_literal(&mut out, low);
            out.push('-');
            push_literal(&mut out, high);
            if (low..=high).contains(&'\u{FFFD}') {
                out.push_str(INVALID_BYTES);
            }
        }
        out.push(']');
        self.out.push_str(&out);
        Ok(())
    }

    fn class_char(&mut self) -> Result<ClassChar, SyntaxError> {
        match self.peek() {
            Some('\\') => {
                let start = self.pos;
                let next = self.rest()[1..].chars().next();
                if next.is_some_and(|n| perl_class(n).is_some() || n == 'p' || n == 'P') {
                    return self.class_item_escape().map(ClassChar::Class);
                }
                self.bump();
                self.escaped_char(start).map(ClassChar::Char)
            }
            Some(c) => {
                self.bump();
                Ok(ClassChar::Char(c))
            }
            None => Err(error("missing closing ]", self.src)),
        }
    }
}

enum ClassChar {
    Char(char),
    /// A nested class in the crate's syntax (`[0-9]`, `\pL`).
    Class(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(p: &str) -> String {
        translate(p).err().unwrap_or_default()
    }

    #[test]
    fn go_errors() {
        // helm: {{ mustRegexFindAll "PATTERN" "…" -1 }} for each
        assert_eq!(err("a{1001}"), "invalid repeat count: `{1001}`");
        assert_eq!(err("a{2,1}"), "invalid repeat count: `{2,1}`");
        assert_eq!(err("[z-a]"), "invalid character class range: `z-a`");
        assert_eq!(err("\\q"), "invalid escape sequence: `\\q`");
        assert_eq!(err("\\C"), "invalid escape sequence: `\\C`");
        assert_eq!(err("\\8"), "invalid escape sequence: `\\8`");
        assert_eq!(
            err("x{2}{3}"),
            "invalid nested repetition operator: `{2}{3}`"
        );
        assert_eq!(err("(?i"), "invalid or unsupported Perl syntax: `(?i`");
        assert_eq!(err("(?z)"), "invalid or unsupported Perl syntax: `(?z`");
        assert_eq!(err("a(?=b)"), "invalid or unsupported Perl syntax: `(?=`");
        assert_eq!(err("("), "missing closing ): `(`");
        assert_eq!(err("a)"), "unexpected ): `a)`");
        assert_eq!(err("[a"), "missing closing ]: `[a`");
        assert_eq!(err("*a"), "missing argument to repetition operator: `*`");
        assert_eq!(err("a**"), "invalid nested repetition operator: `**`");
        assert_eq!(err("a\\"), "trailing backslash at end of expression: ``");
    }

    #[test]
    fn go_class_name_errors() {
        // Checked with Go 1.23.7 regexp.Compile.
        let range = |arg: &str| format!("invalid character class range: `{arg}`");
        assert_eq!(err("[[:foo:]]"), range("[:foo:]"));
        assert_eq!(err("[[:foo:]"), range("[:foo:]"));
        assert_eq!(err("(?i)[[:^loer:]]"), range("[:^loer:]"));
        assert_eq!(err("[[:a]lpha:]]"), range("[:a]lpha:]"));
        assert_eq!(err("[[:^^alpha:]]"), range("[:^^alpha:]"));
        assert_eq!(err("\\ps"), range("\\ps"));
        assert_eq!(err("\\p"), range("\\p"));
        assert_eq!(err("\\p^"), range("\\p^"));
        assert_eq!(err("\\p{^}"), range("\\p{^}"));
        assert_eq!(err("\\p{L u}"), range("\\p{L u}"));
        assert_eq!(err("\\p{greek}"), range("\\p{greek}"));
        assert_eq!(err("\\p{Grek}"), range("\\p{Grek}"));
        assert_eq!(err("[\\p{Lu-}]"), range("\\p{Lu-}"));
        assert_eq!(err("\\p{Lu"), range("\\p{Lu"));
        assert_eq!(err("[a-\\d]"), "invalid escape sequence: `\\d`");
        assert_eq!(err("[a-\\pL]"), "invalid escape sequence: `\\p`");
    }

    #[test]
    fn go_accepts() {
        for p in [
            "(?)",
            "(?).",
            "(?:a)",
            "htt[p://[:]/",
            "[[:]",
            "[[:alpha:][:^digit:]]",
            "\\p{^Greek}",
            "\\P{^Braille}",
            "[\\p{^Any}x]",
            "\\pL\\PN\\p{C}\\P{C}",
        ] {
            let translated = translate(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            regex::Regex::new(&translated.pattern).unwrap_or_else(|e| panic!("{p}: {e}"));
        }
        for name in CATEGORIES.iter().chain(SCRIPTS.iter()) {
            for p in [format!("\\p{{{name}}}"), format!("[^\\P{{^{name}}}]")] {
                let translated = translate(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
                regex::Regex::new(&translated.pattern).unwrap_or_else(|e| panic!("{p}: {e}"));
            }
        }
    }

    #[test]
    fn go_meanings_of_unicode_classes() {
        let matches = |p: &str, text: &str| {
            regex::Regex::new(&translate(p).unwrap().pattern)
                .unwrap()
                .is_match(text)
        };
        assert!(matches("^\\p{^Greek}$", "a"));
        assert!(!matches("^\\p{^Greek}$", "λ"));
        assert!(matches("^\\P{^Greek}$", "λ"));
        // Go's C leaves out unassigned code points; its scripts are Script, not Script_Extensions.
        assert!(!matches("\\p{C}", "\u{378}"));
        assert!(matches("\\p{C}", "\u{7}"));
        assert!(!matches("\\p{Greek}", "\u{342}"));
    }

    #[test]
    fn go_nested_repeat_limit() {
        // Go's repeatIsValid: the product of nested counts stays within 1000.
        let ten = "((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})";
        assert_eq!(err(ten), "invalid repeat count: `{2}`");
        let lazy = "((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2}?)";
        assert_eq!(err(lazy), "invalid repeat count: `{2}?`");
        assert!(translate("(((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2})").is_ok());
        assert!(translate("((x{2}){0}){600}").is_ok());
        assert_eq!(err("((x{2}){0,}){600}"), "invalid repeat count: `{600}`");
        assert_eq!(err("(x{10}|y){101}"), "invalid repeat count: `{101}`");
        assert!(translate("(x{10}|y){100}").is_ok());
        assert!(translate("(x{10})(y{100}){10}").is_ok());
        assert_eq!(err("(?:(x{10})*){101}"), "invalid repeat count: `{101}`");
        assert!(translate("(x{2,}){500}").is_ok());
        assert_eq!(err("(x{2,}){501}"), "invalid repeat count: `{501}`");
        assert!(translate("(x{1000}){1}").is_ok());
    }

    #[test]
    fn go_meanings_are_kept() {
        let names = translate("(?P<1a>x)(?P<n>a)(?P<n>b)(c)").unwrap().names;
        assert_eq!(names.len(), 5);
        assert_eq!(names[1].as_deref(), Some("1a"));
        assert_eq!(names[4], None);
        assert!(translate("a{,5}").is_ok());
        assert!(translate("\\Qa.b\\E").is_ok());
        assert!(translate("[a[]").is_ok());
        assert_eq!(err("\\x中"), "invalid escape sequence: `\\x中`");
        assert!(translate("\\x{4E2D}\\x41").is_ok());
    }
}
