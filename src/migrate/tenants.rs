//! `--all-tenants`: one migration history per tenant, for schema-per-tenant projects.
//!
//! `[migrate.tenants]` in axiomod.toml lists the tenants, with a query or a table and a
//! column. On PostgreSQL a tenant is a schema: its run uses a connection whose `search_path`
//! is that schema only, so `_sqlx_migrations` and every unqualified name in the migrations
//! live in the tenant's schema, as `sqlx migrate run` sees them with the same search_path. On
//! MySQL/MariaDB a tenant is a database (`USE`). SQLite has neither, and is refused.
//!
//! Each tenant runs on its own connection through the same [`super::runner`] as a single
//! database, so transactions and locks are those of a normal run: the PostgreSQL advisory
//! lock is keyed on the database (one tenant at a time, as sqlx does), the MySQL lock on the
//! tenant's database.

use sqlx::Executor;

use super::config::TenantSettings;
use super::connect::{AnyMigrator, DatabaseUrl};
use super::error::MigrateError;
use super::history::{Engine, Migrator, database_error};

/// Where the tenant names come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantSource {
    /// A query whose first column is the tenant's schema (or database) name, in run order.
    Query(String),
    /// Every value of `column` in `table` (`table` or `schema.table`), sorted.
    Table { table: Vec<String>, column: String },
}

impl TenantSource {
    /// The SQL that lists the tenants on `engine`.
    fn sql(&self, engine: Engine) -> String {
        match self {
            Self::Query(query) => query.clone(),
            Self::Table { table, column } => {
                let table: Vec<String> = table.iter().map(|part| quote(part, engine)).collect();
                let column = quote(column, engine);
                format!("SELECT {column} FROM {} ORDER BY {column}", table.join("."))
            }
        }
    }
}

/// One tenant: a checked schema (PostgreSQL) or database (MySQL/MariaDB) name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub name: String,
}

impl Tenant {
    /// Where the tenant's migrations run, for messages: `host:port/db (schema acme)`.
    pub fn location(&self, url: &DatabaseUrl) -> String {
        format!("{} ({} {})", url.location, kind(url.engine), self.name)
    }
}

/// What a tenant is called on `engine`.
fn kind(engine: Engine) -> &'static str {
    match engine {
        Engine::MySql => "database",
        Engine::Postgres | Engine::Sqlite => "schema",
    }
}

/// The longest name PostgreSQL keeps (NAMEDATALEN - 1); MySQL allows one more.
const MAX_NAME_BYTES: usize = 63;

/// Checks a name used as an identifier: tenant names, and the table and column of
/// `[migrate.tenants]`. Stricter than the databases (which accept anything quoted) so that
/// a name that reads like data, a path or an injection is refused with a reason.
pub fn check_identifier(name: &str) -> Result<(), String> {
    let mut characters = name.chars();
    let Some(first) = characters.next() else {
        return Err("it is empty".to_string());
    };
    if name.len() > MAX_NAME_BYTES {
        return Err(format!("it is longer than {MAX_NAME_BYTES} bytes"));
    }
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Err("it must start with a letter or `_`".to_string());
    }
    if !characters
        .all(|character| character.is_ascii_alphanumeric() || character == '_' || character == '-')
    {
        return Err("it may contain only letters, digits, `_` and `-`".to_string());
    }
    Ok(())
}

/// Checks a tenant name: an identifier that is not one of the engine's own schemas.
fn check_tenant(name: &str, engine: Engine) -> Result<(), String> {
    check_identifier(name)?;
    let lowercase = name.to_ascii_lowercase();
    let system = match engine {
        Engine::Postgres => lowercase.starts_with("pg_") || lowercase == "information_schema",
        Engine::MySql => matches!(
            lowercase.as_str(),
            "mysql" | "information_schema" | "performance_schema" | "sys"
        ),
        Engine::Sqlite => false,
    };
    if system {
        return Err(format!("it is a system {}", kind(engine)));
    }
    Ok(())
}

