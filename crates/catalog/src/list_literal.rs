//! Python list literals as pandas writes them into CSV cells: `['Queen', 'David Bowie']`,
//! `["Guns N' Roses"]`, `['Sam \'Tex\' Smith']`. Kaggle's Spotify data sets store artist
//! names and artist ids this way.

/// Why a list literal cannot be read, in words (the cell itself is shown by the caller).
pub(crate) type ListError = &'static str;

/// Parses the items of a list literal. The cell must start with `[` and end with `]`; items
/// are quoted with `'` or `"` and may hold the other quote, commas and backslash escapes
/// (`\'`, `\"`, `\\`, `\n`, `\t`, `\xNN`, `\uNNNN`). An unquoted item (`[Queen]`) is taken
/// as written. Empty items are dropped. Never panics: anything else is an error.
pub(crate) fn parse_list(cell: &str) -> Result<Vec<String>, ListError> {
    let cell = cell.trim();
    let inner = cell
        .strip_prefix('[')
        .ok_or("a list must start with `[`")?
        .strip_suffix(']')
        .ok_or("the list is not closed with `]`")?;
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else {
            break;
        };
        let item = if first == '\'' || first == '"' {
            chars.next();
            let item = quoted(&mut chars, first)?;
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            match chars.next() {
                None | Some(',') => {}
                Some(_) => return Err("text follows a quoted item without a comma"),
            }
            item
        } else {
            let mut item = String::new();
            for c in chars.by_ref() {
                if c == ',' {
                    break;
                }
                item.push(c);
            }
            item.trim().to_string()
        };
        if !item.is_empty() {
            out.push(item);
        }
    }
    Ok(out)
}

/// Reads a quoted item up to its closing `quote` (already past the opening one).
fn quoted(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    quote: char,
) -> Result<String, ListError> {
    let mut item = String::new();
    loop {
        match chars.next() {
            None => return Err("a quoted item is not closed"),
            Some(c) if c == quote => return Ok(item.trim().to_string()),
            Some('\\') => match chars.next() {
                None => return Err("a quoted item is not closed"),
                Some('n') => item.push('\n'),
                Some('t') => item.push('\t'),
                Some('r') => item.push('\r'),
                Some('x') => item.push(hex_escape(chars, 2)?),
                Some('u') => item.push(hex_escape(chars, 4)?),
                Some('U') => item.push(hex_escape(chars, 8)?),
                Some(c @ ('\\' | '\'' | '"')) => item.push(c),
                // Python keeps an unknown escape as written.
                Some(c) => {
                    item.push('\\');
                    item.push(c);
                }
            },
            Some(c) => item.push(c),
        }
    }
}

fn hex_escape(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    digits: usize,
) -> Result<char, ListError> {
    let mut v: u32 = 0;
    for _ in 0..digits {
        let d = chars
            .next()
            .and_then(|c| c.to_digit(16))
            .ok_or("a `\\x`/`\\u` escape has too few hex digits")?;
        v = v * 16 + d;
    }
    char::from_u32(v).ok_or("an escape names no character")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_quoted_either_way() {
        assert_eq!(
            parse_list("['Queen', 'David Bowie']").unwrap(),
            ["Queen", "David Bowie"]
        );
        assert_eq!(
            parse_list("[\"Guns N' Roses\", 'Slash']").unwrap(),
            ["Guns N' Roses", "Slash"]
        );
        assert_eq!(
            parse_list(r#"['Tyler, The Creator','A "B" C']"#).unwrap(),
            ["Tyler, The Creator", "A \"B\" C"]
        );
        assert_eq!(
            parse_list(r"['Sam \'Tex\' Smith', 'back\\slash']").unwrap(),
            ["Sam 'Tex' Smith", "back\\slash"]
        );
        assert_eq!(
            parse_list(r"['caf\xe9', '\u00e9t\u00e9']").unwrap(),
            ["café", "été"]
        );
        assert_eq!(parse_list(" [Queen , AC/DC] ").unwrap(), ["Queen", "AC/DC"]);
        assert!(parse_list("[]").unwrap().is_empty());
        assert!(parse_list("['', ' ']").unwrap().is_empty());
    }

    #[test]
    fn broken_literals_are_errors_not_panics() {
        for bad in [
            "['Queen'",
            "'Queen']",
            "['Queen]",
            "['Queen' 'Bowie']",
            r"['Queen\']",
            r"['\x4']",
            r"['\ud800']",
            "['é",
            "[\"é",
        ] {
            assert!(parse_list(bad).is_err(), "{bad}");
        }
    }
}
