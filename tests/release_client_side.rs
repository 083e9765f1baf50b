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
mod common;
use common::{kubeconfig, oracle, HelmEnv};

use std::path::{Path, PathBuf};

use base64::Engine;
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

struct Tools {
    env: HelmEnv,
    helm3: PathBuf,
    helm4: PathBuf,
    rudder: PathBuf,
    kubectl: PathBuf,
    chart: PathBuf,
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
        Tools {
            env: HelmEnv::new(kubeconfig, &dir.join("home")),
            helm3: common::helm_v3().expect("helm v3"),
            helm4: oracle("v4"),
            rudder: common::rudder_as_helm(),
            kubectl: oracle("kubectl"),
            chart,
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
        let text = self.kubectl(
            ns,
            &[
                "get",
                "deployment,service,configmap,servicemonitor",
                "-o",
                "json",
                "--show-managed-fields",
            ],
        );
        let mut list: Value = serde_json::from_str(&text).unwrap();
        let mut out = serde_json::Map::new();
        for mut item in list["items"].as_array_mut().unwrap().drain(..) {
            let name = item["metadata"]["name"].as_str().unwrap().to_string();
            if name == "kube-root-ca.crt" {
                continue;
            }
            let kind = item["kind"].as_str().unwrap().to_string();
            let object = item.as_object_mut().unwrap();
            object.remove("status");
            let meta = object["metadata"].as_object_mut().unwrap();
            for key in [
                "namespace",
                "uid",
                "resourceVersion",
                "creationTimestamp",
                "generation",
            ] {
                meta.remove(key);
            }
            if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
                annotations.remove("meta.helm.sh/release-namespace");
                annotations.remove("deployment.kubernetes.io/revision");
            }
            // Helm's own entries (the controllers' come and go with their timing).
            if let Some(Value::Array(entries)) = meta.get_mut("managedFields") {
                entries.retain(|e| e["manager"] == "helm");
                for entry in entries.iter_mut() {
                    entry.as_object_mut().unwrap().remove("time");
                }
            }
            if let Some(Value::Object(spec)) = object.get_mut("spec") {
                spec.remove("clusterIP");
                spec.remove("clusterIPs");
            }
            out.insert(format!("{kind}/{name}"), item);
        }
        Value::Object(out)
    }

    /// Each revision's `apply_method` (empty when absent, as Helm 3 writes).
    fn methods(&self, ns: &str) -> Vec<String> {
        let text = self.kubectl(
            ns,
            &["get", "secrets", "-l", "owner=helm,name=r", "-o", "json"],
        );
        let list: Value = serde_json::from_str(&text).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut out: Vec<(i64, String)> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let outer = b64.decode(s["data"]["release"].as_str().unwrap()).unwrap();
                let gz = b64.decode(outer).unwrap();
                let mut json = String::new();
                std::io::Read::read_to_string(
                    &mut flate2::read::GzDecoder::new(gz.as_slice()),
                    &mut json,
                )
                .unwrap();
                let rel: Value = serde_json::from_str(&json).unwrap();
                (
                    rel["version"].as_i64().unwrap(),
                    rel["apply_method"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        out.sort();
        out.into_iter().map(|(_, m)| m).collect()
    }
}

/// The differences between two live snapshots, as paths.
fn diff(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let (va, vb) = (
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                );
                diff(va, vb, &format!("{path}/{key}"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} vs {b}")),
        _ => {}
    }
}

fn assert_same(what: &str, ours: &Value, theirs: &Value) {
    let mut differences = Vec::new();
    diff(ours, theirs, "", &mut differences);
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
    let Some(kubeconfig) = kubeconfig() else {
        return;
    };
    common::servicemonitor_crd(&kubeconfig);
    let dir = common::scratch("client-side");
    let tools = Tools::new(&kubeconfig, &dir);
    let chart = tools.chart.to_str().unwrap().to_string();
    let mut upgraded = Vec::new();
    let mut rolled_back = Vec::new();
    let mut methods = Vec::new();
    let mut namespaces = Vec::new();
    for tool in ["helm4", "helm3", "rudder"] {
        let ns = format!("rm-cs-{tool}-{}", std::process::id());
        tools.must(&tools.kubectl, &["create", "namespace", &ns]);
        namespaces.push(ns.clone());
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
    for ns in namespaces {
        tools.must(
            &tools.kubectl,
            &["delete", "namespace", &ns, "--wait=false"],
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn server_side_false_updates_a_server_side_release_client_side_as_helm_4() {
    let Some(kubeconfig) = kubeconfig() else {
        return;
    };
    common::servicemonitor_crd(&kubeconfig);
    let dir = common::scratch("client-side-off");
    let tools = Tools::new(&kubeconfig, &dir);
    let chart = tools.chart.to_str().unwrap().to_string();
    let mut upgraded = Vec::new();
    let mut methods = Vec::new();
    let mut namespaces = Vec::new();
    for tool in ["helm4", "rudder"] {
        let ns = format!("rm-off-{tool}-{}", std::process::id());
        tools.must(&tools.kubectl, &["create", "namespace", &ns]);
        namespaces.push(ns.clone());
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
    for ns in namespaces {
        tools.must(
            &tools.kubectl,
            &["delete", "namespace", &ns, "--wait=false"],
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn preflight_refuses_a_client_side_update_the_server_would_refuse() {
    let Some(kubeconfig) = kubeconfig() else {
        return;
    };
    common::servicemonitor_crd(&kubeconfig);
    let dir = common::scratch("client-side-preflight");
    let tools = Tools::new(&kubeconfig, &dir);
    let chart = tools.chart.to_str().unwrap().to_string();
    let ns = format!("rm-pre-{}", std::process::id());
    tools.must(&tools.kubectl, &["create", "namespace", &ns]);
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
    tools.must(
        &tools.kubectl,
        &["delete", "namespace", &ns, "--wait=false"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}
