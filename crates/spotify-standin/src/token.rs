//! `/api/token`: the authorization code (with PKCE), refresh token and client credentials
//! grants, checked as Spotify checks them.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::TokenError;
use crate::state::{Grant, Mutable};
use crate::Shared;

/// How long an authorization code can be exchanged.
const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// Who is asking: the client authenticated by secret, or a public client (PKCE only).
#[derive(Debug, PartialEq)]
enum Client {
    Confidential,
    Public,
}

fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    p: &BTreeMap<String, String>,
) -> Result<Client, TokenError> {
    let basic = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    let (id, secret) = if let Some(b64) = basic {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| TokenError::new("invalid_client", "Invalid client"))?;
        let (id, secret) = decoded
            .split_once(':')
            .ok_or_else(|| TokenError::new("invalid_client", "Invalid client"))?;
        // oauth2 clients form-urlencode both halves before base64 (RFC 6749 2.3.1).
        let unescape = |s: &str| {
            form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        (unescape(id), Some(unescape(secret)))
    } else {
        let id = p.get("client_id").cloned().unwrap_or_default();
        (id, p.get("client_secret").cloned())
    };
    if id.is_empty() || id != shared.config.client_id {
        return Err(TokenError::new("invalid_client", "Invalid client"));
    }
    match secret {
        Some(s) if s == shared.config.client_secret => Ok(Client::Confidential),
        Some(_) => Err(TokenError::new("invalid_client", "Invalid client secret")),
        None => Ok(Client::Public),
    }
}

fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `POST /api/token`.
pub async fn token(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Form(p): Form<BTreeMap<String, String>>,
) -> Result<Response, TokenError> {
    let client = authenticate(&shared, &headers, &p)?;
    let lifetime = shared.config.token_lifetime;
    if p.get("grant_type").map(String::as_str) == Some("client_credentials") {
        // The app acts for itself: only with its secret, and no refresh token.
        if client != Client::Confidential {
            return Err(TokenError::new("invalid_client", "Invalid client secret"));
        }
        let access = shared.state().issue_app(lifetime);
        tracing::info!("stand-in: app token issued");
        return Ok(Json(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": lifetime.as_secs(),
        }))
        .into_response());
    }
    let mut state = shared.state();
    let (user, scopes, refresh) = match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code_text = p
                .get("code")
                .filter(|c| !c.is_empty())
                .ok_or_else(|| TokenError::new("invalid_request", "code must be supplied"))?;
            let code =
                state.codes.get(code_text).cloned().ok_or_else(|| {
                    TokenError::new("invalid_grant", "Invalid authorization code")
                })?;
            if code.used {
                // A replayed code also revokes what it issued (RFC 6749 4.1.2).
                let user = code.user.clone();
                state.refresh.retain(|_, g| g.user != user);
                state.access.retain(|_, a| a.user != user);
                return Err(TokenError::new(
                    "invalid_grant",
                    "Authorization code already used",
                ));
            }
            if code.issued.elapsed() > CODE_LIFETIME {
                return Err(TokenError::new(
                    "invalid_grant",
                    "Authorization code expired",
                ));
            }
            if p.get("redirect_uri") != Some(&code.redirect_uri) {
                return Err(TokenError::new("invalid_grant", "Invalid redirect URI"));
            }
            match (&code.challenge, p.get("code_verifier")) {
                (Some(challenge), Some(verifier)) => {
                    if s256(verifier) != *challenge {
                        return Err(TokenError::new(
                            "invalid_grant",
                            "code_verifier was incorrect",
                        ));
                    }
                }
                (Some(_), None) => {
                    return Err(TokenError::new("invalid_request", "code_verifier required"))
                }
                (None, Some(_)) => {
                    return Err(TokenError::new(
                        "invalid_grant",
                        "code_verifier was incorrect",
                    ))
                }
                (None, None) if client == Client::Public => {
                    return Err(TokenError::new("invalid_client", "Invalid client secret"))
                }
                (None, None) => {}
            }
            if let Some(c) = state.codes.get_mut(code_text) {
                c.used = true;
            }
            let refresh = Mutable::secret("RT");
            state.refresh.insert(
                refresh.clone(),
                Grant {
                    user: code.user.clone(),
                    scopes: code.scopes.clone(),
                    public_client: client == Client::Public,
                },
            );
            (code.user, code.scopes, Some(refresh))
        }
        Some("refresh_token") => {
            let token = p
                .get("refresh_token")
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    TokenError::new("invalid_request", "refresh_token must be supplied")
                })?;
            let grant = state
                .refresh
                .get(token)
                .cloned()
                .ok_or_else(|| TokenError::new("invalid_grant", "Invalid refresh token"))?;
            if client == Client::Public && !grant.public_client {
                return Err(TokenError::new("invalid_client", "Invalid client secret"));
            }
            // Spotify keeps the refresh token valid and often sends none back.
            (grant.user, grant.scopes, None)
        }
        Some(other) => {
            return Err(TokenError::new(
                "unsupported_grant_type",
                format!("grant_type must be authorization_code, refresh_token or client_credentials, not `{other}`"),
            ))
        }
        None => {
            return Err(TokenError::new(
                "invalid_request",
                "grant_type must be supplied",
            ))
        }
    };
    let access = state.issue(&user, &scopes, lifetime);
    drop(state);
    tracing::info!(user, "stand-in: token issued");
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "scope": scopes.join(" "),
        "expires_in": lifetime.as_secs(),
    });
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    Ok(Json(body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
