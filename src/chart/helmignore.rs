//! `.helmignore`: Helm's ignore rules for loading a chart directory (`pkg/ignore` in Helm v3).
//!
//! These are not gitignore rules. Each line is a Go `filepath.Match` glob; `**` is rejected; a trailing
//! `/` matches directories only; a leading `/` anchors the glob at the chart root; a glob without `/`
//! is matched against the base name only; a glob with `/` against the whole relative path. A negated
//! rule (`!x`) is Helm's odd one: a path that does NOT match it is ignored at once, one that matches
//! goes on to the next rule. The default rule `templates/.?*` is always appended.
use super::error::Error;

/// A parsed `.helmignore`.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

#[derive(Debug, Clone)]
struct Pattern {
    /// The glob's characters (checked to be a valid pattern when the rule was added).
    glob: Vec<char>,
    negate: bool,
    must_dir: bool,
    scope: Scope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Leading `/`: the glob is matched against the whole path from the root.
    Rooted,
    /// Contains `/`: matched against the whole relative path.
    Structural,
    /// No `/`: matched against the base name.
    BaseName,
}

impl Rules {
    /// Parses the text of a `.helmignore` file; the default rules are not yet included.
    pub fn parse(text: &str) -> Result<Rules, Error> {
        let mut rules = Rules::default();
        for line in text.lines() {
            rules.add_rule(line)?;
        }
        Ok(rules)
    }

    /// Appends Helm's default rules (`templates/.?*`).
    pub fn add_defaults(&mut self) {
        // The default rule is valid, so this cannot fail.
        let _ = self.add_rule("templates/.?*");
    }

    fn add_rule(&mut self, line: &str) -> Result<(), Error> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(Error::Ignore(
                "double-star (**) syntax is not supported".to_string(),
            ));
        }
        if glob_match(rule, "abc").is_err() {
            return Err(Error::Ignore("syntax error in pattern".to_string()));
        }
        let (negate, rule) = match rule.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (must_dir, rule) = match rule.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (scope, glob) = if let Some(rest) = rule.strip_prefix('/') {
            (Scope::Rooted, rest)
        } else if rule.contains('/') {
            (Scope::Structural, rule)
        } else {
            (Scope::BaseName, rule)
        };
        self.patterns.push(Pattern {
            glob: glob.chars().collect(),
            negate,
            must_dir,
            scope,
        });
        Ok(())
    }

    /// Whether the slash-separated relative `path` (a directory when `is_dir`) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !p.matches(path) {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if p.matches(path) {
                return true;
            }
        }
        false
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        let subject = match self.scope {
            Scope::Rooted | Scope::Structural => path,
            Scope::BaseName => crate::template::funcs::sprig::paths::base(path),
        };
        // Checked when added, the glob cannot be malformed; most paths are ASCII and are matched
        // as they are, without a copy.
        if subject.is_ascii() {
            match_from(&self.glob, subject.as_bytes()).unwrap_or(false)
        } else {
            let subject: Vec<char> = subject.chars().collect();
            match_from(&self.glob, &subject).unwrap_or(false)
        }
    }
}

/// A malformed glob (Go's `filepath.ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `path/filepath.Match` on Unix: `*` matches any run of non-`/` characters, `?` one non-`/`
/// character, `[...]` a class (`^` negates, `a-z` ranges), `\` escapes. The whole name must match.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let pat: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let matched = match_from(&pat, &name)?;
    if !matched {
        // Go reports a bad pattern even when matching stopped early; check the rest of the pattern.
        validate(&pat)?;
    }
    Ok(matched)
}

