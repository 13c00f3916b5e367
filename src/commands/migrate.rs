//! `axiomod migrate`: create, apply, revert and check database migrations, compatible with
//! sqlx-cli's `_sqlx_migrations` history.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::migrate::create::{self, Layout, Numbering};
use crate::migrate::plan::{DownTo, State, Status, UpOptions};
use crate::migrate::refinery::{self, RefineryDatabase};
use crate::migrate::runner::{self, Event, Redo, RepairAction, Step};
use crate::migrate::{
    AnyMigrator, DatabaseUrl, HistoryFormat, MigrateError, MigrationKind, MigrationSet, Migrator,
    config, read_directory,
};
use crate::outcome::Outcome;
use crate::ui;

mod all_tenants;

use all_tenants::{TenantRunOptions, all_tenants};

const EXAMPLES: &str = "\
Examples:
  axiomod migrate create create_users     # <timestamp>_create_users.up.sql and .down.sql
  axiomod migrate up                      # apply every pending migration to DATABASE_URL
  axiomod migrate up --target 20240101120000 --dry-run
  axiomod migrate status --format json
  axiomod migrate verify                  # exit 1: an applied migration changed or is missing
  axiomod migrate down --steps 2 --yes
  axiomod migrate redo                    # revert the newest migration and apply it again
  axiomod migrate repair --accept 20240101120000 --yes
  axiomod migrate up --all-tenants        # every tenant schema listed by [migrate.tenants]

The history table is sqlx's `_sqlx_migrations`: sqlx-cli and `sqlx::migrate!()` see what axiomod
applied and the reverse. Details: docs/migrations.md.";

/// Create, apply, revert and check database migrations (sqlx-compatible).
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
    /// Database to migrate (postgres://, mysql:// or sqlite://); defaults to DATABASE_URL,
    /// then to DATABASE_URL in ./.env.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// Migrations directory; defaults to `[migrate] dir` in axiomod.toml, else `migrations`.
    #[arg(long, global = true, value_name = "DIR")]
    pub source: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[value(alias = "human")]
    Table,
    /// One JSON document on stdout (docs/migrations.md).
    Json,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Create a new migration file (or an up/down pair).
    Create(CreateArgs),
    /// Apply pending migrations.
    Up(UpArgs),
    /// Revert applied migrations with their down files.
    Down(DownArgs),
    /// List applied, pending, changed, missing, dirty and out-of-order migrations.
    Status(StatusArgs),
    /// Exit 1 when an applied migration changed, went missing or failed (for CI).
    Verify(StatusArgs),
    /// Revert the newest applied migration(s) and apply them again.
    Redo(RedoArgs),
    /// Fix the history table: accept a changed file's checksum, or clear a failed row.
    Repair(RepairArgs),
}

impl MigrateCommand {
    /// The `--all-tenants` options, for the subcommands that have them.
    fn tenant_args(&self) -> Option<&TenantArgs> {
        match self {
            Self::Up(args) => Some(&args.tenants),
            Self::Down(args) => Some(&args.tenants),
            Self::Redo(args) => Some(&args.tenants),
            Self::Status(args) | Self::Verify(args) => Some(&args.tenants),
            Self::Create(_) | Self::Repair(_) => None,
        }
    }
}

/// Options for schema-per-tenant projects (docs/migrations.md, "Schema-per-tenant projects").
#[derive(Debug, Args)]
pub struct TenantArgs {
    /// Run on every tenant listed by `[migrate.tenants]` in axiomod.toml, one after the other:
    /// each PostgreSQL schema (or MySQL/MariaDB database) has its own history.
    #[arg(long)]
    pub all_tenants: bool,
    /// With --all-tenants: go on with the next tenants after one fails (exit 2 at the end).
    #[arg(long, requires = "all_tenants")]
    pub keep_going: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod migrate status --format json
  axiomod migrate status --all-tenants
  axiomod migrate verify --all-tenants --keep-going   # check every tenant, exit 1 on drift")]
pub struct StatusArgs {
    #[command(flatten)]
    pub tenants: TenantArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod migrate create create_users
  axiomod migrate create \"add email to users\" --simple --dry-run")]
