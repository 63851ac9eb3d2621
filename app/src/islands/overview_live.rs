use leptos::prelude::*;
use protocol::{format_ms, PageCount, Quantiles, Range, SessionHealth, SummaryCard};
use serde::{Deserialize, Serialize};

/// What the island renders: the fields of `Overview` it uses (the read API's JSON reads
/// into it, the rest ignored), so the wasm carries no code for the others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveOverview {
    pub range: Range,
    pub page_views: u64,
    pub load: Quantiles,
    pub ttfb: Quantiles,
    pub fcp: Quantiles,
    pub lcp: Quantiles,
    pub chart_svg: String,
    pub errors: u64,
    pub error_chart_svg: String,
    pub errors_per_100_views: Option<f64>,
    pub sessions: SessionHealth,
    pub top_pages: Vec<PageCount>,
    pub recent_issues: Vec<IssueLine>,
    pub cards: Vec<SummaryCard>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssueLine {
    pub id: i64,
    pub title: String,
    pub events: u64,
    pub restaurants: u64,
}

impl From<protocol::Overview> for LiveOverview {
    fn from(o: protocol::Overview) -> Self {
        LiveOverview {
            range: o.range,
            page_views: o.page_views,
            load: o.load,
            ttfb: o.ttfb,
            fcp: o.fcp,
            lcp: o.lcp,
            chart_svg: o.chart_svg,
            errors: o.errors,
            error_chart_svg: o.error_chart_svg,
            errors_per_100_views: o.errors_per_100_views,
            sessions: o.sessions,
            top_pages: o.top_pages,
            recent_issues: o
                .recent_issues
                .into_iter()
                .map(|i| IssueLine {
                    id: i.id,
                    title: i.title,
                    events: i.events,
                    restaurants: i.restaurants,
                })
                .collect(),
            cards: o.cards,
        }
    }
}

/// How often the Overview refreshes itself when the live channel says nothing.
pub const REFRESH_SECS: u64 = 30;

