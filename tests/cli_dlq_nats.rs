//! `axiomod dlq setup|list|replay --source nats` against the NATS server on this machine:
//! messages a real pull consumer gave up on after its max deliveries, found through the
//! advisories the capture stream kept, and republished with the same `Nats-Msg-Id`.

mod dlq_support;
mod support;

use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, AckKind, consumer, stream};
use dlq_support::{describe, stderr, stdout};
use futures_util::StreamExt;

/// Ids of the messages the consumer fails; one more message, acknowledged, must never show.
const FAILED_IDS: [&str; 3] = ["order-1", "order-2", "order-3"];
const ACKNOWLEDGED_ID: &str = "order-ok";
const CONSUMER: &str = "billing";

/// A stream with a pull consumer (`max_deliver` 2), deleted with its capture stream on drop.
struct Fixture {
    url: String,
    runtime: tokio::runtime::Runtime,
    jetstream: jetstream::Context,
    stream: String,
    subject: String,
}

impl Fixture {
    fn create(url: &str, duplicate_window: Duration) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let stream = format!(
            "AXIOMOD_TEST_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let jetstream = runtime.block_on(async {
            let client = async_nats::connect(url)
                .await
                .expect("NATS accepts the connection");
            let jetstream = jetstream::new(client);
            let created = jetstream
                .create_stream(stream::Config {
                    name: stream.clone(),
                    subjects: vec![format!("{}.>", stream.to_lowercase())],
                    duplicate_window,
                    ..stream::Config::default()
                })
                .await
                .expect("the stream is created");
            created
                .create_consumer(consumer::pull::Config {
                    durable_name: Some(CONSUMER.to_string()),
                    max_deliver: 2,
                    ack_policy: consumer::AckPolicy::Explicit,
                    ..consumer::pull::Config::default()
                })
                .await
                .expect("the consumer is created");
            jetstream
        });
        Self {
            url: url.to_string(),
            runtime,
            jetstream,
            subject: format!("{}.orders.created", stream.to_lowercase()),
            stream,
        }
    }

    /// `dlq setup`, then messages the consumer naks until it gives up on them (and one it acks).
    fn with_dead_letters(url: &str, duplicate_window: Duration) -> Self {
        let fixture = Self::create(url, duplicate_window);
        let created = json(&fixture.dlq(&["setup", "--format", "json"]));
        assert_eq!(created["created"], true, "{created}");
        assert_eq!(
            created["capture_stream"],
            format!("AXIOMOD_DLQ_{}", fixture.stream)
        );
        let again = json(&fixture.dlq(&["setup", "--format", "json"]));
        assert_eq!(again["created"], false, "setup is idempotent: {again}");
        fixture.publish_and_fail();
        fixture
    }

    fn publish_and_fail(&self) {
        self.runtime.block_on(async {
            for id in FAILED_IDS.iter().chain([&ACKNOWLEDGED_ID]) {
                let mut headers = HeaderMap::new();
                headers.insert(async_nats::header::NATS_MESSAGE_ID, *id);
                self.jetstream
                    .publish_with_headers(
                        self.subject.clone(),
                        headers,
                        format!(r#"{{"id":"{id}"}}"#).into(),
                    )
                    .await
                    .expect("published")
                    .await
                    .expect("acked");
            }
            let consumer: consumer::PullConsumer = self
                .jetstream
                .get_stream(&self.stream)
                .await
                .expect("the stream")
                .get_consumer(CONSUMER)
                .await
                .expect("the consumer");
            for _ in 0..100 {
                if self.capture_length().await == FAILED_IDS.len() as u64 {
                    return;
                }
                let mut batch = consumer
                    .fetch()
                    .max_messages(10)
                    .expires(Duration::from_millis(200))
                    .messages()
                    .await
                    .expect("a fetch");
                while let Some(message) = batch.next().await {
                    let message = message.expect("a message");
                    let id = message
                        .headers
                        .as_ref()
                        .and_then(|headers| headers.get(async_nats::header::NATS_MESSAGE_ID))
                        .map(|id| id.as_str().to_string());
                    let kind = if id.as_deref() == Some(ACKNOWLEDGED_ID) {
                        AckKind::Ack
                    } else {
                        AckKind::Nak(None)
                    };
                    message.ack_with(kind).await.expect("acked or naked");
                }
            }
            panic!("the capture stream never held an advisory per failed message");
        });
    }

    async fn capture_length(&self) -> u64 {
        match self
            .jetstream
            .get_stream(format!("AXIOMOD_DLQ_{}", self.stream))
            .await
        {
            Ok(mut capture) => capture.info().await.expect("stream info").state.messages,
            Err(_) => 0,
        }
    }

    fn stream_last_sequence(&self) -> u64 {
        self.runtime.block_on(async {
            let mut stream = self
                .jetstream
                .get_stream(&self.stream)
                .await
                .expect("the stream");
            stream
                .info()
                .await
                .expect("stream info")
                .state
                .last_sequence
        })
    }

    /// `(Nats-Msg-Id, replay_count, replay_of)` of every message after `sequence`, as a fresh
    /// consumer sees them.
    fn messages_after(&self, sequence: u64) -> Vec<(String, String, String)> {
        self.runtime.block_on(async {
            let stream = self
                .jetstream
                .get_stream(&self.stream)
                .await
                .expect("the stream");
            let fresh = stream
                .create_consumer(consumer::pull::Config {
                    deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                        start_sequence: sequence + 1,
                    },
                    ..consumer::pull::Config::default()
                })
                .await
                .expect("a fresh consumer");
            let mut batch = fresh
                .fetch()
                .max_messages(100)
                .expires(Duration::from_millis(500))
                .messages()
                .await
                .expect("a fetch");
            let mut seen = Vec::new();
            while let Some(message) = batch.next().await {
                let message = message.expect("a message");
                let header = |name: &str| {
                    message
                        .headers
                        .as_ref()
                        .and_then(|headers| headers.get(name))
                        .map_or(String::new(), |value| value.as_str().to_string())
                };
                seen.push((
                    header("Nats-Msg-Id"),
                    header("replay_count"),
                    header("replay_of"),
                ));
            }
            seen
        })
    }

    /// `axiomod dlq <command> --source nats --stream <stream> [--consumer billing] <rest>`.
    fn dlq(&self, arguments: &[&str]) -> Output {
        let (command, rest) = arguments.split_first().expect("a subcommand");
        let mut all = vec![*command, "--source", "nats", "--stream", &self.stream];
        if *command != "setup" {
            all.extend(["--consumer", CONSUMER]);
        }
        all.extend(rest);
        dlq_support::dlq("sqlite://unused.db", &all)
            .env("BROKER_URL", &self.url)
            .output()
            .expect("axiomod runs")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.runtime.block_on(async {
            let _ = self.jetstream.delete_stream(&self.stream).await;
            let _ = self
                .jetstream
                .delete_stream(format!("AXIOMOD_DLQ_{}", self.stream))
                .await;
        });
    }
}

