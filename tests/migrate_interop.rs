//! axiomod and the real sqlx-cli 0.8.6 (installed by scripts/setup.sh into .tools) take turns
//! on the same database, on every engine: each sees what the other applied, both detect a
//! changed file, and both write identical history rows.

mod migrate_support;
mod support;

use std::path::Path;

use migrate_support::{Project, TestDatabase, describe, sqlx_cli, states, stderr, stdout};

/// A simple migration, a reversible pair whose description has several words, and a
/// `-- no-transaction` file (run in a transaction anyway on MySQL and SQLite, as sqlx does).
fn project() -> Project {
    Project::new(&[
        (
            "1_create_users.sql",
            "CREATE TABLE users (id BIGINT PRIMARY KEY);\n",
        ),
        (
            "2_index.sql",
            "-- no-transaction\nCREATE INDEX users_id ON users (id);\n",
        ),
        (
            "3_add_user_email.up.sql",
            "CREATE TABLE emails (user_id BIGINT, address TEXT);\n",
        ),
        ("3_add_user_email.down.sql", "DROP TABLE emails;\n"),
    ])
}

fn sqlx_then_axiomod(sqlx: &Path, database: &TestDatabase) {
    let url = database.url.as_str();
    let project = project();
    let output = project.sqlx(sqlx, url, &["migrate", "run"]);
    assert!(output.status.success(), "{}", describe(&output));

    let status = project.status(url);
    let applied: Vec<_> = (1..=3)
        .map(|version| (version, "applied".to_string()))
        .collect();
    assert_eq!(states(&status), applied);
    let output = project.migrate(url, &["verify"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        stdout(&output).contains("Nothing to apply"),
        "{}",
        describe(&output)
    );

    // axiomod reverts what sqlx applied; sqlx sees it pending again and re-applies it.
    let output = project.migrate(url, &["down", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let output = project.sqlx(sqlx, url, &["migrate", "info"]);
    assert!(
        stdout(&output).contains("3/pending add user email"),
        "{}",
        describe(&output)
    );
    let output = project.sqlx(sqlx, url, &["migrate", "run"]);
    assert!(output.status.success(), "{}", describe(&output));
    let output = project.migrate(url, &["verify"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
}

fn axiomod_then_sqlx(sqlx: &Path, database: &TestDatabase) {
    let url = database.url.as_str();
    let project = project();
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));

    let output = project.sqlx(sqlx, url, &["migrate", "info"]);
    assert!(output.status.success(), "{}", describe(&output));
    let info = stdout(&output);
    for line in [
        "1/installed create users",
        "2/installed index",
        "3/installed add user email",
    ] {
        assert!(
            info.contains(line),
            "sqlx migrate info lacks {line:?}:\n{info}"
        );
    }
    assert!(
        !info.contains("pending") && !info.contains("different checksum"),
        "{info}"
    );
    let output = project.sqlx(sqlx, url, &["migrate", "run"]);
    assert!(output.status.success(), "{}", describe(&output));
    assert!(
        !stdout(&output).contains("Applied"),
        "{}",
        describe(&output)
    );

    // sqlx reverts what axiomod applied, and axiomod applies it again.
    let output = project.sqlx(sqlx, url, &["migrate", "revert"]);
    assert!(output.status.success(), "{}", describe(&output));
    let status = project.status(url);
    assert_eq!(
        states(&status),
        [
            (1, "applied".to_string()),
            (2, "applied".to_string()),
            (3, "pending".to_string())
        ]
    );
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let output = project.sqlx(sqlx, url, &["migrate", "info"]);
    assert!(
        stdout(&output).contains("3/installed add user email"),
        "{}",
        describe(&output)
    );
}

fn both_detect_a_changed_file(sqlx: &Path, database: &TestDatabase) {
    let url = database.url.as_str();
    let project = project();
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    project.write(
        "1_create_users.sql",
        "CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT);\n",
    );

    let output = project.sqlx(sqlx, url, &["migrate", "run"]);
    assert!(!output.status.success(), "{}", describe(&output));
    // sqlx-cli prints its errors on stdout.
    assert!(
        format!("{}{}", stdout(&output), stderr(&output))
            .contains("migration 1 was previously applied but has been modified"),
        "{}",
        describe(&output)
    );
    let output = project.sqlx(sqlx, url, &["migrate", "info"]);
    assert!(
        stdout(&output).contains("1/installed (different checksum) create users"),
        "{}",
        describe(&output)
    );
    let output = project.migrate(url, &["verify"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(
        stdout(&output).contains("changed 1 create users"),
        "{}",
        describe(&output)
    );
}

/// The same files applied by sqlx-cli to one database and by axiomod to another leave
/// identical history rows (version, description, success, checksum).
fn identical_history_rows(sqlx: &Path, by_sqlx: &TestDatabase, by_axiomod: &TestDatabase) {
    let project = project();
    let output = project.sqlx(sqlx, &by_sqlx.url, &["migrate", "run"]);
    assert!(output.status.success(), "{}", describe(&output));
    let output = project.migrate(&by_axiomod.url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let expected = by_sqlx.history_rows();
    assert_eq!(expected.len(), 3);
    assert_eq!(by_axiomod.history_rows(), expected);
}

macro_rules! on_every_engine {
    ($($scenario:ident),*) => {
        mod sqlite {
            use super::*;
            $(#[test]
            fn $scenario() {
                let Some(sqlx) = sqlx_cli() else { return };
                super::$scenario(&sqlx, &TestDatabase::sqlite());
            })*

            #[test]
            fn identical_history_rows() {
                let Some(sqlx) = sqlx_cli() else { return };
                super::identical_history_rows(&sqlx, &TestDatabase::sqlite(), &TestDatabase::sqlite());
            }
        }
        mod postgres {
            use super::*;
            $(#[test]
            fn $scenario() {
                let Some(sqlx) = sqlx_cli() else { return };
                let Some(database) = TestDatabase::postgres() else { return };
                super::$scenario(&sqlx, &database);
            })*

            #[test]
            fn identical_history_rows() {
                let Some(sqlx) = sqlx_cli() else { return };
                let (Some(first), Some(second)) = (TestDatabase::postgres(), TestDatabase::postgres()) else { return };
                super::identical_history_rows(&sqlx, &first, &second);
            }
        }
        mod mysql {
            use super::*;
            $(#[test]
            fn $scenario() {
                let Some(sqlx) = sqlx_cli() else { return };
                let Some(database) = TestDatabase::mysql() else { return };
                super::$scenario(&sqlx, &database);
            })*

            #[test]
            fn identical_history_rows() {
                let Some(sqlx) = sqlx_cli() else { return };
                let (Some(first), Some(second)) = (TestDatabase::mysql(), TestDatabase::mysql()) else { return };
                super::identical_history_rows(&sqlx, &first, &second);
            }
        }
    };
}

on_every_engine!(
    sqlx_then_axiomod,
    axiomod_then_sqlx,
    both_detect_a_changed_file
);

/// A service's embedded runner (`sqlx::migrate!()` is `sqlx::migrate::Migrator` over the same
/// files) accepts what axiomod applied: same checksums, nothing dirty, nothing to re-apply;
/// and axiomod sees what that runner applied.
fn service_runner_agrees(database: &TestDatabase) {
    use sqlx::Connection;
    use sqlx::migrate::Migrator;

    let project = project();
    let output = project.migrate(&database.url, &["up", "--target", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let migrator = Migrator::new(project.migrations()).await.unwrap();
        match database.kind {
            migrate_support::Kind::Postgres => {
                let mut connection = sqlx::PgConnection::connect(&database.url).await.unwrap();
                migrator.run(&mut connection).await.unwrap();
            }
            migrate_support::Kind::MySql => {
                let mut connection = sqlx::MySqlConnection::connect(&database.url).await.unwrap();
                migrator.run(&mut connection).await.unwrap();
            }
            migrate_support::Kind::Sqlite => {
                let mut connection = sqlx::SqliteConnection::connect(&database.url)
                    .await
                    .unwrap();
                migrator.run(&mut connection).await.unwrap();
            }
        }
    });
    // The service applied migration 3; axiomod sees everything applied and unchanged.
    let output = project.migrate(&database.url, &["verify", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(status["summary"]["applied"], 3);
}

#[test]
fn sqlite_service_runner_agrees() {
    service_runner_agrees(&TestDatabase::sqlite());
}

#[test]
fn postgres_service_runner_agrees() {
    let Some(database) = TestDatabase::postgres() else {
        return;
    };
    service_runner_agrees(&database);
}

#[test]
fn mysql_service_runner_agrees() {
    let Some(database) = TestDatabase::mysql() else {
        return;
    };
    service_runner_agrees(&database);
}
