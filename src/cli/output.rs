//! Helm's output formats (`pkg/cli/output`): `-o table|json|yaml`, `uitable` tables, `EncodeJSON`
//! (`json.Encoder`: Go's JSON and a newline) and `EncodeYAML` (`sigs.k8s.io/yaml`: the JSON read back
//! and written as YAML with sorted keys).
use serde::Serialize;

/// `-o/--output`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
    Yaml,
}

/// `output.ParseFormat`, as the flag's value parser.
pub fn parse_format(text: &str) -> Result<Format, String> {
    match text {
        "table" => Ok(Format::Table),
        "json" => Ok(Format::Json),
        "yaml" => Ok(Format::Yaml),
        _ => Err("invalid format type".to_string()),
    }
}

/// `output.EncodeJSON`.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    crate::storage::gojson::to_line(value).map_err(|e| format!("unable to write JSON output: {e}"))
}

/// `output.EncodeYAML`.
pub fn yaml<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let text = crate::storage::gojson::to_string(value)
        .map_err(|e| format!("unable to write YAML output: {e}"))?;
    let v = crate::yaml::json::unmarshal(&text)
        .map_err(|e| format!("unable to write YAML output: {e}"))?;
    crate::yaml::to_yaml(&v).map_err(|e| format!("unable to write YAML output: {e}"))
}

/// A `gosuri/uitable` table as Helm prints it: every cell padded with spaces to its column's width,
/// cells joined by a tab, rows by a newline, and a final newline (`output.EncodeTable`).
pub fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(display_width(cell));
        }
    }
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        if r > 0 {
            out.push('\n');
        }
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            out.push_str(cell);
            for _ in display_width(cell)..widths[i] {
                out.push(' ');
            }
        }
    }
    out.push('\n');
    out
}

/// Columns a string takes in a terminal (East Asian wide characters count two).
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_every_cell() {
        let rows = vec![
            vec!["NAME".to_string(), "REV".to_string()],
            vec!["a".to_string(), "10".to_string()],
        ];
        assert_eq!(table(&rows), "NAME\tREV\na   \t10 \n");
    }
}
