//! The broker side of bench/relay.sh for RabbitMQ: declares a durable queue bound to the
//! benchmark's exchange (so every event is routed and stored, as in production), counts its
//! messages and deletes queue and exchange. bench/relay.sh compiles it as an extra binary of
//! the generated service's package (it uses that package's lapin and tokio).
//!
//! Usage (BROKER_URL names the server):
//!   relay-broker setup <exchange> <queue>      declare both and bind the queue to every key
//!   relay-broker count <queue>                 print how many messages it holds
//!   relay-broker teardown <exchange> <queue>   delete both

use anyhow::{Context, bail};
use lapin::options::{
    ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};

const DURABLE_QUEUE: QueueDeclareOptions = QueueDeclareOptions {
    passive: false,
    durable: true,
    exclusive: false,
    auto_delete: false,
    nowait: false,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("BROKER_URL").context("BROKER_URL is not set")?;
    let connection = Connection::connect(&url, ConnectionProperties::default())
        .await
        .with_context(|| format!("cannot reach RabbitMQ at {url}"))?;
    let channel = connection.create_channel().await?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["setup", exchange, queue] => setup(&channel, exchange, queue).await?,
        ["count", queue] => {
            let declared = channel
                .queue_declare((*queue).into(), DURABLE_QUEUE, FieldTable::default())
                .await?;
            println!("{}", declared.message_count());
        }
        ["teardown", exchange, queue] => {
            channel
                .queue_delete((*queue).into(), QueueDeleteOptions::default())
                .await?;
            channel
                .exchange_delete((*exchange).into(), ExchangeDeleteOptions::default())
                .await?;
        }
        _ => bail!(
            "usage: relay-broker setup <exchange> <queue> | count <queue> | teardown <exchange> <queue>"
        ),
    }
    Ok(())
}

async fn setup(channel: &Channel, exchange: &str, queue: &str) -> anyhow::Result<()> {
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    channel
        .exchange_declare(exchange.into(), ExchangeKind::Topic, durable, FieldTable::default())
        .await
        .with_context(|| format!("cannot declare the exchange {exchange}"))?;
    channel
        .queue_declare(queue.into(), DURABLE_QUEUE, FieldTable::default())
        .await
        .with_context(|| format!("cannot declare the queue {queue}"))?;
    channel
        .queue_bind(
            queue.into(),
            exchange.into(),
            "#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .with_context(|| format!("cannot bind {queue} to {exchange}"))?;
    Ok(())
}
