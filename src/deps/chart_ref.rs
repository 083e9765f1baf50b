//! Chart references: what a `CHART` argument of `template`, `install`, `upgrade`, `show` (and the
//! air-gap bundle) names, and Helm v3.17's `ChartPathOptions.LocateChart` that turns it into a chart
//! on disk. This is the one entry point for "give me this chart as a local file or directory":
//!
//! - [`ChartReference::parse`] says what the argument is (a path on disk, `repo/chart`, a chart of
//!   a `--repo URL`, `oci://…`, or an archive's `http(s)://` URL), without any network access;
//! - [`locate`] resolves it: a path on disk is returned absolute; anything else is downloaded with
//!   the options of [`LocateOptions`] (version or constraint, `--devel`, credentials, TLS,
//!   `--plain-http`) and saved where Helm v3 saves it, `<repository cache>/<file name>` (an OCI
//!   chart as `<name>-<tag>.tgz`), written through a temporary file and a rename.
//!
//! Archives from an HTTP(S) repository are checked against the digest its index gives (Helm 3 does
//! not check); OCI blobs against their manifest digests (`crate::registry`); with `--verify`,
//! against their provenance (`super::verify`), saved beside the archive. Nothing is written when a
//! download or a check fails. Downloads also fill Helm 4's content cache, and a `repo/chart` found
//! there is not downloaded again (`super::content_cache`).
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::Error;
use super::paths::Settings;
use super::pull::{self, PullRequest};

/// What a chart argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartReference {
    /// A chart directory or archive on disk (as given; [`locate`] makes it absolute).
    Path(PathBuf),
    /// `repo/chart`: a chart of a repository in `repositories.yaml`, found through its cached index.
    RepoChart { repo: String, chart: String },
    /// `CHART --repo URL`: a chart of a repository's index fetched for the occasion.
    RepoUrl { url: String, chart: String },
    /// `oci://host[:port]/path/name[:tag][@sha256:…]`.
    Oci(String),
    /// An archive's `http(s)://` URL.
    Url(String),
}

impl ChartReference {
    /// Helm v3's order: an existing path wins (even with `--repo`); an absolute path or one starting
    /// with `.` that does not exist is `path "…" not found`; then `--repo`, `oci://`, a URL, and
    /// `repo/chart`. Touches the file system only to see whether the path exists.
    pub fn parse(name: &str, repo_url: &str) -> Result<ChartReference, Error> {
        let name = name.trim();
        if Path::new(name).exists() {
            return Ok(ChartReference::Path(PathBuf::from(name)));
        }
        if name.starts_with('/') || name.starts_with('.') {
            return Err(Error::Resolve(format!(
                "path {} not found",
                crate::template::printf::quote_go(name)
            )));
        }
        if !repo_url.is_empty() {
            return Ok(ChartReference::RepoUrl {
                url: repo_url.to_string(),
                chart: name.to_string(),
            });
        }
        if name.starts_with("oci://") {
            return Ok(ChartReference::Oci(name.to_string()));
        }
        if name.contains("://") {
            return Ok(ChartReference::Url(name.to_string()));
        }
        match name.split_once('/') {
            Some((repo, chart)) => Ok(ChartReference::RepoChart {
                repo: repo.to_string(),
                chart: chart.to_string(),
            }),
            None => Err(Error::Resolve(format!(
                "non-absolute URLs should be in form of repo_name/path_to_chart, got: {name}"
            ))),
        }
    }

    /// Whether resolving it needs the network.
    pub fn is_remote(&self) -> bool {
        !matches!(self, ChartReference::Path(_))
    }

    /// The reference as the user wrote it (the chart name for `--repo`).
    pub fn display(&self) -> String {
        match self {
            ChartReference::Path(p) => p.display().to_string(),
            ChartReference::RepoChart { repo, chart } => format!("{repo}/{chart}"),
            ChartReference::RepoUrl { chart, .. } => chart.clone(),
            ChartReference::Oci(s) | ChartReference::Url(s) => s.clone(),
        }
    }
}

