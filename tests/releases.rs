//! Releases on the local control plane (`tests/cluster/up`): `rudder install/upgrade/rollback/
//! uninstall` against real Helm v3.17.3 and v4.1.4 on the same releases, the records both write
//! compared field by field, and the scenarios of issue 13. Each test works in its own namespace
//! (`ap-…`), deleted at the end.
//!
//! Cluster selection as `tests/cluster_smoke.rs`: `KUBECONFIG` if it names a file whose servers are
//! on 127.0.0.0/8, else `tests/cluster/up` (which reuses a running cluster). Without a cluster the
//! tests fail when `CI=true` and are skipped otherwise.
mod common;
use common::{kubeconfig, oracle};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use base64::Engine;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One test's namespace and tools.
struct Env {
    kubeconfig: PathBuf,
    ns: String,
    helm3: PathBuf,
    helm4: PathBuf,
    kubectl: PathBuf,
    home: PathBuf,
}

impl Env {
    fn new(test: &str) -> Option<Env> {
        Some(Env::on(kubeconfig()?, test))
    }

    /// An environment on the cluster of `kubeconfig`.
    fn on(kubeconfig: PathBuf, test: &str) -> Env {
        let ns = format!("ap-{test}-{}", std::process::id());
        let home = std::env::temp_dir().join(format!("rudder-releases-{ns}"));
        std::fs::create_dir_all(&home).unwrap();
        let env = Env {
            kubeconfig,
            ns,
            helm3: common::helm_v3().expect("helm v3"),
            helm4: oracle("v4"),
            kubectl: oracle("kubectl"),
            home,
        };
        env.ok(env.kubectl(&["create", "namespace", &env.ns]));
        common::servicemonitor_crd(&env.kubeconfig);
        env
    }

