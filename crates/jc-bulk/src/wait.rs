//! Waiting for a bulk job: poll its results with a growing interval until every record is
//! settled (CONTRACT.md section 2) or a timeout.

use crate::client::Client;
use crate::error::Error;
use crate::options::{CallOptions, Page};
use jc_models::JobWorkresult;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobProgress {
    /// The job.
    pub job_id: String,
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

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(&JobProgress) + Send + Sync>;

/// How to wait.
#[derive(Clone)]
#[non_exhaustive]
pub struct WaitOptions {
    /// Wait before the second poll (the first is immediate). Default 100 ms.
    pub initial_interval: Duration,
    /// Longest wait between polls. Default 5 s.
    pub max_interval: Duration,
    /// Growth of the wait after each poll. Default 1.5.
    pub factor: f64,
    /// Give up after this long; `None` waits forever. Default 30 minutes.
    pub timeout: Option<Duration>,
    /// `x-org-id` for the polls.
    pub org_id: Option<String>,
    /// Called after every poll.
    pub on_progress: Option<ProgressFn>,
    /// Polls in a row that may fail with a retryable error (5xx, 429, transport) before the wait
    /// gives up; a job's results are not lost to one bad poll. Default 10.
    pub max_failed_polls: u32,
}

impl std::fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitOptions")
            .field("initial_interval", &self.initial_interval)
            .field("max_interval", &self.max_interval)
            .field("factor", &self.factor)
            .field("timeout", &self.timeout)
            .field("org_id", &self.org_id)
            .field("on_progress", &self.on_progress.is_some())
            .field("max_failed_polls", &self.max_failed_polls)
            .finish()
    }
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_millis(100),
            max_interval: Duration::from_secs(5),
            factor: 1.5,
            timeout: Some(Duration::from_secs(30 * 60)),
            org_id: None,
            on_progress: None,
            max_failed_polls: 10,
        }
    }
}

impl WaitOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Poll intervals: start at `initial`, grow by `factor`, at most `max`.
    #[must_use]
    pub fn intervals(mut self, initial: Duration, max: Duration, factor: f64) -> Self {
        self.initial_interval = initial;
        self.max_interval = max.max(initial);
        self.factor = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// Give up after `timeout` (`None`: never).
    #[must_use]
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Poll in another org than the client's.
    #[must_use]
    pub fn org(mut self, org_id: impl Into<String>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// Call `callback` after every poll.
    #[must_use]
    pub fn on_progress(mut self, callback: impl Fn(&JobProgress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(callback));
        self
    }
}

fn progress(job_id: &str, expected: usize, results: &[JobWorkresult]) -> JobProgress {
    JobProgress {
        job_id: job_id.to_owned(),
        expected,
        received: results.len(),
        done: results.iter().filter(|r| r.is_terminal()).count(),
        failed: results.iter().filter(|r| r.is_failure()).count(),
    }
}

impl Client {
    /// Re-reads the results from the first page that still holds a pending record.
    async fn refresh(
        &self,
        job_id: &str,
        results: &mut Vec<JobWorkresult>,
        options: &CallOptions,
    ) -> Result<(), Error> {
        let limit = Page::MAX_LIMIT as usize;
        let first_pending = results
            .iter()
            .position(|r| !r.is_terminal())
            .unwrap_or(results.len());
        results.truncate(first_pending / limit * limit);
        loop {
            let page = Page::new(Page::MAX_LIMIT, results.len() as u64)?;
            let items = self.job_results_page(job_id, page, options).await?;
            let short = items.len() < limit;
            results.extend(items);
            if short {
                return Ok(());
            }
        }
    }

    /// Polls the results of `job_id` until all `expected` records are settled, and returns every
    /// result.
    ///
    /// # Errors
    /// [`Error::Timeout`] (with the results read so far) when the job does not complete in time;
    /// any error of reading the results.
    pub async fn wait_for_job(
        &self,
        job_id: &str,
        expected: usize,
        options: &WaitOptions,
    ) -> Result<Vec<JobWorkresult>, Error> {
        let started = Instant::now();
        let call = CallOptions {
            org_id: options.org_id.clone(),
        };
        let mut interval = options.initial_interval;
        let mut results = Vec::with_capacity(expected);
        let mut failed_polls = 0;
        loop {
            match self.refresh(job_id, &mut results, &call).await {
                Ok(()) => failed_polls = 0,
                Err(error) if error.is_retryable() && failed_polls < options.max_failed_polls => {
                    failed_polls += 1;
                    tracing::debug!(job_id, %error, failed_polls, "a poll failed; polling on");
                }
                Err(error) => return Err(error),
            }
            let now = progress(job_id, expected, &results);
            if let Some(callback) = &options.on_progress {
                callback(&now);
            }
            if now.is_complete() {
                return Ok(results);
            }
            let waited = started.elapsed();
            let remaining = options.timeout.map(|limit| limit.saturating_sub(waited));
            if remaining == Some(Duration::ZERO) {
                return Err(Error::Timeout {
                    job_id: job_id.to_owned(),
                    waited,
                    done: now.done,
                    expected,
                    partial: Box::new(results),
                });
            }
            tokio::time::sleep(remaining.map_or(interval, |r| r.min(interval))).await;
            interval = interval.mul_f64(options.factor).min(options.max_interval);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jc_transport::test_util::ReplayTransport;

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
            .wait_for_job("j", 1, &WaitOptions::default())
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
        let options = WaitOptions {
            max_failed_polls: 1,
            ..WaitOptions::default()
        };
        assert!(
            client.wait_for_job("j", 1, &options).await.is_err(),
            "gives up after the limit"
        );
    }
}
