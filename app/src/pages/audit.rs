//! The Audit page: every admin action with who, when, from where and what changed,
//! newest first, filtered by actor, action and range (a GET form: every view has a URL).

use super::{layout::Layout, widgets::now_ms};
use crate::api::get_audit;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use protocol::{format_utc, AuditEntry, AuditQuery, HISTORY_RANGES};

#[component]
pub fn AuditPage() -> impl IntoView {
    let map = use_query_map().get_untracked();
    let get = |k: &str| map.get(k).unwrap_or_default();
    let (actor, action, range) = (get("actor"), get("action"), get("range"));
    let pairs = [
        ("actor", actor.clone()),
        ("action", action.clone()),
        ("range", range.clone()),
    ];
    let query = AuditQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())), now_ms());
    let data = Resource::new(
        || (),
        move |_| {
            let q = query.clone();
            async move {
                match q {
                    Ok(q) => get_audit(q).await.map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                }
            }
        },
    );
    view! {
        <Layout title="Audit log" active="Audit">
            <form method="get" action="/audit" class="toolbar audit-filters">
                <input name="actor" value=actor placeholder="Who" aria-label="Who"/>
                <input name="action" value=action placeholder="Action, or a prefix like alert." aria-label="Action"/>
                <select name="range" aria-label="Range">
                    <option value="" selected=range.is_empty()>"Any time"</option>
                    {HISTORY_RANGES.map(|(r, _)| view! { <option value=r selected=r == range>{format!("Last {r}")}</option> }).collect_view()}
                </select>
                <button type="submit">"Filter"</button>
            </form>
            <p class="muted">"Append-only: the monitor can add to this log, never change or delete it."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(list) => Ok(view! { <AuditTable list/> }.into_any()),
                        Err(e) => Err(ServerFnError::new(e)),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

#[component]
fn AuditTable(list: Vec<AuditEntry>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"Nothing matches."</p> }.into_any();
    }
    view! {
        <table class="audit">
            <thead><tr><th>"When"</th><th>"Who"</th><th>"From"</th><th>"Action"</th><th>"On"</th><th>"Change"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|e| view! {
                    <tr>
                        <td>{format_utc(e.at_ms)}</td>
                        <td>{e.actor}</td>
                        <td>{e.source.unwrap_or_default()}</td>
                        <td><code>{e.action}</code>
                            {(e.repeats > 1).then(|| view! { <span class="repeats">{format!(" ×{} in that minute", e.repeats)}</span> })}
                        </td>
                        <td>{e.target.unwrap_or_default()}</td>
                        <td class="change">
                            {e.before.map(|b| view! { <div><span class="muted">"before "</span><code>{b}</code></div> })}
                            {e.after.map(|a| view! { <div><span class="muted">"after "</span><code>{a}</code></div> })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
