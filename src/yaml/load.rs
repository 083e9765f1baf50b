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

use yaml_rust2::parser::{Event, Tag};
use yaml_rust2::scanner::TScalarStyle;

use super::error::{Error, ErrorKind};
use super::events::{EventError, Events, Mark};

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
        /// The items written as aliases, by index.
        aliases: Box<[Alias]>,
    },
    Map {
        tag: Option<Tag>,
        entries: Vec<(Rc<Node>, Rc<Node>)>,
        /// The keys and values written as aliases: entry `i`'s key at `2 * i`, its value at
        /// `2 * i + 1`.
        aliases: Box<[Alias]>,
    },
}

/// A child of a collection written as an alias (`*name`). The child is the anchored node itself
/// (shared), except for an alias inside its own anchor's node ([`Alias::open`]): go-yaml's decoder
/// refuses that one only when it reaches it, in document order (`anchor 'x' value contains
/// itself`), so the tree keeps it as a null placeholder and this record, and the decoder
/// ([`super::convert`]) refuses it where go-yaml does. go-yaml's merge rules look at alias nodes
/// too (`<<: *x` wants `x` to name a map).
#[derive(Debug, Clone)]
pub struct Alias {
    /// The child's place: see [`NodeKind::Seq`] and [`NodeKind::Map`].
    pub at: usize,
    pub name: String,
    /// For an alias inside its own anchor's node: whether that node is a map (`Some(true)`) or a
    /// sequence (`Some(false)`).
    pub open: Option<bool>,
}

/// The alias at place `at` of `aliases` (sorted by place).
pub fn alias_at(aliases: &[Alias], at: usize) -> Option<&Alias> {
    if aliases.is_empty() {
        return None;
    }
    aliases
        .binary_search_by_key(&at, |a| a.at)
        .ok()
        .map(|i| &aliases[i])
}

impl Drop for Node {
    /// Drops the children without recursion: a document may nest thousands of levels deep
    /// ([`super::deep_flow`]).
    fn drop(&mut self) {
        let mut stack = Vec::new();
        take_children(&mut self.kind, &mut stack);
        while let Some(child) = stack.pop() {
            if let Ok(mut child) = Rc::try_unwrap(child) {
                take_children(&mut child.kind, &mut stack);
            }
        }
    }
}

fn take_children(kind: &mut NodeKind, into: &mut Vec<Rc<Node>>) {
    match kind {
        NodeKind::Scalar { .. } => {}
        NodeKind::Seq { items, .. } => into.append(items),
        NodeKind::Map { entries, .. } => {
            for (key, value) in entries.drain(..) {
                into.push(key);
                into.push(value);
            }
        }
    }
}

impl Node {
    /// True for a scalar that is a plain, untagged `<<` (a merge key).
    pub fn is_merge_key(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, style: TScalarStyle::Plain, tag } if value == "<<" && tag.as_ref().is_none_or(|t| t.suffix == "merge"))
    }
}

/// Parses every document of `text`. An empty stream has no documents. An alias inside its own
/// anchor's node is refused (`anchor 'x' value contains itself`, the first one in document order);
/// [`parse_for_decoder`] leaves that to the decoder.
pub fn parse_nodes(text: &str, max_docs: usize) -> Result<Vec<Rc<Node>>, Error> {
    let docs = parse_for_decoder(text, max_docs)?;
    match docs.iter().find_map(|doc| first_open_alias(doc)) {
        Some(e) => Err(e),
        None => Ok(docs),
    }
}

/// go-yaml's error for an alias inside its own anchor's node (see [`Alias`]).
pub fn contains_itself(alias: &Alias, at: &Node) -> Error {
    let mut e = Error::new(
        ErrorKind::Syntax,
        format!("anchor '{}' value contains itself", alias.name),
    );
    e.line = at.line;
    e.column = at.column;
    e
}

/// The error for the first alias of `root` (in document order) inside its own anchor's node.
fn first_open_alias(root: &Node) -> Option<Error> {
    // Every node is defined at one place of the tree; the places of aliases are not walked.
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let (children, aliases): (Vec<&Rc<Node>>, &[Alias]) = match &node.kind {
            NodeKind::Scalar { .. } => continue,
            NodeKind::Seq { items, aliases, .. } => (items.iter().collect(), aliases),
            NodeKind::Map {
                entries, aliases, ..
            } => (entries.iter().flat_map(|(k, v)| [k, v]).collect(), aliases),
        };
        if let Some(alias) = aliases.iter().find(|a| a.open.is_some()) {
            // Children before the alias come first in document order.
            let before = children[..alias.at]
                .iter()
                .enumerate()
                .filter(|(i, _)| alias_at(aliases, *i).is_none())
                .find_map(|(_, child)| first_open_alias(child));
            return Some(before.unwrap_or_else(|| contains_itself(alias, children[alias.at])));
        }
        stack.extend(
            children
                .iter()
                .enumerate()
                .rev()
                .filter(|(i, _)| alias_at(aliases, *i).is_none())
                .map(|(_, child)| &***child),
        );
    }
    None
}

/// [`parse_nodes`] for go-yaml's decoder ([`super::convert::decode`]), which refuses an alias
/// inside its own anchor's node where it reaches it.
pub fn parse_for_decoder(text: &str, max_docs: usize) -> Result<Vec<Rc<Node>>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // go-yaml (YAML 1.1) reads NEL as a line break and stores it as '\n'; yaml-rust2 (YAML 1.2)
    // would keep it as content.
    let normalized;
    let text = if text.contains('\u{85}') {
        normalized = text.replace('\u{85}', "\n");
        normalized.as_str()
    } else {
        text
    };
    // go-yaml (YAML 1.1) also reads U+2028 and U+2029 as line breaks, except inside quoted
    // scalars, where they are kept as they are.
    let separated;
    let with_separators = text;
    let text = if text.contains('\u{2028}') || text.contains('\u{2029}') {
        separated = break_line_separators(text);
        separated.as_str()
    } else {
        text
    };
    check_directives(text)?;
    if let Some(pos) = text.find(is_disallowed_char) {
        let mut e = Error::new(ErrorKind::Syntax, "control characters are not allowed");
        e.line = text[..pos].matches('\n').count() + 1;
        return Err(e);
    }
    if let Some(line0) = leading_tab_on_first_content_line(text) {
        let mut e = Error::new(
            ErrorKind::Syntax,
            "found character that cannot start any token",
        );
        e.go_line = scanner_line(line0);
        e.line = line0 + 1;
        return Err(super::go_scan::reorder(text, e, max_docs));
    }
    let parsed = match parse_reindenting(text, max_docs) {
        Err(e) => match split_alias_colons(text) {
            Some(split) => parse_reindenting(&split, max_docs),
            None => Err(e),
        },
        parsed => parsed,
    };
    let parsed = match parsed {
        Err(e) if e.message == DEEP_FLOW_REFUSED => {
            parse_deep_flow(text, max_docs).unwrap_or(Err(e))
        }
        parsed => parsed,
    };
    // go-yaml's scanner may stop before its parser reaches what yaml-rust2 refused, and refuses
    // a few texts yaml-rust2 takes.
    match parsed {
        Err(e) => Err(super::go_scan::reorder(text, e, max_docs)),
        Ok(docs) => match super::go_scan::refused_after_all(text, max_docs) {
            Some(e) => Err(e),
            None if with_separators != text => {
                Ok(with_separator_scalars(with_separators, docs, max_docs))
            }
            None => Ok(docs),
        },
    }
}

/// `docs` read from `text` with its U+2028 and U+2029 turned into line feeds, with go-yaml's
/// values of the plain and block scalars that held them ([`super::go_scan::separator_scalars`]):
/// go-yaml copies such a character into those where it copies a line break.
fn with_separator_scalars(text: &str, docs: Vec<Rc<Node>>, max_docs: usize) -> Vec<Rc<Node>> {
    let Some(values) = super::go_scan::separator_scalars(text, max_docs) else {
        return docs;
    };
    if values.is_empty() {
        return docs;
    }
    let values: HashMap<(usize, usize), String> = values.into_iter().collect();
    let mut done = HashMap::new();
    docs.iter()
        .map(|doc| with_values(doc, &values, &mut done))
        .collect()
}

/// `node` with each plain or block scalar starting at a place of `values` (0-based line and
/// column) given that value; unchanged nodes are kept, shared ones stay shared.
fn with_values(
    node: &Rc<Node>,
    values: &HashMap<(usize, usize), String>,
    done: &mut HashMap<*const Node, Rc<Node>>,
) -> Rc<Node> {
    if let Some(new) = done.get(&Rc::as_ptr(node)) {
        return new.clone();
    }
    let kind = match &node.kind {
        NodeKind::Scalar { style, tag, .. } => {
            match values.get(&(node.line.saturating_sub(1), node.column.saturating_sub(1))) {
                Some(value)
                    if matches!(
                        style,
                        TScalarStyle::Plain | TScalarStyle::Literal | TScalarStyle::Folded
                    ) =>
                {
                    Some(NodeKind::Scalar {
                        value: value.clone(),
                        style: *style,
                        tag: tag.clone(),
                    })
                }
                _ => None,
            }
        }
        NodeKind::Seq {
            tag,
            items,
            aliases,
        } => {
            let new: Vec<_> = items.iter().map(|i| with_values(i, values, done)).collect();
            new.iter()
                .zip(items)
                .any(|(a, b)| !Rc::ptr_eq(a, b))
                .then(|| NodeKind::Seq {
                    tag: tag.clone(),
                    items: new,
                    aliases: aliases.clone(),
                })
        }
        NodeKind::Map {
            tag,
            entries,
            aliases,
        } => {
            let new: Vec<_> = entries
                .iter()
                .map(|(k, v)| (with_values(k, values, done), with_values(v, values, done)))
                .collect();
            new.iter()
                .zip(entries)
                .any(|(a, b)| !Rc::ptr_eq(&a.0, &b.0) || !Rc::ptr_eq(&a.1, &b.1))
                .then(|| NodeKind::Map {
                    tag: tag.clone(),
                    entries: new,
                    aliases: aliases.clone(),
                })
        }
    };
    let new = match kind {
        Some(kind) => Rc::new(Node {
            kind,
            line: node.line,
            column: node.column,
        }),
        None => node.clone(),
    };
    done.insert(Rc::as_ptr(node), new.clone());
    new
}

