//! Where the YAML events of a text come from: [`super::simple`] when it can vouch for the text, else
//! yaml-rust2's parser. Readers of events ([`super::load`], [`super::skim`]) see one stream either
//! way: the same events with the same positions (a test in `simple` holds the two to that).
//!
//! Both streams also carry go-yaml's simple-key rules, which yaml-rust2 applies in block context
//! only and without go-yaml's limit ([`KeyRules`]): a flow mapping's key whose `:` is on a later
//! line or more than 1024 characters on, and a block mapping's key whose `:` is more than 1024
//! characters on, are errors here, so every reader of events refuses them as go-yaml does.
use std::cell::{Cell, OnceCell};

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::load::{parser_line, scanner_line, SIMPLE_KEY_LIMIT};
use super::simple::{Raw, Sink};
/// A position in the text, as yaml-rust2 counts: `index` in characters from the start, `line`
/// 1-based, `col` 0-based (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub index: usize,
    pub line: usize,
    pub col: usize,
}

impl Mark {
    /// The position after the character `c` at this one.
    fn advance(&mut self, c: char) {
        if c == '\n' {
            self.line += 1;
            self.col = 0;
        } else {
            self.col += 1;
        }
        self.index += 1;
    }
}

impl From<&Marker> for Mark {
    fn from(m: &Marker) -> Mark {
        Mark {
            index: m.index(),
            line: m.line(),
            col: m.col(),
        }
    }
}

/// A parse error: yaml-rust2's text and where it stopped, or one of go-yaml's own.
#[derive(Clone, Debug)]
pub struct EventError {
    pub info: String,
    pub mark: Mark,
    /// Set when `info` is already go-yaml's text ([`KeyRules`]): the line go-yaml prints.
    pub go_line: Option<Option<usize>>,
}

impl EventError {
    pub fn new(mark: Mark, info: &str) -> EventError {
        EventError {
            info: info.to_string(),
            mark,
            go_line: None,
        }
    }

    /// go-yaml's error `message` at `mark`, printed with `go_line`.
    fn go(mark: Mark, message: &str, go_line: Option<usize>) -> EventError {
        EventError {
            info: message.to_string(),
            mark,
            go_line: Some(go_line),
        }
    }
}

impl From<ScanError> for EventError {
    fn from(e: ScanError) -> EventError {
        EventError::new(Mark::from(e.marker()), e.info())
    }
}

/// The events of one text, in order.
pub struct Events<'a> {
    source: Source<'a>,
    keys: KeyRules<'a>,
}

enum Source<'a> {
    /// Read ahead by [`super::simple`]; never an error.
    Simple(std::vec::IntoIter<(Event, Mark)>),
    Parser(Box<Parser<std::str::Chars<'a>>>),
}

