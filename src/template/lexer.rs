//! The lexer: Go's `text/template/parse/lex.go` state machine, pulled one item at a time.
//!
//! It reproduces Go's token boundaries, line counting, trim markers (`{{- ` and ` -}}`, which trim
//! ASCII whitespace and are UTF-8 safe), comments and error texts (`unclosed action`, `unterminated
//! quoted string`, `bad number syntax: "1x"`…). After an error the lexer yields only `Eof`, as Go's
//! does. Where Go uses Unicode tables (`unicode.IsLetter`, `unicode.IsDigit`) Rust's
//! `char::is_alphabetic`/`is_numeric` are used; they differ only on rare non-ASCII marks and digits.
use std::borrow::Cow;

use super::ast::Pos;

/// The kind of a lexed item (Go's `itemType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemType {
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl ItemType {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

/// One lexed item.
#[derive(Clone, Debug)]
pub struct Item<'a> {
    pub typ: ItemType,
    pub pos: Pos,
    pub val: Cow<'a, str>,
    /// 1-based line where the item starts.
    pub line: u32,
}

impl Default for Item<'_> {
    fn default() -> Self {
        Item {
            typ: ItemType::Eof,
            pos: 0,
            val: Cow::Borrowed(""),
            line: 0,
        }
    }
}

impl std::fmt::Display for Item<'_> {
    /// Go's `item.String()`, used in `unexpected X in Y` messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.typ {
            ItemType::Eof => f.write_str("EOF"),
            ItemType::Error => f.write_str(&self.val),
            t if t.is_keyword() => write!(f, "<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let head: String = self.val.chars().take(10).collect();
                    write!(f, "{}...", super::printf::quote_go(&head))
                } else {
                    f.write_str(&super::printf::quote_go(&self.val))
                }
            }
        }
    }
}

const LEFT_DELIM: &str = "{{";
const RIGHT_DELIM: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";
const TRIM_MARKER_LEN: usize = 2;

/// The lexer over one template text.
pub struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    at_eof: bool,
    paren_depth: i32,
    line: u32,
    start_line: u32,
    inside_action: bool,
    /// Set once an error item was produced: everything after is EOF.
    failed: bool,
}

fn is_space(r: char) -> bool {
    matches!(r, ' ' | '\t' | '\r' | '\n')
}

/// Go's `isAlphaNumeric`.
fn is_alphanumeric(r: char) -> bool {
    if r.is_ascii() {
        return is_word_byte(r as u8);
    }
    r.is_alphabetic() || r.is_numeric()
}

/// [`is_alphanumeric`] of an ASCII byte; false for any other byte.
fn is_word_byte(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric()
}

