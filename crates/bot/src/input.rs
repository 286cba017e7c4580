//! What a listener sent: a command and its arguments, read from a message's text.

/// Default playlist length in the bot (a chat screen holds about ten tracks).
pub const DEFAULT_LENGTH: usize = 10;
/// Longest playlist the bot makes (`n=50`).
pub const MAX_LENGTH: usize = 50;
/// Most tracks in one `/predict`.
pub const MAX_QUERIES: usize = 50;
/// Longest query for one track, in characters (a title, an artist and a link fit easily).
pub const MAX_QUERY_CHARS: usize = 200;

/// A message, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `/start`
    Start,
    /// `/help`
    Help,
    /// `/predict` and its arguments (possibly empty).
    Predict(String),
    /// `/describe` and its argument (possibly empty).
    Describe(String),
    /// Text without a command, in a private chat: described as a track.
    FreeText(String),
    /// A command the bot does not know, e.g. `/foo` (without the slash).
    UnknownCommand(String),
    /// Nothing for this bot: a command addressed to another bot, or chatter in a group.
    Ignored,
}

/// Reads a message's text. `bot_username` (without `@`) tells commands addressed to this
/// bot (`/predict@selecta_bot`) from those addressed to others; `private` says whether the
/// chat is a private one, where text without a command is a track to describe (in groups
/// it is conversation between people, not meant for the bot).
pub fn parse(text: &str, bot_username: &str, private: bool) -> Input {
    let trimmed = text.trim_start();
    let Some(rest) = trimmed.strip_prefix('/') else {
        return if private {
            Input::FreeText(text.trim().to_owned())
        } else {
            Input::Ignored
        };
    };
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    let (word, args) = rest.split_at(end);
    let (name, addressee) = match word.split_once('@') {
        Some((name, to)) => (name, Some(to)),
        None => (word, None),
    };
    if addressee.is_some_and(|to| !to.eq_ignore_ascii_case(bot_username)) {
        return Input::Ignored;
    }
    let args = args.trim().to_owned();
    match name.to_ascii_lowercase().as_str() {
        "start" => Input::Start,
        "help" => Input::Help,
        "predict" | "playlist" => Input::Predict(args),
        "describe" | "track" => Input::Describe(args),
        _ => Input::UnknownCommand(name.to_owned()),
    }
}

/// A `/predict` request: the track queries and the playlist length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictRequest {
    /// One query per seed track, in the order given.
    pub queries: Vec<String>,
    /// Playlist length, 1..=[`MAX_LENGTH`].
    pub length: usize,
}

/// Why a request cannot be read; answered with the usage of the command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// No track was given.
    #[error("give a track")]
    Empty,
    /// One query is longer than [`MAX_QUERY_CHARS`].
    #[error("a track query is {chars} characters long; the most is {MAX_QUERY_CHARS}")]
    TooLong {
        /// Its length.
        chars: usize,
    },
    /// More than [`MAX_QUERIES`] tracks.
    #[error("{count} tracks given; the most is {MAX_QUERIES}")]
    TooMany {
        /// How many.
        count: usize,
    },
    /// `n=` is not a number in range.
    #[error("`{given}`: n must be a whole number from 1 to {MAX_LENGTH}")]
    BadLength {
        /// The option as written.
        given: String,
    },
    /// `/describe` with several tracks.
    #[error("describe takes one track at a time")]
    SeveralTracks,
}

/// Reads `/predict` arguments: tracks separated by `;` or new lines, and an optional
/// `n=25` word anywhere.
pub fn parse_predict(args: &str) -> Result<PredictRequest, UsageError> {
    let mut length = None;
    let mut queries = Vec::new();
    for part in args.split([';', '\n']) {
        let mut words = Vec::new();
        for word in part.split_whitespace() {
            match word.get(..2) {
                Some(prefix) if prefix.eq_ignore_ascii_case("n=") => {
                    let n = word[2..]
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_LENGTH).contains(n))
                        .ok_or_else(|| UsageError::BadLength {
                            given: word.to_owned(),
                        })?;
                    length = Some(n);
                }
                _ => words.push(word),
            }
        }
        if !words.is_empty() {
            queries.push(checked(words.join(" "))?);
        }
    }
    if queries.is_empty() {
        return Err(UsageError::Empty);
    }
    if queries.len() > MAX_QUERIES {
        return Err(UsageError::TooMany {
            count: queries.len(),
        });
    }
    Ok(PredictRequest {
        queries,
        length: length.unwrap_or(DEFAULT_LENGTH),
    })
}

