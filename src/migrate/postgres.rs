//! PostgreSQL: sqlx 0.8.6's history table, advisory lock and transactional apply/revert.

use std::marker::PhantomData;
use std::time::Instant;

use sqlx::postgres::{PgConnection, PgDatabaseError, PgErrorPosition, Postgres};
use sqlx::{Connection, Executor};

use super::checksum::Checksum;
use super::error::MigrateError;
use super::history::{
    Applied, AppliedMigration, Engine, Migrator, database_error, lock_id, sql_error,
};
use super::source::Migration;
use super::statements::HistoryStatements;

pub struct PostgresMigrator {
    // The tenant runs (`super::tenants`) list tenants and set the schema on it.
    pub(super) connection: PgConnection,
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

    /// Runs the migration's SQL and changes its history row, in one transaction unless the
    /// file says `-- no-transaction`: a run killed mid-way then leaves neither.
    async fn run(
        &mut self,
        migration: &Migration,
        change: HistoryChange,
    ) -> Result<(), MigrateError> {
        if migration.no_transaction {
            return execute_and_change_history(&mut self.connection, migration, change).await;
        }
        let mut transaction = self
            .connection
            .begin()
            .await
            .map_err(database_error("starting a transaction"))?;
        execute_and_change_history(&mut transaction, migration, change).await?;
        transaction.commit().await.map_err(failed(migration))
    }
}

/// Where in the migration's SQL PostgreSQL says the error is, as a byte offset into the file.
fn error_position(migration: &Migration, error: &sqlx::Error) -> Option<usize> {
    let sqlx::Error::Database(database_error) = error else {
        return None;
    };
    let postgres_error = database_error.try_downcast_ref::<PgDatabaseError>()?;
    let (start, position) = match postgres_error.position()? {
        PgErrorPosition::Original(position) => (0, position),
        // An error in a statement of a DO block or function body points into that
        // statement's text: find it in the file, when it appears there exactly once.
        PgErrorPosition::Internal { position, query } => {
            let mut found = migration.sql.match_indices(query);
            let (start, _) = found.next()?;
            if found.next().is_some() {
                return None;
            }
            (start, position)
        }
    };
    // PostgreSQL counts characters from 1.
    migration.sql[start..]
        .char_indices()
        .nth(position.checked_sub(1)?)
        .map(|(offset, _)| start + offset)
}

/// What to do when a statement refuses to run in a transaction (SQLSTATE 25001, e.g.
/// `CREATE INDEX CONCURRENTLY`). A `-- no-transaction` file is sent in one piece, and
/// PostgreSQL runs the statements of one piece in an implicit transaction of their own.
fn transaction_advice(migration: &Migration, error: &sqlx::Error) -> Option<&'static str> {
    let sqlx::Error::Database(database_error) = error else {
        return None;
    };
    if database_error.code().as_deref() != Some("25001") {
        return None;
    }
    Some(if migration.no_transaction {
        "PostgreSQL runs the statements of one file in a single implicit transaction: give each \
         statement that cannot run in a transaction its own `-- no-transaction` file"
    } else {
        "this statement cannot run in a transaction: start the file with `-- no-transaction` \
         and keep that statement alone in it"
    })
}

fn failed(migration: &Migration) -> impl FnOnce(sqlx::Error) -> MigrateError + '_ {
    move |error| {
        let position = error_position(migration, &error);
        let advice = transaction_advice(migration, &error);
        sql_error(migration, &error, position, false, advice)
    }
}

/// sqlx-postgres 0.8.6's history statements, verbatim.
const STATEMENTS: HistoryStatements<Postgres> = HistoryStatements {
    // language=SQL
    create_table: r#"
CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
);
                "#,
    insert: r#"
    INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time )
    VALUES ( $1, $2, TRUE, $3, -1 )
                "#,
    delete: r#"DELETE FROM _sqlx_migrations WHERE version = $1"#,
    update_execution_time: r#"
    UPDATE _sqlx_migrations
    SET execution_time = $1
    WHERE version = $2
                "#,
    update_checksum: "UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2",
    delete_failed: "DELETE FROM _sqlx_migrations WHERE version = $1 AND success = false",
    database: PhantomData,
};

/// What running a migration's SQL does to its history row.
enum HistoryChange {
    Record,
    Forget,
}

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
        STATEMENTS.ensure_table(&mut self.connection).await
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
        STATEMENTS.applied_migrations(&mut self.connection).await
    }

    async fn apply(&mut self, migration: &Migration) -> Result<Applied, MigrateError> {
        let start = Instant::now();
        self.run(migration, HistoryChange::Record).await?;
        let elapsed = start.elapsed();
        STATEMENTS
            .record_execution_time(&mut self.connection, migration.version, elapsed)
            .await?;
        Ok(Applied::Ran(elapsed))
    }

    async fn revert(&mut self, migration: &Migration) -> Result<Applied, MigrateError> {
        let start = Instant::now();
        self.run(migration, HistoryChange::Forget).await?;
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

async fn execute_and_change_history(
    connection: &mut PgConnection,
    migration: &Migration,
    change: HistoryChange,
) -> Result<(), MigrateError> {
    connection
        .execute(migration.sql.as_str())
        .await
        .map_err(failed(migration))?;
    match change {
        HistoryChange::Record => STATEMENTS.record(connection, migration).await,
        HistoryChange::Forget => STATEMENTS.forget(connection, migration.version).await,
    }
}
