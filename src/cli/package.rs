//! `rudder package CHART [-d DIR]`: writes `<name>-<version>.tgz`, reproducibly (same chart, same
//! bytes), and prints Helm's message.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::chart::package::{archive_name, package};

/// Flags of `rudder package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Chart directories to package.
    #[arg(required = true)]
    pub charts: Vec<PathBuf>,
    /// Location to write the chart.
    #[arg(short = 'd', long = "destination", default_value = ".")]
    pub destination: PathBuf,
}

pub fn run(args: PackageArgs) -> ExitCode {
    for chart_dir in &args.charts {
        // Helm stats the argument, then loads it as a directory (a file has no Chart.yaml).
        let loaded = match std::fs::metadata(chart_dir) {
            Err(e) => Err(crate::go_os::path_error("stat", chart_dir, &e)),
            Ok(meta) if !meta.is_dir() => Err(crate::chart::Error::MissingChartYaml.to_string()),
            Ok(_) => crate::chart::load_dir(chart_dir).map_err(|e| e.to_string()),
        };
        let result = loaded.and_then(|chart| {
            // Helm checks declared dependencies against charts/ before saving.
            if !chart.metadata.dependencies.is_empty() {
                crate::chart::check_dependencies(&chart).map_err(|e| e.to_string())?;
            }
            let bytes = package(&chart).map_err(|e| e.to_string())?;
            // Helm saves to the working directory (printed absolute) for the default `.`,
            // else to the destination as given.
            let dest = if args.destination == std::path::Path::new(".") {
                std::env::current_dir().map_err(|e| e.to_string())?
            } else {
                args.destination.clone()
            };
            let path = dest.join(archive_name(&chart));
            save(&path, &bytes).map_err(|e| format!("failed to save: {e}"))?;
            Ok(crate::chart::lint::go_clean_display(&path))
        });
        match result {
            Ok(path) => println!("Successfully packaged chart and saved it to: {path}"),
            Err(e) => {
                eprintln!("Error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}

/// `chartutil.Save`'s file handling: a missing destination directory is made, one that is not a
/// directory is an error, then the archive is created.
fn save(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => crate::go_os::mkdir_all(dir)?,
        // Helm wraps the `*PathError` (itself `stat DIR: …`) with `stat DIR` once more.
        Err(e) => {
            return Err(format!(
                "stat {}: {}",
                dir.display(),
                crate::go_os::path_error("stat", dir, &e)
            ))
        }
        Ok(meta) if !meta.is_dir() => return Err(format!("is not a directory: {}", dir.display())),
        Ok(_) => {}
    }
    std::fs::write(path, bytes).map_err(|e| crate::go_os::path_error("open", path, &e))
}
