//! The harness of the dependency and repository tests (`tests/deps.rs`, `tests/remote_charts.rs`):
//! the real servers (tests/repo-server, tests/registry-server), the Helm oracle, and [`Sides`], a
//! scratch directory where the same command runs with Helm on one side and Rudder on the other.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::common;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The example charts published to the test repository (name → directory).
pub fn example_chart(name: &str) -> PathBuf {
    Path::new(ROOT).join("charts").join(name)
}

/// The example charts' directory: `platform` depends on its siblings by `file://../<name>`.
pub fn example_charts() -> PathBuf {
    Path::new(ROOT).join("charts")
}

pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

pub fn unavailable(what: &str) -> Option<()> {
    assert!(!under_ci(), "{what} is not available under CI=true");
    eprintln!("skipping: {what} is not available");
    None
}

pub fn helm() -> Option<PathBuf> {
    static HELM: OnceLock<Option<PathBuf>> = OnceLock::new();
    HELM.get_or_init(|| common::helm_v3().ok())
        .clone()
        .or_else(|| {
            unavailable("helm v3 (scripts/install-oracle)");
            None
        })
}

/// The REPO_* variables of tests/repo-server/up.
pub fn repo_server() -> Option<BTreeMap<String, String>> {
    static SERVER: OnceLock<Option<BTreeMap<String, String>>> = OnceLock::new();
    SERVER
        .get_or_init(|| server_env("tests/repo-server/up"))
        .clone()
        .or_else(|| {
            unavailable("the chart repository server (tests/repo-server/up)");
            None
        })
}

/// The variables a server's `up` script writes to the env file it prints last.
fn server_env(script: &str) -> Option<BTreeMap<String, String>> {
    server_env_with(script, &[])
}

