//! Notifications: what an alert transition tells people ([`Notification`]), alerts that
//! fire together grouped into one [`Message`], how each channel words it ([`slack`],
//! [`webhook`], [`email`]), and the [`outbox`] worker that delivers them with retries.
//! The payload is built when the transition is stored, so a delivery after a restart
//! says exactly what it would have said before.

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
    /// `fired`, `reminded`, `resolved`, `escalated` or `test`.
    pub change: String,
    pub metric: String,
    pub value: f64,
    pub comparison: String,
    pub threshold: f64,
    pub at_ms: i64,
    pub environment: String,
    /// The alert in the dashboard.
    pub link: String,
    /// The rule's note for on-call people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
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

/// What kind of news a message is; alerts group only with their own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Firing,
    Escalated,
    Resolved,
    Test,
}

impl Kind {
    pub fn of(change: &str) -> Kind {
        match change {
            "resolved" => Kind::Resolved,
            "escalated" => Kind::Escalated,
            "test" => Kind::Test,
            _ => Kind::Firing,
        }
    }
}

/// One message to people: alerts of one severity and kind that changed in the same
/// evaluation, the first one leading. Never empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub alerts: Vec<Notification>,
}

impl Message {
    pub fn lead(&self) -> &Notification {
        &self.alerts[0]
    }

    pub fn kind(&self) -> Kind {
        Kind::of(&self.lead().change)
    }

    pub fn is_critical(&self) -> bool {
        self.lead().severity == "critical"
    }

    /// `payment_failures`, `payment_failures and 2 more`, `[TEST] x`,
    /// `x (unacknowledged, escalated)`.
    pub fn title(&self) -> String {
        let mut t = self.lead().title();
        if self.alerts.len() > 1 {
            t = format!("{t} and {} more", self.alerts.len() - 1);
        }
        match self.kind() {
            Kind::Test => format!("[TEST] {t}"),
            Kind::Escalated => format!("{t} (unacknowledged, escalated)"),
            _ => t,
        }
    }

    /// The severity prefix: `🚨 CRITICAL` / `⚠️ WARNING` / `✅ RESOLVED`.
    pub fn prefix(&self) -> &'static str {
        match (self.kind(), self.is_critical()) {
            (Kind::Resolved, _) => "✅ RESOLVED",
            (_, true) => "🚨 CRITICAL",
            (_, false) => "⚠️ WARNING",
        }
    }
}

/// Groups notifications into messages by severity and kind, critical first; the order
/// inside a message is the order given.
pub fn group(notifications: Vec<Notification>) -> Vec<Message> {
    let mut groups: std::collections::BTreeMap<(bool, Kind), Vec<Notification>> =
        Default::default();
    for n in notifications {
        let key = (n.severity != "critical", Kind::of(&n.change));
        groups.entry(key).or_default().push(n);
    }
    groups
        .into_values()
        .map(|alerts| Message { alerts })
        .collect()
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
pub(crate) mod tests {
    use super::*;

    pub fn n(rule: &str, severity: &str, change: &str) -> Notification {
        Notification {
            rule: rule.into(),
            instance: String::new(),
            severity: severity.into(),
            change: change.into(),
            metric: "error_rate".into(),
            value: 0.12,
            comparison: ">".into(),
            threshold: 0.05,
            at_ms: 1_795_766_400_000,
            environment: "production".into(),
            link: "http://m/alerts".into(),
            description: None,
        }
    }

    #[test]
    fn alerts_that_change_together_group_by_severity_and_kind() {
        let groups = group(vec![
            n("cpu", "warning", "fired"),
            n("errors", "critical", "fired"),
            n("payments", "critical", "reminded"),
            n("db", "critical", "resolved"),
        ]);
        let titles: Vec<String> = groups.iter().map(Message::title).collect();
        assert_eq!(titles, ["errors and 1 more", "db", "cpu"]);
        assert_eq!(groups[1].prefix(), "✅ RESOLVED");
        assert_eq!(groups[2].prefix(), "⚠️ WARNING");
        let esc = group(vec![n("db", "critical", "escalated")]);
        assert_eq!(esc[0].title(), "db (unacknowledged, escalated)");
        assert_eq!(
            group(vec![n("db", "critical", "test")])[0].title(),
            "[TEST] db"
        );
    }

    #[test]
    fn numbers_and_cuts_read_well() {
        assert_eq!(trim_number(0.12), "0.12");
        assert_eq!(trim_number(5000.0), "5000");
        assert_eq!(trim_number(0.0), "0");
        assert_eq!(truncate("ééééé", 3), "éé…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
