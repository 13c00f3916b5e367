//! The history table `_sqlx_migrations` and the one trait every database engine implements
//! to read and write it. The DDL, the statements and their order come from sqlx 0.8.6
//! (`sqlx-postgres`, `sqlx-mysql`, `sqlx-sqlite`: `src/migrate.rs`) so that sqlx-cli,
//! `sqlx::migrate!()` and axiomod read and write the same rows.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::checksum::Checksum;
use super::error::{MigrateError, SqlFailure};
use super::source::Migration;

/// The history table's name, as sqlx creates it.
pub const HISTORY_TABLE: &str = "_sqlx_migrations";

/// One row of the history table.
#[derive(Debug, Clone, Serialize)]
pub struct AppliedMigration {
    pub version: i64,
    pub description: String,
    pub installed_on: DateTime<Utc>,
    /// False when the migration failed part-way (MySQL/MariaDB only): the database is dirty.
    pub success: bool,
    pub checksum: Checksum,
    /// Nanoseconds; -1 when the run died between commit and recording the time; null in
    /// histories that do not record it (refinery).
    pub execution_time: Option<i64>,
}

/// A history row as the engines select it: `SELECT version, description, installed_on,
/// success, checksum, execution_time FROM _sqlx_migrations ORDER BY version`.
pub(crate) type HistoryRow = (i64, String, DateTime<Utc>, bool, Vec<u8>, i64);

pub(crate) const SELECT_HISTORY: &str = "SELECT version, description, installed_on, success, \
    checksum, execution_time FROM _sqlx_migrations ORDER BY version";

impl From<HistoryRow> for AppliedMigration {
    fn from(row: HistoryRow) -> Self {
        let (version, description, installed_on, success, checksum, execution_time) = row;
        Self {
            version,
            description,
            installed_on,
            success,
            checksum: Checksum::from_stored(checksum),
            execution_time: Some(execution_time),
        }
    }
}

/// What `apply` or `revert` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Ran, taking this long.
    Ran(Duration),
    /// Another runner did it first (seen after taking the lock); nothing ran.
    AlreadyDone,
}

/// The database engines axiomod migrates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    Postgres,
    #[serde(rename = "mysql")]
    MySql,
    Sqlite,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Self::Postgres => "PostgreSQL",
            Self::MySql => "MySQL/MariaDB",
            Self::Sqlite => "SQLite",
        }
    }
}

/// A connection to one database, able to read and write its migration history.
///
/// Every method maps database errors to [`MigrateError`]; none of them touch the terminal.
pub trait Migrator {
    fn engine(&self) -> Engine;

    /// True when `table` exists (in the current schema). Never creates it.
    fn table_exists(&mut self, table: &str) -> impl Future<Output = Result<bool, MigrateError>>;

    /// Creates the history table when it is missing (sqlx's exact DDL).
    fn ensure_history_table(&mut self) -> impl Future<Output = Result<(), MigrateError>>;

    /// Takes the lock sqlx's migrator takes, waiting for it; keeps out other axiomod and
    /// `sqlx::migrate!()` runners until [`Migrator::unlock`].
    fn lock(&mut self) -> impl Future<Output = Result<(), MigrateError>>;

    fn unlock(&mut self) -> impl Future<Output = Result<(), MigrateError>>;

    /// Every row of the history table, by version. The table must exist.
    fn applied_migrations(
        &mut self,
    ) -> impl Future<Output = Result<Vec<AppliedMigration>, MigrateError>>;

    /// Runs a simple or up migration and records it, as sqlx does.
    fn apply(
        &mut self,
        migration: &Migration,
    ) -> impl Future<Output = Result<Applied, MigrateError>>;

    /// Runs a down migration and deletes the history row of its version, as sqlx does.
    fn revert(
        &mut self,
        migration: &Migration,
    ) -> impl Future<Output = Result<Applied, MigrateError>>;

    /// Records `checksum` as the checksum of applied migration `version`.
    fn set_checksum(
        &mut self,
        version: i64,
        checksum: &Checksum,
    ) -> impl Future<Output = Result<(), MigrateError>>;

    /// Deletes the failed (dirty) history row of `version`.
    fn delete_failed(&mut self, version: i64) -> impl Future<Output = Result<(), MigrateError>>;

    /// Closes the connection cleanly (for SQLite this checkpoints the WAL into the file).
    fn close(self) -> impl Future<Output = ()>;
}

/// Maps a database error that happened outside a migration's own SQL.
pub(crate) fn database_error(doing: &str) -> impl FnOnce(sqlx::Error) -> MigrateError + '_ {
    move |error| MigrateError::Database {
        doing: doing.to_string(),
        message: match &error {
            sqlx::Error::Database(database_error) => database_error.message().to_string(),
            other => other.to_string(),
        },
    }
}

/// Maps an error of a migration's own SQL: the file, the database's message and, when the
/// database says where (PostgreSQL does), the position in the file.
pub(crate) fn sql_error(
    migration: &Migration,
    error: &sqlx::Error,
    position: Option<usize>,
    dirty: bool,
    advice: Option<&'static str>,
) -> MigrateError {
    let message = match error {
        sqlx::Error::Database(database_error) => database_error.message().to_string(),
        other => other.to_string(),
    };
    let span = position.map(|offset| {
        let length = migration.sql[offset..]
            .find(|character: char| character.is_whitespace() || character == ';')
            .unwrap_or(migration.sql.len() - offset)
            .max(1);
        miette::SourceSpan::from((offset, length))
    });
    MigrateError::SqlFailed(Box::new(SqlFailure {
        version: migration.version,
        file: migration.path.clone(),
        message,
        dirty,
        advice,
        source_code: span.map(|_| {
            miette::NamedSource::new(migration.path.display().to_string(), migration.sql.clone())
        }),
        span,
    }))
}

/// The lock key sqlx derives from the database name (rails' scheme): CRC-32 (IEEE) of the
/// name times 0x3d32ad9e, as a PostgreSQL advisory lock id.
pub fn lock_id(database_name: &str) -> i64 {
    const CRC_IEEE: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);
    0x3d32ad9e * i64::from(CRC_IEEE.checksum(database_name.as_bytes()))
}

/// The same key as MySQL's `GET_LOCK` name: lowercase hex of [`lock_id`].
pub fn lock_name(database_name: &str) -> String {
    format!("{:x}", lock_id(database_name))
}

/// Nanoseconds for the `execution_time` column, as sqlx computes it.
pub(crate) fn nanoseconds(elapsed: Duration) -> i64 {
    i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_match_sqlx() {
        // CRC-32/ISO-HDLC("postgres") = 0x156a8775 (zlib.crc32, computed independently).
        let crc = 0x156a8775_i64;
        assert_eq!(lock_id("postgres"), 0x3d32ad9e * crc);
        assert_eq!(lock_name("postgres"), format!("{:x}", 0x3d32ad9e * crc));
    }
}
