//! CSV rows to validated tracks: every field is checked, and every problem names the file,
//! the physical line, the column and the value.

use csv::ByteRecord;
use selecta_types::{Text, Track};

use crate::assemble::{Assembler, PlaylistRef, Problems};
use crate::columns::{is_list_literal, split_artists, ArtistStyle, Columns};
use crate::error::{Format, LoadError, Problem, ProblemKind};
use crate::list_literal::parse_list;
use crate::spotify::looks_like_spotify_id;
use crate::values::{self, Spec};

/// Reads every data row of `text` (already gunzipped, without BOM) into `assembler`,
/// recording bad rows in `problems`. Returns the number of data rows read.
pub(crate) fn read_csv(
    file: &str,
    text: &[u8],
    assembler: &mut Assembler,
    problems: &mut Problems,
) -> Result<usize, LoadError> {
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(LoadError::EmptyFile {
            file: file.to_string(),
        });
    }
    // Headers are read by hand and rows may differ in length, so that short and long rows
    // become problems with a line number instead of reader errors.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut record = ByteRecord::new();
    let csv_error = |e: csv::Error| LoadError::Csv {
        file: file.to_string(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    if !reader.read_byte_record(&mut record).map_err(csv_error)? {
        return Err(LoadError::EmptyFile {
            file: file.to_string(),
        });
    }
    let header = record
        .iter()
        .map(|f| String::from_utf8(f.to_vec()))
        .collect::<Result<Vec<String>, _>>()
        .map_err(|_| LoadError::NotText {
            file: file.to_string(),
        })?;
    let columns = Columns::from_header(&header).map_err(|missing| LoadError::MissingColumns {
        file: file.to_string(),
        missing,
        found: header.iter().map(|h| h.trim().to_string()).collect(),
    })?;
    problems.layout = Some(columns.layout);

    let mut rows = 0;
    let mut lines = LineCounter::default();
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        rows += 1;
        let line = lines.line_at(text, record.position().map_or(0, |p| p.byte() as usize));
        let row = Row {
            file,
            line,
            record: &record,
            columns: &columns,
            problems: Vec::new(),
        };
        match row.parse() {
            Ok(v) => {
                if v.artist_ids_dropped {
                    problems.artist_ids_dropped += 1;
                }
                assembler.push(v.id, &[v.genre], &[v.subgenre], v.playlist, move || {
                    v.track()
                })
            }
            Err(p) => problems.add_row(p),
        }
    }
    if rows == 0 {
        return Err(LoadError::NoRows {
            file: file.to_string(),
        });
    }
    Ok(rows)
}

/// Physical line numbers from byte offsets. The reader's own line count leaves out the
/// blank lines it skips, but a user's editor counts them.
#[derive(Default)]
struct LineCounter {
    pos: usize,
    line: u64,
}

impl LineCounter {
    /// The 1-based line of the record starting at `offset` (offsets only grow).
    fn line_at(&mut self, text: &[u8], offset: usize) -> u64 {
        // The offset may point at blank lines the reader skipped before the record.
        let mut start = offset.min(text.len());
        while start < text.len() && matches!(text[start], b'\r' | b'\n') {
            start += 1;
        }
        for (i, &b) in text[self.pos..start].iter().enumerate() {
            let at = self.pos + i;
            // `\n`, `\r\n` and a lone `\r` each end one line.
            if b == b'\n' || (b == b'\r' && text.get(at + 1) != Some(&b'\n')) {
                self.line += 1;
            }
        }
        self.pos = start;
        self.line + 1
    }
}

/// One record being checked; problems accumulate so a row reports all its bad values at once.
struct Row<'a> {
    file: &'a str,
    line: u64,
    record: &'a ByteRecord,
    columns: &'a Columns,
    problems: Vec<Problem>,
}

