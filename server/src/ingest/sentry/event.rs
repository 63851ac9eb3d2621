//! A Sentry event payload, normalized. SDKs disagree on shapes (tags as an object or as
//! pairs, `message` as a string or an object, `exception` and `breadcrumbs` as arrays or
//! `{values: [...]}`, timestamps as seconds or RFC 3339); everything past this module
//! sees one shape.

pub use protocol::{Breadcrumb, ErrorEvent as Event, Exception, Frame};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Most breadcrumbs kept per event (the newest), as Sentry does.
const MAX_BREADCRUMBS: usize = 100;
/// Most tags kept per event.
const MAX_TAGS: usize = 100;

#[derive(Deserialize)]
struct Raw {
    event_id: Option<String>,
    timestamp: Option<Value>,
    level: Option<String>,
    platform: Option<String>,
    release: Option<String>,
    environment: Option<String>,
    transaction: Option<String>,
    message: Option<Value>,
    logentry: Option<Value>,
    exception: Option<Value>,
    tags: Option<Value>,
    user: Option<Map<String, Value>>,
    contexts: Option<Map<String, Value>>,
    breadcrumbs: Option<Value>,
    request: Option<Value>,
    sdk: Option<Value>,
    fingerprint: Option<Vec<Value>>,
}

fn values(v: Option<Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a,
        Some(Value::Object(mut o)) => match o.remove("values") {
            Some(Value::Array(a)) => a,
            _ => vec![],
        },
        _ => vec![],
    }
}

fn newest(mut all: Vec<Value>, max: usize) -> Vec<Value> {
    all.drain(..all.len().saturating_sub(max));
    all
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn str_field(o: &Value, name: &str) -> Option<String> {
    o.get(name).and_then(Value::as_str).map(str::to_string)
}

fn message_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(_) => str_field(v, "formatted").or_else(|| str_field(v, "message")),
        _ => None,
    }
}

fn timestamp_ms(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_f64().map(|s| (s * 1000.0) as i64),
        Value::String(s) => {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .ok()
                .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        }
        _ => None,
    }
}

fn frame(v: &Value) -> Frame {
    let lines = |name: &str| -> Vec<String> {
        v.get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Frame {
        function: str_field(v, "function"),
        module: str_field(v, "module"),
        filename: str_field(v, "filename").or_else(|| str_field(v, "abs_path")),
        lineno: v.get("lineno").and_then(Value::as_u64),
        colno: v.get("colno").and_then(Value::as_u64),
        in_app: v.get("in_app").and_then(Value::as_bool).unwrap_or(false),
        context_line: str_field(v, "context_line"),
        pre_context: lines("pre_context"),
        post_context: lines("post_context"),
    }
}

fn exception(v: &Value) -> Exception {
    Exception {
        kind: str_field(v, "type").unwrap_or_else(|| "Error".to_string()),
        value: str_field(v, "value"),
        module: str_field(v, "module"),
        frames: v
            .get("stacktrace")
            .and_then(|s| s.get("frames"))
            .and_then(Value::as_array)
            .map(|f| f.iter().map(frame).collect())
            .unwrap_or_default(),
    }
}

fn tags(v: Option<Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Object(o)) => o
            .into_iter()
            .filter_map(|(k, v)| Some((k, text(&v)?)))
            .collect(),
        Some(Value::Array(a)) => a
            .into_iter()
            .filter_map(|pair| {
                let p = pair.as_array()?;
                Some((text(p.first()?)?, text(p.get(1)?)?))
            })
            .collect(),
        _ => vec![],
    }
}

