//! `migrate create`: new migration files named and numbered the way sqlx-cli's
//! `migrate add` names them (sqlx-cli 0.8.6 `src/migrate.rs`).

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::error::MigrateError;
use super::source::{HistoryFormat, MigrationKind, MigrationSet};

/// Reversible (up + down files) or simple (one file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Reversible,
    Simple,
}

/// How the new version is numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    /// `YYYYMMDDHHMMSS` in UTC.
    Timestamp,
    /// The last version plus one, written with at least four digits.
    Sequential,
}

/// A file `create` writes.
#[derive(Debug, Clone, Serialize)]
pub struct NewFile {
    pub path: PathBuf,
    pub contents: String,
}

/// Decides the files for a new migration `name`. `layout` and `numbering` default to what
/// the directory already uses (reversible and timestamps for an empty directory).
pub fn plan_create(
    set: &MigrationSet,
    name: &str,
    layout: Option<Layout>,
    numbering: Option<Numbering>,
    now: DateTime<Utc>,
) -> Result<Vec<NewFile>, MigrateError> {
    let description = validate_name(name)?;
    if set.format == HistoryFormat::Refinery {
        return plan_refinery(set, name, &description, layout, numbering);
    }
    let layout = layout.unwrap_or(match set.first_kind() {
        Some(MigrationKind::Simple) => Layout::Simple,
        _ => Layout::Reversible,
    });
    let last = set.forward.last().map(|migration| migration.version);
    let prefix = match numbering.unwrap_or_else(|| infer_numbering(set)) {
        Numbering::Sequential => format!("{:04}", last.map_or(1, |last| last + 1)),
        Numbering::Timestamp => {
            let stamp: i64 = now
                .format("%Y%m%d%H%M%S")
                .to_string()
                .parse()
                .expect("a formatted timestamp is all digits");
            // Two files created in the same second still get distinct, increasing versions.
            last.map_or(stamp, |last| stamp.max(last + 1)).to_string()
        }
    };
    let kinds: &[MigrationKind] = match layout {
        Layout::Reversible => &[MigrationKind::Up, MigrationKind::Down],
        Layout::Simple => &[MigrationKind::Simple],
    };
    Ok(kinds
        .iter()
        .map(|kind| NewFile {
            path: set
                .directory
                .join(format!("{prefix}_{description}{}", kind.suffix())),
            contents: kind.template().to_string(),
        })
        .collect())
}

/// refinery: one `V<last + 1>__<name>.sql` file (refinery versions are 32-bit, so never a
/// timestamp, and there are no down files).
fn plan_refinery(
    set: &MigrationSet,
    name: &str,
    description: &str,
    layout: Option<Layout>,
    numbering: Option<Numbering>,
) -> Result<Vec<NewFile>, MigrateError> {
    let invalid = |why: &str| MigrateError::InvalidName {
        name: name.to_string(),
        why: why.to_string(),
    };
    if layout == Some(Layout::Reversible) || numbering == Some(Numbering::Timestamp) {
        return Err(MigrateError::Unsupported {
            what: "--reversible or --timestamp".to_string(),
        });
    }
    if description.contains('-') {
        return Err(invalid("refinery names allow letters, digits and `_` only"));
    }
    let version = set.forward.last().map_or(1, |last| last.version + 1);
    Ok(vec![NewFile {
        path: set.directory.join(format!("V{version}__{description}.sql")),
        contents: "-- Add migration script here\n".to_string(),
    }])
}

/// sqlx-cli's inference: sequential when the last two versions differ by one, or when the
/// only migration is version 0 or 1; timestamps otherwise.
fn infer_numbering(set: &MigrationSet) -> Numbering {
    let last_two: Vec<i64> = set
        .forward
        .iter()
        .rev()
        .take(2)
        .map(|migration| migration.version)
        .collect();
    match last_two.as_slice() {
        [last, before] if last - before == 1 => Numbering::Sequential,
        [only] if *only == 0 || *only == 1 => Numbering::Sequential,
        _ => Numbering::Timestamp,
    }
}

