//! `axiomod generate scaffold`: complete vertical slices (domain, application, infrastructure,
//! api, migration, tests) for every entity of a schema file, registered in the project.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use rayon::prelude::*;
use serde_json::{Value, json};
use thiserror::Error;
use toml_edit::DocumentMut;

use super::alter::{self, AlterError};
use super::operations::{OperationFiles, render_operations};
use crate::model::{Entity, EventKind, ExistingEntity, Field, FieldType, Module, ServiceModel};
use crate::openapi::Operations;
use crate::render::{self, Ownership, PathVariables, RenderError, RenderedFile};

/// Where a copy of each scaffolded schema is kept, relative to the project root: it is how a
/// later run knows the modules already generated (for refs, and to detect a changed schema).
pub const SCHEMAS_FOLDER: &str = ".axiomod/schemas";

#[derive(Debug, Error, Diagnostic)]
pub enum ScaffoldError {
    #[error("{} has no axiomod.toml", root.display())]
    #[diagnostic(
        code(axiomod::scaffold::not_a_project),
        help("run it inside a project made by `axiomod new`, or pass --project <folder>")
    )]
    NotAProject { root: PathBuf },
    #[error("{path} is not a valid axiomod.toml: {message}")]
    #[diagnostic(code(axiomod::scaffold::project_file))]
    ProjectFile { path: String, message: String },
    #[error("cannot read {path}: {message}")]
    #[diagnostic(code(axiomod::scaffold::read))]
    Read { path: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Alter(#[from] AlterError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Render(#[from] RenderError),
}

/// The project a scaffold is generated into, as `axiomod.toml` describes it.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub name: String,
    pub db: String,
    /// `none`, `nats` or `rabbitmq`.
    pub broker: String,
    /// Modules already registered, in order.
    pub modules: Vec<String>,
    document: DocumentMut,
}

impl Project {
    /// Reads `<root>/axiomod.toml`.
    pub fn open(root: &Path) -> Result<Self, ScaffoldError> {
        let path = root.join("axiomod.toml");
        let text = std::fs::read_to_string(&path).map_err(|_| ScaffoldError::NotAProject {
            root: root.to_path_buf(),
        })?;
        let invalid = |message: &str| ScaffoldError::ProjectFile {
            path: path.display().to_string(),
            message: message.to_string(),
        };
        let document: DocumentMut = text
            .parse()
            .map_err(|error: toml_edit::TomlError| invalid(&error.to_string()))?;
        let project = document
            .get("project")
            .and_then(|item| item.as_table_like())
            .ok_or_else(|| invalid("it has no [project] table"))?;
        let text_of = |key: &str| {
            project
                .get(key)
                .and_then(|item| item.as_str())
                .map(str::to_string)
                .ok_or_else(|| invalid(&format!("[project] has no `{key}` string")))
        };
        let name = text_of("name")?;
        let db = text_of("db")?;
        if db != "postgres" && db != "sqlite" {
            return Err(invalid("[project] db must be \"postgres\" or \"sqlite\""));
        }
        let broker = project
            .get("broker")
            .and_then(|item| item.as_str())
            .unwrap_or("none")
            .to_string();
        let modules = project
            .get("modules")
            .and_then(|item| item.as_array())
            .map(|array| {
                array
                    .iter()
                    .filter_map(|value| value.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            root: root.to_path_buf(),
            name,
            db,
            broker,
            modules,
            document,
        })
    }

    fn crate_name(&self) -> String {
        self.name.replace('-', "_")
    }

    /// `axiomod.toml` with `modules` in its modules list (comments and layout kept).
    fn with_modules(&self, modules: &[String]) -> String {
        let mut document = self.document.clone();
        let listed =
            document["project"]["modules"].or_insert(toml_edit::value(toml_edit::Array::new()));
        if let Some(array) = listed.as_array_mut() {
            for module in modules {
                if !array.iter().any(|value| value.as_str() == Some(module)) {
                    array.push(module.as_str());
                }
            }
        }
        document.to_string()
    }
}

/// Everything one `generate scaffold` run would write.
#[derive(Debug)]
pub struct ScaffoldPlan {
    pub module: Module,
    pub files: Vec<RenderedFile>,
}

/// Whether a changed schema of a module scaffolded before gets a generated migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaMigration {
    /// Write the ALTER migration of the change (refusing changes that are not safe).
    Write,
    /// The user migrates the change by hand: regenerate the code only.
    ByHand,
}

