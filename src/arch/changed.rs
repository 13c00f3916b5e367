//! `--changed-since <git-ref>`: the files changed since a git ref (committed, staged or not,
//! and untracked files git does not ignore).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use miette::Diagnostic;

/// Git could not list the changed files.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ChangedError {
    #[error("`{reference}` is not a git ref")]
    #[diagnostic(
        code(axiomod::validate::bad_ref),
        help("pass a branch, tag or commit, e.g. --changed-since origin/main")
    )]
    BadReference { reference: String },

    #[error("cannot run git: {reason}")]
    #[diagnostic(
        code(axiomod::validate::git_missing),
        help("--changed-since needs git on the PATH")
    )]
    GitMissing { reason: std::io::Error },

    #[error("git {command} failed: {stderr}")]
    #[diagnostic(
        code(axiomod::validate::git_failed),
        help("run it in a git work tree, with a ref that exists (fetch it first in CI)")
    )]
    GitFailed { command: String, stderr: String },
}

/// The absolute paths of the files changed since `reference` in the repository of `root`.
pub fn changed_files(root: &Path, reference: &str) -> Result<HashSet<PathBuf>, ChangedError> {
    if reference.is_empty() || reference.starts_with('-') {
        return Err(ChangedError::BadReference {
            reference: reference.to_string(),
        });
    }
    let top = git(root, &["rev-parse", "--show-toplevel"])?;
    let top = PathBuf::from(top.trim());
    let top = top.canonicalize().unwrap_or(top);
    let verified = format!("{reference}^{{commit}}");
    git(root, &["rev-parse", "--verify", "--quiet", &verified]).map_err(|_| {
        ChangedError::BadReference {
            reference: reference.to_string(),
        }
    })?;
    let changed = git(
        root,
        &[
            "diff",
            "--name-only",
            "--no-relative",
            "-z",
            reference,
            "--",
        ],
    )?;
    let untracked = git(
        root,
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "--full-name",
            "-z",
        ],
    )?;
    Ok(changed
        .split('\0')
        .chain(untracked.split('\0'))
        .filter(|name| !name.is_empty())
        .map(|name| top.join(name))
        .collect())
}

fn git(directory: &Path, arguments: &[&str]) -> Result<String, ChangedError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(directory)
        .args(arguments)
        .output()
        .map_err(|reason| ChangedError::GitMissing { reason })?;
    if !output.status.success() {
        return Err(ChangedError::GitFailed {
            command: arguments.first().copied().unwrap_or_default().to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
