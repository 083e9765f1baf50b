//! Shrinking a differing case: every one-step reduction of its trees (drop a file, a define, a
//! value, a node; replace a block by one of its bodies; replace an expression by a part of it or a
//! plain literal), tried in order; the first that still differs is kept, until none does.
use super::gen::{Case, Expr, Node, Val};

/// Smaller variants of `case`, smallest steps last.
pub fn variants(case: &Case) -> Vec<Case> {
    let mut out = Vec::new();
    if case.values.is_some() {
        out.push(Case {
            values: None,
            ..case.clone()
        });
    }
    for i in 0..case.templates.len() {
        if case.templates.len() > 1 {
            let mut c = case.clone();
            c.templates.remove(i);
            out.push(c);
        }
    }
    for i in 0..case.defines.len() {
        let mut c = case.clone();
        c.defines.remove(i);
        out.push(c);
    }
    for i in 0..case.templates.len() {
        for body in node_list_variants(&case.templates[i].1) {
            let mut c = case.clone();
            c.templates[i].1 = body;
            out.push(c);
        }
    }
    for i in 0..case.defines.len() {
        for body in node_list_variants(&case.defines[i].1) {
            let mut c = case.clone();
            c.defines[i].1 = body;
            out.push(c);
        }
    }
    if let Some(v) = &case.values {
        for v in val_variants(v) {
            out.push(Case {
                values: Some(v),
                ..case.clone()
            });
        }
    }
    for i in 0..case.subs.len() {
        let mut c = case.clone();
        c.subs.remove(i);
        out.push(c);
    }
    for i in 0..case.files.len() {
        let mut c = case.clone();
        c.files.remove(i);
        out.push(c);
    }
    if !case.chart_extra.is_empty() {
        let lines: Vec<&str> = case.chart_extra.lines().collect();
        out.push(Case {
            chart_extra: String::new(),
            ..case.clone()
        });
        for i in 0..lines.len() {
            let mut l = lines.clone();
            l.remove(i);
            out.push(Case {
                chart_extra: l.iter().map(|x| format!("{x}\n")).collect(),
                ..case.clone()
            });
        }
    }
    for i in 0..case.files.len() {
        if case.files[i].1.len() > 1 {
            let mut c = case.clone();
            c.files[i].1 = b"x".to_vec();
            out.push(c);
        }
    }
    for i in 0..case.subs.len() {
        for s in variants(&case.subs[i]) {
            let mut c = case.clone();
            c.subs[i] = s;
            out.push(c);
        }
    }
    out
}

fn val_variants(v: &Val) -> Vec<Val> {
    let mut out = Vec::new();
    match v {
        Val::Scalar(s) if s != "1" => out.push(Val::Scalar("1".into())),
        Val::Scalar(_) => {}
        Val::List(items) => {
            for i in 0..items.len() {
                let mut c = items.clone();
                c.remove(i);
                out.push(Val::List(c));
            }
            for i in 0..items.len() {
                for s in val_variants(&items[i]) {
                    let mut c = items.clone();
                    c[i] = s;
                    out.push(Val::List(c));
                }
            }
        }
        Val::Map(entries) => {
            for i in 0..entries.len() {
                let mut c = entries.clone();
                c.remove(i);
                out.push(Val::Map(c));
            }
            for i in 0..entries.len() {
                for s in val_variants(&entries[i].1) {
                    let mut c = entries.clone();
                    c[i].1 = s;
                    out.push(Val::Map(c));
                }
            }
        }
    }
    out
}

fn node_list_variants(nodes: &[Node]) -> Vec<Vec<Node>> {
    let mut out = Vec::new();
    for i in 0..nodes.len() {
        let mut c = nodes.to_vec();
        c.remove(i);
        out.push(c);
    }
    for i in 0..nodes.len() {
        // A block replaced by one of its bodies (spliced in).
        for body in bodies(&nodes[i]) {
            let mut c = nodes[..i].to_vec();
            c.extend(body);
            c.extend_from_slice(&nodes[i + 1..]);
            out.push(c);
        }
        for n in node_variants(&nodes[i]) {
            let mut c = nodes.to_vec();
            c[i] = n;
            out.push(c);
        }
    }
    out
}

fn bodies(n: &Node) -> Vec<Vec<Node>> {
    match n {
        Node::If(_, then, elifs, els) => {
            let mut v = vec![then.clone()];
            v.extend(elifs.iter().map(|(_, b)| b.clone()));
            v.extend(els.iter().cloned());
            v
        }
        Node::Range(_, _, body, els) | Node::With(_, body, els) => {
            let mut v = vec![body.clone()];
            v.extend(els.iter().cloned());
            v
        }
        _ => vec![],
    }
}

