//! `dlq replay` and `dlq purge`: jobs that move or delete dead letters in batches.
//!
//! Each batch is one transaction, so a job stopped at any point (Ctrl-C, kill -9, a lost
//! connection) leaves every message either still dead or back in the outbox, never both and
//! never neither. Ctrl-C or SIGTERM lets the batch in flight commit, then ends the job as
//! `interrupted`. Every job, dry runs included, is a row of the `axiomod_dlq_jobs` audit
//! table, created by the first job. Only one job runs per database at a time: on PostgreSQL
//! the job holds an advisory lock for its whole run; on SQLite the `running` row itself is
//! the lock, kept alive by a heartbeat each batch and taken over once the heartbeat is stale.

use std::time::Duration;

use serde::Serialize;
use sqlx::any::AnyArguments;
use sqlx::{Arguments, Connection};
use tokio::time::Instant;

use super::database::{DeadLetterStore, Dialect, arguments};
use super::error::DlqError;
use super::filter::Filter;
use super::stop::StopSignal;

/// The PostgreSQL advisory lock key of dlq jobs: "axiomodq" in ASCII.
const LOCK_KEY: i64 = 0x6178_696f_6d6f_6471;
/// A SQLite job whose heartbeat is older than this has died; its lock may be taken over.
/// A live job beats with every batch, which takes well under this even at the largest
/// --batch-size; were one slower, the second job would still be safe, since SQLite runs one
/// write transaction at a time and every batch moves whole.
const STALE_AFTER_SECONDS: u32 = 60;

/// What a job does to the dead letters it selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    /// Move them back into the outbox with the same id.
    Replay,
    /// Delete them.
    Purge,
}

impl JobKind {
    pub fn name(self) -> &'static str {
        match self {
            JobKind::Replay => "replay",
            JobKind::Purge => "purge",
        }
    }
}

#[derive(Debug, Clone)]
pub struct JobOptions {
    pub kind: JobKind,
    pub filter: Filter,
    /// Who runs the job, for the audit table.
    pub actor: String,
    /// Messages per transaction.
    pub batch_size: u64,
    /// At most this many messages per second.
    pub rate: Option<f64>,
    /// Count what would change, record the job, change nothing.
    pub dry_run: bool,
}

/// What a finished job did; also its audit row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobReport {
    pub job_id: String,
    pub kind: JobKind,
    pub actor: String,
    pub dry_run: bool,
    /// Dead letters the filter selected when the job started.
    pub matched: u64,
    /// Dead letters replayed or purged (0 for a dry run).
    pub processed: u64,
}

