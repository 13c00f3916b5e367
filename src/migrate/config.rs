//! The `[migrate]` table of a project's `axiomod.toml`.
//!
//! ```toml
//! [migrate]
//! dir = "db/migrations"   # default: migrations
//! format = "refinery"      # sqlx or refinery; default: detected from the file names
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use miette::NamedSource;
use serde::Deserialize;

use super::error::{ConfigError, MigrateError};
use super::source::HistoryFormat;

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
}

/// What `[migrate]` says, with defaults applied to the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub directory: PathBuf,
    /// `sqlx` or `refinery`; None: detected from the file names.
    pub format: Option<HistoryFormat>,
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
            });
        }
        Err(source) => return Err(MigrateError::ReadFile { path, source }),
    };
    let project: ProjectFile = toml::from_str(&text).map_err(|error| {
        MigrateError::Config(Box::new(ConfigError {
            message: error.message().to_string(),
            span: error.span().map(Into::into),
            source_code: NamedSource::new(path.display().to_string(), text.clone()),
        }))
    })?;
    let table = project.migrate.unwrap_or(MigrateTable {
        dir: None,
        format: None,
    });
    Ok(Settings {
        directory: root.join(table.dir.as_deref().unwrap_or(DEFAULT_DIRECTORY)),
        format: table.format,
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
            }
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
