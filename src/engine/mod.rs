//! Helm's rendering rules over a chart tree (Helm v3.17.3 `pkg/engine`), on top of the Go template
//! language in `crate::template`:
//!
//! - [`render`]: one template set per chart tree, parse/render order, partials, per-chart contexts,
//!   `.Template`, `<no value>` removal, strict mode;
//! - [`funcs`]: the function table (Sprig + serialisers + `include`, `tpl`, `required`, `fail`,
//!   `lookup`), with `include`'s recursion cap;
//! - [`files`], [`capabilities`], [`chart_object`]: the host objects `.Files`, `.Capabilities`,
//!   `.Chart`;
//! - [`error`]: Helm's wording of template errors, from structured data;
//! - [`backend`]: the seam to the template language and the YAML layer.
//!
//! No I/O happens here: the chart arrives loaded and the values coalesced.
pub mod backend;
pub mod capabilities;
pub mod chart_object;
pub mod error;
pub mod files;
pub mod funcs;
pub mod glob;
pub mod name_template;
pub mod preload;
pub mod render;

pub use capabilities::{Capabilities, KubeVersion};
pub use error::Error;
pub use render::{Engine, ParseCache, ReleaseOptions};
