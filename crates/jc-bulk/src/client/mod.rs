//! The public façade: [`Client`] holds a [`Session`] and offers every operation. Each method
//! hands its work to the layer below (`ops`, `wait`, `import`), which take the session; nothing
//! below this module names `Client`.

mod builder;

pub use builder::{ClientBuilder, HttpSettings};

use crate::error::{Error, InvalidInput};
use crate::import::{BulkRecord, Import, ImportOptions, ImportReport, InputRecord};
use crate::ops::{self, Legacy, Users};
use crate::options::{
    CallOptions, CreateUsersOptions, ListScheduledOptions, Page, UpdateUsersOptions,
};
use crate::request::Endpoint;
use crate::session::Session;
use crate::wait::{JobWaiter, WaitOptions};
use bytes::Bytes;
use futures::Stream;
use http::{Request, Response};
use jc_models::{
    BulkScheduledStatechangeCreate, BulkUserCreate, BulkUserExpire,
    BulkUserStatesGetNextScheduledResponse, BulkUserUnlock, BulkUserUpdate, JobId, JobWorkresult,
    ScheduledUserstateResult,
};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The JumpCloud Bulk Job Requests client. Cheap to clone; clones share the session (endpoint,
/// transport stack, credentials).
#[derive(Clone)]
pub struct Client {
    session: Arc<Session>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", self.session.endpoint())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    fn over(session: Session) -> Self {
        Self {
            session: Arc::new(session),
        }
    }

    /// Where requests go and who sends them.
    pub fn endpoint(&self) -> &Endpoint {
        self.session.endpoint()
    }

    /// Sends a request as is and returns the raw response (any status): the escape hatch for
    /// endpoints this crate does not wrap. Build it with [`Endpoint::request`].
    ///
    /// The response is scrubbed of the API key first: a server that echoes it never gets it
    /// into a report, a log or an error.
    ///
    /// # Errors
    /// A transport failure.
    pub async fn send_raw(&self, request: Request<Bytes>) -> Result<Response<Bytes>, Error> {
        self.session.send(request).await
    }

    /// Sends a request and decodes a 2xx JSON answer into `T`.
    ///
    /// # Errors
    /// A transport failure, a non-2xx status, or a body that is not a `T`.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        request: Request<Bytes>,
    ) -> Result<T, Error> {
        self.session.fetch("raw request", request).await
    }

    /// Submits `records` as one bulk job (no chunking, no waiting) and returns its id: the
    /// building block of [`Client::import`], for callers who schedule jobs themselves.
    /// `options` gives `creation-source`, `suppressEmail` and the org; with validation on (the
    /// default), every record is checked first.
    ///
    /// # Errors
    /// Invalid records, a transport failure, or a non-2xx answer.
    pub async fn submit<R: BulkRecord>(
        &self,
        records: &[R],
        options: &ImportOptions,
    ) -> Result<JobId, Error> {
        if options.validate() {
            let invalid: Vec<_> = records
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.validate().err().map(|v| (i, v)))
                .collect();
            if !invalid.is_empty() {
                return Err(InvalidInput::Records(invalid).into());
            }
        }
        let request = R::submission(self.endpoint(), records, options)?;
        self.session.submit_job(R::OPERATION, request).await
    }

    /// Submits a job that creates `users` (POST /bulk/users) and returns its id.
    ///
    /// The records are checked with `validate()` first; every violation is reported at once. The
    /// request is never re-sent after it may have reached the server.
    ///
    /// # Errors
    /// Invalid records, a transport failure, or a non-2xx answer.
    pub async fn create_users(
        &self,
        users: &[BulkUserCreate],
        options: &CreateUsersOptions,
    ) -> Result<JobId, Error> {
        ops::jobs::create_users(&self.session, users, options).await
    }

    /// Submits a job that updates `users` (PATCH /bulk/users) and returns its id.
    ///
    /// # Errors
    /// Invalid records, a transport failure, or a non-2xx answer.
    pub async fn update_users(
        &self,
        users: &[BulkUserUpdate],
        options: &UpdateUsersOptions,
    ) -> Result<JobId, Error> {
        ops::jobs::update_users(&self.session, users, options).await
    }

    /// Submits a job that expires the passwords of `users` (POST /bulk/user/expires).
    ///
    /// # Errors
    /// A record without id, a transport failure, or a non-2xx answer.
    pub async fn expire_users(
        &self,
        users: &[BulkUserExpire],
        options: &CallOptions,
    ) -> Result<JobId, Error> {
        ops::jobs::expire_users(&self.session, users, options).await
    }

    /// Submits a job that unlocks `users` (POST /bulk/user/unlocks).
    ///
    /// # Errors
    /// A record without id, a transport failure, or a non-2xx answer.
    pub async fn unlock_users(
        &self,
        users: &[BulkUserUnlock],
        options: &CallOptions,
    ) -> Result<JobId, Error> {
        ops::jobs::unlock_users(&self.session, users, options).await
    }

    /// One page of a job's results (GET /bulk/users/{job_id}/results).
    ///
    /// # Errors
    /// A transport failure, a non-2xx answer (404 for an unknown job), or an unreadable body.
    pub async fn job_results_page(
        &self,
        job_id: &JobId,
        page: Page,
        options: &CallOptions,
    ) -> Result<Vec<JobWorkresult>, Error> {
        ops::jobs::job_results_page(&self.session, job_id, page, options).await
    }

    /// Every result of a job, paging by 100 ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 4).
    pub fn job_results(
        &self,
        job_id: &JobId,
        options: &CallOptions,
    ) -> impl Stream<Item = Result<JobWorkresult, Error>> + Send + 'static {
        ops::jobs::job_results(&self.session, job_id, options)
    }

    /// Schedules a state change (POST /bulk/userstates): one result per user, each with its own
    /// `scheduledJobId`. [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 8 is checked before sending.
    ///
    /// # Errors
    /// A body that breaks section 8, a transport failure, or a non-2xx answer.
    pub async fn schedule_state_change(
        &self,
        change: &BulkScheduledStatechangeCreate,
        options: &CallOptions,
    ) -> Result<Vec<ScheduledUserstateResult>, Error> {
        ops::userstates::schedule_state_change(&self.session, change, options).await
    }

    /// One page of scheduled changes (GET /bulk/userstates).
    ///
    /// # Errors
    /// A transport failure, a non-2xx answer, or an unreadable body.
    pub async fn scheduled_states_page(
        &self,
        options: &ListScheduledOptions,
        page: Page,
    ) -> Result<Vec<ScheduledUserstateResult>, Error> {
        ops::userstates::scheduled_states_page(&self.session, options, page).await
    }

    /// Every scheduled change matching `options`, paging by 100.
    pub fn scheduled_states(
        &self,
        options: &ListScheduledOptions,
    ) -> impl Stream<Item = Result<ScheduledUserstateResult, Error>> + Send + 'static {
        ops::userstates::scheduled_states(&self.session, options)
    }

    /// Cancels one scheduled change (DELETE /bulk/userstates/{id}).
    ///
    /// # Errors
    /// A transport failure or a non-2xx answer (404 for an unknown id).
    pub async fn cancel_scheduled(
        &self,
        scheduled_job_id: &str,
        options: &CallOptions,
    ) -> Result<(), Error> {
        ops::userstates::cancel_scheduled(&self.session, scheduled_job_id, options).await
    }

    /// The next scheduled change of each state for any number of users: calls of at most 100
    /// ids, each paged until its `events_count` is read, merged in date order.
    ///
    /// # Errors
    /// No user ids, a transport failure, a non-2xx answer, or an unreadable body.
    pub async fn next_scheduled<S: AsRef<str>>(
        &self,
        user_ids: &[S],
        options: &CallOptions,
    ) -> Result<BulkUserStatesGetNextScheduledResponse, Error> {
        ops::userstates::next_scheduled(&self.session, user_ids, options).await
    }

    /// The deprecated `/jobs` operations.
    pub fn legacy(&self) -> Legacy<'_> {
        Legacy::new(&self.session)
    }

    /// The v1 user reads, acting on the client's org (or `options`' org).
    pub fn users<'a>(&'a self, options: &'a CallOptions) -> Users<'a> {
        Users::new(&self.session, options)
    }

    /// The orgs the credential can act in (never sent with `x-org-id`).
    pub fn orgs<'a>(&'a self, options: &'a CallOptions) -> crate::Orgs<'a> {
        crate::Orgs::new(&self.session, options)
    }

    /// The user groups and their members, acting on the client's org (or `options`' org).
    pub fn groups<'a>(&'a self, options: &'a CallOptions) -> crate::Groups<'a> {
        crate::Groups::new(&self.session, options)
    }

    /// One read of the org for a desired-state sync: every user with `fields` (and the keys),
    /// which of them every `scope` filter covers, and the members of `groups`
    /// ([`OrgState`](crate::sync::OrgState)).
    ///
    /// # Errors
    /// A failed read.
    pub async fn read_org(
        &self,
        options: &CallOptions,
        fields: &[String],
        scope: &[crate::sync::ScopeFilter],
        groups: &[jc_models::UserGroup],
    ) -> Result<crate::sync::OrgState, Error> {
        crate::sync::OrgState::read(&self.session, options, fields, scope, groups).await
    }

    /// Applies a desired-state plan: creates, updates and managers, group changes, state
    /// changes, in that order, every planned change ending in one
    /// [`SyncOutcome`](crate::sync::SyncOutcome) of the stream. Check the plan's target first
    /// ([`SyncPlan::check_target`](crate::sync::SyncPlan::check_target)).
    pub fn apply_sync(
        &self,
        plan: &crate::sync::SyncPlan,
        options: crate::sync::ApplyOptions,
    ) -> impl futures::Stream<Item = crate::sync::SyncOutcome> + Send + 'static {
        plan.apply(self.session.clone(), options)
    }

    /// Waits for `job_id` until all `expected` records are settled: a [`JobWaiter`], to iterate
    /// for progress or to await for every result.
    ///
    /// The wait ends with [`WaitError::Timeout`](crate::WaitError::Timeout) (with the results read so far) when the job does not
    /// complete in time, or with the error of a poll that cannot be retried.
    pub fn wait_for_job(
        &self,
        job_id: &JobId,
        expected: usize,
        options: &WaitOptions,
    ) -> JobWaiter {
        crate::wait::waiter(self.session.clone(), job_id, expected, options, None, None)
    }

    /// Imports `records` from any stream (a CSV reader, a list of ids, a `Vec`): chunks,
    /// submits, waits, and reports every record's outcome in input order. Returns an
    /// [`Import`] to iterate for events or to await for the report. Never fails as a whole:
    /// problems become outcomes.
    pub fn import<R, S>(&self, records: S, options: &ImportOptions) -> Import
    where
        R: BulkRecord,
        S: Stream<Item = InputRecord<R>> + Send + 'static,
    {
        Import::start(self.session.clone(), records, options)
    }

    /// [`Client::import`] of a collection of records, positions 0, 1, 2 ..., collecting every
    /// outcome (iterate [`Client::import`] with a stream instead for very large inputs).
    pub async fn import_all<R, I>(&self, records: I, options: &ImportOptions) -> ImportReport
    where
        R: BulkRecord,
        I: IntoIterator<Item = R>,
    {
        let records: Vec<InputRecord<R>> = records
            .into_iter()
            .enumerate()
            .map(|(i, record)| InputRecord {
                position: i as u64,
                record,
            })
            .collect();
        self.import(futures::stream::iter(records), options).await
    }

    /// Creates users in chunked jobs; see [`Client::import_all`].
    pub async fn import_users<I>(&self, users: I, options: &ImportOptions) -> ImportReport
    where
        I: IntoIterator<Item = BulkUserCreate>,
    {
        self.import_all(users, options).await
    }

    /// Updates users in chunked jobs; see [`Client::import_all`].
    pub async fn import_user_updates<I>(&self, changes: I, options: &ImportOptions) -> ImportReport
    where
        I: IntoIterator<Item = BulkUserUpdate>,
    {
        self.import_all(changes, options).await
    }

    /// Expires users' passwords in chunked jobs; see [`Client::import_all`].
    pub async fn import_user_expirations<I>(
        &self,
        users: I,
        options: &ImportOptions,
    ) -> ImportReport
    where
        I: IntoIterator<Item = BulkUserExpire>,
    {
        self.import_all(users, options).await
    }

    /// Unlocks users in chunked jobs; see [`Client::import_all`].
    pub async fn import_user_unlocks<I>(&self, users: I, options: &ImportOptions) -> ImportReport
    where
        I: IntoIterator<Item = BulkUserUnlock>,
    {
        self.import_all(users, options).await
    }
}
