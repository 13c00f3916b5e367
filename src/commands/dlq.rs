//! `axiomod dlq`: inspect, replay and purge the dead letters of a generated service's outbox.

use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::dlq::filter::{parse_id, parse_instant};
use crate::dlq::jobs::{self, JobKind, JobOptions, JobReport};
use crate::dlq::nats::{NatsBroker, NatsDeadLetter, NatsReplayReport, SetupReport};
use crate::dlq::rabbitmq::{BrokerReplayReport, DeadLetterQueue};
use crate::dlq::stats::{self, AgeBucket, Stats};
use crate::dlq::{DeadLetter, DeadLetterStore, Filter};
use crate::migrate::{DatabaseUrl, MigrateError, config};
use crate::outcome::Outcome;
use crate::ui;

const EXAMPLES: &str = "\
Examples:
  axiomod dlq stats                                   # counts by event type, error class, age
  axiomod dlq list --event-type orders.order.created --since 24h
  axiomod dlq show 0193a2b4-0c1d-7e2f-8a9b-0c1d2e3f4a5b --format json
  axiomod dlq replay --error-contains timeout --dry-run
  axiomod dlq replay --since 2026-01-31 --rate 500 --yes
  axiomod dlq purge --event-type test.thing.created --yes
  axiomod dlq list --source rabbitmq --queue orders.dead     # a RabbitMQ dead-letter queue
  axiomod dlq replay --source rabbitmq --queue orders.dead --yes
  axiomod dlq setup --source nats --stream ORDERS            # keep JetStream's max-deliveries advisories
  axiomod dlq list --source nats --stream ORDERS --consumer billing
  axiomod dlq replay --source nats --stream ORDERS --consumer billing --yes

Reads the database from --database-url, else DATABASE_URL, else DATABASE_URL in ./.env.
Replay and purge jobs are recorded in the axiomod_dlq_jobs table. Details: docs/dlq.md.";

/// Dead letters per transaction when --batch-size is not given.
const DEFAULT_BATCH_SIZE: u64 = 1000;

/// Inspect, replay and purge the outbox's dead letters (PostgreSQL or SQLite), and the dead
/// letters of RabbitMQ and NATS JetStream.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct DlqArgs {
    /// Boxed: the source flags make it the largest of axiomod's commands.
    #[command(subcommand)]
    pub command: Box<DlqCommand>,
    /// The service's database (postgres:// or sqlite://); defaults to DATABASE_URL, then to
    /// DATABASE_URL in ./.env.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[value(alias = "human")]
    Table,
    /// One JSON document on stdout (docs/dlq.md).
    Json,
}

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// Count dead letters by event type, error class and age.
    #[command(after_help = "Examples:
  axiomod dlq stats
  axiomod dlq stats --since 24h --event-type orders.order.created --format json")]
    Stats(FilterArgs),
    /// List dead letters, oldest failure first.
    List(ListArgs),
    /// Show one dead letter with its payload, headers and error.
    Show(ShowArgs),
    /// Move dead letters back into the outbox with the same message id.
    Replay(ReplayArgs),
    /// Delete dead letters.
    Purge(JobArgs),
    /// Create the stream that keeps a NATS stream's max-deliveries advisories (--source nats).
    Setup(SetupArgs),
}

/// Which dead letters a command works on; every option given must match.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only this event type, e.g. `orders.order.created`.
    #[arg(long, value_name = "TYPE")]
    pub event_type: Option<String>,
    /// Only messages of this aggregate id.
    #[arg(long, value_name = "ID")]
    pub aggregate_id: Option<String>,
    /// Only messages whose last error contains this text.
    #[arg(long, value_name = "TEXT")]
    pub error_contains: Option<String>,
    /// Only messages that failed at or after this time: RFC 3339, a date, or an age (30m, 12h, 7d).
    #[arg(long, value_name = "TIME", value_parser = instant)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only messages that failed before this time: RFC 3339, a date, or an age (30m, 12h, 7d).
    #[arg(long, value_name = "TIME", value_parser = instant)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// Only these message ids (comma-separated UUIDs).
    #[arg(long, value_name = "ID,…", value_delimiter = ',', value_parser = parse_id)]
    pub ids: Vec<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod dlq list --limit 20
  axiomod dlq list --error-contains 'connection refused' --since 2h --format json
  axiomod dlq list --source nats --stream ORDERS --consumer billing")]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    /// At most this many dead letters.
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
}

