//! `.axiomod/manifest.toml`: the hash of every file axiomod wrote, so a later run can tell a
//! file nobody touched (safe to rewrite) from one a person edited (never overwritten).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where the manifest lives, relative to the project root.
pub const MANIFEST_PATH: &str = ".axiomod/manifest.toml";

const HEADER: &str = "# Written by axiomod: the SHA-256 of each file it generated, to tell files you edited\n\
# (never overwritten) from files it may rewrite. Commit it; do not edit it.\n\n";

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Relative path (with `/`) → `sha256:<hex>` of the contents axiomod wrote.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// Reads the manifest of the project at `root`; an absent manifest is empty.
    pub fn load(root: &Path) -> Result<Self, ManifestError> {
        let path = root.join(MANIFEST_PATH);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|error| ManifestError::Invalid {
                path,
                message: error.to_string(),
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(error) => Err(ManifestError::Read { path, error }),
        }
    }

    /// The manifest as it is written to disk.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(self).expect("a map of strings always serializes to TOML");
        format!("{HEADER}{body}")
    }

    /// The recorded hash of `path`, if axiomod wrote it.
    pub fn recorded(&self, path: &Path) -> Option<&str> {
        self.files.get(&key(path)).map(String::as_str)
    }

    pub fn record(&mut self, path: &Path, contents: &[u8]) {
        self.files.insert(key(path), hash(contents));
    }
}

/// `sha256:<hex>` of `contents`.
pub fn hash(contents: &[u8]) -> String {
    let digest = Sha256::digest(contents);
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

/// Manifest keys use `/` on every platform.
fn key(path: &Path) -> String {
    path.components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ManifestError {
    #[error("cannot read {}: {error}", path.display())]
    #[diagnostic(code(axiomod::manifest::read))]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{} is not a valid axiomod manifest: {message}", path.display())]
    #[diagnostic(
        code(axiomod::manifest::invalid),
        help("restore it from version control; axiomod writes it and it should not be edited")
    )]
    Invalid { path: PathBuf, message: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let mut manifest = Manifest::default();
        manifest.record(Path::new("src/app.rs"), b"fn main() {}\n");
        let text = manifest.to_text();
        assert!(text.starts_with("# Written by axiomod"));
        let parsed: Manifest = toml::from_str(&text).unwrap();
        assert_eq!(parsed, manifest);
        assert_eq!(
            parsed.recorded(Path::new("src/app.rs")),
            Some(hash(b"fn main() {}\n").as_str())
        );
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            hash(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
