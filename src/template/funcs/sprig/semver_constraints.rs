//! Masterminds/semver v3.3.0 semantics: version parsing (`NewVersion`, with coercion of `1.2` to
//! `1.2.0` and an optional `v`), ordering, and constraints (`>= 1.2, < 2`, `||`, `~1.2`, `^1.2`,
//! `1.2.x`, `*`, `1 - 2` ranges), with Masterminds' error texts.
//!
//! Why not the `semver` crate: it implements Cargo's rules (no `v` prefix, no coercion, different
//! prerelease matching, no `||` nor hyphen ranges), which is not what Helm templates see. The grammar
//! here uses the same regular expressions as Masterminds (the `regex` crate has Go's RE2 semantics);
//! the checks are written from Masterminds' documented behaviour.
use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use regex::Regex;

/// A semantic version as Masterminds parses it (`*semver.Version`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
    /// The text it was parsed from (`Original()`).
    pub original: String,
}

const VERSION_RE: &str = r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
/// A version in a constraint, where segments may be wildcards.
const CONSTRAINT_VERSION_RE: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS_RE: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

pub const ERR_INVALID: &str = "Invalid Semantic Version";
const ERR_SEGMENT_ZERO: &str = "Version segment starts with 0";
const ERR_PRERELEASE: &str = "Invalid Prerelease string";
const ERR_METADATA: &str = "Invalid Metadata string";

struct Grammar {
    version: Regex,
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn grammar() -> &'static Grammar {
    static GRAMMAR: OnceLock<Grammar> = OnceLock::new();
    GRAMMAR.get_or_init(|| {
        let cv = CONSTRAINT_VERSION_RE;
        let build = |re: String| Regex::new(&re).expect("the semver grammar is a valid regex");
        Grammar {
            version: build(format!("^{VERSION_RE}$")),
            constraint: build(format!(r"^\s*({OPS_RE})\s*({cv})\s*$")),
            range: build(format!(r"\s*({cv})\s+-\s+({cv})\s*")),
            find: build(format!(r"({OPS_RE})\s*({cv})")),
            valid: build(format!(
                r"^(\s*({OPS_RE})\s*({cv})\s*)((?:\s+|,\s*)({OPS_RE})\s*({cv})\s*)*$"
            )),
        }
    })
}

fn only_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn only_identifier_chars(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn validate_prerelease(p: &str) -> Result<(), String> {
    for part in p.split('.') {
        if only_digits(part) {
            if part.len() > 1 && part.starts_with('0') {
                return Err(ERR_SEGMENT_ZERO.to_string());
            }
        } else if !only_identifier_chars(part) {
            return Err(ERR_PRERELEASE.to_string());
        }
    }
    Ok(())
}

fn validate_metadata(m: &str) -> Result<(), String> {
    if m.split('.').all(only_identifier_chars) {
        Ok(())
    } else {
        Err(ERR_METADATA.to_string())
    }
}

fn parse_segment(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| {
        format!(
            "Error parsing version segment: strconv.ParseUint: parsing {s:?}: value out of range"
        )
    })
}

impl Version {
    /// Masterminds' `NewVersion`: lenient parsing, missing minor/patch read as 0.
    pub fn parse(v: &str) -> Result<Version, String> {
        let caps = grammar()
            .version
            .captures(v)
            .ok_or_else(|| ERR_INVALID.to_string())?;
        let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
        let mut version = Version {
            major: parse_segment(group(1))?,
            minor: 0,
            patch: 0,
            pre: group(5).to_string(),
            metadata: group(8).to_string(),
            original: v.to_string(),
        };
        if let Some(minor) = group(2).strip_prefix('.') {
            version.minor = parse_segment(minor)?;
        }
        if let Some(patch) = group(3).strip_prefix('.') {
            version.patch = parse_segment(patch)?;
        }
        if !version.pre.is_empty() {
            validate_prerelease(&version.pre)?;
        }
        if !version.metadata.is_empty() {
            validate_metadata(&version.metadata)?;
        }
        Ok(version)
    }

