//! The application's pages.

mod home;
mod playlist;

pub use home::HomePage;
pub use playlist::PlaylistPage;

use leptos::prelude::*;

/// Shown for unknown paths (the server answers 404).
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to the start"</a></p>
        </section>
    }
}
