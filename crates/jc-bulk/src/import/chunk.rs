//! One chunk of an import, end to end: the journal's say, the submission, the wait, and the
//! outcome of each of its records. Runs as its own task; reports progress into the import's
//! event channel.

use crate::control::Phase;
use crate::error::Error;
use crate::import::journal::{stable_hash, ChunkInfo, JournalDecision};
use crate::import::options::ImportOptions;
use crate::import::outcome::{ImportEvent, Outcome, RecordOutcome};
use crate::import::record::{BulkRecord, RecordKey};
use crate::import::second_look::settle_unknown;
use crate::import::STOPPED_BEFORE_SENDING;
use crate::import::{mapping, InputRecord};
use crate::response;
use crate::session::Session;
use futures::StreamExt;
use jc_models::JobId;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// A chunk: the valid records to submit and the outcomes already known (invalid records,
/// records after a fatal error), all in input order by position.
pub(crate) struct Segment<R> {
    pub(crate) chunk: usize,
    pub(crate) records: Vec<InputRecord<R>>,
    pub(crate) settled: Vec<RecordOutcome>,
}

impl<R: BulkRecord> Segment<R> {
    /// Records in the chunk, valid and invalid.
    pub(crate) fn len(&self) -> usize {
        self.records.len() + self.settled.len()
    }

    /// Every record's position and key, in input order.
    pub(crate) fn keys(&self) -> Vec<(u64, RecordKey)> {
        let mut keys: Vec<(u64, RecordKey)> = self
            .records
            .iter()
            .map(|r| (r.position, r.record.key()))
            .chain(self.settled.iter().map(|o| (o.position, o.key.clone())))
            .collect();
        keys.sort_by_key(|(position, _)| *position);
        keys
    }
}

/// What a settled segment returns: every outcome in input order, its job, and a reason to stop
/// submitting.
pub(crate) struct Settled {
    pub(crate) outcomes: Vec<RecordOutcome>,
    pub(crate) job_id: Option<JobId>,
    /// A second job, when records with an unknown outcome were sent again.
    pub(crate) second_job: Option<JobId>,
    pub(crate) fatal: Option<String>,
}

pub(crate) fn all_with(records: &[(u64, RecordKey)], outcome: &Outcome) -> Vec<RecordOutcome> {
    records
        .iter()
        .map(|(position, key)| RecordOutcome {
            position: *position,
            key: key.clone(),
            outcome: outcome.clone(),
        })
        .collect()
}

/// The outcome of every record of a chunk whose submission failed with `error`, and whether
/// to stop submitting (401, 403, 404: every further chunk would fail the same way).
fn submission_failed(error: &Error) -> (Outcome, Option<String>) {
    let not_submitted = || Outcome::NotSubmitted {
        reason: error.to_string(),
    };
    let unknown = || {
        Outcome::Unknown {
        job_id: None,
        reason: format!(
            "the submission may have reached JumpCloud ({error}); check the org before sending these records again"
        ),
    }
    };
    match error {
        Error::Api(api) => match api.status.as_u16() {
            401 | 403 | 404 => (
                not_submitted(),
                Some(format!("JumpCloud refused the submission: {error}")),
            ),
            429 | 503 => (not_submitted(), None),
            400..=499 => (
                Outcome::Failed {
                    job_id: None,
                    reason: api.summary(),
                },
                None,
            ),
            _ => (unknown(), None),
        },
        Error::Transport(transport) if transport.is_not_sent() => (not_submitted(), None),
        Error::InvalidInput(_) | Error::Config(_) | Error::Setting(_) => (not_submitted(), None),
        _ => (unknown(), None),
    }
}

/// Why a chunk has no job.
pub(crate) enum Submission {
    /// The submission failed.
    Failed(Error),
    /// The journal says an earlier submission's outcome is unknown.
    Unknown(String),
    /// The import was told to stop before this chunk was sent.
    Stopped,
}

