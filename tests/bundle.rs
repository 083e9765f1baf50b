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

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use rudder::registry::client::Options;
use rudder::registry::image::{
    digest_of, Manifest, DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST,
};
use rudder::registry::Client;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn unavailable(what: &str) {
    assert!(!under_ci(), "{what} is not available under CI=true");
    eprintln!("skipping: {what} is not available");
}

/// The REGISTRY_* variables of tests/registry-server/up run with `state` as its state directory.
fn registry_server(state: Option<&str>) -> Option<BTreeMap<String, String>> {
    let mut command = Command::new(Path::new(ROOT).join("tests/registry-server/up"));
    if let Some(dir) = state {
        command.env("RUDDER_REGISTRY_DIR", dir);
    }
    let out = command.stdin(Stdio::null()).output().ok()?;
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let text = std::fs::read_to_string(stdout.lines().last()?.trim()).ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// The registries and the images pushed to the source one.
struct Fixture {
    /// The source registry (plain HTTP).
    source: String,
    /// The site's registry (plain HTTP).
    site: String,
    /// The site's TLS registry with htpasswd authentication, and its CA.
    site_tls: String,
    site_ca: String,
    /// The TLS registry's user and password.
    site_user: String,
    site_password: String,
    /// The digest of ag-test/app:1.0, a two-platform index.
    app_index: String,
    /// The digest of its linux/amd64 manifest.
    app_amd64: String,
    /// The digest of ag-test/legacy:2.0, a Docker manifest list of Docker v2 manifests.
    legacy_list: String,
}

/// A gzipped tar holding one file.
fn layer(name: &str, content: &str) -> (Vec<u8>, String) {
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(content.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, content.as_bytes())
        .unwrap();
    let tar = tar.into_inner().unwrap();
    let diff_id = digest_of(&tar);
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    (gz.finish().unwrap(), diff_id)
}

/// Pushes a one-layer image for `arch`; its manifest.
fn push_manifest(client: &mut Client, repository: &str, arch: &str) -> Manifest {
    let (layer_data, diff_id) = layer("hello.txt", &format!("{repository} for {arch}\n"));
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": arch,
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }))
    .unwrap();
    let config_digest = client.put_blob(repository, &config).unwrap();
    let layer_digest = client.put_blob(repository, &layer_data).unwrap();
    let data = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": layer_data.len()}],
    }))
    .unwrap();
    Manifest {
        digest: digest_of(&data),
        data,
        media_type: OCI_MANIFEST.to_string(),
    }
}

/// Pushes a one-layer image with Docker's media types (v2 schema 2) for `arch`; its manifest.
fn push_docker_manifest(client: &mut Client, repository: &str, arch: &str) -> Manifest {
    let (layer_data, diff_id) = layer("legacy.txt", &format!("{repository} for {arch}\n"));
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": arch, "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }))
    .unwrap();
    let config_digest = client.put_blob(repository, &config).unwrap();
    let layer_digest = client.put_blob(repository, &layer_data).unwrap();
    let data = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": layer_digest, "size": layer_data.len()}],
    }))
    .unwrap();
    Manifest {
        digest: digest_of(&data),
        data,
        media_type: DOCKER_MANIFEST.to_string(),
    }
}

fn plain(host: &str) -> Client {
    Client::new(
        host,
        Options {
            plain_http: true,
            ..Options::default()
        },
    )
    .unwrap()
}

fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    let found = FIXTURE.get_or_init(|| {
        let source = registry_server(None)?;
        let site_dir = std::env::var("RUDDER_SITE_REGISTRY_DIR")
            .unwrap_or_else(|_| "/tmp/rudder-registry-site".to_string());
        let site = registry_server(Some(&site_dir))?;
        let source_host = format!("127.0.0.1:{}", source["REGISTRY_PLAIN_PORT"]);
        let mut client = plain(&source_host);
        for name in ["init", "worker", "sidecar", "check", "annotated"] {
            let repository = format!("ag-test/{name}");
            let m = push_manifest(&mut client, &repository, "amd64");
            client.put_manifest(&repository, "1.0", &m).unwrap();
        }
        let amd64 = push_manifest(&mut client, "ag-test/app", "amd64");
        let arm64 = push_manifest(&mut client, "ag-test/app", "arm64");
        let mut entries = Vec::new();
        for (m, arch) in [(&amd64, "amd64"), (&arm64, "arm64")] {
            client.put_manifest("ag-test/app", &m.digest, m).unwrap();
            entries.push(serde_json::json!({
                "mediaType": OCI_MANIFEST, "digest": m.digest, "size": m.data.len(),
                "platform": {"os": "linux", "architecture": arch},
            }));
        }
        let data = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries,
        }))
        .unwrap();
        let index = Manifest {
            digest: digest_of(&data),
            data,
            media_type: OCI_INDEX.to_string(),
        };
        client.put_manifest("ag-test/app", "1.0", &index).unwrap();
        let mut entries = Vec::new();
        for arch in ["amd64", "arm"] {
            let m = push_docker_manifest(&mut client, "ag-test/legacy", arch);
            client
                .put_manifest("ag-test/legacy", &m.digest, &m)
                .unwrap();
            entries.push(serde_json::json!({
                "mediaType": DOCKER_MANIFEST, "digest": m.digest, "size": m.data.len(),
                "platform": {"os": "linux", "architecture": arch},
            }));
        }
        let data = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2, "mediaType": DOCKER_LIST, "manifests": entries,
        }))
        .unwrap();
        let list = Manifest {
            digest: digest_of(&data),
            data,
            media_type: DOCKER_LIST.to_string(),
        };
        client.put_manifest("ag-test/legacy", "2.0", &list).unwrap();
        Some(Fixture {
            source: source_host,
            site: format!("127.0.0.1:{}", site["REGISTRY_PLAIN_PORT"]),
            site_tls: format!("127.0.0.1:{}", site["REGISTRY_TLS_PORT"]),
            site_ca: site["REGISTRY_CA"].clone(),
            site_user: site["REGISTRY_USER"].clone(),
            site_password: site["REGISTRY_PASSWORD"].clone(),
            app_index: index.digest,
            app_amd64: amd64.digest,
            legacy_list: list.digest,
        })
    });
    if found.is_none() {
        unavailable("the OCI registries (tests/registry-server/up)");
    }
    found.as_ref()
}

/// A scratch directory (removed at the end) with its own Helm and Docker homes.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rudder-bundle-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rudder"));
        c.args(args)
            .current_dir(&self.0)
            .env("HOME", self.path("home"))
            .env("HELM_CONFIG_HOME", self.path("home/config"))
            .env("HELM_CACHE_HOME", self.path("home/cache"))
            .env("HELM_DATA_HOME", self.path("home/data"))
            .env("DOCKER_CONFIG", self.path("home/docker"))
            .env_remove("HELM_REGISTRY_CONFIG")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs and expects success; standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "rudder {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs and expects failure; standard error.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success(),
            "rudder {args:?} succeeded:\n{}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    }

    /// The test chart, its images on `registry`, dependencies built.
    fn chart(&self, registry: &str) -> PathBuf {
        for name in ["airgap-app", "sidecar"] {
            copy_dir(
                &Path::new(ROOT).join("testdata/bundle").join(name),
                &self.path(name),
            );
        }
        let chart_yaml = self.path("airgap-app/Chart.yaml");
        let text = std::fs::read_to_string(&chart_yaml).unwrap();
        std::fs::write(
            &chart_yaml,
            text.replace("REGISTRY/", &format!("{registry}/")),
        )
        .unwrap();
        self.ok(&["dependency", "update", "airgap-app"]);
        self.path("airgap-app")
    }

    /// `bundle create` of the chart with the base and base+prod layerings; the bundle's path.
    fn bundle(&self, f: &Fixture, extra: &[&str]) -> PathBuf {
        self.chart(&f.source);
        let set_image = format!("image.registry={}", f.source);
        let set_global = format!("global.registry={}", f.source);
        let mut args = vec![
            "bundle",
            "create",
            "airgap-app",
            "-f",
            "airgap-app/values-base.yaml",
            "--values-set",
            "airgap-app/values-base.yaml,airgap-app/values-prod.yaml",
            "--set",
            &set_image,
            "--set",
            &set_global,
            "-o",
            "platform.bundle.tgz",
        ];
        args.extend_from_slice(extra);
        let out = self.ok(&args);
        let images = 6 + extra.iter().filter(|a| **a == "--image").count();
        assert!(
            out.contains(&format!(
                "chart airgap-app 0.1.0, 1 dependencies, 2 values files, {images} images"
            )),
            "{out}"
        );
        self.path("platform.bundle.tgz")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The bundle extracted into `dir`; its manifest.
fn unpack(bundle: &Path, dir: &Path) -> serde_json::Value {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    rudder::bundle::archive::extract(bundle, dir).unwrap();
    serde_json::from_slice(&std::fs::read(dir.join("bundle.json")).unwrap()).unwrap()
}

fn image<'a>(manifest: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    manifest["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["repository"] == format!("ag-test/{name}"))
        .unwrap_or_else(|| panic!("no ag-test/{name} in {manifest:#}"))
}

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

