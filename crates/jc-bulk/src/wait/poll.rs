//! One job's wait, read by read: the pacing says when, `refresh` says which pages, and every
//! result read is kept in the job's [`Merged`] results. No single server value can hold the wait:
//! timestamps that cannot be right are left out of the rate, and a job whose every result
//! carries a status the client does not know ends explicitly (see [`UNRECOGNISED_READS`]).

use super::merged::Merged;
use super::{JobProgress, WaitOptions};
use crate::control::{reached, Phase};
use crate::error::{Error, WaitError};
use crate::options::CallOptions;
use crate::pace::{Action, Blind, Pacer, Pacing};
use crate::refresh::Look;
use crate::session::Session;
use futures::future::Either;
use jc_models::{JobId, JobWorkresult, WorkStatus};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// A job whose every result carries a status the client does not know ends after this many
/// reads in a row that show it ...
pub(crate) const UNRECOGNISED_READS: u32 = 3;
/// ... spanning at least this long ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 2).
pub(crate) const UNRECOGNISED_SPAN: Duration = Duration::from_secs(10);
/// How far the server's clock may be from ours: a result dated before the wait started (less
/// this) or after now (plus this) is left out of the rate.
const CLOCK_SKEW: Duration = Duration::from_secs(120);
/// A rate by the server's timestamps below this share of the rate the reads themselves proved
/// (records settled between two reads, over the time between) is not believed.
const PROVEN_SHARE: f64 = 0.5;

/// `work`'s output, or `None` when `phase` reaches "stop waiting" first.
async fn unless_stopped<T>(
    work: impl std::future::Future<Output = T>,
    phase: &mut Option<watch::Receiver<Phase>>,
) -> Option<T> {
    let work = std::pin::pin!(work);
    let stopped = std::pin::pin!(reached(phase, Phase::Abandoning));
    match futures::future::select(work, stopped).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(((), _)) => None,
    }
}

/// A status the client does not know (neither pending, finished nor a failure word).
fn unrecognised(result: &JobWorkresult) -> Option<&str> {
    match result.status.as_ref()? {
        WorkStatus::Other(text) if !result.is_terminal() => Some(text),
        _ => None,
    }
}

/// Whether a look that left `listing` reached the end of the job's listing: every record is
/// listed, or the last page read is short, or it holds no working record (so the look went on
/// to the next page, which was empty). A look that stopped at a page still working did not.
fn listed_to_end(listing: &[JobWorkresult], expected: usize) -> bool {
    let limit = crate::options::Page::MAX_LIMIT as usize;
    listing.len() >= expected
        || !listing.len().is_multiple_of(limit)
        || listing
            .chunks(limit)
            .next_back()
            .is_none_or(|page| page.iter().all(JobWorkresult::is_terminal))
}

/// Whether `results` are some, and all carry an unrecognised status.
fn all_unrecognised(results: &[JobWorkresult]) -> bool {
    !results.is_empty() && results.iter().all(|r| unrecognised(r).is_some())
}

/// How many records settled over how many seconds, by the server's `updatedAt` of `settled`
/// results: the span between the first and the last holds `n - 1` settlements. Timestamps
/// outside `plausible` (before the wait started, after now, each widened by the clock skew)
/// are left out. `None` without at least two timestamps apart.
pub(super) fn server_timing<'a>(
    settled: impl Iterator<Item = &'a JobWorkresult>,
    plausible: Option<(SystemTime, SystemTime)>,
) -> Option<(usize, f64)> {
    let millis = crate::time::unix_millis;
    let skew = i64::try_from(CLOCK_SKEW.as_millis()).unwrap_or(0);
    let window = plausible.map(|(from, to)| {
        (
            millis(from).saturating_sub(skew),
            millis(to).saturating_add(skew),
        )
    });
    let mut times = settled
        .filter(|r| r.is_terminal())
        .filter_map(|r| r.updated_at.as_ref()?.instant())
        .filter(|t| {
            let at = t.timestamp_millis();
            window.is_none_or(|(from, to)| at >= from && at <= to)
        });
    let first = times.next()?;
    let (mut low, mut high, mut count) = (first, first, 1usize);
    for time in times {
        (low, high, count) = (low.min(time), high.max(time), count + 1);
    }
    let micros = (high - low).num_microseconds()?;
    (micros > 0).then(|| (count - 1, micros as f64 / 1e6))
}

