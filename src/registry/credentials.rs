//! Helm's registry credentials file (`$HELM_REGISTRY_CONFIG`, default `<config home>/registry/
//! config.json`): Docker's `{"auths": {"host:port": {"auth": base64("user:password")}}}` (or
//! `{"identitytoken": "…"}`, read and written as `("", token)`: see `client::Options`), written
//! tab-indented as Docker's config package writes it, mode 0600 in a 0700 directory.
//!
//! Reading, as Helm does through oras-go's credentials store: Helm's file first, then Docker's
//! `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), the first that has
//! credentials for the server winning. Within one file: `credHelpers[server]`, else `credsStore`
//! (both run a credential helper: `credential_helper`), else, when the file configures nothing at
//! all, the platform's default helper if installed, else the `auths` entry (a key written with a
//! scheme or a path, as old Docker versions did, matches too). A helper's error is an error, not a
//! reason to look further.
//!
//! Writing (`registry login|logout`), as oras-go's `DynamicStore` does for Helm: Helm's file only,
//! through the helper it configures for the server (`credHelpers`, `credsStore`, or the detected
//! platform default, then recorded as `credsStore`), else into its `auths`.
use std::path::{Path, PathBuf};

use base64::Engine;

use super::credential_helper::{self, Origin};
use super::Error;

/// The stored `(username, password)` for `registry` in the `auths` of `file` only (what `registry
/// login` wrote); see [`stored`] for the lookup Helm does.
pub fn get(file: &Path, registry: &str) -> Option<(String, String)> {
    let text = std::fs::read_to_string(file).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    from_auths(&json, registry)
}

