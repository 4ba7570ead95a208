//! Why a record ended as it did: a structured reason per kind of evidence. Callers match on it;
//! its `Display` is the sentence the CLI writes into reports.

use jc_models::JobId;
use std::fmt;
use std::time::Duration;

/// Why a record was not applied, or how an applied record was established when not by its job's
/// result. Rendered (with `Display`) as one sentence for a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// JumpCloud rejected the record: the job result's `statusMsg`, or the summary of the error
    /// that refused the submission. Empty when JumpCloud gave none.
    Rejected {
        /// JumpCloud's words.
        message: String,
    },
    /// The record did not pass validation before sending.
    Invalid {
        /// What is wrong with it.
        problem: String,
    },
    /// The import stopped submitting on an error before this record was sent.
    ImportStopped {
        /// Why the import stopped.
        cause: String,
    },
    /// The import was told to stop (interrupted) before this record was sent.
    Interrupted,
    /// The submission provably did not reach JumpCloud (refused, throttled, not connected, or
    /// refused before sending).
    NotSent {
        /// The error.
        error: String,
    },
    /// The submission may have reached JumpCloud, but its answer was lost.
    MaybeSent {
        /// The error.
        error: String,
    },
    /// The journal says an earlier run's submission of this record may have reached JumpCloud.
    EarlierRun {
        /// The journal's words.
        detail: String,
    },
    /// The job was submitted and its results were not awaited.
    NotAwaited {
        /// The job.
        job_id: JobId,
    },
    /// The job was created but its results could not be read.
    ResultsUnreadable {
        /// The error.
        error: String,
    },
    /// JumpCloud listed the record, but not as finished or failed.
    Pending {
        /// The status it listed (`None` when it listed none).
        status: Option<String>,
        /// How the wait ended.
        wait: WaitEnd,
    },
    /// Every result of the job carried a status this SDK does not know, read after read: the
    /// wait ended on it.
    UnrecognisedStatus {
        /// The status.
        status: String,
    },
    /// The record's page of results was not read before the wait ended.
    NotRead {
        /// How the wait ended.
        wait: WaitEnd,
    },
    /// JumpCloud listed no result for the record.
    NoResult {
        /// How the wait ended.
        wait: WaitEnd,
    },
    /// The job's results broke the protocol for this record (an index answered several times,
    /// indices out of range), so which answer holds is not known.
    Anomaly {
        /// What was wrong.
        detail: String,
    },
    /// The task that settled the record's chunk failed.
    TaskFailed {
        /// The task's error.
        error: String,
    },
    /// Sent again, the record failed as already existing, and the lookup that would confirm the
    /// earlier attempt failed.
    ResentUnconfirmed,
    /// A lookup after the submission's answer was lost found a user with the record's username
    /// that may not be the one this run created (another e-mail, created before the chunk was
    /// first sent, several users): it may have been there before.
    MaybeNotOurs {
        /// The user found (not created by this run, as far as is known).
        user_id: jc_models::UserId,
        /// Why it may not be this run's.
        why: String,
    },
    /// Applied: a lookup found the user after the submission's answer was lost.
    ConfirmedByLookup,
    /// Applied: sent again, it failed as already existing, and a lookup found the user.
    AppliedByEarlierAttempt,
}

/// How the wait for a job's results ended, for records without a final result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitEnd {
    /// The job finished; the record was still pending in its results.
    Finished,
    /// The wait timed out after this long.
    TimedOut {
        /// How long it waited.
        waited: Duration,
    },
    /// No results could be read before the wait timed out.
    Unreadable {
        /// How long it waited.
        waited: Duration,
        /// The last error.
        cause: String,
    },
    /// The wait was stopped (interrupted) before the job finished.
    Stopped {
        /// The job.
        job_id: JobId,
    },
    /// Every result carried a status this SDK does not know, read after read.
    Unrecognised,
}

impl Reason {
    /// True when JumpCloud rejected the record because the user already exists.
    pub fn is_already_exists(&self) -> bool {
        matches!(self, Self::Rejected { message } if message.to_lowercase().contains("already exist"))
    }
}

impl fmt::Display for WaitEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Finished => write!(f, "it was still pending"),
            Self::TimedOut { waited } => {
                write!(f, "it was still pending when the wait ended after {waited:?}")
            }
            Self::Unreadable { waited, cause } => write!(
                f,
                "no results could be read before the wait ended after {waited:?}: {cause}"
            ),
            Self::Stopped { job_id } => write!(
                f,
                "the wait was stopped (interrupted) before the job finished; settle it later with `jcbulk jobs results {job_id}` or --resume"
            ),
            Self::Unrecognised => write!(
                f,
                "the wait ended because every result carried a status jcbulk does not know"
            ),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected { message } if message.trim().is_empty() => {
                write!(f, "JumpCloud rejected the record without a reason")
            }
            Self::Rejected { message } => write!(f, "{message}"),
            Self::Invalid { problem } => write!(f, "invalid record: {problem}"),
            Self::ImportStopped { cause } => write!(f, "not sent: the import stopped: {cause}"),
            Self::Interrupted => write!(
                f,
                "not sent: the import was stopped (interrupted) before this record was submitted"
            ),
            Self::NotSent { error } => write!(f, "{error}"),
            Self::MaybeSent { error } => write!(
                f,
                "the submission may have reached JumpCloud ({error}); check the org before sending these records again"
            ),
            Self::EarlierRun { detail } => write!(f, "{detail}"),
            Self::NotAwaited { job_id } => write!(
                f,
                "submitted as job {job_id}; its results were not awaited (read them with `jcbulk jobs results {job_id}`)"
            ),
            Self::ResultsUnreadable { error } => write!(
                f,
                "the job was created but its results could not be read: {error}"
            ),
            Self::Pending { status, wait } => write!(
                f,
                "{wait} (status `{}`)",
                status.as_deref().unwrap_or("none")
            ),
            Self::UnrecognisedStatus { status } => write!(
                f,
                "unrecognised status `{status}`: JumpCloud listed the record with a status jcbulk does not know, read after read; check it with `jcbulk jobs results`"
            ),
            Self::NotRead { wait } => match wait {
                WaitEnd::TimedOut { waited } => write!(
                    f,
                    "its result was not read before the wait ended after {waited:?} (the job was still working on the records before it)"
                ),
                WaitEnd::Unreadable { .. } | WaitEnd::Stopped { .. } => write!(f, "{wait}"),
                _ => write!(f, "its result was not read before the wait ended"),
            },
            Self::NoResult { wait } => {
                write!(f, "JumpCloud listed no result for this record; {wait}")
            }
            Self::Anomaly { detail } => write!(f, "{detail}"),
            Self::TaskFailed { error } => {
                write!(f, "internal error while importing this chunk: {error}")
            }
            Self::ResentUnconfirmed => write!(
                f,
                "sent again, the user already existed (the earlier attempt probably applied it), and the lookup to confirm it failed; check with `jcbulk users get`"
            ),
            Self::MaybeNotOurs { user_id, why } => write!(
                f,
                "a user with this username exists ({user_id}) but may not be this run's: {why}; the submission's answer was lost, so check the user before sending this record again"
            ),
            Self::ConfirmedByLookup => write!(f, "confirmed by lookup: the user exists"),
            Self::AppliedByEarlierAttempt => {
                write!(f, "applied by the earlier attempt (confirmed by lookup)")
            }
        }
    }
}
