//! Document tree → validated [`Module`]. Collects every problem instead of stopping at the
//! first, each with the span of the offending key or value.

use std::ops::Range;
use std::sync::Arc;

use miette::NamedSource;
use regex::RegexBuilder;

use super::cycles::{Link, required_reference_cycles};
use super::document::{self, DuplicateKey, Entry, Node, Value};
use super::error::{ErrorKind, SchemaError};
use crate::model::types::Number;
use crate::model::{
    Bound, Constraints, DefaultValue, Entity, EnumType, EnumVariant, Event, EventKind,
    ExistingEntity, Field, FieldSpec, FieldType, IMPLICIT_FIELDS, LIST_PARAMETERS,
    MAX_EXAMPLE_LENGTH, Module, Name, NameError, Pattern, RefTarget, SqlName, StringFormat,
};

/// Why no field may have this name: the generated code uses it already.
pub(crate) fn reserved_field(name: &str) -> Option<ErrorKind> {
    let name = name.to_owned();
    if IMPLICIT_FIELDS.contains(&name.as_str()) {
        Some(ErrorKind::ImplicitField { name })
    } else if LIST_PARAMETERS.contains(&name.as_str()) {
        Some(ErrorKind::ListParameter { name })
    } else {
        None
    }
}

/// The `type` keywords, in documentation order.
pub(crate) const FIELD_TYPES: &[&str] = &[
    "string", "text", "bool", "i32", "i64", "f64", "decimal", "uuid", "date", "datetime", "json",
    "enum", "ref",
];
pub(super) const TOP_KEYS: &[&str] = &["module", "entities"];
pub(super) const ENTITY_KEYS: &[&str] = &["table", "tenant_scoped", "events", "fields"];
pub(super) const FIELD_KEYS: &[&str] = &[
    "type",
    "optional",
    "unique",
    "indexed",
    "default",
    "min",
    "max",
    "min_length",
    "max_length",
    "pattern",
    "format",
    "values",
    "entity",
    "module",
];
pub(super) const EVENTS: &[&str] = &["created", "updated", "deleted"];
/// Compiled size limit for patterns, so a hostile pattern cannot exhaust memory.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// The field types a key applies to (`None`: all of them), and how the docs say it.
fn types_for_key(key: &str) -> Option<(&'static [&'static str], &'static str)> {
    const NOT_JSON: &[&str] = &[
        "string", "text", "bool", "i32", "i64", "f64", "decimal", "uuid", "date", "datetime",
        "enum", "ref",
    ];
    match key {
        "unique" | "indexed" => Some((NOT_JSON, "all but json")),
        "default" => Some((
            &[
                "string", "text", "bool", "i32", "i64", "f64", "decimal", "enum",
            ],
            "string, text, bool, i32, i64, f64, decimal and enum",
        )),
        "min" | "max" => Some((
            &["i32", "i64", "f64", "decimal"],
            "i32, i64, f64 and decimal",
        )),
        "min_length" | "max_length" | "pattern" => Some((&["string", "text"], "string and text")),
        "format" => Some((&["string"], "string")),
        "values" => Some((&["enum"], "enum")),
        "entity" | "module" => Some((&["ref"], "ref")),
        _ => None,
    }
}

/// Whether `key` may appear on a field of type `keyword`.
fn applies(key: &str, keyword: &str) -> bool {
    types_for_key(key).is_none_or(|(types, _)| types.contains(&keyword))
}

/// Builds the module of a parsed schema file, or returns every problem found.
pub(crate) fn build(
    root: &Node,
    duplicates: &[DuplicateKey],
    source: NamedSource<Arc<str>>,
    existing: &[ExistingEntity],
) -> Result<Module, Vec<SchemaError>> {
    let mut builder = Builder {
        source,
        existing,
        errors: Vec::new(),
        type_names: Vec::new(),
    };
    let mut repeated_paths: Vec<Vec<String>> = Vec::new();
    for duplicate in duplicates {
        let context = document::describe_duplicate(root, duplicate);
        // A repeated TOML table header repeats its keys too; report the header only.
        if repeated_paths
            .iter()
            .any(|path| context.path.starts_with(path))
        {
            continue;
        }
        let what = context.description;
        let error = builder.make(ErrorKind::DuplicateKey { what }, duplicate.span.clone());
        builder.errors.push(match context.first {
            Some(first) => error.with_related(first, "first defined here"),
            None => error,
        });
        repeated_paths.push(context.path);
    }
    let module = builder.module(root);
    match module {
        Some(module) if builder.errors.is_empty() => Ok(module),
        _ => {
            builder.errors.sort_by_key(|error| error.span().start);
            Err(builder.errors)
        }
    }
}

