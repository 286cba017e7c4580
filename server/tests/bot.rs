//! `selecta bot` against a stand-in of the Telegram Bot API: scripted conversations through
//! the real process, checking each reply's text, parse mode and keyboard, and that the bot
//! survives 429s, 5xx answers and updates it cannot read.

mod bot_support;
mod common;
mod telegram_standin;

use std::time::{Duration, Instant};

use bot_support::{
    bot_command, described, recommended, special_catalog, Bot, Chat, Out, NO_LIMIT, TOKEN, WAIT,
};
use common::{fitted_model, run, stderr};
use telegram_standin::{Fault, Recorded, StandIn};

#[test]
fn start_help_and_usage() {
    let model = fitted_model();
    let tg = StandIn::start(TOKEN);
    let mut bot = Bot::start(&tg, &model, &NO_LIMIT);
    let mut chat = Chat::new(&tg, 501);

    let start = chat.ask("/start");
    assert!(start.keyboard.is_empty());
    assert!(
        start.shown.starts_with("👋 Hi! Send me a track you like"),
        "{}",
        start.shown
    );
    let help = chat.ask("/help");
    assert!(help.keyboard.is_empty());
    assert!(start.shown.ends_with(&help.shown));
    for part in [
        "Selecta makes playlists from tracks you like, out of a catalog of 28356 Spotify tracks.",
        "/predict artist - title — a playlist of 10 tracks",
        "separate them with ; or new lines",
        "n=25 (1 to 50)",
        "/describe artist - title — the track's artists, album, release date, genres",
        "Text without a command is described as a track.",
        "Examples:\n/predict ",
        "\n/describe https://open.spotify.com/track/",
    ] {
        assert!(help.shown.contains(part), "no {part:?} in\n{}", help.shown);
    }
    // The examples are real tracks: each one works as shown.
    let example = help
        .shown
        .lines()
        .find(|l| l.starts_with("/predict n=25 "))
        .unwrap()
        .to_owned();
    let parts = chat.playlist(&example, 25);
    let ids: Vec<String> = parts.iter().flat_map(Out::linked_ids).collect();
    assert_eq!(ids.len(), 25);
    chat.assert_quiet(Duration::from_millis(300));

    // Empty, too long, bad n, unknown command, a sticker.
    let usage = chat.ask("/predict");
    assert!(
        usage
            .shown
            .starts_with("⚠️ Give a track.\nUsage: /predict artist - title; several tracks"),
        "{}",
        usage.shown
    );
    let usage = chat.ask("/describe   ");
    assert!(usage
        .shown
        .starts_with("⚠️ Give a track.\nUsage: /describe artist - title"));
    let long = format!("/describe {}", "la".repeat(150));
    let usage = chat.ask(&long);
    assert!(
        usage.shown.starts_with(
            "⚠️ A track query is 300 characters long; the most is 200.\nUsage: /describe"
        ),
        "{}",
        usage.shown
    );
    let usage = chat.ask("/predict Zedd - Stay n=99");
    assert!(usage
        .shown
        .starts_with("⚠️ `n=99`: n must be a whole number from 1 to 50."));
    let unknown = chat.ask("/shuffle");
    assert_eq!(
        unknown.shown,
        "I don't know /shuffle. I understand /predict, /describe and /help."
    );
    tg.user_sends_sticker(chat.id);
    let sticker = chat.reply();
    assert!(
        sticker.shown.starts_with("⚠️ Give a track."),
        "{}",
        sticker.shown
    );
    bot.assert_healthy();
}

