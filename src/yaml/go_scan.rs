//! go-yaml's scanner, for the order of its errors.
//!
//! yaml-rust2 and go-yaml v2 are both ports of libyaml, and their parsers fail on the same tokens,
//! but their scanners part ways on when a broken document is noticed. go-yaml (as sigs.k8s.io/yaml
//! v1.4.0 vendors it) hands a token to its parser only once no possible simple key may still claim
//! it, checks such a key's staleness (its `:` not on the key's line, or more than 1024 characters
//! away) in flow context as in block context, and a stale key at the block indentation (a required
//! one) is `could not find expected ':'`. So an unrendered `{{- range … }}` line at a block
//! sequence's indentation, a quoted key running onto the next line, or a flow collection at a key's
//! column that does not close on its line is refused by go-yaml's scanner on the next line, before
//! its parser meets whatever is wrong inside; yaml-rust2 keeps scanning in flow context and reports
//! that instead.
//!
//! [`reorder`] runs go-yaml's scanner over a text yaml-rust2 refused (token starts only, no values)
//! and gives go-yaml's first scanner error when it comes before yaml-rust2's: before its parser was
//! handed the token yaml-rust2's parser refused, or at or before the place yaml-rust2's scanner
//! stopped. [`refused_after_all`] does the same for the few texts yaml-rust2 reads and go-yaml
//! refuses (a tab in a block scalar's indentation, a `:` where a flow collection wants an entry).
//! Of go-yaml's parser it knows only what these need: the `:` rule, and the parser's refusal of a
//! token handed over while its required key is still pending (libyaml's `simple_keys_by_tok`
//! forgets the key of a flow collection that closes empty). The scan gives up (and yaml-rust2's
//! error stands) on what it does not follow: directives, verbatim and malformed tags, `%` escapes
//! in tags.
use std::collections::HashMap;

use super::error::{Error, ErrorKind};

/// go-yaml's parser errors, as `load::go_message` words yaml-rust2's: reported at a token.
const PARSER_MESSAGES: &[&str] = &[
    "did not find expected key",
    "did not find expected node content",
    "did not find expected ',' or ']'",
    "did not find expected ',' or '}'",
    "did not find expected '-' indicator",
];

/// go-yaml's scanner errors that this scan reproduces: reported where the scanner stopped.
const SCANNER_MESSAGES: &[&str] = &[
    "could not find expected ':'",
    "mapping values are not allowed in this context",
    "block sequence entries are not allowed in this context",
    "mapping keys are not allowed in this context",
    "found character that cannot start any token",
    "found a tab character that violates indentation",
    "found a tab character where an indentation space is expected",
    "found unexpected end of stream",
    "found unexpected document indicator",
];

/// yaml-rust2's refusal `e` of `text`, or go-yaml's first scanner error where go-yaml's scanner
/// stops before yaml-rust2's error is reached.
pub(crate) fn reorder(text: &str, e: Error) -> Error {
    if e.kind != ErrorKind::Syntax || e.line == 0 {
        return e;
    }
    let parser_error = PARSER_MESSAGES.contains(&e.message.as_str());
    if !parser_error && !SCANNER_MESSAGES.contains(&e.message.as_str()) {
        return e;
    }
    let chars: Vec<char> = text.chars().collect();
    let Some((found, handed)) = Scanner::new(&chars).run() else {
        return e;
    };
    let Some(found) = found else {
        return e;
    };
    // An unknown column (0) stands for the line's start, and a place of ours is compared by line.
    let at = char_index(&chars, e.line, e.column.max(1));
    let go_first = if parser_error && !found.parser {
        // The parser meets the refused token only once it is handed over. yaml-rust2's parser
        // may refuse the token after a scalar go-yaml's parser refuses (`"a\n b"  c: d`, where
        // its scanner reads the `:` first), so no scalar of the refused line may have been
        // handed over either.
        let line_start = char_index(&chars, e.line, 1);
        !handed
            .iter()
            .any(|&(start, kind)| start >= at || (start >= line_start && kind == Kind::Scalar))
    } else if e.column == 0 {
        found.line0 < e.line
    } else {
        found.token <= at
    };
    if !go_first || (found.message == e.message && found.line0 + 1 == e.line) {
        return e;
    }
    let mut mine = found.into_error();
    mine.file = e.file;
    mine
}

