//! The listener's Spotify library in the picker: which list to show ([`Source`]), one page of
//! it with each track matched to the catalog ([`LibraryPage`]), and (server side) the matching
//! itself: by Spotify id, else by normalised artist and title. A track the catalog does not
//! hold is listed as such, never silently dropped: it is still a seed, marked "estimated",
//! when the catalog holds tracks by its artists.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::{SpotifyPlaylist, SpotifyTrack, Track};

/// Tracks per page of a library list.
pub const LIBRARY_PAGE_SIZE: u32 = 20;

/// A list of the listener's library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// Saved ("liked") tracks.
    Saved,
    /// Top tracks over about 4 weeks.
    TopShort,
    /// Top tracks over about 6 months.
    TopMedium,
    /// Top tracks over about a year.
    TopLong,
    /// Recently played.
    Recent,
    /// The listener's playlists.
    Playlists,
    /// The tracks of one playlist (its Spotify id).
    Playlist(String),
}

impl Source {
    /// The tabs of the picker: `(query value, label)`.
    pub const TABS: [(&'static str, &'static str); 7] = [
        ("catalog", "Catalog search"),
        ("saved", "Saved tracks"),
        ("top-short", "Top: 4 weeks"),
        ("top-medium", "Top: 6 months"),
        ("top-long", "Top: all time"),
        ("recent", "Recently played"),
        ("playlists", "Your playlists"),
    ];

    /// From the page's query: `source=saved`, or `source=playlist&list=ID`. `None` for the
    /// catalog search; an error names the parameter.
    pub fn parse(source: &str, list: Option<&str>) -> Result<Option<Source>, AppError> {
        Ok(Some(match source {
            "" | "catalog" => return Ok(None),
            "saved" => Source::Saved,
            "top-short" => Source::TopShort,
            "top-medium" => Source::TopMedium,
            "top-long" => Source::TopLong,
            "recent" => Source::Recent,
            "playlists" => Source::Playlists,
            "playlist" => {
                let id = list.unwrap_or("").trim();
                let valid =
                    (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric());
                if !valid {
                    return Err(AppError::invalid(
                        "list",
                        format!("`{id}` is not a Spotify playlist id"),
                    ));
                }
                Source::Playlist(id.to_string())
            }
            other => {
                return Err(AppError::invalid(
                    "source",
                    format!(
                        "`{other}` is not one of catalog, saved, top-short, top-medium, \
                         top-long, recent, playlists, playlist"
                    ),
                ))
            }
        }))
    }
}

/// How a Spotify track was found in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchKind {
    /// Same Spotify id.
    Id,
    /// Same main artist and title (case, accents, punctuation and version marks ignored).
    Name,
}

/// A track of the listener's library and its catalog counterpart, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryItem {
    /// As Spotify lists it.
    pub spotify: SpotifyTrack,
    /// The catalog track it matched, usable as a seed.
    pub catalog: Option<Track>,
    /// How it matched.
    pub matched_by: Option<MatchKind>,
    /// Not in the catalog, but usable as a seed: how its sound is estimated ("... is not in
    /// the catalog: its sound is estimated from 14 catalog tracks by Queen").
    #[serde(default)]
    pub estimate: Option<String>,
}

/// One page of a library list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LibraryPage {
    /// Heading (`Saved tracks`, a playlist's name...).
    pub title: String,
    /// Tracks (empty for the playlists list).
    pub items: Vec<LibraryItem>,
    /// Playlists (the playlists list only).
    pub playlists: Vec<SpotifyPlaylist>,
    /// Page number, from 1.
    pub page: usize,
    /// Whether a next page exists.
    pub has_next: bool,
    /// Length of the whole list, when Spotify says.
    pub total: Option<u32>,
    /// Items of this page Selecta cannot use (episodes, local files, removed tracks, items
    /// Spotify described without an id or name): left out, and said so in [`Self::skipped_note`].
    #[serde(default)]
    pub skipped: u32,
}

