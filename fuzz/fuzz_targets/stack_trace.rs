//! A JavaScript `error.stack` text (Chrome, Firefox and Safari shapes) into frames.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let frames = monitor::ingest::rum::stack::parse(&text);
    assert!(frames.len() <= text.lines().count() + 1);
});
