use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: rudder::small_alloc::SmallBlockCache = rudder::small_alloc::SmallBlockCache;

fn main() -> ExitCode {
    rudder::malloc_tuning::tune();
    rudder::cli::run(std::env::args_os())
}
