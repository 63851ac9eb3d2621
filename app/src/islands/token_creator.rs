use leptos::prelude::*;
use protocol::{NewToken, NewTokenRequest, TokenScope};

/// Creates an API token and shows it once; the server keeps only its hash.
#[island]
pub fn TokenCreator() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(TokenScope::Read);
    let created = RwSignal::new(None::<NewToken>);
    let error = RwSignal::new(None::<String>);

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = NewTokenRequest {
            name: name.get_untracked(),
            scope: scope.get_untracked(),
        };
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match super::fetch::post_json::<_, NewToken>("/api/v1/tokens", &request).await {
                Ok(t) => {
                    created.set(Some(t));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = request;
    };

    view! {
        <form class="inline" on:submit=create>
            <label>"New token name "
                <input name="name" required maxlength="64" placeholder="grafana"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            <label>" scope "
                <select name="scope" on:change=move |ev| {
                    if let Some(s) = TokenScope::parse(&event_target_value(&ev)) {
                        scope.set(s);
                    }
                }>
                    <option value="read" selected>"read: the read API and /metrics"</option>
                    <option value="ingest">"ingest: events, logs, custom metrics from servers"</option>
                    <option value="releases">"releases: source maps and releases (CI)"</option>
                    <option value="admin">"admin: everything"</option>
                </select>
            </label>
            <button type="submit">"Create token"</button>
        </form>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        {move || created.get().map(|t| view! {
            <div class="notice new-token" role="status">
                <p>"Token " <strong>{t.name}</strong> {format!(" ({}) ", t.scope.as_str())} "created. Copy it now: it is not shown again."</p>
                <code class="token-value">{t.token}</code>
            </div>
        })}
    }
}
