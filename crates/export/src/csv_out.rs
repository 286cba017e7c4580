//! CSV: one row per track, for spreadsheets and scripts.

use selecta_types::Playlist;

use crate::ExportError;

/// The CSV header.
pub const CSV_COLUMNS: [&str; 11] = [
    "position",
    "track_id",
    "title",
    "artists",
    "album",
    "release_date",
    "duration_ms",
    "popularity",
    "score",
    "reason",
    "spotify_url",
];

/// The playlist as RFC 4180 CSV with a header row ([`CSV_COLUMNS`]); artists are joined with
/// `; `, unknown values are empty cells.
pub fn csv(playlist: &Playlist) -> Result<String, ExportError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    for (i, e) in playlist.entries.iter().enumerate() {
        let t = &e.track;
        let opt = |v: Option<String>| v.unwrap_or_default();
        w.write_record([
            (i + 1).to_string(),
            t.id.to_string(),
            t.name.to_string(),
            t.artists.join("; "),
            t.album.to_string(),
            opt(t.release_date.clone().map(String::from)),
            opt(t.duration_ms.map(|d| d.to_string())),
            opt(t.popularity.map(|p| p.to_string())),
            format!("{:.4}", e.score),
            e.reason.text.clone(),
            t.spotify_url(),
        ])?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ExportError::Csv(e.into_error().into()))?;
    // Only Strings went in, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::sample;

    #[test]
    fn writes_a_header_and_quoted_rows_that_read_back() {
        let text = csv(&sample()).unwrap();
        let mut r = ::csv::Reader::from_reader(text.as_bytes());
        assert_eq!(r.headers().unwrap(), CSV_COLUMNS.as_slice());
        let rows: Vec<::csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].iter().collect::<Vec<_>>(),
            [
                "1",
                "4u7EnebtmKWzUH433cf5Qv",
                "Bohemian Rhapsody",
                "Queen",
                "Album & Co",
                "",
                "354947",
                "",
                "0.9000",
                "Close to Queen - Seed: similar energy",
                "https://open.spotify.com/track/4u7EnebtmKWzUH433cf5Qv"
            ]
        );
        // Quotes, a comma and a line break survive the round trip.
        assert_eq!(&rows[1][2], "Dancing \"Queen\"\nLive <1977>");
        assert_eq!(&rows[1][3], "ABBA; Björn");
        assert_eq!(&rows[1][9], "same genre, ok");
    }
}
