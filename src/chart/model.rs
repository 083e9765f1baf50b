//! The chart model, mirroring Helm v3's `pkg/chart` types (`chart.Chart`, `chart.Metadata`,
//! `chart.Dependency`, `chart.File`).
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::template::Value;

/// A loaded chart and, recursively, its subcharts. Mirrors `chart.Chart`.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// Chart.yaml.
    pub metadata: Metadata,
    /// Chart.lock (or requirements.lock for apiVersion v1), if present.
    pub lock: Option<Lock>,
    /// Files under `templates/`, with paths relative to the chart root (`templates/x.yaml`).
    pub templates: Vec<File>,
    /// The parsed `values.yaml` (Helm's YAML semantics; an empty map when absent).
    pub values: Value,
    /// The raw `values.schema.json`, if present.
    pub schema: Option<Vec<u8>>,
    /// Every other file (README.md, LICENSE, crds/…, files for `.Files`), paths relative to the root.
    /// Chart.yaml, values.yaml, Chart.lock and templates are not included, as in Helm.
    pub files: Vec<File>,
    /// Subcharts loaded from `charts/` (directories and archives), in load order.
    pub dependencies: Vec<Chart>,
    /// Every file as loaded, unparsed (Helm's `Chart.Raw`): what `show values` and `package` write.
    /// Its data is shared with `templates` and `files` (and with `.Files` while rendering), never
    /// copied.
    pub raw: Vec<File>,
    /// The full path of the parent chart (its `ChartFullPath`, e.g. `platform/charts/postgresql` for a
    /// chart under postgresql's `charts/`); `None` for the root chart. See [`Chart::full_path`].
    pub parent_path: Option<String>,
}

/// One file of a chart. Mirrors `chart.File`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Slash-separated path relative to the chart root.
    pub name: String,
    /// The contents, shared: a chart keeps each file once however many lists (`raw`, `files`,
    /// `.Files`) hold it.
    pub data: Arc<[u8]>,
}

/// `type` in Chart.yaml.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartType {
    #[default]
    Application,
    Library,
}

/// Chart.yaml. Mirrors `chart.Metadata` (field names and JSON tags as Helm v3 writes them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub home: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintainers: Vec<Maintainer>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub icon: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tags: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub app_version: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub annotations: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kube_version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    #[serde(default, skip_serializing_if = "String::is_empty", rename = "type")]
    pub chart_type: String,
    /// Which list and map fields Chart.yaml gave as an explicit empty `[]`/`{}`. Go keeps those as
    /// empty non-nil values, while an absent or null field is nil, and `toJson` of
    /// `.Chart.Keywords` prints `[]` for one and `null` for the other.
    #[serde(skip)]
    pub non_nil: NonNilFields,
}

/// The list and map fields of [`Metadata`] that are empty but not nil (see `Metadata::non_nil`). A
/// field that holds elements is never nil, whatever its flag says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NonNilFields {
    pub sources: bool,
    pub keywords: bool,
    pub maintainers: bool,
    pub annotations: bool,
    pub dependencies: bool,
}

/// A maintainer entry. Mirrors `chart.Maintainer`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Maintainer {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
}

/// A dependency in Chart.yaml (or requirements.yaml). Mirrors `chart.Dependency`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Dependency {
    /// Always written; may be missing in the file (Go's zero value, as Helm reads it).
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Always written, even empty (`json:"repository"` in Helm, no omitempty).
    #[serde(default)]
    pub repository: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub enabled: bool,
    /// `import-values`: strings or `{child, parent}` maps, kept as loaded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_values: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alias: String,
    /// Whether Chart.yaml gave `tags` as an explicit `[]` (an empty but non-nil Go slice; absent or
    /// null tags are nil, `null` in `toJson`).
    #[serde(skip)]
    pub tags_non_nil: bool,
}

/// Chart.lock. Mirrors `chart.Lock`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lock {
    pub generated: String,
    pub digest: String,
    pub dependencies: Vec<Dependency>,
}

impl Chart {
    /// The chart's name from Chart.yaml.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Whether `type: library`.
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type == "library"
    }
}

impl Chart {
    /// Helm's `ChartFullPath`: `top/charts/sub/charts/subsub` (names after alias processing).
    pub fn full_path(&self) -> String {
        match &self.parent_path {
            Some(parent) => format!("{parent}/charts/{}", self.name()),
            None => self.name().to_string(),
        }
    }

    /// Sets `parent_path` of this chart to `parent` and of every subchart, recursively, to its
    /// parent's full path. Called after loading and after dependency processing (aliases rename).
    pub fn set_parent_paths(&mut self, parent: Option<String>) {
        self.parent_path = parent;
        let me = self.full_path();
        for sub in &mut self.dependencies {
            sub.set_parent_paths(Some(me.clone()));
        }
    }
}
