//! The application's pages.

mod home;
mod playlist;

pub use home::HomePage;
pub use playlist::PlaylistPage;

use leptos::prelude::*;

/// Shown for unknown paths (the server answers 404), with the request id an operator finds
/// in the logs.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    // Only the server knows it (a request header); pages are rendered by the server alone.
    let id = request_id().map(|id| {
        view! {
            <p class="muted" data-testid="request-id">
                "Request id: "<code>{id}</code>
            </p>
        }
    });
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to the start"</a></p>
            {id}
        </section>
    }
}

/// The request's id (`x-request-id`, set by the server's request layer), while rendering on
/// the server.
fn request_id() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>().and_then(|p| {
            p.headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
