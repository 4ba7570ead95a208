//! The await stage: the job's results, read by a waiter that shares the import's pacer, mapped
//! back to the chunk's records; or, when the submission gave no job, why.

use super::submit::Submission;
use super::Shared;
use crate::error::{Error, WaitError};
use crate::import::mapping;
use crate::import::outcome::{ImportEvent, Outcome};
use crate::import::reason::WaitEnd;
use crate::import::record::RecordKey;
use crate::import::verdict::{decide, stops_import, Evidence};
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
    let (report, mut progress) = tokio::sync::mpsc::channel(16);
    let waiting = crate::wait::wait_reporting(
        &shared.session,
        job_id,
        keys.len(),
        &wait,
        shared.pacer.clone(),
        shared.phase.clone(),
        report,
    );
    let forwarding = async {
        while let Some(progress) = progress.recv().await {
            let _ = shared
                .events
                .send(ImportEvent::Progress { chunk, progress })
                .await;
        }
    };
    // The wait drops its sender when it ends, which ends the forwarding.
    let (result, ()) = tokio::join!(waiting, forwarding);
    let key_list: Vec<RecordKey> = keys.iter().map(|(_, k)| k.clone()).collect();
    let fatal = match &result {
        Err(error) if error.is_auth() => Some(format!(
            "JumpCloud refused to show the results of job {job_id}: {error}"
        )),
        _ => None,
    };
    let mapped = |results: &[jc_models::JobWorkresult], wait: WaitEnd, listed_all: bool| {
        mapping::outcomes(&key_list, results, job_id, &wait, listed_all)
    };
    let outcomes = match result {
        Ok(results) => mapped(&results, WaitEnd::Finished, true),
        Err(Error::Wait(WaitError::Timeout {
            partial,
            waited,
            cause,
            listed_all,
            ..
        })) => {
            let wait = match cause {
                Some(cause) if partial.is_empty() => WaitEnd::Unreadable {
                    waited,
                    cause: cause.to_string(),
                },
                _ => WaitEnd::TimedOut { waited },
            };
            mapped(&partial, wait, listed_all)
        }
        Err(Error::Wait(WaitError::UnrecognisedStatus { partial, .. })) => {
            mapped(&partial, WaitEnd::Unrecognised, true)
        }
        Err(Error::Wait(WaitError::Stopped {
            partial,
            listed_all,
            ..
        })) => mapped(
            &partial,
            WaitEnd::Stopped {
                job_id: job_id.clone(),
            },
            listed_all,
        ),
        Err(error) => {
            let outcome = decide(Evidence::ResultsUnreadable(&error), Some(job_id));
            vec![outcome; keys.len()]
        }
    };
    (outcomes, fatal)
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
            let outcome = decide(Evidence::SubmitFailed(&error), None);
            (vec![outcome; keys.len()], None, stops_import(&error))
        }
        Err(Submission::Unknown(detail)) => {
            let outcome = decide(Evidence::EarlierRun(detail), None);
            (vec![outcome; keys.len()], None, None)
        }
        Err(Submission::Stopped) => {
            let outcome = decide(Evidence::Interrupted, None);
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
                let outcome = decide(Evidence::NotAwaited, Some(&job_id));
                (vec![outcome; keys.len()], None)
            };
            (outcomes, Some(job_id), fatal)
        }
    }
}
