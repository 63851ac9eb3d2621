//! Benchmark: log ingest (lines/s through the parser and the writer's storage path) and
//! search latency over N stored lines (default 1,000,000). `bench/logs.sh [lines]`.

use monitor::{config::Config, ingest::logs, startup::Application};

use std::time::Instant;
use store::{IngestBatch, LogQuery};

const BATCH: usize = 5000;

fn ndjson(start: usize, n: usize, now: i64) -> String {
    let services = ["api", "kds", "payments", "voice", "web"];
    let levels = ["info", "info", "info", "warn", "error", "debug"];
    (start..start + n)
        .map(|i| {
            serde_json::json!({
                "level": levels[i % levels.len()],
                "message": format!("request {i} handled in {} ms", i % 700),
                "timestamp": now - (1_000_000 - i as i64 % 1_000_000) * 60,
                "service": services[i % services.len()],
                "restaurant_id": format!("r-{}", i % 50),
                "orderId": format!("o-{i}"),
                "durationMs": i % 700,
            })
            .to_string()
                + "\n"
        })
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_tests(dir.path());
    config.alerts.interval_secs = 3600;
    config.logs.errors_to_issues = false;
    let app = Application::build(config).await?;
    let state = app.state().clone();
    let project = state.storage.projects().await?[0].id;
    let now = store::clock::now_ms();

    let (mut parse_s, mut write_s) = (0.0, 0.0);
    let mut bytes = 0;
    for start in (0..n).step_by(BATCH) {
        let body = ndjson(start, BATCH.min(n - start), now);
        bytes += body.len();
        let t = Instant::now();
        let p =
            logs::parse(body.as_bytes(), project, now, BATCH, false).map_err(anyhow::Error::msg)?;
        parse_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let batch = IngestBatch {
            logs: p.lines,
            ..IngestBatch::default()
        };
        state.storage.write_batch(&batch, &[]).await?;
        write_s += t.elapsed().as_secs_f64();
    }
    println!(
        "ingest: {n} lines ({:.0} MB of NDJSON): parse {:.0} lines/s, store {:.0} lines/s, together {:.0} lines/s",
        bytes as f64 / 1e6,
        n as f64 / parse_s,
        n as f64 / write_s,
        n as f64 / (parse_s + write_s)
    );

    let searches: [(&str, LogQuery); 5] = [
        ("newest 100", LogQuery::default()),
        (
            "level=error service=payments",
            LogQuery {
                level: Some("error".into()),
                service: Some("payments".into()),
                ..LogQuery::default()
            },
        ),
        (
            "last hour, text \"handled in 42 ms\"",
            LogQuery {
                from_ms: Some(now - 3_600_000),
                text: Some("handled in 42 ms".into()),
                ..LogQuery::default()
            },
        ),
        (
            "text \"request 777777 \" (all time)",
            LogQuery {
                text: Some("request 777777 ".into()),
                ..LogQuery::default()
            },
        ),
        (
            "field orderId=o-123456 (all time)",
            LogQuery {
                fields: vec![("orderId".into(), "o-123456".into())],
                ..LogQuery::default()
            },
        ),
    ];
    for (name, q) in searches {
        let t = Instant::now();
        let found = state.storage.search_logs(project, &q).await?.len();
        println!(
            "search {name}: {found} lines in {:.1} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
