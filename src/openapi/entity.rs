//! One resource's object schema → one entity of the entity-schema format: its properties
//! (`allOf` merged) become fields with their types and constraints. What a field cannot carry
//! is warned about with the property's JSON pointer.

use openapiv3::{
    IntegerFormat, Schema, SchemaKind, StringFormat, StringType, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;
use toml::Table;

use super::error::OpenApiError;
use super::object::{Shape, merge_all_of};
use super::refs::{Resolver, Target};
use super::resources::{Resource, dereference, is_object};
use super::version::normalise_schema;
use super::warning::{Warning, child};
use crate::model::naming::{pascal_case, snake_case};
use crate::model::{EnumVariant, IMPLICIT_FIELDS, LIST_PARAMETERS, Name};

/// Properties that map onto the implicit fields of every entity, by their snake_case name.
const IMPLICIT_PROPERTIES: &[&str] = &["id", "created_at", "updated_at"];
/// Most `allOf: [one schema]` wrappers followed for one property; more is a cycle.
const MAX_WRAPPERS: usize = 64;
/// Same limit as the schema front-end, so a hostile pattern cannot exhaust memory.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// An entity of the entity schema, built from a resource.
pub struct EntityDraft {
    pub name: String,
    /// The entity's table in the entity-schema format (`fields`).
    pub table: Table,
    /// Field names the generated list operation can filter on (`?status=paid`).
    pub filters: Vec<String>,
}

/// Builds the entity of `resource`; `None` (with a warning) when it has no usable name.
pub fn build(
    resolver: &mut Resolver,
    resource: &Resource,
    warnings: &mut Vec<Warning>,
) -> Result<Option<EntityDraft>, OpenApiError> {
    let schema_at = resolver.locate(&resource.schema.file, &resource.schema.pointer);
    let Some(name) = entity_name(resolver, resource) else {
        warnings.push(Warning::new(
            schema_at,
            format!(
                "resource {} not generated: no valid entity name can be derived from its schema or path",
                resource.collection_path
            ),
        ));
        return Ok(None);
    };
    let shape = merge_all_of(resolver, resource.schema.clone())?;
    warn_unmerged(resolver, &shape, warnings);
    let mut fields = Table::new();
    let mut filters = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for (property, target) in &shape.properties {
        let at = resolver.locate(&target.file, &target.pointer);
        let required = shape.required.contains(property);
        let target = dereference(resolver, target.clone())?;
        let snake = snake_case(property);
        if IMPLICIT_PROPERTIES.contains(&snake.as_str()) {
            warnings.push(Warning::new(
                at,
                format!(
                    "property `{property}` is the implicit `{snake}` of every entity ({})",
                    if snake == "id" {
                        "a UUID v7"
                    } else {
                        "a timestamp"
                    }
                ),
            ));
            continue;
        }
        let schema = typed(&target)?;
        if schema.schema_data.write_only {
            warnings.push(Warning::new(
                at,
                format!("property `{property}` is writeOnly: not generated (the scaffold returns every field it stores)"),
            ));
            continue;
        }
        let Some(field_name) = field_name(&snake, &used) else {
            warnings.push(Warning::new(
                at,
                format!("property `{property}` not generated: no Rust identifier can be derived from its name"),
            ));
            continue;
        };
        if field_name != *property {
            warnings.push(Warning::new(
                at.clone(),
                format!("property `{property}` is `{field_name}` in the generated API and table"),
            ));
        }
        used.push(field_name.clone());
        let mut field = Field {
            table: Table::new(),
            at,
            warnings,
            wrappers_followed: 0,
        };
        field.kind(
            resolver,
            &target,
            &schema,
            &format!("{}.{field_name}", name),
        )?;
        let optional = !required || schema.schema_data.nullable || schema.schema_data.read_only;
        if schema.schema_data.read_only {
            field.warn(format!(
                "property `{property}` is readOnly: the generated API accepts it as an optional field"
            ));
        }
        if optional {
            field
                .table
                .insert("optional".to_owned(), toml::Value::Boolean(true));
        }
        if field.table.get("type").and_then(toml::Value::as_str) != Some("json") {
            filters.push(field_name.clone());
        }
        fields.insert(field_name, toml::Value::Table(field.table));
    }
    let mut table = Table::new();
    table.insert("fields".to_owned(), toml::Value::Table(fields));
    Ok(Some(EntityDraft {
        name,
        table,
        filters,
    }))
}

/// The component name of the schema (`Pet`), else the collection path's last segment in the
/// singular (`/pets` → `Pet`); a name Rust reserves gets a `Resource` suffix.
fn entity_name(resolver: &Resolver, resource: &Resource) -> Option<String> {
    let schema = &resource.schema;
    let component =
        schema.file != resolver.root_file() || schema.pointer.starts_with("/components/schemas/");
    let base = match schema.name().filter(|_| component) {
        Some(name) => name,
        None => {
            let segment = resource
                .collection_path
                .rsplit('/')
                .find(|segment| !segment.is_empty())?;
            singular(segment)
        }
    };
    let pascal = pascal_case(&base);
    [pascal.clone(), format!("{pascal}Resource")]
        .into_iter()
        .find(|candidate| Name::entity(candidate).is_ok())
}

/// A plural path segment in the singular, by the common English endings.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    word.strip_suffix('s')
        .filter(|stem| !stem.ends_with('s'))
        .unwrap_or(word)
        .to_owned()
}

