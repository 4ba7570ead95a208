//! Bulk user jobs: submit create / update / expire / unlock, read results.

use crate::error::Error;
use crate::options::{CallOptions, CreateUsersOptions, Page, UpdateUsersOptions};
use crate::pager;
use crate::request;
use crate::session::Session;
use futures::Stream;
use jc_models::{
    BulkUserCreate, BulkUserExpire, BulkUserUnlock, BulkUserUpdate, JobId, JobWorkresult,
};
use std::sync::Arc;

/// Submits a job that creates `users` (POST /bulk/users) and returns its id.
///
/// The records are checked with `validate()` first; every violation is reported at once. The
/// request is never re-sent after it may have reached the server.
///
/// # Errors
/// Invalid records, a transport failure, or a non-2xx answer.
pub(crate) async fn create_users(
    session: &Arc<Session>,
    users: &[BulkUserCreate],
    options: &CreateUsersOptions,
) -> Result<JobId, Error> {
    let request = request::create_users(session.endpoint(), users, options)?;
    session.submit_job("create users", request).await
}

/// Submits a job that updates `users` (PATCH /bulk/users) and returns its id.
///
/// # Errors
/// Invalid records, a transport failure, or a non-2xx answer.
pub(crate) async fn update_users(
    session: &Arc<Session>,
    users: &[BulkUserUpdate],
    options: &UpdateUsersOptions,
) -> Result<JobId, Error> {
    let request = request::update_users(session.endpoint(), users, options)?;
    session.submit_job("update users", request).await
}

/// Submits a job that expires the passwords of `users` (POST /bulk/user/expires).
///
/// # Errors
/// A record without id, a transport failure, or a non-2xx answer.
pub(crate) async fn expire_users(
    session: &Arc<Session>,
    users: &[BulkUserExpire],
    options: &CallOptions,
) -> Result<JobId, Error> {
    let request = request::expire_users(session.endpoint(), users, options)?;
    session.submit_job("expire users", request).await
}

/// Submits a job that unlocks `users` (POST /bulk/user/unlocks).
///
/// # Errors
/// A record without id, a transport failure, or a non-2xx answer.
pub(crate) async fn unlock_users(
    session: &Arc<Session>,
    users: &[BulkUserUnlock],
    options: &CallOptions,
) -> Result<JobId, Error> {
    let request = request::unlock_users(session.endpoint(), users, options)?;
    session.submit_job("unlock users", request).await
}

/// One page of a job's results (GET /bulk/users/{job_id}/results).
///
/// # Errors
/// A transport failure, a non-2xx answer (404 for an unknown job), or an unreadable body.
pub(crate) async fn job_results_page(
    session: &Arc<Session>,
    job_id: &JobId,
    page: Page,
    options: &CallOptions,
) -> Result<Vec<JobWorkresult>, Error> {
    let request = request::job_results(session.endpoint(), job_id, page, options)?;
    session.fetch("job results", request).await
}

/// Every result of a job, paging by 100 ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 4).
pub(crate) fn job_results(
    session: &Arc<Session>,
    job_id: &JobId,
    options: &CallOptions,
) -> impl Stream<Item = Result<JobWorkresult, Error>> + Send + 'static {
    let (job_id, call) = (job_id.clone(), options.clone());
    pager::list(
        session,
        options.org_id.clone(),
        "job results",
        move |client, page| request::job_results(client.endpoint(), &job_id, page, &call),
    )
}
