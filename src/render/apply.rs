//! Applying a plan: nothing is written when it has conflicts (unless forced); every file is
//! written through a temporary file and a rename, and the manifest is updated last.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use super::manifest::{MANIFEST_PATH, Manifest};
use super::plan::{Action, Plan};

/// What [`apply`] wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplySummary {
    /// The project root the paths are relative to.
    pub root: PathBuf,
    pub written: Vec<PathBuf>,
}

#[derive(Debug, Error, Diagnostic)]
pub enum ApplyError {
    #[error("{count} file(s) were edited since axiomod wrote them: {paths}")]
    #[diagnostic(
        code(axiomod::apply::conflict),
        help(
            "nothing was written. Keep your edits (move them elsewhere) or rerun with --force to overwrite them"
        )
    )]
    Conflicts { count: usize, paths: String },
    #[error("cannot write {}: {error}", path.display())]
    #[diagnostic(
        code(axiomod::apply::write),
        help("check that the folder exists and is writable")
    )]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Writes `plan` and records what was written in the project's manifest.
pub fn apply(
    plan: &Plan,
    manifest: &mut Manifest,
    force: bool,
) -> Result<ApplySummary, ApplyError> {
    let conflicts: Vec<String> = plan
        .conflicts()
        .map(|change| change.file.path.display().to_string())
        .collect();
    if !conflicts.is_empty() && !force {
        return Err(ApplyError::Conflicts {
            count: conflicts.len(),
            paths: conflicts.join(", "),
        });
    }
    let mut summary = ApplySummary {
        root: plan.root.clone(),
        written: Vec::new(),
    };
    for change in &plan.changes {
        if change.action.writes(force) {
            write_atomically(
                &plan.root.join(&change.file.path),
                change.file.contents.as_bytes(),
            )?;
            summary.written.push(change.file.path.clone());
        }
        if change.action != Action::Keep {
            manifest.record(&change.file.path, change.file.contents.as_bytes());
        }
    }
    write_atomically(
        &plan.root.join(MANIFEST_PATH),
        manifest.to_text().as_bytes(),
    )?;
    Ok(summary)
}

/// Writes through a temporary sibling and a rename, so a reader never sees half a file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), ApplyError> {
    let fail = |error| ApplyError::Write {
        path: path.to_path_buf(),
        error,
    };
    let folder = path
        .parent()
        .expect("every planned path lies inside the project root");
    std::fs::create_dir_all(folder).map_err(fail)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".axiomod-");
    // Generated files are ordinary source files, not private temporaries (rw-------).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut temporary = builder.tempfile_in(folder).map_err(fail)?;
    std::io::Write::write_all(&mut temporary, contents).map_err(fail)?;
    temporary.persist(path).map_err(|error| fail(error.error))?;
    Ok(())
}

#[derive(Debug, Error, Diagnostic)]
pub enum NewTreeError {
    #[error("{} exists and is not a folder", path.display())]
    #[diagnostic(code(axiomod::new::target_is_file), help("choose another --path"))]
    TargetIsFile { path: PathBuf },
    #[error("{} exists and is not empty (it holds {entries})", path.display())]
    #[diagnostic(
        code(axiomod::new::target_not_empty),
        help(
            "choose another --path, or pass --force to write the project's files into it (no file is deleted; files of the same name are overwritten)"
        )
    )]
    TargetNotEmpty { path: PathBuf, entries: String },
    #[error("cannot create {}: {error}", path.display())]
    #[diagnostic(
        code(axiomod::new::unwritable),
        help(
            "check that the parent folder exists, is a folder and is writable; nothing was written"
        )
    )]
    Unwritable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Apply(#[from] ApplyError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Manifest(#[from] super::manifest::ManifestError),
}

/// Writes a whole new tree at `target`. When `target` is absent or empty, the files are first
/// written into a hidden staging folder beside it, which is then renamed into place, so a
/// failure leaves nothing behind. A non-empty `target` is refused unless `force`, in which
/// case the files are written into it (overwriting same-named files, deleting nothing).
pub fn write_new_tree(
    target: &Path,
    files: Vec<super::RenderedFile>,
    force: bool,
) -> Result<ApplySummary, NewTreeError> {
    let unwritable = |path: &Path, error| NewTreeError::Unwritable {
        path: path.to_path_buf(),
        error,
    };
    if target.exists() && !target.is_dir() {
        return Err(NewTreeError::TargetIsFile {
            path: target.to_path_buf(),
        });
    }
    let existing_entries = list_entries(target).map_err(|error| unwritable(target, error))?;
    if !existing_entries.is_empty() {
        if !force {
            return Err(NewTreeError::TargetNotEmpty {
                path: target.to_path_buf(),
                entries: existing_entries.join(", "),
            });
        }
        let mut manifest = Manifest::load(target)?;
        let plan =
            super::plan(target, files, &manifest).map_err(|error| unwritable(target, error))?;
        return Ok(apply(&plan, &mut manifest, true)?);
    }
    let parent = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|error| unwritable(&parent, error))?;
    let staging = tempfile::Builder::new()
        .prefix(".axiomod-new-")
        .tempdir_in(&parent)
        .map_err(|error| unwritable(&parent, error))?;
    let mut manifest = Manifest::default();
    let plan = super::plan(staging.path(), files, &manifest)
        .map_err(|error| unwritable(staging.path(), error))?;
    let mut summary = apply(&plan, &mut manifest, false)?;
    if target.is_dir() {
        std::fs::remove_dir(target).map_err(|error| unwritable(target, error))?;
    }
    std::fs::rename(staging.path(), target).map_err(|error| unwritable(target, error))?;
    // The staging folder now is the target: nothing left to clean up.
    let _ = staging.keep();
    summary.root = target.to_path_buf();
    Ok(summary)
}

/// Up to five entry names of `folder`; empty when it does not exist.
fn list_entries(folder: &Path) -> std::io::Result<Vec<String>> {
    match std::fs::read_dir(folder) {
        Ok(entries) => {
            let mut names = Vec::new();
            for entry in entries.take(5) {
                names.push(entry?.file_name().to_string_lossy().into_owned());
            }
            Ok(names)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(error),
    }
}
