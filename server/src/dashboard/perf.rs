//! The Performance view: vitals (p75 and rating split), endpoints, slow calls, memory,
//! browsers and devices. From the rollups (for one restaurant, its own rollup rows); slow
//! calls from the raw rows.

use crate::{
    read_model::rollups::{endpoint_stats, latest_max, quantiles, range_start, series, total},
    render::chart::{self, Line, PALETTE},
    services::Services,
};
use protocol::{
    CountPoint, CustomMetricChart, CustomMetricView, EndpointStats, NamedCount, PerformanceView,
    Range, Rating, SeriesPoint, Vital, VitalSummary,
};
use store::{
    clock::{minute_of, now_ms},
    rollup::{Metric, Sketch},
    Project, RollupRow,
};

/// Custom metrics charted on the page, most points first.
const CUSTOM_CHARTS: usize = 10;

/// The rollup rows of the view: one project, one restaurant (`""`: all).
struct Rows<'a> {
    services: &'a Services,
    project: i64,
    restaurant: &'a str,
}

impl Rows<'_> {
    async fn of(
        &self,
        metric: Metric,
        key: &str,
        from: i64,
        to: i64,
    ) -> anyhow::Result<Vec<RollupRow>> {
        let s = &self.services.storage;
        Ok(
            s.rollups(self.project, metric, self.restaurant, key, from, to)
                .await?,
        )
    }

    async fn by_key(&self, metric: Metric, from: i64, to: i64) -> anyhow::Result<Vec<RollupRow>> {
        let s = &self.services.storage;
        Ok(
            s.rollups_by_key(self.project, metric, self.restaurant, from, to)
                .await?,
        )
    }
}

fn merged(rows: &[RollupRow]) -> Sketch {
    let mut s = Sketch::new();
    rows.iter()
        .filter_map(|r| r.sketch.as_ref())
        .for_each(|x| s.merge(x));
    s
}