/// Rewrites the bundle from `dir` after `change` altered it.
fn repack(s: &Scratch, dir: &str, name: &str, change: impl FnOnce(&Path)) -> PathBuf {
    let root = s.path(dir);
    change(&root);
    let out = s.path(name);
    rudder::bundle::archive::write(&root, &out).unwrap();
    out
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

/// A private image on the TLS registry with htpasswd authentication, and a one-image chart
/// `private` naming it (every request to this registry checks a bcrypt password: slow); the
/// image's digest.
fn private_chart(s: &Scratch, f: &Fixture) -> String {
    let mut tls = Client::new(
        &f.site_tls,
        Options {
            ca_file: f.site_ca.clone(),
            credentials: Some((f.site_user.clone(), f.site_password.clone())),
            ..Options::default()
        },
    )
    .unwrap();
    let private = push_manifest(&mut tls, "ag-test/private", "amd64");
    tls.put_manifest("ag-test/private", "1.0", &private)
        .unwrap();
    std::fs::create_dir_all(s.path("private/templates")).unwrap();
    std::fs::write(
        s.path("private/Chart.yaml"),
        "apiVersion: v2\nname: private\nversion: 0.2.0\n",
    )
    .unwrap();
    std::fs::write(
        s.path("private/templates/pod.yaml"),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: p\n      image: {}/ag-test/private:1.0\n",
            f.site_tls
        ),
    )
    .unwrap();
    private.digest
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

/// A listener that counts the connections made to it.
fn recorder() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (address, count)
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
    // HTTP_PROXY and ALL_PROXY send every HTTP and HTTPS request of reqwest (charts, registries,
    // values URLs) to the recorder. HTTPS_PROXY is left unset: kube-rs reads it for the API server
    // and, built without its `http-proxy` feature, refuses to start when it is set.
    let run = |args: &[&str]| {
        s.command(args)
            .env("KUBECONFIG", &kubeconfig)
            .env("HTTP_PROXY", &proxy)
            .env("ALL_PROXY", &proxy)
            .env("http_proxy", &proxy)
            .env("all_proxy", &proxy)
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
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
    struct Cleanup<'a>(&'a Path, &'a str);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            let _ = Command::new(env!("CARGO_BIN_EXE_rudder"))
                .args(["uninstall", "rel", "-n", self.1])
                .env("KUBECONFIG", self.0)
                .output();
            let kubectl = Command::new(Path::new(ROOT).join("scripts/install-oracle"))
                .args(["path", "kubectl"])
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
            if let Some(kubectl) = kubectl {
                let _ = Command::new(kubectl)
                    .args(["delete", "namespace", self.1, "--wait=false"])
                    .env("KUBECONFIG", self.0)
                    .output();
            }
        }
    }
    let _cleanup = Cleanup(&kubeconfig, &ns);

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
    let kubectl = PathBuf::from(
        String::from_utf8_lossy(
            &Command::new(Path::new(ROOT).join("scripts/install-oracle"))
                .args(["path", "kubectl"])
                .output()
                .unwrap()
                .stdout,
        )
        .trim(),
    );
    let live = Command::new(&kubectl)
        .args([
            "get",
            "deployment,daemonset,cronjob",
            "-n",
            &ns,
            "-o",
            "jsonpath={..image}",
        ])
        .env("KUBECONFIG", &kubeconfig)
        .output()
        .unwrap();
    let live = String::from_utf8_lossy(&live.stdout);
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
    let kubectl = PathBuf::from(
        String::from_utf8_lossy(
            &Command::new(Path::new(ROOT).join("scripts/install-oracle"))
                .args(["path", "kubectl"])
                .output()
                .unwrap()
                .stdout,
        )
        .trim(),
    );
    struct Cleanup<'a>(&'a Path, &'a Path, &'a str);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            let _ = Command::new(env!("CARGO_BIN_EXE_rudder"))
                .args(["uninstall", "agp", "-n", self.2])
                .env("KUBECONFIG", self.0)
                .output();
            let _ = Command::new(self.1)
                .args(["delete", "namespace", self.2, "--wait=false"])
                .env("KUBECONFIG", self.0)
                .output();
        }
    }
    let _cleanup = Cleanup(&kubeconfig, &kubectl, &ns);
    // The prod layering renders ServiceMonitors: their CRD must be there (a fresh cluster lacks it).
    common::servicemonitor_crd(&kubeconfig);
    let out = s
        .command(&[
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
        ])
        .env("KUBECONFIG", &kubeconfig)
        .env("HTTP_PROXY", &proxy)
        .env("ALL_PROXY", &proxy)
        .env("http_proxy", &proxy)
        .env("all_proxy", &proxy)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let live = Command::new(&kubectl)
        .args([
            "get",
            "deployment,statefulset,daemonset,cronjob,job",
            "-n",
            &ns,
            "-o",
            "jsonpath={..image}",
        ])
        .env("KUBECONFIG", &kubeconfig)
        .output()
        .unwrap();
    let live = String::from_utf8_lossy(&live.stdout).into_owned();
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

