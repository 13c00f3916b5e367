//! Generated projects for the end-to-end tests: `axiomod new` into a temporary folder, cargo
//! in it with the shared target folder, and the built service run as a child process.
//!
//! Generated projects share one target folder (`AXIOMOD_E2E_TARGET_DIR`, default
//! `target/e2e`) so their dependencies compile once.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http;

/// Longest a started service may take to answer /live, or to exit after SIGTERM. A bound
/// that keeps a broken build from hanging the suite, not a performance assertion.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub fn e2e_target_dir() -> PathBuf {
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
pub fn generate(name: &str, db: &str, broker: &str) -> (tempfile::TempDir, PathBuf) {
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
/// Without debug info: the suite builds many generated projects, and their debug info filled
/// the disk of a CI machine once (links failed, then the databases could not write).
pub fn cargo(project: &Path, args: &[&str], env: &[(&str, &str)]) {
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", e2e_target_dir())
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
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

/// fmt, clippy and the generated tests, exactly as the generated CI runs them.
pub fn check_project(project: &Path, test_env: &[(&str, &str)]) {
    cargo(project, &["fmt", "--check"], &[]);
    cargo(
        project,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
        &[],
    );
    cargo(project, &["test"], test_env);
}

pub fn binary(name: &str) -> PathBuf {
    e2e_target_dir().join("debug").join(name)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free local port")
        .port()
}

/// A generated service running as a child process; killed when dropped.
pub struct Service {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Service {
    /// Starts `name serve` with `env` on top of the test's own variables (no OTLP export
    /// unless `env` asks for it) and waits until it answers /live.
    pub fn start(name: &str, project: &Path, database_url: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let log = project.join(format!("service-{port}.log"));
        let child = Command::new(binary(name))
            .arg("serve")
            .current_dir(project)
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            .env("DATABASE_URL", database_url)
            .env("PORT", port.to_string())
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
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

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM, waits for a clean exit and returns the service's log.
    pub fn terminate(mut self) -> String {
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
        logs
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `axiomod generate scaffold` with both example schemas (`support` refers to `sales`).
pub fn scaffold_examples(project: &Path) {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/examples");
    for schema in ["shop.toml", "support.toml"] {
        scaffold(project, &examples.join(schema));
    }
}

/// `axiomod generate <args> --project <project>`; panics with the output on failure.
pub fn generate_into(project: &Path, args: &[&std::ffi::OsStr]) {
    let output = Command::new(assert_cmd::cargo::cargo_bin("axiomod"))
        .arg("generate")
        .args(args)
        .arg("--project")
        .arg(project)
        .output()
        .expect("axiomod runs");
    assert!(
        output.status.success(),
        "generate {args:?} failed: {output:?}"
    );
}

/// `axiomod generate scaffold <schema>` into `project`; panics with the output on failure.
pub fn scaffold(project: &Path, schema: &Path) {
    generate_into(project, &["scaffold".as_ref(), schema.as_os_str()]);
}

/// `axiomod generate scaffold --openapi` with a spec under fixtures/openapi/ (`spec` relative
/// to it) into `project`; panics with the output on failure.
pub fn scaffold_openapi(project: &Path, spec: &str) {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/openapi")
        .join(spec);
    generate_into(
        project,
        &["scaffold".as_ref(), "--openapi".as_ref(), spec.as_os_str()],
    );
}

/// `<name> migrate`, the built service's own migration command, against `database_url`.
pub fn run_migrate(name: &str, project: &Path, database_url: &str) {
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
