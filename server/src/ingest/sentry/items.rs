//! Turns envelope items into rows of an [`IngestBatch`]: events are normalized, run
//! through the project's inbound filters and grouped; transactions become performance
//! rows; sessions release health; client reports outcomes. Pure: no I/O, so the HTTP
//! handler only parses, calls this, and enqueues.

use super::{client_report, event, session, transaction};
use crate::issues::{self, filters};
use store::{IngestBatch, Outcome, Project};

/// Where the items came from.
pub struct Source<'a> {
    pub project: &'a Project,
    pub received_at_ms: i64,
    pub user_agent: Option<&'a str>,
    /// The envelope's traces sample rate (its dynamic sampling context).
    pub sample_rate: Option<f64>,
}

impl Source<'_> {
    fn outcome(&self, source: &'static str, reason: &str, category: &str) -> Outcome {
        Outcome {
            project_id: self.project.id,
            at_ms: self.received_at_ms,
            source,
            reason: reason.into(),
            category: category.into(),
            quantity: 1,
        }
    }
}

/// What became of one item.
#[derive(Debug, PartialEq)]
pub enum Handled {
    /// Stored (an event also gives its id).
    Kept(Option<String>),
    /// Dropped by an inbound filter, counted.
    Filtered(&'static str),
    /// A type this monitor does not store (attachments, profiles, replays, ...).
    Ignored,
}

/// Adds one item of type `kind` to `batch`; `Err` says why the payload is unreadable.
pub fn add(
    batch: &mut IngestBatch,
    src: &Source,
    kind: &str,
    payload: &[u8],
) -> Result<Handled, String> {
    let project_id = src.project.id;
    match kind {
        "event" => {
            let e = event::normalize(payload)?;
            if let Some(dropped) = filters::check(&src.project.filters, &e) {
                batch
                    .outcomes
                    .push(src.outcome("filtered", dropped.reason(), "error"));
                return Ok(Handled::Filtered(dropped.reason()));
            }
            let id = e.event_id.clone();
            batch
                .errors
                .push(issues::prepare(project_id, &e, src.received_at_ms));
            Ok(Handled::Kept(id))
        }
        "transaction" => {
            let p = transaction::performance(
                payload,
                project_id,
                src.received_at_ms,
                src.user_agent,
                src.sample_rate,
            )?;
            batch.page_loads.extend(p.page_load);
            batch.api_calls.extend(p.api_calls);
            batch.server_requests.extend(p.server_request);
            batch.db_queries.extend(p.db_queries);
            Ok(Handled::Kept(None))
        }
        "session" => {
            batch
                .sessions
                .push(session::single(payload, project_id, src.received_at_ms)?);
            Ok(Handled::Kept(None))
        }
        "sessions" => {
            batch
                .sessions
                .extend(session::aggregates(payload, project_id)?);
            Ok(Handled::Kept(None))
        }
        "client_report" => {
            batch.outcomes.extend(client_report::outcomes(
                payload,
                project_id,
                src.received_at_ms,
            )?);
            Ok(Handled::Kept(None))
        }
        _ => Ok(Handled::Ignored),
    }
}

/// Counts an item that could not be read, so it is visible rather than lost.
pub fn invalid(batch: &mut IngestBatch, src: &Source, kind: &str) {
    let category = match kind {
        "event" => "error",
        other => other,
    };
    batch
        .outcomes
        .push(src.outcome("invalid", "unreadable_item", category));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> Project {
        Project {
            id: 3,
            slug: "p".into(),
            name: "P".into(),
            public_key: "k".into(),
            ..Default::default()
        }
    }

    #[test]
    fn each_item_type_lands_where_it_belongs() {
        let p = project();
        let src = Source {
            sample_rate: None,
            project: &p,
            received_at_ms: 10,
            user_agent: None,
        };
        let mut b = IngestBatch::default();
        assert_eq!(
            add(
                &mut b,
                &src,
                "event",
                br#"{"event_id":"e1","message":"boom"}"#
            ),
            Ok(Handled::Kept(Some("e1".into())))
        );
        assert_eq!(
            add(
                &mut b,
                &src,
                "event",
                br#"{"message":"ResizeObserver loop limit exceeded"}"#
            ),
            Ok(Handled::Filtered("message"))
        );
        add(
            &mut b,
            &src,
            "transaction",
            br#"{"transaction":"/","contexts":{"trace":{"op":"pageload"}}}"#,
        )
        .unwrap();
        add(&mut b, &src, "session", br#"{"sid":"s1","status":"ok"}"#).unwrap();
        add(
            &mut b,
            &src,
            "client_report",
            br#"{"discarded_events":[{"reason":"r","category":"error","quantity":2}]}"#,
        )
        .unwrap();
        assert_eq!(
            add(&mut b, &src, "attachment", b"\x00\x01"),
            Ok(Handled::Ignored)
        );
        assert!(add(&mut b, &src, "session", b"{").is_err());
        invalid(&mut b, &src, "event");
        assert_eq!(b.errors.len(), 1);
        assert_eq!(b.errors[0].project_id, 3);
        assert_eq!(b.page_loads.len(), 1);
        assert_eq!(b.sessions.len(), 1);
        let sources: Vec<&str> = b.outcomes.iter().map(|o| o.source).collect();
        assert_eq!(sources, ["filtered", "client", "invalid"]);
    }
}
