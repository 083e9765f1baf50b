//! A clone of Go's `text/template` (as shipped with the Go version Helm v3.17.3 was built with, go1.23,
//! with a switch for the newer Go of Helm 4), written here.
//!
//! Why not the `gtmpl` crate: it was measured against helm 3.17.3 and renders only about half of plain
//! Go templates identically (no `$x =`, `break`/`continue`, `else with`, short-circuit `and`/`or`; unsorted
//! map `range`; wrong `eq`, float and `printf` formatting; no locations on runtime errors; hangs on `{{ 1 `;
//! deep-copies values on every access), see docs/engine.md. So the language is ours:
//! `lexer` → `parser` → `ast` → `exec`, with Go's `fmt` rules in `fmt` and the value model in `value`.
//!
//! This module knows nothing about charts, `.Values` or files: Helm's rules live in `crate::engine`.
pub mod ast;
pub mod builtins;
#[cfg(test)]
mod case_tests;
pub mod entries;
pub mod error;
mod exec;
pub mod fmt;
pub mod funcs;
pub mod gostr;
pub mod lexer;
pub mod number;
pub mod parser;
pub mod printf;
pub mod types;
pub mod value;

use crate::fasthash::FastHashMap;
use std::cell::Cell;
use std::rc::Rc;

pub use error::{Error, ErrorKind, ErrorSource};
pub use exec::MAX_EXEC_DEPTH;
pub use funcs::{CallCtx, FuncDef, FuncEnv, FuncError, FuncTable};
pub use types::{GoType, Signature};
pub use value::{
    json_fields, object_as_map, GoField, IntKind, List, Map, MapEntries, MapKind, Object, Str,
    UintKind, Value,
};

/// What a missing map key evaluates to (Go's `missingkey` option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingKey {
    /// `missingkey=default`/`invalid`: the invalid value, printed as `<no value>`.
    #[default]
    Default,
    /// `missingkey=zero`: the zero value of the map's element type (Helm's default).
    Zero,
    /// `missingkey=error`: an execution error (Helm's `--strict` lint).
    Error,
}

/// Options of a template set.
#[derive(Clone, Debug)]
pub struct Options {
    pub missing_key: MissingKey,
    /// Go 1.22+ `range` over an integer (Helm 4's Go); Helm 3.17.3's go1.23 build… see docs/engine.md.
    pub range_over_int: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            missing_key: MissingKey::Zero,
            range_over_int: false,
        }
    }
}

/// A set of templates that can call each other: Go's `*template.Template` with its associated
/// templates (the "common" structure), as Helm builds one per render with `template.New("gotpl")`.
///
/// Cloning is cheap (trees are shared); Helm's `tpl` parses into a clone so that its definitions do
/// not leak into the caller's set.
#[derive(Clone)]
pub struct Templates {
    name: Rc<str>,
    funcs: Rc<FuncTable>,
    options: Options,
    trees: FastHashMap<Rc<str>, Rc<ast::Tree>>,
    fuel: Option<u64>,
}

impl Templates {
    /// An empty set calling `funcs` (plus Go's builtins), named `gotpl` like Helm's.
    pub fn new(funcs: Rc<FuncTable>, options: Options) -> Templates {
        Templates {
            name: Rc::from("gotpl"),
            funcs,
            options,
            trees: FastHashMap::default(),
            fuel: None,
        }
    }

    /// The set's own name (Go's `t.Name()` of the root template), used in
    /// `no template "x" associated with template "gotpl"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn set_name(&mut self, name: &str) {
        self.name = Rc::from(name);
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn options_mut(&mut self) -> &mut Options {
        &mut self.options
    }

    pub fn funcs(&self) -> &FuncTable {
        &self.funcs
    }

