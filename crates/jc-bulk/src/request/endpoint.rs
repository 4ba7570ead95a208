//! [`Endpoint`]: where requests go (the v2 base, the v1 root, the org) and who sends them.

use crate::error::{ConfigError, Error, InvalidInput};
use crate::secret::ApiKey;
use bytes::Bytes;
use http::{HeaderValue, Method, Request};
use jc_models::OrgId;
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
        let uri: http::Uri =
            base_url
                .parse()
                .map_err(|e: http::uri::InvalidUri| ConfigError::BaseUrl {
                    url: base_url.to_owned(),
                    reason: e.to_string(),
                })?;
        let port = uri
            .authority()
            .and_then(|a| a.as_str().rsplit('@').next())
            .and_then(|host_port| host_port.rsplit_once(':'))
            .map(|(_, port)| port)
            .filter(|port| !port.contains(']'));
        if port.is_some_and(|port| port.parse::<u16>().map_or(true, |p| p == 0)) {
            return Err(ConfigError::BaseUrlPort(base_url.to_owned()).into());
        }
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(ConfigError::BaseUrlNotAbsolute(base_url.to_owned()).into());
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
            .map_err(|_| ConfigError::UserAgent(user_agent.to_owned()))?;
        Ok(self)
    }

    /// The same endpoint with an explicit v1 root ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 19), for a base URL that
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
            (None, None) => Err(ConfigError::NoV1Root(self.base_url.clone()).into()),
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// True for the routes that refuse `x-org-id` (403, [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
    /// section 32): the org lists and the other routes JumpCloud's SDKs strip the header from.
    pub fn takes_no_org(&self, url: &str) -> bool {
        const V1: [&str; 3] = ["/organizations", "/search/organizations", "/users"];
        const V2: [&str; 4] = [
            "/organizations",
            "/administrators",
            "/providers",
            "/integrations/",
        ];
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let under = |root: &str, prefixes: &[&str]| {
            path.strip_prefix(root).is_some_and(|rest| {
                prefixes.iter().any(|p| {
                    rest.strip_prefix(p).is_some_and(|after| {
                        p.ends_with('/') || after.is_empty() || after.starts_with('/')
                    })
                })
            })
        };
        under(&self.base_url, &V2) || self.v1_base_url().is_ok_and(|root| under(root, &V1))
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
            return Err(ConfigError::ForeignUrl {
                url: url.to_owned(),
                origin: origin.to_string(),
            }
            .into());
        }
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(url)
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::USER_AGENT, self.user_agent.clone());
        if let Some(api_key) = &self.api_key {
            let mut key =
                HeaderValue::from_str(api_key.expose()).map_err(|_| ConfigError::ApiKeyHeader)?;
            key.set_sensitive(true);
            builder = builder.header("x-api-key", key);
        }
        if let Some(org) = org_override
            .or(self.org_id.as_deref())
            .filter(|o| !o.trim().is_empty())
            .filter(|_| !self.takes_no_org(url))
        {
            let org = HeaderValue::from_str(org.trim())
                .map_err(|_| ConfigError::OrgId(org.to_owned()))?;
            builder = builder.header("x-org-id", org);
        }
        if body.is_some() {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
        }
        let mut request =
            builder
                .body(body.unwrap_or_default())
                .map_err(|e| ConfigError::Request {
                    method: method.to_string(),
                    url: url.to_owned(),
                    reason: e.to_string(),
                })?;
        request
            .extensions_mut()
            .insert(Idempotency::default_for(&method));
        Ok(request)
    }

    pub(crate) fn json<T: Serialize + ?Sized>(
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
