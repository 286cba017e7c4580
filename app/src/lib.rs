//! Selecta's Leptos application: the page shell, routes, components and server functions.
//!
//! The crate is compiled twice: with feature `ssr` into the server (rendering pages and running
//! server functions against the loaded model and the session) and with feature `hydrate` into
//! the browser bundle, of which only the islands are used. Everything under
//! `#[cfg(feature = "ssr")]` stays out of the browser.
//!
//! Every page works without JavaScript: forms post to server functions, which redirect back,
//! and the state they change lives in the server-side session. Pages are rendered by the
//! server alone; the browser bundle holds only the islands (`components::islands`), and the
//! page script (`enhance.js`) loads links and forms in place, without a page load.

// Deeply nested view types (the playlist page) need more than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod assets;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod charts;
mod components;
pub mod error;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod generate;
pub mod library;
#[cfg(feature = "ssr")]
pub mod links;
pub mod options;
mod pages;
#[cfg(feature = "ssr")]
pub mod save;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    SsrMode, StaticSegment,
};

pub use components::islands;
pub use error::AppError;

/// The shared domain types, re-exported so components and server functions use one definition.
pub use selecta_types::{
    AudioFeatures, Playlist, PlaylistEntry, Reason, SpotifyPlaylist, SpotifyTrack, Track,
};

/// The HTML document around the application, rendered by the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <Hydrate options=&options />
                // In the shell, not the app: the server alone knows the stylesheet's hashed name,
                // and the page script never touches the head.
                <link rel="stylesheet" href=assets::stylesheet() />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page script (`enhance.js`): links and forms load the next page in place, and the WASM
/// islands are fetched and hydrated once the page has loaded. Unlike Leptos' `HydrationScripts`,
/// it puts no preload of the bundle in the head, so on a slow link the bundle never delays the
/// page being seen; every form works as a plain post until then, and without JavaScript.
#[component]
fn Hydrate<'a>(options: &'a LeptosOptions) -> impl IntoView {
    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    // The names are the server's own (hashed file names, plain ASCII), quoted for the script.
    let script = format!(
        "({enhance})({js:?}, {wasm:?});",
        enhance = page_script(),
        js = format!("{pkg}.js"),
        wasm = format!("{pkg}_bg.wasm"),
    );
    view! { <script type="module" inner_html=script></script> }
}

/// `enhance.js` without its comment lines and indentation (it goes out in every page).
fn page_script() -> &'static str {
    static SCRIPT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| {
        include_str!("enhance.js")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The application: layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Selecta" />
        <Router>
            <components::Session>
                <components::TopBar />
                <main>
                    <Routes fallback=pages::NotFound>
                        // Async: the server waits for the page's data before sending it, so the
                        // page is complete without JavaScript (streamed fallbacks need a script).
                        <Route path=StaticSegment("") view=pages::HomePage ssr=SsrMode::Async />
                        <Route
                            path=StaticSegment("playlist")
                            view=pages::PlaylistPage
                            ssr=SsrMode::Async
                        />
                    </Routes>
                </main>
            </components::Session>
        </Router>
    }
}
