//! End to end: `axiomod new` for SQLite and PostgreSQL, without a broker and with NATS and
//! RabbitMQ, then the generated project's own
//! `cargo fmt --check`, `cargo clippy -D warnings` and `cargo test`, then the built service
//! started for real and its HTTP contract checked over TCP. A schema changed after its first
//! migration was applied gets a new migration that `<service> migrate` applies on top.
//!
//! Generated projects share one target folder (`AXIOMOD_E2E_TARGET_DIR`, default
//! `target/e2e`) so their dependencies compile once.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::http::{self, get};
use support::otlp::Collector;
use support::project::{
    PATIENCE, Service, binary, cargo, check_project, free_port, generate, generate_into,
    run_migrate, scaffold, scaffold_examples, scaffold_openapi,
};

/// Polls `/ready` until it answers 200 (the broker connects in the background after start).
fn wait_until_ready(service: &Service) {
    let started = Instant::now();
    loop {
        let ready = get(service.port, "/ready");
        if ready.status == 200 {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "never ready: {ready:?}\n{}",
            service.logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The broker contract: ready and healthy with the real broker at `broker_url`; alive but
/// not ready with nothing listening at the broker's address; refused without `BROKER_URL`.
fn check_broker_contract(
    name: &str,
    project: &Path,
    database_url: &str,
    broker_url: &str,
    closed_broker_url: &str,
) {
    let service = Service::start(name, project, database_url, &[("BROKER_URL", broker_url)]);
    wait_until_ready(&service);
    let health = get(service.port, "/health").json();
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["checks"][0]["name"], "database", "{health}");
    assert_eq!(health["checks"][1]["name"], "broker", "{health}");
    assert_eq!(health["checks"][1]["ok"], true, "{health}");
    service.terminate();

    let service = Service::start(
        name,
        project,
        database_url,
        &[("BROKER_URL", closed_broker_url)],
    );
    assert_eq!(get(service.port, "/live").status, 200);
    let ready = get(service.port, "/ready");
    assert_eq!(ready.status, 503, "{ready:?}");
    assert_eq!(
        ready.header("content-type"),
        Some("application/problem+json")
    );
    let detail = ready.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(detail.contains("broker"), "{detail}");
    assert!(!detail.contains("database"), "{detail}");
    let health = get(service.port, "/health").json();
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["checks"][1]["ok"], false, "{health}");
    service.terminate();

    let refused = Command::new(binary(name))
        .arg("serve")
        .current_dir(project)
        .env("DATABASE_URL", database_url)
        .env("PORT", free_port().to_string())
        .env_remove("BROKER_URL")
        .output()
        .expect("the generated binary runs");
    // The error is logged (JSON on stdout), like every other start-up failure.
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&refused.stdout),
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!refused.status.success(), "started without BROKER_URL");
    assert!(output.contains("BROKER_URL is not set"), "{output}");
}

