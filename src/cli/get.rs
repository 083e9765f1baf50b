//! `rudder get values|manifest|notes|hooks|metadata|all RELEASE_NAME`: Helm's `cmd/helm/get*.go`
//! (v3.17.3).
use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::kube_args::{block_on, open_storage, KubeArgs};
use super::output::{self, Format};
use super::status::{computed_values, release_content, user_values_yaml, StatusPrinter};
use crate::storage::gojson;
use crate::storage::record::Dependency;

/// `rudder get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    #[command(subcommand)]
    pub what: GetWhat,
}

/// Flags every `get` subcommand has.
#[derive(Debug, Args)]
pub struct GetCommon {
    /// RELEASE_NAME
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    /// Get the named release with revision.
    #[arg(long = "revision", default_value = "0", value_parser = super::pflag::parse_int)]
    pub revision: i64,
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// What to get.
#[derive(Debug, Subcommand)]
pub enum GetWhat {
    /// Download all information for a named release.
    All {
        #[command(flatten)]
        common: GetCommon,
        /// Go template for formatting the output, eg: {{.Release.Name}}.
        #[arg(long = "template")]
        template: Option<String>,
    },
    /// Download the values file for a named release.
    Values {
        #[command(flatten)]
        common: GetCommon,
        /// Dump all (computed) values.
        #[arg(short = 'a', long = "all")]
        all: bool,
        /// Prints the output in the specified format. Allowed values: table, json, yaml.
        #[arg(short = 'o', long = "output", default_value = "table", value_parser = output::parse_format)]
        output: Format,
    },
    /// Download the manifest for a named release.
    Manifest {
        #[command(flatten)]
        common: GetCommon,
    },
    /// Download the notes for a named release.
    Notes {
        #[command(flatten)]
        common: GetCommon,
    },
    /// Download all hooks for a named release.
    Hooks {
        #[command(flatten)]
        common: GetCommon,
    },
    /// This command fetches metadata for a given release.
    Metadata {
        #[command(flatten)]
        common: GetCommon,
        /// Prints the output in the specified format. Allowed values: table, json, yaml.
        #[arg(short = 'o', long = "output", default_value = "table", value_parser = output::parse_format)]
        output: Format,
    },
}

pub fn run(args: GetArgs) -> ExitCode {
    super::finish(block_on(get(&args.what)))
}

/// Mirrors `action.Metadata`.
#[derive(Serialize)]
struct Metadata {
    name: String,
    chart: String,
    version: String,
    #[serde(rename = "appVersion")]
    app_version: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<Dependency>,
    namespace: String,
    revision: i64,
    status: String,
    #[serde(rename = "deployedAt")]
    deployed_at: String,
}

async fn get(what: &GetWhat) -> Result<String, String> {
    let (common, verb) = match what {
        GetWhat::All { common, .. } => (common, "get all"),
        GetWhat::Values { common, .. } => (common, "get values"),
        GetWhat::Manifest { common } => (common, "get manifest"),
        GetWhat::Notes { common } => (common, "get notes"),
        GetWhat::Hooks { common } => (common, "get hooks"),
        GetWhat::Metadata { common, .. } => (common, "get metadata"),
    };
    let name = super::exactly_one(&common.args, verb, "RELEASE_NAME")?;
    let (_, storage) = open_storage(&common.kube, false).await?;
    let record = release_content(&storage, &name, common.revision).await?;
    let rel = &record.release;
    match what {
        GetWhat::All { template, .. } => {
            if let Some(t) = template.as_deref().filter(|t| !t.is_empty()) {
                let (out, result) = crate::action::get_template::render(t, &record);
                if result.is_err() {
                    // What the template wrote before the error is printed, as Go's writer has it.
                    use std::io::Write;
                    let mut stdout = std::io::stdout().lock();
                    let _ = stdout.write_all(&crate::template::gostr::to_bytes(&out));
                    let _ = stdout.flush();
                }
                return result.map(|()| out);
            }
            StatusPrinter {
                record: &record,
                debug: true,
                show_description: false,
                show_metadata: true,
                resources: "",
            }
            .table()
        }
        GetWhat::Values { all, output, .. } => {
            if *all {
                let v = computed_values(rel)?;
                match output {
                    Format::Table => Ok(format!(
                        "COMPUTED VALUES:\n{}",
                        crate::yaml::to_yaml(&v).map_err(|e| e.to_string())?
                    )),
                    Format::Yaml => crate::yaml::to_yaml(&v).map_err(|e| e.to_string()),
                    Format::Json => crate::yaml::json::marshal(&v)
                        .map(|s| s + "\n")
                        .map_err(|e| e.to_string()),
                }
            } else {
                let config = (!rel.config.is_empty()).then_some(gojson::SortedMap(&rel.config));
                match output {
                    Format::Table => {
                        Ok(format!("USER-SUPPLIED VALUES:\n{}", user_values_yaml(rel)?))
                    }
                    Format::Yaml => user_values_yaml(rel),
                    Format::Json => output::json(&config),
                }
            }
        }
        GetWhat::Manifest { .. } => Ok(format!("{}\n", rel.manifest)),
        GetWhat::Notes { .. } => {
            let notes = rel.info.as_ref().map(|i| i.notes.as_str()).unwrap_or("");
            Ok(if notes.is_empty() {
                String::new()
            } else {
                format!("NOTES:\n{notes}\n")
            })
        }
        GetWhat::Hooks { .. } => Ok(rel
            .hooks
            .iter()
            .map(|h| format!("---\n# Source: {}\n{}\n", h.path, h.manifest))
            .collect()),
        GetWhat::Metadata { output, .. } => {
            let m = rel
                .chart
                .as_ref()
                .and_then(|c| c.metadata.clone())
                .unwrap_or_default();
            let info = rel.info.clone().unwrap_or_default();
            let meta = Metadata {
                name: rel.name.clone(),
                chart: m.name.clone(),
                version: m.version.clone(),
                app_version: m.app_version.clone(),
                annotations: m.annotations.clone(),
                dependencies: m.dependencies.clone(),
                namespace: rel.namespace.clone(),
                revision: rel.version,
                status: info.status.to_string(),
                deployed_at: info.last_deployed.format("2006-01-02T15:04:05Z07:00"),
            };
            match output {
                Format::Json => output::json(&meta),
                Format::Yaml => output::yaml(&meta),
                Format::Table => {
                    let annotations = meta
                        .annotations
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(",");
                    let mut deps: Vec<&str> =
                        meta.dependencies.iter().map(|d| d.name.as_str()).collect();
                    deps.sort_unstable();
                    Ok(format!(
                        "NAME: {}\nCHART: {}\nVERSION: {}\nAPP_VERSION: {}\nANNOTATIONS: {annotations}\nDEPENDENCIES: {}\nNAMESPACE: {}\nREVISION: {}\nSTATUS: {}\nDEPLOYED_AT: {}\n",
                        meta.name,
                        meta.chart,
                        meta.version,
                        meta.app_version,
                        deps.join(","),
                        meta.namespace,
                        meta.revision,
                        meta.status,
                        meta.deployed_at
                    ))
                }
            }
        }
    }
}