impl<'a> Events<'a> {
    /// The events of `text`.
    pub fn of(text: &'a str) -> Events<'a> {
        Events::simple(text).unwrap_or_else(|| Events::parser(text))
    }

    /// The events of `text` as [`super::simple`] reads them, if it can.
    pub fn simple(text: &'a str) -> Option<Events<'a>> {
        let events = super::simple::simple_events(text)?;
        Some(Events {
            source: Source::Simple(events.into_iter()),
            keys: KeyRules::new(text),
        })
    }

    /// The events of `text` as yaml-rust2's parser reads them.
    pub fn parser(text: &'a str) -> Events<'a> {
        Events {
            source: Source::Parser(Box::new(Parser::new_from_str(text))),
            keys: KeyRules::new(text),
        }
    }

    /// Whether the events come from [`super::simple`].
    pub fn is_simple(&self) -> bool {
        matches!(self.source, Source::Simple(_))
    }

    /// The next event; after the last (`StreamEnd`) the simple reader answers `StreamEnd` again.
    pub fn next_event(&mut self) -> Result<(Event, Mark), EventError> {
        let (event, mark) = match &mut self.source {
            Source::Simple(events) => events.next().unwrap_or((
                Event::StreamEnd,
                Mark {
                    index: 0,
                    line: 1,
                    col: 0,
                },
            )),
            Source::Parser(parser) => parser
                .next_token()
                .map(|(event, mark)| (event, Mark::from(&mark)))?,
        };
        // The simple reader refuses block keys over 1000 bytes itself.
        let block_keys = matches!(self.source, Source::Parser(_));
        self.keys.check(&event, &mark, block_keys)?;
        Ok((event, mark))
    }
}

/// A `?` right before a plain scalar's text in flow context (`[?x]`) is a key indicator to go-yaml
/// and part of the scalar to yaml-rust2: the event source refuses it with this (not go-yaml's)
/// text, and [`super::load`] reads the text again with a blank after the `?`.
pub(super) const FLOW_KEY_WITHOUT_BLANK: &str =
    "a `?` key indicator in flow context without a blank after it";

/// A plain scalar in flow context with a `:` right before a flow indicator (`[2:, 3]`): go-yaml v2
/// keeps the `:` in the scalar (`"2:"`), yaml-rust2 reads a key `2`. The event source refuses it
/// with this (not go-yaml's) text, and [`super::load`] reads the text again with the scalar quoted.
pub(super) const FLOW_COLON_IN_PLAIN: &str =
    "a `:` right before a flow indicator inside a plain scalar in flow context";

/// The events of `text` as [`super::simple`] reads them, handed to `sink` one by one as they are
/// read ([`super::simple::stream_events`]) through the same key rules as [`Events`], so that a
/// reader building data while reading refuses what every other reader of events refuses. `None`
/// when the simple reader cannot vouch for the text or a key rule refuses it (go-yaml reports an
/// error there, which the caller's usual path gives): the sink may then have received part of the
/// events, and must drop what it built.
pub fn stream_checked(text: &str, sink: &mut dyn Sink) -> Option<()> {
    let mut checked = Checked {
        keys: KeyRules::new(text),
        sink,
        refused: false,
    };
    super::simple::stream_events(text, &mut checked)?;
    (!checked.refused).then_some(())
}

/// A sink that passes on the events the key rules accept, and nothing after the first refused.
struct Checked<'a, 's> {
    keys: KeyRules<'a>,
    sink: &'s mut dyn Sink,
    refused: bool,
}

impl Sink for Checked<'_, '_> {
    fn event(&mut self, event: Event, mark: Mark) {
        if self.refused {
            return;
        }
        // The simple reader refuses block keys over 1000 bytes itself (as in `Events::simple`).
        if self.keys.check(&event, &mark, false).is_err() {
            self.refused = true;
            return;
        }
        self.sink.event(event, mark);
    }
}

/// What [`KeyRules`] needs of an event.
#[derive(Clone, Copy)]
enum Shape {
    Scalar(TScalarStyle),
    Alias,
    MappingStart,
    SequenceStart,
    /// The end of a mapping or a sequence.
    End,
    Other,
}

/// The key rules of [`Events`] over the [`Raw`] events of the simple reader, for a reader that takes
/// them as they are read ([`super::simple::raw_events`]).
pub(super) struct RawKeyRules<'a> {
    /// `None` for a text without `{` or `[`: no flow collection, so no rule applies (the simple
    /// reader refuses block keys over 1000 bytes itself).
    keys: Option<KeyRules<'a>>,
}

impl<'a> RawKeyRules<'a> {
    pub(super) fn new(text: &'a str) -> RawKeyRules<'a> {
        let flow = text.bytes().any(|b| b == b'{' || b == b'[');
        RawKeyRules {
            keys: flow.then(|| KeyRules::new(text)),
        }
    }

    /// Whether the text has a flow collection (`{` or `[` anywhere), so that the rules apply.
    pub(super) fn in_flow(&self) -> bool {
        self.keys.is_some()
    }

    /// Whether go-yaml accepts `event` at `mark` (given the events before it).
    pub(super) fn allows(&mut self, event: &Raw<'_>, mark: &Mark) -> bool {
        let Some(keys) = &mut self.keys else {
            return true;
        };
        let shape = match event {
            Raw::Scalar(_, style) => Shape::Scalar(*style),
            Raw::MappingStart => Shape::MappingStart,
            Raw::SequenceStart => Shape::SequenceStart,
            Raw::MappingEnd | Raw::SequenceEnd => Shape::End,
            _ => Shape::Other,
        };
        keys.check_shape(shape, mark, false).is_ok()
    }
}

/// go-yaml's simple-key rules, which yaml-rust2 applies in block context only and without the
/// 1024-character limit: go-yaml forgets a possible simple key once its `:` is on a later line
/// (flow context; in block context yaml-rust2 refuses that itself) or more than 1024 characters
/// past the key's start. Follows the collections open to know which scalars are keys.
struct KeyRules<'a> {
    text: &'a str,
    /// Whether the text is ASCII (a character index is then a byte index).
    ascii: bool,
    /// A text that is not ASCII: the last character index looked up and its byte offset, from
    /// which the next look-up walks (marks come in order, and the scans around a key are short).
    cursor: Cell<(usize, usize)>,
    /// Whether a line is longer than the limit (else no block key can break it), found on first need.
    long_lines: OnceCell<bool>,
    open: Vec<Open>,
    /// How many of `open` are written `{…}` or `[…]` (flow context when above zero).
    flow_open: usize,
}

/// A collection open while reading.
#[derive(Clone, Copy)]
struct Open {
    /// A mapping (a sequence otherwise), and whether its next node is a key.
    map: bool,
    key_next: bool,
    /// Written `{…}` (else a block mapping, or a sequence).
    flow_map: bool,
    /// Written `{…}` or `[…]`.
    flow: bool,
    /// Where its start event is (a character index).
    index: usize,
}

impl KeyRules<'_> {
    fn new(text: &str) -> KeyRules<'_> {
        KeyRules {
            text,
            ascii: text.is_ascii(),
            cursor: Cell::new((0, 0)),
            long_lines: OnceCell::new(),
            open: Vec::new(),
            flow_open: 0,
        }
    }

