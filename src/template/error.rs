//! Template errors: parse and execution errors with their location carried as data.
//!
//! `Display` prints Go's text: `template: NAME:LINE: MSG` for parse errors and
//! `template: NAME:LINE:COL: executing "NAME" at <NODE>: MSG` for execution errors.
use std::fmt;

/// A template parse or execution error.
#[derive(Debug, Clone)]
pub struct Error {
    repr: Box<Repr>,
}

#[derive(Debug, Clone)]
struct Repr {
    message: String,
}

impl Error {
    /// A placeholder constructor until the evaluator's error kinds land.
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            repr: Box::new(Repr {
                message: message.into(),
            }),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr.message)
    }
}

impl std::error::Error for Error {}
