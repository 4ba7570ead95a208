//! A raw HTTP caller for tests of the mock: it sends exactly what it is given (through
//! jc-transport's `HyperTransport`, no retries) and checks every answer of a spec operation
//! against the spec's schema for that operation and status.

use crate::spec_check::check_response;
use bytes::Bytes;
use http::{HeaderMap, Method, Request};
use jc_transport::{HyperTransport, Proxy, Transport, TransportError};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// The spec, loaded once per test binary.
pub fn shared_spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(crate::spec)
}

/// The v1 system-user subset, loaded once per test binary.
pub fn shared_spec_v1() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(crate::spec_v1)
}

/// The v2 user-group subset, loaded once per test binary.
pub fn shared_spec_groups() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(crate::spec_groups)
}

/// The v1 organizations subset, loaded once per test binary.
pub fn shared_spec_orgs() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(crate::spec_orgs)
}

/// One answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// The body as JSON, when there is a body.
    pub body: Option<Value>,
}

impl Answer {
    /// The JSON body.
    ///
    /// # Panics
    /// When there is none.
    pub fn json(&self) -> &Value {
        self.body.as_ref().expect("a JSON body")
    }
}

/// Calls a server at `base` with an API key and an optional org.
#[derive(Clone)]
pub struct Api {
    transport: Arc<HyperTransport>,
    spec: &'static Value,
    base: String,
    key: Option<String>,
    org: Option<String>,
}

/// The spec path template (`/bulk/users/{job_id}/results`) matching a concrete path.
pub fn template_for(path: &str) -> Option<String> {
    template_in(shared_spec(), path)
}

fn template_in(spec: &Value, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let paths = spec["paths"].as_object()?;
    let mut candidates: Vec<&String> = paths
        .keys()
        .filter(|template| {
            let parts: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
            parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.starts_with('{') || t == s)
        })
        .collect();
    // A literal segment wins over a parameter (eventlist/next over {id}).
    candidates.sort_by_key(|t| t.matches('{').count());
    candidates.first().map(|t| (*t).clone())
}

impl Api {
    /// A caller of `base` (e.g. `http://127.0.0.1:1234/api/v2`) with `key`.
    pub fn new(base: &str, key: &str) -> Self {
        let transport = HyperTransport::builder()
            .proxy(Proxy::None)
            .build()
            .expect("a transport");
        Self {
            transport: Arc::new(transport),
            spec: shared_spec(),
            base: base.trim_end_matches('/').to_owned(),
            key: Some(key.to_owned()),
            org: None,
        }
    }

    /// The same caller on the v1 root (the base without `/v2`), checked against the v1 subset.
    #[must_use]
    pub fn v1(mut self) -> Self {
        self.base = self.base.trim_end_matches("/v2").to_owned();
        self.spec = shared_spec_v1();
        self
    }

    /// The same caller checked against the user-group subset (same root as the bulk file).
    #[must_use]
    pub fn groups(mut self) -> Self {
        self.spec = shared_spec_groups();
        self
    }

    /// The same caller on the v1 root, checked against the organizations subset.
    #[must_use]
    pub fn orgs(mut self) -> Self {
        self.base = self.base.trim_end_matches("/v2").to_owned();
        self.spec = shared_spec_orgs();
        self
    }

    /// The same caller with another key, or none.
    #[must_use]
    pub fn key(mut self, key: Option<&str>) -> Self {
        self.key = key.map(str::to_owned);
        self
    }

    /// The same caller sending `x-org-id`.
    #[must_use]
    pub fn org(mut self, org: Option<&str>) -> Self {
        self.org = org.map(str::to_owned);
        self
    }

    /// Sends a request without checking the answer.
    ///
    /// # Errors
    /// When no response arrives.
    pub async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<Answer, TransportError> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path_and_query))
            .header("accept", "application/json");
        if let Some(key) = &self.key {
            request = request.header("x-api-key", key);
        }
        if let Some(org) = &self.org {
            request = request.header("x-org-id", org);
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Bytes::from(body.unwrap_or_default().to_owned()))
            .expect("a request");
        let response = self.transport.send(request).await?;
        let (parts, raw) = response.into_parts();
        let body = if raw.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&raw).unwrap_or_else(|error| {
                panic!(
                    "the answer is not JSON ({error}): {}",
                    String::from_utf8_lossy(&raw)
                )
            }))
        };
        Ok(Answer {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }

    /// Sends a request and checks the answer against the spec (declared status, body schema).
    ///
    /// # Panics
    /// When no response arrives or the answer breaks the spec.
    pub async fn call(&self, method: Method, path_and_query: &str, body: Option<&str>) -> Answer {
        self.call_with(method, path_and_query, &[], body).await
    }

    /// [`Api::call`] with extra headers.
    ///
    /// # Panics
    /// When no response arrives or the answer breaks the spec.
    pub async fn call_with(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        let answer = self
            .send(method.clone(), path_and_query, headers, body)
            .await
            .unwrap_or_else(|error| panic!("{method} {path_and_query}: {error}"));
        let path = path_and_query.split('?').next().unwrap_or_default();
        let template = template_in(self.spec, path)
            .unwrap_or_else(|| panic!("{path} is not an operation of the spec"));
        check_response(
            self.spec,
            &template,
            method.as_str(),
            answer.status,
            answer.body.as_ref(),
        )
        .unwrap_or_else(|problem| panic!("{problem}"));
        answer
    }
}
