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

/// Refuses a `target` that [`write_new_tree`] would refuse: a file, or a non-empty folder
/// unless `force`. A dry run calls it so its preview holds for the real run.
pub fn check_new_target(target: &Path, force: bool) -> Result<(), NewTreeError> {
    if target.exists() && !target.is_dir() {
        return Err(NewTreeError::TargetIsFile {
            path: target.to_path_buf(),
        });
    }
    let existing_entries = list_entries(target).map_err(|error| NewTreeError::Unwritable {
        path: target.to_path_buf(),
        error,
    })?;
    if !existing_entries.is_empty() && !force {
        return Err(NewTreeError::TargetNotEmpty {
            path: target.to_path_buf(),
            entries: describe_entries(&existing_entries),
        });
    }
    Ok(())
}

/// What [`write_new_tree`] would do at `target`, refusing what it would refuse: a preview
/// for `--dry-run`, with the same action for each file (with `force`, a file of the user's
/// that would be overwritten shows as a conflict).
pub fn plan_new_tree(
    target: &Path,
    files: Vec<super::RenderedFile>,
    force: bool,
) -> Result<Plan, NewTreeError> {
    check_new_target(target, force)?;
    let manifest = if target.is_dir() {
        Manifest::load(target)?
    } else {
        Manifest::default()
    };
    super::plan(target, files, &manifest).map_err(|error| NewTreeError::Unwritable {
        path: target.to_path_buf(),
        error,
    })
}

