//! Chunked imports with a per-record report.
//!
//! Records stream in; valid ones are cut into chunks (default 800), up to N chunks (default 4)
//! are submitted and waited for at once, and every input record ends with exactly one
//! [`Outcome`]: applied, failed, not submitted, or unknown. Outcomes are delivered in input
//! order as chunks settle, so memory stays bounded by the chunks in flight whatever the input
//! size. A submission that may have reached JumpCloud is never re-sent: its records are
//! reported unknown, with the job id when it came back.

mod journal;
mod mapping;
mod outcome;
mod record;

pub use journal::{stable_hash, ChunkInfo, Journal, JournalDecision};
pub use outcome::{ImportEvent, ImportReport, ImportSummary, Outcome, RecordOutcome};
pub use record::{BulkRecord, RecordKey};

use crate::client::Client;
use crate::error::Error;
use crate::response;
use crate::wait::{JobProgress, WaitOptions};
use futures::stream::{FuturesOrdered, Stream, StreamExt};
use jc_models::CreationSource;
use std::sync::Arc;

/// An input record and its position (a line number, or an index).
#[derive(Debug, Clone, PartialEq)]
pub struct InputRecord<R> {
    /// Where the record came from; reported back with its outcome.
    pub position: u64,
    /// The record.
    pub record: R,
}

/// An event callback.
pub type EventFn = Arc<dyn Fn(&ImportEvent) + Send + Sync>;

/// How to import.
#[derive(Clone)]
#[non_exhaustive]
pub struct ImportOptions {
    /// Records per job. Default 800 (CONTRACT.md section 3).
    pub chunk_size: usize,
    /// Jobs submitted and waited for at once. Default 4.
    pub concurrency: usize,
    /// How to wait for each job.
    pub wait: WaitOptions,
    /// `creation-source` of create jobs.
    pub creation_source: Option<CreationSource>,
    /// `suppressEmail` of create and update jobs.
    pub suppress_email: Option<bool>,
    /// `x-org-id` of every call.
    pub org_id: Option<String>,
    /// Check each record with `validate()` and report invalid ones as not submitted. Default true.
    pub validate: bool,
    /// Called with progress events.
    pub on_event: Option<EventFn>,
    /// Notes chunks durably and decides, when resuming, what to send again.
    pub journal: Option<Arc<dyn Journal>>,
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("chunk_size", &self.chunk_size)
            .field("concurrency", &self.concurrency)
            .field("wait", &self.wait)
            .field("creation_source", &self.creation_source)
            .field("suppress_email", &self.suppress_email)
            .field("org_id", &self.org_id)
            .field("validate", &self.validate)
            .field("on_event", &self.on_event.is_some())
            .field("journal", &self.journal.is_some())
            .finish()
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            chunk_size: 800,
            concurrency: 4,
            wait: WaitOptions::default(),
            creation_source: None,
            suppress_email: None,
            org_id: None,
            validate: true,
            on_event: None,
            journal: None,
        }
    }
}

impl ImportOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records per job (1..=800 is what JumpCloud's tooling uses).
    #[must_use]
    pub fn chunk_size(mut self, size: usize) -> Self {
        self.chunk_size = size.max(1);
        self
    }

    /// Jobs in flight at once.
    #[must_use]
    pub fn concurrency(mut self, jobs: usize) -> Self {
        self.concurrency = jobs.max(1);
        self
    }

    /// How to wait for each job.
    #[must_use]
    pub fn wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }

    /// `creation-source` of create jobs.
    #[must_use]
    pub fn creation_source(mut self, source: CreationSource) -> Self {
        self.creation_source = Some(source);
        self
    }

    /// `suppressEmail` of create and update jobs.
    #[must_use]
    pub fn suppress_email(mut self, suppress: bool) -> Self {
        self.suppress_email = Some(suppress);
        self
    }

    /// Act on another org than the client's.
    #[must_use]
    pub fn org(mut self, org_id: impl Into<String>) -> Self {
        let org = org_id.into();
        self.wait.org_id = Some(org.clone());
        self.org_id = Some(org);
        self
    }

    /// Send records without checking them (the server still checks).
    #[must_use]
    pub fn validate(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }

    /// Call `callback` with progress events.
    #[must_use]
    pub fn on_event(mut self, callback: impl Fn(&ImportEvent) + Send + Sync + 'static) -> Self {
        self.on_event = Some(Arc::new(callback));
        self
    }

    /// Keep a journal of chunks, to resume after an interruption.
    #[must_use]
    pub fn journal(mut self, journal: Arc<dyn Journal>) -> Self {
        self.journal = Some(journal);
        self
    }

    fn emit(&self, event: ImportEvent) {
        if let Some(callback) = &self.on_event {
            callback(&event);
        }
    }
}

