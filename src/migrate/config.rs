//! The `[migrate]` table of a project's `axiomod.toml`.
//!
//! ```toml
//! [migrate]
//! dir = "db/migrations"   # default: migrations
//! format = "refinery"      # sqlx or refinery; default: detected from the file names
//!
//! [migrate.tenants]        # for `--all-tenants`: a query, or a table and a column
//! query = "SELECT schema_name FROM public.tenants WHERE active ORDER BY schema_name"
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, MigrateError, TenantListError};
use super::source::HistoryFormat;
use super::tenants::{self, TenantSource};

/// The migrations directory when axiomod.toml does not name one.
pub const DEFAULT_DIRECTORY: &str = "migrations";

#[derive(Debug, Deserialize)]
struct ProjectFile {
    // Other tables belong to other commands.
    migrate: Option<MigrateTable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MigrateTable {
    dir: Option<String>,
    format: Option<HistoryFormat>,
    tenants: Option<Spanned<TenantsTable>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantsTable {
    query: Option<Spanned<String>>,
    table: Option<Spanned<String>>,
    column: Option<Spanned<String>>,
}

/// What `[migrate]` says, with defaults applied to the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub directory: PathBuf,
    /// `sqlx` or `refinery`; None: detected from the file names.
    pub format: Option<HistoryFormat>,
    /// `[migrate.tenants]`: where `--all-tenants` finds the tenants; None when absent.
    pub tenants: Option<TenantSettings>,
}

/// `[migrate.tenants]`, checked, with where it was written so that a failing tenant query
/// can point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSettings {
    pub source: TenantSource,
    /// The file it came from and that file's text.
    pub file: PathBuf,
    pub text: String,
    /// The `query` value, or the `table` value, in `text`.
    pub span: SourceSpan,
}

impl TenantSettings {
    /// A problem with what the tenant list returned, pointing at its definition.
    pub fn list_error(&self, message: String) -> MigrateError {
        MigrateError::TenantList(Box::new(TenantListError {
            message,
            source_code: NamedSource::new(self.file.display().to_string(), self.text.clone()),
            span: self.span,
        }))
    }
}

/// The settings of the project in `root`: `[migrate]` of `root/axiomod.toml`, with the
/// directory relative to `root` (default `root/migrations`).
pub fn settings(root: &Path) -> Result<Settings, MigrateError> {
    let path = root.join("axiomod.toml");
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Settings {
                directory: root.join(DEFAULT_DIRECTORY),
                format: None,
                tenants: None,
            });
        }
        Err(reason) => return Err(MigrateError::ReadFile { path, reason }),
    };
    let project: ProjectFile = toml::from_str(&text).map_err(|error| {
        config_error(
            &path,
            &text,
            error.message().to_string(),
            error.span().map(Into::into),
        )
    })?;
    let table = project.migrate.unwrap_or(MigrateTable {
        dir: None,
        format: None,
        tenants: None,
    });
    let tenants = match table.tenants {
        Some(tenants) => Some(tenant_settings(tenants, &path, &text)?),
        None => None,
    };
    Ok(Settings {
        directory: root.join(table.dir.as_deref().unwrap_or(DEFAULT_DIRECTORY)),
        format: table.format,
        tenants,
    })
}

fn config_error(
    path: &Path,
    text: &str,
    message: String,
    span: Option<SourceSpan>,
) -> MigrateError {
    MigrateError::Config(Box::new(ConfigError {
        message,
        span,
        source_code: NamedSource::new(path.display().to_string(), text.to_string()),
    }))
}

/// Checks `[migrate.tenants]`: either `query`, or `table` and `column`, each well-formed.
fn tenant_settings(
    tenants: Spanned<TenantsTable>,
    path: &Path,
    text: &str,
) -> Result<TenantSettings, MigrateError> {
    let error = |message: &str, span: std::ops::Range<usize>| {
        config_error(path, text, message.to_string(), Some(span.into()))
    };
    let whole = tenants.span();
    let TenantsTable {
        query,
        table,
        column,
    } = tenants.into_inner();
    let (source, span) = match (query, table, column) {
        (Some(query), None, None) => {
            if query.get_ref().trim().is_empty() {
                return Err(error("`query` is empty", query.span()));
            }
            let span = query.span();
            (TenantSource::Query(query.into_inner()), span)
        }
        (Some(query), _, _) => {
            return Err(error(
                "[migrate.tenants] takes either `query`, or `table` and `column`, not both",
                query.span(),
            ));
        }
        (None, Some(table), Some(column)) => {
            let parts: Vec<String> = table.get_ref().split('.').map(str::to_string).collect();
            if parts.len() > 2 {
                return Err(error("`table` is `table` or `schema.table`", table.span()));
            }
            for part in &parts {
                tenants::check_identifier(part).map_err(|why| {
                    error(
                        &format!("`table`: `{part}` is not a valid identifier: {why}"),
                        table.span(),
                    )
                })?;
            }
            tenants::check_identifier(column.get_ref()).map_err(|why| {
                error(
                    &format!("`column` is not a valid identifier: {why}"),
                    column.span(),
                )
            })?;
            let span = table.span();
            (
                TenantSource::Table {
                    table: parts,
                    column: column.into_inner(),
                },
                span,
            )
        }
        (None, Some(table), None) => {
            return Err(error(
                "`table` needs `column`: the column that holds each tenant's schema name",
                table.span(),
            ));
        }
        (None, None, Some(column)) => {
            return Err(error(
                "`column` needs `table`: the table that lists the tenants",
                column.span(),
            ));
        }
        (None, None, None) => {
            return Err(error(
                "[migrate.tenants] needs `query`, or `table` and `column`",
                whole,
            ));
        }
    };
    Ok(TenantSettings {
        source,
        file: path.to_path_buf(),
        text: text.to_string(),
        span: span.into(),
    })
}

