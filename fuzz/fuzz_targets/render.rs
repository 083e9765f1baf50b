//! Fuzz target: parse then execute arbitrary templates against a fixed data tree with a fuel limit.
//! The first byte picks the options (missing key mode, range over int). Execution must never panic,
//! hang or overflow the stack; errors are fine.
#![no_main]

use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use rudder::template::funcs::{FuncEnv, FuncTable};
use rudder::template::value::{MapEntries, Value};
use rudder::template::{MissingKey, Options, Templates};

fn data() -> Value {
    let mut inner = MapEntries::new();
    inner.insert("s".into(), Value::str("text"));
    inner.insert("n".into(), Value::Float(1.5));
    inner.insert("i".into(), Value::int(3));
    inner.insert("nil".into(), Value::Nil);
    inner.insert(
        "l".into(),
        Value::list(vec![Value::str("a"), Value::int(1), Value::Nil]),
    );
    let mut top = MapEntries::new();
    top.insert("Values".into(), Value::map(inner.clone()));
    top.insert("m".into(), Value::map(inner));
    top.insert("b".into(), Value::Bool(true));
    Value::map(top)
}

fuzz_target!(|bytes: &[u8]| {
    let Some((&opts, rest)) = bytes.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let options = Options {
        missing_key: match opts % 3 {
            0 => MissingKey::Zero,
            1 => MissingKey::Default,
            _ => MissingKey::Error,
        },
        range_over_int: opts & 4 != 0,
    };
    let mut set = Templates::new(Rc::new(FuncTable::new()), options);
    set.set_fuel(Some(50_000));
    if set.parse("fuzz", text).is_err() {
        return;
    }
    let env = FuncEnv::deterministic(chrono::DateTime::UNIX_EPOCH, 1);
    if let Err(e) = set.execute("fuzz", &data(), &env) {
        let _ = format!("{e} {e:#}");
    }
});
