//! PostgreSQL: sqlx 0.8.6's history table, advisory lock and transactional apply/revert.

use std::time::Instant;

use sqlx::postgres::{PgConnection, PgDatabaseError, PgErrorPosition};
use sqlx::{Connection, Executor};

use super::checksum::Checksum;
use super::error::MigrateError;
use super::history::{
    Applied, AppliedMigration, Engine, HistoryRow, Migrator, SELECT_HISTORY, database_error,
    lock_id, nanoseconds, sql_error,
};
use super::source::Migration;

pub struct PostgresMigrator {
    connection: PgConnection,
}

impl PostgresMigrator {
    pub fn new(connection: PgConnection) -> Self {
        Self { connection }
    }

    async fn lock_key(&mut self) -> Result<i64, MigrateError> {
        let database: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&mut self.connection)
            .await
            .map_err(database_error("reading the database name"))?;
        Ok(lock_id(&database))
    }
}

/// Where in the migration's SQL PostgreSQL says the error is, as a byte offset.
fn error_position(migration: &Migration, error: &sqlx::Error) -> Option<usize> {
    let sqlx::Error::Database(database_error) = error else {
        return None;
    };
    let postgres_error = database_error.try_downcast_ref::<PgDatabaseError>()?;
    let Some(PgErrorPosition::Original(position)) = postgres_error.position() else {
        return None;
    };
    // PostgreSQL counts characters from 1.
    migration
        .sql
        .char_indices()
        .nth(position.checked_sub(1)?)
        .map(|(offset, _)| offset)
}

fn failed(migration: &Migration) -> impl FnOnce(sqlx::Error) -> MigrateError + '_ {
    move |error| sql_error(migration, &error, error_position(migration, &error), false)
}

const INSERT: &str = r#"
    INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time )
    VALUES ( $1, $2, TRUE, $3, -1 )
                "#;
const DELETE: &str = r#"DELETE FROM _sqlx_migrations WHERE version = $1"#;

impl Migrator for PostgresMigrator {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }

    async fn table_exists(&mut self, table: &str) -> Result<bool, MigrateError> {
        sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(table)
            .fetch_one(&mut self.connection)
            .await
            .map_err(database_error("looking for the history table"))
    }

    async fn ensure_history_table(&mut self) -> Result<(), MigrateError> {
        // language=SQL (verbatim from sqlx-postgres 0.8.6)
        self.connection
            .execute(
                r#"
CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
);
                "#,
            )
            .await
            .map_err(database_error("creating the history table"))?;
        Ok(())
    }

    async fn lock(&mut self) -> Result<(), MigrateError> {
        let key = self.lock_key().await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(key)
            .execute(&mut self.connection)
            .await
            .map_err(database_error("taking the migration lock"))?;
        Ok(())
    }

    async fn unlock(&mut self) -> Result<(), MigrateError> {
        let key = self.lock_key().await?;
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(key)
            .execute(&mut self.connection)
            .await
            .map_err(database_error("releasing the migration lock"))?;
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
        let start = Instant::now();
        if migration.no_transaction {
            execute_and_record(&mut self.connection, migration).await?;
        } else {
            // One transaction for the script and its history row: a run killed mid-way
            // leaves neither.
            let mut transaction = self
                .connection
                .begin()
                .await
                .map_err(database_error("starting a transaction"))?;
            execute_and_record(&mut transaction, migration).await?;
            transaction.commit().await.map_err(failed(migration))?;
        }
        let elapsed = start.elapsed();
        sqlx::query(
            r#"
    UPDATE _sqlx_migrations
    SET execution_time = $1
    WHERE version = $2
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
        let start = Instant::now();
        if migration.no_transaction {
            execute_and_forget(&mut self.connection, migration).await?;
        } else {
            let mut transaction = self
                .connection
                .begin()
                .await
                .map_err(database_error("starting a transaction"))?;
            execute_and_forget(&mut transaction, migration).await?;
            transaction.commit().await.map_err(failed(migration))?;
        }
        Ok(Applied::Ran(start.elapsed()))
    }

    async fn set_checksum(
        &mut self,
        version: i64,
        checksum: &Checksum,
    ) -> Result<(), MigrateError> {
        sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2")
            .bind(checksum.as_bytes())
            .bind(version)
            .execute(&mut self.connection)
            .await
            .map_err(database_error("updating the checksum"))?;
        Ok(())
    }

    async fn delete_failed(&mut self, version: i64) -> Result<(), MigrateError> {
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1 AND success = false")
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

async fn execute_and_record(
    connection: &mut PgConnection,
    migration: &Migration,
) -> Result<(), MigrateError> {
    connection
        .execute(migration.sql.as_str())
        .await
        .map_err(failed(migration))?;
    sqlx::query(INSERT)
        .bind(migration.version)
        .bind(&migration.description)
        .bind(migration.checksum.as_bytes())
        .execute(connection)
        .await
        .map_err(database_error("recording the migration"))?;
    Ok(())
}

async fn execute_and_forget(
    connection: &mut PgConnection,
    migration: &Migration,
) -> Result<(), MigrateError> {
    connection
        .execute(migration.sql.as_str())
        .await
        .map_err(failed(migration))?;
    sqlx::query(DELETE)
        .bind(migration.version)
        .execute(connection)
        .await
        .map_err(database_error("deleting the history row"))?;
    Ok(())
}
