//! Air-gapped installs: `rudder bundle create|verify|push` and `install/upgrade --offline
//! --registry` from a bundle, against real servers on 127.0.0.1. Tiny OCI images (one small layer,
//! a config and a manifest; one of them a two-platform index) are built here and pushed to the
//! local docker-registry (tests/registry-server/up); the chart is testdata/bundle/airgap-app with
//! its `file://` dependency, its images pointed at that registry with `--set`. The site's registry
//! is a second docker-registry pair started by the same script in another state directory. The
//! offline install runs on the local control plane (tests/cluster/up) with HTTP_PROXY/ALL_PROXY at
//! a listener that records connections, and with `--registry` naming that listener too: nothing may
//! reach it.
//!
//! Also: `template|show|lint` of a bundle (differential against `helm template` of the chart inside),
//! SIGINT/SIGTERM sent to a real `bundle create` mid-layer (slowed by a throttling relay of the
//! test's own), nested indexes, and, on docker-registry processes the tests start themselves
//! (tests/bundle_support), Bearer-token authentication with a token server of the test's own and
//! cross-repository mounts counted in the registry's access log.
//!
//! Without the servers the tests say so and pass, except under CI=true where that is a failure.
mod bundle_support;
mod common;
mod deps_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::Ordering;

use bundle_support::*;
use deps_support::{unavailable, ROOT};
use rudder::registry::client::Options;
use rudder::registry::image::{digest_of, DOCKER_LIST};
use rudder::registry::Client;

#[test]
fn create_verify_and_push() {
    let Some(f) = fixture() else { return };
    let s = Scratch::new("create");
    let bundle = s.bundle(f, &["--platform", "linux/amd64"]);
    let m = unpack(&bundle, &s.path("unpacked"));

    // Everything the two layerings render, the annotation's image, the dependency's image.
    let mut repos: Vec<&str> = m["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["repository"].as_str().unwrap())
        .collect();
    repos.sort();
    assert_eq!(
        repos,
        [
            "ag-test/annotated",
            "ag-test/app",
            "ag-test/check",
            "ag-test/init",
            "ag-test/sidecar",
            "ag-test/worker"
        ]
    );
    assert_eq!(m["chart"]["file"], "chart/airgap-app-0.1.0.tgz");
    assert_eq!(m["dependencies"][0]["file"], "charts/sidecar-0.1.0.tgz");
    assert_eq!(
        m["valueSets"],
        serde_json::json!([
            ["values/1-values-base.yaml"],
            ["values/1-values-base.yaml", "values/2-values-prod.yaml"]
        ])
    );
    // --platform linux/amd64: the index keeps one entry, so its digest changed.
    let app = image(&m, "app");
    assert_eq!(app["sourceDigest"], f.app_index.as_str());
    assert_ne!(app["digest"], f.app_index.as_str());
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(s.path(&format!(
            "unpacked/images/blobs/sha256/{}",
            app["digest"].as_str().unwrap().trim_start_matches("sha256:")
        )))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
    assert_eq!(index["manifests"][0]["digest"], f.app_amd64.as_str());
    // The OCI layout names every image.
    let layout: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.path("unpacked/images/index.json")).unwrap())
            .unwrap();
    assert_eq!(layout["manifests"].as_array().unwrap().len(), 6);
    assert_eq!(
        std::fs::read_to_string(s.path("unpacked/images/oci-layout")).unwrap(),
        "{\"imageLayoutVersion\":\"1.0.0\"}"
    );

    let out = s.ok(&["bundle", "verify", "platform.bundle.tgz"]);
    assert!(out.contains("verified: chart airgap-app 0.1.0"), "{out}");
    assert!(
        out.contains(&format!("{}/ag-test/app:1.0", f.source)),
        "{out}"
    );

    // Without --platform the index is kept whole, digest unchanged.
    std::fs::remove_file(&bundle).unwrap();
    // Docker's media types (a manifest list of v2 manifests) are kept as they are.
    let legacy = format!("{}/ag-test/legacy:2.0", f.source);
    let whole = s.bundle(f, &["-q", "--image", &legacy]);
    let m = unpack(&whole, &s.path("whole"));
    assert_eq!(image(&m, "app")["digest"], f.app_index.as_str());
    assert!(image(&m, "app").get("sourceDigest").is_none());
    assert_eq!(image(&m, "legacy")["digest"], f.legacy_list.as_str());
    assert_eq!(image(&m, "legacy")["mediaType"], DOCKER_LIST);

    // Push into the site's registry: same paths and tags, same digests; the charts as OCI charts.
    let out = s.ok(&[
        "bundle",
        "push",
        "platform.bundle.tgz",
        "--registry",
        &f.site,
        "-q",
    ]);
    assert!(
        out.contains(&format!("{}/ag-test/app:1.0 {}", f.site, f.app_index)),
        "{out}"
    );
    let mut site = plain(&f.site);
    let pushed = site
        .image_manifest("ag-test/app", "1.0", "site app")
        .unwrap();
    assert_eq!(pushed.digest, f.app_index);
    let legacy = site
        .image_manifest("ag-test/legacy", "2.0", "site legacy")
        .unwrap();
    assert_eq!(legacy.digest, f.legacy_list);
    assert_eq!(legacy.media_type, DOCKER_LIST);
    for name in ["init", "worker", "sidecar", "check", "annotated"] {
        site.image_manifest(&format!("ag-test/{name}"), "1.0", name)
            .unwrap();
    }
    // As Helm, pull writes only into a destination that exists.
    std::fs::create_dir_all(s.path("pulled")).unwrap();
    s.ok(&[
        "pull",
        &format!("oci://{}/charts/airgap-app", f.site),
        "--version",
        "0.1.0",
        "--plain-http",
        "-d",
        s.path("pulled").to_str().unwrap(),
    ]);
    s.ok(&[
        "pull",
        &format!("oci://{}/charts/sidecar", f.site),
        "--version",
        "0.1.0",
        "--plain-http",
        "-d",
        s.path("pulled").to_str().unwrap(),
    ]);
    assert!(s.path("pulled/airgap-app-0.1.0.tgz").is_file());
}

#[test]
fn verify_names_what_changed() {
    let Some(f) = fixture() else { return };
    let s = Scratch::new("verify");
    let bundle = s.bundle(f, &["-q"]);
    let m = unpack(&bundle, &s.path("a"));
    let layer_hex = {
        let app = image(&m, "init");
        let manifest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(s.path(&format!(
                "a/images/blobs/sha256/{}",
                app["digest"].as_str().unwrap().trim_start_matches("sha256:")
            )))
            .unwrap(),
        )
        .unwrap();
        manifest["layers"][0]["digest"]
            .as_str()
            .unwrap()
            .trim_start_matches("sha256:")
            .to_string()
    };
    let flip = |path: &Path| {
        let mut data = std::fs::read(path).unwrap();
        let at = data.len() / 2;
        data[at] ^= 0x01;
        std::fs::write(path, data).unwrap();
    };

    // A flipped byte in a layer.
    let changed = repack(&s, "a", "layer.bundle.tgz", |root| {
        flip(&root.join(format!("images/blobs/sha256/{layer_hex}")))
    });
    let err = s.fails(&["bundle", "verify", changed.to_str().unwrap()]);
    assert!(
        err.contains(&format!("images/blobs/sha256/{layer_hex}: digest mismatch")),
        "{err}"
    );

    // A flipped byte in a values file, in the chart, in bundle.json.
    for (rel, name) in [
        ("values/2-values-prod.yaml", "values"),
        ("chart/airgap-app-0.1.0.tgz", "chart"),
        ("bundle.json", "manifest"),
    ] {
        unpack(&bundle, &s.path(name));
        let changed = repack(&s, name, &format!("{name}.bundle.tgz"), |root| {
            flip(&root.join(rel))
        });
        let err = s.fails(&["bundle", "verify", changed.to_str().unwrap()]);
        assert!(err.contains(&format!("{rel}: digest mismatch")), "{err}");
    }

    // A missing layer: the image and the blob are named.
    unpack(&bundle, &s.path("b"));
    let missing = repack(&s, "b", "missing.bundle.tgz", |root| {
        std::fs::remove_file(root.join(format!("images/blobs/sha256/{layer_hex}"))).unwrap()
    });
    let err = s.fails(&["bundle", "verify", missing.to_str().unwrap()]);
    assert!(
        err.contains(&format!(
            "image {}/ag-test/init:1.0: images/blobs/sha256/{layer_hex} (layer) is missing from the bundle",
            f.source
        )),
        "{err}"
    );
    // `bundle push` and an install refuse it too, before contacting anything.
    let err = s.fails(&[
        "bundle",
        "push",
        missing.to_str().unwrap(),
        "--registry",
        &f.site,
    ]);
    assert!(err.contains("is missing from the bundle"), "{err}");

    // A file nobody listed.
    unpack(&bundle, &s.path("c"));
    let extra = repack(&s, "c", "extra.bundle.tgz", |root| {
        std::fs::write(root.join("values/evil.yaml"), "x: 1\n").unwrap()
    });
    let err = s.fails(&["bundle", "verify", extra.to_str().unwrap()]);
    assert!(
        err.contains("values/evil.yaml: not listed in bundle.json"),
        "{err}"
    );

    // A truncated archive, and one byte flipped in the compressed stream.
    let data = std::fs::read(&bundle).unwrap();
    std::fs::write(s.path("cut.bundle.tgz"), &data[..data.len() / 2]).unwrap();
    let err = s.fails(&["bundle", "verify", "cut.bundle.tgz"]);
    assert!(err.contains("truncated or corrupt archive"), "{err}");
    // Some bits of a deflate stream change nothing (a code length of an unused symbol, say):
    // flip one whose change the decompressed stream shows.
    let inflate = |bytes: &[u8]| -> Option<Vec<u8>> {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).ok()?;
        Some(out)
    };
    let original = inflate(&data);
    let flipped = (data.len() * 2 / 3..data.len())
        .map(|at| {
            let mut flipped = data.clone();
            flipped[at] ^= 0x10;
            flipped
        })
        .find(|flipped| inflate(flipped) != original)
        .unwrap();
    std::fs::write(s.path("flipped.bundle.tgz"), &flipped).unwrap();
    let err = s.fails(&["bundle", "verify", "flipped.bundle.tgz"]);
    // Where the flipped bit lands differs from run to run (bundle.json records the time): it may
    // break the deflate stream or its CRC, a blob, or a tar header (a name, a type).
    assert!(
        err.contains("bundle flipped.bundle.tgz: ")
            && [
                "truncated or corrupt archive",
                "digest mismatch",
                "not listed in bundle.json",
                "leaves the bundle",
                "not a regular file",
                "is missing",
            ]
            .iter()
            .any(|kind| err.contains(kind)),
        "{err}"
    );
    let err = s.fails(&["bundle", "verify", "no-such.bundle.tgz"]);
    assert!(err.contains("no-such.bundle.tgz"), "{err}");
}

