//! Projects that use refinery: `V{version}__{name}.sql` files and the
//! `refinery_schema_history` table. Migrations are applied by the refinery crate itself
//! (refinery-core 0.10, through its tokio-postgres, mysql_async and rusqlite drivers), so the
//! table, the checksum (SipHash-1-3 of name, version and SQL) and the rows are refinery's.
//!
//! axiomod adds what refinery lacks: every bad file name reported, `status` and `verify` with
//! reasons for changed checksums, dry runs, and the PostgreSQL/MySQL migration lock (taken on
//! a second connection, the same lock as for sqlx projects). Refinery has no down
//! migrations, so `down`, `redo` and `repair` are refused.

use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use chrono::{DateTime, Utc};
use refinery_core::mysql_async;

use refinery_core::tokio_postgres;
use refinery_core::{Runner, Target};

use super::checksum::Checksum;
use super::connect::{AnyMigrator, DatabaseUrl};
use super::error::{MigrateError, SourceProblem};
use super::history::{AppliedMigration, Engine, Migrator};
use super::plan::{Status, UpOptions, compare, plan_up};
use super::runner::{Event, Step};
use super::source::{HistoryFormat, Migration, MigrationKind, MigrationSet};

/// refinery's default history table.
pub const HISTORY_TABLE: &str = "refinery_schema_history";

/// refinery's checksum of a migration: SipHash-1-3 over its name, version and SQL, computed
/// by refinery itself. Shown as 16 hex digits (refinery stores the same number in decimal).
pub fn checksum(version: i64, name: &str, sql: &str) -> Checksum {
    let stem = format!("V{version}__{name}");
    match refinery_core::Migration::unapplied(&stem, sql) {
        Ok(migration) => from_u64(migration.checksum()),
        // A version or name refinery cannot hold never matches a stored checksum.
        Err(_) => Checksum::from_stored(Vec::new()),
    }
}

fn from_u64(checksum: u64) -> Checksum {
    Checksum::from_stored(checksum.to_be_bytes().to_vec())
}

/// True when the directory holds refinery files (`V1__name.sql`) and no sqlx files.
pub fn looks_like_refinery(directory: &Path) -> bool {
    let Ok(entries) = fs::read_dir(directory) else {
        return false;
    };
    let names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    let sqlx = |name: &String| {
        name.split_once('_')
            .is_some_and(|(version, _)| version.parse::<i64>().is_ok())
    };
    names
        .iter()
        .any(|name| refinery_core::parse_migration_name(name.trim_end_matches(".sql")).is_ok())
        && !names.iter().any(sqlx)
}

/// Reads a refinery migrations directory (recursively, as refinery does), reporting every
/// `.sql` file refinery would skip and every repeated version.
pub fn read_directory(directory: &Path) -> Result<MigrationSet, MigrateError> {
    let mut files = Vec::new();
    collect_sql_files(directory, &mut files)?;
    files.sort();
    let mut problems = Vec::new();
    let mut forward: Vec<Migration> = Vec::new();
    for path in files {
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = file_name.trim_end_matches(".sql");
        let bytes = fs::read(&path).map_err(|reason| MigrateError::ReadFile {
            path: path.clone(),
            reason,
        })?;
        let (version, name) = match parse_file_stem(stem) {
            Ok(parsed) => parsed,
            Err(why) => {
                problems.push(SourceProblem {
                    file: file_name,
                    why,
                });
                continue;
            }
        };
        let Ok(sql) = String::from_utf8(bytes) else {
            problems.push(SourceProblem {
                file: file_name,
                why: "the file is not valid UTF-8; save it as UTF-8".to_string(),
            });
            continue;
        };
        let version = i64::from(version);
        if let Some(first) = forward
            .iter()
            .find(|migration| migration.version == version)
        {
            problems.push(SourceProblem {
                file: file_name,
                why: format!(
                    "version {version} is already used by {}; every version must be unique",
                    first
                        .path
                        .file_name()
                        .map(|name| name.to_string_lossy())
                        .unwrap_or_default()
                ),
            });
            continue;
        }
        forward.push(Migration {
            version,
            checksum: checksum(version, &name, &sql),
            description: name,
            kind: MigrationKind::Simple,
            sql,
            no_transaction: false,
            path,
        });
    }
    if !problems.is_empty() {
        problems.sort_by(|left, right| left.file.cmp(&right.file));
        return Err(MigrateError::Source {
            directory: directory.to_path_buf(),
            problems,
        });
    }
    forward.sort_by_key(|migration| migration.version);
    Ok(MigrationSet {
        directory: directory.to_path_buf(),
        format: HistoryFormat::Refinery,
        forward,
        down: Vec::new(),
    })
}

