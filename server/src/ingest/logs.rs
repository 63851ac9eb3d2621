//! Structured logs as winston's JSON format writes them (`POST /api/logs`): NDJSON, or a
//! JSON array. Each line keeps its `level`, `message`, `timestamp`, `service`,
//! `environment`, restaurant and everything else (metadata, error stacks) as its body.
//! A line that cannot be read is reported by its line number and the others are kept.
//! A line with an `event` field is also a business event (the platform's business
//! logger works unchanged), and an `error` line can open an issue in the error tracker.

use super::business_events;
use serde_json::{json, Map, Value};
use store::{BusinessEvent, LogLine, NewErrorEvent};

/// What one request carried.
#[derive(Debug, Default)]
pub struct Parsed {
    pub lines: Vec<LogLine>,
    pub business: Vec<BusinessEvent>,
    pub errors: Vec<NewErrorEvent>,
    /// `(line number, what is wrong)`, 1-based.
    pub rejected: Vec<(usize, String)>,
}

fn text(o: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| match o.get(*n) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.chars().take(200).collect()),
        _ => None,
    })
}

/// winston's levels (and syslog's spellings of them), lowercase.
pub fn level(s: &str) -> Result<String, String> {
    let l = s.to_ascii_lowercase();
    Ok(match l.as_str() {
        "error" | "err" | "fatal" | "crit" | "critical" | "alert" | "emerg" => "error".into(),
        "warn" | "warning" => "warn".into(),
        "info" | "notice" | "http" | "verbose" | "debug" | "silly" | "trace" => l,
        _ => return Err(format!("level: {s:?} is not a winston level")),
    })
}

/// The stack of an error line: `stack`, or `error.stack` / `err.stack`.
fn stack(o: &Map<String, Value>) -> Option<String> {
    if let Some(Value::String(s)) = o.get("stack") {
        return Some(s.clone());
    }
    ["error", "err"].iter().find_map(|k| {
        o.get(*k)
            .and_then(|e| e.get("stack"))
            .and_then(Value::as_str)
            .map(str::to_string)
    })
}

/// An error line as a Sentry-shaped event, so grouping, filters and the issue page treat
/// it like any other error.
fn as_error_event(line: &LogLine, o: &Map<String, Value>) -> Value {
    let mut tags = json!({"logger": "winston"});
    if let Some(s) = &line.service {
        tags["service"] = json!(s);
    }
    if let Some(r) = &line.restaurant_id {
        tags["restaurant_id"] = json!(r);
    }
    let mut event = json!({
        "level": "error",
        "platform": "node",
        "timestamp": line.at_ms as f64 / 1000.0,
        "message": line.message,
        "environment": line.environment,
        "tags": tags,
        "extra": Value::Object(o.clone()),
    });
    if let Some(st) = stack(o) {
        let first = st.lines().next().unwrap_or("Error");
        let (ty, value) = first.split_once(": ").unwrap_or(("Error", first));
        let frames: Vec<Value> = super::rum::stack::parse(&st)
            .into_iter()
            .rev() // Sentry lists the outermost frame first
            .map(|f| serde_json::to_value(f).unwrap_or_default())
            .collect();
        event["exception"] = json!({"values": [{
            "type": ty, "value": value, "stacktrace": {"frames": frames},
        }]});
    }
    event
}

fn one(
    v: Value,
    project_id: i64,
    now_ms: i64,
    errors_to_issues: bool,
    out: &mut Parsed,
) -> Result<(), String> {
    let Value::Object(o) = v else {
        return Err("expected a JSON object".into());
    };
    let raw_level = o
        .get("level")
        .and_then(Value::as_str)
        .ok_or("level: missing")?;
    let lvl = level(raw_level)?;
    let message = match o.get("message").or_else(|| o.get("msg")) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let at_ms =
        super::custom_metrics::timestamp(o.get("timestamp").or_else(|| o.get("time")), now_ms)?;
    let line = LogLine {
        id: 0,
        project_id,
        at_ms,
        level: lvl,
        service: text(&o, &["service", "app", "logger"]),
        environment: text(&o, &["environment", "env"]),
        restaurant_id: text(&o, &["restaurant_id", "restaurantId"]),
        message: message.chars().take(10_000).collect(),
        body: Value::Object(o.clone()).to_string(),
    };
    if o.contains_key("event") {
        // A business logger line: the event is counted; a bad one is reported, the line kept.
        match business_events::event(Value::Object(o.clone()), project_id, now_ms) {
            Ok(e) => out.business.push(e),
            Err(e) => return finish(out, line, Some(format!("event: {e}")), None),
        }
    }
    let error = (errors_to_issues && line.level == "error").then(|| {
        let payload = as_error_event(&line, &o).to_string();
        crate::ingest::sentry::event::normalize(payload.as_bytes())
            .map(|e| crate::issues::prepare(project_id, &e, at_ms))
    });
    match error {
        Some(Ok(e)) => finish(out, line, None, Some(e)),
        Some(Err(e)) => finish(out, line, Some(format!("as an issue: {e}")), None),
        None => finish(out, line, None, None),
    }
}

