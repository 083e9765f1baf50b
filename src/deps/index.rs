//! A chart repository's `index.yaml` (`pkg/repo/index.go`): `apiVersion`, `generated`, and `entries`
//! from chart name to its versions, each the chart's Chart.yaml metadata plus `urls`, `created`,
//! `digest` (sha256 of the archive) and `removed`.
//!
//! Loading follows `loadIndex`: an empty file is `empty index.yaml file`, a missing `apiVersion` is
//! `no API version specified`, entries without a name or with a version that is not semver are
//! skipped, and each chart's versions are sorted newest first (unparsable versions last).
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{io, Error};
use crate::chart::constraint::{compare_versions, is_version};
use crate::chart::Metadata;

/// One version of a chart in an index. Mirrors `repo.ChartVersion`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChartVersion {
    #[serde(flatten)]
    pub metadata: Metadata,
    #[serde(default)]
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub digest: String,
}

/// The whole index. Mirrors `repo.IndexFile`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct IndexFile {
    #[serde(default, rename = "apiVersion")]
    pub api_version: String,
    #[serde(default)]
    pub generated: String,
    #[serde(default)]
    pub entries: BTreeMap<String, Vec<Option<ChartVersion>>>,
}

/// A loaded index, entries validated and sorted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Index {
    pub api_version: String,
    pub generated: String,
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
}

impl Index {
    /// Parses an index's bytes; `source` names it in errors.
    pub fn parse(data: &[u8], source: &str) -> Result<Index, Error> {
        if data.is_empty() {
            return Err(Error::Resolve("empty index.yaml file".into()));
        }
        let text = String::from_utf8_lossy(data);
        let raw: IndexFile = crate::yaml::from_str(&text, source).map_err(|e| Error::Parse {
            file: source.to_string(),
            message: e.to_string(),
        })?;
        let mut entries = BTreeMap::new();
        for (name, versions) in raw.entries {
            let mut kept: Vec<ChartVersion> = versions
                .into_iter()
                .flatten()
                .filter(|v| !v.metadata.name.is_empty() && is_version(&v.metadata.version))
                .collect();
            sort_newest_first(&mut kept);
            entries.insert(name, kept);
        }
        if raw.api_version.is_empty() {
            return Err(Error::Resolve("no API version specified".into()));
        }
        Ok(Index {
            api_version: raw.api_version,
            generated: raw.generated,
            entries,
        })
    }

    /// Loads an index file (`repo.LoadIndexFile`).
    pub fn load(path: &Path) -> Result<Index, Error> {
        let data = std::fs::read(path).map_err(|e| io("open", path, &e))?;
        Index::parse(&data, &path.display().to_string())
    }

    /// `IndexFile.Get(name, version)`: an exact version string first, then the newest version the
    /// constraint accepts (`*`, no prereleases, when `version` is empty).
    pub fn get(&self, name: &str, version: &str) -> Option<&ChartVersion> {
        let versions = self.entries.get(name)?;
        if !version.is_empty() {
            if let Some(v) = versions.iter().find(|v| v.metadata.version == version) {
                return Some(v);
            }
        }
        let constraint = if version.is_empty() { "*" } else { version };
        versions.iter().find(|v| {
            crate::chart::constraint::is_compatible_range(constraint, &v.metadata.version)
        })
    }
}

fn sort_newest_first(versions: &mut [ChartVersion]) {
    versions.sort_by(|a, b| {
        compare_versions(&b.metadata.version, &a.metadata.version)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "apiVersion: v1\nentries:\n  redis:\n  - name: redis\n    version: 2.1.0\n    urls: [redis-2.1.0.tgz]\n  - name: redis\n    version: 2.1.10\n    urls: [redis-2.1.10.tgz]\n    digest: abc\n  - name: redis\n    version: not-semver\n    urls: [x.tgz]\n  - name: redis\n    version: 3.0.0-rc.1\n    urls: [redis-3.0.0-rc.1.tgz]\ngenerated: \"2026-01-01T00:00:00Z\"\n";

    #[test]
    fn loads_validates_and_sorts() {
        let index = Index::parse(INDEX.as_bytes(), "index.yaml").unwrap();
        let versions: Vec<&str> = index.entries["redis"]
            .iter()
            .map(|v| v.metadata.version.as_str())
            .collect();
        assert_eq!(versions, ["3.0.0-rc.1", "2.1.10", "2.1.0"]);
        assert_eq!(index.get("redis", "").unwrap().metadata.version, "2.1.10");
        assert_eq!(index.get("redis", "~2.1.0").unwrap().digest, "abc");
        assert!(index.get("redis", "~4").is_none());
    }

    #[test]
    fn empty_and_versionless_indexes_are_errors() {
        assert_eq!(
            Index::parse(b"", "i").unwrap_err().to_string(),
            "empty index.yaml file"
        );
        assert_eq!(
            Index::parse(b"entries: {}\n", "i").unwrap_err().to_string(),
            "no API version specified"
        );
    }
}
