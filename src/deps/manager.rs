//! `dependency update`, `dependency build` and `dependency list`: Helm v3.17's `downloader.Manager`
//! (`pkg/downloader/manager.go`), `resolver.Resolve` (`internal/resolver/resolver.go`) and
//! `action.Dependency.List` (`pkg/action/dependency.go`), with their progress lines and error texts.
//!
//! Order of an update: repository references are resolved (`@name` and `alias:name` replaced by the
//! configured URL, `file://` paths checked), unmanaged repository URLs get a `helm-manager-<sha256>`
//! cache name and their index is fetched, every configured repository's index is refreshed (unless
//! `--skip-refresh`), each dependency is resolved to the newest version its constraint accepts, the
//! charts are written into `charts/tmpcharts-<pid>`, and only when all of them are there are they
//! moved into `charts/` (older archives of the same dependencies removed); the lock is rewritten when
//! its digest changed. A failure on the way leaves `charts/` and the lock as they were.
//!
//! Stricter than Helm: a downloaded archive must match the `digest` the index gives for it and must
//! load as a chart, else the update fails (Helm moves it in unchecked, or skips it with a message).
//! `oci://` dependencies are resolved against the registry's tags (an exact version is taken as is)
//! and pulled with [`crate::registry`].
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::digest::{hash_req, sha256_hex};
use super::error::{io, Error};
use super::getter::{self, Options};
use super::index::Index;
use super::lock;
use super::paths::Settings;
use super::repofile::{url_equal, Entry, RepoFile};
use crate::chart::constraint::{is_compatible_range, is_valid_constraint, is_version};
use crate::chart::{Chart, Dependency};

/// The prefix of cache names for repositories that are not configured (`managerKeyPrefix`).
const MANAGER_KEY_PREFIX: &str = "helm-manager-";

/// One `dependency update`/`build` run.
pub struct Manager<'a> {
    /// The chart directory, as given (cleaned).
    pub chart_path: PathBuf,
    pub settings: &'a Settings,
    /// `--skip-refresh`.
    pub skip_update: bool,
    /// Progress lines (Helm prints them on standard output).
    pub out: &'a mut dyn Write,
    /// The registry client's lines (`Pulled: …`; Helm prints them on standard error).
    pub log: &'a mut dyn Write,
    /// How to reach `oci://` registries (`--plain-http`, TLS flags, `--username/--password`; without
    /// credentials, those `registry login` stored are used).
    pub registry: crate::registry::client::Options,
    /// `--verify`/`--keyring`: `update` verifies always, `build` when a provenance file exists.
    pub verify: super::verify::Verify,
}

/// Go's `filepath.Join(a, b)` (joined, then cleaned) for display and use.
fn join(a: &Path, b: &str) -> PathBuf {
    let joined = format!("{}/{b}", a.display());
    PathBuf::from(crate::chart::archive::clean_path(&joined))
}

/// `resolver.GetLocalPath`: a `file://` repository as a directory, relative to the chart.
pub fn local_path(repository: &str, chart_path: &Path) -> Result<PathBuf, Error> {
    let p = repository.trim_start_matches("file://");
    let dep_path = if p.starts_with('/') {
        PathBuf::from(crate::chart::archive::clean_path(p))
    } else {
        join(chart_path, p)
    };
    if std::fs::metadata(&dep_path).is_err() {
        return Err(Error::Resolve(format!(
            "directory {} not found",
            dep_path.display()
        )));
    }
    Ok(dep_path)
}

fn is_oci(repository: &str) -> bool {
    repository.starts_with("oci://")
}

