use crate::model::IssueStatus;
#[cfg(feature = "hydrate")]
use crate::model::IssueSummary;
use leptos::prelude::*;

/// Resolve, ignore or reopen an issue, without leaving the page.
#[island]
pub fn IssueActions(id: i64, status: IssueStatus) -> impl IntoView {
    let status = RwSignal::new(status);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let set = move |to: IssueStatus| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            busy.set(true);
            let body = serde_json::json!({ "status": to.as_str() });
            match super::fetch::put_json::<_, IssueSummary>(&format!("/api/v1/issues/{id}"), &body)
                .await
            {
                Ok(i) => {
                    status.set(i.status);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (to, id);
    };
    let button = move |to: IssueStatus, label: &'static str| {
        view! {
            <button type="button" class=format!("action-{}", to.as_str()) disabled=move || busy.get()
                on:click=move |_| set(to)>{label}</button>
        }
    };
    view! {
        <div class="issue-actions">
            <span class="status" aria-live="polite">"Status: " <strong class="status-value">{move || status.get().as_str()}</strong></span>
            {move || match status.get() {
                IssueStatus::Unresolved => view! { {button(IssueStatus::Resolved, "Resolve")} {button(IssueStatus::Ignored, "Ignore")} }.into_any(),
                _ => button(IssueStatus::Unresolved, "Reopen").into_any(),
            }}
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </div>
    }
}
