//! Typed checks of single values (the pydantic models' job in the seed): numbers and their
//! ranges, booleans, release dates, and the rule that turns analysis failures into missing values.

use selecta_types::AudioFeatures;

use crate::error::ProblemKind;

/// The allowed range of a numeric value, and whether it must be whole.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    pub min: f64,
    pub max: f64,
    pub integer: bool,
}

const fn unit() -> Spec {
    Spec {
        min: 0.0,
        max: 1.0,
        integer: false,
    }
}

/// Ranges of the audio features, in the order of `selecta_types::AUDIO_FEATURE_NAMES`.
/// Loudness and tempo are wider than anything Spotify reports (-46.4..1.3 dB and 0..239 BPM in
/// the bundled data) so only garbage is refused. `key` -1 and `time_signature` 0 mean unknown.
pub(crate) const FEATURE_SPECS: [Spec; 12] = [
    unit(),
    unit(),
    Spec {
        min: -1.0,
        max: 11.0,
        integer: true,
    },
    Spec {
        min: -70.0,
        max: 10.0,
        integer: false,
    },
    Spec {
        min: 0.0,
        max: 1.0,
        integer: true,
    },
    unit(),
    unit(),
    unit(),
    unit(),
    unit(),
    Spec {
        min: 0.0,
        max: 300.0,
        integer: false,
    },
    Spec {
        min: 0.0,
        max: 7.0,
        integer: true,
    },
];

/// Spotify popularity.
pub(crate) const POPULARITY: Spec = Spec {
    min: 0.0,
    max: 100.0,
    integer: false,
};

/// Track length: positive, at most a day.
pub(crate) const DURATION_MS: Spec = Spec {
    min: 1.0,
    max: 86_400_000.0,
    integer: true,
};

/// A release year given on its own (`year` column).
pub(crate) const YEAR: Spec = Spec {
    min: 1000.0,
    max: 2100.0,
    integer: true,
};

/// Markers data sets use for "no value" (R writes `NA`, pandas `nan`).
fn is_missing_marker(raw: &str) -> bool {
    matches!(
        raw,
        "" | "NA" | "N/A" | "na" | "n/a" | "NaN" | "nan" | "null" | "NULL" | "None"
    )
}

/// Parses and range-checks a number; missing markers give `None`.
pub(crate) fn parse_number(raw: &str, spec: Spec) -> Result<Option<f64>, ProblemKind> {
    let raw = raw.trim();
    if is_missing_marker(raw) {
        return Ok(None);
    }
    let v: f64 = raw.parse().map_err(|_| ProblemKind::NotANumber)?;
    check_number(v, spec).map(Some)
}

/// Range-checks a number that is already parsed (JSON).
pub(crate) fn check_number(v: f64, spec: Spec) -> Result<f64, ProblemKind> {
    // `inf` and `NaN` parse as f64 but are not values.
    if !v.is_finite() {
        return Err(ProblemKind::NotANumber);
    }
    if spec.integer && v.fract() != 0.0 {
        return Err(ProblemKind::NotAWholeNumber);
    }
    if v < spec.min || v > spec.max {
        return Err(ProblemKind::OutOfRange {
            min: spec.min,
            max: spec.max,
        });
    }
    Ok(v)
}

/// Parses `true`/`false` (also `True`, `1`, `0`, `yes`, `no`); missing markers give `None`.
pub(crate) fn parse_bool(raw: &str) -> Result<Option<bool>, ProblemKind> {
    let raw = raw.trim();
    if is_missing_marker(raw) {
        return Ok(None);
    }
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "t" => Ok(Some(true)),
        "false" | "0" | "no" | "f" => Ok(Some(false)),
        _ => Err(ProblemKind::NotABool),
    }
}

/// Checks a release date `YYYY`, `YYYY-MM` or `YYYY-MM-DD` and returns its year. Missing
/// markers, and the `0000` Spotify writes for unknown dates, give `None` (the date is then
/// dropped as well): a missing value, not an error.
pub(crate) fn parse_date(raw: &str) -> Result<Option<u16>, ProblemKind> {
    let raw = raw.trim();
    if is_missing_marker(raw) {
        return Ok(None);
    }
    let mut parts = raw.split('-');
    let year = parts.next().unwrap_or("");
    let month = parts.next();
    let day = parts.next();
    if parts.next().is_some() {
        return Err(ProblemKind::BadDate);
    }
    let field = |s: &str, len: usize, min: u16, max: u16| -> Result<u16, ProblemKind> {
        if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ProblemKind::BadDate);
        }
        let v: u16 = s.parse().map_err(|_| ProblemKind::BadDate)?;
        if v < min || v > max {
            return Err(ProblemKind::BadDate);
        }
        Ok(v)
    };
    if year == "0000" && month.is_none_or(|m| m == "00") {
        return Ok(None);
    }
    let y = field(year, 4, 1000, 2100)?;
    if let Some(m) = month {
        field(m, 2, 1, 12)?;
    }
    if let Some(d) = day {
        field(d, 2, 1, 31)?;
    }
    Ok(Some(y))
}

