//! `selecta bot`: the Telegram bot on the model the web server would load.

use std::sync::Arc;
use std::time::Duration;

use selecta_bot::{BotConfig, RateLimit, Responder};

use crate::config::BotArgs;
use crate::engine;

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
    let model = engine::load_model(&args.model).await?;
    let model = Arc::new(model);
    // Computed in the background: the bot answers (by searching) meanwhile.
    engine::prepare_in_background(Arc::clone(&model));
    let responder = Arc::new(Responder::new(model));
    selecta_bot::run(responder, config).await?;
    Ok(())
}