    /// The character at character index `index`.
    fn at(&self, index: usize) -> Option<char> {
        let bytes = self.text.as_bytes();
        if self.ascii {
            return bytes.get(index).map(|&b| char::from(b));
        }
        let (mut c, mut b) = self.cursor.get();
        while c < index && b < bytes.len() {
            b += 1;
            while b < bytes.len() && !self.text.is_char_boundary(b) {
                b += 1;
            }
            c += 1;
        }
        while c > index {
            b -= 1;
            while !self.text.is_char_boundary(b) {
                b -= 1;
            }
            c -= 1;
        }
        self.cursor.set((c, b));
        if c < index {
            return None;
        }
        self.text[b..].chars().next()
    }

    fn check(&mut self, event: &Event, mark: &Mark, block_keys: bool) -> Result<(), EventError> {
        let shape = match event {
            Event::Scalar(_, style, ..) => Shape::Scalar(*style),
            Event::Alias(_) => Shape::Alias,
            Event::MappingStart(..) => Shape::MappingStart,
            Event::SequenceStart(..) => Shape::SequenceStart,
            Event::MappingEnd | Event::SequenceEnd => Shape::End,
            _ => Shape::Other,
        };
        self.check_shape(shape, mark, block_keys)
    }

    fn check_shape(
        &mut self,
        shape: Shape,
        mark: &Mark,
        block_keys: bool,
    ) -> Result<(), EventError> {
        match shape {
            Shape::Scalar(style) => {
                // In flow context go-yaml's scanner cannot start any token at a block scalar's
                // indicator; yaml-rust2 starts a plain scalar there.
                if style == TScalarStyle::Plain
                    && self.flow_open > 0
                    && matches!(self.at(mark.index), Some('|' | '>'))
                {
                    return Err(EventError::go(
                        *mark,
                        "found character that cannot start any token",
                        scanner_line(mark.line - 1),
                    ));
                }
                if style == TScalarStyle::Plain && self.flow_open > 0 {
                    self.question_in_flow_plain(mark)?;
                }
                match self.open.last() {
                    Some(o) if o.map && o.key_next && o.flow_map => self.flow_key(style, mark)?,
                    Some(o) if o.map && o.key_next && block_keys => self.block_key(style, mark)?,
                    _ => {}
                }
                self.node_done();
            }
            Shape::Alias => self.node_done(),
            Shape::MappingStart => {
                let flow_map = self.at(mark.index) == Some('{');
                self.push(Open {
                    map: true,
                    key_next: true,
                    flow_map,
                    flow: flow_map,
                    index: mark.index,
                });
            }
            Shape::SequenceStart => {
                let flow = self.at(mark.index) == Some('[');
                self.push(Open {
                    map: false,
                    key_next: false,
                    flow_map: false,
                    flow,
                    index: mark.index,
                });
            }
            Shape::End => {
                if self.open.pop().is_some_and(|o| o.flow) {
                    self.flow_open -= 1;
                }
                self.node_done();
            }
            _ => {}
        }
        Ok(())
    }

