//! Client-side updates (Helm's three-way merge) on the local control plane, against helm v4.1.4
//! and v3.17.3: the same revision chain run by each tool in its own namespace (`rm-…`), the live
//! objects then compared but for what the server sets per object (uid, resourceVersion, times,
//! cluster IPs) and the controllers' managed-fields entries.
//!
//! The chain: helm v3 installs revision 1 (a Helm 3 release: no `apply_method`); someone edits
//! objects live (scales the Deployment, adds an annotation, a Service label, custom-resource
//! fields); the tool upgrades to revision 2 with its default flags (an env list changed by merge
//! key, a container port, a Service port, a label and a ConfigMap key removed, the Deployment's
//! strategy and a volume's source switched (`$retainKeys`), custom-resource fields changed and
//! removed); then rolls back to 1. An upgrade the API server would refuse is refused whole by the
//! preflight (the same patches as dry runs).
//!
//! Adoption: objects made by hand (values that differ from the chart's, fields it does not set)
//! taken over by `install --take-ownership --server-side=false` and `upgrade --install` with the
//! same flags, against helm v4.1.4 (live objects and records), and helm v3.17.3's `install
//! --take-ownership` (which leaves custom resources alone); an upgrade of a Helm 3 release
//! adopting an object its new revision adds, against both. Rollback to a revision with an object
//! the current one lacks: re-created by hand or kept by its resource policy (Helm fails the
//! rollback), or absent (re-created, and what the current revision added deleted), with each Helm
//! and both `--server-side` modes. Every test's namespaces go away with a [`common::Cleanup`] guard.
mod common;
use common::{kubeconfig, oracle, snapshot, HelmEnv};

use std::path::{Path, PathBuf};

use serde_json::Value;

const CHART_YAML: &str = "apiVersion: v2\nname: merge\nversion: 0.1.0\n";

const TEMPLATES: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels:
    app: web
    {{- if not .Values.v2 }}
    tier: front
    {{- end }}