/// The live part of the Overview: range switch, stat cards, chart, top pages.
#[island]
pub fn OverviewLive(initial: LiveOverview) -> impl IntoView {
    let data = RwSignal::new(initial);
    let status = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let load = move |range: Range| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            busy.set(true);
            let url = format!("/api/v1/overview?range={}", range.as_str());
            match super::fetch::get_json::<LiveOverview>(&url).await {
                Ok(ov) => {
                    data.set(ov);
                    status.set(Some(format!("Updated {}", super::fetch::local_time_now())));
                }
                Err(e) => status.set(Some(format!("Refresh failed: {e}"))),
            }
            busy.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = range;
    };

    // Live updates: an alert or probe event reloads the data at once; the timer below
    // stays as the fallback.
    let live = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(ws) = super::fetch::live(move |text| {
            if text.contains("\"type\":\"alert\"")
                || text.contains("\"type\":\"probe\"")
                || text.contains("\"type\":\"resync\"")
            {
                if !busy.get_untracked() {
                    load(data.with_untracked(|d| d.range));
                }
            } else if text.contains("\"type\":\"hello\"") {
                live.set(true);
            }
        }) {
            on_cleanup(move || {
                let _ = ws.close();
            });
        }
    });

    // Effects only run in the browser, so the timer never exists on the server.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || load(data.with_untracked(|d| d.range)),
            std::time::Duration::from_secs(REFRESH_SECS),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    });

    let range_button = move |range: Range| {
        view! {
            <button
                type="button"
                class:active=move || data.with(|d| d.range == range)
                aria-pressed=move || data.with(|d| (d.range == range).to_string())
                disabled=move || busy.get()
                on:click=move |_| load(range)
            >
                {range.label()}
            </button>
        }
    };
    let card = move |label: &'static str, value: Signal<String>| {
        view! {
            <div class="card">
                <div class="card-label">{label}</div>
                <div class="card-value">{move || value.get()}</div>
            </div>
        }
    };
    let q = move |pick: fn(&LiveOverview) -> &Quantiles, which: fn(&Quantiles) -> Option<f64>| {
        Signal::derive(move || data.with(|d| format_ms(which(pick(d)))))
    };

    view! {
        <div class="toolbar">
            <div class="range-picker" role="group" aria-label="Time range">
                {range_button(Range::Hour)} {range_button(Range::Day)}
            </div>
            <span class="refresh-status" aria-live="polite">
                {move || status.get().unwrap_or_else(|| format!("Refreshes every {REFRESH_SECS} s"))}
                {move || live.get().then_some(" · live")}
            </span>
        </div>
        <section class="summary-cards">
            {move || data.with(|d| d.cards.iter().map(|c| view! {
                <a class=format!("panel summary-card status-{}", c.status) href=c.href.clone()>
                    <h2>{c.title.clone()}</h2>
                    {c.lines.iter().map(|l| view! { <p>{l.clone()}</p> }).collect_view()}
                </a>
            }).collect_view())}
        </section>
        <section class="cards">
            {card("Page views", Signal::derive(move || data.with(|d| d.page_views.to_string())))}
            {card("Load p50", q(|d| &d.load, |q| q.p50))}
            {card("Load p95", q(|d| &d.load, |q| q.p95))}
            {card("Load p99", q(|d| &d.load, |q| q.p99))}
            {card("TTFB p50", q(|d| &d.ttfb, |q| q.p50))}
            {card("FCP p50", q(|d| &d.fcp, |q| q.p50))}
            {card("LCP p50", q(|d| &d.lcp, |q| q.p50))}
            <a class="card card-link" href="/performance">
                <div class="card-label">"Performance"</div>
                <div class="card-value">"Vitals, API calls →"</div>
            </a>
            {card("Errors", Signal::derive(move || data.with(|d| d.errors.to_string())))}
            {card("Errors / 100 views", Signal::derive(move || data.with(|d| {
                d.errors_per_100_views.map(|r| format!("{r:.1}")).unwrap_or_else(|| "–".into())
            })))}
            {card("Crash-free sessions", Signal::derive(move || data.with(|d| {
                d.sessions.crash_free_rate().map(|r| format!("{:.2} %", r * 100.0)).unwrap_or_else(|| "–".into())
            })))}
        </section>
        <section class="panel">
            <h2>"Page load time"</h2>
            <div class="chart" inner_html=move || data.with(|d| d.chart_svg.clone())></div>
        </section>
        <section class="panel">
            <h2>"Errors"</h2>
            <div class="chart error-chart" inner_html=move || data.with(|d| d.error_chart_svg.clone())></div>
            <table class="recent-issues">
                <thead><tr><th>"Unresolved issues seen in this range"</th><th class="num">"Events"</th><th class="num">"Restaurants"</th></tr></thead>
                <tbody>
                    {move || data.with(|d| {
                        if d.recent_issues.is_empty() {
                            view! { <tr><td colspan="3" class="muted">"No unresolved issues in this range."</td></tr> }.into_any()
                        } else {
                            d.recent_issues.iter().map(|i| view! {
                                <tr>
                                    <td><a href=format!("/issues/{}", i.id)>{i.title.clone()}</a></td>
                                    <td class="num">{i.events}</td>
                                    <td class="num">{i.restaurants}</td>
                                </tr>
                            }).collect_view().into_any()
                        }
                    })}
                </tbody>
            </table>
            <p><a href="/issues">"All issues →"</a></p>
        </section>
        <section class="panel">
            <h2>"Top pages"</h2>
            <table class="top-pages">
                <thead><tr><th>"Page"</th><th class="num">"Views"</th></tr></thead>
                <tbody>
                    {move || data.with(|d| {
                        if d.top_pages.is_empty() {
                            view! { <tr><td colspan="2" class="muted">"No page views in this range yet."</td></tr> }.into_any()
                        } else {
                            d.top_pages.iter().map(|p| view! {
                                <tr><td>{p.page.clone()}</td><td class="num">{p.views}</td></tr>
                            }).collect_view().into_any()
                        }
                    })}
                </tbody>
            </table>
        </section>
    }
}
