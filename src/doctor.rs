//! Environment checks behind `axiomod doctor`: toolchain present, database and broker
//! reachable. Pure data in, a [`Report`] out; printing is the command's business.

use std::net::{TcpStream, ToSocketAddrs};
use std::process::Command;
use std::time::Duration;

use serde::Serialize;
use url::Url;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Everything `doctor` found, in the order it checked.
#[derive(Debug, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    /// True when no required check failed.
    pub fn all_required_ok(&self) -> bool {
        self.checks
            .iter()
            .all(|check| !check.required || check.status != CheckStatus::Failed)
    }
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: CheckStatus,
    /// A version string, an address, or what went wrong.
    pub detail: String,
    /// What to do about a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// A failed required check makes `doctor` exit 1.
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    Failed,
    Skipped,
}

/// Runs every check. `database_url` and `broker_url` are checked only when given.
pub fn run_checks(database_url: Option<&str>, broker_url: Option<&str>) -> Report {
    let checks = vec![
        tool_version("rustc", &["--version"], true),
        tool_version("cargo", &["--version"], true),
        tool_version("rustfmt", &["--version"], false),
        tool_version("clippy", &["clippy", "--version"], false),
        database_url.map_or_else(|| skipped("database", "DATABASE_URL"), check_database),
        broker_url.map_or_else(|| skipped("broker", "BROKER_URL"), check_broker),
    ];
    Report { checks }
}

fn skipped(name: &'static str, variable: &str) -> Check {
    Check {
        name,
        status: CheckStatus::Skipped,
        detail: format!("{variable} is not set"),
        hint: None,
        required: false,
    }
}

fn tool_version(name: &'static str, args: &[&str], required: bool) -> Check {
    // `cargo clippy --version` is how clippy is found; the others answer themselves.
    let program = if name == "clippy" { "cargo" } else { name };
    let outcome = Command::new(program).args(args).output();
    let (status, detail, hint) = match outcome {
        Ok(output) if output.status.success() => (
            CheckStatus::Ok,
            String::from_utf8_lossy(&output.stdout).trim().to_string(),
            None,
        ),
        Ok(output) => (
            CheckStatus::Failed,
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
            Some(format!("install it with `rustup component add {name}`")),
        ),
        Err(error) => (
            CheckStatus::Failed,
            format!("`{program}` could not be run: {error}"),
            Some("install Rust with rustup (https://rustup.rs)".to_string()),
        ),
    };
    Check {
        name,
        status,
        detail,
        hint,
        required,
    }
}

fn check_database(raw: &str) -> Check {
    let url = match Url::parse(raw) {
        Ok(url) => url,
        Err(error) => return unparseable("database", raw, &error.to_string()),
    };
    match url.scheme() {
        "sqlite" => check_sqlite(&url),
        "postgres" | "postgresql" => check_tcp("database", &url, 5432),
        "mysql" | "mariadb" => check_tcp("database", &url, 3306),
        other => unparseable(
            "database",
            raw,
            &format!("unsupported scheme `{other}` (use postgres://, mysql:// or sqlite://)"),
        ),
    }
}

fn check_broker(raw: &str) -> Check {
    let url = match Url::parse(raw) {
        Ok(url) => url,
        Err(error) => return unparseable("broker", raw, &error.to_string()),
    };
    match url.scheme() {
        "nats" => check_tcp("broker", &url, 4222),
        "amqp" => check_tcp("broker", &url, 5672),
        "amqps" => check_tcp("broker", &url, 5671),
        other => unparseable(
            "broker",
            raw,
            &format!("unsupported scheme `{other}` (use nats://, amqp:// or amqps://)"),
        ),
    }
}

fn unparseable(name: &'static str, raw: &str, why: &str) -> Check {
    Check {
        name,
        status: CheckStatus::Failed,
        detail: format!("`{}` is not a usable URL: {why}", redact(raw)),
        hint: Some("fix the URL, e.g. postgres://user@host:5432/db".to_string()),
        required: true,
    }
}

fn check_sqlite(url: &Url) -> Check {
    // sqlite://relative.db and sqlite:///absolute.db both name a file; its folder must exist.
    let path = format!("{}{}", url.host_str().unwrap_or(""), url.path());
    let file = std::path::Path::new(&path);
    let folder = file
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let (status, hint) = if folder.is_dir() {
        (CheckStatus::Ok, None)
    } else {
        (
            CheckStatus::Failed,
            Some(format!("create the folder {}", folder.display())),
        )
    };
    Check {
        name: "database",
        status,
        detail: format!("sqlite file {}", file.display()),
        hint,
        required: true,
    }
}

fn check_tcp(name: &'static str, url: &Url, default_port: u16) -> Check {
    let host = url.host_str().unwrap_or("localhost");
    let port = url.port().unwrap_or(default_port);
    let address = format!("{host}:{port}");
    let reachable = address
        .to_socket_addrs()
        .map_err(|error| error.to_string())
        .and_then(|mut addresses| {
            addresses
                .next()
                .ok_or_else(|| format!("{host} resolves to no address"))
        })
        .and_then(|socket| {
            TcpStream::connect_timeout(&socket, CONNECT_TIMEOUT).map_err(|error| error.to_string())
        });
    match reachable {
        Ok(_) => Check {
            name,
            status: CheckStatus::Ok,
            detail: format!("{} reachable at {address}", url.scheme()),
            hint: None,
            required: true,
        },
        Err(error) => Check {
            name,
            status: CheckStatus::Failed,
            detail: format!("{address} is unreachable: {error}"),
            hint: Some(format!("start the {} server or fix the URL", url.scheme())),
            required: true,
        },
    }
}

/// The URL without its password, for messages.
fn redact(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://me:secret@db:5432/x"),
            "postgres://me:***@db:5432/x"
        );
        assert_eq!(redact("nats://host:4222"), "nats://host:4222");
    }

    #[test]
    fn unknown_scheme_fails_and_is_required() {
        let check = check_database("redis://localhost:6379");
        assert_eq!(check.status, CheckStatus::Failed);
        assert!(check.required);
        assert!(check.detail.contains("unsupported scheme `redis`"));
    }

    #[test]
    fn closed_port_is_reported_unreachable() {
        // Port 1 on loopback is never served on these machines.
        let check = check_broker("nats://127.0.0.1:1");
        assert_eq!(check.status, CheckStatus::Failed);
        assert!(check.detail.contains("127.0.0.1:1 is unreachable"));
    }

    #[test]
    fn report_fails_only_on_required_checks() {
        let report = Report {
            checks: vec![Check {
                name: "rustfmt",
                status: CheckStatus::Failed,
                detail: String::new(),
                hint: None,
                required: false,
            }],
        };
        assert!(report.all_required_ok());
    }
}
