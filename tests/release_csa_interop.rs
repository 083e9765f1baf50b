//! Real Helm continues a client-side release that Rudder wrote, exactly as it continues one it
//! wrote itself. Each chain runs twice on the local control plane, in its own namespace (`rb-…`):
//! once with Rudder writing the first revisions, once with helm v4.1.4 writing them with the same
//! flags (the twin); then the same Helm (v3.17.3 or v4.1.4) continues both. After every step the
//! live objects (minus what the server sets per object and the controllers' managed fields) and
//! the decoded release records (minus times) must be equal, and so must `history`, `get values
//! -a` and `get manifest`.
//!
//! The chain: `install --server-side=false` (a `csa` release); live edits with kubectl (scale,
//! annotate); `upgrade` with no `--server-side` flag (`auto` on a csa release stays client-side)
//! changing a value; `rollback` to 1; more live edits (a ConfigMap annotation, a custom-resource
//! field); then Helm upgrades (a container port removed, a ConfigMap key removed, an env element
//! removed by merge key, custom-resource fields changed and removed, a value changed), rolls back
//! to Rudder's revision 2, then to its own revision 4; Helm 4 then migrates the release to
//! server-side apply (`upgrade --server-side=true`).
//!
//! The chart's Service has two ports numbered 53 (TCP and UDP: its ports merge by `port` and
//! `protocol`), one dropped and one changed by the Helm upgrade; its Deployment's strategy turns
//! from `RollingUpdate` (with `rollingUpdate` set) to `Recreate` on Rudder's upgrade and back on its
//! rollback (a `$retainKeys` patch each way), and again on Helm's rollbacks. The helm v3 chain
//! stores its records with `HELM_DRIVER=configmap`, the helm v4 one with the default `secret`.
mod common;
use common::{kubeconfig, oracle, snapshot, HelmEnv};

use std::path::{Path, PathBuf};

use serde_json::Value;

const CHART_YAML: &str = "apiVersion: v2\nname: interop\nversion: 0.1.0\n";

const VALUES: &str = "image: registry.k8s.io/pause:3.10\nlevel: one\nv2: false\n";

const TEMPLATES: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: r-web
  labels:
    app: web
