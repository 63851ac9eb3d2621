//! The Overview page and `GET /api/v1/overview`: traffic, errors, alerts, health and
//! business at a glance, from rollups and counters only.

use super::{business_view, status};
use crate::{
    read_model::rollups::{count_series, quantiles, range_start, series, total},
    render::chart,
    services::Services,
};
use protocol::{format_money, IssueQuery, IssueStatus, Overview, PageCount, Range, SummaryCard};
use store::{
    clock::{minute_of, now_ms},
    Metric, Project,
};

/// Unresolved issues shown on the Overview.
const OVERVIEW_ISSUES: u32 = 5;

pub async fn overview(
    services: &Services,
    project: &Project,
    range: Range,
) -> anyhow::Result<Overview> {
    let now = now_ms();
    let to = minute_of(now);
    let from = range_start(range, to);
    let s = &services.storage;
    let load_rows = s
        .rollups(project.id, Metric::Load, "", "", from, to)
        .await?;
    let views = total(
        &s.rollups(project.id, Metric::PageView, "", "", from, to)
            .await?,
    );
    let ttfb = quantiles(
        &s.rollups(project.id, Metric::Ttfb, "", "", from, to)
            .await?,
    );
    let fcp = quantiles(
        &s.rollups(project.id, Metric::FirstContentfulPaint, "", "", from, to)
            .await?,
    );
    let top_pages = s
        .top_pages(project.id, "", from, to, 10)
        .await?
        .into_iter()
        .map(|(page, views)| PageCount { page, views })
        .collect();
    let series = series(&load_rows, range, from, to);
    let lcp = quantiles(
        &s.rollups(project.id, Metric::LargestContentfulPaint, "", "", from, to)
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
    let rules = crate::alerts::ruleset::effective(services).await?;
    let active_alerts = crate::alerts::view::active(services, &rules, now).await?;
    let span = range.minutes() * 60_000;
    let (business, business_previous) =
        business_view::kpis_with_previous(services, project, span, now + 1, None).await?;
    let mut overview = Overview {
        cards: vec![],
        business,
        business_previous,
        health: status::summary(services).await?,
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
