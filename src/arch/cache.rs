//! A cache of parse results keyed by the hash of each file's text, so that a second run over
//! unchanged files skips syn entirely. Resolution and rules always run again: they depend on
//! every file and on the configuration.
//!
//! The cache lives outside the project, in `$AXIOMOD_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/axiomod`, else `$HOME/.cache/axiomod`: one JSON file per project
//! directory, rewritten whole (through a temporary file) when it changed. A cache that
//! cannot be read or written is ignored: it only ever costs speed, never correctness.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::parse::FileFacts;

/// Changes whenever the shape or meaning of `FileFacts` changes.
const FORMAT: &str = concat!("axiomod-validate-cache-2/", env!("CARGO_PKG_VERSION"));

/// Parse results of the previous run, and of this one.
#[derive(Debug, Default)]
pub struct ParseCache {
    file: Option<PathBuf>,
    previous: HashMap<String, Arc<FileFacts>>,
}

#[derive(Serialize)]
struct StoredRef<'a> {
    format: &'a str,
    entries: BTreeMap<&'a str, &'a FileFacts>,
}

#[derive(Deserialize)]
struct Stored {
    format: String,
    entries: HashMap<String, FileFacts>,
}

impl ParseCache {
    /// A cache that neither reads nor writes anything.
    pub fn disabled() -> Self {
        Self::default()
    }

    /// Loads the cache of the project at `root` (absolute), if there is one.
    pub fn load(root: &Path) -> Self {
        let Some(directory) = cache_directory() else {
            return Self::disabled();
        };
        let mut hasher = Sha256::new();
        hasher.update(root.as_os_str().as_encoded_bytes());
        let name: String = hasher.finalize()[..8]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let file = directory.join(format!("validate-{name}.json"));
        let previous = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|stored| stored.format == FORMAT)
            .map(|stored| {
                stored
                    .entries
                    .into_iter()
                    .map(|(key, facts)| (key, Arc::new(facts)))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            file: Some(file),
            previous,
        }
    }

    /// The cached facts for `key`, if any.
    pub fn get(&self, key: &str) -> Option<Arc<FileFacts>> {
        self.previous.get(key).cloned()
    }

    /// Writes the facts of this run (and only those) when they differ from the previous run.
    pub fn store<'a>(&self, entries: impl IntoIterator<Item = (&'a str, &'a FileFacts)>) {
        let Some(file) = &self.file else {
            return;
        };
        let entries: BTreeMap<&str, &FileFacts> = entries.into_iter().collect();
        let unchanged = entries.len() == self.previous.len()
            && entries.keys().all(|key| self.previous.contains_key(*key));
        if unchanged {
            return;
        }
        let Ok(bytes) = serde_json::to_vec(&StoredRef {
            format: FORMAT,
            entries,
        }) else {
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
        if std::fs::write(&temporary, bytes).is_ok() && std::fs::rename(&temporary, file).is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

/// The cache key of a file: its text and everything that changes what parsing extracts.
pub fn key(text: &str, module: &[String], is_test: bool, include_tests: bool) -> String {
    let mut hasher = Sha256::new();
    hasher.update(FORMAT.as_bytes());
    for segment in module {
        hasher.update(segment.as_bytes());
        hasher.update([0]);
    }
    hasher.update([u8::from(is_test), u8::from(include_tests)]);
    hasher.update(text.as_bytes());
    hasher.finalize()[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_change_with_text_module_and_test_flags() {
        let module = vec!["crate".to_string()];
        let other = vec!["crate".to_string(), "a".to_string()];
        let base = key("fn f() {}", &module, false, false);
        assert_eq!(base, key("fn f() {}", &module, false, false));
        assert_ne!(base, key("fn g() {}", &module, false, false));
        assert_ne!(base, key("fn f() {}", &other, false, false));
        assert_ne!(base, key("fn f() {}", &module, true, false));
        assert_ne!(base, key("fn f() {}", &module, false, true));
    }
}
