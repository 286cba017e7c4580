//! Search of the catalog: a GET form without JavaScript (the server renders the hits for
//! `?q=`), live as the listener types with the page script; paged with `&page=`. A pasted Spotify
//! track, album or playlist link offers to add its tracks as seeds ([`LinkAction`]).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{action_error, ctx, AddSeedButton, Features, LiveSearch, TrackMeta};
use crate::api::{error_text, search_tracks, LinkBlocked, LinkOffer, SearchPage};

/// The search box and one page of hits, each with an "Add" button.
#[component]
pub fn CatalogSearch() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
    };
    let hits = Resource::new(move || (q(), page()), |(q, page)| search_tracks(q, page));
    let typed = untrack(q);

    view! {
        <form method="get" action="/" class="search" role="search" data-replace>
            <label for="q">"Search the catalog"</label>
            <LiveSearch q=typed />
            <button type="submit">"Search"</button>
        </form>
        <div class="results" aria-live="polite">
            <Transition fallback=|| view! { <p class="muted">"Searching…"</p> }>
                {move || {
                    hits.get()
                        .map(|r| match r {
                            Ok(p) if p.tracks.is_empty() && q().trim().is_empty() => {
                                view! {
                                    <p class="muted">
                                        "Type an artist or a title, or paste a Spotify track, album or playlist link."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(mut p) if p.link.is_some() => {
                                // A pasted link: its action first, then any catalog hits (a
                                // bare id may also be found by the search).
                                let offer = p.link.take().map(|offer| view! { <LinkAction offer /> });
                                let hits = (!p.tracks.is_empty())
                                    .then(|| view! { <Hits page=p q=q() /> });
                                view! {
                                    {offer}
                                    {hits}
                                }
                                    .into_any()
                            }
                            Ok(p) if p.tracks.is_empty() => {
                                view! {
                                    <p class="muted" data-testid="no-hits">
                                        {format!("Nothing matches “{}”.", q())}
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(p) => view! { <Hits page=p q=q() /> }.into_any(),
                            Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        })
                }}
            </Transition>
        </div>
    }
}

#[component]
fn Hits(page: SearchPage, q: String) -> impl IntoView {
    let link = |n: usize| format!("/?q={}&page={n}", urlencode(&q));
    let prev = (page.page > 1).then(|| link(page.page - 1));
    let next = page.has_next.then(|| link(page.page + 1));
    view! {
        <ol class="tracks" data-testid="hits">
            {page
                .tracks
                .into_iter()
                .map(|t| {
                    let label = t.label();
                    let id = t.id.clone();
                    let id_attr = t.id.to_string();
                    view! {
                        <li class="track" data-track-id=id_attr>
                            <TrackMeta track=t.clone() />
                            <Features track=t />
                            <AddSeedButton track_id=id.to_string() label />
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <Pager page=page.page prev next />
    }
}

/// The action a pasted Spotify link offers: a form posting it to `add_link` (a plain post
/// without JavaScript, in place with the page script), then what it did; or what must happen first.
#[component]
pub fn LinkAction(offer: LinkOffer) -> impl IntoView {
    let ctx = ctx();
    let kind = offer.kind;
    let link = offer.link.clone();
    // The action's answer for this link once run here; after a plain form post, what the
    // session kept for the page.
    let done = move || {
        ctx.add_link
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| ctx.loaded().and_then(|s| s.link_added))
            .filter(|a| a.link == link)
            .map(|a| a.message)
    };
    let form = match offer.blocked {
        Some(LinkBlocked::SignIn) => view! {
            <p class="muted" data-testid="link-sign-in">
                <a href="/auth/login" rel="external">"Sign in with Spotify"</a>
                " to add this playlist's tracks: Spotify shows a playlist's tracks to its owner only."
            </p>
        }
        .into_any(),
        Some(LinkBlocked::NoSpotify) => view! {
            <p class="muted" data-testid="link-unavailable">
                "Spotify is not configured on this server, so this link can't be looked up; search the catalog instead."
            </p>
        }
        .into_any(),
        None => view! {
            <ActionForm action=ctx.add_link>
                <input type="hidden" name="link" value=offer.link />
                <button
                    type="submit"
                    data-testid="add-link"
                    data-kind=kind.as_str()
                    disabled=move || ctx.add_link.pending().get()
                >
                    {kind.action()}
                </button>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <div class="card link-offer" data-testid="link-offer">
            <p>{format!("That is a Spotify {} link.", kind.as_str())}</p>
            {form}
            {move || {
                done()
                    .map(|text| {
                        view! {
                            <p class="notice" role="status" data-testid="link-added">
                                {text}
                            </p>
                        }
                    })
            }}
            {action_error(move || ctx.add_link.value().get())}
        </div>
    }
}

/// "Previous / Page n / Next" links (plain links: they work without JavaScript).
#[component]
pub fn Pager(page: usize, prev: Option<String>, next: Option<String>) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {prev.map(|href| view! { <a href=href rel="prev" data-testid="prev-page">"← Previous"</a> })}
            <span class="muted">{format!("Page {page}")}</span>
            {next.map(|href| view! { <a href=href rel="next" data-testid="next-page">"Next →"</a> })}
        </nav>
    }
}

/// Percent-encodes a query value for a URL (RFC 3986 unreserved characters pass).
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_query() {
        assert_eq!(urlencode("ed sheeran"), "ed%20sheeran");
        assert_eq!(urlencode("AC/DC & co"), "AC%2FDC%20%26%20co");
        assert_eq!(urlencode("é"), "%C3%A9");
    }
}
