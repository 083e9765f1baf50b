//! Credential plugins (kubeconfig `users[].user.exec`, `src/kube/exec_auth.rs`) against the local
//! control plane, with helm v3.17.3 as the oracle of how a plugin is invoked.
//!
//! The plugin is a shell script in the test's scratch directory: it appends its arguments, one
//! variable of the kubeconfig's `env`, whether its standard input is a terminal and
//! `KUBERNETES_EXEC_INFO` to a log, then prints an `ExecCredential` from a file: the control
//! plane's admin client certificate and key, or a service-account token (`kubectl create token`).
//! Checked: `rudder install`, `list` and `status` work with either; each command runs the plugin
//! once, with what Helm gives it, exec info byte for byte (also on a terminal, for each
//! `interactiveMode`); a failing plugin makes Rudder print exactly what Helm prints (the plugin's
//! standard error, then the error naming the plugin), never the plugin's output. A token the
//! server refuses (401) makes both tools run the plugin again (Helm then fails, Rudder sends the
//! request again); an expired one is fetched again before each request; YAML answers are read.
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
             info=$(printf '%s' \"$KUBERNETES_EXEC_INFO\" | base64 -w0)\n\
             printf '%s\\n' \"args=$*|env=$RT_PLUGIN_VAR|tty=$tty|info=$info\" >> \"$d/calls\"\n\
             cat \"$d/answer.json\"\n\
             if [ -f \"$d/then.json\" ]; then mv \"$d/then.json\" \"$d/answer.json\"; fi\n\
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

    /// What the plugin prints from its second run on (its first prints `answer`).
    fn then(&self, answer: &str) {
        std::fs::write(self.dir.join("then.json"), answer).unwrap();
    }

    /// The invocations logged since the last call, as (args, env var, tty, exec info as the
    /// plugin got it byte for byte).
    fn calls(&self) -> Vec<(String, String, String, String)> {
        let file = self.dir.join("calls");
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let _ = std::fs::remove_file(&file);
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
                use base64::Engine;
                let info = base64::engine::general_purpose::STANDARD
                    .decode(next("info="))
                    .expect("base64 exec info");
                (
                    args,
                    env,
                    tty,
                    String::from_utf8(info).expect("UTF-8 exec info"),
                )
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
    // Same arguments, environment, terminal and exec info (cluster included, byte for byte) as
    // Helm gives it.
    for ours in first.into_iter().chain(ours) {
        assert_eq!(ours, theirs[0]);
    }
    assert_eq!(theirs[0].0, "one two words");
    assert_eq!(theirs[0].1, "from-kubeconfig");
    assert_eq!(theirs[0].2, "no");
    let info: Value = serde_json::from_str(&theirs[0].3).unwrap();
    assert_eq!(info["spec"]["interactive"], false);
    assert_eq!(info["spec"]["cluster"]["server"], field(admin, "server"));
    assert_eq!(info["spec"]["cluster"]["config"], Value::Null);
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
        let info: Value = serde_json::from_str(&seen[0].3).unwrap();
        assert_eq!(info["spec"]["interactive"], interactive, "{mode}");
    }
}

/// A service account `name` that administers `ns`, and a token for it.
fn deployer(admin: &Path, ns: &str, name: &str) -> String {
    kubectl(admin, &["create", "serviceaccount", name, "-n", ns]);
    kubectl(
        admin,
        &[
            "create",
            "rolebinding",
            &format!("{name}-admin"),
            "--clusterrole=admin",
            &format!("--serviceaccount={ns}:{name}"),
            "-n",
            ns,
        ],
    );
    kubectl(admin, &["create", "token", name, "-n", ns])
}

/// A token the API server refuses with 401: its service account was deleted after it was issued.
fn revoked_token(admin: &Path, ns: &str) -> String {
    let token = deployer(admin, ns, "gone");
    kubectl(admin, &["delete", "serviceaccount", "gone", "-n", ns]);
    token
}

#[test]
fn a_plugin_printing_a_token() {
    let Some(admin) = kubeconfig() else { return };
    let dir = scratch("exec-token");
    let mut cleanup = Cleanup::new(&admin, Some(&dir));
    let ns = cleanup.namespace("rt-exec-token");
    let token = deployer(&admin, &ns, "deployer");
    let plugin = Plugin::new(&dir, &credential(json!({"token": token})), 0, "");
    install_list_status(&admin, &plugin, &ns, &dir.join("home"), &chart(&dir));
}