/// Loads the schema, checks it against the project and renders every file of the module.
/// A module scaffolded before keeps its migrations; a change of its schema gets a new one
/// unless `migration` is [`SchemaMigration::ByHand`].
pub fn plan_scaffold(
    project: &Project,
    schema_path: &Path,
    now_version: &str,
    migration: SchemaMigration,
) -> miette::Result<ScaffoldPlan> {
    let source = read_file(schema_path)?;
    plan_scaffold_source(project, &source, schema_path, now_version, migration, None)
}

/// [`plan_scaffold`] for schema text that is not in a file (yet): `origin` names it in
/// diagnostics and its extension gives the format. `operations` are the other operations of
/// an OpenAPI spec, generated in the same module.
pub fn plan_scaffold_source(
    project: &Project,
    schema_source: &str,
    origin: &Path,
    now_version: &str,
    migration: SchemaMigration,
    operations: Option<&Operations>,
) -> miette::Result<ScaffoldPlan> {
    let previous = load_previous_modules(project)?;
    let version = next_migration_version(&project.root, now_version);
    let (module, mut files) = module_files(
        project,
        &previous,
        ModuleSource {
            schema: schema_source,
            origin,
            version: &version,
            migration,
            operations,
        },
    )?;
    let needs = ProjectNeeds::of(&module, operations);
    files.extend(project_files(
        project,
        std::slice::from_ref(&module.name.snake),
        needs,
    )?);
    files.sort_by(|left, right| left.path.cmp(&right.path));
    Ok(ScaffoldPlan { module, files })
}

/// What one module is scaffolded from.
pub(super) struct ModuleSource<'a> {
    /// The entity schema's text; `origin` names it in diagnostics and its extension gives
    /// the format.
    pub schema: &'a str,
    pub origin: &'a Path,
    /// The version of a migration the module gets.
    pub version: &'a str,
    pub migration: SchemaMigration,
    /// The other operations of an OpenAPI spec, generated in the same module.
    pub operations: Option<&'a Operations>,
}

/// The files of one module scaffolded from its schema, `previous` being the modules
/// scaffolded before: its code, migrations and schema copy, without the project files that
/// register it ([`project_files`]).
pub(super) fn module_files(
    project: &Project,
    previous: &[(String, Module)],
    source: ModuleSource,
) -> miette::Result<(Module, Vec<RenderedFile>)> {
    let module = crate::schema::load_str(source.schema, source.origin, &entities_of(previous))?;
    let module_name = module.name.snake.clone();
    let extension = source
        .origin
        .extension()
        .map_or("toml".to_string(), |extension| {
            extension.to_string_lossy().to_lowercase()
        });
    let earlier = previous
        .iter()
        .find(|(name, _)| *name == module_name)
        .map(|(_, module)| module);
    let other_modules: Vec<&Module> = previous
        .iter()
        .filter(|(name, _)| *name != module_name)
        .map(|(_, module)| module)
        .collect();
    let operation_files = OperationFiles::of(project, &module_name, source.operations);
    let mut files = render_module(
        project,
        &module,
        &other_modules,
        source.version,
        operation_files,
    )?;
    if let Some(operations) = source.operations {
        files.extend(render_operations(&module.name, operations).map_err(ScaffoldError::from)?);
    }
    if let Some(earlier) = earlier {
        // The module's migrations were written before and may be applied: they stay as they
        // are, and a changed schema gets a new migration.
        files.retain(|file| !file.path.starts_with("migrations"));
        if source.migration == SchemaMigration::Write {
            files.extend(render_alter_migration(
                project,
                earlier,
                &module,
                source.version,
            )?);
        }
    }
    files.push(RenderedFile {
        path: PathBuf::from(format!("{SCHEMAS_FOLDER}/{module_name}.{extension}")),
        contents: source.schema.to_string(),
        ownership: Ownership::Generated,
    });
    Ok((module, files))
}

