//! go-yaml's scanner and parser, for the order and the words of its errors.
//!
//! yaml-rust2 and go-yaml v2 are both ports of libyaml, but they part ways on when and how a broken
//! document is noticed. go-yaml (as sigs.k8s.io/yaml v1.4.0 vendors it) hands a token to its parser
//! only once no possible simple key may still claim it, checks such a key's staleness (its `:` not
//! on the key's line, or more than 1024 characters away) in flow context as in block context, and a
//! stale key at the block indentation (a required one) is `could not find expected ':'`. So an
//! unrendered `{{- range … }}` line at a block sequence's indentation, a quoted key running onto the
//! next line, or a flow collection at a key's column that does not close on its line is refused by
//! go-yaml's scanner on the next line, before its parser meets whatever is wrong inside. Its parser
//! then refuses tokens in its own states (a flow mapping where a block mapping wants a key, a key
//! where a block sequence wants `-`, flow content read on to the end of the stream), where
//! yaml-rust2's parser refuses another token or words it otherwise.
//!
//! [`reorder`] runs go-yaml's scanner (token starts and errors only, no values) under go-yaml's
//! parser state machine (parserc.go, events reduced to what the decoder's reading of documents
//! needs) over a text yaml-rust2 refused, and gives go-yaml's first error in the documents the
//! caller reads. [`refused_after_all`] does the same for the few texts yaml-rust2 reads and go-yaml
//! refuses (a tab in a block scalar's indentation, a `:` where a flow collection wants an entry).
//! The scan gives up (and yaml-rust2's error stands) on what it does not follow: directives,
//! verbatim, malformed and undefined-handle tags, `%` escapes in tags, and libyaml's
//! `simple_keys_by_tok` quirk where it would insert a key before a token already parsed.
use std::collections::HashMap;

use super::error::{Error, ErrorKind};

/// yaml-rust2's refusal `e` of `text`, or go-yaml's first error where go-yaml's scanner and
/// parser, run as its decoder runs them over the first `max_docs` documents, stop somewhere else
/// (or with other words). When the scan does not follow the text, or finds no error, `e` stands.
pub(crate) fn reorder(text: &str, e: Error, max_docs: usize) -> Error {
    if e.kind != ErrorKind::Syntax || e.line == 0 {
        return e;
    }
    let chars: Vec<char> = text.chars().collect();
    let Some(Some(found)) = Scanner::new(&chars).first_error(max_docs) else {
        return e;
    };
    if found.message == e.message && found.line0 + 1 == e.line {
        return e;
    }
    let mut mine = found.into_error();
    mine.file = e.file;
    mine
}

/// go-yaml's refusal of a text yaml-rust2 read: a tab in a block scalar's indentation (`found a
/// tab character where an indentation space is expected`) or a `:` where a flow collection wants
/// an entry (`[:]`, `{a: 1, : b}`: `did not find expected node content`; yaml-rust2 reads an empty
/// key), or a tab where a token starts (`found character that cannot start any token`). Only
/// texts with a tab or such a `:` are scanned.
pub(crate) fn refused_after_all(text: &str, max_docs: usize) -> Option<Error> {
    const TAB: &str = "found a tab character where an indentation space is expected";
    const NODE: &str = "did not find expected node content";
    // A tab where a token starts (`-\t|` as a root sequence's first item, which the loader's
    // own check misses: the root's mark is past the `-`).
    const START: &str = "found character that cannot start any token";
    if !text.contains('\t') && !has_lone_flow_colon(text) {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let found = Scanner::new(&chars).first_error(max_docs)??;
    if found.message != TAB
        && !(found.parser && found.message == NODE)
        && (found.parser || found.message != START)
    {
        return None;
    }
    Some(found.into_error())
}

/// go-yaml's values of the plain and block scalars of `text` (read as far as its decoder reads
/// `max_docs` documents) whose text holds U+2028 or U+2029, by where yaml-rust2 marks them (0-based line and
/// column): its scanner reads those as line breaks but copies them into such a scalar as they
/// are where it copies a line break (`a b<LS>c` in flow context, block scalar content), where a
/// text read with them turned into line feeds has a line feed or, folded, a space. `None` when
/// the scan does not follow the text or finds an error.
pub(crate) fn separator_scalars(
    text: &str,
    max_docs: usize,
) -> Option<Vec<((usize, usize), String)>> {
    let chars: Vec<char> = text.chars().collect();
    Scanner::new(&chars).separator_values(max_docs)
}

/// Whether a `:` follows a `[`, `{`, `,` or a `:` and a blank, with only blanks and line breaks
/// between (a rough filter for [`refused_after_all`]: in flow context such a `:` is a value
/// indicator where the parser wants a node, `{a: :1}`).
pub(crate) fn has_lone_flow_colon(text: &str) -> bool {
    let mut after_opener = false;
    let mut bytes = text.bytes().peekable();
    while let Some(b) = bytes.next() {
        match b {
            b'[' | b'{' | b',' => after_opener = true,
            b':' if after_opener => return true,
            b':' => after_opener = matches!(bytes.peek(), Some(b' ' | b'\t')),
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => after_opener = false,
        }
    }
    false
}

/// A scanner error: go-yaml's message and its problem mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub message: &'static str,
    pub line0: usize,
    pub column: usize,
    pub index: usize,
    /// A parser error (go-yaml prints its line 0-based).
    pub parser: bool,
    /// The name of an unknown anchor (the decoder's error, printed without a line).
    pub name: Option<String>,
}