/// Parses an event payload; the error names what was wrong.
pub fn normalize(payload: &[u8]) -> Result<Event, String> {
    let raw: Raw = serde_json::from_slice(payload).map_err(|e| format!("event: {e}"))?;
    let message = raw
        .logentry
        .as_ref()
        .and_then(message_of)
        .or_else(|| raw.message.as_ref().and_then(message_of));
    Ok(Event {
        event_id: raw.event_id,
        timestamp_ms: raw.timestamp.as_ref().and_then(timestamp_ms),
        level: raw.level.unwrap_or_else(|| "error".to_string()),
        platform: raw.platform,
        release: raw.release,
        environment: raw.environment,
        transaction: raw.transaction,
        message,
        exceptions: values(raw.exception).iter().map(exception).collect(),
        tags: tags(raw.tags).into_iter().take(MAX_TAGS).collect(),
        user: raw.user,
        contexts: raw.contexts.unwrap_or_default(),
        breadcrumbs: newest(values(raw.breadcrumbs), MAX_BREADCRUMBS)
            .iter()
            .map(|b| Breadcrumb {
                timestamp: b
                    .get("timestamp")
                    .and_then(|t| timestamp_ms(t).map(|ms| ms as f64 / 1000.0)),
                category: str_field(b, "category"),
                message: str_field(b, "message"),
                level: str_field(b, "level"),
                data: b.get("data").cloned().unwrap_or(Value::Null),
            })
            .collect(),
        request: raw.request,
        sdk: raw.sdk,
        fingerprint: raw.fingerprint.map(|f| f.iter().filter_map(text).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_browser_sdk_error() {
        let e = normalize(
            br#"{"event_id":"abc","timestamp":1764230000.5,"platform":"javascript","level":"error",
            "release":"pos@1.2.0","environment":"production",
            "exception":{"values":[{"type":"TypeError","value":"x is undefined",
              "stacktrace":{"frames":[
                {"function":"dispatch","filename":"vendor.js","in_app":false},
                {"function":"submitOrder","module":"checkout","filename":"app.js","lineno":42,"colno":7,"in_app":true,
                 "context_line":"total = x.amount","pre_context":["let x;"],"post_context":[]}]}}]},
            "tags":{"restaurant_id":"r-17","order_type":"delivery"},
            "user":{"id":"u1","email":"a@b.c","role":"cashier","restaurant_id":"r-17"},
            "contexts":{"order_details":{"order_id":"o-9","total":"23.50"}},
            "breadcrumbs":{"values":[{"timestamp":1764229999,"category":"navigation","message":"/checkout"}]}}"#,
        )
        .unwrap();
        assert_eq!(e.timestamp_ms, Some(1_764_230_000_500));
        let ex = e.main_exception().unwrap();
        assert_eq!(
            (ex.kind.as_str(), ex.value.as_deref()),
            ("TypeError", Some("x is undefined"))
        );
        assert_eq!(ex.frames[1].lineno, Some(42));
        assert!(ex.frames[1].in_app && !ex.frames[0].in_app);
        assert_eq!(ex.frames[1].pre_context, vec!["let x;"]);
        assert_eq!(e.tag("restaurant_id"), Some("r-17"));
        assert_eq!(e.user.as_ref().unwrap()["role"], "cashier");
        assert_eq!(e.contexts["order_details"]["order_id"], "o-9");
        assert_eq!(e.breadcrumbs[0].category.as_deref(), Some("navigation"));
    }

    #[test]
    fn accepts_the_other_shapes_sdks_send() {
        let e = normalize(
            br#"{"message":{"formatted":"Payment 42 declined"},"tags":[["restaurant_id","r-1"],["n",5]],
                "timestamp":"2026-11-27T08:00:00Z","exception":[{"type":"E"}],"breadcrumbs":[{"message":"b"}]}"#,
        )
        .unwrap();
        assert_eq!(e.message.as_deref(), Some("Payment 42 declined"));
        assert_eq!(
            e.tags,
            vec![
                ("restaurant_id".into(), "r-1".into()),
                ("n".into(), "5".into())
            ]
        );
        assert_eq!(e.timestamp_ms, Some(1_795_766_400_000));
        assert_eq!(e.level, "error");
        assert_eq!(e.exceptions.len(), 1);
        assert_eq!(e.breadcrumbs.len(), 1);
        assert!(normalize(b"[]").unwrap_err().starts_with("event:"));
    }
}
