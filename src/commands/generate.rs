//! `axiomod generate <generator>`: code into an existing project.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::commands::plan_output::{OutputFormat, print_planned};
use crate::generate::scaffold::{self, Project};
use crate::outcome::Outcome;
use crate::render::{self, Action, Manifest};
use crate::{openapi, schema};

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
/// for every entity of a schema file, or for every resource of an OpenAPI spec.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod generate scaffold schemas/sales.toml
  axiomod generate scaffold sales.yaml --project services/shop --dry-run
  axiomod generate scaffold --openapi petstore.yaml --module pets --dry-run

The schema format is described in docs/schema-format.md, the OpenAPI front-end in
docs/openapi.md: each collection + item path pair over one object schema (/pets,
/pets/{id}) becomes an entity; whatever is not generated is listed as a warning with its
JSON pointer. Running the same command again changes nothing; files you edited are never
overwritten (the run stops with a diff) unless --force.")]
pub struct ScaffoldArgs {
    /// The entity schema (TOML or YAML).
    #[arg(required_unless_present = "openapi", conflicts_with = "openapi")]
    pub schema: Option<PathBuf>,
    /// An OpenAPI 3.0 or 3.1 spec (YAML or JSON) to scaffold instead of an entity schema.
    #[arg(long, value_name = "SPEC")]
    pub openapi: Option<PathBuf>,
    /// The module of the resources of the OpenAPI spec (default: the first tag of their
    /// operations, else the spec's title in snake_case).
    #[arg(long, requires = "openapi", value_name = "NAME")]
    pub module: Option<String>,
    /// The project folder (the one with axiomod.toml).
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
    /// Overwrite generated files you edited.
    #[arg(long)]
    pub force: bool,
    /// Print what would change, with diffs, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
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
    let planned = match (&args.openapi, &args.schema) {
        (Some(spec), _) => {
            let source = openapi_schema(spec, args.module.as_deref(), args.format)?;
            scaffold::plan_scaffold_source(&project, source, &version)?
        }
        (None, Some(schema)) => scaffold::plan_scaffold(&project, schema, &version)?,
        (None, None) => return Err(miette::miette!("give an entity schema or --openapi <spec>")),
    };
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

/// The entity schema of an OpenAPI spec's resources; prints the warnings (what is not
/// generated) on stderr, so stdout stays the plan.
fn openapi_schema(
    spec: &Path,
    module: Option<&str>,
    format: OutputFormat,
) -> miette::Result<scaffold::SchemaSource> {
    let translation = openapi::translate(spec, module)?;
    for warning in &translation.warnings {
        match format {
            OutputFormat::Human => eprintln!("warning: {}: {}", warning.pointer, warning.message),
            OutputFormat::Json => eprintln!(
                "{}",
                serde_json::to_string(warning).expect("a warning always serializes")
            ),
        }
    }
    let schema = translation
        .schema
        .ok_or_else(|| openapi::OpenApiError::NoResource {
            file: spec.display().to_string(),
        })?;
    Ok(scaffold::SchemaSource {
        file_name: format!("{} (as entity schema)", spec.display()),
        contents: schema.toml,
        format: schema::Format::Toml,
        extension: "toml".to_owned(),
    })
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