impl Found {
    /// The error go-yaml reports here: its message, its (scanner or parser) line, line and column.
    fn into_error(self) -> Error {
        if let Some(name) = &self.name {
            let mut e = Error::new(
                ErrorKind::Syntax,
                format!("unknown anchor '{name}' referenced"),
            );
            e.line = self.line0 + 1;
            e.column = self.column + 1;
            return e;
        }
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

/// A token's type (libyaml's `yaml_token_type_t`; directives are not followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    /// A tag; `false` for a named handle (`!e!x`) no directive defines.
    Tag(bool),
    Scalar,
}

/// What [`Scanner::first_error`] found: go-yaml's first error, or `None` when the documents read
/// end without one.
type Scanned = Option<Found>;

/// Why the scan stopped: go-yaml's error, or a construct this scan does not follow.
enum Halt {
    Found(Found),
    Unknown,
}

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
    /// The next token for the parser (libyaml's `tokens_parsed`: the queue is never shortened).
    head: usize,
    /// go-yaml's values of the plain and block scalars whose text holds U+2028 or U+2029, by
    /// where yaml-rust2 marks them (0-based line and column), when asked for.
    values: Option<Vec<((usize, usize), String)>>,
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
            tokens: vec![(Mark::default(), Kind::StreamStart)],
            head: 0,
            values: None,
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

    /// go-yaml's first error in the first `max_docs` documents of the text: its scanner and parser
    /// run as go-yaml's decoder drives them (the parser pulls each token once no possible simple
    /// key may still claim it). `None` when the text holds what this scan does not follow.
    fn first_error(mut self, max_docs: usize) -> Option<Scanned> {
        let mut parser = Parser {
            state: State::StreamStart,
            states: Vec::new(),
            documents: 0,
            max_docs: max_docs.max(1),
            anchors: Vec::new(),
        };
        match parser.run(&mut self) {
            Ok(()) => Some(None),
            Err(Halt::Found(found)) => Some(Some(found)),
            Err(Halt::Unknown) => None,
        }
    }

    /// go-yaml's values of the plain and block scalars whose text holds U+2028 or U+2029, when
    /// the first `max_docs` documents read without an error this scan follows.
    fn separator_values(mut self, max_docs: usize) -> Option<Vec<((usize, usize), String)>> {
        self.values = Some(Vec::new());
        let mut parser = Parser {
            state: State::StreamStart,
            states: Vec::new(),
            documents: 0,
            max_docs: max_docs.max(1),
            anchors: Vec::new(),
        };
        parser.run(&mut self).ok()?;
        self.values
    }

