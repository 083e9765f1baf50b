//! YAML text → node tree, with source positions, anchors and aliases resolved.
//!
//! We parse with yaml-rust2's event parser (a port of libyaml, like go-yaml v2 is), which gives every
//! event a position and keeps each scalar's style and tag, so that the YAML 1.1 typing of plain scalars
//! ([`super::resolve`]) and the YAML→JSON rules ([`super::convert`]) can be applied by us. serde_yaml is
//! archived and types scalars by YAML 1.2 (`yes` stays a string, `0777` is decimal), which is not what
//! Helm does, so it is not used for values.
//!
//! Where yaml-rust2 falls short of go-yaml v2: its error messages differ in wording and position for
//! some malformations; [`syntax_error`] maps the common ones onto go-yaml's text and line numbering
//! (`yaml: line N: …`, where go-yaml prints the 0-based line for parser errors and the 1-based line
//! for scanner errors). Uncommon malformations may be reported with a different message or line.
use std::collections::HashMap;
use std::rc::Rc;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::error::{Error, ErrorKind};

/// One YAML node. Aliases share the anchored node (`Rc`).
#[derive(Debug)]
pub struct Node {
    pub kind: NodeKind,
    /// 1-based line of the node's start.
    pub line: usize,
    /// 1-based column of the node's start.
    pub column: usize,
}

#[derive(Debug)]
pub enum NodeKind {
    Scalar {
        value: String,
        style: TScalarStyle,
        tag: Option<Tag>,
    },
    Seq {
        tag: Option<Tag>,
        items: Vec<Rc<Node>>,
    },
    Map {
        tag: Option<Tag>,
        entries: Vec<(Rc<Node>, Rc<Node>)>,
    },
}

impl Node {
    /// True for a scalar that is a plain, untagged `<<` (a merge key).
    pub fn is_merge_key(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, style: TScalarStyle::Plain, tag } if value == "<<" && tag.as_ref().is_none_or(|t| t.suffix == "merge"))
    }
}

/// The most nodes an alias expansion may reach before we refuse (go-yaml refuses "excessive aliasing"
/// too; this guards against billion-laughs documents).
const MAX_NODES: usize = 10_000_000;

/// Parses every document of `text`. An empty stream has no documents.
pub fn parse_nodes(text: &str, max_docs: usize) -> Result<Vec<Rc<Node>>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(pos) = text.find(is_disallowed_char) {
        let mut e = Error::new(ErrorKind::Syntax, "control characters are not allowed");
        e.line = text[..pos].matches('\n').count() + 1;
        return Err(e);
    }
    let mut loader = Loader {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        text,
    };
    let mut docs = Vec::new();
    loop {
        let (event, mark) = loader.next()?;
        match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart => {
                let (event, mark) = loader.next()?;
                let node = loader.node(event, mark, 0)?;
                docs.push(node);
                loader.anchors.clear();
                if docs.len() >= max_docs {
                    break;
                }
            }
            other => {
                return Err(syntax_error(
                    loader.text,
                    &ScanError::new(mark, &format!("unexpected event {other:?}")),
                ))
            }
        }
    }
    Ok(docs)
}

/// Characters go-yaml's reader refuses anywhere in the input (`control characters are not allowed`):
/// C0 controls other than tab, LF and CR, DEL, C1 controls other than NEL, and U+FFFE/U+FFFF.
pub fn is_disallowed_char(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0x7F..=0x9F).contains(&u) && u != 0x85
        || u == 0xFFFE
        || u == 0xFFFF
}

struct Loader<'a> {
    parser: Parser<std::str::Chars<'a>>,
    anchors: HashMap<usize, Rc<Node>>,
    text: &'a str,
}

