//! The read commands (`history`, `list`, `status`, `get …`) against real Helm on the local control
//! plane: releases are installed, upgraded and uninstalled by real helm v3.17.3 and v4.1.4 in
//! namespaces of their own, then every command is run by helm v3.17.3 and by rudder (under the name
//! `helm`) and the outputs must be equal byte for byte: stdout, stderr and exit code. Records Helm 4
//! wrote are read by both through Helm 3's output, which is the compatibility target.
//!
//! Also checked here: the JSON inside a record Helm 3 wrote re-encodes to the same bytes through
//! Rudder's model (byte compatibility of what Rudder writes), and Helm 4's records decode.
//!
//! The cluster is found as tests/cluster_smoke.rs finds it (`KUBECONFIG` on 127.0.0.0/8, else
//! `tests/cluster/up`); without one the test is skipped, or fails when `CI=true`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{oracle, HelmEnv as Env, Outcome};

const CHART_YAML: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: \"1.2.3\"\ndescription: A chart <for> read tests & more\nannotations:\n  team: storage\n  tier: test\n";
const VALUES_YAML: &str = "greeting: hello\nnested:\n  list: [1, 2.5, \"x\"]\n  big: 1000000\n  html: \"<b>&</b>\"\nremoved: gone\n";
const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  revision: \"{{ .Release.Revision }}\"\n  html: {{ .Values.nested.html | quote }}\n";
const HOOK: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    \"helm.sh/hook\": pre-install,pre-upgrade\n    \"helm.sh/hook-weight\": \"-5\"\n    \"helm.sh/hook-delete-policy\": before-hook-creation\ndata:\n  a: b\n";
const NOTES: &str = "Thank you for installing {{ .Chart.Name }} as {{ .Release.Name }}.\n";

/// `get all --template` cases: fields, methods, Go printing of maps, structs and times, builtins,
/// and the errors (unknown field, parse error, no Sprig) with the output written before them.
const GET_ALL_TEMPLATES: &[&str] = &[
    "{{.Release.Name}}",
    "{{.Release.Chart.Metadata.Version}} {{.Release.Chart.Metadata.AppVersion}}",
    "{{.Release.Chart.Name}}|{{.Release.Chart.AppVersion}}|{{.Release.Chart.IsRoot}}",
    "{{.Release.Info.Status}}",
    "{{if eq .Release.Info.Status \"deployed\"}}live{{else}}old{{end}}",
    "{{.Release.Config}}",
    "{{.Release.Config.nope}}|{{.Release.Config.greeting}}",
    "{{.Release.Chart.Values}}",
    "{{.Release.Info.LastDeployed}}|{{.Release.Info.Deleted}}",
    "{{.Release.Info.LastDeployed.Unix}}",
    "{{.Release.Info}}",
    "{{.Release.Info.Description}}",
    "{{.Release.Chart.Metadata}}",
    "{{.Release.Chart.Metadata.Annotations}}",
    "{{.Release.Labels}}",
    "{{printf \"%s-%d %T\" .Release.Name .Release.Version .Release.Version}}",
    "{{.Release.Namespace}}",
    "{{.Release.Manifest}}",
    "{{range .Release.Hooks}}{{.Name}} {{.Kind}} {{.Path}} {{.Events}} {{.Weight}} {{.DeletePolicies}} {{.LastRun.Phase}};{{end}}",
    "{{range .Release.Chart.Templates}}{{.Name}}:{{len .Data}};{{end}}",
    "{{len .Release.Hooks}} {{len .Release.Config}}",
    "{{.Release.Nope}}",
    "{{.Release.Name}} before {{.Release.Info.Nope}}",
    "{{.Release.Name",
    "{{ toYaml .Release.Config }}",
];

/// `get all --template` cases naming fields only helm v4 has (helm v3.17.3 fails on them).
const V4_ONLY_TEMPLATES: &[&str] = &[
    "{{.Release.ApplyMethod}}",
    "{{printf \"%q\" .Release.ApplyMethod}}|{{.Release.Name}}",
    "{{range .Release.Hooks}}{{.Name}} {{.OutputLogPolicies}} {{len .OutputLogPolicies}};{{end}}",
];

