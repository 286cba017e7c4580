//! The OpenAPI document (generated from the handlers and types by utoipa) at
//! `/api/openapi.json`, and a self-contained HTML page describing it at `/api/docs` (no
//! scripts from a CDN, so it works on an offline deployment).

use std::sync::OnceLock;

use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use selecta_model::Attribute;
use serde_json::Value;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, Required, Type};
use utoipa::{Modify, OpenApi};

use super::{errors, objects, ops, selecta, spotify};

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Selecta API",
        description = "Spotify-compatible `/v1/recommendations` and `/v1/audio-features` served from Selecta's own catalog and model (a Spotify client only changes its base URL to `<server>/v1/`), and Selecta's own `/api`. Errors take Spotify's shape `{\"error\": {\"status\", \"message\"}}`, the message naming the bad parameter. When the server has API keys (SELECTA_API_KEYS), send `Authorization: Bearer <key>`.",
    ),
    paths(
        spotify::recommendations,
        spotify::genre_seeds,
        spotify::several_audio_features,
        spotify::audio_features,
        spotify::track,
        selecta::generate_playlist,
        selecta::search,
        selecta::describe,
        selecta::export,
        ops::healthz,
        ops::readyz,
        ops::metrics_text,
    ),
    components(schemas(errors::ErrorResponse, objects::NotApplied)),
    modifiers(&BoundParameters, &ApiKeyScheme),
    tags(
        (name = "Spotify-compatible", description = "Spotify's withdrawn endpoints, same parameters and shapes"),
        (name = "Selecta", description = "Selecta's own API"),
        (name = "Operations", description = "Health and metrics"),
    ),
)]
pub struct ApiDoc;

/// Adds the 45 `min_`/`max_`/`target_` parameters of `/v1/recommendations`.
struct BoundParameters;

impl Modify for BoundParameters {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let Some(op) = doc
            .paths
            .paths
            .get_mut("/v1/recommendations")
            .and_then(|item| item.get.as_mut())
        else {
            return;
        };
        let params = op.parameters.get_or_insert_with(Vec::new);
        for a in Attribute::ALL {
            let (lo, hi) = a.domain();
            for (prefix, what) in [
                ("min", "Lowest value"),
                ("max", "Highest value"),
                ("target", "Preferred value (re-ranks, does not filter)"),
            ] {
                let extra = match a {
                    Attribute::TimeSignature => {
                        " Accepted; reported as not applied when the catalog has no time signatures (the bundled one has none)."
                    }
                    Attribute::Year => " Selecta extension.",
                    _ => "",
                };
                params.push(
                    ParameterBuilder::new()
                        .name(format!("{prefix}_{}", a.name()))
                        .parameter_in(ParameterIn::Query)
                        .required(Required::False)
                        .description(Some(format!(
                            "{what} of {} ({lo} to {hi}).{extra}",
                            a.name()
                        )))
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::Number)
                                .minimum(Some(f64::from(lo)))
                                .maximum(Some(f64::from(hi))),
                        ))
                        .build(),
                );
            }
        }
    }
}

/// Declares the optional bearer API key.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "One of the server's SELECTA_API_KEYS; not needed when none are set",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as JSON, built once.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_string();
        serde_json::to_value(&doc).expect("the OpenAPI document serialises")
    })
}

/// `GET /api/openapi.json`
pub async fn json() -> Response {
    let mut res = axum::Json(document()).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    res
}

/// `GET /api/docs`
pub async fn docs() -> Html<String> {
    static PAGE: OnceLock<String> = OnceLock::new();
    Html(PAGE.get_or_init(|| render_docs(document())).clone())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The last segment of a `$ref`, or the type.
fn schema_name(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", schema_name(items));
    }
    match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "object".into(),
    }
}