    /// The `v` of the original text, kept by the `Inc*`/`Set*` methods.
    fn v_prefix(&self) -> &'static str {
        if self.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }

    fn with_original(mut self) -> Version {
        self.original = format!("{}{}", self.v_prefix(), self);
        self
    }

    pub fn inc_patch(&self) -> Version {
        let mut next = self.clone();
        if self.pre.is_empty() {
            next.patch += 1;
        }
        next.pre.clear();
        next.metadata.clear();
        next.with_original()
    }

    pub fn inc_minor(&self) -> Version {
        let mut next = self.clone();
        next.metadata.clear();
        next.pre.clear();
        next.patch = 0;
        next.minor += 1;
        next.with_original()
    }

    pub fn inc_major(&self) -> Version {
        let mut next = self.clone();
        next.metadata.clear();
        next.pre.clear();
        next.patch = 0;
        next.minor = 0;
        next.major += 1;
        next.with_original()
    }

    pub fn set_prerelease(&self, pre: &str) -> Result<Version, String> {
        if !pre.is_empty() {
            validate_prerelease(pre)?;
        }
        let mut next = self.clone();
        next.pre = pre.to_string();
        Ok(next.with_original())
    }

    pub fn set_metadata(&self, metadata: &str) -> Result<Version, String> {
        if !metadata.is_empty() {
            validate_metadata(metadata)?;
        }
        let mut next = self.clone();
        next.metadata = metadata.to_string();
        Ok(next.with_original())
    }

    /// Masterminds' `Compare` (metadata ignored; a release sorts after its prereleases).
    pub fn compare(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }
}

impl fmt::Display for Version {
    /// Masterminds' `String()`: `MAJOR.MINOR.PATCH[-PRE][+META]`, without the `v`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let a: Vec<&str> = a.split('.').collect();
    let b: Vec<&str> = b.split('.').collect();
    for i in 0..a.len().max(b.len()) {
        let d = compare_pre_part(
            a.get(i).copied().unwrap_or(""),
            b.get(i).copied().unwrap_or(""),
        );
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        // A numeric identifier sorts before an alphanumeric one.
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(_), Err(_)) => Ordering::Less,
        (Ok(si), Ok(oi)) => {
            if si > oi {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

/// The comparison of one constraint term.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "" | "=" => Op::TildeOrEqual,
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => return None,
        })
    }
}

/// One term such as `>=1.2.x`, with the wildcard positions Masterminds calls "dirty".
#[derive(Clone, Debug)]
struct Term {
    op: Op,
    con: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_wildcard(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Term {
    fn parse(c: &str) -> Result<Term, String> {
        if c.is_empty() {
            return Ok(Term {
                op: Op::TildeOrEqual,
                con: Version::parse("0.0.0")?,
                minor_dirty: false,
                patch_dirty: false,
                dirty: true,
            });
        }
        let caps = grammar()
            .constraint
            .captures(c)
            .ok_or_else(|| format!("improper constraint: {c}"))?;
        let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
        let op = Op::parse(group(1)).ok_or_else(|| format!("improper constraint: {c}"))?;
        let (major, minor, patch, pre) = (group(3), group(4), group(5), group(6));
        let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
        let text = if is_wildcard(major) || major.is_empty() {
            dirty = true;
            format!("0.0.0{pre}")
        } else if is_wildcard(minor.trim_start_matches('.')) || minor.is_empty() {
            minor_dirty = true;
            dirty = true;
            format!("{major}.0.0{pre}")
        } else if is_wildcard(patch.trim_start_matches('.')) || patch.is_empty() {
            dirty = true;
            patch_dirty = true;
            format!("{major}{minor}.0{pre}")
        } else {
            group(2).to_string()
        };
        let con = Version::parse(&text).map_err(|_| "constraint Parser Error".to_string())?;
        Ok(Term {
            op,
            con,
            minor_dirty,
            patch_dirty,
            dirty,
        })
    }

    fn check(&self, v: &Version) -> bool {
        let c = &self.con;
        // Prereleases only satisfy terms that name a prerelease (`!=` with a wildcard aside).
        let pre_blocked = !v.pre.is_empty() && c.pre.is_empty();
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if pre_blocked {
                        return false;
                    }
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            _ if pre_blocked => false,
            Op::Greater => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                v.compare(c) == Ordering::Greater
            }
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                if v.major > c.major {
                    return false;
                }
                !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
            }
            Op::Tilde => self.check_tilde(v),
            Op::TildeOrEqual => {
                if self.dirty {
                    self.check_tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::Caret => self.check_caret(v),
        }
    }

    fn check_tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.minor_dirty)
    }

    fn check_caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        c.patch == v.patch
    }
}

