//! Helm's value coalescing (`pkg/chartutil/coalesce.go` in Helm v3.17.3): user values over chart
//! defaults, maps merged, scalars and lists replaced, `null` deleting a defaulted key (when coalescing,
//! not when merging), subchart values scoped under the subchart's name, and `global` copied down into
//! every subchart and merged top-down.
//!
//! Maps are shared by reference where Go shares them (globals are copied one level deep only), so the
//! same aliasing Helm has shows here too. Type conflicts are warnings, printed to stderr in Helm's
//! `log.Printf` form (`coalesce.go:237: warning: skipped value for …`); the line numbers are those of
//! Helm v3.17.3's source file, which Helm prints with `log.Lshortfile`.
use crate::chart::Chart;
use crate::template::fmt::format_v;
use crate::template::{Map, MapEntries, Value};

use super::Error;

const GLOBAL_KEY: &str = "global";

/// Where coalescing warnings go.
pub trait Warn {
    fn warn(&mut self, line: u32, message: String);
}

/// Prints warnings to stderr the way Helm's `log.Printf` does.
pub struct StderrWarnings;

impl Warn for StderrWarnings {
    fn warn(&mut self, line: u32, message: String) {
        eprintln!("coalesce.go:{line}: {message}");
    }
}

/// Collects warnings (for tests and lint).
#[derive(Default, Debug)]
pub struct CollectedWarnings(pub Vec<String>);

impl Warn for CollectedWarnings {
    fn warn(&mut self, line: u32, message: String) {
        self.0.push(format!("coalesce.go:{line}: {message}"));
    }
}

/// `chartutil.CoalesceValues`: the chart's (and its subcharts') defaults under the user's values, with
/// `null` deleting defaulted keys. Warnings go to stderr.
pub fn coalesce_values(chart: &Chart, user: &Value) -> Result<Value, Error> {
    coalesce_values_with(chart, user, false, &mut StderrWarnings)
}

/// `chartutil.MergeValues`: like [`coalesce_values`], but `null`s are kept.
pub fn merge_values(chart: &Chart, user: &Value) -> Result<Value, Error> {
    coalesce_values_with(chart, user, true, &mut StderrWarnings)
}

/// Coalesces (`merge == false`) or merges (`merge == true`) with warnings sent to `warn`.
pub fn coalesce_values_with(
    chart: &Chart,
    user: &Value,
    merge: bool,
    warn: &mut dyn Warn,
) -> Result<Value, Error> {
    let dest = match user.deep_copy() {
        Value::Map(m) => m,
        _ => Map::new(MapEntries::new()),
    };
    coalesce(warn, &mut Defaults::Copied, chart, &dest, "", merge)?;
    Ok(Value::Map(dest))
}

/// [`coalesce_values`] as the last use of the chart's values and of `user` (`helm template`, which
/// renders once and exits): rather than deep-copying them, as Helm does, every chart's `values` is
/// taken out of the chart (left nil) and reused, and so is `user`, except for maps and lists that
/// something else still holds, which are copied ([`Value::into_unshared`]). The answer is the same;
/// on a chart with a values file of several MB, the second copy was about a quarter of the peak.
pub fn coalesce_values_taking(chart: &mut Chart, user: Value) -> Result<Value, Error> {
    let mut taken = Vec::new();
    take_values(chart, &mut taken);
    let dest = match user.into_unshared() {
        Value::Map(m) => m,
        _ => Map::new(MapEntries::new()),
    };
    let mut defaults = Defaults::Taken(taken);
    coalesce(&mut StderrWarnings, &mut defaults, chart, &dest, "", false)?;
    Ok(Value::Map(dest))
}

/// Where each chart's defaults come from while coalescing.
enum Defaults {
    /// A deep copy of `chart.values` (the chart is left as it was, as in Helm).
    Copied,
    /// The values taken out of each chart beforehand, by the chart's address.
    Taken(Vec<(*const Chart, Value)>),
}

impl Defaults {
    fn of(&mut self, chart: &Chart) -> Value {
        match self {
            Defaults::Copied => chart.values.deep_copy(),
            Defaults::Taken(taken) => match taken.iter().position(|(c, _)| std::ptr::eq(*c, chart))
            {
                Some(i) => taken.swap_remove(i).1.into_unshared(),
                None => Value::Nil,
            },
        }
    }
}

fn take_values(chart: &mut Chart, out: &mut Vec<(*const Chart, Value)>) {
    out.push((chart as *const Chart, std::mem::take(&mut chart.values)));
    for sub in &mut chart.dependencies {
        take_values(sub, out);
    }
}

