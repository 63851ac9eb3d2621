//! One attempt of a probe: connect to the target and check that it answers as it should,
//! within the probe's timeout. What "up" means per kind:
//!
//! - `postgres`: connects and `SELECT 1` returns.
//! - `redis`: `PING` answers `+PONG` (after `AUTH` when the URL has a password).
//! - `http`: the expected status (default any 2xx/3xx), and the keyword / JSON field when set.
//! - `websocket`: the upgrade succeeds, and the `send` text comes back when set.
//! - `tcp`: the connection is accepted.
//! - `health`: a platform service's `/health` answers 2xx with JSON; its `metrics`
//!   figures (memory_usage, cpu_usage, active_connections, error_rate) are read even
//!   when it answers 503, since a degraded server's figures matter most.

use crate::{
    alerts::catalogue::HostFigure,
    config::{ProbeConfig, ProbeKind},
};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The outcome of one attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub ok: bool,
    pub latency_ms: f64,
    pub error: Option<String>,
    /// A `health` probe's figures: `(memory_usage, 0.42)`, ...
    pub figures: Vec<(HostFigure, f64)>,
}

/// Runs one attempt of `p`, bounded by its timeout (and by `cap` when given: `/health`
/// never waits more than 2 s).
pub async fn attempt(
    p: &ProbeConfig,
    client: &notify_http::Client,
    cap: Option<Duration>,
    allow_private: bool,
) -> Attempt {
    let mut timeout = Duration::from_millis(p.timeout_ms.max(1));
    if let Some(cap) = cap {
        timeout = timeout.min(cap);
    }
    let started = Instant::now();
    let mut figures = vec![];
    let checked_run = async {
        crate::outbound::check(&p.target, allow_private).await?;
        run(p, client, timeout, &mut figures).await
    };
    let result = match tokio::time::timeout(timeout, checked_run).await {
        Ok(r) => r.map_err(|e| crate::outbound::redact(&e)),
        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
    };
    Attempt {
        ok: result.is_ok(),
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        error: result.err(),
        figures,
    }
}

async fn run(
    p: &ProbeConfig,
    client: &notify_http::Client,
    timeout: Duration,
    figures: &mut Vec<(HostFigure, f64)>,
) -> Result<(), String> {
    match p.kind {
        ProbeKind::Postgres => postgres(&p.target).await,
        ProbeKind::Redis => redis(&p.target).await,
        ProbeKind::Http => http(p, client, timeout).await,
        ProbeKind::Websocket => websocket(&p.target, p.send.as_deref()).await,
        ProbeKind::Tcp => tcp(&p.target).await,
        ProbeKind::Health => health(&p.target, client, timeout, figures).await,
    }
}

/// The figures of a platform `/health` body: `metrics.<figure>` numbers (a share may be
/// written 0..1 or as a percentage above 1, which is read as such).
pub fn health_figures(body: &serde_json::Value) -> Vec<(HostFigure, f64)> {
    let Some(m) = body.get("metrics") else {
        return vec![];
    };
    HostFigure::ALL
        .into_iter()
        .filter_map(|f| {
            let v = m
                .get(f.field())?
                .as_f64()
                .filter(|v| v.is_finite() && *v >= 0.0)?;
            let share = matches!(
                f,
                HostFigure::MemoryUsage | HostFigure::CpuUsage | HostFigure::ErrorRate
            );
            Some((f, if share && v > 1.0 { v / 100.0 } else { v }))
        })
        .collect()
}

async fn health(
    url: &str,
    client: &notify_http::Client,
    timeout: Duration,
    figures: &mut Vec<(HostFigure, f64)>,
) -> Result<(), String> {
    let resp = client
        .get(url)
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| crate::outbound::describe(&e))?;
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp
        .json()
        .await
        .map_err(|e| format!("status {status}; the body is not JSON: {e}"))?;
    *figures = health_figures(&body);
    let said = body.get("status").and_then(|s| s.as_str()).unwrap_or("");
    match status {
        200..=299 => Ok(()),
        _ => Err(format!("status {status} ({said})")),
    }
}

async fn postgres(url: &str) -> Result<(), String> {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::postgres::PgConnection::connect(url)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    conn.execute("SELECT 1")
        .await
        .map_err(|e| format!("SELECT 1: {e}"))?;
    let _ = conn.close().await;
    Ok(())
}

/// `host:port` and the password of `redis://[user][:password@]host[:port][/db]`.
pub fn redis_address(url: &str) -> Result<(String, Option<String>), String> {
    let rest = url
        .strip_prefix("redis://")
        .ok_or_else(|| format!("{url:?} is not a redis:// URL"))?;
    let rest = rest.split('/').next().unwrap_or(rest);
    let (auth, host) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    let password = auth
        .map(|a| a.split_once(':').map_or(a, |(_, p)| p).to_string())
        .filter(|p| !p.is_empty());
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:6379")
    };
    Ok((host, password))
}

/// A RESP command of bulk strings.
fn resp(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend(format!("${}\r\n{a}\r\n", a.len()).into_bytes());
    }
    out
}