#[test]
fn predict_one_several_and_longer_playlists() {
    let model = fitted_model();
    let tg = StandIn::start(TOKEN);
    let mut bot = Bot::start(&tg, &model, &NO_LIMIT);
    let mut chat = Chat::new(&tg, 502);

    // One track: 10 tracks, the model's playlist, with artist, title, year, link and reason.
    let p = chat.ask("/predict Ed Sheeran - I Don't Care");
    assert!(p.keyboard.is_empty());
    let expected = recommended(&model, &["Ed Sheeran - I Don't Care"], 10);
    assert_eq!(p.linked_ids(), expected);
    let lines: Vec<&str> = p.shown.lines().collect();
    assert!(lines[0].starts_with("🎧 "), "{}", p.shown);
    assert_eq!(
        lines[1],
        "10 tracks from Ed Sheeran - I Don't Care (with Justin Bieber) (2019)"
    );
    for k in 1..=10 {
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("{k}. ")))
            .unwrap_or_else(|| panic!("no track {k} in\n{}", p.shown));
        // "k. Artist — Title (year)", then the reason.
        assert!(lines[at].contains(" — "), "{}", lines[at]);
        assert!(lines[at].ends_with(')'), "{}", lines[at]);
        assert!(lines[at + 1].starts_with("Close to "), "{}", lines[at + 1]);
    }
    assert_eq!(p.html.matches("<i>Close to ").count(), 10);

    // Several tracks, by `;` and new lines, one of them a Spotify link, with n=25.
    let parts = chat.playlist(
        "/predict Zedd - Stay; Queen - Bohemian Rhapsody\n\
         https://open.spotify.com/track/0xTWI6HrzKHJ6LK11f8jGO?si=x n=25",
        25,
    );
    let expected = recommended(
        &model,
        &[
            "Zedd - Stay",
            "Queen - Bohemian Rhapsody",
            "spotify:track:0xTWI6HrzKHJ6LK11f8jGO",
        ],
        25,
    );
    let ids: Vec<String> = parts.iter().flat_map(Out::linked_ids).collect();
    assert_eq!(ids, expected);
    let p = &parts[0];
    assert!(
        p.shown.lines().nth(1).unwrap().starts_with(
            "25 tracks from Zedd - Stay (2017); Queen - Bohemian Rhapsody - 2011 Mix (1975); DAOKO - 御伽の街 (2020)"
        ),
        "{}",
        p.shown
    );

    // 50 tracks do not fit one message: several, each under the limit, cut between tracks.
    let parts = chat.playlist("/predict n=50 spotify:track:6uBhi9gBXWjanegOb2Phh0", 50);
    chat.assert_quiet(Duration::from_millis(500));
    assert!(parts.len() >= 2, "{} parts", parts.len());
    for part in &parts {
        assert_eq!(part.parse_mode.as_deref(), Some("HTML"));
        assert!(part.html.encode_utf16().count() <= 4096);
        assert!(part.shown.encode_utf16().count() <= 4096);
    }
    let ids: Vec<String> = parts.iter().flat_map(|p| p.linked_ids()).collect();
    assert_eq!(ids, recommended(&model, &["6uBhi9gBXWjanegOb2Phh0"], 50));
    let numbers: Vec<usize> = parts
        .iter()
        .flat_map(|p| p.shown.lines().map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|l| l.split_once(". ").and_then(|(n, _)| n.parse().ok()))
        .collect();
    assert_eq!(numbers, (1..=50).collect::<Vec<_>>());
    for part in &parts[1..] {
        assert!(
            part.shown
                .split_once(". ")
                .unwrap()
                .0
                .parse::<usize>()
                .is_ok(),
            "a part starts inside a track: {}",
            part.shown
        );
    }
    bot.assert_healthy();
}

