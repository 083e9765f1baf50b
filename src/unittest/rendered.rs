//! `--chart-tests-path`: test suites written as a Helm chart of their own (helm-unittest's
//! `RenderTestSuiteFiles`). The chart at `<chart>/<path>` is rendered with its own values (release
//! `TEST-SUITE-RELEASE` in `NAMESPACE`, revision 1, default capabilities), and every rendered
//! template holds one or more suites, named after the template's file under that directory
//! (`tests-chart/templates/envs.yaml`), which is where their snapshots go too.
//!
//! Where helm-unittest stops the whole chart when the tests chart cannot be rendered or one of its
//! templates renders nothing, Rudder reports that as a failed suite and still runs the others.
use std::path::Path;

use crate::engine::{Capabilities, Engine, ReleaseOptions};
use crate::template::Value;

/// One rendered template of the tests chart: the suite file name its suites get, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedSuites {
    pub file: String,
    pub text: String,
}

/// Renders the tests chart in `dir`. `Err` when it cannot be rendered at all; otherwise one entry
/// per rendered template (partials excluded, as Helm renders them), in template-name order, an
/// `Err` naming a template that rendered nothing.
pub fn render(dir: &Path) -> Result<Vec<Result<RenderedSuites, String>>, String> {
    let chart_yaml = dir.join("Chart.yaml");
    if let Err(e) = std::fs::metadata(&chart_yaml) {
        return Err(crate::go_os::path_error("stat", &chart_yaml, &e));
    }
    let chart = crate::chart::load(dir).map_err(|e| e.to_string())?;
    let name = chart.name().to_string();
    let loaded = crate::action::pipeline::LoadedChart::from(chart);
    let values = loaded
        .coalesce(&Value::empty_map())
        .map_err(|e| e.to_string())?;
    crate::values::schema_v6::validate_against_schema(&loaded.chart, &values)
        .map_err(|e| e.to_string())?;
    let release = ReleaseOptions {
        name: "TEST-SUITE-RELEASE".to_string(),
        namespace: "NAMESPACE".to_string(),
        revision: 1,
        is_install: false,
        is_upgrade: false,
    };
    let files = Engine::default()
        .render(&loaded.chart, &values, &release, &Capabilities::default())
        .map_err(|e| e.to_string())?;
    crate::teardown::dispose(loaded);
    let dir = dir.display().to_string();
    Ok(files
        .into_iter()
        .map(|(template, text)| {
            if text.trim().is_empty() {
                return Err(format!(
                    "test suite template ({template}) file did not render a manifest"
                ));
            }
            // `strings.Replace(templateName, chartName, "", 1)` joined to the directory.
            let inside = template.replacen(&name, "", 1);
            let file = format!(
                "{}/{}",
                dir.trim_end_matches('/'),
                inside.trim_start_matches('/')
            );
            Ok(RenderedSuites { file, text })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("rudder-ut-rendered-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        dir
    }

    #[test]
    fn renders_each_template_under_its_file_name() {
        let dir = scratch("ok");
        std::fs::write(
            dir.join("Chart.yaml"),
            "apiVersion: v2\nname: tests\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::write(dir.join("values.yaml"), "envs: [dev, prod]\n").unwrap();
        std::fs::write(
            dir.join("templates/envs.yaml"),
            "{{- range .Values.envs }}\n---\nsuite: {{ . }} on {{ $.Release.Name }}\n{{- end }}\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("templates/_helpers.tpl"),
            "{{ define \"x\" }}{{ end }}",
        )
        .unwrap();
        std::fs::write(dir.join("templates/empty.yaml"), "{{/* nothing */}}\n").unwrap();
        let got = render(&dir).unwrap();
        let base = dir.display().to_string();
        assert_eq!(
            got,
            [
                Err("test suite template (tests/templates/empty.yaml) file did not render a manifest".to_string()),
                Ok(RenderedSuites {
                    file: format!("{base}/templates/envs.yaml"),
                    text: "\n---\nsuite: dev on TEST-SUITE-RELEASE\n---\nsuite: prod on TEST-SUITE-RELEASE\n"
                        .to_string(),
                }),
            ]
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_directory_without_chart_yaml_is_an_error() {
        let dir = scratch("no-chart");
        let e = render(&dir).unwrap_err();
        assert!(
            e.starts_with("stat ") && e.ends_with("Chart.yaml: no such file or directory"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
