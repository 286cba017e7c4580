//! Telegram HTML: escaping what listeners and the catalog wrote, shortening it, and splitting
//! long replies under Telegram's message limit.
//!
//! The bot writes HTML (Telegram's `parse_mode=HTML`): only `<`, `>`, `&` (and `"` inside an
//! attribute) need escaping there, so titles full of `_*[]()~>#+-=|{}.!` stay readable in the
//! source and render as typed. [`split`] keeps every part of a long reply valid on its own:
//! it never cuts inside a tag or an entity, and closes and reopens the elements open at a cut.

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

/// Splits a reply into messages of at most `limit` UTF-16 units of markup (which is never
/// shorter than the text Telegram counts), each of them valid Telegram HTML on its own.
///
/// Cuts fall, by preference, at blank lines (between paragraphs, e.g. playlist entries), then
/// at line ends, and only for a line longer than a message between characters; never inside
/// a tag (`<a href="…">`) or an entity (`&amp;`). An element open at a cut is closed at the end
/// of its part and opened again (same tag, same attributes) at the start of the next, so
/// every part is balanced and keeps its formatting. Should the tags open at a cut leave no
/// room for any text (only with a limit of a few dozen units, or a link of thousands), that
/// part is sent as plain text rather than over the limit. A part exceeds `limit` only when a
/// single character or entity does.
///
/// The newlines at a cut, and leading and trailing blank lines, are dropped; a part without
/// visible text is dropped; empty input gives no part. Markup that is not balanced to begin
/// with is cut as well as it can be (a stray closing tag is kept as it is).
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let doc = Doc::parse(text);
    let mut parts = Vec::new();
    let n = doc.atoms.len();
    let mut start = doc.skip_newlines(0);
    while start < n {
        let (part, next) = doc.part_from(start, limit);
        if doc.has_visible_text(&part) {
            parts.push(part.render(&doc));
        }
        debug_assert!(next > start, "every part makes progress");
        start = next;
    }
    parts
}

/// One indivisible piece of markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `<name ...>`, which opens an element.
    Open,
    /// `</name>`, which closes one.
    Close,
    /// `\n`, where cuts prefer to fall.
    Newline,
    /// One character or entity of text.
    Text,
}

#[derive(Debug, Clone, Copy)]
struct Atom {
    kind: Kind,
    /// Byte range in the text.
    start: usize,
    end: usize,
}

/// A reply cut into atoms, with what is known at each boundary between them (boundary `b`
/// lies before atom `b`; boundary `atoms.len()` is the end).
struct Doc<'a> {
    text: &'a str,
    atoms: Vec<Atom>,
    /// UTF-16 units of all atoms before each boundary.
    units: Vec<usize>,
    /// UTF-16 units of the text atoms (no tags) before each boundary.
    text_units: Vec<usize>,
    /// The open elements at each boundary, outermost first, as an index into `stacks`.
    stack_at: Vec<usize>,
    /// Distinct stacks of open elements, each as indices of their `Open` atoms.
    stacks: Vec<Stack>,
}

/// Elements open at a boundary, with what reopening and closing them costs.
struct Stack {
    opens: Vec<usize>,
    /// Units of the opening tags, as written.
    open_units: usize,
    /// Units of the closing tags `</name>`.
    close_units: usize,
}

/// A planned part: the atoms `start..end`, inside the elements open at `start` and at `end`.
struct Part {
    start: usize,
    end: usize,
    /// Without any tags (when they would not fit).
    plain: bool,
}