struct Builder<'a> {
    source: NamedSource<Arc<str>>,
    existing: &'a [ExistingEntity],
    errors: Vec<SchemaError>,
    /// Generated type names (entities, enums) of the module with where they come from.
    type_names: Vec<(String, Range<usize>)>,
}

/// An entity whose name and table are known (first pass), so refs can point at it.
struct Declared<'n> {
    name: Name,
    key_span: Range<usize>,
    table: SqlName,
    body: &'n [Entry],
}

/// What a field being built needs to know about its surroundings.
struct Context<'c, 'n> {
    module: Option<&'c Name>,
    entity: &'c Declared<'n>,
    declared: &'c [Declared<'n>],
}

impl Builder<'_> {
    fn make(&self, kind: ErrorKind, span: Range<usize>) -> SchemaError {
        SchemaError::new(kind, span, self.source.clone())
    }

    fn error(&mut self, kind: ErrorKind, span: Range<usize>) {
        let error = self.make(kind, span);
        self.errors.push(error);
    }

    fn module(&mut self, root: &Node) -> Option<Module> {
        let Some(entries) = root.entries() else {
            self.wrong_type("the schema", root, "a table with `module` and `entities`");
            return None;
        };
        self.check_keys(entries, TOP_KEYS, "the schema");
        let module = match find(entries, "module") {
            Some(entry) => self
                .string(entry)
                .and_then(|text| self.name("module", Name::module(text), entry.value.span.clone())),
            None => {
                self.error(
                    ErrorKind::MissingKey {
                        key: "module",
                        context: "the schema".to_owned(),
                    },
                    0..0,
                );
                None
            }
        };
        let Some(entities_entry) = find(entries, "entities") else {
            self.error(
                ErrorKind::MissingKey {
                    key: "entities",
                    context: "the schema".to_owned(),
                },
                0..0,
            );
            return None;
        };
        let entities = self.map(entities_entry)?;
        if entities.is_empty() {
            self.error(ErrorKind::NoEntities, entities_entry.key_span.clone());
            return None;
        }
        let declared = self.declare(entities, module.as_ref());
        let entities: Vec<Entity> = declared
            .iter()
            .filter_map(|entity| {
                self.entity(&Context {
                    module: module.as_ref(),
                    entity,
                    declared: &declared,
                })
            })
            .collect();
        self.check_type_names(module.as_ref());
        if let Some(module) = &module {
            self.check_reference_cycles(module, &entities, &declared);
        }
        Some(Module {
            name: module?,
            entities,
        })
    }

    /// First pass: entity names and tables.
    fn declare<'n>(&mut self, entities: &'n [Entry], module: Option<&Name>) -> Vec<Declared<'n>> {
        let mut declared: Vec<Declared<'n>> = Vec::new();
        for entry in entities {
            let name = self.name("entity", Name::entity(&entry.key), entry.key_span.clone());
            let body = self.map(entry);
            let (Some(name), Some(body)) = (name, body) else {
                continue;
            };
            let (table, table_span) = match find(body, "table") {
                Some(table) => (
                    self.string(table).map(SqlName::table),
                    table.value.span.clone(),
                ),
                None => (
                    Some(SqlName::table(&name.plural_snake)),
                    entry.key_span.clone(),
                ),
            };
            let Some(table) = table.and_then(|table| self.name("table", table, table_span.clone()))
            else {
                continue;
            };
            if let Some(other) = declared.iter().find(|other| other.table == table) {
                let kind = ErrorKind::DuplicateTable {
                    table: table.name.clone(),
                    entity: other.name.original.clone(),
                };
                self.error(kind, table_span);
                continue;
            }
            if let Some(module) = module
                && !self.taken_by_another_module(module, &name, &table, &table_span, entry)
            {
                continue;
            }
            self.type_names
                .push((name.pascal.clone(), entry.key_span.clone()));
            declared.push(Declared {
                name,
                key_span: entry.key_span.clone(),
                table,
                body,
            });
        }
        declared
    }

    /// Whether `name` (table `table`) is free of the tables and routes of the project's other
    /// modules: a clash would fail the migration, or panic axum at start. Reports a clash.
    fn taken_by_another_module(
        &mut self,
        module: &Name,
        name: &Name,
        table: &SqlName,
        table_span: &Range<usize>,
        entry: &Entry,
    ) -> bool {
        let others = || {
            self.existing
                .iter()
                .filter(|existing| existing.module.snake != module.snake)
        };
        let (kind, span) = if let Some(other) = others().find(|other| other.table == *table) {
            (
                ErrorKind::TableTaken {
                    table: table.name.clone(),
                    entity: other.entity.original.clone(),
                    module: other.module.snake.clone(),
                },
                table_span.clone(),
            )
        } else if let Some(other) =
            others().find(|other| other.entity.plural_kebab == name.plural_kebab)
        {
            (
                ErrorKind::RouteTaken {
                    route: name.plural_kebab.clone(),
                    entity: other.entity.original.clone(),
                    module: other.module.snake.clone(),
                },
                entry.key_span.clone(),
            )
        } else {
            return true;
        };
        self.error(kind, span);
        false
    }

    fn entity(&mut self, context: &Context<'_, '_>) -> Option<Entity> {
        let entity = context.entity;
        let what = format!("entity `{}`", entity.name.original);
        self.check_keys(entity.body, ENTITY_KEYS, &what);
        if let Some(entry) = find(entity.body, "tenant_scoped")
            && self.boolean(entry) == Some(true)
        {
            self.error(ErrorKind::TenantScoped, entry.value.span.clone());
        }
        let events = match find(entity.body, "events") {
            Some(entry) => self.events(entry),
            None => EventKind::ALL.to_vec(),
        };
        let Some(fields_entry) = find(entity.body, "fields") else {
            self.error(
                ErrorKind::MissingKey {
                    key: "fields",
                    context: what,
                },
                entity.key_span.clone(),
            );
            return None;
        };
        let fields = self.map(fields_entry)?;
        let errors_before = self.errors.len();
        let fields: Vec<Field> = fields
            .iter()
            .filter_map(|entry| self.field(context, entry))
            .collect();
        if self.errors.len() > errors_before {
            return None;
        }
        let events: Vec<Event> = events
            .into_iter()
            .map(|kind| Event::new(kind, &entity.name, &entity.table))
            .collect();
        for event in &events {
            self.type_names
                .push((event.rust_name.clone(), entity.key_span.clone()));
        }
        Some(Entity {
            events,
            name: entity.name.clone(),
            table: entity.table.clone(),
            fields,
        })
    }

    fn events(&mut self, entry: &Entry) -> Vec<EventKind> {
        let Value::List(items) = &entry.value.value else {
            self.wrong_type("events", &entry.value, "a list of events");
            return Vec::new();
        };
        let mut events = Vec::new();
        for item in items {
            let Value::String(name) = &item.value else {
                self.wrong_type("events", item, "a list of event names");
                continue;
            };
            let Some(index) = EVENTS.iter().position(|event| event == name) else {
                let suggestion = closest(name, EVENTS.iter().copied());
                self.error(
                    ErrorKind::UnknownEvent {
                        name: name.clone(),
                        suggestion,
                    },
                    item.span.clone(),
                );
                continue;
            };
            let kind = EventKind::ALL[index];
            if events.contains(&kind) {
                self.error(
                    ErrorKind::DuplicateEvent { name: name.clone() },
                    item.span.clone(),
                );
            }
            events.push(kind);
        }
        events.sort();
        events.dedup();
        events
    }

    fn field(&mut self, context: &Context<'_, '_>, entry: &Entry) -> Option<Field> {
        let errors_before = self.errors.len();
        let name = self.name("field", Name::field(&entry.key), entry.key_span.clone());
        if let Some(kind) = reserved_field(&entry.key) {
            self.error(kind, entry.key_span.clone());
        }
        let Value::Map(body) = &entry.value.value else {
            self.wrong_type(
                &entry.key,
                &entry.value,
                "a table like { type = \"string\" }",
            );
            return None;
        };
        let what = format!("field `{}`", entry.key);
        self.check_keys(body, FIELD_KEYS, &what);
        let Some(type_entry) = find(body, "type") else {
            self.error(
                ErrorKind::MissingKey {
                    key: "type",
                    context: what,
                },
                entry.key_span.clone(),
            );
            return None;
        };
        let keyword = self.string(type_entry)?;
        let Some(keyword) = FIELD_TYPES.iter().copied().find(|known| *known == keyword) else {
            let suggestion = closest(keyword, FIELD_TYPES.iter().copied());
            self.error(
                ErrorKind::UnknownType {
                    name: keyword.to_owned(),
                    suggestion,
                },
                type_entry.value.span.clone(),
            );
            return None;
        };
        for key_entry in body {
            if let Some((types, applies_to)) = types_for_key(&key_entry.key)
                && !types.contains(&keyword)
            {
                let kind = ErrorKind::NotForType {
                    key: key_entry.key.clone(),
                    kind: keyword,
                    applies_to,
                };
                self.error(kind, key_entry.key_span.clone());
            }
        }
        let flag = |builder: &mut Self, key| {
            find(body, key)
                .and_then(|entry| builder.boolean(entry))
                .unwrap_or(false)
        };
        let (optional, unique, indexed) = (
            flag(self, "optional"),
            flag(self, "unique"),
            flag(self, "indexed"),
        );
        let kind = self.field_type(context, keyword, name.as_ref(), entry, body);
        let constraints = self.constraints(kind.as_ref(), body);
        let (Some(name), Some(kind)) = (name, kind) else {
            return None;
        };
        let default = find(body, "default")
            .filter(|_| applies("default", keyword))
            .and_then(|entry| self.default(&kind, &constraints, entry));
        let column = self.name("column", SqlName::new(&name.snake), entry.key_span.clone())?;
        if self.errors.len() > errors_before {
            return None;
        }
        let spec = FieldSpec {
            name,
            column,
            kind,
            optional,
            unique,
            indexed,
            default,
            constraints,
        };
        let example_span = find(body, "pattern").map_or(type_entry.value.span.clone(), |entry| {
            entry.value.span.clone()
        });
        Field::new(spec, &context.entity.table)
            .map_err(|error| self.error(ErrorKind::NoExample(error), example_span))
            .ok()
    }

    fn field_type(
        &mut self,
        context: &Context<'_, '_>,
        keyword: &str,
        name: Option<&Name>,
        entry: &Entry,
        body: &[Entry],
    ) -> Option<FieldType> {
        Some(match keyword {
            "string" => FieldType::String,
            "text" => FieldType::Text,
            "bool" => FieldType::Bool,
            "i32" => FieldType::I32,
            "i64" => FieldType::I64,
            "f64" => FieldType::F64,
            "decimal" => FieldType::Decimal,
            "uuid" => FieldType::Uuid,
            "date" => FieldType::Date,
            "datetime" => FieldType::DateTime,
            "json" => FieldType::Json,
            "enum" => {
                let variants = self.enum_variants(entry, body)?;
                let type_name = self.name(
                    "enum type",
                    Name::type_name(&format!("{}{}", context.entity.name.pascal, name?.pascal)),
                    entry.key_span.clone(),
                )?;
                self.type_names
                    .push((type_name.pascal.clone(), entry.key_span.clone()));
                FieldType::Enum(Box::new(EnumType {
                    type_name,
                    variants,
                }))
            }
            _ => self.reference(context, entry, body)?,
        })
    }

    fn enum_variants(&mut self, entry: &Entry, body: &[Entry]) -> Option<Vec<EnumVariant>> {
        let Some(values_entry) = find(body, "values") else {
            self.error(ErrorKind::EmptyEnum, entry.key_span.clone());
            return None;
        };
        let Value::List(items) = &values_entry.value.value else {
            self.wrong_type("values", &values_entry.value, "a list of strings");
            return None;
        };
        if items.is_empty() {
            self.error(ErrorKind::EmptyEnum, values_entry.value.span.clone());
            return None;
        }
        let mut variants: Vec<EnumVariant> = Vec::new();
        for item in items {
            let Value::String(value) = &item.value else {
                self.wrong_type("values", item, "a list of strings");
                continue;
            };
            let Ok(variant) = EnumVariant::new(value) else {
                self.error(
                    ErrorKind::EnumValueName {
                        value: value.clone(),
                    },
                    item.span.clone(),
                );
                continue;
            };
            if let Some(other) = variants
                .iter()
                .find(|other| other.rust_name == variant.rust_name)
            {
                let kind = if other.value == variant.value {
                    ErrorKind::DuplicateEnumValue {
                        value: value.clone(),
                    }
                } else {
                    ErrorKind::EnumVariantClash {
                        first: other.value.clone(),
                        second: value.clone(),
                        rust_name: variant.rust_name.clone(),
                    }
                };
                self.error(kind, item.span.clone());
                continue;
            }
            variants.push(variant);
        }
        (variants.len() == items.len()).then_some(variants)
    }

    /// A `ref` field: the entity is in this file, or exists in the project.
    fn reference(
        &mut self,
        context: &Context<'_, '_>,
        entry: &Entry,
        body: &[Entry],
    ) -> Option<FieldType> {
        let Some(entity_entry) = find(body, "entity") else {
            self.error(
                ErrorKind::MissingKey {
                    key: "entity",
                    context: format!("field `{}`", entry.key),
                },
                entry.key_span.clone(),
            );
            return None;
        };
        let entity = self.string(entity_entry)?;
        let module = match find(body, "module") {
            Some(module_entry) => {
                let text = self.string(module_entry)?;
                let span = module_entry.value.span.clone();
                Some(self.name("module", Name::module(text), span)?)
            }
            None => None,
        };
        let local = match (&module, context.module) {
            (None, _) => true,
            (Some(module), Some(own)) => module.snake == own.snake,
            (Some(_), None) => false,
        };
        let module_name = module
            .as_ref()
            .or(context.module)
            .map(|module| module.snake.clone())
            .unwrap_or_default();
        let Some((entity_name, table)) = self.find_entity(context, entity, &module_name, local)
        else {
            let kind = self.unknown_ref(context, entity, module_name, local);
            self.error(kind, entity_entry.value.span.clone());
            return None;
        };
        let module = module.or_else(|| context.module.cloned())?;
        Some(FieldType::Ref(Box::new(RefTarget {
            module,
            entity: entity_name,
            table,
        })))
    }

    /// The name and table of entity `entity` of module `module`: declared in this file (when
    /// `local`) or existing in the project.
    fn find_entity(
        &self,
        context: &Context<'_, '_>,
        entity: &str,
        module: &str,
        local: bool,
    ) -> Option<(Name, SqlName)> {
        let declared = context
            .declared
            .iter()
            .filter(|_| local)
            .find(|declared| declared.name.original == entity)
            .map(|declared| (declared.name.clone(), declared.table.clone()));
        declared.or_else(|| {
            self.existing
                .iter()
                .find(|existing| {
                    existing.module.snake == module && existing.entity.original == entity
                })
                .map(|existing| (existing.entity.clone(), existing.table.clone()))
        })
    }

    /// Why `entity` was not found, with the closest name in its module or the module that has it.
    fn unknown_ref(
        &self,
        context: &Context<'_, '_>,
        entity: &str,
        module: String,
        local: bool,
    ) -> ErrorKind {
        let existing_names = self
            .existing
            .iter()
            .filter(|existing| existing.module.snake == module)
            .map(|existing| existing.entity.original.as_str());
        let declared_names = context
            .declared
            .iter()
            .filter(|_| local)
            .map(|declared| declared.name.original.as_str());
        let suggestion = closest(entity, existing_names.chain(declared_names));
        let found_in = self
            .existing
            .iter()
            .find(|existing| existing.entity.original == entity && existing.module.snake != module)
            .map(|existing| existing.module.snake.clone());
        ErrorKind::UnknownRef {
            entity: entity.to_owned(),
            module,
            suggestion,
            found_in,
        }
    }

    /// The constraints of a field of type `kind`; keys that do not apply to it were reported
    /// already and are skipped.
    fn constraints(&mut self, kind: Option<&FieldType>, body: &[Entry]) -> Constraints {
        let mut constraints = Constraints::default();
        let Some(kind) = kind else {
            return constraints;
        };
        let find = |key: &str| find(body, key).filter(|_| applies(key, kind.keyword()));
        let min = find("min")
            .and_then(|entry| Some((self.bound(kind, entry)?, entry.value.span.clone())));
        let max = find("max")
            .and_then(|entry| Some((self.bound(kind, entry)?, entry.value.span.clone())));
        if let (Some((min, min_span)), Some((max, max_span))) = (&min, &max)
            && min.number > max.number
        {
            let kind = ErrorKind::MinAboveMax {
                min_key: "min",
                max_key: "max",
                min: min.sql.clone(),
                max: max.sql.clone(),
            };
            let error = self
                .make(kind, max_span.clone())
                .with_related(min_span.clone(), "minimum here");
            self.errors.push(error);
        }
        constraints.min = min.map(|(bound, _)| bound);
        constraints.max = max.map(|(bound, _)| bound);
        let min_length = find("min_length")
            .and_then(|entry| Some((self.length(entry)?, entry.value.span.clone())));
        let max_length = find("max_length")
            .and_then(|entry| Some((self.length(entry)?, entry.value.span.clone())));
        if let Some((0, span)) = &max_length {
            self.error(ErrorKind::ZeroMaxLength, span.clone());
        }
        if let (Some((min, min_span)), Some((max, max_span))) = (&min_length, &max_length)
            && min > max
        {
            let kind = ErrorKind::MinAboveMax {
                min_key: "min_length",
                max_key: "max_length",
                min: min.to_string(),
                max: max.to_string(),
            };
            let error = self
                .make(kind, max_span.clone())
                .with_related(min_span.clone(), "minimum here");
            self.errors.push(error);
        }
        constraints.min_length = min_length.map(|(length, _)| length);
        constraints.max_length = max_length.map(|(length, _)| length);
        constraints.pattern = find("pattern").and_then(|entry| self.pattern(entry));
        constraints.format = find("format").and_then(|entry| match self.string(entry)? {
            "email" => Some(StringFormat::Email),
            "url" => Some(StringFormat::Url),
            other => {
                self.error(
                    ErrorKind::UnknownFormat {
                        name: other.to_owned(),
                    },
                    entry.value.span.clone(),
                );
                None
            }
        });
        constraints
    }

    fn bound(&mut self, kind: &FieldType, entry: &Entry) -> Option<Bound> {
        let bound = match &entry.value.value {
            Value::Integer(number) => Bound::new(kind, Number::Integer(*number)),
            Value::Float(number) if number.is_finite() => Bound::new(kind, Number::Float(*number)),
            Value::String(text) => Bound::from_text(kind, text),
            _ => {
                self.wrong_type(&entry.key, &entry.value, "a finite number");
                return None;
            }
        };
        let key = if entry.key == "min" { "min" } else { "max" };
        bound
            .map_err(|error| {
                self.error(
                    ErrorKind::InvalidValue { key, error },
                    entry.value.span.clone(),
                )
            })
            .ok()
    }

    fn length(&mut self, entry: &Entry) -> Option<u32> {
        match entry.value.value {
            Value::Integer(number) if let Ok(length) = u32::try_from(number) => {
                if entry.key == "min_length" && length > MAX_EXAMPLE_LENGTH {
                    let kind = ErrorKind::MinLengthTooLarge {
                        limit: MAX_EXAMPLE_LENGTH,
                    };
                    self.error(kind, entry.value.span.clone());
                    return None;
                }
                Some(length)
            }
            _ => {
                self.wrong_type(&entry.key, &entry.value, "a non-negative integer");
                None
            }
        }
    }

    fn pattern(&mut self, entry: &Entry) -> Option<Pattern> {
        let source = self.string(entry)?;
        match RegexBuilder::new(source)
            .size_limit(PATTERN_SIZE_LIMIT)
            .build()
        {
            Ok(regex) => Some(Pattern::new(regex)),
            Err(error) => {
                self.error(
                    ErrorKind::InvalidPattern {
                        message: regex_message(&error),
                    },
                    entry.value.span.clone(),
                );
                None
            }
        }
    }

    fn default(
        &mut self,
        kind: &FieldType,
        constraints: &Constraints,
        entry: &Entry,
    ) -> Option<DefaultValue> {
        let Some(value) = entry.value.to_json().filter(|value| !value.is_null()) else {
            self.wrong_type("default", &entry.value, "a value of the field's type");
            return None;
        };
        DefaultValue::new(kind, &value, constraints)
            .map_err(|error| {
                self.error(
                    ErrorKind::InvalidValue {
                        key: "default",
                        error,
                    },
                    entry.value.span.clone(),
                )
            })
            .ok()
    }

    /// Reports each cycle of required references at the reference that starts it, and the one
    /// that closes it.
    fn check_reference_cycles(
        &mut self,
        module: &Name,
        entities: &[Entity],
        declared: &[Declared],
    ) {
        let field_span = |link: &Link| {
            declared
                .iter()
                .find(|entity| entity.name == link.entity.name)
                .and_then(|entity| find(entity.body, "fields"))
                .and_then(|fields| fields.value.entries())
                .and_then(|fields| find(fields, &link.field.name.original))
                .map_or(0..0, |field| field.key_span.clone())
        };
        for cycle in required_reference_cycles(module, entities) {
            let names: Vec<&str> = cycle
                .iter()
                .chain(cycle.first())
                .map(|link| link.entity.name.pascal.as_str())
                .collect();
            let kind = ErrorKind::ReferenceCycle {
                cycle: names.join(" -> "),
            };
            let mut error = self.make(kind, field_span(&cycle[0]));
            if let [_, .., last] = cycle.as_slice() {
                error = error.with_related(field_span(last), "closes the cycle");
            }
            self.errors.push(error);
        }
    }

    fn check_type_names(&mut self, module: Option<&Name>) {
        let names = std::mem::take(&mut self.type_names);
        for (index, (name, span)) in names.iter().enumerate() {
            if names[..index].iter().any(|(other, _)| other == name) {
                let module = module
                    .map(|module| module.snake.clone())
                    .unwrap_or_default();
                self.error(
                    ErrorKind::DuplicateTypeName {
                        name: name.clone(),
                        module,
                    },
                    span.clone(),
                );
            }
        }
    }

    fn check_keys(&mut self, entries: &[Entry], allowed: &'static [&'static str], context: &str) {
        for entry in entries
            .iter()
            .filter(|entry| !allowed.contains(&entry.key.as_str()))
        {
            let kind = ErrorKind::UnknownKey {
                key: entry.key.clone(),
                context: context.to_owned(),
                expected: allowed,
                suggestion: closest(&entry.key, allowed.iter().copied()),
            };
            self.error(kind, entry.key_span.clone());
        }
    }

    /// The name, or `None` after reporting why it is invalid.
    fn name<T>(
        &mut self,
        what: &'static str,
        name: Result<T, NameError>,
        span: Range<usize>,
    ) -> Option<T> {
        name.map_err(|error| self.error(ErrorKind::InvalidName { what, error }, span))
            .ok()
    }

    fn wrong_type(&mut self, key: &str, node: &Node, expected: &'static str) {
        let kind = ErrorKind::WrongType {
            key: key.to_owned(),
            expected,
            found: node.value.describe(),
        };
        self.error(kind, node.span.clone());
    }

    fn string<'n>(&mut self, entry: &'n Entry) -> Option<&'n str> {
        match &entry.value.value {
            Value::String(text) => Some(text),
            _ => {
                self.wrong_type(&entry.key, &entry.value, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, entry: &Entry) -> Option<bool> {
        match entry.value.value {
            Value::Bool(flag) => Some(flag),
            _ => {
                self.wrong_type(&entry.key, &entry.value, "true or false");
                None
            }
        }
    }

    fn map<'n>(&mut self, entry: &'n Entry) -> Option<&'n [Entry]> {
        match &entry.value.value {
            Value::Map(entries) => Some(entries),
            _ => {
                self.wrong_type(&entry.key, &entry.value, "a table");
                None
            }
        }
    }
}

fn find<'n>(entries: &'n [Entry], key: &str) -> Option<&'n Entry> {
    entries.iter().find(|entry| entry.key == key)
}

/// The candidate closest to `word` when it is close enough to be a likely typo.
fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::levenshtein(&word, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.to_owned())
}

/// The last line of a regex error ("error: unclosed group"), without its prefix.
fn regex_message(error: &regex::Error) -> String {
    let text = error.to_string();
    let last = text
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(&text);
    last.trim().trim_start_matches("error: ").to_owned()
}
