//! Answers the dashboard and the read API from rollups: the cost of a query depends on
//! the range and the number of pages, never on how many raw events are stored.

pub mod business_view;
pub mod perf;
pub mod status;

use store::{
    clock::{minute_of, now_ms},
    rollup::{Metric, Sketch},
    Project, RollupRow,
};

use crate::{render::chart, state::AppState};
use app::api::DashboardSource;
use protocol::{
    AlertHistoryQuery, AlertsView, AuditEntry, AuditQuery, BusinessView, CountPoint,
    CustomMetricView, EndpointStats, FiltersView, HealthView, IssueDetail, IssueQuery, IssueStatus,
    IssueSummary, LogLine, LogQuery, Overview, PageCount, ProjectInfo, Quantiles, Range,
    SeriesPoint, SettingsView,
};

/// Merges rows into quantiles.
pub fn quantiles(rows: &[RollupRow]) -> Quantiles {
    let mut merged = Sketch::new();
    let mut count = 0;
    for r in rows {
        count += r.count;
        if let Some(s) = &r.sketch {
            merged.merge(s);
        }
    }
    Quantiles {
        count,
        p50: merged.quantile(0.5),
        p95: merged.quantile(0.95),
        p99: merged.quantile(0.99),
    }
}

/// The first minute of the range ending at `now_minute`: whole buckets aligned to the
/// bucket width (so they stay put between refreshes), the last one being the current.
pub fn range_start(range: Range, now_minute: i64) -> i64 {
    let b = range.bucket_minutes();
    (now_minute.div_euclid(b) - (range.minutes() / b - 1)) * b
}

/// One point per bucket from `from` to `to_minute`, empty buckets included.
pub fn series(rows: &[RollupRow], range: Range, from: i64, to_minute: i64) -> Vec<SeriesPoint> {
    let b = range.bucket_minutes();
    let mut out = vec![];
    let mut start = from;
    let mut i = 0;
    while start <= to_minute {
        let end = start + b;
        let first = i;
        while i < rows.len() && rows[i].minute < end {
            i += 1;
        }
        let q = quantiles(&rows[first..i]);
        out.push(SeriesPoint {
            start_ms: start * 60_000,
            count: q.count,
            p50: q.p50,
            p95: q.p95,
            p99: q.p99,
        });
        start = end;
    }
    out
}

/// Counts per bucket from `from` to `to_minute`, empty buckets included.
pub fn count_series(
    minutes: &[(i64, u64)],
    range: Range,
    from: i64,
    to_minute: i64,
) -> Vec<CountPoint> {
    let b = range.bucket_minutes();
    let mut out: Vec<CountPoint> = (0..)
        .map(|i| from + i * b)
        .take_while(|start| *start <= to_minute)
        .map(|start| CountPoint {
            start_ms: start * 60_000,
            count: 0,
        })
        .collect();
    for (minute, count) in minutes {
        if let Some(p) = out.get_mut(((minute - from).div_euclid(b)) as usize) {
            if *minute >= from {
                p.count += count;
            }
        }
    }
    out
}

/// Unresolved issues shown on the Overview.
const OVERVIEW_ISSUES: u32 = 5;