/// Where the dead letters are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Source {
    /// The service's `axiomod_dead_letters` table.
    Database,
    /// A RabbitMQ dead-letter queue (--queue), messages with an `x-death` header.
    Rabbitmq,
    /// Messages of a NATS JetStream stream (--stream) that hit a consumer's (--consumer) max
    /// deliveries, found through the advisories `dlq setup` keeps.
    Nats,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Database => "database",
            Source::Rabbitmq => "rabbitmq",
            Source::Nats => "nats",
        }
    }
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Where the dead letters are.
    #[arg(long, value_enum, default_value_t = Source::Database)]
    pub source: Source,
    /// The dead-letter queue to read (with --source rabbitmq).
    #[arg(long, value_name = "QUEUE", required_if_eq("source", "rabbitmq"))]
    pub queue: Option<String>,
    /// The JetStream stream (with --source nats).
    #[arg(long, value_name = "STREAM", required_if_eq("source", "nats"))]
    pub stream: Option<String>,
    /// The consumer whose max deliveries the messages hit (with --source nats).
    #[arg(long, value_name = "CONSUMER")]
    pub consumer: Option<String>,
    /// The broker (amqp://user:password@host:5672/vhost, or nats://host:4222, the default with
    /// --source nats); defaults to BROKER_URL.
    #[arg(long, env = "BROKER_URL", hide_env_values = true, value_name = "URL")]
    pub broker_url: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Example:
  axiomod dlq setup --source nats --stream ORDERS