impl LibraryPage {
    /// The short note a page shows for the items it left out, if any.
    pub fn skipped_note(&self) -> Option<String> {
        let what = if self.items.is_empty() && !self.playlists.is_empty() {
            "playlist"
        } else {
            "item"
        };
        match self.skipped {
            0 => None,
            1 => Some(format!(
                "1 {what} here can't be used (an episode, a local file, a removed track, or \
                 something Spotify sent that Selecta can't read), so it is not listed."
            )),
            n => Some(format!(
                "{n} {what}s here can't be used (episodes, local files, removed tracks, or \
                 things Spotify sent that Selecta can't read), so they are not listed."
            )),
        }
    }
}

#[cfg(feature = "ssr")]
pub use matching::{match_track, Match};

#[cfg(feature = "ssr")]
mod matching {
    use selecta_engine::CatalogView;

    use super::{LibraryItem, MatchKind};
    use crate::SpotifyTrack;

    /// A catalog track found for a Spotify track.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Match {
        /// Index in the catalog.
        pub index: usize,
        /// How.
        pub kind: MatchKind,
    }

    /// The catalog track for a Spotify track: the same id, else the same song by name (the
    /// most popular version; the engine's song index).
    pub fn match_track(view: &CatalogView, t: &SpotifyTrack) -> Option<Match> {
        if let Some(index) = view.model.catalog().index_of(&t.id) {
            return Some(Match {
                index,
                kind: MatchKind::Id,
            });
        }
        selecta_engine::known::song_tracks(view, view.tracks(), t)
            .first()
            .map(|&index| Match {
                index,
                kind: MatchKind::Name,
            })
    }

    /// Matches a list, keeping every track: an unmatched one says whether its sound can be
    /// estimated from its artists' catalog tracks (then it can still be a seed).
    pub fn items(view: &CatalogView, tracks: Vec<SpotifyTrack>) -> Vec<LibraryItem> {
        tracks
            .into_iter()
            .map(|t| {
                let m = match_track(view, &t);
                let estimate = match m {
                    Some(_) => None,
                    None => selecta_engine::known::match_track(&view.model, &view.index, &t)
                        .and_then(|m| m.note),
                };
                LibraryItem {
                    catalog: m.map(|m| view.tracks()[m.index].clone()),
                    matched_by: m.map(|m| m.kind),
                    estimate,
                    spotify: t,
                }
            })
            .collect()
    }
}

