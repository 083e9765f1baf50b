//! The parser: Go's `text/template/parse/parse.go`, a recursive-descent parser with Go's three-token
//! look-ahead, so that error messages and the line they report match Go's (`unexpected "}" in
//! operand`, `missing value for command`, `undefined variable "$x"`, `function "foo" not defined`…).
//!
//! Function names are checked at parse time against the function table plus the builtins, as Go does.
//! A parse yields the file's own tree plus one tree per `{{define}}`/`{{block}}`.
use crate::fasthash::FastHashMap;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::rc::Rc;

use super::ast::{
    is_empty_list, rebase_list, Action, Arg, Branch, Command, ListNode, Names, Node, Pipe, Pos,
    Source, TemplateCall, TextSpan, Tree,
};
use super::builtins::Builtin;
use super::error::Error;
use super::funcs::FuncTable;
use super::lexer::{Item, ItemType, Lexer};
use super::number;

/// Go's `maxStackDepth` for nested parenthesised pipelines.
const MAX_STACK_DEPTH: usize = 10000;

/// Parses `text` as template `name`: returns the trees by name (the file's own plus its definitions),
/// in definition order.
pub fn parse(name: &str, text: &str, funcs: &FuncTable) -> Result<Vec<Tree>, Error> {
    parse_source(name, &Source::copy(text), funcs, &mut Interner::default())
}

/// [`parse`] of a shared text, with the names of `names` (see [`Interner`]).
pub fn parse_source(
    name: &str,
    source: &Source,
    funcs: &FuncTable,
    names: &mut Interner,
) -> Result<Vec<Tree>, Error> {
    parse_as(name, source, funcs, names)?.attach(name)
}

type FxHashSet<T> = HashSet<T, BuildHasherDefault<crate::fasthash::FxHasher>>;

/// The names and chains of names of the trees parsed with it, one of each (see [`Names`]): a
/// chart's templates spell the same few names and chains thousands of times, and every one was
/// its own allocation. The trees share them as `Rc`s, so an interner and the trees parsed with it
/// stay on one thread (or move to another together, after the parse).
#[derive(Default)]
pub struct Interner {
    names: FxHashSet<Rc<str>>,
    chains: FxHashSet<Names>,
}

impl Interner {
    fn name(&mut self, name: &str) -> Rc<str> {
        if let Some(shared) = self.names.get(name) {
            return shared.clone();
        }
        let shared: Rc<str> = Rc::from(name);
        self.names.insert(shared.clone());
        shared
    }

    fn chain(&mut self, idents: &[Rc<str>]) -> Names {
        if let Some(shared) = self.chains.get(idents) {
            return shared.clone();
        }
        let shared: Names = Rc::from(idents);
        self.chains.insert(shared.clone());
        shared
    }
}

/// A parsed text whose own tree is not named yet: [`parse_detached`] parses a template before the
/// name it will be rendered under is known (while the chart is still being loaded), and
/// [`Detached::attach`] then gives exactly the trees [`parse`] gives for that name. The name matters
/// only to the file's own tree, which is added after every definition, and to error messages.
pub struct Detached {
    /// The name the text was parsed under (every definition's `parse_name`).
    parse_name: Rc<str>,
    definitions: Vec<Tree>,
    text: Source,
    root: ListNode,
    /// The line Go's parser is at when it adds the file's own tree (for its error).
    last_line: u32,
}

/// The name a detached parse runs under: its errors name it, so a text that fails is parsed again
/// with [`parse`] for the message.
const DETACHED_NAME: &str = "(detached)";

/// Parses `source` without its name (see [`Detached`]), with the names of `names`.
pub fn parse_detached(
    source: &Source,
    funcs: &FuncTable,
    names: &mut Interner,
) -> Result<Detached, Error> {
    parse_as(DETACHED_NAME, source, funcs, names)
}

