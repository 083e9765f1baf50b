//! A chart repository's `index.yaml` (`pkg/repo/index.go`): `apiVersion`, `generated`, and `entries`
//! from chart name to its versions, each the chart's Chart.yaml metadata plus `urls`, `created`,
//! `digest` (sha256 of the archive) and `removed`.
//!
//! An index is read one version at a time straight into [`ChartVersion`]s (`streamed`, on
//! [`crate::yaml::items`]), with the full YAML path as the fallback for what that reader does not
//! vouch for. Loading follows `loadIndex`: an empty file is `empty index.yaml file`, a missing `apiVersion` is
//! `no API version specified`, entries without a name or with a version that is not semver are
//! skipped with Helm's log line on standard error, and each chart's versions are sorted newest first (unparsable versions last).
//!
//! Writing (`repo index`) follows `IndexDirectory`, `MustAdd`, `Merge` and `WriteFile`: the archives
//! in a directory and its immediate subdirectories, each with its sha256 digest, a URL under `--url`
//! and a `created` time, marshalled as sigs.k8s.io/yaml does (keys sorted).
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
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub api_version: String,
    pub generated: String,
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
    /// Entries left out (what Helm logs before the source, and the reason after it).
    pub skipped: Vec<(u32, String, String)>,
}

/// The index read one entry at a time ([`crate::yaml::items`]): each version becomes a
/// [`ChartVersion`] as soon as it is read, so the whole index never exists as a YAML tree (for an
/// index of tens of MB the trees were several times the size of the typed entries). `None` where
/// that reader gives up or a version does not decode: the full path then reads the text (and
/// reports the error).
fn streamed(text: &str) -> Option<IndexFile> {
    use crate::yaml::convert::{Yaml, YamlDeserializer};
    use crate::yaml::items::ItemSink;

    struct Entries(BTreeMap<String, Vec<Option<ChartVersion>>>);
    impl ItemSink for Entries {
        fn lists(&mut self) {
            self.0.clear();
        }
        fn list(&mut self, name: &str) {
            self.0.insert(name.to_string(), Vec::new());
        }
        fn item(&mut self, name: &str, item: Yaml) -> Option<()> {
            let version = match item {
                Yaml::Null => None,
                item => Some(ChartVersion::deserialize(YamlDeserializer(&item)).ok()?),
            };
            self.0.get_mut(name)?.push(version);
            Some(())
        }
    }

    let mut entries = Entries(BTreeMap::new());
    let top = crate::yaml::items::stream_items(text, "entries", &mut entries)?;
    let mut raw = IndexFile::deserialize(YamlDeserializer(&Yaml::Map(top))).ok()?;
    raw.entries = entries.0;
    Some(raw)
}

fn quote(s: &str) -> String {
    crate::template::printf::quote_go(s)
}

/// Why `Metadata.Validate` refuses an index entry (the checks an entry fails in practice: a name and
/// a semver version).
fn invalid(metadata: &Metadata) -> Option<String> {
    if metadata.name.is_empty() {
        Some("chart.metadata.name is required".to_string())
    } else if metadata.version.is_empty() {
        Some("chart.metadata.version is required".to_string())
    } else if !is_version(&metadata.version) {
        Some(format!(
            "chart.metadata.version {} is invalid",
            quote(&metadata.version)
        ))
    } else {
        None
    }
}

/// Go's `log.Printf` as Helm's index loader uses it (Helm sets `log.Lshortfile`: the source line of
/// `loadIndex`, then the message), on standard error. Helm logs through the process-wide logger
/// here, so Rudder does too: every command that reads an index warns about the entries it skips.
fn go_log(line: u32, message: &str) {
    eprintln!("index.go:{line}: {message}");
}