/// Helm's `ChartPathOptions`: how a remote chart is chosen and fetched.
#[derive(Debug, Clone, Default)]
pub struct LocateOptions {
    /// `--version`: a version or a constraint; empty for the newest release.
    pub version: String,
    /// `--devel`: with no `--version`, prereleases count too (`>0.0.0-0`).
    pub devel: bool,
    /// `--repo`.
    pub repo_url: String,
    pub username: String,
    pub password: String,
    pub pass_credentials_all: bool,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub insecure_skip_tls_verify: bool,
    /// `--plain-http` (OCI registries).
    pub plain_http: bool,
    /// No network: a reference that needs one is an error naming it.
    pub offline: bool,
    /// `--verify`/`--keyring`: a downloaded chart is checked against its provenance before it is
    /// saved (with its `.prov` beside it).
    pub verify: super::verify::Verify,
}

impl LocateOptions {
    /// The version as Helm passes it on: `>0.0.0-0` for `--devel` without `--version`.
    pub fn effective_version(&self) -> String {
        let version = self.version.trim();
        if version.is_empty() && self.devel {
            ">0.0.0-0".to_string()
        } else {
            version.to_string()
        }
    }
}

/// A chart on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The chart's absolute path: a directory or an archive (a downloaded one in the repository
    /// cache).
    pub path: PathBuf,
    /// What the argument named.
    pub reference: ChartReference,
    /// Whether the chart was downloaded.
    pub downloaded: bool,
}

/// Resolves `name` to a chart on disk (Helm's `LocateChart`). Lines the registry prints
/// (`Pulled: …`, `Digest: …`) go to `log` (Helm writes them on standard error).
pub fn locate(
    name: &str,
    options: &LocateOptions,
    settings: &Settings,
    log: &mut dyn Write,
) -> Result<Located, Error> {
    let reference = ChartReference::parse(name, &options.repo_url)?;
    if let ChartReference::Path(path) = &reference {
        return Ok(Located {
            path: absolute(path),
            reference: reference.clone(),
            downloaded: false,
        });
    }
    if options.offline {
        return Err(Error::Resolve(format!(
            "cannot fetch chart {}: offline (no network access allowed)",
            crate::template::printf::quote_go(&reference.display())
        )));
    }
    let downloaded = fetch(&reference, options, settings, log)?;
    let checked = downloaded.check(&options.verify, &reference.display(), log)?;
    crate::go_os::mkdir_all(&settings.repository_cache).map_err(Error::Io)?;
    let path = settings.repository_cache.join(&downloaded.file_name);
    super::manager::atomic_write(&path, &downloaded.data)?;
    if let Some(checked) = checked {
        let prov = settings
            .repository_cache
            .join(format!("{}.prov", downloaded.file_name));
        super::manager::atomic_write(&prov, &checked.prov)?;
    }
    Ok(Located {
        path: absolute(&path),
        reference,
        downloaded: true,
    })
}

/// The archive `reference` names, and the file name Helm saves it under.
pub fn download(
    reference: &ChartReference,
    options: &LocateOptions,
    settings: &Settings,
    log: &mut dyn Write,
) -> Result<(String, Vec<u8>), Error> {
    let downloaded = fetch(reference, options, settings, log)?;
    Ok((downloaded.file_name, downloaded.data))
}

/// A downloaded archive, and where its provenance comes from.
pub struct Downloaded {
    pub file_name: String,
    pub data: Vec<u8>,
    source: Source,
}

enum Source {
    Disk,
    Http(pull::Fetched),
    /// The pulled chart (its provenance layer, when asked for) and the reference Helm printed.
    Oci(crate::registry::client::Pulled),
}

