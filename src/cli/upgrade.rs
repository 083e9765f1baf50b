//! `rudder upgrade RELEASE CHART`: Helm's `cmd/helm/upgrade.go` flags mapped onto
//! [`crate::action::upgrade`] (and [`crate::action::install`] for `--install` when the release has no
//! history); errors printed as `Error: UPGRADE FAILED: …`.
use std::process::ExitCode;

use clap::Args;

use super::install::{post_renderer, run_install};
use super::kube_args::{open_storage, KubeArgs};
use super::release_args::CommonReleaseArgs;
use crate::action::apply_method::ServerSide;
use crate::action::install::InstallOptions;
use crate::action::template::PostRenderer;
use crate::action::upgrade::{self, UpgradeOptions, ValuesMode};
use crate::kube::apply::Applier;
use crate::storage::record::Status;

/// Flags of `rudder upgrade`.
#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// RELEASE CHART
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub values: super::values_args::ValuesArgs,
    #[command(flatten)]
    pub common: CommonReleaseArgs,
    #[command(flatten)]
    pub kube: KubeArgs,
    #[command(flatten)]
    pub bundle: super::bundle::BundleInstallArgs,
    /// If a release by this name doesn't already exist, run an install.
    #[arg(short = 'i', long = "install")]
    pub install: bool,
    #[command(flatten)]
    pub force: super::release_args::ForceArgs,
    /// When upgrading, reuse the last release's values and merge in any overrides.
    #[arg(long = "reuse-values")]
    pub reuse_values: bool,
    /// When upgrading, reset the values to the ones built into the chart.
    #[arg(long = "reset-values")]
    pub reset_values: bool,
    /// When upgrading, reset the values to the chart's, then apply the last release's values and
    /// any overrides.
    #[arg(long = "reset-then-reuse-values")]
    pub reset_then_reuse_values: bool,
    /// Allow deletion of new resources created in this upgrade when upgrade fails.
    #[arg(long = "cleanup-on-fail")]
    pub cleanup_on_fail: bool,
    /// Limit the maximum number of revisions saved per release. Use 0 for no limit.
    #[arg(long = "history-max", default_value = "10", value_parser = super::pflag::parse_int)]
    pub history_max: i64,
    /// If `--install` is set, create the release namespace if not present.
    #[arg(long = "create-namespace")]
    pub create_namespace: bool,
    /// If set, no CRDs will be installed when an upgrade is performed with install flag enabled.
    #[arg(long = "skip-crds")]
    pub skip_crds: bool,
    /// Must be "true", "false" or "auto". Object updates run in the server instead of the client
    /// ("auto" defaults the value from the previous chart release's method).
    #[arg(long = "server-side", default_value = "auto")]
    pub server_side: String,
}

pub fn run(args: UpgradeArgs) -> ExitCode {
    if let Err(e) = args.force.check() {
        return super::finish(Err(e));
    }
    // The chart is located (and downloaded) before the async runtime starts: downloads block. Helm
    // returns these errors unwrapped (no `UPGRADE FAILED:`). --offline takes effect before any chart
    // reference is resolved; a bundle is a local file, opened once located.
    let located = match args.args.as_slice() {
        [_, chart] => {
            args.bundle.apply_offline();
            let opened = args
                .common
                .prepare_chart(chart, args.kube.debug)
                .and_then(|path| Ok((args.bundle.prepare(&path)?, path)));
            match opened {
                Ok((Some(bundle), _)) => Some((bundle.chart.clone(), Some(bundle))),
                Ok((None, path)) => Some((path, None)),
                Err(e) => return super::finish(Err(e)),
            }
        }
        _ => None,
    };
    super::finish(super::release_args::run_async(upgrade(args, located)))
}

/// Helm's prefix for errors of the upgrade itself (`cmd/helm/upgrade.go` wraps only
/// `client.Run`'s errors; argument errors, and with `--install` the history look-up and the
/// install, are printed as they are).
fn failed(e: impl std::fmt::Display) -> String {
    format!("UPGRADE FAILED: {e}")
}

