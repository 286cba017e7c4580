//! The start page: what the catalog holds, the seeds picked so far, where to pick them from
//! (the catalog search; the listener's Spotify library when signed in), and the options with
//! the Generate button.

use leptos::prelude::*;

use crate::api::{catalog_summary, error_text};
use crate::components::{ctx, OptionsForm, SeedTray, Sources};

#[component]
pub fn HomePage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| catalog_summary());
    let ctx = ctx();
    view! {
        <section class="card intro">
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
                            Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
        <SeedTray />
        <section class="card picker" aria-label="Pick seeds">
            <Sources />
        </section>
        <section class="card">
            <Transition fallback=|| view! { <p class="muted">"Loading the options…"</p> }>
                {move || {
                    ctx.state
                        .get()
                        .map(|r| match r {
                            Ok(state) => view! { <OptionsForm state submit="Generate" /> }.into_any(),
                            Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                        })
                }}
            </Transition>
        </section>
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
}
