//! Helm's chart-path flags (`addChartPathOptionsFlags`: `--repo`, `--username/--password`,
//! `--pass-credentials`, CA and client-certificate flags, `--insecure-skip-tls-verify`,
//! `--plain-http`, `--verify`, `--keyring`) and the repository paths, shared by `template`,
//! `install`, `upgrade` and `show`; and the call of [`crate::deps::chart_ref::locate`] they all
//! make before rendering, with the registry's `Pulled:` lines on standard error as Helm prints them.
use std::path::PathBuf;

use clap::Args;

use crate::deps::chart_ref::{self, LocateOptions};
use crate::deps::Settings;

/// Where a chart is downloaded from and with which credentials (a chart on disk ignores them).
#[derive(Debug, Args, Clone, Default)]
pub struct ChartPathArgs {
    /// Chart repository url where to locate the requested chart.
    #[arg(long = "repo")]
    pub repo: Option<String>,
    /// Chart repository username where to locate the requested chart.
    #[arg(long = "username")]
    pub username: Option<String>,
    /// Chart repository password where to locate the requested chart.
    #[arg(long = "password")]
    pub password: Option<String>,
    /// Pass credentials to all domains.
    #[arg(long = "pass-credentials")]
    pub pass_credentials: bool,
    /// Verify certificates of HTTPS-enabled servers using this CA bundle.
    #[arg(long = "ca-file")]
    pub ca_file: Option<String>,
    /// Identify HTTPS client using this SSL certificate file.
    #[arg(long = "cert-file")]
    pub cert_file: Option<String>,
    /// Identify HTTPS client using this SSL key file.
    #[arg(long = "key-file")]
    pub key_file: Option<String>,
    /// Skip tls certificate checks for the chart download.
    #[arg(long = "insecure-skip-tls-verify")]
    pub insecure_skip_tls_verify: bool,
    /// Use insecure HTTP connections for the chart download.
    #[arg(long = "plain-http")]
    pub plain_http: bool,
    /// Verify the package before using it.
    #[arg(long = "verify")]
    pub verify: bool,
    /// Location of public keys used for verification.
    #[arg(long = "keyring")]
    pub keyring: Option<String>,
    /// Path to the registry config file.
    #[arg(long = "registry-config")]
    pub registry_config: Option<PathBuf>,
    /// Path to the file containing repository names and URLs.
    #[arg(long = "repository-config")]
    pub repository_config: Option<PathBuf>,
    /// Path to the directory containing cached repository indexes.
    #[arg(long = "repository-cache")]
    pub repository_cache: Option<PathBuf>,
}

impl ChartPathArgs {
    /// Helm's paths from the environment, with these flags over them.
    pub fn settings(&self, debug: bool) -> Settings {
        let mut settings = Settings::from_process_env();
        if let Some(p) = &self.repository_config {
            settings.repository_config = p.clone();
        }
        if let Some(p) = &self.repository_cache {
            settings.repository_cache = p.clone();
        }
        if let Some(p) = &self.registry_config {
            settings.registry_config = p.clone();
        }
        settings.debug = debug;
        settings
    }

    /// The locate options, with `--version` and `--devel` of the command.
    pub fn options(&self, version: Option<&str>, devel: bool) -> LocateOptions {
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        LocateOptions {
            version: version.unwrap_or_default().to_string(),
            devel,
            repo_url: text(&self.repo),
            username: text(&self.username),
            password: text(&self.password),
            pass_credentials_all: self.pass_credentials,
            ca_file: text(&self.ca_file),
            cert_file: text(&self.cert_file),
            key_file: text(&self.key_file),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            plain_http: self.plain_http,
            // `install|upgrade --offline` (air-gapped installs, crate::bundle).
            offline: crate::deps::getter::network_forbidden(),
            verify: crate::deps::verify::Verify::from_flags(
                self.verify,
                self.keyring.as_deref(),
                crate::deps::verify::Strategy::Always,
            ),
        }
    }

    /// Helm's `LocateChart`: the chart's absolute path, downloaded into the repository cache when
    /// it is not on disk; with `--verify`, a chart on disk is checked against its `.prov` file and a
    /// downloaded one against the provenance fetched beside it (before anything is saved).
    pub fn locate(
        &self,
        chart: &str,
        version: Option<&str>,
        devel: bool,
        debug: bool,
    ) -> Result<PathBuf, String> {
        let options = self.options(version, devel);
        let reference = chart_ref::ChartReference::parse(chart, &options.repo_url)
            .map_err(|e| e.to_string())?;
        let settings = self.settings(debug);
        let mut log = Vec::new();
        let result = chart_ref::locate(chart, &options, &settings, &mut log);
        eprint!("{}", String::from_utf8_lossy(&log));
        let path = result
            .map(|located| located.path)
            .map_err(|e| e.to_string())?;
        if self.verify && !reference.is_remote() {
            // Helm's LocateChart verifies a chart on disk against its `.prov` file.
            let keyring = crate::provenance::keyring(self.keyring.as_deref());
            crate::provenance::verify_chart(&path, &keyring).map_err(|e| e.to_string())?;
        }
        Ok(path)
    }
}