/// Go's `url.ParseRequestURI` accepting the reference: an absolute URI or an absolute path.
fn parses_as_request_uri(s: &str) -> bool {
    if s.starts_with('/') {
        return true;
    }
    match s.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

fn quote(s: &str) -> String {
    crate::template::printf::quote_go(s)
}

impl Manager<'_> {
    fn line(&mut self, text: &str) {
        // Progress lines are best effort, as Helm ignores write errors to its output.
        let _ = writeln!(self.out, "{text}");
    }

    /// `loadChartDir`: the chart must be an unpacked directory.
    fn load_chart_dir(&self) -> Result<Chart, Error> {
        match std::fs::metadata(&self.chart_path) {
            Err(e) => Err(Error::Io(format!(
                "could not find {}: {}",
                self.chart_path.display(),
                crate::go_os::path_error("stat", &self.chart_path, &e)
            ))),
            Ok(meta) if !meta.is_dir() => Err(Error::Resolve(
                "only unpacked charts can be updated".to_string(),
            )),
            Ok(_) => Ok(crate::chart::load_dir(&self.chart_path)?),
        }
    }

    fn repo_file(&self) -> Result<RepoFile, Error> {
        RepoFile::load_or_default(&self.settings.repository_config)
    }

    /// `Manager.Update`.
    pub fn update(&mut self) -> Result<(), Error> {
        let chart = self.load_chart_dir()?;
        let md = &chart.metadata;
        if md.dependencies.is_empty() && !md.non_nil.dependencies {
            return Ok(());
        }
        let mut req = md.dependencies.clone();
        let mut repo_names = self.resolve_repo_names(&mut req)?;
        self.ensure_missing_repos(&mut repo_names, &req)?;
        if !self.skip_update {
            self.update_repositories()?;
        }
        let mut locked = self.resolve(&req, &repo_names)?;
        self.download_all(&mut locked)?;
        let digest = hash_req(&req, &locked);
        let old = lock::read(&self.chart_path, &md.api_version)?;
        if old.is_some_and(|old| old.digest == digest) {
            return Ok(());
        }
        let text = lock::render(&digest, &locked, &lock::now_rfc3339_nano());
        lock::write(&self.chart_path, &md.api_version, &text)?;
        Ok(())
    }

    /// `Manager.Build`: the locked versions, after checking the lock against Chart.yaml.
    pub fn build(&mut self) -> Result<(), Error> {
        let chart = self.load_chart_dir()?;
        let md = &chart.metadata;
        let Some(lock) = lock::read(&self.chart_path, &md.api_version)? else {
            return self.update();
        };
        let mut req = md.dependencies.clone();
        let v2_sum = (md.api_version == "v1").then(|| hash_v2_req(&req));
        self.resolve_repo_names(&mut req)?;
        if hash_req(&req, &lock.dependencies) != lock.digest {
            if md.api_version == "v1" {
                if v2_sum.as_deref() != Some(lock.digest.as_str()) {
                    return Err(Error::OutOfSync {
                        lock_file: "requirements.lock",
                        deps_file: "requirements.yaml",
                    });
                }
            } else {
                return Err(Error::OutOfSync {
                    lock_file: "Chart.lock",
                    deps_file: "Chart.yaml",
                });
            }
        }
        self.has_all_repos(&lock.dependencies)?;
        if !self.skip_update {
            self.update_repositories()?;
        }
        let mut deps = lock.dependencies;
        self.download_all(&mut deps)
    }

    /// `resolveRepoNames`: dependency name → repository cache name; replaces `@name`/`alias:name`
    /// with the repository's URL in `deps`.
    fn resolve_repo_names(
        &mut self,
        deps: &mut [Dependency],
    ) -> Result<BTreeMap<String, String>, Error> {
        let repos = self.repo_file()?.repositories;
        let mut names = BTreeMap::new();
        let mut missing = Vec::new();
        for dd in deps.iter_mut() {
            if dd.repository.is_empty() {
                continue;
            }
            if dd.repository.starts_with("file://") {
                local_path(&dd.repository, &self.chart_path)?;
                if self.settings.debug {
                    let text = format!("Repository from local path: {}", dd.repository);
                    self.line(&text);
                }
                names.insert(dd.name.clone(), dd.repository.clone());
                continue;
            }
            if is_oci(&dd.repository) {
                names.insert(dd.name.clone(), dd.repository.clone());
                continue;
            }
            let mut found = false;
            for repo in &repos {
                let by_alias = dd.repository.strip_prefix('@') == Some(repo.name.as_str())
                    || dd.repository.strip_prefix("alias:") == Some(repo.name.as_str());
                if by_alias {
                    found = true;
                    dd.repository = repo.url.clone();
                    names.insert(dd.name.clone(), repo.name.clone());
                    break;
                } else if url_equal(&repo.url, &dd.repository) {
                    found = true;
                    names.insert(dd.name.clone(), repo.name.clone());
                    break;
                }
            }
            if !found {
                if parses_as_request_uri(&dd.repository) {
                    names.insert(dd.repository.clone(), dd.repository.clone());
                    continue;
                }
                missing.push(dd.repository.clone());
            }
        }
        if !missing.is_empty() {
            let mut message = format!(
                "no repository definition for {}. Please add them via 'helm repo add'",
                missing.join(", ")
            );
            let contains_non_url = missing
                .iter()
                .any(|r| !r.contains("//") && !r.starts_with('@') && !r.starts_with("alias:"));
            if contains_non_url {
                message.push_str(
                    "\nNote that repositories must be URLs or aliases. For example, to refer to the \"example\"\nrepository, use \"https://charts.example.com/\" or \"@example\" instead of\n\"example\". Don't forget to add the repo, too ('helm repo add').",
                );
            }
            return Err(Error::Resolve(message));
        }
        Ok(names)
    }

    /// `ensureMissingRepos`: repositories given by URL only get a generated cache name, and their
    /// index is fetched unless `--skip-refresh`.
    fn ensure_missing_repos(
        &mut self,
        names: &mut BTreeMap<String, String>,
        deps: &[Dependency],
    ) -> Result<(), Error> {
        let mut unmanaged = Vec::new();
        for dd in deps {
            if dd.repository.is_empty() || names.contains_key(&dd.name) {
                continue;
            }
            let name = format!(
                "{MANAGER_KEY_PREFIX}{}",
                sha256_hex(dd.repository.as_bytes())
            );
            names.insert(dd.name.clone(), name.clone());
            unmanaged.push(Entry {
                name,
                url: dd.repository.clone(),
                ..Entry::default()
            });
        }
        if !self.skip_update && !unmanaged.is_empty() {
            self.line("Getting updates for unmanaged Helm repositories...");
            self.parallel_repo_update(&unmanaged);
        }
        Ok(())
    }

    /// `UpdateRepositories`: refreshes every configured repository's index.
    fn update_repositories(&mut self) -> Result<(), Error> {
        let repos = self.repo_file()?.repositories;
        if !repos.is_empty() {
            self.line("Hang tight while we grab the latest from your chart repositories...");
            self.parallel_repo_update(&repos);
            self.line("Update Complete. ⎈Happy Helming!⎈");
        }
        Ok(())
    }

    /// `parallelRepoUpdate`: a failure is reported and does not stop the others. The fetches run on
    /// threads; lines are printed in the repositories' order (Helm prints them as they finish).
    fn parallel_repo_update(&mut self, repos: &[Entry]) {
        let settings = self.settings;
        let results: Vec<Result<(), Error>> = std::thread::scope(|scope| {
            let handles: Vec<_> = repos
                .iter()
                .map(|entry| scope.spawn(move || download_index(entry, settings).map(|_| ())))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::Http("index download thread failed".into())))
                })
                .collect()
        });
        for (entry, result) in repos.iter().zip(results) {
            let managed = entry.name.starts_with(MANAGER_KEY_PREFIX);
            let text = match (result, managed) {
                (Ok(()), true) => format!(
                    "...Successfully got an update from the {} chart repository",
                    quote(&entry.url)
                ),
                (Ok(()), false) => format!(
                    "...Successfully got an update from the {} chart repository",
                    quote(&entry.name)
                ),
                (Err(e), true) => format!(
                    "...Unable to get an update from the {} chart repository:\n\t{e}",
                    quote(&entry.url)
                ),
                (Err(e), false) => format!(
                    "...Unable to get an update from the {} chart repository ({}):\n\t{e}",
                    quote(&entry.name),
                    entry.url
                ),
            };
            self.line(&text);
        }
    }

    /// `hasAllRepos`: every locked remote repository is configured.
    fn has_all_repos(&self, deps: &[Dependency]) -> Result<(), Error> {
        let repos = self.repo_file()?.repositories;
        let missing: Vec<String> = deps
            .iter()
            .filter(|d| {
                !d.repository.is_empty()
                    && !d.repository.starts_with("file://")
                    && !is_oci(&d.repository)
            })
            .filter(|d| {
                let trimmed = d.repository.trim_end_matches('/');
                !repos.iter().any(|r| url_equal(&r.url, trimmed))
            })
            .map(|d| d.repository.clone())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::Resolve(format!(
                "no repository definition for {}",
                missing.join(", ")
            )))
        }
    }

    /// `resolver.Resolve`: each dependency locked to one version.
    fn resolve(
        &self,
        reqs: &[Dependency],
        repo_names: &BTreeMap<String, String>,
    ) -> Result<Vec<Dependency>, Error> {
        let mut locked = Vec::with_capacity(reqs.len());
        let mut missing = Vec::new();
        let lock_dep = |d: &Dependency, version: &str| Dependency {
            name: d.name.clone(),
            version: version.to_string(),
            repository: d.repository.clone(),
            ..Dependency::default()
        };
        let describe = |d: &Dependency| {
            format!(
                "{} (repository {}, version {})",
                quote(&d.name),
                quote(&d.repository),
                quote(&d.version)
            )
        };
        for d in reqs {
            if !is_valid_constraint(&d.version) {
                return Err(Error::Resolve(format!(
                    "dependency {} has an invalid version/constraint format: improper constraint: {}",
                    quote(&d.name),
                    d.version
                )));
            }
            if d.repository.is_empty() {
                local_path(&format!("charts/{}", d.name), &self.chart_path)?;
                locked.push(lock_dep(d, &d.version));
                continue;
            }
            if d.repository.starts_with("file://") {
                let dir = local_path(&d.repository, &self.chart_path)?;
                let chart = crate::chart::load_dir(&dir)?;
                let version = &chart.metadata.version;
                if !is_version(version) || !is_compatible_range(&d.version, version) {
                    missing.push(describe(d));
                    continue;
                }
                locked.push(lock_dep(d, version));
                continue;
            }
            if is_oci(&d.repository) {
                // An exact version is used as is; a constraint picks the newest matching tag.
                let version = if is_version(&d.version) {
                    Some(d.version.clone())
                } else {
                    let reference = oci_reference(&format!("{}/{}", d.repository, d.name))?;
                    let tags = self
                        .registry_client(&reference.registry)?
                        .tags(&reference.repository)
                        .map_err(|e| {
                            Error::Resolve(format!(
                                "could not retrieve list of tags for repository {}: {e}",
                                d.repository
                            ))
                        })?;
                    tags.into_iter()
                        .find(|t| is_compatible_range(&d.version, t))
                };
                // As in Helm, no matching tag locks the constraint itself, and the download then
                // fails naming it.
                locked.push(lock_dep(d, version.as_deref().unwrap_or(&d.version)));
                continue;
            }
            let repo_name = repo_names.get(&d.name).cloned().unwrap_or_default();
            if repo_name.is_empty() {
                locked.push(lock_dep(d, &d.version));
                continue;
            }
            let index = Index::load(&self.settings.index_file(&repo_name)).map_err(|e| {
                Error::Resolve(format!(
                    "no cached repository for {repo_name} found. (try 'helm repo update'): {e}"
                ))
            })?;
            let Some(versions) = index.entries.get(&d.name) else {
                return Err(Error::Resolve(format!(
                    "{} chart not found in repo {}",
                    d.name, d.repository
                )));
            };
            let chosen = versions.iter().find(|v| {
                !v.urls.is_empty() && is_compatible_range(&d.version, &v.metadata.version)
            });
            match chosen {
                Some(v) => locked.push(lock_dep(d, &v.metadata.version)),
                None => missing.push(describe(d)),
            }
        }
        if !missing.is_empty() {
            return Err(Error::Resolve(format!(
                "can't get a valid version for {} subchart(s): {}. Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml",
                missing.len(),
                missing.join(", ")
            )));
        }
        Ok(locked)
    }

    /// `downloadAll`: every dependency into `charts/tmpcharts-<pid>`, then moved into `charts/`.
    fn download_all(&mut self, deps: &mut [Dependency]) -> Result<(), Error> {
        let repos = self.load_chart_repositories()?;
        let dest = self.chart_path.join("charts");
        match std::fs::metadata(&dest) {
            Ok(meta) if !meta.is_dir() => {
                return Err(Error::Resolve(format!(
                    "{} is not a directory",
                    quote(&dest.display().to_string())
                )))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::go_os::mkdir_all(&dest).map_err(Error::Io)?;
            }
            Err(e) => {
                return Err(Error::Io(format!(
                    "unable to retrieve file info for '{}': {}",
                    dest.display(),
                    crate::go_os::path_error("stat", &dest, &e)
                )))
            }
        }
        let tmp = self
            .chart_path
            .join(format!("tmpcharts-{}", std::process::id()));
        crate::go_os::mkdir_all(&tmp).map_err(Error::Io)?;
        let result = self.download_into(deps, &repos, &dest, &tmp);
        let result = match result {
            Ok(()) => self.safe_move_deps(deps, &tmp, &dest),
            Err(e) => {
                let text = format!("Save error occurred:  {e}");
                self.line(&text);
                Err(e)
            }
        };
        let _ = std::fs::remove_dir_all(&tmp);
        result
    }

    fn download_into(
        &mut self,
        deps: &mut [Dependency],
        repos: &[(Entry, Index)],
        dest: &Path,
        tmp: &Path,
    ) -> Result<(), Error> {
        let text = format!("Saving {} charts", deps.len());
        self.line(&text);
        let mut fetched: HashSet<String> = HashSet::new();
        for dep in deps.iter_mut() {
            if dep.repository.is_empty() {
                let text = format!("Dependency {} did not declare a repository. Assuming it exists in the charts directory", dep.name);
                self.line(&text);
                let path = dest.join(&dep.name);
                let chart = crate::chart::load_dir(&path).map_err(|e| {
                    Error::Resolve(format!("unable to load chart '{}': {e}", path.display()))
                })?;
                if !is_valid_constraint(&dep.version) {
                    return Err(Error::Resolve(format!(
                        "dependency {} has an invalid version/constraint format: improper constraint: {}",
                        dep.name, dep.version
                    )));
                }
                let version = &chart.metadata.version;
                if !is_compatible_range(&dep.version, version) {
                    return Err(Error::Resolve(format!(
                        "dependency {} at version {version} does not satisfy the constraint {}",
                        dep.name, dep.version
                    )));
                }
                continue;
            }
            if dep.repository.starts_with("file://") {
                if self.settings.debug {
                    let text = format!("Archiving {} from repo {}", dep.name, dep.repository);
                    self.line(&text);
                }
                dep.version = tar_from_local_dir(&self.chart_path, dep, tmp)?;
                continue;
            }
            if is_oci(&dep.repository) {
                let text = format!("Downloading {} from repo {}", dep.name, dep.repository);
                self.line(&text);
                let url = format!("{}/{}", dep.repository, dep.name);
                let reference = oci_reference(&url)?;
                let verify = self.verify.enabled();
                let pulled = self
                    .registry_client(&reference.registry)?
                    .pull_with(&reference, &dep.version, verify)
                    .map_err(|e| Error::Resolve(format!("could not download {url}: {e}")))?;
                for _ in 0..if pulled.provenance.is_some() { 2 } else { 1 } {
                    // With `--verify` Helm pulls the manifest again for the provenance layer.
                    let _ = writeln!(
                        self.log,
                        "Pulled: {}\nDigest: {}",
                        pulled.shown, pulled.digest
                    );
                }
                crate::chart::load_archive(&pulled.data).map_err(|e| {
                    Error::Resolve(format!(
                        "chart {} from repository {}: {e}",
                        dep.name, dep.repository
                    ))
                })?;
                let file_name = format!("{}-{}.tgz", dep.name, dep.version);
                let prov_url = super::verify::oci_prov_url(&pulled.shown);
                let checked = self
                    .verify
                    .check(
                        &file_name,
                        &pulled.data,
                        &prov_url,
                        &url,
                        || super::verify::oci_provenance(&pulled),
                        self.out,
                    )
                    .map_err(|e| Error::Resolve(format!("could not download {url}: {e}")))?;
                save(tmp, &file_name, &pulled.data, checked)?;
                continue;
            }
            let found = self
                .find_chart_url(dep, repos)
                .map_err(|(url, e)| Error::Resolve(format!("could not find {url}: {e}")))?;
            if !fetched.insert(found.url.clone()) {
                let text = format!(
                    "Already downloaded {} from repo {}",
                    dep.name, dep.repository
                );
                self.line(&text);
                continue;
            }
            let text = format!("Downloading {} from repo {}", dep.name, dep.repository);
            self.line(&text);
            let data = getter::get(&found.url, &found.options)
                .map_err(|e| Error::Resolve(format!("could not download {}: {e}", found.url)))?;
            let file_name = archive_file_name(&found.url);
            if !found.digest.is_empty() {
                let actual = sha256_hex(&data);
                if !actual.eq_ignore_ascii_case(found.digest.trim_start_matches("sha256:")) {
                    return Err(Error::DigestMismatch {
                        chart: file_name,
                        repository: dep.repository.clone(),
                        expected: found.digest.clone(),
                        actual,
                    });
                }
            }
            crate::chart::load_archive(&data).map_err(|e| {
                Error::Resolve(format!(
                    "chart {file_name} from repository {}: {e}",
                    dep.repository
                ))
            })?;
            let prov_url = format!("{}.prov", found.url);
            let checked = self
                .verify
                .check(
                    &file_name,
                    &data,
                    &prov_url,
                    &found.url,
                    || getter::get(&prov_url, &found.options),
                    self.out,
                )
                .map_err(|e| Error::Resolve(format!("could not download {}: {e}", found.url)))?;
            save(tmp, &file_name, &data, checked)?;
        }
        Ok(())
    }

    /// `safeMoveDeps`: the new archives into `charts/`; archives of other versions removed (charts
    /// without a repository, kept under `charts/` by hand, stay).
    fn safe_move_deps(
        &mut self,
        deps: &[Dependency],
        source: &Path,
        dest: &Path,
    ) -> Result<(), Error> {
        let local: HashSet<&str> = deps
            .iter()
            .filter(|d| d.repository.is_empty())
            .map(|d| d.name.as_str())
            .collect();
        let dest_files = list_files(dest)?;
        let mut moved = HashSet::new();
        for name in list_files(source)? {
            let from = source.join(&name);
            let to = dest.join(&name);
            moved.insert(name.clone());
            // Only charts are moved: anything else (the `.prov` files `--verify` fetched) is
            // reported and left behind, in Helm's words (and, as Helm writes it, with no newline).
            if let Err(e) = crate::chart::load(&from) {
                let _ = write!(
                    self.out,
                    "Could not verify {} for moving: {e} (Skipping)",
                    from.display()
                );
                continue;
            }
            std::fs::rename(&from, &to).map_err(|e| {
                Error::Io(format!(
                    "unable to move {} to {}: {}",
                    from.display(),
                    to.display(),
                    crate::go_os::reason(&e)
                ))
            })?;
        }
        self.line("Deleting outdated charts");
        for name in dest_files {
            if moved.contains(&name) {
                continue;
            }
            let path = dest.join(&name);
            match crate::chart::load(&path) {
                Err(e) => {
                    let text = format!(
                        "Could not verify {} for deletion: {e} (Skipping)",
                        path.display()
                    );
                    self.line(&text);
                }
                Ok(chart) if local.contains(chart.name()) => {}
                Ok(_) => {
                    if let Err(e) = std::fs::remove_file(&path) {
                        let text = format!(
                            "Could not delete {}: {} (Skipping)",
                            path.display(),
                            crate::go_os::reason(&e)
                        );
                        let _ = write!(self.out, "{text}");
                    }
                }
            }
        }
        Ok(())
    }

    /// A registry client for `host`, with stored credentials unless the command gave some.
    fn registry_client(&self, host: &str) -> Result<crate::registry::Client, Error> {
        let mut options = self.registry.clone();
        if options.credentials.is_none() {
            options.credentials =
                crate::registry::credentials::get(&self.settings.registry_config, host);
        }
        crate::registry::Client::new(host, options).map_err(|e| Error::Resolve(e.to_string()))
    }

    /// `loadChartRepositories`: each configured repository with its cached index (a missing index is
    /// an error, as in Helm).
    fn load_chart_repositories(&self) -> Result<Vec<(Entry, Index)>, Error> {
        let mut out = Vec::new();
        for entry in self.repo_file()?.repositories {
            let index = Index::load(&self.settings.index_file(&entry.name))?;
            out.push((entry, index));
        }
        Ok(out)
    }

    /// `findChartURL`: where to download a locked version from, with the repository's options.
    fn find_chart_url(
        &self,
        dep: &Dependency,
        repos: &[(Entry, Index)],
    ) -> Result<FoundChart, (String, Error)> {
        for (entry, index) in repos {
            if !url_equal(&dep.repository, &entry.url) {
                continue;
            }
            let versions = index
                .entries
                .get(&dep.name)
                .ok_or_else(|| (String::new(), Error::Resolve("entry not found".into())))?;
            let chosen = versions
                .iter()
                .find(|v| !v.urls.is_empty() && version_equals(&dep.version, &v.metadata.version))
                .ok_or_else(|| (String::new(), Error::Resolve("no matching version".into())))?;
            let url = normalize_url(&entry.url, &chosen.urls[0]);
            return Ok(FoundChart {
                url,
                digest: chosen.digest.clone(),
                options: Options::for_entry(entry),
            });
        }
        // A repository given by URL only: its index under the generated cache name.
        let not_found = |e: Error| {
            (
                String::new(),
                Error::Resolve(format!(
                    "chart {} not found in {}: {e}",
                    dep.name, dep.repository
                )),
            )
        };
        let name = format!(
            "{MANAGER_KEY_PREFIX}{}",
            sha256_hex(dep.repository.as_bytes())
        );
        let entry = Entry {
            name,
            url: dep.repository.clone(),
            ..Entry::default()
        };
        let index = match Index::load(&self.settings.index_file(&entry.name)) {
            Ok(index) => index,
            Err(_) => download_index(&entry, self.settings).map_err(not_found)?,
        };
        let chosen = index.get(&dep.name, &dep.version).ok_or_else(|| {
            not_found(Error::Resolve(format!(
                "chart {} version {} not found in {} repository",
                quote(&dep.name),
                quote(&dep.version),
                dep.repository
            )))
        })?;
        let url = chosen
            .urls
            .first()
            .map(|u| normalize_url(&entry.url, u))
            .ok_or_else(|| {
                not_found(Error::Resolve(format!(
                    "chart {} has no downloadable URLs",
                    quote(&dep.name)
                )))
            })?;
        Ok(FoundChart {
            url,
            digest: chosen.digest.clone(),
            options: Options::default(),
        })
    }
}

