//! Tiny images written by the tests themselves: one small layer, a config and a manifest (OCI or
//! Docker media types), indexes over them, pushed with the library's registry client.
use std::io::Write;

use rudder::registry::client::Options;
use rudder::registry::image::{digest_of, Manifest, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST};
use rudder::registry::Client;

/// A gzipped tar holding one file.
pub fn layer(name: &str, content: &str) -> (Vec<u8>, String) {
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
pub fn push_manifest(client: &mut Client, repository: &str, arch: &str) -> Manifest {
    push_one_layer(
        client,
        repository,
        arch,
        "hello.txt",
        [
            OCI_MANIFEST,
            "application/vnd.oci.image.config.v1+json",
            "application/vnd.oci.image.layer.v1.tar+gzip",
        ],
    )
}

/// Pushes a one-layer image with Docker's media types (v2 schema 2) for `arch`; its manifest.
pub fn push_docker_manifest(client: &mut Client, repository: &str, arch: &str) -> Manifest {
    push_one_layer(
        client,
        repository,
        arch,
        "legacy.txt",
        [
            DOCKER_MANIFEST,
            "application/vnd.docker.container.image.v1+json",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
        ],
    )
}

/// Pushes a one-layer image holding `file` for `arch`, with the manifest, config and layer
/// media types given; its manifest.
fn push_one_layer(
    client: &mut Client,
    repository: &str,
    arch: &str,
    file: &str,
    [manifest_type, config_type, layer_type]: [&str; 3],
) -> Manifest {
    let (layer_data, diff_id) = layer(file, &format!("{repository} for {arch}\n"));
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
        "mediaType": manifest_type,
        "config": {"mediaType": config_type, "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": layer_type, "digest": layer_digest, "size": layer_data.len()}],
    }))
    .unwrap();
    Manifest {
        digest: digest_of(&data),
        data,
        media_type: manifest_type.to_string(),
    }
}

pub fn plain(host: &str) -> Client {
    Client::new(
        host,
        Options {
            plain_http: true,
            ..Options::default()
        },
    )
    .unwrap()
}

/// Pushes `repository:1.0`, one layer of `size` pseudo-random bytes (the same on every run).
pub fn push_big_image(client: &mut Client, repository: &str, size: usize) {
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

/// Pushes `entries` (descriptor JSON values) as an OCI index; its manifest.
pub fn push_index(
    client: &mut Client,
    repository: &str,
    tag: &str,
    entries: Vec<serde_json::Value>,
) -> Manifest {
    push_list(client, repository, tag, OCI_INDEX, entries)
}

/// Pushes `entries` as a list of manifests of `media_type` (an OCI index or a Docker manifest
/// list) tagged `tag`; its manifest.
pub fn push_list(
    client: &mut Client,
    repository: &str,
    tag: &str,
    media_type: &str,
    entries: Vec<serde_json::Value>,
) -> Manifest {
    let data = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": media_type, "manifests": entries,
    }))
    .unwrap();
    let list = Manifest {
        digest: digest_of(&data),
        data,
        media_type: media_type.to_string(),
    };
    client.put_manifest(repository, tag, &list).unwrap();
    list
}

pub fn descriptor(m: &Manifest, platform: Option<(&str, &str)>) -> serde_json::Value {
    let mut d =
        serde_json::json!({"mediaType": m.media_type, "digest": m.digest, "size": m.data.len()});
    if let Some((os, architecture)) = platform {
        d["platform"] = serde_json::json!({"os": os, "architecture": architecture});
    }
    d
}

pub fn entries_of(data: &[u8]) -> Vec<String> {
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
