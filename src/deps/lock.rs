//! `Chart.lock` (`requirements.lock` for apiVersion v1 charts): read for `dependency build` and
//! `list`, written by `dependency update` as Helm's `writeLock` does (`yaml.Marshal(lock)` from
//! sigs.k8s.io/yaml: keys sorted, `generated` as Go's RFC 3339 time with nanoseconds, file mode 0644,
//! a symlinked lock file refused).
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::{io, Error};
use crate::chart::Dependency;

/// The parts of a lock file Helm compares and downloads from.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct LockFile {
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
}

/// The lock file's name for a chart of `api_version`.
pub fn file_name(api_version: &str) -> &'static str {
    if api_version == "v1" {
        "requirements.lock"
    } else {
        "Chart.lock"
    }
}

/// Reads the chart's lock file, if there is one.
pub fn read(chart_dir: &Path, api_version: &str) -> Result<Option<LockFile>, Error> {
    let name = file_name(api_version);
    let path = chart_dir.join(name);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io("open", &path, &e)),
    };
    crate::yaml::from_str::<LockFile>(&text, name)
        .map(Some)
        .map_err(|e| Error::Parse {
            file: name.to_string(),
            message: e.to_string(),
        })
}

/// The lock file's text: `yaml.Marshal(chart.Lock{Generated, Digest, Dependencies})`.
pub fn render(digest: &str, dependencies: &[Dependency], generated: &str) -> String {
    let deps: Vec<serde_json::Value> = dependencies
        .iter()
        .map(|d| {
            let mut m = serde_json::Map::new();
            m.insert("name".into(), d.name.clone().into());
            if !d.version.is_empty() {
                m.insert("version".into(), d.version.clone().into());
            }
            m.insert("repository".into(), d.repository.clone().into());
            serde_json::Value::Object(m)
        })
        .collect();
    let lock = serde_json::json!({
        "generated": generated,
        "digest": digest,
        "dependencies": deps,
    });
    let value = crate::values::strvals::json_to_value(&lock);
    // Strings, lists and maps only: always encodable.
    crate::yaml::to_yaml(&value).unwrap_or_default()
}

/// Go's `time.Now()` as `MarshalJSON` writes it (RFC 3339 with trailing-zero-free nanoseconds, `Z`
/// for UTC), in the local time zone.
pub fn now_rfc3339_nano() -> String {
    let now = chrono::Local::now();
    let nanos = now.timestamp_subsec_nanos();
    let fraction = if nanos == 0 {
        String::new()
    } else {
        format!(".{nanos:09}").trim_end_matches('0').to_string()
    };
    let offset = now.offset().local_minus_utc();
    let zone = if offset == 0 {
        "Z".to_string()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.abs();
        format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
    };
    format!("{}{fraction}{zone}", now.format("%Y-%m-%dT%H:%M:%S"))
}

/// Writes the lock file into `chart_dir` (refusing a symlink, as Helm does).
pub fn write(chart_dir: &Path, api_version: &str, text: &str) -> Result<PathBuf, Error> {
    let name = file_name(api_version);
    let dest = chart_dir.join(name);
    if let Ok(meta) = std::fs::symlink_metadata(&dest) {
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&dest)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            return Err(Error::Resolve(format!(
                "the {name} file is a symlink to {}",
                crate::template::printf::quote_go(&target)
            )));
        }
    }
    std::fs::write(&dest, text).map_err(|e| io("open", &dest, &e))?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_as_helm_writes_it() {
        let deps = vec![Dependency {
            name: "common".into(),
            version: "0.3.1".into(),
            repository: "file://charts/common".into(),
            ..Dependency::default()
        }];
        assert_eq!(
            render("sha256:ab", &deps, "2026-12-06T20:51:57.20879592Z"),
            "dependencies:\n- name: common\n  repository: file://charts/common\n  version: 0.3.1\ndigest: sha256:ab\ngenerated: \"2026-12-06T20:51:57.20879592Z\"\n"
        );
    }

    #[test]
    fn time_is_rfc3339() {
        let t = now_rfc3339_nano();
        assert!(t.len() >= 20 && t.as_bytes()[10] == b'T', "{t}");
    }
}
