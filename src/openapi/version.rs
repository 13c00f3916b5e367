//! Which OpenAPI version a document is, and OpenAPI 3.1 → 3.0 normalisation, so one reader
//! (the openapiv3 crate, which reads 3.0) handles both.
//!
//! 3.1 schemas are JSON Schema 2020-12; the parts a 3.0 reader cannot hold are rewritten:
//! `type: [T, "null"]` → `type: T, nullable: true`; `const: v` → `enum: [v]`; an `examples`
//! list → its first item as `example`; numeric `exclusiveMinimum`/`exclusiveMaximum` → the
//! bound plus the 3.0 boolean; `anyOf`/`oneOf: [S, {type: "null"}]` → `S` + `nullable`.
//! `webhooks` have no 3.0 form: they are removed and warned about.

use serde_json::{Map, Value};

use super::error::OpenApiError;
use super::warning::{Warning, pointer};

/// The major.minor versions axiomod reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V3_0,
    V3_1,
}

/// Reads the version of the document at the top of `file`.
pub(super) fn detect(document: &Value, file: &str) -> Result<Version, OpenApiError> {
    if document.get("swagger").is_some() {
        return Err(OpenApiError::Swagger2 {
            file: file.to_owned(),
        });
    }
    let version = match document.get("openapi") {
        Some(Value::String(version)) => version.clone(),
        Some(other) => other.to_string(),
        None => {
            return Err(OpenApiError::MissingVersion {
                file: file.to_owned(),
            });
        }
    };
    let mut parts = version.split('.');
    match (parts.next(), parts.next()) {
        (Some("3"), Some("0")) => Ok(Version::V3_0),
        (Some("3"), Some("1")) => Ok(Version::V3_1),
        _ => Err(OpenApiError::UnsupportedVersion {
            file: file.to_owned(),
            version,
        }),
    }
}

/// Rewrites a 3.1 document in place into the 3.0 form; adds a warning per webhook.
pub(super) fn normalise_document(document: &mut Value, warnings: &mut Vec<Warning>) {
    let Some(root) = document.as_object_mut() else {
        return;
    };
    root.insert("openapi".to_owned(), Value::from("3.0.3"));
    if let Some(Value::Object(webhooks)) = root.remove("webhooks") {
        for name in webhooks.keys() {
            warnings.push(Warning::new(
                pointer(&["webhooks", name]),
                "webhook not generated: OpenAPI 3.1 webhooks describe requests the service sends, which axiomod does not generate",
            ));
        }
    }
    // `paths` and an operation's `responses` are optional in 3.1 and required in 3.0.
    let paths = root
        .entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    for item in paths
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
    {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            if let Some(Value::Object(operation)) = item.get_mut(method) {
                operation
                    .entry("responses")
                    .or_insert_with(|| Value::Object(Map::new()));
            }
        }
    }
    normalise_schema_positions(document);
}

/// Reads the 3.1 schema forms that some 3.0 documents use anyway (a `{type: "null"}` member of
/// `anyOf`, type lists, `const`) as their 3.0 equivalents, with one warning; they are not
/// 3.0, and without this a null member would be read as "any value". Leaves a valid 3.0
/// document as it is.
pub(super) fn normalise_3_1_forms_in_3_0(document: &mut Value, warnings: &mut Vec<Warning>) {
    let before = document.clone();
    normalise_schema_positions(document);
    if *document != before {
        warnings.push(Warning::new(
            pointer(&["openapi"]),
            "this 3.0 document uses OpenAPI 3.1 schema forms (`type: 'null'`, a list of types, `const`, `examples`, numeric exclusive bounds); they were read as their 3.0 equivalents (`nullable`, `enum`, `example`); declare `openapi: 3.1.0`, or write them the 3.0 way",
        ));
    }
}

/// Finds the schemas of a document (`schema` keys, `components.schemas`) and normalises each.
fn normalise_schema_positions(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if key == "schema" {
                    normalise_schema(child);
                } else if key == "components" {
                    if let Some(Value::Object(schemas)) = child.get_mut("schemas") {
                        schemas.values_mut().for_each(normalise_schema);
                    }
                    normalise_schema_positions(child);
                } else {
                    normalise_schema_positions(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise_schema_positions),
        _ => {}
    }
}

