//! What can go wrong while importing a catalog, worded for the person who has to fix the file.

use std::fmt;

use thiserror::Error;

use crate::layout::Layout;

/// The format of the place a problem was found in: decides whether we say "column" or "field".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A CSV file (plain or gzip'd).
    Csv,
    /// A `meta.json` object of the seed's storage layout.
    Json,
}

/// What is wrong with one value or one row.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// The value is not a number.
    NotANumber,
    /// The value must be a whole number.
    NotAWholeNumber,
    /// The number is outside the allowed range (inclusive).
    OutOfRange {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// The value is not `true`/`false`.
    NotABool,
    /// The value is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    BadDate,
    /// A required value is empty.
    Empty,
    /// The bytes are not UTF-8 text.
    NotUtf8,
    /// The row has fewer fields than the header.
    ShortRow {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// The row has more fields than the header.
    LongRow {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// The JSON text does not parse.
    BadJson(String),
    /// A JSON field has the wrong type.
    WrongType(String),
    /// A list cell (`['A', 'B']`) cannot be read; says why.
    BadList(String),
}

impl ProblemKind {
    /// A short label used to group problems in an [`ImportReport`].
    pub fn short(&self) -> &'static str {
        match self {
            ProblemKind::NotANumber => "not a number",
            ProblemKind::NotAWholeNumber => "not a whole number",
            ProblemKind::OutOfRange { .. } => "out of range",
            ProblemKind::NotABool => "not true/false",
            ProblemKind::BadDate => "not a date",
            ProblemKind::Empty => "empty",
            ProblemKind::NotUtf8 => "not UTF-8",
            ProblemKind::ShortRow { .. } => "too few fields",
            ProblemKind::LongRow { .. } => "too many fields",
            ProblemKind::BadJson(_) => "invalid JSON",
            ProblemKind::WrongType(_) => "wrong type",
            ProblemKind::BadList(_) => "not a list",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::NotANumber => write!(f, "is not a number"),
            ProblemKind::NotAWholeNumber => write!(f, "is not a whole number"),
            ProblemKind::OutOfRange { min, max } => {
                write!(f, "is out of range (allowed: {min} to {max})")
            }
            ProblemKind::NotABool => write!(f, "is not true or false"),
            ProblemKind::BadDate => write!(f, "is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"),
            ProblemKind::Empty => write!(f, "is empty, but a value is required"),
            ProblemKind::NotUtf8 => write!(f, "is not valid UTF-8 text"),
            ProblemKind::ShortRow { expected, found } => write!(
                f,
                "the row has {found} fields but the header has {expected} (a missing comma or an unclosed quote?)"
            ),
            ProblemKind::LongRow { expected, found } => write!(
                f,
                "the row has {found} fields but the header has {expected} (an unquoted comma in a value?)"
            ),
            ProblemKind::BadJson(msg) => write!(f, "invalid JSON: {msg}"),
            ProblemKind::WrongType(msg) => write!(f, "{msg}"),
            ProblemKind::BadList(why) => {
                write!(f, "is not a list like ['A', 'B']: {why}")
            }
        }
    }
}

/// One bad row or value: where it is (file, physical line, column) and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The file (or object key) it was found in.
    pub file: String,
    /// 1-based physical line, as an editor shows it (the line the record starts on).
    pub line: Option<u64>,
    /// The column (CSV) or field path (JSON, e.g. `track_details.tempo`).
    pub column: Option<String>,
    /// The offending value, as written in the file.
    pub value: Option<String>,
    /// What is wrong.
    pub kind: ProblemKind,
    /// CSV or JSON: decides the wording.
    pub format: Format,
}

impl Problem {
    /// The key problems are grouped by in an [`ImportReport`], e.g. `danceability: out of range`.
    pub fn reason(&self) -> String {
        match (&self.column, &self.kind) {
            // Misaligned rows are one reason whatever column they stop at.
            (_, ProblemKind::ShortRow { .. } | ProblemKind::LongRow { .. }) | (None, _) => {
                self.kind.short().to_string()
            }
            (Some(c), _) => format!("{c}: {}", self.kind.short()),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(column) = &self.column {
            let word = match self.format {
                Format::Csv => "column",
                Format::Json => "field",
            };
            write!(f, "{word} `{column}`: ")?;
        }
        match &self.value {
            Some(v) => write!(f, "value `{}` {}", shown(v), self.kind),
            None => match self.kind {
                ProblemKind::Empty => write!(f, "the value {}", self.kind),
                _ => write!(f, "{}", self.kind),
            },
        }
    }
}

/// A value as messages quote it: at most 60 characters, so a long input (a value that
/// swallowed half a file through an unclosed quote, a pasted essay) never fills an error.
pub fn shown(v: &str) -> String {
    const MAX: usize = 60;
    if v.chars().count() <= MAX {
        v.to_string()
    } else {
        let head: String = v.chars().take(MAX).collect();
        format!("{head}…")
    }
}

/// A required column the header lacks.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingColumn {
    /// The canonical name (as in the bundled data set).
    pub name: String,
    /// Other names accepted for it.
    pub aliases: Vec<String>,
    /// The header name closest to it, when one is close (a likely typo).
    pub did_you_mean: Option<String>,
}

