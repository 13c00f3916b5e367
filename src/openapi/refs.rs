//! `$ref` resolution: local pointers (`#/components/schemas/Pet`) and relative files
//! (`pet.yaml#/Pet`, `schemas/pet.json`), following chains of references and refusing cycles
//! made only of references.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::OpenApiError;
use super::load;
use super::warning::unescape;

/// A resolved reference: the value it points at and where that is.
#[derive(Debug, Clone)]
pub struct Target {
    pub file: PathBuf,
    /// JSON pointer of the value in `file`.
    pub pointer: String,
    pub value: Value,
}

impl Target {
    /// The last key of the pointer: the component name of `#/components/schemas/Pet`.
    pub fn name(&self) -> Option<String> {
        let last = self.pointer.rsplit('/').next()?;
        (!last.is_empty()).then(|| unescape(last))
    }
}

/// The documents of a spec, loaded on first reference.
pub struct Resolver {
    root: PathBuf,
    documents: HashMap<PathBuf, Value>,
}

impl Resolver {
    /// `root` is the spec given on the command line, already parsed (and normalised).
    pub fn new(root: &Path, document: Value) -> Resolver {
        let mut documents = HashMap::new();
        documents.insert(root.to_owned(), document);
        Resolver {
            root: root.to_owned(),
            documents,
        }
    }

    pub fn root_file(&self) -> &Path {
        &self.root
    }

    /// The value at `pointer` of a loaded document.
    pub fn value_at(&self, file: &Path, pointer: &str) -> Option<&Value> {
        self.documents.get(file)?.pointer(pointer)
    }

    /// The `$ref` of the value at `pointer`, when it is a reference.
    pub fn reference_at(&self, file: &Path, pointer: &str) -> Option<String> {
        let reference = self.value_at(file, pointer)?.get("$ref")?.as_str()?;
        Some(reference.to_owned())
    }

    /// How a place in the spec is named in messages: the pointer alone in the root file,
    /// `file#pointer` in another.
    pub fn locate(&self, file: &Path, pointer: &str) -> String {
        if file == self.root {
            pointer.to_owned()
        } else {
            format!("{}#{pointer}", file.display())
        }
    }

    /// Follows `reference`, written at `pointer` of `file`, through any chain of references
    /// to a value that is not itself a reference.
    pub fn resolve(
        &mut self,
        file: &Path,
        pointer: &str,
        reference: &str,
    ) -> Result<Target, OpenApiError> {
        let origin = (file, pointer, reference);
        let mut chain: Vec<(PathBuf, String)> = Vec::new();
        let (mut file, mut pointer, mut reference) =
            (file.to_owned(), pointer.to_owned(), reference.to_owned());
        loop {
            let target = self.resolve_one(&file, &pointer, &reference)?;
            let key = (target.file.clone(), target.pointer.clone());
            if chain.contains(&key) {
                let chain = chain
                    .iter()
                    .chain([&key])
                    .map(|(file, pointer)| self.locate(file, pointer))
                    .collect::<Vec<_>>()
                    .join(" → ");
                return Err(OpenApiError::RefCycle {
                    file: origin.0.display().to_string(),
                    pointer: origin.1.to_owned(),
                    reference: origin.2.to_owned(),
                    chain,
                });
            }
            chain.push(key);
            match target.value.get("$ref").and_then(Value::as_str) {
                Some(next) => {
                    reference = next.to_owned();
                    file = target.file;
                    pointer = format!("{}/$ref", target.pointer);
                }
                None => return Ok(target),
            }
        }
    }

    fn resolve_one(
        &mut self,
        file: &Path,
        pointer: &str,
        reference: &str,
    ) -> Result<Target, OpenApiError> {
        let unresolved = |reason: String| OpenApiError::UnresolvedRef {
            file: file.display().to_string(),
            pointer: pointer.to_owned(),
            reference: reference.to_owned(),
            reason,
        };
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if path.contains("://") {
            return Err(unresolved(
                "references to URLs are not followed; download the file and refer to it by a relative path".to_owned(),
            ));
        }
        let target_file = if path.is_empty() {
            file.to_owned()
        } else {
            file.parent().unwrap_or(Path::new("")).join(path)
        };
        if !self.documents.contains_key(&target_file) {
            if !target_file.is_file() {
                return Err(unresolved(format!(
                    "file {} does not exist",
                    target_file.display()
                )));
            }
            let document = load::read(&target_file)?;
            self.documents.insert(target_file.clone(), document);
        }
        let document = &self.documents[&target_file];
        let target_pointer = percent_decode(fragment);
        if !target_pointer.is_empty() && !target_pointer.starts_with('/') {
            return Err(unresolved(
                "the part after `#` must be a JSON pointer starting with `/`".to_owned(),
            ));
        }
        let value = document.pointer(&target_pointer).cloned().ok_or_else(|| {
            unresolved(format!(
                "{} has nothing at `{target_pointer}`",
                target_file.display()
            ))
        })?;
        Ok(Target {
            file: target_file,
            pointer: target_pointer,
            value,
        })
    }
}

/// URI fragments may percent-encode characters (`%7B` for `{`); JSON pointers do not.
fn percent_decode(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u8::from_str_radix(digits, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn resolver(document: Value) -> Resolver {
        Resolver::new(Path::new("spec.yaml"), document)
    }

    #[test]
    fn local_references_follow_chains() {
        let mut resolver = resolver(json!({
            "components": {"schemas": {
                "Pet": {"type": "object"},
                "Animal": {"$ref": "#/components/schemas/Pet"}
            }}
        }));
        let target = resolver
            .resolve(Path::new("spec.yaml"), "/x", "#/components/schemas/Animal")
            .unwrap();
        assert_eq!(target.pointer, "/components/schemas/Pet");
        assert_eq!(target.name().as_deref(), Some("Pet"));
    }

    #[test]
    fn missing_targets_and_cycles_are_errors() {
        let mut resolver = resolver(json!({
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"}
            }}
        }));
        let spec = Path::new("spec.yaml");
        assert!(matches!(
            resolver.resolve(spec, "/x", "#/components/schemas/C"),
            Err(OpenApiError::UnresolvedRef { .. })
        ));
        assert!(matches!(
            resolver.resolve(spec, "/x", "#/components/schemas/A"),
            Err(OpenApiError::RefCycle { .. })
        ));
        assert!(matches!(
            resolver.resolve(spec, "/x", "other.yaml#/A"),
            Err(OpenApiError::UnresolvedRef { .. })
        ));
        assert!(matches!(
            resolver.resolve(spec, "/x", "https://example.com/a.yaml"),
            Err(OpenApiError::UnresolvedRef { .. })
        ));
    }

    #[test]
    fn fragments_are_percent_decoded() {
        assert_eq!(percent_decode("/paths/~1pets%7Bid%7D"), "/paths/~1pets{id}");
        assert_eq!(percent_decode("/a%zz"), "/a%zz");
    }
}
