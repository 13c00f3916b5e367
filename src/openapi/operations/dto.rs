//! Schemas → Rust DTO types: objects become structs (nested objects their own structs),
//! string enums Rust enums with serde renames, `oneOf`/`anyOf` enums (tagged by the
//! `discriminator`, untagged otherwise), `additionalProperties` maps, recursion `Box`es, and
//! a schema with `readOnly`/`writeOnly` properties one request and one response struct.
//! Each field carries the checks its constraints ask for, as Rust conditions.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use super::super::error::OpenApiError;
use super::super::object::{Shape, merge_all_of};
use super::super::refs::{Resolver, Target};
use super::super::resources::dereference;
use super::super::warning::{Warning, child};
use crate::model::naming::{pascal_case, snake_case};
use crate::model::reserved::{is_prelude_type, is_rust_keyword, is_unrawable};

/// Same limit as the entity front-end, so a hostile pattern cannot exhaust memory.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Which way a DTO travels: a schema with `readOnly` or `writeOnly` properties has one
/// struct each way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Request,
    Response,
}

/// One generated type.
#[derive(Debug, Clone, Serialize)]
pub struct Dto {
    pub name: String,
    pub description: Option<String>,
    /// Whether it has a `violations` method (some field has a check, directly or nested).
    pub validates: bool,
    /// `Path` or `Query` for a struct of parameters axum extracts (it derives `IntoParams`).
    pub params_in: Option<String>,
    #[serde(flatten)]
    pub kind: DtoKind,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DtoKind {
    Struct {
        fields: Vec<DtoField>,
    },
    /// A string enum.
    Enum {
        variants: Vec<EnumValue>,
    },
    /// `oneOf` / `anyOf`: `tag` is the discriminator property, `None` for an untagged enum.
    Union {
        tag: Option<String>,
        variants: Vec<UnionVariant>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct DtoField {
    /// The Rust identifier (`r#type` for a keyword).
    pub ident: String,
    /// The name on the wire.
    pub name: String,
    /// Whether serde needs `rename` (the wire name is not the identifier).
    pub rename: bool,
    pub rust_type: String,
    /// The type without its `Option`.
    pub base_type: String,
    pub optional: bool,
    pub description: Option<String>,
    /// `#[schema(value_type = ...)]` for types utoipa cannot describe itself.
    pub value_type: Option<String>,
    /// `#[schema(no_recursion)]`: the field leads back to its own type.
    pub recursive: bool,
    /// Whether its type is (a list of) a generated DTO: as a parameter it is documented
    /// inline, as utoipa registers no component for a parameter's type.
    pub names_dto: bool,
    /// Its constraints as `utoipa` attribute items (`max_length = 50`).
    pub documented: Vec<String>,
    pub checks: Vec<Check>,
    pub nested: Nested,
}

/// A constraint as Rust: `invalid` is true of an invalid `value` (a reference to the field's
/// value without its `Option`).
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub invalid: String,
    pub message: String,
}

/// How a field's own violations are reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Nested {
    None,
    One,
    Many,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumValue {
    pub ident: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnionVariant {
    pub ident: String,
    /// The discriminator value, for a tagged enum.
    pub rename: Option<String>,
    /// Further discriminator values of the same member, accepted when reading.
    pub aliases: Vec<String>,
    pub rust_type: String,
    pub validates: bool,
}

/// The Rust side of one schema use.
#[derive(Debug, Clone)]
pub struct RustType {
    pub rust: String,
    pub value_type: Option<String>,
    pub checks: Vec<Check>,
    /// The constraints as `utoipa` attribute items, for the field that holds it.
    pub documented: Vec<String>,
    pub nested: Nested,
    /// The DTO it names, when it is (a list of) one.
    pub dto: Option<String>,
}

impl RustType {
    /// The type as `utoipa` documents it.
    pub fn schema_type(&self) -> String {
        self.value_type.clone().unwrap_or_else(|| self.rust.clone())
    }
}

/// One parameter of a parameter struct: wire name, identifier base, schema, required.
pub type ParameterField = (String, String, Target, bool);

/// Builds every DTO the operations use, each once.
pub struct DtoBuilder<'r> {
    resolver: &'r mut Resolver,
    pub warnings: Vec<Warning>,
    dtos: Vec<Dto>,
    /// (file, pointer, direction when it matters) → DTO name.
    named: HashMap<(PathBuf, String, Option<Direction>), String>,
    used_names: BTreeSet<String>,
    /// DTOs being built: a reference back to one of them is boxed.
    building: Vec<String>,
    splits: HashMap<(PathBuf, String), bool>,
    /// The regexes of `pattern` checks, in order (`PATTERN_<index>` in the generated code).
    pub patterns: Vec<String>,
    /// Property names of a discriminated union's members that the union's tag carries.
    tags: HashMap<(PathBuf, String), String>,
}

impl<'r> DtoBuilder<'r> {
    pub fn new(resolver: &'r mut Resolver, reserved: &[String]) -> Self {
        Self {
            resolver,
            warnings: Vec::new(),
            dtos: Vec::new(),
            named: HashMap::new(),
            used_names: reserved.iter().cloned().collect(),
            building: Vec::new(),
            splits: HashMap::new(),
            patterns: Vec::new(),
            tags: HashMap::new(),
        }
    }

    pub fn resolver(&mut self) -> &mut Resolver {
        self.resolver
    }

    /// The DTOs built, with `validates` settled: a struct validates when a field has a check
    /// or holds a DTO that validates, a union when a member validates. Starting from the
    /// checks alone, this spreads outwards until nothing changes, so a recursive type
    /// without checks does not validate.
    pub fn finish(mut self) -> (Vec<Dto>, Vec<String>, Vec<Warning>) {
        let mut validating: BTreeSet<String> = BTreeSet::new();
        loop {
            let before = validating.len();
            for dto in &self.dtos {
                let validates = match &dto.kind {
                    DtoKind::Struct { fields } => fields.iter().any(|field| {
                        !field.checks.is_empty()
                            || (field.nested != Nested::None
                                && validating.contains(inner_dto(&field.rust_type)))
                    }),
                    DtoKind::Enum { .. } => false,
                    // Only a member that is itself a DTO is checked.
                    DtoKind::Union { variants, .. } => variants
                        .iter()
                        .any(|variant| validating.contains(&variant.rust_type)),
                };
                if validates {
                    validating.insert(dto.name.clone());
                }
            }
            if validating.len() == before {
                break;
            }
        }
        for dto in &mut self.dtos {
            dto.validates = validating.contains(&dto.name);
            match &mut dto.kind {
                DtoKind::Struct { fields } => {
                    for field in fields {
                        if !validating.contains(inner_dto(&field.rust_type)) {
                            field.nested = Nested::None;
                        }
                    }
                }
                DtoKind::Enum { .. } => {}
                DtoKind::Union { variants, .. } => {
                    for variant in variants {
                        variant.validates = validating.contains(&variant.rust_type);
                    }
                }
            }
        }
        // A schema used in several places is read once per use: say each thing once.
        let mut said = BTreeSet::new();
        self.warnings.retain(|warning| said.insert(warning.clone()));
        (self.dtos, self.patterns, self.warnings)
    }

    /// A struct of named values (the parameters of an operation), all checked like
    /// properties; `fields` are (wire name, identifier base, schema, required).
    pub fn parameter_struct(
        &mut self,
        name: &str,
        description: &str,
        params_in: Option<&str>,
        fields: Vec<ParameterField>,
    ) -> Result<String, OpenApiError> {
        let name = self.unique_name(name);
        let mut idents = Vec::new();
        let mut built = Vec::new();
        for (wire, base, schema, required) in fields {
            let hint = format!("{name}{}", pascal_case(&base));
            let ty = self.type_of(schema.clone(), &hint, Direction::Request)?;
            let ident = field_ident(&base, &idents);
            idents.push(ident.clone());
            built.push(self.field(ident, wire, schema, ty, !required));
        }
        self.dtos.push(Dto {
            name: name.clone(),
            description: Some(description.to_owned()),
            validates: true,
            params_in: params_in.map(str::to_owned),
            kind: DtoKind::Struct { fields: built },
        });
        Ok(name)
    }

    /// The fields of the struct DTO `name`.
    pub fn fields(&self, name: &str) -> Vec<DtoField> {
        self.dtos
            .iter()
            .filter(|dto| dto.name == name)
            .flat_map(|dto| match &dto.kind {
                DtoKind::Struct { fields } => fields.clone(),
                _ => Vec::new(),
            })
            .collect()
    }

    /// The Rust type of the schema at `target`; inline objects, enums and unions become DTOs
    /// named `hint`.
    pub fn type_of(
        &mut self,
        target: Target,
        hint: &str,
        direction: Direction,
    ) -> Result<RustType, OpenApiError> {
        let is_reference = target.value.get("$ref").is_some();
        let target = dereference(self.resolver, target)?;
        if let Some(part) = self.wrapped_scalar(&target)? {
            return self.type_of(part, hint, direction);
        }
        if let Some(merged) = self.merged_scalar(&target)? {
            return self.type_of(merged, hint, direction);
        }
        let schema = &target.value;
        let at = self.resolver.locate(&target.file, &target.pointer);
        let component = if is_reference { target.name() } else { None };
        let plain = |rust: &str| RustType {
            rust: rust.to_owned(),
            value_type: None,
            checks: Vec::new(),
            documented: Vec::new(),
            nested: Nested::None,
            dto: None,
        };
        let needs_dto = schema.get("enum").is_some() && type_name(schema) == Some("string")
            || schema.get("oneOf").is_some()
            || schema.get("anyOf").is_some()
            || is_struct(schema);
        if needs_dto {
            let name = self.dto(&target, component.as_deref().unwrap_or(hint), direction)?;
            return Ok(RustType {
                rust: name.clone(),
                value_type: None,
                checks: Vec::new(),
                documented: Vec::new(),
                nested: Nested::One,
                dto: Some(name),
            });
        }
        let mut checks = Vec::new();
        let rust = match type_name(schema) {
            Some("string") => {
                let format = schema.get("format").and_then(Value::as_str);
                match format {
                    Some("uuid") => plain("uuid::Uuid"),
                    Some("date") => plain("chrono::NaiveDate"),
                    Some("date-time") => plain("chrono::DateTime<chrono::Utc>"),
                    _ => {
                        self.string_checks(schema, format, &at, &mut checks);
                        plain("String")
                    }
                }
            }
            Some("integer") => {
                let rust = match schema.get("format").and_then(Value::as_str) {
                    Some("int32") => "i32",
                    _ => "i64",
                };
                bound_checks(schema, false, &mut checks);
                enum_check(schema, false, &mut checks);
                plain(rust)
            }
            Some("number") => {
                let rust = match schema.get("format").and_then(Value::as_str) {
                    Some("float") => "f32",
                    _ => "f64",
                };
                bound_checks(schema, true, &mut checks);
                enum_check(schema, true, &mut checks);
                plain(rust)
            }
            Some("boolean") => plain("bool"),
            Some("array") => {
                let items = Target {
                    file: target.file.clone(),
                    pointer: child(&target.pointer, &["items"]),
                    value: schema.get("items").cloned().unwrap_or(Value::Bool(true)),
                };
                let items_at = self.resolver.locate(&items.file, &items.pointer);
                let inner = self.type_of(items, &format!("{hint}Item"), direction)?;
                count_checks(schema, &mut checks);
                // Each item's own constraints (lengths, bounds, nested list sizes) hold for
                // every item; a field attribute cannot state them in /openapi.json.
                checks.extend(inner.checks.iter().map(|check| Check {
                    invalid: format!("value.iter().any(|value| {})", check.invalid),
                    message: format!("each item {}", check.message),
                }));
                if !inner.documented.is_empty() {
                    self.warnings.push(Warning::new(
                        items_at,
                        format!(
                            "constraints of the list's items ({}) are checked but not stated in /openapi.json",
                            inner.documented.join(", ")
                        ),
                    ));
                }
                RustType {
                    rust: format!("Vec<{}>", inner.rust),
                    value_type: inner.value_type.map(|inner| format!("Vec<{inner}>")),
                    checks: Vec::new(),
                    documented: Vec::new(),
                    nested: if inner.nested == Nested::None {
                        Nested::None
                    } else {
                        Nested::Many
                    },
                    dto: inner.dto,
                }
            }
            Some("object") => {
                // No properties: a map of `additionalProperties`.
                let values = match schema.get("additionalProperties") {
                    Some(Value::Object(values)) => {
                        let values = Target {
                            file: target.file.clone(),
                            pointer: child(&target.pointer, &["additionalProperties"]),
                            value: Value::Object(values.clone()),
                        };
                        self.type_of(values, &format!("{hint}Value"), direction)?
                    }
                    _ => RustType {
                        value_type: Some("Object".to_owned()),
                        ..plain("serde_json::Value")
                    },
                };
                RustType {
                    rust: format!("std::collections::BTreeMap<String, {}>", values.rust),
                    value_type: values.value_type.map(|_| "Object".to_owned()),
                    checks: Vec::new(),
                    documented: Vec::new(),
                    nested: Nested::None,
                    dto: None,
                }
            }
            _ => RustType {
                value_type: Some("Object".to_owned()),
                ..plain("serde_json::Value")
            },
        };
        Ok(RustType {
            checks: [rust.checks, checks].concat(),
            documented: documented_constraints(schema),
            ..rust
        })
    }

    /// The part of an `allOf: [one schema]` wrapper (`kind: {description: …, allOf: [$ref:
    /// Kind]}`), when the schema it ends in is not an object: the wrapper is that schema. A
    /// wrapped object stays a struct of its own, and an `allOf` that contains itself is left
    /// to the struct, which reports the cycle.
    fn wrapped_scalar(&mut self, target: &Target) -> Result<Option<Target>, OpenApiError> {
        let Some(first) = single_all_of_part(target) else {
            return Ok(None);
        };
        let mut seen = vec![(target.file.clone(), target.pointer.clone())];
        let mut inner = dereference(self.resolver, first.clone())?;
        while let Some(part) = single_all_of_part(&inner) {
            seen.push((inner.file.clone(), inner.pointer.clone()));
            inner = dereference(self.resolver, part)?;
            if seen.contains(&(inner.file.clone(), inner.pointer.clone())) {
                return Ok(None);
            }
        }
        Ok((!is_struct(&inner.value)).then_some(first))
    }

    /// An `allOf` of several schemas none of which is an object (`allOf: [$ref: Code,
    /// {maxLength: 5}]`): one schema of their keywords, each part's after those of the parts
    /// before it, so the first definition of a keyword is kept; a later part that says
    /// otherwise is warned about.
    fn merged_scalar(&mut self, target: &Target) -> Result<Option<Target>, OpenApiError> {
        let Some(Value::Array(parts)) = target.value.get("allOf") else {
            return Ok(None);
        };
        if parts.len() < 2 {
            return Ok(None);
        }
        let shape = merge_all_of(self.resolver, target.clone())?;
        let object = |schema: &Value| {
            type_name(schema) == Some("object") || schema.get("additionalProperties").is_some()
        };
        if !shape.properties.is_empty() || shape.parts.iter().any(|(part, _)| object(&part.value)) {
            return Ok(None);
        }
        let mut merged = serde_json::Map::new();
        for (part, _) in shape.parts {
            let Value::Object(keywords) = part.value else {
                continue;
            };
            for (keyword, value) in keywords {
                match merged.get(&keyword) {
                    _ if keyword == "allOf" => {}
                    None => {
                        merged.insert(keyword, value);
                    }
                    Some(kept) if *kept != value => {
                        let at = self.resolver.locate(&part.file, &part.pointer);
                        self.warnings.push(Warning::new(
                            child(&at, &[&keyword]),
                            format!("`{keyword}` contradicts an earlier part of the allOf: the earlier `{kept}` is kept"),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(Some(Target {
            file: target.file.clone(),
            pointer: target.pointer.clone(),
            value: Value::Object(merged),
        }))
    }

    /// The DTO of the schema at `target`, built on first use.
    fn dto(
        &mut self,
        target: &Target,
        base: &str,
        direction: Direction,
    ) -> Result<String, OpenApiError> {
        let split = self.splits_by_direction(target)?;
        let key = (
            target.file.clone(),
            target.pointer.clone(),
            split.then_some(direction),
        );
        if let Some(name) = self.named.get(&key) {
            return Ok(name.clone());
        }
        let base = type_ident(base);
        let wanted = match (split, direction) {
            (true, Direction::Request) => format!("{base}Request"),
            _ => base,
        };
        let name = self.unique_name(&wanted);
        self.named.insert(key, name.clone());
        self.building.push(name.clone());
        let kind = self.kind(target, &name, direction)?;
        self.building.pop();
        self.dtos.push(Dto {
            name: name.clone(),
            description: target
                .value
                .get("description")
                .and_then(Value::as_str)
                .map(first_line),
            validates: true,
            params_in: None,
            kind,
        });
        Ok(name)
    }

    fn kind(
        &mut self,
        target: &Target,
        name: &str,
        direction: Direction,
    ) -> Result<DtoKind, OpenApiError> {
        let schema = &target.value;
        let at = self.resolver.locate(&target.file, &target.pointer);
        if let Some(Value::Array(values)) = schema.get("enum") {
            let mut variants: Vec<EnumValue> = Vec::new();
            for value in values {
                let Some(value) = value.as_str() else {
                    self.warnings.push(Warning::new(
                        child(&at, &["enum"]),
                        format!("enum value {value} of `{name}` not generated: only strings are"),
                    ));
                    continue;
                };
                let used: Vec<String> = variants.iter().map(|known| known.ident.clone()).collect();
                variants.push(EnumValue {
                    ident: unique(type_ident(value), &used),
                    value: value.to_owned(),
                });
            }
            return Ok(DtoKind::Enum { variants });
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(Value::Array(members)) = schema.get(keyword) {
                return self.union(target, keyword, members.clone(), name, direction);
            }
        }
        self.structure(target, name, direction)
    }

    fn union(
        &mut self,
        target: &Target,
        keyword: &str,
        members: Vec<Value>,
        name: &str,
        direction: Direction,
    ) -> Result<DtoKind, OpenApiError> {
        let discriminator = target.value.get("discriminator");
        let tag = discriminator
            .and_then(|discriminator| discriminator.get("propertyName"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        // mapping: value → $ref; a member without one is named by its component name.
        let mapping: Vec<(String, String)> = discriminator
            .and_then(|discriminator| discriminator.get("mapping"))
            .and_then(Value::as_object)
            .map(|mapping| {
                mapping
                    .iter()
                    .filter_map(|(value, reference)| {
                        Some((value.clone(), reference.as_str()?.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut variants: Vec<UnionVariant> = Vec::new();
        for (index, member) in members.into_iter().enumerate() {
            let reference = member
                .get("$ref")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let member = Target {
                file: target.file.clone(),
                pointer: child(&target.pointer, &[keyword, &index.to_string()]),
                value: member,
            };
            let resolved = dereference(self.resolver, member.clone())?;
            let mut aliases = Vec::new();
            let rename = match (&tag, &reference) {
                (Some(tag), Some(reference)) => {
                    self.tags.insert(
                        (resolved.file.clone(), resolved.pointer.clone()),
                        tag.clone(),
                    );
                    // A mapping names its schema by reference or by component name.
                    let component = resolved.name().unwrap_or_default();
                    let mut values = mapping
                        .iter()
                        .filter(|(_, target)| target == reference || *target == component)
                        .map(|(value, _)| value.clone());
                    let first = values.next();
                    aliases.extend(values);
                    Some(first.unwrap_or(component))
                }
                (Some(tag), None) => {
                    self.warnings.push(Warning::new(
                        self.resolver.locate(&member.file, &member.pointer),
                        format!("inline member of `{name}` cannot be told apart by `{tag}`: named `Variant{}`", index + 1),
                    ));
                    Some(format!("Variant{}", index + 1))
                }
                _ => None,
            };
            let ty = self.type_of(member, &format!("{name}Variant{}", index + 1), direction)?;
            let used: Vec<String> = variants.iter().map(|known| known.ident.clone()).collect();
            let ident = match (&reference, &ty.dto) {
                (Some(_), Some(dto)) => dto.clone(),
                _ => format!("Variant{}", index + 1),
            };
            variants.push(UnionVariant {
                ident: unique(ident, &used),
                rename,
                aliases,
                validates: ty.nested != Nested::None,
                rust_type: ty.rust,
            });
        }
        Ok(DtoKind::Union { tag, variants })
    }

    fn structure(
        &mut self,
        target: &Target,
        name: &str,
        direction: Direction,
    ) -> Result<DtoKind, OpenApiError> {
        let Shape {
            properties,
            required,
            ..
        } = merge_all_of(self.resolver, target.clone())?;
        let at = self.resolver.locate(&target.file, &target.pointer);
        if target
            .value
            .get("additionalProperties")
            .is_some_and(|additional| *additional != Value::Bool(false))
        {
            self.warnings.push(Warning::new(
                child(&at, &["additionalProperties"]),
                format!("additionalProperties of `{name}` not generated: it has properties, so it is a struct of those"),
            ));
        }
        let tag = self
            .tags
            .get(&(target.file.clone(), target.pointer.clone()))
            .cloned();
        let mut fields: Vec<DtoField> = Vec::new();
        for (property, schema) in properties {
            if tag.as_deref() == Some(property.as_str()) {
                // The enclosing union's serde tag carries it.
                continue;
            }
            let flag = |key: &str| schema.value.get(key).and_then(Value::as_bool) == Some(true);
            let skipped = match direction {
                Direction::Request => flag("readOnly"),
                Direction::Response => flag("writeOnly"),
            };
            if skipped {
                continue;
            }
            // `nullable` on the property, or on the schema its `$ref` names.
            let nullable = flag("nullable")
                || dereference(self.resolver, schema.clone())?
                    .value
                    .get("nullable")
                    .and_then(Value::as_bool)
                    == Some(true);
            let optional = !required.contains(&property) || nullable;
            let hint = format!("{name}{}", pascal_case(&property));
            let ty = self.type_of(schema.clone(), &hint, direction)?;
            let used: Vec<String> = fields.iter().map(|field| field.ident.clone()).collect();
            let ident = field_ident(&property, &used);
            fields.push(self.field(ident, property, schema, ty, optional));
        }
        Ok(DtoKind::Struct { fields })
    }

    fn field(
        &self,
        ident: String,
        name: String,
        schema: Target,
        ty: RustType,
        optional: bool,
    ) -> DtoField {
        let names_dto = ty.dto.is_some();
        let recursive = ty
            .dto
            .as_ref()
            .is_some_and(|dto| self.building.contains(dto));
        // A direct reference back to a type being built needs a Box to have a size.
        let rust = if recursive && ty.nested == Nested::One {
            format!("Box<{}>", ty.rust)
        } else {
            ty.rust
        };
        let base_type = rust.clone();
        let (rust_type, value_type) = if optional {
            (
                format!("Option<{rust}>"),
                ty.value_type.map(|inner| format!("Option<{inner}>")),
            )
        } else {
            (rust, ty.value_type)
        };
        DtoField {
            base_type,
            rename: ident.trim_start_matches("r#") != name,
            ident,
            name,
            rust_type,
            optional,
            description: schema
                .value
                .get("description")
                .and_then(Value::as_str)
                .map(first_line),
            value_type,
            recursive,
            names_dto,
            documented: ty.documented,
            checks: ty.checks,
            nested: ty.nested,
        }
    }

    /// Whether the schema (or one it contains) has `readOnly` or `writeOnly` properties.
    fn splits_by_direction(&mut self, target: &Target) -> Result<bool, OpenApiError> {
        let key = (target.file.clone(), target.pointer.clone());
        if let Some(known) = self.splits.get(&key) {
            return Ok(*known);
        }
        // Assumed false while looking, which ends cycles.
        self.splits.insert(key.clone(), false);
        let mut found = false;
        let mut pending = vec![target.clone()];
        while let Some(schema) = pending.pop() {
            for flag in ["readOnly", "writeOnly"] {
                found |= schema.value.get(flag).and_then(Value::as_bool) == Some(true);
            }
            if found {
                break;
            }
            for (keys, value) in children(&schema.value) {
                let part = Target {
                    file: schema.file.clone(),
                    pointer: child(&schema.pointer, &keys),
                    value,
                };
                if part.value.get("$ref").is_some() {
                    let resolved = dereference(self.resolver, part)?;
                    found |= self.splits_by_direction(&resolved)?;
                } else {
                    pending.push(part);
                }
            }
        }
        self.splits.insert(key, found);
        Ok(found)
    }

    fn unique_name(&mut self, wanted: &str) -> String {
        let mut candidate = wanted.to_owned();
        let mut number = 2;
        while self.used_names.contains(&candidate) {
            candidate = format!("{wanted}{number}");
            number += 1;
        }
        self.used_names.insert(candidate.clone());
        candidate
    }

    fn string_checks(
        &mut self,
        schema: &Value,
        format: Option<&str>,
        at: &str,
        checks: &mut Vec<Check>,
    ) {
        if let Some(min) = schema
            .get("minLength")
            .and_then(Value::as_u64)
            .filter(|min| *min > 0)
        {
            checks.push(Check {
                invalid: format!("value.chars().count() < {min}"),
                message: format!("must be at least {min} characters long"),
            });
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
            checks.push(Check {
                invalid: format!("value.chars().count() > {max}"),
                message: format!("must be at most {max} characters long"),
            });
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            let compiles = regex::RegexBuilder::new(pattern)
                .size_limit(PATTERN_SIZE_LIMIT)
                .build()
                .is_ok();
            if compiles {
                let index = self.patterns.len();
                self.patterns.push(pattern.to_owned());
                checks.push(Check {
                    invalid: format!("!PATTERN_{index}.is_match(value)"),
                    message: format!("must match the pattern {pattern}"),
                });
            } else {
                self.warnings.push(Warning::new(
                    child(at, &["pattern"]),
                    format!("pattern `{pattern}` not checked: it is not a Rust regex"),
                ));
            }
        }
        match format {
            Some("email") => checks.push(Check {
                invalid: "!crate::kernel::format::is_email(value)".to_owned(),
                message: "must be an email address".to_owned(),
            }),
            Some("uri" | "url") => checks.push(Check {
                invalid: "!crate::kernel::format::is_url(value)".to_owned(),
                message: "must be an http or https URL".to_owned(),
            }),
            _ => {}
        }
    }
}

/// The first line of a description, for a one-line doc comment.
pub fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_owned()
}

/// The DTO inside a field type: `Option<Vec<Pet>>` → `Pet`.
fn inner_dto(rust_type: &str) -> &str {
    let mut inner = rust_type;
    for wrapper in ["Option<", "Vec<", "Box<"] {
        if let Some(rest) = inner.strip_prefix(wrapper) {
            inner = rest.strip_suffix('>').unwrap_or(rest);
        }
    }
    inner
}

/// The sub-schemas of a schema, with the keys leading to them.
fn children(schema: &Value) -> Vec<(Vec<String>, Value)> {
    let mut found = Vec::new();
    if let Some(Value::Object(properties)) = schema.get("properties") {
        for (name, value) in properties {
            found.push((vec!["properties".to_owned(), name.clone()], value.clone()));
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(value @ Value::Object(_)) = schema.get(key) {
            found.push((vec![key.to_owned()], value.clone()));
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(parts)) = schema.get(key) {
            for (index, part) in parts.iter().enumerate() {
                found.push((vec![key.to_owned(), index.to_string()], part.clone()));
            }
        }
    }
    found
}

fn type_name(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

/// The only part of an `allOf` beside no properties of its own.
fn single_all_of_part(target: &Target) -> Option<Target> {
    let Some(Value::Array(parts)) = target.value.get("allOf") else {
        return None;
    };
    let [part] = parts.as_slice() else {
        return None;
    };
    target.value.get("properties").is_none().then(|| Target {
        file: target.file.clone(),
        pointer: child(&target.pointer, &["allOf", "0"]),
        value: part.clone(),
    })
}

/// An object schema with properties (or `allOf` parts): a struct, not a map.
fn is_struct(schema: &Value) -> bool {
    schema.get("properties").is_some() || schema.get("allOf").is_some()
}

fn bound_checks(schema: &Value, float: bool, checks: &mut Vec<Check>) {
    let literal = |bound: &Value| -> Option<String> {
        if float {
            bound.as_f64().map(|bound| format!("{bound:?}"))
        } else {
            bound.as_i64().map(|bound| bound.to_string()).or_else(|| {
                bound
                    .as_f64()
                    .map(|bound| (bound.ceil() as i64).to_string())
            })
        }
    };
    let exclusive = |key: &str| schema.get(key).and_then(Value::as_bool) == Some(true);
    if let Some(min) = schema.get("minimum").and_then(literal) {
        let (operator, words) = if exclusive("exclusiveMinimum") {
            ("<=", "more than")
        } else {
            ("<", "at least")
        };
        checks.push(Check {
            invalid: format!("*value {operator} {min}"),
            message: format!("must be {words} {min}"),
        });
    }
    if let Some(max) = schema.get("maximum").and_then(literal) {
        let (operator, words) = if exclusive("exclusiveMaximum") {
            (">=", "less than")
        } else {
            (">", "at most")
        };
        checks.push(Check {
            invalid: format!("*value {operator} {max}"),
            message: format!("must be {words} {max}"),
        });
    }
}

/// The `enum` of an integer or number schema as a check (string enums are Rust enums).
fn enum_check(schema: &Value, float: bool, checks: &mut Vec<Check>) {
    let Some(Value::Array(values)) = schema.get("enum") else {
        return;
    };
    let literals: Vec<String> = values
        .iter()
        .filter_map(|value| {
            if float {
                value.as_f64().map(|value| format!("{value:?}"))
            } else {
                value.as_i64().map(|value| value.to_string())
            }
        })
        .collect();
    if literals.is_empty() {
        return;
    }
    let list = literals.join(", ");
    checks.push(Check {
        invalid: format!("![{list}].contains(value)"),
        message: format!("must be one of {list}"),
    });
}

/// The constraints of a scalar or list schema as `utoipa` attribute items (`max_length =
/// 50`), so /openapi.json states them as the spec does. Formats the Rust type carries
/// (int32, uuid, date-time …) utoipa documents itself.
fn documented_constraints(schema: &Value) -> Vec<String> {
    let number = |key: &str| {
        schema
            .get(key)
            .filter(|value| value.is_number())
            .map(Value::to_string)
    };
    let mut items = Vec::new();
    for (bound, exclusive, attribute) in [
        ("minimum", "exclusiveMinimum", "minimum"),
        ("maximum", "exclusiveMaximum", "maximum"),
    ] {
        if let Some(value) = number(bound) {
            let exclusive = schema.get(exclusive) == Some(&Value::Bool(true));
            let prefix = if exclusive { "exclusive_" } else { "" };
            items.push(format!("{prefix}{attribute} = {value}"));
        }
    }
    for (key, attribute) in [
        ("multipleOf", "multiple_of"),
        ("minLength", "min_length"),
        ("maxLength", "max_length"),
        ("minItems", "min_items"),
        ("maxItems", "max_items"),
    ] {
        if let Some(value) = number(key) {
            items.push(format!("{attribute} = {value}"));
        }
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        items.push(format!("pattern = {pattern:?}"));
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str)
        && type_name(schema) == Some("string")
        && !["uuid", "date", "date-time"].contains(&format)
    {
        items.push(format!("format = {format:?}"));
    }
    items
}

fn count_checks(schema: &Value, checks: &mut Vec<Check>) {
    if let Some(min) = schema
        .get("minItems")
        .and_then(Value::as_u64)
        .filter(|min| *min > 0)
    {
        checks.push(Check {
            invalid: format!("value.len() < {min}"),
            message: format!("must have at least {min} items"),
        });
    }
    if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
        checks.push(Check {
            invalid: format!("value.len() > {max}"),
            message: format!("must have at most {max} items"),
        });
    }
}

/// A PascalCase type name for any text: `pet-type` → `PetType`, `1st` → `Type1st`; names of
/// the prelude get a `Dto` suffix.
pub fn type_ident(text: &str) -> String {
    let pascal = pascal_case(text);
    let pascal = if pascal.is_empty() {
        "Value".to_owned()
    } else if pascal.starts_with(|first: char| first.is_ascii_digit()) {
        format!("Type{pascal}")
    } else {
        pascal
    };
    if is_prelude_type(&pascal) || is_rust_keyword(&pascal) || pascal == "Self" {
        format!("{pascal}Dto")
    } else {
        pascal
    }
}

/// A snake_case field identifier for a wire name, unique among `used`: keywords become raw
/// identifiers (`type` → `r#type`), other names that cannot be identifiers get a `field_`
/// prefix.
pub fn field_ident(name: &str, used: &[String]) -> String {
    let snake = snake_case(name);
    let base = if snake.is_empty()
        || snake.starts_with(|first: char| first.is_ascii_digit())
        || is_unrawable(&snake)
    {
        format!("field_{snake}")
    } else if is_rust_keyword(&snake) {
        format!("r#{snake}")
    } else {
        snake
    };
    unique(base, used)
}

/// `base`, or `base_2`, `base_3` … (`Base2` for type names) when taken.
fn unique(base: String, used: &[String]) -> String {
    let mut candidate = base.clone();
    let mut number = 2;
    while used.contains(&candidate) {
        candidate = if base.starts_with(|first: char| first.is_ascii_uppercase()) {
            format!("{base}{number}")
        } else {
            format!("{base}_{number}")
        };
        number += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_safe_and_unique() {
        assert_eq!(field_ident("type", &[]), "r#type");
        assert_eq!(field_ident("self", &[]), "field_self");
        assert_eq!(field_ident("1st", &[]), "field_1st");
        assert_eq!(field_ident("petId", &[]), "pet_id");
        assert_eq!(field_ident("pet_id", &["pet_id".to_owned()]), "pet_id_2");
        assert_eq!(type_ident("pet-type"), "PetType");
        assert_eq!(type_ident("Option"), "OptionDto");
        assert_eq!(type_ident("2fa"), "Type2fa");
    }
}
