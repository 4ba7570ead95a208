//! Waiting for a bulk job: poll its results with a growing interval until every record is
//! settled (CONTRACT.md section 2) or a timeout.

use crate::client::Client;
use crate::control::{reached, Phase};
use crate::driven::Driven;
use crate::error::Error;
use crate::options::{CallOptions, Page};
use futures::future::BoxFuture;
use futures::future::Either;
use futures::{Stream, StreamExt};
use jc_models::{JobId, JobWorkresult, OrgId};
use jc_transport::{
    check_count, check_duration, check_f64, Deadline, InvalidSetting, MAX_DURATION,
};
use std::future::IntoFuture;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

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
    /// The defaults: polls 100 ms apart at first, growing by 1.5 up to 5 s; a 30-minute timeout;
    /// up to 10 failed polls in a row.
    pub fn new() -> Self {
        Self::default()
    }

    /// Poll intervals: start at `initial` (at least 1 ms), grow by `factor` (1 to 100), at most
    /// `max` (at least `initial`, at most a day).
    ///
    /// # Errors
    /// A value outside its range.
    pub fn intervals(
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
    pub fn timeout(mut self, timeout: Option<Duration>) -> Result<Self, InvalidSetting> {
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
    pub fn max_failed_polls(mut self, polls: u32) -> Result<Self, InvalidSetting> {
        self.max_failed_polls = check_count("max_failed_polls", polls, 0, 1000)?;
        Ok(self)
    }

    /// Poll in another org than the client's.
    #[must_use]
    pub fn org(mut self, org_id: impl Into<OrgId>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// The org the polls go to, when not the client's.
    pub fn org_id(&self) -> Option<&OrgId> {
        self.org_id.as_ref()
    }

    /// The timeout, if any.
    pub fn timeout_limit(&self) -> Option<Duration> {
        self.timeout
    }

    /// The intervals: initial, largest, growth factor.
    pub fn interval_settings(&self) -> (Duration, Duration, f64) {
        (self.initial_interval, self.max_interval, self.factor)
    }

    pub(crate) fn org_or(mut self, org: Option<&OrgId>) -> Self {
        if self.org_id.is_none() {
            self.org_id = org.cloned();
        }
        self
    }
}

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

fn progress(job_id: &JobId, expected: usize, results: &[JobWorkresult]) -> JobProgress {
    JobProgress {
        job_id: job_id.clone(),
        expected,
        received: results.len(),
        done: results.iter().filter(|r| r.is_terminal()).count(),
        failed: results.iter().filter(|r| r.is_failure()).count(),
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
            self.take_result().unwrap_or_else(|| {
                Err(Error::Config(
                    "internal error: the wait ended without a result".into(),
                ))
            })
        })
    }
}

impl Client {
    /// Re-reads the results from the first page that still holds a pending record.
    ///
    /// Bounded: a job of `expected` records fills at most `expected / 100 + 1` pages, so a
    /// server that ignores `skip` (the same page again) or lists more results than records is a
    /// protocol error, not an endless loop. Each request carries the wait's deadline, so that
    /// no `Retry-After` outlasts it.
    async fn refresh(
        &self,
        job_id: &JobId,
        expected: usize,
        results: &mut Vec<JobWorkresult>,
        options: &CallOptions,
        deadline: Option<Instant>,
    ) -> Result<(), Error> {
        let limit = Page::MAX_LIMIT as usize;
        let first_pending = results
            .iter()
            .position(|r| !r.is_terminal())
            .unwrap_or(results.len());
        // Pages are read into `fresh` and replace the stale ones only once all arrived: a wait
        // cut short by its deadline keeps what it had.
        let keep = first_pending / limit * limit;
        let (mut fresh, mut previous) = (Vec::new(), None);
        loop {
            let page = Page::new(Page::MAX_LIMIT, (keep + fresh.len()) as u64)?;
            let mut request = crate::request::job_results(self.endpoint(), job_id, page, options)?;
            if let Some(deadline) = deadline {
                request.extensions_mut().insert(Deadline(deadline));
            }
            let items: Vec<JobWorkresult> = self.fetch("job results", request).await?;
            let signature = items.first().zip(items.last()).map(|(first, last)| {
                (
                    items.len(),
                    first.id.clone(),
                    first.index(),
                    last.id.clone(),
                )
            });
            if signature.is_some() && signature == previous {
                return Err(Error::Pagination(format!(
                    "the server answered the same page of job {job_id}'s results twice (it ignores `skip`)"
                )));
            }
            previous = signature;
            let short = items.len() < limit;
            fresh.extend(items);
            if keep + fresh.len() > expected {
                return Err(Error::Pagination(format!(
                    "the server listed more than {expected} results for job {job_id}, which holds {expected} records"
                )));
            }
            if short {
                results.truncate(keep);
                results.extend(fresh);
                return Ok(());
            }
        }
    }

