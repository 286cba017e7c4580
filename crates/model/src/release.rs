//! Release dates as years with a fraction: a playlist of this season's releases is told
//! apart from one of last year's by the month, which a whole year hides.

use selecta_types::Track;

/// A track's release date in years (2019-07-01 is about 2019.5), read from its release date
/// to the day or the month when it has one, else the middle of its release year.
pub(crate) fn release_years(t: &Track) -> Option<f32> {
    if let Some(d) = t.release_date.as_deref().and_then(parse) {
        return Some(d);
    }
    t.year.map(|y| f32::from(y) + 0.5)
}

/// A track's release year and month (1–12), when its release date gives the month.
pub(crate) fn release_month(t: &Track) -> Option<(u16, u8)> {
    match fields(t.release_date.as_deref()?)? {
        (year, Some(month), _) => Some((year, month)),
        _ => None,
    }
}

/// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` as years with a fraction (a month or year alone is
/// placed at its middle).
fn parse(date: &str) -> Option<f32> {
    let (year, month, day) = fields(date)?;
    let year = f32::from(year);
    Some(match (month, day) {
        (None, _) => year + 0.5,
        (Some(m), None) => year + (f32::from(m - 1) + 0.5) / 12.0,
        (Some(m), Some(d)) => year + (f32::from(m - 1) + (f32::from(d) - 0.5) / 31.0) / 12.0,
    })
}

/// Year, month (1–12) and day (1–31) of `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (anything after
/// the day's two digits, such as a time, is ignored); `None` when a part present is not valid.
fn fields(date: &str) -> Option<(u16, Option<u8>, Option<u8>)> {
    let mut parts = date.trim().splitn(3, '-');
    let year: u16 = parts.next()?.parse().ok()?;
    let Some(month) = parts.next() else {
        return Some((year, None, None));
    };
    let month: u8 = month.parse().ok().filter(|m| (1..=12).contains(m))?;
    let Some(day) = parts.next() else {
        return Some((year, Some(month), None));
    };
    let day: u8 = day
        .get(..2)
        .unwrap_or(day)
        .parse()
        .ok()
        .filter(|d| (1..=31).contains(d))?;
    Some((year, Some(month), Some(day)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_months_and_years_become_years_with_a_fraction() {
        let close = |a: Option<f32>, b: f32| (a.unwrap() - b).abs() < 1e-3;
        assert!(close(parse("2019-01-01"), 2019.0 + 0.5 / 31.0 / 12.0));
        assert!(close(parse("2019-07"), 2019.0 + 6.5 / 12.0));
        assert!(close(parse("1999"), 1999.5));
        assert!(parse("2019-13-01").is_none());
        assert!(parse("soon").is_none());
        let t = Track {
            release_date: Some("bad".into()),
            year: Some(2001),
            ..Track::default()
        };
        assert_eq!(release_years(&t), Some(2001.5));
        assert_eq!(release_month(&t), None);
        let t = Track {
            release_date: Some("2019-11-29".into()),
            ..Track::default()
        };
        assert_eq!(release_month(&t), Some((2019, 11)));
    }
}
