//! Cross-site request refusal for the web app's state-changing requests.
//!
//! The session cookie is SameSite=Lax, which keeps it off cross-site POSTs in current
//! browsers; this check does not lean on that alone. A POST (or any method but GET, HEAD and
//! OPTIONS) is refused with 403 when the browser says it comes from another site:
//! `Sec-Fetch-Site` other than `same-origin` or `none` (typed or bookmarked), or, from a browser
//! that does not send that header, an `Origin` other than this server's. The server's origin
//! is that of `--public-url` when set, else the request's `Host` (behind a proxy, set
//! `--public-url`). Requests with neither header (curl, scripts) are not a browser's cross-site
//! request and pass.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// This server's origin, as browsers write it in `Origin`.
#[derive(Debug, Clone, Default)]
pub struct SameOrigin {
    /// `scheme://host[:port]` of `--public-url`; `None`: judged by the `Host` header.
    public: Option<String>,
}

impl SameOrigin {
    /// From `--public-url` (`https://selecta.example.org/prefix`): its scheme and authority.
    pub fn new(public_url: Option<&str>) -> Self {
        let public = public_url.map(|u| {
            let (scheme, rest) = u.split_once("://").unwrap_or(("http", u));
            let authority = rest.split('/').next().unwrap_or(rest);
            format!("{scheme}://{authority}").to_ascii_lowercase()
        });
        SameOrigin { public }
    }

    /// Whether a request with these headers may change state.
    fn allows(&self, headers: &HeaderMap) -> Result<(), &'static str> {
        let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(site) = value("sec-fetch-site") {
            return match site {
                "same-origin" | "none" => Ok(()),
                _ => Err("it came from another site"),
            };
        }
        let Some(origin) = value(header::ORIGIN.as_str()) else {
            return Ok(());
        };
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        let same = match &self.public {
            Some(public) => origin == *public,
            None => value(header::HOST.as_str()).is_some_and(|host| {
                let host = host.to_ascii_lowercase();
                origin == format!("http://{host}") || origin == format!("https://{host}")
            }),
        };
        if same {
            Ok(())
        } else {
            Err("its Origin is another site")
        }
    }
}

/// The middleware.
pub async fn check(State(same): State<Arc<SameOrigin>>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        if let Err(why) = same.allows(req.headers()) {
            tracing::warn!(path = %req.uri().path(), why, "cross-site request refused");
            return (
                StatusCode::FORBIDDEN,
                format!(
                    "Selecta refused this request because {why}: its forms work only on its \
                     own pages. Go back to Selecta and try again.\n"
                ),
            )
                .into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn same_origin_posts_pass_and_cross_site_ones_do_not() {
        let by_host = SameOrigin::new(None);
        let host = ("host", "127.0.0.1:3000");
        assert!(by_host
            .allows(&headers(&[("sec-fetch-site", "same-origin")]))
            .is_ok());
        assert!(by_host
            .allows(&headers(&[("sec-fetch-site", "none")]))
            .is_ok());
        for site in ["cross-site", "same-site", "anything-new"] {
            assert!(by_host
                .allows(&headers(&[("sec-fetch-site", site), host]))
                .is_err());
        }
        // Without Sec-Fetch-Site, the Origin decides.
        assert!(by_host
            .allows(&headers(&[("origin", "http://127.0.0.1:3000"), host]))
            .is_ok());
        for origin in ["https://evil.example", "null", "http://127.0.0.1:3001"] {
            assert!(by_host
                .allows(&headers(&[("origin", origin), host]))
                .is_err());
        }
        // Neither header: not a browser's cross-site request.
        assert!(by_host.allows(&headers(&[host])).is_ok());

        // Behind a proxy, the public URL is the origin, whatever the Host.
        let public = SameOrigin::new(Some("https://Selecta.example.org/app"));
        assert!(public
            .allows(&headers(&[
                ("origin", "https://selecta.example.org"),
                ("host", "10.0.0.5:3000")
            ]))
            .is_ok());
        assert!(public
            .allows(&headers(&[
                ("origin", "http://10.0.0.5:3000"),
                ("host", "10.0.0.5:3000")
            ]))
            .is_err());
    }
}
