//! The Health page: the monitor's own checks and figures, the platform probes (state,
//! uptime over 24 h / 7 d / 30 d, hourly bars, latency), the live channel, and the
//! monitor's system charts. Probes are added and removed with plain forms.

use super::{layout::Layout, widgets::ago};
use crate::api::get_health;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use protocol::{format_utc, HealthView, ProbeView, WsFigures};

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.2} %", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

#[component]
pub fn HealthPage() -> impl IntoView {
    let map = use_query_map().get_untracked();
    let (notice, error) = (map.get("notice"), map.get("error"));
    let data = Resource::new(|| (), |_| get_health());
    view! {
        <Layout title="Health" active="Health">
            {notice.map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {error.map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Suspense fallback=|| view! { <p>"Checking…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => Ok(view! { <HealthBody v/> }.into_any()),
                        Err(e) => Err(e),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

#[component]
fn HealthBody(v: HealthView) -> impl IntoView {
    let now = v.generated_at_ms;
    view! {
        <section class=format!("panel monitor-status status-{}", v.status)>
            <h2>"Monitor: " <span class="status-word">{v.status.clone()}</span></h2>
            <table class="checks">
                <thead><tr><th>"Check"</th><th>"State"</th><th class="num">"Latency"</th><th>"Error"</th></tr></thead>
                <tbody>
                    {v.checks.into_iter().map(|c| view! {
                        <tr class=match c.ok { Some(true) => "up", Some(false) => "down", None => "off" }>
                            <td>{c.name}</td>
                            <td>{match c.ok { Some(true) => "up", Some(false) => "down", None => "not configured" }}</td>
                            <td class="num">{c.latency_ms.map(|l| format!("{l:.0} ms")).unwrap_or_default()}</td>
                            <td>{c.error.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted">{format!(
                "Memory {:.1} MB · CPU {:.1} % · {} open connections · 5xx share {:.2} % (5 min)",
                v.memory_mb, v.cpu_usage * 100.0, v.active_connections, v.error_rate * 100.0
            )}</p>
        </section>
        <section class="panel" id="probes">
            <h2>"Probes"</h2>
            <ProbeTable list=v.probes now/>
            <ProbeForm/>
        </section>
        <section class="panel" id="websocket">
            <h2>"Live channel (WebSocket)"</h2>
            <WsTable f=v.websocket/>
        </section>
        <section class="panel" id="capacity">
            <h2>"Capacity"</h2>
            <p>{format!("Database {:.1} MB. Raw events kept {} days, rollups {} days, logs {} days (at most {} lines).",
                v.capacity.db_bytes as f64 / 1e6, v.capacity.raw_events_days, v.capacity.rollups_days,
                v.capacity.logs_days, v.capacity.logs_max_rows)}</p>
            <table class="capacity">
                <thead><tr><th>"Data"</th><th class="num">"Rows"</th><th class="num">"Last hour"</th><th>"Oldest"</th></tr></thead>
                <tbody>
                    {v.capacity.tables.into_iter().map(|t| view! {
                        <tr>
                            <td><code>{t.table}</code></td>
                            <td class="num">{t.rows}</td>
                            <td class="num">{t.last_hour}</td>
                            <td>{t.oldest_ms.map(format_utc).unwrap_or_else(|| "–".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="panel" id="ingest">
            <h2>"Ingest since start"</h2>
            <IngestTable f=v.ingest/>
        </section>
        <section class="panel" id="system">
            <h2>"The monitor, last hour"</h2>
            <div class="system-charts">
                {v.system_svgs.into_iter().map(|(label, svg)| view! {
                    <figure><figcaption>{label}</figcaption><div class="chart" inner_html=svg></div></figure>
                }).collect_view()}
            </div>
        </section>
    }
}

/// What became of accepted rows: only `dropped` (refused by the database as invalid) is
/// ever lost; while the database fails, the writer keeps its batch and ingest answers 503.
#[component]
fn IngestTable(f: protocol::IngestFigures) -> impl IntoView {
    let state = if f.failing {
        "failing: the writer keeps its batch and retries; ingest answers 503 when the queue is full"
    } else {
        "storing"
    };
    view! {
        <p class=if f.failing { "bad" } else { "" }>{format!("Writer: {state}.")}</p>
        <table class="ingest">
            <tbody>
                <tr><th>"Accepted (202)"</th><td class="num">{f.accepted}</td></tr>
                <tr><th>"Stored"</th><td class="num">{f.written}</td></tr>
                <tr><th>"Waiting to be stored"</th><td class="num">{format!("{} ({:.1} MB)", f.queued, f.queued_bytes as f64 / 1e6)}</td></tr>
                <tr><th>"Refused, queue full (429 / 503)"</th><td class="num">{f.refused_full}</td></tr>
                <tr><th>"Failed flush attempts (retried)"</th><td class="num">{f.flush_failures}</td></tr>
                <tr><th>"Dropped: refused by the database as invalid"</th><td class="num">{f.dropped}</td></tr>
                <tr><th>"Rollup rows counted under \"other\" (past the day's key budget)"</th><td class="num">{f.folded_keys}</td></tr>
            </tbody>
        </table>
    }
}

fn bars(hourly: Vec<Option<f64>>) -> impl IntoView {
    view! {
        <div class="uptime-bars" aria-label="Uptime per hour, last 24 hours">
            {hourly.into_iter().map(|h| {
                let (class, title) = match h {
                    None => ("bar none", "no attempts".to_string()),
                    Some(u) if u >= 0.999 => ("bar up", percent(Some(u))),
                    Some(u) if u >= 0.9 => ("bar partial", percent(Some(u))),
                    Some(u) => ("bar down", percent(Some(u))),
                };
                view! { <span class=class title=title></span> }
            }).collect_view()}
        </div>
    }
}

#[component]
fn ProbeTable(list: Vec<ProbeView>, now: i64) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No probes yet. Add the platform's PostgreSQL, Redis, API and WebSocket endpoints below or as [[probes]] in monitor.toml."</p> }.into_any();
    }
    view! {
        <table class="probes">
            <thead><tr><th>"Probe"</th><th>"State"</th><th class="num">"24 h"</th><th class="num">"7 d"</th><th class="num">"30 d"</th><th>"Last 24 h"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|p| {
                    let state = match p.up { Some(true) => "up", Some(false) => "down", None => "waiting" };
                    let deletable = p.origin == "dashboard";
                    let name = p.name.clone();
                    view! {
                        <tr class=format!("probe {state}")>
                            <td>
                                <strong>{p.name.clone()}</strong> " " <span class="badge">{p.kind.clone()}</span>
                                <div class="muted"><code>{p.target.clone()}</code></div>
                                <div class="muted">{format!("every {} s, down after {} failed retries · {}", p.interval_secs, p.retries, p.origin)}</div>
                            </td>
                            <td>
                                <span class=format!("state {state}")>{state}</span>
                                <div class="muted">{p.last_at_ms.map(|t| ago(now, t)).unwrap_or_default()}
                                    {p.last_latency_ms.map(|l| format!(" · {l:.0} ms"))}</div>
                                {p.last_error.map(|e| view! { <div class="error">{e}</div> })}
                            </td>
                            <td class="num">{percent(p.uptime_24h)}</td>
                            <td class="num">{percent(p.uptime_7d)}</td>
                            <td class="num">{percent(p.uptime_30d)}</td>
                            <td>{bars(p.hourly)}<div class="chart small" inner_html=p.latency_svg></div></td>
                            <td>{deletable.then(|| view! {
                                <form method="post" action=format!("/status/probes/{}/delete", super::alerts::path_segment(&name))>
                                    <button type="submit" class="danger">"Delete"</button>
                                </form>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn ProbeForm() -> impl IntoView {
    view! {
        <form method="post" action="/status/probes" class="probe-form grid-form">
            <h3>"Add a probe"</h3>
            <label>"Name " <input name="name" required maxlength="100" placeholder="orders-db"/></label>
            <label>"Kind "
                <select name="kind">
                    {["postgres", "redis", "http", "websocket", "tcp"].map(|k| view! { <option value=k>{k}</option> }).collect_view()}
                </select>
            </label>
            <label class="wide">"Target " <input name="target" required placeholder="postgres://monitor@db:5432/pos, redis://cache:6379, https://api/health, wss://kds/ws, host:port"/></label>
            <label>"Every (s) " <input name="interval_secs" value="30" inputmode="numeric"/></label>
            <label>"Timeout (ms) " <input name="timeout_ms" value="5000" inputmode="numeric"/></label>
            <label>"Retries before down " <input name="retries" value="2" inputmode="numeric"/></label>
            <label>"HTTP status " <input name="expect_status" placeholder="200" inputmode="numeric"/></label>
            <label>"HTTP keyword " <input name="keyword" placeholder="ok"/></label>
            <label>"JSON field " <input name="json_field" placeholder="/status"/></label>
            <label>"JSON value " <input name="json_value" placeholder="healthy"/></label>
            <label>"WebSocket echo " <input name="send" placeholder="ping"/></label>
            <div><button type="submit">"Save probe"</button></div>
        </form>
    }
}

#[component]
fn WsTable(f: WsFigures) -> impl IntoView {
    view! {
        <dl class="ws-figures">
            <dt>"Open now"</dt><dd class="ws-active">{f.active}</dd>
            <dt>"Opened since start"</dt><dd class="ws-total">{f.total}</dd>
            <dt>"Messages sent / received"</dt><dd>{format!("{} / {}", f.messages_sent, f.messages_received)}</dd>
            <dt>"Errors"</dt><dd>{f.errors}</dd>
            <dt>"Average connection"</dt><dd>{f.avg_connection_secs.map(|s| format!("{s:.0} s")).unwrap_or_else(|| "–".into())}</dd>
            <dt>"By restaurant"</dt><dd>{if f.by_restaurant.is_empty() { "–".to_string() } else {
                f.by_restaurant.iter().map(|(r, n)| format!("{r}: {n}")).collect::<Vec<_>>().join(", ")
            }}</dd>
        </dl>
        <p class="muted">"Platform WebSocket servers report theirs as custom metrics (websocket.opened, websocket.dropped, websocket.active) through POST /api/internal/metrics; the websocket_connection_loss rule reads them."</p>
        <p class="muted">{format!("As of {}", format_utc(super::widgets::now_ms()))}</p>
    }
}