/// Parses a file stem the way refinery's directory scan accepts it, into version and name.
/// refinery's `parse_migration_name` matches only a prefix of the stem, but its scan skips
/// any file whose whole name is not `V<version>__<word characters>.sql`: `V3__add-users.sql`
/// would be read as `V3__add` here and never be applied by refinery itself.
fn parse_file_stem(stem: &str) -> Result<(i32, String), String> {
    let expected = "expected V<version>__<name>.sql, where the name has only letters, digits \
                    and `_`, e.g. V1__create_users.sql";
    match refinery_core::parse_migration_name(stem) {
        // refinery's `Type` is not exported; it displays as its prefix letter.
        Ok((prefix, _, _)) if prefix.to_string() != "V" => Err(
            "unversioned (U) refinery migrations are not supported; use V<version>__".to_string(),
        ),
        Ok((_, version, name)) if stem.split_once("__").is_some_and(|(_, rest)| rest == name) => {
            Ok((version, name))
        }
        Err(error) if matches!(error.kind(), refinery_core::error::Kind::InvalidVersion) => {
            Err(format!(
                "the version does not fit refinery's 32-bit versions (at most {}); {expected}",
                i32::MAX
            ))
        }
        _ => Err(format!("not a refinery migration name: {expected}")),
    }
}

fn collect_sql_files(directory: &Path, files: &mut Vec<PathBuf>) -> Result<(), MigrateError> {
    let read_error = |reason| MigrateError::ReadDirectory {
        directory: directory.to_path_buf(),
        reason,
    };
    for entry in fs::read_dir(directory).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.is_dir() {
            collect_sql_files(&path, files)?;
        } else if path.extension().is_some_and(|extension| extension == "sql") {
            files.push(path);
        }
    }
    Ok(())
}

/// The connection refinery's own driver uses.
enum Driver {
    Postgres(tokio_postgres::Client),
    MySql(mysql_async::Pool),
    Sqlite(rusqlite::Connection),
}

/// A refinery connection, plus a sqlx connection for what refinery lacks (table lookups
/// that never create anything, and the migration lock).
pub struct RefineryDatabase {
    driver: Driver,
    sqlx: AnyMigrator,
}

fn refinery_error(doing: &str) -> impl FnOnce(refinery_core::Error) -> MigrateError + '_ {
    move |error| MigrateError::Database {
        doing: doing.to_string(),
        message: error_chain(&error),
    }
}

