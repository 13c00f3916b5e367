//! Throwaway PostgreSQL databases for tests, made and dropped with `psql`.

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// A uniquely named database, dropped (with its connections) when this value is dropped.
pub struct TemporaryDatabase {
    server: String,
    name: String,
    url: String,
}

impl TemporaryDatabase {
    /// Creates a database on `server` (a URL without a database name).
    pub fn create(server: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        // The clock too: test processes in other PID namespaces on the same server can have
        // the same process id.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let name = format!(
            "axiomod_test_{}_{nanos}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        psql(
            &format!("{server}/postgres"),
            &format!("CREATE DATABASE {name}"),
        );
        let url = format!("{server}/{name}");
        Self {
            server: server.to_string(),
            name,
            url,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs one SQL statement and returns its unaligned, tuples-only output.
    pub fn query(&self, sql: &str) -> String {
        psql(&self.url, sql)
    }

    pub fn table_exists(&self, table: &str) -> bool {
        self.query(&format!("SELECT to_regclass('{table}') IS NOT NULL")) == "t"
    }
}

impl Drop for TemporaryDatabase {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                &format!("{}/postgres", self.server),
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}

fn psql(url: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        .output()
        .expect("psql is installed with the PostgreSQL client");
    assert!(
        output.status.success(),
        "psql `{sql}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}
