//! `axiomod new` on the real binary: every flag and every bad input. Each refusal is checked for
//! its exit code, its message (what was wrong and what to do) and for having written nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use sha2::{Digest, Sha256};

mod support;

/// Files every generated project holds today (DESIGN §3), besides the migrations.
const EXPECTED_FILES: &[&str] = &[
    ".axiomod/manifest.toml",
    ".gitignore",
    "Cargo.toml",
    "README.md",
    "axiomod.toml",
    "config/default.toml",
    "src/app.rs",
    "src/lib.rs",
    "src/main.rs",
    "src/modules/mod.rs",
    "src/platform/config.rs",
    "src/platform/db.rs",
    "src/platform/health.rs",
    "src/platform/http.rs",
    "src/platform/metrics.rs",
    "src/platform/mod.rs",
    "src/platform/openapi.rs",
    "src/platform/problem.rs",
    "src/platform/server.rs",
    "src/platform/state.rs",
    "src/platform/telemetry.rs",
    "tests/platform.rs",
];

fn axiomod() -> Command {
    let mut command = Command::cargo_bin("axiomod").expect("the axiomod binary is built for tests");
    // The tests must not depend on the CI variable of the machine running them; a hung prompt
    // must fail the test instead of blocking the suite.
    command.env_remove("CI").timeout(Duration::from_secs(120));
    command
}

/// `axiomod new` run inside `folder`.
fn new_in(folder: &Path) -> Command {
    let mut command = axiomod();
    command.current_dir(folder).arg("new");
    command
}

