//! Where Helm keeps repository configuration and caches (`pkg/helmpath`, `pkg/cli/environment.go`),
//! so that Rudder and Helm share them: `repositories.yaml` in the configuration home, index files in
//! `<cache home>/repository/<name>-index.yaml` and `<name>-charts.txt`.
//!
//! Homes: `HELM_CONFIG_HOME`, `HELM_CACHE_HOME`, `HELM_DATA_HOME`, else `$XDG_CONFIG_HOME/helm`,
//! `$XDG_CACHE_HOME/helm`, `$XDG_DATA_HOME/helm`, else `~/.config/helm`, `~/.cache/helm`,
//! `~/.local/share/helm` (Linux). Files: `HELM_REPOSITORY_CONFIG`, `HELM_REPOSITORY_CACHE`,
//! `HELM_REGISTRY_CONFIG`, overridden in turn by the `--repository-config`/`--repository-cache`/
//! `--registry-config` flags; `HELM_CONTENT_CACHE` (Helm 4's content cache, `<cache
//! home>/content`). The CLI resolves them once ([`Settings::from_env`]) and passes them in.
use std::path::{Path, PathBuf};

/// Resolved Helm paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub config_home: PathBuf,
    pub cache_home: PathBuf,
    pub data_home: PathBuf,
    /// `repositories.yaml`.
    pub repository_config: PathBuf,
    /// The directory of cached index files.
    pub repository_cache: PathBuf,
    /// The registry credentials file (`registry/config.json`).
    pub registry_config: PathBuf,
    /// Helm 4's content cache (`HELM_CONTENT_CACHE`, else `<cache home>/content`).
    pub content_cache: PathBuf,
    /// `--debug`.
    pub debug: bool,
}

impl Settings {
    /// Resolves the paths from environment variables read through `env` (an empty value counts as
    /// unset for the homes, as in Helm's `lazypath`; for the file variables a set value is used as is,
    /// as Helm's `envOr` does).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Settings {
        let home = env("HOME").unwrap_or_default();
        let lazy = |helm_var: &str, xdg_var: &str, default: &str| -> PathBuf {
            if let Some(base) = env(helm_var).filter(|v| !v.is_empty()) {
                return PathBuf::from(base);
            }
            match env(xdg_var).filter(|v| !v.is_empty()) {
                Some(base) => Path::new(&base).join("helm"),
                None => Path::new(&home).join(default).join("helm"),
            }
        };
        let config_home = lazy("HELM_CONFIG_HOME", "XDG_CONFIG_HOME", ".config");
        let cache_home = lazy("HELM_CACHE_HOME", "XDG_CACHE_HOME", ".cache");
        let data_home = lazy("HELM_DATA_HOME", "XDG_DATA_HOME", ".local/share");
        let or = |var: &str, default: PathBuf| env(var).map(PathBuf::from).unwrap_or(default);
        Settings {
            repository_config: or(
                "HELM_REPOSITORY_CONFIG",
                config_home.join("repositories.yaml"),
            ),
            repository_cache: or("HELM_REPOSITORY_CACHE", cache_home.join("repository")),
            registry_config: or(
                "HELM_REGISTRY_CONFIG",
                config_home.join("registry").join("config.json"),
            ),
            content_cache: or("HELM_CONTENT_CACHE", cache_home.join("content")),
            config_home,
            cache_home,
            data_home,
            debug: false,
        }
    }

    /// The process environment.
    pub fn from_process_env() -> Settings {
        Settings::from_env(&|name| std::env::var(name).ok())
    }

    /// `<cache>/<name>-index.yaml` (`helmpath.CacheIndexFile`).
    pub fn index_file(&self, repo_name: &str) -> PathBuf {
        self.repository_cache
            .join(format!("{repo_name}-index.yaml"))
    }

    /// `<cache>/<name>-charts.txt` (`helmpath.CacheChartsFile`).
    pub fn charts_file(&self, repo_name: &str) -> PathBuf {
        self.repository_cache
            .join(format!("{repo_name}-charts.txt"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_variables_win_over_xdg_and_home() {
        let env = |name: &str| match name {
            "HOME" => Some("/home/u".to_string()),
            "XDG_CACHE_HOME" => Some("/xdg/cache".to_string()),
            "HELM_CONFIG_HOME" => Some("/h/config".to_string()),
            "HELM_REPOSITORY_CACHE" => Some("/rc".to_string()),
            _ => None,
        };
        let s = Settings::from_env(&env);
        assert_eq!(s.config_home, PathBuf::from("/h/config"));
        assert_eq!(s.cache_home, PathBuf::from("/xdg/cache/helm"));
        assert_eq!(s.data_home, PathBuf::from("/home/u/.local/share/helm"));
        assert_eq!(
            s.repository_config,
            PathBuf::from("/h/config/repositories.yaml")
        );
        assert_eq!(s.repository_cache, PathBuf::from("/rc"));
        assert_eq!(s.index_file("x"), PathBuf::from("/rc/x-index.yaml"));
        assert_eq!(s.content_cache, PathBuf::from("/xdg/cache/helm/content"));
    }
}