impl Index {
    /// Parses an index's bytes; `source` names it in errors and in the warnings about skipped
    /// entries.
    pub fn parse(data: &[u8], source: &str) -> Result<Index, Error> {
        if data.is_empty() {
            return Err(Error::Resolve("empty index.yaml file".into()));
        }
        let text = String::from_utf8_lossy(data);
        let raw: IndexFile = match streamed(&text) {
            Some(raw) => raw,
            None => crate::yaml::from_str(&text, source).map_err(|e| Error::Parse {
                file: source.to_string(),
                message: e.to_string(),
            })?,
        };
        let mut entries = BTreeMap::new();
        let mut skipped = Vec::new();
        for (name, versions) in raw.entries {
            let mut kept = Vec::with_capacity(versions.len());
            // Helm walks the versions from the last; its log lines come in that order.
            for version in versions.into_iter().rev() {
                let Some(version) = version else {
                    skipped.push((
                        359,
                        format!("skipping loading invalid entry for chart {}", quote(&name)),
                        "empty entry".to_string(),
                    ));
                    continue;
                };
                match invalid(&version.metadata) {
                    Some(reason) => skipped.push((
                        370,
                        format!(
                            "skipping loading invalid entry for chart {} {}",
                            quote(&name),
                            quote(&version.metadata.version)
                        ),
                        format!("validation: {reason}"),
                    )),
                    None => kept.push(version),
                }
            }
            sort_newest_first(&mut kept);
            entries.insert(name, kept);
        }
        if raw.api_version.is_empty() {
            return Err(Error::Resolve("no API version specified".into()));
        }
        let index = Index {
            api_version: raw.api_version,
            generated: raw.generated,
            entries,
            skipped,
        };
        index.log_skipped(source);
        Ok(index)
    }

