//! `rudder unittest`: runs helm-unittest (v1.1.2) suites unchanged, with the same verdict on every
//! test, on Rudder's engine.
//!
//! - [`suite`]: the suite file format, every key checked ([`Error`] names file, test and line);
//! - [`path`]: the manifest path language (YAML JSONPath) and `set:` keys;
//! - [`data`]: yaml.v3's view of data (typing, equality, Go type names, encoding);
//! - [`assert`]: document selection and every validator;
//! - [`snapshot`] and [`diff`]: `__snapshot__/*.snap` files and the `Diff:` of failures;
//! - [`job`]: one test (values, render, post-render, assertions), [`lookup`] for
//!   `kubernetesProvider`;
//! - [`rendered`]: suites rendered from a chart of their own (`--chart-tests-path`);
//! - [`run`]: suite discovery and the parallel runner; [`report`]: human and JUnit/XUnit/NUnit/Sonar
//!   output.
//!
//! The chart is loaded once per worker thread and every test renders a copy of it, so nothing one
//! test does reaches another.
pub mod assert;
pub mod data;
pub mod diff;
pub mod job;
pub mod lookup;
pub mod path;
pub mod rendered;
pub mod report;
pub mod run;
pub mod snapshot;
pub mod suite;

/// A problem in a suite file: which file, which test (when inside one), which line, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub file: String,
    pub line: usize,
    pub test: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(test) = &self.test {
            write!(f, "test {test:?}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
