//! `rudder lint CHART...`: prints Helm's lint report (`==> Linting …`, `[ERROR] …`, the summary).
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::chart::lint::{lint, Severity};

/// Flags of `rudder lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Chart directories to lint.
    #[arg(default_value = ".")]
    pub charts: Vec<PathBuf>,
}

pub fn run(args: LintArgs) -> ExitCode {
    let mut failed = 0;
    for chart in &args.charts {
        println!("==> Linting {}", chart.display());
        let messages = lint(chart);
        for m in &messages {
            println!("{m}");
        }
        if messages.iter().any(|m| m.severity == Severity::Error) {
            failed += 1;
        }
        println!();
    }
    let summary = format!(
        "{} chart(s) linted, {failed} chart(s) failed",
        args.charts.len()
    );
    if failed > 0 {
        eprintln!("Error: {summary}");
        ExitCode::from(1)
    } else {
        println!("{summary}");
        ExitCode::SUCCESS
    }
}
