//! Each crate under fixtures/validate/ holds one resolution case and the whole JSON report
//! `axiomod validate --format json` must print for it (expected.json): every violation with
//! its file, line, column and rule, and by omission every place where none may be reported.
//!
//! After a deliberate change of the output, rewrite the files with
//! `AXIOMOD_BLESS=1 cargo nextest run --test validate_fixtures` and review the diff.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn fixtures_directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/validate")
}

/// Runs the fixture twice with an empty cache: the second run reuses the parse results of
/// the first, and both must print the expected report.
fn check_fixture(name: &str) {
    let cache = tempfile::tempdir().unwrap();
    let first = run_fixture(name, cache.path());
    let second = run_fixture(name, cache.path());
    assert_eq!(first, second, "{name}: the cached run differs");
}

fn run_fixture(name: &str, cache: &Path) -> String {
    let directory = fixtures_directory().join(name);
    let output = Command::cargo_bin("axiomod")
        .expect("the axiomod binary is built for tests")
        .args(["validate", "--format", "json"])
        .arg(&directory)
        .env("AXIOMOD_CACHE_DIR", cache)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let actual: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "{name}: output is not JSON ({error}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let expected_path = directory.join("expected.json");
    if std::env::var_os("AXIOMOD_BLESS").is_some() {
        std::fs::write(&expected_path, &stdout).unwrap();
    }
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
    assert_eq!(
        actual, expected,
        "{name}: the report differs from expected.json\nactual:\n{stdout}"
    );
    let fails = expected["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|violation| violation["severity"] == "error")
        || !expected["file_errors"].as_array().unwrap().is_empty();
    assert_eq!(
        output.status.code(),
        Some(i32::from(fails)),
        "{name}: exit code"
    );
    stdout
}

macro_rules! fixtures {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_fixture(stringify!($name));
            }
        )*

        #[test]
        fn every_fixture_has_a_test() {
            let mut listed = vec![$(stringify!($name)),*];
            listed.sort_unstable();
            let mut found: Vec<String> = std::fs::read_dir(fixtures_directory())
                .unwrap()
                .map(|entry| entry.unwrap())
                .filter(|entry| entry.path().join("expected.json").is_file())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect();
            found.sort_unstable();
            assert_eq!(found, listed);
        }
    };
}

fixtures!(
    block_scopes,
    cfg_if_and_thread_local,
    code_paths,
    doc_tests,
    extern_globs,
    extern_prelude,
    file_errors,
    isolation,
    macros,
    module_files,
    raw_identifiers,
    reexport_chain,
    relative_paths,
    renamed_crate,
    self_imports,
    service,
    shadowing,
    test_code_check,
    test_code_ignore,
    unmapped_and_ignore,
    use_trees,
    workspace,
);
