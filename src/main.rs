use std::process::ExitCode;

fn main() -> ExitCode {
    rudder::malloc_tuning::tune();
    rudder::cli::run(std::env::args_os())
}
