//! Error issues (issue 3, in progress): events grouped by fingerprint ([`grouping`]),
//! and what an event contributes to its issue ([`prepare`]).

pub mod grouping;

use crate::{ingest::sentry::event::Event, storage::NewErrorEvent};

const TITLE_MAX: usize = 200;

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

/// Where it happened: the transaction, else the innermost in-app frame.
pub fn culprit(e: &Event) -> Option<String> {
    if let Some(t) = &e.transaction {
        return Some(t.clone());
    }
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

/// What storage needs to file `e` under its issue.
pub fn prepare(project_id: i64, e: &Event, received_at_ms: i64) -> NewErrorEvent {
    let user_field = |name: &str| {
        e.user.as_ref().and_then(|u| u.get(name)).and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_i64().map(|n| n.to_string()))
        })
    };
    NewErrorEvent {
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
        restaurant_id: e
            .tag("restaurant_id")
            .map(str::to_string)
            .or_else(|| user_field("restaurant_id")),
        body: serde_json::to_string(e).unwrap_or_else(|_| "{}".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::sentry::event::normalize;

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
        assert_eq!(title(&normalize(br#"{"message":"x"}"#).unwrap()), "x");
        assert_eq!(truncate(&"y".repeat(300), 10).chars().count(), 10);
    }
}
