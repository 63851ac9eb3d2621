//! Synthetic probes of the platform: PostgreSQL, Redis, HTTP(S), WebSocket and TCP
//! targets checked on an interval ([`check`]), declared down only after more failed
//! attempts in a row than the probe's `retries` (no alarm on one blip), with every
//! attempt stored for uptime and latency ([`runner`]). Probes come from `monitor.toml`
//! (`[[probes]]`) and from the dashboard (stored in the database); the alert metrics
//! `probe_up` and `database_up` read their latest state.

pub mod check;
pub mod runner;

use store::{clock::now_ms, ProbeResult};

use crate::{
    config::{ProbeConfig, ProbeKind},
    services::Services,
};

/// A probe in force and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Defined {
    pub probe: ProbeConfig,
    /// `file` (monitor.toml) or `dashboard`.
    pub origin: &'static str,
    pub updated_by: Option<String>,
}

/// monitor.toml's probes, then the dashboard's (unreadable stored ones are skipped).
pub async fn definitions(services: &Services) -> anyhow::Result<Vec<Defined>> {
    let mut out: Vec<Defined> = services
        .config
        .probes
        .iter()
        .map(|p| Defined {
            probe: p.clone(),
            origin: "file",
            updated_by: None,
        })
        .collect();
    for (name, json, by) in services.storage.probe_definitions().await? {
        match serde_json::from_str::<ProbeConfig>(&json) {
            Ok(p) if !out.iter().any(|d| d.probe.name == p.name) => out.push(Defined {
                probe: p,
                origin: "dashboard",
                updated_by: Some(by),
            }),
            Ok(_) => {}
            Err(e) => tracing::warn!(probe = %name, error = %e, "stored probe unreadable; skipped"),
        }
    }
    Ok(out)
}

/// Saves a dashboard probe; `Err` names the field.
pub async fn save(services: &Services, p: &ProbeConfig, by: &str) -> Result<(), String> {
    check::validate(p)?;
    crate::outbound::check(&p.target, services.config.security.allow_private_targets)
        .await
        .map_err(|e| format!("target: {e}"))?;
    if services.config.probes.iter().any(|f| f.name == p.name) {
        return Err(format!(
            "name: {:?} is a probe from monitor.toml; change it there",
            p.name
        ));
    }
    let json = serde_json::to_string(p).map_err(|e| e.to_string())?;
    services
        .storage
        .save_probe(&p.name, &json, by, now_ms())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(probe = %p.name, %by, "probe saved");
    Ok(())
}

/// The latest result of each probe in force.
pub async fn latest(services: &Services) -> anyhow::Result<Vec<(Defined, Option<ProbeResult>)>> {
    let defs = definitions(services).await?;
    let latest = services.storage.latest_probe_results().await?;
    Ok(defs
        .into_iter()
        .map(|d| {
            let r = latest.iter().find(|r| r.probe == d.probe.name).cloned();
            (d, r)
        })
        .collect())
}

/// `probe_up`: 1 when every probe with a result is up, 0 when any is down; `None`
/// without probes or results. With `kind`, only probes of that kind.
pub async fn all_up(services: &Services, kind: Option<ProbeKind>) -> anyhow::Result<Option<f64>> {
    let ups: Vec<bool> = latest(services)
        .await?
        .into_iter()
        .filter(|(d, _)| kind.is_none_or(|k| d.probe.kind == k))
        .filter_map(|(_, r)| r.map(|r| r.up))
        .collect();
    Ok((!ups.is_empty()).then(|| if ups.iter().all(|u| *u) { 1.0 } else { 0.0 }))
}

/// A target without its password: `postgres://app:***@db:5432/pos`.
pub fn redact(target: &str) -> String {
    let Some((scheme, rest)) = target.split_once("://") else {
        return target.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_string()
            };
            format!("{scheme}://{masked}@{host}{path}")
        }
        None => target.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_leave_in_targets() {
        assert_eq!(
            super::redact("postgres://app:s3cret@db:5432/pos"),
            "postgres://app:***@db:5432/pos"
        );
        assert_eq!(
            super::redact("redis://:pw@cache:6379"),
            "redis://:***@cache:6379"
        );
        assert_eq!(
            super::redact("https://api.example.com/health"),
            "https://api.example.com/health"
        );
        assert_eq!(super::redact("db:5432"), "db:5432");
    }
}