struct FoundChart {
    url: String,
    digest: String,
    options: Options,
}

fn oci_reference(url: &str) -> Result<crate::registry::Reference, Error> {
    crate::registry::Reference::parse(url).map_err(|e| Error::Resolve(e.to_string()))
}

/// Names of the regular files directly in `dir`, sorted (Go's `os.ReadDir` order).
fn list_files(dir: &Path) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| io("open", dir, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io("readdirent", dir, &e))?;
        if entry.file_type().is_ok_and(|t| !t.is_dir()) {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// The archive's file name: the last segment of the URL's path.
fn archive_file_name(url: &str) -> String {
    let path = reqwest::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.to_string());
    path.rsplit('/').next().unwrap_or(&path).to_string()
}

/// `versionEquals`: semver equality, else string equality.
fn version_equals(a: &str, b: &str) -> bool {
    match crate::chart::constraint::compare_versions(a, b) {
        Some(order) => order == std::cmp::Ordering::Equal,
        None => !is_version(a) && a == b,
    }
}

/// `normalizeURL(base, urlOrPath)`: absolute URLs as they are, else joined to the base's path.
pub fn normalize_url(base: &str, url_or_path: &str) -> String {
    if reqwest::Url::parse(url_or_path).is_ok() {
        return url_or_path.to_string();
    }
    match reqwest::Url::parse(base) {
        Ok(mut u) => {
            let joined = crate::chart::archive::clean_path(&format!("{}/{url_or_path}", u.path()));
            u.set_path(&joined);
            u.to_string()
        }
        Err(_) => url_or_path.to_string(),
    }
}

