//! Validated beacons as storage rows: page loads and vitals, API calls (URLs as route
//! templates), memory samples, and errors (through the project's inbound filters and the
//! same grouping as Sentry events).

use super::{stack, Batch, Beacon, Context, Kind};
use crate::{
    ingest::route,
    issues::{self, filters},
};
use protocol::{Breadcrumb, ErrorEvent, Exception};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use store::{ApiCallRow, IngestBatch, MemorySample, Outcome, Project, RumEventRow};

/// Where a request's beacons came from.
pub struct Source {
    pub project: Arc<Project>,
    pub received_at_ms: i64,
    pub user_agent: Option<String>,
}

impl Source {
    #[cfg(test)]
    pub fn test() -> Source {
        Source {
            project: Arc::new(Project {
                id: 1,
                slug: "p".into(),
                name: "P".into(),
                public_key: "k".into(),
                ..Default::default()
            }),
            received_at_ms: 0,
            user_agent: None,
        }
    }
}

fn tag<'a>(c: &'a Context, name: &str) -> Option<&'a str> {
    c.tags.get(name).and_then(Value::as_str)
}

/// Adds the rows of `batch` to `out`.
pub fn into_batch(batch: Batch, src: &Source, out: &mut IngestBatch) {
    let Batch { context, beacons } = batch;
    let restaurant = tag(&context, "restaurant_id")
        .or_else(|| context.user.as_ref()?.get("restaurant_id")?.as_str())
        .map(|r| r.chars().take(128).collect::<String>());
    let ua = src
        .user_agent
        .as_deref()
        .map(|u| u.chars().take(512).collect::<String>());
    let weight = crate::ingest::sampling::weight_of(context.sample_rate);
    for b in beacons {
        let session = b.raw.session.clone().or_else(|| context.session.clone());
        let r = &b.raw;
        match b.kind {
            Kind::Pageload | Kind::Vitals => out.page_loads.push(RumEventRow {
                project_id: src.project.id,
                received_at_ms: src.received_at_ms,
                client_ts_ms: r.ts,
                kind: if b.kind == Kind::Pageload {
                    "pageload"
                } else {
                    "vitals"
                },
                page: b.page,
                session_id: session,
                user_agent: ua.clone(),
                restaurant_id: restaurant.clone(),
                ttfb: r.ttfb,
                dcl: r.dcl,
                load: r.load,
                fp: r.fp,
                fcp: r.fcp,
                lcp: r.lcp,
                cls: r.cls,
                inp: r.inp,
                source: "rum",
                weight,
            }),
            Kind::Api => out.api_calls.push(ApiCallRow {
                project_id: src.project.id,
                received_at_ms: src.received_at_ms,
                method: r.method.as_deref().unwrap_or("GET").to_ascii_uppercase(),
                route: route::template(r.url.as_deref().unwrap_or("/"), None),
                status: r.status,
                duration_ms: r.duration.unwrap_or(0.0),
                page: Some(b.page),
                session_id: session,
                restaurant_id: restaurant.clone(),
                source: "rum",
                weight,
            }),
            Kind::Memory => out.memory.push(MemorySample {
                project_id: src.project.id,
                received_at_ms: src.received_at_ms,
                page: b.page,
                used_mb: r.used.unwrap_or(0.0) / 1_048_576.0,
                restaurant_id: restaurant.clone(),
            }),
            Kind::Error => error(&b, &context, session, src, out),
        }
    }
}

fn breadcrumbs(raw: &[Value]) -> Vec<Breadcrumb> {
    let skip = raw.len().saturating_sub(100);
    raw.iter()
        .skip(skip)
        .map(|b| Breadcrumb {
            timestamp: b.get("ts").and_then(Value::as_f64).map(|ms| ms / 1000.0),
            category: b
                .get("category")
                .and_then(Value::as_str)
                .map(str::to_string),
            message: b.get("message").and_then(Value::as_str).map(str::to_string),
            level: b.get("level").and_then(Value::as_str).map(str::to_string),
            data: b.get("data").cloned().unwrap_or(Value::Null),
        })
        .collect()
}

