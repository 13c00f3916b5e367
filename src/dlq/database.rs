//! The connection to a service's database and the queries that read its dead letters.
//!
//! PostgreSQL and SQLite are reached through sqlx's `Any` driver with one set of queries:
//! every column is read as text or a 64-bit integer, and the few expressions the two
//! dialects spell differently come from [`Dialect`].

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{AnyConnection, Arguments, Connection, Row};

use super::error::DlqError;
use super::filter::Filter;
use crate::migrate::{DatabaseUrl, Engine};

/// How long to wait for a server to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The SQL dialect of the connected database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    /// The current time, as the column type of the outbox tables expects it.
    pub fn now(self) -> &'static str {
        match self {
            Dialect::Postgres => "now()",
            Dialect::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        }
    }

    /// A column of any type read as text (UUID and JSON columns are native on PostgreSQL).
    pub fn text(self, column: &str) -> String {
        match self {
            Dialect::Postgres => format!("{column}::text"),
            Dialect::Sqlite => column.to_string(),
        }
    }

    /// A timestamp column read as RFC 3339 text in UTC.
    pub fn timestamp(self, column: &str) -> String {
        match self {
            Dialect::Postgres => {
                format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            Dialect::Sqlite => column.to_string(),
        }
    }

    /// An integer column read as a 64-bit integer.
    pub fn integer(self, column: &str) -> String {
        match self {
            Dialect::Postgres => format!("{column}::bigint"),
            Dialect::Sqlite => column.to_string(),
        }
    }

    /// `column` contains the text bound to `placeholder`.
    pub fn contains(self, column: &str, placeholder: &str) -> String {
        match self {
            Dialect::Postgres => format!("strpos({column}, {placeholder}) > 0"),
            Dialect::Sqlite => format!("instr({column}, {placeholder}) > 0"),
        }
    }

    /// The timestamp `column` is at or after the RFC 3339 text bound to `placeholder`.
    pub fn at_or_after(self, column: &str, placeholder: &str) -> String {
        match self {
            Dialect::Postgres => format!("{column} >= {placeholder}::timestamptz"),
            Dialect::Sqlite => format!("julianday({column}) >= julianday({placeholder})"),
        }
    }

    /// `id` is one of the strings of the JSON array bound to `placeholder`.
    pub fn id_in_json_list(self, placeholder: &str) -> String {
        match self {
            Dialect::Postgres => format!(
                "id IN (SELECT value::uuid FROM jsonb_array_elements_text({placeholder}::jsonb))"
            ),
            Dialect::Sqlite => format!("id IN (SELECT value FROM json_each({placeholder}))"),
        }
    }

    /// The text bound to `placeholder` as a UUID column value.
    pub fn uuid(self, placeholder: &str) -> String {
        match self {
            Dialect::Postgres => format!("{placeholder}::uuid"),
            Dialect::Sqlite => placeholder.to_string(),
        }
    }

    /// The text bound to `placeholder` as a JSON column value.
    pub fn json(self, placeholder: &str) -> String {
        match self {
            Dialect::Postgres => format!("{placeholder}::jsonb"),
            Dialect::Sqlite => placeholder.to_string(),
        }
    }

    /// The headers of a dead letter with `replay_of` set to the text bound to `job` and
    /// `replay_count` one more than the dead letter's.
    pub fn replay_headers(self, job: &str) -> String {
        match self {
            Dialect::Postgres => format!(
                "headers || jsonb_build_object('replay_of', {job}::text, 'replay_count', replay_count + 1)"
            ),
            Dialect::Sqlite => format!(
                "json_set(headers, '$.replay_of', {job}, '$.replay_count', replay_count + 1)"
            ),
        }
    }

    /// `id` is one of the ids the subquery `picked` selects. On PostgreSQL the ids are
    /// gathered into an array first, so the rows are then found by primary key rather than by
    /// a scan of the whole table joined to the subquery.
    pub fn id_in_subquery(self, picked: &str) -> String {
        match self {
            Dialect::Postgres => format!("id = ANY(ARRAY({picked}))"),
            Dialect::Sqlite => format!("id IN ({picked})"),
        }
    }

    /// Locks the rows a subquery picks until the transaction ends (SQLite locks the file).
    pub fn lock_rows(self) -> &'static str {
        match self {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        }
    }

    /// A query with one text placeholder that counts the tables named by it (0 or 1).
    fn table_count(self) -> &'static str {
        match self {
            Dialect::Postgres => "SELECT count(*) FROM pg_tables WHERE tablename = $1",
            Dialect::Sqlite => {
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
            }
        }
    }
}

