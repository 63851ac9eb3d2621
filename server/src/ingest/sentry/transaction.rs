//! Sentry `transaction` items as performance data: a `pageload` or `navigation`
//! transaction is a page load (its web-vital measurements and browser timing spans),
//! and every `http.client` span is an API call — the same rows the RUM SDK produces. An
//! `http.server` transaction (what `@sentry/node` and `sentry-tower` send) is a request a
//! platform server answered, and its `db` spans are database queries. Every row carries
//! the weight of the SDK's traces sample rate, so a 10 % sample counts ten times.

use crate::ingest::{route, sampling::weight_of, statement};

use serde::Deserialize;
use serde_json::{Map, Value};
use store::{ApiCallRow, DbQueryRow, RumEventRow, ServerRequestRow};

#[derive(Deserialize)]
struct Raw {
    transaction: Option<String>,
    start_timestamp: Option<Value>,
    timestamp: Option<Value>,
    #[serde(default)]
    contexts: Map<String, Value>,
    #[serde(default)]
    measurements: Map<String, Value>,
    #[serde(default)]
    spans: Vec<Value>,
    request: Option<Value>,
    tags: Option<Value>,
    environment: Option<String>,
    server_name: Option<String>,
}

/// What one transaction contributes.
#[derive(Debug, Default, PartialEq)]
pub struct Performance {
    pub page_load: Option<RumEventRow>,
    pub api_calls: Vec<ApiCallRow>,
    pub server_request: Option<ServerRequestRow>,
    pub db_queries: Vec<DbQueryRow>,
}

/// Longest service name, environment and transaction name kept.
const MAX_NAME: usize = 128;

/// A tag's value; Sentry sends tags as an object or as `[key, value]` pairs.
fn tag<'a>(tags: Option<&'a Value>, key: &str) -> Option<&'a str> {
    match tags? {
        Value::Object(m) => m.get(key)?.as_str(),
        Value::Array(pairs) => pairs.iter().find_map(|p| {
            let p = p.as_array()?;
            (p.first()?.as_str()? == key)
                .then(|| p.get(1)?.as_str())
                .flatten()
        }),
        _ => None,
    }
}

/// Text from outside, cut to `max` characters, without tabs (rollup keys use them).
fn clean(s: &str, max: usize) -> String {
    s.chars().filter(|c| *c != '\t').take(max).collect()
}

/// A number sent as a number or a string (the dynamic sampling context sends strings).
pub fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Whether a server answer failed: a 5xx, or (without a status code) a trace status
/// Sentry gives 5xx answers.
fn server_failed(status: Option<u16>, trace_status: Option<&str>) -> bool {
    match status {
        Some(s) => s >= 500,
        None => matches!(
            trace_status,
            Some(
                "internal_error"
                    | "unknown_error"
                    | "unknown"
                    | "unavailable"
                    | "unimplemented"
                    | "deadline_exceeded"
                    | "data_loss"
            )
        ),
    }
}

const METHODS: [&str; 9] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE",
];

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
/// Reads a transaction payload; `Err` names what was wrong. `sample_rate` is the
/// envelope's (its dynamic sampling context); the transaction's own
/// `contexts.trace.data["sentry.sample_rate"]` wins when present.
pub fn performance(
    payload: &[u8],
    project_id: i64,
    received_at_ms: i64,
    user_agent: Option<&str>,
    sample_rate: Option<f64>,
) -> Result<Performance, String> {
    let raw: Raw = serde_json::from_slice(payload).map_err(|e| format!("transaction: {e}"))?;
    let trace = raw.contexts.get("trace");
    let trace_data = trace.and_then(|t| t.get("data"));
    let op = trace
        .and_then(|t| t.get("op"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let weight =
        weight_of(number(trace_data.and_then(|d| d.get("sentry.sample_rate"))).or(sample_rate));
    if op == "http.server" || op.starts_with("http.server.") {
        return Ok(server(&raw, project_id, received_at_ms, weight));
    }
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
        weight,
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
                weight,
            })
        })
        .collect();
    Ok(Performance {
        page_load,
        api_calls,
        ..Performance::default()
    })
}

