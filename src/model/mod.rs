//! The `ServiceModel`: the one intermediate representation every front-end produces (entity
//! schemas today, OpenAPI later) and every template reads (DESIGN §2).
//!
//! Everything a template needs is precomputed here — names in every case, SQL identifiers
//! quoted when reserved, and per field its Rust, PostgreSQL and SQLite types, its OpenAPI
//! schema and example values — so templates hold no logic beyond loops and conditionals.
//! The model serializes (serde) into the template context.
//!
//! Implicit fields: every entity also has `id` (UUID v7, primary key), `created_at`,
//! `updated_at` (timestamps) and `version` (optimistic locking, the ETag). They are *not* in
//! [`Entity::fields`]; templates add them. A user field with one of these names is refused by
//! the front-ends, as is `tenant_id` (reserved for multi-tenancy), see [`IMPLICIT_FIELDS`].

mod examples;
pub mod naming;
pub(crate) mod reserved;
pub mod types;

use serde::Serialize;

pub use examples::{ExampleError, Examples, InvalidExample, MAX_EXAMPLE_LENGTH};
pub use naming::{Name, NameError, SqlName};
pub use types::{Bound, DefaultValue, ValueError};

/// Field names every entity has implicitly, plus `tenant_id` (reserved for multi-tenancy).
pub const IMPLICIT_FIELDS: &[&str] = &["id", "created_at", "updated_at", "version", "tenant_id"];

/// The query parameters of every list endpoint besides the filters: a field of one of these
/// names could not be filtered on.
pub const LIST_PARAMETERS: &[&str] = &["limit", "cursor", "sort"];

/// A whole service: the modules of a project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceModel {
    pub modules: Vec<Module>,
}

/// One module (a vertical slice under `src/modules/<name>/`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Module {
    pub name: Name,
    pub entities: Vec<Entity>,
}

/// One entity: a table, a REST resource and its events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    pub name: Name,
    pub table: SqlName,
    /// The outbox events it emits, in the order created, updated, deleted.
    pub events: Vec<Event>,
    /// User fields in schema order; the implicit fields are not here.
    pub fields: Vec<Field>,
}

/// The mutations that can emit an outbox event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Updated,
    Deleted,
}

impl EventKind {
    pub const ALL: [EventKind; 3] = [EventKind::Created, EventKind::Updated, EventKind::Deleted];

    /// The word used in schemas and topics.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Deleted => "deleted",
        }
    }
}

/// An outbox event of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub kind: EventKind,
    /// `<table>.<entity>.<event>`: `orders.order.created`.
    pub topic: String,
    /// The domain event type: `OrderCreated`.
    pub rust_name: String,
}

impl Event {
    pub fn new(kind: EventKind, entity: &Name, table: &SqlName) -> Event {
        let word = kind.as_str();
        Event {
            kind,
            topic: format!("{}.{}.{word}", table.name, entity.snake),
            rust_name: format!(
                "{}{}",
                entity.pascal,
                heck::ToUpperCamelCase::to_upper_camel_case(word)
            ),
        }
    }
}

/// A field type. Serialized with a `type` tag: `{"type": "string"}`,
/// `{"type": "enum", "type_name": {…}, "variants": […]}`, `{"type": "ref", "module": {…}, …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    String,
    Text,
    Bool,
    I32,
    I64,
    F64,
    Decimal,
    Uuid,
    Date,
    #[serde(rename = "datetime")]
    DateTime,
    Json,
    /// A closed set of string values; generates a Rust enum.
    Enum(Box<EnumType>),
    /// The id of another entity (a UUID column with a foreign key).
    Ref(Box<RefTarget>),
}

impl FieldType {
    /// The word used in schemas (`datetime`, `i64`, `ref`).
    pub fn keyword(&self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Text => "text",
            FieldType::Bool => "bool",
            FieldType::I32 => "i32",
            FieldType::I64 => "i64",
            FieldType::F64 => "f64",
            FieldType::Decimal => "decimal",
            FieldType::Uuid => "uuid",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Json => "json",
            FieldType::Enum(_) => "enum",
            FieldType::Ref(_) => "ref",
        }
    }
}

/// The generated Rust enum of an enum field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumType {
    /// `<Entity><Field>`: `OrderStatus`.
    pub type_name: Name,
    pub variants: Vec<EnumVariant>,
}

/// The entity a ref field points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefTarget {
    pub module: Name,
    pub entity: Name,
    /// Its table, for the foreign key.
    pub table: SqlName,
}

/// One value of an enum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumVariant {
    /// As written in the schema: the value on the wire and in the database.
    pub value: String,
    /// The Rust variant: `in-progress` → `InProgress`.
    pub rust_name: String,
    /// `value` as a Rust string literal, quotes included.
    pub rust_literal: String,
    /// `value` as a SQL string literal, quotes included.
    pub sql_literal: String,
}

