//! Maps a CSV header to the fields of a track by column name, so that data sets with other
//! column orders and names (the bundled TidyTuesday file, the 114-genre "Spotify Tracks
//! Dataset", ...) load alike.

use selecta_types::{Text, AUDIO_FEATURE_NAMES};

use crate::error::MissingColumn;
use crate::layout::Layout;

/// How a column holds artists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArtistStyle {
    /// One name per cell (`track_artist` of the bundled data).
    Single,
    /// Several names joined by `;` (`artists` of the 114-genre set), or a list literal
    /// `['A', 'B']`.
    List,
    /// A list literal `['A', 'B']` (the layouts pandas wrote); a cell without brackets is one
    /// name, since such a layout never joins names with `;`.
    ListLiteral,
}

/// Column positions of one file.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// Header names as written (trimmed), for messages.
    pub names: Vec<String>,
    /// The data set the header was recognised as.
    pub layout: Layout,
    pub id: usize,
    pub name: usize,
    pub artists: (usize, ArtistStyle),
    /// Spotify artist ids, parallel to the artists (`artist_ids`, `id_artists`).
    pub artist_ids: Option<usize>,
    pub isrc: Option<usize>,
    pub album: Option<usize>,
    pub album_id: Option<usize>,
    pub release_date: Option<usize>,
    pub year: Option<usize>,
    pub popularity: Option<usize>,
    pub duration_ms: Option<usize>,
    pub explicit: Option<usize>,
    /// In `AUDIO_FEATURE_NAMES` order; all but `time_signature` are required.
    pub features: [Option<usize>; 12],
    pub genre: Option<usize>,
    pub subgenre: Option<usize>,
    pub playlist_id: Option<usize>,
    pub playlist_name: Option<usize>,
}

const ID: &[&str] = &["track_id", "id"];
const NAME: &[&str] = &["track_name", "name", "title"];
const ARTIST_SINGLE: &[&str] = &["track_artist", "artist", "artist_name"];
const ARTIST_LIST: &[&str] = &["artists", "artist_names"];
const ARTIST_IDS: &[&str] = &["artist_ids", "id_artists", "track_artist_ids"];
const ISRC: &[&str] = &["isrc", "track_isrc"];
const ALBUM: &[&str] = &["track_album_name", "album_name", "album"];
const ALBUM_ID: &[&str] = &["track_album_id", "album_id"];
const RELEASE_DATE: &[&str] = &[
    "track_album_release_date",
    "album_release_date",
    "release_date",
];
const YEAR: &[&str] = &["year"];
const POPULARITY: &[&str] = &["track_popularity", "popularity"];
const DURATION_MS: &[&str] = &["duration_ms"];
const EXPLICIT: &[&str] = &["explicit"];
const GENRE: &[&str] = &["playlist_genre", "track_genre", "genre"];
const SUBGENRE: &[&str] = &["playlist_subgenre", "subgenre"];
const PLAYLIST_ID: &[&str] = &["playlist_id"];
const PLAYLIST_NAME: &[&str] = &["playlist_name"];

impl Columns {
    /// Maps a header (already decoded) to columns; matching ignores case and surrounding spaces.
    /// Every missing required column is reported at once, with a likely typo when there is one.
    pub fn from_header(header: &[String]) -> Result<Columns, Vec<MissingColumn>> {
        let lower: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
        let layout = Layout::detect(&lower);
        let find = |aliases: &[&str]| -> Option<usize> {
            aliases
                .iter()
                .find_map(|a| lower.iter().position(|h| h == a))
        };
        let mut missing = Vec::new();
        let mut require = |aliases: &[&str], pos: Option<usize>| {
            if pos.is_none() {
                missing.push(missing_column(aliases, &lower, header));
            }
            pos.unwrap_or(0)
        };

        let id = require(ID, find(ID));
        let name = require(NAME, find(NAME));
        let artists = match (find(ARTIST_SINGLE), find(ARTIST_LIST)) {
            (Some(i), _) => (i, ArtistStyle::Single),
            (None, Some(i)) if layout.artists_are_list_literals() => (i, ArtistStyle::ListLiteral),
            (None, Some(i)) => (i, ArtistStyle::List),
            (None, None) => {
                let all: Vec<&str> = ARTIST_SINGLE.iter().chain(ARTIST_LIST).copied().collect();
                (require(&all, None), ArtistStyle::Single)
            }
        };
        let mut features = [None; 12];
        for (slot, feature) in features.iter_mut().zip(AUDIO_FEATURE_NAMES) {
            let pos = find(&[feature]);
            *slot = if feature == "time_signature" {
                pos
            } else {
                Some(require(&[feature], pos))
            };
        }
        if !missing.is_empty() {
            return Err(missing);
        }
        Ok(Columns {
            names: header.iter().map(|h| h.trim().to_string()).collect(),
            layout,
            id,
            name,
            artists,
            artist_ids: find(ARTIST_IDS),
            isrc: find(ISRC),
            album: find(ALBUM),
            album_id: find(ALBUM_ID),
            release_date: find(RELEASE_DATE),
            year: find(YEAR),
            popularity: find(POPULARITY),
            duration_ms: find(DURATION_MS),
            explicit: find(EXPLICIT),
            features,
            genre: find(GENRE),
            subgenre: find(SUBGENRE),
            playlist_id: find(PLAYLIST_ID),
            playlist_name: find(PLAYLIST_NAME),
        })
    }