pub async fn overview(
    state: &AppState,
    project: &Project,
    range: Range,
) -> anyhow::Result<Overview> {
    let now = now_ms();
    let to = minute_of(now);
    let from = range_start(range, to);
    let s = &state.storage;
    let load_rows = s.rollups(project.id, Metric::Load, "", from, to).await?;
    let views = total(
        &s.rollups(project.id, Metric::PageView, "", from, to)
            .await?,
    );
    let ttfb = quantiles(&s.rollups(project.id, Metric::Ttfb, "", from, to).await?);
    let fcp = quantiles(
        &s.rollups(project.id, Metric::FirstContentfulPaint, "", from, to)
            .await?,
    );
    let top_pages = s
        .top_pages(project.id, from, to, 10)
        .await?
        .into_iter()
        .map(|(page, views)| PageCount { page, views })
        .collect();
    let series = series(&load_rows, range, from, to);
    let lcp = quantiles(
        &s.rollups(project.id, Metric::LargestContentfulPaint, "", from, to)
            .await?,
    );
    let error_series = count_series(
        &s.error_minutes(project.id, from, to).await?,
        range,
        from,
        to,
    );
    let errors: u64 = error_series.iter().map(|p| p.count).sum();
    let sessions = s.session_health(project.id, from * 60_000, now + 1).await?;
    let recent = IssueQuery {
        status: Some(IssueStatus::Unresolved),
        limit: Some(OVERVIEW_ISSUES),
        ..IssueQuery::default()
    };
    let recent_issues = s
        .issues(project.id, &recent, now)
        .await?
        .into_iter()
        .filter(|i| i.last_seen_ms >= from * 60_000)
        .collect();
    let rules = crate::alerts::ruleset::effective(state).await?;
    let active_alerts = crate::alerts::view::active(state, &rules, now).await?;
    let span = range.minutes() * 60_000;
    let (business, business_previous) =
        business_view::kpis_with_previous(state, project, span, now + 1, None).await?;
    let mut overview = Overview {
        cards: vec![],
        business,
        business_previous,
        health: status::summary(state).await?,
        active_alerts,
        lcp,
        errors,
        errors_per_100_views: (views > 0).then(|| errors as f64 * 100.0 / views as f64),
        error_chart_svg: chart::error_chart(&error_series, range),
        error_series,
        sessions,
        recent_issues,
        project: project.slug.clone(),
        range,
        generated_at_ms: now,
        page_views: views,
        load: quantiles(&load_rows),
        ttfb,
        fcp,
        chart_svg: chart::page_load_chart(&series, range),
        series,
        top_pages,
    };
    overview.cards = summary_cards(&overview);
    Ok(overview)
}