impl EnumVariant {
    /// A variant for `value`: its PascalCase form, transliterated to ASCII (`größe` →
    /// `Grosse`), with `V` before a leading digit (`4k` → `V4k`). Fails when that is not a
    /// Rust identifier: a value without letters or digits, or `self`.
    pub fn new(value: &str) -> Result<EnumVariant, NameError> {
        use heck::ToUpperCamelCase;
        // Twice: single letters become a run of capitals the first time (`x_y` → `XY`), which
        // is not PascalCase as heck writes it (`Xy`).
        let pascal = deunicode::deunicode(value)
            .to_upper_camel_case()
            .to_upper_camel_case();
        let pascal = if pascal.starts_with(|c: char| c.is_ascii_digit()) {
            format!("V{pascal}")
        } else {
            pascal
        };
        let rust_name = Name::type_name(&pascal)
            .map_err(|_| NameError::NotAnIdentifier {
                name: value.to_owned(),
            })?
            .pascal;
        Ok(EnumVariant {
            value: value.to_owned(),
            rust_name,
            rust_literal: types::rust_string_literal(value),
            sql_literal: types::sql_string_literal(value),
        })
    }
}

/// `format` of a string field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StringFormat {
    Email,
    Url,
}

/// A regular expression (Rust `regex` syntax) that a string value must match somewhere.
#[derive(Debug, Clone, Serialize)]
pub struct Pattern {
    /// As written in the schema.
    pub source: String,
    /// As a Rust string literal, quotes included.
    pub rust_literal: String,
    /// Compiled once, for the examples and defaults that are checked against it.
    #[serde(skip)]
    pub regex: regex::Regex,
}

impl Pattern {
    pub fn new(regex: regex::Regex) -> Pattern {
        Pattern {
            source: regex.as_str().to_owned(),
            rust_literal: types::rust_string_literal(regex.as_str()),
            regex,
        }
    }
}

/// Patterns are equal when they are written the same.
impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Pattern {}

/// Value constraints of a field. Absent constraints are `None` (serialized as null).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Constraints {
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    /// In characters.
    pub min_length: Option<u32>,
    /// In characters.
    pub max_length: Option<u32>,
    pub pattern: Option<Pattern>,
    pub format: Option<StringFormat>,
}

/// Everything that defines a field, before the per-type mapping is computed.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub name: Name,
    pub column: SqlName,
    pub kind: FieldType,
    pub optional: bool,
    pub unique: bool,
    pub indexed: bool,
    pub default: Option<DefaultValue>,
    pub constraints: Constraints,
}

/// A field with its precomputed mapping; see the module docs and docs/schema-format.md.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub name: Name,
    pub column: SqlName,
    pub kind: FieldType,
    pub optional: bool,
    pub unique: bool,
    /// A plain index is wanted. Always false when `unique` is set: the unique constraint is
    /// the index.
    pub indexed: bool,
    pub default: Option<DefaultValue>,
    pub constraints: Constraints,
    /// Usable in equality filters and `sort` (every type except json).
    pub scalar: bool,
    #[serde(flatten)]
    pub mapping: types::TypeMapping,
    #[serde(flatten)]
    pub examples: Examples,
    /// Names of the SQL objects created for this field.
    pub sql_names: SqlObjectNames,
}

impl Field {
    /// Computes the mapping and examples of `spec`, a field of table `table`.
    pub fn new(mut spec: FieldSpec, table: &SqlName) -> Result<Field, ExampleError> {
        drop_bounds_at_type_limits(&spec.kind, &mut spec.constraints);
        let examples = examples::Examples::new(&spec.name, &spec.kind, &spec.constraints)?;
        let mut mapping =
            types::TypeMapping::new(&spec.kind, &spec.column, &spec.constraints, spec.optional);
        if let (Some(default), Some(openapi)) = (&spec.default, mapping.openapi.as_object_mut()) {
            openapi.insert("default".to_owned(), default.json.clone());
        }
        Ok(Field {
            scalar: spec.kind != FieldType::Json,
            indexed: spec.indexed && !spec.unique,
            sql_names: SqlObjectNames::new(table, &spec.column),
            name: spec.name,
            column: spec.column,
            kind: spec.kind,
            optional: spec.optional,
            unique: spec.unique,
            default: spec.default,
            constraints: spec.constraints,
            mapping,
            examples,
        })
    }
}

/// A bound at the integer type's own limit (`max = 9223372036854775807` on an i64) allows
/// every value: it is left out, because the comparison it would generate is always true
/// (clippy rejects it) and a CHECK with it says nothing.
fn drop_bounds_at_type_limits(kind: &FieldType, constraints: &mut Constraints) {
    let (lowest, highest) = match kind {
        FieldType::I32 => (i64::from(i32::MIN), i64::from(i32::MAX)),
        FieldType::I64 => (i64::MIN, i64::MAX),
        _ => return,
    };
    let is = |bound: &Option<Bound>, limit: i64| {
        bound
            .as_ref()
            .is_some_and(|bound| bound.value.as_i64() == Some(limit))
    };
    if is(&constraints.min, lowest) {
        constraints.min = None;
    }
    if is(&constraints.max, highest) {
        constraints.max = None;
    }
}

