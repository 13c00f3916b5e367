//! `axiomod generate migration <name>`: an empty reversible migration in the project's
//! `migrations/` folder, numbered and named by the migrate engine's `create`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use miette::Diagnostic;
use thiserror::Error;

use super::scaffold::Project;
use crate::migrate::create::{self, Layout};
use crate::migrate::source::read_directory;
use crate::render::{Ownership, RenderedFile};

#[derive(Debug, Error, Diagnostic)]
pub enum MigrationError {
    #[error("a migration named `{name}` already exists: {}", path.display())]
    #[diagnostic(
        code(axiomod::generate::migration_exists),
        help("pick another name, or edit that migration if it was not applied yet")
    )]
    Exists { name: String, path: PathBuf },
}

/// The up and down files of a new migration `name`, as paths relative to the project root.
/// They belong to the user from the start: later runs never touch them.
pub fn plan_migration(
    project: &Project,
    name: &str,
    now: DateTime<Utc>,
) -> miette::Result<Vec<RenderedFile>> {
    let directory = project.root.join("migrations");
    let set = read_directory(&directory)?;
    let description = name.trim().replace('_', " ");
    if let Some(existing) = set
        .forward
        .iter()
        .find(|migration| migration.description == description)
    {
        return Err(MigrationError::Exists {
            name: name.trim().to_string(),
            path: existing.path.clone(),
        }
        .into());
    }
    let files = create::plan_create(&set, name, Some(Layout::Reversible), None, now)?;
    Ok(files
        .into_iter()
        .map(|file| RenderedFile {
            path: file
                .path
                .strip_prefix(&project.root)
                .map(|relative| relative.to_path_buf())
                .unwrap_or(file.path),
            contents: file.contents,
            ownership: Ownership::UserOwned,
        })
        .collect())
}
