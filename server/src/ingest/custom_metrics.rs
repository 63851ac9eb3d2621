//! Custom metrics as the platform's bundle monitor posts them:
//! `{"metric": "bundle_size", "value": 98304, "timestamp": 1764230000000}` or an array of
//! them. `timestamp` is unix ms, unix seconds, or RFC 3339; missing means now. Points more
//! than a day away from now are refused (a broken clock would scatter the chart).

use serde::Deserialize;
use serde_json::Value;
use store::CustomPoint;

const MAX_NAME: usize = 100;
const MAX_SKEW_MS: i64 = 24 * 3_600_000;

#[derive(Deserialize)]
struct Point {
    metric: String,
    value: f64,
    timestamp: Option<Value>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b':' | b'/'))
}

/// A timestamp as unix ms, unix seconds or RFC 3339 (`None`: now), within a day of now.
pub fn timestamp(v: Option<&Value>, now_ms: i64) -> Result<i64, String> {
    when(v, now_ms)
}

fn when(v: Option<&Value>, now_ms: i64) -> Result<i64, String> {
    let ms = match v {
        None | Some(Value::Null) => return Ok(now_ms),
        Some(Value::Number(n)) => {
            let n = n.as_f64().ok_or("timestamp: not a number")?;
            // Seconds are below 1e11 until the year 5138; milliseconds above.
            if n < 1e11 {
                (n * 1000.0) as i64
            } else {
                n as i64
            }
        }
        Some(Value::String(s)) => {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
                .map_err(|e| format!("timestamp: {s:?} is not RFC 3339 ({e})"))?
        }
        Some(_) => return Err("timestamp: expected unix ms, unix seconds or RFC 3339".into()),
    };
    if (ms - now_ms).abs() > MAX_SKEW_MS {
        return Err("timestamp: more than a day away from now".into());
    }
    Ok(ms)
}

/// Parses a body into points; `Err` names the point and field.
pub fn parse(
    body: &[u8],
    project_id: i64,
    now_ms: i64,
    max_points: usize,
) -> Result<Vec<CustomPoint>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("body: {e}"))?;
    let items = match value {
        Value::Array(a) => a,
        one @ Value::Object(_) => vec![one],
        _ => {
            return Err(
                "body: expected {\"metric\", \"value\", \"timestamp\"} or an array of them".into(),
            )
        }
    };
    if items.is_empty() || items.len() > max_points {
        return Err(format!("body: 1 to {max_points} points per request"));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let p: Point = serde_path_to_error::deserialize(item)
                .map_err(|e| format!("[{i}].{}: {}", e.path(), e.inner()))?;
            if !valid_name(&p.metric) {
                return Err(format!(
                    "[{i}].metric: {:?} must be 1 to {MAX_NAME} of A-Z a-z 0-9 _ . - : /",
                    p.metric
                ));
            }
            if !p.value.is_finite() {
                return Err(format!("[{i}].value: must be a finite number"));
            }
            Ok(CustomPoint {
                project_id,
                name: p.metric,
                at_ms: when(p.timestamp.as_ref(), now_ms).map_err(|e| format!("[{i}].{e}"))?,
                value: p.value,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    const NOW: i64 = 1_795_766_400_000;

    #[test]
    fn reads_one_point_or_many_with_any_timestamp_form() {
        let one = parse(
            br#"{"metric":"bundle_size","value":98304,"timestamp":1795766399000}"#,
            1,
            NOW,
            10,
        )
        .unwrap();
        assert_eq!(one[0].at_ms, 1_795_766_399_000);
        let many = parse(
            br#"[{"metric":"a","value":1,"timestamp":1795766399},{"metric":"b.c","value":2.5,"timestamp":"2026-11-27T08:00:00Z"},{"metric":"d","value":3}]"#,
            1, NOW, 10,
        )
        .unwrap();
        assert_eq!(many[0].at_ms, 1_795_766_399_000, "seconds");
        assert_eq!(many[1].at_ms, 1_795_766_400_000);
        assert_eq!(many[2].at_ms, NOW, "missing: now");
    }

    #[test]
    fn names_what_is_wrong() {
        let err = |b: &str| parse(b.as_bytes(), 1, NOW, 2).unwrap_err();
        assert_eq!(
            err(r#"{"metric":"a b","value":1}"#),
            "[0].metric: \"a b\" must be 1 to 100 of A-Z a-z 0-9 _ . - : /"
        );
        assert!(err(r#"{"metric":"a","value":"x"}"#).starts_with("[0].value: invalid type"));
        assert_eq!(
            err(r#"{"metric":"a","value":1,"timestamp":1}"#),
            "[0].timestamp: more than a day away from now"
        );
        assert_eq!(err("[]"), "body: 1 to 2 points per request");
        assert!(err("7").starts_with("body: expected"));
    }
}
