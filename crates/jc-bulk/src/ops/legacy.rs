//! The legacy `/jobs` paths ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 14). **Deprecated** by JumpCloud: `GET /jobs/{id}`
//! was never finished and is hidden; prefer [`Client::job_results`](crate::Client::job_results) and
//! [`Client::wait_for_job`](crate::Client::wait_for_job).

use crate::error::Error;
use crate::options::{CallOptions, Page};
use crate::request;
use crate::session::Session;
use jc_models::{JobDetails, JobId, JobWorkresult};

/// The legacy operations, through [`Client::legacy`](crate::Client::legacy).
#[derive(Debug, Clone, Copy)]
pub struct Legacy<'a> {
    session: &'a Session,
}

impl<'a> Legacy<'a> {
    pub(crate) fn new(session: &'a Session) -> Self {
        Self { session }
    }

    /// **Deprecated.** GET /jobs/{id}: the job's `job-details`.
    ///
    /// # Errors
    /// A transport failure, a non-2xx answer, or an unreadable body.
    pub async fn job(&self, job_id: &JobId, options: &CallOptions) -> Result<JobDetails, Error> {
        let request = request::legacy_job(self.session.endpoint(), job_id, options)?;
        self.session.fetch("legacy job", request).await
    }

    /// **Deprecated.** GET /jobs/{id}/results: one page of the same list as
    /// [`Client::job_results_page`](crate::Client::job_results_page).
    ///
    /// # Errors
    /// A transport failure, a non-2xx answer, or an unreadable body.
    pub async fn job_results(
        &self,
        job_id: &JobId,
        page: Page,
        options: &CallOptions,
    ) -> Result<Vec<JobWorkresult>, Error> {
        let request = request::legacy_job_results(self.session.endpoint(), job_id, page, options)?;
        self.session.fetch("legacy job results", request).await
    }
}
