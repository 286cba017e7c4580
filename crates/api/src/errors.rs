//! API errors in Spotify's shape, `{"error": {"status": 400, "message": "..."}}`, used by
//! `/v1` and `/api` alike so that one client-side error handler serves both.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error answer. The message names the bad parameter and value first, e.g.
/// `limit: must be an integer from 1 to 100, got '0'`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// What went wrong, for a person.
    pub message: String,
    /// Seconds to wait (429 only), sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400: a parameter is wrong; `message` should start with its name.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 400 naming the parameter: `param: message`.
    pub fn param(param: &str, message: impl std::fmt::Display) -> Self {
        Self::bad_request(format!("{param}: {message}"))
    }

    /// 401: no or an unknown API key.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 404: an unknown id or path.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 415: a body in a media type the route does not take.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, message)
    }

    /// 422: a well-formed request that cannot be met (no track passes the options).
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 429 with `Retry-After`.
    pub fn too_many_requests(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("API rate limit exceeded; retry after {retry_after} s"),
            )
        }
    }

    /// 500: a bug or a failed background task; the message is logged too.
    pub fn internal(message: impl Into<String>) -> Self {
        let e = Self::new(StatusCode::INTERNAL_SERVER_ERROR, message);
        tracing::error!(message = %e.message, "API request failed");
        e
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorObject,
}

/// Spotify's `ErrorObject`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorObject {
    /// The HTTP status code, 400..=599.
    pub status: u16,
    /// What went wrong; starts with the name of the bad parameter when there is one.
    pub message: String,
    /// The request's id, as in the answer's `x-request-id` header: quote it when reporting a
    /// problem, and an operator finds the request's log lines by it. A Selecta extension,
    /// absent when the router serves without request ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorResponse {
            error: ErrorObject {
                status: self.status.as_u16(),
                message: self.message,
                request_id: crate::ops::current_request_id(),
            },
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"selecta\""),
            );
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(res: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn errors_have_spotify_shape_and_headers() {
        let res =
            ApiError::param("limit", "must be an integer from 1 to 100, got '0'").into_response();
        assert_eq!(res.status(), 400);
        assert_eq!(
            body(res).await,
            serde_json::json!({"error": {"status": 400,
                "message": "limit: must be an integer from 1 to 100, got '0'"}})
        );

        let res = ApiError::too_many_requests(7).into_response();
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()[header::RETRY_AFTER], "7");
        assert_eq!(body(res).await["error"]["status"], 429);

        let res = ApiError::unauthorized("No token provided").into_response();
        assert!(res.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
