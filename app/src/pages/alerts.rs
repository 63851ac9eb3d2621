//! The Alerts page: what is firing (acknowledge, silence), silences, notification
//! channels with their last delivery, rules (edit, test-fire, delete or revert) and the
//! history with filters. Everything is a plain form or link: it works without wasm.

use super::{
    layout::Layout,
    widgets::{ago, now_ms},
};
use crate::api::get_alerts;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use protocol::{
    format_utc, ActiveAlert, AlertHistoryEntry, AlertHistoryQuery, AlertsView, ChannelView,
    Delivery, RuleView, Silence, HISTORY_RANGES,
};

fn number(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn history_query() -> Result<AlertHistoryQuery, String> {
    let map = use_query_map().get_untracked();
    let pairs: Vec<(String, String)> = ["severity", "rule", "state", "range", "limit"]
        .iter()
        .filter_map(|k| map.get(k).map(|v| (k.to_string(), v)))
        .collect();
    AlertHistoryQuery::from_pairs(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        now_ms(),
    )
}

fn load(q: Result<AlertHistoryQuery, String>) -> Resource<Result<AlertsView, String>> {
    Resource::new(
        || (),
        move |_| {
            let q = q.clone();
            async move {
                match q {
                    Ok(q) => get_alerts(q).await.map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                }
            }
        },
    )
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let map = use_query_map().get_untracked();
    let (notice, error) = (map.get("notice"), map.get("error"));
    let view_data = load(history_query());
    let pairs: Vec<(&'static str, String)> = ["severity", "rule", "state", "range"]
        .into_iter()
        .map(|k| (k, map.get(k).unwrap_or_default()))
        .collect();
    view! {
        <Layout title="Alerts" active="Alerts">
            {notice.map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {error.map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let pairs = pairs.clone();
                    Suspend::new(async move {
                        match view_data.await {
                            Ok(v) => Ok(view! { <AlertsBody v pairs/> }.into_any()),
                            Err(e) => Err(ServerFnError::new(e)),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

#[component]
fn AlertsBody(v: AlertsView, pairs: Vec<(&'static str, String)>) -> impl IntoView {
    let now = v.generated_at_ms;
    let rule_names: Vec<String> = v.rules.iter().map(|r| r.name.clone()).collect();
    view! {
        <section class="panel" id="active">
            <h2>"Firing now"</h2>
            <ActiveTable list=v.active now/>
        </section>
        <section class="panel" id="silences">
            <h2>"Silences"</h2>
            <p class="muted">"A silence mutes notifications of the alerts it matches (they still change state and appear in the history, marked silenced), and ends by itself."</p>
            <SilenceTable list=v.silences now/>
            <SilenceForm/>
        </section>
        <section class="panel" id="channels">
            <h2>"Notification channels"</h2>
            <p class="muted">{match v.escalate_after_secs {
                Some(s) => format!("Critical alerts nobody acknowledges within {} min go to the escalation channels.", s.div_ceil(60)),
                None => "Escalation is off (set [alerts.escalation] in monitor.toml).".to_string(),
            }}</p>
            <ChannelTable list=v.channels now/>
        </section>
        <section class="panel" id="rules">
            <h2>"Rules"</h2>
            <p><a class="button" href="/alerts/rules/edit">"New rule"</a></p>
            <RuleTable list=v.rules/>
        </section>
        <section class="panel" id="noise">
            <h2>"Noise report"</h2>
            <p class="muted">"Per rule: firings, flaps (resolved within 10 minutes of firing), messages sent, time firing and the median time to acknowledge. A rule that flaps wants a `for` or `resolve_after`; one that nobody acknowledges may not be worth a page."</p>
            <NoiseTable list=v.noise/>
        </section>
        <section class="panel" id="hours">
            <h2>"Opening hours"</h2>
            <p class="muted">"Rules with “only while the restaurant is open” judge a restaurant only inside these hours; a restaurant without hours is never judged by them."</p>
            <HoursTable list=v.opening_hours/>
        </section>
        <section class="panel" id="history">
            <h2>"History"</h2>
            <HistoryFilters pairs rules=rule_names/>
            <HistoryTable list=v.history/>
            <h3>"Latest notifications"</h3>
            <DeliveryTable list=v.deliveries/>
        </section>
    }
}

fn duration_text(ms: i64) -> String {
    let m = ms / 60_000;
    match m {
        0 => format!("{} s", ms / 1000),
        m if m < 120 => format!("{m} min"),
        m => format!("{:.1} h", m as f64 / 60.0),
    }
}

#[component]
fn NoiseTable(list: Vec<protocol::NoiseReport>) -> impl IntoView {
    view! {
        <table class="noise">
            <thead><tr><th>"Rule"</th><th>"Span"</th><th class="num">"Firings"</th><th class="num">"Flaps"</th><th class="num">"Messages"</th><th class="num">"Time firing"</th><th class="num">"Median time to acknowledge"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|n| view! {
                    <tr class:noisy={n.flaps > 0}>
                        <td>{n.rule}</td>
                        <td>{n.span}</td>
                        <td class="num">{n.firings}</td>
                        <td class="num">{n.flaps}</td>
                        <td class="num">{n.notifications}</td>
                        <td class="num">{duration_text(n.firing_ms)}</td>
                        <td class="num">{n.median_ack_ms.map(duration_text).unwrap_or_else(|| "–".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn HoursTable(list: Vec<protocol::OpeningHoursView>) -> impl IntoView {
    view! {
        <table class="opening-hours">
            <thead><tr><th>"Restaurant"</th><th>"Hours"</th><th>"Time zone"</th><th>"From"</th><th>"Now"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|h| {
                    let seg = path_segment(&h.restaurant);
                    let stored = h.origin == "dashboard";
                    view! {
                        <tr>
                            <td>{h.restaurant.clone()}</td>
                            <td><code>{h.hours.clone()}</code></td>
                            <td>{h.timezone.clone().unwrap_or_else(|| "UTC".into())}</td>
                            <td>{h.origin.clone()}</td>
                            <td>{if h.open_now { "open" } else { "closed" }}</td>
                            <td class="actions">{stored.then(|| view! {
                                <form method="post" action=format!("/alerts/hours/{seg}/delete")>
                                    <button type="submit" class="danger">"Remove"</button>
                                </form>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <form method="post" action="/alerts/hours" class="grid-form hours-form">
            <label>"Restaurant " <input name="restaurant" required maxlength="128" placeholder="r-17"/></label>
            <label>"Hours " <input name="hours" required placeholder="mon-fri 11:00-22:00, sat-sun 12:00-23:00"/></label>
            <label>"Time zone " <input name="timezone" placeholder="Europe/Berlin"/></label>
            <div><button type="submit">"Save hours"</button></div>
        </form>
    }
}

#[component]
fn ActiveTable(list: Vec<ActiveAlert>, now: i64) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted all-clear">"Nothing is firing."</p> }.into_any();
    }
    view! {
        <table class="active-alerts">
            <thead><tr><th>"Alert"</th><th>"Severity"</th><th>"State"</th><th>"Since"</th><th class="num">"Value"</th><th>"Acknowledged"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|a| {
                    let firing = a.state == "firing";
                    let can_ack = firing && a.acked_by.is_none();
                    let (rule, instance) = (a.rule.clone(), a.instance.clone());
                    let (rule2, instance2) = (a.rule.clone(), a.instance.clone());
                    view! {
                        <tr class=format!("alert {} {}", a.severity, a.state)>
                            <td>
                                <strong>{a.rule.clone()}</strong>
                                {(!a.instance.is_empty()).then(|| format!(" ({})", a.instance))}
                                <div class="muted">{format!("{} {} {}", a.metric, a.comparison, number(a.threshold))}</div>
                            </td>
                            <td><span class=format!("badge severity-{}", a.severity)>{a.severity.clone()}</span></td>
                            <td>
                                {a.state.clone()}
                                {a.escalated.then_some(" · escalated")}
                                {a.silenced_by.map(|id| format!(" · silenced ({id})"))}
                            </td>
                            <td>{ago(now, a.since_ms)}</td>
                            <td class="num">{a.value.map(number).unwrap_or_else(|| "–".into())}</td>
                            <td>{match (a.acked_by, a.acked_at_ms) {
                                (Some(by), Some(at)) => format!("{by}, {}", format_utc(at)),
                                _ => "–".to_string(),
                            }}</td>
                            <td class="actions">
                                {can_ack.then(|| view! {
                                    <form method="post" action="/alerts/ack">
                                        <input type="hidden" name="rule" value=rule/>
                                        <input type="hidden" name="instance" value=instance/>
                                        <button type="submit">"Acknowledge"</button>
                                    </form>
                                })}
                                <form method="post" action="/alerts/silences" class="inline">
                                    <input type="hidden" name="rule" value=rule2/>
                                    {(!instance2.is_empty()).then(|| view! { <input type="hidden" name="restaurant" value=instance2/> })}
                                    <select name="duration" aria-label="Silence for">
                                        <option value="1h">"1 h"</option>
                                        <option value="4h">"4 h"</option>
                                        <option value="1d">"1 day"</option>
                                    </select>
                                    <input type="hidden" name="comment" value="silenced from the Alerts page"/>
                                    <button type="submit">"Silence"</button>
                                </form>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn SilenceTable(list: Vec<Silence>, now: i64) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No silences."</p> }.into_any();
    }
    view! {
        <table class="silences">
            <thead><tr><th>"Matches"</th><th>"From"</th><th>"Until"</th><th>"By"</th><th>"Comment"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|s| {
                    let active = s.is_active(now);
                    let ended = s.ends_ms <= now;
                    view! {
                        <tr class:ended=ended>
                            <td><code>{s.describe()}</code></td>
                            <td>{format_utc(s.starts_ms)}</td>
                            <td>{format_utc(s.ends_ms)} {ended.then_some(" (ended)")}</td>
                            <td>{s.created_by.clone()}</td>
                            <td>{s.comment.clone()}</td>
                            <td>{(!ended).then(|| view! {
                                <form method="post" action=format!("/alerts/silences/{}/expire", s.id)>
                                    <button type="submit" class="danger">{if active { "Expire now" } else { "Cancel" }}</button>
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
fn SilenceForm() -> impl IntoView {
    view! {
        <form method="post" action="/alerts/silences" class="silence-form grid-form">
            <h3>"New silence (maintenance window)"</h3>
            <label>"Rule " <input name="rule" placeholder="high_error_rate or low_*"/></label>
            <label>"Severity " <input name="severity" placeholder="critical"/></label>
            <label>"Restaurant " <input name="restaurant" placeholder="r-17"/></label>
            <label>"Metric " <input name="metric" placeholder="error_rate"/></label>
            <label>"For " <input name="duration" value="2h" required/></label>
            <label>"Comment " <input name="comment" placeholder="why" maxlength="500"/></label>
            <div><button type="submit">"Create silence"</button></div>
        </form>
    }
}

#[component]
fn ChannelTable(list: Vec<ChannelView>, now: i64) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No channel is configured: alerts are recorded in the history only. Configure [alerts.slack], [alerts.email] or [alerts.webhook] in monitor.toml."</p> }.into_any();
    }
    view! {
        <table class="channels">
            <thead><tr><th>"Channel"</th><th>"Sends to"</th><th>"Last delivery"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|c| view! {
                    <tr>
                        <td>{c.name}</td>
                        <td>{c.target}</td>
                        <td>{match c.last {
                            None => "never used".to_string(),
                            Some(d) => format!("{} · {} · {} attempt(s){}", d.status, ago(now, d.delivered_at_ms.unwrap_or(d.created_at_ms)), d.attempts,
                                d.last_error.map(|e| format!(" · {e}")).unwrap_or_default()),
                        }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn edit_link(name: &str) -> String {
    let q: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("/alerts/rules/edit?name={q}")
}

pub(super) fn path_segment(name: &str) -> String {
    edit_link(name)
        .trim_start_matches("/alerts/rules/edit?name=")
        .to_string()
}

#[component]
fn RuleTable(list: Vec<RuleView>) -> impl IntoView {
    view! {
        <table class="rules">
            <thead><tr><th>"Rule"</th><th>"Condition"</th><th>"Cooldown"</th><th>"Origin"</th><th>"Status"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|r| {
                    let seg = path_segment(&r.name);
                    let removable = r.origin != "file";
                    let status = if r.enabled { "active" } else { "disabled" };
                    view! {
                        <tr class:disabled=!r.enabled>
                            <td><strong>{r.name.clone()}</strong> " " <span class=format!("badge severity-{}", r.severity)>{r.severity.clone()}</span>
                                {r.split_by_restaurant.then_some(" · per restaurant")}</td>
                            <td><code>{format!("{} {} {} over {}", r.metric, r.comparison, number(r.threshold), r.window)}</code>
                                {r.hold_for.clone().map(|f| format!(" for {f}"))}</td>
                            <td>{r.cooldown.clone()}</td>
                            <td>{r.origin.clone()} {r.updated_by.clone().map(|b| format!(" ({b})"))}</td>
                            <td>{status}</td>
                            <td class="actions">
                                <a href=edit_link(&r.name)>"Edit"</a>
                                <form method="post" action=format!("/alerts/rules/{seg}/test")>
                                    <button type="submit">"Test"</button>
                                </form>
                                {removable.then(|| view! {
                                    <form method="post" action=format!("/alerts/rules/{seg}/delete")>
                                        <button type="submit" class="danger">{if r.origin == "overridden" { "Revert to file" } else { "Delete" }}</button>
                                    </form>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn HistoryFilters(pairs: Vec<(&'static str, String)>, rules: Vec<String>) -> impl IntoView {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (severity, rule, state, range) = (get("severity"), get("rule"), get("state"), get("range"));
    let option = |value: String, label: String, current: &str| {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <form method="get" action="/alerts#history" class="history-filters toolbar">
            <select name="severity" aria-label="Severity">
                {["", "critical", "warning"].map(|s| option(s.into(), if s.is_empty() { "Any severity".into() } else { s.into() }, &severity)).collect_view()}
            </select>
            <select name="rule" aria-label="Rule">
                {option(String::new(), "Any rule".into(), &rule)}
                {rules.into_iter().map(|r| option(r.clone(), r, &rule)).collect_view()}
            </select>
            <select name="state" aria-label="Change">
                {["", "fired", "resolved", "reminded", "escalated", "acknowledged", "pending", "cancelled", "test"]
                    .map(|s| option(s.into(), if s.is_empty() { "Any change".into() } else { s.into() }, &state)).collect_view()}
            </select>
            <select name="range" aria-label="Time range">
                {option(String::new(), "Any time".into(), &range)}
                {HISTORY_RANGES.map(|(r, _)| option(r.into(), format!("Last {r}"), &range)).collect_view()}
            </select>
            <button type="submit">"Filter"</button>
        </form>
    }
}

#[component]
fn HistoryTable(list: Vec<AlertHistoryEntry>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No alert history matches."</p> }.into_any();
    }
    view! {
        <table class="alert-history">
            <thead><tr><th>"When"</th><th>"Alert"</th><th>"Severity"</th><th>"Change"</th><th class="num">"Value"</th><th>"Told"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|h| {
                    let told = match (h.notify, h.silenced) {
                        (_, true) => "silenced".to_string(),
                        (true, _) => "notified".to_string(),
                        _ => "–".to_string(),
                    };
                    view! {
                        <tr class=format!("change-{}", h.change)>
                            <td>{format_utc(h.at_ms)}</td>
                            <td>{h.rule.clone()} {(!h.instance.is_empty()).then(|| format!(" ({})", h.instance))}</td>
                            <td>{h.severity.clone()}</td>
                            <td>{h.change.clone()} {h.actor.clone().map(|a| format!(" by {a}"))}</td>
                            <td class="num">{number(h.value)} " / " {number(h.threshold)}</td>
                            <td>{told}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn DeliveryTable(list: Vec<Delivery>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No notifications sent yet."</p> }.into_any();
    }
    view! {
        <table class="deliveries">
            <thead><tr><th>"Queued"</th><th>"Channel"</th><th>"About"</th><th>"Status"</th><th class="num">"Attempts"</th><th>"Last error"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|d| { let class = format!("delivery-{}", d.status); view! {
                    <tr class=class>
                        <td>{format_utc(d.created_at_ms)}</td>
                        <td>{d.channel}</td>
                        <td>{d.rule} " " {d.change} {(d.alerts > 1).then(|| format!(" (+{} grouped)", d.alerts - 1))}</td>
                        <td>{d.status}</td>
                        <td class="num">{d.attempts}</td>
                        <td>{d.last_error.unwrap_or_default()}</td>
                    </tr>
                }}).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// New rule, or edit one (`?name=`): a file rule saved here becomes an override.
#[component]
pub fn RuleEditPage() -> impl IntoView {
    let name = use_query_map().get_untracked().get("name");
    let data = load(Ok(AlertHistoryQuery {
        limit: Some(1),
        ..AlertHistoryQuery::default()
    }));
    view! {
        <Layout title="Alert rule" active="Alerts">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let name = name.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(v) => {
                                let existing = name.as_ref().and_then(|n| v.rules.iter().find(|r| &r.name == n).cloned());
                                if name.is_some() && existing.is_none() {
                                    return Err(ServerFnError::new("no such rule"));
                                }
                                Ok(view! { <RuleForm rule=existing metrics=v.metrics/> }.into_any())
                            }
                            Err(e) => Err(ServerFnError::new(e)),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

#[component]
fn RuleForm(rule: Option<RuleView>, metrics: Vec<String>) -> impl IntoView {
    let editing = rule.is_some();
    let r = rule.unwrap_or_else(|| RuleView {
        severity: "warning".into(),
        comparison: ">".into(),
        window: "5m".into(),
        cooldown: "10m".into(),
        enabled: true,
        ..RuleView::default()
    });
    let note = match r.origin.as_str() {
        "file" => "This rule comes from alerts.toml. Saving it here stores an override; the file stays as it is, and the rule can be reverted to it.",
        "overridden" => "This rule overrides its alerts.toml version.",
        _ => "",
    };
    let select = |name: &'static str, options: &[&str], current: &str| {
        let current = current.to_string();
        view! {
            <select name=name>
                {options.iter().map(|o| {
                    let o = o.to_string();
                    view! { <option value=o.clone() selected=o == current>{o.clone()}</option> }
                }).collect_view()}
            </select>
        }
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    view! {
        <p class="muted">{note}</p>
        <form method="post" action="/alerts/rules" class="rule-form grid-form">
            {if editing {
                view! { <label>"Name " <input name="name" value=r.name.clone() readonly/></label> }.into_any()
            } else {
                view! { <label>"Name " <input name="name" required maxlength="100" placeholder="kitchen_display_errors"/></label> }.into_any()
            }}
            <label>"Severity " {select("severity", &["critical", "warning"], &r.severity)}</label>
            <label>"Metric " <input name="metric" value=r.metric.clone() list="alert-metrics" required/></label>
            <datalist id="alert-metrics">
                {metrics.into_iter().map(|m| view! { <option value=m/> }).collect_view()}
            </datalist>
            <label>"Comparison " {select("comparison", &[">", ">=", "<", "<=", "=="], &r.comparison)}</label>
            <label>"Threshold " <input name="threshold" value=number(r.threshold) required inputmode="decimal"/></label>
            <label>"Window " <input name="window" value=r.window.clone() required/></label>
            <label>"Cooldown " <input name="cooldown" value=r.cooldown.clone() required/></label>
            <label>"For (hold before firing) " <input name="for" value=opt(&r.hold_for) placeholder="e.g. 2m"/></label>
            <label>"Resolve after (clear for) " <input name="resolve_after" value=opt(&r.resolve_after) placeholder="e.g. 5m"/></label>
            <label>"Restaurant " <input name="restaurant" value=opt(&r.restaurant)/></label>
            <label>"Environment " <input name="environment" value=opt(&r.environment)/></label>
            <label>"Project " <input name="project" value=opt(&r.project)/></label>
            <label>"Repeat while firing " <input name="repeat_interval" value=opt(&r.repeat_interval) placeholder="4h"/></label>
            <label>"Minimum events (ratios) " <input name="min_volume" value=r.min_volume.map(number).unwrap_or_default() inputmode="decimal"/></label>
            <label>"Aggregate (series) " {select("aggregate", &["mean", "max", "min", "last", "p95"], r.aggregate.as_deref().unwrap_or("mean"))}</label>
            <label>"Active hours " <input name="active_hours" value=opt(&r.active_hours) placeholder="mon-fri 08:00-22:00"/></label>
            <label>"Time zone " <input name="timezone" value=opt(&r.timezone) placeholder="Europe/Berlin"/></label>
            <label>"Issue alerts: level " <input name="level" value=opt(&r.level)/></label>
            <label>"Issue alerts: release " <input name="release" value=opt(&r.release)/></label>
            <label>"Issue alerts: tags " <input name="tags" value=opt(&r.tags) placeholder="restaurant_id=r-1"/></label>
            <label class="checkbox"><input type="checkbox" name="split_by_restaurant" value="on" checked=r.split_by_restaurant/>" One alert per restaurant"</label>
            <label class="checkbox"><input type="checkbox" name="only_when_open" value="on" checked=r.only_when_open/>" Only while the restaurant is open"</label>
            <label class="checkbox"><input type="checkbox" name="enabled" value="on" checked=r.enabled/>" Enabled"</label>
            <label class="wide">"What to do (sent with the alert) " <textarea name="description" maxlength="2000">{opt(&r.description)}</textarea></label>
            <div><button type="submit">"Save rule"</button> " " <a href="/alerts#rules">"Cancel"</a></div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rule_links_encode_the_name() {
        assert_eq!(
            super::edit_link("a b/c"),
            "/alerts/rules/edit?name=a%20b%2Fc"
        );
        assert_eq!(super::path_segment("x&y"), "x%26y");
        assert_eq!(super::number(0.05), "0.05");
        assert_eq!(super::number(5000.0), "5000");
        assert_eq!(super::number(0.0), "0");
    }
}
