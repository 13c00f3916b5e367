//! From a database URL to a [`Migrator`] for its engine.

use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::mysql::MySqlConnectOptions;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use url::Url;

use super::checksum::Checksum;
use super::error::MigrateError;
use super::history::{Applied, AppliedMigration, Engine, Migrator};
use super::mysql::MySqlMigrator;
use super::postgres::PostgresMigrator;
use super::source::Migration;
use super::sqlite::SqliteMigrator;

/// How long to wait for a server to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a SQLite runner waits for another one's write lock (one migration's run).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(600);

/// A parsed database URL: its engine and a printable location without credentials.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    raw: String,
    pub engine: Engine,
    /// `host:port/database` or the SQLite file; never the password.
    pub location: String,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, MigrateError> {
        let unsupported = |why: String| MigrateError::UnsupportedUrl {
            url: redact(raw),
            why,
        };
        let url = Url::parse(raw).map_err(|error| unsupported(error.to_string()))?;
        let (engine, default_port) = match url.scheme() {
            "postgres" | "postgresql" => (Engine::Postgres, 5432),
            "mysql" | "mariadb" => (Engine::MySql, 3306),
            "sqlite" => (Engine::Sqlite, 0),
            other => return Err(unsupported(format!("unknown scheme `{other}`"))),
        };
        let location = if engine == Engine::Sqlite {
            raw.trim_start_matches("sqlite:")
                .trim_start_matches("//")
                .split('?')
                .next()
                .unwrap_or_default()
                .to_string()
        } else {
            format!(
                "{}:{}{}",
                url.host_str().unwrap_or("localhost"),
                url.port().unwrap_or(default_port),
                url.path()
            )
        };
        Ok(Self {
            raw: raw.to_string(),
            engine,
            location,
        })
    }

    /// The URL as given (with its password: never print it).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Opens one connection.
    pub async fn connect(&self) -> Result<AnyMigrator, MigrateError> {
        let connect_error = |error: sqlx::Error| MigrateError::Connect {
            engine: self.engine,
            location: self.location.clone(),
            message: match &error {
                sqlx::Error::Database(database_error) => database_error.message().to_string(),
                other => other.to_string(),
            },
        };
        let timed_out = || MigrateError::Connect {
            engine: self.engine,
            location: self.location.clone(),
            message: format!("no answer within {} seconds", CONNECT_TIMEOUT.as_secs()),
        };
        let migrator = match self.engine {
            Engine::Postgres => {
                let options = PgConnectOptions::from_str(&self.raw).map_err(connect_error)?;
                let connection = tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
                    .await
                    .map_err(|_| timed_out())?
                    .map_err(connect_error)?;
                AnyMigrator::Postgres(PostgresMigrator::new(connection))
            }
            Engine::MySql => {
                let raw = self.raw.replacen("mariadb:", "mysql:", 1);
                let options = MySqlConnectOptions::from_str(&raw).map_err(connect_error)?;
                let connection = tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
                    .await
                    .map_err(|_| timed_out())?
                    .map_err(connect_error)?;
                AnyMigrator::MySql(MySqlMigrator::new(connection))
            }
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(&self.raw)
                    .map_err(connect_error)?
                    .busy_timeout(SQLITE_BUSY_TIMEOUT);
                let migrator = SqliteMigrator::connect(options)
                    .await
                    .map_err(connect_error)?;
                AnyMigrator::Sqlite(migrator)
            }
        };
        Ok(migrator)
    }
}

/// `scheme://user:secret@host/db` → `scheme://user:***@host/db`.
pub fn redact(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_string(),
    }
}

/// A migrator for whichever engine the URL named.
pub enum AnyMigrator {
    Postgres(PostgresMigrator),
    MySql(MySqlMigrator),
    Sqlite(SqliteMigrator),
}

/// Calls the same method on whichever migrator is inside.
macro_rules! delegate {
    ($self:ident, $migrator:ident => $call:expr) => {
        match $self {
            AnyMigrator::Postgres($migrator) => $call,
            AnyMigrator::MySql($migrator) => $call,
            AnyMigrator::Sqlite($migrator) => $call,
        }
    };
}

impl Migrator for AnyMigrator {
    fn engine(&self) -> Engine {
        delegate!(self, migrator => migrator.engine())
    }

    async fn table_exists(&mut self, table: &str) -> Result<bool, MigrateError> {
        delegate!(self, migrator => migrator.table_exists(table).await)
    }

    async fn ensure_history_table(&mut self) -> Result<(), MigrateError> {
        delegate!(self, migrator => migrator.ensure_history_table().await)
    }

    async fn lock(&mut self) -> Result<(), MigrateError> {
        delegate!(self, migrator => migrator.lock().await)
    }

    async fn unlock(&mut self) -> Result<(), MigrateError> {
        delegate!(self, migrator => migrator.unlock().await)
    }

    async fn applied_migrations(&mut self) -> Result<Vec<AppliedMigration>, MigrateError> {
        delegate!(self, migrator => migrator.applied_migrations().await)
    }

    async fn apply(&mut self, migration: &Migration) -> Result<Applied, MigrateError> {
        delegate!(self, migrator => migrator.apply(migration).await)
    }

    async fn revert(&mut self, migration: &Migration) -> Result<Applied, MigrateError> {
        delegate!(self, migrator => migrator.revert(migration).await)
    }

    async fn set_checksum(
        &mut self,
        version: i64,
        checksum: &Checksum,
    ) -> Result<(), MigrateError> {
        delegate!(self, migrator => migrator.set_checksum(version, checksum).await)
    }

    async fn delete_failed(&mut self, version: i64) -> Result<(), MigrateError> {
        delegate!(self, migrator => migrator.delete_failed(version).await)
    }

    async fn close(self) {
        delegate!(self, migrator => migrator.close().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_never_show_the_password() {
        let url = DatabaseUrl::parse("postgres://app:hunter2@db.internal:6432/shop").unwrap();
        assert_eq!(url.engine, Engine::Postgres);
        assert_eq!(url.location, "db.internal:6432/shop");
        assert_eq!(
            redact("mysql://root:hunter2@localhost/app"),
            "mysql://root:***@localhost/app"
        );
        let sqlite = DatabaseUrl::parse("sqlite://data/app.db?mode=rwc").unwrap();
        assert_eq!(
            (sqlite.engine, sqlite.location.as_str()),
            (Engine::Sqlite, "data/app.db")
        );
    }

    #[test]
    fn unknown_schemes_are_refused() {
        let error = DatabaseUrl::parse("mongodb://localhost/app").unwrap_err();
        assert!(error.to_string().contains("unknown scheme `mongodb`"));
    }
}
