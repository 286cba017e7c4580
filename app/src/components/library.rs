//! Where seeds come from: tabs for the catalog search and, once signed in, the listener's
//! Spotify library (saved, top, recently played, playlists). Every tab is a plain link with
//! `?source=` (no JavaScript needed); lists are paged with `&page=`.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{ctx, urlencode, AddSeedButton, CatalogSearch, Features, Pager};
use crate::api::{error_text, fetch_library, SpotifyStatus};
use crate::library::{LibraryItem, LibraryPage, MatchKind, Source};

/// The tabs and the list of the chosen one.
#[component]
pub fn Sources() -> impl IntoView {
    let ctx = ctx();
    let query = use_query_map();
    let source = move || query.read().get("source").unwrap_or_default();
    let is_catalog = move || matches!(source().as_str(), "" | "catalog");
    view! {
        <Transition fallback=|| ()>
            {move || {
                ctx.loaded()
                    .map(|s| {
                        let current = source();
                        match s.spotify {
                            SpotifyStatus::NotConfigured => ().into_any(),
                            SpotifyStatus::SignedOut => {
                                view! {
                                    <p class="muted">
                                        <a href="/auth/login" rel="external">
                                            "Sign in with Spotify"
                                        </a>
                                        " to pick from your saved tracks, top tracks, recent plays and playlists."
                                    </p>
                                }
                                    .into_any()
                            }
                            SpotifyStatus::SignedIn { .. } => {
                                view! {
                                    <nav class="tabs" aria-label="Where to pick from">
                                        {Source::TABS
                                            .into_iter()
                                            .map(|(key, label)| {
                                                let active = current == key
                                                    || (key == "catalog" && current.is_empty())
                                                    || (key == "playlists" && current == "playlist");
                                                view! {
                                                    <a
                                                        href=format!("/?source={key}")
                                                        class="tab"
                                                        class:active=active
                                                        aria-current=active.then_some("page")
                                                        data-testid=format!("tab-{key}")
                                                    >
                                                        {label}
                                                    </a>
                                                }
                                            })
                                            .collect_view()}
                                    </nav>
                                }
                                    .into_any()
                            }
                        }
                    })
            }}
        </Transition>
        <Show when=is_catalog fallback=|| view! { <LibraryList /> }>
            <CatalogSearch />
        </Show>
    }
}

/// One page of the chosen library list.
#[component]
fn LibraryList() -> impl IntoView {
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        (
            q.get("source").unwrap_or_default(),
            q.get("list"),
            q.get("page")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(1),
        )
    };
    let page = Resource::new(key, |(source, list, page)| {
        fetch_library(source, list, page)
    });
    let loading = RwSignal::new(false);
    view! {
        <p class="muted loading" aria-live="polite" data-testid="library-loading" hidden=move || !loading.get()>
            "Loading from Spotify…"
        </p>
        <Transition
            fallback=|| view! { <p class="muted" data-testid="library-loading">"Loading from Spotify…"</p> }
            set_pending=loading
        >
            {move || {
                page.get()
                    .map(|r| match r {
                        Ok(p) => view! { <LibraryView page=p key=key() /> }.into_any(),
                        Err(e) => {
                            view! {
                                <p class="error" role="alert" data-testid="library-error">
                                    {error_text(&e)}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn LibraryView(page: LibraryPage, key: (String, Option<String>, usize)) -> impl IntoView {
    let (source, list, _) = key;
    let link = move |n: usize| {
        let list = list
            .as_deref()
            .map(|l| format!("&list={}", urlencode(l)))
            .unwrap_or_default();
        format!("/?source={source}{list}&page={n}")
    };
    let prev = (page.page > 1).then(|| link(page.page - 1));
    let next = page.has_next.then(|| link(page.page + 1));
    let total = page.total.map(|t| format!(" ({t})")).unwrap_or_default();
    let empty = page.items.is_empty() && page.playlists.is_empty();
    let skipped = page.skipped_note();
    view! {
        <h2 class="list-title">{format!("{}{total}", page.title)}</h2>
        {skipped
            .map(|note| view! { <p class="muted" data-testid="library-skipped">{note}</p> })}
        {(empty && page.skipped == 0)
            .then(|| view! { <p class="muted" data-testid="library-empty">"Nothing here."</p> })}
        {(!page.playlists.is_empty())
            .then(|| {
                view! {
                    <ul class="playlists" data-testid="playlists">
                        {page
                            .playlists
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <li>
                                        <a
                                            href=format!("/?source=playlist&list={}", urlencode(&p.id))
                                            data-testid="open-playlist"
                                        >
                                            {p.name}
                                        </a>
                                        <span class="muted">
                                            {format!(" · {} tracks · {}", p.total, p.owner)}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
        {(!page.items.is_empty())
            .then(|| {
                view! {
                    <ol class="tracks" data-testid="library">
                        {page.items.into_iter().map(|item| view! { <LibraryRow item /> }).collect_view()}
                    </ol>
                }
            })}
        <Pager page=page.page prev next />
    }
}

/// A track of the library: "Add" when the catalog holds it or its artists' tracks can stand
/// in for it (marked "estimated"), else marked as not in the catalog.
#[component]
fn LibraryRow(item: LibraryItem) -> impl IntoView {
    let t = item.spotify;
    let year = t.year.map(|y| format!(" ({y})")).unwrap_or_default();
    let in_catalog = item.catalog.is_some();
    let estimate = item.estimate.clone();
    let action = match (item.catalog, item.matched_by) {
        (Some(c), kind) => {
            let label = c.label();
            let note = (kind == Some(MatchKind::Name)).then(|| {
                view! {
                    <span class="match muted" title="Found in the catalog by artist and title">
                        "≈ catalog"
                    </span>
                }
            });
            view! {
                <Features track=c.clone() />
                <span class="actions">{note} <AddSeedButton track_id=c.id.to_string() label /></span>
            }
            .into_any()
        }
        (None, _) => match estimate {
            Some(note) => {
                let label = t.label();
                // The mark stands where the features of a catalog track are, so the columns
                // line up with the other rows.
                view! {
                    <span class="match estimated" data-testid="estimated" title=note>
                        "estimated"
                    </span>
                    <span class="actions">
                        <AddSeedButton track_id=t.id.clone() label />
                    </span>
                }
                .into_any()
            }
            None => view! {
                <span class="not-in-catalog" data-testid="not-in-catalog">
                    "Not in the catalog, nor anything by its artists: cannot be a seed"
                </span>
            }
            .into_any(),
        },
    };
    view! {
        <li class="track" data-testid="library-track" data-in-catalog=in_catalog.to_string()>
            <span class="title">{t.name.clone()}</span>
            <span class="artists">{t.artists.join(", ")}</span>
            <span class="album muted">{format!("{}{}", t.album, year)}</span>
            {action}
        </li>
    }
}