/// The platform's HTTP contract (issue 3) against a running service.
fn check_http_contract(service: &Service) {
    let port = service.port;

    let live = get(port, "/live");
    assert_eq!(live.status, 200);
    assert_eq!(live.json()["status"], "ok");
    assert_eq!(live.header("x-content-type-options"), Some("nosniff"));

    let ready = get(port, "/ready");
    assert_eq!(ready.status, 200, "{ready:?}");

    let health = get(port, "/health").json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], "0.1.0");
    assert_eq!(health["checks"][0]["name"], "database");

    let missing = get(port, "/no/such/route");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(missing.json()["instance"], "/no/such/route");

    let wrong_method = http::request(port, "DELETE", "/live", &[], b"").unwrap();
    assert_eq!(wrong_method.status, 405);
    assert_eq!(
        wrong_method.header("content-type"),
        Some("application/problem+json")
    );

    let too_large = http::request(
        port,
        "POST",
        "/live",
        &[
            ("content-type", "application/json"),
            ("content-length", "10485760"),
        ],
        b"",
    )
    .unwrap();
    assert_eq!(too_large.status, 413, "{too_large:?}");
    assert_eq!(
        too_large.header("content-type"),
        Some("application/problem+json")
    );

    // Not a probe route: probes (/live, /ready, /metrics) are logged at DEBUG only.
    let traced = http::request(
        port,
        "GET",
        "/health",
        &[("x-request-id", "e2e-trace-42")],
        b"",
    )
    .unwrap();
    assert_eq!(traced.header("x-request-id"), Some("e2e-trace-42"));
    let generated_id = get(port, "/live");
    assert!(
        generated_id
            .header("x-request-id")
            .is_some_and(|id| id.len() == 36)
    );

    let openapi = get(port, "/openapi.json").json();
    assert!(openapi["paths"]["/ready"]["get"].is_object(), "{openapi}");
    let docs = get(port, "/docs");
    assert_eq!(docs.status, 200);
    assert!(docs.body.contains("<html"));

    // /live answered 200 at least three times above (the start-up probe, live, generated id);
    // two more requests must add exactly two.
    let metrics = get(port, "/metrics").body;
    let live_count = metric_value(
        &metrics,
        "http_requests_total{method=\"GET\",route=\"/live\",status=\"200\"}",
    );
    assert!(live_count >= 3.0, "{metrics}");
    let before = live_count;
    get(port, "/live");
    get(port, "/live");
    let metrics = get(port, "/metrics").body;
    let after = metric_value(
        &metrics,
        "http_requests_total{method=\"GET\",route=\"/live\",status=\"200\"}",
    );
    assert_eq!(after, before + 2.0, "{metrics}");
    assert!(metrics.contains("http_request_duration_seconds_bucket{method=\"GET\",route=\"/live\",status=\"200\",le=\"0.005\"}"), "{metrics}");
    assert!(
        metrics.contains("http_requests_total{method=\"DELETE\",route=\"/live\",status=\"405\"}"),
        "{metrics}"
    );
    // Nothing else is in flight while the scrape runs.
    assert_eq!(
        metric_value(&metrics, "http_requests_in_flight "),
        1.0,
        "{metrics}"
    );

    // Every log line of a request carries its id.
    let logs = service.logs();
    let traced_lines: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains("e2e-trace-42"))
        .collect();
    assert!(!traced_lines.is_empty(), "{logs}");
    let mut answered = 0;
    for line in traced_lines {
        let entry: serde_json::Value = serde_json::from_str(line).expect("log lines are JSON");
        assert_eq!(entry["span"]["request_id"], "e2e-trace-42");
        // The request's own line: flat fields, numbers as numbers.
        if entry["message"] == "finished processing request" {
            answered += 1;
            assert!(entry["status"].is_u64(), "{line}");
            assert!(entry["latency_us"].is_u64(), "{line}");
            assert_eq!(entry["level"], "INFO", "{line}");
        }
    }
    assert_eq!(answered, 1, "one line for the answered request in:\n{logs}");
}

fn metric_value(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no series {series} in:\n{metrics}"))
}

/// A schema changed after its first migration was applied, then a module, two entities, a
/// handler and an empty migration generated into it: `<name> migrate` applies the new
/// migrations on top, the code passes fmt, clippy and its tests (which run every migration on
/// fresh databases), and the service serves the handler.
fn check_schema_change(name: &str, project: &Path, database_url: &str, test_env: &[(&str, &str)]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    scaffold(project, &root.join("schemas/examples/shop.toml"));
    cargo(project, &["build"], &[]);
    run_migrate(name, project, database_url);
    scaffold(project, &root.join("fixtures/scaffold/shop_changed.toml"));
    // The smaller generators, compiled and tested in the same build.
    for args in [
        &["module", "billing"][..],
        &[
            "entity",
            "Invoice",
            "--module",
            "billing",
            "number:string:unique",
            "total:decimal",
            "due:date:optional:indexed",
        ],
        &["entity", "Note", "--module", "billing", "body:text"],
        &[
            "handler",
            "publish",
            "--module",
            "billing",
            "--method",
            "post",
            "--path",
            "/api/v1/invoices/{id}/channels/{channel}/publish",
        ],
        &["migration", "backfill_totals"],
    ] {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        generate_into(project, &args);
    }
    check_project(project, test_env);
    run_migrate(name, project, database_url);
    check_generated_handler(&Service::start(name, project, database_url, &[]));
}

/// The `publish` handler of `check_schema_change` answers and is documented.
fn check_generated_handler(service: &Service) {
    let published = http::request(
        service.port,
        "POST",
        "/api/v1/invoices/inv-7/channels/mail/publish",
        &[],
        b"",
    )
    .unwrap();
    assert_eq!(published.status, 200, "{published:?}");
    assert_eq!(
        published.json(),
        serde_json::json!({"handler": "publish", "id": "inv-7", "channel": "mail"})
    );
    let openapi = get(service.port, "/openapi.json").json();
    assert!(
        openapi["paths"]["/api/v1/invoices/{id}/channels/{channel}/publish"]["post"].is_object(),
        "{openapi}"
    );
}