/// `name` as a quoted identifier on `engine` (quotes inside doubled).
fn quote(name: &str, engine: Engine) -> String {
    match engine {
        Engine::MySql => format!("`{}`", name.replace('`', "``")),
        Engine::Postgres | Engine::Sqlite => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// SQLite has no schemas: `--all-tenants` is refused before anything else.
pub fn refuse_sqlite(url: &DatabaseUrl) -> Result<(), MigrateError> {
    if url.engine == Engine::Sqlite {
        return Err(MigrateError::TenantsUnsupported {
            what: "on SQLite, which has no schemas".to_string(),
        });
    }
    Ok(())
}

/// Lists the tenants with `settings`' query, in its order. Every name is checked; a failing
/// query, a NULL, an invalid or a repeated name is an error pointing at axiomod.toml.
pub async fn list(
    url: &DatabaseUrl,
    settings: &TenantSettings,
) -> Result<Vec<Tenant>, MigrateError> {
    refuse_sqlite(url)?;
    let sql = settings.source.sql(url.engine);
    let mut migrator = url.connect().await?;
    let names: Result<Vec<Option<String>>, sqlx::Error> = match &mut migrator {
        AnyMigrator::Postgres(postgres) => {
            sqlx::query_scalar(&sql)
                .fetch_all(&mut postgres.connection)
                .await
        }
        AnyMigrator::MySql(mysql) => {
            sqlx::query_scalar(&sql)
                .fetch_all(&mut mysql.connection)
                .await
        }
        // Refused above.
        AnyMigrator::Sqlite(_) => Ok(Vec::new()),
    };
    migrator.close().await;
    let names = names.map_err(|error| {
        let message = match &error {
            sqlx::Error::Database(database_error) => database_error.message().to_string(),
            sqlx::Error::ColumnDecode { .. } => {
                "its first column is not text (cast it, e.g. `SELECT id::text …`)".to_string()
            }
            other => other.to_string(),
        };
        settings.list_error(format!("the query failed on {}: {message}", url.location))
    })?;
    let mut tenants: Vec<Tenant> = Vec::with_capacity(names.len());
    for (index, name) in names.into_iter().enumerate() {
        let row = index + 1;
        let Some(name) = name else {
            return Err(settings.list_error(format!("row {row} is NULL")));
        };
        if let Err(why) = check_tenant(&name, url.engine) {
            return Err(settings.list_error(format!(
                "row {row}, `{name}`, is not a valid {} name: {why}",
                kind(url.engine)
            )));
        }
        if tenants.iter().any(|tenant| tenant.name == name) {
            return Err(
                settings.list_error(format!("`{name}` is listed twice (again in row {row})"))
            );
        }
        tenants.push(Tenant { name });
    }
    Ok(tenants)
}

/// Opens a connection that sees only `tenant`: `search_path` set to its schema on
/// PostgreSQL, its database selected on MySQL/MariaDB.
pub async fn connect(url: &DatabaseUrl, tenant: &Tenant) -> Result<AnyMigrator, MigrateError> {
    refuse_sqlite(url)?;
    let mut migrator = url.connect().await?;
    match enter(&mut migrator, url, tenant).await {
        Ok(()) => Ok(migrator),
        Err(error) => {
            migrator.close().await;
            Err(error)
        }
    }
}

async fn enter(
    migrator: &mut AnyMigrator,
    url: &DatabaseUrl,
    tenant: &Tenant,
) -> Result<(), MigrateError> {
    let quoted = quote(&tenant.name, url.engine);
    let exists = match migrator {
        AnyMigrator::Postgres(postgres) => {
            let exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
                    .bind(&tenant.name)
                    .fetch_one(&mut postgres.connection)
                    .await
                    .map_err(database_error("looking for the tenant's schema"))?;
            if exists {
                // The tenant's schema only: nothing falls through to `public`.
                postgres
                    .connection
                    .execute(format!("SET search_path TO {quoted}").as_str())
                    .await
                    .map_err(database_error("setting the tenant's search_path"))?;
            }
            exists
        }
        AnyMigrator::MySql(mysql) => {
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
            )
            .bind(&tenant.name)
            .fetch_one(&mut mysql.connection)
            .await
            .map_err(database_error("looking for the tenant's database"))?;
            if count > 0 {
                mysql
                    .connection
                    .execute(format!("USE {quoted}").as_str())
                    .await
                    .map_err(database_error("selecting the tenant's database"))?;
            }
            count > 0
        }
        // Refused in `connect`.
        AnyMigrator::Sqlite(_) => false,
    };
    if exists {
        Ok(())
    } else {
        Err(MigrateError::NoTenant {
            kind: kind(url.engine),
            tenant: tenant.name.clone(),
            location: url.location.clone(),
        })
    }
}

/// How one tenant's run ended.
#[derive(Debug)]
pub enum TenantResult<T> {
    Done(T),
    Failed(MigrateError),
    /// Not run: an earlier tenant failed and `keep_going` was off.
    Skipped,
}

#[derive(Debug)]
pub struct TenantRun<T> {
    pub tenant: Tenant,
    pub result: TenantResult<T>,
}

/// Progress of [`run_each`], for printing as it goes.
pub enum TenantEvent<'a, T> {
    Starting(&'a Tenant),
    Finished(&'a TenantRun<T>),
}

/// Runs `operation` on each tenant in order, each on its own connection ([`connect`]).
/// Stops at the first failing tenant (the rest are [`TenantResult::Skipped`]) unless
/// `keep_going`.
pub async fn run_each<T>(
    url: &DatabaseUrl,
    tenants: Vec<Tenant>,
    keep_going: bool,
    mut operation: impl AsyncFnMut(&mut AnyMigrator) -> Result<T, MigrateError>,
    observer: &mut dyn FnMut(TenantEvent<'_, T>),
) -> Vec<TenantRun<T>> {
    let mut runs = Vec::with_capacity(tenants.len());
    let mut stopped = false;
    for tenant in tenants {
        let result = if stopped {
            TenantResult::Skipped
        } else {
            observer(TenantEvent::Starting(&tenant));
            match run_one(url, &tenant, &mut operation).await {
                Ok(value) => TenantResult::Done(value),
                Err(error) => {
                    stopped = !keep_going;
                    TenantResult::Failed(error)
                }
            }
        };
        runs.push(TenantRun { tenant, result });
        observer(TenantEvent::Finished(
            runs.last().expect("a run was just pushed"),
        ));
    }
    runs
}

async fn run_one<T>(
    url: &DatabaseUrl,
    tenant: &Tenant,
    operation: &mut impl AsyncFnMut(&mut AnyMigrator) -> Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    let mut migrator = connect(url, tenant).await?;
    let result = operation(&mut migrator).await;
    migrator.close().await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names_are_identifiers_and_not_system_schemas() {
        for good in ["acme", "tenant_42", "_staging", "Acme-Corp"] {
            assert_eq!(check_tenant(good, Engine::Postgres), Ok(()), "{good}");
        }
        let refused = [
            ("", "it is empty"),
            ("42acme", "it must start with a letter or `_`"),
            ("acme; DROP TABLE x", "it may contain only"),
            ("a\"b", "it may contain only"),
            ("pg_catalog", "it is a system schema"),
            ("information_schema", "it is a system schema"),
        ];
        for (name, why) in refused {
            let error = check_tenant(name, Engine::Postgres).unwrap_err();
            assert!(error.starts_with(why), "{name}: {error}");
        }
        assert!(check_tenant(&"a".repeat(64), Engine::Postgres).is_err());
        assert!(check_tenant(&"a".repeat(63), Engine::Postgres).is_ok());
        assert_eq!(
            check_tenant("mysql", Engine::MySql),
            Err("it is a system database".to_string())
        );
    }

    #[test]
    fn table_sources_quote_every_identifier() {
        let source = TenantSource::Table {
            table: vec!["public".to_string(), "tenants".to_string()],
            column: "schema_name".to_string(),
        };
        assert_eq!(
            source.sql(Engine::Postgres),
            r#"SELECT "schema_name" FROM "public"."tenants" ORDER BY "schema_name""#
        );
        assert_eq!(
            source.sql(Engine::MySql),
            "SELECT `schema_name` FROM `public`.`tenants` ORDER BY `schema_name`"
        );
        assert_eq!(quote("a\"b", Engine::Postgres), r#""a""b""#);
        assert_eq!(quote("a`b", Engine::MySql), "`a``b`");
    }
}
