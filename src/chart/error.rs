//! `chart::Error`: every way loading or processing a chart can fail, worded as Helm v3 words it.
//!
//! `Display` prints the whole message Helm prints after `Error: ` (wrapping errors include the text of
//! the error they wrap, as Go's `errors.Wrap` does), so callers can print it as is.
use std::fmt;

/// An error while loading a chart or processing its dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The chart path does not exist (`path "x" not found`).
    NotFound { path: String },
    /// No Chart.yaml among the chart's files.
    MissingChartYaml,
    /// Chart.yaml failed `Metadata.Validate` (`validation: chart.metadata.name is required`).
    Validation(String),
    /// A chart file could not be parsed (`cannot load values.yaml: <yaml error>`).
    Parse { file: String, message: String },
    /// A `.tgz` was malformed or unsafe (absolute paths, `..`, size limits…).
    Archive(String),
    /// A subchart failed to load (`error unpacking subchart sub in parent: …`).
    Subchart {
        name: String,
        parent: String,
        source: Box<Error>,
    },
    /// Reading a file or directory failed.
    Io { path: String, message: String },
    /// A `.helmignore` rule is invalid.
    Ignore(String),
    /// Dependency processing failed (missing dependency, bad import-values…).
    Dependency(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound { path } => write!(f, "path {} not found", go_quote(path)),
            Error::MissingChartYaml => f.write_str("Chart.yaml file is missing"),
            Error::Validation(msg) => write!(f, "validation: {msg}"),
            Error::Parse { file, message } => write!(f, "cannot load {file}: {message}"),
            Error::Archive(msg) | Error::Ignore(msg) | Error::Dependency(msg) => f.write_str(msg),
            Error::Subchart {
                name,
                parent,
                source,
            } => write!(f, "error unpacking subchart {name} in {parent}: {source}"),
            Error::Io { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// Go's `strconv.Quote` (one implementation, in the template layer's printf).
pub use crate::template::printf::quote_go as go_quote;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(go_quote("\u{1}é"), r#""\x01é""#);
    }

    #[test]
    fn subchart_errors_nest_their_cause() {
        let e = Error::Subchart {
            name: "sub".into(),
            parent: "top".into(),
            source: Box::new(Error::MissingChartYaml),
        };
        assert_eq!(
            e.to_string(),
            "error unpacking subchart sub in top: Chart.yaml file is missing"
        );
    }
}
