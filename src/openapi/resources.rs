//! Resource detection: a collection path (`/pets`) and an item path right below it
//! (`/pets/{id}`) whose operations read or write one object schema become one entity with the
//! scaffold's HTTP contract. Every other operation, and every part of a resource's operations
//! that contract does not have, becomes a warning.

use openapiv3::{OpenAPI, Operation, PathItem, ReferenceOr};
use serde_json::Value;

use super::error::OpenApiError;
use super::refs::{Resolver, Target};
use super::warning::{Warning, child, pointer};
use crate::model::LIST_PARAMETERS;

/// One resource-shaped pair of paths.
#[derive(Debug)]
pub struct Resource {
    pub collection_path: String,
    pub item_path: String,
    /// The object schema of one item.
    pub schema: Target,
    /// Where the schema was found, for messages: `GET /pets/{id} response 200`.
    pub schema_origin: String,
    /// Query parameters of the collection GET, with their pointers, to check against fields.
    pub query_parameters: Vec<(String, String)>,
    /// The first tag of its operations.
    pub tag: Option<String>,
}

/// The operations the scaffold serves and the status codes it answers them with.
const COLLECTION_OPERATIONS: &[(&str, &[&str])] = &[
    ("get", &["200", "400", "422"]),
    ("post", &["201", "400", "422"]),
];
const ITEM_OPERATIONS: &[(&str, &[&str])] = &[
    ("get", &["200", "304", "400", "404"]),
    ("put", &["200", "400", "404", "412", "422"]),
    ("patch", &["200", "400", "404", "412", "422"]),
    ("delete", &["200", "204", "400", "404", "412"]),
];

/// Finds the resources of `spec`; warns about every operation that is not part of one.
pub fn detect(
    spec: &OpenAPI,
    resolver: &mut Resolver,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Resource>, OpenApiError> {
    let mut resources = Vec::new();
    for (collection_path, collection) in spec.paths.iter() {
        let ReferenceOr::Item(collection) = collection else {
            continue;
        };
        let Some((item_path, ReferenceOr::Item(item))) = spec
            .paths
            .iter()
            .find(|(path, _)| is_item_of(path, collection_path))
        else {
            continue;
        };
        let Some((schema, schema_origin)) =
            entity_schema(resolver, collection_path, item_path, collection, item)?
        else {
            continue;
        };
        check_operations(
            resolver,
            collection_path,
            collection,
            COLLECTION_OPERATIONS,
            warnings,
        )?;
        check_operations(resolver, item_path, item, ITEM_OPERATIONS, warnings)?;
        let query_parameters = match &collection.get {
            Some(operation) => query_parameters(resolver, collection_path, operation)?,
            None => Vec::new(),
        };
        let tag = [&collection.get, &collection.post, &item.get]
            .into_iter()
            .flatten()
            .find_map(|operation| operation.tags.first().cloned());
        resources.push(Resource {
            tag,
            collection_path: collection_path.clone(),
            item_path: item_path.clone(),
            schema,
            schema_origin,
            query_parameters,
        });
    }
    Ok(resources)
}

/// Whether `path` is `collection` followed by exactly one `{parameter}` segment.
fn is_item_of(path: &str, collection: &str) -> bool {
    if collection.contains('{') {
        return false;
    }
    path.strip_prefix(collection.trim_end_matches('/'))
        .and_then(|rest| rest.strip_prefix("/{"))
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|parameter| !parameter.is_empty() && !parameter.contains(['/', '{', '}']))
}

fn operation_id(operation: &Operation) -> String {
    operation
        .operation_id
        .as_ref()
        .map_or_else(String::new, |id| format!(" ({id})"))
}

