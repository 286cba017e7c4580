//! A stand-in of the Telegram Bot API for tests: it speaks the real HTTP API
//! (`POST /bot<TOKEN>/<method>` with JSON, form or query parameters; `{"ok":..}` answers),
//! holds the updates that a test makes users send, serves them by `getUpdates` long polling
//! with Telegram's offset rules, checks what the bot sends as Telegram would (HTML entities,
//! the 4096-character limit, callback data of at most 64 bytes) and records every request.
//! On demand it answers a method with 429 (`retry_after`) or a 5xx.

#![allow(dead_code)] // each test binary uses a different part

pub mod html;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Value};

/// The bot's own user, as `getMe` describes it.
pub const BOT_ID: i64 = 424242;
pub const BOT_USERNAME: &str = "selecta_test_bot";

/// An answer the stand-in gives instead of the real one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// 429 Too Many Requests with `parameters.retry_after` seconds.
    RetryAfter(u32),
    /// A server error with this status (500, 502...), JSON body as the Bot API sends.
    Status(u16),
    /// 400 with `Bad Request: <description>`: the request's own fault, not worth retrying.
    BadRequest(&'static str),
}

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub params: Value,
    /// The HTTP status answered.
    pub status: u16,
    /// The `result` (or the error description) answered.
    pub response: Value,
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    next_update_id: i64,
    updates: Vec<Value>,
    requests: Vec<Recorded>,
    faults: HashMap<String, VecDeque<Fault>>,
    next_message_id: HashMap<i64, i64>,
    /// Messages the bot sent, by (chat, message id): text and markup, for edits and buttons.
    bot_messages: HashMap<(i64, i64), Value>,
    callbacks: Vec<String>,
    /// `getUpdates` calls that got past the faults (counted on arrival, not on answer).
    polls_started: usize,
}

struct Shared {
    token: String,
    inner: Mutex<Inner>,
    new_update: tokio::sync::Notify,
}