/// What generated modules need from the project's own files: crates besides those of
/// `axiomod new`, and the tables whose events the relay publishes.
#[derive(Debug, Clone, Default)]
pub(super) struct ProjectNeeds {
    /// `regex`, for `pattern` checks.
    pub regex: bool,
    /// `rust_decimal`, for decimal fields.
    pub decimal: bool,
    /// Tables with events: a NATS project's stream must capture `<table>.>`.
    pub event_tables: Vec<String>,
}

impl ProjectNeeds {
    /// What the code of `module` and its `operations` needs.
    pub fn of(module: &Module, operations: Option<&Operations>) -> Self {
        let fields = || {
            module
                .entities
                .iter()
                .flat_map(|entity| entity.fields.iter())
        };
        Self {
            regex: operations.is_some_and(|operations| !operations.patterns.is_empty())
                || fields().any(|field| field.constraints.pattern.is_some()),
            decimal: fields().any(|field| matches!(field.kind, FieldType::Decimal)),
            event_tables: module
                .entities
                .iter()
                .filter(|entity| !entity.events.is_empty())
                .map(|entity| entity.table.name.clone())
                .collect(),
        }
    }

    /// What both need.
    pub fn and(mut self, other: Self) -> Self {
        self.regex |= other.regex;
        self.decimal |= other.decimal;
        self.event_tables.extend(other.event_tables);
        self
    }
}

/// The project files that register `modules` and give them what they `needs`: the module
/// registry, `axiomod.toml`, `Cargo.toml` and (NATS) `config/default.toml`.
pub(super) fn project_files(
    project: &Project,
    modules: &[String],
    needs: ProjectNeeds,
) -> miette::Result<Vec<RenderedFile>> {
    let mut files = registration(project, modules)?;
    files.push(merged(
        "Cargo.toml",
        cargo_manifest_with_dependencies(project, &needs)?,
    ));
    if let Some(config) = config_with_stream_subjects(project, &needs.event_tables)? {
        files.push(merged(SERVICE_CONFIG, config));
    }
    Ok(files)
}

/// The files that register `modules` in the project: the module registry, rewritten from
/// the modules list, and `axiomod.toml` with the modules in that list.
pub(super) fn registration(
    project: &Project,
    modules: &[String],
) -> Result<Vec<RenderedFile>, RenderError> {
    let mut registered = project.modules.clone();
    for module in modules {
        if !registered.contains(module) {
            registered.push(module.clone());
        }
    }
    let mut registry_context = tera::Context::new();
    registry_context.insert("modules", &registered);
    Ok(vec![
        render::render_template(
            "new/src/modules/mod.rs.tera",
            "src/modules/mod.rs",
            &registry_context,
        )?,
        merged("axiomod.toml", project.with_modules(modules)),
    ])
}

fn merged(path: &str, contents: String) -> RenderedFile {
    RenderedFile {
        path: PathBuf::from(path),
        contents,
        ownership: Ownership::Merged,
    }
}

/// The modules scaffolded before, from the schema copies, in the order of `axiomod.toml`.
pub(super) fn load_previous_modules(project: &Project) -> miette::Result<Vec<(String, Module)>> {
    let mut loaded: Vec<(String, Module)> = Vec::new();
    for name in &project.modules {
        let Some(path) = schema_copy(project, name) else {
            continue;
        };
        let module = crate::schema::load(&path, &entities_of(&loaded))?;
        loaded.push((name.clone(), module));
    }
    Ok(loaded)
}

/// The schema copy of `module`, when it was scaffolded before.
pub(super) fn schema_copy(project: &Project, module: &str) -> Option<PathBuf> {
    ["toml", "yaml", "yml"]
        .iter()
        .map(|extension| {
            project
                .root
                .join(SCHEMAS_FOLDER)
                .join(format!("{module}.{extension}"))
        })
        .find(|path| path.is_file())
}

/// Every entity of `modules`, for resolving references into them.
fn entities_of(modules: &[(String, Module)]) -> Vec<ExistingEntity> {
    let model = ServiceModel {
        modules: modules.iter().map(|(_, module)| module.clone()).collect(),
    };
    ExistingEntity::all_of(&model)
}

