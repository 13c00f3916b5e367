//! The operations behind `axiomod migrate`: each takes a [`Migrator`] and the migration
//! files, and returns what it did as data. Progress is reported through an observer so the
//! command can print it; nothing here touches the terminal.
//!
//! Writes happen under the engine's lock, and the history is read after the lock is taken,
//! so two runners never apply the same migration. On failure the connection is closed
//! without unlocking: ending the session releases the lock.

use std::time::Duration;

use serde::Serialize;

use super::checksum::Checksum;
use super::error::MigrateError;
use super::history::{Applied, HISTORY_TABLE, Migrator};
use super::plan::{DownTo, State, Status, UpOptions, compare, plan_down, plan_up};
use super::source::{Migration, MigrationSet};

/// What happened to one migration, as it happens.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// About to run `migration` (number `index` of `total`, from 0).
    Starting {
        migration: &'a Migration,
        index: usize,
        total: usize,
    },
    /// `migration` ran, taking `elapsed`.
    Finished {
        migration: &'a Migration,
        elapsed: Duration,
    },
    /// Another runner applied or reverted `migration` first; nothing ran.
    AlreadyDone { migration: &'a Migration },
}

/// One migration a command ran (or, in a dry run, would run).
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub version: i64,
    pub description: String,
    pub file: std::path::PathBuf,
    /// Nanoseconds; null in a dry run.
    pub elapsed: Option<u128>,
    /// The SQL, in dry runs only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
}

impl Step {
    pub(crate) fn planned(migration: &Migration) -> Self {
        Self {
            version: migration.version,
            description: migration.description.clone(),
            file: migration.path.clone(),
            elapsed: None,
            sql: Some(migration.sql.clone()),
        }
    }
}

/// Reads the status without writing anything: a missing history table is not created.
pub async fn status<M: Migrator>(
    migrator: &mut M,
    set: &MigrationSet,
) -> Result<Status, MigrateError> {
    let applied = if migrator.table_exists(HISTORY_TABLE).await? {
        Some(migrator.applied_migrations().await?)
    } else {
        None
    };
    Ok(compare(migrator.engine(), set, applied.as_deref()))
}

