//! The typed configuration: one struct per subcommand, filled from flags and environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

/// Selecta: turns a few tracks you pick into a playlist of tracks that belong with them.
#[derive(Debug, Parser)]
#[command(
    name = "selecta",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Log filter (tracing-subscriber syntax), e.g. `info` or `selecta=debug,tower_http=debug`.
    /// Unset: `RUST_LOG`, else `info` for the servers (`serve`, `bot`, `spotify-standin`) and
    /// `warn` for the other commands, whose output is their answer.
    #[arg(long, env = "SELECTA_LOG", global = true)]
    pub log: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// `selecta` alone serves; these are `serve`'s flags.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The log filter when neither `--log`/`SELECTA_LOG` nor `RUST_LOG` gives one: the long
    /// running servers report at `info` (startup, configuration, reloads); a one-shot command
    /// only warns, so that its answer is not buried in progress lines.
    pub fn default_log(&self) -> &'static str {
        match self.command {
            None | Some(Command::Serve(_) | Command::Bot(_) | Command::SpotifyStandin(_)) => "info",
            Some(_) => "warn",
        }
    }

    /// The subcommand to run (`serve` with the top-level flags when none is named).
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// What to do; `serve` when none is given.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app (the default).
    Serve(ServeArgs),
    /// Fit a model on a catalog and write the artifact to a file or S3.
    Fit(FitArgs),
    /// Generate a playlist from seed tracks.
    Recommend(RecommendArgs),
    /// Show a track: metadata, audio features, genres and its nearest tracks.
    Describe(DescribeArgs),
    /// Measure fitting and playlist speed on a synthetic catalog (default 1,000,000 tracks).
    Bench(BenchArgs),
    /// Measure the recommender: the seed's metrics and playlist continuation on the catalog's
    /// real playlists, against random baselines (tables, --json, --html report with charts).
    Eval(crate::cli::eval::EvalArgs),
    /// Run the Telegram bot (/predict, /describe) on the same model as the web app.
    Bot(BotArgs),
    /// Run a local stand-in of Spotify (consent page, token endpoint, Web API) on the
    /// bundled catalog, for tests and for trying the app without a Spotify account.
    SpotifyStandin(crate::cli::standin::StandinArgs),
}

/// `selecta serve`
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SELECTA_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder with the built site (`pkg/frontend-<hash>.js`, `pkg/frontend-<hash>_bg.wasm`,
    /// `pkg/main-<hash>.css`, or the same without hashes), as written by scripts/build.sh.
    #[arg(long, env = "SELECTA_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Bearer token for `POST /admin/reload`; the endpoint is off when unset.
    #[arg(long, env = "SELECTA_ADMIN_TOKEN", hide_env_values = true, value_parser = secret)]
    pub admin_token: Option<SecretString>,

    /// Seconds a web or API request may take before it is answered 503.
    #[arg(long, env = "SELECTA_REQUEST_TIMEOUT", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,

    /// Most requests one route serves at once; more are answered 503 with Retry-After
    /// (`/healthz`, `/readyz` and `/metrics` are not limited).
    #[arg(long, env = "SELECTA_MAX_CONCURRENT", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_concurrent: u32,

    /// Seconds between looks at --model's version (the S3 object's ETag, or the file's size
    /// and time): a changed model is loaded and swapped in, so every replica serves a new
    /// upload within this interval plus the load. 0: only SIGHUP or `POST /admin/reload`.
    /// Ignored without --model.
    #[arg(long, env = "SELECTA_MODEL_WATCH", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub model_watch: u64,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub api: ApiArgs,

    #[command(flatten)]
    pub web: WebArgs,

    #[command(flatten)]
    pub pages: PagesArgs,
}

/// Limits of the web app (pages, forms, server functions): its per-client rate and the
/// sessions kept in memory.
#[derive(Debug, Clone, Args)]
pub struct PagesArgs {
    /// Requests per minute allowed to one client IP (an IPv6 client: its /64) on the web app's
    /// pages, forms and server functions (not the built assets under /pkg/); 0 turns the limit
    /// off. Over it, 429 with Retry-After and a page saying when to come back.
    #[arg(long, env = "SELECTA_WEB_RATE_LIMIT", default_value_t = 600)]
    pub web_rate_limit: u32,

