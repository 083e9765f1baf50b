//! Loading a chart directory for a render, with its templates parsed while the rest is still loading.
//!
//! Reading a chart and parsing its templates are the two largest steps before rendering, and between
//! them come steps that need the whole chart (Chart.yaml, values.yaml, dependencies, coalescing,
//! schema). [`load_chart`] starts a helper thread that reads the files that look like templates
//! (`templates/…` of the chart or of a subchart directory) while the calling thread reads the others;
//! the helper then parses those templates ([`parser::parse_detached`]: the name they will be rendered
//! under is not known yet) while the calling thread builds the chart and the values. When the render
//! parses its set, [`Preparsed::parse_into`] parses what the helper has not reached yet on the calling
//! thread, takes the helper's trees and names them ([`parser::Detached::attach`]). A source is matched to
//! a parse by its text, so a file that turns out not to be rendered (a disabled subchart, a non-partial
//! of a library chart) is parsed for nothing and nothing else changes; a source without a successful
//! parse (an error, text the loader decoded differently) is parsed again the usual way, so errors and
//! their order are exactly those of [`TemplateSet::parse_all`].
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use super::backend::{Source, TemplateSet};
use crate::chart::loader::{self, Found};
use crate::chart::File;
use crate::chart::{Chart, Error};
use crate::fasthash::FastHashMap;
use crate::template::parser::{self, Detached};
use crate::template::{Error as TemplateError, FuncTable};

/// Below this many template files a chart is loaded and parsed the usual way.
///
/// The helper parses with `helm_func_table(false)`; a render with `--enable-dns` has the same names
/// (parsing checks only names), and a parse that fails for any reason is only a miss.
const MIN_TEMPLATES: usize = 16;

/// Stack of the helper thread (the parser grows its stack on deep nesting, as on any thread).
const HELPER_STACK_BYTES: usize = 64 << 20;

/// Heap made usable up front for the helper thread (see `crate::malloc_tuning`).
const HELPER_ARENA_BYTES: usize = 4 << 20;

/// Loads the chart at `path` (a directory or an archive, as [`crate::chart::load`]) and, for a
/// directory with many templates on a machine with a second core, starts parsing its templates.
pub fn load_chart(path: &Path) -> Result<(Chart, Option<Preparsed>), Error> {
    load_chart_with(path, MIN_TEMPLATES)
}

fn load_chart_with(path: &Path, min_templates: usize) -> Result<(Chart, Option<Preparsed>), Error> {
    let is_dir = std::fs::metadata(path).is_ok_and(|m| m.is_dir());
    if !is_dir || !crate::parallel::has_second_core() {
        return Ok((crate::chart::load(path)?, None));
    }
    let found = loader::walk_dir(path)?;
    let load_here = |found| Ok((loader::load_shared(loader::read_found(found)?)?, None));
    // Which walk entries are template files (`templates`), and each one's job: the same order.
    let (templates, jobs): (Vec<usize>, Vec<(String, PathBuf)>) = found
        .iter()
        .enumerate()
        .filter_map(|(i, entry)| {
            let (rel_name, full) = template_path(entry)?;
            Some((i, (rel_name.to_string(), full.to_path_buf())))
        })
        .unzip();
    if templates.len() < min_templates {
        return load_here(found);
    }
    let shared = Arc::new(Shared {
        unread: Mutex::new(0..jobs.len()),
        files: (0..jobs.len()).map(|_| Mutex::new(None)).collect(),
        texts: (0..jobs.len()).map(|_| OnceLock::new()).collect(),
        unparsed: Mutex::new(0..jobs.len()),
        jobs,
    });
    let (reads_done, wait_for_reads) = mpsc::sync_channel::<()>(1);
    let helper_shared = shared.clone();
    let helper = std::thread::Builder::new()
        .stack_size(HELPER_STACK_BYTES)
        .spawn(move || {
            crate::malloc_tuning::reserve_arena(HELPER_ARENA_BYTES);
            helper_shared.read_jobs(true);
            let _ = reads_done.send(());
            let funcs = super::funcs::helm_func_table(false);
            ParsedElsewhere(helper_shared.parse_jobs(true, &funcs))
        });
    let Ok(helper) = helper else {
        return load_here(found);
    };
    // The other entries are read here, then template files from the back until none is left.
    let mut slots: Vec<Option<Result<File, Error>>> = found
        .iter()
        .map(|entry| {
            template_path(entry)
                .is_none()
                .then(|| loader::read_entry(entry))
        })
        .collect();
    shared.read_jobs(false);
    let helper_read = wait_for_reads.recv().is_ok();
    for (job, &i) in templates.iter().enumerate() {
        let read = shared.files[job].lock().ok().and_then(|mut f| f.take());
        // A read the helper did not finish (it died) is done here.
        slots[i] = Some(read.unwrap_or_else(|| loader::read_entry(&found[i])));
    }
    // From here on, an error drops `preparsed`, which stops the helper.
    let preparsed = Preparsed {
        shared,
        helper: Some(helper),
    };
    let files = slots
        .into_iter()
        .map(|slot| slot.expect("every entry was read"))
        .collect::<Result<Vec<_>, _>>()?;
    let chart = loader::load_shared(files)?;
    Ok((chart, helper_read.then_some(preparsed)))
}