    /// Opens a collection. A block collection starts where its first node does (`- [x]`, `{a:
    /// 1}: b`), so when a flow collection opens at the very place of the one opened just before,
    /// that one is the block collection around it.
    fn push(&mut self, open: Open) {
        if open.flow {
            if let Some(outer) = self.open.last_mut() {
                if outer.flow && outer.index == open.index {
                    outer.flow = false;
                    outer.flow_map = false;
                    self.flow_open -= 1;
                }
            }
        }
        self.flow_open += usize::from(open.flow);
        self.open.push(open);
    }

    fn node_done(&mut self) {
        if let Some(top) = self.open.last_mut() {
            if top.map {
                top.key_next = !top.key_next;
            }
        }
    }

    /// A block mapping's key whose value indicator (the first `:` followed by a blank or the line's
    /// end) is more than 1024 characters past its start is no longer a possible key: its `:` is
    /// "mapping values are not allowed in this context". A key with a tab before it on its line is
    /// left to [`super::load`], which refuses the tab first, as go-yaml does.
    fn block_key(&self, style: TScalarStyle, mark: &Mark) -> Result<(), EventError> {
        if !matches!(
            style,
            TScalarStyle::Plain | TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
        ) || !*self
            .long_lines
            .get_or_init(|| self.text.lines().any(|l| l.len() > SIMPLE_KEY_LIMIT))
        {
            return Ok(());
        }
        let mut i = mark.index;
        while i > 0 && !matches!(self.at(i - 1), Some('\n' | '\r')) {
            i -= 1;
            if self.at(i) == Some('\t') {
                return Ok(());
            }
        }
        let mut i = mark.index;
        while let Some(c) = self.at(i).filter(|&c| c != '\n') {
            if c == ':'
                && self
                    .at(i + 1)
                    .is_none_or(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
            {
                if i > mark.index + SIMPLE_KEY_LIMIT {
                    return Err(EventError::go(
                        *mark,
                        "mapping values are not allowed in this context",
                        scanner_line(mark.line - 1),
                    ));
                }
                break;
            }
            i += 1;
        }
        Ok(())
    }

    /// In flow context go-yaml v2's plain scalar ends at a `?` (yaml-rust2 reads it as content),
    /// and a `?` is a key indicator even without a blank after it ([`FLOW_KEY_WITHOUT_BLANK`]);
    /// which then starts a key token where the parser wants a `,` or the collection's end: `[pea?
    /// r]` is "did not find expected ',' or ']'" on the `?`'s line (`'}'` inside a flow mapping).
    /// The scalar is walked in the text from its start to where go-yaml ends it (a flow indicator,
    /// a `:` before a blank, a comment); a `?` at its start is a key indicator to both readers.
    fn question_in_flow_plain(&self, mark: &Mark) -> Result<(), EventError> {
        let mut p = *mark;
        let mut prev = ' ';
        while let Some(c) = self.at(p.index) {
            match c {
                ',' | '[' | ']' | '{' | '}' => return Ok(()),
                ':' if self
                    .at(p.index + 1)
                    .is_none_or(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) =>
                {
                    return Ok(())
                }
                '#' if matches!(prev, ' ' | '\t' | '\n') => return Ok(()),
                // `2:` before a flow indicator: go-yaml keeps the `:` in the scalar (`[2:, 3]` is
                // `"2:"`), yaml-rust2 ends the scalar there and reads a key. A `:` where a token
                // starts is a value indicator to both (`[:]`).
                ':' if p.line == mark.line
                    && p.index > mark.index
                    && self
                        .at(p.index + 1)
                        .is_some_and(|c| matches!(c, ',' | '[' | ']' | '{' | '}')) =>
                {
                    return Err(EventError::new(*mark, FLOW_COLON_IN_PLAIN))
                }
                // yaml-rust2 reads `?x` as a scalar; `super::load` puts a blank after the `?`.
                '?' if p.index == mark.index => {
                    return Err(EventError::new(*mark, FLOW_KEY_WITHOUT_BLANK))
                }
                '?' => {
                    let flow_map = self
                        .open
                        .iter()
                        .rev()
                        .find(|o| o.flow)
                        .is_some_and(|o| o.flow_map);
                    let message = if flow_map {
                        "did not find expected ',' or '}'"
                    } else {
                        "did not find expected ',' or ']'"
                    };
                    return Err(EventError::go(p, message, parser_line(p.line - 1)));
                }
                _ => {}
            }
            p.advance(c);
            prev = c;
        }
        Ok(())
    }

    /// A flow mapping's scalar key whose `:` is on a later line or more than 1024 characters after
    /// the key's start is no longer a possible key, so the key is read as an entry without value and
    /// the `:` is "did not find expected ',' or '}'".
    fn flow_key(&self, style: TScalarStyle, mark: &Mark) -> Result<(), EventError> {
        let at = |i: usize| self.at(i);
        let start = mark.index;
        // Walks to the end of the scalar, then to the next token, keeping the position.
        let mut p = *mark;
        let step = |p: &mut Mark, c: char| p.advance(c);
        match style {
            TScalarStyle::DoubleQuoted | TScalarStyle::SingleQuoted => {
                let quote = if style == TScalarStyle::DoubleQuoted {
                    '"'
                } else {
                    '\''
                };
                step(&mut p, quote);
                loop {
                    match at(p.index) {
                        None => return Ok(()),
                        Some('\\') if quote == '"' => {
                            step(&mut p, '\\');
                            if let Some(c) = at(p.index) {
                                step(&mut p, c);
                            }
                        }
                        Some('\'') if quote == '\'' && at(p.index + 1) == Some('\'') => {
                            step(&mut p, '\'');
                            step(&mut p, '\'');
                        }
                        Some(c) if c == quote => {
                            step(&mut p, c);
                            break;
                        }
                        Some(c) => step(&mut p, c),
                    }
                }
            }
            TScalarStyle::Plain => loop {
                match at(p.index) {
                    None | Some(',' | '[' | ']' | '{' | '}') => break,
                    Some(':') if at(p.index + 1).is_none_or(|c| " \t\r\n,[]{}".contains(c)) => {
                        break
                    }
                    Some(' ' | '\t') if at(p.index + 1) == Some('#') => break,
                    Some(c) => step(&mut p, c),
                }
            },
            _ => return Ok(()),
        }
        loop {
            match at(p.index) {
                Some(c @ (' ' | '\t' | '\r' | '\n')) => step(&mut p, c),
                Some('#') => {
                    while let Some(c) = at(p.index).filter(|&c| c != '\n') {
                        step(&mut p, c);
                    }
                }
                Some(':') if p.line > mark.line || p.index > start + SIMPLE_KEY_LIMIT => {
                    return Err(EventError::go(
                        p,
                        "did not find expected ',' or '}'",
                        parser_line(p.line - 1),
                    ));
                }
                _ => return Ok(()),
            }
        }
    }
}