impl<'a> Doc<'a> {
    fn parse(text: &'a str) -> Doc<'a> {
        let atoms = atoms(text);
        let mut units = Vec::with_capacity(atoms.len() + 1);
        let mut text_units = Vec::with_capacity(atoms.len() + 1);
        let mut stack_at = Vec::with_capacity(atoms.len() + 1);
        let mut stacks = vec![Stack {
            opens: Vec::new(),
            open_units: 0,
            close_units: 0,
        }];
        let (mut all, mut visible) = (0, 0);
        for (i, atom) in atoms.iter().enumerate() {
            units.push(all);
            text_units.push(visible);
            stack_at.push(stacks.len() - 1);
            let raw = &text[atom.start..atom.end];
            let w = telegram_len(raw);
            all += w;
            match atom.kind {
                Kind::Text | Kind::Newline => visible += w,
                Kind::Open => {
                    let mut opens = stacks[stacks.len() - 1].opens.clone();
                    opens.push(i);
                    stacks.push(Stack::new(text, &atoms, opens));
                }
                Kind::Close => {
                    let name = tag_name(raw);
                    let current = &stacks[stacks.len() - 1].opens;
                    // The innermost element of that name closes (with any left open inside
                    // it); a closing tag that matches nothing changes nothing.
                    if let Some(at) = current
                        .iter()
                        .rposition(|&o| tag_name(&text[atoms[o].start..atoms[o].end]) == name)
                    {
                        let opens = current[..at].to_vec();
                        stacks.push(Stack::new(text, &atoms, opens));
                    }
                }
            }
        }
        units.push(all);
        text_units.push(visible);
        stack_at.push(stacks.len() - 1);
        Doc {
            text,
            atoms,
            units,
            text_units,
            stack_at,
            stacks,
        }
    }

    fn stack(&self, boundary: usize) -> &Stack {
        &self.stacks[self.stack_at[boundary]]
    }

    fn is(&self, i: usize, kind: Kind) -> bool {
        self.atoms.get(i).is_some_and(|a| a.kind == kind)
    }

    /// The first boundary at or after `b` that is not before a newline.
    fn skip_newlines(&self, mut b: usize) -> usize {
        while self.is(b, Kind::Newline) {
            b += 1;
        }
        b
    }

    /// Units of a part `start..end` with its elements reopened and closed.
    fn cost(&self, start: usize, end: usize) -> usize {
        self.stack(start).open_units + self.units[end] - self.units[start]
            + self.stack(end).close_units
    }

    /// Units of a part `start..end` without tags.
    fn plain_cost(&self, start: usize, end: usize) -> usize {
        self.text_units[end] - self.text_units[start]
    }

    /// The next part from boundary `start` (not before a newline) and the boundary the part
    /// after it starts at. Among the cuts that fit, the end of the text wins, then the last
    /// blank line, then the last line end, then the last boundary between characters.
    fn part_from(&self, start: usize, limit: usize) -> (Part, usize) {
        let n = self.atoms.len();
        // Best (end, next start) so far for each preference: 0 characters, 1 line, 2 blank
        // line, 3 end of text.
        let mut best: [Option<(usize, usize)>; 4] = [None; 4];
        let mut b = start + 1;
        while b <= n && self.units[b] - self.units[start] <= limit {
            if self.is(b, Kind::Newline) {
                let next = self.skip_newlines(b);
                let rank = match next {
                    _ if next == n => 3,
                    _ if next - b >= 2 => 2,
                    _ => 1,
                };
                if self.cost(start, b) <= limit {
                    best[rank] = Some((b, next));
                }
                b = next + 1;
                continue;
            }
            let rank = if b == n { 3 } else { 0 };
            // Cutting right after an opening tag or right before a closing one would only
            // leave an empty element behind.
            let pointless = rank == 0 && (self.is(b - 1, Kind::Open) || self.is(b, Kind::Close));
            if !pointless && self.cost(start, b) <= limit {
                best[rank] = Some((b, b));
            }
            b += 1;
        }
        if let Some(&(end, next)) = best.iter().rev().flatten().next() {
            return (
                Part {
                    start,
                    end,
                    plain: false,
                },
                next,
            );
        }
        // The open elements leave no room: as much plain text as fits, at least one atom.
        let mut end = start + 1;
        while end < n && !self.is(end, Kind::Newline) && self.plain_cost(start, end + 1) <= limit {
            end += 1;
        }
        let next = self.skip_newlines(end);
        (
            Part {
                start,
                end,
                plain: true,
            },
            next,
        )
    }

    fn has_visible_text(&self, part: &Part) -> bool {
        self.atoms[part.start..part.end]
            .iter()
            .any(|a| a.kind == Kind::Text && !self.text[a.start..a.end].trim().is_empty())
    }
}

impl Part {
    fn render(&self, doc: &Doc<'_>) -> String {
        let atoms = &doc.atoms[self.start..self.end];
        let raw = |a: &Atom| &doc.text[a.start..a.end];
        if self.plain {
            return atoms
                .iter()
                .filter(|a| matches!(a.kind, Kind::Text | Kind::Newline))
                .map(raw)
                .collect();
        }
        let mut out = String::new();
        for &o in &doc.stack(self.start).opens {
            out.push_str(raw(&doc.atoms[o]));
        }
        out.extend(atoms.iter().map(raw));
        for &o in doc.stack(self.end).opens.iter().rev() {
            out.push_str("</");
            out.push_str(tag_name(raw(&doc.atoms[o])));
            out.push('>');
        }
        out
    }
}

impl Stack {
    fn new(text: &str, atoms: &[Atom], opens: Vec<usize>) -> Stack {
        let raw = |o: usize| &text[atoms[o].start..atoms[o].end];
        Stack {
            open_units: opens.iter().map(|&o| telegram_len(raw(o))).sum(),
            close_units: opens
                .iter()
                .map(|&o| telegram_len(tag_name(raw(o))) + "</>".len())
                .sum(),
            opens,
        }
    }
}

/// The text as atoms: whole tags, whole entities, single characters and newlines. A `<`
/// without its `>` makes a tag of the rest of the text, so that nothing is ever cut inside
/// it; an `&` not followed by a well-formed entity is a character of its own.
fn atoms(text: &str) -> Vec<Atom> {
    let mut atoms = Vec::with_capacity(text.len());
    let mut rest = text.char_indices().peekable();
    while let Some((start, c)) = rest.next() {
        let (kind, end) = match c {
            '<' => {
                let end = text[start..]
                    .find('>')
                    .map_or(text.len(), |i| start + i + 1);
                let kind = if text[start..].starts_with("</") {
                    Kind::Close
                } else {
                    Kind::Open
                };
                (kind, end)
            }
            '&' => match entity_len(&text[start..]) {
                Some(len) => (Kind::Text, start + len),
                None => (Kind::Text, start + 1),
            },
            '\n' => (Kind::Newline, start + 1),
            _ => (Kind::Text, start + c.len_utf8()),
        };
        while rest.peek().is_some_and(|&(i, _)| i < end) {
            rest.next();
        }
        atoms.push(Atom { kind, start, end });
    }
    atoms
}

/// Bytes of the entity at the start of `text` (`&amp;`, `&#233;`, `&#x1F3A7;`), if there
/// is one. Entity names are short; 32 bytes bounds the look-ahead.
fn entity_len(text: &str) -> Option<usize> {
    let body = text.get(1..)?;
    let end = body.bytes().take(32).position(|b| b == b';')?;
    let name = &body[..end];
    let ok = !name.is_empty()
        && match name.strip_prefix('#') {
            Some(num) => match num.strip_prefix(['x', 'X']) {
                Some(hex) => !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()),
                None => !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()),
            },
            None => name.bytes().all(|b| b.is_ascii_alphanumeric()),
        };
    ok.then_some(end + 2)
}

