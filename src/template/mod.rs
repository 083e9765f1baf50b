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
pub mod error;
pub mod fmt;
pub mod funcs;
pub mod types;
pub mod value;

pub use error::Error;
pub use funcs::{CallCtx, FuncDef, FuncEnv, FuncError, FuncTable};
pub use types::{GoType, Signature};
pub use value::{IntKind, List, Map, MapEntries, MapKind, Object, Str, UintKind, Value};

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
