//! helm-unittest's two path languages.
//!
//! - [`Path`]: where an assertion looks in a manifest, in the YAML JSONPath dialect helm-unittest
//!   uses (helm-unittest/yaml-jsonpath): an optional `$`, dotted children (`spec.replicas`), bracket
//!   children with quotes for keys holding dots (`metadata.labels["app.kubernetes.io/name"]`,
//!   `['a','b']`), indexes and slices (`[0]`, `[-1]`, `[1:3]`, `[::2]`), wildcards (`*`, `[*]`),
//!   recursive descent (`..name`) and filters (`[?(@.name == "web")]`, with `==`, `!=`, `<`, `<=`,
//!   `>`, `>=`, `=~ /regex/`, `!`, `&&`, `||`, parentheses, and `@`/`$` paths). The empty path is the
//!   whole document.
//! - [`set_path`]: the `--set`-like keys of a suite's `set:` (`a.b[0].c`, `[key.with.dots]`), built
//!   into nested maps and lists as `valueutils.BuildValueOfSetPath` does.
use std::rc::Rc;

use crate::yaml::emit::Doc;

use super::data::deep_equal;

/// A compiled manifest path.
#[derive(Debug, Clone)]
pub struct Path {
    steps: Vec<Step>,
}

#[derive(Debug, Clone)]
enum Step {
    /// Named children of a mapping.
    Children(Vec<String>),
    /// Every child of a mapping or sequence.
    Wildcard,
    /// Items of a sequence by index (negative from the end).
    Indexes(Vec<i64>),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// The node and all its descendants, then `step` on each.
    Recursive(Box<Step>),
    Filter(Rc<Expr>),
}

#[derive(Debug)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// A path alone: true when it matches something.
    Exists(Operand),
    Compare(Operand, Op, Operand),
    Regex(Operand, regex::Regex),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug)]
enum Operand {
    /// `@…` (relative) or `$…` (root).
    Path {
        root: bool,
        path: Path,
    },
    Literal(Doc),
}

/// A malformed path: what was expected, and where (0-based character offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub path: String,
    pub at: usize,
    pub message: String,
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid path {:?} at position {}: {}",
            self.path, self.at, self.message
        )
    }
}

impl Path {
    /// Compiles `text`.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let chars: Vec<char> = text.chars().collect();
        let mut p = Parser {
            text,
            chars: &chars,
            pos: 0,
        };
        let path = p.path(true)?;
        if p.pos < chars.len() {
            return Err(p.error(format!("unexpected {:?}", chars[p.pos])));
        }
        Ok(path)
    }

    /// The nodes the path selects in `doc`, in document order.
    pub fn find(&self, doc: &Doc) -> Vec<Doc> {
        let mut out = Vec::new();
        self.find_refs(doc, doc, &mut |d| out.push(d.clone()));
        out
    }

    fn find_refs<'a>(&self, doc: &'a Doc, root: &'a Doc, emit: &mut dyn FnMut(&'a Doc)) {
        let mut current: Vec<&'a Doc> = vec![doc];
        for step in &self.steps {
            let mut next = Vec::new();
            for node in current {
                apply(step, node, root, &mut next);
            }
            current = next;
        }
        for d in current {
            emit(d);
        }
    }
}