/// A name becomes the description part of the file name: spaces become underscores, as in
/// sqlx-cli; anything that would make a bad file name is refused.
fn validate_name(name: &str) -> Result<String, MigrateError> {
    let invalid = |why: &str| MigrateError::InvalidName {
        name: name.to_string(),
        why: why.to_string(),
    };
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(invalid("the name is empty"));
    }
    if let Some(bad) = trimmed
        .chars()
        .find(|&character| !(character.is_alphanumeric() || matches!(character, '_' | '-' | ' ')))
    {
        return Err(invalid(&format!("`{bad}` is not allowed in a file name")));
    }
    Ok(trimmed.replace(' ', "_"))
}

/// Writes the files, creating the directory if needed. Never overwrites; when one file
/// cannot be written, the ones written before it are removed again.
pub fn write_files(files: &[NewFile]) -> Result<(), MigrateError> {
    if let Some(existing) = files.iter().find(|file| file.path.exists()) {
        return Err(MigrateError::FileExists {
            path: existing.path.clone(),
        });
    }
    let mut written: Vec<&PathBuf> = Vec::new();
    for file in files {
        let result = file
            .path
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| {
                let mut handle = fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&file.path)?;
                handle.write_all(file.contents.as_bytes())
            });
        if let Err(reason) = result {
            for path in written {
                let _ = fs::remove_file(path);
            }
            return Err(MigrateError::Write {
                path: file.path.clone(),
                reason,
            });
        }
        written.push(&file.path);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::TimeZone;

    use super::*;
    use crate::migrate::source::parse_files;

    fn set(names: &[&str]) -> MigrationSet {
        let files = names
            .iter()
            .map(|name| (PathBuf::from("m").join(name), Vec::new()))
            .collect();
        parse_files(Path::new("m"), files).0
    }

    fn names(files: &[NewFile]) -> Vec<String> {
        files
            .iter()
            .map(|file| {
                file.path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
    }

    #[test]
    fn empty_directory_gets_a_reversible_timestamped_pair() {
        let files = plan_create(&set(&[]), "create users", None, None, now()).unwrap();
        assert_eq!(
            names(&files),
            [
                "20260102030405_create_users.up.sql",
                "20260102030405_create_users.down.sql"
            ]
        );
        assert_eq!(files[0].contents, "-- Add up migration script here\n");
    }

    #[test]
    fn follows_the_directory_layout_and_numbering() {
        let files = plan_create(&set(&["0001_a.sql", "0002_b.sql"]), "c", None, None, now());
        assert_eq!(names(&files.unwrap()), ["0003_c.sql"]);
        let files = plan_create(
            &set(&["1_a.sql"]),
            "b",
            Some(Layout::Reversible),
            None,
            now(),
        );
        assert_eq!(names(&files.unwrap()), ["0002_b.up.sql", "0002_b.down.sql"]);
        let files = plan_create(&set(&["20260102030405_a.sql"]), "b", None, None, now());
        assert_eq!(names(&files.unwrap()), ["20260102030406_b.sql"]);
        let files = plan_create(
            &set(&["5_a.sql"]),
            "b",
            None,
            Some(Numbering::Sequential),
            now(),
        );
        assert_eq!(names(&files.unwrap()), ["0006_b.sql"]);
    }

    #[test]
    fn refinery_directories_get_the_next_v_file() {
        let mut refinery = set(&[]);
        refinery.format = HistoryFormat::Refinery;
        let files = plan_create(&refinery, "create users", None, None, now()).unwrap();
        assert_eq!(names(&files), ["V1__create_users.sql"]);
        assert!(plan_create(&refinery, "a-b", None, None, now()).is_err());
        assert!(plan_create(&refinery, "a", Some(Layout::Reversible), None, now()).is_err());
    }

    #[test]
    fn refuses_names_that_make_bad_file_names() {
        for bad in ["", "  ", "../escape", "a/b", "semi;colon"] {
            assert!(
                plan_create(&set(&[]), bad, None, None, now()).is_err(),
                "{bad:?} was accepted"
            );
        }
    }
}
