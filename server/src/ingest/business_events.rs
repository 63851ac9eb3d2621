//! Business events (`POST /api/events`, and log lines with an `event` field): orders,
//! payments, voice-ordering sessions, inventory levels, security events, and any other
//! name kept as a custom event. Fields may be snake_case or camelCase (what the
//! platform's Node business logger writes). Money is exact: `total` / `amount` in major
//! units as a decimal string or a JSON number with at most two decimals, or
//! `total_minor` / `amount_minor` as integer minor units; never a float that loses cents.

use serde_json::{Map, Value};
use store::BusinessEvent;

/// Event names with a meaning; anything else is kept as a custom event.
pub const KNOWN: [&str; 9] = [
    "order.created",
    "order.completed",
    "order.cancelled",
    "payment.processed",
    "voice.session",
    "inventory.level",
    "auth.failed",
    "permission.denied",
    "admin.action",
];

fn get<'a>(o: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names
        .iter()
        .find_map(|n| o.get(*n))
        .filter(|v| !v.is_null())
}

fn text(o: &Map<String, Value>, names: &[&str], max: usize) -> Result<Option<String>, String> {
    match get(o, names) {
        None => Ok(None),
        Some(Value::String(s)) if s.len() <= max => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(format!("{}: at most {max} characters", names[0])),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(format!("{}: expected a string", names[0])),
    }
}

fn integer(o: &Map<String, Value>, names: &[&str]) -> Result<Option<i64>, String> {
    match get(o, names) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("{}: expected a whole number", names[0])),
        Some(_) => Err(format!("{}: expected a whole number", names[0])),
    }
}

/// `"23.50"`, `23.5`, `"23"` → 2350 minor units; more than two decimals is refused.
pub fn minor_units(v: &Value, field: &str) -> Result<i64, String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        // serde_json prints the shortest text that reads back as the same f64: 23.5 → "23.5".
        Value::Number(n) => n.to_string(),
        _ => return Err(format!("{field}: expected a decimal like \"23.50\"")),
    };
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let bad = || format!("{field}: {s:?} is not an amount with at most two decimals");
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 15
    {
        return Err(bad());
    }
    let cents = format!("{frac:0<2}");
    let v: i64 =
        whole.parse::<i64>().map_err(|_| bad())? * 100 + cents.parse::<i64>().map_err(|_| bad())?;
    Ok(if neg { -v } else { v })
}

fn money(o: &Map<String, Value>, major: &[&str], minor: &[&str]) -> Result<Option<i64>, String> {
    if let Some(v) = get(o, minor) {
        return v
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("{}: expected whole minor units", minor[0]));
    }
    get(o, major).map(|v| minor_units(v, major[0])).transpose()
}

/// `success` / `failed` from the spellings payment providers use.
fn payment_status(s: &str) -> Result<&'static str, String> {
    match s.to_ascii_lowercase().as_str() {
        "success" | "succeeded" | "successful" | "paid" | "captured" | "ok" => Ok("success"),
        "failed" | "failure" | "declined" | "error" | "rejected" => Ok("failed"),
        other => Err(format!("status: {other:?} is not success or failed")),
    }
}

/// Reads one event; `now_ms` stands in for a missing timestamp. `Err` names the field.
pub fn event(v: Value, project_id: i64, now_ms: i64) -> Result<BusinessEvent, String> {
    let Value::Object(o) = v else {
        return Err("expected an object".into());
    };
    let kind = text(&o, &["event", "type", "name"], 100)?
        .filter(|k| !k.is_empty())
        .ok_or("event: missing (order.created, payment.processed, ...)")?;
    let at_ms = super::custom_metrics::timestamp(get(&o, &["timestamp", "ts", "time"]), now_ms)?;
    let mut e = BusinessEvent {
        project_id,
        at_ms,
        restaurant_id: text(&o, &["restaurant_id", "restaurantId"], 100)?,
        order_id: text(&o, &["order_id", "orderId"], 100)?,
        payment_id: text(&o, &["payment_id", "paymentId"], 100)?,
        session_id: text(&o, &["session_id", "sessionId"], 100)?,
        amount_minor: None,
        currency: text(&o, &["currency"], 3)?.map(|c| c.to_ascii_uppercase()),
        status: None,
        method: text(&o, &["method", "payment_method", "paymentMethod"], 50)?,
        order_type: text(&o, &["order_type", "orderType"], 50)?,
        item_count: integer(&o, &["item_count", "itemCount", "items"])?,
        duration_ms: integer(&o, &["duration_ms", "durationMs", "duration"])?,
        item: text(&o, &["item", "item_name", "itemName", "sku"], 200)?,
        quantity: None,
        source: text(
            &o,
            &["source", "ip", "source_ip", "sourceIp", "remote_addr"],
            100,
        )?,
        body: Value::Object(o.clone()).to_string(),
        kind,
    };
    match e.kind.as_str() {
        "order.created" => {
            e.amount_minor = Some(
                money(&o, &["total", "amount"], &["total_minor", "totalMinor"])?
                    .ok_or("total: missing (\"23.50\", or total_minor in cents)")?,
            );
            e.order_id.as_ref().ok_or("order_id: missing")?;
        }
        "order.completed" | "order.cancelled" => {
            e.order_id.as_ref().ok_or("order_id: missing")?;
        }
        "payment.processed" => {
            e.amount_minor = money(&o, &["amount", "total"], &["amount_minor", "amountMinor"])?;
            let status = text(&o, &["status"], 50)?.ok_or("status: missing (success or failed)")?;
            e.status = Some(payment_status(&status)?.to_string());
        }
        "voice.session" => {
            let outcome = text(&o, &["outcome", "status"], 50)?.ok_or("outcome: missing")?;
            e.status = Some(match outcome.to_ascii_lowercase().as_str() {
                "success" | "completed" | "ordered" | "order_placed" => "success".to_string(),
                other => other.to_string(),
            });
        }
        "inventory.level" => {
            e.item.as_ref().ok_or("item: missing")?;
            e.quantity = Some(
                get(&o, &["quantity", "level", "qty"])
                    .and_then(Value::as_f64)
                    .filter(|q| q.is_finite())
                    .ok_or("quantity: expected a number")?,
            );
        }
        _ => {
            e.status = text(&o, &["status", "outcome", "action"], 100)?;
        }
    }
    Ok(e)
}