/// Our message for flow nesting yaml-rust2 cannot count and [`parse_deep_flow`] could not read.
const DEEP_FLOW_REFUSED: &str = "flow collections nested deeper than 255 levels are not supported by Rudder's YAML reader (go-yaml reads up to 10000)";

/// go-yaml's JSON step refuses a value nested deeper than this.
const JSON_MAX_DEPTH: usize = 10_000;

/// A text yaml-rust2 refused for its flow nesting (past 255 levels, within go-yaml's 10 000), read
/// in pieces ([`super::deep_flow`]): the first error of the outer text and the pieces, by position,
/// or the documents with the pieces put back. `None` when the pieces do not fit back (the scan
/// misread the text): the caller keeps yaml-rust2's refusal.
fn parse_deep_flow(text: &str, max_docs: usize) -> Option<Result<Vec<Rc<Node>>, Error>> {
    let (outer, pieces) = super::deep_flow::cut(text)?;
    let mut first_error: Option<Error> = None;
    let mut keep_first = |e: Error| {
        if first_error
            .as_ref()
            .is_none_or(|f| (e.line, e.column) < (f.line, f.column))
        {
            first_error = Some(e);
        }
    };
    let docs = parse_for_decoder(&outer, max_docs)
        .map_err(&mut keep_first)
        .ok();
    let mut nodes = HashMap::new();
    for piece in &pieces {
        match parse_for_decoder(&piece.text, 1) {
            Ok(roots) => match roots.as_slice() {
                [root] if (root.line, root.column) == (piece.line, piece.column) => {
                    nodes.insert((piece.line, piece.column), root.clone());
                }
                _ => return None,
            },
            Err(e) => keep_first(e),
        }
    }
    if let Some(e) = first_error {
        return Some(Err(e));
    }
    let docs = docs?
        .iter()
        .map(|doc| super::deep_flow::splice(doc, &nodes))
        .collect::<Option<Vec<_>>>()?;
    for doc in &docs {
        if let Some(opener) = super::deep_flow::json_depth_over(doc, JSON_MAX_DEPTH) {
            return Some(Err(Error::new(
                ErrorKind::Unmarshal,
                format!("while decoding JSON: invalid character '{opener}' exceeded max depth"),
            )));
        }
    }
    Some(Ok(docs))
}

/// go-yaml ends an alias name at a `:` (`*a: 1` is the alias `a` as a key), where yaml-rust2 reads
/// the `:` into the name. For a text that failed to parse: the text with a blank put between such an
/// alias and its `:` where the alias starts a line's content (after its indentation and `- `
/// indicators), or `None` when it has none. Only lines change, never their count.
fn split_alias_colons(text: &str) -> Option<String> {
    let mut changed = false;
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut rest = line.trim_start_matches(' ');
        while let Some(after) = rest.strip_prefix("- ") {
            rest = after.trim_start_matches(' ');
        }
        let name_len = rest
            .strip_prefix('*')
            .map(|r| {
                r.len()
                    - r.trim_start_matches(|c: char| {
                        c.is_ascii_alphanumeric() || c == '_' || c == '-'
                    })
                    .len()
            })
            .unwrap_or(0);
        let colon = line.len() - rest.len() + 1 + name_len;
        if name_len > 0
            && line[colon..].starts_with(':')
            && line[colon + 1..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t' || c == '\r')
        {
            out.push_str(&line[..colon]);
            out.push(' ');
            out.push_str(&line[colon..]);
            changed = true;
        } else {
            out.push_str(line);
        }
    }
    changed.then_some(out)
}

/// Parses a prepared text. yaml-rust2 insists that a quoted scalar's continuation lines, and the
/// lines of a flow collection, are indented past the enclosing block; go-yaml does not. Indenting
/// them changes nothing in the value (blanks between flow tokens mean nothing, leading blanks of
/// continuation lines are folded away) nor in go-yaml's line numbers, so such lines are re-indented
/// and the text parsed again, one line per retry.
///
/// A text refused where go-yaml reads a block-scalar header as the value of the key before it
/// ([`indent_value_header`]) is parsed again with the header indented: the documents if that
/// parses; else the error met past the header (go-yaml read the header and met that one), or
/// the first error.
fn parse_reindenting(text: &str, max_docs: usize) -> Result<Vec<Rc<Node>>, Error> {
    let first = parse_reindenting_lines(text, max_docs);
    let Err(e) = &first else {
        return first;
    };
    let Some((mut fixed, mut header)) = indent_value_header(text, e.line) else {
        return first;
    };
    for _ in 0..MAX_REINDENTS {
        match parse_reindenting_lines(&fixed, max_docs) {
            Ok(docs) => return Ok(docs),
            Err(e) if e.line <= header => break,
            Err(e) => match indent_value_header(&fixed, e.line) {
                Some((again, line)) => (fixed, header) = (again, line),
                None => return Err(e),
            },
        }
    }
    first
}

/// [`parse_reindenting`]'s line retries.
fn parse_reindenting_lines(text: &str, max_docs: usize) -> Result<Vec<Rc<Node>>, Error> {
    let mut owned: Option<String> = None;
    for _ in 0..MAX_REINDENTS {
        let current = owned.as_deref().unwrap_or(text);
        match parse_prepared(current, max_docs) {
            Err(Retry::Reindent(mark)) => match reindent_quoted_scalar(current, &mark) {
                Some(fixed) => owned = Some(fixed),
                None => {
                    return Err(syntax_error(
                        current,
                        &EventError::new(mark, "found unexpected end of stream"),
                    ))
                }
            },
            Err(Retry::IndentFlowLine(mark, e)) => match indent_flow_line(current, &mark) {
                Some(fixed) => owned = Some(fixed),
                None => return Err(e),
            },
            Err(Retry::SpaceBeforeComment(mark, e)) => match space_before_comment(current, &mark) {
                Some(fixed) => owned = Some(fixed),
                None => return Err(e),
            },
            Err(Retry::EscapeTagBang(mark, e)) => match escape_tag_bangs(current, &mark) {
                Some(fixed) => owned = Some(fixed),
                None => return Err(e),
            },
            Err(Retry::QuoteFlowPlain(mark, e)) => match quote_flow_plain(current, &mark) {
                Some(fixed) => owned = Some(fixed),
                None => return Err(e),
            },
            Err(Retry::SpaceAfterFlowKey(mark, e)) => match space_after_flow_key(current, &mark) {
                Some(fixed) => owned = Some(fixed),
                None => return Err(e),
            },
            Err(Retry::TabAfterColon(mark, e)) => match tab_after_colon(current, &mark) {
                Some(fixed) => owned = Some(fixed),
                None => return Err(e),
            },
            Err(Retry::BlankAfterDocumentEnd(mark, e)) => {
                match blank_after_document_end(current, &mark) {
                    Some(fixed) => owned = Some(fixed),
                    None => return Err(e),
                }
            }
            Err(Retry::No(e)) => return Err(e),
            Ok(docs) => return Ok(docs),
        }
    }
    Err(Error::new(
        ErrorKind::Syntax,
        "found unexpected end of stream",
    ))
}

/// Whether yaml-rust2's events for `text` are all there is to know: none of what [`parse_nodes`]
/// prepares, checks or refuses around parsing (a BOM, NEL and the line separators, control
/// characters, tabs, directives) and no `\/`, which [`Loader`] checks in the text because yaml-rust2 accepts that escape.
/// Readers of raw events ([`super::skim`]) leave other texts to `parse_nodes`.
pub(crate) fn parses_as_is(text: &str) -> bool {
    !(text.starts_with('\u{feff}')
        || text.contains('\u{85}')
        || text.contains('\u{2028}')
        || text.contains('\u{2029}')
        || text.contains('\t')
        || check_directives(text).is_err()
        || (!text.ends_with('\n')
            && (unterminated_last_line_indent(text).is_some()
                || unterminated_blank_last_line(text).is_some())
            && (text.contains('|') || text.contains('>')))
        || text.contains(is_disallowed_char)
        || leading_tab_on_first_content_line(text).is_some()
        || may_end_in_empty_block_scalar(text)
        || text.contains("\\/"))
}

/// Whether the text's last line with content may be a block scalar's header (roughly: it holds
/// `|` or `>`): such a scalar has no content, which go-yaml reads as `""` and yaml-rust2 as a line
/// break ([`Loader`] corrects it).
fn may_end_in_empty_block_scalar(text: &str) -> bool {
    let content = text.trim_end_matches([' ', '\t', '\r', '\n']);
    content[content.rfind('\n').map_or(0, |p| p + 1)..].contains(['|', '>'])
}

/// How far (in characters) go-yaml looks for the `:` of a simple key.
pub(super) const SIMPLE_KEY_LIMIT: usize = 1024;

/// How many under-indented lines [`parse_nodes`] re-indents before it gives up with the error.
const MAX_REINDENTS: usize = 1000;

/// Why a parse stopped: a real error, a quoted scalar yaml-rust2 wants indented, or a line of a
/// flow collection it wants indented (with the error to report if that cannot be done).
enum Retry {
    No(Error),
    Reindent(Mark),
    IndentFlowLine(Mark, Error),
    TabAfterColon(Mark, Error),
    SpaceBeforeComment(Mark, Error),
    SpaceAfterFlowKey(Mark, Error),
    QuoteFlowPlain(Mark, Error),
    EscapeTagBang(Mark, Error),
    BlankAfterDocumentEnd(Mark, Error),
}

impl From<Error> for Retry {
    fn from(e: Error) -> Retry {
        Retry::No(e)
    }
}

