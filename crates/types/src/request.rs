//! What any entry point (the web app, the JSON APIs, the bot, the command line, the
//! evaluation) asks of a playlist: one [`PlaylistRequest`], with the limits and defaults every
//! entry point shares. The engine resolves its seed references and generates.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Attribute;

/// Longest playlist.
pub const MAX_LENGTH: usize = 100;
/// Most seed tracks one playlist may start from (and most negative seeds).
pub const MAX_SEEDS: usize = 50;
/// Longest seed reference: no title, artist name or link comes near it, and it keeps the
/// fuzzy matching of a typed seed cheap.
pub const MAX_SEED_CHARS: usize = 300;
/// Default playlist length.
pub const DEFAULT_LENGTH: usize = 30;
/// Default cap of tracks per artist.
pub const DEFAULT_MAX_PER_ARTIST: usize = 2;
/// Most blocked artists one request may list.
pub const MAX_BLOCKED_ARTISTS: usize = 100;
/// Longest blocked artist name: no real artist's name comes near it.
pub const MAX_ARTIST_CHARS: usize = 200;
/// Most track ids one request may exclude (the web app excludes up to 1,000 saved tracks and
/// their catalog matches).
pub const MAX_EXCLUDE_IDS: usize = 5_000;

/// The order of the returned tracks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    /// Most relevant first.
    #[default]
    Similarity,
    /// A listening order that flows: each track close to the previous one in tempo, energy
    /// and key (a greedy nearest-next walk from the most relevant track).
    Flow,
}

/// Bounds and a target for one attribute, as in Spotify's recommendations endpoint: `min` and
/// `max` filter (a track whose value is unknown does not pass), `target` re-ranks by closeness.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct AttributeBounds {
    /// Lowest value allowed.
    pub min: Option<f32>,
    /// Highest value allowed.
    pub max: Option<f32>,
    /// Preferred value.
    pub target: Option<f32>,
}

/// A reference to what a playlist should start from, before the engine resolves it to
/// catalog tracks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "SeedRepr", into = "SeedRepr")]
pub enum SeedRef {
    /// What a person typed or pasted: a catalog id, a `spotify:track:` URI, an
    /// open.spotify.com track link, or `artist - title` text (typos tolerated).
    Query(String),
    /// A track id, exactly (a `spotify:track:` URI or a track link is read as its id).
    Track(String),
    /// An artist: the id Selecta's track objects carry, or the artist's name.
    Artist(String),
    /// A genre or subgenre by its seed name (`dance-pop`) or name.
    Genre(String),
}

impl SeedRef {
    /// The reference as given.
    pub fn given(&self) -> &str {
        match self {
            SeedRef::Query(s) | SeedRef::Track(s) | SeedRef::Artist(s) | SeedRef::Genre(s) => s,
        }
    }
}

impl fmt::Display for SeedRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.given())
    }
}

/// On the wire a query is a plain string; the other kinds are tagged (`{"artist": "Queen"}`).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum SeedRepr {
    Query(String),
    Tagged(TaggedSeed),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum TaggedSeed {
    Track(String),
    Artist(String),
    Genre(String),
}

impl From<SeedRepr> for SeedRef {
    fn from(r: SeedRepr) -> Self {
        match r {
            SeedRepr::Query(s) => SeedRef::Query(s),
            SeedRepr::Tagged(TaggedSeed::Track(s)) => SeedRef::Track(s),
            SeedRepr::Tagged(TaggedSeed::Artist(s)) => SeedRef::Artist(s),
            SeedRepr::Tagged(TaggedSeed::Genre(s)) => SeedRef::Genre(s),
        }
    }
}

impl From<SeedRef> for SeedRepr {
    fn from(r: SeedRef) -> Self {
        match r {
            SeedRef::Query(s) => SeedRepr::Query(s),
            SeedRef::Track(s) => SeedRepr::Tagged(TaggedSeed::Track(s)),
            SeedRef::Artist(s) => SeedRepr::Tagged(TaggedSeed::Artist(s)),
            SeedRef::Genre(s) => SeedRepr::Tagged(TaggedSeed::Genre(s)),
        }
    }
}

