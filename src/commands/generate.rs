//! `axiomod generate <generator>`: code into an existing project.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::commands::plan_output::{OutputFormat, print_planned};
use crate::generate::scaffold::{self, Project, SchemaMigration};
use crate::outcome::Outcome;
use crate::render::{self, Action, Manifest};

/// Generate code into an existing project.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(subcommand)]
    pub generator: Generator,
}

#[derive(Debug, Subcommand)]
pub enum Generator {
    Scaffold(ScaffoldArgs),
}

/// Generate complete slices (entity, use cases, sqlx repository, HTTP API, migration, tests)
/// for every entity of a schema file.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod generate scaffold schemas/sales.toml
  axiomod generate scaffold sales.yaml --project services/shop --dry-run

The schema format is described in docs/schema-format.md. Running the same command again
changes nothing; files you edited are never overwritten (the run stops with a diff) unless
--force. After you change the schema of a module generated before, running it again writes a
new migration <version>_alter_<module> (added entities and fields, removed fields, unique and
index changes) and regenerates the code; changes that could lose data are refused.")]
pub struct ScaffoldArgs {
    /// The entity schema (TOML or YAML).
    pub schema: PathBuf,
    /// The project folder (the one with axiomod.toml).
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
    /// Overwrite generated files you edited.
    #[arg(long)]
    pub force: bool,
    /// Print what would change, with diffs, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// For a changed schema: write no ALTER migration, only regenerate the code (you
    /// migrate the change yourself, e.g. with `axiomod migrate create`).
    #[arg(long)]
    pub no_migration: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub fn exec(args: GenerateArgs) -> miette::Result<Outcome> {
    match args.generator {
        Generator::Scaffold(args) => scaffold(args),
    }
}

fn scaffold(args: ScaffoldArgs) -> miette::Result<Outcome> {
    let project = Project::open(&args.project)?;
    let version = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
    let migration = if args.no_migration {
        SchemaMigration::ByHand
    } else {
        SchemaMigration::Write
    };
    let planned = scaffold::plan_scaffold(&project, &args.schema, &version, migration)?;
    let mut manifest = Manifest::load(&project.root)?;
    let plan = render::plan(&project.root, planned.files, &manifest)
        .map_err(|error| miette::miette!("cannot read the project's files: {error}"))?;
    if args.dry_run {
        print_planned(&plan, args.format);
        if args.format == OutputFormat::Human {
            for diff in plan
                .changes
                .iter()
                .filter_map(|change| change.diff.as_deref())
            {
                print!("{diff}");
            }
        }
        return Ok(Outcome::Success);
    }
    if plan.is_noop() {
        if args.format == OutputFormat::Human {
            println!(
                "Module `{}` is up to date: nothing to write.",
                planned.module.name.snake
            );
        } else {
            print_planned_result(&plan, args.format);
        }
        return Ok(Outcome::Success);
    }
    if !args.force {
        for conflict in plan.conflicts() {
            if let Some(diff) = &conflict.diff {
                eprint!("{diff}");
            }
        }
    }
    render::apply(&plan, &mut manifest, args.force)?;
    print_planned_result(&plan, args.format);
    if args.format == OutputFormat::Human {
        println!(
            "\nNext: apply the migration (`cargo run -- migrate`, or MIGRATE_ON_START=true) and run `cargo test`."
        );
    }
    Ok(Outcome::Success)
}

/// What the applied plan did to each file.
fn print_planned_result(plan: &render::Plan, format: OutputFormat) {
    match format {
        OutputFormat::Human => {
            for change in &plan.changes {
                if change.action != Action::Unchanged {
                    println!(
                        "  {:<9} {}",
                        change.action.label(),
                        change.file.path.display()
                    );
                }
            }
        }
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "root": plan.root,
                "dry_run": false,
                "files": plan.changes.iter().map(|change| serde_json::json!({
                    "path": change.file.path,
                    "action": change.action.label(),
                })).collect::<Vec<_>>(),
            }))
            .expect("a JSON value always serializes")
        ),
    }
}
