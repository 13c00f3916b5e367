//! Helpers for the `axiomod migrate` integration tests: a throw-away database per test on
//! each engine, a project directory with migration files, and the sqlx-cli binary.
#![allow(dead_code)] // each test file uses a different subset of these helpers

use std::path::{Path, PathBuf};
use std::process::Output;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Executor, Row};
use tempfile::TempDir;

use crate::support;

pub fn axiomod() -> Command {
    let mut command = Command::cargo_bin("axiomod").expect("the axiomod binary is built for tests");
    command.env_remove("DATABASE_URL").env_remove("CI");
    command
}

/// A project directory with a `migrations/` folder.
pub struct Project {
    pub dir: TempDir,
}

impl Project {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir(dir.path().join("migrations")).expect("migrations dir");
        let project = Self { dir };
        for (name, sql) in files {
            project.write(name, sql);
        }
        project
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn migrations(&self) -> PathBuf {
        self.dir.path().join("migrations")
    }

    pub fn write(&self, name: &str, sql: &str) {
        std::fs::write(self.migrations().join(name), sql).expect("write a migration");
    }

    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.migrations().join(name)).expect("remove a migration");
    }

    /// `axiomod migrate <args>` in the project against `url`.
    pub fn migrate(&self, url: &str, args: &[&str]) -> Output {
        axiomod()
            .current_dir(self.path())
            .env("DATABASE_URL", url)
            .arg("migrate")
            .args(args)
            .output()
            .expect("axiomod runs")
    }

    /// `axiomod migrate status --format json`, parsed.
    pub fn status(&self, url: &str) -> serde_json::Value {
        let output = self.migrate(url, &["status", "--format", "json"]);
        assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
        serde_json::from_slice(&output.stdout).expect("status prints JSON")
    }

    /// `sqlx <args>` (sqlx-cli) in the project against `url`.
    pub fn sqlx(&self, sqlx: &Path, url: &str, args: &[&str]) -> Output {
        std::process::Command::new(sqlx)
            .current_dir(self.path())
            .env("DATABASE_URL", url)
            .args(args)
            .output()
            .expect("sqlx-cli runs")
    }
}

/// Each migration's `(version, state)` from a status JSON document.
pub fn states(status: &serde_json::Value) -> Vec<(i64, String)> {
    status["migrations"]
        .as_array()
        .expect("migrations array")
        .iter()
        .map(|entry| {
            (
                entry["version"].as_i64().expect("version"),
                entry["state"].as_str().expect("state").to_string(),
            )
        })
        .collect()
}

pub fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The sqlx-cli 0.8.6 that scripts/setup.sh installs into `.tools`. Missing: skipped
/// loudly, except under CI=true, where it is a failure.
pub fn sqlx_cli() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/sqlx");
    if path.is_file() {
        return Some(path);
    }
    let message = format!(
        "sqlx-cli is not installed at {}; run `bash scripts/setup.sh`",
        path.display()
    );
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!("{message} (CI=true: interop tests must not skip)");
    }
    eprintln!("\n!!!!!!!! SKIPPED: {message} !!!!!!!!\n");
    None
}

fn unique_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .subsec_nanos();
    format!(
        "axiomod_migrate_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// Which engine a [`TestDatabase`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Postgres,
    MySql,
    Sqlite,
}

/// A database that exists for one test: created empty, dropped at the end.
pub struct TestDatabase {
    pub kind: Kind,
    pub url: String,
    server: String,
    name: String,
    // Keeps the SQLite file's directory alive.
    _dir: Option<TempDir>,
}

impl TestDatabase {
    pub fn postgres() -> Option<Self> {
        let server = support::postgres_url()?;
        let name = unique_name();
        block_on(async {
            let mut admin = PgConnection::connect(&format!("{server}/postgres"))
                .await
                .expect("connect to postgres");
            admin
                .execute(format!("CREATE DATABASE \"{name}\"").as_str())
                .await
                .expect("create the test database");
        });
        Some(Self {
            kind: Kind::Postgres,
            url: format!("{server}/{name}"),
            server,
            name,
            _dir: None,
        })
    }

    pub fn mysql() -> Option<Self> {
        let server = support::mysql_url()?;
        let name = unique_name();
        block_on(async {
            let mut admin = MySqlConnection::connect(&server)
                .await
                .expect("connect to mysql");
            admin
                .execute(format!("CREATE DATABASE `{name}`").as_str())
                .await
                .expect("create the test database");
        });
        Some(Self {
            kind: Kind::MySql,
            url: format!("{server}/{name}"),
            server,
            name,
            _dir: None,
        })
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let file = dir.path().join("test.db");
        let url = format!("sqlite://{}?mode=rwc", file.display());
        Self {
            kind: Kind::Sqlite,
            url,
            server: String::new(),
            name: file.display().to_string(),
            _dir: Some(dir),
        }
    }

