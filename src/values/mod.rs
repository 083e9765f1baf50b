//! Values: the user's layered values (`-f`, `--set`, `--set-string`, `--set-file`, `--set-json`,
//! `--set-literal`), Helm's coalescing of them over chart defaults, and `values.schema.json` validation.
//!
//! Mirrors Helm v3's `pkg/cli/values` (options), `pkg/strvals` (the `--set` grammar) and
//! `pkg/chartutil` (`coalesce.go`, `jsonschema.go`). This module knows nothing about templates or
//! releases.
pub mod coalesce;
pub mod getter;
pub mod options;
pub mod schema;
mod schema_formats;
pub mod schema_v6;
pub mod strvals;
pub mod yaml_input;

use std::fmt;

pub use coalesce::{
    coalesce_tables, coalesce_values, coalesce_values_taking, merge_tables, merge_values,
};
pub use options::ValueOptions;
pub use schema::{validate_against_schema, validate_against_single_schema};

/// An error while reading, parsing, coalescing or validating values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A `--set`-family flag did not parse (`failed parsing --set data: key "a" has no value`).
    SetFlag { flag: &'static str, message: String },
    /// A `--set-json` flag did not parse; Helm drops the cause (`failed parsing --set-json data a=`).
    SetJson { value: String },
    /// A values file could not be read (`open x.yaml: no such file or directory`).
    Read(String),
    /// A values file did not parse (`failed to parse x.yaml: error converting YAML to JSON: …`).
    ValuesFile { path: String, message: String },
    /// Coalescing failed (`type mismatch on sub: %!t(int64=1)`).
    Coalesce(String),
    /// Values do not meet the charts' schemas; the text lists every chart and error.
    Schema(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::SetFlag { flag, message } => write!(f, "failed parsing {flag} data: {message}"),
            Error::SetJson { value } => write!(f, "failed parsing --set-json data {value}"),
            Error::Read(message) | Error::Coalesce(message) => f.write_str(message),
            Error::ValuesFile { path, message } => write!(f, "failed to parse {path}: {message}"),
            Error::Schema(details) => write!(
                f,
                "values don't meet the specifications of the schema(s) in the following chart(s):\n{details}"
            ),
        }
    }
}

impl std::error::Error for Error {}
