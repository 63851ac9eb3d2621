//! Notifications: what an alert transition tells people ([`Notification`]), how each
//! channel words it ([`slack`], [`webhook`], [`email`]), and the [`outbox`] worker that delivers
//! them with retries. The payload is built when the transition is stored, so a delivery
//! after a restart says exactly what it would have said before.

pub mod email;
pub mod outbox;
pub mod slack;
pub mod webhook;

use serde::{Deserialize, Serialize};

/// One alert transition as sent to people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub rule: String,
    /// `''`, or the restaurant of a split rule.
    pub instance: String,
    /// `critical` or `warning`.
    pub severity: String,
    /// `fired`, `reminded` or `resolved`.
    pub change: String,
    pub metric: String,
    pub value: f64,
    pub comparison: String,
    pub threshold: f64,
    pub at_ms: i64,
    pub environment: String,
    /// The alert in the dashboard.
    pub link: String,
}

impl Notification {
    pub fn is_resolved(&self) -> bool {
        self.change == "resolved"
    }

    /// `payment_failures` or `low_inventory (r-17)`.
    pub fn title(&self) -> String {
        if self.instance.is_empty() {
            self.rule.clone()
        } else {
            format!("{} ({})", self.rule, self.instance)
        }
    }

    /// The one-line description: `error_rate is 0.12 (> 0.05)`.
    pub fn details(&self) -> String {
        format!(
            "{} is {} ({} {})",
            self.metric,
            trim_number(self.value),
            self.comparison,
            trim_number(self.threshold)
        )
    }
}

/// `0.12`, `5000`, `0.05`: no trailing zeros.
pub fn trim_number(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Cuts `s` to at most `max` characters on a character boundary, marking the cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_cuts_read_well() {
        assert_eq!(trim_number(0.12), "0.12");
        assert_eq!(trim_number(5000.0), "5000");
        assert_eq!(trim_number(0.0), "0");
        assert_eq!(truncate("ééééé", 3), "éé…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