/// A running stand-in on 127.0.0.1; stopped on drop.
pub struct StandIn {
    pub url: String,
    pub token: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StandIn {
    /// Starts a stand-in that accepts `token`.
    pub fn start(token: &str) -> StandIn {
        let shared = Arc::new(Shared {
            token: token.to_owned(),
            inner: Mutex::new(Inner {
                next_update_id: 1000,
                ..Inner::default()
            }),
            new_update: tokio::sync::Notify::new(),
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new()
            .route("/{bot}/{method}", any(call))
            .with_state(Arc::clone(&shared));
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
            // Long polls still waiting are dropped with the runtime.
            rt.shutdown_timeout(Duration::from_millis(100));
        });
        StandIn {
            url,
            token: token.to_owned(),
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap()
    }

    fn push_update(&self, mut update: Value) -> i64 {
        let id = {
            let mut inner = self.lock();
            let id = inner.next_update_id;
            inner.next_update_id += 1;
            update["update_id"] = json!(id);
            inner.updates.push(update);
            id
        };
        self.shared.new_update.notify_waiters();
        id
    }

    /// A user (id = chat id) writes `text` in their private chat with the bot.
    pub fn user_says(&self, chat: i64, text: &str) -> i64 {
        let message_id = self.next_message_id(chat);
        let mut message = json!({
            "message_id": message_id,
            "date": unix_now(),
            "chat": {"id": chat, "type": "private", "first_name": format!("User{chat}")},
            "from": user(chat),
            "text": text,
        });
        // Telegram marks a leading command as an entity.
        if text.starts_with('/') {
            let len = text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .encode_utf16()
                .count();
            message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
        }
        self.push_update(json!({ "message": message }))
    }

    /// A user sends a sticker (a message without text).
    pub fn user_sends_sticker(&self, chat: i64) -> i64 {
        let message_id = self.next_message_id(chat);
        self.push_update(json!({"message": {
            "message_id": message_id,
            "date": unix_now(),
            "chat": {"id": chat, "type": "private", "first_name": format!("User{chat}")},
            "from": user(chat),
            "sticker": {
                "file_id": "s1", "file_unique_id": "u1", "type": "regular",
                "width": 512, "height": 512, "is_animated": false, "is_video": false
            }
        }}))
    }

    /// An update exactly as given (for updates the bot cannot read).
    pub fn raw_update(&self, update: Value) -> i64 {
        self.push_update(update)
    }

    /// The user of `chat` presses the button with `data` under the bot's message
    /// `message_id`; returns the callback query id.
    pub fn press(&self, chat: i64, message_id: i64, data: &str) -> String {
        let (message, id) = {
            let mut inner = self.lock();
            let message = inner
                .bot_messages
                .get(&(chat, message_id))
                .cloned()
                .expect("a message the bot sent");
            let id = format!("cq{}", inner.callbacks.len() + 1);
            inner.callbacks.push(id.clone());
            (message, id)
        };
        self.push_update(json!({"callback_query": {
            "id": id,
            "from": user(chat),
            "message": message,
            "chat_instance": format!("ci{chat}"),
            "data": data,
        }}));
        id
    }

    /// The next `times` calls of `method` get `fault` instead of their answer.
    pub fn fail(&self, method: &str, fault: Fault, times: usize) {
        let mut inner = self.lock();
        let q = inner.faults.entry(method.to_owned()).or_default();
        for _ in 0..times {
            q.push_back(fault);
        }
    }

    /// How many `getUpdates` calls have started waiting: once one has, the bot is polling, and
    /// a fault set now applies to the next call.
    pub fn polls_started(&self) -> usize {
        self.lock().polls_started
    }

    /// Every request so far (recorded when answered).
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// Waits until `found` returns something for the requests so far.
    pub fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut found: impl FnMut(&[Recorded]) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = found(&self.lock().requests) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; requests: {:#?}",
                self.summary()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// One line per request, for failure messages.
    pub fn summary(&self) -> Vec<String> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.method != "getUpdates" || r.status != 200 || r.response != json!([]))
            .map(|r| {
                let text = r.params.get("text").and_then(Value::as_str).unwrap_or("");
                format!(
                    "{} {} chat={} {:?}",
                    r.method,
                    r.status,
                    r.params.get("chat_id").unwrap_or(&Value::Null),
                    text.chars().take(80).collect::<String>()
                )
            })
            .collect()
    }

    fn next_message_id(&self, chat: i64) -> i64 {
        let mut inner = self.lock();
        let n = inner.next_message_id.entry(chat).or_insert(0);
        *n += 1;
        *n
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.shared.new_update.notify_waiters();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn user(id: i64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": format!("User{id}"), "language_code": "en"})
}

fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "Selecta", "username": BOT_USERNAME})
}

/// The parameters of a request: query string, then a JSON or form body.
fn params(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Result<Value, String> {
    let mut map = serde_json::Map::new();
    let mut add_form = |text: &[u8]| {
        for (k, v) in url::form_urlencoded::parse(text) {
            // Form values of objects (reply_markup...) are JSON text.
            let value = match serde_json::from_str::<Value>(&v) {
                Ok(j @ (Value::Object(_) | Value::Array(_))) => j,
                _ => Value::String(v.into_owned()),
            };
            map.insert(k.into_owned(), value);
        }
    };
    if let Some(q) = query {
        add_form(q.as_bytes());
    }
    let kind = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if kind.starts_with("application/json") {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(o)) => map.extend(o),
            Ok(_) => return Err("Bad Request: parameters must be a JSON object".into()),
            Err(e) => return Err(format!("Bad Request: can't parse JSON: {e}")),
        }
    } else if kind.starts_with("application/x-www-form-urlencoded") {
        add_form(body);
    } else if !body.is_empty() {
        return Err(format!("Bad Request: unsupported content type `{kind}`"));
    }
    Ok(Value::Object(map))
}

/// The methods the stand-in serves, spelled as in the Bot API documentation.
const METHODS: [&str; 7] = [
    "getMe",
    "getUpdates",
    "getWebhookInfo",
    "deleteWebhook",
    "sendMessage",
    "editMessageText",
    "answerCallbackQuery",
];