/// `ChartRepository.DownloadIndexFile`: fetches `<url>/index.yaml`, checks that it loads, and writes
/// it to the cache as `<name>-index.yaml`, with the chart names in `<name>-charts.txt`.
pub fn download_index(entry: &Entry, settings: &Settings) -> Result<Index, Error> {
    let url = getter::resolve_reference(&entry.url, "index.yaml")?;
    let data = getter::get(&url, &Options::for_entry(entry))?;
    let index = Index::parse(&data, &entry.url)?;
    let cache = &settings.repository_cache;
    crate::go_os::mkdir_all(cache).map_err(Error::Io)?;
    let names: String = index.entries.keys().map(|n| format!("{n}\n")).collect();
    atomic_write(&settings.charts_file(&entry.name), names.as_bytes())?;
    atomic_write(&settings.index_file(&entry.name), &data)?;
    Ok(index)
}

/// A downloaded archive into the download directory, with its provenance file when it was verified
/// (`safe_move_deps` then leaves the `.prov` behind, as Helm does).
fn save(
    dir: &Path,
    file_name: &str,
    data: &[u8],
    checked: Option<super::verify::Checked>,
) -> Result<(), Error> {
    let path = dir.join(file_name);
    std::fs::write(&path, data).map_err(|e| io("open", &path, &e))?;
    if let Some(checked) = checked {
        let prov = dir.join(format!("{file_name}.prov"));
        std::fs::write(&prov, &checked.prov).map_err(|e| io("open", &prov, &e))?;
    }
    Ok(())
}

