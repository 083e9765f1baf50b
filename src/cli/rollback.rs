//! `rudder rollback RELEASE [REVISION]`: Helm's `cmd/helm/rollback.go` mapped onto
//! [`crate::action::rollback`].
use std::process::ExitCode;

use clap::Args;

use super::kube_args::{open_storage, KubeArgs};
use super::release_args::go_duration;
use crate::action::apply_method::ServerSide;
use crate::action::install::WaitOptions;
use crate::action::rollback::{self, RollbackOptions};
use crate::kube::apply::Applier;

/// Flags of `rudder rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// RELEASE [REVISION]
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub kube: KubeArgs,
    /// Wait until all objects are ready before marking the release as successful.
    #[arg(long = "wait")]
    pub wait: bool,
    /// Wait until all Jobs have been completed (with `--wait`).
    #[arg(long = "wait-for-jobs")]
    pub wait_for_jobs: bool,
    /// Time to wait for any individual Kubernetes operation (like Jobs for hooks).
    #[arg(long = "timeout", default_value = "5m0s", value_parser = super::pflag::parse_duration)]
    pub timeout: String,
    /// Prevent hooks from running during rollback.
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Allow deletion of new resources created in this rollback when rollback fails.
    #[arg(long = "cleanup-on-fail")]
    pub cleanup_on_fail: bool,
    #[command(flatten)]
    pub force: super::release_args::ForceArgs,
    /// Limit the maximum number of revisions saved per release. Use 0 for no limit.
    #[arg(long = "history-max", default_value = "10", value_parser = super::pflag::parse_int)]
    pub history_max: i64,
    /// Must be "true", "false" or "auto". Object updates run in the server instead of the client
    /// ("auto" defaults the value from the previous chart release's method).
    #[arg(long = "server-side", default_value = "auto")]
    pub server_side: String,
    /// Performs pods restart for the resource if applicable (accepted; Helm 4 dropped it).
    #[arg(long = "recreate-pods", hide = true)]
    pub recreate_pods: bool,
}

pub fn run(args: RollbackArgs) -> ExitCode {
    super::finish(super::release_args::run_async(rollback(args)))
}

async fn rollback(args: RollbackArgs) -> Result<String, String> {
    args.force.check()?;
    let program = super::program_name();
    let (name, revision) = match args.args.as_slice() {
        [name] => (name.clone(), 0),
        [name, revision] => (
            name.clone(),
            revision
                .parse::<i64>()
                .map_err(|_| format!("invalid revision number {revision:?}: strconv.Atoi: parsing {revision:?}: invalid syntax"))?,
        ),
        _ => {
            return Err(format!(
                "\"{program} rollback\" requires at least 1 argument\n\nUsage:  {program} rollback <RELEASE> [REVISION] [flags]"
            ))
        }
    };
    let (cluster, storage) = open_storage(&args.kube, false).await?;
    let storage = storage.refusing_undecodable();
    let storage = storage.with_max_history(usize::try_from(args.history_max).unwrap_or(0));
    let applier = Applier::new(cluster.client.clone())
        .await
        .map_err(|e| e.to_string())?;
    let options = RollbackOptions {
        release_name: name,
        revision,
        wait: WaitOptions {
            wait: args.wait,
            wait_for_jobs: args.wait_for_jobs,
            timeout: go_duration(&args.timeout)?,
        },
        no_hooks: args.no_hooks,
        cleanup_on_fail: args.cleanup_on_fail,
        force_replace: args.force.replace(),
        force_conflicts: args.force.force_conflicts,
        server_side: ServerSide::parse(&args.server_side)?,
        description: None,
    };
    rollback::run(&applier, &storage, &options)
        .await
        .map_err(|e| e.to_string())?;
    Ok("Rollback was a success! Happy Helming!\n".to_string())
}
