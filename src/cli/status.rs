//! `rudder status RELEASE_NAME`: Helm's `cmd/helm/status.go` (v3.17.3), and the status printer
//! `get all` shares. Beyond Helm: a pending revision whose lock holder Rudder recorded shows it.
use std::process::ExitCode;

use clap::Args;

use super::kube_args::{block_on, open_storage, KubeArgs};
use super::output::{self, Format};
use crate::kube::apply::Applier;
use crate::kube::live::{self, Group, Shape};
use crate::kube::Cluster;
use crate::storage::{gojson, Record, Release, Storage};

/// Flags of `rudder status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// RELEASE_NAME
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    /// If set, display the status of the named release with revision.
    #[arg(long = "revision", default_value = "0", value_parser = super::pflag::parse_int)]
    pub revision: i64,
    /// If set, display the description message of the named release.
    #[arg(long = "show-desc")]
    pub show_desc: bool,
    /// If set, display the resources of the named release.
    #[arg(long = "show-resources")]
    pub show_resources: bool,
    /// Prints the output in the specified format. Allowed values: table, json, yaml.
    #[arg(short = 'o', long = "output", default_value = "table", value_parser = output::parse_format)]
    pub output: Format,
    #[command(flatten)]
    pub kube: KubeArgs,
}

pub fn run(args: StatusArgs) -> ExitCode {
    super::finish(block_on(status(&args)))
}

/// `releaseContent`: the given revision, or the last one when `revision <= 0`.
pub async fn release_content(
    storage: &Storage,
    name: &str,
    revision: i64,
) -> Result<Record, String> {
    if crate::action::release_name::validate(name).is_err() {
        return Err(format!("releaseContent: Release name is invalid: {name}"));
    }
    let record = if revision <= 0 {
        storage.last(name).await
    } else {
        storage.get(name, revision).await
    };
    super::warn_skipped(storage);
    record.map_err(|e| e.to_string())
}

async fn status(args: &StatusArgs) -> Result<String, String> {
    let name = super::exactly_one(&args.args, "status", "RELEASE_NAME")?;
    let (cluster, storage) = open_storage(&args.kube, false).await?;
    let record = release_content(&storage, &name, args.revision).await?;
    // Helm 3's output: fields only Helm 4 writes (`apply_method`) are not shown.
    let mut release = record.release.helm3_view();
    release.chart = None;
    let shape = match args.output {
        Format::Table => Shape::Table,
        Format::Json | Format::Yaml => Shape::Object,
    };
    let groups = if args.show_resources {
        live_resources(&cluster, &record.release, shape).await?
    } else {
        Vec::new()
    };
    if shape == Shape::Object && !groups.is_empty() {
        let resources: serde_json::Map<String, serde_json::Value> = groups
            .into_iter()
            .map(|g| (g.key, serde_json::Value::Array(g.items)))
            .collect();
        if let Some(info) = release.info.as_mut() {
            info.resources = Some(go_map_order(serde_json::Value::Object(resources)));
        }
        return match args.output {
            Format::Json => output::json(&release),
            _ => output::yaml(&release),
        };
    }
    let resources = super::kube_table::resources_section(&groups);
    match args.output {
        Format::Json => output::json(&release),
        Format::Yaml => output::yaml(&release),
        Format::Table => Ok(StatusPrinter {
            record: &record,
            debug: false,
            show_description: args.show_desc,
            show_metadata: false,
            resources: &resources,
        }
        .table()?),
    }
}

/// `Status.Run` with `ShowResources`: the release's objects as the server has them now (see
/// `kube::live`); its manifest must still build against the server (Helm's `Build` error
/// otherwise).
async fn live_resources(
    cluster: &Cluster,
    release: &Release,
    shape: Shape,
) -> Result<Vec<Group>, String> {
    let applier = Applier::new(cluster.client.clone())
        .await
        .map_err(|e| e.to_string())?;
    let objects = crate::action::deploy::build(
        &applier,
        &release.manifest,
        &release.namespace,
        None,
        "release manifest",
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(live::read(&cluster.client, &objects, shape).await)
}

/// The value with every object's keys in byte order, as Go writes maps (`map[string][]runtime.Object`
/// and the unstructured objects in it).
fn go_map_order(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            serde_json::Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, go_map_order(v)))
                    .collect(),
            )
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(go_map_order).collect())
        }
        other => other,
    }
}

/// Mirrors `statusPrinter.WriteTable`.
pub struct StatusPrinter<'a> {
    pub record: &'a Record,
    pub debug: bool,
    pub show_description: bool,
    pub show_metadata: bool,
    /// The `RESOURCES:` section (`--show-resources`), or empty.
    pub resources: &'a str,
}

