//! Configuration: defaults in code, then an optional TOML file (`monitor.toml`, or the
//! path in `MONITOR_CONFIG` / `--config`), then `MONITOR_*` environment variables, where
//! `__` separates sections (`MONITOR_SERVER__PORT=8080`). `MONITOR_ADMIN_PASSWORD` is a
//! shorthand for `MONITOR_AUTH__ADMIN_PASSWORD`. Unknown keys are refused, so a typo
//! fails at start instead of being ignored.

use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub ingest: IngestConfig,
    pub auth: AuthConfig,
    pub demo: DemoConfig,
    pub retention: RetentionConfig,
    pub performance: PerformanceConfig,
    pub alerts: AlertsConfig,
    pub health: HealthConfig,
    pub logs: LogsConfig,
    pub security: SecurityConfig,
    /// Synthetic probes of the platform (`[[probes]]`); more can be added in the dashboard.
    pub probes: Vec<ProbeConfig>,
    /// Restaurants' opening hours (`[[restaurants]]`); more can be set in the dashboard,
    /// where they override these.
    pub restaurants: Vec<RestaurantConfig>,
}

/// One restaurant's opening hours: when rules with `only_when_open` judge it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestaurantConfig {
    /// The `restaurant_id` its data is tagged with.
    pub id: String,
    /// `"mon-fri 11:00-22:00, sat-sun 12:00-23:00"` (local time; `closed` for none).
    pub hours: String,
    /// IANA time zone (`Europe/Berlin`); UTC when missing.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Structured logs (`POST /api/logs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogsConfig {
    /// Lines older than this are deleted.
    pub retention_days: u32,
    /// Beyond this many lines, the oldest are deleted.
    pub max_rows: u64,
    /// Whether `error` lines open issues in the error tracker.
    pub errors_to_issues: bool,
}

impl Default for LogsConfig {
    fn default() -> Self {
        LogsConfig {
            retention_days: 14,
            max_rows: 5_000_000,
            errors_to_issues: true,
        }
    }
}

/// What `/health` checks live besides the monitor's own database; each is reported as
/// not configured when absent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthConfig {
    /// `redis://[:password@]host:port`: `PING` must answer `PONG`.
    pub redis_url: Option<String>,
    /// `ws://` or `wss://`: the platform's WebSocket endpoint must accept an upgrade.
    pub websocket_url: Option<String>,
    /// HTTP(S) URLs of external APIs the platform needs (payment gateway, ...): each must
    /// answer with a status below 500.
    pub external_apis: Vec<String>,
    /// Whether `GET /metrics` (Prometheus) is open without a token.
    pub metrics_public: bool,
}

/// One synthetic probe (also the JSON of a probe saved from the dashboard).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeConfig {
    /// Required in `monitor.toml`; in `PUT /api/v1/probes/<name>` the path names it.
    #[serde(default)]
    pub name: String,
    pub kind: ProbeKind,
    /// `postgres://...`, `redis://...`, `http(s)://...`, `ws(s)://...`, or `host:port` (tcp).
    pub target: String,
    #[serde(default = "default_probe_interval")]
    pub interval_secs: u64,
    #[serde(default = "default_probe_timeout")]
    pub timeout_ms: u64,
    /// Failed attempts in a row tolerated before the probe is declared down.
    #[serde(default = "default_probe_retries")]
    pub retries: u32,
    /// HTTP: the status expected (default: any 2xx or 3xx).
    #[serde(default)]
    pub expect_status: Option<u16>,
    /// HTTP: text the body must contain.
    #[serde(default)]
    pub keyword: Option<String>,
    /// HTTP: a JSON pointer (`/status`) whose value must equal `json_value`.
    #[serde(default)]
    pub json_field: Option<String>,
    #[serde(default)]
    pub json_value: Option<String>,
    /// WebSocket: a text message that must come back (an echo check).
    #[serde(default)]
    pub send: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeKind {
    Postgres,
    Redis,
    Http,
    Websocket,
    Tcp,
    /// A platform service's own `/health` (the platform's shape): up on 2xx, and its
    /// `metrics` (memory_usage, cpu_usage, active_connections, error_rate) recorded as
    /// series `platform.<probe name>.<metric>`.
    Health,
}

impl ProbeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Postgres => "postgres",
            ProbeKind::Redis => "redis",
            ProbeKind::Http => "http",
            ProbeKind::Websocket => "websocket",
            ProbeKind::Tcp => "tcp",
            ProbeKind::Health => "health",
        }
    }
}

fn default_probe_interval() -> u64 {
    30
}

fn default_probe_timeout() -> u64 {
    5000
}

