//! `rudder dependency list|update|build` and `template --dependency-update` against real helm v3.17.3
//! on the same input: the same standard output, standard error and exit code, the same archives under
//! `charts/` (same names, same files inside), the same `Chart.lock` apart from its `generated` time,
//! and locks accepted both ways. Remote repositories are served by a real nginx on 127.0.0.1
//! (tests/repo-server/up); the charts it serves are packaged and indexed by real Helm.
//!
//! Without the server or the oracle the tests say so and pass, except under CI=true where that is a
//! failure.
mod common;
mod deps_support;

use std::path::Path;
use std::process::Command;

use deps_support::*;

fn umbrella(deps: &str) -> String {
    format!("apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n{deps}")
}

#[test]
fn file_dependencies_list_update_build() {
    let Some(helm) = helm() else { return };
    let sides = Sides::new("file");
    sides.chart(&example_charts(), "charts");
    // Start from a chart whose dependencies were never built.
    for side in ["helm", "rudder"] {
        let platform = sides.dir(side).join("charts/platform");
        std::fs::remove_dir_all(platform.join("charts")).unwrap();
        std::fs::remove_file(platform.join("Chart.lock")).unwrap();
    }
    sides.same(&helm, &["dependency", "list", "charts/platform"]);
    let update = sides.same(&helm, &["dependency", "update", "charts/platform"]);
    assert!(update.stdout.contains("Saving 4 charts"), "{update:?}");
    sides.same_files("charts/platform");
    sides.same(&helm, &["dependency", "list", "charts/platform"]);
    sides.same(
        &helm,
        &["dep", "ls", "charts/platform", "--max-col-width", "12"],
    );
    // A lock written by one is accepted by the other.
    let helm_lock = sides.dir("helm").join("charts/platform/Chart.lock");
    let rudder_lock = sides.dir("rudder").join("charts/platform/Chart.lock");
    let theirs = std::fs::read(&helm_lock).unwrap();
    let ours = std::fs::read(&rudder_lock).unwrap();
    std::fs::write(&helm_lock, &ours).unwrap();
    std::fs::write(&rudder_lock, &theirs).unwrap();
    sides.same(&helm, &["dependency", "build", "charts/platform"]);
    sides.same_files("charts/platform");
    // An update that changes nothing keeps the lock as it is.
    let before = std::fs::read(&rudder_lock).unwrap();
    sides.same(&helm, &["dependency", "update", "charts/platform"]);
    assert_eq!(std::fs::read(&rudder_lock).unwrap(), before);
}

