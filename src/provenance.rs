//! Chart provenance (Helm's `pkg/provenance`): a `.prov` file beside `NAME-VERSION.tgz` is an
//! OpenPGP cleartext-signed message whose text is the chart's Chart.yaml metadata as YAML, the YAML
//! document end `...`, then `files:` with the archive's `sha256:` digest. Keys come from GnuPG
//! legacy keyrings (`pubring.gpg`, `secring.gpg`: binary OpenPGP transferable keys, one after the
//! other), as Helm's `--keyring` reads them.
//!
//! - [`sign`] — `package --sign --key NAME --keyring FILE [--passphrase-file]`: the key is the
//!   secret key whose user id is `NAME` or, failing that, the only one containing it (Helm's
//!   GnuPG-like rule); the signature is SHA-512, as Helm's default configuration.
//! - [`verify_chart`] — `verify`, `--verify` of `template`/`install`/`upgrade` on an archive on disk,
//!   and [`verify_downloaded`], the same checks on a download in memory (`crate::deps::verify`):
//!   Helm's `VerifyChart` checks and messages (`unpacked charts cannot be verified`, `could not
//!   load provenance file …`, `openpgp: signature made by unknown entity`, `sha256 sum does not
//!   match for …`).
//!
//! OpenPGP is rPGP (`pgp`, maintained, pure Rust, parses GnuPG's binary keyrings and cleartext
//! signatures); Sequoia would bring a second crypto stack. Helm 3 uses Go's `x/crypto/openpgp`, which
//! knows RSA, DSA and ECDSA keys but not EdDSA: keys meant for Helm must be RSA (GnuPG's
//! `--quick-gen-key NAME rsa3072`), as the tests make them.
use std::path::{Path, PathBuf};

use pgp::composed::{CleartextSignedMessage, PublicOrSecret, SignedPublicKey, SignedSecretKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{SignatureConfig, SignatureType, Subpacket, SubpacketData};
use pgp::types::{KeyDetails, Password, Timestamp};

/// Helm's `defaultKeyring`: `$GNUPGHOME/pubring.gpg`, else `~/.gnupg/pubring.gpg`.
pub fn default_keyring() -> PathBuf {
    if let Some(home) = std::env::var_os("GNUPGHOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(home).join("pubring.gpg");
    }
    let home = std::env::var_os("HOME").unwrap_or_default();
    PathBuf::from(home).join(".gnupg").join("pubring.gpg")
}

/// `--keyring` as given, else the default.
pub fn keyring(flag: Option<&str>) -> PathBuf {
    flag.map(PathBuf::from).unwrap_or_else(default_keyring)
}

/// A provenance failure; `Display` is Helm's whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// A verified chart (Helm's `provenance.Verification`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The user ids of the key that signed.
    pub signed_by: Vec<String>,
    /// The signing key's primary fingerprint, upper-case hex (Go's `%X`).
    pub fingerprint: String,
    /// `sha256:…` of the archive.
    pub file_hash: String,
    pub file_name: String,
}

impl Verification {
    /// What `helm verify` prints.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for name in &self.signed_by {
            out.push_str(&format!("Signed by: {name}\n"));
        }
        out.push_str(&format!(
            "Using Key With Fingerprint: {}\nChart Hash Verified: {}\n",
            self.fingerprint, self.file_hash
        ));
        out
    }
}

fn path_error(op: &str, path: &Path, e: &std::io::Error) -> Error {
    Error(crate::go_os::path_error(op, path, e))
}

/// Reads a keyring: every transferable key in it, public or secret.
fn load_keyring(path: &Path) -> Result<Vec<PublicOrSecret>, Error> {
    let data = std::fs::read(path).map_err(|e| path_error("open", path, &e))?;
    let keys = PublicOrSecret::from_bytes_many(&data[..])
        .map_err(|e| Error(format!("openpgp: invalid data: {e}")))?;
    // Go's ReadKeyRing skips keys of algorithms it does not know; so does this.
    Ok(keys.flatten().collect())
}

fn user_ids(key: &PublicOrSecret) -> Vec<String> {
    let details = match key {
        PublicOrSecret::Public(k) => &k.details,
        PublicOrSecret::Secret(k) => &k.details,
    };
    details
        .users
        .iter()
        .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
        .collect()
}

fn public_key(key: &PublicOrSecret) -> SignedPublicKey {
    match key {
        PublicOrSecret::Public(k) => k.clone(),
        PublicOrSecret::Secret(k) => k.to_public_key(),
    }
}

/// `sha256:` of a file's bytes.
fn digest(data: &[u8]) -> String {
    format!("sha256:{}", crate::deps::digest::sha256_hex(data))
}

