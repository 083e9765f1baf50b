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

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

fn oracle(which: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(root.join("scripts/install-oracle"))
        .args(["path", which])
        .output()
        .expect("scripts/install-oracle");
    assert!(out.status.success(), "install-oracle path {which} failed");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn loopback_only(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let servers: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("server:"))
        .map(str::trim)
        .collect();
    !servers.is_empty()
        && servers.iter().all(|s| {
            let host = s
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            host.starts_with("127.") || host.starts_with("localhost")
        })
}

fn kubeconfig() -> Option<PathBuf> {
    static KC: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let kc = KC.get_or_init(|| {
        if let Some(p) = std::env::var_os("KUBECONFIG").map(PathBuf::from) {
            if p.is_file() && loopback_only(&p) {
                return Ok(p);
            }
        }
        let up = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cluster/up");
        let out = Command::new(&up)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("{}: {e}", up.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        match stdout.lines().map(str::trim).rfind(|l| !l.is_empty()) {
            Some(p) if out.status.success() && Path::new(p).is_file() => Ok(PathBuf::from(p)),
            _ => Err(format!("{} failed: {stdout}", up.display())),
        }
    });
    match kc {
        Ok(p) => Some(p.clone()),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!("no test cluster: {e}"),
        Err(e) => {
            eprintln!("SKIPPED: no test cluster: {e}");
            None
        }
    }
}

/// What a command printed.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    exit: i32,
    stdout: String,
    stderr: String,
}

struct Env {
    kubeconfig: PathBuf,
    home: PathBuf,
}

impl Env {
    fn run(&self, program: &Path, args: &[&str]) -> Outcome {
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
            .env("KUBECONFIG", &self.kubeconfig);
        let out = cmd.output().expect("run");
        Outcome {
            exit: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn must(&self, program: &Path, args: &[&str]) -> String {
        let o = self.run(program, args);
        assert_eq!(
            o.exit,
            0,
            "{} {args:?} failed: {}",
            program.display(),
            o.stderr
        );
        o.stdout
    }
}

const CHART_YAML: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: \"1.2.3\"\ndescription: A chart <for> read tests & more\nannotations:\n  team: storage\n  tier: test\n";
const VALUES_YAML: &str = "greeting: hello\nnested:\n  list: [1, 2.5, \"x\"]\n  big: 1000000\n  html: \"<b>&</b>\"\nremoved: gone\n";
const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  revision: \"{{ .Release.Revision }}\"\n  html: {{ .Values.nested.html | quote }}\n";
const HOOK: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    \"helm.sh/hook\": pre-install,pre-upgrade\n    \"helm.sh/hook-weight\": \"-5\"\n    \"helm.sh/hook-delete-policy\": before-hook-creation\ndata:\n  a: b\n";
const NOTES: &str = "Thank you for installing {{ .Chart.Name }} as {{ .Release.Name }}.\n";

fn write_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("Chart.yaml"), CHART_YAML).unwrap();
    std::fs::write(dir.join("values.yaml"), VALUES_YAML).unwrap();
    std::fs::write(dir.join("templates/configmap.yaml"), CONFIGMAP).unwrap();
    std::fs::write(dir.join("templates/hook.yaml"), HOOK).unwrap();
    std::fs::write(dir.join("templates/NOTES.txt"), NOTES).unwrap();
}

#[test]
fn read_commands_match_helm() {
    let Some(kubeconfig) = kubeconfig() else {
        return;
    };
    let v3 = common::helm_v3().expect("helm v3");
    let v4 = oracle("v4");
    let rudder = common::rudder_as_helm();
    let work = std::env::temp_dir().join(format!("rudder-release-read-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let chart = work.join("demo");
    write_chart(&chart);
    let prod = work.join("prod.yaml");
    std::fs::write(
        &prod,
        "greeting: prod\nnested:\n  extra: true\nremoved: null\n",
    )
    .unwrap();
    let env = Env {
        kubeconfig,
        home: work.join("home"),
    };
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
            failures.push(format!(
                "helm {}\n--- helm v3.17.3 (exit {})\n{}{}\n--- rudder (exit {})\n{}{}",
                args.join(" "),
                want.exit,
                want.stdout,
                want.stderr,
                got.exit,
                got.stdout,
                got.stderr
            ));
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

    for ns in [&ns3, &ns4] {
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
    let Some(kubeconfig) = kubeconfig() else {
        return;
    };
    let v3 = common::helm_v3().expect("helm v3");
    let kubectl = oracle("kubectl");
    let rudder = common::rudder_as_helm();
    let work = std::env::temp_dir().join(format!("rudder-release-errors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let bad_yaml = work.join("bad.yaml");
    std::fs::write(&bad_yaml, "apiVersion: v1\nkind: Config\nclusters: [oops\n").unwrap();
    let env = Env {
        kubeconfig: kubeconfig.clone(),
        home: work.join("home"),
    };
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
    let empty = Env {
        kubeconfig: PathBuf::from("/dev/null"),
        home: work.join("home"),
    };
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
