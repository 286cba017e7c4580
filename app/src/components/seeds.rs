//! The picked seeds as chips (counter, remove, clear) and the button that adds one.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::{action_error, ctx};
use crate::api::error_text;
use crate::options::MAX_SEEDS;

/// The picked seeds: chips with a remove button each, a counter and "Clear all".
#[component]
pub fn SeedTray() -> impl IntoView {
    let ctx = ctx();
    let count = move || ctx.loaded().map_or(0, |s| s.seeds.len());
    view! {
        <section class="card seeds" aria-labelledby="seeds-title">
            <div class="seeds-head">
                <h2 id="seeds-title">"Your seeds"</h2>
                <span class="counter" data-testid="seed-count" aria-live="polite">
                    <Transition fallback=|| "…">
                        {move || format!("{} / {MAX_SEEDS}", count())}
                    </Transition>
                </span>
                <ActionForm action=ctx.clear>
                    <button type="submit" class="secondary" data-testid="clear-seeds">
                        "Clear all"
                    </button>
                </ActionForm>
            </div>
            {action_error(move || ctx.add.value().get())}
            {action_error(move || ctx.remove.value().get())}
            {action_error(move || ctx.clear.value().get())}
            <Transition fallback=|| view! { <p class="muted">"Loading your seeds…"</p> }>
                {move || {
                    ctx.state
                        .get()
                        .map(|r| match r {
                            Ok(s) if s.seeds.is_empty() => {
                                view! {
                                    <p class="muted" data-testid="no-seeds">
                                        "No seeds yet: add 1 to 50 tracks you love below."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(s) => {
                                view! {
                                    <ul class="chips" data-testid="seeds">
                                        {s
                                            .seeds
                                            .into_iter()
                                            .map(|t| {
                                                let label = t.label();
                                                let remove_label = format!("Remove {label}");
                                                let id_attr = t.id.to_string();
                                                let estimated = s.estimated.iter().any(|e| *e == t.id);
                                                let mark = estimated
                                                    .then(|| {
                                                        view! {
                                                            <span
                                                                class="match estimated"
                                                                data-testid="seed-estimated"
                                                                title="Not in the catalog: its sound is estimated from its artists' catalog tracks"
                                                            >
                                                                "estimated"
                                                            </span>
                                                        }
                                                    });
                                                view! {
                                                    <li class="chip" data-testid="seed-chip" data-track-id=id_attr>
                                                        <span class="chip-label">{label}</span>
                                                        {mark}
                                                        <ActionForm action=ctx.remove>
                                                            <input type="hidden" name="id" value=t.id.to_string() />
                                                            <button
                                                                type="submit"
                                                                class="chip-remove"
                                                                aria-label=remove_label.clone()
                                                                title=remove_label
                                                            >
                                                                "×"
                                                            </button>
                                                        </ActionForm>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

/// "Add" for a catalog track; "Added" once it is a seed.
#[component]
pub fn AddSeedButton(
    /// Track id (the catalog's, or Spotify's for a track the catalog lacks).
    track_id: String,
    /// `Artist - Title`, for the button's accessible name.
    label: String,
) -> impl IntoView {
    let ctx = ctx();
    let id = track_id.clone();
    let picked = move || {
        ctx.loaded()
            .is_some_and(|s| s.seeds.iter().any(|t| t.id == id))
    };
    let picked2 = picked.clone();
    let picked3 = picked.clone();
    // The accessible name starts with the visible text ("Add" / "Added"), as speech input needs.
    let name = move || {
        if picked3() {
            format!("Added {label}: already a seed")
        } else {
            format!("Add {label} to the seeds")
        }
    };
    view! {
        <ActionForm action=ctx.add>
            <input type="hidden" name="id" value=track_id />
            <button
                type="submit"
                class="add"
                aria-label=name
                disabled=picked.clone()
                data-testid="add-seed"
            >
                {move || if picked2() { "Added" } else { "Add" }}
            </button>
        </ActionForm>
    }
}
