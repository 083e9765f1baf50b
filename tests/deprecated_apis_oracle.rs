//! `src/chart/deprecated_apis.rs` against client-go's scheme itself: scripts/k8s-lifecycle-oracle
//! builds (once, cached) a Go program over k8s.io v0.32.2 — the modules helm v3.17.3 pins — that
//! lists every registered type declaring a deprecation with its introduced, deprecated and removed
//! releases and replacement. The table must be exactly that list: a missing, extra or changed
//! entry fails with the line that differs.
use std::path::PathBuf;
use std::process::Command;

use rudder::chart::deprecated_apis::{Release, DEPRECATED_APIS};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn release(r: Option<Release>) -> String {
    match r {
        Some((major, minor)) => format!("{major}.{minor}"),
        None => "-".to_string(),
    }
}

fn oracle_lines() -> Vec<String> {
    let path = match std::env::var_os("RUDDER_K8S_LIFECYCLE_ORACLE") {
        Some(p) => PathBuf::from(p),
        None => {
            let out = Command::new(root().join("scripts/k8s-lifecycle-oracle"))
                .arg("v3")
                .output()
                .expect("running scripts/k8s-lifecycle-oracle");
            assert!(
                out.status.success(),
                "scripts/k8s-lifecycle-oracle failed (it needs Go and the module proxy): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        }
    };
    let out = Command::new(&path)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", path.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("the oracle prints UTF-8")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn table_is_client_go_scheme_at_helm_v3_17_3() {
    let ours: Vec<String> = DEPRECATED_APIS
        .iter()
        .map(|a| {
            let replacement = match a.replacement {
                Some((api_version, kind)) => format!("{api_version} {kind}"),
                None => "-".to_string(),
            };
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                a.group,
                a.version,
                a.kind,
                release(a.introduced),
                release(Some(a.deprecated)),
                release(a.removed),
                replacement
            )
        })
        .collect();
    let theirs = oracle_lines();
    assert!(
        theirs.len() > 100,
        "the oracle listed only {} types",
        theirs.len()
    );
    let missing: Vec<&String> = theirs.iter().filter(|l| !ours.contains(l)).collect();
    let extra: Vec<&String> = ours.iter().filter(|l| !theirs.contains(l)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "client-go's scheme (k8s.io v0.32.2) has, the table has not:\n{}\nthe table has, the scheme has not:\n{}",
        missing.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("\n"),
        extra.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(ours, theirs, "same entries, other order");
}
