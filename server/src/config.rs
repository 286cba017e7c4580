//! The typed configuration: one struct per subcommand, filled from flags and environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Selecta: turns a few tracks you pick into a playlist of tracks that belong with them.
#[derive(Debug, Parser)]
#[command(name = "selecta", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// Log filter (tracing-subscriber syntax), e.g. `info` or `selecta=debug,tower_http=debug`.
    #[arg(long, env = "SELECTA_LOG", default_value = "info", global = true)]
    pub log: String,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// `selecta` alone serves; these are `serve`'s flags.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The subcommand to run (`serve` with the top-level flags when none is named).
    pub fn command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// What to do; `serve` when none is given.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app (the default).
    Serve(ServeArgs),
}

/// `selecta serve`
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SELECTA_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder with the built site (`pkg/frontend.js`, `pkg/frontend_bg.wasm`, `pkg/main.css`),
    /// as written by scripts/build.sh.
    #[arg(long, env = "SELECTA_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    #[command(flatten)]
    pub model: ModelArgs,
}

/// Where the catalog and the model come from.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// The catalog to fit a model on when no model is given (CSV or gzip'd CSV).
    #[arg(long, env = "SELECTA_CATALOG", default_value = "data/spotify_songs.csv.gz")]
    pub catalog: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_is_the_default_with_embedded_defaults() {
        let Command::Serve(args) = Cli::parse_from(["selecta"]).command();
        assert_eq!(args.addr, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(args.site_root, PathBuf::from("target/site"));
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