Creates the JetStream stream AXIOMOD_DLQ_<STREAM>, capturing the subject
$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<STREAM>.* on which JetStream announces each message
a consumer of <STREAM> gave up on. Advisories emitted before it exists are lost. Running it again
changes nothing.")]
pub struct SetupArgs {
    /// Where the dead letters are: only `nats` needs a setup.
    #[arg(long, value_parser = ["nats"])]
    pub source: String,
    /// The JetStream stream whose consumers' max-deliveries advisories to keep.
    #[arg(long, value_name = "STREAM")]
    pub stream: String,
    /// The NATS server [default: nats://127.0.0.1:4222]; defaults to BROKER_URL.
    #[arg(long, env = "BROKER_URL", hide_env_values = true, value_name = "URL")]
    pub broker_url: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod dlq replay --dry-run                                 # what would move, changes nothing
  axiomod dlq replay --event-type orders.order.created --yes
  axiomod dlq replay --ids 0193a2b4-0c1d-7e2f-8a9b-0c1d2e3f4a5b --yes
  axiomod dlq replay --batch-size 5000 --rate 1000 --yes       # 1000 messages/s at most
  axiomod dlq replay --source rabbitmq --queue orders.dead --yes
  axiomod dlq replay --source nats --stream ORDERS --consumer billing --yes

Each batch is one transaction: a replay stopped at any point leaves every message either dead
or in the outbox. One replay or purge runs per database at a time. From RabbitMQ, each message
goes back to the exchange and routing key of its x-death header and leaves the dead-letter
queue only once the broker confirmed the publish. From NATS, each message goes back to its
subject with the same Nats-Msg-Id, and its advisory is deleted only once the stream acked it.")]
pub struct ReplayArgs {
    #[command(flatten)]
    pub job: JobArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "Example:
  axiomod dlq show 0193a2b4-0c1d-7e2f-8a9b-0c1d2e3f4a5b")]
pub struct ShowArgs {
    /// The message id (a UUID).
    #[arg(value_parser = parse_id)]
    pub id: String,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod dlq purge --dry-run
  axiomod dlq purge --until 30d --yes                          # delete what failed over 30 days ago

Each batch is one transaction. One replay or purge runs per database at a time.")]
pub struct JobArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Messages per transaction [default: 1000].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch_size: Option<u64>,
    /// At most M messages per second (e.g. 500 or 0.5).
    #[arg(long, value_name = "M", value_parser = rate)]
    pub rate: Option<f64>,
    /// Print how many messages would change, record the job, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation (required when not on a terminal).
    #[arg(long, short)]
    pub yes: bool,
    /// Who runs the job, for the audit table [default: the OS user].
    #[arg(long, value_name = "NAME")]
    pub actor: Option<String>,
}

pub fn exec(args: DlqArgs) -> miette::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| miette::miette!("cannot start the async runtime: {error}"))?;
    let format = args.format;
    match *args.command {
        DlqCommand::List(list) if list.source.source == Source::Rabbitmq => {
            let queue = broker_queue(&list.source, &list.filter)?;
            runtime.block_on(async {
                let dead_letters = queue.open().await?;
                let result = dead_letters.list(list.limit).await;
                dead_letters.close().await;
                print_broker_list(&result?, queue.name, format);
                Ok(Outcome::Success)
            })
        }
        DlqCommand::Replay(replay) if replay.source.source == Source::Rabbitmq => {
            let queue = broker_queue(&replay.source, &replay.job.filter)?;
            refuse_job_options(&replay.job, Source::Rabbitmq)?;
            runtime.block_on(broker_replay(queue, &replay.job, format))
        }
        DlqCommand::List(list) if list.source.source == Source::Nats => {
            let target = nats_source(&list.source, &list.filter)?;
            let consumer = target.consumer()?;
            runtime.block_on(async {
                let broker = target.connect().await?;
                let result = broker.list(consumer, Some(list.limit)).await;
                broker.close().await;
                print_nats_list(&result?, target.stream, consumer, list.limit, format);
                Ok(Outcome::Success)
            })
        }
        DlqCommand::Replay(replay) if replay.source.source == Source::Nats => {
            let target = nats_source(&replay.source, &replay.job.filter)?;
            refuse_job_options(&replay.job, Source::Nats)?;
            runtime.block_on(nats_replay(&target, &replay.job, format))
        }
        DlqCommand::Setup(setup) => {
            let target = nats_target(setup.broker_url.as_deref(), &setup.stream, None)?;
            runtime.block_on(async {
                let broker = target.connect().await?;
                let result = broker.setup().await;
                broker.close().await;
                let report = result?;
                match format {
                    Format::Json => print_json(&report),
                    Format::Table => print_setup(&report),
                }
                Ok(Outcome::Success)
            })
        }
        command => runtime.block_on(database_command(args.database_url, command, format)),
    }
}

/// Refuses the replay options that only the database's job runner uses.
fn refuse_job_options(args: &JobArgs, source: Source) -> miette::Result<()> {
    if args.batch_size.is_some() || args.actor.is_some() {
        return Err(miette::miette!(
            help =
                "drop them: a broker replay confirms one message at a time and writes no audit row",
            "--batch-size and --actor apply to the database only, not to --source {}",
            source.name()
        ));
    }
    Ok(())
}

/// Refuses the flags of another source than the one given.
fn refuse_other_source_flags(source: &SourceArgs) -> miette::Result<()> {
    if source.queue.is_some() && source.source != Source::Rabbitmq {
        return Err(miette::miette!(
            help = "add --source rabbitmq to read a RabbitMQ dead-letter queue",
            "--queue goes with --source rabbitmq"
        ));
    }
    if (source.stream.is_some() || source.consumer.is_some()) && source.source != Source::Nats {
        return Err(miette::miette!(
            help = "add --source nats to read what a JetStream consumer gave up on",
            "--stream and --consumer go with --source nats"
        ));
    }
    Ok(())
}

/// Refuses the database filters for a broker source, which is listed and replayed whole.
fn refuse_filters(filter: &FilterArgs, source: Source) -> miette::Result<()> {
    if Filter::from(filter.clone()).is_empty() {
        return Ok(());
    }
    Err(miette::miette!(
        help = "drop the filters: a broker's dead letters are listed and replayed whole",
        "the filters (--event-type, --ids, …) apply to the database only, not to --source {}",
        source.name()
    ))
}

