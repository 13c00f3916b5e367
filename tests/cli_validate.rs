//! `axiomod validate` on the real binary: config errors, formats, baselines, --changed-since,
//! and a forbidden edge injected into a service laid out like a generated one.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

mod support;

fn axiomod() -> Command {
    let mut command = Command::cargo_bin("axiomod").expect("the axiomod binary is built for tests");
    // Keep the parse cache out of the home directory; tests that edit files and run again
    // exercise its invalidation.
    command.env(
        "AXIOMOD_CACHE_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("axiomod-cache"),
    );
    command
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/validate")
        .join(name)
}

/// A writable copy of a fixture crate (without its expected.json).
fn copy_fixture(name: &str) -> TempDir {
    let directory = tempfile::tempdir().unwrap();
    copy_tree(&fixture(name), directory.path());
    std::fs::remove_file(directory.path().join("expected.json")).unwrap();
    directory
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn json_of(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn validate_json(directory: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let output = axiomod()
        .args(["validate", "--format", "json"])
        .args(extra)
        .arg(directory)
        .output()
        .unwrap();
    (output.status.code(), json_of(&output))
}

/// What `axiomod validate --no-cache <extra> <directory>` prints on stdout.
fn validate_stdout(directory: &Path, extra: &[&str]) -> String {
    let output = axiomod()
        .args(["validate", "--no-cache"])
        .args(extra)
        .arg(directory)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn write_config(directory: &Path, text: &str) {
    std::fs::write(directory.join("axiomod.toml"), text).unwrap();
}

#[test]
fn a_forbidden_edge_injected_into_a_service_is_reported_where_it_is() {
    let project = copy_fixture("service");
    let (code, report) = validate_json(project.path(), &[]);
    assert_eq!(code, Some(0), "{report:#}");
    let order = project.path().join("src/modules/sales/domain/order.rs");
    let lines_before = std::fs::read_to_string(&order).unwrap().lines().count();
    support::files::append(
        &order,
        "\nfn leak(_: &crate::modules::sales::infrastructure::PgOrderRepository) {}\n",
    );
    let (code, report) = validate_json(project.path(), &[]);
    assert_eq!(code, Some(1));
    let violations = report["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{report:#}");
    let violation = &violations[0];
    assert_eq!(violation["rule"], "layer");
    assert_eq!(violation["file"], "src/modules/sales/domain/order.rs");
    assert_eq!(violation["line"], lines_before + 2);
    assert_eq!(violation["column"], 13);
    assert_eq!(violation["from"]["layer"], "domain");
    assert_eq!(violation["to"]["layer"], "infrastructure");
}

#[test]
fn the_path_defaults_to_the_current_directory() {
    axiomod()
        .arg("validate")
        .current_dir(fixture("service"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ok: no violations in 24 files checked",
        ));
}

#[test]
fn human_output_shows_the_source_line_with_a_caret_and_a_hint() {
    let output = axiomod()
        .arg("validate")
        .arg(fixture("reexport_chain"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    let expected = "\
error[crate]: domain must not use crate `sqlx` through a re-export
 --> src/domain.rs:6:5
  |
6 | use crate::shared::SharedPool;
  |     ^^^^^^^^^^^^^^^^^^^^^^^^^
  = from: crate::domain (layer domain)
  = to:   sqlx::PgPool (crate sqlx)
  = via:  crate::shared::SharedPool -> crate::platform::Pool -> sqlx::PgPool
  = hint: `sqlx` is in forbid_crates of layer domain;";
    assert!(text.contains(expected), "{text}");
    assert!(
        text.ends_with("error: 5 violations in 5 files checked\n"),
        "{text}"
    );
}

#[test]
fn github_annotations_carry_file_line_and_column() {
    let output = axiomod()
        .args(["validate", "--format", "github"])
        .arg(fixture("use_trees"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(
            "::error file=src/domain.rs,line=3,col=22,endLine=3,endColumn=26,title=axiomod layer::domain must not use infrastructure"
        ),
        "{first}"
    );
    assert_eq!(text.lines().count(), 6);
}

#[test]
fn a_reader_that_stops_early_does_not_make_it_panic() {
    // `axiomod validate --format json | head -1` on tokio panicked: "failed printing to
    // stdout: Broken pipe". The reader here closes the pipe before anything is written.
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("axiomod"));
    command
        .args(["validate", "--format", "json"])
        .arg(fixture("module_files"))
        .env(
            "AXIOMOD_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("axiomod-cache"),
        );
    let output = support::output_with_closed(command, support::Closed::Stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
}

#[test]
fn junit_has_one_case_per_file_and_one_failure_per_violation() {
    let output = axiomod()
        .args(["validate", "--format", "junit"])
        .arg(fixture("module_files"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    assert!(
        text.contains("tests=\"10\" failures=\"5\" errors=\"0\""),
        "{text}"
    );
    assert_eq!(text.matches("<testcase ").count(), 10);
    assert_eq!(text.matches("<failure ").count(), 5);
    assert!(text.contains("<testcase classname=\"architecture\" name=\"src/lib.rs\"/>"));
}

/// The official SARIF 2.1.0 schema that scripts/setup.sh installs into `.tools`. Missing:
/// the test is skipped with a loud message, except under `CI=true`, where it fails.
fn official_sarif_schema() -> Option<serde_json::Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/sarif-2.1.0.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("the official schema is JSON")),
        Err(_) if std::env::var("CI").is_ok_and(|value| value == "true") => {
            panic!("{} is missing: run scripts/setup.sh", path.display())
        }
        Err(_) => {
            eprintln!(
                "\n!!!!!!!! SKIPPED: {} is missing (run scripts/setup.sh) !!!!!!!!\n",
                path.display()
            );
            None
        }
    }
}

#[test]
fn sarif_output_is_valid_against_the_official_schema() {
    let Some(schema) = official_sarif_schema() else {
        return;
    };
    let validator = jsonschema::validator_for(&schema).expect("the official schema compiles");
    for name in [
        "reexport_chain",
        "file_errors",
        "unmapped_and_ignore",
        "service",
        "use_trees",
    ] {
        let output = axiomod()
            .args(["validate", "--format", "sarif"])
            .arg(fixture(name))
            .output()
            .unwrap();
        let document = json_of(&output);
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        let mut broken = document.clone();
        broken["runs"][0]["tool"]["driver"]["invented"] = "x".into();
        assert!(
            !validator.is_valid(&broken),
            "the schema must refuse invented properties"
        );
    }
}

#[test]
fn sarif_uris_are_percent_encoded() {
    // A module file named through `#[path]` may hold characters a URI must not.
    let project = copy_fixture("module_files");
    let source = project.path().join("src/domain/orders/lines.rs");
    std::fs::rename(
        &source,
        project.path().join("src/domain/orders/my lines%.rs"),
    )
    .unwrap();
    let parent = project.path().join("src/domain/orders/mod.rs");
    let text = std::fs::read_to_string(&parent).unwrap();
    let text = text.replace(
        "pub mod lines;",
        "#[path = \"my lines%.rs\"]\npub mod lines;",
    );
    std::fs::write(&parent, text).unwrap();
    let output = axiomod()
        .args(["validate", "--format", "sarif"])
        .arg(project.path())
        .output()
        .unwrap();
    let document = json_of(&output);
    let uris: Vec<&str> = document["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"src/domain/orders/my%20lines%25.rs"),
        "{uris:?}"
    );
}

#[test]
fn sarif_output_is_valid_and_fingerprints_are_stable() {
    let schema_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sarif/sarif-2.1.0-subset.schema.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let sarif_of = |directory: &Path, extra: &[&str]| {
        let output = axiomod()
            .args(["validate", "--format", "sarif"])
            .args(extra)
            .arg(directory)
            .output()
            .unwrap();
        json_of(&output)
    };
    for name in [
        "reexport_chain",
        "file_errors",
        "unmapped_and_ignore",
        "service",
    ] {
        let document = sarif_of(&fixture(name), &[]);
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // A document with an invented property must fail, or the check above proves nothing.
    let mut broken = sarif_of(&fixture("use_trees"), &[]);
    broken["runs"][0]["results"][0]["severity"] = "high".into();
    assert!(!validator.is_valid(&broken));

    // Fingerprints survive a line shift; baselined results are suppressed.
    let project = copy_fixture("use_trees");
    let baseline = project.path().join("baseline.json");
    let baseline_text = baseline.to_str().unwrap();
    let before = sarif_of(project.path(), &[]);
    let domain = project.path().join("src/domain.rs");
    let text = std::fs::read_to_string(&domain).unwrap();
    std::fs::write(&domain, format!("\n\n{text}")).unwrap();
    axiomod()
        .args(["validate", "--baseline", baseline_text, "--update-baseline"])
        .arg(project.path())
        .assert()
        .code(0);
    let after = sarif_of(project.path(), &["--baseline", baseline_text]);
    let fingerprints = |document: &serde_json::Value| -> Vec<String> {
        document["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|result| result["partialFingerprints"]["axiomodViolation/v1"].to_string())
            .collect()
    };
    assert_eq!(fingerprints(&before), fingerprints(&after));
    let results = after["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
    assert!(
        results
            .iter()
            .all(|result| result["suppressions"][0]["kind"] == "external")
    );
    assert!(validator.is_valid(&after));
}

#[test]
fn baselines_accept_todays_violations_and_fail_new_ones() {
    let project = copy_fixture("use_trees");
    // .axiomod/ does not exist yet: writing the baseline creates it.
    let baseline = project.path().join(".axiomod/baseline.json");
    let baseline_text = baseline.to_str().unwrap();
    axiomod()
        .args(["validate", "--baseline", baseline_text, "--update-baseline"])
        .arg(project.path())
        .assert()
        .code(0)
        .stderr(predicate::str::contains("wrote 6 accepted violation(s)"));
    let (code, report) = validate_json(project.path(), &["--baseline", baseline_text]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["baselined"].as_array().unwrap().len(), 6);

    // A new violation fails; the accepted ones stay accepted even after lines moved.
    let domain = project.path().join("src/domain.rs");
    let text = std::fs::read_to_string(&domain).unwrap();
    std::fs::write(&domain, format!("use crate::platform::Clock;\n{text}")).unwrap();
    let (code, report) = validate_json(project.path(), &["--baseline", baseline_text]);
    assert_eq!(code, Some(1));
    let new = report["violations"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{report:#}");
    assert_eq!(new[0]["line"], 1);
    assert_eq!(new[0]["to"]["path"], "crate::platform::Clock");

    // Fixed violations leave stale entries: reported, and failing only when strict.
    let fixed = text.replace("use crate::infrastructure::*;\n", "");
    std::fs::write(&domain, fixed).unwrap();
    let (code, report) = validate_json(project.path(), &["--baseline", baseline_text]);
    assert_eq!(code, Some(0), "{report:#}");
    let stale = report["stale_baseline"].as_array().unwrap();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0]["to"], "crate::infrastructure");
    assert_eq!(stale[0]["missing"], 1);
    let (code, _) = validate_json(
        project.path(),
        &["--baseline", baseline_text, "--strict-baseline"],
    );
    assert_eq!(code, Some(1));
}

#[test]
fn a_broken_baseline_is_a_usage_error_pointing_at_the_place() {
    let project = copy_fixture("use_trees");
    let baseline = project.path().join("baseline.json");
    std::fs::write(&baseline, "{\"version\": 1, \"entries\": [}\n").unwrap();
    axiomod()
        .args(["validate", "--baseline"])
        .arg(&baseline)
        .arg(project.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not valid"))
        .stderr(predicate::str::contains("1:"));
    axiomod()
        .args(["validate", "--baseline", "missing.json"])
        .arg(project.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the baseline"));
    axiomod()
        .args(["validate", "--update-baseline"])
        .arg(project.path())
        .assert()
        .code(2);
    axiomod()
        .args([
            "validate",
            "--baseline",
            "b.json",
            "--update-baseline",
            "--changed-since",
            "HEAD",
        ])
        .arg(project.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

fn git(directory: &Path, arguments: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(directory)
        .args([
            "-c",
            "user.name=axiomod",
            "-c",
            "user.email=axiomod@localhost",
        ])
        .args(arguments)
        .status()
        .unwrap();
    assert!(status.success(), "git {arguments:?}");
}

#[test]
fn changed_since_reports_only_changed_files_but_resolves_the_whole_crate() {
    let project = copy_fixture("reexport_chain");
    git(project.path(), &["init", "-q"]);
    git(project.path(), &["add", "-A"]);
    git(project.path(), &["commit", "-q", "-m", "fixture"]);
    let (code, report) = validate_json(project.path(), &["--changed-since", "HEAD"]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["files_checked"], 0);

    // infrastructure.rs changes; the edge it reaches goes through shared.rs and platform.rs,
    // which did not change and are still resolved.
    support::files::append(
        &project.path().join("src/infrastructure.rs"),
        "use crate::shared::Entity;\nuse crate::shared::Repo as Again;\n",
    );
    std::fs::write(project.path().join("src/new_file.rs"), "").unwrap();
    let (code, report) = validate_json(project.path(), &["--changed-since", "HEAD"]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["files_checked"], 1);
    std::fs::write(
        project.path().join("src/platform.rs"),
        "pub use sqlx::PgPool as Pool;\nmod clock { pub struct Clock; }\npub use clock::*;\nuse crate::infrastructure::Repo;\n",
    )
    .unwrap();
    let (code, report) = validate_json(project.path(), &["--changed-since", "HEAD"]);
    assert_eq!(code, Some(1));
    let violations = report["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{report:#}");
    assert_eq!(violations[0]["file"], "src/platform.rs");

    axiomod()
        .args(["validate", "--changed-since", "no-such-ref"])
        .arg(project.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`no-such-ref` is not a git ref"));
}

fn config_error(config: &str) -> String {
    let project = copy_fixture("use_trees");
    write_config(project.path(), config);
    let output = axiomod()
        .arg("validate")
        .arg(project.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn an_unknown_layer_in_may_use_points_at_the_name() {
    let stderr = config_error(
        "[architecture]\n[architecture.layers.domain]\npaths = [\"crate::domain\"]\nmay_use = [\"infra\"]\n",
    );
    assert!(
        stderr.contains("`may_use` names `infra`, which is not a layer"),
        "{stderr}"
    );
    assert!(stderr.contains("[axiomod.toml:4:12]"), "{stderr}");
    assert!(stderr.contains("unknown layer"), "{stderr}");
    assert!(stderr.contains("known layers: domain"), "{stderr}");
}

#[test]
fn a_pattern_that_matches_nothing_points_at_the_pattern() {
    let stderr = config_error(
        "[architecture]\n[architecture.layers.domain]\npaths = [\"crate::domain\", \"crate::core\"]\n",
    );
    assert!(
        stderr.contains("pattern `crate::core` matches no module"),
        "{stderr}"
    );
    assert!(stderr.contains("[axiomod.toml:3:27]"), "{stderr}");
}

#[test]
fn a_missing_preset_points_at_the_value() {
    let stderr = config_error("[architecture]\npreset = \"onion\"\n");
    assert!(stderr.contains("unknown preset `onion`"), "{stderr}");
    assert!(stderr.contains("[axiomod.toml:2:10]"), "{stderr}");
    assert!(stderr.contains("built-in presets: clean"), "{stderr}");
    let stderr = config_error("[architecture]\npreset = \"rules/mine.toml\"\n");
    assert!(stderr.contains("cannot read preset file"), "{stderr}");
}

#[test]
fn a_preset_can_be_a_file() {
    let project = copy_fixture("use_trees");
    let preset = std::fs::read_to_string(project.path().join("axiomod.toml")).unwrap();
    std::fs::create_dir_all(project.path().join("rules")).unwrap();
    std::fs::write(project.path().join("rules/layers.toml"), preset).unwrap();
    write_config(
        project.path(),
        "[architecture]\npreset = \"rules/layers.toml\"\n[architecture.layers.domain]\nmay_use = [\"infrastructure\", \"platform\"]\n",
    );
    let (code, report) = validate_json(project.path(), &[]);
    assert_eq!(code, Some(0), "{report:#}");
}

#[test]
fn bad_keys_values_and_toml_point_at_the_place() {
    let stderr = config_error("[architecture]\npreset = \"clean\"\nunmapped = \"maybe\"\n");
    assert!(stderr.contains("[axiomod.toml:3:12]"), "{stderr}");
    let stderr = config_error("[architecture]\npreset = \"clean\"\nlayer = {}\n");
    assert!(stderr.contains("unknown field `layer`"), "{stderr}");
    let stderr = config_error("[architecture\n");
    assert!(stderr.contains("axiomod.toml"), "{stderr}");
    let stderr = config_error("[service]\nname = \"x\"\n");
    assert!(
        stderr.contains("there is no [architecture] table"),
        "{stderr}"
    );
    let stderr = config_error(
        "[architecture]\n[architecture.layers.domain]\npaths = [\"crate::dom ain\"]\n",
    );
    assert!(stderr.contains("invalid module-path pattern"), "{stderr}");
    let stderr = config_error(
        "[architecture]\npreset = \"clean\"\n[[architecture.ignore]]\nfrom = \"crate::a\"\nto = \"crate::b\"\n",
    );
    assert!(stderr.contains("missing field `reason`"), "{stderr}");
}

#[test]
fn a_directory_without_config_or_manifest_is_a_usage_error() {
    let empty = tempfile::tempdir().unwrap();
    axiomod()
        .arg("validate")
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no axiomod.toml in"));
    write_config(empty.path(), "[architecture]\npreset = \"clean\"\n");
    axiomod()
        .arg("validate")
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no Cargo.toml in"));
    axiomod()
        .args(["validate", "/no/such/directory"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("cannot open the project directory")
                // The system's reason once, not repeated as a cause.
                .and(predicate::str::contains("os error 2").count(1)),
        );
}

#[test]
fn cached_results_follow_new_module_files_and_edits() {
    let project = copy_fixture("file_errors");
    let cache = tempfile::tempdir().unwrap();
    let run = || {
        let output = axiomod()
            .args(["validate", "--format", "json"])
            .arg(project.path())
            .env("AXIOMOD_CACHE_DIR", cache.path())
            .output()
            .unwrap();
        json_of(&output)
    };
    let first = run();
    assert_eq!(first["file_errors"].as_array().unwrap().len(), 2);
    assert_eq!(run(), first);
    // The module file that was missing appears: it is read, and its violation reported.
    std::fs::write(
        project.path().join("src/missing.rs"),
        "use crate::domain::Anything;\n",
    )
    .unwrap();
    std::fs::write(
        project.path().join("axiomod.toml"),
        format!(
            "{}\n[architecture.layers.missing]\npaths = [\"crate::missing\"]\nmay_use = []\n",
            std::fs::read_to_string(project.path().join("axiomod.toml")).unwrap()
        ),
    )
    .unwrap();
    let second = run();
    assert_eq!(
        second["file_errors"].as_array().unwrap().len(),
        1,
        "{second:#}"
    );
    let violations = second["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 2, "{second:#}");
    assert_eq!(violations[1]["file"], "src/missing.rs");
    // An edit to one file changes only what that file reports.
    std::fs::write(
        project.path().join("src/domain.rs"),
        "pub struct Anything;\n",
    )
    .unwrap();
    let third = run();
    let violations = third["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{third:#}");
    assert_eq!(violations[0]["file"], "src/missing.rs");
}

#[test]
fn changed_since_works_for_a_project_inside_a_larger_repository() {
    let repository = tempfile::tempdir().unwrap();
    let project = repository.path().join("services/shop");
    copy_tree(&fixture("use_trees"), &project);
    std::fs::remove_file(project.join("expected.json")).unwrap();
    git(repository.path(), &["init", "-q"]);
    git(repository.path(), &["add", "-A"]);
    git(repository.path(), &["commit", "-q", "-m", "fixture"]);
    support::files::append(
        &project.join("src/platform.rs"),
        "use crate::domain::model;\n",
    );
    let (code, report) = validate_json(&project, &["--changed-since", "HEAD"]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["files_checked"], 1);
    let violations = report["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{report:#}");
    assert_eq!(violations[0]["file"], "src/platform.rs");
    assert_eq!(violations[0]["to"]["path"], "crate::domain::model");
}

#[test]
fn unmapped_deny_fails_and_allow_stays_quiet() {
    let project = copy_fixture("unmapped_and_ignore");
    let config_path = project.path().join("axiomod.toml");
    let config = std::fs::read_to_string(&config_path).unwrap();
    std::fs::write(
        &config_path,
        config.replace("unmapped = \"warn\"", "unmapped = \"deny\""),
    )
    .unwrap();
    let (code, report) = validate_json(project.path(), &[]);
    assert_eq!(code, Some(1));
    let unmapped: Vec<&serde_json::Value> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|violation| violation["rule"] == "unmapped")
        .collect();
    assert_eq!(unmapped.len(), 2, "{report:#}");
    assert!(
        unmapped
            .iter()
            .all(|violation| violation["severity"] == "error")
    );

    // Without the other violations, warnings alone do not fail; allow reports nothing.
    std::fs::write(
        project.path().join("src/domain/mod.rs"),
        "pub mod legacy;\n",
    )
    .unwrap();
    std::fs::write(&config_path, &config).unwrap();
    let (code, report) = validate_json(project.path(), &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["violations"].as_array().unwrap().len(), 2);
    std::fs::write(
        &config_path,
        config.replace("unmapped = \"warn\"", "unmapped = \"allow\""),
    )
    .unwrap();
    let (code, report) = validate_json(project.path(), &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert!(
        report["violations"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    assert_eq!(report["ignored"], 1);
}

#[test]
fn a_file_that_is_not_utf8_is_reported_and_the_rest_still_checked() {
    let project = copy_fixture("use_trees");
    std::fs::write(project.path().join("src/platform.rs"), [0xff, 0xfe, b'\n']).unwrap();
    let (code, report) = validate_json(project.path(), &[]);
    assert_eq!(code, Some(1));
    let errors = report["file_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["file"], "src/platform.rs");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read the file"),
        "{report:#}"
    );
    assert_eq!(report["violations"].as_array().unwrap().len(), 6);
}

#[test]
fn a_crate_without_any_layer_configured_passes() {
    let project = copy_fixture("use_trees");
    write_config(project.path(), "[architecture]\n");
    let (code, report) = validate_json(project.path(), &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["files_checked"], 4);
}

#[test]
fn a_broken_manifest_is_a_usage_error() {
    let project = copy_fixture("use_trees");
    std::fs::write(project.path().join("Cargo.toml"), "[package\nname = 1\n").unwrap();
    axiomod()
        .arg("validate")
        .arg(project.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cargo metadata failed"));
}

#[test]
fn the_human_summary_fails_on_unreadable_files() {
    let output = axiomod()
        .arg("validate")
        .arg(fixture("file_errors"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.ends_with("error: 1 violation in 4 files checked (2 unreadable files)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "error[file]: not valid Rust: expected an expression\n  --> src/platform.rs:2:13"
        ),
        "{text}"
    );
}

#[test]
fn ignore_entries_that_accept_nothing_are_reported_where_they_are_written() {
    let project = copy_fixture("unmapped_and_ignore");
    let config_path = project.path().join("axiomod.toml");
    let mut config = std::fs::read_to_string(&config_path).unwrap();
    let line = config.lines().count() + 2;
    config.push_str(
        "\n[[architecture.ignore]]\nfrom = \"crate::domain::gone\"\nto = \"crate::infrastructure\"\nrule = \"layer\"\nreason = \"the edge this was for was removed\"\n",
    );
    std::fs::write(&config_path, &config).unwrap();

    let (code, report) = validate_json(project.path(), &[]);
    assert_eq!(code, Some(1), "the fixture's own violations still fail");
    assert_eq!(
        report["unused_ignores"],
        serde_json::json!([{
            "file": "axiomod.toml",
            "line": line,
            "column": 1,
            "from": "crate::domain::gone",
            "to": "crate::infrastructure",
            "rule": "layer",
        }]),
        "{report:#}"
    );
    assert_eq!(
        report["ignored"], 2,
        "the fixture's two entries still accept"
    );
    let (_, cached) = validate_json(project.path(), &[]);
    assert_eq!(
        cached["unused_ignores"], report["unused_ignores"],
        "from the cache"
    );

    let human = validate_stdout(project.path(), &[]);
    assert!(
        human.contains(&format!(
            "warning[unused-ignore]: the ignore entry from `crate::domain::gone` to `crate::infrastructure` (rule `layer`) accepts no violation\n  --> axiomod.toml:{line}:1\n"
        )),
        "{human}"
    );
    assert!(human.contains("1 unused ignore entry"), "{human}");

    let github = validate_stdout(project.path(), &["--format", "github"]);
    assert!(
        github.contains(&format!(
            "::warning file=axiomod.toml,line={line},col=1,title=axiomod unused ignore entry::"
        )),
        "{github}"
    );
}

#[test]
fn github_annotations_place_file_errors() {
    let github = validate_stdout(&fixture("file_errors"), &["--format", "github"]);
    assert!(
        github.contains(
            "::error file=src/lib.rs,line=5,col=9,title=axiomod file error::file not found for module `missing`"
        ),
        "{github}"
    );
}
