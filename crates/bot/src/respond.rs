//! From a message or a button press to the replies: the bot's whole behaviour, without
//! Telegram (the dispatcher in [`crate::telegram`] only carries the replies).

use std::sync::Arc;

use selecta_catalog::ResolveError;
use selecta_engine::{CatalogView, Lookup, ModelHandle, RequestError, Unmatched, Views};
use selecta_model::{similar, Model};
use selecta_spotify::{Acting, SpotifyLookup};
use selecta_types::{PlaylistRequest, SeedRef, Track};

use crate::choice::{Action, Choices, Pending, Press, Slot};
use crate::input::{self, Input};
use crate::markup::escape;
use crate::render::{self, Examples};
use crate::reply::{Button, ButtonAnswer, Reply};

/// Similar tracks shown on a card.
pub const CARD_NEIGHBOURS: usize = 3;
/// Waiting requests kept for their buttons.
pub const PENDING_CAPACITY: usize = 10_000;
/// Longest button label, in characters (longer ones are cut on phones anyway).
const BUTTON_CHARS: usize = 60;

/// The bot's behaviour over the model in service: answers messages and button presses. Shared
/// by every chat (it is `Sync`); the only state is the requests waiting for a choice. A reload
/// swaps the model under it: each message is answered on the model in service when it came.
pub struct Responder {
    views: Views,
    choices: Choices,
    examples: Examples,
    /// Spotify lookups for links to tracks and artists the catalog lacks.
    lookup: Option<SpotifyLookup>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("tracks", &self.views.handle().current().len())
            .field("choices", &self.choices)
            .finish()
    }
}

impl Responder {
    /// A responder over one `model`.
    pub fn new(model: Arc<Model>) -> Responder {
        Responder::serving(ModelHandle::new_arc(model))
    }

    /// A responder over the model in service behind `handle` (swapped by reloads); the help's
    /// examples are the first model's most popular tracks.
    pub fn serving(handle: ModelHandle) -> Responder {
        let examples = examples(&handle.current());
        Responder {
            views: Views::new(handle),
            choices: Choices::new(PENDING_CAPACITY),
            examples,
            lookup: None,
        }
    }

    /// Looks up links to Spotify tracks and artists the catalog lacks (with the app's
    /// token), so that `/predict` takes them. Lookups run on the Tokio runtime the responder
    /// is called from (on a blocking thread, as the bot does); without one, such links are
    /// refused as before.
    pub fn with_lookup(mut self, lookup: SpotifyLookup) -> Responder {
        self.lookup = Some(lookup);
        self
    }

    /// The model in service.
    pub fn model(&self) -> Arc<Model> {
        self.views.handle().current()
    }

    /// Requests waiting for a button press.
    pub fn choices(&self) -> &Choices {
        &self.choices
    }

    /// The replies to a message of `chat` (none for [`Input::Ignored`]).
    pub fn respond(&self, chat: i64, input: Input) -> Vec<Reply> {
        let tracks = self.views.handle().current().len();
        match input {
            Input::Start => Reply::split(&render::start(&self.examples, tracks), Vec::new()),
            Input::Help => Reply::split(&render::help(&self.examples, tracks), Vec::new()),
            Input::UnknownCommand(name) => vec![Reply::text(render::unknown_command(&name))],
            Input::Ignored => Vec::new(),
            Input::Predict(args) => match input::parse_predict(&args) {
                Ok(req) => {
                    self.start_request(chat, Action::Predict { length: req.length }, &req.queries)
                }
                Err(e) => vec![Reply::text(render::usage("predict", &e, &self.examples))],
            },
            Input::Describe(args) | Input::FreeText(args) => match input::parse_describe(&args) {
                Ok(query) => self.start_request(chat, Action::Describe, &[query]),
                Err(e) => vec![Reply::text(render::usage("describe", &e, &self.examples))],
            },
        }
    }

