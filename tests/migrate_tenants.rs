//! `axiomod migrate … --all-tenants`: one history per tenant schema (PostgreSQL) or database
//! (MySQL/MariaDB), listed by `[migrate.tenants]` in axiomod.toml.

mod migrate_support;
mod support;

use std::process::Output;

use migrate_support::{Project, TestDatabase, describe, states, stderr, stdout};
use support::postgres::TemporaryDatabase;

const TENANT_QUERY: &str = r#"[migrate.tenants]
query = "SELECT schema_name FROM public.tenants WHERE active ORDER BY schema_name"
"#;

fn tenant_project(config: &str) -> Project {
    let project = Project::new(&[
        (
            "1_create_users.up.sql",
            "CREATE TABLE users (id BIGINT PRIMARY KEY);\n",
        ),
        ("1_create_users.down.sql", "DROP TABLE users;\n"),
        (
            "2_create_posts.up.sql",
            "CREATE TABLE posts (id BIGINT PRIMARY KEY);\n",
        ),
        ("2_create_posts.down.sql", "DROP TABLE posts;\n"),
    ]);
    std::fs::write(project.path().join("axiomod.toml"), config).unwrap();
    project
}

/// A database with a `public.tenants` table listing `tenants` (all active), each with its
/// schema.
fn postgres_with_tenants(tenants: &[&str]) -> Option<TemporaryDatabase> {
    let database = TemporaryDatabase::create(&support::postgres_url()?);
    database
        .query("CREATE TABLE public.tenants (schema_name TEXT NOT NULL, active BOOLEAN NOT NULL)");
    for tenant in tenants {
        database.query(&format!(
            "INSERT INTO public.tenants VALUES ('{tenant}', TRUE); CREATE SCHEMA {tenant}"
        ));
    }
    Some(database)
}

