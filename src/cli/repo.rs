//! `rudder repo add|list|remove|update|index` and `rudder search repo`: Helm's commands over
//! `crate::deps`, sharing Helm's `repositories.yaml` and index cache. Output formats (`-o table|json|
//! yaml`) as Helm's `output.Encode*`: tables padded as uitable pads them, JSON compact with a newline.
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::dependency::HelmPathArgs;
use crate::deps::index::Index;
use crate::deps::repo::{self, AddOptions};
use crate::deps::repofile::{Entry, RepoFile};
use crate::deps::search::{self, SearchOptions};

/// `rudder repo`.
#[derive(Debug, Args)]
pub struct RepoArgs {
    #[command(subcommand)]
    pub command: RepoCommand,
    #[command(flatten)]
    pub paths: HelmPathArgs,
}

#[derive(Debug, Subcommand)]
pub enum RepoCommand {
    /// Add a chart repository.
    Add(AddArgs),
    /// List chart repositories.
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Remove one or more chart repositories.
    #[command(visible_alias = "rm")]
    Remove(NamesArgs),
    /// Update information of available charts locally from chart repositories.
    #[command(visible_alias = "up")]
    Update(UpdateArgs),
    /// Generate an index file given a directory containing packaged charts.
    Index(IndexArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    pub args: Vec<String>,
    #[arg(long = "username", default_value = "")]
    pub username: String,
    #[arg(long = "password", default_value = "")]
    pub password: String,
    /// Read the chart repository password from stdin.
    #[arg(long = "password-stdin")]
    pub password_stdin: bool,
    #[arg(long = "force-update")]
    pub force_update: bool,
    /// Ignored (Helm's deprecated flag).
    #[arg(long = "no-update", hide = true)]
    pub no_update: bool,
    #[arg(long = "cert-file", default_value = "")]
    pub cert_file: String,
    #[arg(long = "key-file", default_value = "")]
    pub key_file: String,
    #[arg(long = "ca-file", default_value = "")]
    pub ca_file: String,
    #[arg(long = "insecure-skip-tls-verify")]
    pub insecure_skip_tls_verify: bool,
    #[arg(long = "allow-deprecated-repos")]
    pub allow_deprecated_repos: bool,
    /// Pass credentials to all domains.
    #[arg(long = "pass-credentials")]
    pub pass_credentials: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    pub args: Vec<String>,
    /// Output format: table, json or yaml.
    #[arg(short = 'o', long = "output", default_value = "table")]
    pub output: String,
}

#[derive(Debug, Args)]
pub struct NamesArgs {
    pub names: Vec<String>,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    pub names: Vec<String>,
    #[arg(long = "fail-on-repo-update-fail")]
    pub fail_on_repo_update_fail: bool,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    pub args: Vec<String>,
    #[arg(long = "url", default_value = "")]
    pub url: String,
    #[arg(long = "merge", default_value = "")]
    pub merge: String,
    #[arg(long = "json")]
    pub json: bool,
}

/// `rudder search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(subcommand)]
    pub command: SearchCommand,
    #[command(flatten)]
    pub paths: HelmPathArgs,
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Search repositories for a keyword in charts.
    Repo(SearchRepoArgs),
}

#[derive(Debug, Args)]
pub struct SearchRepoArgs {
    pub keywords: Vec<String>,
    #[arg(short = 'r', long = "regexp")]
    pub regexp: bool,
    #[arg(short = 'l', long = "versions")]
    pub versions: bool,
    #[arg(long = "devel")]
    pub devel: bool,
    #[arg(long = "version", default_value = "")]
    pub version: String,
    #[arg(long = "max-col-width", default_value_t = 50)]
    pub max_col_width: usize,
    #[arg(long = "fail-on-no-result")]
    pub fail_on_no_result: bool,
    #[arg(short = 'o', long = "output", default_value = "table")]
    pub output: String,
}

