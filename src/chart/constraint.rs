//! Semver version constraints as Masterminds/semver v3 reads them (`>=1.2 <2`, `~1.2.3`, `^0.4`,
//! `1.x`, `1.2 - 1.4`, `a || b`), used by Helm's `IsCompatibleRange` to match Chart.yaml dependencies
//! to the charts under `charts/`. A version with a prerelease only satisfies a constraint that names a
//! prerelease, as in Masterminds v3. Anything that does not parse is "not compatible", as in Helm.
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

impl Version {
    fn parse(s: &str) -> Option<Version> {
        let p = Partial::parse(s)?;
        if p.wild_from < 3 && p.explicit < 3 && p.wild_from != p.explicit {
            return None;
        }
        Some(p.lower())
    }

    fn cmp(&self, other: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| compare_pre(&self.pre, &other.pre))
    }
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => {
            let mut ai = a.split('.');
            let mut bi = b.split('.');
            loop {
                match (ai.next(), bi.next()) {
                    (None, None) => return Ordering::Equal,
                    (None, Some(_)) => return Ordering::Less,
                    (Some(_), None) => return Ordering::Greater,
                    (Some(x), Some(y)) => {
                        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                            (Ok(m), Ok(n)) => m.cmp(&n),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => x.cmp(y),
                        };
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                }
            }
        }
    }
}

/// A possibly partial version from a constraint: `1`, `1.2`, `1.x`, `*`.
#[derive(Debug, Clone)]
struct Partial {
    parts: [u64; 3],
    /// How many numeric parts were written.
    explicit: usize,
    /// Index of the first wildcard or missing part (3 when complete).
    wild_from: usize,
    pre: String,
}

impl Partial {
    fn parse(s: &str) -> Option<Partial> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let s = s.split_once('+').map_or(s, |(a, _)| a);
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, p.to_string()),
            None => (s, String::new()),
        };
        let mut parts = [0u64; 3];
        let mut explicit = 0;
        let mut wild_from = 3;
        let pieces: Vec<&str> = core.split('.').collect();
        if pieces.is_empty() || pieces.len() > 3 {
            return None;
        }
        for (i, piece) in pieces.iter().enumerate() {
            if matches!(*piece, "x" | "X" | "*") {
                wild_from = wild_from.min(i);
                continue;
            }
            if wild_from < 3 {
                // A number after a wildcard (`1.x.3`) counts as a wildcard too.
                continue;
            }
            parts[i] = piece.parse().ok()?;
            explicit = i + 1;
        }
        if wild_from == 3 && pieces.len() < 3 {
            wild_from = pieces.len();
        }
        Some(Partial {
            parts,
            explicit,
            wild_from,
            pre,
        })
    }

    fn lower(&self) -> Version {
        Version {
            major: self.parts[0],
            minor: self.parts[1],
            patch: self.parts[2],
            pre: self.pre.clone(),
        }
    }

    /// The exclusive upper bound of the range a partial version covers (`1.2` → `1.3.0`).
    fn upper(&self) -> Option<Version> {
        let v = |major, minor, patch| Version {
            major,
            minor,
            patch,
            pre: String::new(),
        };
        match self.wild_from {
            0 => None,
            1 => Some(v(self.parts[0] + 1, 0, 0)),
            2 => Some(v(self.parts[0], self.parts[1] + 1, 0)),
            _ => None,
        }
    }
}

/// One comparison: `op version`.
#[derive(Debug, Clone)]
struct Comparison {
    op: String,
    partial: Partial,
}

impl Comparison {
    fn check(&self, v: &Version) -> bool {
        let p = &self.partial;
        if !v.pre.is_empty() && p.pre.is_empty() {
            return false;
        }
        let lower = p.lower();
        let upper = p.upper();
        let in_range = |v: &Version| {
            if p.wild_from == 0 {
                return true;
            }
            if p.wild_from == 3 {
                return v.cmp(&lower) == Ordering::Equal;
            }
            v.cmp(&lower) != Ordering::Less
                && upper.as_ref().is_none_or(|u| v.cmp(u) == Ordering::Less)
        };
        match self.op.as_str() {
            "" | "=" => in_range(v),
            "!=" => !in_range(v),
            ">" => match &upper {
                _ if p.wild_from == 0 => false,
                Some(u) => v.cmp(u) != Ordering::Less,
                None => v.cmp(&lower) == Ordering::Greater,
            },
            ">=" | "=>" => p.wild_from == 0 || v.cmp(&lower) != Ordering::Less,
            "<" => p.wild_from != 0 && v.cmp(&lower) == Ordering::Less,
            "<=" | "=<" => match &upper {
                _ if p.wild_from == 0 => true,
                Some(u) => v.cmp(u) == Ordering::Less,
                None => v.cmp(&lower) != Ordering::Greater,
            },
            "~" | "~>" => {
                if p.wild_from == 0 {
                    return true;
                }
                let up = if p.explicit <= 1 {
                    Version {
                        major: lower.major + 1,
                        minor: 0,
                        patch: 0,
                        pre: String::new(),
                    }
                } else {
                    Version {
                        major: lower.major,
                        minor: lower.minor + 1,
                        patch: 0,
                        pre: String::new(),
                    }
                };
                v.cmp(&lower) != Ordering::Less && v.cmp(&up) == Ordering::Less
            }
            "^" => {
                if p.wild_from == 0 {
                    return true;
                }
                let up = if lower.major > 0 || p.explicit <= 1 {
                    Version {
                        major: lower.major + 1,
                        minor: 0,
                        patch: 0,
                        pre: String::new(),
                    }
                } else if lower.minor > 0 || p.explicit == 2 {
                    Version {
                        major: 0,
                        minor: lower.minor + 1,
                        patch: 0,
                        pre: String::new(),
                    }
                } else {
                    Version {
                        major: 0,
                        minor: 0,
                        patch: lower.patch + 1,
                        pre: String::new(),
                    }
                };
                v.cmp(&lower) != Ordering::Less && v.cmp(&up) == Ordering::Less
            }
            _ => false,
        }
    }
}

