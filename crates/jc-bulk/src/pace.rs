//! When to read a job's results next: requests only where they can bring news.
//!
//! The strategy is one pure function, [`decide`], from what was observed to the next action
//! (read now, or sleep this long); the waits and the simulated server of the tests both run it.
//! - The server works through one queue, so one estimate of its rate (records per second) and
//!   of what is queued before each job serves every job of an import ([`Estimate`], shared by a
//!   [`Pacer`]). A job's expected finish is when the records queued before it and its own
//!   remaining records are done at that rate, counted from the last look at the queue; the read
//!   is scheduled for then, 5 % late (an early read is a wasted request, a late one costs a
//!   fraction of the wait). When a read finds its job done, the job is taken to have finished
//!   when the model said (if that is earlier): the job behind it started then.
//! - A job behind unfinished ones sends nothing: it cannot be done before them.
//! - The rate comes from the server's own `updatedAt` timestamps where it gives them
//!   ([`Estimate::measured`]); otherwise from the records processed between looks (an average
//!   that one sample moves at most twofold; a look that found its job done only shows a lower
//!   bound). Before anything is known, reads follow the blind schedule (initial interval, growing
//!   by the factor).
//! - A read that saw no progress backs off by half each time; once a job has stalled for a
//!   minute it is read never more often than every 5 s, and at least every 60 s.
//!
//! Which pages a read fetches is `refresh`'s part (a settled page is never read again).

use std::collections::BTreeMap;
use std::time::Duration;

/// How much later than the expected finish a read is scheduled (5 %).
const LATE: f64 = 1.05;
/// The fewest records whose timestamps measure the rate.
const MIN_MEASURED: usize = 20;
/// The shortest wait between reads of one job.
const MIN_DELAY: Duration = Duration::from_millis(20);
/// The longest wait the rate model may ask for between two reads of a job (issue 19: one odd
/// timestamp must not put the next read centuries away).
const MAX_MODEL_DELAY: Duration = Duration::from_secs(60);
/// A job whose last look saw no progress, and none for this long, no longer holds the jobs
/// behind it back: they are read after their own expected finish.
const STALLED_AHEAD: f64 = 2.0;
/// After this long without progress, reads are at least this far apart ...
const STALL: Duration = Duration::from_secs(60);
const STALLED_DELAY: Duration = Duration::from_secs(5);
/// ... and at most this far.
const MAX_STALLED_DELAY: Duration = Duration::from_secs(60);
/// How much the wait grows after a read that saw no progress: a server that resumes after a
/// stall is noticed at most half the stall late.
const NO_PROGRESS_GROWTH: f64 = 1.5;

/// What one job has shown so far. Times are seconds on the import's clock.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct JobView {
    /// Records in the job.
    pub(crate) expected: usize,
    /// Records known settled.
    pub(crate) settled: usize,
    /// When the count last grew (at first: when the job was submitted).
    pub(crate) progressed_at: f64,
    /// The wait before the previous read.
    pub(crate) last_delay: Duration,
    /// Reads made.
    pub(crate) reads: u32,
    /// When the next read is due, and whether the model expects the job done by then (the
    /// blind and back-off schedules, fixed once per read).
    pub(crate) due: Option<(f64, bool)>,
    /// When the job was submitted.
    pub(crate) joined_at: f64,
    /// When it was last read.
    pub(crate) last_read_at: f64,
    /// Whether its last read saw no progress (false before the first).
    pub(crate) stuck: bool,
}

/// What a wait does next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Action {
    /// Read now; `expect_done` when the rate model expects every record settled (the look then
    /// probes the last page first and reads the rest at once).
    Read { expect_done: bool },
    /// Sleep this long, then decide again.
    Wait(Duration),
}

/// The shared estimate, as one job sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Queue {
    /// Records queued before the job, as of the last look.
    pub(crate) ahead: usize,
    /// The server's rate, once seen.
    pub(crate) rate: Option<f64>,
    /// When the queue was last looked at (a read of any job of the import).
    pub(crate) last_look: f64,
}

fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(MAX_MODEL_DELAY)
}

