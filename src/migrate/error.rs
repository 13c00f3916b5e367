//! Everything that can stop a migration command. Each variant says what went wrong, where,
//! and (in its `help`) what to do next. All of them exit 2.

use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use super::checksum::ChecksumDifference;
use super::history::Engine;
use super::source::HistoryFormat;

/// One problem with one file of the migrations directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceProblem {
    pub file: String,
    pub why: String,
}

#[derive(Debug, Error, Diagnostic)]
pub enum MigrateError {
    // `reason`, not `source`: in the message already, so not to be printed again as the cause.
    #[error("cannot read the migrations directory {}: {reason}", directory.display())]
    #[diagnostic(code(migrate::directory), help("{}", directory_hint(reason)))]
    ReadDirectory {
        directory: PathBuf,
        reason: std::io::Error,
    },

    #[error("cannot read {}: {reason}", path.display())]
    #[diagnostic(code(migrate::read))]
    ReadFile {
        path: PathBuf,
        reason: std::io::Error,
    },

    #[error(
        "{} problem(s) in the migrations directory {}:\n{}",
        problems.len(),
        directory.display(),
        problems.iter().map(|problem| format!("  {}: {}", problem.file, problem.why)).collect::<Vec<_>>().join("\n")
    )]
    #[diagnostic(
        code(migrate::source),
        help(
            "sqlx migrations are named <version>_<description>.sql, or .up.sql/.down.sql pairs; refinery migrations V<version>__<name>.sql; every version is a unique integer"
        )
    )]
    Source {
        directory: PathBuf,
        problems: Vec<SourceProblem>,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),

    #[error(transparent)]
    #[diagnostic(transparent)]
    TenantList(Box<TenantListError>),

    #[error("no database URL")]
    #[diagnostic(
        code(migrate::no_database_url),
        help(
            "pass --database-url, set DATABASE_URL, or put DATABASE_URL=… in .env, e.g. postgres://user@localhost:5432/app"
        )
    )]
    NoDatabaseUrl,

    #[error("cannot read {}: {message}", path.display())]
    #[diagnostic(code(migrate::dotenv), help("lines of .env look like NAME=value"))]
    DotEnv { path: PathBuf, message: String },

    #[error("unsupported database URL `{url}`: {why}")]
    #[diagnostic(
        code(migrate::url),
        help("use postgres://…, mysql://… (also for MariaDB) or sqlite://path/to/file.db")
    )]
    UnsupportedUrl { url: String, why: String },

    #[error("cannot connect to {} at {location}: {message}", engine.name())]
    #[diagnostic(code(migrate::connect), help("{}", connect_hint(*engine)))]
    Connect {
        engine: Engine,
        location: String,
        message: String,
    },

    #[error("database error while {doing}: {message}")]
    #[diagnostic(code(migrate::database))]
    Database { doing: String, message: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    SqlFailed(Box<SqlFailure>),

    #[error(transparent)]
    #[diagnostic(transparent)]
    ClientCommand(Box<ClientCommand>),

    #[error(
        "migration {version} ({description}) failed part-way on an earlier run and is marked dirty"
    )]
    #[diagnostic(
        code(migrate::dirty),
        help(
            "undo whatever the migration did apply by hand, then run `axiomod migrate repair --clear-dirty {version}` and `axiomod migrate up` again (docs/migrations.md, \"Dirty state\")"
        )
    )]
    Dirty { version: i64, description: String },

    #[error("migration {version} was applied but its file {} has changed since: {reason}", file.display())]
    #[diagnostic(
        code(migrate::changed),
        help(
            "restore the file as it was applied and put the change in a new migration{}",
            accept_hint(*format, *version)
        )
    )]
    Changed {
        version: i64,
        file: PathBuf,
        reason: ChecksumDifference,
        /// `repair --accept` exists for sqlx histories only.
        format: HistoryFormat,
    },

    #[error("applied migration(s) {} have no file in {}", join(versions), directory.display())]
    #[diagnostic(
        code(migrate::missing),
        help(
            "restore the missing files, or pass --ignore-missing if they were removed on purpose"
        )
    )]
    Missing {
        versions: Vec<i64>,
        directory: PathBuf,
    },

    #[error(
        "pending migration(s) {} are older than the newest applied migration {latest}",
        join(versions)
    )]
    #[diagnostic(
        code(migrate::out_of_order),
        help(
            "usually a merged branch: give the files newer versions, or pass --allow-out-of-order to apply them anyway"
        )
    )]
    OutOfOrder { versions: Vec<i64>, latest: i64 },

    #[error("there is no migration {version} in {}", directory.display())]
    #[diagnostic(
        code(migrate::target),
        help("see the versions with `axiomod migrate status`")
    )]
    UnknownVersion { version: i64, directory: PathBuf },

    #[error("target {target} is older than the newest applied migration {latest}")]
    #[diagnostic(
        code(migrate::target),
        help("to go back, use `axiomod migrate down --target {target}`")
    )]
    TargetBehind { target: i64, latest: i64 },

    #[error("target {target} is newer than the newest applied migration {latest}")]
    #[diagnostic(
        code(migrate::target),
        help("to go forward, use `axiomod migrate up --target {target}`")
    )]
    TargetAhead { target: i64, latest: i64 },

    #[error("migration {version} ({description}) cannot be reverted: it has no down file")]
    #[diagnostic(
        code(migrate::no_down),
        help(
            "only reversible migrations (<version>_<name>.up.sql with a .down.sql) can be reverted; write {version}_<name>.down.sql"
        )
    )]
    NoDownFile { version: i64, description: String },

    #[error("migration {version} is not in the history table")]
    #[diagnostic(
        code(migrate::repair),
        help("see what is applied with `axiomod migrate status`")
    )]
    NotApplied { version: i64 },

    #[error("migration {version} is not dirty: its history row says it succeeded")]
    #[diagnostic(
        code(migrate::repair),
        help("`--clear-dirty` only removes failed rows; see `axiomod migrate status`")
    )]
    NotDirty { version: i64 },

    #[error("migration {version}'s checksum already matches its file; nothing to accept")]
    #[diagnostic(code(migrate::repair))]
    NothingToAccept { version: i64 },

    #[error("{what} is not supported for refinery projects")]
    #[diagnostic(
        code(migrate::refinery),
        help(
            "refinery has no down migrations and applies strictly in order; see docs/migrations.md, \"refinery projects\""
        )
    )]
    Unsupported { what: String },

    #[error("--all-tenants is not supported {what}")]
    #[diagnostic(
        code(migrate::tenants),
        help(
            "run `axiomod migrate` once per database with --database-url; --all-tenants is for PostgreSQL schemas and MySQL/MariaDB databases of sqlx projects"
        )
    )]
    TenantsUnsupported { what: String },

    #[error("--all-tenants needs the list of tenants, and axiomod.toml has no [migrate.tenants]")]
    #[diagnostic(
        code(migrate::tenants),
        help(
            "add to axiomod.toml either\n  [migrate.tenants]\n  query = \"SELECT schema_name FROM public.tenants WHERE active ORDER BY schema_name\"\nor\n  [migrate.tenants]\n  table = \"public.tenants\"\n  column = \"schema_name\""
        )
    )]
    NoTenantList,

    #[error("tenant {kind} `{tenant}` does not exist on {location}")]
    #[diagnostic(
        code(migrate::tenants),
        help(
            "create it (CREATE SCHEMA / CREATE DATABASE), or take the tenant off the tenant list"
        )
    )]
    NoTenant {
        kind: &'static str,
        tenant: String,
        location: String,
    },

    #[error("invalid migration name `{name}`: {why}")]
    #[diagnostic(
        code(migrate::create),
        help("use words, digits and underscores, e.g. `create_users`")
    )]
    InvalidName { name: String, why: String },

    #[error("{} already exists", path.display())]
    #[diagnostic(code(migrate::create), help("pick another name or delete the file"))]
    FileExists { path: PathBuf },

    #[error("cannot write {}: {reason}", path.display())]
    #[diagnostic(code(migrate::write))]
    Write {
        path: PathBuf,
        reason: std::io::Error,
    },
}

