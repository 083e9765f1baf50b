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
//! Until those layers land, this file holds stand-ins: the set parses nothing and execution reports
//! that the template language is not available, so the command fails cleanly instead of printing
//! something wrong.
use std::rc::Rc;

use crate::template::{Error as TemplateError, FuncDef, FuncEnv, FuncTable, MissingKey, Value};

/// One template set for a whole chart tree (Go's `template.New("gotpl")` plus `t.New(name).Parse`).
pub struct TemplateSet {
    names: Vec<String>,
    _funcs: Rc<FuncTable>,
    _missing_key: MissingKey,
}

impl TemplateSet {
    pub fn new(funcs: Rc<FuncTable>, missing_key: MissingKey) -> TemplateSet {
        TemplateSet {
            names: Vec::new(),
            _funcs: funcs,
            _missing_key: missing_key,
        }
    }

    /// Parses `text` as the template `name`; its `define`s replace earlier ones of the same name.
    pub fn parse(&mut self, name: &str, _text: &str) -> Result<(), TemplateError> {
        self.names.push(name.to_string());
        Ok(())
    }

    /// Executes the template `name` with `data` as dot.
    pub fn execute(&self, name: &str, _data: &Value, _env: &FuncEnv) -> Result<String, TemplateError> {
        Err(TemplateError::new(format!(
            "template: {name}: the Go template language is not available in this build yet"
        )))
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
pub fn describe(_err: &TemplateError) -> Described {
    Described::Other
}

/// Helm's serialisation functions (`toYaml`, `fromYaml`, `toJson`, `toToml`, … and Sprig's JSON ones),
/// as the `yaml` branch registers them.
pub fn serial_funcs() -> Vec<FuncDef> {
    Vec::new()
}

/// yaml.v2's `Marshal` of a value, as Helm's `toYAML` helper (used by `.Files.AsConfig`).
pub fn to_yaml(value: &Value) -> String {
    // Stand-in: flat string maps only, as `AsConfig`/`AsSecrets` produce them.
    let Some(map) = value.as_map() else {
        return String::new();
    };
    let mut out = String::new();
    for (key, v) in map.entries() {
        let text = v.as_str().unwrap_or_default().to_string();
        if text.contains('\n') {
            let indicator = if text.ends_with('\n') { "|" } else { "|-" };
            out.push_str(&format!("{key}: {indicator}\n"));
            for line in text.trim_end_matches('\n').split('\n') {
                out.push_str(&format!("  {line}\n"));
            }
        } else {
            out.push_str(&format!("{key}: {text}\n"));
        }
    }
    out
}
