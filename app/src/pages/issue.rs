//! One issue: what happened (stack trace with in-app frames emphasized), the path to it
//! (breadcrumbs), who and where (user, tags, contexts, business impact), and the
//! latest events. Everything from an event is rendered as text, never as markup.

use super::layout::Layout;
use super::widgets::LevelBadge;
use crate::api::get_issue_detail;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use protocol::{
    format_utc, Breadcrumb, ErrorEvent, Exception, IssueDetail, IssueStatus, TagDistribution,
};

#[component]
pub fn IssuePage() -> impl IntoView {
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|v| v.parse::<i64>().ok());
    let detail = Resource::new(
        || (),
        move |_| async move {
            match id {
                Some(id) => get_issue_detail(id).await.map_err(|e| e.to_string()),
                None => Ok(None),
            }
        },
    );
    view! {
        <Layout title="Issue" active="Issues">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(Some(d)) => Ok(view! { <IssueBody d/> }.into_any()),
                        Ok(None) => {
                            #[cfg(feature = "ssr")]
                            if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                                resp.set_status(http::StatusCode::NOT_FOUND);
                            }
                            Ok(view! { <p class="error" role="alert">"No such issue. " <a href="/issues">"Back to the issues"</a></p> }.into_any())
                        }
                        Err(e) => Err(ServerFnError::new(e)),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