fn parse_as(
    name: &str,
    source: &Source,
    funcs: &FuncTable,
    names: &mut Interner,
) -> Result<Detached, Error> {
    let dollar = names.name("$");
    let parse_name = names.name(name);
    let mut p = Parser {
        lex: Lexer::new(source),
        token: Default::default(),
        peek_count: 0,
        vars: vec![dollar],
        action_line: 0,
        range_depth: 0,
        stack_depth: 0,
        parse_name,
        text: source.clone(),
        funcs,
        names,
        trees: Vec::new(),
        tree_index: FastHashMap::default(),
    };
    let root = p.parse_top()?;
    Ok(Detached {
        parse_name: p.parse_name,
        definitions: p.trees,
        text: p.text,
        root,
        last_line: p.token[0].line,
    })
}

impl Detached {
    /// The text it was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// [`Detached::attach`] with the trees holding `source` (the same text, in another buffer: the
    /// chart's own) rather than the buffer they were parsed from.
    pub fn attach_to(mut self, name: &str, source: &Source) -> Result<Vec<Tree>, Error> {
        if *self.text == **source && !Source::ptr_eq(&self.text, source) {
            rebase_list(&mut self.root, source);
            for tree in &mut self.definitions {
                rebase_list(&mut tree.root, source);
                tree.text = source.clone();
            }
            self.text = source.clone();
        }
        self.attach(name)
    }

    /// The trees of the text as template `name`: its definitions, then its own tree, with Go's rules
    /// for a definition of the same name.
    pub fn attach(self, name: &str) -> Result<Vec<Tree>, Error> {
        let mut trees = self.definitions;
        let name = if *self.parse_name == *name {
            self.parse_name
        } else {
            let name: Rc<str> = Rc::from(name);
            for tree in &mut trees {
                tree.parse_name = name.clone();
            }
            name
        };
        let own = Tree {
            name: name.clone(),
            parse_name: name.clone(),
            text: self.text,
            root: self.root,
        };
        let existing = trees.iter().position(|t| t.name == own.name);
        associate(&mut trees, existing, own)
            .map_err(|message| Error::parse(&name, self.last_line as usize, message))?;
        Ok(trees)
    }
}

/// Go's `associate`: adds `tree` to `trees`, where `existing` is the index of a tree of the same name.
/// A non-empty tree replaces an empty one; an empty one is dropped; two non-empty ones are an error.
fn associate(trees: &mut Vec<Tree>, existing: Option<usize>, tree: Tree) -> Result<(), String> {
    let Some(i) = existing else {
        trees.push(tree);
        return Ok(());
    };
    if is_empty_list(&trees[i].root) {
        trees[i] = tree;
    } else if !is_empty_list(&tree.root) {
        return Err(format!(
            "template: multiple definition of template {}",
            super::printf::quote_go(&tree.name)
        ));
    }
    Ok(())
}

type PResult<T> = Result<T, Error>;

/// What `textOrAction` produced: a node, or the `{{end}}`/`{{else}}` that closes a list.
enum Parsed {
    Node(Node),
    End,
    Else(Pos),
}

struct Parser<'a, 'f> {
    lex: Lexer<'a>,
    token: [Item<'a>; 3],
    peek_count: usize,
    vars: Vec<Rc<str>>,
    action_line: u32,
    range_depth: usize,
    stack_depth: usize,
    parse_name: Rc<str>,
    text: Source,
    funcs: &'f FuncTable,
    names: &'f mut Interner,
    trees: Vec<Tree>,
    tree_index: FastHashMap<Rc<str>, usize>,
}

impl<'a> Parser<'a, '_> {
    // --- token plumbing (Go's next/backup/peek) ---

