//! Snapshot files, byte-compatible with helm-unittest's `__snapshot__/<suite file>.snap`: a YAML map
//! from test name to a map from snapshot number (1, 2, … in the order a test's assertions compare) to
//! the snapshot text, written by yaml.v3 with indent 2 (so most snapshots are `|` blocks).
//!
//! The rules are helm-unittest's `snapshot.Cache`: a snapshot missing from the file is written and
//! passes (even without `-u`); a different one fails unless updating; the file is rewritten only when
//! updating, when snapshots were added, or when some vanished; with `matchRegex`/`notMatchRegex` only
//! the patterns are checked.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::yaml::emit::Doc;

use super::data;

/// A comparison's outcome.
#[derive(Debug, Clone, Default)]
pub struct Compared {
    pub passed: bool,
    pub index: u64,
    pub new: String,
    pub cached: String,
    /// Set when a pattern check failed (` pattern 'x' not found in snapshot`).
    pub message: String,
}

/// One suite's snapshots.
#[derive(Debug, Default)]
pub struct SnapshotCache {
    pub file: PathBuf,
    pub updating: bool,
    cached: BTreeMap<String, BTreeMap<u64, String>>,
    current: BTreeMap<String, BTreeMap<u64, String>>,
    pub updated: u64,
    pub inserted: u64,
    pub compared: u64,
}

