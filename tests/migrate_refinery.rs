//! Refinery projects (`V1__name.sql`, `refinery_schema_history`): axiomod applies them through
//! the refinery crate, and refinery's own runner, used directly here, agrees with axiomod in
//! both directions on every engine.

mod migrate_support;
mod support;

use std::path::Path;

use migrate_support::{Kind, Project, TestDatabase, axiomod, describe, states, stderr, stdout};
use refinery_core::{Runner, load_sql_migrations};

fn refinery_project() -> Project {
    Project::new(&[
        (
            "V1__create_users.sql",
            "CREATE TABLE users (id INT PRIMARY KEY);\n",
        ),
        (
            "V2__create_posts.sql",
            "CREATE TABLE posts (id INT PRIMARY KEY);\n",
        ),
    ])
}

/// Runs refinery's own runner on `migrations` against `database`; returns how many it applied.
fn refinery_run(database: &TestDatabase, migrations: &Path) -> usize {
    let migrations = load_sql_migrations(migrations).expect("refinery reads the files");
    let runner = Runner::new(&migrations);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let report = match database.kind {
        Kind::Sqlite => {
            let path = database.url.trim_start_matches("sqlite://");
            let path = path.split('?').next().unwrap();
            let mut connection = refinery_core::rusqlite::Connection::open(path).unwrap();
            runner.run(&mut connection)
        }
        Kind::Postgres => runtime.block_on(async {
            let (mut client, connection) = refinery_core::tokio_postgres::connect(
                &database.url,
                refinery_core::tokio_postgres::NoTls,
            )
            .await
            .unwrap();
            tokio::spawn(connection);
            runner.run_async(&mut client).await
        }),
        Kind::MySql => runtime.block_on(async {
            let options = refinery_core::mysql_async::Opts::from_url(&database.url).unwrap();
            let mut pool = refinery_core::mysql_async::Pool::new(options);
            let report = runner.run_async(&mut pool).await;
            pool.disconnect().await.unwrap();
            report
        }),
    };
    report.expect("refinery runs").applied_migrations().len()
}

fn axiomod_then_refinery(database: &TestDatabase) {
    let url = database.url.as_str();
    let project = refinery_project();
    let status = project.status(url);
    assert_eq!(status["history_table"], "refinery_schema_history");
    assert_eq!(status["history_table_exists"], false);
    assert!(!database.has_table("refinery_schema_history"));

    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        stdout(&output).contains("Applied 1/simple create_users"),
        "{}",
        describe(&output)
    );
    assert!(database.has_table("users") && database.has_table("posts"));
    assert!(!database.has_table("_sqlx_migrations"));
    // refinery itself finds nothing left to apply, and no divergent checksum.
    assert_eq!(refinery_run(database, &project.migrations()), 0);

    let status = project.status(url);
    assert_eq!(
        states(&status),
        [(1, "applied".to_string()), (2, "applied".to_string())]
    );
    assert_eq!(
        status["migrations"][0]["checksum"].as_str().unwrap().len(),
        16
    );

    // A changed file: verify fails with the reason; up refuses.
    project.write(
        "V2__create_posts.sql",
        "CREATE TABLE posts (id INT PRIMARY KEY);\r\n",
    );
    let output = project.migrate(url, &["verify"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(
        stdout(&output).contains("only line endings changed"),
        "{}",
        describe(&output)
    );
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    // `repair` is sqlx-only, so the refusal must not suggest it.
    assert!(
        stderr(&output).contains("has changed since") && !stderr(&output).contains("repair"),
        "{}",
        describe(&output)
    );

    // No down migrations in refinery.
    let output = project.migrate(url, &["down", "--yes"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("`down` is not supported for refinery")
            && !stderr(&output).contains("redo"),
        "{}",
        describe(&output)
    );
}

fn refinery_then_axiomod(database: &TestDatabase) {
    let url = database.url.as_str();
    let project = refinery_project();
    assert_eq!(refinery_run(database, &project.migrations()), 2);
    let output = project.migrate(url, &["verify"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));

    project.write("V3__add_email.sql", "CREATE TABLE emails (id INT);\n");
    let output = project.migrate(url, &["up", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(!database.has_table("emails"));
    let output = project.migrate(url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(database.has_table("emails"));
    assert_eq!(refinery_run(database, &project.migrations()), 0);
}

#[test]
fn sqlite_axiomod_then_refinery() {
    axiomod_then_refinery(&TestDatabase::sqlite());
}

#[test]
fn sqlite_refinery_then_axiomod() {
    refinery_then_axiomod(&TestDatabase::sqlite());
}

#[test]
fn postgres_axiomod_then_refinery() {
    let Some(database) = TestDatabase::postgres() else {
        return;
    };
    axiomod_then_refinery(&database);
}

#[test]
fn postgres_refinery_then_axiomod() {
    let Some(database) = TestDatabase::postgres() else {
        return;
    };
    refinery_then_axiomod(&database);
}

#[test]
fn mysql_axiomod_then_refinery() {
    let Some(database) = TestDatabase::mysql() else {
        return;
    };
    axiomod_then_refinery(&database);
}

#[test]
fn mysql_refinery_then_axiomod() {
    let Some(database) = TestDatabase::mysql() else {
        return;
    };
    refinery_then_axiomod(&database);
}

#[test]
fn refinery_projects_get_v_files_and_bad_names_are_reported() {
    let project = Project::new(&[("V1__first.sql", "SELECT 1;\n")]);
    let output = axiomod()
        .current_dir(project.path())
        .args(["migrate", "create", "second step"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(project.migrations().join("V2__second_step.sql").is_file());

    project.write("V2__duplicate.sql", "SELECT 2;\n");
    project.write("V3_one_underscore.sql", "SELECT 3;\n");
    let database = TestDatabase::sqlite();
    let output = project.migrate(&database.url, &["status"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    assert!(
        error.contains("version 2 is already used by V2__duplicate.sql"),
        "{error}"
    );
    assert!(
        error.contains("V3_one_underscore.sql: not a refinery migration name"),
        "{error}"
    );
}

#[test]
fn the_format_can_be_set_in_axiomod_toml() {
    // An empty directory is a sqlx project unless axiomod.toml says otherwise.
    let project = Project::new(&[]);
    std::fs::write(
        project.path().join("axiomod.toml"),
        "[migrate]\nformat = \"refinery\"\n",
    )
    .unwrap();
    let output = axiomod()
        .current_dir(project.path())
        .args(["migrate", "create", "init"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(project.migrations().join("V1__init.sql").is_file());
}

#[test]
fn mysql_refinery_failures_say_what_stayed_applied_once() {
    let Some(database) = TestDatabase::mysql() else {
        return;
    };
    let project = Project::new(&[
        ("V1__first.sql", "CREATE TABLE first (id INT);\n"),
        (
            "V2__half.sql",
            "CREATE TABLE half (id INT);\nCREATE TABLE broken (;\n",
        ),
    ]);
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    // The DDL before the error has committed, and refinery records nothing for V2.
    assert!(database.has_table("half"));
    assert!(error.contains("undo them by hand"), "{error}");
    assert_eq!(
        error
            .matches("You have an error in your SQL syntax")
            .count(),
        1,
        "{error}"
    );
}
