//! The generator of cases for the engine fuzz harness: a chart's values and templates, built as small
//! trees (so that the shrinker can take them apart) from a seeded random source.
//!
//! Templates cover text, actions with every trim marker, comments, variables (declared and
//! assigned), `if`/`else if`/`else`, `range` (with index/value variables, `else`, `break`,
//! `continue`), `with`/`else`, `define` in a helpers file, `template`, `include`, `tpl`, pipelines
//! with parenthesised commands, and the deterministic Sprig/Helm functions with arguments of every
//! kind (literals of each Go kind, fields of the values, variables, nested calls). Values are nested
//! maps and lists of every YAML scalar style. Functions whose output changes from run to run
//! (`now`, `rand*`, `uuidv4`, key generation, `env`) are not generated.

/// splitmix64: small, seedable, the same everywhere.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A values tree; scalars hold their YAML text.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Scalar(String),
    List(Vec<Val>),
    Map(Vec<(String, Val)>),
}

/// An expression (an operand or a pipeline).
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// Literal text as written: `1`, `"s"`, `nil`, `.Values.a`, `$x`, `.`.
    Atom(String),
    /// `fn arg...`
    Call(String, Vec<Expr>),
    /// `a | b | c` (each stage after the first is a call, the piped value its last argument).
    Pipe(Vec<Expr>),
    /// `( expr )`
    Paren(Box<Expr>),
}

/// A template node.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Text(String),
    /// `{{ pipe }}` with trim markers.
    Action(bool, Expr, bool),
    Comment(bool, bool),
    /// `{{ $v := pipe }}` or `{{ $v = pipe }}`.
    Decl(String, bool, Expr),
    If(Expr, Vec<Node>, Vec<(Expr, Vec<Node>)>, Option<Vec<Node>>),
    /// vars (`$i, $v :=`), pipe, body, else.
    Range(Vec<String>, Expr, Vec<Node>, Option<Vec<Node>>),
    With(Expr, Vec<Node>, Option<Vec<Node>>),
    Template(String, Option<Expr>),
    Break,
    Continue,
}

/// One generated chart: values and templates (`templates/` paths → nodes). Defines live in
/// `templates/_helpers.tpl` as (name, body).
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub values: Option<Val>,
    pub defines: Vec<(String, Vec<Node>)>,
    pub templates: Vec<(String, Vec<Node>)>,
}

pub const CHART_YAML: &str = "apiVersion: v2\nname: case\nversion: 0.1.0\n";

impl Case {
    /// The chart's files as the loader takes them.
    pub fn files(&self) -> Vec<(String, String)> {
        let mut files = vec![("Chart.yaml".to_string(), CHART_YAML.to_string())];
        if let Some(v) = &self.values {
            files.push(("values.yaml".into(), values_yaml(v)));
        }
        if !self.defines.is_empty() {
            let mut text = String::new();
            for (name, body) in &self.defines {
                text.push_str(&format!("{{{{- define {name:?} }}}}"));
                write_nodes(body, &mut text);
                text.push_str("{{ end }}\n");
            }
            files.push(("templates/_helpers.tpl".into(), text));
        }
        for (name, body) in &self.templates {
            let mut text = String::new();
            write_nodes(body, &mut text);
            files.push((format!("templates/{name}"), text));
        }
        files
    }

    /// The same chart with each template's body moved into a define and the template printing
    /// `include … | toJson`, so that `helm template` can read whatever the body renders as YAML (a
    /// differential case keeps its difference visible through `helm template`).
    pub fn wrapped(&self) -> Case {
        let mut case = self.clone();
        case.templates.clear();
        for (i, (name, body)) in self.templates.iter().enumerate() {
            let define = format!("body{i}");
            case.defines.push((define.clone(), body.clone()));
            case.templates.push((
                name.clone(),
                vec![
                    Node::Text("out: ".into()),
                    Node::Action(
                        false,
                        Expr::Pipe(vec![
                            Expr::Call(
                                "include".into(),
                                vec![Expr::Atom(format!("{define:?}")), Expr::Atom(".".into())],
                            ),
                            Expr::Call("toJson".into(), vec![]),
                        ]),
                        false,
                    ),
                    Node::Text("\n".into()),
                ],
            ));
        }
        case
    }
}