impl Loader<'_> {
    fn next(&mut self) -> Result<(Event, Marker), Error> {
        self.parser
            .next_token()
            .map_err(|e| syntax_error(self.text, &e))
    }

    fn node(&mut self, event: Event, mark: Marker, depth: usize) -> Result<Rc<Node>, Error> {
        if depth > 10_000 {
            return Err(syntax_error(
                self.text,
                &ScanError::new(mark, "exceeded max depth of 10000"),
            ));
        }
        let (line, column) = (mark.line(), mark.col() + 1);
        let (anchor, node) = match event {
            Event::Alias(id) => {
                return self.anchors.get(&id).cloned().ok_or_else(|| {
                    syntax_error(self.text, &ScanError::new(mark, "unknown anchor"))
                })
            }
            Event::Scalar(value, style, anchor, tag) => (
                anchor,
                Node {
                    kind: NodeKind::Scalar { value, style, tag },
                    line,
                    column,
                },
            ),
            Event::SequenceStart(anchor, tag) => {
                let mut items = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(event, mark, depth + 1)?);
                }
                (
                    anchor,
                    Node {
                        kind: NodeKind::Seq { tag, items },
                        line,
                        column,
                    },
                )
            }
            Event::MappingStart(anchor, tag) => {
                let mut entries = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let key = self.node(event, mark, depth + 1)?;
                    let (event, mark) = self.next()?;
                    let value = self.node(event, mark, depth + 1)?;
                    entries.push((key, value));
                }
                (
                    anchor,
                    Node {
                        kind: NodeKind::Map { tag, entries },
                        line,
                        column,
                    },
                )
            }
            other => {
                return Err(syntax_error(
                    self.text,
                    &ScanError::new(mark, &format!("unexpected event {other:?}")),
                ))
            }
        };
        let node = Rc::new(node);
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }
}

/// Counts the nodes an expansion of `node` visits, stopping at `MAX_NODES`.
pub fn expansion_too_large(node: &Node) -> bool {
    fn count(node: &Node, n: &mut usize) -> bool {
        *n += 1;
        if *n > MAX_NODES {
            return true;
        }
        match &node.kind {
            NodeKind::Scalar { .. } => false,
            NodeKind::Seq { items, .. } => items.iter().any(|i| count(i, n)),
            NodeKind::Map { entries, .. } => {
                entries.iter().any(|(k, v)| count(k, n) || count(v, n))
            }
        }
    }
    let mut n = 0;
    count(node, &mut n)
}

/// Maps a yaml-rust2 error onto go-yaml v2's message and line numbering.
pub fn syntax_error(text: &str, e: &ScanError) -> Error {
    let mark = e.marker();
    let (message, go_line) = go_message(text, e.info(), mark);
    let mut err = Error::new(ErrorKind::Syntax, message);
    err.go_line = go_line;
    err.line = mark.line();
    err.column = mark.col() + 1;
    err
}

/// The line go-yaml prints for a scanner error whose problem is on 0-based line `line0`: `line0 + 1`,
/// or nothing on the first line.
fn scanner_line(line0: usize) -> Option<usize> {
    (line0 > 0).then_some(line0 + 1)
}

/// The line go-yaml prints for a parser error: the 0-based line itself, or nothing when it is 0.
fn parser_line(line0: usize) -> Option<usize> {
    (line0 > 0).then_some(line0)
}

