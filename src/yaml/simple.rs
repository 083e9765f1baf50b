//! A fast reader for the plain block YAML that rendered manifests and values files are mostly made
//! of, producing exactly the events (and positions) yaml-rust2's parser produces for them.
//!
//! yaml-rust2 reads character by character through a look-ahead buffer and a token queue; on a
//! 320-template chart its parser was a third of all instructions of `rudder template` (every rendered
//! document is parsed to read its head and to check it, as Helm does). This reader works line by
//! line on bytes and answers only for texts it can vouch for, giving up (`None`; the caller then
//! uses yaml-rust2, which also produces the errors) on anything else:
//! - any byte outside printable ASCII other than line feeds (so tabs, CR, non-ASCII text);
//! - `---` and `...` lines, directives, anchors, aliases, tags, `?` keys, `>` folded scalars, block
//!   scalars with an indentation indicator or leading blank lines, multi-line plain and quoted
//!   scalars, flow collections spanning lines, `- - x` compact sequences;
//! - a document whose root is not a block mapping or sequence, and nesting past [`MAX_DEPTH`];
//! - anything malformed (the parser's error is the one to report).
//!
//! What it accepts it reads to the same events as yaml-rust2; `tests::agrees_with_yaml_rust2` holds
//! the two together on every YAML text of the repository and on thousands of mutations of them.
use std::borrow::Cow;

use yaml_rust2::parser::Event;
use yaml_rust2::scanner::TScalarStyle;

use super::events::Mark;

/// Nesting this reader follows before leaving a text to the parser.
const MAX_DEPTH: usize = 200;

/// yaml-rust2 refuses simple keys longer than 1024 characters; long keys are left to it.
const MAX_KEY_LEN: usize = 1000;

/// The events of `text` (one document at most), or `None` when this reader cannot vouch for them.
pub fn simple_events(text: &str) -> Option<Vec<(Event, Mark)>> {
    let bytes = text.as_bytes();
    let breaks = printable_lines(bytes)?;
    // About two events a line (a key and its value).
    let mut events = Vec::with_capacity(2 * breaks + 8);
    read_lines(text, breaks, &mut Owned(&mut events))?;
    Some(events)
}

/// Who receives the events as they are read (see [`stream_events`]).
pub trait Sink {
    fn event(&mut self, event: Event, mark: Mark);
}

impl Sink for Vec<(Event, Mark)> {
    fn event(&mut self, event: Event, mark: Mark) {
        self.push((event, mark));
    }
}

/// An event as this reader produces it: a scalar's text borrowed from the input where it is written
/// as it reads (plain scalars, quoted ones without escapes), so that a reader keeping few of them
/// (the head of a manifest, [`super::skim`]) allocates nothing for the others.
#[derive(Debug, PartialEq)]
pub enum Raw<'t> {
    StreamStart,
    DocumentStart,
    DocumentEnd,
    StreamEnd,
    MappingStart,
    MappingEnd,
    SequenceStart,
    SequenceEnd,
    Scalar(Cow<'t, str>, TScalarStyle),
}

impl Raw<'_> {
    /// yaml-rust2's event.
    pub fn into_event(self) -> Event {
        match self {
            Raw::StreamStart => Event::StreamStart,
            Raw::DocumentStart => Event::DocumentStart,
            Raw::DocumentEnd => Event::DocumentEnd,
            Raw::StreamEnd => Event::StreamEnd,
            Raw::MappingStart => Event::MappingStart(0, None),
            Raw::MappingEnd => Event::MappingEnd,
            Raw::SequenceStart => Event::SequenceStart(0, None),
            Raw::SequenceEnd => Event::SequenceEnd,
            Raw::Scalar(value, style) => Event::Scalar(value.into_owned(), style, 0, None),
        }
    }
}

/// Who receives the [`Raw`] events of a text as they are read ([`raw_events`]).
pub trait RawSink<'t> {
    fn event(&mut self, event: Raw<'t>, mark: Mark);
}

/// A [`Sink`] fed as a [`RawSink`].
struct Owned<'s>(&'s mut dyn Sink);

impl<'t> RawSink<'t> for Owned<'_> {
    fn event(&mut self, event: Raw<'t>, mark: Mark) {
        self.0.event(event.into_event(), mark);
    }
}