/// A field name for a snake_case property name not used yet: Rust-safe, not an implicit
/// field nor a list parameter, unique (a numeric suffix resolves collisions in property order).
fn field_name(snake: &str, used: &[String]) -> Option<String> {
    let mut base = snake.to_owned();
    if IMPLICIT_FIELDS.contains(&base.as_str()) || LIST_PARAMETERS.contains(&base.as_str()) {
        base = format!("{base}_value");
    }
    if Name::field(&base).is_err() {
        base = format!("field_{base}");
        Name::field(&base).ok()?;
    }
    let mut candidate = base.clone();
    let mut number = 2;
    while used.contains(&candidate) {
        candidate = format!("{base}_{number}");
        number += 1;
    }
    Some(candidate)
}

/// Warns about what merging an entity's schema left out: `oneOf`/`anyOf`/`not`/
/// `discriminator` and open `additionalProperties` of any part, and properties a later part
/// defines again.
fn warn_unmerged(resolver: &Resolver, shape: &Shape, warnings: &mut Vec<Warning>) {
    for (part, restated) in &shape.parts {
        let at = resolver.locate(&part.file, &part.pointer);
        for keyword in ["oneOf", "anyOf", "not", "discriminator"] {
            if part.value.get(keyword).is_some() {
                warnings.push(Warning::new(
                    child(&at, &[keyword]),
                    format!(
                        "`{keyword}` of an entity schema not generated: only its own properties are"
                    ),
                ));
            }
        }
        if part
            .value
            .get("additionalProperties")
            .is_some_and(|additional| *additional != Value::Bool(false))
        {
            warnings.push(Warning::new(
                child(&at, &["additionalProperties"]),
                "additionalProperties of an entity not generated: an entity has a fixed set of fields",
            ));
        }
        for (name, property) in restated {
            warnings.push(Warning::new(
                resolver.locate(&property.file, &property.pointer),
                format!("property `{name}` defined again in another allOf part: the first definition is used"),
            ));
        }
    }
}

/// The schema at `target` read by the openapiv3 crate.
fn typed(target: &Target) -> Result<Schema, OpenApiError> {
    let mut value = target.value.clone();
    normalise_schema(&mut value);
    super::deserialize(&value, &target.file, &target.pointer)
}

/// A field being written, with where its property is for warnings.
struct Field<'w> {
    table: Table,
    at: String,
    warnings: &'w mut Vec<Warning>,
    /// Single-part `allOf` wrappers followed so far, to stop one that contains itself.
    wrappers_followed: usize,
}

/// A scalar default as TOML; callers have checked that it fits the field's type.
fn scalar_to_toml(value: &Value) -> toml::Value {
    match value {
        Value::Bool(flag) => toml::Value::Boolean(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(integer) => toml::Value::Integer(integer),
            None => toml::Value::Float(number.as_f64().unwrap_or_default()),
        },
        Value::String(text) => toml::Value::String(text.clone()),
        other => toml::Value::String(other.to_string()),
    }
}

