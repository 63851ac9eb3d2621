//! The leader role: exactly one instance runs the alert engine, the outbox, the probes
//! and retention. How it is held depends on the database (a lock file beside SQLite's
//! file, an advisory lock on PostgreSQL); this is what the server sees of it.

use async_trait::async_trait;

/// The leader role, held until released or found lost.
#[async_trait]
pub trait Lease: Send {
    /// Whether the role is still ours (checked every few seconds).
    async fn held(&mut self) -> bool;
    /// Gives the role up now rather than when the process or connection ends.
    async fn release(&mut self);
}

/// An in-memory database has one instance by nature: it always leads.
pub struct SoleLease;

#[async_trait]
impl Lease for SoleLease {
    async fn held(&mut self) -> bool {
        true
    }
    async fn release(&mut self) {}
}
