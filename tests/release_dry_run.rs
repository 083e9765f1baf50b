//! `install`/`upgrade --dry-run=server` (and `=client`) against helm v3.17.3 and v4.1.4 on the local
//! control plane: the same output (the time of `LAST DEPLOYED` masked; helm v4's extra
//! `DESCRIPTION: Dry run complete` line and its deprecation warning for a bare `--dry-run` removed
//! before comparing with it), the same exit code,
//! nothing written (no record, no object), and `lookup` reading the live cluster with `=server`
//! only.

mod common;

use common::{HelmEnv as Env, Outcome};

const CONFIGMAP: &str = r#"{{- $existing := lookup "v1" "ConfigMap" .Release.Namespace "pre-existing" }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cm
data:
  seen: {{ if $existing }}{{ $existing.data.value | quote }}{{ else }}"nothing"{{ end }}
  v: {{ .Values.v | default "1" | quote }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-s
stringData:
  password: hunter2
"#;
const HOOK: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\ndata: {a: b}\n";

/// The output with times masked: `LAST DEPLOYED:` lines, and in JSON/YAML the deploy times.
fn mask(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with("LAST DEPLOYED: ") {
                return "LAST DEPLOYED: <time>".to_string();
            }
            let t = l.trim_start();
            if t.starts_with("first_deployed: ") || t.starts_with("last_deployed: ") {
                let indent = &l[..l.len() - t.len()];
                let key = t.split(':').next().unwrap_or_default();
                return format!("{indent}{key}: <time>");
            }
            let mut out = l.to_string();
            for key in ["\"first_deployed\":\"", "\"last_deployed\":\""] {
                while let Some(i) = out.find(key) {
                    let start = i + key.len();
                    let Some(len) = out[start..].find('"') else {
                        break;
                    };
                    out.replace_range(
                        i..start + len + 1,
                        &format!("\"{}<time>\"", &key[1..key.len() - 3]),
                    );
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn dry_run_server_matches_helm() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let v3 = common::helm_v3().expect("helm v3");
    let v4 = common::oracle("v4");
    let kubectl = common::oracle("kubectl");
    let rudder = common::rudder_as_helm();
    let id = std::process::id();
    let work = common::scratch("dry-run");
    let chart = work.join("dr");
    common::write_chart(
        &chart,
        "apiVersion: v2\nname: dr\nversion: 0.1.0\n",
        &[
            ("templates/cm.yaml", CONFIGMAP),
            ("templates/hook.yaml", HOOK),
            ("templates/NOTES.txt", "Installed {{ .Release.Name }}\n"),
        ],
    );
    let bad = work.join("bad");
    // A name the API server refuses: a client-side and server-side dry run of install never sends it.
    common::write_chart(
        &bad,
        "apiVersion: v2\nname: bad\nversion: 0.1.0\n",
        &[(
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_name\ndata: {a: b}\n",
        )],
    );
    let env = Env::new(&kubeconfig, &work.join("home"));
    let ns = format!("rcm-dry-{id}");
    let chart_s = chart.to_str().unwrap();
    let bad_s = bad.to_str().unwrap();
    env.must(&kubectl, &["create", "namespace", &ns]);
    env.must(
        &kubectl,
        &[
            "-n",
            &ns,
            "create",
            "configmap",
            "pre-existing",
            "--from-literal=value=live",
        ],
    );
    // The release `d`, installed for real by helm v3 (revision 1, v=1).
    env.must(&v3, &["install", "d", chart_s, "-n", &ns]);

    let missing_ns = format!("rcm-dry-missing-{id}");
    let cases: Vec<(Vec<&str>, bool)> = vec![
        (vec!["install", "n1", chart_s, "--dry-run=server"], true),
        (vec!["install", "n1", chart_s, "--dry-run=client"], true),
        (vec!["install", "n1", chart_s, "--dry-run"], true),
        (
            vec![
                "install",
                "n1",
                chart_s,
                "--dry-run=server",
                "--hide-secret",
            ],
            true,
        ),
        (vec!["install", "d", chart_s, "--dry-run=server"], true),
        (vec!["install", "b", bad_s, "--dry-run=server"], true),
        (
            vec!["upgrade", "d", chart_s, "--dry-run=server", "--set", "v=2"],
            true,
        ),
        (
            vec!["upgrade", "d", chart_s, "--dry-run=client", "--set", "v=2"],
            true,
        ),
        (
            vec!["upgrade", "d", chart_s, "--dry-run=server", "-o", "json"],
            false,
        ),
        (
            vec!["upgrade", "d", chart_s, "--dry-run=server", "-o", "yaml"],
            false,
        ),
        (
            vec!["upgrade", "--install", "n2", chart_s, "--dry-run=server"],
            true,
        ),
        (vec!["upgrade", "nope", chart_s, "--dry-run=server"], true),
        (
            vec![
                "install",
                "x",
                chart_s,
                "--dry-run=server",
                "-n",
                missing_ns.as_str(),
            ],
            true,
        ),
    ];
    let mut failures = Vec::new();
    let mut compared = 0;
    for (case, with_v4) in &cases {
        let mut args = case.clone();
        if !args.contains(&"-n") {
            args.extend(["-n", ns.as_str()]);
        }
        let got = env.run(&rudder, &args);
        let got_out = mask(&got.stdout);
        let mut oracles = vec![("v3.17.3", &v3)];
        if *with_v4 {
            oracles.push(("v4.1.4", &v4));
        }
        for (which, helm) in oracles {
            let want = env.run(helm, &args);
            // helm v4 prints the description of a dry run; helm v3 (and Rudder) do not.
            let want_out = mask(&want.stdout).replace("DESCRIPTION: Dry run complete\n", "");
            // helm v4 deprecates a bare `--dry-run` on stderr.
            let want = Outcome {
                stderr: want.stderr.replace(
                    "level=WARN msg=\"--dry-run is deprecated and should be replaced with '--dry-run=client'\"\n",
                    "",
                ),
                ..want
            };
            compared += 1;
            if (want.exit, &want_out, &want.stderr) != (got.exit, &got_out, &got.stderr) {
                failures.push(format!(
                    "helm {}\n--- helm {which} (exit {})\n{want_out}\n{}\n--- rudder (exit {})\n{got_out}\n{}",
                    args.join(" "),
                    want.exit,
                    want.stderr,
                    got.exit,
                    got.stderr
                ));
            }
        }
        // `lookup` sees the live cluster with =server only (the ConfigMap is in `ns`).
        if got.exit == 0
            && !case.contains(&"-n")
            && case.contains(&chart_s)
            && !case.contains(&"json")
            && !case.contains(&"yaml")
        {
            let server = case.contains(&"--dry-run=server");
            let want = if server {
                "seen: \"live\""
            } else {
                "seen: \"nothing\""
            };
            if !got.stdout.contains(want) {
                failures.push(format!(
                    "{case:?}: lookup should give {want}:\n{}",
                    got.stdout
                ));
            }
        }
    }

    // Nothing written: `d` still has one revision with v=1, no other record, no object.
    let records = env.must(
        &kubectl,
        &[
            "-n",
            &ns,
            "get",
            "secrets",
            "-l",
            "owner=helm",
            "-o",
            "name",
        ],
    );
    assert_eq!(
        records.trim(),
        "secret/sh.helm.release.v1.d.v1",
        "only d's first record"
    );
    let v = env.must(
        &kubectl,
        &[
            "-n",
            &ns,
            "get",
            "configmap",
            "d-cm",
            "-o",
            "jsonpath={.data.v}",
        ],
    );
    assert_eq!(v, "1", "the dry-run upgrades changed nothing");
    let others = env.run(
        &kubectl,
        &[
            "-n",
            &ns,
            "get",
            "configmap,secret",
            "n1-cm",
            "n2-cm",
            "n1-s",
            "n1-hook",
            "n2-hook",
        ],
    );
    assert!(
        others.stdout.trim().is_empty(),
        "a dry run created objects: {}",
        others.stdout
    );
    let missing = env.run(&kubectl, &["get", "namespace", &missing_ns]);
    assert_ne!(missing.exit, 0, "a dry run created the namespace");

    let _ = env.run(&kubectl, &["delete", "namespace", &ns, "--wait=false"]);
    let _ = std::fs::remove_dir_all(&work);
    assert!(
        failures.is_empty(),
        "{} of {compared} differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{compared} dry runs equal to helm's");
}
