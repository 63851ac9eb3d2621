//! The Server view: requests the platform's servers answered, per service and route
//! (count, 5xx share, p50/p95/p99), their latency over time, and the database queries
//! their transactions ran. From rollups (restaurant included), filtered by service and
//! environment in the rollup keys.

use crate::{
    read_model::rollups::{quantiles, range_start, series, total},
    render::chart::{self, Line, PALETTE},
    services::Services,
};
use protocol::{QuerySample, QueryStats, Range, RouteStats, ServerView};
use std::collections::{BTreeMap, BTreeSet};
use store::{
    clock::{minute_of, now_ms},
    rollup::Metric,
    split_server_key, Project, RollupRow,
};

/// Statements shown in the Database queries table, and slowest runs per statement.
const QUERIES: usize = 20;
const SLOWEST: u32 = 3;

pub struct Filters {
    pub range: Range,
    pub service: Option<String>,
    pub environment: Option<String>,
    pub restaurant: Option<String>,
}

/// Rows keyed by key, in minute order within each key, as `rollups_by_key` gives them.
fn by_key(rows: Vec<RollupRow>) -> BTreeMap<String, Vec<RollupRow>> {
    let mut out: BTreeMap<String, Vec<RollupRow>> = BTreeMap::new();
    for r in rows {
        out.entry(r.page.clone()).or_default().push(r);
    }
    out
}

/// All keys' rows merged per minute.
fn per_minute(groups: &[&Vec<RollupRow>]) -> Vec<RollupRow> {
    let mut minutes: BTreeMap<i64, RollupRow> = BTreeMap::new();
    for r in groups.iter().flat_map(|g| g.iter()) {
        let m = minutes.entry(r.minute).or_insert_with(|| RollupRow {
            minute: r.minute,
            restaurant: r.restaurant.clone(),
            page: String::new(),
            count: 0,
            weighted: 0.0,
            sum: 0.0,
            sketch: Some(store::Sketch::new()),
        });
        m.count += r.count;
        m.weighted += r.weighted;
        m.sum += r.sum;
        if let (Some(into), Some(s)) = (m.sketch.as_mut(), r.sketch.as_ref()) {
            into.merge(s);
        }
    }
    minutes.into_values().collect()
}

pub async fn view(
    services: &Services,
    project: &Project,
    f: Filters,
) -> anyhow::Result<ServerView> {
    let to = minute_of(now_ms());
    let from = range_start(f.range, to);
    let s = &services.storage;
    let restaurant = f.restaurant.as_deref().unwrap_or("");
    let requests = by_key(
        s.rollups_by_key(project.id, Metric::ServerRequest, restaurant, from, to)
            .await?,
    );
    let failed = by_key(
        s.rollups_by_key(project.id, Metric::ServerError, restaurant, from, to)
            .await?,
    );
    let (mut services_seen, mut environments) = (BTreeSet::new(), BTreeSet::new());
    let wanted = |key: &str| {
        let (service, env, _) = split_server_key(key);
        f.service.as_deref().is_none_or(|s| s == service)
            && f.environment.as_deref().is_none_or(|e| e == env)
    };
    let mut routes = vec![];
    let mut kept = vec![];
    for (key, rows) in &requests {
        let (service, env, endpoint) = split_server_key(key);
        services_seen.insert(service.to_string());
        if !env.is_empty() {
            environments.insert(env.to_string());
        }
        if !wanted(key) {
            continue;
        }
        kept.push(rows);
        let n = total(rows);
        let bad = failed.get(key).map_or(0, |r| total(r));
        routes.push(RouteStats {
            service: service.into(),
            environment: env.into(),
            endpoint: endpoint.into(),
            requests: n,
            failed: bad,
            error_rate: bad as f64 / n.max(1) as f64,
            duration: quantiles(rows),
        });
    }
    routes.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then(a.endpoint.cmp(&b.endpoint))
    });
    let all = per_minute(&kept);
    let (n, bad) = (
        routes.iter().map(|r| r.requests).sum::<u64>(),
        routes.iter().map(|r| r.failed).sum::<u64>(),
    );
    let points = series(&all, f.range, from, to);
    let lines = [
        Line {
            name: "p50",
            color: PALETTE[0],
            points: points
                .iter()
                .map(|p| (p.start_ms / 60_000, p.p50))
                .collect(),
        },
        Line {
            name: "p95",
            color: PALETTE[1],
            points: points
                .iter()
                .map(|p| (p.start_ms / 60_000, p.p95))
                .collect(),
        },
        Line {
            name: "p99",
            color: PALETTE[2],
            points: points
                .iter()
                .map(|p| (p.start_ms / 60_000, p.p99))
                .collect(),
        },
    ];
    let queries = queries(services, project, &f, restaurant, from, to).await?;
    Ok(ServerView {
        range: f.range,
        service: f.service,
        environment: f.environment,
        restaurant: f.restaurant,
        services: services_seen.into_iter().collect(),
        environments: environments.into_iter().collect(),
        requests: n,
        failed: bad,
        error_rate: (n > 0).then(|| bad as f64 / n as f64),
        latency: quantiles(&all),
        chart_svg: chart::lines_chart(&lines, f.range, "ms", "requests"),
        series: points,
        routes,
        queries,
        slow_query_ms: services.config.performance.slow_query_ms,
    })
}

/// The statements of the filtered services, slowest p95 first, with their slowest runs.
async fn queries(
    services: &Services,
    project: &Project,
    f: &Filters,
    restaurant: &str,
    from: i64,
    to: i64,
) -> anyhow::Result<Vec<QueryStats>> {
    let s = &services.storage;
    let calls = by_key(
        s.rollups_by_key(project.id, Metric::DbQuery, restaurant, from, to)
            .await?,
    );
    let slow = by_key(
        s.rollups_by_key(project.id, Metric::DbSlow, restaurant, from, to)
            .await?,
    );
    let mut out: Vec<QueryStats> = calls
        .iter()
        .filter_map(|(key, rows)| {
            let (service, statement) = key.split_once('\t')?;
            if f.service.as_deref().is_some_and(|s| s != service) {
                return None;
            }
            let q = quantiles(rows);
            let mut merged = store::Sketch::new();
            rows.iter()
                .filter_map(|r| r.sketch.as_ref())
                .for_each(|x| merged.merge(x));
            Some(QueryStats {
                service: service.into(),
                statement: statement.into(),
                calls: total(rows),
                slow: slow.get(key).map_or(0, |r| total(r)),
                p95: q.p95,
                max: merged.quantile(1.0),
                slowest: vec![],
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.p95
            .partial_cmp(&a.p95)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out.truncate(QUERIES);
    for q in &mut out {
        q.slowest = s
            .slowest_queries(
                project.id,
                from * 60_000,
                Some((&q.service, &q.statement)),
                SLOWEST,
            )
            .await?
            .into_iter()
            .filter(|x| restaurant.is_empty() || x.restaurant_id.as_deref() == Some(restaurant))
            .map(|x| QuerySample {
                at_ms: x.at_ms,
                duration_ms: x.duration_ms,
                transaction: x.transaction,
                restaurant_id: x.restaurant_id,
            })
            .collect();
    }
    Ok(out)
}
