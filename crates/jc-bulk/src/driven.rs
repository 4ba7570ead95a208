//! The two faces of long-running work (azure_core's `Poller`): a driver future that reports
//! events into a bounded channel and ends with a result. Polling the [`Driven`] value runs the
//! driver on the caller's task and hands out its events in order; no task is spawned for the
//! driver and nothing runs until the value is polled. A slow consumer slows the driver (the
//! channel is bounded), so memory stays bounded too.

use futures::future::BoxFuture;
use std::future::Future;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// Events a driver may have queued before it waits for the consumer.
const CAPACITY: usize = 256;

/// A driver and the receiving end of its events.
pub(crate) struct Driven<E, R> {
    driver: Option<BoxFuture<'static, R>>,
    events: mpsc::Receiver<E>,
    result: Option<R>,
}

impl<E: Send + 'static, R: Send + 'static> Driven<E, R> {
    /// Starts nothing yet: `make` gets the sender and returns the driver.
    pub(crate) fn new<F>(make: impl FnOnce(mpsc::Sender<E>) -> F) -> Self
    where
        F: Future<Output = R> + Send + 'static,
    {
        let (sender, events) = mpsc::channel(CAPACITY);
        Self {
            driver: Some(Box::pin(make(sender))),
            events,
            result: None,
        }
    }

    /// The next event: runs the driver until it queues one or ends. `None` once the driver
    /// has ended and every event was handed out.
    pub(crate) fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<E>> {
        loop {
            if let Poll::Ready(Some(event)) = self.events.poll_recv(cx) {
                return Poll::Ready(Some(event));
            }
            let Some(driver) = self.driver.as_mut() else {
                return self.events.poll_recv(cx);
            };
            match driver.as_mut().poll(cx) {
                Poll::Ready(result) => {
                    self.result = Some(result);
                    // Dropping the driver drops its senders: the channel ends after its events.
                    self.driver = None;
                }
                // The driver may be waiting for room in the channel: hand out what it queued.
                // (`Ready(None)` while the driver runs means it let its sender go: nothing yet.)
                Poll::Pending => {
                    return match self.events.poll_recv(cx) {
                        Poll::Ready(Some(event)) => Poll::Ready(Some(event)),
                        _ => Poll::Pending,
                    }
                }
            }
        }
    }

    /// The driver's result, once it has ended.
    pub(crate) fn take_result(&mut self) -> Option<R> {
        self.result.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    struct Counter(Driven<u32, &'static str>);

    impl futures::Stream for Counter {
        type Item = u32;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<u32>> {
            self.0.poll_event(cx)
        }
    }

    #[tokio::test]
    async fn every_event_in_order_then_the_result_even_past_the_capacity() {
        let mut counter = Counter(Driven::new(|sender| async move {
            for i in 0..(CAPACITY as u32 * 3) {
                sender.send(i).await.unwrap();
            }
            "done"
        }));
        let events: Vec<u32> = (&mut counter).collect().await;
        assert_eq!(events, (0..(CAPACITY as u32 * 3)).collect::<Vec<_>>());
        assert_eq!(counter.0.take_result(), Some("done"));
    }
}