fn json(output: &Output) -> serde_json::Value {
    json_with_exit(output, 0)
}

fn json_with_exit(output: &Output, code: i32) -> serde_json::Value {
    assert_eq!(output.status.code(), Some(code), "{}", describe(output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", describe(output)))
}

#[test]
fn messages_past_max_deliveries_are_listed_and_replayed_with_their_message_id() {
    let Some(url) = support::nats_url() else {
        return;
    };
    // A short duplicate window, so the replay is not taken for a duplicate once it passed.
    let fixture = Fixture::with_dead_letters(&url, Duration::from_secs(1));

    let listed = json(&fixture.dlq(&["list", "--format", "json"]));
    assert_eq!(listed["count"], 3, "{listed}");
    let ids: Vec<_> = listed["dead_letters"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|dead_letter| dead_letter["message_id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, FAILED_IDS);
    let first = &listed["dead_letters"][0];
    assert_eq!(first["deliveries"], 2);
    assert_eq!(first["found"], true);
    assert_eq!(first["subject"], fixture.subject.as_str());
    assert_eq!(first["payload"]["id"], "order-1");
    assert!(
        first["failed_at"].is_string() && first["published_at"].is_string(),
        "{first}"
    );
    let table = stdout(&fixture.dlq(&["list", "--limit", "2"]));
    assert!(
        table.contains("order-2") && !table.contains("order-3"),
        "{table}"
    );

    let before = fixture.stream_last_sequence();
    let dry_run = json(&fixture.dlq(&["replay", "--dry-run", "--format", "json"]));
    assert_eq!(
        (dry_run["matched"].clone(), dry_run["replayed"].clone()),
        (3.into(), 0.into()),
        "{dry_run}"
    );
    assert_eq!(
        fixture.stream_last_sequence(),
        before,
        "a dry run publishes nothing"
    );
    assert_eq!(fixture.runtime.block_on(fixture.capture_length()), 3);

    let output = fixture.dlq(&["replay"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("pass --yes"),
        "{}",
        describe(&output)
    );

    std::thread::sleep(Duration::from_millis(1500));
    let report = json(&fixture.dlq(&["replay", "--yes", "--format", "json"]));
    assert_eq!(
        (
            report["matched"].clone(),
            report["replayed"].clone(),
            report["duplicates"].clone()
        ),
        (3.into(), 3.into(), 0.into()),
        "{report}"
    );
    let job_id = report["job_id"].as_str().expect("a job id").to_string();
    assert_eq!(
        fixture.messages_after(before),
        FAILED_IDS
            .iter()
            .map(|id| (id.to_string(), "1".to_string(), job_id.clone()))
            .collect::<Vec<_>>()
    );
    assert_eq!(fixture.runtime.block_on(fixture.capture_length()), 0);

    let output = fixture.dlq(&["list"]);
    assert!(
        stdout(&output).contains("No messages of the stream"),
        "{}",
        describe(&output)
    );
}

#[test]
fn a_replay_within_the_duplicate_window_keeps_the_advisories_and_exits_1() {
    let Some(url) = support::nats_url() else {
        return;
    };
    let fixture = Fixture::with_dead_letters(&url, Duration::from_secs(120));
    let before = fixture.stream_last_sequence();

    let output = fixture.dlq(&["replay", "--yes"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(
        stdout(&output).contains("3 message(s) were dropped")
            && stdout(&output).contains("duplicate window (120s)"),
        "{}",
        describe(&output)
    );
    assert_eq!(
        fixture.stream_last_sequence(),
        before,
        "JetStream stored no duplicate"
    );
    assert_eq!(fixture.runtime.block_on(fixture.capture_length()), 3);
    let report = json_with_exit(&fixture.dlq(&["replay", "--yes", "--format", "json"]), 1);
    assert_eq!(report["duplicates"], 3, "{report}");

    // A message the stream no longer holds is listed as not found and its advisory kept.
    fixture.runtime.block_on(async {
        let stream = fixture
            .jetstream
            .get_stream(&fixture.stream)
            .await
            .expect("the stream");
        stream.delete_message(1).await.expect("deleted");
    });
    let listed = json(&fixture.dlq(&["list", "--format", "json"]));
    assert_eq!(listed["dead_letters"][0]["found"], false, "{listed}");
    assert_eq!(
        listed["dead_letters"][0]["message_id"],
        serde_json::Value::Null
    );
    let report = json_with_exit(&fixture.dlq(&["replay", "--yes", "--format", "json"]), 1);
    assert_eq!(
        (report["missing"].clone(), report["duplicates"].clone()),
        (1.into(), 2.into()),
        "{report}"
    );
    assert_eq!(fixture.runtime.block_on(fixture.capture_length()), 3);
}

#[test]
fn nats_bad_input_exits_2() {
    let Some(url) = support::nats_url() else {
        return;
    };
    let fixture = Fixture::create(&url, Duration::from_secs(120));
    let stream = fixture.stream.as_str();

    let output = fixture.dlq(&["list"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains(&format!("no capture stream `AXIOMOD_DLQ_{stream}`"))
            && stderr(&output).contains(&format!(
                "axiomod dlq setup --source nats --stream {stream}"
            )),
        "{}",
        describe(&output)
    );

    let nats = |arguments: &[&str], broker_url: &str| {
        dlq_support::dlq("sqlite://unused.db", arguments)
            .env("BROKER_URL", broker_url)
            .output()
            .expect("axiomod runs")
    };
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            vec![
                "list",
                "--source",
                "nats",
                "--stream",
                "NO_SUCH_STREAM",
                "--consumer",
                "c",
            ],
            &url,
            "has no stream `NO_SUCH_STREAM`",
        ),
        (
            vec![
                "list",
                "--source",
                "nats",
                "--stream",
                stream,
                "--consumer",
                "nobody",
            ],
            &url,
            "has no consumer `nobody`",
        ),
        (
            vec![
                "list",
                "--source",
                "nats",
                "--stream",
                stream,
                "--consumer",
                CONSUMER,
            ],
            "nats://127.0.0.1:1",
            "cannot connect to NATS at 127.0.0.1:1",
        ),
        (
            vec![
                "list",
                "--source",
                "nats",
                "--stream",
                stream,
                "--consumer",
                CONSUMER,
            ],
            "amqp://guest:guest@127.0.0.1:5672/%2f",
            "is not a NATS URL",
        ),
        (
            vec!["list", "--source", "nats", "--stream", stream],
            &url,
            "needs --consumer",
        ),
        (
            vec!["list", "--source", "nats", "--consumer", CONSUMER],
            &url,
            "--stream",
        ),
        (
            vec![
                "list",
                "--source",
                "nats",
                "--stream",
                stream,
                "--consumer",
                CONSUMER,
                "--queue",
                "q",
            ],
            &url,
            "--queue goes with --source rabbitmq",
        ),
        (
            vec![
                "list",
                "--source",
                "nats",
                "--stream",
                stream,
                "--consumer",
                CONSUMER,
                "--event-type",
                "x",
            ],
            &url,
            "apply to the database only, not to --source nats",
        ),
        (
            vec![
                "replay",
                "--source",
                "nats",
                "--stream",
                stream,
                "--consumer",
                CONSUMER,
                "--batch-size",
                "5",
                "--yes",
            ],
            &url,
            "apply to the database only, not to --source nats",
        ),
        (
            vec!["list", "--stream", stream],
            &url,
            "--stream and --consumer go with --source nats",
        ),
        (
            vec![
                "list", "--source", "rabbitmq", "--queue", "q", "--stream", stream,
            ],
            &url,
            "--stream and --consumer go with --source nats",
        ),
        (
            vec!["setup", "--source", "rabbitmq", "--stream", stream],
            &url,
            "[possible values: nats]",
        ),
        (
            vec![
                "setup",
                "--source",
                "nats",
                "--stream",
                stream,
                "--consumer",
                CONSUMER,
            ],
            &url,
            "unexpected argument '--consumer'",
        ),
        (
            vec!["setup", "--source", "nats", "--stream", "NO_SUCH_STREAM"],
            &url,
            "has no stream `NO_SUCH_STREAM`",
        ),
    ];
    for (arguments, broker_url, expected) in cases {
        let output = nats(&arguments, broker_url);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{arguments:?}: {}",
            describe(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{arguments:?}: {}",
            describe(&output)
        );
    }
}
