//! End to end: the outbox relay of generated services (PostgreSQL) publishing to the real
//! NATS JetStream and RabbitMQ on this machine. Entities created over HTTP reach a real
//! subscriber once per message id; relays killed with SIGKILL over and over lose nothing and
//! keep each aggregate's order; with the broker unreachable, messages back off and land in
//! `axiomod_dead_letters`.

mod support;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use support::http;
use support::postgres::TemporaryDatabase;
use support::project::{PATIENCE, Service, binary, cargo, generate, scaffold_examples};

/// How many times the crash test kills a relay with SIGKILL.
const KILLS: usize = 24;
/// Each crash round tops the waiting messages up to this many, so every kill hits a busy relay.
const CRASH_BACKLOG: i64 = 6_000;
/// Each crash round kills a relay after the relays publish a multiple (1 to 7) of this many
/// messages of the topped-up backlog.
const KILL_STEP: i64 = 400;
/// Aggregates the crash test's messages belong to.
const CRASH_AGGREGATES: i64 = 200;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Scaffolds the example schemas into a new PostgreSQL service with `broker` and builds it.
fn build_service(name: &str, broker: &str) -> (tempfile::TempDir, PathBuf) {
    let (workspace, project) = generate(name, "postgres", broker);
    scaffold_examples(&project);
    cargo(&project, &["build"], &[]);
    (workspace, project)
}

/// A `<service> relay` process; killed with SIGKILL when dropped.
struct RelayProcess {
    child: Child,
}

impl RelayProcess {
    fn start(name: &str, project: &Path, database_url: &str, env: &[(&str, &str)]) -> Self {
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let number = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = project.join(format!("relay-{number}.log"));
        let child = Command::new(binary(name))
            .arg("relay")
            .current_dir(project)
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env("DATABASE_URL", database_url)
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(File::create(&log).expect("a log file"))
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the relay starts");
        Self { child }
    }