/// A token the server refuses (401) makes the plugin run again, as client-go does; Rudder then
/// sends the refused request once more with the new token (client-go hands the 401 back, so Helm
/// fails the command and its next command works).
#[test]
fn a_refused_token_is_refreshed_and_the_request_sent_again() {
    let Some(admin) = kubeconfig() else { return };
    let dir = scratch("exec-401");
    let mut cleanup = Cleanup::new(&admin, Some(&dir));
    let ns = cleanup.namespace("rt-exec-401");
    let good = deployer(&admin, &ns, "deployer");
    let home = dir.join("home");
    let rudder = Path::new(env!("CARGO_BIN_EXE_rudder"));
    let revoked = credential(json!({"token": revoked_token(&admin, &ns)}));
    let plugin = Plugin::new(&dir, &revoked, 0, "");
    let kc = plugin.kubeconfig(&admin, MODE);
    let env = HelmEnv::new(&kc, &home);

    // Helm: the first request is refused, the plugin runs again, the command fails.
    plugin.then(&credential(json!({"token": good})).to_string());
    let helm = env.run(&oracle("v3"), &["list", "-n", &ns]);
    let theirs = plugin.calls();
    assert_eq!(helm.exit, 1, "{}", helm.stdout);
    assert!(
        helm.stderr
            .contains("the server has asked for the client to provide credentials"),
        "{}",
        helm.stderr
    );
    assert_eq!(theirs.len(), 2, "helm ran the plugin again after the 401");

    // Rudder: refused, the plugin runs again, the same request succeeds with the new token.
    std::fs::write(dir.join("answer.json"), revoked.to_string()).unwrap();
    plugin.then(&credential(json!({"token": good})).to_string());
    let ours = env.run(
        rudder,
        &[
            "install",
            "rt-refreshed",
            chart(&dir).to_str().unwrap(),
            "-n",
            &ns,
        ],
    );
    assert_eq!(ours.exit, 0, "{}", ours.stderr);
    let calls = plugin.calls();
    assert_eq!(calls.len(), 2, "the plugin ran twice: {calls:?}");
    // The new token is kept: no further run for the rest of the command or a refusal after it.
    let listed = env.must(rudder, &["list", "-n", &ns, "-q"]);
    assert_eq!(listed.trim(), "rt-refreshed");
    assert_eq!(plugin.calls().len(), 1, "list ran the plugin once");
}

/// A credential whose `expirationTimestamp` has passed is fetched again before each request, as
/// client-go does; one that has not is kept. Also: a plugin may answer in YAML.
#[test]
fn an_expired_token_is_fetched_again_and_yaml_answers_are_read() {
    let Some(admin) = kubeconfig() else { return };
    let dir = scratch("exec-expiry");
    let mut cleanup = Cleanup::new(&admin, Some(&dir));
    let ns = cleanup.namespace("rt-exec-expiry");
    let token = deployer(&admin, &ns, "deployer");
    let home = dir.join("home");
    let rudder = Path::new(env!("CARGO_BIN_EXE_rudder"));
    let expiring = |at: &str| credential(json!({"token": token, "expirationTimestamp": at}));
    let plugin = Plugin::new(&dir, &expiring("2000-01-01T00:00:00Z"), 0, "");
    let env = HelmEnv::new(&plugin.kubeconfig(&admin, MODE), &home);
    let mut runs = Vec::new();
    for program in [rudder, oracle("v3").as_path()] {
        let out = env.run(program, &["list", "-n", &ns]);
        assert_eq!(out.exit, 0, "{}", out.stderr);
        runs.push(plugin.calls().len());
    }
    // Once when the client is built, then before each request (Rudder sends at least the
    // version check and the list; helm more).
    assert!(
        runs[0] >= 3 && runs[1] >= 3,
        "plugin runs (rudder, helm): {runs:?}"
    );

    std::fs::write(
        dir.join("answer.json"),
        expiring("2999-01-01T00:00:00Z").to_string(),
    )
    .unwrap();
    for program in [rudder, oracle("v3").as_path()] {
        env.must(program, &["list", "-n", &ns]);
        assert_eq!(plugin.calls().len(), 1, "{}", program.display());
    }

    // YAML, as client-go's decoder reads it.
    let yaml = format!(
        "apiVersion: {V1}\nkind: ExecCredential\nstatus:\n  token: {token}\n  expirationTimestamp: 2999-01-01T00:00:00Z\n"
    );
    std::fs::write(dir.join("answer.json"), yaml).unwrap();
    for program in [rudder, oracle("v3").as_path()] {
        let out = env.must(program, &["list", "-n", &ns, "-q"]);
        assert_eq!(out.trim(), "", "{}", program.display());
        assert_eq!(plugin.calls().len(), 1, "{}", program.display());
    }
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