/// The item schema: from the item GET response, the collection POST response or request
/// body, or the items of the collection GET response, whichever comes first.
fn entity_schema(
    resolver: &mut Resolver,
    collection_path: &str,
    item_path: &str,
    collection: &PathItem,
    item: &PathItem,
) -> Result<Option<(Target, String)>, OpenApiError> {
    let candidates: [(&str, &str, bool, &[&str]); 5] = [
        (item_path, "get", item.get.is_some(), &["responses", "200"]),
        (
            collection_path,
            "post",
            collection.post.is_some(),
            &["responses", "201"],
        ),
        (
            collection_path,
            "post",
            collection.post.is_some(),
            &["responses", "200"],
        ),
        (
            collection_path,
            "post",
            collection.post.is_some(),
            &["requestBody"],
        ),
        (
            collection_path,
            "get",
            collection.get.is_some(),
            &["responses", "200"],
        ),
    ];
    for (path, method, present, keys) in candidates {
        if !present {
            continue;
        }
        let mut location = vec!["paths", path, method];
        location.extend(keys);
        let Some(body) = follow(resolver, &location)? else {
            continue;
        };
        let Some(schema) = json_schema(resolver, body)? else {
            continue;
        };
        let schema = if method == "get" && path == collection_path {
            match array_items(resolver, schema)? {
                Some(items) => items,
                None => continue,
            }
        } else {
            schema
        };
        if is_object(&schema.value) {
            let origin = format!("{} {path} {}", method.to_uppercase(), keys.join(" "));
            return Ok(Some((schema, origin)));
        }
    }
    Ok(None)
}

/// The value at `keys` of the root document, following `$ref`s on the way. Walks by pointer
/// and copies only the value found: specs can be megabytes.
fn follow(resolver: &mut Resolver, keys: &[&str]) -> Result<Option<Target>, OpenApiError> {
    let mut file = resolver.root_file().to_owned();
    let mut pointer = String::new();
    for key in keys {
        if let Some(reference) = resolver.reference_at(&file, &pointer) {
            let target = resolver.resolve(&file, &child(&pointer, &["$ref"]), &reference)?;
            (file, pointer) = (target.file, target.pointer);
        }
        pointer = child(&pointer, &[key]);
        if resolver.value_at(&file, &pointer).is_none() {
            return Ok(None);
        }
    }
    let value = resolver
        .value_at(&file, &pointer)
        .cloned()
        .unwrap_or_default();
    dereference(
        resolver,
        Target {
            file,
            pointer,
            value,
        },
    )
    .map(Some)
}

/// `target` itself, or what its `$ref` points at.
pub fn dereference(resolver: &mut Resolver, target: Target) -> Result<Target, OpenApiError> {
    match target.value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            resolver.resolve(&target.file, &child(&target.pointer, &["$ref"]), reference)
        }
        None => Ok(target),
    }
}

/// The schema of the JSON content of a response or request body.
fn json_schema(resolver: &mut Resolver, body: Target) -> Result<Option<Target>, OpenApiError> {
    let Some(Value::Object(content)) = body.value.get("content") else {
        return Ok(None);
    };
    let Some(media_type) = content.keys().find(|media_type| is_json(media_type)) else {
        return Ok(None);
    };
    let Some(schema) = content[media_type].get("schema").cloned() else {
        return Ok(None);
    };
    let target = Target {
        pointer: child(&body.pointer, &["content", media_type, "schema"]),
        file: body.file,
        value: schema,
    };
    dereference(resolver, target).map(Some)
}

fn array_items(resolver: &mut Resolver, schema: Target) -> Result<Option<Target>, OpenApiError> {
    if schema.value.get("type").and_then(Value::as_str) != Some("array") {
        return Ok(None);
    }
    let Some(items) = schema.value.get("items").cloned() else {
        return Ok(None);
    };
    let target = Target {
        pointer: child(&schema.pointer, &["items"]),
        file: schema.file,
        value: items,
    };
    dereference(resolver, target).map(Some)
}

pub fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// An object schema: `type: object`, properties, or an `allOf` that may hold them.
pub fn is_object(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
        || schema.get("properties").is_some()
        || schema.get("allOf").is_some()
}

