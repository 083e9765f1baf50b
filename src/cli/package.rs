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
                let bytes = package(&chart).map_err(|e| e.to_string())?;
                let path = args.destination.join(archive_name(&chart));
                std::fs::write(&path, bytes)
                    .map_err(|e| format!("open {}: {e}", path.display()))?;
                Ok(path)
            });
        match result {
            Ok(path) => println!(
                "Successfully packaged chart and saved it to: {}",
                std::path::absolute(&path).unwrap_or(path).display()
            ),
            Err(e) => {
                eprintln!("Error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}
