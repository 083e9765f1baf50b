//! The evaluator: Go's `text/template/exec.go` (go1.23) over our parse tree and values.
//!
//! It keeps Go's execution state model: a stack of variables (`$` plus declarations, popped at the
//! end of `if`/`with`/`range` bodies), the "current node" used for error locations, and Go's
//! distinction between a missing value (`reflect.Value{}`, printed `<no value>`) and a nil
//! `interface {}` held in a map or slice (field access on it fails with `nil pointer evaluating
//! interface {}.x`), see [`Rv`]. Function arguments are checked and converted by the callee's
//! [`Signature`] exactly as Go's reflection does, with Go's error texts.
//!
//! Deep recursion (`template` calling itself, nested `include`) runs on a growing stack (`stacker`),
//! so Go's limit `exceeded maximum template depth (100000)` is reached instead of a stack overflow.
use std::cell::Cell;
use std::rc::Rc;

use super::ast::{
    Action, Arg, Branch, Command, ListNode, Node, Number, Pipe, Pos, TemplateCall, Tree,
};
use super::builtins::{self, Builtin};
use super::error::{Error, ErrorSource};
use super::fmt::format_v;
use super::funcs::{CallCtx, Exec, FuncDef, FuncEnv, FuncError};
use super::types::GoType;
use super::value::{List, Map, MapKind, Object, UintKind, Value};
use super::{MissingKey, Templates};

/// Go's `maxExecDepth`.
pub const MAX_EXEC_DEPTH: usize = 100_000;

const STACK_RED_ZONE: usize = 128 * 1024;
const STACK_GROW: usize = 2 * 1024 * 1024;

/// A value during evaluation, with Go's reflect-level distinctions.
#[derive(Clone, Debug)]
pub(crate) enum Rv {
    /// No value (Go's invalid `reflect.Value`): a missing key under `missingkey=default`, an unset
    /// pipeline result, a nil that went through a pipeline.
    Invalid,
    /// A value of its own type.
    Direct(Value),
    /// A value held in an `interface {}` (a map value or slice element); may be nil.
    Boxed(Value),
}

impl Rv {
    fn direct(v: Value) -> Rv {
        if v.is_nil() {
            Rv::Invalid
        } else {
            Rv::Direct(v)
        }
    }

    /// Go's pipeline step "if the value has type interface{}, dig down one level".
    fn unwrap_interface(self) -> Rv {
        match self {
            Rv::Boxed(v) => Rv::direct(v),
            other => other,
        }
    }

    fn value(&self) -> Value {
        match self {
            Rv::Invalid => Value::Nil,
            Rv::Direct(v) | Rv::Boxed(v) => v.clone(),
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Rv::Invalid => false,
            Rv::Direct(v) | Rv::Boxed(v) => v.truthy(),
        }
    }
}

