use super::layout::Layout;
use crate::{api::get_settings, islands::TokenCreator};
use leptos::prelude::*;
use protocol::SettingsView;

/// Settings: where to send data (DSN, public key, script tag) and API tokens.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| get_settings());
    view! {
        <Layout title="Settings" active="Settings">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => Ok(view! { <SettingsBody settings=s/> }.into_any()),
                        Err(e) => Err(ServerFnError::new(e)),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// One input per entry plus two empty ones to add more; blanks are dropped on save.
fn entries(name: &'static str, items: Vec<String>) -> impl IntoView {
    items
        .into_iter()
        .chain([String::new(), String::new()])
        .map(|value| view! { <input name=name value=value aria-label=name/> })
        .collect_view()
}

/// The inbound filters as a plain form (posts to `/settings/filters`, no wasm).
#[component]
fn FiltersForm(filters: protocol::InboundFilters) -> impl IntoView {
    view! {
        <form method="post" action="/settings/filters" class="filters-form stack">
            <fieldset class="list-editor">
                <legend>"Drop events whose message contains (case-insensitive)"</legend>
                {entries("messages", filters.messages)}
            </fieldset>
            <label class="checkbox">
                <input type="checkbox" name="browser_extensions" value="on" checked=filters.browser_extensions/>
                " Drop errors raised by browser extensions"
            </label>
            <fieldset class="list-editor">
                <legend>"Drop events from these environments"</legend>
                {entries("environments", filters.environments)}
            </fieldset>
            <div><button type="submit">"Save filters"</button></div>
        </form>
    }
}

#[component]
fn SettingsBody(settings: SettingsView) -> impl IntoView {
    let SettingsView {
        username,
        projects,
        tokens,
        demo_url,
        filters,
    } = settings;
    view! {
        <p class="muted">"Signed in as " <strong>{username}</strong></p>
        {projects.into_iter().map(|p| view! {
            <section class="panel project">
                <h2>"Project " <code>{p.slug}</code></h2>
                <dl>
                    <dt>"Public key"</dt><dd><code class="public-key">{p.public_key}</code></dd>
                    <dt>"Sentry DSN"</dt><dd><code class="dsn">{p.dsn}</code></dd>
                    {p.previous_public_key.map(|k| view! {
                        <dt>"Previous key"</dt>
                        <dd><code class="previous-key">{k}</code>" still accepted until "
                            {p.previous_key_valid_until_ms.map(protocol::format_utc).unwrap_or_default()}</dd>
                    })}
                </dl>
                <p>"RUM script tag: add it to every restaurant page"</p>
                <pre class="script-tag"><code>{p.script_tag}</code></pre>
                <form method="post" action="/settings/rotate-key" class="inline" id="keys">
                    <label>"Rotate the public key; the old one keeps working for "
                        <select name="grace_hours">
                            <option value="1">"1 hour"</option>
                            <option value="24">"1 day"</option>
                            <option value="168" selected>"7 days"</option>
                            <option value="720">"30 days"</option>
                        </select>
                    </label>
                    " "<button type="submit" class="danger">"Rotate key"</button>
                </form>
            </section>
        }).collect_view()}
        {demo_url.map(|url| view! {
            <p>"See it work: open the " <a href=url.clone() target="_blank">"demo restaurant page"</a>
               ", then come back to the Overview."</p>
        })}
        <section class="panel inbound-filters" id="filters">
            <h2>"Inbound filters of " <code>{filters.project.clone()}</code></h2>
            <p class="muted">"Events these match are dropped at ingest and counted below, never silently lost."</p>
            <FiltersForm filters=filters.filters.clone()/>
            <h3>"Dropped in the last 24 hours"</h3>
            <table class="dropped">
                <thead><tr><th>"Why"</th><th>"Reason"</th><th>"Category"</th><th class="num">"Events"</th></tr></thead>
                <tbody>
                    {if filters.dropped_24h.is_empty() {
                        view! { <tr><td colspan="4" class="muted">"Nothing dropped."</td></tr> }.into_any()
                    } else {
                        filters.dropped_24h.into_iter().map(|o| view! {
                            <tr><td>{o.source}</td><td>{o.reason}</td><td>{o.category}</td><td class="num">{o.quantity}</td></tr>
                        }).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </section>
        <section class="panel credentials">
            <h2>"Which credential each endpoint takes"</h2>
            <p class="muted">"The public key is in every restaurant page, so it only sends what a browser sends. What could move business figures or page on-call needs a token, sent as "
                <code>"Authorization: Bearer <token>"</code>"."</p>
            <table>
                <thead><tr><th>"Endpoint"</th><th>"Credential"</th></tr></thead>
                <tbody>
                    <tr><td><code>"POST /api/rum"</code></td><td>"public key"</td></tr>
                    <tr><td><code>"POST /api/<id>/envelope/, /store/"</code></td><td>"public key (the DSN)"</td></tr>
                    <tr><td><code>"POST /api/events, /api/logs, /api/internal/metrics"</code></td><td>"token, scope ingest (or admin)"</td></tr>
                    <tr><td><code>"/api/0/ (sentry-cli: releases, source maps)"</code></td><td>"token, scope releases (or admin)"</td></tr>
                    <tr><td><code>"GET /api/v1/..., /metrics, /ws"</code></td><td>"token, scope read (or admin), or a session"</td></tr>
                    <tr><td><code>"POST, PUT, DELETE /api/v1/..."</code></td><td>"token, scope admin, or a session"</td></tr>
                </tbody>
            </table>
        </section>
        <section class="panel">
            <h2>"API tokens"</h2>
            <table class="tokens">
                <thead><tr><th>"Name"</th><th>"Scope"</th><th>"Token"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                <tbody>
                    {tokens.into_iter().map(|t| view! {
                        <tr>
                            <td>{t.name}</td>
                            <td class="scope">{t.scope.as_str()}</td>
                            <td><code>{t.prefix}"…"</code></td>
                            <td>{protocol::format_utc(t.created_at_ms)}</td>
                            <td>{t.last_used_ms.map(protocol::format_utc).unwrap_or_else(|| "never".into())}</td>
                            <td>
                                <form method="post" action=format!("/settings/tokens/{}/revoke", t.id)>
                                    <button type="submit" class="danger">"Revoke"</button>
                                </form>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <TokenCreator/>
        </section>
    }
}
