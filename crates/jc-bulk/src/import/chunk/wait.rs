//! The await stage: the job's results, read by a waiter that shares the import's pacer, mapped
//! back to the chunk's records; or, when the submission gave no job, why.

use super::decide::submission_failed;
use super::submit::Submission;
use super::Shared;
use crate::error::{Error, WaitError};
use crate::import::mapping;
use crate::import::outcome::{ImportEvent, Outcome};
use crate::import::record::RecordKey;
use crate::import::STOPPED_BEFORE_SENDING;
use futures::StreamExt;
use jc_models::JobId;

/// Waits for `job_id` and maps its results to the chunk's records, reporting progress. A wait
/// refused with 401 or 403 also stops the import: every further call would be refused too.
async fn await_job(
    shared: &Shared,
    job_id: &JobId,
    chunk: usize,
    keys: &[(u64, RecordKey)],
) -> (Vec<Outcome>, Option<String>) {
    let options = &shared.options;
    let wait = options.wait.clone().org_or(options.org_id.as_ref());
    let mut waiter = crate::wait::waiter(
        shared.session.clone(),
        job_id,
        keys.len(),
        &wait,
        Some(shared.pacer.clone()),
        Some(shared.phase.clone()),
    );
    while let Some(progress) = waiter.next().await {
        let _ = shared
            .events
            .send(ImportEvent::Progress { chunk, progress })
            .await;
    }
    let key_list: Vec<RecordKey> = keys.iter().map(|(_, k)| k.clone()).collect();
    let result = waiter.take_result();
    let fatal = match &result {
        Some(Err(error)) if error.is_auth() => Some(format!(
            "JumpCloud refused to show the results of job {job_id}: {error}"
        )),
        _ => None,
    };
    let outcomes = match result {
        Some(Ok(results)) => mapping::outcomes(&key_list, &results, job_id, "it was still pending"),
        Some(Err(Error::Wait(WaitError::Timeout {
            partial,
            waited,
            cause,
            ..
        }))) => {
            let why = match cause {
                Some(cause) if partial.is_empty() => {
                    format!(
                        "no results could be read before the wait ended after {waited:?}: {cause}"
                    )
                }
                _ => format!("it was still pending when the wait ended after {waited:?}"),
            };
            mapping::outcomes(&key_list, &partial, job_id, &why)
        }
        Some(Err(Error::Wait(WaitError::Stopped { partial, .. }))) => mapping::outcomes(
            &key_list,
            &partial,
            job_id,
            &format!("the wait was stopped (interrupted) before the job finished; settle it later with `jcbulk jobs results {job_id}` or --resume"),
        ),
        Some(Err(error)) => vec![
            Outcome::Unknown {
                job_id: Some(job_id.clone()),
                reason: format!("the job was created but its results could not be read: {error}"),
            };
            keys.len()
        ],
        None => vec![
            Outcome::Unknown {
                job_id: Some(job_id.clone()),
                reason: "internal error: the wait ended without a result".into(),
            };
            keys.len()
        ],
    };
    (outcomes, fatal)
}

/// The outcome of every record of a submitted chunk that is not waited for.
fn not_awaited(job_id: &JobId, records: usize) -> Vec<Outcome> {
    vec![
        Outcome::Unknown {
            job_id: Some(job_id.clone()),
            reason: format!(
                "submitted as job {job_id}; its results were not awaited (read them with `jcbulk jobs results {job_id}`)"
            ),
        };
        records
    ]
}

/// The outcome of each record of a chunk after its submission: from the job's results, or from
/// why there is no job. Also the job, and a reason to stop submitting.
pub(super) async fn outcomes_of(
    shared: &Shared,
    submitted: Result<JobId, Submission>,
    chunk: usize,
    keys: &[(u64, RecordKey)],
) -> (Vec<Outcome>, Option<JobId>, Option<String>) {
    match submitted {
        Err(Submission::Failed(error)) => {
            let (outcome, stop) = submission_failed(&error);
            (vec![outcome; keys.len()], None, stop)
        }
        Err(Submission::Unknown(reason)) => {
            let outcome = Outcome::Unknown {
                job_id: None,
                reason,
            };
            (vec![outcome; keys.len()], None, None)
        }
        Err(Submission::Stopped) => {
            let outcome = Outcome::NotSubmitted {
                reason: STOPPED_BEFORE_SENDING.into(),
            };
            (vec![outcome; keys.len()], None, None)
        }
        Ok(job_id) => {
            let submitted = ImportEvent::Submitted {
                chunk,
                job_id: job_id.clone(),
                records: keys.len(),
            };
            let _ = shared.events.send(submitted).await;
            let (outcomes, fatal) = if shared.options.await_results {
                await_job(shared, &job_id, chunk, keys).await
            } else {
                (not_awaited(&job_id, keys.len()), None)
            };
            (outcomes, Some(job_id), fatal)
        }
    }
}
