//! `rudder test RELEASE`: Helm's `cmd/helm/release_testing.go` mapped onto
//! [`crate::action::release_test`]; prints the release's status with its test results.
use std::process::ExitCode;

use clap::Args;

use super::kube_args::{open_storage, KubeArgs};
use super::release_args::{go_duration, print_release, run_async};
use crate::kube::apply::Applier;

/// Flags of `rudder test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// RELEASE
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub kube: KubeArgs,
    /// Time to wait for any individual Kubernetes operation (like Jobs for hooks).
    #[arg(long = "timeout", default_value = "5m0s", value_parser = super::pflag::parse_duration)]
    pub timeout: String,
    /// Hide notes in the output.
    #[arg(long = "hide-notes")]
    pub hide_notes: bool,
}

pub fn run(args: TestArgs) -> ExitCode {
    super::finish(run_async(test(args)))
}

async fn test(args: TestArgs) -> Result<String, String> {
    let name = super::exactly_one(&args.args, "test", "[RELEASE]")?;
    let timeout = go_duration(&args.timeout)?;
    let (cluster, storage) = open_storage(&args.kube, false).await?;
    let applier = Applier::new(cluster.client.clone())
        .await
        .map_err(|e| e.to_string())?;
    let (release, result) =
        crate::action::release_test::run(&applier, &storage, &name, timeout).await;
    let printed = match &release {
        Some(release) => print_release(release, "table", args.hide_notes)?,
        None => String::new(),
    };
    match result {
        Ok(()) => Ok(printed),
        Err(e) => {
            print!("{printed}");
            Err(format!("1 error occurred:\n\t* {e}\n"))
        }
    }
}