pub struct CreateArgs {
    /// What the migration does, e.g. `create_users`; becomes part of the file name.
    pub name: String,
    /// Write an .up.sql/.down.sql pair (the default for a new directory).
    #[arg(long, conflicts_with = "simple")]
    pub reversible: bool,
    /// Write one .sql file that cannot be reverted.
    #[arg(long)]
    pub simple: bool,
    /// Number versions 0001, 0002, … (default: follow the directory, else timestamps).
    #[arg(long, conflicts_with = "timestamp")]
    pub sequential: bool,
    /// Number versions with the UTC time, YYYYMMDDHHMMSS.
    #[arg(long)]
    pub timestamp: bool,
    /// Print the files that would be created and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod migrate up
  axiomod migrate up --target 20240101120000 --dry-run
  axiomod migrate up --allow-out-of-order      # apply a merged branch's older migration
  axiomod migrate up --all-tenants --keep-going")]
pub struct UpArgs {
    /// Apply pending migrations up to and including this version only.
    #[arg(long, value_name = "VERSION")]
    pub target: Option<i64>,
    /// Print the migrations and their SQL instead of running them.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply pending migrations older than the newest applied one (e.g. after a merge).
    #[arg(long)]
    pub allow_out_of_order: bool,
    /// Do not fail when applied migrations have no file any more.
    #[arg(long)]
    pub ignore_missing: bool,
    #[command(flatten)]
    pub tenants: TenantArgs,
}

impl UpArgs {
    fn options(&self) -> UpOptions {
        UpOptions {
            target: self.target,
            allow_out_of_order: self.allow_out_of_order,
            ignore_missing: self.ignore_missing,
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod migrate down --dry-run               # print the SQL of the newest down file
  axiomod migrate down --steps 2 --yes
  axiomod migrate down --target 0 --yes        # revert everything
  axiomod migrate down --all-tenants --yes     # the newest migration of every tenant")]
pub struct DownArgs {
    /// Revert the newest N applied migrations [default: 1].
    #[arg(long, value_name = "N", conflicts_with = "target")]
    pub steps: Option<usize>,
    /// Revert every applied migration newer than this version (0 reverts all).
    #[arg(long, value_name = "VERSION")]
    pub target: Option<i64>,
    /// Do not ask for confirmation (required when not on a terminal).
    #[arg(long, short)]
    pub yes: bool,
    /// Print the down migrations and their SQL instead of running them.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub tenants: TenantArgs,
}

impl DownArgs {
    /// How far to go down: `--target`, else `--steps` (default 1).
    fn to(&self) -> DownTo {
        match self.target {
            Some(target) => DownTo::Target(target),
            None => DownTo::Steps(self.steps.unwrap_or(1)),
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod migrate redo --yes
  axiomod migrate redo --steps 2 --dry-run
  axiomod migrate redo --all-tenants --yes")]
pub struct RedoArgs {
    /// How many of the newest applied migrations to redo.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub steps: usize,
    /// Do not ask for confirmation (required when not on a terminal).
    #[arg(long, short)]
    pub yes: bool,
    /// Print the SQL that would run instead of running it.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub tenants: TenantArgs,
}

#[derive(Debug, Args)]
#[command(
    group(clap::ArgGroup::new("action").required(true).args(["accept", "clear_dirty"])),
    after_help = "Examples:
  axiomod migrate repair --accept 20240101120000        # after a line-ending-only change
  axiomod migrate repair --clear-dirty 20240101120000 --yes

Recovering a dirty MySQL/MariaDB migration: docs/migrations.md, \"Dirty state\"."
)]
pub struct RepairArgs {
    /// Record the current checksum of this applied migration's file (after a harmless edit).
    #[arg(long, value_name = "VERSION")]
    pub accept: Option<i64>,
    /// Delete this migration's failed (dirty) history row, after you cleaned up by hand.
    #[arg(long, value_name = "VERSION")]
    pub clear_dirty: Option<i64>,
    /// Do not ask for confirmation (required when not on a terminal).
    #[arg(long, short)]
    pub yes: bool,
}

pub fn exec(args: MigrateArgs) -> miette::Result<Outcome> {
    let settings = config::settings(Path::new(""))?;
    let directory = args.source.clone().unwrap_or(settings.directory);
    let history = settings.format.unwrap_or_else(|| {
        if refinery::looks_like_refinery(&directory) {
            HistoryFormat::Refinery
        } else {
            HistoryFormat::Sqlx
        }
    });
    if let MigrateCommand::Create(create_args) = &args.command {
        return create(create_args, &directory, history, args.format);
    }
    let set = match history {
        HistoryFormat::Sqlx => read_directory(&directory)?,
        HistoryFormat::Refinery => refinery::read_directory(&directory)?,
    };
    let raw_url = match args.database_url {
        Some(url) => url,
        None => {
            config::database_url_from_dotenv(Path::new(""))?.ok_or(MigrateError::NoDatabaseUrl)?
        }
    };
    let url = DatabaseUrl::parse(&raw_url)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| miette::miette!("cannot start the async runtime: {error}"))?;
    let format = args.format;
    let keep_going = args
        .command
        .tenant_args()
        .filter(|tenant_args| tenant_args.all_tenants)
        .map(|tenant_args| tenant_args.keep_going);
    if let Some(keep_going) = keep_going {
        if history == HistoryFormat::Refinery {
            return Err(MigrateError::TenantsUnsupported {
                what: "for refinery projects".to_string(),
            }
            .into());
        }
        crate::migrate::tenants::refuse_sqlite(&url)?;
        let tenant_settings = settings.tenants.ok_or(MigrateError::NoTenantList)?;
        let tenant_run = TenantRunOptions {
            url: &url,
            settings: &tenant_settings,
            format,
            keep_going,
        };
        return runtime.block_on(all_tenants(tenant_run, &set, args.command));
    }
    if history == HistoryFormat::Refinery {
        return runtime.block_on(refinery_command(&url, &set, format, args.command));
    }
    runtime.block_on(async {
        match args.command {
            MigrateCommand::Create(_) => unreachable!("create returned above"),
            MigrateCommand::Status(_) => status(&url, &set, format, false).await,
            MigrateCommand::Verify(_) => status(&url, &set, format, true).await,
            MigrateCommand::Up(up_args) => up(&url, &set, format, &up_args).await,
            MigrateCommand::Down(down_args) => down(&url, &set, format, &down_args).await,
            MigrateCommand::Redo(redo_args) => redo(&url, &set, format, &redo_args).await,
            MigrateCommand::Repair(repair_args) => repair(&url, &set, format, &repair_args).await,
        }
    })
}

/// Connects, runs `operation`, and closes the connection whatever happened.
async fn with_migrator<T>(
    url: &DatabaseUrl,
    operation: impl AsyncFnOnce(&mut AnyMigrator) -> Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    let mut migrator = url.connect().await?;
    let result = operation(&mut migrator).await;
    migrator.close().await;
    result
}

/// The subcommands refinery projects support: status, verify and up.
async fn refinery_command(
    url: &DatabaseUrl,
    set: &MigrationSet,
    format: Format,
    command: MigrateCommand,
) -> miette::Result<Outcome> {
    let unsupported = match command {
        MigrateCommand::Down(_) => Some("`down`"),
        MigrateCommand::Redo(_) => Some("`redo`"),
        MigrateCommand::Repair(_) => Some("`repair`"),
        _ => None,
    };
    if let Some(what) = unsupported {
        return Err(MigrateError::Unsupported {
            what: what.to_string(),
        }
        .into());
    }
    let mut database = RefineryDatabase::connect(url).await?;
    let result = match &command {
        MigrateCommand::Status(_) | MigrateCommand::Verify(_) => {
            database.status(set).await.map(|status| {
                let verify = matches!(command, MigrateCommand::Verify(_));
                render(&StatusReport { status, verify }, format, &url.location)
            })
        }
        MigrateCommand::Up(args) => {
            let mut printer = Printer::new(format);
            let steps = database
                .up(set, args.options(), args.dry_run, &mut |event| {
                    printer.event(event)
                })
                .await;
            printer.finish();
            steps.map(|steps| {
                render(
                    &StepsReport::applied(steps, args.dry_run),
                    format,
                    &url.location,
                )
            })
        }
        MigrateCommand::Down(_)
        | MigrateCommand::Redo(_)
        | MigrateCommand::Repair(_)
        | MigrateCommand::Create(_) => unreachable!("handled before connecting"),
    };
    database.close().await;
    Ok(result?)
}

fn create(
    args: &CreateArgs,
    directory: &Path,
    history: HistoryFormat,
    format: Format,
) -> miette::Result<Outcome> {
    let set = match (directory.exists(), history) {
        (true, HistoryFormat::Sqlx) => read_directory(directory)?,
        (true, HistoryFormat::Refinery) => refinery::read_directory(directory)?,
        (false, _) => MigrationSet {
            directory: directory.to_path_buf(),
            format: history,
            ..MigrationSet::default()
        },
    };
    let layout = match (args.reversible, args.simple) {
        (true, _) => Some(Layout::Reversible),
        (_, true) => Some(Layout::Simple),
        _ => None,
    };
    let numbering = match (args.sequential, args.timestamp) {
        (true, _) => Some(Numbering::Sequential),
        (_, true) => Some(Numbering::Timestamp),
        _ => None,
    };
    let files = create::plan_create(&set, &args.name, layout, numbering, chrono::Utc::now())?;
    if !args.dry_run {
        create::write_files(&files)?;
    }
    match format {
        Format::Json => print_json(&serde_json::json!({
            "dry_run": args.dry_run,
            "files": files.iter().map(|file| &file.path).collect::<Vec<_>>(),
        })),
        Format::Table => {
            let verb = if args.dry_run {
                "Would create"
            } else {
                "Created"
            };
            for file in &files {
                out!("{verb} {}", file.path.display());
            }
        }
    }
    Ok(Outcome::Success)
}

async fn status(
    url: &DatabaseUrl,
    set: &MigrationSet,
    format: Format,
    verify: bool,
) -> miette::Result<Outcome> {
    let status = with_migrator(url, async |migrator| runner::status(migrator, set).await).await?;
    Ok(render(
        &StatusReport { status, verify },
        format,
        &url.location,
    ))
}

async fn up(
    url: &DatabaseUrl,
    set: &MigrationSet,
    format: Format,
    args: &UpArgs,
) -> miette::Result<Outcome> {
    let mut printer = Printer::new(format);
    let report = with_migrator(url, async |migrator| {
        apply_pending(migrator, set, args, &mut printer).await
    })
    .await?;
    Ok(render(&report, format, &url.location))
}

async fn down(
    url: &DatabaseUrl,
    set: &MigrationSet,
    format: Format,
    args: &DownArgs,
) -> miette::Result<Outcome> {
    if !args.dry_run && !args.yes {
        let planned = with_migrator(url, async |migrator| {
            runner::down(migrator, set, args.to(), true, &mut |_| {}).await
        })
        .await?;
        if planned.is_empty() {
            return Ok(render(
                &StepsReport::reverted(planned, false),
                format,
                &url.location,
            ));
        }
        confirm(&format!(
            "Revert {} on {}?",
            list_versions(&planned),
            url.location
        ))?;
    }
    let mut printer = Printer::new(format);
    let report = with_migrator(url, async |migrator| {
        revert_applied(migrator, set, args, &mut printer).await
    })
    .await?;
    Ok(render(&report, format, &url.location))
}

async fn redo(
    url: &DatabaseUrl,
    set: &MigrationSet,
    format: Format,
    args: &RedoArgs,
) -> miette::Result<Outcome> {
    if !args.dry_run && !args.yes {
        let planned = with_migrator(url, async |migrator| {
            runner::redo(migrator, set, args.steps, true, &mut |_| {}).await
        })
        .await?;
        confirm(&format!(
            "Revert and re-apply {} on {}?",
            list_versions(&planned.reverted),
            url.location
        ))?;
    }
    let mut printer = Printer::new(format);
    let report = with_migrator(url, async |migrator| {
        redo_newest(migrator, set, args, &mut printer).await
    })
    .await?;
    Ok(render(&report, format, &url.location))
}

/// `up` on one connected database (or tenant), each migration printed as it runs.
async fn apply_pending(
    migrator: &mut AnyMigrator,
    set: &MigrationSet,
    args: &UpArgs,
    printer: &mut Printer,
) -> Result<StepsReport, MigrateError> {
    let steps = runner::up(migrator, set, args.options(), args.dry_run, &mut |event| {
        printer.event(event)
    })
    .await;
    printer.finish();
    Ok(StepsReport::applied(steps?, args.dry_run))
}

/// `down` on one connected database (or tenant), after any confirmation.
async fn revert_applied(
    migrator: &mut AnyMigrator,
    set: &MigrationSet,
    args: &DownArgs,
    printer: &mut Printer,
) -> Result<StepsReport, MigrateError> {
    let steps = runner::down(migrator, set, args.to(), args.dry_run, &mut |event| {
        printer.event(event)
    })
    .await;
    printer.finish();
    Ok(StepsReport::reverted(steps?, args.dry_run))
}

/// `redo` on one connected database (or tenant), after any confirmation.
async fn redo_newest(
    migrator: &mut AnyMigrator,
    set: &MigrationSet,
    args: &RedoArgs,
    printer: &mut Printer,
) -> Result<RedoReport, MigrateError> {
    let redo = runner::redo(migrator, set, args.steps, args.dry_run, &mut |event| {
        printer.event(event)
    })
    .await;
    printer.finish();
    Ok(RedoReport {
        redo: redo?,
        dry_run: args.dry_run,
    })
}

async fn repair(
    url: &DatabaseUrl,
    set: &MigrationSet,
    format: Format,
    args: &RepairArgs,
) -> miette::Result<Outcome> {
    let (version, action, question) = match (args.accept, args.clear_dirty) {
        (Some(version), _) => (
            version,
            RepairAction::Accept,
            format!(
                "Record the current checksum of migration {version}'s file in {}'s history?",
                url.location
            ),
        ),
        (None, Some(version)) => (
            version,
            RepairAction::ClearDirty,
            format!(
                "Delete the failed history row of migration {version} in {}? Undo what it applied first.",
                url.location
            ),
        ),
        (None, None) => unreachable!("clap requires --accept or --clear-dirty"),
    };
    if !args.yes {
        confirm(&question)?;
    }
    let repair = with_migrator(url, async |migrator| {
        runner::repair(migrator, set, version, action).await
    })
    .await?;
    match format {
        Format::Json => print_json(&repair),
        Format::Table => match (&repair.action, &repair.new_checksum) {
            (RepairAction::Accept, Some(new)) => out!(
                "repair: migration {version} on {}: checksum {} replaced by {}",
                url.location,
                repair.old_checksum.to_hex(),
                new.to_hex()
            ),
            _ => out!(
                "repair: migration {version} on {}: deleted the failed history row (checksum {})",
                url.location,
                repair.old_checksum.to_hex()
            ),
        },
    }
    Ok(Outcome::Success)
}

/// Asks on a terminal; refuses without `--yes` anywhere else.
fn confirm(question: &str) -> miette::Result<()> {
    ui::confirm(question, "the database", "run")
}

fn list_versions(steps: &[Step]) -> String {
    let versions: Vec<String> = steps
        .iter()
        .map(|step| format!("{} ({})", step.version, step.description))
        .collect();
    if versions.is_empty() {
        "no migrations".to_string()
    } else {
        versions.join(", ")
    }
}

/// Prints each migration as it runs, with a progress bar on a terminal for longer runs.
struct Printer {
    format: Format,
    bar: Option<ProgressBar>,
}

impl Printer {
    /// Runs of more than this many migrations get a progress bar.
    const PROGRESS_FROM: usize = 3;

    fn new(format: Format) -> Self {
        Self { format, bar: None }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Starting { index, total, .. } => {
                if index == 0 && total > Self::PROGRESS_FROM {
                    // Draws to stderr, and only when stderr is a terminal.
                    let bar = ProgressBar::new(total as u64).with_style(
                        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                            .expect("the progress template is valid"),
                    );
                    self.bar = Some(bar);
                }
            }
            Event::Finished { migration, elapsed } => {
                let line = format!(
                    "{} {}/{} {} ({})",
                    if migration.kind == MigrationKind::Down {
                        "Reverted"
                    } else {
                        "Applied"
                    },
                    migration.version,
                    migration.kind,
                    migration.description,
                    duration(elapsed)
                );
                self.line(line);
            }
            Event::AlreadyDone { migration } => {
                self.line(format!(
                    "Skipped {}/{} {} (another runner did it first)",
                    migration.version, migration.kind, migration.description
                ));
            }
        }
    }

    fn line(&self, line: String) {
        match (&self.bar, self.format) {
            (Some(bar), Format::Table) => {
                bar.println(line);
                bar.inc(1);
            }
            (Some(bar), Format::Json) => bar.inc(1),
            (None, Format::Table) => out!("{line}"),
            (None, Format::Json) => {}
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn duration(elapsed: Duration) -> String {
    if elapsed.as_secs() >= 1 {
        format!("{:.2}s", elapsed.as_secs_f64())
    } else {
        format!("{:.1}ms", elapsed.as_secs_f64() * 1000.0)
    }
}

/// What a command did on one database (or one tenant): printed for people, serialized for
/// machines, and whether it found problems.
trait Report {
    fn print(&self, location: &str);
    /// The JSON document (docs/migrations.md).
    fn json(&self) -> impl Serialize + '_;
    fn outcome(&self) -> Outcome {
        Outcome::Success
    }
}

/// Prints `report` in `format` for the database at `location`.
fn render(report: &impl Report, format: Format, location: &str) -> Outcome {
    match format {
        Format::Json => print_json(&report.json()),
        Format::Table => report.print(location),
    }
    report.outcome()
}

struct StatusReport {
    status: Status,
    /// Print only the problems, and find problems (exit 1).
    verify: bool,
}

impl Report for StatusReport {
    fn print(&self, location: &str) {
        if self.verify {
            print_verify(&self.status, location);
        } else {
            print_status(&self.status, location);
        }
    }

    fn json(&self) -> impl Serialize + '_ {
        &self.status
    }

    fn outcome(&self) -> Outcome {
        if self.verify && self.status.has_problems() {
            Outcome::ProblemsFound
        } else {
            Outcome::Success
        }
    }
}

/// The migrations `up` applied or `down` reverted.
struct StepsReport {
    steps: Vec<Step>,
    dry_run: bool,
    verb: &'static str,
    done: &'static str,
}

impl StepsReport {
    fn applied(steps: Vec<Step>, dry_run: bool) -> Self {
        Self {
            steps,
            dry_run,
            verb: "apply",
            done: "Applied",
        }
    }

    fn reverted(steps: Vec<Step>, dry_run: bool) -> Self {
        Self {
            steps,
            dry_run,
            verb: "revert",
            done: "Reverted",
        }
    }
}

impl Report for StepsReport {
    fn print(&self, location: &str) {
        let (steps, verb) = (&self.steps, self.verb);
        if self.dry_run {
            print_dry_run(steps, verb);
        } else if steps.is_empty() {
            out!("Nothing to {verb} on {location}");
        } else {
            out!("{} {} migration(s) on {location}", self.done, steps.len());
        }
    }

    fn json(&self) -> impl Serialize + '_ {
        serde_json::json!({
            "dry_run": self.dry_run,
            "migrations": self.steps,
        })
    }
}

struct RedoReport {
    redo: Redo,
    dry_run: bool,
}

impl Report for RedoReport {
    fn print(&self, location: &str) {
        if self.dry_run {
            print_dry_run(&self.redo.reverted, "revert");
            print_dry_run(&self.redo.applied, "apply");
        } else {
            out!("Redid {} on {location}", list_versions(&self.redo.applied));
        }
    }

    fn json(&self) -> impl Serialize + '_ {
        serde_json::json!({
            "dry_run": self.dry_run,
            "reverted": self.redo.reverted,
            "applied": self.redo.applied,
        })
    }
}

fn print_dry_run(steps: &[Step], verb: &str) {
    if steps.is_empty() {
        out!("Dry run: nothing to {verb}");
    }
    for step in steps {
        out!(
            "-- would {verb} {} {} ({})",
            step.version,
            step.description,
            step.file.display()
        );
        if let Some(sql) = &step.sql {
            out!("{}", sql.trim_end());
        }
    }
}

fn print_status(status: &Status, location: &str) {
    out!("{} {location}", status.engine.name());
    if !status.history_table_exists {
        out!(
            "history table {} does not exist yet: nothing is applied",
            status.history_table
        );
    }
    if status.migrations.is_empty() {
        out!("no migrations");
    } else {
        out!("{:<16} {:<24} DESCRIPTION", "VERSION", "STATE");
    }
    for entry in &status.migrations {
        let state = match (entry.state, entry.out_of_order) {
            (State::Pending, true) => "pending (out of order)".to_string(),
            (state, _) => state_name(state).to_string(),
        };
        out!("{:<16} {:<24} {}", entry.version, state, entry.description);
        print_details(entry);
    }
    let summary = &status.summary;
    out!(
        "{} applied, {} pending, {} changed, {} missing, {} dirty, {} out of order",
        summary.applied,
        summary.pending,
        summary.changed,
        summary.missing,
        summary.dirty,
        summary.out_of_order
    );
}

fn print_verify(status: &Status, location: &str) {
    let problems: Vec<_> = status
        .migrations
        .iter()
        .filter(|entry| matches!(entry.state, State::Changed | State::Missing | State::Dirty))
        .collect();
    if problems.is_empty() {
        out!(
            "ok: {} applied migration(s) on {location} match their files",
            status.summary.applied
        );
        return;
    }
    for entry in problems {
        out!(
            "{} {} {}",
            state_name(entry.state),
            entry.version,
            entry.description
        );
        print_details(entry);
    }
    out!(
        "verify failed: {} changed, {} missing, {} dirty",
        status.summary.changed,
        status.summary.missing,
        status.summary.dirty
    );
}

fn print_details(entry: &crate::migrate::plan::StatusEntry) {
    match entry.state {
        State::Changed => {
            if let Some(reason) = entry.checksum_difference {
                out!("    {reason}");
            }
            if let (Some(applied), Some(file)) = (&entry.applied_checksum, &entry.checksum) {
                out!("    applied checksum {}", applied.to_hex());
                out!("    file checksum    {}", file.to_hex());
            }
        }
        State::Missing => out!("    applied, but its file is gone"),
        State::Dirty => out!(
            "    failed part-way; clean up, then `axiomod migrate repair --clear-dirty {}`",
            entry.version
        ),
        State::Applied | State::Pending => {}
    }
}

fn state_name(state: State) -> &'static str {
    match state {
        State::Applied => "applied",
        State::Pending => "pending",
        State::Changed => "changed",
        State::Missing => "missing",
        State::Dirty => "dirty",
    }
}

fn print_json(value: &impl Serialize) {
    out!(
        "{}",
        serde_json::to_string_pretty(value).expect("migration reports always serialize")
    );
}