    /// The next token for the parser (libyaml's `peek_token` and `fetch_more_tokens`): its start
    /// and type.
    fn peek(&mut self) -> Result<(Mark, Kind), Halt> {
        let mut fetches = 0;
        loop {
            if self.head < self.tokens.len() {
                let m = self.m;
                let Some(key) = self
                    .by_token
                    .get(&self.head)
                    .and_then(|&i| self.keys.get_mut(i))
                else {
                    break;
                };
                if !key.possible {
                    break;
                }
                let stale = key.mark.line < m.line || key.mark.index + 1024 < m.index;
                if stale {
                    if key.required {
                        return Err(Halt::Found(self.found(m, "could not find expected ':'")));
                    }
                    key.possible = false;
                    break;
                }
            }
            if self.ended {
                // Past the end every fetch is another end of stream, and the next line makes
                // every key stale.
                fetches += 1;
                if fetches > 2 {
                    return Err(Halt::Unknown);
                }
            }
            match self.fetch_next_token() {
                Ok(()) => {}
                Err(Stop::Unknown) => return Err(Halt::Unknown),
                Err(Stop::Error(message)) => return Err(Halt::Found(self.found(self.m, message))),
            }
        }
        Ok(self.tokens[self.head])
    }

    /// The name of the anchor or alias token at `m`.
    fn name_at(&self, m: Mark) -> String {
        self.chars[m.index + 1..]
            .iter()
            .take_while(|&&c| is_alpha(c))
            .collect()
    }

    /// Hands the peeked token to the parser.
    fn take(&mut self) {
        self.head += 1;
    }

    fn found(&self, m: Mark, message: &'static str) -> Found {
        Found {
            message,
            line0: m.line,
            column: m.column,
            index: m.index,
            parser: false,
            name: None,
        }
    }

    fn push(&mut self, start: Mark, kind: Kind) {
        self.tokens.push((start, kind));
    }

    /// Inserts a token at queue place `at` (a resolved simple key's); a place already handed to
    /// the parser (libyaml's `simple_keys_by_tok` quirk can hand a key's token over) is not
    /// followed.
    fn insert(&mut self, at: usize, start: Mark, kind: Kind) -> Step {
        if at < self.head {
            return Err(Stop::Unknown);
        }
        self.tokens.insert(at, (start, kind));
        Ok(())
    }

    fn fetch_next_token(&mut self) -> Step {
        self.scan_to_next_token();
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
            let kind = if c == '-' {
                Kind::DocumentStart
            } else {
                Kind::DocumentEnd
            };
            self.push(self.m, kind);
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
                let kind = if c == '[' {
                    Kind::FlowSequenceStart
                } else {
                    Kind::FlowMappingStart
                };
                self.push(self.m, kind);
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
                let kind = if c == ']' {
                    Kind::FlowSequenceEnd
                } else {
                    Kind::FlowMappingEnd
                };
                self.push(self.m, kind);
                self.skip();
                Ok(())
            }
            ',' => {
                self.remove_simple_key()?;
                self.key_allowed = true;
                self.push(self.m, Kind::FlowEntry);
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
                self.push(self.m, Kind::BlockEntry);
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
                self.push(self.m, Kind::Key);
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
            // go-yaml's reader drops a BOM at the start (the caller has); one further on is
            // content to its scanner.
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
        let kind = if mapping {
            Kind::BlockMappingStart
        } else {
            Kind::BlockSequenceStart
        };
        match at {
            Some(i) => self.insert(i, start, kind),
            None => {
                self.push(start, kind);
                Ok(())
            }
        }
    }

