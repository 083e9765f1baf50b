//! The seam between `template` and the chart/values layer (`crate::chart`, `crate::values`, the
//! `charts` branch): loading a chart, merging the value flags, dependency processing, coalescing and
//! schema validation.
//!
//! Until that layer lands these are stand-ins good enough for plain chart directories: Chart.yaml,
//! values.yaml, templates/, other files and subchart directories under charts/; `-f` files deep-merged;
//! values coalesced by deep merge. `--set*`, archives, `.helmignore`, conditions, tags, aliases,
//! import-values and schemas are reported as unsupported or skipped.
use std::io::Read;
use std::path::Path;

use crate::chart::{Chart, File, Metadata};
use crate::template::{Map, MapEntries, Value};

/// The value flags as given on the command line. Mirrors Helm's `values.Options`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueOptions {
    /// `-f/--values`, in order (`-` is stdin).
    pub value_files: Vec<String>,
    /// `--set-string`.
    pub string_values: Vec<String>,
    /// `--set`.
    pub values: Vec<String>,
    /// `--set-file`.
    pub file_values: Vec<String>,
    /// `--set-json`.
    pub json_values: Vec<String>,
    /// `--set-literal`.
    pub literal_values: Vec<String>,
}

/// Loads a chart directory.
pub fn load_chart(path: &Path) -> Result<Chart, String> {
    if !path.exists() {
        return Err(format!("path {:?} not found", path.display().to_string()));
    }
    load_dir(path, path)
}

fn load_dir(root: &Path, dir: &Path) -> Result<Chart, String> {
    let chart_yaml = std::fs::read_to_string(dir.join("Chart.yaml"))
        .map_err(|_| "Chart.yaml file is missing".to_string())?;
    let metadata: Metadata =
        crate::yaml::from_str(&chart_yaml, "Chart.yaml").map_err(|e| e.to_string())?;
    let mut chart = Chart {
        metadata,
        values: Value::Map(Map::new(MapEntries::new())),
        ..Chart::default()
    };
    if let Ok(text) = std::fs::read_to_string(dir.join("values.yaml")) {
        chart.values =
            crate::yaml::parse_values(&text, "values.yaml").map_err(|e| e.to_string())?;
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files).map_err(|e| e.to_string())?;
    files.sort();
    for rel in files {
        let data = std::fs::read(dir.join(&rel)).map_err(|e| e.to_string())?;
        if rel == "Chart.yaml" || rel == "values.yaml" || rel == "Chart.lock" {
            continue;
        }
        if let Some(sub) = rel.strip_prefix("charts/") {
            let _ = sub;
            continue;
        }
        let file = File {
            name: rel.clone(),
            data,
        };
        if rel.starts_with("templates/") {
            chart.templates.push(file);
        } else {
            chart.files.push(file);
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("charts")) {
        let mut subdirs: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        for sub in subdirs {
            chart.dependencies.push(load_dir(root, &sub)?);
        }
    }
    Ok(chart)
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(base, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// Reads and merges the value flags (the user's "config").
pub fn merge_values(options: &ValueOptions, stdin: &mut dyn Read) -> Result<Value, String> {
    if !(options.values.is_empty()
        && options.string_values.is_empty()
        && options.file_values.is_empty()
        && options.json_values.is_empty()
        && options.literal_values.is_empty())
    {
        return Err("--set flags are not supported by this build yet".to_string());
    }
    let mut merged = Value::Map(Map::new(MapEntries::new()));
    for path in &options.value_files {
        let text = if path == "-" {
            let mut s = String::new();
            stdin.read_to_string(&mut s).map_err(|e| e.to_string())?;
            s
        } else {
            std::fs::read_to_string(path)
                .map_err(|e| format!("open {path}: {}", go_io_error(&e)))?
        };
        let values = crate::yaml::parse_values(&text, path).map_err(|e| e.to_string())?;
        merged = deep_merge(&merged, &values);
    }
    Ok(merged)
}

/// Go's text for common I/O errors (`no such file or directory`).
fn go_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => e.to_string(),
    }
}

/// Conditions, tags, aliases, import-values (stand-in: nothing to do).
pub fn process_dependencies(_chart: &mut Chart, _user: &Value) -> Result<(), String> {
    Ok(())
}

/// Helm's `CheckDependencies`: every Chart.yaml dependency is present under charts/.
pub fn check_dependencies(chart: &Chart) -> Result<(), String> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !chart.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        ))
    }
}

/// User values over chart defaults, subcharts under their names.
pub fn coalesce(chart: &Chart, user: &Value) -> Result<Value, String> {
    let mut defaults = chart.values.deep_copy();
    for sub in &chart.dependencies {
        let sub_values = coalesce(sub, &Value::Nil)?;
        let wrapper = Map::new(MapEntries::new());
        wrapper.insert(sub.name(), sub_values);
        defaults = deep_merge(&Value::Map(wrapper), &defaults);
    }
    Ok(deep_merge(&defaults, user))
}

/// Each chart's values.schema.json against its values (stand-in: not checked).
pub fn validate_schema(_chart: &Chart, _values: &Value) -> Result<(), String> {
    Ok(())
}

/// Helm's `chartutil.IsCompatibleRange`: whether Kubernetes `version` satisfies a chart's
/// `kubeVersion` constraint (Masterminds/semver rules); false when either does not parse.
pub fn kube_version_compatible(constraint: &str, version: &str) -> bool {
    use crate::template::funcs::sprig::semver_constraints::{Constraints, Version};
    match (Constraints::parse(constraint), Version::parse(version)) {
        (Ok(c), Ok(v)) => c.check(&v),
        _ => false,
    }
}

fn deep_merge(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Map(b), Value::Map(o)) => {
            let out = Map::with_kind(b.kind().clone(), MapEntries::new());
            for (k, v) in b.entries() {
                out.insert(k, v);
            }
            for (k, v) in o.entries() {
                let merged = match out.get(&k) {
                    Some(existing) => deep_merge(&existing, &v),
                    None => v,
                };
                out.insert(k, merged);
            }
            Value::Map(out)
        }
        (_, Value::Nil) => base.clone(),
        _ => over.clone(),
    }
}
