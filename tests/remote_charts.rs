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
    // Helm 4's content cache (Helm 3 does not touch it) holds the same files on both sides.
    let content = |side: &str| content_files(&sides.dir(side).join(".helm/cache/content"));
    assert!(!content("helm").is_empty());
    assert_eq!(content("rudder"), content("helm"));
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

/// The files under a content cache (`<2 hex>/<name>`), each with its bytes and mode.
fn content_files(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = BTreeMap::new();
    for sub in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(sub.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let mode = file.metadata().unwrap().permissions().mode() & 0o7777;
            let data = std::fs::read(file.path()).unwrap_or_default();
            files.insert(
                format!(
                    "{}/{}",
                    sub.file_name().to_string_lossy(),
                    file.file_name().to_string_lossy()
                ),
                (data, mode),
            );
        }
    }
    files
}

/// Helm 4's content cache (`$HELM_CACHE_HOME/content/<2 hex>/<sha256>.chart`) shared between
/// helm v4.1.4 and Rudder in the same Helm homes: a chart one of them downloaded for `show`/
/// `template` is used by the other with the repository's archive gone; `pull repo/chart` reads the
/// cache and does not fill it; an empty file counts as missing and a directory in its place is
/// `is a directory` for both; `HELM_CONTENT_CACHE` moves it.
#[test]
fn content_cache_is_shared_with_helm_4() {
    let Some(f) = fixture("content") else { return };
    let sides = Sides::new("content-cache");
    let served = Path::new(&f.server["REPO_ROOT"])
        .join(&f.path)
        .join("redis-2.1.3.tgz");
    let archive = std::fs::read(&served).unwrap();
    let cached = format!("{}.chart", sha256_hex(&archive));
    let entry = format!("{}/{cached}", &cached[..2]);
    let hide = served.with_extension("hidden");
    // Runs both tools in the same homes (the "shared" side).
    std::fs::create_dir_all(sides.dir("shared")).unwrap();
    let run = |bin: &Path, args: &[&str]| sides.run("shared", bin, args);
    let content = || content_files(&sides.dir("shared").join(".helm/cache/content"));
    let clear = || {
        let _ = std::fs::remove_dir_all(sides.dir("shared").join(".helm/cache/content"));
    };
    assert_eq!(run(rudder(), &["repo", "add", "cc", &f.url]).code, 0);
    let show = ["show", "chart", "cc/redis"];
    let expected = run(&f.helm4, &show);
    assert_eq!(expected.code, 0, "{expected:?}");
    assert!(expected.stdout.contains("name: redis"), "{expected:?}");

    for (filler, reader) in [(f.helm4.as_path(), rudder()), (rudder(), f.helm4.as_path())] {
        clear();
        assert_eq!(run(filler, &show).stdout, expected.stdout);
        assert_eq!(
            content().keys().collect::<Vec<_>>(),
            [&entry],
            "filled by {}",
            filler.display()
        );
        assert_eq!(content()[&entry], (archive.clone(), 0o644));
        // The repository's archive gone: the reader finds the chart in the cache.
        std::fs::rename(&served, &hide).unwrap();
        let from_cache = run(reader, &show);
        let mut pulled_dir = sides.dir("shared").join("pulled");
        let _ = std::fs::remove_dir_all(&pulled_dir);
        std::fs::create_dir_all(&pulled_dir).unwrap();
        let pulled = run(reader, &["pull", "cc/redis", "-d", "pulled"]);
        std::fs::rename(&hide, &served).unwrap();
        assert_eq!(from_cache, expected, "{} read the cache", reader.display());
        assert_eq!(pulled.code, 0, "{pulled:?}");
        pulled_dir.push("redis-2.1.3.tgz");
        assert_eq!(std::fs::read(&pulled_dir).unwrap(), archive);
    }

    // `pull` reads the cache but never fills it; `--repo`, URLs and OCI are stored, not read.
    let repo_url = ["show", "chart", "redis", "--repo", f.url.as_str()];
    let url = format!("{}/redis-2.1.3.tgz", f.url);
    let oci = format!("{}/redis", f.oci);
    let cases: Vec<Vec<&str>> = vec![
        vec!["pull", "cc/redis", "-d", "pulled"],
        repo_url.to_vec(),
        vec!["show", "chart", &url],
        vec!["show", "chart", &oci, "--version", "2.1.3", "--plain-http"],
    ];
    for args in &cases {
        let mut after = Vec::new();
        for bin in [f.helm4.as_path(), rudder()] {
            clear();
            let _ = std::fs::remove_dir_all(sides.dir("shared").join("pulled"));
            std::fs::create_dir_all(sides.dir("shared").join("pulled")).unwrap();
            let out = run(bin, args);
            assert_eq!(out.code, 0, "{} {args:?}: {out:?}", bin.display());
            after.push(content());
        }
        assert_eq!(after[1], after[0], "content cache after {args:?}");
    }

    // An empty file is missing (downloaded and replaced); a directory is an error for `show`.
    for bin in [f.helm4.as_path(), rudder()] {
        clear();
        let path = sides.dir("shared").join(".helm/cache/content").join(&entry);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"").unwrap();
        assert_eq!(run(bin, &show).stdout, expected.stdout);
        assert_eq!(std::fs::read(&path).unwrap(), archive);
    }
    let mut outcomes = Vec::new();
    for bin in [f.helm4.as_path(), rudder()] {
        clear();
        let path = sides.dir("shared").join(".helm/cache/content").join(&entry);
        std::fs::create_dir_all(&path).unwrap();
        outcomes.push(run(bin, &show));
    }
    assert_eq!(outcomes[1], outcomes[0]);
    assert_eq!(outcomes[0].stderr, "Error: is a directory\n");

    // Deliberately stricter: other bytes under the digest are not used; the chart is downloaded.
    clear();
    let path = sides.dir("shared").join(".helm/cache/content").join(&entry);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"not the chart").unwrap();
    assert_eq!(run(rudder(), &show).stdout, expected.stdout);
    assert_eq!(std::fs::read(&path).unwrap(), archive);

    // HELM_CONTENT_CACHE moves it.
    let moved = sides.dir("shared").join("moved");
    let out = Command::new(rudder())
        .args(show)
        .current_dir(sides.dir("shared"))
        .env("HELM_CONFIG_HOME", sides.dir("shared").join(".helm/config"))
        .env("HELM_CACHE_HOME", sides.dir("shared").join(".helm/cache"))
        .env("HELM_DATA_HOME", sides.dir("shared").join(".helm/data"))
        .env("HELM_CONTENT_CACHE", &moved)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(moved.join(&entry).is_file());
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

