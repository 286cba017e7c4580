//! The only parts of the page compiled into the browser bundle: Leptos islands. Everything
//! else is rendered by the server alone; links and forms load the next page in place through
//! the page script (`app/src/enhance.js`), which keeps islands alive across pages.

use leptos::prelude::*;

/// Marks the page as running the WASM client (`data-hydrated="true"` once hydrated), for tests
/// and the curious.
#[island]
pub fn HydratedMark() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! { <span hidden data-hydrated=move || hydrated.get().to_string()></span> }
}

/// How long typing must pause before the search runs (ms).
const SEARCH_PAUSE_MS: u64 = 150;

/// The catalog search box: a plain input of the search form without JavaScript; live once
/// hydrated, submitting its form (which the page script loads in place, replacing the
/// history entry) when typing pauses.
#[island]
pub fn LiveSearch(
    /// The query the page was rendered for.
    q: String,
) -> impl IntoView {
    // The pending submission, so that only the last keystroke's runs.
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let on_input = move |ev: leptos::ev::Event| {
        use leptos::wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                if let Some(form) = input.form() {
                    // Runs the submit handlers, so the page script loads the hits in place.
                    _ = form.request_submit();
                }
            },
            std::time::Duration::from_millis(SEARCH_PAUSE_MS),
        )
        .ok();
        pending.set_value(handle);
    };
    view! {
        <input
            id="q"
            name="q"
            type="search"
            autocomplete="off"
            placeholder="Artist, title or album, or paste a Spotify link"
            value=q
            on:input=on_input
        />
    }
}