fn parse_prepared(text: &str, max_docs: usize) -> Result<Vec<Rc<Node>>, Retry> {
    let mut loader = Loader {
        events: Events::of(text),
        anchors: HashMap::new(),
        text,
        reindent_at: None,
        flow_line_at: None,
        tab_after_colon_at: None,
        comment_at: None,
        flow_key_at: None,
        flow_colon_at: None,
        tag_at: None,
        doc_end_at: None,
        last_document: max_docs <= 1,
        chars: text.contains('\t').then(|| text.chars().collect()),
        ascii: text.is_ascii(),
        lazy_chars: std::cell::OnceCell::new(),
        seen: Vec::new(),
        open: Vec::new(),
        open_anchors: Vec::new(),
    };
    let mut docs = Vec::new();
    let mut more_documents = false;
    loop {
        let (event, mark) = loader.next_or_retry()?;
        match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart => {
                let (event, mark) = loader.next_or_retry()?;
                let node = match loader.node(event, mark, 0) {
                    Ok(node) => node,
                    Err(e) => {
                        // A tab-led line before the error is go-yaml's first error.
                        loader.tab_led_lines()?;
                        return Err(loader.retry(e));
                    }
                };
                reject_multiline_root_key(text, &node)?;
                loader.tab_led_lines()?;
                docs.push(node);
                loader.anchors.clear();
                loader.last_document = docs.len() + 1 >= max_docs;
                if docs.len() >= max_docs {
                    // go-yaml's decoder expects the document's end after its root node, so the
                    // scanner reads on to the next token: an error there (`key: 1` whose key was
                    // too long to be one, content after `--- a`) fails the document too.
                    match loader.next_or_retry() {
                        // go-yaml v2 (YAML 1.1) ends a document at a directive without `...`.
                        Err(Retry::No(e))
                            if e.message.contains("document end marker before directive") => {}
                        Err(e) => return Err(e),
                        Ok(_) => {}
                    }
                    // Whether a document follows, for the rule below on the text's last line.
                    if unterminated_last_line_indent(text).is_some()
                        || unterminated_blank_last_line(text).is_some()
                    {
                        more_documents =
                            !matches!(loader.next_or_retry(), Ok((Event::StreamEnd, _)));
                    }
                    break;
                }
            }
            other => {
                return Err(Retry::No(syntax_error(
                    loader.text,
                    &EventError::new(mark, &format!("unexpected event {other:?}")),
                )))
            }
        }
    }
    if more_documents {
        // The unterminated last line belongs to a document not read: the block scalar that
        // ends the last one read keeps its line break (`a: |\n  x\n---\nb: 1` is `x\n`).
    } else if let Some(last_indent) = unterminated_last_line_indent(text) {
        if let Some(last) = docs.last_mut() {
            drop_final_break(last, last_indent, None);
        }
    } else if let Some(blanks) = unterminated_blank_last_line(text) {
        if let Some(last) = docs.last_mut() {
            drop_final_break_after_blanks(last, blanks);
        }
    }
    Ok(docs)
}

/// The indentation of the text's last line when it has content and no line break: a block scalar
/// running to such an end has no final line break to keep or clip in go-yaml, where yaml-rust2
/// adds one.
pub(crate) fn unterminated_last_line_indent(text: &str) -> Option<usize> {
    let last = text.rsplit(['\n', '\r']).next().unwrap_or("");
    let content = last.trim_start_matches(' ');
    (!content.trim_matches([' ', '\t']).is_empty()).then_some(last.len() - content.len())
}

/// The length of the text's last line when it holds spaces only and no line break.
pub(crate) fn unterminated_blank_last_line(text: &str) -> Option<usize> {
    let last = text.rsplit(['\n', '\r']).next().unwrap_or("");
    (!last.is_empty() && last.bytes().all(|b| b == b' ')).then_some(last.len())
}

/// A block scalar whose last line is spaces past its indentation, running to the end of the text
/// without a line break, ends with those spaces in go-yaml (`|\n  x\n   ` is `"x\n "`); yaml-rust2
/// adds a line break. Removes it from the document's last node when its value's last line is
/// spaces, fewer than the text's last line holds (`blanks`): those past the indentation (else the
/// spaces were not content and the break is the clipped one).
fn drop_final_break_after_blanks(node: &mut Rc<Node>, blanks: usize) {
    let Some(node) = Rc::get_mut(node) else {
        return;
    };
    match &mut node.kind {
        NodeKind::Map { entries, .. } => {
            if let Some((_, value)) = entries.last_mut() {
                drop_final_break_after_blanks(value, blanks);
            }
        }
        NodeKind::Seq { items, .. } => {
            if let Some(item) = items.last_mut() {
                drop_final_break_after_blanks(item, blanks);
            }
        }
        NodeKind::Scalar { value, style, .. } => {
            let body = value.strip_suffix('\n').unwrap_or("");
            let line = body.rsplit('\n').next().unwrap_or("");
            if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
                && value.ends_with(" \n")
                && line.bytes().all(|b| b == b' ')
                && line.len() < blanks
            {
                value.pop();
            }
        }
    }
}

/// Removes the line break yaml-rust2 adds at the end of a block scalar that runs to the end of an
/// unterminated text: the document's last node, when the last line is indented past the column of
/// the collection holding it (else that line is a comment after the scalar).
fn drop_final_break(node: &mut Rc<Node>, last_indent: usize, parent_col: Option<usize>) {
    let column = node.column.saturating_sub(1);
    let Some(node) = Rc::get_mut(node) else {
        return;
    };
    match &mut node.kind {
        NodeKind::Map { entries, .. } => {
            if let Some((key, value)) = entries.last_mut() {
                let key_col = key.column.saturating_sub(1);
                drop_final_break(value, last_indent, Some(key_col));
            }
        }
        NodeKind::Seq { items, .. } => {
            if let Some(item) = items.last_mut() {
                drop_final_break(item, last_indent, Some(column));
            }
        }
        NodeKind::Scalar { value, style, .. } => {
            if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
                && parent_col.is_none_or(|p| last_indent > p)
                && value.ends_with('\n')
            {
                value.pop();
            }
        }
    }
}

/// Indents the continuation lines of the quoted scalar starting at `mark` to one column past its
/// opening quote; `None` when the quote is never closed (go-yaml's "found unexpected end of stream").
fn reindent_quoted_scalar(text: &str, mark: &Mark) -> Option<String> {
    let (start, quote) = text.char_indices().nth(mark.index)?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let indent = " ".repeat(mark.col + 1);
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..start + 1]);
    let mut chars = text[start + 1..].char_indices().peekable();
    let mut closed_at = None;
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                out.push(c);
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                    if next == '\n' {
                        out.push_str(&indent);
                    }
                }
                continue;
            }
            '\'' if quote == '\'' && chars.peek().map(|p| p.1) == Some('\'') => {
                out.push_str("''");
                chars.next();
                continue;
            }
            c if c == quote => {
                closed_at = Some(start + 1 + i);
                break;
            }
            '\n' => {
                out.push('\n');
                out.push_str(&indent);
                // Leading blanks of a continuation line are folded away: tabs among them too.
                while chars.peek().is_some_and(|&(_, c)| c == ' ' || c == '\t') {
                    chars.next();
                }
                continue;
            }
            _ => out.push(c),
        }
    }
    let end = closed_at?;
    out.push_str(&text[end..]);
    Some(out)
}