fn apply<'a>(step: &Step, node: &'a Doc, root: &'a Doc, out: &mut Vec<&'a Doc>) {
    match step {
        Step::Children(names) => {
            if let Doc::Map(m) = node {
                for name in names {
                    if let Some((_, v)) = m.iter().find(|(k, _)| &**k == name) {
                        out.push(v);
                    }
                }
            }
        }
        Step::Wildcard => match node {
            Doc::Map(m) => out.extend(m.iter().map(|(_, v)| v)),
            Doc::Seq(items) => out.extend(items.iter()),
            _ => {}
        },
        Step::Indexes(indexes) => {
            if let Doc::Seq(items) = node {
                let len = items.len() as i64;
                for &i in indexes {
                    let i = if i < 0 { len + i } else { i };
                    if (0..len).contains(&i) {
                        out.push(&items[i as usize]);
                    }
                }
            }
        }
        Step::Slice(start, end, step) => {
            if let Doc::Seq(items) = node {
                let len = items.len() as i64;
                let step = step.unwrap_or(1);
                if step == 0 {
                    return;
                }
                let norm = |v: i64| if v < 0 { (len + v).max(0) } else { v.min(len) };
                if step > 0 {
                    let mut i = start.map_or(0, norm);
                    let end = end.map_or(len, norm);
                    while i < end {
                        out.push(&items[i as usize]);
                        i += step;
                    }
                } else {
                    let mut i = start.map_or(len - 1, |v| norm(v).min(len - 1));
                    let end = end.map_or(-1, norm);
                    while i > end && i >= 0 {
                        out.push(&items[i as usize]);
                        i += step;
                    }
                }
            }
        }
        Step::Recursive(inner) => {
            let mut all = Vec::new();
            descend(node, &mut all);
            for d in all {
                apply(inner, d, root, out);
            }
        }
        Step::Filter(expr) => {
            // A sequence's items are filtered; any other node is kept or dropped itself.
            let children: Vec<&'a Doc> = match node {
                Doc::Seq(items) => items.iter().collect(),
                other => vec![other],
            };
            for child in children {
                if eval(expr, child, root) {
                    out.push(child);
                }
            }
        }
    }
}

fn descend<'a>(node: &'a Doc, out: &mut Vec<&'a Doc>) {
    out.push(node);
    match node {
        Doc::Map(m) => m.iter().for_each(|(_, v)| descend(v, out)),
        Doc::Seq(items) => items.iter().for_each(|v| descend(v, out)),
        _ => {}
    }
}

fn operand_values<'a>(op: &'a Operand, node: &'a Doc, root: &'a Doc) -> Vec<Doc> {
    match op {
        Operand::Literal(d) => vec![d.clone()],
        Operand::Path { root: true, path } => path.find(root),
        Operand::Path { root: false, path } => path.find(node),
    }
}

fn eval(expr: &Expr, node: &Doc, root: &Doc) -> bool {
    match expr {
        Expr::Or(a, b) => eval(a, node, root) || eval(b, node, root),
        Expr::And(a, b) => eval(a, node, root) && eval(b, node, root),
        Expr::Not(a) => !eval(a, node, root),
        Expr::Exists(op) => !operand_values(op, node, root).is_empty(),
        Expr::Compare(l, op, r) => {
            let left = operand_values(l, node, root);
            let right = operand_values(r, node, root);
            left.iter()
                .any(|a| right.iter().any(|b| compare(a, *op, b)))
        }
        Expr::Regex(l, re) => operand_values(l, node, root).iter().any(|v| match v {
            Doc::Str(s) => re.is_match(s),
            _ => false,
        }),
    }
}

fn number(d: &Doc) -> Option<f64> {
    match d {
        Doc::Int(i) => Some(*i as f64),
        Doc::Uint(u) => Some(*u as f64),
        Doc::Float(f) => Some(*f),
        _ => None,
    }
}

fn compare(a: &Doc, op: Op, b: &Doc) -> bool {
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return match op {
            Op::Eq => x == y,
            Op::Ne => x != y,
            Op::Lt => x < y,
            Op::Le => x <= y,
            Op::Gt => x > y,
            Op::Ge => x >= y,
        };
    }
    match (a, b, op) {
        (Doc::Str(x), Doc::Str(y), _) => match op {
            Op::Eq => x == y,
            Op::Ne => x != y,
            Op::Lt => x < y,
            Op::Le => x <= y,
            Op::Gt => x > y,
            Op::Ge => x >= y,
        },
        (_, _, Op::Eq) => deep_equal(a, b),
        (_, _, Op::Ne) => !deep_equal(a, b),
        _ => false,
    }
}

