//! `--all-tenants`: the same subcommands, once per tenant listed by `[migrate.tenants]`,
//! with each tenant's usual report and a summary at the end.

use serde::Serialize;

use super::{
    DownArgs, Format, MigrateCommand, Printer, RedoArgs, Report, StatusReport, UpArgs,
    apply_pending, confirm, print_json, redo_newest, revert_applied,
};
use crate::migrate::config::TenantSettings;
use crate::migrate::plan::DownTo;
use crate::migrate::runner;
use crate::migrate::tenants::{self, Tenant, TenantEvent, TenantResult, TenantRun};
use crate::migrate::{AnyMigrator, DatabaseUrl, MigrateError, MigrationSet};
use crate::outcome::Outcome;

/// Where and how to run every tenant.
pub(super) struct TenantRunOptions<'a> {
    pub url: &'a DatabaseUrl,
    pub settings: &'a TenantSettings,
    pub format: Format,
    pub keep_going: bool,
}

/// Runs `command` on every tenant, in the tenant list's order.
pub(super) async fn all_tenants(
    options: TenantRunOptions<'_>,
    set: &MigrationSet,
    command: MigrateCommand,
) -> miette::Result<Outcome> {
    let tenants = tenants::list(options.url, options.settings).await?;
    if tenants.is_empty() {
        match options.format {
            Format::Json => print_json(&TenantsJson::<()> {
                tenants: Vec::new(),
                summary: &Summary::default(),
            }),
            Format::Table => out!(
                "No tenants: the tenant list of axiomod.toml returned no rows on {}; nothing to do",
                options.url.location
            ),
        }
        return Ok(Outcome::Success);
    }
    match command {
        MigrateCommand::Status(_) => status(options, tenants, set, false).await,
        MigrateCommand::Verify(_) => status(options, tenants, set, true).await,
        MigrateCommand::Up(args) => up(options, tenants, set, &args).await,
        MigrateCommand::Down(args) => down(options, tenants, set, &args).await,
        MigrateCommand::Redo(args) => redo(options, tenants, set, &args).await,
        MigrateCommand::Create(_) | MigrateCommand::Repair(_) => {
            unreachable!("create and repair have no --all-tenants")
        }
    }
}

async fn status(
    options: TenantRunOptions<'_>,
    tenants: Vec<Tenant>,
    set: &MigrationSet,
    verify: bool,
) -> miette::Result<Outcome> {
    for_each_tenant(options, tenants, async |migrator| {
        let status = runner::status(migrator, set).await?;
        Ok(StatusReport { status, verify })
    })
    .await
}

async fn up(
    options: TenantRunOptions<'_>,
    tenants: Vec<Tenant>,
    set: &MigrationSet,
    args: &UpArgs,
) -> miette::Result<Outcome> {
    let mut printer = Printer::new(options.format);
    for_each_tenant(options, tenants, async |migrator| {
        apply_pending(migrator, set, args, &mut printer).await
    })
    .await
}

async fn down(
    options: TenantRunOptions<'_>,
    tenants: Vec<Tenant>,
    set: &MigrationSet,
    args: &DownArgs,
) -> miette::Result<Outcome> {
    if !args.dry_run && !args.yes {
        let what = match args.to() {
            DownTo::Target(target) => format!("every migration newer than {target}"),
            DownTo::Steps(steps) => format!("the newest {steps} migration(s)"),
        };
        confirm(&format!(
            "Revert {what} of each of {}?",
            describe(&tenants, options.url)
        ))?;
    }
    let mut printer = Printer::new(options.format);
    for_each_tenant(options, tenants, async |migrator| {
        revert_applied(migrator, set, args, &mut printer).await
    })
    .await
}

async fn redo(
    options: TenantRunOptions<'_>,
    tenants: Vec<Tenant>,
    set: &MigrationSet,
    args: &RedoArgs,
) -> miette::Result<Outcome> {
    if !args.dry_run && !args.yes {
        confirm(&format!(
            "Revert and re-apply the newest {} migration(s) of each of {}?",
            args.steps,
            describe(&tenants, options.url)
        ))?;
    }
    let mut printer = Printer::new(options.format);
    for_each_tenant(options, tenants, async |migrator| {
        redo_newest(migrator, set, args, &mut printer).await
    })
    .await
}

/// `3 tenants of host:5432/db (acme, globex, initech)`, for confirmations.
fn describe(tenants: &[Tenant], url: &DatabaseUrl) -> String {
    let names: Vec<&str> = tenants.iter().map(|tenant| tenant.name.as_str()).collect();
    format!(
        "{} tenant(s) of {} ({})",
        tenants.len(),
        url.location,
        names.join(", ")
    )
}

