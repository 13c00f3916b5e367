//! The broker side of bench/relay.sh for NATS: makes, counts and deletes the JetStream stream
//! the benchmark's events go to. bench/relay.sh compiles it as an extra binary of the generated
//! service's package (it uses that package's async-nats and tokio).
//!
//! Usage (BROKER_URL names the server):
//!   relay-broker setup <stream> <subjects>   create the stream (file storage)
//!   relay-broker count <stream>              print how many messages it holds
//!   relay-broker teardown <stream>           delete it

use anyhow::{Context, bail};
use async_nats::jetstream::{self, stream};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("BROKER_URL").context("BROKER_URL is not set")?;
    let client = async_nats::connect(&url)
        .await
        .with_context(|| format!("cannot reach NATS at {url}"))?;
    let jetstream = jetstream::new(client);
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["setup", name, subjects] => {
            let config = stream::Config {
                name: name.to_string(),
                subjects: vec![subjects.to_string()],
                ..stream::Config::default()
            };
            jetstream
                .create_stream(config)
                .await
                .with_context(|| format!("cannot create the stream {name}"))?;
        }
        ["count", name] => {
            let mut stream = jetstream
                .get_stream(*name)
                .await
                .with_context(|| format!("no stream {name}"))?;
            println!("{}", stream.info().await?.state.messages);
        }
        ["teardown", name] => {
            jetstream
                .delete_stream(*name)
                .await
                .with_context(|| format!("cannot delete the stream {name}"))?;
        }
        _ => bail!("usage: relay-broker setup <stream> <subjects> | count <stream> | teardown <stream>"),
    }
    Ok(())
}