/// A parsed constraint: alternatives (`||`) of conjunctions of terms.
#[derive(Clone, Debug)]
pub struct Constraints {
    alternatives: Vec<Vec<Term>>,
}

/// Masterminds' `rewriteRange`: `1 - 2` becomes `>= 1, <= 2 `.
fn rewrite_ranges(c: &str) -> String {
    let g = grammar();
    let mut out = c.to_string();
    for caps in g.range.captures_iter(c) {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        let from = caps.get(1).map_or("", |m| m.as_str());
        let to = caps.get(11).map_or("", |m| m.as_str());
        out = out.replacen(whole, &format!(">= {from}, <= {to} "), 1);
    }
    out
}

impl Constraints {
    /// Masterminds' `NewConstraint`.
    pub fn parse(c: &str) -> Result<Constraints, String> {
        let g = grammar();
        let rewritten = rewrite_ranges(c);
        let mut alternatives = Vec::new();
        for alt in rewritten.split("||") {
            if !g.valid.is_match(alt) {
                return Err(format!("improper constraint: {alt}"));
            }
            let mut found: Vec<&str> = g.find.find_iter(alt).map(|m| m.as_str()).collect();
            if found.is_empty() {
                found.push(alt);
            }
            alternatives.push(
                found
                    .into_iter()
                    .map(Term::parse)
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        Ok(Constraints { alternatives })
    }

    /// Masterminds' `Check`: true when every term of some alternative holds.
    pub fn check(&self, v: &Version) -> bool {
        self.alternatives
            .iter()
            .any(|terms| terms.iter().all(|t| t.check(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(c: &str, v: &str) -> bool {
        Constraints::parse(c)
            .unwrap()
            .check(&Version::parse(v).unwrap())
    }

    // Expected values from helm v3.17.3: `{{ semverCompare "C" "V" }}`.
    #[test]
    fn constraints_match_masterminds() {
        for (c, v, want) in [
            (">= 1.2.3, < 2", "1.5.0", true),
            (">= 1.2.3, < 2", "2.0.0", false),
            ("^1.2", "1.9.9", true),
            ("^1.2", "2.0.0", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("~1.2", "1.2.9", true),
            ("~1.2", "1.3.0", false),
            ("1.2.x", "1.2.7", true),
            ("*", "3.0.0", true),
            ("*", "3.0.0-beta", false),
            (">1.0.0-alpha", "1.0.0-beta", true),
            (">=1.21-0", "1.25.3-gke.100", true),
            (">=1.21.0", "1.25.3-gke.100", false),
            ("1 - 2", "2.0.5", true),
            ("1.0 - 2.0", "2.1.0", false),
            ("<1.0 || >=3", "3.1.0", true),
            ("!=1.2.3", "1.2.3", false),
            ("v1.2.3", "1.2.3", true),
            ("> 1.x", "2.0.0", true),
            ("> 1.x", "1.9.0", false),
            ("<= 1.2", "1.2.9", true),
        ] {
            assert_eq!(holds(c, v), want, "{c} vs {v}");
        }
    }

    #[test]
    fn errors_match_masterminds() {
        assert_eq!(
            Constraints::parse("foo").unwrap_err(),
            "improper constraint: foo"
        );
        assert_eq!(Version::parse("1.2.3.4").unwrap_err(), ERR_INVALID);
        assert_eq!(Version::parse("1.2.3-01").unwrap_err(), ERR_SEGMENT_ZERO);
    }

    #[test]
    fn versions_coerce_and_order() {
        let v = Version::parse("v1.2").unwrap();
        assert_eq!(v.to_string(), "1.2.0");
        assert_eq!(v.original, "v1.2");
        assert_eq!(v.inc_major().original, "v2.0.0");
        let a = Version::parse("1.0.0-alpha.1").unwrap();
        let b = Version::parse("1.0.0-alpha.beta").unwrap();
        assert_eq!(a.compare(&b), Ordering::Less);
        assert_eq!(
            Version::parse("1.0.0").unwrap().compare(&a),
            Ordering::Greater
        );
    }
}
