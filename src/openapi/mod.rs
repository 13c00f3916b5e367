//! The OpenAPI front-end: an OpenAPI 3.0 or 3.1 spec (YAML or JSON) → the entity schema of its
//! resource-shaped APIs, which the entity-schema front-end turns into the [`crate::model`]
//! `Module` the scaffold renders (DESIGN §2).
//!
//! Going through the entity-schema format keeps one validator and makes the copy kept under
//! `.axiomod/schemas/` an ordinary entity schema, which later runs re-read like any other.
//!
//! Steps, one file each: `load` (YAML/JSON, line:col errors), `version` (detection, 3.1 → 3.0
//! normalisation), `refs` ($ref resolution across files), `resources` (collection + item path
//! pairs), `entity` (object schema → entity fields), `operations` (every other operation →
//! handlers, DTOs and a service trait), `warning` (what is not generated).

pub mod compare;
mod entity;
mod error;
mod load;
mod operations;
mod refs;
mod resources;
mod version;
mod warning;

use std::path::Path;

use heck::ToSnakeCase;
use serde::de::DeserializeOwned;
use serde_json::Value;
use toml::Table;

use crate::model::Name;

pub use error::OpenApiError;
pub use operations::{Dto, DtoKind, Operation, Operations, SecurityScheme};
pub use version::Version;
pub use warning::Warning;

/// What a spec becomes.
#[derive(Debug)]
pub struct Translation {
    pub version: Version,
    /// The entity schema (TOML) of the spec's resources; `None` when it has none.
    pub schema: Option<EntitySchema>,
    /// The spec's other operations, generated in the same module; `None` when it has none.
    pub operations: Option<Operations>,
    /// Everything of the spec that is not generated, in spec order.
    pub warnings: Vec<Warning>,
}

/// An entity schema written from a spec.
#[derive(Debug)]
pub struct EntitySchema {
    pub module: String,
    /// The file, in the entity-schema TOML format (docs/schema-format.md).
    pub toml: String,
}

/// Reads the spec at `path` and translates its resources into an entity schema for module
/// `module` (default: the first tag of the first resource, else the spec's title).
pub fn translate(path: &Path, module: Option<&str>) -> Result<Translation, OpenApiError> {
    let source = std::fs::read_to_string(path).map_err(|source| OpenApiError::Read {
        path: path.to_owned(),
        source,
    })?;
    translate_source(&source, path, module)
}

/// [`translate`] for a spec already read: `path` names it in messages and is where relative
/// `$ref`s start from.
pub fn translate_source(
    source: &str,
    path: &Path,
    module: Option<&str>,
) -> Result<Translation, OpenApiError> {
    let file = path.display().to_string();
    let mut document = load::parse_file(source, path)?;
    let version = version::detect(&document, &file)?;
    let mut warnings = Vec::new();
    if version == Version::V3_1 {
        version::normalise_document(&mut document, &mut warnings);
    }
    let spec: openapiv3::OpenAPI = deserialize(&document, path, "")?;
    let mut resolver = refs::Resolver::new(path, document);
    let resources = resources::detect(&spec, &mut resolver, &mut warnings)?;
    let mut entities = Table::new();
    for resource in &resources {
        let Some(draft) = entity::build(&mut resolver, resource, &mut warnings)? else {
            continue;
        };
        for (parameter, at) in &resource.query_parameters {
            if !draft.filters.iter().any(|field| field == parameter) {
                warnings.push(Warning::new(
                    at.clone(),
                    format!(
                        "query parameter `{parameter}` of GET {} not generated (the list filters on scalar fields by equality)",
                        resource.collection_path
                    ),
                ));
            }
        }
        if entities.contains_key(&draft.name) {
            warnings.push(Warning::new(
                resolver.locate(&resource.schema.file, &resource.schema.pointer),
                format!(
                    "resource {} not generated: entity `{}` already comes from another path",
                    resource.collection_path, draft.name
                ),
            ));
            continue;
        }
        warnings.push(Warning::new(
            warning::pointer(&["paths", &resource.collection_path]),
            format!(
                "resource {} + {} is entity `{}` (schema from {}), served under /api/v1/ by the scaffold",
                resource.collection_path, resource.item_path, draft.name, resource.schema_origin
            ),
        ));
        entities.insert(draft.name, toml::Value::Table(draft.table));
    }
    let operations = operations::collect(
        &mut resolver,
        &resources,
        &taken_type_names(entities.keys()),
        &mut warnings,
    )?;
    document_warnings(
        &spec,
        !entities.is_empty(),
        operations.as_ref(),
        &mut warnings,
    );
    if entities.is_empty() {
        // Operations are generated into the module of the resources; without one there is
        // no module to put them in yet.
        for operation in operations.iter().flat_map(|found| &found.operations) {
            warnings.push(Warning::new(
                warning::pointer(&["paths", &operation.spec_path, &operation.method]),
                format!(
                    "{} {} ({}): not generated, the spec has no resource to make a module of",
                    operation.method.to_uppercase(),
                    operation.spec_path,
                    operation.operation_id
                ),
            ));
        }
        return Ok(Translation {
            version,
            schema: None,
            operations: None,
            warnings,
        });
    }
    let tag = resources
        .iter()
        .find_map(|resource| resource.tag.as_deref())
        .or_else(|| operations.as_ref().and_then(|found| found.tag.as_deref()));
    let module = module_name(&spec, tag, &file, module)?;
    let mut root = Table::new();
    root.insert("module".to_owned(), toml::Value::String(module.clone()));
    root.insert("entities".to_owned(), toml::Value::Table(entities));
    let body = toml::to_string(&root).map_err(|error| OpenApiError::Structure {
        file: file.clone(),
        pointer: String::new(),
        message: format!("cannot write the entity schema: {error}"),
    })?;
    let spec_name = path
        .file_name()
        .map_or_else(|| file.clone(), |name| name.to_string_lossy().into_owned());
    let toml = format!(
        "# The entity schema of the OpenAPI spec {spec_name}, written by `axiomod generate scaffold --openapi`.\n\n{body}"
    );
    Ok(Translation {
        version,
        schema: Some(EntitySchema { module, toml }),
        operations,
        warnings,
    })
}