/// Warns about the operations of one path that the scaffold does not serve as written.
fn check_operations(
    resolver: &mut Resolver,
    path: &str,
    item: &PathItem,
    served: &[(&str, &[&str])],
    warnings: &mut Vec<Warning>,
) -> Result<(), OpenApiError> {
    for (method, operation) in item.iter() {
        let at = pointer(&["paths", path, method]);
        let name = format!(
            "{} {path}{}",
            method.to_uppercase(),
            operation_id(operation)
        );
        let Some((_, statuses)) = served.iter().find(|(served, _)| *served == method) else {
            warnings.push(Warning::new(
                at,
                format!("{name}: not generated (the scaffold serves GET, POST, PATCH and DELETE)"),
            ));
            continue;
        };
        if method == "put" {
            warnings.push(Warning::new(
                at.clone(),
                format!("{name}: served as PATCH (partial update with If-Match) by the scaffold"),
            ));
        }
        for (callback, _) in &operation.callbacks {
            warnings.push(Warning::new(
                child(&at, &["callbacks", callback]),
                format!("{name}: callback `{callback}` not generated"),
            ));
        }
        if operation
            .security
            .as_ref()
            .is_some_and(|security| !security.is_empty())
        {
            warnings.push(Warning::new(
                child(&at, &["security"]),
                format!("{name}: security requirement not generated; protect the route yourself"),
            ));
        }
        if let Some(ReferenceOr::Item(body)) = &operation.request_body {
            for media_type in body
                .content
                .keys()
                .filter(|media_type| !is_json(media_type))
            {
                warnings.push(Warning::new(
                    child(&at, &["requestBody", "content", media_type]),
                    format!("{name}: request body `{media_type}` not generated (the scaffold reads JSON)"),
                ));
            }
        }
        for (status, _) in &operation.responses.responses {
            let status = status.to_string();
            if !statuses.contains(&status.as_str()) {
                warnings.push(Warning::new(
                    child(&at, &["responses", &status]),
                    format!(
                        "{name}: response {status} not generated (answers: {})",
                        statuses.join(", ")
                    ),
                ));
            }
        }
        if operation.responses.default.is_some() {
            warnings.push(Warning::new(
                child(&at, &["responses", "default"]),
                format!("{name}: default response not generated: errors are RFC 9457 problem+json"),
            ));
        }
        for index in 0..operation.parameters.len() {
            let keys = ["paths", path, method, "parameters", &index.to_string()];
            let Some(parameter) = follow(resolver, &keys)? else {
                continue;
            };
            let kind = parameter.value.get("in").and_then(Value::as_str);
            if let Some(kind @ ("header" | "cookie")) = kind {
                let parameter_name = parameter.value.get("name").and_then(Value::as_str);
                warnings.push(Warning::new(
                    resolver.locate(&parameter.file, &parameter.pointer),
                    format!(
                        "{name}: {kind} parameter `{}` not generated",
                        parameter_name.unwrap_or_default()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The query parameters of the collection GET (resolved), as (name, pointer).
fn query_parameters(
    resolver: &mut Resolver,
    path: &str,
    operation: &Operation,
) -> Result<Vec<(String, String)>, OpenApiError> {
    let mut parameters = Vec::new();
    for index in 0..operation.parameters.len() {
        let keys = ["paths", path, "get", "parameters", &index.to_string()];
        let Some(parameter) = follow(resolver, &keys)? else {
            continue;
        };
        if parameter.value.get("in").and_then(Value::as_str) == Some("query")
            && let Some(name) = parameter.value.get("name").and_then(Value::as_str)
            && !LIST_PARAMETERS.contains(&name)
        {
            parameters.push((
                name.to_owned(),
                resolver.locate(&parameter.file, &parameter.pointer),
            ));
        }
    }
    Ok(parameters)
}
