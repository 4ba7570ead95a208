//! Bulk user jobs: submit create / update / expire / unlock, read results.

use crate::client::Client;
use crate::error::Error;
use crate::options::{CallOptions, CreateUsersOptions, Page, UpdateUsersOptions};
use crate::paginate;
use crate::request;
use futures::Stream;
use jc_models::{
    BulkUserCreate, BulkUserExpire, BulkUserUnlock, BulkUserUpdate, JobId, JobWorkresult,
};

impl Client {
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
        let request = request::create_users(self.endpoint(), users, options)?;
        self.submit_job("create users", request).await
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
        let request = request::update_users(self.endpoint(), users, options)?;
        self.submit_job("update users", request).await
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
        let request = request::expire_users(self.endpoint(), users, options)?;
        self.submit_job("expire users", request).await
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
        let request = request::unlock_users(self.endpoint(), users, options)?;
        self.submit_job("unlock users", request).await
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
        let request = request::job_results(self.endpoint(), job_id, page, options)?;
        self.fetch("job results", request).await
    }

    /// Every result of a job, paging by 100 (CONTRACT.md section 4).
    pub fn job_results(
        &self,
        job_id: &JobId,
        options: &CallOptions,
    ) -> impl Stream<Item = Result<JobWorkresult, Error>> + Send + 'static {
        let (job_id, call) = (job_id.clone(), options.clone());
        paginate::list(
            self,
            options.org_id.clone(),
            "job results",
            move |client, page| request::job_results(client.endpoint(), &job_id, page, &call),
        )
    }
}