/// Reads `/describe` arguments (or free text): exactly one track.
pub fn parse_describe(args: &str) -> Result<String, UsageError> {
    let parts: Vec<&str> = args
        .split([';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [] => Err(UsageError::Empty),
        [one] => checked(one.split_whitespace().collect::<Vec<_>>().join(" ")),
        _ => Err(UsageError::SeveralTracks),
    }
}

fn checked(query: String) -> Result<String, UsageError> {
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(UsageError::TooLong { chars });
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_free_text() {
        let p = |t: &str| parse(t, "selecta_bot", true);
        assert_eq!(p("/start"), Input::Start);
        assert_eq!(p("  /HELP  "), Input::Help);
        assert_eq!(
            p("/predict Queen - Bohemian Rhapsody"),
            Input::Predict("Queen - Bohemian Rhapsody".into())
        );
        assert_eq!(p("/predict\na\nb"), Input::Predict("a\nb".into()));
        assert_eq!(p("/describe@Selecta_Bot x"), Input::Describe("x".into()));
        assert_eq!(p("/describe@other_bot x"), Input::Ignored);
        assert_eq!(p("/foo bar"), Input::UnknownCommand("foo".into()));
        assert_eq!(p(" Zedd - Stay "), Input::FreeText("Zedd - Stay".into()));
        assert_eq!(parse("Zedd - Stay", "b", false), Input::Ignored);
        assert_eq!(parse("/help", "b", false), Input::Help);
    }

    #[test]
    fn predict_splits_on_semicolons_and_lines_and_reads_n() {
        let r =
            parse_predict("Zedd - Stay; Queen - Bohemian Rhapsody\n  spotify:track:x  ").unwrap();
        assert_eq!(
            r.queries,
            [
                "Zedd - Stay",
                "Queen - Bohemian Rhapsody",
                "spotify:track:x"
            ]
        );
        assert_eq!(r.length, DEFAULT_LENGTH);
        let r = parse_predict("n=25 Zedd   -  Stay").unwrap();
        assert_eq!((r.queries, r.length), (vec!["Zedd - Stay".to_owned()], 25));
        let r = parse_predict("Zedd - Stay; N=50").unwrap();
        assert_eq!((r.queries.len(), r.length), (1, 50));
    }

    #[test]
    fn predict_usage_errors() {
        assert_eq!(parse_predict(""), Err(UsageError::Empty));
        assert_eq!(parse_predict(" ; \n n=5"), Err(UsageError::Empty));
        for bad in ["n=0", "n=51", "n=ten", "n="] {
            assert_eq!(
                parse_predict(&format!("a - b {bad}")),
                Err(UsageError::BadLength { given: bad.into() }),
                "{bad}"
            );
        }
        let long = "x".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(
            parse_predict(&long),
            Err(UsageError::TooLong {
                chars: MAX_QUERY_CHARS + 1
            })
        );
        assert!(parse_predict(&"x".repeat(MAX_QUERY_CHARS)).is_ok());
        let many = vec!["a"; MAX_QUERIES + 1].join(";");
        assert_eq!(
            parse_predict(&many),
            Err(UsageError::TooMany {
                count: MAX_QUERIES + 1
            })
        );
    }

    #[test]
    fn describe_takes_one_track() {
        assert_eq!(parse_describe("  Zedd -  Stay ;"), Ok("Zedd - Stay".into()));
        assert_eq!(parse_describe(" \n "), Err(UsageError::Empty));
        assert_eq!(parse_describe("a\nb"), Err(UsageError::SeveralTracks));
        assert!(matches!(
            parse_describe(&"é".repeat(MAX_QUERY_CHARS + 1)),
            Err(UsageError::TooLong { .. })
        ));
    }
}
