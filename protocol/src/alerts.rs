//! Alerting as the dashboard and the read API show it: what is firing, the history,
//! the rules, silences and notification channels.

use serde::{Deserialize, Serialize};

/// One alert transition (or an acknowledgement) in the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertHistoryEntry {
    pub id: i64,
    pub rule: String,
    /// `''`, or the restaurant of a rule split by restaurant.
    pub instance: String,
    pub severity: String,
    /// `pending`, `fired`, `reminded`, `cancelled`, `resolved`, `escalated`,
    /// `acknowledged` or `test`.
    pub change: String,
    pub value: f64,
    pub threshold: f64,
    pub at_ms: i64,
    /// Whether people were notified of it.
    pub notify: bool,
    /// A silence muted what would have been a notification.
    pub silenced: bool,
    /// Who did it, for acknowledgements and test fires.
    pub actor: Option<String>,
}

/// One notification (one channel, possibly several grouped alerts) and its delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    /// The first alert transition the message carries.
    pub history_id: i64,
    pub rule: String,
    pub change: String,
    /// How many alert transitions the message groups.
    pub alerts: u32,
    pub channel: String,
    /// `pending`, `delivered` or `failed` (given up after the retries).
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
}

/// An alert instance that is pending or firing now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActiveAlert {
    pub rule: String,
    pub instance: String,
    pub severity: String,
    /// `pending` or `firing`.
    pub state: String,
    pub since_ms: i64,
    pub metric: String,
    pub comparison: String,
    pub threshold: f64,
    /// The last value the engine saw.
    pub value: Option<f64>,
    pub acked_by: Option<String>,
    pub acked_at_ms: Option<i64>,
    /// The silence muting it now, if any.
    pub silenced_by: Option<i64>,
    pub escalated: bool,
}

/// A silence matcher: `field` is `rule`, `severity`, `restaurant` or `metric`; `value` may
/// use `*` for any run of characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matcher {
    pub field: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    pub id: i64,
    pub matchers: Vec<Matcher>,
    pub starts_ms: i64,
    pub ends_ms: i64,
    pub comment: String,
    pub created_by: String,
    pub created_at_ms: i64,
}

impl Silence {
    pub fn is_active(&self, now_ms: i64) -> bool {
        self.starts_ms <= now_ms && now_ms < self.ends_ms
    }

    /// `rule=high_error_rate, restaurant=r-*`.
    pub fn describe(&self) -> String {
        self.matchers
            .iter()
            .map(|m| format!("{}={}", m.field, m.value))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A rule as listed and edited: durations as written in `alerts.toml` (`"5m"`). Fields
/// left out of a saved rule take their defaults (and are then checked).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleView {
    pub name: String,
    pub severity: String,
    pub metric: String,
    pub comparison: String,
    pub threshold: f64,
    pub window: String,
    pub cooldown: String,
    pub hold_for: Option<String>,
    pub resolve_after: Option<String>,
    pub restaurant: Option<String>,
    pub environment: Option<String>,
    pub project: Option<String>,
    pub split_by_restaurant: bool,
    pub enabled: bool,
    pub description: Option<String>,
    /// Reminders while firing: `4h` by default.
    #[serde(default)]
    pub repeat_interval: Option<String>,
    /// Ratio metrics: fewer events in the window is nothing to judge.
    #[serde(default)]
    pub min_volume: Option<f64>,
    /// Series metrics: `mean` (default), `max`, `min`, `last` or `p95`.
    #[serde(default)]
    pub aggregate: Option<String>,
    /// When the rule is judged: `"mon-fri 08:00-22:00"` in `timezone`.
    #[serde(default)]
    pub active_hours: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    /// Split rules: judge a restaurant only while it is open.
    #[serde(default)]
    pub only_when_open: bool,
    /// Issue alerts: the events' level and release, and tags as `key=value, key=value`.
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub release: Option<String>,
    #[serde(default)]
    pub tags: Option<String>,
    /// `file` (from `alerts.toml`), `overridden` (a file rule edited in the dashboard)
    /// or `dashboard` (created there).
    pub origin: String,
    pub updated_by: Option<String>,
}

/// A configured notification channel and how its last delivery went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelView {
    /// `slack`, `webhook`, `email`, or `escalation.<kind>`.
    pub name: String,
    /// Where it goes, without secrets: a host, a channel, recipients.
    pub target: String,
    pub last: Option<Delivery>,
}

