//! Links to Spotify pages as the app shows them.

/// The page of a Spotify item as the app links it: the answer's `external_urls.spotify` when
/// it is an https URL, else the canonical open.spotify.com page of `kind` and `id`. Pages
/// put the link in an `href`, where a `javascript:` or `data:` URL from an answer would run.
pub(crate) fn link(given: Option<&str>, kind: &str, id: &str) -> String {
    match given.map(str::trim) {
        Some(url) if url.starts_with("https://") && !url.contains(char::is_whitespace) => {
            url.to_string()
        }
        _ => format!("https://open.spotify.com/{kind}/{id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_https_or_the_canonical_page() {
        assert_eq!(
            link(
                Some("https://open.spotify.com/playlist/p1"),
                "playlist",
                "p1"
            ),
            "https://open.spotify.com/playlist/p1"
        );
        for bad in [
            Some("javascript:alert(1)"),
            Some("http://open.spotify.com/playlist/p1"),
            Some("data:text/html,x"),
            Some("https://a b"),
            None,
        ] {
            assert_eq!(
                link(bad, "playlist", "p1"),
                "https://open.spotify.com/playlist/p1",
                "{bad:?}"
            );
        }
    }
}