impl fmt::Display for MissingColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.name)?;
        if !self.aliases.is_empty() {
            let names: Vec<String> = self.aliases.iter().map(|a| format!("`{a}`")).collect();
            write!(f, " (or {})", names.join(", "))?;
        }
        if let Some(s) = &self.did_you_mean {
            write!(f, " — did you mean `{s}`?")?;
        }
        Ok(())
    }
}

/// Why an import was refused. Nothing is imported when one of these is returned.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The file or directory cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file holds no bytes (or only a byte order mark / blank lines).
    #[error("{file}: the file is empty (expected a CSV header line and rows)")]
    EmptyFile {
        /// The file.
        file: String,
    },
    /// The gzip stream is cut short or damaged.
    #[error("{file}: the gzip data is {what} ({detail}); download or copy the file again")]
    Gzip {
        /// The file.
        file: String,
        /// `truncated` or `corrupt`.
        what: &'static str,
        /// The decoder's message.
        detail: String,
    },
    /// The header is not UTF-8 text: not a CSV file.
    #[error("{file}:1: the header line is not UTF-8 text; is this a CSV file?")]
    NotText {
        /// The file.
        file: String,
    },
    /// Required columns are missing from the header.
    #[error("{file}:1: missing required column{} {}; the header has: {}",
        if missing.len() > 1 { "s" } else { "" },
        join_missing(missing),
        found.join(", "))]
    MissingColumns {
        /// The file.
        file: String,
        /// The missing columns.
        missing: Vec<MissingColumn>,
        /// The header as found.
        found: Vec<String>,
    },
    /// The header is there but no data row follows.
    #[error("{file}: the file has a header line but no data rows")]
    NoRows {
        /// The file.
        file: String,
    },
    /// No `meta.json` object was found under the given folder or among the given objects.
    #[error("{source_name}: no meta.json files found (expected tracks/<genre>/<artist_track>/meta.json)")]
    NoMetaFiles {
        /// The folder or prefix.
        source_name: String,
    },
    /// The CSV reader failed (an I/O error inside the reader).
    #[error("{file}:{line}: cannot read CSV: {message}")]
    Csv {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// The reader's message.
        message: String,
    },
    /// Rows are invalid and `skip_invalid` is off: the whole import is refused.
    #[error("{}", invalid_message(source_name, *rows_read, *invalid_rows, *total_problems, problems, false))]
    Invalid {
        /// The file, folder or prefix.
        source_name: String,
        /// Data rows (or objects) read.
        rows_read: usize,
        /// Rows with at least one problem.
        invalid_rows: usize,
        /// Problems found in all (a row can have several).
        total_problems: usize,
        /// The first problems, in file order.
        problems: Vec<Problem>,
    },
    /// `skip_invalid` is on but not a single row is valid.
    #[error("{}", invalid_message(source_name, *rows_read, *invalid_rows, *total_problems, problems, true))]
    NoValidRows {
        /// The file, folder or prefix.
        source_name: String,
        /// Data rows (or objects) read.
        rows_read: usize,
        /// Rows with at least one problem.
        invalid_rows: usize,
        /// Problems found in all.
        total_problems: usize,
        /// The first problems, in file order.
        problems: Vec<Problem>,
    },
}

impl LoadError {
    /// The listed problems, for errors about rows (empty for other errors).
    pub fn problems(&self) -> &[Problem] {
        match self {
            LoadError::Invalid { problems, .. } | LoadError::NoValidRows { problems, .. } => {
                problems
            }
            _ => &[],
        }
    }
}

fn join_missing(missing: &[MissingColumn]) -> String {
    let parts: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
    parts.join(", ")
}

fn invalid_message(
    source: &str,
    rows_read: usize,
    invalid_rows: usize,
    total_problems: usize,
    problems: &[Problem],
    none_valid: bool,
) -> String {
    let mut s = if none_valid {
        format!("{source}: none of the {rows_read} rows is valid; nothing was imported.")
    } else {
        format!(
            "{source}: {invalid_rows} of {rows_read} rows are invalid ({total_problems} problem{}); nothing was imported.",
            if total_problems == 1 { "" } else { "s" }
        )
    };
    s.push_str(if problems.len() < total_problems {
        " First problems:"
    } else {
        " Problems:"
    });
    for p in problems {
        s.push_str("\n  ");
        s.push_str(&p.to_string());
    }
    if problems.len() < total_problems {
        s.push_str(&format!(
            "\n  … and {} more",
            total_problems - problems.len()
        ));
    }
    if !none_valid {
        s.push_str(
            "\nFix these rows, or import with the skip-invalid option to keep only the valid rows.",
        );
    }
    s
}