/// Writes through a temporary file in the same directory and a rename: readers never see half a file.
pub fn atomic_write(path: &Path, data: &[u8]) -> Result<(), Error> {
    // Unique per write: the same index may be fetched by several threads at once.
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}-{n}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    std::fs::write(&tmp, data).map_err(|e| io("open", &tmp, &e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("rename", path, &e)
    })
}

/// `tarFromLocalDir`: a `file://` dependency packaged into `dest` as `<name>-<version>.tgz`; its
/// version.
fn tar_from_local_dir(chart_path: &Path, dep: &Dependency, dest: &Path) -> Result<String, Error> {
    let dir = local_path(&dep.repository, chart_path)?;
    let chart = crate::chart::load_dir(&dir)?;
    if !is_valid_constraint(&dep.version) {
        return Err(Error::Resolve(format!(
            "dependency {} has an invalid version/constraint format: improper constraint: {}",
            dep.name, dep.version
        )));
    }
    let version = chart.metadata.version.clone();
    if !is_version(&version) {
        return Err(Error::Resolve(format!(
            "invalid semantic version {} of chart {} in {}",
            quote(&version),
            chart.name(),
            dir.display()
        )));
    }
    if !is_compatible_range(&dep.version, &version) {
        return Err(Error::Resolve(format!(
            "can't get a valid version for dependency {}",
            dep.name
        )));
    }
    let data = crate::chart::package::package(&chart)?;
    let path = dest.join(crate::chart::package::archive_name(&chart));
    std::fs::write(&path, data).map_err(|e| io("open", &path, &e))?;
    Ok(version)
}

