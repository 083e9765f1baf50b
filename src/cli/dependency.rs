//! `rudder dependency list|update|build` (aliases `dep`, `dependencies`; `ls`, `up`): Helm's
//! `helm dependency` commands over `crate::deps`. Progress lines and the list table go to standard
//! output, errors to standard error as `Error: …`, as Helm prints them.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::deps::manager::{self, Listing, Manager};
use crate::deps::Settings;

/// Helm's global flags that name where repository data lives (and `--debug`).
#[derive(Debug, Clone, Args)]
pub struct HelmPathArgs {
    /// Enable verbose output.
    #[arg(long = "debug", global = true)]
    pub debug: bool,
    /// Path to the file containing repository names and URLs.
    #[arg(long = "repository-config", global = true)]
    pub repository_config: Option<PathBuf>,
    /// Path to the directory containing cached repository indexes.
    #[arg(long = "repository-cache", global = true)]
    pub repository_cache: Option<PathBuf>,
    /// Path to the registry config file.
    #[arg(long = "registry-config", global = true)]
    pub registry_config: Option<PathBuf>,
}

impl HelmPathArgs {
    /// The environment's paths, with these flags over them.
    pub fn settings(&self) -> Settings {
        let mut s = Settings::from_process_env();
        if let Some(p) = &self.repository_config {
            s.repository_config = p.clone();
        }
        if let Some(p) = &self.repository_cache {
            s.repository_cache = p.clone();
        }
        if let Some(p) = &self.registry_config {
            s.registry_config = p.clone();
        }
        s.debug = self.debug;
        s
    }
}

/// `rudder dependency`.
#[derive(Debug, Args)]
pub struct DependencyArgs {
    #[command(subcommand)]
    pub command: DependencyCommand,
    #[command(flatten)]
    pub paths: HelmPathArgs,
}

#[derive(Debug, Subcommand)]
pub enum DependencyCommand {
    /// List the dependencies for the given chart.
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Update charts/ based on the contents of Chart.yaml.
    #[command(visible_alias = "up")]
    Update(UpdateArgs),
    /// Rebuild the charts/ directory based on the Chart.lock file.
    Build(UpdateArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The chart directory (default `.`).
    pub chart: Vec<String>,
    /// Maximum column width for output table.
    #[arg(long = "max-col-width", default_value_t = 80)]
    pub max_col_width: usize,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The chart directory (default `.`).
    pub chart: Vec<String>,
    /// Keyring containing public keys.
    #[arg(long = "keyring")]
    pub keyring: Option<String>,
    /// Do not refresh the local repository cache.
    #[arg(long = "skip-refresh")]
    pub skip_refresh: bool,
    /// Verify the packages against signatures.
    #[arg(long = "verify")]
    pub verify: bool,
    #[command(flatten)]
    pub registry: super::registry::TlsArgs,
}

/// The chart argument: at most one, `.` by default, cleaned as `filepath.Clean` does.
fn chart_arg(command: &str, args: &[String]) -> Result<PathBuf, String> {
    match args {
        [] => Ok(PathBuf::from(".")),
        [one] => Ok(PathBuf::from(crate::chart::archive::clean_path(one))),
        _ => {
            let program = crate::program::name();
            Err(format!(
                "\"{program} dependency {command}\" accepts at most 1 argument\n\nUsage:  {program} dependency {command} CHART [flags]"
            ))
        }
    }
}

pub fn run(args: DependencyArgs) -> ExitCode {
    let result = match &args.command {
        DependencyCommand::List(list) => run_list(list),
        DependencyCommand::Update(update) => run_update(&args.paths, update, false),
        DependencyCommand::Build(build) => run_update(&args.paths, build, true),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("Error: {message}");
            ExitCode::from(1)
        }
    }
}

fn run_list(args: &ListArgs) -> Result<(), String> {
    let path = chart_arg("list", &args.chart)?;
    match manager::list(&path).map_err(|e| e.to_string())? {
        Listing::NoDependencies(line) => println!("{line}"),
        Listing::Table { rows, warnings } => {
            let mut table = vec![vec![
                "NAME".to_string(),
                "VERSION".to_string(),
                "REPOSITORY".to_string(),
                "STATUS".to_string(),
            ]];
            table.extend(
                rows.into_iter()
                    .map(|r| vec![r.name, r.version, r.repository, r.status]),
            );
            println!("{}", super::table::render(&table, args.max_col_width));
            println!();
            for w in warnings {
                println!("{w}");
            }
        }
    }
    Ok(())
}

fn run_update(paths: &HelmPathArgs, args: &UpdateArgs, build: bool) -> Result<(), String> {
    let path = chart_arg(if build { "build" } else { "update" }, &args.chart)?;
    let settings = paths.settings();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut log = std::io::stderr();
    let mut manager = Manager {
        chart_path: path,
        settings: &settings,
        skip_update: args.skip_refresh,
        out: &mut out,
        log: &mut log,
        registry: args.registry.options_without_stored(),
        // Helm: `update --verify` always verifies; `build --verify` when a provenance file exists.
        verify: crate::deps::verify::Verify::from_flags(
            args.verify,
            args.keyring.as_deref(),
            if build {
                crate::deps::verify::Strategy::IfPossible
            } else {
                crate::deps::verify::Strategy::Always
            },
        ),
    };
    let result = if build {
        manager.build()
    } else {
        manager.update()
    };
    result.map_err(|e| e.to_string())
}
