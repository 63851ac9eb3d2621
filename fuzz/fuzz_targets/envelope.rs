//! A Sentry envelope as `POST /api/<id>/envelope/` reads it: split into items, then each
//! item turned into rows exactly as ingest does (events normalized, filtered, grouped;
//! transactions, sessions, client reports).
#![no_main]

use libfuzzer_sys::fuzz_target;
use monitor::ingest::sentry::{envelope, items};

fuzz_target!(|data: &[u8]| {
    let Ok(env) = envelope::parse(data, envelope::Limits::default()) else {
        return;
    };
    let project = store::Project {
        id: 1,
        public_key: "k".into(),
        ..Default::default()
    };
    let src = items::Source {
        project: &project,
        received_at_ms: 1_700_000_000_000,
        user_agent: Some("Mozilla/5.0"),
        sample_rate: env.sample_rate(),
    };
    let mut batch = store::IngestBatch::default();
    for item in &env.items {
        let _ = items::add(&mut batch, &src, item.header.kind.as_str(), item.payload);
    }
});