    fn unroll_indent(&mut self, column: isize) {
        if self.flow_level > 0 {
            return;
        }
        while self.indent > column {
            self.push(self.m, Kind::BlockEnd);
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
        self.push(self.m, Kind::StreamEnd);
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
            self.insert(key.token, key.mark, Kind::Key)?;
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
        self.push(self.m, Kind::Value);
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
        let kind = if self.chars[start.index] == '*' {
            Kind::Alias
        } else {
            Kind::Anchor
        };
        self.push(start, kind);
        Ok(())
    }

    fn scan_tag(&mut self) -> Step {
        let start = self.m;
        if self.at(1) == '<' {
            return Err(Stop::Unknown);
        }
        self.skip();
        let mut handle = 0;
        while is_alpha(self.at(0)) {
            self.skip();
            handle += 1;
        }
        // A handle closed by a second `!` (`!!`, `!e!`) wants a suffix; only `!` and `!!` are
        // defined without directives.
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
        self.push(start, Kind::Tag(!named || handle == 0));
        Ok(())
    }

    fn scan_block_scalar(&mut self) -> Step {
        let start = self.m;
        let literal = self.at(0) == '|';
        self.skip();
        let mut increment = 0;
        let mut chomping = 0;
        let chomp = |c: char| match c {
            '+' => 1,
            _ => -1,
        };
        let digit = |c: char| c.to_digit(10);
        if matches!(self.at(0), '+' | '-') {
            chomping = chomp(self.at(0));
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
                chomping = chomp(self.at(0));
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
        // The value, as go-yaml builds it (only when asked for).
        let mut value = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        let mut leading_blank = false;
        self.block_scalar_breaks(&mut indent, &mut trailing_breaks)?;
        // Where yaml-rust2 marks a block scalar: past its leading line breaks and indentation.
        let content = self.m;
        while self.m.column as isize == indent && !self.is_end() {
            if self.values.is_some() {
                let trailing_blank = is_blank(self.at(0));
                if !literal && !leading_blank && !trailing_blank && leading_break.starts_with('\n')
                {
                    if trailing_breaks.is_empty() {
                        value.push(' ');
                    }
                } else {
                    value.push_str(&leading_break);
                }
                leading_break.clear();
                value.push_str(&trailing_breaks);
                trailing_breaks.clear();
                leading_blank = is_blank(self.at(0));
            }
            while !is_break(self.at(0)) && !self.is_end() {
                if self.values.is_some() {
                    value.push(self.at(0));
                }
                self.skip();
            }
            self.read_line(&mut leading_break);
            self.block_scalar_breaks(&mut indent, &mut trailing_breaks)?;
        }
        if chomping != -1 {
            value.push_str(&leading_break);
        }
        if chomping == 1 {
            value.push_str(&trailing_breaks);
        }
        self.record(start, content, value);
        self.push(start, Kind::Scalar);
        Ok(())
    }

    /// A line break (libyaml's `read_line`): added to `into` as go-yaml copies it (a line feed,
    /// or U+2028/U+2029 as they are) when values are asked for.
    fn read_line(&mut self, into: &mut String) {
        if self.values.is_some() && is_break(self.at(0)) {
            match self.at(0) {
                c @ ('\u{2028}' | '\u{2029}') => into.push(c),
                _ => into.push('\n'),
            }
        }
        self.skip_line();
    }

    /// Keeps go-yaml's value of the plain or block scalar that started at `start` and ends here,
    /// under the place `at` where yaml-rust2 marks it, when values are asked for and its text
    /// holds U+2028 or U+2029.
    fn record(&mut self, start: Mark, at: Mark, value: String) {
        let chars = self.chars;
        let end = self.m.index.min(chars.len());
        if let Some(values) = self.values.as_mut() {
            if chars[start.index.min(end)..end]
                .iter()
                .any(|&c| matches!(c, '\u{2028}' | '\u{2029}'))
            {
                values.push(((at.line, at.column), value));
            }
        }
    }

    fn block_scalar_breaks(&mut self, indent: &mut isize, breaks: &mut String) -> Step {
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
            self.read_line(breaks);
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
        self.push(start, Kind::Scalar);
        Ok(())
    }

    fn scan_plain_scalar(&mut self) -> Step {
        let start = self.m;
        let indent = self.indent + 1;
        let mut leading_blanks = false;
        // The value, as go-yaml builds it (only when asked for).
        let mut value = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        let mut whitespaces = String::new();
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
                if self.values.is_some() {
                    if leading_blanks {
                        if leading_break.starts_with('\n') {
                            if trailing_breaks.is_empty() {
                                value.push(' ');
                            } else {
                                value.push_str(&trailing_breaks);
                            }
                        } else {
                            value.push_str(&leading_break);
                            value.push_str(&trailing_breaks);
                        }
                        trailing_breaks.clear();
                        leading_break.clear();
                    } else {
                        value.push_str(&whitespaces);
                        whitespaces.clear();
                    }
                    value.push(c);
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
                    if !leading_blanks && self.values.is_some() {
                        whitespaces.push(self.at(0));
                    }
                    self.skip();
                } else if !leading_blanks {
                    whitespaces.clear();
                    self.read_line(&mut leading_break);
                    leading_blanks = true;
                } else {
                    self.read_line(&mut trailing_breaks);
                }
            }
            if self.flow_level == 0 && (self.m.column as isize) < indent {
                break;
            }
        }
        self.record(start, start, value);
        self.push(start, Kind::Scalar);
        if leading_blanks {
            self.key_allowed = true;
        }
        Ok(())
    }
}