/// `resolver.HashV2Req`: Helm 2's digest of requirements.yaml (`{"dependencies":[…]}`).
fn hash_v2_req(req: &[Dependency]) -> String {
    let mut json = String::from("{\"dependencies\":[");
    for (i, d) in req.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        super::digest::write_dependency(&mut json, d);
    }
    json.push_str("]}");
    format!("sha256:{}", sha256_hex(json.as_bytes()))
}

/// One row of `dependency list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub status: String,
}

/// What `dependency list` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// `WARNING: no dependencies at <chart>/charts`.
    NoDependencies(String),
    /// The table rows, then warning lines about charts under `charts/` that Chart.yaml does not name.
    Table {
        rows: Vec<ListRow>,
        warnings: Vec<String>,
    },
}

/// `action.Dependency.List`.
pub fn list(chart_path: &Path) -> Result<Listing, Error> {
    let chart = crate::chart::load(chart_path)?;
    let md = &chart.metadata;
    if md.dependencies.is_empty() && !md.non_nil.dependencies {
        return Ok(Listing::NoDependencies(format!(
            "WARNING: no dependencies at {}",
            join(chart_path, "charts").display()
        )));
    }
    let rows = md
        .dependencies
        .iter()
        .map(|d| ListRow {
            name: d.name.clone(),
            version: d.version.clone(),
            repository: d.repository.clone(),
            status: dependency_status(chart_path, d, &chart),
        })
        .collect();
    Ok(Listing::Table {
        rows,
        warnings: missing_warnings(chart_path, &md.dependencies),
    })
}

