//! How a mock server is set up: address, base path, admins and their orgs, processing rate,
//! limits and faults.

use crate::faults::FaultConfig;
use std::net::SocketAddr;

/// The API key the default configuration accepts.
pub const DEFAULT_API_KEY: &str = "jcmock-test-api-key";
/// The org of the default configuration's admin.
pub const DEFAULT_ORG_ID: &str = "5f0c1b2c3d4e5f6a7b8c9d0e";

/// The provider of [`MockConfig::orgs`].
pub const MULTI_TENANT_PROVIDER: &str = "0b0000000000000000000001";

/// An administrator: an API key and the orgs it may act on ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    /// The `x-api-key` value.
    pub api_key: String,
    /// The orgs this admin administers (24 hex digits each).
    pub orgs: Vec<String>,
    /// A multi-tenant admin must name the org in `x-org-id`; a single-tenant one may omit it.
    pub multi_tenant: bool,
}

impl Admin {
    /// A single-tenant admin of `org`.
    pub fn single(api_key: impl Into<String>, org: impl Into<String>) -> Self {
        Self {
            api_key: api_key.into(),
            orgs: vec![org.into()],
            multi_tenant: false,
        }
    }

    /// A multi-tenant admin of `orgs`.
    pub fn multi_tenant<I, S>(api_key: impl Into<String>, orgs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            api_key: api_key.into(),
            orgs: orgs.into_iter().map(Into::into).collect(),
            multi_tenant: true,
        }
    }
}

/// The service-account client the mock registers by default ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 24).
pub const DEFAULT_CLIENT_ID: &str = "jcmock-client";
/// Its secret.
pub const DEFAULT_CLIENT_SECRET: &str = "jcmock-client-secret";

/// A service account: its id and secret, and the admin (by API key) whose orgs it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: String,
    /// The API key of the admin it acts as.
    pub admin_api_key: String,
}

impl OAuthClient {
    /// A client acting as the admin with `admin_api_key`.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        admin_api_key: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            admin_api_key: admin_api_key.into(),
        }
    }
}

/// The configuration of a [`MockServer`](crate::MockServer).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MockConfig {
    /// Where to listen. Default `127.0.0.1:0` (a free port).
    pub addr: SocketAddr,
    /// Path prefix of every operation. Default `/api/v2`; `/` or empty serves at the root.
    pub base_path: String,
    /// Users created at start in the first admin's first org (see [`crate::seed_user`]).
    pub seed_users: usize,
    /// Who may call. Default: one single-tenant admin with [`DEFAULT_API_KEY`] and
    /// [`DEFAULT_ORG_ID`].
    pub admins: Vec<Admin>,
    /// Records processed per second across all jobs; `None` processes as fast as possible.
    pub process_rate: Option<f64>,
    /// Largest number of records in one job. Default 800 ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 3).
    pub job_cap: usize,
    /// Injected faults. Default none.
    pub faults: FaultConfig,
    /// Requests kept in the request log (oldest dropped first). Default 10,000; 0 keeps none.
    pub request_log_capacity: usize,
    /// State of users created without `state`. Default `ACTIVATED`.
    pub default_user_state: String,
    /// Service accounts served by `POST /oauth2/token`. Default: [`DEFAULT_CLIENT_ID`] acting
    /// as the default admin.
    pub oauth_clients: Vec<OAuthClient>,
    /// Lifetime of the tokens it issues, in seconds. Default 3600.
    pub token_lifetime_secs: u64,
    /// Odd but plausible answers. Default none.
    pub quirks: crate::Quirks,
    /// Groups the first org starts with, created after the seed users (section 35).
    pub seed_groups: Vec<crate::SeedGroup>,
    /// Display names of orgs (by id), as the org lists answer them; unnamed orgs are called
    /// `Org <id>`.
    pub org_names: std::collections::BTreeMap<String, String>,
    /// The provider whose route lists the orgs of the multi-tenant admins (section 33).
    pub provider_id: Option<String>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            base_path: "/api/v2".into(),
            seed_users: 0,
            admins: vec![Admin::single(DEFAULT_API_KEY, DEFAULT_ORG_ID)],
            process_rate: None,
            job_cap: 800,
            faults: FaultConfig::default(),
            request_log_capacity: 10_000,
            default_user_state: "ACTIVATED".into(),
            oauth_clients: vec![OAuthClient::new(
                DEFAULT_CLIENT_ID,
                DEFAULT_CLIENT_SECRET,
                DEFAULT_API_KEY,
            )],
            token_lifetime_secs: 3600,
            quirks: crate::Quirks::default(),
            seed_groups: Vec::new(),
            org_names: std::collections::BTreeMap::new(),
            provider_id: None,
        }
    }
}

