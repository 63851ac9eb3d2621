//! Sentry `session` (one session's state) and `sessions` (pre-aggregated counts) items:
//! release health and the crash-free sessions rate.

use serde::Deserialize;
use serde_json::Value;
use store::SessionUpdate;

#[derive(Deserialize, Default)]
struct Attrs {
    release: Option<String>,
    environment: Option<String>,
}

#[derive(Deserialize)]
struct Single {
    sid: String,
    started: Option<Value>,
    timestamp: Option<Value>,
    status: Option<String>,
    #[serde(default)]
    errors: u64,
    #[serde(default)]
    attrs: Attrs,
}

#[derive(Deserialize)]
struct Aggregate {
    started: Value,
    #[serde(default)]
    exited: u64,
    #[serde(default)]
    errored: u64,
    #[serde(default)]
    crashed: u64,
    #[serde(default)]
    abnormal: u64,
}

#[derive(Deserialize)]
struct Aggregates {
    aggregates: Vec<Aggregate>,
    #[serde(default)]
    attrs: Attrs,
}

fn ms(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::String(s) => {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .ok()
                .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        }
        Value::Number(n) => n.as_f64().map(|s| (s * 1000.0) as i64),
        _ => None,
    }
}

const STATUSES: [&str; 4] = ["ok", "exited", "crashed", "abnormal"];

fn cut(s: Option<String>) -> String {
    s.unwrap_or_default().chars().take(200).collect()
}

/// One `session` item.
pub fn single(
    payload: &[u8],
    project_id: i64,
    received_at_ms: i64,
) -> Result<SessionUpdate, String> {
    let s: Single = serde_json::from_slice(payload).map_err(|e| format!("session: {e}"))?;
    if s.sid.is_empty() || s.sid.len() > 128 {
        return Err("session: sid must be 1 to 128 characters".into());
    }
    let status = s.status.unwrap_or_else(|| "ok".into());
    if !STATUSES.contains(&status.as_str()) {
        return Err(format!(
            "session: status {status:?} is not one of {STATUSES:?}"
        ));
    }
    let updated_ms = ms(s.timestamp.as_ref()).unwrap_or(received_at_ms);
    Ok(SessionUpdate::Single {
        project_id,
        sid: s.sid,
        started_ms: ms(s.started.as_ref()).unwrap_or(updated_ms),
        updated_ms,
        release: cut(s.attrs.release),
        environment: cut(s.attrs.environment),
        status,
        errors: s.errors,
    })
}

/// One `sessions` item: its aggregates, each per started minute.
pub fn aggregates(payload: &[u8], project_id: i64) -> Result<Vec<SessionUpdate>, String> {
    let a: Aggregates = serde_json::from_slice(payload).map_err(|e| format!("sessions: {e}"))?;
    let (release, environment) = (cut(a.attrs.release), cut(a.attrs.environment));
    a.aggregates
        .into_iter()
        .map(|g| {
            let started = ms(Some(&g.started)).ok_or("sessions: started is not a timestamp")?;
            Ok(SessionUpdate::Aggregate {
                project_id,
                minute: started.div_euclid(60_000),
                release: release.clone(),
                environment: environment.clone(),
                exited: g.exited,
                errored: g.errored,
                crashed: g.crashed,
                abnormal: g.abnormal,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_browser_session_update() {
        let u = single(
            br#"{"sid":"7c7b6585f4fc4d1f9d6c9e7a5b6c1a11","init":false,"started":"2026-11-27T08:00:00.000Z",
            "timestamp":"2026-11-27T08:05:00Z","status":"crashed","errors":2,"duration":300,
            "attrs":{"release":"pos@1.4.2","environment":"production","user_agent":"x"}}"#,
            1,
            0,
        )
        .unwrap();
        let SessionUpdate::Single {
            started_ms,
            updated_ms,
            status,
            errors,
            release,
            ..
        } = u
        else {
            panic!("single expected")
        };
        assert_eq!(updated_ms - started_ms, 300_000);
        assert_eq!(
            (status.as_str(), errors, release.as_str()),
            ("crashed", 2, "pos@1.4.2")
        );
        assert!(single(br#"{"sid":"a","status":"weird"}"#, 1, 0)
            .unwrap_err()
            .contains("status"));
    }

    #[test]
    fn reads_server_side_aggregates() {
        let a = aggregates(
            br#"{"aggregates":[{"started":"2026-11-27T08:01:00Z","exited":10,"errored":2},
            {"started":"2026-11-27T08:02:00Z","crashed":1}],"attrs":{"release":"api@3"}}"#,
            1,
        )
        .unwrap();
        assert_eq!(a.len(), 2);
        assert!(
            matches!(&a[1], SessionUpdate::Aggregate { crashed: 1, exited: 0, release, .. } if release == "api@3")
        );
        assert!(aggregates(br#"{"aggregates":[{"started":"soon"}]}"#, 1).is_err());
    }
}
