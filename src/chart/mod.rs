//! Charts: the in-memory model (`Chart`, `Metadata`, `File`), loading from a directory or a `.tgz`
//! archive (with `.helmignore` and Helm's archive safety limits), and dependency processing
//! (conditions, tags, aliases, import-values) over the loaded tree.
//!
//! Mirrors `pkg/chart` and `pkg/chart/loader` of Helm v3. This module does not render templates and
//! never touches the network.
pub mod model;

pub use model::{Chart, ChartType, Dependency, File, Maintainer, Metadata};