async fn database_command(
    database_url: Option<String>,
    command: DlqCommand,
    format: Format,
) -> miette::Result<Outcome> {
    match &command {
        DlqCommand::List(list) => refuse_other_source_flags(&list.source)?,
        DlqCommand::Replay(replay) => refuse_other_source_flags(&replay.source)?,
        _ => {}
    }
    let raw_url = match database_url {
        Some(url) => url,
        None => {
            config::database_url_from_dotenv(Path::new(""))?.ok_or(MigrateError::NoDatabaseUrl)?
        }
    };
    let url = DatabaseUrl::parse(&raw_url)?;
    let mut store = DeadLetterStore::connect(&url).await?;
    let result = match command {
        DlqCommand::Stats(filter) => show_stats(&mut store, filter.into(), format).await,
        DlqCommand::List(list) => show_list(&mut store, list, format).await,
        DlqCommand::Show(show) => show_one(&mut store, &show.id, format).await,
        DlqCommand::Replay(replay) => {
            run_job(&mut store, JobKind::Replay, replay.job, format).await
        }
        DlqCommand::Purge(job) => run_job(&mut store, JobKind::Purge, job, format).await,
        DlqCommand::Setup(_) => unreachable!("exec runs `dlq setup` before opening a database"),
    };
    store.close().await;
    result
}

/// A RabbitMQ dead-letter queue named on the command line.
struct BrokerQueue<'a> {
    url: &'a str,
    name: &'a str,
}

impl BrokerQueue<'_> {
    async fn open(&self) -> miette::Result<DeadLetterQueue> {
        Ok(DeadLetterQueue::open(self.url, self.name).await?)
    }
}

/// The queue of `--source rabbitmq`; the database filters do not apply to it.
fn broker_queue<'a>(
    source: &'a SourceArgs,
    filter: &FilterArgs,
) -> miette::Result<BrokerQueue<'a>> {
    refuse_filters(filter, Source::Rabbitmq)?;
    refuse_other_source_flags(source)?;
    let url = source.broker_url.as_deref().ok_or_else(|| {
        miette::miette!(
            help =
                "pass --broker-url or set BROKER_URL, e.g. amqp://guest:guest@localhost:5672/%2f",
            "no broker URL"
        )
    })?;
    let name = source
        .queue
        .as_deref()
        .expect("clap requires --queue with --source rabbitmq");
    Ok(BrokerQueue { url, name })
}

async fn broker_replay(
    queue: BrokerQueue<'_>,
    args: &JobArgs,
    format: Format,
) -> miette::Result<Outcome> {
    let dead_letters = queue.open().await?;
    let mut confirmed = Ok(());
    if !args.dry_run && !args.yes {
        confirmed = match dead_letters.length().await {
            Ok(0) => Ok(()),
            Ok(length) => confirm(&format!(
                "Replay {length} message(s) of the RabbitMQ queue {}?",
                queue.name
            )),
            Err(error) => Err(error.into()),
        };
    }
    let result = match confirmed {
        Ok(()) => {
            with_progress(async |progress| {
                dead_letters.replay(args.dry_run, args.rate, progress).await
            })
            .await
        }
        Err(error) => Err(error),
    };
    dead_letters.close().await;
    let report = result?;
    match format {
        Format::Json => print_json(&report),
        Format::Table => print_broker_report(&report),
    }
    Ok(if report.failed > 0 {
        Outcome::ProblemsFound
    } else {
        Outcome::Success
    })
}

/// The NATS server when neither --broker-url nor BROKER_URL is given.
const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";

/// A JetStream stream (and consumer) named on the command line.
struct NatsTarget<'a> {
    url: &'a str,
    stream: &'a str,
    consumer: Option<&'a str>,
}

