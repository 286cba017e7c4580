//! The generated playlist: its tracks with the reason each was chosen, the options to
//! re-generate without re-picking, the export downloads and saving to Spotify.

use leptos::prelude::*;

use leptos::form::ActionForm;

use crate::api::{
    error_text, get_playlist_charts, GeneratedView, PageState, PlaylistCharts, SpotifyStatus,
};
use crate::components::{action_error, ctx, Features, OptionsForm, TrackMeta};
use crate::Track;

#[component]
pub fn PlaylistPage() -> impl IntoView {
    let ctx = ctx();
    // First in the page and always there, so that the page script keeps the same node when it
    // loads the next page in place, and screen readers announce the change.
    let status = move || ctx.loaded().and_then(|s| s.notice);
    view! {
        <p class="visually-hidden" role="status" data-testid="action-status">
            <Transition fallback=|| ()>{status}</Transition>
        </p>
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
    let ctx = ctx();
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
                <summary data-testid="options-summary">"Change the options and re-generate (same seeds)"</summary>
                <OptionsForm state submit="Re-generate" />
            </details>
        </section>
        <Charts g=g.clone() />
        <section class="card" aria-labelledby="tracks-title">
            <h2 id="tracks-title" class="visually-hidden">"Tracks"</h2>
            {action_error(move || ctx.remove_track.value().get())}
            {action_error(move || ctx.less.value().get())}
            {action_error(move || ctx.more.value().get())}
            <ol class="playlist" data-testid="playlist">
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
                                <p class="reason" data-testid="reason">{e.reason.text.clone()}</p>
                                <EntryActions generation=g.id track=e.track.clone() />
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

/// The sound map and the flow line, drawn by the server for the playlist shown (fetched
/// apart from the page state: other pages never carry them).
#[component]
fn Charts(g: GeneratedView) -> impl IntoView {
    let generation = g.id;
    let charts = Resource::new(move || generation, |g| get_playlist_charts(g.to_string()));
    let playlist = g.playlist;
    view! {
        <section class="card charts" aria-labelledby="charts-title">
            <h2 id="charts-title">"How it sounds"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Drawing…"</p> }>
                {move || {
                    let playlist = playlist.clone();
                    charts
                        .get()
                        .map(|r| match r {
                            Ok(c) => view! { <ChartFigures charts=c playlist /> }.into_any(),
                            Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

/// The two figures, each with its text alternative.
#[component]
fn ChartFigures(charts: PlaylistCharts, playlist: crate::Playlist) -> impl IntoView {
    let entries = playlist.entries;
    let total = entries.len() + playlist.seeds.len();
    let placed = charts.placed;
    let map_note = (placed < total)
        .then(|| format!(" {} of {total} tracks and seeds could be placed.", placed));
    let level = |v: Option<f32>| v.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"));
    let rows = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let f = &e.track.features;
            view! {
                <tr>
                    <td>{i + 1}</td>
                    <td>{e.track.label()}</td>
                    <td>{level(f.energy.get())}</td>
                    <td>{level(f.valence.get())}</td>
                    <td>{f.tempo.get().map_or_else(|| "–".to_string(), |t| format!("{t:.0}"))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="chart-row">
                <figure class="chart" data-testid="sound-map">
                    <div class="svg" inner_html=charts.sound_map></div>
                    <figcaption>
                        "Sound map: the seeds (diamonds) and the tracks (circles), placed by how they sound to the model; close points sound alike. Hover or focus a point to see its track; the list below says which seed each track is closest to."
                        {map_note}
                    </figcaption>
                </figure>
                <figure class="chart" data-testid="flow-line">
                    <div class="svg" inner_html=charts.flow></div>
                    <figcaption>
                        "Flow: energy, mood and tempo from the first track to the last."
                    </figcaption>
                    <details>
                        <summary>"The flow as a table"</summary>
                        <table class="flow-table" data-testid="flow-table">
                            <thead>
                                <tr>
                                    <th scope="col">"#"</th>
                                    <th scope="col">"Track"</th>
                                    <th scope="col">"Energy"</th>
                                    <th scope="col">"Mood"</th>
                                    <th scope="col">"Tempo (BPM)"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </details>
                </figure>
        </div>
    }
}

/// What a listener can do with one track: open it in Spotify, remove it (the next candidate
/// takes its place), or steer the playlist away from or towards it. Plain forms without
/// JavaScript; in place with the page script. Each control's name says which track it acts on.
#[component]
fn EntryActions(generation: u64, track: Track) -> impl IntoView {
    let ctx = ctx();
    let label = track.label();
    let id = track.id.to_string();
    let busy = move || {
        ctx.remove_track.pending().get() || ctx.less.pending().get() || ctx.more.pending().get()
    };
    let hidden = move |id: String| {
        view! {
            <input type="hidden" name="generation" value=generation.to_string() />
            <input type="hidden" name="track" value=id />
        }
    };
    let (h_remove, h_less, h_more) = (hidden(id.clone()), hidden(id.clone()), hidden(id));
    let (group, open, remove, less, more) = (
        format!("Actions for {label}"),
        format!("Open in Spotify: {label}"),
        format!("Remove: {label}"),
        format!("Less like this: {label}"),
        format!("More like this: {label}"),
    );
    view! {
        <div class="entry-actions" role="group" aria-label=group>
            <a
                class="button secondary"
                href=track.spotify_url()
                target="_blank"
                rel="external noopener"
                aria-label=open
                data-testid="open-in-spotify"
            >
                "Open in Spotify"
            </a>
            <ActionForm action=ctx.remove_track>
                {h_remove}
                <button type="submit" class="secondary" aria-label=remove data-testid="remove-track" disabled=busy>
                    "Remove"
                </button>
            </ActionForm>
            <ActionForm action=ctx.less>
                {h_less}
                <button type="submit" class="secondary" aria-label=less data-testid="less-like-this" disabled=busy>
                    "Less like this"
                </button>
            </ActionForm>
            <ActionForm action=ctx.more>
                {h_more}
                <button type="submit" class="secondary" aria-label=more data-testid="more-like-this" disabled=busy>
                    "More like this"
                </button>
            </ActionForm>
        </div>
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
