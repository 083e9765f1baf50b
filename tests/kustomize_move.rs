//! The move of seed 003 from kustomize to a chart (docs/kustomize-to-chart.md): for the base and for
//! each overlay, what real `kubectl kustomize` renders from `docs/kustomize-to-chart/nova/` and what
//! `rudder template nova charts/nova -n nova -f values.<env>.yaml` renders are the same objects, field
//! for field, apart from what only the chart has: the labels `helm.sh/chart`,
//! `app.kubernetes.io/managed-by` and `app.kubernetes.io/version`, and no Namespace object (Helm's
//! `--create-namespace` makes it).
//!
//! Rudder's render equals Helm's (testdata/examples/nova-*.cmd), so this holds for Helm too.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const HELM_ONLY_LABELS: [&str; 3] = [
    "helm.sh/chart",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/version",
];

fn kubectl() -> PathBuf {
    let out = Command::new(Path::new(ROOT).join("scripts/install-oracle"))
        .args(["path", "kubectl"])
        .output()
        .expect("scripts/install-oracle runs");
    assert!(out.status.success(), "scripts/install-oracle path kubectl");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn run(program: &Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(ROOT)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A YAML node with maps keyed in order and scalars tagged by type.
#[derive(Debug, PartialEq)]
enum Node {
    Map(BTreeMap<String, Node>),
    List(Vec<Node>),
    Scalar(String),
}

fn node(y: &Yaml) -> Node {
    match y {
        Yaml::Hash(h) => Node::Map(
            h.iter()
                .map(|(k, v)| (k.as_str().expect("string keys").to_string(), node(v)))
                .collect(),
        ),
        Yaml::Array(a) => Node::List(a.iter().map(node).collect()),
        Yaml::String(s) => Node::Scalar(format!("string {s:?}")),
        Yaml::Integer(i) => Node::Scalar(format!("int {i}")),
        Yaml::Real(r) => Node::Scalar(format!("float {r}")),
        Yaml::Boolean(b) => Node::Scalar(format!("bool {b}")),
        Yaml::Null => Node::Scalar("null".into()),
        other => panic!("unexpected YAML node {other:?}"),
    }
}

fn get<'a>(n: &'a mut Node, path: &[&str]) -> Option<&'a mut BTreeMap<String, Node>> {
    let mut cur = n;
    for key in path {
        cur = match cur {
            Node::Map(m) => m.get_mut(*key)?,
            _ => return None,
        };
    }
    match cur {
        Node::Map(m) => Some(m),
        _ => None,
    }
}

/// Objects by `Kind/name`, without Namespaces and without the chart-only labels.
fn objects(text: &str) -> BTreeMap<String, Node> {
    let mut out = BTreeMap::new();
    for doc in YamlLoader::load_from_str(text).expect("valid YAML") {
        if doc.is_null() {
            continue;
        }
        let kind = doc["kind"].as_str().unwrap().to_string();
        let name = doc["metadata"]["name"].as_str().unwrap().to_string();
        if kind == "Namespace" {
            continue;
        }
        let mut n = node(&doc);
        for path in [
            &["metadata", "labels"][..],
            &["spec", "template", "metadata", "labels"][..],
        ] {
            if let Some(labels) = get(&mut n, path) {
                for l in HELM_ONLY_LABELS {
                    labels.remove(l);
                }
            }
        }
        assert!(
            out.insert(format!("{kind}/{name}"), n).is_none(),
            "{kind}/{name} twice"
        );
    }
    out
}

fn diff(a: &Node, b: &Node, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Node::Map(x), Node::Map(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => diff(p, q, &format!("{path}.{k}"), out),
                    (Some(_), None) => out.push(format!("{path}.{k}: only in kustomize")),
                    _ => out.push(format!("{path}.{k}: only in the chart")),
                }
            }
        }
        (Node::List(x), Node::List(y)) => {
            if x.len() != y.len() {
                out.push(format!("{path}: {} items != {}", x.len(), y.len()));
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(p, q, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a:?} (kustomize) != {b:?} (chart)")),
        _ => {}
    }
}

fn same_objects(kustomize_dir: &str, values: &[&str]) {
    let kustomized = objects(&run(&kubectl(), &["kustomize", kustomize_dir]));
    let mut args = vec!["template", "nova", "charts/nova", "-n", "nova"];
    for v in values {
        args.extend(["-f", v]);
    }
    let charted = objects(&run(Path::new(env!("CARGO_BIN_EXE_rudder")), &args));
    let mut out = Vec::new();
    for (key, k) in &kustomized {
        match charted.get(key) {
            Some(c) => diff(k, c, key, &mut out),
            None => out.push(format!("{key}: only in kustomize")),
        }
    }
    for key in charted.keys().filter(|k| !kustomized.contains_key(*k)) {
        out.push(format!("{key}: only in the chart"));
    }
    assert!(out.is_empty(), "{kustomize_dir}:\n{}", out.join("\n"));
    assert!(kustomized.len() >= 20, "{}", kustomized.len());
}

const SECRETS: &str = "charts/nova/ci/kustomize-secrets.yaml";

#[test]
fn the_chart_reproduces_the_kustomize_base() {
    same_objects("docs/kustomize-to-chart/nova/base", &[SECRETS]);
}

#[test]
fn values_dev_reproduces_overlays_dev() {
    same_objects(
        "docs/kustomize-to-chart/nova/overlays/dev",
        &["charts/nova/values.dev.yaml", SECRETS],
    );
}

#[test]
fn values_prod_reproduces_overlays_prod() {
    same_objects(
        "docs/kustomize-to-chart/nova/overlays/prod",
        &["charts/nova/values.prod.yaml", SECRETS],
    );
}
