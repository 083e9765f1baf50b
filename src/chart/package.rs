//! Writing a chart as a reproducible archive (`rudder package`), laid out as Helm's `chartutil.Save`:
//! `<name>/Chart.yaml` (the metadata marshalled to YAML), `Chart.lock`, `values.yaml` (as written),
//! `values.schema.json`, templates, other files, then every subchart under `<name>/charts/<sub>/`.
//!
//! Unlike Helm 3, which stamps entries with the current time, the archive is reproducible, as Helm 4's:
//! every entry has mtime 0, owner 0:0 with no names, mode 0644, and entries are sorted in walk order within
//! each part, so the same chart gives the same bytes.
use std::io::Write;

use flate2::write::GzEncoder;
use flate2::{Compression, GzBuilder};

use super::error::Error;
use super::model::Chart;

/// The archive file name Helm uses: `<name>-<version>.tgz`.
pub fn archive_name(chart: &Chart) -> String {
    format!("{}-{}.tgz", chart.name(), chart.metadata.version)
}

/// The gzipped tar of `chart`.
pub fn package(chart: &Chart) -> Result<Vec<u8>, Error> {
    let mut entries = Vec::new();
    collect(chart, chart.name(), &mut entries)?;
    let mut tar = tar::Builder::new(Vec::new());
    for (path, data) in &entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, data.as_slice())
            .map_err(|e| Error::Archive(format!("cannot write {path}: {e}")))?;
    }
    let tar = tar
        .into_inner()
        .map_err(|e| Error::Archive(format!("cannot write archive: {e}")))?;
    let mut gz: GzEncoder<Vec<u8>> = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::best());
    gz.write_all(&tar)
        .and_then(|_| gz.try_finish())
        .map_err(|e| Error::Archive(format!("cannot compress archive: {e}")))?;
    gz.finish()
        .map_err(|e| Error::Archive(format!("cannot compress archive: {e}")))
}

fn collect(chart: &Chart, base: &str, out: &mut Vec<(String, Vec<u8>)>) -> Result<(), Error> {
    // A v1 chart's dependencies come from requirements.yaml (saved as a file): Helm leaves them
    // out of the Chart.yaml it writes.
    let metadata = if chart.metadata.api_version == "v1" && !chart.metadata.dependencies.is_empty()
    {
        let mut md = chart.metadata.clone();
        md.dependencies.clear();
        serde_json::to_value(&md)
    } else {
        serde_json::to_value(&chart.metadata)
    }
    .map_err(|e| Error::Archive(format!("cannot marshal Chart.yaml: {e}")))?;
    let chart_yaml = crate::yaml::to_yaml(&crate::values::strvals::json_to_value(&metadata))
        .map_err(|e| Error::Archive(format!("cannot marshal Chart.yaml: {e}")))?;
    out.push((format!("{base}/Chart.yaml"), chart_yaml.into_bytes()));
    // Helm writes the lock it loaded (`yaml.Marshal(c.Lock)`, not the file's bytes), for a v2
    // chart only.
    if chart.metadata.api_version == "v2" {
        if let Some(lock) = &chart.lock {
            out.push((format!("{base}/Chart.lock"), lock_yaml(lock)?.into_bytes()));
        }
    }
    if let Some(f) = chart.raw.iter().find(|f| f.name == "values.yaml") {
        out.push((format!("{base}/values.yaml"), f.data.to_vec()));
    }
    if let Some(schema) = &chart.schema {
        out.push((format!("{base}/values.schema.json"), schema.clone()));
    }
    // Templates, then other files, each in Go's `filepath.Walk` order (by path component, so
    // `templates/a/x.yaml` comes before `templates/a.yaml`), as Helm loads and saves them.
    for group in [&chart.templates, &chart.files] {
        let mut files: Vec<_> = group.iter().collect();
        files.sort_by(|a, b| a.name.split('/').cmp(b.name.split('/')));
        for f in files {
            out.push((format!("{base}/{}", f.name), f.data.to_vec()));
        }
    }
    let mut subs: Vec<&Chart> = chart.dependencies.iter().collect();
    subs.sort_by(|a, b| a.name().cmp(b.name()));
    for sub in subs {
        collect(sub, &format!("{base}/charts/{}", sub.name()), out)?;
    }
    Ok(())
}

/// `yaml.Marshal` of a loaded `chart.Lock`: keys sorted, `generated` as Go's `time.Time` marshals
/// it (RFC 3339 with the fraction's trailing zeros dropped; the zero time when absent).
fn lock_yaml(lock: &super::model::Lock) -> Result<String, Error> {
    let generated = if lock.generated.is_empty() {
        "0001-01-01T00:00:00Z".to_string()
    } else {
        trim_fraction(&lock.generated)
    };
    let value = serde_json::json!({
        "generated": generated,
        "digest": lock.digest,
        "dependencies": lock.dependencies,
    });
    crate::yaml::to_yaml(&crate::values::strvals::json_to_value(&value))
        .map_err(|e| Error::Archive(format!("cannot marshal Chart.lock: {e}")))
}

/// An RFC 3339 time with the fraction of its seconds written as `RFC3339Nano` does (no trailing
/// zeros, no `.` when nothing is left).
fn trim_fraction(time: &str) -> String {
    let Some(dot) = time.find('.') else {
        return time.to_string();
    };
    let digits = time[dot + 1..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    let fraction = time[dot + 1..dot + 1 + digits].trim_end_matches('0');
    let rest = &time[dot + 1 + digits..];
    if fraction.is_empty() {
        format!("{}{rest}", &time[..dot])
    } else {
        format!("{}.{fraction}{rest}", &time[..dot])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::loader::{load_archive, load_files, BufferedFile};

    #[test]
    fn same_chart_same_bytes_and_round_trip() {
        let files = vec![
            BufferedFile {
                name: "Chart.yaml".into(),
                data: b"apiVersion: v2\nname: c\nversion: 0.1.0\n".to_vec(),
            },
            BufferedFile {
                name: "values.yaml".into(),
                data: b"# keep comments\na: 1\n".to_vec(),
            },
            BufferedFile {
                name: "templates/x.yaml".into(),
                data: b"x: 1\n".to_vec(),
            },
        ];
        let chart = load_files(files).unwrap();
        let first = package(&chart).unwrap();
        assert_eq!(first, package(&chart).unwrap());
        assert_eq!(archive_name(&chart), "c-0.1.0.tgz");
        let back = load_archive(&first).unwrap();
        assert_eq!(back.metadata, chart.metadata);
        assert_eq!(back.templates, chart.templates);
    }

    #[test]
    fn lock_times_are_written_as_go_marshals_them() {
        assert_eq!(
            trim_fraction("2026-01-02T03:04:05.500Z"),
            "2026-01-02T03:04:05.5Z"
        );
        assert_eq!(
            trim_fraction("2026-01-02T03:04:05.000+01:00"),
            "2026-01-02T03:04:05+01:00"
        );
        assert_eq!(
            trim_fraction("2026-01-02T03:04:05Z"),
            "2026-01-02T03:04:05Z"
        );
        assert_eq!(
            trim_fraction("2026-01-02T03:04:05.123456789Z"),
            "2026-01-02T03:04:05.123456789Z"
        );
    }
}