    /// SIGKILL: no chance to finish the batch in flight.
    fn kill_9(mut self) {
        let status = Command::new("kill")
            .args(["-KILL", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        self.child.wait().expect("the relay can be waited on");
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn count(database: &TemporaryDatabase, sql: &str) -> i64 {
    database
        .query(sql)
        .parse()
        .unwrap_or_else(|error| panic!("`{sql}` is not a count: {error}"))
}

/// Waits until `sql` counts `expected`.
fn wait_for_count(database: &TemporaryDatabase, sql: &str, expected: i64) {
    wait_until(
        database,
        sql,
        |actual| actual == expected,
        &expected.to_string(),
        Duration::from_millis(200),
    );
}

/// Polls the count `sql` returns, `every` so often, until `done` holds for it (`expected` says
/// what for the failure message); returns that count.
fn wait_until(
    database: &TemporaryDatabase,
    sql: &str,
    done: impl Fn(i64) -> bool,
    expected: &str,
    every: Duration,
) -> i64 {
    let started = Instant::now();
    loop {
        let actual = count(database, sql);
        if done(actual) {
            return actual;
        }
        assert!(
            started.elapsed() < PATIENCE * 3,
            "`{sql}` stayed at {actual}, expected {expected}"
        );
        std::thread::sleep(every);
    }
}

/// Creates customers and an order over HTTP; the outbox then holds their events.
fn create_entities(service: &Service) {
    let json_header = ("content-type", "application/json");
    for number in 0..5 {
        let body = serde_json::json!({"email": format!("buyer{number}@example.com"), "name": format!("Buyer {number}")});
        let created = http::request(
            service.port,
            "POST",
            "/api/v1/customers",
            &[json_header],
            body.to_string().as_bytes(),
        )
        .expect("the service answers");
        assert_eq!(created.status, 201, "{created:?}");
    }
}

/// The outbox message ids with `condition`, in id order.
fn outbox_ids(database: &TemporaryDatabase, condition: &str) -> Vec<String> {
    let ids = database.query(&format!(
        "SELECT string_agg(id::text, ',' ORDER BY id) FROM axiomod_outbox WHERE {condition}"
    ));
    ids.split(',')
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect()
}

/// Adds `count` messages spread over the crash test's aggregates, event type
/// `prefix.item.created`. Their ids grow with each insert, like the UUID v7 of `enqueue`, so
/// id order is the order of each aggregate's events.
fn insert_messages(database: &TemporaryDatabase, prefix: &str, count: i64) {
    database.query("CREATE SEQUENCE IF NOT EXISTS relay_e2e_ids");
    database.query(&format!(
        "INSERT INTO axiomod_outbox (id, aggregate_type, aggregate_id, event_type, payload, headers) \
         SELECT lpad(to_hex(nextval('relay_e2e_ids')), 32, '0')::uuid, 'load.item', (n % {CRASH_AGGREGATES})::text, '{prefix}.item.created', \
         jsonb_build_object('n', n), jsonb_build_object('aggregate_id', (n % {CRASH_AGGREGATES})::text) \
         FROM generate_series(1, {count}) AS n"
    ));
}

/// The names of this test's JetStream streams contain this.
const STREAM_PREFIX: &str = "AXIOMOD_RELAY_E2E_";

/// Deletes the streams an interrupted run of this test left behind: their subjects would
/// overlap with the new stream's.
async fn delete_leftover_streams(jetstream: &async_nats::jetstream::Context) {
    let names: Vec<String> = jetstream
        .stream_names()
        .filter_map(|name| async move { name.ok() })
        .collect()
        .await;
    // Capture streams too: `AXIOMOD_DLQ_<stream>`.
    for name in names.iter().filter(|name| name.contains(STREAM_PREFIX)) {
        jetstream
            .delete_stream(name)
            .await
            .expect("a leftover test stream is deleted");
    }
}

/// One message a subscriber received.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    headers: HashMap<String, String>,
}

/// Every message of `stream` (all its subjects), read with a pull consumer, in stream order.
async fn read_stream(jetstream: &async_nats::jetstream::Context, stream: &str) -> Vec<Received> {
    use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, pull};
    let mut stream = jetstream
        .get_stream(stream)
        .await
        .expect("the stream exists");
    let expected = stream.info().await.expect("stream info").state.messages;
    let consumer = stream
        .create_consumer(pull::Config {
            deliver_policy: DeliverPolicy::All,
            ack_policy: AckPolicy::None,
            ..pull::Config::default()
        })
        .await
        .expect("a pull consumer");
    let mut messages = consumer.messages().await.expect("a message stream");
    let mut received = Vec::new();
    while (received.len() as u64) < expected {
        let message = tokio::time::timeout(PATIENCE, messages.next())
            .await
            .expect("the consumer delivers within the patience")
            .expect("the consumer stream is open")
            .expect("a message");
        let headers: HashMap<String, String> = message
            .headers
            .as_ref()
            .map(|headers| {
                headers
                    .iter()
                    .filter_map(|(name, values)| {
                        Some((name.to_string(), values.first()?.as_str().to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let id = headers
            .get("Nats-Msg-Id")
            .cloned()
            .expect("every message carries Nats-Msg-Id");
        received.push(Received { id, headers });
    }
    received
}

/// Every id of `expected` was received exactly once, and nothing else was.
fn assert_once_each(received: &[Received], expected: &[String]) {
    let mut deliveries: HashMap<&str, usize> = HashMap::new();
    for message in received {
        *deliveries.entry(message.id.as_str()).or_default() += 1;
    }
    let expected_ids: HashSet<&str> = expected.iter().map(String::as_str).collect();
    let delivered_ids: HashSet<&str> = deliveries.keys().copied().collect();
    assert_eq!(
        delivered_ids, expected_ids,
        "delivered ids differ from the outbox"
    );
    let repeated: Vec<_> = deliveries.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        repeated.is_empty(),
        "delivered more than once: {repeated:?}"
    );
}

/// The JetStream context of the NATS server at `url`.
fn jetstream(runtime: &tokio::runtime::Runtime, url: &str) -> async_nats::jetstream::Context {
    let client = runtime
        .block_on(async_nats::connect(url))
        .expect("NATS answers");
    // The JetStream context spawns onto the runtime it is created in.
    runtime.block_on(async { async_nats::jetstream::new(client) })
}

fn create_stream(
    runtime: &tokio::runtime::Runtime,
    jetstream: &async_nats::jetstream::Context,
    name: &str,
    subjects: Vec<String>,
) {
    runtime
        .block_on(
            jetstream.create_stream(async_nats::jetstream::stream::Config {
                name: name.to_string(),
                subjects,
                ..Default::default()
            }),
        )
        .expect("the test stream is created");
}

/// The service on a migrated database, its relay off (messages wait in the outbox).
fn start_without_relay(
    name: &str,
    project: &Path,
    database: &TemporaryDatabase,
    nats: &str,
) -> Service {
    Service::start(
        name,
        project,
        database.url(),
        &[
            ("BROKER_URL", nats),
            ("MIGRATE_ON_START", "true"),
            ("APP_RELAY__ENABLED", "false"),
        ],
    )
}

/// A relay's environment for publishing to the NATS at `url` in small, quick batches, into a
/// stream the test makes: the relay leaves streams alone (the scaffold's subjects in
/// config/default.toml would make a lasting stream that overlaps other tests' streams).
fn relay_env(url: &str) -> [(&'static str, &str); 4] {
    [
        ("BROKER_URL", url),
        ("APP_RELAY__BATCH_SIZE", "100"),
        ("APP_RELAY__POLL_INTERVAL_MS", "20"),
        ("APP_RELAY__STREAM_SUBJECTS", "[]"),
    ]
}

#[test]
fn nats_relay_delivers_once_survives_kill_9_and_dead_letters_when_nats_is_down() {
    let Some(server) = support::postgres_url() else {
        return;
    };
    let Some(nats) = support::nats_url() else {
        return;
    };
    let name = "relay-nats";
    let (_workspace, project) = build_service(name, "nats");
    let database = TemporaryDatabase::create(&server);
    let runtime = runtime();
    let jetstream = jetstream(&runtime, &nats);

    // Entities over HTTP, with the relay off so the stream can be made for their subjects.
    let service = start_without_relay(name, &project, &database, &nats);
    create_entities(&service);
    service.terminate();
    let entity_ids = outbox_ids(&database, "true");
    let crash_prefix = format!("relaye2e{}", std::process::id());
    let down_prefix = format!("{crash_prefix}down");
    let mut subjects: Vec<String> = database
        .query("SELECT string_agg(DISTINCT event_type, ',') FROM axiomod_outbox")
        .split(',')
        .map(str::to_string)
        .collect();
    subjects.push(format!("{crash_prefix}.>"));
    let stream_name = format!("{STREAM_PREFIX}{}", std::process::id());
    let capture_stream_name = format!("AXIOMOD_DLQ_{stream_name}");
    runtime.block_on(delete_leftover_streams(&jetstream));
    // The stream exists with one of the subjects (as made before a module was added): the relay
    // adds the others, and creates the dead-letter capture stream.
    create_stream(&runtime, &jetstream, &stream_name, subjects[..1].to_vec());
    let subjects = serde_json::to_string(&subjects).expect("subjects as JSON");

    // A batch larger than the crash test's aggregates also claims later messages of an
    // aggregate in the same pass.
    let relay_env = [
        ("BROKER_URL", nats.as_str()),
        ("APP_RELAY__BATCH_SIZE", "500"),
        ("APP_RELAY__POLL_INTERVAL_MS", "20"),
        ("APP_RELAY__STREAM", stream_name.as_str()),
        ("APP_RELAY__STREAM_SUBJECTS", subjects.as_str()),
    ];
    let relay = RelayProcess::start(name, &project, database.url(), &relay_env);
    wait_for_count(
        &database,
        "SELECT count(*) FROM axiomod_outbox WHERE published_at IS NULL",
        0,
    );
    relay.kill_9();
    for stream in [&stream_name, &capture_stream_name] {
        runtime
            .block_on(jetstream.get_stream(stream))
            .unwrap_or_else(|error| panic!("the relay did not create {stream}: {error}"));
    }
    let received = runtime.block_on(read_stream(&jetstream, &stream_name));
    assert_once_each(&received, &entity_ids);
    let first = &received[0];
    assert!(first.headers.contains_key("request_id"), "{first:?}");
    // The attempt that got through: 1, or more when the stream was not there yet (the relay
    // creates it before its first pass, and retries that on a loaded machine).
    let attempts = count(
        &database,
        &format!(
            "SELECT attempts FROM axiomod_outbox WHERE id = '{}'",
            first.id
        ),
    );
    assert_eq!(
        first.headers.get("attempt"),
        Some(&attempts.to_string()),
        "{first:?}"
    );

    // Two relays, one of them killed with SIGKILL each round while messages wait.
    let mut relays = [
        RelayProcess::start(name, &project, database.url(), &relay_env),
        RelayProcess::start(name, &project, database.url(), &relay_env),
    ];
    let unpublished_sql = format!(
        "SELECT count(*) FROM axiomod_outbox WHERE published_at IS NULL AND event_type LIKE '{crash_prefix}.%'"
    );
    for round in 0..KILLS {
        let waiting = count(&database, &unpublished_sql);
        if waiting < CRASH_BACKLOG {
            insert_messages(&database, &crash_prefix, CRASH_BACKLOG - waiting);
        }
        // Kill once the relays have published a varied part of the backlog, so kills land at
        // varied points of their batches while messages wait, however fast the machine is (a
        // fixed sleep let fast relays run dry).
        let kill_at = CRASH_BACKLOG - KILL_STEP * (1 + round as i64 % 7);
        let waiting = wait_until(
            &database,
            &unpublished_sql,
            |waiting| waiting <= kill_at,
            &format!("at most {kill_at} (the relays publishing)"),
            Duration::from_millis(5),
        );
        assert!(waiting > 0, "round {round}: the relays ran dry");
        let victim = round % 2;
        let replacement = RelayProcess::start(name, &project, database.url(), &relay_env);
        std::mem::replace(&mut relays[victim], replacement).kill_9();
    }
    wait_for_count(&database, &unpublished_sql, 0);
    drop(relays);
    let crash_ids = outbox_ids(&database, &format!("event_type LIKE '{crash_prefix}.%'"));
    let received = runtime.block_on(read_stream(&jetstream, &stream_name));
    let crash_received: Vec<Received> = received
        .into_iter()
        .filter(|message| !entity_ids.contains(&message.id))
        .collect();
    // JetStream drops a republished Nats-Msg-Id within its duplicate window: each once.
    assert_once_each(&crash_received, &crash_ids);
    assert_aggregate_order(&database, &crash_received, &crash_prefix);

    // NATS unreachable: three attempts with short backoff, then the dead letters.
    dead_letter_while_nats_is_down(name, &project, &database, &down_prefix, 25);
    for stream in [&stream_name, &capture_stream_name] {
        runtime
            .block_on(jetstream.delete_stream(stream))
            .expect("the test stream is deleted");
    }
}

/// Adds `messages` messages of event type `<prefix>.item.created` and runs a relay whose NATS is
/// a closed port, with three attempts and short backoff, until all of them are dead letters;
/// returns their ids.
fn dead_letter_while_nats_is_down(
    name: &str,
    project: &Path,
    database: &TemporaryDatabase,
    prefix: &str,
    messages: i64,
) -> Vec<String> {
    let event_type = format!("{prefix}.item.created");
    database.query(&format!(
        "INSERT INTO axiomod_outbox (id, aggregate_type, aggregate_id, event_type, payload, headers) \
         SELECT gen_random_uuid(), 'load.item', n::text, '{event_type}', '{{}}', '{{}}' \
         FROM generate_series(1, {messages}) AS n"
    ));
    let ids = outbox_ids(database, &format!("event_type = '{event_type}'"));
    let down_relay = RelayProcess::start(
        name,
        project,
        database.url(),
        &[
            ("BROKER_URL", "nats://127.0.0.1:1"),
            ("APP_RELAY__MAX_ATTEMPTS", "3"),
            ("APP_RELAY__BACKOFF_BASE_MS", "50"),
            ("APP_RELAY__BACKOFF_MAX_MS", "200"),
            ("APP_RELAY__POLL_INTERVAL_MS", "20"),
        ],
    );
    wait_for_count(
        database,
        &format!(
            "SELECT count(*) FROM axiomod_dead_letters WHERE event_type = '{event_type}' AND attempts = 3 AND last_error <> ''"
        ),
        messages,
    );
    down_relay.kill_9();
    assert_eq!(
        count(
            database,
            &format!("SELECT count(*) FROM axiomod_outbox WHERE event_type = '{event_type}'")
        ),
        0,
        "a dead letter is no longer in the outbox"
    );
    ids
}

/// Within each aggregate, the first delivery of each message follows the outbox id order
/// (the relay's publishing order), whichever relay published it.
fn assert_aggregate_order(database: &TemporaryDatabase, received: &[Received], prefix: &str) {
    let rows = database.query(&format!(
        "SELECT string_agg(aggregate_id || ':' || id::text, ',' ORDER BY aggregate_id, id) \
         FROM axiomod_outbox WHERE event_type LIKE '{prefix}.%'"
    ));
    let mut expected: HashMap<&str, Vec<&str>> = HashMap::new();
    for row in rows.split(',') {
        let (aggregate, id) = row.split_once(':').expect("aggregate:id");
        expected.entry(aggregate).or_default().push(id);
    }
    let mut seen = HashSet::new();
    let mut delivered: HashMap<&str, Vec<&str>> = HashMap::new();
    for message in received {
        if seen.insert(message.id.as_str()) {
            let aggregate = message
                .headers
                .get("aggregate_id")
                .expect("the crash test's messages carry their aggregate");
            delivered
                .entry(aggregate.as_str())
                .or_default()
                .push(message.id.as_str());
        }
    }
    assert_eq!(
        delivered, expected,
        "an aggregate was published out of order"
    );
}

#[test]
fn rabbitmq_relay_in_serve_delivers_each_event_once() {
    use lapin::options::{
        BasicConsumeOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
    };
    use lapin::types::FieldTable;
    use lapin::{Connection, ConnectionProperties, ExchangeKind};

    let Some(server) = support::postgres_url() else {
        return;
    };
    let Some(amqp) = support::amqp_url() else {
        return;
    };
    let name = "relay-rabbit";
    let (_workspace, project) = build_service(name, "rabbitmq");
    let database = TemporaryDatabase::create(&server);
    let runtime = runtime();
    let exchange = format!("{name}.events");
    let queue = format!("axiomod-relay-e2e-{}", std::process::id());
    let (_connection, mut consumer) = runtime.block_on(async {
        let connection = Connection::connect(&amqp, ConnectionProperties::default())
            .await
            .expect("RabbitMQ answers");
        let channel = connection.create_channel().await.expect("a channel");
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        channel
            .exchange_declare(
                exchange.as_str().into(),
                ExchangeKind::Topic,
                durable,
                FieldTable::default(),
            )
            .await
            .expect("the exchange is declared");
        let exclusive = QueueDeclareOptions {
            exclusive: true,
            auto_delete: true,
            ..QueueDeclareOptions::default()
        };
        channel
            .queue_declare(queue.as_str().into(), exclusive, FieldTable::default())
            .await
            .expect("the queue is declared");
        channel
            .queue_bind(
                queue.as_str().into(),
                exchange.as_str().into(),
                "#".into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("the queue is bound");
        let no_ack = BasicConsumeOptions {
            no_ack: true,
            ..BasicConsumeOptions::default()
        };
        let consumer = channel
            .basic_consume(
                queue.as_str().into(),
                "e2e".into(),
                no_ack,
                FieldTable::default(),
            )
            .await
            .expect("a consumer");
        (connection, consumer)
    });

    let service = Service::start(
        name,
        &project,
        database.url(),
        &[
            ("BROKER_URL", &amqp),
            ("MIGRATE_ON_START", "true"),
            ("APP_RELAY__POLL_INTERVAL_MS", "20"),
        ],
    );
    create_entities(&service);
    wait_for_count(
        &database,
        "SELECT count(*) FROM axiomod_outbox WHERE published_at IS NULL",
        0,
    );
    let metrics =
        http::request(service.port, "GET", "/metrics", &[], b"").expect("/metrics answers");
    assert!(
        metrics.body.contains("outbox_published_total"),
        "{}",
        metrics.body
    );
    service.terminate();

    let expected = outbox_ids(&database, "true");
    let received: Vec<Received> = runtime.block_on(async {
        let mut received = Vec::new();
        // Wait a little past the expected count, so a duplicate would be seen.
        while let Ok(Some(delivery)) = tokio::time::timeout(
            if received.len() < expected.len() {
                PATIENCE
            } else {
                Duration::from_secs(1)
            },
            consumer.next(),
        )
        .await
        {
            let delivery = delivery.expect("a delivery");
            let properties = &delivery.properties;
            assert_eq!(*properties.delivery_mode(), Some(2), "persistent");
            let headers = properties
                .headers()
                .as_ref()
                .map(|table| {
                    table
                        .inner()
                        .iter()
                        .map(|(name, value)| (name.to_string(), format!("{value:?}")))
                        .collect()
                })
                .unwrap_or_default();
            let id = properties
                .message_id()
                .as_ref()
                .expect("every message carries message_id")
                .to_string();
            received.push(Received { id, headers });
        }
        received
    });
    assert_once_each(&received, &expected);
    assert!(
        received[0].headers.contains_key("attempt"),
        "{:?}",
        received[0]
    );
}

#[test]
fn nats_dead_letters_replayed_by_axiomod_dlq_reach_the_consumer_once_the_broker_is_back() {
    let Some(server) = support::postgres_url() else {
        return;
    };
    let Some(nats) = support::nats_url() else {
        return;
    };
    let name = "relay-replay";
    let (_workspace, project) = build_service(name, "nats");
    let database = TemporaryDatabase::create(&server);
    let runtime = runtime();
    let jetstream = jetstream(&runtime, &nats);
    start_without_relay(name, &project, &database, &nats).terminate();

    // The broker is down: every message dead-letters after its attempts.
    let prefix = format!("replaye2e{}", std::process::id());
    let ids = dead_letter_while_nats_is_down(name, &project, &database, &prefix, 40);

    // The real command moves them back, same ids, with the replay headers.
    let replay = Command::new(env!("CARGO_BIN_EXE_axiomod"))
        .args([
            "dlq",
            "replay",
            "--yes",
            "--batch-size",
            "16",
            "--format",
            "json",
        ])
        .args(["--database-url", database.url()])
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .current_dir(&project)
        .output()
        .expect("axiomod runs");
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&replay.stdout).expect("the replay report is JSON");
    assert_eq!(report["processed"], ids.len(), "{report}");
    assert_eq!(
        count(&database, "SELECT count(*) FROM axiomod_dead_letters"),
        0
    );
    assert_eq!(
        outbox_ids(&database, "published_at IS NULL AND attempts = 0"),
        ids
    );

    // The broker is back: a relay publishes them, and the consumer sees each id once.
    let stream_name = format!("AXIOMOD_REPLAY_E2E_{}", std::process::id());
    // A stream left by an interrupted earlier run with the same process id, if any.
    let _ = runtime.block_on(jetstream.delete_stream(&stream_name));
    create_stream(
        &runtime,
        &jetstream,
        &stream_name,
        vec![format!("{prefix}.>")],
    );
    let relay = RelayProcess::start(name, &project, database.url(), &relay_env(&nats));
    wait_for_count(
        &database,
        "SELECT count(*) FROM axiomod_outbox WHERE published_at IS NULL",
        0,
    );
    relay.kill_9();
    let received = runtime.block_on(read_stream(&jetstream, &stream_name));
    assert_once_each(&received, &ids);
    let job = report["job_id"].as_str().expect("a job id");
    for message in &received {
        assert_eq!(
            message.headers.get("replay_of").map(String::as_str),
            Some(job),
            "{message:?}"
        );
        assert_eq!(
            message.headers.get("replay_count").map(String::as_str),
            Some("1"),
            "{message:?}"
        );
    }
    assert_eq!(
        count(&database, "SELECT count(*) FROM axiomod_dead_letters"),
        0
    );
    runtime
        .block_on(jetstream.delete_stream(&stream_name))
        .expect("the test stream is deleted");
}