/// Runs a replay or purge job; `progress(processed, matched)` is called after each batch.
pub async fn run(
    store: &mut DeadLetterStore,
    options: &JobOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<JobReport, DlqError> {
    if !options.filter.ids.is_empty() {
        let missing = store.missing_ids(&options.filter.ids).await?;
        if !missing.is_empty() {
            return Err(DlqError::UnknownIds {
                ids: missing,
                location: store.location().to_string(),
            });
        }
    }
    ensure_jobs_table(store).await?;
    let mut report = JobReport {
        job_id: uuid::Uuid::now_v7().to_string(),
        kind: options.kind,
        actor: options.actor.clone(),
        dry_run: options.dry_run,
        matched: 0,
        processed: 0,
    };
    if options.dry_run {
        report.matched = store.count(&options.filter).await?;
        record_dry_run(store, options, &report).await?;
        return Ok(report);
    }
    // Listening starts before the job does, so a Ctrl-C at any point after is seen.
    let mut stop = StopSignal::listen()?;
    start(store, options, &report).await?;
    let outcome = run_batches(store, options, &mut report, progress, &mut stop).await;
    let status = match &outcome {
        Ok(()) => ("succeeded", None),
        Err(error @ DlqError::Interrupted { .. }) => ("interrupted", Some(error.to_string())),
        Err(error) => ("failed", Some(error.to_string())),
    };
    // The job's own result matters more than a failure to record its end: keep the first.
    let finished = finish(store, &report, status.0, status.1).await;
    outcome.and(finished).map(|()| report)
}

async fn run_batches(
    store: &mut DeadLetterStore,
    options: &JobOptions,
    report: &mut JobReport,
    progress: &mut dyn FnMut(u64, u64),
    stop: &mut StopSignal,
) -> Result<(), DlqError> {
    report.matched = store.count(&options.filter).await?;
    let sql = format!(
        "UPDATE axiomod_dlq_jobs SET matched = $1 WHERE id = {}",
        store.dialect.uuid("$2")
    );
    let mut matched_arguments = AnyArguments::default();
    add(&mut matched_arguments, report.matched as i64);
    add(&mut matched_arguments, report.job_id.clone());
    sqlx::query_with(&sql, matched_arguments)
        .execute(&mut store.connection)
        .await
        .map_err(store.failed("recording the job"))?;
    progress(0, report.matched);
    // A rate below the batch size shrinks the batches, so each holds about a second of work.
    let per_batch = match options.rate {
        Some(rate) => options.batch_size.min((rate.floor() as u64).max(1)),
        None => options.batch_size,
    };
    let started = Instant::now();
    while report.processed < report.matched {
        if stop.received() {
            return Err(interrupted(report));
        }
        let limit = per_batch.min(report.matched - report.processed);
        let done = batch(store, options, &report.job_id, limit).await?;
        if done == 0 {
            break; // the rest went away meanwhile (the relay has no say here, but people do)
        }
        report.processed += done;
        progress(report.processed, report.matched);
        if let Some(rate) = options.rate {
            let due = started + Duration::from_secs_f64(report.processed as f64 / rate);
            if stop.wait_until(due).await {
                return Err(interrupted(report));
            }
        }
    }
    Ok(())
}

fn interrupted(report: &JobReport) -> DlqError {
    DlqError::Interrupted {
        job: report.job_id.clone(),
        processed: report.processed,
        matched: report.matched,
    }
}

/// Replays or purges up to `limit` dead letters in one transaction, counting them on the
/// job's row in the same transaction; returns how many. The limit is a bound parameter, so
/// every batch runs the same statements, prepared once per connection.
async fn batch(
    store: &mut DeadLetterStore,
    options: &JobOptions,
    job_id: &str,
    limit: u64,
) -> Result<u64, DlqError> {
    let dialect = store.dialect;
    let clause = options.filter.where_clause(dialect);
    let picked = format!(
        "SELECT id FROM axiomod_dead_letters WHERE {} ORDER BY failed_at, id LIMIT ${}{}",
        clause.sql,
        clause.values.len() + 1,
        dialect.lock_rows()
    );
    // The filter's values, then the limit, then (replay only) the job id.
    let picked_arguments = || {
        let mut picked_arguments = arguments(&clause.values);
        add(&mut picked_arguments, limit as i64);
        picked_arguments
    };
    let failed = store.failed(match options.kind {
        JobKind::Replay => "replaying a batch",
        JobKind::Purge => "purging a batch",
    });
    let chosen = dialect.id_in_subquery(&picked);
    let delete = format!("DELETE FROM axiomod_dead_letters WHERE {chosen}");
    let mut transaction = store.connection.begin().await.map_err(&failed)?;
    let done = match options.kind {
        JobKind::Replay => {
            let insert = replay_insert(dialect, &chosen, clause.values.len() + 2);
            let mut insert_arguments = picked_arguments();
            add(&mut insert_arguments, job_id.to_string());
            let moved = sqlx::query_with(&insert, insert_arguments)
                .execute(&mut *transaction)
                .await
                .map_err(&failed)?
                .rows_affected();
            if dialect == Dialect::Sqlite {
                // The same selection picks the same rows: since the insert, this transaction
                // is the database's only writer.
                sqlx::query_with(&delete, picked_arguments())
                    .execute(&mut *transaction)
                    .await
                    .map_err(&failed)?;
            }
            moved
        }
        JobKind::Purge => sqlx::query_with(&delete, picked_arguments())
            .execute(&mut *transaction)
            .await
            .map_err(&failed)?
            .rows_affected(),
    };
    let count = format!(
        "UPDATE axiomod_dlq_jobs SET processed = processed + $1, heartbeat_at = {} WHERE id = {}",
        dialect.now(),
        dialect.uuid("$2")
    );
    let mut count_arguments = AnyArguments::default();
    add(&mut count_arguments, done as i64);
    add(&mut count_arguments, job_id.to_string());
    sqlx::query_with(&count, count_arguments)
        .execute(&mut *transaction)
        .await
        .map_err(&failed)?;
    transaction.commit().await.map_err(&failed)?;
    Ok(done)
}

/// The statement that copies the dead letters `chosen` selects (a condition on `id`) into the
/// outbox with the same id and the replay headers (the job id is bound to `$job_placeholder`).
/// On PostgreSQL it also deletes them, in one set-based statement (a `DELETE ... RETURNING`
/// feeding the insert); SQLite has no `DELETE` inside a `WITH`, so the caller deletes them
/// next.
fn replay_insert(dialect: Dialect, chosen: &str, job_placeholder: usize) -> String {
    let columns = "id, aggregate_type, aggregate_id, event_type, payload, headers, created_at, attempts, next_attempt_at, last_error, published_at";
    let values = format!(
        "id, aggregate_type, aggregate_id, event_type, payload, {headers}, created_at, 0, {now}, NULL, NULL",
        headers = dialect.replay_headers(&format!("${job_placeholder}")),
        now = dialect.now(),
    );
    match dialect {
        Dialect::Postgres => format!(
            "WITH moved AS (DELETE FROM axiomod_dead_letters WHERE {chosen} \
             RETURNING id, aggregate_type, aggregate_id, event_type, payload, headers, created_at, replay_count) \
             INSERT INTO axiomod_outbox ({columns}) SELECT {values} FROM moved"
        ),
        Dialect::Sqlite => format!(
            "INSERT INTO axiomod_outbox ({columns}) SELECT {values} FROM axiomod_dead_letters WHERE {chosen}"
        ),
    }
}

async fn ensure_jobs_table(store: &mut DeadLetterStore) -> Result<(), DlqError> {
    if store.table_exists("axiomod_dlq_jobs").await? {
        return Ok(());
    }
    let sql = match store.dialect {
        Dialect::Postgres => {
            "CREATE TABLE IF NOT EXISTS axiomod_dlq_jobs (
                id UUID PRIMARY KEY,
                kind TEXT NOT NULL,                 -- replay | purge
                actor TEXT NOT NULL,
                filter JSONB NOT NULL,
                dry_run BOOLEAN NOT NULL,
                matched BIGINT NOT NULL,
                processed BIGINT NOT NULL,
                status TEXT NOT NULL,               -- running | succeeded | failed | interrupted
                error TEXT,
                started_at TIMESTAMPTZ NOT NULL,
                heartbeat_at TIMESTAMPTZ NOT NULL,
                finished_at TIMESTAMPTZ
            )"
        }
        Dialect::Sqlite => {
            "CREATE TABLE IF NOT EXISTS axiomod_dlq_jobs (
                id TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL,
                actor TEXT NOT NULL,
                filter TEXT NOT NULL,
                dry_run INTEGER NOT NULL,
                matched INTEGER NOT NULL,
                processed INTEGER NOT NULL,
                status TEXT NOT NULL,
                error TEXT,
                started_at TEXT NOT NULL,
                heartbeat_at TEXT NOT NULL,
                finished_at TEXT
            )"
        }
    };
    sqlx::query(sql)
        .execute(&mut store.connection)
        .await
        .map_err(store.failed("creating the axiomod_dlq_jobs audit table"))?;
    Ok(())
}

