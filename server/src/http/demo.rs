//! `/demo/restaurant`: a small restaurant site instrumented with the RUM SDK, so a new
//! install shows data within a minute. On by default; `demo.enabled = false` removes it.

use crate::{config::Config, http::error::ApiError, state::AppState};
use axum::{
    extract::{Path, State},
    response::Html,
    routing::get,
    Router,
};

const PAGES: [(&str, &str); 3] = [("", "Home"), ("menu", "Menu"), ("order", "Your order")];

pub fn router(config: &Config) -> Router<AppState> {
    if !config.demo.enabled {
        return Router::new();
    }
    Router::new()
        .route("/demo/restaurant", get(|s: State<AppState>| page(s, None)))
        .route(
            "/demo/restaurant/{page}",
            get(|s: State<AppState>, Path(p): Path<String>| page(s, Some(p))),
        )
}

async fn page(
    State(state): State<AppState>,
    which: Option<String>,
) -> Result<Html<String>, ApiError> {
    let which = which.unwrap_or_default();
    let (_, title) = PAGES
        .iter()
        .find(|(slug, _)| *slug == which)
        .ok_or(ApiError::NotFound("no such demo page"))?;
    let project = state.projects.default_project()?;
    Ok(Html(render(title, &project.public_key)))
}

fn render(title: &str, key: &str) -> String {
    let nav: String = PAGES
        .iter()
        .map(|(slug, t)| {
            let href = if slug.is_empty() {
                "/demo/restaurant".to_string()
            } else {
                format!("/demo/restaurant/{slug}")
            };
            format!(r#"<a href="{href}">{t}</a> "#)
        })
        .collect();
    // `key` is our own hex public key and `title` a constant: nothing from outside.
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Trattoria Demo</title><link rel="icon" href="data:,">
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}}
nav a{{margin-right:1rem}} .dish{{display:flex;justify-content:space-between;border-bottom:1px solid #eee;padding:.5rem 0}}</style>
<script type="module" src="/sdk/rum.js" data-key="{key}"></script>
</head><body>
<header><h1>Trattoria Demo — {title}</h1><nav>{nav}</nav></header>
<main>
<p>This page carries the Restaurant OS Monitor RUM SDK. Each visit sends its page-load timings; open the monitor's Overview to see them.</p>
<div class="dish"><span>Margherita</span><span>€9.50</span></div>
<div class="dish"><span>Carbonara</span><span>€12.00</span></div>
<div class="dish"><span>Tiramisù</span><span>€6.50</span></div>
</main></body></html>"#
    )
}