/// A playlist request, as every entry point builds it from its own input format.
/// `Default` is what a new listener starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaylistRequest {
    /// What the playlist starts from, 1 to [`MAX_SEEDS`] tracks once resolved.
    pub seeds: Vec<SeedRef>,
    /// "Less like these": tracks whose neighbourhood is penalised, at most [`MAX_SEEDS`].
    pub negative_seeds: Vec<SeedRef>,
    /// Number of tracks, 1 to [`MAX_LENGTH`].
    pub length: usize,
    /// Most tracks by one artist (`None`: no cap). A track counts for each of its artists.
    pub max_per_artist: Option<usize>,
    /// Keep one version of a song (remix, remaster, live, radio edit...) and none of a seed.
    pub collapse_versions: bool,
    /// Artists never to return (case-insensitive, any of a track's artists).
    pub block_artists: Vec<String>,
    /// Track ids never to return (for example the listener's library).
    pub exclude_ids: Vec<String>,
    /// Min / max / target per attribute.
    pub attributes: BTreeMap<Attribute, AttributeBounds>,
    /// Track order.
    pub order: Order,
}

impl Default for PlaylistRequest {
    fn default() -> Self {
        PlaylistRequest {
            seeds: Vec::new(),
            negative_seeds: Vec::new(),
            length: DEFAULT_LENGTH,
            max_per_artist: Some(DEFAULT_MAX_PER_ARTIST),
            collapse_versions: true,
            block_artists: Vec::new(),
            exclude_ids: Vec::new(),
            attributes: BTreeMap::new(),
            order: Order::Similarity,
        }
    }
}

impl PlaylistRequest {
    /// Sets the minimum of an attribute.
    pub fn with_min(mut self, attribute: Attribute, min: f32) -> Self {
        self.attributes.entry(attribute).or_default().min = Some(min);
        self
    }

    /// Sets the maximum of an attribute.
    pub fn with_max(mut self, attribute: Attribute, max: f32) -> Self {
        self.attributes.entry(attribute).or_default().max = Some(max);
        self
    }

    /// Sets the target of an attribute.
    pub fn with_target(mut self, attribute: Attribute, target: f32) -> Self {
        self.attributes.entry(attribute).or_default().target = Some(target);
        self
    }

    /// The target of an attribute, when set.
    pub fn target(&self, attribute: Attribute) -> Option<f32> {
        self.attributes.get(&attribute).and_then(|b| b.target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_strings_or_tagged_on_the_wire() {
        let seeds: Vec<SeedRef> =
            serde_json::from_str(r#"["Queen - Bohemian Rhapsody", {"artist": "Queen"}, {"genre": "rock"}, {"track": "abc"}]"#)
                .unwrap();
        assert_eq!(
            seeds,
            [
                SeedRef::Query("Queen - Bohemian Rhapsody".into()),
                SeedRef::Artist("Queen".into()),
                SeedRef::Genre("rock".into()),
                SeedRef::Track("abc".into()),
            ]
        );
        let back = serde_json::to_string(&seeds).unwrap();
        assert_eq!(
            back,
            r#"["Queen - Bohemian Rhapsody",{"artist":"Queen"},{"genre":"rock"},{"track":"abc"}]"#
        );
        assert!(serde_json::from_str::<SeedRef>(r#"{"album": "x"}"#).is_err());
    }

    #[test]
    fn defaults_are_a_new_listeners() {
        let r = PlaylistRequest::default();
        assert_eq!((r.length, r.max_per_artist), (30, Some(2)));
        assert!(r.collapse_versions && r.seeds.is_empty());
        let r = r
            .with_target(Attribute::Tempo, 120.0)
            .with_min(Attribute::Tempo, 100.0);
        assert_eq!(r.target(Attribute::Tempo), Some(120.0));
        assert_eq!(r.attributes[&Attribute::Tempo].min, Some(100.0));
    }
}
