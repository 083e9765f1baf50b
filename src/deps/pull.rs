//! `pull` of a chart from an HTTP(S) repository (Helm v3.17's `ChartDownloader.ResolveChartVersion`
//! and `repo.FindChartInAuthAndTLSAndPassRepoURL`): `repo/chart` through the cached index of a
//! configured repository, `--repo URL` through that repository's index fetched for the occasion, or a
//! chart archive's URL. The archive is checked against the digest the index gives for it. Helm 4's
//! content cache is read and filled as the caller asks ([`PullRequest::content_cache`]).
use super::content_cache::{ContentCache, Kind, Use};
use super::error::Error;
use super::getter::{self, Options};
use super::index::Index;
use super::paths::Settings;
use super::repofile::{Entry, RepoFile};

/// What to pull.
#[derive(Debug, Clone, Default)]
pub struct PullRequest {
    pub chart: String,
    /// `--repo`, empty when not given.
    pub repo_url: String,
    /// `--version` (`>0.0.0-0` for `--devel`), empty for the newest release.
    pub version: String,
    pub username: String,
    pub password: String,
    pub pass_credentials_all: bool,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub insecure_skip_tls_verify: bool,
    /// How Helm 4's content cache is used ([`super::content_cache`]): a `repo/chart` is looked up
    /// under its index digest; with `ReadWrite` whatever is downloaded is stored.
    pub content_cache: Use,
}

/// A downloaded archive and the file name Helm saves it under.
pub struct Fetched {
    pub file_name: String,
    pub data: Vec<u8>,
    /// The chart reference as Helm continues with it: the archive's URL with `--repo`, else the
    /// reference given.
    pub reference: String,
    /// The archive's URL and the options it was fetched with (its `.prov` is fetched alike).
    pub url: String,
    pub options: Options,
}

impl Fetched {
    /// The provenance file beside the archive (`URL.prov`), fetched with the archive's options.
    pub fn provenance(&self) -> Result<Vec<u8>, Error> {
        getter::get(&self.prov_url(), &self.options)
    }

    /// `URL.prov`.
    pub fn prov_url(&self) -> String {
        format!("{}.prov", self.url)
    }
}

fn quote(s: &str) -> String {
    crate::template::printf::quote_go(s)
}

fn get_error(index: &Index, name: &str, version: &str) -> String {
    let versions = index.entries.get(name);
    if versions.is_none() {
        "no chart name found".to_string()
    } else if versions.is_some_and(Vec::is_empty) {
        "no chart version found".to_string()
    } else if !version.is_empty() && !crate::chart::constraint::is_valid_constraint(version) {
        format!("improper constraint: {version}")
    } else {
        format!("no chart version found for {name}-{version}")
    }
}

/// The name Helm's `FindChartInRepoURL` gives the index it fetches for `--repo` (a cache file named
/// after 20 random bytes, base64 with `/` as `-`, removed afterwards): log lines about the index
/// name it. Rudder reads the index from memory and writes no such file.
fn temporary_index_name(settings: &Settings) -> String {
    use base64::Engine;
    let bytes: [u8; 20] = rand::random();
    let name = base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .replace('/', "-");
    settings
        .repository_cache
        .join(format!("{name}-index.yaml"))
        .display()
        .to_string()
}

