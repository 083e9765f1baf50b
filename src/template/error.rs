//! Template errors: parse and execution errors with their location carried as data.
//!
//! `Display` prints Go's text exactly: `template: NAME:LINE: MSG` for parse errors and
//! `template: NAME:LINE:COL: executing "NAME" at <NODE>: MSG` for execution errors (Go's
//! `parse.Tree.errorf` and `exec.state.errorf`). The pieces stay available through accessors so that
//! the Helm layer can reword errors (`parse error at (NAME:LINE): MSG`, `execution error at
//! (NAME:LINE:COL): MSG`) without splitting strings. The alternate form (`{:#}`) adds the source line
//! and a caret under the column.
use std::fmt;

/// Which stage failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template text did not parse (lexer or parser error, or an undefined function).
    Parse,
    /// Executing the template failed.
    Exec,
    /// An error with no template location (e.g. executing a template that does not exist).
    Other,
}

/// What caused an execution error, when it came from a called function.
#[derive(Clone, Debug)]
pub enum ErrorSource {
    /// A nested template execution (`include`, `tpl`) failed.
    Nested(Error),
    /// Helm's `required`/`fail`: the author's message, reported by Helm as
    /// `execution error at (FILE:L:C): MESSAGE`.
    Abort(String),
}

/// A template parse or execution error.
#[derive(Clone, Debug)]
pub struct Error {
    repr: Box<Repr>,
}

#[derive(Clone, Debug)]
struct Repr {
    kind: ErrorKind,
    /// The file the failing node is in (Go's `Tree.ParseName`).
    parse_name: String,
    /// 1-based line; 0 when unknown.
    line: usize,
    /// 0-based byte column within the line (Go's convention); `None` for parse errors.
    column: Option<usize>,
    /// The name of the template being executed (Go's `s.tmpl.Name()`).
    executing: Option<String>,
    /// The failing node as Go prints it in `at <…>`.
    node: Option<String>,
    /// Go's message after the location prefix.
    message: String,
    source: Option<ErrorSource>,
    /// The source text line of the location, for the `{:#}` report.
    source_line: Option<String>,
}

impl Error {
    /// A parse error at `parse_name:line`.
    pub fn parse(parse_name: &str, line: usize, message: impl Into<String>) -> Error {
        Error {
            repr: Box::new(Repr {
                kind: ErrorKind::Parse,
                parse_name: parse_name.to_string(),
                line,
                column: None,
                executing: None,
                node: None,
                message: message.into(),
                source: None,
                source_line: None,
            }),
        }
    }

    /// An execution error at a node.
    pub fn exec(
        parse_name: &str,
        line: usize,
        column: usize,
        executing: &str,
        node: String,
        message: impl Into<String>,
    ) -> Error {
        Error {
            repr: Box::new(Repr {
                kind: ErrorKind::Exec,
                parse_name: parse_name.to_string(),
                line,
                column: Some(column),
                executing: Some(executing.to_string()),
                node: Some(node),
                message: message.into(),
                source: None,
                source_line: None,
            }),
        }
    }

    /// An execution error with no node (Go: `template: NAME: MSG`).
    pub fn exec_unlocated(executing: &str, message: impl Into<String>) -> Error {
        Error {
            repr: Box::new(Repr {
                kind: ErrorKind::Exec,
                parse_name: String::new(),
                line: 0,
                column: None,
                executing: Some(executing.to_string()),
                node: None,
                message: message.into(),
                source: None,
                source_line: None,
            }),
        }
    }

