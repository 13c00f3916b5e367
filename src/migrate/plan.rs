//! Pure logic: compare the migration files with the history table ([`compare`]), and decide
//! what `up` and `down` would run ([`plan_up`], [`plan_down`]). No I/O here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::checksum::{Checksum, ChecksumDifference, explain_difference};
use super::error::MigrateError;
use super::history::{AppliedMigration, Engine};
use super::source::{Migration, MigrationKind, MigrationSet};

/// Where one migration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Applied, and the file still has the applied checksum.
    Applied,
    /// A file that is not applied yet.
    Pending,
    /// Applied, but the file changed since.
    Changed,
    /// Applied, but its file is gone.
    Missing,
    /// Its history row says it failed part-way (MySQL/MariaDB).
    Dirty,
}

/// One line of `axiomod migrate status`: a file, a history row, or both.
#[derive(Debug, Clone, Serialize)]
pub struct StatusEntry {
    pub version: i64,
    pub description: String,
    pub state: State,
    /// `simple` or `up`; null for a missing file.
    pub kind: Option<MigrationKind>,
    /// The simple or up file, as given to axiomod (relative when the directory was).
    pub file: Option<PathBuf>,
    /// True when a down file exists for this version.
    pub reversible: bool,
    /// Pending, but older than the newest applied migration.
    pub out_of_order: bool,
    pub installed_on: Option<DateTime<Utc>>,
    /// Nanoseconds, as recorded by the runner that applied it (-1: not recorded).
    pub execution_time: Option<i64>,
    pub checksum: Option<Checksum>,
    pub applied_checksum: Option<Checksum>,
    /// Why `checksum` and `applied_checksum` differ; null when they match.
    pub checksum_difference: Option<ChecksumDifference>,
}

/// Counts by state.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub applied: usize,
    pub pending: usize,
    pub changed: usize,
    pub missing: usize,
    pub dirty: usize,
    pub out_of_order: usize,
}

/// The whole comparison, oldest version first.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub engine: Engine,
    pub history_table: &'static str,
    pub history_table_exists: bool,
    pub migrations: Vec<StatusEntry>,
    pub summary: Summary,
}

impl Status {
    /// True when `verify` must fail: something applied changed, went missing or is dirty.
    pub fn has_problems(&self) -> bool {
        self.summary.changed + self.summary.missing + self.summary.dirty > 0
    }

    /// The newest applied version (successful or not).
    pub fn latest_applied(&self) -> Option<i64> {
        self.migrations
            .iter()
            .filter(|entry| entry.state != State::Pending)
            .map(|entry| entry.version)
            .max()
    }

    fn with_state(&self, state: State) -> impl Iterator<Item = &StatusEntry> {
        self.migrations
            .iter()
            .filter(move |entry| entry.state == state)
    }
}