impl SnapshotCache {
    /// Reads `file` if it exists. A file that does not parse as a snapshot map is an error naming it.
    pub fn open(file: &Path, updating: bool) -> Result<SnapshotCache, String> {
        let mut cache = SnapshotCache {
            file: file.to_path_buf(),
            updating,
            ..SnapshotCache::default()
        };
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(cache),
            Err(e) => return Err(format!("{}: {e}", file.display())),
        };
        let bad = |line: usize, what: &str| {
            format!("{}:{line}: corrupted snapshot file: {what}", file.display())
        };
        let doc = data::parse_one(&text).map_err(|e| bad(e.line, &e.message))?;
        match doc {
            Doc::Null => {}
            Doc::Map(tests) => {
                for (test, snaps) in tests {
                    let mut entries = BTreeMap::new();
                    match snaps {
                        Doc::Null => {}
                        Doc::Map(m) => {
                            for (idx, text) in m {
                                let Ok(i) = idx.parse::<u64>() else {
                                    return Err(bad(
                                        0,
                                        &format!("test {test:?}: snapshot number {idx:?} is not a number"),
                                    ));
                                };
                                let text = match text {
                                    Doc::Str(s) => s.to_string(),
                                    Doc::Null => String::new(),
                                    other => data::go_sprint(&other),
                                };
                                entries.insert(i, text);
                            }
                        }
                        _ => {
                            return Err(bad(
                                0,
                                &format!("test {test:?} does not map snapshot numbers to texts"),
                            ))
                        }
                    }
                    cache.cached.insert(test.to_string(), entries);
                }
            }
            _ => return Err(bad(1, "expected a map of test names")),
        }
        Ok(cache)
    }

    /// `Cache.Compare`.
    pub fn compare(
        &mut self,
        test: &str,
        index: u64,
        content: &str,
        match_regex: &str,
        not_match_regex: &str,
    ) -> Compared {
        self.compared += 1;
        let cached = self.cached.get(test).and_then(|m| m.get(&index)).cloned();
        if cached.is_none() {
            self.inserted += 1;
        }
        let mut matched = true;
        let mut message = String::new();
        if !match_regex.is_empty() || !not_match_regex.is_empty() {
            if !match_regex.is_empty() {
                matched = super::assert::go_regex(match_regex).is_ok_and(|re| re.is_match(content));
                if !matched {
                    message = format!(" pattern '{match_regex}' not found in snapshot");
                }
            }
            if !not_match_regex.is_empty() && matched {
                let found =
                    super::assert::go_regex(not_match_regex).is_ok_and(|re| re.is_match(content));
                if found {
                    matched = false;
                    message = format!(" pattern '{not_match_regex}' should not be in snapshot");
                }
            }
        } else if let Some(c) = &cached {
            if c != content {
                matched = false;
                self.updated += 1;
            }
        }
        let to_save = match (&cached, self.updating) {
            (Some(c), false) => c.clone(),
            _ => content.to_string(),
        };
        self.current
            .entry(test.to_string())
            .or_default()
            .insert(index, to_save);
        Compared {
            passed: self.updating || matched,
            index,
            new: content.to_string(),
            cached: cached.unwrap_or_default(),
            message,
        }
    }

    /// Snapshots of the file no test compared this time.
    pub fn vanished(&self) -> u64 {
        self.cached
            .iter()
            .map(|(test, snaps)| {
                snaps
                    .keys()
                    .filter(|i| !self.current.get(test).is_some_and(|c| c.contains_key(i)))
                    .count() as u64
            })
            .sum()
    }

    /// `FailedCount`.
    pub fn failed(&self) -> u64 {
        if self.updating {
            0
        } else {
            self.updated
        }
    }

    fn changed(&self) -> bool {
        self.updated > 0 || self.inserted > 0 || self.vanished() > 0
    }

    /// Writes the file when helm-unittest would (`StoreToFileIfNeeded`).
    pub fn store_if_needed(&self) -> Result<bool, String> {
        if !self.changed() {
            return Ok(false);
        }
        if !(self.updating || self.inserted > 0 || self.vanished() > 0) {
            return Ok(false);
        }
        let text = self.encode();
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&self.file, text).map_err(|e| format!("{}: {e}", self.file.display()))?;
        Ok(true)
    }

    /// yaml.v3's encoding of `map[string]map[uint]string` with indent 2.
    pub fn encode(&self) -> String {
        if self.current.is_empty() {
            return "{}\n".to_string();
        }
        let doc = Doc::Map(
            self.current
                .iter()
                .map(|(test, snaps)| {
                    let inner: Vec<(Rc<str>, Doc)> = snaps
                        .iter()
                        .map(|(i, text)| {
                            (Rc::from(i.to_string()), Doc::Str(Rc::from(text.as_str())))
                        })
                        .collect();
                    (Rc::from(test.as_str()), Doc::Map(inner))
                })
                .collect(),
        );
        let mut sorted = doc;
        if let Doc::Map(m) = &mut sorted {
            m.sort_by(|a, b| crate::yaml::sort::key_cmp_v3(&a.0, &b.0));
            for (_, inner) in m.iter_mut() {
                if let Doc::Map(e) = inner {
                    e.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(0));
                }
            }
        }
        // The numbers are `uint` keys to yaml.v3, so they are written plain, not quoted as the
        // strings holding them would be.
        let text = data::emit(&sorted);
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            if let Some(rest) = line.strip_prefix("  \"") {
                if let Some((digits, tail)) = rest.split_once("\":") {
                    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                        out.push_str("  ");
                        out.push_str(digits);
                        out.push(':');
                        out.push_str(tail);
                        continue;
                    }
                }
            }
            out.push_str(line);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_helm_unittest() {
        let mut cache = SnapshotCache::default();
        cache.compare("snap", 1, "a: 1\nb:\n  - x\n", "", "");
        cache.compare("snap", 2, "v1\n", "", "");
        cache.compare("another", 1, "x: y\n", "", "");
        assert_eq!(
            cache.encode(),
            "another:\n  1: |\n    x: y\nsnap:\n  1: |\n    a: 1\n    b:\n      - x\n  2: |\n    v1\n"
        );
    }

    #[test]
    fn new_snapshots_pass_and_changed_ones_fail() {
        let dir = std::env::temp_dir().join(format!("rudder-snap-{}", std::process::id()));
        let file = dir.join("__snapshot__/a_test.yaml.snap");
        let mut cache = SnapshotCache::open(&file, false).unwrap();
        assert!(cache.compare("t", 1, "x: 1\n", "", "").passed);
        assert!(cache.store_if_needed().unwrap());
        let mut cache = SnapshotCache::open(&file, false).unwrap();
        assert!(!cache.compare("t", 1, "x: 2\n", "", "").passed);
        assert_eq!(cache.failed(), 1);
        assert!(!cache.store_if_needed().unwrap());
        let mut cache = SnapshotCache::open(&file, true).unwrap();
        assert!(cache.compare("t", 1, "x: 2\n", "", "").passed);
        assert!(cache.store_if_needed().unwrap());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "t:\n  1: |\n    x: 2\n"
        );
        std::fs::write(&file, "t: [unclosed\n").unwrap();
        let err = SnapshotCache::open(&file, false).unwrap_err();
        assert!(err.contains("corrupted snapshot file"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