fn default_probe_retries() -> u32 {
    2
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// The rules file; when it does not exist, the platform's standard rules (built in).
    pub file: PathBuf,
    /// How often the engine evaluates the rules, seconds.
    pub interval_secs: u64,
    /// The environment named in notifications.
    pub environment: String,
    /// Slack incoming webhook; off when absent.
    pub slack: Option<SlackConfig>,
    /// Generic JSON webhook signed with HMAC-SHA256; off when absent.
    pub webhook: Option<WebhookConfig>,
    /// Email over SMTP; off when absent.
    pub email: Option<EmailConfig>,
    /// Where unacknowledged critical alerts go; off when absent.
    pub escalation: Option<EscalationConfig>,
}

/// Escalation: a critical alert still firing and unacknowledged `after_secs` after it
/// fired goes to these channels too (once per firing).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationConfig {
    #[serde(default = "default_escalate_after")]
    pub after_secs: u64,
    #[serde(default)]
    pub slack: Option<SlackConfig>,
    #[serde(default)]
    pub webhook: Option<WebhookConfig>,
    /// Sent through the `alerts.email` SMTP server.
    #[serde(default)]
    pub email_to: Vec<String>,
}

fn default_escalate_after() -> u64 {
    900
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP (a local relay).
    None,
    /// Upgrade with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    #[serde(default = "default_smtp_tls")]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default, skip_serializing)]
    pub password: Option<String>,
    /// `RestaurantOS Monitor <monitor@example.com>`.
    pub from: String,
    /// Who gets critical alerts, and who gets warnings.
    #[serde(default)]
    pub critical_to: Vec<String>,
    #[serde(default)]
    pub warning_to: Vec<String>,
}

fn default_smtp_port() -> u16 {
    587
}

fn default_smtp_tls() -> SmtpTls {
    SmtpTls::Starttls
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    pub webhook_url: String,
    /// Overrides the webhook's default channel, e.g. `#oncall`.
    #[serde(default)]
    pub channel: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// HMAC-SHA256 key for `X-Monitor-Signature`.
    #[serde(skip_serializing)]
    pub secret: String,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            file: "alerts.toml".into(),
            interval_secs: 15,
            environment: "production".into(),
            slack: None,
            webhook: None,
            email: None,
            escalation: None,
        }
    }
}

/// What the Performance views flag (`[performance]`): slow calls and heavy heaps.
pub type PerformanceConfig = store::rollup::Thresholds;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on.
    pub host: String,
    /// Port to listen on; 0 picks a free one (tests).
    pub port: u16,
    /// The URL people and SDKs reach this monitor at; used in DSNs, script tags and links.
    /// Empty means `http://<host>:<port>`.
    pub public_url: String,
    /// Where cargo-leptos wrote the dashboard's site (`pkg/` with wasm, JS and CSS).
    pub site_root: PathBuf,
    /// Where the RUM SDK's built files are (`rum.js`, glue and wasm), served at `/sdk/`.
    pub sdk_dir: PathBuf,
    /// Proxies whose `X-Forwarded-For` names the client (addresses or CIDR ranges, e.g.
    /// `10.0.0.0/8`); from anyone else the header is ignored.
    pub trusted_proxies: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://path` (created if missing), or `postgres://user@host/db` for several
    /// instances sharing one database.
    pub url: String,
    pub max_connections: u32,
    /// PostgreSQL with several instances: how often the leader checks that it still
    /// holds the leader lock, and a follower tries to take it. Bounds the failover time.
    pub lease_check_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// Largest accepted request body, bytes (`413` above).
    pub max_body_bytes: usize,
    /// Largest Sentry envelope or store body as sent (possibly compressed), bytes.
    pub max_envelope_bytes: usize,
    /// Largest Sentry body after decompression, bytes (a bigger one is refused, `413`).
    pub max_decompressed_bytes: usize,
    /// Largest Sentry envelope item (one event), bytes.
    pub max_event_bytes: usize,
    /// Sentry events accepted per project and minute (bursts up to a minute's worth);
    /// above it `429` with `X-Sentry-Rate-Limits`. 0 disables the limit.
    pub sentry_events_per_minute: u32,
    /// Most beacons in one request (`400` above).
    pub max_beacons_per_request: usize,
    /// Rows accepted and not yet stored before new ones are refused with `429`.
    pub queue_capacity: usize,
    /// Memory those rows may hold, bytes; the tighter of the two bounds applies.
    pub queue_max_bytes: usize,
    /// Distinct pages, routes, statements, custom metrics and restaurants the rollups
    /// take per project, kind and day; later new ones are counted under `other`.
    pub max_keys_per_day: usize,
    /// The writer flushes when this many events are pending...
    pub flush_max_events: usize,
    /// ...or when the oldest pending event is this old.
    pub flush_interval_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Name of the admin user created on first run.
    pub admin_user: String,
    /// Password of the admin user created on first run; generated and printed once if unset.
    #[serde(skip_serializing)]
    pub admin_password: Option<SecretString>,
    /// Lifetime of a dashboard session.
    pub session_hours: u64,
    /// `auto` (Secure when the public URL or `X-Forwarded-Proto` is https), `always`, `never`.
    pub secure_cookie: SecureCookie,
    /// Failed sign-ins of one account from one source before each further attempt from
    /// there must wait (1 s, then doubling).
    pub max_failed_logins: u64,
    /// The same for one source across every account (password spraying).
    pub max_failed_logins_per_source: u64,
    /// The longest wait, and the window failures are counted in.
    pub lockout_secs: u64,
    /// Password checks at once (argon2 takes 19 MiB each); more wait up to 5 s, then `429`.
    pub max_concurrent_hashes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecureCookie {
    Auto,
    Always,
    Never,
}

