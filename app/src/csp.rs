//! The dashboard's Content Security Policy, sent with every page: scripts only from this
//! site or inline with this response's nonce (the hydration script leptos_axum renders
//! carries it), wasm allowed to compile, no plugins, no framing, forms and connections
//! only back to this site.

use leptos::prelude::*;

/// The policy for a page whose inline scripts carry `nonce`, served to `host`.
pub fn policy(nonce: &str, host: Option<&str>) -> String {
    // `'self'` covers same-origin WebSockets in current browsers; naming the host's ws
    // origins keeps the live channel working in older ones.
    let ws = host
        .map(|h| format!(" ws://{h} wss://{h}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'{ws}; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the policy on the response being rendered.
pub fn send() {
    if let (Some(nonce), Some(resp)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let host = use_context::<http::request::Parts>().and_then(|p| {
            p.headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| {
                    h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b))
                })
                .map(str::to_string)
        });
        if let Ok(v) = http::HeaderValue::from_str(&policy(&nonce, host.as_deref())) {
            resp.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_policy_names_the_nonce_and_refuses_framing() {
        let p = super::policy("abc123", Some("127.0.0.1:3000"));
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(p.contains("connect-src 'self' ws://127.0.0.1:3000 wss://127.0.0.1:3000"));
    }
}
