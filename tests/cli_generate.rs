//! `axiomod generate module`, `entity`, `handler` and `migration` on the real binary: what they write, --dry-run and JSON
//! output, and bad inputs (exit 2, nothing written).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn axiomod() -> Command {
    Command::cargo_bin("axiomod").expect("the axiomod binary is built for tests")
}

/// A fresh `axiomod new` project in a temporary folder.
fn new_project() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let project = folder.path().join("shop");
    axiomod()
        .args(["new", "shop", "--yes", "--db", "sqlite", "--path"])
        .arg(&project)
        .assert()
        .success();
    (folder, project)
}

fn generate(project: &Path, args: &[&str]) -> std::process::Output {
    axiomod()
        .arg("generate")
        .args(args)
        .arg("--project")
        .arg(project)
        .output()
        .unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The names of the files in `migrations/`, sorted.
fn migration_names(project: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(project.join("migrations"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migration_writes_an_empty_reversible_pair_after_the_newest() {
    let (_folder, project) = new_project();
    let before = migration_names(&project);
    let output = generate(&project, &["migration", "backfill_totals"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let after = migration_names(&project);
    let added: Vec<&String> = after.iter().filter(|name| !before.contains(name)).collect();
    assert_eq!(added.len(), 2, "{added:?}");
    assert!(added[0].ends_with("_backfill_totals.down.sql"), "{added:?}");
    assert!(added[1].ends_with("_backfill_totals.up.sql"), "{added:?}");
    // Newer than every migration of the project: versions sort after the existing ones.
    assert!(after.last().unwrap().ends_with("_backfill_totals.up.sql"));
    let up = std::fs::read_to_string(project.join("migrations").join(added[1])).unwrap();
    assert_eq!(up, "-- Add up migration script here\n");
}

#[test]
fn migration_dry_run_prints_json_and_writes_nothing() {
    let (_folder, project) = new_project();
    let before = migration_names(&project);
    let output = generate(
        &project,
        &["migration", "add search", "--dry-run", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["dry_run"], true);
    let files = plan["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{plan}");
    assert!(
        files.iter().all(|file| file["action"] == "create"
            && file["path"].as_str().unwrap().contains("_add_search.")),
        "{plan}"
    );
    assert_eq!(migration_names(&project), before);
}

#[test]
fn migration_bad_inputs_exit_2_and_write_nothing() {
    let (_folder, project) = new_project();
    assert!(
        generate(&project, &["migration", "backfill_totals"])
            .status
            .success()
    );
    let before = migration_names(&project);
    for (name, expected) in [
        (
            "backfill_totals",
            "a migration named `backfill_totals` already exists",
        ),
        ("bad/name", "`/` is not allowed"),
        ("  ", "the name is empty"),
    ] {
        let output = generate(&project, &["migration", name]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(expected),
            "{name}: {}",
            stderr(&output)
        );
        assert_eq!(migration_names(&project), before, "{name} wrote something");
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let output = generate(elsewhere.path(), &["migration", "x"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("has no axiomod.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn module_writes_its_layers_and_registers_it() {
    let (_folder, project) = new_project();
    let output = generate(&project, &["module", "billing"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for layer in ["api", "application", "domain", "infrastructure"] {
        let path = project.join(format!("src/modules/billing/{layer}/mod.rs"));
        assert!(path.is_file(), "{}", path.display());
    }
    let root = std::fs::read_to_string(project.join("src/modules/billing/mod.rs")).unwrap();
    assert!(
        root.contains("pub fn routes(_state: &AppState) -> OpenApiRouter"),
        "{root}"
    );
    let registry = std::fs::read_to_string(project.join("src/modules/mod.rs")).unwrap();
    assert!(registry.contains("pub mod billing;"), "{registry}");
    assert!(
        registry.contains(".merge(billing::routes(state))"),
        "{registry}"
    );
    let project_file = std::fs::read_to_string(project.join("axiomod.toml")).unwrap();
    assert!(
        project_file.contains("modules = [\"billing\"]"),
        "{project_file}"
    );
}

#[test]
fn module_bad_inputs_exit_2_and_write_nothing() {
    let (_folder, project) = new_project();
    assert!(generate(&project, &["module", "billing"]).status.success());
    let before = std::fs::read_to_string(project.join("axiomod.toml")).unwrap();
    for (name, expected) in [
        ("billing", "the module `billing` already exists"),
        ("Billing", "`Billing` is not a snake_case name"),
        ("type", "`type` is a Rust keyword"),
    ] {
        let output = generate(&project, &["module", name]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(expected),
            "{name}: {}",
            stderr(&output)
        );
        assert_eq!(
            std::fs::read_to_string(project.join("axiomod.toml")).unwrap(),
            before,
            "{name} wrote something"
        );
    }
}

#[test]
fn entity_adds_a_slice_and_a_migration_per_run() {
    let (_folder, project) = new_project();
    assert!(generate(&project, &["module", "billing"]).status.success());
    let output = generate(
        &project,
        &[
            "entity",
            "Invoice",
            "--module",
            "billing",
            "number:string:unique",
            "total:decimal",
            "due:date:optional:indexed",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let schema = std::fs::read_to_string(project.join(".axiomod/schemas/billing.toml")).unwrap();
    assert!(
        schema.contains("[entities.Invoice.fields]\nnumber = { type = \"string\", unique = true }\ntotal = { type = \"decimal\" }\ndue = { type = \"date\", optional = true, indexed = true }"),
        "{schema}"
    );
    assert!(project.join("src/modules/billing/api/invoice.rs").is_file());
    assert!(project.join("tests/billing.rs").is_file());
    let create = migration_names(&project);
    assert!(
        create
            .iter()
            .any(|name| name.ends_with("_create_billing.up.sql")),
        "{create:?}"
    );

    // A second entity: a new migration creates its table; the first stays as it was.
    let output = generate(
        &project,
        &["entity", "Note", "--module", "billing", "body:text"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let names = migration_names(&project);
    let alter = names
        .iter()
        .find(|name| name.ends_with("_alter_billing.up.sql"))
        .unwrap_or_else(|| panic!("{names:?}"));
    let up = std::fs::read_to_string(project.join("migrations").join(alter)).unwrap();
    assert!(up.contains("CREATE TABLE notes ("), "{up}");
    assert!(!up.contains("invoices"), "{up}");
    let module = std::fs::read_to_string(project.join("src/modules/billing/mod.rs")).unwrap();
    assert!(module.contains("api::note::routes"), "{module}");
}

#[test]
fn entity_bad_inputs_exit_2_and_write_nothing() {
    let (_folder, project) = new_project();
    assert!(generate(&project, &["module", "billing"]).status.success());
    assert!(
        generate(
            &project,
            &["entity", "Note", "--module", "billing", "body:text"]
        )
        .status
        .success()
    );
    let before = migration_names(&project);
    let cases: [(&[&str], &str); 7] = [
        (
            &[
                "Invoice",
                "--module",
                "billing",
                "total:decimal",
                "price:money",
            ],
            "field 2 `price:money`, column 7: unknown type `money`",
        ),
        (
            &["Invoice", "--module", "billing", "total:decimal:uniq"],
            "column 15: unknown modifier `uniq`",
        ),
        (
            &["Invoice", "--module", "billing", "total"],
            "`total` has no type",
        ),
        (
            &["Invoice", "--module", "billing", "a:i32", "a:i64"],
            "`a` is named by an earlier field too",
        ),
        (
            &["Note", "--module", "billing", "body:text"],
            "already has an entity Note",
        ),
        (
            &["Invoice", "--module", "sales", "total:decimal"],
            "the project has no module `sales`",
        ),
        (
            &["invoice", "--module", "billing", "total:decimal"],
            "`invoice` cannot be an entity name",
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["entity"];
        full.extend_from_slice(args);
        let output = generate(&project, &full);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(
            migration_names(&project),
            before,
            "{args:?} wrote something"
        );
    }
}

/// Every file of the `billing` module's api folder with its contents, sorted by name.
fn billing_api(project: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> =
        std::fs::read_dir(project.join("src/modules/billing/api"))
            .unwrap()
            .map(|entry| {
                let entry = entry.unwrap();
                let contents = std::fs::read_to_string(entry.path()).unwrap();
                (entry.file_name().to_string_lossy().into_owned(), contents)
            })
            .collect();
    files.sort();
    files
}

/// A project with a `billing` module holding one entity (so it has a schema copy).
fn billing_project() -> (tempfile::TempDir, PathBuf) {
    let (folder, project) = new_project();
    assert!(generate(&project, &["module", "billing"]).status.success());
    assert!(
        generate(
            &project,
            &["entity", "Note", "--module", "billing", "body:text"]
        )
        .status
        .success()
    );
    (folder, project)
}

const PUBLISH: [&str; 8] = [
    "handler",
    "publish",
    "--module",
    "billing",
    "--method",
    "post",
    "--path",
    "/api/v1/notes/{id}/publish",
];

#[test]
fn handler_is_written_wired_and_survives_scaffold() {
    let (_folder, project) = billing_project();
    let output = generate(&project, &PUBLISH);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let api = project.join("src/modules/billing/api");
    let handler = std::fs::read_to_string(api.join("publish.rs")).unwrap();
    for expected in [
        "#[utoipa::path(post, path = \"/api/v1/notes/{id}/publish\", tag = \"billing\"",
        "(\"id\" = String, Path",
        "pub async fn publish(Path(id): Path<String>)",
        "handler: \"publish\".to_string(),",
    ] {
        assert!(handler.contains(expected), "{expected}: {handler}");
    }
    let custom = std::fs::read_to_string(api.join("custom.rs")).unwrap();
    assert!(
        custom.contains("#[path = \"publish.rs\"]\npub mod publish;"),
        "{custom}"
    );
    assert!(
        custom.contains(".routes(routes!(publish::publish))"),
        "{custom}"
    );

    // A second handler with the defaults: GET on /api/v1/<module>/<name>, no parameters.
    let output = generate(
        &project,
        &["handler", "health_report", "--module", "billing"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let second = std::fs::read_to_string(api.join("health_report.rs")).unwrap();
    assert!(
        second.contains("#[utoipa::path(get, path = \"/api/v1/billing/health-report\""),
        "{second}"
    );
    assert!(!second.contains("Path"), "{second}");

    // Re-running the scaffold of the module keeps both handlers and their routes.
    let before = billing_api(&project);
    let schema = project.join(".axiomod/schemas/billing.toml");
    let output = generate(&project, &["scaffold", schema.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(billing_api(&project), before);
    let root = std::fs::read_to_string(project.join("src/modules/billing/mod.rs")).unwrap();
    assert!(root.contains(".merge(api::custom::routes())"), "{root}");
}

#[test]
fn handler_dry_run_prints_json_and_writes_nothing() {
    let (_folder, project) = billing_project();
    let before = billing_api(&project);
    let mut args = PUBLISH.to_vec();
    args.extend(["--dry-run", "--format", "json"]);
    let output = generate(&project, &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let actions: Vec<(&str, &str)> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            (
                file["path"].as_str().unwrap(),
                file["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("src/modules/billing/api/publish.rs", "create"),
            ("src/modules/billing/api/custom.rs", "update"),
        ],
        "{plan}"
    );
    assert_eq!(billing_api(&project), before);
}

#[test]
fn handler_bad_inputs_exit_2_and_write_nothing() {
    let (_folder, project) = billing_project();
    assert!(generate(&project, &PUBLISH).status.success());
    let before = billing_api(&project);
    let cases: [(&[&str], &str); 14] = [
        (
            &["publish", "--module", "billing"],
            "publish.rs already exists",
        ),
        (&["note", "--module", "billing"], "note.rs already exists"),
        (
            &["custom", "--module", "billing"],
            "custom.rs already exists",
        ),
        (
            &["ping", "--module", "sales"],
            "the project has no module `sales`",
        ),
        (
            &["Ping", "--module", "billing"],
            "`Ping` cannot be a handler name",
        ),
        (
            &["type", "--module", "billing"],
            "`type` cannot be a handler name: `type` is a Rust keyword and cannot name its file's module",
        ),
        (
            &["ping", "--module", "billing", "--method", "head"],
            "invalid value 'head' for '--method <METHOD>'",
        ),
        (
            &["ping", "--module", "billing", "--path", "ping"],
            "it must start with `/`",
        ),
        (
            &["ping", "--module", "billing", "--path", "/ping/{Id}"],
            "the parameter `{Id}`",
        ),
        (
            &[
                "ping",
                "--module",
                "billing",
                "--path",
                "/api/v1/notes/{id}",
            ],
            "GET /api/v1/notes/{id} clashes with GET /api/v1/notes/{id}, served at src/modules/billing/api/note.rs:",
        ),
        (
            &[
                "ping",
                "--module",
                "billing",
                "--method",
                "put",
                "--path",
                "/api/v1/notes/{note_id}",
            ],
            "PUT /api/v1/notes/{note_id} clashes with GET /api/v1/notes/{id}",
        ),
        (
            &[
                "ping",
                "--module",
                "billing",
                "--method",
                "post",
                "--path",
                "/api/v1/notes/{note}/publish",
            ],
            "clashes with POST /api/v1/notes/{id}/publish, served at src/modules/billing/api/publish.rs:",
        ),
        (
            // A route added with plain `Router::route`, not documented by utoipa.
            &["ping", "--module", "billing", "--path", "/metrics"],
            "GET /metrics clashes with GET /metrics, served at src/platform/metrics.rs:",
        ),
        (
            &["ping", "--module", "billing", "--path", "/docs"],
            "GET /docs clashes with GET /docs, served at src/platform/openapi.rs:",
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["handler"];
        full.extend_from_slice(args);
        let output = generate(&project, &full);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(billing_api(&project), before, "{args:?} wrote something");
    }
    // Another method on a path that is served already is no clash: axum adds it to the path.
    let replace = [
        "handler",
        "replace",
        "--module",
        "billing",
        "--method",
        "put",
        "--path",
        "/api/v1/notes/{id}",
    ];
    let output = generate(&project, &replace);
    assert!(output.status.success(), "{}", stderr(&output));
}
