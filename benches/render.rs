//! Render benchmark (plain `harness = false`, prints ns/iter): a 172-line Deployment-like template
//! (`deployment.yaml.tpl`) rendered against realistic values (`values.yaml`, ~3.8 KB) and against the
//! same values padded with ~330 KB of keys the template never reads. Render time must not grow with
//! unused values (field access never copies a map), and should stay around Go's (~1 ms or less).
//!
//! Run: `cargo bench --bench render`.
use std::hint::black_box;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rudder::template::funcs::{FuncEnv, FuncTable};
use rudder::template::value::{Map, MapEntries, MapKind, Value};
use rudder::template::{Options, Templates};

const TEMPLATE: &str = include_str!("deployment.yaml.tpl");
const VALUES: &str = include_str!("values.yaml");

/// `VALUES` plus many unused keys, as YAML text of roughly `target` bytes.
fn padded_values(target: usize) -> String {
    let mut text = String::from(VALUES);
    let mut i = 0;
    while text.len() < target {
        text.push_str(&format!(
            "unused{i}:\n  description: \"an unused block of settings number {i}\"\n  enabled: {}\n  \
             replicas: {i}\n  labels:\n    a: alpha\n    b: beta\n  list: [one, two, three, {i}]\n",
            i % 2 == 0
        ));
        i += 1;
    }
    text
}

fn context(values_yaml: &str) -> Value {
    let values = match rudder::yaml::parse_values(values_yaml, "values.yaml") {
        Ok(Value::Map(m)) => Value::Map(Map::with_kind(MapKind::Values, m.borrow().clone())),
        _ => panic!("bench values must parse"),
    };
    let mut chart = MapEntries::new();
    chart.insert("Name".into(), Value::str("api"));
    chart.insert("AppVersion".into(), Value::str("2.3.1"));
    let mut release = MapEntries::new();
    release.insert("Name".into(), Value::str("prod"));
    release.insert("Namespace".into(), Value::str("default"));
    release.insert("Service".into(), Value::str("Helm"));
    let mut top = MapEntries::new();
    top.insert("Values".into(), values);
    top.insert("Chart".into(), Value::map(chart));
    top.insert("Release".into(), Value::map(release));
    Value::Map(Map::with_kind(MapKind::Values, top))
}

fn bench(label: &str, set: &Templates, data: &Value, env: &FuncEnv) -> f64 {
    let run = || {
        set.execute("deployment.yaml", black_box(data), env)
            .expect("renders")
    };
    let out = run();
    let start = Instant::now();
    let mut iters = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        black_box(run());
        iters += 1;
    }
    let ns = start.elapsed().as_nanos() as f64 / iters as f64;
    println!(
        "{label}: {ns:.0} ns/iter ({iters} iterations, {} output bytes)",
        out.len()
    );
    ns
}

fn main() {
    let mut set = Templates::new(Rc::new(FuncTable::new()), Options::default());
    let parse_start = Instant::now();
    set.parse("deployment.yaml", TEMPLATE)
        .expect("template parses");
    println!("parse: {} ns", parse_start.elapsed().as_nanos());
    let env = FuncEnv::system();
    let small = context(VALUES);
    let big_text = padded_values(335 * 1024);
    let big = context(&big_text);
    println!(
        "values: {} bytes and {} bytes",
        VALUES.len(),
        big_text.len()
    );
    let a = bench("render, 3.8 KB values", &set, &small, &env);
    let b = bench("render, 335 KB values", &set, &big, &env);
    println!("ratio big/small: {:.2}", b / a);
}