impl NatsTarget<'_> {
    async fn connect(&self) -> miette::Result<NatsBroker> {
        Ok(NatsBroker::connect(self.url, self.stream).await?)
    }

    /// The consumer, which `list` and `replay` need.
    fn consumer(&self) -> miette::Result<&str> {
        self.consumer.ok_or_else(|| {
            miette::miette!(
                help = "pass the durable name of the consumer, e.g. --consumer billing",
                "--source nats needs --consumer: whose max deliveries the messages hit"
            )
        })
    }
}

/// The stream and consumer of `--source nats`; the database's and RabbitMQ's flags do not apply.
fn nats_source<'a>(source: &'a SourceArgs, filter: &FilterArgs) -> miette::Result<NatsTarget<'a>> {
    refuse_filters(filter, Source::Nats)?;
    refuse_other_source_flags(source)?;
    let stream = source
        .stream
        .as_deref()
        .expect("clap requires --stream with --source nats");
    nats_target(
        source.broker_url.as_deref(),
        stream,
        source.consumer.as_deref(),
    )
}

/// A stream (and consumer) on the server at `url` (nats:// or tls://), else the default server.
fn nats_target<'a>(
    url: Option<&'a str>,
    stream: &'a str,
    consumer: Option<&'a str>,
) -> miette::Result<NatsTarget<'a>> {
    let url = url.unwrap_or(DEFAULT_NATS_URL);
    let scheme = url.split_once("://").map(|(scheme, _)| scheme);
    if !matches!(scheme, Some("nats" | "tls")) {
        return Err(miette::miette!(
            help = "pass --broker-url nats://host:4222 (BROKER_URL may point at another broker)",
            "`{}` is not a NATS URL",
            crate::migrate::connect::redact(url)
        ));
    }
    Ok(NatsTarget {
        url,
        stream,
        consumer,
    })
}

async fn nats_replay(
    target: &NatsTarget<'_>,
    args: &JobArgs,
    format: Format,
) -> miette::Result<Outcome> {
    let consumer = target.consumer()?;
    let broker = target.connect().await?;
    let mut confirmed = Ok(());
    if !args.dry_run && !args.yes {
        confirmed = match broker.list(consumer, None).await {
            Ok(dead_letters) if dead_letters.is_empty() => Ok(()),
            Ok(dead_letters) => confirm(&format!(
                "Republish {} message(s) of the stream {} that the consumer {consumer} gave up on?",
                dead_letters.len(),
                target.stream
            )),
            Err(error) => Err(error.into()),
        };
    }
    let result = match confirmed {
        Ok(()) => {
            with_progress(async |progress| {
                broker
                    .replay(consumer, args.dry_run, args.rate, progress)
                    .await
            })
            .await
        }
        Err(error) => Err(error),
    };
    broker.close().await;
    let report = result?;
    match format {
        Format::Json => print_json(&report),
        Format::Table => print_nats_report(&report),
    }
    Ok(if report.duplicates + report.missing > 0 {
        Outcome::ProblemsFound
    } else {
        Outcome::Success
    })
}

fn print_setup(report: &SetupReport) {
    if report.created {
        out!(
            "Created the stream {} capturing {}: the max-deliveries advisories of {} are kept from now on.",
            report.capture_stream,
            report.subject,
            report.stream
        );
    } else {
        out!(
            "The stream {} already captures {}; nothing changed.",
            report.capture_stream,
            report.subject
        );
    }
}

fn print_nats_list(
    dead_letters: &[NatsDeadLetter],
    stream: &str,
    consumer: &str,
    limit: u64,
    format: Format,
) {
    match format {
        Format::Json => print_json(&serde_json::json!({
            "stream": stream,
            "consumer": consumer,
            "count": dead_letters.len(),
            "limit": limit,
            "dead_letters": dead_letters,
        })),
        Format::Table if dead_letters.is_empty() => out!(
            "No messages of the stream {stream} hit the max deliveries of the consumer {consumer}"
        ),
        Format::Table => {
            out!(
                "{:>10}  {:<32}  {:<36}  {:>10}  {:>6}  PAYLOAD",
                "SEQUENCE",
                "SUBJECT",
                "MESSAGE ID",
                "DELIVERIES",
                "AGE"
            );
            let now = chrono::Utc::now();
            let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_string());
            for dead_letter in dead_letters {
                let payload = if dead_letter.found {
                    shorten(&dead_letter.payload.to_string(), 60)
                } else {
                    "(no longer in the stream)".to_string()
                };
                out!(
                    "{:>10}  {:<32}  {:<36}  {:>10}  {:>6}  {payload}",
                    dead_letter.stream_sequence,
                    text(&dead_letter.subject),
                    text(&dead_letter.message_id),
                    dead_letter.deliveries,
                    dead_letter
                        .published_at
                        .map_or("-".to_string(), |published_at| age(now - published_at)),
                );
            }
            if dead_letters.len() as u64 == limit {
                out!("(first {limit} shown; raise --limit for more)");
            }
        }
    }
}

