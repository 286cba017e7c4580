//! The stand-in's fixed world: tracks (the catalog's plus some it lacks) and a few users
//! with libraries drawn from them, deterministic for a seed.

use std::collections::HashMap;

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use selecta_catalog::Catalog;
use sha2::{Digest, Sha256};

/// How many tracks outside the catalog exist in the stand-in.
pub const EXTRA_TRACKS: usize = 60;

/// A track as the stand-in serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct StandinTrack {
    /// Spotify id (22 base62 characters).
    pub id: String,
    /// Title.
    pub name: String,
    /// `(artist id, name)`, main artist first.
    pub artists: Vec<(String, String)>,
    /// Album id.
    pub album_id: String,
    /// Album title.
    pub album: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub release_date: String,
    /// Length in ms.
    pub duration_ms: u32,
    /// 0..100.
    pub popularity: u32,
    /// Explicit lyrics.
    pub explicit: bool,
    /// Whether the bundled catalog has this track.
    pub in_catalog: bool,
}

/// One of the stand-in's listeners.
#[derive(Debug, Clone)]
pub struct User {
    /// Spotify user id (also the consent page's choice).
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Saved tracks, newest first: (track index, added days before the epoch below).
    pub saved: Vec<usize>,
    /// Top tracks per `short_term`, `medium_term`, `long_term`.
    pub top: [Vec<usize>; 3],
    /// Recent plays, newest first (a track may repeat).
    pub recent: Vec<usize>,
}

/// A playlist existing when the stand-in starts.
#[derive(Debug, Clone)]
pub struct SeedPlaylist {
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
    /// Users who follow it (besides the owner).
    pub followers: Vec<String>,
}

/// Tracks, users and their starting playlists.
#[derive(Debug)]
pub struct World {
    /// Every track the stand-in knows; indices are stable.
    pub tracks: Vec<StandinTrack>,
    by_id: HashMap<String, usize>,
    /// Listeners, in consent-page order.
    pub users: Vec<User>,
    /// Playlists at start.
    pub playlists: Vec<SeedPlaylist>,
    catalog: Catalog,
}

/// A deterministic base62 id of 22 characters from a text.
pub fn base62_id(text: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let digest = Sha256::digest(text.as_bytes());
    digest
        .iter()
        .take(22)
        .map(|b| ALPHABET[usize::from(*b) % 62] as char)
        .collect()
}

const EXTRA_WORDS: [&str; 12] = [
    "Midnight", "Paper", "Velvet", "Harbour", "Static", "Lantern", "Copper", "Orbit", "Willow",
    "Neon", "Quiet", "Marble",
];
const EXTRA_NOUNS: [&str; 10] = [
    "Tram", "Letters", "Garden", "Signal", "Rooftops", "Tides", "Parade", "Engines", "Summer",
    "Ghosts",
];
const EXTRA_ARTISTS: [&str; 8] = [
    "The Stand-ins",
    "Lumen Avenue",
    "Kite Theory",
    "Mara Vell",
    "Northbound Choir",
    "Sable & Finch",
    "Ohm Street",
    "Juniper Fold",
];

impl World {
    /// Builds the world from a catalog; equal seeds give equal worlds.
    pub fn new(catalog: Catalog, seed: u64) -> World {
        let mut tracks: Vec<StandinTrack> = catalog
            .tracks()
            .iter()
            .filter(|t| !t.name.is_empty() && !t.artists.is_empty() && is_base62_22(&t.id))
            .map(|t| StandinTrack {
                id: t.id.clone(),
                name: t.name.clone(),
                artists: t
                    .artists
                    .iter()
                    .map(|a| (base62_id(&format!("artist:{a}")), a.clone()))
                    .collect(),
                album_id: t
                    .album_id
                    .clone()
                    .filter(|a| is_base62_22(a))
                    .unwrap_or_else(|| base62_id(&format!("album:{}", t.album))),
                album: if t.album.is_empty() {
                    t.name.clone()
                } else {
                    t.album.clone()
                },
                release_date: t
                    .release_date
                    .clone()
                    .filter(|d| valid_date(d))
                    .unwrap_or_else(|| "2000".into()),
                duration_ms: t.duration_ms.unwrap_or(200_000),
                popularity: t
                    .popularity
                    .map(|p| p.clamp(0.0, 100.0) as u32)
                    .unwrap_or(0),
                explicit: t.explicit.unwrap_or(false),
                in_catalog: true,
            })
            .collect();
        let catalog_count = tracks.len();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut n = 0;
        while tracks.len() < catalog_count + EXTRA_TRACKS {
            let id = base62_id(&format!("standin-extra:{seed}:{n}"));
            n += 1;
            if catalog.get(&id).is_some() {
                continue;
            }
            let name = format!(
                "{} {}",
                EXTRA_WORDS.choose(&mut rng).expect("words"),
                EXTRA_NOUNS.choose(&mut rng).expect("nouns")
            );
            let artist = EXTRA_ARTISTS.choose(&mut rng).expect("artists").to_string();
            let album = format!("{} Sessions", EXTRA_WORDS.choose(&mut rng).expect("words"));
            tracks.push(StandinTrack {
                id,
                album_id: base62_id(&format!("album:{artist}:{album}")),
                artists: vec![(base62_id(&format!("artist:{artist}")), artist)],
                album,
                name,
                release_date: format!(
                    "{}-{:02}-{:02}",
                    rng.random_range(2021..2026),
                    rng.random_range(1..13),
                    rng.random_range(1..29)
                ),
                duration_ms: rng.random_range(120_000..330_000),
                popularity: rng.random_range(5..60),
                explicit: false,
                in_catalog: false,
            });
        }
        let by_id = tracks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let mut world = World {
            tracks,
            by_id,
            users: vec![],
            playlists: vec![],
            catalog,
        };
        world.draw_users(&mut rng, catalog_count);
        world
    }

