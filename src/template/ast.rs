//! The parse tree of a template, mirroring Go's `text/template/parse` nodes.
//!
//! Every node keeps its byte offset (`pos`) into the source text; line and column are computed from
//! the text only when an error is reported (Go's `Tree.ErrorContext`). `Display` prints nodes the way
//! Go's `Node.String()` does, because execution errors quote the failing node (`at <.Values.a.b>`).
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

/// A byte offset into the template source.
pub type Pos = u32;

/// One parsed template: a file's top level or a `{{define}}`/`{{block}}` body.
#[derive(Debug)]
pub struct Tree {
    /// The template's name (the file name, or the name given to `define`).
    pub name: Rc<str>,
    /// The name of the file it was parsed from (Go's `ParseName`), used in error locations.
    pub parse_name: Rc<str>,
    /// The whole source text it was parsed from.
    pub text: Source,
    pub root: ListNode,
}

impl Tree {
    /// Go's `ErrorContext`: (1-based line, 0-based byte column) of `pos`.
    pub fn line_col(&self, pos: Pos) -> (usize, usize) {
        let pos = (pos as usize).min(self.text.len());
        let before = &self.text.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|b| **b == b'\n').count();
        let col = match before.iter().rposition(|b| *b == b'\n') {
            Some(nl) => pos - nl - 1,
            None => pos,
        };
        (line, col)
    }

    /// The source line containing `pos`.
    pub fn source_line(&self, pos: Pos) -> String {
        let pos = (pos as usize).min(self.text.len());
        let start = self.text[..pos].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i);
        self.text[start..end].to_string()
    }
}

/// Go's `IsEmptyTree`: only whitespace text and comments.
pub fn is_empty_list(list: &ListNode) -> bool {
    list.nodes.iter().all(|n| match n {
        Node::Text { text, .. } => text.trim_ascii().is_empty(),
        Node::Comment { .. } => true,
        _ => false,
    })
}

/// The source text of a template, shared by its trees and their text nodes. When the text is a
/// chart file's bytes read as UTF-8 in place, it is that file's buffer itself ([`Source::within`]):
/// parse trees live until the end of a run, and a copy of every template's text was a fifth of
/// them (4,000 templates of 338 bytes: 1.4 MB).
#[derive(Clone)]
pub struct Source(Arc<[u8]>);

impl Source {
    /// A copy of `text`.
    pub fn copy(text: &str) -> Source {
        Source(Arc::from(text.as_bytes()))
    }

    /// `text`, sharing `buffer` when `text` is the whole of it (read in place), a copy otherwise.
    pub fn within(buffer: &Arc<[u8]>, text: &str) -> Source {
        if std::ptr::eq(buffer.as_ptr(), text.as_ptr()) && buffer.len() == text.len() {
            Source(buffer.clone())
        } else {
            Source::copy(text)
        }
    }

