//! `monitor`: see the crate docs of the `monitor` library for the data flow.

// Ingest allocates small, short-lived buffers on every request; mimalloc serves that
// pattern with less contention than glibc malloc (measured in bench/run.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    monitor::cli::main()
}
