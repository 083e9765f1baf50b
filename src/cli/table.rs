//! Helm's tables (gosuri/uitable as Helm configures it): columns separated by a tab, every cell
//! padded with spaces to its column's width in terminal columns (the last one too), a cell wider
//! than `max_col_width` cut to `width - 3` characters plus `...`. The one table printer of every
//! command (`output::table` adds `EncodeTable`'s final newline).
/// Formats `rows` (the header first) as uitable does; no trailing newline.
pub fn render(rows: &[Vec<String>], max_col_width: usize) -> String {
    let width = display_width;
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
    let n = display_width(s);
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

/// Columns a string takes in a terminal (East Asian wide characters count two).
pub(crate) fn display_width(s: &str) -> usize {
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
