//! Error issues: events grouped by fingerprint ([`grouping`]), dropped by inbound
//! filters ([`filters`]), and what an event contributes to its issue ([`prepare`]).

pub mod filters;
pub mod grouping;
pub mod people;

use crate::ingest::sentry::event::Event;

use store::NewErrorEvent;

const TITLE_MAX: usize = 200;
const TAG_KEY_MAX: usize = 64;
const TAG_VALUE_MAX: usize = 200;

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// `Type: value` of the raised exception, else the message.
pub fn title(e: &Event) -> String {
    let t = match e.main_exception() {
        Some(ex) => match &ex.value {
            Some(v) if !v.is_empty() => format!("{}: {v}", ex.kind),
            _ => ex.kind.clone(),
        },
        None => e
            .message
            .clone()
            .unwrap_or_else(|| "<unlabeled event>".to_string()),
    };
    truncate(t.lines().next().unwrap_or(""), TITLE_MAX)
}

/// Where it happened: the innermost in-app frame (else the innermost frame), else the
/// transaction. A frame says more than a route: browser SDKs with tracing set the
/// transaction to the page (`/`), which every error on that page shares.
pub fn culprit(e: &Event) -> Option<String> {
    frame_culprit(e).or_else(|| e.transaction.clone())
}

fn frame_culprit(e: &Event) -> Option<String> {
    let ex = e.main_exception()?;
    let f = ex
        .frames
        .iter()
        .rev()
        .find(|f| f.in_app)
        .or(ex.frames.last())?;
    let place = f.module.as_deref().or(f.filename.as_deref());
    Some(match (f.function.as_deref(), place) {
        (Some(func), Some(p)) => format!("{func} ({p})"),
        (Some(func), None) => func.to_string(),
        (None, Some(p)) => p.to_string(),
        (None, None) => return None,
    })
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The order an event is about: an `order_id` tag, else `contexts.order_details.order_id`.
pub fn order_id(e: &Event) -> Option<String> {
    e.tag("order_id").map(str::to_string).or_else(|| {
        e.contexts
            .get("order_details")
            .and_then(|o| o.get("order_id"))
            .and_then(json_text)
    })
}

/// `Chrome 120` from a `{name, version}` context.
fn name_version(e: &Event, context: &str) -> Option<String> {
    let c = e.contexts.get(context)?;
    let name = c.get("name").and_then(json_text)?;
    Some(match c.get("version").and_then(json_text) {
        Some(v) => format!("{name} {}", v.split('.').next().unwrap_or(&v)),
        None => name,
    })
}

/// The tags an issue indexes for `e`: its own, plus level, environment, release, user,
/// restaurant, order, browser and OS. Keys are unique (the event's own win) and long
/// keys or values are cut so one odd event cannot bloat the tag store.
pub fn tag_index(
    e: &Event,
    user_key: Option<&str>,
    restaurant: Option<&str>,
) -> Vec<(String, String)> {
    let synthesized = [
        ("level", Some(e.level.clone())),
        ("environment", e.environment.clone()),
        ("release", e.release.clone()),
        ("user", user_key.map(str::to_string)),
        ("restaurant_id", restaurant.map(str::to_string)),
        ("order_id", order_id(e)),
        ("browser", name_version(e, "browser")),
        ("os", name_version(e, "os")),
    ];
    let mut out: Vec<(String, String)> = Vec::with_capacity(e.tags.len() + synthesized.len());
    let own = e.tags.iter().map(|(k, v)| (k.clone(), v.clone()));
    let extra = synthesized
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_string(), v?)));
    for (k, v) in own.chain(extra) {
        let k = truncate(k.trim(), TAG_KEY_MAX);
        if k.is_empty() || v.is_empty() || out.iter().any(|(seen, _)| *seen == k) {
            continue;
        }
        out.push((k, truncate(&v, TAG_VALUE_MAX)));
    }
    out
}