    fn draw_users(&mut self, rng: &mut ChaCha8Rng, catalog_count: usize) {
        let extra: Vec<usize> = (catalog_count..self.tracks.len()).collect();
        // Mostly popular catalog tracks, as a real library would be, with some outside it.
        let mut popular: Vec<usize> = (0..catalog_count).collect();
        popular.sort_by_key(|&i| std::cmp::Reverse(self.tracks[i].popularity));
        popular.truncate(3000);
        let draw = |rng: &mut ChaCha8Rng, n: usize, extra_share: f64| -> Vec<usize> {
            let mut out = Vec::with_capacity(n);
            while out.len() < n {
                let i = if rng.random_bool(extra_share) {
                    *extra.choose(rng).expect("extra tracks")
                } else {
                    *popular.choose(rng).expect("catalog tracks")
                };
                if !out.contains(&i) {
                    out.push(i);
                }
            }
            out
        };
        let alice_saved = draw(rng, 120, 0.1);
        let mut alice_recent = draw(rng, 30, 0.1);
        // Replays: a recent list repeats tracks.
        for k in 0..8 {
            alice_recent.insert(2 * k + 1, alice_recent[k]);
        }
        let alice = User {
            id: "alice".into(),
            display_name: "Alice Archer".into(),
            top: [draw(rng, 50, 0.1), draw(rng, 50, 0.1), draw(rng, 50, 0.1)],
            recent: alice_recent,
            saved: alice_saved,
        };
        let bob = User {
            id: "bob".into(),
            display_name: "Bob Banks".into(),
            saved: draw(rng, 8, 0.5),
            top: [draw(rng, 5, 0.5), draw(rng, 5, 0.5), draw(rng, 5, 0.5)],
            recent: draw(rng, 4, 0.5),
        };
        // A new account: empty lists are a case the app must show well.
        let carol = User {
            id: "carol".into(),
            display_name: "Carol Chen".into(),
            saved: vec![],
            top: [vec![], vec![], vec![]],
            recent: vec![],
        };
        let mut shuffled = alice.saved.clone();
        shuffled.shuffle(rng);
        self.playlists = vec![
            SeedPlaylist {
                id: base62_id("playlist:alice:1"),
                owner: "alice".into(),
                name: "Morning run".into(),
                description: "Fast and bright".into(),
                public: true,
                tracks: draw(rng, 75, 0.1),
                followers: vec![],
            },
            SeedPlaylist {
                id: base62_id("playlist:alice:2"),
                owner: "alice".into(),
                name: "Late night".into(),
                description: "".into(),
                public: false,
                tracks: shuffled.into_iter().take(30).collect(),
                followers: vec![],
            },
            SeedPlaylist {
                id: base62_id("playlist:bob:1"),
                owner: "bob".into(),
                name: "Bob's mix".into(),
                description: "Shared with Alice".into(),
                public: true,
                tracks: draw(rng, 12, 0.3),
                // Spotify answers 403 to items of a playlist the listener only follows.
                followers: vec!["alice".into()],
            },
        ];
        self.users = vec![alice, bob, carol];
    }

    /// The index of a track by id.
    pub fn track_index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// A user by id.
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// Track indices matching a search, best first: the catalog's search, then tracks outside
    /// the catalog whose title or artist contains every word.
    pub fn search(&self, query: &str, max: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .catalog
            .search(query, max)
            .into_iter()
            .filter_map(|i| self.track_index(&self.catalog.tracks()[i].id))
            .collect();
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        for (i, t) in self
            .tracks
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.in_catalog)
        {
            let text = format!("{} {}", t.name, t.artists[0].1).to_lowercase();
            if !words.is_empty() && words.iter().all(|w| text.contains(w.as_str())) {
                out.push(i);
            }
        }
        out.truncate(max);
        out
    }
}

fn is_base62_22(id: &str) -> bool {
    id.len() == 22 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

fn valid_date(d: &str) -> bool {
    matches!(d.len(), 4 | 7 | 10) && d.get(..4).is_some_and(|y| y.parse::<u16>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_base62_and_stable() {
        let a = base62_id("x");
        assert_eq!(a, base62_id("x"));
        assert_ne!(a, base62_id("y"));
        assert!(is_base62_22(&a));
    }

    #[test]
    fn dates_are_checked() {
        assert!(valid_date("1987"));
        assert!(valid_date("1987-11"));
        assert!(valid_date("1987-11-12"));
        assert!(!valid_date("87"));
        assert!(!valid_date("abcd-11-12"));
    }
}
