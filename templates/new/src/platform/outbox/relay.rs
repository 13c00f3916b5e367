//! The relay: publishes what repositories enqueued, at least once and in order per aggregate.
//! It runs inside `serve` (unless `relay.enabled = false`) and alone as the `relay` command.
//! Each pass claims a batch of due messages (several per aggregate when there is room),
//! publishes it, and records per message: published, retry later (exponential backoff with
//! jitter), or, after `max_attempts`, moved to `axiomod_dead_letters`. A crash between publishing and recording publishes the batch again:
//! consumers dedupe by message id (see [`super::inbox`]).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Map, Value};
use tokio::sync::watch;

use super::backoff;
use super::publisher::{Envelope, Publisher};
use super::store::{Outcome, Store, StoredId, StoredMessage};
use crate::platform::config::RelayConfig;
use crate::platform::db::DbPool;

/// Messages waiting to be published (gauge).
pub const BACKLOG: &str = "outbox_backlog";
/// Age in seconds of the oldest unpublished message (gauge).
pub const LAG: &str = "outbox_relay_lag_seconds";
/// Time to publish one round of a batch (the next message of each aggregate), acknowledgements
/// included (histogram).
pub const PUBLISH_DURATION: &str = "outbox_publish_duration_seconds";
pub const PUBLISHED: &str = "outbox_published_total";
pub const PUBLISH_FAILURES: &str = "outbox_publish_failures_total";
pub const DEAD_LETTERED: &str = "outbox_dead_lettered_total";

/// A round not acknowledged within this time counts as failed (the broker may still have
/// taken some of it: those messages are published again, as after a crash).
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the relay refreshes the backlog gauges and deletes expired published messages.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// What `/ready` knows about the relay of this process.
#[derive(Clone, Default)]
pub struct RelayStatus {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Clone, Default)]
enum State {
    /// Not started in this process (disabled, or run by a separate `relay` process).
    #[default]
    NotRunning,
    Running,
    /// The last pass failed with this error.
    Failing(String),
    Stopped,
}

impl RelayStatus {
    fn set(&self, state: State) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = state;
    }

    /// Readiness: fails when the relay's last pass failed or the relay stopped.
    pub async fn check(&self) -> anyhow::Result<()> {
        let state = self
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match state {
            State::NotRunning | State::Running => Ok(()),
            State::Failing(error) => bail!("the last relay pass failed: {error}"),
            State::Stopped => bail!("the relay stopped"),
        }
    }
}

/// The relay's settings, checked once at start.
#[derive(Debug, Clone)]
struct Settings {
    batch_size: u32,
    poll_interval: Duration,
    max_attempts: u32,
    backoff_base: Duration,
    backoff_max: Duration,
    retention: Duration,
}

impl Settings {
    fn from_config(config: &RelayConfig) -> anyhow::Result<Self> {
        if config.batch_size == 0 {
            bail!("relay.batch_size must be at least 1");
        }
        if config.max_attempts == 0 {
            bail!("relay.max_attempts must be at least 1");
        }
        if config.backoff_base_ms > config.backoff_max_ms {
            bail!("relay.backoff_base_ms must not exceed relay.backoff_max_ms");
        }
        Ok(Self {
            batch_size: config.batch_size,
            poll_interval: Duration::from_millis(config.poll_interval_ms),
            max_attempts: config.max_attempts,
            backoff_base: Duration::from_millis(config.backoff_base_ms),
            backoff_max: Duration::from_millis(config.backoff_max_ms),
            retention: Duration::from_secs(config.retention_hours.saturating_mul(3600)),
        })
    }
}

/// Moves messages from the outbox to the publisher.
pub struct Relay {
    store: Store,
    publisher: Arc<dyn Publisher>,
    settings: Settings,
    status: RelayStatus,
}

