//! What resolving seeds needs beyond the catalog: artist and genre indexes, album sizes, the
//! attributes the catalog actually holds ([`CatalogIndex`]). Built once per model
//! ([`CatalogView`]) and rebuilt after a reload ([`Views`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use selecta_catalog::normalize::normalize;
use selecta_catalog::{parse_spotify_ref, song_key, SpotifyRef};
use selecta_model::{Attribute, Model};
use selecta_types::Track;
use sha2::{Digest, Sha256};

use crate::hashed::{hash_key, HashedTable};
use crate::ModelHandle;

/// An artist of the catalog. The catalog has no artist ids, so Selecta derives a stable one
/// from the name ([`artist_id`]): clients can take it from a track object and give it back as
/// `seed_artists`.
#[derive(Debug, Clone)]
pub struct Artist {
    /// The name as the catalog first spells it.
    pub name: String,
    /// The artist's Spotify id, when the catalog has it.
    pub spotify_id: Option<String>,
    /// The artist's tracks (catalog indices), most popular first.
    pub tracks: Vec<usize>,
}

/// A genre or subgenre of the catalog, under its seed name (`r-n-b`, `dance-pop`).
#[derive(Debug, Clone)]
pub struct Genre {
    /// The tracks (catalog indices), most popular first.
    pub tracks: Vec<usize>,
}

/// An artist while indexing: the name as first seen, the Spotify id, the tracks.
type ArtistEntry = (String, Option<String>, Vec<usize>);

/// The indexes derived from a catalog's tracks.
#[derive(Debug, Default)]
pub struct CatalogIndex {
    artists: Vec<Artist>,
    /// Derived id ([`artist_id`]) -> artist.
    artist_by_id: HashedTable,
    /// Normalised name -> artist.
    artist_by_name: HashedTable,
    /// Spotify artist id -> artist.
    artist_by_spotify_id: HashedTable,
    /// Song key ([`song_key`]) -> tracks, most popular first.
    songs: HashedTable,
    /// Normalised ISRC ([`normalize_isrc`]) -> tracks, first in catalog order first.
    isrcs: HashedTable,
    genres: BTreeMap<String, Genre>,
    known: BTreeSet<Attribute>,
    /// Hash of [`album_id`] -> tracks on the album. (Two albums whose ids hash alike would
    /// share a count: at a million albums, about one chance in ten million.)
    album_sizes: HashMap<u64, u32>,
}

/// A model with the indexes derived from its catalog.
pub struct CatalogView {
    /// The model these indexes were built from.
    pub model: Arc<Model>,
    /// The indexes.
    pub index: CatalogIndex,
}

impl CatalogView {
    /// Indexes the model's catalog (tens of milliseconds for the bundled 28k tracks).
    pub fn build(model: Arc<Model>) -> Self {
        let index = CatalogIndex::build(model.tracks());
        CatalogView { model, index }
    }

    /// The tracks, by catalog index.
    pub fn tracks(&self) -> &[Track] {
        self.model.tracks()
    }

    /// A track by id, `spotify:track:ID` URI or open.spotify.com link.
    pub fn track(&self, given: &str) -> Option<usize> {
        track_index(&self.model, given)
    }

    /// The engine over this model and its indexes.
    pub fn engine(&self) -> crate::Engine<'_> {
        crate::Engine::new(&self.model, &self.index)
    }
}

impl std::ops::Deref for CatalogView {
    type Target = CatalogIndex;

    fn deref(&self) -> &CatalogIndex {
        &self.index
    }
}

/// A track by id, `spotify:track:ID` URI or open.spotify.com link.
pub fn track_index(model: &Model, given: &str) -> Option<usize> {
    let catalog = model.catalog();
    catalog
        .index_of(given.trim())
        .or_else(|| match parse_spotify_ref(given) {
            SpotifyRef::Track(id) => catalog.index_of(&id),
            _ => None,
        })
}