/// One message the relay gave up on, as stored in `axiomod_dead_letters`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadLetter {
    pub id: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub event_type: String,
    /// The event as published (JSON; a string when the stored text is not JSON).
    pub payload: serde_json::Value,
    /// `request_id`, `event_type`, `aggregate_type`, `aggregate_id`, maybe `traceparent`, …
    pub headers: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
    pub last_error: String,
    pub failed_at: DateTime<Utc>,
    pub replay_count: i64,
    pub last_replayed_at: Option<DateTime<Utc>>,
    pub last_replay_job: Option<String>,
}

/// The columns of a dead letter that `stats` groups by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub event_type: String,
    pub last_error: String,
    pub failed_at: DateTime<Utc>,
}

/// An open connection to the database of one service.
pub struct DeadLetterStore {
    pub(super) connection: AnyConnection,
    pub(super) dialect: Dialect,
    location: String,
}

impl DeadLetterStore {
    /// Connects and checks that the outbox tables exist.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, DlqError> {
        sqlx::any::install_default_drivers();
        let dialect = match url.engine {
            Engine::Postgres => Dialect::Postgres,
            Engine::Sqlite => Dialect::Sqlite,
            Engine::MySql => {
                return Err(DlqError::UnsupportedEngine {
                    engine: url.engine.name(),
                    location: url.location.clone(),
                });
            }
        };
        let connect_error = |message: String| DlqError::Connect {
            engine: url.engine.name(),
            location: url.location.clone(),
            message,
        };
        let connection = tokio::time::timeout(CONNECT_TIMEOUT, AnyConnection::connect(url.raw()))
            .await
            .map_err(|_| {
                connect_error(format!(
                    "no answer within {} seconds",
                    CONNECT_TIMEOUT.as_secs()
                ))
            })?
            .map_err(|error| connect_error(message(&error)))?;
        let mut store = Self {
            connection,
            dialect,
            location: url.location.clone(),
        };
        if !store.table_exists("axiomod_dead_letters").await? {
            return Err(DlqError::MissingTables {
                location: store.location,
            });
        }
        Ok(store)
    }

    /// `host:port/database` or the SQLite file, for messages.
    pub fn location(&self) -> &str {
        &self.location
    }

    pub async fn close(self) {
        let _ = self.connection.close().await;
    }

    /// Maps a database error to a [`DlqError`] that says what was being done, and where.
    pub(super) fn failed(&self, doing: &'static str) -> impl Fn(sqlx::Error) -> DlqError + use<> {
        let location = self.location.clone();
        move |error| DlqError::Database {
            doing,
            location: location.clone(),
            message: message(&error),
        }
    }

    pub(super) async fn table_exists(&mut self, table: &str) -> Result<bool, DlqError> {
        let count: i64 = sqlx::query_scalar(self.dialect.table_count())
            .bind(table)
            .fetch_one(&mut self.connection)
            .await
            .map_err(self.failed("looking for the outbox tables"))?;
        Ok(count > 0)
    }

    /// Dead letters matching `filter`, oldest failure first, at most `limit` of them.
    pub async fn list(
        &mut self,
        filter: &Filter,
        limit: Option<u64>,
    ) -> Result<Vec<DeadLetter>, DlqError> {
        let clause = filter.where_clause(self.dialect);
        let limit = limit.map_or(String::new(), |limit| format!(" LIMIT {limit}"));
        let sql = format!(
            "SELECT {} FROM axiomod_dead_letters WHERE {} ORDER BY failed_at, id{limit}",
            self.dead_letter_columns(),
            clause.sql
        );
        let rows = sqlx::query_with(&sql, arguments(&clause.values))
            .fetch_all(&mut self.connection)
            .await
            .map_err(self.failed("listing dead letters"))?;
        rows.iter().map(|row| self.dead_letter(row)).collect()
    }

    /// The dead letter with this id; an error naming the id when there is none.
    pub async fn find(&mut self, id: &str) -> Result<DeadLetter, DlqError> {
        let filter = Filter {
            ids: vec![id.to_string()],
            ..Filter::default()
        };
        if let Some(dead_letter) = self.list(&filter, Some(1)).await?.pop() {
            return Ok(dead_letter);
        }
        let clause = filter.where_clause(self.dialect);
        let sql = format!("SELECT count(*) FROM axiomod_outbox WHERE {}", clause.sql);
        let in_outbox: i64 = sqlx::query_scalar_with(&sql, arguments(&clause.values))
            .fetch_one(&mut self.connection)
            .await
            .map_err(self.failed("looking for the message in the outbox"))?;
        Err(DlqError::UnknownId {
            id: id.to_string(),
            location: self.location.clone(),
            in_outbox: in_outbox > 0,
        })
    }

    /// How many dead letters match `filter`.
    pub async fn count(&mut self, filter: &Filter) -> Result<u64, DlqError> {
        let clause = filter.where_clause(self.dialect);
        let sql = format!(
            "SELECT count(*) FROM axiomod_dead_letters WHERE {}",
            clause.sql
        );
        let count: i64 = sqlx::query_scalar_with(&sql, arguments(&clause.values))
            .fetch_one(&mut self.connection)
            .await
            .map_err(self.failed("counting dead letters"))?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// The ids among `ids` that are not dead letters.
    pub async fn missing_ids(&mut self, ids: &[String]) -> Result<Vec<String>, DlqError> {
        let filter = Filter {
            ids: ids.to_vec(),
            ..Filter::default()
        };
        let clause = filter.where_clause(self.dialect);
        let sql = format!(
            "SELECT {} FROM axiomod_dead_letters WHERE {}",
            self.dialect.text("id"),
            clause.sql
        );
        let found: Vec<String> = sqlx::query_scalar_with(&sql, arguments(&clause.values))
            .fetch_all(&mut self.connection)
            .await
            .map_err(self.failed("looking up the given ids"))?;
        Ok(ids
            .iter()
            .filter(|id| !found.contains(id))
            .cloned()
            .collect())
    }

    /// Event type, error and failure time of every dead letter matching `filter`.
    pub async fn summaries(&mut self, filter: &Filter) -> Result<Vec<Summary>, DlqError> {
        let clause = filter.where_clause(self.dialect);
        let sql = format!(
            "SELECT event_type, substr(last_error, 1, 200), {} FROM axiomod_dead_letters WHERE {}",
            self.dialect.timestamp("failed_at"),
            clause.sql
        );
        let rows = sqlx::query_with(&sql, arguments(&clause.values))
            .fetch_all(&mut self.connection)
            .await
            .map_err(self.failed("reading dead letters"))?;
        rows.iter()
            .map(|row| {
                Ok(Summary {
                    event_type: self.get(row, 0)?,
                    last_error: self.get(row, 1)?,
                    failed_at: self.instant(row, 2)?,
                })
            })
            .collect()
    }

    fn dead_letter_columns(&self) -> String {
        let dialect = self.dialect;
        [
            dialect.text("id"),
            "aggregate_type".to_string(),
            "aggregate_id".to_string(),
            "event_type".to_string(),
            dialect.text("payload"),
            dialect.text("headers"),
            dialect.timestamp("created_at"),
            dialect.integer("attempts"),
            "last_error".to_string(),
            dialect.timestamp("failed_at"),
            dialect.integer("replay_count"),
            dialect.timestamp("last_replayed_at"),
            dialect.text("last_replay_job"),
        ]
        .join(", ")
    }

    fn dead_letter(&self, row: &AnyRow) -> Result<DeadLetter, DlqError> {
        let json =
            |text: String| serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        let last_replayed_at: Option<String> = self.get(row, 11)?;
        Ok(DeadLetter {
            id: self.get(row, 0)?,
            aggregate_type: self.get(row, 1)?,
            aggregate_id: self.get(row, 2)?,
            event_type: self.get(row, 3)?,
            payload: json(self.get(row, 4)?),
            headers: json(self.get(row, 5)?),
            created_at: self.instant(row, 6)?,
            attempts: self.get(row, 7)?,
            last_error: self.get(row, 8)?,
            failed_at: self.instant(row, 9)?,
            replay_count: self.get(row, 10)?,
            last_replayed_at: last_replayed_at
                .map(|text| self.parse_instant(&text))
                .transpose()?,
            last_replay_job: self.get(row, 12)?,
        })
    }

    fn get<'row, T>(&self, row: &'row AnyRow, index: usize) -> Result<T, DlqError>
    where
        T: sqlx::Decode<'row, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        row.try_get(index)
            .map_err(self.failed("reading dead letters"))
    }

    fn instant(&self, row: &AnyRow, index: usize) -> Result<DateTime<Utc>, DlqError> {
        let text: String = self.get(row, index)?;
        self.parse_instant(&text)
    }

    /// Reads the timestamps PostgreSQL and SQLite services write: RFC 3339, or SQLite's
    /// `YYYY-MM-DD HH:MM:SS[.fff]` in UTC.
    fn parse_instant(&self, text: &str) -> Result<DateTime<Utc>, DlqError> {
        DateTime::parse_from_rfc3339(text)
            .map(|instant| instant.with_timezone(&Utc))
            .or_else(|_| {
                NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                    .map(|naive| naive.and_utc())
            })
            .map_err(|_| DlqError::Database {
                doing: "reading dead letters",
                location: self.location.clone(),
                message: format!("`{text}` is not a timestamp"),
            })
    }
}

/// Query arguments holding `values`, in order, for the `$n` placeholders of a query.
pub(super) fn arguments(values: &[String]) -> AnyArguments<'static> {
    let mut arguments = AnyArguments::default();
    for value in values {
        arguments
            .add(value.clone())
            .expect("a string always encodes");
    }
    arguments
}

/// The database's own message when there is one, else sqlx's.
fn message(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(database_error) => database_error.message().to_string(),
        other => other.to_string(),
    }
}
