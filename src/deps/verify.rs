//! `--verify` of downloaded charts: what Helm's `ChartDownloader.DownloadTo` does after fetching an
//! archive when its `Verify` strategy is not `VerifyNever`. The provenance file is fetched beside
//! the archive (`URL.prov` from an HTTP(S) repository; the manifest's provenance layer from an OCI
//! registry, which Helm names `oci://host/repo/name:tag.prov`) and the archive is checked against it
//! with [`crate::provenance::verify_downloaded`].
//!
//! Helm writes the archive and the `.prov` first and verifies the files it wrote, so a failed check
//! leaves both in the destination; here the check runs on the bytes in memory and the caller writes
//! nothing unless it passes (the first error line and the exit code stay Helm's).
use std::io::Write;
use std::path::PathBuf;

use super::error::Error;
use crate::provenance::Verification;

/// Helm's `VerificationStrategy` (without `VerifyLater`, which no command of ours uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// No provenance is fetched.
    #[default]
    Never,
    /// `dependency build --verify`: a missing `.prov` is a warning, a bad one an error.
    IfPossible,
    /// `pull`, `install`, `upgrade`, `template`, `show`, `dependency update` with `--verify`: a
    /// missing `.prov` is an error.
    Always,
}

/// A strategy and the keyring it checks signatures with.
#[derive(Debug, Clone, Default)]
pub struct Verify {
    pub strategy: Strategy,
    pub keyring: PathBuf,
}

/// A verified download's provenance file and what it says.
#[derive(Debug, Clone)]
pub struct Checked {
    pub prov: Vec<u8>,
    pub verification: Verification,
}

impl Verify {
    /// `--verify` (Always) or not (Never), with `--keyring` or Helm's default keyring.
    pub fn from_flags(verify: bool, keyring: Option<&str>, strategy: Strategy) -> Verify {
        Verify {
            strategy: if verify { strategy } else { Strategy::Never },
            keyring: crate::provenance::keyring(keyring),
        }
    }

    pub fn enabled(&self) -> bool {
        self.strategy != Strategy::Never
    }

    /// Checks `data` (saved as `file_name`) against the provenance `fetch` returns. `prov_url` is
    /// what Helm names in `failed to fetch provenance "…"`; `reference` what its warning names when
    /// a missing provenance is allowed (written to `warn`). `Ok(None)`: nothing to check (strategy
    /// `Never`, or `IfPossible` with no provenance).
    pub fn check(
        &self,
        file_name: &str,
        data: &[u8],
        prov_url: &str,
        reference: &str,
        fetch: impl FnOnce() -> Result<Vec<u8>, Error>,
        warn: &mut dyn Write,
    ) -> Result<Option<Checked>, Error> {
        if self.strategy == Strategy::Never {
            return Ok(None);
        }
        let prov = match fetch() {
            Ok(prov) => prov,
            Err(_) if self.strategy == Strategy::Always => {
                return Err(Error::Resolve(format!(
                    "failed to fetch provenance {}",
                    crate::template::printf::quote_go(prov_url)
                )))
            }
            Err(e) => {
                let _ = writeln!(warn, "WARNING: Verification not found for {reference}: {e}");
                return Ok(None);
            }
        };
        let verification =
            crate::provenance::verify_downloaded(file_name, data, &prov, &self.keyring)
                .map_err(|e| Error::Resolve(e.to_string()))?;
        Ok(Some(Checked { prov, verification }))
    }
}

/// The provenance layer of a pulled OCI chart, or the error Helm's OCI getter gives without one.
pub fn oci_provenance(pulled: &crate::registry::client::Pulled) -> Result<Vec<u8>, Error> {
    pulled.provenance.clone().ok_or_else(|| {
        Error::Resolve(format!(
            "manifest does not contain a layer with mediatype {}",
            crate::registry::PROV_LAYER_MEDIA_TYPE
        ))
    })
}

/// Where Helm says an OCI chart's provenance comes from: `oci://<host/repo/name:tag>.prov`.
pub fn oci_prov_url(shown: &str) -> String {
    format!("oci://{shown}.prov")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_fetches_nothing() {
        let verify = Verify::default();
        let out = verify
            .check(
                "a-1.tgz",
                b"",
                "u.prov",
                "r",
                || panic!("fetched"),
                &mut Vec::new(),
            )
            .unwrap();
        assert!(out.is_none());
    }

    #[test]
    fn a_missing_provenance_is_an_error_or_a_warning() {
        let fail = || Err(Error::Http("failed to fetch u.prov : 404 Not Found".into()));
        let always = Verify {
            strategy: Strategy::Always,
            keyring: PathBuf::from("/nonexistent"),
        };
        let err = always
            .check("a-1.tgz", b"", "u.prov", "r", fail, &mut Vec::new())
            .unwrap_err();
        assert_eq!(err.to_string(), "failed to fetch provenance \"u.prov\"");
        let possible = Verify {
            strategy: Strategy::IfPossible,
            ..always
        };
        let mut warn = Vec::new();
        assert!(possible
            .check("a-1.tgz", b"", "u.prov", "r", fail, &mut warn)
            .unwrap()
            .is_none());
        assert_eq!(
            String::from_utf8(warn).unwrap(),
            "WARNING: Verification not found for r: failed to fetch u.prov : 404 Not Found\n"
        );
    }

    #[test]
    fn a_bad_keyring_is_named() {
        let always = Verify {
            strategy: Strategy::Always,
            keyring: PathBuf::from("/nonexistent/k.gpg"),
        };
        let err = always
            .check(
                "a-1.tgz",
                b"",
                "u.prov",
                "r",
                || Ok(b"x".to_vec()),
                &mut Vec::new(),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to load keyring: open /nonexistent/k.gpg: no such file or directory"
        );
    }
}
