use super::layout::Layout;
use crate::{
    api::get_settings,
    islands::{FiltersEditor, TokenCreator},
    model::SettingsView,
};
use leptos::prelude::*;

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
                </dl>
                <p>"RUM script tag: add it to every restaurant page"</p>
                <pre class="script-tag"><code>{p.script_tag}</code></pre>
            </section>
        }).collect_view()}
        {demo_url.map(|url| view! {
            <p>"See it work: open the " <a href=url.clone() target="_blank">"demo restaurant page"</a>
               ", then come back to the Overview."</p>
        })}
        <section class="panel inbound-filters">
            <h2>"Inbound filters of " <code>{filters.project.clone()}</code></h2>
            <p class="muted">"Events these match are dropped at ingest and counted below, never silently lost."</p>
            <FiltersEditor initial=filters.filters.clone()/>
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
        <section class="panel">
            <h2>"API tokens"</h2>
            <p class="muted">"For the read API: " <code>"Authorization: Bearer <token>"</code></p>
            <table class="tokens">
                <thead><tr><th>"Name"</th><th>"Token"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                <tbody>
                    {tokens.into_iter().map(|t| view! {
                        <tr>
                            <td>{t.name}</td>
                            <td><code>{t.prefix}"…"</code></td>
                            <td>{crate::model::format_utc(t.created_at_ms)}</td>
                            <td>{t.last_used_ms.map(crate::model::format_utc).unwrap_or_else(|| "never".into())}</td>
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