#[test]
fn ambiguous_queries_ask_with_buttons_and_unknown_ones_suggest() {
    let model = fitted_model();
    let tg = StandIn::start(TOKEN);
    let mut bot = Bot::start(&tg, &model, &NO_LIMIT);
    let mut chat = Chat::new(&tg, 503);

    let q = chat.ask("/predict n=5 stay");
    assert!(
        q.shown
            .starts_with("🤔 stay matches several songs. Which one do you mean?\n1. Zedd — Stay (2017)\n2. Post Malone — Stay (2018)"),
        "{}",
        q.shown
    );
    let labels: Vec<&str> = q.keyboard.iter().map(|r| r[0].0.as_str()).collect();
    assert_eq!(labels[0], "1. Zedd - Stay (2017)");
    assert_eq!(labels[1], "2. Post Malone - Stay (2018)");
    assert_eq!(*labels.last().unwrap(), "✖ Cancel");
    assert!(q.keyboard.len() >= 3 && q.keyboard.iter().all(|r| r.len() == 1));

    // Pressing "Post Malone": the spinner is answered, the question becomes the choice (no
    // keyboard), then the playlist of that track comes.
    let cq = tg.press(chat.id, q.message_id, &q.keyboard[1][0].1);
    let out = chat.next(2);
    assert_eq!(out[0].method, "editMessageText");
    assert_eq!(out[0].message_id, q.message_id);
    assert_eq!(out[0].shown, "✅ Post Malone - Stay (2018)");
    assert!(out[0].keyboard.is_empty());
    assert_eq!(out[1].method, "sendMessage");
    assert_eq!(
        out[1].linked_ids(),
        recommended(&model, &["spotify:track:4H7WNRErSbONkM06blBoGc"], 5)
    );
    let answered = tg.requests();
    let ack = answered
        .iter()
        .find(|r| r.method == "answerCallbackQuery")
        .unwrap();
    assert_eq!(ack.params["callback_query_id"], cq.as_str());
    assert_eq!(ack.status, 200);

    // The same button again: the request is done, a notice says so.
    let cq = tg.press(chat.id, q.message_id, &q.keyboard[0][0].1);
    let notice = tg.wait_for("the expired notice", WAIT, |reqs| {
        reqs.iter()
            .find(|r| {
                r.method == "answerCallbackQuery" && r.params["callback_query_id"] == cq.as_str()
            })
            .cloned()
    });
    assert_eq!(
        notice.params["text"],
        "This choice has expired: please send the request again."
    );

    // Unknown with suggestions: "did you mean" buttons; choosing one describes it.
    let q = chat.ask("Ed Sheeran - I Do Not Care At All");
    assert!(
        q.shown.starts_with("🔎 No track matches Ed Sheeran - I Do Not Care At All. Did you mean:\n1. Ed Sheeran — "),
        "{}",
        q.shown
    );
    let pick = q
        .keyboard
        .iter()
        .position(|r| r[0].0.contains("I Don't Care"))
        .expect("the song meant is suggested");
    tg.press(chat.id, q.message_id, &q.keyboard[pick][0].1);
    let out = chat.next(2);
    assert!(out[0].shown.starts_with("✅ Ed Sheeran - I Don't Care"));
    assert!(out[1]
        .shown
        .starts_with("🎵 I Don't Care (with Justin Bieber)\n👤 Artist: Ed Sheeran"));

    // Unknown without anything close, and links that are not tracks of the catalog.
    let p = chat.ask("/predict Qwxz Vbnm - Plkjh");
    assert_eq!(
        p.shown,
        "❌ No track matches `Qwxz Vbnm - Plkjh`; try `artist - title`, a Spotify track link or a track id"
    );
    assert!(p.keyboard.is_empty());
    let p = chat.ask("/describe https://open.spotify.com/album/4aawyAB9vmqN3uQ7FjRGTy");
    assert!(
        p.shown.contains("is a Spotify album link, not a track"),
        "{}",
        p.shown
    );
    let p = chat.ask("/describe spotify:track:4uLU6hMCjMI75M1A2tKUQC");
    assert_eq!(
        p.shown,
        "❌ Spotify track 4uLU6hMCjMI75M1A2tKUQC is not in the catalog"
    );

    // Two ambiguous tracks in one request: asked one after the other in the same message.
    let q = chat.ask("/predict hello\nstay");
    assert!(q.shown.contains("(2 tracks to choose)"), "{}", q.shown);
    assert!(q.keyboard[0][0].0.starts_with("1. Adele - Hello"));
    tg.press(chat.id, q.message_id, &q.keyboard[0][0].1);
    let edit = chat.next(1).remove(0);
    assert_eq!(edit.method, "editMessageText");
    assert!(edit
        .shown
        .starts_with("✅ Adele - Hello (2015)\n\n🤔 stay matches several songs."));
    assert_eq!(edit.keyboard[0][0].0, "1. Zedd - Stay (2017)");
    tg.press(chat.id, edit.message_id, &edit.keyboard[0][0].1);
    let out = chat.next(2);
    assert_eq!(out[0].shown, "✅ Zedd - Stay (2017)");
    assert_eq!(
        out[1].linked_ids(),
        recommended(
            &model,
            &[
                "spotify:track:4aebBr4JAihzJQR0CiIZJv",
                "spotify:track:6uBhi9gBXWjanegOb2Phh0"
            ],
            10
        )
    );
    // Cancel.
    let q = chat.ask("/describe hello");
    tg.press(chat.id, q.message_id, &q.keyboard.last().unwrap()[0].1);
    let out = chat.next(1).remove(0);
    assert_eq!(
        (out.method.as_str(), out.shown.as_str()),
        ("editMessageText", "Cancelled.")
    );
    bot.assert_healthy();
}