    /// Runs statements (no result).
    pub fn execute(&self, sql: &str) {
        block_on(async {
            match self.kind {
                Kind::Postgres => {
                    let mut connection = PgConnection::connect(&self.url).await.expect("connect");
                    connection.execute(sql).await.expect("execute");
                }
                Kind::MySql => {
                    let mut connection =
                        MySqlConnection::connect(&self.url).await.expect("connect");
                    connection.execute(sql).await.expect("execute");
                }
                Kind::Sqlite => {
                    let mut connection = sqlite(&self.url).await;
                    connection.execute(sql).await.expect("execute");
                }
            }
        });
    }

    /// The first column of the first row, as an integer.
    pub fn scalar(&self, sql: &str) -> i64 {
        block_on(async {
            match self.kind {
                Kind::Postgres => {
                    let mut connection = PgConnection::connect(&self.url).await.expect("connect");
                    let row = connection.fetch_one(sql).await.expect("query");
                    row.try_get::<i64, _>(0).expect("an integer")
                }
                Kind::MySql => {
                    let mut connection =
                        MySqlConnection::connect(&self.url).await.expect("connect");
                    let row = connection.fetch_one(sql).await.expect("query");
                    row.try_get::<i64, _>(0).expect("an integer")
                }
                Kind::Sqlite => {
                    let mut connection = sqlite(&self.url).await;
                    let row = connection.fetch_one(sql).await.expect("query");
                    row.try_get::<i64, _>(0).expect("an integer")
                }
            }
        })
    }

    /// True when `table` exists in this database.
    pub fn has_table(&self, table: &str) -> bool {
        let sql = match self.kind {
            Kind::Postgres => format!(
                "SELECT COUNT(*)::BIGINT FROM information_schema.tables \
                 WHERE table_catalog = current_database() AND table_name = '{table}'"
            ),
            Kind::MySql => format!(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_name = '{table}'"
            ),
            Kind::Sqlite => {
                format!(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
                )
            }
        };
        self.scalar(&sql) > 0
    }

    /// `(version, success)` of every history row.
    pub fn history(&self) -> Vec<(i64, bool)> {
        if !self.has_table("_sqlx_migrations") {
            return Vec::new();
        }
        let sql = "SELECT version, success FROM _sqlx_migrations ORDER BY version";
        block_on(async {
            let rows: Vec<(i64, bool)> = match self.kind {
                Kind::Postgres => {
                    let mut connection = PgConnection::connect(&self.url).await.expect("connect");
                    sqlx::query_as(sql).fetch_all(&mut connection).await
                }
                Kind::MySql => {
                    let mut connection =
                        MySqlConnection::connect(&self.url).await.expect("connect");
                    sqlx::query_as(sql).fetch_all(&mut connection).await
                }
                Kind::Sqlite => {
                    let mut connection = sqlite(&self.url).await;
                    sqlx::query_as(sql).fetch_all(&mut connection).await
                }
            }
            .expect("read the history");
            rows
        })
    }
}

impl TestDatabase {
    /// Every history row as `(version, description, success, checksum)`: what must be
    /// identical whichever tool wrote it.
    pub fn history_rows(&self) -> Vec<(i64, String, bool, Vec<u8>)> {
        let sql =
            "SELECT version, description, success, checksum FROM _sqlx_migrations ORDER BY version";
        block_on(async {
            match self.kind {
                Kind::Postgres => {
                    let mut connection = PgConnection::connect(&self.url).await.expect("connect");
                    sqlx::query_as(sql).fetch_all(&mut connection).await
                }
                Kind::MySql => {
                    let mut connection =
                        MySqlConnection::connect(&self.url).await.expect("connect");
                    sqlx::query_as(sql).fetch_all(&mut connection).await
                }
                Kind::Sqlite => {
                    let mut connection = sqlite(&self.url).await;
                    sqlx::query_as(sql).fetch_all(&mut connection).await
                }
            }
            .expect("read the history")
        })
    }
}

async fn sqlite(url: &str) -> SqliteConnection {
    SqliteConnectOptions::from_str(url)
        .expect("a sqlite url")
        .connect()
        .await
        .expect("open sqlite")
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        match self.kind {
            Kind::Postgres => block_on(async move {
                if let Ok(mut admin) = PgConnectOptions::from_str(&format!("{server}/postgres"))
                    .expect("a postgres url")
                    .connect()
                    .await
                {
                    let _ = admin
                        .execute(
                            format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str(),
                        )
                        .await;
                }
            }),
            Kind::MySql => block_on(async move {
                if let Ok(mut admin) = MySqlConnectOptions::from_str(&server)
                    .expect("a mysql url")
                    .connect()
                    .await
                {
                    let _ = admin
                        .execute(format!("DROP DATABASE IF EXISTS `{name}`").as_str())
                        .await;
                }
            }),
            Kind::Sqlite => {}
        }
    }
}