/// The HTTP contract of generated entities against the running service. Returns the outbox
/// event types the requests must have written, in order.
fn check_entity_contract(service: &Service) -> Vec<&'static str> {
    let port = service.port;
    let json_body = |value: serde_json::Value| value.to_string().into_bytes();
    let json_header = ("content-type", "application/json");

    let created = http::request(
        port,
        "POST",
        "/api/v1/customers",
        &[json_header],
        &json_body(serde_json::json!({"email": "e2e@example.com", "name": "End To End"})),
    )
    .unwrap();
    assert_eq!(created.status, 201, "{created:?}");
    assert_eq!(created.header("etag"), Some("\"1\""));
    let location = created.header("location").expect("a Location").to_string();
    assert_eq!(
        location,
        format!(
            "/api/v1/customers/{}",
            created.json()["id"].as_str().unwrap()
        )
    );

    let fetched = get(port, &location);
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json()["email"], "e2e@example.com");
    let not_modified =
        http::request(port, "GET", &location, &[("if-none-match", "\"1\"")], b"").unwrap();
    assert_eq!(not_modified.status, 304);

    let changes = json_body(serde_json::json!({"name": "Renamed"}));
    let updated = http::request(
        port,
        "PATCH",
        &location,
        &[json_header, ("if-match", "\"1\"")],
        &changes,
    )
    .unwrap();
    assert_eq!(updated.status, 200, "{updated:?}");
    assert_eq!(updated.header("etag"), Some("\"2\""));
    let stale = http::request(
        port,
        "PATCH",
        &location,
        &[json_header, ("if-match", "\"1\"")],
        &changes,
    )
    .unwrap();
    assert_eq!(stale.status, 412, "{stale:?}");

    let invalid = http::request(
        port,
        "POST",
        "/api/v1/customers",
        &[json_header],
        &json_body(serde_json::json!({"email": "not-an-email", "name": ""})),
    )
    .unwrap();
    assert_eq!(invalid.status, 422, "{invalid:?}");
    assert_eq!(
        invalid.header("content-type"),
        Some("application/problem+json")
    );
    let fields: Vec<String> = invalid.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| error["field"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(fields, ["email", "name"], "{invalid:?}");
    let duplicate = http::request(
        port,
        "POST",
        "/api/v1/customers",
        &[json_header],
        &json_body(serde_json::json!({"email": "e2e@example.com", "name": "Again"})),
    )
    .unwrap();
    assert_eq!(duplicate.status, 409, "{duplicate:?}");

    let page = get(port, "/api/v1/customers?limit=1&sort=-created_at").json();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
    assert_eq!(get(port, "/api/v1/customers?nope=1").status, 400);

    let product = http::request(
        port,
        "POST",
        "/api/v1/products",
        &[json_header],
        &json_body(serde_json::json!({"sku": "ABC-1234", "name": "Widget", "price": "9.99"})),
    )
    .unwrap();
    assert_eq!(product.status, 201, "{product:?}");
    let product_path = product.header("location").expect("a Location").to_string();
    let deleted = http::request(port, "DELETE", &product_path, &[], b"").unwrap();
    assert_eq!(deleted.status, 204);
    assert_eq!(get(port, &product_path).status, 404);

    let openapi = get(port, "/openapi.json").json();
    assert!(
        openapi["paths"]["/api/v1/customers/{id}"]["patch"].is_object(),
        "{openapi}"
    );
    assert!(
        openapi["paths"]["/api/v1/tickets"]["post"].is_object(),
        "{openapi}"
    );

    vec![
        "customers.customer.created",
        "customers.customer.updated",
        "products.product.created",
        "products.product.deleted",
    ]
}

/// The caller's W3C trace context the trace export check sends.
const CALLER_TRACE_ID: &str = "5a3c1f9e2b7d4c6e8f0a1b2c3d4e5f60";
const CALLER_TRACEPARENT: &str = "00-5a3c1f9e2b7d4c6e8f0a1b2c3d4e5f60-1a2b3c4d5e6f7081-01";

