//! The bot's behaviour on a small fitted model, without Telegram: every kind of message and
//! button press, checked against the model's own answers.

use std::sync::Arc;

use selecta_bot::{markup, Input, Reply, Responder};
use selecta_catalog::{Catalog, ResolveError};
use selecta_model::{generate, similar, GenerateOptions, Model, ModelParams};
use selecta_types::{AudioFeatures, Track};

const WEIRD_TITLE: &str = "W_e*i[r]d (T~i>t#l+e) -=|{x}.!";
const WEIRD_ARTIST: &str = "Ниу & <Co>";

/// 30 tracks: two songs called "Stay", a title made of Markdown's special characters, a
/// Japanese one, and fillers whose features vary smoothly (so neighbours are well defined).
fn tracks() -> Vec<Track> {
    let t = |i: usize, name: &str, artist: &str, genre: &str| {
        let x = i as f32 / 30.0;
        Track {
            id: format!("{:0>22}", format!("T{i}")).into(),
            name: name.into(),
            artists: vec![artist.into()],
            album: format!("Album {i}").into(),
            release_date: Some(format!("{}-05-01", 1990 + i).into()),
            year: Some(1990 + i as u16),
            popularity: Some(90.0 - i as f32),
            genres: vec![genre.into()],
            subgenres: vec![format!("{genre} sub").into()],
            features: AudioFeatures {
                danceability: Some(0.2 + 0.6 * x).into(),
                energy: Some(0.9 - 0.5 * x).into(),
                key: Some((i % 12) as u8),
                loudness: Some(-12.0 + 8.0 * x).into(),
                mode: Some((i % 2) as u8),
                speechiness: Some(0.05 + 0.1 * x).into(),
                acousticness: Some(0.5 * (1.0 - x)).into(),
                instrumentalness: Some(0.01 * i as f32).into(),
                liveness: Some(0.1 + 0.02 * (i % 5) as f32).into(),
                valence: Some(0.3 + 0.4 * x).into(),
                tempo: Some(90.0 + 2.0 * i as f32).into(),
                time_signature: None,
            },
            ..Track::default()
        }
    };
    let mut v = vec![
        t(0, "Stay", "Zedd", "edm"),
        t(1, "Stay", "Post Malone", "rap"),
        t(2, "I Don't Care", "Ed Sheeran", "pop"),
        t(3, WEIRD_TITLE, WEIRD_ARTIST, "rock"),
        t(4, "丸の内サディスティック", "椎名林檎", "rock"),
    ];
    let genres = ["pop", "rock", "edm", "rap", "latin", "r&b"];
    for i in 5..30 {
        v.push(t(
            i,
            &format!("Filler Song {i}"),
            &format!("Artist {}", i / 2),
            genres[i % genres.len()],
        ));
    }
    v
}

fn model() -> Arc<Model> {
    static MODEL: std::sync::OnceLock<Arc<Model>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            let catalog = Catalog::from_tracks(tracks(), Vec::new());
            Arc::new(Model::fit(catalog, &ModelParams::default(), &mut |_| {}).unwrap())
        })
        .clone()
}

fn responder() -> Responder {
    Responder::new(model())
}

