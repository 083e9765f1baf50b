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
    /// A method of a Go value: `(recv).Name args...` (`$v.Name args...` on a variable).
    Method(Box<Expr>, String, Vec<Expr>),
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

/// One generated chart: values, templates (`templates/` paths → nodes), other files (for `.Files`)
/// and subcharts (the same shape, under `charts/<name>/`). Defines live in
/// `templates/_helpers.tpl` as (name, body).
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The chart's name (`case` for the top chart).
    pub name: String,
    /// Extra lines of Chart.yaml (appVersion, type, dependencies…).
    pub chart_extra: String,
    pub values: Option<Val>,
    pub defines: Vec<(String, Vec<Node>)>,
    pub templates: Vec<(String, Vec<Node>)>,
    /// Files outside `templates/` (paths relative to the chart), bytes of any kind.
    pub files: Vec<(String, Vec<u8>)>,
    pub subs: Vec<Case>,
}

pub const CHART_YAML: &str = "apiVersion: v2\nname: case\nversion: 0.1.0\n";

impl Case {
    /// The chart's files as the loader takes them.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        self.files_under("", &mut out);
        out
    }

    fn files_under(&self, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
        let chart_yaml = if self.name == "case" && self.chart_extra.is_empty() {
            CHART_YAML.to_string()
        } else {
            format!(
                "apiVersion: v2\nname: {}\nversion: 0.1.0\n{}",
                self.name, self.chart_extra
            )
        };
        out.push((format!("{prefix}Chart.yaml"), chart_yaml.into_bytes()));
        if let Some(v) = &self.values {
            out.push((format!("{prefix}values.yaml"), values_yaml(v).into_bytes()));
        }
        if !self.defines.is_empty() {
            let mut text = String::new();
            for (name, body) in &self.defines {
                text.push_str(&format!("{{{{- define {name:?} }}}}"));
                write_nodes(body, &mut text);
                text.push_str("{{ end }}\n");
            }
            out.push((format!("{prefix}templates/_helpers.tpl"), text.into_bytes()));
        }
        for (name, body) in &self.templates {
            let mut text = String::new();
            write_nodes(body, &mut text);
            out.push((format!("{prefix}templates/{name}"), text.into_bytes()));
        }
        for (name, data) in &self.files {
            out.push((format!("{prefix}{name}"), data.clone()));
        }
        for sub in &self.subs {
            sub.files_under(&format!("{prefix}charts/{}/", sub.name), out);
        }
    }

    /// The same chart with each template's body moved into a define and the template printing
    /// `include … | toJson`, so that `helm template` can read whatever the body renders as YAML (a
    /// differential case keeps its difference visible through `helm template`).
    pub fn wrapped(&self) -> Case {
        let mut case = self.clone();
        case.templates.clear();
        for (i, (name, body)) in self.templates.iter().enumerate() {
            let define = if self.name == "case" {
                format!("body{i}")
            } else {
                format!("{}.body{i}", self.name)
            };
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
        case.subs = self.subs.iter().map(Case::wrapped).collect();
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
        Expr::Method(recv, name, args) => {
            match &**recv {
                Expr::Atom(a) if a.starts_with('$') || (a.starts_with('.') && a.len() > 1) => {
                    out.push_str(a)
                }
                r => {
                    out.push('(');
                    write_expr(r, out);
                    out.push(')');
                }
            }
            out.push('.');
            out.push_str(name);
            for a in args {
                out.push(' ');
                write_arg(a, out);
            }
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
        Expr::Method(_, _, args) if !args.is_empty() => {
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
    ("printf", "F*"),
    ("printf", "Fa"),
    ("printf", "Faa"),
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
    ("htmlDate", "d"),
    ("htmlDateInZone", "ds"),
    ("dateModify", "sd"),
    ("mustDateModify", "sd"),
    ("unixEpoch", "d"),
    ("semver", "V"),
    ("semverCompare", "sV"),
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
    "0",
    "1",
    "2",
    "3",
    "5",
    "-1",
    "-3",
    "10",
    "0x10",
    "0o7",
    "017",
    "1_000",
    "'a'",
    "'\\n'",
    "255",
    "-0",
    "0b101",
    "0B11",
    "0O17",
    "0X1f",
    "0x_1F",
    "1_2_3",
    "+7",
    "-0x10",
    "'\\x41'",
    "'\\u00e9'",
    "'日'",
    "'\\''",
    "'\\377'",
    "0_7",
    "00",
    "1__0",
    "0x",
    "08",
];
/// Integers that would size an allocation beyond memory (`until`, `repeat`…): only given to
/// functions that print, compare or convert ([`BIG_OK`]).
const BIG_INTS: &[&str] = &[
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "4294967296",
    "2147483648",
    "18446744073709551615",
    "0x7fffffffffffffff",
    "1e19",
];
const BIG_OK: &[&str] = &[
    "printf",
    "print",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "toString",
    "toJson",
    "toYaml",
    "quote",
    "squote",
    "kindOf",
    "typeOf",
    "toStrings",
    "toRawJson",
    "toPrettyJson",
    "toToml",
    "cat",
    "kindIs",
    "typeIs",
];
const FLOAT_LITS: &[&str] = &[
    "1.5",
    "-2.5",
    "0.0",
    "1e2",
    "2.675",
    ".5",
    "1e-3",
    "3.0",
    "0x1p4",
    "1.5e-3",
    "6.02e23",
    "0x1.8p1",
    "1_0.5",
    "1E3",
    "-1e-10",
    "1e309",
    "5.",
    "0.1",
    "1e+2",
    "0x1p-2",
    "2.5e0",
    "123456789.125",
    "1e21",
    "1e20",
    "0.000001",
    "0.0000001",
];
const OTHER_LITS: &[&str] = &[
    "true", "false", "nil", "1i", "2.5i", "0i", "1e2i", "1+2i", "-1-2i", "0x10i", "1_0i",
    "0.5+0.5i", "3-0i",
];

/// `printf` formats: every verb of Go's fmt with flags, widths, precisions, argument indexes and
/// the mistakes fmt reports in its output (`%!d(string=…)`, `%!(EXTRA …)`, `%!v(MISSING)`).
const PRINTF_FORMATS: &[&str] = &[
    "\"%v\"",
    "\"%+v\"",
    "\"%#v\"",
    "\"%T\"",
    "\"%d\"",
    "\"%+d\"",
    "\"%5d|%-5d|%05d\"",
    "\"%x\"",
    "\"%X\"",
    "\"%#x\"",
    "\"% x\"",
    "\"%o\"",
    "\"%O\"",
    "\"%#o\"",
    "\"%b\"",
    "\"%e\"",
    "\"%E\"",
    "\"%.3e\"",
    "\"%f\"",
    "\"%F\"",
    "\"%.2f\"",
    "\"%8.3f\"",
    "\"%-8.1f|\"",
    "\"%g\"",
    "\"%G\"",
    "\"%.3g\"",
    "\"%#g\"",
    "\"%s\"",
    "\"%10s|\"",
    "\"%-10s|\"",
    "\"%.2s\"",
    "\"%q\"",
    "\"%+q\"",
    "\"%#q\"",
    "\"%c\"",
    "\"%U\"",
    "\"%#U\"",
    "\"%t\"",
    "\"%p\"",
    "\"%%\"",
    "\"%z\"",
    "\"%!\"",
    "\"%\"",
    "\"%d %d\"",
    "\"%[2]v %[1]v\"",
    "\"%[3]d\"",
    "\"%*d\"",
    "\"%-*d|\"",
    "\"%.*f\"",
    "\"%6.2v\"",
    "\"%v %v\"",
    "\"%08b\"",
    "\"%x %X\"",
    "\"%+.3e\"",
    "\"%#v %T\"",
    "\"%s=%d\"",
    "\"%[1]T %[1]v\"",
    "\"%v%\"",
    "\"%.0f\"",
    "\"% d\"",
    "\"%+#v\"",
    "\"%05s\"",
    "\"%.3x\"",
    "\"%10.4q\"",
    "\"%-#8x|\"",
    "\"%U %c\"",
];

/// Values of `time.Time`: `toDate` (fixed texts, in the local zone), `fromToml`'s dates (offset,
/// local date-time, local date, local time) and `toDate` of text it cannot parse (the zero time).
const TIMES: &[&str] = &[
    "toDate \"2006-01-02\" \"2024-03-04\"",
    "toDate \"2006-01-02T15:04:05Z07:00\" \"2024-03-04T05:06:07+02:00\"",
    "toDate \"2006-01-02T15:04:05Z07:00\" \"1999-12-31T23:59:59Z\"",
    "toDate \"2006-01-02 15:04:05.000000000\" \"2023-12-31 23:59:59.999999999\"",
    "toDate \"02 Jan 06 15:04 MST\" \"04 Mar 24 05:06 UTC\"",
    "toDate \"2006-01-02\" \"2024-13-40\"",
    "toDate \"Jan _2 2006\" \"Feb  9 2020\"",
    "toDate \"2006-01-02\" \"1969-07-20\"",
    "(fromToml \"d = 2024-03-04T05:06:07Z\").d",
    "(fromToml \"d = 1979-05-27T00:32:00.999999-07:00\").d",
    "(fromToml \"d = 1979-05-27T07:32:00\").d",
    "(fromToml \"d = 1979-05-27\").d",
    "(fromToml \"d = 07:32:00.5\").d",
];

/// Expressions with `now` whose output does not depend on the time they run.
const NOW_SHAPES: &[&str] = &[
    "(now | typeOf)",
    "(now | kindOf)",
    "((now).After (toDate \"2006-01-02\" \"2020-01-01\"))",
    "((now).Before (toDate \"2006-01-02\" \"2020-01-01\"))",
    "((now).Year | kindOf)",
    "((now).Sub (toDate \"2006-01-02\" \"2020-01-01\") | typeOf)",
    "(now | date \"2006\" | len)",
    "((now).IsZero)",
    "(now | htmlDate | len)",
    "((now).Location | typeOf)",
    "(ago (now) | kindOf)",
];

const SEMVERS: &[&str] = &[
    "\"1.2.3\"",
    "\"v1.2.3-beta.1+build.5\"",
    "\"1.2\"",
    "\"2.0.0-rc.1\"",
    "\"0.0.1\"",
    "\"1.2.3+meta\"",
    "\"1.10.0-alpha.beta\"",
    "\"v2\"",
    "\"x\"",
    "\"01.2.3\"",
];

/// Methods of the Go values templates meet: (name, argument kinds, what it returns).
///   T time.Time, D time.Duration, V *semver.Version, L *time.Location, i int, s string,
///   - anything else (not called further)
const TIME_METHODS: &[(&str, &str, char)] = &[
    ("Year", "", '-'),
    ("Month", "", '-'),
    ("Day", "", '-'),
    ("Hour", "", '-'),
    ("Minute", "", '-'),
    ("Second", "", '-'),
    ("Nanosecond", "", '-'),
    ("YearDay", "", '-'),
    ("Weekday", "", '-'),
    ("Unix", "", '-'),
    ("UnixNano", "", '-'),
    ("UnixMilli", "", '-'),
    ("UnixMicro", "", '-'),
    ("IsZero", "", '-'),
    ("IsDST", "", '-'),
    ("UTC", "", 'T'),
    ("Local", "", 'T'),
    ("Location", "", 'L'),
    ("String", "", '-'),
    ("Zone", "", '-'),
    ("ISOWeek", "", '-'),
    ("Date", "", '-'),
    ("Clock", "", '-'),
    ("Format", "s", '-'),
    ("Add", "D", 'T'),
    ("AddDate", "iii", 'T'),
    ("Sub", "T", 'D'),
    ("After", "T", '-'),
    ("Before", "T", '-'),
    ("Equal", "T", '-'),
    ("Compare", "T", '-'),
    ("Truncate", "D", 'T'),
    ("Round", "D", 'T'),
    ("In", "L", 'T'),
    ("MarshalJSON", "", '-'),
    ("MarshalText", "", '-'),
    ("Nope", "", '-'),
];
const DURATION_METHODS: &[(&str, &str, char)] = &[
    ("Hours", "", '-'),
    ("Minutes", "", '-'),
    ("Seconds", "", '-'),
    ("Milliseconds", "", '-'),
    ("Microseconds", "", '-'),
    ("Nanoseconds", "", '-'),
    ("String", "", '-'),
    ("Round", "D", 'D'),
    ("Truncate", "D", 'D'),
    ("Abs", "", 'D'),
];
const SEMVER_METHODS: &[(&str, &str, char)] = &[
    ("Major", "", '-'),
    ("Minor", "", '-'),
    ("Patch", "", '-'),
    ("Prerelease", "", '-'),
    ("Metadata", "", '-'),
    ("Original", "", '-'),
    ("String", "", '-'),
    ("IncMajor", "", '-'),
    ("IncMinor", "", '-'),
    ("IncPatch", "", '-'),
    ("SetPrerelease", "s", '-'),
    ("SetMetadata", "s", '-'),
    ("LessThan", "V", '-'),
    ("GreaterThan", "V", '-'),
    ("Equal", "V", '-'),
    ("Compare", "V", '-'),
    ("MarshalJSON", "", '-'),
    ("MarshalText", "", '-'),
];
const LOCATION_METHODS: &[(&str, &str, char)] = &[("String", "", '-')];
/// Durations written as numbers (nanoseconds).
const DURATIONS: &[&str] = &[
    "3600000000000",
    "1000000000",
    "90",
    "0",
    "-5000000000",
    "86400000000000",
    "1500000000",
    "60000000000",
];

/// Files outside `templates/` for `.Files`: text, CRLF, empty, binary (NUL, invalid UTF-8), YAML,
/// template text.
const FILE_NAMES: &[&str] = &[
    "files/a.txt",
    "files/b.bin",
    "files/c.yaml",
    "files/sub/d.conf",
    "config/app.properties",
    "README.md",
    "data.json",
    "files/e f.txt",
];
const FILE_DATA: &[&[u8]] = &[
    b"hello\n",
    b"a: 1\nb: two\n",
    b"line1\r\nline2\r\n",
    b"",
    b"\x00\x01\xff\xfe binary",
    b"caf\xc3\xa9 \xe9t\xe9\n",
    b"no final newline",
    b"{{ .Release.Name }}: {{ .Values.a | default 1 }}\n",
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
    b"\n\n\n",
    b"{\"k\": [1, 2]}\n",
    b"tab\there\n  indented\n",
];
const GLOBS: &[&str] = &[
    "\"files/*\"",
    "\"files/**\"",
    "\"**.txt\"",
    "\"*\"",
    "\"nomatch/*\"",
    "\"files/*.{txt,yaml}\"",
    "\"config/*\"",
    "\"files/[ab].*\"",
    "\"**\"",
    "\"\"",
];

pub struct Gen<'r> {
    pub rng: &'r mut Rng,
    paths: Vec<String>,
    vars: Vec<String>,
    defines: Vec<String>,
    in_range: bool,
    depth: usize,
    in_define: bool,
    /// Names of the chart's subcharts (for `.Subcharts`).
    subs: Vec<String>,
    /// Whether the function being given arguments takes huge integers safely ([`BIG_OK`]).
    big_ok: bool,
}

impl<'r> Gen<'r> {
    /// A `time.Time`: a fixed one, sometimes moved by one of its own methods.
    fn time_expr(&mut self, depth: usize) -> Expr {
        if depth < 2 && self.rng.chance(30) {
            let recv = self.time_expr(depth + 1);
            let (name, sig, _) = *self.rng.pick(
                &TIME_METHODS
                    .iter()
                    .filter(|m| m.2 == 'T')
                    .collect::<Vec<_>>()[..],
            );
            let args = self.method_args(sig, depth + 1);
            return Expr::Method(Box::new(recv), name.to_string(), args);
        }
        let t = self.rng.pick(TIMES);
        if let Some(rest) = t.strip_prefix("toDate ") {
            let (layout, text) = rest.split_at(rest[1..].find('"').unwrap() + 2);
            return Expr::Call(
                "toDate".into(),
                vec![Expr::Atom(layout.into()), Expr::Atom(text.trim().into())],
            );
        }
        Expr::Atom(t.to_string())
    }

    /// A `time.Duration`: the difference of two times, sometimes rounded.
    fn duration_expr(&mut self, depth: usize) -> Expr {
        let a = self.time_expr(depth + 1);
        let b = self.time_expr(depth + 1);
        let d = Expr::Method(Box::new(a), "Sub".into(), vec![b]);
        if depth < 2 && self.rng.chance(25) {
            let (name, sig, _) = *self.rng.pick(
                &DURATION_METHODS
                    .iter()
                    .filter(|m| m.2 == 'D')
                    .collect::<Vec<_>>()[..],
            );
            let args = self.method_args(sig, depth + 1);
            return Expr::Method(Box::new(d), name.to_string(), args);
        }
        d
    }

    fn semver_expr(&mut self) -> Expr {
        Expr::Call(
            "semver".into(),
            vec![Expr::Atom(self.rng.pick(SEMVERS).to_string())],
        )
    }

    fn method_args(&mut self, sig: &str, depth: usize) -> Vec<Expr> {
        let mut args = Vec::new();
        for k in sig.chars() {
            args.push(match k {
                'T' => self.time_expr(depth),
                'D' if self.rng.chance(80) => Expr::Atom(self.rng.pick(DURATIONS).to_string()),
                'D' if self.rng.chance(50) => self.duration_expr(depth),
                'V' => self.semver_expr(),
                'L' => Expr::Method(Box::new(self.time_expr(depth)), "Location".into(), vec![]),
                's' if self.rng.chance(70) => Expr::Atom(
                    self.rng
                        .pick(&[
                            "\"2006-01-02\"",
                            "\"Mon Jan 2 15:04:05 MST 2006\"",
                            "\"15:04:05.000 -0700\"",
                            "\"Jan _2 3:04PM\"",
                            "\"2006-01-02T15:04:05.999999999Z07:00\"",
                            "\"rc.1\"",
                            "\"build.7\"",
                            "\"\"",
                            "\"beta!\"",
                        ])
                        .to_string(),
                ),
                other => self.operand(if other == 'D' { 'i' } else { other }),
            });
        }
        // Sometimes one argument too few or too many.
        if self.rng.chance(4) && args.pop().is_none() {
            args.push(self.operand('a'));
        }
        args
    }

    /// A method call on a Go value: time, duration, semver, location, or `.Files`.
    fn method_expr(&mut self) -> Expr {
        let depth = 0;
        let (recv, table): (Expr, &[(&str, &str, char)]) = match self.rng.below(10) {
            0..=3 => (self.time_expr(depth), TIME_METHODS),
            4..=5 => (self.duration_expr(depth), DURATION_METHODS),
            6..=7 => (self.semver_expr(), SEMVER_METHODS),
            8 => (
                Expr::Method(Box::new(self.time_expr(depth)), "Location".into(), vec![]),
                LOCATION_METHODS,
            ),
            _ => return self.files_expr(),
        };
        let (name, sig, _) = *self.rng.pick(table);
        let args = self.method_args(sig, depth + 1);
        Expr::Method(Box::new(recv), name.into(), args)
    }

    /// `.Files` and its methods: Get, GetBytes, Lines, Glob (then AsConfig, AsSecrets, Get…).
    fn files_expr(&mut self) -> Expr {
        let root = if (self.in_range || self.in_define) && self.rng.chance(60) {
            "$.Files"
        } else {
            ".Files"
        };
        let files = Expr::Atom(root.into());
        let name = |g: &mut Self| -> Expr {
            if g.rng.chance(85) {
                Expr::Atom(format!("{:?}", g.rng.pick(FILE_NAMES)))
            } else {
                Expr::Atom(
                    g.rng
                        .pick(&[
                            "\"missing.txt\"",
                            "\"\"",
                            "\"files\"",
                            "\"templates/t0.yaml\"",
                            "\"Chart.yaml\"",
                            "\"values.yaml\"",
                        ])
                        .to_string(),
                )
            }
        };
        match self.rng.below(9) {
            0 | 1 => Expr::Method(Box::new(files), "Get".into(), vec![name(self)]),
            2 => Expr::Method(Box::new(files), "GetBytes".into(), vec![name(self)]),
            3 => Expr::Method(Box::new(files), "Lines".into(), vec![name(self)]),
            4 => Expr::Method(
                Box::new(files),
                "Glob".into(),
                vec![Expr::Atom(self.rng.pick(GLOBS).to_string())],
            ),
            5 | 6 => {
                let glob = Expr::Method(
                    Box::new(files),
                    "Glob".into(),
                    vec![Expr::Atom(self.rng.pick(GLOBS).to_string())],
                );
                let m = *self
                    .rng
                    .pick(&["AsConfig", "AsSecrets", "AsConfig", "AsSecrets"]);
                Expr::Method(Box::new(glob), m.into(), vec![])
            }
            7 => {
                let glob = Expr::Method(
                    Box::new(files),
                    "Glob".into(),
                    vec![Expr::Atom(self.rng.pick(GLOBS).to_string())],
                );
                let m = *self.rng.pick(&["Get", "GetBytes", "Lines", "Glob"]);
                let arg = if m == "Glob" {
                    Expr::Atom(self.rng.pick(GLOBS).to_string())
                } else {
                    name(self)
                };
                Expr::Method(Box::new(glob), m.into(), vec![arg])
            }
            _ => Expr::Method(
                Box::new(files),
                (*self.rng.pick(&["AsConfig", "AsSecrets", "Nope"])).into(),
                vec![],
            ),
        }
    }

    fn literal(&mut self, kind: char) -> Expr {
        let s = match kind {
            'F' => *self.rng.pick(PRINTF_FORMATS),
            'i' | 'a' if self.big_ok && self.rng.chance(15) => *self.rng.pick(BIG_INTS),
            'V' => *self.rng.pick(SEMVERS),
            'd' if self.rng.chance(60) => return self.time_expr(0),
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
            ".Chart.AppVersion",
            ".Chart.Description",
            ".Chart.Type",
            ".Chart.IsRoot",
            ".Chart.Dependencies",
            ".Chart.Nope",
            ".Values.global",
            "$.Chart.Name",
            ".Subcharts",
        ];
        // `.` and `$` stand for the whole context only where a template wants it (the argument of
        // `include`/`template`/`tpl`): printed or hashed, Go shows the address of
        // `.Capabilities`, which no other program can reproduce.
        if self.in_range && self.rng.chance(30) {
            return Expr::Atom(".".into());
        }
        if !self.subs.is_empty() && self.rng.chance(8) {
            let sub = self.rng.pick(&self.subs).clone();
            let tail = *self.rng.pick(&[
                ".Values",
                ".Chart.Name",
                ".Chart.Version",
                ".Chart.IsRoot",
                ".Values.a",
                ".Values.global",
                ".Files",
                ".Release.Name",
                ".Template",
            ]);
            return Expr::Atom(format!(".Subcharts.{sub}{tail}"));
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
                4 if self.rng.chance(40) => self.method_expr(),
                4 if self.rng.chance(5) => Expr::Atom(self.rng.pick(NOW_SHAPES).to_string()),
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
        let big_ok = std::mem::replace(&mut self.big_ok, BIG_OK.contains(&name));
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
        self.big_ok = big_ok;
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

fn gen_files(rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for _ in 0..1 + rng.below(4) {
        let name = rng.pick(FILE_NAMES).to_string();
        if files.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let mut data = rng.pick(FILE_DATA).to_vec();
        if rng.chance(20) {
            data.extend_from_slice(rng.pick::<&[u8]>(FILE_DATA));
        }
        files.push((name, data));
    }
    files
}

/// A whole case from `seed`.
pub fn gen_case(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let nsubs = match rng.below(10) {
        0..=6 => 0,
        7 | 8 => 1,
        _ => 2,
    };
    let sub_names: Vec<String> = (0..nsubs).map(|i| format!("sub{}", i + 1)).collect();
    let mut values = if rng.chance(90) {
        Some(gen_values(&mut rng, 0))
    } else {
        None
    };
    // The parent's values for its subcharts, and globals.
    let mut extra_values: Vec<(String, Val)> = Vec::new();
    for name in &sub_names {
        if rng.chance(60) {
            let mut v = gen_values(&mut rng, 0);
            if rng.chance(25) {
                if let Val::Map(e) = &mut v {
                    e.push((
                        "enabled".into(),
                        Val::Scalar(rng.pick(&["true", "false", "\"no\"", "~"]).to_string()),
                    ));
                }
            }
            extra_values.push((name.clone(), v));
        }
    }
    if rng.chance(if nsubs > 0 { 40 } else { 10 }) {
        extra_values.push(("global".into(), gen_values(&mut rng, 0)));
    }
    if nsubs > 0 && rng.chance(15) {
        extra_values.push((
            "tags".into(),
            Val::Map(vec![(
                "t".into(),
                Val::Scalar(rng.pick(&["true", "false"]).to_string()),
            )]),
        ));
    }
    if !extra_values.is_empty() {
        match &mut values {
            Some(Val::Map(e)) => {
                e.retain(|(k, _)| !extra_values.iter().any(|(x, _)| x == k));
                e.extend(extra_values);
            }
            _ => values = Some(Val::Map(extra_values)),
        }
    }
    let mut subs = Vec::new();
    for name in &sub_names {
        let mut v = if rng.chance(70) {
            Some(gen_values(&mut rng, 0))
        } else {
            None
        };
        if rng.chance(15) {
            let exports = Val::Map(vec![(
                "data".into(),
                Val::Map(vec![("k".into(), Val::Scalar("exported".into()))]),
            )]);
            match &mut v {
                Some(Val::Map(e)) => e.push(("exports".into(), exports)),
                _ => v = Some(Val::Map(vec![("exports".into(), exports)])),
            }
        }
        let mut chart_extra = String::new();
        if rng.chance(15) {
            chart_extra.push_str("type: library\n");
        }
        if rng.chance(30) {
            chart_extra.push_str(rng.pick::<&str>(&[
                "appVersion: \"2.0\"\n",
                "description: a subchart\n",
                "appVersion: 1.10\n",
            ]));
        }
        subs.push(Case {
            name: name.clone(),
            chart_extra,
            values: v,
            defines: vec![],
            templates: vec![],
            files: if rng.chance(20) {
                gen_files(&mut rng)
            } else {
                vec![]
            },
            subs: vec![],
        });
    }
    let mut chart_extra = String::new();
    if rng.chance(20) {
        chart_extra.push_str(rng.pick::<&str>(&["appVersion: \"1.0\"\n", "description: top\n"]));
    }
    if nsubs > 0 && rng.chance(40) {
        chart_extra.push_str("dependencies:\n");
        for name in &sub_names {
            chart_extra.push_str(&format!("- name: {name}\n  version: 0.1.0\n"));
            if rng.chance(40) {
                chart_extra.push_str(&format!("  condition: {name}.enabled\n"));
            }
            if rng.chance(20) {
                chart_extra.push_str("  tags: [t]\n");
            }
            if rng.chance(20) {
                chart_extra.push_str(rng.pick::<&str>(&[
                    "  import-values: [data]\n",
                    "  import-values:\n  - child: exports.data\n    parent: imported\n",
                    "  import-values:\n  - child: a\n    parent: a\n",
                ]));
            }
            if rng.chance(10) {
                chart_extra.push_str("  alias: renamed\n");
            }
        }
    }
    let files = if rng.chance(35) {
        gen_files(&mut rng)
    } else {
        vec![]
    };
    let mut case = Case {
        name: "case".into(),
        chart_extra,
        values,
        defines: vec![],
        templates: vec![],
        files,
        subs,
    };
    let mut g = Gen {
        rng: &mut rng,
        paths: Vec::new(),
        vars: Vec::new(),
        defines: Vec::new(),
        in_range: false,
        depth: 0,
        in_define: false,
        subs: Vec::new(),
        big_ok: false,
    };
    let chart_paths: Vec<Vec<String>> = (0..=nsubs)
        .map(|k| {
            let mut out = Vec::new();
            let chart = if k < nsubs { &case.subs[k] } else { &case };
            if let Some(v) = &chart.values {
                paths(v, "", &mut out);
            }
            if let Some(Val::Map(top)) = &case.values {
                for (key, v) in top {
                    if k < nsubs && *key == sub_names[k] {
                        paths(v, "", &mut out);
                    } else if key == "global" && k < nsubs {
                        paths(v, ".global", &mut out);
                    }
                }
            }
            out
        })
        .collect();
    // Defines first (subcharts', then the parent's: a define calls only earlier ones, so nothing
    // recurses), then every chart's templates; defines are global, so any template may use any.
    for k in 0..=nsubs {
        let (chart, prefix) = if k < nsubs {
            (&mut case.subs[k], format!("{}.", sub_names[k]))
        } else {
            (&mut case, String::new())
        };
        g.paths = chart_paths[k].clone();
        g.subs = if k < nsubs { vec![] } else { sub_names.clone() };
        for i in 0..g.rng.below(3) {
            g.in_define = true;
            let body = g.block(|g| g.nodes(4));
            g.in_define = false;
            let name = format!("{prefix}d{i}");
            chart.defines.push((name.clone(), body));
            g.defines.push(name);
        }
    }
    for (k, paths) in chart_paths.iter().enumerate().take(nsubs + 1) {
        let chart = if k < nsubs {
            &mut case.subs[k]
        } else {
            &mut case
        };
        g.paths = paths.clone();
        g.subs = if k < nsubs { vec![] } else { sub_names.clone() };
        let n = if k < nsubs {
            g.rng.below(2)
        } else {
            1 + g.rng.below(2)
        };
        for i in 0..n {
            let body = g.block(|g| g.nodes(6));
            chart.templates.push((format!("t{i}.yaml"), body));
        }
    }
    case
}
