//! End to end: `axiomod new` for SQLite and PostgreSQL, without a broker and with NATS and
//! RabbitMQ, then the generated project's own
//! `cargo fmt --check`, `cargo clippy -D warnings` and `cargo test`, then the built service
//! started for real and its HTTP contract checked over TCP.
//!
//! Generated projects share one target folder (`AXIOMOD_E2E_TARGET_DIR`, default
//! `target/e2e`) so their dependencies compile once.

mod support;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::http::{self, get};

/// Longest a started service may take to answer /live, or to exit after SIGTERM. A bound
/// that keeps a broken build from hanging the suite, not a performance assertion.
const PATIENCE: Duration = Duration::from_secs(60);

fn e2e_target_dir() -> PathBuf {
    std::env::var_os("AXIOMOD_E2E_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .expect("CARGO_TARGET_TMPDIR lies inside the target folder")
                .join("e2e")
        })
}

/// Runs `axiomod new` into a fresh temporary folder and returns (tempdir, project dir).
/// Projects built concurrently need distinct names: their binaries share one target folder.
fn generate(name: &str, db: &str, broker: &str) -> (tempfile::TempDir, PathBuf) {
    let workspace = tempfile::tempdir().expect("a temporary folder");
    let project = workspace.path().join(name);
    let output = Command::new(assert_cmd::cargo::cargo_bin("axiomod"))
        .args([
            "new", name, "--db", db, "--broker", broker, "--yes", "--path",
        ])
        .arg(&project)
        .output()
        .expect("axiomod runs");
    assert!(output.status.success(), "axiomod new failed: {output:?}");
    (workspace, project)
}

/// Runs cargo in `project` with the shared target folder; panics with its output on failure.
fn cargo(project: &Path, args: &[&str], env: &[(&str, &str)]) {
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", e2e_target_dir())
        .envs(env.iter().copied())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "`cargo {}` failed in the generated project:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn binary(name: &str) -> PathBuf {
    e2e_target_dir().join("debug").join(name)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free local port")
        .port()
}

/// A generated service running as a child process; killed when dropped.
struct Service {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Service {
    fn start(name: &str, project: &Path, database_url: &str) -> Self {
        Self::start_with_broker(name, project, database_url, None)
    }

    fn start_with_broker(
        name: &str,
        project: &Path,
        database_url: &str,
        broker_url: Option<&str>,
    ) -> Self {
        let port = free_port();
        let log = project.join("service.log");
        let mut command = Command::new(binary(name));
        if let Some(broker_url) = broker_url {
            command.env("BROKER_URL", broker_url);
        }
        let child = command
            .arg("serve")
            .current_dir(project)
            .env("DATABASE_URL", database_url)
            .env("PORT", port.to_string())
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .stdout(File::create(&log).expect("a log file"))
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the generated service starts");
        let service = Service { child, port, log };
        let started = Instant::now();
        while http::request(port, "GET", "/live", &[], b"").is_err() {
            assert!(
                started.elapsed() < PATIENCE,
                "the service never answered /live"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        service
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn terminate(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let started = Instant::now();
        loop {
            if let Some(exit) = self.child.try_wait().expect("the child can be waited on") {
                assert!(
                    exit.success(),
                    "the service exited with {exit} after SIGTERM"
                );
                break;
            }
            assert!(started.elapsed() < PATIENCE, "the service ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
        let logs = self.logs();
        assert!(logs.contains("shutting down"), "{logs}");
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// fmt, clippy and the generated tests, exactly as the generated CI runs them.
fn check_project(project: &Path, test_env: &[(&str, &str)]) {
    cargo(project, &["fmt", "--check"], &[]);
    cargo(
        project,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
        &[],
    );
    cargo(project, &["test"], test_env);
}

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
    let service = Service::start_with_broker(name, project, database_url, Some(broker_url));
    wait_until_ready(&service);
    let health = get(service.port, "/health").json();
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["checks"][0]["name"], "database", "{health}");
    assert_eq!(health["checks"][1]["name"], "broker", "{health}");
    assert_eq!(health["checks"][1]["ok"], true, "{health}");
    service.terminate();

    let service = Service::start_with_broker(name, project, database_url, Some(closed_broker_url));
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

fn run_migrate(name: &str, project: &Path, database_url: &str) {
    let output = Command::new(binary(name))
        .arg("migrate")
        .current_dir(project)
        .env("DATABASE_URL", database_url)
        .output()
        .expect("the generated binary runs");
    assert!(
        output.status.success(),
        "`{name} migrate` failed: {output:?}"
    );
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

    let traced = http::request(
        port,
        "GET",
        "/live",
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

    // /live answered 200 at least four times above (the start-up probe, live, traced,
    // generated id); two more requests must add exactly two.
    let metrics = get(port, "/metrics").body;
    let live_count = metric_value(
        &metrics,
        "http_requests_total{method=\"GET\",route=\"/live\",status=\"200\"}",
    );
    assert!(live_count >= 4.0, "{metrics}");
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

    // Every log line of a request carries its id.
    let logs = service.logs();
    let traced_lines: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains("e2e-trace-42"))
        .collect();
    assert!(!traced_lines.is_empty(), "{logs}");
    for line in traced_lines {
        let entry: serde_json::Value = serde_json::from_str(line).expect("log lines are JSON");
        assert_eq!(entry["span"]["request_id"], "e2e-trace-42");
    }
}

fn metric_value(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no series {series} in:\n{metrics}"))
}

#[test]
fn sqlite_service_builds_tests_and_serves() {
    let (_workspace, project) = generate("shop", "sqlite", "none");
    check_project(&project, &[]);
    let database_url = format!("sqlite://{}?mode=rwc", project.join("e2e.db").display());
    run_migrate("shop", &project, &database_url);
    let service = Service::start("shop", &project, &database_url);
    check_http_contract(&service);
    service.terminate();
}

#[test]
fn postgres_service_builds_tests_and_serves() {
    let Some(server) = support::postgres_url() else {
        return;
    };
    let (_workspace, project) = generate("order-service", "postgres", "none");
    let admin_url = format!("{server}/postgres");
    check_project(&project, &[("DATABASE_URL", &admin_url)]);
    let database = support::postgres::TemporaryDatabase::create(&server);
    run_migrate("order-service", &project, database.url());
    assert!(
        database.table_exists("axiomod_outbox") && database.table_exists("axiomod_dead_letters"),
        "`migrate` did not create the outbox tables"
    );
    let service = Service::start("order-service", &project, database.url());
    check_http_contract(&service);
    service.terminate();
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
