//! `axiomod dlq` against real PostgreSQL and SQLite databases with a service's outbox tables.

mod dlq_support;
mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use dlq_support::{OutboxDatabase, Seed, describe, dlq, json, run, stderr, stdout};

fn seed_mixed(database: &OutboxDatabase) -> Vec<String> {
    database.seed(&[
        Seed::new("orders.order.created"),
        Seed {
            aggregate_id: "order-9",
            failed_minutes_ago: 60 * 30,
            ..Seed::new("orders.order.created")
        },
        Seed {
            error: "nack: queue full",
            failed_minutes_ago: 60 * 24 * 10,
            ..Seed::new("orders.order.deleted")
        },
        Seed {
            error: "nack: queue full",
            replay_count: 2,
            ..Seed::new("orders.order.deleted")
        },
    ])
}

#[test]
fn stats_list_and_show_read_dead_letters_with_filters() {
    for database in OutboxDatabase::each() {
        let url = database.url();
        let ids = seed_mixed(&database);
        let stats = json(&url, &["stats"]);
        assert_eq!(stats["total"], 4, "{}: {stats}", database.name());
        assert_eq!(stats["by_event_type"]["orders.order.created"], 2);
        assert_eq!(stats["by_error_class"]["nack"], 2);
        assert_eq!(stats["by_error_class"]["publish failed"], 2);
        assert_eq!(stats["by_age"]["under_1h"], 2);
        assert_eq!(stats["by_age"]["1d_to_7d"], 1);
        assert_eq!(stats["by_age"]["over_7d"], 1);

        let count =
            |arguments: &[&str]| json(&url, &[&["list"], arguments].concat())["count"].clone();
        assert_eq!(count(&[]), 4);
        assert_eq!(count(&["--event-type", "orders.order.deleted"]), 2);
        assert_eq!(count(&["--aggregate-id", "order-9"]), 1);
        assert_eq!(count(&["--error-contains", "queue full"]), 2);
        assert_eq!(count(&["--since", "1h"]), 2);
        assert_eq!(count(&["--until", "7d"]), 1);
        assert_eq!(count(&["--since", "7d", "--until", "1h"]), 1);
        assert_eq!(count(&["--ids", &format!("{},{}", ids[0], ids[3])]), 2);
        assert_eq!(count(&["--limit", "3"]), 3);
        // Oldest failure first.
        let listed = json(&url, &["list"]);
        assert_eq!(listed["dead_letters"][0]["id"], ids[2].as_str());

        let table = run(&url, &["list", "--event-type", "orders.order.deleted"]);
        let text = stdout(&table);
        assert!(text.starts_with("ID "), "{text}");
        assert!(
            text.contains(&ids[3]) && text.contains("nack: queue full"),
            "{text}"
        );

        let shown = json(&url, &["show", &ids[3].to_uppercase()]);
        assert_eq!(shown["id"], ids[3].as_str());
        assert_eq!(shown["payload"]["total"], 42);
        assert_eq!(shown["headers"]["aggregate_id"], "order-1");
        assert_eq!(shown["replay_count"], 2);
        assert_eq!(shown["last_error"], "nack: queue full");
        let text = stdout(&run(&url, &["show", &ids[0]]));
        assert!(
            text.contains("last error:\n  publish failed: connection refused"),
            "{text}"
        );

        // Reading never creates the audit table.
        assert!(
            !database.has_table("axiomod_dlq_jobs"),
            "{}",
            database.name()
        );
    }
}

#[test]
fn filters_that_match_nothing_exit_0_and_say_so() {
    for database in OutboxDatabase::each() {
        let url = database.url();
        seed_mixed(&database);
        for command in [
            &["list"][..],
            &["stats"],
            &["replay", "--yes"],
            &["purge", "--yes"],
        ] {
            let output = run(
                &url,
                &[command, &["--event-type", "nothing.at.all"]].concat(),
            );
            assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
            assert!(
                stdout(&output).contains("No dead letters match the filter"),
                "{command:?}: {}",
                describe(&output)
            );
        }
        assert_eq!(database.count("axiomod_dead_letters"), 4);
    }
}