fn node_variants(n: &Node) -> Vec<Node> {
    let mut out = Vec::new();
    match n {
        Node::Text(t) if t.len() > 1 => out.push(Node::Text("x".into())),
        Node::Text(_) | Node::Comment(..) | Node::Break | Node::Continue => {}
        Node::Action(l, e, r) => {
            if *l || *r {
                out.push(Node::Action(false, e.clone(), false));
            }
            out.extend(
                expr_variants(e)
                    .into_iter()
                    .map(|e| Node::Action(*l, e, *r)),
            );
        }
        Node::Decl(v, a, e) => out.extend(
            expr_variants(e)
                .into_iter()
                .map(|e| Node::Decl(v.clone(), *a, e)),
        ),
        Node::Template(name, arg) => {
            if let Some(a) = arg {
                out.push(Node::Template(name.clone(), None));
                out.extend(
                    expr_variants(a)
                        .into_iter()
                        .map(|a| Node::Template(name.clone(), Some(a))),
                );
            }
        }
        Node::If(c, then, elifs, els) => {
            if !elifs.is_empty() {
                out.push(Node::If(c.clone(), then.clone(), vec![], els.clone()));
            }
            if els.is_some() {
                out.push(Node::If(c.clone(), then.clone(), elifs.clone(), None));
            }
            for e in expr_variants(c) {
                out.push(Node::If(e, then.clone(), elifs.clone(), els.clone()));
            }
            for b in node_list_variants(then) {
                out.push(Node::If(c.clone(), b, elifs.clone(), els.clone()));
            }
            if let Some(x) = els {
                for b in node_list_variants(x) {
                    out.push(Node::If(c.clone(), then.clone(), elifs.clone(), Some(b)));
                }
            }
        }
        Node::Range(vars, e, body, els) => {
            if els.is_some() {
                out.push(Node::Range(vars.clone(), e.clone(), body.clone(), None));
            }
            for x in expr_variants(e) {
                out.push(Node::Range(vars.clone(), x, body.clone(), els.clone()));
            }
            for b in node_list_variants(body) {
                out.push(Node::Range(vars.clone(), e.clone(), b, els.clone()));
            }
        }
        Node::With(e, body, els) => {
            if els.is_some() {
                out.push(Node::With(e.clone(), body.clone(), None));
            }
            for x in expr_variants(e) {
                out.push(Node::With(x, body.clone(), els.clone()));
            }
            for b in node_list_variants(body) {
                out.push(Node::With(e.clone(), b, els.clone()));
            }
            if let Some(x) = els {
                for b in node_list_variants(x) {
                    out.push(Node::With(e.clone(), body.clone(), Some(b)));
                }
            }
        }
    }
    out
}

fn expr_variants(e: &Expr) -> Vec<Expr> {
    let mut out = Vec::new();
    match e {
        Expr::Atom(a) => {
            if a != "1" && a != "\"\"" && !a.starts_with('$') {
                out.push(Expr::Atom("1".into()));
            }
        }
        Expr::Paren(inner) => {
            out.push((**inner).clone());
            out.extend(
                expr_variants(inner)
                    .into_iter()
                    .map(|x| Expr::Paren(Box::new(x))),
            );
        }
        Expr::Method(recv, name, args) => {
            if matches!(**recv, Expr::Method(..)) {
                out.push((**recv).clone());
            }
            for x in expr_variants(recv) {
                out.push(Expr::Method(Box::new(x), name.clone(), args.clone()));
            }
            for i in 0..args.len() {
                for x in expr_variants(&args[i]) {
                    let mut c = args.clone();
                    c[i] = x;
                    out.push(Expr::Method(recv.clone(), name.clone(), c));
                }
            }
        }
        Expr::Call(f, args) => {
            for a in args {
                if matches!(
                    a,
                    Expr::Call(..) | Expr::Paren(..) | Expr::Pipe(..) | Expr::Method(..)
                ) {
                    out.push(a.clone());
                }
            }
            for i in 0..args.len() {
                for x in expr_variants(&args[i]) {
                    let mut c = args.clone();
                    c[i] = x;
                    out.push(Expr::Call(f.clone(), c));
                }
            }
        }
        Expr::Pipe(stages) => {
            out.push(stages[0].clone());
            for i in 1..stages.len() {
                let mut c = stages.clone();
                c.remove(i);
                out.push(if c.len() == 1 {
                    c.pop().unwrap()
                } else {
                    Expr::Pipe(c)
                });
            }
            for i in 0..stages.len() {
                for x in expr_variants(&stages[i]) {
                    let mut c = stages.clone();
                    c[i] = x;
                    out.push(Expr::Pipe(c));
                }
            }
        }
    }
    out
}
