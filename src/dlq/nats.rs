//! Dead letters of NATS JetStream: messages of a stream that hit a consumer's `max_deliver`.
//!
//! JetStream does not keep such messages apart; it emits a MAX_DELIVERIES advisory (JSON with
//! the message's stream sequence) on `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>`
//! and stores it nowhere. `axiomod dlq setup --source nats` creates a capture stream,
//! `AXIOMOD_DLQ_<stream>`, that stores the advisories of every consumer of the stream; generated
//! services use the same convention. Listing reads the consumer's advisories from it and fetches
//! each original message from the stream by sequence. Replaying republishes each message to its
//! subject with its headers (the same `Nats-Msg-Id`), waits for the publish ack, and only then
//! deletes the advisory: a replay stopped at any point loses nothing.

use async_nats::HeaderMap;
use async_nats::jetstream::{self, stream};
use serde::{Deserialize, Serialize};

use super::error::DlqError;
use super::location::broker_location;

/// The NATS port when the URL names none.
const DEFAULT_PORT: u16 = 4222;

/// The capture stream of `stream`'s MAX_DELIVERIES advisories.
pub fn capture_stream_name(stream: &str) -> String {
    format!("AXIOMOD_DLQ_{stream}")
}

/// The subject JetStream publishes `consumer`'s MAX_DELIVERIES advisories on (`*` for all).
pub fn advisory_subject(stream: &str, consumer: &str) -> String {
    format!("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{stream}.{consumer}")
}

/// One message that hit the consumer's max deliveries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NatsDeadLetter {
    /// Its sequence in the stream (what the advisory names).
    pub stream_sequence: u64,
    /// How many times the consumer delivered it.
    pub deliveries: u64,
    /// When the advisory was emitted.
    pub failed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// False when the message is no longer in the stream (removed by its limits, or deleted):
    /// then the fields below are null and it cannot be replayed.
    pub found: bool,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The body: JSON when it parses, else text.
    pub payload: serde_json::Value,
    /// The advisory's sequence in the capture stream, deleted once the message is replayed.
    pub advisory_sequence: u64,
}

/// The fields of a MAX_DELIVERIES advisory this module reads.
#[derive(Deserialize)]
struct Advisory {
    stream_seq: u64,
    deliveries: u64,
    timestamp: Option<chrono::DateTime<chrono::Utc>>,
}

/// What `dlq setup --source nats` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupReport {
    pub stream: String,
    pub capture_stream: String,
    pub subject: String,
    /// False when the capture stream already existed.
    pub created: bool,
}

/// What a NATS replay did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NatsReplayReport {
    pub stream: String,
    pub consumer: String,
    /// The `replay_of` header of the republished messages.
    pub job_id: String,
    pub dry_run: bool,
    /// Advisories of the consumer when the replay started.
    pub matched: u64,
    pub replayed: u64,
    /// Republishes the stream dropped as duplicates (same `Nats-Msg-Id` within its duplicate
    /// window); their advisories are kept.
    pub duplicates: u64,
    /// Advisories whose message is no longer in the stream; kept.
    pub missing: u64,
    /// The stream's duplicate window in seconds, after which a duplicate can be replayed.
    pub duplicate_window_seconds: u64,
}

/// A JetStream connection, for the stream `stream`.
pub struct NatsBroker {
    client: async_nats::Client,
    jetstream: jetstream::Context,
    stream: stream::Stream,
    location: String,
}

