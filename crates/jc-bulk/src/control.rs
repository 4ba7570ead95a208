//! Stopping long-running work from outside its stream (a Ctrl-C handler, a shutdown): first stop
//! submitting (what is already submitted is still waited for), then, if need be, stop waiting
//! (what is still pending is reported unknown, with its job id, to be settled later).

use std::sync::Arc;
use tokio::sync::watch;

/// How far an import has been told to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) enum Phase {
    /// Submitting and waiting.
    #[default]
    Running,
    /// No new submissions; submitted jobs are still waited for.
    Draining,
    /// No more waiting either.
    Abandoning,
}

/// The handle that stops an [`Import`](crate::Import) from outside its stream. Cheap to clone;
/// every clone controls the same import.
#[derive(Debug, Clone)]
pub struct ImportControl {
    phase: Arc<watch::Sender<Phase>>,
}

impl Default for ImportControl {
    /// A control that has not been told to stop (for [`Groups::apply`](crate::Groups::apply)).
    fn default() -> Self {
        Self::new()
    }
}

impl ImportControl {
    pub(crate) fn new() -> Self {
        Self {
            phase: Arc::new(watch::Sender::new(Phase::Running)),
        }
    }

    pub(crate) fn watch(&self) -> watch::Receiver<Phase> {
        self.phase.subscribe()
    }

    fn raise(&self, to: Phase) {
        self.phase.send_if_modified(|phase| {
            let raise = *phase < to;
            if raise {
                *phase = to;
            }
            raise
        });
    }

    /// Submits nothing more: records not yet submitted end "not submitted"; jobs already
    /// submitted are still waited for (within their wait timeout).
    pub fn stop_submitting(&self) {
        self.raise(Phase::Draining);
    }

    /// Stops waiting too (and submitting): records whose job has not finished end "unknown",
    /// with their job id, so that `jobs results` or a resumed import can settle them.
    pub fn stop_waiting(&self) {
        self.raise(Phase::Abandoning);
    }

    /// True once [`ImportControl::stop_submitting`] (or `stop_waiting`) was called.
    pub fn is_stopping(&self) -> bool {
        *self.phase.borrow() >= Phase::Draining
    }
}

/// Resolves once `phase` reaches `at_least` (never, if the control is gone).
pub(crate) async fn reached(phase: &mut Option<watch::Receiver<Phase>>, at_least: Phase) {
    match phase {
        Some(receiver) => {
            if receiver.wait_for(|p| *p >= at_least).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}