fn validate(pat: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < pat.len() {
        match pat[i] {
            '\\' => {
                if i + 1 >= pat.len() {
                    return Err(BadPattern);
                }
                i += 2;
            }
            '[' => {
                let (_, next) = match_class(pat, i, '\0')?;
                i = next;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

fn match_from<C: Copy + Into<char>>(pat: &[char], name: &[C]) -> Result<bool, BadPattern> {
    let at = |n: usize| -> char { name[n].into() };
    let mut p = 0;
    let mut n = 0;
    // Backtracking point for the last `*`: (pattern index after the star, name index it resumes at).
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pat.len() {
            match pat[p] {
                '*' => {
                    star = Some((p + 1, n));
                    p += 1;
                    continue;
                }
                '?' => {
                    if n < name.len() && at(n) != '/' {
                        p += 1;
                        n += 1;
                        continue;
                    }
                }
                '[' => {
                    if n < name.len() && at(n) != '/' {
                        let (ok, next) = match_class(pat, p, at(n))?;
                        if ok {
                            p = next;
                            n += 1;
                            continue;
                        }
                    } else {
                        match_class(pat, p, '\0')?;
                    }
                }
                '\\' => {
                    let c = *pat.get(p + 1).ok_or(BadPattern)?;
                    if n < name.len() && at(n) == c {
                        p += 2;
                        n += 1;
                        continue;
                    }
                }
                c => {
                    if n < name.len() && at(n) == c {
                        p += 1;
                        n += 1;
                        continue;
                    }
                }
            }
        } else if n == name.len() {
            return Ok(true);
        }
        // Mismatch: let the last star swallow one more character, unless that would cross a `/`.
        match star {
            Some((sp, sn)) if sn < name.len() && at(sn) != '/' => {
                star = Some((sp, sn + 1));
                p = sp;
                n = sn + 1;
            }
            _ => return Ok(false),
        }
    }
}

/// Matches `c` against the class starting at `pat[start] == '['`; returns (matched, index after `]`).
fn match_class(pat: &[char], start: usize, c: char) -> Result<(bool, usize), BadPattern> {
    let mut i = start + 1;
    let negated = pat.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *pat.get(i).ok_or(BadPattern)?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let (lo, next) = class_char(pat, i)?;
        i = next;
        let mut hi = lo;
        if pat.get(i) == Some(&'-') {
            let (h, next) = class_char(pat, i + 1)?;
            hi = h;
            i = next;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Ok((matched != negated, i))
}

fn class_char(pat: &[char], i: usize) -> Result<(char, usize), BadPattern> {
    match pat.get(i) {
        None | Some('-') | Some(']') => Err(BadPattern),
        Some('\\') => pat.get(i + 1).map(|c| (*c, i + 2)).ok_or(BadPattern),
        Some(c) => Ok((*c, i + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Rules {
        let mut r = Rules::parse(text).expect("valid rules");
        r.add_defaults();
        r
    }

    #[test]
    fn go_glob_semantics() {
        assert_eq!(glob_match("*.txt", "a.txt"), Ok(true));
        assert_eq!(glob_match("*.txt", "d/a.txt"), Ok(false));
        assert_eq!(glob_match("a?c", "abc"), Ok(true));
        assert_eq!(glob_match("[a-c]x", "bx"), Ok(true));
        assert_eq!(glob_match("[^a-c]x", "bx"), Ok(false));
        assert_eq!(glob_match("\\*", "*"), Ok(true));
        assert_eq!(glob_match("[", "a"), Err(BadPattern));
        assert_eq!(glob_match("a*b*c", "axxbyyc"), Ok(true));
    }

    #[test]
    fn base_name_and_structural_rules() {
        let r = rules("*.bak\nsecret/\n/top.txt\ndocs/*.md\n# comment\n");
        assert!(r.ignore("templates/x.bak", false));
        assert!(r.ignore("secret", true));
        assert!(!r.ignore("secret", false));
        assert!(r.ignore("top.txt", false));
        assert!(r.ignore("docs/a.md", false));
        assert!(!r.ignore("docs/sub/a.md", false));
        assert!(r.ignore("templates/.hidden", false));
        assert!(!r.ignore("templates/x.yaml", false));
    }

    /// ASCII paths are matched as bytes, others as characters: one character is one `?`.
    #[test]
    fn rules_match_paths_of_any_characters() {
        let r = rules("n?me.txt\n[é-ü]*.md\ndocs/*\n");
        for (path, ignored) in [
            ("name.txt", true),
            ("näme.txt", true),
            ("nääme.txt", false),
            ("ö.md", true),
            ("o.md", false),
            ("docs/é", true),
            ("docs/é/x", false),
        ] {
            assert_eq!(r.ignore(path, false), ignored, "{path}");
        }
    }

    #[test]
    fn negation_ignores_everything_that_does_not_match() {
        let r = rules("!keep.txt\n");
        assert!(!r.ignore("keep.txt", false));
        assert!(r.ignore("other.txt", false));
    }

    #[test]
    fn double_star_is_rejected() {
        let e = Rules::parse("a/**/b").unwrap_err();
        assert_eq!(e.to_string(), "double-star (**) syntax is not supported");
    }
}
