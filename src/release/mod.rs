//! Releases as `helm template` needs them: rendered files split into manifests, manifests sorted in
//! Helm's install order, hooks separated by their annotations. Mirrors Helm v3's
//! `pkg/releaseutil` (`manifest.go`, `manifest_sorter.go`, `kind_sorter.go`) and the hook types of
//! `pkg/release/hook.go`.
//!
//! No I/O. The YAML head of each document is read through [`head`], on a helper thread while
//! templates render ([`prepare`]).
pub mod head;
pub mod hook;
pub mod kind_order;
pub mod manifest;
pub mod prepare;
pub mod sorter;

pub use head::SimpleHead;
pub use hook::{Hook, HookEvent};
pub use kind_order::{sort_by_kind, INSTALL_ORDER};
pub use manifest::{split_manifests, Manifest};
pub use prepare::{HeadReader, PreparedHeads};
pub use sorter::{sort_manifests, sort_prepared, SortError, Sorted};
