//! Samples the monitor's own figures every 10 s into custom metrics of the default
//! project (`monitor.memory_mb`, `monitor.memory_share`, `monitor.cpu`,
//! `monitor.connections`, `monitor.requests_per_s`, `monitor.error_rate`,
//! `monitor.dropped_events`), through the
//! ingest queue like any other point, for the Health page's charts and the
//! `monitor_cpu_usage` / `monitor_memory_usage` alert metrics; and pushes a `metrics`
//! event on the live channel. It is the one place the CPU share is measured: over its
//! own interval, so two reads close together cannot make a spike.

use super::process;
use crate::state::AppState;
use std::time::Duration;
use store::{clock::now_ms, CustomPoint, IngestBatch};
use tokio_util::sync::CancellationToken;

pub const EVERY: Duration = Duration::from_secs(10);

/// The monitor's own series are named `monitor.*`.
pub const PREFIX: &str = "monitor.";

/// The monitor's CPU share of all cores.
pub const CPU: &str = "monitor.cpu";
/// The monitor's memory as a share of the machine's.
pub const MEMORY_SHARE: &str = "monitor.memory_share";

/// Rows the database refused as invalid since the previous sample.
pub const DROPPED: &str = "monitor.dropped_events";

/// The series the sampler writes, with their chart labels.
pub const SERIES: [(&str, &str); 7] = [
    ("monitor.memory_mb", "Memory (MB)"),
    (MEMORY_SHARE, "Memory (share of the machine)"),
    (CPU, "CPU (share of all cores)"),
    ("monitor.connections", "Open connections"),
    ("monitor.requests_per_s", "Requests per second"),
    ("monitor.error_rate", "5xx share (5 min)"),
    (DROPPED, "Rows dropped as invalid"),
];

pub async fn run(state: AppState, stop: CancellationToken) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_total = state.telemetry.requests.total();
    let dropped = || {
        state
            .telemetry
            .ingest
            .dropped_events
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let mut last_dropped = dropped();
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let t = &state.telemetry;
        let total = t.requests.total();
        let rate = total.saturating_sub(last_total) as f64 / EVERY.as_secs_f64();
        last_total = total;
        let connections = t.requests.in_flight() + state.live.figures().active;
        let (memory, machine) = (process::resident_mb(), process::total_memory_mb());
        let now_dropped = dropped();
        let newly_dropped = now_dropped.saturating_sub(last_dropped);
        last_dropped = now_dropped;
        let values = [
            memory,
            if machine > 0.0 { memory / machine } else { 0.0 },
            t.process.sample(),
            connections as f64,
            rate,
            t.requests.error_rate(),
            newly_dropped as f64,
        ];
        state.live.publish_local(serde_json::json!({
            "type": "metrics",
            "memory_mb": values[0], "cpu": values[2], "connections": values[3],
            "requests_per_s": values[4], "error_rate": values[5],
        }));
        let Some(project) = state
            .storage
            .projects()
            .await
            .ok()
            .and_then(|p| p.into_iter().next())
        else {
            continue;
        };
        let at = now_ms();
        let custom = SERIES
            .iter()
            .zip(values)
            .map(|((name, _), value)| CustomPoint {
                project_id: project.id,
                name: name.to_string(),
                at_ms: at,
                value,
            })
            .collect();
        // A full queue means ingest is busy: skipping a sample is fine.
        let _ = state.queue.try_enqueue(IngestBatch {
            custom,
            ..IngestBatch::default()
        });
    }
}
