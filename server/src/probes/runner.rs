//! Runs every probe in force on its own task: an attempt, then the probe's interval.
//! A supervisor re-reads the definitions every few seconds, starting new probes,
//! restarting changed ones and stopping removed ones. The state survives restarts: a
//! probe that was down starts down until an attempt succeeds.

use super::{check, definitions};
use crate::{config::ProbeConfig, services::Services};
use std::{collections::HashMap, time::Duration};
use store::{clock::now_ms, ProbeResult};
use tokio_util::sync::CancellationToken;

const RESYNC: Duration = Duration::from_secs(5);

/// Failed attempts in a row after the latest stored result (a down probe resumes down).
async fn resume(services: &Services, p: &ProbeConfig) -> u32 {
    match services.storage.latest_probe_results().await {
        Ok(latest) => match latest.iter().find(|r| r.probe == p.name) {
            Some(r) if !r.up => p.retries + 1,
            _ => 0,
        },
        Err(_) => 0,
    }
}

/// The next declared state: down after more than `retries` failures in a row.
pub fn next(fails: u32, ok: bool, retries: u32) -> (u32, bool) {
    let fails = if ok { 0 } else { fails.saturating_add(1) };
    (fails, fails <= retries)
}

async fn probe_loop(services: Services, p: ProbeConfig, stop: CancellationToken) {
    let client = crate::outbound::client(services.config.security.allow_private_targets);
    let mut fails = resume(&services, &p).await;
    let mut was_up = fails <= p.retries;
    loop {
        let a = check::attempt(
            &p,
            &client,
            None,
            services.config.security.allow_private_targets,
        )
        .await;
        let up;
        (fails, up) = next(fails, a.ok, p.retries);
        let result = ProbeResult {
            probe: p.name.clone(),
            at_ms: now_ms(),
            ok: a.ok,
            up,
            latency_ms: a.latency_ms,
            error: a.error.clone(),
        };
        services.telemetry.prom.probe(&p.name, up, a.latency_ms);
        if let Err(e) = services.storage.record_probe(&result).await {
            tracing::error!(probe = %p.name, error = %e, "probe result not stored");
        }
        if !a.figures.is_empty() {
            if let Err(e) = record_figures(&services, &p.name, &a.figures, result.at_ms).await {
                tracing::error!(probe = %p.name, error = %format!("{e:#}"), "server figures not stored");
            }
        }
        if up != was_up {
            if up {
                tracing::info!(probe = %p.name, "probe is up again");
            } else {
                tracing::warn!(probe = %p.name, error = ?a.error, "probe is down");
            }
            services.live.publish(serde_json::json!({
                "type": "probe", "probe": p.name, "up": up,
            }));
            was_up = up;
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(p.interval_secs.max(1))) => {}
        }
    }
}

/// A `health` probe's figures as points of the default project's series
/// `platform.<service>.<figure>`, stored at once (the probes run on the leader, beside
/// the writer, at a few points a minute).
async fn record_figures(
    services: &Services,
    service: &str,
    figures: &[(crate::alerts::catalogue::HostFigure, f64)],
    at_ms: i64,
) -> anyhow::Result<()> {
    let project = services.projects.default_project()?;
    let batch = store::IngestBatch {
        custom: figures
            .iter()
            .map(|(f, v)| store::CustomPoint {
                project_id: project.id,
                name: f.series(service),
                at_ms,
                value: *v,
            })
            .collect(),
        ..store::IngestBatch::default()
    };
    let rollups = store::rollup::aggregate(&batch, &services.config.performance);
    services.storage.write_batch(&batch, &rollups).await?;
    Ok(())
}

pub async fn run(services: Services, stop: CancellationToken) {
    let mut running: HashMap<String, (ProbeConfig, CancellationToken)> = HashMap::new();
    loop {
        match definitions(&services).await {
            Ok(defs) => {
                running.retain(|name, (p, token)| {
                    let keep = defs.iter().any(|d| &d.probe.name == name && &d.probe == p);
                    if !keep {
                        token.cancel();
                    }
                    keep
                });
                for d in defs {
                    if !running.contains_key(&d.probe.name) {
                        let token = stop.child_token();
                        tokio::spawn(probe_loop(services.clone(), d.probe.clone(), token.clone()));
                        running.insert(d.probe.name.clone(), (d.probe, token));
                    }
                }
            }
            Err(e) => tracing::error!(error = %format!("{e:#}"), "probe definitions unreadable"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(RESYNC) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_probe_goes_down_only_after_its_retries_and_up_at_once() {
        let mut fails = 0;
        let mut states = vec![];
        for ok in [false, false, false, true, false] {
            let up;
            (fails, up) = super::next(fails, ok, 2);
            states.push(up);
        }
        assert_eq!(states, [true, true, false, true, true]);
        assert_eq!(
            super::next(0, false, 0),
            (1, false),
            "no retries: down at once"
        );
    }
}