    /// Whether both are the same buffer (not only the same text).
    pub fn ptr_eq(a: &Source, b: &Source) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl std::ops::Deref for Source {
    type Target = str;

    fn deref(&self) -> &str {
        // SAFETY: both constructors take the bytes of a `&str` (`within` shares the buffer only when
        // the `&str` is exactly its bytes), and the buffer is never written to.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The text of a text node: a range of the parsed source, which the node shares rather than copies.
#[derive(Debug, Clone)]
pub struct TextSpan {
    source: Source,
    start: u32,
    end: u32,
}

impl TextSpan {
    /// `source[range]`; the range must lie on character boundaries of `source`.
    pub fn new(source: Source, range: std::ops::Range<usize>) -> TextSpan {
        assert!(
            source.get(range.clone()).is_some(),
            "text span out of its source"
        );
        TextSpan {
            source,
            start: range.start as u32,
            end: range.end as u32,
        }
    }
}

impl TextSpan {
    /// The same range of `source`, which must hold the same text as the span's own source.
    fn rebase(&mut self, source: &Source) {
        debug_assert_eq!(&*self.source, &**source);
        self.source = source.clone();
    }
}

/// Points every text node of `list` (nested lists included) at `source`, a buffer holding the same
/// text as the one the list was parsed from.
pub fn rebase_list(list: &mut ListNode, source: &Source) {
    for node in &mut list.nodes {
        match node {
            Node::Text { text } => text.rebase(source),
            Node::If(b) | Node::Range(b) | Node::With(b) => {
                rebase_list(&mut b.list, source);
                if let Some(e) = &mut b.else_list {
                    rebase_list(e, source);
                }
            }
            Node::Comment { .. }
            | Node::Action(_)
            | Node::Template(_)
            | Node::Break(_)
            | Node::Continue(_) => {}
        }
    }
}

impl std::ops::Deref for TextSpan {
    type Target = str;

    fn deref(&self) -> &str {
        &self.source[self.start as usize..self.end as usize]
    }
}

/// A sequence of nodes (a boxed slice: trees live until the end of a run and are never grown).
#[derive(Debug, Default)]
pub struct ListNode {
    pub pos: Pos,
    pub nodes: Box<[Node]>,
}

/// A node of a list.
#[derive(Debug)]
pub enum Node {
    /// Text outside actions; its position is where its span starts.
    Text {
        text: TextSpan,
    },
    Comment {
        pos: Pos,
        text: Box<str>,
    },
    // Boxed: a node is as large as its largest variant, and most nodes of a template are text
    // (24 bytes); unboxed, every node took the 136 bytes of a branch.
    Action(Box<Action>),
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    Template(Box<TemplateCall>),
    Break(Pos),
    Continue(Pos),
}

/// `{{pipeline}}`.
#[derive(Debug)]
pub struct Action {
    pub pos: Pos,
    pub pipe: Pipe,
}

/// The common shape of `if`, `range` and `with`.
#[derive(Debug)]
pub struct Branch {
    pub pos: Pos,
    pub pipe: Pipe,
    pub list: ListNode,
    pub else_list: Option<ListNode>,
}

/// `{{template "name" pipeline}}` (also what `{{block}}` leaves in place).
#[derive(Debug)]
pub struct TemplateCall {
    pub pos: Pos,
    pub name: Box<str>,
    pub pipe: Option<Pipe>,
}

/// A pipeline with optional variable declarations: `$x := a | b c`.
#[derive(Debug)]
pub struct Pipe {
    pub pos: Pos,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    /// Declared or assigned variable names, with their positions (a boxed slice rather than a
    /// `Vec`: 8 bytes less).
    pub decl: Box<[(Pos, Rc<str>)]>,
    /// The commands; the only one of most pipelines is kept in place (see [`Seq`]).
    pub cmds: Seq<Command>,
}

/// One command of a pipeline: an operand followed by arguments.
#[derive(Debug)]
pub struct Command {
    pub pos: Pos,
    /// The operand and its arguments; most commands are one operand, kept in place.
    pub args: Seq<Arg>,
}

/// A non-empty run of items that keeps a single item in place and boxes several.
///
/// Most actions are one command of one operand (`{{ .Values.image }}`): with boxed slices such an
/// action was three allocations (the action, its commands, the command's operands: 144 bytes of
/// blocks), kept until the end of the run; with the command and its operand in place it is one
/// (96 bytes). Reads as a slice.
#[derive(Debug)]
pub enum Seq<T> {
    One(T),
    Many(Box<[T]>),
}

impl<T> From<Vec<T>> for Seq<T> {
    fn from(items: Vec<T>) -> Seq<T> {
        match <[T; 1]>::try_from(items) {
            Ok([one]) => Seq::One(one),
            Err(items) => Seq::Many(items.into_boxed_slice()),
        }
    }
}

impl<T> std::ops::Deref for Seq<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Seq::One(one) => std::slice::from_ref(one),
            Seq::Many(many) => many,
        }
    }
}

impl<'a, T> IntoIterator for &'a Seq<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// A chain of identifiers (`.a.b`, `$x.a`). The parser shares one list among the operands of
/// the templates it parses that spell the same chain, and one name among all uses of the same
/// name (a chart's templates repeat `.Values`, `.Release.Name`… thousands of times).
pub type Names = Rc<[Rc<str>]>;