/// `Err((status, description))` as the Bot API answers errors.
type Answer = Result<Value, (u16, String, Option<Value>)>;

fn bad(description: impl Into<String>) -> (u16, String, Option<Value>) {
    (400, format!("Bad Request: {}", description.into()), None)
}

async fn call(
    State(shared): State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Method names are case-insensitive in the Bot API (teloxide sends `SendMessage`).
    let method = METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(&method))
        .map_or(method, |m| (*m).to_owned());
    let params = params(&headers, query.as_deref(), &body);
    let answer: Answer = if bot != format!("bot{}", shared.token) {
        Err((401, "Unauthorized".into(), None))
    } else {
        match params.clone() {
            Err(e) => Err((400, e, None)),
            Ok(p) => {
                let fault = shared
                    .inner
                    .lock()
                    .unwrap()
                    .faults
                    .get_mut(&method)
                    .and_then(VecDeque::pop_front);
                match fault {
                    Some(Fault::RetryAfter(s)) => Err((
                        429,
                        format!("Too Many Requests: retry after {s}"),
                        Some(json!({ "retry_after": s })),
                    )),
                    Some(Fault::Status(code)) => Err((code, reason(code).into(), None)),
                    Some(Fault::BadRequest(description)) => Err(bad(description)),
                    None => answer(&shared, &method, &p).await,
                }
            }
        }
    };
    let (status, body, response) = match answer {
        Ok(result) => (200, json!({"ok": true, "result": result}), result),
        Err((code, description, parameters)) => {
            let mut b = json!({"ok": false, "error_code": code, "description": description});
            if let Some(p) = parameters {
                b["parameters"] = p;
            }
            (code, b, json!(description))
        }
    };
    shared.inner.lock().unwrap().requests.push(Recorded {
        method,
        params: params.unwrap_or(Value::Null),
        status,
        response,
        at: Instant::now(),
    });
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn reason(code: u16) -> &'static str {
    match code {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Server Error",
    }
}

async fn answer(shared: &Shared, method: &str, p: &Value) -> Answer {
    match method {
        "getMe" => {
            let mut me = bot_user();
            for (k, v) in [
                ("can_join_groups", true),
                ("can_read_all_group_messages", false),
                ("supports_inline_queries", false),
                ("can_connect_to_business", false),
                ("has_main_web_app", false),
            ] {
                me[k] = json!(v);
            }
            Ok(me)
        }
        "getWebhookInfo" => Ok(json!({"url": "", "has_custom_certificate": false,
            "pending_update_count": shared.inner.lock().unwrap().updates.len()})),
        "deleteWebhook" => Ok(json!(true)),
        "getUpdates" => get_updates(shared, p).await,
        "sendMessage" => send_message(shared, p),
        "editMessageText" => edit_message_text(shared, p),
        "answerCallbackQuery" => {
            let id = p["callback_query_id"].as_str().unwrap_or("");
            if !shared
                .inner
                .lock()
                .unwrap()
                .callbacks
                .iter()
                .any(|c| c == id)
            {
                return Err(bad(
                    "query is too old and response timeout expired or query ID is invalid",
                ));
            }
            if p["text"].as_str().is_some_and(|t| t.chars().count() > 200) {
                return Err(bad("MESSAGE_TOO_LONG"));
            }
            Ok(json!(true))
        }
        _ => Err((404, "Not Found".into(), None)),
    }
}