    /// Requests one client may send at once before the per-minute rate applies.
    #[arg(long, env = "SELECTA_WEB_RATE_BURST", default_value_t = 120,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub web_rate_burst: u32,

    /// Most sessions kept in memory (without REDIS_URL): past it, the session unused longest
    /// is forgotten. Each new visitor who changes anything (a seed, an option) makes one.
    #[arg(long, env = "SELECTA_MAX_SESSIONS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_sessions: u64,
}

impl ServeArgs {
    /// The timeout and concurrency limit of each route.
    pub fn limits(&self) -> selecta_api::limits::Limits {
        selecta_api::limits::Limits {
            timeout: std::time::Duration::from_secs(self.request_timeout),
            max_concurrent: self.max_concurrent as usize,
        }
    }
}

/// The web app's sessions and Spotify sign-in.
#[derive(Clone, Args)]
pub struct WebArgs {
    /// Redis for the sessions (`redis://127.0.0.1:6379`); several server instances can share
    /// it. Unset: sessions live in this process' memory and end with it.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// The Spotify app's client id (https://developer.spotify.com/dashboard). Without it and
    /// the secret, the app offers the catalog only (no sign-in, no saving).
    #[arg(long, env = "SPOTIFY_CLIENT_ID")]
    pub spotify_client_id: Option<String>,

    /// The Spotify app's client secret. Prefer the environment variable: a flag shows in the
    /// process list.
    #[arg(long, env = "SPOTIFY_CLIENT_SECRET", hide_env_values = true, value_parser = secret)]
    pub spotify_client_secret: Option<SecretString>,

    /// Where Spotify sends the listener back after sign-in; must be registered with the
    /// Spotify app exactly (Spotify refuses `localhost` and non-loopback http).
    #[arg(
        long,
        env = "SPOTIFY_REDIRECT_URI",
        default_value = "http://127.0.0.1:3000/auth/callback"
    )]
    pub spotify_redirect_uri: String,

    /// Spotify's accounts service (authorize and token endpoints), e.g. a local stand-in.
    #[arg(
        long,
        env = "SPOTIFY_ACCOUNTS_URL",
        default_value = "https://accounts.spotify.com"
    )]
    pub spotify_accounts_url: String,

    /// Spotify's Web API base, e.g. a local stand-in (`http://127.0.0.1:8888/v1`).
    #[arg(
        long,
        env = "SPOTIFY_API_URL",
        default_value = "https://api.spotify.com/v1"
    )]
    pub spotify_api_url: String,
}

impl std::fmt::Debug for WebArgs {
    // The client secret and the Redis URL (which may hold a password) stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebArgs")
            .field("redis_url", &self.redis_url.as_ref().map(|_| "<set>"))
            .field("spotify_client_id", &self.spotify_client_id)
            .field(
                "spotify_client_secret",
                &self.spotify_client_secret.as_ref().map(|_| "<hidden>"),
            )
            .field("spotify_redirect_uri", &self.spotify_redirect_uri)
            .field("spotify_accounts_url", &self.spotify_accounts_url)
            .field("spotify_api_url", &self.spotify_api_url)
            .finish()
    }
}

/// The JSON API (`/v1/...` Spotify-compatible, `/api/...` Selecta's own): access, limits, CORS.
/// Turned into the API crate's [`selecta_api::ApiConfig`] by `From`.
#[derive(Clone, Args)]
pub struct ApiArgs {
    /// API keys, comma-separated. When set, `/v1/...` and Selecta's `/api/...` data endpoints
    /// require `Authorization: Bearer <key>`; unset, they are open.
    #[arg(
        long = "api-keys",
        env = "SELECTA_API_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub keys: Vec<String>,

