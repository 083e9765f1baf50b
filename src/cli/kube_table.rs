//! kubectl's table printer as Helm 3.17's `status --show-resources` uses it: `get.TablePrinter`
//! over `printers.HumanReadablePrinter`, printing the API server's `meta.k8s.io/v1` Table renderings
//! (`kube::live`), one `PrintObj` per object.
//!
//! Kept from kubectl because the output shows it:
//! - each `PrintObj` has its own tab writer (Go's `text/tabwriter` with kubectl's minimum width 6
//!   and padding 3), so rows of one group are aligned per object, not across the group;
//! - the header is printed only when a table has rows and its column definitions differ from the
//!   last table printed, or no header has been printed since they changed (the printer is shared by
//!   every group);
//! - only columns of priority 0 (no `-o wide`); a string cell is cut at its first `\n`, `\r` or
//!   `\f` (then `...`), `ESC` is written `^[`; numbers as Go prints `int64`/`float64`, a null cell
//!   empty.
use serde_json::Value;

use crate::kube::live::Group;

const MIN_WIDTH: usize = 6;
const PADDING: usize = 3;

/// `HumanReadablePrinter`'s state across `PrintObj` calls.
#[derive(Default)]
struct Printer {
    last_columns: Option<Value>,
    printed_headers: bool,
}

impl Printer {
    fn print(&mut self, table: &Value, out: &mut String) {
        let columns = table
            .get("columnDefinitions")
            .cloned()
            .unwrap_or(Value::Null);
        let no_columns = columns.as_array().is_none_or(Vec::is_empty);
        let rows = table
            .get("rows")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut no_headers = false;
        if self.printed_headers && (no_columns || Some(&columns) == self.last_columns.as_ref()) {
            no_headers = true;
        }
        let columns = if no_columns {
            self.last_columns.clone().unwrap_or(Value::Null)
        } else {
            if Some(&columns) != self.last_columns.as_ref() {
                self.last_columns = Some(columns.clone());
                self.printed_headers = false;
            }
            columns
        };
        if !rows.is_empty() {
            self.printed_headers = true;
        }
        let columns = columns.as_array().cloned().unwrap_or_default();
        let shown = |c: &Value| c.get("priority").and_then(Value::as_i64).unwrap_or(0) == 0;
        let mut lines: Vec<Vec<String>> = Vec::new();
        if !no_headers {
            if rows.is_empty() {
                return;
            }
            lines.push(
                columns
                    .iter()
                    .filter(|c| shown(c))
                    .map(|c| {
                        c.get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_uppercase()
                    })
                    .collect(),
            );
        }
        for row in &rows {
            let cells = row
                .get("cells")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            lines.push(
                cells
                    .iter()
                    .zip(&columns)
                    .filter(|(_, c)| shown(c))
                    .map(|(cell, _)| cell_text(cell))
                    .collect(),
            );
        }
        out.push_str(&tabwrite(&lines));
    }
}

/// How `printTable` writes one cell.
fn cell_text(cell: &Value) -> String {
    let text = match cell {
        Value::Null => return String::new(),
        Value::String(s) => match s.find(['\u{c}', '\n', '\r']) {
            Some(i) => format!("{}...", &s[..i]),
            None => s.clone(),
        },
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => crate::template::fmt::format_float_g(n.as_f64().unwrap_or(0.0)),
        },
        Value::Bool(b) => b.to_string(),
        other => crate::template::fmt::format_v(&crate::values::strvals::json_to_value(other)),
    };
    text.replace('\u{1b}', "^[").replace('\r', "\\r")
}

/// Go's `text/tabwriter` (min width 6, padding 3, pad with spaces) over lines whose cells were
/// joined by tabs: every cell but a line's last is padded to its column's width.
fn tabwrite(lines: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().count();
    let mut out = String::new();
    // Column blocks: for column j, runs of consecutive lines that have a cell after column j.
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![vec![0usize; columns]; lines.len()];
    for j in 0..columns {
        let mut i = 0;
        while i < lines.len() {
            if lines[i].len() <= j + 1 {
                i += 1;
                continue;
            }
            let start = i;
            let mut w = MIN_WIDTH;
            while i < lines.len() && lines[i].len() > j + 1 {
                w = w.max(width(&lines[i][j]) + PADDING);
                i += 1;
            }
            for row in widths.iter_mut().take(i).skip(start) {
                row[j] = w;
            }
        }
    }
    for (line, w) in lines.iter().zip(&widths) {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < line.len() {
                out.push_str(&" ".repeat(w[j].saturating_sub(width(cell))));
            }
        }
        out.push('\n');
    }
    out
}

/// The `RESOURCES:` section of `status --show-resources` (empty when nothing was read).
pub fn resources_section(groups: &[Group]) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let mut printer = Printer::default();
    let mut buf = String::new();
    for group in groups {
        buf.push_str(&format!("==> {}\n", group.key));
        for table in &group.items {
            printer.print(table, &mut buf);
        }
        buf.push('\n');
    }
    format!("RESOURCES:\n{buf}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(name: &str, data: i64) -> Value {
        json!({
            "kind": "Table",
            "columnDefinitions": [
                {"name": "Name", "type": "string", "priority": 0},
                {"name": "Data", "type": "string", "priority": 0},
                {"name": "Hidden", "type": "string", "priority": 1},
                {"name": "Age", "type": "string", "priority": 0}
            ],
            "rows": [{"cells": [name, data, "h", "5s"]}]
        })
    }

    #[test]
    fn one_tab_writer_per_object_and_one_header() {
        let groups = vec![Group {
            key: "v1/ConfigMap".into(),
            items: vec![table("a", 1), table("a-much-longer-configmap-name", 2)],
        }];
        assert_eq!(
            resources_section(&groups),
            "RESOURCES:\n==> v1/ConfigMap\nNAME   DATA   AGE\na      1      5s\na-much-longer-configmap-name   2     5s\n\n\n"
        );
    }

    #[test]
    fn empty_tables_print_nothing_and_do_not_count_as_a_header() {
        let empty = json!({"columnDefinitions": [{"name": "Name"}], "rows": []});
        let full = json!({"columnDefinitions": [{"name": "Name"}], "rows": [{"cells": ["p"]}]});
        let groups = vec![Group {
            key: "v1/Pod(related)".into(),
            items: vec![empty, full],
        }];
        assert_eq!(
            resources_section(&groups),
            "RESOURCES:\n==> v1/Pod(related)\nNAME\np\n\n\n"
        );
    }

    #[test]
    fn cells_as_kubectl_writes_them() {
        assert_eq!(cell_text(&json!("a\nb")), "a...");
        assert_eq!(cell_text(&json!("\u{1b}[1m")), "^[[1m");
        assert_eq!(cell_text(&json!(1.5)), "1.5");
        assert_eq!(cell_text(&json!(null)), "");
        assert_eq!(cell_text(&json!(true)), "true");
    }
}