fn int(p: &Value, key: &str) -> Option<i64> {
    match &p[key] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Telegram's rules: updates below `offset` are confirmed and forgotten; a negative offset
/// keeps the last |offset|; with none waiting, wait up to `timeout` seconds for one.
async fn get_updates(shared: &Shared, p: &Value) -> Answer {
    let limit = int(p, "limit").unwrap_or(100).clamp(1, 100) as usize;
    let timeout = Duration::from_secs(int(p, "timeout").unwrap_or(0).max(0) as u64);
    let deadline = tokio::time::Instant::now() + timeout;
    let offset = int(p, "offset");
    shared.inner.lock().unwrap().polls_started += 1;
    loop {
        // Registered before looking, so that an update pushed in between wakes us.
        let notified = shared.new_update.notified();
        {
            let mut inner = shared.inner.lock().unwrap();
            match offset {
                Some(o) if o < 0 => {
                    let keep = (-o) as usize;
                    let n = inner.updates.len();
                    inner.updates.drain(..n.saturating_sub(keep));
                }
                Some(o) => inner
                    .updates
                    .retain(|u| u["update_id"].as_i64().unwrap() >= o),
                None => {}
            }
            if !inner.updates.is_empty() {
                let out: Vec<Value> = inner.updates.iter().take(limit).cloned().collect();
                return Ok(Value::Array(out));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return Ok(json!([]));
        }
    }
}

/// Checks a text as Telegram would for its parse mode; returns what the message shows.
fn checked_text(p: &Value) -> Result<String, (u16, String, Option<Value>)> {
    let text = p["text"]
        .as_str()
        .ok_or_else(|| bad("message text is empty"))?;
    let shown = match p["parse_mode"].as_str() {
        Some("HTML") => html::parse(text).map_err(bad)?,
        None => text.to_owned(),
        Some(other) => {
            return Err(bad(format!(
                "unsupported parse_mode {other} in this stand-in"
            )))
        }
    };
    if shown.trim().is_empty() {
        return Err(bad("message text is empty"));
    }
    if shown.encode_utf16().count() > 4096 {
        return Err(bad("message is too long"));
    }
    Ok(shown)
}

fn checked_markup(p: &Value) -> Result<Option<Value>, (u16, String, Option<Value>)> {
    let Some(markup) = p.get("reply_markup").filter(|m| !m.is_null()) else {
        return Ok(None);
    };
    let rows = markup["inline_keyboard"]
        .as_array()
        .ok_or_else(|| bad("only inline keyboards in this stand-in"))?;
    for button in rows.iter().flat_map(|r| r.as_array().into_iter().flatten()) {
        if button["text"].as_str().is_none_or(str::is_empty) {
            return Err(bad("BUTTON_TEXT_INVALID"));
        }
        let data = button["callback_data"].as_str().unwrap_or("");
        if data.is_empty() || data.len() > 64 {
            return Err(bad("BUTTON_DATA_INVALID"));
        }
    }
    Ok(Some(markup.clone()))
}

fn send_message(shared: &Shared, p: &Value) -> Answer {
    let chat = int(p, "chat_id").ok_or_else(|| bad("chat not found"))?;
    let shown = checked_text(p)?;
    let markup = checked_markup(p)?;
    let mut inner = shared.inner.lock().unwrap();
    let n = inner.next_message_id.entry(chat).or_insert(0);
    *n += 1;
    let id = *n;
    let mut message = json!({
        "message_id": id,
        "date": unix_now(),
        "chat": {"id": chat, "type": "private", "first_name": format!("User{chat}")},
        "from": bot_user(),
        "text": shown,
    });
    if let Some(m) = markup {
        message["reply_markup"] = m;
    }
    inner.bot_messages.insert((chat, id), message.clone());
    Ok(message)
}

fn edit_message_text(shared: &Shared, p: &Value) -> Answer {
    let chat = int(p, "chat_id").ok_or_else(|| bad("chat not found"))?;
    let id = int(p, "message_id").ok_or_else(|| bad("message to edit not found"))?;
    let shown = checked_text(p)?;
    let markup = checked_markup(p)?;
    let mut inner = shared.inner.lock().unwrap();
    let message = inner
        .bot_messages
        .get_mut(&(chat, id))
        .ok_or_else(|| bad("message to edit not found"))?;
    let same_markup = message.get("reply_markup") == markup.as_ref();
    if message["text"] == json!(shown) && same_markup {
        return Err(bad(
            "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        ));
    }
    message["text"] = json!(shown);
    match markup {
        Some(m) => message["reply_markup"] = m,
        None => {
            message.as_object_mut().unwrap().remove("reply_markup");
        }
    }
    message["edit_date"] = json!(unix_now());
    Ok(message.clone())
}