// ---- writing -------------------------------------------------------------------------------------

fn values_yaml(v: &Val) -> String {
    let mut out = String::new();
    match v {
        Val::Map(entries) if !entries.is_empty() => write_block_map(entries, 0, &mut out),
        other => {
            out.push_str(&flow(other));
            out.push('\n');
        }
    }
    out
}

fn write_block_map(entries: &[(String, Val)], indent: usize, out: &mut String) {
    for (k, v) in entries {
        out.push_str(&" ".repeat(indent));
        out.push_str(k);
        out.push(':');
        match v {
            Val::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                write_block_map(inner, indent + 2, out);
            }
            Val::List(items) if !items.is_empty() => {
                out.push('\n');
                for item in items {
                    out.push_str(&" ".repeat(indent));
                    out.push_str("- ");
                    out.push_str(&flow(item));
                    out.push('\n');
                }
            }
            other => {
                out.push(' ');
                out.push_str(&flow(other));
                out.push('\n');
            }
        }
    }
}

fn flow(v: &Val) -> String {
    match v {
        Val::Scalar(s) => s.clone(),
        Val::List(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Val::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub fn write_expr(e: &Expr, out: &mut String) {
    match e {
        Expr::Atom(a) => out.push_str(a),
        Expr::Call(f, args) => {
            out.push_str(f);
            for a in args {
                out.push(' ');
                write_arg(a, out);
            }
        }
        Expr::Pipe(stages) => {
            for (i, s) in stages.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                write_expr(s, out);
            }
        }
        Expr::Paren(inner) => {
            out.push('(');
            write_expr(inner, out);
            out.push(')');
        }
    }
}

/// An argument: calls and pipelines need parentheses.
fn write_arg(e: &Expr, out: &mut String) {
    match e {
        Expr::Call(_, args) if !args.is_empty() => {
            out.push('(');
            write_expr(e, out);
            out.push(')');
        }
        Expr::Pipe(_) => {
            out.push('(');
            write_expr(e, out);
            out.push(')');
        }
        _ => write_expr(e, out),
    }
}

fn open(trim: bool) -> &'static str {
    if trim {
        "{{- "
    } else {
        "{{ "
    }
}
fn close(trim: bool) -> &'static str {
    if trim {
        " -}}"
    } else {
        " }}"
    }
}

pub fn write_nodes(nodes: &[Node], out: &mut String) {
    for n in nodes {
        write_node(n, out);
    }
}

fn write_node(n: &Node, out: &mut String) {
    match n {
        Node::Text(t) => out.push_str(t),
        Node::Action(l, e, r) => {
            out.push_str(open(*l));
            write_expr(e, out);
            out.push_str(close(*r));
        }
        Node::Comment(l, r) => {
            out.push_str(if *l { "{{- /* c */" } else { "{{/* c */" });
            out.push_str(if *r { " -}}" } else { "}}" });
        }
        Node::Decl(v, assign, e) => {
            out.push_str("{{ ");
            out.push_str(v);
            out.push_str(if *assign { " = " } else { " := " });
            write_expr(e, out);
            out.push_str(" }}");
        }
        Node::If(cond, then, elifs, els) => {
            out.push_str("{{ if ");
            write_expr(cond, out);
            out.push_str(" }}");
            write_nodes(then, out);
            for (c, body) in elifs {
                out.push_str("{{ else if ");
                write_expr(c, out);
                out.push_str(" }}");
                write_nodes(body, out);
            }
            if let Some(e) = els {
                out.push_str("{{ else }}");
                write_nodes(e, out);
            }
            out.push_str("{{ end }}");
        }
        Node::Range(vars, e, body, els) => {
            out.push_str("{{- range ");
            if !vars.is_empty() {
                out.push_str(&vars.join(", "));
                out.push_str(" := ");
            }
            write_expr(e, out);
            out.push_str(" }}");
            write_nodes(body, out);
            if let Some(x) = els {
                out.push_str("{{ else }}");
                write_nodes(x, out);
            }
            out.push_str("{{ end }}");
        }
        Node::With(e, body, els) => {
            out.push_str("{{ with ");
            write_expr(e, out);
            out.push_str(" }}");
            write_nodes(body, out);
            if let Some(x) = els {
                out.push_str("{{ else }}");
                write_nodes(x, out);
            }
            out.push_str("{{ end }}");
        }
        Node::Template(name, arg) => {
            out.push_str(&format!("{{{{ template {name:?}"));
            if let Some(a) = arg {
                out.push(' ');
                write_expr(a, out);
            }
            out.push_str(" }}");
        }
        Node::Break => out.push_str("{{ break }}"),
        Node::Continue => out.push_str("{{ continue }}"),
    }
}