/// Sends a chunk (or, per the journal, re-attaches to its earlier job); returns the job id.
pub(crate) async fn submit<R: BulkRecord>(
    session: &Arc<Session>,
    values: &[R],
    options: &ImportOptions,
    info: &mut ChunkInfo,
    phase: &watch::Receiver<Phase>,
) -> Result<JobId, Submission> {
    if *phase.borrow() >= Phase::Draining {
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
            JournalDecision::Attach { job_id } => return Ok(job_id),
            JournalDecision::Unknown { reason } => return Err(Submission::Unknown(reason)),
            JournalDecision::Skip { reason } => {
                let error = Error::InvalidInput(crate::error::InvalidInput::Argument(reason));
                return Err(Submission::Failed(error));
            }
        }
    }
    let outcome = async {
        let response = session.send(request).await?;
        response::decode_job_id(R::OPERATION, &response)
    }
    .await;
    match (&outcome, &options.journal) {
        (Ok(job_id), Some(journal)) => journal.submitted(info, job_id).await,
        (Err(error), Some(journal)) => match submission_failed(error).0 {
            Outcome::Unknown { reason, .. } => journal.outcome_unknown(info, &reason).await,
            _ => journal.not_submitted(info, &error.to_string()).await,
        },
        _ => {}
    }
    outcome.map_err(Submission::Failed)
}

/// Waits for `job_id` and maps its results to the chunk's records, reporting progress. A wait
/// refused with 401 or 403 also stops the import: every further call would be refused too.
async fn await_job(
    session: &Arc<Session>,
    job_id: &JobId,
    chunk: usize,
    keys: &[(u64, RecordKey)],
    options: &ImportOptions,
    events: &mpsc::Sender<ImportEvent>,
    phase: &watch::Receiver<Phase>,
) -> (Vec<Outcome>, Option<String>) {
    let wait = options.wait.clone().org_or(options.org_id.as_ref());
    let mut waiter = crate::wait::waiter(
        session.clone(),
        job_id,
        keys.len(),
        &wait,
        Some(phase.clone()),
    );
    while let Some(progress) = waiter.next().await {
        let _ = events.send(ImportEvent::Progress { chunk, progress }).await;
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
        Some(Err(Error::Timeout {
            partial,
            waited,
            cause,
            ..
        })) => {
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
        Some(Err(Error::Stopped { partial, .. })) => mapping::outcomes(
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
pub(crate) async fn outcomes_of(
    session: &Arc<Session>,
    submitted: Result<JobId, Submission>,
    chunk: usize,
    keys: &[(u64, RecordKey)],
    options: &ImportOptions,
    events: &mpsc::Sender<ImportEvent>,
    phase: &watch::Receiver<Phase>,
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
            let _ = events.send(submitted).await;
            let (outcomes, fatal) = if options.await_results {
                await_job(session, &job_id, chunk, keys, options, events, phase).await
            } else {
                (not_awaited(&job_id, keys.len()), None)
            };
            (outcomes, Some(job_id), fatal)
        }
    }
}

/// Submits, waits for and settles one segment.
pub(crate) async fn settle<R: BulkRecord>(
    session: Arc<Session>,
    segment: Segment<R>,
    options: Arc<ImportOptions>,
    events: mpsc::Sender<ImportEvent>,
    phase: watch::Receiver<Phase>,
) -> Settled {
    let Segment {
        chunk,
        records,
        mut settled,
    } = segment;
    if records.is_empty() {
        return Settled {
            outcomes: settled,
            job_id: None,
            second_job: None,
            fatal: None,
        };
    }
    let keys: Vec<(u64, RecordKey)> = records
        .iter()
        .map(|r| (r.position, r.record.key()))
        .collect();
    let values: Vec<R> = records.into_iter().map(|r| r.record).collect();
    let mut info = ChunkInfo::new(
        chunk,
        0,
        keys.first().map_or(0, |k| k.0),
        keys.last().map_or(0, |k| k.0),
        keys.len(),
    );
    let submitted = submit(&session, &values, &options, &mut info, &phase).await;
    let (mut outcomes, created, fatal) =
        outcomes_of(&session, submitted, chunk, &keys, &options, &events, &phase).await;
    let second_job = match fatal {
        None => {
            settle_unknown(
                &session,
                &values,
                &keys,
                &mut outcomes,
                &options,
                chunk,
                &events,
                &phase,
            )
            .await
        }
        Some(_) => None,
    };
    drop(values);
    if let (Some(journal), true) = (&options.journal, created.is_some() && options.await_results) {
        journal.settled(&info).await;
    }
    settled.extend(
        keys.into_iter()
            .zip(outcomes)
            .map(|((position, key), outcome)| RecordOutcome {
                position,
                key,
                outcome,
            }),
    );
    settled.sort_by_key(|o| o.position);
    Settled {
        outcomes: settled,
        job_id: created,
        second_job,
        fatal,
    }
}