/// Resolves and downloads the chart.
pub fn pull(settings: &Settings, request: &PullRequest) -> Result<Fetched, Error> {
    let request_options = |url: &str| Options {
        repo_url: url.to_string(),
        username: request.username.clone(),
        password: request.password.clone(),
        pass_credentials_all: request.pass_credentials_all,
        ca_file: request.ca_file.clone(),
        cert_file: request.cert_file.clone(),
        key_file: request.key_file.clone(),
        insecure_skip_tls_verify: request.insecure_skip_tls_verify,
    };
    // Only a `repo/chart` is looked up in the content cache (Helm 4 resolves `--repo` and URLs to
    // an archive URL, which has no digest to look under).
    let mut cacheable = false;
    let (url, options, digest) = if !request.repo_url.is_empty() {
        let options = request_options(&request.repo_url);
        let index_url = getter::resolve_reference(&request.repo_url, "index.yaml")?;
        let data = getter::get(&index_url, &options).map_err(|e| {
            Error::Resolve(format!(
                "looks like {} is not a valid chart repository or cannot be reached: {e}",
                quote(&request.repo_url)
            ))
        })?;
        let index = Index::parse(&data, &request.repo_url)?;
        index.log_skipped(&temporary_index_name(settings));
        let chosen = index.get(&request.chart, &request.version).ok_or_else(|| {
            // Helm names the version only when one was asked for.
            let version = if request.version.is_empty() {
                String::new()
            } else {
                format!(" version {}", quote(&request.version))
            };
            Error::Resolve(format!(
                "chart {}{version} not found in {} repository",
                quote(&request.chart),
                request.repo_url
            ))
        })?;
        let first = chosen.urls.first().ok_or_else(|| {
            Error::Resolve(format!(
                "chart {} has no downloadable URLs",
                quote(&request.chart)
            ))
        })?;
        (
            getter::resolve_reference(&request.repo_url, first)?,
            options,
            chosen.digest.clone(),
        )
    } else if request.chart.contains("://") {
        (
            request.chart.clone(),
            request_options(&request.chart),
            String::new(),
        )
    } else {
        let Some((repo_name, chart_name)) = request.chart.split_once('/') else {
            return Err(Error::Resolve(format!(
                "non-absolute URLs should be in form of repo_name/path_to_chart, got: {}",
                request.chart
            )));
        };
        let file = RepoFile::load_or_default(&settings.repository_config)?;
        let entry: &Entry = file
            .get(repo_name)
            .ok_or_else(|| Error::Resolve(format!("repo {repo_name} not found")))?;
        let index = Index::load(&settings.index_file(&entry.name)).map_err(|e| {
            Error::Resolve(format!(
                "no cached repo found. (try 'helm repo update'): {e}"
            ))
        })?;
        let chosen = index.get(chart_name, &request.version).ok_or_else(|| {
            Error::Resolve(format!(
                "chart {} matching {} not found in {} index. (try 'helm repo update'): {}",
                quote(chart_name),
                request.version,
                entry.name,
                get_error(&index, chart_name, &request.version)
            ))
        })?;
        let first = chosen.urls.first().ok_or_else(|| {
            Error::Resolve(format!(
                "chart {} has no downloadable URLs",
                quote(&request.chart)
            ))
        })?;
        cacheable = true;
        (
            getter::resolve_reference(&entry.url, first)?,
            Options::for_entry(entry),
            chosen.digest.clone(),
        )
    };
    let cache = ContentCache::new(&settings.content_cache);
    let cached = if cacheable && request.content_cache != Use::None && !digest.is_empty() {
        match cache.get(&digest, Kind::Chart) {
            Ok(found) => found,
            // Helm's `pull` ignores a cache it cannot read; `LocateChart` fails.
            Err(_) if request.content_cache == Use::Read => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let from_cache = cached.is_some();
    let data = match cached {
        Some(data) => data,
        None => getter::get(&url, &options)?,
    };
    let file_name = reqwest::Url::parse(&url)
        .ok()
        .and_then(|u| u.path().rsplit('/').next().map(str::to_string))
        .unwrap_or_else(|| url.rsplit('/').next().unwrap_or(&url).to_string());
    if !digest.is_empty() {
        let actual = super::digest::sha256_hex(&data);
        if !actual.eq_ignore_ascii_case(digest.trim_start_matches("sha256:")) {
            return Err(Error::DigestMismatch {
                chart: file_name,
                // The repository's URL (digests only come from an index: `--repo` or `repo/chart`).
                repository: if request.repo_url.is_empty() {
                    options.repo_url.clone()
                } else {
                    request.repo_url.clone()
                },
                expected: digest,
                actual,
            });
        }
    }
    if request.content_cache == Use::ReadWrite && !from_cache {
        cache.put(&super::digest::sha256_hex(&data), &data, Kind::Chart)?;
    }
    let reference = if request.repo_url.is_empty() {
        request.chart.clone()
    } else {
        url.clone()
    };
    Ok(Fetched {
        file_name,
        data,
        reference,
        url,
        options,
    })
}
