//! A stand-in for Helm's engine, just enough to run the language cases
//! (`testdata/cases/{language,printing,builtins,lang-errors}`) through this evaluator alone and
//! compare with the goldens recorded from real Helm, before the chart pipeline is merged in.
//!
//! It parses every `templates/*` file into one set (Helm's order: deeper paths first, then reverse
//! lexical), renders the non-partial files with `.Values`, `.Release`, `.Template`, replaces
//! `<no value>`, splits documents on `---` and prints them with `# Source:` headers; errors get
//! Helm's first line. `include`, `tpl`, `required` and `fail` are registered here the way Helm does.
//! Cases with `args` are skipped (they need the real CLI).
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::funcs::{CallCtx, FuncDef, FuncEnv, FuncError, FuncTable};
use super::types::{GoType, Signature};
use super::value::{Map, MapEntries, MapKind, Value};
use super::{ErrorKind, MissingKey, Options, Templates};

thread_local! {
    static INCLUDED: std::cell::RefCell<BTreeMap<String, usize>> = const { std::cell::RefCell::new(BTreeMap::new()) };
}

/// Helm's `include`, with its per-name recursion cap of 1000.
fn include(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let name = args[0].as_str().unwrap_or("").to_string();
    let data = args[1].clone();
    let depth = INCLUDED.with(|m| {
        let mut m = m.borrow_mut();
        let d = m.entry(name.clone()).or_insert(0);
        *d += 1;
        *d
    });
    let result = if depth > 1001 {
        Err(FuncError::msg(format!(
            "rendering template has a nested reference name: {name}: unable to execute template"
        )))
    } else {
        ctx.exec
            .execute_template(&name, data)
            .map(Value::string)
            .map_err(|e| FuncError::Nested(Box::new(e)))
    };
    INCLUDED.with(|m| {
        if let Some(d) = m.borrow_mut().get_mut(&name) {
            *d -= 1;
        }
    });
    result
}

fn tpl(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let text = args[0].as_str().unwrap_or("").to_string();
    let data = args[1].clone();
    ctx.exec
        .parse_and_execute("gotpl", &text, data)
        .map(|s| Value::string(s.replace("<no value>", "")))
        .map_err(|e| {
            let quoted = super::printf::quote_go(&text);
            let prefix = if e.kind() == ErrorKind::Parse {
                format!("cannot parse template {quoted}")
            } else {
                format!("error during tpl function execution for {quoted}")
            };
            FuncError::Nested(Box::new(super::Error::wrapped(prefix, e)))
        })
}

fn required(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    match &args[1] {
        Value::Nil => Err(FuncError::Abort(args[0].as_str().unwrap_or("").to_string())),
        Value::String(s) if s.is_empty() => {
            Err(FuncError::Abort(args[0].as_str().unwrap_or("").to_string()))
        }
        v => Ok(v.clone()),
    }
}

fn fail(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Err(FuncError::Abort(args[0].as_str().unwrap_or("").to_string()))
}

fn helm_funcs() -> FuncTable {
    let mut t = FuncTable::new();
    t.insert(FuncDef {
        name: "include",
        sig: Signature::fixed(&[GoType::String, GoType::Interface]),
        imp: include,
    });
    t.insert(FuncDef {
        name: "tpl",
        sig: Signature::fixed(&[GoType::String, GoType::Interface]),
        imp: tpl,
    });
    t.insert(FuncDef {
        name: "required",
        sig: Signature::fixed(&[GoType::String, GoType::Interface]),
        imp: required,
    });
    t.insert(FuncDef {
        name: "fail",
        sig: Signature::fixed(&[GoType::String]),
        imp: fail,
    });
    t
}

struct Case {
    files: BTreeMap<String, String>,
    has_args: bool,
}

fn parse_case(text: &str) -> Case {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut has_args = false;
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    for line in lines {
        if line.starts_with("-- ") && line.ends_with(" --") && line.len() > 6 {
            let name = line[3..line.len() - 3].trim().to_string();
            if name == "args" {
                has_args = true;
            }
            files.insert(name.clone(), String::new());
            current = Some(name);
            continue;
        }
        if let Some(c) = &current {
            let f = files.get_mut(c).expect("current file exists");
            f.push_str(line);
            f.push('\n');
        }
    }
    Case { files, has_args }
}

