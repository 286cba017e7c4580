//! The stylesheet's URL path as the server found it in the built site: a release build names
//! it after its content (`/pkg/main-<hash>.css`), so it is known only once the server starts.

use std::sync::OnceLock;

/// The stylesheet of an unhashed build (and before the server says otherwise).
pub const DEFAULT_STYLESHEET: &str = "/pkg/main.css";

static STYLESHEET: OnceLock<String> = OnceLock::new();

/// Sets the stylesheet's path for this process (the server, once, at start); later calls
/// are ignored.
pub fn set_stylesheet(href: String) {
    let _ = STYLESHEET.set(href);
}

/// The stylesheet's path, for pages rendered by the server (the shell and plain error pages).
pub fn stylesheet() -> &'static str {
    STYLESHEET.get().map_or(DEFAULT_STYLESHEET, String::as_str)
}