#[component]
fn IssueBody(d: IssueDetail) -> impl IntoView {
    let IssueDetail {
        issue,
        tags,
        events,
    } = d;
    let latest = events.first().cloned();
    view! {
        <section class="panel issue-head">
            <h2 class="issue-title"><LevelBadge level=issue.level.clone()/> " " {issue.title.clone()}</h2>
            <p class="muted culprit">{issue.culprit.clone().unwrap_or_default()}</p>
            <IssueActions id=issue.id status=issue.status/>
            <div class="cards impact">
                <div class="card"><div class="card-label">"Events"</div><div class="card-value">{issue.events}</div></div>
                <div class="card"><div class="card-label">"Users affected"</div><div class="card-value">{issue.users}</div></div>
                <div class="card"><div class="card-label">"Restaurants affected"</div><div class="card-value restaurants">{issue.restaurants}</div></div>
                <div class="card"><div class="card-label">"Orders affected"</div><div class="card-value orders">{issue.orders}</div></div>
            </div>
            <p class="muted">
                "First seen " {format_utc(issue.first_seen_ms)} " · last seen " {format_utc(issue.last_seen_ms)}
                {issue.regressed_at_ms.map(|t| view! { " · regressed " {format_utc(t)} })}
            </p>
        </section>
        {latest.map(|e| view! { <LatestEvent e/> })}
        <section class="panel">
            <h2>"Tags"</h2>
            <div class="tag-grid">{tags.into_iter().map(|t| view! { <TagBars t/> }).collect_view()}</div>
        </section>
        <section class="panel">
            <h2>"Recent events"</h2>
            <table class="events">
                <thead><tr><th>"Event"</th><th>"Time"</th><th>"Release"</th><th>"Environment"</th><th>"User"</th></tr></thead>
                <tbody>
                    {events.into_iter().map(|e| view! {
                        <tr>
                            <td><code>{e.event_id.clone().unwrap_or_else(|| "–".into())}</code></td>
                            <td>{e.timestamp_ms.map(format_utc).unwrap_or_default()}</td>
                            <td>{e.release.clone().unwrap_or_default()}</td>
                            <td>{e.environment.clone().unwrap_or_default()}</td>
                            <td>{user_label(&e)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// Resolve, ignore or reopen: plain form posts (no wasm), back to this page.
#[component]
fn IssueActions(id: i64, status: IssueStatus) -> impl IntoView {
    let action = format!("/issues/{id}/status");
    let button = move |to: IssueStatus, label: &'static str| {
        view! {
            <form method="post" action=action.clone()>
                <input type="hidden" name="status" value=to.as_str()/>
                <button type="submit" class=format!("action-{}", to.as_str())>{label}</button>
            </form>
        }
    };
    let buttons = match status {
        IssueStatus::Unresolved => view! { {button(IssueStatus::Resolved, "Resolve")} {button(IssueStatus::Ignored, "Ignore")} }.into_any(),
        _ => button(IssueStatus::Unresolved, "Reopen").into_any(),
    };
    view! {
        <div class="issue-actions">
            <span class="status">"Status: " <strong class="status-value">{status.as_str()}</strong></span>
            {buttons}
        </div>
    }
}

fn user_label(e: &ErrorEvent) -> String {
    let u = match &e.user {
        Some(u) => u,
        None => return String::new(),
    };
    ["id", "email", "username", "ip_address"]
        .iter()
        .find_map(|k| {
            u.get(*k).map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
        })
        .unwrap_or_default()
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

#[component]
fn LatestEvent(e: ErrorEvent) -> impl IntoView {
    let message = e.message.clone().filter(|_| !e.exceptions.is_empty());
    let user = e.user.clone();
    let contexts: Vec<(String, serde_json::Value)> = e.contexts.clone().into_iter().collect();
    view! {
        <section class="panel">
            <h2>"Latest event"</h2>
            <p class="muted">
                {e.timestamp_ms.map(format_utc).unwrap_or_default()}
                {e.release.clone().map(|r| view! { " · release " <code>{r}</code> })}
                {e.environment.clone().map(|r| view! { " · " {r} })}
                {e.platform.clone().map(|p| view! { " · " {p} })}
            </p>
            {message.map(|m| view! { <p class="event-message">{m}</p> })}
            {e.exceptions.iter().rev().cloned().map(|x| view! { <ExceptionView x/> }).collect_view()}
            {(e.exceptions.is_empty()).then(|| view! { <pre class="event-message">{e.message.clone().unwrap_or_default()}</pre> })}
        </section>
        <section class="panel">
            <h2>"Breadcrumbs"</h2>
            <Breadcrumbs crumbs=e.breadcrumbs.clone()/>
        </section>
        <section class="panel two-col">
            <div>
                <h2>"User"</h2>
                {match user {
                    Some(u) => view! {
                        <dl class="user">
                            {u.into_iter().map(|(k, v)| view! {
                                <dt>{k}</dt><dd>{v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())}</dd>
                            }).collect_view()}
                        </dl>
                    }.into_any(),
                    None => view! { <p class="muted">"No user on this event."</p> }.into_any(),
                }}
            </div>
            <div>
                <h2>"Contexts"</h2>
                {contexts.into_iter().map(|(k, v)| {
                    let open = k == "order_details";
                    view! {
                    <details class="context" open=open>
                        <summary>{k}</summary>
                        <pre><code>{pretty(&v)}</code></pre>
                    </details>
                }}).collect_view()}
                {e.request.clone().map(|r| view! { <details class="context"><summary>"request"</summary><pre><code>{pretty(&r)}</code></pre></details> })}
                {e.sdk.clone().map(|s| view! { <details class="context"><summary>"sdk"</summary><pre><code>{pretty(&s)}</code></pre></details> })}
            </div>
        </section>
    }
}

#[component]
fn ExceptionView(x: Exception) -> impl IntoView {
    view! {
        <div class="exception">
            <h3><code>{x.kind}</code> {x.value.map(|v| view! { ": " {v} })}</h3>
            <ol class="stacktrace">
                // Innermost frame first: where it was thrown.
                {x.frames.into_iter().rev().map(|f| {
                    let place = format!(
                        "{}{}{}",
                        f.filename.clone().or(f.module.clone()).unwrap_or_else(|| "?".into()),
                        f.lineno.map(|l| format!(":{l}")).unwrap_or_default(),
                        f.colno.map(|c| format!(":{c}")).unwrap_or_default(),
                    );
                    let has_context = f.context_line.is_some();
                    view! {
                        <li class="frame" class:in-app=f.in_app>
                            <div class="frame-head">
                                <code class="function">{f.function.clone().unwrap_or_else(|| "<anonymous>".into())}</code>
                                " " <span class="muted place">{place}</span>
                                {f.in_app.then(|| view! { " " <span class="badge in-app-badge">"in app"</span> })}
                            </div>
                            {has_context.then(|| view! {
                                <pre class="context-lines"><code>
                                    {f.pre_context.iter().map(|l| format!("  {l}\n")).collect::<String>()}
                                    <mark>{format!("> {}\n", f.context_line.clone().unwrap_or_default())}</mark>
                                    {f.post_context.iter().map(|l| format!("  {l}\n")).collect::<String>()}
                                </code></pre>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </div>
    }
}

#[component]
fn Breadcrumbs(crumbs: Vec<Breadcrumb>) -> impl IntoView {
    if crumbs.is_empty() {
        return view! { <p class="muted">"No breadcrumbs on this event."</p> }.into_any();
    }
    view! {
        <table class="breadcrumbs">
            <thead><tr><th>"Time"</th><th>"Category"</th><th>"Level"</th><th>"Message"</th></tr></thead>
            <tbody>
                {crumbs.into_iter().map(|b| {
                    let data = (!b.data.is_null()).then(|| b.data.to_string());
                    view! {
                        <tr>
                            <td>{b.timestamp.map(|t| format_utc((t * 1000.0) as i64)).unwrap_or_default()}</td>
                            <td>{b.category.clone().unwrap_or_default()}</td>
                            <td>{b.level.clone().unwrap_or_default()}</td>
                            <td>{b.message.clone().unwrap_or_default()} {data.map(|d| view! { " " <code class="muted">{d}</code> })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn TagBars(t: TagDistribution) -> impl IntoView {
    let total = t.total.max(1) as f64;
    view! {
        <div class="tag" data-key=t.key.clone()>
            <h3>{t.key.clone()} " " <span class="muted">{format!("({} values)", t.distinct)}</span></h3>
            {t.top.into_iter().map(|(value, n)| {
                let pct = n as f64 * 100.0 / total;
                view! {
                    <div class="tag-value">
                        <div class="bar" style=format!("width:{pct:.0}%")></div>
                        <span class="tag-text">{value}</span>
                        <span class="num">{format!("{pct:.0}%")}</span>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}
