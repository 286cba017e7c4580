//! The public data sets a CSV header is recognised as. Columns are always mapped by name (see
//! `columns.rs`); the layout names the data set in reports and decides how its artist cells
//! are written.

use std::fmt;

/// A known CSV layout, recognised from the header's column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// TidyTuesday 2020-01-21 `spotify_songs.csv` ("30000 Spotify Songs" on Kaggle), the
    /// bundled catalog: one artist per row, one row per playlist a track is in.
    TidyTuesday,
    /// "Spotify Tracks Dataset" (maharshipandya, 114 genres, `dataset.csv`): artists joined
    /// by `;`, one row per genre a track is in.
    SpotifyTracks114,
    /// "Spotify 1.2M+ Songs" (rodolfofigueroa, `tracks_features.csv`): artists and artist
    /// ids as list literals, album ids, track and disc numbers.
    Songs1_2M,
    /// "Spotify Dataset 1921-2020, 600k+ Tracks" (yamaerenay, `tracks.csv`): artists and
    /// `id_artists` as list literals.
    Tracks600k,
    /// "Spotify Dataset 1921-2020, 160k+ Tracks" (yamaerenay, `data.csv`): artists as a list
    /// literal, no artist ids.
    Data160k,
    /// Any other header that has the required columns under accepted names.
    ByColumnName,
}

impl Layout {
    /// Recognises a layout from lower-cased, trimmed header names.
    pub(crate) fn detect(lower: &[String]) -> Layout {
        let has = |name: &str| lower.iter().any(|h| h == name);
        if has("artist_ids") && has("track_number") && has("disc_number") {
            Layout::Songs1_2M
        } else if has("id_artists") {
            Layout::Tracks600k
        } else if has("track_genre") && has("artists") {
            Layout::SpotifyTracks114
        } else if has("playlist_genre") && has("track_artist") {
            Layout::TidyTuesday
        } else if has("artists") && has("year") && has("id") && !has("track_id") {
            Layout::Data160k
        } else {
            Layout::ByColumnName
        }
    }

    /// Whether the artist column holds list literals (`['A', 'B']`) rather than `A;B`.
    pub(crate) fn artists_are_list_literals(self) -> bool {
        matches!(
            self,
            Layout::Songs1_2M | Layout::Tracks600k | Layout::Data160k
        )
    }

    /// The data set's name, as people search for it.
    pub fn name(self) -> &'static str {
        match self {
            Layout::TidyTuesday => "TidyTuesday spotify_songs (30000 Spotify Songs)",
            Layout::SpotifyTracks114 => "Spotify Tracks Dataset (114 genres)",
            Layout::Songs1_2M => "Spotify 1.2M+ Songs",
            Layout::Tracks600k => "Spotify Dataset 1921-2020, 600k+ Tracks",
            Layout::Data160k => "Spotify Dataset 1921-2020, 160k+ Tracks",
            Layout::ByColumnName => "columns matched by name",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    #[test]
    fn detects_each_layout() {
        let cases = [
            ("id,name,album,album_id,artists,artist_ids,track_number,disc_number,explicit,year,release_date", Layout::Songs1_2M),
            ("id,name,popularity,duration_ms,explicit,artists,id_artists,release_date", Layout::Tracks600k),
            (",track_id,artists,album_name,track_name,popularity,track_genre", Layout::SpotifyTracks114),
            ("track_id,track_name,track_artist,playlist_genre,playlist_subgenre", Layout::TidyTuesday),
            ("acousticness,artists,danceability,id,name,year,release_date", Layout::Data160k),
            ("track_id,track_name,artist", Layout::ByColumnName),
        ];
        for (header, layout) in cases {
            assert_eq!(Layout::detect(&lower(header)), layout, "{header}");
        }
        assert!(Layout::Songs1_2M.artists_are_list_literals());
        assert!(!Layout::SpotifyTracks114.artists_are_list_literals());
    }
}