    /// Resolves every query: the result when all are known, the problems when some cannot
    /// be, else a question with buttons for the first one to choose.
    fn start_request(&self, chat: i64, action: Action, queries: &[String]) -> Vec<Reply> {
        let view = self.views.get();
        let engine = view.engine();
        let tracks = view.tracks();
        let mut slots = Vec::with_capacity(queries.len());
        let mut problems = Vec::new();
        for q in queries {
            match engine.resolve(&SeedRef::Query(q.clone()), 1) {
                Ok(m) => slots.push(Slot::Chosen(tracks[m.tracks[0]].id.to_string())),
                // A Spotify link the catalog lacks: looked up when the playlist is made.
                Err(e) if action != Action::Describe && self.can_look_up(&e) => {
                    slots.push(Slot::Chosen(q.trim().to_owned()))
                }
                Err(e) => match (e.candidates(), e.suggestions()) {
                    (Some(c), _) if !c.is_empty() => slots.push(Slot::Open {
                        query: q.clone(),
                        candidates: c.to_vec(),
                        unmatched: false,
                    }),
                    (_, Some(s)) if !s.is_empty() => slots.push(Slot::Open {
                        query: q.clone(),
                        candidates: s.to_vec(),
                        unmatched: true,
                    }),
                    _ => problems.push(render::problem(&e.to_string())),
                },
            }
        }
        if !problems.is_empty() {
            return Reply::split(&problems.join("\n\n"), Vec::new());
        }
        let pending = Pending {
            chat,
            action,
            slots,
        };
        if pending.first_open().is_none() {
            return self.fulfil(&view, &pending);
        }
        let question = self.question(&view, &pending, None);
        let token = self.choices.insert(pending.clone());
        vec![self.with_buttons(&view, question, &pending, token)]
    }

    /// The answer to a button press in `chat` with callback `data`.
    pub fn press(&self, chat: i64, data: &str) -> ButtonAnswer {
        let Some(press) = Press::parse(data) else {
            return ButtonAnswer {
                notice: Some("This button is not mine.".into()),
                ..ButtonAnswer::default()
            };
        };
        let token = match press {
            Press::Pick { token, .. } | Press::Cancel { token } => token,
        };
        let Some(mut pending) = self.choices.take(token, chat) else {
            return ButtonAnswer {
                notice: Some("This choice has expired: please send the request again.".into()),
                edit: None,
                send: Vec::new(),
            };
        };
        let k = match press {
            Press::Cancel { .. } => {
                return ButtonAnswer {
                    notice: None,
                    edit: Some(Reply::text("Cancelled.")),
                    send: Vec::new(),
                }
            }
            Press::Pick { k, .. } => k,
        };
        let Some((at, Slot::Open { candidates, .. })) = pending.first_open() else {
            return ButtonAnswer::default();
        };
        let Some(candidate) = candidates.get(k) else {
            // Not a button we made: keep the question as it is.
            self.choices.put_back(token, pending);
            return ButtonAnswer {
                notice: Some("Please choose one of the buttons.".into()),
                ..ButtonAnswer::default()
            };
        };
        let view = self.views.get();
        let label = match track_of(&view, &candidate.id) {
            Some(t) => render::plain_label(t, 200),
            None => candidate.label.clone(),
        };
        pending.slots[at] = Slot::Chosen(candidate.id.clone());
        let picked = format!("✅ {}", escape(&label));
        if pending.first_open().is_some() {
            let question = self.question(&view, &pending, Some(&picked));
            let edit = self.with_buttons(&view, question, &pending, token);
            self.choices.put_back(token, pending);
            return ButtonAnswer {
                notice: None,
                edit: Some(edit),
                send: Vec::new(),
            };
        }
        ButtonAnswer {
            notice: None,
            edit: Some(Reply::text(picked)),
            send: self.fulfil(&view, &pending),
        }
    }

    /// The question about the first open slot, after `before` (the last pick) if any.
    fn question(&self, view: &CatalogView, pending: &Pending, before: Option<&str>) -> String {
        let Some((
            _,
            Slot::Open {
                query,
                candidates,
                unmatched,
            },
        )) = pending.first_open()
        else {
            return String::new();
        };
        let mut text = before.map(|b| format!("{b}\n\n")).unwrap_or_default();
        let quoted = escape(&crate::markup::shorten(query, 100));
        if *unmatched {
            text.push_str(&format!(
                "🔎 No track matches <b>{quoted}</b>. Did you mean:"
            ));
        } else {
            text.push_str(&format!(
                "🤔 <b>{quoted}</b> matches several songs. Which one do you mean?"
            ));
        }
        let left = pending.open_count();
        if left > 1 {
            text.push_str(&format!(" ({left} tracks to choose)"));
        }
        for (k, c) in candidates.iter().enumerate() {
            let line = match track_of(view, &c.id) {
                Some(t) => render::track_line(t),
                None => escape(&c.label),
            };
            text.push_str(&format!("\n{}. {line}", k + 1));
        }
        text
    }