/// Inserts the job's audit row; with `only_if_idle`, only when no job is running, and
/// returns whether the row went in.
async fn insert_job(
    store: &mut DeadLetterStore,
    options: &JobOptions,
    report: &JobReport,
    status: &str,
    only_if_idle: bool,
) -> Result<bool, DlqError> {
    let dialect = store.dialect;
    let finished_at = if only_if_idle { "NULL" } else { dialect.now() };
    let guard = if only_if_idle {
        " WHERE NOT EXISTS (SELECT 1 FROM axiomod_dlq_jobs WHERE status = 'running')"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO axiomod_dlq_jobs (id, kind, actor, filter, dry_run, matched, processed, status, started_at, heartbeat_at, finished_at) \
         SELECT {id}, $2, $3, {filter}, $4, $5, 0, $6, {now}, {now}, {finished_at}{guard}",
        id = dialect.uuid("$1"),
        filter = dialect.json("$7"),
        now = dialect.now(),
    );
    let mut job_arguments = AnyArguments::default();
    add(&mut job_arguments, report.job_id.clone());
    add(&mut job_arguments, options.kind.name().to_string());
    add(&mut job_arguments, options.actor.clone());
    add(&mut job_arguments, options.dry_run);
    add(&mut job_arguments, report.matched as i64);
    add(&mut job_arguments, status.to_string());
    add(
        &mut job_arguments,
        serde_json::to_string(&options.filter).expect("a filter is valid JSON"),
    );
    let inserted = sqlx::query_with(&sql, job_arguments)
        .execute(&mut store.connection)
        .await
        .map_err(store.failed("recording the job"))?
        .rows_affected();
    Ok(inserted == 1)
}

