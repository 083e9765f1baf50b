//! `repositories.yaml`: the repositories `repo add` configured. Mirrors `repo.File` and `repo.Entry`
//! (`pkg/repo/repo.go`, `chartrepo.go`); written as sigs.k8s.io/yaml marshals them (every field, keys
//! sorted), so Helm and Rudder read each other's files. The file holds passwords: it is written 0600
//! as `repo add` writes it.
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{io, Error};

/// One configured repository. Mirrors `repo.Entry`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default, rename = "certFile")]
    pub cert_file: String,
    #[serde(default, rename = "keyFile")]
    pub key_file: String,
    #[serde(default, rename = "caFile")]
    pub ca_file: String,
    #[serde(default)]
    pub insecure_skip_tls_verify: bool,
    #[serde(default)]
    pub pass_credentials_all: bool,
}

/// The whole file. Mirrors `repo.File`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RepoFile {
    #[serde(default, rename = "apiVersion")]
    pub api_version: String,
    #[serde(default)]
    pub generated: String,
    #[serde(default)]
    pub repositories: Vec<Entry>,
}

impl RepoFile {
    /// Loads `path`; a missing file is an empty list (`Ok(None)` tells the caller it was missing, as
    /// Helm's callers check `os.IsNotExist`).
    pub fn load(path: &Path) -> Result<Option<RepoFile>, Error> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::Io(format!(
                    "couldn't load repositories file ({}): {}",
                    path.display(),
                    crate::go_os::path_error("open", path, &e)
                )))
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        crate::yaml::from_str::<RepoFile>(&text, &path.display().to_string())
            .map(Some)
            .map_err(|e| Error::Parse {
                file: path.display().to_string(),
                message: e.to_string(),
            })
    }

    /// Loads `path`, missing as empty.
    pub fn load_or_default(path: &Path) -> Result<RepoFile, Error> {
        Ok(RepoFile::load(path)?.unwrap_or_default())
    }

    /// The entry named `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.repositories.iter().find(|e| e.name == name)
    }

    /// The file's text, as `yaml.Marshal(repo.File)`.
    pub fn render(&self) -> String {
        let generated = if self.generated.is_empty() {
            super::lock::now_rfc3339_nano()
        } else {
            self.generated.clone()
        };
        let json = serde_json::json!({
            "apiVersion": self.api_version,
            "generated": generated,
            "repositories": self.repositories,
        });
        crate::yaml::to_yaml(&crate::values::strvals::json_to_value(&json)).unwrap_or_default()
    }

    /// Writes the file (parents made 0755, the file 0600).
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::go_os::mkdir_all(parent).map_err(Error::Io)?;
        }
        write_private(path, self.render().as_bytes())
    }
}

/// Writes `data` to `path` with mode 0600 (an existing file keeps its mode, as `os.WriteFile` does).
pub fn write_private(path: &Path, data: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io("open", path, &e))?;
    file.write_all(data).map_err(|e| io("write", path, &e))
}

/// Helm's `urlutil.Equal`: URLs compared after cleaning their paths (an empty path is `/`).
pub fn url_equal(a: &str, b: &str) -> bool {
    fn norm(u: &str) -> String {
        let (head, rest) = match u.find("://") {
            Some(i) => {
                let after = &u[i + 3..];
                let end = after.find(['/', '?', '#']).unwrap_or(after.len());
                (u[..i + 3 + end].to_string(), &after[end..])
            }
            None => (String::new(), u),
        };
        let (path, tail) = match rest.find(['?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let path = if path.is_empty() { "/" } else { path };
        format!("{head}{}{tail}", crate::chart::archive::clean_path(path))
    }
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_compare_with_clean_paths() {
        assert!(url_equal(
            "https://a.example/charts/",
            "https://a.example/charts"
        ));
        assert!(url_equal("http://127.0.0.1:8080", "http://127.0.0.1:8080/"));
        assert!(!url_equal(
            "http://127.0.0.1:8080/a",
            "http://127.0.0.1:8080/b"
        ));
    }

    #[test]
    fn file_round_trips() {
        let f = RepoFile {
            api_version: String::new(),
            generated: "0001-01-01T00:00:00Z".into(),
            repositories: vec![Entry {
                name: "local".into(),
                url: "http://127.0.0.1:1".into(),
                ..Entry::default()
            }],
        };
        let text = f.render();
        let back: RepoFile = crate::yaml::from_str(&text, "r").unwrap();
        assert_eq!(back, f);
    }
}