/// The node the evaluator is at, for error reports (Go's `state.node`).
#[derive(Clone, Copy)]
enum At<'t> {
    Action(&'t Action),
    Branch(&'t Branch, &'static str),
    Template(&'t TemplateCall),
    Pipe(&'t Pipe),
    Command(&'t Command),
    Arg(&'t Arg),
}

impl At<'_> {
    fn pos(&self) -> Pos {
        match self {
            At::Action(a) => a.pos,
            At::Branch(b, _) => b.pos,
            At::Template(t) => t.pos,
            At::Pipe(p) => p.pos,
            At::Command(c) => c.pos,
            At::Arg(a) => a.pos(),
        }
    }

    fn text(&self) -> String {
        match self {
            At::Action(a) => a.to_string(),
            At::Branch(b, kw) => b.display(kw).to_string(),
            At::Template(t) => t.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Command(c) => c.to_string(),
            At::Arg(a) => a.to_string(),
        }
    }
}

/// How a walk ended: normally or by `{{break}}`/`{{continue}}`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

type EResult<T> = Result<T, Error>;

/// What a call invokes.
enum Callee<'t> {
    Func(&'t FuncDef),
    Builtin(Builtin),
    Method(Rc<dyn Object>, Rc<str>, super::types::Signature),
}

/// Whether a call copies its arguments (Go parameters of type `any` or a concrete type). The builtins
/// taking `reflect.Value` (`and`, `or`, `not`, `len`, `index`, `slice`, `call`, the comparisons) get
/// the value itself, addressability included.
fn passes_by_value(callee: &Callee<'_>) -> bool {
    match callee {
        Callee::Func(_) | Callee::Method(..) => true,
        Callee::Builtin(b) => matches!(
            b,
            Builtin::Print
                | Builtin::Printf
                | Builtin::Println
                | Builtin::Html
                | Builtin::Js
                | Builtin::Urlquery
        ),
    }
}

/// One execution (Go's `state`).
pub(crate) struct State<'t> {
    set: &'t Templates,
    env: &'t FuncEnv,
    /// The executing template's name.
    name: Rc<str>,
    tree: &'t Tree,
    node: Option<At<'t>>,
    vars: Vec<(Rc<str>, Rv)>,
    depth: usize,
    out: String,
    fuel: &'t Cell<Option<u64>>,
    top: Rc<str>,
}

thread_local! {
    static DOLLAR: Rc<str> = Rc::from("$");
}

/// The name of the variable `$`, shared (every execution, `include`s included, starts with it). Only
/// executions hold it, never a parse tree, so it stays on this thread.
fn dollar() -> Rc<str> {
    DOLLAR.with(Rc::clone)
}

/// Executes the template `tree` of `set` with `data` as dot and `$`.
pub(crate) fn execute(
    set: &Templates,
    tree: &Tree,
    data: &Value,
    env: &FuncEnv,
    fuel: &Cell<Option<u64>>,
    top: Rc<str>,
) -> EResult<String> {
    let dot = Rv::direct(data.clone());
    let mut state = State {
        set,
        env,
        name: tree.name.clone(),
        tree,
        node: None,
        vars: vec![(dollar(), dot.clone())],
        depth: 0,
        out: String::with_capacity(256),
        fuel,
        top,
    };
    stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || {
        state.walk_list(&dot, &tree.root)
    })?;
    Ok(state.out)
}

/// [`execute`] that also returns what was written before an error, as Go's `Execute` has written
/// it to its writer by then (Helm's `get all --template` prints it).
pub(crate) fn execute_partial(
    set: &Templates,
    tree: &Tree,
    data: &Value,
    env: &FuncEnv,
) -> (String, EResult<()>) {
    let fuel = Cell::new(None);
    let dot = Rv::direct(data.clone());
    let mut state = State {
        set,
        env,
        name: tree.name.clone(),
        tree,
        node: None,
        vars: vec![(dollar(), dot.clone())],
        depth: 0,
        out: String::with_capacity(256),
        fuel: &fuel,
        top: tree.name.clone(),
    };
    let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || {
        state.walk_list(&dot, &tree.root)
    });
    (state.out, result.map(|_| ()))
}

fn go_type_name(t: &GoType) -> &str {
    t.go_name()
}

fn can_be_nil(t: &GoType) -> bool {
    match t {
        GoType::Interface
        | GoType::Bytes
        | GoType::SliceInterface
        | GoType::SliceString
        | GoType::SliceInt
        | GoType::MapStringInterface => true,
        GoType::Named(n) => n.starts_with('*') || n.starts_with("map[") || n.starts_with("[]"),
        _ => false,
    }
}

fn zero_value(t: &GoType) -> Value {
    match t {
        GoType::Bytes => Value::Bytes(Rc::from(&[][..])),
        GoType::SliceInterface => Value::List(List::nil(GoType::Interface)),
        GoType::SliceString => Value::List(List::nil(GoType::String)),
        GoType::SliceInt => Value::List(List::nil(GoType::INT)),
        // `nil` for a map parameter is a nil map: read as empty, but `set` on it panics.
        GoType::MapStringInterface => Value::Map(Map::nil(MapKind::StringInterface)),
        _ => Value::Nil,
    }
}

fn assignable(v: &Value, t: &GoType) -> bool {
    match (t, v) {
        (GoType::Interface, _) => true,
        (GoType::Bool, Value::Bool(_)) => true,
        (GoType::Int(k), Value::Int(_, k2)) => k == k2,
        (GoType::Uint(k), Value::Uint(_, k2)) => k == k2,
        (GoType::Float64, Value::Float(_)) => true,
        (GoType::String, Value::String(_)) => true,
        (GoType::Bytes, Value::Bytes(_)) => true,
        (GoType::SliceInterface, Value::List(l)) => *l.elem_type() == GoType::Interface,
        (GoType::SliceString, Value::List(l)) => *l.elem_type() == GoType::String,
        (GoType::SliceInt, Value::List(l)) => *l.elem_type() == GoType::INT,
        (GoType::MapStringInterface, Value::Map(m)) => {
            matches!(m.kind(), MapKind::StringInterface | MapKind::Values)
        }
        (GoType::Named(n), Value::Object(o)) => o.type_name() == *n,
        (GoType::Named(n), Value::Map(m)) => m.kind().go_name() == *n,
        _ => false,
    }
}

fn is_hex_int(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') && !s.contains(['p', 'P'])
}

impl<'t> State<'t> {
    fn at(&mut self, at: At<'t>) {
        self.node = Some(at);
    }