// ---- generating ----------------------------------------------------------------------------------

const KEYS: &[&str] = &["a", "b", "name", "list", "m", "n", "s", "on", "x1", "empty"];

const SCALARS: &[&str] = &[
    "0",
    "1",
    "-2",
    "42",
    "1.5",
    "-0.25",
    "1e3",
    "2.0",
    "0x1F",
    "0o17",
    "017",
    "12345678901234567890",
    "9007199254740993",
    "true",
    "false",
    "yes",
    "null",
    "~",
    "\"\"",
    "hello",
    "Hello World",
    "\"42\"",
    "'single'",
    "\"a\\tb\"",
    "\"é ü 日本\"",
    ".inf",
    "-.Inf",
    ".nan",
    "2006-01-02",
    "\"2024-03-04T05:06:07Z\"",
    "1:20",
    "\" padded \"",
    "\"multi\\nline\"",
    "\"{{ .Release.Name }}\"",
    "\"x,y,z\"",
    "\"CamelCase_snake-kebab\"",
    "\"1.2.3\"",
    "\"<&>\"",
];

pub fn gen_values(rng: &mut Rng, depth: usize) -> Val {
    if depth == 0 {
        let n = 1 + rng.below(6);
        let mut entries = Vec::new();
        for _ in 0..n {
            let k = rng.pick(KEYS).to_string();
            if entries.iter().any(|(e, _)| *e == k) {
                continue;
            }
            entries.push((k, gen_values(rng, depth + 1)));
        }
        return Val::Map(entries);
    }
    match rng.below(if depth > 3 { 1 } else { 8 }) {
        0..=4 => Val::Scalar(rng.pick(SCALARS).to_string()),
        5 => Val::List(
            (0..rng.below(4))
                .map(|_| gen_values(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let n = rng.below(4);
            let mut entries = Vec::new();
            for _ in 0..n {
                let k = rng.pick(KEYS).to_string();
                if entries.iter().any(|(e, _)| *e == k) {
                    continue;
                }
                entries.push((k, gen_values(rng, depth + 1)));
            }
            Val::Map(entries)
        }
    }
}

/// Field paths into the values (`.Values.a.b`), plus a few missing ones.
fn paths(v: &Val, prefix: &str, out: &mut Vec<String>) {
    if let Val::Map(entries) = v {
        for (k, v) in entries {
            let p = format!("{prefix}.{k}");
            out.push(p.clone());
            paths(v, &p, out);
        }
    }
}

/// Argument kinds of the function signatures below.
///   s string, i int, f float, b bool, l list, m map, a any, t template name, * any (repeated)
const FUNCS: &[(&str, &str)] = &[
    // strings
    ("upper", "s"),
    ("lower", "s"),
    ("title", "s"),
    ("untitle", "s"),
    ("trim", "s"),
    ("trimAll", "ss"),
    ("trimPrefix", "ss"),
    ("trimSuffix", "ss"),
    ("repeat", "is"),
    ("substr", "iis"),
    ("nospace", "s"),
    ("trunc", "is"),
    ("abbrev", "is"),
    ("abbrevboth", "iis"),
    ("initials", "s"),
    ("wrap", "is"),
    ("wrapWith", "iss"),
    ("contains", "ss"),
    ("hasPrefix", "ss"),
    ("hasSuffix", "ss"),
    ("quote", "*"),
    ("squote", "*"),
    ("cat", "*"),
    ("indent", "is"),
    ("nindent", "is"),
    ("replace", "sss"),
    ("plural", "ssi"),
    ("snakecase", "s"),
    ("camelcase", "s"),
    ("kebabcase", "s"),
    ("swapcase", "s"),
    ("regexMatch", "ss"),
    ("regexFind", "ss"),
    ("regexFindAll", "ssi"),
    ("regexReplaceAll", "sss"),
    ("regexReplaceAllLiteral", "sss"),
    ("regexSplit", "ssi"),
    ("regexQuoteMeta", "s"),
    ("toString", "a"),
    ("toStrings", "a"),
    ("splitList", "ss"),
    ("split", "ss"),
    ("splitn", "sis"),
    ("join", "sl"),
    ("sortAlpha", "l"),
    ("printf", "s*"),
    ("print", "*"),
    ("println", "*"),
    ("html", "*"),
    ("js", "*"),
    ("urlquery", "*"),
    ("sha1sum", "s"),
    ("sha256sum", "s"),
    ("adler32sum", "s"),
    ("b64enc", "s"),
    ("b64dec", "s"),
    ("b32enc", "s"),
    ("b32dec", "s"),
    ("base", "s"),
    ("dir", "s"),
    ("ext", "s"),
    ("clean", "s"),
    ("isAbs", "s"),
    // numbers
    ("atoi", "s"),
    ("int", "a"),
    ("int64", "a"),
    ("float64", "a"),
    ("add", "ii"),
    ("add1", "i"),
    ("sub", "ii"),
    ("mul", "ii"),
    ("div", "ii"),
    ("mod", "ii"),
    ("max", "ii"),
    ("min", "ii"),
    ("floor", "f"),
    ("ceil", "f"),
    ("round", "fi"),
    ("addf", "ff"),
    ("subf", "ff"),
    ("mulf", "ff"),
    ("divf", "ff"),
    ("maxf", "ff"),
    ("minf", "ff"),
    ("until", "i"),
    ("untilStep", "iii"),
    ("seq", "ii"),
    // lists and dicts
    ("len", "a"),
    ("list", "*"),
    ("dict", "sasa"),
    ("get", "ms"),
    ("set", "msa"),
    ("unset", "ms"),
    ("hasKey", "ms"),
    ("pluck", "sm"),
    ("keys", "m"),
    ("values", "m"),
    ("pick", "ms"),
    ("omit", "ms"),
    ("merge", "mm"),
    ("mergeOverwrite", "mm"),
    ("deepCopy", "a"),
    ("first", "l"),
    ("last", "l"),
    ("rest", "l"),
    ("initial", "l"),
    ("append", "la"),
    ("prepend", "la"),
    ("concat", "ll"),
    ("reverse", "l"),
    ("uniq", "l"),
    ("without", "la"),
    ("has", "al"),
    ("compact", "l"),
    ("slice", "lii"),
    ("index", "aa"),
    ("dig", "ssam"),
    // logic and types
    ("default", "aa"),
    ("empty", "a"),
    ("coalesce", "*"),
    ("ternary", "aab"),
    ("eq", "aa"),
    ("ne", "aa"),
    ("lt", "aa"),
    ("le", "aa"),
    ("gt", "aa"),
    ("ge", "aa"),
    ("and", "*"),
    ("or", "*"),
    ("not", "a"),
    ("kindOf", "a"),
    ("typeOf", "a"),
    ("kindIs", "sa"),
    ("typeIs", "sa"),
    ("deepEqual", "aa"),
    ("required", "sa"),
    ("fail", "s"),
    // serialisers
    ("toJson", "a"),
    ("toPrettyJson", "a"),
    ("toRawJson", "a"),
    ("fromJson", "s"),
    ("fromJsonArray", "s"),
    ("toYaml", "a"),
    ("toYamlPretty", "a"),
    ("fromYaml", "s"),
    ("fromYamlArray", "s"),
    ("toToml", "a"),
    // semver and dates (fixed inputs only)
    ("semver", "s"),
    ("semverCompare", "ss"),
    ("toDate", "ss"),
    // `date`/`dateInZone` of anything but a time or an integer format the current time: they
    // only get `toDate` results (see `Gen::call`).
    ("date", "sd"),
    ("dateInZone", "sds"),
    ("duration", "a"),
    ("durationRound", "a"),
    // Helm
    ("include", "ta"),
    ("tpl", "sa"),
    ("lookup", "ssss"),
];

const STRING_LITS: &[&str] = &[
    "\"\"",
    "\"a\"",
    "\"hello world\"",
    "\"a,b,c\"",
    "\",\"",
    "\"-\"",
    "\"%v\"",
    "\"%s-%d\"",
    "\"%q %x\"",
    "\"%05.2f\"",
    "\"%T\"",
    "\"x\"",
    "\"1.2.3\"",
    "\">=1.0.0\"",
    "\"^1.2\"",
    "\"2006-01-02\"",
    "\"2024-03-04\"",
    "\"UTC\"",
    "\"a.b\"",
    "\"aGVsbG8=\"",
    "\"NBSWY3DP\"",
    "\"[a-z]+\"",
    "\"(x)\"",
    "\"{\\\"a\\\": 1}\"",
    "\"[1, 2.5, \\\"x\\\"]\"",
    "\"a: 1\\nb: [x]\"",
    "\"- 1\\n- two\"",
    "\"10m\"",
    "\"é日本\"",
    "\"\\t tab\\n\"",
    "`raw {{ x }}`",
    "\"string\"",
    "\"map\"",
    "\"int\"",
    "\"float64\"",
    "\"/a/b.txt\"",
    "\"../x/./y\"",
    "\"Values\"",
    "\"v1\"",
    "\"ConfigMap\"",
];

const INT_LITS: &[&str] = &[
    "0", "1", "2", "3", "5", "-1", "-3", "10", "0x10", "0o7", "017", "1_000", "'a'", "'\\n'",
    "255", "-0",
];
const FLOAT_LITS: &[&str] = &[
    "1.5", "-2.5", "0.0", "1e2", "2.675", ".5", "1e-3", "3.0", "0x1p4",
];
const OTHER_LITS: &[&str] = &["true", "false", "nil", "1i", "2.5i"];

pub struct Gen<'r> {
    pub rng: &'r mut Rng,
    paths: Vec<String>,
    vars: Vec<String>,
    defines: Vec<String>,
    in_range: bool,
    depth: usize,
    in_define: bool,
}

impl<'r> Gen<'r> {
    fn literal(&mut self, kind: char) -> Expr {
        let s = match kind {
            's' => *self.rng.pick(STRING_LITS),
            'i' => *self.rng.pick(INT_LITS),
            'f' => *self.rng.pick(FLOAT_LITS),
            'b' => *self.rng.pick(&["true", "false"]),
            'd' => {
                let layout = *self.rng.pick(&[
                    "\"2006-01-02\"",
                    "\"2006-01-02T15:04:05Z07:00\"",
                    "\"02 Jan 06 15:04 MST\"",
                ]);
                let text = *self
                    .rng
                    .pick(&["\"2024-03-04\"", "\"2024-13-40\"", "\"1999-12-31\""]);
                return Expr::Call(
                    "toDate".into(),
                    vec![Expr::Atom(layout.into()), Expr::Atom(text.into())],
                );
            }
            't' => {
                if !self.defines.is_empty() && self.rng.chance(85) {
                    let d = self.rng.pick(&self.defines).clone();
                    return Expr::Atom(format!("{d:?}"));
                }
                "\"missing\""
            }
            _ => {
                let all = [STRING_LITS, INT_LITS, FLOAT_LITS, OTHER_LITS];
                let set = all[self.rng.below(all.len())];
                set[self.rng.below(set.len())]
            }
        };
        Expr::Atom(s.to_string())
    }

    fn field(&mut self) -> Expr {
        let roots = [
            ".Release.Name",
            ".Release.Namespace",
            ".Release.Revision",
            ".Release.IsInstall",
            ".Chart.Name",
            ".Chart.Version",
            ".Chart",
            ".Template.Name",
            ".Template.BasePath",
            ".Capabilities.KubeVersion.Version",
            ".Capabilities.KubeVersion.Minor",
            ".Capabilities.APIVersions",
            ".Values",
            ".Values.missing",
            ".Values.missing.deeper",
            "$.Values",
            ".Files",
        ];
        // `.` and `$` stand for the whole context only where a template wants it (the argument of
        // `include`/`template`/`tpl`): printed or hashed, Go shows the address of
        // `.Capabilities`, which no other program can reproduce.
        if self.in_range && self.rng.chance(30) {
            return Expr::Atom(".".into());
        }
        if !self.paths.is_empty() && self.rng.chance(65) {
            let p = self.rng.pick(&self.paths).clone();
            let base = if self.in_range || self.in_define {
                if self.rng.chance(50) {
                    "$.Values"
                } else {
                    ".Values"
                }
            } else {
                ".Values"
            };
            return Expr::Atom(format!("{base}{p}"));
        }
        Expr::Atom(self.rng.pick(&roots).to_string())
    }

    /// An operand suited to `kind` most of the time, anything otherwise.
    fn operand(&mut self, kind: char) -> Expr {
        self.depth += 1;
        let e = if self.depth > 3 {
            if self.rng.chance(50) {
                self.literal(kind)
            } else {
                self.field()
            }
        } else {
            match self.rng.below(10) {
                0..=3 => {
                    let k = if self.rng.chance(80) { kind } else { 'a' };
                    self.literal(k)
                }
                4..=5 => self.field(),
                6 if !self.vars.is_empty() => Expr::Atom(self.rng.pick(&self.vars).clone()),
                7 => {
                    let c = self.call();
                    Expr::Paren(Box::new(c))
                }
                _ => self.call(),
            }
        };
        self.depth -= 1;
        e
    }

    fn call(&mut self) -> Expr {
        let (name, sig) = *self.rng.pick(FUNCS);
        let mut args = Vec::new();
        for k in sig.chars() {
            if k == '*' {
                for _ in 0..self.rng.below(4) {
                    args.push(self.operand('a'));
                }
            } else if k == 'd' {
                args.push(self.literal('d'));
            } else {
                args.push(self.operand(k));
            }
        }
        // Sometimes one argument too few or too many.
        if self.rng.chance(5) {
            if self.rng.chance(50) {
                args.pop();
            } else {
                args.push(self.operand('a'));
            }
        }
        if matches!(name, "include" | "tpl") && self.rng.chance(70) {
            if let Some(last) = args.last_mut() {
                *last = Expr::Atom(if self.rng.chance(50) { "." } else { "$" }.into());
            }
        }
        if name == "tpl" {
            if let Some(first) = args.first_mut() {
                if self.rng.chance(70) {
                    *first = Expr::Atom(format!("{:?}", self.inner_template()));
                }
            }
        }
        Expr::Call(name.to_string(), args)
    }

    /// Template text for `tpl`.
    fn inner_template(&mut self) -> String {
        let saved = std::mem::take(&mut self.vars);
        let depth = self.depth;
        self.depth = 3;
        let nodes = self.nodes(2);
        self.depth = depth;
        self.vars = saved;
        let mut s = String::new();
        write_nodes(&nodes, &mut s);
        s
    }

    pub fn pipeline(&mut self) -> Expr {
        let first = self.operand('a');
        if self.rng.chance(60) {
            return first;
        }
        let mut stages = vec![first];
        for _ in 0..1 + self.rng.below(2) {
            // A call whose last argument comes from the pipe.
            let mut c = self.call();
            if let Expr::Call(name, args) = &mut c {
                if name.starts_with("date") {
                    // A piped value in the date's place would format the current time.
                    *name = "quote".into();
                }
                args.pop();
            }
            stages.push(c);
        }
        Expr::Pipe(stages)
    }

    fn text(&mut self) -> Node {
        let texts = [
            "x", " ", "\n", "  \n", "key: ", "\n- ", "\t", "# c\n", "a b", "<&>", "é", "---\n",
        ];
        Node::Text(self.rng.pick(&texts).to_string())
    }

    fn fresh_var(&mut self) -> String {
        format!("$v{}", self.vars.len())
    }

    fn block<T>(&mut self, body: impl FnOnce(&mut Self) -> T) -> T {
        let n = self.vars.len();
        let r = body(self);
        self.vars.truncate(n);
        r
    }

    pub fn nodes(&mut self, budget: usize) -> Vec<Node> {
        let n = 1 + self.rng.below(budget.max(1));
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(self.node(budget / 2));
        }
        out
    }

    fn node(&mut self, budget: usize) -> Node {
        let nested = budget > 0 && self.depth < 3;
        match self.rng.below(if nested { 20 } else { 10 }) {
            0..=2 => self.text(),
            3..=6 => {
                let l = self.rng.chance(25);
                let r = self.rng.chance(25);
                Node::Action(l, self.pipeline(), r)
            }
            7 => Node::Comment(self.rng.chance(50), self.rng.chance(50)),
            8 => {
                if !self.vars.is_empty() && self.rng.chance(40) {
                    let v = self.rng.pick(&self.vars).clone();
                    Node::Decl(v, true, self.pipeline())
                } else {
                    let v = self.fresh_var();
                    let e = self.pipeline();
                    self.vars.push(v.clone());
                    Node::Decl(v, false, e)
                }
            }
            9 => {
                if self.in_range && self.rng.chance(50) {
                    if self.rng.chance(50) {
                        Node::Break
                    } else {
                        Node::Continue
                    }
                } else if !self.defines.is_empty() {
                    let d = self.rng.pick(&self.defines).clone();
                    let arg = if self.rng.chance(80) {
                        Some(if self.rng.chance(60) {
                            Expr::Atom(".".into())
                        } else {
                            self.operand('a')
                        })
                    } else {
                        None
                    };
                    Node::Template(d, arg)
                } else {
                    self.text()
                }
            }
            10..=12 => {
                self.depth += 1;
                let cond = self.pipeline();
                let then = self.block(|g| g.nodes(budget));
                let mut elifs = Vec::new();
                if self.rng.chance(30) {
                    let c = self.pipeline();
                    elifs.push((c, self.block(|g| g.nodes(budget))));
                }
                let els = if self.rng.chance(40) {
                    Some(self.block(|g| g.nodes(budget)))
                } else {
                    None
                };
                self.depth -= 1;
                Node::If(cond, then, elifs, els)
            }
            13..=16 => {
                self.depth += 1;
                let e = if self.rng.chance(15) {
                    Expr::Atom(self.rng.pick(&["3", "0", "-1", "nil"]).to_string())
                } else {
                    self.pipeline()
                };
                let vars = match self.rng.below(3) {
                    0 => vec![],
                    1 => vec![self.fresh_var()],
                    _ => {
                        let a = self.fresh_var();
                        vec![a.clone(), format!("{a}x")]
                    }
                };
                let was = self.in_range;
                let body = self.block(|g| {
                    g.vars.extend(vars.iter().cloned());
                    g.in_range = true;
                    g.nodes(budget)
                });
                self.in_range = was;
                let els = if self.rng.chance(30) {
                    Some(self.block(|g| g.nodes(budget)))
                } else {
                    None
                };
                self.depth -= 1;
                Node::Range(vars, e, body, els)
            }
            _ => {
                self.depth += 1;
                let e = self.pipeline();
                let body = self.block(|g| g.nodes(budget));
                let els = if self.rng.chance(30) {
                    Some(self.block(|g| g.nodes(budget)))
                } else {
                    None
                };
                self.depth -= 1;
                Node::With(e, body, els)
            }
        }
    }
}

/// A whole case from `seed`.
pub fn gen_case(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let values = if rng.chance(90) {
        Some(gen_values(&mut rng, 0))
    } else {
        None
    };
    let mut paths_out = Vec::new();
    if let Some(v) = &values {
        paths(v, "", &mut paths_out);
    }
    let mut g = Gen {
        rng: &mut rng,
        paths: paths_out,
        vars: Vec::new(),
        defines: Vec::new(),
        in_range: false,
        depth: 0,
        in_define: false,
    };
    let mut defines = Vec::new();
    let ndefs = g.rng.below(3);
    for i in 0..ndefs {
        g.in_define = true;
        let body = g.block(|g| g.nodes(4));
        g.in_define = false;
        let name = format!("d{i}");
        defines.push((name.clone(), body));
        // Later templates and defines may call this one; no recursion.
        g.defines.push(name);
    }
    let mut templates = Vec::new();
    for i in 0..1 + g.rng.below(2) {
        let body = g.block(|g| g.nodes(6));
        templates.push((format!("t{i}.yaml"), body));
    }
    Case {
        values,
        defines,
        templates,
    }
}
