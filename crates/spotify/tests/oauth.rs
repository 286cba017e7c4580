//! Signing in against the stand-in over real HTTP: the whole authorization code + PKCE
//! round trip, the refusals, and refresh.

mod common;

use common::*;
use secrecy::ExposeSecret;
use selecta_spotify::{SpotifyApi, SpotifyError, SCOPES};

#[tokio::test]
async fn a_listener_signs_in_with_pkce_and_is_who_they_picked() {
    let env = start().await;
    let (url, pending) = env.spotify.start_sign_in();
    assert!(url
        .as_str()
        .starts_with(&format!("{}/authorize?", env.base)));
    let callback = env.consent(&url, "alice", true).await;
    assert_eq!(callback.state.as_deref(), Some(pending.state()));
    assert!(callback.code.is_some() && callback.error.is_none());

    let tokens = env
        .spotify
        .finish_sign_in(&pending, &callback)
        .await
        .unwrap();
    assert!(tokens.has_scopes(&SCOPES), "{tokens}");
    assert!(tokens.refresh_token().is_some());
    assert!(!tokens.expires_within(std::time::Duration::from_secs(3000)));

    let me = env.spotify.client(tokens).current_user().await.unwrap();
    assert_eq!(me.id, "alice");
    assert_eq!(me.display_name.as_deref(), Some("Alice Archer"));
}

#[tokio::test]
async fn a_code_works_once() {
    let env = start().await;
    let (_, pending, callback) = env.sign_in_full("bob").await;
    let again = env
        .spotify
        .finish_sign_in(&pending, &callback)
        .await
        .unwrap_err();
    assert_eq!(
        again,
        SpotifyError::TokenRejected {
            error: "invalid_grant".into(),
            description: Some("Authorization code already used".into()),
        }
    );
}

#[tokio::test]
async fn a_wrong_verifier_is_refused_and_the_right_one_then_works() {
    let env = start().await;
    let (url, pending) = env.spotify.start_sign_in();
    let callback = env.consent(&url, "alice", true).await;
    // The same state with another verifier: what an attacker holding a stolen code has.
    let (_, other) = env.spotify.start_sign_in();
    let mut forged: serde_json::Value = serde_json::to_value(&other).unwrap();
    forged["state"] = pending.state().into();
    let forged = serde_json::from_value(forged).unwrap();
    let e = env
        .spotify
        .finish_sign_in(&forged, &callback)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        SpotifyError::TokenRejected {
            error: "invalid_grant".into(),
            description: Some("code_verifier was incorrect".into()),
        }
    );
    env.spotify
        .finish_sign_in(&pending, &callback)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused() {
    let env = start().await;
    let (url, pending) = env.spotify.start_sign_in();
    let callback = env.consent(&url, "alice", true).await;
    let mut config = env.spotify.config().clone();
    config.client_secret = "not-the-secret".to_string().into();
    let impostor = selecta_spotify::Spotify::new(config).unwrap();
    let e = impostor
        .finish_sign_in(&pending, &callback)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        SpotifyError::TokenRejected {
            error: "invalid_client".into(),
            description: Some("Invalid client secret".into()),
        }
    );
    assert!(!e.to_string().contains("not-the-secret"));
}

#[tokio::test]
async fn the_code_is_bound_to_its_redirect_uri() {
    let env = start().await;
    let (url, pending) = env.spotify.start_sign_in();
    let callback = env.consent(&url, "alice", true).await;
    let mut config = env.spotify.config().clone();
    config.redirect_uri = OTHER_REDIRECT.into();
    let elsewhere = selecta_spotify::Spotify::new(config).unwrap();
    let e = elsewhere
        .finish_sign_in(&pending, &callback)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        SpotifyError::TokenRejected {
            error: "invalid_grant".into(),
            description: Some("Invalid redirect URI".into()),
        }
    );
}

#[tokio::test]
async fn an_unregistered_redirect_uri_gets_an_error_page_not_a_redirect() {
    let env = start_with(
        |_| {},
        |c| c.redirect_uri = "http://127.0.0.1:4444/evil".into(),
    )
    .await;
    let (url, _) = env.spotify.start_sign_in();
    let page = env.browser.get(url.as_str()).send().await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("Invalid redirect URI"));
}

#[tokio::test]
async fn cancelling_at_the_consent_page_is_reported() {
    let env = start().await;
    let (url, pending) = env.spotify.start_sign_in();
    let callback = env.consent(&url, "alice", false).await;
    assert_eq!(callback.error.as_deref(), Some("access_denied"));
    assert!(callback.code.is_none());
    let e = env
        .spotify
        .finish_sign_in(&pending, &callback)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        SpotifyError::AuthorizationDenied {
            reason: "access_denied".into()
        }
    );
    assert!(e.needs_sign_in());
}

#[tokio::test]
async fn a_callback_from_another_sign_in_is_refused() {
    let env = start().await;
    let (url, _) = env.spotify.start_sign_in();
    let callback = env.consent(&url, "alice", true).await;
    let (_, mine) = env.spotify.start_sign_in();
    let e = env
        .spotify
        .finish_sign_in(&mine, &callback)
        .await
        .unwrap_err();
    assert_eq!(e, SpotifyError::StateMismatch);
}

#[tokio::test]
async fn refresh_gives_a_new_access_token_and_keeps_the_refresh_token() {
    let env = start().await;
    let tokens = env.sign_in("alice").await;
    let fresh = env.spotify.auth().refresh(&tokens).await.unwrap();
    assert_ne!(
        fresh.access_token().expose_secret(),
        tokens.access_token().expose_secret()
    );
    assert_eq!(
        fresh.refresh_token().unwrap().expose_secret(),
        tokens.refresh_token().unwrap().expose_secret()
    );
    assert_eq!(fresh.scopes(), tokens.scopes());
    // The new access token works.
    env.spotify.client(fresh).current_user().await.unwrap();

    // A revoked refresh token means signing in again.
    env.control("revoke", serde_json::json!({})).await;
    let e = env.spotify.auth().refresh(&tokens).await.unwrap_err();
    assert_eq!(e, SpotifyError::SignInAgain);
}

#[tokio::test]
async fn an_unreachable_accounts_service_is_a_network_error() {
    let env = start_with(|_| {}, |c| c.accounts_url = "http://127.0.0.1:9".into()).await;
    let (_, pending) = env.spotify.start_sign_in();
    let callback = selecta_spotify::CallbackParams {
        code: Some("x".into()),
        state: Some(pending.state().into()),
        error: None,
    };
    let e = env
        .spotify
        .finish_sign_in(&pending, &callback)
        .await
        .unwrap_err();
    assert!(matches!(e, SpotifyError::Network(_)), "{e:?}");
    assert!(e.is_transient());
}
