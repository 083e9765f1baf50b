//! `rudder push`, `rudder pull` (OCI references, and charts of HTTP repositories through
//! `crate::deps::pull`) and `rudder registry login|logout`: Helm's commands
//! over `crate::registry`. Like Helm, the `Pushed:`/`Pulled:`/`Digest:` and `Login Succeeded` lines go
//! to standard error. Credentials come from `--username/--password` or from Helm's registry config
//! (`HELM_REGISTRY_CONFIG`, `--registry-config`), written by `registry login` (0600).
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::dependency::HelmPathArgs;
use crate::registry::client::Options;
use crate::registry::{credentials, Client, Reference};

#[derive(Debug, Clone, Args)]
pub struct TlsArgs {
    #[arg(long = "ca-file", default_value = "")]
    pub ca_file: String,
    #[arg(long = "cert-file", default_value = "")]
    pub cert_file: String,
    #[arg(long = "key-file", default_value = "")]
    pub key_file: String,
    #[arg(long = "insecure-skip-tls-verify")]
    pub insecure_skip_tls_verify: bool,
    #[arg(long = "plain-http")]
    pub plain_http: bool,
    #[arg(long = "username", default_value = "")]
    pub username: String,
    #[arg(long = "password", default_value = "")]
    pub password: String,
}

impl TlsArgs {
    /// The options with the command's credentials only (the caller looks up stored ones per host).
    pub fn options_without_stored(&self) -> Options {
        // Helm's registry client takes the flags only when both are given.
        let credentials = (!self.username.is_empty() && !self.password.is_empty())
            .then(|| (self.username.clone(), self.password.clone()));
        Options {
            plain_http: self.plain_http,
            ca_file: self.ca_file.clone(),
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            credentials,
        }
    }

    /// The options with the command's credentials, else the stored ones (Helm's registry config,
    /// then Docker's, credential helpers included).
    fn options(&self, registry_config: &Path, registry: &str) -> Result<Options, String> {
        // Helm's registry client takes the flags only when both are given (an empty username
        // would read as an identity token).
        let credentials = if !self.username.is_empty() && !self.password.is_empty() {
            Some((self.username.clone(), self.password.clone()))
        } else {
            credentials::stored(registry_config, registry).map_err(|e| e.to_string())?
        };
        Ok(Options {
            plain_http: self.plain_http,
            ca_file: self.ca_file.clone(),
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            credentials,
        })
    }
}

/// `rudder push CHART.tgz oci://…`.
#[derive(Debug, Args)]
pub struct PushArgs {
    pub args: Vec<String>,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub paths: HelmPathArgs,
}

/// `rudder pull oci://…`.
#[derive(Debug, Args)]
pub struct PullArgs {
    pub args: Vec<String>,
    #[arg(long = "version", default_value = "")]
    pub version: String,
    #[arg(long = "devel")]
    pub devel: bool,
    #[arg(short = 'd', long = "destination", default_value = ".")]
    pub destination: PathBuf,
    #[arg(long = "untar")]
    pub untar: bool,
    #[arg(long = "untardir", default_value = ".")]
    pub untardir: PathBuf,
    /// Chart repository URL where to locate the requested chart.
    #[arg(long = "repo", default_value = "")]
    pub repo: String,
    /// Pass credentials to all domains.
    #[arg(long = "pass-credentials")]
    pub pass_credentials: bool,
    /// Verify the package before using it.
    #[arg(long = "verify")]
    pub verify: bool,
    /// Location of public keys used for verification.
    #[arg(long = "keyring")]
    pub keyring: Option<String>,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub paths: HelmPathArgs,
}

impl PullArgs {
    fn verify(&self) -> crate::deps::verify::Verify {
        crate::deps::verify::Verify::from_flags(
            self.verify,
            self.keyring.as_deref(),
            crate::deps::verify::Strategy::Always,
        )
    }
}

/// `rudder registry`.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    #[command(subcommand)]
    pub command: RegistryCommand,
    #[command(flatten)]
    pub paths: HelmPathArgs,
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Login to a registry.
    Login(LoginArgs),
    /// Logout from a registry.
    Logout(LogoutArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    pub args: Vec<String>,
    #[arg(short = 'u', long = "username", default_value = "")]
    pub username: String,
    #[arg(short = 'p', long = "password", default_value = "")]
    pub password: String,
    #[arg(long = "password-stdin")]
    pub password_stdin: bool,
    #[arg(long = "insecure")]
    pub insecure: bool,
    #[arg(long = "ca-file", default_value = "")]
    pub ca_file: String,
    #[arg(long = "cert-file", default_value = "")]
    pub cert_file: String,
    #[arg(long = "key-file", default_value = "")]
    pub key_file: String,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    pub args: Vec<String>,
}

fn finish(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("Error: {message}");
            ExitCode::from(1)
        }
    }
}

