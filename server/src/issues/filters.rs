//! Inbound filters: which events a project drops before they reach an issue. A dropped
//! event is counted as an outcome (`filtered`, with the reason), never silently lost.

use crate::ingest::sentry::event::Event;
use protocol::InboundFilters;

/// Frame URL schemes of browser extensions.
const EXTENSION_SCHEMES: [&str; 5] = [
    "chrome-extension://",
    "moz-extension://",
    "safari-extension://",
    "safari-web-extension://",
    "ms-browser-extension://",
];

/// Messages only extensions and injected scripts produce.
const EXTENSION_MESSAGES: [&str; 3] = [
    "top.GLOBALS",
    "originalCreateNotification",
    "canvas.contentDocument",
];

/// Why an event was dropped: the outcome's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    Message,
    BrowserExtension,
    Environment,
}

impl Dropped {
    pub fn reason(self) -> &'static str {
        match self {
            Dropped::Message => "message",
            Dropped::BrowserExtension => "browser_extension",
            Dropped::Environment => "environment",
        }
    }
}

/// The texts a message filter looks at: the message and every exception's `Type: value`.
fn texts(e: &Event) -> impl Iterator<Item = String> + '_ {
    e.message
        .iter()
        .cloned()
        .chain(e.exceptions.iter().map(|x| match &x.value {
            Some(v) => format!("{}: {v}", x.kind),
            None => x.kind.clone(),
        }))
}

fn from_extension(e: &Event) -> bool {
    let in_extension = e.exceptions.iter().any(|x| {
        x.frames.iter().any(|f| {
            f.filename
                .as_deref()
                .is_some_and(|name| EXTENSION_SCHEMES.iter().any(|s| name.starts_with(s)))
        })
    });
    in_extension || texts(e).any(|t| EXTENSION_MESSAGES.iter().any(|m| t.contains(m)))
}

/// Whether `f` drops `e`, and why.
pub fn check(f: &InboundFilters, e: &Event) -> Option<Dropped> {
    if let Some(env) = &e.environment {
        if f.environments.iter().any(|x| x.eq_ignore_ascii_case(env)) {
            return Some(Dropped::Environment);
        }
    }
    let patterns: Vec<String> = f
        .messages
        .iter()
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    if !patterns.is_empty()
        && texts(e).any(|t| {
            let t = t.to_lowercase();
            patterns.iter().any(|p| t.contains(p))
        })
    {
        return Some(Dropped::Message);
    }
    if f.browser_extensions && from_extension(e) {
        return Some(Dropped::BrowserExtension);
    }
    None
}

/// Cleans filters typed into Settings: trimmed, no empty or repeated entries, bounded.
pub fn tidy(f: InboundFilters) -> Result<InboundFilters, String> {
    fn list(items: Vec<String>, what: &str) -> Result<Vec<String>, String> {
        let mut out: Vec<String> = vec![];
        for item in items {
            let item = item.trim().to_string();
            if item.is_empty() || out.contains(&item) {
                continue;
            }
            if item.chars().count() > 200 {
                return Err(format!("{what}: an entry is over 200 characters"));
            }
            out.push(item);
        }
        if out.len() > 100 {
            return Err(format!("{what}: at most 100 entries"));
        }
        Ok(out)
    }
    Ok(InboundFilters {
        messages: list(f.messages, "messages")?,
        browser_extensions: f.browser_extensions,
        environments: list(f.environments, "environments")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::sentry::event::normalize;

    fn event(json: &str) -> Event {
        normalize(json.as_bytes()).unwrap()
    }

    #[test]
    fn the_defaults_drop_resize_observer_noise_and_extension_errors_only() {
        let f = InboundFilters::default();
        let noise = event(
            r#"{"exception":{"values":[{"type":"Error","value":"ResizeObserver loop limit exceeded"}]}}"#,
        );
        assert_eq!(check(&f, &noise), Some(Dropped::Message));
        let ext = event(
            r#"{"exception":{"values":[{"type":"TypeError","value":"x","stacktrace":{"frames":[
            {"filename":"chrome-extension://abcdef/content.js","function":"inject"}]}}]}}"#,
        );
        assert_eq!(check(&f, &ext), Some(Dropped::BrowserExtension));
        let real = event(
            r#"{"environment":"production","exception":{"values":[{"type":"TypeError","value":"total is undefined",
            "stacktrace":{"frames":[{"filename":"https://pos.example/app.js"}]}}]}}"#,
        );
        assert_eq!(check(&f, &real), None);
    }

    #[test]
    fn message_patterns_are_case_insensitive_substrings_and_environments_match_names() {
        let f = InboundFilters {
            messages: vec!["  Network Request Failed ".into()],
            browser_extensions: false,
            environments: vec!["Development".into()],
        };
        assert_eq!(
            check(
                &f,
                &event(r#"{"message":"fetch: network request failed (x)"}"#)
            ),
            Some(Dropped::Message)
        );
        assert_eq!(
            check(&f, &event(r#"{"message":"m","environment":"development"}"#)),
            Some(Dropped::Environment)
        );
        let ext = r#"{"exception":{"values":[{"type":"E","stacktrace":{"frames":[{"filename":"moz-extension://x/a.js"}]}}]}}"#;
        assert_eq!(check(&f, &event(ext)), None, "extension filter is off");
    }

    #[test]
    fn tidy_drops_blanks_and_repeats_and_bounds_entries() {
        let f = tidy(InboundFilters {
            messages: vec![" a ".into(), "".into(), "a".into(), "b".into()],
            browser_extensions: true,
            environments: vec![],
        })
        .unwrap();
        assert_eq!(f.messages, vec!["a", "b"]);
        assert!(tidy(InboundFilters {
            messages: vec!["x".repeat(201)],
            ..InboundFilters::default()
        })
        .is_err());
    }
}