    /// Waits for `job_id` until all `expected` records are settled: a [`JobWaiter`], to iterate
    /// for progress or to await for every result.
    ///
    /// The wait ends with [`Error::Timeout`] (with the results read so far) when the job does not
    /// complete in time, or with the error of a poll that cannot be retried.
    pub fn wait_for_job(
        &self,
        job_id: &JobId,
        expected: usize,
        options: &WaitOptions,
    ) -> JobWaiter {
        self.wait_stoppable(job_id, expected, options, None)
    }

    /// [`Client::wait_for_job`] that also ends, with [`Error::Stopped`], once `phase` reaches
    /// "stop waiting".
    pub(crate) fn wait_stoppable(
        &self,
        job_id: &JobId,
        expected: usize,
        options: &WaitOptions,
        phase: Option<watch::Receiver<Phase>>,
    ) -> JobWaiter {
        let (client, job_id, options) = (self.clone(), job_id.clone(), options.clone());
        JobWaiter {
            inner: Driven::new(move |progress| async move {
                let mut phase = phase;
                client
                    .poll_job(&job_id, expected, &options, &progress, &mut phase)
                    .await
            }),
        }
    }

    async fn poll_job(
        &self,
        job_id: &JobId,
        expected: usize,
        options: &WaitOptions,
        report: &mpsc::Sender<JobProgress>,
        phase: &mut Option<watch::Receiver<Phase>>,
    ) -> Result<Vec<JobWorkresult>, Error> {
        let started = Instant::now();
        let deadline = options.timeout.and_then(|t| started.checked_add(t));
        let call = CallOptions {
            org_id: options.org_id.clone(),
        };
        let mut interval = options.initial_interval;
        let mut results = Vec::with_capacity(expected.min(100_000));
        let (mut failed_polls, mut cause) = (0, None);
        loop {
            let poll = self.refresh(job_id, expected, &mut results, &call, deadline);
            // `None`: the deadline cut the poll short (what failed before still explains it).
            let poll = async {
                match deadline {
                    Some(deadline) => tokio::time::timeout_at(deadline, poll).await.ok(),
                    None => Some(poll.await),
                }
            };
            let Some(outcome) = unless_stopped(poll, phase).await else {
                return Err(Error::Stopped {
                    job_id: job_id.clone(),
                    partial: Box::new(results),
                });
            };
            match outcome {
                None => {}
                Some(Ok(())) => (failed_polls, cause) = (0, None),
                Some(Err(error))
                    if error.is_retryable() && failed_polls < options.max_failed_polls =>
                {
                    failed_polls += 1;
                    tracing::debug!(%job_id, %error, failed_polls, "a poll failed; polling on");
                    cause = Some(error.to_string());
                }
                Some(Err(error)) => return Err(error),
            }
            let now = progress(job_id, expected, &results);
            let (complete, done) = (now.is_complete(), now.done);
            // A consumer that went away only stops the reports, not the wait.
            let _ = report.send(now).await;
            if complete {
                return Ok(results);
            }
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if remaining == Some(Duration::ZERO) {
                return Err(Error::Timeout {
                    job_id: job_id.clone(),
                    waited: started.elapsed(),
                    done,
                    expected,
                    partial: Box::new(results),
                    cause,
                });
            }
            let pause = tokio::time::sleep(remaining.map_or(interval, |r| r.min(interval)));
            if unless_stopped(pause, phase).await.is_none() {
                return Err(Error::Stopped {
                    job_id: job_id.clone(),
                    partial: Box::new(results),
                });
            }
            interval = interval.mul_f64(options.factor).min(options.max_interval);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jc_transport::test_util::ReplayTransport;
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn a_failed_poll_does_not_end_the_wait() {
        let replay = Arc::new(
            ReplayTransport::new()
                .json(200, r#"[{"status":"pending","meta":{"index":0}}]"#)
                .json(500, r#"{"message":"flaky"}"#)
                .json(200, r#"[{"status":"finished","meta":{"index":0}}]"#),
        );
        let client = Client::builder()
            .api_key("k")
            .transport(replay.clone())
            .build()
            .unwrap();
        let results = client
            .wait_for_job(&JobId::new("j"), 1, &WaitOptions::default())
            .await
            .unwrap();
        assert!(results[0].is_terminal());
        assert_eq!(replay.request_count(), 3);

        let failing = Arc::new(ReplayTransport::new().json(500, "{}").json(500, "{}"));
        let client = Client::builder()
            .api_key("k")
            .transport(failing)
            .build()
            .unwrap();
        let options = WaitOptions::default().max_failed_polls(1).unwrap();
        assert!(
            client
                .wait_for_job(&JobId::new("j"), 1, &options)
                .await
                .is_err(),
            "gives up after the limit"
        );
    }
}
