//! Alerting for people: grouped messages, acknowledgement and escalation, silences,
//! rules split by restaurant, rules from the dashboard, test fires, injection, and the
//! background engine end to end with its measured delay.

use crate::{
    alerts::{evaluate_until, post_point, receiver, smtp_sink},
    helpers::{spawn_app_with, TestApp},
};
use monitor::{
    alerts::{engine, rule},
    config::{EmailConfig, EscalationConfig, SlackConfig, SmtpTls, WebhookConfig},
    notify::outbox,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const TWO_RULES: &str = "[[rule]]\nname = \"queue_backlog\"\nseverity = \"critical\"\n\
    metric = \"custom:depth\"\ncomparison = \">\"\nthreshold = 100\nwindow = \"2m\"\ncooldown = \"10m\"\n\
    [[rule]]\nname = \"printer_errors\"\nseverity = \"critical\"\nmetric = \"custom:printer\"\n\
    comparison = \">\"\nthreshold = 5\nwindow = \"2m\"\ncooldown = \"10m\"\n";

fn webhook(url: String) -> Option<WebhookConfig> {
    Some(WebhookConfig {
        url,
        secret: "k".into(),
    })
}

/// Parses rules and saves them as dashboard rules, so the Alerts page and the read API
/// know them as they know the rules in force.
async fn rules_in_force(app: &TestApp, text: &str) -> Vec<rule::Rule> {
    let rules = rule::parse(text, "t.toml").unwrap();
    for r in &rules {
        monitor::alerts::ruleset::save(&app.state, r, "admin", 0)
            .await
            .unwrap();
    }
    rules
}

async fn history(app: &TestApp, q: &str) -> Vec<Value> {
    app.get_json(&format!("/api/v1/alerts/history?{q}"))
        .await
        .as_array()
        .unwrap()
        .clone()
}

/// Waits (up to 10 s) until the custom metric `name` has a rollup at `minute`.
async fn wait_until_stored(app: &TestApp, project: i64, name: &str, minute: i64) {
    use store::rollup::Metric;
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .state
        .storage
        .rollups(project, Metric::Custom, "", name, minute, minute)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "{name} never stored");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls until `done` holds for what the receiver got (up to 10 s).
async fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < deadline, "never got {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn alerts_that_fire_together_go_out_as_one_message_per_channel() {
    let rx = receiver().await;
    let (slack, hook) = (format!("{}/slack", rx.base), format!("{}/hook", rx.base));
    let app = spawn_app_with(move |c| {
        c.alerts.slack = Some(SlackConfig {
            webhook_url: slack,
            channel: None,
        });
        c.alerts.webhook = webhook(hook);
        c.alerts.interval_secs = 3600;
    })
    .await;
    app.login().await;
    let rules = rule::parse(TWO_RULES, "t.toml").unwrap();
    // Ahead of the clock, so only this test delivers (the outbox worker runs on real time).
    let now = store::clock::now_ms() + 10 * 60_000;
    // One request, so both points are stored together and the alerts fire together.
    let r = reqwest::Client::new()
        .post(app.url("/api/internal/metrics"))
        .bearer_auth(&app.ingest_token)
        .json(&json!([
            {"metric": "depth", "value": 500.0, "timestamp": now},
            {"metric": "printer", "value": 9.0, "timestamp": now},
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    // Both points stored before evaluating: an evaluation reads one metric, then the
    // other, and a flush landing between the two reads would fire them apart.
    let project = app.state.storage.projects().await.unwrap()[0].id;
    let minute = store::clock::minute_of(now);
    for name in ["depth", "printer"] {
        wait_until_stored(&app, project, name, minute).await;
    }
    let mut states = engine::States::new();
    evaluate_until(&app, &rules, &mut states, now, || async {
        history(&app, "state=fired").await.len() == 2
    })
    .await;
    let client = outbox::client();
    assert_eq!(
        outbox::deliver_due(&app.state, &client, now).await.unwrap(),
        2,
        "one message on each of two channels"
    );
    let got = rx.got.lock().unwrap().clone();
    let slack = got.iter().find(|g| g.0 == "/slack").unwrap();
    let m: Value = serde_json::from_str(&slack.2).unwrap();
    assert_eq!(m["text"], "🚨 CRITICAL ALERT: queue_backlog and 1 more");
    assert_eq!(m["attachments"].as_array().unwrap().len(), 2);
    let hook = got.iter().find(|g| g.0 == "/hook").unwrap();
    let body: Value = serde_json::from_str(&hook.2).unwrap();
    let rules_in: Vec<&str> = body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules_in, ["queue_backlog", "printer_errors"]);

    // Each alert's history entry shows the grouped deliveries that carried it.
    let printer = &history(&app, "rule=printer_errors").await[0];
    let d = app
        .get_json(&format!(
            "/api/v1/alerts/deliveries?history_id={}",
            printer["id"]
        ))
        .await;
    let d = d.as_array().unwrap();
    assert_eq!(d.len(), 2);
    assert!(d
        .iter()
        .all(|x| x["alerts"] == 2 && x["status"] == "delivered"));
    app.stop().await;
}

#[tokio::test]
async fn an_unacknowledged_critical_alert_escalates_and_an_acknowledged_one_does_not() {
    let rx = receiver().await;
    let (hook, esc) = (format!("{}/hook", rx.base), format!("{}/escalate", rx.base));
    let app = spawn_app_with(move |c| {
        c.alerts.webhook = webhook(hook);
        c.alerts.escalation = Some(EscalationConfig {
            after_secs: 120,
            slack: None,
            webhook: webhook(esc),
            email_to: vec![],
        });
        c.alerts.interval_secs = 3600;
    })
    .await;
    app.login().await;
    let rules = rules_in_force(&app, TWO_RULES).await;
    let now = store::clock::now_ms() + 10 * 60_000;
    post_point(&app, "depth", 500.0, now).await;
    post_point(&app, "printer", 9.0, now).await;
    let mut states = engine::States::new();
    evaluate_until(&app, &rules, &mut states, now, || async {
        history(&app, "state=fired").await.len() == 2
    })
    .await;

    // The printer alert is acknowledged from the dashboard's form.
    let r = app
        .post_form(
            "/alerts/ack",
            &[("rule", "printer_errors"), ("instance", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .contains("notice="));
    let again = app
        .post_json("/api/v1/alerts/ack", &json!({"rule": "printer_errors"}))
        .await;
    assert_eq!(again.status(), 404, "already acknowledged");
    let active = app.get_json("/api/v1/alerts").await;
    let printer = active
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "printer_errors")
        .unwrap();
    assert_eq!(printer["acked_by"], "admin");
    let overview = app.get_json("/api/v1/overview").await;
    assert_eq!(overview["active_alerts"].as_array().unwrap().len(), 2);

    // Three minutes on, both still over: only the unacknowledged one escalates.
    let later = now + 3 * 60_000;
    post_point(&app, "depth", 600.0, later).await;
    post_point(&app, "printer", 9.0, later).await;
    evaluate_until(&app, &rules, &mut states, later, || async {
        !history(&app, "state=escalated").await.is_empty()
    })
    .await;
    engine::evaluate(&app.state, &rules, &mut states, later + 60_000)
        .await
        .unwrap();
    let escalated = history(&app, "state=escalated").await;
    assert_eq!(escalated.len(), 1, "once, and only the unacknowledged");
    assert_eq!(escalated[0]["rule"], "queue_backlog");
    let acked = history(&app, "state=acknowledged").await;
    assert_eq!(
        (acked[0]["rule"].as_str(), acked[0]["actor"].as_str()),
        (Some("printer_errors"), Some("admin"))
    );
    outbox::deliver_due(&app.state, &outbox::client(), later + 60_000)
        .await
        .unwrap();
    let got = rx.got.lock().unwrap().clone();
    let to_escalation: Vec<_> = got.iter().filter(|g| g.0 == "/escalate").collect();
    assert_eq!(to_escalation.len(), 1);
    let body: Value = serde_json::from_str(&to_escalation[0].2).unwrap();
    assert_eq!(body["title"], "queue_backlog (unacknowledged, escalated)");
    assert_eq!(body["change"], "escalated");

    // Recovery resolves it and clears the acknowledgement for the next time.
    let recovered = later + 2 * 60_000;
    post_point(&app, "printer", 0.0, recovered).await;
    evaluate_until(&app, &rules, &mut states, recovered, || async {
        !history(&app, "rule=printer_errors&state=resolved")
            .await
            .is_empty()
    })
    .await;
    let row = app
        .state
        .storage
        .alert_states()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.rule == "printer_errors")
        .unwrap();
    assert_eq!(row.acked_by, None);
    app.stop().await;
}

#[tokio::test]
async fn a_silence_mutes_notifications_keeps_history_and_expires() {
    let rx = receiver().await;
    let hook = format!("{}/hook", rx.base);
    let app = spawn_app_with(move |c| {
        c.alerts.webhook = webhook(hook);
        c.alerts.interval_secs = 3600;
    })
    .await;
    app.login().await;
    let bad = app
        .post_form("/alerts/silences", &[("duration", "1h")])
        .await;
    assert!(
        bad.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=matchers"),
        "no matchers is refused, with why"
    );
    let r = app
        .post_form(
            "/alerts/silences",
            &[
                ("rule", "queue_*"),
                ("duration", "1h"),
                ("comment", "broker upgrade"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let silences = app.get_json("/api/v1/alerts/silences").await;
    let id = silences[0]["id"].as_i64().unwrap();
    assert_eq!(silences[0]["created_by"], "admin");

    // Real time: the silence is active now.
    let rules = rules_in_force(&app, TWO_RULES).await;
    let now = store::clock::now_ms();
    post_point(&app, "depth", 500.0, now).await;
    let mut states = engine::States::new();
    evaluate_until(&app, &rules, &mut states, now, || async {
        !history(&app, "rule=queue_backlog").await.is_empty()
    })
    .await;
    let h = history(&app, "rule=queue_backlog").await;
    assert_eq!(
        (&h[0]["change"], &h[0]["notify"], &h[0]["silenced"]),
        (&json!("fired"), &json!(false), &json!(true))
    );
    let page = app.get("/alerts").await.text().await.unwrap();
    assert!(page.contains("queue_backlog") && page.contains("silenced ("));
    assert!(page.contains("broker upgrade"), "the silence is listed");
    assert!(app
        .get_json("/api/v1/alerts/deliveries")
        .await
        .as_array()
        .unwrap()
        .is_empty());

    // Ended early: the alert that is still firing is told at the next evaluation.
    let r = app
        .post_form(&format!("/alerts/silences/{id}/expire"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let after = store::clock::now_ms() + 1;
    post_point(&app, "depth", 500.0, after).await;
    engine::evaluate(&app.state, &rules, &mut states, after)
        .await
        .unwrap();
    let h = history(&app, "rule=queue_backlog").await;
    assert_eq!(
        (&h[0]["change"], &h[0]["notify"]),
        (&json!("reminded"), &json!(true))
    );
    wait_for("the notification after the silence", || {
        (rx.got.lock().unwrap().len() == 1).then_some(())
    })
    .await;
    app.stop().await;
}

/// One Sentry error with a restaurant tag, through the store endpoint.
async fn error_at(app: &TestApp, restaurant: &str) {
    let event = json!({
        "message": "printer jam",
        "level": "error",
        "tags": {"restaurant_id": restaurant},
    });
    let r = reqwest::Client::new()
        .post(app.url("/api/1/store/"))
        .header(
            "x-sentry-auth",
            format!("Sentry sentry_version=7, sentry_key={}", app.public_key),
        )
        .body(event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_rule_split_by_restaurant_alerts_per_restaurant_and_outside_text_arrives_escaped() {
    let rx = receiver().await;
    let slack = format!("{}/slack", rx.base);
    let (port, mail) = smtp_sink().await;
    let app = spawn_app_with(move |c| {
        c.alerts.slack = Some(SlackConfig {
            webhook_url: slack,
            channel: None,
        });
        c.alerts.email = Some(EmailConfig {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "Monitor <monitor@example.com>".into(),
            critical_to: vec!["oncall@example.com".into()],
            warning_to: vec![],
        });
        c.alerts.interval_secs = 3600;
    })
    .await;
    app.login().await;
    let rule = json!({
        "severity": "critical", "metric": "errors_per_page_view", "comparison": ">", "threshold": 0.5,
        "window": "5m", "cooldown": "10m", "split_by_restaurant": true, "enabled": true,
        "description": "<img src=x onerror=alert(1)> <!channel> *call the kitchen*",
    });
    let r = app
        .put_json("/api/v1/alerts/rules/kitchen_errors", &rule)
        .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let mut split_memory = rule.clone();
    split_memory["metric"] = json!("memory_usage");
    let r = app
        .put_json("/api/v1/alerts/rules/nope", &split_memory)
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("no restaurant dimension"));
    let listed = app.get_json("/api/v1/alerts/rules").await;
    let mine = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "kitchen_errors")
        .unwrap();
    assert_eq!(
        (mine["origin"].as_str(), mine["updated_by"].as_str()),
        (Some("dashboard"), Some("admin"))
    );

    error_at(&app, "r-1").await;
    error_at(&app, "<b>r&2</b>").await;
    // Both stored before the evaluation, so both fire in it (and group into one message).
    app.wait_json("/api/v1/issues", |v| {
        v.as_array().is_some_and(|l| {
            l.iter()
                .map(|i| i["events"].as_u64().unwrap_or(0))
                .sum::<u64>()
                == 2
        })
    })
    .await;
    let rules: Vec<_> = monitor::alerts::ruleset::effective(&app.state)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.rule)
        .filter(|r| r.name == "kitchen_errors")
        .collect();
    let mut states = engine::States::new();
    evaluate_until(
        &app,
        &rules,
        &mut states,
        store::clock::now_ms(),
        || async { history(&app, "rule=kitchen_errors").await.len() == 2 },
    )
    .await;
    let instances: Vec<String> = history(&app, "rule=kitchen_errors")
        .await
        .iter()
        .map(|h| h["instance"].as_str().unwrap().to_string())
        .collect();
    assert!(
        instances.contains(&"r-1".to_string()) && instances.contains(&"<b>r&2</b>".to_string())
    );

    // The real outbox worker delivers: one grouped Slack message, one email.
    let slack = wait_for("the Slack message", || {
        rx.got.lock().unwrap().first().map(|g| g.2.clone())
    })
    .await;
    let m: Value = serde_json::from_str(&slack).unwrap();
    let text = m["text"].as_str().unwrap();
    assert!(
        text.contains("&lt;b&gt;r&amp;2&lt;/b&gt;") && !text.contains("<b>"),
        "{text}"
    );
    let details = m["attachments"][0]["fields"][3]["value"].as_str().unwrap();
    assert!(
        details.contains("&lt;img src=x onerror=alert(1)&gt; &lt;!channel&gt;"),
        "{details}"
    );
    assert!(!details.contains("<!channel>") && !details.contains("<img"));

    let raw = wait_for("the email", || {
        mail.lock().unwrap().first().map(|m| m.1.clone())
    })
    .await;
    let parsed = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap();
    assert!(parsed
        .subject()
        .unwrap()
        .starts_with("🚨 CRITICAL: kitchen_errors"));
    let html = parsed.body_html(0).unwrap();
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;")
            && html.contains("&lt;b&gt;r&amp;2&lt;/b&gt;"),
        "{html}"
    );
    assert!(!html.contains("<img") && !html.contains("<b>r"), "{html}");
    let text = parsed.body_text(0).unwrap();
    assert!(
        text.contains("What to do: <img src=x"),
        "plain text stays plain"
    );
    app.stop().await;
}

#[tokio::test]
async fn rules_are_edited_in_the_dashboard_test_fired_and_reverted_to_the_file() {
    let rx = receiver().await;
    let hook = format!("{}/hook", rx.base);
    let app = spawn_app_with(move |c| {
        c.alerts.webhook = webhook(hook);
        c.alerts.interval_secs = 3600;
    })
    .await;
    app.login().await;
    let rule = |rules: &Value, name: &str| {
        rules
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .cloned()
    };
    let mut errors = rule(
        &app.get_json("/api/v1/alerts/rules").await,
        "high_error_rate",
    )
    .unwrap();
    assert_eq!(errors["origin"], "file");
    errors["threshold"] = json!(0.2);
    let r = app
        .put_json("/api/v1/alerts/rules/high_error_rate", &errors)
        .await;
    assert_eq!(r.status(), 204);
    let now = rule(
        &app.get_json("/api/v1/alerts/rules").await,
        "high_error_rate",
    )
    .unwrap();
    assert_eq!(
        (now["origin"].as_str(), now["threshold"].as_f64()),
        (Some("overridden"), Some(0.2))
    );
    errors["window"] = json!("soon");
    let r = app
        .put_json("/api/v1/alerts/rules/high_error_rate", &errors)
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("window:"));

    // A new rule from the dashboard's form.
    let r = app
        .post_form(
            "/alerts/rules",
            &[
                ("name", "kds_lag"),
                ("severity", "warning"),
                ("metric", "custom:kds.lag"),
                ("comparison", ">="),
                ("threshold", "30"),
                ("window", "5m"),
                ("cooldown", "15m"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .contains("notice="));
    let kds = rule(&app.get_json("/api/v1/alerts/rules").await, "kds_lag").unwrap();
    assert_eq!(
        (kds["origin"].as_str(), kds["comparison"].as_str()),
        (Some("dashboard"), Some(">="))
    );
    let page = app
        .get("/alerts/rules/edit?name=kds_lag")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("value=\"custom:kds.lag\""),
        "the edit form is filled"
    );

    // Test fire: a real message on the channel, recorded as a test by whom.
    let r = app
        .post_json("/api/v1/alerts/rules/high_error_rate/test", &json!({}))
        .await;
    assert_eq!(r.status(), 202);
    let body = wait_for("the test notification", || {
        rx.got.lock().unwrap().first().map(|g| g.2.clone())
    })
    .await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["title"], "[TEST] high_error_rate");
    let h = history(&app, "state=test").await;
    assert_eq!(h[0]["actor"], "admin");
    assert!(
        app.get_json("/api/v1/alerts")
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "a test fire changes no alert state"
    );

    // Revert the override; file rules themselves cannot be deleted.
    let r = app
        .client
        .delete(app.url("/api/v1/alerts/rules/high_error_rate"))
        .header("origin", &app.base)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let back = rule(
        &app.get_json("/api/v1/alerts/rules").await,
        "high_error_rate",
    )
    .unwrap();
    assert_eq!(
        (back["origin"].as_str(), back["threshold"].as_f64()),
        (Some("file"), Some(0.05))
    );
    let r = app
        .post_form("/alerts/rules/high_error_rate/delete", &[])
        .await;
    assert!(r.headers()["location"].to_str().unwrap().contains("error="));
    app.stop().await;
}

#[tokio::test]
async fn the_running_engine_tells_once_within_an_interval_and_once_when_it_recovers() {
    let rx = receiver().await;
    let hook = format!("{}/hook", rx.base);
    let app = spawn_app_with(move |c| {
        c.alerts.webhook = webhook(hook);
        c.alerts.interval_secs = 1;
    })
    .await;
    app.login().await;
    let rule = json!({
        "severity": "critical", "metric": "custom:payments.failed", "comparison": ">",
        "threshold": 3, "window": "2m", "cooldown": "10m", "enabled": true,
        // The latest point decides (the mean of the window would still be over).
        "aggregate": "last",
    });
    let r = app
        .put_json("/api/v1/alerts/rules/payments_failing", &rule)
        .await;
    assert_eq!(r.status(), 204);
    let got = || {
        rx.got
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.2.contains("payments_failing"))
            .count()
    };

    // The breach is stamped a minute back, so the recovery below is the newer point.
    let sent = Instant::now();
    post_point(
        &app,
        "payments.failed",
        12.0,
        store::clock::now_ms() - 60_000,
    )
    .await;
    wait_for("the alert", || (got() == 1).then_some(())).await;
    let delay = sent.elapsed();
    eprintln!("data → webhook receiver: {} ms", delay.as_millis());
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(got(), 1, "no duplicates while it keeps firing");

    post_point(&app, "payments.failed", 0.0, store::clock::now_ms()).await;
    wait_for("the resolved message", || (got() == 2).then_some(())).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(got(), 2, "one resolved message");
    let last = rx.got.lock().unwrap().last().unwrap().2.clone();
    assert!(last.contains("\"change\":\"resolved\""), "{last}");
    app.stop().await;
}
