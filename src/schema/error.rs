//! Diagnostics of the schema front-end: what is wrong, where (file, line, column via miette
//! spans) and what to do (help). Every problem found in a file is reported at once.

use std::fmt::Display;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::model::{ExampleError, NameError, ValueError};

/// One problem in a schema file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ErrorKind {
    #[error("invalid {format}: {message}")]
    Syntax {
        format: &'static str,
        message: String,
    },
    #[error("{what} is defined twice")]
    DuplicateKey { what: String },
    #[error("unknown key `{key}` in {context}")]
    UnknownKey {
        key: String,
        context: String,
        expected: &'static [&'static str],
        suggestion: Option<String>,
    },
    #[error("missing key `{key}` in {context}")]
    MissingKey { key: &'static str, context: String },
    #[error("`{key}` must be {expected}, found {found}")]
    WrongType {
        key: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("unknown field type `{name}`")]
    UnknownType {
        name: String,
        suggestion: Option<String>,
    },
    #[error("`{key}` does not apply to {kind} fields")]
    NotForType {
        key: String,
        kind: &'static str,
        applies_to: &'static str,
    },
    #[error("invalid {what} name: {error}")]
    InvalidName {
        what: &'static str,
        error: NameError,
    },
    #[error("field `{name}` is implicit in every entity")]
    ImplicitField { name: String },
    #[error("a field cannot be named `{name}`: list requests use it as a parameter")]
    ListParameter { name: String },
    #[error("required references form a cycle: {cycle}")]
    ReferenceCycle { cycle: String },
    #[error("no entities in the schema")]
    NoEntities,
    #[error("`tenant_scoped = true`: multi-tenancy is not available yet")]
    TenantScoped,
    #[error("unknown event `{name}`")]
    UnknownEvent {
        name: String,
        suggestion: Option<String>,
    },
    #[error("event `{name}` is listed twice")]
    DuplicateEvent { name: String },
    #[error("table `{table}` is already used by entity `{entity}`")]
    DuplicateTable { table: String, entity: String },
    #[error("table `{table}` is already used by entity `{entity}` of module `{module}`")]
    TableTaken {
        table: String,
        entity: String,
        module: String,
    },
    #[error("route `/api/v1/{route}` is already served by entity `{entity}` of module `{module}`")]
    RouteTaken {
        route: String,
        entity: String,
        module: String,
    },
    #[error("type name `{name}` is generated twice in module `{module}`")]
    DuplicateTypeName { name: String, module: String },
    #[error("enum field without values")]
    EmptyEnum,
    #[error("enum value `{value}` is listed twice")]
    DuplicateEnumValue { value: String },
    #[error("enum value `{value}` has no usable Rust name")]
    EnumValueName { value: String },
    #[error("enum values `{first}` and `{second}` both become the Rust variant `{rust_name}`")]
    EnumVariantClash {
        first: String,
        second: String,
        rust_name: String,
    },
    #[error("`ref` to unknown entity `{entity}` in module `{module}`")]
    UnknownRef {
        entity: String,
        module: String,
        suggestion: Option<String>,
        found_in: Option<String>,
    },
    #[error("invalid `{key}`: {error}")]
    InvalidValue {
        key: &'static str,
        error: ValueError,
    },
    #[error("`{min_key}` ({min}) is greater than `{max_key}` ({max})")]
    MinAboveMax {
        min_key: &'static str,
        max_key: &'static str,
        min: String,
        max: String,
    },
    #[error("`max_length` must be at least 1")]
    ZeroMaxLength,
    #[error("`min_length` above {limit} is not supported")]
    MinLengthTooLarge { limit: u32 },
    #[error("invalid regular expression: {message}")]
    InvalidPattern { message: String },
    #[error("unknown format `{name}`")]
    UnknownFormat { name: String },
    #[error("{0}")]
    NoExample(ExampleError),
}