impl Downloaded {
    /// `--verify` of the download: its provenance, checked (`None` when not asked for).
    pub fn check(
        &self,
        verify: &super::verify::Verify,
        reference: &str,
        log: &mut dyn Write,
    ) -> Result<Option<super::verify::Checked>, Error> {
        let prov_url = match &self.source {
            Source::Disk => return Ok(None),
            Source::Http(fetched) => fetched.prov_url(),
            Source::Oci(pulled) => super::verify::oci_prov_url(&pulled.shown),
        };
        let fetch = || match &self.source {
            Source::Http(fetched) => fetched.provenance(),
            Source::Oci(pulled) => super::verify::oci_provenance(pulled),
            Source::Disk => Ok(Vec::new()),
        };
        verify.check(
            &self.file_name,
            &self.data,
            &prov_url,
            reference,
            fetch,
            log,
        )
    }
}

/// [`download`], keeping what `--verify` needs.
pub fn fetch(
    reference: &ChartReference,
    options: &LocateOptions,
    settings: &Settings,
    log: &mut dyn Write,
) -> Result<Downloaded, Error> {
    let version = options.effective_version();
    let fetched = match reference {
        ChartReference::Path(path) => {
            let data = std::fs::read(path).map_err(|e| super::error::io("open", path, &e))?;
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Ok(Downloaded {
                file_name,
                data,
                source: Source::Disk,
            });
        }
        ChartReference::Oci(text) => return pull_oci(text, &version, options, settings, log),
        ChartReference::RepoChart { .. } | ChartReference::Url(_) => PullRequest {
            chart: reference.display(),
            version,
            ..request(options)
        },
        ChartReference::RepoUrl { url, chart } => PullRequest {
            chart: chart.clone(),
            repo_url: url.clone(),
            version,
            ..request(options)
        },
    };
    let mut fetched = pull::pull(settings, &fetched)?;
    // A corrupt or hostile archive is refused before anything is written (Helm caches it, then
    // fails to load it with the loader's message alone).
    crate::chart::load_archive(&fetched.data).map_err(|e| {
        let repository = match reference {
            ChartReference::RepoUrl { url, .. } => url.clone(),
            ChartReference::RepoChart { repo, .. } => repo.clone(),
            other => other.display(),
        };
        Error::Resolve(format!(
            "chart {} from repository {repository}: {e}",
            fetched.file_name
        ))
    })?;
    Ok(Downloaded {
        file_name: fetched.file_name.clone(),
        data: std::mem::take(&mut fetched.data),
        source: Source::Http(fetched),
    })
}

fn request(options: &LocateOptions) -> PullRequest {
    PullRequest {
        username: options.username.clone(),
        password: options.password.clone(),
        pass_credentials_all: options.pass_credentials_all,
        ca_file: options.ca_file.clone(),
        cert_file: options.cert_file.clone(),
        key_file: options.key_file.clone(),
        insecure_skip_tls_verify: options.insecure_skip_tls_verify,
        content_cache: super::content_cache::Use::ReadWrite,
        ..PullRequest::default()
    }
}

fn pull_oci(
    text: &str,
    version: &str,
    options: &LocateOptions,
    settings: &Settings,
    log: &mut dyn Write,
) -> Result<Downloaded, Error> {
    use crate::registry::{client::Options, credentials, Client, Reference};
    let registry_error = |e: crate::registry::Error| Error::Resolve(e.to_string());
    let reference = Reference::parse(text).map_err(registry_error)?;
    let credentials = if !options.username.is_empty() || !options.password.is_empty() {
        Some((options.username.clone(), options.password.clone()))
    } else {
        credentials::stored(&settings.registry_config, &reference.registry)
            .map_err(registry_error)?
    };
    let client_options = Options {
        plain_http: options.plain_http,
        ca_file: options.ca_file.clone(),
        cert_file: options.cert_file.clone(),
        key_file: options.key_file.clone(),
        insecure_skip_tls_verify: options.insecure_skip_tls_verify,
        credentials,
    };
    let mut client = Client::new(&reference.registry, client_options).map_err(registry_error)?;
    let verify = options.verify.enabled();
    let mut pulled = client
        .pull_with(&reference, version, verify)
        .map_err(registry_error)?;
    let _ = writeln!(log, "Pulled: {}\nDigest: {}", pulled.shown, pulled.digest);
    if pulled.provenance.is_some() {
        // Helm pulls the manifest a second time for the provenance layer, and says so again.
        let _ = writeln!(log, "Pulled: {}\nDigest: {}", pulled.shown, pulled.digest);
    }
    crate::chart::load_archive(&pulled.data)
        .map_err(|e| Error::Resolve(format!("chart {}: {e}", pulled.shown)))?;
    // Helm 4 never looks an OCI chart up in its content cache, but stores each one it pulls.
    super::content_cache::ContentCache::new(&settings.content_cache).put(
        &super::digest::sha256_hex(&pulled.data),
        &pulled.data,
        super::content_cache::Kind::Chart,
    )?;
    Ok(Downloaded {
        file_name: oci_file_name(&pulled.shown),
        data: std::mem::take(&mut pulled.data),
        source: Source::Oci(pulled),
    })
}

