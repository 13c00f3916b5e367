//! Reading a migrations directory into plain data, exactly as sqlx 0.8.6 reads it
//! (`sqlx-core/src/migrate/source.rs`), but reporting every file name sqlx would silently
//! skip or reject, and the layouts sqlx accepts but cannot run (duplicate versions, a down
//! file without its up file).

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::checksum::Checksum;
use super::error::{MigrateError, SourceProblem};

/// What a migration file does, from its suffix (sqlx's `MigrationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationKind {
    /// `<version>_<description>.sql`: applied, never reverted.
    Simple,
    /// `<version>_<description>.up.sql`.
    Up,
    /// `<version>_<description>.down.sql`: reverts the up file of the same version.
    Down,
}

impl MigrationKind {
    fn from_file_name(rest: &str) -> Self {
        if rest.ends_with(Self::Up.suffix()) {
            Self::Up
        } else if rest.ends_with(Self::Down.suffix()) {
            Self::Down
        } else {
            Self::Simple
        }
    }

    /// The file name suffix, as sqlx writes it.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Simple => ".sql",
            Self::Up => ".up.sql",
            Self::Down => ".down.sql",
        }
    }

    /// The body sqlx-cli writes into a new file of this kind.
    pub fn template(self) -> &'static str {
        match self {
            Self::Simple => "-- Add migration script here\n",
            Self::Up => "-- Add up migration script here\n",
            Self::Down => "-- Add down migration script here\n",
        }
    }
}

impl fmt::Display for MigrationKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Simple => "simple",
            Self::Up => "up",
            Self::Down => "down",
        })
    }
}

/// Which tool's file names, checksums and history table a project uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryFormat {
    /// `<version>_<description>.sql` / `.up.sql` / `.down.sql`, `_sqlx_migrations`.
    #[default]
    Sqlx,
    /// `V<version>__<name>.sql`, `refinery_schema_history`.
    Refinery,
}

impl HistoryFormat {
    /// The history table's name.
    pub fn history_table(self) -> &'static str {
        match self {
            Self::Sqlx => super::history::HISTORY_TABLE,
            Self::Refinery => super::refinery::HISTORY_TABLE,
        }
    }

    /// The checksum this format records for `migration` if its file held `bytes`.
    pub fn checksum(self, migration: &Migration, bytes: &[u8]) -> Checksum {
        match self {
            Self::Sqlx => Checksum::of(bytes),
            Self::Refinery => super::refinery::checksum(
                migration.version,
                &migration.description,
                &String::from_utf8_lossy(bytes),
            ),
        }
    }
}

/// One migration file.
#[derive(Debug, Clone)]
pub struct Migration {
    pub version: i64,
    /// The file name after `<version>_`, without the suffix, `_` replaced by spaces.
    pub description: String,
    pub kind: MigrationKind,
    /// The SQL to run: the file's text without a leading byte order mark.
    pub sql: String,
    /// SHA-384 of the file's bytes, byte order mark included.
    pub checksum: Checksum,
    /// The file starts with `-- no-transaction`.
    pub no_transaction: bool,
    pub path: PathBuf,
}

/// Every migration of a directory: the files that apply (simple or up) and the down files
/// that revert them, each sorted by version.
#[derive(Debug, Clone, Default)]
pub struct MigrationSet {
    pub directory: PathBuf,
    /// Whose files and history table these are.
    pub format: HistoryFormat,
    pub forward: Vec<Migration>,
    pub down: Vec<Migration>,
}

impl MigrationSet {
    /// The simple or up file of `version`.
    pub fn forward(&self, version: i64) -> Option<&Migration> {
        self.forward
            .iter()
            .find(|migration| migration.version == version)
    }

    /// The down file of `version`.
    pub fn down(&self, version: i64) -> Option<&Migration> {
        self.down
            .iter()
            .find(|migration| migration.version == version)
    }

    /// True when the directory uses reversible (`.up.sql`/`.down.sql`) files.
    pub fn first_kind(&self) -> Option<MigrationKind> {
        self.forward.first().map(|migration| migration.kind)
    }
}