spec:
  replicas: 1
  strategy:
    {{- if eq .Values.level "two" }}
    type: Recreate
    {{- else }}
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
    {{- end }}
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
          image: {{ .Values.image }}
          env:
            {{- if not .Values.v2 }}
            - name: A
              value: "1"
            {{- end }}
            - name: LEVEL
              value: {{ .Values.level | quote }}
          ports:
            - containerPort: 80
            {{- if not .Values.v2 }}
            - containerPort: 81
            {{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: r-cfg
data:
  level: {{ .Values.level | quote }}
  {{- if not .Values.v2 }}
  dropped: "soon"
  {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: r-svc
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 80
    - name: dns-tcp
      port: 53
      protocol: TCP
      targetPort: {{ if .Values.v2 }}5353{{ else }}53{{ end }}
    {{- if not .Values.v2 }}
    - name: dns-udp
      port: 53
      protocol: UDP
    - name: metrics
      port: 9090
    {{- end }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: r-mon
spec:
  selector:
    matchLabels:
      app: web
  endpoints:
    - port: http
      {{- if .Values.v2 }}
      interval: 30s
      {{- end }}
  {{- if not .Values.v2 }}
  jobLabel: app
  {{- end }}
"#;

struct Tools {
    env: HelmEnv,
    helm3: PathBuf,
    helm4: PathBuf,
    rudder: PathBuf,
    kubectl: PathBuf,
    chart: String,
    /// `HELM_DRIVER`: `secret` or `configmap`.
    driver: &'static str,
}

impl Tools {
    fn must(&self, program: &Path, args: &[&str]) -> String {
        self.env.must(program, args)
    }

    fn kubectl(&self, ns: &str, args: &[&str]) -> String {
        let mut all = vec!["-n", ns];
        all.extend_from_slice(args);
        self.must(&self.kubectl, &all)
    }

    /// The release's objects as the server holds them, minus what differs between namespaces
    /// and runs; only Helm's managed-fields entries, without their times.
    fn live(&self, ns: &str) -> Value {
        snapshot::live_objects(&self.kubectl(
            ns,
            &[
                "get",
                "deployment/r-web",
                "configmap/r-cfg",
                "service/r-svc",
                "servicemonitor/r-mon",
                "-o",
                "json",
                "--show-managed-fields",
            ],
        ))
    }

    /// The release's records, oldest first, decoded, without times and chart modtimes, the
    /// namespace's name replaced.
    fn records(&self, ns: &str) -> Vec<Value> {
        let kind = if self.driver == "configmap" {
            "configmaps"
        } else {
            "secrets"
        };
        let text = self.kubectl(ns, &["get", kind, "-l", "owner=helm,name=r", "-o", "json"]);
        let records = snapshot::decoded_records(&text, ns);
        assert!(!records.is_empty(), "no release records in {kind} of {ns}");
        records
    }

    /// What `program` reports about the release: `history` (without times), `get values -a`,
    /// `get manifest`.
    fn reports(&self, program: &Path, ns: &str) -> Value {
        let history = self.must(program, &["history", "r", "-n", ns, "-o", "json"]);
        let mut history: Value = serde_json::from_str(&history).unwrap();
        for entry in history.as_array_mut().unwrap() {
            entry.as_object_mut().unwrap().remove("updated");
        }
        let values = self.must(
            program,
            &["get", "values", "r", "-n", ns, "-a", "-o", "json"],
        );
        let manifest = self.must(program, &["get", "manifest", "r", "-n", ns]);
        serde_json::json!({
            "history": history,
            "values": serde_json::from_str::<Value>(&values).unwrap(),
            "manifest": manifest,
        })
    }

    /// Everything compared after a step: live objects, records, Helm's reports.
    fn state(&self, helm: &Path, ns: &str) -> Value {
        serde_json::json!({
            "live": self.live(ns),
            "records": self.records(ns),
            "reports": self.reports(helm, ns),
        })
    }
}

fn assert_same(what: &str, ours: &Value, theirs: &Value) {
    let differences = snapshot::differences(ours, theirs);
    assert!(
        differences.is_empty(),
        "{what}: Rudder's release differs from the twin Helm wrote:\n{}",
        differences.join("\n")
    );
}

/// Runs the chain with `helm` (helm v3 or v4) continuing, in a Rudder-written namespace and a
/// twin helm v4 wrote; asserts equality after every step and returns the last state of the
/// Rudder-written one with each step's name.
fn chain(tools: &Tools, cleanup: &mut common::Cleanup, helm_name: &str) -> Vec<(String, Value)> {
    let helm = if helm_name == "helm3" {
        &tools.helm3
    } else {
        &tools.helm4
    };
    let chart = tools.chart.as_str();
    let pid = std::process::id();
    let ours = cleanup.namespace(&format!("rb-{helm_name}-rudder-{pid}"));
    let twin = cleanup.namespace(&format!("rb-{helm_name}-twin-{pid}"));
    let mut steps: Vec<(&str, &Path, Vec<&str>)> = vec![
        (
            "install --server-side=false",
            &tools.rudder,
            vec!["install", "r", chart, "--server-side=false"],
        ),
        (
            "edit",
            &tools.kubectl,
            vec!["scale", "deployment", "r-web", "--replicas=3"],
        ),
        (
            "edit",
            &tools.kubectl,
            vec!["annotate", "deployment", "r-web", "edited=yes"],
        ),
        (
            "upgrade (auto)",
            &tools.rudder,
            vec!["upgrade", "r", chart, "--set", "level=two"],
        ),
        ("rudder rollback", &tools.rudder, vec!["rollback", "r", "1"]),
        (
            "edit",
            &tools.kubectl,
            vec!["annotate", "configmap", "r-cfg", "live=yes"],
        ),
        (
            "edit",
            &tools.kubectl,
            vec![
                "patch",
                "servicemonitor",
                "r-mon",
                "--type",
                "merge",
                "-p",
                r#"{"spec":{"sampleLimit":5}}"#,
            ],
        ),
        (
            "edit",
            &tools.kubectl,
            vec!["scale", "deployment", "r-web", "--replicas=2"],
        ),
        (
            "helm upgrade",
            helm,
            vec!["upgrade", "r", chart, "--set", "v2=true,level=three"],
        ),
        (
            "edit",
            &tools.kubectl,
            vec!["scale", "deployment", "r-web", "--replicas=4"],
        ),
        (
            "helm rollback to rudder's 2",
            helm,
            vec!["rollback", "r", "2"],
        ),
        (
            "edit",
            &tools.kubectl,
            vec![
                "annotate",
                "deployment",
                "r-web",
                "edited=again",
                "--overwrite",
            ],
        ),
        (
            "helm rollback to helm's 4",
            helm,
            vec!["rollback", "r", "4"],
        ),
    ];
    if helm_name == "helm4" {
        steps.push((
            "helm upgrade --server-side=true",
            helm,
            vec![
                "upgrade",
                "r",
                chart,
                "--reuse-values",
                "--set",
                "image=registry.k8s.io/pause:3.9",
                "--server-side=true",
            ],
        ));
    }
    let mut states = Vec::new();
    for (step, program, args) in &steps {
        for ns in [&ours, &twin] {
            let program = if *program == tools.rudder.as_path() && ns == &twin {
                tools.helm4.as_path()
            } else {
                program
            };
            let mut args = args.clone();
            args.extend(["-n", ns.as_str()]);
            tools.must(program, &args);
        }
        if *step == "edit" {
            continue;
        }
        let state = tools.state(helm, &ours);
        assert_same(
            &format!("{helm_name}: after {step}"),
            &state,
            &tools.state(helm, &twin),
        );
        states.push((step.to_string(), state));
    }
    states
}

fn set_up(what: &str, driver: &'static str) -> Option<(common::Cleanup, Tools)> {
    let kubeconfig = kubeconfig()?;
    common::servicemonitor_crd(&kubeconfig);
    let dir = common::scratch(what);
    let cleanup = common::Cleanup::new(&kubeconfig, Some(&dir));
    let chart = dir.join("chart");
    common::write_chart(
        &chart,
        CHART_YAML,
        &[("values.yaml", VALUES), ("templates/all.yaml", TEMPLATES)],
    );
    let tools = Tools {
        env: HelmEnv::new(&kubeconfig, &dir.join("home")).with_var("HELM_DRIVER", driver),
        helm3: common::helm_v3().expect("helm v3"),
        helm4: oracle("v4"),
        rudder: common::rudder_as_helm(),
        kubectl: oracle("kubectl"),
        chart: chart.to_str().unwrap().to_string(),
        driver,
    };
    Some((cleanup, tools))
}

/// What each step must have done, whoever ran it (so that equality cannot pass on two equally
/// wrong results).
fn check_steps(states: &[(String, Value)]) {
    let at = |i: usize| &states[i].1["live"];
    let deployment = |i: usize| &at(i)["Deployment/r-web"];
    let container = |i: usize| &deployment(i)["spec"]["template"]["spec"]["containers"][0];
    let methods = |i: usize| -> Vec<String> {
        states[i].1["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["apply_method"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(methods(0), ["csa"]);
    assert_eq!(
        methods(1),
        ["csa", "csa"],
        "auto on a csa release stays csa"
    );
    // Rudder's upgrade: the chart's replicas win over the live scale, the live annotation stays.
    assert_eq!(deployment(1)["spec"]["replicas"], 1);
    assert_eq!(deployment(1)["metadata"]["annotations"]["edited"], "yes");
    // Rudder's rollback to 1: a third client-side revision.
    assert_eq!(methods(2), ["csa", "csa", "csa"]);
    assert_eq!(container(2)["env"][1]["value"], "one");
    // Helm's upgrade over Rudder's revisions.
    assert_eq!(deployment(3)["spec"]["replicas"], 1);
    assert_eq!(container(3)["ports"].as_array().unwrap().len(), 1);
    assert_eq!(
        container(3)["env"],
        serde_json::json!([{"name": "LEVEL", "value": "three"}])
    );
    let config = &at(3)["ConfigMap/r-cfg"];
    assert_eq!(config["data"], serde_json::json!({"level": "three"}));
    assert_eq!(config["metadata"]["annotations"]["live"], "yes");
    // A custom resource: a JSON merge patch, the live field kept.
    let monitor = &at(3)["ServiceMonitor/r-mon"]["spec"];
    assert_eq!(monitor["jobLabel"], Value::Null);
    assert_eq!(monitor["sampleLimit"], 5);
    assert_eq!(monitor["endpoints"][0]["interval"], "30s");
    // Back to Rudder's revision 2, then Helm's revision 4.
    assert_eq!(container(4)["ports"].as_array().unwrap().len(), 2);
    assert_eq!(container(4)["env"][0]["name"], "A");
    assert_eq!(container(4)["env"][1]["value"], "two");
    assert_eq!(at(4)["ConfigMap/r-cfg"]["data"]["dropped"], "soon");
    assert_eq!(container(5)["ports"].as_array().unwrap().len(), 1);
    assert_eq!(deployment(5)["metadata"]["annotations"]["edited"], "again");
    // The strategy: `$retainKeys` clears `rollingUpdate` on the way to Recreate (Rudder's upgrade,
    // Helm's rollback to Rudder's 2) and the chart's `maxSurge` comes back with RollingUpdate.
    let strategy = |i: usize| &deployment(i)["spec"]["strategy"];
    for i in [1, 4] {
        assert_eq!(
            strategy(i),
            &serde_json::json!({"type": "Recreate"}),
            "step {i}"
        );
    }
    for i in [0, 2, 3, 5] {
        assert_eq!(strategy(i)["type"], "RollingUpdate", "step {i}");
        assert_eq!(strategy(i)["rollingUpdate"]["maxSurge"], 1, "step {i}");
    }
    // The Service's ports merge by `port` alone in a strategic merge patch (apimachinery's known
    // limit): Helm's upgrade, dropping 53/UDP, sends `{"port": 53, "$patch": "delete"}`, which
    // deletes 53/TCP too (Rudder's and Helm's revisions alike, as the twin shows); the rollback to
    // Rudder's 2 brings back one 53 only (the same merge by `port`), Helm's and Rudder's alike.
    let ports = |i: usize| -> Vec<String> {
        at(i)["Service/r-svc"]["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{}/{}->{}",
                    p["port"],
                    p["protocol"].as_str().unwrap(),
                    p["targetPort"]
                )
            })
            .collect()
    };
    let all = ["80/TCP->80", "53/TCP->53", "53/UDP->53", "9090/TCP->9090"];
    for i in [0, 1, 2] {
        assert_eq!(ports(i), all, "step {i}");
    }
    assert_eq!(ports(3), ["80/TCP->80"]);
    assert_eq!(ports(4), ["80/TCP->80", "53/TCP->53", "9090/TCP->9090"]);
    let history = states[5].1["reports"]["history"].as_array().unwrap();
    assert_eq!(history.len(), 6);
    assert_eq!(history[2]["description"], "Rollback to 1");
    assert_eq!(history[5]["description"], "Rollback to 4");
}

#[test]
fn helm3_continues_a_release_rudder_wrote_client_side() {
    let Some((mut cleanup, tools)) = set_up("csa-interop-3", "configmap") else {
        return;
    };
    let states = chain(&tools, &mut cleanup, "helm3");
    check_steps(&states);
}

#[test]
fn helm4_continues_a_release_rudder_wrote_client_side_and_migrates_it() {
    let Some((mut cleanup, tools)) = set_up("csa-interop-4", "secret") else {
        return;
    };
    let states = chain(&tools, &mut cleanup, "helm4");
    check_steps(&states);
    let last = &states[6].1;
    let methods: Vec<&str> = last["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["apply_method"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(methods.last(), Some(&"ssa"));
    let managers: Vec<&str> = last["live"]["Deployment/r-web"]["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert!(managers.contains(&"Apply"), "{managers:?}");
}
