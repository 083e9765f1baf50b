//! Link settings of the `rudder` executable (only executables are affected; proc-macros and the
//! library are built as usual).
//!
//! - Position-dependent (non-PIE): a PIE has to be relocated at every start, about 48 000 relative
//!   relocations that read 1.1 MiB of relocation records and dirty 1.3 MiB of `.data.rel.ro`, a tenth
//!   of the time and a fifth of the peak memory of a typical `rudder template` run. Linked at a fixed
//!   address, those pages are resolved at link time.
//! - Hot code first: `scripts/hot-symbols.txt` lists the functions a `rudder template` run executes
//!   (written by `scripts/update-hot-symbols`), as names with their hashes replaced by `*`. Each
//!   becomes a section pattern of a small linker script (`INSERT BEFORE .text`) that gathers them
//!   into a `.text.hot` output section ahead of the rest of the code, whether LLVM put them in
//!   `.text.NAME` or, for functions it takes to be cold (`#[cold]`: `Vec` and hash-table growth,
//!   error paths), `.text.unlikely.NAME`; those ran on every render, and left out they made about
//!   2.5 MiB of the rest of the text resident (session 15). The kernel maps code 64 KiB
//!   around each page fault, so packing what runs saves several MiB of peak memory. Patterns rather
//!   than exact names (lld's `--symbol-ordering-file`, used until session 13): the hashes differ
//!   between profiles and change with the toolchain, so an exact list matched almost nothing of a
//!   `measure` build. Only where lld is the linker: Rust's default for x86_64 Linux since 1.90,
//!   unless a linker is configured (cargo config or RUSTFLAGS). `RUDDER_NO_SYMBOL_ORDERING=1` turns
//!   it off.
use std::path::Path;
use std::process::Command;

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.contains("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    let ordering = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/hot-symbols.txt");
    if target == "x86_64-unknown-linux-gnu"
        && std::env::var_os("RUSTC_LINKER").is_none()
        && !rustflags_choose_linker()
        && std::env::var_os("RUDDER_NO_SYMBOL_ORDERING").is_none()
        && rustc_links_with_lld()
        && ordering.exists()
    {
        let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
        let script = Path::new(&out_dir).join("hot-text.ld");
        let patterns = std::fs::read_to_string(&ordering).expect("scripts/hot-symbols.txt");
        std::fs::write(&script, hot_text_script(&patterns)).expect("writing the linker script");
        println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=scripts/hot-symbols.txt");
    println!("cargo:rerun-if-env-changed=RUDDER_NO_SYMBOL_ORDERING");
    println!("cargo:rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
}

/// Whether RUSTFLAGS pick the linker themselves (`-C linker=…`, `-C link-self-contained=…`,
/// `-C linker-flavor=…`, `-Z linker-features=…`): then lld may not be the one linking.
fn rustflags_choose_linker() -> bool {
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    ["linker", "link-self-contained"]
        .iter()
        .any(|option| flags.contains(option))
}

/// Whether this rustc links x86_64 Linux executables with its bundled lld by default (1.90 and
/// later).
fn rustc_links_with_lld() -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let Ok(out) = Command::new(rustc).arg("--version").output() else {
        return false;
    };
    let version = String::from_utf8_lossy(&out.stdout);
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let mut numbers = version
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .split(['.', '-'])
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let (major, minor) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    (major, minor) >= (1, 90)
}

/// The linker script that places the functions matching `patterns` (one a line, `*` for hashes) in a
/// `.text.hot` output section before `.text`, in the list's order. Lines a script cannot hold
/// unquoted are skipped (the list is written without them).
fn hot_text_script(patterns: &str) -> String {
    let mut script = String::from("SECTIONS {\n  .text.hot : {\n");
    for pattern in patterns.lines().map(str::trim).filter(|p| !p.is_empty()) {
        if pattern
            .chars()
            .any(|c| c.is_whitespace() || "()[]?\";{}".contains(c))
        {
            continue;
        }
        script.push_str("    *(.text.");
        script.push_str(pattern);
        script.push_str(" .text.unlikely.");
        script.push_str(pattern);
        script.push_str(")\n");
    }
    script.push_str("  }\n} INSERT BEFORE .text;\n");
    script
}
