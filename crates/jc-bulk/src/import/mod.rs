//! Chunked imports with a per-record report.
//!
//! Records stream in; valid ones are cut into chunks (default 800), up to N chunks (default 4)
//! are submitted and waited for at once, and every input record ends with exactly one
//! [`Outcome`]: applied, failed, not submitted, or unknown. [`Client::import`](crate::Client::import) returns an
//! [`Import`]: a stream of [`ImportEvent`]s (submissions, progress, each record's outcome in
//! input order, settled chunks, the end) that can also be awaited for the whole
//! [`ImportReport`]. Memory stays bounded by the chunks in flight whatever the input size. A
//! submission that may have reached JumpCloud is never re-sent: its records are reported
//! unknown, with the job id when it came back.

mod chunk;
mod journal;
mod mapping;
mod options;
mod outcome;
mod reason;
mod record;
mod verdict;

pub use journal::{ChunkInfo, Journal, JournalDecision};
pub use options::{ImportOptions, MAX_CHUNK_SIZE, MAX_CONCURRENCY};
pub use outcome::{ImportEvent, ImportReport, ImportSummary, Outcome, RecordOutcome};
pub use reason::{Reason, WaitEnd};
pub use record::{BulkRecord, RecordKey};

use crate::control::{ImportControl, Phase};
use crate::driven::Driven;
use crate::pace::Pacer;
use crate::session::Session;
use chunk::{all_with, settle, KnownJob, Segment, Settled, Shared};
use futures::future::BoxFuture;
use futures::stream::{FuturesOrdered, Stream, StreamExt};
use std::future::IntoFuture;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::{mpsc, watch};
use tokio_util::task::AbortOnDropHandle;
use verdict::{decide, Evidence};

/// An input record and its position (a line number, or an index).
#[derive(Debug, Clone, PartialEq)]
pub struct InputRecord<R> {
    /// Where the record came from; reported back with its outcome.
    pub position: u64,
    /// The record.
    pub record: R,
}

/// A running import: a [`Stream`] of [`ImportEvent`]s and an [`IntoFuture`] of the
/// [`ImportReport`]. Nothing is read or sent until it is polled or awaited. Dropping it cancels
/// everything it started: no further request is sent and no further journal call is made (jobs
/// already submitted go on at JumpCloud; a resumed run re-attaches to them through the journal).
///
/// ```no_run
/// # async fn f(client: jc_bulk::Client, users: Vec<jc_models::BulkUserCreate>) {
/// use futures::StreamExt;
/// use jc_bulk::{ImportEvent, ImportOptions, InputRecord};
/// let records = futures::stream::iter(users.into_iter().enumerate().map(|(i, record)| {
///     InputRecord { position: i as u64, record }
/// }));
/// let mut import = client.import(records, &ImportOptions::new());
/// while let Some(event) = import.next().await {
///     match event {
///         ImportEvent::Record(outcome) => println!("{}: {}", outcome.position, outcome.outcome.name()),
///         ImportEvent::Finished(summary) => println!("{} applied", summary.applied),
///         _ => {}
///     }
/// }
/// # }
/// ```
pub struct Import {
    inner: Driven<ImportEvent, ()>,
    control: ImportControl,
}

impl Import {
    /// An import of `records` through `session`: nothing runs until it is polled.
    pub(crate) fn start<R, S>(session: Arc<Session>, records: S, options: &ImportOptions) -> Self
    where
        R: BulkRecord,
        S: Stream<Item = InputRecord<R>> + Send + 'static,
    {
        let options = Arc::new(options.clone());
        // One pacer per import: its jobs share one estimate of the server's rate (see `pace`).
        let pacer = Arc::new(Pacer::default());
        let control = ImportControl::new();
        let phase = control.watch();
        Import {
            control,
            inner: Driven::new(move |events| {
                Driver {
                    phase,
                    pacer,
                    session,
                    input: Box::pin(records),
                    options,
                    events,
                    summary: ImportSummary::default(),
                    exhausted: false,
                    chunk: 0,
                }
                .run()
            }),
        }
    }

    /// The handle that stops this import from outside its stream (a Ctrl-C handler): see
    /// [`ImportControl`]. The stream goes on to its end either way, so that every record
    /// still gets its outcome.
    pub fn control(&self) -> ImportControl {
        self.control.clone()
    }
}

impl std::fmt::Debug for Import {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Import").finish_non_exhaustive()
    }
}

impl Stream for Import {
    type Item = ImportEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ImportEvent>> {
        self.inner.poll_event(cx)
    }
}

impl IntoFuture for Import {
    type Output = ImportReport;
    type IntoFuture = BoxFuture<'static, ImportReport>;

    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut report = ImportReport::default();
            while let Some(event) = self.next().await {
                match event {
                    ImportEvent::Record(outcome) => report.outcomes.push(outcome),
                    ImportEvent::Finished(summary) => report.summary = summary,
                    _ => {}
                }
            }
            report
        })
    }
}

