//! The properties of an object schema with its `allOf` parts merged in order, shared by the
//! entities of resources and the DTOs of other operations.

use std::path::PathBuf;

use serde_json::Value;

use super::error::OpenApiError;
use super::refs::{Resolver, Target};
use super::resources::dereference;
use super::warning::child;

/// An object schema's properties, its own and those of its `allOf` parts, first definition
/// first.
#[derive(Default)]
pub struct Shape {
    pub properties: Vec<(String, Target)>,
    pub required: Vec<String>,
    /// Every schema merged, each after its own `allOf` parts (the schema itself last), with the
    /// properties it defined again after an earlier part (the earlier definition is kept).
    pub parts: Vec<(Target, Vec<(String, Target)>)>,
}

/// Merges `target` and its `allOf` parts (followed through `$ref`s); an `allOf` that contains
/// the schema itself is an error.
pub fn merge_all_of(resolver: &mut Resolver, target: Target) -> Result<Shape, OpenApiError> {
    let mut shape = Shape::default();
    merge(resolver, target, &mut Vec::new(), &mut shape)?;
    Ok(shape)
}

/// `path` holds the schemas being merged, to refuse an `allOf` that contains itself.
fn merge(
    resolver: &mut Resolver,
    target: Target,
    path: &mut Vec<(PathBuf, String)>,
    shape: &mut Shape,
) -> Result<(), OpenApiError> {
    let key = (target.file.clone(), target.pointer.clone());
    if path.contains(&key) {
        return Err(OpenApiError::AllOfCycle {
            file: target.file.display().to_string(),
            pointer: target.pointer.clone(),
            chain: path
                .iter()
                .chain([&key])
                .map(|(file, pointer)| resolver.locate(file, pointer))
                .collect::<Vec<_>>()
                .join(" → allOf → "),
        });
    }
    path.push(key);
    if let Some(Value::Array(parts)) = target.value.get("allOf") {
        for (index, part) in parts.iter().enumerate() {
            let part = Target {
                file: target.file.clone(),
                pointer: child(&target.pointer, &["allOf", &index.to_string()]),
                value: part.clone(),
            };
            let part = dereference(resolver, part)?;
            merge(resolver, part, path, shape)?;
        }
    }
    let mut restated = Vec::new();
    if let Some(Value::Object(properties)) = target.value.get("properties") {
        for (name, value) in properties {
            let property = Target {
                file: target.file.clone(),
                pointer: child(&target.pointer, &["properties", name]),
                value: value.clone(),
            };
            if shape.properties.iter().any(|(known, _)| known == name) {
                restated.push((name.clone(), property));
            } else {
                shape.properties.push((name.clone(), property));
            }
        }
    }
    if let Some(Value::Array(required)) = target.value.get("required") {
        shape
            .required
            .extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    path.pop();
    shape.parts.push((target, restated));
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    /// The resolver of a spec.yaml holding `document`, and its schema `name`.
    fn spec(document: Value, name: &str) -> (Resolver, Target) {
        let pointer = format!("/components/schemas/{name}");
        let target = Target {
            file: PathBuf::from("spec.yaml"),
            value: document
                .pointer(&pointer)
                .cloned()
                .expect("the test schema exists"),
            pointer,
        };
        (Resolver::new(Path::new("spec.yaml"), document), target)
    }

    #[test]
    fn parts_come_first_and_the_first_definition_wins() {
        let document = json!({"components": {"schemas": {
            "Base": {"properties": {"id": {"type": "string"}, "name": {"type": "string"}}, "required": ["id"]},
            "Pet": {
                "allOf": [{"$ref": "#/components/schemas/Base"}],
                "properties": {"name": {"type": "integer"}, "tag": {"type": "string"}},
                "required": ["tag"]
            }
        }}});
        let (mut resolver, pet) = spec(document, "Pet");
        let shape = merge_all_of(&mut resolver, pet).unwrap();
        let names: Vec<&str> = shape
            .properties
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names, ["id", "name", "tag"]);
        assert_eq!(shape.properties[1].1.value, json!({"type": "string"}));
        assert_eq!(shape.required, ["id", "tag"]);
        let parts: Vec<&str> = shape
            .parts
            .iter()
            .map(|(part, _)| part.pointer.as_str())
            .collect();
        assert_eq!(
            parts,
            ["/components/schemas/Base", "/components/schemas/Pet"]
        );
        let restated: Vec<&str> = shape.parts[1]
            .1
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(restated, ["name"]);
    }

    #[test]
    fn an_all_of_that_contains_itself_is_refused_with_the_chain() {
        let document = json!({"components": {"schemas": {
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}]},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}
        }}});
        let (mut resolver, a) = spec(document, "A");
        let error = merge_all_of(&mut resolver, a).err().expect("a cycle");
        assert!(
            error.to_string().contains(
                "/components/schemas/A → allOf → /components/schemas/B → allOf → /components/schemas/A"
            ),
            "{error}"
        );
    }
}