/// [`server_env`] with variables set for the script (a state directory of its own, say).
pub fn server_env_with(script: &str, vars: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    let out = Command::new(Path::new(ROOT).join(script))
        .envs(vars.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let env_file = stdout.lines().last()?.trim().to_string();
    let text = std::fs::read_to_string(env_file).ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// The REGISTRY_* variables of tests/registry-server/up.
pub fn registry_server() -> Option<BTreeMap<String, String>> {
    static SERVER: OnceLock<Option<BTreeMap<String, String>>> = OnceLock::new();
    SERVER
        .get_or_init(|| server_env("tests/registry-server/up"))
        .clone()
        .or_else(|| {
            unavailable("the OCI registry (tests/registry-server/up)");
            None
        })
}

/// A scratch directory with one side for Helm and one for Rudder, each with its own Helm homes.
pub struct Sides {
    pub root: PathBuf,
}

impl Sides {
    pub fn new(name: &str) -> Sides {
        let root = std::env::temp_dir().join(format!("rudder-deps-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for side in ["helm", "rudder"] {
            std::fs::create_dir_all(root.join(side)).unwrap();
        }
        Sides { root }
    }

    pub fn dir(&self, side: &str) -> PathBuf {
        self.root.join(side)
    }

    /// Copies `chart` to `<side>/<name>` on both sides.
    pub fn chart(&self, chart: &Path, name: &str) {
        for side in ["helm", "rudder"] {
            copy_dir(chart, &self.dir(side).join(name));
        }
    }

    /// Writes `<side>/<path>` on both sides.
    pub fn write(&self, path: &str, text: &str) {
        for side in ["helm", "rudder"] {
            let p = self.dir(side).join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    /// Runs `args` with `bin` in the side's directory, Helm homes under it; outputs with the side's
    /// directory replaced by `$DIR`.
    pub fn run(&self, side: &str, bin: &Path, args: &[&str]) -> Outcome {
        let dir = self.dir(side);
        let out = Command::new(bin)
            .args(args)
            .current_dir(&dir)
            .env("HELM_CONFIG_HOME", dir.join(".helm/config"))
            .env("HELM_CACHE_HOME", dir.join(".helm/cache"))
            .env("HELM_DATA_HOME", dir.join(".helm/data"))
            .env_remove("HELM_REPOSITORY_CONFIG")
            .env_remove("HELM_REPOSITORY_CACHE")
            .env_remove("HELM_CONTENT_CACHE")
            .output()
            .unwrap();
        let clean =
            |b: &[u8]| String::from_utf8_lossy(b).replace(&dir.display().to_string(), "$DIR");
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: clean(&out.stdout),
            stderr: clean(&out.stderr),
        }
    }

    /// Runs `args` with helm on one side and rudder on the other and asserts the same outcome.
    /// Helm refreshes several repositories at once and prints each one's line as it finishes, so
    /// runs of those lines are compared in any order (Rudder prints them in the repositories'
    /// order); everything else byte for byte.
    pub fn same(&self, helm: &Path, args: &[&str]) -> Outcome {
        let theirs = self.run("helm", helm, args);
        let ours = self.run("rudder", rudder(), args);
        assert_eq!(
            refresh_lines_sorted(&ours),
            refresh_lines_sorted(&theirs),
            "rudder vs helm for {args:?}"
        );
        ours
    }

    /// [`Sides::same`] with the lines of standard output compared in any order.
    pub fn same_unordered(&self, helm: &Path, args: &[&str]) -> Outcome {
        let sorted = |mut o: Outcome| {
            let mut lines: Vec<&str> = o.stdout.lines().collect();
            lines.sort();
            o.stdout = lines.join("\n");
            o
        };
        let theirs = sorted(self.run("helm", helm, args));
        let ours = sorted(self.run("rudder", rudder(), args));
        assert_eq!(ours, theirs, "rudder vs helm for {args:?}");
        ours
    }

    /// Asserts both sides hold the same lock (apart from `generated`) and the same archives.
    pub fn same_files(&self, chart: &str) {
        let lock = |side: &str| {
            std::fs::read_to_string(self.dir(side).join(chart).join("Chart.lock"))
                .ok()
                .map(|t| {
                    t.lines()
                        .filter(|l| !l.starts_with("generated:"))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
        };
        assert_eq!(lock("rudder"), lock("helm"), "Chart.lock of {chart}");
        let charts = |side: &str| archives(&self.dir(side).join(chart).join("charts"));
        assert_eq!(charts("rudder"), charts("helm"), "charts/ of {chart}");
    }
}

impl Drop for Sides {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Rudder under the name `helm`, so messages naming the program read as Helm's.
pub fn rudder() -> &'static Path {
    static AS_HELM: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    AS_HELM.get_or_init(common::rudder_as_helm)
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every entry of a directory: subdirectories by name, archives by name with their files' contents
/// (tar metadata such as times left out: Helm 3 stamps the current time).
pub fn archives(dir: &Path) -> BTreeMap<String, BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let mut files = BTreeMap::new();
        if name.ends_with(".tgz") {
            let data = std::fs::read(entry.path()).unwrap();
            let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&data[..]));
            for file in archive.entries().unwrap() {
                let mut file = file.unwrap();
                let path = file.path().unwrap().display().to_string();
                let mut body = Vec::new();
                std::io::Read::read_to_end(&mut file, &mut body).unwrap();
                files.insert(path, body);
            }
        }
        out.insert(name, files);
    }
    out
}

/// Packages the example charts with Helm into a fresh directory of the repository server and indexes
/// it; the repository's URL.
pub fn publish(helm: &Path, server: &BTreeMap<String, String>, name: &str) -> String {
    let dir = Path::new(&server["REPO_ROOT"]).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for chart in ["common", "postgresql", "redis", "milvus"] {
        let out = Command::new(helm)
            .arg("package")
            .arg(example_chart(chart))
            .arg("-d")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let url = format!(
        "http://127.0.0.1:{}/{}",
        server["REPO_HTTP_PORT"],
        dir.file_name().unwrap().to_string_lossy()
    );
    let out = Command::new(helm)
        .args(["repo", "index"])
        .arg(&dir)
        .args(["--url", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    url
}

/// `outcome` with each run of consecutive repository-refresh lines (`...Successfully got an update
/// from …`, `...Unable to get an update from …`) in sorted order.
pub fn refresh_lines_sorted(outcome: &Outcome) -> Outcome {
    let is_refresh = |line: &str| {
        line.starts_with("...Successfully got an update from")
            || line.starts_with("...Unable to get an update from")
    };
    let mut lines: Vec<&str> = outcome.stdout.split_inclusive('\n').collect();
    let mut start = 0;
    while start < lines.len() {
        let end = start + lines[start..].iter().take_while(|l| is_refresh(l)).count();
        lines[start..end].sort_unstable();
        start = end.max(start + 1);
    }
    Outcome {
        code: outcome.code,
        stdout: lines.concat(),
        stderr: outcome.stderr.clone(),
    }
}
