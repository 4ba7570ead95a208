//! Request markers and helpers the layers share: idempotency, attempt numbers, request ids.

use bytes::Bytes;
use http::{HeaderMap, Method, Request};

/// Whether re-sending a request that may have reached the server is safe.
///
/// Put it in the request's extensions to override the default, which is by method: GET, HEAD,
/// OPTIONS, PUT, DELETE and TRACE are idempotent; POST and PATCH are not. The retry layer only
/// re-sends a non-idempotent request when it provably was not sent ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// Safe to send twice.
    Idempotent,
    /// Sending twice may act twice (a job-creating POST).
    NonIdempotent,
}

impl Idempotency {
    /// The marker in `request`'s extensions, else the default for its method.
    pub fn of<B>(request: &Request<B>) -> Self {
        if let Some(marker) = request.extensions().get::<Self>() {
            return *marker;
        }
        Self::default_for(request.method())
    }

    /// The default for a method.
    pub fn default_for(method: &Method) -> Self {
        match *method {
            Method::POST | Method::PATCH | Method::CONNECT => Self::NonIdempotent,
            _ => Self::Idempotent,
        }
    }
}

/// The 1-based number of the attempt a request is, set by the retry layer in the request's
/// extensions (and in the response's, for the attempt that produced it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attempt(pub u32);

/// A request extension: the instant by which the caller needs an answer. [`crate::Retry`] does
/// not wait past it: when a backoff or a `Retry-After` would cross it, the last answer (or
/// error) is returned at once, so that the caller can say what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(pub tokio::time::Instant);

/// Headers that carry a server-side request id, in order of preference.
pub const REQUEST_ID_HEADERS: &[&str] = &["x-request-id", "x-jc-request-id", "x-amzn-requestid"];

/// The server's request id, from the first of [`REQUEST_ID_HEADERS`] present.
pub fn request_id(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
}

/// A copy of `request` for another attempt (method, URI, version, headers, extensions, body).
pub(crate) fn clone_request(request: &Request<Bytes>) -> Request<Bytes> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    *copy.extensions_mut() = request.extensions().clone();
    copy
}

/// True for `localhost`, `*.localhost`, 127.0.0.0/8 and `::1`.
#[cfg_attr(not(feature = "hyper"), allow(dead_code))]
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_defaults_by_method_and_marker_wins() {
        let get = Request::get("/").body(()).unwrap();
        assert_eq!(Idempotency::of(&get), Idempotency::Idempotent);
        let delete = Request::delete("/").body(()).unwrap();
        assert_eq!(Idempotency::of(&delete), Idempotency::Idempotent);
        let mut post = Request::post("/").body(()).unwrap();
        assert_eq!(Idempotency::of(&post), Idempotency::NonIdempotent);
        let patch = Request::patch("/").body(()).unwrap();
        assert_eq!(Idempotency::of(&patch), Idempotency::NonIdempotent);
        post.extensions_mut().insert(Idempotency::Idempotent);
        assert_eq!(Idempotency::of(&post), Idempotency::Idempotent);
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "api.localhost",
            "127.0.0.1",
            "127.9.8.7",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "console.jumpcloud.com",
            "10.0.0.1",
            "localhost.example.com",
            "128.0.0.1",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn request_id_prefers_x_request_id() {
        let mut headers = HeaderMap::new();
        headers.insert("x-amzn-requestid", "amzn".parse().unwrap());
        assert_eq!(request_id(&headers), Some("amzn"));
        headers.insert("x-request-id", "req-1".parse().unwrap());
        assert_eq!(request_id(&headers), Some("req-1"));
    }
}