fn directory_hint(error: &std::io::Error) -> &'static str {
    if error.kind() == std::io::ErrorKind::NotFound {
        "create the first migration with `axiomod migrate create <name>`, or point at the directory with --source (or `[migrate] dir` in axiomod.toml)"
    } else {
        "--source (or `[migrate] dir` in axiomod.toml) must name a directory this user may read"
    }
}

fn connect_hint(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            "check the path of the database file; to create a new file, add ?mode=rwc to the URL, e.g. sqlite://data/app.db?mode=rwc"
        }
        Engine::Postgres | Engine::MySql => {
            "check that the database server is running and that the URL (host, port, user, database name) is right"
        }
    }
}

fn accept_hint(format: HistoryFormat, version: i64) -> String {
    match format {
        HistoryFormat::Sqlx => format!(
            "; if the change is harmless, record the new checksum with `axiomod migrate repair --accept {version}`"
        ),
        HistoryFormat::Refinery => String::new(),
    }
}

fn join(versions: &[i64]) -> String {
    versions
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A syntax or schema error in axiomod.toml, pointing at the offending text.
#[derive(Debug, Error, Diagnostic)]
#[error("invalid axiomod.toml: {message}")]
#[diagnostic(code(migrate::config))]
pub struct ConfigError {
    pub message: String,
    #[source_code]
    pub source_code: NamedSource<String>,
    #[label("here")]
    pub span: Option<SourceSpan>,
}

/// The tenant list of `[migrate.tenants]` failed or returned a name that cannot be a tenant.
#[derive(Debug, Error, Diagnostic)]
#[error("tenant list: {message}")]
#[diagnostic(
    code(migrate::tenants),
    help(
        "the tenant list must return one text column: the name of each tenant's schema (PostgreSQL) or database (MySQL/MariaDB), in the order to migrate them; see docs/migrations.md, \"Schema-per-tenant projects\""
    )
)]
pub struct TenantListError {
    pub message: String,
    #[source_code]
    pub source_code: NamedSource<String>,
    #[label("the tenant list")]
    pub span: SourceSpan,
}

