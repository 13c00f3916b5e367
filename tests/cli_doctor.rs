//! `axiomod doctor` and `axiomod completions` on the real binary.

use assert_cmd::Command;
use predicates::prelude::*;

fn axiomod() -> Command {
    Command::cargo_bin("axiomod").expect("the axiomod binary is built for tests")
}

#[test]
fn doctor_reports_toolchain_as_json() {
    let output = axiomod()
        .args(["doctor", "--format", "json"])
        .env_remove("DATABASE_URL")
        .env_remove("BROKER_URL")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let checks = report["checks"].as_array().unwrap();
    let rustc = checks.iter().find(|c| c["name"] == "rustc").unwrap();
    assert_eq!(rustc["status"], "ok");
    assert!(rustc["detail"].as_str().unwrap().starts_with("rustc "));
    let database = checks.iter().find(|c| c["name"] == "database").unwrap();
    assert_eq!(database["status"], "skipped");
}

#[test]
fn doctor_exits_1_when_the_database_is_unreachable() {
    axiomod()
        .args([
            "doctor",
            "--database-url",
            "postgres://postgres@127.0.0.1:1/x",
        ])
        .env_remove("BROKER_URL")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("127.0.0.1:1 is unreachable"));
}

#[test]
fn doctor_exits_1_on_an_unsupported_broker_scheme() {
    axiomod()
        .args(["doctor", "--broker-url", "kafka://localhost:9092"])
        .env_remove("DATABASE_URL")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unsupported scheme `kafka`"));
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    axiomod()
        .arg("frobnicate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unrecognized subcommand"));
}

#[test]
fn completions_write_a_bash_script() {
    axiomod()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_axiomod()"));
}
