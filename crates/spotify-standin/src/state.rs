//! What changes while the stand-in runs: codes, tokens, playlists, injected failures.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use rand::distr::{Alphanumeric, SampleString};

use crate::world::{base62_id, World};

/// A playlist as it is now.
#[derive(Debug, Clone)]
pub struct Playlist {
    /// Playlist id.
    pub id: String,
    /// Owner's user id.
    pub owner: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Public.
    pub public: bool,
    /// Track indices in order.
    pub tracks: Vec<usize>,
    /// Users following it besides the owner.
    pub followers: Vec<String>,
    /// Bumped by each change (the snapshot id).
    pub version: u32,
    /// Order of creation (newer first in `/me/playlists`).
    pub created: u64,
}

impl Playlist {
    /// Spotify's opaque version string.
    pub fn snapshot_id(&self) -> String {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .encode(format!("{}:{}", self.version, self.id))
    }
}

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone)]
pub struct Code {
    pub user: String,
    pub redirect_uri: String,
    pub challenge: Option<String>,
    pub scopes: Vec<String>,
    pub issued: Instant,
    pub used: bool,
}

/// An access token.
#[derive(Debug, Clone)]
pub struct Access {
    /// The listener; empty for an app token (client credentials).
    pub user: String,
    pub scopes: Vec<String>,
    pub expires: Instant,
}

/// A refresh token's grant.
#[derive(Debug, Clone)]
pub struct Grant {
    pub user: String,
    pub scopes: Vec<String>,
    /// Issued without the client secret (PKCE only).
    pub public_client: bool,
}

/// Failures the stand-in injects into the next API requests.
#[derive(Debug, Default)]
pub struct Injected {
    /// Let this many requests through before the injected failures start.
    pub after: u32,
    /// Answer this many requests with 429.
    pub rate_limited: u32,
    /// The `Retry-After` of injected 429s, in seconds.
    pub retry_after: u64,
    /// Answer this many requests with `fail_status`.
    pub failing: u32,
    /// A 5xx status.
    pub fail_status: u16,
}

/// The mutable state, behind one lock (every operation is short).
#[derive(Debug)]
pub struct Mutable {
    pub codes: HashMap<String, Code>,
    pub access: HashMap<String, Access>,
    pub refresh: HashMap<String, Grant>,
    pub playlists: Vec<Playlist>,
    pub injected: Injected,
    /// API requests seen (for `rate_limit_every`).
    pub api_requests: u64,
    /// `METHOD /v1/path?query` of every API request, in order.
    pub log: Vec<String>,
    counter: u64,
}

impl Mutable {
    /// The state at start: the world's playlists, nothing issued.
    pub fn new(world: &World) -> Mutable {
        let playlists = world
            .playlists
            .iter()
            .enumerate()
            .map(|(i, p)| Playlist {
                id: p.id.clone(),
                owner: p.owner.clone(),
                name: p.name.clone(),
                description: p.description.clone(),
                public: p.public,
                tracks: p.tracks.clone(),
                followers: p.followers.clone(),
                version: 1,
                created: i as u64,
            })
            .collect::<Vec<_>>();
        Mutable {
            counter: playlists.len() as u64,
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            playlists,
            injected: Injected::default(),
            api_requests: 0,
            log: Vec::new(),
        }
    }

    /// A new unguessable token or code.
    pub fn secret(prefix: &str) -> String {
        format!(
            "{prefix}{}",
            Alphanumeric.sample_string(&mut rand::rng(), 40)
        )
    }

    /// Issues an access token (and, for a new grant, a refresh token).
    pub fn issue(&mut self, user: &str, scopes: &[String], lifetime: Duration) -> String {
        let token = Self::secret("AQ");
        self.access.insert(
            token.clone(),
            Access {
                user: user.to_string(),
                scopes: scopes.to_vec(),
                expires: Instant::now() + lifetime,
            },
        );
        token
    }

    /// Issues an app token (client credentials grant): no listener, no scopes.
    pub fn issue_app(&mut self, lifetime: Duration) -> String {
        let token = Self::secret("BQ");
        self.access.insert(
            token.clone(),
            Access {
                user: String::new(),
                scopes: vec![],
                expires: Instant::now() + lifetime,
            },
        );
        token
    }

    /// A new playlist id.
    pub fn next_playlist_id(&mut self) -> (String, u64) {
        self.counter += 1;
        let salt = Self::secret("");
        (
            base62_id(&format!("created:{}:{salt}", self.counter)),
            self.counter,
        )
    }

    /// A playlist by id.
    pub fn playlist(&self, id: &str) -> Option<&Playlist> {
        self.playlists.iter().find(|p| p.id == id)
    }
}