#[test]
fn replay_moves_dead_letters_back_with_the_same_id_and_replay_headers() {
    for database in OutboxDatabase::each() {
        let url = database.url();
        let ids = seed_mixed(&database);
        let report = json(
            &url,
            &[
                "replay",
                "--event-type",
                "orders.order.deleted",
                "--batch-size",
                "1",
                "--actor",
                "ops-alice",
                "--yes",
            ],
        );
        assert_eq!(report["matched"], 2, "{}: {report}", database.name());
        assert_eq!(report["processed"], 2);
        let job = report["job_id"].as_str().expect("a job id").to_string();

        let moved = database.column("SELECT id FROM axiomod_outbox ORDER BY id");
        let mut expected = vec![ids[2].clone(), ids[3].clone()];
        expected.sort();
        assert_eq!(moved, expected);
        assert_eq!(database.count("axiomod_dead_letters"), 2);
        assert!(database.misplaced(&ids).is_empty());
        let replay_of = database.json_field("headers", "replay_of");
        let replay_count = database.json_field("headers", "replay_count");
        let request_id = database.json_field("headers", "request_id");
        assert_eq!(
            database.scalar(&format!(
                "SELECT {replay_of} FROM axiomod_outbox WHERE id = '{}'",
                ids[2]
            )),
            job
        );
        assert_eq!(
            database.column(&format!(
                "SELECT {replay_count} FROM axiomod_outbox ORDER BY {replay_count}"
            )),
            ["1", "3"]
        );
        assert_eq!(
            database.scalar(&format!(
                "SELECT {request_id} FROM axiomod_outbox WHERE id = '{}'",
                ids[3]
            )),
            format!("request-{}", ids[3])
        );
        assert_eq!(
            database.scalar("SELECT count(*) FROM axiomod_outbox WHERE attempts = 0 AND published_at IS NULL AND last_error IS NULL"),
            "2"
        );

        let audit = database.column(&format!(
            "SELECT kind || ' ' || actor || ' ' || matched || ' ' || processed || ' ' || status || ' ' || {} FROM axiomod_dlq_jobs",
            database.json_field("filter", "event_type")
        ));
        assert_eq!(
            audit,
            ["replay ops-alice 2 2 succeeded orders.order.deleted"]
        );
        assert_eq!(
            database.count("axiomod_dlq_jobs WHERE finished_at IS NOT NULL"),
            1
        );
    }
}

#[test]
fn dry_run_changes_nothing_but_is_recorded() {
    for database in OutboxDatabase::each() {
        let url = database.url();
        let ids = seed_mixed(&database);
        for command in ["replay", "purge"] {
            let output = run(&url, &[command, "--dry-run"]);
            assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
            assert!(
                stdout(&output).contains("4 dead letter(s)"),
                "{}",
                describe(&output)
            );
            assert!(stdout(&output).contains("dry run: nothing changed"));
        }
        assert_eq!(
            database
                .column("SELECT id FROM axiomod_dead_letters ORDER BY id")
                .len(),
            ids.len()
        );
        assert_eq!(database.count("axiomod_outbox"), 0);
        assert_eq!(
            database.column("SELECT kind || ' ' || matched || ' ' || processed FROM axiomod_dlq_jobs ORDER BY kind"),
            ["purge 4 0", "replay 4 0"]
        );
    }
}

#[test]
fn purge_deletes_only_the_matching_dead_letters() {
    for database in OutboxDatabase::each() {
        let url = database.url();
        let ids = seed_mixed(&database);
        let report = json(
            &url,
            &[
                "purge",
                "--error-contains",
                "queue full",
                "--yes",
                "--batch-size",
                "1",
            ],
        );
        assert_eq!(report["processed"], 2, "{}: {report}", database.name());
        assert_eq!(
            database.column("SELECT id FROM axiomod_dead_letters ORDER BY id"),
            [ids[0].clone(), ids[1].clone()]
        );
        assert_eq!(database.count("axiomod_outbox"), 0);
        assert_eq!(
            database.scalar("SELECT kind || ' ' || processed FROM axiomod_dlq_jobs"),
            "purge 2"
        );
    }
}