fn from_auths(json: &serde_json::Value, registry: &str) -> Option<(String, String)> {
    let auths = json.get("auths")?.as_object()?;
    let entry = auths.get(registry).or_else(|| {
        auths
            .iter()
            .find(|(key, _)| to_hostname(key) == registry)
            .map(|(_, v)| v)
    })?;
    // An identity token wins over `auth`, as oras-go's Docker client reads an entry.
    if let Some(token) = entry
        .get("identitytoken")
        .and_then(|v| v.as_str())
        .filter(|t| !t.is_empty())
    {
        return Some((String::new(), token.to_string()));
    }
    let auth = entry.get("auth")?.as_str()?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

/// A legacy `auths` key (`https://host:port/v1/`) as the server it names.
fn to_hostname(key: &str) -> &str {
    let key = key.strip_prefix("http://").unwrap_or(key);
    let key = key.strip_prefix("https://").unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

/// Docker's `config.json`.
pub fn docker_config() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(Path::new(&dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".docker/config.json"))
}

/// The credentials one Docker-format config file gives for `server` (see the module doc).
pub fn lookup(file: &Path, server: &str) -> Result<Option<(String, String)>, Error> {
    let json = match std::fs::read_to_string(file) {
        Ok(text) if text.trim().is_empty() => serde_json::Value::Null,
        Ok(text) => serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .filter(|v| v.is_object())
            .ok_or_else(|| {
                Error(format!(
                    "{}: not a registry config file (expected a JSON object)",
                    file.display()
                ))
            })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => serde_json::Value::Null,
        Err(e) => return Err(Error(crate::go_os::path_error("open", file, &e))),
    };
    let text_of = |key: &str| json.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    let helpers = json.get("credHelpers").and_then(|v| v.as_object());
    if let Some(name) = helpers
        .and_then(|h| h.get(server))
        .and_then(|v| v.as_str())
        .filter(|n| !n.is_empty())
    {
        let origin = Origin {
            field: "credHelpers",
            file,
        };
        return credential_helper::get(name, server, &origin);
    }
    if !text_of("credsStore").is_empty() {
        let origin = Origin {
            field: "credsStore",
            file,
        };
        return credential_helper::get(text_of("credsStore"), server, &origin);
    }
    let configured = helpers.is_some_and(|h| !h.is_empty())
        || json
            .get("auths")
            .and_then(|v| v.as_object())
            .is_some_and(|a| !a.is_empty());
    if !configured {
        if let Some(name) = credential_helper::platform_default() {
            let origin = Origin {
                field: "the platform's default credsStore, as nothing is configured",
                file,
            };
            return credential_helper::get(name, server, &origin);
        }
    }
    Ok(from_auths(&json, server))
}

/// What Helm finds for `server`: Helm's registry config, then Docker's `config.json`.
pub fn stored(registry_config: &Path, server: &str) -> Result<Option<(String, String)>, Error> {
    if let Some(found) = lookup(registry_config, server)? {
        return Ok(Some(found));
    }
    match docker_config() {
        Some(docker) => lookup(&docker, server),
        None => Ok(None),
    }
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

/// Where `registry login` puts the credentials for `server` in the config `map` (oras-go's
/// `DynamicStore.getStore`): `credHelpers[server]`, else `credsStore`, else, when the file
/// configures nothing, the platform's default helper if installed (which is then recorded as the
/// file's `credsStore`), else the file's own `auths`.
enum Target {
    Helper(String),
    Detected(&'static str),
    File,
}

fn target(map: &serde_json::Map<String, serde_json::Value>, server: &str) -> Target {
    let helpers = map.get("credHelpers").and_then(|v| v.as_object());
    if let Some(name) = helpers
        .and_then(|h| h.get(server))
        .and_then(|v| v.as_str())
        .filter(|n| !n.is_empty())
    {
        return Target::Helper(name.to_string());
    }
    if let Some(name) = map
        .get("credsStore")
        .and_then(|v| v.as_str())
        .filter(|n| !n.is_empty())
    {
        return Target::Helper(name.to_string());
    }
    let configured = helpers.is_some_and(|h| !h.is_empty())
        || map
            .get("auths")
            .and_then(|v| v.as_object())
            .is_some_and(|a| !a.is_empty());
    match credential_helper::platform_default() {
        Some(name) if !configured => Target::Detected(name),
        _ => Target::File,
    }
}

fn auths(
    map: &mut serde_json::Map<String, serde_json::Value>,
) -> &mut serde_json::Map<String, serde_json::Value> {
    let auths = map
        .entry("auths")
        .or_insert_with(|| serde_json::Value::Object(Default::default()));
    if !auths.is_object() {
        *auths = serde_json::Value::Object(Default::default());
    }
    auths.as_object_mut().expect("made an object above")
}

/// Stores credentials for `registry` (`registry login`): in the credential helper the file names
/// for it (the file then records the server under `auths` with no secret, as Docker and oras-go
/// do), else in the file. An empty `user` stores `password` as an identity token: `identitytoken`
/// in the file, `Username` `<token>` for a helper, as Docker's config package does.
pub fn store(file: &Path, registry: &str, user: &str, password: &str) -> Result<(), Error> {
    let mut map = load(file)?;
    let entry = match target(&map, registry) {
        Target::Helper(name) => {
            credential_helper::store(&name, registry, user, password)?;
            serde_json::json!({})
        }
        Target::Detected(name) => {
            credential_helper::store(name, registry, user, password)?;
            map.insert("credsStore".into(), serde_json::Value::String(name.into()));
            serde_json::json!({})
        }
        Target::File if user.is_empty() => serde_json::json!({ "identitytoken": password }),
        Target::File => {
            let auth =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            serde_json::json!({ "auth": auth })
        }
    };
    auths(&mut map).insert(registry.to_string(), entry);
    save(file, map)
}

/// Removes the credentials for `registry` (`registry logout`); `false` when the file has no
/// `auths` entry for it (Helm's `not logged in`). A helper configured for it erases them first; if
/// that fails, the file is left as it was.
pub fn remove(file: &Path, registry: &str) -> Result<bool, Error> {
    let mut map = load(file)?;
    let known = map
        .get("auths")
        .and_then(|v| v.as_object())
        .is_some_and(|a| a.contains_key(registry));
    if !known {
        return Ok(false);
    }
    if let Target::Helper(name) = target(&map, registry) {
        credential_helper::erase(&name, registry)?;
    }
    auths(&mut map).remove(registry);
    save(file, map)?;
    Ok(true)
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
        super::store(&file, "127.0.0.1:5000", "", "refresh-1").unwrap();
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "{\n\t\"auths\": {\n\t\t\"127.0.0.1:5000\": {\n\t\t\t\"identitytoken\": \"refresh-1\"\n\t\t}\n\t}\n}"
        );
        assert_eq!(
            super::get(&file, "127.0.0.1:5000"),
            Some((String::new(), "refresh-1".into()))
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
