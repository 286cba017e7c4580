//! `selecta spotify-standin`: a local stand-in of Spotify (accounts service and Web API) on
//! the bundled catalog, for tests and for trying the app without a Spotify account.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use selecta_spotify_standin::{Standin, StandinConfig};

/// `selecta spotify-standin`
#[derive(Clone, Args)]
pub struct StandinArgs {
    /// Address to listen on; point the app's `--spotify-accounts-url` at `http://ADDR` and
    /// `--spotify-api-url` at `http://ADDR/v1`.
    #[arg(long, env = "SELECTA_STANDIN_ADDR", default_value = "127.0.0.1:3001")]
    pub addr: SocketAddr,

    /// The client id the stand-in accepts (the app's `SPOTIFY_CLIENT_ID`).
    #[arg(long, env = "SPOTIFY_CLIENT_ID", default_value = "selecta-standin")]
    pub client_id: String,

    /// The client secret it accepts (the app's `SPOTIFY_CLIENT_SECRET`).
    #[arg(
        long,
        env = "SPOTIFY_CLIENT_SECRET",
        hide_env_values = true,
        default_value = "standin-secret"
    )]
    pub client_secret: String,

    /// Registered redirect URIs, comma-separated, compared exactly.
    #[arg(
        long,
        env = "SPOTIFY_REDIRECT_URI",
        value_delimiter = ',',
        default_value = "http://127.0.0.1:3000/auth/callback"
    )]
    pub redirect_uri: Vec<String>,

    /// Catalog the listeners' libraries are drawn from.
    #[arg(
        long,
        env = "SELECTA_CATALOG",
        default_value = "data/spotify_songs.csv.gz"
    )]
    pub catalog: PathBuf,

    /// Lifetime of access tokens in seconds (Spotify: 3600); short ones force refreshes.
    #[arg(long, env = "SELECTA_STANDIN_TOKEN_LIFETIME", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub token_lifetime: u64,

    /// Answer every N-th API request with 429 and `Retry-After` (0: only on demand, see
    /// `POST /_standin/rate-limit`).
    #[arg(long, env = "SELECTA_STANDIN_RATE_LIMIT_EVERY", default_value_t = 0)]
    pub rate_limit_every: u32,

    /// `Retry-After` of 429 answers, in seconds.
    #[arg(long, env = "SELECTA_STANDIN_RETRY_AFTER", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub retry_after: u64,

    /// Seed of the listeners' libraries.
    #[arg(long, env = "SELECTA_STANDIN_SEED", default_value_t = 6)]
    pub seed: u64,
}

impl std::fmt::Debug for StandinArgs {
    // The client secret stays out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandinArgs")
            .field("addr", &self.addr)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<hidden>")
            .field("redirect_uri", &self.redirect_uri)
            .field("catalog", &self.catalog)
            .field("token_lifetime", &self.token_lifetime)
            .field("rate_limit_every", &self.rate_limit_every)
            .field("retry_after", &self.retry_after)
            .field("seed", &self.seed)
            .finish()
    }
}

impl StandinArgs {
    fn config(&self) -> StandinConfig {
        StandinConfig {
            client_id: self.client_id.trim().to_string(),
            client_secret: self.client_secret.trim().to_string(),
            redirect_uris: self
                .redirect_uri
                .iter()
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty())
                .collect(),
            token_lifetime: Duration::from_secs(self.token_lifetime),
            rate_limit_every: Some(self.rate_limit_every).filter(|n| *n > 0),
            retry_after: Duration::from_secs(self.retry_after),
            seed: self.seed,
        }
    }
}

/// Checks the settings, loads the catalog, listens, then serves until killed.
pub async fn run(args: StandinArgs) -> anyhow::Result<()> {
    let config = args.config();
    // Bad settings are said before the catalog is read.
    config.validate()?;
    let catalog = selecta_catalog::Catalog::load(&args.catalog)
        .with_context(|| format!("--catalog {}", args.catalog.display()))?;
    let standin = Standin::new(config, catalog)?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    eprintln!(
        "Spotify stand-in at http://{addr}: accounts URL http://{addr}, API URL http://{addr}/v1",
        addr = listener.local_addr()?
    );
    standin.serve(listener).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        args: StandinArgs,
    }

    #[test]
    fn flags_become_the_config() {
        let t = T::parse_from([
            "t",
            "--client-id",
            "abc",
            "--client-secret",
            "xyz",
            "--redirect-uri",
            "http://127.0.0.1:3000/auth/callback,http://127.0.0.1:4000/cb",
            "--rate-limit-every",
            "5",
        ]);
        let c = t.args.config();
        assert_eq!(c.client_id, "abc");
        assert_eq!(c.redirect_uris.len(), 2);
        assert_eq!(c.rate_limit_every, Some(5));
        assert!(!format!("{:?}", t.args).contains("xyz"));
        assert!(T::try_parse_from(["t", "--token-lifetime", "0"]).is_err());
    }
}
