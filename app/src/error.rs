//! The one error type of the web app, [`AppError`]: what every `#[server]` function returns,
//! what the pages show, and the HTTP status a server function answers with.
//!
//! Policy:
//! - Every server function returns `Result<T, AppError>`; no other error crosses to the
//!   browser, and no helper behind a server function returns a bare `String` error.
//! - `Display` is the text the page shows the listener, in plain words that say what to do
//!   next. It never carries a token, a secret, a file path or the framework's wording; what an
//!   operator needs goes to the log (`tracing`) where the error is made.
//! - A bad value names its field: [`AppError::InvalidField`] shows as `field: problem` with
//!   the form's or the query's field name (`length`, `energy`, `q`...). Bad input answers 400,
//!   never 500.
//! - The variant decides the status ([`AppError::status`]): 4xx when the listener can fix it
//!   (a value, signing in, a missing thing), 5xx when the server, its storage or Spotify
//!   failed. A bug says so in a short sentence and answers 500.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Bytes, Encodes};
use serde::{Deserialize, Serialize};

use crate::options::FieldError;

/// An error of a server function, worded for the listener (see the module's policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AppError {
    /// A form field or query parameter with a bad value (400).
    #[error("{field}: {message}")]
    InvalidField {
        /// The field's name as the form or the query spells it (`length`, `q`...).
        field: String,
        /// What is wrong, with the value given (`must be 1..=100, got 0`).
        message: String,
    },
    /// Signing in with Spotify (again) is the way on (401).
    #[error("{0}")]
    SignInNeeded(String),
    /// What was asked for is not there: no playlist yet, Spotify not configured, a playlist
    /// Spotify does not know (404).
    #[error("{0}")]
    NotFound(String),
    /// Spotify failed or refused the call (502).
    #[error("{0}")]
    Spotify(String),
    /// The session storage (Redis...) is down (503).
    #[error("the session storage is unavailable; try again in a moment")]
    StorageUnavailable,
    /// The listener's address sent more requests than the server's rate limit allows (429).
    #[error("too many requests from your address; try again in {retry_after} s")]
    TooManyRequests {
        /// Whole seconds until a request is taken again.
        retry_after: u64,
    },
    /// A fault of the server itself, a bug (500).
    #[error("{0}")]
    Internal(String),
    /// The framework's own errors: the request could not be sent or decoded, the answer not
    /// read.
    #[error("{}", framework_text(.0))]
    ServerFn(ServerFnErrorErr),
}

/// The framework's errors in the listener's words (its own texts start "error running server
/// function:" and the like).
fn framework_text(e: &ServerFnErrorErr) -> String {
    match e {
        ServerFnErrorErr::Request(m) => {
            format!("Selecta could not be reached ({m}); check the connection and try again")
        }
        ServerFnErrorErr::Args(m) => format!("the request could not be understood: {m}"),
        ServerFnErrorErr::MissingArg(m) => format!("the request lacks `{m}`"),
        ServerFnErrorErr::Serialization(m) => format!("the request could not be sent: {m}"),
        ServerFnErrorErr::Deserialization(m) => {
            format!("the server's answer could not be read ({m}); reload the page")
        }
        ServerFnErrorErr::UnsupportedRequestMethod(m) => {
            format!("the request used a method the server does not take: {m}")
        }
        ServerFnErrorErr::Registration(m)
        | ServerFnErrorErr::ServerError(m)
        | ServerFnErrorErr::MiddlewareError(m)
        | ServerFnErrorErr::Response(m) => format!("something went wrong on the server: {m}"),
    }
}

impl AppError {
    /// A bad value of `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::InvalidField {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Bad input described by a text that starts with the field's name (`seeds: pick at least
    /// one track first`), as the playlist generation words its errors. A text without a
    /// leading field name is about the options as a whole (`options`).
    pub fn invalid_input(text: impl Into<String>) -> Self {
        let text = text.into();
        let is_field = |f: &str| {
            !f.is_empty()
                && f.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
        };
        match text.split_once(": ") {
            Some((field, message)) if is_field(field) => AppError::invalid(field, message),
            _ => AppError::invalid("options", text),
        }
    }