/// The history filters of the Alerts page and `GET /api/v1/alerts/history`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertHistoryQuery {
    pub severity: Option<String>,
    pub rule: Option<String>,
    pub change: Option<String>,
    /// Only entries at or after this time, and before `to_ms`.
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: Option<u32>,
}

impl AlertHistoryQuery {
    /// Reads `severity`, `rule`, `change` (or `state`), `range` (`1h`, `24h`, `7d`,
    /// `30d`, relative to `now_ms`) and `limit`; `Err` names the field.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        now_ms: i64,
    ) -> Result<AlertHistoryQuery, String> {
        let mut q = AlertHistoryQuery::default();
        let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty() && v != "all");
        for (k, v) in pairs {
            match k {
                "severity" => {
                    q.severity = text(v);
                    if let Some(s) = &q.severity {
                        if s != "critical" && s != "warning" {
                            return Err(format!("severity: {s:?} is not critical or warning"));
                        }
                    }
                }
                "rule" => q.rule = text(v),
                "change" | "state" => q.change = text(v),
                "range" if v.is_empty() || v == "all" => {}
                "range" => q.from_ms = Some(now_ms - crate::range::range_span(v)?),
                "limit" => {
                    q.limit = Some(
                        v.parse()
                            .map_err(|_| format!("limit: {v:?} is not a number"))?,
                    )
                }
                _ => {}
            }
        }
        Ok(q)
    }
}

/// Everything the Alerts page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertsView {
    pub generated_at_ms: i64,
    pub active: Vec<ActiveAlert>,
    pub history: Vec<AlertHistoryEntry>,
    pub rules: Vec<RuleView>,
    pub silences: Vec<Silence>,
    pub channels: Vec<ChannelView>,
    pub deliveries: Vec<Delivery>,
    /// The metric names a rule can watch (for the rule form).
    pub metrics: Vec<String>,
    /// After how long an unacknowledged critical alert escalates; `None`: never.
    pub escalate_after_secs: Option<u64>,
    /// Per rule over the last 7 and 30 days: what to review and tune.
    pub noise: Vec<NoiseReport>,
    /// Restaurants' opening hours (for `only_when_open` rules).
    pub opening_hours: Vec<OpeningHoursView>,
}

/// How much one rule paged over a span (`GET /api/v1/alerts/noise`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NoiseReport {
    pub rule: String,
    /// `7d` or `30d`.
    pub span: String,
    pub firings: u64,
    /// Firings resolved within 10 minutes: candidates for `for` or `resolve_after`.
    pub flaps: u64,
    /// Messages delivered about the rule (each channel counts).
    pub notifications: u64,
    /// Time spent firing in the span, ms.
    pub firing_ms: i64,
    /// The median time from firing to acknowledgement, ms; `None` when none was.
    pub median_ack_ms: Option<i64>,
}

/// A restaurant's opening hours and where they come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpeningHoursView {
    pub restaurant: String,
    /// `"mon-fri 11:00-22:00, sat 12:00-23:00"`.
    pub hours: String,
    pub timezone: Option<String>,
    /// `config` or `dashboard`.
    pub origin: String,
    /// Whether it is open now.
    pub open_now: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_filters_read_from_the_query_string() {
        let q = AlertHistoryQuery::from_pairs(
            [
                ("severity", "critical"),
                ("rule", "high_error_rate"),
                ("state", "fired"),
                ("range", "24h"),
            ],
            100_000_000,
        )
        .unwrap();
        assert_eq!(q.severity.as_deref(), Some("critical"));
        assert_eq!(q.change.as_deref(), Some("fired"));
        assert_eq!(q.from_ms, Some(100_000_000 - 86_400_000));
        assert!(AlertHistoryQuery::from_pairs([("severity", "all")], 0)
            .unwrap()
            .severity
            .is_none());
        assert!(AlertHistoryQuery::from_pairs([("range", "2y")], 0).is_err());
        assert!(AlertHistoryQuery::from_pairs([("severity", "info")], 0).is_err());
    }
}
