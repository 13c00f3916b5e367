//! `axiomod dlq list|replay --source rabbitmq` against the RabbitMQ on this machine: messages
//! dead-lettered through a real DLX, listed from the dead-letter queue and replayed to their
//! original exchange.

mod dlq_support;
mod support;

use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};

use dlq_support::{describe, stderr};
use lapin::options::{
    BasicGetOptions, BasicPublishOptions, BasicRejectOptions, ConfirmSelectOptions,
    ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};

/// A work queue behind a direct exchange, dead-lettering into its own dead-letter queue.
struct Topology {
    url: String,
    runtime: tokio::runtime::Runtime,
    connection: Connection,
    channel: Channel,
    exchange: String,
    work_queue: String,
    dead_letter_exchange: String,
    dead_letter_queue: String,
}

const ROUTING_KEY: &str = "orders.order.created";

impl Topology {
    fn declare(url: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "axiomod_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let (connection, channel) = runtime.block_on(async {
            let connection = Connection::connect(url, ConnectionProperties::default())
                .await
                .expect("RabbitMQ accepts the connection");
            let channel = connection.create_channel().await.expect("a channel");
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await
                .expect("publisher confirms");
            (connection, channel)
        });
        let topology = Self {
            url: url.to_string(),
            runtime,
            connection,
            channel,
            exchange: format!("{name}.events"),
            work_queue: format!("{name}.work"),
            dead_letter_exchange: format!("{name}.dlx"),
            dead_letter_queue: format!("{name}.dead"),
        };
        topology.runtime.block_on(async {
            let channel = &topology.channel;
            for (exchange, kind) in [
                (&topology.exchange, ExchangeKind::Direct),
                (&topology.dead_letter_exchange, ExchangeKind::Fanout),
            ] {
                channel
                    .exchange_declare(
                        exchange.as_str().into(),
                        kind,
                        ExchangeDeclareOptions::default(),
                        FieldTable::default(),
                    )
                    .await
                    .expect("the exchange is declared");
            }
            let mut arguments = FieldTable::default();
            arguments.insert(
                "x-dead-letter-exchange".into(),
                AMQPValue::LongString(topology.dead_letter_exchange.as_str().into()),
            );
            for (queue, exchange, arguments) in [
                (&topology.work_queue, &topology.exchange, arguments),
                (
                    &topology.dead_letter_queue,
                    &topology.dead_letter_exchange,
                    FieldTable::default(),
                ),
            ] {
                channel
                    .queue_declare(
                        queue.as_str().into(),
                        QueueDeclareOptions::default(),
                        arguments,
                    )
                    .await
                    .expect("the queue is declared");
                channel
                    .queue_bind(
                        queue.as_str().into(),
                        exchange.as_str().into(),
                        ROUTING_KEY.into(),
                        QueueBindOptions::default(),
                        FieldTable::default(),
                    )
                    .await
                    .expect("the queue is bound");
            }
        });
        topology
    }

    /// Publishes messages with these ids, then rejects them from the work queue.
    fn dead_letter(&self, ids: &[&str]) {
        self.runtime.block_on(async {
            for id in ids {
                let properties = BasicProperties::default()
                    .with_message_id(ShortString::from(*id))
                    .with_delivery_mode(2);
                self.channel
                    .basic_publish(
                        self.exchange.as_str().into(),
                        ROUTING_KEY.into(),
                        BasicPublishOptions::default(),
                        format!(r#"{{"id":"{id}"}}"#).as_bytes(),
                        properties,
                    )
                    .await
                    .expect("published")
                    .await
                    .expect("confirmed");
            }
            for _ in ids {
                let message = self
                    .channel
                    .basic_get(
                        self.work_queue.as_str().into(),
                        BasicGetOptions { no_ack: false },
                    )
                    .await
                    .expect("basic.get")
                    .expect("the message is in the work queue");
                self.channel
                    .basic_reject(
                        message.delivery.delivery_tag,
                        BasicRejectOptions { requeue: false },
                    )
                    .await
                    .expect("rejected");
            }
        });
        self.wait_for_length(&self.dead_letter_queue, ids.len());
    }

    fn length(&self, queue: &str) -> usize {
        self.runtime.block_on(async {
            let options = QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            };
            self.channel
                .queue_declare(queue.into(), options, FieldTable::default())
                .await
                .expect("the queue exists")
                .message_count() as usize
        })
    }

    /// Dead-lettering is asynchronous in the broker: poll until the queue has `length`.
    fn wait_for_length(&self, queue: &str, length: usize) {
        for _ in 0..200 {
            if self.length(queue) == length {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("{queue} never held {length} messages");
    }

    /// Message ids and whether each still carries `x-death`, taking them off the work queue.
    fn drain_work_queue(&self) -> Vec<(String, bool)> {
        self.runtime.block_on(async {
            let mut messages = Vec::new();
            while let Some(message) = self
                .channel
                .basic_get(
                    self.work_queue.as_str().into(),
                    BasicGetOptions { no_ack: true },
                )
                .await
                .expect("basic.get")
            {
                let properties = &message.delivery.properties;
                let id = properties
                    .message_id()
                    .as_ref()
                    .map(|id| id.as_str().to_string())
                    .unwrap_or_default();
                let has_death = properties
                    .headers()
                    .as_ref()
                    .is_some_and(|headers| headers.contains_key("x-death"));
                messages.push((id, has_death));
            }
            messages.sort();
            messages
        })
    }

    /// `axiomod dlq <command> --source rabbitmq --queue <dead-letter queue> <rest>`.
    fn dlq(&self, arguments: &[&str]) -> Output {
        let (command, rest) = arguments.split_first().expect("a subcommand");
        let mut all = vec![
            *command,
            "--source",
            "rabbitmq",
            "--queue",
            &self.dead_letter_queue,
        ];
        all.extend(rest);
        dlq_support::dlq("sqlite://unused.db", &all)
            .env("BROKER_URL", &self.url)
            .output()
            .expect("axiomod runs")
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        self.runtime.block_on(async {
            for queue in [&self.work_queue, &self.dead_letter_queue] {
                let _ = self
                    .channel
                    .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                    .await;
            }
            for exchange in [&self.exchange, &self.dead_letter_exchange] {
                let _ = self
                    .channel
                    .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
                    .await;
            }
            let _ = self.connection.close(200, "done".into()).await;
        });
    }
}

fn json(output: &Output) -> serde_json::Value {
    assert_eq!(output.status.code(), Some(0), "{}", describe(output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", describe(output)))
}

#[test]
fn dead_lettered_messages_are_listed_and_replayed_to_their_original_exchange() {
    let Some(url) = support::amqp_url() else {
        return;
    };
    let topology = Topology::declare(&url);
    let ids = ["message-1", "message-2", "message-3"];
    topology.dead_letter(&ids);

    let listed = json(&topology.dlq(&["list", "--format", "json"]));
    assert_eq!(listed["count"], 3, "{listed}");
    let first = &listed["dead_letters"][0];
    assert_eq!(first["message_id"], "message-1");
    assert_eq!(first["exchange"], topology.exchange.as_str());
    assert_eq!(first["routing_key"], ROUTING_KEY);
    assert_eq!(first["queue"], topology.work_queue.as_str());
    assert_eq!(first["reason"], "rejected");
    assert_eq!(first["payload"]["id"], "message-1");
    // Listing gives the messages back.
    topology.wait_for_length(&topology.dead_letter_queue, 3);

    let dry_run = json(&topology.dlq(&["replay", "--dry-run", "--format", "json"]));
    assert_eq!(dry_run["matched"], 3, "{dry_run}");
    topology.wait_for_length(&topology.dead_letter_queue, 3);

    let output = topology.dlq(&["replay"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("pass --yes"),
        "{}",
        describe(&output)
    );

    let report = json(&topology.dlq(&["replay", "--yes", "--rate", "100", "--format", "json"]));
    assert_eq!(
        (
            report["matched"].clone(),
            report["replayed"].clone(),
            report["failed"].clone()
        ),
        (3.into(), 3.into(), 0.into()),
        "{report}"
    );
    topology.wait_for_length(&topology.work_queue, 3);
    assert_eq!(topology.length(&topology.dead_letter_queue), 0);
    assert_eq!(
        topology.drain_work_queue(),
        ids.iter()
            .map(|id| (id.to_string(), false))
            .collect::<Vec<_>>()
    );

    let output = topology.dlq(&["list"]);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("No messages in the queue"),
        "{}",
        describe(&output)
    );
}

#[test]
fn broker_bad_input_exits_2() {
    let Some(url) = support::amqp_url() else {
        return;
    };
    let topology = Topology::declare(&url);
    let cases: [(&[&str], &str); 3] = [
        (
            &["replay", "--batch-size", "10", "--yes"],
            "apply to the database only",
        ),
        (&["list", "--event-type", "x"], "apply to the database only"),
        (
            &[
                "replay",
                "--ids",
                "0193a2b4-0c1d-7e2f-8a9b-0c1d2e3f4a5b",
                "--yes",
            ],
            "apply to the database only",
        ),
    ];
    for (arguments, expected) in cases {
        let output = topology.dlq(arguments);
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

    let output = dlq_support::dlq(
        "sqlite://unused.db",
        &["list", "--source", "rabbitmq", "--queue", "no.such.queue"],
    )
    .env("BROKER_URL", &url)
    .output()
    .expect("axiomod runs");
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("no.such.queue"),
        "{}",
        describe(&output)
    );

    let output = dlq_support::dlq(
        "sqlite://unused.db",
        &["list", "--source", "rabbitmq", "--queue", "q"],
    )
    .env("BROKER_URL", "amqp://guest:guest@127.0.0.1:1/%2f")
    .output()
    .expect("axiomod runs");
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("cannot connect to RabbitMQ at 127.0.0.1:1"),
        "{}",
        describe(&output)
    );

    // amqps:// speaks TLS (without TLS support lapin used to connect in plain text): against
    // the plain AMQP port the TLS handshake fails on the broker's AMQP answer.
    let plain_port = url::Url::parse(&url)
        .ok()
        .and_then(|url| url.port())
        .unwrap_or(5672);
    let output = dlq_support::dlq(
        "sqlite://unused.db",
        &["list", "--source", "rabbitmq", "--queue", "q"],
    )
    .env(
        "BROKER_URL",
        format!("amqps://guest:guest@127.0.0.1:{plain_port}/%2f"),
    )
    .output()
    .expect("axiomod runs");
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains(&format!(
            "cannot connect to RabbitMQ at 127.0.0.1:{plain_port}"
        )) && stderr(&output).contains("corrupt message"),
        "{}",
        describe(&output)
    );

    let output = dlq_support::dlq("sqlite://unused.db", &["list", "--source", "rabbitmq"])
        .output()
        .expect("axiomod runs");
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(stderr(&output).contains("--queue"), "{}", describe(&output));

    let output = dlq_support::dlq("sqlite://unused.db", &["list", "--queue", "q"])
        .output()
        .expect("axiomod runs");
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("--queue goes with --source rabbitmq"),
        "{}",
        describe(&output)
    );
}
