use std::process::ExitCode;

// The default allocator; `--cfg rudder_alloc="…"` (measurements only, see Cargo.toml and
// docs/benchmarks.md) swaps it: "system" is glibc alone. (`cfg(rudder_alloc)` alone would not see a
// `rudder_alloc="…"` pair: a name and a name-value pair are different cfg options.)
#[cfg(not(any(
    rudder_alloc = "system",
    rudder_alloc = "mimalloc",
    rudder_alloc = "jemalloc"
)))]
#[global_allocator]
static ALLOCATOR: rudder::small_alloc::SmallBlockCache = rudder::small_alloc::SmallBlockCache;

#[cfg(rudder_alloc = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(rudder_alloc = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    rudder::malloc_tuning::tune();
    rudder::cli::run(std::env::args_os())
}