/// A custom metric over a range: quantiles and counts per bucket, and the last value.
pub async fn custom_metric(
    state: &AppState,
    project: &Project,
    name: &str,
    range: Range,
) -> anyhow::Result<CustomMetricView> {
    let to = minute_of(now_ms());
    let from = range_start(range, to);
    let rows = state
        .storage
        .rollups(project.id, Metric::Custom, name, from, to)
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

/// Rows summed: events, page views, failures.
pub fn total(rows: &[RollupRow]) -> u64 {
    rows.iter().map(|r| r.count).sum()
}

/// The largest value of the latest minute with data: a custom metric's "last value".
pub fn latest_max(rows: &[RollupRow]) -> Option<f64> {
    rows.iter()
        .rev()
        .find_map(|r| r.sketch.as_ref().and_then(|s| s.quantile(1.0)))
}

/// Per-endpoint stats from `ApiCall` and `ApiError` rows keyed by endpoint (as
/// `rollups_by_key` orders them), slowest p95 first.
pub fn endpoint_stats(
    calls: &[RollupRow],
    failed: &[RollupRow],
    range: Range,
) -> Vec<EndpointStats> {
    let mut out: Vec<EndpointStats> = calls
        .chunk_by(|a, b| a.page == b.page)
        .map(|rows| {
            let duration = quantiles(rows);
            let endpoint = rows[0].page.clone();
            let errors: u64 = failed
                .iter()
                .filter(|f| f.page == endpoint)
                .map(|f| f.count)
                .sum();
            EndpointStats {
                error_rate: errors as f64 / duration.count.max(1) as f64,
                per_minute: duration.count as f64 / range.minutes() as f64,
                errors,
                endpoint,
                duration,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.duration
            .p95
            .partial_cmp(&a.duration.p95)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out
}

/// API endpoints over a range, slowest p95 first.
pub async fn endpoints(
    state: &AppState,
    project: &Project,
    range: Range,
) -> anyhow::Result<Vec<EndpointStats>> {
    let to = minute_of(now_ms());
    let from = range_start(range, to);
    let s = &state.storage;
    let calls = s
        .rollups_by_key(project.id, Metric::ApiCall, from, to)
        .await?;
    let failed = s
        .rollups_by_key(project.id, Metric::ApiError, from, to)
        .await?;
    Ok(endpoint_stats(&calls, &failed, range))
}

pub fn project_info(public_url: &str, p: &Project) -> ProjectInfo {
    let (scheme, host) = public_url.split_once("://").unwrap_or(("http", public_url));
    ProjectInfo {
        id: p.id,
        slug: p.slug.clone(),
        name: p.name.clone(),
        public_key: p.public_key.clone(),
        dsn: format!("{scheme}://{}@{host}/{}", p.public_key, p.id),
        script_tag: format!(
            r#"<script type="module" src="{public_url}/sdk/rum.js" data-key="{}"></script>"#,
            p.public_key
        ),
    }
}

/// The default project (the first one); every install has it after first run.
pub async fn default_project(state: &AppState) -> anyhow::Result<Project> {
    state
        .storage
        .projects()
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no project exists"))
}

/// Most recent events an issue page shows.
const DETAIL_EVENTS: u32 = 20;
/// Values shown per tag.
const DETAIL_TOP_VALUES: u32 = 5;

pub async fn issue_detail(state: &AppState, id: i64) -> anyhow::Result<Option<IssueDetail>> {
    let s = &state.storage;
    let Some(issue) = s.issue(id).await? else {
        return Ok(None);
    };
    Ok(Some(IssueDetail {
        issue,
        tags: s.issue_tags(id, DETAIL_TOP_VALUES).await?,
        events: s.issue_events(id, DETAIL_EVENTS).await?,
    }))
}

pub async fn filters_view(state: &AppState, project: &Project) -> anyhow::Result<FiltersView> {
    let day_ago = now_ms() - 24 * 3_600_000;
    Ok(FiltersView {
        project: project.slug.clone(),
        filters: state.storage.filters(project.id).await?,
        dropped_24h: state.storage.outcomes(project.id, day_ago).await?,
    })
}

#[async_trait::async_trait]
impl DashboardSource for AppState {
    async fn overview(&self, range: Range) -> Result<Overview, String> {
        let project = default_project(self).await.map_err(|e| e.to_string())?;
        overview(self, &project, range)
            .await
            .map_err(|e| format!("{e:#}"))
    }

    async fn settings(&self, username: &str) -> Result<SettingsView, String> {
        let projects = self.storage.projects().await.map_err(|e| e.to_string())?;
        let default = projects.first().ok_or("no project exists")?;
        let filters = filters_view(self, default)
            .await
            .map_err(|e| format!("{e:#}"))?;
        let tokens = self.storage.api_tokens().await.map_err(|e| e.to_string())?;
        Ok(SettingsView {
            username: username.to_string(),
            projects: projects
                .iter()
                .map(|p| project_info(&self.public_url, p))
                .collect(),
            tokens,
            demo_url: self
                .config
                .demo
                .enabled
                .then(|| "/demo/restaurant".to_string()),
            filters,
        })
    }

    async fn issues(&self, query: IssueQuery) -> Result<Vec<IssueSummary>, String> {
        let project = default_project(self).await.map_err(|e| e.to_string())?;
        self.storage
            .issues(project.id, &query, now_ms())
            .await
            .map_err(|e| e.to_string())
    }

    async fn business(
        &self,
        range: String,
        restaurant: Option<String>,
    ) -> Result<BusinessView, String> {
        let project = default_project(self).await.map_err(|e| e.to_string())?;
        business_view::view(self, &project, &range, restaurant.as_deref())
            .await
            .map_err(|e| format!("{e:#}"))
    }

    async fn logs(&self, q: LogQuery) -> Result<Vec<LogLine>, String> {
        let project = default_project(self).await.map_err(|e| e.to_string())?;
        self.storage
            .search_logs(project.id, &q)
            .await
            .map_err(|e| e.to_string())
    }

    async fn audit(&self, q: AuditQuery) -> Result<Vec<AuditEntry>, String> {
        self.storage.audit_log(&q).await.map_err(|e| e.to_string())
    }

    async fn health(&self) -> Result<HealthView, String> {
        status::view(self).await.map_err(|e| format!("{e:#}"))
    }

    async fn alerts(&self, history: AlertHistoryQuery) -> Result<AlertsView, String> {
        crate::alerts::view::page(self, history)
            .await
            .map_err(|e| format!("{e:#}"))
    }

    async fn issue_detail(&self, id: i64) -> Result<Option<IssueDetail>, String> {
        issue_detail(self, id).await.map_err(|e| format!("{e:#}"))
    }

    async fn performance(
        &self,
        range: Range,
        page: Option<String>,
        restaurant: Option<String>,
    ) -> Result<protocol::PerformanceView, String> {
        let project = default_project(self).await.map_err(|e| e.to_string())?;
        let filters = perf::Filters {
            range,
            page,
            restaurant,
        };
        perf::performance(self, &project, filters)
            .await
            .map_err(|e| format!("{e:#}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(minute: i64, values: &[f64]) -> RollupRow {
        let mut sketch = Sketch::new();
        values.iter().for_each(|v| sketch.add(*v));
        RollupRow {
            minute,
            page: String::new(),
            count: values.len() as u64,
            sum: values.iter().sum(),
            sketch: Some(sketch),
        }
    }

    #[test]
    fn day_ranges_start_on_a_bucket_boundary() {
        assert_eq!(range_start(Range::Hour, 1000), 941);
        let day = range_start(Range::Day, 10_000);
        assert_eq!(day % 15, 0);
        // 95 whole buckets before the current one (which started at 9990).
        assert_eq!(day, 9990 - 95 * 15);
    }

    #[test]
    fn series_has_a_point_per_bucket_and_merges_rows_inside_one() {
        let rows = vec![
            row(0, &[100.0; 50]),
            row(14, &[300.0; 50]),
            row(30, &[50.0]),
        ];
        let s = series(&rows, Range::Day, 0, 44);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].count, 100);
        assert!((s[0].p99.unwrap() - 300.0).abs() < 6.0, "{:?}", s[0]);
        assert!((s[0].p50.unwrap() - 100.0).abs() < 2.0, "{:?}", s[0]);
        assert_eq!(s[1].count, 0);
        assert_eq!(s[1].p50, None);
        assert_eq!(s[2].count, 1);
    }

    #[test]
    fn error_counts_land_in_their_buckets() {
        let s = count_series(&[(0, 2), (14, 1), (15, 4), (99, 9)], Range::Day, 0, 29);
        let counts: Vec<u64> = s.iter().map(|p| p.count).collect();
        assert_eq!(counts, [3, 4], "minute 99 is past the range");
        assert_eq!(s[1].start_ms, 15 * 60_000);
    }

    #[test]
    fn the_dsn_and_script_tag_name_the_key_and_host() {
        let p = Project {
            id: 1,
            slug: "restaurant-os".into(),
            name: "R".into(),
            public_key: "abc".into(),
            filters: Default::default(),
        };
        let info = project_info("http://127.0.0.1:3000", &p);
        assert_eq!(info.dsn, "http://abc@127.0.0.1:3000/1");
        assert_eq!(
            info.script_tag,
            r#"<script type="module" src="http://127.0.0.1:3000/sdk/rum.js" data-key="abc"></script>"#
        );
    }
}

use protocol::{format_money, SummaryCard};

/// The alerts, system health and business cards of an Overview, as text.
fn summary_cards(o: &Overview) -> Vec<SummaryCard> {
    let alerts = SummaryCard {
        title: "Alerts".into(),
        status: if o.active_alerts.iter().any(|a| a.state == "firing") {
            "firing".into()
        } else {
            "ok".into()
        },
        lines: if o.active_alerts.is_empty() {
            vec!["Nothing firing.".into()]
        } else {
            o.active_alerts
                .iter()
                .map(|a| {
                    let mut line = a.rule.clone();
                    if !a.instance.is_empty() {
                        line.push_str(&format!(" ({})", a.instance));
                    }
                    line.push_str(&format!(" · {} · {}", a.severity, a.state));
                    if let Some(b) = &a.acked_by {
                        line.push_str(&format!(" · acknowledged by {b}"));
                    }
                    if a.silenced_by.is_some() {
                        line.push_str(" · silenced");
                    }
                    line
                })
                .collect()
        },
        href: "/alerts".into(),
    };
    let h = &o.health;
    let mut health = vec![format!("{} probe(s) up", h.probes_up)];
    if !h.probes_down.is_empty() {
        health.push(format!("down: {}", h.probes_down.join(", ")));
    }
    if !h.failing_checks.is_empty() {
        health.push(format!("failing: {}", h.failing_checks.join(", ")));
    }
    let (k, p) = (&o.business, &o.business_previous);
    let pct = |v: Option<f64>| {
        v.map(|v| format!("{:.1} %", v * 100.0))
            .unwrap_or_else(|| "–".into())
    };
    vec![
        alerts,
        SummaryCard {
            title: format!("System health: {}", h.status),
            status: h.status.clone(),
            lines: vec![health.join(" · ")],
            href: "/status".into(),
        },
        SummaryCard {
            title: "Business".into(),
            status: "ok".into(),
            lines: vec![
                format!(
                    "{} orders ({} the range before) · revenue {}",
                    k.orders,
                    p.orders,
                    format_money(k.revenue_minor)
                ),
                format!(
                    "payments OK {} · voice → order {}",
                    pct(k.payment_success_rate),
                    pct(k.voice_conversion_rate)
                ),
            ],
            href: "/business".into(),
        },
    ]
}