/// `chartutil.CoalesceTables`: `src` merged under `dst` (dst wins, `null` in dst deletes). Mutates and
/// returns `dst`.
pub fn coalesce_tables(dst: &Map, src: &Map) -> Map {
    tables(&mut StderrWarnings, dst, src, "", false);
    dst.clone()
}

/// `chartutil.MergeTables`: like [`coalesce_tables`] but keeping `null`s.
pub fn merge_tables(dst: &Map, src: &Map) -> Map {
    tables(&mut StderrWarnings, dst, src, "", true);
    dst.clone()
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce(
    warn: &mut dyn Warn,
    defaults: &mut Defaults,
    chart: &Chart,
    dest: &Map,
    prefix: &str,
    merge: bool,
) -> Result<(), Error> {
    coalesce_chart_values(warn, defaults, chart, dest, prefix, merge);
    coalesce_deps(warn, defaults, chart, dest, prefix, merge)
}

fn coalesce_deps(
    warn: &mut dyn Warn,
    defaults: &mut Defaults,
    chart: &Chart,
    dest: &Map,
    prefix: &str,
    merge: bool,
) -> Result<(), Error> {
    for sub in &chart.dependencies {
        let name = sub.name();
        let sub_values = match dest.get(name) {
            None => {
                let m = Map::new(MapEntries::new());
                dest.insert(name, Value::Map(m.clone()));
                m
            }
            Some(Value::Map(m)) => m,
            Some(other) => {
                return Err(Error::Coalesce(format!(
                    "type mismatch on {name}: {}",
                    go_percent_t(&other)
                )))
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        coalesce_globals(warn, &sub_values, dest, &sub_prefix);
        coalesce(warn, defaults, sub, &sub_values, &sub_prefix, merge)?;
        dest.insert(name, Value::Map(sub_values));
    }
    Ok(())
}

/// Go's `%t` of an interface value: `true`/`false` for bools, `%!t(type=value)` otherwise.
fn go_percent_t(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Nil => "%!t(<nil>)".to_string(),
        other => format!("%!t({}={})", other.type_name(), format_v(other)),
    }
}

fn coalesce_globals(warn: &mut dyn Warn, dest: &Map, src: &Map, prefix: &str) {
    let dest_globals = match dest.get(GLOBAL_KEY) {
        None => Map::new(MapEntries::new()),
        Some(Value::Map(m)) => m,
        Some(_) => {
            warn.warn(
                138,
                format!(
                    "warning: skipping globals because destination {GLOBAL_KEY} is not a table."
                ),
            );
            return;
        }
    };
    let src_globals = match src.get(GLOBAL_KEY) {
        None => Map::new(MapEntries::new()),
        Some(Value::Map(m)) => m,
        Some(_) => {
            warn.warn(
                145,
                format!("warning: skipping globals because source {GLOBAL_KEY} is not a table."),
            );
            return;
        }
    };
    for (key, val) in src_globals.entries() {
        if let Value::Map(table) = &val {
            // One level deep, as Go's copyMap: nested maps stay shared.
            let copied = Map::new(table.borrow().clone());
            match dest_globals.get(&key) {
                None => dest_globals.insert(key, Value::Map(copied)),
                Some(Value::Map(existing)) => {
                    tables(warn, &copied, &existing, &concat_prefix(prefix, &key), true);
                    dest_globals.insert(key, Value::Map(copied));
                }
                Some(_) => warn.warn(
                    161,
                    format!(
                        "Conflict: cannot merge map onto non-map for {}. Skipping.",
                        crate::chart::error::go_quote(&key)
                    ),
                ),
            }
        } else if matches!(dest_globals.get(&key), Some(Value::Map(_))) {
            warn.warn(175, format!("key {key} is table. Skipping"));
        } else {
            dest_globals.insert(key, val);
        }
    }
    dest.insert(GLOBAL_KEY, Value::Map(dest_globals));
}

fn coalesce_chart_values(
    warn: &mut dyn Warn,
    defaults: &mut Defaults,
    chart: &Chart,
    v: &Map,
    prefix: &str,
    merge: bool,
) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    let defaults = match defaults.of(chart) {
        Value::Map(m) => m,
        _ => return,
    };
    for (key, val) in defaults.entries() {
        match v.get(&key) {
            Some(Value::Nil) if !merge => {
                v.remove(&key);
            }
            Some(Value::Map(dest)) => match &val {
                Value::Map(src) => {
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == &*key);
                    tables(warn, &dest, src, &concat_prefix(&sub_prefix, &key), merge);
                }
                Value::Nil => {}
                _ => warn.warn(
                    237,
                    format!("warning: skipped value for {sub_prefix}.{key}: Not a table."),
                ),
            },
            Some(_) => {}
            None => v.insert(key, val),
        }
    }
}

