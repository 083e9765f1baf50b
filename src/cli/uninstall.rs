//! `rudder uninstall RELEASE_NAME [...]`: Helm's `cmd/helm/uninstall.go` mapped onto
//! [`crate::action::uninstall`].
use std::process::ExitCode;

use clap::Args;

use super::kube_args::{open_storage, KubeArgs};
use super::release_args::go_duration;
use crate::action::uninstall::{self, UninstallOptions};
use crate::kube::apply::Applier;

/// Flags of `rudder uninstall`.
#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// RELEASE_NAME [...]
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub kube: KubeArgs,
    /// Remove all associated resources and mark the release as deleted, but retain the release
    /// history.
    #[arg(long = "keep-history")]
    pub keep_history: bool,
    /// Prevent hooks from running during uninstallation.
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Wait until all the resources are deleted before returning.
    #[arg(long = "wait")]
    pub wait: bool,
    /// Time to wait for any individual Kubernetes operation (like Jobs for hooks).
    #[arg(long = "timeout", default_value = "5m0s", value_parser = super::pflag::parse_duration)]
    pub timeout: String,
    /// Add a custom description.
    #[arg(long = "description")]
    pub description: Option<String>,
    /// Treat "release not found" as a successful uninstall.
    #[arg(long = "ignore-not-found")]
    pub ignore_not_found: bool,
    /// Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for
    /// the dependents. Defaults to background.
    #[arg(long = "cascade", default_value = "background")]
    pub cascade: String,
}

pub fn run(args: UninstallArgs) -> ExitCode {
    super::finish(super::release_args::run_async(uninstall(args)))
}

async fn uninstall(args: UninstallArgs) -> Result<String, String> {
    let program = super::program_name();
    if args.args.is_empty() {
        return Err(format!(
            "\"{program} uninstall\" requires at least 1 argument\n\nUsage:  {program} uninstall RELEASE_NAME [...] [flags]"
        ));
    }
    let (cluster, storage) = open_storage(&args.kube, false).await?;
    let storage = storage.refusing_undecodable();
    let applier = Applier::new(cluster.client.clone())
        .await
        .map_err(|e| e.to_string())?;
    let mut out = String::new();
    for name in &args.args {
        let options = UninstallOptions {
            release_name: name.clone(),
            keep_history: args.keep_history,
            no_hooks: args.no_hooks,
            wait: args.wait,
            timeout: go_duration(&args.timeout)?,
            description: args.description.clone(),
            ignore_not_found: args.ignore_not_found,
            cascade: Some(uninstall::cascade_policy(&args.cascade)),
        };
        let done = uninstall::run(&applier, &storage, &options)
            .await
            .map_err(|e| e.to_string())?;
        if done.not_found {
            continue;
        }
        out.push_str(&done.kept);
        out.push_str(&format!("release {name:?} uninstalled\n"));
    }
    Ok(out)
}