/// Normalises one 3.1 schema and the schemas inside it. Idempotent, and harmless on 3.0.
pub(super) fn normalise_schema(schema: &mut Value) {
    let Value::Object(object) = schema else {
        return;
    };
    if let Some(Value::Array(types)) = object.get("type") {
        let nullable = types.iter().any(|kind| kind == "null");
        let others: Vec<Value> = types
            .iter()
            .filter(|kind| *kind != "null")
            .cloned()
            .collect();
        match others.as_slice() {
            [] => {
                object.remove("type");
            }
            [single] => {
                object.insert("type".to_owned(), single.clone());
            }
            // Several types: any value of them; 3.0 has no such schema.
            _ => {
                object.remove("type");
            }
        }
        if nullable {
            object.insert("nullable".to_owned(), Value::Bool(true));
        }
    }
    if let Some(constant) = object.remove("const") {
        object.insert("enum".to_owned(), Value::Array(vec![constant]));
    }
    if let Some(Value::Array(examples)) = object.get("examples") {
        if let Some(first) = examples.first().cloned() {
            object.entry("example").or_insert(first);
        }
        object.remove("examples");
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(limit) = object
            .get(exclusive)
            .filter(|limit| limit.is_number())
            .cloned()
        {
            object.insert(bound.to_owned(), limit);
            object.insert(exclusive.to_owned(), Value::Bool(true));
        }
    }
    for key in ["properties", "patternProperties", "$defs"] {
        if let Some(Value::Object(children)) = object.get_mut(key) {
            children.values_mut().for_each(normalise_schema);
        }
    }
    for key in ["allOf", "oneOf", "anyOf", "prefixItems"] {
        if let Some(Value::Array(children)) = object.get_mut(key) {
            children.iter_mut().for_each(normalise_schema);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = object.get_mut(key) {
            normalise_schema(child);
        }
    }
    collapse_null_union(object);
}

/// An `anyOf`/`oneOf` of one schema and `{type: "null"}` (how pydantic, among others, writes
/// an optional value) becomes that schema with `nullable`; a `$ref` member becomes the 3.0
/// idiom `allOf: [$ref]`. The schema's own keys win over the member's.
fn collapse_null_union(object: &mut Map<String, Value>) {
    let is_null = |member: &Value| {
        member
            .as_object()
            .is_some_and(|member| member.len() == 1 && member.get("type") == Some(&"null".into()))
    };
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = object.get(keyword) else {
            continue;
        };
        let member = match members.as_slice() {
            [null, member] | [member, null] if is_null(null) && !is_null(member) => member.clone(),
            _ => continue,
        };
        object.remove(keyword);
        object.insert("nullable".to_owned(), Value::Bool(true));
        if member.get("$ref").is_some() {
            if let Value::Array(parts) = object
                .entry("allOf")
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                parts.push(member);
            }
        } else if let Value::Object(member) = member {
            for (key, value) in member {
                object.entry(key).or_insert(value);
            }
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn versions() {
        assert!(matches!(
            detect(&json!({"openapi": "3.0.3"}), "f"),
            Ok(Version::V3_0)
        ));
        assert!(matches!(
            detect(&json!({"openapi": "3.1.0"}), "f"),
            Ok(Version::V3_1)
        ));
        assert!(matches!(
            detect(&json!({"swagger": "2.0"}), "f"),
            Err(OpenApiError::Swagger2 { .. })
        ));
        assert!(matches!(
            detect(&json!({"openapi": "4.0.0"}), "f"),
            Err(OpenApiError::UnsupportedVersion { .. })
        ));
        assert!(matches!(
            detect(&json!({"info": {}}), "f"),
            Err(OpenApiError::MissingVersion { .. })
        ));
    }

    #[test]
    fn schemas_are_rewritten_into_3_0_form() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": ["string", "null"], "examples": ["Rex"]},
                "kind": {"const": "dog"},
                "age": {"type": "integer", "exclusiveMinimum": 0},
                "const": {"type": "string"}
            }
        });
        normalise_schema(&mut schema);
        assert_eq!(
            schema["properties"]["name"],
            json!({"type": "string", "nullable": true, "example": "Rex"})
        );
        assert_eq!(schema["properties"]["kind"], json!({"enum": ["dog"]}));
        assert_eq!(
            schema["properties"]["age"],
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true})
        );
        assert_eq!(schema["properties"]["const"], json!({"type": "string"}));
        let again = schema.clone();
        normalise_schema(&mut schema);
        assert_eq!(schema, again);
    }

    #[test]
    fn a_union_of_one_schema_and_null_is_that_schema_nullable() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "title": {"anyOf": [{"type": "string", "maxLength": 255}, {"type": "null"}], "title": "Title"},
                "kind": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Kind"}]},
                "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
            }
        });
        normalise_schema(&mut schema);
        assert_eq!(
            schema["properties"]["title"],
            json!({"type": "string", "maxLength": 255, "nullable": true, "title": "Title"})
        );
        assert_eq!(
            schema["properties"]["kind"],
            json!({"allOf": [{"$ref": "#/components/schemas/Kind"}], "nullable": true})
        );
        assert_eq!(
            schema["properties"]["either"],
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
        let again = schema.clone();
        normalise_schema(&mut schema);
        assert_eq!(schema, again);
    }

    #[test]
    fn forms_of_3_1_in_a_3_0_document_are_read_with_one_warning() {
        let mut document = json!({"openapi": "3.0.3", "components": {"schemas": {"Pet": {
            "properties": {
                "tag": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "kind": {"type": ["string", "null"]},
            }
        }}}});
        let mut warnings = Vec::new();
        normalise_3_1_forms_in_3_0(&mut document, &mut warnings);
        let properties = &document["components"]["schemas"]["Pet"]["properties"];
        assert_eq!(
            properties["tag"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            properties["kind"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].pointer, "/openapi");

        let valid = json!({"openapi": "3.0.3", "components": {"schemas": {"Pet": {
            "properties": {"tag": {"type": "string", "nullable": true, "exclusiveMinimum": true}}
        }}}});
        let mut unchanged = valid.clone();
        let mut warnings = Vec::new();
        normalise_3_1_forms_in_3_0(&mut unchanged, &mut warnings);
        assert_eq!(unchanged, valid);
        assert!(warnings.is_empty());
    }

    #[test]
    fn webhooks_are_warned_and_paths_added() {
        let mut document = json!({"openapi": "3.1.0", "webhooks": {"newPet": {}}});
        let mut warnings = Vec::new();
        normalise_document(&mut document, &mut warnings);
        assert_eq!(document["openapi"], "3.0.3");
        assert_eq!(document["paths"], json!({}));
        assert_eq!(warnings[0].pointer, "/webhooks/newPet");
    }
}
