//! `search repo`: Helm v3.17's `cmd/helm/search` index over the cached index files of the configured
//! repositories. Each chart version is a line `name \v repo/name \v description \v keywords`; a literal
//! term (case-insensitive) or a regular expression matches a line, and its score is the field it
//! matched in (name first); matches scoring 25 or more are dropped. Results sort by score, then name,
//! then newest version; `--version` (default `>0.0.0`, `>0.0.0-0` with `--devel`) keeps the newest
//! matching version of each chart, or all of them with `-l`.
use super::index::{ChartVersion, Index};
use super::paths::Settings;
use super::repofile::RepoFile;
use super::Error;
use crate::chart::constraint::{compare_versions, is_compatible_range, is_valid_constraint};

const SEP: char = '\u{b}';
const MAX_SCORE: usize = 25;

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// `repo/chart`.
    pub name: String,
    pub score: usize,
    pub chart: ChartVersion,
}

/// `search repo` options.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    pub terms: Vec<String>,
    pub regexp: bool,
    /// `--version`, empty when not given.
    pub version: String,
    pub devel: bool,
    /// `-l/--versions`.
    pub versions: bool,
}

/// Runs the search; the results and warning lines for repositories without a usable cache.
pub fn search(
    settings: &Settings,
    options: &SearchOptions,
) -> Result<(Vec<Hit>, Vec<String>), Error> {
    let version = if !options.version.is_empty() {
        options.version.clone()
    } else if options.devel {
        ">0.0.0-0".to_string()
    } else {
        ">0.0.0".to_string()
    };
    let file = RepoFile::load(&settings.repository_config)?.unwrap_or_default();
    if file.repositories.is_empty() {
        return Err(Error::Resolve("no repositories configured".into()));
    }
    let mut warnings = Vec::new();
    let mut lines: Vec<(String, String, ChartVersion)> = Vec::new();
    for repo in &file.repositories {
        let index = match Index::load(&settings.index_file(&repo.name)) {
            Ok(index) => index,
            Err(e) => {
                warnings.push(format!(
                    "WARNING: Repo {} is corrupt or missing. Try 'helm repo update'.",
                    crate::template::printf::quote_go(&repo.name)
                ));
                warnings.push(format!("WARNING: {e}"));
                continue;
            }
        };
        for (name, versions) in &index.entries {
            let full = format!("{}/{name}", repo.name);
            let take = if options.versions || !version.is_empty() {
                versions.len()
            } else {
                1
            };
            for v in versions.iter().take(take) {
                let line = format!(
                    "{}{SEP}{}/{}{SEP}{}{SEP}{}",
                    v.metadata.name,
                    repo.name,
                    v.metadata.name,
                    v.metadata.description,
                    v.metadata.keywords.join(" ")
                );
                lines.push((full.clone(), line, v.clone()));
            }
        }
    }
    let mut hits: Vec<Hit> = Vec::new();
    if options.terms.is_empty() {
        hits = lines
            .into_iter()
            .map(|(name, _, chart)| Hit {
                name,
                score: 0,
                chart,
            })
            .collect();
    } else {
        let term = options.terms.join(" ");
        let matcher = if options.regexp {
            Some(regex::Regex::new(&term).map_err(|e| Error::Resolve(format!("{e}")))?)
        } else {
            None
        };
        let lower_term = term.to_lowercase();
        for (name, line, chart) in lines {
            let (haystack, pos) = match &matcher {
                Some(re) => (line.clone(), re.find(&line).map(|m| m.start())),
                None => {
                    let lower = line.to_lowercase();
                    let pos = lower.find(&lower_term);
                    (lower, pos)
                }
            };
            let Some(pos) = pos else { continue };
            let score = calc_score(pos, &haystack);
            if score < MAX_SCORE {
                hits.push(Hit { name, score, chart });
            }
        }
    }
    hits.sort_by(|a, b| {
        a.score
            .cmp(&b.score)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| {
                compare_versions(&b.chart.metadata.version, &a.chart.metadata.version)
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    });
    if !is_valid_constraint(&version) {
        return Err(Error::Resolve(format!(
            "an invalid version/constraint format: improper constraint: {version}"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for hit in hits {
        if !options.versions && seen.contains(&hit.name) {
            continue;
        }
        if is_compatible_range(&version, &hit.chart.metadata.version) {
            seen.insert(hit.name.clone());
            out.push(hit);
        }
    }
    Ok((out, warnings))
}

/// The index of the field the match starts in.
fn calc_score(index: usize, line: &str) -> usize {
    let splits: Vec<usize> = line
        .char_indices()
        .filter(|(_, c)| *c == SEP)
        .map(|(i, _)| i)
        .collect();
    splits
        .iter()
        .position(|&pos| index <= pos)
        .unwrap_or(splits.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_is_the_matched_field() {
        let line = format!("redis{SEP}local/redis{SEP}cache{SEP}kv");
        assert_eq!(calc_score(0, &line), 0);
        assert_eq!(calc_score(line.find("local").unwrap(), &line), 1);
        assert_eq!(calc_score(line.find("kv").unwrap(), &line), 3);
    }
}