/// go-yaml's parser states (libyaml's `yaml_parser_state_t`, without directives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

/// What an event of [`Parser::step`] was, as far as the decoder's reading of documents goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    DocumentEnd,
    StreamEnd,
    Other,
}

/// go-yaml's parser (parserc.go) over [`Scanner`]'s tokens, for its errors only: it makes the
/// events' decisions and pulls tokens exactly as go-yaml's does, so the scanner runs as far as it
/// does in go-yaml.
struct Parser {
    state: State,
    states: Vec<State>,
    documents: usize,
    max_docs: usize,
    /// The anchors of the document so far: go-yaml's decoder refuses an alias to any other
    /// (`unknown anchor 'x' referenced`) as its parser reaches it.
    anchors: Vec<String>,
}

impl Parser {
    /// Parses until the decoder has read `max_docs` documents or the stream ends.
    fn run(&mut self, sc: &mut Scanner) -> Result<(), Halt> {
        loop {
            match self.step(sc)? {
                Event::StreamEnd => return Ok(()),
                Event::DocumentEnd => {
                    self.documents += 1;
                    if self.documents >= self.max_docs {
                        return Ok(());
                    }
                }
                Event::Other => {}
            }
            if self.state == State::End {
                return Ok(());
            }
        }
    }

    fn pop(&mut self) {
        self.state = self.states.pop().unwrap_or(State::End);
    }

    fn error(at: Mark, message: &'static str) -> Halt {
        Halt::Found(Found {
            message,
            line0: at.line,
            column: at.column,
            index: at.index,
            parser: true,
            name: None,
        })
    }

