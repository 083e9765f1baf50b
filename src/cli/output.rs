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

/// A `gosuri/uitable` table as Helm prints it, with a final newline (`output.EncodeTable`); see
/// [`super::table::render`].
pub fn table(rows: &[Vec<String>]) -> String {
    let mut out = super::table::render(rows, 0);
    out.push('\n');
    out
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