    /// An error printed verbatim (e.g. `template: no template "x" associated with template "y"`).
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            repr: Box::new(Repr {
                kind: ErrorKind::Other,
                parse_name: String::new(),
                line: 0,
                column: None,
                executing: None,
                node: None,
                message: message.into(),
                source: None,
                source_line: None,
            }),
        }
    }

    /// Wraps `inner` with a context prefix, as Go's `errors.Wrapf(err, "prefix")` prints it:
    /// `PREFIX: INNER`. The inner error stays reachable through [`Error::source`].
    pub fn wrapped(prefix: impl Into<String>, inner: Error) -> Error {
        let message = format!("{}: {inner}", prefix.into());
        Error::new(message).with_source(ErrorSource::Nested(inner))
    }

    pub(crate) fn with_source(mut self, source: ErrorSource) -> Error {
        self.repr.source = Some(source);
        self
    }

    pub(crate) fn with_source_line(mut self, line: Option<String>) -> Error {
        self.repr.source_line = line;
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.repr.kind
    }

    /// The template file the error is located in (Go's `ParseName`); empty when unlocated.
    pub fn parse_name(&self) -> &str {
        &self.repr.parse_name
    }

    /// The 1-based line, or 0 when unknown.
    pub fn line(&self) -> usize {
        self.repr.line
    }

    /// The 0-based byte column within the line (execution errors only).
    pub fn column(&self) -> Option<usize> {
        self.repr.column
    }

    /// The name of the template that was executing.
    pub fn executing(&self) -> Option<&str> {
        self.repr.executing.as_deref()
    }

    /// The failing node's text, as Go prints it inside `at <…>`.
    pub fn node(&self) -> Option<&str> {
        self.repr.node.as_deref()
    }

    /// Go's message, without the `template: …:` location prefix.
    pub fn message(&self) -> &str {
        &self.repr.message
    }

    pub fn source(&self) -> Option<&ErrorSource> {
        self.repr.source.as_ref()
    }

    /// The `required`/`fail` message of this error or of the innermost nested error that carries one.
    pub fn abort_message(&self) -> Option<&str> {
        match self.source()? {
            ErrorSource::Abort(m) => Some(m),
            ErrorSource::Nested(e) => e.abort_message(),
        }
    }

    /// `NAME:LINE` (parse) or `NAME:LINE:COL` (exec), as Go prints the location; empty when unlocated.
    pub fn location(&self) -> String {
        let r = &self.repr;
        match (r.kind, r.column) {
            (ErrorKind::Other, _) => String::new(),
            (ErrorKind::Exec, None) => String::new(),
            (_, Some(col)) => format!("{}:{}:{}", r.parse_name, r.line, col),
            (_, None) => format!("{}:{}", r.parse_name, r.line),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.repr;
        match r.kind {
            ErrorKind::Other => f.write_str(&r.message)?,
            ErrorKind::Parse => write!(f, "template: {}:{}: {}", r.parse_name, r.line, r.message)?,
            ErrorKind::Exec => match (&r.node, &r.executing) {
                (Some(node), Some(name)) => write!(
                    f,
                    "template: {}: executing {} at <{}>: {}",
                    self.location(),
                    crate::template::printf::quote_go(name),
                    node,
                    r.message
                )?,
                (_, name) => write!(
                    f,
                    "template: {}: {}",
                    name.as_deref().unwrap_or(""),
                    r.message
                )?,
            },
        }
        if f.alternate() {
            if let Some(line) = &r.source_line {
                write!(f, "\n  --> {}\n   | {}", self.location(), line)?;
                if let Some(col) = r.column {
                    let prefix = line.get(..col.min(line.len())).unwrap_or("");
                    let pad: String = prefix
                        .chars()
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    write!(f, "\n   | {pad}^")?;
                }
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_text() {
        let e = Error::parse("c/templates/x.yaml", 3, "unexpected EOF");
        assert_eq!(
            e.to_string(),
            "template: c/templates/x.yaml:3: unexpected EOF"
        );
        assert_eq!(e.location(), "c/templates/x.yaml:3");
    }

    #[test]
    fn exec_error_text_and_caret() {
        let e = Error::exec("x", 1, 3, "x", ".a.b".into(), "boom")
            .with_source_line(Some("a: {{ .a.b }}".into()));
        assert_eq!(
            e.to_string(),
            "template: x:1:3: executing \"x\" at <.a.b>: boom"
        );
        let alt = format!("{e:#}");
        assert!(alt.ends_with("   |    ^"), "{alt}");
    }
}