#[test]
fn describe_cards_and_free_text() {
    let model = fitted_model();
    let tg = StandIn::start(TOKEN);
    let mut bot = Bot::start(&tg, &model, &NO_LIMIT);
    let mut chat = Chat::new(&tg, 504);

    let card = chat.ask("/describe Zedd - Stay");
    let free = chat.ask("Zedd - Stay");
    let by_uri = chat.ask("/describe spotify:track:6uBhi9gBXWjanegOb2Phh0");
    assert_eq!(card.html, free.html);
    assert_eq!(card.html, by_uri.html);
    assert!(card.keyboard.is_empty());

    let d = described(&model, "Zedd - Stay");
    let mut ids = vec![d["track"]["id"].as_str().unwrap().to_owned()];
    ids.extend(
        d["neighbours"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["track"]["id"].as_str().unwrap().to_owned()),
    );
    assert_eq!(ids.len(), 4);
    assert_eq!(card.linked_ids(), ids);
    let lines: Vec<&str> = card.shown.lines().collect();
    assert_eq!(
        lines[..7],
        [
            "🎵 Stay",
            "👤 Artist: Zedd",
            "💿 Album: Stay",
            "📅 Released: 2017-02-23",
            "🏷 Genres: pop, latin, r&b (dance pop, electropop, latin hip hop, hip pop)",
            "⭐ Popularity: 79/100",
            "Listen on Spotify",
        ]
    );
    // The features as bars (danceability 0.69, energy 0.622 in the catalog).
    assert!(
        lines.contains(&"Danceability     ███████░░░ 0.69"),
        "{}",
        card.shown
    );
    assert!(
        lines.contains(&"Energy           ██████░░░░ 0.62"),
        "{}",
        card.shown
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("Tempo            ") && l.ends_with(" BPM")));
    assert!(card
        .html
        .contains("<code>Danceability     ███████░░░ 0.69</code>"));
    let near = lines.iter().position(|l| *l == "Similar tracks").unwrap();
    for (k, n) in d["neighbours"].as_array().unwrap().iter().enumerate() {
        let t = &n["track"];
        let artists: Vec<&str> = t["artists"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(
            lines[near + 1 + k],
            format!(
                "{}. {} — {} ({})",
                k + 1,
                artists.join(", "),
                t["name"].as_str().unwrap(),
                t["year"]
            )
        );
    }
    bot.assert_healthy();
}

#[test]
fn titles_render_as_typed_whatever_their_characters() {
    let dir = tempfile::tempdir().unwrap();
    let model = special_catalog(dir.path());
    let tg = StandIn::start(TOKEN);
    let mut bot = Bot::start(&tg, &model, &NO_LIMIT);
    let mut chat = Chat::new(&tg, 505);

    // The stand-in refuses bad HTML as Telegram does: each reply was accepted, and shows
    // the names exactly.
    let card = chat.ask("/describe spotify:track:00000000000000000000S0");
    assert!(
        card.shown.starts_with(
            "🎵 W_e*i[r]d (T~i>t#l+e) -=|{x}.!\n👤 Artist: Ниу & <Co>\n💿 Album: Альбом <b>&amp;</b>\n"
        ),
        "{}",
        card.shown
    );
    assert!(card
        .html
        .starts_with("🎵 <b>W_e*i[r]d (T~i&gt;t#l+e) -=|{x}.!</b>\n"));
    let card = chat.ask("椎名林檎 - 丸の内サディスティック");
    assert!(card.shown.starts_with(
        "🎵 丸の内サディスティック\n👤 Artist: 椎名林檎\n💿 Album: 無罪モラトリアム\n"
    ));
    let card = chat.ask("/describe spotify:track:00000000000000000000S2");
    assert!(
        card.shown
            .starts_with("🎵 Ça \"marche\", non?\n👤 Artist: Zoé & Łukasz\n"),
        "{}",
        card.shown
    );

    // A playlist holding them all: every name as typed.
    // 40 tracks asked; 28 pass the cap of two per artist (the fillers' bands have three).
    let parts = chat.playlist("/predict n=40 spotify:track:00000000000000000000S3", 28);
    chat.assert_quiet(Duration::from_millis(300));
    assert!(parts[0]
        .shown
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("28 tracks from "));
    let all: String = parts.iter().map(|p| p.shown.as_str()).collect();
    let p = &parts[0];
    for line in [
        "Ниу & <Co> — W_e*i[r]d (T~i>t#l+e) -=|{x}.! (1980)",
        "椎名林檎 — 丸の内サディスティック (1981)",
        "Zoé & Łukasz — Ça \"marche\", non? (1982)",
    ] {
        assert!(all.contains(line), "no {line:?} in\n{all}");
    }
    assert!(p
        .shown
        .lines()
        .nth(1)
        .unwrap()
        .contains("[Link](http://x) - *Bold* _italic_ `code` (1983)"));
    // Buttons carry such names too (as plain text: buttons have no markup).
    let q = chat.ask("/describe ¡Hola! <3 & ciao_*");
    assert!(
        q.shown
            .starts_with("🤔 ¡Hola! <3 & ciao_* matches several songs. Which one do you mean?\n"),
        "{}",
        q.shown
    );
    let labels: Vec<&str> = q.keyboard.iter().map(|r| r[0].0.as_str()).collect();
    assert_eq!(
        labels,
        [
            "1. Ana - ¡Hola! <3 & ciao_* (1984)",
            "2. Бета - ¡Hola! <3 & ciao_* (1985)",
            "✖ Cancel"
        ]
    );
    tg.press(chat.id, q.message_id, &q.keyboard[1][0].1);
    let out = chat.next(2);
    assert_eq!(out[0].shown, "✅ Бета - ¡Hola! <3 & ciao_* (1985)");
    assert!(out[1]
        .shown
        .starts_with("🎵 ¡Hola! <3 & ciao_*\n👤 Artist: Бета\n"));
    bot.assert_healthy();
}

