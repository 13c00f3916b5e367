//! The `[migrate]` table of a project's `axiomod.toml`.
//!
//! ```toml
//! [migrate]
//! dir = "db/migrations"   # default: migrations
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use miette::NamedSource;
use serde::Deserialize;

use super::error::{ConfigError, MigrateError};

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
}

/// The migrations directory of the project in `root`: `[migrate] dir` of
/// `root/axiomod.toml` (relative to `root`), or `root/migrations`.
pub fn migrations_directory(root: &Path) -> Result<PathBuf, MigrateError> {
    let path = root.join("axiomod.toml");
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(root.join(DEFAULT_DIRECTORY));
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
    let directory = project
        .migrate
        .and_then(|table| table.dir)
        .unwrap_or_else(|| DEFAULT_DIRECTORY.to_string());
    Ok(root.join(directory))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_directory_and_defaults_without_a_file() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(
            migrations_directory(root.path()).unwrap(),
            root.path().join("migrations")
        );
        fs::write(
            root.path().join("axiomod.toml"),
            "[project]\nname = \"shop\"\n\n[migrate]\ndir = \"db/migrations\"\n",
        )
        .unwrap();
        assert_eq!(
            migrations_directory(root.path()).unwrap(),
            root.path().join("db/migrations")
        );
    }

    #[test]
    fn unknown_keys_point_at_the_line() {
        let root = tempfile::tempdir().unwrap();
        fs::write(
            root.path().join("axiomod.toml"),
            "[migrate]\ndirectory = \"x\"\n",
        )
        .unwrap();
        let error = migrations_directory(root.path()).unwrap_err();
        let MigrateError::Config(config_error) = error else {
            panic!("expected a config error, got {error:?}");
        };
        let ConfigError { message, span, .. } = *config_error;
        assert!(message.contains("unknown field `directory`"), "{message}");
        assert_eq!(span.map(|span| span.offset()), Some(10));
    }
}