/// What Telegram shows for HTML: tags dropped, entities decoded.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The Spotify track ids linked in a reply, in order.
fn linked_ids(html: &str) -> Vec<String> {
    html.split("href=\"https://open.spotify.com/track/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

fn one(replies: Vec<Reply>) -> Reply {
    assert_eq!(replies.len(), 1, "{replies:#?}");
    replies.into_iter().next().unwrap()
}

fn id(i: usize) -> String {
    model().tracks()[i].id.to_string()
}

#[test]
fn start_and_help_explain_with_examples_that_work() {
    let r = responder();
    let help = one(r.respond(1, Input::Help));
    assert!(help.keyboard.is_empty());
    let text = plain(&help.text);
    assert!(text.contains("/predict artist - title"), "{text}");
    assert!(text.contains("/describe artist - title"), "{text}");
    assert!(text.contains("n=25"), "{text}");
    assert!(text.contains("catalog of 30 Spotify tracks"), "{text}");
    // The examples are the most popular tracks, so that they resolve.
    assert!(text.contains("/predict Zedd - Stay\n"), "{text}");
    assert!(text.contains(&format!(
        "/describe https://open.spotify.com/track/{}",
        id(2)
    )));
    let start = one(r.respond(1, Input::Start));
    assert!(start.text.starts_with("👋 Hi!"));
    assert!(start.text.ends_with(&help.text));
}

#[test]
fn predict_one_track_gives_the_models_playlist() {
    let r = responder();
    let reply = one(r.respond(7, Input::Predict("Ed Sheeran - I Don't Care".into())));
    assert!(reply.keyboard.is_empty());
    let expected = generate(
        &model(),
        &[2],
        &GenerateOptions {
            length: 10,
            ..GenerateOptions::default()
        },
    )
    .unwrap();
    let ids: Vec<String> = expected
        .entries
        .iter()
        .map(|e| e.track.id.to_string())
        .collect();
    assert_eq!(ids.len(), 10);
    assert_eq!(linked_ids(&reply.text), ids);
    let text = plain(&reply.text);
    assert!(
        text.starts_with(&format!(
            "🎧 {}\n10 tracks from Ed Sheeran - I Don't Care (1992)\n\n1. ",
            expected.name
        )),
        "{text}"
    );
    for (k, e) in expected.entries.iter().enumerate() {
        let t = &e.track;
        let line = format!(
            "{}. {} — {} ({})\n{}",
            k + 1,
            t.artists.join(", "),
            t.name,
            t.year.unwrap(),
            e.reason.text
        );
        assert!(text.contains(&line), "missing {line:?} in\n{text}");
        assert!(reply
            .text
            .contains(&format!("<i>{}</i>", markup::escape(&e.reason.text))));
    }
}

#[test]
fn predict_several_tracks_and_a_length() {
    let r = responder();
    let args = format!("n=5 Zedd - Stay;\nspotify:track:{}\n  ; ", id(4));
    let reply = one(r.respond(7, Input::Predict(args)));
    let expected = generate(
        &model(),
        &[0, 4],
        &GenerateOptions {
            length: 5,
            ..GenerateOptions::default()
        },
    )
    .unwrap();
    let ids: Vec<String> = expected
        .entries
        .iter()
        .map(|e| e.track.id.to_string())
        .collect();
    assert_eq!(linked_ids(&reply.text), ids);
    assert!(
        plain(&reply.text)
            .contains("5 tracks from Zedd - Stay (1990); 椎名林檎 - 丸の内サディスティック (1994)"),
        "{}",
        reply.text
    );
}

#[test]
fn an_ambiguous_query_asks_with_buttons_and_the_choice_gives_the_playlist() {
    let r = responder();
    let q = one(r.respond(5, Input::Predict("n=3 stay".into())));
    let text = plain(&q.text);
    assert!(
        text.starts_with("🤔 stay matches several songs. Which one do you mean?\n1. "),
        "{text}"
    );
    // Two songs, best (most popular) first, then Cancel.
    let labels: Vec<&str> = q.keyboard.iter().map(|row| row[0].text.as_str()).collect();
    assert_eq!(
        labels,
        [
            "1. Zedd - Stay (1990)",
            "2. Post Malone - Stay (1991)",
            "✖ Cancel"
        ]
    );
    assert!(q
        .keyboard
        .iter()
        .all(|row| row.len() == 1 && row[0].data.len() <= 64));
    assert_eq!(r.choices().len(), 1);

    // Another chat cannot use these buttons.
    let stranger = r.press(6, &q.keyboard[1][0].data);
    assert!(stranger.notice.unwrap().contains("expired"));
    assert!(stranger.edit.is_none() && stranger.send.is_empty());

    let answer = r.press(5, &q.keyboard[1][0].data);
    assert_eq!(answer.notice, None);
    assert_eq!(
        answer.edit,
        Some(Reply::text("✅ Post Malone - Stay (1991)"))
    );
    let playlist = one(answer.send);
    let expected = generate(
        &model(),
        &[1],
        &GenerateOptions {
            length: 3,
            ..GenerateOptions::default()
        },
    )
    .unwrap();
    let ids: Vec<String> = expected
        .entries
        .iter()
        .map(|e| e.track.id.to_string())
        .collect();
    assert_eq!(linked_ids(&playlist.text), ids);
    // The request is done: its buttons have expired.
    assert!(r.choices().is_empty());
    assert!(r
        .press(5, &q.keyboard[0][0].data)
        .notice
        .unwrap()
        .contains("expired"));
}

#[test]
fn several_choices_are_asked_one_after_the_other_in_the_same_message() {
    let r = responder();
    let q = one(r.respond(
        5,
        Input::Predict("stay\nEd Sheeran - I Don't Care\nstay".into()),
    ));
    assert!(
        plain(&q.text).contains("(2 tracks to choose)"),
        "{}",
        q.text
    );
    let next = r.press(5, &q.keyboard[0][0].data);
    let edit = next.edit.unwrap();
    assert!(next.send.is_empty());
    assert!(
        plain(&edit.text).starts_with("✅ Zedd - Stay (1990)\n\n🤔 stay matches several songs."),
        "{}",
        edit.text
    );
    assert!(!plain(&edit.text).contains("tracks to choose"));
    assert_eq!(edit.keyboard.len(), 3);
    let done = r.press(5, &edit.keyboard[1][0].data);
    assert_eq!(done.edit, Some(Reply::text("✅ Post Malone - Stay (1991)")));
    let playlist = one(done.send);
    let expected = generate(
        &model(),
        &[0, 2, 1],
        &GenerateOptions {
            length: 10,
            ..GenerateOptions::default()
        },
    )
    .unwrap();
    let ids: Vec<String> = expected
        .entries
        .iter()
        .map(|e| e.track.id.to_string())
        .collect();
    assert_eq!(linked_ids(&playlist.text), ids);
}

#[test]
fn cancel_and_foreign_buttons() {
    let r = responder();
    let q = one(r.respond(5, Input::Describe("stay".into())));
    let cancel = &q.keyboard.last().unwrap()[0];
    assert_eq!(cancel.text, "✖ Cancel");
    let a = r.press(5, &cancel.data);
    assert_eq!(a.edit, Some(Reply::text("Cancelled.")));
    assert!(a.send.is_empty());
    assert!(r.press(5, "hello").notice.unwrap().contains("not mine"));
}

#[test]
fn unknown_queries_get_did_you_mean_or_a_clear_problem() {
    let r = responder();
    let m = model();
    let catalog = m.catalog();
    let query = "Ed Sheeran - I Do Not Care At All";
    let Err(ResolveError::NotFound { suggestions, .. }) = catalog.resolve(query) else {
        panic!("{query} should not resolve: {:?}", catalog.resolve(query));
    };
    assert!(!suggestions.is_empty());
    let q = one(r.respond(3, Input::Describe(query.into())));
    assert!(
        plain(&q.text).starts_with(&format!("🔎 No track matches {query}. Did you mean:\n1. ")),
        "{}",
        q.text
    );
    assert_eq!(q.keyboard.len(), suggestions.len() + 1);
    let a = r.press(3, &q.keyboard[0][0].data);
    let card = one(a.send);
    assert!(card.text.starts_with(&format!(
        "🎵 <b>{}</b>",
        markup::escape(&model().tracks()[suggestions[0].index].name)
    )));

    // Nothing close: the catalog's message, and no buttons.
    let p = one(r.respond(3, Input::Predict("Zedd - Stay; Qwxz Vbnm - Plkj".into())));
    assert_eq!(
        plain(&p.text),
        "❌ No track matches `Qwxz Vbnm - Plkj`; try `artist - title`, a Spotify track link or a track id"
    );
    assert!(p.keyboard.is_empty());
    let p = one(r.respond(
        3,
        Input::Describe("spotify:track:4uLU6hMCjMI75M1A2tKUQC".into()),
    ));
    assert_eq!(
        plain(&p.text),
        "❌ Spotify track 4uLU6hMCjMI75M1A2tKUQC is not in the catalog"
    );
    let p = one(r.respond(
        3,
        Input::FreeText("https://open.spotify.com/album/4aawyAB9vmqN3uQ7FjRGTy".into()),
    ));
    assert!(
        plain(&p.text).contains("is a Spotify album link, not a track"),
        "{}",
        p.text
    );
}

#[test]
fn empty_and_too_long_queries_get_the_usage() {
    let r = responder();
    let u = one(r.respond(2, Input::Predict("   ".into())));
    assert!(u
        .text
        .starts_with("⚠️ Give a track.\nUsage: <code>/predict artist - title</code>"));
    let u = one(r.respond(2, Input::Describe(String::new())));
    assert!(u
        .text
        .starts_with("⚠️ Give a track.\nUsage: <code>/describe artist - title</code>"));
    let u = one(r.respond(2, Input::Predict("x".repeat(201))));
    assert!(
        u.text
            .starts_with("⚠️ A track query is 201 characters long; the most is 200."),
        "{}",
        u.text
    );
    let u = one(r.respond(2, Input::Predict("Zedd - Stay n=51".into())));
    assert!(
        u.text.contains("n must be a whole number from 1 to 50"),
        "{}",
        u.text
    );
    let u = one(r.respond(2, Input::UnknownCommand("foo".into())));
    assert!(u.text.starts_with("I don't know /foo."));
    assert!(r.respond(2, Input::Ignored).is_empty());
}

#[test]
fn free_text_and_describe_give_the_card_with_the_three_nearest() {
    let r = responder();
    let card = one(r.respond(4, Input::FreeText("Ed Sheeran - I Don't Care".into())));
    let by_link = one(r.respond(
        4,
        Input::Describe(format!("https://open.spotify.com/track/{}?si=abc", id(2))),
    ));
    assert_eq!(card, by_link);
    let near = similar(&model(), 2, 3).unwrap();
    let mut ids = vec![id(2)];
    ids.extend(
        near.iter()
            .map(|n| model().tracks()[n.index].id.to_string()),
    );
    assert_eq!(linked_ids(&card.text), ids);
    let text = plain(&card.text);
    for line in [
        "🎵 I Don't Care",
        "👤 Artist: Ed Sheeran",
        "💿 Album: Album 2",
        "📅 Released: 1992-05-01",
        "🏷 Genres: pop (pop sub)",
        "⭐ Popularity: 88/100",
        "Listen on Spotify",
        "Sound",
        "Similar tracks",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in\n{text}"
        );
    }
    // danceability 0.2 + 0.6 * 2/30 = 0.24: two cells of ten.
    assert!(text.contains("Danceability     ██░░░░░░░░ 0.24"), "{text}");
    assert!(text.contains("Tempo            94 BPM"), "{text}");
    // Key 2 is D; mode 2 % 2 = 0 is minor.
    assert!(text.contains("Key              D minor"), "{text}");
}

#[test]
fn special_characters_and_other_scripts_render_as_typed() {
    let r = responder();
    let card = one(r.respond(4, Input::Describe(format!("spotify:track:{}", id(3)))));
    assert!(card.text.starts_with(
        "🎵 <b>W_e*i[r]d (T~i&gt;t#l+e) -=|{x}.!</b>\n👤 Artist: Ниу &amp; &lt;Co&gt;\n"
    ));
    let text = plain(&card.text);
    assert!(text.contains(WEIRD_TITLE) && text.contains(WEIRD_ARTIST));
    let card = one(r.respond(
        4,
        Input::FreeText("椎名林檎 - 丸の内サディスティック".into()),
    ));
    assert!(card
        .text
        .starts_with("🎵 <b>丸の内サディスティック</b>\n👤 Artist: 椎名林檎\n"));
    // In a playlist too: every other track of the catalog is in a 30-track list.
    // (29 tracks with their reasons take two messages.)
    let parts = r.respond(4, Input::Predict(format!("n=30 {}", id(4))));
    assert_eq!(parts.len(), 2);
    assert!(parts
        .iter()
        .all(|p| markup::telegram_len(&p.text) <= markup::MESSAGE_LIMIT));
    // Cut between two tracks, never inside one.
    assert!(parts[1].text.starts_with("24. <b>"), "{}", parts[1].text);
    let text: String = parts.iter().map(|p| p.text.as_str()).collect();
    assert!(linked_ids(&text).contains(&id(3)));
    assert!(
        plain(&text).contains(&format!("{WEIRD_ARTIST} — {WEIRD_TITLE} (1993)")),
        "{text}"
    );
}

/// `/predict` with links to what the catalog lacks, looked up at the stand-in (serving the
/// bundled catalog's world) over real HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn predict_takes_links_to_tracks_and_artists_the_catalog_lacks() {
    use selecta_spotify::{CacheSettings, LookupCache, SpotifyConfig, SpotifyLookup};
    use selecta_spotify_standin::{Standin, StandinConfig};

    let bundled =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/spotify_songs.csv.gz");
    let config = StandinConfig::new("bot-test", "bot-secret", "http://127.0.0.1:1/cb");
    let standin = Standin::new(config, Catalog::load(bundled).unwrap()).unwrap();
    let addr = standin.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let mut c = SpotifyConfig::new("bot-test", "bot-secret");
    c.accounts_url = format!("http://{addr}");
    c.api_url = format!("http://{addr}/v1");
    let lookup = SpotifyLookup::new(
        Some(&c),
        LookupCache::memory(None, CacheSettings::default()),
    )
    .unwrap();

    // The small catalog with the single of Blinding Lights and a Queen song.
    let mut tracks = tracks();
    let base = tracks[10].clone();
    tracks.push(Track {
        id: "0sf12qNH5qcw8qpgymFOqD".into(),
        name: "Blinding Lights".into(),
        artists: vec!["The Weeknd".into()],
        album: "Blinding Lights".into(),
        ..base.clone()
    });
    tracks.push(Track {
        id: "4u7EnebtmKWzUH433cf5Qv".into(),
        name: "Bohemian Rhapsody".into(),
        artists: vec!["Queen".into()],
        album: "A Night at the Opera".into(),
        ..base
    });
    let model = Model::fit(
        Catalog::from_tracks(tracks, Vec::new()),
        &ModelParams::default(),
        &mut |_| {},
    )
    .unwrap();
    let r = Arc::new(Responder::new(Arc::new(model)).with_lookup(lookup));

    // Blinding Lights on After Hours: the catalog holds the single.
    let ask = |text: &str| {
        let (r, text) = (r.clone(), text.to_owned());
        tokio::task::spawn_blocking(move || r.respond(7, Input::Predict(text)))
    };
    let reply = one(
        ask("n=5 https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b")
            .await
            .unwrap(),
    );
    let text = plain(&reply.text);
    assert!(
        text.contains("Blinding Lights (After Hours) is the same recording as the one on Blinding Lights in the catalog"),
        "{text}"
    );
    assert_eq!(linked_ids(&reply.text).len(), 5, "{text}");
    assert!(!linked_ids(&reply.text).contains(&"0sf12qNH5qcw8qpgymFOqD".to_owned()));

    // Queen by their Spotify artist id.
    let reply = one(ask("n=3 spotify:artist:1dfeR4HaWDbWqFHLkxsg1d")
        .await
        .unwrap());
    assert_eq!(linked_ids(&reply.text).len(), 3, "{}", plain(&reply.text));
}