fn write_chart(dir: &Path) {
    common::write_chart(
        dir,
        CHART_YAML,
        &[
            ("values.yaml", VALUES_YAML),
            ("templates/configmap.yaml", CONFIGMAP),
            ("templates/hook.yaml", HOOK),
            ("templates/NOTES.txt", NOTES),
        ],
    );
}

#[test]
fn read_commands_match_helm() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let v3 = common::helm_v3().expect("helm v3");
    let v4 = oracle("v4");
    let rudder = common::rudder_as_helm();
    let work = common::scratch("release-read");
    let chart = work.join("demo");
    write_chart(&chart);
    let prod = work.join("prod.yaml");
    std::fs::write(
        &prod,
        "greeting: prod\nnested:\n  extra: true\nremoved: null\n",
    )
    .unwrap();
    let env = Env::new(&kubeconfig, &work.join("home"));
    let id = std::process::id();
    let ns3 = format!("st-read3-{id}");
    let ns4 = format!("st-read4-{id}");
    let chart_s = chart.to_str().unwrap();
    let prod_s = prod.to_str().unwrap();

    // Releases by helm v3: alpha (3 revisions), beta (deployed), gamma (uninstalled, history kept).
    let h3 = |args: &[&str]| env.must(&v3, args);
    h3(&[
        "install",
        "alpha",
        chart_s,
        "-n",
        &ns3,
        "--create-namespace",
        "--set",
        "greeting=hi,nested.n=1",
    ]);
    h3(&[
        "upgrade",
        "alpha",
        chart_s,
        "-n",
        &ns3,
        "-f",
        prod_s,
        "--description",
        "to <prod>",
    ]);
    h3(&[
        "upgrade",
        "alpha",
        chart_s,
        "-n",
        &ns3,
        "--reuse-values",
        "--set",
        "x=y",
    ]);
    h3(&[
        "install",
        "beta",
        chart_s,
        "-n",
        &ns3,
        "--labels",
        "team=storage,tier=db",
    ]);
    h3(&["install", "gamma", chart_s, "-n", &ns3]);
    h3(&["uninstall", "gamma", "-n", &ns3, "--keep-history"]);
    // Releases by helm v4: delta (2 revisions).
    let h4 = |args: &[&str]| env.must(&v4, args);
    h4(&[
        "install",
        "delta",
        chart_s,
        "-n",
        &ns4,
        "--create-namespace",
        "--set",
        "greeting=v4",
    ]);
    h4(&["upgrade", "delta", chart_s, "-n", &ns4, "-f", prod_s]);

    let mut failures = Vec::new();
    let mut compared = 0;
    let mut compare = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let want = env.run(&v3, &args);
        let got = env.run(&rudder, &args);
        compared += 1;
        if want != got {
            failures.push(difference(&args, "v3.17.3", &want, &got));
        }
    };
    let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    for (ns, rel) in [
        (&ns3, "alpha"),
        (&ns3, "beta"),
        (&ns3, "gamma"),
        (&ns4, "delta"),
    ] {
        for cmd in [
            "history {rel}",
            "history {rel} -o json",
            "history {rel} -o yaml",
            "history {rel} --max 2",
            "status {rel}",
            "status {rel} --show-desc",
            "status {rel} --revision 1",
            "status {rel} -o json",
            "status {rel} -o yaml",
            "get values {rel}",
            "get values {rel} -a",
            "get values {rel} -o json",
            "get values {rel} -o yaml",
            "get values {rel} -a -o json",
            "get values {rel} -a -o yaml",
            "get values {rel} --revision 1",
            "get manifest {rel}",
            "get manifest {rel} --revision 1",
            "get notes {rel}",
            "get hooks {rel}",
            "get metadata {rel}",
            "get metadata {rel} -o json",
            "get metadata {rel} -o yaml",
            "get all {rel}",
        ] {
            let mut a = words(&cmd.replace("{rel}", rel));
            a.extend(["-n".to_string(), ns.to_string()]);
            compare(a);
        }
    }
    for ns in [&ns3, &ns4] {
        for cmd in [
            "list",
            "list -a",
            "list --all",
            "list --superseded",
            "list --uninstalled",
            "list --deployed",
            "list --failed --pending",
            "list -a -r",
            "list -a --max 1 --offset 1",
            "list -a --offset 5",
            "list -a -o json",
            "list -a -o yaml",
            "list -a -q",
            "list -a -q -o json",
            "list -a --no-headers",
            "list -a --time-format 2006-01-02T15:04",
            "list -a -l team=storage",
            "list -a -l status!=deployed",
            "list -a -f ^al",
            "history nope",
            "status nope",
            "get values nope",
            "get manifest nope --revision 7",
            "history Bad_Name",
            "status Bad_Name",
            "history",
            "status",
            "get values",
            "list -o xml",
        ] {
            let mut a = words(cmd);
            a.extend(["-n".to_string(), ns.to_string()]);
            compare(a);
        }
    }
    let filter = "^(alpha|beta|gamma|delta)$".to_string();
    compare(vec![
        "list".into(),
        "-A".into(),
        "-a".into(),
        "-f".into(),
        filter.clone(),
    ]);
    compare(vec![
        "list".into(),
        "-A".into(),
        "-f".into(),
        filter,
        "-o".into(),
        "json".into(),
    ]);

    // `get all --template`: Go's text/template over the release's Go types, the same in helm
    // v3.17.3 and v4.1.4 for these (records of both), with errors and partial output.
    let mut template_cases = 0;
    for (ns, rel) in [(&ns3, "alpha"), (&ns4, "delta")] {
        for template in GET_ALL_TEMPLATES {
            for revision in ["0", "1"] {
                let args = [
                    "get",
                    "all",
                    rel,
                    "-n",
                    ns.as_str(),
                    "--revision",
                    revision,
                    "--template",
                    template,
                ];
                let got = env.run(&rudder, &args);
                for (which, helm) in [("v3.17.3", &v3), ("v4.1.4", &v4)] {
                    let want = env.run(helm, &args);
                    template_cases += 1;
                    // Rudder names Helm 3's types in errors; Helm 4's live in package `v1`.
                    let got = if which == "v4.1.4" {
                        Outcome {
                            exit: got.exit,
                            stdout: got.stdout.clone(),
                            stderr: got.stderr.replace("type *release.", "type *v1."),
                        }
                    } else {
                        Outcome {
                            exit: got.exit,
                            stdout: got.stdout.clone(),
                            stderr: got.stderr.clone(),
                        }
                    };
                    if want != got {
                        failures.push(difference(&args, which, &want, &got));
                    }
                }
            }
        }
    }
    eprintln!("{template_cases} get all --template runs compared with helm v3.17.3 and v4.1.4");

    // Byte compatibility: the JSON of every record helm v3 wrote re-encodes to the same bytes.
    let kubectl = oracle("kubectl");
    let secrets = env.must(
        &kubectl,
        &[
            "get",
            "secrets",
            "-n",
            &ns3,
            "-l",
            "owner=helm",
            "-o",
            "json",
        ],
    );
    let list: serde_json::Value = serde_json::from_str(&secrets).unwrap();
    let mut records = 0;
    for item in list["items"].as_array().unwrap() {
        use base64::Engine;
        let name = item["metadata"]["name"].as_str().unwrap();
        let outer = item["data"]["release"].as_str().unwrap();
        let inner = base64::engine::general_purpose::STANDARD
            .decode(outer)
            .unwrap();
        let json = rudder::storage::codec::decode_json(&inner).unwrap();
        let release: rudder::storage::Release = serde_json::from_slice(&json).unwrap();
        let again = rudder::storage::gojson::to_vec(&release).unwrap();
        if again != json {
            failures.push(format!(
                "record {name}: re-encoded JSON differs\n--- helm\n{}\n--- rudder\n{}",
                String::from_utf8_lossy(&json),
                String::from_utf8_lossy(&again)
            ));
        }
        records += 1;
    }
    assert!(
        records >= 5,
        "expected helm's records in {ns3}, found {records}"
    );
    // Helm 4's records decode (with apply_method) too.
    let secrets = env.must(
        &kubectl,
        &[
            "get",
            "secrets",
            "-n",
            &ns4,
            "-l",
            "owner=helm",
            "-o",
            "json",
        ],
    );
    let list: serde_json::Value = serde_json::from_str(&secrets).unwrap();
    for item in list["items"].as_array().unwrap() {
        use base64::Engine;
        let outer = item["data"]["release"].as_str().unwrap();
        let inner = base64::engine::general_purpose::STANDARD
            .decode(outer)
            .unwrap();
        let release = rudder::storage::codec::decode(&inner).unwrap();
        assert_eq!(release.name, "delta");
        assert!(
            !release.apply_method.is_empty(),
            "Helm 4 records say how they were applied"
        );
    }

    // Helm 4's fields (`.Release.ApplyMethod`, a hook's `.OutputLogPolicies`) as helm v4.1.4 shows
    // them, over records of helm v3 (no apply method), helm v4 and Rudder; helm v3 has no such
    // fields and fails.
    let ns5 = format!("st-read5-{id}");
    env.must(
        &rudder,
        &[
            "install",
            "epsilon",
            chart_s,
            "-n",
            &ns5,
            "--create-namespace",
        ],
    );
    let mut v4_cases = 0;
    for (ns, rel) in [(&ns3, "alpha"), (&ns4, "delta"), (&ns5, "epsilon")] {
        for template in V4_ONLY_TEMPLATES {
            let args = ["get", "all", rel, "-n", ns.as_str(), "--template", template];
            let (want, got) = (env.run(&v4, &args), env.run(&rudder, &args));
            v4_cases += 1;
            if want != got || want.exit != 0 {
                failures.push(difference(&args, "v4.1.4", &want, &got));
            }
            let old = env.run(&v3, &args);
            if old.exit != 1 || !old.stderr.contains("can't evaluate field") {
                failures.push(format!(
                    "helm v3.17.3 {}: expected no such field: {old:?}",
                    args.join(" ")
                ));
            }
        }
    }
    eprintln!("{v4_cases} get all --template runs of Helm 4's fields compared with helm v4.1.4");

    for ns in [&ns3, &ns4, &ns5] {
        let _ = env.run(&kubectl, &["delete", "namespace", ns, "--wait=false"]);
    }
    let _ = std::fs::remove_dir_all(&work);
    assert!(
        failures.is_empty(),
        "{} of {compared} commands differ from helm v3.17.3:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{compared} read commands equal to helm v3.17.3's output");
}