/// The events of `text` handed to `sink` one by one as they are read, without a list of them: for a
/// large text whose events are consumed as they come (a values file of megabytes has millions).
/// `None` when this reader cannot vouch for the text, found at any point: the sink may then have
/// received part of the events, and must drop what it built. Also `None` for a text without a final
/// line break (kept as it was when only [`simple_events`] read such texts).
pub fn stream_events(text: &str, sink: &mut dyn Sink) -> Option<()> {
    if !text.is_empty() && !text.ends_with('\n') {
        return None;
    }
    let breaks = printable_lines(text.as_bytes())?;
    read_lines(text, breaks, &mut Owned(sink))
}

/// The [`Raw`] events of `text` (one document at most) handed to `sink` as they are read; `None`
/// when this reader cannot vouch for the text, found at any point (the sink may then have received
/// part of the events). The events are those of [`simple_events`].
pub fn raw_events<'t>(text: &'t str, sink: &mut dyn RawSink<'t>) -> Option<()> {
    let breaks = printable_lines(text.as_bytes())?;
    read_lines(text, breaks, sink)
}

/// Reads `text` (with `breaks` line feeds, all printable ASCII) into `sink`.
fn read_lines<'t>(text: &'t str, breaks: usize, sink: &mut dyn RawSink<'t>) -> Option<()> {
    let bytes = text.as_bytes();
    // On an unterminated last line of blanks or a comment the scanner ends collections at the
    // line's end, elsewhere at a fresh line; such texts are left to it.
    let last_line = &bytes[bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1)..];
    let last_content = last_line.iter().find(|&&b| b != b' ');
    if !last_line.is_empty() && last_content.is_none_or(|&b| b == b'#') {
        return None;
    }
    let mut reader = Reader::new(text, breaks, sink);
    reader.stream()
}

/// For a text whose last line has content and no line break (and is no comment): a block scalar
/// running to that end, the last node, has no final line break in go-yaml. yaml-rust2 gives one,
/// and `load` removes it the same way (the reader does so itself, `Reader::literal_scalar`).
#[cfg(test)]
fn drop_final_break(events: &mut [(Event, Mark)]) {
    let last_node = events.iter_mut().rev().find(|(e, _)| {
        !matches!(
            e,
            Event::MappingEnd | Event::SequenceEnd | Event::DocumentEnd | Event::StreamEnd
        )
    });
    if let Some((Event::Scalar(value, TScalarStyle::Literal | TScalarStyle::Folded, ..), _)) =
        last_node
    {
        if value.ends_with('\n') {
            value.pop();
        }
    }
}

/// The number of line feeds in `bytes` if every other byte is printable ASCII. (Written as
/// branch-free folds over blocks, which the compiler turns into vector instructions.)
fn printable_lines(bytes: &[u8]) -> Option<usize> {
    let mut breaks = 0;
    for block in bytes.chunks(64) {
        let outside = block.iter().fold(false, |acc, &b| {
            acc | (b.wrapping_sub(b' ') > b'~' - b' ' && b != b'\n')
        });
        if outside {
            return None;
        }
        breaks += block
            .iter()
            .fold(0usize, |n, &b| n + usize::from(b == b'\n'));
    }
    Some(breaks)
}

/// A line with content (not blank, not only a comment).
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    /// Where the line break (or the end of the text) is.
    end: usize,
    indent: usize,
    /// 1-based.
    no: usize,
}

impl Line {
    fn first(&self) -> usize {
        self.start + self.indent
    }
}

/// A mapping key read from a line: its text, style, where it starts and where its `:` is.
struct Key<'t> {
    value: Cow<'t, str>,
    style: TScalarStyle,
    start: usize,
    colon: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Chomping {
    Clip,
    Strip,
    Keep,
}

struct Reader<'a, 't> {
    /// The text, and as bytes (ASCII: a byte is a character).
    src: &'t str,
    text: &'t [u8],
    events: &'a mut dyn RawSink<'t>,
    /// An implicit document starts where its first token does: its start is sent with the next
    /// event, at that event's position.
    document_start_pending: bool,
    /// The content line the next token is on (`None`: the end of the text).
    cur: Option<Line>,
    /// Where the line after `cur` starts, and its number.
    next_start: usize,
    next_no: usize,
    /// The position of the end of the text.
    eof: Mark,
    depth: usize,
}