    /// The number of fields a row must have.
    pub fn width(&self) -> usize {
        self.names.len()
    }
}

fn missing_column(aliases: &[&str], lower: &[String], header: &[String]) -> MissingColumn {
    // A header name a couple of edits away from an accepted name is most likely a typo of it.
    let did_you_mean = lower
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.is_empty())
        .filter_map(|(i, h)| {
            let d = aliases
                .iter()
                .map(|a| strsim::damerau_levenshtein(a, h))
                .min()?;
            (d <= 2 && d < h.len()).then_some((d, i))
        })
        .min()
        .map(|(_, i)| header[i].trim().to_string());
    MissingColumn {
        name: aliases[0].to_string(),
        aliases: aliases[1..].iter().map(|a| a.to_string()).collect(),
        did_you_mean,
    }
}

/// Splits an artists cell that is not a list literal: `A;B`, or one name.
/// (List literals are parsed, and their errors reported, by the row reader.)
pub(crate) fn split_artists(cell: &str, style: ArtistStyle) -> Vec<Text> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Vec::new();
    }
    match style {
        ArtistStyle::Single | ArtistStyle::ListLiteral => vec![cell.into()],
        ArtistStyle::List => cell
            .split(';')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(Text::from)
            .collect(),
    }
}

/// True when an artists cell of this style is to be read as a list literal.
pub(crate) fn is_list_literal(cell: &str, style: ArtistStyle) -> bool {
    style != ArtistStyle::Single && cell.trim_start().starts_with('[')
}

/// Splits a cell the way [`split_artists`] and the row reader do, for tests and callers that
/// do not report problems: a broken list literal gives the cell as one name.
#[cfg(test)]
fn split_any(cell: &str, style: ArtistStyle) -> Vec<Text> {
    if is_list_literal(cell, style) {
        crate::list_literal::parse_list(cell)
            .map(|items| items.into_iter().map(Text::from).collect())
            .unwrap_or_else(|_| vec![cell.trim().into()])
    } else {
        split_artists(cell, style)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    const FEATURES: &str = "danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo";

    #[test]
    fn maps_the_114_genre_layout() {
        let h = header(&format!(
            ",track_id,artists,album_name,track_name,popularity,duration_ms,explicit,{FEATURES},time_signature,track_genre"
        ));
        let c = Columns::from_header(&h).unwrap();
        assert_eq!(c.id, 1);
        assert_eq!(c.artists, (2, ArtistStyle::List));
        assert_eq!(c.album, Some(3));
        assert_eq!(c.name, 4);
        assert_eq!(c.popularity, Some(5));
        assert_eq!(c.explicit, Some(7));
        assert_eq!(c.features[0], Some(8));
        assert_eq!(c.features[11], Some(19));
        assert_eq!(c.genre, Some(20));
        assert_eq!(c.playlist_id, None);
        assert_eq!(c.width(), 21);
    }

    #[test]
    fn names_match_case_insensitively() {
        let h = header(&format!(" Track_ID ,TRACK_NAME,track_artist,{FEATURES}"));
        let c = Columns::from_header(&h).unwrap();
        assert_eq!((c.id, c.name, c.artists.0), (0, 1, 2));
        assert_eq!(c.names[0], "Track_ID");
        assert_eq!(c.features[11], None);
    }

    #[test]
    fn reports_every_missing_column_with_typos() {
        let h = header("track_id,danceabilty,energy,key");
        let missing = Columns::from_header(&h).unwrap_err();
        let names: Vec<&str> = missing.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names[..3], ["track_name", "track_artist", "danceability"]);
        assert!(!names.contains(&"energy"));
        assert!(!names.contains(&"time_signature"));
        assert_eq!(missing[2].did_you_mean.as_deref(), Some("danceabilty"));
        assert_eq!(missing[0].did_you_mean, None);
        assert!(missing[1].aliases.contains(&"artists".to_string()));
    }

    #[test]
    fn splits_artist_lists() {
        assert_eq!(
            split_artists("Ed Sheeran;Justin Bieber", ArtistStyle::List),
            ["Ed Sheeran", "Justin Bieber"]
        );
        assert_eq!(
            split_any("['Sam', \"Guns N' Roses\"]", ArtistStyle::List),
            ["Sam", "Guns N' Roses"]
        );
        assert_eq!(split_artists("AC;DC", ArtistStyle::Single), ["AC;DC"]);
        assert_eq!(split_artists("AC;DC", ArtistStyle::ListLiteral), ["AC;DC"]);
        assert_eq!(split_any("['AC/DC']", ArtistStyle::ListLiteral), ["AC/DC"]);
        assert!(!is_list_literal("[x]", ArtistStyle::Single));
        assert!(split_artists("  ", ArtistStyle::List).is_empty());
    }
}