/// `now_version`, or one past the newest migration when that is not older: versions must be
/// unique and increasing even when two commands run within the same second.
pub(super) fn next_migration_version(root: &Path, now_version: &str) -> String {
    let newest = std::fs::read_dir(root.join("migrations"))
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.split('_').next()?.parse::<u64>().ok()
        })
        .max();
    match (now_version.parse::<u64>(), newest) {
        (Ok(now), Some(newest)) if newest >= now => (newest + 1).to_string(),
        _ => now_version.to_string(),
    }
}

/// The migration that takes the tables of `earlier` to those of `module`, or nothing when
/// no table changes (events, patterns and other code-only changes).
fn render_alter_migration(
    project: &Project,
    earlier: &Module,
    module: &Module,
    version: &str,
) -> miette::Result<Vec<RenderedFile>> {
    let ordered = entities_in_reference_order(module);
    let up =
        alter::plan_changes(earlier, module, &ordered, &project.db).map_err(ScaffoldError::from)?;
    if up.is_empty() {
        return Ok(Vec::new());
    }
    let mut context = tera::Context::new();
    context.insert("project", &json!({ "db": project.db }));
    context.insert("module", module);
    context.insert("down", &alter::reverted(&up));
    context.insert("up", &up);
    let variables: &PathVariables = &[("__module__", &module.name.snake), ("__version__", version)];
    let files = render::render_generator("scaffold/alter", &context, variables)
        .map_err(ScaffoldError::from)?;
    Ok(files)
}

/// Renders the module-level and per-entity templates (unformatted, as every generator's
/// files: `generate` formats all the Rust of a run at once).
pub(super) fn render_module(
    project: &Project,
    module: &Module,
    other_modules: &[&Module],
    version: &str,
    operations: OperationFiles,
) -> Result<Vec<RenderedFile>, RenderError> {
    let project_value = json!({
        "name": project.name,
        "crate_name": project.crate_name(),
        "db": project.db,
        "broker": project.broker,
    });
    let ordered = entities_in_reference_order(module);
    let ordered_module = Module {
        name: module.name.clone(),
        entities: ordered,
    };
    let mut context = tera::Context::new();
    context.insert("project", &project_value);
    context.insert("module", &ordered_module);
    context.insert("fixture_entities", &fixture_entities(module, other_modules));
    context.insert("operations", &operations);
    let mut patch_fields = BTreeMap::new();
    let mut filter_fields = BTreeMap::new();
    let mut probe_fields = BTreeMap::new();
    for entity in &module.entities {
        let key = entity.name.snake.clone();
        let plain: Vec<&Field> = entity
            .fields
            .iter()
            .filter(|field| !matches!(field.kind, FieldType::Ref(_)))
            .collect();
        patch_fields.insert(key.clone(), plain.first().map(|field| json!(field)));
        filter_fields.insert(
            key.clone(),
            plain
                .iter()
                .find(|field| field.scalar)
                .map(|field| json!(field)),
        );
        probe_fields.insert(
            key,
            entity
                .fields
                .iter()
                .find(|field| !matches!(field.kind, FieldType::Json))
                .map(|field| field.name.snake.clone()),
        );
    }
    context.insert("patch_fields", &patch_fields);
    context.insert("filter_fields", &filter_fields);
    context.insert("probe_fields", &probe_fields);
    let module_variables: &PathVariables =
        &[("__module__", &module.name.snake), ("__version__", version)];
    // Each entity's files see only the module's name: cloning the whole module context for
    // every entity made large schemas quadratic (400 entities took minutes).
    let mut entity_base = tera::Context::new();
    entity_base.insert("project", &project_value);
    entity_base.insert("module", &json!({ "name": module.name }));
    // The module's files and each entity's render in parallel: tera's engine is shared
    // read-only, and rendering is most of a large schema's time before rustfmt.
    let (module_files, per_entity) = rayon::join(
        || render::render_generator("scaffold/module", &context, module_variables),
        || {
            module
                .entities
                .par_iter()
                .map(|entity| render_entity(project, module, entity, &entity_base))
                .collect::<Result<Vec<Vec<RenderedFile>>, _>>()
        },
    );
    let mut files = module_files?;
    files.extend(per_entity?.into_iter().flatten());
    Ok(files)
}

