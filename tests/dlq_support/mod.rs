//! Databases with the outbox tables of a generated service, seeded with dead letters, for the
//! `axiomod dlq` tests. The tables come from the service template's first migration, so the
//! tests always run against the columns services really have.
#![allow(dead_code)] // each test file uses a different subset of these helpers

use std::path::PathBuf;
use std::process::{Command, Output};

use chrono::{TimeDelta, Utc};

use crate::support;
use crate::support::postgres::TemporaryDatabase;

const OUTBOX_MIGRATION: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/templates/new/migrations/__version___axiomod_outbox.up.sql.tera"
));

/// The PostgreSQL or SQLite branch of the outbox migration template.
fn outbox_sql(postgres: bool) -> String {
    let (postgres_branch, sqlite_branch) = OUTBOX_MIGRATION
        .split_once("{%- else -%}")
        .expect("the outbox migration has a PostgreSQL and a SQLite branch");
    let branch = if postgres {
        postgres_branch
            .split_once("-%}")
            .expect("the PostgreSQL branch opens with an if")
            .1
    } else {
        sqlite_branch
            .split_once("{%- endif %}")
            .expect("the SQLite branch closes with endif")
            .0
    };
    branch.to_string()
}

/// A database with the outbox tables: a throwaway PostgreSQL database or a SQLite file.
pub enum OutboxDatabase {
    Postgres(TemporaryDatabase),
    Sqlite {
        _directory: tempfile::TempDir,
        path: PathBuf,
    },
}

impl OutboxDatabase {
    /// One of each engine; PostgreSQL only when its server answers (see `support`).
    pub fn each() -> Vec<OutboxDatabase> {
        let mut databases = vec![Self::sqlite()];
        databases.extend(Self::postgres());
        databases
    }

    pub fn postgres() -> Option<Self> {
        let server = support::postgres_url()?;
        let database = Self::Postgres(TemporaryDatabase::create(&server));
        database.execute(&outbox_sql(true));
        Some(database)
    }