impl CatalogIndex {
    /// Indexes the tracks (tens of milliseconds for the bundled 28k tracks).
    pub fn build(tracks: &[Track]) -> Self {
        let by_popularity = |mut v: Vec<usize>| {
            v.sort_by(|&a, &b| {
                let p = |i: usize| tracks[i].popularity.unwrap_or(0.0);
                p(b).total_cmp(&p(a)).then(a.cmp(&b))
            });
            v
        };
        // Normalised name -> (name as first seen, Spotify id, tracks).
        let mut artist_tracks: HashMap<String, ArtistEntry> = HashMap::new();
        let mut songs: Vec<(u64, u32)> = Vec::with_capacity(tracks.len());
        let mut isrcs: Vec<(u64, u32)> = Vec::new();
        let mut genre_tracks: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut album_sizes: HashMap<u64, u32> = HashMap::new();
        let mut known = BTreeSet::new();
        for (i, t) in tracks.iter().enumerate() {
            let row = u32::try_from(i).expect("a catalog holds fewer than 2³² tracks");
            for (k, a) in t.artists.iter().enumerate() {
                let entry = artist_tracks
                    .entry(normalize(a))
                    .or_insert_with(|| (a.to_string(), None, Vec::new()));
                if entry.1.is_none() {
                    entry.1 = t
                        .artist_ids
                        .get(k)
                        .filter(|id| !id.is_empty())
                        .map(|id| id.to_string());
                }
                entry.2.push(i);
            }
            if !t.name.is_empty() && !t.artists.is_empty() {
                songs.push((hash_key(&song_key(t)), row));
            }
            if let Some(code) = t.isrc.as_deref().map(normalize_isrc) {
                isrcs.push((hash_key(&code), row));
            }
            let mut slugs: Vec<String> = t
                .genres
                .iter()
                .chain(&t.subgenres)
                .map(|g| slug(g))
                .collect();
            slugs.sort();
            slugs.dedup();
            for s in slugs.into_iter().filter(|s| !s.is_empty()) {
                genre_tracks.entry(s).or_default().push(i);
            }
            *album_sizes.entry(hash_key(&album_id(t))).or_default() += 1;
            known.extend(Attribute::ALL.into_iter().filter(|a| a.value(t).is_some()));
        }
        // In a stable order (by derived id), so that the index does not depend on hashing.
        let mut by_id: Vec<(String, String, ArtistEntry)> = artist_tracks
            .into_iter()
            .map(|(norm, entry)| (artist_id(&entry.0), norm, entry))
            .collect();
        by_id.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut artists = Vec::with_capacity(by_id.len());
        let (mut ids, mut names, mut spotify_ids) = (Vec::new(), Vec::new(), Vec::new());
        for (n, (id, norm, (name, spotify_id, list))) in by_id.into_iter().enumerate() {
            let n = u32::try_from(n).expect("fewer than 2³² artists");
            ids.push((hash_key(&id), n));
            names.push((hash_key(&norm), n));
            if let Some(sid) = &spotify_id {
                spotify_ids.push((hash_key(sid), n));
            }
            artists.push(Artist {
                name,
                spotify_id,
                tracks: by_popularity(list),
            });
        }
        // Each song's tracks most popular first: sorted so before the table's stable sort.
        let popularity = |i: u32| tracks[i as usize].popularity.unwrap_or(0.0);
        songs.sort_by(|a, b| {
            popularity(b.1)
                .total_cmp(&popularity(a.1))
                .then(a.1.cmp(&b.1))
        });
        let genres = genre_tracks
            .into_iter()
            .map(|(slug, list)| {
                let g = Genre {
                    tracks: by_popularity(list),
                };
                (slug, g)
            })
            .collect();
        album_sizes.shrink_to_fit();
        CatalogIndex {
            artists,
            artist_by_id: HashedTable::new(ids),
            artist_by_name: HashedTable::new(names),
            artist_by_spotify_id: HashedTable::new(spotify_ids),
            songs: HashedTable::new(songs),
            isrcs: HashedTable::new(isrcs),
            genres,
            known,
            album_sizes,
        }
    }