/// stderr with miette's line wrapping undone, so that messages match whole.
fn error_text(output: &Output) -> String {
    stderr(output)
        .split_whitespace()
        .filter(|word| *word != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

/// `(tenant, result)` of each tenant in an `--all-tenants --format json` document.
fn results(output: &Output) -> Vec<(String, String)> {
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", describe(output)));
    document["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tenant| {
            (
                tenant["tenant"].as_str().unwrap().to_string(),
                tenant["result"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(tenant, result)| (tenant.to_string(), result.to_string()))
        .collect()
}

fn history(database: &TemporaryDatabase, schema: &str) -> String {
    database.query(&format!(
        "SELECT string_agg(version::text, ',' ORDER BY version) FROM {schema}._sqlx_migrations"
    ))
}

#[test]
fn postgres_up_status_verify_down_across_tenant_schemas() {
    let Some(database) = postgres_with_tenants(&["acme", "globex", "initech"]) else {
        return;
    };
    // An inactive tenant is not in the list.
    database.query("INSERT INTO public.tenants VALUES ('gone', FALSE)");
    let project = tenant_project(TENANT_QUERY);
    let url = database.url();

    let output = project.migrate(url, &["status", "--all-tenants", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let pending = [(1, "pending".to_string()), (2, "pending".to_string())];
    for tenant in document["tenants"].as_array().unwrap() {
        assert_eq!(tenant["report"]["history_table_exists"], false);
        assert_eq!(states(&tenant["report"]), pending);
    }
    assert!(
        !database.table_exists("acme._sqlx_migrations"),
        "status never writes"
    );

    let output = project.migrate(url, &["up", "--all-tenants", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(
        stdout(&output)
            .matches("-- would apply 2 create posts")
            .count(),
        3,
        "{}",
        describe(&output)
    );
    assert!(
        !database.table_exists("acme._sqlx_migrations"),
        "dry runs never write"
    );

    let output = project.migrate(url, &["up", "--all-tenants"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let text = stdout(&output);
    // Locations never show the user or password.
    let location = url.rsplit_once('@').map_or(url, |(_, location)| location);
    for tenant in ["acme", "globex", "initech"] {
        assert!(text.contains(&format!("== tenant {tenant}")), "{text}");
        assert!(
            text.contains(&format!(
                "Applied 2 migration(s) on {location} (schema {tenant})"
            )),
            "{text}"
        );
        assert_eq!(history(&database, tenant), "1,2");
        assert!(database.table_exists(&format!("{tenant}.users")));
    }
    assert!(
        text.contains("3 tenant(s): 3 ok, 0 with problems, 0 failed, 0 skipped"),
        "{text}"
    );
    // Each tenant's tables and history live in its schema only.
    assert!(!database.table_exists("public._sqlx_migrations"));
    assert!(!database.table_exists("public.users"));
    assert!(!database.table_exists("gone._sqlx_migrations"));

    let output = project.migrate(url, &["verify", "--all-tenants"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));

    // One tenant's history no longer matches its file: verify exits 1 and names it.
    database.query("UPDATE globex._sqlx_migrations SET checksum = '\\x00' WHERE version = 1");
    let output = project.migrate(url, &["verify", "--all-tenants", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert_eq!(
        results(&output),
        pairs(&[("acme", "ok"), ("globex", "problems"), ("initech", "ok")])
    );
    database.query("DELETE FROM globex._sqlx_migrations WHERE version = 1");
    database.query("DROP TABLE globex.users");
    let output = project.migrate(url, &["up", "--all-tenants", "--allow-out-of-order"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));

    // Down without --yes off a terminal is refused before anything runs.
    let output = project.migrate(url, &["down", "--all-tenants"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        error_text(&output).contains("--yes"),
        "{}",
        describe(&output)
    );

    let output = project.migrate(url, &["down", "--all-tenants", "--yes", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for tenant in document["tenants"].as_array().unwrap() {
        assert_eq!(tenant["report"]["migrations"][0]["version"], 2);
    }
    for tenant in ["acme", "globex", "initech"] {
        assert_eq!(history(&database, tenant), "1");
        assert!(!database.table_exists(&format!("{tenant}.posts")));
    }

    let output = project.migrate(url, &["redo", "--all-tenants", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(history(&database, "initech"), "1");
    assert!(database.table_exists("initech.users"));
}

#[test]
fn postgres_a_failing_tenant_stops_the_run_unless_keep_going() {
    let Some(database) = postgres_with_tenants(&["acme", "globex", "initech"]) else {
        return;
    };
    // globex already has a `posts` table: its migration 2 fails.
    database.query("CREATE TABLE globex.posts (id INT)");
    let project = tenant_project(TENANT_QUERY);
    let url = database.url();

    let output = project.migrate(url, &["up", "--all-tenants", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert_eq!(
        results(&output),
        pairs(&[("acme", "ok"), ("globex", "failed"), ("initech", "skipped")])
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let error = document["tenants"][1]["error"].as_str().unwrap();
    assert!(
        error.contains("relation \"posts\" already exists"),
        "{error}"
    );
    assert!(
        error_text(&output).contains("1 of 3 tenant(s) failed: globex"),
        "{}",
        describe(&output)
    );
    assert!(
        error_text(&output).contains("--keep-going"),
        "{}",
        describe(&output)
    );
    assert_eq!(history(&database, "acme"), "1,2");
    // The failed migration rolled back with its history row, as in a normal run.
    assert_eq!(history(&database, "globex"), "1");
    assert!(!database.table_exists("initech._sqlx_migrations"));

    let output = project.migrate(url, &["up", "--all-tenants", "--keep-going"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let text = stdout(&output);
    assert!(text.contains("globex                   failed"), "{text}");
    assert!(
        text.contains("3 tenant(s): 2 ok, 0 with problems, 1 failed, 0 skipped"),
        "{text}"
    );
    assert!(
        error_text(&output).contains("tenant globex"),
        "{}",
        describe(&output)
    );
    assert_eq!(history(&database, "globex"), "1");
    assert_eq!(history(&database, "initech"), "1,2");
}

#[test]
fn postgres_tenant_lists_that_fail_are_empty_or_name_bad_schemas() {
    let Some(database) = postgres_with_tenants(&["acme"]) else {
        return;
    };
    let url = database.url();

    // The query fails: exit 2, the database's message, pointing at axiomod.toml.
    let project =
        tenant_project("[migrate.tenants]\nquery = \"SELECT slug FROM public.tenants\"\n");
    let output = project.migrate(url, &["status", "--all-tenants"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let message = error_text(&output);
    assert!(
        message.contains("column \"slug\" does not exist"),
        "{message}"
    );
    assert!(message.contains("axiomod.toml:2:9"), "{message}");

    let project = tenant_project("[migrate.tenants]\nquery = \"SELECT 42\"\n");
    let output = project.migrate(url, &["status", "--all-tenants"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        error_text(&output).contains("its first column is not text"),
        "{}",
        describe(&output)
    );

    // No tenants: nothing to do, exit 0.
    let project = tenant_project(
        "[migrate.tenants]\nquery = \"SELECT schema_name FROM public.tenants WHERE NOT active\"\n",
    );
    let output = project.migrate(url, &["up", "--all-tenants"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        stdout(&output).contains("No tenants"),
        "{}",
        describe(&output)
    );
    let output = project.migrate(url, &["up", "--all-tenants", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(results(&output), []);

    // A name that is not a schema name: refused before any tenant runs.
    database.query("INSERT INTO public.tenants VALUES ('x\"; DROP TABLE users; --', TRUE)");
    let project =
        tenant_project("[migrate.tenants]\ntable = \"public.tenants\"\ncolumn = \"schema_name\"\n");
    let output = project.migrate(url, &["up", "--all-tenants"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let message = error_text(&output);
    assert!(
        message.contains("tenant list: row 2, `x\"; DROP"),
        "{message}"
    );
    assert!(message.contains("is not a valid schema"), "{message}");
    assert!(!database.table_exists("acme._sqlx_migrations"));

    // A listed tenant without its schema fails that tenant, with what to do.
    database.query("DELETE FROM public.tenants WHERE schema_name <> 'acme'");
    database.query("INSERT INTO public.tenants VALUES ('missing', TRUE)");
    let output = project.migrate(url, &["up", "--all-tenants", "--keep-going"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        error_text(&output).contains("tenant schema `missing` does not exist"),
        "{}",
        describe(&output)
    );
    assert_eq!(history(&database, "acme"), "1,2");
}

#[test]
fn postgres_sqlx_sees_the_same_history_in_a_tenant_schema() {
    use sqlx::migrate::Migrator;
    use sqlx::{Connection, Executor};

    let Some(database) = postgres_with_tenants(&["acme"]) else {
        return;
    };
    let project = tenant_project(TENANT_QUERY);
    let url = database.url();
    let output = project.migrate(url, &["up", "--all-tenants", "--target", "1"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));

    // sqlx's own runner with the tenant's schema as search_path: accepts what axiomod
    // applied (same checksum) and applies the rest into the same history.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            connection.execute("SET search_path TO acme").await.unwrap();
            let migrator = Migrator::new(project.migrations()).await.unwrap();
            migrator.run(&mut connection).await.unwrap();
        });
    assert_eq!(history(&database, "acme"), "1,2");

    let output = project.migrate(url, &["verify", "--all-tenants", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["tenants"][0]["report"]["summary"]["applied"], 2);
}

#[test]
fn postgres_two_runners_at_once_apply_each_tenant_migration_once() {
    let Some(database) = postgres_with_tenants(&["acme", "globex", "initech"]) else {
        return;
    };
    let project = tenant_project(TENANT_QUERY);
    // Slow enough that the second runner arrives while the first holds the lock; running a
    // migration twice fails, since its table exists.
    project.write(
        "1_create_users.up.sql",
        "CREATE TABLE users (id BIGINT PRIMARY KEY);\nSELECT pg_sleep(0.3);\n",
    );
    let runners: Vec<_> = (0..2)
        .map(|_| {
            let (dir, url) = (project.path().to_path_buf(), database.url().to_string());
            std::thread::spawn(move || {
                migrate_support::axiomod()
                    .current_dir(dir)
                    .env("DATABASE_URL", url)
                    .args(["migrate", "up", "--all-tenants"])
                    .output()
                    .unwrap()
            })
        })
        .collect();
    for runner in runners {
        let output = runner.join().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    }
    for tenant in ["acme", "globex", "initech"] {
        assert_eq!(history(&database, tenant), "1,2");
    }
}

/// The database name of a MySQL test database's URL.
fn database_name(database: &TestDatabase) -> String {
    database.url.rsplit('/').next().unwrap().to_string()
}

#[test]
fn mysql_tenants_are_databases() {
    let (Some(main), Some(first), Some(second)) = (
        TestDatabase::mysql(),
        TestDatabase::mysql(),
        TestDatabase::mysql(),
    ) else {
        return;
    };
    let tenants = [database_name(&first), database_name(&second)];
    main.execute("CREATE TABLE tenants (name VARCHAR(64) NOT NULL, position INT NOT NULL)");
    main.execute(&format!(
        "INSERT INTO tenants VALUES ('{}', 1), ('{}', 2)",
        tenants[0], tenants[1]
    ));
    let project = tenant_project(
        "[migrate.tenants]\nquery = \"SELECT name FROM tenants ORDER BY position\"\n",
    );

    // The first tenant already has `posts`: its migration 2 fails, and the run stops.
    first.execute("CREATE TABLE posts (id INT)");
    let output = project.migrate(&main.url, &["up", "--all-tenants", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert_eq!(
        results(&output),
        pairs(&[(&tenants[0], "failed"), (&tenants[1], "skipped")])
    );
    // MySQL commits DDL: the failed migration's row stays, dirty, as in a normal run.
    assert_eq!(first.history(), [(1, true), (2, false)]);
    assert_eq!(second.history(), []);
    assert!(!main.has_table("_sqlx_migrations"));

    let output = project.migrate(&main.url, &["up", "--all-tenants", "--keep-going"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        error_text(&output).contains("marked dirty"),
        "{}",
        describe(&output)
    );
    assert_eq!(second.history(), [(1, true), (2, true)]);

    let output = project.migrate(&main.url, &["status", "--all-tenants", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["tenants"][0]["report"]["summary"]["dirty"], 1);
    assert_eq!(document["tenants"][1]["report"]["summary"]["applied"], 2);
    assert!(
        document["tenants"][1]["location"]
            .as_str()
            .unwrap()
            .ends_with(&format!("(database {})", tenants[1])),
        "{document}"
    );

    let output = project.migrate(
        &main.url,
        &["down", "--all-tenants", "--yes", "--keep-going"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert_eq!(second.history(), [(1, true)]);
    assert!(!second.has_table("posts"));
}

#[test]
fn refused_without_schemas_or_a_tenant_list() {
    let sqlite = TestDatabase::sqlite();
    let output = tenant_project(TENANT_QUERY).migrate(&sqlite.url, &["up", "--all-tenants"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        error_text(&output).contains("--all-tenants is not supported on SQLite"),
        "{}",
        describe(&output)
    );

    let output = tenant_project("").migrate(
        "postgres://nobody@127.0.0.1:1/none",
        &["status", "--all-tenants"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        error_text(&output).contains(
            "--all-tenants needs the list of tenants, and axiomod.toml has no [migrate.tenants]"
        ),
        "{}",
        describe(&output)
    );

    // --keep-going only means something with --all-tenants.
    let output = tenant_project(TENANT_QUERY).migrate(&sqlite.url, &["up", "--keep-going"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        error_text(&output).contains("--all-tenants"),
        "{}",
        describe(&output)
    );

    // Refinery projects keep one history per database.
    let refinery = Project::new(&[("V1__users.sql", "CREATE TABLE users (id INT);\n")]);
    std::fs::write(refinery.path().join("axiomod.toml"), TENANT_QUERY).unwrap();
    let output = refinery.migrate(&sqlite.url, &["status", "--all-tenants"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        error_text(&output).contains("not supported for refinery projects"),
        "{}",
        describe(&output)
    );
}

#[test]
fn tenant_config_errors_point_at_axiomod_toml() {
    let cases = [
        (
            "[migrate.tenants]\ntable = \"public.tenants\"\n",
            "`table` needs `column`",
            "axiomod.toml:2:9",
        ),
        (
            "[migrate.tenants]\nquery = \"SELECT 1\"\ntable = \"t\"\ncolumn = \"c\"\n",
            "not both",
            "axiomod.toml:2:9",
        ),
        ("[migrate.tenants]\n", "needs `query`", "axiomod.toml:1:1"),
        (
            "[migrate.tenants]\ntable = \"a.b.c\"\ncolumn = \"c\"\n",
            "`table` is `table` or `schema.table`",
            "axiomod.toml:2:9",
        ),
        (
            "[migrate.tenants]\ntable = \"tenants\"\ncolumn = \"name; --\"\n",
            "`column` is not a valid identifier: it may contain only letters",
            "axiomod.toml:3:10",
        ),
        (
            "[migrate.tenants]\nschemas = [\"a\"]\n",
            "unknown field `schemas`",
            "axiomod.toml:2:1",
        ),
    ];
    let sqlite = TestDatabase::sqlite();
    for (config, message, location) in cases {
        let output = tenant_project(config).migrate(&sqlite.url, &["status"]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{config}\n{}",
            describe(&output)
        );
        let text = error_text(&output);
        assert!(text.contains(message), "{config}\n{text}");
        assert!(text.contains(location), "{config}\n{text}");
    }
}