/// A TCP relay to `upstream` that passes bytes on at about `rate` bytes a second each way. Each
/// connection's threads end when it closes.
fn throttled_relay(upstream: String, rate: usize) -> String {
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let Ok(server) = TcpStream::connect(&upstream) else {
                continue;
            };
            let (client_in, server_in) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || throttled_copy(client_in, server, rate));
            std::thread::spawn(move || throttled_copy(server_in, client, rate));
        }
    });
    address
}

fn throttled_copy(mut from: std::net::TcpStream, mut to: std::net::TcpStream, rate: usize) {
    use std::io::Read;
    let mut buffer = [0u8; 4096];
    let pause = std::time::Duration::from_secs_f64(buffer.len() as f64 / rate as f64);
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
                std::thread::sleep(pause);
            }
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// Pushes `repository:1.0`, one layer of `size` pseudo-random bytes (the same on every run).
fn push_big_image(client: &mut Client, repository: &str, size: usize) {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let layer: Vec<u8> = (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let config = br#"{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = client.put_blob(repository, config).unwrap();
    let layer_digest = client.put_blob(repository, &layer).unwrap();
    let data = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer.len()}],
    }))
    .unwrap();
    let manifest = Manifest {
        digest: digest_of(&data),
        data,
        media_type: OCI_MANIFEST.to_string(),
    };
    client.put_manifest(repository, "1.0", &manifest).unwrap();
}