/// The element name of a tag: `a` for `<a href="…">` and `</a>`.
fn tag_name(tag: &str) -> &str {
    let inner = tag.trim_start_matches('<').trim_start_matches('/');
    let end = inner
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(inner.len());
    &inner[..end]
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
        // "<b>a</b>" (8), "<b>ab</b>" (9); before `</b>` is no place to cut.
        assert_eq!(split("<b>ab</b>&amp;cd", 12), ["<b>ab</b>", "&amp;cd"]);
        assert_eq!(split("x&amp;&lt;y", 6), ["x&amp;", "&lt;y"]);
        // Wide characters count two units.
        assert_eq!(split("🎧🎧🎧", 4), ["🎧🎧", "🎧"]);
        // An `&` that starts no entity is a character like any other.
        assert_eq!(split("a&b c&", 2), ["a&", "b ", "c&"]);
    }

    #[test]
    fn an_element_cut_in_two_is_closed_and_reopened() {
        assert_eq!(split("<b>abcdef</b>", 10), ["<b>abc</b>", "<b>def</b>"]);
        let link = r#"<a href="https://x/?a=1&amp;b=2">one two three</a>"#;
        // 36 units of opening tags and 8 of closing ones leave 8 for the text.
        let parts = split(&format!("<i>{link}</i>"), 52);
        assert_eq!(
            parts,
            [
                r#"<i><a href="https://x/?a=1&amp;b=2">one two </a></i>"#,
                r#"<i><a href="https://x/?a=1&amp;b=2">three</a></i>"#,
            ]
        );
        // Elements spanning lines and paragraphs are closed at the cut, too.
        assert_eq!(
            split("<i>one\ntwo\n\nthree</i>", 16),
            ["<i>one\ntwo</i>", "<i>three</i>"]
        );
    }

    #[test]
    fn tags_that_leave_no_room_give_plain_text_within_the_limit() {
        let href = format!("https://example.com/{}", "x".repeat(100));
        let text = format!("{} and more", link(&href, "a long link"));
        let parts = split(&text, 20);
        assert_eq!(parts, ["a long link and more"]);
        assert_eq!(split("<b>abcdef</b>", 5), ["abcde", "f"]);
    }

    #[test]
    fn a_long_reply_of_links_is_cut_between_entries() {
        // A playlist as the bot writes it: one paragraph per track.
        let text: String =
            (0..400)
                .map(|i| {
                    format!(
                    "{i}. <b>Ana &amp; Кино</b> — {} (2019)\n<i>close in &lt;energy&gt; 🎧</i>\n\n",
                    link(&format!("https://open.spotify.com/track/{i:022}"), "Title & <co>")
                )
                })
                .collect();
        let parts = split(&text, MESSAGE_LIMIT);
        assert!(parts.len() > 5);
        for part in &parts {
            assert!(telegram_len(part) <= MESSAGE_LIMIT);
            check::parse(part).unwrap_or_else(|e| panic!("{e}: {part}"));
            // Whole entries only.
            assert!(part.starts_with(char::is_numeric) && part.ends_with("🎧</i>"));
        }
        assert_eq!(parts.join("\n\n"), text.trim_end());
    }

    #[test]
    fn a_long_line_full_of_tags_and_entities_keeps_every_character_formatted() {
        let line: String = (0..2000)
            .map(|i| match i % 4 {
                0 => "<b>b&amp;</b> ".to_string(),
                1 => format!("<i>é&#233;{}</i>", link("https://x/?a&b", "l&lt;")),
                2 => "<code>&quot;x&gt;</code>".to_string(),
                _ => "<span class=\"tg-spoiler\">🎧 Кино</span>".to_string(),
            })
            .collect();
        let text = format!("<blockquote>{line}</blockquote>");
        let parts = split(&text, MESSAGE_LIMIT);
        assert!(parts.len() > 10);
        let mut units = Vec::new();
        for part in &parts {
            assert!(telegram_len(part) <= MESSAGE_LIMIT);
            units.extend(check::parse(part).unwrap_or_else(|e| panic!("{e}: {part}")));
        }
        assert_eq!(units, check::parse(&text).unwrap());
    }

    #[test]
    fn bars_round_to_tenths() {
        assert_eq!(bar(0.0), "░░░░░░░░░░");
        assert_eq!(bar(0.74), "███████░░░");
        assert_eq!(bar(1.5), "██████████");
    }

    /// An independent reading of Telegram HTML for the tests: every visible character or
    /// entity (newlines aside) with the opening tags around it, or why the markup is invalid.
    mod check {
        const TAGS: [&str; 8] = ["b", "i", "u", "s", "a", "code", "span", "blockquote"];

        pub fn parse(html: &str) -> Result<Vec<(String, Vec<String>)>, String> {
            let mut open: Vec<String> = Vec::new();
            let mut units = Vec::new();
            let mut rest = html;
            while let Some(c) = rest.chars().next() {
                match c {
                    '<' => {
                        let end = rest.find('>').ok_or("a tag without its `>`")?;
                        let tag = &rest[..=end];
                        rest = &rest[end + 1..];
                        if let Some(name) = tag.strip_prefix("</") {
                            let name = name.trim_end_matches('>');
                            let top = open.pop().ok_or(format!("{tag} closes nothing"))?;
                            if name_of(&top) != name {
                                return Err(format!("{tag} closes {top}"));
                            }
                        } else {
                            let name = name_of(tag);
                            if !TAGS.contains(&name) {
                                return Err(format!("unknown tag {tag}"));
                            }
                            open.push(tag.to_string());
                        }
                    }
                    '&' => {
                        let end = rest.find(';').ok_or("an entity without its `;`")?;
                        let entity = &rest[..=end];
                        let known = ["&amp;", "&lt;", "&gt;", "&quot;"].contains(&entity)
                            || entity[1..end]
                                .strip_prefix('#')
                                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
                        if !known {
                            return Err(format!("not an entity: {entity}"));
                        }
                        units.push((entity.to_string(), open.clone()));
                        rest = &rest[end + 1..];
                    }
                    '>' => return Err("a `>` outside a tag".into()),
                    _ => {
                        if c != '\n' {
                            units.push((c.to_string(), open.clone()));
                        }
                        rest = &rest[c.len_utf8()..];
                    }
                }
            }
            match open.last() {
                Some(tag) => Err(format!("{tag} is never closed")),
                None => Ok(units),
            }
        }

        fn name_of(open_tag: &str) -> &str {
            open_tag[1..open_tag.len() - 1].split(' ').next().unwrap()
        }

        /// The most units that reopening and closing the elements open anywhere costs.
        pub fn deepest_tags(html: &str) -> usize {
            let mut open: Vec<usize> = Vec::new();
            let mut most = 0;
            for (i, _) in html.match_indices('<') {
                let tag = &html[i..=i + html[i..].find('>').unwrap()];
                if tag.starts_with("</") {
                    open.pop();
                } else {
                    open.push(super::telegram_len(tag) + name_of(tag).len() + 3);
                    most = most.max(open.iter().sum());
                }
            }
            most
        }
    }

    mod properties {
        use super::super::*;
        use super::check;
        use proptest::prelude::*;

        /// Visible text: characters of several widths, entities, spaces and newlines.
        fn text() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop::sample::select(vec![
                    "a", "word ", "Кино", "東京", "🎧", "é", "&amp;", "&lt;", "&gt;", "&quot;",
                    "&#233;", " ", "\n", "\n\n", "\n\n\n",
                ]),
                0..12,
            )
            .prop_map(|pieces| pieces.concat())
        }

        /// Telegram HTML as the bot could write it: text in nested elements.
        fn html() -> impl Strategy<Value = String> {
            let tags = prop::sample::select(vec![
                ("<b>", "b"),
                ("<i>", "i"),
                ("<u>", "u"),
                ("<code>", "code"),
                ("<span class=\"tg-spoiler\">", "span"),
                ("<blockquote expandable>", "blockquote"),
                (
                    "<a href=\"https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?a=1&amp;b=2\">",
                    "a",
                ),
            ]);
            text().prop_recursive(3, 200, 8, move |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 1..8).prop_map(|v| v.concat()),
                    (tags.clone(), inner)
                        .prop_map(|((open, name), body)| format!("{open}{body}</{name}>")),
                ]
            })
        }

        /// Non-blank visible units, in order.
        fn visible(units: Vec<(String, Vec<String>)>) -> Vec<(String, Vec<String>)> {
            units
                .into_iter()
                .filter(|(u, _)| !u.trim().is_empty())
                .collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]

            /// Whatever the limit: parts within it, each valid on its own, no visible text
            /// lost or reordered.
            #[test]
            fn parts_are_valid_and_within_the_limit(
                doc in prop::collection::vec(html(), 1..12),
                limit in 8usize..400,
            ) {
                let doc = doc.join("\n\n");
                let input = check::parse(&doc).unwrap();
                let mut got = Vec::new();
                for part in split(&doc, limit) {
                    prop_assert!(telegram_len(&part) <= limit, "{} > {limit}: {part:?}", telegram_len(&part));
                    let units = check::parse(&part).map_err(|e| TestCaseError::fail(format!("{e}: {part:?}")))?;
                    prop_assert!(units.iter().any(|(u, _)| !u.trim().is_empty()), "blank part {part:?}");
                    got.extend(units.into_iter().map(|(u, _)| u));
                }
                let want: Vec<String> = visible(input).into_iter().map(|(u, _)| u).collect();
                got.retain(|u| !u.trim().is_empty());
                prop_assert_eq!(got, want);
            }

            /// With room for the tags open at any cut, every character keeps its formatting.
            #[test]
            fn formatting_survives_the_cuts(
                doc in prop::collection::vec(html(), 1..12),
                room in 1usize..300,
            ) {
                let doc = doc.join("\n\n");
                let limit = 2 * check::deepest_tags(&doc) + 8 + room;
                let mut got = Vec::new();
                for part in split(&doc, limit) {
                    prop_assert!(telegram_len(&part) <= limit);
                    got.extend(check::parse(&part).map_err(|e| TestCaseError::fail(format!("{e}: {part:?}")))?);
                }
                prop_assert_eq!(visible(got), visible(check::parse(&doc).unwrap()));
            }
        }
    }
}