#[test]
fn retry_after_429_is_waited_out() {
    let model = fitted_model();
    let tg = StandIn::start(TOKEN);
    let mut bot = Bot::start(&tg, &model, &NO_LIMIT);
    let mut chat = Chat::new(&tg, 506);

    tg.fail("sendMessage", Fault::RetryAfter(2), 2);
    let help = chat.ask("/help");
    assert!(help.shown.contains("/predict"));
    let sends: Vec<Recorded> = tg
        .requests()
        .into_iter()
        .filter(|r| r.method == "sendMessage")
        .collect();
    let statuses: Vec<u16> = sends.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 429, 200]);
    for w in sends.windows(2) {
        let gap = w[1].at - w[0].at;
        assert!(
            gap >= Duration::from_secs(2),
            "retried after {gap:?}, not 2 s"
        );
    }
    // A 429 on getUpdates pauses polling; the bot answers afterwards.
    tg.fail("getUpdates", Fault::RetryAfter(1), 1);
    let p = chat.ask("/describe Zedd - Stay");
    assert!(p.shown.starts_with("🎵 Stay"));
    tg.wait_for("a 429 on getUpdates", WAIT, |reqs| {
        reqs.iter()
            .any(|r| r.method == "getUpdates" && r.status == 429)
            .then_some(())
    });
    let p = chat.ask("/help");
    assert!(p.shown.contains("/predict"));
    bot.assert_healthy();
}

#[test]
fn server_errors_and_unreadable_updates_do_not_stop_the_bot() {
    let model = fitted_model();
    let tg = StandIn::start(TOKEN);
    let mut bot = Bot::start(&tg, &model, &NO_LIMIT);
    let mut chat = Chat::new(&tg, 507);

    // A 502 on polling, then a 500 on the reply: both retried.
    tg.fail("getUpdates", Fault::Status(502), 1);
    tg.fail("sendMessage", Fault::Status(500), 1);
    let help = chat.ask("/help");
    assert!(help.shown.contains("/predict"));
    tg.wait_for("a 502 on getUpdates", WAIT, |reqs| {
        reqs.iter()
            .any(|r| r.method == "getUpdates" && r.status == 502)
            .then_some(())
    });
    let reqs = tg.requests();
    let sends: Vec<u16> = reqs
        .iter()
        .filter(|r| r.method == "sendMessage")
        .map(|r| r.status)
        .collect();
    assert_eq!(sends, [500, 200]);

    // An update the bot cannot read, then a normal one.
    tg.raw_update(serde_json::json!({"message": {"message_id": "not a number", "chat": 5}}));
    let start = chat.ask("/start");
    assert!(start.shown.starts_with("👋"));

    // A reply the API refuses for good: not retried, logged, and the next one works.
    tg.fail("sendMessage", Fault::BadRequest("chat not found"), 1);
    chat.say("/help");
    tg.wait_for("the refused reply", WAIT, |reqs| {
        reqs.iter()
            .any(|r| r.method == "sendMessage" && r.status == 400)
            .then_some(())
    });
    let p = chat.ask("/describe Zedd - Stay");
    assert!(p.shown.starts_with("🎵 Stay"));
    let refused = tg
        .requests()
        .iter()
        .filter(|r| r.method == "sendMessage" && r.status == 400)
        .count();
    assert_eq!(refused, 1, "a refusal is not retried");
    let log = bot.log();
    assert!(log.contains("Bad Request: chat not found"), "{log}");
    bot.assert_healthy();
}

