//! Dead letters RabbitMQ keeps: messages a queue dead-lettered (rejected, expired, over its
//! length or delivery limit) through its dead-letter exchange into a dead-letter queue, each
//! with its history in the `x-death` header.
//!
//! Listing takes the messages without acknowledging them and gives them back. Replaying
//! publishes each one to the exchange and routing key it was first published with (from
//! `x-death`), waits for the broker's publisher confirm, and only then acknowledges it on the
//! dead-letter queue: a replay stopped at any point loses nothing (at worst the message that
//! was in flight is published again, with the same message id).

use lapin::options::{
    BasicAckOptions, BasicGetOptions, BasicNackOptions, BasicPublishOptions, ConfirmSelectOptions,
    QueueDeclareOptions,
};

use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Acker, Channel, Confirmation, Connection, ConnectionProperties};
use serde::Serialize;

use super::error::DlqError;
use super::location::broker_location;

/// One message of a dead-letter queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrokerDeadLetter {
    pub message_id: Option<String>,
    /// Where it was first published, and where a replay sends it.
    pub exchange: Option<String>,
    pub routing_key: Option<String>,
    /// The queue that dead-lettered it, and why (`rejected`, `expired`, `maxlen`, `delivery_limit`).
    pub queue: Option<String>,
    pub reason: Option<String>,
    /// How many times it was dead-lettered from that queue for that reason.
    pub count: Option<i64>,
    /// The body: JSON when it parses, else text.
    pub payload: serde_json::Value,
}

/// What a broker replay did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrokerReplayReport {
    pub queue: String,
    pub dry_run: bool,
    /// Messages in the dead-letter queue when the replay started.
    pub matched: u64,
    pub replayed: u64,
    /// Messages left in the dead-letter queue: no `x-death`, or the broker refused them.
    pub failed: u64,
}

/// A channel on a dead-letter queue.
pub struct DeadLetterQueue {
    connection: Connection,
    channel: Channel,
    queue: String,
    location: String,
}

impl DeadLetterQueue {
    /// Connects and checks that the queue exists (without declaring it).
    pub async fn open(url: &str, queue: &str) -> Result<Self, DlqError> {
        let default_port = if url.starts_with("amqps:") {
            5671
        } else {
            5672
        };
        let location = broker_location(url, default_port);
        let connect_error = |error: lapin::Error| DlqError::BrokerConnect {
            location: location.clone(),
            message: error.to_string(),
        };
        let connection = tokio::time::timeout(
            std::time::Duration::from_secs(15),
            Connection::connect(url, ConnectionProperties::default()),
        )
        .await
        .map_err(|_| DlqError::BrokerConnect {
            location: location.clone(),
            message: "no answer within 15 seconds".to_string(),
        })?
        .map_err(connect_error)?;
        let channel = connection.create_channel().await.map_err(connect_error)?;
        let dead_letter_queue = Self {
            connection,
            channel,
            queue: queue.to_string(),
            location,
        };
        dead_letter_queue.length().await?;
        Ok(dead_letter_queue)
    }

    /// How many messages are ready in the queue.
    pub async fn length(&self) -> Result<u64, DlqError> {
        let options = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let declared = self
            .channel
            .queue_declare(self.queue.as_str().into(), options, FieldTable::default())
            .await
            .map_err(|error| DlqError::Broker {
                doing: "looking up the queue",
                queue: self.queue.clone(),
                location: self.location.clone(),
                message: error.to_string(),
            })?;
        Ok(u64::from(declared.message_count()))
    }

    /// Up to `limit` messages, oldest first; they stay in the queue.
    pub async fn list(&self, limit: u64) -> Result<Vec<BrokerDeadLetter>, DlqError> {
        let mut dead_letters = Vec::new();
        let mut taken = Vec::new();
        while (dead_letters.len() as u64) < limit {
            let Some(message) = self.get().await? else {
                break;
            };
            dead_letters.push(describe(&message.delivery));
            taken.push(message.delivery.acker);
        }
        for acker in taken {
            self.give_back(&acker).await?;
        }
        Ok(dead_letters)
    }