    /// An artist by Spotify id (`spotify:artist:ID`, a link), derived id (`selecta:artist:ID`)
    /// or name (case-, accent- and punctuation-insensitive).
    pub fn artist(&self, given: &str) -> Option<&Artist> {
        let given = given.trim();
        if let SpotifyRef::NotATrack { kind, id: Some(id) } = parse_spotify_ref(given) {
            if kind == "artist" {
                return self.artist_by_spotify_id(&id);
            }
        }
        let id = given.strip_prefix("selecta:artist:").unwrap_or(given);
        self.artist_by_derived_id(id)
            .or_else(|| self.artist_by_spotify_id(id))
            .or_else(|| self.artist_named(given))
    }

    /// An artist by the id Selecta derives from the name ([`artist_id`]).
    fn artist_by_derived_id(&self, id: &str) -> Option<&Artist> {
        self.artist_by_id
            .candidates(id)
            .map(|n| &self.artists[n as usize])
            .find(|a| artist_id(&a.name) == id)
    }

    /// An artist by Spotify id, when the catalog has the artist's id.
    pub fn artist_by_spotify_id(&self, id: &str) -> Option<&Artist> {
        self.artist_by_spotify_id
            .candidates(id)
            .map(|n| &self.artists[n as usize])
            .find(|a| a.spotify_id.as_deref() == Some(id))
    }

    /// An artist by name (case-, accent- and punctuation-insensitive).
    pub fn artist_named(&self, name: &str) -> Option<&Artist> {
        let norm = normalize(name);
        self.artist_by_name
            .candidates(&norm)
            .map(|n| &self.artists[n as usize])
            .find(|a| normalize(&a.name) == norm)
    }

    /// The catalog tracks of a song ([`song_key`]: main artist and title without version
    /// tags), most popular first.
    pub fn song(&self, key: &str, tracks: &[Track]) -> Vec<usize> {
        self.songs
            .candidates(key)
            .map(|i| i as usize)
            .filter(|&i| tracks.get(i).is_some_and(|t| song_key(t) == key))
            .collect()
    }

    /// The catalog track of a recording, by ISRC (any case, with or without dashes).
    pub fn isrc(&self, code: &str, tracks: &[Track]) -> Option<usize> {
        let code = normalize_isrc(code);
        self.isrcs.candidates(&code).map(|i| i as usize).find(|&i| {
            tracks
                .get(i)
                .and_then(|t| t.isrc.as_deref())
                .is_some_and(|c| normalize_isrc(c) == code)
        })
    }

    /// A genre or subgenre by seed name or name (`r-n-b`, `R&B`, `dance pop`).
    pub fn genre(&self, given: &str) -> Option<&Genre> {
        self.genres.get(&slug(given))
    }

    /// The seed names of every genre and subgenre, sorted.
    pub fn genre_seeds(&self) -> Vec<&str> {
        self.genres.keys().map(String::as_str).collect()
    }

    /// True when at least one track has a value for the attribute (the bundled catalog has no
    /// `time_signature`).
    pub fn knows(&self, attribute: Attribute) -> bool {
        self.known.contains(&attribute)
    }

    /// How many catalog tracks share the track's album.
    pub fn album_size(&self, t: &Track) -> u32 {
        self.album_sizes
            .get(&hash_key(&album_id(t)))
            .copied()
            .unwrap_or(1)
    }
}

/// The view of the model in service, rebuilt when a reload swaps the model.
pub struct Views {
    handle: ModelHandle,
    current: RwLock<Arc<CatalogView>>,
    /// Held by the one caller that rebuilds the view after a reload.
    building: Mutex<()>,
}

impl Views {
    /// Builds the view of the current model.
    pub fn new(handle: ModelHandle) -> Self {
        let current = RwLock::new(Arc::new(CatalogView::build(handle.current())));
        Views {
            handle,
            current,
            building: Mutex::new(()),
        }
    }

    /// The handle the views follow.
    pub fn handle(&self) -> &ModelHandle {
        &self.handle
    }