impl MockConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Register a service account (besides the default one).
    #[must_use]
    pub fn oauth_client(mut self, client: OAuthClient) -> Self {
        self.oauth_clients.push(client);
        self
    }

    /// Tokens live `seconds` (so that tests see expiry).
    #[must_use]
    pub fn token_lifetime(mut self, seconds: u64) -> Self {
        self.token_lifetime_secs = seconds;
        self
    }

    /// Listen on `addr`.
    #[must_use]
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Start with `users` users in the first admin's first org (see [`crate::seed_user`]).
    #[must_use]
    pub fn seed_users(mut self, users: usize) -> Self {
        self.seed_users = users;
        self
    }

    /// Serve under `base_path`.
    #[must_use]
    pub fn base_path(mut self, base_path: impl Into<String>) -> Self {
        self.base_path = base_path.into();
        self
    }

    /// Replace the admins.
    #[must_use]
    pub fn admins(mut self, admins: Vec<Admin>) -> Self {
        self.admins = admins;
        self
    }

    /// Add an admin.
    #[must_use]
    pub fn admin(mut self, admin: Admin) -> Self {
        self.admins.push(admin);
        self
    }

    /// Process `records_per_second` records per second (`None`: as fast as possible).
    #[must_use]
    pub fn process_rate(mut self, records_per_second: Option<f64>) -> Self {
        self.process_rate = records_per_second.filter(|rate| rate.is_finite() && *rate > 0.0);
        self
    }

    /// Another job cap.
    #[must_use]
    pub fn job_cap(mut self, cap: usize) -> Self {
        self.job_cap = cap;
        self
    }

    /// Inject these faults.
    #[must_use]
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Groups the first org starts with (members by username, created after the seed users).
    #[must_use]
    pub fn seed_groups(mut self, groups: Vec<crate::SeedGroup>) -> Self {
        self.seed_groups = groups;
        self
    }

    /// `n` orgs named `Org 01` ... for the default key, which becomes a multi-tenant admin's
    /// (every request then names its org with `x-org-id`), and a provider ([`MULTI_TENANT_PROVIDER`])
    /// that lists them.
    #[must_use]
    pub fn orgs(mut self, n: usize) -> Self {
        let ids: Vec<String> = (1..=n).map(|i| format!("0a{i:022x}")).collect();
        self.org_names = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), format!("Org {:02}", i + 1)))
            .collect();
        let key = self
            .admins
            .first()
            .map_or_else(|| DEFAULT_API_KEY.to_owned(), |a| a.api_key.clone());
        self.admins = vec![Admin::multi_tenant(key, ids)];
        self.provider_id = Some(MULTI_TENANT_PROVIDER.into());
        self
    }

    /// The name the org lists give `org`.
    pub fn org_name(&self, org: &str) -> String {
        self.org_names
            .get(&org.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| format!("Org {org}"))
    }

    /// Answer with these quirks.
    #[must_use]
    pub fn quirks(mut self, quirks: crate::Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Keep at most `capacity` requests in the log.
    #[must_use]
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.request_log_capacity = capacity;
        self
    }

    /// The base path normalized: empty, or starting with `/` and not ending with one.
    pub(crate) fn normalized_base(&self) -> String {
        let trimmed = self.base_path.trim_matches('/');
        if trimmed.is_empty() {
            String::new()
        } else {
            format!("/{trimmed}")
        }
    }
}
