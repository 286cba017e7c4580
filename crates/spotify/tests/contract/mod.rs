//! A contract-driven Spotify: answers generated from the schemas of Spotify's OpenAPI document
//! (`server/tests/fixtures/spotify-open-api.yml`, the repository's copy), served over HTTP on
//! 127.0.0.1 for any path and method the document describes.
//!
//! The generator walks a response schema: `$ref` and `allOf` are merged, `oneOf` picks one
//! alternative, `nullable` values are sometimes `null`, optional properties are sometimes
//! absent, string `enum`s sometimes carry a value Spotify may add later (the contract asks
//! clients to handle unknown values safely), and strings and numbers come from pools that
//! include the empty, the blank, the odd and the out-of-range (the contract gives no ranges
//! for ids, names, durations or popularity). A playlist item's track is sometimes `null`, as
//! the document notes it may be. Each answer is a function of the seed.

#![allow(dead_code)] // each test binary uses a different part

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

/// Spotify's OpenAPI document.
pub struct Contract {
    doc: Value,
}

impl Contract {
    /// The repository's copy of the document.
    pub fn load() -> Contract {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../server/tests/fixtures/spotify-open-api.yml");
        let text = std::fs::read_to_string(&path).expect("the OpenAPI fixture");
        Contract {
            doc: serde_norway::from_str(&text).expect("valid YAML"),
        }
    }

    /// `#/components/...` to the value it names.
    fn resolve(&self, reference: &str) -> &Value {
        let mut v = &self.doc;
        for part in reference.trim_start_matches("#/").split('/') {
            v = &v[part];
        }
        assert!(!v.is_null(), "unresolved {reference}");
        v
    }

    /// The success status and the JSON schema of the answer to `method path` (`path` as
    /// requested, after the API base: `me/tracks`), by the document's path templates; the
    /// template with the most literal segments wins.
    pub fn response(&self, method: &str, path: &str) -> Option<(u16, Value)> {
        let asked: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut best: Option<(usize, &Value)> = None;
        for (template, item) in self.doc["paths"].as_object()? {
            let parts: Vec<&str> = template.trim_matches('/').split('/').collect();
            if parts.len() != asked.len() {
                continue;
            }
            let mut literal = 0;
            let fits = parts.iter().zip(&asked).all(|(p, a)| {
                if p.starts_with('{') {
                    true
                } else {
                    literal += 1;
                    p == a
                }
            });
            if fits && best.is_none_or(|(n, _)| literal > n) {
                best = Some((literal, item));
            }
        }
        let operation = &best?.1[method.to_ascii_lowercase()];
        let responses = operation["responses"].as_object()?;
        let (status, response) = responses.iter().find(|(s, _)| s.starts_with('2'))?;
        let mut response = response;
        if let Some(r) = response["$ref"].as_str() {
            response = self.resolve(r);
        }
        let schema = response["content"]["application/json"]["schema"].clone();
        Some((status.parse().ok()?, schema))
    }

    /// A schema with its `$ref`s and `allOf` parts merged into one (later parts win).
    fn flatten(&self, schema: &Value) -> Map<String, Value> {
        let mut out = Map::new();
        self.merge(&mut out, schema);
        out
    }

