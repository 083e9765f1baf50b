//! What `rudder show chart|values|readme|crds|all` prints, as Helm v3's `action.Show`: Chart.yaml as
//! marshalled metadata, values.yaml as written, the README, and the CRD files (the chart's and its
//! subcharts'), each followed by a newline; `all` separates the parts with `---` (the CRDs get one
//! only if the first does not start with `---`). Files are given in gostr's stored form, so that
//! bytes that are not UTF-8 are printed as they are (`cli::finish`).
use super::error::Error;
use super::model::Chart;

/// Which part of a chart to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowFormat {
    All,
    Chart,
    Values,
    Readme,
    Crds,
}

/// The text `helm show <format>` prints for `chart`.
pub fn show(chart: &Chart, format: ShowFormat) -> Result<String, Error> {
    let all = format == ShowFormat::All;
    let mut out = String::new();
    if all || format == ShowFormat::Chart {
        let metadata = serde_json::to_value(&chart.metadata)
            .map_err(|e| Error::Archive(format!("cannot marshal Chart.yaml: {e}")))?;
        let text = crate::yaml::to_yaml(&crate::values::strvals::json_to_value(&metadata))
            .map_err(|e| Error::Archive(format!("cannot marshal Chart.yaml: {e}")))?;
        out.push_str(&text);
        out.push('\n');
    }
    // Helm prints this part only when the chart has a values.yaml (`chart.Values != nil`).
    let values_file = chart.raw.iter().find(|f| f.name == "values.yaml");
    if (all || format == ShowFormat::Values) && values_file.is_some() {
        if all {
            out.push_str("---\n");
        }
        if let Some(values) = values_file {
            out.push_str(&crate::template::gostr::from_bytes(&values.data));
            out.push('\n');
        }
    }
    if all || format == ShowFormat::Readme {
        let readme = chart.files.iter().find(|f| {
            matches!(
                f.name.to_ascii_lowercase().as_str(),
                "readme.md" | "readme.txt" | "readme"
            )
        });
        if let Some(readme) = readme {
            if all {
                out.push_str("---\n");
            }
            out.push_str(&crate::template::gostr::from_bytes(&readme.data));
            out.push('\n');
        }
    }
    if all || format == ShowFormat::Crds {
        let mut crds = Vec::new();
        collect_crds(chart, &mut crds);
        if all && crds.first().is_some_and(|d| !d.starts_with(b"---")) {
            out.push_str("---\n");
        }
        for data in &crds {
            out.push_str(&crate::template::gostr::from_bytes(data));
            out.push('\n');
        }
    }
    Ok(out)
}

/// The CRD files of a chart and its subcharts (Helm's `CRDObjects`: `crds/*.yaml|yml|json`, direct
/// children of `crds/` only).
fn collect_crds(chart: &Chart, out: &mut Vec<Vec<u8>>) {
    for f in &chart.files {
        let direct = f
            .name
            .strip_prefix("crds/")
            .is_some_and(|rest| !rest.contains('/'));
        let manifest = [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| f.name.ends_with(ext));
        if direct && manifest {
            out.push(f.data.to_vec());
        }
    }
    for sub in &chart.dependencies {
        collect_crds(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::loader::{load_files, BufferedFile};

    #[test]
    fn show_all_like_helm() {
        let file = |n: &str, d: &str| BufferedFile {
            name: n.into(),
            data: d.as_bytes().to_vec(),
        };
        let c = load_files(vec![
            file(
                "Chart.yaml",
                "apiVersion: v2\nname: sh\nversion: 0.1.0\ndescription: d\nkeywords: [b, a]\n",
            ),
            file("values.yaml", "# c\na: 1\n"),
            file("README.md", "Readme\n"),
            file("crds/a.yaml", "kind: CRD\n"),
        ])
        .unwrap();
        assert_eq!(
            show(&c, ShowFormat::All).unwrap(),
            "apiVersion: v2\ndescription: d\nkeywords:\n- b\n- a\nname: sh\nversion: 0.1.0\n\n---\n# c\na: 1\n\n---\nReadme\n\n---\nkind: CRD\n\n"
        );
    }
}
