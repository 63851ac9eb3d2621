//! The noise report: per rule over a span, how often it fired, how often it flapped
//! (resolved within [`FLAP_MS`] of firing), how many messages it sent, how long it was
//! firing and how long people took to acknowledge it. What "regular review and tuning of
//! alert rules" reads from. Pure: computed from the stored history and delivery counts.

use protocol::{AlertHistoryEntry, NoiseReport};
use std::collections::{BTreeMap, HashMap};

/// A firing resolved within this is a flap.
pub const FLAP_MS: i64 = 10 * 60_000;

/// The spans the Alerts page and the API report.
pub const SPANS: [(&str, i64); 2] = [("7d", 7 * 86_400_000), ("30d", 30 * 86_400_000)];

/// One report per rule (those in `rules`, and any other the history names) over the
/// `span_ms` ending at `now_ms`. `transitions` are oldest first; `delivered` counts the
/// messages each rule sent in the span.
pub fn report(
    rules: &[String],
    span: &str,
    span_ms: i64,
    now_ms: i64,
    transitions: &[AlertHistoryEntry],
    delivered: &[(String, u64)],
) -> Vec<NoiseReport> {
    let from = now_ms - span_ms;
    let mut out: BTreeMap<String, NoiseReport> = rules
        .iter()
        .map(|r| {
            (
                r.clone(),
                NoiseReport {
                    rule: r.clone(),
                    span: span.into(),
                    ..NoiseReport::default()
                },
            )
        })
        .collect();
    // Per instance: when its current firing started, and whether it was acknowledged.
    let mut firing: HashMap<(&str, &str), (i64, bool)> = HashMap::new();
    let mut acks: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for t in transitions
        .iter()
        .filter(|t| t.at_ms >= from && t.at_ms <= now_ms)
    {
        let r = out.entry(t.rule.clone()).or_insert_with(|| NoiseReport {
            rule: t.rule.clone(),
            span: span.into(),
            ..NoiseReport::default()
        });
        let key = (t.rule.as_str(), t.instance.as_str());
        match t.change.as_str() {
            "fired" => {
                r.firings += 1;
                firing.insert(key, (t.at_ms, false));
            }
            "resolved" => {
                // A firing that started before the span counts from the span's start.
                let (since, _) = firing.remove(&key).unwrap_or((from, true));
                r.firing_ms += t.at_ms - since;
                if t.at_ms - since <= FLAP_MS && since > from {
                    r.flaps += 1;
                }
            }
            "acknowledged" => {
                if let Some((since, acked)) = firing.get_mut(&key) {
                    if !*acked {
                        *acked = true;
                        acks.entry(t.rule.clone())
                            .or_default()
                            .push(t.at_ms - *since);
                    }
                }
            }
            _ => {}
        }
    }
    for ((rule, _), (since, _)) in firing {
        if let Some(r) = out.get_mut(rule) {
            r.firing_ms += now_ms - since;
        }
    }
    for (rule, n) in delivered {
        if let Some(r) = out.get_mut(rule) {
            r.notifications = *n;
        }
    }
    for (rule, mut times) in acks {
        if let Some(r) = out.get_mut(&rule) {
            times.sort_unstable();
            r.median_ack_ms = times.get(times.len() / 2).copied();
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn t(rule: &str, instance: &str, change: &str, at: i64) -> AlertHistoryEntry {
        AlertHistoryEntry {
            id: 0,
            rule: rule.into(),
            instance: instance.into(),
            severity: "critical".into(),
            change: change.into(),
            value: 1.0,
            threshold: 0.0,
            at_ms: at,
            notify: true,
            silenced: false,
            actor: None,
        }
    }

    #[test]
    fn firings_flaps_time_firing_and_acknowledgement_per_rule() {
        let now = 100 * MIN;
        let history = [
            t("cpu", "api", "fired", 10 * MIN),
            t("cpu", "api", "resolved", 14 * MIN), // a flap: 4 minutes
            t("cpu", "api", "fired", 20 * MIN),
            t("cpu", "api", "acknowledged", 26 * MIN),
            t("cpu", "api", "resolved", 50 * MIN), // 30 minutes, not a flap
            t("orders", "r-1", "fired", 90 * MIN), // still firing: 10 minutes so far
            t("orders", "r-1", "acknowledged", 92 * MIN),
        ];
        let rules = ["cpu".to_string(), "orders".to_string(), "quiet".to_string()];
        let got = report(
            &rules,
            "7d",
            7 * 1440 * MIN,
            now,
            &history,
            &[("cpu".into(), 4)],
        );
        let cpu = &got[0];
        assert_eq!((cpu.firings, cpu.flaps, cpu.notifications), (2, 1, 4));
        assert_eq!(cpu.firing_ms, 34 * MIN);
        assert_eq!(cpu.median_ack_ms, Some(6 * MIN));
        let orders = &got[1];
        assert_eq!(
            (orders.firings, orders.flaps, orders.firing_ms),
            (1, 0, 10 * MIN)
        );
        assert_eq!(orders.median_ack_ms, Some(2 * MIN));
        assert_eq!(
            got[2],
            NoiseReport {
                rule: "quiet".into(),
                span: "7d".into(),
                ..Default::default()
            }
        );
    }

    #[test]
    fn a_firing_older_than_the_span_counts_from_its_start() {
        let now = 100 * MIN;
        let history = [
            t("cpu", "", "fired", 10 * MIN),
            t("cpu", "", "resolved", 95 * MIN),
        ];
        let got = report(&[], "1h", 60 * MIN, now, &history, &[]);
        assert_eq!(
            (got[0].firings, got[0].flaps, got[0].firing_ms),
            (0, 0, 55 * MIN)
        );
    }
}