/// The paths of a walk entry that looks like a template of the chart or of a subchart directory
/// (a guess: a wrong one only costs a parse).
fn template_path(entry: &Found) -> Option<(&str, &Path)> {
    match entry {
        Found::File { rel_name, full }
            if rel_name.starts_with("templates/") || rel_name.contains("/templates/") =>
        {
            Some((rel_name, full))
        }
        _ => None,
    }
}

/// What the helper and the calling thread share: the template files (`jobs`), which of them are still
/// to be read and to be parsed (the helper takes from the front, the calling thread from the back),
/// what was read and the texts to parse.
struct Shared {
    jobs: Vec<(String, PathBuf)>,
    unread: Mutex<Range<usize>>,
    files: Vec<Mutex<Option<Result<File, Error>>>>,
    /// The text of each file read without error: the file's own buffer, which becomes the chart's,
    /// when the file is plain UTF-8 (a copy only when Go's bytes had to be escaped; such trees are
    /// given the chart's buffer of the same text when they are attached).
    texts: Vec<OnceLock<Source>>,
    unparsed: Mutex<Range<usize>>,
}

type Parses = Vec<(usize, Result<Detached, TemplateError>)>;

/// Takes the next job of `left` from its front or its back.
fn take(left: &Mutex<Range<usize>>, from_front: bool) -> Option<usize> {
    let mut left = left.lock().ok()?;
    if from_front {
        left.next()
    } else {
        left.next_back()
    }
}

impl Shared {
    /// Reads files, from the front or from the back, until none is left.
    fn read_jobs(&self, from_front: bool) {
        while let Some(job) = take(&self.unread, from_front) {
            let (rel_name, full) = &self.jobs[job];
            let read = loader::read_file(rel_name, full);
            if let Ok(file) = read.as_ref() {
                // The file's own buffer when its bytes are the text (plain UTF-8): the chart keeps
                // that buffer, so the trees share it from the start and nothing is copied.
                let text =
                    Source::within(&file.data, &crate::template::gostr::from_bytes(&file.data));
                let _ = self.texts[job].set(text);
            }
            if let Ok(mut slot) = self.files[job].lock() {
                *slot = Some(read);
            }
        }
    }

    /// Parses texts, from the front or from the back, until none is left.
    fn parse_jobs(&self, from_front: bool, funcs: &FuncTable) -> Parses {
        let mut parses = Vec::new();
        let names = &mut parser::Interner::default();
        while let Some(job) = take(&self.unparsed, from_front) {
            if let Some(text) = self.texts[job].get() {
                parses.push((job, parser::parse_detached(text, funcs, names)));
            }
        }
        parses
    }
}

/// Templates being parsed on a helper thread (see the module doc).
pub struct Preparsed {
    shared: Arc<Shared>,
    helper: Option<JoinHandle<ParsedElsewhere>>,
}

impl Drop for Preparsed {
    /// A chart that is not rendered after all (an error before the render) stops the helper at its
    /// next template.
    fn drop(&mut self) {
        if let Ok(mut left) = self.shared.unparsed.lock() {
            *left = 0..0;
        }
    }
}

/// Parses moved from the helper to the calling thread when the helper ends.
struct ParsedElsewhere(Parses);

// SAFETY: `Detached` and the template `Error` are not `Send` only because they hold `Rc`s. Every `Rc`
// in them was created by `parser::parse_detached` on the helper thread (names shared among these
// parses through the helper's own `Interner`, dropped when `parse_jobs` returns; the parser reads its
// own function table without cloning from it), so none is shared with anything outside these parses;
// the helper has ended (`join`) before the calling thread touches them, and a parse the calling thread
// never receives is dropped on the helper.
unsafe impl Send for ParsedElsewhere {}

impl Preparsed {
    /// [`TemplateSet::parse_all`] of `sources`, using the helper's parses where a source's text is
    /// one of the template texts.
    pub fn parse_into(
        mut self,
        set: &mut TemplateSet,
        sources: &[(&str, Source)],
    ) -> Result<(), TemplateError> {
        let mut parses = self.shared.parse_jobs(false, set.funcs());
        // Whatever the helper did not hand over is parsed below.
        if let Some(Ok(ParsedElsewhere(theirs))) = self.helper.take().map(JoinHandle::join) {
            parses.extend(theirs);
        }
        let texts = &self.shared.texts;
        let mut by_job: Vec<Option<Detached>> = (0..texts.len()).map(|_| None).collect();
        for (job, parse) in parses {
            by_job[job] = parse.ok();
        }
        let mut jobs_by_text: FastHashMap<&str, Vec<usize>> = FastHashMap::default();
        for (job, text) in texts.iter().enumerate().rev() {
            if let (Some(text), Some(_)) = (text.get(), &by_job[job]) {
                jobs_by_text.entry(text).or_default().push(job);
            }
        }
        let ready = sources
            .iter()
            .map(|(name, source)| {
                let job = jobs_by_text.get_mut(&**source)?.pop()?;
                by_job[job].take()?.attach_to(name, source).ok()
            })
            .collect();
        set.parse_all_with(sources, ready)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Capabilities, Engine, ReleaseOptions};
    use crate::template::Value;

