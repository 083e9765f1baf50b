//! `deps::Error`: every way resolving, downloading or storing dependencies and repository data can
//! fail. `Display` prints the whole text Helm prints after `Error: ` (wrapped causes included, as Go's
//! `errors.Wrap` joins them), so the CLI prints it as is.
use std::fmt;

/// A dependency or repository failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Loading the chart (or a `file://` dependency) failed.
    Chart(crate::chart::Error),
    /// Reading or writing a file failed: Go's `*PathError` text (`open x: permission denied`).
    Io(String),
    /// A YAML file (Chart.lock, repositories.yaml, index.yaml) could not be read.
    Parse { file: String, message: String },
    /// The lock's digest does not match Chart.yaml's dependencies.
    OutOfSync {
        lock_file: &'static str,
        deps_file: &'static str,
    },
    /// An HTTP(S) request failed; the text names the URL and the cause.
    Http(String),
    /// A downloaded archive is not the one the repository's index describes.
    DigestMismatch {
        chart: String,
        repository: String,
        expected: String,
        actual: String,
    },
    /// Helm's resolver and manager messages (`can't get a valid version for 1 subchart(s): …`,
    /// `no repository definition for …`, `directory x not found`), worded as Helm words them.
    Resolve(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Chart(e) => write!(f, "{e}"),
            Error::Parse { file, message } => write!(f, "cannot load {file}: {message}"),
            Error::OutOfSync {
                lock_file,
                deps_file,
            } => write!(
                f,
                "the lock file ({lock_file}) is out of sync with the dependencies file ({deps_file}). Please update the dependencies"
            ),
            Error::Io(message) | Error::Http(message) | Error::Resolve(message) => f.write_str(message),
            Error::DigestMismatch {
                chart,
                repository,
                expected,
                actual,
            } => write!(
                f,
                "chart {chart} from repository {repository}: digest mismatch: the index says sha256:{expected}, the archive is sha256:{actual}"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<crate::chart::Error> for Error {
    fn from(e: crate::chart::Error) -> Error {
        Error::Chart(e)
    }
}

/// An [`Error::Io`]: `op path: reason`, as Go prints a `*PathError`.
pub fn io(op: &str, path: &std::path::Path, e: &std::io::Error) -> Error {
    Error::Io(crate::go_os::path_error(op, path, e))
}