impl Field<'_> {
    #[track_caller]
    fn warn(&mut self, message: String) {
        self.warnings.push(Warning::new(self.at.clone(), message));
    }

    fn set(&mut self, key: &str, value: impl Into<toml::Value>) {
        self.table.insert(key.to_owned(), value.into());
    }

    /// Writes `type` and the constraints of the schema; `path` is `Entity.field` for messages.
    fn kind(
        &mut self,
        resolver: &mut Resolver,
        target: &Target,
        schema: &Schema,
        path: &str,
    ) -> Result<(), OpenApiError> {
        if is_object(&target.value) && !matches!(schema.schema_kind, SchemaKind::AllOf { .. }) {
            self.json(path, "an object");
            return Ok(());
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => self.string(string, path),
            SchemaKind::Type(Type::Integer(integer)) => {
                let i32 = integer.format == VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32);
                self.set("type", if i32 { "i32" } else { "i64" });
                let range = if i32 {
                    (i32::MIN as i64, i32::MAX as i64)
                } else {
                    (i64::MIN, i64::MAX)
                };
                let minimum = integer
                    .minimum
                    .map(|bound| bound.saturating_add(integer.exclusive_minimum.into()));
                let maximum = integer
                    .maximum
                    .map(|bound| bound.saturating_sub(integer.exclusive_maximum.into()));
                if let Some(minimum) = minimum.filter(|bound| *bound > range.0) {
                    self.set("min", minimum);
                }
                if let Some(maximum) = maximum.filter(|bound| *bound < range.1) {
                    self.set("max", maximum);
                }
                self.unenforced(integer.multiple_of.is_some(), "multipleOf", path);
                self.unenforced(!integer.enumeration.is_empty(), "enum", path);
            }
            SchemaKind::Type(Type::Number(number)) => {
                self.set("type", "f64");
                if let Some(minimum) = number.minimum.filter(|bound| bound.is_finite()) {
                    self.set("min", minimum);
                }
                if let Some(maximum) = number.maximum.filter(|bound| bound.is_finite()) {
                    self.set("max", maximum);
                }
                let exclusive = number.exclusive_minimum || number.exclusive_maximum;
                self.unenforced(exclusive, "exclusive bound (checked as inclusive)", path);
                self.unenforced(number.multiple_of.is_some(), "multipleOf", path);
                self.unenforced(!number.enumeration.is_empty(), "enum", path);
            }
            SchemaKind::Type(Type::Boolean(_)) => self.set("type", "bool"),
            SchemaKind::Type(Type::Object(_)) => self.json(path, "an object"),
            SchemaKind::Type(Type::Array(_)) => self.json(path, "an array"),
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                let part = Target {
                    file: target.file.clone(),
                    pointer: child(&target.pointer, &["allOf", "0"]),
                    value: target.value["allOf"][0].clone(),
                };
                let part = dereference(resolver, part)?;
                if self.wrappers_followed >= MAX_WRAPPERS {
                    return Err(OpenApiError::AllOfCycle {
                        file: part.file.display().to_string(),
                        pointer: part.pointer.clone(),
                        chain: format!("more than {MAX_WRAPPERS} nested single-part allOf"),
                    });
                }
                self.wrappers_followed += 1;
                let part_schema = typed(&part)?;
                return self.kind(resolver, &part, &part_schema, path);
            }
            SchemaKind::AllOf { .. } => self.json(path, "an allOf of several schemas"),
            SchemaKind::OneOf { .. } => self.json(path, "a oneOf"),
            SchemaKind::AnyOf { .. } => self.json(path, "an anyOf"),
            SchemaKind::Not { .. } => self.json(path, "a `not` schema"),
            SchemaKind::Any(any) => {
                let values: Vec<String> = any
                    .enumeration
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect();
                if !values.is_empty()
                    && values.len()
                        == any
                            .enumeration
                            .iter()
                            .filter(|value| !value.is_null())
                            .count()
                {
                    self.enumeration(values.into_iter().map(Some).collect(), path);
                } else {
                    self.json(path, "a schema without a single type");
                }
            }
        }
        if let Some(default) = &schema.schema_data.default {
            let kind = self
                .table
                .get("type")
                .and_then(toml::Value::as_str)
                .unwrap_or_default();
            let fits = match kind {
                "string" | "enum" => default.is_string(),
                "bool" => default.is_boolean(),
                "i32" | "i64" => default.is_i64(),
                "f64" => default.is_number(),
                _ => false,
            };
            if fits {
                self.set("default", scalar_to_toml(default));
            } else {
                self.warn(format!(
                    "`{path}`: default {default} not generated for a {kind} field"
                ));
            }
        }
        Ok(())
    }

    fn json(&mut self, path: &str, what: &str) {
        self.set("type", "json");
        self.warn(format!(
            "`{path}` is {what}: stored as a JSON value, its inner schema is not validated"
        ));
    }

    fn unenforced(&mut self, present: bool, constraint: &str, path: &str) {
        if present {
            self.warn(format!(
                "`{path}`: {constraint} not enforced by the generated code"
            ));
        }
    }

    fn string(&mut self, string: &StringType, path: &str) {
        if !string.enumeration.is_empty() {
            self.enumeration(string.enumeration.clone(), path);
            let constrained = string.pattern.is_some()
                || string.min_length.is_some()
                || string.max_length.is_some();
            self.unenforced(
                constrained,
                "length or pattern of an enum (its values are checked)",
                path,
            );
            return;
        }
        let kind = match &string.format {
            VariantOrUnknownOrEmpty::Item(StringFormat::Date) => "date",
            VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => "datetime",
            VariantOrUnknownOrEmpty::Unknown(format) if format == "uuid" => "uuid",
            _ => "string",
        };
        self.set("type", kind);
        match &string.format {
            VariantOrUnknownOrEmpty::Unknown(format) if format == "email" => {
                self.set("format", "email")
            }
            VariantOrUnknownOrEmpty::Unknown(format) if format == "uri" || format == "url" => {
                self.set("format", "url")
            }
            VariantOrUnknownOrEmpty::Item(StringFormat::Byte | StringFormat::Binary) => {
                self.warn(format!(
                    "`{path}`: byte/binary strings are stored as text, not decoded"
                ));
            }
            VariantOrUnknownOrEmpty::Unknown(format) if kind == "string" => {
                self.warn(format!("`{path}`: format `{format}` not checked"));
            }
            _ => {}
        }
        if kind != "string" {
            let constrained = string.pattern.is_some()
                || string.min_length.is_some()
                || string.max_length.is_some();
            self.unenforced(constrained, "length or pattern of a typed string", path);
            return;
        }
        if let Some(length) = string
            .min_length
            .and_then(|length| u32::try_from(length).ok())
        {
            self.set("min_length", i64::from(length));
        }
        if let Some(length) = string
            .max_length
            .and_then(|length| u32::try_from(length).ok())
        {
            self.set("max_length", i64::from(length));
        }
        if let Some(pattern) = &string.pattern {
            let compiles = regex::RegexBuilder::new(pattern)
                .size_limit(PATTERN_SIZE_LIMIT)
                .build()
                .is_ok();
            if compiles {
                self.set("pattern", pattern.as_str());
            } else {
                self.warn(format!(
                    "`{path}`: pattern `{pattern}` is not a Rust regular expression; not enforced"
                ));
            }
        }
    }

    fn enumeration(&mut self, values: Vec<Option<String>>, path: &str) {
        let values: Vec<String> = values.into_iter().flatten().collect();
        let mut variants: Vec<String> = Vec::new();
        let usable = values.iter().all(|value| match EnumVariant::new(value) {
            Ok(variant) if !variants.contains(&variant.rust_name) => {
                variants.push(variant.rust_name);
                true
            }
            _ => false,
        });
        if usable && !values.is_empty() {
            self.set("type", "enum");
            self.set(
                "values",
                toml::Value::Array(values.into_iter().map(toml::Value::String).collect()),
            );
        } else {
            self.set("type", "string");
            self.warn(format!("`{path}`: enum values that are not distinct Rust identifiers are kept as a plain string, not checked"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_safe_and_unique() {
        assert_eq!(field_name("type", &[]).as_deref(), Some("type"));
        assert_eq!(field_name("self", &[]).as_deref(), Some("field_self"));
        assert_eq!(field_name("1st", &[]).as_deref(), Some("field_1st"));
        assert_eq!(field_name("version", &[]).as_deref(), Some("version_value"));
        assert_eq!(field_name("limit", &[]).as_deref(), Some("limit_value"));
        assert_eq!(
            field_name("name", &["name".to_owned()]).as_deref(),
            Some("name_2")
        );
        assert_eq!(field_name("", &[]), None);
    }

    #[test]
    fn plural_segments_become_singular() {
        assert_eq!(singular("pets"), "pet");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("address"), "address");
        assert_eq!(singular("user"), "user");
    }
}