#[test]
fn unknown_ids_are_refused_and_nothing_changes() {
    for database in OutboxDatabase::each() {
        let url = database.url();
        let ids = seed_mixed(&database);
        let unknown = "0193a2b4-0c1d-7e2f-8a9b-0c1d2e3f4a5b";
        let output = run(
            &url,
            &["replay", "--ids", &format!("{},{unknown}", ids[0]), "--yes"],
        );
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        assert!(
            stderr(&output).contains("not dead letters in"),
            "{}",
            describe(&output)
        );
        assert!(stderr(&output).contains(unknown));
        assert_eq!(database.count("axiomod_dead_letters"), 4);
        assert_eq!(database.count("axiomod_outbox"), 0);

        let output = run(&url, &["show", unknown]);
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        assert!(stderr(&output).contains(&format!("no dead letter with id {unknown}")));

        json(&url, &["replay", "--ids", &ids[0], "--yes"]);
        let output = run(&url, &["show", &ids[0]]);
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        assert!(
            stderr(&output).contains("it is in the outbox"),
            "{}",
            describe(&output)
        );
    }
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let database = OutboxDatabase::sqlite();
    let url = database.url();
    database.seed(&Seed::many(1));
    let cases: [(&[&str], &str); 7] = [
        (&["list", "--limit", "0"], "--limit"),
        (&["replay", "--batch-size", "0", "--yes"], "--batch-size"),
        (
            &["replay", "--rate", "0", "--yes"],
            "not a positive number of messages per second",
        ),
        (&["list", "--since", "yesterday"], "is not a time"),
        (&["replay", "--ids", "42", "--yes"], "is not a message id"),
        (&["show", "order-1"], "is not a message id"),
        (&["stats", "--format", "xml"], "--format"),
    ];
    for (arguments, expected) in cases {
        let output = run(&url, arguments);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{arguments:?}: {}",
            describe(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{arguments:?}: {}",
            describe(&output)
        );
    }

    let output = run(&url, &["replay"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("pass --yes"),
        "{}",
        describe(&output)
    );
    assert_eq!(database.count("axiomod_dead_letters"), 1);

    let output = run("postgres://postgres@127.0.0.1:1/service", &["stats"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("cannot connect to PostgreSQL at 127.0.0.1:1/service"),
        "{}",
        describe(&output)
    );

    let output = run("mysql://root@127.0.0.1:3306/service", &["stats"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("does not support MySQL"),
        "{}",
        describe(&output)
    );

    let missing = tempfile::tempdir().expect("a temporary directory");
    let output = run(
        &format!("sqlite://{}/missing.db", missing.path().display()),
        &["stats"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("cannot connect to SQLite"),
        "{}",
        describe(&output)
    );

    let empty = tempfile::tempdir().expect("a temporary directory");
    let output = run(
        &format!("sqlite://{}/empty.db?mode=rwc", empty.path().display()),
        &["replay", "--yes"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("no `axiomod_dead_letters` table"),
        "{}",
        describe(&output)
    );

    let output = dlq(&url, &["stats"])
        .env_remove("DATABASE_URL")
        .output()
        .expect("axiomod runs");
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("no database URL"),
        "{}",
        describe(&output)
    );
}

/// Polls the audit table until the running replay has moved at least `processed` messages.
fn wait_for_running_job(database: &OutboxDatabase, processed: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if database.has_table("axiomod_dlq_jobs") {
            let running = database.column(&format!(
                "SELECT id FROM axiomod_dlq_jobs WHERE status = 'running' AND processed >= {processed}"
            ));
            if let Some(id) = running.into_iter().next() {
                return id;
            }
        }
        assert!(Instant::now() < deadline, "the replay never got going");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_second_job_is_refused_while_a_replay_runs() {
    for database in OutboxDatabase::each() {
        let url = database.url();
        database.seed(&Seed::many(100));
        let mut slow = dlq(&url, &["replay", "--rate", "5", "--yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("axiomod starts");
        let running = wait_for_running_job(&database, 1);
        for command in ["replay", "purge"] {
            let output = run(&url, &[command, "--yes"]);
            assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
            let error = stderr(&output);
            assert!(error.contains("another dlq job is running"), "{error}");
            // The report is wrapped to the terminal's width, which may split the id.
            let unwrapped: String = error.split_whitespace().collect();
            assert!(
                unwrapped.contains(&format!("replayjob{running}")),
                "{error}"
            );
        }
        // A dry run only reads, so it is not held up.
        assert_eq!(run(&url, &["replay", "--dry-run"]).status.code(), Some(0));
        slow.kill().expect("the slow replay can be killed");
        slow.wait().expect("the slow replay ends");
    }
}

#[test]
fn ctrl_c_ends_a_replay_after_its_batch_as_interrupted() {
    for database in OutboxDatabase::each() {
        let url = database.url();
        let ids = database.seed(&Seed::many(600));
        let replay = dlq(
            &url,
            &["replay", "--rate", "200", "--batch-size", "50", "--yes"],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("axiomod starts");
        let job = wait_for_running_job(&database, 100);
        let signal = std::process::Command::new("kill")
            .args(["-INT", &replay.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(signal.success());
        let output = replay.wait_with_output().expect("the replay ends");

        assert_eq!(output.status.code(), Some(2), "{}", database.name());
        let message = String::from_utf8_lossy(&output.stderr);
        // The report is wrapped to the terminal's width, which may split the id.
        let unwrapped: String = message.split_whitespace().collect();
        assert!(
            unwrapped.contains(&format!("job{job}interruptedafter"))
                && unwrapped.contains("runthesamecommandagain"),
            "{message}"
        );
        let moved = database.count("axiomod_outbox");
        assert!(moved > 0 && moved < ids.len(), "{moved} moved");
        assert_eq!(database.misplaced(&ids), Vec::<String>::new());
        assert_eq!(
            database.scalar(&format!(
                "SELECT status || ' ' || processed FROM axiomod_dlq_jobs WHERE id = '{job}'"
            )),
            format!("interrupted {moved}")
        );
        // The lock went with the job: the next replay runs at once and finishes the rest.
        let report = json(&url, &["replay", "--yes"]);
        assert_eq!(report["processed"], ids.len() - moved, "{report}");
    }
}

#[test]
fn a_killed_replay_leaves_every_message_in_exactly_one_table() {
    for database in OutboxDatabase::each() {
        let url = database.url();
        let ids = database.seed(&Seed::many(600));
        let mut replay = dlq(
            &url,
            &["replay", "--rate", "200", "--batch-size", "50", "--yes"],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("axiomod starts");
        let job = wait_for_running_job(&database, 100);
        replay.kill().expect("kill -9 the replay");
        replay.wait().expect("the replay ends");

        let left = database.count("axiomod_dead_letters");
        assert!(
            left > 0 && left < ids.len(),
            "{}: {left} left",
            database.name()
        );
        assert_eq!(
            database.misplaced(&ids),
            Vec::<String>::new(),
            "{}",
            database.name()
        );
        assert_eq!(
            database.count("axiomod_dead_letters") + database.count("axiomod_outbox"),
            ids.len()
        );
        // The audit row counted exactly what moved.
        assert_eq!(
            database.scalar(&format!(
                "SELECT processed FROM axiomod_dlq_jobs WHERE id = '{job}'"
            )),
            database.count("axiomod_outbox").to_string()
        );

        // The dead job's lock does not outlive it (SQLite: once its heartbeat is stale).
        if let OutboxDatabase::Sqlite { .. } = database {
            database
                .execute("UPDATE axiomod_dlq_jobs SET heartbeat_at = '2000-01-01T00:00:00.000Z'");
        }
        let report = json(&url, &["replay", "--yes"]);
        assert_eq!(report["processed"], left, "{report}");
        assert_eq!(database.count("axiomod_outbox"), ids.len());
        assert_eq!(
            database.scalar(&format!(
                "SELECT status FROM axiomod_dlq_jobs WHERE id = '{job}'"
            )),
            "interrupted"
        );
    }
}
