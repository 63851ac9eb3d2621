//! A `POST /api/logs` body (winston NDJSON or a JSON array) into log lines, business
//! events and error events.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = monitor::ingest::logs::parse(data, 1, 1_700_000_000_000, 1_000, true);
});
