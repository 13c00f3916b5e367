//! SQLite: sqlx 0.8.6's history table and transactional apply/revert.
//!
//! sqlx takes no lock on SQLite. axiomod keeps two runners apart another way: each
//! migration runs in a `BEGIN IMMEDIATE` transaction (SQLite's write lock, waited for with
//! the busy timeout) that first re-reads the history row, so a migration another runner
//! applied in the meantime is skipped instead of run twice. The rows written are sqlx's.
//! Like sqlx, SQLite always runs a migration in a transaction, `-- no-transaction` or not.

use std::marker::PhantomData;
use std::time::Instant;

use sqlx::sqlite::{Sqlite, SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Executor};

use super::checksum::Checksum;
use super::error::MigrateError;
use super::history::{Applied, AppliedMigration, Engine, Migrator, database_error, sql_error};
use super::source::Migration;
use super::statements::HistoryStatements;

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
    move |error| {
        // SQLite gives this message no code of its own.
        let advice = error
            .to_string()
            .contains("cannot start a transaction within a transaction")
            .then_some(
                "the file has its own transaction: remove its BEGIN and COMMIT, as axiomod \
                 (like sqlx) runs each migration in a transaction",
            );
        sql_error(migration, &error, None, false, advice)
    }
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

/// sqlx-sqlite 0.8.6's history statements, verbatim.
const STATEMENTS: HistoryStatements<Sqlite> = HistoryStatements {
    // language=SQLite
    create_table: r#"
CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);
                "#,
    insert: r#"
    INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time )
    VALUES ( ?1, ?2, TRUE, ?3, -1 )
                "#,
    delete: r#"DELETE FROM _sqlx_migrations WHERE version = ?1"#,
    update_execution_time: r#"
    UPDATE _sqlx_migrations
    SET execution_time = ?1
    WHERE version = ?2
                "#,
    update_checksum: "UPDATE _sqlx_migrations SET checksum = ?1 WHERE version = ?2",
    delete_failed: "DELETE FROM _sqlx_migrations WHERE version = ?1 AND success = FALSE",
    database: PhantomData,
};

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
        STATEMENTS.ensure_table(&mut self.connection).await
    }

    async fn lock(&mut self) -> Result<(), MigrateError> {
        Ok(())
    }

    async fn unlock(&mut self) -> Result<(), MigrateError> {
        Ok(())
    }

    async fn applied_migrations(&mut self) -> Result<Vec<AppliedMigration>, MigrateError> {
        STATEMENTS.applied_migrations(&mut self.connection).await
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
        STATEMENTS.record(&mut transaction, migration).await?;
        transaction.commit().await.map_err(failed(migration))?;
        let elapsed = start.elapsed();
        STATEMENTS
            .record_execution_time(&mut self.connection, migration.version, elapsed)
            .await?;
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
        STATEMENTS
            .forget(&mut transaction, migration.version)
            .await?;
        transaction.commit().await.map_err(failed(migration))?;
        Ok(Applied::Ran(start.elapsed()))
    }

    async fn set_checksum(
        &mut self,
        version: i64,
        checksum: &Checksum,
    ) -> Result<(), MigrateError> {
        STATEMENTS
            .set_checksum(&mut self.connection, version, checksum)
            .await
    }

    async fn delete_failed(&mut self, version: i64) -> Result<(), MigrateError> {
        STATEMENTS.clear_dirty(&mut self.connection, version).await
    }

    async fn close(self) {
        let _ = self.connection.close().await;
    }
}