struct Golden {
    exit: i32,
    stdout: String,
    first_error: Option<String>,
}

fn parse_golden(text: &str) -> Option<Golden> {
    let body = text.split_once('\n')?.1;
    let rest = body.strip_prefix("-- exit --\n")?;
    let (code, rest) = rest.split_once('\n')?;
    let (no_nl, rest) = if let Some(r) = rest.strip_prefix("-- stdout --\n") {
        (false, r)
    } else {
        (
            true,
            rest.strip_prefix("-- stdout (no final newline) --\n")?,
        )
    };
    let (stdout, stderr) = if let Some(e) = rest.strip_prefix("-- stderr --\n") {
        (String::new(), e)
    } else {
        let (o, e) = rest.split_once("\n-- stderr --\n")?;
        let mut o = format!("{o}\n");
        if no_nl {
            o.pop();
        }
        (o, e)
    };
    Some(Golden {
        exit: code.trim().parse().ok()?,
        stdout,
        first_error: stderr
            .lines()
            .find(|l| l.starts_with("Error: "))
            .map(str::to_string),
    })
}

/// Helm's `sortTemplates`: deeper paths first, then reverse lexical order.
fn helm_order(mut names: Vec<String>) -> Vec<String> {
    names.sort_by(|a, b| {
        let da = a.matches('/').count();
        let db = b.matches('/').count();
        db.cmp(&da).then_with(|| b.cmp(a))
    });
    names
}

fn helm_error_line(e: &super::Error) -> String {
    match e.kind() {
        ErrorKind::Parse => {
            let text = e.to_string();
            let last = text.rsplit(": ").next().unwrap_or("");
            format!("Error: parse error at ({}): {last}", e.location())
        }
        _ => match e.abort_message() {
            Some(m) => {
                // Helm reports the outermost location with the innermost message.
                format!("Error: execution error at ({}): {m}", e.location())
            }
            None => format!("Error: {e}"),
        },
    }
}

/// Renders a case as `helm template rel .` would print it: (exit, stdout, first error line).
fn render_case(case: &Case) -> (i32, String, Option<String>) {
    let chart = "case";
    let values = match case.files.get("values.yaml") {
        Some(text) => match crate::yaml::parse_values(text, "values.yaml") {
            Ok(Value::Map(m)) => Value::Map(Map::with_kind(MapKind::Values, m.borrow().clone())),
            Ok(_) => Value::Map(Map::with_kind(MapKind::Values, MapEntries::new())),
            Err(e) => return (1, String::new(), Some(format!("Error: {e}"))),
        },
        None => Value::Map(Map::with_kind(MapKind::Values, MapEntries::new())),
    };
    let funcs = helm_funcs();
    let options = Options {
        missing_key: MissingKey::Zero,
        range_over_int: false,
    };
    let mut set = Templates::new(Rc::new(funcs), options);
    let names: Vec<String> = case
        .files
        .keys()
        .filter(|k| k.starts_with("templates/"))
        .map(|k| format!("{chart}/{k}"))
        .collect();
    let order = helm_order(names);
    for name in &order {
        let text = &case.files[&name[chart.len() + 1..]];
        if let Err(e) = set.parse(name, text) {
            return (1, String::new(), Some(helm_error_line(&e)));
        }
    }
    let env = FuncEnv::system();
    let mut rendered: BTreeMap<String, String> = BTreeMap::new();
    for name in &order {
        let base = name.rsplit('/').next().unwrap_or("");
        if base.starts_with('_') {
            continue;
        }
        let mut release = MapEntries::new();
        release.insert("Name".into(), Value::str("rel"));
        release.insert("Namespace".into(), Value::str("default"));
        release.insert("Service".into(), Value::str("Helm"));
        release.insert("IsInstall".into(), Value::Bool(true));
        release.insert("IsUpgrade".into(), Value::Bool(false));
        release.insert("Revision".into(), Value::int(1));
        let mut tmpl = MapEntries::new();
        tmpl.insert("Name".into(), Value::str(name));
        tmpl.insert(
            "BasePath".into(),
            Value::string(format!("{chart}/templates")),
        );
        let mut chart_meta = MapEntries::new();
        chart_meta.insert("Name".into(), Value::str(chart));
        chart_meta.insert("AppVersion".into(), Value::str(""));
        let mut top = MapEntries::new();
        top.insert("Chart".into(), Value::map(chart_meta));
        top.insert("Values".into(), values.clone());
        top.insert("Release".into(), Value::map(release));
        top.insert("Template".into(), Value::map(tmpl));
        let data = Value::Map(Map::with_kind(MapKind::Values, top));
        match set.execute(name, &data, &env) {
            Ok(out) => {
                rendered.insert(name.clone(), out.replace("<no value>", ""));
            }
            Err(e) => return (1, String::new(), Some(helm_error_line(&e))),
        }
    }
    let mut stdout = String::new();
    for (name, text) in &rendered {
        for doc in split_manifests(text) {
            if let Err(e) = crate::yaml::parse_documents(&doc, name) {
                return (
                    1,
                    String::new(),
                    Some(format!("Error: YAML parse error on {name}: {e}")),
                );
            }
            stdout.push_str(&format!("---\n# Source: {name}\n{doc}\n"));
        }
    }
    if stdout.is_empty() {
        stdout.push('\n');
    }
    (0, stdout, None)
}