/// A duration as its largest whole unit: `45s`, `12m`, `3h`, `9d`.
fn age(duration: chrono::TimeDelta) -> String {
    let seconds = duration.num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m", seconds / 60),
        3600..86_400 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86_400),
    }
}

fn print_nats_report(report: &NatsReplayReport) {
    let (stream, consumer) = (&report.stream, &report.consumer);
    if report.matched == 0 {
        out!(
            "No messages of the stream {stream} hit the max deliveries of the consumer {consumer}; nothing to replay."
        );
    } else if report.dry_run {
        out!(
            "Would republish {} message(s) of the stream {stream} that the consumer {consumer} gave up on (dry run: nothing changed).",
            report.matched
        );
    } else {
        out!(
            "Republished {} of {} message(s) of the stream {stream} to their subjects (replay_of {}).",
            report.replayed,
            report.matched,
            report.job_id
        );
    }
    if report.duplicates > 0 {
        out!(
            "{} message(s) were dropped by {stream} as duplicates: their Nats-Msg-Id was published within the stream's duplicate window ({}s). Their advisories are kept; run the replay again once that window has passed.",
            report.duplicates,
            report.duplicate_window_seconds
        );
    }
    if report.missing > 0 {
        out!(
            "{} message(s) are no longer in {stream} (removed by its limits, or deleted) and cannot be replayed; their advisories stay in {}.",
            report.missing,
            crate::dlq::nats::capture_stream_name(stream)
        );
    }
}

fn print_broker_list(
    dead_letters: &[crate::dlq::rabbitmq::BrokerDeadLetter],
    queue: &str,
    format: Format,
) {
    match format {
        Format::Json => print_json(&serde_json::json!({
            "queue": queue,
            "count": dead_letters.len(),
            "dead_letters": dead_letters,
        })),
        Format::Table if dead_letters.is_empty() => out!("No messages in the queue {queue}"),
        Format::Table => {
            out!(
                "{:<36}  {:<24}  {:<24}  {:<10}  COUNT",
                "MESSAGE ID",
                "EXCHANGE",
                "ROUTING KEY",
                "REASON"
            );
            let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_string());
            for dead_letter in dead_letters {
                out!(
                    "{:<36}  {:<24}  {:<24}  {:<10}  {}",
                    text(&dead_letter.message_id),
                    text(&dead_letter.exchange),
                    text(&dead_letter.routing_key),
                    text(&dead_letter.reason),
                    dead_letter
                        .count
                        .map_or("-".to_string(), |count| count.to_string())
                );
            }
        }
    }
}

fn print_broker_report(report: &BrokerReplayReport) {
    let queue = &report.queue;
    if report.matched == 0 {
        out!("No messages in the queue {queue}; nothing to replay.");
    } else if report.dry_run {
        out!(
            "Would replay {} message(s) of the queue {queue} (dry run: nothing changed).",
            report.matched
        );
    } else {
        out!(
            "Replayed {} of {} message(s) of the queue {queue} to their original exchanges.",
            report.replayed,
            report.matched
        );
    }
    if report.failed > 0 {
        out!(
            "{} message(s) stay in {queue}: no x-death header, or the broker did not route them.",
            report.failed
        );
    }
}