impl ErrorKind {
    /// A stable code for documentation and tests: `axiomod::schema::<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::Syntax { .. } => "syntax",
            ErrorKind::DuplicateKey { .. } => "duplicate_key",
            ErrorKind::UnknownKey { .. } => "unknown_key",
            ErrorKind::MissingKey { .. } => "missing_key",
            ErrorKind::WrongType { .. } => "wrong_type",
            ErrorKind::UnknownType { .. } => "unknown_type",
            ErrorKind::NotForType { .. } => "not_for_type",
            ErrorKind::InvalidName { .. } => "invalid_name",
            ErrorKind::ImplicitField { .. } => "implicit_field",
            ErrorKind::ListParameter { .. } => "list_parameter",
            ErrorKind::ReferenceCycle { .. } => "reference_cycle",
            ErrorKind::NoEntities => "no_entities",
            ErrorKind::TenantScoped => "tenant_scoped",
            ErrorKind::UnknownEvent { .. } => "unknown_event",
            ErrorKind::DuplicateEvent { .. } => "duplicate_event",
            ErrorKind::DuplicateTable { .. } => "duplicate_table",
            ErrorKind::TableTaken { .. } => "table_taken",
            ErrorKind::RouteTaken { .. } => "route_taken",
            ErrorKind::DuplicateTypeName { .. } => "duplicate_type_name",
            ErrorKind::EmptyEnum => "empty_enum",
            ErrorKind::DuplicateEnumValue { .. } => "duplicate_enum_value",
            ErrorKind::EnumValueName { .. } => "enum_value_name",
            ErrorKind::EnumVariantClash { .. } => "enum_variant_clash",
            ErrorKind::UnknownRef { .. } => "unknown_ref",
            ErrorKind::InvalidValue { .. } => "invalid_value",
            ErrorKind::MinAboveMax { .. } => "min_above_max",
            ErrorKind::ZeroMaxLength => "zero_max_length",
            ErrorKind::MinLengthTooLarge { .. } => "min_length_too_large",
            ErrorKind::InvalidPattern { .. } => "invalid_pattern",
            ErrorKind::UnknownFormat { .. } => "unknown_format",
            ErrorKind::NoExample(_) => "no_example",
        }
    }

    /// What the user can do about it.
    pub fn help(&self) -> Option<String> {
        let did_you_mean = |suggestion: &Option<String>, otherwise: String| match suggestion {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => otherwise,
        };
        Some(match self {
            ErrorKind::Syntax { .. } => "fix the syntax; docs/schema-format.md shows the format".to_owned(),
            ErrorKind::DuplicateKey { .. } => {
                "each key, entity and field may be defined once; rename or remove one of them".to_owned()
            }
            ErrorKind::UnknownKey { expected, suggestion, .. } => {
                did_you_mean(suggestion, format!("expected one of: {}", expected.join(", ")))
            }
            ErrorKind::MissingKey { key, .. } => format!("add `{key}`"),
            ErrorKind::WrongType { .. } => return None,
            ErrorKind::UnknownType { suggestion, .. } => did_you_mean(suggestion, format!("field types: {}", super::build::FIELD_TYPES.join(", "))),
            ErrorKind::NotForType { key, applies_to, .. } => format!("`{key}` applies to {applies_to} fields; remove it or change the type"),
            ErrorKind::InvalidName { error, .. } => error.help(),
            ErrorKind::ImplicitField { .. } => {
                "every entity has id, created_at, updated_at and version (tenant_id is reserved); remove the field or rename it".to_owned()
            }
            ErrorKind::ListParameter { .. } => {
                "rename the field: limit, cursor and sort are the list endpoint's own query parameters".to_owned()
            }
            ErrorKind::ReferenceCycle { .. } => {
                "no record of these entities could ever be created first; make one of the references `optional = true`".to_owned()
            }
            ErrorKind::NoEntities => "add at least one entity under `entities`".to_owned(),
            ErrorKind::TenantScoped => "remove `tenant_scoped` (or set it to false); tenant scoping arrives with multi-tenancy support".to_owned(),
            ErrorKind::UnknownEvent { suggestion, .. } => did_you_mean(suggestion, "events: created, updated, deleted".to_owned()),
            ErrorKind::DuplicateEvent { .. } => "list each event once".to_owned(),
            ErrorKind::DuplicateTable { .. } => "give one of the entities another `table`".to_owned(),
            ErrorKind::TableTaken { .. } => "set `table` on this entity to a name no other module uses".to_owned(),
            ErrorKind::RouteTaken { .. } => {
                "the route is the entity's name in the plural: rename this entity (e.g. with the module's prefix)".to_owned()
            }
            ErrorKind::DuplicateTypeName { .. } => {
                "entities, enum fields (`<Entity><Field>`) and events (`<Entity>Created`...) name Rust types; rename one so the names differ".to_owned()
            }
            ErrorKind::EmptyEnum => "add `values = [\"first\", \"second\"]`".to_owned(),
            ErrorKind::DuplicateEnumValue { .. } => "list each value once".to_owned(),
            ErrorKind::EnumValueName { .. } => {
                "a value needs a letter or a digit (other scripts are transliterated to ASCII), and cannot be `self`".to_owned()
            }
            ErrorKind::EnumVariantClash { .. } => "values may differ in more than case and separators".to_owned(),
            ErrorKind::UnknownRef { suggestion, found_in, .. } => match (suggestion, found_in) {
                (Some(suggestion), _) => format!("did you mean `{suggestion}`?"),
                (None, Some(module)) => format!("the entity is in module `{module}`: add `module = \"{module}\"` to the field"),
                (None, None) => "a ref names an entity of this file, or an existing one with `module`".to_owned(),
            },
            ErrorKind::InvalidValue { key, error } => match error {
                ValueError::DefaultNotSupported { .. } => {
                    "defaults are supported for string, text, bool, i32, i64, f64, decimal and enum fields".to_owned()
                }
                ValueError::NotAmongValues { .. } => "use one of the values, or add it to `values`".to_owned(),
                ValueError::ViolatesConstraint { constraint } => format!("change the default or `{constraint}`"),
                ValueError::OutOfRange { .. } => "i32 holds -2147483648 to 2147483647; use i64 for larger numbers".to_owned(),
                ValueError::InvalidDecimal { .. } => format!("write `{key}` as a plain decimal number, like 12.50"),
                ValueError::WrongType { .. } => return None,
            },
            ErrorKind::MinAboveMax { min_key, max_key, .. } => format!("`{min_key}` must not exceed `{max_key}`"),
            ErrorKind::ZeroMaxLength => "a value of at most 0 characters can only be empty; raise `max_length`".to_owned(),
            ErrorKind::MinLengthTooLarge { .. } => "generated examples and tests hold a value that long; lower `min_length`".to_owned(),
            ErrorKind::InvalidPattern { .. } => "patterns use the Rust `regex` syntax".to_owned(),
            ErrorKind::UnknownFormat { .. } => "formats: email, url".to_owned(),
            ErrorKind::NoExample(_) => "the constraints contradict each other; loosen one of them".to_owned(),
        })
    }
}