/// Compares the files with the history rows.
pub fn compare(engine: Engine, set: &MigrationSet, applied: Option<&[AppliedMigration]>) -> Status {
    let rows: BTreeMap<i64, &AppliedMigration> = applied
        .unwrap_or_default()
        .iter()
        .map(|row| (row.version, row))
        .collect();
    let latest = rows.keys().next_back().copied();
    let mut entries: Vec<StatusEntry> = Vec::new();
    for migration in &set.forward {
        let row = rows.get(&migration.version).copied();
        let difference = row
            .filter(|row| row.checksum != migration.checksum)
            .map(|row| {
                explain_difference(migration.sql.as_bytes(), |candidate| {
                    set.format.checksum(migration, candidate) == row.checksum
                })
            });
        let state = match row {
            None => State::Pending,
            Some(row) if !row.success => State::Dirty,
            Some(_) if difference.is_some() => State::Changed,
            Some(_) => State::Applied,
        };
        entries.push(StatusEntry {
            version: migration.version,
            description: migration.description.clone(),
            state,
            kind: Some(migration.kind),
            file: Some(migration.path.clone()),
            reversible: set.down(migration.version).is_some(),
            out_of_order: state == State::Pending
                && latest.is_some_and(|latest| migration.version < latest),
            installed_on: row.map(|row| row.installed_on),
            execution_time: row.and_then(|row| row.execution_time),
            checksum: Some(migration.checksum.clone()),
            applied_checksum: row.map(|row| row.checksum.clone()),
            checksum_difference: difference,
        });
    }
    for row in rows.values() {
        if set.forward(row.version).is_none() {
            entries.push(StatusEntry {
                version: row.version,
                description: row.description.clone(),
                state: if row.success {
                    State::Missing
                } else {
                    State::Dirty
                },
                kind: None,
                file: None,
                reversible: false,
                out_of_order: false,
                installed_on: Some(row.installed_on),
                execution_time: row.execution_time,
                checksum: None,
                applied_checksum: Some(row.checksum.clone()),
                checksum_difference: None,
            });
        }
    }
    entries.sort_by_key(|entry| entry.version);
    let count = |state| entries.iter().filter(|entry| entry.state == state).count();
    let summary = Summary {
        applied: count(State::Applied),
        pending: count(State::Pending),
        changed: count(State::Changed),
        missing: count(State::Missing),
        dirty: count(State::Dirty),
        out_of_order: entries.iter().filter(|entry| entry.out_of_order).count(),
    };
    Status {
        engine,
        history_table: set.format.history_table(),
        history_table_exists: applied.is_some(),
        migrations: entries,
        summary,
    }
}

/// Options of `up`.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpOptions {
    /// Apply pending migrations up to and including this version only.
    pub target: Option<i64>,
    /// Apply pending migrations older than the newest applied one.
    pub allow_out_of_order: bool,
    /// Do not fail when applied migrations have no file any more.
    pub ignore_missing: bool,
}

/// The migrations `up` applies, oldest first; or why it must not run.
pub fn plan_up<'set>(
    status: &Status,
    set: &'set MigrationSet,
    options: UpOptions,
) -> Result<Vec<&'set Migration>, MigrateError> {
    refuse_dirty(status)?;
    if let Some(entry) = status.with_state(State::Changed).next() {
        return Err(MigrateError::Changed {
            version: entry.version,
            file: entry.file.clone().unwrap_or_default(),
            reason: entry
                .checksum_difference
                .unwrap_or(ChecksumDifference::Content),
            format: set.format,
        });
    }
    let missing: Vec<i64> = status
        .with_state(State::Missing)
        .map(|entry| entry.version)
        .collect();
    if !missing.is_empty() && !options.ignore_missing {
        return Err(MigrateError::Missing {
            versions: missing,
            directory: set.directory.clone(),
        });
    }
    let latest = status.latest_applied();
    if let Some(target) = options.target {
        if set.forward(target).is_none() {
            return Err(MigrateError::UnknownVersion {
                version: target,
                directory: set.directory.clone(),
            });
        }
        if let Some(latest) = latest.filter(|&latest| target < latest) {
            return Err(MigrateError::TargetBehind { target, latest });
        }
    }
    let out_of_order: Vec<i64> = status
        .migrations
        .iter()
        .filter(|entry| entry.out_of_order)
        .map(|entry| entry.version)
        .collect();
    if let (false, Some(latest)) = (
        out_of_order.is_empty() || options.allow_out_of_order,
        latest,
    ) {
        return Err(MigrateError::OutOfOrder {
            versions: out_of_order,
            latest,
        });
    }
    Ok(status
        .with_state(State::Pending)
        .filter(|entry| options.target.is_none_or(|target| entry.version <= target))
        .filter_map(|entry| set.forward(entry.version))
        .collect())
}

/// How far `down` goes.
#[derive(Debug, Clone, Copy)]
pub enum DownTo {
    /// Revert the newest N applied migrations.
    Steps(usize),
    /// Revert every applied migration newer than this version (0: all of them).
    Target(i64),
}

