//! Components shared by the pages: the session context (state and actions), the top bar,
//! seeds, tracks, the options form and the catalog search.

pub mod islands;
mod library;
mod options_form;
mod search;
mod seeds;
mod tracks;

pub use islands::{HydratedMark, LiveSearch};
pub use library::Sources;
pub use options_form::OptionsForm;
pub use search::{urlencode, CatalogSearch, Pager};
pub use seeds::{AddSeedButton, SeedTray};
pub use tracks::{Features, TrackMeta};

use leptos::prelude::*;

use crate::api::{
    error_text, get_page_state, AddLink, AddSeed, ClearSeeds, GeneratePlaylist, LessLikeThis,
    MoreLikeThis, PageState, RemoveSeed, RemoveTrack, SavePlaylist, SpotifyStatus,
};
use crate::error::AppError;

/// The listener's state and the actions that change it, shared by every component.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// Adds a seed.
    pub add: ServerAction<AddSeed>,
    /// Adds the tracks of a pasted Spotify link.
    pub add_link: ServerAction<AddLink>,
    /// Removes a seed.
    pub remove: ServerAction<RemoveSeed>,
    /// Removes every seed.
    pub clear: ServerAction<ClearSeeds>,
    /// Generates (or re-generates) the playlist.
    pub generate: ServerAction<GeneratePlaylist>,
    /// Saves the playlist to Spotify.
    pub save: ServerAction<SavePlaylist>,
    /// Removes a track from the playlist (refilled from its spares).
    pub remove_track: ServerAction<RemoveTrack>,
    /// Adds a playlist track to the negative seeds and re-generates.
    pub less: ServerAction<LessLikeThis>,
    /// Adds a playlist track to the seeds and re-generates.
    pub more: ServerAction<MoreLikeThis>,
    /// The session as the pages show it; refetched after every action.
    pub state: Resource<Result<PageState, AppError>>,
}

/// The context provided by [`Session`].
pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

impl Ctx {
    /// The state once loaded without error (for buttons and labels that depend on it).
    pub fn loaded(&self) -> Option<PageState> {
        self.state.get().and_then(Result::ok)
    }
}

/// Provides [`Ctx`] to its children. Must sit inside the router: actions read the error a
/// plain form post left in the URL.
#[component]
pub fn Session(children: Children) -> impl IntoView {
    // A plain form post that failed comes back with the error in the URL. <Routes> offers it
    // only to the pages below it; the actions live above, so they are offered it here.
    let query = leptos_router::hooks::use_query_map();
    let (path, err) = query.with_untracked(|q| (q.get("__path"), q.get("__err")));
    if let (Some(path), Some(err)) = (path, err) {
        provide_context(leptos::server::ServerActionError::new(&path, &err));
    }
    let add = ServerAction::<AddSeed>::new();
    let add_link = ServerAction::<AddLink>::new();
    let remove = ServerAction::<RemoveSeed>::new();
    let clear = ServerAction::<ClearSeeds>::new();
    let generate = ServerAction::<GeneratePlaylist>::new();
    let save = ServerAction::<SavePlaylist>::new();
    let remove_track = ServerAction::<RemoveTrack>::new();
    let less = ServerAction::<LessLikeThis>::new();
    let more = ServerAction::<MoreLikeThis>::new();
    let state = Resource::new(
        move || {
            (
                add.version().get(),
                add_link.version().get(),
                remove.version().get(),
                clear.version().get(),
                generate.version().get(),
                save.version().get(),
                remove_track.version().get(),
                less.version().get(),
                more.version().get(),
            )
        },
        |_| get_page_state(),
    );
    provide_context(Ctx {
        add,
        add_link,
        remove,
        clear,
        generate,
        save,
        remove_track,
        less,
        more,
        state,
    });
    view! {
        <div class="app">
            <HydratedMark />
            {children()}
        </div>
    }
}

/// The brand and the Spotify sign-in state.
#[component]
pub fn TopBar() -> impl IntoView {
    let ctx = ctx();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Selecta"</a>
            <span class="tagline">"Pick a few tracks, get a playlist that belongs with them."</span>
            <Transition fallback=|| ()>
                {move || {
                    ctx.state
                        .get()
                        .map(|r| match r.map(|s| s.spotify) {
                            Ok(SpotifyStatus::NotConfigured) => {
                                view! {
                                    <span class="account muted" data-testid="spotify-off">
                                        "Spotify is not configured: search the catalog, pick, generate and export."
                                    </span>
                                }
                                    .into_any()
                            }
                            Ok(SpotifyStatus::SignedOut) => {
                                view! {
                                    <a
                                        class="account button"
                                        href="/auth/login"
                                        rel="external"
                                        data-testid="sign-in"
                                    >
                                        "Sign in with Spotify"
                                    </a>
                                }
                                    .into_any()
                            }
                            Ok(SpotifyStatus::SignedIn { name }) => {
                                view! {
                                    <form class="account" method="post" action="/auth/logout">
                                        <span data-testid="signed-in">"Signed in as " {name}</span>
                                        <button type="submit" class="secondary">
                                            "Sign out"
                                        </button>
                                    </form>
                                }
                                    .into_any()
                            }
                            Err(e) => {
                                view! { <span class="account error">{error_text(&e)}</span> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </header>
    }
}

/// The error of the last run of an action, if any (also after a plain form post: the
/// server puts it in the URL and the action reads it back).
pub fn action_error<T: Clone + Send + Sync + 'static>(
    value: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        value().and_then(Result::err).map(|e| {
            view! {
                <p class="error" role="alert" data-testid="action-error">
                    {error_text(&e)}
                </p>
            }
        })
    }
}
