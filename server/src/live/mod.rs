//! The live channel behind `/ws`: a broadcast of small JSON events (alert transitions,
//! probe state changes, a metrics tick) to every connected dashboard, and the figures of
//! its connections. A slow client misses events rather than holding memory: the channel
//! is bounded and the dashboard's 30 s refresh covers what it missed.
//!
//! With several instances on PostgreSQL, [`relay`] carries each instance's events to the
//! others (LISTEN/NOTIFY), so a dashboard sees events raised anywhere.

pub mod relay;

use protocol::WsFigures;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        Arc, Mutex,
    },
};
use tokio::sync::broadcast;

/// Events buffered per client before it starts missing them.
const BUFFER: usize = 256;

pub struct LiveHub {
    tx: broadcast::Sender<Arc<str>>,
    total: AtomicU64,
    active: AtomicI64,
    sent: AtomicU64,
    received: AtomicU64,
    errors: AtomicU64,
    closed: AtomicU64,
    closed_ms: AtomicU64,
    by_restaurant: Mutex<HashMap<String, i64>>,
    prom: Option<Arc<crate::telemetry::Telemetry>>,
    /// Events for the other instances, when there are any (PostgreSQL).
    outbound: std::sync::OnceLock<tokio::sync::mpsc::Sender<Arc<str>>>,
}

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub::new(None)
    }
}

impl LiveHub {
    pub fn new(telemetry: Option<Arc<crate::telemetry::Telemetry>>) -> LiveHub {
        LiveHub {
            tx: broadcast::channel(BUFFER).0,
            total: AtomicU64::new(0),
            active: AtomicI64::new(0),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            closed: AtomicU64::new(0),
            closed_ms: AtomicU64::new(0),
            by_restaurant: Mutex::new(HashMap::new()),
            prom: telemetry,
            outbound: std::sync::OnceLock::new(),
        }
    }

    /// Sends an event to every connected client (none connected: dropped).
    /// Sends an event to every connected client (none connected: dropped), on this
    /// instance and, through the relay, on the others.
    pub fn publish(&self, event: serde_json::Value) {
        let text: Arc<str> = event.to_string().into();
        if let Some(out) = self.outbound.get() {
            // A full relay queue drops the event for other instances only.
            let _ = out.try_send(text.clone());
        }
        let _ = self.tx.send(text);
    }

    /// Sends an event to this instance's clients only (its own process metrics).
    pub fn publish_local(&self, event: serde_json::Value) {
        let _ = self.tx.send(event.to_string().into());
    }

    /// An event another instance published.
    pub(crate) fn deliver_remote(&self, text: Arc<str>) {
        let _ = self.tx.send(text);
    }

    /// Hands this instance's events to a relay from now on.
    pub(crate) fn relay_to(&self, out: tokio::sync::mpsc::Sender<Arc<str>>) {
        let _ = self.outbound.set(out);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.tx.subscribe()
    }

    pub fn opened(&self, restaurant: Option<&str>) {
        self.total.fetch_add(1, Ordering::Relaxed);
        self.active.fetch_add(1, Ordering::Relaxed);
        if let Some(r) = restaurant {
            *self
                .by_restaurant
                .lock()
                .expect("ws stats lock")
                .entry(r.to_string())
                .or_default() += 1;
        }
        if let Some(t) = &self.prom {
            t.prom.ws_connections.inc();
            t.prom.ws_active.inc();
        }
    }

    pub fn closed(&self, restaurant: Option<&str>, lasted_ms: u64) {
        self.active.fetch_sub(1, Ordering::Relaxed);
        self.closed.fetch_add(1, Ordering::Relaxed);
        self.closed_ms.fetch_add(lasted_ms, Ordering::Relaxed);
        if let Some(r) = restaurant {
            let mut map = self.by_restaurant.lock().expect("ws stats lock");
            if let Some(n) = map.get_mut(r) {
                *n -= 1;
                if *n <= 0 {
                    map.remove(r);
                }
            }
        }
        if let Some(t) = &self.prom {
            t.prom.ws_active.dec();
        }
    }

    pub fn sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        if let Some(t) = &self.prom {
            t.prom.ws_messages.with_label_values(&["sent"]).inc();
        }
    }

    pub fn received(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
        if let Some(t) = &self.prom {
            t.prom.ws_messages.with_label_values(&["received"]).inc();
        }
    }

    pub fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if let Some(t) = &self.prom {
            t.prom.ws_errors.inc();
        }
    }

    pub fn figures(&self) -> WsFigures {
        let closed = self.closed.load(Ordering::Relaxed);
        let mut by_restaurant: Vec<(String, i64)> = self
            .by_restaurant
            .lock()
            .expect("ws stats lock")
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        by_restaurant.sort();
        WsFigures {
            total: self.total.load(Ordering::Relaxed),
            active: self.active.load(Ordering::Relaxed),
            messages_sent: self.sent.load(Ordering::Relaxed),
            messages_received: self.received.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            avg_connection_secs: (closed > 0)
                .then(|| self.closed_ms.load(Ordering::Relaxed) as f64 / closed as f64 / 1000.0),
            by_restaurant,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn figures_follow_connections() {
        let hub = super::LiveHub::default();
        hub.opened(Some("r-1"));
        hub.opened(None);
        hub.sent();
        hub.closed(Some("r-1"), 3000);
        let f = hub.figures();
        assert_eq!((f.total, f.active, f.messages_sent), (2, 1, 1));
        assert_eq!(f.avg_connection_secs, Some(3.0));
        assert!(f.by_restaurant.is_empty());
    }
}