/// The next action of one job's wait, at `now`: the strategy as one pure function (the waits
/// and the simulation in the tests both run it).
/// - With a rate, a job is expected done when the records ahead of it and its own remaining
///   records are processed, counted from the last look at the queue (or from its submission,
///   if later). A job behind unfinished ones sleeps until then without a request, and checks
///   again; the head of the queue reads then (5 % late, and never twice within 20 ms).
/// - A read that saw no progress, or no rate yet: [`next_read`] (the blind schedule, or a
///   back-off that grows by half), fixed once per read.
pub(crate) fn decide(view: &mut JobView, queue: Queue, now: f64, blind: Blind) -> Action {
    let rate = queue.rate.filter(|r| r.is_finite() && *r > 0.0);
    let remaining = view.expected.saturating_sub(view.settled) as f64;
    let base = queue.last_look.max(view.joined_at);
    if !worth_reading(queue.ahead) {
        // Not started yet: its progress is measured from when it can start.
        view.progressed_at = now;
        view.due = None;
        let wait = match rate {
            Some(rate) => seconds(base + (queue.ahead as f64 + remaining) / rate * LATE - now),
            None => blind.initial,
        };
        return Action::Wait(wait.clamp(MIN_DELAY, MAX_STALLED_DELAY));
    }
    let no_progress = view.stuck;
    let (at, expect_done) = match (rate, view.due) {
        (Some(rate), _) if !no_progress => {
            // However slow the rate looks, a job making progress is read within a minute.
            let latest = view.last_read_at.max(view.joined_at) + MAX_MODEL_DELAY.as_secs_f64();
            let model = (base + remaining / rate * LATE).min(latest);
            (model.max(view.last_read_at + MIN_DELAY.as_secs_f64()), true)
        }
        (_, Some(due)) => due,
        (_, None) => {
            let delay = next_read(view, rate, now, blind);
            view.last_delay = delay;
            // A job seen not moving is not expected done: read in order, to see it move.
            let due = (now + delay.as_secs_f64(), false);
            view.due = Some(due);
            due
        }
    };
    if at - now > 0.001 {
        return Action::Wait(seconds(at - now));
    }
    view.due = None;
    if view.reads > 0 {
        view.last_delay = seconds(now - view.last_read_at);
    }
    view.last_read_at = now;
    Action::Read { expect_done }
}

/// The shared picture of an import: the server's rate and what is queued in front of each job.
#[derive(Debug, Default)]
pub(crate) struct Estimate {
    /// Records per second, once seen.
    rate: Option<f64>,
    /// Records not yet settled, per job, in submission order.
    queue: BTreeMap<u64, usize>,
    next_job: u64,
    /// Records of every job that joined.
    joined: usize,
    /// The previous look at the queue: when, and how many records were processed by then.
    last: Option<(f64, usize)>,
    /// When the queue's counts held: the last look, or when a job a look found done is
    /// modelled to have finished (the job behind it started then, not when it was seen).
    reference: Option<f64>,
    /// Jobs seen stalled (no progress at their last look, none for [`STALLED_AHEAD`]): they
    /// do not count as ahead of the jobs behind them.
    stalled: std::collections::BTreeSet<u64>,
}

impl Estimate {
    /// Registers a job of `records`, submitted at `now`, at the end of the queue; returns its
    /// place.
    pub(crate) fn join(&mut self, records: usize, now: f64) -> u64 {
        let place = self.next_job;
        self.next_job += 1;
        self.queue.insert(place, records);
        self.joined += records;
        self.last.get_or_insert((now, 0));
        place
    }

    /// Records still to be processed before the job at `place` (jobs seen stalled not counted).
    pub(crate) fn ahead_of(&self, place: u64) -> usize {
        self.queue
            .range(..place)
            .filter(|(at, _)| !self.stalled.contains(at))
            .map(|(_, n)| n)
            .sum()
    }

    /// Whether the job at `place` is seen stalled (see [`STALLED_AHEAD`]).
    pub(crate) fn stall(&mut self, place: u64, stalled: bool) {
        if stalled {
            self.stalled.insert(place);
        } else {
            self.stalled.remove(&place);
        }
    }

