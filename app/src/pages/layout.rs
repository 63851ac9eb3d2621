use leptos::prelude::*;
use leptos_meta::Title;

/// Page frame for signed-in pages: navigation, sign-out, and the page body.
#[component]
pub fn Layout(title: &'static str, active: &'static str, children: Children) -> impl IntoView {
    let link = move |href: &'static str, label: &'static str| {
        view! {
            <a href=href class:active=move || active == label aria-current=move || (active == label).then_some("page")>
                {label}
            </a>
        }
    };
    view! {
        <Title text=title/>
        <header class="topbar">
            <span class="brand">"Restaurant OS Monitor"</span>
            <nav>{link("/", "Overview")} {link("/settings", "Settings")}</nav>
            <form method="post" action="/auth/logout" class="logout">
                <button type="submit">"Sign out"</button>
            </form>
        </header>
        <main>
            <h1>{title}</h1>
            {children()}
        </main>
    }
}

/// An error box for a page whose data could not be loaded.
#[component]
pub fn LoadError(message: String) -> impl IntoView {
    view! { <p class="error" role="alert">"Could not load this page: " {message}</p> }
}