    /// Requests per minute allowed to one API key (or one client IP when no key is used) on
    /// the API; 0 turns the limit off. Over it, 429 with Retry-After.
    #[arg(
        long = "api-rate-limit",
        env = "SELECTA_API_RATE_LIMIT",
        default_value_t = 600
    )]
    pub rate_limit: u32,

    /// Requests one key or IP may send at once before the per-minute rate applies.
    #[arg(long = "api-rate-burst", env = "SELECTA_API_RATE_BURST", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_burst: u32,

    /// How many reverse proxies stand in front of the server, each appending the address it
    /// was reached from to `X-Forwarded-For`. The client IP (for the API's and the web app's
    /// rate limits) is then the address that many entries from the header's right end, the
    /// right-most one no trusted proxy wrote; 0: the connection's address, the header
    /// ignored. Never more than there are: a client could then pick its own IP.
    #[arg(long, env = "SELECTA_TRUSTED_PROXIES", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=10))]
    pub trusted_proxies: u8,

    /// Deprecated: the same as `--trusted-proxies 1` (one proxy in front). It used to take the
    /// left-most `X-Forwarded-For` address, which the client itself can write.
    #[arg(
        long = "api-trust-forwarded-for",
        env = "SELECTA_API_TRUST_FORWARDED_FOR"
    )]
    pub trust_forwarded_for: bool,

    /// Origins allowed to call the API from a browser (CORS), comma-separated, e.g.
    /// `https://app.example.org`; `*` allows any. Unset: no CORS headers.
    #[arg(
        long = "api-cors-origins",
        env = "SELECTA_API_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// Most seeds (tracks + artists + genres) one `/v1/recommendations` call may give.
    /// Spotify allowed 5; up to 50.
    #[arg(long = "api-max-seeds", env = "SELECTA_API_MAX_SEEDS", default_value_t = 5,
          value_parser = clap::value_parser!(u8).range(1..=50))]
    pub max_seeds: u8,

    /// The public base URL of this server (`https://selecta.example.org`), used in the `href`
    /// links of API objects. Unset: `http://` + the request's Host header.
    #[arg(long = "public-url", env = "SELECTA_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
}

impl std::fmt::Debug for ApiArgs {
    // The keys stay out of logs and panics, like the other secrets; the rest as in the
    // API's own settings.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ApiArgs")
            .field(&selecta_api::ApiConfig::from(self))
            .finish()
    }
}

impl ApiArgs {
    /// The trusted proxies: `--trusted-proxies`, or 1 for the deprecated
    /// `--api-trust-forwarded-for` alone.
    pub fn proxies(&self) -> usize {
        match (self.trusted_proxies, self.trust_forwarded_for) {
            (0, true) => 1,
            (n, _) => usize::from(n),
        }
    }
}

impl From<&ApiArgs> for selecta_api::ApiConfig {
    // The flags already checked ranges and the URL's form; the API takes them as they are.
    fn from(args: &ApiArgs) -> Self {
        selecta_api::ApiConfig {
            keys: args.keys.clone(),
            rate_limit: args.rate_limit,
            rate_burst: args.rate_burst,
            trusted_proxies: args.proxies(),
            cors_origins: args.cors_origins.clone(),
            max_seeds: usize::from(args.max_seeds),
            public_url: args.public_url.clone(),
            // `serve` sets its own (`ServeArgs::limits`).
            limits: selecta_api::limits::Limits::default(),
        }
    }
}

/// A secret flag's value: kept in a [`SecretString`], whose `Debug` never shows it.
fn secret(s: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(s))
}

/// `http(s)://host[:port][/prefix]`, without a trailing slash.
fn parse_public_url(s: &str) -> Result<String, String> {
    let t = s.trim().trim_end_matches('/');
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .ok_or_else(|| format!("`{s}` must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(format!("`{s}` has no host"));
    }
    Ok(t.to_string())
}

/// Where the catalog and the model come from (shared by serve, recommend, describe).
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// The model artifact: a path or `s3://bucket/key`. Unset: the copy at --model-cache if it
    /// was fitted from --catalog as it is now (by its `.source.json` record), else a new fit.
    #[arg(long = "model", env = "MODEL_URL")]
    pub model_url: Option<String>,

    /// Local copy of the model in service: the last good download of --model, or the model
    /// fitted from --catalog. The server starts from it when S3 is unreachable.
    #[arg(
        long,
        env = "SELECTA_MODEL_CACHE",
        default_value = "data/model.selecta"
    )]
    pub model_cache: PathBuf,

    /// The catalog to fit a model on when no --model is given (CSV, gzip'd CSV or a folder of
    /// the seed's `meta.json` files).
    #[arg(
        long,
        env = "SELECTA_CATALOG",
        default_value = "data/spotify_songs.csv.gz"
    )]
    pub catalog: PathBuf,

    #[command(flatten)]
    pub s3: S3Args,
}