/// Runs a replay or purge with a progress bar (hidden when stderr is not a terminal); the job
/// reports how many messages it has done of how many matched.
async fn with_progress<T, E>(
    job: impl AsyncFnOnce(&mut dyn FnMut(u64, u64)) -> Result<T, E>,
) -> miette::Result<T>
where
    miette::Report: From<E>,
{
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} {eta}")
            .expect("the progress template is valid"),
    );
    let result = job(&mut |done, matched| {
        bar.set_length(matched);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    Ok(result?)
}

impl From<FilterArgs> for Filter {
    fn from(args: FilterArgs) -> Self {
        Filter {
            event_type: args.event_type,
            aggregate_id: args.aggregate_id,
            error_contains: args.error_contains,
            since: args.since,
            until: args.until,
            ids: args.ids,
        }
    }
}

fn instant(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    parse_instant(text, chrono::Utc::now())
}

fn rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "`{text}` is not a positive number of messages per second"
        )),
    }
}

async fn show_stats(
    store: &mut DeadLetterStore,
    filter: Filter,
    format: Format,
) -> miette::Result<Outcome> {
    let summaries = store.summaries(&filter).await?;
    let stats = stats::summarise(&summaries, chrono::Utc::now());
    match format {
        Format::Json => print_json(&stats),
        Format::Table => print_stats(&stats, store.location(), &filter),
    }
    Ok(Outcome::Success)
}

fn print_stats(stats: &Stats, location: &str, filter: &Filter) {
    if stats.total == 0 {
        out!("{}", nothing_matches(location, filter));
        return;
    }
    out!("{} dead letter(s) in {location}", stats.total);
    if let (Some(oldest), Some(newest)) = (stats.oldest_failed_at, stats.newest_failed_at) {
        out!(
            "  oldest failure {}, newest {}",
            oldest.to_rfc3339(),
            newest.to_rfc3339()
        );
    }
    let groups = [
        ("event type", &stats.by_event_type),
        ("error class", &stats.by_error_class),
    ];
    for (title, counts) in groups {
        out!("\nBy {title}:");
        let mut rows: Vec<_> = counts.iter().collect();
        rows.sort_by(|left, right| right.1.cmp(left.1).then(left.0.cmp(right.0)));
        for (key, count) in rows {
            out!("  {count:>8}  {key}");
        }
    }
    out!("\nBy age:");
    for bucket in AgeBucket::ALL {
        out!("  {:>8}  {}", stats.by_age[bucket.label()], bucket.label());
    }
}

async fn show_list(
    store: &mut DeadLetterStore,
    args: ListArgs,
    format: Format,
) -> miette::Result<Outcome> {
    let filter = Filter::from(args.filter);
    let dead_letters = store.list(&filter, Some(args.limit)).await?;
    match format {
        Format::Json => print_json(&serde_json::json!({
            "database": store.location(),
            "count": dead_letters.len(),
            "limit": args.limit,
            "dead_letters": dead_letters,
        })),
        Format::Table if dead_letters.is_empty() => {
            out!("{}", nothing_matches(store.location(), &filter));
        }
        Format::Table => {
            out!(
                "{:<36}  {:<32}  {:<20}  {:>8}  {:<20}  ERROR",
                "ID",
                "EVENT TYPE",
                "AGGREGATE ID",
                "ATTEMPTS",
                "FAILED AT"
            );
            for dead_letter in &dead_letters {
                out!(
                    "{:<36}  {:<32}  {:<20}  {:>8}  {:<20}  {}",
                    dead_letter.id,
                    dead_letter.event_type,
                    dead_letter.aggregate_id,
                    dead_letter.attempts,
                    dead_letter.failed_at.format("%Y-%m-%d %H:%M:%S"),
                    shorten(
                        dead_letter.last_error.lines().next().unwrap_or_default(),
                        60
                    )
                );
            }
            if dead_letters.len() as u64 == args.limit {
                out!("(first {} shown; raise --limit for more)", args.limit);
            }
        }
    }
    Ok(Outcome::Success)
}

async fn show_one(
    store: &mut DeadLetterStore,
    id: &str,
    format: Format,
) -> miette::Result<Outcome> {
    let dead_letter = store.find(id).await?;
    match format {
        Format::Json => print_json(&dead_letter),
        Format::Table => print_dead_letter(&dead_letter),
    }
    Ok(Outcome::Success)
}

