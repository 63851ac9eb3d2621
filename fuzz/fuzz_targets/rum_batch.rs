//! A RUM beacon batch as `POST /api/rum` reads it: parsed and validated, then turned into
//! rows as ingest does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use monitor::ingest::rum;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Ok(batch) = rum::parse(data, 100) else {
        return;
    };
    let src = rum::convert::Source {
        project: Arc::new(store::Project {
            id: 1,
            public_key: "k".into(),
            ..Default::default()
        }),
        received_at_ms: 1_700_000_000_000,
        user_agent: Some("Mozilla/5.0".into()),
    };
    let mut out = store::IngestBatch::default();
    rum::convert::into_batch(batch, &src, &mut out);
});