/// An operand (Go's Field/Variable/Chain/Identifier/Dot/Nil/Bool/Number/String/Pipe nodes).
#[derive(Debug)]
pub enum Arg {
    /// `.a.b`: the field names without dots.
    Field {
        pos: Pos,
        idents: Names,
    },
    /// `$x.a.b`: `idents[0]` is the variable name including `$`.
    Variable {
        pos: Pos,
        idents: Names,
    },
    /// `(pipe).a.b` and other chains.
    Chain {
        pos: Pos,
        node: Box<Arg>,
        fields: Names,
    },
    Identifier {
        pos: Pos,
        name: Rc<str>,
    },
    Dot(Pos),
    Nil(Pos),
    Bool(Pos, bool),
    Number(Box<Number>),
    String {
        pos: Pos,
        quoted: Box<str>,
        text: Rc<str>,
    },
    Pipe(Box<Pipe>),
}

/// A number literal with every interpretation Go's parser computed for it.
#[derive(Debug, Default)]
pub struct Number {
    pub pos: Pos,
    pub text: Box<str>,
    pub is_int: bool,
    pub int: i64,
    pub is_uint: bool,
    pub uint: u64,
    pub is_float: bool,
    pub float: f64,
    pub is_complex: bool,
    pub complex: (f64, f64),
}

impl Arg {
    pub fn pos(&self) -> Pos {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::String { pos, .. } => *pos,
            Arg::Number(n) => n.pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

fn write_joined<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    items: &[T],
    sep: &str,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => {
                for id in idents.iter() {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Arg::Variable { idents, .. } => write_joined(f, idents, "."),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for field in fields.iter() {
                    write!(f, ".{field}")?;
                }
                Ok(())
            }
            Arg::Identifier { name, .. } => f.write_str(name),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(n) => f.write_str(&n.text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(p) = arg {
                write!(f, "({p})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, (_, name)) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(name)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        write_joined(f, &self.cmds, " | ")
    }
}

impl fmt::Display for ListNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in &self.nodes {
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{{{}}}}}", self.pipe)
    }
}

impl Branch {
    /// Go's `BranchNode.String()` for the given keyword.
    pub fn display<'a>(&'a self, keyword: &'a str) -> impl fmt::Display + 'a {
        BranchDisplay {
            branch: self,
            keyword,
        }
    }
}

struct BranchDisplay<'a> {
    branch: &'a Branch,
    keyword: &'a str,
}

impl fmt::Display for BranchDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.branch;
        write!(f, "{{{{{} {}}}}}{}", self.keyword, b.pipe, b.list)?;
        if let Some(e) = &b.else_list {
            write!(f, "{{{{else}}}}{e}")?;
        }
        f.write_str("{{end}}")
    }
}

impl fmt::Display for TemplateCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = crate::template::printf::quote_go(&self.name);
        match &self.pipe {
            Some(p) => write!(f, "{{{{template {name} {p}}}}}"),
            None => write!(f, "{{{{template {name}}}}}"),
        }
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text { text, .. } => f.write_str(text),
            Node::Comment { text, .. } => write!(f, "{{{{{text}}}}}"),
            Node::Action(a) => write!(f, "{a}"),
            Node::If(b) => write!(f, "{}", b.display("if")),
            Node::Range(b) => write!(f, "{}", b.display("range")),
            Node::With(b) => write!(f, "{}", b.display("with")),
            Node::Template(t) => write!(f, "{t}"),
            Node::Break(_) => f.write_str("{{break}}"),
            Node::Continue(_) => f.write_str("{{continue}}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parse trees live until the end of a run (4,000 templates: 4,000 trees); a node that is text
    /// must not take a branch's room.
    #[test]
    fn nodes_stay_small() {
        assert!(
            std::mem::size_of::<Node>() <= 32,
            "{}",
            std::mem::size_of::<Node>()
        );
        // An action of one command of one operand is one block of at most 88 bytes (the small
        // allocator's class below 96-byte blocks), its command and operand in place.
        assert!(
            std::mem::size_of::<Action>() <= 88,
            "{}",
            std::mem::size_of::<Action>()
        );
        assert_eq!(std::mem::size_of::<Seq<Arg>>(), std::mem::size_of::<Arg>());
    }

    #[test]
    fn a_seq_reads_as_its_items() {
        let one = Seq::from(vec![7]);
        assert!(matches!(one, Seq::One(7)));
        assert_eq!(&*one, &[7]);
        let many = Seq::from(vec![1, 2]);
        assert!(matches!(many, Seq::Many(_)));
        assert_eq!(many.iter().copied().collect::<Vec<_>>(), [1, 2]);
        let none = Seq::<u8>::from(Vec::new());
        assert!(none.is_empty());
    }
}
