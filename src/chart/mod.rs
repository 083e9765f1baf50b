//! Charts: the in-memory model (`Chart`, `Metadata`, `File`), loading from a directory or a `.tgz`
//! archive (with `.helmignore` and Helm's archive safety limits), and dependency processing
//! (conditions, tags, aliases, import-values) over the loaded tree.
//!
//! Mirrors `pkg/chart`, `pkg/chart/loader` and the dependency half of `pkg/chartutil` of Helm v3. This
//! module does not render templates and never touches the network.
pub mod archive;
pub mod constraint;
pub mod create;
pub mod dependencies;
pub mod deprecated_apis;
pub mod error;
pub mod helmignore;
pub mod lint;
pub mod loader;
pub mod metadata;
pub mod model;
pub mod package;
pub mod show;
pub mod sniff;

pub use dependencies::{check_dependencies, process_dependencies};
pub use error::Error;
pub use loader::{load, load_archive, load_dir, load_files, BufferedFile};
pub use model::{Chart, ChartType, Dependency, File, Lock, Maintainer, Metadata, NonNilFields};