/// cobra's `require.*` messages.
fn args_error(use_line: &str, rule: &str, n: usize) -> String {
    // The program as invoked (`helm` or `rudder`), as cobra names its root command.
    let use_line = &match use_line.strip_prefix("helm ") {
        Some(rest) => format!("{} {rest}", crate::program::name()),
        None => use_line.to_string(),
    };
    let noun = if n == 1 { "argument" } else { "arguments" };
    let command = use_line.split(" [").next().unwrap_or(use_line);
    let rule = match rule {
        "none" => "accepts no arguments".to_string(),
        "exact" => format!("requires {n} {noun}"),
        _ => format!("requires at least {n} {noun}"),
    };
    format!("\"{command}\" {rule}\n\nUsage:  {use_line}")
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

fn format_check(output: &str) -> Result<(), String> {
    match output {
        "table" | "json" | "yaml" => Ok(()),
        other => Err(format!("invalid format type: {other}")),
    }
}

pub fn run(args: RepoArgs) -> ExitCode {
    let settings = args.paths.settings();
    finish(match args.command {
        RepoCommand::Add(add) => run_add(&settings, add),
        RepoCommand::List(list) => run_list(&settings, &list),
        RepoCommand::Remove(rm) => {
            if rm.names.is_empty() {
                Err(args_error(
                    "helm repo remove [REPO1 [REPO2 ...]] [flags]",
                    "min",
                    1,
                ))
            } else {
                repo::remove(&settings, &rm.names, &mut std::io::stdout())
                    .map_err(|e| e.to_string())
            }
        }
        RepoCommand::Update(up) => repo::update(
            &settings,
            &up.names,
            up.fail_on_repo_update_fail,
            &mut std::io::stdout(),
        )
        .map_err(|e| e.to_string()),
        RepoCommand::Index(index) => run_index(&index),
    })
}

fn run_add(settings: &crate::deps::Settings, args: AddArgs) -> Result<(), String> {
    let [name, url] = args.args.as_slice() else {
        return Err(args_error("helm repo add [NAME] [URL] [flags]", "exact", 2));
    };
    let password_stdin = args.password_stdin;
    // Asked by `repo::add` once it holds the lock, as Helm asks.
    let mut ask_password = move || -> Result<String, String> {
        if password_stdin {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| e.to_string())?;
            let text = text.strip_suffix('\n').unwrap_or(&text);
            Ok(text.strip_suffix('\r').unwrap_or(text).to_string())
        } else {
            super::prompt::password("Password: ")
        }
    };
    let options = AddOptions {
        entry: Entry {
            name: name.clone(),
            url: url.clone(),
            username: args.username,
            password: args.password,
            cert_file: args.cert_file,
            key_file: args.key_file,
            ca_file: args.ca_file,
            insecure_skip_tls_verify: args.insecure_skip_tls_verify,
            pass_credentials_all: args.pass_credentials,
        },
        force_update: args.force_update,
        allow_deprecated_repos: args.allow_deprecated_repos,
    };
    let line = repo::add(settings, &options, &mut ask_password).map_err(|e| e.to_string())?;
    println!("{line}");
    Ok(())
}

fn encode(output: &str, value: &serde_json::Value) -> String {
    let v = crate::values::strvals::json_to_value(value);
    if output == "json" {
        format!("{}\n", crate::yaml::json::marshal(&v).unwrap_or_default())
    } else {
        crate::yaml::to_yaml(&v).unwrap_or_default()
    }
}