/// A chunk: the valid records to submit and the outcomes already known (invalid records,
/// records after a fatal error), all in input order by position.
struct Segment<R> {
    chunk: usize,
    records: Vec<InputRecord<R>>,
    settled: Vec<RecordOutcome>,
}

/// What a settled segment returns: every outcome, its job, and a reason to stop submitting.
struct Settled {
    outcomes: Vec<RecordOutcome>,
    job_id: Option<String>,
    fatal: Option<String>,
}

fn all_with(records: &[(u64, RecordKey)], outcome: &Outcome) -> Vec<RecordOutcome> {
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
        Error::InvalidInput(_) | Error::Config(_) => (not_submitted(), None),
        _ => (unknown(), None),
    }
}

/// Why a chunk has no job.
enum Submission {
    /// The submission failed.
    Failed(Error),
    /// The journal says an earlier submission's outcome is unknown.
    Unknown(String),
}

/// Sends a chunk (or, per the journal, re-attaches to its earlier job); returns the job id.
async fn submit<R: BulkRecord>(
    client: &Client,
    values: &[R],
    options: &ImportOptions,
    mut info: ChunkInfo,
) -> (Result<String, Submission>, ChunkInfo) {
    let request = match R::submission(client.endpoint(), values, options) {
        Ok(request) => request,
        Err(error) => return (Err(Submission::Failed(error)), info),
    };
    info.hash = stable_hash(&[R::OPERATION.as_bytes(), request.body()]);
    if let Some(journal) = &options.journal {
        match journal.before_submit(&info) {
            JournalDecision::Submit => {}
            JournalDecision::Attach { job_id } => return (Ok(job_id), info),
            JournalDecision::Unknown { reason } => return (Err(Submission::Unknown(reason)), info),
            JournalDecision::Skip { reason } => {
                let error = Error::InvalidInput(crate::error::InvalidInput::Argument(reason));
                return (Err(Submission::Failed(error)), info);
            }
        }
    }
    let outcome = async {
        let response = client.send_raw(request).await?;
        response::decode_job_id(R::OPERATION, &response)
    }
    .await;
    if let (Ok(job_id), Some(journal)) = (&outcome, &options.journal) {
        journal.submitted(&info, job_id);
    }
    (outcome.map_err(Submission::Failed), info)
}

