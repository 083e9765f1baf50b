//! `rudder release-lock RELEASE_NAME [--force]`: frees a release stuck in `pending-*` whose client
//! is gone ([`crate::action::release_lock`]; docs/releases.md).
use std::process::ExitCode;

use clap::Args;

use super::kube_args::{block_on, open_storage, KubeArgs};

/// Flags of `rudder release-lock`.
#[derive(Debug, Args)]
pub struct ReleaseLockArgs {
    /// RELEASE_NAME
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    /// Release the lock even when its holder cannot be checked (another host, or no holder
    /// recorded, as with a revision Helm left pending).
    #[arg(long = "force")]
    pub force: bool,
    #[command(flatten)]
    pub kube: KubeArgs,
}

pub fn run(args: ReleaseLockArgs) -> ExitCode {
    super::finish(block_on(async {
        let name = super::exactly_one(&args.args, "release-lock", "RELEASE_NAME")?;
        let (_, storage) = open_storage(&args.kube, false).await?;
        let done = crate::action::release_lock::run(&storage, &name, args.force)
            .await
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "Released the lock on {name}: revision {} ({}) is now failed\n",
            done.revision, done.previous_status
        ))
    }))
}
