//! `axiomod generate <generator>`: code into an existing project.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::commands::plan_output::{OutputFormat, print_planned};
use crate::generate::{
    self,
    handler::{HandlerRequest, Method},
    scaffold::{self, Project, SchemaMigration},
};
use crate::openapi;
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
    Module(ModuleArgs),
    Entity(EntityArgs),
    Migration(MigrationArgs),
    Handler(HandlerArgs),
}

impl Generator {
    pub fn write_options(&self) -> &WriteOptions {
        match self {
            Generator::Scaffold(args) => &args.write,
            Generator::Module(args) => &args.write,
            Generator::Entity(args) => &args.write,
            Generator::Migration(args) => &args.write,
            Generator::Handler(args) => &args.write,
        }
    }
}

/// Where and how a generator writes, shared by every generator.
#[derive(Debug, Args)]
pub struct WriteOptions {
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

/// Generate complete slices (entity, use cases, sqlx repository, HTTP API, migration, tests)
/// for every entity of a schema file, or for every resource of an OpenAPI spec.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod generate scaffold schemas/sales.toml
  axiomod generate scaffold sales.yaml --project services/shop --dry-run
  axiomod generate scaffold --openapi petstore.yaml --module pets --dry-run

The schema format is described in docs/schema-format.md, the OpenAPI front-end in
docs/openapi.md: each collection + item path pair over one object schema (/pets,
/pets/{id}) becomes an entity, every other operation a handler and a service method, each
in the module of its first tag; whatever is not generated is listed as a warning with its
JSON pointer. Running the same command again changes nothing; files you edited are never
overwritten (the run stops with a diff) unless --force.")]
pub struct ScaffoldArgs {
    /// The entity schema (TOML or YAML).
    #[arg(required_unless_present = "openapi", conflicts_with = "openapi")]
    pub schema: Option<PathBuf>,
    /// An OpenAPI 3.0 or 3.1 spec (YAML or JSON) to scaffold instead of an entity schema.
    #[arg(long, value_name = "SPEC")]
    pub openapi: Option<PathBuf>,
    /// The one module of everything in the OpenAPI spec (default: each resource and
    /// operation in the module of its first tag, untagged ones in the resources' first tag,
    /// else the spec's title; snake_case).
    #[arg(long, requires = "openapi", value_name = "NAME")]
    pub module: Option<String>,
    #[command(flatten)]
    pub write: WriteOptions,
    /// For a changed schema: write no ALTER migration, only regenerate the code (you
    /// migrate the change yourself, e.g. with `axiomod migrate create`).
    #[arg(long)]
    pub no_migration: bool,
}

/// Generate an empty module registered in the project, ready for entities.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod generate module billing
  axiomod generate module billing --project services/shop --dry-run

Writes src/modules/<name>/ (mod.rs with the module's routes, and the domain, application,
infrastructure and api layers), lists it in src/modules/mod.rs and axiomod.toml. Add entities
with `axiomod generate entity <Name> --module <name>` or `axiomod generate scaffold`.")]
pub struct ModuleArgs {
    /// The module name, in snake_case, e.g. `billing`.
    pub name: String,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// Generate an entity into a module: its complete slice and the migration of its table.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod generate entity Invoice --module billing number:string:unique total:decimal due:date:optional
  axiomod generate entity Note --module billing body:text --dry-run

Fields are name:type[:optional][:unique][:indexed] with the types string, text, bool, i32,
i64, f64, decimal, uuid, date, datetime and json. The entity is added to the module's schema
copy (.axiomod/schemas/<module>.toml), which `axiomod generate scaffold` reads too; edit a
copy of it for enums, references, defaults and constraints. A module that has tables already
gets a new migration; migrations written before are never edited.")]
pub struct EntityArgs {
    /// The entity name, in PascalCase, e.g. `Invoice`.
    pub name: String,
    /// The module to add it to (see `axiomod generate module`).
    #[arg(long)]
    pub module: String,
    /// Its fields, each name:type[:modifier]..., e.g. `title:string:unique`.
    #[arg(required = true, value_name = "FIELD")]
    pub fields: Vec<String>,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// Generate an empty reversible migration in the project's migrations folder.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod generate migration backfill_order_totals
  axiomod generate migration \"add search index\" --project services/shop --dry-run

Writes migrations/<version>_<name>.up.sql and .down.sql (numbered like `axiomod migrate
create`), yours to fill in; apply them with `<service> migrate`.")]
pub struct MigrationArgs {
    /// What the migration does, e.g. `backfill_order_totals`; becomes part of the file names.
    pub name: String,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// Generate an HTTP handler in a module's API, served and documented in /openapi.json.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod generate handler health_report --module billing
  axiomod generate handler publish --module billing --method post --path /api/v1/invoices/{id}/publish

Writes src/modules/<module>/api/<name>.rs: an axum handler with its #[utoipa::path] docs that
answers 200 with JSON {\"handler\": \"<name>\"} plus each path parameter, for you to edit. It is routed in src/modules/<module>/api/custom.rs; both files are yours and
`axiomod generate scaffold` never overwrites them. The default path is
/api/v1/<module>/<name> (kebab-case).")]
pub struct HandlerArgs {
    /// The handler name, in snake_case, e.g. `publish_invoice`; also its function name.
    pub name: String,
    /// The module whose API serves it.
    #[arg(long)]
    pub module: String,
    /// The HTTP method it answers.
    #[arg(long, value_enum, default_value_t = Method::Get)]
    pub method: Method,
    /// The route, starting with `/`, parameters in braces: `/api/v1/invoices/{id}/publish`.
    #[arg(long)]
    pub path: Option<String>,
    #[command(flatten)]
    pub write: WriteOptions,
}

pub fn exec(args: GenerateArgs) -> miette::Result<Outcome> {
    match args.generator {
        Generator::Scaffold(args) => scaffold(args),
        Generator::Module(args) => module(args),
        Generator::Entity(args) => entity(args),
        Generator::Migration(args) => migration(args),
        Generator::Handler(args) => handler(args),
    }
}

fn entity(args: EntityArgs) -> miette::Result<Outcome> {
    let project = Project::open(&args.write.project)?;
    let version = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
    let planned =
        generate::entity::plan_entity(&project, &args.module, &args.name, &args.fields, &version)?;
    write(
        &project,
        planned.files,
        &args.write,
        "Nothing to write.",
        "Next: apply the migration (`cargo run -- migrate`, or MIGRATE_ON_START=true) and run `cargo test`.",
    )
}

fn handler(args: HandlerArgs) -> miette::Result<Outcome> {
    let project = Project::open(&args.write.project)?;
    let request = HandlerRequest {
        name: &args.name,
        module: &args.module,
        method: args.method,
        path: args.path.as_deref(),
    };
    let files = generate::handler::plan_handler(&project, &request)?;
    write(
        &project,
        files,
        &args.write,
        "Nothing to write.",
        "Next: edit the handler, then `cargo test`; it is listed in /openapi.json.",
    )
}

fn module(args: ModuleArgs) -> miette::Result<Outcome> {
    let project = Project::open(&args.write.project)?;
    let files = generate::module::plan_module(&project, &args.name)?;
    write(
        &project,
        files,
        &args.write,
        "Nothing to write.",
        "Next: add entities (`axiomod generate entity <Name> --module <module> <field:type>...`).",
    )
}

fn scaffold(args: ScaffoldArgs) -> miette::Result<Outcome> {
    let project = Project::open(&args.write.project)?;
    let version = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
    let migration = if args.no_migration {
        SchemaMigration::ByHand
    } else {
        SchemaMigration::Write
    };
    let (modules, files) = match (&args.openapi, &args.schema) {
        (Some(spec), _) => {
            let translation = openapi::translate(spec, args.module.as_deref())?;
            print_warnings(&translation.warnings, args.write.format);
            let planned =
                generate::openapi::plan_openapi(&project, spec, &translation, &version, migration)?;
            (planned.modules, planned.files)
        }
        (None, Some(schema)) => {
            let planned = scaffold::plan_scaffold(&project, schema, &version, migration)?;
            (vec![planned.module.name.snake], planned.files)
        }
        (None, None) => return Err(miette::miette!("give an entity schema or --openapi <spec>")),
    };
    let next = if files.iter().any(|file| file.path.starts_with("migrations")) {
        "Next: apply the migration (`cargo run -- migrate`, or MIGRATE_ON_START=true) and run `cargo test`."
    } else if files
        .iter()
        .any(|file| file.path.ends_with("application/operations_impl.rs"))
    {
        "Next: implement the operations in application/operations_impl.rs (they answer 501 until then) and run `cargo test`."
    } else {
        "Next: run `cargo test`."
    };
    write(&project, files, &args.write, &up_to_date(&modules), next)
}

/// `Module `a` is up to date…`, or `Modules `a`, `b` are up to date…`.
fn up_to_date(modules: &[String]) -> String {
    let names: Vec<String> = modules.iter().map(|name| format!("`{name}`")).collect();
    match names.as_slice() {
        [one] => format!("Module {one} is up to date: nothing to write."),
        _ => format!(
            "Modules {} are up to date: nothing to write.",
            names.join(", ")
        ),
    }
}

fn migration(args: MigrationArgs) -> miette::Result<Outcome> {
    let project = Project::open(&args.write.project)?;
    let files = generate::migration::plan_migration(&project, &args.name, chrono::Utc::now())?;
    write(
        &project,
        files,
        &args.write,
        "Nothing to write.",
        "Next: write the SQL of both files, then apply it (`cargo run -- migrate`).",
    )
}

/// Formats the Rust among `files` (on --dry-run only the files on disk), plans them into the
/// project and writes them (or prints the plan on --dry-run); an edited generated file stops
/// the run with its diff unless --force. `next` is the hint printed after a human-readable
/// write.
fn write(
    project: &Project,
    mut files: Vec<render::RenderedFile>,
    options: &WriteOptions,
    up_to_date: &str,
    next: &str,
) -> miette::Result<Outcome> {
    let mut manifest = Manifest::load(&project.root)?;
    // Every generator renders unformatted; all the Rust of a run is formatted here, at once.
    // A dry run formats only the files already on disk: a file that does not exist yet is
    // created whatever its contents, so only existing files need their final text to be
    // compared (and diffed). With 400 entities that skips rustfmt on ~1,600 files.
    if options.dry_run {
        render::format_rust_files(
            files
                .iter_mut()
                .filter(|file| project.root.join(&file.path).exists()),
        );
    } else {
        render::format_rust_files(&mut files);
    }
    let plan = render::plan(&project.root, files, &manifest)
        .map_err(|error| miette::miette!("cannot read the project's files: {error}"))?;
    if options.dry_run {
        print_planned(&plan, options.format);
        if options.format == OutputFormat::Human {
            for diff in plan
                .changes
                .iter()
                .filter_map(|change| change.diff.as_deref())
            {
                super::write_stdout(diff.as_bytes());
            }
        }
        return Ok(Outcome::Success);
    }
    if plan.is_noop() {
        if options.format == OutputFormat::Human {
            out!("{up_to_date}");
        } else {
            print_planned_result(&plan, options.format);
        }
        return Ok(Outcome::Success);
    }
    if !options.force {
        for conflict in plan.conflicts() {
            if let Some(diff) = &conflict.diff {
                super::write_stderr(diff.as_bytes());
            }
        }
    }
    render::apply(&plan, &mut manifest, options.force)?;
    print_planned_result(&plan, options.format);
    if options.format == OutputFormat::Human {
        out!("\n{next}");
    }
    Ok(Outcome::Success)
}

/// What the applied plan did to each file.
fn print_planned_result(plan: &render::Plan, format: OutputFormat) {
    match format {
        OutputFormat::Human => {
            for change in &plan.changes {
                if change.action != Action::Unchanged {
                    out!(
                        "  {:<9} {}",
                        change.action.label(),
                        change.file.path.display()
                    );
                }
            }
        }
        OutputFormat::Json => out!(
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

/// Prints what of the spec is not generated on stderr, so stdout stays the plan: every
/// warning as a JSON line, or for people, each kind of warning with its first few examples
/// when a large spec raises it many times.
fn print_warnings(warnings: &[openapi::Warning], format: OutputFormat) {
    match format {
        OutputFormat::Json => {
            for warning in warnings {
                errln!(
                    "{}",
                    serde_json::to_string(warning).expect("a warning always serializes")
                );
            }
        }
        OutputFormat::Human => {
            for line in openapi::summarise(warnings) {
                match line {
                    openapi::Summarised::Warning(warning) => {
                        errln!("warning: {}: {}", warning.place(), warning.message);
                    }
                    openapi::Summarised::More(count) => errln!(
                        "warning: ... and {count} more of this kind (`--format json` lists every warning)"
                    ),
                }
            }
        }
    }
}