fn run_list(settings: &crate::deps::Settings, args: &ListArgs) -> Result<(), String> {
    if !args.args.is_empty() {
        return Err(args_error("helm repo list [flags]", "none", 0));
    }
    format_check(&args.output)?;
    let f = RepoFile::load(&settings.repository_config)
        .ok()
        .flatten()
        .unwrap_or_default();
    if f.repositories.is_empty() && args.output == "table" {
        return Err("no repositories to show".into());
    }
    if args.output == "table" {
        let mut rows = vec![vec!["NAME".to_string(), "URL".to_string()]];
        rows.extend(
            f.repositories
                .iter()
                .map(|e| vec![e.name.clone(), e.url.clone()]),
        );
        println!("{}", super::table::render(&rows, 0));
    } else {
        let list: Vec<serde_json::Value> = f
            .repositories
            .iter()
            .map(|e| serde_json::json!({"name": e.name, "url": e.url}))
            .collect();
        print!("{}", encode(&args.output, &serde_json::Value::Array(list)));
    }
    Ok(())
}

fn run_index(args: &IndexArgs) -> Result<(), String> {
    let [dir] = args.args.as_slice() else {
        return Err(args_error("helm repo index [DIR] [flags]", "exact", 1));
    };
    let dir = std::path::absolute(dir).map_err(|e| e.to_string())?;
    let mut index = Index::index_directory(&dir, &args.url).map_err(|e| e.to_string())?;
    if !args.merge.is_empty() {
        let merge = PathBuf::from(&args.merge);
        let other = if merge.exists() {
            Index::load(&merge).map_err(|e| format!("merge failed: {e}"))?
        } else {
            let fresh = Index::new();
            crate::deps::manager::atomic_write(&merge, fresh.render(args.json).as_bytes())
                .map_err(|e| e.to_string())?;
            fresh
        };
        index.merge(&other);
    }
    index.sort_entries();
    let out = dir.join("index.yaml");
    crate::deps::manager::atomic_write(&out, index.render(args.json).as_bytes())
        .map_err(|e| e.to_string())
}

pub fn run_search(args: SearchArgs) -> ExitCode {
    let settings = args.paths.settings();
    let SearchCommand::Repo(args) = args.command;
    finish((|| {
        format_check(&args.output)?;
        let options = SearchOptions {
            terms: args.keywords.clone(),
            regexp: args.regexp,
            version: args.version.clone(),
            devel: args.devel,
            versions: args.versions,
        };
        let (hits, warnings) = search::search(&settings, &options).map_err(|e| e.to_string())?;
        for w in warnings {
            eprintln!("{w}");
        }
        if hits.is_empty() && args.fail_on_no_result {
            return Err("no results found".into());
        }
        if args.output == "table" {
            if hits.is_empty() {
                println!("No results found");
                return Ok(());
            }
            let mut rows = vec![vec![
                "NAME".to_string(),
                "CHART VERSION".to_string(),
                "APP VERSION".to_string(),
                "DESCRIPTION".to_string(),
            ]];
            rows.extend(hits.iter().map(|h| {
                vec![
                    h.name.clone(),
                    h.chart.metadata.version.clone(),
                    h.chart.metadata.app_version.clone(),
                    h.chart.metadata.description.clone(),
                ]
            }));
            println!("{}", super::table::render(&rows, args.max_col_width));
        } else {
            let list: Vec<serde_json::Value> = hits
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "name": h.name,
                        "version": h.chart.metadata.version,
                        "app_version": h.chart.metadata.app_version,
                        "description": h.chart.metadata.description,
                    })
                })
                .collect();
            if args.output == "json" {
                // Go's encoder writes struct fields in declaration order.
                let mut out = String::from("[");
                for (i, h) in hits.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let md = &h.chart.metadata;
                    for (j, (key, value)) in [
                        ("name", &h.name),
                        ("version", &md.version),
                        ("app_version", &md.app_version),
                        ("description", &md.description),
                    ]
                    .into_iter()
                    .enumerate()
                    {
                        out.push(if j == 0 { '{' } else { ',' });
                        out.push_str(&format!("\"{key}\":"));
                        crate::yaml::json::write_string(&mut out, value, true);
                    }
                    out.push('}');
                }
                out.push(']');
                println!("{out}");
            } else {
                print!("{}", encode(&args.output, &serde_json::Value::Array(list)));
            }
        }
        Ok(())
    })())
}
