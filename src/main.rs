use std::process::ExitCode;

fn main() -> ExitCode {
    rudder::cli::run(std::env::args_os())
}
