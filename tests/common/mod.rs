//! Helpers shared by the integration tests (each test binary includes this module with `mod common;`).
// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]
pub mod snapshot;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The real Helm v3 binary, installed (once, cached) by scripts/install-oracle.
#[allow(dead_code)]
pub fn helm_v3() -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(root.join("scripts/install-oracle"))
        .args(["path", "v3"])
        .output()
        .map_err(|e| format!("scripts/install-oracle: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "scripts/install-oracle path v3 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

/// The rudder binary under the name `helm` (a symlink beside the test binaries), as differential
/// tests run it: messages that name the program then say `helm`, as Helm's do.
#[allow(dead_code)]
pub fn rudder_as_helm() -> PathBuf {
    let rudder = Path::new(env!("CARGO_BIN_EXE_rudder"));
    let dir = rudder.parent().unwrap_or(Path::new(".")).join("as-helm");
    let link = dir.join("helm");
    if std::fs::read_link(&link).ok().as_deref() != Some(rudder) {
        let _ = std::fs::create_dir_all(&dir);
        // Several test binaries may race here: create under a unique name, then rename into place.
        let tmp = dir.join(format!("helm.{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink(rudder, &tmp);
        let _ = std::fs::rename(&tmp, &link);
    }
    link
}

/// The local control plane's kubeconfig: `KUBECONFIG` when it points at 127.0.0.0/8 only, else the one
/// `tests/cluster/up` starts or reuses. Without a cluster the test is skipped, except under CI.
#[allow(dead_code)]
pub fn kubeconfig() -> Option<PathBuf> {
    static CLUSTER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = CLUSTER.get_or_init(|| {
        if let Some(path) = std::env::var_os("KUBECONFIG").filter(|p| !p.is_empty()) {
            let path = PathBuf::from(path);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let loopback = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("server:"))
                .all(|s| s.trim().trim_start_matches("https://").starts_with("127."));
            if path.is_file() && loopback {
                return Ok(path);
            }
        }
        let out = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cluster/up"))
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("tests/cluster/up: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        match stdout.lines().map(str::trim).rfind(|l| !l.is_empty()) {
            Some(p) if out.status.success() && Path::new(p).is_file() => Ok(PathBuf::from(p)),
            _ => Err(format!("tests/cluster/up failed: {stdout}")),
        }
    });
    match found {
        Ok(p) => Some(p.clone()),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!("no test cluster: {e}"),
        Err(e) => {
            eprintln!("SKIPPED: no test cluster: {e}");
            None
        }
    }
}

/// An oracle binary (`v3`, `v4`, `kubectl`) installed (once, cached) by scripts/install-oracle.
#[allow(dead_code)]
pub fn oracle(which: &str) -> PathBuf {
    let out = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-oracle"))
        .args(["path", which])
        .output()
        .expect("scripts/install-oracle");
    assert!(out.status.success(), "scripts/install-oracle path {which}");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Installs (server-side apply, idempotent) the ServiceMonitor CRD that `charts/platform`'s prod
/// layering renders objects of, and waits until it is Established. Tests that install that layering
/// call it themselves: on a fresh control plane nothing else has put it there.
#[allow(dead_code)]
pub fn servicemonitor_crd(kubeconfig: &Path) {
    let kubectl = oracle("kubectl");
    let crd =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cluster/servicemonitor-crd.yaml");
    for args in [
        vec!["apply", "--server-side", "-f", crd.to_str().unwrap()],
        vec![
            "wait",
            "--for=condition=Established",
            "crd/servicemonitors.monitoring.coreos.com",
        ],
    ] {
        let out = Command::new(&kubectl)
            .args(&args)
            .env("KUBECONFIG", kubeconfig)
            .stdin(Stdio::null())
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "kubectl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// What a command printed, and its exit code (-1 when killed by a signal).
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub exit: i32,
    pub stdout: String,
    pub stderr: String,
}

/// An isolated Helm environment for differential runs: every program (helm v3, helm v4, Rudder,
/// kubectl) runs with an empty environment but `PATH`, a private `HOME` and `HELM_*_HOME` under
/// `home`, `TZ=UTC`, `KUBECONFIG`, and the variables added with [`HelmEnv::with_var`], so nothing of
/// the user's Helm configuration, zone or repositories reaches a comparison.
pub struct HelmEnv {
    pub kubeconfig: PathBuf,
    pub home: PathBuf,
    vars: Vec<(String, String)>,
}

impl HelmEnv {
    pub fn new(kubeconfig: &Path, home: &Path) -> HelmEnv {
        HelmEnv {
            kubeconfig: kubeconfig.to_path_buf(),
            home: home.to_path_buf(),
            vars: Vec::new(),
        }
    }

    /// The same environment with `key=value` set too (say `HELM_DRIVER=sql`).
    pub fn with_var(mut self, key: &str, value: &str) -> HelmEnv {
        self.vars.push((key.to_string(), value.to_string()));
        self
    }

    /// `program args…` in this environment, standard input closed.
    pub fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::null())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("HELM_CACHE_HOME", self.home.join("cache"))
            .env("HELM_CONFIG_HOME", self.home.join("config"))
            .env("HELM_DATA_HOME", self.home.join("data"))
            .env("TZ", "UTC")
            .env("KUBECONFIG", &self.kubeconfig)
            .envs(self.vars.iter().map(|(k, v)| (k, v)));
        cmd
    }

    pub fn run(&self, program: &Path, args: &[&str]) -> Outcome {
        let out = self.command(program, args).output().expect("run");
        Outcome {
            exit: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and asserts success; its standard output.
    pub fn must(&self, program: &Path, args: &[&str]) -> String {
        let o = self.run(program, args);
        assert_eq!(o.exit, 0, "{} {args:?}: {}", program.display(), o.stderr);
        o.stdout
    }
}

/// A fresh scratch directory `rudder-<what>-<pid>` under the system temp dir (an old one of the
/// same name removed first); the test removes it when done.
pub fn scratch(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rudder-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Writes a chart at `dir`: `Chart.yaml` (`chart_yaml`) and each `(path, text)` under it
/// (`templates/cm.yaml`, `values.yaml`, …).
pub fn write_chart(dir: &Path, chart_yaml: &str, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir.join("templates")).expect("chart dir");
    std::fs::write(dir.join("Chart.yaml"), chart_yaml).expect("Chart.yaml");
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("chart subdir");
        }
        std::fs::write(&path, text).expect("chart file");
    }
}

/// What a cluster test made, removed when dropped, so that a failing assertion still cleans up:
/// namespaces it created (deleted without waiting) and a scratch directory.
pub struct Cleanup {
    kubeconfig: PathBuf,
    namespaces: Vec<String>,
    dir: Option<PathBuf>,
}

impl Cleanup {
    /// `dir` (from [`scratch`]) is removed at the end too.
    pub fn new(kubeconfig: &Path, dir: Option<&Path>) -> Cleanup {
        Cleanup {
            kubeconfig: kubeconfig.to_path_buf(),
            namespaces: Vec::new(),
            dir: dir.map(Path::to_path_buf),
        }
    }

    /// Creates namespace `name` (which must not exist) and deletes it at the end.
    pub fn namespace(&mut self, name: &str) -> String {
        self.namespaces.push(name.to_string());
        let out = Command::new(oracle("kubectl"))
            .args(["create", "namespace", name])
            .env("KUBECONFIG", &self.kubeconfig)
            .stdin(Stdio::null())
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "kubectl create namespace {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        name.to_string()
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        // Not `oracle`, which panics: a panic while a failed test unwinds aborts the binary.
        let kubectl =
            Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-oracle"))
                .args(["path", "kubectl"])
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .filter(|path| !path.is_empty());
        if let Some(kubectl) = kubectl {
            for ns in &self.namespaces {
                let _ = Command::new(&kubectl)
                    .args(["delete", "namespace", ns, "--wait=false"])
                    .env("KUBECONFIG", &self.kubeconfig)
                    .stdin(Stdio::null())
                    .output();
            }
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
