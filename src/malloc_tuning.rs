//! Tuning of glibc's allocator for a short-lived, allocation-heavy CLI.
//!
//! Commands run on a worker thread (for its large stack), and glibc gives every new thread its own
//! arena, which it makes usable page by page: one `mprotect` call per growth of a few KiB. Measured on
//! `rudder template`, `sysmalloc` and `mprotect` took about a fifth of the run. [`reserve_arena`]
//! grows the calling thread's arena once, up front: a large block is allocated and freed, the arena
//! keeps the span, and nothing is touched, so it costs no memory. For that block to come from the arena
//! (and to stay there after `free`), [`tune`] raises the mmap and trim thresholds.
//!
//! Fresh memory is expensive on the machines we measure on: touching a new 4 KiB page costs about
//! 2 µs (the fault, zeroing the page, and freeing it at exit), 0.6 ms per MiB, and `rudder template`
//! of a 320-template chart touched about 1 600 pages, a quarter of its CPU time. A transparent huge
//! page costs about a fifth as much per MiB (one fault for 2 MiB). [`reserve_arena_with_huge_page`]
//! backs the first 2 MiB that a busy thread allocates with one: it moves the arena's next allocation
//! to a 2 MiB boundary (the skipped space is reserved, never touched), asks for a huge page there
//! (`MADV_HUGEPAGE`, which the kernel honours in its default `madvise` mode) and then reserves as
//! [`reserve_arena`] does, which makes the whole 2 MiB usable before anything touches it. It is for
//! threads that allocate more than 2 MiB on the workloads we measure (the command worker, and the
//! chart preloader, whose arena the head reader then takes over): there the page is used fully and
//! peak memory does not grow. A small command's worker may leave part of its page unused.
//! On the 320-template chart: 1 580 → 460 page faults, a quarter less CPU time, the same peak.
//!
//! Only glibc is tuned; with other C libraries the functions do nothing.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    extern "C" {
        pub fn mallopt(param: i32, value: i32) -> i32;
        pub fn madvise(addr: *mut u8, len: usize, advice: i32) -> i32;
    }
    pub const MADV_HUGEPAGE: i32 = 14;
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

/// Size of a transparent huge page (x86-64, and aarch64 with 4 KiB pages).
const HUGE_PAGE: usize = 2 << 20;

/// Room left below the huge page for the blocks allocated before it is reached.
const SLACK: usize = 8 << 10;

/// [`reserve_arena`] for a thread that will allocate at least 2 MiB, whose first 2 MiB then come
/// from one transparent huge page (see the module doc). At least 4 MiB are reserved, whatever
/// `bytes` says: the reservation is what makes the page's whole range usable before anything
/// touches it. Call it first thing on a new thread, which glibc gives a new arena, in a process that
/// called [`tune`] (otherwise the large blocks involved are mapped on their own, and nothing
/// changes).
pub fn reserve_arena_with_huge_page(bytes: usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::hint::black_box;
        // Where the arena's next block goes (a request too large for the small-block cache).
        let probe: Vec<u8> = black_box(Vec::with_capacity(crate::small_alloc::MAX_SMALL + 1));
        let next = probe.as_ptr() as usize;
        drop(probe);
        let boundary = (next + SLACK + HUGE_PAGE - 1) & !(HUGE_PAGE - 1);
        // Never touched and never freed: it only moves the next allocations up to the boundary.
        std::mem::forget(black_box(Vec::<u8>::with_capacity(boundary - next - SLACK)));
        // SAFETY: the range lies in the arena's reserved mapping beyond everything allocated so far;
        // the advice only changes how its pages are backed, never their contents.
        unsafe {
            glibc::madvise(boundary as *mut u8, HUGE_PAGE, glibc::MADV_HUGEPAGE);
        }
    }
    reserve_arena(bytes.max(2 * HUGE_PAGE));
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// `AnonHugePages` of the mapping of this process that contains `address`, in KiB.
    fn huge_kib_around(address: usize) -> Option<u64> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut inside = false;
        for line in smaps.lines() {
            let mut words = line.split_whitespace();
            let first = words.next().unwrap_or_default();
            if let Some((start, end)) = first.split_once('-') {
                if let (Ok(start), Ok(end)) = (
                    usize::from_str_radix(start, 16),
                    usize::from_str_radix(end, 16),
                ) {
                    inside = (start..end).contains(&address);
                    continue;
                }
            }
            if inside && first == "AnonHugePages:" {
                return words.next()?.parse().ok();
            }
        }
        None
    }

    /// Set in the fresh process the test below runs itself in.
    const ALONE: &str = "RUDDER_TEST_HUGE_PAGE_ALONE";

    /// On a new thread the first 2 MiB allocated come from one huge page, where the kernel grants
    /// huge pages on request (its `madvise` or `always` mode); elsewhere allocation still works.
    #[test]
    fn a_busy_threads_first_allocations_share_a_huge_page() {
        if std::env::var_os(ALONE).is_none() {
            // Among the other tests' threads glibc may give the new thread an arena already in use,
            // so the test runs again in a fresh process of its own.
            let name = "malloc_tuning::tests::a_busy_threads_first_allocations_share_a_huge_page";
            let output = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", name, "--test-threads=1"])
                .env(ALONE, "1")
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success() && stdout.contains("1 passed"),
                "{stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            );
            return;
        }
        // As the binary does first thing (raising the thresholds only changes where blocks come from).
        tune();
        let huge = std::thread::spawn(|| {
            reserve_arena_with_huge_page(4 << 20);
            // Blocks of both kinds: the small-block cache's spans and glibc's own chunks.
            let small: Vec<Box<[u8; 64]>> = (0..8_000).map(|_| Box::new([1; 64])).collect();
            let large: Vec<Vec<u8>> = (0..200).map(|_| vec![2; 4096]).collect();
            let address = large[100].as_ptr() as usize;
            let huge = huge_kib_around(address);
            assert!(small.iter().all(|b| b[63] == 1) && large.iter().all(|v| v[4095] == 2));
            huge
        })
        .join()
        .unwrap();
        let mode = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
            .unwrap_or_default();
        if mode.contains("[madvise]") || mode.contains("[always]") {
            assert!(huge.unwrap_or(0) >= 2048, "{huge:?} KiB of huge pages");
        }
    }
}
