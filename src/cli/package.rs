//! `rudder package CHART [-d DIR]`: writes `<name>-<version>.tgz`, reproducibly (same chart, same
//! bytes), and prints Helm's message.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::chart::package::{archive_name, package};

/// Flags of `rudder package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Chart directories to package.
    #[arg(required = true)]
    pub charts: Vec<PathBuf>,
    /// Location to write the chart.
    #[arg(short = 'd', long = "destination", default_value = ".")]
    pub destination: PathBuf,
    /// Use a PGP private key to sign this package.
    #[arg(long = "sign")]
    pub sign: bool,
    /// Name of the key to use when signing.
    #[arg(long = "key", default_value = "")]
    pub key: String,
    /// Location of a public keyring.
    #[arg(long = "keyring")]
    pub keyring: Option<String>,
    /// Location of a file which contains the passphrase for the signing key ("-" for stdin).
    #[arg(long = "passphrase-file", default_value = "")]
    pub passphrase_file: String,
}

pub fn run(args: PackageArgs) -> ExitCode {
    if args.sign {
        let missing = if args.key.is_empty() {
            Some("--key is required for signing a package")
        } else if args.keyring.as_deref() == Some("") {
            Some("--keyring is required for signing a package")
        } else {
            None
        };
        if let Some(message) = missing {
            eprintln!("Error: {message}");
            return ExitCode::from(1);
        }
    }
    for chart_dir in &args.charts {
        // Helm stats the argument, then loads it as a directory (a file has no Chart.yaml).
        let loaded = match std::fs::metadata(chart_dir) {
            Err(e) => Err(crate::go_os::path_error("stat", chart_dir, &e)),
            Ok(meta) if !meta.is_dir() => Err(crate::chart::Error::MissingChartYaml.to_string()),
            Ok(_) => crate::chart::load_dir(chart_dir).map_err(|e| e.to_string()),
        };
        let result = loaded.and_then(|chart| {
            // Helm checks declared dependencies against charts/ before saving.
            if !chart.metadata.dependencies.is_empty() {
                crate::chart::check_dependencies(&chart).map_err(|e| e.to_string())?;
            }
            let bytes = package(&chart).map_err(|e| e.to_string())?;
            // Helm saves to the working directory (printed absolute) for the default `.`,
            // else to the destination as given.
            let dest = if args.destination == std::path::Path::new(".") {
                std::env::current_dir().map_err(|e| e.to_string())?
            } else {
                args.destination.clone()
            };
            let path = dest.join(archive_name(&chart));
            save(&path, &bytes).map_err(|e| format!("failed to save: {e}"))?;
            if args.sign {
                clearsign(&args, &path)?;
            }
            Ok(crate::chart::lint::go_clean_display(&path))
        });
        match result {
            Ok(path) => println!("Successfully packaged chart and saved it to: {path}"),
            Err(e) => {
                eprintln!("Error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}

/// `chartutil.Save`'s file handling: a missing destination directory is made, one that is not a
/// directory is an error, then the archive is created.
fn save(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => crate::go_os::mkdir_all(dir)?,
        // Helm wraps the `*PathError` (itself `stat DIR: …`) with `stat DIR` once more.
        Err(e) => {
            return Err(format!(
                "stat {}: {}",
                dir.display(),
                crate::go_os::path_error("stat", dir, &e)
            ))
        }
        Ok(meta) if !meta.is_dir() => return Err(format!("is not a directory: {}", dir.display())),
        Ok(_) => {}
    }
    std::fs::write(path, bytes).map_err(|e| crate::go_os::path_error("open", path, &e))
}

/// Helm's `Package.Clearsign`: `<archive>.prov` (0644) signed with `--key` from `--keyring`; the
/// passphrase from `--passphrase-file` (read first, as Helm reads it), else asked without echo
/// for an encrypted key.
fn clearsign(args: &PackageArgs, archive: &std::path::Path) -> Result<(), String> {
    let keyring = super::verify::keyring(args.keyring.as_deref());
    let from_file = if args.passphrase_file.is_empty() {
        None
    } else {
        Some(
            crate::provenance::read_passphrase_file(&args.passphrase_file)
                .map_err(|e| e.to_string())?,
        )
    };
    let mut passphrase = |name: &str| -> Result<String, crate::provenance::Error> {
        match &from_file {
            Some(p) => Ok(p.clone()),
            None => super::prompt::password(&format!(
                "Password for key {} >  ",
                crate::template::printf::quote_go(name)
            ))
            .map_err(crate::provenance::Error),
        }
    };
    let signed = crate::provenance::sign(archive, &keyring, &args.key, &mut passphrase)
        .map_err(|e| e.to_string())?;
    let prov = std::path::PathBuf::from(format!("{}.prov", archive.display()));
    std::fs::write(&prov, signed).map_err(|e| crate::go_os::path_error("open", &prov, &e))
}