struct Parser<'t> {
    text: &'t str,
    chars: &'t [char],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: String) -> PathError {
        PathError {
            path: self.text.to_string(),
            at: self.pos,
            message,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|c| c == ' ' || c == '\t') {
            self.pos += 1;
        }
    }

    /// A path. At the top level a bare name may start it (`a.b`); inside filters a path ends at
    /// the first character that cannot continue it.
    fn path(&mut self, top: bool) -> Result<Path, PathError> {
        let mut steps = Vec::new();
        if top {
            self.eat('$');
            if let Some(c) = self.peek() {
                if c != '.' && c != '[' {
                    steps.push(self.dot_child()?);
                }
            }
        }
        loop {
            match self.peek() {
                Some('.') if self.peek_at(1) == Some('.') => {
                    self.pos += 2;
                    let inner = match self.peek() {
                        Some('[') => self.bracket()?,
                        Some(_) => self.dot_child()?,
                        None => return Err(self.error("expected a name after '..'".into())),
                    };
                    steps.push(Step::Recursive(Box::new(inner)));
                }
                Some('.') => {
                    self.pos += 1;
                    if self.peek() == Some('[') {
                        steps.push(self.bracket()?);
                    } else {
                        steps.push(self.dot_child()?);
                    }
                }
                Some('[') => steps.push(self.bracket()?),
                _ => break,
            }
        }
        Ok(Path { steps })
    }

    fn dot_child(&mut self) -> Result<Step, PathError> {
        if self.eat('*') {
            return Ok(Step::Wildcard);
        }
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == '.'
                || c == '['
                || c == ']'
                || c == ' '
                || c == ')'
                || c == '='
                || c == '!'
                || c == '<'
                || c == '>'
                || c == '&'
                || c == '|'
            {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error("expected a child name".into()));
        }
        Ok(Step::Children(vec![self.chars[start..self.pos]
            .iter()
            .collect()]))
    }

    fn bracket(&mut self) -> Result<Step, PathError> {
        let open = self.pos;
        self.pos += 1; // '['
        self.skip_spaces();
        let step = match self.peek() {
            Some('*') => {
                self.pos += 1;
                Step::Wildcard
            }
            Some('?') => {
                self.pos += 1;
                self.skip_spaces();
                if !self.eat('(') {
                    return Err(self.error("expected '(' after '?'".into()));
                }
                let expr = self.or_expr()?;
                self.skip_spaces();
                if !self.eat(')') {
                    return Err(self.error("expected ')' to close the filter".into()));
                }
                Step::Filter(Rc::new(expr))
            }
            Some('\'') | Some('"') => {
                let mut names = vec![self.quoted()?];
                loop {
                    self.skip_spaces();
                    if !self.eat(',') {
                        break;
                    }
                    self.skip_spaces();
                    names.push(self.quoted()?);
                }
                Step::Children(names)
            }
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => self.indexes_or_slice()?,
            Some(_) => {
                return Err(self.error(
                    "expected an index, a slice, '*', a quoted name or a filter inside '[ ]'"
                        .into(),
                ))
            }
            None => return Err(self.error("unclosed '['".into())),
        };
        self.skip_spaces();
        if !self.eat(']') {
            self.pos = self.pos.max(open);
            return Err(self.error("expected ']'".into()));
        }
        Ok(step)
    }

    fn quoted(&mut self) -> Result<String, PathError> {
        let quote = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(self.error("expected a quoted name".into())),
        };
        self.pos += 1;
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated quoted name".into())),
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c) => {
                            s.push(c);
                            self.pos += 1;
                        }
                        None => return Err(self.error("unterminated quoted name".into())),
                    }
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(s);
                }
                Some(c) => {
                    s.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn int(&mut self) -> Result<Option<i64>, PathError> {
        self.skip_spaces();
        let start = self.pos;
        self.eat('-');
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| self.error(format!("invalid index {text:?}")))
    }

    fn indexes_or_slice(&mut self) -> Result<Step, PathError> {
        let first = self.int()?;
        self.skip_spaces();
        if self.peek() == Some(':') {
            self.pos += 1;
            let end = self.int()?;
            self.skip_spaces();
            let step = if self.eat(':') { self.int()? } else { None };
            return Ok(Step::Slice(first, end, step));
        }
        let Some(first) = first else {
            return Err(self.error("expected an index".into()));
        };
        let mut indexes = vec![first];
        loop {
            self.skip_spaces();
            if !self.eat(',') {
                break;
            }
            match self.int()? {
                Some(i) => indexes.push(i),
                None => return Err(self.error("expected an index after ','".into())),
            }
        }
        Ok(Step::Indexes(indexes))
    }

    fn or_expr(&mut self) -> Result<Expr, PathError> {
        self.left_assoc('|', Self::and_expr, Expr::Or)
    }

    fn and_expr(&mut self) -> Result<Expr, PathError> {
        self.left_assoc('&', Self::unary, Expr::And)
    }

    /// `operand (op op operand)*`, grouped to the left (`||` and `&&`).
    fn left_assoc(
        &mut self,
        op: char,
        operand: fn(&mut Self) -> Result<Expr, PathError>,
        join: fn(Box<Expr>, Box<Expr>) -> Expr,
    ) -> Result<Expr, PathError> {
        let mut left = operand(self)?;
        loop {
            self.skip_spaces();
            if self.peek() == Some(op) && self.peek_at(1) == Some(op) {
                self.pos += 2;
                let right = operand(self)?;
                left = join(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, PathError> {
        self.skip_spaces();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat('(') {
            let inner = self.or_expr()?;
            self.skip_spaces();
            if !self.eat(')') {
                return Err(self.error("expected ')'".into()));
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        self.skip_spaces();
        let op = match (self.peek(), self.peek_at(1)) {
            (Some('='), Some('=')) => Some((Op::Eq, 2)),
            (Some('!'), Some('=')) => Some((Op::Ne, 2)),
            (Some('<'), Some('=')) => Some((Op::Le, 2)),
            (Some('>'), Some('=')) => Some((Op::Ge, 2)),
            (Some('<'), _) => Some((Op::Lt, 1)),
            (Some('>'), _) => Some((Op::Gt, 1)),
            (Some('='), Some('~')) => {
                self.pos += 2;
                self.skip_spaces();
                return Ok(Expr::Regex(left, self.regex()?));
            }
            _ => None,
        };
        match op {
            Some((op, width)) => {
                self.pos += width;
                let right = self.operand()?;
                Ok(Expr::Compare(left, op, right))
            }
            None => match left {
                Operand::Path { .. } => Ok(Expr::Exists(left)),
                Operand::Literal(_) => Err(self.error("expected a comparison".into())),
            },
        }
    }

    fn regex(&mut self) -> Result<regex::Regex, PathError> {
        if !self.eat('/') {
            return Err(self.error("expected '/' to start a regular expression".into()));
        }
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated regular expression".into())),
                Some('\\') if self.peek_at(1) == Some('/') => {
                    s.push('/');
                    self.pos += 2;
                }
                Some('/') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    s.push(c);
                    self.pos += 1;
                }
            }
        }
        regex::Regex::new(&s).map_err(|e| self.error(format!("invalid regular expression: {e}")))
    }

    fn operand(&mut self) -> Result<Operand, PathError> {
        self.skip_spaces();
        match self.peek() {
            Some('@') => {
                self.pos += 1;
                Ok(Operand::Path {
                    root: false,
                    path: self.path(false)?,
                })
            }
            Some('$') => {
                self.pos += 1;
                Ok(Operand::Path {
                    root: true,
                    path: self.path(false)?,
                })
            }
            Some('\'') | Some('"') => Ok(Operand::Literal(Doc::Str(Rc::from(self.quoted()?)))),
            Some(c) if c == '-' || c == '.' || c.is_ascii_digit() => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'))
                {
                    self.pos += 1;
                }
                let text: String = self.chars[start..self.pos].iter().collect();
                if let Ok(i) = text.parse::<i64>() {
                    return Ok(Operand::Literal(Doc::Int(i)));
                }
                text.parse::<f64>()
                    .map(|f| Operand::Literal(Doc::Float(f)))
                    .map_err(|_| self.error(format!("invalid number {text:?}")))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                match word.as_str() {
                    "true" => Ok(Operand::Literal(Doc::Bool(true))),
                    "false" => Ok(Operand::Literal(Doc::Bool(false))),
                    "null" => Ok(Operand::Literal(Doc::Null)),
                    _ => {
                        self.pos = start;
                        Err(self.error(format!("unexpected word {word:?} in filter")))
                    }
                }
            }
            _ => Err(self.error("expected '@', '$' or a literal in filter".into())),
        }
    }
}

/// A problem in a `set:` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetPathError(pub String);

impl std::fmt::Display for SetPathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

enum Cursor {
    Key(String),
    Index(usize),
}

/// `valueutils.BuildValueOfSetPath`: the nested maps (and lists) that put `value` at `path`.
pub fn set_path(path: &str, value: Doc) -> Result<Doc, SetPathError> {
    if path.is_empty() {
        return Err(SetPathError("set path is empty".into()));
    }
    let cursors = parse_set_path(path)?;
    Ok(build(&cursors, value))
}

fn build(cursors: &[Cursor], value: Doc) -> Doc {
    let Some((first, rest)) = cursors.split_first() else {
        return value;
    };
    let inner = build(rest, value);
    match first {
        Cursor::Key(k) => Doc::Map(vec![(Rc::from(k.as_str()), inner)]),
        Cursor::Index(i) => {
            let mut items = vec![Doc::Null; *i + 1];
            items[*i] = inner;
            Doc::Seq(items)
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Key,
    Index,
    Denotation,
    Escaping,
}

fn parse_set_path(path: &str) -> Result<Vec<Cursor>, SetPathError> {
    let err = |s: String| Err(SetPathError(s));
    let chars: Vec<char> = path.chars().collect();
    let mut pos = 0;
    let mut state = State::Key;
    let mut cursors = Vec::new();
    let mut escaped = String::new();
    loop {
        let start = pos;
        while pos < chars.len() && !matches!(chars[pos], '.' | '[' | ']' | ',' | '{' | '}' | '=') {
            pos += 1;
        }
        let k: String = chars[start..pos].iter().collect();
        if pos == chars.len() {
            return match state {
                State::Key if !k.is_empty() => {
                    cursors.push(Cursor::Key(k));
                    Ok(cursors)
                }
                State::Denotation if k.is_empty() => Ok(cursors),
                _ => err("unexpected end of".into()),
            };
        }
        let last = chars[pos];
        pos += 1;
        if matches!(last, ',' | '{' | '}' | '=') {
            return err(format!("invalid token found {last}"));
        }
        state = match state {
            State::Index => {
                if last != ']' {
                    return err("missing index value".into());
                }
                match k.parse::<usize>() {
                    Ok(i) => cursors.push(Cursor::Index(i)),
                    Err(_) => {
                        return err(format!(
                            "strconv.Atoi: parsing {}: invalid syntax",
                            go_quote(&k)
                        ))
                    }
                }
                State::Denotation
            }
            State::Denotation => match last {
                '.' => State::Key,
                '[' => State::Index,
                _ => return err(format!("invalid denotation token {last}")),
            },
            State::Key => match last {
                '.' => {
                    cursors.push(Cursor::Key(k));
                    State::Key
                }
                '[' if k.is_empty() => {
                    escaped.clear();
                    State::Escaping
                }
                '[' => {
                    cursors.push(Cursor::Key(k));
                    State::Index
                }
                _ => return err(format!("invalid key {last}")),
            },
            State::Escaping => match last {
                '.' => {
                    escaped.push_str(&k);
                    escaped.push('.');
                    State::Escaping
                }
                ']' => {
                    escaped.push_str(&k);
                    cursors.push(Cursor::Key(std::mem::take(&mut escaped)));
                    State::Denotation
                }
                _ => return err(format!("invalid escaping token {last}")),
            },
        };
    }
}

fn go_quote(s: &str) -> String {
    crate::template::printf::quote_go(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unittest::data::{emit, parse_one};

    fn find(doc: &str, path: &str) -> Vec<String> {
        let d = parse_one(doc).unwrap();
        Path::parse(path)
            .unwrap()
            .find(&d)
            .iter()
            .map(|v| emit(v).trim_end().to_string())
            .collect()
    }

    const DOC: &str = "metadata:\n  name: x\n  labels:\n    app.kubernetes.io/name: web\nspec:\n  containers:\n    - name: a\n      port: 80\n    - name: b\n      port: 8080\n";

    #[test]
    fn children_indexes_and_quotes() {
        assert_eq!(find(DOC, "metadata.name"), ["x"]);
        assert_eq!(find(DOC, "$.metadata.name"), ["x"]);
        assert_eq!(
            find(DOC, "metadata.labels[\"app.kubernetes.io/name\"]"),
            ["web"]
        );
        assert_eq!(
            find(DOC, "metadata.labels['app.kubernetes.io/name']"),
            ["web"]
        );
        assert_eq!(find(DOC, "spec.containers[1].name"), ["b"]);
        assert_eq!(find(DOC, "spec.containers[-1].name"), ["b"]);
        assert_eq!(find(DOC, "spec.containers[*].name"), ["a", "b"]);
        assert_eq!(find(DOC, "spec.containers[0:1].name"), ["a"]);
        assert_eq!(find(DOC, "..port"), ["80", "8080"]);
        assert!(find(DOC, "spec.missing").is_empty());
        assert!(find(DOC, "spec.containers[5]").is_empty());
        assert_eq!(find(DOC, "").len(), 1);
    }

    #[test]
    fn filters() {
        assert_eq!(
            find(DOC, "spec.containers[?(@.name == 'b')].port"),
            ["8080"]
        );
        assert_eq!(find(DOC, "spec.containers[?(@.port > 100)].name"), ["b"]);
        assert_eq!(
            find(
                DOC,
                "spec.containers[?(@.name =~ /^a/ || @.port == 8080)].name"
            ),
            ["a", "b"]
        );
        assert_eq!(find(DOC, "spec.containers[?(@.port)].name"), ["a", "b"]);
        assert_eq!(find(DOC, "spec.containers[?(!@.nope)].name"), ["a", "b"]);
        assert_eq!(
            find(DOC, "$[?(@.metadata.name == 'x')].metadata.name"),
            ["x"]
        );
        assert!(find(DOC, "$[?(@.metadata.name == 'y')].metadata.name").is_empty());
    }

    #[test]
    fn malformed_paths_are_errors() {
        for bad in ["a[", "a[x]", "a[?(@.b ==)]", "a..", "a[?(@.b =~ /(/)]"] {
            assert!(Path::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn set_paths_build_nested_values() {
        let v = set_path("a.b[1].c", Doc::Int(1)).unwrap();
        assert_eq!(emit(&v), "a:\n  b:\n    - null\n    - c: 1\n");
        let v = set_path("a.[x.y].z", Doc::Bool(true)).unwrap();
        assert_eq!(emit(&v), "a:\n  x.y:\n    z: true\n");
        assert!(set_path("a[x.y]", Doc::Null).is_err());
        assert!(set_path("a,b", Doc::Null).is_err());
        assert!(set_path("a.", Doc::Null).is_err());
        assert!(set_path("", Doc::Null).is_err());
    }
}
