//! Credential plugins (kubeconfig `users[].user.exec`, `src/kube/exec_auth.rs`) against the local
//! control plane, with helm v3.17.3 as the oracle of how a plugin is invoked.
//!
//! The plugin is a shell script in the test's scratch directory: it appends its arguments, one
//! variable of the kubeconfig's `env`, whether its standard input is a terminal and
//! `KUBERNETES_EXEC_INFO` to a log, then prints an `ExecCredential` from a file: the control
//! plane's admin client certificate and key, or a service-account token (`kubectl create token`).
//! Checked: `rudder install`, `list` and `status` work with either; each command runs the plugin
//! once, with what Helm gives it (also on a terminal, for each `interactiveMode`); a failing plugin makes Rudder print exactly what Helm prints
//! (the plugin's standard error, then the error naming the plugin), never the plugin's output.
//!
//! Without the cluster or the oracles the tests say so and pass, except under CI=true.
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{kubeconfig, oracle, scratch, write_chart, Cleanup, HelmEnv};
use serde_json::{json, Value};

const V1: &str = "client.authentication.k8s.io/v1";

/// The cluster's `server`, and the named base64 field of the admin kubeconfig.
fn field(kubeconfig: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(kubeconfig).expect("kubeconfig");
    text.lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{name}:")))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("{name} in {}", kubeconfig.display()))
}

fn decoded(kubeconfig: &Path, name: &str) -> String {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(field(kubeconfig, name))
        .expect("base64");
    String::from_utf8(bytes).expect("PEM")
}

/// A scratch directory with the plugin script; `answer` is what it prints, `exit` its code.
struct Plugin {
    dir: PathBuf,
}