/// The position of the opening quote of the quoted scalar (opened after a blank, an indicator or
/// at a line's start) that spans character `index`, if any.
fn quoted_scalar_around(text: &str, index: usize) -> Option<Mark> {
    let chars: Vec<char> = text.chars().take(index + 1).collect();
    let mut i = chars.len().min(index);
    while i > 0 {
        i -= 1;
        let quote = chars[i];
        if quote != '"' && quote != '\'' {
            continue;
        }
        if i > 0
            && !matches!(
                chars[i - 1],
                ' ' | '\t' | '\n' | '[' | '{' | ',' | ':' | '-'
            )
        {
            continue;
        }
        // Does it stay open up to `index`?
        let mut j = i + 1;
        let mut open = true;
        while j < index {
            match chars[j] {
                '\\' if quote == '"' => j += 1,
                '\'' if quote == '\'' && chars.get(j + 1) == Some(&'\'') => j += 1,
                c if c == quote => {
                    open = false;
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        if open {
            let line0 = chars[..i].iter().filter(|&&c| c == '\n').count();
            let col = i - chars[..i]
                .iter()
                .rposition(|&c| c == '\n')
                .map_or(0, |p| p + 1);
            return Some(Mark {
                index: i,
                line: line0 + 1,
                col,
            });
        }
        return None;
    }
    None
}

/// go-yaml's scanner takes what follows a `...` on its line as the start of the next document's
/// content (`... ---` starts a plain scalar `---`), and a reader of the documents before it never
/// scans it; yaml-rust2 refuses it (`invalid content after document end marker`). For a refusal
/// at `mark` past the last document the caller reads: the text with that content blanked out
/// (lines and columns kept), or `None` when the line does not start with `...`.
fn blank_after_document_end(text: &str, mark: &Mark) -> Option<String> {
    let line0 = mark.line.checked_sub(1)?;
    let start: usize = text.split('\n').take(line0).map(|l| l.len() + 1).sum();
    let line = text.get(start..)?.split('\n').next()?;
    let rest = line.strip_prefix("...")?;
    let rest = rest.strip_suffix('\r').unwrap_or(rest);
    if rest.trim_matches([' ', '\t']).is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start + 3]);
    out.extend(rest.chars().map(|_| ' '));
    out.push_str(&text[start + 3 + rest.len()..]);
    Some(out)
}

/// Indents the line of the flow-collection token at `mark` past every column used before it (the
/// enclosing block's indentation is one of them), so yaml-rust2 accepts it as go-yaml does; `None`
/// when that would not move the token (the error is real).
fn indent_flow_line(text: &str, mark: &Mark) -> Option<String> {
    let line0 = mark.line.checked_sub(1)?;
    let mut start = 0;
    let mut widest = 0;
    for (i, line) in text.split('\n').enumerate() {
        if i == line0 {
            break;
        }
        widest = widest.max(line.chars().count());
        start += line.len() + 1;
    }
    if start > text.len() || mark.col > widest {
        return None;
    }
    let pad = widest + 1 - mark.col;
    let mut out = String::with_capacity(text.len() + pad);
    out.push_str(&text[..start]);
    out.extend(std::iter::repeat_n(' ', pad));
    out.push_str(&text[start..]);
    Some(out)
}

/// go-yaml v2's rules for the start of the stream, which yaml-rust2 does not apply: `%YAML` must be
/// 1.1 ("found incompatible YAML document") and given once, a name other than `YAML` or `TAG` is
/// "found unknown directive name", directives must be followed by `---` ("did not find expected
/// <document start>"), and a `...` before any document is "did not find expected node content".
fn check_directives(text: &str) -> Result<(), Error> {
    let mut lines = text
        .split('\n')
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start_matches(['\u{feff}', ' ', '\t', '\r']);
            !t.is_empty() && !t.starts_with('#')
        })
        .peekable();
    let mut seen = false;
    let error = |message: &str, go_line: Option<usize>, line0: usize| {
        let mut e = Error::new(ErrorKind::Syntax, message);
        e.go_line = go_line;
        e.line = line0 + 1;
        Err(e)
    };
    let mut version_seen = false;
    let mut last_directive = None;
    while let Some((line0, line)) = lines.next_if(|(_, l)| l.starts_with('%')) {
        seen = true;
        last_directive = Some(line0);
        if !line[1..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return error(
                "could not find expected directive name",
                scanner_line(line0),
                line0,
            );
        }
        // The name (letters, digits, `_`, `-`) must end at a blank or the line's end.
        let after_name = line[1..]
            .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !after_name.is_empty() && !after_name.starts_with([' ', '\t', '\r']) {
            return error(
                "found unexpected non-alphabetical character",
                scanner_line(line0),
                line0,
            );
        }
        let mut words = line[1..].split([' ', '\t']).filter(|w| !w.is_empty());
        match words.next().unwrap_or("") {
            "YAML" => {
                let version = words.next().unwrap_or("");
                if !version.starts_with(|c: char| c.is_ascii_digit()) {
                    return error(
                        "did not find expected version number",
                        scanner_line(line0),
                        line0,
                    );
                }
                // The scanner wants the directive's line to end after the version.
                if words.next().is_some_and(|w| !w.starts_with('#')) {
                    return error(
                        "did not find expected comment or line break",
                        scanner_line(line0),
                        line0,
                    );
                }
                if version_seen {
                    return error("found duplicate %YAML directive", parser_line(line0), line0);
                }
                version_seen = true;
                if version != "1.1" && version.split('.').count() == 2 {
                    let mut e = Error::new(ErrorKind::Syntax, "found incompatible YAML document");
                    e.go_line = parser_line(line0);
                    e.line = line0 + 1;
                    return Err(e);
                }
            }
            "TAG" => {}
            _ => {
                let mut e = Error::new(ErrorKind::Syntax, "found unknown directive name");
                e.go_line = scanner_line(line0);
                e.line = line0 + 1;
                return Err(e);
            }
        }
    }
    match lines.next() {
        // A document end before any document: the parser wants a node.
        Some((line0, line))
            if !seen
                && line.starts_with("...")
                && (line.len() == 3 || line[3..].starts_with([' ', '\t', '\r'])) =>
        {
            error(
                "did not find expected node content",
                parser_line(line0),
                line0,
            )
        }
        // Directives and no document: the parser meets the end of the stream.
        None if seen => {
            // The scanner moves the end of the stream to a fresh line.
            let eof0 = text.matches('\n').count() + usize::from(!text.ends_with('\n'));
            let mut e = Error::new(ErrorKind::Syntax, "did not find expected <document start>");
            e.go_line = parser_line(eof0);
            e.line = eof0 + 1;
            Err(e)
        }
        Some((line0, line)) if seen && !line.starts_with("---") => {
            // A directive's scanner eats its line break without allowing a simple key, so on the
            // very next line an indicator that needs one is the scanner's error, met before the
            // parser's.
            let content = line.trim_start_matches(' ');
            let indicator = |c: char| {
                content.starts_with(c)
                    && content[1..]
                        .chars()
                        .next()
                        .is_none_or(|c| matches!(c, ' ' | '\t' | '\r'))
            };
            let scanner = if Some(line0) != last_directive.map(|d| d + 1) {
                None
            } else if indicator('-') {
                Some("block sequence entries are not allowed in this context")
            } else if indicator('?') {
                Some("mapping keys are not allowed in this context")
            } else if indicator(':') {
                Some("mapping values are not allowed in this context")
            } else {
                None
            };
            if let Some(message) = scanner {
                return error(message, scanner_line(line0), line0);
            }
            // A quoted scalar there is scanned before the parser looks at it: unclosed, it runs
            // to the end of the stream.
            if let Some(quote) = content.chars().next().filter(|c| matches!(c, '\'' | '"')) {
                let start: usize = text.split('\n').take(line0).map(|l| l.len() + 1).sum();
                let from = start + (line.len() - content.len()) + 1;
                if !quoted_scalar_closes(&text[from..], quote) {
                    let eof0 = text.matches('\n').count();
                    return error("found unexpected end of stream", scanner_line(eof0), eof0);
                }
            }
            let mut e = Error::new(ErrorKind::Syntax, "did not find expected <document start>");
            e.go_line = parser_line(line0);
            e.line = line0 + 1;
            Err(e)
        }
        _ => Ok(()),
    }
}

/// Whether a quoted scalar opened by `quote` just before `rest` is closed in it.
fn quoted_scalar_closes(rest: &str, quote: char) -> bool {
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' => {
                if !chars.as_str().starts_with('\'') {
                    return true;
                }
                chars.next();
            }
            c if c == quote => return true,
            _ => {}
        }
    }
    false
}

/// `text` with U+2028 and U+2029 turned into line feeds outside quoted scalars (found roughly: a
/// quote opens one where a scalar may start, after a line start, `:`, `-`, `?`, `,`, `[` or `{`).
fn break_line_separators(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut last = '\n';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let is_break = matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
        match quote {
            Some('"') if c == '\\' => {
                out.push(c);
                match chars.next() {
                    // An escaped line break, as after `\` at a line's end.
                    Some('\u{2028}' | '\u{2029}') => out.push('\n'),
                    Some(next) => out.push(next),
                    None => {}
                }
                continue;
            }
            Some('\'') if c == '\'' && chars.peek() == Some(&'\'') => {
                out.push(c);
                out.push(chars.next().unwrap_or('\''));
                continue;
            }
            Some(q) if c == q => quote = None,
            Some(_) => {
                out.push(c);
                continue;
            }
            None if comment => comment = !is_break,
            None if c == '#' && (last == '\n' || last == ' ' || last == '\t') => comment = true,
            None if (c == '"' || c == '\'')
                && matches!(last, '\n' | ':' | '-' | '?' | ',' | '[' | '{') =>
            {
                quote = Some(c)
            }
            None => {}
        }
        if quote.is_none() && matches!(c, '\u{2028}' | '\u{2029}') {
            out.push('\n');
        } else {
            out.push(c);
        }
        if is_break {
            last = '\n';
        } else if c != ' ' && c != '\t' {
            last = c;
        }
    }
    out
}

/// Puts a space before the `#` at `mark`: go-yaml's scanner skips a comment wherever a token may
/// start, also right after a quoted scalar, a flow indicator or a block scalar's header
/// (`"x"#c`), where yaml-rust2 wants a blank before it. `None` when there is no `#` there.
fn space_before_comment(text: &str, mark: &Mark) -> Option<String> {
    let (at, c) = text.char_indices().nth(mark.index)?;
    (c == '#').then(|| format!("{} {}", &text[..at], &text[at..]))
}

/// Writes each `!` in the suffix of the `!!` tag at `mark` as `%21`: go-yaml takes `!` as a URI
/// character of a tag's suffix (`!!!!str x` has the tag `tag:yaml.org,2002:!!str`, unknown, so its
/// text is kept), yaml-rust2 stops the suffix there and refuses the tag. The escape reads back as
/// the same tag. `None` when the tag at `mark` is not a `!!` tag with a `!` in its suffix.
fn escape_tag_bangs(text: &str, mark: &Mark) -> Option<String> {
    let (start, _) = text.char_indices().nth(mark.index)?;
    let rest = &text[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    let suffix = rest[..end].strip_prefix("!!")?;
    if !suffix.contains('!') {
        return None;
    }
    Some(format!(
        "{}!!{}{}",
        &text[..start],
        suffix.replace('!', "%21"),
        &rest[end..]
    ))
}

/// Single-quotes the plain scalar at `mark` up to and with its first `:` that a flow indicator
/// follows on its line: go-yaml keeps such a `:` in a plain scalar in flow context (`[2:, 3]` is
/// `"2:"`), yaml-rust2 reads a key. A plain scalar ending in `:` is a string either way. `None`
/// when the scalar ends before such a `:` (a line break, a flow indicator, `: `, ` #`).
fn quote_flow_plain(text: &str, mark: &Mark) -> Option<String> {
    let (start, _) = text.char_indices().nth(mark.index)?;
    let rest = &text[start..];
    let bytes = rest.as_bytes();
    let mut prev = b' ';
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied();
        match b {
            b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}' => return None,
            b'#' if matches!(prev, b' ' | b'\t') => return None,
            b':' if i > 0 && matches!(next, Some(b',' | b'[' | b']' | b'{' | b'}')) => {
                let scalar = &rest[..=i];
                return Some(format!(
                    "{}'{}'{}",
                    &text[..start],
                    scalar.replace('\'', "''"),
                    &rest[i + 1..]
                ));
            }
            b':' if next.is_none_or(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')) => return None,
            _ => {}
        }
        prev = b;
    }
    None
}

/// Puts a blank after the `?` at `mark`: in flow context go-yaml reads `?x` as the key indicator
/// and `x` (`[?x]` is `[{x: null}]`), yaml-rust2 as the scalar `?x`. `None` when there is no `?`
/// there.
fn space_after_flow_key(text: &str, mark: &Mark) -> Option<String> {
    let (at, c) = text.char_indices().nth(mark.index)?;
    (c == '?').then(|| format!("{} {}", &text[..=at], &text[at + 1..]))
}