spec:
  replicas: 1
  {{- if .Values.v2 }}
  strategy:
    type: Recreate
  {{- end }}
  selector:
    matchLabels:
      app: {{ .Values.app | default "web" }}
  template:
    metadata:
      labels:
        app: {{ .Values.app | default "web" }}
    spec:
      containers:
        - name: web
          image: registry.k8s.io/pause:3.10
          env:
            {{- if not .Values.v2 }}
            - name: A
              value: "1"
            - name: B
              value: "2"
            {{- else }}
            - name: B
              value: "3"
            - name: C
              value: "4"
            {{- end }}
          ports:
            - containerPort: 80
            {{- if not .Values.v2 }}
            - containerPort: 81
            {{- end }}
      volumes:
        - name: data
          {{- if .Values.v2 }}
          emptyDir: {}
          {{- else }}
          configMap:
            name: {{ .Release.Name }}-cfg
          {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-svc
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
    {{- if not .Values.v2 }}
    - name: extra
      port: 81
    {{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
data:
  kept: "yes"
  {{- if not .Values.v2 }}
  dropped: "soon"
  {{- else }}
  added: "now"
  {{- end }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ .Release.Name }}-mon
spec:
  selector:
    matchLabels:
      app: web
  targetLabels: [app]
  endpoints:
    - port: http
      {{- if .Values.v2 }}
      interval: 30s
      {{- end }}
  {{- if not .Values.v2 }}
  jobLabel: app
  {{- end }}
"#;

/// Revision 2 (`v2`) drops ConfigMap `r-gone` (first in install order; with `keep`, kept by its
/// resource policy), adds `r-added` and changes the others.
const ROLLBACK_TEMPLATES: &str = r#"{{- if not .Values.v2 }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: r-gone
  {{- if .Values.keep }}
  annotations:
    helm.sh/resource-policy: keep
  {{- end }}
data:
  x: "1"
---
{{- end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: r-stays
data:
  v: {{ ternary "2" "1" .Values.v2 | quote }}
---
{{- if .Values.v2 }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: r-added
data:
  k: "2"
---
{{- end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: r-zstays
data:
  v: {{ ternary "2" "1" .Values.v2 | quote }}
"#;

/// Objects that exist before `install --take-ownership`, made by hand: values that differ from
/// the chart's and fields it does not set (the chart's Service does not exist yet).
const PRE_EXISTING: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: r-web
  labels:
    app: web
    owner: team
  annotations:
    note: by-hand
spec:
  replicas: 3
  revisionHistoryLimit: 4
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.k8s.io/pause:3.9
          env:
            - name: B
              value: live
            - name: Z
              value: live
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: r-cfg
  labels:
    owner: team
data:
  kept: "no"
  live: "only"
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: r-mon
  labels:
    owner: team
spec:
  selector:
    matchLabels:
      app: other
  endpoints:
    - port: metrics
      interval: 10s
  sampleLimit: 5
"#;

struct Tools {
    env: HelmEnv,
    helm3: PathBuf,
    helm4: PathBuf,
    rudder: PathBuf,
    kubectl: PathBuf,
    chart: PathBuf,
    /// [`ROLLBACK_TEMPLATES`].
    rollback_chart: PathBuf,
    /// The scratch directory holding both.
    dir: PathBuf,
}

impl Tools {
    fn new(kubeconfig: &Path, dir: &Path) -> Tools {
        let chart = dir.join("chart");
        common::write_chart(
            &chart,
            CHART_YAML,
            &[
                ("values.yaml", "v2: false\n"),
                ("templates/all.yaml", TEMPLATES),
            ],
        );
        let rollback_chart = dir.join("rollback-chart");
        common::write_chart(
            &rollback_chart,
            CHART_YAML,
            &[
                ("values.yaml", "v2: false\nkeep: false\n"),
                ("templates/all.yaml", ROLLBACK_TEMPLATES),
            ],
        );
        Tools {
            env: HelmEnv::new(kubeconfig, &dir.join("home")),
            helm3: common::helm_v3().expect("helm v3"),
            helm4: oracle("v4"),
            rudder: common::rudder_as_helm(),
            kubectl: oracle("kubectl"),
            chart,
            rollback_chart,
            dir: dir.to_path_buf(),
        }
    }

    fn tool(&self, name: &str) -> &Path {
        match name {
            "helm3" => &self.helm3,
            "helm4" => &self.helm4,
            _ => &self.rudder,
        }
    }

    fn must(&self, program: &Path, args: &[&str]) -> String {
        self.env.must(program, args)
    }

    fn kubectl(&self, ns: &str, args: &[&str]) -> String {
        let mut all = vec!["-n", ns];
        all.extend_from_slice(args);
        self.must(&self.kubectl, &all)
    }

    /// Edits made live, as someone with kubectl would.
    fn edit_live(&self, ns: &str) {
        self.kubectl(ns, &["scale", "deployment", "r-web", "--replicas=3"]);
        self.kubectl(ns, &["annotate", "deployment", "r-web", "edited=yes"]);
        self.kubectl(ns, &["label", "service", "r-svc", "extra=live"]);
        self.kubectl(
            ns,
            &[
                "patch",
                "servicemonitor",
                "r-mon",
                "--type",
                "merge",
                "-p",
                r#"{"spec":{"sampleLimit":5,"targetLabels":["live"]}}"#,
            ],
        );
    }

    /// The release's objects as the server holds them, minus what differs between namespaces
    /// and runs.
    fn live(&self, ns: &str) -> Value {
        snapshot::live_objects(&self.kubectl(
            ns,
            &[
                "get",
                "deployment,service,configmap,servicemonitor",
                "-o",
                "json",
                "--show-managed-fields",
            ],
        ))
    }

    /// The release's records, oldest first, without what differs between runs and namespaces:
    /// times, chart modtimes, the namespace's name.
    fn records(&self, ns: &str) -> Vec<Value> {
        let text = self.kubectl(
            ns,
            &["get", "secrets", "-l", "owner=helm,name=r", "-o", "json"],
        );
        snapshot::decoded_records(&text, ns)
    }

    /// Each revision's `apply_method` (empty when absent, as Helm 3 writes).
    fn methods(&self, ns: &str) -> Vec<String> {
        self.records(ns)
            .iter()
            .map(|rel| rel["apply_method"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

/// A test's set-up, or `None` without a cluster (the test is skipped): the ServiceMonitor CRD, a
/// scratch directory named after `what`, the clean-up guard, the tools.
fn set_up(what: &str) -> Option<(common::Cleanup, Tools)> {
    let kubeconfig = kubeconfig()?;
    common::servicemonitor_crd(&kubeconfig);
    let dir = common::scratch(what);
    let cleanup = common::Cleanup::new(&kubeconfig, Some(&dir));
    Some((cleanup, Tools::new(&kubeconfig, &dir)))
}

fn assert_same(what: &str, ours: &Value, theirs: &Value) {
    let differences = snapshot::differences(ours, theirs);
    assert!(
        differences.is_empty(),
        "{what}: rudder's live objects differ:\n{}",
        differences.join("\n")
    );
}

/// What the upgrade must have done, whoever ran it (so that the comparison cannot pass on two
/// equally wrong results).
fn check_upgraded(live: &Value) {
    let deployment = &live["Deployment/r-web"];
    assert_eq!(deployment["spec"]["replicas"], 1, "live scale reverted");
    assert_eq!(deployment["metadata"]["annotations"]["edited"], "yes");
    assert_eq!(deployment["metadata"]["labels"]["tier"], Value::Null);
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        container["env"],
        serde_json::json!([{"name": "B", "value": "3"}, {"name": "C", "value": "4"}])
    );
    assert_eq!(container["ports"].as_array().unwrap().len(), 1);
    // `$retainKeys`: the defaulted rolling update and the volume's old source are cleared.
    assert_eq!(
        deployment["spec"]["strategy"],
        serde_json::json!({"type": "Recreate"})
    );
    let volume = &deployment["spec"]["template"]["spec"]["volumes"][0];
    assert_eq!(volume["configMap"], Value::Null);
    assert_eq!(volume["emptyDir"], serde_json::json!({}));
    let service = &live["Service/r-svc"];
    assert_eq!(service["metadata"]["labels"]["extra"], "live");
    assert_eq!(service["spec"]["ports"].as_array().unwrap().len(), 1);
    assert_eq!(
        live["ConfigMap/r-cfg"]["data"],
        serde_json::json!({"kept": "yes", "added": "now"})
    );
    // A custom resource gets a two-way JSON merge patch: live changes to fields the chart did not
    // change are kept.
    let monitor = &live["ServiceMonitor/r-mon"]["spec"];
    assert_eq!(monitor["sampleLimit"], 5);
    assert_eq!(monitor["targetLabels"], serde_json::json!(["live"]));
    assert_eq!(monitor["jobLabel"], Value::Null);
    assert_eq!(monitor["endpoints"][0]["interval"], "30s");
}

#[test]
fn helm3_release_upgraded_and_rolled_back_as_helm_does() {
    let Some((mut cleanup, tools)) = set_up("client-side") else {
        return;
    };
    let chart = tools.chart.to_str().unwrap().to_string();
    let mut upgraded = Vec::new();
    let mut rolled_back = Vec::new();
    let mut methods = Vec::new();
    for tool in ["helm4", "helm3", "rudder"] {
        let ns = cleanup.namespace(&format!("rm-cs-{tool}-{}", std::process::id()));
        tools.must(&tools.helm3, &["install", "r", &chart, "-n", &ns]);
        tools.edit_live(&ns);
        let program = tools.tool(tool);
        tools.must(
            program,
            &["upgrade", "r", &chart, "-n", &ns, "--set", "v2=true"],
        );
        let live = tools.live(&ns);
        check_upgraded(&live);
        upgraded.push(live);
        // Edited again, then back to revision 1 (a client-side revision: `auto` stays
        // client-side).
        tools.kubectl(&ns, &["scale", "deployment", "r-web", "--replicas=2"]);
        tools.must(program, &["rollback", "r", "1", "-n", &ns]);
        rolled_back.push(tools.live(&ns));
        methods.push(tools.methods(&ns));
    }
    assert_eq!(rolled_back[2]["Deployment/r-web"]["spec"]["replicas"], 1);
    assert_eq!(
        rolled_back[2]["Deployment/r-web"]["metadata"]["labels"]["tier"],
        "front"
    );
    // helm v4 and Rudder keep the release client-side and record it; helm v3 records nothing.
    assert_eq!(methods[0], ["", "csa", "csa"]);
    assert_eq!(methods[2], methods[0]);
    assert_same("upgrade, against helm v4.1.4", &upgraded[2], &upgraded[0]);
    assert_same("upgrade, against helm v3.17.3", &upgraded[2], &upgraded[1]);
    assert_same(
        "rollback, against helm v4.1.4",
        &rolled_back[2],
        &rolled_back[0],
    );
    assert_same(
        "rollback, against helm v3.17.3",
        &rolled_back[2],
        &rolled_back[1],
    );
}

#[test]
fn server_side_false_updates_a_server_side_release_client_side_as_helm_4() {
    let Some((mut cleanup, tools)) = set_up("client-side-off") else {
        return;
    };
    let chart = tools.chart.to_str().unwrap().to_string();
    let mut upgraded = Vec::new();
    let mut methods = Vec::new();
    for tool in ["helm4", "rudder"] {
        let ns = cleanup.namespace(&format!("rm-off-{tool}-{}", std::process::id()));
        let program = tools.tool(tool);
        tools.must(program, &["install", "r", &chart, "-n", &ns]);
        tools.edit_live(&ns);
        tools.must(
            program,
            &[
                "upgrade",
                "r",
                &chart,
                "-n",
                &ns,
                "--set",
                "v2=true",
                "--server-side=false",
            ],
        );
        upgraded.push(tools.live(&ns));
        methods.push(tools.methods(&ns));
    }
    assert_eq!(methods[0], ["ssa", "csa"]);
    assert_eq!(methods[1], methods[0]);
    assert_same(
        "--server-side=false, against helm v4.1.4",
        &upgraded[1],
        &upgraded[0],
    );
}

#[test]
fn preflight_refuses_a_client_side_update_the_server_would_refuse() {
    let Some((mut cleanup, tools)) = set_up("client-side-preflight") else {
        return;
    };
    let chart = tools.chart.to_str().unwrap().to_string();
    let ns = cleanup.namespace(&format!("rm-pre-{}", std::process::id()));
    tools.must(&tools.helm3, &["install", "r", &chart, "-n", &ns]);
    // A Deployment's selector cannot change: the dry run of the patch is refused, nothing sent.
    let out = tools.env.run(
        &tools.rudder,
        &[
            "upgrade",
            "r",
            &chart,
            "-n",
            &ns,
            "--set",
            "v2=true,app=other",
        ],
    );
    assert_eq!(out.exit, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("nothing was changed")
            && out.stderr.contains("Deployment \"r-web\"")
            && out.stderr.contains("field is immutable"),
        "{}",
        out.stderr
    );
    assert_eq!(tools.methods(&ns), [""]);
    let live = tools.live(&ns);
    assert_eq!(live["ConfigMap/r-cfg"]["data"]["dropped"], "soon");
}

/// What adopting [`PRE_EXISTING`] must have done, whoever did it: the chart's fields set (a
/// strategic merge for the built-in kinds), the others kept, ownership metadata added.
fn check_adopted(live: &Value) {
    let deployment = &live["Deployment/r-web"];
    assert_eq!(deployment["spec"]["replicas"], 1, "chart's replicas");
    assert_eq!(deployment["spec"]["revisionHistoryLimit"], 4, "live field");
    let meta = &deployment["metadata"];
    assert_eq!(meta["annotations"]["note"], "by-hand");
    assert_eq!(meta["annotations"]["meta.helm.sh/release-name"], "r");
    assert_eq!(meta["labels"]["app.kubernetes.io/managed-by"], "Helm");
    assert_eq!(
        (&meta["labels"]["owner"], &meta["labels"]["tier"]),
        (&"team".into(), &"front".into())
    );
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "registry.k8s.io/pause:3.10");
    let mut env: Vec<String> = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}={}",
                e["name"].as_str().unwrap(),
                e["value"].as_str().unwrap()
            )
        })
        .collect();
    env.sort();
    assert_eq!(env, ["A=1", "B=2", "Z=live"], "env merged by name");
    let config = &live["ConfigMap/r-cfg"];
    assert_eq!(
        config["data"],
        serde_json::json!({"kept": "yes", "dropped": "soon", "live": "only"})
    );
    assert_eq!(config["metadata"]["labels"]["owner"], "team");
    assert_eq!(
        live["Service/r-svc"]["metadata"]["annotations"]["meta.helm.sh/release-name"],
        "r"
    );
}

#[test]
fn take_ownership_server_side_false_adopts_objects_as_helm_4() {
    let Some((mut cleanup, tools)) = set_up("take-ownership-csa") else {
        return;
    };
    let chart = tools.chart.to_str().unwrap().to_string();
    let pre = tools.dir.join("pre-existing.yaml");
    std::fs::write(&pre, PRE_EXISTING).unwrap();
    let mut live = std::collections::BTreeMap::new();
    let mut records = std::collections::BTreeMap::new();
    for (run, tool, command) in [
        ("helm4", "helm4", "install"),
        ("rudder", "rudder", "install"),
        ("helm4-upi", "helm4", "upgrade"),
        ("rudder-upi", "rudder", "upgrade"),
        ("helm3", "helm3", "install"),
        // Objects that already name the release are adopted without the flag.
        ("helm4-owned", "helm4", "install"),
        ("rudder-owned", "rudder", "install"),
    ] {
        let ns = cleanup.namespace(&format!("ro-own-{run}-{}", std::process::id()));
        tools.kubectl(&ns, &["create", "-f", pre.to_str().unwrap()]);
        let mut args = vec![command, "r", &chart, "-n", &ns];
        if run.ends_with("-owned") {
            let all = [
                "deployment/r-web",
                "configmap/r-cfg",
                "servicemonitor/r-mon",
            ];
            let namespace = format!("meta.helm.sh/release-namespace={ns}");
            for object in all {
                tools.kubectl(&ns, &["label", object, "app.kubernetes.io/managed-by=Helm"]);
                let release = "meta.helm.sh/release-name=r";
                tools.kubectl(&ns, &["annotate", object, release, &namespace]);
            }
        } else {
            args.push("--take-ownership");
        }
        if command == "upgrade" {
            args.push("--install");
        }
        if tool != "helm3" {
            args.push("--server-side=false");
        }
        tools.must(tools.tool(tool), &args);
        let snapshot = tools.live(&ns);
        check_adopted(&snapshot);
        live.insert(run, snapshot);
        records.insert(run, tools.records(&ns));
    }
    // Helm 4 patches the custom resource with a three-way JSON merge patch: the chart's fields
    // set, the live `sampleLimit` kept.
    let monitor = &live["rudder"]["ServiceMonitor/r-mon"];
    assert_eq!(monitor["spec"]["selector"]["matchLabels"]["app"], "web");
    assert_eq!(
        monitor["spec"]["endpoints"],
        serde_json::json!([{"port": "http"}])
    );
    assert_eq!(monitor["spec"]["sampleLimit"], 5);
    assert_eq!(monitor["spec"]["jobLabel"], "app");
    assert_eq!(monitor["metadata"]["labels"]["owner"], "team");
    assert_eq!(
        monitor["metadata"]["annotations"]["meta.helm.sh/release-name"],
        "r"
    );
    assert_same(
        "install, against helm v4.1.4",
        &live["rudder"],
        &live["helm4"],
    );
    assert_same(
        "upgrade --install, against helm v4.1.4",
        &live["rudder-upi"],
        &live["helm4-upi"],
    );
    assert_eq!(records["rudder"], records["helm4"]);
    assert_eq!(records["rudder-upi"], records["helm4-upi"]);
    assert_eq!(records["rudder"][0]["apply_method"], "csa");
    // Without `--take-ownership`, Helm 4 sends a custom resource the two-way JSON merge patch from
    // the new object to itself: nothing.
    assert_same(
        "install over objects the release owns, against helm v4.1.4",
        &live["rudder-owned"],
        &live["helm4-owned"],
    );
    assert_eq!(records["rudder-owned"], records["helm4-owned"]);
    let monitor = &live["rudder-owned"]["ServiceMonitor/r-mon"]["spec"];
    assert_eq!(monitor["selector"]["matchLabels"]["app"], "other");
    // Helm 3 patches built-in kinds the same way, but sends a custom resource the two-way JSON
    // merge patch from the new object to itself: nothing, so it stays as it was, unowned.
    let mut helm3 = live["helm3"].as_object().unwrap().clone();
    let mut ours = live["rudder"].as_object().unwrap().clone();
    let untouched = helm3.remove("ServiceMonitor/r-mon").unwrap();
    ours.remove("ServiceMonitor/r-mon");
    assert_eq!(untouched["spec"]["selector"]["matchLabels"]["app"], "other");
    assert_eq!(untouched["metadata"]["annotations"], Value::Null);
    assert_same(
        "install, against helm v3.17.3",
        &Value::Object(ours),
        &Value::Object(helm3),
    );
}

/// How a rollback to revision 1 ended, and what it left.
struct RolledBack {
    exit: i32,
    /// The last line of stderr.
    error: String,
    live: Value,
    records: Vec<Value>,
}

/// Installs the rollback chart (`extra`: install flags), upgrades to `v2`, does what `case` says,
/// then rolls back to 1.
fn rollback_case(
    tools: &Tools,
    program: &Path,
    ns: &str,
    case: &str,
    extra: &[&str],
) -> RolledBack {
    let chart = tools.rollback_chart.to_str().unwrap();
    let mut install = vec!["install", "r", chart, "-n", ns];
    install.extend_from_slice(extra);
    if case == "kept" {
        install.extend(["--set", "keep=true"]);
    }
    tools.must(program, &install);
    tools.must(
        program,
        &["upgrade", "r", chart, "-n", ns, "--set", "v2=true"],
    );
    if case == "recreated" {
        tools.kubectl(
            ns,
            &["create", "configmap", "r-gone", "--from-literal=x=by-hand"],
        );
    }
    let out = tools.env.run(program, &["rollback", "r", "1", "-n", ns]);
    RolledBack {
        exit: out.exit,
        error: out.stderr.lines().last().unwrap_or_default().to_string(),
        live: tools.live(ns),
        records: tools.records(ns),
    }
}

#[test]
fn rollback_over_objects_the_current_revision_lacks_as_helm_does() {
    let Some((mut cleanup, tools)) = set_up("rollback-unrecorded") else {
        return;
    };
    // `recreated`: revision 2 deleted r-gone, someone made it again; `kept`: revision 2 dropped it
    // but its resource policy kept it; `plain`: r-gone re-created and r-added deleted.
    for case in ["recreated", "kept", "plain"] {
        let mut results = std::collections::BTreeMap::new();
        for (run, tool, extra) in [
            ("helm3", "helm3", &[][..]),
            ("helm4-ssa", "helm4", &[][..]),
            ("helm4-csa", "helm4", &["--server-side=false"][..]),
            ("rudder-ssa", "rudder", &[][..]),
            ("rudder-csa", "rudder", &["--server-side=false"][..]),
        ] {
            let ns = cleanup.namespace(&format!("ro-rb-{case}-{run}-{}", std::process::id()));
            results.insert(
                run,
                rollback_case(&tools, tools.tool(tool), &ns, case, extra),
            );
        }
        for mode in ["ssa", "csa"] {
            let ours = &results[format!("rudder-{mode}").as_str()];
            let helm4 = &results[format!("helm4-{mode}").as_str()];
            let helm3 = &results["helm3"];
            let what = format!("{case}, --server-side={}", mode == "ssa");
            assert_eq!(
                (ours.exit, helm4.exit, helm3.exit),
                (helm3.exit, helm3.exit, helm3.exit),
                "{what}: exit codes"
            );
            // Helm 3's wording (Helm 4 says `original object ConfigMap with the name … not found`).
            assert_eq!(ours.error, helm3.error, "{what}");
            assert_same(
                &format!("{what}, against helm v4.1.4"),
                &ours.live,
                &helm4.live,
            );
            if mode == "csa" {
                // Helm 3 applies client-side: the same managed fields.
                assert_same(
                    &format!("{what}, against helm v3.17.3"),
                    &ours.live,
                    &helm3.live,
                );
            }
            let info = |r: &RolledBack, key: &str| -> Vec<Value> {
                r.records
                    .iter()
                    .map(|rel| rel["info"][key].clone())
                    .collect()
            };
            assert_eq!(info(ours, "status"), info(helm4, "status"), "{what}");
            assert_eq!(
                info(ours, "description"),
                info(helm3, "description"),
                "{what}"
            );
            let undescribed = |r: &RolledBack| -> Vec<Value> {
                let mut records = r.records.clone();
                for rel in &mut records {
                    rel["info"].as_object_mut().unwrap().remove("description");
                }
                records
            };
            assert_eq!(undescribed(ours), undescribed(helm4), "{what}: records");
        }
        let ours = &results["rudder-ssa"];
        match case {
            "plain" => {
                assert_eq!(ours.exit, 0);
                assert_eq!(ours.live["ConfigMap/r-gone"]["data"]["x"], "1");
                assert_eq!(
                    ours.live["ConfigMap/r-added"],
                    Value::Null,
                    "r-added deleted"
                );
                assert_eq!(ours.live["ConfigMap/r-stays"]["data"]["v"], "1");
            }
            _ => {
                assert_eq!(
                    ours.error,
                    "Error: no ConfigMap with the name \"r-gone\" found"
                );
                assert_eq!(
                    ours.live["ConfigMap/r-stays"]["data"]["v"], "2",
                    "nothing changed"
                );
                assert_eq!(
                    ours.records
                        .iter()
                        .map(|rel| rel["info"]["status"].as_str().unwrap())
                        .collect::<Vec<_>>(),
                    ["superseded", "superseded", "failed"]
                );
            }
        }
    }
}

#[test]
fn upgrade_take_ownership_of_a_client_side_release_adopts_as_helm_does() {
    let Some((mut cleanup, tools)) = set_up("take-ownership-upgrade") else {
        return;
    };
    let chart = tools.rollback_chart.to_str().unwrap();
    let mut live = std::collections::BTreeMap::new();
    let mut records = std::collections::BTreeMap::new();
    for tool in ["helm3", "helm4", "rudder"] {
        let ns = cleanup.namespace(&format!("ro-own-up-{tool}-{}", std::process::id()));
        // A Helm 3 release (`auto` stays client-side); revision 2 adds r-added, made by hand first.
        tools.must(&tools.helm3, &["install", "r", chart, "-n", &ns]);
        tools.kubectl(
            &ns,
            &[
                "create",
                "configmap",
                "r-added",
                "--from-literal=k=hand",
                "--from-literal=live=only",
            ],
        );
        let args = [
            "upgrade",
            "--install",
            "r",
            chart,
            "-n",
            &ns,
            "--take-ownership",
            "--set",
            "v2=true",
        ];
        tools.must(tools.tool(tool), &args);
        live.insert(tool, tools.live(&ns));
        records.insert(tool, tools.records(&ns));
    }
    let added = &live["rudder"]["ConfigMap/r-added"];
    assert_eq!(added["data"], serde_json::json!({"k": "2", "live": "only"}));
    assert_eq!(
        added["metadata"]["annotations"]["meta.helm.sh/release-name"],
        "r"
    );
    assert_same("against helm v4.1.4", &live["rudder"], &live["helm4"]);
    assert_same("against helm v3.17.3", &live["rudder"], &live["helm3"]);
    assert_eq!(records["rudder"], records["helm4"]);
}
