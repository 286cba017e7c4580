//! Spotify's error answers: the Web API's error object and OAuth's token errors.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A Web API error: `{"error": {"status": N, "message": "..."}}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// `Retry-After` seconds, for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Resource not found")
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            Json(json!({"error": {"status": self.status.as_u16(), "message": self.message}}));
        let mut response = (self.status, body).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, secs.into());
        }
        response
    }
}

/// An OAuth error of `/api/token`: `{"error": "invalid_grant", "error_description": "..."}`.
#[derive(Debug)]
pub struct TokenError {
    pub error: &'static str,
    pub description: String,
}

impl TokenError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        TokenError {
            error,
            description: description.into(),
        }
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        // Spotify answers every token error with 400, invalid_client included.
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": self.error, "error_description": self.description})),
        )
            .into_response()
    }
}

/// An error page of the consent screen (no redirect: the redirect URI is not trusted).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Error</title></head>\
         <body><h1>Something went wrong</h1><p id=\"error\">{}</p></body></html>",
        crate::consent::escape(message)
    );
    (status, Html(html)).into_response()
}