/// Writes a whole new tree at `target`. When `target` is absent, the files are first written
/// into a hidden staging folder beside it, which is then renamed into place; when it is an
/// empty folder, they are staged inside it and moved up. Either way a failure leaves nothing
/// behind. A non-empty `target` is refused unless `force`, in which case the files are written
/// into it (overwriting same-named files, deleting nothing).
pub fn write_new_tree(
    target: &Path,
    files: Vec<super::RenderedFile>,
    force: bool,
) -> Result<ApplySummary, NewTreeError> {
    let unwritable = |path: &Path, error| NewTreeError::Unwritable {
        path: path.to_path_buf(),
        error,
    };
    check_new_target(target, force)?;
    let is_empty = list_entries(target)
        .map_err(|error| unwritable(target, error))?
        .is_empty();
    if !is_empty {
        let mut manifest = Manifest::load(target)?;
        let plan =
            super::plan(target, files, &manifest).map_err(|error| unwritable(target, error))?;
        return Ok(apply(&plan, &mut manifest, true)?);
    }
    // An existing empty folder is kept (it may be the shell's current folder, or `.`): the
    // files are staged inside it. An absent one is staged beside it, in its parent.
    let target_exists = target.is_dir();
    let staging_parent = if target_exists {
        target.to_path_buf()
    } else {
        match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    std::fs::create_dir_all(&staging_parent).map_err(|error| unwritable(&staging_parent, error))?;
    let staging = tempfile::Builder::new()
        .prefix(".axiomod-new-")
        .tempdir_in(&staging_parent)
        .map_err(|error| unwritable(&staging_parent, error))?;
    let mut manifest = Manifest::default();
    let plan = super::plan(staging.path(), files, &manifest)
        .map_err(|error| unwritable(staging.path(), error))?;
    let mut summary = apply(&plan, &mut manifest, false)?;
    if target_exists {
        move_entries(staging.path(), target).map_err(|error| unwritable(target, error))?;
        // `staging` is empty now; dropping it removes it.
    } else {
        std::fs::rename(staging.path(), target).map_err(|error| unwritable(target, error))?;
        // The staging folder now is the target: nothing left to clean up.
        let _ = staging.keep();
    }
    summary.root = target.to_path_buf();
    Ok(summary)
}

/// Moves every entry of `from` into `to`. On failure the entries already moved are moved back,
/// so `to` is left as it was.
fn move_entries(from: &Path, to: &Path) -> std::io::Result<()> {
    // Names first: a folder changed while it is being read may skip entries.
    let names = std::fs::read_dir(from)?
        .map(|entry| Ok(entry?.file_name()))
        .collect::<std::io::Result<Vec<_>>>()?;
    for (index, name) in names.iter().enumerate() {
        if let Err(error) = std::fs::rename(from.join(name), to.join(name)) {
            for moved in &names[..index] {
                let _ = std::fs::rename(to.join(moved), from.join(moved));
            }
            return Err(error);
        }
    }
    Ok(())
}

/// The entry names of `folder`, sorted; empty when it does not exist.
fn list_entries(folder: &Path) -> std::io::Result<Vec<String>> {
    match std::fs::read_dir(folder) {
        Ok(entries) => {
            let mut names = entries
                .map(|entry| Ok(entry?.file_name().to_string_lossy().into_owned()))
                .collect::<std::io::Result<Vec<_>>>()?;
            names.sort();
            Ok(names)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(error),
    }
}

/// The first few `names`, and how many more there are.
fn describe_entries(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::render::manifest::hash;
    use crate::render::plan::{Change, plan, test_file as file};
    use crate::render::{Ownership, RenderedFile};

    fn generated_files() -> Vec<RenderedFile> {
        vec![
            file("Cargo.toml", "[package]\n", Ownership::Generated),
            file("src/app.rs", "pub fn app() {}\n", Ownership::Generated),
            file("src/modules/mod.rs", "// modules\n", Ownership::Generated),
            file("src/custom.rs", "// yours\n", Ownership::UserOwned),
        ]
    }

    /// Every file under `root` with its bytes.
    fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(root: &Path, folder: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, files);
                } else {
                    let relative = path.strip_prefix(root).unwrap().to_path_buf();
                    files.insert(relative, std::fs::read(&path).unwrap());
                }
            }
        }
        let mut files = BTreeMap::new();
        walk(root, root, &mut files);
        files
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
    }

    /// Plans and applies `files` at `root` the way a generator does.
    fn generate(
        root: &Path,
        files: Vec<RenderedFile>,
        force: bool,
    ) -> (Plan, Result<ApplySummary, ApplyError>) {
        let mut manifest = Manifest::load(root).unwrap();
        let planned = plan(root, files, &manifest).unwrap();
        let result = apply(&planned, &mut manifest, force);
        (planned, result)
    }

    fn actions(planned: &Plan) -> Vec<(String, Action)> {
        planned
            .changes
            .iter()
            .map(|change| (change.file.path.display().to_string(), change.action))
            .collect()
    }

    #[test]
    fn first_apply_creates_everything_and_the_manifest_records_each_hash() {
        let root = tempfile::tempdir().unwrap();
        let (planned, result) = generate(root.path(), generated_files(), false);
        assert!(planned.changes.iter().all(|c| c.action == Action::Create));
        let summary = result.unwrap();
        assert_eq!(summary.written.len(), 4);
        let manifest = Manifest::load(root.path()).unwrap();
        assert_eq!(manifest.files.len(), 4);
        for file in generated_files() {
            let on_disk = std::fs::read(root.path().join(&file.path)).unwrap();
            assert_eq!(on_disk, file.contents.as_bytes());
            assert_eq!(
                manifest.recorded(&file.path),
                Some(hash(&on_disk).as_str()),
                "{}",
                file.path.display()
            );
        }
        let text = std::fs::read_to_string(root.path().join(MANIFEST_PATH)).unwrap();
        assert!(
            text.contains("\"src/modules/mod.rs\" = \"sha256:"),
            "{text}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn reapplying_the_same_files_is_a_no_op() {
        let root = tempfile::tempdir().unwrap();
        generate(root.path(), generated_files(), false).1.unwrap();
        let before = snapshot(root.path());
        let inodes: Vec<u64> = generated_files()
            .iter()
            .map(|file| inode(&root.path().join(&file.path)))
            .collect();
        for force in [false, true] {
            let (planned, result) = generate(root.path(), generated_files(), force);
            assert!(
                planned
                    .changes
                    .iter()
                    .all(|c| c.action == Action::Unchanged),
                "{:?}",
                actions(&planned)
            );
            assert!(planned.is_noop());
            assert_eq!(result.unwrap().written, Vec::<PathBuf>::new());
            assert_eq!(snapshot(root.path()), before);
            // Not even rewritten with the same bytes: every write is a rename of a new file.
            let after: Vec<u64> = generated_files()
                .iter()
                .map(|file| inode(&root.path().join(&file.path)))
                .collect();
            assert_eq!(after, inodes);
        }
    }

    #[test]
    fn untouched_generated_file_is_updated_without_force() {
        let root = tempfile::tempdir().unwrap();
        generate(root.path(), generated_files(), false).1.unwrap();
        let mut files = generated_files();
        files[1].contents = "pub fn app() -> u8 {\n    1\n}\n".to_string();
        let (planned, result) = generate(root.path(), files.clone(), false);
        assert_eq!(planned.changes[1].action, Action::Update);
        let diff = planned.changes[1].diff.as_deref().unwrap();
        assert!(diff.contains("-pub fn app() {}"), "{diff}");
        assert_eq!(result.unwrap().written, vec![PathBuf::from("src/app.rs")]);
        assert_eq!(
            std::fs::read_to_string(root.path().join("src/app.rs")).unwrap(),
            files[1].contents
        );
        let manifest = Manifest::load(root.path()).unwrap();
        assert_eq!(
            manifest.recorded(Path::new("src/app.rs")),
            Some(hash(files[1].contents.as_bytes()).as_str())
        );
    }

    #[test]
    fn an_edited_file_is_a_conflict_and_nothing_at_all_is_written() {
        let root = tempfile::tempdir().unwrap();
        generate(root.path(), generated_files(), false).1.unwrap();
        std::fs::write(root.path().join("src/app.rs"), "// my edit\n").unwrap();
        let before = snapshot(root.path());

        // The next run changes another file and adds one: both must wait for the conflict.
        let mut files = generated_files();
        files[0].contents = "[package]\nname = \"shop\"\n".to_string();
        files.push(file("src/new.rs", "// new\n", Ownership::Generated));
        let (planned, result) = generate(root.path(), files, false);
        let actions = actions(&planned);
        assert_eq!(
            actions,
            vec![
                ("Cargo.toml".to_string(), Action::Update),
                ("src/app.rs".to_string(), Action::Conflict),
                ("src/modules/mod.rs".to_string(), Action::Unchanged),
                ("src/custom.rs".to_string(), Action::Unchanged),
                ("src/new.rs".to_string(), Action::Create),
            ]
        );
        let Err(ApplyError::Conflicts { count, paths }) = result else {
            panic!("expected a conflict, got {result:?}");
        };
        assert_eq!(count, 1);
        assert_eq!(paths, "src/app.rs");
        // Byte for byte as before, the manifest included, and the new file not created.
        assert_eq!(snapshot(root.path()), before);
    }

    #[test]
    fn force_overwrites_the_edited_file_and_records_it() {
        let root = tempfile::tempdir().unwrap();
        generate(root.path(), generated_files(), false).1.unwrap();
        std::fs::write(root.path().join("src/app.rs"), "// my edit\n").unwrap();
        let (planned, result) = generate(root.path(), generated_files(), true);
        assert_eq!(planned.changes[1].action, Action::Conflict);
        assert_eq!(result.unwrap().written, vec![PathBuf::from("src/app.rs")]);
        assert_eq!(
            std::fs::read_to_string(root.path().join("src/app.rs")).unwrap(),
            "pub fn app() {}\n"
        );
        let (planned, _) = generate(root.path(), generated_files(), false);
        assert!(planned.is_noop(), "{:?}", actions(&planned));
    }

    #[test]
    fn a_file_axiomod_never_wrote_is_a_conflict() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("Cargo.toml"), "# mine\n").unwrap();
        let (planned, result) = generate(root.path(), generated_files(), false);
        assert_eq!(planned.changes[0].action, Action::Conflict);
        assert!(matches!(
            result,
            Err(ApplyError::Conflicts { count: 1, .. })
        ));
        assert_eq!(
            snapshot(root.path()).into_keys().collect::<Vec<_>>(),
            vec![PathBuf::from("Cargo.toml")]
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_user_owned_file_is_kept_and_never_rewritten() {
        let root = tempfile::tempdir().unwrap();
        generate(root.path(), generated_files(), false).1.unwrap();
        let custom = root.path().join("src/custom.rs");
        std::fs::write(&custom, "// filled in by hand\n").unwrap();
        let custom_inode = inode(&custom);
        let mut files = generated_files();
        files[3].contents = "// a newer template\n".to_string();
        for force in [false, true] {
            let (planned, result) = generate(root.path(), files.clone(), force);
            assert_eq!(planned.changes[3].action, Action::Keep);
            assert!(planned.is_noop());
            assert!(result.unwrap().written.is_empty());
            assert_eq!(
                std::fs::read_to_string(&custom).unwrap(),
                "// filled in by hand\n"
            );
            assert_eq!(inode(&custom), custom_inode);
        }
    }

    #[test]
    fn the_manifest_is_written_last() {
        // A write that fails half-way leaves no manifest claiming files that were not written.
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("blocker"), "a file\n").unwrap();
        let change = |path: &str| Change {
            file: file(path, "x\n", Ownership::Generated),
            action: Action::Create,
            diff: None,
        };
        let planned = Plan {
            root: root.path().to_path_buf(),
            changes: vec![change("first.rs"), change("blocker/second.rs")],
        };
        let mut manifest = Manifest::default();
        let result = apply(&planned, &mut manifest, false);
        let Err(ApplyError::Write { path, .. }) = result else {
            panic!("expected a write error, got {result:?}");
        };
        assert_eq!(path, root.path().join("blocker/second.rs"));
        assert!(root.path().join("first.rs").exists());
        assert!(!root.path().join(MANIFEST_PATH).exists());
    }

    #[test]
    fn a_failed_new_tree_leaves_nothing_behind() {
        let parent = tempfile::tempdir().unwrap();
        // `a` is written as a file, so `a/b` cannot be: the failure comes after a first write.
        let files = vec![
            file("a", "x\n", Ownership::Generated),
            file("a/b", "y\n", Ownership::Generated),
        ];
        let absent = parent.path().join("absent");
        let result = write_new_tree(&absent, files.clone(), false);
        assert!(matches!(result, Err(NewTreeError::Apply(_))), "{result:?}");
        assert!(snapshot(parent.path()).is_empty());
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0);

        let empty = parent.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let result = write_new_tree(&empty, files, false);
        assert!(matches!(result, Err(NewTreeError::Apply(_))), "{result:?}");
        assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 1);
    }

    #[test]
    fn move_entries_moves_everything_or_nothing() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        std::fs::create_dir(from.path().join("folder")).unwrap();
        std::fs::write(from.path().join("folder/inner"), "inner").unwrap();
        std::fs::write(from.path().join("file"), "file").unwrap();
        move_entries(from.path(), to.path()).unwrap();
        assert_eq!(std::fs::read_dir(from.path()).unwrap().count(), 0);
        assert_eq!(
            std::fs::read_to_string(to.path().join("folder/inner")).unwrap(),
            "inner"
        );

        // A folder cannot replace a non-empty folder: the move fails and is undone.
        let from = tempfile::tempdir().unwrap();
        for name in ["a", "b", "c", "folder", "z"] {
            std::fs::create_dir(from.path().join(name)).unwrap();
        }
        let result = move_entries(from.path(), to.path());
        assert!(result.is_err());
        assert_eq!(std::fs::read_dir(from.path()).unwrap().count(), 5);
        let mut left: Vec<String> = std::fs::read_dir(to.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["file", "folder"]);
    }

    #[test]
    fn new_tree_into_an_empty_folder_writes_files_and_manifest() {
        let target = tempfile::tempdir().unwrap();
        let summary = write_new_tree(target.path(), generated_files(), false).unwrap();
        assert_eq!(summary.root, target.path());
        assert_eq!(summary.written.len(), 4);
        let names: Vec<String> = std::fs::read_dir(target.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|name| !name.starts_with(".axiomod-")),
            "{names:?}"
        );
        let manifest = Manifest::load(target.path()).unwrap();
        assert_eq!(manifest.files.len(), 4);
    }

    #[test]
    fn plan_new_tree_previews_what_write_new_tree_does() {
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("shop");
        let planned = plan_new_tree(&target, generated_files(), false).unwrap();
        assert!(planned.changes.iter().all(|c| c.action == Action::Create));
        assert!(!target.exists());

        write_new_tree(&target, generated_files(), false).unwrap();
        std::fs::write(target.join("src/app.rs"), "// edited\n").unwrap();
        assert!(matches!(
            plan_new_tree(&target, generated_files(), false),
            Err(NewTreeError::TargetNotEmpty { .. })
        ));
        let before = snapshot(&target);
        let planned = plan_new_tree(&target, generated_files(), true).unwrap();
        assert_eq!(
            actions(&planned),
            vec![
                ("Cargo.toml".to_string(), Action::Unchanged),
                ("src/app.rs".to_string(), Action::Conflict),
                ("src/modules/mod.rs".to_string(), Action::Unchanged),
                ("src/custom.rs".to_string(), Action::Unchanged),
            ]
        );
        assert_eq!(snapshot(&target), before);
    }

    #[test]
    fn check_new_target_refuses_files_and_non_empty_folders() {
        let parent = tempfile::tempdir().unwrap();
        let a_file = parent.path().join("file");
        std::fs::write(&a_file, "x").unwrap();
        assert!(matches!(
            check_new_target(&a_file, true),
            Err(NewTreeError::TargetIsFile { .. })
        ));
        let Err(NewTreeError::TargetNotEmpty { entries, .. }) =
            check_new_target(parent.path(), false)
        else {
            panic!("a non-empty folder must be refused");
        };
        assert_eq!(entries, "file");
        for name in ["b", "a", "g", "f", "e", "d", "c"] {
            std::fs::write(parent.path().join(name), "x").unwrap();
        }
        let Err(NewTreeError::TargetNotEmpty { entries, .. }) =
            check_new_target(parent.path(), false)
        else {
            panic!("a non-empty folder must be refused");
        };
        assert_eq!(entries, "a, b, c, d, e and 3 more");
        assert!(check_new_target(parent.path(), true).is_ok());
        assert!(check_new_target(&parent.path().join("absent"), false).is_ok());
        assert!(matches!(
            check_new_target(&a_file.join("below"), false),
            Err(NewTreeError::Unwritable { .. })
        ));
    }
}