    /// Republishes up to the queue's length at the start to where each message came from, at
    /// most `rate` messages per second; `progress(done, matched)` after each one.
    pub async fn replay(
        &self,
        dry_run: bool,
        rate: Option<f64>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BrokerReplayReport, DlqError> {
        let mut report = BrokerReplayReport {
            queue: self.queue.clone(),
            dry_run,
            matched: self.length().await?,
            replayed: 0,
            failed: 0,
        };
        if dry_run {
            return Ok(report);
        }
        self.channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(self.failed("enabling publisher confirms"))?;
        // Messages that cannot go back stay unacknowledged until the end, so the loop does
        // not take them again, then return to the queue.
        let mut kept = Vec::new();
        let started = tokio::time::Instant::now();
        for _ in 0..report.matched {
            let Some(message) = self.get().await? else {
                break;
            };
            let delivery = message.delivery;
            let original = describe(&delivery);
            let confirmed = match (&original.exchange, &original.routing_key) {
                (Some(exchange), Some(routing_key)) => {
                    let properties = delivery
                        .properties
                        .clone()
                        .with_headers(without_death_headers(delivery.properties.headers()));
                    let options = BasicPublishOptions {
                        mandatory: true,
                        ..BasicPublishOptions::default()
                    };
                    let confirmation = self
                        .channel
                        .basic_publish(
                            exchange.as_str().into(),
                            routing_key.as_str().into(),
                            options,
                            &delivery.data,
                            properties,
                        )
                        .await
                        .map_err(self.failed("publishing"))?
                        .await
                        .map_err(self.failed("waiting for the publisher confirm"))?;
                    // Acknowledged and routed: a returned message reached no queue.
                    matches!(confirmation, Confirmation::Ack(None))
                }
                _ => false,
            };
            if confirmed {
                delivery
                    .acker
                    .ack(BasicAckOptions::default())
                    .await
                    .map_err(self.failed("acknowledging a replayed message"))?;
                report.replayed += 1;
            } else {
                report.failed += 1;
                kept.push(delivery.acker);
            }
            let done = report.replayed + report.failed;
            progress(done, report.matched);
            if let Some(rate) = rate {
                let due = started + std::time::Duration::from_secs_f64(done as f64 / rate);
                tokio::time::sleep_until(due).await;
            }
        }
        for acker in kept {
            self.give_back(&acker).await?;
        }
        Ok(report)
    }

    pub async fn close(self) {
        let _ = self.channel.close(200, "done".into()).await;
        let _ = self.connection.close(200, "done".into()).await;
    }

    async fn get(&self) -> Result<Option<lapin::message::BasicGetMessage>, DlqError> {
        self.channel
            .basic_get(
                self.queue.as_str().into(),
                BasicGetOptions { no_ack: false },
            )
            .await
            .map_err(self.failed("reading the queue"))
    }

    async fn give_back(&self, acker: &Acker) -> Result<(), DlqError> {
        let options = BasicNackOptions {
            requeue: true,
            ..BasicNackOptions::default()
        };
        acker
            .nack(options)
            .await
            .map_err(self.failed("returning a message to the queue"))?;
        Ok(())
    }

    fn failed(&self, doing: &'static str) -> impl Fn(lapin::Error) -> DlqError + use<> {
        let queue = self.queue.clone();
        let location = self.location.clone();
        move |error| DlqError::Broker {
            doing,
            queue: queue.clone(),
            location: location.clone(),
            message: error.to_string(),
        }
    }
}

/// The message with what its newest `x-death` entry says about where it came from.
fn describe(delivery: &lapin::message::Delivery) -> BrokerDeadLetter {
    let death = delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|headers| headers.inner().get("x-death"))
        .and_then(|value| match value {
            AMQPValue::FieldArray(entries) => entries.as_slice().first().cloned(),
            _ => None,
        });
    let death = match death {
        Some(AMQPValue::FieldTable(table)) => table,
        _ => FieldTable::default(),
    };
    let text = |key: &str| death.inner().get(key).and_then(as_text);
    let routing_key = match death.inner().get("routing-keys") {
        Some(AMQPValue::FieldArray(keys)) => keys.as_slice().first().and_then(as_text),
        _ => None,
    };
    let count = match death.inner().get("count") {
        Some(AMQPValue::LongLongInt(count)) => Some(*count),
        Some(AMQPValue::LongInt(count)) => Some(i64::from(*count)),
        _ => None,
    };
    let body = String::from_utf8_lossy(&delivery.data).into_owned();
    BrokerDeadLetter {
        message_id: delivery
            .properties
            .message_id()
            .as_ref()
            .map(|id| id.as_str().to_string()),
        exchange: text("exchange"),
        routing_key,
        queue: text("queue"),
        reason: text("reason"),
        count,
        payload: serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    }
}

fn as_text(value: &AMQPValue) -> Option<String> {
    match value {
        AMQPValue::LongString(text) => Some(String::from_utf8_lossy(text.as_bytes()).into_owned()),
        AMQPValue::ShortString(text) => Some(text.as_str().to_string()),
        _ => None,
    }
}

/// The headers minus RabbitMQ's dead-lettering history, so the replayed message starts clean.
fn without_death_headers(headers: &Option<FieldTable>) -> FieldTable {
    let mut kept = FieldTable::default();
    for (key, value) in headers.iter().flat_map(|headers| headers.inner()) {
        let name = key.as_str();
        if name != "x-death"
            && !name.starts_with("x-first-death-")
            && !name.starts_with("x-last-death-")
        {
            kept.insert(ShortString::from(name), value.clone());
        }
    }
    kept
}
