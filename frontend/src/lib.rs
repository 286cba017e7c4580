//! The browser entry point. Trunk builds this crate to WASM; the page script loads it, calls
//! [`hydrate`], then hydrates each island of the page (`app::components::islands`) through the
//! function the `#[island]` macro exports for it.

// The islands' exports live in `app`: linking it in puts them in the bundle.
extern crate app;

/// Starts the reactive runtime for the islands (they are hydrated one by one by the page
/// script, which knows where they are).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
