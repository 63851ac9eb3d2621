//! Command line: `monitor [--config FILE] [serve|migrate]`.

use crate::{
    config::Config,
    startup::{self, Application},
    storage, telemetry,
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
                let s = storage::connect(&config.database.url, 1).await?;
                s.close().await;
                println!("database at {} is up to date", config.database.url);
                Ok(())
            }
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