    /// One event of go-yaml's parser.
    fn step(&mut self, sc: &mut Scanner) -> Result<Event, Halt> {
        use Kind as K;
        let (mark, kind) = sc.peek()?;
        match self.state {
            State::StreamStart => {
                sc.take();
                self.state = State::ImplicitDocumentStart;
                Ok(Event::Other)
            }
            State::ImplicitDocumentStart | State::DocumentStart => {
                let implicit = self.state == State::ImplicitDocumentStart;
                let mut kind = kind;
                if !implicit {
                    while kind == K::DocumentEnd {
                        sc.take();
                        kind = sc.peek()?.1;
                    }
                }
                match kind {
                    K::StreamEnd => {
                        sc.take();
                        self.state = State::End;
                        Ok(Event::StreamEnd)
                    }
                    K::DocumentStart => {
                        self.states.push(State::DocumentEnd);
                        self.state = State::DocumentContent;
                        sc.take();
                        Ok(Event::Other)
                    }
                    _ if implicit => {
                        self.states.push(State::DocumentEnd);
                        self.state = State::BlockNode;
                        Ok(Event::Other)
                    }
                    _ => Err(Self::error(
                        sc.peek()?.0,
                        "did not find expected <document start>",
                    )),
                }
            }
            State::DocumentContent => {
                if matches!(kind, K::DocumentStart | K::DocumentEnd | K::StreamEnd) {
                    self.pop();
                    return Ok(Event::Other);
                }
                self.node(sc, true, false)
            }
            State::DocumentEnd => {
                if kind == K::DocumentEnd {
                    sc.take();
                }
                self.anchors.clear();
                self.state = State::DocumentStart;
                Ok(Event::DocumentEnd)
            }
            State::BlockNode => self.node(sc, true, false),
            State::BlockSequenceFirstEntry | State::BlockSequenceEntry => {
                let (mark, kind) = if self.state == State::BlockSequenceFirstEntry {
                    sc.take();
                    sc.peek()?
                } else {
                    (mark, kind)
                };
                match kind {
                    K::BlockEntry => {
                        sc.take();
                        let next = sc.peek()?.1;
                        if matches!(next, K::BlockEntry | K::BlockEnd) {
                            self.state = State::BlockSequenceEntry;
                            Ok(Event::Other)
                        } else {
                            self.states.push(State::BlockSequenceEntry);
                            self.node(sc, true, false)
                        }
                    }
                    K::BlockEnd => {
                        self.pop();
                        sc.take();
                        Ok(Event::Other)
                    }
                    _ => Err(Self::error(mark, "did not find expected '-' indicator")),
                }
            }
            State::IndentlessSequenceEntry => {
                if kind == K::BlockEntry {
                    sc.take();
                    let next = sc.peek()?.1;
                    if matches!(next, K::BlockEntry | K::Key | K::Value | K::BlockEnd) {
                        self.state = State::IndentlessSequenceEntry;
                        return Ok(Event::Other);
                    }
                    self.states.push(State::IndentlessSequenceEntry);
                    return self.node(sc, true, false);
                }
                self.pop();
                Ok(Event::Other)
            }
            State::BlockMappingFirstKey | State::BlockMappingKey => {
                let (mark, kind) = if self.state == State::BlockMappingFirstKey {
                    sc.take();
                    sc.peek()?
                } else {
                    (mark, kind)
                };
                match kind {
                    K::Key => {
                        sc.take();
                        let next = sc.peek()?.1;
                        if matches!(next, K::Key | K::Value | K::BlockEnd) {
                            self.state = State::BlockMappingValue;
                            Ok(Event::Other)
                        } else {
                            self.states.push(State::BlockMappingValue);
                            self.node(sc, true, true)
                        }
                    }
                    K::BlockEnd => {
                        self.pop();
                        sc.take();
                        Ok(Event::Other)
                    }
                    _ => Err(Self::error(mark, "did not find expected key")),
                }
            }
            State::BlockMappingValue => {
                if kind == K::Value {
                    sc.take();
                    let next = sc.peek()?.1;
                    if !matches!(next, K::Key | K::Value | K::BlockEnd) {
                        self.states.push(State::BlockMappingKey);
                        return self.node(sc, true, true);
                    }
                }
                self.state = State::BlockMappingKey;
                Ok(Event::Other)
            }
            State::FlowSequenceFirstEntry | State::FlowSequenceEntry => {
                let first = self.state == State::FlowSequenceFirstEntry;
                let (mark, mut kind) = if first {
                    sc.take();
                    sc.peek()?
                } else {
                    (mark, kind)
                };
                if kind != K::FlowSequenceEnd {
                    if !first {
                        if kind != K::FlowEntry {
                            return Err(Self::error(mark, "did not find expected ',' or ']'"));
                        }
                        sc.take();
                        kind = sc.peek()?.1;
                    }
                    if kind == K::Key {
                        self.state = State::FlowSequenceEntryMappingKey;
                        sc.take();
                        return Ok(Event::Other);
                    }
                    if kind != K::FlowSequenceEnd {
                        self.states.push(State::FlowSequenceEntry);
                        return self.node(sc, false, false);
                    }
                }
                self.pop();
                sc.take();
                Ok(Event::Other)
            }
            State::FlowSequenceEntryMappingKey => {
                if !matches!(kind, K::Value | K::FlowEntry | K::FlowSequenceEnd) {
                    self.states.push(State::FlowSequenceEntryMappingValue);
                    return self.node(sc, false, false);
                }
                // libyaml skips the token here whatever it is (a `,` or `]` too).
                sc.take();
                self.state = State::FlowSequenceEntryMappingValue;
                Ok(Event::Other)
            }
            State::FlowSequenceEntryMappingValue => {
                if kind == K::Value {
                    sc.take();
                    let next = sc.peek()?.1;
                    if !matches!(next, K::FlowEntry | K::FlowSequenceEnd) {
                        self.states.push(State::FlowSequenceEntryMappingEnd);
                        return self.node(sc, false, false);
                    }
                }
                self.state = State::FlowSequenceEntryMappingEnd;
                Ok(Event::Other)
            }
            State::FlowSequenceEntryMappingEnd => {
                self.state = State::FlowSequenceEntry;
                Ok(Event::Other)
            }
            State::FlowMappingFirstKey | State::FlowMappingKey => {
                let first = self.state == State::FlowMappingFirstKey;
                let (mark, mut kind) = if first {
                    sc.take();
                    sc.peek()?
                } else {
                    (mark, kind)
                };
                if kind != K::FlowMappingEnd {
                    if !first {
                        if kind != K::FlowEntry {
                            return Err(Self::error(mark, "did not find expected ',' or '}'"));
                        }
                        sc.take();
                        kind = sc.peek()?.1;
                    }
                    if kind == K::Key {
                        sc.take();
                        let next = sc.peek()?.1;
                        if !matches!(next, K::Value | K::FlowEntry | K::FlowMappingEnd) {
                            self.states.push(State::FlowMappingValue);
                            return self.node(sc, false, false);
                        }
                        self.state = State::FlowMappingValue;
                        return Ok(Event::Other);
                    }
                    if kind != K::FlowMappingEnd {
                        self.states.push(State::FlowMappingEmptyValue);
                        return self.node(sc, false, false);
                    }
                }
                self.pop();
                sc.take();
                Ok(Event::Other)
            }
            State::FlowMappingValue => {
                if kind == K::Value {
                    sc.take();
                    let next = sc.peek()?.1;
                    if !matches!(next, K::FlowEntry | K::FlowMappingEnd) {
                        self.states.push(State::FlowMappingKey);
                        return self.node(sc, false, false);
                    }
                }
                self.state = State::FlowMappingKey;
                Ok(Event::Other)
            }
            State::FlowMappingEmptyValue => {
                self.state = State::FlowMappingKey;
                Ok(Event::Other)
            }
            State::End => Ok(Event::StreamEnd),
        }
    }