impl<'a> Row<'a> {
    fn problem(&mut self, col: usize, value: Option<&str>, kind: ProblemKind) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            line: Some(self.line),
            column: self.columns.names.get(col).cloned(),
            value: value.map(str::to_string),
            kind,
            format: Format::Csv,
        });
    }

    /// The trimmed text of a field ("" on invalid UTF-8, which is recorded).
    fn text(&mut self, col: usize) -> &'a str {
        let record: &'a ByteRecord = self.record;
        let bytes = record.get(col).unwrap_or_default();
        match std::str::from_utf8(bytes) {
            Ok(s) => s.trim(),
            Err(_) => {
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                self.problem(col, Some(&lossy), ProblemKind::NotUtf8);
                ""
            }
        }
    }

    /// The text of an optional column ("" when the file has no such column).
    fn opt_text(&mut self, col: Option<usize>) -> &'a str {
        col.map_or("", |c| self.text(c))
    }

    /// A list-literal cell's items; `None` (and a problem) when it cannot be read.
    fn list(&mut self, col: usize, cell: &str) -> Option<Vec<Text>> {
        match parse_list(cell) {
            Ok(items) => Some(items.into_iter().map(Text::from).collect()),
            Err(why) => {
                self.problem(col, Some(cell), ProblemKind::BadList(why.to_string()));
                None
            }
        }
    }

    fn number(&mut self, col: Option<usize>, spec: Spec) -> Option<f64> {
        let col = col?;
        let raw = self.text(col);
        match values::parse_number(raw, spec) {
            Ok(v) => v,
            Err(kind) => {
                self.problem(col, Some(raw), kind);
                None
            }
        }
    }

    fn parse(mut self) -> Result<Valid<'a>, Vec<Problem>> {
        let width = self.columns.width();
        let found = self.record.len();
        // Extra empty fields (a trailing comma) are harmless; anything else is misaligned.
        let long = found > width && self.record.iter().skip(width).any(|f| !f.is_empty());
        if found < width || long {
            let kind = if long {
                ProblemKind::LongRow {
                    expected: width,
                    found,
                }
            } else {
                ProblemKind::ShortRow {
                    expected: width,
                    found,
                }
            };
            let col = found.min(width.saturating_sub(1));
            let mut p = self.problems;
            p.push(Problem {
                file: self.file.to_string(),
                line: Some(self.line),
                column: self.columns.names.get(col).cloned(),
                value: None,
                kind,
                format: Format::Csv,
            });
            return Err(p);
        }

        let c = self.columns;
        let id = self.text(c.id);
        if id.is_empty() {
            self.problem(c.id, None, ProblemKind::Empty);
        }
        let mut release_date = None;
        let mut year = None;
        if let Some(col) = c.release_date {
            let raw = self.text(col);
            match values::parse_date(raw) {
                Ok(y) => (release_date, year) = (y.map(|_| raw), y),
                Err(kind) => self.problem(col, Some(raw), kind),
            }
        }
        if year.is_none() {
            // `year` 0 is how the 1.2M-songs set writes an unknown year (next to a `0000` date).
            let raw = self.opt_text(c.year);
            let zero = !raw.is_empty() && raw.bytes().all(|b| b == b'0');
            if !zero {
                year = self.number(c.year, values::YEAR).map(|y| y as u16);
            }
        }
        let popularity = self.number(c.popularity, values::POPULARITY);
        let duration_ms = self.number(c.duration_ms, values::DURATION_MS);
        let explicit = match c.explicit {
            Some(col) => {
                let raw = self.text(col);
                values::parse_bool(raw).unwrap_or_else(|kind| {
                    self.problem(col, Some(raw), kind);
                    None
                })
            }
            None => None,
        };
        let mut features = [None; 12];
        for (i, spec) in values::FEATURE_SPECS.iter().enumerate() {
            features[i] = self.number(c.features[i], *spec);
        }
        let (artists_cell, style) = (self.text(c.artists.0), c.artists.1);
        let artist_list = if is_list_literal(artists_cell, style) {
            self.list(c.artists.0, artists_cell)
        } else {
            None
        };
        let mut artist_ids = Vec::new();
        let mut artist_ids_dropped = false;
        if let Some(col) = c.artist_ids {
            let cell = self.text(col);
            let ids = if cell.starts_with('[') {
                self.list(col, cell).unwrap_or_default()
            } else {
                split_artists(cell, ArtistStyle::List)
            };
            let artists = artist_list
                .as_ref()
                .map_or_else(|| split_artists(artists_cell, style).len(), Vec::len);
            // Ids are kept only when they pair one to one with the names: a shifted list
            // would give an artist another artist's id.
            if ids.len() == artists && ids.iter().all(|id| looks_like_spotify_id(id)) {
                artist_ids = ids;
            } else if !ids.is_empty() || (artists > 0 && !cell.is_empty()) {
                artist_ids_dropped = true;
            }
        }
        let isrc = self.opt_text(c.isrc);
        let genre = self.opt_text(c.genre);
        let subgenre = self.opt_text(c.subgenre);
        let playlist_id = self.opt_text(c.playlist_id);
        let playlist = (!playlist_id.is_empty()).then(|| PlaylistRef {
            id: playlist_id,
            name: self.opt_text(c.playlist_name),
            genre,
            subgenre,
        });
        let valid = Valid {
            id,
            // Rows without a title or an artist (5 in the bundled data) are real tracks with
            // features; they are kept with empty strings rather than dropped.
            name: self.text(c.name),
            artists: (artists_cell, style),
            artist_list,
            artist_ids,
            artist_ids_dropped,
            isrc,
            album: self.opt_text(c.album),
            album_id: self.opt_text(c.album_id),
            release_date,
            year,
            popularity,
            duration_ms,
            explicit,
            features,
            genre,
            subgenre,
            playlist,
        };
        if self.problems.is_empty() {
            Ok(valid)
        } else {
            Err(self.problems)
        }
    }
}

