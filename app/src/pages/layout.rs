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
            <nav>{link("/", "Overview")} {link("/issues", "Issues")} {link("/performance", "Performance")} {link("/server", "Server")} {link("/business", "Business")} {link("/logs", "Logs")} {link("/alerts", "Alerts")} {link("/status", "Health")} {link("/audit", "Audit")} {link("/settings", "Settings")}</nav>
            <form method="post" action="/auth/logout" class="logout">
                <button type="submit">"Sign out"</button>
            </form>
        </header>
        <main>
            <h1>{title}</h1>
            <ErrorBoundary fallback=|errors| view! {
                <div class="panel error-boundary" role="alert">
                    <h2>"This page could not be loaded"</h2>
                    <ul class="error">
                        {move || errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()}
                    </ul>
                    // Reloading the page resets it: the server renders it afresh.
                    <a class="button retry" href="">"Try again"</a>
                </div>
            }>
                {children()}
            </ErrorBoundary>
        </main>
    }
}