fn print_dead_letter(dead_letter: &DeadLetter) {
    let optional = |value: Option<String>| value.unwrap_or_else(|| "never".to_string());
    out!("id:               {}", dead_letter.id);
    out!("event type:       {}", dead_letter.event_type);
    out!(
        "aggregate:        {} {}",
        dead_letter.aggregate_type,
        dead_letter.aggregate_id
    );
    out!("created at:       {}", dead_letter.created_at.to_rfc3339());
    out!("failed at:        {}", dead_letter.failed_at.to_rfc3339());
    out!("attempts:         {}", dead_letter.attempts);
    out!("replay count:     {}", dead_letter.replay_count);
    out!(
        "last replayed at: {}",
        optional(dead_letter.last_replayed_at.map(|at| at.to_rfc3339()))
    );
    out!(
        "last replay job:  {}",
        optional(dead_letter.last_replay_job.clone())
    );
    out!(
        "last error:\n  {}",
        dead_letter.last_error.replace('\n', "\n  ")
    );
    out!("headers:\n{}", pretty(&dead_letter.headers));
    out!("payload:\n{}", pretty(&dead_letter.payload));
}

async fn run_job(
    store: &mut DeadLetterStore,
    kind: JobKind,
    args: JobArgs,
    format: Format,
) -> miette::Result<Outcome> {
    let options = JobOptions {
        kind,
        filter: args.filter.into(),
        actor: args.actor.unwrap_or_else(os_user),
        batch_size: args.batch_size.unwrap_or(DEFAULT_BATCH_SIZE),
        rate: args.rate,
        dry_run: args.dry_run,
    };
    if !options.dry_run && !args.yes {
        let matched = store.count(&options.filter).await?;
        if matched > 0 {
            confirm(&format!(
                "{} {matched} dead letter(s) in {}?",
                match kind {
                    JobKind::Replay => "Replay",
                    JobKind::Purge => "Permanently delete",
                },
                store.location()
            ))?;
        }
    }
    let report = with_progress(async |progress| jobs::run(store, &options, progress).await).await?;
    match format {
        Format::Json => print_json(&report),
        Format::Table => print_report(&report, store.location(), &options.filter),
    }
    Ok(Outcome::Success)
}

fn print_report(report: &JobReport, location: &str, filter: &Filter) {
    if report.matched == 0 {
        out!(
            "{}; nothing to {}.",
            nothing_matches(location, filter),
            report.kind.name()
        );
        return;
    }
    let (done, would) = match report.kind {
        JobKind::Replay => ("Replayed", "Would replay"),
        JobKind::Purge => ("Purged", "Would purge"),
    };
    if report.dry_run {
        out!(
            "{would} {} dead letter(s) in {location} (dry run: nothing changed; recorded as job {}).",
            report.matched,
            report.job_id
        );
    } else {
        out!(
            "{done} {} of {} dead letter(s) in {location} (job {}, by {}).",
            report.processed,
            report.matched,
            report.job_id,
            report.actor
        );
    }
}

fn nothing_matches(location: &str, filter: &Filter) -> String {
    if filter.is_empty() {
        format!("No dead letters in {location}")
    } else {
        format!("No dead letters match the filter in {location}")
    }
}

/// The user running axiomod, for the audit table.
fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|variable| std::env::var(variable).ok().filter(|name| !name.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Asks on a terminal; refuses without `--yes` anywhere else.
fn confirm(question: &str) -> miette::Result<()> {
    ui::confirm(question, "dead letters", "change")
}

fn shorten(text: &str, length: usize) -> String {
    if text.chars().count() <= length {
        return text.to_string();
    }
    let mut short: String = text.chars().take(length - 1).collect();
    short.push('…');
    short
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).expect("a JSON value always serialises")
}

fn print_json(value: &impl Serialize) {
    out!(
        "{}",
        serde_json::to_string_pretty(value).expect("dlq reports always serialise")
    );
}