/// `DATABASE_URL` from the `.env` file in `root`, as sqlx-cli reads it; None without a file
/// or without the variable.
pub fn database_url_from_dotenv(root: &Path) -> Result<Option<String>, MigrateError> {
    let path = root.join(".env");
    let entries = match dotenvy::from_path_iter(&path) {
        Ok(entries) => entries,
        Err(dotenvy::Error::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(error) => return Err(dotenv_error(&path, &error)),
    };
    for entry in entries {
        let (key, value) = entry.map_err(|error| dotenv_error(&path, &error))?;
        if key == "DATABASE_URL" {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

fn dotenv_error(path: &Path, error: &dotenvy::Error) -> MigrateError {
    MigrateError::DotEnv {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_directory_and_defaults_without_a_file() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(
            settings(root.path()).unwrap().directory,
            root.path().join("migrations")
        );
        fs::write(
            root.path().join("axiomod.toml"),
            "[project]\nname = \"shop\"\n\n[migrate]\ndir = \"db/migrations\"\nformat = \"refinery\"\n",
        )
        .unwrap();
        assert_eq!(
            settings(root.path()).unwrap(),
            Settings {
                directory: root.path().join("db/migrations"),
                format: Some(HistoryFormat::Refinery),
                tenants: None,
            }
        );
    }

    #[test]
    fn reads_the_tenant_list() {
        let root = tempfile::tempdir().unwrap();
        let text = "[migrate.tenants]\ntable = \"public.tenants\"\ncolumn = \"schema_name\"\n";
        fs::write(root.path().join("axiomod.toml"), text).unwrap();
        let tenants = settings(root.path()).unwrap().tenants.unwrap();
        assert_eq!(
            tenants.source,
            TenantSource::Table {
                table: vec!["public".to_string(), "tenants".to_string()],
                column: "schema_name".to_string(),
            }
        );
        assert_eq!(tenants.span, SourceSpan::from((26, 16)));
        fs::write(
            root.path().join("axiomod.toml"),
            "[migrate.tenants]\nquery = \"SELECT name FROM tenants\"\n",
        )
        .unwrap();
        let tenants = settings(root.path()).unwrap().tenants.unwrap();
        assert_eq!(
            tenants.source,
            TenantSource::Query("SELECT name FROM tenants".to_string())
        );
    }

    #[test]
    fn database_url_comes_from_dot_env() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(database_url_from_dotenv(root.path()).unwrap(), None);
        fs::write(
            root.path().join(".env"),
            "# local settings\nPORT=8080\nDATABASE_URL=\"sqlite://app.db?mode=rwc\"\n",
        )
        .unwrap();
        assert_eq!(
            database_url_from_dotenv(root.path()).unwrap().as_deref(),
            Some("sqlite://app.db?mode=rwc")
        );
        fs::write(root.path().join(".env"), "DATABASE_URL='unterminated\n").unwrap();
        assert!(database_url_from_dotenv(root.path()).is_err());
    }

    #[test]
    fn unknown_keys_point_at_the_line() {
        let root = tempfile::tempdir().unwrap();
        fs::write(
            root.path().join("axiomod.toml"),
            "[migrate]\ndirectory = \"x\"\n",
        )
        .unwrap();
        let error = settings(root.path()).unwrap_err();
        let MigrateError::Config(config_error) = error else {
            panic!("expected a config error, got {error:?}");
        };
        let ConfigError { message, span, .. } = *config_error;
        assert!(message.contains("unknown field `directory`"), "{message}");
        assert_eq!(span.map(|span| span.offset()), Some(10));
    }
}
