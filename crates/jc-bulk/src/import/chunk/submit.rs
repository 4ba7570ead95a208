//! The submit stage: the journal's say, then the request that creates the chunk's job. What a
//! failed submission means for its records is decided in `verdict`.

use super::KnownJob;
use super::Shared;
use crate::control::Phase;
use crate::error::Error;
use crate::import::journal::{stable_hash, ChunkInfo, JournalDecision};
use crate::import::outcome::Outcome;
use crate::import::record::BulkRecord;
use crate::import::verdict::{decide, Evidence};
use crate::response;
use jc_models::JobId;

/// Why a chunk has no job.
pub(super) enum Submission {
    /// The submission failed.
    Failed(Error),
    /// The journal says an earlier submission's outcome is unknown (why).
    Unknown(String),
    /// The import was told to stop before this chunk was sent.
    Stopped,
}

/// Sends a chunk (or, per the journal, re-attaches to its earlier job); returns the job id.
/// `known` gets the job id as soon as it is known, before anything else runs (so that a task
/// that fails afterwards still reports it).
pub(super) async fn submit<R: BulkRecord>(
    shared: &Shared,
    values: &[R],
    info: &mut ChunkInfo,
    known: &KnownJob,
) -> Result<JobId, Submission> {
    let (session, options) = (&shared.session, &shared.options);
    if *shared.phase.borrow() >= Phase::Draining {
        return Err(Submission::Stopped);
    }
    let request = R::submission(session.endpoint(), values, options).map_err(Submission::Failed)?;
    info.hash = if info.again {
        stable_hash(&[R::OPERATION.as_bytes(), b"again", request.body()])
    } else {
        stable_hash(&[R::OPERATION.as_bytes(), request.body()])
    };
    if let Some(journal) = &options.journal {
        match journal.before_submit(info).await {
            JournalDecision::Submit => {}
            JournalDecision::Attach { job_id } => {
                known.note(&job_id);
                return Ok(job_id);
            }
            JournalDecision::Unknown { reason, since } => {
                if let Some(since) = since {
                    known.sent(since);
                }
                return Err(Submission::Unknown(reason));
            }
            JournalDecision::Skip { reason } => {
                let error = Error::InvalidInput(crate::error::InvalidInput::Argument(reason));
                return Err(Submission::Failed(error));
            }
        }
    }
    known.sent(std::time::SystemTime::now());
    let outcome = async {
        let response = session.send(request).await?;
        response::decode_job_id(R::OPERATION, &response)
    }
    .await;
    if let Ok(job_id) = &outcome {
        known.note(job_id);
    }
    match (&outcome, &options.journal) {
        (Ok(job_id), Some(journal)) => journal.submitted(info, job_id).await,
        (Err(error), Some(journal)) => match decide(Evidence::SubmitFailed(error), None) {
            Outcome::Unknown { reason, .. } => {
                journal.outcome_unknown(info, &reason.to_string()).await
            }
            _ => journal.not_submitted(info, &error.to_string()).await,
        },
        _ => {}
    }
    outcome.map_err(Submission::Failed)
}
