//! `rudder show chart|values|readme|crds|all CHART`: prints parts of a chart as `helm show` does.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::chart::show::{show, ShowFormat};

/// `rudder show` and its subcommands.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(subcommand)]
    pub what: ShowWhat,
}

#[derive(Debug, Subcommand)]
pub enum ShowWhat {
    /// Show all information of the chart.
    All { chart: PathBuf },
    /// Show the chart's definition.
    Chart { chart: PathBuf },
    /// Show the chart's values.
    Values { chart: PathBuf },
    /// Show the chart's README.
    Readme { chart: PathBuf },
    /// Show the chart's CRDs.
    Crds { chart: PathBuf },
}

pub fn run(args: ShowArgs) -> ExitCode {
    let (format, chart) = match args.what {
        ShowWhat::All { chart } => (ShowFormat::All, chart),
        ShowWhat::Chart { chart } => (ShowFormat::Chart, chart),
        ShowWhat::Values { chart } => (ShowFormat::Values, chart),
        ShowWhat::Readme { chart } => (ShowFormat::Readme, chart),
        ShowWhat::Crds { chart } => (ShowFormat::Crds, chart),
    };
    let result =
        crate::action::chart_source::locate_chart(&chart.display().to_string()).and_then(|path| {
            crate::chart::load(&path)
                .and_then(|c| show(&c, format))
                .map_err(|e| e.to_string())
        });
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::from(1)
        }
    }
}
