//! `selecta bot`: the Telegram bot on the model the web server would load; SIGHUP reloads it.

use std::sync::Arc;
use std::time::Duration;

use selecta_bot::{BotConfig, RateLimit, Responder};
use selecta_engine::Runtime;

use crate::config::BotArgs;
use crate::model_source;

/// How long one `getUpdates` long poll waits (teloxide's HTTP client gives up after 17 s).
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// Checks the settings, loads the model, then answers Telegram until SIGINT or SIGTERM.
pub async fn run(args: BotArgs) -> anyhow::Result<()> {
    let config = BotConfig {
        token: args.token.clone().unwrap_or_default(),
        api_url: args.api_url.clone().filter(|u| !u.trim().is_empty()),
        rate: RateLimit {
            burst: args.rate_burst,
            per_minute: args.rate_per_minute,
        },
        poll_timeout: POLL_TIMEOUT,
    };
    // A missing token or a bad URL is said at once, not after loading the model.
    config.check()?;
    // The neighbour table is computed in the background: the bot answers (by searching)
    // meanwhile. SIGHUP reloads the model, as for `selecta serve`.
    let runtime = Runtime::start(model_source::source(&args.model)).await?;
    runtime.reload_on_sighup();
    let lookup = crate::serve::cli_lookups(&args.web, &args.model.model_cache).await?;
    let responder = Arc::new(Responder::serving(runtime.handle().clone()).with_lookup(lookup));
    selecta_bot::run(responder, config).await?;
    Ok(())
}