/// `[security]`: what the monitor may reach on someone's say-so.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Let probes and notifiers reach link-local and cloud metadata addresses
    /// (`169.254.0.0/16`, `fd00:ec2::254`); off, they are refused.
    pub allow_private_targets: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DemoConfig {
    /// Serve the instrumented demo restaurant page at `/demo/restaurant`.
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Raw RUM events older than this are deleted.
    pub raw_events_days: u32,
    /// Per-minute rollups older than this are deleted.
    pub rollups_days: u32,
    /// Audit entries older than this are deleted (at least 30: the database refuses
    /// anything younger).
    pub audit_days: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            host: "127.0.0.1".into(),
            port: 3000,
            public_url: String::new(),
            site_root: "target/site".into(),
            sdk_dir: "target/sdk".into(),
            trusted_proxies: vec![],
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://./data/monitor.db".into(),
            max_connections: 8,
            lease_check_secs: 2,
        }
    }
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            max_body_bytes: 64 * 1024,
            max_envelope_bytes: 1024 * 1024,
            max_decompressed_bytes: 10 * 1024 * 1024,
            max_event_bytes: 1024 * 1024,
            sentry_events_per_minute: 60_000,
            max_beacons_per_request: 100,
            queue_capacity: 50_000,
            queue_max_bytes: 48 * 1024 * 1024,
            max_keys_per_day: 2_000,
            flush_max_events: 5_000,
            flush_interval_ms: 250,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            admin_user: "admin".into(),
            admin_password: None,
            session_hours: 24 * 7,
            secure_cookie: SecureCookie::Auto,
            max_failed_logins: 5,
            max_failed_logins_per_source: 20,
            lockout_secs: 900,
            max_concurrent_hashes: 4,
        }
    }
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig { enabled: true }
    }
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            raw_events_days: 14,
            rollups_days: 90,
            audit_days: 400,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Defaults, then `file` (or `monitor.toml` when it exists), then the environment.
    pub fn load(file: Option<PathBuf>) -> Result<Config, ConfigError> {
        let file = file
            .or_else(|| std::env::var_os("MONITOR_CONFIG").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("monitor.toml"));
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(
                Env::prefixed("MONITOR_")
                    .ignore(&["CONFIG", "ADMIN_PASSWORD"])
                    .split("__"),
            )
            .merge(
                Env::raw()
                    .only(&["MONITOR_ADMIN_PASSWORD"])
                    .map(|_| "auth.admin_password".into()),
            )
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
    }

    /// A configuration for tests: a database in `dir`, a free port, fast flushes.
    pub fn for_tests(dir: &std::path::Path) -> Config {
        let mut c = Config::default();
        c.server.port = 0;
        c.database.url = format!("sqlite://{}", dir.join("monitor.db").display());
        c.ingest.flush_interval_ms = 20;
        c.auth.admin_password = Some(SecretString::from("test-password-123"));
        c
    }

    pub fn socket_addr(&self) -> Result<SocketAddr, std::net::AddrParseError> {
        format!("{}:{}", self.server.host, self.server.port).parse()
    }

    /// The public URL without a trailing slash, given the address actually bound.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        if self.server.public_url.is_empty() {
            format!("http://{bound}")
        } else {
            self.server.public_url.trim_end_matches('/').to_string()
        }
    }

    pub fn flush_interval(&self) -> Duration {
        Duration::from_millis(self.ingest.flush_interval_ms.max(1))
    }
}

#[cfg(test)]
// figment::Jail's closures return its large error type by design.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "monitor.toml",
                "[server]\nport = 4000\nhost = \"0.0.0.0\"\n",
            )?;
            jail.set_env("MONITOR_SERVER__PORT", "5000");
            jail.set_env("MONITOR_ADMIN_PASSWORD", "s3cret");
            let c = Config::load(None).expect("loads");
            assert_eq!(c.server.port, 5000);
            assert_eq!(c.server.host, "0.0.0.0");
            assert_eq!(c.auth.admin_password.unwrap().expose_secret(), "s3cret");
            assert_eq!(c.ingest.max_body_bytes, 64 * 1024);
            Ok(())
        });
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_name() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("monitor.toml", "[server]\nprot = 4000\n")?;
            let err = Config::load(None).expect_err("typo must fail").to_string();
            assert!(err.contains("prot"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn the_admin_password_never_prints() {
        let mut c = Config::default();
        c.auth.admin_password = Some(SecretString::from("hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