impl Relay {
    /// Fails when the configuration is unusable (e.g. a batch size of 0).
    pub fn new(
        pool: DbPool,
        publisher: Arc<dyn Publisher>,
        config: &RelayConfig,
        status: RelayStatus,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            store: Store::new(pool),
            publisher,
            settings: Settings::from_config(config).context("invalid [relay] configuration")?,
            status,
        })
    }

    /// Runs passes until `stop` turns true (or its sender is dropped). A pass in progress is
    /// finished first; between passes the relay waits `poll_interval` when it found nothing.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(batch_size = self.settings.batch_size, "outbox relay started");
        self.status.set(State::Running);
        let mut last_upkeep: Option<Instant> = None;
        let mut prepared = false;
        while !*stop.borrow() {
            if !prepared {
                // The pass runs anyway: its failures back off and dead-letter as usual.
                match self.publisher.prepare().await {
                    Ok(()) => prepared = true,
                    Err(error) => {
                        tracing::warn!(error = format!("{error:#}"), "cannot prepare the broker; trying again before the next pass");
                    }
                }
            }
            if last_upkeep.is_none_or(|at| at.elapsed() >= UPKEEP_INTERVAL) {
                self.upkeep().await;
                last_upkeep = Some(Instant::now());
            }
            let claimed = match self.run_once().await {
                Ok(claimed) => {
                    self.status.set(State::Running);
                    claimed
                }
                Err(error) => {
                    let error = format!("{error:#}");
                    tracing::warn!(%error, "outbox relay pass failed");
                    self.status.set(State::Failing(error));
                    0
                }
            };
            if claimed == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(self.settings.poll_interval) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        self.status.set(State::Stopped);
        tracing::info!("outbox relay stopped");
    }

    /// One pass: claims due messages, publishes them and records the outcomes. Returns how
    /// many messages it claimed.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let claim = self
            .store
            .claim(self.settings.batch_size)
            .await
            .context("cannot claim outbox messages")?;
        let claimed = claim.messages.len();
        if claimed == 0 {
            return Ok(0);
        }
        let outcomes = self.publish_in_order(&claim.messages).await;
        self.store
            .finish(claim, &outcomes)
            .await
            .context("cannot record what was published")?;
        count(&outcomes);
        Ok(claimed)
    }

    /// Publishes `messages` in rounds. A round sends the next message of every aggregate at
    /// once and awaits all their acknowledgements, so each aggregate's messages leave one after
    /// the other while different aggregates go in parallel. A failure holds back the rest of
    /// its aggregate: those messages get no outcome and wait for a later pass.
    async fn publish_in_order(&self, messages: &[StoredMessage]) -> Vec<(StoredId, Outcome)> {
        let mut queues = by_aggregate(messages);
        let mut outcomes = Vec::with_capacity(messages.len());
        loop {
            queues.retain(|queue| !queue.is_empty());
            // Every queue left gives exactly one message, so `round[i]` comes from `queues[i]`.
            let round: Vec<&StoredMessage> =
                queues.iter_mut().filter_map(VecDeque::pop_front).collect();
            if round.is_empty() {
                return outcomes;
            }
            let results = self.publish_round(&round).await;
            for ((queue, message), result) in queues.iter_mut().zip(round).zip(results) {
                let outcome = self.outcome(message, result);
                if !matches!(outcome, Outcome::Published) {
                    queue.clear();
                }
                outcomes.push((message.id.to_owned(), outcome));
            }
        }
    }

    /// Publishes `round` as one batch; one result per message, in order.
    async fn publish_round(&self, round: &[&StoredMessage]) -> Vec<anyhow::Result<()>> {
        let mut results: Vec<Option<anyhow::Result<()>>> = Vec::with_capacity(round.len());
        let mut envelopes = Vec::with_capacity(round.len());
        for message in round {
            match envelope(message) {
                Ok(envelope) => {
                    envelopes.push(envelope);
                    results.push(None);
                }
                Err(error) => results.push(Some(Err(error))),
            }
        }
        let started = Instant::now();
        let published =
            match tokio::time::timeout(PUBLISH_TIMEOUT, self.publisher.publish(&envelopes)).await {
                Ok(published) => published,
                Err(_) => {
                    let error = format!("no acknowledgement within {}s", PUBLISH_TIMEOUT.as_secs());
                    envelopes.iter().map(|_| Err(anyhow::anyhow!("{error}"))).collect()
                }
            };
        metrics::histogram!(PUBLISH_DURATION).record(started.elapsed().as_secs_f64());
        let mut published = published.into_iter();
        results
            .into_iter()
            .map(|result| {
                result.unwrap_or_else(|| {
                    published
                        .next()
                        .unwrap_or_else(|| Err(anyhow::anyhow!("the publisher returned no result")))
                })
            })
            .collect()
    }

    /// What to record for `message` after an attempt that ended with `result`.
    fn outcome(&self, message: &StoredMessage, result: anyhow::Result<()>) -> Outcome {
        let error = match result {
            Ok(()) => return Outcome::Published,
            Err(error) => format!("{error:#}"),
        };
        let attempts = u32::try_from(message.attempts).unwrap_or(0).saturating_add(1);
        if attempts >= self.settings.max_attempts {
            tracing::error!(message_id = %message.id, attempts, %error, "outbox message dead-lettered");
            Outcome::DeadLetter {
                error,
                replay_count: replay_count(&message.headers),
            }
        } else {
            tracing::warn!(message_id = %message.id, attempts, %error, "outbox publish failed; will retry");
            Outcome::Retry {
                error,
                delay: backoff::delay(attempts, self.settings.backoff_base, self.settings.backoff_max),
            }
        }
    }

    /// Refreshes the backlog gauges and deletes published messages past the retention.
    async fn upkeep(&self) {
        match self.store.backlog().await {
            Ok((count, oldest)) => {
                metrics::gauge!(BACKLOG).set(count as f64);
                metrics::gauge!(LAG).set(oldest.as_secs_f64());
            }
            Err(error) => tracing::warn!(%error, "cannot measure the outbox backlog"),
        }
        match self.store.delete_expired(self.settings.retention).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "deleted published outbox messages past retention"),
            Err(error) => tracing::warn!(%error, "cannot delete expired outbox messages"),
        }
    }
}

