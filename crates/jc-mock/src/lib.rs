//! An in-memory JumpCloud that speaks the API v2 *Bulk Job Requests* contract over real HTTP.
//!
//! [`MockServer::start`] binds a loopback port and serves every operation of
//! `spec/jumpcloud-v2-bulk.openapi.yaml` with the decisions of [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md): API keys and
//! orgs (multi-tenant admins and `x-org-id`), bulk jobs processed in the background at a
//! configurable rate with per-record validation and uniqueness rules, scheduled state changes
//! with filters and a clock tests can advance, the legacy `/jobs` paths, the v1 user reads,
//! user groups with their member edges (`spec/jumpcloud-v2-usergroups.openapi.yaml`, seeded
//! with [`SeedGroup`]), and deterministic fault injection. Tests read what it stored through the inspection methods.
//!
//! ```
//! use jc_mock::{MockConfig, MockServer};
//! use jc_models::BulkUserCreate;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let server = MockServer::start(MockConfig::default()).await.unwrap();
//! assert!(server.base_url().starts_with("http://127.0.0.1:"));
//! assert!(server.base_url().ends_with("/api/v2"));
//!
//! let org = server.default_org();
//! let id = server.insert_user(&org, &BulkUserCreate::new("ada", "Ada@Example.com")).unwrap();
//! assert_eq!(server.user(&org, &id).unwrap().email, "ada@example.com");
//! // The same e-mail again breaks the org's uniqueness rule.
//! assert!(server.insert_user(&org, &BulkUserCreate::new("ada2", "ada@example.com")).is_err());
//! server.shutdown().await;
//! # });
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod auth;
mod clock;
mod config;
mod faults;
mod groups;
mod handlers;
mod http_service;
mod ids;
mod log;
mod mock_server;
mod oauth;
mod orgs;
mod processor;
mod query;
mod quirks;
mod reply;
mod routes;
mod seed;
mod shared;
mod store;

pub use clock::MockClock;
pub use config::{
    Admin, MockConfig, OAuthClient, DEFAULT_API_KEY, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
    DEFAULT_ORG_ID, MULTI_TENANT_PROVIDER,
};
pub use faults::{Decision, Fault, FaultConfig};
pub use groups::{MockGroup, SeedGroup};
pub use http_service::STATS_PATH;
pub use log::LoggedRequest;
pub use mock_server::MockServer;
pub use oauth::TOKEN_PATH;
pub use quirks::{Quirks, TotalCount};
pub use seed::{seed_user, SEED_CREATED};
pub use store::{JobKind, MockJob, MockUser, ScheduledChange};