async fn record_dry_run(
    store: &mut DeadLetterStore,
    options: &JobOptions,
    report: &JobReport,
) -> Result<(), DlqError> {
    insert_job(store, options, report, "succeeded", false).await?;
    Ok(())
}

/// Takes the database's job lock and records the job as running, or refuses naming the job
/// that runs.
async fn start(
    store: &mut DeadLetterStore,
    options: &JobOptions,
    report: &JobReport,
) -> Result<(), DlqError> {
    let dialect = store.dialect;
    let stale = match dialect {
        // Holding the advisory lock proves that every job still marked running has died.
        Dialect::Postgres => {
            let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(LOCK_KEY)
                .fetch_one(&mut store.connection)
                .await
                .map_err(store.failed("taking the dlq job lock"))?;
            if !locked {
                return Err(running_job(store).await);
            }
            "TRUE".to_string()
        }
        Dialect::Sqlite => {
            format!("julianday(heartbeat_at) < julianday('now') - {STALE_AFTER_SECONDS} / 86400.0")
        }
    };
    let sql = format!(
        "UPDATE axiomod_dlq_jobs SET status = 'interrupted', finished_at = {} WHERE status = 'running' AND {stale}",
        dialect.now()
    );
    sqlx::query(&sql)
        .execute(&mut store.connection)
        .await
        .map_err(store.failed("closing the records of interrupted jobs"))?;
    if !insert_job(store, options, report, "running", true).await? {
        return Err(running_job(store).await);
    }
    Ok(())
}

/// Marks the job finished and releases the lock.
async fn finish(
    store: &mut DeadLetterStore,
    report: &JobReport,
    status: &str,
    error: Option<String>,
) -> Result<(), DlqError> {
    let dialect = store.dialect;
    let sql = format!(
        "UPDATE axiomod_dlq_jobs SET status = $1, error = $2, finished_at = {} WHERE id = {}",
        dialect.now(),
        dialect.uuid("$3")
    );
    let mut finish_arguments = AnyArguments::default();
    add(&mut finish_arguments, status.to_string());
    add(&mut finish_arguments, error);
    add(&mut finish_arguments, report.job_id.clone());
    sqlx::query_with(&sql, finish_arguments)
        .execute(&mut store.connection)
        .await
        .map_err(store.failed("recording the end of the job"))?;
    if dialect == Dialect::Postgres {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(LOCK_KEY)
            .execute(&mut store.connection)
            .await
            .map_err(store.failed("releasing the dlq job lock"))?;
    }
    Ok(())
}

/// The refusal that names the job holding the lock.
async fn running_job(store: &mut DeadLetterStore) -> DlqError {
    let sql = format!(
        "SELECT {}, kind, actor, {} FROM axiomod_dlq_jobs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1",
        store.dialect.text("id"),
        store.dialect.timestamp("started_at")
    );
    let running: Option<(String, String, String, String)> = sqlx::query_as(&sql)
        .fetch_optional(&mut store.connection)
        .await
        .ok()
        .flatten();
    DlqError::JobRunning {
        location: store.location().to_string(),
        running: match running {
            Some((id, kind, actor, started_at)) => {
                format!("{kind} job {id} by {actor}, started {started_at}")
            }
            None => "a job that is just starting".to_string(),
        },
    }
}

/// Adds one query argument; encoding strings, integers and booleans cannot fail.
fn add<'q, T>(arguments: &mut AnyArguments<'q>, value: T)
where
    T: 'q + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    arguments.add(value).expect("plain values always encode");
}
