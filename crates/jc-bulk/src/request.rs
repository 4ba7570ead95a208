//! Pure request builders: typed input plus the [`Endpoint`] to an `http::Request<Bytes>`, no I/O.
//!
//! Every request carries `x-api-key` (marked sensitive), `Accept: application/json`,
//! `User-Agent`, `Content-Type: application/json` when it has a body, and `x-org-id` when an org
//! is set (CONTRACT.md, "Operations"). Job submissions are marked
//! [`Idempotency::NonIdempotent`]; reads and the DELETE are idempotent.

use crate::error::{Error, InvalidInput};
use crate::options::{
    CallOptions, CreateUsersOptions, ListScheduledOptions, Page, UpdateUsersOptions,
};
use crate::secret::ApiKey;
use bytes::Bytes;
use http::{HeaderValue, Method, Request};
use jc_models::{
    BulkScheduledStatechangeCreate, BulkUserCreate, BulkUserExpire, BulkUserUnlock, BulkUserUpdate,
    OrgId, Validate,
};
use jc_transport::Idempotency;
use serde::Serialize;

/// Where requests go and who sends them.
#[derive(Debug, Clone)]
pub struct Endpoint {
    base_url: String,
    api_key: Option<ApiKey>,
    org_id: Option<OrgId>,
    user_agent: HeaderValue,
    v1_base_url: Option<String>,
}

/// The default user agent: `jc-bulk/<version>`.
pub const USER_AGENT: &str = concat!("jc-bulk/", env!("CARGO_PKG_VERSION"));

impl Endpoint {
    /// An endpoint for `base_url` (e.g. `https://console.jumpcloud.com/api/v2`) and `api_key`.
    ///
    /// # Errors
    /// A base URL that is not an absolute http(s) URL.
    pub fn new(base_url: &str, api_key: ApiKey) -> Result<Self, Error> {
        Self::with_credentials(base_url, Some(api_key))
    }

    /// An endpoint whose requests carry no `x-api-key` (a [`jc_transport::BearerAuth`] layer
    /// authenticates them).
    ///
    /// # Errors
    /// A base URL that is not an absolute http(s) URL.
    pub fn without_key(base_url: &str) -> Result<Self, Error> {
        Self::with_credentials(base_url, None)
    }

