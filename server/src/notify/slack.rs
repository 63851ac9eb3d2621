//! Slack incoming-webhook messages: `🚨 CRITICAL ALERT:` / `⚠️ WARNING:` (or `✅
//! RESOLVED:`) text and, per alert, an attachment with Service, Environment, Timestamp and
//! Details, linking to the alert. Text that came from outside is escaped for Slack's
//! mrkdwn (`&`, `<`, `>`), so it cannot open links or mentions, and long details are cut.

use super::{truncate, Kind, Message, Notification};
use serde_json::{json, Value};

const USERNAME: &str = "RestaurantOS Monitor";
const ICON: &str = ":rotating_light:";
const MAX_DETAILS: usize = 1500;
/// Slack shows at most 100 attachments; a group this large is summarized.
const MAX_ATTACHMENTS: usize = 20;

/// Slack's escaping for message text: the three characters that start markup.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn attachment(m: &Message, n: &Notification) -> Value {
    let color = match (m.kind(), n.severity == "critical") {
        (Kind::Resolved, _) => "#16a34a",
        (_, true) => "#dc2626",
        (_, false) => "#f59e0b",
    };
    let mut details = n.details();
    if let Some(d) = &n.description {
        details = format!("{details}\n{d}");
    }
    json!({
        "color": color,
        "title": escape(&n.title()),
        "title_link": n.link,
        "fields": [
            {"title": "Service", "value": "restaurant-os", "short": true},
            {"title": "Environment", "value": escape(&n.environment), "short": true},
            {"title": "Timestamp", "value": protocol::format_utc(n.at_ms), "short": true},
            {"title": "Details", "value": truncate(&escape(&details), MAX_DETAILS), "short": false},
        ],
        "footer": format!("<{}|Open in RestaurantOS Monitor>", n.link),
        "ts": n.at_ms / 1000,
    })
}

pub fn message(m: &Message, channel: Option<&str>) -> Value {
    let prefix = match m.prefix() {
        "🚨 CRITICAL" => "🚨 CRITICAL ALERT:",
        "⚠️ WARNING" => "⚠️ WARNING:",
        _ => "✅ RESOLVED:",
    };
    let mut attachments: Vec<Value> = m
        .alerts
        .iter()
        .take(MAX_ATTACHMENTS)
        .map(|n| attachment(m, n))
        .collect();
    if m.alerts.len() > MAX_ATTACHMENTS {
        attachments.push(json!({
            "text": format!("… and {} more in the dashboard", m.alerts.len() - MAX_ATTACHMENTS),
        }));
    }
    let mut out = json!({
        "username": USERNAME,
        "icon_emoji": ICON,
        "text": format!("{prefix} {}", escape(&m.title())),
        "attachments": attachments,
    });
    if let Some(c) = channel.filter(|c| !c.is_empty()) {
        out["channel"] = json!(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::{group, tests::n};

    fn one(n: Notification) -> Message {
        Message { alerts: vec![n] }
    }

    #[test]
    fn critical_warning_and_resolved_read_as_on_call_people_expect() {
        let m = message(
            &one(n("high_error_rate", "critical", "fired")),
            Some("#oncall"),
        );
        assert_eq!(m["text"], "🚨 CRITICAL ALERT: high_error_rate");
        assert_eq!(m["username"], "RestaurantOS Monitor");
        assert_eq!(m["channel"], "#oncall");
        let fields = &m["attachments"][0]["fields"];
        assert_eq!(fields[3]["value"], "error_rate is 0.12 (&gt; 0.05)");
        assert_eq!(fields[2]["value"], "2026-11-27 08:00 UTC");
        assert_eq!(
            message(&one(n("x", "warning", "fired")), None)["text"],
            "⚠️ WARNING: x"
        );
        assert_eq!(
            message(&one(n("x", "critical", "resolved")), None)["text"],
            "✅ RESOLVED: x"
        );
    }

    #[test]
    fn a_group_is_one_message_with_one_attachment_per_alert() {
        let m = &group(vec![
            n("a", "critical", "fired"),
            n("b", "critical", "fired"),
        ])[0];
        let msg = message(m, None);
        assert_eq!(msg["text"], "🚨 CRITICAL ALERT: a and 1 more");
        assert_eq!(msg["attachments"].as_array().unwrap().len(), 2);
        let many = Message {
            alerts: (0..25)
                .map(|i| n(&format!("r{i}"), "critical", "fired"))
                .collect(),
        };
        let msg = message(&many, None);
        assert_eq!(msg["attachments"].as_array().unwrap().len(), 21);
    }

    #[test]
    fn markup_from_outside_is_escaped_and_long_details_cut() {
        let mut bad = n("<!channel> <http://evil|click>", "critical", "fired");
        bad.instance = "r&d".into();
        bad.description = Some(format!("*bold* <@U123> {}", "x".repeat(3000)));
        let m = message(&one(bad), None);
        let text = m["text"].as_str().unwrap();
        assert!(
            !text.contains('<') && text.contains("&lt;!channel&gt;"),
            "{text}"
        );
        assert!(text.contains("r&amp;d"));
        let details = m["attachments"][0]["fields"][3]["value"].as_str().unwrap();
        assert!(details.contains("&lt;@U123&gt;") && !details.contains("<@"));
        assert_eq!(details.chars().count(), MAX_DETAILS);
    }
}