/// Counts per key, most first.
fn named(rows: &[RollupRow], limit: usize) -> Vec<NamedCount> {
    let mut out: Vec<NamedCount> = rows
        .chunk_by(|a, b| a.page == b.page)
        .map(|g| NamedCount {
            name: g[0].page.clone(),
            count: total(g),
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    out.truncate(limit);
    out
}

/// The p75 of each bucket (web.dev rates pages by their p75).
fn p75_series(rows: &[RollupRow], range: Range, from: i64, to: i64) -> Vec<(i64, Option<f64>)> {
    let b = range.bucket_minutes();
    (0..)
        .map(|i| from + i * b)
        .take_while(|start| *start <= to)
        .map(|start| {
            let inside: Vec<RollupRow> = rows
                .iter()
                .filter(|r| r.minute >= start && r.minute < start + b)
                .cloned()
                .collect();
            (start, merged(&inside).quantile(0.75))
        })
        .collect()
}

pub struct Filters {
    pub range: Range,
    pub page: Option<String>,
    pub restaurant: Option<String>,
}

pub async fn performance(
    services: &Services,
    project: &Project,
    f: Filters,
) -> anyhow::Result<PerformanceView> {
    let flags = services.config.performance;
    let to = minute_of(now_ms());
    let from = range_start(f.range, to);
    let source = Rows {
        services,
        project: project.id,
        restaurant: f.restaurant.as_deref().unwrap_or(""),
    };
    let key = f.page.as_deref().unwrap_or("");
    let page_views = total(&source.of(Metric::PageView, key, from, to).await?);

    let mut vitals = vec![];
    let mut lines = vec![];
    for (i, v) in Vital::ALL.into_iter().enumerate() {
        let rows = source.of(Metric::of(v), key, from, to).await?;
        let p75 = merged(&rows).quantile(0.75);
        let mut split = [0u64; 3];
        for (j, r) in Rating::ALL.into_iter().enumerate() {
            split[j] = total(&source.of(Metric::Rated(v, r), key, from, to).await?);
        }
        let series = p75_series(&rows, f.range, from, to);
        // CLS has no unit: it would flatten the millisecond lines, so it is a card only.
        if v != Vital::Cls {
            lines.push(Line {
                name: v.as_str(),
                color: PALETTE[i],
                points: series.clone(),
            });
        }
        vitals.push(VitalSummary {
            vital: v,
            quantiles: quantiles(&rows),
            p75,
            rating: p75.map(|x| v.rate(x)),
            good: split[0],
            needs_improvement: split[1],
            poor: split[2],
            series: series
                .iter()
                .map(|(m, p)| SeriesPoint {
                    start_ms: m * 60_000,
                    count: 0,
                    p50: *p,
                    p95: None,
                    p99: None,
                })
                .collect(),
        });
    }
    let vitals_chart_svg = chart::lines_chart(&lines, f.range, "ms", "web vitals");

    let calls = source.by_key(Metric::ApiCall, from, to).await?;
    let failed = source.by_key(Metric::ApiError, from, to).await?;
    let endpoints = endpoint_stats(&calls, &failed, f.range);

    let memory_rows = source.of(Metric::Memory, key, from, to).await?;
    let memory = series(&memory_rows, f.range, from, to);
    let memory_lines = [
        Line {
            name: "p50",
            color: PALETTE[0],
            points: memory
                .iter()
                .map(|p| (p.start_ms / 60_000, p.p50))
                .collect(),
        },
        Line {
            name: "p95",
            color: PALETTE[1],
            points: memory
                .iter()
                .map(|p| (p.start_ms / 60_000, p.p95))
                .collect(),
        },
    ];
    let custom_rows = services
        .storage
        .rollups_by_key(project.id, Metric::Custom, "", from, to)
        .await?;
    let mut custom_metrics: Vec<CustomMetricChart> = custom_rows
        .chunk_by(|a, b| a.page == b.page)
        // The monitor's own samples have their charts on the Health page.
        .filter(|g| !g[0].page.starts_with(crate::telemetry::sampler::PREFIX))
        .map(|g| {
            let series = series(g, f.range, from, to);
            let line = |name, color, pick: fn(&SeriesPoint) -> Option<f64>| Line {
                name,
                color,
                points: series
                    .iter()
                    .map(|p| (p.start_ms / 60_000, pick(p)))
                    .collect(),
            };
            let lines = [
                line("p50", PALETTE[0], |p| p.p50),
                line("max", PALETTE[2], |p| p.p99),
            ];
            CustomMetricChart {
                name: g[0].page.clone(),
                points: total(g),
                last: latest_max(g),
                chart_svg: chart::lines_chart(&lines, f.range, "", "points"),
            }
        })
        .collect();
    custom_metrics.sort_by(|a, b| b.points.cmp(&a.points).then(a.name.cmp(&b.name)));
    custom_metrics.truncate(CUSTOM_CHARTS);
    Ok(PerformanceView {
        custom_metrics,
        range: f.range,
        page_views,
        vitals,
        vitals_chart_svg,
        endpoints,
        slow_calls: services
            .storage
            .slow_calls(
                project.id,
                from * 60_000,
                flags.slow_call_ms,
                f.restaurant.as_deref(),
                50,
            )
            .await?,
        slow_call_ms: flags.slow_call_ms,
        memory_chart_svg: chart::lines_chart(&memory_lines, f.range, "MB", "memory samples"),
        memory,
        memory_warnings: total(&source.of(Metric::MemoryWarning, key, from, to).await?),
        memory_warning_mb: flags.memory_warning_mb,
        browsers: named(&source.by_key(Metric::Browser, from, to).await?, 10),
        devices: named(&source.by_key(Metric::Device, from, to).await?, 10),
        pages: named(&source.by_key(Metric::PageView, from, to).await?, 50),
        page: f.page,
        restaurant: f.restaurant,
    })
}
/// A custom metric over a range: quantiles and counts per bucket, and the last value.
pub async fn custom_metric(
    services: &Services,
    project: &Project,
    name: &str,
    range: Range,
) -> anyhow::Result<CustomMetricView> {
    let to = minute_of(now_ms());
    let from = range_start(range, to);
    let rows = services
        .storage
        .rollups(project.id, Metric::Custom, "", name, from, to)
        .await?;
    let series = series(&rows, range, from, to);
    let last = latest_max(&rows);
    Ok(CustomMetricView {
        name: name.to_string(),
        range,
        counts: series
            .iter()
            .map(|p| CountPoint {
                start_ms: p.start_ms,
                count: p.count,
            })
            .collect(),
        series,
        last,
    })
}

/// API endpoints over a range, slowest p95 first.
pub async fn endpoints(
    services: &Services,
    project: &Project,
    range: Range,
) -> anyhow::Result<Vec<EndpointStats>> {
    let to = minute_of(now_ms());
    let from = range_start(range, to);
    let s = &services.storage;
    let calls = s
        .rollups_by_key(project.id, Metric::ApiCall, "", from, to)
        .await?;
    let failed = s
        .rollups_by_key(project.id, Metric::ApiError, "", from, to)
        .await?;
    Ok(endpoint_stats(&calls, &failed, range))
}
