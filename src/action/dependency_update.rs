//! `--dependency-update` of `template`, `install` and `upgrade` (Helm's `runInstall`/`runUpgrade`):
//! when the chart's `charts/` does not satisfy its Chart.yaml, `dependency update` runs on the chart
//! (its progress lines go to standard output, the registry's `Pulled:` lines to standard error), and
//! the chart is then loaded again by the caller.
use std::path::Path;

use crate::deps::Settings;

/// What the update printed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The manager's lines, for standard output.
    pub stdout: String,
    /// The registry's lines, for standard error.
    pub log_lines: Vec<String>,
}

/// Runs `dependency update` on the chart at `chart_path` (a directory). The progress is returned
/// whether or not the update succeeded: Helm prints it before the error.
pub fn update(
    chart_path: &Path,
    settings: &Settings,
) -> (Progress, Result<(), crate::deps::Error>) {
    let mut out = Vec::new();
    let mut registry_log = Vec::new();
    let result = crate::deps::manager::Manager {
        chart_path: chart_path.to_path_buf(),
        settings,
        skip_update: false,
        out: &mut out,
        log: &mut registry_log,
        registry: crate::registry::client::Options::default(),
        verify: Default::default(),
    }
    .update();
    let progress = Progress {
        stdout: String::from_utf8_lossy(&out).into_owned(),
        log_lines: String::from_utf8_lossy(&registry_log)
            .lines()
            .map(str::to_string)
            .collect(),
    };
    (progress, result)
}

/// Whether the chart at `chart_path` loads and misses dependencies under `charts/` (a chart that
/// cannot be loaded is left for the command's own checks).
pub fn missing(chart_path: &Path) -> bool {
    crate::chart::load(chart_path)
        .is_ok_and(|chart| crate::chart::check_dependencies(&chart).is_err())
}
