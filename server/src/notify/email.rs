//! Email over SMTP (lettre): subject `🚨 CRITICAL: <title>` / `⚠️ WARNING: <title>` /
//! `✅ RESOLVED: <title>`, an HTML body with every value escaped, and a plain-text part.
//! Recipients by severity (`critical_to`, `warning_to`).

use super::{Message, Notification};
use crate::config::{EmailConfig, SmtpTls};
use lettre::{
    message::{Mailbox, MultiPart},
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
};
use std::time::Duration;

pub fn subject(m: &Message) -> String {
    format!("{}: {}", m.prefix(), m.title())
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

fn rows(n: &Notification) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("Alert", n.title()),
        ("Severity", n.severity.clone()),
        ("State", n.change.clone()),
        ("Details", n.details()),
        ("Environment", n.environment.clone()),
        ("Time", protocol::format_utc(n.at_ms)),
    ];
    if let Some(d) = &n.description {
        rows.push(("What to do", d.clone()));
    }
    rows
}

pub fn html(m: &Message) -> String {
    let tables: String = m
        .alerts
        .iter()
        .map(|n| {
            let cells: String = rows(n)
                .iter()
                .map(|(k, v)| format!("<tr><th align=\"left\">{k}</th><td>{}</td></tr>", escape(v)))
                .collect();
            format!(
                "<table>{cells}</table><p><a href=\"{}\">Open in RestaurantOS Monitor</a></p>",
                escape(&n.link)
            )
        })
        .collect();
    format!(
        "<!doctype html><html><body><h2>{}</h2>{tables}</body></html>",
        escape(&subject(m))
    )
}

pub fn text(m: &Message) -> String {
    let mut out = format!("{}\n", subject(m));
    for n in &m.alerts {
        out.push('\n');
        for (k, v) in rows(n) {
            out.push_str(&format!("{k}: {v}\n"));
        }
        out.push_str(&format!("{}\n", n.link));
    }
    out
}

/// Sends `m` to `to` through the SMTP server of `cfg`.
pub async fn send(cfg: &EmailConfig, m: &Message, to: &[String]) -> Result<(), String> {
    if to.is_empty() {
        return Ok(()); // no one takes this severity by email
    }
    let from: Mailbox = cfg.from.parse().map_err(|e| format!("from: {e}"))?;
    let mut builder = lettre::Message::builder().from(from).subject(subject(m));
    for r in to {
        builder = builder.to(r
            .parse::<Mailbox>()
            .map_err(|e| format!("recipient {r:?}: {e}"))?);
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(text(m), html(m)))
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
    use crate::notify::tests::n;

    fn one(rule: &str) -> Message {
        let mut a = n(rule, "critical", "fired");
        a.instance = "<b>r-1</b>".into();
        a.environment = "prod<script>".into();
        a.link = "http://m/a?x=1&y=\"2\"".into();
        a.value = 0.2;
        Message { alerts: vec![a] }
    }

    #[test]
    fn subjects_and_escaped_html() {
        assert_eq!(
            subject(&one("payments")),
            "🚨 CRITICAL: payments (<b>r-1</b>)"
        );
        let h = html(&one("payments"));
        assert!(!h.contains("<b>r-1") && !h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;b&gt;r-1&lt;/b&gt;") && h.contains("prod&lt;script&gt;"));
        assert!(h.contains("href=\"http://m/a?x=1&amp;y=&quot;2&quot;\""));
        assert!(text(&one("x")).contains("Details: error_rate is 0.2 (> 0.05)"));
        let mut w = one("x");
        w.alerts[0].severity = "warning".into();
        assert!(subject(&w).starts_with("⚠️ WARNING:"));
        let mut two = one("a");
        two.alerts.push(n("b", "critical", "fired"));
        assert_eq!(subject(&two), "🚨 CRITICAL: a (<b>r-1</b>) and 1 more");
        assert_eq!(html(&two).matches("<table>").count(), 2);
    }
}