/// Helm's `SplitManifests`: split on `---` lines, trim, drop empty documents.
fn split_manifests(text: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" || line.starts_with("---") && line[3..].trim().is_empty() {
            docs.push(std::mem::take(&mut current));
            continue;
        }
        current.push_str(line);
    }
    docs.push(current);
    docs.into_iter()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

fn case_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cases");
    let mut out = Vec::new();
    for area in ["language", "printing", "builtins", "lang-errors"] {
        let Ok(entries) = fs::read_dir(root.join(area)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "txt") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn language_cases_match_helm() {
    let filter = std::env::var("RUDDER_CASES").unwrap_or_default();
    let (mut pass, mut fail, mut skipped) = (0, 0, 0);
    let mut report = String::new();
    for path in case_files() {
        if !path.to_string_lossy().contains(&filter) {
            continue;
        }
        let golden_path = path.with_extension("golden");
        let Ok(golden_text) = fs::read_to_string(&golden_path) else {
            skipped += 1;
            continue;
        };
        let case = parse_case(&fs::read_to_string(&path).unwrap_or_default());
        // Helm's `slice` is Sprig's, which this stand-in does not register.
        if case.has_args || case.files.values().any(|t| t.contains("slice")) {
            skipped += 1;
            continue;
        }
        let Some(golden) = parse_golden(&golden_text) else {
            skipped += 1;
            continue;
        };
        let (exit, stdout, err) = render_case(&case);
        let want_err = if golden.exit != 0 {
            golden.first_error.clone()
        } else {
            None
        };
        // YAML error wording belongs to the yaml module; here only "it is a YAML error" counts.
        let yaml_error = |e: &Option<String>| {
            e.as_deref()
                .is_some_and(|l| l.starts_with("Error: YAML parse error on "))
        };
        let same_err = err == want_err || (yaml_error(&err) && yaml_error(&want_err));
        if exit == golden.exit && stdout == golden.stdout && same_err {
            pass += 1;
        } else {
            fail += 1;
            report.push_str(&format!(
                "\n== {}\n-- want (exit {}) --\n{}{}\n-- got (exit {exit}) --\n{}{}\n",
                path.display(),
                golden.exit,
                golden.stdout,
                want_err.unwrap_or_default(),
                stdout,
                err.unwrap_or_default()
            ));
        }
    }
    eprintln!("{report}");
    eprintln!("language cases: {pass} passed, {fail} failed, {skipped} skipped");
    assert_eq!(fail, 0, "language cases differ from Helm");
}
