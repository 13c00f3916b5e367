//! SQLite: sqlx 0.8.6's history table and transactional apply/revert.
//!
//! sqlx takes no lock on SQLite. axiomod keeps two runners apart another way: each
//! migration runs in a `BEGIN IMMEDIATE` transaction (SQLite's write lock, waited for with
//! the busy timeout) that first re-reads the history row, so a migration another runner
//! applied in the meantime is skipped instead of run twice. The rows written are sqlx's.
//! Like sqlx, SQLite always runs a migration in a transaction, `-- no-transaction` or not.

use std::time::Instant;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Executor};

use super::checksum::Checksum;
use super::error::MigrateError;
use super::history::{
    Applied, AppliedMigration, Engine, HistoryRow, Migrator, SELECT_HISTORY, database_error,
    nanoseconds, sql_error,
};
use super::source::Migration;

pub struct SqliteMigrator {
    connection: SqliteConnection,
}

impl SqliteMigrator {
    pub async fn connect(options: SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        let connection = options.connect().await?;
        Ok(Self { connection })
    }
}

fn failed(migration: &Migration) -> impl FnOnce(sqlx::Error) -> MigrateError + '_ {
    move |error| sql_error(migration, &error, None, false)
}

async fn is_recorded(
    connection: &mut SqliteConnection,
    version: i64,
) -> Result<bool, MigrateError> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE version = ?1")
        .bind(version)
        .fetch_one(connection)
        .await
        .map_err(database_error("reading the history table"))?;
    Ok(count > 0)
}

impl Migrator for SqliteMigrator {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    async fn table_exists(&mut self, table: &str) -> Result<bool, MigrateError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        )
        .bind(table)
        .fetch_one(&mut self.connection)
        .await
        .map_err(database_error("looking for the history table"))?;
        Ok(count > 0)
    }

    async fn ensure_history_table(&mut self) -> Result<(), MigrateError> {
        // language=SQLite (verbatim from sqlx-sqlite 0.8.6)
        self.connection
            .execute(
                r#"
CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);
                "#,
            )
            .await
            .map_err(database_error("creating the history table"))?;
        Ok(())
    }

    async fn lock(&mut self) -> Result<(), MigrateError> {
        Ok(())
    }

    async fn unlock(&mut self) -> Result<(), MigrateError> {
        Ok(())
    }

    async fn applied_migrations(&mut self) -> Result<Vec<AppliedMigration>, MigrateError> {
        let rows: Vec<HistoryRow> = sqlx::query_as(SELECT_HISTORY)
            .fetch_all(&mut self.connection)
            .await
            .map_err(database_error("reading the history table"))?;
        Ok(rows.into_iter().map(AppliedMigration::from).collect())
    }

    async fn apply(&mut self, migration: &Migration) -> Result<Applied, MigrateError> {
        let mut transaction = self
            .connection
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(database_error("starting a transaction"))?;
        if is_recorded(&mut transaction, migration.version).await? {
            return Ok(Applied::AlreadyDone);
        }
        let start = Instant::now();
        transaction
            .execute(migration.sql.as_str())
            .await
            .map_err(failed(migration))?;
        sqlx::query(
            r#"
    INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time )
    VALUES ( ?1, ?2, TRUE, ?3, -1 )
                "#,
        )
        .bind(migration.version)
        .bind(&migration.description)
        .bind(migration.checksum.as_bytes())
        .execute(&mut *transaction)
        .await
        .map_err(database_error("recording the migration"))?;
        transaction.commit().await.map_err(failed(migration))?;
        let elapsed = start.elapsed();
        sqlx::query(
            r#"
    UPDATE _sqlx_migrations
    SET execution_time = ?1
    WHERE version = ?2
                "#,
        )
        .bind(nanoseconds(elapsed))
        .bind(migration.version)
        .execute(&mut self.connection)
        .await
        .map_err(database_error("recording the execution time"))?;
        Ok(Applied::Ran(elapsed))
    }

    async fn revert(&mut self, migration: &Migration) -> Result<Applied, MigrateError> {
        let mut transaction = self
            .connection
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(database_error("starting a transaction"))?;
        if !is_recorded(&mut transaction, migration.version).await? {
            return Ok(Applied::AlreadyDone);
        }
        let start = Instant::now();
        transaction
            .execute(migration.sql.as_str())
            .await
            .map_err(failed(migration))?;
        sqlx::query(r#"DELETE FROM _sqlx_migrations WHERE version = ?1"#)
            .bind(migration.version)
            .execute(&mut *transaction)
            .await
            .map_err(database_error("deleting the history row"))?;
        transaction.commit().await.map_err(failed(migration))?;
        Ok(Applied::Ran(start.elapsed()))
    }

    async fn set_checksum(
        &mut self,
        version: i64,
        checksum: &Checksum,
    ) -> Result<(), MigrateError> {
        sqlx::query("UPDATE _sqlx_migrations SET checksum = ?1 WHERE version = ?2")
            .bind(checksum.as_bytes())
            .bind(version)
            .execute(&mut self.connection)
            .await
            .map_err(database_error("updating the checksum"))?;
        Ok(())
    }

    async fn delete_failed(&mut self, version: i64) -> Result<(), MigrateError> {
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = ?1 AND success = FALSE")
            .bind(version)
            .execute(&mut self.connection)
            .await
            .map_err(database_error("deleting the failed history row"))?;
        Ok(())
    }

    async fn close(self) {
        let _ = self.connection.close().await;
    }
}
