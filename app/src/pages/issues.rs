//! The Issues list: search and filters as a plain GET form (works without wasm, and
//! every filtered view has a URL to share), sorted table with sparklines.

use super::{
    layout::Layout,
    widgets::{ago, now_ms, LevelBadge, Sparkline},
};
use crate::api::get_issues;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use protocol::{format_utc, IssueQuery, IssueSort, IssueStatus, IssueSummary};

/// The query of the page's URL; without `status` the page shows unresolved issues.
fn page_query() -> Result<IssueQuery, String> {
    let map = use_query_map().get_untracked();
    let pairs: Vec<(String, String)> = [
        "search",
        "status",
        "level",
        "environment",
        "release",
        "sort",
        "limit",
    ]
    .iter()
    .filter_map(|k| map.get(k).map(|v| (k.to_string(), v)))
    .chain(
        map.get_all("tag")
            .unwrap_or_default()
            .into_iter()
            .map(|v| ("tag".to_string(), v)),
    )
    .collect();
    let mut q = IssueQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    if map.get("status").is_none() {
        q.status = Some(IssueStatus::Unresolved);
    }
    Ok(q)
}

#[component]
pub fn IssuesPage() -> impl IntoView {
    let query = page_query();
    let for_fetch = query.clone();
    let issues = Resource::new(
        || (),
        move |_| {
            let q = for_fetch.clone();
            async move {
                match q {
                    Ok(q) => get_issues(q).await.map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                }
            }
        },
    );
    let q = query.clone().unwrap_or_default();
    view! {
        <Layout title="Issues" active="Issues">
            <IssueFilters q/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match issues.await {
                        Ok(list) => Ok(view! { <IssueTable list/> }.into_any()),
                        Err(e) => Err(ServerFnError::new(e)),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

#[component]
fn IssueFilters(q: IssueQuery) -> impl IntoView {
    let status = q.status.map_or("all", IssueStatus::as_str);
    let level = q.level.clone().unwrap_or_default();
    let tag = q
        .tags
        .first()
        .map(|(k, v)| format!("{k}:{v}"))
        .unwrap_or_default();
    let option = move |value: &'static str, label: &'static str, current: &str| {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <form class="filters panel" method="get" action="/issues" role="search">
            <label class="grow">"Search"
                <input type="search" name="search" placeholder="title or culprit" value=q.search.clone().unwrap_or_default()/>
            </label>
            <label>"Status"
                <select name="status">
                    {option("unresolved", "Unresolved", status)}
                    {option("resolved", "Resolved", status)}
                    {option("ignored", "Ignored", status)}
                    {option("all", "All", status)}
                </select>
            </label>
            <label>"Level"
                <select name="level">
                    {option("", "Any", &level)}
                    {option("fatal", "Fatal", &level)}
                    {option("error", "Error", &level)}
                    {option("warning", "Warning", &level)}
                    {option("info", "Info", &level)}
                </select>
            </label>
            <label>"Environment" <input name="environment" placeholder="production" value=q.environment.clone().unwrap_or_default()/></label>
            <label>"Release" <input name="release" placeholder="pos@1.4.2" value=q.release.clone().unwrap_or_default()/></label>
            <label>"Tag" <input name="tag" placeholder="restaurant_id:r-17" value=tag/></label>
            <label>"Sort"
                <select name="sort">
                    {IssueSort::ALL.into_iter().map(|s| {
                        let selected = s == q.sort;
                        view! { <option value=s.as_str() selected=selected>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">"Apply"</button>
        </form>
    }
}

#[component]
fn IssueTable(list: Vec<IssueSummary>) -> impl IntoView {
    let now = now_ms();
    if list.is_empty() {
        return view! { <p class="muted empty-issues">"No issues match. Errors sent with a Sentry SDK to this project's DSN show up here."</p> }.into_any();
    }
    view! {
        <table class="issues">
            <thead>
                <tr>
                    <th>"Issue"</th><th>"Last 24 h"</th><th class="num">"Events"</th><th class="num">"Users"</th>
                    <th class="num">"Restaurants"</th><th class="num">"Orders"</th><th>"Last seen"</th><th>"First seen"</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|i| view! {
                    <tr class="issue-row" data-status=i.status.as_str()>
                        <td>
                            <LevelBadge level=i.level.clone()/>
                            " "<a class="issue-title" href=format!("/issues/{}", i.id)>{i.title.clone()}</a>
                            {i.regressed_at_ms.map(|_| view! { " "<span class="badge regressed">"regressed"</span> })}
                            {(i.status != IssueStatus::Unresolved).then(|| view! { " "<span class="badge">{i.status.as_str()}</span> })}
                            <div class="muted culprit">{i.culprit.clone().unwrap_or_default()}</div>
                        </td>
                        <td><Sparkline values=i.sparkline.clone()/></td>
                        <td class="num">{i.events}</td>
                        <td class="num">{i.users}</td>
                        <td class="num">{i.restaurants}</td>
                        <td class="num">{i.orders}</td>
                        <td title=format_utc(i.last_seen_ms)>{ago(now, i.last_seen_ms)}</td>
                        <td title=format_utc(i.first_seen_ms)>{ago(now, i.first_seen_ms)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
