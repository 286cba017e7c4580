//! A listener's Spotify tokens: serialisable for a server-side session store, never printed.

use std::fmt;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Access and refresh token of one listener, with when the access token expires and the
/// scopes granted.
///
/// `Serialize` writes the tokens in clear (the store is server-side: Redis or memory);
/// `Debug` and `Display` never show them.
#[derive(Clone, Serialize, Deserialize)]
pub struct Tokens {
    #[serde(with = "secret")]
    access_token: SecretString,
    #[serde(with = "optional_secret")]
    refresh_token: Option<SecretString>,
    expires_at: SystemTime,
    scopes: Vec<String>,
}

impl Tokens {
    /// Tokens as the accounts service issued them.
    pub fn new(
        access_token: impl Into<String>,
        refresh_token: Option<String>,
        expires_at: SystemTime,
        scopes: Vec<String>,
    ) -> Self {
        Tokens {
            access_token: SecretString::from(access_token.into()),
            refresh_token: refresh_token.map(SecretString::from),
            expires_at,
            scopes,
        }
    }

    /// The bearer token for API calls.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The token that gets a new access token, when Spotify gave one.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// When the access token stops working.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// The scopes granted.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether the access token expires within `margin` from now (or has expired).
    pub fn expires_within(&self, margin: Duration) -> bool {
        SystemTime::now() + margin >= self.expires_at
    }

    /// Whether every one of `scopes` was granted.
    pub fn has_scopes(&self, scopes: &[&str]) -> bool {
        scopes.iter().all(|s| self.scopes.iter().any(|g| g == s))
    }

    /// The refreshed tokens: Spotify may or may not send a new refresh token; without one the
    /// old one stays valid.
    pub(crate) fn refreshed(mut self, previous: &Tokens) -> Tokens {
        if self.refresh_token.is_none() {
            self.refresh_token = previous.refresh_token.clone();
        }
        if self.scopes.is_empty() {
            self.scopes = previous.scopes.clone();
        }
        self
    }
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl fmt::Display for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let left = self
            .expires_at
            .duration_since(SystemTime::now())
            .map(|d| format!("expires in {} s", d.as_secs()))
            .unwrap_or_else(|_| "expired".to_string());
        write!(
            f,
            "Spotify tokens ({left}, scopes: {})",
            self.scopes.join(" ")
        )
    }
}

pub(crate) mod secret {
    use super::*;

    pub fn serialize<S: Serializer>(s: &SecretString, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.expose_secret())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<SecretString, D::Error> {
        String::deserialize(de).map(SecretString::from)
    }
}

mod optional_secret {
    use super::*;

    pub fn serialize<S: Serializer>(s: &Option<SecretString>, ser: S) -> Result<S::Ok, S::Error> {
        match s {
            Some(s) => ser.serialize_some(s.expose_secret()),
            None => ser.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<SecretString>, D::Error> {
        Option::<String>::deserialize(de).map(|o| o.map(SecretString::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(
            "ACCESS-abc",
            Some("REFRESH-xyz".into()),
            SystemTime::now() + Duration::from_secs(3600),
            vec!["user-top-read".into(), "playlist-modify-private".into()],
        )
    }

    #[test]
    fn debug_and_display_never_show_secrets() {
        let t = tokens();
        for text in [format!("{t:?}"), format!("{t:#?}"), t.to_string()] {
            assert!(!text.contains("ACCESS-abc"), "{text}");
            assert!(!text.contains("REFRESH-xyz"), "{text}");
            assert!(text.contains("user-top-read"), "{text}");
        }
    }

    #[test]
    fn serialises_for_the_store_and_back() {
        let t = tokens();
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.contains("ACCESS-abc") && json.contains("REFRESH-xyz"));
        let back: Tokens = serde_json::from_str(&json).unwrap();
        assert_eq!(back.access_token().expose_secret(), "ACCESS-abc");
        assert_eq!(
            back.refresh_token().map(|r| r.expose_secret().to_string()),
            Some("REFRESH-xyz".to_string())
        );
        assert_eq!(back.expires_at(), t.expires_at());
        assert_eq!(back.scopes(), t.scopes());
    }

    #[test]
    fn expiry_and_scopes() {
        let t = tokens();
        assert!(!t.expires_within(Duration::from_secs(60)));
        assert!(t.expires_within(Duration::from_secs(3601)));
        assert!(t.has_scopes(&["user-top-read"]));
        assert!(!t.has_scopes(&["user-top-read", "user-library-read"]));
    }

    #[test]
    fn a_refresh_without_new_refresh_token_keeps_the_old_one() {
        let old = tokens();
        let new = Tokens::new("ACCESS-2", None, SystemTime::now(), vec![]).refreshed(&old);
        assert_eq!(new.access_token().expose_secret(), "ACCESS-2");
        assert_eq!(new.refresh_token().unwrap().expose_secret(), "REFRESH-xyz");
        assert_eq!(new.scopes(), old.scopes());
    }
}