async fn settle<R: BulkRecord>(
    client: Client,
    segment: Segment<R>,
    options: Arc<ImportOptions>,
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
            fatal: None,
        };
    }
    let keys: Vec<(u64, RecordKey)> = records
        .iter()
        .map(|r| (r.position, r.record.key()))
        .collect();
    let values: Vec<R> = records.into_iter().map(|r| r.record).collect();
    let info = ChunkInfo {
        chunk,
        hash: 0,
        first: keys.first().map_or(0, |k| k.0),
        last: keys.last().map_or(0, |k| k.0),
        records: keys.len(),
    };
    let (submitted, info) = submit(&client, &values, &options, info).await;
    drop(values);
    let mut fatal = None;
    let mut created = None;
    let outcomes = match submitted {
        Err(Submission::Failed(error)) => {
            let (outcome, stop) = submission_failed(&error);
            if let Some(journal) = &options.journal {
                match &outcome {
                    Outcome::Unknown { reason, .. } => journal.outcome_unknown(&info, reason),
                    _ => journal.not_submitted(&info, &error.to_string()),
                }
            }
            fatal = stop;
            all_with(&keys, &outcome)
        }
        Err(Submission::Unknown(reason)) => all_with(
            &keys,
            &Outcome::Unknown {
                job_id: None,
                reason,
            },
        ),
        Ok(job_id) => {
            created = Some(job_id.clone());
            options.emit(ImportEvent::Submitted {
                chunk,
                job_id: job_id.clone(),
                records: keys.len(),
            });
            let mut wait = options.wait.clone();
            if let Some(org) = &options.org_id {
                wait.org_id.get_or_insert_with(|| org.clone());
            }
            let events = options.clone();
            let user_callback = wait.on_progress.take();
            wait.on_progress = Some(Arc::new(move |progress: &JobProgress| {
                if let Some(callback) = &user_callback {
                    callback(progress);
                }
                events.emit(ImportEvent::Progress {
                    chunk,
                    job_id: progress.job_id.clone(),
                    done: progress.done,
                    failed: progress.failed,
                    records: progress.expected,
                });
            }));
            let key_list: Vec<RecordKey> = keys.iter().map(|(_, k)| k.clone()).collect();
            let mapped = match client.wait_for_job(&job_id, keys.len(), &wait).await {
                Ok(results) => {
                    mapping::outcomes(&key_list, &results, &job_id, "it was still pending")
                }
                Err(Error::Timeout {
                    partial, waited, ..
                }) => mapping::outcomes(
                    &key_list,
                    &partial,
                    &job_id,
                    &format!("it was still pending when the wait ended after {waited:?}"),
                ),
                Err(error) => vec![
                    Outcome::Unknown {
                        job_id: Some(job_id.clone()),
                        reason: format!(
                            "the job was created but its results could not be read: {error}"
                        ),
                    };
                    keys.len()
                ],
            };
            keys.into_iter()
                .zip(mapped)
                .map(|((position, key), outcome)| RecordOutcome {
                    position,
                    key,
                    outcome,
                })
                .collect()
        }
    };
    if let Some(journal) = &options.journal {
        journal.settled(&info);
    }
    settled.extend(outcomes);
    settled.sort_by_key(|o| o.position);
    Settled {
        outcomes: settled,
        job_id: created,
        fatal,
    }
}