#[test]
fn each_chat_has_its_own_rate_limit() {
    let model = fitted_model();
    let tg = StandIn::start(TOKEN);
    let mut bot = Bot::start(
        &tg,
        &model,
        &["--rate-burst", "2", "--rate-per-minute", "1"],
    );
    let mut a = Chat::new(&tg, 601);
    let mut b = Chat::new(&tg, 602);
    for _ in 0..4 {
        a.say("/help");
    }
    let out = a.next(3);
    assert!(out[0].shown.contains("/predict") && out[1].shown.contains("/predict"));
    // One request a minute after a burst of two: about 60 s to wait.
    let wait: u64 = out[2]
        .shown
        .strip_prefix("⏳ Too many requests at once. Please wait ")
        .and_then(|s| s.strip_suffix(" s before the next one."))
        .unwrap_or_else(|| panic!("{}", out[2].shown))
        .parse()
        .unwrap();
    assert!((55..=60).contains(&wait), "{wait}");
    // The fourth is dropped without a word; another chat is served.
    let help = b.ask("/help");
    assert!(help.shown.contains("/predict"));
    a.assert_quiet(Duration::from_secs(2));
    bot.assert_healthy();
}

#[test]
fn bad_settings_are_refused_with_a_clear_message() {
    let model = fitted_model();
    let dir = tempfile::tempdir().unwrap();
    let o = run(&mut bot_command(&model, dir.path()));
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no bot token: set TELOXIDE_TOKEN or pass --token"),
        "{}",
        stderr(&o)
    );
    let o = run(bot_command(&model, dir.path())
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", "not a url"));
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--api-url / TELOXIDE_API_URL `not a url` is not a URL"),
        "{}",
        stderr(&o)
    );
    // A token the API refuses: the bot stops at once, saying so, without printing it.
    let tg = StandIn::start("999:OTHER");
    let o = run(bot_command(&model, dir.path())
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", &tg.url));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains(&format!("the Bot API at {} did not accept the bot", tg.url)),
        "{err}"
    );
    assert!(!err.contains(TOKEN), "{err}");
}

#[test]
fn sigterm_stops_the_bot_cleanly() {
    let model = fitted_model();
    let tg = StandIn::start(TOKEN);
    let mut bot = Bot::start(&tg, &model, &NO_LIMIT);
    let mut chat = Chat::new(&tg, 508);
    assert!(chat.ask("/help").shown.contains("/predict"));
    let killed = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(bot.child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = bot.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running:\n{}", bot.log());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}:\n{}", bot.log());
    assert!(bot.log().contains("stopping the bot"), "{}", bot.log());
}

#[test]
fn sighup_reloads_the_model_as_serve_does() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.selecta");
    std::fs::copy(fitted_model(), &model).unwrap();
    let tg = StandIn::start(TOKEN);
    let mut bot = Bot::start(&tg, &model, &NO_LIMIT);
    let mut chat = Chat::new(&tg, 509);
    assert!(chat
        .ask("/help")
        .shown
        .contains("catalog of 28356 Spotify tracks"));

    // A new artifact at the same path, then SIGHUP: the bot answers from it.
    std::fs::copy(special_catalog(dir.path()), &model).unwrap();
    let hup = std::process::Command::new("kill")
        .arg("-HUP")
        .arg(bot.child.id().to_string())
        .status()
        .unwrap();
    assert!(hup.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    while !bot.log().contains("model reloaded") {
        bot.assert_alive();
        assert!(Instant::now() < deadline, "no reload:\n{}", bot.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(chat
        .ask("/help")
        .shown
        .contains("catalog of 40 Spotify tracks"));
    let card = chat.ask("/describe 丸の内サディスティック");
    assert!(card.shown.contains("椎名林檎"), "{}", card.shown);
    bot.assert_healthy();
}
