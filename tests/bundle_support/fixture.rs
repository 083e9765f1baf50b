//! The registries of tests/registry-server/up: the source (the default state directory) and the
//! site's (a second pair in another state directory), the source seeded once per test binary with
//! the images testdata/bundle/airgap-app names.
use std::collections::BTreeMap;
use std::sync::OnceLock;

use rudder::registry::client::Options;
use rudder::registry::image::DOCKER_LIST;
use rudder::registry::Client;

use super::images::{
    descriptor, plain, push_docker_manifest, push_index, push_list, push_manifest,
};
use super::scratch::Scratch;
use crate::deps_support::{server_env_with, unavailable};

/// The REGISTRY_* variables of tests/registry-server/up run with `state` as its state directory.
pub fn registry_server(state: Option<&str>) -> Option<BTreeMap<String, String>> {
    let env: Vec<(&str, &str)> = state
        .map(|dir| ("RUDDER_REGISTRY_DIR", dir))
        .into_iter()
        .collect();
    server_env_with("tests/registry-server/up", &env)
}

/// The registries and the images pushed to the source one.
pub struct Fixture {
    /// The source registry (plain HTTP).
    pub source: String,
    /// The site's registry (plain HTTP).
    pub site: String,
    /// The site's TLS registry with htpasswd authentication, and its CA.
    pub site_tls: String,
    pub site_ca: String,
    /// The TLS registry's user and password.
    pub site_user: String,
    pub site_password: String,
    /// The digest of ag-test/app:1.0, a two-platform index.
    pub app_index: String,
    /// The digest of its linux/amd64 manifest.
    pub app_amd64: String,
    /// The digest of ag-test/legacy:2.0, a Docker manifest list of Docker v2 manifests.
    pub legacy_list: String,
}

pub fn fixture() -> Option<&'static Fixture> {
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
            entries.push(descriptor(m, Some(("linux", arch))));
        }
        let index = push_index(&mut client, "ag-test/app", "1.0", entries);
        let mut entries = Vec::new();
        for arch in ["amd64", "arm"] {
            let m = push_docker_manifest(&mut client, "ag-test/legacy", arch);
            client
                .put_manifest("ag-test/legacy", &m.digest, &m)
                .unwrap();
            entries.push(descriptor(&m, Some(("linux", arch))));
        }
        let list = push_list(&mut client, "ag-test/legacy", "2.0", DOCKER_LIST, entries);
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

/// A private image on the TLS registry with htpasswd authentication, and a one-image chart
/// `private` naming it (every request to this registry checks a bcrypt password: slow); the
/// image's digest.
pub fn private_chart(s: &Scratch, f: &Fixture) -> String {
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