    fn errorf(&self, message: impl Into<String>) -> Error {
        match self.node {
            None => Error::exec_unlocated(&self.name, message),
            Some(at) => {
                let pos = at.pos();
                let (line, col) = self.tree.line_col(pos);
                Error::exec(
                    &self.tree.parse_name,
                    line,
                    col,
                    &self.name,
                    at.text(),
                    message,
                )
                .with_source_line(Some(self.tree.source_line(pos)))
            }
        }
    }

    fn burn(&mut self) -> EResult<()> {
        if let Some(left) = self.fuel.get() {
            if left == 0 {
                return Err(self.errorf("out of fuel"));
            }
            self.fuel.set(Some(left - 1));
        }
        Ok(())
    }

    // --- variables ---

    fn set_var(&mut self, name: &str, value: Rv) -> EResult<()> {
        for (n, v) in self.vars.iter_mut().rev() {
            if &**n == name {
                *v = value;
                return Ok(());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    fn set_top_var(&mut self, n: usize, value: Rv) {
        let len = self.vars.len();
        if let Some(slot) = self.vars.get_mut(len.wrapping_sub(n)) {
            slot.1 = value;
        }
    }

    fn var_value(&self, name: &str) -> EResult<Rv> {
        for (n, v) in self.vars.iter().rev() {
            if &**n == name {
                return Ok(v.clone());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    // --- walking ---

    fn walk_list(&mut self, dot: &Rv, list: &'t ListNode) -> EResult<Flow> {
        for node in &list.nodes {
            let flow = self.walk(dot, node)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Rv, node: &'t Node) -> EResult<Flow> {
        self.burn()?;
        match node {
            Node::Text { text, .. } => {
                self.out.push_str(text);
                Ok(Flow::Normal)
            }
            Node::Comment { .. } => Ok(Flow::Normal),
            Node::Action(a) => {
                self.at(At::Action(a));
                let val = self.eval_pipeline(dot, &a.pipe)?;
                if a.pipe.decl.is_empty() {
                    self.at(At::Action(a));
                    self.print_value(&val);
                }
                Ok(Flow::Normal)
            }
            Node::If(b) => {
                self.at(At::Branch(b, "if"));
                self.walk_if_or_with(false, dot, b)
            }
            Node::With(b) => {
                self.at(At::Branch(b, "with"));
                self.walk_if_or_with(true, dot, b)
            }
            Node::Range(b) => self.walk_range(dot, b),
            Node::Template(t) => {
                stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || self.walk_template(dot, t))?;
                Ok(Flow::Normal)
            }
            Node::Break(_) => Ok(Flow::Break),
            Node::Continue(_) => Ok(Flow::Continue),
        }
    }

    fn print_value(&mut self, v: &Rv) {
        match v {
            Rv::Invalid => self.out.push_str("<no value>"),
            Rv::Direct(v) | Rv::Boxed(v) => match v {
                Value::String(s) => self.out.push_str(s),
                Value::Nil => self.out.push_str("<no value>"),
                Value::Object(o) => self.out.push_str(&o.print_text()),
                other => self.out.push_str(&format_v(other)),
            },
        }
    }

    fn walk_if_or_with(&mut self, is_with: bool, dot: &Rv, b: &'t Branch) -> EResult<Flow> {
        let mark = self.vars.len();
        let result = (|| {
            let val = self.eval_pipeline(dot, &b.pipe)?;
            if val.truthy() {
                if is_with {
                    self.walk_list(&val, &b.list)
                } else {
                    self.walk_list(dot, &b.list)
                }
            } else if let Some(else_list) = &b.else_list {
                self.walk_list(dot, else_list)
            } else {
                Ok(Flow::Normal)
            }
        })();
        self.vars.truncate(mark);
        result
    }

    fn walk_range(&mut self, dot: &Rv, r: &'t Branch) -> EResult<Flow> {
        self.at(At::Branch(r, "range"));
        let mark = self.vars.len();
        let result = self.walk_range_inner(dot, r);
        self.vars.truncate(mark);
        result.map(|_| Flow::Normal)
    }

    fn range_iteration(
        &mut self,
        r: &'t Branch,
        body_mark: usize,
        index: Rv,
        elem: Rv,
    ) -> EResult<Flow> {
        let decl = &r.pipe.decl;
        if !decl.is_empty() {
            if r.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(&decl[0].1.clone(), index.clone())?;
                } else {
                    self.set_var(&decl[0].1.clone(), elem.clone())?;
                }
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if decl.len() > 1 {
            if r.pipe.is_assign {
                self.set_var(&decl[1].1.clone(), elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let flow = self.walk_list(&elem, &r.list);
        self.vars.truncate(body_mark);
        flow
    }

    fn walk_range_inner(&mut self, dot: &Rv, r: &'t Branch) -> EResult<()> {
        let val = self.eval_pipeline(dot, &r.pipe)?;
        let body_mark = self.vars.len();
        let value = match &val {
            Rv::Invalid => None,
            // A named slice type (`chartutil.VersionSet`) ranges like the slice it is.
            Rv::Direct(Value::Object(o)) | Rv::Boxed(Value::Object(o))
                if o.slice_items().is_some() =>
            {
                o.slice_items().map(Value::List)
            }
            Rv::Direct(v) | Rv::Boxed(v) => Some(v.clone()),
        };
        match value {
            Some(Value::List(l)) if !l.is_empty() => {
                let boxed = *l.elem_type() == GoType::Interface;
                for (i, item) in l.items().iter().enumerate() {
                    let elem = if boxed {
                        Rv::Boxed(item.clone())
                    } else {
                        Rv::direct(item.clone())
                    };
                    if self.range_iteration(r, body_mark, Rv::Direct(Value::int(i as i64)), elem)?
                        == Flow::Break
                    {
                        break;
                    }
                }
                return Ok(());
            }
            Some(Value::Bytes(b)) if !b.is_empty() => {
                for (i, byte) in b.iter().enumerate() {
                    let elem = Rv::Direct(Value::Uint(*byte as u64, UintKind::Uint8));
                    if self.range_iteration(r, body_mark, Rv::Direct(Value::int(i as i64)), elem)?
                        == Flow::Break
                    {
                        break;
                    }
                }
                return Ok(());
            }
            Some(Value::Map(m)) if !m.is_empty() => {
                let boxed = *m.kind() != MapKind::StringString;
                for (k, v) in m.entries() {
                    let elem = if boxed { Rv::Boxed(v) } else { Rv::direct(v) };
                    if self.range_iteration(r, body_mark, Rv::Direct(Value::String(k)), elem)?
                        == Flow::Break
                    {
                        break;
                    }
                }
                return Ok(());
            }
            Some(Value::List(_)) | Some(Value::Bytes(_)) | Some(Value::Map(_)) | None => {}
            Some(v @ (Value::Int(..) | Value::Uint(..))) if self.set.options().range_over_int => {
                if r.pipe.decl.len() > 1 {
                    return Err(self.errorf(format!(
                        "can't use {} to iterate over more than one variable",
                        format_v(&v)
                    )));
                }
                let n: i128 = match v {
                    Value::Int(i, _) => i as i128,
                    Value::Uint(u, _) => u as i128,
                    _ => 0,
                };
                if n > 0 {
                    for i in 0..n {
                        let elem = match v {
                            Value::Int(_, k) => Value::Int(i as i64, k),
                            Value::Uint(_, k) => Value::Uint(i as u64, k),
                            _ => Value::Nil,
                        };
                        if self.range_iteration(r, body_mark, Rv::Invalid, Rv::Direct(elem))?
                            == Flow::Break
                        {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Some(Value::Object(o)) if o.map_entries().is_some() => {
                let entries = o.map_entries().unwrap_or_default();
                if !entries.is_empty() {
                    for (k, v) in entries {
                        let elem = Rv::direct(v);
                        if self.range_iteration(r, body_mark, Rv::Direct(Value::String(k)), elem)?
                            == Flow::Break
                        {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Some(other) => {
                return Err(self.errorf(format!("range can't iterate over {}", format_v(&other))));
            }
        }
        if let Some(else_list) = &r.else_list {
            self.walk_list(dot, else_list)?;
        }
        Ok(())
    }

    fn walk_template(&mut self, dot: &Rv, t: &'t TemplateCall) -> EResult<()> {
        self.at(At::Template(t));
        let Some(tree) = self.set.tree(&t.name) else {
            return Err(self.errorf(format!(
                "template {} not defined",
                super::printf::quote_go(&t.name)
            )));
        };
        if self.depth >= MAX_EXEC_DEPTH {
            return Err(self.errorf(format!(
                "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
            )));
        }
        let new_dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Rv::Invalid,
        };
        let saved_name = std::mem::replace(&mut self.name, tree.name.clone());
        let saved_tree = std::mem::replace(&mut self.tree, tree);
        let saved_vars = std::mem::replace(&mut self.vars, vec![(dollar(), new_dot.clone())]);
        let saved_node = self.node;
        self.depth += 1;
        let result = self.walk_list(&new_dot, &tree.root);
        self.depth -= 1;
        self.name = saved_name;
        self.tree = saved_tree;
        self.vars = saved_vars;
        self.node = saved_node;
        result.map(|_| ())
    }

    // --- evaluation ---

    fn eval_pipeline(&mut self, dot: &Rv, pipe: &'t Pipe) -> EResult<Rv> {
        self.at(At::Pipe(pipe));
        let mut value: Option<Rv> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            value = Some(v.unwrap_interface());
        }
        let value = value.unwrap_or(Rv::Invalid);
        for (_, name) in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Rv>) -> EResult<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.errorf(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Rv, cmd: &'t Command, fin: Option<Rv>) -> EResult<Rv> {
        self.burn()?;
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                self.at(At::Arg(first));
                return self.eval_field_chain(
                    dot,
                    dot.clone(),
                    At::Arg(first),
                    idents,
                    Some(&cmd.args),
                    fin,
                );
            }
            Arg::Chain { .. } => return self.eval_chain_node(dot, first, Some(&cmd.args), fin),
            Arg::Identifier { .. } => {
                return self.eval_function(dot, first, At::Command(cmd), Some(&cmd.args), fin)
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                return stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || {
                    self.eval_pipeline(dot, p)
                });
            }
            Arg::Variable { .. } => {
                return self.eval_variable_node(dot, first, Some(&cmd.args), fin)
            }
            _ => {}
        }
        self.at(At::Arg(first));
        self.not_a_function(&cmd.args, &fin)?;
        match first {
            Arg::Bool(_, b) => Ok(Rv::Direct(Value::Bool(*b))),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Err(self.errorf("nil is not a command")),
            Arg::Number(n) => self.ideal_constant(first, n),
            Arg::String { text, .. } => Ok(Rv::Direct(Value::String(text.clone()))),
            _ => Err(self.errorf(format!(
                "can't evaluate command {}",
                super::printf::quote_go(&first.to_string())
            ))),
        }
    }

    fn ideal_constant(&mut self, arg: &'t Arg, n: &Number) -> EResult<Rv> {
        self.at(At::Arg(arg));
        if n.is_complex {
            let (re, im) = n.complex;
            return Ok(Rv::Direct(super::number::Complex128::value(re, im)));
        }
        if n.is_float
            && !is_hex_int(&n.text)
            && !n.text.starts_with('\'')
            && n.text.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Rv::Direct(Value::Float(n.float)));
        }
        if n.is_int {
            return Ok(Rv::Direct(Value::int(n.int)));
        }
        if n.is_uint {
            return Err(self.errorf(format!("{} overflows int", n.text)));
        }
        Ok(Rv::Invalid)
    }

    fn eval_chain_node(
        &mut self,
        dot: &Rv,
        chain: &'t Arg,
        args: Option<&'t [Arg]>,
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        self.at(At::Arg(chain));
        let Arg::Chain { node, fields, .. } = chain else {
            return Err(self.errorf("internal error: no fields in evalChainNode"));
        };
        if let Arg::Nil(_) = node.as_ref() {
            return Err(self.errorf(format!("indirection through explicit nil in {chain}")));
        }
        let pipe = self.eval_arg_untyped(dot, node)?;
        self.eval_field_chain(dot, pipe, At::Arg(chain), fields, args, fin)
    }

    /// Go's `evalArg(dot, nil, n)`: a chain's receiver.
    fn eval_arg_untyped(&mut self, dot: &Rv, n: &'t Arg) -> EResult<Rv> {
        self.at(At::Arg(n));
        match n {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Field { idents, .. } => self.eval_field_chain(
                dot,
                dot.clone(),
                At::Arg(n),
                idents,
                Some(std::slice::from_ref(n)),
                None,
            ),
            Arg::Variable { .. } => self.eval_variable_node(dot, n, None, None),
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Identifier { .. } => self.eval_function(dot, n, At::Arg(n), None, None),
            Arg::Chain { .. } => self.eval_chain_node(dot, n, None, None),
            _ => Err(self.errorf(format!("can't handle {n} for arg of type <nil>"))),
        }
    }

    fn eval_variable_node(
        &mut self,
        dot: &Rv,
        var: &'t Arg,
        args: Option<&'t [Arg]>,
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        self.at(At::Arg(var));
        let Arg::Variable { idents, .. } = var else {
            return Ok(Rv::Invalid);
        };
        let value = self.var_value(&idents[0])?;
        if idents.len() == 1 {
            self.not_a_function(args.unwrap_or(&[]), &fin)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, At::Arg(var), &idents[1..], args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Rv,
        mut receiver: Rv,
        node: At<'t>,
        idents: &'t [Rc<str>],
        args: Option<&'t [Arg]>,
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        let n = idents.len();
        for ident in &idents[..n - 1] {
            receiver = self.eval_field(dot, ident, node, None, None, receiver)?;
        }
        self.eval_field(dot, &idents[n - 1], node, args, fin, receiver)
    }

    fn eval_field(
        &mut self,
        dot: &Rv,
        field: &Rc<str>,
        node: At<'t>,
        args: Option<&'t [Arg]>,
        fin: Option<Rv>,
        receiver: Rv,
    ) -> EResult<Rv> {
        let (boxed, value) = match receiver {
            Rv::Invalid => {
                if self.set.options().missing_key == MissingKey::Error {
                    return Err(self.errorf(format!(
                        "nil data; no entry for key {}",
                        super::printf::quote_go(field)
                    )));
                }
                return Ok(Rv::Invalid);
            }
            Rv::Direct(v) => (false, v),
            Rv::Boxed(v) => (true, v),
        };
        // Only errors name the type.
        let type_name = |value: &Value| {
            if boxed {
                "interface {}".to_string()
            } else {
                value.type_name()
            }
        };
        if value.is_nil() {
            let type_name = type_name(&value);
            return Err(self.errorf(format!("nil pointer evaluating {type_name}.{field}")));
        }
        if let Value::Object(o) = &value {
            if let Some(sig) = o.method(field) {
                let callee = Callee::Method(o.clone(), field.clone(), sig);
                return self.eval_call(dot, callee, node, field, args, fin);
            }
        }
        let has_args = args.map_or(0, <[Arg]>::len) > 1 || fin.is_some();
        match &value {
            Value::Object(o) => {
                if let Some(v) = o.field(field) {
                    if has_args {
                        return Err(self.errorf(format!(
                            "{field} has arguments but cannot be invoked as function"
                        )));
                    }
                    return Ok(Rv::direct(v));
                }
            }
            Value::Map(m) => {
                if has_args {
                    return Err(self.errorf(format!("{field} is not a method but has arguments")));
                }
                let string_map = *m.kind() == MapKind::StringString;
                return match m.get(field) {
                    Some(v) if string_map => Ok(Rv::direct(v)),
                    Some(v) => Ok(Rv::Boxed(v)),
                    None => match self.set.options().missing_key {
                        MissingKey::Default => Ok(Rv::Invalid),
                        MissingKey::Zero if string_map => Ok(Rv::Direct(Value::str(""))),
                        MissingKey::Zero => Ok(Rv::Boxed(Value::Nil)),
                        MissingKey::Error => Err(self.errorf(format!(
                            "map has no entry for key {}",
                            super::printf::quote_go(field)
                        ))),
                    },
                };
            }
            _ => {}
        }
        let type_name = type_name(&value);
        Err(self.errorf(format!("can't evaluate field {field} in type {type_name}")))
    }

    fn eval_function(
        &mut self,
        dot: &Rv,
        ident: &'t Arg,
        cmd: At<'t>,
        args: Option<&'t [Arg]>,
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        self.at(At::Arg(ident));
        let Arg::Identifier { name, .. } = ident else {
            return Ok(Rv::Invalid);
        };
        let callee = if let Some(def) = self.set.funcs().get(name) {
            Callee::Func(def)
        } else if let Some(b) = Builtin::lookup(name) {
            Callee::Builtin(b)
        } else {
            return Err(self.errorf(format!(
                "{} is not a defined function",
                super::printf::quote_go(name)
            )));
        };
        self.eval_call(dot, callee, cmd, name, args, fin)
    }

    fn eval_call(
        &mut self,
        dot: &Rv,
        callee: Callee<'t>,
        node: At<'t>,
        name: &str,
        args: Option<&'t [Arg]>,
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        let args: &'t [Arg] = match args {
            Some(a) if !a.is_empty() => &a[1..],
            _ => &[],
        };
        let (fixed, variadic): (&'static [GoType], Option<GoType>) = match &callee {
            Callee::Func(def) => (def.sig.params, def.sig.variadic.clone()),
            Callee::Method(_, _, sig) => (sig.params, sig.variadic.clone()),
            Callee::Builtin(b) => {
                let sig = b.signature();
                (sig.params, sig.variadic)
            }
        };
        let num_in = args.len() + usize::from(fin.is_some());
        if variadic.is_some() {
            if num_in < fixed.len() {
                return Err(self.errorf(format!(
                    "wrong number of args for {name}: want at least {} got {}",
                    fixed.len(),
                    args.len()
                )));
            }
        } else if num_in != fixed.len() {
            return Err(self.errorf(format!(
                "wrong number of args for {name}: want {} got {num_in}",
                fixed.len()
            )));
        }
        if let Callee::Method(o, m, _) = &callee {
            if let Some(e) = o.bad_results(m) {
                return Err(self.errorf(e));
            }
        }
        if let Callee::Builtin(b @ (Builtin::And | Builtin::Or)) = callee {
            let want = b == Builtin::Or;
            let mut v = Rv::Invalid;
            for arg in args {
                v = self.eval_arg_rv(dot, arg)?;
                if v.truthy() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f;
            }
            return Ok(v);
        }
        let mut argv: Vec<Value> = Vec::with_capacity(num_in);
        // `len` of reflect's zero Value (a `nil` constant, a pipeline's nil result) fails on
        // `Type()`; `len` of a nil held in an interface (a field's nil) is "len of nil pointer".
        let is_len = matches!(callee, Callee::Builtin(Builtin::Len));
        let mut len_of_invalid = false;
        let mut i = 0;
        while i < fixed.len() && i < args.len() {
            if is_len {
                let rv = self.eval_arg_as_is(dot, &args[i])?;
                len_of_invalid = matches!(rv, Rv::Invalid);
                argv.push(self.validate_type(rv, &fixed[i])?);
            } else {
                argv.push(self.eval_arg(dot, &fixed[i], &args[i])?);
            }
            i += 1;
        }
        if let Some(elem) = &variadic {
            while i < args.len() {
                argv.push(self.eval_arg(dot, elem, &args[i])?);
                i += 1;
            }
        }
        if let Some(f) = fin {
            len_of_invalid = is_len && matches!(f, Rv::Invalid);
            let t = match &variadic {
                Some(elem) if num_in > fixed.len() => elem.clone(),
                Some(_) => fixed[num_in - 1].clone(),
                None => fixed[fixed.len() - 1].clone(),
            };
            argv.push(self.validate_type(f, &t)?);
        }
        if passes_by_value(&callee) {
            for arg in &mut argv {
                if let Value::Object(o) = arg {
                    if let Some(copy) = o.passed_by_value() {
                        *arg = copy;
                    }
                }
            }
        }
        // A function's result is a valid reflect.Value even when nil: its type is the declared
        // return type (`interface {}` for Sprig's `coalesce`, `default`, `first`…), so a nil result
        // given to a typed parameter is "wrong type for value; … got interface {}".
        let boxes_nil = matches!(callee, Callee::Func(_));
        let result = match callee {
            Callee::Func(def) => {
                let imp = def.imp;
                let env = self.env;
                let mut ctx = CallCtx { exec: self, env };
                imp(&mut ctx, argv)
            }
            Callee::Method(o, m, _) => o.call_method(&m, argv).map_err(FuncError::Msg),
            Callee::Builtin(_) if len_of_invalid => Err(FuncError::Msg(
                "reflect: call of reflect.Value.Type on zero Value".into(),
            )),
            Callee::Builtin(b) => {
                let first_text = || args.first().map(|a| a.to_string()).unwrap_or_default();
                builtins::call(b, argv, first_text).map_err(FuncError::Msg)
            }
        };
        match result {
            Ok(Value::Nil) if boxes_nil => Ok(Rv::Boxed(Value::Nil)),
            Ok(v) => Ok(Rv::direct(v)),
            Err(e) => {
                self.at(node);
                Err(match e {
                    FuncError::Msg(m) => self.errorf(format!("error calling {name}: {m}")),
                    FuncError::Abort(m) => self
                        .errorf(format!("error calling {name}: {m}"))
                        .with_source(ErrorSource::Abort(m)),
                    FuncError::Nested(inner) => self
                        .errorf(format!("error calling {name}: {inner}"))
                        .with_source(ErrorSource::Nested(*inner)),
                })
            }
        }
    }

    /// An argument of a builtin taking `reflect.Value` (`and`, `or`): the value as evaluated.
    fn eval_arg_rv(&mut self, dot: &Rv, n: &'t Arg) -> EResult<Rv> {
        self.at(At::Arg(n));
        match n {
            Arg::Nil(_) => Ok(Rv::Invalid),
            Arg::Bool(_, b) => Ok(Rv::Direct(Value::Bool(*b))),
            Arg::Number(num) => self.ideal_constant(n, num),
            Arg::String { text, .. } => Ok(Rv::Direct(Value::String(text.clone()))),
            _ => self.eval_arg_untyped(dot, n),
        }
    }

    /// An argument as evaluated, before any conversion to a parameter type (a `reflect.Value`
    /// parameter of a builtin).
    fn eval_arg_as_is(&mut self, dot: &Rv, n: &'t Arg) -> EResult<Rv> {
        match n {
            Arg::Pipe(p) => {
                self.at(At::Arg(n));
                stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || self.eval_pipeline(dot, p))
            }
            Arg::Dot(_)
            | Arg::Field { .. }
            | Arg::Variable { .. }
            | Arg::Identifier { .. }
            | Arg::Chain { .. } => self.eval_arg_untyped(dot, n),
            _ => {
                self.at(At::Arg(n));
                self.eval_arg_rv(dot, n)
            }
        }
    }

    fn validate_type(&self, value: Rv, t: &GoType) -> EResult<Value> {
        let (boxed, v) = match value {
            Rv::Invalid => {
                if can_be_nil(t) {
                    return Ok(zero_value(t));
                }
                return Err(self.errorf(format!("invalid value; expected {}", go_type_name(t))));
            }
            Rv::Direct(v) => (false, v),
            Rv::Boxed(v) => (true, v),
        };
        if *t == GoType::Interface {
            return Ok(v);
        }
        if boxed && v.is_nil() {
            return Err(self.errorf(format!(
                "wrong type for value; expected {}; got interface {{}}",
                go_type_name(t)
            )));
        }
        if v.is_nil() {
            if can_be_nil(t) {
                return Ok(zero_value(t));
            }
            return Err(self.errorf(format!("invalid value; expected {}", go_type_name(t))));
        }
        if assignable(&v, t) {
            // A named map type converts to the parameter's `map[string]interface {}`: what the
            // function returns of it (`set`, `unset`, `merge`) has the plain type.
            if let (GoType::MapStringInterface, Value::Map(m)) = (t, &v) {
                if *m.kind() != MapKind::StringInterface {
                    return Ok(Value::Map(m.as_plain()));
                }
            }
            return Ok(v);
        }
        Err(self.errorf(format!(
            "wrong type for value; expected {}; got {}",
            go_type_name(t),
            v.type_name()
        )))
    }

    fn eval_arg(&mut self, dot: &Rv, t: &GoType, n: &'t Arg) -> EResult<Value> {
        self.at(At::Arg(n));
        match n {
            Arg::Dot(_) => return self.validate_type(dot.clone(), t),
            Arg::Nil(_) => {
                if can_be_nil(t) {
                    return Ok(zero_value(t));
                }
                return Err(self.errorf(format!("cannot assign nil to {}", go_type_name(t))));
            }
            Arg::Field { idents, .. } => {
                let v = self.eval_field_chain(
                    dot,
                    dot.clone(),
                    At::Arg(n),
                    idents,
                    Some(std::slice::from_ref(n)),
                    None,
                )?;
                return self.validate_type(v, t);
            }
            Arg::Variable { .. } => {
                let v = self.eval_variable_node(dot, n, None, None)?;
                return self.validate_type(v, t);
            }
            Arg::Pipe(p) => {
                let v =
                    stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || self.eval_pipeline(dot, p))?;
                return self.validate_type(v, t);
            }
            Arg::Identifier { .. } => {
                let v = self.eval_function(dot, n, At::Arg(n), None, None)?;
                return self.validate_type(v, t);
            }
            Arg::Chain { .. } => {
                let v = self.eval_chain_node(dot, n, None, None)?;
                return self.validate_type(v, t);
            }
            _ => {}
        }
        match (t, n) {
            (GoType::Interface, _) => Ok(self.eval_arg_rv(dot, n)?.value()),
            (GoType::Bool, Arg::Bool(_, b)) => Ok(Value::Bool(*b)),
            (GoType::Bool, _) => Err(self.errorf(format!("expected bool; found {n}"))),
            (GoType::String, Arg::String { text, .. }) => Ok(Value::String(text.clone())),
            (GoType::String, _) => Err(self.errorf(format!("expected string; found {n}"))),
            (GoType::Int(k), Arg::Number(num)) if num.is_int => Ok(Value::Int(num.int, *k)),
            (GoType::Int(_), _) => Err(self.errorf(format!("expected integer; found {n}"))),
            (GoType::Uint(k), Arg::Number(num)) if num.is_uint => Ok(Value::Uint(num.uint, *k)),
            (GoType::Uint(_), _) => {
                Err(self.errorf(format!("expected unsigned integer; found {n}")))
            }
            (GoType::Float64, Arg::Number(num)) if num.is_float => Ok(Value::Float(num.float)),
            (GoType::Float64, _) => Err(self.errorf(format!("expected float; found {n}"))),
            // A constant for a named integer type (`$t.Add 3600000000000`).
            (GoType::Named("time.Duration"), Arg::Number(num)) if num.is_int => Ok(
                crate::template::funcs::sprig::date::DurationObject::value(num.int),
            ),
            (GoType::Named("time.Duration"), _) => {
                Err(self.errorf(format!("expected integer; found {n}")))
            }
            _ => Err(self.errorf(format!(
                "can't handle {n} for arg of type {}",
                go_type_name(t)
            ))),
        }
    }
}

impl Exec for State<'_> {
    fn execute_template(&mut self, name: &str, data: Value) -> Result<String, Error> {
        self.set
            .execute_nested(name, &data, self.env, self.fuel, self.top.clone())
    }

    fn parse_and_execute(&mut self, name: &str, text: &str, data: Value) -> Result<String, Error> {
        let mut clone = self.set.clone();
        // Go's `t.New(name).Parse(text)` then `Execute` runs the tree just parsed, even an empty one
        // that `AddParseTree` did not let replace a same-named template in the set (a `tpl` of a
        // comment inside another `tpl` prints nothing, not the outer text again).
        clone.trees.remove(name);
        clone.parse(name, text)?;
        clone.execute_nested(name, &data, self.env, self.fuel, self.top.clone())
    }

    fn top_name(&self) -> &str {
        &self.top
    }
}
