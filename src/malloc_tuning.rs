//! Tuning of glibc's allocator for a short-lived, allocation-heavy CLI.
//!
//! Commands run on a worker thread (for its large stack), and glibc gives every new thread its own
//! arena, which it makes usable page by page: one `mprotect` call per growth of a few KiB. Measured on
//! `rudder template`, `sysmalloc` and `mprotect` took about a fifth of the run. [`reserve_arena`]
//! grows the calling thread's arena once, up front: a large block is allocated and freed, the arena
//! keeps the span, and nothing is touched, so it costs no memory. For that block to come from the arena
//! (and to stay there after `free`), [`tune`] raises the mmap and trim thresholds.
//!
//! Transparent huge pages for the busy threads' first 2 MiB (sessions 6 to 13) were removed in
//! session 14: a huge page is resident as a whole, and on the small shapes of scripts/bench-template
//! the threads did not fill it, so it raised peak memory by up to 1.7 MiB for 0.3–2.2 ms less CPU
//! time a run (docs/benchmarks.md, session 14).
//!
//! Only glibc is tuned; with other C libraries the functions do nothing.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    extern "C" {
        pub fn mallopt(param: i32, value: i32) -> i32;
    }
    pub const M_TRIM_THRESHOLD: i32 = -1;
    pub const M_MMAP_THRESHOLD: i32 = -3;
}

/// Largest block served from an arena rather than by `mmap` (glibc's maximum is 32 MiB on 64-bit).
const MMAP_THRESHOLD: i32 = 32 << 20;

/// Free space at the top of an arena that is kept rather than given back.
const TRIM_THRESHOLD: i32 = 256 << 20;

/// Sets the thresholds; call once at start, before any thread is started.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; no other thread exists yet.
    unsafe {
        glibc::mallopt(glibc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        glibc::mallopt(glibc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

/// Makes `bytes` of the calling thread's arena usable in one step (see the module doc).
pub fn reserve_arena(bytes: usize) {
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        let block: Vec<u8> = Vec::with_capacity(bytes);
        drop(std::hint::black_box(block));
    }
}
