//! `/authorize`: Spotify's consent page as plain HTML forms (a person or a browser test
//! picks a listener and agrees or cancels), then the redirect back with a code or an error.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;

use crate::error::error_page;
use crate::state::{Code, Mutable};
use crate::Shared;

/// Every scope Spotify knows (the OpenAPI document's list).
pub const KNOWN_SCOPES: [&str; 19] = [
    "app-remote-control",
    "playlist-read-private",
    "playlist-read-collaborative",
    "playlist-modify-public",
    "playlist-modify-private",
    "user-library-read",
    "user-library-modify",
    "user-read-private",
    "user-read-email",
    "user-follow-read",
    "user-follow-modify",
    "user-top-read",
    "user-read-playback-position",
    "user-read-playback-state",
    "user-read-recently-played",
    "user-read-currently-playing",
    "user-modify-playback-state",
    "ugc-image-upload",
    "streaming",
];

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The parameters of an authorization request, as they came.
type Params = BTreeMap<String, String>;

/// A checked authorization request.
struct Request {
    redirect_uri: String,
    state: Option<String>,
    scopes: Vec<String>,
    challenge: Option<String>,
}

/// Where a check failed: on our page (redirect URI not trusted) or back at the app.
enum Refusal {
    Page(String),
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
    },
}

fn check(shared: &Shared, p: &Params) -> Result<Request, Refusal> {
    let client_id = p.get("client_id").map(String::as_str).unwrap_or("");
    if client_id != shared.config.client_id {
        return Err(Refusal::Page("INVALID_CLIENT: Invalid client".into()));
    }
    let redirect_uri = p.get("redirect_uri").cloned().unwrap_or_default();
    if !shared.config.redirect_uris.contains(&redirect_uri) {
        return Err(Refusal::Page("INVALID_CLIENT: Invalid redirect URI".into()));
    }
    let state = p.get("state").cloned();
    let refuse = |error| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        error,
    };
    if p.get("response_type").map(String::as_str) != Some("code") {
        return Err(refuse("unsupported_response_type"));
    }
    let challenge = p.get("code_challenge").cloned().filter(|c| !c.is_empty());
    match (
        challenge.as_deref(),
        p.get("code_challenge_method").map(String::as_str),
    ) {
        (None, None) => {}
        (Some(c), Some("S256")) if (43..=128).contains(&c.len()) => {}
        _ => return Err(refuse("invalid_request")),
    }
    let scopes: Vec<String> = p
        .get("scope")
        .map(|s| {
            s.split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if scopes.iter().any(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return Err(refuse("invalid_scope"));
    }
    Ok(Request {
        redirect_uri,
        state,
        scopes,
        challenge,
    })
}

fn refusal_response(r: Refusal) -> Response {
    match r {
        Refusal::Page(message) => error_page(StatusCode::BAD_REQUEST, &message),
        Refusal::Redirect {
            redirect_uri,
            state,
            error,
        } => redirect_back(&redirect_uri, &[("error", error)], state.as_deref()),
    }
}

fn redirect_back(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(u) => u,
        Err(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "INVALID_CLIENT: Invalid redirect URI",
            )
        }
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        if let Some(state) = state {
            q.append_pair("state", state);
        }
    }
    Redirect::to(url.as_str()).into_response()
}

/// `GET /authorize`: the consent page.
pub async fn page(State(shared): State<Shared>, Query(p): Query<Params>) -> Response {
    let request = match check(&shared, &p) {
        Ok(r) => r,
        Err(r) => return refusal_response(r),
    };
    let hidden: String = p
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "user" | "decision"))
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    let users: String = shared
        .world
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            format!(
                "<p><label><input type=\"radio\" name=\"user\" id=\"user-{id}\" value=\"{id}\"{checked}> \
                 {name} <small>({saved} saved tracks)</small></label></p>",
                id = escape(&u.id),
                name = escape(&u.display_name),
                saved = u.saved.len(),
                checked = if i == 0 { " checked" } else { "" },
            )
        })
        .collect();
    let scopes: String = request
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect();
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Spotify stand-in: sign in</title></head><body>\
         <h1>Spotify stand-in</h1>\
         <p>The app <code>{client}</code> asks to:</p><ul id=\"scopes\">{scopes}</ul>\
         <form method=\"post\" action=\"authorize\">{hidden}\
         <fieldset><legend>Sign in as</legend>{users}</fieldset>\
         <button type=\"submit\" name=\"decision\" value=\"approve\" id=\"approve\">Agree</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Cancel</button>\
         </form></body></html>",
        client = escape(&shared.config.client_id),
    );
    Html(html).into_response()
}

/// `POST /authorize`: the listener's decision; redirects back to the app.
pub async fn decide(State(shared): State<Shared>, Form(p): Form<Params>) -> Response {
    // The form's hidden fields are checked again: they came back through the browser.
    let request = match check(&shared, &p) {
        Ok(r) => r,
        Err(r) => return refusal_response(r),
    };
    match p.get("decision").map(String::as_str) {
        Some("approve") => {}
        Some("deny") => {
            return redirect_back(
                &request.redirect_uri,
                &[("error", "access_denied")],
                request.state.as_deref(),
            )
        }
        _ => return error_page(StatusCode::BAD_REQUEST, "Choose Agree or Cancel"),
    }
    let user = p.get("user").map(String::as_str).unwrap_or("");
    if shared.world.user(user).is_none() {
        return error_page(StatusCode::BAD_REQUEST, &format!("No such user: `{user}`"));
    }
    let code = Mutable::secret("AC");
    shared.state().codes.insert(
        code.clone(),
        Code {
            user: user.to_string(),
            redirect_uri: request.redirect_uri.clone(),
            challenge: request.challenge,
            scopes: request.scopes,
            issued: Instant::now(),
            used: false,
        },
    );
    tracing::info!(user, "stand-in: sign-in approved");
    redirect_back(
        &request.redirect_uri,
        &[("code", &code)],
        request.state.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