/// Reads `directory`. A missing directory is an error; an empty one is an empty set.
pub fn read_directory(directory: &Path) -> Result<MigrationSet, MigrateError> {
    let entries = fs::read_dir(directory).map_err(|reason| MigrateError::ReadDirectory {
        directory: directory.to_path_buf(),
        reason,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|reason| MigrateError::ReadDirectory {
            directory: directory.to_path_buf(),
            reason,
        })?;
        let path = entry.path();
        // sqlx follows symlinks (fs::metadata) and skips everything that is not a file;
        // only `.sql` files can be migrations.
        let is_sql = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().ends_with(".sql"));
        if is_sql && fs::metadata(&path).is_ok_and(|metadata| metadata.is_file()) {
            let contents = fs::read(&path).map_err(|reason| MigrateError::ReadFile {
                path: path.clone(),
                reason,
            })?;
            files.push((path, contents));
        }
    }
    let (set, problems) = parse_files(directory, files);
    if problems.is_empty() {
        Ok(set)
    } else {
        Err(MigrateError::Source {
            directory: directory.to_path_buf(),
            problems,
        })
    }
}

/// Parses `(path, bytes)` pairs into a set, collecting every problem instead of stopping at
/// the first. Files that do not end in `.sql` are not migrations and are skipped silently.
pub fn parse_files(
    directory: &Path,
    files: Vec<(PathBuf, Vec<u8>)>,
) -> (MigrationSet, Vec<SourceProblem>) {
    let mut problems = Vec::new();
    let mut migrations = Vec::new();
    for (path, bytes) in files {
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !file_name.ends_with(".sql") {
            continue;
        }
        match parse_file(&file_name, &path, bytes) {
            Ok(migration) => migrations.push(migration),
            Err(why) => problems.push(SourceProblem {
                file: file_name,
                why,
            }),
        }
    }
    migrations.sort_by(|left, right| (left.version, &left.path).cmp(&(right.version, &right.path)));

    let mut forward: BTreeMap<i64, Migration> = BTreeMap::new();
    let mut down: BTreeMap<i64, Migration> = BTreeMap::new();
    for migration in migrations {
        let slot = if migration.kind == MigrationKind::Down {
            &mut down
        } else {
            &mut forward
        };
        if let Some(first) = slot.get(&migration.version) {
            problems.push(SourceProblem {
                file: file_name_of(&migration.path),
                why: format!(
                    "version {} is already used by {}; every version must be unique",
                    migration.version,
                    file_name_of(&first.path)
                ),
            });
        } else {
            slot.insert(migration.version, migration);
        }
    }
    for (version, migration) in &down {
        if forward
            .get(version)
            .is_none_or(|up| up.kind != MigrationKind::Up)
        {
            problems.push(SourceProblem {
                file: file_name_of(&migration.path),
                why: format!(
                    "down file without an up file: add {version}_<description>.up.sql or delete it"
                ),
            });
        }
    }
    problems.sort_by(|left, right| left.file.cmp(&right.file));
    let set = MigrationSet {
        directory: directory.to_path_buf(),
        format: HistoryFormat::Sqlx,
        forward: forward.into_values().collect(),
        down: down.into_values().collect(),
    };
    (set, problems)
}

