//! Telegram HTML: escaping what listeners and the catalog wrote, shortening it, and splitting
//! long replies under Telegram's message limit.
//!
//! The bot writes HTML (Telegram's `parse_mode=HTML`): only `<`, `>`, `&` (and `"` inside an
//! attribute) need escaping there, so titles full of `_*[]()~>#+-=|{}.!` stay readable in the
//! source and render as typed. Every line the bot writes is balanced on its own (no tag spans
//! two lines), which is what lets [`split`] cut at any line boundary.

/// Telegram's limit on a message's text, in UTF-16 code units after entity parsing.
pub const MESSAGE_LIMIT: usize = 4096;

/// Escapes text for Telegram HTML (`&`, `<`, `>`).
pub fn escape(text: &str) -> String {
    teloxide::utils::html::escape(text)
}

/// Escapes text for an HTML attribute value in double quotes (also `"`).
pub fn escape_attr(text: &str) -> String {
    escape(text).replace('"', "&quot;")
}

/// A link: `<a href="url">text</a>`, both escaped.
pub fn link(url: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape_attr(url), escape(text))
}

/// `text` cut to at most `max` characters, ending with `…` when cut, so that one long catalog
/// field cannot make a line longer than a message.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Length as Telegram counts it (UTF-16 code units).
pub fn telegram_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits a reply into messages of at most `limit` UTF-16 units (of markup, which is never
/// shorter than the text Telegram counts). Cuts fall, by preference, at blank lines (between
/// paragraphs, e.g. playlist entries), then at line ends; a single line longer than `limit`
/// (which the bot never writes) is cut between characters outside tags and entities.
/// Leading and trailing blank lines of each part are dropped; empty input gives no part.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for paragraph in text.split("\n\n") {
        let paragraph = paragraph.trim_matches('\n');
        if paragraph.is_empty() {
            continue;
        }
        if fits(&current, "\n\n", paragraph, limit) {
            push(&mut current, "\n\n", paragraph);
            continue;
        }
        flush(&mut parts, &mut current);
        if telegram_len(paragraph) <= limit {
            current.push_str(paragraph);
            continue;
        }
        for line in paragraph.split('\n') {
            if fits(&current, "\n", line, limit) {
                push(&mut current, "\n", line);
                continue;
            }
            flush(&mut parts, &mut current);
            if telegram_len(line) <= limit {
                current.push_str(line);
            } else {
                let mut pieces = hard_split(line, limit);
                current = pieces.pop().unwrap_or_default();
                parts.extend(pieces);
            }
        }
    }
    flush(&mut parts, &mut current);
    parts
}

fn fits(current: &str, sep: &str, next: &str, limit: usize) -> bool {
    let extra = if current.is_empty() {
        0
    } else {
        telegram_len(sep)
    };
    telegram_len(current) + extra + telegram_len(next) <= limit
}

fn push(current: &mut String, sep: &str, next: &str) {
    if !current.is_empty() {
        current.push_str(sep);
    }
    current.push_str(next);
}

fn flush(parts: &mut Vec<String>, current: &mut String) {
    if !current.trim().is_empty() {
        parts.push(std::mem::take(current));
    }
    current.clear();
}

/// Cuts one overlong line into pieces of at most `limit` units, never inside `<...>` or
/// `&...;` (a cut may still fall inside an element, which only changes its formatting).
fn hard_split(line: &str, limit: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut units = 0;
    // The last position where a cut is safe, as (byte offset in `current`, units before it).
    let mut safe = (0, 0);
    let mut in_tag = false;
    let mut in_entity = false;
    for c in line.chars() {
        let w = c.len_utf16();
        if units + w > limit && safe.0 > 0 {
            let rest = current.split_off(safe.0);
            pieces.push(std::mem::replace(&mut current, rest));
            units -= safe.1;
            safe = (0, 0);
        }
        match c {
            '<' => in_tag = true,
            '&' => in_entity = true,
            _ => {}
        }
        current.push(c);
        units += w;
        match c {
            '>' => in_tag = false,
            ';' => in_entity = false,
            _ => {}
        }
        if !in_tag && !in_entity {
            safe = (current.len(), units);
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// A 0..1 value as 10 cells, e.g. `███████░░░` for 0.74.
pub fn bar(value: f32) -> String {
    let filled = (value.clamp(0.0, 1.0) * 10.0).round() as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_markdown_characters_and_escapes_html_ones() {
        let title = r#"W_e*i[r]d (T~i>t#l+e) -=|{x}.! & <b> "q""#;
        assert_eq!(
            escape(title),
            r#"W_e*i[r]d (T~i&gt;t#l+e) -=|{x}.! &amp; &lt;b&gt; "q""#
        );
        assert_eq!(escape("Кино — 東京事変"), "Кино — 東京事変");
        assert_eq!(
            link("https://x/?a=1&b=\"2\"", "a<b"),
            r#"<a href="https://x/?a=1&amp;b=&quot;2&quot;">a&lt;b</a>"#
        );
    }

    #[test]
    fn shortening_counts_characters_not_bytes() {
        assert_eq!(shorten("東京事変", 4), "東京事変");
        assert_eq!(shorten("東京事変です", 4), "東京事…");
        assert_eq!(shorten("abc", 0), "…");
    }

    #[test]
    fn lengths_are_utf16_units() {
        assert_eq!(telegram_len("abc"), 3);
        assert_eq!(telegram_len("東京"), 2);
        // Outside the basic plane: two units each, as Telegram counts.
        assert_eq!(telegram_len("🎧"), 2);
    }

    #[test]
    fn short_text_is_one_part() {
        assert_eq!(split("a\n\nb\nc", 100), ["a\n\nb\nc"]);
        assert!(split("", 100).is_empty());
        assert!(split("\n\n\n", 100).is_empty());
    }

    #[test]
    fn cuts_fall_between_paragraphs_first() {
        // "aaaa\nbbbb" (9) + "\n\n" + "cccc" (4) = 15 > 12.
        assert_eq!(
            split("aaaa\nbbbb\n\ncccc\n\ndd", 12),
            ["aaaa\nbbbb", "cccc\n\ndd"]
        );
    }

    #[test]
    fn long_paragraphs_are_cut_at_lines() {
        assert_eq!(
            split("head\n\n111\n222\n333\n444", 8),
            ["head", "111\n222", "333\n444"]
        );
        // Every part within the limit, nothing lost or reordered.
        let text: String = (0..500)
            .map(|i| format!("{i}. line number {i}\nwith a second line\n\n"))
            .collect();
        let parts = split(&text, 4096);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| telegram_len(p) <= 4096));
        let joined = parts.join("\n\n");
        assert_eq!(joined, text.trim_end_matches('\n'));
    }

    #[test]
    fn an_overlong_line_is_cut_outside_tags_and_entities() {
        let line = "<b>ab</b>&amp;cd";
        let parts = split(line, 5);
        assert_eq!(parts, ["<b>ab", "</b>", "&amp;", "cd"]);
        assert_eq!(parts.concat(), line);
        // Wide characters count two units.
        assert_eq!(split("🎧🎧🎧", 4), ["🎧🎧", "🎧"]);
    }

    #[test]
    fn bars_round_to_tenths() {
        assert_eq!(bar(0.0), "░░░░░░░░░░");
        assert_eq!(bar(0.74), "███████░░░");
        assert_eq!(bar(1.5), "██████████");
    }
}
