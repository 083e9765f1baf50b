//! `rudder show chart|values|readme|crds|all CHART`: prints parts of a chart as `helm show` does.
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
    All(ShowChart),
    /// Show the chart's definition.
    Chart(ShowChart),
    /// Show the chart's values.
    Values(ShowChart),
    /// Show the chart's README.
    Readme(ShowChart),
    /// Show the chart's CRDs.
    Crds(ShowChart),
}

/// The chart to show: on disk, `repo/chart`, `--repo URL`, `oci://…` or an archive's URL.
#[derive(Debug, Args)]
pub struct ShowChart {
    pub chart: String,
    /// Version constraint of the chart (the newest release when not given).
    #[arg(long = "version")]
    pub version: Option<String>,
    /// Use development versions too.
    #[arg(long = "devel")]
    pub devel: bool,
    /// Enable verbose output.
    #[arg(long = "debug")]
    pub debug: bool,
    #[command(flatten)]
    pub chart_path: super::chart_args::ChartPathArgs,
}

pub fn run(args: ShowArgs) -> ExitCode {
    let (format, chart) = match args.what {
        ShowWhat::All(chart) => (ShowFormat::All, chart),
        ShowWhat::Chart(chart) => (ShowFormat::Chart, chart),
        ShowWhat::Values(chart) => (ShowFormat::Values, chart),
        ShowWhat::Readme(chart) => (ShowFormat::Readme, chart),
        ShowWhat::Crds(chart) => (ShowFormat::Crds, chart),
    };
    let result = chart
        .chart_path
        .locate(
            &chart.chart,
            chart.version.as_deref(),
            chart.devel,
            chart.debug,
        )
        .and_then(|path| {
            // A bundle file shows the chart it holds.
            let bundled = super::bundle::bundle_chart(&path)?;
            let path = bundled.as_ref().map_or(path, |b| b.chart.clone());
            crate::chart::load(&path)
                .and_then(|c| show(&c, format))
                .map_err(|e| e.to_string())
        });
    // Go's bytes: a README or values file that is not UTF-8 is printed as it is.
    super::finish(result)
}