/// Keeps the line; a soft problem (its event, its issue) is reported but loses nothing.
fn finish(
    out: &mut Parsed,
    line: LogLine,
    soft: Option<String>,
    error: Option<NewErrorEvent>,
) -> Result<(), String> {
    out.lines.push(line);
    out.errors.extend(error);
    match soft {
        Some(s) => Err(format!("kept, but {s}")),
        None => Ok(()),
    }
}

/// Reads a body of NDJSON lines or a JSON array; at most `max` lines.
pub fn parse(
    body: &[u8],
    project_id: i64,
    now_ms: i64,
    max: usize,
    errors_to_issues: bool,
) -> Result<Parsed, String> {
    let text = std::str::from_utf8(body).map_err(|_| "body: not UTF-8".to_string())?;
    let mut out = Parsed::default();
    let items: Vec<(usize, Result<Value, String>)> = if text.trim_start().starts_with('[') {
        let arr: Vec<Value> =
            serde_json::from_str(text).map_err(|e| format!("body: not a JSON array: {e}"))?;
        arr.into_iter()
            .enumerate()
            .map(|(i, v)| (i + 1, Ok(v)))
            .collect()
    } else {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                (
                    i + 1,
                    serde_json::from_str(l).map_err(|e| format!("not JSON: {e}")),
                )
            })
            .collect()
    };
    if items.is_empty() || items.len() > max {
        return Err(format!("body: 1 to {max} lines per request"));
    }
    for (n, item) in items {
        if let Err(e) = item.and_then(|v| one(v, project_id, now_ms, errors_to_issues, &mut out)) {
            out.rejected.push((n, e));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_230_000_000;

    #[test]
    fn ndjson_keeps_good_lines_and_names_bad_ones() {
        let body = format!(
            "{}\n{{not json\n\n{}\n{}\n",
            json!({"level": "info", "message": "order placed", "timestamp": "2025-11-27T08:00:00.000Z", "service": "api", "orderId": "o-1"}),
            json!({"level": "loud", "message": "x"}),
            json!({"level": "warning", "message": "slow", "restaurant_id": "r-1"}),
        );
        let p = parse(body.as_bytes(), 1, NOW, 100, true).unwrap();
        assert_eq!(p.lines.len(), 2);
        assert_eq!(p.rejected.len(), 2);
        assert_eq!(p.rejected[0].0, 2);
        assert!(p.rejected[0].1.starts_with("not JSON"));
        assert_eq!(
            p.rejected[1],
            (4, "level: \"loud\" is not a winston level".into())
        );
        assert_eq!(p.lines[1].level, "warn");
        assert_eq!(p.lines[0].at_ms, 1_764_230_400_000);
        assert!(p.lines[0].body.contains("orderId"));
    }

    #[test]
    fn business_lines_count_as_events_and_errors_open_issues() {
        let body = json!([
            {"level": "info", "message": "Order created", "event": "order.created", "orderId": "o-9", "total": "9.99", "timestamp": NOW},
            {"level": "error", "message": "charge failed", "service": "payments", "timestamp": NOW,
             "stack": "TypeError: card is undefined\n    at charge (/app/src/payments.js:42:13)\n    at process (/app/src/orders.js:10:5)"},
        ])
        .to_string();
        let p = parse(body.as_bytes(), 1, NOW, 100, true).unwrap();
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        assert_eq!(p.business.len(), 1);
        assert_eq!(p.business[0].amount_minor, Some(999));
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].title, "TypeError: card is undefined");
        let off = parse(body.as_bytes(), 1, NOW, 100, false).unwrap();
        assert!(off.errors.is_empty());
    }
}