/// How to reach S3 or an S3-compatible store. Credentials come from the standard AWS variables
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) or `~/.aws/credentials`.
#[derive(Debug, Clone, Args)]
pub struct S3Args {
    /// Endpoint of an S3-compatible store, e.g. `http://127.0.0.1:9000` (MinIO) or
    /// `https://storage.yandexcloud.net`. Unset: AWS.
    #[arg(long, env = "S3_ENDPOINT_URL")]
    pub s3_endpoint: Option<String>,

    /// Signing region.
    #[arg(long, env = "AWS_REGION")]
    pub s3_region: Option<String>,

    /// Address buckets as `endpoint/bucket/key` (MinIO, Ceph, moto need it).
    #[arg(long, env = "S3_FORCE_PATH_STYLE", default_value_t = false)]
    pub s3_path_style: bool,
}

/// `selecta fit`
#[derive(Debug, Clone, Args)]
pub struct FitArgs {
    /// A catalog: CSV or gzip'd CSV in any layout of docs/catalogs.md, a folder of such files
    /// or of `meta.json` files, or `s3://bucket/prefix/` holding
    /// `tracks/<genre>/<artist_track>/meta.json` objects. Repeat to merge several: one entry
    /// per track id, the first catalog's values first (docs/catalogs.md).
    #[arg(
        long,
        env = "SELECTA_CATALOG",
        default_value = "data/spotify_songs.csv.gz"
    )]
    pub catalog: Vec<String>,

    /// Fold in the tracks learned through Spotify lookups (the `lookups.json` that `serve`,
    /// `recommend` and `bot` keep beside their model cache): their sound is estimated from
    /// their artists' tracks in the merged catalog; those with none are left out.
    #[arg(long, value_name = "FILE")]
    pub lookups: Option<std::path::PathBuf>,

    /// Where to write the artifact: a path or `s3://bucket/key`.
    #[arg(long)]
    pub out: String,

    /// Import the valid rows and report the invalid ones instead of refusing the catalog.
    #[arg(long)]
    pub skip_invalid: bool,

    /// Variance the PCA keeps (0 < v <= 1).
    #[arg(long)]
    pub variance: Option<f64>,

    /// Learn the scoring weights and the ranker from the catalog's playlists (folds of
    /// held-out playlists; about 15 s more on the bundled catalog in a release build). The
    /// default when the catalog has a playlist of 10 or more tracks; with this flag, a catalog
    /// without one is an error.
    #[arg(long, conflicts_with = "no_learn")]
    pub learn: bool,

    /// Do not learn: the built-in weights, no ranker (a fit of a few seconds).
    #[arg(long)]
    pub no_learn: bool,

    #[command(flatten)]
    pub s3: S3Args,
}

/// `--order` of `selecta recommend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    /// Most relevant first.
    Similarity,
    /// A listening order: each track close to the previous one in tempo, energy and key.
    Flow,
}

impl From<OrderArg> for selecta_types::Order {
    fn from(o: OrderArg) -> Self {
        match o {
            OrderArg::Similarity => selecta_types::Order::Similarity,
            OrderArg::Flow => selecta_types::Order::Flow,
        }
    }
}

/// `selecta recommend`
#[derive(Debug, Clone, Args)]
pub struct RecommendArgs {
    /// A seed track: catalog id, `spotify:track:ID`, an open.spotify.com track or artist link
    /// or `artist - title`. A Spotify track or artist the catalog lacks is looked up when
    /// Spotify is configured (SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET). Repeat for several
    /// (1 to 50).
    #[arg(long = "seed", short = 's', required = true)]
    pub seeds: Vec<String>,

    /// Number of tracks (1 to 100).
    #[arg(long, short = 'n', default_value_t = 30)]
    pub length: usize,

