//! `repo add`, `repo remove` and `repo update`: Helm v3.17's `cmd/helm/repo_add.go`,
//! `repo_remove.go` and `repo_update.go` over [`super::repofile`] and the index cache. Messages are
//! Helm's; passwords go to `repositories.yaml` (0600) and nowhere else.
use std::io::Write;

use super::error::Error;
use super::manager::download_index;
use super::paths::Settings;
use super::repofile::{Entry, RepoFile};

/// Repositories that moved (`deprecatedRepos`).
const DEPRECATED: [(&str, &str); 2] = [
    (
        "//kubernetes-charts.storage.googleapis.com",
        "https://charts.helm.sh/stable",
    ),
    (
        "//kubernetes-charts-incubator.storage.googleapis.com",
        "https://charts.helm.sh/incubator",
    ),
];

/// `repo add` options.
#[derive(Debug, Clone, Default)]
pub struct AddOptions {
    pub entry: Entry,
    pub force_update: bool,
    pub allow_deprecated_repos: bool,
}

/// `repo add`: checks the repository by fetching its index, then records it, holding
/// `repositories.lock` while it reads and rewrites `repositories.yaml`. `password` is asked (once
/// the lock is held, as Helm asks) when a username was given without a password. The line to print.
pub fn add(
    settings: &Settings,
    options: &AddOptions,
    password: &mut dyn FnMut() -> Result<String, String>,
) -> Result<String, Error> {
    let mut entry = options.entry.clone();
    let c = &mut entry;
    let quote = crate::template::printf::quote_go;
    if !options.allow_deprecated_repos {
        for (old, new) in DEPRECATED {
            if c.url.contains(old) {
                return Err(Error::Resolve(format!(
                    "repo {} is no longer available; try {} instead",
                    quote(&c.url),
                    quote(new)
                )));
            }
        }
    }
    let file = &settings.repository_config;
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::go_os::mkdir_all(parent).map_err(Error::Io)?;
    }
    let _lock = super::repo_lock::acquire(file)?;
    let mut f = RepoFile::load(file)?.unwrap_or_else(|| RepoFile {
        api_version: String::new(),
        generated: "0001-01-01T00:00:00Z".into(),
        repositories: Vec::new(),
    });
    if !c.username.is_empty() && c.password.is_empty() {
        c.password = password().map_err(Error::Resolve)?;
    }
    let c = &*c;
    if c.name.contains('/') {
        return Err(Error::Resolve(format!(
            "repository name ({}) contains '/', please specify a different name without '/'",
            c.name
        )));
    }
    if !options.force_update {
        if let Some(existing) = f.get(&c.name) {
            if existing != c {
                return Err(Error::Resolve(format!(
                    "repository name ({}) already exists, please specify a different name",
                    c.name
                )));
            }
            return Ok(format!(
                "{} already exists with the same configuration, skipping",
                quote(&c.name)
            ));
        }
    }
    download_index(c, settings).map_err(|e| {
        Error::Resolve(format!(
            "looks like {} is not a valid chart repository or cannot be reached: {e}",
            quote(&c.url)
        ))
    })?;
    match f.repositories.iter_mut().find(|e| e.name == c.name) {
        Some(existing) => *existing = c.clone(),
        None => f.repositories.push(c.clone()),
    }
    f.write(file)?;
    Ok(format!(
        "{} has been added to your repositories",
        quote(&c.name)
    ))
}

/// `repo remove NAME…`: each removal is written at once; the lines to print come through `out`.
pub fn remove(settings: &Settings, names: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let file = &settings.repository_config;
    let mut f = match RepoFile::load(file) {
        Ok(Some(f)) if !f.repositories.is_empty() => f,
        Ok(_) => return Err(Error::Resolve("no repositories configured".into())),
        Err(e) => return Err(e),
    };
    for name in names {
        let before = f.repositories.len();
        f.repositories.retain(|e| &e.name != name);
        if f.repositories.len() == before {
            return Err(Error::Resolve(format!(
                "no repo named {} found",
                crate::template::printf::quote_go(name)
            )));
        }
        f.write(file)?;
        let _ = std::fs::remove_file(settings.charts_file(name));
        match std::fs::remove_file(settings.index_file(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::Io(format!(
                    "can't remove index file {}: {}",
                    settings.index_file(name).display(),
                    crate::go_os::reason(&e)
                )))
            }
        }
        let _ = writeln!(
            out,
            "{} has been removed from your repositories",
            crate::template::printf::quote_go(name)
        );
    }
    Ok(())
}

/// `repo update [NAME…]`: refreshes the named (or all) repositories' indexes; a failed one is
/// reported, and is an error only with `--fail-on-repo-update-fail`.
pub fn update(
    settings: &Settings,
    names: &[String],
    fail_on_repo_update_fail: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let no_repos =
        || Error::Resolve("no repositories found. You must add one before updating".into());
    let f = match RepoFile::load(&settings.repository_config) {
        Ok(Some(f)) => f,
        Ok(None) => return Err(no_repos()),
        Err(e) => {
            return Err(Error::Resolve(format!(
                "failed loading file: {}: {e}",
                settings.repository_config.display()
            )))
        }
    };
    if f.repositories.is_empty() {
        return Err(no_repos());
    }
    for name in names {
        if f.get(name).is_none() {
            return Err(Error::Resolve(format!(
                "no repositories found matching '{name}'.  Nothing will be updated"
            )));
        }
    }
    let repos: Vec<&Entry> = f
        .repositories
        .iter()
        .filter(|e| names.is_empty() || names.contains(&e.name))
        .collect();
    let _ = writeln!(
        out,
        "Hang tight while we grab the latest from your chart repositories..."
    );
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
    let mut failed = Vec::new();
    for (entry, result) in repos.iter().zip(results) {
        let quoted = crate::template::printf::quote_go(&entry.name);
        match result {
            Ok(()) => {
                let _ = writeln!(
                    out,
                    "...Successfully got an update from the {quoted} chart repository"
                );
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "...Unable to get an update from the {quoted} chart repository ({}):\n\t{e}",
                    entry.url
                );
                failed.push(entry.url.clone());
            }
        }
    }
    if !failed.is_empty() && fail_on_repo_update_fail {
        return Err(Error::Resolve(format!(
            "Failed to update the following repositories: [{}]",
            failed.join(" ")
        )));
    }
    let _ = writeln!(out, "Update Complete. ⎈Happy Helming!⎈");
    Ok(())
}
