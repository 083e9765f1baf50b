//! Fuzz target: parsing arbitrary template text must never panic, hang or overflow the stack.
#![no_main]

use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use rudder::template::funcs::FuncTable;
use rudder::template::{Options, Templates};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut set = Templates::new(Rc::new(FuncTable::new()), Options::default());
    if let Err(e) = set.parse("fuzz", text) {
        // Formatting the error exercises Display and the caret report.
        let _ = format!("{e} {e:#}");
    }
});