    /// Most tracks per artist; 0 for no cap.
    #[arg(long, default_value_t = 2)]
    pub artist_cap: usize,

    /// Keep remixes, remasters and live versions of the same song as separate tracks.
    #[arg(long)]
    pub keep_versions: bool,

    /// A track id never to return (repeatable).
    #[arg(long = "exclude")]
    pub exclude: Vec<String>,

    /// An artist never to return (repeatable).
    #[arg(long = "block-artist")]
    pub block_artists: Vec<String>,

    /// "Less like this" track, given like a seed (repeatable).
    #[arg(long = "negative")]
    pub negative: Vec<String>,

    /// Lowest value of an attribute, `NAME=VALUE`, e.g. `energy=0.6` (repeatable). Attributes:
    /// acousticness, danceability, duration_ms, energy, instrumentalness, key, liveness,
    /// loudness, mode, popularity, speechiness, tempo, time_signature, valence, year.
    #[arg(long = "min", value_name = "NAME=VALUE")]
    pub min: Vec<String>,

    /// Highest value of an attribute, `NAME=VALUE` (repeatable).
    #[arg(long = "max", value_name = "NAME=VALUE")]
    pub max: Vec<String>,

    /// Preferred value of an attribute, `NAME=VALUE` (repeatable).
    #[arg(long = "target", value_name = "NAME=VALUE")]
    pub target: Vec<String>,

    /// Track order: `similarity` (most relevant first) or `flow` (smooth tempo/energy/key).
    #[arg(long, value_enum, default_value_t = OrderArg::Similarity)]
    pub order: OrderArg,

    /// Print JSON (the `Playlist` document described in docs/cli.md) instead of a table.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub model: ModelArgs,

    /// Spotify (to look up seeds the catalog lacks) and Redis (to share the lookup cache).
    #[command(flatten)]
    pub web: WebArgs,
}

/// `selecta describe`
#[derive(Debug, Clone, Args)]
pub struct DescribeArgs {
    /// The track: catalog id, `spotify:track:ID`, an open.spotify.com link or `artist - title`.
    pub track: String,

    /// How many nearest tracks to list.
    #[arg(long, short = 'k', default_value_t = 5)]
    pub neighbours: usize,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub model: ModelArgs,
}

/// `selecta bench`
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Tracks in the synthetic catalog, drawn from the distributions of --catalog.
    #[arg(long, default_value_t = 1_000_000)]
    pub tracks: usize,

    /// Playlists to time (30 tracks from 5 random seeds each).
    #[arg(long, default_value_t = 200)]
    pub queries: usize,

    /// The real catalog whose distributions the synthetic one follows.
    #[arg(
        long,
        env = "SELECTA_CATALOG",
        default_value = "data/spotify_songs.csv.gz"
    )]
    pub catalog: PathBuf,

    /// Seed of the random generator.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Print JSON.
    #[arg(long)]
    pub json: bool,

    /// Also time the same playlists with the weights and ranker learned from --catalog's
    /// playlists (as `selecta fit` learns them; the synthetic catalog has none), as a served
    /// learned model answers. Learning takes about 15 s on the bundled catalog (release).
    #[arg(long, conflicts_with = "write_catalog")]
    pub learned: bool,

    /// Write the synthetic catalog to this CSV file (gzip'd when it ends in `.gz`) in
    /// `--layout`, instead of fitting and timing: a file to measure `selecta fit` (merging
    /// several) and `selecta serve` on.
    #[arg(long, value_name = "FILE")]
    pub write_catalog: Option<PathBuf>,

    /// The public data set whose columns `--write-catalog` writes.
    #[arg(long, value_enum, default_value_t = CatalogLayout::Songs1_2m, requires = "write_catalog")]
    pub layout: CatalogLayout,
}

/// A public data set's CSV layout (docs/catalogs.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogLayout {
    /// TidyTuesday `spotify_songs.csv`, the bundled catalog's.
    Tidytuesday,
    /// "Spotify Tracks Dataset" (114 genres), `dataset.csv`.
    Tracks114,
    /// "Spotify 1.2M+ Songs", `tracks_features.csv` (artist ids, album ids).
    #[value(name = "songs-1.2m")]
    Songs1_2m,
    /// "Spotify Dataset 1921-2020, 600k+ Tracks", `tracks.csv` (artist ids).
    Tracks600k,
    /// "Spotify Dataset 1921-2020, 160k+ Tracks", `data.csv`.
    Data160k,
}