/// What one wait keeps between reads.
struct PollState {
    expected: usize,
    /// The leading pages as last read (which pages `refresh` reads next).
    listing: Vec<JobWorkresult>,
    /// Every result read, by record.
    merged: Merged,
    failed_polls: u32,
    cause: Option<String>,
    pacing: Pacing,
    /// When the wait started, by the wall clock (the server's timestamps are on one).
    started_wall: SystemTime,
    /// The previous read: when, and how many records were settled.
    previous: Option<(Instant, usize)>,
    /// Reads in a row in which every result carried an unrecognised status, since when.
    unrecognised: Option<(u32, Instant)>,
    /// The last successful read reached the end of the job's listing.
    listed_all: bool,
}

impl PollState {
    fn new(expected: usize, options: &WaitOptions, pacer: Arc<Pacer>) -> Self {
        let blind = Blind {
            initial: options.initial_interval,
            max: options.max_interval,
            factor: options.factor,
        };
        Self {
            expected,
            listing: Vec::with_capacity(expected.min(100_000)),
            merged: Merged::default(),
            failed_polls: 0,
            cause: None,
            pacing: Pacing::join(pacer, expected, blind),
            started_wall: SystemTime::now(),
            previous: None,
            unrecognised: None,
            listed_all: false,
        }
    }

    /// Every result known, one per record.
    fn results(&self) -> Vec<JobWorkresult> {
        self.merged.all(&self.listing)
    }

    /// Every result known, moved out: the wait is over.
    fn take_results(&mut self) -> Vec<JobWorkresult> {
        let listing = std::mem::take(&mut self.listing);
        self.merged.take_all(listing)
    }

    /// Where the job stands, counted without copying the results.
    fn progress(&self, job_id: &JobId) -> JobProgress {
        let (received, done, failed) = self.merged.counts(&self.listing);
        JobProgress {
            job_id: job_id.clone(),
            expected: self.expected,
            received,
            done,
            failed,
        }
    }

    /// Tells the pacing what a read at `now` showed, with the server's timing where it is
    /// plausible and consistent with what the reads proved.
    fn observe(&mut self, now: Instant, started: Instant) {
        let settled = self.merged.settled();
        let plausible = Some((self.started_wall, SystemTime::now()));
        let mut measured = server_timing(self.merged.settled_results(), plausible);
        let (since, before) = self.previous.unwrap_or((started, 0));
        let seconds = now.saturating_duration_since(since).as_secs_f64();
        if settled > before && seconds > 0.0 {
            let proven = (settled - before) as f64 / seconds;
            if let Some((records, span)) = measured {
                if (records as f64 / span) < PROVEN_SHARE * proven {
                    tracing::debug!(
                        records,
                        span,
                        proven,
                        "server timestamps disagree with the reads; ignored"
                    );
                    measured = None;
                }
            }
        }
        self.previous = Some((now, settled));
        self.pacing.observed(settled, measured);
    }

    /// True once every result read carried an unrecognised status on [`UNRECOGNISED_READS`]
    /// reads in a row spanning [`UNRECOGNISED_SPAN`] (the pages read may be the first ones
    /// only: the caller then reads every page to see whether all results do).
    fn unrecognised_for_long(&mut self, now: Instant) -> bool {
        // A settled result is a recognised one: only the listing can be all unrecognised.
        if self.merged.settled() > 0 || !all_unrecognised(&self.listing) {
            self.unrecognised = None;
            return false;
        }
        let (reads, since) = self.unrecognised.get_or_insert((0, now));
        *reads += 1;
        *reads >= UNRECOGNISED_READS && now.saturating_duration_since(*since) >= UNRECOGNISED_SPAN
    }

    fn stopped(&mut self, job_id: &JobId) -> Error {
        WaitError::Stopped {
            job_id: job_id.clone(),
            partial: Box::new(self.take_results()),
            listed_all: self.listed_all,
        }
        .into()
    }

    fn timed_out(&mut self, job_id: &JobId, waited: Duration) -> Error {
        let partial = self.take_results();
        WaitError::Timeout {
            job_id: job_id.clone(),
            waited,
            done: partial.iter().filter(|r| r.is_terminal()).count(),
            expected: self.expected,
            partial: Box::new(partial),
            cause: self.cause.take(),
            listed_all: self.listed_all,
        }
        .into()
    }
}

/// Reads one job's results through a session.
pub(super) struct Poller<'a> {
    pub(super) session: &'a Session,
}

