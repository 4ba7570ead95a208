//! Waiting for a bulk job: read its results until every record is settled ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! section 2), the wait's timeout passes, or the caller stops it.
//!
//! The strategy spends requests only where they can bring news (issue 15):
//! - **When to read** is decided by [`crate::pace::decide`], a pure function from what was
//!   observed to the next action (read now, or sleep this long), unit-tested against a simulated
//!   server. The jobs of one import share one estimate of the server's rate, since JumpCloud
//!   works through one queue: a job behind unfinished ones sends nothing; the job at the head
//!   reads when its remaining records should be done at that rate (5 % late). The rate comes
//!   from the server's own `updatedAt` timestamps of settled results where it gives them, and
//!   otherwise from the progress seen between reads. Before a rate is known, reads follow the
//!   blind schedule of [`WaitOptions::intervals`]; a read that saw no progress backs off by half
//!   each time (every 5 s at least once stalled for a minute, at most every 60 s), so a job that
//!   never moves is read at a slowly growing, bounded interval until the timeout.
//! - **What to read** is decided by `refresh`: a page whose records are all settled is never
//!   read again; when the job is expected done the last page is probed first and, if settled,
//!   the pages between are read at once; otherwise pages are read in order up to the first one
//!   still working; nothing past the job's last record is read. A settled job of 800 records
//!   costs its 8 pages.

use crate::checked::{check_count, check_duration, check_f64};
use crate::control::Phase;
use crate::driven::Driven;
use crate::error::{Error, WaitError};
use crate::pace::Pacer;
use crate::session::Session;
use futures::future::BoxFuture;
use futures::{Stream, StreamExt};
use jc_models::{JobId, JobWorkresult, OrgId};
use jc_transport::{InvalidSetting, MAX_DURATION};
use std::future::IntoFuture;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobProgress {
    /// The job.
    pub job_id: JobId,
    /// Records submitted.
    pub expected: usize,
    /// Results the server lists so far.
    pub received: usize,
    /// Results settled (finished or failed).
    pub done: usize,
    /// Results failed.
    pub failed: usize,
}

impl JobProgress {
    /// True when every submitted record is settled.
    pub fn is_complete(&self) -> bool {
        self.received >= self.expected && self.done >= self.received
    }
}

/// How to wait. Fields are private: the checked setters refuse intervals, factors and timeouts
/// that would overflow or spin ([`InvalidSetting`]).
#[derive(Debug, Clone)]
pub struct WaitOptions {
    initial_interval: Duration,
    max_interval: Duration,
    factor: f64,
    timeout: Option<Duration>,
    org_id: Option<OrgId>,
    max_failed_polls: u32,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_millis(100),
            max_interval: Duration::from_secs(5),
            factor: 1.5,
            timeout: Some(Duration::from_secs(30 * 60)),
            org_id: None,
            max_failed_polls: 10,
        }
    }
}

impl WaitOptions {
    /// The defaults: before the server's rate is known, polls 100 ms apart at first, growing by
    /// 1.5 up to 5 s (once it is known, reads are scheduled for when the records should be
    /// done; see the module documentation); a 30-minute timeout; up to 10 failed polls in a row.
    pub fn new() -> Self {
        Self::default()
    }

    /// The blind schedule, used until the server's rate is known: start at `initial` (at least
    /// 1 ms), grow by `factor` (1 to 100), at most `max` (at least `initial`, at most a day).
    /// `initial` is also the pause of a job queued behind others before the rate is known.
    ///
    /// # Errors
    /// A value outside its range.
    pub fn with_intervals(
        mut self,
        initial: Duration,
        max: Duration,
        factor: f64,
    ) -> Result<Self, InvalidSetting> {
        let day = Duration::from_secs(24 * 3600);
        self.max_interval = check_duration("max_interval", max, Duration::from_millis(1), day)?;
        self.initial_interval =
            check_duration("initial_interval", initial, Duration::from_millis(1), max)?;
        self.factor = check_f64("factor", factor, 1.0, 100.0)?;
        Ok(self)
    }

    /// Give up after `timeout` (at least 1 ms, at most 30 days); `None` waits as long as the job
    /// makes progress.
    ///
    /// # Errors
    /// A timeout outside the range.
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Result<Self, InvalidSetting> {
        self.timeout = timeout
            .map(|t| check_duration("wait timeout", t, Duration::from_millis(1), MAX_DURATION))
            .transpose()?;
        Ok(self)
    }