fn tables(warn: &mut dyn Warn, dst: &Map, src: &Map, prefix: &str, merge: bool) {
    if dst.ptr_eq(src) {
        return;
    }
    for (key, val) in src.entries() {
        let full_key = concat_prefix(prefix, &key);
        match dst.get(&key) {
            Some(Value::Nil) if !merge => {
                dst.remove(&key);
            }
            None => dst.insert(key, val),
            Some(dv) => match (&val, &dv) {
                (Value::Map(src_table), Value::Map(dst_table)) => {
                    tables(warn, dst_table, src_table, &full_key, merge)
                }
                (Value::Map(_), _) => warn.warn(
                    298,
                    format!(
                        "warning: cannot overwrite table with non table for {full_key} ({})",
                        format_v(&val)
                    ),
                ),
                (_, Value::Map(_)) if !val.is_nil() => warn.warn(
                    301,
                    format!(
                        "warning: destination for {full_key} is a table. Ignoring non-table value ({})",
                        format_v(&val)
                    ),
                ),
                _ => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml_input::parse_values;

    fn chart(name: &str, values: &str, deps: Vec<Chart>) -> Chart {
        let mut c = Chart::default();
        c.metadata.name = name.into();
        c.values = parse_values(values).unwrap();
        c.dependencies = deps;
        c
    }

    fn run(c: &Chart, user: &str) -> (String, Vec<String>) {
        let mut w = CollectedWarnings::default();
        let v = coalesce_values_with(c, &parse_values(user).unwrap(), false, &mut w).unwrap();
        (format_v(&v), w.0)
    }

    #[test]
    fn user_wins_maps_merge_lists_replace() {
        let c = chart("c", "a: {b: 1, c: 2}\nl: [1, 2]\ns: x\n", vec![]);
        let (v, w) = run(&c, "a: {b: 9}\nl: [3]\n");
        assert_eq!(v, "map[a:map[b:9 c:2] l:[3] s:x]");
        assert!(w.is_empty());
    }

    #[test]
    fn null_deletes_defaulted_keys_only() {
        let c = chart("c", "a: {b: 1, c: 2}\nd: 1\n", vec![]);
        let (v, _) = run(&c, "a: {b: null}\nd: null\ne: null\n");
        assert_eq!(v, "map[a:map[c:2] e:<nil>]");
    }

    #[test]
    fn subchart_scoping_and_globals() {
        let sub = chart("sub", "x: 1\nglobal: {g: 0, h: 2}\n", vec![]);
        let c = chart("top", "global: {g: 1}\nsub: {z: 2}\n", vec![sub]);
        let (v, _) = run(&c, "sub: {x: 5}\n");
        assert_eq!(
            v,
            "map[global:map[g:1] sub:map[global:map[g:1 h:2] x:5 z:2]]"
        );
    }

    /// Taking the charts' values gives what copying them gives, on every shape above.
    #[test]
    fn taking_the_values_gives_the_same_answer() {
        let shapes = [
            ("a: {b: 1, c: 2}\nl: [1, 2]\ns: x\n", "a: {b: 9}\nl: [3]\n"),
            (
                "a: {b: 1, c: 2}\nd: 1\n",
                "a: {b: null}\nd: null\ne: null\n",
            ),
            ("global: {g: 1}\nsub: {z: 2}\n", "sub: {x: 5}\n"),
        ];
        for (values, user) in shapes {
            let sub = chart(
                "sub",
                "x: 1\nglobal: {g: 0, h: 2}\nm: {k: [1, {d: 1}]}\n",
                vec![],
            );
            let mut c = chart("top", values, vec![sub]);
            let copied = coalesce_values(&c, &parse_values(user).unwrap()).unwrap();
            let taken = coalesce_values_taking(&mut c, parse_values(user).unwrap()).unwrap();
            assert_eq!(format_v(&copied), format_v(&taken), "{values} / {user}");
            assert!(c.values.is_nil() && c.dependencies[0].values.is_nil());
        }
    }

    #[test]
    fn type_conflicts_warn_like_helm() {
        let c = chart("w", "a: {b: {c: 1}}\nc: 2\n", vec![]);
        let (_, w) = run(&c, "a: {b: 1}\nc: {d: 2}\n");
        assert_eq!(
            w,
            vec![
                "coalesce.go:298: warning: cannot overwrite table with non table for w.a.b (map[c:1])",
                "coalesce.go:237: warning: skipped value for w.c: Not a table.",
            ]
        );
    }
}