/// Applies pending migrations. With `dry_run`, only plans (no lock, no table created).
pub async fn up<M: Migrator>(
    migrator: &mut M,
    set: &MigrationSet,
    options: UpOptions,
    dry_run: bool,
    observer: &mut dyn FnMut(Event<'_>),
) -> Result<Vec<Step>, MigrateError> {
    run_planned(
        migrator,
        set,
        dry_run,
        Direction::Apply,
        observer,
        |status| plan_up(status, set, options),
    )
    .await
}

/// Reverts applied migrations with their down files, newest first.
pub async fn down<M: Migrator>(
    migrator: &mut M,
    set: &MigrationSet,
    to: DownTo,
    dry_run: bool,
    observer: &mut dyn FnMut(Event<'_>),
) -> Result<Vec<Step>, MigrateError> {
    run_planned(
        migrator,
        set,
        dry_run,
        Direction::Revert,
        observer,
        |status| plan_down(status, set, to),
    )
    .await
}

/// Plans with `plan` from the current status and runs the plan in `direction`, under the
/// lock. With `dry_run`, only plans (no lock, no table created).
async fn run_planned<'set, M: Migrator>(
    migrator: &mut M,
    set: &'set MigrationSet,
    dry_run: bool,
    direction: Direction,
    observer: &mut dyn FnMut(Event<'_>),
    plan: impl FnOnce(&Status) -> Result<Vec<&'set Migration>, MigrateError>,
) -> Result<Vec<Step>, MigrateError> {
    if dry_run {
        let status = status(migrator, set).await?;
        return Ok(plan(&status)?.into_iter().map(Step::planned).collect());
    }
    migrator.lock().await?;
    migrator.ensure_history_table().await?;
    let status = status(migrator, set).await?;
    let planned = plan(&status)?;
    let steps = run_each(migrator, &planned, direction, observer).await?;
    migrator.unlock().await?;
    Ok(steps)
}

/// What `redo` did: the down files it ran, then the up files.
#[derive(Debug, Clone, Serialize)]
pub struct Redo {
    pub reverted: Vec<Step>,
    pub applied: Vec<Step>,
}

/// Reverts the newest `steps` applied migrations and applies them again, under one lock.
pub async fn redo<M: Migrator>(
    migrator: &mut M,
    set: &MigrationSet,
    steps: usize,
    dry_run: bool,
    observer: &mut dyn FnMut(Event<'_>),
) -> Result<Redo, MigrateError> {
    if !dry_run {
        migrator.lock().await?;
        migrator.ensure_history_table().await?;
    }
    let status = status(migrator, set).await?;
    if let Some(entry) = status
        .migrations
        .iter()
        .find(|entry| entry.state == State::Changed)
    {
        return Err(MigrateError::Changed {
            version: entry.version,
            file: entry.file.clone().unwrap_or_default(),
            reason: entry
                .checksum_difference
                .unwrap_or(super::checksum::ChecksumDifference::Content),
            format: set.format,
        });
    }
    let downs = plan_down(&status, set, DownTo::Steps(steps))?;
    let mut ups: Vec<&Migration> = downs
        .iter()
        .filter_map(|down| set.forward(down.version))
        .collect();
    ups.reverse();
    if dry_run {
        return Ok(Redo {
            reverted: downs.into_iter().map(Step::planned).collect(),
            applied: ups.into_iter().map(Step::planned).collect(),
        });
    }
    let reverted = run_each(migrator, &downs, Direction::Revert, observer).await?;
    let applied = run_each(migrator, &ups, Direction::Apply, observer).await?;
    migrator.unlock().await?;
    Ok(Redo { reverted, applied })
}

/// What `repair` changed.
#[derive(Debug, Clone, Serialize)]
pub struct Repair {
    pub version: i64,
    pub action: RepairAction,
    /// The checksum the history table held before.
    pub old_checksum: Checksum,
    /// The checksum it holds now (`accept`); null when the row was deleted.
    pub new_checksum: Option<Checksum>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairAction {
    /// Recorded the file's current checksum for an applied migration.
    Accept,
    /// Deleted a failed (dirty) history row.
    ClearDirty,
}

/// Performs one repair under the lock.
pub async fn repair<M: Migrator>(
    migrator: &mut M,
    set: &MigrationSet,
    version: i64,
    action: RepairAction,
) -> Result<Repair, MigrateError> {
    migrator.lock().await?;
    let rows = if migrator.table_exists(HISTORY_TABLE).await? {
        migrator.applied_migrations().await?
    } else {
        Vec::new()
    };
    let row = rows
        .into_iter()
        .find(|row| row.version == version)
        .ok_or(MigrateError::NotApplied { version })?;
    let repair = match action {
        RepairAction::Accept => {
            let file = set
                .forward(version)
                .ok_or_else(|| MigrateError::UnknownVersion {
                    version,
                    directory: set.directory.clone(),
                })?;
            if file.checksum == row.checksum {
                return Err(MigrateError::NothingToAccept { version });
            }
            migrator.set_checksum(version, &file.checksum).await?;
            Repair {
                version,
                action,
                old_checksum: row.checksum,
                new_checksum: Some(file.checksum.clone()),
            }
        }
        RepairAction::ClearDirty => {
            if row.success {
                return Err(MigrateError::NotDirty { version });
            }
            migrator.delete_failed(version).await?;
            Repair {
                version,
                action,
                old_checksum: row.checksum,
                new_checksum: None,
            }
        }
    };
    migrator.unlock().await?;
    Ok(repair)
}

#[derive(Debug, Clone, Copy)]
enum Direction {
    Apply,
    Revert,
}

async fn run_each<M: Migrator>(
    migrator: &mut M,
    plan: &[&Migration],
    direction: Direction,
    observer: &mut dyn FnMut(Event<'_>),
) -> Result<Vec<Step>, MigrateError> {
    let mut steps = Vec::with_capacity(plan.len());
    for (index, migration) in plan.iter().copied().enumerate() {
        observer(Event::Starting {
            migration,
            index,
            total: plan.len(),
        });
        let applied = match direction {
            Direction::Apply => migrator.apply(migration).await?,
            Direction::Revert => migrator.revert(migration).await?,
        };
        match applied {
            Applied::Ran(elapsed) => {
                observer(Event::Finished { migration, elapsed });
                steps.push(Step {
                    elapsed: Some(elapsed.as_nanos()),
                    sql: None,
                    ..Step::planned(migration)
                });
            }
            Applied::AlreadyDone => observer(Event::AlreadyDone { migration }),
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use chrono::DateTime;

    use super::*;
    use crate::migrate::history::{AppliedMigration, Engine};
    use crate::migrate::source::parse_files;

    /// An in-memory history that records every call.
    #[derive(Default)]
    struct FakeMigrator {
        calls: Vec<String>,
        rows: Vec<AppliedMigration>,
        table: bool,
        /// Versions another runner applies "first": apply reports AlreadyDone.
        raced: Vec<i64>,
        /// Version whose SQL fails.
        failing: Option<i64>,
    }

    impl Migrator for FakeMigrator {
        fn engine(&self) -> Engine {
            Engine::Sqlite
        }
        async fn table_exists(&mut self, table: &str) -> Result<bool, MigrateError> {
            self.calls.push(format!("table_exists {table}"));
            Ok(self.table)
        }
        async fn ensure_history_table(&mut self) -> Result<(), MigrateError> {
            self.calls.push("ensure".into());
            self.table = true;
            Ok(())
        }
        async fn lock(&mut self) -> Result<(), MigrateError> {
            self.calls.push("lock".into());
            Ok(())
        }
        async fn unlock(&mut self) -> Result<(), MigrateError> {
            self.calls.push("unlock".into());
            Ok(())
        }
        async fn applied_migrations(&mut self) -> Result<Vec<AppliedMigration>, MigrateError> {
            self.calls.push("read".into());
            Ok(self.rows.clone())
        }
        async fn apply(&mut self, migration: &Migration) -> Result<Applied, MigrateError> {
            self.calls.push(format!("apply {}", migration.version));
            if self.failing == Some(migration.version) {
                return Err(MigrateError::Database {
                    doing: "applying".into(),
                    message: "boom".into(),
                });
            }
            if self.raced.contains(&migration.version) {
                return Ok(Applied::AlreadyDone);
            }
            self.rows.push(AppliedMigration {
                version: migration.version,
                description: migration.description.clone(),
                installed_on: DateTime::UNIX_EPOCH,
                success: true,
                checksum: migration.checksum.clone(),
                execution_time: Some(1),
            });
            Ok(Applied::Ran(Duration::from_millis(1)))
        }
        async fn revert(&mut self, migration: &Migration) -> Result<Applied, MigrateError> {
            self.calls.push(format!("revert {}", migration.version));
            self.rows.retain(|row| row.version != migration.version);
            Ok(Applied::Ran(Duration::from_millis(1)))
        }
        async fn set_checksum(
            &mut self,
            version: i64,
            checksum: &Checksum,
        ) -> Result<(), MigrateError> {
            self.calls.push(format!("set_checksum {version}"));
            for row in &mut self.rows {
                if row.version == version {
                    row.checksum = checksum.clone();
                }
            }
            Ok(())
        }
        async fn delete_failed(&mut self, version: i64) -> Result<(), MigrateError> {
            self.calls.push(format!("delete_failed {version}"));
            self.rows.retain(|row| row.version != version);
            Ok(())
        }
        async fn close(self) {}
    }

    fn set() -> MigrationSet {
        let files = [
            ("1_a.up.sql", "A"),
            ("1_a.down.sql", "undo A"),
            ("2_b.up.sql", "B"),
            ("2_b.down.sql", "undo B"),
        ]
        .iter()
        .map(|(name, sql)| (PathBuf::from("m").join(name), sql.as_bytes().to_vec()))
        .collect();
        parse_files(Path::new("m"), files).0
    }

    fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(future)
    }

    #[test]
    fn up_reads_the_history_under_the_lock_and_unlocks_at_the_end() {
        let mut migrator = FakeMigrator::default();
        let set = set();
        let mut events = Vec::new();
        let steps = block_on(up(
            &mut migrator,
            &set,
            UpOptions::default(),
            false,
            &mut |event| events.push(matches!(event, Event::Finished { .. })),
        ))
        .unwrap();
        assert_eq!(
            migrator.calls,
            [
                "lock",
                "ensure",
                "table_exists _sqlx_migrations",
                "read",
                "apply 1",
                "apply 2",
                "unlock"
            ]
        );
        assert_eq!(steps.len(), 2);
        assert_eq!(events, [false, true, false, true]);
    }

    #[test]
    fn dry_runs_take_no_lock_and_write_nothing() {
        let mut migrator = FakeMigrator::default();
        let set = set();
        let steps = block_on(up(
            &mut migrator,
            &set,
            UpOptions::default(),
            true,
            &mut |_| {},
        ))
        .unwrap();
        assert_eq!(migrator.calls, ["table_exists _sqlx_migrations"]);
        assert_eq!(steps[0].sql.as_deref(), Some("A"));
    }

    #[test]
    fn a_failure_stops_the_run_without_unlocking() {
        // Closing the connection releases the lock; unlocking after a failed statement
        // could itself fail and hide the real error.
        let mut migrator = FakeMigrator {
            failing: Some(1),
            ..FakeMigrator::default()
        };
        let set = set();
        let error = block_on(up(
            &mut migrator,
            &set,
            UpOptions::default(),
            false,
            &mut |_| {},
        ));
        assert!(error.is_err());
        assert_eq!(migrator.calls.last().map(String::as_str), Some("apply 1"));
    }

    #[test]
    fn migrations_another_runner_applied_first_are_not_reported_as_ours() {
        let mut migrator = FakeMigrator {
            raced: vec![1],
            ..FakeMigrator::default()
        };
        let set = set();
        let mut skipped = 0;
        let steps = block_on(up(
            &mut migrator,
            &set,
            UpOptions::default(),
            false,
            &mut |event| {
                if matches!(event, Event::AlreadyDone { .. }) {
                    skipped += 1;
                }
            },
        ))
        .unwrap();
        assert_eq!(
            steps.iter().map(|step| step.version).collect::<Vec<_>>(),
            [2]
        );
        assert_eq!(skipped, 1);
    }

    #[test]
    fn redo_reverts_then_applies_the_same_migrations() {
        let mut migrator = FakeMigrator::default();
        let set = set();
        block_on(up(
            &mut migrator,
            &set,
            UpOptions::default(),
            false,
            &mut |_| {},
        ))
        .unwrap();
        migrator.calls.clear();
        let redone = block_on(redo(&mut migrator, &set, 2, false, &mut |_| {})).unwrap();
        let order: Vec<&str> = migrator
            .calls
            .iter()
            .map(String::as_str)
            .filter(|call| call.starts_with("apply") || call.starts_with("revert"))
            .collect();
        assert_eq!(order, ["revert 2", "revert 1", "apply 1", "apply 2"]);
        assert_eq!(redone.reverted.len(), 2);
        assert_eq!(redone.applied.len(), 2);
    }

    #[test]
    fn repair_accepts_a_changed_checksum_and_clears_only_dirty_rows() {
        let mut migrator = FakeMigrator::default();
        let set = set();
        block_on(up(
            &mut migrator,
            &set,
            UpOptions::default(),
            false,
            &mut |_| {},
        ))
        .unwrap();
        migrator.rows[0].checksum = Checksum::of(b"old");
        let repaired = block_on(repair(&mut migrator, &set, 1, RepairAction::Accept)).unwrap();
        assert_eq!(repaired.old_checksum, Checksum::of(b"old"));
        assert_eq!(migrator.rows[0].checksum, Checksum::of(b"A"));
        assert!(matches!(
            block_on(repair(&mut migrator, &set, 1, RepairAction::ClearDirty)),
            Err(MigrateError::NotDirty { version: 1 })
        ));
        migrator.rows[1].success = false;
        block_on(repair(&mut migrator, &set, 2, RepairAction::ClearDirty)).unwrap();
        assert_eq!(migrator.rows.len(), 1);
    }
}