/// The HTML page: every operation with its parameters, body and responses, then the schemas.
pub fn render_docs(doc: &Value) -> String {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let info = &doc["info"];
    let mut h = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} {}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>\
         body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}}\
         code{{background:#f3f3f3;padding:0 .2em}} table{{border-collapse:collapse;width:100%}}\
         td,th{{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}}\
         section{{border-top:1px solid #ccc;margin-top:1.5rem}} .m{{font-weight:bold;text-transform:uppercase}}\
         </style></head><body><h1>{} <small>{}</small></h1><p>{}</p>\
         <p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI {}).</p>",
        esc(&text(info, "title")),
        esc(&text(info, "version")),
        esc(&text(info, "title")),
        esc(&text(info, "version")),
        esc(&text(info, "description")),
        esc(&text(doc, "openapi")),
    );
    let empty = serde_json::Map::new();
    for (path, item) in doc["paths"].as_object().unwrap_or(&empty) {
        for (method, op) in item.as_object().unwrap_or(&empty) {
            let summary = text(op, "summary");
            let description = text(op, "description");
            h.push_str(&format!(
                "<section id=\"{}\"><h2><span class=\"m\">{}</span> <code>{}</code></h2><p>{}</p>",
                esc(&text(op, "operationId")),
                esc(method),
                esc(path),
                esc(if description.is_empty() {
                    &summary
                } else {
                    &description
                }),
            ));
            if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
                h.push_str("<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th>meaning</th></tr>");
                for p in params {
                    h.push_str(&format!(
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(&text(p, "name")),
                        esc(&text(p, "in")),
                        esc(&schema_name(&p["schema"])),
                        if p["required"].as_bool() == Some(true) { "yes" } else { "no" },
                        esc(&text(p, "description")),
                    ));
                }
                h.push_str("</table>");
            }
            if let Some(content) = op["requestBody"]["content"].as_object() {
                for (mime, c) in content {
                    h.push_str(&format!(
                        "<p>Body ({}): <a href=\"#schema-{1}\">{1}</a></p>",
                        esc(mime),
                        esc(&schema_name(&c["schema"])),
                    ));
                }
            }
            h.push_str("<ul>");
            for (status, r) in op["responses"].as_object().unwrap_or(&empty) {
                let body = r["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .map(|c| format!(": <code>{}</code>", esc(&schema_name(&c["schema"]))))
                    .unwrap_or_default();
                h.push_str(&format!(
                    "<li><b>{}</b> {}{}</li>",
                    esc(status),
                    esc(&text(r, "description")),
                    body
                ));
            }
            h.push_str("</ul></section>");
        }
    }
    h.push_str("<section><h2>Schemas</h2>");
    for (name, s) in doc["components"]["schemas"].as_object().unwrap_or(&empty) {
        h.push_str(&format!(
            "<h3 id=\"schema-{0}\">{0}</h3><p>{1}</p>",
            esc(name),
            esc(&text(s, "description"))
        ));
        if let Some(props) = s["properties"].as_object() {
            h.push_str("<table><tr><th>field</th><th>type</th><th>meaning</th></tr>");
            for (field, p) in props {
                h.push_str(&format!(
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    esc(field),
                    esc(&schema_name(p)),
                    esc(&text(p, "description")),
                ));
            }
            h.push_str("</table>");
        }
    }
    h.push_str("</section></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_route_and_bound_parameter() {
        let doc = document();
        let paths: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for p in [
            "/v1/recommendations",
            "/v1/recommendations/available-genre-seeds",
            "/v1/audio-features",
            "/v1/audio-features/{id}",
            "/v1/tracks/{id}",
            "/api/generate",
            "/api/search",
            "/api/tracks/{id}",
            "/api/export",
            "/healthz",
            "/readyz",
            "/metrics",
        ] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
        let params = doc["paths"]["/v1/recommendations"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"min_time_signature"));
        assert!(names.contains(&"target_tempo"));
        assert_eq!(names.len(), 5 + 3 * Attribute::ALL.len());
        assert_eq!(
            doc["components"]["securitySchemes"]["api_key"]["scheme"],
            "bearer"
        );
        for schema in [
            "RecommendationsObject",
            "AudioFeaturesObject",
            "TrackObject",
            "Playlist",
            "Track",
            "GenerateRequest",
            "ErrorResponse",
        ] {
            assert!(
                doc["components"]["schemas"].get(schema).is_some(),
                "{schema}"
            );
        }
    }

    #[test]
    fn the_docs_page_shows_operations_escaped() {
        let page = render_docs(document());
        assert!(page.contains("<code>/v1/recommendations</code>"));
        assert!(page.contains("<code>min_energy</code>"));
        assert!(page.contains("id=\"schema-TrackObject\""));
        let tricky = serde_json::json!({"info": {"title": "<script>x</script>"}, "paths": {}});
        assert!(!render_docs(&tricky).contains("<script>x"));
    }
}