/// Names of the constraints and index of one column, in PostgreSQL's default naming style
/// (`<table>_<column>_key`), shortened to 63 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqlObjectNames {
    /// Unique constraint: `orders_customer_email_key`.
    pub unique: String,
    /// Plain index: `orders_status_idx`.
    pub index: String,
    /// Foreign key: `orders_customer_id_fkey`.
    pub foreign_key: String,
    /// CHECK constraint: `orders_status_check`.
    pub check: String,
}

impl SqlObjectNames {
    fn new(table: &SqlName, column: &SqlName) -> SqlObjectNames {
        let object = |suffix: &str| {
            let stem_length = naming::MAX_SQL_IDENTIFIER_LENGTH - suffix.len() - 1;
            let stem = format!("{}_{}", table.name, column.name);
            // ASCII only (names are checked snake_case), so byte slicing is char slicing.
            let stem = &stem[..stem.len().min(stem_length)];
            format!("{stem}_{suffix}")
        };
        SqlObjectNames {
            unique: object("key"),
            index: object("idx"),
            foreign_key: object("fkey"),
            check: object("check"),
        }
    }
}

/// An entity that already exists in the project, for resolving `ref` fields that point outside
/// the schema file being loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingEntity {
    pub module: Name,
    pub entity: Name,
    pub table: SqlName,
}

impl ExistingEntity {
    /// From the names as written in the project (`"crm"`, `"Customer"`, `"customers"`).
    pub fn new(module: &str, entity: &str, table: &str) -> Result<ExistingEntity, NameError> {
        Ok(ExistingEntity {
            module: Name::module(module)?,
            entity: Name::entity(entity)?,
            table: SqlName::new(table)?,
        })
    }

    /// Every entity of a model.
    pub fn all_of(model: &ServiceModel) -> Vec<ExistingEntity> {
        model
            .modules
            .iter()
            .flat_map(|module| {
                module.entities.iter().map(|entity| ExistingEntity {
                    module: module.name.clone(),
                    entity: entity.name.clone(),
                    table: entity.table.clone(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_topics_and_type_names() {
        let entity = Name::entity("OrderItem").unwrap();
        let table = SqlName::new("order_items").unwrap();
        let event = Event::new(EventKind::Deleted, &entity, &table);
        assert_eq!(event.topic, "order_items.order_item.deleted");
        assert_eq!(event.rust_name, "OrderItemDeleted");
    }

    #[test]
    fn integer_bounds_at_the_type_limits_are_left_out() {
        let bound = |kind: &FieldType, value: i64| {
            Some(Bound::new(kind, types::Number::Integer(value)).unwrap())
        };
        let field = |kind: FieldType, min: i64, max: i64| {
            let constraints = Constraints {
                min: bound(&kind, min),
                max: bound(&kind, max),
                ..Constraints::default()
            };
            let spec = FieldSpec {
                name: Name::field("amount").unwrap(),
                column: SqlName::new("amount").unwrap(),
                kind,
                optional: false,
                unique: false,
                indexed: false,
                default: None,
                constraints,
            };
            Field::new(spec, &SqlName::new("things").unwrap()).unwrap()
        };
        let wide = field(FieldType::I64, i64::MIN, i64::MAX);
        assert_eq!((wide.constraints.min, wide.constraints.max), (None, None));
        let narrow = field(FieldType::I32, i64::from(i32::MIN), 10);
        assert_eq!(narrow.constraints.min, None);
        assert_eq!(narrow.constraints.max.unwrap().value, 10);
        let inner = field(FieldType::I64, -5, i64::from(i32::MAX));
        assert_eq!(inner.constraints.min.unwrap().value, -5);
        assert!(inner.constraints.max.is_some());
    }

    #[test]
    fn enum_variants() {
        let variant = EnumVariant::new("in-progress").unwrap();
        assert_eq!(variant.rust_name, "InProgress");
        assert_eq!(variant.rust_literal, "\"in-progress\"");
        assert_eq!(EnumVariant::new("it's").unwrap().sql_literal, "'it''s'");
        assert_eq!(EnumVariant::new("1st").unwrap().rust_name, "V1st");
        assert_eq!(EnumVariant::new("x_y").unwrap().rust_name, "Xy");
        assert_eq!(EnumVariant::new("größe").unwrap().rust_name, "Grosse");
        assert_eq!(EnumVariant::new("Ünïcode").unwrap().value, "Ünïcode");
        assert!(EnumVariant::new("--").is_err());
        assert!(EnumVariant::new("日本").is_ok());
        assert!(EnumVariant::new("+").is_err());
        assert!(EnumVariant::new("self").is_err());
    }

    #[test]
    fn sql_object_names_fit_postgres() {
        let table = SqlName::new(&"t".repeat(40)).unwrap();
        let column = SqlName::new(&"c".repeat(40)).unwrap();
        let names = SqlObjectNames::new(&table, &column);
        assert_eq!(names.check.len(), 63);
        assert!(names.check.ends_with("_check"));
        let names = SqlObjectNames::new(
            &SqlName::new("orders").unwrap(),
            &SqlName::new("status").unwrap(),
        );
        assert_eq!(names.unique, "orders_status_key");
        assert_eq!(names.index, "orders_status_idx");
    }
}
