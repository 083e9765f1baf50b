//! `rudder create NAME`: writes a starter chart of Rudder's own design.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// Flags of `rudder create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The chart directory to create; its last component is the chart name.
    pub name: PathBuf,
}

pub fn run(args: CreateArgs) -> ExitCode {
    println!("Creating {}", args.name.display());
    match crate::chart::create::create(&args.name) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::from(1)
        }
    }
}
