//! Flags `install` and `upgrade` share (Helm's `addInstallFlags`, `addChartPathOptionsFlags`, the
//! wait flags), turned into action options; and the release summary both print when done (through
//! `status`'s printer).
use std::collections::BTreeMap;
use std::time::Duration;

use clap::Args;

use crate::action::install::{DryRun, WaitOptions};
use crate::action::release_render::RenderOptions;
use crate::storage::record::Release;

/// Flags shared by `install` and `upgrade`.
#[derive(Debug, Args, Clone)]
pub struct CommonReleaseArgs {
    /// Simulate an install/upgrade: `none`, `client` (or `true`), `server`.
    #[arg(long = "dry-run", num_args = 0..=1, require_equals = true, default_missing_value = "client")]
    pub dry_run: Option<String>,
    /// Add a custom description.
    #[arg(long = "description")]
    pub description: Option<String>,
    /// Prevent hooks from running.
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Wait until all Pods, PVCs, Services, and minimum number of Pods of a Deployment, StatefulSet,
    /// or ReplicaSet are in a ready state before marking the release as successful.
    #[arg(long = "wait")]
    pub wait: bool,
    /// Wait until all Jobs have been completed before marking the release as successful (with
    /// `--wait`).
    #[arg(long = "wait-for-jobs")]
    pub wait_for_jobs: bool,
    /// Time to wait for any individual Kubernetes operation (like Jobs for hooks).
    #[arg(long = "timeout", default_value = "5m0s", value_parser = super::pflag::parse_duration)]
    pub timeout: String,
    /// On failure, undo the operation (uninstall for an install, roll back for an upgrade).
    #[arg(long = "atomic")]
    pub atomic: bool,
    /// Helm 4's name for `--atomic`.
    #[arg(long = "rollback-on-failure")]
    pub rollback_on_failure: bool,
    /// Adopt existing objects the chart renders, whoever owns them.
    #[arg(long = "take-ownership")]
    pub take_ownership: bool,
    /// Labels added to the release's record (key=value, comma-separated).
    #[arg(short = 'l', long = "labels", value_parser = super::pflag::parse_key_values)]
    pub labels: Vec<String>,
    /// The path to an executable to be used for post rendering.
    #[arg(long = "post-renderer")]
    pub post_renderer: Option<String>,
    /// An argument to the post-renderer (can specify multiple).
    #[arg(long = "post-renderer-args")]
    pub post_renderer_args: Vec<String>,
    /// Render subchart notes along with the parent.
    #[arg(long = "render-subchart-notes")]
    pub render_subchart_notes: bool,
    /// If set, disables JSON schema validation.
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
    /// Enable DNS lookups when rendering templates.
    #[arg(long = "enable-dns")]
    pub enable_dns: bool,
    /// Do not show notes in the output.
    #[arg(long = "hide-notes")]
    pub hide_notes: bool,
    /// Hide Kubernetes Secrets when also using the --dry-run flag.
    #[arg(long = "hide-secret")]
    pub hide_secret: bool,
    /// Prints the output in the specified format. Allowed values: table, json, yaml.
    #[arg(short = 'o', long = "output", default_value = "table")]
    pub output: String,
    /// Chart version constraint (a local chart ignores it).
    #[arg(long = "version")]
    pub version: Option<String>,
    /// Use development versions too (a local chart ignores it).
    #[arg(long = "devel")]
    pub devel: bool,
    /// Update dependencies if they are missing before installing the chart.
    #[arg(long = "dependency-update")]
    pub dependency_update: bool,
    /// Where a chart not on disk is downloaded from (`--repo`, credentials, TLS, `--verify`).
    #[command(flatten)]
    pub chart_path: super::chart_args::ChartPathArgs,
    /// Skip the server-side dry run of every object of an upgrade before changing anything, and
    /// apply directly as Helm does (Rudder only; see docs/releases.md).
    #[arg(long = "no-preflight", hide = true)]
    pub no_preflight: bool,
}

impl CommonReleaseArgs {
    pub fn dry_run(&self) -> Result<DryRun, String> {
        DryRun::parse(self.dry_run.as_deref().unwrap_or(""))
    }

    pub fn wait(&self) -> Result<WaitOptions, String> {
        Ok(WaitOptions {
            wait: self.wait,
            wait_for_jobs: self.wait_for_jobs,
            timeout: go_duration(&self.timeout)?,
        })
    }

    /// `--hide-secret` without a dry run is refused before anything else, as Helm refuses it.
    pub fn check_hide_secret(&self) -> Result<(), String> {
        if self.hide_secret && !self.dry_run()?.is_dry_run() {
            return Err("Hiding Kubernetes secrets requires a dry-run mode".to_string());
        }
        Ok(())
    }

