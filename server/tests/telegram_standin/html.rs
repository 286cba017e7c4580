//! Telegram's HTML parse mode, as the Bot API checks it: the supported tags, balanced; the
//! four named entities and numeric ones; anything else is "can't parse entities".

/// Tags the Bot API accepts in `parse_mode=HTML`.
const TAGS: [&str; 16] = [
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
];

/// The text a message shows (tags dropped, entities decoded), or the Bot API's error.
pub fn parse(html: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    while i < html.len() {
        let c = html[i..].chars().next().unwrap();
        match c {
            '<' => {
                let end = html[i..].find('>').map(|e| i + e).ok_or_else(|| {
                    format!("can't parse entities: Unclosed start tag at byte offset {i}")
                })?;
                let inner = &html[i + 1..end];
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    match open.pop() {
                        Some(top) if top == name => {}
                        _ => {
                            return Err(format!(
                                "can't parse entities: Unmatched end tag at byte offset {i}, expected \"</{}>\", found \"</{name}>\"",
                                open.last().cloned().unwrap_or_default()
                            ))
                        }
                    }
                } else {
                    let name: String = inner
                        .split(|c: char| c.is_whitespace())
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if !TAGS.contains(&name.as_str()) {
                        return Err(format!(
                            "can't parse entities: Unsupported start tag \"{name}\" at byte offset {i}"
                        ));
                    }
                    if name == "a" && !inner.contains("href=\"") {
                        return Err(format!(
                            "can't parse entities: <a> without href at byte offset {i}"
                        ));
                    }
                    check_attributes(inner, i)?;
                    open.push(name);
                }
                i = end + 1;
            }
            '&' => {
                let end = html[i..]
                    .find(';')
                    .map(|e| i + e)
                    .filter(|&e| e - i <= 10)
                    .ok_or_else(|| format!("can't parse entities: bare & at byte offset {i}"))?;
                out.push(entity(&html[i + 1..end]).ok_or_else(|| {
                    format!(
                        "can't parse entities: Unknown entity \"{}\" at byte offset {i}",
                        &html[i..=end]
                    )
                })?);
                i = end + 1;
            }
            '>' => {
                return Err(format!(
                    "can't parse entities: unescaped > at byte offset {i}"
                ));
            }
            c => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    if let Some(tag) = open.pop() {
        return Err(format!(
            "can't parse entities: Can't find end tag corresponding to start tag \"{tag}\""
        ));
    }
    Ok(out)
}

/// Attribute values must be quoted and their `&` escaped.
fn check_attributes(inner: &str, at: usize) -> Result<(), String> {
    let mut rest = inner;
    while let Some(q) = rest.find('"') {
        let after = &rest[q + 1..];
        let close = after.find('"').ok_or_else(|| {
            format!("can't parse entities: unclosed attribute at byte offset {at}")
        })?;
        let value = &after[..close];
        let mut v = value;
        while let Some(amp) = v.find('&') {
            let semi = v[amp..].find(';').ok_or_else(|| {
                format!("can't parse entities: bare & in an attribute at byte offset {at}")
            })?;
            if entity(&v[amp + 1..amp + semi]).is_none() {
                return Err(format!(
                    "can't parse entities: bad entity in an attribute at byte offset {at}"
                ));
            }
            v = &v[amp + semi + 1..];
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

fn entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[test]
fn telegram_html_is_checked_like_the_bot_api() {
    assert_eq!(
        parse("<b>a &amp; b</b> <a href=\"https://x/?a=1&amp;b=2\">c&lt;d</a> &#x41;").unwrap(),
        "a & b c<d A"
    );
    assert!(parse("<b>x").is_err());
    assert!(parse("<b>x</i>").is_err());
    assert!(parse("<script>x</script>").is_err());
    assert!(parse("a & b").is_err());
    assert!(parse("a > b").is_err());
    assert!(parse("&nbsp;").is_err());
    assert!(parse("<a href=\"x&y\">z</a>").is_err());
    assert_eq!(
        parse("W_e*i[r]d -=|{x}.! 東京").unwrap(),
        "W_e*i[r]d -=|{x}.! 東京"
    );
}
