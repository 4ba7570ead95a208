//! One chunk of an import, end to end, as named stages of one type run in one direction:
//! [`Stage::Submit`] (the journal's say and the request), [`Stage::Await`] (the job's results,
//! mapped to the records), [`Stage::Reconcile`] (a lookup settles records whose submission's
//! answer was lost; those provably absent go through [`Stage::Resend`] once, then
//! [`Stage::ConfirmExisting`]), and [`Stage::Finish`]. The stage files never call each other:
//! this driver moves from one stage to the next. Runs as its own task (owned by the import);
//! reports progress into the import's event channel.

mod reconcile;
mod submit;
mod wait;

use crate::control::Phase;
use crate::import::journal::ChunkInfo;
use crate::import::options::ImportOptions;
use crate::import::outcome::{ImportEvent, Outcome, RecordOutcome};
use crate::import::record::{BulkRecord, RecordKey};
use crate::import::InputRecord;
use crate::pace::Pacer;
use crate::session::Session;
use jc_models::JobId;
use std::sync::Arc;
use submit::Submission;
use tokio::sync::{mpsc, watch};

/// What every chunk of one import shares: the session, the options, the event channel, the
/// stop signal and the pacer (one estimate of the server's rate for all the import's waits).
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) session: Arc<Session>,
    pub(crate) options: Arc<ImportOptions>,
    pub(crate) events: mpsc::Sender<ImportEvent>,
    pub(crate) phase: watch::Receiver<Phase>,
    pub(crate) pacer: Arc<Pacer>,
}

/// What a chunk's task has learnt that must outlive it: the jobs created (readable by the
/// import even when the task fails) and when the chunk was first sent (in this run or, per the
/// journal, an earlier one).
#[derive(Debug, Clone, Default)]
pub(crate) struct KnownJob(Arc<std::sync::Mutex<Known>>);

#[derive(Debug, Default)]
struct Known {
    jobs: Vec<JobId>,
    first_sent: Option<std::time::SystemTime>,
}

impl KnownJob {
    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A job was created (or re-attached to) for the chunk.
    pub(crate) fn note(&self, job_id: &JobId) {
        self.known().jobs.push(job_id.clone());
    }

    /// The chunk was sent at `at` (only the first time counts).
    pub(crate) fn sent(&self, at: std::time::SystemTime) {
        self.known().first_sent.get_or_insert(at);
    }

    /// When the chunk was first sent, where known.
    pub(crate) fn first_sent(&self) -> Option<std::time::SystemTime> {
        self.known().first_sent
    }

    /// The first job, when one was created.
    pub(crate) fn first(&self) -> Option<JobId> {
        self.known().jobs.first().cloned()
    }

    /// Every job, in order.
    pub(crate) fn all(&self) -> Vec<JobId> {
        self.known().jobs.clone()
    }
}

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

/// Where a chunk stands.
enum Stage {
    /// Not sent yet.
    Submit,
    /// Sent (or not, and why).
    Await(Result<JobId, Submission>),
    /// Every record has an outcome; some may be unknown without a job.
    Reconcile,
    /// These records (positions in the chunk) are sent again, once.
    Resend(Vec<usize>),
    /// Sent again: those that failed as already existing are looked up.
    ConfirmExisting(Vec<usize>),
    /// Done.
    Finish,
}

/// A chunk being settled: its records and what is known of them so far.
struct Chunk<R> {
    number: usize,
    keys: Vec<(u64, RecordKey)>,
    values: Vec<R>,
    info: ChunkInfo,
    outcomes: Vec<Outcome>,
    job_id: Option<JobId>,
    second_job: Option<JobId>,
    fatal: Option<String>,
    known: KnownJob,
}

impl<R: BulkRecord> Chunk<R> {
    /// Runs `stage` and says which comes next.
    async fn step(&mut self, shared: &Shared, stage: Stage) -> Stage {
        match stage {
            Stage::Submit => {
                let submitted = submit::submit(shared, &self.values, &mut self.info, &self.known);
                Stage::Await(submitted.await)
            }
            Stage::Await(submitted) => {
                let (outcomes, job_id, fatal) =
                    wait::outcomes_of(shared, submitted, self.number, &self.keys).await;
                (self.outcomes, self.job_id, self.fatal) = (outcomes, job_id, fatal);
                match self.fatal {
                    Some(_) => Stage::Finish,
                    None => Stage::Reconcile,
                }
            }
            Stage::Reconcile => {
                let since = self.known.first_sent();
                let again =
                    reconcile::to_resend::<R>(shared, &self.keys, &mut self.outcomes, since).await;
                if again.is_empty() {
                    Stage::Finish
                } else {
                    Stage::Resend(again)
                }
            }
            Stage::Resend(again) => {
                self.resend(shared, &again).await;
                Stage::ConfirmExisting(again)
            }
            Stage::ConfirmExisting(again) => {
                let since = self.known.first_sent();
                let looked = (&again[..], since);
                reconcile::confirm_existing::<R>(shared, &self.keys, &mut self.outcomes, looked)
                    .await;
                Stage::Finish
            }
            Stage::Finish => Stage::Finish,
        }
    }

    /// Sends the records at `again` as a submission of their own (hashed apart from the first,
    /// so that a journal holding the first as "being submitted" does not refuse it), and takes
    /// their outcomes from it.
    async fn resend(&mut self, shared: &Shared, again: &[usize]) {
        let records: Vec<R> = again.iter().map(|&i| self.values[i].clone()).collect();
        let keys: Vec<(u64, RecordKey)> = again.iter().map(|&i| self.keys[i].clone()).collect();
        let (first, last) = (keys[0].0, keys[keys.len() - 1].0);
        let mut info = ChunkInfo::new(self.number, 0, first, last, keys.len());
        info.again = true;
        let submitted = submit::submit(shared, &records, &mut info, &self.known).await;
        let (resent, job, _) = wait::outcomes_of(shared, submitted, self.number, &keys).await;
        for (&i, outcome) in again.iter().zip(resent) {
            self.outcomes[i] = outcome;
        }
        self.second_job = job;
    }
}

/// Submits, waits for and settles one segment; every job it creates is noted in `known`.
pub(crate) async fn settle<R: BulkRecord>(
    shared: Shared,
    segment: Segment<R>,
    known: KnownJob,
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
    let info = ChunkInfo::new(
        chunk,
        0,
        keys.first().map_or(0, |k| k.0),
        keys.last().map_or(0, |k| k.0),
        keys.len(),
    );
    let mut work = Chunk {
        number: chunk,
        values: records.into_iter().map(|r| r.record).collect(),
        keys,
        info,
        outcomes: Vec::new(),
        job_id: None,
        second_job: None,
        fatal: None,
        known,
    };
    let mut stage = Stage::Submit;
    while !matches!(stage, Stage::Finish) {
        stage = work.step(&shared, stage).await;
    }
    let options = &shared.options;
    if let (Some(journal), true) = (
        &options.journal,
        work.job_id.is_some() && options.await_results,
    ) {
        journal.settled(&work.info).await;
    }
    settled.extend(
        work.keys
            .into_iter()
            .zip(work.outcomes)
            .map(|((position, key), outcome)| RecordOutcome {
                position,
                key,
                outcome,
            }),
    );
    settled.sort_by_key(|o| o.position);
    Settled {
        outcomes: settled,
        job_id: work.job_id,
        second_job: work.second_job,
        fatal: work.fatal,
    }
}
