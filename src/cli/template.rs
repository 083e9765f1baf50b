//! `rudder template [NAME] CHART`: Helm's flags (`cmd/helm/template.go` plus the install and value
//! flags it shares), mapped onto [`crate::action::template`]; printing and `--output-dir` writing.
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use clap::Args;

use crate::action::release_name::{name_and_chart, NameChoice};
use crate::action::template::{self, OutputFile, PostRenderer, TemplateOptions};

/// Flags of `rudder template`.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// [NAME] CHART
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub values: super::values_args::ValuesArgs,
    /// Namespace scope for this request.
    #[arg(short = 'n', long = "namespace", default_value = "default")]
    pub namespace: String,
    /// Kubernetes version used for Capabilities.KubeVersion.
    #[arg(long = "kube-version")]
    pub kube_version: Option<String>,
    /// Kubernetes api versions used for Capabilities.APIVersions.
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    pub api_versions: Vec<String>,
    /// Only show manifests rendered from the given templates.
    #[arg(short = 's', long = "show-only")]
    pub show_only: Vec<String>,
    /// Writes the executed templates to files in output-dir instead of stdout.
    #[arg(long = "output-dir")]
    pub output_dir: Option<PathBuf>,
    /// Use release name in the output-dir path.
    #[arg(long = "release-name")]
    pub release_name: bool,
    /// Include CRDs in the templated output.
    #[arg(long = "include-crds")]
    pub include_crds: bool,
    /// If set, no CRDs will be installed.
    #[arg(long = "skip-crds")]
    pub skip_crds: bool,
    /// Skip tests from templated output.
    #[arg(long = "skip-tests")]
    pub skip_tests: bool,
    /// Prevent hooks from running during install.
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Set .Release.IsUpgrade instead of .Release.IsInstall.
    #[arg(long = "is-upgrade")]
    pub is_upgrade: bool,
    /// Generate the name (and omit the NAME parameter).
    #[arg(short = 'g', long = "generate-name")]
    pub generate_name: bool,
    /// Specify template used to name the release.
    #[arg(long = "name-template")]
    pub name_template: Option<String>,
    /// The path to an executable to be used for post rendering.
    #[arg(long = "post-renderer")]
    pub post_renderer: Option<String>,
    /// An argument to the post-renderer (can specify multiple).
    #[arg(long = "post-renderer-args")]
    pub post_renderer_args: Vec<String>,
    /// Enable verbose output.
    #[arg(long = "debug")]
    pub debug: bool,
    /// If set, disables JSON schema validation.
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
    /// Enable DNS lookups when rendering templates.
    #[arg(long = "enable-dns")]
    pub enable_dns: bool,
    /// Update dependencies if they are missing before installing the chart.
    #[arg(long = "dependency-update")]
    pub dependency_update: bool,
    /// Validate manifests against the cluster (not supported offline; accepted for compatibility).
    #[arg(long = "validate")]
    pub validate: bool,
    /// Render subchart notes along with the parent (accepted; notes are not printed by template).
    #[arg(long = "render-subchart-notes")]
    pub render_subchart_notes: bool,
    /// Simulate an install: `none`, `false`, `true`, `client` or `server` (the output is the same).
    #[arg(long = "dry-run", num_args = 0..=1, require_equals = true, default_missing_value = "client")]
    pub dry_run: Option<String>,
    /// Refuse to reach the network (chart repositories, registries, values URLs); a bundle file
    /// as CHART renders the chart it holds.
    #[arg(long = "offline")]
    pub offline: bool,
    /// With a bundle as CHART: the registry its images were pushed to (HOST:PORT); image
    /// references of the output are rewritten to it, as an install from the bundle does.
    #[arg(long = "registry", default_value = "")]
    pub registry: String,
    /// Where a chart not on disk is downloaded from (`--repo`, credentials, TLS, `--verify`).
    #[command(flatten)]
    pub chart_path: super::chart_args::ChartPathArgs,
    /// Install flags `helm template` accepts and that change nothing offline.
    #[command(flatten)]
    pub ignored: IgnoredInstallFlags,
}

