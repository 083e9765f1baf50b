//! Air-gapped installs (beyond Helm): `rudder bundle create|verify|push` and installing a release
//! from a bundle file with `--offline --registry HOST:PORT`. The workflow, the flags and the bundle's
//! layout are documented in docs/air-gap.md.
//!
//! A bundle is one gzipped tar holding everything a release needs:
//!
//! ```text
//! bundle.json                      the manifest: chart, dependencies, values, images, file digests
//! bundle.sha256                    sha256 of bundle.json (so that no byte of it can change unseen)
//! chart/<name>-<version>.tgz       the chart, its charts/ included
//! charts/<name>-<version>.tgz      every dependency (recursively), each also as its own archive
//! values/<n>-<file>                the values files given to `bundle create`
//! images/oci-layout                an OCI image layout holding every image
//! images/index.json
//! images/blobs/sha256/<hex>
//! ```
//!
//! - [`manifest`] — `bundle.json`.
//! - [`archive`] — writing the tar.gz (bundle.json first) and extracting one safely.
//! - [`chart_file`] — the bundle's chart alone, for `template`, `show` and `lint` of a bundle.
//! - [`images`] — the container images rendered manifests reference, and rewriting them to a site's
//!   registry (the post-render step of an offline install).
//! - [`layout`] — the OCI image layout: copying images from registries into it.
//! - [`connect`] — reaching a registry (credentials, HTTPS or plain HTTP).
//! - [`progress`] — progress bars (indicatif on a terminal, plain lines otherwise).
//! - [`interrupt`] — Ctrl-C and SIGTERM: what a command is writing is removed before it exits.
//! - [`create`], [`verify`], [`push`], [`install`] — the commands' logic.
//!
//! Registry access goes through [`crate::registry::Client`] (credentials from Helm's registry config
//! or Docker's `config.json`); with `--offline` every HTTP client of the process refuses to be built
//! ([`crate::deps::getter::forbid_network`]).
pub mod archive;
pub mod chart_file;
pub mod connect;
pub mod create;
pub mod images;
pub mod install;
pub mod interrupt;
pub mod layout;
pub mod manifest;
pub mod progress;
pub mod push;
pub mod verify;

/// A bundle failure; `Display` is the whole message printed after `Error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<crate::registry::Error> for Error {
    fn from(e: crate::registry::Error) -> Error {
        Error(e.0)
    }
}

/// `op path: cause`, as Go's `*PathError` prints.
pub(crate) fn io_error(op: &str, path: &std::path::Path, e: &std::io::Error) -> Error {
    Error(crate::go_os::path_error(op, path, e))
}