/// A migration's own SQL failed.
#[derive(Debug, Error, Diagnostic)]
#[error("migration {version} ({}) failed: {message}", file.display())]
#[diagnostic(
    code(migrate::sql),
    help(
        "{}fix the SQL and run the command again; this migration is not recorded as applied{}",
        advice.map(|advice| format!("{advice}; ")).unwrap_or_default(),
        if *dirty { " (but MySQL/MariaDB may have committed part of it: see `axiomod migrate status` and docs/migrations.md, \"Dirty state\")" } else { "" }
    )
)]
pub struct SqlFailure {
    pub version: i64,
    pub file: PathBuf,
    /// The database's own message.
    pub message: String,
    /// True on MySQL/MariaDB, where DDL commits implicitly and a failure can leave a dirty row.
    pub dirty: bool,
    /// What to change when the database's message alone does not say it.
    pub advice: Option<&'static str>,
    #[source_code]
    pub source_code: Option<NamedSource<String>>,
    #[label("the database stopped here")]
    pub span: Option<SourceSpan>,
}

/// A line of a MySQL migration that only the mysql client understands; nothing was run.
#[derive(Debug, Error, Diagnostic)]
#[error(
    "migration {version} ({}) uses `DELIMITER`, a command of the mysql client that the server does not know; nothing was run",
    file.display()
)]
#[diagnostic(
    code(migrate::client_command),
    help(
        "remove the DELIMITER lines and end each statement with a plain `;`: the server reads a CREATE TRIGGER, PROCEDURE or FUNCTION body, `;`s included, as one statement"
    )
)]
pub struct ClientCommand {
    pub version: i64,
    pub file: PathBuf,
    #[source_code]
    pub source_code: NamedSource<String>,
    #[label("mysql client command")]
    pub span: SourceSpan,
}
