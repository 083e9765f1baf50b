//! The payload codec: `json.Marshal(release)` → gzip at `BestCompression` → standard base64, and back.
//! Mirrors `encodeRelease`/`decodeRelease` of `pkg/storage/driver/util.go` (Helm v3.17.3 and v4.1.4).
//!
//! Decoding gunzips only when the bytes start with gzip's magic `1f 8b 08` (records older than Helm 3
//! compression are plain JSON). Every failure says which step failed (base64, gzip, JSON) with the
//! underlying reader's text; the driver adds the object's name.
use std::io::{Read, Write};

use base64::Engine;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::de::DeserializeOwned;

use super::gojson;
use super::record::{Release, Summary};

const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Why a payload could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("data is not base64: {0}")]
    Base64(String),
    #[error("data is not valid gzip: {0}")]
    Gzip(String),
    #[error("data is not a release in JSON: {0}")]
    Json(String),
}

/// Encodes a release as Helm stores it (the text of `data.release`).
pub fn encode(release: &Release) -> Result<String, serde_json::Error> {
    let json = gojson::to_vec(release)?;
    Ok(encode_json(&json))
}

/// Compresses and base64-encodes a JSON document.
pub fn encode_json(json: &[u8]) -> String {
    let mut gz = GzEncoder::new(Vec::with_capacity(json.len() / 3), Compression::best());
    // Writing to a Vec cannot fail.
    let _ = gz.write_all(json);
    let compressed = gz.finish().unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(compressed)
}

/// The JSON inside a stored payload.
pub fn decode_json(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let data = data.trim_ascii();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| DecodeError::Base64(e.to_string()))?;
    if raw.len() > 3 && raw[..3] == GZIP_MAGIC {
        let mut json = Vec::with_capacity(raw.len() * 4);
        GzDecoder::new(raw.as_slice())
            .read_to_end(&mut json)
            .map_err(|e| DecodeError::Gzip(e.to_string()))?;
        Ok(json)
    } else {
        Ok(raw)
    }
}

fn decode_as<T: DeserializeOwned>(data: &[u8]) -> Result<T, DecodeError> {
    let json = decode_json(data)?;
    serde_json::from_slice(&json).map_err(|e| DecodeError::Json(e.to_string()))
}

/// Decodes a whole release.
pub fn decode(data: &[u8]) -> Result<Release, DecodeError> {
    decode_as(data)
}

/// Decodes only what `list` prints.
pub fn decode_summary(data: &[u8]) -> Result<Summary, DecodeError> {
    decode_as(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::record::{Info, Status, Time};

    fn sample() -> Release {
        let mut r = Release {
            name: "demo".into(),
            namespace: "ns".into(),
            version: 2,
            manifest: "---\n# Source: a\nkind: A <b>\n".into(),
            ..Default::default()
        };
        r.config.insert("z".into(), serde_json::json!(1));
        r.config
            .insert("a".into(), serde_json::json!({"y": 2.5, "b": null}));
        r.info = Some(Info {
            last_deployed: Time::parse("2026-12-06T20:51:01.123Z").unwrap(),
            status: Status::Deployed,
            description: "Upgrade complete".into(),
            ..Default::default()
        });
        r
    }

    #[test]
    fn round_trip() {
        let r = sample();
        let text = encode(&r).unwrap();
        let back = decode(text.as_bytes()).unwrap();
        assert_eq!(
            gojson::to_string(&back).unwrap(),
            gojson::to_string(&r).unwrap()
        );
        assert!(base64::engine::general_purpose::STANDARD
            .decode(&text)
            .unwrap()
            .starts_with(&GZIP_MAGIC));
        let json = String::from_utf8(decode_json(text.as_bytes()).unwrap()).unwrap();
        assert!(json.starts_with(r#"{"name":"demo","info":{"first_deployed":"","last_deployed":"2026-12-06T20:51:01.123Z","deleted":"","description":"Upgrade complete","status":"deployed"},"config":{"a":{"b":null,"y":2.5},"z":1},"manifest":"---\n# Source: a\nkind: A \u003cb\u003e\n","version":2,"namespace":"ns"}"#), "{json}");
    }

    #[test]
    fn plain_json_without_gzip() {
        let data =
            base64::engine::general_purpose::STANDARD.encode(br#"{"name":"old","version":1}"#);
        let r = decode(data.as_bytes()).unwrap();
        assert_eq!((r.name.as_str(), r.version), ("old", 1));
    }

    #[test]
    fn each_corruption_named() {
        assert!(matches!(
            decode(b"not base64!"),
            Err(DecodeError::Base64(_))
        ));
        let truncated = {
            let full = base64::engine::general_purpose::STANDARD
                .decode(encode(&sample()).unwrap())
                .unwrap();
            base64::engine::general_purpose::STANDARD.encode(&full[..full.len() / 2])
        };
        assert!(matches!(
            decode(truncated.as_bytes()),
            Err(DecodeError::Gzip(_))
        ));
        let not_json = encode_json(b"{\"name\": ");
        assert!(matches!(
            decode(not_json.as_bytes()),
            Err(DecodeError::Json(_))
        ));
    }
}