/// The files of one entity, from the module's base context.
fn render_entity(
    project: &Project,
    module: &Module,
    entity: &Entity,
    entity_base: &tera::Context,
) -> Result<Vec<RenderedFile>, RenderError> {
    let mut entity_context = entity_base.clone();
    entity_context.insert("entity", entity);
    // A list in the context, not a `{% set %}` of a filter: tera clones the current item of a
    // loop over a value it computed on every field lookup, which made this list costly.
    let sortable_fields: Vec<&Field> = entity.fields.iter().filter(|field| field.scalar).collect();
    entity_context.insert("sortable_fields", &sortable_fields);
    entity_context.insert("emits", &emits(entity));
    entity_context.insert("checked_fields", &checked_fields(entity));
    entity_context.insert(
        "parses_text",
        &entity.fields.iter().any(|field| {
            matches!(field.kind, FieldType::Enum(_))
                || (project.db == "sqlite" && matches!(field.kind, FieldType::Decimal))
        }),
    );
    entity_context.insert(
        "has_pattern",
        &entity
            .fields
            .iter()
            .any(|field| field.constraints.pattern.is_some()),
    );
    let variables: &PathVariables = &[
        ("__module__", &module.name.snake),
        ("__entity__", &entity.name.snake),
    ];
    render::render_generator("scaffold/entity", &entity_context, variables)
}

fn emits(entity: &Entity) -> Value {
    let has = |kind: EventKind| entity.events.iter().any(|event| event.kind == kind);
    json!({
        "created": has(EventKind::Created),
        "updated": has(EventKind::Updated),
        "deleted": has(EventKind::Deleted),
    })
}

/// Fields whose values the domain checks (length, pattern, format, bounds).
fn checked_fields(entity: &Entity) -> Vec<String> {
    entity
        .fields
        .iter()
        .filter(|field| {
            let constraints = &field.constraints;
            constraints.min.is_some()
                || constraints.max.is_some()
                || constraints.min_length.is_some()
                || constraints.max_length.is_some()
                || constraints.pattern.is_some()
                || constraints.format.is_some()
        })
        .map(|field| field.name.snake.clone())
        .collect()
}

/// The module's entities with every entity they reference coming before them, so tables are
/// created after the tables they refer to.
fn entities_in_reference_order(module: &Module) -> Vec<Entity> {
    let mut ordered: Vec<Entity> = Vec::new();
    let mut remaining: Vec<&Entity> = module.entities.iter().collect();
    while !remaining.is_empty() {
        let ready = remaining.iter().position(|entity| {
            entity.fields.iter().all(|field| match &field.kind {
                FieldType::Ref(target) if target.module.snake == module.name.snake => {
                    target.entity.pascal == entity.name.pascal
                        || ordered
                            .iter()
                            .any(|done| done.name.pascal == target.entity.pascal)
                }
                _ => true,
            })
        });
        // Optional references may form a cycle; the rest are kept in schema order.
        let index = ready.unwrap_or(0);
        ordered.push(remaining.remove(index).clone());
    }
    ordered
}

/// The entities tests must be able to create: the module's, and those of other modules that
/// its required references reach.
fn fixture_entities(module: &Module, other_modules: &[&Module]) -> Vec<Entity> {
    let mut entities: Vec<Entity> = module.entities.clone();
    let mut index = 0;
    while index < entities.len() {
        let targets: Vec<(String, String)> = entities[index]
            .fields
            .iter()
            .filter(|field| !field.optional)
            .filter_map(|field| match &field.kind {
                FieldType::Ref(target) => {
                    Some((target.module.snake.clone(), target.entity.pascal.clone()))
                }
                _ => None,
            })
            .collect();
        for (target_module, target_entity) in targets {
            let already = entities
                .iter()
                .any(|entity| entity.name.pascal == target_entity);
            if already {
                continue;
            }
            if let Some(found) = other_modules
                .iter()
                .filter(|candidate| candidate.name.snake == target_module)
                .flat_map(|candidate| candidate.entities.iter())
                .find(|entity| entity.name.pascal == target_entity)
            {
                entities.push(found.clone());
            }
        }
        index += 1;
    }
    entities
}