/// The down files `down` runs, newest first; or why it must not run.
pub fn plan_down<'set>(
    status: &Status,
    set: &'set MigrationSet,
    to: DownTo,
) -> Result<Vec<&'set Migration>, MigrateError> {
    refuse_dirty(status)?;
    let mut applied: Vec<&StatusEntry> = status
        .migrations
        .iter()
        .filter(|entry| {
            matches!(
                entry.state,
                State::Applied | State::Changed | State::Missing
            )
        })
        .collect();
    applied.reverse();
    let chosen: Vec<&StatusEntry> = match to {
        DownTo::Steps(steps) => applied.into_iter().take(steps).collect(),
        DownTo::Target(target) => {
            let latest = status.latest_applied().unwrap_or(0);
            if target > latest {
                return Err(MigrateError::TargetAhead { target, latest });
            }
            if target != 0 && set.forward(target).is_none() {
                return Err(MigrateError::UnknownVersion {
                    version: target,
                    directory: set.directory.clone(),
                });
            }
            applied
                .into_iter()
                .filter(|entry| entry.version > target)
                .collect()
        }
    };
    chosen
        .into_iter()
        .map(|entry| {
            set.down(entry.version)
                .ok_or_else(|| MigrateError::NoDownFile {
                    version: entry.version,
                    description: entry.description.clone(),
                })
        })
        .collect()
}

