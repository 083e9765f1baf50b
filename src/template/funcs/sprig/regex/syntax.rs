//! Go `regexp/syntax` (Perl flags, as `regexp.Compile` uses) translated to the `regex` crate's syntax.
//!
//! Both are RE2, but they disagree at the edges, and this module walks the Go pattern once to
//! - report Go's syntax errors with Go's text (`missing closing )`, `invalid repeat count`, `invalid
//!   escape sequence`, `invalid character class range`, `invalid or unsupported Perl syntax`…);
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
        self.can_repeat = true;
        self.last_repeat = None;
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
                    self.atom();
                }
                '|' => {
                    self.bump();
                    self.out.push('|');
                    self.can_repeat = false;
                    self.last_repeat = None;
                }
                '*' | '+' | '?' => {
                    self.bump();
                    self.repetition(start, &c.to_string())?;
                }
                '{' => match self.repeat_count()? {
                    Some(op) => self.repetition(start, &op)?,
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

    /// A repetition operator `op` that started at `start` (already consumed), plus a lazy `?`.
    fn repetition(&mut self, start: usize, op: &str) -> Result<(), SyntaxError> {
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
        self.out.push_str(&op);
        self.last_repeat = Some(start);
        Ok(())
    }

    /// `{n}`, `{n,}` or `{n,m}` at the cursor: consumed and returned when well-formed; `None` (nothing
    /// consumed) when the `{` is a literal.
    fn repeat_count(&mut self) -> Result<Option<String>, SyntaxError> {
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
        let (lo, hi) = (parse(min), max.filter(|m| !m.is_empty()).map(parse));
        if lo > MAX_REPEAT || hi.is_some_and(|h| h > MAX_REPEAT || h < lo) {
            return Err(error("invalid repeat count", op));
        }
        self.pos += op.len();
        Ok(Some(op.to_string()))
    }

    fn group(&mut self) -> Result<(), SyntaxError> {
        let start = self.pos;
        self.bump();
        self.can_repeat = false;
        self.last_repeat = None;
        if self.peek() != Some('?') {
            self.open_groups += 1;
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
            self.open_groups += 1;
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
                        self.open_groups += 1;
                        self.out.push_str(&format!("(?{flags}:"));
                    } else {
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
            let name_end = if self.peek() == Some('{') {
                match self.rest().find('}') {
                    Some(end) => self.pos + end + 1,
                    None => return Err(error("invalid character class range", &self.src[start..])),
                }
            } else {
                self.pos + self.peek().map_or(0, char::len_utf8)
            };
            let text = &self.src[start..name_end];
            self.pos = name_end;
            return Ok(text.to_string());
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
            if c == '[' && self.rest().starts_with("[:") {
                if let Some(end) = self.rest().find(":]") {
                    let text = &self.rest()[..end + 2];
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
