//! The playlist options (length, artist cap, exclusions, "less like", sliders, order) and the
//! Generate button: one form posting to the `generate_playlist` server function, its fields
//! named as that function's `options` argument (`options[length]`...).

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::{action_error, ctx};
use crate::api::PageState;
use crate::options::{Target, MAX_LENGTH};

/// The options form, filled with the options last used. `submit` labels the button
/// ("Generate", "Re-generate").
#[component]
pub fn OptionsForm(state: PageState, submit: &'static str) -> impl IntoView {
    let ctx = ctx();
    let o = state.options;
    let signed_in = state.spotify.signed_in();
    let no_seeds = state.seeds.is_empty();
    let pending = ctx.generate.pending();
    let sliders = Target::ALL
        .into_iter()
        .map(|t| {
            let (min, max, step) = t.range();
            let on = o.target(t);
            let value = RwSignal::new(on.unwrap_or(t.midpoint()));
            let shown = move || {
                let v = value.get();
                if t == Target::Tempo {
                    format!("{v:.0}")
                } else {
                    format!("{v:.2}")
                }
            };
            let name = t.name();
            view! {
                <div class="slider">
                    <label>
                        <input
                            type="checkbox"
                            name=format!("options[{name}_on]")
                            checked=on.is_some()
                            data-testid=format!("{name}-on")
                        />
                        " Aim at " {t.label()}
                    </label>
                    <input
                        type="range"
                        name=format!("options[{name}]")
                        min=min
                        max=max
                        step=step
                        value=value.get_untracked()
                        aria-label=format!("Target {}", t.label())
                        data-testid=format!("{name}-target")
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<f32>() {
                                value.set(v);
                            }
                        }
                    />
                    <output>{shown}</output>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="options">
            <ActionForm action=ctx.generate>
                <fieldset>
                    <legend>"Options"</legend>
                    <div class="row">
                        <label>
                            "Tracks "
                            <input
                                type="number"
                                name="options[length]"
                                min="1"
                                max=MAX_LENGTH
                                value=o.length
                                data-testid="length"
                            />
                        </label>
                        <label>
                            "At most per artist (0: no cap) "
                            <input
                                type="number"
                                name="options[artist_cap]"
                                min="0"
                                max=MAX_LENGTH
                                value=o.artist_cap
                                data-testid="artist-cap"
                            />
                        </label>
                        <label>
                            <input type="checkbox" name="options[flow]" checked=o.flow data-testid="flow" />
                            " Order for listening (smooth tempo, energy and key)"
                        </label>
                        {signed_in
                            .then(|| {
                                view! {
                                    <label>
                                        <input
                                            type="checkbox"
                                            name="options[exclude_saved]"
                                            checked=o.exclude_saved
                                            data-testid="exclude-saved"
                                        />
                                        " Leave out my saved tracks"
                                    </label>
                                }
                            })}
                    </div>
                    <div class="sliders">{sliders}</div>
                    <div class="row">
                        <label class="grow">
                            "Never these artists (comma-separated)"
                            <input
                                type="text"
                                name="options[blocked_artists]"
                                value=o.blocked_artists.join(", ")
                                data-testid="blocked-artists"
                            />
                        </label>
                        <label class="grow">
                            "Less like these tracks (one per line: artist - title)"
                            <textarea name="options[negative_seeds]" rows="2" data-testid="negative-seeds">
                                {o.negative_seeds.join("\n")}
                            </textarea>
                        </label>
                    </div>
                </fieldset>
                <button
                    type="submit"
                    class="primary"
                    data-testid="generate"
                    disabled=move || pending.get()
                    title=no_seeds.then_some("Add at least one seed first")
                >
                    {move || if pending.get() { "Generating…" } else { submit }}
                </button>
            </ActionForm>
            {action_error(move || ctx.generate.value().get())}
        </div>
    }
}