    fn run(&self, program: &Path, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HELM_NAMESPACE", &self.ns)
            .env("HOME", &self.home)
            .env("XDG_CACHE_HOME", self.home.join("cache"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env_remove("HELM_DRIVER")
            .current_dir(root())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", program.display()))
    }

    fn rudder(&self, args: &[&str]) -> Output {
        // Under the name `helm`, as the differential tests run it (messages then name `helm`).
        static AS_HELM: OnceLock<PathBuf> = OnceLock::new();
        self.run(AS_HELM.get_or_init(common::rudder_as_helm), args)
    }
    fn helm3(&self, args: &[&str]) -> Output {
        self.run(&self.helm3, args)
    }
    fn helm4(&self, args: &[&str]) -> Output {
        self.run(&self.helm4, args)
    }
    fn kubectl(&self, args: &[&str]) -> Output {
        self.run(&self.kubectl, args)
    }

    /// Asserts success; returns stdout.
    fn ok(&self, out: Output) -> String {
        assert!(
            out.status.success(),
            "command failed ({}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Asserts failure; returns stderr.
    fn fails(&self, out: Output) -> String {
        assert!(
            !out.status.success(),
            "command succeeded but should fail:\nstdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// The release records of `release` in the namespace, decoded, by revision.
    fn records(&self, release: &str) -> Vec<(Value, Value)> {
        let text = self.ok(self.kubectl(&[
            "-n",
            &self.ns,
            "get",
            "secrets",
            "-l",
            &format!("owner=helm,name={release}"),
            "-o",
            "json",
        ]));
        let list: Value = serde_json::from_str(&text).unwrap();
        let mut out = Vec::new();
        for item in list["items"].as_array().unwrap() {
            let data = item["data"]["release"].as_str().unwrap();
            let b64 = base64::engine::general_purpose::STANDARD;
            let once = b64.decode(data).unwrap();
            let gz = b64.decode(&once).unwrap();
            let mut json = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut json)
                .unwrap();
            out.push((
                item["metadata"]["labels"].clone(),
                serde_json::from_slice::<Value>(&json).unwrap(),
            ));
        }
        out.sort_by_key(|(_, r)| r["version"].as_i64());
        out
    }

    /// `status` of each revision, in order.
    fn statuses(&self, release: &str) -> Vec<String> {
        self.records(release)
            .iter()
            .map(|(labels, rel)| {
                let status = rel["info"]["status"].as_str().unwrap().to_string();
                assert_eq!(labels["status"].as_str(), Some(status.as_str()));
                status
            })
            .collect()
    }

    /// Every object the release manifest names carries Helm's ownership metadata.
    fn assert_owned(&self, release: &str) {
        let (_, last) = self.records(release).pop().unwrap();
        let manifest = last["manifest"].as_str().unwrap();
        let mut checked = 0;
        for doc in manifest.split("\n---\n") {
            let kind = doc
                .lines()
                .find_map(|l| l.strip_prefix("kind: "))
                .map(str::trim);
            let name = doc
                .lines()
                .skip_while(|l| !l.starts_with("metadata:"))
                .find_map(|l| l.strip_prefix("  name: "))
                .map(|n| n.trim().trim_matches('"'));
            let (Some(kind), Some(name)) = (kind, name) else {
                continue;
            };
            let live = self.ok(self.kubectl(&["-n", &self.ns, "get", kind, name, "-o", "json"]));
            let live: Value = serde_json::from_str(&live).unwrap();
            assert_eq!(
                live["metadata"]["labels"]["app.kubernetes.io/managed-by"], "Helm",
                "{kind}/{name}"
            );
            assert_eq!(
                live["metadata"]["annotations"]["meta.helm.sh/release-name"], release,
                "{kind}/{name}"
            );
            assert_eq!(
                live["metadata"]["annotations"]["meta.helm.sh/release-namespace"],
                self.ns.as_str(),
                "{kind}/{name}"
            );
            checked += 1;
        }
        assert!(checked > 0);
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.kubectl(&["delete", "namespace", &self.ns, "--wait=false"]);
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

const CHART: &str = "charts/platform";
const PROD: &str = "charts/platform/values.prod.yaml";
const CANARY: &str = "charts/platform/values.canary.yaml";
/// Pins every generated secret, so that two renders are byte for byte the same.
const PINNED: &str = "charts/platform/ci/pinned-passwords.yaml";

/// A record without what legitimately differs between two runs: times, the namespace (also
/// inside notes and the manifest), hook run times, and Helm 4's modtimes.
fn normalized(rel: &Value, ns: &str) -> Value {
    let mut rel = rel.clone();
    for key in ["first_deployed", "last_deployed", "deleted"] {
        if let Some(info) = rel["info"].as_object_mut() {
            info.remove(key);
        }
    }
    if let Some(hooks) = rel["hooks"].as_array_mut() {
        for h in hooks {
            h["last_run"]["started_at"] = Value::Null;
            h["last_run"]["completed_at"] = Value::Null;
        }
    }
    if let Some(chart) = rel["chart"].as_object_mut() {
        chart.remove("modtime");
        chart.remove("schemamodtime");
        for list in ["templates", "files"] {
            if let Some(files) = chart.get_mut(list).and_then(Value::as_array_mut) {
                for f in files {
                    f.as_object_mut().unwrap().remove("modtime");
                }
            }
        }
    }
    let text = serde_json::to_string(&rel)
        .unwrap()
        .replace(ns, "NAMESPACE");
    serde_json::from_str(&text).unwrap()
}

/// Compares two records field by field; returns the differing paths.
fn diff(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                diff(
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                    &format!("{path}.{key}"),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(p, q, &format!("{path}[{i}]"), out);
            }
        }
        (Value::String(x), Value::String(y)) if x != y => {
            let at = x.bytes().zip(y.bytes()).take_while(|(p, q)| p == q).count();
            let start = x[..at].rfind('\n').map_or(0, |i| i + 1);
            let context = |t: &str| t[start..].chars().take(160).collect::<String>();
            out.push(format!(
                "{path}: first difference at byte {at}:\n  helm:   {:?}\n  rudder: {:?}",
                context(x),
                context(y)
            ));
        }
        _ if a != b => out.push(format!("{path}: {a} != {b}")),
        _ => {}
    }
}

#[test]
fn rudder_install_is_read_and_continued_by_helm_3_and_4() {
    let Some(env) = Env::new("interop") else {
        return;
    };
    env.ok(env.rudder(&["install", "platform", CHART, "-f", PROD]));
    env.assert_owned("platform");
    assert_eq!(env.statuses("platform"), ["deployed"]);
    // The chart generates its passwords once and keeps them through `lookup` of the live Secret.
    let password = || {
        env.ok(env.kubectl(&[
            "-n",
            &env.ns,
            "get",
            "secret",
            "platform-postgresql",
            "-o",
            "jsonpath={.data.password}",
        ]))
    };
    let generated = password();
    assert!(!generated.is_empty());

    let history = env.ok(env.helm3(&["history", "platform"]));
    assert!(history.contains("Install complete"), "{history}");
    let values = env.ok(env.helm3(&["get", "values", "platform", "-a"]));
    assert!(values.contains("env: production"), "{values}");
    let manifest = env.ok(env.helm3(&["get", "manifest", "platform"]));
    assert!(manifest.contains("# Source: platform/templates/deployments.yaml"));
    let history4 = env.ok(env.helm4(&["history", "platform"]));
    assert!(history4.contains("Install complete"), "{history4}");

    env.ok(env.helm3(&["upgrade", "platform", CHART, "-f", PROD, "-f", CANARY]));
    env.ok(env.helm4(&["rollback", "platform", "1"]));
    assert_eq!(
        env.statuses("platform"),
        ["superseded", "superseded", "deployed"]
    );
    env.ok(env.rudder(&["upgrade", "platform", CHART, "-f", PROD, "-f", CANARY]));
    env.assert_owned("platform");
    assert_eq!(password(), generated, "lookup kept the generated password");
    env.ok(env.rudder(&["rollback", "platform"]));
    assert_eq!(
        env.statuses("platform"),
        [
            "superseded",
            "superseded",
            "superseded",
            "superseded",
            "deployed"
        ]
    );
    let (_, last) = env.records("platform").pop().unwrap();
    assert_eq!(last["info"]["description"], "Rollback to 3");
    env.ok(env.rudder(&["uninstall", "platform"]));
    assert!(env.records("platform").is_empty());
    let left = env.ok(env.kubectl(&["-n", &env.ns, "get", "deployments", "-o", "name"]));
    assert_eq!(left.trim(), "");
}

#[test]
fn helm_install_is_continued_by_rudder() {
    let Some(env) = Env::new("fromhelm") else {
        return;
    };
    env.ok(env.helm3(&["install", "platform", CHART, "-f", PROD]));
    let out = env.ok(env.rudder(&["upgrade", "platform", CHART, "-f", PROD, "-f", CANARY]));
    assert!(
        out.starts_with("Release \"platform\" has been upgraded. Happy Helming!\nNAME: platform\n"),
        "{out}"
    );
    env.assert_owned("platform");
    env.ok(env.rudder(&["rollback", "platform", "1"]));
    assert_eq!(
        env.statuses("platform"),
        ["superseded", "superseded", "deployed"]
    );
    // Helm 3 carries on after Rudder.
    env.ok(env.helm3(&["upgrade", "platform", CHART, "-f", PROD]));
    env.ok(env.rudder(&["uninstall", "platform", "--keep-history"]));
    assert_eq!(
        env.statuses("platform"),
        ["superseded", "superseded", "superseded", "uninstalled"]
    );
    let history = env.ok(env.helm3(&["history", "platform"]));
    assert!(history.contains("Uninstallation complete"), "{history}");
}

#[test]
fn records_equal_helm_records_but_for_times() {
    let Some(env) = Env::new("records") else {
        return;
    };
    // One name in one namespace, one tool after the other: checksums in the manifest cover
    // rendered text that names the release and its namespace.
    let install = ["install", "platform", CHART, "-f", PROD, "-f", PINNED];
    let mut captured = std::collections::BTreeMap::new();
    for tool in ["helm3", "helm4", "rudder"] {
        let run = |args: &[&str]| match tool {
            "helm3" => env.helm3(args),
            "helm4" => env.helm4(args),
            _ => env.rudder(args),
        };
        env.ok(run(&install));
        let (labels, rel) = env.records("platform").pop().unwrap();
        captured.insert(tool, (labels, normalized(&rel, &env.ns)));
        env.ok(run(&["uninstall", "platform", "--wait"]));
    }
    let record = |tool: &str| captured[tool].1.clone();
    let ours = record("rudder");
    // Helm 3 writes no apply method (client-side apply); Helm 4 writes `ssa` as Rudder does.
    let mut differences = Vec::new();
    let mut ours_v3 = ours.clone();
    ours_v3.as_object_mut().unwrap().remove("apply_method");
    diff(&record("helm3"), &ours_v3, "", &mut differences);
    let mut helm4 = record("helm4");
    // Helm 4 omits the zero deletion time Helm 3 (and Rudder, to be read by both) writes as "".
    helm4["info"]
        .as_object_mut()
        .unwrap()
        .insert("deleted".into(), Value::Null);
    let mut ours_v4 = ours.clone();
    ours_v4["info"]
        .as_object_mut()
        .unwrap()
        .insert("deleted".into(), Value::Null);
    diff(&helm4, &ours_v4, "", &mut differences);
    assert!(differences.is_empty(), "{differences:#?}");
    // Label sets are Helm's, but for the time stamps: after its final Update, Helm's record has
    // `modifiedAt` and no `createdAt` (HELM-FACTS §1); that label bookkeeping is the storage
    // driver's, reported separately.
    let keys = |tool: &str| {
        let mut keys: Vec<String> = captured[tool]
            .0
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "createdAt" && *k != "modifiedAt")
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(keys("rudder"), keys("helm3"));
    assert_eq!(keys("rudder"), ["name", "owner", "status", "version"]);
}

#[test]
fn preflight_refuses_an_upgrade_the_server_would_refuse() {
    let Some(env) = Env::new("preflight") else {
        return;
    };
    env.ok(env.rudder(&["install", "platform", CHART]));
    let before = env.ok(env.kubectl(&["-n", &env.ns, "get", "statefulsets", "-o", "json"]));
    let err = env.fails(env.rudder(&["upgrade", "platform", CHART, "-f", PROD]));
    assert!(
        err.starts_with(
            "Error: UPGRADE FAILED: the API server refuses this upgrade; nothing was changed"
        ),
        "{err}"
    );
    assert!(err.contains("StatefulSet \"platform-postgresql\""), "{err}");
    assert!(err.contains("spec.volumeClaimTemplates"), "{err}");
    assert!(err.contains("--cascade=orphan"), "{err}");
    assert_eq!(env.statuses("platform"), ["deployed"]);
    let after = env.ok(env.kubectl(&["-n", &env.ns, "get", "statefulsets", "-o", "json"]));
    let generations = |text: &str| -> Vec<Value> {
        let v: Value = serde_json::from_str(text).unwrap();
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["generation"].clone())
            .collect()
    };
    assert_eq!(generations(&before), generations(&after));
}

const TINY: &str = "testdata/cluster/tiny-chart";

/// `--no-preflight`: the base → prod upgrade is applied directly and fails half-way as helm v4.1.4's
/// does (each in a namespace of its own, release `platform`): exit 1, the StatefulSets refused, a
/// `failed` revision 2 beside the `deployed` revision 1, and the same objects changed (the
/// StatefulSets not).
#[test]
fn no_preflight_fails_half_way_as_helm() {
    let (Some(helm), Some(ours)) = (Env::new("nopf-helm"), Env::new("nopf-rudder")) else {
        return;
    };
    // What each object looks like: its spec (or data), by kind and name.
    let objects = |env: &Env| -> std::collections::BTreeMap<String, String> {
        let text = env.ok(env.kubectl(&[
            "-n",
            &env.ns,
            "get",
            "deployments,statefulsets,configmaps,services,secrets,servicemonitors",
            "-l",
            "app.kubernetes.io/managed-by=Helm",
            "-o",
            "json",
        ]));
        let list: Value = serde_json::from_str(&text).unwrap();
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                let key = format!("{}/{}", o["kind"], o["metadata"]["name"]);
                let body = if o.get("spec").is_some() {
                    o["spec"].to_string()
                } else {
                    o["data"].to_string()
                };
                (key, body.replace(&env.ns, "NAMESPACE"))
            })
            .collect()
    };
    let mut outcomes = Vec::new();
    for (env, tool) in [(&helm, "helm4"), (&ours, "rudder")] {
        let run = |args: &[&str]| match tool {
            "helm4" => env.helm4(args),
            _ => env.rudder(args),
        };
        env.ok(run(&["install", "platform", CHART, "-f", PINNED]));
        let before = objects(env);
        let upgrade = ["upgrade", "platform", CHART, "-f", PROD, "-f", PINNED];
        let err = match tool {
            "helm4" => env.fails(run(&upgrade)),
            _ => env.fails(run(&[&upgrade[..], &["--no-preflight"][..]].concat())),
        };
        // helm v4 logs a `level=WARN msg="upgrade failed"` line first.
        assert!(err.contains("Error: UPGRADE FAILED: "), "{tool}: {err}");
        assert!(
            err.contains("platform-postgresql") && err.contains("Forbidden"),
            "{tool}: {err}"
        );
        assert_eq!(env.statuses("platform"), ["deployed", "failed"], "{tool}");
        let after = objects(env);
        let changed: Vec<String> = after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect();
        for refused in ["postgresql", "cache-master", "milvus-standalone"] {
            let key = format!("\"StatefulSet\"/\"platform-{refused}\"");
            assert!(!changed.contains(&key), "{tool} changed {key}: {changed:?}");
        }
        outcomes.push(changed);
    }
    assert!(!outcomes[0].is_empty(), "helm changed nothing");
    assert_eq!(
        outcomes[0], outcomes[1],
        "objects changed: helm v4, then rudder"
    );
}

/// Helm 4's `--server-side`, against helm v4.1.4 on the same input (each tool in a namespace of
/// its own, the same release names): `install --server-side=false` creates and records `csa`;
/// `upgrade --server-side=true` of a release helm v3 installed moves it to server-side apply; both
/// compared record field by field and live object by object (managed fields included). A word
/// other than true/false/auto is helm v4's error; a client-side update is refused, nothing changed.
#[test]
fn server_side_flag_as_helm_4() {
    let (Some(helm), Some(ours)) = (Env::new("ssa-helm"), Env::new("ssa-rudder")) else {
        return;
    };
    let shape = |env: &Env, kind: &str, name: &str| {
        let mut live = live_shape(env, kind, name, "csa");
        live["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("namespace");
        live
    };
    let record = |env: &Env, release: &str| {
        let (_, rel) = env.records(release).pop().unwrap();
        normalized(&rel, &env.ns)
    };
    for (env, tool) in [(&helm, "helm4"), (&ours, "rudder")] {
        let run = |args: &[&str]| match tool {
            "helm4" => env.helm4(args),
            _ => env.rudder(args),
        };
        env.ok(run(&["install", "csa", TINY, "--server-side=false"]));
        // `upgrade --install` of a new release: server-side unless the word is `false` (any
        // other word, even one an upgrade refuses).
        env.ok(run(&[
            "upgrade",
            "--install",
            "ins-csa",
            TINY,
            "--server-side=false",
        ]));
        env.ok(run(&[
            "upgrade",
            "--install",
            "ins-odd",
            TINY,
            "--server-side=odd",
        ]));
        env.ok(env.helm3(&["install", "old", TINY]));
        env.ok(run(&[
            "upgrade",
            "old",
            TINY,
            "--set",
            "greeting=moved",
            "--server-side=true",
        ]));
        // Rollbacks: `true` back to a Helm 3 (client-side) revision applies server-side;
        // `auto` back to a server-side revision stays server-side.
        env.ok(env.helm3(&["install", "rb", TINY]));
        env.ok(run(&[
            "upgrade",
            "rb",
            TINY,
            "--set",
            "greeting=moved",
            "--server-side=true",
        ]));
        env.ok(run(&["rollback", "rb", "1", "--server-side=true"]));
        env.ok(run(&["install", "rb-auto", TINY]));
        env.ok(run(&[
            "upgrade",
            "rb-auto",
            TINY,
            "--set",
            "greeting=moved",
        ]));
        env.ok(run(&["rollback", "rb-auto", "1"]));
    }
    let mut differences = Vec::new();
    for release in ["csa", "old", "ins-csa", "ins-odd", "rb", "rb-auto"] {
        diff(
            &record(&helm, release),
            &record(&ours, release),
            release,
            &mut differences,
        );
        for (kind, name) in [("configmap", "-config"), ("deployment", "-web")] {
            let name = format!("{release}{name}");
            diff(
                &shape(&helm, kind, &name),
                &shape(&ours, kind, &name),
                &format!("{kind}/{name}"),
                &mut differences,
            );
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert_eq!(record(&ours, "csa")["apply_method"], "csa");
    assert_eq!(record(&ours, "old")["apply_method"], "ssa");
    assert_eq!(record(&ours, "ins-csa")["apply_method"], "csa");
    assert_eq!(record(&ours, "ins-odd")["apply_method"], "ssa");
    for release in ["rb", "rb-auto"] {
        assert_eq!(record(&ours, release)["apply_method"], "ssa");
        assert_eq!(record(&ours, release)["version"], 3);
    }

    // Words helm v4 refuses, refused alike; nothing recorded.
    for args in [
        vec!["upgrade", "csa", TINY, "--server-side=bogus"],
        vec!["upgrade", "csa", TINY, "--server-side=TRUE"],
        vec!["rollback", "old", "1", "--server-side=bogus"],
        vec!["install", "other", TINY, "--server-side=bogus"],
        vec![
            "upgrade",
            "old",
            TINY,
            "--server-side=true",
            "--force-replace",
        ],
    ] {
        // helm v4 also logs a failed upgrade (`level=WARN msg="upgrade failed" …`) first.
        let errors = |out: &Output| -> Vec<String> {
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter(|l| !l.starts_with("level="))
                .map(String::from)
                .collect()
        };
        let (want, got) = (helm.helm4(&args), ours.rudder(&args));
        assert_eq!(
            (got.status.code(), errors(&got)),
            (want.status.code(), errors(&want)),
            "{args:?}"
        );
    }
    assert_eq!(ours.statuses("csa"), ["deployed"]);
    assert_eq!(ours.statuses("old"), ["superseded", "deployed"]);

    // A client-side update (Helm 3's three-way merge) is not implemented: refused, nothing changed.
    let err = ours.fails(ours.rudder(&["upgrade", "csa", TINY, "--server-side=false"]));
    assert!(err.contains("not implemented"), "{err}");
    let err = ours.fails(ours.rudder(&["rollback", "old", "1", "--server-side=false"]));
    assert!(err.contains("not implemented"), "{err}");
    assert_eq!(ours.statuses("csa"), ["deployed"]);
    assert_eq!(ours.statuses("old"), ["superseded", "deployed"]);
    // With --force-replace, false is a replace, recorded `csa`, as helm v4 does it.
    ours.ok(ours.rudder(&[
        "upgrade",
        "old",
        TINY,
        "--server-side=false",
        "--force-replace",
    ]));
    assert_eq!(record(&ours, "old")["apply_method"], "csa");
}

#[test]
fn dropped_objects_are_deleted_unless_kept_and_history_is_capped() {
    let Some(env) = Env::new("drop") else {
        return;
    };
    let exists = |name: &str| {
        env.kubectl(&["-n", &env.ns, "get", "configmap", name])
            .status
            .success()
    };
    env.ok(env.rudder(&["install", "t", TINY, "--set", "extra=true"]));
    assert!(exists("t-extra"));
    env.ok(env.rudder(&["upgrade", "t", TINY, "--set", "extra=false"]));
    assert!(!exists("t-extra"));
    env.ok(env.rudder(&["upgrade", "t", TINY, "--set", "extra=true,keep=true"]));
    env.ok(env.rudder(&["upgrade", "t", TINY, "--set", "extra=false"]));
    assert!(exists("t-extra"), "helm.sh/resource-policy: keep");
    for i in 0..3 {
        env.ok(env.rudder(&[
            "upgrade",
            "t",
            TINY,
            "--history-max",
            "3",
            "--set",
            &format!("greeting=g{i}"),
        ]));
    }
    let versions: Vec<i64> = env
        .records("t")
        .iter()
        .map(|(_, r)| r["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [5, 6, 7]);
    assert_eq!(env.statuses("t"), ["superseded", "superseded", "deployed"]);
    env.assert_owned("t");
    // Values are reused silently when none are given, as Helm does.
    env.ok(env.rudder(&["upgrade", "t", TINY]));
    let (_, last) = env.records("t").pop().unwrap();
    assert_eq!(last["config"]["greeting"], "g2");
    let out = env.ok(env.rudder(&["uninstall", "t", "--keep-history"]));
    assert_eq!(out, "release \"t\" uninstalled\n");
    assert_eq!(
        env.statuses("t").last().map(String::as_str),
        Some("uninstalled")
    );
    let history = env.ok(env.helm3(&["history", "t"]));
    assert!(history.contains("Uninstallation complete"), "{history}");
    env.ok(env.rudder(&["uninstall", "t"]));
    assert!(env.records("t").is_empty());
}

#[test]
fn failed_wait_marks_the_revision_failed_and_atomic_rolls_back() {
    let Some(env) = Env::new("atomic") else {
        return;
    };
    env.ok(env.rudder(&["install", "t", TINY, "--wait", "--timeout", "60s"]));
    let err = env.fails(env.rudder(&[
        "upgrade",
        "t",
        TINY,
        "--set",
        "unschedulable=true",
        "--wait",
        "--timeout",
        "3s",
    ]));
    assert!(
        err.starts_with("Error: UPGRADE FAILED: context deadline exceeded"),
        "{err}"
    );
    assert!(err.contains("Deployment \"t-web\""), "{err}");
    assert_eq!(env.statuses("t"), ["deployed", "failed"]);
    let err = env.fails(env.rudder(&[
        "upgrade",
        "t",
        TINY,
        "--set",
        "unschedulable=true",
        "--atomic",
        "--timeout",
        "3s",
    ]));
    assert!(
        err.contains("release t failed, and has been rolled back due to atomic being set"),
        "{err}"
    );
    assert_eq!(
        env.statuses("t"),
        ["superseded", "failed", "failed", "deployed"]
    );
    let (_, last) = env.records("t").pop().unwrap();
    assert_eq!(last["info"]["description"], "Rollback to 1");
}

#[test]
fn hooks_run_by_weight_with_their_delete_policies() {
    let Some(env) = Env::new("hooks") else {
        return;
    };
    env.ok(env.rudder(&["install", "t", TINY, "--set", "hooks=true"]));
    let (_, rel) = env.records("t").pop().unwrap();
    let mut runs: Vec<(String, String, String)> = rel["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["last_run"]["started_at"].as_str().unwrap().to_string(),
                h["name"].as_str().unwrap().to_string(),
                h["last_run"]["phase"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    runs.sort();
    let order: Vec<&str> = runs.iter().map(|(_, n, _)| n.as_str()).collect();
    assert_eq!(order, ["t-hook-1", "t-hook-2", "t-hook-0"]);
    assert!(runs.iter().all(|(_, _, phase)| phase == "Succeeded"));
    let jobs = env.ok(env.kubectl(&["-n", &env.ns, "get", "jobs", "-o", "name"]));
    assert!(
        !jobs.contains("t-hook-0"),
        "hook-succeeded deletes it: {jobs}"
    );
    assert!(jobs.contains("t-hook-1"), "{jobs}");
    // before-hook-creation (the default) replaces the old Jobs on the next run.
    env.ok(env.rudder(&["upgrade", "t", TINY, "--set", "hooks=true"]));
    assert_eq!(env.statuses("t"), ["superseded", "deployed"]);
    // Helm reads the hooks Rudder recorded.
    let hooks = env.ok(env.helm3(&["get", "hooks", "t"]));
    assert!(hooks.contains("helm.sh/hook-weight: \"-5\""), "{hooks}");
}

#[test]
fn a_second_concurrent_upgrade_changes_nothing() {
    let Some(env) = Env::new("lock") else {
        return;
    };
    env.ok(env.rudder(&["install", "t", TINY]));
    let spawn = |greeting: &str| {
        Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args([
                "upgrade",
                "t",
                TINY,
                "--set",
                &format!("greeting={greeting}"),
            ])
            .env("KUBECONFIG", &env.kubeconfig)
            .env("HELM_NAMESPACE", &env.ns)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn("a").wait_with_output().unwrap();
    let (b, c) = (spawn("b"), spawn("c"));
    let (b, c) = (b.wait_with_output().unwrap(), c.wait_with_output().unwrap());
    assert!(a.status.success());
    let succeeded = [&b, &c].iter().filter(|o| o.status.success()).count();
    assert!(succeeded >= 1, "one of two concurrent upgrades succeeds");
    // Every revision is accounted for: one deployed, the rest superseded or failed, none pending.
    let statuses = env.statuses("t");
    assert_eq!(
        statuses.iter().filter(|s| *s == "deployed").count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| !s.starts_with("pending")),
        "{statuses:?}"
    );
    for loser in [&b, &c].iter().filter(|o| !o.status.success()) {
        let err = String::from_utf8_lossy(&loser.stderr);
        assert!(
            err.contains("another operation (install/upgrade/rollback) is in progress")
                || err.contains("already exists"),
            "{err}"
        );
    }
}

#[test]
fn test_hooks_run_and_are_recorded() {
    let Some(env) = Env::new("test") else {
        return;
    };
    env.ok(env.rudder(&["install", "t", TINY, "--set", "tests=true"]));
    let out = env.ok(env.rudder(&["test", "t"]));
    assert!(out.contains("TEST SUITE:     t-check"), "{out}");
    assert!(out.contains("Phase:          Succeeded"), "{out}");
    // Helm sees the result Rudder recorded.
    let status = env.ok(env.helm3(&["status", "t"]));
    assert!(status.contains("Phase:          Succeeded"), "{status}");
}

#[test]
fn fields_dropped_after_a_helm3_revision_are_removed() {
    let Some(env) = Env::new("csa") else {
        return;
    };
    // Helm 3 applies client-side: the Deployment's fields belong to manager helm, operation Update.
    env.ok(env.helm3(&["install", "t", TINY, "--set", "unschedulable=true"]));
    env.ok(env.rudder(&["upgrade", "t", TINY, "--set", "unschedulable=false"]));
    let live = env.ok(env.kubectl(&["-n", &env.ns, "get", "deployment", "t-web", "-o", "json"]));
    let live: Value = serde_json::from_str(&live).unwrap();
    assert_eq!(
        live["spec"]["template"]["spec"]["nodeSelector"],
        Value::Null,
        "the node selector the new revision drops is gone"
    );
    env.ok(env.helm3(&["upgrade", "t", TINY, "--set", "greeting=back"]));
    env.ok(env.rudder(&["rollback", "t", "1"]));
    let live = env.ok(env.kubectl(&["-n", &env.ns, "get", "deployment", "t-web", "-o", "json"]));
    let live: Value = serde_json::from_str(&live).unwrap();
    assert_eq!(
        live["spec"]["template"]["spec"]["nodeSelector"]["no-such-node"],
        "true"
    );
}

const FORCE: &str = "testdata/cluster/force-chart";

/// The live object without what differs between two releases of the same chart: its name and the
/// release's, server-set metadata, status, and the time in each managed-fields entry.
fn live_shape(env: &Env, kind: &str, name: &str, release: &str) -> Value {
    let live = env.ok(env.kubectl(&[
        "-n",
        &env.ns,
        "get",
        kind,
        name,
        "-o",
        "json",
        "--show-managed-fields",
    ]));
    let mut live: Value = serde_json::from_str(&live).unwrap();
    live.as_object_mut().unwrap().remove("status");
    let meta = live["metadata"].as_object_mut().unwrap();
    for key in [
        "creationTimestamp",
        "resourceVersion",
        "uid",
        "generation",
        "annotations",
    ] {
        meta.remove(key);
    }
    // Helm's own entries (the controllers' come and go with their timing).
    if let Some(Value::Array(entries)) = meta.get_mut("managedFields") {
        entries.retain(|e| e["manager"] == "helm");
        for entry in entries {
            entry.as_object_mut().unwrap().remove("time");
        }
    }
    let text = serde_json::to_string(&live)
        .unwrap()
        .replace(&format!("\"{release}-"), "\"RELEASE-");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn force_replaces_what_an_apply_cannot_change() {
    let Some(env) = Env::new("rap-force") else {
        return;
    };
    // Helm 3 replaces (PUT) with --force.
    env.ok(env.helm3(&["install", "h3", FORCE]));
    env.ok(env.helm3(&["upgrade", "h3", FORCE, "--set", "recreate=true", "--force"]));
    // Helm 4 applies server-side: Recreate beside the defaulted rollingUpdate is refused; it
    // refuses --force-replace on a release applied server-side, and replaces with
    // --server-side=false.
    env.ok(env.helm4(&["install", "h4", FORCE]));
    let err = env.fails(env.helm4(&["upgrade", "h4", FORCE, "--set", "recreate=true"]));
    assert!(
        err.contains("spec.strategy.rollingUpdate: Forbidden"),
        "{err}"
    );
    env.ok(env.helm4(&[
        "upgrade",
        "h4",
        FORCE,
        "--set",
        "recreate=true",
        "--force-replace",
        "--server-side=false",
    ]));

    // Rudder: refused whole without --force, nothing changed; replaced with it.
    env.ok(env.rudder(&["install", "ru", FORCE]));
    let err = env.fails(env.rudder(&["upgrade", "ru", FORCE, "--set", "recreate=true"]));
    assert!(
        err.starts_with(
            "Error: UPGRADE FAILED: the API server refuses this upgrade; nothing was changed"
        ),
        "{err}"
    );
    assert!(
        err.contains("spec.strategy.rollingUpdate: Forbidden"),
        "{err}"
    );
    assert!(
        err.contains("hint: --force replaces objects whole"),
        "{err}"
    );
    assert_eq!(env.statuses("ru"), ["deployed"]);
    env.ok(env.rudder(&["upgrade", "ru", FORCE, "--set", "recreate=true", "--force"]));
    assert_eq!(env.statuses("ru"), ["superseded", "deployed"]);

    // The same live Deployment as both Helms' (managed fields included: manager helm, Update).
    let rudder = live_shape(&env, "deployment", "ru-web", "ru");
    assert_eq!(
        rudder["spec"]["strategy"],
        serde_json::json!({"type": "Recreate"})
    );
    // Helm 4 installed server-side as Rudder did, so its managed fields are Rudder's; Helm 3
    // installed with a create, so only its spec is.
    assert_eq!(rudder, live_shape(&env, "deployment", "h4-web", "h4"));
    assert_eq!(
        rudder["spec"],
        live_shape(&env, "deployment", "h3-web", "h3")["spec"]
    );
    // The same record as Helm 4's replace (apply_method csa); Helm 3's has no apply_method.
    let record = |release: &str| {
        let (_, rel) = env.records(release).pop().unwrap();
        let mut rel = normalized(&rel, &env.ns);
        rel["name"] = Value::Null;
        rel["version"] = Value::Null;
        let text = serde_json::to_string(&rel)
            .unwrap()
            .replace(&format!("{release}-"), "RELEASE-");
        serde_json::from_str::<Value>(&text).unwrap()
    };
    let mut differences = Vec::new();
    diff(&record("h4"), &record("ru"), "", &mut differences);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    let mut h3 = record("h3");
    h3["apply_method"] = Value::from("csa");
    let mut differences = Vec::new();
    diff(&h3, &record("ru"), "", &mut differences);
    assert!(differences.is_empty(), "{}", differences.join("\n"));

    // The next upgrade, without --force, applies server-side again (the replaced fields are moved
    // to server-side apply first), and Helm continues the release.
    env.ok(env.rudder(&["upgrade", "ru", FORCE, "--set", "recreate=true,job=true"]));
    env.ok(env.helm4(&["upgrade", "ru", FORCE, "--set", "recreate=true,job=true"]));
    env.ok(env.helm3(&["upgrade", "ru", FORCE, "--set", "recreate=true,job=true"]));
    env.ok(env.helm3(&["upgrade", "h3", FORCE, "--set", "recreate=true,job=true"]));

    // A Job's pod template cannot change, not even by a replace (the PUT lacks the selector the
    // server generated): Helm 3 fails half-way; Rudder refuses the upgrade whole, in Helm's words.
    let change = ["--set", "recreate=true,job=true,jobTag=two", "--force"];
    let err = env.fails(env.helm3(&[&["upgrade", "h3", FORCE][..], &change[..]].concat()));
    let helm_says =
        "failed to replace object: Job.batch \"h3-job\" is invalid: [spec.selector: Required value";
    assert!(err.contains(helm_says), "{err}");
    let before = env.statuses("ru");
    let err = env.fails(env.rudder(&[&["upgrade", "ru", FORCE][..], &change[..]].concat()));
    assert!(err.contains(&helm_says.replace("h3-", "ru-")), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(env.statuses("ru"), before);
    env.assert_owned("ru");
}

#[test]
fn force_conflicts_takes_over_fields_another_manager_owns() {
    let Some(env) = Env::new("rap-conflicts") else {
        return;
    };
    let other = |release: &str| {
        let manifest = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {release}-config\n  namespace: {}\ndata:\n  greeting: other\n",
            env.ns
        );
        let path = env.home.join(format!("{release}-other.yaml"));
        std::fs::write(&path, manifest).unwrap();
        let path = path.display().to_string();
        env.ok(env.kubectl(&[
            "apply",
            "--server-side",
            "--field-manager",
            "other",
            "--force-conflicts",
            "-f",
            &path,
        ]));
    };
    let greeting = |release: &str| {
        let live = env.ok(env.kubectl(&[
            "-n",
            &env.ns,
            "get",
            "configmap",
            &format!("{release}-config"),
            "-o",
            "jsonpath={.data.greeting}",
        ]));
        live
    };
    for (release, helm) in [("h4", true), ("ru", false)] {
        let tool = |args: &[&str]| {
            if helm {
                env.helm4(args)
            } else {
                env.rudder(args)
            }
        };
        env.ok(tool(&["install", release, TINY]));
        other(release);
        let err = env.fails(tool(&["upgrade", release, TINY]));
        let helm_says = format!(
            "conflict occurred while applying object {}/{release}-config /v1, Kind=ConfigMap: Apply failed with 1 conflict: conflict with \"other\": .data.greeting",
            env.ns
        );
        assert!(err.contains(&helm_says), "{err}");
        if helm {
            assert_eq!(env.statuses(release), ["deployed", "failed"]);
        } else {
            // Refused whole by the preflight: no revision, nothing changed.
            assert!(err.contains("nothing was changed"), "{err}");
            assert!(err.contains("--force-conflicts"), "{err}");
            assert_eq!(env.statuses(release), ["deployed"]);
        }
        assert_eq!(greeting(release), "other");
        let err = env.fails(tool(&[
            "upgrade",
            release,
            TINY,
            "--force",
            "--force-conflicts",
        ]));
        assert!(
            err.contains("Error: if any flags in the group [force force-conflicts] are set none of the others can be; [force force-conflicts] were all set"),
            "{err}"
        );
        env.ok(tool(&["upgrade", release, TINY, "--force-conflicts"]));
        assert_eq!(greeting(release), "hello");
    }
    assert_eq!(
        live_shape(&env, "configmap", "ru-config", "ru"),
        live_shape(&env, "configmap", "h4-config", "h4")
    );
    env.assert_owned("ru");
}

/// Starts `rudder` with `args` in the background (for killing it, or racing it).
fn spawn_rudder(env: &Env, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(args)
        .env("KUBECONFIG", &env.kubeconfig)
        .env("HELM_NAMESPACE", &env.ns)
        .env_remove("HELM_DRIVER")
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (at most 60 s) until revision 2 of `t` is `pending-upgrade` and the upgrade has applied
/// its Deployment (the node selector of `unschedulable=true` is live): the upgrade is mid-way, in
/// its `--wait`.
fn wait_until_mid_upgrade(env: &Env, child: &mut std::process::Child) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the upgrade ended before it could be interrupted"
        );
        let pending = env.statuses("t") == ["deployed", "pending-upgrade"];
        let live = env.kubectl(&["-n", &env.ns, "get", "deployment", "t-web", "-o", "json"]);
        let applied = serde_json::from_slice::<Value>(&live.stdout)
            .is_ok_and(|d| d["spec"]["template"]["spec"]["nodeSelector"]["no-such-node"] == "true");
        if pending && applied {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the upgrade never reached its wait"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn an_upgrade_killed_mid_way_is_recovered() {
    let Some(env) = Env::new("rw-kill") else {
        return;
    };
    env.ok(env.rudder(&["install", "t", TINY]));
    let mut child = spawn_rudder(
        &env,
        &[
            "upgrade",
            "t",
            TINY,
            "--set",
            "unschedulable=true",
            "--wait",
            "--timeout",
            "5m",
        ],
    );
    let pid = child.id();
    wait_until_mid_upgrade(&env, &mut child);
    child.kill().unwrap(); // SIGKILL: no handler runs, nothing is cleaned up
    child.wait().unwrap();

    // The lock stays, and says who held it.
    assert_eq!(env.statuses("t"), ["deployed", "pending-upgrade"]);
    let status = env.ok(env.rudder(&["status", "t"]));
    assert!(status.contains("STATUS: pending-upgrade"), "{status}");
    assert!(
        status.contains(&format!("LOCKED BY: pid {pid} on ")),
        "{status}"
    );
    assert!(status.contains("that process is gone"), "{status}");
    let err = env.fails(env.rudder(&["upgrade", "t", TINY]));
    assert!(
        err.contains("another operation (install/upgrade/rollback) is in progress"),
        "{err}"
    );
    // Helm reads the locked history as it is.
    let history = env.ok(env.helm3(&["history", "t"]));
    assert!(history.contains("pending-upgrade"), "{history}");

    // Freed without deleting anything; the rollback then succeeds.
    env.ok(env.rudder(&["release-lock", "t"]));
    assert_eq!(env.statuses("t"), ["deployed", "failed"]);
    env.ok(env.rudder(&["rollback", "t", "1", "--wait", "--timeout", "60s"]));
    let statuses = env.statuses("t");
    assert_eq!(statuses.len(), 3, "no revision lost: {statuses:?}");
    assert_eq!(statuses[2], "deployed", "{statuses:?}");
    assert_eq!(statuses[1], "failed", "{statuses:?}");
    env.assert_owned("t");
    let live = env.ok(env.kubectl(&["-n", &env.ns, "get", "deployment", "t-web", "-o", "json"]));
    let live: Value = serde_json::from_str(&live).unwrap();
    assert_eq!(
        live["spec"]["template"]["spec"]["nodeSelector"],
        Value::Null
    );
    // And upgrades go on from there.
    env.ok(env.rudder(&["upgrade", "t", TINY, "--set", "greeting=after"]));
    assert_eq!(env.statuses("t").len(), 4);
}

/// A control plane of this test's own (`tests/cluster/up` in a private state dir), so that its API
/// server can be restarted without disturbing other tests; stopped when dropped.
struct PrivateCluster {
    dir: PathBuf,
    kubeconfig: PathBuf,
}

impl PrivateCluster {
    fn start(name: &str) -> PrivateCluster {
        let dir =
            std::env::temp_dir().join(format!("rudder-cluster-{name}-{}", std::process::id()));
        let out = Command::new(root().join("tests/cluster/up"))
            .env("RUDDER_CLUSTER_DIR", &dir)
            .env("RUDDER_CLUSTER_NODES", "1")
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let kubeconfig = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
        let cluster = PrivateCluster { dir, kubeconfig };
        assert!(
            out.status.success() && cluster.kubeconfig.is_file(),
            "tests/cluster/up in a private dir failed: {stdout}"
        );
        cluster
    }

    fn restart_apiserver(&self, down_seconds: u32) {
        let out = Command::new(root().join("tests/cluster/restart-apiserver"))
            .arg(down_seconds.to_string())
            .env("RUDDER_CLUSTER_DIR", &self.dir)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "restart-apiserver: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        // RUDDER_CLUSTER_DIR is always set here: `down` stops this private cluster only.
        let _ = Command::new(root().join("tests/cluster/down"))
            .env("RUDDER_CLUSTER_DIR", &self.dir)
            .stdin(Stdio::null())
            .output();
        let _ = std::fs::remove_file(self.dir.with_extension("lock"));
    }
}

#[test]
fn an_upgrade_survives_an_api_server_restart() {
    if kubeconfig().is_none() {
        return;
    }
    let cluster = PrivateCluster::start("rw-restart");
    let env = Env::on(cluster.kubeconfig.clone(), "rw-restart");
    env.ok(env.rudder(&["install", "t", TINY, "--wait", "--timeout", "60s"]));
    let mut child = spawn_rudder(
        &env,
        &[
            "upgrade",
            "t",
            TINY,
            "--set",
            "unschedulable=true",
            "--wait",
            "--timeout",
            "3m",
        ],
    );
    wait_until_mid_upgrade(&env, &mut child);
    cluster.restart_apiserver(3);
    // Once the API server is back, the Pod can be scheduled: the upgrade's wait, which lost its
    // watches with the server, must pick the change up and finish.
    env.ok(env.kubectl(&["label", "node", "kwok-node-0", "no-such-node=true"]));
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the upgrade failed after the restart:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.statuses("t"), ["superseded", "deployed"]);
    env.assert_owned("t");
    drop(env);
}

/// Signs a serving certificate for 127.0.0.1 with the private cluster's CA (for a webhook).
fn webhook_cert(cluster: &PrivateCluster, dir: &Path) -> (PathBuf, PathBuf) {
    let pki = cluster.dir.join("pki");
    let (key, csr, cert, ext) = (
        dir.join("webhook.key"),
        dir.join("webhook.csr"),
        dir.join("webhook.crt"),
        dir.join("webhook.ext"),
    );
    std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\n").unwrap();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let s = |p: &Path| p.display().to_string();
    openssl(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &s(&key),
        "-subj",
        "/CN=127.0.0.1",
        "-out",
        &s(&csr),
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &s(&csr),
        "-CA",
        &s(&pki.join("ca.crt")),
        "-CAkey",
        &s(&pki.join("ca.key")),
        "-set_serial",
        "0x1234",
        "-days",
        "1",
        "-extfile",
        &s(&ext),
        "-out",
        &s(&cert),
    ]);
    (cert, key)
}

#[test]
fn an_api_server_restart_during_the_apply_leaves_a_consistent_release() {
    if kubeconfig().is_none() {
        return;
    }
    let cluster = PrivateCluster::start("rw-restart-apply");
    let env = Env::on(cluster.kubeconfig.clone(), "rw-restart-apply");
    env.ok(env.rudder(&["install", "t", TINY]));

    // A webhook holds the first write of the release's ConfigMap (not the preflight's dry run)
    // and says when it has it: the upgrade is then inside its apply, deterministically.
    let (cert, key) = webhook_cert(&cluster, &env.home);
    let (port_file, signal) = (env.home.join("webhook.port"), env.home.join("webhook.held"));
    let mut webhook = Command::new(root().join("tests/cluster/slow-webhook"))
        .args([&cert, &key, &port_file, &signal].map(|p| p.display().to_string()))
        .arg("20")
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !port_file.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the webhook did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let port = std::fs::read_to_string(&port_file).unwrap();
    let ca = base64::engine::general_purpose::STANDARD
        .encode(std::fs::read(cluster.dir.join("pki/ca.crt")).unwrap());
    let config = serde_json::json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": env.ns},
        "webhooks": [{
            "name": "hold.rudder.test",
            "clientConfig": {"url": format!("https://127.0.0.1:{}/", port.trim()), "caBundle": ca},
            "rules": [{"operations": ["CREATE", "UPDATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["configmaps"]}],
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": env.ns}},
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
            "timeoutSeconds": 30,
            "failurePolicy": "Ignore",
        }],
    });
    let config_file = env.home.join("webhook.json");
    std::fs::write(&config_file, config.to_string()).unwrap();
    env.ok(env.kubectl(&["apply", "-f", &config_file.display().to_string()]));
    // The webhook is in place once a dry run goes through it (the API server's cache of
    // webhooks is refreshed asynchronously).
    std::thread::sleep(std::time::Duration::from_secs(2));

    let mut child = spawn_rudder(&env, &["upgrade", "t", TINY, "--set", "greeting=during"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !signal.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the upgrade ended before its apply was held"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the upgrade never reached its apply"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(env.statuses("t"), ["deployed", "pending-upgrade"]);
    cluster.restart_apiserver(2);
    let out = child.wait_with_output().unwrap();
    let _ = webhook.kill();
    let _ = webhook.wait();
    env.ok(env.kubectl(&["delete", "validatingwebhookconfiguration", &env.ns]));

    // Completed or failed cleanly: never left pending, no revision lost, every object owned.
    let statuses = env.statuses("t");
    eprintln!(
        "the upgrade whose apply met the restart: {}, {statuses:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        assert_eq!(statuses, ["superseded", "deployed"]);
    } else {
        assert_eq!(
            statuses,
            ["deployed", "failed"],
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("Error: UPGRADE FAILED: "), "{err}");
    }
    env.assert_owned("t");
    // The release goes on: an upgrade, then a rollback to the first revision.
    env.ok(env.rudder(&["upgrade", "t", TINY, "--set", "greeting=after"]));
    let greeting = env.ok(env.kubectl(&[
        "-n",
        &env.ns,
        "get",
        "configmap",
        "t-config",
        "-o",
        "jsonpath={.data.greeting}",
    ]));
    assert_eq!(greeting, "after");
    env.ok(env.rudder(&["rollback", "t", "1"]));
    let greeting = env.ok(env.kubectl(&[
        "-n",
        &env.ns,
        "get",
        "configmap",
        "t-config",
        "-o",
        "jsonpath={.data.greeting}",
    ]));
    assert_eq!(greeting, "hello");
    assert_eq!(env.statuses("t").len(), 4);
    env.assert_owned("t");
    drop(env);
}

#[test]
fn waiting_shows_progress_on_a_terminal_and_with_debug_only() {
    let Some(env) = Env::new("rw-progress") else {
        return;
    };
    env.ok(env.rudder(&["install", "t", TINY]));
    let stuck = [
        "upgrade",
        "t",
        TINY,
        "--set",
        "unschedulable=true",
        "--wait",
        "--timeout",
        "3s",
    ];
    // Not a terminal, no --debug: standard error holds Helm's error line and the objects still
    // waiting, nothing else; standard output is empty, as Helm's.
    let out = env.rudder(&stuck);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    let mut lines = err.lines();
    assert_eq!(
        lines.next(),
        Some("Error: UPGRADE FAILED: context deadline exceeded")
    );
    let rest: Vec<&str> = lines.collect();
    assert_eq!(rest.len(), 1, "{err}");
    assert!(
        rest[0].starts_with(&format!(
            "  Deployment \"t-web\" in namespace \"{}\" is not ready: waiting for ",
            env.ns
        )),
        "{err}"
    );
    // The record keeps Helm's one line.
    let (_, failed) = env.records("t").pop().unwrap();
    assert_eq!(
        failed["info"]["description"],
        "Upgrade \"t\" failed: context deadline exceeded"
    );

    // --debug without a terminal: plain progress lines.
    let mut debug = stuck.to_vec();
    debug.push("--debug");
    let err = env.fails(env.rudder(&debug));
    assert!(
        err.lines().any(|l| l.starts_with("wait: ")
            && l.contains("Deployment \"t-web\"")
            && l.contains(" is waiting for ")),
        "{err}"
    );

    // A terminal (a pty from util-linux's `script`): the live view, erased before the error.
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let mut command = vec![quote(env!("CARGO_BIN_EXE_rudder"))];
    command.extend(stuck.iter().map(|a| quote(a)));
    let out = Command::new("script")
        .args(["-qec", &command.join(" "), "/dev/null"])
        .env("KUBECONFIG", &env.kubeconfig)
        .env("HELM_NAMESPACE", &env.ns)
        .env("HOME", &env.home)
        .env_remove("HELM_DRIVER")
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux)");
    assert!(!out.status.success());
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        screen.contains("waiting for 1 of 1 resources to be ready"),
        "{screen}"
    );
    assert!(
        screen.contains("Deployment \"t-web\" in namespace"),
        "{screen}"
    );
    // Cleared (erase-line) before Helm's error line is printed.
    let error_at = screen.find("Error: UPGRADE FAILED").unwrap();
    assert!(screen[..error_at].ends_with("\r\u{1b}[2K"), "{screen:?}");
}