#[test]
fn registry_failures_are_clear() {
    let Some(f) = fixture() else { return };
    let s = Scratch::new("failures");
    s.chart(&f.source);
    let set_image = format!("image.registry={}", f.source);
    let set_global = format!("global.registry={}", f.source);
    let create = |extra: &[&str]| {
        let mut args = vec![
            "bundle",
            "create",
            "airgap-app",
            "--set",
            &set_image,
            "--set",
            &set_global,
            "-q",
            "-o",
            "x.bundle.tgz",
        ];
        args.extend_from_slice(extra);
        s.fails(&args)
    };
    // An image the registry does not have (rendered with values that ask for it).
    let err = create(&["--set", "debugTools.enabled=true"]);
    assert!(
        err.contains(&format!("{}/ag-test/debug:1.0: not found", f.source)),
        "{err}"
    );
    // An unknown registry (nothing listens there).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let err = create(&["--image", &format!("127.0.0.1:{port}/ag-test/x:1")]);
    assert!(
        err.contains(&format!("image 127.0.0.1:{port}/ag-test/x:1")),
        "{err}"
    );
    assert!(err.to_lowercase().contains("connect"), "{err}");
    // A registry that wants credentials we do not have: 401.
    let err = create(&[
        "--image",
        &format!("{}/ag-test/x:1", f.site_tls),
        "--ca-file",
        &f.site_ca,
    ]);
    assert!(err.contains("401 Unauthorized"), "{err}");
    assert!(!s.path("x.bundle.tgz").exists());
    // `bundle push` to it without credentials: 401 as well.
    s.ok(&[
        "bundle",
        "create",
        "airgap-app",
        "--set",
        &set_image,
        "--set",
        &set_global,
        "-q",
        "-o",
        "ok.bundle.tgz",
    ]);
    let err = s.fails(&[
        "bundle",
        "push",
        "ok.bundle.tgz",
        "--registry",
        &f.site_tls,
        "--ca-file",
        &f.site_ca,
    ]);
    assert!(err.contains("401 Unauthorized"), "{err}");
    // Left no partial bundle or staging directory behind.
    let leftovers: Vec<String> = std::fs::read_dir(&s.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn credentials_from_helm_and_docker_configs() {
    let Some(f) = fixture() else { return };
    let s = Scratch::new("creds");
    let private = private_chart(&s, f);
    let create = [
        "bundle",
        "create",
        "private",
        "--ca-file",
        &f.site_ca,
        "-q",
        "-o",
        "private.bundle.tgz",
    ];
    // Helm's registry config, written by `registry login`.
    s.ok(&[
        "registry",
        "login",
        &f.site_tls,
        "-u",
        &f.site_user,
        "-p",
        &f.site_password,
        "--ca-file",
        &f.site_ca,
    ]);
    s.ok(&create);
    let m = unpack(&s.path("private.bundle.tgz"), &s.path("a"));
    assert_eq!(image(&m, "private")["digest"], private.as_str());
    s.ok(&["registry", "logout", &f.site_tls]);
    std::fs::remove_file(s.path("private.bundle.tgz")).unwrap();
    let err = s.fails(&create);
    assert!(err.contains("401 Unauthorized"), "{err}");
    // Docker's config.json.
    std::fs::create_dir_all(s.path("home/docker")).unwrap();
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:{}", f.site_user, f.site_password),
    );
    std::fs::write(
        s.path("home/docker/config.json"),
        serde_json::json!({"auths": {f.site_tls.clone(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    s.ok(&create);
    // Push into the TLS registry with the same credentials; the password is never printed.
    let out = s.run(&[
        "bundle",
        "push",
        "private.bundle.tgz",
        "--registry",
        &f.site_tls,
        "--ca-file",
        &f.site_ca,
        "--charts-path",
        "ag-charts",
    ]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{all}");
    assert!(!all.contains(&f.site_password));
    assert!(
        all.contains(&format!("{}/ag-charts/private:0.2.0", f.site_tls)),
        "{all}"
    );
    // --offline refuses a chart reference that needs the network, naming it.
    let err = s.fails(&[
        "install",
        "rel",
        &format!("oci://{}/ag-charts/private", f.site_tls),
        "--version",
        "0.2.0",
        "--offline",
    ]);
    assert!(err.contains("offline"), "{err}");
}

/// Docker's credential helpers, run as Docker and oras-go run them (`docker-credential-NAME get`,
/// the server on standard input): `credHelpers[server]` before `credsStore` before `auths`, in
/// Helm's registry config as in Docker's; a helper with nothing stored lets the lookup go on to
/// the next file; a failing or missing helper is an error naming the helper and the registry.
#[test]
fn credential_helpers() {
    let Some(f) = fixture() else { return };
    let s = Scratch::new("helpers");
    let private = private_chart(&s, f);
    // The helpers: `good` answers for the TLS registry only (checking what it was asked),
    // `empty` has nothing stored, `broken` fails.
    let bin = s.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = |name: &str, body: &str| {
        use std::os::unix::fs::PermissionsExt;
        let path = bin.join(format!("docker-credential-{name}"));
        std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    script(
        "good",
        &format!(
            "[ \"$1\" = get ] || exit 3\nserver=$(cat)\n[ \"$server\" = \"{host}\" ] || {{ echo \"asked for $server\"; exit 1; }}\n\
             printf '{{\"ServerURL\":\"%s\",\"Username\":\"{user}\",\"Secret\":\"{password}\"}}\\n' \"$server\"\n",
            host = f.site_tls,
            user = f.site_user,
            password = f.site_password
        ),
    );
    script(
        "empty",
        "cat >/dev/null\necho 'credentials not found in native keychain'\nexit 1\n",
    );
    script(
        "broken",
        "cat >/dev/null\necho 'the keyring is locked'\nexit 4\n",
    );
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let create = |out: &str| {
        s.command(&[
            "bundle",
            "create",
            "private",
            "--ca-file",
            &f.site_ca,
            "-q",
            "-o",
            out,
        ])
        .env("PATH", &path)
        .output()
        .unwrap()
    };
    let docker = s.path("home/docker/config.json");
    let helm = s.path("home/config/registry/config.json");
    std::fs::create_dir_all(docker.parent().unwrap()).unwrap();
    std::fs::create_dir_all(helm.parent().unwrap()).unwrap();
    let wrong = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:wrong", f.site_user),
    );
    let write =
        |file: &Path, json: serde_json::Value| std::fs::write(file, json.to_string()).unwrap();
    let expect_ok = |out: Output, name: &str| {
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let m = unpack(&s.path(name), &s.path(&format!("{name}.d")));
        assert_eq!(image(&m, "private")["digest"], private.as_str());
    };
    let expect_err = |out: Output| {
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("panicked"), "{err}");
        err
    };
    // credHelpers beats credsStore and a wrong auths entry, in Docker's config.
    write(
        &docker,
        serde_json::json!({
            "auths": {f.site_tls.clone(): {"auth": wrong}},
            "credsStore": "broken",
            "credHelpers": {f.site_tls.clone(): "good", "other.example:5000": "broken"},
        }),
    );
    expect_ok(create("a.tgz"), "a.tgz");
    // credsStore beats auths.
    write(
        &docker,
        serde_json::json!({"auths": {f.site_tls.clone(): {"auth": wrong}}, "credsStore": "good"}),
    );
    expect_ok(create("b.tgz"), "b.tgz");
    // In Helm's registry config too; a helper there with nothing stored lets Docker's answer.
    write(&helm, serde_json::json!({"credsStore": "good"}));
    write(&docker, serde_json::json!({}));
    expect_ok(create("c.tgz"), "c.tgz");
    write(&helm, serde_json::json!({"credsStore": "empty"}));
    write(
        &docker,
        serde_json::json!({"credHelpers": {f.site_tls.clone(): "good"}}),
    );
    expect_ok(create("d.tgz"), "d.tgz");
    // A helper with nothing stored, and nothing else: the registry refuses.
    write(&docker, serde_json::json!({}));
    let err = expect_err(create("e.tgz"));
    assert!(err.contains("401 Unauthorized"), "{err}");
    // A failing helper is an error, even with an auths entry that would work in the next file.
    let right = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:{}", f.site_user, f.site_password),
    );
    write(
        &helm,
        serde_json::json!({"credHelpers": {f.site_tls.clone(): "broken"}}),
    );
    write(
        &docker,
        serde_json::json!({"auths": {f.site_tls.clone(): {"auth": right}}}),
    );
    let err = expect_err(create("f.tgz"));
    let expected = format!(
        "{}: credential helper docker-credential-broken (credHelpers in {}): get failed: exit status 4: the keyring is locked",
        f.site_tls,
        helm.display()
    );
    assert!(err.contains(&expected), "{expected}\nin\n{err}");
    // A missing helper names itself, the registry and where it was configured.
    write(&helm, serde_json::json!({}));
    write(&docker, serde_json::json!({"credsStore": "rudder-missing"}));
    let err = expect_err(create("g.tgz"));
    let expected = format!(
        "{}: credential helper docker-credential-rudder-missing (credsStore in {}): not found in $PATH",
        f.site_tls,
        docker.display()
    );
    assert!(err.contains(&expected), "{expected}\nin\n{err}");
    // `bundle push` and `rudder pull` look credentials up the same way.
    write(
        &docker,
        serde_json::json!({"credHelpers": {f.site_tls.clone(): "good"}}),
    );
    let out = s
        .command(&[
            "bundle",
            "push",
            "a.tgz",
            "--registry",
            &f.site_tls,
            "--ca-file",
            &f.site_ca,
            "--charts-path",
            "ag-helper-charts",
        ])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::create_dir_all(s.path("pulled")).unwrap();
    let out = s
        .command(&[
            "pull",
            &format!("oci://{}/ag-helper-charts/private", f.site_tls),
            "--version",
            "0.2.0",
            "--ca-file",
            &f.site_ca,
            "-d",
            "pulled",
        ])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(s.path("pulled/private-0.2.0.tgz").is_file());
}

#[cfg(feature = "cluster-tests")]
#[test]
fn offline_install_rewrites_images() {
    let Some(f) = fixture() else { return };
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let s = Scratch::new("install");
    let bundle = s.bundle(f, &["-q"]);
    let bundle = bundle.to_str().unwrap();
    let ns = format!("ag-offline-{}", std::process::id());
    let (trap, connections) = recorder();
    let proxy = format!("http://{trap}");
    let run = |args: &[&str]| {
        cluster::offline(&mut s.command(args), &kubeconfig, &proxy)
            .output()
            .unwrap()
    };
    let check = |out: &Output| {
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let _cleanup = cluster::Installed {
        kubeconfig: kubeconfig.clone(),
        release: "rel".into(),
        namespace: ns.clone(),
    };

    // The site's registry is the recorder: an install must never contact it (kwok pulls nothing).
    let site = trap.clone();
    let values_prod = s.path("airgap-app/values-prod.yaml");
    let install = [
        "upgrade",
        "--install",
        "rel",
        bundle,
        "--offline",
        "--registry",
        &site,
        "-n",
        &ns,
        "--create-namespace",
        "--set",
        &format!("image.registry={}", f.source),
        "--set",
        &format!("global.registry={}", f.source),
        "-f",
        values_prod.to_str().unwrap(),
    ];
    // An image the bundle does not hold: refused before anything is applied.
    let mut with_debug = install.to_vec();
    with_debug.extend(["--set", "debugTools.enabled=true"]);
    let out = run(&with_debug);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("image \"{}/ag-test/debug:1.0\"", f.source))
            && err.contains("is not in the bundle"),
        "{err}"
    );
    // A values URL is refused with --offline.
    let mut with_url = install.to_vec();
    let url = format!("http://{trap}/values.yaml");
    with_url.extend(["-f", &url]);
    let out = run(&with_url);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--offline: refusing to reach the network"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    check(&run(&install));
    let manifest = check(&run(&["get", "manifest", "rel", "-n", &ns]));
    let hooks = check(&run(&["get", "hooks", "rel", "-n", &ns]));
    for name in ["app", "init", "worker", "sidecar"] {
        assert!(
            manifest.contains(&format!("{site}/ag-test/{name}:1.0")),
            "{name} not rewritten:\n{manifest}"
        );
    }
    assert!(
        manifest.contains(&format!("image: \"{site}/ag-test/init:1.0\"")),
        "{manifest}"
    );
    assert!(
        manifest.contains(&format!("image: '{site}/ag-test/worker:1.0'")),
        "{manifest}"
    );
    assert!(
        !manifest.contains(&format!("{}/ag-test", f.source)),
        "{manifest}"
    );
    assert!(manifest.contains("value: docker.io/library/not-an-image:1"));
    assert!(
        hooks.contains(&format!("image: {site}/ag-test/check:1.0")),
        "{hooks}"
    );
    // The applied objects hold the rewritten references.
    let live = cluster::live_images(&kubeconfig, "deployment,daemonset,cronjob", &ns);
    let mut images: Vec<&str> = live.split_whitespace().collect();
    images.sort();
    images.dedup();
    assert_eq!(
        images,
        ["app", "init", "sidecar", "worker"]
            .iter()
            .map(|n| format!("{site}/ag-test/{n}:1.0"))
            .collect::<Vec<_>>()
    );
    // Upgrading from the same bundle works the same way.
    check(&run(&install));
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "something reached the recorder (proxy or site registry)"
    );
}

/// The example umbrella chart (charts/platform, its dependencies from charts/platform/charts at their
/// locked versions) bundled with its production and canary layerings, pushed to the site's
/// registry and installed from the bundle with the network forbidden. Its images are public ones
/// this machine cannot fetch, so `global.imageRegistry` moves them to the local registry, where the
/// test pushes a tiny image under each repository and tag the renders name.
#[cfg(feature = "cluster-tests")]
#[test]
fn platform_bundle_installs_offline() {
    let Some(f) = fixture() else { return };
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let s = Scratch::new("platform");
    let chart = Path::new(ROOT).join("charts/platform");
    let prod = chart.join("values.prod.yaml");
    let canary = chart.join("values.canary.yaml");
    let (chart, prod, canary) = (
        chart.to_str().unwrap(),
        prod.to_str().unwrap(),
        canary.to_str().unwrap(),
    );
    let set = format!("global.imageRegistry={}", f.source);
    // Every image the two layerings render, pushed as a tiny image.
    let mut client = plain(&f.source);
    let mut images = std::collections::BTreeSet::new();
    for layering in [vec![prod], vec![prod, canary]] {
        let mut args = vec!["template", "agp", chart, "--set", &set];
        for file in &layering {
            args.extend(["-f", file]);
        }
        let rendered = s.ok(&args);
        for found in rudder::bundle::images::container_images(&rendered, "platform").unwrap() {
            images.insert(found.reference);
        }
    }
    assert!(images.len() >= 10, "{images:?}");
    for reference in &images {
        let image = rudder::registry::image_ref::ImageRef::parse(reference).unwrap();
        assert_eq!(image.registry, f.source, "{reference}");
        let m = push_manifest(&mut client, &image.repository, "amd64");
        client
            .put_manifest(&image.repository, image.tag.as_deref().unwrap(), &m)
            .unwrap();
    }
    let canary_set = format!("{prod},{canary}");
    let out = s.ok(&[
        "bundle",
        "create",
        chart,
        "-f",
        prod,
        "--values-set",
        &canary_set,
        "--set",
        &set,
        "-q",
        "-o",
        "platform.bundle.tgz",
    ]);
    assert!(
        out.contains(&format!(
            "chart platform {}",
            rudder::chart::load(Path::new(chart))
                .unwrap()
                .metadata
                .version
        )) && out.contains(&format!("{} images", images.len())),
        "{out}"
    );
    let m = unpack(&s.path("platform.bundle.tgz"), &s.path("unpacked"));
    let mut deps: Vec<&str> = m["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    deps.sort();
    assert_eq!(deps, ["common", "milvus", "postgresql", "redis"]);
    s.ok(&["bundle", "verify", "platform.bundle.tgz"]);
    s.ok(&[
        "bundle",
        "push",
        "platform.bundle.tgz",
        "--registry",
        &f.site,
        "-q",
    ]);

    let ns = format!("ag-platform-{}", std::process::id());
    let (trap, connections) = recorder();
    let proxy = format!("http://{trap}");
    let _cleanup = cluster::Installed {
        kubeconfig: kubeconfig.clone(),
        release: "agp".into(),
        namespace: ns.clone(),
    };
    // The prod layering renders ServiceMonitors: their CRD must be there (a fresh cluster lacks it).
    common::servicemonitor_crd(&kubeconfig);
    let mut install = s.command(&[
        "upgrade",
        "--install",
        "agp",
        "platform.bundle.tgz",
        "--offline",
        "--registry",
        &f.site,
        "-n",
        &ns,
        "--create-namespace",
        "-f",
        prod,
        "--set",
        &set,
    ]);
    let out = cluster::offline(&mut install, &kubeconfig, &proxy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let live = cluster::live_images(
        &kubeconfig,
        "deployment,statefulset,daemonset,cronjob,job",
        &ns,
    );
    let live: std::collections::BTreeSet<&str> = live.split_whitespace().collect();
    assert!(live.len() >= 5, "{live:?}");
    let mut site = plain(&f.site);
    for reference in &live {
        let image = rudder::registry::image_ref::ImageRef::parse(reference).unwrap();
        assert_eq!(image.registry, f.site, "{reference} was not rewritten");
        // What the workloads name is in the site's registry.
        site.image_manifest(&image.repository, image.target(), reference)
            .unwrap();
    }
    assert_eq!(connections.load(Ordering::SeqCst), 0);
}

/// `rudder template|show|lint BUNDLE` read the chart the bundle holds (its dependencies inside),
/// with `--offline` and nothing contacted: the output is `rudder template` of the unpacked chart
/// archive, and `helm template` of it.
#[test]
fn template_show_and_lint_read_a_bundle() {
    let Some(f) = fixture() else { return };
    let s = Scratch::new("template");
    let bundle = s.bundle(f, &["-q"]);
    unpack(&bundle, &s.path("unpacked"));
    let chart = s.path("unpacked/chart/airgap-app-0.1.0.tgz");
    let (proxy, contacted) = recorder();
    let proxy_url = format!("http://{proxy}");
    let run = |program: &Path, chart: &Path, extra: &[&str]| -> String {
        let set_image = format!("image.registry={}", f.source);
        let mut args = vec![
            "template",
            "rel",
            chart.to_str().unwrap(),
            "-f",
            "airgap-app/values-base.yaml",
            "-f",
            "airgap-app/values-prod.yaml",
            "--set",
            &set_image,
            "-n",
            "ag2-template",
        ];
        args.extend_from_slice(extra);
        let mut command = Command::new(program);
        command
            .args(&args)
            .current_dir(&s.0)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", s.path("home"))
            .env("HELM_CONFIG_HOME", s.path("home/config"))
            .env("HELM_CACHE_HOME", s.path("home/cache"))
            .env("HELM_DATA_HOME", s.path("home/data"))
            .stdin(Stdio::null());
        for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"] {
            command
                .env(var, &proxy_url)
                .env(var.to_lowercase(), &proxy_url);
        }
        let out = command.output().unwrap();
        assert!(
            out.status.success(),
            "{} {args:?}:\n{}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let rudder = Path::new(env!("CARGO_BIN_EXE_rudder"));
    let from_bundle = run(rudder, &bundle, &["--offline"]);
    let from_chart = run(rudder, &chart, &[]);
    assert!(from_bundle.contains("kind: Deployment"), "{from_bundle}");
    assert!(
        from_bundle.contains("# Source: airgap-app/charts/sidecar/"),
        "the dependency renders from the bundle:\n{from_bundle}"
    );
    assert_eq!(from_bundle, from_chart);
    let helm = common::helm_v3().expect("helm v3 oracle");
    let from_helm = run(&helm, &chart, &[]);
    assert_eq!(from_bundle, from_helm, "helm template of the bundled chart");
    // --registry: the images moved to the site's registry as an install from the bundle moves
    // them (the same step), in the manifests and the hooks; nothing else changes.
    let site = "site.example:5000";
    let set_global = format!("global.registry={}", f.source);
    let bundled = run(rudder, &bundle, &["--offline", "--set", &set_global]);
    let moved = run(
        rudder,
        &bundle,
        &["--offline", "--set", &set_global, "--registry", site],
    );
    let source_images = format!("{}/ag-test/", f.source);
    assert!(bundled.contains(&source_images), "{bundled}");
    assert_eq!(
        moved,
        bundled.replace(&source_images, &format!("{site}/ag-test/"))
    );
    assert!(
        moved.contains(&format!("image: {site}/ag-test/check:1.0")),
        "{moved}"
    );
    let err = s.fails(&[
        "template",
        "rel",
        bundle.to_str().unwrap(),
        "--offline",
        "--registry",
        site,
        "-f",
        "airgap-app/values-prod.yaml",
        "--set",
        &format!("image.registry={}", f.source),
        "--set",
        &format!("global.registry={}", f.source),
        "--set",
        "debugTools.enabled=true",
    ]);
    assert!(
        err.contains(&format!("image \"{}/ag-test/debug:1.0\"", f.source))
            && err.contains("is not in the bundle"),
        "{err}"
    );
    let err = s.fails(&[
        "template",
        "rel",
        chart.to_str().unwrap(),
        "--registry",
        site,
    ]);
    assert!(
        err.contains("--registry is for rendering a bundle"),
        "{err}"
    );
    assert_eq!(
        contacted.load(Ordering::SeqCst),
        0,
        "nothing may be contacted"
    );

    // show and lint read the bundle's chart too.
    for what in ["chart", "values", "all"] {
        let bundled = s.ok(&["show", what, bundle.to_str().unwrap()]);
        let archived = s.ok(&["show", what, chart.to_str().unwrap()]);
        assert_eq!(bundled, archived, "show {what}");
    }
    let lint = s.ok(&["lint", bundle.to_str().unwrap()]);
    assert!(
        lint.contains(&format!("==> Linting {}", bundle.display()))
            && lint.contains("1 chart(s) linted, 0 chart(s) failed"),
        "{lint}"
    );
    // No temporary chart left behind.
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("rudder-bundle-chart-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A changed chart inside the bundle is refused, naming it.
    unpack(&bundle, &s.path("altered"));
    let altered = repack(&s, "altered", "altered.bundle.tgz", |root| {
        let path = root.join("chart/airgap-app-0.1.0.tgz");
        let mut data = std::fs::read(&path).unwrap();
        let at = data.len() / 2;
        data[at] ^= 0x01;
        std::fs::write(path, data).unwrap();
    });
    let err = s.fails(&["template", "rel", altered.to_str().unwrap(), "--offline"]);
    assert!(
        err.contains("chart/airgap-app-0.1.0.tgz: digest mismatch"),
        "{err}"
    );
    // --offline refuses a chart that needs a download.
    let err = s.fails(&[
        "template",
        "rel",
        &format!("oci://{}/charts/airgap-app", f.source),
        "--version",
        "0.1.0",
        "--offline",
    ]);
    assert!(err.contains("offline"), "{err}");
}

/// SIGINT or SIGTERM in the middle of `bundle create` (a layer coming slowly through a throttling
/// relay) leaves neither the staging directory nor a partial bundle, and the exit code is 128 + the
/// signal; SIGINT during `bundle push` (the layer going up slowly) leaves no extracted bundle.
#[test]
fn interrupted_create_leaves_nothing() {
    use std::io::BufRead;
    let Some(f) = fixture() else { return };
    let s = Scratch::new("interrupt");
    push_big_image(&mut plain(&f.source), "ag-test/big", 2 << 20);
    tiny_chart(&s.path("tiny"));
    let relay = throttled_relay(f.source.clone(), 100 * 1024);
    let image = format!("{relay}/ag-test/big:1.0");
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let out = s.path("out");
        std::fs::create_dir_all(&out).unwrap();
        let mut child = s
            .command(&[
                "bundle",
                "create",
                "tiny",
                "--image",
                &image,
                "-o",
                "out/tiny.bundle.tgz",
            ])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                let _ = lines_tx.send(line);
            }
        });
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        // The config has arrived; the layer is on its way.
        while !seen.iter().any(|l: &String| l.contains("config sha256:")) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => seen.push(line),
                Err(_) => panic!("bundle create did not start copying: {seen:?}"),
            }
        }
        let partial = || -> bool {
            std::fs::read_dir(&out).unwrap().flatten().any(|staging| {
                std::fs::read_dir(staging.path().join("images/blobs/sha256"))
                    .map(|blobs| {
                        blobs
                            .flatten()
                            .any(|b| b.file_name().to_string_lossy().ends_with(".partial"))
                    })
                    .unwrap_or(false)
            })
        };
        while !partial() {
            assert!(
                std::time::Instant::now() < deadline,
                "no partial layer in the staging directory"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        // SAFETY: kill(2) on the child this test started.
        assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
        let status = child.wait().unwrap();
        while let Ok(line) = lines.recv_timeout(std::time::Duration::from_secs(5)) {
            seen.push(line);
        }
        assert_eq!(status.code(), Some(128 + signal), "{seen:?}");
        assert!(seen.iter().any(|l| l.contains("interrupted")), "{seen:?}");
        let left: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(
            left.is_empty(),
            "left behind after signal {signal}: {left:?}"
        );
    }
    // `bundle push` through the relay (the layer goes up slowly): SIGINT removes the extracted
    // bundle.
    let big = format!("{}/ag-test/big:1.0", f.source);
    s.ok(&create_tiny(&[&big], &[], "big.tgz"));
    // An empty site of its own: the layer is never there already.
    let site = TestRegistry::start(&s.path("site"), "");
    let site_relay = throttled_relay(site.host.clone(), 100 * 1024);
    let mut child = s
        .command(&["bundle", "push", "big.tgz", "--registry", &site_relay])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let extracted = format!("rudder-bundle-{}-", child.id());
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_tx.send(line);
        }
    });
    let ours = || -> Vec<String> {
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&extracted))
            .collect()
    };
    let mut seen = Vec::new();
    // The config went up; the layer is on its way.
    while !seen.iter().any(|l: &String| l.contains("config sha256:")) {
        match lines.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("bundle push did not start uploading: {seen:?}"),
        }
    }
    assert_eq!(
        ours().len(),
        1,
        "the bundle is extracted while it is pushed"
    );
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let status = child.wait().unwrap();
    seen.extend(lines.iter());
    assert_eq!(status.code(), Some(130), "{seen:?}");
    assert!(ours().is_empty(), "{:?} left behind", ours());
}