/// `install` and `upgrade` of charts from a repository and a registry, and `--dependency-update` of
/// a chart whose dependency comes from the repository: what Rudder stores is what Helm renders for
/// the same reference (read back with `helm get manifest`: Helm reads Rudder's records).
#[test]
fn install_and_upgrade_from_repositories_and_registries() {
    let Some(f) = fixture("remote-install") else {
        return;
    };
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let ns = format!("rm-{}", std::process::id());
    let sides = Sides::new("remote-install");
    let kube = ["--kubeconfig", kubeconfig.to_str().unwrap(), "-n", &ns];
    let run = |bin: &Path, args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(kube);
        sides.run("rudder", bin, &all)
    };
    let ok = |out: Outcome| {
        assert_eq!(out.code, 0, "{out:?}");
        out
    };
    ok(sides.run("rudder", rudder(), &["repo", "add", "rm", &f.url]));
    ok(sides.run("helm", &f.helm3, &["repo", "add", "rm", &f.url]));
    let oci_redis = format!("{}/redis", f.oci);
    let set = ["--set", "auth.password=pw"];
    // `get manifest` ends with one newline more than `template` prints.
    let manifest = |release: &str| {
        let stdout = ok(run(&f.helm3, &["get", "manifest", release])).stdout;
        stdout.trim_end().to_string()
    };
    let rendered = |args: &[&str]| {
        let mut all = vec!["template"];
        all.extend(args);
        all.extend(set);
        ok(run(&f.helm3, &all)).stdout.trim_end().to_string()
    };
    let create = ["--create-namespace"];
    // From repo/chart.
    ok(run(
        rudder(),
        &[&["install", "a", "rm/redis"], &set[..], &create[..]].concat(),
    ));
    assert_eq!(manifest("a"), rendered(&["a", "rm/redis"]));
    // From a registry, then upgraded from the repository by URL.
    let oci_args = [
        "install",
        "b",
        &oci_redis,
        "--plain-http",
        "--version",
        "2.1.3",
    ];
    ok(run(rudder(), &[&oci_args[..], &set[..]].concat()));
    assert_eq!(
        manifest("b"),
        rendered(&["b", &oci_redis, "--plain-http", "--version", "2.1.3"])
    );
    ok(run(
        rudder(),
        &[&["upgrade", "b", "redis", "--repo", &f.url], &set[..]].concat(),
    ));
    assert_eq!(manifest("b"), rendered(&["b", "redis", "--repo", &f.url]));
    // upgrade --install from the registry.
    ok(run(
        rudder(),
        &[
            &["upgrade", "--install", "c", &oci_redis, "--plain-http"],
            &set[..],
        ]
        .concat(),
    ));
    assert_eq!(manifest("c"), rendered(&["c", &oci_redis, "--plain-http"]));
    // A chart not in the repository: Helm's message, nothing installed.
    let missing = run(rudder(), &["install", "d", "rm/nope"]);
    assert_eq!(missing.code, 1);
    assert_eq!(
        missing.stderr,
        "Error: INSTALLATION FAILED: chart \"nope\" matching  not found in rm index. (try 'helm repo update'): no chart name found\n"
    );
    // --dependency-update: the umbrella's redis comes from the repository.
    sides.write(
        "umbrella/Chart.yaml",
        &format!(
            "apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n- name: redis\n  version: 2.1.3\n  repository: {}\n",
            f.url
        ),
    );
    let without = run(rudder(), &["install", "e", "umbrella"]);
    assert_eq!(without.code, 1, "{without:?}");
    let mut helm_side = vec!["template", "e", "umbrella", "--dependency-update", "--set"];
    helm_side.extend(["redis.auth.password=pw", "-n", &ns]);
    let theirs = sides.run("helm", &f.helm3, &helm_side);
    assert_eq!(theirs.code, 0, "{theirs:?}");
    let installed = ok(run(
        rudder(),
        &[
            "install",
            "e",
            "umbrella",
            "--dependency-update",
            "--set",
            "redis.auth.password=pw",
        ],
    ));
    // The update's lines lead the output, as Helm prints them.
    let progress_end = theirs.stdout.find("---").unwrap_or(theirs.stdout.len());
    assert!(
        installed.stdout.starts_with(&theirs.stdout[..progress_end]),
        "{installed:?}\nvs\n{theirs:?}"
    );
    assert!(sides
        .dir("rudder")
        .join("umbrella/charts/redis-2.1.3.tgz")
        .is_file());
    let helm_rendered = theirs.stdout[progress_end..].trim_end().to_string();
    assert_eq!(manifest("e"), helm_rendered);
    // upgrade --dependency-update with the dependency already there: no update runs.
    let upgraded = ok(run(
        rudder(),
        &[
            "upgrade",
            "e",
            "umbrella",
            "--dependency-update",
            "--set",
            "redis.auth.password=pw",
        ],
    ));
    assert!(
        upgraded
            .stdout
            .starts_with("Release \"e\" has been upgraded"),
        "{upgraded:?}"
    );
    let kubectl = Command::new(
        String::from_utf8_lossy(
            &Command::new(Path::new(ROOT).join("scripts/install-oracle"))
                .args(["path", "kubectl"])
                .output()
                .unwrap()
                .stdout,
        )
        .trim(),
    )
    .args(["--kubeconfig", kubeconfig.to_str().unwrap()])
    .args(["delete", "namespace", &ns, "--wait=false"])
    .output();
    assert!(kubectl.is_ok_and(|o| o.status.success()));
}

