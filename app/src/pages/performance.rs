//! Performance: web vitals with their ratings, API endpoints, slow calls, memory, and
//! browsers and devices. Filters (range, page, restaurant) and the endpoint sort are a GET
//! form, so every view has a URL and the page needs no wasm.

use super::layout::Layout;
use crate::api::get_performance;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use protocol::{
    format_ms, format_utc, EndpointStats, PerformanceView, Range, Rating, VitalSummary,
};

fn rating_class(r: Option<Rating>) -> &'static str {
    match r {
        Some(Rating::Good) => "rating good",
        Some(Rating::NeedsImprovement) => "rating needs-improvement",
        Some(Rating::Poor) => "rating poor",
        None => "rating none",
    }
}

#[component]
pub fn PerformancePage() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let text = |k: &str| {
        q.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let range = q
        .get("range")
        .and_then(|r| Range::parse(&r))
        .unwrap_or_default();
    let (page, restaurant, sort) = (text("page"), text("restaurant"), text("sort"));
    let (p, r) = (page.clone(), restaurant.clone());
    let view_data = Resource::new(|| (), move |_| get_performance(range, p.clone(), r.clone()));
    view! {
        <Layout title="Performance" active="Performance">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let sort = sort.clone();
                    Suspend::new(async move {
                        view_data.await.map(|v| view! { <PerformanceBody v sort/> }.into_any())
                    })
                }}
            </Suspense>
        </Layout>
    }
}