/// Problems of one kind in one column, counted, with the first few as examples.
#[derive(Debug, Clone, PartialEq)]
pub struct SkipReason {
    /// E.g. `danceability: out of range`.
    pub reason: String,
    /// How many times it occurred.
    pub count: usize,
    /// The first occurrences.
    pub examples: Vec<Problem>,
}

/// What an import did: rows read, imported and skipped, and why rows were skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// The file, folder or prefix imported.
    pub source_name: String,
    /// Data rows (CSV) or `meta.json` objects read.
    pub rows_read: usize,
    /// Rows that were valid and imported.
    pub rows_imported: usize,
    /// Rows skipped for being invalid (only with `skip_invalid`).
    pub rows_skipped: usize,
    /// Distinct tracks in the catalog (rows of one track id are merged).
    pub tracks: usize,
    /// Source playlists in the catalog.
    pub playlists: usize,
    /// Why rows were skipped, most frequent first. A row with two bad values counts in two
    /// reasons, so the counts can add up to more than `rows_skipped`.
    pub skipped: Vec<SkipReason>,
    /// The public data set the CSV header was recognised as (`None` for `meta.json` input).
    pub layout: Option<Layout>,
    /// Imported rows whose artist ids were left out because they did not pair with the
    /// artists (another count, or an id that is not a Spotify id); the artists are kept.
    pub artist_ids_dropped: usize,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: imported {} of {} rows as {} tracks and {} playlists",
            self.source_name, self.rows_imported, self.rows_read, self.tracks, self.playlists
        )?;
        if self.rows_skipped > 0 {
            write!(f, "; skipped {} invalid rows:", self.rows_skipped)?;
            for r in &self.skipped {
                write!(f, "\n  {} × {}", r.count, r.reason)?;
                if let Some(e) = r.examples.first() {
                    write!(f, " (e.g. {e})")?;
                }
            }
        }
        if self.artist_ids_dropped > 0 {
            write!(
                f,
                "\n  {} rows kept their artists without artist ids (the ids did not pair with the artists)",
                self.artist_ids_dropped
            )?;
        }
        if let Some(layout) = self.layout {
            write!(f, "\n  layout: {layout}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(kind: ProblemKind) -> Problem {
        Problem {
            file: "songs.csv".into(),
            line: Some(7),
            column: Some("danceability".into()),
            value: Some("abc".into()),
            kind,
            format: Format::Csv,
        }
    }

    #[test]
    fn problem_names_file_line_column_and_value() {
        let p = problem(ProblemKind::NotANumber);
        assert_eq!(
            p.to_string(),
            "songs.csv:7: column `danceability`: value `abc` is not a number"
        );
        assert_eq!(p.reason(), "danceability: not a number");
        let p = Problem {
            value: Some("1.5".into()),
            ..problem(ProblemKind::OutOfRange { min: 0.0, max: 1.0 })
        };
        assert_eq!(
            p.to_string(),
            "songs.csv:7: column `danceability`: value `1.5` is out of range (allowed: 0 to 1)"
        );
        let p = Problem {
            value: None,
            column: Some("track_id".into()),
            ..problem(ProblemKind::Empty)
        };
        assert_eq!(
            p.to_string(),
            "songs.csv:7: column `track_id`: the value is empty, but a value is required"
        );
    }

    #[test]
    fn long_values_are_shortened() {
        let p = Problem {
            value: Some("x".repeat(500)),
            ..problem(ProblemKind::NotANumber)
        };
        assert!(p.to_string().len() < 150);
    }

    #[test]
    fn invalid_lists_first_problems_and_total() {
        let e = LoadError::Invalid {
            source_name: "songs.csv".into(),
            rows_read: 10,
            invalid_rows: 3,
            total_problems: 4,
            problems: vec![problem(ProblemKind::NotANumber)],
        };
        let s = e.to_string();
        assert!(s.starts_with(
            "songs.csv: 3 of 10 rows are invalid (4 problems); nothing was imported."
        ));
        assert!(s.contains("\n  songs.csv:7: column `danceability`"));
        assert!(s.contains("… and 3 more"));
        assert_eq!(e.problems().len(), 1);
    }

    #[test]
    fn missing_column_suggests_alias_and_typo() {
        let e = LoadError::MissingColumns {
            file: "x.csv".into(),
            missing: vec![MissingColumn {
                name: "danceability".into(),
                aliases: vec![],
                did_you_mean: Some("danceabilty".into()),
            }],
            found: vec!["track_id".into(), "danceabilty".into()],
        };
        assert_eq!(
            e.to_string(),
            "x.csv:1: missing required column `danceability` — did you mean `danceabilty`?; the header has: track_id, danceabilty"
        );
    }
}