pub fn run_push(args: PushArgs) -> ExitCode {
    finish((|| {
        let [chart, remote] = args.args.as_slice() else {
            return Err(
                "\"helm push\" requires 2 arguments\n\nUsage:  helm push [chart] [remote] [flags]"
                    .to_string(),
            );
        };
        let settings = args.paths.settings();
        let remote_ref = Reference::parse(remote).map_err(|e| e.to_string())?;
        if !remote.starts_with("oci://") || remote_ref.tag.is_some() || remote_ref.digest.is_some()
        {
            return Err(format!(
                "scheme prefix missing from remote (e.g. \"oci://\"): {remote}"
            ));
        }
        let data = std::fs::read(chart)
            .map_err(|e| crate::go_os::path_error("stat", Path::new(chart), &e))?;
        let options = args
            .tls
            .options(&settings.registry_config, &remote_ref.registry)?;
        let mut client = Client::new(&remote_ref.registry, options).map_err(|e| e.to_string())?;
        // Helm pushes `CHART.tgz.prov` too when it lies beside the archive.
        let provenance = std::fs::read(format!("{chart}.prov")).ok();
        let (shown, digest) = client
            .push_with(&remote_ref, &data, provenance.as_deref())
            .map_err(|e| e.to_string())?;
        eprintln!("Pushed: {shown}\nDigest: {digest}");
        Ok(())
    })())
}

pub fn run_pull(args: PullArgs) -> ExitCode {
    finish((|| {
        let [chart] = args.args.as_slice() else {
            return Err("\"helm pull\" requires at least 1 argument\n\nUsage:  helm pull [chart URL | repo/chartname] [...] [flags]"
            .to_string());
        };
        let settings = args.paths.settings();
        if !chart.starts_with("oci://") {
            return pull_from_repository(&args, chart, &settings);
        }
        let reference = Reference::parse(chart).map_err(|e| e.to_string())?;
        let version = if args.version.is_empty() && args.devel {
            ">0.0.0-0".to_string()
        } else {
            args.version.clone()
        };
        let options = args
            .tls
            .options(&settings.registry_config, &reference.registry)?;
        let mut client = Client::new(&reference.registry, options).map_err(|e| e.to_string())?;
        let verify = args.verify();
        let pulled = client
            .pull_with(&reference, &version, verify.enabled())
            .map_err(|e| e.to_string())?;
        eprintln!("Pulled: {}\nDigest: {}", pulled.shown, pulled.digest);
        if pulled.provenance.is_some() {
            // Helm pulls the manifest a second time for the provenance layer, and says so again.
            eprintln!("Pulled: {}\nDigest: {}", pulled.shown, pulled.digest);
        }
        let loaded = crate::chart::load_archive(&pulled.data).map_err(|e| e.to_string())?;
        let file_name = format!("{}-{}.tgz", pulled.name, pulled.version);
        let checked = verify
            .check(
                &file_name,
                &pulled.data,
                &crate::deps::verify::oci_prov_url(&pulled.shown),
                chart,
                || crate::deps::verify::oci_provenance(&pulled),
                &mut std::io::stderr(),
            )
            .map_err(|e| e.to_string())?;
        save(
            &args,
            chart,
            &file_name,
            &pulled.data,
            checked,
            loaded.name(),
        )
    })())
}

/// What `pull` leaves behind once the download is checked: `--untar`'s directory, else the archive
/// in the destination with its `.prov` beside it (`--verify`); then, with `--verify`, who signed it
/// on standard output, as Helm prints it.
fn save(
    args: &PullArgs,
    reference: &str,
    file_name: &str,
    data: &[u8],
    checked: Option<crate::deps::verify::Checked>,
    name: &str,
) -> Result<(), String> {
    if args.untar {
        untar(args, reference, data, name)?;
    } else {
        let path = args.destination.join(file_name);
        write_new(&path, data)?;
        if let Some(checked) = &checked {
            let prov = args.destination.join(format!("{file_name}.prov"));
            if let Err(e) = write_new(&prov, &checked.prov) {
                let _ = std::fs::remove_file(&path);
                return Err(e);
            }
        }
    }
    if let Some(checked) = checked {
        print!("{}", checked.verification.report());
    }
    Ok(())
}

/// Helm writes the archive and its `.prov` with `fileutil.AtomicWriteFile` (mode 0644) into the
/// destination as it is: a missing destination is an error (`open DIR/NAME.tgz<random>: no such
/// file or directory`), for repository and OCI charts alike, in helm v3.17 and v4.1.
fn write_new(path: &Path, data: &[u8]) -> Result<(), String> {
    crate::go_os::atomic_write_file(path, data, 0o644)
}