    fn next(&mut self) -> Item<'a> {
        if self.peek_count > 0 {
            self.peek_count -= 1;
        } else {
            self.token[0] = self.lex.next_item();
        }
        self.token[self.peek_count].clone()
    }

    fn backup(&mut self) {
        self.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item<'a>) {
        self.token[1] = t1;
        self.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item<'a>, t1: Item<'a>) {
        self.token[1] = t1;
        self.token[2] = t2;
        self.peek_count = 3;
    }

    fn peek(&mut self) -> Item<'a> {
        if self.peek_count > 0 {
            return self.token[self.peek_count - 1].clone();
        }
        self.peek_count = 1;
        self.token[0] = self.lex.next_item();
        self.token[0].clone()
    }

    fn next_non_space(&mut self) -> Item<'a> {
        loop {
            let t = self.next();
            if t.typ != ItemType::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item<'a> {
        let t = self.next_non_space();
        self.backup();
        t
    }

    // --- errors ---

    fn errorf(&self, message: impl Into<String>) -> Error {
        Error::parse(&self.parse_name, self.token[0].line as usize, message)
    }

    fn unexpected(&self, token: &Item<'a>, context: &str) -> Error {
        if token.typ == ItemType::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if token.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{token}{extra}"));
        }
        self.errorf(format!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, expected: ItemType, context: &str) -> PResult<Item<'a>> {
        let token = self.next_non_space();
        if token.typ != expected {
            return Err(self.unexpected(&token, context));
        }
        Ok(token)
    }

    // --- trees ---

    /// Go's `Tree.add` of a definition: a second non-empty definition of a name in one parse is an
    /// error (see [`associate`]).
    fn add(&mut self, tree: Tree) -> PResult<()> {
        let existing = self.tree_index.get(&tree.name).copied();
        if existing.is_none() {
            self.tree_index.insert(tree.name.clone(), self.trees.len());
        }
        associate(&mut self.trees, existing, tree).map_err(|message| self.errorf(message))
    }

    fn has_function(&self, name: &str) -> bool {
        self.funcs.contains(name) || Builtin::lookup(name).is_some()
    }

    // --- grammar ---

    fn parse_top(&mut self) -> PResult<ListNode> {
        let pos = self.peek().pos;
        let mut nodes = Vec::new();
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == ItemType::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                Parsed::Node(n) => nodes.push(n),
                Parsed::End => return Err(self.errorf("unexpected {{end}}")),
                Parsed::Else(_) => return Err(self.errorf("unexpected {{else}}")),
            }
        }
        // Trees live until the end of the run: no spare capacity (a small template's list grew to
        // twice its nodes, most of a 4,000-template chart's parse trees).
        Ok(ListNode {
            pos,
            nodes: nodes.into_boxed_slice(),
        })
    }

    /// Runs `f` as the parse of a new tree sharing the lexer (Go's `startParse` on a new Tree).
    fn in_new_tree<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let dollar = self.names.name("$");
        let saved_vars = std::mem::replace(&mut self.vars, vec![dollar]);
        let saved_tokens = std::mem::take(&mut self.token);
        let saved_peek = std::mem::replace(&mut self.peek_count, 0);
        let saved_action_line = std::mem::replace(&mut self.action_line, 0);
        let saved_range_depth = std::mem::replace(&mut self.range_depth, 0);
        let result = f(self);
        self.vars = saved_vars;
        self.token = saved_tokens;
        self.peek_count = saved_peek;
        self.action_line = saved_action_line;
        self.range_depth = saved_range_depth;
        result
    }

    fn parse_definition(&mut self) -> PResult<()> {
        self.in_new_tree(|p| {
            let context = "define clause";
            let token = p.next_non_space();
            if token.typ != ItemType::String && token.typ != ItemType::RawString {
                return Err(p.unexpected(&token, context));
            }
            let name = p.unquote(&token)?;
            p.expect(ItemType::RightDelim, context)?;
            let (root, end) = p.item_list()?;
            if !matches!(end, Parsed::End) {
                return Err(p.errorf(format!("unexpected {} in {context}", parsed_name(&end))));
            }
            let tree = Tree {
                name: Rc::from(name.as_str()),
                parse_name: p.parse_name.clone(),
                text: p.text.clone(),
                root,
            };
            p.add(tree)
        })
    }

    fn item_list(&mut self) -> PResult<(ListNode, Parsed)> {
        let pos = self.peek_non_space().pos;
        let mut nodes = Vec::new();
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => nodes.push(n),
                closing => {
                    let nodes = nodes.into_boxed_slice();
                    return Ok((ListNode { pos, nodes }, closing));
                }
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Text => {
                // A text item is always a slice of the input, which `self.text` holds.
                let start = token.pos as usize;
                let text = TextSpan::new(self.text.clone(), start..start + token.val.len());
                Ok(Parsed::Node(Node::Text { text }))
            }
            ItemType::LeftDelim => {
                self.action_line = token.line;
                let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.action());
                self.action_line = 0;
                r
            }
            ItemType::Comment => Ok(Parsed::Node(Node::Comment {
                pos: token.pos,
                text: token.val.as_ref().into(),
            })),
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Block => return self.block_control().map(Parsed::Node),
            ItemType::Break => return self.break_control(token.pos, "{{break}}", true),
            ItemType::Continue => return self.break_control(token.pos, "{{continue}}", false),
            ItemType::Else => return self.else_control(),
            ItemType::End => return self.end_control(),
            ItemType::If => {
                return self
                    .branch_control("if")
                    .map(|b| Parsed::Node(Node::If(Box::new(b))))
            }
            ItemType::Range => {
                return self
                    .branch_control("range")
                    .map(|b| Parsed::Node(Node::Range(Box::new(b))))
            }
            ItemType::Template => return self.template_control().map(Parsed::Node),
            ItemType::With => {
                return self
                    .branch_control("with")
                    .map(|b| Parsed::Node(Node::With(Box::new(b))))
            }
            _ => {}
        }
        self.backup();
        let token = self.peek();
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(Parsed::Node(Node::Action(Box::new(Action {
            pos: token.pos,
            pipe,
        }))))
    }

    fn break_control(&mut self, pos: Pos, what: &str, is_break: bool) -> PResult<Parsed> {
        let token = self.next_non_space();
        if token.typ != ItemType::RightDelim {
            return Err(self.unexpected(&token, what));
        }
        if self.range_depth == 0 {
            return Err(self.errorf(format!("{what} outside {{{{range}}}}")));
        }
        Ok(Parsed::Node(if is_break {
            Node::Break(pos)
        } else {
            Node::Continue(pos)
        }))
    }

    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<Pipe> {
        let pos = self.peek_non_space().pos;
        let mut is_assign = false;
        let mut decl = Vec::new();
        let mut cmds = Vec::new();
        // Declarations or assignments.
        loop {
            let v = self.peek_non_space();
            if v.typ != ItemType::Variable {
                break;
            }
            self.next();
            let token_after_variable = self.peek();
            let next = self.peek_non_space();
            if next.typ == ItemType::Assign || next.typ == ItemType::Declare {
                is_assign = next.typ == ItemType::Assign;
                self.next_non_space();
                let name = self.names.name(&v.val);
                decl.push((v.pos, name.clone()));
                self.vars.push(name);
            } else if next.typ == ItemType::Char && next.val == "," {
                self.next_non_space();
                let name = self.names.name(&v.val);
                decl.push((v.pos, name.clone()));
                self.vars.push(name);
                if context == "range" && decl.len() < 2 {
                    match self.peek_non_space().typ {
                        ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                            continue
                        }
                        _ => return Err(self.errorf("range can only initialize variables")),
                    }
                }
                return Err(self.errorf(format!("too many declarations in {context}")));
            } else if token_after_variable.typ == ItemType::Space {
                self.backup3(v, token_after_variable);
            } else {
                self.backup2(v);
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            match token.typ {
                t if t == end => {
                    let pipe = Pipe {
                        pos,
                        is_assign,
                        decl: decl.into_boxed_slice(),
                        cmds: cmds.into(),
                    };
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(_) | Arg::String { .. }
                )
            ) {
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn branch_control(&mut self, context: &str) -> PResult<Branch> {
        let mark = self.vars.len();
        let r = self.branch_control_inner(context);
        self.vars.truncate(mark);
        r
    }

    fn branch_control_inner(&mut self, context: &str) -> PResult<Branch> {
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = listed?;
        let mut else_list = None;
        match next {
            Parsed::End => {}
            Parsed::Else(else_pos) => {
                let peek = self.peek().typ;
                if context == "if" && peek == ItemType::If {
                    self.next();
                    let inner = self.branch_control("if")?;
                    else_list = Some(ListNode {
                        pos: else_pos,
                        nodes: Box::new([Node::If(Box::new(inner))]),
                    });
                } else if context == "with" && peek == ItemType::With {
                    self.next();
                    let inner = self.branch_control("with")?;
                    else_list = Some(ListNode {
                        pos: else_pos,
                        nodes: Box::new([Node::With(Box::new(inner))]),
                    });
                } else {
                    let (list, next) = self.item_list()?;
                    if !matches!(next, Parsed::End) {
                        return Err(
                            self.errorf(format!("expected end; found {}", parsed_name(&next)))
                        );
                    }
                    else_list = Some(list);
                }
            }
            // item_list only ends on {{end}} or {{else}}.
            Parsed::Node(_) => {}
        }
        Ok(Branch {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })
    }

    fn end_control(&mut self) -> PResult<Parsed> {
        let token = self.expect(ItemType::RightDelim, "end")?;
        let _ = token;
        Ok(Parsed::End)
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.typ == ItemType::If || peek.typ == ItemType::With {
            return Ok(Parsed::Else(peek.pos));
        }
        let token = self.expect(ItemType::RightDelim, "else")?;
        Ok(Parsed::Else(token.pos))
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(&token, context)?;
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        self.in_new_tree(|p| {
            let (root, end) = p.item_list()?;
            if !matches!(end, Parsed::End) {
                return Err(p.errorf(format!("unexpected {} in {context}", parsed_name(&end))));
            }
            let tree = Tree {
                name: Rc::from(name.as_str()),
                parse_name: p.parse_name.clone(),
                text: p.text.clone(),
                root,
            };
            p.add(tree)
        })?;
        Ok(Node::Template(Box::new(TemplateCall {
            pos: token.pos,
            name: name.into(),
            pipe: Some(pipe),
        })))
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(&token, context)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(context, ItemType::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateCall {
            pos: token.pos,
            name: name.into(),
            pipe,
        })))
    }

    fn parse_template_name(&mut self, token: &Item<'a>, context: &str) -> PResult<String> {
        match token.typ {
            ItemType::String | ItemType::RawString => self.unquote(token),
            _ => Err(self.unexpected(token, context)),
        }
    }

    fn unquote(&self, token: &Item<'a>) -> PResult<String> {
        number::unquote(&token.val).map_err(|e| self.errorf(e))
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                args.push(operand);
            }
            let token = self.next();
            match token.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        // Trees live until the end of the run: no spare capacity.
        Ok(Command {
            pos,
            args: args.into(),
        })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ != ItemType::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields: Vec<Rc<str>> = Vec::new();
        while self.peek().typ == ItemType::Field {
            let t = self.next();
            fields.push(self.names.name(&t.val[1..]));
        }
        Ok(Some(match node {
            Arg::Field { idents, .. } => {
                let mut all = idents.to_vec();
                all.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    idents: self.names.chain(&all),
                }
            }
            Arg::Variable { idents, .. } => {
                let mut all = idents.to_vec();
                all.extend(fields);
                Arg::Variable {
                    pos: chain_pos,
                    idents: self.names.chain(&all),
                }
            }
            Arg::Bool(..) | Arg::String { .. } | Arg::Number(_) | Arg::Nil(_) | Arg::Dot(_) => {
                let shown = node.to_string();
                return Err(self.errorf(format!(
                    "unexpected . after term {}",
                    super::printf::quote_go(&shown)
                )));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields: self.names.chain(&fields),
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        let arg = match token.typ {
            ItemType::Identifier => {
                if !self.has_function(&token.val) {
                    return Err(self.errorf(format!(
                        "function {} not defined",
                        super::printf::quote_go(&token.val)
                    )));
                }
                Arg::Identifier {
                    pos: token.pos,
                    name: self.names.name(&token.val),
                }
            }
            ItemType::Dot => Arg::Dot(token.pos),
            ItemType::Nil => Arg::Nil(token.pos),
            ItemType::Variable => self.use_var(token.pos, &token.val)?,
            ItemType::Field => {
                let name = self.names.name(&token.val[1..]);
                Arg::Field {
                    pos: token.pos,
                    idents: self.names.chain(&[name]),
                }
            }
            ItemType::Bool => Arg::Bool(token.pos, token.val == "true"),
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                let n = number::parse_number(token.pos, &token.val, token.typ)
                    .map_err(|e| self.errorf(e))?;
                Arg::Number(Box::new(n))
            }
            ItemType::LeftParen => {
                if self.stack_depth >= MAX_STACK_DEPTH {
                    return Err(self.errorf("max expression depth exceeded"));
                }
                self.stack_depth += 1;
                let pipe = stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
                    self.pipeline("parenthesized pipeline", ItemType::RightParen)
                });
                self.stack_depth -= 1;
                Arg::Pipe(Box::new(pipe?))
            }
            ItemType::String | ItemType::RawString => {
                let text = self.unquote(&token)?;
                Arg::String {
                    pos: token.pos,
                    quoted: token.val.as_ref().into(),
                    text: self.names.name(&text),
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(arg))
    }

    fn use_var(&mut self, pos: Pos, name: &str) -> PResult<Arg> {
        if self.vars.iter().any(|v| v.as_ref() == name) {
            let name = self.names.name(name);
            return Ok(Arg::Variable {
                pos,
                idents: self.names.chain(&[name]),
            });
        }
        Err(self.errorf(format!(
            "undefined variable {}",
            super::printf::quote_go(name)
        )))
    }
}

fn parsed_name(p: &Parsed) -> String {
    match p {
        Parsed::End => "{{end}}".into(),
        Parsed::Else(_) => "{{else}}".into(),
        Parsed::Node(n) => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A detached parse named afterwards gives what a parse under that name gives, including Go's
    /// rules for a definition named like the file.
    #[test]
    fn detached_then_attached_equals_parse() {
        let name = "c/templates/a.yaml";
        for text in [
            "plain {{ .x }}",
            "",
            "{{ define \"d\" }}d{{ end }}own",
            "{{ define \"c/templates/a.yaml\" }}defined{{ end }}",
            "{{ define \"c/templates/a.yaml\" }}defined{{ end }}own",
            "{{ define \"c/templates/a.yaml\" }}{{ end }}own",
            "{{ define \"c/templates/a.yaml\" }} {{ end }}  ",
            "{{ define \"(detached)\" }}x{{ end }}own",
            "{{ block \"b\" . }}b{{ end }}{{ define \"b\" }}{{ end }}",
        ] {
            let direct = parse(name, text, &FuncTable::new()).map(|t| format!("{t:?}"));
            let names = &mut Interner::default();
            let attached = parse_detached(&Source::copy(text), &FuncTable::new(), names)
                .and_then(|d| d.attach(name))
                .map(|t| format!("{t:?}"));
            assert_eq!(
                attached.map_err(|e| e.to_string()),
                direct.map_err(|e| e.to_string()),
                "{text}"
            );
            // Attached to another buffer of the same text: the same trees, holding that buffer.
            let chart_bytes = Source::copy(text);
            let direct = parse(name, text, &FuncTable::new()).map(|t| format!("{t:?}"));
            let trees = parse_detached(&Source::copy(text), &FuncTable::new(), names)
                .and_then(|d| d.attach_to(name, &chart_bytes));
            if let Ok(trees) = &trees {
                for tree in trees {
                    assert!(Source::ptr_eq(&tree.text, &chart_bytes), "{text}");
                    assert_spans_in(&tree.root, &chart_bytes);
                }
            }
            assert_eq!(
                trees.map(|t| format!("{t:?}")).map_err(|e| e.to_string()),
                direct.map_err(|e| e.to_string()),
                "{text}"
            );
        }
    }

    /// Every text node of `list` (nested ones too) is a span of `source` itself.
    fn assert_spans_in(list: &ListNode, source: &Source) {
        for node in &list.nodes {
            match node {
                Node::Text { text } => {
                    let range = source.as_bytes().as_ptr_range();
                    assert!(range.contains(&text.as_ptr()) || text.is_empty());
                }
                Node::If(b) | Node::Range(b) | Node::With(b) => {
                    assert_spans_in(&b.list, source);
                    if let Some(e) = &b.else_list {
                        assert_spans_in(e, source);
                    }
                }
                _ => {}
            }
        }
    }

    #[test]
    fn attach_to_rebases_nested_text() {
        let text = "a{{ if .x }}b{{ range .y }}c{{ else }}d{{ end }}{{ else }}e{{ end }}\
            {{ with .z }}f{{ end }}{{ define \"t\" }}g{{ if 1 }}h{{ end }}{{ end }}";
        let chart_bytes = Source::copy(text);
        let names = &mut Interner::default();
        let trees = parse_detached(&Source::copy(text), &FuncTable::new(), names)
            .and_then(|d| d.attach_to("n", &chart_bytes))
            .unwrap();
        assert_eq!(trees.len(), 2);
        for tree in &trees {
            assert!(Source::ptr_eq(&tree.text, &chart_bytes));
            assert_spans_in(&tree.root, &chart_bytes);
        }
        assert_eq!(
            trees[1].root.to_string(),
            parse("n", text, &FuncTable::new()).unwrap()[1]
                .root
                .to_string()
        );
    }

    /// The trees parsed with one interner share their names and chains of names.
    #[test]
    fn names_and_chains_are_shared() {
        let names = &mut Interner::default();
        let funcs = FuncTable::new();
        let a = parse_source(
            "a",
            &Source::copy("{{ .Values.image }}{{ $x := 1 }}{{ $x }}"),
            &funcs,
            names,
        )
        .unwrap();
        let b = parse_source(
            "b",
            &Source::copy("{{ .Values.image }}{{ .Values }}"),
            &funcs,
            names,
        )
        .unwrap();
        let chain = |tree: &Tree, i: usize| match &tree.root.nodes[i] {
            Node::Action(a) => match &a.pipe.cmds[0].args[0] {
                Arg::Field { idents, .. } | Arg::Variable { idents, .. } => idents.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert!(Rc::ptr_eq(&chain(&a[0], 0), &chain(&b[0], 0)));
        assert_eq!(&*chain(&a[0], 0), &[Rc::from("Values"), Rc::from("image")]);
        // `.Values` alone is another chain, of the same name.
        assert!(Rc::ptr_eq(&chain(&b[0], 0)[0], &chain(&b[0], 1)[0]));
        assert!(Rc::ptr_eq(&chain(&a[0], 2)[0], &names.name("$x")));
    }

    fn parse_err(text: &str) -> String {
        match parse("x", text, &FuncTable::new()) {
            Ok(_) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }

    fn roundtrip(text: &str) -> String {
        let trees = parse("x", text, &FuncTable::new()).expect("parses");
        trees
            .iter()
            .find(|t| &*t.name == "x")
            .map(|t| t.root.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn trees_print_like_go() {
        assert_eq!(
            roundtrip("a{{.x.y | printf \"%d\"}}b"),
            "a{{.x.y | printf \"%d\"}}b"
        );
        assert_eq!(
            roundtrip("{{if .a}}x{{else if .b}}y{{end}}"),
            "{{if .a}}x{{else}}{{if .b}}y{{end}}{{end}}"
        );
        assert_eq!(
            roundtrip("{{range $i, $v := .}}{{$v}}{{end}}"),
            "{{range $i, $v := .}}{{$v}}{{end}}"
        );
        assert_eq!(roundtrip("{{(.a).b}}"), "{{(.a).b}}");
    }

    #[test]
    fn parse_errors_match_go() {
        assert_eq!(
            parse_err("{{ 1 }"),
            "template: x:1: unexpected \"}\" in operand"
        );
        assert_eq!(parse_err("{{if .}}"), "template: x:1: unexpected EOF");
        assert_eq!(parse_err("{{end}}"), "template: x:1: unexpected {{end}}");
        assert_eq!(
            parse_err("{{}}"),
            "template: x:1: missing value for command"
        );
        assert_eq!(
            parse_err("{{$x}}"),
            "template: x:1: undefined variable \"$x\""
        );
        assert_eq!(
            parse_err("{{foo}}"),
            "template: x:1: function \"foo\" not defined"
        );
        assert_eq!(
            parse_err("{{break}}"),
            "template: x:1: {{break}} outside {{range}}"
        );
    }

    #[test]
    fn defines_become_trees() {
        let trees = parse("x", "{{define \"a\"}}A{{end}}b", &FuncTable::new()).unwrap();
        let names: Vec<_> = trees.iter().map(|t| t.name.to_string()).collect();
        assert_eq!(names, vec!["a", "x"]);
    }
}