    /// What `helm template` of `path` with the chart's own values gives: the manifests or the error.
    fn render(chart: Result<(Chart, Option<Preparsed>), Error>, user: &Value) -> String {
        let (mut chart, preparsed) = match chart {
            Ok(loaded) => loaded,
            Err(e) => return format!("load error: {e}"),
        };
        let user = user.clone();
        if let Err(e) = crate::chart::process_dependencies(&mut chart, &user) {
            return format!("dependency error: {e}");
        }
        let values = match crate::values::coalesce_values(&chart, &user) {
            Ok(values) => values,
            Err(e) => return format!("values error: {e}"),
        };
        let release = ReleaseOptions {
            name: "r".into(),
            namespace: "default".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        };
        let capabilities = Capabilities::for_template(None, &[]);
        match Engine::default().render_preparsed(
            &chart,
            preparsed,
            &values,
            &release,
            &capabilities,
            &mut |_, _| {},
        ) {
            Ok(files) => format!("{files:?}"),
            Err(e) => format!("render error: {e}"),
        }
    }

    /// Every chart of the repository (and every failing one under testdata/) renders the same, to
    /// the byte and to the error, whether its templates were parsed ahead on the helper or not.
    #[test]
    fn preparsed_renders_equal_plain_renders() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs: Vec<PathBuf> = vec![root.join("charts/platform")];
        for entry in std::fs::read_dir(root.join("testdata/charts")).unwrap() {
            let path = entry.unwrap().path();
            if path.join("Chart.yaml").exists() {
                dirs.push(path);
            }
        }
        dirs.sort();
        assert!(dirs.len() > 50, "{}", dirs.len());
        let mut preparsed_charts = 0;
        for dir in &dirs {
            // Generated passwords are pinned where a chart offers it.
            let user = std::fs::read_to_string(dir.join("ci/pinned-passwords.yaml")).map_or_else(
                |_| Value::empty_map(),
                |text| crate::values::yaml_input::parse_values(&text).unwrap(),
            );
            let plain = render(crate::chart::load(dir).map(|chart| (chart, None)), &user);
            let loaded = load_chart_with(dir, 1);
            preparsed_charts += usize::from(matches!(&loaded, Ok((_, Some(_)))));
            assert_eq!(render(loaded, &user), plain, "{}", dir.display());
        }
        if crate::parallel::has_second_core() {
            assert!(preparsed_charts > 50, "{preparsed_charts}");
        }
    }

    #[test]
    fn a_file_that_is_not_rendered_costs_only_its_parse() {
        let dir = std::env::temp_dir().join(format!("rudder-preload-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::create_dir_all(dir.join("files/templates")).unwrap();
        std::fs::write(
            dir.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 1.0.0\n",
        )
        .unwrap();
        // Not a template: parsed ahead (its path looks like one) and never used; broken on purpose.
        std::fs::write(dir.join("files/templates/x.yaml"), "{{ if }}").unwrap();
        // The same text twice: each file gets its own trees.
        std::fs::write(dir.join("templates/a.yaml"), "same: {{ .Template.Name }}").unwrap();
        std::fs::write(dir.join("templates/b.yaml"), "same: {{ .Template.Name }}").unwrap();
        std::fs::write(
            dir.join("templates/c.yaml"),
            "{{ define \"c/templates/c.yaml\" }}x{{ end }}",
        )
        .unwrap();
        let none = Value::empty_map();
        let plain = render(crate::chart::load(&dir).map(|chart| (chart, None)), &none);
        assert!(plain.contains("c/templates/b.yaml"), "{plain}");
        let loaded = load_chart_with(&dir, 1);
        if crate::parallel::has_second_core() {
            assert!(matches!(&loaded, Ok((_, Some(_)))));
        }
        assert_eq!(render(loaded, &none), plain);
        // A broken template is reported as without the helper.
        std::fs::write(dir.join("templates/d.yaml"), "{{ end }}").unwrap();
        let plain = render(crate::chart::load(&dir).map(|chart| (chart, None)), &none);
        assert!(
            plain.starts_with("render error: parse error at (c/templates/d.yaml:1)"),
            "{plain}"
        );
        assert_eq!(render(load_chart_with(&dir, 1), &none), plain);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