#[component]
fn PerformanceBody(v: PerformanceView, sort: Option<String>) -> impl IntoView {
    let PerformanceView {
        range,
        page,
        restaurant,
        page_views,
        vitals,
        mut endpoints,
        slow_calls,
        slow_call_ms,
        memory_warnings,
        memory_warning_mb,
        browsers,
        devices,
        pages,
        vitals_chart_svg,
        memory_chart_svg,
        custom_metrics,
        ..
    } = v;
    match sort.as_deref() {
        Some("calls") => endpoints.sort_by_key(|e| std::cmp::Reverse(e.duration.count)),
        Some("errors") => endpoints.sort_by(|a, b| b.error_rate.total_cmp(&a.error_rate)),
        Some("endpoint") => endpoints.sort_by(|a, b| a.endpoint.cmp(&b.endpoint)),
        _ => {}
    }
    let sort_link = {
        let (page, restaurant) = (page.clone(), restaurant.clone());
        move |key: &'static str| {
            let mut q = format!("?range={}&sort={key}", range.as_str());
            if let Some(p) = &page {
                q.push_str(&format!("&page={}", protocol::encode_component(p)));
            }
            if let Some(r) = &restaurant {
                q.push_str(&format!("&restaurant={}", protocol::encode_component(r)));
            }
            q
        }
    };
    let current_page = page.clone().unwrap_or_default();
    view! {
        <form class="filters panel" method="get" action="/performance">
            <label>"Range"
                <select name="range">
                    {Range::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=r == range>{r.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Page"
                <select name="page">
                    <option value="" selected=page.is_none()>"All pages"</option>
                    {pages.into_iter().map(|p| {
                        let selected = p.name == current_page;
                        view! { <option value=p.name.clone() selected=selected>{p.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Restaurant" <input name="restaurant" placeholder="restaurant_id" value=restaurant.clone().unwrap_or_default()/></label>
            <button type="submit">"Apply"</button>
            <span class="muted">{format!("{page_views} page views")}</span>
        </form>
        <section class="cards vitals">
            {vitals.into_iter().map(|s| view! { <VitalCard s/> }).collect_view()}
        </section>
        <section class="panel">
            <h2>"Web vitals over time (p75)"</h2>
            <div class="chart" inner_html=vitals_chart_svg></div>
        </section>
        <section class="panel">
            <h2>"API endpoints"</h2>
            <table class="endpoints">
                <thead><tr>
                    <th><a href=sort_link("endpoint")>"Endpoint"</a></th>
                    <th class="num"><a href=sort_link("calls")>"Calls"</a></th>
                    <th class="num">"p50"</th>
                    <th class="num"><a href=sort_link("p95")>"p95"</a></th>
                    <th class="num">"p99"</th>
                    <th class="num"><a href=sort_link("errors")>"Error %"</a></th>
                </tr></thead>
                <tbody>
                    {if endpoints.is_empty() {
                        view! { <tr><td colspan="6" class="muted">"No API calls in this range."</td></tr> }.into_any()
                    } else {
                        endpoints.into_iter().map(|e| view! { <EndpointRow e/> }).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </section>
        <section class="panel">
            <h2>{format!("Slow calls (≥ {} ms)", slow_call_ms)}</h2>
            <table class="slow-calls">
                <thead><tr><th>"Time"</th><th>"Call"</th><th class="num">"Status"</th><th class="num">"Duration"</th><th>"Page"</th><th>"Restaurant"</th></tr></thead>
                <tbody>
                    {if slow_calls.is_empty() {
                        view! { <tr><td colspan="6" class="muted">"No slow calls in this range."</td></tr> }.into_any()
                    } else {
                        slow_calls.into_iter().map(|c| view! {
                            <tr>
                                <td>{format_utc(c.at_ms)}</td>
                                <td><code>{format!("{} {}", c.method, c.route)}</code></td>
                                <td class="num">{c.status.map(|s| s.to_string()).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{format_ms(Some(c.duration_ms))}</td>
                                <td>{c.page.unwrap_or_default()}</td>
                                <td>{c.restaurant_id.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </section>
        <section class="panel">
            <h2>"JS heap used (MB)"</h2>
            <p class="muted memory-warnings">{format!("{memory_warnings} samples over {memory_warning_mb} MB")}</p>
            <div class="chart" inner_html=memory_chart_svg></div>
        </section>
        <section class="panel custom-metrics">
            <h2>"Custom metrics"</h2>
            {if custom_metrics.is_empty() {
                view! { <p class="muted">"None in this range. Send them to " <code>"POST /api/internal/metrics"</code> "."</p> }.into_any()
            } else {
                custom_metrics.into_iter().map(|m| view! {
                    <div class="custom-metric">
                        <h3><code>{m.name}</code> " " <span class="muted">{format!("{} points, latest {}", m.points, m.last.map(|v| format!("{v}")).unwrap_or_else(|| "–".into()))}</span></h3>
                        <div class="chart" inner_html=m.chart_svg></div>
                    </div>
                }).collect_view().into_any()
            }}
        </section>
        <section class="panel two-col">
            <div><h2>"Browsers"</h2><Counts items=browsers/></div>
            <div><h2>"Devices"</h2><Counts items=devices/></div>
        </section>
    }
}

#[component]
fn VitalCard(s: VitalSummary) -> impl IntoView {
    let total = (s.good + s.needs_improvement + s.poor).max(1) as f64;
    let pct = |n: u64| format!("width:{:.1}%", n as f64 * 100.0 / total);
    view! {
        <div class=format!("card vital {}", s.vital.as_str())>
            <div class="card-label" title=s.vital.label()>{s.vital.as_str().to_uppercase()} " p75"</div>
            <div class=format!("card-value {}", rating_class(s.rating))>{s.vital.format(s.p75)}</div>
            <div class="split" aria-label=format!("{} good, {} needs improvement, {} poor", s.good, s.needs_improvement, s.poor)>
                <span class="good" style=pct(s.good)></span>
                <span class="needs-improvement" style=pct(s.needs_improvement)></span>
                <span class="poor" style=pct(s.poor)></span>
            </div>
            <div class="muted">{s.rating.map(|r| r.as_str()).unwrap_or("no data")}</div>
        </div>
    }
}

#[component]
fn EndpointRow(e: EndpointStats) -> impl IntoView {
    view! {
        <tr>
            <td><code>{e.endpoint}</code></td>
            <td class="num">{e.duration.count}</td>
            <td class="num">{format_ms(e.duration.p50)}</td>
            <td class="num">{format_ms(e.duration.p95)}</td>
            <td class="num">{format_ms(e.duration.p99)}</td>
            <td class="num">{format!("{:.1}", e.error_rate * 100.0)}</td>
        </tr>
    }
}

#[component]
fn Counts(items: Vec<protocol::NamedCount>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">"No page views in this range."</p> }.into_any();
    }
    view! {
        <table class="counts">
            <tbody>
                {items.into_iter().map(|c| view! { <tr><td>{c.name}</td><td class="num">{c.count}</td></tr> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