impl Client {
    /// Imports `records`: chunks, submits, waits, and hands every record's outcome to `sink`
    /// in input order. Returns the counts. Never fails as a whole: problems become outcomes.
    pub async fn import<R, S>(
        &self,
        records: S,
        options: &ImportOptions,
        mut sink: impl FnMut(RecordOutcome) + Send,
    ) -> ImportSummary
    where
        R: BulkRecord,
        S: Stream<Item = InputRecord<R>> + Send,
    {
        let options = Arc::new(options.clone());
        let chunk_size = options.chunk_size.max(1);
        let mut input = Box::pin(records);
        let mut in_flight = FuturesOrdered::new();
        let mut summary = ImportSummary::default();
        let mut exhausted = false;
        let mut chunk = 0;
        loop {
            while !exhausted && in_flight.len() < options.concurrency.max(1) {
                let mut segment = Segment {
                    chunk,
                    records: Vec::new(),
                    settled: Vec::new(),
                };
                while segment.records.len() < chunk_size && segment.settled.len() < chunk_size {
                    let Some(item) = input.next().await else {
                        exhausted = true;
                        break;
                    };
                    summary.read += 1;
                    let refusal = match (&summary.stopped, options.validate) {
                        (Some(stop), _) => Some(format!("not sent: the import stopped: {stop}")),
                        (None, true) => item
                            .record
                            .validate()
                            .err()
                            .map(|v| format!("invalid record: {v}")),
                        (None, false) => None,
                    };
                    match refusal {
                        Some(reason) => segment.settled.push(RecordOutcome {
                            position: item.position,
                            key: item.record.key(),
                            outcome: Outcome::NotSubmitted { reason },
                        }),
                        None => segment.records.push(item),
                    }
                }
                if segment.records.is_empty() && segment.settled.is_empty() {
                    break;
                }
                let size = segment.records.len() + segment.settled.len();
                // Kept so that no record is lost even if the chunk's task dies.
                let mut fallback: Vec<(u64, RecordKey)> = segment
                    .records
                    .iter()
                    .map(|r| (r.position, r.record.key()))
                    .chain(segment.settled.iter().map(|o| (o.position, o.key.clone())))
                    .collect();
                fallback.sort_by_key(|(position, _)| *position);
                let task = tokio::spawn(settle(self.clone(), segment, options.clone()));
                in_flight.push_back(async move {
                    match task.await {
                        Ok(settled) => (chunk, size, settled),
                        Err(error) => {
                            let reason =
                                format!("internal error while importing this chunk: {error}");
                            let outcome = Outcome::Unknown {
                                job_id: None,
                                reason: reason.clone(),
                            };
                            let outcomes = all_with(&fallback, &outcome);
                            (
                                chunk,
                                size,
                                Settled {
                                    outcomes,
                                    job_id: None,
                                    fatal: Some(reason),
                                },
                            )
                        }
                    }
                });
                chunk += 1;
            }
            let Some((done_chunk, size, settled)) = in_flight.next().await else {
                break;
            };
            if summary.stopped.is_none() {
                summary.stopped = settled.fatal;
            }
            summary.jobs.extend(settled.job_id);
            for outcome in settled.outcomes {
                summary.count(&outcome.outcome);
                sink(outcome);
            }
            options.emit(ImportEvent::Settled {
                chunk: done_chunk,
                records: size,
                summary: summary.clone(),
            });
        }
        summary
    }

    /// [`Client::import`] of an iterator of records, positions 0, 1, 2 ..., collecting every
    /// outcome (use [`Client::import`] with a sink for very large inputs).
    pub async fn import_all<R, I>(&self, records: I, options: &ImportOptions) -> ImportReport
    where
        R: BulkRecord,
        I: IntoIterator<Item = R>,
        I::IntoIter: Send,
    {
        let input =
            futures::stream::iter(
                records
                    .into_iter()
                    .enumerate()
                    .map(|(i, record)| InputRecord {
                        position: i as u64,
                        record,
                    }),
            );
        let mut outcomes = Vec::new();
        let summary = self
            .import(input, options, |outcome| outcomes.push(outcome))
            .await;
        ImportReport { summary, outcomes }
    }

    /// Creates users in chunked jobs; see [`Client::import_all`].
    pub async fn import_users<I>(&self, users: I, options: &ImportOptions) -> ImportReport
    where
        I: IntoIterator<Item = jc_models::BulkUserCreate>,
        I::IntoIter: Send,
    {
        self.import_all(users, options).await
    }

    /// Updates users in chunked jobs; see [`Client::import_all`].
    pub async fn import_user_updates<I>(&self, changes: I, options: &ImportOptions) -> ImportReport
    where
        I: IntoIterator<Item = jc_models::BulkUserUpdate>,
        I::IntoIter: Send,
    {
        self.import_all(changes, options).await
    }

    /// Expires users' passwords in chunked jobs; see [`Client::import_all`].
    pub async fn import_user_expirations<I>(
        &self,
        users: I,
        options: &ImportOptions,
    ) -> ImportReport
    where
        I: IntoIterator<Item = jc_models::BulkUserExpire>,
        I::IntoIter: Send,
    {
        self.import_all(users, options).await
    }

    /// Unlocks users in chunked jobs; see [`Client::import_all`].
    pub async fn import_user_unlocks<I>(&self, users: I, options: &ImportOptions) -> ImportReport
    where
        I: IntoIterator<Item = jc_models::BulkUserUnlock>,
        I::IntoIter: Send,
    {
        self.import_all(users, options).await
    }
}