/// go-yaml's refusal of a text yaml-rust2 read: a tab in a block scalar's indentation (`found a
/// tab character where an indentation space is expected`) or a `:` where a flow collection wants
/// an entry (`[:]`, `{a: 1, : b}`: `did not find expected node content`; yaml-rust2 reads an empty
/// key). Only texts with a tab or such a `:` are scanned.
pub(crate) fn refused_after_all(text: &str) -> Option<Error> {
    const TAB: &str = "found a tab character where an indentation space is expected";
    const NODE: &str = "did not find expected node content";
    if !text.contains('\t') && !has_lone_flow_colon(text) {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let found = Scanner::new(&chars).run()?.0?;
    if found.message != TAB && !(found.parser && found.message == NODE) {
        return None;
    }
    Some(found.into_error())
}

/// Whether a `:` follows a `[`, `{` or `,` with only blanks and line breaks between (a rough
/// filter for [`refused_after_all`]).
fn has_lone_flow_colon(text: &str) -> bool {
    let mut after_opener = false;
    for b in text.bytes() {
        match b {
            b'[' | b'{' | b',' => after_opener = true,
            b':' if after_opener => return true,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => after_opener = false,
        }
    }
    false
}

/// The character index of 1-based `line` and `column` (yaml-rust2's position of an error).
fn char_index(chars: &[char], line: usize, column: usize) -> usize {
    let mut line_start = 0;
    let mut seen = 1;
    for (i, &c) in chars.iter().enumerate() {
        if seen == line {
            break;
        }
        if c == '\n' {
            seen += 1;
            line_start = i + 1;
        }
    }
    line_start + column - 1
}

/// A scanner error: go-yaml's message and its problem mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub message: &'static str,
    pub line0: usize,
    pub column: usize,
    pub index: usize,
    /// The start of the token being scanned (the problem's place for a parser error).
    pub token: usize,
    /// A parser error (go-yaml prints its line 0-based).
    pub parser: bool,
}

impl Found {
    /// The error go-yaml reports here: its message, its (scanner or parser) line, line and column.
    fn into_error(self) -> Error {
        let mut e = Error::new(ErrorKind::Syntax, self.message);
        e.go_line = if self.parser {
            super::load::parser_line(self.line0)
        } else {
            super::load::scanner_line(self.line0)
        };
        e.line = self.line0 + 1;
        e.column = self.column + 1;
        e
    }
}

/// A position as go-yaml counts it: characters (a CR LF is two), 0-based line and column.
#[derive(Debug, Clone, Copy, Default)]
struct Mark {
    index: usize,
    line: usize,
    column: usize,
}

/// A place where a simple key may start (libyaml's `simple_key`).
#[derive(Debug, Clone, Copy, Default)]
struct Key {
    possible: bool,
    required: bool,
    token: usize,
    mark: Mark,
}

/// What the parser check of [`Scanner::run`] needs to know of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    FlowStart,
    FlowEntry,
    Value,
    Scalar,
    Other,
}

/// What [`Scanner::run`] found: the first error, and the start and kind of every token handed to
/// the parser before it.
type Scanned = (Option<Found>, Vec<(usize, Kind)>);

/// Why a fetch stopped: go-yaml's error, or a construct this scan does not follow.
enum Stop {
    Error(&'static str),
    Unknown,
}

type Step = Result<(), Stop>;

struct Scanner<'a> {
    chars: &'a [char],
    m: Mark,
    flow_level: usize,
    indent: isize,
    indents: Vec<isize>,
    keys: Vec<Key>,
    /// Which entry of `keys` may claim a token, by the token's number (libyaml's
    /// `simple_keys_by_tok`, with its quirk: closing a flow collection forgets the entry of the
    /// token that opened it, so `{}` at a key's place is handed over unresolved).
    by_token: HashMap<usize, usize>,
    key_allowed: bool,
    /// Each token's start and kind, in queue order (tokens inserted before a key where it resolves).
    tokens: Vec<(Mark, Kind)>,
    /// Where the token being fetched starts.
    token_start: usize,
    /// Whether each open block collection (`indents` and `indent`) is a mapping.
    mappings: Vec<bool>,
    ended: bool,
}