impl NatsBroker {
    /// Connects and checks that the stream exists.
    pub async fn connect(url: &str, stream_name: &str) -> Result<Self, DlqError> {
        let location = broker_location(url, DEFAULT_PORT);
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|error| DlqError::NatsConnect {
                location: location.clone(),
                message: error.to_string(),
            })?;
        let jetstream = jetstream::new(client.clone());
        let stream = find_stream(&jetstream, stream_name, &location)
            .await?
            .ok_or_else(|| DlqError::NatsUnknownStream {
                stream: stream_name.to_string(),
                location: location.clone(),
            })?;
        Ok(Self {
            client,
            jetstream,
            stream,
            location,
        })
    }

    /// Creates the capture stream of the stream's MAX_DELIVERIES advisories, unless it exists.
    pub async fn setup(&self) -> Result<SetupReport, DlqError> {
        let stream = self.stream_name();
        let capture_stream = capture_stream_name(&stream);
        let subject = advisory_subject(&stream, "*");
        let mut report = SetupReport {
            stream: stream.clone(),
            capture_stream: capture_stream.clone(),
            subject: subject.clone(),
            created: false,
        };
        if let Some(existing) =
            find_stream(&self.jetstream, &capture_stream, &self.location).await?
        {
            if !existing.cached_info().config.subjects.contains(&subject) {
                return Err(DlqError::NatsCaptureConflict {
                    capture: capture_stream,
                    subject,
                    location: self.location.clone(),
                });
            }
            return Ok(report);
        }
        let config = stream::Config {
            name: capture_stream.clone(),
            description: Some(format!(
                "MAX_DELIVERIES advisories of {stream}, read by `axiomod dlq --source nats`"
            )),
            subjects: vec![subject],
            storage: stream::StorageType::File,
            ..stream::Config::default()
        };
        self.jetstream
            .create_stream(config)
            .await
            .map_err(self.failed("creating the capture stream", &capture_stream))?;
        report.created = true;
        Ok(report)
    }

    /// The messages `consumer` gave up on, oldest advisory first, at most `limit`.
    pub async fn list(
        &self,
        consumer: &str,
        limit: Option<u64>,
    ) -> Result<Vec<NatsDeadLetter>, DlqError> {
        let capture = self.capture_stream(consumer).await?;
        self.read(&capture, consumer, limit).await
    }

    /// The consumer's advisories in `capture` with their messages, at most `limit`.
    async fn read(
        &self,
        capture: &stream::Stream,
        consumer: &str,
        limit: Option<u64>,
    ) -> Result<Vec<NatsDeadLetter>, DlqError> {
        let subject = advisory_subject(&self.stream_name(), consumer);
        let mut dead_letters = Vec::new();
        let mut next_sequence = 1;
        while limit.is_none_or(|limit| (dead_letters.len() as u64) < limit) {
            let advisory = match capture
                .raw_message_builder()
                .sequence(next_sequence)
                .next_by_subject(subject.clone())
                .send()
                .await
            {
                Ok(advisory) => advisory,
                Err(error) if error.kind() == stream::RawMessageErrorKind::NoMessageFound => break,
                Err(error) => {
                    let capture_name = &capture.cached_info().config.name;
                    return Err(self.failed("reading advisories", capture_name)(error));
                }
            };
            next_sequence = advisory.sequence + 1;
            // Only a malformed advisory (not JetStream's) fails to parse; it is not a dead letter.
            let Ok(parsed) = serde_json::from_slice::<Advisory>(&advisory.payload) else {
                continue;
            };
            dead_letters.push(self.dead_letter(parsed, advisory.sequence).await?);
        }
        Ok(dead_letters)
    }

    /// Republishes every message `consumer` gave up on (as found when the replay starts) with
    /// its headers plus `replay_of` and `replay_count`, at most `rate` per second;
    /// `progress(done, matched)` after each one.
    pub async fn replay(
        &self,
        consumer: &str,
        dry_run: bool,
        rate: Option<f64>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<NatsReplayReport, DlqError> {
        let capture = self.capture_stream(consumer).await?;
        let capture_name = capture.cached_info().config.name.clone();
        let dead_letters = self.read(&capture, consumer, None).await?;
        let mut report = NatsReplayReport {
            stream: self.stream_name(),
            consumer: consumer.to_string(),
            job_id: uuid::Uuid::now_v7().to_string(),
            dry_run,
            matched: dead_letters.len() as u64,
            replayed: 0,
            duplicates: 0,
            missing: 0,
            duplicate_window_seconds: self.stream.cached_info().config.duplicate_window.as_secs(),
        };
        if dry_run {
            return Ok(report);
        }
        let started = tokio::time::Instant::now();
        for (index, dead_letter) in dead_letters.iter().enumerate() {
            match self.republish(dead_letter, &report.job_id).await? {
                Republished::Stored => {
                    let deleted = capture
                        .delete_message(dead_letter.advisory_sequence)
                        .await
                        .map_err(|error| error.to_string())
                        .and_then(|deleted| {
                            deleted
                                .then_some(())
                                .ok_or("the server did not delete it".to_string())
                        });
                    deleted.map_err(self.failed("deleting a replayed advisory", &capture_name))?;
                    report.replayed += 1;
                }
                Republished::Duplicate => report.duplicates += 1,
                Republished::Missing => report.missing += 1,
            }
            let done = index as u64 + 1;
            progress(done, report.matched);
            if let Some(rate) = rate {
                let due = started + std::time::Duration::from_secs_f64(done as f64 / rate);
                tokio::time::sleep_until(due).await;
            }
        }
        Ok(report)
    }

    /// Flushes what is buffered and closes the connection.
    pub async fn close(self) {
        let _ = self.client.flush().await;
        drop(self.client);
    }

    fn stream_name(&self) -> String {
        self.stream.cached_info().config.name.clone()
    }

    /// The capture stream, after checking that the consumer exists.
    async fn capture_stream(&self, consumer: &str) -> Result<stream::Stream, DlqError> {
        let stream = self.stream_name();
        match self.stream.consumer_info(consumer).await {
            Ok(_) => {}
            Err(error) if error.kind() == jetstream::context::ConsumerInfoErrorKind::NotFound => {
                return Err(DlqError::NatsUnknownConsumer {
                    consumer: consumer.to_string(),
                    stream,
                    location: self.location.clone(),
                });
            }
            Err(error) => return Err(self.failed("looking up the consumer", &stream)(error)),
        }
        let capture = capture_stream_name(&stream);
        find_stream(&self.jetstream, &capture, &self.location)
            .await?
            .ok_or_else(|| DlqError::NatsNoCaptureStream {
                stream,
                capture,
                location: self.location.clone(),
            })
    }

    /// The advisory with the message it names, when the stream still has it.
    async fn dead_letter(
        &self,
        advisory: Advisory,
        advisory_sequence: u64,
    ) -> Result<NatsDeadLetter, DlqError> {
        let mut dead_letter = NatsDeadLetter {
            stream_sequence: advisory.stream_seq,
            deliveries: advisory.deliveries,
            failed_at: advisory.timestamp,
            found: false,
            subject: None,
            message_id: None,
            published_at: None,
            payload: serde_json::Value::Null,
            advisory_sequence,
        };
        let Some(message) = self.original(advisory.stream_seq).await? else {
            return Ok(dead_letter);
        };
        let body = String::from_utf8_lossy(&message.payload).into_owned();
        dead_letter.found = true;
        dead_letter.subject = Some(message.subject.to_string());
        dead_letter.message_id = message
            .headers
            .get(async_nats::header::NATS_MESSAGE_ID)
            .map(|id| id.as_str().to_string());
        dead_letter.published_at = Some(message.time);
        dead_letter.payload =
            serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body));
        Ok(dead_letter)
    }

    /// The stream's message at `sequence`, if it still has one.
    async fn original(
        &self,
        sequence: u64,
    ) -> Result<Option<jetstream::message::StreamMessage>, DlqError> {
        match self.stream.get_raw_message(sequence).await {
            Ok(message) => Ok(Some(message)),
            Err(error) if error.kind() == stream::RawMessageErrorKind::NoMessageFound => Ok(None),
            Err(error) => Err(self.failed("reading a message", &self.stream_name())(error)),
        }
    }

    async fn republish(
        &self,
        dead_letter: &NatsDeadLetter,
        job_id: &str,
    ) -> Result<Republished, DlqError> {
        // Read again: the list may be minutes old and the message gone since.
        let Some(message) = self.original(dead_letter.stream_sequence).await? else {
            return Ok(Republished::Missing);
        };
        let stream = self.stream_name();
        let ack = self
            .jetstream
            .publish_with_headers(
                message.subject.clone(),
                replay_headers(&message.headers, job_id),
                message.payload.clone(),
            )
            .await
            .map_err(self.failed("republishing", &stream))?
            .await
            .map_err(self.failed("waiting for the publish ack", &stream))?;
        Ok(if ack.duplicate {
            Republished::Duplicate
        } else {
            Republished::Stored
        })
    }

    fn failed<E: std::fmt::Display>(
        &self,
        doing: &'static str,
        stream: &str,
    ) -> impl Fn(E) -> DlqError + use<E> {
        let stream = stream.to_string();
        let location = self.location.clone();
        move |error| DlqError::Nats {
            doing,
            stream: stream.clone(),
            location: location.clone(),
            message: error.to_string(),
        }
    }
}

