//! `selecta`: the web server and the command line of Selecta.

mod cli;
mod config;
mod model_source;
mod origin;
mod serve;
mod session_lock;
mod session_store;
mod site;
mod web_guard;

use std::io::IsTerminal;

use clap::Parser;

use crate::config::{Cli, Command};

/// mimalloc rather than the system allocator: glibc keeps tens of megabytes of freed memory
/// after loading a large catalog (its trim threshold grows with the largest freed buffer);
/// measured on a million tracks, peak memory 959 MiB with glibc, 859 MiB with mimalloc, and
/// playlists faster too (`selecta bench`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // `--log`/`SELECTA_LOG` first, then the usual `RUST_LOG`, then the command's default.
    let log = cli
        .log
        .clone()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .filter(|f| !f.trim().is_empty())
        .unwrap_or_else(|| cli.default_log().to_string());
    init_tracing(&log);
    let result = match cli.into_command() {
        Command::Serve(args) => serve::run(args).await,
        Command::Fit(args) => cli::fit::run(args).await,
        Command::Recommend(args) => cli::recommend::run(args).await,
        Command::Describe(args) => cli::describe::run(args).await,
        Command::Bench(args) => cli::bench::run(args).await,
        Command::Eval(args) => cli::eval::run(args).await,
        Command::Bot(args) => cli::bot::run(args).await,
        Command::SpotifyStandin(args) => cli::standin::run(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the whole cause chain on one line: "cannot listen on ...: Address in use"
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_tracing(filter: &str) {
    // rspotify logs each request with its bearer token at `info`: those targets stay quiet
    // whatever the listener's filter says (a directive naming a target wins).
    let quiet = selecta_spotify::QUIET_LOG_DIRECTIVES;
    let filter = tracing_subscriber::EnvFilter::try_new(format!("{filter},{quiet}"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("info,{quiet}")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour only for a person at a terminal: `selecta recommend 2>log`, journald and
        // container logs get plain text. `NO_COLOR` (no-color.org) turns it off everywhere.
        .with_ansi(colour(std::io::stderr().is_terminal()))
        .init();
}

/// Whether log lines are coloured: only on a terminal, and never with `NO_COLOR` set (to
/// anything but the empty string, as no-color.org says).
fn colour(terminal: bool) -> bool {
    terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
