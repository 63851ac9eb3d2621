//! The leader role: exactly one instance runs the alert engine, the notification outbox,
//! the probes and retention. On SQLite that is the only instance; on PostgreSQL the
//! instances compete for an advisory lock (`storage::postgres::leader`), and when the
//! leader dies another takes over at its next attempt.

use crate::services::Services;

use std::{sync::atomic::Ordering, time::Duration};
use store::Lease;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Runs until `stop`: competes for the role, runs the duties while it holds it, and
/// stops them (and competes again) if it is lost.
pub async fn run(services: Services, stop: CancellationToken) {
    let every = Duration::from_secs(services.config.database.lease_check_secs.max(1));
    loop {
        let lease = tokio::select! {
            _ = stop.cancelled() => return,
            lease = services.storage.try_lead() => lease,
        };
        let mut lease = match lease {
            Ok(Some(lease)) => lease,
            Ok(None) => {
                if wait(&stop, every).await {
                    return;
                }
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot compete for the leader role");
                if wait(&stop, every).await {
                    return;
                }
                continue;
            }
        };
        tracing::info!("leader: running the alert engine, outbox, probes and retention");
        services.leader.store(true, Ordering::Relaxed);
        let duties = stop.child_token();
        let mut tasks = spawn_duties(&services, &duties);
        let stopping = hold(&mut *lease, &stop, every).await;
        duties.cancel();
        while tasks.join_next().await.is_some() {}
        services.leader.store(false, Ordering::Relaxed);
        lease.release().await;
        if stopping {
            return;
        }
        tracing::warn!("leader role lost; duties stopped, competing again");
    }
}

/// Waits while the lease holds; true when stopping, false when the lease was lost.
async fn hold(lease: &mut dyn Lease, stop: &CancellationToken, every: Duration) -> bool {
    loop {
        if wait(stop, every).await {
            return true;
        }
        if !lease.held().await {
            return false;
        }
    }
}

/// Sleeps `d`; true if `stop` fired first.
async fn wait(stop: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        _ = stop.cancelled() => true,
        _ = tokio::time::sleep(d) => false,
    }
}

fn spawn_duties(services: &Services, stop: &CancellationToken) -> JoinSet<()> {
    let mut set = JoinSet::new();
    let every = Duration::from_secs(services.config.alerts.interval_secs.max(1));
    set.spawn(crate::alerts::engine::run(
        services.clone(),
        every,
        stop.clone(),
    ));
    set.spawn(crate::notify::outbox::run(services.clone(), stop.clone()));
    set.spawn(crate::probes::runner::run(services.clone(), stop.clone()));
    set.spawn(crate::retention::run(services.clone(), stop.clone()));
    set
}
