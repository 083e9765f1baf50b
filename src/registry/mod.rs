//! OCI registries: `rudder push`, `rudder pull oci://…` and `rudder registry login|logout`, as Helm
//! v3.17's `pkg/registry` does them: a chart is an OCI image manifest whose config is the chart's
//! metadata as JSON (`application/vnd.cncf.helm.config.v1+json`) and whose one layer is the chart
//! archive (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`); a tag is the chart version with
//! `+` written `_`; credentials live in Helm's registry config (`registry/config.json`, Docker's
//! format, 0600).
//!
//! The distribution API calls (blob upload, manifest put/get, tag list, the `/v2/` login check, Basic
//! and Bearer-token authentication) are written here over reqwest's blocking client, as for chart
//! repositories: the maintained Rust OCI clients (`oci-client`) are async on tokio with their own
//! reqwest, a second HTTP stack for four requests. Never a shell-out.
//!
//! Container images (for `rudder bundle`): [`image_ref`] parses and normalizes image references as
//! Docker does, [`image`] fetches and uploads image manifests, indexes and blobs, [`upload`] sends a
//! blob of any size from a file in chunks with bounded memory.
pub mod client;
pub mod credential_helper;
pub mod credentials;
pub mod image;
pub mod image_ref;
pub mod reference;
mod token;
pub mod upload;

pub use client::Client;
pub use reference::Reference;

/// Media types (`pkg/registry/constants.go`).
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
pub const CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
pub const LEGACY_CHART_LAYER_MEDIA_TYPE: &str = "application/tar+gzip";
pub const PROV_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

/// A registry failure; `Display` is the whole message printed after `Error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}
