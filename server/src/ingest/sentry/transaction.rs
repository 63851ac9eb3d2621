//! Sentry `transaction` items as performance data: a `pageload` or `navigation`
//! transaction is a page load (its web-vital measurements and browser timing spans),
//! and every `http.client` span is an API call — the same rows the RUM SDK produces.

use crate::ingest::route;

use serde::Deserialize;
use serde_json::{Map, Value};
use store::{ApiCallRow, RumEventRow};

#[derive(Deserialize)]
struct Raw {
    transaction: Option<String>,
    start_timestamp: Option<Value>,
    #[serde(default)]
    contexts: Map<String, Value>,
    #[serde(default)]
    measurements: Map<String, Value>,
    #[serde(default)]
    spans: Vec<Value>,
    request: Option<Value>,
}

/// What one transaction contributes.
#[derive(Debug, Default, PartialEq)]
pub struct Performance {
    pub page_load: Option<RumEventRow>,
    pub api_calls: Vec<ApiCallRow>,
}

fn seconds(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .ok()
                .map(|t| t.unix_timestamp_nanos() as f64 / 1e9)
        }
        _ => None,
    }
}

/// A measurement in milliseconds (or unitless for CLS); seconds are converted.
fn measurement(m: &Map<String, Value>, name: &str) -> Option<f64> {
    let v = m.get(name)?;
    let value = v.get("value")?.as_f64()?;
    let unit = v
        .get("unit")
        .and_then(Value::as_str)
        .unwrap_or("millisecond");
    let value = if unit == "second" {
        value * 1000.0
    } else {
        value
    };
    (value.is_finite() && value >= 0.0).then_some(value)
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// Reads a transaction payload; `Err` names what was wrong.
pub fn performance(
    payload: &[u8],
    project_id: i64,
    received_at_ms: i64,
    user_agent: Option<&str>,
) -> Result<Performance, String> {
    let raw: Raw = serde_json::from_slice(payload).map_err(|e| format!("transaction: {e}"))?;
    let op = raw
        .contexts
        .get("trace")
        .and_then(|t| t.get("op"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let page_url = raw.request.as_ref().and_then(|r| str_at(r, &["url"]));
    let own_host = page_url.and_then(route::host_of);
    let page = raw
        .transaction
        .clone()
        .or_else(|| page_url.map(|u| route::template(u, route::host_of(u))))
        .unwrap_or_else(|| "/".into());
    let start = seconds(raw.start_timestamp.as_ref());
    let browser_span_end = |name: &str| -> Option<f64> {
        let span = raw.spans.iter().find(|s| {
            s.get("op").and_then(Value::as_str) == Some("browser")
                && s.get("description").and_then(Value::as_str) == Some(name)
        })?;
        Some((seconds(span.get("timestamp"))? - start?) * 1000.0).filter(|ms| *ms >= 0.0)
    };
    let ua = user_agent.map(str::to_string).or_else(|| {
        raw.request
            .as_ref()
            .and_then(|r| str_at(r, &["headers", "User-Agent"]).map(str::to_string))
    });
    let m = &raw.measurements;
    let page_load = matches!(op, "pageload" | "navigation").then(|| RumEventRow {
        project_id,
        received_at_ms,
        client_ts_ms: start.map(|s| (s * 1000.0) as i64),
        kind: "pageload",
        restaurant_id: None,
        page: page
            .chars()
            .take(crate::ingest::rum::MAX_PAGE_LEN)
            .collect(),
        session_id: None,
        user_agent: ua.map(|u| u.chars().take(512).collect()),
        ttfb: measurement(m, "ttfb"),
        dcl: browser_span_end("domContentLoadedEvent"),
        load: browser_span_end("loadEvent"),
        fp: measurement(m, "fp"),
        fcp: measurement(m, "fcp"),
        lcp: measurement(m, "lcp"),
        cls: measurement(m, "cls"),
        inp: measurement(m, "inp"),
        source: "sentry",
    });
    let api_calls = raw
        .spans
        .iter()
        .filter(|s| s.get("op").and_then(Value::as_str) == Some("http.client"))
        .filter_map(|s| {
            let begin = seconds(s.get("start_timestamp"))?;
            let end = seconds(s.get("timestamp"))?;
            let data = s.get("data").cloned().unwrap_or(Value::Null);
            let description = s.get("description").and_then(Value::as_str).unwrap_or("");
            let (desc_method, desc_url) = description.split_once(' ').unwrap_or(("", description));
            let method = str_at(&data, &["http.request.method"])
                .or_else(|| str_at(&data, &["method"]))
                .unwrap_or(desc_method);
            let url = str_at(&data, &["url"]).unwrap_or(desc_url);
            let status = ["http.response.status_code", "status_code"]
                .iter()
                .find_map(|k| data.get(*k).and_then(Value::as_u64))
                .and_then(|s| u16::try_from(s).ok());
            Some(ApiCallRow {
                project_id,
                received_at_ms,
                page: Some(page.clone()),
                method: if method.is_empty() {
                    "GET".into()
                } else {
                    method.to_ascii_uppercase()
                },
                route: route::template(url, own_host),
                status,
                duration_ms: ((end - begin) * 1000.0).max(0.0),
                session_id: None,
                restaurant_id: None,
                source: "sentry",
            })
        })
        .collect();
    Ok(Performance {
        page_load,
        api_calls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_pageload_gives_vitals_timings_and_api_calls() {
        let p = performance(
            br#"{"type":"transaction","transaction":"/checkout","start_timestamp":1000.0,"timestamp":1003.0,
            "contexts":{"trace":{"op":"pageload","trace_id":"t"}},
            "request":{"url":"https://pos.example.com/checkout?x=1","headers":{"User-Agent":"Mozilla/5.0"}},
            "measurements":{"fcp":{"value":812.5,"unit":"millisecond"},"lcp":{"value":1.5,"unit":"second"},
              "cls":{"value":0.12,"unit":""},"ttfb":{"value":95},"inp":{"value":-1}},
            "spans":[
              {"op":"browser","description":"domContentLoadedEvent","start_timestamp":1000.5,"timestamp":1000.9},
              {"op":"browser","description":"loadEvent","start_timestamp":1001.0,"timestamp":1001.25},
              {"op":"http.client","description":"POST https://pos.example.com/api/orders/881?a=b","start_timestamp":1001.0,"timestamp":1003.5,
               "data":{"http.response.status_code":503}},
              {"op":"http.client","description":"GET https://pay.io/v1/charges/9","start_timestamp":1001.0,"timestamp":1001.1,
               "data":{"http.request.method":"get","url":"https://pay.io/v1/charges/9"}},
              {"op":"resource.script","description":"/app.js","start_timestamp":1000.1,"timestamp":1000.2}]}"#,
            1,
            5,
            None,
        )
        .unwrap();
        let pl = p.page_load.unwrap();
        assert_eq!(pl.page, "/checkout");
        assert_eq!(
            (pl.fcp, pl.lcp, pl.cls, pl.ttfb),
            (Some(812.5), Some(1500.0), Some(0.12), Some(95.0))
        );
        assert_eq!(pl.inp, None, "negative values are dropped");
        assert!((pl.dcl.unwrap() - 900.0).abs() < 1e-6 && (pl.load.unwrap() - 1250.0).abs() < 1e-6);
        assert_eq!(pl.user_agent.as_deref(), Some("Mozilla/5.0"));
        assert_eq!(pl.source, "sentry");
        assert_eq!(p.api_calls.len(), 2);
        let orders = &p.api_calls[0];
        assert_eq!(
            (orders.method.as_str(), orders.route.as_str()),
            ("POST", "/api/orders/:id")
        );
        assert_eq!((orders.status, orders.duration_ms), (Some(503), 2500.0));
        assert_eq!(p.api_calls[1].route, "pay.io/v1/charges/:id");
        assert_eq!(p.api_calls[1].method, "GET");
    }

    #[test]
    fn a_server_transaction_is_not_a_page_load() {
        let p = performance(
            br#"{"transaction":"GET /orders","contexts":{"trace":{"op":"http.server"}},"spans":[]}"#,
            1,
            0,
            None,
        )
        .unwrap();
        assert_eq!(p, Performance::default());
        assert!(performance(b"[1]", 1, 0, None)
            .unwrap_err()
            .starts_with("transaction:"));
    }
}
