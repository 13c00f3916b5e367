//! End to end: a service generated from resource-shaped OpenAPI specs conforms to its own
//! OpenAPI document (issue 8). The specs are scaffolded into one PostgreSQL project, which is
//! built, migrated and started; then schemathesis (installed by scripts/setup.sh into
//! `.tools/schemathesis`) tests the running service against its `GET /openapi.json`: no 5xx
//! answer, only documented status codes and content types, every body valid against the
//! documented schema. Positive and negative (invalid) inputs, a bounded number per operation,
//! with a fixed seed so that a failure reproduces.
//!
//! Generated projects share one target folder (`AXIOMOD_E2E_TARGET_DIR`, default
//! `target/e2e`) so their dependencies compile once.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::project::{Service, cargo, generate, run_migrate, scaffold_openapi};

/// What schemathesis checks on every answer.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";
/// Test cases per operation and test phase: enough to reach every documented answer, few
/// enough for a run of a minute or two.
const MAX_EXAMPLES: &str = "20";
const SEED: &str = "8";

/// The schemathesis command that scripts/setup.sh installs (`AXIOMOD_TEST_SCHEMATHESIS`,
/// default `.tools/schemathesis/bin/schemathesis`). Missing: the test is skipped with a loud
/// message, except under `CI=true`, where that is a failure.
fn schemathesis() -> Option<PathBuf> {
    let program = std::env::var_os("AXIOMOD_TEST_SCHEMATHESIS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/schemathesis/bin/schemathesis"),
        PathBuf::from,
    );
    let runs = Command::new(&program)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if runs {
        return Some(program);
    }
    support::skip(&format!(
        "schemathesis is not installed at {} (run scripts/setup.sh)",
        program.display()
    ));
    None
}

#[test]
fn openapi_service_on_postgres_conforms_to_its_openapi_document() {
    let Some(schemathesis) = schemathesis() else {
        return;
    };
    let Some(server) = support::postgres_url() else {
        return;
    };
    let name = "conformance";
    let (_workspace, project) = generate(name, "postgres", "none");
    for spec in ["corpus/v3.0-petstore-expanded.yaml", "shop.json"] {
        scaffold_openapi(&project, spec);
    }
    cargo(&project, &["build"], &[]);
    let database = support::postgres::TemporaryDatabase::create(&server);
    run_migrate(name, &project, database.url());
    let service = Service::start(name, &project, database.url(), &[]);
    let output = Command::new(&schemathesis)
        .arg("run")
        .arg(format!("http://127.0.0.1:{}/openapi.json", service.port))
        .args(["--checks", CHECKS])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
        .args(["--generation-database", "none", "--no-color"])
        .current_dir(&project)
        .output()
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    let errors: Vec<String> = service
        .logs()
        .lines()
        .filter(|line| line.contains("\"level\":\"ERROR\""))
        .map(str::to_owned)
        .collect();
    assert!(
        output.status.success(),
        "schemathesis found answers that do not conform to /openapi.json:\n{report}\n{}\nerrors the service logged:\n{}",
        String::from_utf8_lossy(&output.stderr),
        errors.join("\n")
    );
    service.terminate();
}