const MAX_LEVELS: usize = 10_000;

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// A blank, a line break or the end (`'\0'`).
fn is_blankz(c: char) -> bool {
    is_blank(c) || is_break(c) || c == '\0'
}

fn is_alpha(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl<'a> Scanner<'a> {
    fn new(chars: &'a [char]) -> Self {
        Scanner {
            chars,
            m: Mark::default(),
            flow_level: 0,
            indent: -1,
            indents: Vec::new(),
            keys: vec![Key::default()],
            by_token: HashMap::new(),
            key_allowed: true,
            tokens: vec![(Mark::default(), Kind::Other)],
            token_start: 0,
            mappings: Vec::new(),
            ended: false,
        }
    }

    /// The character `ahead` places on, `'\0'` past the end.
    fn at(&self, ahead: usize) -> char {
        self.chars
            .get(self.m.index + ahead)
            .copied()
            .unwrap_or('\0')
    }

    fn is_end(&self) -> bool {
        self.m.index >= self.chars.len()
    }

    fn skip(&mut self) {
        self.m.index += 1;
        self.m.column += 1;
    }

    fn skip_line(&mut self) {
        if self.at(0) == '\r' && self.at(1) == '\n' {
            self.m.index += 2;
        } else if is_break(self.at(0)) {
            self.m.index += 1;
        } else {
            return;
        }
        self.m.column = 0;
        self.m.line += 1;
    }

    fn document_indicator(&self) -> bool {
        self.m.column == 0
            && matches!(
                (self.at(0), self.at(1), self.at(2)),
                ('-', '-', '-') | ('.', '.', '.')
            )
            && is_blankz(self.at(3))
    }

    fn stale(&self, key: &Key) -> bool {
        key.mark.line < self.m.line || key.mark.index + 1024 < self.m.index
    }

    /// The first scanner error and the start of every token handed to the parser before it; `None`
    /// when the text holds what this scan does not follow.
    fn run(mut self) -> Option<Scanned> {
        let mut handed = 0;
        loop {
            // The parser takes every token no possible simple key may still claim.
            while handed < self.tokens.len() {
                let m = self.m;
                if let Some(key) = self
                    .by_token
                    .get(&handed)
                    .and_then(|&i| self.keys.get_mut(i))
                {
                    if key.possible {
                        let stale = key.mark.line < m.line || key.mark.index + 1024 < m.index;
                        if !stale {
                            break;
                        }
                        if key.required {
                            return Some((
                                Some(self.found(m, "could not find expected ':'")),
                                self.starts(handed),
                            ));
                        }
                        key.possible = false;
                    }
                }
                // A token whose key, required, was forgotten (libyaml's `simple_keys_by_tok` loses
                // the key of a flow collection that closes empty, `{}` at a key's place): the
                // block collection's parser state wants its key or entry.
                if let Some(key) = self
                    .keys
                    .iter()
                    .find(|k| k.possible && k.required && k.token == handed)
                {
                    let message = if self.mappings.last() == Some(&false) {
                        "did not find expected '-' indicator"
                    } else {
                        "did not find expected key"
                    };
                    let mut found = self.found(key.mark, message);
                    found.parser = true;
                    return Some((Some(found), self.starts(handed)));
                }
                // A `:` where a flow collection wants an entry: go-yaml's parser wants a node.
                if self.tokens[handed].1 == Kind::Value
                    && matches!(self.tokens[handed - 1].1, Kind::FlowStart | Kind::FlowEntry)
                {
                    let mut found =
                        self.found(self.tokens[handed].0, "did not find expected node content");
                    found.parser = true;
                    return Some((Some(found), self.starts(handed)));
                }
                handed += 1;
            }
            if self.ended {
                return Some((None, self.starts(self.tokens.len())));
            }
            match self.fetch_next_token() {
                Ok(()) => {}
                Err(Stop::Unknown) => return None,
                Err(Stop::Error(message)) => {
                    let found = self.found(self.m, message);
                    return Some((Some(found), self.starts(handed)));
                }
            }
        }
    }

    fn found(&self, m: Mark, message: &'static str) -> Found {
        Found {
            message,
            line0: m.line,
            column: m.column,
            index: m.index,
            token: m.index.min(self.token_start),
            parser: false,
        }
    }

    fn push(&mut self, start: Mark) {
        self.push_kind(start, Kind::Other);
    }

    fn push_kind(&mut self, start: Mark, kind: Kind) {
        self.tokens.push((start, kind));
    }

    fn starts(&self, upto: usize) -> Vec<(usize, Kind)> {
        self.tokens[..upto]
            .iter()
            .map(|&(m, kind)| (m.index, kind))
            .collect()
    }

    fn fetch_next_token(&mut self) -> Step {
        self.scan_to_next_token();
        self.token_start = self.m.index;
        self.unroll_indent(self.m.column as isize);
        if self.is_end() {
            return self.fetch_stream_end();
        }
        let (c, next) = (self.at(0), self.at(1));
        if self.m.column == 0 && c == '%' {
            return Err(Stop::Unknown);
        }
        if self.document_indicator() {
            self.unroll_indent(-1);
            self.remove_simple_key()?;
            self.key_allowed = false;
            self.push(self.m);
            for _ in 0..3 {
                self.skip();
            }
            return Ok(());
        }
        match c {
            '[' | '{' => {
                self.save_simple_key()?;
                self.keys.push(Key {
                    token: self.tokens.len(),
                    mark: self.m,
                    ..Key::default()
                });
                self.flow_level += 1;
                if self.flow_level > MAX_LEVELS {
                    return Err(Stop::Unknown);
                }
                self.key_allowed = true;
                self.push_kind(self.m, Kind::FlowStart);
                self.skip();
                Ok(())
            }
            ']' | '}' => {
                self.remove_simple_key()?;
                if self.flow_level > 0 {
                    self.flow_level -= 1;
                    if let Some(key) = self.keys.pop() {
                        self.by_token.remove(&key.token);
                    }
                }
                self.key_allowed = false;
                self.push(self.m);
                self.skip();
                Ok(())
            }
            ',' => {
                self.remove_simple_key()?;
                self.key_allowed = true;
                self.push_kind(self.m, Kind::FlowEntry);
                self.skip();
                Ok(())
            }
            '-' if is_blankz(next) => {
                if self.flow_level == 0 {
                    if !self.key_allowed {
                        return Err(Stop::Error(
                            "block sequence entries are not allowed in this context",
                        ));
                    }
                    self.roll_indent(self.m.column, None, self.m, false)?;
                }
                self.remove_simple_key()?;
                self.key_allowed = true;
                self.push(self.m);
                self.skip();
                Ok(())
            }
            '?' if self.flow_level > 0 || is_blankz(next) => {
                if self.flow_level == 0 {
                    if !self.key_allowed {
                        return Err(Stop::Error("mapping keys are not allowed in this context"));
                    }
                    self.roll_indent(self.m.column, None, self.m, true)?;
                }
                self.remove_simple_key()?;
                self.key_allowed = self.flow_level == 0;
                self.push(self.m);
                self.skip();
                Ok(())
            }
            ':' if self.flow_level > 0 || is_blankz(next) => self.fetch_value(),
            '*' | '&' => {
                self.save_simple_key()?;
                self.key_allowed = false;
                self.scan_anchor()
            }
            '!' => {
                self.save_simple_key()?;
                self.key_allowed = false;
                self.scan_tag()
            }
            '|' | '>' if self.flow_level == 0 => {
                self.remove_simple_key()?;
                self.key_allowed = true;
                self.scan_block_scalar()
            }
            '\'' | '"' => {
                self.save_simple_key()?;
                self.key_allowed = false;
                self.scan_flow_scalar(c == '\'')
            }
            _ => {
                let plain = !(is_blankz(c) || "-?:,[]{}#&*!|>'\"%@`".contains(c))
                    || (c == '-' && !is_blank(next))
                    || (self.flow_level == 0 && (c == '?' || c == ':') && !is_blankz(next));
                if !plain {
                    return Err(Stop::Error("found character that cannot start any token"));
                }
                self.save_simple_key()?;
                self.key_allowed = false;
                self.scan_plain_scalar()
            }
        }
    }

    fn scan_to_next_token(&mut self) {
        loop {
            if self.m.column == 0 && self.at(0) == '\u{feff}' {
                self.skip();
            }
            while self.at(0) == ' '
                || ((self.flow_level > 0 || !self.key_allowed) && self.at(0) == '\t')
            {
                self.skip();
            }
            if self.at(0) == '#' {
                while !is_break(self.at(0)) && !self.is_end() {
                    self.skip();
                }
            }
            if !is_break(self.at(0)) {
                return;
            }
            self.skip_line();
            if self.flow_level == 0 {
                self.key_allowed = true;
            }
        }
    }

    fn save_simple_key(&mut self) -> Step {
        let required = self.flow_level == 0 && self.indent == self.m.column as isize;
        if self.key_allowed {
            self.remove_simple_key()?;
            let key = Key {
                possible: true,
                required,
                token: self.tokens.len(),
                mark: self.m,
            };
            *self.keys.last_mut().expect("the stream's level") = key;
            self.by_token.insert(key.token, self.keys.len() - 1);
        }
        Ok(())
    }

    fn remove_simple_key(&mut self) -> Step {
        let key = self.keys.last_mut().expect("the stream's level");
        if key.possible {
            if key.required {
                return Err(Stop::Error("could not find expected ':'"));
            }
            key.possible = false;
            let token = key.token;
            self.by_token.remove(&token);
        }
        Ok(())
    }

    /// A block collection starting at `column`: its start token goes at `at` (a resolved key's
    /// place) or at the end.
    fn roll_indent(
        &mut self,
        column: usize,
        at: Option<usize>,
        start: Mark,
        mapping: bool,
    ) -> Step {
        if self.flow_level > 0 || self.indent >= column as isize {
            return Ok(());
        }
        self.mappings.push(mapping);
        self.indents.push(self.indent);
        self.indent = column as isize;
        if self.indents.len() > MAX_LEVELS {
            return Err(Stop::Unknown);
        }
        match at {
            Some(i) => self.tokens.insert(i, (start, Kind::Other)),
            None => self.push(start),
        }
        Ok(())
    }

    fn unroll_indent(&mut self, column: isize) {
        if self.flow_level > 0 {
            return;
        }
        while self.indent > column {
            self.push(self.m);
            self.indent = self.indents.pop().unwrap_or(-1);
            self.mappings.pop();
        }
    }

    fn fetch_stream_end(&mut self) -> Step {
        if self.m.column != 0 {
            self.m.column = 0;
            self.m.line += 1;
        }
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.key_allowed = false;
        self.push(self.m);
        self.ended = true;
        Ok(())
    }

    fn fetch_value(&mut self) -> Step {
        let key = *self.keys.last().expect("the stream's level");
        let mut valid = key.possible;
        if valid && self.stale(&key) {
            if key.required {
                return Err(Stop::Error("could not find expected ':'"));
            }
            self.keys.last_mut().expect("the stream's level").possible = false;
            valid = false;
        }
        if valid {
            self.tokens.insert(key.token, (key.mark, Kind::Other));
            self.roll_indent(key.mark.column, Some(key.token), key.mark, true)?;
            self.keys.last_mut().expect("the stream's level").possible = false;
            self.by_token.remove(&key.token);
            self.key_allowed = false;
        } else {
            if self.flow_level == 0 {
                if !self.key_allowed {
                    return Err(Stop::Error(
                        "mapping values are not allowed in this context",
                    ));
                }
                self.roll_indent(self.m.column, None, self.m, true)?;
            }
            self.key_allowed = self.flow_level == 0;
        }
        self.push_kind(self.m, Kind::Value);
        self.skip();
        Ok(())
    }

    fn scan_anchor(&mut self) -> Step {
        let start = self.m;
        self.skip();
        let mut length = 0;
        while is_alpha(self.at(0)) {
            self.skip();
            length += 1;
        }
        if length == 0 || !(is_blankz(self.at(0)) || "?:,]}%@`".contains(self.at(0))) {
            return Err(Stop::Error(
                "did not find expected alphabetic or numeric character",
            ));
        }
        self.push(start);
        Ok(())
    }

    fn scan_tag(&mut self) -> Step {
        let start = self.m;
        if self.at(1) == '<' {
            return Err(Stop::Unknown);
        }
        self.skip();
        while is_alpha(self.at(0)) {
            self.skip();
        }
        // A handle closed by a second `!` (`!!`, `!e!`) wants a suffix.
        let named = self.at(0) == '!';
        if named {
            self.skip();
        }
        let mut uri = 0;
        loop {
            let c = self.at(0);
            if c == '%' {
                return Err(Stop::Unknown);
            }
            if !(is_alpha(c) || ";/?:@&=+$,.!~*'()[]".contains(c)) || c == '\0' {
                break;
            }
            self.skip();
            uri += 1;
        }
        if (named && uri == 0) || !is_blankz(self.at(0)) {
            // Tag errors: yaml-rust2's reading of tags is adjusted in `load`; leave them to it.
            return Err(Stop::Unknown);
        }
        self.push(start);
        Ok(())
    }

    fn scan_block_scalar(&mut self) -> Step {
        let start = self.m;
        self.skip();
        let mut increment = 0;
        let digit = |c: char| c.to_digit(10);
        if matches!(self.at(0), '+' | '-') {
            self.skip();
            if let Some(d) = digit(self.at(0)) {
                if d == 0 {
                    return Err(Stop::Error("found an indentation indicator equal to 0"));
                }
                increment = d as isize;
                self.skip();
            }
        } else if let Some(d) = digit(self.at(0)) {
            if d == 0 {
                return Err(Stop::Error("found an indentation indicator equal to 0"));
            }
            increment = d as isize;
            self.skip();
            if matches!(self.at(0), '+' | '-') {
                self.skip();
            }
        }
        while is_blank(self.at(0)) {
            self.skip();
        }
        if self.at(0) == '#' {
            while !is_break(self.at(0)) && !self.is_end() {
                self.skip();
            }
        }
        if !(is_break(self.at(0)) || self.is_end()) {
            return Err(Stop::Error("did not find expected comment or line break"));
        }
        self.skip_line();
        let mut indent = if increment > 0 {
            if self.indent >= 0 {
                self.indent + increment
            } else {
                increment
            }
        } else {
            0
        };
        self.block_scalar_breaks(&mut indent)?;
        while self.m.column as isize == indent && !self.is_end() {
            while !is_break(self.at(0)) && !self.is_end() {
                self.skip();
            }
            self.skip_line();
            self.block_scalar_breaks(&mut indent)?;
        }
        self.push_kind(start, Kind::Scalar);
        Ok(())
    }

    fn block_scalar_breaks(&mut self, indent: &mut isize) -> Step {
        let mut max_indent = 0;
        loop {
            while (*indent == 0 || (self.m.column as isize) < *indent) && self.at(0) == ' ' {
                self.skip();
            }
            max_indent = max_indent.max(self.m.column as isize);
            if (*indent == 0 || (self.m.column as isize) < *indent) && self.at(0) == '\t' {
                return Err(Stop::Error(
                    "found a tab character where an indentation space is expected",
                ));
            }
            if !is_break(self.at(0)) {
                break;
            }
            self.skip_line();
        }
        if *indent == 0 {
            *indent = max_indent.max(self.indent + 1).max(1);
        }
        Ok(())
    }

    fn scan_flow_scalar(&mut self, single: bool) -> Step {
        let start = self.m;
        let quote = if single { '\'' } else { '"' };
        self.skip();
        loop {
            if self.document_indicator() {
                return Err(Stop::Error("found unexpected document indicator"));
            }
            if self.is_end() {
                return Err(Stop::Error("found unexpected end of stream"));
            }
            while !is_blankz(self.at(0)) {
                let (c, next) = (self.at(0), self.at(1));
                if single && c == '\'' && next == '\'' {
                    self.skip();
                    self.skip();
                } else if c == quote {
                    break;
                } else if !single && c == '\\' && is_break(next) {
                    self.skip();
                    self.skip_line();
                    break;
                } else if !single && c == '\\' {
                    let length = match next {
                        '0' | 'a' | 'b' | 't' | '\t' | 'n' | 'v' | 'f' | 'r' | 'e' | ' ' | '"'
                        | '\'' | '\\' | 'N' | '_' | 'L' | 'P' => 0,
                        'x' => 2,
                        'u' => 4,
                        'U' => 8,
                        _ => return Err(Stop::Error("found unknown escape character")),
                    };
                    self.skip();
                    self.skip();
                    if length > 0 {
                        let mut value: u32 = 0;
                        for k in 0..length {
                            let Some(d) = self.at(k).to_digit(16) else {
                                return Err(Stop::Error("did not find expected hexdecimal number"));
                            };
                            value = (value << 4) + d;
                        }
                        if (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF {
                            return Err(Stop::Error("found invalid Unicode character escape code"));
                        }
                        for _ in 0..length {
                            self.skip();
                        }
                    }
                } else {
                    self.skip();
                }
            }
            if self.at(0) == quote {
                break;
            }
            while is_blank(self.at(0)) || is_break(self.at(0)) {
                if is_blank(self.at(0)) {
                    self.skip();
                } else {
                    self.skip_line();
                }
            }
        }
        self.skip();
        self.push_kind(start, Kind::Scalar);
        Ok(())
    }

    fn scan_plain_scalar(&mut self) -> Step {
        let start = self.m;
        let indent = self.indent + 1;
        let mut leading_blanks = false;
        loop {
            if self.document_indicator() || self.at(0) == '#' {
                break;
            }
            while !is_blankz(self.at(0)) {
                let c = self.at(0);
                if (c == ':' && is_blankz(self.at(1)))
                    || (self.flow_level > 0 && ",?[]{}".contains(c))
                {
                    break;
                }
                leading_blanks = false;
                self.skip();
            }
            if !(is_blank(self.at(0)) || is_break(self.at(0))) {
                break;
            }
            while is_blank(self.at(0)) || is_break(self.at(0)) {
                if is_blank(self.at(0)) {
                    if leading_blanks && (self.m.column as isize) < indent && self.at(0) == '\t' {
                        return Err(Stop::Error(
                            "found a tab character that violates indentation",
                        ));
                    }
                    self.skip();
                } else {
                    self.skip_line();
                    leading_blanks = true;
                }
            }
            if self.flow_level == 0 && (self.m.column as isize) < indent {
                break;
            }
        }
        self.push_kind(start, Kind::Scalar);
        if leading_blanks {
            self.key_allowed = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Option<(&'static str, usize)> {
        let chars: Vec<char> = text.chars().collect();
        let (found, _) = Scanner::new(&chars).run()?;
        found.map(|f| (f.message, f.line0))
    }

    #[test]
    fn well_formed_texts_scan_without_error() {
        for text in [
            "a: 1\nb:\n  - x\n  - {y: [1, 2]}\nc: |\n  text\n   more\nd: >-\n  folded\n",
            "- a\n- b: c\n  d: 'e''f'\n- \"g\\x41\\u00e9\"\n",
            "a: &x 1\nb: *x\nc: !!str 2\n? k\n: v\n",
            "a: plain\n  continued\nb: [1,\n  2]\n",
            "",
            "# only a comment\n",
        ] {
            assert_eq!(first(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_required_key_going_stale_is_refused_on_the_next_line() {
        // An unrendered template at a block sequence's indentation.
        assert_eq!(
            first("l:\n  - a: 1\n  {{- range .x }}\n  - b: 2\n  {{- end }}\n"),
            Some(("could not find expected ':'", 3))
        );
        // A quoted key running onto the next line.
        assert_eq!(
            first("a: 1\n\"b\nc\": 2\n"),
            Some(("could not find expected ':'", 2))
        );
    }

    #[test]
    fn scanner_errors_of_go_yaml() {
        assert_eq!(
            first("x:\n- \"a\" - b\n"),
            Some(("block sequence entries are not allowed in this context", 1))
        );
        assert_eq!(
            first("a: |\n\t x\n"),
            Some((
                "found a tab character where an indentation space is expected",
                1
            ))
        );
        assert_eq!(
            first("a: b: c\n"),
            Some(("mapping values are not allowed in this context", 0))
        );
    }

    #[test]
    fn directives_are_left_to_yaml_rust2() {
        let chars: Vec<char> = "%YAML 1.1\n--- a\n".chars().collect();
        assert!(Scanner::new(&chars).run().is_none());
    }
}