/// `dependencyStatus`.
fn dependency_status(chart_path: &Path, dep: &Dependency, parent: &Chart) -> String {
    let charts_dir = join(chart_path, "charts");
    let prefix = format!("{}-", dep.name);
    let mut archives: Vec<PathBuf> = std::fs::read_dir(&charts_dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&prefix) && n.ends_with(".tgz"))
                .map(|n| charts_dir.join(n))
                .collect()
        })
        .unwrap_or_default();
    archives.sort();
    if archives.len() > 1 {
        let found: Vec<&PathBuf> = archives
            .iter()
            .filter(|a| {
                let base = a.file_name().unwrap_or_default().to_string_lossy();
                let stem = base.trim_end_matches(".tgz");
                is_strict_version(stem.strip_prefix(&prefix).unwrap_or(""))
            })
            .collect();
        match found.len() {
            1 => {
                if let Some(status) = archive_status(found[0], dep) {
                    return status;
                }
            }
            n if n > 1 => return "too many matches".into(),
            _ => {}
        }
    } else if let Some(archive) = archives.first() {
        if let Some(status) = archive_status(archive, dep) {
            return status;
        }
    }
    let Some(dep_chart) = parent
        .dependencies
        .iter()
        .rev()
        .find(|c| c.name() == dep.name)
    else {
        return "missing".into();
    };
    version_status(&dep_chart.metadata.version, &dep.version).unwrap_or_else(|| "unpacked".into())
}