/// Every entry under `root` (folders too), relative, with the bytes of each file (`None` for a
/// folder): a before/after picture that shows any write, however small.
fn tree(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, folder: &Path, entries: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            if path.is_dir() {
                entries.insert(relative, None);
                walk(root, &path, entries);
            } else {
                entries.insert(relative, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut entries = BTreeMap::new();
    walk(root, root, &mut entries);
    entries
}

/// The files (not folders) under `root`, relative, with `/` separators.
fn files(root: &Path) -> BTreeSet<String> {
    tree(root)
        .into_iter()
        .filter(|(_, contents)| contents.is_some())
        .map(|(path, _)| path.to_string_lossy().replace('\\', "/"))
        .collect()
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn sha256(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("sha256:{hex}")
}

fn assert_no_staging_folder(folder: &Path) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.starts_with(".axiomod-"),
            "a staging entry was left behind in {}: {name}",
            folder.display()
        );
    }
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Stderr with miette's line wrapping undone (its gutter `│` and `×` dropped, every run of
/// whitespace one space), so a test can look for a whole sentence.
fn flat_stderr(output: &std::process::Output) -> String {
    stderr_of(output)
        .split_whitespace()
        .filter(|word| !matches!(*word, "│" | "×"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `(up, down)` migration file names; panics unless there is exactly one pair with a
/// 14-digit version.
fn migration_pair(project: &Path) -> (String, String) {
    let names: BTreeSet<String> = std::fs::read_dir(project.join("migrations"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let up = names
        .iter()
        .find(|name| name.ends_with("_axiomod_outbox.up.sql"))
        .unwrap_or_else(|| panic!("no up migration in {names:?}"));
    let version = up.strip_suffix("_axiomod_outbox.up.sql").unwrap();
    assert_eq!(version.len(), 14, "{up}");
    assert!(
        version.chars().all(|character| character.is_ascii_digit()),
        "{up}"
    );
    let down = format!("{version}_axiomod_outbox.down.sql");
    assert!(names.contains(&down), "{names:?}");
    (up.clone(), down)
}

/// Checks the tree of a freshly generated project named `name`; returns its files.
/// `user_files` are files that were there before and must not be in the manifest.
fn assert_project_tree(
    project: &Path,
    name: &str,
    database: &str,
    user_files: &[&str],
) -> BTreeSet<String> {
    let on_disk = files(project);
    for expected in EXPECTED_FILES {
        assert!(
            on_disk.contains(*expected),
            "{expected} missing: {on_disk:?}"
        );
    }
    let (up, down) = migration_pair(project);

    // The manifest names every file written (and only those) with the hash of its contents.
    let manifest: toml::Table = toml::from_str(&read(project.join(".axiomod/manifest.toml")))
        .expect("the manifest is TOML");
    let recorded = manifest["files"].as_table().expect("a [files] table");
    let written: BTreeSet<String> = on_disk
        .iter()
        .filter(|path| *path != ".axiomod/manifest.toml" && !user_files.contains(&path.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        recorded.keys().cloned().collect::<BTreeSet<_>>(),
        written,
        "manifest entries differ from the files written"
    );
    for (path, hash) in recorded {
        let bytes = std::fs::read(project.join(path)).unwrap();
        assert_eq!(hash.as_str(), Some(sha256(&bytes).as_str()), "{path}");
    }

    let cargo: toml::Table = toml::from_str(&read(project.join("Cargo.toml"))).unwrap();
    let package = cargo["package"].as_table().unwrap();
    assert_eq!(package["name"].as_str(), Some(name));
    assert_eq!(package["rust-version"].as_str(), Some("1.95"));
    assert_eq!(package["edition"].as_str(), Some("2024"));
    let sqlx_features: Vec<&str> = cargo["dependencies"]["sqlx"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|feature| feature.as_str().unwrap())
        .collect();
    let other_database = if database == "sqlite" {
        "postgres"
    } else {
        "sqlite"
    };
    assert!(sqlx_features.contains(&database), "{sqlx_features:?}");
    assert!(
        !sqlx_features.contains(&other_database),
        "{sqlx_features:?}"
    );

    let project_file: toml::Table = toml::from_str(&read(project.join("axiomod.toml"))).unwrap();
    assert_eq!(project_file["project"]["name"].as_str(), Some(name));
    assert_eq!(project_file["project"]["db"].as_str(), Some(database));
    assert_eq!(
        project_file["architecture"]["preset"].as_str(),
        Some("clean")
    );

    let up_sql = read(project.join("migrations").join(&up));
    let down_sql = read(project.join("migrations").join(&down));
    for table in ["axiomod_outbox", "axiomod_dead_letters"] {
        assert!(
            up_sql.contains(&format!("CREATE TABLE {table}")),
            "{up_sql}"
        );
        assert!(
            down_sql.contains(&format!("DROP TABLE {table}")),
            "{down_sql}"
        );
    }
    let postgres_types = ["JSONB", "TIMESTAMPTZ", "UUID PRIMARY KEY"];
    if database == "postgres" {
        for postgres_type in postgres_types {
            assert!(up_sql.contains(postgres_type), "{postgres_type}: {up_sql}");
        }
        assert!(!up_sql.contains("strftime"), "{up_sql}");
    } else {
        for postgres_type in postgres_types {
            assert!(!up_sql.contains(postgres_type), "{postgres_type}: {up_sql}");
        }
        assert!(up_sql.contains("id TEXT PRIMARY KEY"), "{up_sql}");
        assert!(up_sql.contains("strftime("), "{up_sql}");
    }

    let crate_name = name.replace('-', "_");
    let default_url = if database == "sqlite" {
        format!("sqlite://{crate_name}.db?mode=rwc")
    } else {
        format!("postgres://postgres@localhost:5432/{crate_name}")
    };
    let config = read(project.join("src/platform/config.rs"));
    assert!(
        config.contains(&default_url),
        "{default_url} not in {config}"
    );
    on_disk
}

// ---------------------------------------------------------------------------------------------
// Invalid names

#[test]
fn invalid_names_exit_2_with_the_reason_and_a_valid_suggestion_and_write_nothing() {
    let too_long = "a".repeat(41);
    let cases: &[(&str, &str, &str)] = &[
        ("", "it is empty", "my-service"),
        ("Shop", "must start with a lowercase letter", "shop"),
        ("order_service", "`_` is not allowed", "order-service"),
        ("1shop", "must start with a lowercase letter", "shop"),
        ("shop-", "dashes must separate words", "shop"),
        ("a--b", "dashes must separate words", "a-b"),
        ("type", "it is a Rust keyword", "type-service"),
        ("fn", "it is a Rust keyword", "fn-service"),
        (
            "std",
            "Cargo or the standard library reserves it",
            "std-service",
        ),
        (
            "test",
            "Cargo or the standard library reserves it",
            "test-service",
        ),
        (
            "axum",
            "the generated service depends on a crate of that name",
            "axum-service",
        ),
        (
            &too_long,
            "it is longer than 40 characters",
            &too_long[..40],
        ),
    ];
    for (name, reason, suggestion) in cases {
        let folder = tempfile::tempdir().unwrap();
        let output = new_in(folder.path())
            .args([name, "--db", "sqlite"])
            .output()
            .unwrap();
        let stderr = flat_stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{name:?}: {stderr}");
        // miette breaks a word longer than its line, so the long name is not looked for whole.
        let what = if name.len() > 40 {
            "is not a valid service name".to_string()
        } else {
            format!("`{name}` is not a valid service name")
        };
        assert!(stderr.contains(&what), "{name:?}: {stderr}");
        assert!(stderr.contains(reason), "{name:?}: {stderr}");
        assert!(
            stderr.contains(&format!("e.g. `{suggestion}`")),
            "{name:?} should suggest {suggestion:?}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{name:?}: {output:?}");
        assert!(tree(folder.path()).is_empty(), "{name:?} wrote something");
    }
}

#[test]
fn invalid_name_writes_nothing_even_with_force_and_an_explicit_path() {
    let folder = tempfile::tempdir().unwrap();
    new_in(folder.path())
        .args(["Shop", "--path", "out", "--force", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`Shop` is not a valid service name",
        ));
    assert!(tree(folder.path()).is_empty());
}

#[test]
fn a_name_of_exactly_40_characters_is_accepted() {
    let folder = tempfile::tempdir().unwrap();
    let name = format!("a{}", "-b".repeat(19) + "c");
    assert_eq!(name.len(), 40);
    new_in(folder.path())
        .args([&name, "--db", "sqlite"])
        .assert()
        .success();
    assert_project_tree(&folder.path().join(&name), &name, "sqlite", &[]);
}

// ---------------------------------------------------------------------------------------------
// The target folder

#[test]
fn target_that_is_a_file_is_refused_and_left_untouched() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("shop"), "my notes\n").unwrap();
    let before = tree(folder.path());
    let output = new_in(folder.path())
        .args(["shop", "--db", "sqlite"])
        .output()
        .unwrap();
    let stderr = flat_stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("exists and is not a folder"), "{stderr}");
    assert!(stderr.contains("choose another --path"), "{stderr}");
    assert_eq!(tree(folder.path()), before);
}

#[test]
fn target_that_is_a_file_is_refused_even_with_force() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("shop"), "my notes\n").unwrap();
    let before = tree(folder.path());
    new_in(folder.path())
        .args(["shop", "--force"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exists and is not a folder"));
    assert_eq!(tree(folder.path()), before);
}

#[test]
fn non_empty_target_is_refused_listing_its_entries_and_left_byte_for_byte() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("shop");
    std::fs::create_dir_all(target.join("src")).unwrap();
    std::fs::write(target.join("notes.txt"), "keep me\n").unwrap();
    std::fs::write(target.join("README.md"), "# my own readme\n").unwrap();
    std::fs::write(target.join("src/main.rs"), "fn main() { /* mine */ }\n").unwrap();
    let before = tree(folder.path());
    let output = new_in(folder.path())
        .args(["shop", "--db", "postgres"])
        .output()
        .unwrap();
    let stderr = flat_stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("exists and is not empty"), "{stderr}");
    for entry in ["notes.txt", "README.md", "src"] {
        assert!(stderr.contains(entry), "{entry} not listed: {stderr}");
    }
    assert!(
        stderr.contains("--force"),
        "the hint names --force: {stderr}"
    );
    assert_eq!(tree(folder.path()), before);
}

#[test]
fn force_writes_into_a_non_empty_folder_keeping_unrelated_files() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("shop");
    std::fs::create_dir_all(target.join("src/extra")).unwrap();
    std::fs::create_dir_all(target.join("docs")).unwrap();
    let unrelated: &[(&str, &str)] = &[
        ("notes.txt", "keep me\n"),
        ("docs/design.md", "# my design\n"),
        ("src/extra/helper.rs", "pub fn mine() {}\n"),
    ];
    for (path, contents) in unrelated {
        std::fs::write(target.join(path), contents).unwrap();
    }
    std::fs::write(target.join("README.md"), "# my own readme\n").unwrap();

    let output = new_in(folder.path())
        .args(["shop", "--db", "sqlite", "--force", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));

    for (path, contents) in unrelated {
        assert_eq!(read(target.join(path)), *contents, "{path} was touched");
    }
    // The same-named file is overwritten with the generated one.
    let readme = read(target.join("README.md"));
    assert_ne!(readme, "# my own readme\n");
    assert!(readme.contains("shop"), "{readme}");

    let user_files = ["notes.txt", "docs/design.md", "src/extra/helper.rs"];
    let on_disk = assert_project_tree(&target, "shop", "sqlite", &user_files);
    assert!(user_files.iter().all(|path| on_disk.contains(*path)));
    assert_no_staging_folder(folder.path());
    assert_no_staging_folder(&target);

    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["dry_run"], false);
    let reported: BTreeSet<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["path"].as_str().unwrap())
        .collect();
    assert!(reported.contains("README.md"), "{reported:?}");
    assert!(!reported.contains("notes.txt"), "{reported:?}");
}

