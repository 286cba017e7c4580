//! The browser entry point. Trunk builds this crate to WASM; the server's pages load it and
//! call [`hydrate`], which attaches the interactive client to the server-rendered HTML.

/// Hydrates the server-rendered body with the application.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