/// Helm's `messageBlock`: the metadata as YAML, `...`, then the file digests.
fn message_block(archive: &Path, data: &[u8]) -> Result<String, Error> {
    let chart = crate::chart::load_archive(data).map_err(|e| Error(e.to_string()))?;
    let metadata = serde_json::to_value(&chart.metadata).map_err(|e| Error(e.to_string()))?;
    let metadata = crate::yaml::to_yaml(&crate::values::strvals::json_to_value(&metadata))
        .map_err(|e| Error(e.to_string()))?;
    let base = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(format!(
        "{metadata}\n...\nfiles:\n  {base}: {}\n",
        digest(data)
    ))
}

/// Reads a passphrase file's first line (`-` is standard input), as `passphraseFileFetcher`.
pub fn read_passphrase_file(path: &str) -> Result<String, Error> {
    let text = if path == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Error(e.to_string()))?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| path_error("open", Path::new(path), &e))?
    };
    let line = text.lines().next().unwrap_or_default();
    Ok(line.strip_suffix('\r').unwrap_or(line).to_string())
}

/// Signs `archive` with the secret key named `key_name` in `keyring`; the `.prov` text. The
/// passphrase is asked (through `passphrase`) only for an encrypted key.
pub fn sign(
    archive: &Path,
    keyring: &Path,
    key_name: &str,
    passphrase: &mut dyn FnMut(&str) -> Result<String, Error>,
) -> Result<String, Error> {
    let keys = load_keyring(keyring)?;
    let mut exact = None;
    let mut candidates = Vec::new();
    for key in &keys {
        let ids = user_ids(key);
        if ids.iter().any(|id| id == key_name) {
            exact = Some(key);
            break;
        }
        if ids.iter().any(|id| id.contains(key_name)) {
            candidates.push(key);
        }
    }
    let chosen = match (exact, candidates.as_slice()) {
        (Some(key), _) => Some(key),
        (None, [one]) => Some(*one),
        (None, []) => None,
        (None, _) => {
            return Err(Error(format!(
                "more than one key contain the id {}",
                crate::template::printf::quote_go(key_name)
            )))
        }
    };
    let secret: &SignedSecretKey = match chosen {
        None => return Err(Error("private key not found".into())),
        Some(PublicOrSecret::Public(_)) => {
            return Err(Error(
                "provided key is not a private key. Try providing a keyring with secret keys"
                    .into(),
            ))
        }
        Some(PublicOrSecret::Secret(k)) => k,
    };
    let password = if secret.primary_key.secret_params().is_encrypted() {
        let name = user_ids(chosen.expect("chosen"))
            .into_iter()
            .find(|n| !n.is_empty())
            .unwrap_or_else(|| "Unknown".into());
        Password::from(passphrase(&name)?)
    } else {
        Password::empty()
    };
    let meta = std::fs::metadata(archive).map_err(|e| path_error("stat", archive, &e))?;
    if meta.is_dir() {
        return Err(Error("cannot sign a directory".into()));
    }
    let data = std::fs::read(archive).map_err(|e| path_error("open", archive, &e))?;
    let text = message_block(archive, &data)?;
    let key = &secret.primary_key;
    let mut config = SignatureConfig::from_key(rand_core_rng(), key, SignatureType::Text)
        .map_err(|e| Error(format!("failed to either sign or armor message block: {e}")))?;
    config.hash_alg = HashAlgorithm::Sha512;
    let subpacket = |data| {
        Subpacket::regular(data)
            .map_err(|e| Error(format!("failed to either sign or armor message block: {e}")))
    };
    config.hashed_subpackets = vec![
        subpacket(SubpacketData::SignatureCreationTime(Timestamp::now()))?,
        subpacket(SubpacketData::IssuerFingerprint(key.fingerprint()))?,
    ];
    config.unhashed_subpackets = vec![subpacket(SubpacketData::IssuerKeyId(key.legacy_key_id()))?];
    let message = CleartextSignedMessage::new(&text, config, key, &password)
        .map_err(|e| Error(format!("failed to either sign or armor message block: {e}")))?;
    message
        .to_armored_string(Default::default())
        .map_err(|e| Error(format!("failed to either sign or armor message block: {e}")))
}

/// An RNG for rPGP (which is on rand 0.8's traits).
fn rand_core_rng() -> impl rand_08::RngCore + rand_08::CryptoRng {
    rand_08::rngs::OsRng
}