#[test]
fn empty_existing_target_is_used() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("shop");
    std::fs::create_dir(&target).unwrap();
    new_in(folder.path())
        .args(["shop", "--db", "sqlite"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Created"));
    assert_project_tree(&target, "shop", "sqlite", &[]);
    assert_no_staging_folder(folder.path());
    assert_eq!(
        tree(folder.path())
            .keys()
            .filter(|path| path.components().count() == 1)
            .collect::<Vec<_>>(),
        vec![Path::new("shop")]
    );
}

#[test]
fn empty_current_folder_can_be_the_target() {
    // `mkdir shop && cd shop && axiomod new shop --path .`
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("shop");
    std::fs::create_dir(&target).unwrap();
    let output = new_in(&target)
        .args(["shop", "--db", "sqlite", "--path", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_project_tree(&target, "shop", "sqlite", &[]);
    assert_no_staging_folder(folder.path());
    assert_no_staging_folder(&target);
}

#[cfg(unix)]
#[test]
fn empty_existing_target_keeps_its_folder() {
    // The folder may be a shell's current folder: it must stay the same folder, not be
    // replaced by another one of the same name.
    use std::os::unix::fs::MetadataExt;
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("shop");
    std::fs::create_dir(&target).unwrap();
    let inode = std::fs::metadata(&target).unwrap().ino();
    new_in(folder.path())
        .args(["shop", "--db", "sqlite"])
        .assert()
        .success();
    assert_eq!(std::fs::metadata(&target).unwrap().ino(), inode);
    assert_project_tree(&target, "shop", "sqlite", &[]);
}

#[cfg(unix)]
#[test]
fn symlink_to_an_empty_folder_is_followed_and_kept() {
    let folder = tempfile::tempdir().unwrap();
    let real = folder.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink("real", folder.path().join("link")).unwrap();
    let output = new_in(folder.path())
        .args(["shop", "--db", "sqlite", "--path", "link"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(
        std::fs::symlink_metadata(folder.path().join("link"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_project_tree(&real, "shop", "sqlite", &[]);
    assert_no_staging_folder(folder.path());
}

#[test]
fn a_crowded_target_lists_some_entries_and_counts_the_rest() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("shop");
    std::fs::create_dir(&target).unwrap();
    for index in 0..8 {
        std::fs::write(target.join(format!("file-{index}.txt")), "x").unwrap();
    }
    let before = tree(folder.path());
    let output = new_in(folder.path()).arg("shop").output().unwrap();
    let stderr = flat_stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("file-0.txt, file-1.txt, file-2.txt, file-3.txt, file-4.txt and 3 more"),
        "{stderr}"
    );
    assert_eq!(tree(folder.path()), before);
}

#[test]
fn path_below_a_regular_file_is_refused_cleanly() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("blocker"), "a file, not a folder\n").unwrap();
    let before = tree(folder.path());
    let output = new_in(folder.path())
        .args(["shop", "--db", "sqlite", "--path", "blocker/services/shop"])
        .output()
        .unwrap();
    let stderr = flat_stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot create"), "{stderr}");
    assert!(stderr.contains("blocker"), "{stderr}");
    assert!(stderr.contains("Not a directory"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(tree(folder.path()), before);
}

#[cfg(target_os = "linux")]
#[test]
fn path_where_nothing_can_be_created_is_refused_cleanly() {
    // Root ignores permissions, but not /proc: no folder can be made there.
    let folder = tempfile::tempdir().unwrap();
    let parent = PathBuf::from(format!("/proc/axiomod-test-{}", std::process::id()));
    let target = parent.join("shop");
    let output = new_in(folder.path())
        .args(["shop", "--db", "sqlite", "--path"])
        .arg(&target)
        .output()
        .unwrap();
    let stderr = flat_stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot create {}", parent.display())),
        "{stderr}"
    );
    assert!(stderr.contains("writable"), "{stderr}");
    assert!(!parent.exists());
    assert!(tree(folder.path()).is_empty());
}

// ---------------------------------------------------------------------------------------------
// --db

#[test]
fn unknown_database_is_a_usage_error_listing_the_choices() {
    let folder = tempfile::tempdir().unwrap();
    let output = new_in(folder.path())
        .args(["shop", "--db", "mongo"])
        .output()
        .unwrap();
    let stderr = flat_stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid value 'mongo'"), "{stderr}");
    assert!(stderr.contains("--db"), "{stderr}");
    assert!(stderr.contains("postgres"), "{stderr}");
    assert!(stderr.contains("sqlite"), "{stderr}");
    assert!(stderr.contains("possible values"), "{stderr}");
    assert!(tree(folder.path()).is_empty());
}

// ---------------------------------------------------------------------------------------------
// --broker

#[test]
fn unknown_broker_is_a_usage_error_listing_the_choices() {
    let folder = tempfile::tempdir().unwrap();
    let output = new_in(folder.path())
        .args(["shop", "--db", "sqlite", "--broker", "kafka"])
        .output()
        .unwrap();
    let stderr = flat_stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid value 'kafka'"), "{stderr}");
    assert!(stderr.contains("--broker"), "{stderr}");
    for choice in ["none", "nats", "rabbitmq"] {
        assert!(stderr.contains(choice), "{choice}: {stderr}");
    }
    assert!(stderr.contains("possible values"), "{stderr}");
    assert!(tree(folder.path()).is_empty());
}

/// The broker client crates a project's Cargo.toml depends on.
fn broker_crates(project: &Path) -> Vec<String> {
    let cargo: toml::Table = toml::from_str(&read(project.join("Cargo.toml"))).unwrap();
    let dependencies = cargo["dependencies"].as_table().unwrap();
    ["async-nats", "lapin"]
        .into_iter()
        .filter(|name| dependencies.contains_key(*name))
        .map(str::to_string)
        .collect()
}

#[test]
fn each_broker_brings_its_client_module_and_records_itself() {
    for (broker, crates, database) in [
        (Some("none"), &[][..], "sqlite"),
        (None, &[][..], "postgres"),
        (Some("nats"), &["async-nats"][..], "postgres"),
        (Some("rabbitmq"), &["lapin"][..], "sqlite"),
    ] {
        let folder = tempfile::tempdir().unwrap();
        let mut command = new_in(folder.path());
        command.args(["shop", "--db", database]);
        if let Some(broker) = broker {
            command.args(["--broker", broker]);
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
        let project = folder.path().join("shop");
        let on_disk = assert_project_tree(&project, "shop", database, &[]);
        let expected = broker.unwrap_or("none");
        assert_eq!(broker_crates(&project), crates, "{expected}");

        let project_file: toml::Table =
            toml::from_str(&read(project.join("axiomod.toml"))).unwrap();
        assert_eq!(
            project_file["project"]["broker"].as_str(),
            Some(expected),
            "{expected}"
        );

        let has_module = on_disk.contains("src/platform/broker.rs");
        let platform = read(project.join("src/platform/mod.rs"));
        let state = read(project.join("src/platform/state.rs"));
        let health = read(project.join("src/platform/health.rs"));
        let app = read(project.join("src/app.rs"));
        if expected == "none" {
            assert!(!has_module, "{on_disk:?}");
            assert!(!platform.contains("broker"), "{platform}");
            assert!(!state.contains("broker"), "{state}");
            assert!(!health.contains("\"broker\""), "{health}");
            assert!(!app.contains("BROKER_URL"), "{app}");
        } else {
            assert!(has_module, "{expected}: {on_disk:?}");
            assert!(platform.contains("pub mod broker;"), "{platform}");
            assert!(state.contains("pub broker: Broker"), "{state}");
            assert!(health.contains("timed_check(\"broker\""), "{health}");
            assert!(app.contains("BROKER_URL is not set"), "{app}");
            let module = read(project.join("src/platform/broker.rs"));
            let (client, other) = if expected == "nats" {
                ("async_nats", "lapin")
            } else {
                ("lapin", "async_nats")
            };
            assert!(module.contains(client), "{module}");
            assert!(!module.contains(other), "{module}");
        }
    }
}

#[test]
fn unknown_format_is_a_usage_error() {
    let folder = tempfile::tempdir().unwrap();
    new_in(folder.path())
        .args(["shop", "--format", "yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'yaml'"));
    assert!(tree(folder.path()).is_empty());
}

#[test]
fn sqlite_project_has_the_expected_tree() {
    let folder = tempfile::tempdir().unwrap();
    let output = new_in(folder.path())
        .args(["shop", "--db", "sqlite"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let project = folder.path().join("shop");
    let generated = assert_project_tree(&project, "shop", "sqlite", &[]);
    // The summary counts the files written (the manifest is bookkeeping, not counted).
    assert!(
        stdout.contains(&format!("Created {} files in shop", generated.len() - 1)),
        "{stdout}"
    );
    assert!(stdout.contains("cd shop"), "{stdout}");
    assert_no_staging_folder(folder.path());
}

#[test]
fn postgres_project_has_the_expected_tree_at_a_nested_path() {
    let folder = tempfile::tempdir().unwrap();
    let output = new_in(folder.path())
        .args([
            "billing-v2",
            "--db",
            "postgres",
            "--path",
            "services/billing",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let project = folder.path().join("services/billing");
    assert_project_tree(&project, "billing-v2", "postgres", &[]);
    assert!(!folder.path().join("billing-v2").exists());
    assert_no_staging_folder(&folder.path().join("services"));
}

#[test]
fn json_output_lists_the_files_written() {
    let folder = tempfile::tempdir().unwrap();
    let output = new_in(folder.path())
        .args(["shop", "--db", "postgres", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["root"], "shop");
    let reported: BTreeSet<String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            assert_eq!(file["action"], "create");
            file["path"].as_str().unwrap().to_string()
        })
        .collect();
    let mut on_disk = files(&folder.path().join("shop"));
    on_disk.remove(".axiomod/manifest.toml");
    assert_eq!(reported, on_disk);
}

#[test]
fn without_db_and_without_a_terminal_sqlite_is_chosen_without_prompting() {
    let folder = tempfile::tempdir().unwrap();
    // Stdin is an empty, closed pipe: a prompt would fail or hang (and time out).
    let output = new_in(folder.path())
        .arg("shop")
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_project_tree(&folder.path().join("shop"), "shop", "sqlite", &[]);
}

#[test]
fn yes_takes_the_defaults() {
    for flag in ["--yes", "-y"] {
        let folder = tempfile::tempdir().unwrap();
        new_in(folder.path())
            .args(["shop", flag])
            .write_stdin("")
            .assert()
            .success();
        assert_project_tree(&folder.path().join("shop"), "shop", "sqlite", &[]);
    }
}

// ---------------------------------------------------------------------------------------------
// Running twice

#[test]
fn second_run_into_the_same_folder_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    new_in(folder.path())
        .args(["shop", "--db", "sqlite"])
        .assert()
        .success();
    let before = tree(folder.path());
    new_in(folder.path())
        .args(["shop", "--db", "postgres"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exists and is not empty"));
    assert_eq!(tree(folder.path()), before);
}

#[test]
fn forced_rerun_of_the_same_project_writes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    new_in(folder.path())
        .args(["shop", "--db", "sqlite"])
        .assert()
        .success();
    let project = folder.path().join("shop");
    // Migration versions are seconds: a rerun a second later must still not add a twin of the
    // first migration (it would create the same tables twice).
    std::thread::sleep(Duration::from_millis(1100));
    let before = tree(&project);
    let output = new_in(folder.path())
        .args(["shop", "--db", "sqlite", "--force", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["files"], serde_json::json!([]), "{report}");
    assert_eq!(tree(&project), before);
}

#[test]
fn forced_rerun_overwrites_an_edited_generated_file() {
    let folder = tempfile::tempdir().unwrap();
    new_in(folder.path())
        .args(["shop", "--db", "sqlite"])
        .assert()
        .success();
    let project = folder.path().join("shop");
    let generated = read(project.join("src/app.rs"));
    std::fs::write(project.join("src/app.rs"), "// edited\n").unwrap();
    std::fs::write(project.join("mine.txt"), "mine\n").unwrap();
    new_in(folder.path())
        .args(["shop", "--db", "sqlite", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Created 1 files"));
    assert_eq!(read(project.join("src/app.rs")), generated);
    assert_eq!(read(project.join("mine.txt")), "mine\n");
    assert_project_tree(&project, "shop", "sqlite", &["mine.txt"]);
}

// ---------------------------------------------------------------------------------------------
// --dry-run

#[test]
fn dry_run_lists_the_files_and_writes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let output = new_in(folder.path())
        .args(["shop", "--db", "postgres", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    let planned = rows.iter().filter(|row| row.first() == Some(&"create"));
    assert_eq!(
        stdout.lines().next(),
        Some(format!("Would write {} files in shop:", planned.count()).as_str()),
        "{stdout}"
    );
    assert!(stdout.contains("nothing was written"), "{stdout}");
    for expected in EXPECTED_FILES
        .iter()
        .filter(|path| **path != ".axiomod/manifest.toml")
    {
        assert!(
            rows.contains(&vec!["create", expected]),
            "{expected}: {stdout}"
        );
    }
    assert!(stdout.contains("_axiomod_outbox.up.sql"), "{stdout}");
    assert!(tree(folder.path()).is_empty());
}

#[test]
fn dry_run_as_json_is_valid_and_writes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let output = new_in(folder.path())
        .args([
            "shop",
            "--dry-run",
            "--format",
            "json",
            "--path",
            "out/shop",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["root"], "out/shop");
    let paths: BTreeSet<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            assert_eq!(file["action"], "create");
            file["path"].as_str().unwrap()
        })
        .collect();
    for expected in EXPECTED_FILES
        .iter()
        .filter(|path| **path != ".axiomod/manifest.toml")
    {
        assert!(paths.contains(expected), "{expected}: {paths:?}");
    }
    assert_eq!(
        paths
            .iter()
            .filter(|path| path.starts_with("migrations/"))
            .count(),
        2
    );
    assert!(tree(folder.path()).is_empty());
}

#[test]
fn dry_run_refuses_what_the_real_run_would_refuse() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("shop");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("notes.txt"), "keep me\n").unwrap();
    std::fs::write(folder.path().join("file"), "a file\n").unwrap();
    let before = tree(folder.path());
    new_in(folder.path())
        .args(["shop", "--dry-run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exists and is not empty"));
    new_in(folder.path())
        .args(["shop", "--dry-run", "--path", "file"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exists and is not a folder"));
    new_in(folder.path())
        .args(["Shop", "--dry-run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a valid service name"));
    // With --force the preview is allowed, and still writes nothing.
    new_in(folder.path())
        .args(["shop", "--dry-run", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing was written"));
    assert_eq!(tree(folder.path()), before);
}

#[test]
fn forced_dry_run_shows_which_of_your_files_would_be_overwritten() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("shop");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("notes.txt"), "keep me\n").unwrap();
    std::fs::write(target.join("README.md"), "# mine\n").unwrap();
    let before = tree(folder.path());

    let output = new_in(folder.path())
        .args(["shop", "--dry-run", "--force"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let readme = stdout
        .lines()
        .find(|line| line.contains("README.md"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(readme.trim_start().starts_with("conflict"), "{stdout}");
    assert!(readme.contains("overwritten by --force"), "{stdout}");
    assert!(!stdout.contains("notes.txt"), "{stdout}");

    let output = new_in(folder.path())
        .args(["shop", "--dry-run", "--force", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let actions: BTreeMap<&str, &str> = report["files"]
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
    assert_eq!(actions["README.md"], "conflict");
    assert_eq!(actions["Cargo.toml"], "create");
    assert_eq!(tree(folder.path()), before);
}

// ---------------------------------------------------------------------------------------------
// Help

#[test]
fn help_shows_the_examples_and_every_flag() {
    let output = axiomod().args(["new", "--help"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "Examples:",
        "axiomod new shop --db sqlite",
        "axiomod new billing --db postgres --path services/billing",
        "axiomod new shop --dry-run",
        "--path",
        "--db",
        "--force",
        "--dry-run",
        "--yes",
        "--format",
        "[possible values: postgres, sqlite]",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
}

#[test]
fn missing_name_is_a_usage_error() {
    let folder = tempfile::tempdir().unwrap();
    new_in(folder.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("<NAME>"));
    assert!(tree(folder.path()).is_empty());
}

#[test]
fn a_reader_that_stops_early_does_not_make_commands_panic() {
    // `axiomod new shop --dry-run | head -1` and `axiomod completions bash | head -1` panicked:
    // "failed printing to stdout: Broken pipe". The reader here closes the pipe at once.
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("shop");
    let target = target.to_str().unwrap();
    for arguments in [
        vec!["new", "shop", "--dry-run", "--yes", "--path", target],
        vec!["completions", "bash"],
    ] {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("axiomod"));
        command.args(&arguments);
        let output = support::output_with_closed(command, support::Closed::Stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{arguments:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{arguments:?}: {stderr}");
    }
}

#[test]
fn a_closed_stderr_does_not_turn_an_error_into_a_panic() {
    // The error report went out through `eprintln!`, which panics (exit 101) when stderr is a
    // closed pipe. The exit code must stay the error's, with the human and the JSON report.
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("fn");
    let target = target.to_str().unwrap();
    for format in [None, Some("json")] {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("axiomod"));
        command.args(["new", "fn", "--yes", "--path", target]);
        if let Some(format) = format {
            command.args(["--format", format]);
        }
        let output = support::output_with_closed(command, support::Closed::Stderr);
        assert_eq!(output.status.code(), Some(2), "{format:?}");
    }
    assert!(!folder.path().join("fn").exists());
}
