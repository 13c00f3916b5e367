//! The OpenAPI front-end: an OpenAPI 3.0 or 3.1 spec (YAML or JSON) → per module (the first
//! tag of each resource and operation, or `--module`) the entity schema of its
//! resource-shaped APIs, which the entity-schema front-end turns into the [`crate::model`]
//! `Module` the scaffold renders (DESIGN §2), and its other operations.
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
mod object;
mod operations;
mod position;
mod refs;
mod resources;
mod version;
mod warning;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;
use toml::Table;

use crate::model::Name;
use crate::model::naming::snake_case;

pub use error::OpenApiError;
pub use operations::{Dto, DtoKind, Operation, Operations, SecurityScheme};
pub use version::Version;
pub use warning::{Summarised, Warning, summarise};

/// What a spec becomes.
#[derive(Debug)]
pub struct Translation {
    pub version: Version,
    /// The modules it is generated into, by name; empty when the spec has neither
    /// resources nor other operations.
    pub modules: Vec<ModuleTranslation>,
    /// Everything of the spec that is not generated, in spec order.
    pub warnings: Vec<Warning>,
}

/// What one module gets from a spec: the resources and the other operations whose first tag
/// names it (all of them with `--module`; untagged ones go to the default module).
#[derive(Debug)]
pub struct ModuleTranslation {
    pub module: String,
    /// The entity schema of its resources, in the entity-schema TOML format
    /// (docs/schema-format.md); `None` when it has none.
    pub schema: Option<String>,
    /// Its other operations; `None` when it has none.
    pub operations: Option<Operations>,
}

/// The parameter names of a path template, in path order: `/pets/{petId}/toys/{toy}` →
/// `petId`, `toy`.
fn path_parameter_names(path: &str) -> impl Iterator<Item = &str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// The name the entity schema translated from the spec at `spec` goes by in diagnostics; its
/// extension makes the schema front-end read it as TOML.
pub fn schema_origin(spec: &Path) -> PathBuf {
    PathBuf::from(format!("{} (as entity schema).toml", spec.display()))
}

/// Reads the spec at `path` and translates it into modules: everything into `module` when
/// given, else each resource and operation into the module of its first tag (untagged ones
/// into the first tag of the resources, else the spec's title).
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
    let mut translation = translate_document(source, path, module)
        .map_err(|error| error.with_line_column(path, source))?;
    position::locate_warnings(&mut translation.warnings, path, source);
    Ok(translation)
}

fn translate_document(
    source: &str,
    path: &Path,
    module: Option<&str>,
) -> Result<Translation, OpenApiError> {
    let file = path.display().to_string();
    let mut document = load::parse_file(source, path)?;
    let version = version::detect(&document, &file)?;
    let mut warnings = Vec::new();
    match version {
        Version::V3_1 => version::normalise_document(&mut document, &mut warnings),
        Version::V3_0 => version::normalise_3_1_forms_in_3_0(&mut document, &mut warnings),
    }
    let spec: openapiv3::OpenAPI = deserialize(&document, path, "")?;
    let mut resolver = refs::Resolver::new(path, document);
    let resources = resources::detect(&spec, &mut resolver, &mut warnings)?;
    let chooser = ModuleChooser {
        spec: &spec,
        file: &file,
        requested: module,
        resources_tag: resources
            .iter()
            .find_map(|resource| resource.tag.as_deref()),
        tag_spellings: RefCell::default(),
    };
    // Per module: its entities, and the operations found for it.
    let mut modules: BTreeMap<String, (Table, Vec<operations::FoundOperation>)> = BTreeMap::new();
    let mut entity_names = BTreeSet::new();
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
        if !entity_names.insert(draft.name.clone()) {
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
        let tag = resource.tag.as_deref().map(|tag| ModuleTag {
            tag,
            source_text: format!("the first tag of resource {}", resource.collection_path),
            pointer: warning::pointer(&["paths", &resource.collection_path]),
        });
        let module = chooser.module(tag)?;
        modules
            .entry(module)
            .or_default()
            .0
            .insert(draft.name, toml::Value::Table(draft.table));
    }
    for found in operations::find(&resolver, &resources, &mut warnings) {
        let tag = found.first_tag().map(|(tag, at)| ModuleTag {
            tag,
            source_text: format!(
                "the first tag of {} {} ({at})",
                found.method.to_uppercase(),
                found.path
            ),
            pointer: at,
        });
        let module = chooser.module(tag)?;
        modules.entry(module).or_default().1.push(found);
    }
    warnings.extend(chooser.shared_modules());
    let spec_name = path
        .file_name()
        .map_or_else(|| file.clone(), |name| name.to_string_lossy().into_owned());
    let mut translated = Vec::new();
    for (module, (entities, found)) in modules {
        let operations = operations::collect(
            &mut resolver,
            found,
            &taken_type_names(entities.keys()),
            &mut warnings,
        )?;
        let schema = if entities.is_empty() {
            None
        } else {
            Some(entity_schema(&module, entities, &spec_name, &file)?)
        };
        translated.push(ModuleTranslation {
            module,
            schema,
            operations,
        });
    }
    document_warnings(&spec, &translated, &mut warnings);
    // A part of the spec several operations meet (a shared security scheme) is warned about once.
    let mut seen = BTreeSet::new();
    warnings.retain(|warning| seen.insert((warning.pointer.clone(), warning.message.clone())));
    Ok(Translation {
        version,
        modules: translated,
        warnings,
    })
}

