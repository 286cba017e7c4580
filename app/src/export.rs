//! `GET /playlist/export/{format}`: the session's playlist as a download (M3U8, XSPF, JSPF,
//! CSV), rendered by `selecta_export` like the API's export. Plain links: no JavaScript needed.

use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use selecta_export::{export, Format};
use serde::Deserialize;
use tower_sessions::Session;

/// The query of an export link.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// The generation the page showed; a newer one in the session is not exported in its place.
    pub g: Option<u64>,
}

fn text(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.into() + "\n",
    )
        .into_response()
}

/// The download of the session's playlist.
pub async fn download(
    session: Session,
    Path(format): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let format: Format = match format.parse() {
        Ok(f) => f,
        Err(e) => return text(StatusCode::BAD_REQUEST, format!("format: {e}")),
    };
    let generated = match crate::session::generated(&session).await {
        Ok(Some(g)) => g,
        Ok(None) => {
            return text(
                StatusCode::NOT_FOUND,
                "no playlist in this session: generate one first",
            )
        }
        Err(e) => return text(StatusCode::SERVICE_UNAVAILABLE, crate::api::error_text(&e)),
    };
    if q.g.is_some_and(|g| g != generated.id) {
        return text(
            StatusCode::CONFLICT,
            "g: this playlist was replaced by a newer one; reload the playlist page",
        );
    }
    match export(&generated.playlist, format) {
        Ok(body) => {
            let disposition = format!(
                "attachment; filename=\"{}\"",
                filename(&generated.playlist.name, format)
            );
            let mut res = (StatusCode::OK, body).into_response();
            let headers = res.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        // A catalog of the operator's own may hold ids that are not Spotify's: no link can
        // be written for them.
        Err(e @ selecta_export::ExportError::InvalidTrack { .. }) => text(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("cannot export: {e}"),
        ),
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("export failed: {e}"),
            )
        }
    }
}

/// A file name from the playlist's name: ASCII letters, digits and dashes.
pub fn filename(name: &str, format: Format) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
    }
    let stem = stem.trim_end_matches('-');
    let stem = if stem.is_empty() {
        "selecta-playlist"
    } else {
        stem
    };
    let stem: String = stem.chars().take(80).collect();
    format!("{stem}.{}", format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_plain() {
        assert_eq!(
            filename("Selecta: Queen & Ed Sheeran", Format::M3u8),
            "selecta-queen-ed-sheeran.m3u8"
        );
        assert_eq!(filename("¡¡!!", Format::Csv), "selecta-playlist.csv");
        assert_eq!(filename("a\"b", Format::Xspf), "a-b.xspf");
    }
}