/// Builds audio features from checked values (in `AUDIO_FEATURE_NAMES` order).
///
/// Spotify's analysis reports a failure as zeros: tempo 0 or danceability 0 is never a real
/// measurement. Such a row's tempo and danceability are missing, and so is every other 0..1
/// feature that is exactly 0 in it (the bundled data's one failed row has speechiness,
/// acousticness, instrumentalness, liveness and valence at 0 too). In rows that were analysed,
/// an exact 0 (common for instrumentalness) is a real value and kept.
pub(crate) fn audio_features(v: &[Option<f64>; 12]) -> AudioFeatures {
    let f = |i: usize| v[i].map(|x| x as f32);
    let failed = v[0] == Some(0.0) || v[10] == Some(0.0);
    let unit_feature = |i: usize| match f(i) {
        Some(x) if failed && x == 0.0 => None,
        other => other,
    };
    AudioFeatures {
        danceability: f(0).filter(|&x| x > 0.0).into(),
        energy: unit_feature(1).into(),
        key: v[2].filter(|&k| k >= 0.0).map(|k| k as u8),
        loudness: f(3).into(),
        mode: v[4].map(|m| m as u8),
        speechiness: unit_feature(5).into(),
        acousticness: unit_feature(6).into(),
        instrumentalness: unit_feature(7).into(),
        liveness: unit_feature(8).into(),
        valence: unit_feature(9).into(),
        tempo: f(10).filter(|&x| x > 0.0).into(),
        time_signature: v[11].filter(|&t| t > 0.0).map(|t| t as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_parsed_and_checked() {
        assert_eq!(parse_number("0.5", unit()), Ok(Some(0.5)));
        assert_eq!(parse_number(" 1 ", unit()), Ok(Some(1.0)));
        assert_eq!(parse_number("", unit()), Ok(None));
        assert_eq!(parse_number("NA", unit()), Ok(None));
        assert_eq!(parse_number("abc", unit()), Err(ProblemKind::NotANumber));
        assert_eq!(parse_number("inf", unit()), Err(ProblemKind::NotANumber));
        assert_eq!(
            parse_number("1.01", unit()),
            Err(ProblemKind::OutOfRange { min: 0.0, max: 1.0 })
        );
        assert_eq!(parse_number("5.0", FEATURE_SPECS[2]), Ok(Some(5.0)));
        assert_eq!(
            parse_number("5.5", FEATURE_SPECS[2]),
            Err(ProblemKind::NotAWholeNumber)
        );
        assert_eq!(
            parse_number("12", FEATURE_SPECS[2]),
            Err(ProblemKind::OutOfRange {
                min: -1.0,
                max: 11.0
            })
        );
        assert_eq!(
            parse_number("0", DURATION_MS),
            Err(ProblemKind::OutOfRange {
                min: 1.0,
                max: 86_400_000.0
            })
        );
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("True"), Ok(Some(true)));
        assert_eq!(parse_bool("false"), Ok(Some(false)));
        assert_eq!(parse_bool("0"), Ok(Some(false)));
        assert_eq!(parse_bool(""), Ok(None));
        assert_eq!(parse_bool("maybe"), Err(ProblemKind::NotABool));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2019-06-14"), Ok(Some(2019)));
        assert_eq!(parse_date("1975-11"), Ok(Some(1975)));
        assert_eq!(parse_date(" 1957 "), Ok(Some(1957)));
        assert_eq!(parse_date(""), Ok(None));
        assert_eq!(parse_date("0000"), Ok(None));
        for bad in [
            "2019/06/14",
            "19-06-14",
            "2019-13-01",
            "2019-06-32",
            "2019-6-1",
            "soon",
            "2019-06-14-1",
        ] {
            assert_eq!(parse_date(bad), Err(ProblemKind::BadDate), "{bad}");
        }
    }

    #[test]
    fn analysis_failures_become_missing() {
        // The bundled data's failed row: danceability, tempo and most 0..1 features at 0.
        let failed = [
            Some(0.0),
            Some(0.315),
            Some(1.0),
            Some(-26.087),
            Some(1.0),
            Some(0.0),
            Some(0.0),
            Some(0.0),
            Some(0.0),
            Some(0.0),
            Some(0.0),
            None,
        ];
        let f = audio_features(&failed);
        assert_eq!(f.danceability.get(), None);
        assert_eq!(f.tempo.get(), None);
        assert_eq!(f.valence.get(), None);
        assert_eq!(f.instrumentalness.get(), None);
        assert_eq!(f.energy.get(), Some(0.315));
        assert_eq!(f.key, Some(1));
        assert_eq!(f.loudness.get(), Some(-26.087));

        // An analysed row keeps its real zeros; key -1 and time signature 0 are unknown.
        let mut ok = failed;
        ok[0] = Some(0.7);
        ok[10] = Some(120.0);
        ok[2] = Some(-1.0);
        ok[11] = Some(0.0);
        let f = audio_features(&ok);
        assert_eq!(f.instrumentalness.get(), Some(0.0));
        assert_eq!(f.tempo.get(), Some(120.0));
        assert_eq!(f.key, None);
        assert_eq!(f.time_signature, None);
        assert_eq!(f.mode, Some(1));
    }
}