impl From<CatalogLayout> for selecta_catalog::Layout {
    fn from(l: CatalogLayout) -> Self {
        use selecta_catalog::Layout;
        match l {
            CatalogLayout::Tidytuesday => Layout::TidyTuesday,
            CatalogLayout::Tracks114 => Layout::SpotifyTracks114,
            CatalogLayout::Songs1_2m => Layout::Songs1_2M,
            CatalogLayout::Tracks600k => Layout::Tracks600k,
            CatalogLayout::Data160k => Layout::Data160k,
        }
    }
}

/// `selecta bot`
#[derive(Clone, Args)]
pub struct BotArgs {
    /// The bot's token from @BotFather. Prefer the environment variable: a flag shows in the
    /// process list.
    #[arg(long, env = "TELOXIDE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// The Bot API server, e.g. `http://127.0.0.1:8081` for a local telegram-bot-api.
    /// Unset: https://api.telegram.org.
    #[arg(long, env = "TELOXIDE_API_URL")]
    pub api_url: Option<String>,

    /// Requests one chat may send at once before the per-minute rate applies.
    #[arg(long, env = "SELECTA_BOT_RATE_BURST", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_burst: u32,

    /// Requests per minute one chat may send after the burst.
    #[arg(long, env = "SELECTA_BOT_RATE_PER_MINUTE", default_value_t = 20)]
    pub rate_per_minute: u32,

    #[command(flatten)]
    pub model: ModelArgs,

    /// Spotify (to look up links to tracks and artists the catalog lacks) and Redis (to
    /// share the lookup cache).
    #[command(flatten)]
    pub web: WebArgs,
}