fn refuse_dirty(status: &Status) -> Result<(), MigrateError> {
    match status.with_state(State::Dirty).next() {
        Some(entry) => Err(MigrateError::Dirty {
            version: entry.version,
            description: entry.description.clone(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::migrate::source::parse_files;

    fn set(files: &[(&str, &str)]) -> MigrationSet {
        let files = files
            .iter()
            .map(|(name, sql)| (PathBuf::from("m").join(name), sql.as_bytes().to_vec()))
            .collect();
        let (set, problems) = parse_files(Path::new("m"), files);
        assert!(problems.is_empty(), "{problems:?}");
        set
    }

    fn row(version: i64, sql: &str, success: bool) -> AppliedMigration {
        AppliedMigration {
            version,
            description: format!("m{version}"),
            installed_on: DateTime::UNIX_EPOCH,
            success,
            checksum: Checksum::of(sql.as_bytes()),
            execution_time: Some(1),
        }
    }

    fn states(status: &Status) -> Vec<(i64, State, bool)> {
        status
            .migrations
            .iter()
            .map(|entry| (entry.version, entry.state, entry.out_of_order))
            .collect()
    }

    #[test]
    fn sorts_files_and_rows_into_states() {
        let files = set(&[
            ("1_a.sql", "A"),
            ("2_b.sql", "B changed"),
            ("3_c.sql", "C"),
            ("5_e.sql", "E"),
        ]);
        let rows = [
            row(1, "A", true),
            row(2, "B", true),
            row(4, "D", true),
            row(6, "F", false),
        ];
        let status = compare(Engine::Sqlite, &files, Some(&rows));
        assert_eq!(
            states(&status),
            [
                (1, State::Applied, false),
                (2, State::Changed, false),
                (3, State::Pending, true),
                (4, State::Missing, false),
                (5, State::Pending, true),
                (6, State::Dirty, false),
            ]
        );
        assert_eq!(
            status.migrations[1].checksum_difference,
            Some(ChecksumDifference::Content)
        );
        assert!(status.has_problems());
        assert_eq!(status.summary.out_of_order, 2);
    }

    #[test]
    fn no_history_table_means_everything_pending() {
        let files = set(&[("1_a.up.sql", "A"), ("1_a.down.sql", "undo A")]);
        let status = compare(Engine::Postgres, &files, None);
        assert!(!status.history_table_exists);
        assert_eq!(states(&status), [(1, State::Pending, false)]);
        assert!(status.migrations[0].reversible);
        assert!(!status.has_problems());
    }

    #[test]
    fn up_applies_pending_in_order_up_to_the_target() {
        let files = set(&[("1_a.sql", "A"), ("2_b.sql", "B"), ("3_c.sql", "C")]);
        let rows = [row(1, "A", true)];
        let status = compare(Engine::Sqlite, &files, Some(&rows));
        let all: Vec<i64> = plan_up(&status, &files, UpOptions::default())
            .unwrap()
            .iter()
            .map(|m| m.version)
            .collect();
        assert_eq!(all, [2, 3]);
        let options = UpOptions {
            target: Some(2),
            ..UpOptions::default()
        };
        assert_eq!(plan_up(&status, &files, options).unwrap().len(), 1);
        let behind = UpOptions {
            target: Some(0),
            ..UpOptions::default()
        };
        assert!(matches!(
            plan_up(&status, &files, behind),
            Err(MigrateError::UnknownVersion { version: 0, .. })
        ));
    }

    #[test]
    fn up_refuses_dirty_changed_missing_and_out_of_order() {
        let files = set(&[("1_a.sql", "A"), ("2_b.sql", "B"), ("3_c.sql", "C")]);
        let check = |rows: &[AppliedMigration], options| {
            let status = compare(Engine::MySql, &files, Some(rows));
            plan_up(&status, &files, options).map(|plan| plan.len())
        };
        assert!(matches!(
            check(&[row(1, "A", false)], UpOptions::default()),
            Err(MigrateError::Dirty { version: 1, .. })
        ));
        assert!(matches!(
            check(&[row(1, "A\r\n", true)], UpOptions::default()),
            Err(MigrateError::Changed { version: 1, .. })
        ));
        assert!(matches!(
            check(
                &[row(1, "A", true), row(9, "Z", true)],
                UpOptions::default()
            ),
            Err(MigrateError::Missing { .. })
        ));
        let ignore = UpOptions {
            ignore_missing: true,
            allow_out_of_order: true,
            ..UpOptions::default()
        };
        assert_eq!(
            check(&[row(1, "A", true), row(9, "Z", true)], ignore).unwrap(),
            2
        );
        let out_of_order = check(
            &[row(1, "A", true), row(3, "C", true)],
            UpOptions::default(),
        );
        assert!(matches!(
            out_of_order,
            Err(MigrateError::OutOfOrder { ref versions, latest: 3 }) if versions == &[2]
        ));
        let allow = UpOptions {
            allow_out_of_order: true,
            ..UpOptions::default()
        };
        assert_eq!(
            check(&[row(1, "A", true), row(3, "C", true)], allow).unwrap(),
            1
        );
    }

    #[test]
    fn down_reverts_newest_first_and_needs_down_files() {
        let files = set(&[
            ("1_a.up.sql", "A"),
            ("1_a.down.sql", "undo A"),
            ("2_b.up.sql", "B"),
            ("2_b.down.sql", "undo B"),
            ("3_c.sql", "C"),
        ]);
        let rows = [row(1, "A", true), row(2, "B", true)];
        let status = compare(Engine::Postgres, &files, Some(&rows));
        let versions = |to| -> Vec<i64> {
            plan_down(&status, &files, to)
                .unwrap()
                .iter()
                .map(|m| m.version)
                .collect()
        };
        assert_eq!(versions(DownTo::Steps(1)), [2]);
        assert_eq!(versions(DownTo::Steps(5)), [2, 1]);
        assert_eq!(versions(DownTo::Target(0)), [2, 1]);
        assert_eq!(versions(DownTo::Target(1)), [2]);
        assert!(matches!(
            plan_down(&status, &files, DownTo::Target(3)),
            Err(MigrateError::TargetAhead {
                target: 3,
                latest: 2
            })
        ));
        let rows = [row(1, "A", true), row(2, "B", true), row(3, "C", true)];
        let status = compare(Engine::Postgres, &files, Some(&rows));
        assert!(matches!(
            plan_down(&status, &files, DownTo::Steps(1)),
            Err(MigrateError::NoDownFile { version: 3, .. })
        ));
    }
}
