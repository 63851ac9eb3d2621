#[cfg(feature = "hydrate")]
use crate::model::FiltersView;
use crate::model::InboundFilters;
use leptos::prelude::*;

/// Edits a list of strings: one input per entry, remove buttons, an empty one to add.
fn list_editor(
    items: RwSignal<Vec<String>>,
    label: &'static str,
    placeholder: &'static str,
) -> impl IntoView {
    view! {
        <fieldset class="list-editor">
            <legend>{label}</legend>
            {move || items.get().into_iter().enumerate().map(|(i, value)| view! {
                <div class="list-item">
                    <input value=value.clone() aria-label=label
                        on:change=move |ev| items.update(|v| v[i] = event_target_value(&ev))/>
                    <button type="button" class="danger" on:click=move |_| items.update(|v| { v.remove(i); })>"Remove"</button>
                </div>
            }).collect_view()}
            <button type="button" on:click=move |_| items.update(|v| v.push(String::new()))>
                {format!("Add {placeholder}")}
            </button>
        </fieldset>
    }
}

/// The inbound filters of a project, saved with `PUT /api/v1/filters`.
#[island]
pub fn FiltersEditor(initial: InboundFilters) -> impl IntoView {
    let messages = RwSignal::new(initial.messages);
    let environments = RwSignal::new(initial.environments);
    let extensions = RwSignal::new(initial.browser_extensions);
    let status = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = InboundFilters {
            messages: messages.get_untracked(),
            browser_extensions: extensions.get_untracked(),
            environments: environments.get_untracked(),
        };
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match super::fetch::put_json::<_, FiltersView>("/api/v1/filters", &body).await {
                Ok(v) => {
                    messages.set(v.filters.messages);
                    environments.set(v.filters.environments);
                    extensions.set(v.filters.browser_extensions);
                    status.set(Some("Saved. New events are filtered from now on.".into()));
                }
                Err(e) => status.set(Some(format!("Not saved: {e}"))),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = body;
    };
    view! {
        <form class="filters-editor stack" on:submit=save>
            {list_editor(messages, "Drop events whose message contains", "message pattern")}
            <label class="checkbox">
                <input type="checkbox" prop:checked=move || extensions.get()
                    on:change=move |ev| extensions.set(event_target_checked(&ev))/>
                " Drop errors raised by browser extensions"
            </label>
            {list_editor(environments, "Drop events from environments", "environment")}
            <div><button type="submit">"Save filters"</button></div>
            <p class="filters-status" role="status">{move || status.get()}</p>
        </form>
    }
}