/// Helm's name for a pulled OCI chart: the reference's last segment with its last `:` made `-`
/// (`redis:2.1.3` → `redis-2.1.3.tgz`, `redis@sha256:ab…` → `redis@sha256-ab….tgz`).
fn oci_file_name(shown: &str) -> String {
    let base = shown.rsplit('/').next().unwrap_or(shown);
    match base.rsplit_once(':') {
        Some((name, tag)) => format!("{name}-{tag}.tgz"),
        None => format!("{base}.tgz"),
    }
}

/// `filepath.Abs`, cleaned as Go cleans it.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path)
        .map(|absolute| PathBuf::from(crate::chart::lint::go_clean_display(&absolute)))
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_classified_as_helm_does() {
        let parse = |name: &str, repo: &str| ChartReference::parse(name, repo);
        assert_eq!(
            parse("stable/redis", "").unwrap(),
            ChartReference::RepoChart {
                repo: "stable".into(),
                chart: "redis".into()
            }
        );
        assert_eq!(
            parse("redis", "http://h/charts").unwrap(),
            ChartReference::RepoUrl {
                url: "http://h/charts".into(),
                chart: "redis".into()
            }
        );
        assert_eq!(
            parse("oci://h:5000/charts/redis", "").unwrap(),
            ChartReference::Oci("oci://h:5000/charts/redis".into())
        );
        assert_eq!(
            parse("https://h/redis-1.0.0.tgz", "").unwrap(),
            ChartReference::Url("https://h/redis-1.0.0.tgz".into())
        );
        assert_eq!(
            parse("./missing", "").unwrap_err().to_string(),
            "path \"./missing\" not found"
        );
        assert_eq!(
            parse("redis", "").unwrap_err().to_string(),
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: redis"
        );
        let here = env!("CARGO_MANIFEST_DIR");
        assert!(matches!(
            parse(here, "http://ignored").unwrap(),
            ChartReference::Path(_)
        ));
    }

    #[test]
    fn oci_file_names_follow_helm() {
        assert_eq!(
            oci_file_name("h:5000/charts/redis:2.1.3"),
            "redis-2.1.3.tgz"
        );
        assert_eq!(
            oci_file_name("h:5000/charts/redis@sha256:ab"),
            "redis@sha256-ab.tgz"
        );
    }

    #[test]
    fn offline_refuses_remote_references() {
        let settings = Settings::from_env(&|_| None);
        let options = LocateOptions {
            offline: true,
            ..LocateOptions::default()
        };
        let err = locate(
            "oci://127.0.0.1:1/c/x",
            &options,
            &settings,
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("offline"), "{err}");
    }

    #[test]
    fn devel_without_version_allows_prereleases() {
        let options = LocateOptions {
            devel: true,
            ..LocateOptions::default()
        };
        assert_eq!(options.effective_version(), ">0.0.0-0");
        let options = LocateOptions {
            devel: true,
            version: "1.2.3".into(),
            ..LocateOptions::default()
        };
        assert_eq!(options.effective_version(), "1.2.3");
    }
}