    /// Polls in a row that may fail with a retryable error (5xx, 429, transport) before the wait
    /// gives up (0 to 1,000; default 10): a job's results are not lost to one bad poll.
    ///
    /// # Errors
    /// More than 1,000.
    pub fn with_max_failed_polls(mut self, polls: u32) -> Result<Self, InvalidSetting> {
        self.max_failed_polls = check_count("max_failed_polls", polls, 0, 1000)?;
        Ok(self)
    }

    /// Poll in another org than the client's.
    #[must_use]
    pub fn with_org(mut self, org_id: impl Into<OrgId>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// The org the polls go to, when not the client's.
    pub fn org_id(&self) -> Option<&OrgId> {
        self.org_id.as_ref()
    }

    /// The timeout, if any.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The intervals: initial, largest, growth factor.
    pub fn intervals(&self) -> (Duration, Duration, f64) {
        (self.initial_interval, self.max_interval, self.factor)
    }

    pub(crate) fn org_or(mut self, org: Option<&OrgId>) -> Self {
        if self.org_id.is_none() {
            self.org_id = org.cloned();
        }
        self
    }
}

/// A job being waited for: a [`Stream`] of [`JobProgress`] (one item per poll) and an
/// [`IntoFuture`] of every result. Nothing is sent until it is polled or awaited.
///
/// ```no_run
/// # async fn f(client: jc_bulk::Client, job: jc_bulk::JobId) -> Result<(), jc_bulk::Error> {
/// use futures::StreamExt;
/// let options = jc_bulk::WaitOptions::new();
/// // Only the end:
/// let results = client.wait_for_job(&job, 800, &options).await?;
/// // Progress, then the end:
/// let mut waiter = client.wait_for_job(&job, 800, &options);
/// while let Some(progress) = waiter.next().await {
///     println!("{} of {} done", progress.done, progress.expected);
/// }
/// let results = waiter.take_result().expect("the stream has ended")?;
/// # Ok(()) }
/// ```
pub struct JobWaiter {
    inner: Driven<JobProgress, Result<Vec<JobWorkresult>, Error>>,
}

impl std::fmt::Debug for JobWaiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobWaiter").finish_non_exhaustive()
    }
}

impl JobWaiter {
    /// The results (or the error that ended the wait), once the stream has ended; `None` before,
    /// and after the first call.
    pub fn take_result(&mut self) -> Option<Result<Vec<JobWorkresult>, Error>> {
        self.inner.take_result()
    }
}

impl Stream for JobWaiter {
    type Item = JobProgress;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<JobProgress>> {
        self.inner.poll_event(cx)
    }
}

impl IntoFuture for JobWaiter {
    type Output = Result<Vec<JobWorkresult>, Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;

    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move {
            while self.next().await.is_some() {}
            self.take_result()
                .unwrap_or_else(|| Err(WaitError::ResultTaken.into()))
        })
    }
}

/// The wait for `job_id` through `session` (see [`Client::wait_for_job`](crate::Client::wait_for_job)),
/// paced with the other waits sharing `pacer` (`None`: a pacing of its own), which also ends,
/// with [`WaitError::Stopped`], once `phase` reaches "stop waiting". Nothing runs until the waiter
/// is polled; dropping it ends the wait.
pub(crate) fn waiter(
    session: Arc<Session>,
    job_id: &JobId,
    expected: usize,
    options: &WaitOptions,
    pacer: Option<Arc<Pacer>>,
    phase: Option<watch::Receiver<Phase>>,
) -> JobWaiter {
    let (job_id, options) = (job_id.clone(), options.clone());
    JobWaiter {
        inner: Driven::new(move |progress| async move {
            let mut phase = phase;
            let poller = Poller { session: &session };
            let pacer = pacer.unwrap_or_default();
            poller
                .poll_job(&job_id, expected, &options, pacer, &progress, &mut phase)
                .await
        }),
    }
}

/// Waits for `job_id` on the caller's task and returns its results (or the error that ended the
/// wait), handing each progress to `report`. The import's await stage uses it: it needs the
/// result itself, always, where a [`JobWaiter`] hands it out once after its stream ends.
pub(crate) async fn wait_reporting(
    session: &Session,
    job_id: &JobId,
    expected: usize,
    options: &WaitOptions,
    pacer: Arc<Pacer>,
    phase: watch::Receiver<Phase>,
    report: mpsc::Sender<JobProgress>,
) -> Result<Vec<JobWorkresult>, Error> {
    let poller = Poller { session };
    let mut phase = Some(phase);
    poller
        .poll_job(job_id, expected, options, pacer, &report, &mut phase)
        .await
}

pub(crate) mod merged;
mod poll;

use poll::Poller;

#[cfg(test)]
mod tests;