/// Turns the first tab after a `:` on the line of `mark` into a space: go-yaml takes a tab as the blank
/// after a mapping value indicator, yaml-rust2 wants a space. `None` when there is no such tab.
fn tab_after_colon(text: &str, mark: &Mark) -> Option<String> {
    let (at_mark, _) = text.char_indices().nth(mark.index)?;
    let start = text[..at_mark].rfind('\n').map_or(0, |p| p + 1);
    let at = text[start..].find(":\t")? + start + 1;
    if text[start..at].contains('\n') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..at]);
    out.push(' ');
    out.push_str(&text[at + 1..]);
    Some(out)
}

/// A document whose root is a multi-line plain scalar followed by `: ` on a continuation line
/// (`image\n  repository: x`) is a multi-line simple key to go-yaml, "mapping values are not
/// allowed in this context"; yaml-rust2 reads it as one long string.
fn reject_multiline_root_key(text: &str, node: &Node) -> Result<(), Error> {
    let NodeKind::Scalar {
        value,
        style: TScalarStyle::Plain,
        tag: None,
    } = &node.kind
    else {
        return Ok(());
    };
    let first = node.line.saturating_sub(1);
    let first_line_rest: String = text
        .lines()
        .nth(first)
        .unwrap_or("")
        .chars()
        .skip(node.column.saturating_sub(1))
        .collect();
    if value.len() <= first_line_rest.trim_end().len() {
        return Ok(());
    }
    // The scalar runs on over the next lines until a document indicator, a comment or a `: `
    // (go-yaml's plain-scalar scanner); the error is at such a `:`.
    let mut offending = None;
    for (line0, line) in text.lines().enumerate().skip(first + 1) {
        if (line.starts_with("---") || line.starts_with("..."))
            && line[3..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t')
        {
            break;
        }
        let content = line.trim_start_matches([' ', '\t']);
        if content.starts_with('#') {
            break;
        }
        let comment = [content.find(" #"), content.find("\t#")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(content.len());
        let colon = content
            .find(": ")
            .or_else(|| content.find(":\t"))
            .or_else(|| {
                content
                    .trim_end()
                    .ends_with(':')
                    .then(|| content.trim_end().len() - 1)
            });
        match colon {
            Some(at) if at < comment => {
                offending = Some(line0);
                break;
            }
            _ if comment < content.len() => break,
            _ => {}
        }
    }
    match offending {
        Some(line0) => {
            let mut e = Error::new(
                ErrorKind::Syntax,
                "mapping values are not allowed in this context",
            );
            e.go_line = scanner_line(line0);
            e.line = line0 + 1;
            Err(e)
        }
        None => Ok(()),
    }
}

/// go-yaml refuses a tab in the indentation of a block-context line; yaml-rust2 lets it pass on the
/// first content line of a document. Returns that line's 0-based index.
fn leading_tab_on_first_content_line(text: &str) -> Option<usize> {
    let (i, line) = text.lines().enumerate().find(|(_, l)| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    })?;
    line.chars()
        .take_while(|c| c.is_whitespace())
        .any(|c| c == '\t')
        .then_some(i)
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

/// Our note for an alias inside the node its anchor names (go-yaml: `anchor 'a' value contains
/// itself`).
const ANCHOR_CONTAINS_ITSELF: &str = "alias of an anchor still open";

struct Loader<'a> {
    events: Events<'a>,
    anchors: HashMap<usize, Rc<Node>>,
    text: &'a str,
    /// Where yaml-rust2 refused an under-indented quoted scalar (see [`reindent_quoted_scalar`]).
    reindent_at: Option<Mark>,
    /// Where yaml-rust2 refused an under-indented token of a flow collection ([`indent_flow_line`]).
    flow_line_at: Option<Mark>,
    /// Where yaml-rust2 refused a tab after a `:` ([`tab_after_colon`]).
    tab_after_colon_at: Option<Mark>,
    /// Where yaml-rust2 refused a `#` right after a token ([`space_before_comment`]).
    comment_at: Option<Mark>,
    /// Where a `?` without a blank after it opens a flow key (`events::FLOW_KEY_WITHOUT_BLANK`).
    flow_key_at: Option<Mark>,
    /// Where a plain scalar with a `:` before a flow indicator starts (`events::FLOW_COLON_IN_PLAIN`).
    flow_colon_at: Option<Mark>,
    /// Where a tag yaml-rust2 refuses starts (perhaps a `!` in a `!!` tag's suffix).
    tag_at: Option<Mark>,
    /// Where yaml-rust2 refused content after a `...` on its line ([`blank_after_document_end`]).
    doc_end_at: Option<Mark>,
    /// Whether the document being read is the last one the caller reads.
    last_document: bool,
    /// The text's characters, kept only when it has a tab (see [`Loader::tab_before_item`],
    /// [`Loader::check_key`]).
    chars: Option<Vec<char>>,
    /// Whether the text is ASCII (a character index is then a byte index).
    ascii: bool,
    /// The text's characters, built on first need for a non-ASCII text without [`Loader::chars`].
    lazy_chars: std::cell::OnceCell<Vec<char>>,
    /// For a text with tabs: each event read so far, as [`Loader::tab_led_lines`] needs it.
    seen: Vec<(Seen, Mark)>,
    /// The flow collections open (true) and block collections open (false) while reading.
    open: Vec<bool>,
    /// The collections being read, outermost first: their anchor id (0 for none) and whether
    /// each is a map.
    open_anchors: Vec<(usize, bool)>,
}

/// What [`Loader::tab_led_lines`] needs to know of an event.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// A plain or block scalar: its scanner reads the lines after it (other checks, other errors).
    ScalarReadingOn,
    /// A quoted scalar.
    Quoted,
    /// Any other event, with the number of flow collections open after it.
    Other { flow_depth: usize },
}