/// A JS error as a normalized event: filtered, then grouped like a Sentry event.
fn error(b: &Beacon, c: &Context, session: Option<String>, src: &Source, out: &mut IngestBatch) {
    let r = &b.raw;
    let mut tags: Vec<(String, String)> = c
        .tags
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    tags.push(("page".into(), b.page.clone()));
    let mut contexts = Map::new();
    if let Some(s) = session {
        contexts.insert("session".into(), json!({ "id": s }));
    }
    let event = ErrorEvent {
        event_id: None,
        timestamp_ms: r.ts,
        level: "error".into(),
        platform: Some("javascript".into()),
        release: c.release.clone(),
        environment: c.environment.clone(),
        transaction: Some(b.page.clone()),
        message: r.message.clone(),
        exceptions: vec![Exception {
            kind: r.name.clone().unwrap_or_else(|| "Error".into()),
            value: r.message.clone(),
            module: None,
            frames: r.stack.as_deref().map(stack::parse).unwrap_or_default(),
        }],
        tags,
        user: c.user.clone(),
        contexts,
        breadcrumbs: breadcrumbs(r.breadcrumbs.as_deref().unwrap_or_default()),
        request: Some(json!({ "url": b.page, "headers": { "User-Agent": src.user_agent } })),
        sdk: Some(json!({ "name": "restaurant-os-monitor.rum" })),
        fingerprint: None,
    };
    if let Some(dropped) = filters::check(&src.project.filters, &event) {
        out.outcomes.push(Outcome {
            project_id: src.project.id,
            at_ms: src.received_at_ms,
            source: "filtered",
            reason: dropped.reason().into(),
            category: "error".into(),
            quantity: 1,
        });
        return;
    }
    out.errors
        .push(issues::prepare(src.project.id, &event, src.received_at_ms));
}

/// A stored page load made the way ingest makes one, for other modules' tests.
#[cfg(test)]
pub(crate) fn test_row() -> store::RumEventRow {
    let batch = super::parse(br#"[{"type":"pageload","page":"/","load":1}]"#, 1).unwrap();
    let mut out = store::IngestBatch::default();
    into_batch(batch, &Source::test(), &mut out);
    out.page_loads.remove(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(body: &str) -> IngestBatch {
        let batch = super::super::parse(body.as_bytes(), 50).unwrap();
        let mut out = IngestBatch::default();
        into_batch(batch, &Source::test(), &mut out);
        out
    }

    #[test]
    fn every_kind_becomes_its_row_with_the_context() {
        let out = convert(
            r#"{"context":{"session":"s1","tags":{"restaurant_id":"r-9"},"release":"pos@2"},"beacons":[
            {"type":"pageload","page":"/menu","load":900},{"type":"vitals","page":"/menu","lcp":2100,"cls":0.3},
            {"type":"api","page":"/menu","method":"post","url":"/api/orders/881?x=1","status":503,"duration":2600},
            {"type":"memory","page":"/menu","used":62914560},
            {"type":"error","page":"/menu","name":"TypeError","message":"total is undefined","stack":"TypeError: total is undefined\n    at pay (https://pos/app.js:3:9)",
             "breadcrumbs":[{"ts":1000,"category":"navigation","message":"/menu"}]}]}"#,
        );
        assert_eq!(out.page_loads.len(), 2);
        assert_eq!(out.page_loads[1].kind, "vitals");
        assert_eq!(out.page_loads[0].restaurant_id.as_deref(), Some("r-9"));
        assert_eq!(out.page_loads[0].session_id.as_deref(), Some("s1"));
        let call = &out.api_calls[0];
        assert_eq!(
            (call.method.as_str(), call.route.as_str()),
            ("POST", "/api/orders/:id")
        );
        assert!((out.memory[0].used_mb - 60.0).abs() < 1e-9);
        let e = &out.errors[0];
        assert_eq!(e.title, "TypeError: total is undefined");
        assert_eq!(e.culprit.as_deref(), Some("pay (https://pos/app.js)"));
        assert_eq!(e.restaurant_id.as_deref(), Some("r-9"));
        assert!(e.body.contains("\"navigation\""), "breadcrumbs kept");
    }

    #[test]
    fn errors_go_through_the_inbound_filters() {
        let out = convert(
            r#"[{"type":"error","page":"/","message":"ResizeObserver loop limit exceeded"}]"#,
        );
        assert!(out.errors.is_empty());
        assert_eq!(out.outcomes[0].reason, "message");
    }
}
