//! MySQL and MariaDB: sqlx 0.8.6's history table, `GET_LOCK` and apply/revert.
//!
//! DDL commits implicitly here, so a migration cannot be rolled back as a whole. sqlx first
//! records the migration with `success = FALSE` and flips it to TRUE at the end; a failure
//! after an implicit commit leaves that FALSE row behind: the database is dirty.

use std::marker::PhantomData;
use std::time::Instant;

use miette::NamedSource;
use sqlx::mysql::{MySql, MySqlConnection};
use sqlx::{Connection, Executor};

use super::checksum::Checksum;
use super::error::{ClientCommand, MigrateError};
use super::history::{
    Applied, AppliedMigration, Engine, Migrator, database_error, lock_name, sql_error,
};
use super::source::Migration;
use super::statements::HistoryStatements;

pub struct MySqlMigrator {
    // The tenant runs (`super::tenants`) list tenants and set the schema on it.
    pub(super) connection: MySqlConnection,
}

impl MySqlMigrator {
    pub fn new(connection: MySqlConnection) -> Self {
        Self { connection }
    }

    async fn lock_key(&mut self) -> Result<String, MigrateError> {
        let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
            .fetch_one(&mut self.connection)
            .await
            .map_err(database_error("reading the database name"))?;
        let database = database.ok_or_else(|| MigrateError::Database {
            doing: "reading the database name".to_string(),
            message: "the URL names no database".to_string(),
        })?;
        Ok(lock_name(&database))
    }
}

/// Refuses a file with a `DELIMITER $$` line before anything runs: sent to the server it is
/// a syntax error, after the statements above it have committed (a dirty migration).
fn refuse_client_commands(migration: &Migration) -> Result<(), MigrateError> {
    let mut offset = 0;
    for line in migration.sql.split_inclusive('\n') {
        let mut words = line.split_whitespace();
        // `DELIMITER` and one token without letters or digits, so that a column named
        // `delimiter` is not mistaken for it.
        let is_delimiter = words
            .next()
            .is_some_and(|word| word.eq_ignore_ascii_case("delimiter"))
            && words
                .next()
                .is_some_and(|token| !token.chars().any(char::is_alphanumeric))
            && words.next().is_none();
        if is_delimiter {
            let start = offset + (line.len() - line.trim_start().len());
            return Err(MigrateError::ClientCommand(Box::new(ClientCommand {
                version: migration.version,
                file: migration.path.clone(),
                source_code: NamedSource::new(
                    migration.path.display().to_string(),
                    migration.sql.clone(),
                ),
                span: (start, line.trim().len()).into(),
            })));
        }
        offset += line.len();
    }
    Ok(())
}

fn failed(migration: &Migration) -> impl FnOnce(sqlx::Error) -> MigrateError + '_ {
    move |error| {
        let position = syntax_error_position(migration, &error);
        sql_error(migration, &error, position, true, None)
    }
}

/// Where a syntax error is in the file. MySQL and MariaDB give no offset, only the text from
/// the error on (`… near 'NUL,\n  x INT)' at line 2`, cut at 80 characters) and a line counted
/// from the start of the failing statement; the quoted text is found in the file when it
/// appears there exactly once. `near ''` means the text ended too early: its end is the place.
fn syntax_error_position(migration: &Migration, error: &sqlx::Error) -> Option<usize> {
    match error {
        sqlx::Error::Database(database_error) => {
            syntax_error_offset(&migration.sql, database_error.message())
        }
        _ => None,
    }
}

fn syntax_error_offset(sql: &str, message: &str) -> Option<usize> {
    let (_, rest) = message.split_once(" near '")?;
    let (near, _line) = rest.rsplit_once("' at line ")?;
    if near.is_empty() {
        let text = sql.trim_end();
        let last = text.chars().next_back()?;
        return Some(text.len() - last.len_utf8());
    }
    let mut found = sql.match_indices(near);
    let (offset, _) = found.next()?;
    found.next().is_none().then_some(offset)
}

/// Runs the migration's SQL. A file with nothing but whitespace is skipped: MySQL answers an
/// empty query with an error, where PostgreSQL and SQLite run it as a no-op.
async fn execute(
    connection: &mut MySqlConnection,
    migration: &Migration,
) -> Result<(), MigrateError> {
    if migration.sql.trim().is_empty() {
        return Ok(());
    }
    connection
        .execute(migration.sql.as_str())
        .await
        .map_err(failed(migration))?;
    Ok(())
}

/// sqlx-mysql 0.8.6's history statements, verbatim.
const STATEMENTS: HistoryStatements<MySql> = HistoryStatements {
    // language=MySQL
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
    // FALSE until the migration's SQL has run: see the module comment.
    insert: r#"
    INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time )
    VALUES ( ?, ?, FALSE, ?, -1 )
                "#,
    delete: r#"DELETE FROM _sqlx_migrations WHERE version = ?"#,
    update_execution_time: r#"
    UPDATE _sqlx_migrations
    SET execution_time = ?
    WHERE version = ?
                "#,
    update_checksum: "UPDATE _sqlx_migrations SET checksum = ? WHERE version = ?",
    delete_failed: "DELETE FROM _sqlx_migrations WHERE version = ? AND success = FALSE",
    database: PhantomData,
};

