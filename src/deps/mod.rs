//! Chart dependencies and chart repositories: what `rudder dependency list|update|build` and the
//! `repo` commands need, mirroring Helm v3's `pkg/downloader` (the dependency manager),
//! `internal/resolver` (constraint resolution and the `Chart.lock` digest), `pkg/repo` (the
//! `repositories.yaml` file and `index.yaml`) and `pkg/helmpath` (where those files live).
//!
//! - [`paths`] — Helm's configuration, cache and data directories and the environment variables that
//!   move them (resolved once by the CLI and passed in; only `Settings::from_process_env` reads the
//!   environment).
//! - [`digest`] — `resolver.HashReq`, the `Chart.lock` digest, byte for byte (Go's JSON of the
//!   dependency structs).
//! - [`lock`] — reading and writing `Chart.lock` as Helm writes it.
//! - [`repofile`] — `repositories.yaml`.
//! - [`index`] — a repository's `index.yaml` (read, validated, sorted newest first).
//! - [`getter`] — HTTP(S) downloads with Helm's repository options (basic auth, CA, client
//!   certificates, `insecure_skip_tls_verify`, `pass_credentials_all`). reqwest, as for `-f URL`.
//! - [`manager`] — `dependency update`/`build`/`list`.
//! - [`repo`] — `repo add`/`remove`/`update`; [`repo_lock`] — `repositories.lock` around `repo add`;
//!   [`search`] — `search repo`.
//! - [`chart_ref`] — a chart argument (path, `repo/chart`, `--repo`, `oci://`, URL) resolved to a
//!   chart on disk (Helm's `LocateChart`); [`content_cache`] — Helm 4's content-addressed chart
//!   cache, shared with Helm 4.
//!
//! Version constraints are checked with [`crate::chart::constraint`], the one implementation also
//! behind `semverCompare` and `kubeVersion`.
//!
//! This module never touches Kubernetes. Downloads land in `charts/tmpcharts-<pid>` first and are
//! moved into `charts/` only when every dependency was fetched and verified: a failed update leaves
//! `charts/` as it was.
pub mod chart_ref;
pub mod content_cache;
pub mod digest;
pub mod error;
pub mod getter;
pub mod gojson;
pub mod index;
pub mod lock;
pub mod manager;
pub mod paths;
pub mod pull;
pub mod repo;
pub mod repo_lock;
pub mod repofile;
pub mod search;
pub mod verify;

pub use error::Error;
pub use paths::Settings;