/// One problem, located in its file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind}")]
pub struct SchemaError {
    pub kind: ErrorKind,
    span: Range<usize>,
    /// A second place worth showing ("first defined here").
    related_span: Option<(Range<usize>, &'static str)>,
    source_code: NamedSource<Arc<str>>,
}

impl SchemaError {
    pub(crate) fn new(
        kind: ErrorKind,
        span: Range<usize>,
        source_code: NamedSource<Arc<str>>,
    ) -> SchemaError {
        SchemaError {
            kind,
            span,
            related_span: None,
            source_code,
        }
    }

    pub(crate) fn with_related(mut self, span: Range<usize>, label: &'static str) -> SchemaError {
        self.related_span = Some((span, label));
        self
    }

    /// Byte span of the offending key or value.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// 1-based line and column (in characters) of the start of the span, as miette shows it.
    pub fn line_column(&self) -> (usize, usize) {
        crate::text_position::line_column(self.source_code.inner(), self.span.start)
    }
}

impl Diagnostic for SchemaError {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        Some(Box::new(format!("axiomod::schema::{}", self.kind.code())))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        self.kind
            .help()
            .map(|help| Box::new(help) as Box<dyn Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source_code)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(
            Some(label(&self.kind).to_owned()),
            self.span.clone(),
        );
        let related = self
            .related_span
            .iter()
            .map(|(span, text)| LabeledSpan::new_with_span(Some((*text).to_owned()), span.clone()));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// The short text under the underlined span.
fn label(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Syntax { .. } => "here",
        ErrorKind::DuplicateKey { .. } => "defined again here",
        ErrorKind::UnknownKey { .. } => "unknown key",
        ErrorKind::MissingKey { .. } => "in this table",
        ErrorKind::WrongType { .. } => "wrong type",
        ErrorKind::UnknownType { .. } => "not a field type",
        ErrorKind::NotForType { .. } => "not for this type",
        ErrorKind::InvalidName { .. } => "invalid name",
        ErrorKind::ImplicitField { .. } => "implicit field",
        ErrorKind::ListParameter { .. } => "a list parameter",
        ErrorKind::ReferenceCycle { .. } => "required reference",
        ErrorKind::NoEntities => "empty",
        ErrorKind::TenantScoped => "not available yet",
        ErrorKind::UnknownEvent { .. } => "not an event",
        ErrorKind::DuplicateEvent { .. } => "listed again here",
        ErrorKind::DuplicateTable { .. } => "table used twice",
        ErrorKind::TableTaken { .. } => "table of another module",
        ErrorKind::RouteTaken { .. } => "route of another module",
        ErrorKind::DuplicateTypeName { .. } => "generates a type name already taken",
        ErrorKind::EmptyEnum => "no values",
        ErrorKind::DuplicateEnumValue { .. } => "listed again here",
        ErrorKind::EnumValueName { .. } => "no Rust name",
        ErrorKind::EnumVariantClash { .. } => "same Rust variant",
        ErrorKind::UnknownRef { .. } => "unknown entity",
        ErrorKind::InvalidValue { .. } => "invalid value",
        ErrorKind::MinAboveMax { .. } => "greater than the maximum",
        ErrorKind::ZeroMaxLength => "zero",
        ErrorKind::MinLengthTooLarge { .. } => "too large",
        ErrorKind::InvalidPattern { .. } => "invalid pattern",
        ErrorKind::UnknownFormat { .. } => "not a format",
        ErrorKind::NoExample(_) => "unsatisfiable",
    }
}

/// Every problem found in one schema file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}: {} problems in the schema", errors.len())]
pub struct SchemaErrors {
    pub file: String,
    pub errors: Vec<SchemaError>,
}

impl Diagnostic for SchemaErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        Some(Box::new("axiomod::schema::invalid"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.errors.iter().map(|error| error as &dyn Diagnostic),
        ))
    }
}

