//! What the bot says back, independent of Telegram's client library.

/// The parse mode of every reply's text: Telegram HTML (see [`crate::markup`]).
pub const PARSE_MODE: &str = "HTML";

/// A message to send (or the new content of one to edit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Telegram HTML, at most [`crate::markup::MESSAGE_LIMIT`] UTF-16 units.
    pub text: String,
    /// Inline keyboard rows (empty: no keyboard).
    pub keyboard: Vec<Vec<Button>>,
}

/// An inline keyboard button that sends a callback query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// The label shown.
    pub text: String,
    /// The callback data (at most 64 bytes, as Telegram requires).
    pub data: String,
}

impl Reply {
    /// A reply without a keyboard.
    pub fn text(text: impl Into<String>) -> Reply {
        Reply {
            text: text.into(),
            keyboard: Vec::new(),
        }
    }

    /// Splits a long text into replies that each fit a message; a keyboard goes with the last.
    pub fn split(text: &str, keyboard: Vec<Vec<Button>>) -> Vec<Reply> {
        let mut parts: Vec<Reply> = crate::markup::split(text, crate::markup::MESSAGE_LIMIT)
            .into_iter()
            .map(Reply::text)
            .collect();
        if let Some(last) = parts.last_mut() {
            last.keyboard = keyboard;
        }
        parts
    }
}

/// What to do about a button press.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ButtonAnswer {
    /// A short notice shown over the chat (`answerCallbackQuery` text), if any.
    pub notice: Option<String>,
    /// New content for the message that held the button, if it changes.
    pub edit: Option<Reply>,
    /// New messages to send after it.
    pub send: Vec<Reply>,
}