    /// Limits every execution to `fuel` evaluation steps (for fuzzing); `None` is unlimited.
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.fuel = fuel;
    }

    /// Go's `t.New(name).Parse(text)`: adds `name` and every `{{define}}`/`{{block}}` in `text`.
    /// A later definition replaces an earlier one, except that an empty (whitespace-only) body
    /// never replaces an existing template (Go's `AddParseTree`/`associate`).
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let trees = parser::parse(name, text, &self.funcs)?;
        self.add_trees(trees);
        Ok(())
    }

    /// [`Templates::parse`] of each `(name, text)` in order. With a second core the sources are
    /// parsed on two threads (parsing one template never looks at another); the trees are then added
    /// in order, so which definition wins and which error is reported are the same as one by one.
    pub fn parse_all(&mut self, sources: &[(&str, ast::Source)]) -> Result<(), Error> {
        self.parse_all_with(sources, Vec::new())
    }

    /// [`Templates::parse_all`] where some sources were parsed beforehand: `ready[i]`, when present,
    /// holds the trees of `sources[i]` (see [`parser::Detached`]); the others are parsed here. The
    /// result is the same as parsing every source in order.
    pub fn parse_all_with(
        &mut self,
        sources: &[(&str, ast::Source)],
        mut ready: Vec<Option<Vec<ast::Tree>>>,
    ) -> Result<(), Error> {
        ready.resize_with(sources.len(), || None);
        let missing: Vec<&(&str, ast::Source)> = sources
            .iter()
            .zip(&ready)
            .filter(|(_, trees)| trees.is_none())
            .map(|(source, _)| source)
            .collect();
        let mut parsed = parse_sources(&missing, &self.funcs).into_iter();
        for trees in ready {
            let trees = match trees {
                Some(trees) => trees,
                None => parsed.next().expect("one result per missing source")?,
            };
            self.add_trees(trees);
        }
        Ok(())
    }

    fn add_trees(&mut self, trees: Vec<ast::Tree>) {
        for tree in trees {
            let empty = ast::is_empty_list(&tree.root);
            if empty && self.trees.contains_key(&tree.name) {
                continue;
            }
            self.trees.insert(tree.name.clone(), Rc::new(tree));
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// The names of all templates in the set, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.trees.keys().map(|k| &**k).collect();
        names.sort_unstable();
        names
    }

    pub(crate) fn tree(&self, name: &str) -> Option<&ast::Tree> {
        self.trees.get(name).map(|t| &**t)
    }

    /// Executes template `name` with `data` (dot and `$`), returning the output.
    pub fn execute(&self, name: &str, data: &Value, env: &FuncEnv) -> Result<String, Error> {
        let fuel = Cell::new(self.fuel);
        self.execute_nested(name, data, env, &fuel, Rc::from(name))
    }

    /// [`Templates::execute`] that keeps the output written before an error (Go's `Execute` has
    /// written it to its writer by then): `(output, result)`.
    pub fn execute_partial(
        &self,
        name: &str,
        data: &Value,
        env: &FuncEnv,
    ) -> (String, Result<(), Error>) {
        match self.tree(name) {
            Some(tree) => exec::execute_partial(self, tree, data, env),
            None => (String::new(), self.execute(name, data, env).map(|_| ())),
        }
    }

    pub(crate) fn execute_nested(
        &self,
        name: &str,
        data: &Value,
        env: &FuncEnv,
        fuel: &Cell<Option<u64>>,
        top: Rc<str>,
    ) -> Result<String, Error> {
        let Some(tree) = self.tree(name) else {
            return Err(Error::new(format!(
                "template: no template {} associated with template {}",
                printf::quote_go(name),
                printf::quote_go(&self.name)
            )));
        };
        exec::execute(self, tree, data, env, fuel, top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(options: Options, text: &str) -> Result<String, Error> {
        let mut set = Templates::new(Rc::new(FuncTable::new()), options);
        set.parse("t", text)?;
        set.execute("t", &Value::empty_map(), &FuncEnv::system())
    }

    #[test]
    fn range_over_int_is_an_option() {
        let text = "{{ range 3 }}{{ . }}{{ end }}";
        let helm4 = Options {
            range_over_int: true,
            ..Options::default()
        };
        assert_eq!(render(helm4, text).unwrap(), "012");
        let err = render(Options::default(), text).unwrap_err();
        assert_eq!(err.message(), "range can't iterate over 3");
        assert_eq!(err.location(), "t:1:9");
        assert_eq!(err.node(), Some("3"));
    }

    #[test]
    fn fuel_stops_runaway_templates() {
        let mut set = Templates::new(Rc::new(FuncTable::new()), Options::default());
        set.set_fuel(Some(1000));
        set.parse(
            "t",
            "{{ define \"r\" }}{{ template \"r\" }}{{ end }}{{ template \"r\" }}",
        )
        .unwrap();
        let err = set
            .execute("t", &Value::Nil, &FuncEnv::system())
            .unwrap_err();
        assert_eq!(err.message(), "out of fuel");
    }

    #[test]
    fn empty_redefinition_keeps_the_template() {
        let mut set = Templates::new(Rc::new(FuncTable::new()), Options::default());
        set.parse("a", "{{ define \"h\" }}real{{ end }}").unwrap();
        set.parse("b", "{{ define \"h\" }} {{ end }}").unwrap();
        set.parse("c", "{{ template \"h\" }}").unwrap();
        let out = set.execute("c", &Value::Nil, &FuncEnv::system()).unwrap();
        assert_eq!(out, "real");
        assert!(set.contains("h"));
        let missing = set
            .execute("zz", &Value::Nil, &FuncEnv::system())
            .unwrap_err();
        assert_eq!(
            missing.to_string(),
            "template: no template \"zz\" associated with template \"gotpl\""
        );
    }

    #[test]
    fn missing_key_error_option() {
        let strict = Options {
            missing_key: MissingKey::Error,
            ..Options::default()
        };
        let err = render(strict, "{{ .nope }}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "template: t:1:3: executing \"t\" at <.nope>: map has no entry for key \"nope\""
        );
    }

    #[derive(Debug)]
    struct Files;

    impl Object for Files {
        fn type_name(&self) -> &str {
            "engine.files"
        }
        fn kind_name(&self) -> &str {
            "map"
        }
        fn field(&self, name: &str) -> Option<Value> {
            (name == "Count").then(|| Value::int(2))
        }
        fn method(&self, name: &str) -> Option<Signature> {
            (name == "Get").then(|| Signature::fixed(&[GoType::String]))
        }
        fn call_method(&self, _name: &str, args: Vec<Value>) -> Result<Value, String> {
            Ok(Value::string(format!(
                "content of {}",
                args[0].as_str().unwrap_or("")
            )))
        }
        fn format_v(&self) -> String {
            "map[]".into()
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    fn render_with_files(text: &str) -> Result<String, Error> {
        let mut set = Templates::new(Rc::new(FuncTable::new()), Options::default());
        set.parse("t", text)?;
        let mut top = MapEntries::new();
        top.insert("Files".into(), Value::Object(Rc::new(Files)));
        set.execute("t", &Value::map(top), &FuncEnv::system())
    }

    #[test]
    fn host_object_methods_and_fields() {
        assert_eq!(
            render_with_files("{{ .Files.Get \"a\" }}").unwrap(),
            "content of a"
        );
        assert_eq!(
            render_with_files("{{ \"b\" | .Files.Get }}").unwrap(),
            "content of b"
        );
        assert_eq!(render_with_files("{{ .Files.Count }}").unwrap(), "2");
        let err = render_with_files("{{ .Files.Get 1 }}").unwrap_err();
        assert_eq!(err.message(), "expected string; found 1");
        let err = render_with_files("{{ .Files.Get }}").unwrap_err();
        assert_eq!(err.message(), "wrong number of args for Get: want 1 got 0");
        let err = render_with_files("{{ .Files.Nope }}").unwrap_err();
        assert_eq!(
            err.message(),
            "can't evaluate field Nope in type interface {}"
        );
        let err = render_with_files("{{ .Files.Count 1 }}").unwrap_err();
        assert_eq!(
            err.message(),
            "Count has arguments but cannot be invoked as function"
        );
    }
}

/// Below this many sources everything is parsed on the calling thread.
const PARALLEL_PARSE_MIN_SOURCES: usize = 16;

/// Stack of the parsing helper thread (the parser grows its stack on deep nesting, as on any thread).
const PARSE_STACK_BYTES: usize = 64 << 20;

/// Heap made usable up front for the parsing helper thread (see `crate::malloc_tuning`).
const PARSE_ARENA_BYTES: usize = 4 << 20;

type ParseResults = Vec<Result<Vec<ast::Tree>, Error>>;

/// Trees parsed on the helper thread, moved to the calling thread when the helper ends.
struct ParsedElsewhere(ParseResults);

// SAFETY: `ast::Tree` is not `Send` only because it holds `Rc`s. Every `Rc` in these trees was created
// on the helper thread by its parses (names shared among them through the helper's own `Interner`,
// which is dropped before the helper ends; the parser reads the `Sync` function table without cloning
// from it), so no `Rc` in them is shared with anything outside these trees; the helper has ended
// (`join`) before the calling thread touches them. Their reference counts are therefore never used by
// two threads.
unsafe impl Send for ParsedElsewhere {}

/// Parses every source, in order, on up to two threads.
fn parse_sources(sources: &[&(&str, ast::Source)], funcs: &FuncTable) -> ParseResults {
    let parse_part = |part: &[&(&str, ast::Source)]| -> ParseResults {
        let names = &mut parser::Interner::default();
        part.iter()
            .map(|(name, source)| parser::parse_source(name, source, funcs, names))
            .collect()
    };
    if sources.len() < PARALLEL_PARSE_MIN_SOURCES || !crate::parallel::has_second_core() {
        return parse_part(sources);
    }
    // Split at half of the text, so that both threads get about the same work.
    let split = crate::parallel::balanced_split(sources, |(_, source)| source.len());
    let (first, second) = sources.split_at(split);
    std::thread::scope(|scope| {
        let helper = std::thread::Builder::new()
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, || {
                crate::malloc_tuning::reserve_arena(PARSE_ARENA_BYTES);
                ParsedElsewhere(parse_part(second))
            });
        let mut results = parse_part(first);
        match helper.map(|h| h.join()) {
            Ok(Ok(ParsedElsewhere(rest))) => results.extend(rest),
            // No thread could be started: parse the rest here.
            _ => results.extend(parse_part(second)),
        }
        results
    })
}

#[cfg(test)]
mod parse_all_tests {
    use super::*;

    fn set() -> Templates {
        Templates::new(Rc::new(FuncTable::new()), Options::default())
    }

    #[test]
    fn same_result_as_one_by_one() {
        let sources: Vec<(String, String)> = (0..40)
            .map(|i| {
                (
                    format!("t{i}"),
                    format!(
                        "{{{{define \"shared\"}}}}{i}{{{{end}}}}t{i}:{{{{template \"shared\"}}}}"
                    ),
                )
            })
            .collect();
        let borrowed: Vec<(&str, ast::Source)> = sources
            .iter()
            .map(|(n, t)| (n.as_str(), ast::Source::copy(t)))
            .collect();
        let mut together = set();
        together.parse_all(&borrowed).unwrap();
        let mut one_by_one = set();
        for (n, t) in &borrowed {
            one_by_one.parse(n, t).unwrap();
        }
        let env = FuncEnv::system();
        for (n, _) in &borrowed {
            assert_eq!(
                together.execute(n, &Value::Nil, &env).unwrap(),
                one_by_one.execute(n, &Value::Nil, &env).unwrap()
            );
        }
        assert_eq!(together.execute("t3", &Value::Nil, &env).unwrap(), "t3:39");
    }

    #[test]
    fn first_error_in_order_is_reported() {
        let mut sources: Vec<(String, String)> = (0..40)
            .map(|i| (format!("t{i}"), "ok".to_string()))
            .collect();
        sources[30].1 = "{{ end }}".into();
        sources[35].1 = "{{ if }}".into();
        let borrowed: Vec<(&str, ast::Source)> = sources
            .iter()
            .map(|(n, t)| (n.as_str(), ast::Source::copy(t)))
            .collect();
        let err = set().parse_all(&borrowed).unwrap_err();
        assert!(err.to_string().contains("t30"), "{err}");
    }
}
