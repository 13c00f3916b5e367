//! Finds the crates to analyse with `cargo metadata --no-deps`: the workspace members, their
//! lib, bin and (when test code is checked) test targets, and the extern crate names each
//! target can use, with package renames resolved. `--no-deps` never resolves the dependency
//! graph, downloads nothing and runs no build script.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cargo_metadata::{DependencyKind, MetadataCommand, TargetKind};
use miette::Diagnostic;

use super::config::normalize_crate_name;

/// One crate (a compilation target) to analyse.
#[derive(Debug, Clone)]
pub struct CrateTarget {
    /// Package name, as in Cargo.toml.
    pub package: String,
    /// Crate name of the target (`-` replaced by `_`).
    pub name: String,
    /// The crate root file (src/lib.rs, src/main.rs, tests/x.rs…).
    pub root: PathBuf,
    /// True for integration tests (`tests/`): test code.
    pub is_test: bool,
    /// True for the package's library (the only target whose doc tests run).
    pub is_library: bool,
    /// Extern crate name as written in code -> package name. Includes std, core and alloc.
    pub externs: BTreeMap<String, String>,
}

/// Why the crates could not be listed.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum DiscoveryError {
    #[error("no Cargo.toml in {}", directory.display())]
    #[diagnostic(
        code(axiomod::validate::no_manifest),
        help("run axiomod validate in (or pass the path of) a Cargo package or workspace")
    )]
    NoManifest { directory: PathBuf },

    #[error("cargo metadata failed for {}", manifest.display())]
    #[diagnostic(
        code(axiomod::validate::cargo_metadata),
        help("fix the manifest so that `cargo metadata --no-deps` succeeds")
    )]
    Metadata {
        manifest: PathBuf,
        #[source]
        source: cargo_metadata::Error,
    },
}

/// Lists the crates of the package or workspace whose manifest is in `directory`.
pub fn discover(directory: &Path, include_tests: bool) -> Result<Vec<CrateTarget>, DiscoveryError> {
    let manifest = directory.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(DiscoveryError::NoManifest {
            directory: directory.to_path_buf(),
        });
    }
    let metadata = MetadataCommand::new()
        .manifest_path(&manifest)
        .no_deps()
        .exec()
        .map_err(|source| DiscoveryError::Metadata {
            manifest: manifest.clone(),
            source,
        })?;
    let mut crates = Vec::new();
    // Run in a member of a larger workspace, only the packages under that directory count.
    let directory = directory
        .canonicalize()
        .unwrap_or_else(|_| directory.to_path_buf());
    let under_directory = |manifest: &Path| {
        let manifest = manifest
            .canonicalize()
            .unwrap_or_else(|_| manifest.to_path_buf());
        manifest
            .parent()
            .is_some_and(|parent| parent.starts_with(&directory))
    };
    for package in metadata
        .workspace_packages()
        .into_iter()
        .filter(|package| under_directory(package.manifest_path.as_std_path()))
    {
        let library = package.targets.iter().find(|target| {
            target.is_lib() || target.is_rlib() || target.is_proc_macro() || target.is_cdylib()
        });
        for target in &package.targets {
            let is_library = library.is_some_and(|library| std::ptr::eq(library, target));
            let is_test = target.kind.contains(&TargetKind::Test);
            let wanted = is_library || target.is_bin() || (is_test && include_tests);
            if !wanted {
                continue;
            }
            let mut externs = BTreeMap::new();
            for standard in ["std", "core", "alloc"] {
                externs.insert(standard.to_string(), standard.to_string());
            }
            for dependency in &package.dependencies {
                let usable = match dependency.kind {
                    DependencyKind::Normal => true,
                    DependencyKind::Development => is_test,
                    _ => false,
                };
                if !usable {
                    continue;
                }
                let extern_name = dependency.rename.as_deref().unwrap_or(&dependency.name);
                externs.insert(
                    normalize_crate_name(extern_name),
                    dependency.name.to_string(),
                );
            }
            if !is_library && let Some(library) = library {
                externs.insert(
                    normalize_crate_name(&library.name),
                    package.name.to_string(),
                );
            }
            crates.push(CrateTarget {
                package: package.name.to_string(),
                name: normalize_crate_name(&target.name),
                root: target.src_path.clone().into_std_path_buf(),
                is_test,
                is_library,
                externs,
            });
        }
    }
    Ok(crates)
}
