//! How a track is shown: title, artists, album and year, and a compact view of its audio
//! features.

use leptos::prelude::*;

use crate::Track;

/// Title, artists, album (year).
#[component]
pub fn TrackMeta(track: Track) -> impl IntoView {
    let year = track.year.map(|y| format!(" ({y})")).unwrap_or_default();
    view! {
        <span class="title">{track.name.to_string()}</span>
        <span class="artists">{track.artists.join(", ")}</span>
        <span class="album muted">{format!("{}{}", track.album, year)}</span>
    }
}

/// Energy, danceability and mood as small bars, and the tempo in BPM.
#[component]
pub fn Features(track: Track) -> impl IntoView {
    let f = &track.features;
    let bars = [
        ("E", "energy", f.energy.get()),
        ("D", "danceability", f.danceability.get()),
        ("M", "mood (valence)", f.valence.get()),
    ];
    let tempo = f
        .tempo
        .get()
        .map(|t| format!("{t:.0} BPM"))
        .unwrap_or_else(|| "– BPM".into());
    view! {
        <span class="features" data-testid="features">
            {bars
                .into_iter()
                .map(|(short, name, v)| {
                    let pct = v.map_or(0.0, |v| (v * 100.0).clamp(0.0, 100.0));
                    let title = match v {
                        Some(v) => format!("{name} {v:.2}"),
                        None => format!("{name} unknown"),
                    };
                    view! {
                        <span class="feature" title=title.clone() aria-label=title>
                            <span class="feature-name">{short}</span>
                            <span class="bar">
                                <span class="fill" style=format!("width:{pct:.0}%")></span>
                            </span>
                        </span>
                    }
                })
                .collect_view()}
            <span class="tempo">{tempo}</span>
        </span>
    }
}