/// Cluster and kubeconfig errors: the same first line as helm v3.17.3 (unknown context, missing or
/// malformed kubeconfig, unreachable server, RBAC refusal), and corrupted records named clearly.
#[test]
fn cluster_errors_match_helm() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let v3 = common::helm_v3().expect("helm v3");
    let kubectl = oracle("kubectl");
    let rudder = common::rudder_as_helm();
    let work = common::scratch("release-errors");
    let bad_yaml = work.join("bad.yaml");
    std::fs::write(&bad_yaml, "apiVersion: v1\nkind: Config\nclusters: [oops\n").unwrap();
    let env = Env::new(&kubeconfig, &work.join("home"));
    let bad = bad_yaml.to_str().unwrap();
    let mut failures = Vec::new();
    let cases: Vec<Vec<&str>> = vec![
        vec!["list", "--kube-context", "nope"],
        vec!["history", "x", "--kube-context", "nope"],
        vec!["list", "--kubeconfig", "/nonexistent/kubeconfig"],
        vec!["list", "--kubeconfig", bad],
        vec!["list", "--kube-apiserver", "https://127.0.0.1:1"],
        vec!["status", "x", "--kube-apiserver", "http://127.0.0.1:1"],
        vec!["list", "--kube-as-user", "nobody", "-n", "default"],
        vec!["history", "x", "--kube-as-user", "nobody", "-n", "default"],
        vec![
            "get",
            "values",
            "x",
            "--kube-as-user",
            "nobody",
            "--kube-as-group",
            "team",
        ],
    ];
    for args in &cases {
        let want = env.run(&v3, args);
        let got = env.run(&rudder, args);
        if (want.exit, &want.stdout, want.stderr.lines().next())
            != (got.exit, &got.stdout, got.stderr.lines().next())
        {
            failures.push(format!(
                "helm {}\n--- helm\n{}--- rudder\n{}",
                args.join(" "),
                want.stderr,
                got.stderr
            ));
        }
    }
    // KUBECONFIG naming an empty file: client-go's default server, unreachable.
    let empty = Env::new(Path::new("/dev/null"), &work.join("home"));
    let (want, got) = (empty.run(&v3, &["list"]), empty.run(&rudder, &["list"]));
    if want != got {
        failures.push(format!(
            "KUBECONFIG=/dev/null list\n--- helm\n{}--- rudder\n{}",
            want.stderr, got.stderr
        ));
    }

    // Corrupted records: each named, with what is wrong.
    let ns = format!("st-corrupt-{}", std::process::id());
    env.must(&kubectl, &["create", "namespace", &ns]);
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let gz = |b: &[u8]| {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    };
    let truncated = gz(br#"{"name":"bad-gzip","version":1}"#);
    for (name, data, why) in [
        (
            "bad-base64",
            "not base64 at all!".to_string(),
            "data is not base64",
        ),
        (
            "bad-gzip",
            b64(&truncated[..truncated.len() - 6]),
            "data is not valid gzip",
        ),
        (
            "bad-json",
            b64(&gz(b"{\"name\": ")),
            "data is not a release in JSON",
        ),
    ] {
        let key = format!("sh.helm.release.v1.{name}.v1");
        let secret = serde_json::json!({
            "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
            "metadata": {"name": key, "namespace": ns,
                "labels": {"name": name, "owner": "helm", "status": "deployed", "version": "1"}},
            "stringData": {"release": data},
        });
        let file = work.join(format!("{name}.json"));
        std::fs::write(&file, secret.to_string()).unwrap();
        env.must(&kubectl, &["create", "-f", file.to_str().unwrap()]);
        let got = env.run(
            &rudder,
            &["get", "values", name, "--revision", "1", "-n", &ns],
        );
        let first = got.stderr.lines().next().unwrap_or_default().to_string();
        let want =
            format!("Error: get: failed to decode data \"{key}\" (Secret {ns}/{key}): {why}");
        if got.exit != 1 || !first.starts_with(&want) {
            failures.push(format!(
                "corrupted {name}: want a line starting {want:?}, got {first:?}"
            ));
        }
        // history skips it as Helm does, and says so on stderr.
        let got = env.run(&rudder, &["history", name, "-n", &ns]);
        if !got.stderr.contains(&format!("Secret {ns}/{key}")) {
            failures.push(format!(
                "history {name}: no warning naming the Secret: {}",
                got.stderr
            ));
        }
    }
    let _ = env.run(&kubectl, &["delete", "namespace", &ns, "--wait=false"]);
    let _ = std::fs::remove_dir_all(&work);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Objects of the `status --show-resources` chart: two ConfigMaps whose names differ in length
/// (kubectl aligns each object's row on its own), a Deployment without pods and one with two (its
/// pods under `v1/Pod(related)`), a Service and a cluster-scoped ClusterRole.
const SHOW_RESOURCES_TEMPLATE: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: a
data:
  a: b
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a-much-longer-configmap-name
data:
  a: b
  c: d
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: zero
spec:
  replicas: 0
  selector:
    matchLabels: {app: zero}
  template:
    metadata:
      labels: {app: zero}
    spec:
      containers:
      - name: c
        image: nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: two
spec:
  replicas: 2
  selector:
    matchLabels: {app: two}
  template:
    metadata:
      labels: {app: two}
    spec:
      containers:
      - name: c
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  selector: {app: two}
  ports:
  - port: 80
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Release.Namespace }}-role
rules: []
"#;

