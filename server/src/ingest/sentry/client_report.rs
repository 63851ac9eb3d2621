//! Sentry `client_report` items: what an SDK dropped before sending (queue overflow,
//! its own rate limiting, sampling, ...), kept as `client` outcomes.

use serde::Deserialize;
use store::Outcome;

#[derive(Deserialize)]
struct Discarded {
    reason: String,
    category: String,
    quantity: u64,
}

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    discarded_events: Vec<Discarded>,
}

pub fn outcomes(
    payload: &[u8],
    project_id: i64,
    received_at_ms: i64,
) -> Result<Vec<Outcome>, String> {
    let r: Report = serde_json::from_slice(payload).map_err(|e| format!("client_report: {e}"))?;
    Ok(r.discarded_events
        .into_iter()
        .filter(|d| d.quantity > 0)
        .take(100)
        .map(|d| Outcome {
            project_id,
            at_ms: received_at_ms,
            source: "client",
            reason: d.reason.chars().take(64).collect(),
            category: d.category.chars().take(64).collect(),
            quantity: d.quantity,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discarded_events_become_client_outcomes() {
        let o = outcomes(
            br#"{"timestamp":1764230000,"discarded_events":[
            {"reason":"queue_overflow","category":"error","quantity":23},
            {"reason":"sample_rate","category":"transaction","quantity":0}]}"#,
            1,
            9,
        )
        .unwrap();
        assert_eq!(o.len(), 1);
        assert_eq!(
            (o[0].reason.as_str(), o[0].quantity, o[0].source),
            ("queue_overflow", 23, "client")
        );
        assert!(outcomes(b"{\"discarded_events\":5}", 1, 0).is_err());
    }
}
