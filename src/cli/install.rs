//! `rudder install [NAME] [CHART]`: Helm's `cmd/helm/install.go` flags mapped onto
//! [`crate::action::install`]; errors printed as `Error: INSTALLATION FAILED: …`.
use std::process::ExitCode;

use clap::Args;

use super::kube_args::{open_storage, KubeArgs};
use super::release_args::CommonReleaseArgs;
use super::template::ExecPostRenderer;
use crate::action::apply_method::ServerSide;
use crate::action::install::{self, InstallOptions};
use crate::action::template::PostRenderer;
use crate::kube::apply::Applier;

/// Flags of `rudder install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// [NAME] [CHART]
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
    #[command(flatten)]
    pub force: super::release_args::ForceArgs,
    /// Create the release namespace if not present.
    #[arg(long = "create-namespace")]
    pub create_namespace: bool,
    /// If set, no CRDs will be installed.
    #[arg(long = "skip-crds")]
    pub skip_crds: bool,
    /// Re-use the given name, only if that name is a deleted release which remains in the history.
    #[arg(long = "replace")]
    pub replace: bool,
    /// Generate the name (and omit the NAME parameter).
    #[arg(short = 'g', long = "generate-name")]
    pub generate_name: bool,
    /// Specify template used to name the release.
    #[arg(long = "name-template")]
    pub name_template: Option<String>,
    /// Object updates run in the server instead of the client (Helm 4; `=false`: objects are
    /// created as Helm 3 creates them, the record says `csa`).
    #[arg(long = "server-side", action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", value_parser = super::pflag::parse_bool)]
    pub server_side: bool,
}

pub fn run(args: InstallArgs) -> ExitCode {
    if let Err(e) = args.force.check() {
        return super::finish(Err(e));
    }
    // The chart is located (and downloaded) before the async runtime starts: downloads block.
    let prepared = name_and_chart(
        &args.args,
        args.generate_name,
        args.name_template.as_deref(),
    )
    .and_then(|(name, chart)| {
        // --offline takes effect before any chart reference is resolved; a bundle is a local file.
        args.bundle.apply_offline();
        let chart = args.common.prepare_chart(&chart, args.kube.debug)?;
        let from_bundle = args.bundle.prepare(&chart)?;
        let chart = from_bundle.as_ref().map_or(chart, |b| b.chart.clone());
        Ok((name, chart, from_bundle))
    });
    let result = match prepared {
        Ok((name, chart, from_bundle)) => {
            super::release_args::run_async(install(args, name, chart, from_bundle))
        }
        Err(e) => Err(e),
    };
    super::finish(result.map_err(|e| format!("INSTALLATION FAILED: {e}")))
}

/// Helm's `NameAndChart` for install: `[NAME] CHART`, or `CHART` with `--generate-name` /
/// `--name-template`.
pub fn name_and_chart(
    args: &[String],
    generate: bool,
    name_template: Option<&str>,
) -> Result<(String, String), String> {
    let program = super::program_name();
    match args {
        [] => Err(format!(
            "\"{program} install\" requires at least 1 argument\n\nUsage:  {program} install [NAME] [CHART] [flags]"
        )),
        [name, chart] => {
            if generate {
                return Err("cannot set --generate-name and also specify a name".into());
            }
            if name_template.is_some() {
                return Err("cannot set --name-template and also specify a name".into());
            }
            Ok((name.clone(), chart.clone()))
        }
        [chart] => {
            if let Some(text) = name_template {
                return Ok((
                    crate::engine::name_template::render_name_template(text)?,
                    chart.clone(),
                ));
            }
            if !generate {
                return Err("must either provide a name or specify --generate-name".into());
            }
            let base = std::path::Path::new(chart)
                .file_name()
                .map(|b| b.to_string_lossy().into_owned())
                .filter(|b| !b.is_empty() && b != ".")
                .unwrap_or_else(|| "chart".to_string());
            let base = base.split('.').next().unwrap_or("chart").to_string();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            Ok((format!("{base}-{now}"), chart.clone()))
        }
        [_, _, rest @ ..] => Err(format!(
            "expected at most two arguments, unexpected arguments: {}",
            rest.join(", ")
        )),
    }
}

/// Builds the post-renderer `--post-renderer` names (an empty path is none).
pub fn post_renderer(common: &CommonReleaseArgs) -> Result<Option<ExecPostRenderer>, String> {
    match common.post_renderer.as_deref().filter(|p| !p.is_empty()) {
        Some(path) => Ok(Some(ExecPostRenderer::new(
            path,
            common.post_renderer_args.clone(),
        )?)),
        None => Ok(None),
    }
}

async fn install(
    args: InstallArgs,
    release_name: String,
    chart: std::path::PathBuf,
    from_bundle: Option<crate::bundle::install::FromBundle>,
) -> Result<String, String> {
    args.common.check_hide_secret()?;
    let post = post_renderer(&args.common)?;
    let (cluster, storage) = open_storage(&args.kube, false).await?;
    let storage = storage.refusing_undecodable();
    let applier = Applier::new(cluster.client.clone())
        .await
        .map_err(|e| e.to_string())?;
    let mut request = args.common.request(
        &release_name,
        &chart,
        args.values.into_options(),
        &cluster.namespace,
        &args.force,
        from_bundle
            .as_ref()
            .map(|b| &b.rewrite as &dyn PostRenderer),
        post.as_ref().map(|p| p as &dyn PostRenderer),
    )?;
    request.server_side = ServerSide::from_bool(args.server_side);
    let options = InstallOptions {
        request,
        skip_crds: args.skip_crds,
        replace: args.replace,
        create_namespace: args.create_namespace,
    };
    run_install(&applier, &storage, &options, &args.common).await
}

/// Runs the install, prints its warnings on standard error, and returns what `-o` asks to print
/// (`install`, and `upgrade --install` of a release that does not exist).
pub async fn run_install(
    applier: &Applier,
    storage: &crate::storage::Storage,
    options: &InstallOptions<'_>,
    common: &CommonReleaseArgs,
) -> Result<String, String> {
    let installed = install::run(applier, storage, options, &mut std::io::stdin())
        .await
        .map_err(|e| e.to_string())?;
    for warning in &installed.warnings {
        eprintln!("WARNING: {warning}");
    }
    common.print(&installed.release)
}