/// A `status` output with its `RESOURCES:` groups in key order (Helm iterates a Go map, in an order
/// that changes from run to run) and each row's AGE (the last cell, which the server computes
/// when asked) written `<age>`.
fn normalise_status_table(text: &str) -> String {
    let Some(start) = text.find("RESOURCES:\n") else {
        return text.to_string();
    };
    let body_start = start + "RESOURCES:\n".len();
    let Some(len) = text[body_start..].find("\n\n\n") else {
        return text.to_string();
    };
    let body = &text[body_start..body_start + len + 1];
    let age = |line: &str| -> String {
        match line.rsplit_once("   ") {
            Some((head, last))
                if !last.is_empty()
                    && last.chars().all(|c| c.is_ascii_alphanumeric())
                    && last.chars().next().is_some_and(|c| c.is_ascii_digit())
                    && last.ends_with(['s', 'm', 'h', 'd']) =>
            {
                format!("{head}   <age>")
            }
            _ => line.to_string(),
        }
    };
    let mut groups: Vec<String> = body
        .split("\n\n")
        .filter(|g| !g.trim().is_empty())
        .map(|g| g.lines().map(age).collect::<Vec<_>>().join("\n"))
        .collect();
    groups.sort();
    format!(
        "{}{}{}",
        &text[..body_start],
        groups.join("\n\n"),
        &text[body_start + len..]
    )
}