/// The outcome of a record not sent before its chunk is: the import was told to stop, it
/// stopped on an error, or the record is invalid.
fn refusal<R: BulkRecord>(
    record: &R,
    stopped: Option<&String>,
    told: bool,
    validate: bool,
) -> Option<Outcome> {
    let evidence = if told {
        Evidence::Interrupted
    } else {
        match (stopped, validate) {
            (Some(stop), _) => Evidence::ImportStopped(stop),
            (None, true) => Evidence::Invalid(record.validate().err()?.to_string()),
            (None, false) => return None,
        }
    };
    Some(decide(evidence, None))
}

/// The import's state on the driver side.
struct Driver<S> {
    phase: watch::Receiver<Phase>,
    pacer: Arc<Pacer>,
    session: Arc<Session>,
    input: Pin<Box<S>>,
    options: Arc<ImportOptions>,
    events: mpsc::Sender<ImportEvent>,
    summary: ImportSummary,
    exhausted: bool,
    chunk: usize,
}

impl<R, S> Driver<S>
where
    R: BulkRecord,
    S: Stream<Item = InputRecord<R>> + Send + 'static,
{
    /// Reads the next chunk's worth of records; `None` at the end of the input.
    async fn next_segment(&mut self) -> Option<Segment<R>> {
        let size = self.options.chunk_size;
        let mut segment = Segment {
            chunk: self.chunk,
            records: Vec::new(),
            settled: Vec::new(),
        };
        while segment.records.len() < size && segment.settled.len() < size {
            let Some(item) = self.input.next().await else {
                self.exhausted = true;
                break;
            };
            self.summary.read += 1;
            let told = *self.phase.borrow() >= Phase::Draining;
            let stopped = self.summary.stopped.as_ref();
            match refusal(&item.record, stopped, told, self.options.validate) {
                Some(outcome) => segment.settled.push(RecordOutcome {
                    position: item.position,
                    key: item.record.key(),
                    outcome,
                }),
                None => segment.records.push(item),
            }
        }
        (segment.len() > 0).then_some(segment)
    }

    /// Starts a segment's task; a task that dies leaves its records unknown, never lost.
    fn start(&mut self, segment: Segment<R>) -> BoxFuture<'static, (usize, usize, Settled)> {
        let (chunk, size, fallback) = (segment.chunk, segment.len(), segment.keys());
        self.chunk += 1;
        // The handle aborts the task when dropped: an `Import` dropped mid-run stops its chunks
        // (no further request, no further journal line).
        let shared = Shared {
            session: self.session.clone(),
            options: self.options.clone(),
            events: self.events.clone(),
            phase: self.phase.clone(),
            pacer: self.pacer.clone(),
        };
        let known = KnownJob::default();
        let task = AbortOnDropHandle::new(tokio::spawn(settle(shared, segment, known.clone())));
        Box::pin(async move {
            match task.await {
                Ok(settled) => (chunk, size, settled),
                Err(error) => {
                    // The jobs it created still reach the report, with their records unknown.
                    let jobs = known.all();
                    let job_id = known.first();
                    let evidence = Evidence::TaskFailed(error.to_string());
                    let outcome = decide(evidence, job_id.as_ref());
                    let fatal = outcome.reason().map(ToString::to_string);
                    let settled = Settled {
                        outcomes: all_with(&fallback, &outcome),
                        job_id,
                        second_job: jobs.get(1).cloned(),
                        fatal,
                    };
                    (chunk, size, settled)
                }
            }
        })
    }

    /// Hands a settled chunk's outcomes out in order and counts them.
    async fn deliver(&mut self, chunk: usize, records: usize, settled: Settled) {
        if let (None, Some(reason)) = (&self.summary.stopped, settled.fatal) {
            self.summary.stopped = Some(reason.clone());
            let _ = self.events.send(ImportEvent::Stopped { reason }).await;
        }
        self.summary.jobs.extend(settled.job_id.clone());
        self.summary.jobs.extend(settled.second_job.clone());
        for outcome in settled.outcomes {
            self.summary.count(&outcome.outcome);
            if !self.options.await_results && outcome.outcome.job_id().is_some() {
                if let Outcome::Unknown { .. } = outcome.outcome {
                    self.summary.not_awaited += 1;
                }
            }
            let _ = self.events.send(ImportEvent::Record(outcome)).await;
        }
        let job_id = settled.job_id;
        let _ = self
            .events
            .send(ImportEvent::Settled {
                chunk,
                job_id,
                records,
            })
            .await;
    }

    /// Runs the import to its end.
    async fn run(mut self) {
        let mut in_flight = FuturesOrdered::new();
        loop {
            while !self.exhausted && in_flight.len() < self.options.concurrency {
                let Some(segment) = self.next_segment().await else {
                    break;
                };
                in_flight.push_back(self.start(segment));
            }
            let Some((chunk, records, settled)) = in_flight.next().await else {
                break;
            };
            self.deliver(chunk, records, settled).await;
        }
        let summary = std::mem::take(&mut self.summary);
        let _ = self.events.send(ImportEvent::Finished(summary)).await;
    }
}