/// With OTEL_EXPORTER_OTLP_ENDPOINT set, a request that carries a `traceparent` is exported
/// to the collector in the caller's trace (by the time the service has exited: the exporter
/// is flushed on shutdown), and its log lines carry that trace id.
fn check_trace_export(name: &str, project: &Path, database_url: &str) {
    let collector = Collector::start();
    let endpoint = collector.endpoint();
    let service = Service::start(
        name,
        project,
        database_url,
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)],
    );
    let traced = http::request(
        service.port,
        "GET",
        "/health",
        &[("traceparent", CALLER_TRACEPARENT)],
        b"",
    )
    .unwrap();
    assert_eq!(traced.status, 200);
    let logs = service.terminate();

    let trace_id: Vec<u8> = (0..CALLER_TRACE_ID.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&CALLER_TRACE_ID[at..at + 2], 16).unwrap())
        .collect();
    let exports = collector.exports();
    assert!(
        exports.iter().any(|export| export.method == "POST"
            && export.path == "/v1/traces"
            && export.body_contains(&trace_id)
            && export.body_contains(name.as_bytes())),
        "no export of trace {CALLER_TRACE_ID} reached the collector: {exports:?}"
    );

    let traced_lines: Vec<serde_json::Value> = logs
        .lines()
        .filter(|line| line.contains(CALLER_TRACE_ID))
        .map(|line| serde_json::from_str(line).expect("log lines are JSON"))
        .collect();
    assert!(!traced_lines.is_empty(), "{logs}");
    for entry in traced_lines {
        assert_eq!(entry["span"]["trace_id"], CALLER_TRACE_ID, "{entry}");
    }
}

