//! The command line: argument parsing (clap), printing and exit codes. No business logic lives here.
//!
//! Exit codes follow Helm: 0 on success, 1 on any error (printed as `Error: …` on stderr). Error texts
//! are Helm's; where Helm names itself (`"helm template" requires at least 1 argument`) the program is
//! named as invoked ([`program_name`]): `helm` when installed or symlinked as `helm`, so scripts
//! comparing against Helm keep working, `rudder` otherwise (docs/compatibility.md).
use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub mod bundle;
pub mod chart_args;
pub mod create;
pub mod dependency;
pub mod get;
pub mod global_flags;
pub mod history;
pub mod install;
pub mod kube_args;
pub mod kube_table;
pub mod lint;
pub mod list;
pub mod output;
pub mod package;
pub mod pflag;
pub mod prompt;
pub mod registry;
pub mod release_args;
pub mod release_lock;
pub mod release_test;
pub mod repo;
pub mod rollback;
pub mod show;
pub mod status;
pub mod table;
pub mod template;
pub mod uninstall;
pub mod unittest;
pub mod upgrade;
pub mod values_args;
pub mod verify;

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
    /// Fetch release history.
    #[command(alias = "hist")]
    History(history::HistoryArgs),
    /// List releases.
    #[command(alias = "ls")]
    List(list::ListArgs),
    /// Display the status of the named release.
    Status(status::StatusArgs),
    /// Download extended information of a named release.
    Get(get::GetArgs),
    /// Free a release left pending by a client that is gone (marks that revision failed).
    ReleaseLock(release_lock::ReleaseLockArgs),
    /// Install a chart.
    Install(install::InstallArgs),
    /// Upgrade a release.
    Upgrade(upgrade::UpgradeArgs),
    /// Roll back a release to a previous revision.
    Rollback(rollback::RollbackArgs),
    /// Uninstall a release.
    #[command(aliases = ["un", "delete", "del"])]
    Uninstall(uninstall::UninstallArgs),
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
    /// Run helm-unittest test suites of charts.
    Unittest(unittest::UnittestArgs),
    /// Run tests for a release.
    Test(release_test::TestArgs),
    /// Air-gapped installs: bundle a chart with its images, verify, push.
    Bundle(bundle::BundleArgs),
    /// Verify that a chart at the given path has been signed and is valid.
    Verify(verify::VerifyArgs),
}

/// When the command started: Go's `time.Now().String()` ends with the monotonic reading since then.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Prints one of Helm's `--debug` lines to stderr, as `cmd/helm/helm.go`'s `debug` does through
/// `log.Output`: `FILE:LINE: <time.Now()> [debug] MESSAGE` (the caller's Go source position, e.g.
/// `install.go:225`), the time in the local zone with its abbreviation, as Go prints it.
pub fn debug_log(position: &str, message: &str) {
    use crate::template::funcs::sprig::gotime::{self, GoTime, Zone};
    let now = chrono::Utc::now();
    let local = GoTime::from_unix(now.timestamp(), now.timestamp_subsec_nanos(), Zone::Local);
    let wall = gotime::format(&local, "2006-01-02 15:04:05.999999999 -0700 MST");
    let since = STARTED
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64();
    let line = format!("{position}: {wall} m=+{since:.9} [debug] {message}");
    // Helm's `debug` always appends a newline (so a message ending in one leaves a blank line).
    eprintln!("{line}");
}

/// Parses `args` and runs the command; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
    let args: Vec<OsString> = args.into_iter().collect();
    crate::program::set_from_argv0(args.first());
    let worker = std::thread::Builder::new()
        .stack_size(COMMAND_STACK_BYTES)
        .spawn(move || {
            crate::malloc_tuning::reserve_arena(COMMAND_ARENA_BYTES);
            if let Some(cli) = parse_template_alone(&args) {
                return dispatch(cli);
            }
            let mut command = pflag::apply(global_flags::add(Cli::command()));
            let args = global_flags::hoist(&command, args);
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

/// `rudder template …` parsed against a tree of that command alone. Building every command's flags
/// took about 0.8 MiB of heap and made all their builder code resident, a noticeable part of
/// `template`'s peak memory (docs/benchmarks.md, session 15). `None` when the first word is not
/// `template` or the line does not parse (help, a bad flag): the whole tree then parses it again, so
/// that every message is the same.
fn parse_template_alone(args: &[OsString]) -> Option<Cli> {
    use clap::Args;
    if args.get(1).is_none_or(|word| word != "template") {
        return None;
    }
    let template = template::TemplateArgs::augment_args(clap::Command::new("template"));
    let root = clap::Command::new("rudder").subcommand(template);
    let mut command = pflag::apply(global_flags::add(root));
    let args = global_flags::hoist(&command, args.to_vec());
    let mut matches = command.try_get_matches_from_mut(&args).ok()?;
    Cli::from_arg_matches_mut(&mut matches).ok()
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
        Command::History(args) => history::run(args),
        Command::List(args) => list::run(args),
        Command::Status(args) => status::run(args),
        Command::Get(args) => get::run(args),
        Command::ReleaseLock(args) => release_lock::run(args),
        Command::Install(args) => install::run(args),
        Command::Upgrade(args) => upgrade::run(args),
        Command::Rollback(args) => rollback::run(args),
        Command::Uninstall(args) => uninstall::run(args),
        Command::Dependency(args) => dependency::run(args),
        Command::Repo(args) => repo::run(args),
        Command::Search(args) => repo::run_search(args),
        Command::Push(args) => registry::run_push(args),
        Command::Pull(args) => registry::run_pull(args),
        Command::Registry(args) => registry::run_registry(args),
        Command::Unittest(args) => unittest::run(args),
        Command::Test(args) => release_test::run(args),
        Command::Bundle(args) => bundle::run(args),
        Command::Verify(args) => verify::run(args),
    }
}

/// The program's name as invoked (see [`crate::program`]).
pub fn program_name() -> &'static str {
    crate::program::name()
}

/// Prints a command's output, or its error as `Error: …`; the exit code.
pub fn finish(result: Result<String, String>) -> ExitCode {
    use std::io::Write;
    match result {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe is not an error (`rudder list | head`).
            let _ = out.write_all(&crate::template::gostr::to_bytes(&text));
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Err(e) => {
            // Go's bytes: an error may quote a rendered string that is not UTF-8.
            let line = format!("Error: {e}\n");
            let _ = std::io::stderr().write_all(&crate::template::gostr::to_bytes(&line));
            ExitCode::from(1)
        }
    }
}

/// `require.ExactArgs(1)`: the one positional argument, or cobra's error with the usage line.
pub fn exactly_one(args: &[String], verb: &str, usage: &str) -> Result<String, String> {
    match args {
        [one] => Ok(one.clone()),
        _ => {
            let program = program_name();
            Err(format!(
                "\"{program} {verb}\" requires 1 argument\n\nUsage:  {program} {verb} {usage} [flags]"
            ))
        }
    }
}

/// Reports records a read skipped because they could not be decoded (Helm skips them silently).
pub fn warn_skipped(storage: &crate::storage::Storage) {
    for e in storage.take_skipped() {
        eprintln!("WARNING: skipping a release record that cannot be read: {e}");
    }
}
