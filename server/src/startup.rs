//! Builds the application from a [`Config`] and runs it until a shutdown signal, in an
//! order that loses nothing: stop accepting requests and finish those in flight, then
//! let the writer drain the queue, then close the database.

use crate::{
    auth::bootstrap::{self, Bootstrap},
    config::Config,
    http,
    ingest::{queue::IngestQueue, rate_limit::RateLimiter, writer::IngestWriter},
    read_model::projects::Projects,
    services::Services,
    state::{AppState, AppStateInner},
    telemetry::Telemetry,
};

use leptos::config::{Env, LeptosOptions};
use std::{future::Future, net::SocketAddr, sync::Arc};
use store::DynStorage;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
    writer: IngestWriter,
    bootstrap: Bootstrap,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let storage = store::connect(&config.database.url, config.database.max_connections).await?;
        // A bad rules file stops the start: better than running without its alerts.
        let alert_rules = Arc::new(crate::alerts::rule::load(&config.alerts.file)?);
        // Likewise a probe that cannot work.
        let mut names = std::collections::HashSet::new();
        for p in &config.probes {
            crate::probes::check::validate(p)
                .map_err(|e| anyhow::anyhow!("[[probes]] {:?}: {e}", p.name))?;
            if !names.insert(&p.name) {
                anyhow::bail!("[[probes]] {:?}: two probes have this name", p.name);
            }
        }
        // A proxy entry that is not an address or range would be silently ignored.
        for t in &config.server.trusted_proxies {
            if t.parse::<ipnet::IpNet>().is_err() && t.parse::<std::net::IpAddr>().is_err() {
                anyhow::bail!(
                    "server.trusted_proxies: {t:?} is neither an address nor a CIDR range"
                );
            }
        }
        let boot = bootstrap::run(&config, &storage).await?;
        let listener = TcpListener::bind(config.socket_addr()?).await?;
        let addr = listener.local_addr()?;
        let public_url: Arc<str> = config.public_url(addr).into();

        let projects = Arc::new(Projects::default());
        projects.replace(storage.projects().await?);
        let telemetry = Arc::new(Telemetry::default());
        let (queue, rx) = IngestQueue::new(
            config.ingest.queue_capacity,
            config.ingest.queue_max_bytes,
            telemetry.ingest.clone(),
        );
        let writer = IngestWriter {
            rx,
            storage: storage.clone(),
            stats: queue.stats.clone(),
            flush_max_events: config.ingest.flush_max_events,
            flush_interval: config.flush_interval(),
            flags: config.performance,
            keys: std::sync::Mutex::new(store::rollup::cardinality::KeyBudget::new(
                config.ingest.max_keys_per_day,
            )),
        };
        let sentry_limits = RateLimiter::new(config.ingest.sentry_events_per_minute);
        let leptos = LeptosOptions::builder()
            .output_name("monitor")
            .site_root(config.server.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .env(Env::PROD)
            .build();
        let live = Arc::new(crate::live::LiveHub::new(Some(telemetry.clone())));
        let config_auth_hashes = config.auth.max_concurrent_hashes;
        let services = Services {
            storage,
            config: Arc::new(config),
            live,
            telemetry,
            projects,
            public_url,
            file_rules: alert_rules,
            leader: Default::default(),
            refusals: Default::default(),
            sign_in: Arc::new(crate::auth::throttle::SignInGate::new(config_auth_hashes)),
        };
        let state = AppState::new(AppStateInner {
            services,
            queue,
            sentry_limits,
            page_views: Default::default(),
            leptos,
        });
        Ok(Application {
            listener,
            addr,
            state,
            writer,
            bootstrap: boot,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Says where to go; on first run with a generated password, prints it once.
    pub fn announce(&self) {
        let url = &self.state.public_url;
        println!("Restaurant OS Monitor is serving {url}");
        if let Some(pw) = &self.bootstrap.generated_password {
            println!(
                "First run: sign in at {url}/login as `{}` with password {pw}\n\
                 (shown only now; set MONITOR_ADMIN_PASSWORD before the first run to choose it)",
                self.state.config.auth.admin_user
            );
        } else if self.bootstrap.admin_created {
            println!(
                "First run: sign in at {url}/login as `{}` with MONITOR_ADMIN_PASSWORD",
                self.state.config.auth.admin_user
            );
        }
        if self.state.config.demo.enabled {
            println!("Demo page with the RUM SDK: {url}/demo/restaurant");
        }
    }

    /// Serves until `shutdown` completes, then drains and flushes everything accepted.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Application {
            listener,
            state,
            writer,
            ..
        } = self;
        let stop_workers = CancellationToken::new();
        let writer = tokio::spawn(writer.run_until_stopped(stop_workers.clone()));
        // The alert engine, outbox, probes and retention run on the leader only.
        let leader = tokio::spawn(crate::leader::run(
            state.services.clone(),
            stop_workers.clone(),
        ));
        let relay = store::is_postgres(&state.config.database.url).then(|| {
            let (url, state, stop) = (
                state.config.database.url.clone(),
                state.services.clone(),
                stop_workers.clone(),
            );
            tokio::spawn(crate::live::relay::run(url, state, stop))
        });
        let sampler = tokio::spawn(crate::telemetry::sampler::run(
            state.clone(),
            stop_workers.clone(),
        ));
        let refusals = {
            let (services, stop) = (state.services.clone(), stop_workers.clone());
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(20));
                loop {
                    tokio::select! {
                        _ = stop.cancelled() => break,
                        _ = tick.tick() => crate::audit::flush_refusals(&services, false).await,
                    }
                }
                crate::audit::flush_refusals(&services, true).await;
            })
        };

        let storage: DynStorage = state.storage.clone();
        axum::serve(
            listener,
            http::router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        tracing::info!("stopped accepting requests; draining the ingest queue");
        // The sampler and the leader's duties (probes) stop first: their last points still
        // reach the writer.
        stop_workers.cancel();
        let _ = sampler.await;
        let _ = leader.await;
        let _ = refusals.await;
        writer.await?;
        if let Some(relay) = relay {
            let _ = relay.await;
        }
        storage.close().await;
        tracing::info!("shutdown complete");
        Ok(())
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received");
}