impl SchemaErrors {
    /// As a report: the error itself when there is one, else all of them as related errors.
    pub fn into_report(mut self) -> miette::Report {
        if self.errors.len() == 1
            && let Some(error) = self.errors.pop()
        {
            return miette::Report::new(error);
        }
        miette::Report::new(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(source: &str, span: Range<usize>) -> SchemaError {
        let source = NamedSource::new("test.toml", Arc::<str>::from(source));
        SchemaError::new(ErrorKind::NoEntities, span, source)
    }

    #[test]
    fn line_and_column_count_characters() {
        let source = "a = 1\nnäme = 2\n";
        assert_eq!(error(source, 0..1).line_column(), (1, 1));
        let offset = source.find("= 2").unwrap();
        assert_eq!(error(source, offset..offset + 1).line_column(), (2, 6));
        assert_eq!(
            error(source, source.len()..source.len()).line_column(),
            (3, 1)
        );
    }

    #[test]
    fn one_error_is_reported_alone_and_several_together() {
        let single = SchemaErrors {
            file: "test.toml".into(),
            errors: vec![error("x", 0..1)],
        };
        assert_eq!(
            single.into_report().to_string(),
            "no entities in the schema"
        );
        let several = SchemaErrors {
            file: "test.toml".into(),
            errors: vec![error("x", 0..1), error("x", 0..1)],
        };
        assert_eq!(
            several.into_report().to_string(),
            "test.toml: 2 problems in the schema"
        );
    }
}