enum Republished {
    /// The stream stored it as a new message.
    Stored,
    /// The stream dropped it: its `Nats-Msg-Id` is within the duplicate window.
    Duplicate,
    /// The original is no longer in the stream.
    Missing,
}

/// The stream named `name`, or `None` when JetStream has no such stream.
async fn find_stream(
    jetstream: &jetstream::Context,
    name: &str,
    location: &str,
) -> Result<Option<stream::Stream>, DlqError> {
    match jetstream.get_stream(name).await {
        Ok(stream) => Ok(Some(stream)),
        Err(error) => match error.kind() {
            jetstream::context::GetStreamErrorKind::JetStream(inner)
                if inner.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND =>
            {
                Ok(None)
            }
            jetstream::context::GetStreamErrorKind::InvalidStreamName => {
                Err(DlqError::NatsUnknownStream {
                    stream: name.to_string(),
                    location: location.to_string(),
                })
            }
            _ => Err(DlqError::Nats {
                doing: "looking up the stream",
                stream: name.to_string(),
                location: location.to_string(),
                message: error.to_string(),
            }),
        },
    }
}

/// The original headers with `replay_of` (the job) and `replay_count` (one more than before),
/// without the `Nats-Expected-*` publish conditions, which held for the first publish only.
fn replay_headers(original: &HeaderMap, job_id: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, values) in original.iter() {
        if name.to_string().starts_with("Nats-Expected-") {
            continue;
        }
        for value in values {
            headers.append(name.clone(), value.clone());
        }
    }
    let replay_count = original
        .get("replay_count")
        .and_then(|count| count.as_str().parse::<u64>().ok())
        .unwrap_or(0);
    headers.insert("replay_count", (replay_count + 1).to_string());
    headers.insert("replay_of", job_id);
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_headers_keep_the_message_id_and_count_replays() {
        let mut original = HeaderMap::new();
        original.insert(async_nats::header::NATS_MESSAGE_ID, "order-1");
        original.insert("Nats-Expected-Last-Sequence", "41");
        original.insert("replay_count", "2");
        let headers = replay_headers(&original, "job-7");
        assert_eq!(
            headers
                .get(async_nats::header::NATS_MESSAGE_ID)
                .map(|value| value.as_str()),
            Some("order-1")
        );
        assert_eq!(
            headers.get("replay_count").map(|value| value.as_str()),
            Some("3")
        );
        assert_eq!(
            headers.get("replay_of").map(|value| value.as_str()),
            Some("job-7")
        );
        assert!(headers.get("Nats-Expected-Last-Sequence").is_none());
    }

    #[test]
    fn the_capture_stream_follows_the_convention() {
        assert_eq!(capture_stream_name("ORDERS"), "AXIOMOD_DLQ_ORDERS");
        assert_eq!(
            advisory_subject("ORDERS", "*"),
            "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS.*"
        );
    }
}
