//! `axiomod new <name>`: a new service project.

use std::path::PathBuf;

use clap::Args;

use crate::commands::plan_output::{OutputFormat, print_planned, print_written};
use crate::generate::project::{self, Broker, Database, NewProject};
use crate::outcome::Outcome;
use crate::render;
use crate::ui;

/// Create a new service: an axum + sqlx modular monolith that builds, tests and serves.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod new shop --db sqlite             # ./shop, runs on a local SQLite file
  axiomod new billing --db postgres --path services/billing
  axiomod new orders --db postgres --broker nats
  axiomod new shop --dry-run               # list the files, write nothing

Then: cd shop && MIGRATE_ON_START=true cargo run, and curl localhost:8080/health.")]
pub struct NewArgs {
    /// The service name: lowercase letters, digits and dashes (it names the crate, the binary,
    /// the Helm chart and the container image).
    pub name: String,
    /// Folder to create the project in [default: ./<name>].
    #[arg(long)]
    pub path: Option<PathBuf>,
    /// The database the service runs on. Asked on a terminal when not given; sqlite otherwise.
    #[arg(long, value_enum)]
    pub db: Option<Database>,
    /// The message broker the service publishes its events through (its outbox relay's
    /// target). Never asked: without this flag the service has no broker.
    #[arg(long, value_enum, default_value_t = Broker::None)]
    pub broker: Broker,
    /// Write into a non-empty folder, overwriting files of the same name (nothing is deleted).
    #[arg(long)]
    pub force: bool,
    /// Print the files that would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Never prompt: take the defaults.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub fn exec(args: NewArgs) -> miette::Result<Outcome> {
    project::validate_name(&args.name)?;
    let target = args.path.unwrap_or_else(|| PathBuf::from(&args.name));
    // Refuse a target the write would refuse before asking anything (and on a dry run, so
    // its preview holds for the real run).
    render::check_new_target(&target, args.force)?;
    let database = match args.db {
        Some(database) => database,
        None if !args.yes && ui::is_interactive() => ask_database()?,
        None => Database::Sqlite,
    };
    // Forced into an earlier `axiomod new`, keep its first migration rather than add a twin.
    let migration_version = project::existing_migration_version(&target)
        .unwrap_or_else(|| chrono::Utc::now().format("%Y%m%d%H%M%S").to_string());
    let project = NewProject {
        name: args.name.clone(),
        database,
        broker: args.broker,
        migration_version,
    };
    let files = project::render_project(&project)?;
    if args.dry_run {
        print_planned(
            &render::plan_new_tree(&target, files, args.force)?,
            args.format,
        );
        return Ok(Outcome::Success);
    }
    let summary = render::write_new_tree(&target, files, args.force)?;
    print_written(&summary, args.format);
    if args.format == OutputFormat::Human {
        out!(
            "\nNext:\n  cd {}\n  MIGRATE_ON_START=true LOG_FORMAT=pretty cargo run\n  curl localhost:8080/health",
            target.display()
        );
    }
    Ok(Outcome::Success)
}

fn ask_database() -> miette::Result<Database> {
    let choices = ["sqlite (a local file, nothing to install)", "postgres"];
    let selected = dialoguer::Select::new()
        .with_prompt("Database")
        .items(choices)
        .default(0)
        .interact()
        .map_err(|error| miette::miette!("cannot read your answer: {error}"))?;
    Ok(if selected == 0 {
        Database::Sqlite
    } else {
        Database::Postgres
    })
}
