//! The thin Telegram layer: long polling, the per-chat rate limit, carrying the
//! [`Responder`]'s replies to the Bot API, retries on 429 and 5xx, and logs without the token.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use teloxide::adaptors::CacheMe;
use teloxide::dispatching::{Dispatcher, UpdateFilterExt};
use teloxide::dptree;
use teloxide::error_handlers::ErrorHandler;
use teloxide::payloads::{AnswerCallbackQuerySetters, EditMessageTextSetters, SendMessageSetters};
use teloxide::requests::{Request, Requester, RequesterExt};
use teloxide::types::{
    CallbackQuery, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, Me, Message, MessageId,
    ParseMode, Update,
};
use teloxide::update_listeners::Polling;
use teloxide::{ApiError, RequestError};

use crate::input::{self, Input};
use crate::limit::{RateLimit, RateLimiter, Verdict};
use crate::reply::{Button, Reply};
use crate::respond::Responder;
use crate::retry::{with_retry, Redact};

/// The Bot API client as the bot uses it (`getMe` answered once, then from memory).
type Api = CacheMe<teloxide::Bot>;

/// How to run the bot.
#[derive(Clone)]
pub struct BotConfig {
    /// The bot's token from @BotFather (never logged).
    pub token: String,
    /// Bot API server, e.g. `http://127.0.0.1:8081` for a local one; `None`: Telegram's.
    pub api_url: Option<String>,
    /// Requests each chat may make.
    pub rate: RateLimit,
    /// How long one `getUpdates` long poll waits for updates (below the HTTP client's 17 s).
    pub poll_timeout: Duration,
}

impl std::fmt::Debug for BotConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotConfig")
            .field("token", &"<hidden>")
            .field("api_url", &self.api_url)
            .field("rate", &self.rate)
            .field("poll_timeout", &self.poll_timeout)
            .finish()
    }
}

impl BotConfig {
    /// Checks the settings that need no network (a token is given, the URL parses), so that
    /// a caller can refuse them before loading a model.
    pub fn check(&self) -> Result<(), BotError> {
        if self.token.trim().is_empty() {
            return Err(BotError::NoToken);
        }
        if let Some(url) = &self.api_url {
            api_url(url)?;
        }
        Ok(())
    }
}

/// Why the bot could not start.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// No token.
    #[error("no bot token: set TELOXIDE_TOKEN or pass --token")]
    NoToken,
    /// The API URL does not parse.
    #[error("--api-url / TELOXIDE_API_URL `{url}` is not a URL: {reason}")]
    BadApiUrl {
        /// As given.
        url: String,
        /// Why.
        reason: String,
    },
    /// `getMe` failed for good (a wrong token, or no Bot API server answering).
    #[error("the Bot API at {api} did not accept the bot: {reason}")]
    Start {
        /// The server.
        api: String,
        /// What it said, token removed.
        reason: String,
    },
}

/// Shared by every handler.
struct Context {
    responder: Arc<Responder>,
    limiter: Mutex<RateLimiter>,
    redact: Redact,
}