/// Runs `operation` on each tenant, prints each tenant's report as it finishes (or one
/// JSON document at the end), then the summary.
async fn for_each_tenant<R: Report>(
    options: TenantRunOptions<'_>,
    tenants: Vec<Tenant>,
    operation: impl AsyncFnMut(&mut AnyMigrator) -> Result<R, MigrateError>,
) -> miette::Result<Outcome> {
    let TenantRunOptions {
        url,
        format,
        keep_going,
        ..
    } = options;
    let runs = tenants::run_each(url, tenants, keep_going, operation, &mut |event| {
        if format == Format::Table {
            print_event(&event, url);
        }
    })
    .await;
    let summary = Summary::of(&runs);
    match format {
        Format::Json => print_json(&TenantsJson {
            tenants: runs.iter().map(|run| run_json(run, url)).collect(),
            summary: &summary,
        }),
        Format::Table => print_summary(&runs, &summary),
    }
    if summary.failed > 0 {
        let failed: Vec<&str> = runs
            .iter()
            .filter(|run| matches!(run.result, TenantResult::Failed(_)))
            .map(|run| run.tenant.name.as_str())
            .collect();
        let help = if summary.skipped > 0 {
            "the tenants after it were not run; fix it and run the command again, or pass --keep-going to run the others anyway"
        } else {
            "fix the failed tenant(s) and run the command again; the other tenants are done"
        };
        return Err(miette::miette!(
            help = help,
            "{} of {} tenant(s) failed: {}",
            summary.failed,
            runs.len(),
            failed.join(", ")
        ));
    }
    Ok(if summary.problems > 0 {
        Outcome::ProblemsFound
    } else {
        Outcome::Success
    })
}

fn print_event<R: Report>(event: &TenantEvent<'_, R>, url: &DatabaseUrl) {
    match event {
        TenantEvent::Starting(tenant) => out!("== tenant {}", tenant.name),
        TenantEvent::Finished(run) => match &run.result {
            TenantResult::Done(report) => report.print(&run.tenant.location(url)),
            TenantResult::Failed(error) => {
                let mut rendered = String::new();
                // Writing to a String cannot fail.
                let _ = miette::GraphicalReportHandler::new()
                    .with_wrap_lines(false)
                    .render_report(&mut rendered, error);
                errln!("tenant {}: {rendered}", run.tenant.name);
            }
            TenantResult::Skipped => {}
        },
    }
}

/// How one tenant's run ended, as printed and in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Ending {
    Ok,
    /// `verify` found changed, missing or dirty migrations.
    Problems,
    Failed,
    Skipped,
}

impl Ending {
    fn of<R: Report>(result: &TenantResult<R>) -> Self {
        match result {
            TenantResult::Done(report) if report.outcome() == Outcome::ProblemsFound => {
                Self::Problems
            }
            TenantResult::Done(_) => Self::Ok,
            TenantResult::Failed(_) => Self::Failed,
            TenantResult::Skipped => Self::Skipped,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Problems => "problems",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// How many tenants ended each way.
#[derive(Debug, Default, Serialize)]
struct Summary {
    ok: usize,
    problems: usize,
    failed: usize,
    skipped: usize,
}

impl Summary {
    fn of<R: Report>(runs: &[TenantRun<R>]) -> Self {
        let mut summary = Self::default();
        for run in runs {
            let count = match Ending::of(&run.result) {
                Ending::Ok => &mut summary.ok,
                Ending::Problems => &mut summary.problems,
                Ending::Failed => &mut summary.failed,
                Ending::Skipped => &mut summary.skipped,
            };
            *count += 1;
        }
        summary
    }
}

/// The `--all-tenants --format json` document.
#[derive(Serialize)]
struct TenantsJson<'a, T> {
    tenants: Vec<T>,
    summary: &'a Summary,
}

/// One tenant in the JSON document: its command's usual document under `report`.
#[derive(Serialize)]
struct TenantJson<'a, J> {
    tenant: &'a str,
    location: String,
    result: Ending,
    report: Option<J>,
    error: Option<String>,
}

fn run_json<'a, R: Report>(
    run: &'a TenantRun<R>,
    url: &DatabaseUrl,
) -> TenantJson<'a, impl Serialize + 'a> {
    let (report, error) = match &run.result {
        TenantResult::Done(report) => (Some(report.json()), None),
        TenantResult::Failed(error) => (None, Some(error.to_string())),
        TenantResult::Skipped => (None, None),
    };
    TenantJson {
        tenant: &run.tenant.name,
        location: run.tenant.location(url),
        result: Ending::of(&run.result),
        report,
        error,
    }
}

fn print_summary<R: Report>(runs: &[TenantRun<R>], summary: &Summary) {
    out!("");
    out!("{:<24} {:<10} DETAIL", "TENANT", "RESULT");
    for run in runs {
        let detail = match &run.result {
            TenantResult::Failed(error) => {
                error.to_string().lines().next().unwrap_or("").to_string()
            }
            TenantResult::Skipped => "not run: an earlier tenant failed".to_string(),
            TenantResult::Done(_) => String::new(),
        };
        let line = format!(
            "{:<24} {:<10} {detail}",
            run.tenant.name,
            Ending::of(&run.result).name()
        );
        out!("{}", line.trim_end());
    }
    out!(
        "{} tenant(s): {} ok, {} with problems, {} failed, {} skipped",
        runs.len(),
        summary.ok,
        summary.problems,
        summary.failed,
        summary.skipped
    );
}