impl<'a, 't> Reader<'a, 't> {
    /// A reader of `src`, which has `breaks` line feeds.
    fn new(src: &'t str, breaks: usize, events: &'a mut dyn RawSink<'t>) -> Reader<'a, 't> {
        let text = src.as_bytes();
        // Like libyaml, the scanner moves to a fresh line at the end of an unterminated last line.
        let unterminated = text.last().is_some_and(|&b| b != b'\n');
        Reader {
            src,
            text,
            events,
            document_start_pending: false,
            cur: None,
            next_start: 0,
            next_no: 1,
            eof: Mark {
                index: text.len(),
                line: breaks + 1 + usize::from(unterminated),
                col: 0,
            },
            depth: 0,
        }
    }

    fn slice(&self, range: std::ops::Range<usize>) -> Cow<'t, str> {
        Cow::Borrowed(&self.src[range])
    }

    fn push(&mut self, event: Raw<'t>, mark: Mark) {
        if std::mem::take(&mut self.document_start_pending) {
            self.events.event(Raw::DocumentStart, mark);
        }
        self.events.event(event, mark);
    }

    fn mark(&self, pos: usize, line: &Line) -> Mark {
        Mark {
            index: pos,
            line: line.no,
            col: pos - line.start,
        }
    }

    /// Where the next token starts: the first character of the current line, or the end.
    fn next_token_mark(&self) -> Mark {
        match &self.cur {
            Some(line) => self.mark(line.first(), line),
            None => self.eof,
        }
    }

    /// The byte at `i`, or a line feed past the end of the line.
    fn at(&self, i: usize, end: usize) -> u8 {
        if i < end {
            self.text[i]
        } else {
            b'\n'
        }
    }

    fn skip_spaces(&self, mut i: usize, end: usize) -> usize {
        while i < end && self.text[i] == b' ' {
            i += 1;
        }
        i
    }

    fn line_end(&self, start: usize) -> usize {
        // A plain loop: lines are short, and `str::find` (a `memchr`) cost more than it saved
        // (callgrind of `many`: `Reader::advance` 13.1 M → 22.4 M instructions).
        self.text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.text.len(), |p| start + p)
    }

    /// Moves to the next content line, skipping blank and comment lines.
    fn advance(&mut self) -> Option<()> {
        loop {
            if self.next_start >= self.text.len() {
                self.cur = None;
                return Some(());
            }
            let start = self.next_start;
            let end = self.line_end(start);
            let no = self.next_no;
            self.next_start = end + 1;
            self.next_no += 1;
            let first = self.skip_spaces(start, end);
            if first == end || self.text[first] == b'#' {
                continue;
            }
            let line = &self.text[start..end];
            if first == start && (line.starts_with(b"---") || line.starts_with(b"...")) {
                return None;
            }
            self.cur = Some(Line {
                start,
                end,
                indent: first - start,
                no,
            });
            return Some(());
        }
    }

    /// Runs `read` one nesting level deeper (giving up past [`MAX_DEPTH`]).
    fn nested<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let result = read(self)?;
        self.depth -= 1;
        Some(result)
    }

    fn stream(&mut self) -> Option<()> {
        self.push(
            Raw::StreamStart,
            Mark {
                index: 0,
                line: 1,
                col: 0,
            },
        );
        self.advance()?;
        if let Some(line) = self.cur {
            self.document_start_pending = true;
            self.block_collection(line)?;
            if self.cur.is_some() {
                return None;
            }
            self.push(Raw::DocumentEnd, self.eof);
        }
        self.push(Raw::StreamEnd, self.eof);
        Some(())
    }

    /// A block mapping or sequence starting on `line` (a more indented line than its parent's).
    fn block_collection(&mut self, line: Line) -> Option<()> {
        self.nested(|reader| {
            let first = line.first();
            if reader.is_entry_dash(first, &line) {
                reader.block_seq(line, false)
            } else {
                let key = reader.key_at(first, &line)?.ok()?;
                reader.block_map(line, first, key)
            }
        })
    }

    /// `-` followed by a space or the end of the line.
    fn is_entry_dash(&self, i: usize, line: &Line) -> bool {
        self.at(i, line.end) == b'-' && matches!(self.at(i + 1, line.end), b' ' | b'\n')
    }

    /// A block mapping whose first key (`key`) starts at `first` on `line`; its indentation is that
    /// key's column.
    fn block_map(&mut self, mut line: Line, first: usize, mut key: Key<'t>) -> Option<()> {
        let indent = first - line.start;
        self.push(Raw::MappingStart, self.mark(key.colon, &line));
        loop {
            let key_mark = self.mark(key.start, &line);
            let colon = key.colon;
            self.push(Raw::Scalar(key.value, key.style), key_mark);
            self.entry_value(line, colon + 1, indent)?;
            match self.cur {
                Some(next) if next.indent == indent => {
                    let start = next.first();
                    if self.is_entry_dash(start, &next) {
                        return None;
                    }
                    key = self.key_at(start, &next)?.ok()?;
                    line = next;
                }
                Some(next) if next.indent > indent => return None,
                _ => break,
            }
        }
        self.push(Raw::MappingEnd, self.next_token_mark());
        Some(())
    }

    /// The value of a mapping entry, from just after the key's `:` (`indent`: the mapping's).
    fn entry_value(&mut self, line: Line, from: usize, indent: usize) -> Option<()> {
        let start = self.skip_spaces(from, line.end);
        if start < line.end && self.text[start] != b'#' {
            return self.inline_node(line, start, indent);
        }
        self.advance()?;
        match self.cur {
            Some(next) if next.indent > indent => self.block_collection(next),
            Some(next) if next.indent == indent && self.is_entry_dash(next.first(), &next) => {
                self.nested(|reader| reader.block_seq(next, true))
            }
            _ => {
                self.push(empty_scalar(), self.next_token_mark());
                Some(())
            }
        }
    }

    /// A block sequence whose first `-` starts `line`. An indentless one is a mapping's value at the
    /// mapping's own indentation (`key:\n- a`).
    fn block_seq(&mut self, mut line: Line, indentless: bool) -> Option<()> {
        let indent = line.indent;
        // The parser starts an indentless sequence at its first entry token, others at the `-`.
        let start = if indentless {
            self.entry_token(&line)
        } else {
            line.first()
        };
        self.push(Raw::SequenceStart, self.mark(start, &line));
        loop {
            let after_dash = self.skip_spaces(line.first() + 1, line.end);
            if after_dash == line.end || self.text[after_dash] == b'#' {
                self.advance()?;
                match self.cur {
                    // After a bare `-` the scanner counts one more column of indentation.
                    Some(next) if next.indent > indent + 1 => self.block_collection(next)?,
                    Some(next) if next.indent == indent + 1 => return None,
                    Some(next)
                        if next.indent == indent && self.is_entry_dash(next.first(), &next) =>
                    {
                        self.push(empty_scalar(), self.mark(self.entry_token(&next), &next));
                    }
                    _ => self.push(empty_scalar(), self.next_token_mark()),
                }
            } else if self.is_entry_dash(after_dash, &line) {
                return None;
            } else {
                match self.key_at(after_dash, &line)? {
                    Ok(key) => self.nested(|reader| reader.block_map(line, after_dash, key))?,
                    Err(()) => self.inline_node(line, after_dash, indent)?,
                }
            }
            match self.cur {
                Some(next) if next.indent == indent && self.is_entry_dash(next.first(), &next) => {
                    line = next
                }
                Some(next) if next.indent > indent || (next.indent == indent && !indentless) => {
                    return None
                }
                _ => break,
            }
        }
        self.push(Raw::SequenceEnd, self.next_token_mark());
        Some(())
    }

    /// Where the scanner puts the token of the `-` entry that starts `line`: after the dash and its
    /// blanks, or at the end of the line when only a comment follows.
    fn entry_token(&self, line: &Line) -> usize {
        let after_dash = self.skip_spaces(line.first() + 1, line.end);
        if after_dash < line.end && self.text[after_dash] == b'#' {
            line.end
        } else {
            after_dash
        }
    }

    /// A node that starts at `start`, after a key's `:` or an entry's `-` on `line`, and ends on
    /// that line (a block scalar: on the lines below). `indent`: the enclosing block collection's.
    fn inline_node(&mut self, line: Line, start: usize, indent: usize) -> Option<()> {
        let end = match self.text[start] {
            b'|' => return self.literal_scalar(line, start, indent),
            b'"' | b'\'' => {
                let (value, style, end) = self.quoted(start, line.end)?;
                self.push(Raw::Scalar(value, style), self.mark(start, &line));
                end
            }
            b'[' | b'{' => self.nested(|reader| reader.flow_node(start, &line))?,
            _ => {
                let (value, end) = self.plain_value(start, &line)?;
                self.push(
                    Raw::Scalar(value, TScalarStyle::Plain),
                    self.mark(start, &line),
                );
                end
            }
        };
        self.rest_is_comment(end, &line)?;
        self.advance()?;
        match self.cur {
            // A more indented line continues a plain scalar, or is an error.
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }

    /// Only blanks and a comment (after a blank) follow `from` on `line`.
    fn rest_is_comment(&self, from: usize, line: &Line) -> Option<()> {
        let i = self.skip_spaces(from, line.end);
        (i == line.end || (i > from && self.text[i] == b'#')).then_some(())
    }

    /// A plain scalar that is a value (not a key): up to a comment or the end of the line.
    fn plain_value(&self, start: usize, line: &Line) -> Option<(Cow<'t, str>, usize)> {
        if !self.plain_may_start(start, line.end) {
            return None;
        }
        match self.plain_extent(start, line) {
            (end, None) => Some((self.slice(start..end), end)),
            (_, Some(_colon)) => None,
        }
    }

    /// Where a block plain scalar starting at `start` ends (trailing blanks dropped), and the `:`
    /// of the mapping indicator that stops it, if one does rather than a comment or the line end.
    fn plain_extent(&self, start: usize, line: &Line) -> (usize, Option<usize>) {
        // Only a `:` or a `#` can stop it: jumps from one to the next, then drops the blanks before
        // where it stopped.
        let mut i = start;
        let (stop, colon) = loop {
            let Some(p) = self.text[i..line.end]
                .iter()
                .position(|&b| b == b':' || b == b'#')
            else {
                break (line.end, None);
            };
            i += p;
            if self.text[i] == b':' {
                if matches!(self.at(i + 1, line.end), b' ' | b'\n') {
                    break (i, Some(i));
                }
            } else if self.text[i - 1] == b' ' {
                break (i, None);
            }
            i += 1;
        };
        let mut end = stop;
        while end > start && self.text[end - 1] == b' ' {
            end -= 1;
        }
        (end, colon)
    }

    /// Whether a plain scalar may start at `i`: not an indicator, except `-` before a non-blank.
    /// (A `-` before a flow indicator is left to the parser: yaml-rust2 refuses `[-,]`.)
    fn plain_may_start(&self, i: usize, end: usize) -> bool {
        match self.at(i, end) {
            b'-' => !matches!(
                self.at(i + 1, end),
                b' ' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
            ),
            b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
            | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' => false,
            _ => true,
        }
    }

    /// The key that starts at `start`, `Ok(Err(()))` when a scalar or collection that is not a key
    /// starts there, `None` when this reader gives up.
    fn key_at(&self, start: usize, line: &Line) -> Option<Result<Key<'t>, ()>> {
        match self.text[start] {
            b'"' | b'\'' => {
                let (value, style, end) = self.quoted(start, line.end)?;
                if self.at(end, line.end) == b':'
                    && matches!(self.at(end + 1, line.end), b' ' | b'\n')
                {
                    if end - start > MAX_KEY_LEN {
                        return None;
                    }
                    return Some(Ok(Key {
                        value,
                        style,
                        start,
                        colon: end,
                    }));
                }
                Some(Err(()))
            }
            b'[' | b'{' | b'|' => Some(Err(())),
            _ if !self.plain_may_start(start, line.end) => None,
            _ => {
                let (end, Some(colon)) = self.plain_extent(start, line) else {
                    return Some(Err(()));
                };
                if colon - start > MAX_KEY_LEN {
                    return None;
                }
                Some(Ok(Key {
                    value: self.slice(start..end),
                    style: TScalarStyle::Plain,
                    start,
                    colon,
                }))
            }
        }
    }

    /// A quoted scalar that closes on its line: its value, style and the position after it. The
    /// value is borrowed from the text when it is written as it reads (no escape, no `''`).
    fn quoted(&self, start: usize, end: usize) -> Option<(Cow<'t, str>, TScalarStyle, usize)> {
        let quote = self.text[start];
        let style = if quote == b'"' {
            TScalarStyle::DoubleQuoted
        } else {
            TScalarStyle::SingleQuoted
        };
        // The first quote or backslash after the opening quote: the end when it is a closing quote.
        let body = &self.text[start + 1..end];
        let stop = body.iter().position(|&b| b == quote || b == b'\\');
        if let Some(n) = stop {
            let i = start + 1 + n;
            if self.text[i] == quote && !(quote == b'\'' && self.at(i + 1, end) == b'\'') {
                return Some((self.slice(start + 1..i), style, i + 1));
            }
        }
        let mut out = String::new();
        let mut i = start + 1;
        loop {
            if i >= end {
                return None;
            }
            let b = self.text[i];
            if b == quote {
                if quote == b'\'' && self.at(i + 1, end) == b'\'' {
                    out.push('\'');
                    i += 2;
                    continue;
                }
                return Some((Cow::Owned(out), style, i + 1));
            }
            if b == b'\\' && quote == b'"' {
                let (c, len) = self.escape(i + 1, end)?;
                out.push(c);
                i += 1 + len;
                continue;
            }
            out.push(b as char);
            i += 1;
        }
    }

    /// The character of the escape whose letter is at `i`, and how many bytes it takes.
    fn escape(&self, i: usize, end: usize) -> Option<(char, usize)> {
        let simple = match self.at(i, end) {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            b'\\' => '\\',
            b'x' | b'u' | b'U' => {
                let digits = match self.text[i] {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                if i + digits >= end {
                    return None;
                }
                let hex = std::str::from_utf8(&self.text[i + 1..i + 1 + digits]).ok()?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                return Some((c, 1 + digits));
            }
            // `\/` (go-yaml refuses it), the Unicode shorthands, escaped line breaks.
            _ => return None,
        };
        Some((simple, 1))
    }

    /// A flow collection or scalar inside a flow collection, all on `line`; the position after it.
    fn flow_node(&mut self, start: usize, line: &Line) -> Option<usize> {
        let end = line.end;
        match self.at(start, end) {
            open @ (b'[' | b'{') => {
                let map = open == b'{';
                let (start_event, close, end_event) = if map {
                    (Raw::MappingStart, b'}', Raw::MappingEnd)
                } else {
                    (Raw::SequenceStart, b']', Raw::SequenceEnd)
                };
                self.push(start_event, self.mark(start, line));
                let mut i = self.skip_spaces(start + 1, end);
                if self.at(i, end) != close {
                    loop {
                        if map {
                            i = self.flow_scalar(i, line)?;
                            if self.at(i, end) != b':' || self.at(i + 1, end) != b' ' {
                                return None;
                            }
                            i = self.skip_spaces(i + 1, end);
                        }
                        i = self.flow_child(i, line)?;
                        i = self.skip_spaces(i, end);
                        match self.at(i, end) {
                            b',' => {
                                i = self.skip_spaces(i + 1, end);
                                if self.at(i, end) == close {
                                    return None;
                                }
                            }
                            c if c == close => break,
                            _ => return None,
                        }
                    }
                }
                self.push(end_event, self.mark(i, line));
                Some(i + 1)
            }
            _ => self.flow_scalar(start, line),
        }
    }

    fn flow_child(&mut self, start: usize, line: &Line) -> Option<usize> {
        self.nested(|reader| reader.flow_node(start, line))
    }

    /// A quoted or plain scalar inside a flow collection; the position after it.
    fn flow_scalar(&mut self, start: usize, line: &Line) -> Option<usize> {
        let end = line.end;
        let (value, style, after) = match self.at(start, end) {
            b'"' | b'\'' => self.quoted(start, end)?,
            _ => {
                if !self.plain_may_start(start, end) {
                    return None;
                }
                let mut i = start;
                let mut last = start;
                loop {
                    match self.at(i, end) {
                        b',' | b']' | b'}' => break,
                        b':' if self.at(i + 1, end) == b' ' => break,
                        b'[' | b'{' | b'#' | b':' | b'\n' => return None,
                        b' ' => {}
                        _ => last = i + 1,
                    }
                    i += 1;
                }
                (self.slice(start..last), TScalarStyle::Plain, last)
            }
        };
        self.push(Raw::Scalar(value, style), self.mark(start, line));
        Some(after)
    }

    /// A literal block scalar (`|`, `|-`, `|+`) whose header is at `start` on `line`; `indent`:
    /// the enclosing block collection's. Leaves `cur` at the line after it.
    fn literal_scalar(&mut self, line: Line, start: usize, indent: usize) -> Option<()> {
        let mut i = start + 1;
        let chomping = match self.at(i, line.end) {
            b'-' => Chomping::Strip,
            b'+' => Chomping::Keep,
            _ => Chomping::Clip,
        };
        if chomping != Chomping::Clip {
            i += 1;
        }
        if self.at(i, line.end).is_ascii_digit() {
            return None;
        }
        self.rest_is_comment(i, &line)?;
        let len = self.text.len();
        let (mut pos, mut no) = (line.end + 1, line.no + 1);
        if pos >= len {
            return None;
        }
        // The first line sets the indentation; blank lines before it are left to the parser.
        let first_end = self.line_end(pos);
        let content_indent = self.skip_spaces(pos, first_end) - pos;
        if pos + content_indent == first_end || content_indent <= indent {
            return None;
        }
        let mark = Mark {
            index: pos + content_indent,
            line: no,
            col: content_indent,
        };
        let mut value = String::new();
        let mut seen_content = false;
        // Line breaks of empty lines since the last content line.
        let mut breaks = 0;
        while pos < len {
            let end = self.line_end(pos);
            let spaces = self.skip_spaces(pos, end) - pos;
            if pos + spaces == end {
                if spaces > content_indent || end == len {
                    return None;
                }
                breaks += 1;
            } else if spaces < content_indent {
                break;
            } else {
                if seen_content {
                    value.push('\n');
                }
                for _ in 0..breaks {
                    value.push('\n');
                }
                breaks = 0;
                seen_content = true;
                value.push_str(&self.src[pos + content_indent..end]);
            }
            pos = end + 1;
            no += 1;
        }
        match chomping {
            Chomping::Strip => {}
            Chomping::Clip => value.push('\n'),
            Chomping::Keep => {
                value.push('\n');
                for _ in 0..breaks {
                    value.push('\n');
                }
            }
        }
        // Running to the end of a text without a final line break, it is the last node: go-yaml
        // drops its final line break (yaml-rust2 keeps it).
        if pos >= len && self.text[len - 1] != b'\n' && value.ends_with('\n') {
            value.pop();
        }
        self.push(Raw::Scalar(Cow::Owned(value), TScalarStyle::Literal), mark);
        self.next_start = pos.min(len);
        self.next_no = no;
        self.advance()?;
        match self.cur {
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }
}

fn empty_scalar<'t>() -> Raw<'t> {
    Raw::Scalar(Cow::Borrowed(""), TScalarStyle::Plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::events::Events;
    use yaml_rust2::parser::Parser;

    /// yaml-rust2's events for `text`, or `None` on a parse error.
    fn parser_events(text: &str) -> Option<Vec<(Event, Mark)>> {
        let mut parser = Parser::new_from_str(text);
        let mut out = Vec::new();
        loop {
            let (event, mark) = parser.next_token().ok()?;
            let end = event == Event::StreamEnd;
            out.push((event, Mark::from(&mark)));
            if end {
                return Some(out);
            }
        }
    }

    /// Where the simple reader answers, yaml-rust2 parses the text to the same events.
    fn check(text: &str) -> bool {
        let Some(simple) = simple_events(text) else {
            return false;
        };
        let Some(mut parsed) = parser_events(text) else {
            panic!("the parser refuses what the simple reader read:\n{text}");
        };
        if !text.ends_with('\n') {
            drop_final_break(&mut parsed);
        }
        let same = simple
            .iter()
            .zip(&parsed)
            .take_while(|(a, b)| a == b)
            .count();
        assert!(
            same == simple.len() && same == parsed.len(),
            "event {same} differs: simple {:?}, parser {:?}, text:\n{text}",
            simple.get(same),
            parsed.get(same)
        );
        true
    }

    fn floor_boundary(text: &str, mut i: usize) -> usize {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    /// Every text of the repository, and each of its documents.
    fn corpus() -> Vec<String> {
        let mut texts = Vec::new();
        for (_, text) in crate::test_corpus::texts() {
            texts.extend(crate::release::manifest::split_manifests(&text));
            texts.push(text);
        }
        texts
    }

    #[test]
    fn agrees_with_yaml_rust2_on_examples() {
        for text in [
            "",
            "# only a comment\n",
            "a: 1\n",
            "a: 1",
            "a: 1   ",
            "a:\nb: {}\nc: []\nd: {x: 1, y: [2, 'three', \"f\\u00e9\"]}\n",
            "# c\n\nkey: val # x\nlonger: \"q x\"\n'sk': 'it''s'\n",
            "- a\n- b: c\n  d: e\n-\n  f: g\n-\n- h\n",
            "a:\n  - x\n  -   y\nb:\n- z\n- k: v\n  l: w\nc: 1\n",
            "a: |\n  x\n\n  y\nb: |-\n   z\nc: |+\n  k\n\n\nd: 1\n",
            "a: |\n  x\n  # not a comment\n # a comment\nb: |\n  end",
            "a:\n  b:\n    c: d\n  e: f\ng: h\n",
            "- - x\n",
            "a: b: c\n",
            "a: |\n\n  x\n",
            "a: >\n  x\n",
            "a: \"x\\/y\"\n",
            "a:\n  continued\n",
            "a: x\n  continued\n",
            "  a: 1\nb: 2\n",
            "-\n a: 1\n",
            "a: - b\n",
            "a:\n- b\n  c: d\n",
            "key: value:\n",
            "url: http://x:80/y#z\nneg: -1\nflag: --set\n",
        ] {
            check(text);
        }
        assert!(check("a:\n  - x\n  -   y\nb:\n- z\n- k: v\n  l: w\nc: 1\n"));
        assert!(check(
            "a: |\n  x\n\n  y\nb: |-\n   z\nc: |+\n  k\n\n\nd: 1\n"
        ));
    }

    /// Every YAML text of the repository (whole files and their documents), and mutations of them
    /// (lines dropped, re-indented, cut, characters inserted), read to the same events as
    /// yaml-rust2's wherever the simple reader answers.
    #[test]
    fn agrees_with_yaml_rust2() {
        let texts = corpus();
        let mut accepted = 0;
        let mut random = crate::test_corpus::seeded_picker(0x9E37_79B9_7F4A_7C15);
        let mut mutated = 0;
        for text in &texts {
            if check(text) {
                accepted += 1;
            }
            if text.len() > 4000 {
                continue;
            }
            let lines: Vec<&str> = text.lines().collect();
            for _ in 0..6 {
                let mut copy: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                if copy.is_empty() {
                    break;
                }
                let at = random(copy.len());
                match random(8) {
                    0 => {
                        copy.remove(at);
                    }
                    1 => copy[at] = format!(" {}", copy[at]),
                    2 => copy[at] = copy[at].strip_prefix(' ').unwrap_or(&copy[at]).to_string(),
                    3 => copy[at] = format!("  {}", copy[at]),
                    4 => {
                        let line = &copy[at];
                        let cut = floor_boundary(line, random(line.len() + 1));
                        copy[at] = line[..cut].to_string();
                    }
                    5 => {
                        let line = copy[at].clone();
                        copy.insert(at, line);
                    }
                    _ => {
                        let insert = [
                            ": ", "#", " #", "- ", "\"", "'", "|", "{", "[", ":", "-", " ",
                        ][random(12)];
                        let line = &copy[at];
                        let pos = floor_boundary(line, random(line.len() + 1));
                        copy[at] = format!("{}{insert}{}", &line[..pos], &line[pos..]);
                    }
                }
                let joined = copy.join("\n") + if random(2) == 0 { "\n" } else { "" };
                if check(&joined) {
                    mutated += 1;
                }
            }
        }
        assert!(
            accepted > 800 && mutated > 2_000,
            "{accepted} texts and {mutated} mutations accepted of {}",
            texts.len()
        );
    }

    #[test]
    fn events_of_either_source_are_one_stream() {
        let mut events = Events::of("a: 1\n");
        assert!(events.is_simple());
        let mut seen = Vec::new();
        loop {
            let (event, _) = events.next_event().unwrap();
            let end = event == Event::StreamEnd;
            seen.push(event);
            if end {
                break;
            }
        }
        assert_eq!(seen.len(), 8);
        assert!(!Events::of("a: &x 1\n").is_simple());
    }
}