impl StatusPrinter<'_> {
    pub fn table(&self) -> Result<String, String> {
        let rel = &self.record.release;
        let info = rel.info.clone().unwrap_or_default();
        let mut out = String::new();
        out.push_str(&format!("NAME: {}\n", rel.name));
        if !info.last_deployed.is_zero() {
            out.push_str(&format!("LAST DEPLOYED: {}\n", info.last_deployed.ansic()));
        }
        out.push_str(&format!("NAMESPACE: {}\n", rel.namespace));
        out.push_str(&format!("STATUS: {}\n", info.status));
        if let (Some(h), true) = (&self.record.holder, info.status.is_pending()) {
            let state = match h.is_gone() {
                Some(true) => " (that process is gone: `rudder release-lock` frees the release)",
                Some(false) => " (still running)",
                None => "",
            };
            out.push_str(&format!(
                "LOCKED BY: pid {} on {} since {}{state}\n",
                h.pid, h.host, h.started
            ));
        }
        out.push_str(&format!("REVISION: {}\n", rel.version));
        if self.show_metadata {
            let m = rel
                .chart
                .as_ref()
                .and_then(|c| c.metadata.clone())
                .unwrap_or_default();
            out.push_str(&format!("CHART: {}\n", m.name));
            out.push_str(&format!("VERSION: {}\n", m.version));
            out.push_str(&format!("APP_VERSION: {}\n", m.app_version));
        }
        if self.show_description {
            out.push_str(&format!("DESCRIPTION: {}\n", info.description));
        }
        out.push_str(self.resources);
        let tests: Vec<_> = rel
            .hooks
            .iter()
            .filter(|h| h.events.iter().any(|e| e == "test"))
            .collect();
        if tests.is_empty() {
            out.push_str("TEST SUITE: None\n");
        } else {
            for h in tests {
                if h.last_run.started_at.is_zero() {
                    continue;
                }
                out.push_str(&format!(
                    "TEST SUITE:     {}\nLast Started:   {}\nLast Completed: {}\nPhase:          {}\n",
                    h.name,
                    h.last_run.started_at.ansic(),
                    h.last_run.completed_at.ansic(),
                    h.last_run.phase
                ));
            }
        }
        if self.debug {
            out.push_str("USER-SUPPLIED VALUES:\n");
            out.push_str(&user_values_yaml(rel)?);
            out.push('\n');
            out.push_str("COMPUTED VALUES:\n");
            out.push_str(&computed_values_yaml(rel)?);
            out.push('\n');
        }
        if info.description.eq_ignore_ascii_case("Dry run complete") || self.debug {
            out.push_str("HOOKS:\n");
            for h in &rel.hooks {
                out.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest));
            }
            out.push_str(&format!("MANIFEST:\n{}\n", rel.manifest));
        }
        if !info.notes.is_empty() {
            out.push_str(&format!("NOTES:\n{}\n", info.notes.trim()));
        }
        Ok(out)
    }
}

/// The user's values as `output.EncodeYAML` prints them (`null` when there are none).
pub fn user_values_yaml(rel: &Release) -> Result<String, String> {
    if rel.config.is_empty() {
        return output::yaml(&serde_json::Value::Null);
    }
    output::yaml(&gojson::SortedMap(&rel.config))
}

/// `chartutil.CoalesceValues(chart, config)` over the stored chart (which has no subcharts): the
/// user's values over the chart's defaults, `null` deleting a default.
pub fn computed_values(rel: &Release) -> Result<crate::template::Value, String> {
    let to_value = |m: &serde_json::Map<String, serde_json::Value>| {
        let text = gojson::to_string(&gojson::SortedMap(m)).map_err(|e| e.to_string())?;
        crate::yaml::json::unmarshal(&text).map_err(|e| e.to_string())
    };
    let user = to_value(&rel.config)?;
    let defaults = match rel.chart.as_ref().and_then(|c| c.values.as_ref()) {
        Some(v) => to_value(v)?,
        None => to_value(&serde_json::Map::new())?,
    };
    match (user.as_map(), defaults.as_map()) {
        (Some(u), Some(d)) => Ok(crate::template::Value::Map(
            crate::values::coalesce::coalesce_tables(u, d),
        )),
        _ => Ok(user),
    }
}

/// The computed values as `output.EncodeYAML` prints them.
pub fn computed_values_yaml(rel: &Release) -> Result<String, String> {
    let v = computed_values(rel)?;
    crate::yaml::to_yaml(&v).map_err(|e| format!("unable to write YAML output: {e}"))
}