fn parse_comparison(s: &str) -> Option<Comparison> {
    let s = s.trim();
    let op_len = s
        .find(|c: char| c.is_ascii_alphanumeric() || c == '*')
        .unwrap_or(s.len());
    let op = s[..op_len].trim().to_string();
    if !matches!(
        op.as_str(),
        "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^"
    ) {
        return None;
    }
    Some(Comparison {
        op,
        partial: Partial::parse(&s[op_len..])?,
    })
}

/// Masterminds' `semver.NewVersion(a).Compare(NewVersion(b))`; `None` when either is not a version.
/// Build metadata is ignored, as in Masterminds.
pub fn compare_versions(a: &str, b: &str) -> Option<Ordering> {
    Some(plain_version(a)?.cmp(&plain_version(b)?))
}

/// Whether `s` parses as a version (Masterminds' `semver.NewVersion`, which accepts `1.2` and `v1`).
pub fn is_version(s: &str) -> bool {
    plain_version(s).is_some()
}

/// A version without wildcards (`1.x` is a range, not a version).
fn plain_version(s: &str) -> Option<Version> {
    let core = s.trim().split(['-', '+']).next().unwrap_or("");
    if core.split('.').any(|p| matches!(p, "x" | "X" | "*")) {
        return None;
    }
    Version::parse(s)
}

/// Whether `constraint` parses (Masterminds' `semver.NewConstraint`); an empty one means any release.
pub fn is_valid_constraint(constraint: &str) -> bool {
    let constraint = constraint.trim();
    constraint.is_empty()
        || constraint.split("||").all(|group| {
            let pieces = normalise_group(group);
            !pieces.is_empty() && pieces.iter().all(|p| parse_comparison(p).is_some())
        })
}

/// Whether `version` satisfies `constraint` (Helm's `chartutil.IsCompatibleRange`).
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Some(v) = Version::parse(version) else {
        return false;
    };
    let constraint = constraint.trim();
    if constraint.is_empty() {
        return v.pre.is_empty();
    }
    constraint.split("||").any(|group| {
        let group = normalise_group(group);
        let mut comparisons = Vec::new();
        for piece in group {
            match parse_comparison(&piece) {
                Some(c) => comparisons.push(c),
                None => return false,
            }
        }
        !comparisons.is_empty() && comparisons.iter().all(|c| c.check(&v))
    })
}

/// Splits an AND group into comparisons, joining operators to their versions and expanding hyphen
/// ranges (`1.2 - 1.4` → `>=1.2`, `<=1.4`).
fn normalise_group(group: &str) -> Vec<String> {
    let tokens: Vec<&str> = group.split([',', ' ']).filter(|t| !t.is_empty()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        if i + 2 < tokens.len() && tokens[i + 1] == "-" {
            out.push(format!(">={t}"));
            out.push(format!("<={}", tokens[i + 2]));
            i += 3;
            continue;
        }
        if t.chars().all(|c| "<>=!~^".contains(c)) && i + 1 < tokens.len() {
            out.push(format!("{t}{}", tokens[i + 1]));
            i += 2;
            continue;
        }
        out.push(t.to_string());
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_compatible_range as ok;

    #[test]
    fn masterminds_constraints() {
        assert!(ok("1.2.3", "1.2.3"));
        assert!(ok(">=1.2.0", "1.3.0"));
        assert!(!ok(">=1.2.0", "1.1.9"));
        assert!(ok("~1.2.0", "1.2.9"));
        assert!(!ok("~1.2.0", "1.3.0"));
        assert!(ok("^1.2.0", "1.9.0"));
        assert!(!ok("^0.2.0", "0.3.0"));
        assert!(ok("1.x", "1.5.0"));
        assert!(ok("*", "3.0.0"));
        assert!(!ok("*", "3.0.0-rc.1"));
        assert!(ok(">=1.0.0-0", "1.0.0-rc.1"));
        assert!(ok(">= 1.0, < 2.0", "1.5.0"));
        assert!(ok("1.0 - 2.0", "2.0.0"));
        assert!(ok("<1 || >=3", "3.1.0"));
        assert!(ok("0.1.0", "0.1.0"));
    }

    #[test]
    fn versions_compare_and_constraints_parse() {
        use super::{compare_versions, is_valid_constraint, is_version};
        use std::cmp::Ordering;
        assert_eq!(compare_versions("1.10.0", "1.9.0"), Some(Ordering::Greater));
        assert_eq!(
            compare_versions("1.0.0-rc.1", "1.0.0"),
            Some(Ordering::Less)
        );
        assert_eq!(compare_versions("1.0.0+b", "1.0.0"), Some(Ordering::Equal));
        assert_eq!(compare_versions("x", "1.0.0"), None);
        assert!(is_version("1.2") && !is_version("one"));
        assert!(is_valid_constraint(">=1.2, <2 || ~3.1"));
        assert!(is_valid_constraint("1.2 - 1.4"));
        assert!(!is_valid_constraint("banana"));
    }
}