/// `wrong version`/`invalid version` when the chart's version does not satisfy the dependency's.
fn version_status(chart_version: &str, constraint: &str) -> Option<String> {
    if chart_version == constraint {
        return None;
    }
    if !is_valid_constraint(constraint) || !is_version(chart_version) {
        return Some("invalid version".into());
    }
    (!is_compatible_range(constraint, chart_version)).then(|| "wrong version".into())
}

/// `statArchiveForStatus`.
fn archive_status(archive: &Path, dep: &Dependency) -> Option<String> {
    if std::fs::metadata(archive).is_err() {
        return None;
    }
    let Ok(chart) = crate::chart::load(archive) else {
        return Some("corrupt".into());
    };
    if chart.name() != dep.name {
        return Some("misnamed".into());
    }
    Some(version_status(&chart.metadata.version, &dep.version).unwrap_or_else(|| "ok".into()))
}

/// Masterminds' `StrictNewVersion`: `MAJOR.MINOR.PATCH[-pre][+build]`, no `v`, no leading zeros.
fn is_strict_version(s: &str) -> bool {
    let core = s.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars().all(|c| c.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
        && is_version(s)
}

/// `printMissing`: charts under `charts/` that Chart.yaml does not name.
fn missing_warnings(chart_path: &Path, reqs: &[Dependency]) -> Vec<String> {
    let charts_dir = join(chart_path, "charts");
    let mut names: Vec<String> = std::fs::read_dir(&charts_dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let path = charts_dir.join(&name);
        let is_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
        if !is_dir && !name.ends_with(".tgz") {
            continue;
        }
        let shown = quote(&path.display().to_string());
        match crate::chart::load(&path) {
            Err(_) => out.push(format!("WARNING: {shown} is not a chart.")),
            Ok(c) if !reqs.iter().any(|d| d.name == c.name()) => {
                out.push(format!("WARNING: {shown} is not in Chart.yaml."))
            }
            Ok(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_normalise_like_helm() {
        assert_eq!(
            normalize_url("http://127.0.0.1:1/charts", "redis-1.0.0.tgz"),
            "http://127.0.0.1:1/charts/redis-1.0.0.tgz"
        );
        assert_eq!(
            normalize_url("http://127.0.0.1:1/charts", "https://cdn/x-1.tgz"),
            "https://cdn/x-1.tgz"
        );
        assert_eq!(
            archive_file_name("http://h/a/b/x-1.0.0.tgz?t=1"),
            "x-1.0.0.tgz"
        );
    }

    #[test]
    fn strict_versions() {
        assert!(is_strict_version("1.2.3"));
        assert!(is_strict_version("1.2.3-rc.1+b"));
        assert!(!is_strict_version("1.2"));
        assert!(!is_strict_version("v1.2.3"));
        assert!(!is_strict_version("01.2.3"));
    }

    #[test]
    fn request_uris() {
        assert!(parses_as_request_uri("https://x"));
        assert!(parses_as_request_uri("/abs"));
        assert!(!parses_as_request_uri("stable"));
        assert!(!parses_as_request_uri("@stable"));
    }
}