/// One file, by sqlx's rules: split the name at the first `_`, parse the left part as an
/// `i64` version, take the suffix as the kind and the rest (with `_` → space) as description.
fn parse_file(file_name: &str, path: &Path, bytes: Vec<u8>) -> Result<Migration, String> {
    let Some((version_text, rest)) = file_name.split_once('_') else {
        return Err(
            "not a migration file name: expected <version>_<description>.sql, .up.sql or .down.sql"
                .to_string(),
        );
    };
    let version: i64 = version_text.parse().map_err(|_| {
        format!(
            "`{version_text}` is not an integer version: expected <version>_<description>.sql, \
             e.g. 20240101120000_create_users.sql"
        )
    })?;
    let kind = MigrationKind::from_file_name(rest);
    let description = rest.trim_end_matches(kind.suffix()).replace('_', " ");
    let checksum = Checksum::of(&bytes);
    let text = String::from_utf8(bytes)
        .map_err(|_| "the file is not valid UTF-8; save it as UTF-8".to_string())?;
    // Editors on Windows often start files with a byte order mark, which PostgreSQL and
    // MySQL reject as a syntax error (psql and the mysql client skip it).
    let sql = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let no_transaction = sql.starts_with("-- no-transaction");
    Ok(Migration {
        version,
        description,
        kind,
        sql,
        checksum,
        no_transaction,
        path: path.to_path_buf(),
    })
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(files: &[(&str, &str)]) -> (MigrationSet, Vec<SourceProblem>) {
        let files = files
            .iter()
            .map(|(name, sql)| (PathBuf::from("m").join(name), sql.as_bytes().to_vec()))
            .collect();
        parse_files(Path::new("m"), files)
    }

    #[test]
    fn reads_versions_descriptions_and_kinds_like_sqlx() {
        let (set, problems) = parse(&[
            ("2_add_email.up.sql", "ALTER TABLE users ADD email TEXT;"),
            ("2_add_email.down.sql", "ALTER TABLE users DROP email;"),
            (
                "1_create_users.sql",
                "-- no-transaction\nCREATE TABLE users (id INT);",
            ),
            ("README.md", "not a migration"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        let versions: Vec<_> = set.forward.iter().map(|m| (m.version, m.kind)).collect();
        assert_eq!(
            versions,
            [(1, MigrationKind::Simple), (2, MigrationKind::Up)]
        );
        assert_eq!(set.forward[0].description, "create users");
        assert!(set.forward[0].no_transaction);
        assert!(!set.forward[1].no_transaction);
        assert_eq!(set.down[0].description, "add email");
        assert_eq!(set.down(2).map(|m| m.kind), Some(MigrationKind::Down));
    }

    #[test]
    fn description_keeps_everything_after_the_first_underscore() {
        let (set, _) = parse(&[("0003_a_b__c.sql", "")]);
        assert_eq!(set.forward[0].version, 3);
        assert_eq!(set.forward[0].description, "a b  c");
    }

    #[test]
    fn reports_every_bad_name_at_once() {
        let (set, problems) = parse(&[("init.sql", ""), ("v1_init.sql", ""), ("1_ok.sql", "")]);
        assert_eq!(set.forward.len(), 1);
        let files: Vec<_> = problems.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(files, ["init.sql", "v1_init.sql"]);
        assert!(problems[1].why.contains("`v1` is not an integer version"));
    }

    #[test]
    fn reports_duplicate_versions_and_orphan_down_files() {
        let (_, problems) = parse(&[
            ("1_a.sql", ""),
            ("1_b.sql", ""),
            ("2_c.down.sql", ""),
            ("3_d.sql", ""),
            ("3_d.down.sql", ""),
        ]);
        let files: Vec<_> = problems.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(files, ["1_b.sql", "2_c.down.sql", "3_d.down.sql"]);
        assert!(problems[0].why.contains("already used by 1_a.sql"));
        assert!(problems[1].why.contains("down file without an up file"));
    }

    #[test]
    fn checksum_is_sha384_of_the_bytes() {
        let (set, _) = parse(&[("1_a.sql", "SELECT 1;\n")]);
        // sha384sum of "SELECT 1;\n"
        assert_eq!(
            set.forward[0].checksum.to_hex(),
            "24454095d8d7876ca8e842f34296ca645c83e0f7b50f048c99db4b2ff4da659267afc4ef3e994f3d74e18c741165d931"
        );
    }

    #[test]
    fn a_byte_order_mark_counts_in_the_checksum_but_is_not_run() {
        let file = "\u{feff}-- no-transaction\nCREATE INDEX CONCURRENTLY a ON t (id);\n";
        let (set, _) = parse(&[("1_a.sql", file)]);
        let migration = &set.forward[0];
        assert_eq!(migration.checksum, Checksum::of(file.as_bytes()));
        assert_eq!(migration.sql, &file[3..]);
        assert!(migration.no_transaction);
    }

    #[test]
    fn non_utf8_files_are_reported() {
        let files = vec![(PathBuf::from("m/1_a.sql"), vec![0xff, 0xfe])];
        let (_, problems) = parse_files(Path::new("m"), files);
        assert!(problems[0].why.contains("not valid UTF-8"));
    }
}
