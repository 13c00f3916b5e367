//! Where the file of a `mod name;` declaration lives, following rustc's rules:
//!
//! - a "mod-rs" file (crate root, `mod.rs`, or a file loaded through `#[path]`) keeps its
//!   children in its own directory; `name.rs` keeps them in `name/`;
//! - `mod name;` is `<dir>/name.rs` or `<dir>/name/mod.rs`, where `<dir>` also descends
//!   through the inline modules (`mod outer { mod name; }`) around the declaration;
//! - `#[path = "x.rs"]` outside inline modules is relative to the directory of the current
//!   file; inside inline modules, to the directory those inline modules stand for.

use std::path::{Component, Path, PathBuf};

/// A file that holds a module, as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleFile {
    pub path: PathBuf,
    /// Whether the file's children live in its own directory (see the module docs).
    pub is_mod_rs: bool,
}

/// The candidate files for `mod name;` declared in `parent` (inside `inline` modules).
/// The first existing candidate is the module's file. A `#[path]` value is the only
/// candidate; the values of `#[cfg_attr(…, path = …)]` come before the usual files (cfg
/// is not evaluated).
pub fn child_module_candidates(
    parent: &ModuleFile,
    inline: &[String],
    name: &str,
    path_attribute: Option<&str>,
    conditional_paths: &[String],
) -> Vec<ModuleFile> {
    let file_directory = parent.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut module_directory = if parent.is_mod_rs {
        file_directory.clone()
    } else {
        let stem = parent
            .path
            .file_stem()
            .map(|stem| stem.to_os_string())
            .unwrap_or_default();
        file_directory.join(stem)
    };
    for inline_name in inline {
        module_directory.push(inline_name);
    }
    let attribute_base = if inline.is_empty() {
        &file_directory
    } else {
        &module_directory
    };
    let attribute_file = |attribute: &str| ModuleFile {
        path: without_dot_segments(&attribute_base.join(attribute)),
        is_mod_rs: true,
    };
    if let Some(attribute) = path_attribute {
        return vec![attribute_file(attribute)];
    }
    let mut candidates: Vec<ModuleFile> = conditional_paths
        .iter()
        .map(|attribute| attribute_file(attribute))
        .collect();
    candidates.extend([
        ModuleFile {
            path: module_directory.join(format!("{name}.rs")),
            is_mod_rs: false,
        },
        ModuleFile {
            path: module_directory.join(name).join("mod.rs"),
            is_mod_rs: true,
        },
    ]);
    candidates
}

/// `path` with `.` dropped and each `..` taking away the name before it, as written, so a
/// file reached through `#[path = "../x.rs"]` is named as Git and the other `mod`s name it.
fn without_dot_segments(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(clean.components().next_back(), Some(Component::Normal(_))) =>
            {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, is_mod_rs: bool) -> ModuleFile {
        ModuleFile {
            path: PathBuf::from(path),
            is_mod_rs,
        }
    }

    #[test]
    fn children_of_a_crate_root_live_beside_it() {
        let candidates = child_module_candidates(&file("src/lib.rs", true), &[], "app", None, &[]);
        assert_eq!(
            candidates,
            [file("src/app.rs", false), file("src/app/mod.rs", true)]
        );
    }

    #[test]
    fn children_of_a_non_mod_rs_file_live_in_its_directory() {
        let parent = file("src/modules/sales.rs", false);
        let candidates = child_module_candidates(&parent, &[], "domain", None, &[]);
        assert_eq!(candidates[0], file("src/modules/sales/domain.rs", false));
    }

    #[test]
    fn inline_modules_add_directories() {
        let parent = file("src/lib.rs", true);
        let candidates = child_module_candidates(&parent, &["outer".into()], "inner", None, &[]);
        assert_eq!(candidates[0], file("src/outer/inner.rs", false));
    }

    #[test]
    fn path_attributes_are_relative_to_the_file_or_the_inline_module() {
        let parent = file("src/a/b.rs", false);
        assert_eq!(
            child_module_candidates(&parent, &[], "x", Some("other/x.rs"), &[]),
            [file("src/a/other/x.rs", true)]
        );
        assert_eq!(
            child_module_candidates(&parent, &["inline".into()], "x", Some("x.rs"), &[]),
            [file("src/a/b/inline/x.rs", true)]
        );
    }

    #[test]
    fn path_attributes_that_climb_name_the_file_without_dot_segments() {
        // libc: `mod bits { #[cfg_attr(…, path = "../../mips/nptl/bits/struct_mutex.rs")] mod
        // struct_mutex; }` in sysdeps/nptl/mod.rs.
        let parent = file("src/sysdeps/nptl/mod.rs", true);
        let candidates = child_module_candidates(
            &parent,
            &["bits".into()],
            "struct_mutex",
            None,
            &["../../mips/./nptl/bits/struct_mutex.rs".into()],
        );
        assert_eq!(
            candidates[0],
            file("src/sysdeps/mips/nptl/bits/struct_mutex.rs", true)
        );
        assert_eq!(
            child_module_candidates(&file("src/a/b.rs", false), &[], "x", Some("../x.rs"), &[]),
            [file("src/x.rs", true)]
        );
    }
}