#[test]
fn sqlite_service_builds_tests_and_serves() {
    let (_workspace, project) = generate("shop", "sqlite", "none");
    check_project(&project, &[]);
    scaffold_examples(&project);
    check_project(&project, &[]);
    let database_file = project.join("e2e.db");
    let database_url = format!("sqlite://{}?mode=rwc", database_file.display());
    run_migrate("shop", &project, &database_url);

    // Export is off by default: with only the traces URL pointing at a collector, and no
    // OTEL_EXPORTER_OTLP_ENDPOINT, the service never connects to it.
    let collector = Collector::start();
    let traces_url = format!("{}/v1/traces", collector.endpoint());
    let service = Service::start(
        "shop",
        &project,
        &database_url,
        &[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &traces_url)],
    );
    check_http_contract(&service);
    let expected_events = check_entity_contract(&service);
    let logs = service.terminate();
    let written: Vec<String> = rusqlite::Connection::open(&database_file)
        .and_then(|connection| {
            let mut statement =
                connection.prepare("SELECT event_type FROM axiomod_outbox ORDER BY id")?;
            statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .expect("the outbox is readable");
    assert_eq!(written, expected_events);
    assert_eq!(collector.connections(), 0, "exported with OTLP off");
    assert!(!logs.contains("trace_id"), "{logs}");

    check_trace_export("shop", &project, &database_url);
}

#[test]
fn postgres_service_builds_tests_and_serves() {
    let Some(server) = support::postgres_url() else {
        return;
    };
    let (_workspace, project) = generate("order-service", "postgres", "none");
    let admin_url = format!("{server}/postgres");
    check_project(&project, &[("DATABASE_URL", &admin_url)]);
    scaffold_examples(&project);
    check_project(&project, &[("DATABASE_URL", &admin_url)]);
    let database = support::postgres::TemporaryDatabase::create(&server);
    run_migrate("order-service", &project, database.url());
    assert!(
        database.table_exists("axiomod_outbox") && database.table_exists("axiomod_dead_letters"),
        "`migrate` did not create the outbox tables"
    );
    let service = Service::start("order-service", &project, database.url(), &[]);
    check_http_contract(&service);
    let expected_events = check_entity_contract(&service);
    service.terminate();
    let written =
        database.query("SELECT string_agg(event_type, ',' ORDER BY id) FROM axiomod_outbox");
    assert_eq!(written, expected_events.join(","));
}

#[test]
fn postgres_service_with_nats_is_ready_only_with_its_broker() {
    let Some(server) = support::postgres_url() else {
        return;
    };
    let Some(nats) = support::nats_url() else {
        return;
    };
    let (_workspace, project) = generate("events-service", "postgres", "nats");
    let admin_url = format!("{server}/postgres");
    check_project(&project, &[("DATABASE_URL", &admin_url)]);
    let database = support::postgres::TemporaryDatabase::create(&server);
    run_migrate("events-service", &project, database.url());
    check_broker_contract(
        "events-service",
        &project,
        database.url(),
        &nats,
        "nats://127.0.0.1:1",
    );
}

#[test]
fn sqlite_service_with_rabbitmq_is_ready_only_with_its_broker() {
    let Some(amqp) = support::amqp_url() else {
        return;
    };
    let (_workspace, project) = generate("notifier", "sqlite", "rabbitmq");
    check_project(&project, &[]);
    let database_url = format!("sqlite://{}?mode=rwc", project.join("e2e.db").display());
    run_migrate("notifier", &project, &database_url);
    check_broker_contract(
        "notifier",
        &project,
        &database_url,
        &amqp,
        "amqp://guest:guest@127.0.0.1:1/%2f",
    );
}

#[test]
fn sqlite_schema_change_migrates_with_a_new_migration() {
    let (_workspace, project) = generate("alter-sqlite", "sqlite", "none");
    let database_file = project.join("e2e.db");
    let database_url = format!("sqlite://{}?mode=rwc", database_file.display());
    check_schema_change("alter-sqlite", &project, &database_url, &[]);
    let connection = rusqlite::Connection::open(&database_file).expect("the database opens");
    connection
        .prepare("SELECT nickname, loyalty, referrer_id FROM customers")
        .expect("the added columns exist");
    connection
        .prepare("SELECT code FROM coupons")
        .expect("the added table exists");
    assert!(
        connection.prepare("SELECT website FROM products").is_err(),
        "the removed column is dropped"
    );
    connection
        .prepare("SELECT number, total, due FROM invoices")
        .expect("the generated entity's table exists");
}

#[test]
fn postgres_schema_change_migrates_with_a_new_migration() {
    let Some(server) = support::postgres_url() else {
        return;
    };
    let (_workspace, project) = generate("alter-postgres", "postgres", "none");
    let database = support::postgres::TemporaryDatabase::create(&server);
    let admin_url = format!("{server}/postgres");
    check_schema_change(
        "alter-postgres",
        &project,
        database.url(),
        &[("DATABASE_URL", &admin_url)],
    );
    let columns = database.query(
        "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns \
         WHERE table_name = 'customers' AND column_name IN ('nickname', 'loyalty', 'referrer_id')",
    );
    assert_eq!(columns, "loyalty,nickname,referrer_id");
    assert!(database.table_exists("coupons"));
    let website = database.query(
        "SELECT count(*) FROM information_schema.columns \
         WHERE table_name = 'products' AND column_name = 'website'",
    );
    assert_eq!(website, "0", "the removed column is dropped");
    assert!(database.table_exists("invoices") && database.table_exists("notes"));
}

/// The OpenAPI front-end's output is the scaffold's: petstore-expanded in OpenAPI 3.0 and 3.1
/// gives a project that passes its own fmt, clippy and tests on SQLite.
#[test]
fn openapi_petstore_projects_build_and_pass_their_tests() {
    for (name, spec) in [
        ("petstore30", "corpus/v3.0-petstore-expanded.yaml"),
        ("petstore31", "petstore-expanded-3.1.yaml"),
    ] {
        let (_workspace, project) = generate(name, "sqlite", "none");
        scaffold_openapi(&project, spec);
        check_project(&project, &[]);
    }
}

/// The non-resource operations of fixtures/openapi/operations.yaml: the project passes its
/// own fmt, clippy and tests, and the running service answers 401 without a credential,
/// 422 per invalid field, 501 naming the operationId until the user implements it, and
/// documents the operations in /openapi.json.
#[test]
fn openapi_operations_are_served_validated_and_documented() {
    let (_workspace, project) = generate("petops", "sqlite", "none");
    scaffold_openapi(&project, "operations.yaml");
    check_project(&project, &[]);
    let database_file = project.join("e2e.db");
    let database_url = format!("sqlite://{}?mode=rwc", database_file.display());
    run_migrate("petops", &project, &database_url);
    let service = Service::start("petops", &project, &database_url, &[]);
    let port = service.port;
    let json = [("content-type", "application/json")];
    let problem = |response: &http::Response| {
        assert_eq!(
            response.header("content-type"),
            Some("application/problem+json"),
            "{response:?}"
        );
        response.json()
    };

    let adoption = br#"{"owner": "ann", "secret": "s3cret", "pet": {"kind": "cat", "lives": 7}}"#;
    let stub = http::request(port, "POST", "/adoptions", &json, adoption).unwrap();
    assert_eq!(stub.status, 501, "{stub:?}");
    let detail = problem(&stub)["detail"].to_string();
    assert!(detail.contains("createAdoption"), "{detail}");

    let invalid = br#"{"owner": "", "secret": "s3", "pet": {"kind": "cat", "lives": 12}}"#;
    let refused = http::request(port, "POST", "/adoptions", &json, invalid).unwrap();
    assert_eq!(refused.status, 422, "{refused:?}");
    let mut fields: Vec<String> = problem(&refused)["errors"]
        .as_array()
        .expect("a list of invalid fields")
        .iter()
        .map(|error| error["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    fields.sort();
    assert_eq!(fields, ["owner", "pet.lives", "secret"]);

    let body = br#"{"note": "old age", "priority": 9, "type": "permanent"}"#;
    let anonymous =
        http::request(port, "POST", "/pets/7/archive?reason=moved", &json, body).unwrap();
    assert_eq!(anonymous.status, 401, "{anonymous:?}");
    problem(&anonymous);
    let keyed = [("content-type", "application/json"), ("x-api-key", "key-1")];
    let unverified =
        http::request(port, "POST", "/pets/7/archive?reason=moved", &keyed, body).unwrap();
    assert_eq!(
        unverified.status, 401,
        "the stub verifier refuses every key: {unverified:?}"
    );
    assert!(
        problem(&unverified)["detail"]
            .to_string()
            .contains("api_key")
    );
    let no_token = get(port, "/stats");
    assert_eq!(no_token.status, 401, "{no_token:?}");

    let tree = get(port, "/tree");
    assert_eq!(tree.status, 501, "{tree:?}");
    assert!(problem(&tree)["detail"].to_string().contains("getTree"));

    let openapi = get(port, "/openapi.json").json();
    for (path, method, status) in [
        ("/pets/{pet_id}/archive", "post", "404"),
        ("/stats", "get", "200"),
        ("/adoptions", "post", "201"),
        ("/tree", "get", "200"),
    ] {
        assert!(
            openapi["paths"][path][method]["responses"][status].is_object(),
            "{method} {path} {status} in {openapi}"
        );
    }
    service.terminate();
}

/// A spec without resources: one module per first tag (and the title's for the untagged
/// operation), each only operations, built, checked and served together.
#[test]
fn openapi_operations_only_modules_by_tag_build_and_serve() {
    let (_workspace, project) = generate("gamenight", "sqlite", "none");
    scaffold_openapi(&project, "tagged-operations.yaml");
    check_project(&project, &[]);
    let database_file = project.join("e2e.db");
    let database_url = format!("sqlite://{}?mode=rwc", database_file.display());
    run_migrate("gamenight", &project, &database_url);
    let service = Service::start("gamenight", &project, &database_url, &[]);
    let port = service.port;
    for (method, path, operation_id) in [
        ("GET", "/ping", "ping"),
        ("GET", "/players/ann/score", "getPlayerScore"),
        ("GET", "/leaderboard?limit=3", "getLeaderboard"),
    ] {
        let stub = http::request(port, method, path, &[], b"").unwrap();
        assert_eq!(stub.status, 501, "{method} {path}: {stub:?}");
        assert!(
            stub.json()["detail"].to_string().contains(operation_id),
            "{stub:?}"
        );
    }
    let refused = get(port, "/leaderboard?limit=500");
    assert_eq!(refused.status, 422, "{refused:?}");
    let anonymous = http::request(port, "POST", "/players/ann/invite", &[], b"").unwrap();
    assert_eq!(anonymous.status, 401, "{anonymous:?}");
    let openapi = get(port, "/openapi.json").json();
    for (path, method) in [
        ("/boards/{board_id}/moves", "post"),
        ("/leaderboard", "get"),
        ("/players/{player_id}/score", "get"),
        ("/players/{player_id}/invite", "post"),
        ("/ping", "get"),
    ] {
        assert!(
            openapi["paths"][path][method].is_object(),
            "{method} {path} in {openapi}"
        );
    }
    service.terminate();
}
