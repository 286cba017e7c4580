//! The start page: what the catalog holds and a search over it.
//!
//! The search works without JavaScript (a GET form; the server renders the hits for `?q=`)
//! and, once hydrated, updates as the listener types through the `search_tracks` server fn.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{catalog_summary, search_tracks};
use crate::Track;

const HITS_PER_PAGE: usize = 20;

#[component]
pub fn HomePage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| catalog_summary());
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let hits = Resource::new(q, |q| search_tracks(q, HITS_PER_PAGE));

    // Set once the WASM client runs: tests (and curious users) can tell a hydrated page.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let navigate = use_navigate();
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let url = if value.trim().is_empty() {
            "/".to_string()
        } else {
            format!("/?q={}", urlencode(&value))
        };
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };

    view! {
        <section class="card intro" data-hydrated=move || hydrated.get().to_string()>
            <h1>"Find the tracks you love"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading the catalog…"</p> }>
                {move || {
                    summary
                        .get()
                        .map(|r| match r {
                            Ok(s) => {
                                view! {
                                    <p class="summary" data-testid="catalog-size">
                                        {format!(
                                            "{} tracks by {} artists from {} playlists",
                                            group(s.tracks),
                                            group(s.artists),
                                            s.playlists,
                                        )}
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        })
                }}
            </Suspense>
            <form method="get" action="/" class="search" role="search">
                <label for="q">"Search the catalog"</label>
                <input
                    id="q"
                    name="q"
                    type="search"
                    autocomplete="off"
                    placeholder="Artist, title or album"
                    prop:value=q
                    on:input=on_input
                />
                <button type="submit">"Search"</button>
            </form>
        </section>
        <section class="card results" aria-live="polite">
            <Transition fallback=|| view! { <p class="muted">"Searching…"</p> }>
                {move || {
                    hits.get()
                        .map(|r| match r {
                            Ok(tracks) if tracks.is_empty() && q().trim().is_empty() => {
                                view! { <p class="muted">"Type an artist or a title."</p> }.into_any()
                            }
                            Ok(tracks) if tracks.is_empty() => {
                                view! {
                                    <p class="muted" data-testid="no-hits">
                                        {format!("Nothing matches “{}”.", q())}
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(tracks) => view! { <TrackList tracks /> }.into_any(),
                            Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn TrackList(tracks: Vec<Track>) -> impl IntoView {
    view! {
        <ol class="tracks" data-testid="hits">
            {tracks
                .into_iter()
                .map(|t| {
                    let year = t.year.map(|y| format!(" ({y})")).unwrap_or_default();
                    view! {
                        <li class="track">
                            <span class="title">{t.name.clone()}</span>
                            <span class="artists">{t.artists.join(", ")}</span>
                            <span class="album muted">{format!("{}{}", t.album, year)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// 28356 -> "28,356"
fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Percent-encodes a query value for a URL (RFC 3986 unreserved characters pass).
fn urlencode(s: &str) -> String {
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
    fn groups_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(28356), "28,356");
        assert_eq!(group(1000000), "1,000,000");
    }

    #[test]
    fn encodes_query() {
        assert_eq!(urlencode("ed sheeran"), "ed%20sheeran");
        assert_eq!(urlencode("AC/DC & co"), "AC%2FDC%20%26%20co");
        assert_eq!(urlencode("é"), "%C3%A9");
    }
}
