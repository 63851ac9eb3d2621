use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Sign-in form. It posts to `/auth/login` as a plain HTML form, so it works before
/// (and without) any wasm.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let (message, next) = query.with_untracked(|q| {
        let message = match q.get("error").as_deref() {
            Some("credentials") => Some("Wrong username or password."),
            Some("throttled") => {
                Some("Too many failed attempts from here. Wait a little and try again.")
            }
            Some("busy") => Some("Too many sign-ins at once. Try again in a few seconds."),
            Some("origin") => Some("The form came from another site and was refused."),
            Some(_) => Some("Sign-in failed."),
            None if q.get("signed_out").is_some() => Some("You are signed out."),
            None => None,
        };
        (message, q.get("next").unwrap_or_default())
    });
    view! {
        <Title text="Sign in"/>
        <main class="narrow login">
            <h1>"Restaurant OS Monitor"</h1>
            {message.map(|m| view! { <p class="notice" role="status">{m}</p> })}
            <form method="post" action="/auth/login" class="stack">
                <label>"Username" <input name="username" autocomplete="username" required autofocus/></label>
                <label>"Password" <input name="password" type="password" autocomplete="current-password" required/></label>
                <input type="hidden" name="next" value=next/>
                <button type="submit">"Sign in"</button>
            </form>
        </main>
    }
}