/// The error and its causes, each once: refinery's errors already repeat their cause's text.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// TLS for PostgreSQL with rustls, with libpq's (and sqlx's) meaning of `sslmode`:
/// `prefer` (the default) and `require` encrypt without checking the certificate;
/// `verify-ca` and `verify-full` check it against the Mozilla roots (webpki-roots, as sqlx's
/// `tls-rustls` does) and the host name. `disable` never uses TLS.
fn tls_connector(verify: bool) -> Result<tokio_postgres_rustls::MakeRustlsConnect, MigrateError> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| MigrateError::Database {
            doing: "setting up TLS".to_string(),
            message: error.to_string(),
        })?;
    let config = if verify {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(std::sync::Arc::new(EncryptOnly(provider)))
            .with_no_client_auth()
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// libpq's `sslmode=require`: the connection is encrypted and the handshake signatures are
/// checked, but any certificate is accepted.
#[derive(Debug)]
struct EncryptOnly(std::sync::Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &rustls::pki_types::CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &rustls::pki_types::CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

impl RefineryDatabase {
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, MigrateError> {
        let sqlx = url.connect().await?;
        let connect_error = |message: String| MigrateError::Connect {
            engine: url.engine,
            location: url.location.clone(),
            message,
        };
        let driver = match url.engine {
            Engine::Postgres => {
                // tokio-postgres knows sslmode disable/prefer/require only: verify-ca and
                // verify-full become require with a connector that checks the certificate.
                let verify = ["sslmode=verify-full", "sslmode=verify-ca"]
                    .iter()
                    .any(|mode| url.raw().contains(mode));
                let raw = url
                    .raw()
                    .replace("sslmode=verify-full", "sslmode=require")
                    .replace("sslmode=verify-ca", "sslmode=require");
                let (client, connection) = tokio_postgres::connect(&raw, tls_connector(verify)?)
                    .await
                    .map_err(|error| connect_error(error_chain(&error)))?;
                // The connection task ends when the client is dropped.
                tokio::spawn(connection);
                Driver::Postgres(client)
            }
            Engine::MySql => {
                let raw = url.raw().replacen("mariadb:", "mysql:", 1);
                let options = mysql_async::Opts::from_url(&raw)
                    .map_err(|error| connect_error(error.to_string()))?;
                Driver::MySql(mysql_async::Pool::new(options))
            }
            Engine::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(url.raw())
                    .map_err(|error| connect_error(error.to_string()))?;
                let connection = rusqlite::Connection::open(options.get_filename())
                    .map_err(|error| connect_error(error.to_string()))?;
                Driver::Sqlite(connection)
            }
        };
        Ok(Self { driver, sqlx })
    }

    pub fn engine(&self) -> Engine {
        self.sqlx.engine()
    }

    async fn applied(&mut self) -> Result<Option<Vec<AppliedMigration>>, MigrateError> {
        if !self.sqlx.table_exists(HISTORY_TABLE).await? {
            return Ok(None);
        }
        let runner = Runner::new(&[]);
        let doing = "reading refinery_schema_history";
        let rows = match &mut self.driver {
            Driver::Postgres(client) => runner
                .get_applied_migrations_async(client)
                .await
                .map_err(refinery_error(doing))?,
            Driver::MySql(pool) => runner
                .get_applied_migrations_async(pool)
                .await
                .map_err(refinery_error(doing))?,
            Driver::Sqlite(connection) => runner
                .get_applied_migrations(connection)
                .map_err(refinery_error(doing))?,
        };
        Ok(Some(
            rows.into_iter()
                .map(|row| AppliedMigration {
                    version: i64::from(row.version()),
                    description: row.name().to_string(),
                    installed_on: row
                        .applied_on()
                        .and_then(|at| {
                            DateTime::from_timestamp(at.unix_timestamp(), at.nanosecond())
                        })
                        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
                    success: true,
                    checksum: from_u64(row.checksum()),
                    execution_time: None,
                })
                .collect(),
        ))
    }

    /// Compares files and history; never creates the history table.
    pub async fn status(&mut self, set: &MigrationSet) -> Result<Status, MigrateError> {
        let applied = self.applied().await?;
        Ok(compare(self.engine(), set, applied.as_deref()))
    }

    /// Applies pending migrations one by one through refinery, under the lock.
    pub async fn up(
        &mut self,
        set: &MigrationSet,
        options: UpOptions,
        dry_run: bool,
        observer: &mut dyn FnMut(Event<'_>),
    ) -> Result<Vec<Step>, MigrateError> {
        if options.allow_out_of_order || options.ignore_missing {
            return Err(MigrateError::Unsupported {
                what: "--allow-out-of-order and --ignore-missing".to_string(),
            });
        }
        if !dry_run {
            self.sqlx.lock().await?;
        }
        let status = self.status(set).await?;
        let plan = plan_up(&status, set, options)?;
        if dry_run {
            return Ok(plan.into_iter().map(Step::planned).collect());
        }
        let all: Vec<refinery_core::Migration> = set
            .forward
            .iter()
            .map(|migration| {
                refinery_core::Migration::unapplied(
                    &format!("V{}__{}", migration.version, migration.description),
                    &migration.sql,
                )
                .map_err(refinery_error("reading the migrations"))
            })
            .collect::<Result<_, _>>()?;
        let mut steps = Vec::with_capacity(plan.len());
        for (index, migration) in plan.iter().copied().enumerate() {
            observer(Event::Starting {
                migration,
                index,
                total: plan.len(),
            });
            let version =
                i32::try_from(migration.version).map_err(|_| MigrateError::Unsupported {
                    what: format!(
                        "version {} (refinery versions are 32-bit)",
                        migration.version
                    ),
                })?;
            // Target one version at a time: refinery applies exactly this migration, in its
            // own transaction, and axiomod can report each one as it finishes.
            let runner = Runner::new(&all).set_target(Target::Version(version));
            let start = Instant::now();
            let failed = |error: refinery_core::Error| {
                MigrateError::SqlFailed(Box::new(super::error::SqlFailure {
                    version: migration.version,
                    file: migration.path.clone(),
                    message: error_chain(&error),
                    dirty: false,
                    advice: (self.sqlx.engine() == Engine::MySql).then_some(
                        "MySQL/MariaDB commits each DDL statement, and refinery records no \
                         failed migration: the statements before the failing one stayed \
                         applied, undo them by hand",
                    ),
                    source_code: None,
                    span: None,
                }))
            };
            match &mut self.driver {
                Driver::Postgres(client) => {
                    runner.run_async(client).await.map_err(failed)?;
                }
                Driver::MySql(pool) => {
                    runner.run_async(pool).await.map_err(failed)?;
                }
                Driver::Sqlite(connection) => {
                    runner.run(connection).map_err(failed)?;
                }
            }
            let elapsed = start.elapsed();
            observer(Event::Finished { migration, elapsed });
            steps.push(Step {
                elapsed: Some(elapsed.as_nanos()),
                sql: None,
                ..Step::planned(migration)
            });
        }
        self.sqlx.unlock().await?;
        Ok(steps)
    }

    pub async fn close(self) {
        if let Driver::MySql(pool) = self.driver {
            let _ = pool.disconnect().await;
        }
        self.sqlx.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_is_refinerys_own() {
        let expected =
            refinery_core::Migration::unapplied("V1__initial", "CREATE TABLE a (id INT);")
                .unwrap()
                .checksum();
        assert_eq!(
            checksum(1, "initial", "CREATE TABLE a (id INT);"),
            from_u64(expected)
        );
        assert_ne!(
            checksum(1, "initial", "CREATE TABLE a (id INT);"),
            checksum(2, "initial", "CREATE TABLE a (id INT);")
        );
    }

    #[test]
    fn detects_refinery_directories_and_reports_bad_names() {
        let directory = tempfile::tempdir().unwrap();
        let write = |name: &str| fs::write(directory.path().join(name), "SELECT 1;").unwrap();
        write("V1__initial.sql");
        write("V2__add_users.sql");
        assert!(looks_like_refinery(directory.path()));
        let set = read_directory(directory.path()).unwrap();
        assert_eq!(set.format, HistoryFormat::Refinery);
        assert_eq!(set.forward[1].description, "add_users");

        write("V2__again.sql");
        write("init.sql");
        let MigrateError::Source { problems, .. } = read_directory(directory.path()).unwrap_err()
        else {
            panic!("expected source problems");
        };
        let files: Vec<_> = problems.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(files, ["V2__again.sql", "init.sql"]);

        write("1_sqlx_style.sql");
        assert!(!looks_like_refinery(directory.path()));
    }

    #[test]
    fn names_refinerys_scan_skips_are_reported_not_cut_short() {
        let directory = tempfile::tempdir().unwrap();
        let write = |name: &str| fs::write(directory.path().join(name), "SELECT 1;").unwrap();
        write("V1__initial.sql");
        write("V2__add-users.sql");
        write("V3__add users.sql");
        write("V20240101120000__too_big.sql");
        let MigrateError::Source { problems, .. } = read_directory(directory.path()).unwrap_err()
        else {
            panic!("expected source problems");
        };
        let files: Vec<_> = problems.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "V20240101120000__too_big.sql",
                "V2__add-users.sql",
                "V3__add users.sql"
            ]
        );
        assert!(problems[0].why.contains("32-bit"), "{}", problems[0].why);
        assert!(problems[1].why.contains("only letters, digits and `_`"));
    }
}
