//! `rudder unittest [flags] CHART...`: helm-unittest v1.1.2's command line (`-f`, `-v`, `-u`,
//! `--color`, `--strict`, `-d`, `-q`, `-t`, `-o`, `--chart-tests-path`, `-s`,
//! `--skip-schema-validation`), its report on stdout and exit code 1 when anything failed.
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Args;

use crate::unittest::report::{self, Format, Printer};
use crate::unittest::run::{self, Options};

/// Flags of `rudder unittest`.
#[derive(Debug, Args)]
pub struct UnittestArgs {
    /// Charts to test.
    #[arg(required = true)]
    pub charts: Vec<String>,
    /// Enforce coloured output even when stdout is not a terminal (false disables colour).
    #[arg(long = "color", num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = super::pflag::parse_bool)]
    pub color: Option<bool>,
    /// Strict parsing of the suites: unknown keys are errors (otherwise warnings).
    #[arg(long = "strict")]
    pub strict: bool,
    /// Glob paths of test files, relative to each chart (default tests/*_test.yaml).
    #[arg(short = 'f', long = "file")]
    pub files: Vec<String>,
    /// Values files overriding the chart's values (absolute or globbed).
    #[arg(short = 'v', long = "values")]
    pub values: Vec<String>,
    /// Update the snapshot files when they differ.
    #[arg(short = 'u', long = "update-snapshot")]
    pub update_snapshot: bool,
    /// Include the tests of subcharts under charts/.
    #[arg(short = 's', long = "with-subchart", action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", value_parser = super::pflag::parse_bool)]
    pub with_subchart: bool,
    /// File to write the test results to, in the --output-type format.
    #[arg(short = 'o', long = "output-file", default_value = "")]
    pub output_file: String,
    /// Format of --output-file: JUnit, NUnit, XUnit or Sonar.
    #[arg(short = 't', long = "output-type", default_value = "XUnit")]
    pub output_type: String,
    /// Folder (relative to the chart) of a chart that renders test suites.
    #[arg(long = "chart-tests-path", default_value = "")]
    pub chart_tests_path: String,
    /// Stop at the first failed test.
    #[arg(short = 'q', long = "failfast")]
    pub fail_fast: bool,
    /// Write each test's rendered templates under .debug/ (verbose output in helm-unittest).
    #[arg(short = 'd', long = "debugPlugin")]
    pub debug: bool,
    /// Skip values schema validation when rendering.
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
    /// Threads to run suites on (default: one per core).
    #[arg(short = 'j', long = "jobs", default_value = "0")]
    pub jobs: usize,
}

pub fn run(args: UnittestArgs) -> ExitCode {
    let options = Options {
        charts: args.charts.clone(),
        files: args.files.clone(),
        values: args.values.clone(),
        update_snapshot: args.update_snapshot,
        fail_fast: args.fail_fast,
        with_subchart: args.with_subchart,
        skip_schema_validation: args.skip_schema_validation,
        strict: args.strict,
        jobs: args.jobs,
        debug: args.debug,
        chart_tests_path: args.chart_tests_path.clone(),
    };
    let result = run::run(&options);
    // fatih/color's default: a terminal, `NO_COLOR` unset or empty, and `TERM` not `dumb`.
    let color = args.color.unwrap_or_else(|| {
        std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
    });
    let printer = Printer { color };
    let mut text = report::human(&result, &printer);
    if !args.output_file.is_empty() {
        if let Some(format) = Format::parse(&args.output_type) {
            let path = std::path::Path::new(&args.output_file);
            let written = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(dir) => crate::go_os::mkdir_all(dir),
                None => Ok(()),
            }
            .and_then(|()| {
                std::fs::write(path, report::machine(&result, format))
                    .map_err(|e| crate::go_os::path_error("open", path, &e))
            });
            if let Err(e) = written {
                text = format!("\n### Error:  {e}\n\n{text}");
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    if result.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