/// An `http.server` transaction: the request, and its database queries.
fn server(raw: &Raw, project_id: i64, received_at_ms: i64, weight: f64) -> Performance {
    let trace = raw.contexts.get("trace");
    let trace_data = trace.and_then(|t| t.get("data"));
    let tags = raw.tags.as_ref();
    let service = tag(tags, "service")
        .or_else(|| trace_data.and_then(|d| str_at(d, &["service.name"])))
        .or(raw.server_name.as_deref())
        .unwrap_or("unknown");
    let service = clean(service, MAX_NAME);
    let name = raw.transaction.as_deref().unwrap_or("");
    let (first, rest) = name.split_once(' ').unwrap_or(("", name));
    let (method, path) = if METHODS.contains(&first.to_ascii_uppercase().as_str()) {
        (first.to_ascii_uppercase(), rest.trim())
    } else {
        let m = raw
            .request
            .as_ref()
            .and_then(|r| str_at(r, &["method"]))
            .or_else(|| trace_data.and_then(|d| str_at(d, &["http.request.method"])))
            .or_else(|| trace_data.and_then(|d| str_at(d, &["http.method"])))
            .unwrap_or("GET");
        (m.to_ascii_uppercase(), name)
    };
    let path = if path.is_empty() {
        raw.request
            .as_ref()
            .and_then(|r| str_at(r, &["url"]))
            .unwrap_or("/")
    } else {
        path
    };
    let status = [
        raw.contexts
            .get("response")
            .and_then(|r| r.get("status_code")),
        trace_data.and_then(|d| d.get("http.response.status_code")),
    ]
    .into_iter()
    .find_map(|v| number(v))
    .or_else(|| tag(tags, "http.status_code").and_then(|s| s.parse().ok()))
    .and_then(|s| u16::try_from(s as i64).ok());
    let trace_status = trace.and_then(|t| t.get("status")).and_then(Value::as_str);
    let (start, end) = (
        seconds(raw.start_timestamp.as_ref()),
        seconds(raw.timestamp.as_ref()),
    );
    let duration_ms = match (start, end) {
        (Some(a), Some(b)) => ((b - a) * 1000.0).max(0.0),
        _ => 0.0,
    };
    let restaurant_id = tag(tags, "restaurant_id").map(|r| clean(r, MAX_NAME));
    let route = route::template(path, route::host_of(path));
    let transaction = Some(clean(&format!("{method} {route}"), MAX_NAME * 2));
    let db_queries = raw
        .spans
        .iter()
        .filter(|s| {
            s.get("op")
                .and_then(Value::as_str)
                .is_some_and(|op| op == "db" || op.starts_with("db."))
        })
        .filter_map(|s| {
            let sql = s.get("description").and_then(Value::as_str)?;
            let begin = seconds(s.get("start_timestamp"))?;
            let end = seconds(s.get("timestamp"))?;
            Some(DbQueryRow {
                project_id,
                received_at_ms,
                service: service.clone(),
                statement: statement::normalize(sql),
                duration_ms: ((end - begin) * 1000.0).max(0.0),
                transaction: transaction.clone(),
                restaurant_id: restaurant_id.clone(),
                weight,
            })
        })
        .collect();
    Performance {
        server_request: Some(ServerRequestRow {
            project_id,
            received_at_ms,
            service,
            environment: raw.environment.as_deref().map(|e| clean(e, MAX_NAME)),
            method,
            route,
            status,
            failed: server_failed(status, trace_status),
            duration_ms,
            restaurant_id,
            weight,
        }),
        db_queries,
        ..Performance::default()
    }
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
            Some(0.25),
        )
        .unwrap();
        let pl = p.page_load.unwrap();
        assert_eq!(pl.weight, 4.0, "the envelope's sample rate");
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
    fn a_server_transaction_is_a_request_with_its_queries_not_a_page_load() {
        let p = performance(
            br#"{"transaction":"GET /api/orders/881","start_timestamp":10.0,"timestamp":10.25,
            "environment":"production","server_name":"host-1",
            "tags":{"service":"api","restaurant_id":"r-7"},
            "contexts":{"trace":{"op":"http.server","status":"internal_error",
              "data":{"http.response.status_code":503,"sentry.sample_rate":0.1}}},
            "spans":[{"op":"db.sql.query","description":"SELECT * FROM orders WHERE id = 881",
              "start_timestamp":10.05,"timestamp":10.2},
              {"op":"http.client","description":"GET https://pay.io/x","start_timestamp":10.0,"timestamp":10.1}]}"#,
            1,
            0,
            None,
            Some(0.5),
        )
        .unwrap();
        assert!(p.page_load.is_none() && p.api_calls.is_empty());
        let r = p.server_request.unwrap();
        assert_eq!(
            (
                r.service.as_str(),
                r.method.as_str(),
                r.route.as_str(),
                r.status,
                r.failed
            ),
            ("api", "GET", "/api/orders/:id", Some(503), true)
        );
        assert_eq!(r.environment.as_deref(), Some("production"));
        assert_eq!(r.restaurant_id.as_deref(), Some("r-7"));
        assert!((r.duration_ms - 250.0).abs() < 1e-6);
        assert!(
            (r.weight - 10.0).abs() < 1e-9,
            "the transaction's own rate wins"
        );
        let q = &p.db_queries[0];
        assert_eq!(q.statement, "SELECT * FROM orders WHERE id = ?");
        assert!((q.duration_ms - 150.0).abs() < 1e-6);
        assert_eq!(q.transaction.as_deref(), Some("GET /api/orders/:id"));
        assert_eq!(p.db_queries.len(), 1);
        assert!(performance(b"[1]", 1, 0, None, None)
            .unwrap_err()
            .starts_with("transaction:"));
    }

    #[test]
    fn server_status_comes_from_the_code_else_the_trace_status() {
        let req = |json: &str| {
            performance(json.as_bytes(), 1, 0, None, None)
                .unwrap()
                .server_request
                .unwrap()
        };
        let ok = req(
            r#"{"transaction":"POST /orders","contexts":{"trace":{"op":"http.server","status":"ok"},"response":{"status_code":201}}}"#,
        );
        assert_eq!(
            (ok.status, ok.failed, ok.method.as_str()),
            (Some(201), false, "POST")
        );
        let bad = req(
            r#"{"transaction":"/orders","request":{"method":"put"},"contexts":{"trace":{"op":"http.server","status":"internal_error"}}}"#,
        );
        assert_eq!(
            (bad.status, bad.failed, bad.method.as_str()),
            (None, true, "PUT")
        );
        let client = req(
            r#"{"transaction":"GET /x","tags":[["http.status_code","404"]],"server_name":"h","contexts":{"trace":{"op":"http.server"}}}"#,
        );
        assert_eq!(
            (client.status, client.failed, client.service.as_str()),
            (Some(404), false, "h")
        );
        assert_eq!(client.weight, 1.0);
    }
}