    /// The HTTP status a server function answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::InvalidField { .. } => 400,
            AppError::SignInNeeded(_) => 401,
            AppError::NotFound(_) => 404,
            AppError::Spotify(_) => 502,
            AppError::StorageUnavailable => 503,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal(_) => 500,
            // The request's arguments did not decode: the caller's input, not a fault here.
            // On the server, a body that could not be read (over the length limit) is too.
            AppError::ServerFn(
                ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_),
            ) => 400,
            AppError::ServerFn(ServerFnErrorErr::UnsupportedRequestMethod(_)) => 405,
            AppError::ServerFn(_) => 500,
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::invalid(e.field, e.message)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }

    /// The error as the server function's answer. server_fn calls this where it turns the
    /// error into the HTTP response (and writes 500 there, whatever the error); on the server
    /// it also sets [`AppError::status`] on the response (see `status::set`).
    fn ser(&self) -> Bytes {
        #[cfg(feature = "ssr")]
        status::set(self);
        <JsonEncoding as Encodes<Self>>::encode(self).unwrap_or_else(|e| {
            let fallback = AppError::ServerFn(ServerFnErrorErr::Serialization(e.to_string()));
            <JsonEncoding as Encodes<Self>>::encode(&fallback)
                .expect("an error of plain strings serializes")
        })
    }
}

/// The status of a server function's error answer.
#[cfg(feature = "ssr")]
mod status {
    use axum::http::{header::ACCEPT, request::Parts, StatusCode};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    use super::AppError;