async fn upgrade(
    args: UpgradeArgs,
    located: Option<(
        std::path::PathBuf,
        Option<crate::bundle::install::FromBundle>,
    )>,
) -> Result<String, String> {
    let program = super::program_name();
    let ([name, _], Some((chart, from_bundle))) = (args.args.as_slice(), located) else {
        return Err(format!(
            "\"{program} upgrade\" requires 2 arguments\n\nUsage:  {program} upgrade [RELEASE] [CHART] [flags]"
        ));
    };
    let post = post_renderer(&args.common).map_err(failed)?;
    let image_rewrite = from_bundle
        .as_ref()
        .map(|b| &b.rewrite as &dyn PostRenderer);
    let opened = open_storage(&args.kube, false).await;
    let (cluster, storage) = if args.install {
        opened?
    } else {
        opened.map_err(failed)?
    };
    let storage = storage
        .with_max_history(usize::try_from(args.history_max).unwrap_or(0))
        .refusing_undecodable();
    let applier = Applier::new(cluster.client.clone()).await.map_err(failed)?;
    // Helm 4 checks the word when the upgrade runs; an install (`--install`) is server-side
    // unless it is `false`.
    let server_side = ServerSide::parse(&args.server_side);
    let request = |values, install: bool| {
        let mut request = args.common.request(
            name,
            &chart,
            values,
            &cluster.namespace,
            &args.force,
            image_rewrite,
            post.as_ref().map(|p| p as &dyn PostRenderer),
        )?;
        request.server_side = match &server_side {
            Ok(s) if install => ServerSide::from_bool(*s != ServerSide::Off),
            Ok(s) => *s,
            Err(e) if !install => return Err(failed(e)),
            Err(_) => ServerSide::from_bool(args.server_side != "false"),
        };
        Ok::<_, String>(request)
    };
    let mut out = String::new();
    if args.install {
        let last = match storage.last(name).await {
            Ok(last) => Some(last),
            Err(crate::storage::Error::NotFound | crate::storage::Error::NoRevision(_)) => None,
            Err(e) => return Err(e.to_string()),
        };
        let uninstalled = last
            .as_ref()
            .is_some_and(|r| r.release.status() == Status::Uninstalled);
        if last.is_none() || uninstalled {
            // Printed before installing, so it shows also when the install fails.
            if args.common.output == "table" {
                use std::io::Write;
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(
                    stdout,
                    "Release {name:?} does not exist. Installing it now."
                );
                let _ = stdout.flush();
            }
            args.common.check_hide_secret()?;
            let options = InstallOptions {
                request: request(args.values.into_options(), true)?,
                skip_crds: args.skip_crds,
                replace: uninstalled,
                create_namespace: args.create_namespace,
            };
            out.push_str(&run_install(&applier, &storage, &options, &args.common).await?);
            return Ok(out);
        }
    }
    args.common.check_hide_secret().map_err(failed)?;
    let values_mode = if args.reset_values {
        ValuesMode::Reset
    } else if args.reuse_values {
        ValuesMode::Reuse
    } else if args.reset_then_reuse_values {
        ValuesMode::ResetThenReuse
    } else {
        ValuesMode::Default
    };
    let options = UpgradeOptions {
        request: request(args.values.into_options(), false)?,
        values_mode,
        cleanup_on_fail: args.cleanup_on_fail,
    };
    let upgraded = upgrade::run(&applier, &storage, &options, &mut std::io::stdin())
        .await
        .map_err(failed)?;
    for warning in &upgraded.warnings {
        eprintln!("WARNING: {warning}");
    }
    if args.common.output == "table" {
        out.push_str(&format!(
            "Release {name:?} has been upgraded. Happy Helming!\n"
        ));
    }
    out.push_str(&args.common.print(&upgraded.release)?);
    Ok(out)
}
