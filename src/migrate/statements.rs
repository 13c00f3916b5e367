//! The history-table statements every engine runs the same way. Only their SQL text differs
//! between engines (placeholders `$1`, `?`, `?1`; MySQL records a migration as not yet
//! successful), so each engine module holds a [`HistoryStatements`] table with sqlx 0.8.6's
//! text, verbatim, and the binding and error mapping live here once.

use std::marker::PhantomData;
use std::time::Duration;

use sqlx::{Database, Encode, Executor, FromRow, IntoArguments, Type};

use super::checksum::Checksum;
use super::error::MigrateError;
use super::history::{AppliedMigration, HistoryRow, SELECT_HISTORY, database_error, nanoseconds};
use super::source::Migration;

/// One engine's text of the shared history statements.
pub(crate) struct HistoryStatements<DB> {
    /// Creates the history table when it is missing.
    pub create_table: &'static str,
    /// Records a migration; binds version, description, checksum.
    pub insert: &'static str,
    /// Deletes a reverted migration's row; binds version.
    pub delete: &'static str,
    /// Binds execution time, version.
    pub update_execution_time: &'static str,
    /// Binds checksum, version.
    pub update_checksum: &'static str,
    /// Deletes a failed (dirty) row; binds version.
    pub delete_failed: &'static str,
    pub database: PhantomData<DB>,
}

impl<DB> HistoryStatements<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    HistoryRow: for<'r> FromRow<'r, DB::Row>,
{
    pub async fn ensure_table(&self, connection: &mut DB::Connection) -> Result<(), MigrateError> {
        connection
            .execute(self.create_table)
            .await
            .map_err(database_error("creating the history table"))?;
        Ok(())
    }

    pub async fn applied_migrations(
        &self,
        connection: &mut DB::Connection,
    ) -> Result<Vec<AppliedMigration>, MigrateError> {
        let rows: Vec<HistoryRow> = sqlx::query_as(SELECT_HISTORY)
            .fetch_all(connection)
            .await
            .map_err(database_error("reading the history table"))?;
        Ok(rows.into_iter().map(AppliedMigration::from).collect())
    }

    pub async fn record(
        &self,
        connection: &mut DB::Connection,
        migration: &Migration,
    ) -> Result<(), MigrateError> {
        sqlx::query(self.insert)
            .bind(migration.version)
            .bind(&migration.description)
            .bind(migration.checksum.as_bytes())
            .execute(connection)
            .await
            .map_err(database_error("recording the migration"))?;
        Ok(())
    }

    pub async fn forget(
        &self,
        connection: &mut DB::Connection,
        version: i64,
    ) -> Result<(), MigrateError> {
        sqlx::query(self.delete)
            .bind(version)
            .execute(connection)
            .await
            .map_err(database_error("deleting the history row"))?;
        Ok(())
    }

    pub async fn record_execution_time(
        &self,
        connection: &mut DB::Connection,
        version: i64,
        elapsed: Duration,
    ) -> Result<(), MigrateError> {
        sqlx::query(self.update_execution_time)
            .bind(nanoseconds(elapsed))
            .bind(version)
            .execute(connection)
            .await
            .map_err(database_error("recording the execution time"))?;
        Ok(())
    }

    pub async fn set_checksum(
        &self,
        connection: &mut DB::Connection,
        version: i64,
        checksum: &Checksum,
    ) -> Result<(), MigrateError> {
        sqlx::query(self.update_checksum)
            .bind(checksum.as_bytes())
            .bind(version)
            .execute(connection)
            .await
            .map_err(database_error("updating the checksum"))?;
        Ok(())
    }

    pub async fn clear_dirty(
        &self,
        connection: &mut DB::Connection,
        version: i64,
    ) -> Result<(), MigrateError> {
        sqlx::query(self.delete_failed)
            .bind(version)
            .execute(connection)
            .await
            .map_err(database_error("deleting the failed history row"))?;
        Ok(())
    }
}
