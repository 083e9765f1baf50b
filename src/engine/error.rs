//! Engine errors, worded as Helm v3.17.3 words them (`cleanupParseError`, `cleanupExecError` in
//! `pkg/engine/engine.go`), built from the template error's structured pieces, never by splitting its
//! text.
use super::backend::{describe, Described};
use crate::template::Error as TemplateError;

/// A failure to render a chart.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A template did not parse: `parse error at (chart/templates/x.yaml:12): function "foo" not defined`.
    #[error("parse error at ({location}): {message}")]
    Parse {
        location: String,
        message: String,
        /// The template error it was worded from (for the source excerpt).
        origin: Box<TemplateError>,
    },
    /// `required` or `fail` stopped the render: `execution error at (chart/templates/x.yaml:3:12): msg`.
    #[error("execution error at ({location}): {message}")]
    Execution {
        location: String,
        message: String,
        /// The template error it was worded from (for the source excerpt).
        origin: Box<TemplateError>,
    },
    /// Any other execution error, printed as Go prints it (`template: chart/templates/x.yaml:3:12:
    /// executing "…" at <.Values.a.b>: nil pointer evaluating interface {}.b`).
    #[error("{0}")]
    Template(TemplateError),
}

impl Error {
    /// Helm's wording for a parse error.
    pub fn from_parse(err: TemplateError) -> Error {
        match describe(&err) {
            Described::Parse { location, message } => Error::Parse {
                location,
                // Helm keeps only the text after the last ": " of Go's message.
                message: message.rsplit(": ").next().unwrap_or_default().to_string(),
                origin: Box::new(err),
            },
            _ => Error::Template(err),
        }
    }

    /// The template source line with a caret under the failing column (shown after the first line
    /// with `--debug`), when the error has a location in a template.
    pub fn source_excerpt(&self) -> Option<String> {
        let err = match self {
            Error::Parse { origin, .. } | Error::Execution { origin, .. } => origin.as_ref(),
            Error::Template(err) => err,
        };
        let plain = err.to_string();
        let full = format!("{err:#}");
        let excerpt = full.strip_prefix(&plain)?.trim_start_matches('\n');
        (!excerpt.is_empty()).then(|| excerpt.to_string())
    }

    /// Helm's wording for an execution error.
    pub fn from_exec(err: TemplateError) -> Error {
        match describe(&err) {
            Described::Exec {
                location,
                abort: Some(message),
            } => Error::Execution {
                location,
                message,
                origin: Box::new(err),
            },
            _ => Error::Template(err),
        }
    }
}
