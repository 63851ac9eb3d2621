//! Email over SMTP (lettre): subject `🚨 CRITICAL: <title>` / `⚠️ WARNING: <title>` /
//! `✅ RESOLVED: <title>`, an HTML body with every value escaped, and a plain-text part.
//! Recipients by severity (`critical_to`, `warning_to`).

use super::Notification;
use crate::config::{EmailConfig, SmtpTls};
use lettre::{
    message::{Mailbox, MultiPart},
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use std::time::Duration;

pub fn subject(n: &Notification) -> String {
    let prefix = match (n.is_resolved(), n.severity.as_str()) {
        (true, _) => "✅ RESOLVED:",
        (false, "critical") => "🚨 CRITICAL:",
        _ => "⚠️ WARNING:",
    };
    format!("{prefix} {}", n.title())
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn rows(n: &Notification) -> [(&'static str, String); 6] {
    [
        ("Alert", n.title()),
        ("Severity", n.severity.clone()),
        ("State", n.change.clone()),
        ("Details", n.details()),
        ("Environment", n.environment.clone()),
        ("Time", app::model::format_utc(n.at_ms)),
    ]
}

pub fn html(n: &Notification) -> String {
    let cells: String = rows(n)
        .iter()
        .map(|(k, v)| format!("<tr><th align=\"left\">{k}</th><td>{}</td></tr>", escape(v)))
        .collect();
    format!(
        "<!doctype html><html><body><h2>{}</h2><table>{cells}</table>\
         <p><a href=\"{}\">Open in RestaurantOS Monitor</a></p></body></html>",
        escape(&subject(n)),
        escape(&n.link)
    )
}

pub fn text(n: &Notification) -> String {
    let mut out = format!("{}\n\n", subject(n));
    for (k, v) in rows(n) {
        out.push_str(&format!("{k}: {v}\n"));
    }
    out.push_str(&format!("\n{}\n", n.link));
    out
}

pub async fn send(cfg: &EmailConfig, n: &Notification) -> Result<(), String> {
    let to = if n.severity == "critical" {
        &cfg.critical_to
    } else {
        &cfg.warning_to
    };
    if to.is_empty() {
        return Ok(()); // no one takes this severity by email
    }
    let from: Mailbox = cfg.from.parse().map_err(|e| format!("from: {e}"))?;
    let mut builder = Message::builder().from(from).subject(subject(n));
    for r in to {
        builder = builder.to(r
            .parse::<Mailbox>()
            .map_err(|e| format!("recipient {r:?}: {e}"))?);
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(text(n), html(n)))
        .map_err(|e| format!("message: {e}"))?;
    let transport = match cfg.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host),
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)
            .map_err(|e| format!("smtp: {e}"))?,
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host)
            .map_err(|e| format!("smtp: {e}"))?,
    };
    let mut transport = transport
        .port(cfg.port)
        .timeout(Some(Duration::from_secs(10)));
    if let (Some(u), Some(p)) = (&cfg.username, &cfg.password) {
        transport = transport.credentials(Credentials::new(u.clone(), p.clone()));
    }
    transport
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("smtp: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(rule: &str) -> Notification {
        Notification {
            rule: rule.into(),
            instance: "<b>r-1</b>".into(),
            severity: "critical".into(),
            change: "fired".into(),
            metric: "error_rate".into(),
            value: 0.2,
            comparison: ">".into(),
            threshold: 0.05,
            at_ms: 0,
            environment: "prod<script>".into(),
            link: "http://m/a?x=1&y=\"2\"".into(),
        }
    }

    #[test]
    fn subjects_and_escaped_html() {
        assert_eq!(
            subject(&n("payments")),
            "🚨 CRITICAL: payments (<b>r-1</b>)"
        );
        let h = html(&n("payments"));
        assert!(!h.contains("<b>r-1") && !h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;b&gt;r-1&lt;/b&gt;") && h.contains("prod&lt;script&gt;"));
        assert!(h.contains("href=\"http://m/a?x=1&amp;y=&quot;2&quot;\""));
        assert!(text(&n("x")).contains("Details: error_rate is 0.2 (> 0.05)"));
        let mut w = n("x");
        w.severity = "warning".into();
        assert!(subject(&w).starts_with("⚠️ WARNING:"));
    }
}
