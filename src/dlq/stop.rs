//! Ctrl-C (SIGINT) and SIGTERM as a request to stop a job between two batches, so the batch
//! in flight commits and the job's audit row says `interrupted`.

use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::time::Instant;

use super::error::DlqError;

/// The stop requests of the process, registered when created: a signal that arrives while a
/// batch runs is remembered until [`StopSignal::received`] asks.
pub struct StopSignal {
    interrupt: Signal,
    terminate: Signal,
    received: bool,
}

impl StopSignal {
    pub fn listen() -> Result<StopSignal, DlqError> {
        let listener = |kind| {
            signal(kind).map_err(|error| DlqError::Signal {
                message: error.to_string(),
            })
        };
        Ok(StopSignal {
            interrupt: listener(SignalKind::interrupt())?,
            terminate: listener(SignalKind::terminate())?,
            received: false,
        })
    }

    /// Whether a stop was requested, without waiting.
    pub fn received(&mut self) -> bool {
        if !self.received {
            let mut context = std::task::Context::from_waker(std::task::Waker::noop());
            self.received = self.interrupt.poll_recv(&mut context).is_ready()
                || self.terminate.poll_recv(&mut context).is_ready();
        }
        self.received
    }

    /// Sleeps until `deadline`; returns true, early, when a stop is requested meanwhile.
    pub async fn wait_until(&mut self, deadline: Instant) -> bool {
        if self.received() {
            return true;
        }
        tokio::select! {
            _ = self.interrupt.recv() => self.received = true,
            _ = self.terminate.recv() => self.received = true,
            () = tokio::time::sleep_until(deadline) => {}
        }
        self.received
    }
}