    /// Sets `e`'s status through the [`ResponseOptions`] leptos_axum gives the running server
    /// function call, which it applies to the answer once the function returned (server_fn
    /// 0.8 has no status of its own for an error). Only server function answers serialize an
    /// error this way: a page render calls the function directly and shows the error inline,
    /// its status untouched; outside a request there is no `ResponseOptions` and nothing to do.
    ///
    /// A plain form post (no JavaScript, `Accept: text/html`) keeps server_fn's answer: a
    /// redirect back to the page with the error in its URL, where the page shows it; a status
    /// set here would turn the redirect into a bare error page.
    pub(super) fn set(e: &AppError) {
        let Some(response) = use_context::<ResponseOptions>() else {
            return;
        };
        let form_post = use_context::<Parts>().is_some_and(|p| {
            p.headers
                .get(ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        });
        if form_post {
            return;
        }
        if let Ok(status) = StatusCode::from_u16(e.status()) {
            response.set_status(status);
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use selecta_spotify::SpotifyError;

    use super::AppError;

    impl AppError {
        /// A Spotify failure shown as `text` (which says how far things got): the variant,
        /// and so the status, follows what went wrong.
        pub fn spotify(e: &SpotifyError, text: impl Into<String>) -> Self {
            let text = text.into();
            match e {
                e if e.needs_sign_in() => AppError::SignInNeeded(text),
                SpotifyError::NotFound { .. } => AppError::NotFound(text),
                SpotifyError::InvalidInput { parameter, problem } => {
                    AppError::invalid(*parameter, problem.clone())
                }
                _ => AppError::Spotify(text),
            }
        }
    }

    /// Spotify's listener-worded text (`SpotifyError`'s `Display` carries no secret); a value
    /// Spotify would refuse names its parameter.
    impl From<SpotifyError> for AppError {
        fn from(e: SpotifyError) -> Self {
            let text = e.to_string();
            AppError::spotify(&e, text)
        }
    }

    /// The store failed (Redis down...): the details go to the log, the page says to wait.
    impl From<tower_sessions::session::Error> for AppError {
        fn from(e: tower_sessions::session::Error) -> Self {
            tracing::error!(error = %e, "session storage failed");
            AppError::StorageUnavailable
        }
    }
}

#[cfg(test)]
mod tests {
    use leptos::server_fn::Decodes;

    use super::*;

    #[test]
    fn texts_are_the_listeners_and_name_the_field() {
        let e = AppError::invalid("length", "must be 1..=100, got 0");
        assert_eq!(e.to_string(), "length: must be 1..=100, got 0");
        let e = AppError::from(FieldError {
            field: "energy",
            message: "must be 0..=1, got 1.5".into(),
        });
        assert_eq!(e, AppError::invalid("energy", "must be 0..=1, got 1.5"));
        let e = AppError::ServerFn(ServerFnErrorErr::Request("offline".into()));
        assert!(!e.to_string().contains("server function"), "{e}");
        assert!(e.to_string().contains("offline"), "{e}");
        assert_eq!(
            AppError::StorageUnavailable.to_string(),
            "the session storage is unavailable; try again in a moment"
        );
    }

    #[test]
    fn generation_texts_split_off_their_field() {
        assert_eq!(
            AppError::invalid_input("seeds: pick at least one track first"),
            AppError::invalid("seeds", "pick at least one track first")
        );
        let e = AppError::invalid_input("negative_seeds: no track matches `A: B`");
        assert_eq!(e.to_string(), "negative_seeds: no track matches `A: B`");
        assert!(matches!(&e, AppError::InvalidField { field, .. } if field == "negative_seeds"));
        let e = AppError::invalid_input("no track in the catalog passes the options; loosen them");
        assert!(matches!(&e, AppError::InvalidField { field, .. } if field == "options"));
        assert_eq!(e.status(), 400);
    }

    #[test]
    fn statuses_follow_the_variant() {
        let cases = [
            (AppError::invalid("length", "must be 1..=100, got 0"), 400),
            (
                AppError::SignInNeeded("sign in with Spotify first".into()),
                401,
            ),
            (AppError::NotFound("no playlist to save".into()), 404),
            (AppError::Spotify("Spotify is having trouble".into()), 502),
            (AppError::StorageUnavailable, 503),
            (AppError::TooManyRequests { retry_after: 7 }, 429),
            (AppError::Internal("a bug".into()), 500),
            (
                AppError::ServerFn(ServerFnErrorErr::Args("page".into())),
                400,
            ),
            (
                AppError::ServerFn(ServerFnErrorErr::MissingArg("id".into())),
                400,
            ),
            (
                AppError::ServerFn(ServerFnErrorErr::Deserialization(
                    "length limit exceeded".into(),
                )),
                400,
            ),
            (
                AppError::ServerFn(ServerFnErrorErr::ServerError("x".into())),
                500,
            ),
        ];
        for (e, status) in cases {
            assert_eq!(e.status(), status, "{e:?}");
        }
    }

    #[test]
    fn the_error_crosses_the_wire_unchanged() {
        for e in [
            AppError::invalid("q", "at most 200 characters"),
            AppError::StorageUnavailable,
            AppError::ServerFn(ServerFnErrorErr::Deserialization("eof".into())),
        ] {
            let bytes = e.ser();
            assert_eq!(AppError::de(bytes.clone()), e);
            assert_eq!(
                <JsonEncoding as Decodes<AppError>>::decode(bytes).unwrap(),
                e
            );
        }
        // What a client cannot read becomes the framework's error, never a panic.
        assert!(matches!(
            AppError::de(Bytes::from_static(b"<html>")),
            AppError::ServerFn(ServerFnErrorErr::Deserialization(_))
        ));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn spotify_errors_keep_their_words_and_pick_the_variant() {
        use selecta_spotify::SpotifyError;

        let e = AppError::from(SpotifyError::SignInAgain);
        assert_eq!(
            e,
            AppError::SignInNeeded(
                "your Spotify session has ended; please sign in with Spotify again".into()
            )
        );
        assert_eq!(e.status(), 401);
        let e = AppError::from(SpotifyError::Unavailable { status: 503 });
        assert!(
            matches!(e, AppError::Spotify(ref t) if t.contains("HTTP 503")),
            "{e:?}"
        );
        assert_eq!(e.status(), 502);
        let e = AppError::from(SpotifyError::NotFound {
            message: "no such playlist".into(),
        });
        assert_eq!(e.status(), 404);
        let e = AppError::from(SpotifyError::InvalidInput {
            parameter: "name",
            problem: "is empty".into(),
        });
        assert_eq!(e.to_string(), "name: is empty");
        assert_eq!(e.status(), 400);
    }
}

/// The status as it reaches the browser: posts to the server functions' URLs through
/// leptos_axum's handler, the one the server mounts for them.
#[cfg(all(test, feature = "ssr"))]
mod http {
    use axum::body::Body;
    use axum::http::{header, Request, Response, StatusCode};
    use axum::response::IntoResponse;
    use leptos::server_fn::error::ServerFnUrlError;
    use leptos::server_fn::ServerFn;

    use super::*;
    use crate::api::{GeneratePlaylist, SearchTracks};

    async fn post(path: &str, body: &'static str, accept: &str) -> Response<Body> {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, accept)
            .header(header::REFERER, "http://selecta.test/?q=queen")
            .body(Body::from(body))
            .unwrap();
        leptos_axum::handle_server_fns(req).await.into_response()
    }

    async fn error_of(res: Response<Body>) -> AppError {
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        AppError::de(bytes)
    }

    #[tokio::test]
    async fn bad_input_answers_400_naming_the_field() {
        let res = post(SearchTracks::PATH, "query=queen&page=0", "application/json").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            error_of(res).await,
            AppError::invalid("page", "must be 1..=10, got 0")
        );

        // The options form's nested fields, as the form posts them.
        let res = post(
            GeneratePlaylist::PATH,
            "options%5Blength%5D=0&options%5Bflow%5D=on",
            "application/json",
        )
        .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let e = error_of(res).await;
        assert_eq!(e.to_string(), "length: must be 1..=100, got 0");

        // Arguments that do not decode are the caller's input too.
        let res = post(
            SearchTracks::PATH,
            "query=queen&page=many",
            "application/json",
        )
        .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(matches!(
            error_of(res).await,
            AppError::ServerFn(ServerFnErrorErr::Args(_))
        ));
    }

    #[tokio::test]
    async fn a_fault_of_the_server_answers_500() {
        // Valid options (every field may be left out), but no server state in this test: a
        // bug of the server's wiring, not the listener's input.
        let res = post(GeneratePlaylist::PATH, "", "application/json").await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(matches!(error_of(res).await, AppError::Internal(_)));
    }

    #[tokio::test]
    async fn a_plain_form_post_is_redirected_back_with_the_error() {
        let res = post(
            GeneratePlaylist::PATH,
            "options%5Blength%5D=0",
            "text/html,application/xhtml+xml",
        )
        .await;
        assert_eq!(res.status(), StatusCode::FOUND);
        let location = res.headers()[header::LOCATION].to_str().unwrap();
        let url = url_query(location);
        assert_eq!(url.get("q").map(String::as_str), Some("queen"));
        assert_eq!(
            url.get("__path").map(String::as_str),
            Some(GeneratePlaylist::PATH)
        );
        let e = ServerFnUrlError::<AppError>::decode_err(&url["__err"]);
        assert_eq!(e, AppError::invalid("length", "must be 1..=100, got 0"));
    }

    /// The query of a URL, decoded.
    fn url_query(url: &str) -> std::collections::HashMap<String, String> {
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_string(), percent_decode(v)))
            .collect()
    }

    fn percent_decode(s: &str) -> String {
        let mut out = Vec::new();
        let mut bytes = s.bytes();
        while let Some(b) = bytes.next() {
            match b {
                b'%' => {
                    let hex: String = bytes.by_ref().take(2).map(char::from).collect();
                    out.push(u8::from_str_radix(&hex, 16).unwrap());
                }
                b'+' => out.push(b' '),
                b => out.push(b),
            }
        }
        String::from_utf8(out).unwrap()
    }
}
