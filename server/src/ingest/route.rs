//! API URLs reduced to route templates, so `/api/orders/8812?x=1` and
//! `/api/orders/8813` roll up as one endpoint, `/api/orders/:id`.

/// Whether a path segment is an identifier rather than a name: a number, a UUID, a
/// hex string, or a long token with digits in it.
fn is_id(seg: &str) -> bool {
    if seg.is_empty() {
        return false;
    }
    let digits = seg.bytes().filter(u8::is_ascii_digit).count();
    if digits == seg.len() {
        return true;
    }
    let hexish = seg.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if hexish && seg.len() >= 8 && digits > 0 {
        return true;
    }
    seg.len() >= 16 && digits > 0
}

/// The route template of `url`: query and fragment dropped, identifiers as `:id`.
/// An absolute URL keeps its host unless it is `same_host` (the page's own), so calls
/// to a payment provider stay apart from the platform's own API.
pub fn template(url: &str, same_host: Option<&str>) -> String {
    let url = url.split(['?', '#']).next().unwrap_or("");
    let (host, path) = match url.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => (Some(&rest[..i]), &rest[i..]),
            None => (Some(rest), "/"),
        },
        None => (None, url),
    };
    let mut out = String::with_capacity(url.len());
    if let Some(h) = host.filter(|h| Some(*h) != same_host) {
        out.push_str(h);
    }
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(if is_id(seg) { ":id" } else { seg });
    }
    if out.is_empty() || host.is_some() && out == host.unwrap_or("") {
        out.push('/');
    }
    out.chars().take(256).collect()
}

/// The host of an absolute URL.
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_placeholders_and_names_stay() {
        assert_eq!(template("/api/orders/8812?x=1", None), "/api/orders/:id");
        assert_eq!(
            template(
                "/api/v1/orders/3f2a9c1e-7b4d-4c1a-9e8f-0a1b2c3d4e5f/items",
                None
            ),
            "/api/v1/orders/:id/items"
        );
        assert_eq!(template("/r/5f3a9c0b12/menu#top", None), "/r/:id/menu");
        assert_eq!(
            template("/api/menu/deadbeef", None),
            "/api/menu/deadbeef",
            "no digit: a word"
        );
        assert_eq!(template("/t/abcDEF1234567890xyz", None), "/t/:id");
        assert_eq!(template("", None), "/");
    }

    #[test]
    fn absolute_urls_keep_a_foreign_host_only() {
        let own = Some("pos.example.com");
        assert_eq!(
            template("https://pos.example.com/api/orders/7", own),
            "/api/orders/:id"
        );
        assert_eq!(
            template("https://pay.provider.io/v2/charges/99", own),
            "pay.provider.io/v2/charges/:id"
        );
        assert_eq!(template("https://pay.provider.io", own), "pay.provider.io/");
        assert_eq!(host_of("https://a.b:8080/x?y"), Some("a.b:8080"));
        assert_eq!(host_of("/relative"), None);
    }
}