    fn with_credentials(base_url: &str, api_key: Option<ApiKey>) -> Result<Self, Error> {
        let base_url = base_url.trim().trim_end_matches('/').to_owned();
        let uri: http::Uri = base_url
            .parse()
            .map_err(|e| Error::Config(format!("base URL `{base_url}`: {e}")))?;
        let port = uri
            .authority()
            .and_then(|a| a.as_str().rsplit('@').next())
            .and_then(|host_port| host_port.rsplit_once(':'))
            .map(|(_, port)| port)
            .filter(|port| !port.contains(']'));
        if port.is_some_and(|port| port.parse::<u16>().map_or(true, |p| p == 0)) {
            return Err(Error::Config(format!(
                "base URL `{base_url}` has an invalid port (1 to 65535)"
            )));
        }
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(Error::Config(format!(
                "base URL `{base_url}` must be an absolute http(s) URL"
            )));
        }
        Ok(Self {
            base_url,
            api_key,
            org_id: None,
            user_agent: HeaderValue::from_static(USER_AGENT),
            v1_base_url: None,
        })
    }

    /// The same endpoint acting on `org_id` by default.
    #[must_use]
    pub fn with_org(mut self, org_id: Option<OrgId>) -> Self {
        self.org_id = org_id.filter(|org| !org.trim().is_empty());
        self
    }

    /// The same endpoint with another `User-Agent`.
    ///
    /// # Errors
    /// A value that is not a valid header.
    pub fn with_user_agent(mut self, user_agent: &str) -> Result<Self, Error> {
        self.user_agent = HeaderValue::from_str(user_agent)
            .map_err(|_| Error::Config(format!("invalid user agent `{user_agent}`")))?;
        Ok(self)
    }

    /// The same endpoint with an explicit v1 root (CONTRACT.md section 19), for a base URL that
    /// does not end in `/v2`.
    #[must_use]
    pub fn with_v1_base_url(mut self, url: Option<String>) -> Self {
        self.v1_base_url = url.map(|u| u.trim().trim_end_matches('/').to_owned());
        self
    }

    /// The v1 root: the explicit one, else the base URL without its trailing `/v2`.
    ///
    /// # Errors
    /// A base URL that does not end in `/v2` and no explicit v1 root.
    pub fn v1_base_url(&self) -> Result<&str, Error> {
        match (&self.v1_base_url, self.base_url.strip_suffix("/v2")) {
            (Some(explicit), _) => Ok(explicit),
            (None, Some(root)) => Ok(root),
            (None, None) => Err(Error::Config(format!(
                "the base URL `{}` does not end in /v2, so the v1 root for user lookups is not known: set it (ClientBuilder::v1_base_url, jcbulk --v1-base-url)",
                self.base_url
            ))),
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The default org id.
    pub fn org_id(&self) -> Option<&str> {
        self.org_id.as_deref()
    }

    /// A request to `path` (below the base URL) with the standard headers; the escape hatch for
    /// endpoints this crate does not wrap.
    ///
    /// # Errors
    /// A path or header that does not form a valid request.
    pub fn request(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
        org_override: Option<&str>,
    ) -> Result<Request<Bytes>, Error> {
        let url = format!("{}{}", self.base_url, path_and_query);
        self.request_url(method, &url, body, org_override)
    }

    /// The scheme, host and port of the base URL (`https://console.jumpcloud.com`).
    pub fn origin(&self) -> &str {
        let after_scheme = self.base_url.find("://").map_or(0, |i| i + 3);
        match self.base_url[after_scheme..].find('/') {
            Some(slash) => &self.base_url[..after_scheme + slash],
            None => &self.base_url,
        }
    }

    /// Like [`Endpoint::request`] for an absolute URL, which must be on the base URL's origin
    /// (the API key is never sent elsewhere).
    ///
    /// # Errors
    /// A URL on another origin, or one that does not form a valid request.
    pub fn request_url(
        &self,
        method: Method,
        url: &str,
        body: Option<Bytes>,
        org_override: Option<&str>,
    ) -> Result<Request<Bytes>, Error> {
        let origin = self.origin();
        let same_origin = url
            .strip_prefix(origin)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'));
        if !same_origin {
            return Err(Error::Config(format!(
                "refusing to send the API key to `{url}`, which is not on {origin}"
            )));
        }
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(url)
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::USER_AGENT, self.user_agent.clone());
        if let Some(api_key) = &self.api_key {
            let mut key = HeaderValue::from_str(api_key.expose()).map_err(|_| {
                Error::Config("the API key holds characters a header cannot".into())
            })?;
            key.set_sensitive(true);
            builder = builder.header("x-api-key", key);
        }
        if let Some(org) = org_override
            .or(self.org_id.as_deref())
            .filter(|o| !o.trim().is_empty())
        {
            let org = HeaderValue::from_str(org.trim())
                .map_err(|_| Error::Config(format!("invalid org id `{org}`")))?;
            builder = builder.header("x-org-id", org);
        }
        if body.is_some() {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
        }
        let mut request = builder
            .body(body.unwrap_or_default())
            .map_err(|e| Error::Config(format!("cannot build {method} {url}: {e}")))?;
        request
            .extensions_mut()
            .insert(Idempotency::default_for(&method));
        Ok(request)
    }

    fn json<T: Serialize + ?Sized>(
        &self,
        method: Method,
        path_and_query: &str,
        body: &T,
        org: Option<&str>,
    ) -> Result<Request<Bytes>, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| InvalidInput::Argument(format!("cannot encode the body: {e}")))?;
        self.request(method, path_and_query, Some(Bytes::from(bytes)), org)
    }
}

/// Percent-encodes one path segment (ids given by callers).
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn with_query(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    format!("{path}?{}", query.finish())
}

fn page_pairs(page: Page) -> Vec<(&'static str, String)> {
    vec![
        ("limit", page.limit().to_string()),
        ("skip", page.skip().to_string()),
    ]
}

fn check_records<T: Validate>(records: &[T], skip: bool) -> Result<(), Error> {
    if records.is_empty() {
        return Err(InvalidInput::Argument("a bulk job needs at least one record".into()).into());
    }
    if skip {
        return Ok(());
    }
    let broken: Vec<_> = records
        .iter()
        .enumerate()
        .filter_map(|(i, record)| record.validate().err().map(|v| (i, v)))
        .collect();
    if broken.is_empty() {
        Ok(())
    } else {
        Err(InvalidInput::Records(broken).into())
    }
}

fn suppress(flag: Option<bool>) -> Vec<(&'static str, String)> {
    flag.map(|f| vec![("suppressEmail", f.to_string())])
        .unwrap_or_default()
}

