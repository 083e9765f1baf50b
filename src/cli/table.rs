//! Helm's tables (gosuri/uitable as Helm configures it): columns separated by a tab, every cell
//! padded with spaces to its column's width (the last one too), a cell wider than `max_col_width`
//! cut to `width - 3` characters plus `...`.
/// Formats `rows` (the header first) as uitable does; no trailing newline.
pub fn render(rows: &[Vec<String>], max_col_width: usize) -> String {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let mut w = width(cell);
            if max_col_width != 0 && w > max_col_width {
                w = max_col_width;
            }
            if i >= widths.len() {
                widths.push(0);
            }
            widths[i] = widths[i].max(w);
        }
    }
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, cell)| resize(cell, widths[i]))
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect();
    lines.join("\n")
}

/// `strutil.Resize`: pad right to `width`, or cut to `width - 3` plus `...`.
fn resize(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n > width {
        if width <= 3 {
            return s.chars().take(width).collect();
        }
        let mut out: String = s.chars().take(width - 3).collect();
        out.push_str("...");
        out
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_every_cell_and_cuts_wide_ones() {
        let rows = vec![
            vec!["NAME".to_string(), "STATUS".to_string()],
            vec!["common".to_string(), "ok".to_string()],
        ];
        assert_eq!(render(&rows, 80), "NAME  \tSTATUS\ncommon\tok    ");
        let rows = vec![vec!["abcdefghij".to_string()]];
        assert_eq!(render(&rows, 6), "abc...");
    }
}