fn has_left_trim_marker(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim_marker(b: &[u8]) -> bool {
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

/// Whether `b` starts with a right trim marker and the right delimiter (` -}}`).
fn is_trimmed_right_delim(b: &[u8]) -> bool {
    has_right_trim_marker(b) && b[TRIM_MARKER_LEN..].starts_with(RIGHT_DELIM.as_bytes())
}

const SPACE_CHARS: &[char] = &[' ', '\t', '\r', '\n'];

/// Go's `%#U`: `U+0041 'A'` for printable runes, `U+0001` otherwise.
pub fn format_unicode_sharp(r: char) -> String {
    if r.is_control() {
        format!("U+{:04X}", r as u32)
    } else {
        format!("U+{:04X} '{}'", r as u32, r)
    }
}

impl<'a> Lexer<'a> {
    pub fn new(input: &'a str) -> Lexer<'a> {
        Lexer {
            input,
            pos: 0,
            start: 0,
            at_eof: false,
            paren_depth: 0,
            line: 1,
            start_line: 1,
            inside_action: false,
            failed: false,
        }
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    // `next`, `peek` and `backup` step over an ASCII byte directly (`pos` is always at a character
    // boundary, and no byte of a multi-byte character is ASCII); other characters are decoded.

    fn next(&mut self) -> Option<char> {
        match self.input.as_bytes().get(self.pos) {
            None => {
                self.at_eof = true;
                None
            }
            Some(&b) if b.is_ascii() => {
                self.pos += 1;
                if b == b'\n' {
                    self.line += 1;
                }
                Some(char::from(b))
            }
            Some(_) => {
                let r = self.rest().chars().next()?;
                self.pos += r.len_utf8();
                Some(r)
            }
        }
    }

    fn peek(&self) -> Option<char> {
        match self.input.as_bytes().get(self.pos) {
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            _ => self.rest().chars().next(),
        }
    }

    fn backup(&mut self) {
        if !self.at_eof && self.pos > 0 {
            let before = self.input.as_bytes()[self.pos - 1];
            if before.is_ascii() {
                self.pos -= 1;
                if before == b'\n' {
                    self.line -= 1;
                }
            } else if let Some(r) = self.input[..self.pos].chars().next_back() {
                self.pos -= r.len_utf8();
            }
        }
        self.at_eof = false;
    }

    fn this_item(&mut self, typ: ItemType) -> Item<'a> {
        let item = Item {
            typ,
            pos: self.start as Pos,
            val: Cow::Borrowed(&self.input[self.start..self.pos]),
            line: self.start_line,
        };
        self.start = self.pos;
        self.start_line = self.line;
        item
    }

    fn ignore(&mut self) {
        self.line += count_newlines(&self.input[self.start..self.pos]);
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(r) if valid.contains(r) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn accept_run(&mut self, valid: &str) {
        loop {
            match self.next() {
                Some(r) if valid.contains(r) => {}
                _ => {
                    self.backup();
                    return;
                }
            }
        }
    }

    fn error(&mut self, message: String) -> Item<'a> {
        let item = Item {
            typ: ItemType::Error,
            pos: self.start as Pos,
            val: Cow::Owned(message),
            line: self.start_line,
        };
        self.failed = true;
        item
    }

    fn eof_item(&self) -> Item<'a> {
        Item {
            typ: ItemType::Eof,
            pos: self.pos as Pos,
            val: Cow::Borrowed("EOF"),
            line: self.start_line,
        }
    }

    /// The next item (Go's `nextItem`).
    pub fn next_item(&mut self) -> Item<'a> {
        if self.failed {
            return Item {
                typ: ItemType::Eof,
                pos: 0,
                val: Cow::Borrowed("EOF"),
                line: self.start_line,
            };
        }
        if self.inside_action {
            self.lex_inside_action()
        } else {
            self.lex_text()
        }
    }

    fn lex_text(&mut self) -> Item<'a> {
        if let Some(x) = find_left_delim(self.rest()) {
            if x > 0 {
                self.pos += x;
                let mut trim_length = 0;
                let delim_end = self.pos + LEFT_DELIM.len();
                if has_left_trim_marker(&self.input.as_bytes()[delim_end..]) {
                    let text = &self.input[self.start..self.pos];
                    trim_length = text.len() - text.trim_end_matches(SPACE_CHARS).len();
                }
                self.pos -= trim_length;
                self.line += count_newlines(&self.input[self.start..self.pos]);
                let item = self.this_item(ItemType::Text);
                self.pos += trim_length;
                self.ignore();
                if !item.val.is_empty() {
                    return item;
                }
            }
            return self.lex_left_delim();
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += count_newlines(&self.input[self.start..self.pos]);
            return self.this_item(ItemType::Text);
        }
        self.eof_item()
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = &self.input.as_bytes()[self.pos..];
        if rest.starts_with(RIGHT_DELIM.as_bytes()) {
            return (true, false);
        }
        let trimmed = is_trimmed_right_delim(rest);
        (trimmed, trimmed)
    }

    fn lex_left_delim(&mut self) -> Item<'a> {
        self.pos += LEFT_DELIM.len();
        let trim_space = has_left_trim_marker(&self.input.as_bytes()[self.pos..]);
        let after_marker = if trim_space { TRIM_MARKER_LEN } else { 0 };
        if self.input[self.pos + after_marker..].starts_with(LEFT_COMMENT) {
            self.pos += after_marker;
            self.ignore();
            return self.lex_comment();
        }
        let item = self.this_item(ItemType::LeftDelim);
        self.inside_action = true;
        self.pos += after_marker;
        self.ignore();
        self.paren_depth = 0;
        item
    }

    fn lex_comment(&mut self) -> Item<'a> {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim_space) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        self.this_item(ItemType::Comment);
        if trim_space {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += RIGHT_DELIM.len();
        if trim_space {
            let rest = self.rest();
            self.pos += rest.len() - rest.trim_start_matches(SPACE_CHARS).len();
        }
        self.ignore();
        self.lex_text()
    }

    fn lex_right_delim(&mut self) -> Item<'a> {
        let (_, trim_space) = self.at_right_delim();
        if trim_space {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += RIGHT_DELIM.len();
        let item = self.this_item(ItemType::RightDelim);
        if trim_space {
            let rest = self.rest();
            self.pos += rest.len() - rest.trim_start_matches(SPACE_CHARS).len();
            self.ignore();
        }
        self.inside_action = false;
        item
    }

    fn lex_inside_action(&mut self) -> Item<'a> {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return self.lex_right_delim();
            }
            return self.error("unclosed left paren".into());
        }
        let Some(r) = self.next() else {
            return self.error("unclosed action".into());
        };
        match r {
            r if is_space(r) => {
                self.backup();
                self.lex_space()
            }
            '=' => self.this_item(ItemType::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.error("expected :=".into());
                }
                self.this_item(ItemType::Declare)
            }
            '|' => self.this_item(ItemType::Pipe),
            '"' => self.lex_quote(),
            '`' => self.lex_raw_quote(),
            '$' => self.lex_variable(),
            '\'' => self.lex_char(),
            '.' => {
                if let Some(&b) = self.input.as_bytes().get(self.pos) {
                    if !b.is_ascii_digit() {
                        return self.lex_field_or_variable(ItemType::Field);
                    }
                }
                self.backup();
                self.lex_number()
            }
            '+' | '-' | '0'..='9' => {
                self.backup();
                self.lex_number()
            }
            r if is_alphanumeric(r) => {
                self.backup();
                self.lex_identifier()
            }
            '(' => {
                self.paren_depth += 1;
                self.this_item(ItemType::LeftParen)
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.error("unexpected right paren".into());
                }
                self.this_item(ItemType::RightParen)
            }
            r if r.is_ascii() && !r.is_ascii_control() => self.this_item(ItemType::Char),
            r => self.error(format!(
                "unrecognized character in action: {}",
                // An invalid UTF-8 byte is U+FFFD to Go's lexer.
                format_unicode_sharp(super::gostr::go_rune(r))
            )),
        }
    }

    fn lex_space(&mut self) -> Item<'a> {
        let begin = self.pos;
        while let Some(&b) = self.input.as_bytes().get(self.pos) {
            if !is_space(char::from(b)) {
                break;
            }
            self.pos += 1;
            if b == b'\n' {
                self.line += 1;
            }
        }
        let num_spaces = self.pos - begin;
        if is_trimmed_right_delim(&self.input.as_bytes()[self.pos - 1..]) {
            self.backup();
            if num_spaces == 1 {
                return self.lex_right_delim();
            }
        }
        self.this_item(ItemType::Space)
    }

    /// Moves over a run of identifier characters (Go's `isAlphaNumeric`), stepping over ASCII bytes
    /// without decoding them (the run holds no line feed).
    fn skip_alphanumeric(&mut self) {
        loop {
            let bytes = self.input.as_bytes();
            while let Some(&b) = bytes.get(self.pos) {
                if !is_word_byte(b) {
                    break;
                }
                self.pos += 1;
            }
            match self.peek() {
                Some(r) if !r.is_ascii() && is_alphanumeric(r) => self.pos += r.len_utf8(),
                _ => return,
            }
        }
    }

    /// Moves over an identifier run, which must end at a terminator; else Go's `bad character` error.
    fn scan_word(&mut self) -> Result<(), Item<'a>> {
        self.skip_alphanumeric();
        if self.at_terminator() {
            return Ok(());
        }
        let shown = self
            .peek()
            .map(format_unicode_sharp)
            .unwrap_or_else(|| "U+FFFFFFFF".into());
        Err(self.error(format!("bad character {shown}")))
    }

    fn lex_identifier(&mut self) -> Item<'a> {
        if let Err(error) = self.scan_word() {
            return error;
        }
        let word = &self.input[self.start..self.pos];
        let typ = match word {
            "block" => ItemType::Block,
            "break" => ItemType::Break,
            "continue" => ItemType::Continue,
            "define" => ItemType::Define,
            "else" => ItemType::Else,
            "end" => ItemType::End,
            "if" => ItemType::If,
            "range" => ItemType::Range,
            "nil" => ItemType::Nil,
            "template" => ItemType::Template,
            "with" => ItemType::With,
            "true" | "false" => ItemType::Bool,
            _ => ItemType::Identifier,
        };
        self.this_item(typ)
    }

    fn lex_variable(&mut self) -> Item<'a> {
        if self.at_terminator() {
            return self.this_item(ItemType::Variable);
        }
        self.lex_field_or_variable(ItemType::Variable)
    }

    fn lex_field_or_variable(&mut self, typ: ItemType) -> Item<'a> {
        if self.at_terminator() {
            return self.this_item(if typ == ItemType::Variable {
                ItemType::Variable
            } else {
                ItemType::Dot
            });
        }
        if let Err(error) = self.scan_word() {
            return error;
        }
        self.this_item(typ)
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(r) if is_space(r) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with(RIGHT_DELIM),
        }
    }

    fn lex_char(&mut self) -> Item<'a> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(r) if r != '\n' => {}
                    _ => return self.error("unterminated character constant".into()),
                },
                None | Some('\n') => return self.error("unterminated character constant".into()),
                Some('\'') => break,
                _ => {}
            }
        }
        self.this_item(ItemType::CharConstant)
    }

    fn lex_number(&mut self) -> Item<'a> {
        if !self.scan_number() {
            let text = self.input[self.start..self.pos].to_string();
            return self.error(format!(
                "bad number syntax: {}",
                super::printf::quote_go(&text)
            ));
        }
        if let Some('+' | '-') = self.peek() {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let text = self.input[self.start..self.pos].to_string();
                return self.error(format!(
                    "bad number syntax: {}",
                    super::printf::quote_go(&text)
                ));
            }
            return self.this_item(ItemType::Complex);
        }
        self.this_item(ItemType::Number)
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alphanumeric) {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> Item<'a> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(r) if r != '\n' => {}
                    _ => return self.error("unterminated quoted string".into()),
                },
                None | Some('\n') => return self.error("unterminated quoted string".into()),
                Some('"') => break,
                _ => {}
            }
        }
        self.this_item(ItemType::String)
    }

    fn lex_raw_quote(&mut self) -> Item<'a> {
        loop {
            match self.next() {
                None => return self.error("unterminated raw quoted string".into()),
                Some('`') => break,
                _ => {}
            }
        }
        self.this_item(ItemType::RawString)
    }
}