/// POST /bulk/users.
///
/// # Errors
/// No records, or records that fail `validate()` (unless skipped): every violation.
pub fn create_users(
    endpoint: &Endpoint,
    users: &[BulkUserCreate],
    options: &CreateUsersOptions,
) -> Result<Request<Bytes>, Error> {
    check_records(users, options.skip_validation)?;
    let path = with_query("/bulk/users", &suppress(options.suppress_email));
    let mut request = endpoint.json(Method::POST, &path, users, options.org_id.as_deref())?;
    if let Some(source) = options.creation_source {
        request
            .headers_mut()
            .insert("creation-source", HeaderValue::from_static(source.as_str()));
    }
    Ok(request)
}

/// PATCH /bulk/users.
///
/// # Errors
/// No records, or records that fail `validate()` (unless skipped).
pub fn update_users(
    endpoint: &Endpoint,
    users: &[BulkUserUpdate],
    options: &UpdateUsersOptions,
) -> Result<Request<Bytes>, Error> {
    check_records(users, options.skip_validation)?;
    let path = with_query("/bulk/users", &suppress(options.suppress_email));
    endpoint.json(Method::PATCH, &path, users, options.org_id.as_deref())
}

/// POST /bulk/user/expires.
///
/// # Errors
/// No records, or a record without an id.
pub fn expire_users(
    endpoint: &Endpoint,
    users: &[BulkUserExpire],
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    check_records(users, false)?;
    endpoint.json(
        Method::POST,
        "/bulk/user/expires",
        users,
        options.org_id.as_deref(),
    )
}

/// POST /bulk/user/unlocks.
///
/// # Errors
/// No records, or a record without an id.
pub fn unlock_users(
    endpoint: &Endpoint,
    users: &[BulkUserUnlock],
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    check_records(users, false)?;
    endpoint.json(
        Method::POST,
        "/bulk/user/unlocks",
        users,
        options.org_id.as_deref(),
    )
}

/// GET /bulk/users/{job_id}/results.
///
/// # Errors
/// An empty job id.
pub fn job_results(
    endpoint: &Endpoint,
    job_id: &str,
    page: Page,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    let job = non_empty("job id", job_id)?;
    let path = with_query(
        &format!("/bulk/users/{}/results", encode_segment(job)),
        &page_pairs(page),
    );
    endpoint.request(Method::GET, &path, None, options.org_id.as_deref())
}

/// POST /bulk/userstates, after the checks of CONTRACT.md section 8.
///
/// # Errors
/// A body that breaks section 8: every violation.
pub fn schedule_state_change(
    endpoint: &Endpoint,
    change: &BulkScheduledStatechangeCreate,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    change
        .validate()
        .map_err(|violations| InvalidInput::Records(vec![(0, violations)]))?;
    endpoint.json(
        Method::POST,
        "/bulk/userstates",
        change,
        options.org_id.as_deref(),
    )
}

/// GET /bulk/userstates: one `filter` pair per filter (section 5), `userid`, `limit`, `skip`.
///
/// # Errors
/// Never in practice; kept for uniformity.
pub fn list_scheduled(
    endpoint: &Endpoint,
    options: &ListScheduledOptions,
    page: Page,
) -> Result<Request<Bytes>, Error> {
    let mut pairs: Vec<(&str, String)> = options
        .filters
        .iter()
        .map(|filter| ("filter", filter.to_string()))
        .collect();
    if let Some(user) = &options.user_id {
        pairs.push(("userid", user.clone()));
    }
    pairs.extend(page_pairs(page));
    endpoint.request(
        Method::GET,
        &with_query("/bulk/userstates", &pairs),
        None,
        options.org_id.as_deref(),
    )
}

/// DELETE /bulk/userstates/{id}.
///
/// # Errors
/// An empty id.
pub fn cancel_scheduled(
    endpoint: &Endpoint,
    scheduled_job_id: &str,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    let id = non_empty("scheduled job id", scheduled_job_id)?;
    let path = format!("/bulk/userstates/{}", encode_segment(id));
    endpoint.request(Method::DELETE, &path, None, options.org_id.as_deref())
}

