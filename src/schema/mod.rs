//! The entity schema front-end: TOML or YAML schema files (DESIGN §4, docs/schema-format.md)
//! → a validated [`Module`] of the [`crate::model`].
//!
//! ```no_run
//! use std::path::Path;
//! let module = axiomod::schema::load(Path::new("schemas/examples/shop.toml"), &[])?;
//! assert_eq!(module.name.snake, "sales");
//! # Ok::<(), miette::Report>(())
//! ```
//!
//! Parsing turns either format into one spanned document tree (`document`), which a single
//! validator (`build`) turns into the model, collecting every problem with the span of the
//! offending key or value.

mod build;
mod cycles;
mod document;
mod error;
mod toml;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::NamedSource;

use crate::model::{ExistingEntity, Module};

pub use error::{ErrorKind, SchemaError, SchemaErrors};

/// The spanned YAML reader, for the OpenAPI front-end's `file:line:col` of a JSON pointer.
pub(crate) use build::reserved_field;
pub(crate) use document::{Node as SpannedNode, Value as SpannedValue};
pub(crate) use yaml::parse as parse_spanned_yaml;

/// The syntax of a schema file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

impl Format {
    /// From the extension: `.toml`, `.yaml` or `.yml`.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Toml => "TOML",
            Format::Yaml => "YAML",
        }
    }
}

/// A schema file that could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error("cannot read schema file {}", path.display())]
    #[diagnostic(
        code(axiomod::schema::read),
        help("check the path and its permissions")
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a schema file", path.display())]
    #[diagnostic(
        code(axiomod::schema::extension),
        help("schema files end in .toml, .yaml or .yml")
    )]
    UnknownExtension { path: PathBuf },
}

/// Reads and validates the schema file at `path` (format from its extension).
///
/// `existing` lists the entities already in the project: `ref` fields may point at them (with
/// `module = "<their module>"` when it differs from the file's). Errors are miette reports
/// with the file name, line, column and a hint; all problems of the file are reported at once.
pub fn load(path: &Path, existing: &[ExistingEntity]) -> miette::Result<Module> {
    Format::from_path(path).ok_or_else(|| LoadError::UnknownExtension {
        path: path.to_owned(),
    })?;
    let source = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    load_str(&source, path, existing)
}

/// Validates `source`, the text of a schema file at `path` (whose extension gives the format
/// and which diagnostics name), like [`load`] without reading the file.
pub fn load_str(source: &str, path: &Path, existing: &[ExistingEntity]) -> miette::Result<Module> {
    let format = Format::from_path(path).ok_or_else(|| LoadError::UnknownExtension {
        path: path.to_owned(),
    })?;
    parse_str(source, &path.display().to_string(), format, existing)
        .map_err(SchemaErrors::into_report)
}

