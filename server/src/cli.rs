//! Command line: `monitor [--config FILE] [serve|migrate|export-to URL]`.

use crate::{
    config::Config,
    startup::{self, Application},
    telemetry,
};
use clap::{Parser, Subcommand};
use std::{path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(
    name = "monitor",
    version,
    about = "Restaurant OS Monitor: errors, RUM, health, alerts and KPIs in one binary"
)]
struct Cli {
    /// TOML configuration file (default: ./monitor.toml when present).
    #[arg(long, global = true, env = "MONITOR_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Create or update the database schema, then exit.
    Migrate,
    /// Copy the SQLite database (`database.url`) into PostgreSQL, verify the row counts,
    /// then exit. Resumable: run it again after an interruption. Stop the server first.
    ExportTo {
        /// The target, e.g. postgres://monitor@db.internal/monitor (created tables are
        /// migrated here; it must hold no other data).
        url: String,
    },
}

async fn export_to(source: &str, target: &str) -> anyhow::Result<()> {
    if !source.starts_with("sqlite:") {
        anyhow::bail!("export-to copies a SQLite database; database.url is {source:?}");
    }
    if !store::is_postgres(target) {
        anyhow::bail!("export-to copies into PostgreSQL: give a postgres:// URL");
    }
    let mut bars = Bars::default();
    let counts = store::export::run(source, target, &mut bars).await?;
    let rows: u64 = counts.iter().map(|c| c.target_rows).sum();
    println!(
        "copied {rows} rows in {} tables; every table's row count matches",
        counts.len()
    );
    Ok(())
}

/// One progress bar per table on the terminal.
#[derive(Default)]
struct Bars(Option<indicatif::ProgressBar>);

impl store::export::Progress for Bars {
    fn table(&mut self, table: &str, total: u64, done: u64) {
        let bar = indicatif::ProgressBar::new(total).with_message(table.to_string());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>20} [{bar:40}] {pos}/{len} rows")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_position(done);
        self.0 = Some(bar);
    }
    fn advance(&mut self, rows: u64) {
        if let Some(b) = &self.0 {
            b.inc(rows);
        }
    }
    fn finish_table(&mut self) {
        if let Some(b) = self.0.take() {
            b.finish();
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Before anything else, so a panic anywhere after this is reported.
    let _self_report = telemetry::self_report::init();
    telemetry::init_tracing();
    let config = match Config::load(cli.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => {
                let app = Application::build(config).await?;
                app.announce();
                app.run_until(startup::shutdown_signal()).await
            }
            Command::Migrate => {
                let s = store::connect(&config.database.url, 1).await?;
                s.close().await;
                println!("database at {} is up to date", config.database.url);
                Ok(())
            }
            Command::ExportTo { url } => export_to(&config.database.url, &url).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