/// Flags of `helm install` that `helm template` accepts but that have no effect when rendering
/// locally (cluster interaction, waiting, repository lookup of an already local chart).
#[derive(Debug, Args)]
pub struct IgnoredInstallFlags {
    #[arg(long = "create-namespace", hide = true)]
    create_namespace: bool,
    #[arg(long = "atomic", hide = true)]
    atomic: bool,
    #[arg(long = "wait", hide = true)]
    wait: bool,
    #[arg(long = "wait-for-jobs", hide = true)]
    wait_for_jobs: bool,
    #[arg(long = "force", hide = true)]
    force: bool,
    #[arg(long = "replace", hide = true)]
    replace: bool,
    #[arg(long = "devel", hide = true)]
    devel: bool,
    #[arg(long = "disable-openapi-validation", hide = true)]
    disable_openapi_validation: bool,
    #[arg(long = "timeout", hide = true, value_parser = super::pflag::parse_duration)]
    timeout: Option<String>,
    #[arg(long = "description", hide = true)]
    description: Option<String>,
    #[arg(long = "version", hide = true)]
    version: Option<String>,
    #[arg(short = 'l', long = "labels", hide = true, value_parser = super::pflag::parse_key_values)]
    labels: Vec<String>,
    #[arg(long = "hide-notes", hide = true)]
    hide_notes: bool,
    #[arg(long = "take-ownership", hide = true)]
    take_ownership: bool,
    // Helm's global flags (cluster connection and client configuration).
    #[arg(long = "kube-context", hide = true)]
    kube_context: Option<String>,
    #[arg(long = "kubeconfig", hide = true)]
    kubeconfig: Option<String>,
    #[arg(long = "kube-apiserver", hide = true)]
    kube_apiserver: Option<String>,
    #[arg(long = "kube-as-user", hide = true)]
    kube_as_user: Option<String>,
    #[arg(long = "kube-as-group", hide = true)]
    kube_as_group: Vec<String>,
    #[arg(long = "kube-ca-file", hide = true)]
    kube_ca_file: Option<String>,
    #[arg(long = "kube-insecure-skip-tls-verify", hide = true)]
    kube_insecure_skip_tls_verify: bool,
    #[arg(long = "kube-tls-server-name", hide = true)]
    kube_tls_server_name: Option<String>,
    #[arg(long = "kube-token", hide = true)]
    kube_token: Option<String>,
    #[arg(long = "burst-limit", hide = true, value_parser = super::pflag::parse_int)]
    burst_limit: Option<i64>,
    #[arg(long = "qps", hide = true, value_parser = super::pflag::parse_float32)]
    qps: Option<f32>,
}

/// Runs the command and prints its result; returns the exit code.
pub fn run(args: TemplateArgs) -> ExitCode {
    match execute(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // Go's bytes: the message may quote a rendered string that is not UTF-8.
            let line = format!("Error: {message}\n");
            let _ = std::io::stderr().write_all(&crate::template::gostr::to_bytes(&line));
            ExitCode::from(1)
        }
    }
}

fn execute(args: TemplateArgs) -> Result<(), String> {
    // One render, then the process exits: its structures need not be freed.
    crate::teardown::process_ends_after_command();
    // Helm parses --kube-version before anything is logged.
    if let Some(text) = args.kube_version.as_ref().filter(|t| !t.is_empty()) {
        crate::engine::KubeVersion::parse(text)
            .map_err(|e| format!("invalid kube version '{text}': {e}"))?;
    }
    // An empty `--post-renderer` is no post-renderer, as in Helm.
    let post_renderer = match args.post_renderer.as_deref().filter(|p| !p.is_empty()) {
        Some(path) => Some(ExecPostRenderer::new(
            path,
            args.post_renderer_args.clone(),
        )?),
        None => None,
    };
    let name_choice = NameChoice {
        generate: args.generate_name,
        from_template: args.name_template.clone(),
    };
    if args.debug {
        let version = args.ignored.version.clone().unwrap_or_default();
        super::debug_log(
            "install.go:225",
            &format!(
                "Original chart version: {}",
                crate::template::printf::quote_go(&version)
            ),
        );
        if version.is_empty() && args.ignored.devel {
            super::debug_log("install.go:227", "setting version to >0.0.0-0");
        }
    }
    let (release_name, chart) = name_and_chart(&args.args, &name_choice)?;
    if args.offline {
        crate::deps::getter::forbid_network();
    }
    let located = args.chart_path.locate(
        &chart,
        args.ignored.version.as_deref(),
        args.ignored.devel,
        args.debug,
    )?;
    // A bundle file (air-gapped installs) renders the chart it holds, dependencies included.
    let bundled = super::bundle::bundle_chart(&located)?;
    let image_rewrite = match (&bundled, args.registry.as_str()) {
        (_, "") => None,
        (Some(bundled), registry) => Some(
            crate::bundle::install::rewrite(registry, &bundled.manifest)
                .map_err(|e| e.to_string())?,
        ),
        (None, _) => {
            return Err(format!(
                "--registry is for rendering a bundle, and {} is not one",
                located.display()
            ))
        }
    };
    let chart = bundled
        .as_ref()
        .map_or(located, |b| b.chart.clone())
        .display()
        .to_string();
    if args.debug {
        let path = crate::action::chart_source::locate_chart(&chart)?;
        super::debug_log(
            "install.go:242",
            &format!("CHART PATH: {}\n", path.display()),
        );
    }
    let options = TemplateOptions {
        release_name,
        chart: PathBuf::from(chart),
        values: args.values.into_options(),
        namespace: args.namespace,
        kube_version: args.kube_version.filter(|t| !t.is_empty()),
        api_versions: args.api_versions,
        show_only: args.show_only,
        output_dir: args.output_dir,
        use_release_name: args.release_name,
        include_crds: args.include_crds,
        skip_crds: args.skip_crds,
        skip_tests: args.skip_tests,
        disable_hooks: args.no_hooks,
        is_upgrade: args.is_upgrade,
        skip_schema_validation: args.skip_schema_validation,
        enable_dns: args.enable_dns,
        debug: args.debug,
        dry_run: args.dry_run,
        dependency_update: args
            .dependency_update
            .then(|| args.chart_path.settings(args.debug)),
    };
    let mut stdin = std::io::stdin();
    let result = template::run(
        &options,
        &mut stdin,
        post_renderer.as_ref().map(|p| p as &dyn PostRenderer),
    );
    // A bundle's images moved to the site's registry, in the manifests and the hooks alike.
    let result = match (result, &image_rewrite) {
        (Ok(mut output), Some(rewrite)) => {
            output.stdout = rewrite.run(&output.stdout.to_string())?.into();
            for file in &mut output.files {
                file.content = rewrite.run(&file.content)?;
            }
            Ok(output)
        }
        (result, _) => result,
    };
    let mut out = std::io::stdout().lock();
    match result {
        Ok(output) => {
            let _ = out.write_all(output.progress.as_bytes());
            for line in &output.log_lines {
                eprintln!("{line}");
            }
            for warning in &output.warnings {
                eprintln!("WARNING: {warning}");
            }
            for file in &output.files {
                write_output_file(file).map_err(|e| write_failed(e, options.debug))?;
                let _ = writeln!(out, "wrote {}", file.path.display());
            }
            let _ = output.stdout.write_to(&mut out);
            crate::teardown::dispose(output);
            Ok(())
        }
        Err(err) => {
            for file in &err.files {
                write_output_file(file).map_err(|e| write_failed(e, options.debug))?;
                let _ = writeln!(out, "wrote {}", file.path.display());
            }
            if let Some(text) = &err.stdout {
                let _ = out.write_all(&crate::template::gostr::to_bytes(text));
            }
            if options.debug {
                match &err.excerpt {
                    Some(excerpt) => Err(format!("{}\n{excerpt}", err.message)),
                    None => Err(err.message),
                }
            } else {
                Err(err.to_string())
            }
        }
    }
}