/// A body of `{"events": [...]}`, an array, or one event; each error names its index.
pub fn parse(
    body: &[u8],
    project_id: i64,
    now_ms: i64,
    max: usize,
) -> Result<Vec<BusinessEvent>, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("body: {e}"))?;
    let items = match v {
        Value::Object(mut o) if o.contains_key("events") => match o.remove("events") {
            Some(Value::Array(a)) => a,
            _ => return Err("events: expected an array".into()),
        },
        Value::Array(a) => a,
        one @ Value::Object(_) => vec![one],
        _ => return Err("body: expected {\"events\": [...]}, an array, or one event".into()),
    };
    if items.is_empty() || items.len() > max {
        return Err(format!("events: 1 to {max} per request"));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| event(item, project_id, now_ms).map_err(|e| format!("events[{i}].{e}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn money_is_exact_to_the_cent() {
        assert_eq!(minor_units(&json!("23.50"), "total"), Ok(2350));
        assert_eq!(minor_units(&json!(23.5), "total"), Ok(2350));
        assert_eq!(minor_units(&json!(0.1), "total"), Ok(10));
        assert_eq!(minor_units(&json!(19.99), "total"), Ok(1999));
        assert_eq!(minor_units(&json!(1234567.89), "total"), Ok(123_456_789));
        assert_eq!(minor_units(&json!("7"), "total"), Ok(700));
        assert_eq!(minor_units(&json!("-2.5"), "total"), Ok(-250));
        assert!(
            minor_units(&json!(1.005), "total").is_err(),
            "no half cents"
        );
        assert!(minor_units(&json!("1e3"), "total").is_err());
        assert!(minor_units(&json!(true), "total").is_err());
    }

    #[test]
    fn the_platform_events_read_in_either_spelling() {
        let e = event(
            json!({"event": "order.created", "orderId": "o-1", "restaurantId": "r-1",
                   "total": "42.10", "itemCount": 3, "orderType": "delivery", "timestamp": 1_764_230_000_000_i64}),
            1,
            1_764_230_000_500,
        )
        .unwrap();
        assert_eq!(
            (
                e.amount_minor,
                e.item_count,
                e.order_type.as_deref(),
                e.restaurant_id.as_deref()
            ),
            (Some(4210), Some(3), Some("delivery"), Some("r-1"))
        );
        let p = event(
            json!({"event": "payment.processed", "payment_id": "p", "amount_minor": 999, "status": "declined", "method": "card"}),
            1,
            5,
        )
        .unwrap();
        assert_eq!(
            (p.status.as_deref(), p.amount_minor, p.at_ms),
            (Some("failed"), Some(999), 5)
        );
        let custom = event(json!({"event": "loyalty.redeemed", "points": 40}), 1, 5).unwrap();
        assert_eq!(custom.kind, "loyalty.redeemed");
        assert!(custom.body.contains("points"));
    }

    #[test]
    fn mistakes_name_the_event_and_field() {
        let err = parse(
            br#"{"events": [{"event": "order.created", "order_id": "o", "total": 5}, {"event": "payment.processed", "status": "maybe"}]}"#,
            1,
            0,
            100,
        )
        .unwrap_err();
        assert_eq!(err, "events[1].status: \"maybe\" is not success or failed");
        assert!(parse(br#"[{"order_id": "o"}]"#, 1, 0, 100)
            .unwrap_err()
            .starts_with("events[0].event"));
        assert!(parse(
            br#"{"event": "inventory.level", "item": "buns"}"#,
            1,
            0,
            100
        )
        .unwrap_err()
        .contains("quantity"));
    }
}