/// A checked row, still borrowing the record: most rows repeat a known track, and only a new
/// track is turned into owned strings.
struct Valid<'a> {
    id: &'a str,
    name: &'a str,
    artists: (&'a str, ArtistStyle),
    /// The artists, when the cell was a list literal (parsed while checking the row).
    artist_list: Option<Vec<Text>>,
    artist_ids: Vec<Text>,
    /// Whether the row had artist ids that were left out.
    artist_ids_dropped: bool,
    isrc: &'a str,
    album: &'a str,
    album_id: &'a str,
    release_date: Option<&'a str>,
    year: Option<u16>,
    popularity: Option<f64>,
    duration_ms: Option<f64>,
    explicit: Option<bool>,
    features: [Option<f64>; 12],
    genre: &'a str,
    subgenre: &'a str,
    playlist: Option<PlaylistRef<'a>>,
}

impl Valid<'_> {
    fn track(self) -> Track {
        Track {
            id: self.id.to_string().into(),
            name: self.name.to_string().into(),
            artists: self
                .artist_list
                .unwrap_or_else(|| split_artists(self.artists.0, self.artists.1)),
            artist_ids: self.artist_ids,
            isrc: ((!self.isrc.is_empty()).then(|| self.isrc.to_string())).map(Into::into),
            album: self.album.to_string().into(),
            album_id: ((!self.album_id.is_empty()).then(|| self.album_id.to_string()))
                .map(Into::into),
            release_date: self.release_date.map(str::to_string).map(Into::into),
            year: self.year,
            popularity: self.popularity.map(|p| p as f32),
            duration_ms: self.duration_ms.map(|d| d as u32),
            explicit: self.explicit,
            genres: Vec::new(),
            subgenres: Vec::new(),
            features: values::audio_features(&self.features),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LoadOptions;

    const HEADER: &str = "track_id,track_name,track_artist,track_popularity,track_album_release_date,playlist_id,playlist_genre,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms";

    fn load(text: &str) -> (Assembler, Problems, Result<usize, LoadError>) {
        let mut a = Assembler::default();
        let mut p = Problems::new(&LoadOptions::default());
        let r = read_csv("t.csv", text.as_bytes(), &mut a, &mut p);
        (a, p, r)
    }

    fn problems_of(text: &str) -> Vec<String> {
        let (a, p, r) = load(text);
        r.unwrap();
        match crate::assemble::finish("t.csv", 0, a, p, &LoadOptions::default()) {
            Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
            Ok(_) => Vec::new(),
        }
    }

    #[test]
    fn reads_a_valid_row() {
        let text = format!(
            "{HEADER}\r\nt1,Song,Artist,55,2019-06-14,p1,pop,0.5,0.6,5,-5.5,1,0.04,0.1,0,0.1,0.5,120.0,200000\r\n"
        );
        let (a, p, r) = load(&text);
        assert_eq!(r.unwrap(), 1);
        let (c, report) =
            crate::assemble::finish("t.csv", 1, a, p, &LoadOptions::default()).unwrap();
        let t = &c.tracks()[0];
        assert_eq!(t.name, "Song");
        assert_eq!(t.artists, ["Artist"]);
        assert_eq!(t.year, Some(2019));
        assert_eq!(t.popularity, Some(55.0));
        assert_eq!(t.features.key, Some(5));
        assert_eq!(t.features.instrumentalness.get(), Some(0.0));
        assert_eq!(t.duration_ms, Some(200_000));
        assert_eq!(t.genres, ["pop"]);
        assert_eq!(c.playlists()[0].track_ids, ["t1"]);
        assert_eq!(report.rows_imported, 1);
    }

    #[test]
    fn every_bad_value_of_a_row_is_reported_with_its_line() {
        let text = format!(
            "{HEADER}\nt1,Song,Artist,55,2019,p1,pop,0.5,0.6,5,-5.5,1,0.04,0.1,0,0.1,0.5,120,200000\n\nt2,Song,Artist,101,2019,p1,pop,abc,0.6,5,-5.5,1,0.04,0.1,0,0.1,0.5,120,200000\n"
        );
        assert_eq!(
            problems_of(&text),
            [
                "t.csv:4: column `track_popularity`: value `101` is out of range (allowed: 0 to 100)",
                "t.csv:4: column `danceability`: value `abc` is not a number",
            ]
        );
    }

    #[test]
    fn quoted_newlines_keep_physical_line_numbers() {
        let text = format!(
            "{HEADER}\nt1,\"Two\nLines\",A,1,2019,p,pop,0.5,0.6,5,-5,1,0,0,0,0,0,120,1\nt2,S,A,1,2019,p,pop,0.5,0.6,5,-5,2,0,0,0,0,0,120,1\n"
        );
        assert_eq!(
            problems_of(&text),
            ["t.csv:4: column `mode`: value `2` is out of range (allowed: 0 to 1)"]
        );
    }

    #[test]
    fn blank_lines_and_line_endings_count_like_an_editor() {
        let good = "t,S,A,1,2019,p,pop,0.5,0.6,5,-5,1,0,0,0,0,0,120,1";
        let bad = "t,S,A,1,2019,p,pop,0.5,0.6,5,-5,1,0,0,0,0,0,999,1";
        for nl in ["\n", "\r\n", "\r"] {
            let text = [HEADER, good, "", "", bad, good, bad].join(nl);
            let lines: Vec<String> = problems_of(&text)
                .iter()
                .map(|p| p.split(':').nth(1).unwrap().to_string())
                .collect();
            assert_eq!(lines, ["5", "7"], "{nl:?}");
        }
    }

    #[test]
    fn short_and_long_rows() {
        let text = format!("{HEADER}\nt1,Song,Artist,55\nt2,S,A,1,2019,p,pop,0.5,0.6,5,-5,1,0,0,0,0,0,120,1,extra\nt3,S,A,1,2019,p,pop,0.5,0.6,5,-5,1,0,0,0,0,0,120,1,,\n");
        assert_eq!(
            problems_of(&text),
            [
                "t.csv:2: column `track_album_release_date`: the row has 4 fields but the header has 19 (a missing comma or an unclosed quote?)",
                "t.csv:3: column `duration_ms`: the row has 20 fields but the header has 19 (an unquoted comma in a value?)",
            ]
        );
    }

    #[test]
    fn empty_id_and_empty_names() {
        let text = format!(
            "{HEADER}\n,Song,Artist,1,2019,p,pop,0.5,0.6,5,-5,1,0,0,0,0,0,120,1\nt2,,,1,,p,pop,0.5,0.6,5,-5,1,0,0,0,0,0,120,1\n"
        );
        let (a, p, r) = load(&text);
        r.unwrap();
        let err = crate::assemble::finish("t.csv", 2, a, p, &LoadOptions::default()).unwrap_err();
        assert_eq!(
            err.problems()[0].to_string(),
            "t.csv:2: column `track_id`: the value is empty, but a value is required"
        );
        assert_eq!(err.problems().len(), 1);
    }

    #[test]
    fn header_only_and_blank_files() {
        assert!(matches!(
            load(&format!("{HEADER}\n")).2,
            Err(LoadError::NoRows { .. })
        ));
        assert!(matches!(load("").2, Err(LoadError::EmptyFile { .. })));
        assert!(matches!(
            load(" \r\n\n").2,
            Err(LoadError::EmptyFile { .. })
        ));
    }

    #[test]
    fn invalid_utf8_is_a_problem_not_a_crash() {
        let mut text = format!("{HEADER}\nt1,").into_bytes();
        text.extend_from_slice(b"So\xffng,A,1,2019,p,pop,0.5,0.6,5,-5,1,0,0,0,0,0,120,1\n");
        let mut a = Assembler::default();
        let mut p = Problems::new(&LoadOptions::default());
        read_csv("t.csv", &text, &mut a, &mut p).unwrap();
        let err = crate::assemble::finish("t.csv", 1, a, p, &LoadOptions::default()).unwrap_err();
        assert_eq!(
            err.problems()[0].to_string(),
            "t.csv:2: column `track_name`: value `So\u{FFFD}ng` is not valid UTF-8 text"
        );
    }
}
