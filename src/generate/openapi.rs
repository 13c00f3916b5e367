//! `axiomod generate scaffold --openapi`: the modules a spec is translated into, planned
//! together so that one run writes all of them or none. A module gets the scaffold of its
//! resources, or, with operations only, the code layers of `generate module`; both get the
//! operation files.

use std::path::Path;

use super::module::{self, ModuleError};
use super::operations::{OperationFiles, render_operations};
use super::scaffold::{self, ModuleSource, Project, ProjectNeeds, SchemaMigration};
use crate::model::{Module, Name};
use crate::openapi::{self, ModuleTranslation, OpenApiError, Translation};
use crate::render::RenderedFile;

/// Everything one `generate scaffold --openapi` run would write.
#[derive(Debug)]
pub struct OpenApiPlan {
    /// The modules it writes, in the order they are registered.
    pub modules: Vec<String>,
    pub files: Vec<RenderedFile>,
}

/// Plans every module of `translation` (of the spec at `spec`) into the project. A module
/// with operations only that was scaffolded before keeps its entities: its schema copy is
/// scaffolded again with the operations.
pub fn plan_openapi(
    project: &Project,
    spec: &Path,
    translation: &Translation,
    now_version: &str,
    migration: SchemaMigration,
) -> miette::Result<OpenApiPlan> {
    if translation.modules.is_empty() {
        return Err(OpenApiError::NothingToGenerate {
            file: spec.display().to_string(),
        }
        .into());
    }
    let previous = scaffold::load_previous_modules(project)?;
    let origin = openapi::schema_origin(spec);
    // Each module's migration gets its own version, in module order.
    let mut version = scaffold::next_migration_version(&project.root, now_version);
    let mut files = Vec::new();
    let mut needs = ProjectNeeds::default();
    for translated in &translation.modules {
        let operations = translated.operations.as_ref();
        let copy_text;
        let schema = match (
            &translated.schema,
            scaffold::schema_copy(project, &translated.module),
        ) {
            (Some(schema), _) => Some((schema.as_str(), origin.clone())),
            (None, Some(copy)) => {
                copy_text = scaffold::read_file(&copy)?;
                Some((copy_text.as_str(), copy))
            }
            (None, None) => None,
        };
        let (module, module_files) = match schema {
            Some((schema, origin)) => scaffold::module_files(
                project,
                &previous,
                ModuleSource {
                    schema,
                    origin: &origin,
                    version: &version,
                    migration,
                    operations,
                },
            )?,
            None => operations_only(project, translated)?,
        };
        files.extend(module_files);
        needs = needs.and(ProjectNeeds::of(&module, operations));
        version = following(&version);
    }
    let modules: Vec<String> = translation
        .modules
        .iter()
        .map(|translated| translated.module.clone())
        .collect();
    files.extend(scaffold::project_files(project, &modules, needs)?);
    files.sort_by(|left, right| left.path.cmp(&right.path));
    Ok(OpenApiPlan { modules, files })
}

/// A module with operations and no entities: the code layers and the operation files.
fn operations_only(
    project: &Project,
    translated: &ModuleTranslation,
) -> miette::Result<(Module, Vec<RenderedFile>)> {
    let name = Name::module(&translated.module).map_err(|error| ModuleError::InvalidName {
        name: translated.module.clone(),
        reason: error.to_string(),
    })?;
    let module = Module {
        name,
        entities: Vec::new(),
    };
    let operations = translated.operations.as_ref();
    let mut files = module::code_layers(
        project,
        &module,
        OperationFiles::of(project, &module.name.snake, operations),
    )?;
    if let Some(operations) = operations {
        files.extend(render_operations(&module.name, operations)?);
    }
    Ok((module, files))
}

/// The migration version after `version`.
fn following(version: &str) -> String {
    version
        .parse::<u64>()
        .map_or_else(|_| version.to_owned(), |number| (number + 1).to_string())
}
