//! The seam between `template` and the chart/values layer (`crate::chart`, `crate::values`): loading
//! a chart, merging the value flags, dependency processing, coalescing, schema validation and the
//! `kubeVersion` check, each returning Helm's error text.
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::chart::Chart;
use crate::template::Value;

pub use crate::values::ValueOptions;

/// Helm's `LocateChart`: a chart on disk is loaded from its absolute path (`filepath.Abs`, so
/// messages that name the archive print it absolute, as Helm's do). For a chart that is not on disk,
/// a path (absolute or starting with `.`) is "not found"; anything else would be a repository
/// reference, which Rudder does not resolve, and gets Helm's error for an unknown repository.
pub fn locate_chart(name: &str) -> Result<PathBuf, String> {
    let name = name.trim();
    let path = Path::new(name);
    if path.exists() {
        return Ok(std::path::absolute(path)
            .map(|absolute| PathBuf::from(crate::chart::lint::go_clean_display(&absolute)))
            .unwrap_or_else(|_| path.to_path_buf()));
    }
    if name.starts_with('/') || name.starts_with('.') {
        return Err(crate::chart::Error::NotFound {
            path: name.to_string(),
        }
        .to_string());
    }
    match name.split_once('/') {
        Some((repo, _)) => Err(format!("repo {repo} not found")),
        None => Err(format!(
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: {name}"
        )),
    }
}

/// Loads a chart directory or archive.
pub fn load_chart(path: &Path) -> Result<Chart, String> {
    crate::chart::load(path).map_err(|e| e.to_string())
}

/// [`load_chart`], with the templates of a large chart directory already being parsed for the render
/// (see [`crate::engine::preload`]).
pub fn load_chart_for_render(
    path: &Path,
) -> Result<(Chart, Option<crate::engine::preload::Preparsed>), String> {
    crate::engine::preload::load_chart(path).map_err(|e| e.to_string())
}

/// Reads and merges the value flags (the user's "config").
pub fn merge_values(options: &ValueOptions, stdin: &mut dyn Read) -> Result<Value, String> {
    options.merge_values(stdin).map_err(|e| e.to_string())
}

/// Conditions, tags, aliases, import-values.
pub fn process_dependencies(chart: &mut Chart, user: &Value) -> Result<(), String> {
    crate::chart::process_dependencies(chart, user).map_err(|e| e.to_string())
}

/// Helm's `CheckDependencies`: every Chart.yaml dependency is present under charts/.
pub fn check_dependencies(chart: &Chart) -> Result<(), String> {
    crate::chart::check_dependencies(chart).map_err(|e| e.to_string())
}

/// User values over chart defaults (`chartutil.CoalesceValues`).
pub fn coalesce(chart: &Chart, user: &Value) -> Result<Value, String> {
    crate::values::coalesce_values(chart, user).map_err(|e| e.to_string())
}

/// Each chart's values.schema.json against its values; the text is Helm's whole message.
pub fn validate_schema(chart: &Chart, values: &Value) -> Result<(), String> {
    crate::values::validate_against_schema(chart, values).map_err(|e| e.to_string())
}

/// Helm's `chartutil.IsCompatibleRange`.
pub fn kube_version_compatible(constraint: &str, version: &str) -> bool {
    crate::chart::constraint::is_compatible_range(constraint, version)
}