/// `pull` from an HTTP(S) chart repository (`repo/chart`, `--repo URL`, or an archive's URL).
fn pull_from_repository(
    args: &PullArgs,
    chart: &str,
    settings: &crate::deps::Settings,
) -> Result<(), String> {
    let version = if args.version.is_empty() && args.devel {
        ">0.0.0-0".to_string()
    } else {
        args.version.clone()
    };
    let request = crate::deps::pull::PullRequest {
        chart: chart.to_string(),
        repo_url: args.repo.clone(),
        version,
        username: args.tls.username.clone(),
        password: args.tls.password.clone(),
        pass_credentials_all: args.pass_credentials,
        ca_file: args.tls.ca_file.clone(),
        cert_file: args.tls.cert_file.clone(),
        key_file: args.tls.key_file.clone(),
        insecure_skip_tls_verify: args.tls.insecure_skip_tls_verify,
        content_cache: crate::deps::content_cache::Use::Read,
    };
    let fetched = crate::deps::pull::pull(settings, &request).map_err(|e| e.to_string())?;
    let loaded = crate::chart::load_archive(&fetched.data).map_err(|e| e.to_string())?;
    let checked = args
        .verify()
        .check(
            &fetched.file_name,
            &fetched.data,
            &fetched.prov_url(),
            chart,
            || fetched.provenance(),
            &mut std::io::stderr(),
        )
        .map_err(|e| e.to_string())?;
    save(
        args,
        &fetched.reference,
        &fetched.file_name,
        &fetched.data,
        checked,
        loaded.name(),
    )
}

/// Helm's `--untar`: the directory named after the reference's last segment (`<untardir>/<segment>`,
/// or just `<segment>` for `.`) must not exist and is made; the archive's files then go under
/// `<untardir>/<chart name>/` (`chartutil.ExpandFile`, paths checked as the loader checks them).
fn untar(args: &PullArgs, reference: &str, data: &[u8], name: &str) -> Result<(), String> {
    let clean = |p: String| crate::chart::archive::clean_path(&p);
    let dir = if args.untardir.is_absolute() {
        clean(args.untardir.display().to_string())
    } else {
        clean(format!(
            "{}/{}",
            args.destination.display(),
            args.untardir.display()
        ))
    };
    let segment = reference.rsplit('/').next().unwrap_or(reference);
    let check = if dir == "." {
        segment.to_string()
    } else {
        clean(format!("{dir}/{segment}"))
    };
    if std::fs::symlink_metadata(&check).is_ok() {
        return Err(format!(
            "failed to untar: a file or directory with the name {check} already exists"
        ));
    }
    crate::go_os::mkdir_all(Path::new(&check))
        .map_err(|e| format!("failed to untar (mkdir): {e}"))?;
    let target = Path::new(&dir).join(name);
    let files = crate::chart::archive::read_archive_files(data).map_err(|e| e.to_string())?;
    for file in files {
        let path = target.join(&file.name);
        if let Some(parent) = path.parent() {
            crate::go_os::mkdir_all(parent)?;
        }
        std::fs::write(&path, &file.data)
            .map_err(|e| crate::go_os::path_error("open", &path, &e))?;
    }
    Ok(())
}

pub fn run_registry(args: RegistryArgs) -> ExitCode {
    let settings = args.paths.settings();
    finish(match args.command {
        RegistryCommand::Login(login) => (|| {
            let [host] = login.args.as_slice() else {
                return Err("\"helm registry login\" requires 1 argument\n\nUsage:  helm registry login [host] [flags]"
                .to_string());
            };
            // Helm's getUsernamePassword: --password-stdin, else prompts for what is missing.
            let mut username = login.username.clone();
            let mut password = login.password.clone();
            if login.password_stdin {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .map_err(|e| e.to_string())?;
                let text = text.strip_suffix('\n').unwrap_or(&text);
                password = text.strip_suffix('\r').unwrap_or(text).to_string();
            } else if password.is_empty() {
                if username.is_empty() {
                    username = super::prompt::line("Username: ")?.trim().to_string();
                }
                if username.is_empty() {
                    password = super::prompt::silent_line("Token: ")?;
                    if password.is_empty() {
                        return Err("token required".into());
                    }
                } else {
                    password = super::prompt::silent_line("Password: ")?;
                    if password.is_empty() {
                        return Err("password required".into());
                    }
                }
            } else {
                eprintln!(
                    "WARNING: Using --password via the CLI is insecure. Use --password-stdin."
                );
            }
            let options = Options {
                plain_http: false,
                ca_file: login.ca_file.clone(),
                cert_file: login.cert_file.clone(),
                key_file: login.key_file.clone(),
                insecure_skip_tls_verify: login.insecure,
                credentials: Some((username.clone(), password.clone())),
            };
            let mut client = Client::new(host, options).map_err(|e| e.to_string())?;
            // A token service that issued an identity token for the credentials: that is what
            // is stored, with no username (Docker's login).
            let (username, password) = match client.login().map_err(|e| e.to_string())? {
                Some(identity) => (String::new(), identity),
                None => (username, password),
            };
            credentials::store(&settings.registry_config, host, &username, &password)
                .map_err(|e| e.to_string())?;
            eprintln!("Login Succeeded");
            Ok(())
        })(),
        RegistryCommand::Logout(logout) => (|| {
            let [host] = logout.args.as_slice() else {
                return Err("\"helm registry logout\" requires 1 argument\n\nUsage:  helm registry logout [host] [flags]"
                .to_string());
            };
            if !credentials::remove(&settings.registry_config, host).map_err(|e| e.to_string())? {
                return Err("not logged in".to_string());
            }
            eprintln!("Removing login credentials for {host}");
            Ok(())
        })(),
    })
}