/// Helm's `VerifyChart`: `path` must be a `.tgz` with a `.prov` beside it, signed by a key of
/// `keyring`, and the archive's digest must be the one the provenance names.
pub fn verify_chart(path: &Path, keyring: &Path) -> Result<Verification, Error> {
    let meta = std::fs::metadata(path).map_err(|e| path_error("stat", path, &e))?;
    if meta.is_dir() {
        return Err(Error("unpacked charts cannot be verified".into()));
    }
    let is_tgz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tgz"));
    if !is_tgz {
        return Err(Error("chart must be a tgz file".into()));
    }
    let prov = PathBuf::from(format!("{}.prov", path.display()));
    if let Err(e) = std::fs::metadata(&prov) {
        return Err(Error(format!(
            "could not load provenance file {}: {}",
            prov.display(),
            path_error("stat", &prov, &e)
        )));
    }
    let keys = load_keyring(keyring).map_err(|e| Error(format!("failed to load keyring: {e}")))?;
    let text = std::fs::read_to_string(&prov).map_err(|e| path_error("open", &prov, &e))?;
    let data = std::fs::read(path).map_err(|e| path_error("open", path, &e))?;
    let basename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    verify(&basename, &data, &text, &keys)
}

/// `VerifyChart` of a chart just downloaded (`pull --verify`, `--verify` of a remote chart,
/// `dependency update|build --verify`), checked in memory before anything is written: `file_name`
/// is the name the archive is saved under, `prov` the provenance file fetched beside it.
pub fn verify_downloaded(
    file_name: &str,
    data: &[u8],
    prov: &[u8],
    keyring: &Path,
) -> Result<Verification, Error> {
    let is_tgz = Path::new(file_name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tgz"));
    if !is_tgz {
        return Err(Error("chart must be a tgz file".into()));
    }
    let keys = load_keyring(keyring).map_err(|e| Error(format!("failed to load keyring: {e}")))?;
    verify(file_name, data, &String::from_utf8_lossy(prov), &keys)
}

fn verify(
    basename: &str,
    data: &[u8],
    text: &str,
    keys: &[PublicOrSecret],
) -> Result<Verification, Error> {
    let start = text
        .find("-----BEGIN PGP SIGNED MESSAGE-----")
        .ok_or_else(|| Error("failed to decode signature: signature block not found".into()))?;
    let (message, _) = CleartextSignedMessage::from_string(&text[start..])
        .map_err(|_| Error("failed to decode signature: signature block not found".into()))?;
    // Go's CheckDetachedSignature: the key named by the signature's issuer, primary or subkey.
    let issuers: Vec<_> = message
        .signatures()
        .iter()
        .flat_map(|s| s.issuer_key_id().into_iter().cloned().collect::<Vec<_>>())
        .collect();
    let mut signer = None;
    let mut known_issuer = false;
    for key in keys {
        let public = public_key(key);
        let primary_matches = issuers.contains(&public.primary_key.legacy_key_id());
        if primary_matches {
            known_issuer = true;
            if message.verify(&public.primary_key).is_ok() {
                signer = Some(key);
                break;
            }
        }
        for sub in &public.public_subkeys {
            if issuers.contains(&sub.key.legacy_key_id()) {
                known_issuer = true;
                if message.verify(&sub.key).is_ok() {
                    signer = Some(key);
                }
            }
        }
        if signer.is_some() {
            break;
        }
    }
    let Some(signer) = signer else {
        return Err(Error(if known_issuer {
            "openpgp: invalid signature: hash tag doesn't match".into()
        } else {
            "openpgp: signature made by unknown entity".into()
        }));
    };
    let sum = digest(data);
    let signed = message.signed_text().replace("\r\n", "\n");
    let Some((_, files)) = signed.split_once("\n...\n") else {
        return Err(Error("message block must have at least two parts".into()));
    };
    let recorded = files
        .lines()
        .filter_map(|l| l.trim().split_once(':'))
        .find(|(name, _)| name.trim().trim_matches(['"', '\'']) == basename)
        .map(|(_, sha)| sha.trim().trim_matches(['"', '\'']).to_string());
    let Some(recorded) = recorded else {
        return Err(Error(format!(
            "provenance does not contain a SHA for a file named {}",
            crate::template::printf::quote_go(basename)
        )));
    };
    if recorded != sum {
        return Err(Error(format!(
            "sha256 sum does not match for {basename}: {} != {}",
            crate::template::printf::quote_go(&recorded),
            crate::template::printf::quote_go(&sum)
        )));
    }
    Ok(Verification {
        signed_by: user_ids(signer),
        fingerprint: format!("{:X}", public_key(signer).primary_key.fingerprint()),
        file_hash: sum,
        file_name: basename.to_string(),
    })
}
