//! The command line: argument parsing (clap), printing and exit codes. No business logic lives here.
//!
//! Exit codes follow Helm: 0 on success, 1 on any error (printed as `Error: …` on stderr). Error texts
//! are Helm's, including where Helm names itself (`"helm template" requires at least 1 argument`), so
//! that scripts and tests comparing against Helm keep working (docs/compatibility.md).
use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub mod create;
pub mod dependency;
pub mod lint;
pub mod package;
pub mod pflag;
pub mod registry;
pub mod repo;
pub mod show;
pub mod table;
pub mod template;
pub mod values_args;

/// Stack size of the thread that runs a command: templates may nest `include` 1000 deep, as Helm allows.
const COMMAND_STACK_BYTES: usize = 1 << 30;

/// Heap made usable up front for the command thread (see `malloc_tuning`); costs no memory.
const COMMAND_ARENA_BYTES: usize = 16 << 20;

/// The `rudder` command.
#[derive(Debug, Parser)]
#[command(name = "rudder", version, about = "A Helm-compatible chart engine", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size of the biggest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the client version information.
    Version,
    /// Locally render templates.
    Template(template::TemplateArgs),
    /// Show information of a chart.
    Show(show::ShowArgs),
    /// Package a chart directory into a chart archive (reproducibly).
    Package(package::PackageArgs),
    /// Create a new chart with the given name.
    Create(create::CreateArgs),
    /// Examine a chart for possible issues.
    Lint(lint::LintArgs),
    /// Manage a chart's dependencies.
    #[command(visible_aliases = ["dep", "dependencies"])]
    Dependency(dependency::DependencyArgs),
    /// Add, list, remove, update, and index chart repositories.
    Repo(repo::RepoArgs),
    /// Search for a keyword in charts.
    Search(repo::SearchArgs),
    /// Push a chart to a remote (oci://).
    Push(registry::PushArgs),
    /// Download a chart from a registry (oci://).
    Pull(registry::PullArgs),
    /// Login to or logout from a registry.
    Registry(registry::RegistryArgs),
}

/// When the command started: Go's `time.Now().String()` ends with the monotonic reading since then.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Prints one of Helm's `--debug` lines to stderr, as `cmd/helm/helm.go`'s `debug` does through
/// `log.Output`: `FILE:LINE: <time.Now()> [debug] MESSAGE` (the caller's Go source position, e.g.
/// `install.go:225`). Go prints local time with the zone's abbreviation; Rudder prints UTC.
pub fn debug_log(position: &str, message: &str) {
    let now = chrono::Utc::now();
    let nanos = now.timestamp_subsec_nanos();
    let fraction = if nanos == 0 {
        String::new()
    } else {
        format!(".{nanos:09}").trim_end_matches('0').to_string()
    };
    let since = STARTED
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64();
    let line = format!(
        "{position}: {}{fraction} +0000 UTC m=+{since:.9} [debug] {message}",
        now.format("%Y-%m-%d %H:%M:%S")
    );
    // Helm's `debug` always appends a newline (so a message ending in one leaves a blank line).
    eprintln!("{line}");
}

/// Parses `args` and runs the command; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
    let args: Vec<OsString> = args.into_iter().collect();
    let worker = std::thread::Builder::new()
        .stack_size(COMMAND_STACK_BYTES)
        .spawn(move || {
            crate::malloc_tuning::reserve_arena_with_huge_page(COMMAND_ARENA_BYTES);
            let mut command = pflag::apply(Cli::command());
            match command
                .try_get_matches_from_mut(&args)
                .and_then(|mut matches| Cli::from_arg_matches_mut(&mut matches))
            {
                Ok(cli) => dispatch(cli),
                Err(e) => ExitCode::from(pflag::report(&command, &args, &e)),
            }
        });
    // This thread only waits for the command. Meanwhile it reads the core count (several cgroup
    // files), which a command that starts helper threads asks for soon after parsing its arguments.
    crate::parallel::cores();
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("Error: internal error");
            ExitCode::from(1)
        }
    }
}

fn dispatch(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Version => {
            println!("rudder {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Template(args) => template::run(args),
        Command::Show(args) => show::run(args),
        Command::Package(args) => package::run(args),
        Command::Create(args) => create::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Dependency(args) => dependency::run(args),
        Command::Repo(args) => repo::run(args),
        Command::Search(args) => repo::run_search(args),
        Command::Push(args) => registry::run_push(args),
        Command::Pull(args) => registry::run_pull(args),
        Command::Registry(args) => registry::run_registry(args),
    }
}