/// `messages` grouped by aggregate, each group in claim order (the aggregate's order).
fn by_aggregate(messages: &[StoredMessage]) -> Vec<VecDeque<&StoredMessage>> {
    let mut queues: Vec<VecDeque<&StoredMessage>> = Vec::new();
    let mut positions: HashMap<(&str, &str), usize> = HashMap::new();
    for message in messages {
        let key = (message.aggregate_type.as_str(), message.aggregate_id.as_str());
        let position = *positions.entry(key).or_insert_with(|| {
            queues.push(VecDeque::new());
            queues.len() - 1
        });
        queues[position].push_back(message);
    }
    queues
}

/// Adds the pass's outcomes to the counters.
fn count(outcomes: &[(StoredId, Outcome)]) {
    for (_, outcome) in outcomes {
        match outcome {
            Outcome::Published => metrics::counter!(PUBLISHED).increment(1),
            Outcome::Retry { .. } => metrics::counter!(PUBLISH_FAILURES).increment(1),
            Outcome::DeadLetter { .. } => {
                metrics::counter!(PUBLISH_FAILURES).increment(1);
                metrics::counter!(DEAD_LETTERED).increment(1);
            }
        }
    }
}

/// The envelope of a stored message: its headers as strings plus the attempt number.
fn envelope(message: &StoredMessage) -> anyhow::Result<Envelope> {
    let stored: Map<String, Value> = serde_json::from_str(&message.headers)
        .context("the message's headers are not a JSON object")?;
    let mut headers: Vec<(String, String)> = stored
        .into_iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(name, value)| match value {
            Value::String(text) => (name, text),
            other => (name, other.to_string()),
        })
        .collect();
    let attempt = message.attempts.saturating_add(1);
    headers.push(("attempt".to_string(), attempt.to_string()));
    Ok(Envelope {
        id: message.id.to_string(),
        event_type: message.event_type.clone(),
        payload: message.payload.clone().into_bytes(),
        headers,
    })
}

/// The `replay_count` header that `axiomod dlq replay` sets, 0 when absent.
fn replay_count(headers: &str) -> i64 {
    serde_json::from_str::<Map<String, Value>>(headers)
        .ok()
        .and_then(|headers| headers.get("replay_count").and_then(Value::as_i64))
        .unwrap_or(0)
}
