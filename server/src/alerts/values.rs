//! The value of a rule's metric over its window, from the source the catalogue names.
//! `None` is "no data" (nothing to judge), which the state machine never treats as a
//! breach or a recovery.

use super::{catalogue::Source, rule::Rule};
use crate::{
    clock::minute_of, dashboard, rollup::Metric, state::AppState, storage::Project,
    telemetry::process,
};
use std::time::Duration;

/// Minutes `from..=to` covering the `window` that ends at `now_ms`.
pub fn window_minutes(window: Duration, now_ms: i64) -> (i64, i64) {
    let to = minute_of(now_ms);
    let span = (window.as_secs().div_ceil(60) as i64).max(1);
    (to - span + 1, to)
}

/// The custom metric a rule watches (`bundle_size` is the platform's bundle monitor's).
fn custom_name(metric: &str) -> &str {
    metric.strip_prefix("custom:").unwrap_or(metric)
}

pub async fn value(
    state: &AppState,
    project: &Project,
    rule: &Rule,
    now_ms: i64,
) -> anyhow::Result<Option<f64>> {
    let Some(info) = super::catalogue::info(&rule.metric) else {
        return Ok(None);
    };
    let (from, to) = window_minutes(rule.window, now_ms);
    let s = &state.storage;
    Ok(match info.source {
        Source::Unavailable => None,
        Source::DatabaseUp => {
            let up = tokio::time::timeout(Duration::from_secs(2), s.ping()).await;
            Some(if matches!(up, Ok(Ok(()))) { 1.0 } else { 0.0 })
        }
        Source::ErrorRate => {
            let errors: u64 = s
                .error_minutes(project.id, from, to)
                .await?
                .iter()
                .map(|m| m.1)
                .sum();
            let views = dashboard::total(
                &s.rollups(project.id, Metric::PageView, "", from, to)
                    .await?,
            );
            // No traffic and no errors: nothing to judge. Errors without page views
            // (a backend that only reports errors) count against one view.
            (views > 0 || errors > 0).then(|| errors as f64 / views.max(1) as f64)
        }
        Source::ApiP99 => {
            let rows = s.rollups(project.id, Metric::ApiCall, "", from, to).await?;
            dashboard::quantiles(&rows).p99
        }
        Source::ProcessMemory => {
            let total = process::total_memory_mb();
            (total > 0.0).then(|| process::resident_mb() / total)
        }
        Source::ProcessCpu => Some(state.telemetry.process.cpu_usage()),
        Source::Custom => {
            let rows = s
                .rollups(
                    project.id,
                    Metric::Custom,
                    custom_name(&rule.metric),
                    from,
                    to,
                )
                .await?;
            dashboard::latest_max(&rows)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_whole_minutes_ending_now() {
        assert_eq!(window_minutes(Duration::from_secs(300), 600_000), (6, 10));
        assert_eq!(window_minutes(Duration::from_secs(30), 600_000), (10, 10));
        assert_eq!(window_minutes(Duration::from_secs(90), 600_000), (9, 10));
        assert_eq!(custom_name("custom:x.y"), "x.y");
        assert_eq!(custom_name("bundle_size"), "bundle_size");
    }
}