impl Poller<'_> {
    /// A look at `job_id`'s results through this poller's session.
    fn look<'a>(
        &'a self,
        job_id: &'a JobId,
        expected: usize,
        call: &'a CallOptions,
        deadline: Option<Instant>,
    ) -> Look<'a> {
        Look {
            session: self.session,
            job_id,
            expected,
            options: call,
            deadline,
        }
    }

    pub(super) async fn poll_job(
        &self,
        job_id: &JobId,
        expected: usize,
        options: &WaitOptions,
        pacer: Arc<Pacer>,
        report: &mpsc::Sender<JobProgress>,
        phase: &mut Option<watch::Receiver<Phase>>,
    ) -> Result<Vec<JobWorkresult>, Error> {
        let started = Instant::now();
        let deadline = options.timeout.and_then(|t| started.checked_add(t));
        let mut state = PollState::new(expected, options, pacer);
        loop {
            // Checked before every action: reads due at once (the shortest schedule) also end.
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if remaining == Some(Duration::ZERO) {
                return Err(state.timed_out(job_id, started.elapsed()));
            }
            let delay = match state.pacing.action() {
                Action::Read { expect_done } => {
                    let read = self.poll_once(job_id, &mut state, options, deadline, expect_done);
                    let Some(outcome) = unless_stopped(read, phase).await else {
                        return Err(state.stopped(job_id));
                    };
                    outcome?;
                    let now = Instant::now();
                    state.observe(now, started);
                    let seen = state.progress(job_id);
                    let complete = seen.is_complete();
                    // A consumer that went away only stops the reports, not the wait.
                    let _ = report.send(seen).await;
                    if complete {
                        return Ok(state.take_results());
                    }
                    if state.unrecognised_for_long(now) {
                        if let Some(error) = self
                            .unrecognised_end(job_id, &mut state, options, deadline)
                            .await?
                        {
                            return Err(error);
                        }
                    }
                    continue;
                }
                Action::Wait(delay) => delay,
            };
            let pause = tokio::time::sleep(remaining.map_or(delay, |r| r.min(delay)));
            if unless_stopped(pause, phase).await.is_none() {
                return Err(state.stopped(job_id));
            }
        }
    }

    /// After reads in which every result carried an unrecognised status: one read of every
    /// page; when all the job's results carry one, the error that ends the wait.
    async fn unrecognised_end(
        &self,
        job_id: &JobId,
        state: &mut PollState,
        options: &WaitOptions,
        deadline: Option<Instant>,
    ) -> Result<Option<Error>, Error> {
        let call = CallOptions {
            org_id: options.org_id.clone(),
        };
        self.look(job_id, state.expected, &call, deadline)
            .read_every_page(&mut state.listing, &mut state.merged)
            .await?;
        let results = state.results();
        if results.len() < state.expected || !all_unrecognised(&results) {
            state.unrecognised = None;
            return Ok(None);
        }
        let status = results.iter().find_map(unrecognised).unwrap_or_default();
        Ok(Some(
            WaitError::UnrecognisedStatus {
                job_id: job_id.clone(),
                status: status.to_owned(),
                partial: Box::new(results),
            }
            .into(),
        ))
    }

    /// One read of the job's results, within the deadline; a failure that may pass is counted
    /// and kept as the cause, any other ends the wait.
    async fn poll_once(
        &self,
        job_id: &JobId,
        state: &mut PollState,
        options: &WaitOptions,
        deadline: Option<Instant>,
        expect_done: bool,
    ) -> Result<(), Error> {
        let call = CallOptions {
            org_id: options.org_id.clone(),
        };
        let look = self.look(job_id, state.expected, &call, deadline);
        let poll = look.refresh(&mut state.listing, &mut state.merged, expect_done);
        // `None`: the deadline cut the poll short (what failed before still explains it).
        let outcome = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, poll).await.ok(),
            None => Some(poll.await),
        };
        match outcome {
            None => Ok(()),
            Some(Ok(())) => {
                (state.failed_polls, state.cause) = (0, None);
                state.listed_all = listed_to_end(&state.listing, state.expected);
                Ok(())
            }
            Some(Err(error))
                if error.is_retryable() && state.failed_polls < options.max_failed_polls =>
            {
                state.failed_polls += 1;
                tracing::debug!(%job_id, %error, failed_polls = state.failed_polls, "a poll failed; polling on");
                state.cause = Some(error.to_string());
                Ok(())
            }
            Some(Err(error)) => Err(error),
        }
    }
}