    /// The view of the model in service now. After a reload, the first caller builds the new
    /// view (seconds for a million tracks: on a multi-threaded runtime it tells tokio so, and
    /// the worker's other tasks move elsewhere); callers meanwhile keep the previous view, a
    /// consistent model with its own indexes, rather than each building one.
    pub fn get(&self) -> Arc<CatalogView> {
        let model = self.handle.current();
        let previous = {
            let view = self.current.read().unwrap_or_else(|e| e.into_inner());
            if Arc::ptr_eq(&view.model, &model) {
                return view.clone();
            }
            view.clone()
        };
        let Ok(_building) = self.building.try_lock() else {
            return previous;
        };
        // Another caller may have built it while this one waited for the read lock.
        {
            let view = self.current.read().unwrap_or_else(|e| e.into_inner());
            if Arc::ptr_eq(&view.model, &model) {
                return view.clone();
            }
        }
        let on_workers = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        let build = || Arc::new(CatalogView::build(model));
        let view = if on_workers {
            tokio::task::block_in_place(build)
        } else {
            build()
        };
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = view.clone();
        tracing::info!(
            tracks = view.tracks().len(),
            "catalog indexes rebuilt for the new model"
        );
        view
    }
}

/// A genre's seed name: lowercase, `&` as `n`, other runs of non-alphanumerics as one `-`
/// (`R&B` -> `r-n-b`, `Dance Pop` -> `dance-pop`), as Spotify spelled its genre seeds.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c == '&' {
            if !out.is_empty() {
                out.push('-');
            }
            out.push('n');
            dash = true;
        } else if c.is_alphanumeric() {
            if dash && !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

/// An ISRC as compared: uppercase, without dashes or spaces.
pub fn normalize_isrc(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A stable id for an artist name: 22 base62 characters of SHA-256 of the lowercased name,
/// so it has the shape of a Spotify id and survives restarts and refits.
pub fn artist_id(name: &str) -> String {
    derived_id("artist", &name.trim().to_lowercase())
}

/// The album's Spotify id, or a derived one (from album title and main artist) when the
/// catalog lacks it.
pub fn album_id(t: &Track) -> String {
    match &t.album_id {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => derived_id(
            "album",
            &format!(
                "{}\u{1f}{}",
                t.album.to_lowercase(),
                t.artists
                    .first()
                    .map(|a| a.to_lowercase())
                    .unwrap_or_default()
            ),
        ),
    }
}

fn derived_id(kind: &str, text: &str) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    // The hash of `selecta:{kind}:{text}`, fed in parts (no string made for it).
    let digest = Sha256::new()
        .chain_update("selecta:")
        .chain_update(kind)
        .chain_update(":")
        .chain_update(text)
        .finalize();
    let mut n = u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"));
    let mut out = [b'0'; 22];
    // 62^22 > 2^128, so 22 digits hold any u128.
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out.to_vec()).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_spotify_spelling() {
        assert_eq!(slug("r&b"), "r-n-b");
        assert_eq!(slug("R&B"), "r-n-b");
        assert_eq!(slug("dance pop"), "dance-pop");
        assert_eq!(slug("  Hip-Hop  "), "hip-hop");
        assert_eq!(slug("post-teen pop"), "post-teen-pop");
        assert_eq!(slug("edm"), "edm");
        assert_eq!(slug("--"), "");
    }

    #[test]
    fn artist_ids_are_stable_base62_and_case_blind() {
        let id = artist_id("Queen");
        assert_eq!(id.len(), 22);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(id, artist_id(" queen "));
        assert_ne!(id, artist_id("Queens"));
        // Fixed forever: clients may store these ids.
        assert_eq!(id, derived_id("artist", "queen"));
    }

    #[test]
    fn album_ids_prefer_the_catalog() {
        let mut t = Track {
            album: "A Night at the Opera".into(),
            artists: vec!["Queen".into()],
            album_id: Some("1GbtB4zTqAsyfZEsm1RZfx".into()),
            ..Track::default()
        };
        assert_eq!(album_id(&t), "1GbtB4zTqAsyfZEsm1RZfx");
        t.album_id = None;
        let derived = album_id(&t);
        assert_eq!(derived.len(), 22);
        assert_ne!(derived, artist_id("Queen"));
    }
}
