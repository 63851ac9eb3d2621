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

/// Transactions the SDK reports having dropped by its own sampling.
fn sampled_out_transactions(payload: &[u8]) -> u64 {
    serde_json::from_slice::<Report>(payload).map_or(0, |r| {
        r.discarded_events
            .iter()
            .filter(|d| d.reason == "sample_rate" && d.category == "transaction")
            .map(|d| d.quantity)
            .sum()
    })
}

/// The sample rate an envelope implies when its header declares none: the SDK attaches
/// what it sampled out since its last send to the next envelope, so the envelope's
/// transactions stand for themselves and those. The Rust SDK needs this: its transport
/// rebuilds each envelope and drops the dynamic sampling context.
pub fn implied_sample_rate<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Option<f64> {
    let (mut kept, mut dropped) = (0u64, 0u64);
    for (kind, payload) in items {
        match kind {
            "transaction" => kept += 1,
            "client_report" => dropped += sampled_out_transactions(payload),
            _ => {}
        }
    }
    (kept > 0 && dropped > 0).then(|| kept as f64 / (kept + dropped) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampled_out_transactions_imply_the_rate_of_the_kept_ones() {
        let report = br#"{"discarded_events":[
            {"reason":"sample_rate","category":"transaction","quantity":9},
            {"reason":"sample_rate","category":"span","quantity":40},
            {"reason":"queue_overflow","category":"transaction","quantity":5}]}"#;
        let items = [("transaction", &b"{}"[..]), ("client_report", &report[..])];
        assert_eq!(implied_sample_rate(items), Some(0.1));
        assert_eq!(implied_sample_rate([("transaction", &b"{}"[..])]), None);
        assert_eq!(
            implied_sample_rate([("client_report", &report[..])]),
            None,
            "nothing kept to weigh"
        );
    }

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
