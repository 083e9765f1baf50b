//! The command line: argument parsing (clap), printing and exit codes. No business logic lives here.
//!
//! Exit codes follow Helm: 0 on success, 1 on any error (printed as `Error: …` on stderr).
use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The `rudder` command.
#[derive(Debug, Parser)]
#[command(name = "rudder", version, about = "A Helm-compatible chart engine", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the client version information.
    Version,
}

/// Parses `args` and runs the command; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Version => {
            println!("rudder {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
    }
}