impl Loader<'_> {
    fn next(&mut self) -> Result<(Event, Mark), Error> {
        let read = self.read_event();
        if let (Ok((event, mark)), true) = (&read, self.chars.is_some()) {
            self.record(event, mark);
        }
        read
    }

    /// Keeps what [`Loader::tab_led_lines`] needs of an event.
    fn record(&mut self, event: &Event, mark: &Mark) {
        let seen = match event {
            Event::Scalar(_, TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted, ..) => {
                Seen::Quoted
            }
            Event::Scalar(..) => Seen::ScalarReadingOn,
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let flow = matches!(self.text_char_at(mark), Some('[' | '{'));
                self.open.push(flow);
                Seen::Other {
                    flow_depth: self.open.iter().filter(|&&f| f).count(),
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.open.pop();
                Seen::Other {
                    flow_depth: self.open.iter().filter(|&&f| f).count(),
                }
            }
            _ => Seen::Other {
                flow_depth: self.open.iter().filter(|&&f| f).count(),
            },
        };
        self.seen.push((seen, *mark));
    }

    /// go-yaml skips only spaces before a token where a simple key may start, as at the start of
    /// a line in block context: a line whose leading blanks hold a tab there (a blank line of
    /// tabs after a quoted scalar or a flow collection, say) is "found character that cannot
    /// start any token". yaml-rust2 skips such lines. Lines inside flow collections and quoted
    /// scalars are fine in both; lines after plain and block scalars are those scalars' scanners'
    /// business ([`Loader::tab_after_plain`]). Checks the lines read so far.
    fn tab_led_lines(&self) -> Result<(), Error> {
        let Some(chars) = &self.chars else {
            return Ok(());
        };
        let read_to = self.seen.last().map_or(0, |(_, m)| m.index);
        let mut line_start = 0;
        let mut line0 = 0;
        while line_start < read_to.min(chars.len()) {
            let end = chars[line_start..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |p| line_start + p);
            let blanks = chars[line_start..end]
                .iter()
                .take_while(|&&c| c == ' ' || c == '\t');
            if blanks.clone().any(|&c| c == '\t') {
                let before = self.seen.iter().rev().find(|(_, m)| m.index < line_start);
                let refused = match before {
                    Some((Seen::Other { flow_depth }, _)) => *flow_depth == 0,
                    Some((Seen::Quoted, m)) => self.quoted_end(m.index) < line_start,
                    Some((Seen::ScalarReadingOn, _)) => false,
                    None => true,
                };
                if refused {
                    let mut e = Error::new(
                        ErrorKind::Syntax,
                        "found character that cannot start any token",
                    );
                    e.go_line = scanner_line(line0);
                    e.line = line0 + 1;
                    return Err(e);
                }
            }
            line_start = end + 1;
            line0 += 1;
        }
        Ok(())
    }

    /// The index just past the closing quote of the quoted scalar opening at `index`.
    fn quoted_end(&self, index: usize) -> usize {
        let Some(chars) = &self.chars else {
            return index;
        };
        let Some(&quote) = chars.get(index) else {
            return index;
        };
        let mut i = index + 1;
        while i < chars.len() {
            match chars[i] {
                '\\' if quote == '"' => i += 2,
                '\'' if quote == '\'' && chars.get(i + 1) == Some(&'\'') => i += 2,
                c if c == quote => return i + 1,
                _ => i += 1,
            }
        }
        chars.len()
    }

    fn read_event(&mut self) -> Result<(Event, Mark), Error> {
        self.events.next_event().map_err(|e| {
            if e.info.contains("invalid indentation in quoted scalar") {
                self.reindent_at = Some(e.mark);
            } else if e.info.contains("tab cannot be used as indentation") {
                // Leading tabs of a quoted scalar's continuation line are folded away in go-yaml.
                self.reindent_at = quoted_scalar_around(self.text, e.mark.index);
            } else if e
                .info
                .contains("':' must be followed by a valid YAML whitespace")
            {
                self.tab_after_colon_at = Some(e.mark);
            } else if e
                .info
                .contains("comments must be separated from other tokens")
            {
                self.comment_at = Some(e.mark);
            } else if e.info == "while parsing a tag, did not find expected tag URI"
                || e.info == "while scanning a tag, did not find expected whitespace or line break"
            {
                self.tag_at = Some(e.mark);
            } else if e.info == "invalid content after document end marker" {
                self.doc_end_at = Some(e.mark);
            } else if e.info == super::events::FLOW_COLON_IN_PLAIN {
                self.flow_colon_at = Some(e.mark);
            } else if e.info == super::events::FLOW_KEY_WITHOUT_BLANK {
                self.flow_key_at = Some(e.mark);
            } else if e.info == "invalid indentation"
                || e.info == "invalid indentation in flow construct"
                || (e.info == "tabs disallowed within this context (block indentation)"
                    && self.open.contains(&true))
            {
                // Only raised inside a flow collection: in block context the scanner has just
                // closed every block deeper than the token. A tab leading a flow collection's
                // line left of the enclosing block's indentation is a blank to go-yaml.
                self.flow_line_at = Some(e.mark);
            }
            syntax_error(self.text, &e)
        })
    }

    fn next_or_retry(&mut self) -> Result<(Event, Mark), Retry> {
        self.next().map_err(|e| self.retry(e))
    }

    /// The retry a failed parse calls for (see [`parse_nodes`]).
    fn retry(&mut self, e: Error) -> Retry {
        if let (Some(m), true) = (self.doc_end_at.take(), self.last_document) {
            return Retry::BlankAfterDocumentEnd(m, e);
        }
        if let Some(m) = self.reindent_at.take() {
            return Retry::Reindent(m);
        }
        if let Some(m) = self.tab_after_colon_at.take() {
            return Retry::TabAfterColon(m, e);
        }
        if let Some(m) = self.comment_at.take() {
            return Retry::SpaceBeforeComment(m, e);
        }
        if let Some(m) = self.flow_key_at.take() {
            return Retry::SpaceAfterFlowKey(m, e);
        }
        if let Some(m) = self.flow_colon_at.take() {
            return Retry::QuoteFlowPlain(m, e);
        }
        if let Some(m) = self.tag_at.take() {
            return Retry::EscapeTagBang(m, e);
        }
        match self.flow_line_at.take() {
            Some(m) => Retry::IndentFlowLine(m, e),
            None => Retry::No(e),
        }
    }

    /// A collection's child at place `at` (see [`NodeKind::Map`]), an alias among `aliases` when
    /// it is one. An alias inside its own anchor's node is a null placeholder there ([`Alias`]).
    fn child(
        &mut self,
        event: Event,
        mark: Mark,
        depth: usize,
        at: usize,
        aliases: &mut Vec<Alias>,
    ) -> Result<Rc<Node>, Error> {
        let Event::Alias(id) = event else {
            return self.node(event, mark, depth);
        };
        self.check_anchor_name(mark.index)?;
        let name = self.alias_name(&mark);
        if let Some(node) = self.anchors.get(&id) {
            aliases.push(Alias {
                at,
                name,
                open: None,
            });
            return Ok(node.clone());
        }
        // yaml-rust2 refuses undefined names itself; an id it gives that is not here yet
        // belongs to a node still open around the alias.
        let Some(&(_, map)) = self.open_anchors.iter().rev().find(|(a, _)| *a == id) else {
            return Err(syntax_error(
                self.text,
                &EventError::new(mark, ANCHOR_CONTAINS_ITSELF),
            ));
        };
        aliases.push(Alias {
            at,
            name,
            open: Some(map),
        });
        Ok(Rc::new(Node {
            kind: NodeKind::Scalar {
                value: String::new(),
                style: TScalarStyle::Plain,
                tag: None,
            },
            line: mark.line,
            column: mark.col + 1,
        }))
    }

    /// The name of the alias whose `*` is at `mark`.
    fn alias_name(&self, mark: &Mark) -> String {
        let mut name = String::new();
        let mut at = *mark;
        at.index += 1;
        while let Some(c) = self.text_char_at(&at) {
            if !(c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                break;
            }
            name.push(c);
            at.index += 1;
        }
        name
    }

    fn node(&mut self, event: Event, mark: Mark, depth: usize) -> Result<Rc<Node>, Error> {
        if depth > 10_000 {
            return Err(syntax_error(
                self.text,
                &EventError::new(mark, "exceeded max depth of 10000"),
            ));
        }
        let (line, column) = (mark.line, mark.col + 1);
        if let Event::Scalar(_, _, anchor, _)
        | Event::SequenceStart(anchor, _)
        | Event::MappingStart(anchor, _) = &event
        {
            if *anchor > 0 {
                if let Some(at) = self.anchor_near(mark.index) {
                    self.check_anchor_name(at)?;
                }
            }
        }
        let (anchor, node) = match event {
            Event::Alias(id) => {
                self.check_anchor_name(mark.index)?;
                // yaml-rust2 refuses undefined names itself; an id it gives that is not here
                // yet belongs to a node still open around the alias.
                return self.anchors.get(&id).cloned().ok_or_else(|| {
                    syntax_error(self.text, &EventError::new(mark, ANCHOR_CONTAINS_ITSELF))
                });
            }
            Event::Scalar(mut value, style, anchor, tag) => {
                if style == TScalarStyle::DoubleQuoted && value.contains('/') {
                    self.reject_slash_escape(&mark)?;
                }
                if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
                    && !value.is_empty()
                    && value.bytes().all(|b| b == b'\n')
                {
                    if let Some(empty) = self.empty_block_scalar_at_end(&mark) {
                        value = empty;
                    }
                }
                (
                    anchor,
                    Node {
                        kind: NodeKind::Scalar { value, style, tag },
                        line,
                        column,
                    },
                )
            }
            Event::SequenceStart(anchor, tag) => {
                let mut items = Vec::new();
                let mut aliases = Vec::new();
                let block = self.char_at(mark.index) == Some('-');
                self.open_anchors.push((anchor, false));
                loop {
                    let (event, mark) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    if block {
                        self.tab_before_item(&mark)?;
                        self.tab_after_plain(&event, &mark, column - 1)?;
                    }
                    let at = items.len();
                    items.push(self.child(event, mark, depth + 1, at, &mut aliases)?);
                }
                self.open_anchors.pop();
                (
                    anchor,
                    Node {
                        kind: NodeKind::Seq {
                            tag,
                            items,
                            aliases: aliases.into_boxed_slice(),
                        },
                        line,
                        column,
                    },
                )
            }
            Event::MappingStart(anchor, tag) => {
                let mut entries = Vec::new();
                let mut aliases = Vec::new();
                let block = self.text_char_at(&mark) != Some('{');
                self.open_anchors.push((anchor, true));
                loop {
                    let (event, mark) = self.next()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    if block {
                        self.check_key(&event, &mark)?;
                    }
                    let key_col = mark.col;
                    let at = 2 * entries.len();
                    let key = self.child(event, mark, depth + 1, at, &mut aliases)?;
                    let (event, mark) = self.next()?;
                    if block {
                        self.tab_after_plain(&event, &mark, key_col)?;
                    }
                    let value = self.child(event, mark, depth + 1, at + 1, &mut aliases)?;
                    entries.push((key, value));
                }
                self.open_anchors.pop();
                (
                    anchor,
                    Node {
                        kind: NodeKind::Map {
                            tag,
                            entries,
                            aliases: aliases.into_boxed_slice(),
                        },
                        line,
                        column,
                    },
                )
            }
            other => {
                return Err(syntax_error(
                    self.text,
                    &EventError::new(mark, &format!("unexpected event {other:?}")),
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

impl Loader<'_> {
    /// The character at `index`, when the text has a tab (the only texts [`Self::tab_before_item`]
    /// looks at).
    fn char_at(&self, index: usize) -> Option<char> {
        self.chars.as_ref()?.get(index).copied()
    }

    /// The character at `mark` (slow on texts without [`Loader::chars`]: only for rare checks).
    fn text_char_at(&self, mark: &Mark) -> Option<char> {
        if let Some(chars) = &self.chars {
            return chars.get(mark.index).copied();
        }
        if self.ascii {
            return self.text.as_bytes().get(mark.index).map(|&b| char::from(b));
        }
        self.lazy_chars
            .get_or_init(|| self.text.chars().collect())
            .get(mark.index)
            .copied()
    }

    /// go-yaml refuses a tab in the leading blanks of the lines after a block-context plain scalar
    /// at or left of the enclosing collection's column `parent_col` ("found a tab character that
    /// violates indentation"): its plain-scalar scanner reads those blanks looking for a
    /// continuation. yaml-rust2 accepts them. Checks the blank lines after the scalar's first line
    /// and the leading blanks of the next content line.
    fn tab_after_plain(&self, event: &Event, mark: &Mark, parent_col: usize) -> Result<(), Error> {
        let Event::Scalar(value, TScalarStyle::Plain, _, _) = event else {
            return Ok(());
        };
        // An empty value (`key:` then a line) is no scalar in the text: its position is the next
        // token's.
        if self.chars.is_none() || self.text_char_at(mark) != value.chars().next() {
            return Ok(());
        }
        let Some(chars) = &self.chars else {
            return Ok(());
        };
        let mut i = mark.index;
        while i < chars.len() && chars[i] != '\n' {
            i += 1;
        }
        let mut line = mark.line;
        while i < chars.len() {
            // At a line break: read the next line's leading blanks.
            i += 1;
            line += 1;
            let mut col = 0;
            while i < chars.len() && matches!(chars[i], ' ' | '\t') {
                if chars[i] == '\t' && col <= parent_col {
                    let mut e = Error::new(
                        ErrorKind::Syntax,
                        "found a tab character that violates indentation",
                    );
                    e.go_line = scanner_line(line - 1);
                    e.line = line;
                    return Err(e);
                }
                col += 1;
                i += 1;
            }
            if i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
                break;
            }
        }
        Ok(())
    }

    /// go-yaml's view of a block mapping's key that yaml-rust2 accepts: a `:` with no key before it
    /// (yaml-rust2 gives an empty key) is "did not find expected key", a tab before the key on its
    /// line "found character that cannot start any token". (The simple-key limits are the event
    /// source's, [`super::events`].)
    fn check_key(&self, event: &Event, mark: &Mark) -> Result<(), Error> {
        let Event::Scalar(value, style, _, _) = event else {
            return Ok(());
        };
        if *style == TScalarStyle::Plain
            && (value.is_empty() || value == "~")
            && self.text_char_at(mark) == Some(':')
        {
            let mut e = Error::new(ErrorKind::Syntax, "did not find expected key");
            e.go_line = parser_line(mark.line - 1);
            e.line = mark.line;
            return Err(e);
        }
        let Some(chars) = &self.chars else {
            return Ok(());
        };
        // A tab before a block mapping's key on its line: go-yaml skips only spaces where a key
        // may start.
        let mut i = mark.index.min(chars.len());
        while i > 0 && chars[i - 1] != '\n' && chars[i - 1] != '\r' {
            i -= 1;
            if chars[i] == '\t' {
                let mut e = Error::new(
                    ErrorKind::Syntax,
                    "found character that cannot start any token",
                );
                e.go_line = scanner_line(mark.line - 1);
                e.line = mark.line;
                return Err(e);
            }
        }
        Ok(())
    }

    /// A block scalar with no content running to the end of the text: go-yaml gives `""`, or with
    /// the keep indicator (`|+`) one line break per line after the header; yaml-rust2 gives at least
    /// one line break. `None` when the scalar at `mark` is not such a scalar.
    fn empty_block_scalar_at_end(&self, mark: &Mark) -> Option<String> {
        let start = if self.ascii {
            mark.index
        } else {
            self.text.char_indices().nth(mark.index)?.0
        };
        let rest = self.text.get(start..)?;
        if !rest.starts_with(['|', '>']) {
            return None;
        }
        let header_end = rest.find('\n')?;
        let (header, after) = (&rest[..header_end], &rest[header_end + 1..]);
        if !after.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
            return None;
        }
        let indicators = header[1..].split([' ', '\t', '#']).next().unwrap_or("");
        Some(if indicators.contains('+') {
            "\n".repeat(after.matches('\n').count())
        } else {
            String::new()
        })
    }

    /// The index of the `&` of the anchor of the node at `index` (`&a !!tag node`, `!!tag &a
    /// node`): yaml-rust2 gives the node's position, or for a block collection its properties'.
    fn anchor_near(&self, index: usize) -> Option<usize> {
        let at = |i: usize| {
            self.text_char_at(&Mark {
                index: i,
                line: 0,
                col: 0,
            })
        };
        // A block collection's position may be its anchor's or its tag's.
        let mut i = index;
        for _ in 0..2 {
            match at(i) {
                Some('&') => return Some(i),
                Some('!') => {
                    while at(i).is_some_and(|c| !c.is_whitespace()) {
                        i += 1;
                    }
                    while at(i).is_some_and(|c| c == ' ' || c == '\t') {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        // A block mapping's position may be inside its first key.
        let mut i = index;
        while i > 0 && at(i - 1).is_some_and(|c| !c.is_whitespace()) {
            i -= 1;
        }
        for _ in 0..2 {
            while i > 0 && at(i - 1).is_some_and(char::is_whitespace) {
                i -= 1;
            }
            let end = i;
            while i > 0 && at(i - 1).is_some_and(|c| !c.is_whitespace()) {
                i -= 1;
            }
            if i == end {
                return None;
            }
            match at(i) {
                Some('&') => return Some(i),
                Some('!') => {}
                _ => return None,
            }
        }
        None
    }

    /// go-yaml's anchor and alias names: letters, digits, `_` and `-`, ended by a blank, a line
    /// break or one of ``?:,]}%@` ``; anything else (`&a.b`, `&!!str`) is "did not find expected
    /// alphabetic or numeric character", where yaml-rust2 reads it into the name. `at` is the index
    /// of the `&` or `*`.
    fn check_anchor_name(&self, at: usize) -> Result<(), Error> {
        let char_at = |i: usize| {
            self.text_char_at(&Mark {
                index: i,
                line: 0,
                col: 0,
            })
        };
        let mut i = at + 1;
        while char_at(i).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            i += 1;
        }
        let ends =
            |c: Option<char>| c.is_none_or(|c| " \t\r\n\u{85}\u{2028}\u{2029}?:,]}%@`".contains(c));
        if i > at + 1 && ends(char_at(i)) {
            return Ok(());
        }
        let line0 = match &self.chars {
            Some(chars) => chars[..i.min(chars.len())]
                .iter()
                .filter(|&&c| c == '\n')
                .count(),
            None if self.ascii => self.text.as_bytes()[..i.min(self.text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count(),
            None => self
                .lazy_chars
                .get_or_init(|| self.text.chars().collect())
                .iter()
                .take(i)
                .filter(|&&c| c == '\n')
                .count(),
        };
        let mut e = Error::new(
            ErrorKind::Syntax,
            "did not find expected alphabetic or numeric character",
        );
        e.go_line = scanner_line(line0);
        e.line = line0 + 1;
        Err(e)
    }

    /// go-yaml refuses a tab between a block sequence's `-` and its item (`-\t1`): after `-` a simple
    /// key may start, and then its scanner skips only spaces, so the tab is "found character that
    /// cannot start any token". yaml-rust2 accepts it.
    fn tab_before_item(&self, item: &Mark) -> Result<(), Error> {
        let Some(chars) = &self.chars else {
            return Ok(());
        };
        let mut i = item.index.min(chars.len());
        let mut tab_line = None;
        while i > 0 && matches!(chars[i - 1], ' ' | '\t') {
            i -= 1;
            if chars[i] == '\t' {
                tab_line = Some(item.line);
            }
        }
        match tab_line {
            Some(line) if i > 0 && chars[i - 1] == '-' => {
                let mut e = Error::new(
                    ErrorKind::Syntax,
                    "found character that cannot start any token",
                );
                e.go_line = scanner_line(line - 1);
                e.line = line;
                Err(e)
            }
            _ => Ok(()),
        }
    }

    /// go-yaml v2 knows YAML 1.1's escapes only: `\/` (YAML 1.2) is "found unknown escape
    /// character", which yaml-rust2 accepts. Scans the double-quoted scalar starting at `mark`.
    fn reject_slash_escape(&self, mark: &Mark) -> Result<(), Error> {
        let Some((start, _)) = self.text.char_indices().nth(mark.index) else {
            return Ok(());
        };
        let mut chars = self.text[start..].char_indices().skip(1);
        while let Some((_, c)) = chars.next() {
            match c {
                '"' => break,
                '\\' => {
                    if let Some((offset, '/')) = chars.next() {
                        let line0 = self.text[..start + offset].matches('\n').count();
                        let mut e = Error::new(ErrorKind::Syntax, "found unknown escape character");
                        e.go_line = scanner_line(line0);
                        e.line = line0 + 1;
                        return Err(e);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Maps a yaml-rust2 error onto go-yaml v2's message and line numbering.
pub fn syntax_error(text: &str, e: &EventError) -> Error {
    let mark = &e.mark;
    let (message, go_line) = match e.go_line {
        Some(go_line) => (e.info.clone(), go_line),
        None => go_message(text, &e.info, mark),
    };
    let mut err = Error::new(ErrorKind::Syntax, message);
    err.go_line = go_line;
    err.line = mark.line;
    err.column = mark.col + 1;
    err
}

/// The line go-yaml prints for a scanner error whose problem is on 0-based line `line0`: `line0 + 1`,
/// or nothing on the first line.
pub(super) fn scanner_line(line0: usize) -> Option<usize> {
    (line0 > 0).then_some(line0 + 1)
}

/// The line go-yaml prints for a parser error: the 0-based line itself, or nothing when it is 0.
pub(super) fn parser_line(line0: usize) -> Option<usize> {
    (line0 > 0).then_some(line0)
}

/// The 0-based line of the first `---` or `...` (followed by a blank or the line's end) starting a
/// line after character `index`: where go-yaml's scanner of a quoted scalar opened at `index` stops.
/// Only for a quoted scalar that is not closed before it.
fn document_indicator_after(text: &str, index: usize) -> Option<usize> {
    let (start, quote) = text.char_indices().nth(index)?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let mut line0 = text[..start].matches('\n').count();
    let mut chars = text[start + 1..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && chars.peek().map(|p| p.1) == Some('\'') => {
                chars.next();
            }
            c if c == quote => return None,
            '\n' => {
                line0 += 1;
                let rest = &text[start + 1 + i + 1..];
                if (rest.starts_with("---") || rest.starts_with("..."))
                    && rest[3..]
                        .chars()
                        .next()
                        .is_none_or(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
                {
                    return Some(line0);
                }
            }
            _ => {}
        }
    }
    None
}

/// go-yaml's text for a yaml-rust2 message, and the line go-yaml would print.
fn go_message(text: &str, info: &str, mark: &Mark) -> (String, Option<usize>) {
    // yaml-rust2 lines are 1-based; go-yaml's marks are 0-based.
    let line0 = mark.line.saturating_sub(1);
    // The end of the stream is on the line after the last line break.
    let eof_line0 = text.matches('\n').count();
    let owned = |m: &str, line: Option<usize>| (m.to_string(), line);
    if info.contains("recursion limit exceeded") {
        // yaml-rust2 counts flow levels in a byte; go-yaml allows 10 000.
        return match flow_depth_exceeded(text, GO_MAX_FLOW_DEPTH) {
            Some(at0) => owned("exceeded max depth of 10000", scanner_line(at0)),
            None => owned(DEEP_FLOW_REFUSED, scanner_line(line0)),
        };
    }
    if info.contains("mapping values are not allowed") {
        return owned(
            "mapping values are not allowed in this context",
            scanner_line(line0),
        );
    }
    if info.contains("simple key expect") || info.contains("could not find expected ':'") {
        if let Some(header0) = stray_block_scalar_header(text, line0) {
            // go-yaml's parser meets a block scalar where a key must be.
            return owned("did not find expected key", parser_line(header0));
        }
        // Both parsers notice the missing ':' where the plain scalar's look-ahead stopped.
        return owned("could not find expected ':'", scanner_line(line0));
    }
    if info.contains("found unexpected end of stream")
        || info.contains("invalid indentation in quoted scalar")
        || info.contains("found unexpected document indicator")
    {
        // go-yaml's quoted-scalar scanner stops at a `---` or `...` starting a line.
        if let Some(indicator0) = document_indicator_after(text, mark.index) {
            return owned(
                "found unexpected document indicator",
                scanner_line(indicator0),
            );
        }
        return owned("found unexpected end of stream", scanner_line(eof_line0));
    }
    if info.contains("illegal placement of ':'") || info.contains("expected ',' or") {
        let closer = match innermost_flow_opener(text, mark.index) {
            Some('{') => "did not find expected ',' or '}'",
            _ => "did not find expected ',' or ']'",
        };
        return owned(closer, parser_line(line0));
    }
    let alias_name = || -> String {
        text.chars()
            .skip(mark.index)
            .skip_while(|c| *c == '*')
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect()
    };
    if info == ANCHOR_CONTAINS_ITSELF {
        return (
            format!("anchor '{}' value contains itself", alias_name()),
            None,
        );
    }
    if info.contains("unknown anchor") {
        // yaml-rust2 reads more characters into a name than go-yaml, which refuses the name.
        let after = text
            .chars()
            .skip(mark.index)
            .skip_while(|c| *c == '*')
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'));
        let name_ended = after.is_none_or(|c| " \t\r\n?:,]}%@`".contains(c));
        if alias_name().is_empty() || !name_ended {
            return owned(
                "did not find expected alphabetic or numeric character",
                scanner_line(line0),
            );
        }
        return (
            format!("unknown anchor '{}' referenced", alias_name()),
            None,
        );
    }
    if info.contains("plain scalar, found a tab") {
        // go-yaml notices the tab in the leading blanks of the line after the plain scalar.
        let tab_line0 = text
            .lines()
            .enumerate()
            .skip(line0 + 1)
            .find(|(_, l)| {
                l.chars()
                    .take_while(|c| c.is_whitespace())
                    .any(|c| c == '\t')
            })
            .map_or(line0 + 1, |(i, _)| i);
        return owned(
            "found a tab character that violates indentation",
            scanner_line(tab_line0),
        );
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
    if info.contains("invalid indentation") {
        if let Some(opener) = innermost_flow_opener(text, mark.index) {
            // An unclosed flow collection running into block lines: go-yaml fails one token later,
            // at the next mapping indicator or the end of the stream.
            let closer = if opener == '{' {
                "did not find expected ',' or '}'"
            } else {
                "did not find expected ',' or ']'"
            };
            return owned(closer, parser_line(line0 + 1));
        }
    }
    if info.contains("invalid trailing content") || info.contains("did not find expected key") {
        return owned("did not find expected key", parser_line(line0));
    }
    if info.contains("invalid indentation") {
        return owned("did not find expected key", parser_line(line0));
    }
    if info.contains("is only valid inside a block") {
        return owned("did not find expected node content", parser_line(line0));
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
    // libyaml's own spelling.
    let bare = bare.replace("hexadecimal number", "hexdecimal number");
    owned(&bare, scanner_line(line0))
}

/// The 0-based line, at or before `upto0`, of the last block-scalar header standing alone on its
/// line (`|`, `>-`, `|2 # c`) no deeper than the content line before it: a block scalar where a
/// mapping key belongs, which yaml-rust2 takes for a key without its `:`.
fn stray_block_scalar_header(text: &str, upto0: usize) -> Option<usize> {
    let mut previous_indent: Option<usize> = None;
    let mut found = None;
    for (i, line) in text.split('\n').enumerate().take(upto0 + 1) {
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        let content = content.trim_end_matches(['\r', ' ']);
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if is_block_scalar_header(content) && previous_indent.is_some_and(|p| indent <= p) {
            found = Some(i);
        }
        previous_indent = Some(indent);
    }
    found
}

/// Whether `content` (a line without its indentation) is a block-scalar header alone on its line
/// (`|`, `>-`, `|2 # c`).
fn is_block_scalar_header(content: &str) -> bool {
    content.starts_with(['|', '>'])
        && content[1..].split('#').next().is_some_and(|h| {
            h.trim_end()
                .chars()
                .all(|c| matches!(c, '+' | '-' | '1'..='9'))
        })
}

/// go-yaml reads a block-scalar header alone on its line at the column of the key before it, whose
/// value is empty (`a:` then `|` under the `a`), as that key's value; yaml-rust2 refuses it. Indents
/// the first such header at or before 1-based line `upto` by one space, which changes nothing in
/// the value (the content's indentation is counted from the mapping's, not from the header) nor in
/// the lines; with the header's 1-based line. `None` when there is none.
fn indent_value_header(text: &str, upto: usize) -> Option<(String, usize)> {
    let mut previous: Option<(usize, bool)> = None;
    let mut offset = 0;
    for (i, line) in text.split('\n').enumerate().take(upto) {
        let start = offset;
        offset += line.len() + 1;
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        let content = content.trim_end_matches(['\r', ' ']);
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if is_block_scalar_header(content) && previous == Some((indent, true)) {
            return Some((format!("{} {}", &text[..start], &text[start..]), i + 1));
        }
        let code = content.split(" #").next().unwrap_or(content).trim_end();
        // A key after `- ` or `? ` is deeper than its line's indentation.
        let plain_key = !content.starts_with(['-', '?']) || content.starts_with("---");
        previous = Some((indent, plain_key && code.ends_with(':')));
    }
    None
}

/// go-yaml's limit on flow nesting.
const GO_MAX_FLOW_DEPTH: usize = 10_000;

/// The 0-based line of the first flow opener nested deeper than `max` (quoted scalars skipped).
fn flow_depth_exceeded(text: &str, max: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut line0 = 0;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (_, '\n') => line0 += 1,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => {
                depth += 1;
                if depth > max {
                    return Some(line0);
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

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

    /// A `:` where a token starts in flow context is a value indicator, never kept in a plain
    /// scalar (go-yaml refuses `[:]`, `did not find expected node content`; the oracle's sweep
    /// found an earlier rule of ours reading it as the string `":"`).
    #[test]
    fn colon_at_a_flow_token_start_is_not_quoted() {
        assert!(parse_nodes("keywords: [:]\n", 1).is_err());
        assert!(quote_flow_plain(
            "[:]",
            &Mark {
                index: 1,
                line: 1,
                col: 1
            }
        )
        .is_none());
        assert_eq!(
            quote_flow_plain(
                "[it's:, 3]",
                &Mark {
                    index: 1,
                    line: 1,
                    col: 1
                }
            )
            .as_deref(),
            Some("['it''s:', 3]")
        );
    }

    #[test]
    fn flow_lines_at_or_below_the_key_indentation() {
        // Found on a public chart; go-yaml (helm v3.17.3) accepts all of these.
        let value = |text: &str| {
            let docs = parse_nodes(text, 1).unwrap();
            crate::yaml::convert::to_value(&crate::yaml::convert::decode(&docs[0]).unwrap())
                .map(|v| crate::yaml::json::marshal(&v).unwrap())
                .unwrap()
        };
        assert_eq!(
            value("command: [\n  \"/bin/sh\",\n  \"-c\"\n]\n"),
            r#"{"command":["/bin/sh","-c"]}"#
        );
        assert_eq!(
            value("x:\n  args: [\n    a,\n  b\n  ]\n  labels: {\n    k: v\n  }\n"),
            r#"{"x":{"args":["a","b"],"labels":{"k":"v"}}}"#
        );
        assert_eq!(
            value("x:\n  args: [\na,\nb\n]\nk: 1\n"),
            r#"{"k":1,"x":{"args":["a","b"]}}"#
        );
    }

    #[test]
    fn slash_escape_is_unknown_to_go_yaml() {
        let err = parse_nodes("a: 1\nb: \"x\\/y\"\n", 1).unwrap_err();
        assert_eq!(
            err.go_text(),
            "yaml: line 2: found unknown escape character"
        );
        assert!(parse_nodes("a: \"x/y\\\\/\"\n", 1).is_ok());
    }

    #[test]
    fn multiline_root_key_is_an_error() {
        let err = parse_nodes("image\n  repository: nginx\n", 1).unwrap_err();
        assert_eq!(
            err.go_text(),
            "yaml: line 2: mapping values are not allowed in this context"
        );
        assert!(parse_nodes("just a\n  long string\n", 1).is_ok());
    }

    #[test]
    fn tabs_in_indentation() {
        let err = parse_nodes("\timage: x\n", 1).unwrap_err();
        assert_eq!(
            err.go_text(),
            "yaml: found character that cannot start any token"
        );
        let err = parse_nodes("a:\n  b: x\n\tc: 1\n", 1).unwrap_err();
        assert_eq!(
            err.go_text(),
            "yaml: line 3: found a tab character that violates indentation"
        );
    }

    #[test]
    fn under_indented_quoted_continuation_lines_are_accepted() {
        let docs = parse_nodes("a:\n  b: \"x\ny \\\"z\\\"\"\n  c: 'p\nq''r'\n", 1).unwrap();
        let NodeKind::Map { entries, .. } = &docs[0].kind else {
            panic!("not a map")
        };
        let NodeKind::Map { entries, .. } = &entries[0].1.kind else {
            panic!("not a map")
        };
        let NodeKind::Scalar { value, .. } = &entries[0].1.kind else {
            panic!("not a scalar")
        };
        assert_eq!(value, "x y \"z\"");
        let NodeKind::Scalar { value, .. } = &entries[1].1.kind else {
            panic!("not a scalar")
        };
        assert_eq!(value, "p q'r");
        let err = parse_nodes("a: \"abc\nb: 1\n", 1).unwrap_err();
        assert_eq!(
            err.go_text(),
            "yaml: line 3: found unexpected end of stream"
        );
    }

    #[test]
    fn nel_is_a_line_break() {
        let docs = parse_nodes("a: 1\u{85}b: 2\n", 1).unwrap();
        let NodeKind::Map { entries, .. } = &docs[0].kind else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 2);
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