/// GET /bulk/userstates/eventlist/next for 1..=100 users, comma-joined (section 6).
///
/// # Errors
/// No user ids or more than 100.
pub fn next_scheduled(
    endpoint: &Endpoint,
    user_ids: &[String],
    page: Page,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    if user_ids.is_empty() || user_ids.len() > 100 {
        return Err(InvalidInput::Argument(format!(
            "eventlist/next takes 1 to 100 user ids per call, not {}",
            user_ids.len()
        ))
        .into());
    }
    let mut pairs = vec![("users", user_ids.join(","))];
    pairs.extend(page_pairs(page));
    endpoint.request(
        Method::GET,
        &with_query("/bulk/userstates/eventlist/next", &pairs),
        None,
        options.org_id.as_deref(),
    )
}

/// GET /jobs/{id} (legacy, deprecated: section 14).
///
/// # Errors
/// An empty id.
pub fn legacy_job(
    endpoint: &Endpoint,
    job_id: &str,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    let job = non_empty("job id", job_id)?;
    endpoint.request(
        Method::GET,
        &format!("/jobs/{}", encode_segment(job)),
        None,
        options.org_id.as_deref(),
    )
}

/// GET /jobs/{id}/results (legacy, deprecated: section 14).
///
/// # Errors
/// An empty id.
pub fn legacy_job_results(
    endpoint: &Endpoint,
    job_id: &str,
    page: Page,
    options: &CallOptions,
) -> Result<Request<Bytes>, Error> {
    let job = non_empty("job id", job_id)?;
    let path = with_query(
        &format!("/jobs/{}/results", encode_segment(job)),
        &page_pairs(page),
    );
    endpoint.request(Method::GET, &path, None, options.org_id.as_deref())
}

fn non_empty<'a>(what: &str, value: &'a str) -> Result<&'a str, Error> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(InvalidInput::Argument(format!("the {what} is empty")).into())
    } else {
        Ok(trimmed)
    }
}

/// The v1 reads of users (CONTRACT.md sections 19-21).
pub mod v1 {
    use super::{encode_segment, Endpoint};
    use crate::error::{Error, InvalidInput};
    use crate::options::Page;
    use bytes::Bytes;
    use http::{Method, Request};
    use jc_models::Search;

    fn query(pairs: &[(&str, &str)]) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (key, value) in pairs {
            out.append_pair(key, value);
        }
        out.finish()
    }

    /// `GET /systemusers?limit&skip&sort=_id[&fields][&filter...]`: `filters` are
    /// `field:$op:value` (all must hold), `fields` space-separated names.
    ///
    /// # Errors
    /// No v1 root (see [`Endpoint::v1_base_url`]).
    pub fn list_users(
        endpoint: &Endpoint,
        filters: &[String],
        fields: Option<&str>,
        page: Page,
        org: Option<&str>,
    ) -> Result<Request<Bytes>, Error> {
        let (limit, skip) = (page.limit().to_string(), page.skip().to_string());
        let mut pairs = vec![
            ("limit", limit.as_str()),
            ("skip", skip.as_str()),
            ("sort", "_id"),
        ];
        if let Some(fields) = fields {
            pairs.push(("fields", fields));
        }
        pairs.extend(filters.iter().map(|f| ("filter", f.as_str())));
        let url = format!("{}/systemusers?{}", endpoint.v1_base_url()?, query(&pairs));
        endpoint.request_url(Method::GET, &url, None, org)
    }

    /// `POST /search/systemusers` with `limit` and `skip` in the query and the body (section 20).
    ///
    /// # Errors
    /// No v1 root, or a body that cannot be encoded.
    pub fn search_users(
        endpoint: &Endpoint,
        search: &Search,
        org: Option<&str>,
    ) -> Result<Request<Bytes>, Error> {
        let (limit, skip) = (
            search.limit.unwrap_or(100).to_string(),
            search.skip.unwrap_or(0).to_string(),
        );
        let url = format!(
            "{}/search/systemusers?{}",
            endpoint.v1_base_url()?,
            query(&[("limit", &limit), ("skip", &skip)])
        );
        let body = serde_json::to_vec(search)
            .map_err(|e| InvalidInput::Argument(format!("cannot encode the search: {e}")))?;
        endpoint.request_url(Method::POST, &url, Some(Bytes::from(body)), org)
    }

    /// `GET /systemusers/{id}`.
    ///
    /// # Errors
    /// No v1 root.
    pub fn get_user(
        endpoint: &Endpoint,
        id: &str,
        org: Option<&str>,
    ) -> Result<Request<Bytes>, Error> {
        let url = format!(
            "{}/systemusers/{}",
            endpoint.v1_base_url()?,
            encode_segment(id.trim())
        );
        endpoint.request_url(Method::GET, &url, None, org)
    }
}
