//! The example charts of the seed systems (issue 17) on the local control plane (tests/cluster/up):
//! each is installed with its dev layer and upgraded with its prod layer by `rudder`, with `--wait`,
//! so every Deployment, StatefulSet, PVC and hook Job of both revisions must become ready under kwok.
//!
//! kwok has no volume provisioner, so while a command runs the test binds every pending claim of the
//! namespace to a PersistentVolume made for it (`claimRef`), as a provisioner would.
#![cfg(feature = "cluster-tests")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Env {
    kubeconfig: PathBuf,
    kubectl: PathBuf,
    ns: String,
    home: PathBuf,
    volumes: std::cell::RefCell<Vec<String>>,
}

impl Env {
    fn new(chart: &str) -> Option<Env> {
        let ns = format!("ch-{chart}-{}", std::process::id());
        let home = std::env::temp_dir().join(format!("rudder-seed-charts-{ns}"));
        std::fs::create_dir_all(&home).unwrap();
        let env = Env {
            kubeconfig: common::kubeconfig()?,
            kubectl: common::oracle("kubectl"),
            ns,
            home,
            volumes: Default::default(),
        };
        ok(env.kubectl(&["create", "namespace", &env.ns]));
        Some(env)
    }

    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(program);
        c.args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HELM_NAMESPACE", &self.ns)
            .env("HOME", &self.home)
            .env("XDG_CACHE_HOME", self.home.join("cache"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env_remove("HELM_DRIVER")
            .current_dir(ROOT)
            .stdin(Stdio::null());
        c
    }

    fn kubectl(&self, args: &[&str]) -> Output {
        self.command(&self.kubectl, args).output().unwrap()
    }

    /// Runs rudder, binding the namespace's pending claims until it exits.
    fn rudder(&self, args: &[&str]) -> Output {
        let mut child = self
            .command(Path::new(env!("CARGO_BIN_EXE_rudder")), args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(600);
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            self.bind_pending_claims();
            std::thread::sleep(Duration::from_millis(500));
        }
        child.wait_with_output().unwrap()
    }

    fn bind_pending_claims(&self) {
        let out = self.kubectl(&[
            "-n",
            &self.ns,
            "get",
            "pvc",
            "-o",
            r#"jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.spec.storageClassName}{"\n"}{end}"#,
        ]);
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let mut words = line.split(' ');
            let (Some(claim), Some("Pending")) = (words.next(), words.next()) else {
                continue;
            };
            let class = words.next().unwrap_or("");
            let pv = format!("{}-{claim}", self.ns);
            if self.volumes.borrow().contains(&pv) {
                continue;
            }
            let manifest = format!(
                "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: {pv}\nspec:\n  capacity: {{storage: 1Ti}}\n  accessModes: [ReadWriteOnce, ReadWriteMany]\n  persistentVolumeReclaimPolicy: Retain\n  storageClassName: \"{class}\"\n  hostPath: {{path: /tmp/{pv}}}\n  claimRef: {{namespace: {ns}, name: {claim}}}\n",
                ns = self.ns
            );
            let path = self.home.join(format!("{pv}.yaml"));
            std::fs::write(&path, manifest).unwrap();
            ok(self.kubectl(&["apply", "-f", path.to_str().unwrap()]));
            self.volumes.borrow_mut().push(pv);
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.kubectl(&["delete", "namespace", &self.ns, "--wait=false"]);
        for pv in self.volumes.borrow().iter() {
            let _ = self.kubectl(&["delete", "pv", pv, "--wait=false"]);
        }
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "command failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Install with the dev layer, upgrade with the prod layer (plus `prod_extra`), both waiting; `both` is
/// added to both.
fn dev_then_prod(chart: &str, both: &[&str], prod_extra: &[&str]) {
    let Some(env) = Env::new(chart) else {
        return;
    };
    let dir = format!("charts/{chart}");
    let dev = format!("{dir}/values.dev.yaml");
    let prod = format!("{dir}/values.prod.yaml");
    let wait = ["--wait", "--timeout", "300s"];
    let mut install = vec!["install", chart, dir.as_str(), "-f", dev.as_str()];
    for extra in both {
        install.extend(["-f", extra]);
    }
    install.extend(wait);
    ok(env.rudder(&install));
    let mut upgrade = vec!["upgrade", chart, dir.as_str(), "-f", prod.as_str()];
    for extra in both.iter().chain(prod_extra) {
        upgrade.extend(["-f", extra]);
    }
    upgrade.extend(wait);
    ok(env.rudder(&upgrade));
    let history = ok(env.rudder(&["history", chart]));
    assert!(history.contains("Install complete"), "{history}");
    assert!(history.contains("Upgrade complete"), "{history}");
    // Every workload of the prod revision is ready.
    let ready = ok(env.kubectl(&[
        "-n",
        &env.ns,
        "get",
        "deployments,statefulsets",
        "-o",
        r#"jsonpath={range .items[*]}{.kind}/{.metadata.name} {.spec.replicas} {.status.readyReplicas}{"\n"}{end}"#,
    ]));
    assert!(!ready.trim().is_empty());
    for line in ready.lines() {
        let w: Vec<&str> = line.split(' ').collect();
        assert_eq!(w.get(1), w.get(2), "not ready: {line}");
    }
    ok(env.rudder(&["uninstall", chart]));
}

#[test]
fn notes_installs_with_dev_values_and_upgrades_to_prod() {
    dev_then_prod(
        "notes",
        &["charts/notes/ci/kwok-nodes.yaml"],
        &["charts/notes/ci/keep-dev-storage.yaml"],
    );
}

#[test]
fn ai_platform_installs_with_dev_values_and_upgrades_to_prod() {
    dev_then_prod(
        "ai-platform",
        &[],
        &["charts/ai-platform/ci/keep-dev-storage.yaml"],
    );
}

#[test]
fn nova_installs_with_dev_values_and_upgrades_to_prod() {
    dev_then_prod("nova", &[], &[]);
}

#[test]
fn voice_infra_installs_with_dev_values_and_upgrades_to_prod() {
    dev_then_prod(
        "voice-infra",
        &[],
        &["charts/voice-infra/ci/keep-dev-storage.yaml"],
    );
}