/// What storage needs to file `e` under its issue.
pub fn prepare(project_id: i64, e: &Event, received_at_ms: i64) -> NewErrorEvent {
    let user_field = |name: &str| {
        e.user.as_ref().and_then(|u| u.get(name)).and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_i64().map(|n| n.to_string()))
        })
    };
    let mut n = NewErrorEvent {
        project_id,
        fingerprint: grouping::fingerprint(e),
        title: title(e),
        culprit: culprit(e),
        level: e.level.clone(),
        received_at_ms,
        event_id: e.event_id.clone(),
        environment: e.environment.clone(),
        release: e.release.clone(),
        user_key: user_field("id")
            .or_else(|| user_field("email"))
            .or_else(|| user_field("ip_address"))
            .or_else(|| user_field("username")),
        tags: vec![],
        restaurant_id: e
            .tag("restaurant_id")
            .map(str::to_string)
            .or_else(|| user_field("restaurant_id")),
        body: serde_json::to_string(e).unwrap_or_else(|_| "{}".into()),
    };
    n.tags = tag_index(e, n.user_key.as_deref(), n.restaurant_id.as_deref());
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::sentry::event::normalize;

    #[test]
    fn the_culprit_is_the_in_app_frame_before_the_transaction() {
        let e = normalize(
            br#"{"transaction":"/","exception":{"values":[{"type":"TypeError","stacktrace":{"frames":[
            {"function":"submitOrder","filename":"https://pos/app.js","in_app":true}]}}]}}"#,
        )
        .unwrap();
        assert_eq!(
            culprit(&e).as_deref(),
            Some("submitOrder (https://pos/app.js)")
        );
        let m = normalize(br#"{"transaction":"GET /orders","message":"slow"}"#).unwrap();
        assert_eq!(culprit(&m).as_deref(), Some("GET /orders"));
    }

    #[test]
    fn the_order_and_browser_come_from_contexts_and_own_tags_win() {
        let e = normalize(
            br#"{"message":"m","tags":{"level":"custom","order_id":"o-1"},
            "contexts":{"order_details":{"order_id":"o-2"},"browser":{"name":"Chrome","version":"120.0.1"}}}"#,
        )
        .unwrap();
        let tags = tag_index(&e, None, None);
        assert!(tags.contains(&("level".into(), "custom".into())));
        assert!(tags.contains(&("order_id".into(), "o-1".into())));
        assert!(tags.contains(&("browser".into(), "Chrome 120".into())));
        assert_eq!(tags.iter().filter(|(k, _)| k == "level").count(), 1);
        let e =
            normalize(br#"{"message":"m","contexts":{"order_details":{"order_id":42}}}"#).unwrap();
        assert_eq!(order_id(&e).as_deref(), Some("42"));
    }

    #[test]
    fn an_error_becomes_a_titled_issue_event_with_its_people_and_place() {
        let e = normalize(
            br#"{"exception":{"values":[{"type":"PaymentError","value":"card declined\nmore",
            "stacktrace":{"frames":[{"function":"charge","module":"payments","in_app":true},{"function":"send","filename":"http.js"}]}}]},
            "user":{"email":"a@b.c","restaurant_id":"r-2"},"tags":{"order_type":"pickup"}}"#,
        )
        .unwrap();
        let n = prepare(1, &e, 5);
        assert_eq!(n.title, "PaymentError: card declined");
        assert_eq!(n.culprit.as_deref(), Some("charge (payments)"));
        assert_eq!(n.user_key.as_deref(), Some("a@b.c"));
        assert_eq!(n.restaurant_id.as_deref(), Some("r-2"));
        assert_eq!(n.level, "error");
        let tag = |k: &str| {
            n.tags
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(tag("order_type"), Some("pickup"));
        assert_eq!(tag("user"), Some("a@b.c"));
        assert_eq!(tag("restaurant_id"), Some("r-2"));
        assert_eq!(tag("level"), Some("error"));
        assert_eq!(tag("environment"), None);
        assert_eq!(title(&normalize(br#"{"message":"x"}"#).unwrap()), "x");
        assert_eq!(truncate(&"y".repeat(300), 10).chars().count(), 10);
    }
}
