//! Helm's registry credentials file (`$HELM_REGISTRY_CONFIG`, default `<config home>/registry/
//! config.json`): Docker's `{"auths": {"host:port": {"auth": base64("user:password")}}}`, written
//! tab-indented as Docker's config package writes it, mode 0600 in a 0700 directory.
use std::path::Path;

use base64::Engine;

use super::Error;

/// The stored `(username, password)` for `registry`.
pub fn get(file: &Path, registry: &str) -> Option<(String, String)> {
    let text = std::fs::read_to_string(file).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let auth = json.get("auths")?.get(registry)?.get("auth")?.as_str()?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

fn load(file: &Path) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    match std::fs::read_to_string(file) {
        Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            _ => Err(Error(format!(
                "{}: not a registry config file",
                file.display()
            ))),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(serde_json::Map::new()),
        Err(e) => Err(Error(crate::go_os::path_error("open", file, &e))),
    }
}

fn save(file: &Path, map: serde_json::Map<String, serde_json::Value>) -> Result<(), Error> {
    use std::os::unix::fs::DirBuilderExt;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error(crate::go_os::path_error("mkdir", dir, &e)))?;
    }
    let mut text = String::new();
    write_tabbed(&mut text, &serde_json::Value::Object(map), 0);
    crate::deps::repofile::write_private(file, text.as_bytes()).map_err(|e| Error(e.to_string()))
}

/// Stores credentials for `registry`.
pub fn store(file: &Path, registry: &str, user: &str, password: &str) -> Result<(), Error> {
    let mut map = load(file)?;
    let auths = map
        .entry("auths")
        .or_insert_with(|| serde_json::Value::Object(Default::default()));
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    if let serde_json::Value::Object(auths) = auths {
        auths.insert(registry.to_string(), serde_json::json!({ "auth": auth }));
    }
    save(file, map)
}

/// Removes the credentials for `registry`; `false` when there were none.
pub fn remove(file: &Path, registry: &str) -> Result<bool, Error> {
    let mut map = load(file)?;
    let removed = match map.get_mut("auths") {
        Some(serde_json::Value::Object(auths)) => auths.remove(registry).is_some(),
        _ => false,
    };
    if removed {
        save(file, map)?;
    }
    Ok(removed)
}

/// `json.MarshalIndent(v, "", "\t")` in key order.
fn write_tabbed(out: &mut String, v: &serde_json::Value, depth: usize) {
    match v {
        serde_json::Value::Object(map) if map.is_empty() => out.push_str("{}"),
        serde_json::Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('\n');
                out.push_str(&"\t".repeat(depth + 1));
                crate::yaml::json::write_string(out, k, true);
                out.push_str(": ");
                write_tabbed(out, item, depth + 1);
            }
            out.push('\n');
            out.push_str(&"\t".repeat(depth));
            out.push('}');
        }
        serde_json::Value::String(s) => crate::yaml::json::write_string(out, s, true),
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn stores_and_removes_like_docker() {
        let dir = std::env::temp_dir().join(format!("rudder-creds-{}", std::process::id()));
        let file = dir.join("registry/config.json");
        super::store(&file, "127.0.0.1:5000", "u", "p").unwrap();
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "{\n\t\"auths\": {\n\t\t\"127.0.0.1:5000\": {\n\t\t\t\"auth\": \"dTpw\"\n\t\t}\n\t}\n}"
        );
        assert_eq!(
            super::get(&file, "127.0.0.1:5000"),
            Some(("u".into(), "p".into()))
        );
        assert!(super::remove(&file, "127.0.0.1:5000").unwrap());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "{\n\t\"auths\": {}\n}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