/// The text of the file at `path`; a failure names the file.
pub(super) fn read_file(path: &Path) -> Result<String, ScaffoldError> {
    std::fs::read_to_string(path).map_err(|error| ScaffoldError::Read {
        path: path.display().to_string(),
        message: error.to_string(),
    })
}

/// A TOML file of the project as a document to edit, comments and layout kept.
fn read_toml(path: &Path) -> Result<DocumentMut, ScaffoldError> {
    read_file(path)?
        .parse()
        .map_err(|error: toml_edit::TomlError| ScaffoldError::ProjectFile {
            path: path.display().to_string(),
            message: error.to_string(),
        })
}

/// `Cargo.toml` with the crates the generated code needs (regex for patterns, rust_decimal
/// for decimals), everything else as the user left it.
fn cargo_manifest_with_dependencies(
    project: &Project,
    needs: &ProjectNeeds,
) -> Result<String, ScaffoldError> {
    let mut document = read_toml(&project.root.join("Cargo.toml"))?;
    let dependencies = document["dependencies"].or_insert(toml_edit::table());
    if needs.regex && dependencies.get("regex").is_none() {
        dependencies["regex"] = toml_edit::value("1");
    }
    if needs.decimal && dependencies.get("rust_decimal").is_none() {
        dependencies["rust_decimal"] = toml_edit::value("1");
    }
    if needs.decimal
        && project.db == "postgres"
        && let Some(features) = dependencies
            .get_mut("sqlx")
            .and_then(|sqlx| sqlx.as_inline_table_mut())
            .and_then(|sqlx| sqlx.get_mut("features"))
            .and_then(|features| features.as_array_mut())
        && !features
            .iter()
            .any(|feature| feature.as_str() == Some("rust_decimal"))
    {
        features.push("rust_decimal");
    }
    Ok(document.to_string())
}

/// The generated service's configuration file, where the relay's NATS stream subjects live.
const SERVICE_CONFIG: &str = "config/default.toml";

/// For a NATS project, `config/default.toml` with `relay.stream_subjects` listing `<table>.>`
/// for each of `event_tables`, so the relay makes (or extends) a stream that captures their
/// events; everything else as the user left it. `None` for other brokers, or when the project
/// has no such file (its settings then come from elsewhere).
fn config_with_stream_subjects(
    project: &Project,
    event_tables: &[String],
) -> Result<Option<String>, ScaffoldError> {
    let path = project.root.join(SERVICE_CONFIG);
    if project.broker != "nats" || !path.is_file() {
        return Ok(None);
    }
    let mut document = read_toml(&path)?;
    let invalid = |message: String| ScaffoldError::ProjectFile {
        path: path.display().to_string(),
        message,
    };
    let relay = document["relay"]
        .or_insert(toml_edit::table())
        .as_table_like_mut()
        .ok_or_else(|| invalid("`relay` is not a table".to_string()))?;
    if relay.get("stream_subjects").is_none() {
        relay.insert("stream_subjects", toml_edit::value(toml_edit::Array::new()));
        if let Some(mut key) = relay.key_mut("stream_subjects") {
            key.leaf_decor_mut().set_prefix(
                "# NATS: the subjects of the events stream, which the relay creates or extends\n\
                 # (one `<table>.>` per table, added by `axiomod generate scaffold`).\n",
            );
        }
    }
    let subjects = relay
        .get_mut("stream_subjects")
        .and_then(|subjects| subjects.as_array_mut())
        .ok_or_else(|| invalid("`relay.stream_subjects` is not a list of subjects".to_string()))?;
    for table in event_tables {
        let subject = format!("{table}.>");
        if !subjects
            .iter()
            .any(|listed| listed.as_str() == Some(&subject))
        {
            subjects.push(subject);
        }
    }
    Ok(Some(document.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_versions_always_increase() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(
            next_migration_version(root.path(), "20260101000000"),
            "20260101000000"
        );
        std::fs::create_dir(root.path().join("migrations")).unwrap();
        std::fs::write(root.path().join("migrations/20260101000000_a.up.sql"), "").unwrap();
        assert_eq!(
            next_migration_version(root.path(), "20260101000000"),
            "20260101000001"
        );
        assert_eq!(
            next_migration_version(root.path(), "20260101000005"),
            "20260101000005"
        );
    }
}
