//! The error of every YAML/JSON operation, with Go's wording.
//!
//! Helm reports a bad YAML document through sigs.k8s.io/yaml as
//! `error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context`; the
//! caller adds its own prefix (`failed to parse values.yaml: `, `YAML parse error on x.yaml: `).
//! `Error` keeps the pieces apart: the file, the line Go reports (go-yaml's own numbering, which for
//! parser errors is one less than the 1-based line of the offending token, and absent on line 0), our
//! 1-based line and column of the problem, and the bare go-yaml message.
use std::fmt;

/// Which stage failed; it decides the prefix Go puts before the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// go-yaml could not parse the text: `error converting YAML to JSON: yaml: line N: …`.
    Syntax,
    /// The YAML parsed but has no JSON form (`json: unsupported value: +Inf`, a null map key):
    /// `error converting YAML to JSON: …`.
    Convert,
    /// The JSON form does not fit the target type: `error unmarshaling JSON: while decoding JSON: …`.
    Unmarshal,
    /// A value could not be serialised (`json: unsupported value: NaN`): `error marshaling into JSON: …`.
    Marshal,
}

/// A YAML or JSON error with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    /// The file the text came from (`values.yaml`, `mychart/templates/x.yaml`), empty when unknown.
    pub file: String,
    /// The line number go-yaml prints in `yaml: line N:`, if it prints one.
    pub go_line: Option<usize>,
    /// 1-based line of the problem in the source text (0 when unknown).
    pub line: usize,
    /// 1-based column of the problem (0 when unknown).
    pub column: usize,
    /// The bare message, e.g. `mapping values are not allowed in this context`.
    pub message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            file: String::new(),
            go_line: None,
            line: 0,
            column: 0,
            message: message.into(),
        }
    }

    pub(crate) fn in_file(mut self, file: &str) -> Error {
        if self.file.is_empty() {
            self.file = file.to_string();
        }
        self
    }

    /// The text go-yaml/encoding/json produce themselves, without sigs.k8s.io/yaml's wrapping:
    /// `yaml: line 3: mapping values are not allowed in this context`.
    pub fn go_text(&self) -> String {
        match self.kind {
            ErrorKind::Syntax => match self.go_line {
                Some(line) => format!("yaml: line {line}: {}", self.message),
                None => format!("yaml: {}", self.message),
            },
            _ => self.message.clone(),
        }
    }
}

impl fmt::Display for Error {
    /// sigs.k8s.io/yaml's wording, as Helm prints it after its own prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Syntax | ErrorKind::Convert => {
                write!(f, "error converting YAML to JSON: {}", self.go_text())
            }
            ErrorKind::Unmarshal => write!(f, "error unmarshaling JSON: {}", self.message),
            ErrorKind::Marshal => write!(f, "error marshaling into JSON: {}", self.message),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_sigs_yaml() {
        let mut e = Error::new(
            ErrorKind::Syntax,
            "mapping values are not allowed in this context",
        );
        e.go_line = Some(3);
        assert_eq!(
            e.to_string(),
            "error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context"
        );
        assert_eq!(
            e.go_text(),
            "yaml: line 3: mapping values are not allowed in this context"
        );
    }
}
