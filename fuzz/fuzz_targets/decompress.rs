//! The body decoder with its cap: the first byte picks the `Content-Encoding`, the rest
//! is the body. Whatever comes in, the output never passes the cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use monitor::ingest::decompress;

const LIMIT: usize = 256 * 1024;

fuzz_target!(|data: &[u8]| {
    let Some((first, body)) = data.split_first() else {
        return;
    };
    let encoding = ["gzip", "deflate", "br", "identity", "x-gzip", "zstd"][*first as usize % 6];
    if let Ok(out) = decompress::decode(Some(encoding), body, LIMIT) {
        assert!(out.len() <= LIMIT, "{encoding}: {} bytes past the cap", out.len());
    }
});