/// Registries that want Bearer tokens (Docker Hub, GHCR): two docker-registry processes with
/// `auth: token`, trusting a token server of the test's own. `bundle create` pulls with the
/// credentials `rudder registry login` stored in Helm's registry config, and anonymously where the
/// token server grants anonymous pulls; `bundle push` uses Docker's config.json. Refusals (a wrong
/// password, a token without the access asked for) are errors naming the registry and the
/// repository.
#[test]
fn bearer_token_registries() {
    if registry_server(None).is_none() {
        unavailable("docker-registry (tests/registry-server/up)");
        return;
    }
    let s = Scratch::new("token");
    let password = format!("tok-{}", std::process::id());
    let tokens = TokenServer::start(&s.path("token"), "tok-user", &password);
    let source = TestRegistry::start(&s.path("reg-source"), &tokens.registry_auth("ag2-source"));
    let site = TestRegistry::start(&s.path("reg-site"), &tokens.registry_auth("ag2-site"));

    // Seeding goes through the same token flow (the library's client, with credentials).
    let mut seed = Client::new(
        &source.host,
        Options {
            plain_http: true,
            credentials: Some(("tok-user".into(), password.clone())),
            ..Options::default()
        },
    )
    .unwrap();
    let mut digests = BTreeMap::new();
    for repository in ["ag-tok/app", "public/base"] {
        let m = push_manifest(&mut seed, repository, "amd64");
        seed.put_manifest(repository, "1.0", &m).unwrap();
        digests.insert(repository, m.digest);
    }
    assert!(tokens.issued.load(Ordering::SeqCst) > 0);
    tiny_chart(&s.path("tiny"));
    let app = format!("{}/ag-tok/app:1.0", source.host);
    let base = format!("{}/public/base:1.0", source.host);

    // Anonymous: the token server grants pulls of public/… only.
    s.ok(&create_tiny(&[&base], &[], "anon.tgz"));
    let err = s.fails(&create_tiny(&[&app], &[], "refused.tgz"));
    eprintln!("anonymous: {err}");
    assert!(
        err.contains(&source.host)
            && err.contains("repository ag-tok/app (pull) refused")
            && err.contains("no credentials were found"),
        "{err}"
    );
    assert!(!s.path("refused.tgz").exists());

    // A wrong password in Helm's registry config: the token service says no.
    rudder::registry::credentials::store(
        &s.path("home/config/registry/config.json"),
        &source.host,
        "tok-user",
        "wrong",
    )
    .unwrap();
    let refused_before = tokens.refused.load(Ordering::SeqCst);
    let err = s.fails(&create_tiny(&[&app], &[], "refused.tgz"));
    eprintln!("wrong password: {err}");
    assert!(
        err.contains(&format!("image {app}"))
            && err.contains("refused: the token service")
            && err.contains("401 Unauthorized (it refused the credentials given for")
            && !err.contains("wrong"),
        "{err}"
    );
    assert!(tokens.refused.load(Ordering::SeqCst) > refused_before);

    // `registry login` (through the token flow) stores the right password; create pulls with it.
    s.ok(&[
        "registry",
        "login",
        &source.host,
        "-u",
        "tok-user",
        "-p",
        &password,
    ]);
    s.ok(&create_tiny(&[&app, &base], &[], "tok.tgz"));
    let m = unpack(&s.path("tok.tgz"), &s.path("tok"));
    assert_eq!(m["images"].as_array().unwrap().len(), 2, "{m:#}");

    // bundle push to the token-protected site: first without credentials, then with Docker's.
    let err = s.fails(&["bundle", "push", "tok.tgz", "--registry", &site.host, "-q"]);
    eprintln!("push without credentials: {err}");
    assert!(
        err.contains(&site.host)
            && err.contains("repository ag-tok/app")
            && err.contains("refused"),
        "{err}"
    );
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("tok-user:{password}"),
    );
    std::fs::create_dir_all(s.path("home/docker")).unwrap();
    std::fs::write(
        s.path("home/docker/config.json"),
        serde_json::json!({"auths": {site.host.clone(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    let out = s.ok(&["bundle", "push", "tok.tgz", "--registry", &site.host, "-q"]);
    assert!(
        out.contains(&format!(
            "{}/ag-tok/app:1.0 {}",
            site.host, digests["ag-tok/app"]
        )),
        "{out}"
    );
    let mut check = Client::new(
        &site.host,
        Options {
            plain_http: true,
            credentials: Some(("tok-user".into(), password.clone())),
            ..Options::default()
        },
    )
    .unwrap();
    for (repository, digest) in &digests {
        let got = check.image_manifest(repository, "1.0", repository).unwrap();
        assert_eq!(&got.digest, digest);
    }
    // A cross-repository mount asks for two scopes at once (push here, pull there): one token.
    let app_manifest = check
        .image_manifest("ag-tok/app", "1.0", "ag-tok/app")
        .unwrap();
    let layer = serde_json::from_slice::<serde_json::Value>(&app_manifest.data).unwrap()["layers"]
        [0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let put = check
        .put_blob_file(
            "ag-tok/copy",
            &layer,
            &s.path("missing"),
            Some("ag-tok/app"),
        )
        .unwrap();
    assert_eq!(
        put,
        rudder::registry::image::BlobPut::Mounted("ag-tok/app".into())
    );
    // The registries enforced tokens: requests without one were answered 401.
    assert!(site.requests().iter().any(|r| r.ends_with(" 401")));
}

/// Identity tokens, differential against helm v3.17.3 (Docker's login and containerd's resolver
/// inside it): a token service that answers `registry login`'s offline-token request with a
/// `refresh_token` gets that stored as `identitytoken` (in the file, or as a credential helper's
/// `<token>` user) in place of the password; pulls and pushes then use it in OAuth2's refresh
/// grant (`POST` to the realm), counted by the token server. Rudder and Helm write the same
/// files, send the helper the same input, and use each other's stored tokens (helm v4.1.4 pulls
/// with Rudder's too); an identity token the service refuses is an error that names the registry
/// and does not print the token.
#[test]
fn identity_tokens_from_the_token_service() {
    if registry_server(None).is_none() {
        unavailable("docker-registry (tests/registry-server/up)");
        return;
    }
    let helm = common::helm_v3().expect("helm v3 oracle");
    let rudder = PathBuf::from(env!("CARGO_BIN_EXE_rudder"));
    let s = Scratch::new("identity");
    let password = format!("id-{}", std::process::id());
    let tokens = TokenServer::start_with_refresh_tokens(&s.path("token"), "id-user", &password);
    let registry = TestRegistry::start(&s.path("reg"), &tokens.registry_auth("ag-identity"));
    let host = registry.host.clone();
    tiny_chart(&s.path("tiny"));
    s.ok(&["package", "tiny"]);

    // Each side has its own Helm and Docker homes; `bin` holds a credential helper that keeps
    // what it is given in a file and logs its calls.
    let home = |side: &str| s.path(&format!("{side}-home"));
    let config = |side: &str| home(side).join("config/registry/config.json");
    for side in ["helm", "rudder"] {
        use std::os::unix::fs::PermissionsExt;
        let bin = home(side).join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let helper = bin.join("docker-credential-keep");
        std::fs::write(
            &helper,
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> \"$HOME/calls\"\ncase \"$1\" in\n  store) cat > \"$HOME/kept\" ;;\n  get) cat > /dev/null; if [ -f \"$HOME/kept\" ]; then cat \"$HOME/kept\"; else echo 'credentials not found in native keychain'; exit 1; fi ;;\n  erase) cat > /dev/null; rm -f \"$HOME/kept\" ;;\nesac\n",
        )
        .unwrap();
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // "v4": helm v4.1.4 with Rudder's homes (its own cache), reading what Rudder stored.
    let helm4 = common::oracle("v4");
    let run = |side: &str, args: &[&str]| {
        let dir = home(if side == "v4" { "rudder" } else { side });
        let program = match side {
            "helm" => &helm,
            "v4" => &helm4,
            _ => &rudder,
        };
        let cache = home(side).join("cache");
        let out = Command::new(program)
            .args(args)
            .current_dir(&s.0)
            .env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", dir.join("bin").display()),
            )
            .env("HOME", &dir)
            .env("HELM_CONFIG_HOME", dir.join("config"))
            .env("HELM_CACHE_HOME", cache)
            .env("HELM_DATA_HOME", dir.join("data"))
            .env("DOCKER_CONFIG", dir.join("docker"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let both = |args: &[&str]| {
        let theirs = run("helm", args);
        let ours = run("rudder", args);
        assert_eq!(ours, theirs, "{args:?}");
        ours
    };
    let file = |side: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(config(side)).unwrap()).unwrap()
    };
    let login = [
        "registry",
        "login",
        host.as_str(),
        "-u",
        "id-user",
        "-p",
        password.as_str(),
    ];
    let chart = format!("oci://{host}/charts/tiny");
    let pull = [
        "pull",
        chart.as_str(),
        "--version",
        "0.1.0",
        "--plain-http",
        "-d",
    ];

    // Helm 3.17 pulls only into a destination that exists.
    for dir in [
        "from-helm",
        "from-helm-h",
        "from-helm-4",
        "from-rudder",
        "from-helper",
        "from-helper-h",
        "refused",
        "refused-h",
    ] {
        std::fs::create_dir_all(s.path(dir)).unwrap();
    }

    // Into the file: the identity token, no password.
    let (code, _, stderr) = both(&login);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(file("rudder"), file("helm"));
    assert_eq!(
        file("rudder"),
        serde_json::json!({"auths": {host.clone(): {"identitytoken": tokens.refresh_token()}}})
    );
    // Helm pushes with its token; both pull with theirs (the refresh grant).
    let (code, _, stderr) = run(
        "helm",
        &[
            "push",
            "tiny-0.1.0.tgz",
            &format!("oci://{host}/charts"),
            "--plain-http",
        ],
    );
    assert_eq!(code, Some(0), "helm push: {stderr}");
    let refreshed = tokens.refreshed.load(Ordering::SeqCst);
    let (code, _, stderr) = run("rudder", &[&pull[..], &["from-helm"]].concat());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(tokens.refreshed.load(Ordering::SeqCst) > refreshed);
    let (code, _, stderr) = run("helm", &[&pull[..], &["from-helm-h"]].concat());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        std::fs::read(s.path("from-helm/tiny-0.1.0.tgz")).unwrap(),
        std::fs::read(s.path("from-helm-h/tiny-0.1.0.tgz")).unwrap()
    );
    // Helm 4 (whose own login stores the password) uses the identity token Rudder stored.
    let refreshed = tokens.refreshed.load(Ordering::SeqCst);
    let (code, _, stderr) = run("v4", &[&pull[..], &["from-helm-4"]].concat());
    assert_eq!(code, Some(0), "helm v4 pull: {stderr}");
    assert!(tokens.refreshed.load(Ordering::SeqCst) > refreshed);
    // Rudder pushes with its token; Helm pulls what it pushed.
    let refreshed = tokens.refreshed.load(Ordering::SeqCst);
    let (code, _, stderr) = run(
        "rudder",
        &[
            "push",
            "tiny-0.1.0.tgz",
            &format!("oci://{host}/charts"),
            "--plain-http",
        ],
    );
    assert_eq!(code, Some(0), "rudder push: {stderr}");
    assert!(tokens.refreshed.load(Ordering::SeqCst) > refreshed);
    let (code, _, stderr) = run("helm", &[&pull[..], &["from-rudder"]].concat());
    assert_eq!(code, Some(0), "{stderr}");

    // Through a credential helper: `<token>` as the user, the token as the secret.
    for side in ["helm", "rudder"] {
        std::fs::write(config(side), r#"{"credsStore": "keep"}"#).unwrap();
    }
    let (code, _, stderr) = both(&login);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(file("rudder"), file("helm"));
    let kept = |side: &str| std::fs::read_to_string(home(side).join("kept")).unwrap();
    assert_eq!(kept("rudder"), kept("helm"));
    assert_eq!(
        kept("rudder"),
        format!(
            "{{\"ServerURL\":\"{host}\",\"Username\":\"\\u003ctoken\\u003e\",\"Secret\":\"{}\"}}\n",
            tokens.refresh_token()
        )
    );
    let refreshed = tokens.refreshed.load(Ordering::SeqCst);
    let (code, _, stderr) = run("rudder", &[&pull[..], &["from-helper"]].concat());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(tokens.refreshed.load(Ordering::SeqCst) > refreshed);
    let (code, _, stderr) = run("helm", &[&pull[..], &["from-helper-h"]].concat());
    assert_eq!(code, Some(0), "{stderr}");
    both(&["registry", "logout", host.as_str()]);
    assert_eq!(file("rudder"), file("helm"));
    assert!(!home("rudder").join("kept").exists());

    // An identity token the service refuses: both fail; ours names the registry and the cause.
    for side in ["helm", "rudder"] {
        std::fs::write(
            config(side),
            serde_json::json!({"auths": {host.clone(): {"identitytoken": "not-the-token"}}})
                .to_string(),
        )
        .unwrap();
    }
    let (code, _, _) = run("helm", &[&pull[..], &["refused-h"]].concat());
    assert_ne!(code, Some(0));
    let (code, _, stderr) = run("rudder", &[&pull[..], &["refused"]].concat());
    assert_ne!(code, Some(0));
    eprintln!("refused identity token: {stderr}");
    assert!(
        stderr.contains(&host)
            && stderr.contains("401 Unauthorized (it refused the identity token stored for")
            && !stderr.contains("not-the-token"),
        "{stderr}"
    );
    assert!(!s.path("refused/tiny-0.1.0.tgz").exists());
}

/// An index whose entries are indexes (as multi-arch builds with attestations make): copied whole,
/// filtered by `--platform` through the nesting (changed indexes get new digests all the way up),
/// verified, and pushed with every level.
#[test]
fn nested_indexes_copy_filter_verify_and_push() {
    let Some(f) = fixture() else { return };
    let s = Scratch::new("nested");
    let repository = "ag-test/nested";
    let mut client = plain(&f.source);
    let amd64 = push_manifest(&mut client, repository, "amd64");
    let arm64 = push_manifest(&mut client, repository, "arm64");
    let attestation = push_manifest(&mut client, repository, "attestation");
    for m in [&amd64, &arm64, &attestation] {
        client.put_manifest(repository, &m.digest, m).unwrap();
    }
    let inner_amd64 = push_index(
        &mut client,
        repository,
        "inner-amd64",
        vec![
            descriptor(&amd64, Some(("linux", "amd64"))),
            descriptor(&attestation, Some(("unknown", "unknown"))),
        ],
    );
    let inner_arm64 = push_index(
        &mut client,
        repository,
        "inner-arm64",
        vec![descriptor(&arm64, Some(("linux", "arm64")))],
    );
    let top = push_index(
        &mut client,
        repository,
        "1.0",
        vec![
            descriptor(&inner_amd64, None),
            descriptor(&inner_arm64, Some(("linux", "arm64"))),
        ],
    );
    tiny_chart(&s.path("tiny"));
    let image = format!("{}/{repository}:1.0", f.source);
    let blob = |dir: &str, digest: &str| -> PathBuf {
        s.path(&format!(
            "{dir}/images/blobs/sha256/{}",
            digest.trim_start_matches("sha256:")
        ))
    };
    let entries = |path: PathBuf| -> Vec<String> {
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["digest"].as_str().unwrap().to_string())
            .collect()
    };

    // Whole: every level stored as served.
    s.ok(&create_tiny(&[&image], &[], "whole.tgz"));
    s.ok(&["bundle", "verify", "whole.tgz"]);
    let m = unpack(&s.path("whole.tgz"), &s.path("whole"));
    assert_eq!(m["images"][0]["digest"], top.digest.as_str());
    assert!(m["images"][0].get("sourceDigest").is_none(), "{m:#}");
    for d in [
        &top,
        &inner_amd64,
        &inner_arm64,
        &amd64,
        &arm64,
        &attestation,
    ] {
        assert!(blob("whole", &d.digest).is_file(), "{} missing", d.digest);
    }

    // linux/amd64: the inner index without a platform is filtered (its attestation goes), the
    // arm64 one is dropped; both changed indexes have new digests.
    s.ok(&create_tiny(
        &[&image],
        &["--platform", "linux/amd64"],
        "amd64.tgz",
    ));
    s.ok(&["bundle", "verify", "amd64.tgz"]);
    let m = unpack(&s.path("amd64.tgz"), &s.path("amd64"));
    let stored = m["images"][0]["digest"].as_str().unwrap().to_string();
    assert_eq!(m["images"][0]["sourceDigest"], top.digest.as_str());
    assert_ne!(stored, top.digest);
    let top_entries = entries(blob("amd64", &stored));
    assert_eq!(top_entries.len(), 1);
    assert_ne!(top_entries[0], inner_amd64.digest);
    assert_eq!(
        entries(blob("amd64", &top_entries[0])),
        [amd64.digest.as_str()]
    );
    assert!(!blob("amd64", &attestation.digest).exists());
    assert!(!blob("amd64", &arm64.digest).exists());

    // linux/arm64: the inner index that names linux/arm64 is kept whole.
    s.ok(&create_tiny(
        &[&image],
        &["--platform", "linux/arm64"],
        "arm64.tgz",
    ));
    let m = unpack(&s.path("arm64.tgz"), &s.path("arm64"));
    let stored = m["images"][0]["digest"].as_str().unwrap().to_string();
    assert_eq!(
        entries(blob("arm64", &stored)),
        [inner_arm64.digest.as_str()]
    );

    // A platform nothing has: the error lists what the nesting has.
    let err = s.fails(&create_tiny(
        &[&image],
        &["--platform", "linux/s390x"],
        "none.tgz",
    ));
    assert!(
        err.contains("no manifest for platform linux/s390x")
            && err.contains("linux/amd64")
            && err.contains("linux/arm64"),
        "{err}"
    );

    // A missing inner index is named by verify.
    let broken = repack(&s, "amd64", "broken.tgz", |root| {
        std::fs::remove_file(root.join(format!(
            "images/blobs/sha256/{}",
            top_entries[0].trim_start_matches("sha256:")
        )))
        .unwrap();
    });
    let err = s.fails(&["bundle", "verify", broken.to_str().unwrap()]);
    assert!(
        err.contains(&format!(
            "images/blobs/sha256/{}",
            top_entries[0].trim_start_matches("sha256:")
        )) && err.contains("missing"),
        "{err}"
    );

    // Push: every level reaches the site, digests unchanged.
    for (bundle, expect) in [
        ("whole.tgz", top.digest.clone()),
        ("amd64.tgz", stored_of(&s, "amd64")),
    ] {
        let out = s.ok(&["bundle", "push", bundle, "--registry", &f.site, "-q"]);
        assert!(
            out.contains(&format!("{}/{repository}:1.0 {expect}", f.site)),
            "{out}"
        );
        let mut site = plain(&f.site);
        let got = site.image_manifest(repository, "1.0", repository).unwrap();
        assert_eq!(got.digest, expect);
        for child in entries_of(&got.data) {
            let inner = site.image_manifest(repository, &child, repository).unwrap();
            for leaf in entries_of(&inner.data) {
                site.image_manifest(repository, &leaf, repository).unwrap();
            }
        }
    }
}

/// `bundle push` mounts a blob it already sent to one repository into the next ones
/// (`POST …/blobs/uploads/?mount=…&from=…`) instead of uploading it again; a registry that does not
/// mount (here: the source repository lacks the blob, so the real registry answers 202 with an
/// upload session) gets the upload. Counted in the site registry's own access log.
#[test]
fn push_mounts_shared_blobs() {
    let Some(f) = fixture() else { return };
    let s = Scratch::new("mount");
    let mut source = plain(&f.source);
    // Three repositories holding the same image (same config, same layer).
    let repositories = ["ag-test/mount-a", "ag-test/mount-b", "ag-test/mount-c"];
    for repository in repositories {
        push_big_image(&mut source, repository, 64 << 10);
    }
    tiny_chart(&s.path("tiny"));
    let images: Vec<String> = repositories
        .iter()
        .map(|r| format!("{}/{r}:1.0", f.source))
        .collect();
    let images: Vec<&str> = images.iter().map(String::as_str).collect();
    s.ok(&create_tiny(&images, &[], "mount.tgz"));
    let site = TestRegistry::start(&s.path("site"), "");
    let out = s.run(&["bundle", "push", "mount.tgz", "--registry", &site.host]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let progress = String::from_utf8_lossy(&out.stderr).into_owned();
    // Each image's line names where it goes, not where the bundle got it.
    for repository in repositories {
        let line = format!("Pushing {}/{repository}:1.0\n", site.host);
        assert!(progress.contains(&line), "{line:?} in\n{progress}");
    }
    assert!(!progress.contains(&f.source), "{progress}");
    assert_eq!(
        progress.matches("(mounted from ag-test/mount-a)").count(),
        4,
        "{progress}"
    );
    let requests = site.requests();
    let images_only = |r: &&String| r.contains(" /v2/ag-test/");
    let uploads: Vec<&String> = requests
        .iter()
        .filter(images_only)
        .filter(|r| r.starts_with("PUT ") && r.contains("/blobs/uploads/"))
        .collect();
    let mounts: Vec<&String> = requests
        .iter()
        .filter(images_only)
        .filter(|r| r.starts_with("POST ") && r.contains("mount="))
        .collect();
    // The config and the layer are uploaded once (to mount-a) and mounted twice each.
    assert_eq!(uploads.len(), 2, "{requests:#?}");
    assert_eq!(mounts.len(), 4, "{requests:#?}");
    assert!(mounts.iter().all(|m| m.ends_with(" 201")), "{mounts:#?}");
    let mut check = plain(&site.host);
    for repository in repositories {
        check.image_manifest(repository, "1.0", repository).unwrap();
    }

    // The registry does not mount from a repository that lacks the blob: 202, then the upload.
    std::fs::write(s.path("blob"), b"fallback blob\n").unwrap();
    let digest = digest_of(b"fallback blob\n");
    let before = site.requests().len();
    let put = check
        .put_blob_file(
            "ag-test/fallback",
            &digest,
            &s.path("blob"),
            Some("ag-test/mount-a"),
        )
        .unwrap();
    assert_eq!(put, rudder::registry::image::BlobPut::Uploaded);
    let after = site.requests();
    let new: Vec<&String> = after[before..].iter().collect();
    assert!(
        new.iter()
            .any(|r| r.starts_with("POST ") && r.contains("mount=") && r.ends_with(" 202")),
        "{new:#?}"
    );
    assert_eq!(
        new.iter()
            .filter(|r| r.starts_with("PUT ") && r.contains("/blobs/uploads/"))
            .count(),
        1,
        "{new:#?}"
    );
    assert!(check.has_blob("ag-test/fallback", &digest).unwrap());
}

/// Which grant each client asks a token service for, differential against helm v3.17.3 on one token
/// server that records every request (tests/bundle_support/servers.rs), each tool with homes of its
/// own: `registry login` (Docker's `GET` with Basic credentials), `push` and `pull` with the
/// credentials login stored (containerd's OAuth2 password grant), a wrong password at login, and a
/// wrong password in the registry config at pull (the password grant refused, then the `GET`
/// fallback, refused too). helm v4.1.4 asks the other way round (password grant at login, `GET` for
/// pulls and pushes): asserted too, as documented in src/registry/token.rs.
#[test]
fn token_grants_as_helm_asks_for_them() {
    if registry_server(None).is_none() {
        unavailable("docker-registry (tests/registry-server/up)");
        return;
    }
    let s = Scratch::new("grants");
    let password = format!("gr-{}", std::process::id());
    let tokens = TokenServer::start(&s.path("token"), "gr-user", &password);
    let registry = TestRegistry::start(&s.path("reg"), &tokens.registry_auth("ag-grants"));
    let host = registry.host.clone();
    tiny_chart(&s.path("tiny"));
    s.ok(&["package", "tiny"]);
    let tools = [
        ("v3", common::oracle("v3")),
        ("v4", common::oracle("v4")),
        ("rudder", PathBuf::from(env!("CARGO_BIN_EXE_rudder"))),
    ];
    let mut seen: BTreeMap<&str, Vec<(String, Vec<String>)>> = BTreeMap::new();
    for (name, program) in &tools {
        let home = s.path(&format!("{name}-home"));
        std::fs::create_dir_all(home.join("out")).unwrap();
        let run = |args: &[&str]| {
            let out = Command::new(program)
                .args(args)
                .current_dir(&s.0)
                .env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("HOME", &home)
                .env("HELM_CONFIG_HOME", home.join("config"))
                .env("HELM_CACHE_HOME", home.join("cache"))
                .env("HELM_DATA_HOME", home.join("data"))
                .env("DOCKER_CONFIG", home.join("docker"))
                .stdin(Stdio::null())
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let repo = format!("oci://{host}/{name}");
        let chart = format!("{repo}/tiny");
        let out = home.join("out").display().to_string();
        let steps: Vec<(&str, Vec<&str>)> = vec![
            (
                "login",
                vec!["registry", "login", &host, "-u", "gr-user", "-p", &password],
            ),
            (
                "push",
                vec!["push", "tiny-0.1.0.tgz", &repo, "--plain-http"],
            ),
            (
                "pull",
                vec![
                    "pull",
                    &chart,
                    "--version",
                    "0.1.0",
                    "--plain-http",
                    "-d",
                    &out,
                ],
            ),
            (
                "login wrong",
                vec!["registry", "login", &host, "-u", "gr-user", "-p", "wrong"],
            ),
            (
                "pull wrong",
                vec![
                    "pull",
                    &chart,
                    "--version",
                    "0.1.0",
                    "--plain-http",
                    "-d",
                    &out,
                ],
            ),
        ];
        tokens.take_grants();
        for (step, mut args) in steps {
            // helm v4's login speaks HTTPS unless told (v3's and Rudder's try plain HTTP on
            // the loopback network).
            if *name == "v4" && args[0] == "registry" {
                args.push("--plain-http");
            }
            if step == "pull wrong" {
                let auth = base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    "gr-user:wrong",
                );
                std::fs::write(
                    home.join("config/registry/config.json"),
                    serde_json::json!({"auths": {host.clone(): {"auth": auth}}}).to_string(),
                )
                .unwrap();
            }
            let (code, stderr) = run(&args);
            if !step.ends_with("wrong") {
                assert_eq!(code, Some(0), "{name} {step}: {stderr}");
            }
            let mut grants = tokens.take_grants();
            grants.dedup();
            seen.entry(name)
                .or_default()
                .push((format!("{step}: {code:?}"), grants));
        }
    }
    let step = |name: &str, grants: &[&str]| {
        (
            name.to_string(),
            grants.iter().map(|g| g.to_string()).collect::<Vec<_>>(),
        )
    };
    let password = "POST password client_id=containerd-client";
    assert_eq!(
        seen["v3"],
        vec![
            step("login: Some(0)", &["GET basic"]),
            step("push: Some(0)", &[password]),
            step("pull: Some(0)", &[password]),
            step("login wrong: Some(1)", &["GET basic"]),
            step("pull wrong: Some(1)", &[password, "GET basic"]),
        ],
        "helm v3.17.3"
    );
    assert_eq!(seen["rudder"], seen["v3"], "rudder vs helm v3.17.3");
    let oras = "POST password client_id=oras-go";
    assert_eq!(
        seen["v4"],
        vec![
            step("login: Some(0)", &[oras]),
            step("push: Some(0)", &["GET basic"]),
            step("pull: Some(0)", &["GET basic"]),
            step("login wrong: Some(1)", &[oras, "GET basic"]),
            step("pull wrong: Some(1)", &["GET basic"]),
        ],
        "helm v4.1.4"
    );
}

/// `n` random bytes (so that gzip cannot shrink them) written to `path` from /dev/urandom.
fn write_random(path: &Path, n: usize) {
    use std::io::{Read, Write};
    let mut random = std::fs::File::open("/dev/urandom").unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut buffer = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let take = left.min(buffer.len());
        random.read_exact(&mut buffer[..take]).unwrap();
        out.write_all(&buffer[..take]).unwrap();
        left -= take;
    }
    out.flush().unwrap();
}

/// Real image sizes: one layer of 200 MB (random bytes, written by the test) goes into a source
/// registry through the library's client, through `bundle create` into a bundle and through
/// `bundle push` into a site registry, each upload in chunks (`PATCH` with `Content-Range`, counted
/// in the registries' access logs) streamed from disk (peak memory: scripts/bench-bundle). A chunk
/// cut mid-way by a relay is retried and the blob lands whole; a file whose content does not match
/// the digest it is uploaded under is an error, and the registry does not get it.
#[test]
fn large_layers_upload_in_chunks_and_survive_a_cut() {
    if registry_server(None).is_none() {
        unavailable("docker-registry (tests/registry-server/up)");
        return;
    }
    let s = Scratch::new("large");
    let source = TestRegistry::start(&s.path("reg-source"), "");
    let site = TestRegistry::start(&s.path("reg-site"), "");
    let plain = |host: &str| {
        Client::new(
            host,
            Options {
                plain_http: true,
                ..Options::default()
            },
        )
        .unwrap()
    };
    let size = 200usize << 20;
    let layer = s.path("layer.bin");
    write_random(&layer, size);
    let layer_digest = rudder::bundle::create::file_digest(&layer).unwrap();
    let mut client = plain(&source.host);
    let put = client
        .put_blob_file("big/app", &layer_digest, &layer, None)
        .unwrap();
    assert_eq!(put, rudder::registry::image::BlobPut::Uploaded);
    std::fs::remove_file(&layer).unwrap();
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = client.put_blob("big/app", config).unwrap();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": rudder::registry::image::OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": size}],
    })
    .to_string()
    .into_bytes();
    let manifest = rudder::registry::image::Manifest {
        digest: digest_of(&manifest),
        data: manifest,
        media_type: rudder::registry::image::OCI_MANIFEST.into(),
    };
    client.put_manifest("big/app", "1.0", &manifest).unwrap();
    let chunks = (size as u64).div_ceil(rudder::registry::upload::CHUNK) as usize;
    let patches = |registry: &TestRegistry, repository: &str| {
        registry
            .requests()
            .iter()
            .filter(|r| {
                r.starts_with(&format!("PATCH /v2/{repository}/blobs/uploads/"))
                    && r.ends_with(" 202")
            })
            .count()
    };
    assert_eq!(
        patches(&source, "big/app"),
        chunks,
        "{:?}",
        source.requests()
    );

    tiny_chart(&s.path("tiny"));
    let image = format!("{}/big/app:1.0", source.host);
    s.ok(&create_tiny(&[&image], &[], "big.tgz"));
    s.ok(&["bundle", "push", "big.tgz", "--registry", &site.host, "-q"]);
    std::fs::remove_file(s.path("big.tgz")).unwrap();
    // The layer's chunks, and the config's one.
    assert_eq!(
        patches(&site, "big/app"),
        chunks + 1,
        "{:?}",
        site.requests()
    );
    let mut check = plain(&site.host);
    assert_eq!(
        check
            .image_manifest("big/app", "1.0", "big/app")
            .unwrap()
            .digest,
        manifest.digest
    );
    let got = check
        .blob_to("big/app", &layer_digest, &mut std::io::sink(), &mut |_| {})
        .unwrap();
    assert_eq!(got, size as u64);

    // A connection cut in the middle of the second chunk: the upload goes on and lands whole.
    let size = 40usize << 20;
    let retried = s.path("retried.bin");
    write_random(&retried, size);
    let digest = rudder::bundle::create::file_digest(&retried).unwrap();
    let (relay, cuts) = cutting_relay(site.host.clone(), 24 << 20);
    let put = plain(&relay)
        .put_blob_file("big/retried", &digest, &retried, None)
        .unwrap();
    assert_eq!(put, rudder::registry::image::BlobPut::Uploaded);
    assert_eq!(cuts.load(Ordering::SeqCst), 1);
    let got = check
        .blob_to("big/retried", &digest, &mut std::io::sink(), &mut |_| {})
        .unwrap();
    assert_eq!(got, size as u64);
    eprintln!(
        "after the cut: {:?}",
        site.requests()
            .iter()
            .filter(|r| r.contains("big/retried"))
            .collect::<Vec<_>>()
    );

    // A file that does not hash to the digest it is uploaded under.
    let wrong = format!("sha256:{}", "0".repeat(64));
    let err = check
        .put_blob_file("big/wrong", &wrong, &retried, None)
        .unwrap_err();
    assert!(
        err.0.contains("its content hashes to") && err.0.contains(&digest),
        "{err}"
    );
    assert!(!check.has_blob("big/wrong", &wrong).unwrap());
    std::fs::remove_file(&retried).unwrap();
}
