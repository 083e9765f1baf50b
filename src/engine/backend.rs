//! The seam between Helm's rules (this module's siblings) and the layers they stand on: the Go
//! template language (`crate::template`, the `engine` branch) and Helm's serialisers (`crate::yaml`,
//! the `yaml` branch). Everything the engine needs from them goes through this file, so that the
//! rest of the engine is written once against a fixed surface:
//!
//! - [`TemplateSet`]: parse named templates into one set, execute one by name;
//! - [`describe`]: the structured pieces of a template error (kind, location, `required`/`fail`
//!   message) that Helm's rewording needs;
//! - [`serial_funcs`] and [`to_yaml`]: `toYaml`/`fromYaml`/`toJson`/… and yaml.v2 marshalling.
//!
use std::rc::Rc;

pub use crate::template::ast::Source;
use crate::template::{
    Error as TemplateError, ErrorKind, FuncDef, FuncEnv, FuncTable, MissingKey, Options, Templates,
    Value,
};

/// One template set for a whole chart tree (Go's `template.New("gotpl")` plus `t.New(name).Parse`).
/// Cloning shares the parse trees.
#[derive(Clone)]
pub struct TemplateSet {
    templates: Templates,
}

impl TemplateSet {
    pub fn new(funcs: Rc<FuncTable>, missing_key: MissingKey) -> TemplateSet {
        let options = Options {
            missing_key,
            ..Options::default()
        };
        TemplateSet {
            templates: Templates::new(funcs, options),
        }
    }

    /// Parses `text` as the template `name`; its `define`s replace earlier ones of the same name.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), TemplateError> {
        self.templates.parse(name, text)
    }

    /// [`TemplateSet::parse`] of each `(name, text)` in order (on two threads when there are many).
    pub fn parse_all(&mut self, sources: &[(&str, Source)]) -> Result<(), TemplateError> {
        self.templates.parse_all(sources)
    }

    /// [`TemplateSet::parse_all`] where `ready[i]`, when present, holds the trees of `sources[i]`.
    pub fn parse_all_with(
        &mut self,
        sources: &[(&str, Source)],
        ready: Vec<Option<Vec<crate::template::ast::Tree>>>,
    ) -> Result<(), TemplateError> {
        self.templates.parse_all_with(sources, ready)
    }

    /// The functions templates of the set may call.
    pub fn funcs(&self) -> &FuncTable {
        self.templates.funcs()
    }

    /// Executes the template `name` with `data` as dot.
    pub fn execute(
        &self,
        name: &str,
        data: &Value,
        env: &FuncEnv,
    ) -> Result<String, TemplateError> {
        self.templates.execute(name, data, env)
    }
}

/// The parts of a template error that Helm's messages are made of.
#[derive(Debug, Clone, PartialEq)]
pub enum Described {
    /// A parse error at `name:line` with Go's message after the location.
    Parse { location: String, message: String },
    /// An execution error. `location` is `name:line:col` of the outermost failing node; `abort` is the
    /// message of a `required`/`fail` anywhere in the chain of nested executions.
    Exec {
        location: String,
        abort: Option<String>,
    },
    /// No location: printed as Go prints it.
    Other,
}

/// Classifies a template error.
pub fn describe(err: &TemplateError) -> Described {
    match err.kind() {
        ErrorKind::Parse => Described::Parse {
            location: err.location(),
            message: err.message().to_string(),
        },
        ErrorKind::Exec if !err.location().is_empty() => Described::Exec {
            location: err.location(),
            abort: err.abort_message().map(str::to_string),
        },
        _ => Described::Other,
    }
}

/// Helm's serialisation functions (`toYaml`, `fromYaml`, `toJson`, `toToml`, … and Sprig's JSON ones),
/// as the `yaml` branch registers them.
pub fn serial_funcs() -> Vec<FuncDef> {
    use crate::template::funcs::serial::{HELM_FUNCS, SPRIG_JSON_FUNCS};
    SPRIG_JSON_FUNCS.iter().chain(HELM_FUNCS).cloned().collect()
}

/// sigs.k8s.io/yaml's `Marshal` of a value, as Helm's `toYAML` helper (used by `.Files.AsConfig`);
/// empty on failure, as Helm's helper swallows errors.
pub fn to_yaml(value: &Value) -> String {
    crate::yaml::to_yaml(value).unwrap_or_default()
}
