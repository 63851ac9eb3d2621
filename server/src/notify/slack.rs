//! Slack incoming-webhook messages: `🚨 CRITICAL ALERT:` / `⚠️ WARNING:` (or `✅
//! RESOLVED:`) text and an attachment with Service, Environment, Timestamp and Details,
//! linking to the alert. Text that came from outside is escaped for Slack's mrkdwn
//! (`&`, `<`, `>`), so it cannot open links or mentions, and long details are cut.

use super::{truncate, Notification};
use serde_json::{json, Value};

const USERNAME: &str = "RestaurantOS Monitor";
const ICON: &str = ":rotating_light:";
const MAX_DETAILS: usize = 1500;

/// Slack's escaping for message text: the three characters that start markup.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn message(n: &Notification, channel: Option<&str>) -> Value {
    let critical = n.severity == "critical";
    let (prefix, color) = match (n.is_resolved(), critical) {
        (true, _) => ("✅ RESOLVED:", "#16a34a"),
        (false, true) => ("🚨 CRITICAL ALERT:", "#dc2626"),
        (false, false) => ("⚠️ WARNING:", "#f59e0b"),
    };
    let title = escape(&n.title());
    let when = app::model::format_utc(n.at_ms);
    let mut m = json!({
        "username": USERNAME,
        "icon_emoji": ICON,
        "text": format!("{prefix} {title}"),
        "attachments": [{
            "color": color,
            "title": title,
            "title_link": n.link,
            "fields": [
                {"title": "Service", "value": "restaurant-os", "short": true},
                {"title": "Environment", "value": escape(&n.environment), "short": true},
                {"title": "Timestamp", "value": when, "short": true},
                {"title": "Details", "value": truncate(&escape(&n.details()), MAX_DETAILS), "short": false},
            ],
            "footer": format!("<{}|Open in RestaurantOS Monitor>", n.link),
            "ts": n.at_ms / 1000,
        }],
    });
    if let Some(c) = channel.filter(|c| !c.is_empty()) {
        m["channel"] = json!(c);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(change: &str, severity: &str, rule: &str) -> Notification {
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
        }
    }

    #[test]
    fn critical_warning_and_resolved_read_as_on_call_people_expect() {
        let m = message(&n("fired", "critical", "high_error_rate"), Some("#oncall"));
        assert_eq!(m["text"], "🚨 CRITICAL ALERT: high_error_rate");
        assert_eq!(m["username"], "RestaurantOS Monitor");
        assert_eq!(m["channel"], "#oncall");
        let fields = &m["attachments"][0]["fields"];
        assert_eq!(fields[3]["value"], "error_rate is 0.12 (&gt; 0.05)");
        assert_eq!(fields[2]["value"], "2026-11-27 08:00 UTC");
        assert_eq!(
            message(&n("fired", "warning", "x"), None)["text"],
            "⚠️ WARNING: x"
        );
        assert_eq!(
            message(&n("resolved", "critical", "x"), None)["text"],
            "✅ RESOLVED: x"
        );
    }

    #[test]
    fn markup_from_outside_is_escaped() {
        let mut bad = n("fired", "critical", "<!channel> <http://evil|click>");
        bad.instance = "r&d".into();
        let m = message(&bad, None);
        let text = m["text"].as_str().unwrap();
        assert!(
            !text.contains('<') && text.contains("&lt;!channel&gt;"),
            "{text}"
        );
        assert!(text.contains("r&amp;d"));
    }
}
