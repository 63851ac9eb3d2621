//! Benchmark: one evaluation of N alert rules (default 1,000) over a populated SQLite
//! database: an hour of traffic from 50 restaurants (page loads, API calls, errors,
//! custom metrics). Prints the time per evaluation and what it read.
//!
//! `bench/alerts.sh [rules]` builds and runs it in release mode.

use monitor::{
    alerts::{engine, rule::Rule},
    config::Config,
    startup::Application,
};

use std::time::{Duration, Instant};
use store::{rollup, ApiCallRow, CustomPoint, IngestBatch, NewErrorEvent, RumEventRow};

const RESTAURANTS: usize = 50;
const MINUTES: i64 = 60;

fn rules(n: usize) -> Vec<Rule> {
    (0..n)
        .map(|i| {
            let (metric, window, restaurant, split, threshold) = match i % 5 {
                0 => ("error_rate".to_string(), 5 + (i % 3) * 5, None, false, 0.01 * (i % 10) as f64),
                1 => ("error_rate".into(), 5, Some(format!("r-{}", i % RESTAURANTS)), false, 0.05),
                2 => ("response_time_p99".into(), 5 + (i % 2) * 5, None, false, 1000.0 + i as f64),
                3 => ("response_time_p99".into(), 10, None, true, 2000.0),
                _ => (format!("custom:metric-{}", i % 20), 5, None, false, 50.0),
            };
            let toml = format!(
                "[[rule]]\nname = \"rule-{i}\"\nseverity = \"{}\"\nmetric = \"{metric}\"\n\
                 comparison = \">\"\nthreshold = {threshold}\nwindow = \"{window}m\"\ncooldown = \"10m\"\n\
                 split_by_restaurant = {split}\n{}",
                if i % 2 == 0 { "critical" } else { "warning" },
                restaurant
                    .map(|r| format!("[rule.filters]\nrestaurant = \"{r}\"\n"))
                    .unwrap_or_default(),
            );
            monitor::alerts::rule::parse(&toml, "bench").unwrap().remove(0)
        })
        .collect()
}

/// One minute of traffic: per restaurant 20 page loads, 30 API calls, 2 errors; and 20
/// custom metrics.
fn minute(project_id: i64, at: i64, seed: usize) -> IngestBatch {
    let mut b = IngestBatch::default();
    for r in 0..RESTAURANTS {
        let restaurant = Some(format!("r-{r}"));
        for k in 0..20 {
            b.page_loads.push(RumEventRow {
                project_id,
                received_at_ms: at + k,
                client_ts_ms: None,
                kind: "pageload",
                page: format!("/menu/{}", k % 5),
                session_id: None,
                user_agent: None,
                restaurant_id: restaurant.clone(),
                ttfb: Some(80.0),
                dcl: Some(400.0),
                load: Some(900.0 + (k * 10) as f64),
                fp: None,
                fcp: Some(500.0),
                lcp: Some(1200.0),
                cls: None,
                inp: None,
                source: "rum",
                weight: 1.0,
            });
        }
        for k in 0..30usize {
            b.api_calls.push(ApiCallRow {
                project_id,
                received_at_ms: at + k as i64,
                page: None,
                method: "POST".into(),
                route: format!("/api/orders/:id/{}", k % 3),
                status: Some(if (k + seed).is_multiple_of(17) {
                    500
                } else {
                    200
                }),
                duration_ms: 100.0 + ((k * 37 + r * 11 + seed) % 900) as f64,
                session_id: None,
                restaurant_id: restaurant.clone(),
                source: "rum",
                weight: 1.0,
            });
        }
        for k in 0..2 {
            b.errors.push(NewErrorEvent {
                project_id,
                fingerprint: format!("printer-{}", (r + k) % 7),
                title: "printer jam".into(),
                culprit: None,
                level: "error".into(),
                received_at_ms: at + k as i64,
                event_id: None,
                environment: Some("production".into()),
                release: None,
                user_key: None,
                restaurant_id: restaurant.clone(),
                tags: vec![],
                body: "{}".into(),
            });
        }
    }
    for m in 0..20 {
        b.custom.push(CustomPoint {
            project_id,
            name: format!("metric-{m}"),
            at_ms: at,
            value: ((seed + m) % 100) as f64,
        });
    }
    b
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1000);
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_tests(dir.path());
    config.alerts.interval_secs = 3600;
    let app = Application::build(config).await?;
    let state = app.state().clone();
    let project = state.storage.projects().await?[0].clone();
    let now = store::clock::now_ms();

    let fill = Instant::now();
    let mut rows = 0;
    for m in 0..MINUTES {
        let at = now - (MINUTES - m) * 60_000;
        let batch = minute(project.id, at, m as usize);
        rows += batch.page_loads.len()
            + batch.api_calls.len()
            + batch.errors.len()
            + batch.custom.len();
        let deltas = rollup::aggregate(&batch, &state.config.performance);
        state.storage.write_batch(&batch, &deltas).await?;
    }
    println!(
        "populated: {rows} rows (an hour of {RESTAURANTS} restaurants) in {:.1} s",
        fill.elapsed().as_secs_f64()
    );

    let rules = rules(n);
    let mut states = engine::States::new();
    let mut times = vec![];
    for k in 0..6 {
        let t = Instant::now();
        engine::evaluate(&state, &rules, &mut states, now + k * 15_000).await?;
        times.push(t.elapsed());
    }
    let instances = states.len();
    let history = state
        .storage
        .alert_history(&protocol::AlertHistoryQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .len();
    let first = times[0];
    let mut rest: Vec<Duration> = times[1..].to_vec();
    rest.sort();
    println!("rules: {n} (error rate, per-restaurant error rate, API p99, split API p99, custom)");
    println!("alert instances with a state: {instances}; history rows: {history}");
    println!(
        "evaluation: first {:.0} ms (every instance changes state); steady p50 {:.0} ms, max {:.0} ms",
        first.as_secs_f64() * 1000.0,
        rest[rest.len() / 2].as_secs_f64() * 1000.0,
        rest[rest.len() - 1].as_secs_f64() * 1000.0
    );
    Ok(())
}
