use std::process::ExitCode;

fn main() -> ExitCode {
    rudder::malloc_tuning::tune();
    rudder::teardown::process_ends_after_command();
    rudder::cli::run(std::env::args_os())
}
