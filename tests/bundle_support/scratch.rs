//! A scratch directory (removed at the end) with its own Helm and Docker homes where `rudder` runs,
//! the test chart copied in and bundled, and bundles unpacked, altered and packed again.
use std::ffi::OsStr;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::fixture::Fixture;
use crate::deps_support::{copy_dir, ROOT};

/// A scratch directory (removed at the end) with its own Helm and Docker homes.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rudder-bundle-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    pub fn command<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rudder"));
        c.args(args)
            .current_dir(&self.0)
            .env("HOME", self.path("home"))
            .env("HELM_CONFIG_HOME", self.path("home/config"))
            .env("HELM_CACHE_HOME", self.path("home/cache"))
            .env("HELM_DATA_HOME", self.path("home/data"))
            .env("DOCKER_CONFIG", self.path("home/docker"))
            .env_remove("HELM_REGISTRY_CONFIG")
            .stdin(Stdio::null());
        c
    }

    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs and expects success; standard output.
    pub fn ok<S: AsRef<OsStr> + Debug>(&self, args: &[S]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "rudder {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs and expects failure; standard error.
    pub fn fails<S: AsRef<OsStr> + Debug>(&self, args: &[S]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success(),
            "rudder {args:?} succeeded:\n{}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    }

    /// The test chart, its images on `registry`, dependencies built.
    pub fn chart(&self, registry: &str) -> PathBuf {
        for name in ["airgap-app", "sidecar"] {
            copy_dir(
                &Path::new(ROOT).join("testdata/bundle").join(name),
                &self.path(name),
            );
        }
        let chart_yaml = self.path("airgap-app/Chart.yaml");
        let text = std::fs::read_to_string(&chart_yaml).unwrap();
        std::fs::write(
            &chart_yaml,
            text.replace("REGISTRY/", &format!("{registry}/")),
        )
        .unwrap();
        self.ok(&["dependency", "update", "airgap-app"]);
        self.path("airgap-app")
    }

    /// `bundle create` of the chart with the base and base+prod layerings; the bundle's path.
    pub fn bundle(&self, f: &Fixture, extra: &[&str]) -> PathBuf {
        self.chart(&f.source);
        let set_image = format!("image.registry={}", f.source);
        let set_global = format!("global.registry={}", f.source);
        let mut args = vec![
            "bundle",
            "create",
            "airgap-app",
            "-f",
            "airgap-app/values-base.yaml",
            "--values-set",
            "airgap-app/values-base.yaml,airgap-app/values-prod.yaml",
            "--set",
            &set_image,
            "--set",
            &set_global,
            "-o",
            "platform.bundle.tgz",
        ];
        args.extend_from_slice(extra);
        let out = self.ok(&args);
        let images = 6 + extra.iter().filter(|a| **a == "--image").count();
        assert!(
            out.contains(&format!(
                "chart airgap-app 0.1.0, 1 dependencies, 2 values files, {images} images"
            )),
            "{out}"
        );
        self.path("platform.bundle.tgz")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The bundle extracted into `dir`; its manifest.
pub fn unpack(bundle: &Path, dir: &Path) -> serde_json::Value {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    rudder::bundle::archive::extract(bundle, dir).unwrap();
    serde_json::from_slice(&std::fs::read(dir.join("bundle.json")).unwrap()).unwrap()
}

pub fn image<'a>(manifest: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    manifest["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["repository"] == format!("ag-test/{name}"))
        .unwrap_or_else(|| panic!("no ag-test/{name} in {manifest:#}"))
}

/// Rewrites the bundle from `dir` after `change` altered it.
pub fn repack(s: &Scratch, dir: &str, name: &str, change: impl FnOnce(&Path)) -> PathBuf {
    let root = s.path(dir);
    change(&root);
    let out = s.path(name);
    rudder::bundle::archive::write(&root, &out).unwrap();
    out
}

/// A chart with one ConfigMap and no image, written under `dir`.
pub fn tiny_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
}

pub fn stored_of(s: &Scratch, dir: &str) -> String {
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.path(&format!("{dir}/bundle.json"))).unwrap())
            .unwrap();
    m["images"][0]["digest"].as_str().unwrap().to_string()
}

/// `bundle create tiny` of `images`, with `extra` arguments, quietly, to `out`.
pub fn create_tiny(images: &[&str], extra: &[&str], out: &str) -> Vec<String> {
    let mut args = vec!["bundle".to_string(), "create".into(), "tiny".into()];
    for image in images {
        args.extend(["--image".to_string(), image.to_string()]);
    }
    args.extend(extra.iter().map(|a| a.to_string()));
    args.extend(["-q".to_string(), "-o".into(), out.into()]);
    args
}