impl std::fmt::Debug for BotArgs {
    // The token stays out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotArgs")
            .field("token", &self.token.as_ref().map(|_| "<hidden>"))
            .field("api_url", &self.api_url)
            .field("rate_burst", &self.rate_burst)
            .field("rate_per_minute", &self.rate_per_minute)
            .field("model", &self.model)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_is_the_default_with_embedded_defaults() {
        let Command::Serve(args) = Cli::parse_from(["selecta"]).into_command() else {
            panic!("serve is the default");
        };
        assert_eq!(args.addr, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(args.site_root, PathBuf::from("target/site"));
        assert_eq!(args.model.model_cache, PathBuf::from("data/model.selecta"));
        assert!(args.model.model_url.is_none());
        assert!(args.api.keys.is_empty());
        assert_eq!(args.api.max_seeds, 5);
        assert_eq!(args.api.rate_limit, 600);
        assert!(args.api.cors_origins.is_empty());
    }

    #[test]
    fn api_options_parse_lists_and_check_ranges() {
        let Command::Serve(args) = Cli::parse_from([
            "selecta",
            "--api-keys",
            "k1,k2",
            "--api-cors-origins",
            "https://a.example,https://b.example",
            "--api-max-seeds",
            "20",
            "--public-url",
            "https://selecta.example.org/",
        ])
        .into_command() else {
            panic!("serve is the default");
        };
        assert_eq!(args.api.keys, ["k1", "k2"]);
        assert_eq!(
            args.api.cors_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(args.api.max_seeds, 20);
        assert_eq!(
            args.api.public_url.as_deref(),
            Some("https://selecta.example.org")
        );
        let err = Cli::try_parse_from(["selecta", "--api-max-seeds", "51"]).unwrap_err();
        assert!(err.to_string().contains("51"), "{err}");
        let err = Cli::try_parse_from(["selecta", "--public-url", "selecta.org"]).unwrap_err();
        assert!(err.to_string().contains("http://"), "{err}");
    }

    #[test]
    fn web_options_default_to_catalog_only_and_hide_secrets() {
        let Command::Serve(args) = Cli::parse_from(["selecta"]).into_command() else {
            panic!("serve is the default");
        };
        assert!(args.web.spotify_client_id.is_none());
        assert_eq!(
            args.web.spotify_redirect_uri,
            "http://127.0.0.1:3000/auth/callback"
        );
        assert_eq!(
            args.web.spotify_accounts_url,
            "https://accounts.spotify.com"
        );
        let Command::Serve(args) = Cli::parse_from([
            "selecta",
            "--spotify-client-id",
            "abc",
            "--spotify-client-secret",
            "s3cr3t-value",
            "--redis-url",
            "redis://:pw-value@127.0.0.1:6379",
            "--admin-token",
            "adm1n-value",
            "--api-keys",
            "k3y-value",
        ])
        .into_command() else {
            panic!("serve is the default");
        };
        let shown = format!("{args:?}");
        assert!(shown.contains("abc"), "{shown}");
        for secret in ["s3cr3t-value", "pw-value", "adm1n-value", "k3y-value"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }

    #[test]
    fn api_flags_become_the_api_settings_with_the_same_defaults() {
        let Command::Serve(args) = Cli::parse_from(["selecta"]).into_command() else {
            panic!("serve is the default");
        };
        assert_eq!(
            selecta_api::ApiConfig::from(&args.api),
            selecta_api::ApiConfig::default()
        );
        let Command::Serve(args) = Cli::parse_from([
            "selecta",
            "--api-keys",
            "key-one-value,key-two-value",
            "--api-max-seeds",
            "20",
            "--api-rate-limit",
            "0",
        ])
        .into_command() else {
            panic!("serve is the default");
        };
        let config = selecta_api::ApiConfig::from(&args.api);
        assert_eq!(config.keys, ["key-one-value", "key-two-value"]);
        assert_eq!(config.max_seeds, 20);
        assert_eq!(config.rate_limit, 0);
        let shown = format!("{args:?} {config:?}");
        assert!(shown.contains("max_seeds: 20"), "{shown}");
        assert!(!shown.contains("key-one-value"), "{shown}");
    }

    #[test]
    fn proxies_and_web_limits() {
        let serve = |argv: &[&str]| {
            let mut all = vec!["selecta"];
            all.extend_from_slice(argv);
            match Cli::parse_from(all).into_command() {
                Command::Serve(args) => args,
                _ => panic!("serve is the default"),
            }
        };
        let args = serve(&[]);
        assert_eq!(args.api.proxies(), 0);
        assert_eq!(args.pages.web_rate_limit, 600);
        assert_eq!(args.pages.web_rate_burst, 120);
        assert_eq!(args.pages.max_sessions, 10_000);
        // The old flag still works, as one proxy in front.
        assert_eq!(serve(&["--api-trust-forwarded-for"]).api.proxies(), 1);
        assert_eq!(serve(&["--trusted-proxies", "2"]).api.proxies(), 2);
        assert_eq!(
            serve(&["--trusted-proxies", "2", "--api-trust-forwarded-for"])
                .api
                .proxies(),
            2
        );
        let args = serve(&["--trusted-proxies", "1", "--web-rate-limit", "0"]);
        assert_eq!(selecta_api::ApiConfig::from(&args.api).trusted_proxies, 1);
        assert_eq!(args.pages.web_rate_limit, 0);
        for bad in [
            &["--max-sessions", "0"][..],
            &["--web-rate-burst", "0"],
            &["--trusted-proxies", "11"],
        ] {
            let mut all = vec!["selecta"];
            all.extend_from_slice(bad);
            let err = Cli::try_parse_from(all).unwrap_err().to_string();
            assert!(err.contains(bad[0]), "{err}");
        }
    }

    #[test]
    fn recommend_takes_repeated_seeds() {
        let cli = Cli::parse_from([
            "selecta",
            "recommend",
            "--seed",
            "a - b",
            "-s",
            "xyz",
            "-n",
            "10",
            "--min",
            "energy=0.5",
        ]);
        let Command::Recommend(r) = cli.into_command() else {
            panic!("recommend");
        };
        assert_eq!(r.seeds, vec!["a - b", "xyz"]);
        assert_eq!(r.length, 10);
        assert_eq!(r.min, vec!["energy=0.5"]);
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