/// Validates schema `source`; `file_name` is shown in diagnostics.
pub fn parse_str(
    source: &str,
    file_name: &str,
    format: Format,
    existing: &[ExistingEntity],
) -> Result<Module, SchemaErrors> {
    let named = NamedSource::new(file_name, Arc::<str>::from(source));
    let parsed = match format {
        Format::Toml => toml::parse(source),
        Format::Yaml => yaml::parse(source),
    };
    let fail = |errors| SchemaErrors {
        file: file_name.to_owned(),
        errors,
    };
    let (root, duplicates) = parsed.map_err(|syntax| {
        let kind = ErrorKind::Syntax {
            format: format.name(),
            message: syntax.message,
        };
        fail(vec![SchemaError::new(kind, syntax.span, named.clone())])
    })?;
    build::build(&root, &duplicates, named, existing).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project_file(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    /// A schema file as the JSON value an editor's language server validates.
    fn as_json(path: &Path) -> serde_json::Value {
        let source = std::fs::read_to_string(path).unwrap();
        let (root, duplicates) = match Format::from_path(path).unwrap() {
            Format::Toml => toml::parse(&source).unwrap(),
            Format::Yaml => yaml::parse(&source).unwrap(),
        };
        assert!(duplicates.is_empty());
        root.to_json().unwrap()
    }

    #[test]
    fn examples_follow_the_json_schema_and_invalid_files_do_not() {
        let schema = std::fs::read_to_string(project_file("schemas/entity-schema.json")).unwrap();
        let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
        let validator = jsonschema::draft202012::new(&schema).expect("the JSON Schema compiles");
        for name in ["shop.toml", "shop.yaml", "support.toml", "support.yaml"] {
            let instance = as_json(&project_file("schemas/examples").join(name));
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|error| error.to_string())
                .collect();
            assert!(errors.is_empty(), "{name}: {errors:?}");
        }
        let invalid = [
            (
                "missing module",
                r#"{"entities": {"Order": {"fields": {}}}}"#,
            ),
            (
                "unknown type",
                r#"{"module": "sales", "entities": {"Order": {"fields": {"a": {"type": "money"}}}}}"#,
            ),
            (
                "unknown key",
                r#"{"module": "sales", "entities": {"Order": {"fields": {"a": {"type": "i64", "maxx": 1}}}}}"#,
            ),
            (
                "tenant scoped",
                r#"{"module": "sales", "entities": {"Order": {"tenant_scoped": true, "fields": {}}}}"#,
            ),
            (
                "bad event",
                r#"{"module": "sales", "entities": {"Order": {"events": ["removed"], "fields": {}}}}"#,
            ),
            (
                "enum without values",
                r#"{"module": "sales", "entities": {"Order": {"fields": {"s": {"type": "enum"}}}}}"#,
            ),
            (
                "ref without entity",
                r#"{"module": "sales", "entities": {"Order": {"fields": {"c": {"type": "ref"}}}}}"#,
            ),
            (
                "max_length on i64",
                r#"{"module": "sales", "entities": {"Order": {"fields": {"a": {"type": "i64", "max_length": 3}}}}}"#,
            ),
            (
                "values on string",
                r#"{"module": "sales", "entities": {"Order": {"fields": {"a": {"type": "string", "values": ["x"]}}}}}"#,
            ),
            (
                "entity not PascalCase",
                r#"{"module": "sales", "entities": {"order": {"fields": {}}}}"#,
            ),
            (
                "field not snake_case",
                r#"{"module": "sales", "entities": {"Order": {"fields": {"Total": {"type": "i64"}}}}}"#,
            ),
            (
                "bad format",
                r#"{"module": "sales", "entities": {"Order": {"fields": {"a": {"type": "string", "format": "phone"}}}}}"#,
            ),
        ];
        for (what, instance) in invalid {
            let instance: serde_json::Value = serde_json::from_str(instance).unwrap();
            assert!(!validator.is_valid(&instance), "{what} must be invalid");
        }
    }

    /// The JSON Schema lists exactly the keys, types and events the validator accepts.
    #[test]
    fn json_schema_matches_the_validator() {
        let schema = std::fs::read_to_string(project_file("schemas/entity-schema.json")).unwrap();
        let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
        let keys = |object: &serde_json::Value| -> Vec<String> {
            object["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let sorted = |list: &[&str]| {
            let mut list: Vec<String> = list.iter().map(|item| item.to_string()).collect();
            list.sort();
            list
        };
        let sorted_keys = |object: &serde_json::Value| {
            let mut list = keys(object);
            list.sort();
            list
        };
        assert_eq!(sorted_keys(&schema), sorted(build::TOP_KEYS));
        assert_eq!(
            sorted_keys(&schema["$defs"]["entity"]),
            sorted(build::ENTITY_KEYS)
        );
        assert_eq!(
            sorted_keys(&schema["$defs"]["field"]),
            sorted(build::FIELD_KEYS)
        );
        let types: Vec<&str> = schema["$defs"]["field"]["properties"]["type"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_str().unwrap())
            .collect();
        assert_eq!(types, build::FIELD_TYPES);
        let events: Vec<&str> = schema["$defs"]["entity"]["properties"]["events"]["items"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_str().unwrap())
            .collect();
        assert_eq!(events, build::EVENTS);
    }
}