/// Helm's `writeToFile`: the file's directory is checked (`stat`), made (`os.MkdirAll`), then the
/// file created or appended to, each failure in Go's words.
fn write_output_file(file: &OutputFile) -> Result<(), String> {
    let shown = file.path.display().to_string();
    let base_dir = PathBuf::from(crate::template::funcs::sprig::paths::dir(&shown));
    if let Err(e) = std::fs::metadata(&base_dir) {
        if e.kind() != std::io::ErrorKind::NotFound {
            return Err(crate::go_os::path_error("stat", &base_dir, &e));
        }
    }
    crate::go_os::mkdir_all(&base_dir)?;
    let mut handle = std::fs::OpenOptions::new()
        .create(!file.append)
        .write(true)
        .append(file.append)
        .truncate(!file.append)
        .open(&file.path)
        .map_err(|e| crate::go_os::path_error("open", &file.path, &e))?;
    handle
        .write_all(&crate::template::gostr::to_bytes(&file.content))
        .map_err(|e| crate::go_os::path_error("write", &file.path, &e))
}

/// A failed `--output-dir` write ends the command as Helm's render errors do.
fn write_failed(message: String, debug: bool) -> String {
    if debug {
        message
    } else {
        format!("{message}\n\nUse --debug flag to render out invalid YAML")
    }
}

/// Helm 3's exec post-renderer: the manifests on stdin, the program's stdout replaces them (even
/// when empty, as in Helm 3.17).
pub struct ExecPostRenderer {
    program: PathBuf,
    args: Vec<String>,
}

impl ExecPostRenderer {
    pub fn new(path: &str, args: Vec<String>) -> Result<ExecPostRenderer, String> {
        let program = crate::go_os::look_path(path).ok_or_else(|| {
            format!(
                "invalid argument {path:?} for \"--post-renderer\" flag: unable to find binary at {path}: exec: {path:?}: executable file not found in $PATH"
            )
        })?;
        Ok(ExecPostRenderer { program, args })
    }
}

impl PostRenderer for ExecPostRenderer {
    fn run(&self, manifests: &str) -> Result<String, String> {
        let shown = self.program.display().to_string();
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("error while running command {shown}. error output:\n: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            let input = manifests.to_string();
            std::thread::spawn(move || {
                let _ = stdin.write_all(input.as_bytes());
            });
        }
        let result = child
            .wait_with_output()
            .map_err(|e| format!("error while running command {shown}. error output:\n: {e}"))?;
        if !result.status.success() {
            let code = result.status.code().unwrap_or(-1);
            return Err(format!(
                "error while running command {shown}. error output:\n{}: exit status {code}",
                String::from_utf8_lossy(&result.stderr)
            ));
        }
        // Helm 3.17 accepts empty output (later versions reject it).
        Ok(String::from_utf8_lossy(&result.stdout).into_owned())
    }
}