// A hand-written PING: the two RESP lines a health check needs do not justify a client
// crate and its connection manager.
async fn redis(url: &str) -> Result<(), String> {
    let (addr, password) = redis_address(url)?;
    let stream = tokio::net::TcpStream::connect(&addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    if let Some(pw) = password {
        write
            .write_all(&resp(&["AUTH", &pw]))
            .await
            .map_err(|e| e.to_string())?;
        let line = lines.next_line().await.map_err(|e| e.to_string())?;
        if line.as_deref() != Some("+OK") {
            return Err("AUTH refused".into());
        }
    }
    write
        .write_all(&resp(&["PING"]))
        .await
        .map_err(|e| e.to_string())?;
    match lines.next_line().await.map_err(|e| e.to_string())? {
        Some(l) if l == "+PONG" => Ok(()),
        Some(_) => Err("PING was not answered with PONG".into()),
        None => Err("connection closed before PONG".into()),
    }
}

async fn http(
    p: &ProbeConfig,
    client: &notify_http::Client,
    timeout: Duration,
) -> Result<(), String> {
    let resp = client
        .get(&p.target)
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| crate::outbound::describe(&e))?;
    let status = resp.status().as_u16();
    match p.expect_status {
        Some(want) if want != status => return Err(format!("status {status}, expected {want}")),
        None if status >= 400 => return Err(format!("status {status}")),
        _ => {}
    }
    if p.keyword.is_none() && p.json_field.is_none() {
        return Ok(());
    }
    let body = resp.text().await.map_err(|e| format!("body: {e}"))?;
    if let Some(k) = &p.keyword {
        if !body.contains(k.as_str()) {
            return Err(format!("the body does not contain {k:?}"));
        }
    }
    if let Some(pointer) = &p.json_field {
        let v: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| format!("body is not JSON: {e}"))?;
        let found = v
            .pointer(pointer)
            .ok_or_else(|| format!("no JSON field {pointer}"))?;
        let text = match found {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let Some(want) = &p.json_value {
            if &text != want {
                return Err(format!("{pointer} is not {want:?}"));
            }
        }
    }
    Ok(())
}

async fn websocket(url: &str, send: Option<&str>) -> Result<(), String> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| format!("upgrade: {e}"))?;
    if let Some(text) = send {
        ws.send(Message::text(text))
            .await
            .map_err(|e| format!("send: {e}"))?;
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) if t.as_str() == text => break,
                Some(Ok(Message::Text(_))) => {
                    return Err("echo: another message came back".into());
                }
                Some(Ok(Message::Close(_))) | None => return Err("closed before the echo".into()),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("echo: {e}")),
            }
        }
    }
    let _ = ws.close(None).await;
    Ok(())
}

async fn tcp(addr: &str) -> Result<(), String> {
    tokio::net::TcpStream::connect(addr)
        .await
        .map(|_| ())
        .map_err(|e| format!("connect {addr}: {e}"))
}

/// Checks a probe written by people; `Err` names the field.
pub fn validate(p: &ProbeConfig) -> Result<(), String> {
    if p.name.trim().is_empty() || p.name.len() > 100 || p.name.chars().any(char::is_control) {
        return Err("name: 1 to 100 characters".into());
    }
    let scheme_ok = match p.kind {
        ProbeKind::Postgres => {
            p.target.starts_with("postgres://") || p.target.starts_with("postgresql://")
        }
        ProbeKind::Redis => p.target.starts_with("redis://"),
        ProbeKind::Http | ProbeKind::Health => {
            p.target.starts_with("http://") || p.target.starts_with("https://")
        }
        ProbeKind::Websocket => p.target.starts_with("ws://") || p.target.starts_with("wss://"),
        ProbeKind::Tcp => p
            .target
            .rsplit_once(':')
            .is_some_and(|(h, port)| !h.is_empty() && port.parse::<u16>().is_ok()),
    };
    if !scheme_ok {
        return Err(format!(
            "target: {:?} does not fit a {} probe",
            p.target,
            p.kind.as_str()
        ));
    }
    if p.interval_secs < 1 || p.interval_secs > 86_400 {
        return Err("interval_secs: 1 to 86400".into());
    }
    if p.timeout_ms < 100 || p.timeout_ms > 60_000 {
        return Err("timeout_ms: 100 to 60000".into());
    }
    if p.retries > 10 {
        return Err("retries: 0 to 10".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_urls_give_the_address_and_password() {
        assert_eq!(
            redis_address("redis://127.0.0.1:6379").unwrap(),
            ("127.0.0.1:6379".into(), None)
        );
        assert_eq!(
            redis_address("redis://:s3cret@cache:6380/2").unwrap(),
            ("cache:6380".into(), Some("s3cret".into()))
        );
        assert_eq!(redis_address("redis://cache").unwrap().0, "cache:6379");
        assert!(redis_address("http://x").is_err());
        assert_eq!(resp(&["PING"]), b"*1\r\n$4\r\nPING\r\n");
    }

    #[test]
    fn probes_from_people_are_checked() {
        let mut p = ProbeConfig {
            name: "db".into(),
            kind: ProbeKind::Postgres,
            target: "postgres://127.0.0.1/x".into(),
            interval_secs: 30,
            timeout_ms: 5000,
            retries: 2,
            expect_status: None,
            keyword: None,
            json_field: None,
            json_value: None,
            send: None,
        };
        assert!(validate(&p).is_ok());
        p.kind = ProbeKind::Tcp;
        assert!(validate(&p).unwrap_err().starts_with("target:"));
        p.target = "127.0.0.1:5432".into();
        assert!(validate(&p).is_ok());
        p.interval_secs = 0;
        assert!(validate(&p).unwrap_err().starts_with("interval_secs"));
    }

    #[test]
    fn a_health_body_gives_the_servers_figures() {
        let body = serde_json::json!({"status": "healthy", "metrics": {
            "memory_usage": 0.62, "cpu_usage": 85, "active_connections": 120, "error_rate": "x"}});
        assert_eq!(
            health_figures(&body),
            [
                (HostFigure::MemoryUsage, 0.62),
                (HostFigure::CpuUsage, 0.85),
                (HostFigure::ActiveConnections, 120.0)
            ]
        );
        assert!(health_figures(&serde_json::json!({"status": "ok"})).is_empty());
    }
}
