//! `bundle.json`, the bundle's manifest: what the bundle holds and the sha256 of every file in it
//! (image blobs are named by their digest and checked against their names). `bundle.sha256` holds
//! the digest of `bundle.json` itself.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Error;

pub const MANIFEST_FILE: &str = "bundle.json";
pub const MANIFEST_DIGEST_FILE: &str = "bundle.sha256";
pub const KIND: &str = "RudderBundle";

/// The manifest.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub kind: String,
    pub schema_version: u32,
    /// RFC 3339 UTC.
    pub created: String,
    pub chart: ChartEntry,
    #[serde(default)]
    pub dependencies: Vec<ChartEntry>,
    /// Every values file, as stored.
    #[serde(default)]
    pub values: Vec<ValuesEntry>,
    /// The values layerings rendered, each a list of `values/…` files in order.
    #[serde(default)]
    pub value_sets: Vec<Vec<String>>,
    /// The keys of the `--set`/`--set-string` flags applied to every layering (their values are
    /// not stored: one may be a secret).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
    /// `--platform` filters (empty: multi-arch indexes kept whole).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    #[serde(default)]
    pub images: Vec<ImageEntry>,
    /// Every file but the blobs and the two manifest files: path → `sha256:…`.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

/// A chart archive in the bundle.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChartEntry {
    pub name: String,
    pub version: String,
    /// Path inside the bundle.
    pub file: String,
}

/// A values file in the bundle.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ValuesEntry {
    /// Path inside the bundle (`values/1-prod.yaml`).
    pub file: String,
    /// The path given to `bundle create`.
    pub source: String,
}

/// An image in the bundle's OCI layout.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ImageEntry {
    /// Normalized (`docker.io/library/nginx:1.25`, with `@sha256:…` when the chart pinned one):
    /// how the rendered manifests' references are matched at install time.
    pub image: String,
    /// The references as the rendered manifests (or the chart's annotation) wrote them.
    #[serde(default)]
    pub references: Vec<String>,
    pub registry: String,
    pub repository: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The digest of the manifest (or index) stored, what the site's registry will serve.
    pub digest: String,
    /// The digest the source registry served, when `--platform` filtering changed the index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_digest: Option<String>,
    pub media_type: String,
    pub size: u64,
}

impl Manifest {
    /// Reads `bundle.json`'s text.
    pub fn parse(data: &[u8]) -> Result<Manifest, Error> {
        let manifest: Manifest = serde_json::from_slice(data)
            .map_err(|e| Error(format!("{MANIFEST_FILE}: not a bundle manifest: {e}")))?;
        if manifest.kind != KIND || manifest.schema_version != 1 {
            return Err(Error(format!(
                "{MANIFEST_FILE}: kind {:?} schemaVersion {} is not a bundle this version of rudder reads ({KIND} 1)",
                manifest.kind, manifest.schema_version
            )));
        }
        Ok(manifest)
    }

    /// The JSON text written to the bundle.
    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}