/// A chart with one ConfigMap and no image, written under `dir`.
fn tiny_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
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
    s.ok(&[
        "bundle",
        "create",
        "tiny",
        "--image",
        &format!("{}/ag-test/big:1.0", f.source),
        "-q",
        "-o",
        "big.tgz",
    ]);
    // An empty site of its own: the layer is never there already.
    let site = bundle_support::TestRegistry::start(&s.path("site"), "");
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
    use bundle_support::{TestRegistry, TokenServer};
    if registry_server(None).is_none() {
        return unavailable("docker-registry (tests/registry-server/up)");
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
    s.ok(&[
        "bundle", "create", "tiny", "--image", &base, "-q", "-o", "anon.tgz",
    ]);
    let err = s.fails(&[
        "bundle",
        "create",
        "tiny",
        "--image",
        &app,
        "-q",
        "-o",
        "refused.tgz",
    ]);
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
    let err = s.fails(&[
        "bundle",
        "create",
        "tiny",
        "--image",
        &app,
        "-q",
        "-o",
        "refused.tgz",
    ]);
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
    s.ok(&[
        "bundle", "create", "tiny", "--image", &app, "--image", &base, "-q", "-o", "tok.tgz",
    ]);
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

/// Pushes `entries` (descriptor JSON values) as an OCI index; its manifest.
fn push_index(
    client: &mut Client,
    repository: &str,
    tag: &str,
    entries: Vec<serde_json::Value>,
) -> Manifest {
    let data = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries,
    }))
    .unwrap();
    let index = Manifest {
        digest: digest_of(&data),
        data,
        media_type: OCI_INDEX.to_string(),
    };
    client.put_manifest(repository, tag, &index).unwrap();
    index
}

fn descriptor(m: &Manifest, platform: Option<(&str, &str)>) -> serde_json::Value {
    let mut d =
        serde_json::json!({"mediaType": m.media_type, "digest": m.digest, "size": m.data.len()});
    if let Some((os, architecture)) = platform {
        d["platform"] = serde_json::json!({"os": os, "architecture": architecture});
    }
    d
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
    s.ok(&[
        "bundle",
        "create",
        "tiny",
        "--image",
        &image,
        "-q",
        "-o",
        "whole.tgz",
    ]);
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
    s.ok(&[
        "bundle",
        "create",
        "tiny",
        "--image",
        &image,
        "--platform",
        "linux/amd64",
        "-q",
        "-o",
        "amd64.tgz",
    ]);
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
    s.ok(&[
        "bundle",
        "create",
        "tiny",
        "--image",
        &image,
        "--platform",
        "linux/arm64",
        "-q",
        "-o",
        "arm64.tgz",
    ]);
    let m = unpack(&s.path("arm64.tgz"), &s.path("arm64"));
    let stored = m["images"][0]["digest"].as_str().unwrap().to_string();
    assert_eq!(
        entries(blob("arm64", &stored)),
        [inner_arm64.digest.as_str()]
    );

    // A platform nothing has: the error lists what the nesting has.
    let err = s.fails(&[
        "bundle",
        "create",
        "tiny",
        "--image",
        &image,
        "--platform",
        "linux/s390x",
        "-q",
        "-o",
        "none.tgz",
    ]);
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

fn stored_of(s: &Scratch, dir: &str) -> String {
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.path(&format!("{dir}/bundle.json"))).unwrap())
            .unwrap();
    m["images"][0]["digest"].as_str().unwrap().to_string()
}

fn entries_of(data: &[u8]) -> Vec<String> {
    let index: serde_json::Value = serde_json::from_slice(data).unwrap();
    index["manifests"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["digest"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// `bundle push` mounts a blob it already sent to one repository into the next ones
/// (`POST …/blobs/uploads/?mount=…&from=…`) instead of uploading it again; a registry that does not
/// mount (here: the source repository lacks the blob, so the real registry answers 202 with an
/// upload session) gets the upload. Counted in the site registry's own access log.
#[test]
fn push_mounts_shared_blobs() {
    use bundle_support::TestRegistry;
    let Some(f) = fixture() else { return };
    let s = Scratch::new("mount");
    let mut source = plain(&f.source);
    // Three repositories holding the same image (same config, same layer).
    let repositories = ["ag-test/mount-a", "ag-test/mount-b", "ag-test/mount-c"];
    for repository in repositories {
        push_big_image(&mut source, repository, 64 << 10);
    }
    tiny_chart(&s.path("tiny"));
    let mut args = vec!["bundle", "create", "tiny", "-q", "-o", "mount.tgz"];
    let images: Vec<String> = repositories
        .iter()
        .map(|r| format!("{}/{r}:1.0", f.source))
        .collect();
    for image in &images {
        args.extend(["--image", image.as_str()]);
    }
    s.ok(&args);
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
