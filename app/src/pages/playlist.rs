//! The generated playlist: its tracks with the reason each was chosen, the options to
//! re-generate without re-picking, the export downloads and saving to Spotify.

use leptos::prelude::*;

use leptos::form::ActionForm;

use crate::api::{error_text, GeneratedView, PageState, SpotifyStatus};
use crate::components::{action_error, ctx, Features, OptionsForm, TrackMeta};

#[component]
pub fn PlaylistPage() -> impl IntoView {
    let ctx = ctx();
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the playlist…"</p> }>
            {move || {
                ctx.state
                    .get()
                    .map(|r| match r {
                        Ok(state) => match state.generated.clone() {
                            Some(g) => view! { <Generated g state /> }.into_any(),
                            None => {
                                view! {
                                    <section class="card" data-testid="no-playlist">
                                        <h1>"No playlist yet"</h1>
                                        <p>
                                            <a href="/">"Pick a few seed tracks"</a>
                                            " and press Generate."
                                        </p>
                                    </section>
                                }
                                    .into_any()
                            }
                        },
                        Err(e) => view! { <p class="error card">{error_text(&e)}</p> }.into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn Generated(g: GeneratedView, state: PageState) -> impl IntoView {
    let p = g.playlist.clone();
    let seeds = p
        .seeds
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join("; ");
    let exports = ["m3u8", "xspf", "jspf", "csv"].map(|f| {
        view! {
            <a
                class="button secondary"
                href=format!("/playlist/export/{f}?g={}", g.id)
                download
                rel="external"
                data-testid=format!("export-{f}")
            >
                {f.to_uppercase()}
            </a>
        }
    });
    view! {
        <section class="card">
            <h1 data-testid="playlist-name">{p.name.clone()}</h1>
            <p class="muted" data-testid="playlist-summary">
                {format!("{} tracks from {}", p.entries.len(), seeds)}
            </p>
            <nav class="exports" aria-label="Export">
                <span>"Export: "</span>
                {exports}
            </nav>
        </section>
        <SaveSection g=GeneratedView { playlist: p.clone(), ..g.clone() } spotify=state.spotify.clone() />
        <section class="card">
            <details>
                <summary>"Change the options and re-generate (same seeds)"</summary>
                <OptionsForm state submit="Re-generate" />
            </details>
        </section>
        <ol class="playlist card" data-testid="playlist">
            {p
                .entries
                .into_iter()
                .map(|e| {
                    view! {
                        <li class="entry" data-testid="entry" data-track-id=e.track.id.to_string()>
                            <div class="track">
                                <TrackMeta track=e.track.clone() />
                                <Features track=e.track.clone() />
                            </div>
                            <p class="reason" data-testid="reason">{e.reason.text}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// "Save to Spotify": name (default from the seeds), description, public or private; then the
/// link. A partial save says how far it got; saving again continues the same playlist.
#[component]
fn SaveSection(g: GeneratedView, spotify: SpotifyStatus) -> impl IntoView {
    let ctx = ctx();
    let total = g.playlist.entries.len();
    let body = match spotify {
        SpotifyStatus::NotConfigured => view! {
            <p class="muted" data-testid="save-unavailable">
                "Saving to Spotify is off on this server (no Spotify app configured): export the playlist instead."
            </p>
        }
        .into_any(),
        SpotifyStatus::SignedOut => view! {
            <p>
                <a href="/auth/login" rel="external" data-testid="sign-in-to-save">
                    "Sign in with Spotify"
                </a>
                " to save this playlist to your account."
            </p>
        }
        .into_any(),
        SpotifyStatus::SignedIn { .. } => {
            let saved = g.saved.clone();
            let done = saved.as_ref().is_some_and(|s| s.added >= total);
            let status = saved.map(|s| {
                let link = view! {
                    <a href=s.url.clone() rel="external" target="_blank" data-testid="saved-link">
                        {format!("Open “{}” on Spotify", s.name)}
                    </a>
                };
                if s.added >= total {
                    view! {
                        <p class="saved" data-testid="saved">
                            {format!("Saved {total} tracks to Spotify. ")}
                            {link}
                        </p>
                    }
                    .into_any()
                } else {
                    view! {
                        <p class="partial" data-testid="saved-partial">
                            {format!("{} of {total} tracks saved so far. ", s.added)}
                            {link}
                            " Press Save to add the rest to the same playlist."
                        </p>
                    }
                    .into_any()
                }
            });
            let pending = ctx.save.pending();
            let name = g
                .saved
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_else(|| g.playlist.name.clone());
            let description = default_description(&g);
            view! {
                {status}
                {(!done)
                    .then(|| {
                        view! {
                            <ActionForm action=ctx.save>
                                <input type="hidden" name="generation" value=g.id.to_string() />
                                <div class="row">
                                    <label class="grow">
                                        "Name"
                                        <input type="text" name="name" value=name maxlength="100" required data-testid="save-name" />
                                    </label>
                                    <label class="grow">
                                        "Description"
                                        <input type="text" name="description" value=description maxlength="300" data-testid="save-description" />
                                    </label>
                                    <label>
                                        <input type="checkbox" name="public" data-testid="save-public" />
                                        " Public on my profile"
                                    </label>
                                </div>
                                <button type="submit" class="primary" data-testid="save" disabled=move || pending.get()>
                                    {move || if pending.get() { "Saving…" } else { "Save to Spotify" }}
                                </button>
                            </ActionForm>
                        }
                    })}
            }
            .into_any()
        }
    };
    view! {
        <section class="card save" aria-labelledby="save-title">
            <h2 id="save-title">"Save to Spotify"</h2>
            {body}
            {action_error(move || ctx.save.value().get())}
        </section>
    }
}

/// "Made with Selecta from A - B; C - D", at most 300 characters on one line.
fn default_description(g: &GeneratedView) -> String {
    let seeds: Vec<String> = g.playlist.seeds.iter().map(|t| t.label()).collect();
    let text = format!("Made with Selecta from {}", seeds.join("; "));
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= 300 {
        one_line
    } else {
        let cut: String = one_line.chars().take(299).collect();
        format!("{cut}…")
    }
}
