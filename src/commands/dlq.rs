//! `axiomod dlq`: inspect, replay and purge the dead letters of a generated service's outbox.

use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::dlq::filter::{parse_id, parse_instant};
use crate::dlq::jobs::{self, JobKind, JobOptions, JobReport};
use crate::dlq::stats::{self, AgeBucket, Stats};
use crate::dlq::{DeadLetter, DeadLetterStore, Filter};
use crate::migrate::{DatabaseUrl, MigrateError, config};
use crate::outcome::Outcome;
use crate::ui;

/// `println!` that ignores a closed stdout (`axiomod dlq list | head`).
macro_rules! out {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($argument)*);
    }};
}

const EXAMPLES: &str = "\
Examples:
  axiomod dlq stats                                   # counts by event type, error class, age
  axiomod dlq list --event-type orders.order.created --since 24h
  axiomod dlq show 0193a2b4-0c1d-7e2f-8a9b-0c1d2e3f4a5b --format json
  axiomod dlq replay --error-contains timeout --dry-run
  axiomod dlq replay --since 2026-01-31 --rate 500 --yes
  axiomod dlq purge --event-type test.thing.created --yes

Reads the database from --database-url, else DATABASE_URL, else DATABASE_URL in ./.env.
Replay and purge jobs are recorded in the axiomod_dlq_jobs table. Details: docs/dlq.md.";

/// Inspect, replay and purge the outbox's dead letters (PostgreSQL or SQLite).
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct DlqArgs {
    #[command(subcommand)]
    pub command: DlqCommand,
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
    Stats(FilterArgs),
    /// List dead letters, oldest failure first.
    List(ListArgs),
    /// Show one dead letter with its payload, headers and error.
    Show(ShowArgs),
    /// Move dead letters back into the outbox with the same message id.
    Replay(JobArgs),
    /// Delete dead letters.
    Purge(JobArgs),
}

/// Which dead letters a command works on; every option given must match.
#[derive(Debug, Args)]
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
  axiomod dlq list --error-contains 'connection refused' --since 2h --format json")]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// At most this many dead letters.
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
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
  axiomod dlq replay --dry-run                                 # what would move, changes nothing
  axiomod dlq replay --event-type orders.order.created --yes
  axiomod dlq replay --ids 0193a2b4-0c1d-7e2f-8a9b-0c1d2e3f4a5b --yes
  axiomod dlq replay --batch-size 5000 --rate 1000 --yes       # 1000 messages/s at most
  axiomod dlq purge --until 30d --yes                          # delete what failed over 30 days ago

Each batch is one transaction: a job stopped at any point leaves every message either dead or
in the outbox. One replay or purge runs per database at a time.")]
pub struct JobArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Messages per transaction.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch_size: u64,
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
    let raw_url = match args.database_url {
        Some(url) => url,
        None => {
            config::database_url_from_dotenv(Path::new(""))?.ok_or(MigrateError::NoDatabaseUrl)?
        }
    };
    let url = DatabaseUrl::parse(&raw_url)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| miette::miette!("cannot start the async runtime: {error}"))?;
    let format = args.format;
    runtime.block_on(async {
        let mut store = DeadLetterStore::connect(&url).await?;
        let result = match args.command {
            DlqCommand::Stats(filter) => show_stats(&mut store, filter.into(), format).await,
            DlqCommand::List(list) => show_list(&mut store, list, format).await,
            DlqCommand::Show(show) => show_one(&mut store, &show.id, format).await,
            DlqCommand::Replay(job) => run_job(&mut store, JobKind::Replay, job, format).await,
            DlqCommand::Purge(job) => run_job(&mut store, JobKind::Purge, job, format).await,
        };
        store.close().await;
        result
    })
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
        batch_size: args.batch_size,
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
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} {eta}")
            .expect("the progress template is valid"),
    );
    let report = jobs::run(store, &options, &mut |processed, matched| {
        bar.set_length(matched);
        bar.set_position(processed);
    })
    .await;
    bar.finish_and_clear();
    let report = report?;
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
    if !ui::is_interactive() {
        return Err(miette::miette!(
            help = "pass --yes to confirm (or --dry-run to see what would change)",
            "refusing to change dead letters without confirmation: not a terminal"
        ));
    }
    let confirmed = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .map_err(|error| miette::miette!("cannot read the answer: {error}"))?;
    if confirmed {
        Ok(())
    } else {
        Err(miette::miette!("cancelled; nothing was changed"))
    }
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
