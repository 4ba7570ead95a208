//! Ctrl-C and SIGTERM, watched by the commands that must end cleanly when interrupted.

/// What arrived: an interrupt (Ctrl-C) or a termination request.
pub enum Signal {
    /// Ctrl-C.
    Interrupt,
    /// SIGTERM.
    Terminate,
}

#[cfg(unix)]
pub struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    /// Watches the signals, when they can be watched.
    pub fn new() -> Option<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Some(Self {
            interrupt: signal(SignalKind::interrupt()).ok()?,
            terminate: signal(SignalKind::terminate()).ok()?,
        })
    }

    /// The next signal.
    pub async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.interrupt.recv() => Signal::Interrupt,
            _ = self.terminate.recv() => Signal::Terminate,
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    /// Watches the signals, when they can be watched.
    pub fn new() -> Option<Self> {
        Some(Self)
    }

    /// The next signal.
    pub async fn next(&mut self) -> Signal {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Signal::Interrupt,
            Err(_) => std::future::pending().await,
        }
    }
}

/// Resolves at the first Ctrl-C or SIGTERM (never, when signals cannot be watched).
pub async fn first_signal() {
    match Signals::new() {
        Some(mut signals) => {
            signals.next().await;
        }
        None => std::future::pending().await,
    }
}
