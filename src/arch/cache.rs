//! Caches that make a second run over unchanged files fast, keyed by the hash of each file's
//! text:
//!
//! - the parse cache keeps what syn extracted from each file, so unchanged files are not
//!   parsed again;
//! - the result cache keeps, for the last full run, each file's `mod` declarations (enough
//!   to walk the module tree without parsing) and the whole result. When the configuration,
//!   the crates and every file read are the same, the result is reused as it is; otherwise
//!   resolution and rules run again over the (cached or fresh) parse results.
//!
//! Both live outside the project, in `$AXIOMOD_CACHE_DIR`, else `$XDG_CACHE_HOME/axiomod`,
//! else `$HOME/.cache/axiomod`: JSON files per project directory, rewritten whole (through a
//! temporary file) when they changed. A cache that cannot be read or written is ignored: it
//! only ever costs speed, never correctness.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::analysis::{Analysis, FileError, Unresolved, Violation};
use super::config::UnusedIgnore;
use super::parse::{ChildDeclaration, FileFacts, Location};

/// Changes whenever the shape or meaning of what is cached changes.
const FORMAT: &str = concat!("axiomod-validate-cache-12/", env!("CARGO_PKG_VERSION"));

/// Parse results, read from disk on first use.
#[derive(Debug, Default)]
pub struct ParseCache {
    file: Option<PathBuf>,
    previous: OnceLock<HashMap<String, Arc<FileFacts>>>,
}

#[derive(Serialize)]
struct StoredFactsRef<'a> {
    format: &'a str,
    entries: BTreeMap<&'a str, &'a FileFacts>,
}

#[derive(Deserialize)]
struct StoredFacts {
    format: String,
    entries: HashMap<String, FileFacts>,
}

impl ParseCache {
    /// A cache that neither reads nor writes anything.
    pub fn disabled() -> Self {
        Self::default()
    }

    /// The parse cache of the project at `root` (absolute); nothing is read yet.
    pub fn for_project(root: &Path) -> Self {
        Self {
            file: cache_file(root, "parse"),
            previous: OnceLock::new(),
        }
    }