/// Runs the bot until SIGINT or SIGTERM: long polling, one worker per chat (a chat's
/// messages are answered in order, chats in parallel), replies computed off the async
/// threads. Returns an error only when the bot cannot start.
pub async fn run(responder: Arc<Responder>, config: BotConfig) -> Result<(), BotError> {
    config.check()?;
    let redact = Redact(config.token.clone());
    let mut bot = teloxide::Bot::new(config.token.clone());
    let api = match &config.api_url {
        Some(url) => {
            let parsed = api_url(url)?;
            bot = bot.set_api_url(parsed);
            url.clone()
        }
        None => "https://api.telegram.org".to_owned(),
    };
    let bot = bot.cache_me();

    let me = with_retry(&redact, "getMe", || bot.get_me().send_ref())
        .await
        .map_err(|e| BotError::Start {
            api: api.clone(),
            reason: redact.error(&e),
        })?;
    tracing::info!(
        bot = %me.username(),
        api = %api,
        tracks = responder.model().len(),
        "bot started; polling for updates"
    );
    drop_webhook(&bot, &redact).await;

    let ctx = Arc::new(Context {
        responder,
        limiter: Mutex::new(RateLimiter::new(config.rate)),
        redact: redact.clone(),
    });
    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_button));
    let listener = Polling::builder(bot.clone())
        .timeout(config.poll_timeout)
        .build();
    let mut dispatcher = Dispatcher::builder(bot, handler)
        .dependencies(dptree::deps![ctx])
        .default_handler(|update| async move {
            tracing::debug!(
                update = update.id.0,
                "update of a kind the bot does not handle"
            );
        })
        .error_handler(Arc::new(LogErrors {
            what: "handling an update",
            redact: redact.clone(),
        }))
        .build();
    let shutdown = dispatcher.shutdown_token();
    tokio::spawn(async move {
        stop_signal().await;
        tracing::info!("stopping the bot");
        // Shutting down is refused while the dispatcher is still starting: try again.
        loop {
            match shutdown.shutdown() {
                Ok(done) => break done.await,
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
    dispatcher
        .dispatch_with_listener(
            listener,
            Arc::new(LogErrors {
                what: "getting updates",
                redact,
            }),
        )
        .await;
    Ok(())
}

fn api_url(url: &str) -> Result<url::Url, BotError> {
    let bad = |reason: String| BotError::BadApiUrl {
        url: url.to_owned(),
        reason,
    };
    // A trailing slash would make `/bot<token>/method` paths start with `//`.
    let parsed = url::Url::parse(url.trim_end_matches('/')).map_err(|e| bad(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.cannot_be_a_base() {
        return Err(bad("expected an http:// or https:// address".into()));
    }
    Ok(parsed)
}

/// A webhook left set would make every `getUpdates` fail: remove it (errors only logged).
async fn drop_webhook(bot: &Api, redact: &Redact) {
    match with_retry(redact, "getWebhookInfo", || {
        bot.get_webhook_info().send_ref()
    })
    .await
    {
        Ok(info) if info.url.is_some() => {
            tracing::warn!("a webhook is set for this bot; removing it to poll for updates");
            if let Err(e) =
                with_retry(redact, "deleteWebhook", || bot.delete_webhook().send_ref()).await
            {
                tracing::error!(error = %redact.error(&e), "cannot remove the webhook");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %redact.error(&e), "cannot check for a webhook"),
    }
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Logs errors of the update listener and of handlers, token removed; the bot goes on.
struct LogErrors {
    what: &'static str,
    redact: Redact,
}

impl<E: std::fmt::Display + Send + 'static> ErrorHandler<E> for LogErrors {
    fn handle_error(
        self: Arc<Self>,
        error: E,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        let text = self.redact.error(&error);
        let what = self.what;
        Box::pin(async move {
            tracing::error!(error = %text, "{what} failed; going on");
        })
    }
}

/// Why a handler stopped (logged by [`LogErrors`]; the chat was answered where possible).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct HandlerError(String);

async fn on_message(bot: Api, msg: Message, me: Me, ctx: Arc<Context>) -> Result<(), HandlerError> {
    let chat = msg.chat.id;
    let private = msg.chat.is_private();
    let input = match msg.text() {
        Some(text) => input::parse(text, me.username(), private),
        None if private => Input::FreeText(String::new()),
        None => Input::Ignored,
    };
    if input == Input::Ignored {
        return Ok(());
    }
    let replies = match admit(&ctx, chat) {
        Admit::Go => {
            let responder = Arc::clone(&ctx.responder);
            let started = Instant::now();
            let kind = input_kind(&input);
            match tokio::task::spawn_blocking(move || responder.respond(chat.0, input)).await {
                Ok(replies) => {
                    tracing::info!(
                        chat = chat.0,
                        request = kind,
                        replies = replies.len(),
                        ms = started.elapsed().as_millis() as u64,
                        "answered"
                    );
                    replies
                }
                Err(e) => {
                    tracing::error!(chat = chat.0, request = kind, error = %e, "answering failed");
                    vec![Reply::text(SORRY)]
                }
            }
        }
        Admit::Warn(text) => vec![Reply::text(text)],
        Admit::Drop => return Ok(()),
    };
    for reply in replies {
        send(&bot, &ctx.redact, chat, &reply).await?;
    }
    Ok(())
}

async fn on_button(bot: Api, q: CallbackQuery, ctx: Arc<Context>) -> Result<(), HandlerError> {
    let Some(message) = q.message.as_ref() else {
        // A button of an inline message: the bot sends none.
        return Ok(());
    };
    let chat = message.chat().id;
    let message_id = message.id();
    let data = q.data.clone().unwrap_or_default();
    let answer = match admit(&ctx, chat) {
        Admit::Go => {
            let responder = Arc::clone(&ctx.responder);
            match tokio::task::spawn_blocking(move || responder.press(chat.0, &data)).await {
                Ok(answer) => answer,
                Err(e) => {
                    tracing::error!(chat = chat.0, error = %e, "answering a button failed");
                    crate::reply::ButtonAnswer {
                        send: vec![Reply::text(SORRY)],
                        ..Default::default()
                    }
                }
            }
        }
        Admit::Warn(text) => crate::reply::ButtonAnswer {
            notice: Some(text),
            ..Default::default()
        },
        Admit::Drop => Default::default(),
    };
    // The button's spinner stops only when the query is answered, whatever else happens.
    let mut ack = bot.answer_callback_query(q.id.clone());
    if let Some(notice) = &answer.notice {
        ack = ack.text(notice.clone());
    }
    if let Err(e) = with_retry(&ctx.redact, "answerCallbackQuery", || ack.send_ref()).await {
        tracing::warn!(chat = chat.0, error = %ctx.redact.error(&e), "cannot answer the button");
    }
    if let Some(edit) = &answer.edit {
        edit_message(&bot, &ctx.redact, chat, message_id, edit).await?;
    }
    for reply in &answer.send {
        send(&bot, &ctx.redact, chat, reply).await?;
    }
    tracing::info!(chat = chat.0, sent = answer.send.len(), "button answered");
    Ok(())
}

const SORRY: &str = "😔 Sorry, something went wrong on my side. Please try again in a minute.";

enum Admit {
    Go,
    Warn(String),
    Drop,
}

fn admit(ctx: &Context, chat: ChatId) -> Admit {
    let verdict = ctx
        .limiter
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .check(chat.0, Instant::now());
    match verdict {
        Verdict::Allow => Admit::Go,
        Verdict::Warn(wait) => {
            tracing::info!(chat = chat.0, "rate limited");
            let secs = wait.as_secs_f64().ceil().min(3600.0) as u64;
            Admit::Warn(format!(
                "⏳ Too many requests at once. Please wait {secs} s before the next one."
            ))
        }
        Verdict::Drop => Admit::Drop,
    }
}

fn input_kind(input: &Input) -> &'static str {
    match input {
        Input::Start => "start",
        Input::Help => "help",
        Input::Predict(_) => "predict",
        Input::Describe(_) => "describe",
        Input::FreeText(_) => "text",
        Input::UnknownCommand(_) => "unknown",
        Input::Ignored => "ignored",
    }
}

fn keyboard(rows: &[Vec<Button>]) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(rows.iter().map(|row| {
        row.iter()
            .map(|b| InlineKeyboardButton::callback(b.text.clone(), b.data.clone()))
            .collect::<Vec<_>>()
    }))
}

async fn send(bot: &Api, redact: &Redact, chat: ChatId, reply: &Reply) -> Result<(), HandlerError> {
    let mut req = bot
        .send_message(chat, reply.text.clone())
        .parse_mode(ParseMode::Html)
        .link_preview_options(no_preview());
    if !reply.keyboard.is_empty() {
        req = req.reply_markup(keyboard(&reply.keyboard));
    }
    with_retry(redact, "sendMessage", || req.send_ref())
        .await
        .map(|_| ())
        .map_err(|e| HandlerError(format!("sending to chat {}: {}", chat.0, redact.error(&e))))
}

async fn edit_message(
    bot: &Api,
    redact: &Redact,
    chat: ChatId,
    id: MessageId,
    reply: &Reply,
) -> Result<(), HandlerError> {
    let mut req = bot
        .edit_message_text(chat, id, reply.text.clone())
        .parse_mode(ParseMode::Html)
        .link_preview_options(no_preview());
    if !reply.keyboard.is_empty() {
        req = req.reply_markup(keyboard(&reply.keyboard));
    }
    match with_retry(redact, "editMessageText", || req.send_ref()).await {
        Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
        Err(e) => Err(HandlerError(format!(
            "editing a message in chat {}: {}",
            chat.0,
            redact.error(&e)
        ))),
    }
}

/// Playlists hold many links: a preview of the first would push the list down.
fn no_preview() -> teloxide::types::LinkPreviewOptions {
    teloxide::types::LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}