    fn merge(&self, out: &mut Map<String, Value>, schema: &Value) {
        if let Some(r) = schema["$ref"].as_str() {
            self.merge(out, self.resolve(r));
        }
        if let Some(parts) = schema["allOf"].as_array() {
            for p in parts {
                self.merge(out, p);
            }
        }
        let Some(map) = schema.as_object() else {
            return;
        };
        for (k, v) in map {
            match k.as_str() {
                "$ref" | "allOf" => {}
                "properties" => {
                    let props = out
                        .entry("properties")
                        .or_insert_with(|| json!({}))
                        .as_object_mut()
                        .expect("properties");
                    for (name, p) in v.as_object().into_iter().flatten() {
                        props.insert(name.clone(), p.clone());
                    }
                }
                "required" => {
                    let req = out
                        .entry("required")
                        .or_insert_with(|| json!([]))
                        .as_array_mut()
                        .expect("required");
                    for r in v.as_array().into_iter().flatten() {
                        if !req.contains(r) {
                            req.push(r.clone());
                        }
                    }
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

/// Answers for one seed.
pub struct Generator<'a> {
    contract: &'a Contract,
    rng: ChaCha8Rng,
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl<'a> Generator<'a> {
    pub fn new(contract: &'a Contract, seed: u64) -> Self {
        Generator {
            contract,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<'v, T>(&mut self, items: &'v [T]) -> &'v T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// A value of `schema`; `name` is the property it is for (ids and links get pools of
    /// their own).
    pub fn value(&mut self, schema: &Value, name: &str, depth: u32) -> Value {
        let s = self.contract.flatten(schema);
        if s.get("nullable") == Some(&Value::Bool(true)) && self.chance(0.15) {
            return Value::Null;
        }
        if let Some(alternatives) = s.get("oneOf").or(s.get("anyOf")).and_then(Value::as_array) {
            let chosen = self.pick(alternatives).clone();
            return self.value(&chosen, name, depth);
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            let is_text = values.iter().all(Value::is_string);
            if is_text && self.chance(0.15) {
                // An open enum: a value Spotify adds later.
                return json!(format!("future-{name}-{}", self.rng.random_range(0..100)));
            }
            return self.pick(values).clone();
        }
        let kind =
            s.get("type")
                .and_then(Value::as_str)
                .unwrap_or(if s.contains_key("properties") {
                    "object"
                } else {
                    "any"
                });
        match kind {
            "object" => self.object(&s, depth),
            "array" => {
                let max = if depth > 8 { 1 } else { 6 };
                let n = self.rng.random_range(0..=max);
                let items = s.get("items").cloned().unwrap_or(json!({}));
                Value::Array(
                    (0..n)
                        .map(|_| self.value(&items, name, depth + 1))
                        .collect(),
                )
            }
            "string" => self.string(&s, name),
            "integer" => self.integer(&s),
            "number" => self.number(&s),
            "boolean" => Value::Bool(self.chance(0.5)),
            _ => Value::Null,
        }
    }

    fn object(&mut self, s: &Map<String, Value>, depth: u32) -> Value {
        let required: Vec<String> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let mut out = Map::new();
        let Some(props) = s.get("properties").and_then(Value::as_object) else {
            return Value::Object(out);
        };
        let absent = if depth > 8 { 0.6 } else { 0.2 };
        for (name, p) in props {
            if !required.contains(name) && self.chance(absent) {
                continue;
            }
            // "Note, a track object may be `null`. This can happen if a track is no longer
            // available." (the contract's `PlaylistTracksRefObject`): a playlist item's track
            // or episode is sometimes null.
            if matches!(name.as_str(), "item" | "track")
                && p.get("oneOf").is_some()
                && self.chance(0.1)
            {
                out.insert(name.clone(), Value::Null);
                continue;
            }
            out.insert(name.clone(), self.value(p, name, depth + 1));
        }
        Value::Object(out)
    }

    fn base62(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| BASE62[self.rng.random_range(0..BASE62.len())] as char)
            .collect()
    }

    fn string(&mut self, s: &Map<String, Value>, name: &str) -> Value {
        if s.get("format").and_then(Value::as_str) == Some("date-time") {
            let t = format!(
                "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                self.rng.random_range(0..27),
                self.rng.random_range(1..13),
                self.rng.random_range(1..29),
                self.rng.random_range(0..24),
                self.rng.random_range(0..60),
                self.rng.random_range(0..60)
            );
            return json!(t);
        }
        let odd = [
            "",
            "  ",
            "with space",
            "../../me",
            "Beyoncé – Déjà Vu ✓",
            "<script>alert(1)</script>",
        ];
        match name {
            "id" if self.chance(0.8) => json!(self.base62(22)),
            "href" | "url" | "spotify" | "next" | "previous" if self.chance(0.6) => {
                let id = self.base62(22);
                json!(*self.pick(&[
                    format!("https://open.spotify.com/track/{id}"),
                    format!("https://api.spotify.com/v1/me/tracks?offset=50&id={id}"),
                    "javascript:alert(1)".to_string(),
                    "http://example.com/x".to_string(),
                ]))
            }
            "release_date" if self.chance(0.7) => {
                let y = self.rng.random_range(1800..2100);
                let m = self.rng.random_range(1..10);
                json!(*self.pick(&[
                    format!("{y}"),
                    format!("{y}-0{m}"),
                    format!("{y}-12-31"),
                    "0000".to_string(),
                    "99999-01-01".to_string(),
                ]))
            }
            _ => {
                if let Some(example) = s.get("example").filter(|e| e.is_string()) {
                    if self.chance(0.4) {
                        return example.clone();
                    }
                }
                if self.chance(0.3) {
                    return json!(*self.pick(&odd));
                }
                let n = self.rng.random_range(1..24);
                json!(self.base62(n))
            }
        }
    }

    fn integer(&mut self, s: &Map<String, Value>) -> Value {
        let min = s.get("minimum").and_then(Value::as_i64);
        let max = s.get("maximum").and_then(Value::as_i64);
        if min.is_some() || max.is_some() {
            let lo = min.unwrap_or(i64::from(i32::MIN));
            let hi = max.unwrap_or(i64::from(i32::MAX));
            return json!(self.rng.random_range(lo..=hi));
        }
        match self.rng.random_range(0..10) {
            0 => json!(0),
            1 => json!(-self.rng.random_range(1..1_000_000i64)),
            2 => json!(self.rng.random_range(1i64 << 32..i64::MAX)),
            3 => json!(self.rng.random_range(100..1_000u64)),
            _ => json!(self.rng.random_range(1..400_000u64)),
        }
    }

    fn number(&mut self, s: &Map<String, Value>) -> Value {
        let min = s.get("minimum").and_then(Value::as_f64);
        let max = s.get("maximum").and_then(Value::as_f64);
        if let (Some(lo), Some(hi)) = (min, max) {
            return json!(self.rng.random_range(lo..=hi));
        }
        json!(self.rng.random_range(-1e6..1e9))
    }
}

/// A request the mock answered: method, path (after `/v1/`), query, and the answer.
#[derive(Clone, Debug)]
pub struct Served {
    pub method: String,
    pub path: String,
    pub query: String,
    pub answer: Value,
}

struct Mock {
    contract: Contract,
    seed: Mutex<(u64, u64)>,
    served: Mutex<Vec<Served>>,
}

/// The contract-driven Spotify, listening on 127.0.0.1.
#[derive(Clone)]
pub struct ContractServer {
    mock: Arc<Mock>,
    /// `http://127.0.0.1:PORT`; the API is under `/v1/`.
    pub base: String,
}

impl ContractServer {
    pub async fn start() -> ContractServer {
        let mock = Arc::new(Mock {
            contract: Contract::load(),
            seed: Mutex::new((0, 0)),
            served: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(mock.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        ContractServer {
            mock,
            base: format!("http://{addr}"),
        }
    }

    /// Starts a run: answers from now on come from `seed`, and the record is emptied.
    pub fn run(&self, seed: u64) {
        *self.mock.seed.lock().unwrap() = (seed, 0);
        self.mock.served.lock().unwrap().clear();
    }

    /// The requests answered since [`ContractServer::run`].
    pub fn served(&self) -> Vec<Served> {
        self.mock.served.lock().unwrap().clone()
    }

    /// An answer for `seed` alone, as the server would send it (for the contract's own
    /// schema of `method path`).
    pub fn generate(&self, method: &str, path: &str, seed: u64) -> Value {
        let (_, schema) = self
            .mock
            .contract
            .response(method, path)
            .unwrap_or_else(|| panic!("the contract has no {method} {path}"));
        Generator::new(&self.mock.contract, seed).value(&schema, "", 0)
    }
}

async fn answer(State(mock): State<Arc<Mock>>, method: Method, uri: Uri) -> Response {
    let path = uri
        .path()
        .trim_start_matches("/v1")
        .trim_matches('/')
        .to_string();
    let Some((status, schema)) = mock.contract.response(method.as_str(), &path) else {
        return (StatusCode::NOT_FOUND, "not in the contract").into_response();
    };
    let seed = {
        let mut s = mock.seed.lock().unwrap();
        s.1 += 1;
        s.0.wrapping_mul(1_000).wrapping_add(s.1)
    };
    let value = Generator::new(&mock.contract, seed).value(&schema, "", 0);
    mock.served.lock().unwrap().push(Served {
        method: method.to_string(),
        path,
        query: uri.query().unwrap_or("").to_string(),
        answer: value.clone(),
    });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, axum::Json(value)).into_response()
}
