//! `axiomod migrate` on bad input, and the parts that need no database server (SQLite).

mod migrate_support;
mod support;

use migrate_support::{Project, TestDatabase, axiomod, describe, states, stderr, stdout};

#[test]
fn bad_file_names_duplicates_and_orphan_down_files_are_all_reported() {
    let project = Project::new(&[
        ("init.sql", "SELECT 1;"),
        ("v2_users.sql", "SELECT 1;"),
        ("3_a.sql", "SELECT 1;"),
        ("3_b.sql", "SELECT 1;"),
        ("4_c.down.sql", "SELECT 1;"),
        ("notes.md", "not a migration, ignored"),
    ]);
    let database = TestDatabase::sqlite();
    let output = project.migrate(&database.url, &["status"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("4 problem(s)"), "{error}");
    assert!(
        error.contains("init.sql: not a migration file name"),
        "{error}"
    );
    assert!(
        error.contains("v2_users.sql: `v2` is not an integer version"),
        "{error}"
    );
    assert!(
        error.contains("3_b.sql: version 3 is already used by 3_a.sql"),
        "{error}"
    );
    assert!(
        error.contains("4_c.down.sql: down file without an up file"),
        "{error}"
    );
    assert!(!error.contains("notes.md"), "{error}");
    assert!(!database.has_table("_sqlx_migrations"));
}

#[test]
fn a_missing_migrations_directory_says_how_to_start() {
    let project = Project::new(&[]);
    let database = TestDatabase::sqlite();
    let output = project.migrate(&database.url, &["up", "--source", "nowhere"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    assert!(
        error.contains("cannot read the migrations directory nowhere"),
        "{error}"
    );
    // The system's reason is in the message, and not repeated as a cause below it.
    assert_eq!(error.matches("os error 2").count(), 1, "{error}");
    assert!(error.contains("axiomod migrate create"), "{error}");

    // A path that exists but cannot be listed needs another fix than creating it.
    project.write("1_a.sql", "SELECT 1;");
    let output = project.migrate(&database.url, &["up", "--source", "migrations/1_a.sql"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("this user may read"), "{error}");
    assert!(!error.contains("axiomod migrate create"), "{error}");
}

#[test]
fn no_database_url_is_an_error_with_a_hint() {
    let project = Project::new(&[("1_a.sql", "SELECT 1;")]);
    let output = axiomod()
        .current_dir(project.path())
        .args(["migrate", "status"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("--database-url"),
        "{}",
        describe(&output)
    );
}

#[test]
fn the_database_url_can_come_from_dot_env() {
    let project = Project::new(&[("1_a.sql", "CREATE TABLE a (id INT);\n")]);
    let database = TestDatabase::sqlite();
    std::fs::write(
        project.path().join(".env"),
        format!("DATABASE_URL={}\n", database.url),
    )
    .unwrap();
    let output = axiomod()
        .current_dir(project.path())
        .args(["migrate", "up"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(database.history(), [(1, true)]);
}

#[test]
fn unreachable_servers_exit_2_naming_the_host_but_not_the_password() {
    let project = Project::new(&[("1_a.sql", "SELECT 1;")]);
    for (url, expected) in [
        (
            "postgres://app:hunter2@127.0.0.1:1/shop",
            "cannot connect to PostgreSQL at 127.0.0.1:1/shop",
        ),
        (
            "mysql://root:hunter2@127.0.0.1:1/shop",
            "cannot connect to MySQL/MariaDB at 127.0.0.1:1/shop",
        ),
    ] {
        let output = project.migrate(url, &["up"]);
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        let error = stderr(&output);
        assert!(error.contains(expected), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }
}

#[test]
fn unsupported_url_schemes_are_refused() {
    let project = Project::new(&[("1_a.sql", "SELECT 1;")]);
    let output = project.migrate("mongodb://localhost/app", &["status"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("unknown scheme"),
        "{}",
        describe(&output)
    );
}

#[test]
fn a_missing_sqlite_file_is_reported_with_its_path() {
    let project = Project::new(&[("1_a.sql", "SELECT 1;")]);
    let output = project.migrate("sqlite:///nonexistent/dir/app.db", &["status"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("cannot connect to SQLite at /nonexistent/dir/app.db"),
        "{}",
        describe(&output)
    );
    // SQLite has no server to check; a new file needs ?mode=rwc.
    assert!(
        stderr(&output).contains("?mode=rwc") && !stderr(&output).contains("server"),
        "{}",
        describe(&output)
    );
}

#[test]
fn create_writes_a_reversible_pair_then_follows_the_directory() {
    let project = Project::new(&[]);
    let output = axiomod()
        .current_dir(project.path())
        .args(["migrate", "create", "create users", "--sequential"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let up = project.migrations().join("0001_create_users.up.sql");
    let down = project.migrations().join("0001_create_users.down.sql");
    assert_eq!(
        std::fs::read_to_string(&up).unwrap(),
        "-- Add up migration script here\n"
    );
    assert!(down.is_file());

    // Sequential numbering and the reversible layout are inferred from now on.
    let output = axiomod()
        .current_dir(project.path())
        .args(["migrate", "create", "add_email", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["files"][0], "migrations/0002_add_email.up.sql");
    assert_eq!(json["files"][1], "migrations/0002_add_email.down.sql");
}

#[test]
fn create_dry_run_writes_nothing_and_bad_names_are_refused() {
    let project = Project::new(&[("1_a.sql", "SELECT 1;")]);
    let output = axiomod()
        .current_dir(project.path())
        .args(["migrate", "create", "b", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(stdout(&output).contains("Would create migrations/0002_b.sql"));
    assert!(!project.migrations().join("0002_b.sql").exists());

    let output = axiomod()
        .current_dir(project.path())
        .args(["migrate", "create", "../escape"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("invalid migration name"),
        "{}",
        describe(&output)
    );
}

#[test]
fn the_migrations_directory_comes_from_axiomod_toml() {
    let project = Project::new(&[]);
    std::fs::write(
        project.path().join("axiomod.toml"),
        "[migrate]\ndir = \"db/migrations\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(project.path().join("db/migrations")).unwrap();
    std::fs::write(
        project.path().join("db/migrations/1_a.sql"),
        "CREATE TABLE a (id INT);\n",
    )
    .unwrap();
    let database = TestDatabase::sqlite();
    let output = project.migrate(&database.url, &["up"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(database.history(), [(1, true)]);

    std::fs::write(project.path().join("axiomod.toml"), "[migrate]\ndirr = 1\n").unwrap();
    let output = project.migrate(&database.url, &["status"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("invalid axiomod.toml"), "{error}");
    assert!(error.contains("axiomod.toml:2:1"), "{error}");
}

#[test]
fn up_dry_run_changes_nothing_not_even_the_history_table() {
    let project = Project::new(&[("1_a.sql", "CREATE TABLE a (id INT);\n")]);
    let database = TestDatabase::sqlite();
    let output = project.migrate(&database.url, &["up", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(stdout(&output).contains("CREATE TABLE a (id INT);"));
    assert!(!database.has_table("_sqlx_migrations"));
    assert!(!database.has_table("a"));
}

#[test]
fn status_json_has_the_documented_shape() {
    let project = Project::new(&[
        ("1_a.up.sql", "CREATE TABLE a (id INT);\n"),
        ("1_a.down.sql", "DROP TABLE a;\n"),
        ("2_b.sql", "CREATE TABLE b (id INT);\n"),
    ]);
    let database = TestDatabase::sqlite();
    let output = project.migrate(&database.url, &["up", "--target", "1"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let status = project.status(&database.url);
    assert_eq!(status["engine"], "sqlite");
    assert_eq!(status["history_table"], "_sqlx_migrations");
    assert_eq!(status["history_table_exists"], true);
    let first = &status["migrations"][0];
    for key in [
        "version",
        "description",
        "state",
        "kind",
        "file",
        "reversible",
        "out_of_order",
        "installed_on",
        "execution_time",
        "checksum",
        "applied_checksum",
        "checksum_difference",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["kind"], "up");
    assert_eq!(first["reversible"], true);
    assert_eq!(first["checksum"].as_str().unwrap().len(), 96);
    assert_eq!(
        status["migrations"][1]["installed_on"],
        serde_json::Value::Null
    );
    assert_eq!(status["summary"]["applied"], 1);
    assert_eq!(status["summary"]["pending"], 1);
}

#[test]
fn checksum_differences_are_explained() {
    let project = Project::new(&[
        ("1_a.sql", "CREATE TABLE a (id INT);\n"),
        ("2_b.sql", "CREATE TABLE b (id INT);\n"),
        ("3_c.sql", "CREATE TABLE c (id INT);\n"),
    ]);
    let database = TestDatabase::sqlite();
    assert_eq!(
        project.migrate(&database.url, &["up"]).status.code(),
        Some(0)
    );
    project.write("1_a.sql", "\u{feff}CREATE TABLE a (id INT);\n");
    project.write("2_b.sql", "CREATE TABLE b (id INT);   \n");
    project.write("3_c.sql", "CREATE TABLE c (id BIGINT);\n");
    let status = project.status(&database.url);
    let reasons: Vec<_> = status["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["checksum_difference"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reasons, ["byte_order_mark", "whitespace", "content"]);
    let output = project.migrate(&database.url, &["verify"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let text = stdout(&output);
    assert!(
        text.contains("only a byte order mark (BOM) was added or removed"),
        "{text}"
    );
    assert!(text.contains("the content changed"), "{text}");
    assert!(text.contains("applied checksum"), "{text}");
}

#[test]
fn down_refuses_simple_migrations_and_repair_checks_its_target() {
    let project = Project::new(&[("1_a.sql", "CREATE TABLE a (id INT);\n")]);
    let database = TestDatabase::sqlite();
    assert_eq!(
        project.migrate(&database.url, &["up"]).status.code(),
        Some(0)
    );

    let output = project.migrate(&database.url, &["down", "--yes"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("it has no down file"),
        "{}",
        describe(&output)
    );

    let output = project.migrate(&database.url, &["repair", "--accept", "1", "--yes"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("nothing to accept"),
        "{}",
        describe(&output)
    );

    let output = project.migrate(&database.url, &["repair", "--clear-dirty", "1", "--yes"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("is not dirty"),
        "{}",
        describe(&output)
    );

    let output = project.migrate(&database.url, &["repair", "--accept", "7", "--yes"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("not in the history table"),
        "{}",
        describe(&output)
    );

    let output = project.migrate(&database.url, &["repair", "--yes"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));

    let output = project.migrate(&database.url, &["repair", "--accept", "1"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(stderr(&output).contains("--yes"), "{}", describe(&output));
}

#[test]
fn up_target_must_exist_and_not_be_behind() {
    let project = Project::new(&[
        ("1_a.sql", "CREATE TABLE a (id INT);\n"),
        ("2_b.sql", "CREATE TABLE b (id INT);\n"),
    ]);
    let database = TestDatabase::sqlite();
    let output = project.migrate(&database.url, &["up", "--target", "5"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("there is no migration 5"),
        "{}",
        describe(&output)
    );
    assert_eq!(
        project.migrate(&database.url, &["up"]).status.code(),
        Some(0)
    );
    let output = project.migrate(&database.url, &["up", "--target", "1"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("older than the newest applied"),
        "{}",
        describe(&output)
    );
    assert_eq!(
        states(&project.status(&database.url)),
        [(1, "applied".to_string()), (2, "applied".to_string())]
    );
}

#[test]
fn up_and_down_json_list_each_migration() {
    let project = Project::new(&[
        ("1_a.up.sql", "CREATE TABLE a (id INT);\n"),
        ("1_a.down.sql", "DROP TABLE a;\n"),
    ]);
    let database = TestDatabase::sqlite();
    let output = project.migrate(&database.url, &["up", "--dry-run", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let planned: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(planned["dry_run"], true);
    assert_eq!(
        planned["migrations"][0]["sql"],
        "CREATE TABLE a (id INT);\n"
    );
    assert_eq!(planned["migrations"][0]["elapsed"], serde_json::Value::Null);

    let output = project.migrate(&database.url, &["up", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let applied: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let step = &applied["migrations"][0];
    assert_eq!(step["version"], 1);
    assert_eq!(step["description"], "a");
    assert_eq!(step["file"], "migrations/1_a.up.sql");
    assert!(step["elapsed"].as_u64().is_some(), "{step}");
    assert!(step.get("sql").is_none(), "{step}");

    let output = project.migrate(&database.url, &["down", "--yes", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let reverted: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reverted["migrations"][0]["file"], "migrations/1_a.down.sql");
    assert_eq!(database.history(), []);
}

#[test]
fn status_and_verify_print_a_readable_table() {
    let project = Project::new(&[
        ("1_create_users.sql", "CREATE TABLE users (id INT);\n"),
        ("2_create_posts.sql", "CREATE TABLE posts (id INT);\n"),
    ]);
    let database = TestDatabase::sqlite();
    assert_eq!(
        project.migrate(&database.url, &["up"]).status.code(),
        Some(0)
    );
    project.write("2_create_posts.sql", "CREATE TABLE posts (id BIGINT);\n");
    project.write("3_create_tags.sql", "CREATE TABLE tags (id INT);\n");

    let output = project.migrate(&database.url, &["status"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(
        lines[0],
        "VERSION          STATE                    DESCRIPTION"
    );
    assert_eq!(
        lines[1],
        "1                applied                  create users"
    );
    assert_eq!(
        lines[2],
        "2                changed                  create posts"
    );
    assert_eq!(lines[3], "    the content changed");
    assert!(lines[4].starts_with("    applied checksum "), "{text}");
    assert!(lines[5].starts_with("    file checksum    "), "{text}");
    assert_eq!(
        lines[6],
        "3                pending                  create tags"
    );
    assert_eq!(
        lines[7],
        "1 applied, 1 pending, 1 changed, 0 missing, 0 dirty, 0 out of order"
    );

    let output = project.migrate(&database.url, &["verify"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let text = stdout(&output);
    assert!(text.starts_with("changed 2 create posts\n"), "{text}");
    assert!(
        text.ends_with("verify failed: 1 changed, 0 missing, 0 dirty\n"),
        "{text}"
    );
}

#[test]
fn a_closed_stdout_does_not_panic() {
    let names: Vec<String> = (1..=300)
        .map(|version| format!("{version}_m.sql"))
        .collect();
    let files: Vec<(&str, &str)> = names
        .iter()
        .map(|name| (name.as_str(), "SELECT 1;"))
        .collect();
    let project = Project::new(&files);
    let database = TestDatabase::sqlite();
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("axiomod"));
    command
        .current_dir(project.path())
        .env("DATABASE_URL", &database.url)
        .args(["migrate", "status"]);
    // The reader goes away before axiomod writes its 300 lines.
    let output = support::output_with_closed(command, support::Closed::Stdout);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        !stderr(&output).contains("panicked"),
        "{}",
        describe(&output)
    );
}

/// Runs `axiomod migrate <args>` on a pseudo-terminal (util-linux `script`), typing `key`
/// once the prompt is up. None when `script` is missing (a failure under CI=true).
fn on_a_terminal(
    project: &Project,
    url: &str,
    args: &str,
    key: &str,
) -> Option<std::process::Output> {
    use std::io::Write;
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        if std::env::var("CI").is_ok_and(|value| value == "true") {
            panic!("util-linux `script` is required under CI=true");
        }
        eprintln!("\n!!!!!!!! SKIPPED: util-linux `script` is not installed !!!!!!!!\n");
        return None;
    }
    let binary = assert_cmd::cargo::cargo_bin("axiomod");
    let mut child = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{} migrate {args}", binary.display()),
            "/dev/null",
        ])
        .current_dir(project.path())
        .env_remove("CI")
        .env("DATABASE_URL", url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script starts");
    // Typed after the prompt appears; earlier keys would wait in the terminal's queue anyway.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(key.as_bytes()).expect("type the answer");
    // stdin stays open until axiomod is done: an early end of input would end the session.
    let output = child.wait_with_output().expect("script finishes");
    drop(stdin);
    Some(output)
}

#[test]
fn down_asks_on_a_terminal_and_respects_the_answer() {
    let project = Project::new(&[
        ("1_a.up.sql", "CREATE TABLE a (id INT);\n"),
        ("1_a.down.sql", "DROP TABLE a;\n"),
    ]);
    let database = TestDatabase::sqlite();
    assert_eq!(
        project.migrate(&database.url, &["up"]).status.code(),
        Some(0)
    );

    let Some(output) = on_a_terminal(&project, &database.url, "down", "n") else {
        return;
    };
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stdout(&output).contains("Revert 1 (a) on"),
        "{}",
        describe(&output)
    );
    assert!(
        stdout(&output).contains("cancelled; nothing was changed"),
        "{}",
        describe(&output)
    );
    assert_eq!(database.history(), [(1, true)]);

    let Some(output) = on_a_terminal(&project, &database.url, "down", "y") else {
        return;
    };
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        stdout(&output).contains("Reverted 1/down a"),
        "{}",
        describe(&output)
    );
    assert_eq!(database.history(), []);
}