/// The entity schema (TOML) of `module` with `entities`, headed by where it comes from.
fn entity_schema(
    module: &str,
    entities: Table,
    spec_name: &str,
    file: &str,
) -> Result<String, OpenApiError> {
    let mut root = Table::new();
    root.insert("module".to_owned(), toml::Value::String(module.to_owned()));
    root.insert("entities".to_owned(), toml::Value::Table(entities));
    let body = toml::to_string(&root).map_err(|error| OpenApiError::Structure {
        file: file.to_owned(),
        pointer: String::new(),
        message: format!("cannot write the entity schema: {error}"),
    })?;
    Ok(format!(
        "# The entity schema of the OpenAPI spec {spec_name}, written by `axiomod generate scaffold --openapi`.\n\n{body}"
    ))
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
    modules: &[ModuleTranslation],
    warnings: &mut Vec<Warning>,
) {
    if modules.iter().any(|module| module.schema.is_some())
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
            modules
                .iter()
                .flat_map(|module| &module.operations)
                .any(|found| found.schemes.iter().any(|scheme| scheme.name == name))
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

/// Picks the module of each resource and operation.
struct ModuleChooser<'a> {
    spec: &'a openapiv3::OpenAPI,
    file: &'a str,
    /// `--module`: everything goes there.
    requested: Option<&'a str>,
    /// The first tag of the resources, the default module of untagged parts.
    resources_tag: Option<&'a str>,
    /// Per module chosen by a tag: each spelling of the tag and where it was first seen.
    tag_spellings: RefCell<BTreeMap<String, BTreeMap<String, String>>>,
}

/// The tag an operation or a resource asks for its module, with where it is: in words for
/// messages, and as a JSON pointer for warnings.
struct ModuleTag<'a> {
    tag: &'a str,
    source_text: String,
    pointer: String,
}

impl ModuleChooser<'_> {
    /// `--module`, else `tag`, else the first tag of the resources, else the spec's title; in
    /// snake_case, checked like a module name.
    fn module(&self, tag: Option<ModuleTag<'_>>) -> Result<String, OpenApiError> {
        let (candidate, source_text) = match (self.requested, tag, self.resources_tag) {
            (Some(module), _, _) => (module.to_owned(), "--module".to_owned()),
            (None, Some(tag), _) => {
                let module = snake_case(tag.tag);
                self.tag_spellings
                    .borrow_mut()
                    .entry(module.clone())
                    .or_default()
                    .entry(tag.tag.to_owned())
                    .or_insert(tag.pointer);
                (module, tag.source_text)
            }
            (None, None, Some(tag)) => {
                (snake_case(tag), "the first tag of the resources".to_owned())
            }
            (None, None, None) => (snake_case(&self.spec.info.title), "the title".to_owned()),
        };
        match Name::module(&candidate) {
            Ok(name) => Ok(name.snake),
            Err(_) => Err(OpenApiError::ModuleName {
                file: self.file.to_owned(),
                source_text,
                candidate,
            }),
        }
    }

    /// One warning per module that tags spelled differently (`Pets`, `pets`) share, pointing
    /// at the first use of the second spelling in name order.
    fn shared_modules(&self) -> Vec<Warning> {
        self.tag_spellings
            .borrow()
            .iter()
            .filter(|(_, spellings)| spellings.len() > 1)
            .map(|(module, spellings)| {
                let names: Vec<String> = spellings.keys().map(|tag| format!("`{tag}`")).collect();
                let pointer = spellings.values().nth(1).cloned().unwrap_or_default();
                Warning::new(
                    pointer,
                    format!(
                        "tags {} all become module `{module}`: their operations are generated into that one module (use one spelling, or --module)",
                        names.join(", ")
                    ),
                )
            })
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronym_plurals_in_tags_and_properties_are_one_word() {
        let spec = r##"
openapi: 3.0.3
info: {title: Directory, version: "1"}
paths:
  /providers:
    get:
      tags: [APIs]
      responses: {"200": {description: listed, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Provider"}}}}}}
    post:
      tags: [APIs]
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Provider"}}}}
      responses: {"201": {description: created}}
  /providers/{id}:
    get:
      tags: [APIs]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: found, content: {application/json: {schema: {$ref: "#/components/schemas/Provider"}}}}}
components:
  schemas:
    Provider: {type: object, properties: {numAPIs: {type: integer}}}
"##;
        let translation = translate_source(spec, Path::new("spec.yaml"), None).unwrap();
        let module = &translation.modules[0];
        assert_eq!(module.module, "apis");
        let schema: toml::Table = module.schema.as_deref().unwrap().parse().unwrap();
        let fields = &schema["entities"]["Provider"]["fields"];
        assert!(fields.get("num_apis").is_some(), "{schema}");
    }
}
