//! `axiomod generate module <name>`: an empty module (its four layers and a composition root
//! that mounts no routes yet), registered in the module registry and `axiomod.toml`.

use miette::Diagnostic;
use thiserror::Error;

use super::operations::OperationFiles;
use super::scaffold::{self, Project};
use crate::model::{Module, Name};
use crate::render::{RenderError, RenderedFile};

#[derive(Debug, Error, Diagnostic)]
pub enum ModuleError {
    #[error("`{name}` cannot be a module name: {reason}")]
    #[diagnostic(
        code(axiomod::generate::module_name),
        help("use a snake_case word that is not a Rust keyword, e.g. `billing`")
    )]
    InvalidName { name: String, reason: String },
    #[error("the module `{name}` already exists in {root}")]
    #[diagnostic(
        code(axiomod::generate::module_exists),
        help(
            "add entities to it with `axiomod generate entity <Name> --module {name}`, or pick another name"
        )
    )]
    Exists { name: String, root: String },
}

/// The files of the empty module `name` and its registration.
pub fn plan_module(project: &Project, name: &str) -> miette::Result<Vec<RenderedFile>> {
    let name = Name::module(name).map_err(|error| ModuleError::InvalidName {
        name: name.to_string(),
        reason: error.to_string(),
    })?;
    let folder = project.root.join("src/modules").join(&name.snake);
    if project.modules.contains(&name.snake) || folder.exists() {
        return Err(ModuleError::Exists {
            name: name.snake,
            root: project.root.display().to_string(),
        }
        .into());
    }
    let module = Module {
        name,
        entities: Vec::new(),
    };
    let mut files = code_layers(project, &module, OperationFiles::default())?;
    files.extend(scaffold::registration(
        project,
        std::slice::from_ref(&module.name.snake),
    )?);
    Ok(files)
}

/// The code layers of `module`, which has no entities, its mod.rs files declaring
/// `operations`.
pub(super) fn code_layers(
    project: &Project,
    module: &Module,
    operations: OperationFiles,
) -> Result<Vec<RenderedFile>, RenderError> {
    // Without entities there is nothing to migrate or test yet: only the code layers.
    Ok(
        scaffold::render_module(project, module, &[], "", operations)?
            .into_iter()
            .filter(|file| file.path.starts_with("src"))
            .collect(),
    )
}