impl Migrator for MySqlMigrator {
    fn engine(&self) -> Engine {
        Engine::MySql
    }

    async fn table_exists(&mut self, table: &str) -> Result<bool, MigrateError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = ?",
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
        let key = self.lock_key().await?;
        // sqlx asks for `GET_LOCK(key, -1)`: MySQL waits for ever, but MariaDB answers NULL
        // to a negative timeout and takes no lock at all. A year-long timeout waits for ever
        // on both, under the same key.
        let granted: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, 31536000)")
            .bind(key)
            .fetch_one(&mut self.connection)
            .await
            .map_err(database_error("taking the migration lock"))?;
        if granted == Some(1) {
            Ok(())
        } else {
            Err(MigrateError::Database {
                doing: "taking the migration lock".to_string(),
                message: format!("GET_LOCK returned {granted:?} instead of 1"),
            })
        }
    }

    async fn unlock(&mut self) -> Result<(), MigrateError> {
        let key = self.lock_key().await?;
        sqlx::query("SELECT RELEASE_LOCK(?)")
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
        refuse_client_commands(migration)?;
        let mut transaction = self
            .connection
            .begin()
            .await
            .map_err(database_error("starting a transaction"))?;
        let start = Instant::now();
        STATEMENTS.record(&mut transaction, migration).await?;
        execute(&mut transaction, migration).await?;
        sqlx::query(
            r#"
    UPDATE _sqlx_migrations
    SET success = TRUE
    WHERE version = ?
                "#,
        )
        .bind(migration.version)
        .execute(&mut *transaction)
        .await
        .map_err(database_error("recording the migration"))?;
        transaction.commit().await.map_err(failed(migration))?;
        let elapsed = start.elapsed();
        STATEMENTS
            .record_execution_time(&mut self.connection, migration.version, elapsed)
            .await?;
        Ok(Applied::Ran(elapsed))
    }

    async fn revert(&mut self, migration: &Migration) -> Result<Applied, MigrateError> {
        refuse_client_commands(migration)?;
        let mut transaction = self
            .connection
            .begin()
            .await
            .map_err(database_error("starting a transaction"))?;
        let start = Instant::now();
        sqlx::query(
            r#"
    UPDATE _sqlx_migrations
    SET success = FALSE
    WHERE version = ?
                "#,
        )
        .bind(migration.version)
        .execute(&mut *transaction)
        .await
        .map_err(database_error("marking the migration as being reverted"))?;
        execute(&mut transaction, migration).await?;
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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::migrate::source::parse_files;

    fn refused(sql: &str) -> bool {
        let files = vec![(PathBuf::from("m/1_a.sql"), sql.as_bytes().to_vec())];
        let set = parse_files(Path::new("m"), files).0;
        refuse_client_commands(&set.forward[0]).is_err()
    }

    #[test]
    fn only_delimiter_commands_are_refused() {
        assert!(refused("DELIMITER //\nCREATE PROCEDURE p() BEGIN END //\n"));
        assert!(refused("SELECT 1;\n  delimiter ;\n"));
        assert!(!refused("CREATE TABLE t (\n  delimiter VARCHAR(1)\n);\n"));
        assert!(!refused("-- DELIMITER is not needed here\nSELECT 1;\n"));
    }

    const SYNTAX: &str = "You have an error in your SQL syntax; check the manual that \
        corresponds to your MariaDB server version for the right syntax to use near";

    #[test]
    fn a_syntax_error_is_found_by_the_text_it_quotes() {
        let sql = "CREATE TABLE a (id INT);\nSELEC 1;\n";
        let message = format!("{SYNTAX} 'SELEC 1;' at line 1");
        assert_eq!(syntax_error_offset(sql, &message), Some(25));
    }

    #[test]
    fn a_quoted_text_found_twice_gives_no_position() {
        let sql = "SELEC 1;\nSELEC 1;\n";
        let message = format!("{SYNTAX} 'SELEC 1;' at line 1");
        assert_eq!(syntax_error_offset(sql, &message), None);
    }

    #[test]
    fn an_empty_quote_points_at_the_last_character() {
        let sql = "SELECT 1 FROM é\n\n";
        let message = format!("{SYNTAX} '' at line 1");
        assert_eq!(syntax_error_offset(sql, &message), Some(14));
        assert_eq!(syntax_error_offset("   ", &message), None);
    }

    #[test]
    fn other_errors_give_no_position() {
        let message = "Table 'a' already exists";
        assert_eq!(
            syntax_error_offset("CREATE TABLE a (id INT);", message),
            None
        );
    }
}
