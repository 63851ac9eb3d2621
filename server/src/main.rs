//! `monitor`: see the crate docs of the `monitor` library for the data flow.

fn main() -> std::process::ExitCode {
    monitor::cli::main()
}