#[cfg(feature = "ssr")]
pub use matching::items;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use selecta_catalog::Catalog;
    use selecta_engine::CatalogView;
    use selecta_model::{Model, ModelParams};
    use selecta_types::AudioFeatures;

    fn model() -> Model {
        let t = |id: &str, name: &str, artist: &str, pop: f32, e: f32| Track {
            id: id.into(),
            name: name.into(),
            artists: vec![artist.into()],
            popularity: Some(pop),
            features: AudioFeatures {
                energy: Some(e).into(),
                ..AudioFeatures::default()
            },
            ..Track::default()
        };
        let tracks = vec![
            t(
                "3HVWdVOQ0ZA45FuZGSfvns",
                "I Don't Care (with Justin Bieber)",
                "Ed Sheeran",
                90.0,
                0.6,
            ),
            t(
                "0hVXuCcriWRGvwMV1r5Yn9",
                "I Don't Care (with Justin Bieber)",
                "Ed Sheeran",
                84.0,
                0.7,
            ),
            t(
                "7tFiyTwD0nx5a1eklYtX2J",
                "Bohemian Rhapsody - Remastered 2011",
                "Queen",
                80.0,
                0.4,
            ),
            t("5Z01UMMf7V1o0MzF86s6WJ", "Hold Up", "Beyoncé", 75.0, 0.5),
        ];
        Model::fit(
            Catalog::from_tracks(tracks, Vec::new()),
            &ModelParams::default(),
            &mut |_| {},
        )
        .unwrap()
    }

    fn spotify(id: &str, name: &str, artists: &[&str]) -> SpotifyTrack {
        SpotifyTrack {
            id: id.into(),
            name: name.into(),
            artists: artists.iter().map(|a| a.to_string()).collect(),
            ..SpotifyTrack::default()
        }
    }

    #[test]
    fn matches_by_id_then_by_normalised_artist_and_title() {
        let m = model();
        let view = CatalogView::build(std::sync::Arc::new(m));
        // Same id: that exact track, even though another version is more popular.
        let hit = match_track(&view, &spotify("0hVXuCcriWRGvwMV1r5Yn9", "x", &["y"])).unwrap();
        assert_eq!((hit.index, hit.kind), (1, MatchKind::Id));
        // Another id (another release), same song: case, accents, punctuation and the
        // guest credit do not matter; the most popular version is taken.
        let hit = match_track(
            &view,
            &spotify(
                "1111111111111111111111",
                "I DONT CARE",
                &["ED SHEERAN", "Justin Bieber"],
            ),
        )
        .unwrap();
        assert_eq!((hit.index, hit.kind), (0, MatchKind::Name));
        let hit = match_track(
            &view,
            &spotify("2222222222222222222222", "Bohemian Rhapsody", &["Queen"]),
        )
        .unwrap();
        assert_eq!(hit.index, 2);
        let hit = match_track(
            &view,
            &spotify("3333333333333333333333", "Hold Up", &["Beyonce"]),
        )
        .unwrap();
        assert_eq!(hit.index, 3);
        // Another artist's song of the same title, and unknown songs, do not match.
        assert_eq!(
            match_track(
                &view,
                &spotify("4444444444444444444444", "Hold Up", &["Someone"])
            ),
            None
        );
        assert_eq!(
            match_track(
                &view,
                &spotify("5555555555555555555555", "Unknown", &["Nobody"])
            ),
            None
        );
        assert_eq!(
            match_track(&view, &spotify("6666666666666666666666", "", &[])),
            None
        );
    }

    #[test]
    fn unmatched_tracks_stay_in_the_list() {
        let m = model();
        let view = CatalogView::build(std::sync::Arc::new(m));
        let list = items(
            &view,
            vec![
                spotify("5555555555555555555555", "Unknown", &["Nobody"]),
                spotify("5Z01UMMf7V1o0MzF86s6WJ", "Hold Up", &["Beyoncé"]),
                spotify("7777777777777777777777", "Another One", &["Queen"]),
            ],
        );
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].catalog, None);
        assert_eq!(list[0].spotify.name, "Unknown");
        assert_eq!(list[0].estimate, None, "nothing by Nobody in the catalog");
        // Not in the catalog, but Queen is: a seed, estimated.
        assert_eq!(list[2].catalog, None);
        assert_eq!(
            list[2].estimate.as_deref(),
            Some("Another One is not in the catalog: its sound is estimated from 1 catalog track by Queen")
        );
        assert_eq!(
            list[1].catalog.as_ref().unwrap().id,
            "5Z01UMMf7V1o0MzF86s6WJ"
        );
        assert_eq!(list[1].matched_by, Some(MatchKind::Id));
    }

    #[test]
    fn skipped_items_are_a_short_note() {
        let mut page = LibraryPage::default();
        assert_eq!(page.skipped_note(), None);
        page.skipped = 1;
        assert!(page
            .skipped_note()
            .unwrap()
            .starts_with("1 item here can't be used"));
        page.skipped = 3;
        page.playlists = vec![SpotifyPlaylist::default()];
        assert!(page
            .skipped_note()
            .unwrap()
            .starts_with("3 playlists here can't be used"));
    }

    #[test]
    fn sources_parse_from_the_query() {
        assert_eq!(Source::parse("", None), Ok(None));
        assert_eq!(Source::parse("catalog", None), Ok(None));
        assert_eq!(Source::parse("top-long", None), Ok(Some(Source::TopLong)));
        assert_eq!(
            Source::parse("playlist", Some("37i9dQZF1DX4OjfOteYnH8")),
            Ok(Some(Source::Playlist("37i9dQZF1DX4OjfOteYnH8".into())))
        );
        assert!(Source::parse("playlist", Some("../x"))
            .unwrap_err()
            .to_string()
            .starts_with("list:"));
        assert!(Source::parse("likes", None)
            .unwrap_err()
            .to_string()
            .starts_with("source:"));
    }
}
