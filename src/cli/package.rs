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
        let result = crate::chart::load(chart_dir)
            .map_err(|e| e.to_string())
            .and_then(|chart| {
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
                std::fs::write(&path, bytes)
                    .map_err(|e| format!("failed to save: open {}: {e}", path.display()))?;
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
