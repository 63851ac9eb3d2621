//! The Logs page: search (text, level, service, restaurant, any field, range) as a GET
//! form, results newest first with "older" paging, and the live tail island.

use super::{layout::Layout, widgets::now_ms};
use crate::{api::get_logs, islands::LogTail};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use protocol::{format_utc, LogLine, LogQuery, HISTORY_RANGES};

const FIELDS: [&str; 6] = ["q", "level", "service", "restaurant", "field", "range"];

#[component]
pub fn LogsPage() -> impl IntoView {
    let map = use_query_map().get_untracked();
    let pairs: Vec<(String, String)> = FIELDS
        .iter()
        .chain(["before"].iter())
        .filter_map(|k| map.get(k).map(|v| (k.to_string(), v)))
        .collect();
    let query = LogQuery::from_pairs(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        now_ms(),
    );
    let data = Resource::new(
        || (),
        move |_| {
            let q = query.clone();
            async move {
                match q {
                    Ok(q) => get_logs(q).await.map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                }
            }
        },
    );
    let get = |k: &str| map.get(k).unwrap_or_default();
    // The query string without `before`, for the "older" link.
    let base: String = form_urlencoded_pairs(
        &FIELDS
            .iter()
            .map(|k| (k.to_string(), get(k)))
            .collect::<Vec<_>>(),
    );
    let (range, level) = (get("range"), get("level"));
    let (q, service, restaurant, field) =
        (get("q"), get("service"), get("restaurant"), get("field"));
    view! {
        <Layout title="Logs" active="Logs">
            <form method="get" action="/logs" class="toolbar log-filters">
                <input name="q" value=q placeholder="Text" aria-label="Text"/>
                <select name="level" aria-label="Level">
                    {["", "error", "warn", "info", "http", "debug"].map(|l| view! {
                        <option value=l selected=l == level>{if l.is_empty() { "Any level" } else { l }}</option>
                    }).collect_view()}
                </select>
                <input name="service" value=service placeholder="Service" aria-label="Service"/>
                <input name="restaurant" value=restaurant placeholder="Restaurant" aria-label="Restaurant"/>
                <input name="field" value=field placeholder="field:value" aria-label="Field"/>
                <select name="range" aria-label="Range">
                    <option value="" selected=range.is_empty()>"Any time"</option>
                    {HISTORY_RANGES.map(|(r, _)| view! { <option value=r selected=r == range>{format!("Last {r}")}</option> }).collect_view()}
                </select>
                <button type="submit">"Search"</button>
            </form>
            <LogTail/>
            <Suspense fallback=|| view! { <p>"Searching…"</p> }>
                {move || {
                    let base = base.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(lines) => Ok(view! { <LogTable lines base/> }.into_any()),
                            Err(e) => Err(ServerFnError::new(e)),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

fn form_urlencoded_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", super::alerts::path_segment(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[component]
fn LogTable(lines: Vec<LogLine>, base: String) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="muted">"No log lines match."</p> }.into_any();
    }
    let older = lines
        .last()
        .map(|l| format!("/logs?{base}&before={}:{}", l.at_ms, l.id));
    view! {
        <table class="log-lines">
            <thead><tr><th>"When"</th><th>"Level"</th><th>"Service"</th><th>"Restaurant"</th><th>"Message"</th></tr></thead>
            <tbody>
                {lines.into_iter().map(|l| view! {
                    <tr class=format!("log-{}", l.level)>
                        <td>{format_utc(l.at_ms)}</td>
                        <td>{l.level.clone()}</td>
                        <td>{l.service.unwrap_or_default()}</td>
                        <td>{l.restaurant_id.unwrap_or_default()}</td>
                        <td>
                            <div>{l.message}</div>
                            <details><summary>"Line"</summary><pre><code>{l.body}</code></pre></details>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {older.map(|href| view! { <p><a href=href>"Older →"</a></p> })}
    }
    .into_any()
}
