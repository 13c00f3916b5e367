//! Shared helpers for the integration tests. Each test file that needs them says `mod support;`.
#![allow(dead_code)] // each test file uses a different subset of these helpers

pub mod files;
pub mod helm;
pub mod http;
pub mod otlp;
pub mod postgres;
pub mod project;
pub mod schemas;

use std::net::{TcpStream, ToSocketAddrs};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The output pipe of a command that a test closes before the command writes anything.
pub enum Closed {
    /// What a reader such as `| head` does when it has read enough.
    Stdout,
    /// What a supervisor that stopped reading the command's messages does.
    Stderr,
}

/// Runs `command` with one of its output pipes closed and returns the other's text and the
/// exit status.
pub fn output_with_closed(mut command: Command, closed: Closed) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    match closed {
        Closed::Stdout => drop(child.stdout.take()),
        Closed::Stderr => drop(child.stderr.take()),
    }
    child.wait_with_output().expect("the command ends")
}

/// The URL of a service a test needs, from `variable` or else `default`, when it answers on
/// TCP. When it does not, the test is skipped with a loud message, except under `CI=true`,
/// where a missing service is a failure.
///
/// Usage: `let Some(url) = support::service_url("DATABASE_URL", "postgres://…") else { return };`
pub fn service_url(variable: &str, default: &str) -> Option<String> {
    let url = std::env::var(variable).unwrap_or_else(|_| default.to_string());
    if reachable(&url) {
        return Some(url);
    }
    skip(&format!("service for {variable} is unreachable at {url}"));
    None
}

/// Says loudly that a test is skipped because of `reason` (a missing service or tool); under
/// `CI=true`, where nothing may be skipped, fails the test instead.
pub fn skip(reason: &str) {
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!("{reason} (CI=true: tests must not skip)");
    }
    eprintln!("\n!!!!!!!! SKIPPED: {reason} !!!!!!!!\n");
}

/// PostgreSQL server URL (no database name), from `AXIOMOD_TEST_POSTGRES_URL`.
pub fn postgres_url() -> Option<String> {
    service_url(
        "AXIOMOD_TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432",
    )
}

/// MariaDB/MySQL server URL (no database name), from `AXIOMOD_TEST_MYSQL_URL`.
pub fn mysql_url() -> Option<String> {
    service_url("AXIOMOD_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306")
}

/// NATS URL, from `AXIOMOD_TEST_NATS_URL`.
pub fn nats_url() -> Option<String> {
    service_url("AXIOMOD_TEST_NATS_URL", "nats://127.0.0.1:4222")
}

/// RabbitMQ URL, from `AXIOMOD_TEST_AMQP_URL`.
pub fn amqp_url() -> Option<String> {
    service_url(
        "AXIOMOD_TEST_AMQP_URL",
        "amqp://guest:guest@127.0.0.1:5672/%2f",
    )
}

fn reachable(url: &str) -> bool {
    let Some((host, port)) = host_and_port(url) else {
        return false;
    };
    let Ok(mut addresses) = (host.as_str(), port).to_socket_addrs() else {
        return false;
    };
    addresses.any(|address| TcpStream::connect_timeout(&address, Duration::from_secs(2)).is_ok())
}

/// `scheme://[user[:pass]@]host[:port][/…]` → (host, port), with the scheme's default port.
fn host_and_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let default_port = match scheme {
        "postgres" | "postgresql" => 5432,
        "mysql" | "mariadb" => 3306,
        "nats" => 4222,
        "amqp" => 5672,
        "redis" => 6379,
        _ => return None,
    };
    match host_port.rsplit_once(':') {
        Some((host, port)) => Some((host.to_string(), port.parse().ok()?)),
        None => Some((host_port.to_string(), default_port)),
    }
}
