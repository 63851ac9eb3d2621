//! Server: the requests the platform's servers answered (Sentry `http.server`
//! transactions) per service and route, with their 5xx share and latency, and the
//! database queries they ran. Filters are a GET form, so every view has a URL.

use super::layout::Layout;
use crate::api::get_server;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use protocol::{format_ms, format_utc, QueryStats, Range, RouteStats, ServerView};

#[component]
pub fn ServerPage() -> impl IntoView {
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
    let (service, environment, restaurant) =
        (text("service"), text("environment"), text("restaurant"));
    let data = Resource::new(
        || (),
        move |_| {
            get_server(
                range,
                service.clone(),
                environment.clone(),
                restaurant.clone(),
            )
        },
    );
    view! {
        <Layout title="Server" active="Server">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    data.await.map(|v| view! { <ServerBody v/> }.into_any())
                })}
            </Suspense>
        </Layout>
    }
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.2} %", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

#[component]
fn ServerBody(v: ServerView) -> impl IntoView {
    let select =
        |name: &'static str, all: &'static str, options: Vec<String>, current: Option<String>| {
            let current = current.unwrap_or_default();
            view! {
                <select name=name>
                    <option value="" selected=current.is_empty()>{all}</option>
                    {options.into_iter().map(|o| {
                        let selected = o == current;
                        view! { <option value=o.clone() selected=selected>{o.clone()}</option> }
                    }).collect_view()}
                </select>
            }
        };
    view! {
        <form class="filters panel" method="get" action="/server">
            <label>"Range"
                <select name="range">
                    {Range::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=r == v.range>{r.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Service " {select("service", "All services", v.services.clone(), v.service.clone())}</label>
            <label>"Environment " {select("environment", "All environments", v.environments.clone(), v.environment.clone())}</label>
            <label>"Restaurant" <input name="restaurant" placeholder="restaurant_id" value=v.restaurant.clone().unwrap_or_default()/></label>
            <button type="submit">"Apply"</button>
        </form>
        <section class="cards">
            <div class="card"><div class="card-label">"Requests"</div><div class="card-value server-requests">{v.requests}</div></div>
            <div class="card"><div class="card-label">"Failed (5xx)"</div><div class="card-value server-error-rate">{percent(v.error_rate)}</div><div class="muted">{format!("{} requests", v.failed)}</div></div>
            <div class="card"><div class="card-label">"p95"</div><div class="card-value">{format_ms(v.latency.p95)}</div></div>
            <div class="card"><div class="card-label">"p99"</div><div class="card-value server-p99">{format_ms(v.latency.p99)}</div></div>
        </section>
        <section class="panel">
            <h2>"Latency over time"</h2>
            <div class="chart" inner_html=v.chart_svg.clone()></div>
        </section>
        <section class="panel">
            <h2>"Routes"</h2>
            <table class="routes">
                <thead><tr><th>"Service"</th><th>"Environment"</th><th>"Route"</th><th class="num">"Requests"</th><th class="num">"5xx %"</th><th class="num">"p50"</th><th class="num">"p95"</th><th class="num">"p99"</th></tr></thead>
                <tbody>
                    {if v.routes.is_empty() {
                        view! { <tr><td colspan="8" class="muted">"No server requests in this range. Send Sentry transactions (tracesSampleRate) from the platform's servers."</td></tr> }.into_any()
                    } else {
                        v.routes.into_iter().map(|r| view! { <RouteRow r/> }).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </section>
        <section class="panel">
            <h2>"Database queries"</h2>
            <p class="muted">{format!("Slow: {} ms or more.", v.slow_query_ms)}</p>
            <table class="queries">
                <thead><tr><th>"Statement"</th><th>"Service"</th><th class="num">"Calls"</th><th class="num">"Slow"</th><th class="num">"p95"</th><th class="num">"Max"</th><th>"Slowest"</th></tr></thead>
                <tbody>
                    {if v.queries.is_empty() {
                        view! { <tr><td colspan="7" class="muted">"No database spans in this range."</td></tr> }.into_any()
                    } else {
                        v.queries.into_iter().map(|q| view! { <QueryRow q/> }).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn RouteRow(r: RouteStats) -> impl IntoView {
    view! {
        <tr>
            <td>{r.service}</td>
            <td>{r.environment}</td>
            <td><code>{r.endpoint}</code></td>
            <td class="num">{r.requests}</td>
            <td class="num">{format!("{:.1}", r.error_rate * 100.0)}</td>
            <td class="num">{format_ms(r.duration.p50)}</td>
            <td class="num">{format_ms(r.duration.p95)}</td>
            <td class="num">{format_ms(r.duration.p99)}</td>
        </tr>
    }
}

#[component]
fn QueryRow(q: QueryStats) -> impl IntoView {
    view! {
        <tr>
            <td><code>{q.statement}</code></td>
            <td>{q.service}</td>
            <td class="num">{q.calls}</td>
            <td class="num">{q.slow}</td>
            <td class="num">{format_ms(q.p95)}</td>
            <td class="num">{format_ms(q.max)}</td>
            <td>
                <ul class="slowest">
                    {q.slowest.into_iter().map(|s| view! {
                        <li>{format_ms(Some(s.duration_ms))} " · " {format_utc(s.at_ms)}
                            {s.transaction.map(|t| view! { " · " <code>{t}</code> })}
                            {s.restaurant_id.map(|r| format!(" · {r}"))}</li>
                    }).collect_view()}
                </ul>
            </td>
        </tr>
    }
}