#[test]
fn lock_out_of_sync_and_unsatisfiable_constraints() {
    let Some(helm) = helm() else { return };
    let sides = Sides::new("sync");
    sides.chart(&example_charts(), "charts");
    sides.same(&helm, &["dependency", "update", "charts/platform"]);
    for side in ["helm", "rudder"] {
        let path = sides.dir(side).join("charts/platform/Chart.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("version: ~2.1.0", "version: ~2.1.1")).unwrap();
    }
    let out = sides.same(&helm, &["dependency", "build", "charts/platform"]);
    assert!(out.stderr.contains("out of sync"), "{out:?}");
    for side in ["helm", "rudder"] {
        let path = sides.dir(side).join("charts/platform/Chart.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("version: ~2.1.1", "version: ~3.0.0")).unwrap();
    }
    let out = sides.same(&helm, &["dependency", "update", "charts/platform"]);
    assert!(out.stderr.contains("can't get a valid version"), "{out:?}");
    sides.same_files("charts/platform");
    // Missing `file://` directory and bad arguments.
    sides.write(
        "missing/Chart.yaml",
        &umbrella("  - name: x\n    version: 1.0.0\n    repository: file://../nowhere\n"),
    );
    sides.same(&helm, &["dependency", "update", "missing"]);
    sides.same(&helm, &["dependency", "build", "missing"]);
    sides.same(&helm, &["dependency", "list", "missing"]);
    sides.same(&helm, &["dependency", "update", "a", "b"]);
    sides.same(&helm, &["dependency", "update", "nowhere"]);
    sides.write(
        "nodeps/Chart.yaml",
        "apiVersion: v2\nname: nodeps\nversion: 0.1.0\n",
    );
    sides.same(&helm, &["dependency", "list", "nodeps"]);
    sides.same(&helm, &["dependency", "update", "nodeps"]);
}

#[test]
fn http_repository_by_url_and_by_name() {
    let Some(helm) = helm() else { return };
    let Some(server) = repo_server() else { return };
    let url = publish(&helm, &server, "named");
    let sides = Sides::new("http");
    let deps = format!(
        "  - name: redis\n    version: ~2.1.0\n    repository: {url}\n  - name: common\n    version: \">=0.1.0 <1.0.0\"\n    repository: \"@local\"\n  - name: postgresql\n    version: 1.4.0\n    repository: {url}/\n"
    );
    sides.write("u/Chart.yaml", &umbrella(&deps));
    // No repository named local yet.
    let out = sides.same(&helm, &["dependency", "update", "u"]);
    assert!(
        out.stderr.contains("no repository definition for @local"),
        "{out:?}"
    );
    // Added by Helm on both sides: Rudder reads Helm's repositories.yaml and cache.
    for side in ["helm", "rudder"] {
        let out = sides.run(side, &helm, &["repo", "add", "local", &url]);
        assert_eq!(out.code, 0, "{out:?}");
    }
    let out = sides.same(&helm, &["dependency", "update", "u"]);
    assert!(
        out.stdout.contains("Downloading redis from repo"),
        "{out:?}"
    );
    sides.same_files("u");
    sides.same(&helm, &["dependency", "list", "u"]);
    for side in ["helm", "rudder"] {
        std::fs::remove_dir_all(sides.dir(side).join("u/charts")).unwrap();
    }
    sides.same(&helm, &["dependency", "build", "u"]);
    sides.same(&helm, &["dependency", "build", "u", "--skip-refresh"]);
    sides.same_files("u");
}

#[test]
fn unmanaged_repository_url_and_failures() {
    let Some(helm) = helm() else { return };
    let Some(server) = repo_server() else { return };
    let url = publish(&helm, &server, "unmanaged");
    let sides = Sides::new("unmanaged");
    sides.write(
        "u/Chart.yaml",
        &umbrella(&format!(
            "  - name: redis\n    version: ~2.1.0\n    repository: {url}\n"
        )),
    );
    sides.write(
        "u/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    // `template --dependency-update` runs the update first, its lines on standard output.
    // (The redis chart makes up a random password unless given one.)
    let template = [
        "template",
        "r",
        "u",
        "--dependency-update",
        "--set",
        "redis.auth.password=fixed",
    ];
    let out = sides.same(&helm, &template);
    assert!(
        out.stdout.contains("Getting updates for unmanaged"),
        "{out:?}"
    );
    sides.same_files("u");
    // Satisfied now: no update, only the manifests.
    let out = sides.same(&helm, &template);
    assert!(out.stdout.starts_with("---"), "{out:?}");
    // A repository path that is not there (404) and a port nobody listens on.
    let missing = format!("http://127.0.0.1:{}/no-such-repo", server["REPO_HTTP_PORT"]);
    sides.write(
        "gone/Chart.yaml",
        &umbrella(&format!(
            "  - name: redis\n    version: 1.0.0\n    repository: {missing}\n"
        )),
    );
    let out = sides.same(&helm, &["dependency", "update", "gone"]);
    assert!(out.stdout.contains("404 Not Found"), "{out:?}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    sides.write(
        "down/Chart.yaml",
        &umbrella(&format!(
            "  - name: redis\n    version: 1.0.0\n    repository: http://127.0.0.1:{closed}/charts\n"
        )),
    );
    let out = sides.same(&helm, &["dependency", "update", "down"]);
    assert!(out.stdout.contains("connection refused"), "{out:?}");
}

/// An archive that is not the one the index describes is refused before anything reaches charts/.
#[test]
fn digest_mismatch_leaves_charts_untouched() {
    let Some(helm) = helm() else { return };
    let Some(server) = repo_server() else { return };
    let url = publish(&helm, &server, "tampered");
    let dir = Path::new(&server["REPO_ROOT"]).join(url.rsplit('/').next().unwrap());
    // Same chart, different bytes: packaged again by Rudder (no timestamps), index left as it was.
    let out = Command::new(rudder())
        .arg("package")
        .arg(example_chart("redis"))
        .arg("-d")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let sides = Sides::new("digest");
    sides.write(
        "u/Chart.yaml",
        &umbrella(&format!(
            "  - name: redis\n    version: ~2.1.0\n    repository: {url}\n"
        )),
    );
    // An archive already in charts/ stays as it is.
    let charts_dir = sides.dir("rudder").join("u/charts");
    let out = Command::new(rudder())
        .arg("package")
        .arg(example_chart("common"))
        .arg("-d")
        .arg(&charts_dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let kept = std::fs::read(charts_dir.join("common-0.3.1.tgz")).unwrap();
    let out = sides.run("rudder", rudder(), &["dependency", "update", "u"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .starts_with("Error: chart redis-2.1.3.tgz from repository http://"),
        "{out:?}"
    );
    assert!(out.stderr.contains("digest mismatch"), "{out:?}");
    let u = sides.dir("rudder").join("u");
    let left: Vec<String> = std::fs::read_dir(&u)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!left.iter().any(|n| n.starts_with("tmpcharts")), "{left:?}");
    assert!(!u.join("Chart.lock").exists());
    let charts: Vec<String> = std::fs::read_dir(u.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(charts, ["common-0.3.1.tgz"]);
    assert_eq!(
        std::fs::read(charts_dir.join("common-0.3.1.tgz")).unwrap(),
        kept
    );
}

/// `repo add|list|update|remove` and `search repo` print what Helm prints and leave the same
/// `repositories.yaml` and cache; a repository added by one is used by the other.
#[test]
fn repo_commands_and_search() {
    let Some(helm) = helm() else { return };
    let Some(server) = repo_server() else { return };
    let url = publish(&helm, &server, "repocmds");
    let path = url.rsplit('/').next().unwrap().to_string();
    let https = format!("https://127.0.0.1:{}/{path}", server["REPO_HTTPS_PORT"]);
    let auth = format!("http://127.0.0.1:{}/{path}", server["REPO_AUTH_PORT"]);
    let (user, password) = (
        server["REPO_USER"].as_str(),
        server["REPO_PASSWORD"].as_str(),
    );
    let (ca, other_ca) = (server["REPO_CA"].as_str(), server["REPO_OTHER_CA"].as_str());
    let gone = format!("{url}/nothing-here");
    let sides = Sides::new("repocmds");
    let cases: Vec<Vec<&str>> = vec![
        vec!["repo", "list"],
        vec!["repo", "update"],
        vec!["search", "repo", "redis"],
        vec!["repo", "add", "local", &url],
        vec!["repo", "add", "local", &url],
        vec!["repo", "add", "local", "http://127.0.0.1:1/elsewhere"],
        vec!["repo", "add", "bad/name", &url],
        vec!["repo", "add", "only-one"],
        // HTTPS with basic auth: trusted CA, no CA, another CA, skipped verification, bad password.
        vec![
            "repo",
            "add",
            "secure",
            &https,
            "--username",
            user,
            "--password",
            password,
            "--ca-file",
            ca,
        ],
        vec![
            "repo",
            "add",
            "noca",
            &https,
            "--username",
            user,
            "--password",
            password,
        ],
        vec![
            "repo",
            "add",
            "otherca",
            &https,
            "--username",
            user,
            "--password",
            password,
            "--ca-file",
            other_ca,
        ],
        vec![
            "repo",
            "add",
            "insecure",
            &https,
            "--username",
            user,
            "--password",
            password,
            "--insecure-skip-tls-verify",
        ],
        vec![
            "repo",
            "add",
            "wrongpw",
            &https,
            "--username",
            user,
            "--password",
            "nope",
            "--ca-file",
            ca,
        ],
        vec!["repo", "add", "noauth", &auth],
        vec![
            "repo",
            "add",
            "missingca",
            &https,
            "--ca-file",
            "/nonexistent/ca.crt",
        ],
        vec!["repo", "add", "gone", &gone],
        vec!["repo", "list"],
        vec!["repo", "ls", "-o", "json"],
        vec!["repo", "list", "-o", "yaml"],
        vec!["repo", "list", "extra"],
        vec!["search", "repo"],
        vec!["search", "repo", "redis"],
        vec!["search", "repo", "-l"],
        vec!["search", "repo", "cache", "-o", "json"],
        vec!["search", "repo", "--devel", "-o", "yaml"],
        vec!["search", "repo", "--version", "~2.1.0", "-l"],
        vec!["search", "repo", "-r", "mil.us"],
        vec!["search", "repo", "nothing-matches"],
        vec!["search", "repo", "--max-col-width", "10"],
        vec!["repo", "update"],
        vec!["repo", "update", "secure"],
        vec!["repo", "update", "nope"],
        vec!["repo", "remove", "nope"],
        vec!["repo", "remove", "insecure"],
        vec!["repo", "remove"],
        vec!["repo", "list"],
    ];
    for args in &cases {
        // Helm prints each repository's line as its download finishes: compare them in any order.
        let unordered = args[..2] == ["repo", "update"];
        let out = if unordered {
            sides.same_unordered(&helm, args)
        } else {
            sides.same(&helm, args)
        };
        assert!(
            !out.stdout.contains(password) && !out.stderr.contains(password),
            "password printed by {args:?}"
        );
    }
    let file = |side: &str| sides.dir(side).join(".helm/config/repositories.yaml");
    assert_eq!(
        std::fs::read_to_string(file("rudder")).unwrap(),
        std::fs::read_to_string(file("helm")).unwrap()
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(file("rudder"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let cache = |side: &str| {
        let mut names: Vec<String> =
            std::fs::read_dir(sides.dir(side).join(".helm/cache/repository"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        names.sort();
        names
    };
    assert_eq!(cache("rudder"), cache("helm"));
    // Each uses the other's configuration: swap the homes and resolve dependencies from `secure`.
    let helm_home = sides.dir("helm").join(".helm");
    let rudder_home = sides.dir("rudder").join(".helm");
    let swap = sides.root.join("swap");
    std::fs::rename(&helm_home, &swap).unwrap();
    std::fs::rename(&rudder_home, &helm_home).unwrap();
    std::fs::rename(&swap, &rudder_home).unwrap();
    sides.write(
        "u/Chart.yaml",
        &umbrella("  - name: redis\n    version: ~2.1.0\n    repository: \"@secure\"\n"),
    );
    let out = sides.same(&helm, &["dependency", "update", "u"]);
    assert!(out.stdout.contains("Downloading redis"), "{out:?}");
    sides.same_files("u");
}

/// `repo index` writes the index Helm writes (apart from the `created`/`generated` times).
#[test]
fn repo_index_matches_helm() {
    let Some(helm) = helm() else { return };
    let sides = Sides::new("index");
    // Packaged once (Helm 3 stamps the time into archives), copied to both sides.
    let dir = sides.dir("helm").join("repo");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    for (chart, sub) in [("common", ""), ("redis", ""), ("milvus", "nested")] {
        let out = Command::new(&helm)
            .arg("package")
            .arg(example_chart(chart))
            .arg("-d")
            .arg(dir.join(sub))
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    std::fs::write(dir.join("not-a-chart.tgz"), "junk").unwrap();
    copy_dir(&dir, &sides.dir("rudder").join("repo"));
    let index = |side: &str| {
        std::fs::read_to_string(sides.dir(side).join("repo/index.yaml"))
            .unwrap()
            .lines()
            .filter(|l| !l.contains("created") && !l.contains("generated"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for args in [
        vec![
            "repo",
            "index",
            "repo",
            "--url",
            "https://charts.example.com/stable",
        ],
        vec!["repo", "index", "repo"],
        vec!["repo", "index", "repo", "--json"],
        vec![
            "repo",
            "index",
            "repo",
            "--url",
            "http://x",
            "--merge",
            "repo/index.yaml",
        ],
        vec!["repo", "index"],
    ] {
        sides.same(&helm, &args);
        assert_eq!(index("rudder"), index("helm"), "{args:?}");
    }
    // Helm fails writing into a missing directory (naming its random temporary file); Rudder names
    // the directory.
    let out = sides.run("rudder", rudder(), &["repo", "index", "no-such-dir"]);
    assert_eq!(
        out.stderr,
        "Error: open $DIR/no-such-dir: no such file or directory\n"
    );
}

/// The archives under `charts/*/charts/` and the locks are what `dependency build` makes from the
/// sibling charts (Rudder's archives are reproducible, so byte for byte), and Helm accepts the locks.
#[test]
fn vendored_example_dependencies_are_generated() {
    let Some(helm) = helm() else { return };
    let sides = Sides::new("vendored");
    sides.chart(&example_charts(), "charts");
    for chart in [
        "postgresql",
        "redis",
        "milvus",
        "platform",
        "notes",
        "ai-platform",
        "nova",
        "minio",
        "kafka",
        "elasticsearch",
        "clickhouse",
        "nacos",
        "jaeger",
        "prometheus",
        "grafana",
        "voice-infra",
    ] {
        let path = format!("charts/{chart}");
        let out = sides.run("rudder", rudder(), &["dependency", "build", &path]);
        assert_eq!(out.code, 0, "{out:?}");
        let out = sides.run("helm", &helm, &["dependency", "build", &path]);
        assert_eq!(out.code, 0, "helm rejects the lock of {chart}: {out:?}");
        let dir = format!("charts/{chart}/charts");
        for entry in std::fs::read_dir(example_charts().join(chart).join("charts")).unwrap() {
            let entry = entry.unwrap();
            let rebuilt = sides.dir("rudder").join(&dir).join(entry.file_name());
            assert_eq!(
                std::fs::read(&rebuilt).unwrap(),
                std::fs::read(entry.path()).unwrap(),
                "{} is not what `rudder dependency build charts/{chart}` makes: rebuild it",
                entry.path().display()
            );
        }
    }
    sides.same_files("charts/platform");
}

/// The platform chart resolves its dependencies by version from the chart repository, as Helm does,
/// and renders as it does from the vendored archives.
#[test]
fn platform_from_the_local_repository() {
    let Some(helm) = helm() else { return };
    let Some(server) = repo_server() else { return };
    let url = publish(&helm, &server, "platform");
    let sides = Sides::new("platform");
    sides.chart(&example_charts().join("platform"), "platform");
    for side in ["helm", "rudder"] {
        let dir = sides.dir(side).join("platform");
        std::fs::remove_dir_all(dir.join("charts")).unwrap();
        std::fs::remove_file(dir.join("Chart.lock")).unwrap();
        let text = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap();
        std::fs::write(
            dir.join("Chart.yaml"),
            text.replace("file://../common", &url)
                .replace("file://../postgresql", &url)
                .replace("file://../redis", &url)
                .replace("file://../milvus", &url),
        )
        .unwrap();
    }
    let out = sides.same(&helm, &["dependency", "update", "platform"]);
    assert!(out.stdout.contains("Downloading milvus"), "{out:?}");
    sides.same_files("platform");
    let values = example_charts().join("platform/ci/pinned-passwords.yaml");
    let values = values.to_str().unwrap();
    let from_repo = sides.same(&helm, &["template", "platform", "platform", "-f", values]);
    let vendored = Command::new(rudder())
        .args(["template", "platform"])
        .arg(example_charts().join("platform"))
        .args(["-f", values])
        .output()
        .unwrap();
    assert_eq!(from_repo.stdout, String::from_utf8_lossy(&vendored.stdout));
}

/// `push` and `pull oci://…` against a real registry, both ways with Helm: a chart pushed by one is
/// pulled by the other, byte for byte, with the same lines; Rudder's manifest for a chart is Helm's
/// (same config blob, layer and annotations, so the same digest when pushed within the same second).
#[test]
fn oci_push_and_pull_interoperate_with_helm() {
    let Some(helm) = helm() else { return };
    let Some(registry) = registry_server() else {
        return;
    };
    let host = format!("127.0.0.1:{}", registry["REGISTRY_PLAIN_PORT"]);
    let sides = Sides::new("oci");
    let out = Command::new(&helm)
        .arg("package")
        .arg(example_chart("redis"))
        .arg("-d")
        .arg(&sides.root)
        .output()
        .unwrap();
    assert!(out.status.success());
    let archive = sides.root.join("redis-2.1.3.tgz");
    let archive = archive.to_str().unwrap();
    // Each pushes into its own repository path; then each pulls what the other pushed.
    let base = format!("oci://{host}/t{}", std::process::id());
    let by_helm = format!("{base}/helm");
    let by_rudder = format!("{base}/rudder");
    let out = sides.run("helm", &helm, &["push", archive, &by_helm, "--plain-http"]);
    assert_eq!(out.code, 0, "{out:?}");
    let ours = sides.run(
        "rudder",
        rudder(),
        &["push", archive, &by_rudder, "--plain-http"],
    );
    assert_eq!(ours.code, 0, "{ours:?}");
    assert!(
        ours.stderr.starts_with(&format!("Pushed: {host}/t")),
        "{ours:?}"
    );
    for side in ["helm", "rudder"] {
        std::fs::create_dir_all(sides.dir(side).join("latest")).unwrap();
    }
    for source in [&by_helm, &by_rudder] {
        let chart = format!("{source}/redis");
        sides.same(
            &helm,
            &["pull", &chart, "--version", "2.1.3", "--plain-http"],
        );
        sides.same(&helm, &["pull", &chart, "--plain-http", "-d", "latest"]);
        sides.same(
            &helm,
            &[
                "pull",
                &chart,
                "--version",
                "~2.1",
                "--plain-http",
                "-d",
                "latest",
            ],
        );
        sides.same(
            &helm,
            &["pull", &chart, "--plain-http", "--untar", "-d", "un"],
        );
        sides.same(
            &helm,
            &["pull", &chart, "--plain-http", "--untar", "-d", "un"],
        );
        sides.same(
            &helm,
            &["pull", &chart, "--version", "9.9.9", "--plain-http"],
        );
        for side in ["helm", "rudder"] {
            let pulled = std::fs::read(sides.dir(side).join("redis-2.1.3.tgz")).unwrap();
            assert_eq!(
                pulled,
                std::fs::read(archive).unwrap(),
                "{side} pulled {chart}"
            );
        }
        assert_eq!(
            archives(&sides.dir("rudder").join("un/redis")),
            archives(&sides.dir("helm").join("un/redis"))
        );
        for side in ["helm", "rudder"] {
            std::fs::remove_dir_all(sides.dir(side).join("un")).unwrap();
        }
    }
    sides.same(
        &helm,
        &["pull", &format!("{base}/nothing-here"), "--plain-http"],
    );
    // Dependencies from the registry: an exact version and a constraint over the tags.
    sides.write(
        "u/Chart.yaml",
        &umbrella(&format!(
            "  - name: redis\n    version: 2.1.3\n    repository: {by_helm}\n  - name: redis\n    alias: second\n    version: ~2.1.0\n    repository: {by_rudder}\n"
        )),
    );
    let out = sides.same(&helm, &["dependency", "update", "u", "--plain-http"]);
    assert!(out.stderr.contains("Pulled: "), "{out:?}");
    sides.same_files("u");
    for side in ["helm", "rudder"] {
        std::fs::remove_dir_all(sides.dir(side).join("u/charts")).unwrap();
    }
    sides.same(&helm, &["dependency", "build", "u", "--plain-http"]);
    sides.same_files("u");
    sides.write(
        "v/Chart.yaml",
        &umbrella(&format!(
            "  - name: redis\n    version: ~9.0.0\n    repository: {by_helm}\n"
        )),
    );
    sides.same(&helm, &["dependency", "update", "v", "--plain-http"]);
    // The two manifests describe the same chart: same config and layer digests.
    let manifest = |repo: &str| {
        let out = Command::new("curl")
            .args([
                "-s",
                "-H",
                "Accept: application/vnd.oci.image.manifest.v1+json",
            ])
            .arg(format!("http://{host}/v2/{repo}/redis/manifests/2.1.3"))
            .output()
            .unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["annotations"]
            .as_object_mut()
            .unwrap()
            .remove("org.opencontainers.image.created");
        v
    };
    let prefix = format!("t{}", std::process::id());
    assert_eq!(
        manifest(&format!("{prefix}/rudder")),
        manifest(&format!("{prefix}/helm"))
    );
}

/// A registry with TLS and htpasswd: `registry login` checks and stores the credentials (Helm's
/// file, 0600, never printed), `push`/`pull` use them, `logout` removes them and the registry then
/// refuses. (Helm 3.17 itself cannot talk to a TLS registry on 127.0.0.1 once it has credentials for
/// it: it falls back to plain HTTP, so this one is checked on Rudder alone.)
#[test]
fn oci_registry_with_tls_and_login() {
    let Some(registry) = registry_server() else {
        return;
    };
    let host = format!("127.0.0.1:{}", registry["REGISTRY_TLS_PORT"]);
    let ca = registry["REGISTRY_CA"].as_str();
    let (user, password) = (
        registry["REGISTRY_USER"].as_str(),
        registry["REGISTRY_PASSWORD"].as_str(),
    );
    let sides = Sides::new("ocitls");
    let archive = sides.dir("rudder").join("common-0.3.1.tgz");
    let out = Command::new(rudder())
        .arg("package")
        .arg(example_chart("common"))
        .arg("-d")
        .arg(sides.dir("rudder"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let archive = archive.to_str().unwrap();
    let remote = format!("oci://{host}/t{}", std::process::id());
    let run = |args: &[&str]| sides.run("rudder", rudder(), args);
    let out = run(&["push", archive, &remote, "--ca-file", ca]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("401"), "{out:?}");
    let out = run(&[
        "registry",
        "login",
        &host,
        "-u",
        user,
        "-p",
        "wrong",
        "--ca-file",
        ca,
    ]);
    assert_eq!(
        out.stderr,
        format!("WARNING: Using --password via the CLI is insecure. Use --password-stdin.\nError: login attempt to https://{host}/v2/ failed with status: 401 Unauthorized\n")
    );
    let out = run(&["registry", "login", &host, "-u", user, "-p", password]);
    assert!(
        out.stderr
            .contains("certificate signed by unknown authority"),
        "{out:?}"
    );
    let out = run(&[
        "registry",
        "login",
        &host,
        "-u",
        user,
        "-p",
        password,
        "--ca-file",
        ca,
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.ends_with("Login Succeeded\n"), "{out:?}");
    let config = sides
        .dir("rudder")
        .join(".helm/config/registry/config.json");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&config).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let out = run(&["push", archive, &remote, "--ca-file", ca]);
    assert_eq!(out.code, 0, "{out:?}");
    let chart = format!("{remote}/common");
    // As Helm, pull writes only into a destination that exists.
    for dir in ["pulled", "insecure"] {
        std::fs::create_dir_all(sides.dir("rudder").join(dir)).unwrap();
    }
    let out = run(&["pull", &chart, "--ca-file", ca, "-d", "pulled"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        std::fs::read(sides.dir("rudder").join("pulled/common-0.3.1.tgz")).unwrap(),
        std::fs::read(archive).unwrap()
    );
    let out = run(&[
        "pull",
        &chart,
        "--insecure-skip-tls-verify",
        "-d",
        "insecure",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(&["registry", "logout", &host]);
    assert_eq!(
        out.stderr,
        format!("Removing login credentials for {host}\n")
    );
    let out = run(&["pull", &chart, "--ca-file", ca]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("401"), "{out:?}");
    let out = run(&["registry", "logout", &host]);
    assert_eq!(out.stderr, "Error: not logged in\n");
}

/// `registry login|logout` through Docker credential helpers, against helm v3.17.3 (oras-go's
/// dynamic store) on the plain-HTTP registry: `credsStore` and `credHelpers[host]` get `store`
/// (the credentials as JSON on standard input) and `erase` (the host), the file keeps the host under
/// `auths` with no secret; with nothing configured, the platform's default helper is detected and
/// recorded as `credsStore`; a failing or missing helper is Helm's error and the file is left as it
/// was; `logout` of a host the file does not list is `not logged in`. The helpers are scripts that
/// log what they were asked; the logs and the files (as JSON) must be the same on both sides.
#[test]
fn registry_login_and_logout_through_credential_helpers() {
    let Some(helm) = helm() else { return };
    let Some(registry) = registry_server() else {
        return;
    };
    let host = format!("127.0.0.1:{}", registry["REGISTRY_PLAIN_PORT"]);
    let sides = Sides::new("cred-helpers");
    let helper = |side: &str, name: &str, body: &str| {
        use std::os::unix::fs::PermissionsExt;
        let bin = sides.dir(side).join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let path = bin.join(format!("docker-credential-{name}"));
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\n{{ printf '%s %s\\n' {name} \"$1\"; cat; echo; }} >> \"$CALLS\"\n{body}"
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    for side in ["helm", "rudder"] {
        helper(side, "fake", "exit 0\n");
        helper(side, "bad", "echo 'the keyring is locked'\nexit 4\n");
    }
    let config = |side: &str| sides.dir(side).join(".helm/config/registry/config.json");
    let run = |side: &str, bin: &Path, args: &[&str]| {
        let dir = sides.dir(side);
        let path = format!(
            "{}:{}",
            dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new(bin)
            .args(args)
            .current_dir(&dir)
            .env("PATH", path)
            .env("CALLS", dir.join("calls"))
            .env("HELM_CONFIG_HOME", dir.join(".helm/config"))
            .env("HELM_CACHE_HOME", dir.join(".helm/cache"))
            .env("DOCKER_CONFIG", dir.join("docker"))
            .env_remove("HELM_REGISTRY_CONFIG")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let state = |side: &str| {
        let file = std::fs::read_to_string(config(side))
            .ok()
            .map(|t| serde_json::from_str::<serde_json::Value>(&t).unwrap());
        let calls = std::fs::read_to_string(sides.dir(side).join("calls")).unwrap_or_default();
        let _ = std::fs::remove_file(sides.dir(side).join("calls"));
        (file, calls)
    };
    let login = [
        "registry",
        "login",
        host.as_str(),
        "-u",
        "u",
        "-p",
        "s3cret",
    ];
    let logout = ["registry", "logout", host.as_str()];
    let cases: Vec<(Option<serde_json::Value>, Vec<&[&str]>)> = vec![
        (
            Some(serde_json::json!({"credsStore": "fake"})),
            vec![&login, &logout, &logout],
        ),
        (
            Some(serde_json::json!({"credHelpers": {host.clone(): "fake"}, "credsStore": "bad"})),
            vec![&login, &logout],
        ),
        (
            Some(serde_json::json!({"credHelpers": {host.clone(): "bad"}})),
            vec![&login, &logout],
        ),
        (
            Some(serde_json::json!({"auths": {host.clone(): {}}, "credsStore": "bad"})),
            vec![&logout],
        ),
        (
            Some(serde_json::json!({"credsStore": "rudder-missing"})),
            vec![&login],
        ),
        // Nothing configured: the detected default (a `secretservice` helper on $PATH).
        (None, vec![&login, &logout]),
        (Some(serde_json::json!({})), vec![&login]),
    ];
    for (i, (initial, steps)) in cases.iter().enumerate() {
        for side in ["helm", "rudder"] {
            let file = config(side);
            let _ = std::fs::remove_file(&file);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            if let Some(json) = initial {
                std::fs::write(&file, json.to_string()).unwrap();
            }
            let default = sides.dir(side).join("bin/docker-credential-secretservice");
            let _ = std::fs::remove_file(&default);
            if initial
                .as_ref()
                .is_none_or(|j| j.as_object().unwrap().is_empty())
            {
                helper(side, "secretservice", "exit 0\n");
            }
        }
        for args in steps {
            let theirs = run("helm", &helm, args);
            let ours = run("rudder", rudder(), args);
            assert_eq!(ours, theirs, "case {i}: {args:?}");
            assert_eq!(state("rudder"), state("helm"), "case {i}: after {args:?}");
        }
    }
}

/// `pull` from HTTP(S) repositories prints and saves what Helm does: `repo/chart` through the cached
/// index, `--repo URL` (with basic auth and a CA), an archive's URL, `--untar`/`--untardir`/`-d`, and
/// Helm's errors; an archive that does not match the index's digest is refused.
#[test]
fn pull_from_http_repositories() {
    let Some(helm) = helm() else { return };
    let Some(server) = repo_server() else { return };
    let url = publish(&helm, &server, "pull");
    let path = url.rsplit('/').next().unwrap().to_string();
    let https = format!("https://127.0.0.1:{}/{path}", server["REPO_HTTPS_PORT"]);
    let (user, password) = (
        server["REPO_USER"].as_str(),
        server["REPO_PASSWORD"].as_str(),
    );
    let ca = server["REPO_CA"].as_str();
    let sides = Sides::new("pull");
    for side in ["helm", "rudder"] {
        std::fs::create_dir_all(sides.dir(side).join("sub")).unwrap();
    }
    let archive = format!("{url}/milvus-0.9.2.tgz");
    let cases: Vec<Vec<&str>> = vec![
        vec!["pull", "local/redis"],
        vec!["repo", "add", "local", &url],
        vec!["pull", "local/redis"],
        vec!["pull", "local/redis", "--version", "2.1.3", "-d", "sub"],
        vec!["pull", "local/redis", "--version", "9.9.9"],
        vec!["pull", "local/nope"],
        vec!["pull", "nope/redis"],
        vec!["pull", "redis"],
        vec!["pull", "redis", "--repo", &url, "--untar"],
        vec!["pull", "redis", "--repo", &url, "--untar"],
        vec!["pull", "redis", "--repo", &url, "--version", "7.0.0"],
        vec![
            "pull",
            "redis",
            "--repo",
            &https,
            "--username",
            user,
            "--password",
            password,
            "--ca-file",
            ca,
            "-d",
            "sub",
            "--version",
            "~2.1",
        ],
        vec![
            "pull",
            "redis",
            "--repo",
            &https,
            "--username",
            user,
            "--password",
            "bad",
            "--ca-file",
            ca,
        ],
        vec![
            "pull",
            "redis",
            "--repo",
            &https,
            "--username",
            user,
            "--password",
            password,
        ],
        vec!["pull", &archive],
        vec!["pull", "local/milvus", "--untar", "--untardir", "x"],
        vec!["pull", "local/milvus", "--untar", "--untardir", "x"],
        vec!["pull", "local/common", "--untar", "-d", "sub"],
        vec!["pull", "local/redis", "--devel"],
    ];
    for args in &cases {
        sides.same(&helm, args);
    }
    for file in ["redis-2.1.3.tgz", "sub/redis-2.1.3.tgz", "milvus-0.9.2.tgz"] {
        assert_eq!(
            std::fs::read(sides.dir("rudder").join(file)).unwrap(),
            std::fs::read(sides.dir("helm").join(file)).unwrap(),
            "{file}"
        );
    }
    for dir in ["x/milvus", "sub/common"] {
        let files = |side: &str| {
            let mut out = Vec::new();
            let mut stack = vec![sides.dir(side).join(dir)];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).unwrap() {
                    let e = e.unwrap();
                    if e.file_type().unwrap().is_dir() {
                        stack.push(e.path());
                    } else {
                        let rel = e
                            .path()
                            .strip_prefix(sides.dir(side))
                            .unwrap()
                            .to_path_buf();
                        out.push((rel, std::fs::read(e.path()).unwrap()));
                    }
                }
            }
            out.sort();
            out
        };
        assert_eq!(files("rudder"), files("helm"), "{dir}");
    }
    // An archive replaced behind the index's back.
    let dir = Path::new(&server["REPO_ROOT"]).join(&path);
    let out = Command::new(rudder())
        .arg("package")
        .arg(example_chart("redis"))
        .arg("-d")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = sides.run(
        "rudder",
        rudder(),
        &["pull", "redis", "--repo", &url, "-d", "tampered"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("digest mismatch"), "{out:?}");
    assert!(!sides.dir("rudder").join("tampered").exists());
}