impl Plugin {
    fn new(dir: &Path, answer: &Value, exit: i32, stderr: &str) -> Plugin {
        std::fs::write(dir.join("answer.json"), answer.to_string()).unwrap();
        let script = format!(
            "#!/bin/sh\n\
             d='{d}'\n\
             if [ -t 0 ]; then tty=yes; else tty=no; fi\n\
             printf '%s\\n' \"args=$*|env=$RT_PLUGIN_VAR|tty=$tty|info=$KUBERNETES_EXEC_INFO\" >> \"$d/calls\"\n\
             cat \"$d/answer.json\"\n\
             printf '%s' '{stderr}' >&2\n\
             exit {exit}\n",
            d = dir.display()
        );
        let path = dir.join("plugin.sh");
        std::fs::write(&path, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Plugin {
            dir: dir.to_path_buf(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.join("plugin.sh")
    }

    /// The invocations logged since the last call, as (args, env var, tty, exec info).
    fn calls(&self) -> Vec<(String, String, String, Value)> {
        let file = self.dir.join("calls");
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let _ = std::fs::remove_file(&file);
        // Helm's exec info ends with a newline: a blank line in the log.
        text.lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let mut parts = l.splitn(4, '|');
                let mut next = |p: &str| {
                    parts
                        .next()
                        .and_then(|s| s.strip_prefix(p))
                        .unwrap_or_default()
                        .to_string()
                };
                let (args, env, tty) = (next("args="), next("env="), next("tty="));
                let info = serde_json::from_str(&next("info=")).unwrap_or(Value::Null);
                (args, env, tty, info)
            })
            .collect()
    }

    /// A kubeconfig for the admin cluster whose user is this plugin, with `exec` extras.
    fn kubeconfig(&self, admin: &Path, extra: &str) -> PathBuf {
        let path = self.dir.join(format!("kubeconfig-{}", extra.len()));
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\n\
             users:\n- name: plugged\n  user:\n    exec:\n      command: {cmd}\n      args: [\"one\", \"two words\"]\n      env:\n      - name: RT_PLUGIN_VAR\n        value: from-kubeconfig\n{extra}\
             contexts:\n- name: x\n  context: {{cluster: c, user: plugged}}\ncurrent-context: x\n",
            server = field(admin, "server"),
            ca = field(admin, "certificate-authority-data"),
            cmd = self.path().display(),
        );
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn credential(status: Value) -> Value {
    json!({"apiVersion": V1, "kind": "ExecCredential", "status": status})
}

fn kubectl(admin: &Path, args: &[&str]) -> String {
    let out = Command::new(oracle("kubectl"))
        .args(args)
        .env("KUBECONFIG", admin)
        .stdin(Stdio::null())
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

const MODE: &str = "      apiVersion: client.authentication.k8s.io/v1\n      interactiveMode: IfAvailable\n      provideClusterInfo: true\n";

/// install, list and status through the plugin; each runs it once, as `helm list` does.
fn install_list_status(admin: &Path, plugin: &Plugin, ns: &str, home: &Path, chart: &Path) {
    let kc = plugin.kubeconfig(admin, MODE);
    let env = HelmEnv::new(&kc, home);
    let rudder = Path::new(env!("CARGO_BIN_EXE_rudder"));
    let chart = chart.to_str().unwrap();
    env.must(rudder, &["install", "rt-plugged", chart, "-n", ns]);
    let first = plugin.calls();
    assert_eq!(first.len(), 1, "install ran the plugin once: {first:?}");
    let listed = env.must(rudder, &["list", "-n", ns, "-q"]);
    assert_eq!(listed.trim(), "rt-plugged");
    let status = env.must(rudder, &["status", "rt-plugged", "-n", ns]);
    assert!(status.contains("STATUS: deployed"), "{status}");
    let ours = plugin.calls();
    assert_eq!(
        ours.len(),
        2,
        "list and status ran the plugin once each: {ours:?}"
    );

    let helm = env.must(&oracle("v3"), &["list", "-n", ns, "-q"]);
    assert_eq!(helm.trim(), "rt-plugged");
    let theirs = plugin.calls();
    assert_eq!(theirs.len(), 1, "helm list ran the plugin once: {theirs:?}");
    // Same arguments, environment, terminal and exec info (cluster included) as Helm gives it;
    // Helm's cluster info says `"config": null` where ours omits the absent config.
    let normal = |mut call: (String, String, String, Value)| {
        if let Some(cluster) = call.3["spec"]["cluster"].as_object_mut() {
            cluster.retain(|_, v| !v.is_null());
        }
        call
    };
    for ours in first.into_iter().chain(ours) {
        assert_eq!(normal(ours), normal(theirs[0].clone()));
    }
    assert_eq!(theirs[0].0, "one two words");
    assert_eq!(theirs[0].1, "from-kubeconfig");
    assert_eq!(theirs[0].2, "no");
    assert_eq!(theirs[0].3["spec"]["interactive"], false);
    assert_eq!(
        theirs[0].3["spec"]["cluster"]["server"],
        field(admin, "server")
    );
}

fn chart(dir: &Path) -> PathBuf {
    let chart = dir.join("chart");
    write_chart(
        &chart,
        "apiVersion: v2\nname: plugged\nversion: 0.1.0\n",
        &[(
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: b\n",
        )],
    );
    chart
}

#[test]
fn a_plugin_printing_a_client_certificate() {
    let Some(admin) = kubeconfig() else { return };
    let dir = scratch("exec-cert");
    let mut cleanup = Cleanup::new(&admin, Some(&dir));
    let ns = cleanup.namespace("rt-exec-cert");
    let answer = credential(json!({
        "clientCertificateData": decoded(&admin, "client-certificate-data"),
        "clientKeyData": decoded(&admin, "client-key-data"),
    }));
    let plugin = Plugin::new(&dir, &answer, 0, "");
    install_list_status(&admin, &plugin, &ns, &dir.join("home"), &chart(&dir));

    // On a terminal (util-linux `script` gives the command a pseudo-terminal): interactive, with
    // our standard input, unless interactiveMode is Never; as Helm decides.
    let rudder = Path::new(env!("CARGO_BIN_EXE_rudder"));
    for (mode, interactive) in [("IfAvailable", true), ("Always", true), ("Never", false)] {
        let extra = format!(
            "      apiVersion: client.authentication.k8s.io/v1\n      interactiveMode: {mode}\n"
        );
        let env = HelmEnv::new(&plugin.kubeconfig(&admin, &extra), &dir.join("home"));
        let mut seen = Vec::new();
        for program in [rudder, oracle("v3").as_path()] {
            let line = format!("{} list -q -n {ns}", program.display());
            let out = env.must(Path::new("script"), &["-qec", &line, "/dev/null"]);
            assert!(out.contains("rt-plugged"), "{mode}: {out}");
            let calls = plugin.calls();
            assert_eq!(calls.len(), 1, "{mode}: {calls:?}");
            seen.push(calls[0].clone());
        }
        assert_eq!(seen[0], seen[1], "{mode}: Rudder's call, then Helm's");
        let tty = if interactive { "yes" } else { "no" };
        assert_eq!(seen[0].2, tty, "{mode}");
        assert_eq!(seen[0].3["spec"]["interactive"], interactive, "{mode}");
    }
}

#[test]
fn a_plugin_printing_a_token() {
    let Some(admin) = kubeconfig() else { return };
    let dir = scratch("exec-token");
    let mut cleanup = Cleanup::new(&admin, Some(&dir));
    let ns = cleanup.namespace("rt-exec-token");
    kubectl(&admin, &["create", "serviceaccount", "deployer", "-n", &ns]);
    kubectl(
        &admin,
        &[
            "create",
            "rolebinding",
            "deployer-admin",
            "--clusterrole=admin",
            &format!("--serviceaccount={ns}:deployer"),
            "-n",
            &ns,
        ],
    );
    let token = kubectl(&admin, &["create", "token", "deployer", "-n", &ns]);
    let plugin = Plugin::new(&dir, &credential(json!({"token": token})), 0, "");
    install_list_status(&admin, &plugin, &ns, &dir.join("home"), &chart(&dir));
}

/// Rudder's exit code and standard error against Helm's, for a kubeconfig with `extra`.
fn same_failure(admin: &Path, plugin: &Plugin, home: &Path, extra: &str) -> String {
    let kc = plugin.kubeconfig(admin, extra);
    let env = HelmEnv::new(&kc, home);
    let helm = env.run(&oracle("v3"), &["list", "-n", "rt-exec-fail"]);
    let ours = env.run(
        Path::new(env!("CARGO_BIN_EXE_rudder")),
        &["list", "-n", "rt-exec-fail"],
    );
    assert_eq!(helm.exit, 1, "{}", helm.stderr);
    assert_eq!((ours.exit, ours.stdout.as_str()), (1, ""));
    assert_eq!(ours.stderr, helm.stderr);
    ours.stderr
}

#[test]
fn a_failing_plugin_is_named_and_its_output_never_shown() {
    let Some(admin) = kubeconfig() else { return };
    let dir = scratch("exec-fail");
    let _cleanup = Cleanup::new(&admin, Some(&dir));
    let home = dir.join("home");
    // Exits 3 after printing a credential on stdout and a complaint on stderr.
    let secret = "rt-secret-token-7b1e";
    let plugin = Plugin::new(
        &dir,
        &credential(json!({"token": secret})),
        3,
        "plugin: login expired\n",
    );
    let stderr = same_failure(&admin, &plugin, &home, MODE);
    assert!(stderr.starts_with("plugin: login expired\n"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "getting credentials: exec: executable {} failed with exit code 3",
            plugin.path().display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(secret) && !stderr.contains("from-kubeconfig"));

    // Succeeds, but answers with another API version, or nothing usable.
    let plugin = Plugin::new(
        &dir,
        &json!({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": secret}}),
        0,
        "",
    );
    let stderr = same_failure(&admin, &plugin, &home, MODE);
    assert!(!stderr.contains(secret), "{stderr}");
    let plugin = Plugin::new(&dir, &credential(json!({})), 0, "");
    same_failure(&admin, &plugin, &home, MODE);
    let plugin = Plugin::new(&dir, &credential(json!({"clientKeyData": secret})), 0, "");
    let stderr = same_failure(&admin, &plugin, &home, MODE);
    assert!(!stderr.contains(secret), "{stderr}");

    // v1 without interactiveMode: an invalid kubeconfig.
    same_failure(
        &admin,
        &plugin,
        &home,
        "      apiVersion: client.authentication.k8s.io/v1\n",
    );

    // interactiveMode Always with standard input not a terminal: refused before running it.
    let plugin = Plugin::new(&dir, &credential(json!({"token": secret})), 0, "");
    plugin.calls();
    same_failure(
        &admin,
        &plugin,
        &home,
        "      apiVersion: client.authentication.k8s.io/v1\n      interactiveMode: Always\n",
    );
    assert!(plugin.calls().is_empty());
    // A missing plugin: a path that does not exist, a name not on PATH (client-go's install hint).
    for missing in [
        dir.join("no-such-plugin").display().to_string(),
        "rt-no-such-plugin".to_string(),
    ] {
        let kc = plugin.kubeconfig(&admin, MODE);
        let text = std::fs::read_to_string(&kc)
            .unwrap()
            .replace(&plugin.path().display().to_string(), &missing);
        std::fs::write(&kc, text).unwrap();
        let env = HelmEnv::new(&kc, &home);
        let helm = env.run(&oracle("v3"), &["list"]);
        let ours = env.run(Path::new(env!("CARGO_BIN_EXE_rudder")), &["list"]);
        assert_eq!(helm.exit, 1, "{}", helm.stderr);
        assert_eq!((ours.exit, &ours.stderr), (helm.exit, &helm.stderr));
    }
}