/// Where `{{` first occurs in `s`. (`str::find` with a string pattern sets up a two-way searcher on
/// every call, which cost more than the search itself on template text; a `char` pattern is a
/// `memchr`, a word at a time.)
fn find_left_delim(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(offset) = s[from..].find('{') {
        let at = from + offset;
        if s.as_bytes().get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn count_newlines(s: &str) -> u32 {
    s.bytes().filter(|b| *b == b'\n').count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex_all(input: &str) -> Vec<(ItemType, String)> {
        let mut l = Lexer::new(input);
        let mut out = Vec::new();
        loop {
            let item = l.next_item();
            let done = matches!(item.typ, ItemType::Eof | ItemType::Error);
            out.push((item.typ, item.val.into_owned()));
            if done {
                return out;
            }
        }
    }

    #[test]
    fn text_and_action() {
        use ItemType::*;
        assert_eq!(
            lex_all("a{{ .x | f 1 }}b"),
            vec![
                (Text, "a".into()),
                (LeftDelim, "{{".into()),
                (Space, " ".into()),
                (Field, ".x".into()),
                (Space, " ".into()),
                (Pipe, "|".into()),
                (Space, " ".into()),
                (Identifier, "f".into()),
                (Space, " ".into()),
                (Number, "1".into()),
                (Space, " ".into()),
                (RightDelim, "}}".into()),
                (Text, "b".into()),
                (Eof, "EOF".into()),
            ]
        );
    }

    #[test]
    fn left_delimiter_search() {
        assert_eq!(find_left_delim("a{b{{c"), Some(3));
        assert_eq!(find_left_delim("{{"), Some(0));
        assert_eq!(find_left_delim("é{ {"), None);
        assert_eq!(find_left_delim("x{"), None);
    }

    #[test]
    fn trim_markers_are_utf8_safe() {
        use ItemType::*;
        let items = lex_all("é {{- 1 -}} ü");
        assert_eq!(items[0], (Text, "é".into()));
        assert_eq!(items[2], (Number, "1".into()));
        assert_eq!(items[4], (Text, "ü".into()));
    }

    #[test]
    fn errors() {
        assert_eq!(lex_all("{{ 1 ").last().unwrap().1, "unclosed action");
        assert_eq!(
            lex_all("{{ \"a").last().unwrap().1,
            "unterminated quoted string"
        );
        assert_eq!(
            lex_all("{{ 1x }}").last().unwrap().1,
            "bad number syntax: \"1x\""
        );
        assert_eq!(lex_all("{{/* a }}").last().unwrap().1, "unclosed comment");
    }

    /// Identifier runs mix ASCII and other letters and digits; a character that ends one where no
    /// terminator may is reported as Go's `%#U`.
    #[test]
    fn identifiers_fields_and_variables_with_other_letters() {
        use ItemType::*;
        let items = lex_all("{{ été_1 .héllo.wörld2 $x日本 }}\n{{ end }}");
        let words: Vec<(ItemType, &str)> = items
            .iter()
            .filter(|(typ, _)| !matches!(typ, Space | LeftDelim | RightDelim | Text | Eof))
            .map(|(typ, val)| (*typ, val.as_str()))
            .collect();
        let want = [
            (Identifier, "été_1"),
            (Field, ".héllo"),
            (Field, ".wörld2"),
            (Variable, "$x日本"),
            (End, "end"),
        ];
        assert_eq!(words, want);
        let bad = |text: &str| lex_all(text).last().unwrap().1.clone();
        assert_eq!(bad("{{ .a€ }}"), "bad character U+20AC '€'");
        assert_eq!(bad("{{ $ab+ }}"), "bad character U+002B '+'");
        assert_eq!(bad("{{ foo\u{1} }}"), "bad character U+0001");
        // The end of the text ends a run as a terminator would.
        assert_eq!(bad("{{ foo"), "unclosed action");
        assert_eq!(lex_all("{{ .x")[2], (Field, ".x".into()));
    }

    #[test]
    fn keywords_and_variables() {
        use ItemType::*;
        let items = lex_all("{{$x := .}}{{else}}");
        assert_eq!(items[1], (Variable, "$x".into()));
        assert_eq!(items[3], (Declare, ":=".into()));
        assert_eq!(items[5], (Dot, ".".into()));
        assert_eq!(items[8], (Else, "else".into()));
    }
}
