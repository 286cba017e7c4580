//! Selecta's Telegram bot: `/predict` and `/describe`, as the seed's @playlist_selection_bot
//! did, on the same model as the web app.
//!
//! Two layers:
//! - [`Responder`]: the whole behaviour as plain functions from a message or a button press
//!   to [`Reply`]s (Telegram HTML text and an inline keyboard), testable without Telegram.
//!   It reads commands ([`input`]), resolves tracks in the catalog (asking with buttons when a
//!   query is ambiguous or unknown, [`choice`]), makes playlists and cards ([`render`]) and
//!   splits long replies under Telegram's limit ([`markup`]).
//! - [`run`]: a thin teloxide dispatcher over long polling that carries those replies, with a
//!   per-chat rate limit ([`limit`]), retries on 429 and 5xx answers, and logs that never hold
//!   the token.
//!
//! ```no_run
//! # async fn example(model: selecta_model::Model) -> Result<(), selecta_bot::BotError> {
//! use std::sync::Arc;
//! use selecta_bot::{run, BotConfig, RateLimit, Responder};
//!
//! let responder = Arc::new(Responder::new(Arc::new(model)));
//! run(
//!     responder,
//!     BotConfig {
//!         token: std::env::var("TELOXIDE_TOKEN").unwrap_or_default(),
//!         api_url: std::env::var("TELOXIDE_API_URL").ok(),
//!         rate: RateLimit::default(),
//!         poll_timeout: std::time::Duration::from_secs(10),
//!     },
//! )
//! .await
//! # }
//! ```

pub mod choice;
pub mod input;
pub mod limit;
pub mod markup;
pub mod render;
pub mod reply;
mod respond;
mod retry;
mod telegram;

pub use input::Input;
pub use limit::{RateLimit, RateLimiter, Verdict};
pub use reply::{Button, ButtonAnswer, Reply, PARSE_MODE};
pub use respond::{Responder, CARD_NEIGHBOURS};
pub use telegram::{run, BotConfig, BotError};
