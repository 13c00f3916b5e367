//! `axiomod migrate` on each engine (SQLite always; PostgreSQL and MariaDB when running):
//! the whole lifecycle, concurrent runners, failing SQL and checksum drift.

mod migrate_support;
mod support;

use std::process::Stdio;
use std::thread;

use migrate_support::{Kind, Project, TestDatabase, describe, states, stderr, stdout};

const USERS_UP: &str = "CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT);\n";
const USERS_DOWN: &str = "DROP TABLE users;\n";
const POSTS_UP: &str = "CREATE TABLE posts (id BIGINT PRIMARY KEY, user_id BIGINT);\n";
const POSTS_DOWN: &str = "DROP TABLE posts;\n";

fn reversible_project() -> Project {
    Project::new(&[
        ("1_create_users.up.sql", USERS_UP),
        ("1_create_users.down.sql", USERS_DOWN),
        ("2_create_posts.up.sql", POSTS_UP),
        ("2_create_posts.down.sql", POSTS_DOWN),
    ])
}

fn pair(state: &str) -> Vec<(i64, String)> {
    vec![(1, state.to_string()), (2, state.to_string())]
}

fn lifecycle(database: &TestDatabase) {
    let url = database.url.as_str();
    let project = reversible_project();

    // status reads only: it must not create the history table.
    let status = project.status(url);
    assert_eq!(status["history_table_exists"], false);
    assert_eq!(states(&status), pair("pending"));
    assert!(!database.has_table("_sqlx_migrations"));

    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        stdout(&output).contains("Applied 1/up create users"),
        "{}",
        describe(&output)
    );
    assert!(database.has_table("users") && database.has_table("posts"));
    assert_eq!(database.history(), [(1, true), (2, true)]);
    assert_eq!(states(&project.status(url)), pair("applied"));

    // Up again: nothing to do.
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(stdout(&output).contains("Nothing to apply"));

    // Down without a terminal and without --yes is refused, and changes nothing.
    let output = project.migrate(url, &["down"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(stderr(&output).contains("--yes"), "{}", describe(&output));
    assert_eq!(database.history().len(), 2);

    // A dry run prints the SQL and changes nothing.
    let output = project.migrate(url, &["down", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        stdout(&output).contains("DROP TABLE posts;"),
        "{}",
        describe(&output)
    );
    assert!(database.has_table("posts"));

    let output = project.migrate(url, &["down", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(!database.has_table("posts"));
    assert_eq!(
        states(&project.status(url)),
        [(1, "applied".to_string()), (2, "pending".to_string())]
    );

    let output = project.migrate(url, &["redo", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(database.history(), [(1, true)]);

    let output = project.migrate(url, &["up", "--target", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let output = project.migrate(url, &["verify"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));

    // Line endings changed after the fact: verify fails and says why; up refuses.
    project.write("1_create_users.up.sql", &USERS_UP.replace('\n', "\r\n"));
    let output = project.migrate(url, &["verify"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(
        stdout(&output).contains("only line endings changed"),
        "{}",
        describe(&output)
    );
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("repair --accept 1"),
        "{}",
        describe(&output)
    );

    // repair --accept records the new checksum.
    let output = project.migrate(url, &["repair", "--accept", "1", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let output = project.migrate(url, &["verify"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));

    // A file that disappears is reported missing; down --target 0 reverts everything.
    project.write(
        "3_seed.sql",
        "INSERT INTO users (id, name) VALUES (1, 'ada');\n",
    );
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    project.remove("3_seed.sql");
    let output = project.migrate(url, &["verify", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(status["summary"]["missing"], 1);
}

fn concurrent_up(database: &TestDatabase) {
    let url = database.url.clone();
    // The first migration takes a while, so the second runner arrives while it runs.
    let slow = match database.kind {
        Kind::Postgres => "SELECT pg_sleep(1);",
        Kind::MySql => "SELECT SLEEP(1);",
        Kind::Sqlite => {
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 3000000) \
             SELECT COUNT(*) FROM n;"
        }
    };
    let mut files = vec![(
        "1_slow.sql".to_string(),
        format!("CREATE TABLE t1 (id INT);\n{slow}\n"),
    )];
    for version in 2..=6 {
        files.push((
            format!("{version}_table_{version}.sql"),
            // Running any of these twice fails: the table already exists.
            format!("CREATE TABLE t{version} (id INT);\n"),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(name, sql)| (name.as_str(), sql.as_str()))
        .collect();
    let project = Project::new(&files);
    let runners: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            let dir = project.path().to_path_buf();
            thread::spawn(move || {
                migrate_support::axiomod()
                    .current_dir(dir)
                    .env("DATABASE_URL", url)
                    .args(["migrate", "up"])
                    .output()
                    .expect("axiomod runs")
            })
        })
        .collect();
    for runner in runners {
        let output = runner.join().expect("the runner thread finishes");
        assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    }
    let history = database.history();
    assert_eq!(history.len(), 6, "{history:?}");
    assert!(history.iter().all(|(_, success)| *success));
}

fn failing_sql(database: &TestDatabase) {
    let url = database.url.as_str();
    let project = Project::new(&[
        ("1_ok.sql", "CREATE TABLE ok (id INT);\n"),
        ("2_broken.sql", "CREATE TABLE partial (id INT);\nSELEC 1;\n"),
    ]);
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("2_broken.sql"), "{error}");
    assert!(error.contains("syntax"), "{error}");
    match database.kind {
        // Transactional DDL: nothing of migration 2 is left behind.
        Kind::Postgres | Kind::Sqlite => {
            assert_eq!(database.history(), [(1, true)]);
            assert!(!database.has_table("partial"));
        }
        // CREATE TABLE committed implicitly, so sqlx's "in progress" row stays: dirty.
        Kind::MySql => {
            assert_eq!(database.history(), [(1, true), (2, false)]);
            let status = project.status(url);
            assert_eq!(states(&status)[1], (2, "dirty".to_string()));
            let output = project.migrate(url, &["up"]);
            assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
            assert!(
                stderr(&output).contains("repair --clear-dirty 2"),
                "{}",
                describe(&output)
            );
            // The documented recovery: undo by hand, clear the row, fix the file, run again.
            database.execute("DROP TABLE partial");
            let output = project.migrate(url, &["repair", "--clear-dirty", "2", "--yes"]);
            assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
            project.write(
                "2_broken.sql",
                "CREATE TABLE partial (id INT);\nSELECT 1;\n",
            );
            let output = project.migrate(url, &["up"]);
            assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
            assert_eq!(database.history(), [(1, true), (2, true)]);
        }
    }
}

fn out_of_order(database: &TestDatabase) {
    let url = database.url.as_str();
    let project = Project::new(&[("1_a.sql", "CREATE TABLE a (id INT);\n")]);
    project.write("3_c.sql", "CREATE TABLE c (id INT);\n");
    assert_eq!(project.migrate(url, &["up"]).status.code(), Some(0));
    // A branch merged later brings version 2.
    project.write("2_b.sql", "CREATE TABLE b (id INT);\n");
    let status = project.status(url);
    assert_eq!(status["migrations"][1]["out_of_order"], true);
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("--allow-out-of-order"),
        "{}",
        describe(&output)
    );
    let output = project.migrate(url, &["up", "--allow-out-of-order"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(database.history().len(), 3);
}

macro_rules! on_every_engine {
    ($($scenario:ident),*) => {
        mod sqlite {
            $(#[test]
            fn $scenario() {
                super::$scenario(&super::TestDatabase::sqlite());
            })*
        }
        mod postgres {
            $(#[test]
            fn $scenario() {
                let Some(database) = super::TestDatabase::postgres() else { return };
                super::$scenario(&database);
            })*
        }
        mod mysql {
            $(#[test]
            fn $scenario() {
                let Some(database) = super::TestDatabase::mysql() else { return };
                super::$scenario(&database);
            })*
        }
    };
}

on_every_engine!(lifecycle, concurrent_up, failing_sql, out_of_order);

/// kill -9 in the middle of a migration leaves neither its changes nor a history row.
fn killed_mid_migration(database: &TestDatabase) {
    let url = database.url.as_str();
    let slow = match database.kind {
        Kind::Postgres => "SELECT pg_sleep(30);".to_string(),
        _ => "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 300000000) \
              SELECT COUNT(*) FROM n;"
            .to_string(),
    };
    let project = Project::new(&[
        ("1_first.sql", "CREATE TABLE first (id INT);\n"),
        (
            "2_slow.sql",
            &format!("CREATE TABLE half (id INT);\nINSERT INTO half VALUES (1);\n{slow}\n"),
        ),
    ]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("axiomod"))
        .current_dir(project.path())
        .env("DATABASE_URL", url)
        .args(["migrate", "up"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("axiomod starts");
    // Wait until migration 1 is reported, then give migration 2 a moment to start its work.
    let mut reader = std::io::BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    std::io::BufRead::read_line(&mut reader, &mut line).expect("a line from axiomod");
    assert!(line.starts_with("Applied 1/"), "{line}");
    thread::sleep(std::time::Duration::from_millis(500));
    child.kill().expect("SIGKILL the runner");
    child.wait().expect("reap the runner");

    assert_eq!(database.history(), [(1, true)]);
    assert!(!database.has_table("half"));
    if database.kind == Kind::Postgres {
        // The server notices a dead client only when pg_sleep ends; end its session now, as
        // it eventually would, and check again once its transaction is rolled back.
        database.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        );
        assert_eq!(database.history(), [(1, true)]);
        assert!(!database.has_table("half"));
    }
    // The next run applies it from scratch (here with a fast body).
    project.write("2_slow.sql", "CREATE TABLE half (id INT);\n");
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(database.history(), [(1, true), (2, true)]);
}

#[test]
fn postgres_killed_mid_migration_leaves_nothing() {
    let Some(database) = TestDatabase::postgres() else {
        return;
    };
    killed_mid_migration(&database);
}

#[test]
fn sqlite_killed_mid_migration_leaves_nothing() {
    killed_mid_migration(&TestDatabase::sqlite());
}

#[test]
fn postgres_errors_point_at_the_failing_statement() {
    let Some(database) = TestDatabase::postgres() else {
        return;
    };
    let project = Project::new(&[(
        "1_typo.sql",
        "CREATE TABLE a (id INT);\nSELECT * FROM no_such_table;\n",
    )]);
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("1_typo.sql"), "{error}");
    assert!(error.contains("relation \"no_such_table\" does"), "{error}");
    // The label sits on line 2, column 15 of the file: the table name.
    assert!(error.contains("1_typo.sql:2:15"), "{error}");
}

#[test]
fn mysql_syntax_errors_point_at_the_failing_text() {
    let Some(database) = TestDatabase::mysql() else {
        return;
    };
    let project = Project::new(&[(
        "1_typo.sql",
        "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT,\n  name VARCHAR(10) NOT NUL,\n  x INT);\n",
    )]);
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("syntax"), "{error}");
    // The label sits on line 3, column 24 of the file: `NUL`, where the server stopped.
    assert!(error.contains("1_typo.sql:3:24"), "{error}");
}

#[test]
fn postgres_errors_inside_do_blocks_point_into_the_file() {
    let Some(database) = TestDatabase::postgres() else {
        return;
    };
    let project = Project::new(&[(
        "1_do.sql",
        "CREATE TABLE t (id INT);\n\
         DO $$\n\
         BEGIN\n\
         \x20   ALTER TABLE t ADD COLUMN dates JSONBX;\n\
         END $$;\n",
    )]);
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("type \"jsonbx\" does not exist"), "{error}");
    // PostgreSQL reports the position inside the DO block's statement: line 4, column 36.
    assert!(error.contains("1_do.sql:4:36"), "{error}");
}

#[test]
fn postgres_no_transaction_migrations_run_outside_a_transaction() {
    let Some(database) = TestDatabase::postgres() else {
        return;
    };
    database.execute("CREATE TABLE items (id INT)");
    // CREATE INDEX CONCURRENTLY fails inside a transaction block.
    let project = Project::new(&[(
        "1_index.sql",
        "-- no-transaction\nCREATE INDEX CONCURRENTLY items_id ON items (id);\n",
    )]);
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(database.history(), [(1, true)]);
}

#[test]
fn postgres_statements_that_refuse_a_transaction_get_advice() {
    let Some(database) = TestDatabase::postgres() else {
        return;
    };
    database.execute("CREATE TABLE items (id INT, name TEXT)");
    // Without the directive, the file runs in a transaction.
    let project = Project::new(&[(
        "1_index.sql",
        "CREATE INDEX CONCURRENTLY items_id ON items (id);\n",
    )]);
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("start the file with `-- no-transaction`"),
        "{}",
        describe(&output)
    );

    // With it, PostgreSQL still runs several statements sent at once in one implicit
    // transaction, and what ran before the failure does not stay.
    project.write(
        "1_index.sql",
        "-- no-transaction\nCREATE TABLE kept (id INT);\n\
         CREATE INDEX CONCURRENTLY items_id ON items (id);\n\
         CREATE INDEX CONCURRENTLY items_name ON items (name);\n",
    );
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("its own `-- no-transaction` file"),
        "{}",
        describe(&output)
    );
    assert!(!database.has_table("kept"));
    assert_eq!(database.history(), []);
}

/// Starts `axiomod migrate up` while `hold` keeps the migration lock, checks that it waits
/// (applies nothing, does not exit), then lets `release` free the lock and checks that it
/// finishes. A broken lock shows up as an early exit or an early history row.
fn waits_for_the_lock(database: &TestDatabase, release: impl FnOnce()) {
    let project = Project::new(&[("1_a.sql", "CREATE TABLE a (id INT);\n")]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("axiomod"))
        .current_dir(project.path())
        .env("DATABASE_URL", &database.url)
        .args(["migrate", "up"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("axiomod starts");
    thread::sleep(std::time::Duration::from_secs(1));
    assert!(
        child.try_wait().expect("poll the runner").is_none(),
        "axiomod did not wait for the lock"
    );
    assert_eq!(database.history(), []);
    release();
    let output = child.wait_with_output().expect("the runner finishes");
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(database.history(), [(1, true)]);
}

#[test]
fn postgres_waits_for_the_lock_a_sqlx_runner_holds() {
    use sqlx::Connection;
    use sqlx::migrate::Migrate;

    let Some(database) = TestDatabase::postgres() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut connection = runtime
        .block_on(sqlx::PgConnection::connect(&database.url))
        .unwrap();
    // sqlx's own lock, exactly as `sqlx::migrate!().run()` takes it.
    runtime.block_on(connection.lock()).unwrap();
    waits_for_the_lock(&database, || {
        runtime.block_on(connection.unlock()).unwrap();
    });
}

#[test]
fn mysql_waits_for_the_lock_under_sqlxs_key() {
    use sqlx::{Connection, Executor};

    let Some(database) = TestDatabase::mysql() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut connection = runtime
        .block_on(sqlx::MySqlConnection::connect(&database.url))
        .unwrap();
    // sqlx's key: CRC-32 of the database name times 0x3d32ad9e, in hex. (sqlx's own call,
    // GET_LOCK(key, -1), takes no lock on MariaDB, so the test takes it with a timeout.)
    let name: String = runtime
        .block_on(sqlx::query_scalar("SELECT DATABASE()").fetch_one(&mut connection))
        .unwrap();
    let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(name.as_bytes());
    let key = format!("{:x}", 0x3d32ad9e * i64::from(crc));
    let granted: i64 = runtime
        .block_on(
            sqlx::query_scalar("SELECT GET_LOCK(?, 10)")
                .bind(&key)
                .fetch_one(&mut connection),
        )
        .unwrap();
    assert_eq!(granted, 1);
    waits_for_the_lock(&database, || {
        runtime
            .block_on(connection.execute(sqlx::query("SELECT RELEASE_LOCK(?)").bind(&key)))
            .unwrap();
    });
}

#[test]
fn mysql_refuses_delimiter_lines_before_running_anything() {
    let Some(database) = TestDatabase::mysql() else {
        return;
    };
    // `DELIMITER` is a command of the mysql client, not SQL. Sent to the server, the
    // statements before it commit and the migration is left dirty.
    let project = Project::new(&[(
        "1_trigger.sql",
        "CREATE TABLE items (id INT, code TEXT);\n\
         DELIMITER $$\n\
         CREATE TRIGGER items_code BEFORE INSERT ON items FOR EACH ROW\n\
         BEGIN SET NEW.code = 'x'; END $$\n\
         DELIMITER ;\n",
    )]);
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("1_trigger.sql:2"), "{error}");
    assert!(error.contains("mysql client"), "{error}");
    assert!(!database.has_table("items"));
    assert_eq!(database.history(), []);
}

#[test]
fn mysql_runs_empty_migrations_as_the_other_engines_do() {
    let Some(database) = TestDatabase::mysql() else {
        return;
    };
    // MySQL answers an empty query with an error; PostgreSQL and SQLite run it.
    let project = Project::new(&[
        ("1_placeholder.up.sql", ""),
        ("1_placeholder.down.sql", "\n\n"),
    ]);
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(database.history(), [(1, true)]);
    let output = project.migrate(&database.url, &["down", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(database.history(), []);
}

#[test]
fn sqlite_files_with_their_own_transaction_get_advice() {
    let database = TestDatabase::sqlite();
    let project = Project::new(&[(
        "1_wrapped.sql",
        "BEGIN TRANSACTION;\nCREATE TABLE a (id INTEGER);\nCOMMIT;\n",
    )]);
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("remove its BEGIN and COMMIT"),
        "{}",
        describe(&output)
    );
    assert!(!database.has_table("a"));
}