/// go-yaml's text for a yaml-rust2 message, and the line go-yaml would print.
fn go_message(text: &str, info: &str, mark: &Marker) -> (String, Option<usize>) {
    // yaml-rust2 lines are 1-based; go-yaml's marks are 0-based.
    let line0 = mark.line().saturating_sub(1);
    // At the end of the stream libyaml moves to a fresh line when the last one is unterminated.
    let eof_line0 =
        text.matches('\n').count() + usize::from(!text.is_empty() && !text.ends_with('\n'));
    let owned = |m: &str, line: Option<usize>| (m.to_string(), line);
    if info.contains("mapping values are not allowed") {
        return owned(
            "mapping values are not allowed in this context",
            scanner_line(line0),
        );
    }
    if info.contains("simple key expect") || info.contains("could not find expected ':'") {
        // Both parsers notice the missing ':' where the plain scalar's look-ahead stopped.
        return owned("could not find expected ':'", scanner_line(line0));
    }
    if info.contains("found unexpected end of stream")
        || info.contains("invalid indentation in quoted scalar")
    {
        return owned("found unexpected end of stream", scanner_line(eof_line0));
    }
    if info.contains("illegal placement of ':'") || info.contains("expected ',' or") {
        let closer = match innermost_flow_opener(text, mark.index()) {
            Some('{') => "did not find expected ',' or '}'",
            _ => "did not find expected ',' or ']'",
        };
        return owned(closer, parser_line(line0));
    }
    if info.contains("unknown anchor") {
        let name: String = text
            .chars()
            .skip(mark.index())
            .skip_while(|c| *c == '*')
            .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
            .collect();
        return (format!("unknown anchor '{name}' referenced"), None);
    }
    if info.contains("unexpected character") || info.contains("cannot start any token") {
        return owned(
            "found character that cannot start any token",
            scanner_line(line0),
        );
    }
    if info.contains("found unknown escape character") {
        return owned("found unknown escape character", scanner_line(line0));
    }
    if info.contains("invalid trailing content") || info.contains("did not find expected key") {
        return owned("did not find expected key", parser_line(line0));
    }
    if info.contains("invalid indentation") {
        return owned("did not find expected key", parser_line(line0));
    }
    for parser_message in [
        "did not find expected '-' indicator",
        "did not find expected node content",
    ] {
        if info.contains(parser_message) {
            return owned(parser_message, parser_line(line0));
        }
    }
    if info.contains("block sequence entries are not allowed") {
        return owned(
            "block sequence entries are not allowed in this context",
            scanner_line(line0),
        );
    }
    if info.contains("tab") {
        return owned(
            "found character that cannot start any token",
            scanner_line(line0),
        );
    }
    if info.contains("<document start>") && text.trim_start().starts_with('%') {
        return owned("found unknown directive name", scanner_line(0));
    }
    let bare = info.rsplit_once(", ").map_or(info, |(_, tail)| tail);
    owned(bare, scanner_line(line0))
}

/// The innermost `[` or `{` still open before char index `end` (quotes are skipped roughly).
fn innermost_flow_opener(text: &str, end: usize) -> Option<char> {
    let mut stack = Vec::new();
    let mut quote: Option<char> = None;
    for c in text.chars().take(end) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => stack.push(c),
            (None, ']' | '}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_share_the_anchored_node() {
        let docs = parse_nodes("a: &x [1, 2]\nb: *x\n", usize::MAX).unwrap();
        let NodeKind::Map { entries, .. } = &docs[0].kind else {
            panic!("not a map")
        };
        assert!(Rc::ptr_eq(&entries[0].1, &entries[1].1));
        assert_eq!(entries[1].0.line, 2);
    }

    #[test]
    fn multiple_documents() {
        let docs = parse_nodes("a: 1\n---\nb: 2\n", usize::MAX).unwrap();
        assert_eq!(docs.len(), 2);
        assert!(parse_nodes("", usize::MAX).unwrap().is_empty());
    }

    #[test]
    fn missing_colon_is_reported_where_the_lookahead_stopped() {
        let err = parse_nodes("# c\n# d\na: 1\nb\n# x\n\nc: 2\n", 1).unwrap_err();
        assert_eq!(err.go_text(), "yaml: line 5: could not find expected ':'");
        let err = parse_nodes("a: [1, 2\nb: 3\n", 1).unwrap_err();
        assert_eq!(
            err.go_text(),
            "yaml: line 1: did not find expected ',' or ']'"
        );
        let err = parse_nodes("a: *x\n", 1).unwrap_err();
        assert_eq!(err.go_text(), "yaml: unknown anchor 'x' referenced");
    }

    #[test]
    fn mapping_values_error_uses_go_wording() {
        let err = parse_nodes("a: b: c\n", 1).unwrap_err();
        assert_eq!(
            err.go_text(),
            "yaml: mapping values are not allowed in this context"
        );
        let err = parse_nodes("a: 1\nb: c: d\n", 1).unwrap_err();
        assert_eq!(
            err.go_text(),
            "yaml: line 2: mapping values are not allowed in this context"
        );
    }
}
