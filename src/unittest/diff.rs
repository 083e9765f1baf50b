//! The `Diff:` of a failed `equal` or snapshot: a unified diff of expected against actual with one
//! line of context, headed `--- Expected` / `+++ Actual`, as helm-unittest prints with go-difflib.
//! Lines are aligned by a longest common subsequence (difflib's matcher can align ambiguous inputs
//! differently; the changed lines shown are the same).

/// go-difflib's `SplitLines`: lines keep their `\n`, and a final `\n` line is added.
fn split_lines(s: &str) -> Vec<String> {
    let mut lines: Vec<String> = s.split_inclusive('\n').map(str::to_string).collect();
    if s.is_empty() || s.ends_with('\n') {
        lines.push("\n".to_string());
    } else if let Some(last) = lines.last_mut() {
        last.push('\n');
    }
    lines
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tag {
    Equal,
    Replace,
    Delete,
    Insert,
}

type Op = (Tag, usize, usize, usize, usize);

fn opcodes(a: &[String], b: &[String]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: length of the LCS of a[i..] and b[j..]
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<Op> = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut di, mut dj) = (0, 0);
    let flush = |ops: &mut Vec<Op>, di: usize, i: usize, dj: usize, j: usize| {
        let tag = match (i > di, j > dj) {
            (true, true) => Tag::Replace,
            (true, false) => Tag::Delete,
            (false, true) => Tag::Insert,
            (false, false) => return,
        };
        ops.push((tag, di, i, dj, j));
    };
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            flush(&mut ops, di, i, dj, j);
            let (si, sj) = (i, j);
            while i < n && j < m && a[i] == b[j] {
                i += 1;
                j += 1;
            }
            ops.push((Tag::Equal, si, i, sj, j));
            di = i;
            dj = j;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            j += 1;
        } else {
            i += 1;
        }
    }
    flush(&mut ops, di, i, dj, j);
    ops
}

fn grouped(mut codes: Vec<Op>, n: usize) -> Vec<Vec<Op>> {
    if codes.is_empty() {
        codes.push((Tag::Equal, 0, 1, 0, 1));
    }
    if let Some(first) = codes.first_mut() {
        if first.0 == Tag::Equal {
            let (_, i1, i2, j1, j2) = *first;
            *first = (
                Tag::Equal,
                i1.max(i2.saturating_sub(n)),
                i2,
                j1.max(j2.saturating_sub(n)),
                j2,
            );
        }
    }
    if let Some(last) = codes.last_mut() {
        if last.0 == Tag::Equal {
            let (_, i1, i2, j1, j2) = *last;
            *last = (Tag::Equal, i1, i2.min(i1 + n), j1, j2.min(j1 + n));
        }
    }
    let mut groups = Vec::new();
    let mut group: Vec<Op> = Vec::new();
    for (tag, mut i1, i2, mut j1, j2) in codes {
        if tag == Tag::Equal && i2 - i1 > 2 * n {
            group.push((tag, i1, i2.min(i1 + n), j1, j2.min(j1 + n)));
            groups.push(std::mem::take(&mut group));
            i1 = i1.max(i2.saturating_sub(n));
            j1 = j1.max(j2.saturating_sub(n));
        }
        group.push((tag, i1, i2, j1, j2));
    }
    if !(group.is_empty() || group.len() == 1 && group[0].0 == Tag::Equal) {
        groups.push(group);
    }
    groups
}

fn range(start: usize, stop: usize) -> String {
    let beginning = start + 1;
    match stop - start {
        1 => beginning.to_string(),
        0 => format!("{},0", beginning - 1),
        len => format!("{beginning},{len}"),
    }
}

/// The unified diff of `expected` → `actual`, empty when they are equal.
pub fn unified(expected: &str, actual: &str) -> String {
    let a = split_lines(expected);
    let b = split_lines(actual);
    let groups = grouped(opcodes(&a, &b), 1);
    let mut out = String::new();
    for (gi, group) in groups.iter().enumerate() {
        if gi == 0 {
            out.push_str("--- Expected\n+++ Actual\n");
        }
        let (first, last) = (group[0], group[group.len() - 1]);
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(first.1, last.2),
            range(first.3, last.4)
        ));
        for &(tag, i1, i2, j1, j2) in group {
            if tag == Tag::Equal {
                for line in &a[i1..i2] {
                    out.push(' ');
                    out.push_str(line);
                }
                continue;
            }
            if matches!(tag, Tag::Replace | Tag::Delete) {
                for line in &a[i1..i2] {
                    out.push('-');
                    out.push_str(line);
                }
            }
            if matches!(tag, Tag::Replace | Tag::Insert) {
                for line in &b[j1..j2] {
                    out.push('+');
                    out.push_str(line);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_changed_line() {
        assert_eq!(
            unified("3\n", "2\n"),
            "--- Expected\n+++ Actual\n@@ -1,2 +1,2 @@\n-3\n+2\n \n"
        );
    }

    #[test]
    fn context_of_one_line() {
        let d = unified("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n");
        assert_eq!(
            d,
            "--- Expected\n+++ Actual\n@@ -2,3 +2,3 @@\n b\n-c\n+X\n d\n"
        );
        assert_eq!(unified("same\n", "same\n"), "");
    }
}