    fn previous(&self) -> &HashMap<String, Arc<FileFacts>> {
        self.previous.get_or_init(|| {
            self.file
                .as_deref()
                .and_then(read_json::<StoredFacts>)
                .filter(|stored| stored.format == FORMAT)
                .map(|stored| {
                    stored
                        .entries
                        .into_iter()
                        .map(|(key, facts)| (key, Arc::new(facts)))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// The cached facts for `key`, if any.
    pub fn get(&self, key: &str) -> Option<Arc<FileFacts>> {
        self.file.as_ref()?;
        self.previous().get(key).cloned()
    }

    /// Writes the facts of this run (and only those) when they differ from the previous run.
    pub fn store<'a>(&self, entries: impl IntoIterator<Item = (&'a str, &'a FileFacts)>) {
        let Some(file) = &self.file else {
            return;
        };
        let entries: BTreeMap<&str, &FileFacts> = entries.into_iter().collect();
        let previous = self.previous();
        let unchanged = entries.len() == previous.len()
            && entries.keys().all(|key| previous.contains_key(*key));
        if !unchanged {
            write_json(
                file,
                &StoredFactsRef {
                    format: FORMAT,
                    entries,
                },
            );
        }
    }
}

/// What walking the module tree needs from a file: its `mod` declarations and whether it
/// parsed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outline {
    pub children: Vec<ChildDeclaration>,
    pub syntax_error: Option<(Location, String)>,
}

impl Outline {
    pub fn of(facts: &FileFacts) -> Self {
        Self {
            children: facts.children.clone(),
            syntax_error: facts.syntax_error.clone(),
        }
    }
}

/// A violation with the fields the JSON report leaves out.
#[derive(Serialize, Deserialize)]
struct StoredViolation {
    #[serde(flatten)]
    violation: Violation,
    end_line: usize,
    end_column: usize,
    hint: String,
    source_line: String,
    fingerprint: String,
}

#[derive(Serialize, Deserialize)]
struct StoredAnalysis {
    files_checked: usize,
    files: Vec<String>,
    violations: Vec<StoredViolation>,
    ignored: usize,
    unused_ignores: Vec<UnusedIgnore>,
    unresolved: Vec<Unresolved>,
    file_errors: Vec<FileError>,
}

#[derive(Serialize, Deserialize)]
struct StoredResult {
    format: String,
    outlines: HashMap<String, Outline>,
    key: String,
    analysis: StoredAnalysis,
}

/// The last full run's outlines and result.
#[derive(Default)]
pub struct ResultCache {
    file: Option<PathBuf>,
    stored: Option<StoredResult>,
}

impl ResultCache {
    /// A cache that neither reads nor writes anything.
    pub fn disabled() -> Self {
        Self::default()
    }

    /// Reads the result cache of the project at `root` (absolute).
    pub fn load(root: &Path) -> Self {
        let file = cache_file(root, "result");
        let stored = file
            .as_deref()
            .and_then(read_json::<StoredResult>)
            .filter(|stored| stored.format == FORMAT);
        Self { file, stored }
    }

    /// The outline of the file with cache key `key`, if the last run read it.
    pub fn outline(&self, key: &str) -> Option<&Outline> {
        self.stored.as_ref()?.outlines.get(key)
    }

    /// The last run's result, when its inputs had the key `key`.
    pub fn result(&self, key: &str) -> Option<Analysis> {
        let stored = self.stored.as_ref().filter(|stored| stored.key == key)?;
        let analysis = &stored.analysis;
        Some(Analysis {
            files_checked: analysis.files_checked,
            files: analysis.files.clone(),
            violations: analysis
                .violations
                .iter()
                .map(|stored| Violation {
                    end_line: stored.end_line,
                    end_column: stored.end_column,
                    hint: stored.hint.clone(),
                    source_line: stored.source_line.clone(),
                    fingerprint: stored.fingerprint.clone(),
                    ..stored.violation.clone()
                })
                .collect(),
            ignored: analysis.ignored,
            unused_ignores: analysis.unused_ignores.clone(),
            unresolved: analysis.unresolved.clone(),
            file_errors: analysis.file_errors.clone(),
        })
    }

    /// Records a full run: the outline of every file read, and the result for `key`.
    pub fn store(&self, outlines: HashMap<String, Outline>, key: String, analysis: &Analysis) {
        let Some(file) = &self.file else {
            return;
        };
        if self.stored.as_ref().is_some_and(|stored| stored.key == key) {
            return;
        }
        let stored = StoredResult {
            format: FORMAT.to_string(),
            outlines,
            key,
            analysis: StoredAnalysis {
                files_checked: analysis.files_checked,
                files: analysis.files.clone(),
                violations: analysis
                    .violations
                    .iter()
                    .map(|violation| StoredViolation {
                        violation: violation.clone(),
                        end_line: violation.end_line,
                        end_column: violation.end_column,
                        hint: violation.hint.clone(),
                        source_line: violation.source_line.clone(),
                        fingerprint: violation.fingerprint.clone(),
                    })
                    .collect(),
                ignored: analysis.ignored,
                unused_ignores: analysis.unused_ignores.clone(),
                unresolved: analysis.unresolved.clone(),
                file_errors: analysis.file_errors.clone(),
            },
        };
        write_json(file, &stored);
    }
}

/// The cache key of a file: its text and everything that changes what parsing extracts.
pub fn key(
    text: &str,
    module: &[String],
    is_test: bool,
    include_tests: bool,
    doc_tests_crate: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(FORMAT.as_bytes());
    for segment in module {
        hasher.update(segment.as_bytes());
        hasher.update([0]);
    }
    hasher.update([u8::from(is_test), u8::from(include_tests)]);
    if let Some(name) = doc_tests_crate {
        hasher.update(name.as_bytes());
    }
    hasher.update([0]);
    hasher.update(text.as_bytes());
    hex(&hasher.finalize()[..16])
}

/// Hashes the parts that decide a run's result.
pub fn result_key<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(FORMAT.as_bytes());
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn cache_file(root: &Path, kind: &str) -> Option<PathBuf> {
    let directory = cache_directory()?;
    let mut hasher = Sha256::new();
    hasher.update(root.as_os_str().as_encoded_bytes());
    let name = hex(&hasher.finalize()[..8]);
    Some(directory.join(format!("validate-{name}-{kind}.json")))
}

fn cache_directory() -> Option<PathBuf> {
    let from_environment = |name: &str| {
        std::env::var_os(name)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
    };
    from_environment("AXIOMOD_CACHE_DIR")
        .or_else(|| from_environment("XDG_CACHE_HOME").map(|path| path.join("axiomod")))
        .or_else(|| from_environment("HOME").map(|path| path.join(".cache").join("axiomod")))
}

fn read_json<T: DeserializeOwned>(file: &Path) -> Option<T> {
    let bytes = std::fs::read(file).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_json(file: &Path, value: &impl Serialize) {
    let Ok(bytes) = serde_json::to_vec(value) else {
        return;
    };
    let Some(directory) = file.parent() else {
        return;
    };
    if std::fs::create_dir_all(directory).is_err() {
        return;
    }
    let temporary = directory.join(format!(
        ".{}.{}.tmp",
        file.file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned()),
        std::process::id()
    ));
    if std::fs::write(&temporary, bytes).is_err() || std::fs::rename(&temporary, file).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_change_with_text_module_and_test_flags() {
        let module = vec!["crate".to_string()];
        let other = vec!["crate".to_string(), "a".to_string()];
        let base = key("fn f() {}", &module, false, false, None);
        assert_eq!(base, key("fn f() {}", &module, false, false, None));
        assert_ne!(base, key("fn g() {}", &module, false, false, None));
        assert_ne!(base, key("fn f() {}", &other, false, false, None));
        assert_ne!(base, key("fn f() {}", &module, true, false, None));
        assert_ne!(base, key("fn f() {}", &module, false, true, None));
        assert_ne!(base, key("fn f() {}", &module, false, false, Some("shop")));
    }

    #[test]
    fn result_keys_separate_their_parts() {
        assert_ne!(result_key(["ab", "c"]), result_key(["a", "bc"]));
        assert_eq!(result_key(["a", "b"]), result_key(["a", "b"]));
    }
}