    /// The job at `place` has `remaining` records left (0: it leaves the queue).
    pub(crate) fn remaining(&mut self, place: u64, remaining: usize) {
        if remaining == 0 {
            self.stalled.remove(&place);
            self.queue.remove(&place);
        } else if let Some(left) = self.queue.get_mut(&place) {
            *left = remaining;
        }
    }

    /// A read at `now` has updated the queue: the records processed since the previous look,
    /// over the time between, are a sample of the rate (an exponentially weighted average). A
    /// read that found its job `complete` only shows a lower bound (it may have finished a while
    /// ago), so it can raise the estimate but not lower it. A look without progress moves the
    /// window on, so that a stall is not averaged in (it is met by backing off instead).
    /// The server's own clock measured the rate: `records` settled over `seconds` by the
    /// `updatedAt` of one job's results. Records of one job are processed back to back, so
    /// this is the rate itself, not a bound; it replaces the estimate (which, built from the
    /// reads' own timing, cannot tell a faster server from reads that came late).
    pub(crate) fn measured(&mut self, records: usize, seconds: f64) {
        if records >= MIN_MEASURED && seconds > 0.0 {
            let rate = records as f64 / seconds;
            if rate.is_finite() {
                self.rate = Some(rate);
            }
        }
    }

    pub(crate) fn observe(&mut self, now: f64, complete: bool) {
        let processed = self.joined - self.queue.values().sum::<usize>();
        let (then, before) = self.last.unwrap_or((now, processed));
        self.last = Some((now, processed));
        let (records, seconds) = (processed.saturating_sub(before), now - then);
        if records == 0 || seconds <= 0.0 {
            return;
        }
        let mut seen = records as f64 / seconds;
        if let Some(rate) = self.rate {
            // A short window credits work done before it (a job seen just after it started
            // had been running since the one before it finished): one sample moves the
            // estimate at most by half.
            seen = seen.clamp(rate / 2.0, rate * 2.0);
        }
        self.rate = Some(match (self.rate, complete) {
            (Some(rate), true) => rate.max(seen),
            (Some(rate), false) => 0.5 * rate + 0.5 * seen,
            (None, _) => seen,
        });
    }

    /// A read at `now` of the job at `place` (submitted at `joined_at`, `before` records left
    /// at its previous look) found `left` records left. Updates the queue, the rate sample and
    /// the reference time.
    /// `moving`: its previous look saw it progress (a job seen stalled may have finished any
    /// time since, so the model's finish is not trusted).
    pub(crate) fn look(
        &mut self,
        place: u64,
        joined_at: f64,
        (before, left): (usize, usize),
        moving: bool,
        now: f64,
    ) {
        let queue = self.queue(place);
        let finished = match queue.rate.filter(|r| r.is_finite() && *r > 0.0) {
            Some(rate) if left == 0 && moving => {
                let modelled =
                    queue.last_look.max(joined_at) + (queue.ahead + before) as f64 / rate;
                modelled.min(now)
            }
            _ => now,
        };
        self.remaining(place, left);
        self.observe(now, left == 0);
        self.reference = Some(finished.max(self.reference.unwrap_or(0.0)));
    }

    /// The queue as the job at `place` sees it.
    pub(crate) fn queue(&self, place: u64) -> Queue {
        Queue {
            ahead: self.ahead_of(place),
            rate: self.rate,
            last_look: self
                .reference
                .or(self.last.map(|(at, _)| at))
                .unwrap_or(0.0),
        }
    }
}

/// Whether a read of a job can bring news: only when no unfinished job is known ahead of it.
/// The server works through one queue in order, so a job behind an unfinished one has not
/// finished either, and its results are delivered after that one's anyway. A wake-up that is not
/// worth a read is skipped without a request.
pub(crate) fn worth_reading(ahead: usize) -> bool {
    ahead == 0
}

/// The bounds of the blind schedule (from [`crate::WaitOptions`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Blind {
    pub(crate) initial: Duration,
    pub(crate) max: Duration,
    pub(crate) factor: f64,
}

