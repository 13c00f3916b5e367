//! Planning: decide, for every rendered file, what writing it would do, before anything is
//! written. A file a person edited since axiomod wrote it is a conflict, shown as a diff.

use std::path::{Path, PathBuf};

use similar::TextDiff;

use super::manifest::{Manifest, hash};
use super::templates::{Ownership, RenderedFile};

/// What applying a plan does to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The file does not exist yet.
    Create,
    /// axiomod wrote it, nobody edited it since, and the new contents differ.
    Update,
    /// The file already has these contents.
    Unchanged,
    /// A user-owned file that exists already: left alone.
    Keep,
    /// The file exists and was edited (or not written by axiomod): refused unless forced.
    Conflict,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Keep => "keep",
            Action::Conflict => "conflict",
        }
    }

    /// True when applying writes the file.
    pub fn writes(self, force: bool) -> bool {
        match self {
            Action::Create | Action::Update => true,
            Action::Conflict => force,
            Action::Unchanged | Action::Keep => false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Change {
    pub file: RenderedFile,
    pub action: Action,
    /// Unified diff from what is on disk to what would be written (updates and conflicts).
    pub diff: Option<String>,
}

/// Every change one command would make under `root`.
#[derive(Debug, Clone)]
pub struct Plan {
    pub root: PathBuf,
    pub changes: Vec<Change>,
}

impl Plan {
    pub fn conflicts(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|change| change.action == Action::Conflict)
    }

    /// True when applying would write nothing.
    pub fn is_noop(&self) -> bool {
        self.changes
            .iter()
            .all(|change| matches!(change.action, Action::Unchanged | Action::Keep))
    }
}

/// Compares `files` with the project at `root` and its manifest.
pub fn plan(root: &Path, files: Vec<RenderedFile>, manifest: &Manifest) -> std::io::Result<Plan> {
    let mut changes = Vec::with_capacity(files.len());
    for file in files {
        let on_disk = match std::fs::read(root.join(&file.path)) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(error),
        };
        let action = decide(&file, on_disk.as_deref(), manifest);
        let diff = match (action, &on_disk) {
            (Action::Update | Action::Conflict, Some(current)) => {
                Some(unified_diff(&file.path, current, &file.contents))
            }
            _ => None,
        };
        changes.push(Change { file, action, diff });
    }
    Ok(Plan {
        root: root.to_path_buf(),
        changes,
    })
}

fn decide(file: &RenderedFile, on_disk: Option<&[u8]>, manifest: &Manifest) -> Action {
    let Some(current) = on_disk else {
        return Action::Create;
    };
    if current == file.contents.as_bytes() {
        return Action::Unchanged;
    }
    match file.ownership {
        Ownership::UserOwned => return Action::Keep,
        Ownership::Merged => return Action::Update,
        Ownership::Generated => {}
    }
    let untouched_since_written = manifest.recorded(&file.path) == Some(hash(current).as_str());
    if untouched_since_written {
        Action::Update
    } else {
        Action::Conflict
    }
}

fn unified_diff(path: &Path, current: &[u8], new: &str) -> String {
    let current = String::from_utf8_lossy(current);
    let label = path.display().to_string();
    TextDiff::from_lines(current.as_ref(), new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{label}"), &format!("b/{label}"))
        .to_string()
}

/// A rendered file for tests of the renderer.
#[cfg(test)]
pub(super) fn test_file(path: &str, contents: &str, ownership: Ownership) -> RenderedFile {
    RenderedFile {
        path: PathBuf::from(path),
        contents: contents.to_string(),
        ownership,
    }
}

#[cfg(test)]
mod tests {
    use super::test_file as file;
    use super::*;

    #[test]
    fn decides_each_action() {
        let mut manifest = Manifest::default();
        manifest.record(Path::new("a.rs"), b"old");
        let generated = file("a.rs", "new", Ownership::Generated);
        assert_eq!(decide(&generated, None, &manifest), Action::Create);
        assert_eq!(
            decide(&generated, Some(b"new"), &manifest),
            Action::Unchanged
        );
        assert_eq!(decide(&generated, Some(b"old"), &manifest), Action::Update);
        assert_eq!(
            decide(&generated, Some(b"edited"), &manifest),
            Action::Conflict
        );
        let user_owned = file("a.rs", "new", Ownership::UserOwned);
        assert_eq!(
            decide(&user_owned, Some(b"edited"), &manifest),
            Action::Keep
        );
        let unknown = file("b.rs", "new", Ownership::Generated);
        assert_eq!(decide(&unknown, Some(b"mine"), &manifest), Action::Conflict);
    }

    #[test]
    fn conflicts_carry_a_unified_diff() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("a.rs"), "one\ntwo\n").unwrap();
        let planned = plan(
            root.path(),
            vec![file("a.rs", "one\nthree\n", Ownership::Generated)],
            &Manifest::default(),
        )
        .unwrap();
        let change = &planned.changes[0];
        assert_eq!(change.action, Action::Conflict);
        let diff = change.diff.as_deref().unwrap();
        assert!(diff.contains("--- a/a.rs"), "{diff}");
        assert!(diff.contains("-two\n+three"), "{diff}");
    }
}
