//! `rudder bundle create|verify|push`, and the `--offline`/`--registry` flags `install` and
//! `upgrade` take to install from a bundle: flags mapped onto [`crate::bundle`] (docs/air-gap.md).
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::dependency::HelmPathArgs;
use super::registry::TlsArgs;
use crate::bundle;
use crate::bundle::connect::Access;

/// `rudder bundle`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    #[command(subcommand)]
    pub command: BundleCommand,
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write a chart, its dependencies, values files and every image it uses into one archive.
    Create(CreateArgs),
    /// Check every digest of a bundle.
    Verify(VerifyArgs),
    /// Load a bundle's images and charts into a registry.
    Push(PushArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// CHART (a chart directory or archive)
    pub args: Vec<String>,
    /// Values files of the first layering (in order); repeat or separate with commas.
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    pub values: Vec<String>,
    /// Another values layering to render: comma-separated files, in order (repeatable).
    #[arg(long = "values-set")]
    pub values_sets: Vec<String>,
    /// Set values on the command line (applied to every layering).
    #[arg(long = "set")]
    pub set: Vec<String>,
    /// Set STRING values on the command line (applied to every layering).
    #[arg(long = "set-string")]
    pub set_string: Vec<String>,
    /// Kubernetes version templates render against (as `template --kube-version`).
    #[arg(long = "kube-version")]
    pub kube_version: Option<String>,
    /// Kubernetes API versions templates see in .Capabilities (as `template -a`).
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    pub api_versions: Vec<String>,
    /// Also bundle this image (repeatable).
    #[arg(long = "image")]
    pub images: Vec<String>,
    /// Keep only these platforms of multi-arch images (os/arch[/variant]; repeatable or commas).
    #[arg(long = "platform", value_delimiter = ',')]
    pub platforms: Vec<String>,
    /// The bundle file to write.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Print no progress.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub paths: HelmPathArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// FILE
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// FILE
    pub args: Vec<String>,
    /// The site's registry (HOST:PORT).
    #[arg(long = "registry", default_value = "")]
    pub registry: String,
    /// The repository path the charts go under.
    #[arg(long = "charts-path", default_value = "charts")]
    pub charts_path: String,
    /// Print no progress.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub paths: HelmPathArgs,
}

/// The flags of `install` and `upgrade` for installing from a bundle.
#[derive(Debug, Clone, Default, Args)]
pub struct BundleInstallArgs {
    /// Refuse to reach the network: only the cluster's API server is contacted.
    #[arg(long = "offline")]
    pub offline: bool,
    /// With a bundle as CHART: the registry its images were pushed to (HOST:PORT); image
    /// references of the rendered manifests are rewritten to it.
    #[arg(long = "registry", default_value = "")]
    pub registry: String,
}

impl BundleInstallArgs {
    /// `--offline`: from now on no HTTP client of the process may be built (chart references that
    /// need a download are refused by name).
    pub fn apply_offline(&self) {
        if self.offline {
            crate::deps::getter::forbid_network();
        }
    }

    /// Opens the located chart when it is a bundle.
    pub fn prepare(
        &self,
        path: &std::path::Path,
    ) -> Result<Option<bundle::install::FromBundle>, String> {
        let chart = path.display();
        if !bundle::install::is_bundle(path) {
            if !self.registry.is_empty() {
                return Err(format!(
                    "--registry is for installing from a bundle, and {chart} is not one"
                ));
            }
            return Ok(None);
        }
        if self.registry.is_empty() {
            return Err(format!(
                "{chart} is a bundle: give --registry HOST:PORT, the registry `rudder bundle push` loaded its images into"
            ));
        }
        bundle::install::open(path, &self.registry)
            .map(Some)
            .map_err(|e| e.to_string())
    }
}

/// The chart of `path` when it is a bundle (for `template`, `show`, `lint`): its chart archive,
/// dependencies inside, taken out into a temporary directory (removed when the value is dropped).
pub fn bundle_chart(
    path: &std::path::Path,
) -> Result<Option<bundle::chart_file::BundleChart>, String> {
    if !bundle::install::is_bundle(path) {
        return Ok(None);
    }
    bundle::chart_file::open_chart(path)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn access(tls: &TlsArgs, paths: &HelmPathArgs) -> Access {
    Access {
        options: tls.options_without_stored(),
        registry_config: paths.settings().registry_config,
    }
}

fn one(args: &[String], verb: &str, usage: &str) -> Result<String, String> {
    super::exactly_one(args, &format!("bundle {verb}"), usage)
}

pub fn run(args: BundleArgs) -> ExitCode {
    // Ctrl-C removes what the command was writing (crate::bundle::interrupt).
    bundle::interrupt::watch();
    super::finish(match args.command {
        BundleCommand::Create(a) => create(a),
        BundleCommand::Verify(a) => verify(a),
        BundleCommand::Push(a) => push(a),
    })
}

fn create(args: CreateArgs) -> Result<String, String> {
    let chart = one(&args.args, "create", "CHART")?;
    let Some(output) = args.output.clone() else {
        return Err("bundle create: -o/--output FILE is required".to_string());
    };
    let mut value_sets = Vec::new();
    if !args.values.is_empty() {
        value_sets.push(args.values.clone());
    }
    for set in &args.values_sets {
        let files: Vec<String> = set
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        if files.is_empty() {
            return Err("--values-set: expected comma-separated values files".to_string());
        }
        value_sets.push(files);
    }
    let options = bundle::create::CreateOptions {
        chart,
        value_sets,
        set: args.set,
        set_string: args.set_string,
        extra_images: args.images,
        kube_version: args.kube_version.filter(|v| !v.is_empty()),
        api_versions: args.api_versions,
        platforms: args.platforms,
        output: output.clone(),
        access: access(&args.tls, &args.paths),
        settings: args.paths.settings(),
        quiet: args.quiet,
    };
    let created = bundle::create::create(&options).map_err(|e| e.to_string())?;
    let m = &created.manifest;
    Ok(format!(
        "Bundle {}: chart {} {}, {} dependencies, {} values files, {} images\n",
        output.display(),
        m.chart.name,
        m.chart.version,
        m.dependencies.len(),
        m.values.len(),
        m.images.len()
    ))
}

fn verify(args: VerifyArgs) -> Result<String, String> {
    let file = one(&args.args, "verify", "FILE")?;
    let opened = bundle::verify::open(std::path::Path::new(&file)).map_err(|e| e.to_string())?;
    let m = &opened.manifest;
    let mut out = format!(
        "Bundle {file} verified: chart {} {}, {} dependencies, {} values files, {} images\n",
        m.chart.name,
        m.chart.version,
        m.dependencies.len(),
        m.values.len(),
        m.images.len()
    );
    for image in &m.images {
        out.push_str(&format!("  {} {}\n", image.image, image.digest));
    }
    Ok(out)
}

fn push(args: PushArgs) -> Result<String, String> {
    let file = one(&args.args, "push", "FILE")?;
    if args.registry.is_empty() {
        return Err("bundle push: --registry HOST:PORT is required".to_string());
    }
    let options = bundle::push::PushOptions {
        bundle: PathBuf::from(file),
        registry: args.registry.clone(),
        charts_path: args.charts_path.clone(),
        access: access(&args.tls, &args.paths),
        quiet: args.quiet,
    };
    let pushed = bundle::push::push(&options).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for (reference, digest) in pushed.images.iter().chain(&pushed.charts) {
        out.push_str(&format!("{reference} {digest}\n"));
    }
    Ok(out)
}
