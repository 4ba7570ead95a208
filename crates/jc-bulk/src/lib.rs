//! The Rust SDK for JumpCloud's API v2 *Bulk Job Requests*.
//!
//! [`Client`] covers the eleven operations of the contract ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)): create, update,
//! expire and unlock users as bulk jobs, read job results (one page or a stream), schedule, list,
//! cancel and look up user state changes, and the legacy `/jobs` paths. On top of them,
//! [`Client::wait_for_job`] polls a job to completion and [`Client::import`] runs chunked
//! imports that end every input record with exactly one [`Outcome`]. Both are long-running
//! values with two faces: a `Stream` of progress events, and an `IntoFuture` of the result.
//!
//! A bulk PATCH replaces every top-level field it carries, so an update that names one custom
//! attribute would erase the others. [`Users::read`] reads many users' current fields at once
//! (with the requests of a name lookup) and [`partial::difference`] turns the changes asked
//! ([`partial::Edit`]: a field, one attribute, one phone number, one field of one address,
//! clearing) into only the fields that differ, lists merged entry by entry.
//!
//! User groups have no bulk form: [`Client::groups`] reads groups, members and a user's groups,
//! resolves group names ([`groups::GroupDirectory`]), and sends a membership plan made against a
//! snapshot of the members ([`groups::Snapshot::plan`]) as a stream of per-change outcomes, one
//! request per change that is needed.
//!
//! Requests are values: [`request`] builds each operation into an `http::Request<Bytes>` and
//! [`response`] decodes answers, both pure; the client only sends through a
//! [`jc_transport::Transport`] (by default hyper + rustls with retry and rate-limit layers).
//!
//! An import against the bundled mock server:
//! ```
//! use jc_bulk::{Client, ImportOptions, Outcome};
//! use jc_mock::{MockConfig, MockServer};
//! use jc_models::BulkUserCreate;
//!
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! let mock = MockServer::start(MockConfig::default()).await.unwrap();
//! let client = Client::builder()
//!     .base_url(mock.base_url())
//!     .api_key(mock.api_key())
//!     .build()
//!     .unwrap();
//!
//! let users = vec![
//!     BulkUserCreate::new("ada", "ada@example.com"),
//!     BulkUserCreate::new("grace", "grace@example.com"),
//!     BulkUserCreate::new("ada2", "ADA@example.com"), // the same e-mail: rejected
//! ];
//! let report = client.import_users(users, &ImportOptions::default()).await;
//! assert_eq!((report.summary.applied, report.summary.failed), (2, 1));
//! assert!(matches!(report.outcomes[2].outcome, Outcome::Failed { .. }));
//! # });
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod checked;
mod client;
mod control;
mod credentials;
mod driven;
mod error;
mod filter;
pub mod groups;
mod import;
mod ops;
mod options;
mod pace;
mod pager;
pub mod partial;
mod refresh;
mod region;
pub mod request;
pub mod response;
mod scrub;
mod secret;
mod session;
pub mod sync;
mod time;
mod wait;

pub use client::{Client, ClientBuilder, HttpSettings};
pub use control::ImportControl;
pub use credentials::Credentials;
pub use error::{ApiError, ConfigError, Error, InvalidInput, WaitError};
pub use filter::Filter;
pub use groups::Groups;
pub use import::{
    BulkRecord, ChunkInfo, Import, ImportEvent, ImportOptions, ImportReport, ImportSummary,
    InputRecord, Journal, JournalDecision, Outcome, Reason, RecordKey, RecordOutcome, WaitEnd,
    MAX_CHUNK_SIZE, MAX_CONCURRENCY,
};
pub use jc_transport::Secret;
pub use ops::{
    CurrentUser, Legacy, Lookup, OrgSummary, Orgs, Resolution, ResolveOptions, UserKey, Users,
};
pub use options::{
    CallOptions, CreateUsersOptions, ListScheduledOptions, Page, UpdateUsersOptions,
};
pub use region::{token_url_for, Region};
pub use secret::ApiKey;
pub use wait::{JobProgress, JobWaiter, WaitOptions};

pub use jc_models::{JobId, OrgId, UserId};
pub use jc_transport::InvalidSetting;

pub use jc_models as models;
pub use jc_transport as transport;