/// `status -o json` with the `resourceVersion` of each related `PodList` blanked (the cluster's
/// current version when listed: other writers move it between two runs).
fn normalise_status_json(text: &str) -> String {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(text) else {
        return text.to_string();
    };
    if let Some(lists) = v
        .pointer_mut("/info/resources/v1~1Pod(related)")
        .and_then(serde_json::Value::as_array_mut)
    {
        for list in lists {
            if let Some(m) = list.pointer_mut("/metadata/resourceVersion") {
                *m = serde_json::Value::from("");
            }
        }
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// `status --show-resources` (table, `-o json`, `-o yaml`) against helm v3.17.3, which reads the
/// live objects and their related pods and prints them with kubectl's table printer; and against
/// helm v4.1.4, which has no such flag and shows the resources (and the description) always.
#[test]
fn status_show_resources_matches_helm() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let v3 = common::helm_v3().expect("helm v3");
    let v4 = oracle("v4");
    let rudder = common::rudder_as_helm();
    let id = std::process::id();
    let work = common::scratch("show-resources");
    let chart = work.join("res");
    common::write_chart(
        &chart,
        "apiVersion: v2\nname: res\nversion: 0.1.0\n",
        &[("templates/all.yaml", SHOW_RESOURCES_TEMPLATE)],
    );
    let env = Env::new(&kubeconfig, &work.join("home"));
    let ns = format!("rcm-res-{id}");
    let chart_s = chart.to_str().unwrap();
    env.must(
        &v3,
        &[
            "install",
            "res",
            chart_s,
            "-n",
            &ns,
            "--create-namespace",
            "--wait",
        ],
    );
    let mut failures = Vec::new();
    type Normalise = fn(&str) -> String;
    let cases: [(&[&str], Normalise); 5] = [
        (
            &["status", "res", "--show-resources"],
            normalise_status_table,
        ),
        (
            &["status", "res", "--show-resources", "--show-desc"],
            normalise_status_table,
        ),
        (
            &["status", "res", "--show-resources", "--revision", "1"],
            normalise_status_table,
        ),
        (
            &["status", "res", "--show-resources", "-o", "json"],
            normalise_status_json,
        ),
        (&["status", "res", "--show-resources", "-o", "yaml"], |t| {
            t.lines()
                .filter(|l| !l.trim_start().starts_with("resourceVersion:"))
                .collect::<Vec<_>>()
                .join("\n")
        }),
    ];
    for (args, normalise) in cases {
        let mut args = args.to_vec();
        args.extend(["-n", ns.as_str()]);
        // The pods may still be settling: a difference must persist over three tries.
        let mut last = None;
        for _ in 0..3 {
            let want = env.run(&v3, &args);
            let got = env.run(&rudder, &args);
            let (w, g) = (normalise(&want.stdout), normalise(&got.stdout));
            if (want.exit, &w, &want.stderr) == (got.exit, &g, &got.stderr) {
                last = None;
                break;
            }
            last = Some(format!(
                "helm {}\n--- helm v3.17.3 (exit {})\n{w}{}\n--- rudder (exit {})\n{g}{}",
                args.join(" "),
                want.exit,
                want.stderr,
                got.exit,
                got.stderr
            ));
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
        failures.extend(last);
    }
    // helm v4.1.4: no flag, and `status` shows what Rudder shows with `--show-desc --show-resources`.
    let v4_flag = env.run(&v4, &["status", "res", "-n", &ns, "--show-resources"]);
    assert_eq!(v4_flag.exit, 1);
    assert!(v4_flag
        .stderr
        .starts_with("Error: unknown flag: --show-resources"));
    let want = env.run(&v4, &["status", "res", "-n", &ns]);
    let got = env.run(
        &rudder,
        &[
            "status",
            "res",
            "-n",
            &ns,
            "--show-desc",
            "--show-resources",
        ],
    );
    if normalise_status_table(&want.stdout) != normalise_status_table(&got.stdout) {
        failures.push(format!(
            "helm v4.1.4 status res\n{}\n--- rudder status res --show-desc --show-resources\n{}",
            want.stdout, got.stdout
        ));
    }
    assert!(
        got.stdout.contains("==> v1/Pod(related)\nNAME ")
            && got.stdout.contains("a-much-longer-configmap-name   2     "),
        "the related pods and per-object alignment are shown:\n{}",
        got.stdout
    );

    let _ = env.run(&v3, &["uninstall", "res", "-n", &ns]);
    let kubectl = oracle("kubectl");
    let _ = env.run(&kubectl, &["delete", "namespace", &ns, "--wait=false"]);
    let _ = std::fs::remove_dir_all(&work);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `--qps`/`--burst-limit` (and `HELM_QPS`/`HELM_BURST_LIMIT`) limit Rudder's requests as
/// client-go's token bucket does: with a bucket of one token, every request after the first waits
/// (`--debug` reports each wait, as client-go logs long ones); with a bucket larger than the
/// command's requests, or without the flags, none waits. No timing is asserted: the waits are
/// counted.
#[test]
fn qps_and_burst_limit_throttle_requests() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let rudder = common::rudder_as_helm();
    let kubectl = oracle("kubectl");
    let ns = format!("rcm-qps-{}", std::process::id());
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let out = Command::new(&rudder)
            .args(args)
            .env("KUBECONFIG", &kubeconfig)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("rudder runs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains("due to client-side throttling"))
            .count()
    };
    let mk = Command::new(&kubectl)
        .args(["create", "namespace", &ns])
        .env("KUBECONFIG", &kubeconfig)
        .output()
        .expect("kubectl");
    assert!(mk.status.success());
    // `list` in an empty namespace: the reachability check and one list, so one wait with one token.
    let list = ["list", "-n", ns.as_str(), "--debug"];
    let with = |extra: &[&'static str]| {
        let mut a = list.to_vec();
        a.extend_from_slice(extra);
        a
    };
    assert_eq!(run(&list, &[]), 0, "no limit without the flags");
    assert_eq!(
        run(&with(&["--qps", "2", "--burst-limit", "1"]), &[]),
        1,
        "a bucket of one token"
    );
    assert_eq!(run(&with(&["--qps", "2", "--burst-limit", "10"]), &[]), 0);
    assert_eq!(run(&with(&["--qps=-1", "--burst-limit", "1"]), &[]), 0);
    assert_eq!(
        run(&list, &[("HELM_QPS", "2"), ("HELM_BURST_LIMIT", "1")]),
        1,
        "the environment's limit"
    );
    // `status` of a missing release makes more requests (reachability, then the history query
    // and the release lookup): every one after the first waits.
    let status = [
        "history",
        "nope",
        "-n",
        ns.as_str(),
        "--debug",
        "--qps",
        "4",
        "--burst-limit",
        "1",
    ];
    let out = Command::new(&rudder)
        .args(status)
        .env("KUBECONFIG", &kubeconfig)
        .stdin(Stdio::null())
        .output()
        .expect("rudder runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("due to client-side throttling") && stderr.contains("release: not found"),
        "{stderr}"
    );
    let _ = Command::new(&kubectl)
        .args(["delete", "namespace", &ns, "--wait=false"])
        .env("KUBECONFIG", &kubeconfig)
        .output();
}

/// A failed comparison: the command, then Helm's exit code and output and Rudder's.
fn difference(args: &[&str], helm: &str, want: &Outcome, got: &Outcome) -> String {
    format!(
        "helm {}\n--- helm {helm} (exit {})\n{}{}\n--- rudder (exit {})\n{}{}",
        args.join(" "),
        want.exit,
        want.stdout,
        want.stderr,
        got.exit,
        got.stdout,
        got.stderr
    )
}