    /// Prints the release as `-o` asks, without notes (`--hide-notes`) and with each v1 Secret of
    /// the manifest replaced by Helm's placeholder (`--hide-secret`, only allowed with a dry run).
    pub fn print(&self, release: &Release) -> Result<String, String> {
        if !self.hide_secret {
            return print_release(release, &self.output, self.hide_notes);
        }
        let mut release = release.clone();
        release.manifest = hide_secrets(&release.manifest);
        print_release(&release, &self.output, self.hide_notes)
    }

    /// What these flags say of an install or an upgrade of `release_name` from `chart` (with the
    /// values flags' `values`, the force flags, a bundle's image rewrite and the post-renderer).
    #[allow(clippy::too_many_arguments)]
    pub fn request<'a>(
        &self,
        release_name: &str,
        chart: &std::path::Path,
        values: crate::action::chart_source::ValueOptions,
        namespace: &str,
        force: &ForceArgs,
        image_rewrite: Option<&'a dyn crate::action::template::PostRenderer>,
        post_renderer: Option<&'a dyn crate::action::template::PostRenderer>,
    ) -> Result<crate::action::release_steps::Request<'a>, String> {
        Ok(crate::action::release_steps::Request {
            release_name: release_name.to_string(),
            chart: chart.to_path_buf(),
            values,
            namespace: namespace.to_string(),
            description: self.description.clone(),
            dry_run: self.dry_run()?,
            no_hooks: self.no_hooks,
            wait: self.wait()?,
            atomic: self.atomic(),
            take_ownership: self.take_ownership,
            force_replace: force.replace(),
            force_conflicts: force.force_conflicts,
            labels: self.labels(),
            no_preflight: self.no_preflight,
            server_side: Default::default(),
            render: RenderOptions {
                image_rewrite,
                ..self.render_options()
            },
            post_renderer,
        })
    }

    pub fn atomic(&self) -> bool {
        self.atomic || self.rollback_on_failure
    }

    pub fn labels(&self) -> BTreeMap<String, String> {
        self.labels
            .iter()
            .flat_map(|l| l.split(','))
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Helm's `LocateChart` (a remote chart downloaded into the repository cache) and, with
    /// `--dependency-update`, the missing dependencies fetched (progress on standard output before
    /// the command's own, as Helm prints it): the chart's path on disk.
    pub fn prepare_chart(&self, chart: &str, debug: bool) -> Result<std::path::PathBuf, String> {
        let path = self
            .chart_path
            .locate(chart, self.version.as_deref(), self.devel, debug)?;
        if self.dependency_update
            && path.is_dir()
            && crate::action::dependency_update::missing(&path)
        {
            let settings = self.chart_path.settings(debug);
            let (progress, result) = crate::action::dependency_update::update(&path, &settings);
            print!("{}", progress.stdout);
            for line in &progress.log_lines {
                eprintln!("{line}");
            }
            result.map_err(|e| e.to_string())?;
        }
        Ok(path)
    }

    pub fn render_options(&self) -> RenderOptions<'static> {
        RenderOptions {
            skip_schema_validation: self.skip_schema_validation,
            enable_dns: self.enable_dns,
            sub_notes: self.render_subchart_notes,
            post_renderer: None,
            image_rewrite: None,
        }
    }
}

/// A Go duration (`5m0s`, `90s`, `1h2m3.5s`) already checked by `pflag::parse_duration`.
pub fn go_duration(text: &str) -> Result<Duration, String> {
    let mut total = 0f64;
    let body = text.trim_start_matches('+');
    if body.starts_with('-') {
        return Ok(Duration::ZERO);
    }
    let mut rest = body;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_len]
            .parse()
            .map_err(|_| format!("time: invalid duration {text:?}"))?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" | "" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(format!("time: unknown unit in duration {text:?}")),
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    Ok(Duration::from_secs_f64(total))
}

/// Helm's `--hide-secret`: each document of the manifest whose `apiVersion` is `v1` and `kind` is
/// `Secret` keeps its `# Source:` line and loses its body to `# HIDDEN: The Secret output has been
/// suppressed`. Hooks are printed whole, as Helm prints them. The top-level keys are read from the
/// document's lines (the manifest was written by the sorter as `---\n# Source: …\n<YAML>\n`).
pub fn hide_secrets(manifest: &str) -> String {
    let mut out = String::with_capacity(manifest.len());
    let mut docs = manifest.split("---\n").peekable();
    if let Some(first) = docs.next() {
        out.push_str(first);
    }
    for doc in docs {
        out.push_str("---\n");
        let top = |key: &str| {
            doc.lines().find_map(|l| {
                l.strip_prefix(key)
                    .and_then(|rest| rest.strip_prefix(':'))
                    .map(|v| v.trim().trim_matches(['"', '\'']))
            })
        };
        if top("kind") == Some("Secret") && top("apiVersion") == Some("v1") {
            for line in doc.lines().take_while(|l| l.starts_with("# Source: ")) {
                out.push_str(line);
                out.push('\n');
            }
            out.push_str("# HIDDEN: The Secret output has been suppressed\n");
        } else {
            out.push_str(doc);
        }
    }
    out
}