    /// libyaml's `parse_node`: an alias, or a node with its properties.
    fn node(&mut self, sc: &mut Scanner, block: bool, indentless: bool) -> Result<Event, Halt> {
        use Kind as K;
        let (mut mark, mut kind) = sc.peek()?;
        if kind == K::Alias {
            let name = sc.name_at(mark);
            if !self.anchors.contains(&name) {
                return Err(Halt::Found(Found {
                    message: "unknown anchor",
                    line0: mark.line,
                    column: mark.column,
                    index: mark.index,
                    parser: false,
                    name: Some(name),
                }));
            }
            self.pop();
            sc.take();
            return Ok(Event::Other);
        }
        let mut properties = false;
        let mut undefined_handle = false;
        if kind == K::Anchor {
            properties = true;
            self.anchors.push(sc.name_at(mark));
            sc.take();
            (mark, kind) = sc.peek()?;
            if let K::Tag(defined) = kind {
                undefined_handle = !defined;
                sc.take();
                (mark, kind) = sc.peek()?;
            }
        } else if let K::Tag(defined) = kind {
            properties = true;
            undefined_handle = !defined;
            sc.take();
            (mark, kind) = sc.peek()?;
            if kind == K::Anchor {
                self.anchors.push(sc.name_at(mark));
                sc.take();
                (mark, kind) = sc.peek()?;
            }
        }
        if undefined_handle {
            // `found undefined tag handle`: left to yaml-rust2's reading of tags.
            return Err(Halt::Unknown);
        }
        if indentless && kind == K::BlockEntry {
            self.state = State::IndentlessSequenceEntry;
            return Ok(Event::Other);
        }
        match kind {
            K::Scalar => {
                self.pop();
                sc.take();
                Ok(Event::Other)
            }
            K::FlowSequenceStart => {
                self.state = State::FlowSequenceFirstEntry;
                Ok(Event::Other)
            }
            K::FlowMappingStart => {
                self.state = State::FlowMappingFirstKey;
                Ok(Event::Other)
            }
            K::BlockSequenceStart if block => {
                self.state = State::BlockSequenceFirstEntry;
                Ok(Event::Other)
            }
            K::BlockMappingStart if block => {
                self.state = State::BlockMappingFirstKey;
                Ok(Event::Other)
            }
            _ if properties => {
                self.pop();
                Ok(Event::Other)
            }
            _ => Err(Self::error(mark, "did not find expected node content")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Option<(&'static str, usize)> {
        let chars: Vec<char> = text.chars().collect();
        let found = Scanner::new(&chars).first_error(usize::MAX)?;
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

    /// go-yaml's parser states refuse these (answers of the YAML oracle, go-yaml v2 through
    /// sigs.k8s.io/yaml v1.4.0); yaml-rust2 refuses the same texts elsewhere or with other words.
    #[test]
    fn parser_errors_of_go_yaml() {
        for (text, message, line0) in [
            ("a: 1\n- b\n", "did not find expected key", 1),
            (
                "a:\n  - b\n  c: d\n",
                "did not find expected '-' indicator",
                2,
            ),
            (
                "l:\n  - a: 1\n   {{- range .x }}\n  - b: 2\n",
                "did not find expected '-' indicator",
                2,
            ),
            ("a:\n  b: 1\n {c: 2}\n", "did not find expected key", 2),
            // Flow content reads on to the end of the stream, a line past the last.
            ("a: [1,\na: [1,", "did not find expected node content", 2),
            ("{[1]", "did not find expected ',' or '}'", 1),
            ("a: {b: 1]\n", "did not find expected ',' or '}'", 0),
            ("k: v\n? [a\n", "did not find expected ',' or ']'", 2),
            // go-yaml v2 skips the token after a flow sequence's `?` when it is no node.
            ("[? : x]", "did not find expected ',' or ']'", 0),
            ("[? , x]", "did not find expected ',' or ']'", 0),
        ] {
            assert_eq!(first(text), Some((message, line0)), "{text:?}");
        }
    }

    #[test]
    fn only_the_documents_read_are_scanned() {
        let chars: Vec<char> = "a: 1\n---\n- b\nc: d\n".chars().collect();
        assert_eq!(Scanner::new(&chars).first_error(1), Some(None));
        assert_eq!(
            Scanner::new(&chars)
                .first_error(2)
                .flatten()
                .map(|f| (f.message, f.line0)),
            Some(("did not find expected '-' indicator", 3))
        );
    }

    /// go-yaml copies U+2028 and U+2029 into plain and block scalars where it copies a line
    /// break (answers of the YAML oracle).
    #[test]
    fn line_separators_in_plain_and_block_scalars() {
        for (text, at, value) in [
            ("a: x\u{2028} y\n", (0, 3), "x\u{2028}y"),
            ("a: [x\u{2028}y]\n", (0, 4), "x\u{2028}y"),
            ("a: |-\n  x\u{2028}  y\n", (1, 2), "x\u{2028}y"),
            ("a: >-\n  x\u{2028}  y\n", (1, 2), "x\u{2028}y"),
            ("a: x\n  y\u{2028}  z\n", (0, 3), "x y\u{2028}z"),
            ("a: x\u{2028}\u{2028}  y\n", (0, 3), "x\u{2028}\u{2028}y"),
            ("a: |\n  x\u{2029}\n", (1, 2), "x\u{2029}"),
        ] {
            assert_eq!(
                separator_scalars(text, 1),
                Some(vec![(at, value.to_string())]),
                "{text:?}"
            );
        }
        assert_eq!(separator_scalars("a: \"x\u{2028}y\"\n", 1), Some(vec![]));
    }

    #[test]
    fn directives_are_left_to_yaml_rust2() {
        let chars: Vec<char> = "%YAML 1.1\n--- a\n".chars().collect();
        assert!(Scanner::new(&chars).first_error(1).is_none());
    }
}