/// A gzipped tar of `entries` (name, body, symlink target): names written raw, so `..` survives.
fn raw_archive(entries: &[(&str, &str, Option<&str>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (name, body, link) in entries {
        let mut header = tar::Header::new_gnu();
        let raw = &mut header.as_gnu_mut().unwrap().name;
        raw[..name.len()].copy_from_slice(name.as_bytes());
        header.set_mode(0o644);
        match link {
            Some(target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_link_name(target).unwrap();
                header.set_size(0);
                header.set_cksum();
                builder.append(&header, std::io::empty()).unwrap();
            }
            None => {
                header.set_size(body.len() as u64);
                header.set_cksum();
                builder.append(&header, body.as_bytes()).unwrap();
            }
        }
    }
    builder.into_inner().unwrap().finish().unwrap()
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Bad input a repository can serve: an archive whose path leaves the chart, an archive with a
/// symbolic link, a truncated archive (with the index's digest of it, and with the digest of the
/// whole archive), and an index entry whose version is not semver. Where Helm fails the same way
/// the outcome is Helm's; where Rudder is stricter (it refuses a bad archive before caching it,
/// naming the chart and the repository) nothing is left in the cache or the destination.
#[test]
fn bad_archives_and_indexes_served_by_a_repository() {
    let (Some(helm3), Some(server)) = (helm(), repo_server()) else {
        return;
    };
    let name = format!("bad-{}", std::process::id());
    let dir = Path::new(&server["REPO_ROOT"]).join(&name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("http://127.0.0.1:{}/{name}", server["REPO_HTTP_PORT"]);
    let chart_yaml = |chart: &str| format!("apiVersion: v2\nname: {chart}\nversion: 1.0.0\n");
    let config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    let evil = raw_archive(&[
        ("evil/Chart.yaml", &chart_yaml("evil"), None),
        ("evil/../../escaped.yaml", config_map, None),
    ]);
    let linky = raw_archive(&[
        ("linky/Chart.yaml", &chart_yaml("linky"), None),
        ("linky/templates/cm.yaml", config_map, None),
        ("linky/templates/passwd.yaml", "", Some("/etc/passwd")),
    ]);
    let whole = raw_archive(&[
        ("trunc/Chart.yaml", &chart_yaml("trunc"), None),
        ("trunc/templates/cm.yaml", &config_map.repeat(400), None),
    ]);
    let trunc = whole[..whole.len() / 2].to_vec();
    let mut index = String::from("apiVersion: v1\nentries:\n");
    let mut add = |chart: &str, version: &str, file: &str, data: &[u8], digest_of: &[u8]| {
        std::fs::write(dir.join(file), data).unwrap();
        index.push_str(&format!(
            "  {chart}:\n  - apiVersion: v2\n    name: {chart}\n    version: {version}\n    digest: {}\n    urls:\n    - {url}/{file}\n",
            sha256_hex(digest_of)
        ));
    };
    add("evil", "1.0.0", "evil-1.0.0.tgz", &evil, &evil);
    add("linky", "1.0.0", "linky-1.0.0.tgz", &linky, &linky);
    add("trunc", "1.0.0", "trunc-1.0.0.tgz", &trunc, &trunc);
    add("cut", "1.0.0", "cut-1.0.0.tgz", &trunc, &whole);
    index.push_str(&format!(
        "  redis:\n  - apiVersion: v2\n    name: redis\n    version: not-a-version\n    urls:\n    - {url}/redis.tgz\n  - apiVersion: v2\n    name: redis\n    version: 1.0.0\n    urls:\n    - {url}/linky-1.0.0.tgz\n"
    ));
    index.push_str("generated: \"2026-01-01T00:00:00Z\"\n");
    std::fs::write(dir.join("index.yaml"), &index).unwrap();

    let sides = Sides::new("remote-bad");
    // The malformed version: skipped with Helm's log line, by every command that reads the index.
    sides.same(&helm3, &["repo", "add", "bad", &url]);
    sides.same(&helm3, &["search", "repo", "bad/"]);
    sides.same(&helm3, &["template", "r", "bad/linky"]);
    sides.same(&helm3, &["pull", "bad/redis", "--version", "not-a-version"]);
    // A link loads as an empty file (Helm v3's rule) and is never made a link on disk.
    sides.same(&helm3, &["pull", "bad/linky", "--untar", "-d", "out"]);
    for side in ["helm", "rudder"] {
        let link = sides.dir(side).join("out/linky/templates/passwd.yaml");
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(meta.is_file() && meta.len() == 0, "{side}: {meta:?}");
    }
    let cache = sides.dir("rudder").join(".helm/cache/repository");
    for (chart, cause) in [
        ("evil", "chart illegally references parent directory"),
        ("trunc", "unexpected EOF"),
    ] {
        for args in [
            vec!["template", "r", chart, "--repo", url.as_str()],
            vec!["template", "r", &format!("bad/{chart}")],
            vec!["show", "chart", &format!("bad/{chart}")],
        ] {
            let args: Vec<&str> = args.iter().map(|s| s.as_ref()).collect();
            let out = sides.run("rudder", rudder(), &args);
            assert_eq!(out.code, 1, "{out:?}");
            let repository = if args.contains(&"--repo") {
                url.as_str()
            } else {
                "bad"
            };
            // (After the index's warnings about its malformed entry.)
            assert_eq!(
                out.stderr.lines().last().unwrap_or_default(),
                format!("Error: chart {chart}-1.0.0.tgz from repository {repository}: {cause}"),
                "{args:?}"
            );
            assert!(!cache.join(format!("{chart}-1.0.0.tgz")).exists());
            // Helm fails too (after caching the archive), with the loader's message.
            let theirs = sides.run("helm", &helm3, &args);
            assert_eq!(theirs.code, 1, "{theirs:?}");
            assert!(theirs.stderr.contains(cause), "{theirs:?}");
        }
        let out = sides.run(
            "rudder",
            rudder(),
            &["pull", &format!("bad/{chart}"), "-d", "dest"],
        );
        assert_eq!(out.code, 1, "{out:?}");
        assert!(out.stderr.contains(cause), "{out:?}");
        assert!(!sides
            .dir("rudder")
            .join("dest")
            .join(format!("{chart}-1.0.0.tgz"))
            .exists());
    }
    assert!(!sides.dir("rudder").join("escaped.yaml").exists());
    assert!(!sides
        .dir("rudder")
        .parent()
        .unwrap()
        .join("escaped.yaml")
        .exists());
    // An archive cut short in transit: the index's digest catches it first.
    let out = sides.run("rudder", rudder(), &["template", "r", "bad/cut"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.lines().last().unwrap_or_default().starts_with(&format!(
            "Error: chart cut-1.0.0.tgz from repository {url}: digest mismatch: the index says sha256:{}",
            sha256_hex(&whole)
        )),
        "{out:?}"
    );
    assert!(!cache.join("cut-1.0.0.tgz").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two charts that depend on each other by `file://`: `dependency update` packages the other
/// directory as it is (no recursion, as Helm), so a cycle neither loops nor fails.
#[test]
fn dependency_cycle_is_packaged_once_as_helm_does() {
    let Some(helm3) = helm() else { return };
    let sides = Sides::new("remote-cycle");
    for (chart, other) in [("a", "b"), ("b", "a")] {
        sides.write(
            &format!("{chart}/Chart.yaml"),
            &format!(
                "apiVersion: v2\nname: {chart}\nversion: 0.1.0\ndependencies:\n- name: {other}\n  version: 0.1.0\n  repository: file://../{other}\n"
            ),
        );
        sides.write(
            &format!("{chart}/templates/cm.yaml"),
            &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {chart}-{{{{ .Release.Name }}}}\n"),
        );
    }
    sides.same(&helm3, &["dependency", "update", "b"]);
    sides.same(&helm3, &["dependency", "update", "a"]);
    // The same archives with the same files (the nested lock's `generated` time aside).
    let listing = |side: &str| {
        archives(&sides.dir(side).join("a/charts"))
            .into_iter()
            .map(|(name, files)| (name, files.into_keys().collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    };
    assert_eq!(listing("rudder"), listing("helm"));
    sides.same(&helm3, &["template", "r", "a"]);
    sides.same(&helm3, &["dependency", "list", "a"]);
}

/// Runs `command` (a shell line) on a pseudo-terminal (util-linux `script`), typing `input` a second
/// after it starts (once the prompt has turned echo off); what the terminal showed.
fn on_terminal(dir: &Path, command: &str, input: &str) -> String {
    let shell = format!("(sleep 1; printf '%s\\n' '{input}') | script -qec '{command}' /dev/null");
    let out = Command::new("sh")
        .arg("-c")
        .arg(shell)
        .current_dir(dir)
        .env("HELM_CONFIG_HOME", dir.join(".helm/config"))
        .env("HELM_CACHE_HOME", dir.join(".helm/cache"))
        .env("HELM_DATA_HOME", dir.join(".helm/data"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `repo add --username` without `--password`, and `registry login` without credentials: Helm's
/// prompts. On a terminal the password is read without echo; without one (standard input not a
/// terminal) both fail as Helm does. `repo add` leaves `repositories.lock` (0600) as Helm does.
#[test]
fn password_prompts_and_the_repositories_lock() {
    let (Some(helm3), Some(server)) = (helm(), repo_server()) else {
        return;
    };
    if Command::new("script").arg("--version").output().is_err() {
        unavailable("util-linux script (a pseudo-terminal)");
        return;
    }
    let sides = Sides::new("remote-prompt");
    let name = format!("prompt-{}", std::process::id());
    let served = Path::new(&server["REPO_ROOT"]).join(&name);
    std::fs::create_dir_all(&served).unwrap();
    std::fs::write(served.join("index.yaml"), "apiVersion: v1\nentries: {}\n").unwrap();
    let auth = format!("http://127.0.0.1:{}/{name}", server["REPO_AUTH_PORT"]);
    let (user, password) = (server["REPO_USER"].as_str(), &server["REPO_PASSWORD"]);
    // Standard input is not a terminal.
    sides.same(&helm3, &["repo", "add", "au", &auth, "--username", user]);
    sides.same(&helm3, &["registry", "login", "127.0.0.1:1"]);
    sides.same(
        &helm3,
        &["registry", "login", "127.0.0.1:1", "--username", user],
    );
    // On a terminal.
    for (side, bin) in [("helm", helm3.as_path()), ("rudder", rudder())] {
        let dir = sides.dir(side);
        let shown = on_terminal(
            &dir,
            &format!("{} repo add au {auth} --username {user}", bin.display()),
            password,
        );
        assert_eq!(
            shown, "Password: \r\n\"au\" has been added to your repositories\r\n",
            "{side}"
        );
        let config = std::fs::read_to_string(dir.join(".helm/config/repositories.yaml")).unwrap();
        assert!(config.contains(&format!("password: {password}")), "{side}");
        let lock = std::fs::metadata(dir.join(".helm/config/repositories.lock")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(lock.permissions().mode() & 0o777, 0o600, "{side}");
    }
    // A held lock makes `repo add` wait for it.
    let dir = sides.dir("rudder");
    let holder = Command::new("flock")
        .arg(dir.join(".helm/config/repositories.lock"))
        .args(["sleep", "2"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    let out = sides.run(
        "rudder",
        rudder(),
        &[
            "repo",
            "add",
            "plain",
            &auth,
            "--username",
            user,
            "--password",
            password,
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(1000),
        "did not wait"
    );
    let _ = holder.wait_with_output();
    let _ = std::fs::remove_dir_all(&served);
}

/// A throwaway GnuPG home with two RSA signing keys (Helm's OpenPGP library knows no EdDSA), no
/// passphrase, exported as legacy keyrings: `secring.gpg` (the first key), `pubring.gpg` (the
/// first key) and `other.gpg` (the second key's public half).
fn test_keys(dir: &Path) -> Option<()> {
    let home = dir.join("gnupg");
    std::fs::create_dir_all(&home).ok()?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).ok()?;
    let gpg = |args: &[&str]| {
        Command::new("gpg")
            .env("GNUPGHOME", &home)
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| o.stdout)
    };
    for who in [
        "Rudder Test <rudder@example.com>",
        "Other Key <other@example.com>",
    ] {
        gpg(&["--quick-gen-key", who, "rsa2048", "sign", "never"])?;
    }
    std::fs::write(dir.join("pubring.gpg"), gpg(&["--export", "Rudder Test"])?).ok()?;
    std::fs::write(
        dir.join("secring.gpg"),
        gpg(&["--export-secret-keys", "Rudder Test"])?,
    )
    .ok()?;
    std::fs::write(dir.join("other.gpg"), gpg(&["--export", "Other Key"])?).ok()?;
    Some(())
}

/// Provenance both ways: a chart Helm signed verifies with Rudder, one Rudder signed verifies with
/// `helm verify` (v3 and v4), with the same report; a tampered archive, a wrong keyring and a
/// missing `.prov` fail with Helm's messages; `template --verify` of a signed archive.
#[test]
fn provenance_signed_by_one_verifies_with_the_other() {
    let Some(helm3) = helm() else { return };
    let Some(helm4) = helm_v4() else { return };
    let sides = Sides::new("remote-prov");
    for side in ["helm", "rudder"] {
        if test_keys(&sides.dir(side)).is_none() {
            unavailable("gpg (Debian's gnupg) to make test keys");
            return;
        }
    }
    // The same keys on both sides.
    for file in ["pubring.gpg", "secring.gpg", "other.gpg"] {
        std::fs::copy(sides.dir("helm").join(file), sides.dir("rudder").join(file)).unwrap();
    }
    sides.chart(&example_chart("common"), "common");
    let sign = [
        "package",
        "common",
        "-d",
        "signed",
        "--sign",
        "--key",
        "Rudder Test",
        "--keyring",
        "secring.gpg",
    ];
    sides.same(&helm3, &sign);
    let archive = "signed/common-0.3.1.tgz";
    let prov = "signed/common-0.3.1.tgz.prov";
    // Helm's signature, checked by Rudder; Rudder's, checked by Helm 3 and 4.
    let verify = ["verify", archive, "--keyring", "pubring.gpg"];
    let helm_signed = sides.run("helm", &helm3, &verify);
    assert_eq!(helm_signed.code, 0, "{helm_signed:?}");
    let rudder_signed = sides.run("rudder", rudder(), &verify);
    assert_eq!(rudder_signed.code, 0, "{rudder_signed:?}");
    let read = |side: &str, file: &str| std::fs::read(sides.dir(side).join(file)).unwrap();
    let (rudder_archive, rudder_prov) = (read("rudder", archive), read("rudder", prov));
    // Helm's signature, checked by Rudder.
    for file in [archive, prov] {
        std::fs::write(sides.dir("rudder").join(file), read("helm", file)).unwrap();
    }
    assert_eq!(
        sides.run("rudder", rudder(), &verify),
        helm_signed,
        "Helm-signed, Rudder verifies"
    );
    // Rudder's, checked by Helm 3 and 4 (then both sides hold Rudder's pair).
    for side in ["helm", "rudder"] {
        std::fs::write(sides.dir(side).join(archive), &rudder_archive).unwrap();
        std::fs::write(sides.dir(side).join(prov), &rudder_prov).unwrap();
    }
    for helm in [&helm3, &helm4] {
        let theirs = sides.run("helm", helm, &verify);
        assert_eq!(
            theirs,
            rudder_signed,
            "Rudder-signed, {} verifies",
            helm.display()
        );
    }
    sides.same(&helm3, &["verify", archive, "--keyring", "other.gpg"]);
    sides.same(&helm3, &["verify", "signed", "--keyring", "pubring.gpg"]);
    sides.same(
        &helm3,
        &["verify", "missing.tgz", "--keyring", "pubring.gpg"],
    );
    sides.same(&helm3, &["verify", archive, "--keyring", "missing.gpg"]);
    sides.same(
        &helm3,
        &[
            "template",
            "r",
            archive,
            "--verify",
            "--keyring",
            "pubring.gpg",
        ],
    );
    sides.same(
        &helm3,
        &[
            "template",
            "r",
            archive,
            "--verify",
            "--keyring",
            "other.gpg",
        ],
    );
    // A tampered archive: its bytes changed after signing.
    for side in ["helm", "rudder"] {
        let mut data = std::fs::read(sides.dir(side).join(archive)).unwrap();
        // Concatenated gzip members still load, but the digest changes.
        data.extend_from_slice(&data.clone());
        std::fs::write(sides.dir(side).join(archive), data).unwrap();
    }
    sides.same(&helm3, &verify);
    std::fs::remove_file(sides.dir("helm").join(prov)).unwrap();
    std::fs::remove_file(sides.dir("rudder").join(prov)).unwrap();
    sides.same(&helm3, &verify);
}

/// `Error: …` lines of an outcome (Helm's first error line), and standard output.
fn code_stdout_errors(o: &Outcome) -> (i32, String, Vec<String>) {
    let errors = o
        .stderr
        .lines()
        .filter(|l| l.starts_with("Error: "))
        .map(str::to_string)
        .collect();
    (o.code, o.stdout.clone(), errors)
}

/// `outcome` with the `tmpcharts-<pid>` directory of `dependency update|build` named alike.
fn without_pids(mut outcome: Outcome) -> Outcome {
    let mask = |text: &str| {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("tmpcharts-") {
            let (head, tail) = rest.split_at(at + "tmpcharts-".len());
            out.push_str(head);
            out.push_str("PID");
            rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        out.push_str(rest);
        out
    };
    outcome.stdout = mask(&outcome.stdout);
    outcome.stderr = mask(&outcome.stderr);
    outcome
}

/// The files under `dir` (relative paths, sorted).
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string();
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// `--verify` of downloaded charts against helm v3.17.3 and v4.1.4, on charts served by the real
/// repository and registry: `redis` signed by Helm, `postgresql` signed by Rudder (and pushed by
/// Rudder, its `.prov` as a layer), `common` unsigned, `milvus` signed then altered. `pull --verify`
/// (repository, archive URL, `oci://`, `--untar`), `show`/`template --verify`, `dependency
/// update|build --verify` (build only warns when there is no provenance), right and wrong keyrings,
/// a missing keyring: the same exit code, standard output and first error line as Helm (v3: the
/// same standard error too). On success the archive and its `.prov` are where Helm puts them; on
/// failure Rudder leaves nothing in the destination and `charts/` as it was (Helm leaves what it
/// downloaded).
#[test]
fn verify_downloaded_charts_as_helm_does() {
    let Some(helm3) = helm() else { return };
    let Some(helm4) = helm_v4() else { return };
    let Some(server) = repo_server() else { return };
    let Some(registry) = registry_server() else {
        return;
    };
    let sides = Sides::new("remote-verify");
    if test_keys(&sides.root).is_none() {
        unavailable("gpg (Debian's gnupg) to make test keys");
        return;
    }
    for side in ["helm", "rudder"] {
        for file in ["pubring.gpg", "other.gpg"] {
            std::fs::copy(sides.root.join(file), sides.dir(side).join(file)).unwrap();
        }
    }
    let name = format!("verify-{}", std::process::id());
    let served = Path::new(&server["REPO_ROOT"]).join(&name);
    let _ = std::fs::remove_dir_all(&served);
    std::fs::create_dir_all(&served).unwrap();
    let secring = sides.root.join("secring.gpg");
    let package = |bin: &Path, chart: &str, sign: bool| {
        let mut command = Command::new(bin);
        command
            .arg("package")
            .arg(example_chart(chart))
            .arg("-d")
            .arg(&served);
        if sign {
            command
                .args(["--sign", "--key", "Rudder Test", "--keyring"])
                .arg(&secring);
        }
        let out = command.output().unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    package(&helm3, "redis", true);
    package(rudder(), "postgresql", true);
    package(&helm3, "common", false);
    package(&helm3, "milvus", true);
    // Altered after signing: concatenated gzip members still load, but the digest changes (the
    // index is made afterwards, so only the provenance can tell).
    let milvus = served.join("milvus-0.9.2.tgz");
    let mut data = std::fs::read(&milvus).unwrap();
    data.extend_from_slice(&data.clone());
    std::fs::write(&milvus, data).unwrap();
    let url = format!("http://127.0.0.1:{}/{name}", server["REPO_HTTP_PORT"]);
    let out = Command::new(&helm3)
        .args(["repo", "index"])
        .arg(&served)
        .args(["--url", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let oci = format!("oci://127.0.0.1:{}/{name}", registry["REGISTRY_PLAIN_PORT"]);
    for (bin, chart) in [
        (&helm3, "redis-2.1.3.tgz"),
        (&rudder().to_path_buf(), "postgresql-1.4.0.tgz"),
        (&helm3, "common-0.3.1.tgz"),
        (&helm3, "milvus-0.9.2.tgz"),
    ] {
        let out = Command::new(bin)
            .arg("push")
            .arg(served.join(chart))
            .args([&oci, "--plain-http"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }

    let keyrings = ["pubring.gpg", "other.gpg", "missing.gpg"];
    let mut cases: Vec<Vec<String>> = Vec::new();
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for keyring in keyrings {
        let verify = ["--verify", "--keyring", keyring];
        for chart in ["redis", "postgresql", "common", "milvus"] {
            let mut pull = strings(&["pull", chart, "--repo", &url, "-d", "dest"]);
            pull.extend(strings(&verify));
            cases.push(pull);
            let mut pull = strings(&["pull", &format!("{oci}/{chart}"), "--plain-http"]);
            pull.extend(strings(&["-d", "dest"]));
            pull.extend(strings(&verify));
            cases.push(pull);
        }
    }
    for (chart, version) in [
        ("redis", "2.1.3"),
        ("postgresql", "1.4.0"),
        ("common", "0.3.1"),
    ] {
        for reference in [
            format!("{url}/{chart}-{version}.tgz"),
            format!("{oci}/{chart}"),
        ] {
            let r = reference.as_str();
            for head in [
                vec!["pull", r, "-d", "dest"],
                vec!["pull", r, "--untar", "-d", "dest"],
                vec!["show", "chart", r],
            ] {
                let mut args = strings(&head);
                args.extend(strings(&["--verify", "--keyring", "pubring.gpg"]));
                if r.starts_with("oci://") {
                    args.push("--plain-http".into());
                }
                cases.push(args);
            }
        }
    }
    cases.push(strings(&[
        "template",
        "r",
        "redis",
        "--repo",
        &url,
        "--set",
        "auth.password=pw",
        "--verify",
        "--keyring",
        "pubring.gpg",
    ]));
    cases.push(strings(&[
        "template",
        "r",
        &format!("{oci}/milvus"),
        "--plain-http",
        "--verify",
        "--keyring",
        "pubring.gpg",
    ]));

    let mut v4_differences = Vec::new();
    let mut verified: BTreeMap<String, usize> = BTreeMap::new();
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        for side in ["helm", "rudder"] {
            let _ = std::fs::remove_dir_all(sides.dir(side).join("dest"));
            std::fs::create_dir_all(sides.dir(side).join("dest")).unwrap();
        }
        let ours = sides.same(&helm3, &args);
        if ours.stdout.contains("Chart Hash Verified: ") {
            *verified
                .entry(args[1].rsplit('/').next().unwrap().to_string())
                .or_insert(0) += 1;
        }
        let dest = |side: &str| files_under(&sides.dir(side).join("dest"));
        if ours.code == 0 {
            assert_eq!(dest("rudder"), dest("helm"), "files after {args:?}");
            for file in dest("rudder") {
                let read = |side: &str| std::fs::read(sides.dir(side).join("dest").join(&file));
                assert_eq!(read("rudder").unwrap(), read("helm").unwrap(), "{file}");
            }
        } else {
            assert_eq!(dest("rudder"), Vec::<String>::new(), "left after {args:?}");
        }
        let _ = std::fs::remove_dir_all(sides.dir("helm").join("dest"));
        std::fs::create_dir_all(sides.dir("helm").join("dest")).unwrap();
        let theirs = sides.run("helm", &helm4, &args);
        if code_stdout_errors(&ours) != code_stdout_errors(&theirs) {
            v4_differences.push(format!("{args:?}: {:?}", v4_difference(&ours, &theirs)));
        }
    }
    assert!(
        v4_differences.is_empty(),
        "rudder vs helm v4:\n{}",
        v4_differences.join("\n")
    );
    // Successes that checked a signature: Helm's (redis) and Rudder's (postgresql), from both
    // servers, by archive URL, `--repo` and `oci://`.
    for chart in [
        "redis",
        "postgresql",
        "redis-2.1.3.tgz",
        "postgresql-1.4.0.tgz",
    ] {
        assert!(
            verified.get(chart).is_some_and(|n| *n >= 2),
            "{chart}: {verified:?}"
        );
    }

    // Dependencies: from the repository (by URL and by `@name`) and from the registry.
    sides.same(&helm3, &["repo", "add", "signed", &url]);
    for (chart, repository) in [
        ("redis", url.as_str()),
        ("postgresql", "@signed"),
        ("common", url.as_str()),
        ("milvus", url.as_str()),
        ("redis", oci.as_str()),
        ("postgresql", oci.as_str()),
        ("common", oci.as_str()),
        ("milvus", oci.as_str()),
    ] {
        for command in ["update", "build"] {
            for keyring in ["pubring.gpg", "other.gpg"] {
                let before = "keep.txt";
                sides.write(
                    "umbrella/Chart.yaml",
                    &format!(
                        "apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n- name: {chart}\n  version: \"*\"\n  repository: \"{repository}\"\n"
                    ),
                );
                for side in ["helm", "rudder"] {
                    let dir = sides.dir(side).join("umbrella");
                    let _ = std::fs::remove_dir_all(dir.join("charts"));
                    let _ = std::fs::remove_file(dir.join("Chart.lock"));
                    std::fs::create_dir_all(dir.join("charts")).unwrap();
                    std::fs::write(dir.join("charts").join(before), b"not a chart").unwrap();
                }
                let args = [
                    "dependency",
                    command,
                    "umbrella",
                    "--verify",
                    "--keyring",
                    keyring,
                    "--plain-http",
                ];
                let theirs = without_pids(sides.run("helm", &helm3, &args));
                let ours = without_pids(sides.run("rudder", rudder(), &args));
                assert_eq!(
                    ours, theirs,
                    "rudder vs helm for {args:?} of {repository}/{chart}"
                );
                let charts = |side: &str| files_under(&sides.dir(side).join("umbrella/charts"));
                if ours.code == 0 {
                    sides.same_files("umbrella");
                } else {
                    assert_eq!(charts("rudder"), vec![before.to_string()], "{args:?}");
                }
                let theirs4 = without_pids(sides.run("helm", &helm4, &args));
                assert_eq!(
                    code_stdout_errors(&ours),
                    code_stdout_errors(&theirs4),
                    "rudder vs helm v4 for {args:?} of {repository}/{chart}"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&served);
}

/// `outcome` with the random decimal suffix of `os.CreateTemp`'s name after `.tgz` (Helm's
/// `fileutil.AtomicWriteFile`) written as `.tgzRANDOM`.
fn without_temp_suffix(mut outcome: Outcome) -> Outcome {
    let mask = |text: &str| {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find(".tgz") {
            let (head, tail) = rest.split_at(at + ".tgz".len());
            out.push_str(head);
            let trimmed = tail.trim_start_matches(|c: char| c.is_ascii_digit());
            if trimmed.len() != tail.len() {
                out.push_str("RANDOM");
            }
            rest = trimmed;
        }
        out.push_str(rest);
        out
    };
    outcome.stdout = mask(&outcome.stdout);
    outcome.stderr = mask(&outcome.stderr);
    outcome
}

/// `pull -d DIR` when DIR does not exist: helm v3.17.3 and v4.1.4 alike do not make it (the
/// archive is written by `fileutil.AtomicWriteFile`, whose temporary file cannot be created:
/// `open DIR/NAME.tgz<random>: no such file or directory`), for a repository chart, an archive URL
/// and an `oci://` chart; `--untar` makes the directories it needs. Rudder: the same exit code,
/// output and files as both.
#[test]
fn pull_into_a_missing_destination_as_helm_does() {
    let Some(f) = fixture("missing-dest") else {
        return;
    };
    let sides = Sides::new("missing-dest");
    let oci = format!("{}/redis", f.oci);
    let archive = format!("{}/redis-2.1.3.tgz", f.url);
    let mut failed = 0;
    for reference in [archive.as_str(), oci.as_str()] {
        for dest in ["missing", "missing/a/b"] {
            for extra in [&[][..], &["--untar"][..]] {
                let mut args = vec!["pull", reference, "-d", dest];
                args.extend_from_slice(extra);
                if reference.starts_with("oci://") {
                    args.push("--plain-http");
                }
                let mut outcomes = Vec::new();
                for (side, bin) in [
                    ("helm", &f.helm3),
                    ("helm", &f.helm4),
                    ("rudder", &rudder().to_path_buf()),
                ] {
                    let _ = std::fs::remove_dir_all(sides.dir(side).join("missing"));
                    let outcome = without_temp_suffix(sides.run(side, bin, &args));
                    let files = files_under(&sides.dir(side).join("missing"));
                    outcomes.push((outcome, files));
                }
                assert_eq!(outcomes[0], outcomes[1], "helm v3 vs v4 for {args:?}");
                assert_eq!(outcomes[2], outcomes[0], "rudder vs helm for {args:?}");
                if outcomes[2].0.code != 0 {
                    assert!(
                        outcomes[2].0.stderr.contains(&format!(
                            "Error: open {dest}/redis-2.1.3.tgzRANDOM: no such file or directory"
                        )),
                        "{:?}",
                        outcomes[2].0
                    );
                    failed += 1;
                }
            }
        }
    }
    // Without --untar every case fails; with it every one succeeds.
    assert_eq!(failed, 4);
}