    /// Helm's log line for each skipped entry, naming `source` (Helm loads a `--repo` index twice,
    /// under two names, and logs each time).
    pub fn log_skipped(&self, source: &str) {
        for (line, head, reason) in &self.skipped {
            go_log(*line, &format!("{head} from {source}: {reason}"));
        }
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

impl Index {
    /// `repo.NewIndexFile()`.
    pub fn new() -> Index {
        Index {
            api_version: "v1".into(),
            generated: super::lock::now_rfc3339_nano(),
            entries: BTreeMap::new(),
            skipped: Vec::new(),
        }
    }

    /// Whether `name` at `version` is listed (`IndexFile.Has`).
    pub fn has(&self, name: &str, version: &str) -> bool {
        self.get(name, version)
            .is_some_and(|v| v.metadata.version == version)
    }

    /// `IndexFile.Merge`: versions of `other` this index lacks are appended.
    pub fn merge(&mut self, other: &Index) {
        for versions in other.entries.values() {
            for v in versions {
                if !self.has(&v.metadata.name, &v.metadata.version) {
                    self.entries
                        .entry(v.metadata.name.clone())
                        .or_default()
                        .push(v.clone());
                }
            }
        }
    }

    /// `IndexFile.SortEntries`.
    pub fn sort_entries(&mut self) {
        for versions in self.entries.values_mut() {
            sort_newest_first(versions);
        }
    }

    /// `yaml.Marshal(IndexFile)` (`json` for `--json`: `json.MarshalIndent(i, "", "  ")`).
    pub fn render(&self, json: bool) -> String {
        let entries: serde_json::Map<String, serde_json::Value> = self
            .entries
            .iter()
            .map(|(name, versions)| {
                let list = versions
                    .iter()
                    .map(|v| serde_json::to_value(v).unwrap_or_default())
                    .collect();
                (name.clone(), serde_json::Value::Array(list))
            })
            .collect();
        if json {
            // Go's struct order: apiVersion, generated, entries (metadata fields as declared).
            let mut index = serde_json::Map::new();
            index.insert("apiVersion".into(), self.api_version.clone().into());
            index.insert("generated".into(), self.generated.clone().into());
            index.insert("entries".into(), serde_json::Value::Object(entries));
            return super::gojson::indented(&serde_json::Value::Object(index));
        }
        let index = serde_json::json!({
            "apiVersion": self.api_version,
            "entries": entries,
            "generated": self.generated,
        });
        let value = crate::values::strvals::json_to_value(&index);
        crate::yaml::to_yaml(&value).unwrap_or_default()
    }

    /// `repo.IndexDirectory(dir, baseURL)`: the charts in `dir/*.tgz` and `dir/*/*.tgz`.
    pub fn index_directory(dir: &Path, base_url: &str) -> Result<Index, Error> {
        let mut archives = Vec::new();
        let mut top = Vec::new();
        let mut nested = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| io("open", dir, &e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                if let Ok(sub) = std::fs::read_dir(&path) {
                    for inner in sub.flatten() {
                        let inner_name = inner.file_name().to_string_lossy().into_owned();
                        if inner_name.ends_with(".tgz") {
                            nested.push((format!("{name}/{inner_name}"), inner.path()));
                        }
                    }
                }
            } else if name.ends_with(".tgz") {
                top.push((name, path));
            }
        }
        top.sort();
        nested.sort();
        archives.extend(top);
        archives.extend(nested);
        let mut index = Index::new();
        for (rel, path) in archives {
            let (parent, file) = match rel.rsplit_once('/') {
                Some((p, f)) => (p.to_string(), f.to_string()),
                None => (String::new(), rel.clone()),
            };
            let parent_url = url_join(base_url, &parent);
            let data = std::fs::read(&path).map_err(|e| io("open", &path, &e))?;
            let Ok(chart) = crate::chart::load_archive(&data) else {
                continue;
            };
            let mut md = chart.metadata.clone();
            if md.api_version.is_empty() {
                md.api_version = "v1".into();
            }
            crate::chart::metadata::validate(&mut md).map_err(|e| {
                Error::Resolve(format!(
                    "failed adding to {file} to index: validate failed for {file}: {e}"
                ))
            })?;
            let url = if parent_url.is_empty() {
                file.clone()
            } else {
                url_join(&parent_url, &file)
            };
            index
                .entries
                .entry(md.name.clone())
                .or_default()
                .push(ChartVersion {
                    metadata: md,
                    urls: vec![url],
                    created: super::lock::now_rfc3339_nano(),
                    removed: false,
                    digest: super::digest::sha256_hex(&data),
                });
        }
        Ok(index)
    }
}

impl Default for Index {
    fn default() -> Index {
        Index::new()
    }
}

/// Helm's `urlutil.URLJoin(base, p)`: `p` joined onto the base URL's path (`path.Join`).
pub fn url_join(base: &str, p: &str) -> String {
    match reqwest::Url::parse(base) {
        Ok(mut u) => {
            let joined = crate::chart::archive::clean_path(&format!("{}/{p}", u.path()));
            u.set_path(&joined);
            u.to_string()
        }
        Err(_) => {
            let joined = if base.is_empty() {
                p.to_string()
            } else {
                format!("{base}/{p}")
            };
            if joined.is_empty() {
                String::new()
            } else {
                crate::chart::archive::clean_path(&joined)
            }
        }
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

    /// The streamed read and the full path give the same typed index.
    #[test]
    fn streamed_read_agrees_with_the_full_path() {
        let full = |text: &str| crate::yaml::from_str::<IndexFile>(text, "i").unwrap();
        let mut big = String::from("apiVersion: v1\nentries:\n");
        for c in 0..50 {
            big.push_str(&format!("  chart{c}:\n"));
            for v in 0..5 {
                big.push_str(&format!(
                    "  - apiVersion: v2\n    name: chart{c}\n    version: 1.{v}.0\n    appVersion: \"{v}\"\n    \
                     description: Chart {c}\n    keywords:\n    - k{v}\n    maintainers:\n    - name: M\n      \
                     email: m@example.com\n    annotations:\n      a: \"1\"\n    dependencies:\n    - name: dep\n      \
                     version: ^1\n      repository: https://example.com\n    urls:\n    - chart{c}-1.{v}.0.tgz\n    \
                     created: \"2026-01-01T00:00:00Z\"\n    digest: abc{v}\n    deprecated: false\n"
                ));
            }
        }
        big.push_str("generated: \"2026-01-01T00:00:00Z\"\n");
        for text in [
            INDEX,
            big.as_str(),
            "apiVersion: v1\nentries:\n  a:\n  -\n  - name: a\n    version: 1.0.0\n",
        ] {
            let streamed = streamed(text).expect("streamed");
            assert_eq!(streamed, full(text), "{text}");
        }
        // Non-ASCII text goes through the parser's events, still one entry at a time.
        let unicode = "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    description: caf\u{e9}\n";
        assert_eq!(streamed(unicode).unwrap(), full(unicode));
        // A version that does not decode: left to the full path, which reports it.
        assert!(streamed("apiVersion: v1\nentries:\n  a:\n  - name: [x]\n").is_none());
        assert!(Index::parse(b"apiVersion: v1\nentries:\n  a:\n  - name: [x]\n", "i").is_err());
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
