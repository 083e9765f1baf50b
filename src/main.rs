use std::process::ExitCode;

// The default allocator; the `alloc-*` features (measurements only, docs/benchmarks.md) swap it.
// With several on (`--all-features`), mimalloc wins over jemalloc, and either over `alloc-system`.
#[cfg(not(any(
    feature = "alloc-system",
    feature = "alloc-mimalloc",
    feature = "alloc-jemalloc"
)))]
#[global_allocator]
static ALLOCATOR: rudder::small_alloc::SmallBlockCache = rudder::small_alloc::SmallBlockCache;

#[cfg(feature = "alloc-mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(all(feature = "alloc-jemalloc", not(feature = "alloc-mimalloc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    rudder::malloc_tuning::tune();
    rudder::cli::run(std::env::args_os())
}