/// The type names the module's generated code already uses: the scaffold's DTOs of each
/// entity and the problem types. Operation DTOs are named around them.
fn taken_type_names<'a>(entities: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut taken = vec!["Problem".to_owned(), "FieldError".to_owned()];
    for entity in entities {
        for form in ["Create{}Request", "Update{}Request", "{}Response", "{}Page"] {
            taken.push(form.replace("{}", entity));
        }
    }
    taken
}

/// Parts of the document as a whole that are not generated: security of the resource
/// routes, schemes no generated operation uses, callbacks.
fn document_warnings(
    spec: &openapiv3::OpenAPI,
    has_resources: bool,
    operations: Option<&Operations>,
    warnings: &mut Vec<Warning>,
) {
    if has_resources
        && spec
            .security
            .as_ref()
            .is_some_and(|security| !security.is_empty())
    {
        warnings.push(Warning::new(
            "/security".to_owned(),
            "security requirements of the resource routes not generated; protect those routes yourself",
        ));
    }
    if let Some(components) = &spec.components {
        let used = |name: &str| {
            operations.is_some_and(|found| found.schemes.iter().any(|scheme| scheme.name == name))
        };
        for name in components
            .security_schemes
            .keys()
            .filter(|name| !used(name))
        {
            warnings.push(Warning::new(
                warning::pointer(&["components", "securitySchemes", name]),
                format!("security scheme `{name}` not generated: no generated operation uses it"),
            ));
        }
        for name in components.callbacks.keys() {
            warnings.push(Warning::new(
                warning::pointer(&["components", "callbacks", name]),
                format!("callback `{name}` not generated"),
            ));
        }
    }
}

/// `--module`, else the first tag of a resource operation, else the spec's title, snake_case.
fn module_name(
    spec: &openapiv3::OpenAPI,
    tag: Option<&str>,
    file: &str,
    requested: Option<&str>,
) -> Result<String, OpenApiError> {
    let (candidate, source_text) = match requested {
        Some(module) => (module.to_owned(), "--module"),
        None => match tag {
            Some(tag) => (tag.to_snake_case(), "the first tag"),
            None => (spec.info.title.to_snake_case(), "the title"),
        },
    };
    match Name::module(&candidate) {
        Ok(name) => Ok(name.snake),
        Err(_) => Err(OpenApiError::ModuleName {
            file: file.to_owned(),
            source_text,
            candidate,
        }),
    }
}

/// Reads `value` (at `pointer` of `file`) as an openapiv3 type; a mismatch names the JSON
/// pointer of the offending part.
fn deserialize<T: DeserializeOwned>(
    value: &Value,
    file: &Path,
    pointer: &str,
) -> Result<T, OpenApiError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let keys: Vec<String> = error
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        OpenApiError::Structure {
            file: file.display().to_string(),
            pointer: warning::child(pointer, &keys),
            message: error.inner().to_string(),
        }
    })
}