/// Prints a release just installed or upgraded as `-o table|json|yaml` asks (Helm's
/// `statusPrinter`; `--hide-notes` drops the notes from the table). JSON and YAML have Helm 3's
/// shape (no `apply_method`), as the read commands print, since the rest of a fresh record (no
/// `modtime`s, `deleted: ""`) is Helm 3's.
pub fn print_release(release: &Release, output: &str, hide_notes: bool) -> Result<String, String> {
    let format = super::output::parse_format(output)?;
    let mut release = release.helm3_view();
    if hide_notes {
        if let Some(info) = release.info.as_mut() {
            info.notes.clear();
        }
    }
    match format {
        super::output::Format::Json => super::output::json(&release),
        super::output::Format::Yaml => super::output::yaml(&release),
        super::output::Format::Table => super::status::StatusPrinter {
            record: &crate::storage::Record::new(release.clone()),
            debug: false,
            show_description: false,
            show_metadata: false,
            resources: "",
        }
        .table(),
    }
}

/// Runs a command that renders against a cluster: on tokio's multi-thread runtime, so that the
/// templates' `lookup` can wait on the cluster while the render holds the calling thread (see
/// `crate::kube::lookup`).
pub fn run_async<F: std::future::Future>(future: F) -> F::Output {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(future),
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            std::process::exit(1)
        }
    }
}

/// The force flags of `install`, `upgrade` and `rollback`: Helm 3's `--force` (a replace), which
/// Helm 4 keeps as a deprecated name of `--force-replace`, and Helm 4's `--force-conflicts`.
#[derive(Debug, Args, Clone, Default)]
pub struct ForceArgs {
    /// Force resource updates by replacement (deprecated name of `--force-replace`).
    #[arg(long = "force")]
    pub force: bool,
    /// Force resource updates by replacement.
    #[arg(long = "force-replace")]
    pub force_replace: bool,
    /// If set server-side apply will force changes against conflicts.
    #[arg(long = "force-conflicts")]
    pub force_conflicts: bool,
}

impl ForceArgs {
    /// Whether objects are replaced (`--force` or `--force-replace`).
    pub fn replace(&self) -> bool {
        self.force || self.force_replace
    }

    /// cobra's check of Helm 4's mutually exclusive groups (`[force force-conflicts]`, then
    /// `[force-replace force-conflicts]`, in cobra's sorted order), before anything runs.
    pub fn check(&self) -> Result<(), String> {
        for (flag, set) in [("force", self.force), ("force-replace", self.force_replace)] {
            if set && self.force_conflicts {
                let mut both = [flag, "force-conflicts"];
                both.sort_unstable();
                return Err(format!(
                    "if any flags in the group [{flag} force-conflicts] are set none of the others can be; [{}] were all set",
                    both.join(" ")
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_hidden_others_kept() {
        let manifest = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  p: x\n---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n# Source: c/templates/b.yaml\napiVersion: example.com/v1\nkind: \"Secret\"\nmetadata:\n  name: not-core\n";
        assert_eq!(
            super::hide_secrets(manifest),
            "---\n# Source: c/templates/a.yaml\n# HIDDEN: The Secret output has been suppressed\n---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n# Source: c/templates/b.yaml\napiVersion: example.com/v1\nkind: \"Secret\"\nmetadata:\n  name: not-core\n"
        );
    }

    #[test]
    fn force_flags_exclusive_as_cobra_says() {
        let force = |force, force_replace, force_conflicts| super::ForceArgs {
            force,
            force_replace,
            force_conflicts,
        };
        assert_eq!(force(true, true, false).check(), Ok(()));
        assert!(force(true, true, false).replace());
        assert_eq!(
            force(true, true, true).check().unwrap_err(),
            "if any flags in the group [force force-conflicts] are set none of the others can be; [force force-conflicts] were all set"
        );
        assert_eq!(
            force(false, true, true).check().unwrap_err(),
            "if any flags in the group [force-replace force-conflicts] are set none of the others can be; [force-conflicts force-replace] were all set"
        );
    }
}
