//! What became of each record, the summary, and the progress events.

use crate::import::reason::Reason;
use crate::import::record::RecordKey;
use crate::wait::JobProgress;
use jc_models::{JobId, UserId};

/// What became of one record. A closed set: every record ends in exactly one of these four.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// JumpCloud applied it.
    Applied {
        /// The job; `None` when a lookup confirmed a create whose job is not known.
        job_id: Option<JobId>,
        /// The user created or changed, when known.
        user_id: Option<UserId>,
        /// How it was established, when not by the job's result
        /// ([`Reason::ConfirmedByLookup`], [`Reason::AppliedByEarlierAttempt`]).
        note: Option<Reason>,
    },
    /// JumpCloud rejected it.
    Failed {
        /// The job, when one was created (a rejected request creates none).
        job_id: Option<JobId>,
        /// JumpCloud's reason ([`Reason::Rejected`]).
        reason: Reason,
    },
    /// It was never sent: invalid, or its chunk provably did not reach JumpCloud.
    NotSubmitted {
        /// Why.
        reason: Reason,
    },
    /// It may or may not have been applied: check before sending it again.
    Unknown {
        /// The job, when its id came back.
        job_id: Option<JobId>,
        /// Why the outcome is unknown.
        reason: Reason,
    },
}

impl Outcome {
    /// A one-word name: `applied`, `failed`, `not_submitted`, `unknown`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Applied { .. } => "applied",
            Self::Failed { .. } => "failed",
            Self::NotSubmitted { .. } => "not_submitted",
            Self::Unknown { .. } => "unknown",
        }
    }

    /// The job, when there is one.
    pub fn job_id(&self) -> Option<&JobId> {
        match self {
            Self::Applied { job_id, .. }
            | Self::Failed { job_id, .. }
            | Self::Unknown { job_id, .. } => job_id.as_ref(),
            Self::NotSubmitted { .. } => None,
        }
    }

    /// The reason, when it was not applied; for an applied record, how it was established when
    /// not by its job's result.
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            Self::Applied { note, .. } => note.as_ref(),
            Self::Failed { reason, .. }
            | Self::NotSubmitted { reason }
            | Self::Unknown { reason, .. } => Some(reason),
        }
    }

    /// The user id, when applied and known.
    pub fn user_id(&self) -> Option<&UserId> {
        match self {
            Self::Applied { user_id, .. } => user_id.as_ref(),
            _ => None,
        }
    }
}

/// One input record's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordOutcome {
    /// The record's position as given with the input (e.g. its line number).
    pub position: u64,
    /// What identifies it.
    pub key: RecordKey,
    /// What became of it.
    pub outcome: Outcome,
}

/// Counts of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportSummary {
    /// Records read from the input.
    pub read: u64,
    /// Applied.
    pub applied: u64,
    /// Rejected by JumpCloud.
    pub failed: u64,
    /// Never sent.
    pub not_submitted: u64,
    /// Outcome unknown.
    pub unknown: u64,
    /// Of the unknown: submitted, but the import was told not to wait for the results
    /// ([`ImportOptions::with_await_results`](crate::ImportOptions::with_await_results)).
    pub not_awaited: u64,
    /// Ids of the jobs created (or re-attached to), in submission order.
    pub jobs: Vec<JobId>,
    /// Why the import stopped submitting early (an authentication error, say).
    pub stopped: Option<String>,
}

impl ImportSummary {
    pub(crate) fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Applied { .. } => self.applied += 1,
            Outcome::Failed { .. } => self.failed += 1,
            Outcome::NotSubmitted { .. } => self.not_submitted += 1,
            Outcome::Unknown { .. } => self.unknown += 1,
        }
    }

    /// True when every record read was applied.
    pub fn all_applied(&self) -> bool {
        self.applied == self.read
    }
}

/// An import with every record's outcome, in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportReport {
    /// The counts.
    pub summary: ImportSummary,
    /// One outcome per input record, in input order.
    pub outcomes: Vec<RecordOutcome>,
}

/// What an import reports while it runs: the items of the [`Import`](crate::Import) stream.
///
/// Every input record appears in exactly one [`ImportEvent::Record`], in input order; the last
/// event is [`ImportEvent::Finished`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportEvent {
    /// A chunk's job was created (or, resuming, re-attached to).
    Submitted {
        /// Chunk number, from 0.
        chunk: usize,
        /// Its job.
        job_id: JobId,
        /// Records in it.
        records: usize,
    },
    /// A chunk's job moved on (one event per poll).
    Progress {
        /// Chunk number.
        chunk: usize,
        /// Where the job stands.
        progress: JobProgress,
    },
    /// One input record's outcome.
    Record(RecordOutcome),
    /// A chunk's records all have their outcome (and were handed out as `Record` events).
    Settled {
        /// Chunk number.
        chunk: usize,
        /// Its job, when one was created.
        job_id: Option<JobId>,
        /// Records the chunk held (valid and invalid).
        records: usize,
    },
    /// The import stopped submitting: every record not yet sent is reported not submitted.
    Stopped {
        /// Why (an authentication error, say).
        reason: String,
    },
    /// The import has ended; the counts of every outcome and the jobs.
    Finished(ImportSummary),
}