/// How long to wait before the next read of a job, at `now` (the import's clock).
fn next_read(view: &JobView, rate: Option<f64>, now: f64, blind: Blind) -> Duration {
    let remaining = view.expected.saturating_sub(view.settled);
    let stalled = Duration::from_secs_f64((now - view.progressed_at).max(0.0));
    if view.reads > 0 && stalled >= STALL {
        let grown = view.last_delay.mul_f64(1.25).max(STALLED_DELAY);
        return grown.min(MAX_STALLED_DELAY);
    }
    // The last read saw no progress: the server is slower than the model (or stalled), so the
    // wait grows by half instead of creeping up with the falling average.
    let no_progress = view.reads > 0 && stalled > Duration::ZERO;
    match rate.filter(|r| r.is_finite() && *r > 0.0) {
        Some(rate) => {
            let seconds = remaining as f64 / rate * LATE;
            let model = Duration::try_from_secs_f64(seconds).unwrap_or(MAX_MODEL_DELAY);
            let backed_off = if no_progress {
                model
                    .max(view.last_delay.mul_f64(NO_PROGRESS_GROWTH))
                    .min(MAX_STALLED_DELAY)
            } else {
                model
            };
            backed_off.clamp(MIN_DELAY, MAX_MODEL_DELAY)
        }
        None if view.reads == 0 => blind.initial,
        None => view
            .last_delay
            .mul_f64(blind.factor)
            .clamp(blind.initial, blind.max),
    }
}

/// The pacing of one import: the shared estimate, on the import's clock.
#[derive(Debug)]
pub(crate) struct Pacer {
    estimate: std::sync::Mutex<Estimate>,
    clock: tokio::time::Instant,
}

impl Default for Pacer {
    fn default() -> Self {
        Self {
            estimate: std::sync::Mutex::new(Estimate::default()),
            clock: tokio::time::Instant::now(),
        }
    }
}

impl Pacer {
    fn now(&self) -> f64 {
        self.clock.elapsed().as_secs_f64()
    }

    fn estimate(&self) -> std::sync::MutexGuard<'_, Estimate> {
        self.estimate.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One job's side of the pacing: its place in the queue and what it has shown. Leaving (drop)
/// takes it out of the queue, so that a job that ended without finishing holds no one up.
#[derive(Debug)]
pub(crate) struct Pacing {
    pacer: std::sync::Arc<Pacer>,
    place: u64,
    view: JobView,
    blind: Blind,
}

impl Pacing {
    /// A job of `expected` records joins the queue now.
    pub(crate) fn join(pacer: std::sync::Arc<Pacer>, expected: usize, blind: Blind) -> Self {
        let now = pacer.now();
        let place = pacer.estimate().join(expected, now);
        Self {
            view: JobView {
                expected,
                progressed_at: now,
                joined_at: now,
                ..JobView::default()
            },
            pacer,
            place,
            blind,
        }
    }

    /// What to do next (see [`decide`]).
    pub(crate) fn action(&mut self) -> Action {
        let queue = self.pacer.estimate().queue(self.place);
        decide(&mut self.view, queue, self.pacer.now(), self.blind)
    }

    /// A read showed `settled` records settled; `measured`: (records, seconds) by the server's
    /// timestamps, where it gave them.
    pub(crate) fn observed(&mut self, settled: usize, measured: Option<(usize, f64)>) {
        let now = self.pacer.now();
        if settled > self.view.settled {
            self.view.progressed_at = now;
        }
        let before = self.view.expected.saturating_sub(self.view.settled);
        let moving = !self.view.stuck;
        self.view.stuck = settled <= self.view.settled;
        self.view.settled = settled;
        self.view.reads += 1;
        let mut estimate = self.pacer.estimate();
        if let Some((records, seconds)) = measured {
            estimate.measured(records, seconds);
        }
        let left = self.view.expected.saturating_sub(settled);
        estimate.look(self.place, self.view.joined_at, (before, left), moving, now);
        let stalled = self.view.stuck && now - self.view.progressed_at >= STALLED_AHEAD;
        estimate.stall(self.place, stalled && left > 0);
    }
}

impl Drop for Pacing {
    fn drop(&mut self) {
        self.pacer.estimate().remaining(self.place, 0);
    }
}

#[cfg(test)]
mod tests;
