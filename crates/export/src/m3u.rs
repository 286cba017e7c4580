//! Extended M3U (UTF-8): what most players and playlist converters import.

use selecta_types::Playlist;

use crate::one_line;

/// The playlist as M3U8: `#EXTM3U`, a `#PLAYLIST` title, then per track an
/// `#EXTINF:<seconds>,<Artists> - <Title>` line and its Spotify link. Unknown lengths are
/// written as `-1`, as the format prescribes.
pub fn m3u8(playlist: &Playlist) -> String {
    let mut out = String::from("#EXTM3U\n");
    if !playlist.name.is_empty() {
        out.push_str(&format!("#PLAYLIST:{}\n", one_line(&playlist.name)));
    }
    for e in &playlist.entries {
        let t = &e.track;
        let seconds = t
            .duration_ms
            .map(|ms| ((u64::from(ms) + 500) / 1000) as i64)
            .unwrap_or(-1);
        out.push_str(&format!(
            "#EXTINF:{seconds},{}\n{}\n",
            one_line(&t.label()),
            t.spotify_url()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::sample;

    #[test]
    fn writes_extinf_lines_and_links() {
        let text = m3u8(&sample());
        assert_eq!(
            text,
            "#EXTM3U\n\
             #PLAYLIST:Mix: Queen / ABBA\n\
             #EXTINF:355,Queen - Bohemian Rhapsody\n\
             https://open.spotify.com/track/4u7EnebtmKWzUH433cf5Qv\n\
             #EXTINF:-1,ABBA, Björn - Dancing \"Queen\" Live <1977>\n\
             https://open.spotify.com/track/0GjEhVFGZW8afUYGChu3Rr\n"
        );
    }

    #[test]
    fn an_empty_playlist_is_just_the_header() {
        assert_eq!(m3u8(&Default::default()), "#EXTM3U\n");
    }
}
