//! `rudder lint [PATH...]`: Helm v3.17.3's `helm lint` (`cmd/helm/lint.go`) — flags, the per-chart
//! report (`==> Linting PATH`, `[SEVERITY] path: message`), the summary line and exit code.
use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Args;

use crate::action::lint::{self, LintOptions};
use crate::chart::lint::Severity;
use crate::engine::KubeVersion;

/// Flags of `rudder lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Chart paths to lint (directories or archives); `.` when none is given.
    pub charts: Vec<String>,
    /// Fail on lint warnings.
    #[arg(long = "strict")]
    pub strict: bool,
    /// Lint dependent charts.
    #[arg(long = "with-subcharts")]
    pub with_subcharts: bool,
    /// Print only warnings and errors.
    #[arg(long = "quiet")]
    pub quiet: bool,
    /// If set, disables JSON schema validation.
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
    /// Kubernetes version used for capabilities and deprecation checks.
    #[arg(long = "kube-version")]
    pub kube_version: Option<String>,
    /// Namespace scope for this request.
    #[arg(short = 'n', long = "namespace", default_value = "default")]
    pub namespace: String,
    #[command(flatten)]
    pub values: super::values_args::ValuesArgs,
    /// Enable verbose output.
    #[arg(long = "debug")]
    pub debug: bool,
}

pub fn run(args: LintArgs) -> ExitCode {
    match execute(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("Error: {message}");
            ExitCode::from(1)
        }
    }
}

fn execute(args: LintArgs) -> Result<(), String> {
    let mut paths = if args.charts.is_empty() {
        vec![".".to_string()]
    } else {
        args.charts.clone()
    };
    let kube_version = match &args.kube_version {
        Some(text) if !text.is_empty() => Some(
            KubeVersion::parse(text).map_err(|e| format!("invalid kube version '{text}': {e}"))?,
        ),
        _ => None,
    };
    if args.with_subcharts {
        paths = lint::with_subcharts(&paths);
    }
    let value_options = args.values.into_options();
    let values = value_options
        .merge_values(&mut std::io::stdin())
        .map_err(|e| e.to_string())?;
    let options = LintOptions {
        strict: args.strict,
        namespace: args.namespace,
        kube_version,
        skip_schema_validation: args.skip_schema_validation,
    };

    let mut report = String::new();
    let mut failed = 0;
    let mut with_findings = 0;
    for path in &paths {
        // A bundle file lints the chart it holds (reported under the path given).
        let bundled = super::bundle::bundle_chart(std::path::Path::new(path))?;
        let chart = bundled
            .as_ref()
            .map_or(path.clone(), |b| b.chart.display().to_string());
        let result = lint::run(&chart, &values, &options);
        let findings = result.has_warnings_or_errors();
        if findings {
            with_findings += 1;
        }
        if args.quiet && !findings {
            continue;
        }
        let _ = writeln!(report, "==> Linting {path}");
        if result.messages.is_empty() {
            for e in &result.errors {
                let _ = writeln!(report, "Error {e}");
            }
        }
        for m in &result.messages {
            if !args.quiet || m.severity > Severity::Info {
                let _ = writeln!(report, "{m}");
            }
        }
        if !result.errors.is_empty() {
            failed += 1;
        }
        report.push('\n');
    }
    print!("{report}");
    let summary = format!("{} chart(s) linted, {failed} chart(s) failed", paths.len());
    if failed > 0 {
        return Err(summary);
    }
    if !args.quiet || with_findings > 0 {
        println!("{summary}");
    }
    Ok(())
}
