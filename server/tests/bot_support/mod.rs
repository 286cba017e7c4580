//! Driving `selecta bot` in tests: the process, a user's chat with it through the Telegram
//! stand-in, what it sent, and the CLI answers to compare with.

#![allow(dead_code)] // not every test uses every helper

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{run, selecta, stderr, stdout};
use crate::telegram_standin::{Recorded, StandIn};

pub const TOKEN: &str = "123456:TEST-selecta_token-xyz";
pub const WAIT: Duration = Duration::from_secs(90);

/// A running `selecta bot`, killed on drop; its log goes to a file.
pub struct Bot {
    pub child: Child,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Bot {
    /// Starts the bot on `model` against `tg` and waits until it polls.
    pub fn start(tg: &StandIn, model: &Path, extra: &[&str]) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("bot.log");
        let child = bot_command(model, dir.path())
            .args(extra)
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", &tg.url)
            .stdout(Stdio::null())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .expect("start selecta bot");
        let mut bot = Bot {
            child,
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + WAIT;
        while tg.polls_started() == 0 {
            bot.assert_alive();
            assert!(Instant::now() < deadline, "the bot did not poll");
            std::thread::sleep(Duration::from_millis(50));
        }
        bot
    }

    pub fn assert_alive(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("selecta bot exited ({status}):\n{}", self.log());
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Running still, and the token never written to the log.
    pub fn assert_healthy(&mut self) {
        self.assert_alive();
        let log = self.log();
        assert!(
            !log.contains(TOKEN),
            "the token leaked into the log:\n{log}"
        );
        assert!(
            !log.contains("TEST-selecta_token"),
            "part of the token leaked:\n{log}"
        );
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `selecta bot` on a model file, with a clean environment for its variables.
pub fn bot_command(model: &Path, dir: &Path) -> std::process::Command {
    let mut c = selecta();
    for var in [
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "TELOXIDE_PROXY",
        "SELECTA_BOT_RATE_BURST",
        "SELECTA_BOT_RATE_PER_MINUTE",
    ] {
        c.env_remove(var);
    }
    c.arg("bot")
        .arg("--model")
        .arg(model)
        .arg("--model-cache")
        .arg(dir.join("cache.selecta"));
    c
}

/// Something the bot sent to a chat or changed in it, as the stand-in accepted it.
#[derive(Debug, Clone)]
pub struct Out {
    pub method: String,
    /// The HTML as sent.
    pub html: String,
    /// What Telegram shows.
    pub shown: String,
    pub parse_mode: Option<String>,
    /// (label, callback data) per button, per row.
    pub keyboard: Vec<Vec<(String, String)>>,
    pub message_id: i64,
}

impl Out {
    pub fn from(r: &Recorded) -> Out {
        let keyboard = r.params["reply_markup"]["inline_keyboard"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|row| {
                        row.as_array()
                            .unwrap()
                            .iter()
                            .map(|b| {
                                (
                                    b["text"].as_str().unwrap().to_owned(),
                                    b["callback_data"].as_str().unwrap().to_owned(),
                                )
                            })
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Out {
            method: r.method.clone(),
            html: r.params["text"].as_str().unwrap_or("").to_owned(),
            shown: r.response["text"].as_str().unwrap_or("").to_owned(),
            parse_mode: r.params["parse_mode"].as_str().map(str::to_owned),
            keyboard,
            message_id: r.response["message_id"].as_i64().unwrap_or(0),
        }
    }

    /// The Spotify track ids linked, in order.
    pub fn linked_ids(&self) -> Vec<String> {
        self.html
            .split("href=\"https://open.spotify.com/track/")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect()
    }
}

pub fn chat_of(r: &Recorded) -> Option<i64> {
    r.params["chat_id"].as_i64()
}

/// One user's private chat with the bot.
pub struct Chat<'a> {
    pub tg: &'a StandIn,
    pub id: i64,
    pub seen: usize,
}

impl<'a> Chat<'a> {
    pub fn new(tg: &'a StandIn, id: i64) -> Chat<'a> {
        Chat { tg, id, seen: 0 }
    }

    pub fn say(&self, text: &str) {
        self.tg.user_says(self.id, text);
    }

    /// Messages sent and edits made in this chat that the stand-in accepted.
    pub fn outgoing(&self, requests: &[Recorded]) -> Vec<Out> {
        requests
            .iter()
            .filter(|r| {
                (r.method == "sendMessage" || r.method == "editMessageText")
                    && r.status == 200
                    && chat_of(r) == Some(self.id)
            })
            .map(Out::from)
            .collect()
    }

    /// Waits for the next `n` messages or edits.
    pub fn next(&mut self, n: usize) -> Vec<Out> {
        let seen = self.seen;
        let out = self
            .tg
            .wait_for(&format!("{n} replies in chat {}", self.id), WAIT, |reqs| {
                let all = self.outgoing(reqs);
                (all.len() >= seen + n).then(|| all[seen..seen + n].to_vec())
            });
        self.seen += n;
        out
    }

    /// Waits for the next message, checking it is a new HTML message.
    pub fn reply(&mut self) -> Out {
        let out = self.next(1).remove(0);
        assert_eq!(out.method, "sendMessage", "{out:?}");
        assert_eq!(out.parse_mode.as_deref(), Some("HTML"), "{out:?}");
        out
    }

    /// Says `text` and waits for one reply.
    pub fn ask(&mut self, text: &str) -> Out {
        self.say(text);
        self.reply()
    }

    /// Says `text` and waits for a playlist of `tracks` tracks, in one message or several.
    pub fn playlist(&mut self, text: &str, tracks: usize) -> Vec<Out> {
        self.say(text);
        let seen = self.seen;
        let parts = self
            .tg
            .wait_for(&format!("a {tracks}-track playlist"), WAIT, |reqs| {
                let all = self.outgoing(reqs);
                let new = &all[seen..];
                let ids: usize = new.iter().map(|o| o.linked_ids().len()).sum();
                (ids >= tracks).then(|| new.to_vec())
            });
        self.seen += parts.len();
        for part in &parts {
            assert_eq!(part.method, "sendMessage");
            assert_eq!(part.parse_mode.as_deref(), Some("HTML"));
            assert!(part.keyboard.is_empty());
            assert!(part.html.encode_utf16().count() <= 4096);
        }
        parts
    }

    /// Nothing more arrives for a while.
    pub fn assert_quiet(&self, wait: Duration) {
        std::thread::sleep(wait);
        let all = self.outgoing(&self.tg.requests());
        assert_eq!(all.len(), self.seen, "unexpected: {:#?}", &all[self.seen..]);
    }
}

/// `selecta recommend --json`: the playlist's track ids.
pub fn recommended(model: &Path, seeds: &[&str], n: usize) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut c = selecta();
    c.arg("recommend")
        .arg("--model")
        .arg(model)
        .arg("--model-cache")
        .arg(dir.path().join("c.selecta"))
        .arg("--json")
        .arg("-n")
        .arg(n.to_string());
    for s in seeds {
        c.arg("--seed").arg(s);
    }
    let o = run(&mut c);
    assert!(o.status.success(), "{}", stderr(&o));
    let p: Value = serde_json::from_str(&stdout(&o)).unwrap();
    p["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["track"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `selecta describe --json -k 3`.
pub fn described(model: &Path, track: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let o = run(selecta()
        .arg("describe")
        .arg("--model")
        .arg(model)
        .arg("--model-cache")
        .arg(dir.path().join("c.selecta"))
        .arg("--json")
        .arg("-k")
        .arg("3")
        .arg(track));
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// A generous rate limit for conversations that are not about it.
pub const NO_LIMIT: [&str; 4] = ["--rate-burst", "1000", "--rate-per-minute", "1000"];

/// A small catalog whose titles and artists hold every character Telegram's markups treat
/// specially, and other scripts.
pub fn special_catalog(dir: &Path) -> PathBuf {
    let header = "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,\
track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,\
energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms";
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let named = [
        (
            "W_e*i[r]d (T~i>t#l+e) -=|{x}.!",
            "Ниу & <Co>",
            "Альбом <b>&amp;</b>",
        ),
        ("丸の内サディスティック", "椎名林檎", "無罪モラトリアム"),
        ("Ça \"marche\", non?", "Zoé & Łukasz", "Ü"),
        ("*Bold* _italic_ `code`", "[Link](http://x)", "<i>x</i>"),
        ("¡Hola! <3 & ciao_*", "Ana", "Uno"),
        ("¡Hola! <3 & ciao_*", "Бета", "Dos"),
    ];
    let mut csv = format!("{header}\n");
    for i in 0..40usize {
        let (name, artist, album) = named
            .get(i)
            .map(|&(n, a, al)| (n.to_owned(), a.to_owned(), al.to_owned()))
            .unwrap_or_else(|| {
                (
                    format!("Filler {i}"),
                    format!("Band {}", i / 3),
                    format!("Record {i}"),
                )
            });
        let x = i as f64 / 40.0;
        let row = [
            format!("{:0>22}", format!("S{i}")),
            quote(&name),
            quote(&artist),
            format!("{}", 80 - i),
            format!("{:0>22}", format!("A{i}")),
            quote(&album),
            format!("{}-0{}-1{}", 1980 + i, 1 + i % 9, i % 10),
            "Mix".into(),
            "37i9dQZF1DXcZDD7cfEKhW".into(),
            ["pop", "rock", "edm", "rap"][i % 4].into(),
            ["dance pop", "hard rock", "big room", "trap"][i % 4].into(),
            format!("{:.3}", 0.2 + 0.7 * x),
            format!("{:.3}", 0.9 - 0.6 * x),
            format!("{}", i % 12),
            format!("{:.3}", -14.0 + 10.0 * x),
            format!("{}", i % 2),
            format!("{:.3}", 0.03 + 0.2 * x),
            format!("{:.3}", 0.6 * (1.0 - x)),
            format!("{:.3}", 0.02 * (i % 7) as f64),
            format!("{:.3}", 0.1 + 0.05 * (i % 4) as f64),
            format!("{:.3}", 0.25 + 0.5 * x),
            format!("{:.3}", 80.0 + 3.0 * i as f64),
            format!("{}", 180_000 + 1000 * i),
        ];
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    let catalog = dir.join("special.csv");
    std::fs::write(&catalog, csv).unwrap();
    let model = dir.join("special.selecta");
    let o = run(selecta()
        .arg("fit")
        .arg("--catalog")
        .arg(&catalog)
        .arg("--out")
        .arg(&model));
    assert!(o.status.success(), "fit: {}", stderr(&o));
    model
}
