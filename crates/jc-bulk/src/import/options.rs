//! How to import: chunking, concurrency, waiting, the job headers, the journal.

use crate::checked::check_count;
use crate::import::journal::Journal;
use crate::wait::WaitOptions;
use jc_models::{CreationSource, OrgId};
use jc_transport::InvalidSetting;
use std::sync::Arc;

/// The most records one job may hold here ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 3: JumpCloud's tools use 800).
pub const MAX_CHUNK_SIZE: usize = 800;
/// The most jobs in flight at once.
pub const MAX_CONCURRENCY: usize = 64;

/// How to import. Fields are private: chunk size and concurrency are checked by their setters
/// ([`InvalidSetting`]); the other setters take any value.
#[derive(Clone)]
pub struct ImportOptions {
    pub(crate) chunk_size: usize,
    pub(crate) concurrency: usize,
    pub(crate) wait: WaitOptions,
    pub(crate) await_results: bool,
    pub(crate) creation_source: Option<CreationSource>,
    pub(crate) suppress_email: Option<bool>,
    pub(crate) org_id: Option<OrgId>,
    pub(crate) validate: bool,
    pub(crate) journal: Option<Arc<dyn Journal>>,
    pub(crate) resend_unknown: bool,
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("chunk_size", &self.chunk_size)
            .field("concurrency", &self.concurrency)
            .field("wait", &self.wait)
            .field("await_results", &self.await_results)
            .field("creation_source", &self.creation_source)
            .field("suppress_email", &self.suppress_email)
            .field("org_id", &self.org_id)
            .field("validate", &self.validate)
            .field("journal", &self.journal.is_some())
            .field("resend_unknown", &self.resend_unknown)
            .finish()
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            chunk_size: MAX_CHUNK_SIZE,
            concurrency: 4,
            wait: WaitOptions::default(),
            await_results: true,
            creation_source: None,
            suppress_email: None,
            org_id: None,
            validate: true,
            journal: None,
            resend_unknown: false,
        }
    }
}

impl ImportOptions {
    /// The defaults: chunks of 800, 4 jobs at once, waiting for each with [`WaitOptions`]'s
    /// defaults, every record validated.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records per job: 1 to 800.
    ///
    /// # Errors
    /// A size outside the range.
    pub fn with_chunk_size(mut self, size: usize) -> Result<Self, InvalidSetting> {
        self.chunk_size = check_count("chunk_size", size, 1, MAX_CHUNK_SIZE)?;
        Ok(self)
    }

    /// Jobs submitted and waited for at once: 1 to 64.
    ///
    /// # Errors
    /// A count outside the range.
    pub fn with_concurrency(mut self, jobs: usize) -> Result<Self, InvalidSetting> {
        self.concurrency = check_count("concurrency", jobs, 1, MAX_CONCURRENCY)?;
        Ok(self)
    }

    /// How to wait for each job.
    #[must_use]
    pub fn with_wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }

    /// Whether to wait for each job's results (default true). Without waiting, every submitted
    /// record ends [`Outcome::Unknown`](crate::Outcome::Unknown) with its job id (counted in
    /// [`ImportSummary::not_awaited`](crate::ImportSummary::not_awaited)); a journal still
    /// records every submission, so a resumed import re-attaches instead of re-sending.
    #[must_use]
    pub fn with_await_results(mut self, wait: bool) -> Self {
        self.await_results = wait;
        self
    }

    /// `creation-source` of create jobs.
    #[must_use]
    pub fn with_creation_source(mut self, source: CreationSource) -> Self {
        self.creation_source = Some(source);
        self
    }

    /// `suppressEmail` of create and update jobs.
    #[must_use]
    pub fn with_suppress_email(mut self, suppress: bool) -> Self {
        self.suppress_email = Some(suppress);
        self
    }

    /// Act on another org than the client's (submissions and polls).
    #[must_use]
    pub fn with_org(mut self, org_id: impl Into<OrgId>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// Check each record with `validate()` and report invalid ones as not submitted (default
    /// true); false sends records unchecked (the server still checks).
    #[must_use]
    pub fn with_validation(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }

    /// Keep a journal of chunks, to resume after an interruption.
    #[must_use]
    pub fn with_journal(mut self, journal: Arc<dyn Journal>) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Send updates, expiries and unlocks whose outcome is unknown (their submission may or may
    /// not have reached JumpCloud) once more: repeating them has the same effect (default
    /// false). Creates are always settled by looking the users up first.
    #[must_use]
    pub fn with_resend_unknown(mut self, resend: bool) -> Self {
        self.resend_unknown = resend;
        self
    }

    /// Records per job.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// Jobs in flight at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// True when records are validated before sending.
    pub fn validate(&self) -> bool {
        self.validate
    }

    /// The org of the import, when not the client's.
    pub fn org_id(&self) -> Option<&OrgId> {
        self.org_id.as_ref()
    }

    /// `creation-source` of create jobs.
    pub fn creation_source(&self) -> Option<CreationSource> {
        self.creation_source
    }

    /// `suppressEmail` of create and update jobs.
    pub fn suppress_email(&self) -> Option<bool> {
        self.suppress_email
    }
}
