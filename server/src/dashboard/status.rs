//! The Health page: the monitor's checks, the platform probes (uptime over 24 h, 7 d and
//! 30 d, hourly bars, latency chart), the live channel's figures, and the monitor's own
//! system charts; and the Overview's system health card.

use super::perf::custom_metric;
use crate::{
    health_checks, probes,
    render::chart::{lines_chart, Line, PALETTE},
    services::Services,
    telemetry::sampler::SERIES,
};
use protocol::{CheckView, HealthSummary, HealthView, ProbeView, Range};
use store::clock::now_ms;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn share((attempts, up): (u64, u64)) -> Option<f64> {
    (attempts > 0).then(|| up as f64 / attempts as f64)
}

/// Uptime per hour over the 24 hours before `now`, oldest first, from the results.
pub fn hourly(results: &[store::ProbeResult], now: i64) -> Vec<Option<f64>> {
    (0..24)
        .map(|h| {
            let from = now - (24 - h) * HOUR;
            let in_hour: Vec<bool> = results
                .iter()
                .filter(|r| r.at_ms >= from && r.at_ms < from + HOUR)
                .map(|r| r.up)
                .collect();
            share((
                in_hour.len() as u64,
                in_hour.iter().filter(|u| **u).count() as u64,
            ))
        })
        .collect()
}

/// Mean latency per minute (charts take unix minutes on the x axis).
fn per_minute_latency(results: &[store::ProbeResult]) -> Vec<(i64, Option<f64>)> {
    let mut out: Vec<(i64, f64, u32)> = vec![];
    for r in results {
        let m = r.at_ms.div_euclid(60_000);
        match out.last_mut() {
            Some((minute, sum, n)) if *minute == m => {
                *sum += r.latency_ms;
                *n += 1;
            }
            _ => out.push((m, r.latency_ms, 1)),
        }
    }
    out.into_iter()
        .map(|(m, sum, n)| (m, Some(sum / f64::from(n))))
        .collect()
}

pub async fn probe_views(services: &Services, now: i64) -> anyhow::Result<Vec<ProbeView>> {
    let s = &services.storage;
    let mut out = vec![];
    for (d, last) in probes::latest(services).await? {
        let name = &d.probe.name;
        let day = s.probe_results(name, now - DAY, now + 1).await?;
        let line = Line {
            name: "latency",
            color: PALETTE[0],
            points: per_minute_latency(&day),
        };
        out.push(ProbeView {
            name: name.clone(),
            kind: d.probe.kind.as_str().into(),
            target: probes::redact(&d.probe.target),
            origin: d.origin.into(),
            interval_secs: d.probe.interval_secs,
            retries: d.probe.retries,
            up: last.as_ref().map(|r| r.up),
            last_at_ms: last.as_ref().map(|r| r.at_ms),
            last_latency_ms: last.as_ref().map(|r| r.latency_ms),
            last_error: last.and_then(|r| r.error),
            uptime_24h: share(s.probe_uptime(name, now - DAY).await?),
            uptime_7d: share(s.probe_uptime(name, now - 7 * DAY).await?),
            uptime_30d: share(s.probe_uptime(name, now - 30 * DAY).await?),
            hourly: hourly(&day, now),
            latency_svg: lines_chart(&[line], Range::Day, "ms", "probe attempts"),
        });
    }
    Ok(out)
}

pub async fn view(services: &Services) -> anyhow::Result<HealthView> {
    let now = now_ms();
    let report = health_checks::report(services).await;
    let mut checks = vec![];
    for (name, ok) in [
        ("database", report.checks.database),
        ("redis", report.checks.redis),
        ("websocket", report.checks.websocket),
        ("external_apis", report.checks.external_apis),
    ] {
        let d = report.details.get(name);
        checks.push(CheckView {
            name: name.into(),
            ok,
            latency_ms: d.map(|d| d.latency_ms),
            error: d.and_then(|d| d.error.clone()),
        });
    }
    let project = services.projects.default_project()?;
    let mut system_svgs = vec![];
    for (name, label) in SERIES {
        let m = custom_metric(services, &project, name, Range::Hour).await?;
        let line = Line {
            name: label,
            color: PALETTE[system_svgs.len() % PALETTE.len()],
            points: m
                .series
                .iter()
                .map(|p| (p.start_ms / 60_000, p.p50))
                .collect(),
        };
        system_svgs.push((
            label.to_string(),
            lines_chart(&[line], Range::Hour, "", "samples"),
        ));
    }
    let (db_bytes, tables) = services.storage.capacity(now - HOUR).await?;
    let (r, l) = (&services.config.retention, &services.config.logs);
    let capacity = protocol::Capacity {
        db_bytes,
        tables,
        raw_events_days: r.raw_events_days,
        rollups_days: r.rollups_days,
        logs_days: l.retention_days,
        logs_max_rows: l.max_rows,
    };
    Ok(HealthView {
        capacity,
        ingest: services.telemetry.ingest.figures(),
        generated_at_ms: now,
        status: serde_json::to_value(report.status)?
            .as_str()
            .unwrap_or_default()
            .to_string(),
        checks,
        memory_mb: report.metrics.memory_usage,
        cpu_usage: report.metrics.cpu_usage,
        active_connections: report.metrics.active_connections,
        error_rate: report.metrics.error_rate,
        probes: probe_views(services, now).await?,
        websocket: services.live.figures(),
        system_svgs,
    })
}

/// The Overview's card: the monitor's own database (live, cheap) and the probes' latest
/// states; the slower dependency checks stay on the Health page.
pub async fn summary(services: &Services) -> anyhow::Result<HealthSummary> {
    let db_ok = tokio::time::timeout(health_checks::CHECK_TIMEOUT, services.storage.ping())
        .await
        .is_ok_and(|r| r.is_ok());
    let mut probes_up = 0;
    let mut probes_down = vec![];
    for (d, last) in probes::latest(services).await? {
        match last.map(|r| r.up) {
            Some(true) => probes_up += 1,
            Some(false) => probes_down.push(d.probe.name),
            None => {}
        }
    }
    let failing: Vec<String> = if db_ok {
        vec![]
    } else {
        vec!["database".into()]
    };
    let bad = failing.len() + probes_down.len();
    let status = match bad {
        0 => "healthy",
        1 | 2 => "degraded",
        _ => "unhealthy",
    };
    Ok(HealthSummary {
        status: status.into(),
        failing_checks: failing,
        probes_up,
        probes_down,
    })
}

#[cfg(test)]
mod tests {
    use store::ProbeResult;

    #[test]
    fn hourly_uptime_buckets_the_last_day() {
        let now = 100 * super::HOUR;
        let r = |at: i64, up: bool| ProbeResult {
            probe: "p".into(),
            at_ms: at,
            ok: up,
            up,
            latency_ms: 1.0,
            error: None,
        };
        let results = [
            r(now - 30 * 60_000, true),
            r(now - 20 * 60_000, false),
            r(now - 5 * super::HOUR, true),
        ];
        let h = super::hourly(&results, now);
        let lat = super::per_minute_latency(&results[..2]);
        assert_eq!(
            lat,
            [
                (now / 60_000 - 30, Some(1.0)),
                (now / 60_000 - 20, Some(1.0))
            ]
        );
        assert_eq!(h.len(), 24);
        assert_eq!(h[23], Some(0.5));
        assert_eq!(h[19], Some(1.0));
        assert_eq!(h[0], None);
    }
}