    pub fn sqlite() -> Self {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("service.db");
        let database = Self::Sqlite {
            _directory: directory,
            path,
        };
        database.execute(&outbox_sql(false));
        database
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgres",
            Self::Sqlite { .. } => "sqlite",
        }
    }

    pub fn url(&self) -> String {
        match self {
            Self::Postgres(database) => database.url().to_string(),
            Self::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
        }
    }

    pub fn execute(&self, sql: &str) {
        match self {
            Self::Postgres(database) => {
                database.query(sql);
            }
            Self::Sqlite { path, .. } => {
                self.sqlite_connection(path)
                    .execute_batch(sql)
                    .unwrap_or_else(|error| panic!("`{sql}` failed: {error}"));
            }
        }
    }

    /// The first column of every row, as text, in order.
    pub fn column(&self, sql: &str) -> Vec<String> {
        match self {
            Self::Postgres(database) => {
                let output = database.query(sql);
                output
                    .lines()
                    .filter(|line| !line.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            Self::Sqlite { path, .. } => {
                let connection = self.sqlite_connection(path);
                let mut statement = connection.prepare(sql).expect("the query is valid");
                statement
                    .query_map([], |row| {
                        let value: rusqlite::types::Value = row.get(0)?;
                        Ok(match value {
                            rusqlite::types::Value::Null => String::new(),
                            rusqlite::types::Value::Integer(number) => number.to_string(),
                            rusqlite::types::Value::Real(number) => number.to_string(),
                            rusqlite::types::Value::Text(text) => text,
                            rusqlite::types::Value::Blob(_) => "<blob>".to_string(),
                        })
                    })
                    .expect("the query runs")
                    .collect::<Result<_, _>>()
                    .expect("the rows read")
            }
        }
    }

    /// The first column of the first row.
    pub fn scalar(&self, sql: &str) -> String {
        self.column(sql).into_iter().next().unwrap_or_default()
    }

    pub fn count(&self, table: &str) -> usize {
        self.scalar(&format!("SELECT count(*) FROM {table}"))
            .parse()
            .expect("count(*) is a number")
    }

    pub fn has_table(&self, table: &str) -> bool {
        let sql = match self {
            Self::Postgres(_) => {
                format!("SELECT count(*) FROM pg_tables WHERE tablename = '{table}'")
            }
            Self::Sqlite { .. } => {
                format!(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
                )
            }
        };
        self.scalar(&sql) == "1"
    }

    /// A JSON field of a JSON column, as text.
    pub fn json_field(&self, column: &str, field: &str) -> String {
        match self {
            Self::Postgres(_) => format!("({column}->>'{field}')"),
            Self::Sqlite { .. } => format!("json_extract({column}, '$.{field}')"),
        }
    }

    /// Inserts dead letters; returns their ids in the order given.
    pub fn seed(&self, dead_letters: &[Seed]) -> Vec<String> {
        let now = Utc::now();
        let mut ids = Vec::new();
        let rows: Vec<String> = dead_letters
            .iter()
            .map(|seed| {
                let id = uuid::Uuid::now_v7().to_string();
                let failed_at = (now - TimeDelta::minutes(seed.failed_minutes_ago))
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                let headers = format!(
                    r#"{{"request_id":"request-{id}","event_type":"{}","aggregate_type":"order","aggregate_id":"{}"}}"#,
                    seed.event_type, seed.aggregate_id
                );
                let row = format!(
                    "('{id}', 'order', '{}', '{}', '{{\"total\":42}}', '{headers}', '{failed_at}', 5, '{}', '{failed_at}', {})",
                    seed.aggregate_id, seed.event_type, seed.error, seed.replay_count
                );
                ids.push(id);
                row
            })
            .collect();
        // Small statements: psql takes each as one command-line argument.
        for chunk in rows.chunks(100) {
            self.execute(&format!(
                "INSERT INTO axiomod_dead_letters (id, aggregate_type, aggregate_id, event_type, payload, headers, created_at, attempts, last_error, failed_at, replay_count) VALUES {}",
                chunk.join(", ")
            ));
        }
        ids
    }

    /// Ids that are in both tables, or in neither, out of `ids`.
    pub fn misplaced(&self, ids: &[String]) -> Vec<String> {
        let dead = self.column("SELECT id FROM axiomod_dead_letters");
        let outbox = self.column("SELECT id FROM axiomod_outbox");
        ids.iter()
            .filter(|id| dead.contains(id) == outbox.contains(id))
            .cloned()
            .collect()
    }

    fn sqlite_connection(&self, path: &std::path::Path) -> rusqlite::Connection {
        let connection = rusqlite::Connection::open(path).expect("the SQLite file opens");
        connection
            .busy_timeout(std::time::Duration::from_secs(30))
            .expect("a busy timeout can be set");
        connection
    }
}

/// One dead letter to insert.
#[derive(Debug, Clone)]
pub struct Seed {
    pub event_type: &'static str,
    pub aggregate_id: &'static str,
    pub error: &'static str,
    pub failed_minutes_ago: i64,
    pub replay_count: i64,
}

impl Seed {
    pub fn new(event_type: &'static str) -> Self {
        Seed {
            event_type,
            aggregate_id: "order-1",
            error: "publish failed: connection refused",
            failed_minutes_ago: 10,
            replay_count: 0,
        }
    }

    pub fn many(count: usize) -> Vec<Seed> {
        vec![Seed::new("orders.order.created"); count]
    }
}

/// `axiomod dlq <arguments>` against `url`, without a terminal and outside any project.
pub fn dlq(url: &str, arguments: &[&str]) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("axiomod"));
    command
        .arg("dlq")
        .args(arguments)
        .env("DATABASE_URL", url)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .current_dir(std::env::temp_dir());
    command
}

pub fn run(url: &str, arguments: &[&str]) -> Output {
    dlq(url, arguments).output().expect("axiomod runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error with miette's line wrapping and frame undone, so messages read as one line.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    )
}

/// Runs and expects exit 0 with a JSON document on stdout.
pub fn json(url: &str, arguments: &[&str]) -> serde_json::Value {
    let mut arguments = arguments.to_vec();
    arguments.extend(["--format", "json"]);
    let output = run(url, &arguments);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", describe(&output)))
}