    /// `text` with a button per candidate of the first open slot, and Cancel.
    fn with_buttons(
        &self,
        view: &CatalogView,
        text: String,
        pending: &Pending,
        token: u64,
    ) -> Reply {
        let mut keyboard = Vec::new();
        if let Some((_, Slot::Open { candidates, .. })) = pending.first_open() {
            for (k, c) in candidates.iter().enumerate() {
                let label = match track_of(view, &c.id) {
                    Some(t) => render::plain_label(t, BUTTON_CHARS),
                    None => crate::markup::shorten(&c.label, BUTTON_CHARS),
                };
                keyboard.push(vec![Button {
                    text: format!("{}. {label}", k + 1),
                    data: Press::Pick { token, k }.data(),
                }]);
            }
        }
        keyboard.push(vec![Button {
            text: "✖ Cancel".into(),
            data: Press::Cancel { token }.data(),
        }]);
        Reply { text, keyboard }
    }

    /// The playlist or the card of a request whose tracks are all known.
    fn fulfil(&self, view: &CatalogView, pending: &Pending) -> Vec<Reply> {
        let Some(seeds) = pending.seeds() else {
            return Vec::new();
        };
        let text = match pending.action {
            Action::Predict { length } => self.playlist(view, seeds, length),
            Action::Describe => match view.track(&seeds[0]) {
                Some(index) => self.card(view, index),
                None => render::problem(&Unmatched::TrackId(seeds[0].clone()).to_string()),
            },
        };
        Reply::split(&text, Vec::new())
    }

    /// True when the seed failed only for want of a lookup, and lookups are possible here.
    fn can_look_up(&self, e: &Unmatched) -> bool {
        self.lookup.is_some()
            && tokio::runtime::Handle::try_current().is_ok()
            && matches!(
                e,
                Unmatched::Query(ResolveError::UnknownId { .. } | ResolveError::NotATrack { .. })
            )
    }

    fn playlist(&self, view: &CatalogView, seeds: Vec<String>, length: usize) -> String {
        // Chosen ids resolve as queries: a catalog id directly, a Spotify link by lookup.
        let request = PlaylistRequest {
            seeds: seeds.into_iter().map(SeedRef::Query).collect(),
            length,
            ..PlaylistRequest::default()
        };
        let engine = view.engine();
        let result = match (&self.lookup, tokio::runtime::Handle::try_current()) {
            (Some(spotify), Ok(runtime)) => {
                let lookup = Lookup {
                    spotify,
                    acting: Acting::App,
                };
                runtime.block_on(engine.playlist_looking_up(&request, lookup))
            }
            _ => engine.playlist(&request),
        };
        match result {
            Ok(g) => render::playlist(&g.playlist),
            Err(RequestError::NothingMatches { .. }) => {
                render::problem("no track of the catalog goes with these; try other tracks")
            }
            Err(e @ RequestError::Invalid { .. }) => render::problem(&e.to_string()),
            // A track chosen before a reload that the new catalog lacks.
            Err(RequestError::Unmatched { reason, .. }) => render::problem(&reason.to_string()),
        }
    }

    fn card(&self, view: &CatalogView, index: usize) -> String {
        let model = &view.model;
        let tracks = model.tracks();
        let k = CARD_NEIGHBOURS.min(model.len().saturating_sub(1));
        let near = if k == 0 {
            Vec::new()
        } else {
            match similar(model, index, k) {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(index, error = %e, "no neighbours for the card");
                    Vec::new()
                }
            }
        };
        let near: Vec<&selecta_types::Track> = near.iter().map(|n| &tracks[n.index]).collect();
        render::card(&tracks[index], &near)
    }
}

/// A catalog track by id.
fn track_of<'v>(view: &'v CatalogView, id: &str) -> Option<&'v Track> {
    view.model.catalog().get(id)
}

/// The help's examples: the catalog's most popular tracks that have a title and an artist.
fn examples(model: &Model) -> Examples {
    let tracks = model.tracks();
    let mut order: Vec<usize> = (0..tracks.len())
        .filter(|&i| !tracks[i].name.is_empty() && !tracks[i].artists.is_empty())
        .collect();
    order.sort_by(|&a, &b| {
        let p = |i: usize| tracks[i].popularity.unwrap_or(0.0);
        p(b).total_cmp(&p(a)).then(a.cmp(&b))
    });
    let label = |k: usize| {
        order
            .get(k)
            .or(order.first())
            .map(|&i| tracks[i].label())
            .unwrap_or_else(|| "Artist - Title".into())
    };
    let link = order
        .get(2)
        .or(order.first())
        .map(|&i| tracks[i].spotify_url())
        .unwrap_or_else(|| "https://open.spotify.com/track/…".into());
    Examples {
        first: label(0),
        second: label(1),
        link,
    }
}
