//! The monitor's own counters, gauges and histograms for `GET /metrics`, in the
//! Prometheus text format (the `prometheus` crate's registry and encoder). Request
//! labels are a fixed set of route groups, so a scan of random URLs cannot blow up the
//! number of series.

use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec,
    IntGauge, Opts, Registry, TextEncoder,
};

pub struct Prom {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub ws_connections: IntCounter,
    pub ws_active: IntGauge,
    pub ws_messages: IntCounterVec,
    pub ws_errors: IntCounter,
    pub probe_up: GaugeVec,
    pub probe_latency: GaugeVec,
    pub notifications: IntCounterVec,
    pub alert_evaluations: IntCounter,
    pub alert_evaluation_seconds: Histogram,
    pub memory: Gauge,
    pub cpu: Gauge,
    pub queue_depth: IntGauge,
    pub queue_bytes: IntGauge,
    pub ingest_events: IntCounterVec,
    pub writer_failing: IntGauge,
}

fn opts(name: &str, help: &str) -> Opts {
    Opts::new(name, help).namespace("monitor")
}

impl Default for Prom {
    fn default() -> Self {
        let registry = Registry::new();
        let p = Prom {
            http_requests: IntCounterVec::new(
                opts(
                    "http_requests_total",
                    "HTTP requests answered, by route group and status class",
                ),
                &["route", "status"],
            )
            .expect("valid metric"),
            http_duration: HistogramVec::new(
                HistogramOpts::new(
                    "http_request_duration_seconds",
                    "Time to answer, by route group",
                )
                .namespace("monitor")
                .buckets(vec![
                    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ]),
                &["route"],
            )
            .expect("valid metric"),
            ws_connections: IntCounter::with_opts(opts(
                "websocket_connections_total",
                "Live-channel connections opened",
            ))
            .expect("valid metric"),
            ws_active: IntGauge::with_opts(opts(
                "websocket_connections_active",
                "Live-channel connections open now",
            ))
            .expect("valid metric"),
            ws_messages: IntCounterVec::new(
                opts(
                    "websocket_messages_total",
                    "Live-channel messages, by direction",
                ),
                &["direction"],
            )
            .expect("valid metric"),
            ws_errors: IntCounter::with_opts(opts("websocket_errors_total", "Live-channel errors"))
                .expect("valid metric"),
            probe_up: GaugeVec::new(
                opts("probe_up", "Probe declared up (1) or down (0)"),
                &["probe"],
            )
            .expect("valid metric"),
            probe_latency: GaugeVec::new(
                opts(
                    "probe_latency_seconds",
                    "Latency of the probe's latest attempt",
                ),
                &["probe"],
            )
            .expect("valid metric"),
            notifications: IntCounterVec::new(
                opts(
                    "notifications_total",
                    "Alert notification attempts, by channel and result",
                ),
                &["channel", "result"],
            )
            .expect("valid metric"),
            alert_evaluations: IntCounter::with_opts(opts(
                "alert_evaluations_total",
                "Alert engine evaluations",
            ))
            .expect("valid metric"),
            alert_evaluation_seconds: Histogram::with_opts(
                HistogramOpts::new(
                    "alert_evaluation_seconds",
                    "Time to evaluate every rule once",
                )
                .namespace("monitor")
                .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
            )
            .expect("valid metric"),
            memory: Gauge::with_opts(opts(
                "process_resident_memory_megabytes",
                "Resident memory of the monitor",
            ))
            .expect("valid metric"),
            cpu: Gauge::with_opts(opts(
                "process_cpu_usage_ratio",
                "CPU share of the monitor (0-1 of all cores)",
            ))
            .expect("valid metric"),
            queue_bytes: IntGauge::with_opts(opts(
                "ingest_queue_bytes",
                "Memory held by rows accepted and not yet stored",
            ))
            .expect("valid metric"),
            ingest_events: IntCounterVec::new(
                opts(
                    "ingest_events_total",
                    "Ingested rows by outcome: accepted (202), written, dropped (refused by the database as invalid), refused (queue full), flush_failures (retried attempts), folded_keys (rollup rows counted under other)",
                ),
                &["outcome"],
            )
            .expect("valid metric"),
            writer_failing: IntGauge::with_opts(opts(
                "ingest_writer_failing",
                "1 while the database fails the ingest writer (it keeps its batch and retries)",
            ))
            .expect("valid metric"),
            queue_depth: IntGauge::with_opts(opts(
                "ingest_queue_depth",
                "Rows accepted and not yet stored",
            ))
            .expect("valid metric"),
            registry,
        };
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(p.http_requests.clone()),
            Box::new(p.http_duration.clone()),
            Box::new(p.ws_connections.clone()),
            Box::new(p.ws_active.clone()),
            Box::new(p.ws_messages.clone()),
            Box::new(p.ws_errors.clone()),
            Box::new(p.probe_up.clone()),
            Box::new(p.probe_latency.clone()),
            Box::new(p.notifications.clone()),
            Box::new(p.alert_evaluations.clone()),
            Box::new(p.alert_evaluation_seconds.clone()),
            Box::new(p.memory.clone()),
            Box::new(p.cpu.clone()),
            Box::new(p.queue_depth.clone()),
            Box::new(p.queue_bytes.clone()),
            Box::new(p.ingest_events.clone()),
            Box::new(p.writer_failing.clone()),
        ];
        for c in collectors {
            p.registry.register(c).expect("metric names are unique");
        }
        p
    }
}

/// The label of a matched route: its template, with a nested service's tail parameter
/// dropped (`/pkg/{*rest}` is `/pkg/`).
pub fn route_label(template: &str) -> &str {
    template.find("{*").map_or(template, |i| &template[..i])
}

impl Prom {
    /// One answered request of route `route` (see [`route_label`]).
    pub fn request(&self, route: &str, status: u16, seconds: f64) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.http_requests.with_label_values(&[route, class]).inc();
        self.http_duration
            .with_label_values(&[route])
            .observe(seconds);
    }

    pub fn probe(&self, name: &str, up: bool, latency_ms: f64) {
        self.probe_up
            .with_label_values(&[name])
            .set(if up { 1.0 } else { 0.0 });
        self.probe_latency
            .with_label_values(&[name])
            .set(latency_ms / 1000.0);
    }

    /// Brings the ingest figures up to date (they are kept as atomics on the hot path).
    pub fn ingest(&self, f: &protocol::IngestFigures) {
        for (outcome, total) in [
            ("accepted", f.accepted),
            ("written", f.written),
            ("dropped", f.dropped),
            ("refused", f.refused_full),
            ("flush_failures", f.flush_failures),
            ("folded_keys", f.folded_keys),
        ] {
            let c = self.ingest_events.with_label_values(&[outcome]);
            c.inc_by(total.saturating_sub(c.get()));
        }
        self.queue_depth.set(f.queued as i64);
        self.queue_bytes.set(f.queued_bytes as i64);
        self.writer_failing.set(i64::from(f.failing));
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = vec![];
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nested_services_are_labelled_by_their_prefix() {
        use super::route_label;
        assert_eq!(
            route_label("/api/{project_id}/envelope/"),
            "/api/{project_id}/envelope/"
        );
        assert_eq!(
            route_label("/pkg/{*__private__axum_nest_tail_param}"),
            "/pkg/"
        );
    }
}
