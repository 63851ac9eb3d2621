//! The session cookie: `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` when the
//! monitor is reached over https.

use crate::config::SecureCookie;
use axum::http::{header, HeaderMap};

pub const SESSION_COOKIE: &str = "monitor_session";

/// The session token from a request's `Cookie` headers.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

/// Whether the request reached us over https (directly per the public URL, or through
/// a proxy that says so).
pub fn is_https(headers: &HeaderMap, public_url: &str) -> bool {
    public_url.starts_with("https://")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn secure(mode: SecureCookie, https: bool) -> &'static str {
    match (mode, https) {
        (SecureCookie::Always, _) | (SecureCookie::Auto, true) => "; Secure",
        _ => "",
    }
}

pub fn set_session(token: &str, max_age_secs: u64, mode: SecureCookie, https: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        secure(mode, https)
    )
}

pub fn clear_session(mode: SecureCookie, https: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        secure(mode, https)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_the_session_among_other_cookies() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; monitor_session=abc123"),
        );
        assert_eq!(session_token(&h).as_deref(), Some("abc123"));
        assert_eq!(session_token(&HeaderMap::new()), None);
    }

    #[test]
    fn secure_only_over_https_in_auto_mode() {
        let c = set_session("t", 60, SecureCookie::Auto, false);
        assert_eq!(
            c,
            "monitor_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        assert!(set_session("t", 60, SecureCookie::Auto, true).ends_with("; Secure"));
        assert!(!set_session("t", 60, SecureCookie::Never, true).contains("Secure"));
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(is_https(&h, "http://127.0.0.1:3000"));
        assert!(is_https(&HeaderMap::new(), "https://monitor.example"));
    }
}
