//! The type-mapping table: for each field type, its Rust type, PostgreSQL and SQLite column
//! types, CHECK constraints, and OpenAPI schema ([`TypeMapping`]); plus how bounds
//! ([`Bound`]) and defaults ([`DefaultValue`]) of each type are written in Rust and SQL.
//! Example values live in `examples.rs`. docs/schema-format.md shows the same table.

use serde::Serialize;
use serde_json::{Value, json};

use super::{Constraints, FieldType, SqlName, StringFormat};

/// The per-type mapping of one field, flattened into the serialized `Field`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeMapping {
    /// The Rust type of a value: `String`, `i64`, `rust_decimal::Decimal`, `OrderStatus`.
    pub rust_type: String,
    /// The type of the struct field: `rust_type`, or `Option<rust_type>` when optional.
    pub rust_field_type: String,
    /// `TEXT`, `VARCHAR(255)`, `BIGINT`, `NUMERIC`, `TIMESTAMPTZ`...
    pub postgres_type: String,
    /// `TEXT`, `INTEGER`, `REAL`, `BOOLEAN`...
    pub sqlite_type: String,
    /// The CHECK expression for PostgreSQL (enum values, bounds, lengths joined with AND), or
    /// none; name the constraint `sql_names.check`.
    pub postgres_check: Option<String>,
    /// The CHECK expression for SQLite, or none.
    pub sqlite_check: Option<String>,
    /// The OpenAPI 3.1 schema of a value (no nullability: see `optional`).
    pub openapi: Value,
}

impl TypeMapping {
    pub fn new(
        kind: &FieldType,
        column: &SqlName,
        constraints: &Constraints,
        optional: bool,
    ) -> TypeMapping {
        let (rust_type, postgres_type, sqlite_type, mut openapi) = match kind {
            FieldType::String => {
                let postgres = match constraints.max_length {
                    Some(length) => format!("VARCHAR({length})"),
                    None => "TEXT".to_owned(),
                };
                (
                    "String".to_owned(),
                    postgres,
                    "TEXT",
                    json!({"type": "string"}),
                )
            }
            FieldType::Text => (
                "String".to_owned(),
                "TEXT".to_owned(),
                "TEXT",
                json!({"type": "string"}),
            ),
            FieldType::Bool => (
                "bool".to_owned(),
                "BOOLEAN".to_owned(),
                "BOOLEAN",
                json!({"type": "boolean"}),
            ),
            FieldType::I32 => (
                "i32".to_owned(),
                "INTEGER".to_owned(),
                "INTEGER",
                json!({"type": "integer", "format": "int32"}),
            ),
            FieldType::I64 => (
                "i64".to_owned(),
                "BIGINT".to_owned(),
                "INTEGER",
                json!({"type": "integer", "format": "int64"}),
            ),
            FieldType::F64 => (
                "f64".to_owned(),
                "DOUBLE PRECISION".to_owned(),
                "REAL",
                json!({"type": "number", "format": "double"}),
            ),
            // rust_decimal serializes as a JSON string to keep every digit.
            FieldType::Decimal => (
                "rust_decimal::Decimal".to_owned(),
                "NUMERIC".to_owned(),
                "TEXT",
                json!({"type": "string", "format": "decimal"}),
            ),
            FieldType::Uuid | FieldType::Ref(_) => (
                "uuid::Uuid".to_owned(),
                "UUID".to_owned(),
                "TEXT",
                json!({"type": "string", "format": "uuid"}),
            ),
            FieldType::Date => (
                "chrono::NaiveDate".to_owned(),
                "DATE".to_owned(),
                "TEXT",
                json!({"type": "string", "format": "date"}),
            ),
            FieldType::DateTime => (
                "chrono::DateTime<chrono::Utc>".to_owned(),
                "TIMESTAMPTZ".to_owned(),
                "TEXT",
                json!({"type": "string", "format": "date-time"}),
            ),
            FieldType::Json => (
                "serde_json::Value".to_owned(),
                "JSONB".to_owned(),
                "TEXT",
                json!({}),
            ),
            FieldType::Enum(enum_type) => {
                let values: Vec<&str> = enum_type
                    .variants
                    .iter()
                    .map(|variant| variant.value.as_str())
                    .collect();
                (
                    enum_type.type_name.pascal.clone(),
                    "TEXT".to_owned(),
                    "TEXT",
                    json!({"type": "string", "enum": values}),
                )
            }
        };
        add_openapi_constraints(&mut openapi, constraints);
        let rust_field_type = if optional {
            format!("Option<{rust_type}>")
        } else {
            rust_type.clone()
        };
        TypeMapping {
            postgres_check: check(kind, column, constraints, "char_length"),
            sqlite_check: check(kind, column, constraints, "length"),
            rust_type,
            rust_field_type,
            postgres_type,
            sqlite_type: sqlite_type.to_owned(),
            openapi,
        }
    }
}

fn add_openapi_constraints(openapi: &mut Value, constraints: &Constraints) {
    let Some(object) = openapi.as_object_mut() else {
        return;
    };
    // JSON Schema bounds apply to numbers only; decimals travel as strings.
    let numeric = matches!(object.get("type"), Some(Value::String(kind)) if kind == "integer" || kind == "number");
    if numeric {
        if let Some(min) = &constraints.min {
            object.insert("minimum".into(), min.value.clone());
        }
        if let Some(max) = &constraints.max {
            object.insert("maximum".into(), max.value.clone());
        }
    }
    if let Some(length) = constraints.min_length {
        object.insert("minLength".into(), length.into());
    }
    if let Some(length) = constraints.max_length {
        object.insert("maxLength".into(), length.into());
    }
    if let Some(pattern) = &constraints.pattern {
        object.insert("pattern".into(), pattern.source.clone().into());
    }
    match constraints.format {
        Some(StringFormat::Email) => {
            object.insert("format".into(), "email".into());
        }
        Some(StringFormat::Url) => {
            object.insert("format".into(), "uri".into());
        }
        None => {}
    }
}

/// The CHECK expression of a column; `length_function` is the database's character count.
fn check(
    kind: &FieldType,
    column: &SqlName,
    constraints: &Constraints,
    length_function: &str,
) -> Option<String> {
    let column = &column.ident;
    let mut checks = Vec::new();
    if let FieldType::Enum(enum_type) = kind {
        let values: Vec<&str> = enum_type
            .variants
            .iter()
            .map(|variant| variant.sql_literal.as_str())
            .collect();
        checks.push(format!("{column} IN ({})", values.join(", ")));
    }
    // Decimals are TEXT in SQLite, where a numeric comparison would compare strings.
    let comparable = !(kind == &FieldType::Decimal && length_function == "length");
    if comparable {
        if let Some(min) = &constraints.min {
            checks.push(format!("{column} >= {}", min.sql));
        }
        if let Some(max) = &constraints.max {
            checks.push(format!("{column} <= {}", max.sql));
        }
    }
    if let Some(length) = constraints.min_length {
        checks.push(format!("{length_function}({column}) >= {length}"));
    }
    // VARCHAR(n) already limits a PostgreSQL string column.
    let limited_by_type = kind == &FieldType::String && length_function == "char_length";
    if let Some(length) = constraints.max_length
        && !limited_by_type
    {
        checks.push(format!("{length_function}({column}) <= {length}"));
    }
    (!checks.is_empty()).then(|| checks.join(" AND "))
}

/// A number as written in a schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Integer(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            // Precision loss above 2^53 only affects comparisons between huge bounds.
            Number::Integer(value) => value as f64,
            Number::Float(value) => value,
        }
    }
}

/// Why a bound or a default value does not fit its field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error("expected {expected}")]
    WrongType { expected: &'static str },
    #[error("{value} is out of range for {kind}")]
    OutOfRange { value: String, kind: &'static str },
    #[error("`{value}` is not a decimal number")]
    InvalidDecimal { value: String },
    #[error("a default is not supported for {kind} fields")]
    DefaultNotSupported { kind: &'static str },
    #[error("`{value}` is not one of the enum values ({values})")]
    NotAmongValues { value: String, values: String },
    #[error("the default violates `{constraint}`")]
    ViolatesConstraint { constraint: &'static str },
}

/// A `min` or `max` of a numeric field.
///
/// Serialized fields: `value` (JSON number), `rust` (a Rust expression of the field's type:
/// `0`, `0.5`, `rust_decimal::Decimal::new(5, 1)`), `sql` (a SQL literal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bound {
    pub value: Value,
    pub rust: String,
    pub sql: String,
    #[serde(skip)]
    pub number: f64,
}

impl Bound {
    /// A bound of a field of type `kind` (i32, i64, f64 or decimal).
    pub fn new(kind: &FieldType, number: Number) -> Result<Bound, ValueError> {
        match (kind, number) {
            (FieldType::I32, Number::Integer(value)) => {
                i32::try_from(value).map_err(|_| ValueError::OutOfRange {
                    value: value.to_string(),
                    kind: "i32",
                })?;
                Ok(Bound::integer(value))
            }
            (FieldType::I64, Number::Integer(value)) => Ok(Bound::integer(value)),
            (FieldType::I32 | FieldType::I64, Number::Float(_)) => Err(ValueError::WrongType {
                expected: "an integer",
            }),
            (FieldType::F64, number) => {
                let value = number.as_f64();
                Ok(Bound {
                    value: json!(value),
                    rust: format!("{value:?}"),
                    sql: format!("{value:?}"),
                    number: value,
                })
            }
            (FieldType::Decimal, number) => Bound::decimal(&number_text(number)),
            _ => Err(ValueError::WrongType {
                expected: "a numeric field",
            }),
        }
    }

    /// A bound written as text: decimals only (`"0.01"`, kept digit for digit, as a default may
    /// be).
    pub fn from_text(kind: &FieldType, text: &str) -> Result<Bound, ValueError> {
        match kind {
            FieldType::Decimal => Bound::decimal(text),
            _ => Err(ValueError::WrongType {
                expected: "a number (only decimal bounds may be written as text)",
            }),
        }
    }

    /// A decimal bound or default written as text (`"12.50"`), kept digit for digit.
    fn decimal(text: &str) -> Result<Bound, ValueError> {
        let invalid = || ValueError::InvalidDecimal {
            value: text.to_owned(),
        };
        let decimal = Decimal::parse(text).ok_or_else(invalid)?;
        let number: f64 = text.parse().map_err(|_| invalid())?;
        Ok(Bound {
            value: json!(number),
            rust: decimal.rust_expression(),
            sql: text.to_owned(),
            number,
        })
    }

    fn integer(value: i64) -> Bound {
        Bound {
            value: json!(value),
            rust: value.to_string(),
            sql: value.to_string(),
            number: value as f64,
        }
    }
}

fn number_text(number: Number) -> String {
    match number {
        Number::Integer(value) => value.to_string(),
        Number::Float(value) => value.to_string(),
    }
}

/// A decimal literal split the way `rust_decimal::Decimal::new(mantissa, scale)` wants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    pub mantissa: i64,
    pub scale: u32,
}

impl Decimal {
    /// Parses `-12.50`; `None` for anything else or more digits than an i64 mantissa holds.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || (digits.contains('.') && fraction.is_empty())
        {
            return None;
        }
        let scale = u32::try_from(fraction.len())
            .ok()
            .filter(|scale| *scale <= 28)?;
        let magnitude: i64 = format!("{whole}{fraction}").parse().ok()?;
        Some(Decimal {
            mantissa: if negative { -magnitude } else { magnitude },
            scale,
        })
    }

    pub fn rust_expression(self) -> String {
        format!(
            "rust_decimal::Decimal::new({}, {})",
            self.mantissa, self.scale
        )
    }
}

/// A field's default value in every form templates need.
///
/// Serialized fields: `json` (the value in API examples and OpenAPI), `rust` (a Rust expression
/// of the field's type: `String::from("x")`, `OrderStatus::Pending`, `0`), `postgres` and
/// `sqlite` (the literal after `DEFAULT`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DefaultValue {
    pub json: Value,
    pub rust: String,
    pub postgres: String,
    pub sqlite: String,
}

impl DefaultValue {
    /// The default `value` of a field of type `kind` with `constraints`.
    pub fn new(
        kind: &FieldType,
        value: &Value,
        constraints: &Constraints,
    ) -> Result<DefaultValue, ValueError> {
        let same = |literal: String| (literal.clone(), literal);
        let (rust, (postgres, sqlite), json) = match (kind, value) {
            (FieldType::String | FieldType::Text, Value::String(text)) => {
                if let Some(constraint) =
                    super::examples::violated_string_constraint(text, constraints)
                {
                    return Err(ValueError::ViolatesConstraint { constraint });
                }
                (
                    format!("String::from({})", rust_string_literal(text)),
                    same(sql_string_literal(text)),
                    value.clone(),
                )
            }
            (FieldType::String | FieldType::Text, _) => {
                return Err(ValueError::WrongType {
                    expected: "a string",
                });
            }
            (FieldType::Bool, Value::Bool(flag)) => {
                let sql = if *flag { ("TRUE", "1") } else { ("FALSE", "0") };
                (
                    flag.to_string(),
                    (sql.0.to_owned(), sql.1.to_owned()),
                    value.clone(),
                )
            }
            (FieldType::Bool, _) => {
                return Err(ValueError::WrongType {
                    expected: "true or false",
                });
            }
            (FieldType::Decimal, Value::String(text)) => {
                let bound = Bound::decimal(text)?;
                check_bounds(bound.number, constraints)?;
                (bound.rust, same(bound.sql), value.clone())
            }
            (
                FieldType::I32 | FieldType::I64 | FieldType::F64 | FieldType::Decimal,
                Value::Number(_),
            ) => {
                let bound = Bound::new(kind, json_number(value)?)?;
                check_bounds(bound.number, constraints)?;
                let json = if kind == &FieldType::Decimal {
                    Value::String(bound.sql.clone())
                } else {
                    bound.value.clone()
                };
                (bound.rust, same(bound.sql), json)
            }
            (FieldType::I32 | FieldType::I64 | FieldType::F64 | FieldType::Decimal, _) => {
                return Err(ValueError::WrongType {
                    expected: "a number",
                });
            }
            (FieldType::Enum(enum_type), Value::String(text)) => {
                let Some(variant) = enum_type
                    .variants
                    .iter()
                    .find(|variant| &variant.value == text)
                else {
                    let values: Vec<&str> = enum_type
                        .variants
                        .iter()
                        .map(|variant| variant.value.as_str())
                        .collect();
                    return Err(ValueError::NotAmongValues {
                        value: text.clone(),
                        values: values.join(", "),
                    });
                };
                (
                    format!("{}::{}", enum_type.type_name.pascal, variant.rust_name),
                    same(variant.sql_literal.clone()),
                    value.clone(),
                )
            }
            (FieldType::Enum(_), _) => {
                return Err(ValueError::WrongType {
                    expected: "one of the enum values",
                });
            }
            (other, _) => {
                return Err(ValueError::DefaultNotSupported {
                    kind: other.keyword(),
                });
            }
        };
        Ok(DefaultValue {
            json,
            rust,
            postgres,
            sqlite,
        })
    }
}

/// A JSON number as a [`Number`].
fn json_number(value: &Value) -> Result<Number, ValueError> {
    let Value::Number(number) = value else {
        return Err(ValueError::WrongType {
            expected: "a number",
        });
    };
    match number.as_i64() {
        Some(integer) => Ok(Number::Integer(integer)),
        None => number
            .as_f64()
            .map(Number::Float)
            .ok_or(ValueError::WrongType {
                expected: "a number",
            }),
    }
}

fn check_bounds(number: f64, constraints: &Constraints) -> Result<(), ValueError> {
    if constraints
        .min
        .as_ref()
        .is_some_and(|min| number < min.number)
    {
        return Err(ValueError::ViolatesConstraint { constraint: "min" });
    }
    if constraints
        .max
        .as_ref()
        .is_some_and(|max| number > max.number)
    {
        return Err(ValueError::ViolatesConstraint { constraint: "max" });
    }
    Ok(())
}

/// `text` as a Rust string literal (quotes included, escapes valid Rust).
pub fn rust_string_literal(text: &str) -> String {
    format!("{text:?}")
}

/// `text` as a SQL string literal (quotes included, `'` doubled).
pub fn sql_string_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EnumType, EnumVariant, Name, RefTarget};

    fn column() -> SqlName {
        SqlName::new("amount").unwrap()
    }

    fn mapping(kind: &FieldType) -> TypeMapping {
        TypeMapping::new(kind, &column(), &Constraints::default(), false)
    }

    fn status() -> FieldType {
        FieldType::Enum(Box::new(EnumType {
            type_name: Name::type_name("OrderStatus").unwrap(),
            variants: vec![
                EnumVariant::new("pending").unwrap(),
                EnumVariant::new("paid").unwrap(),
            ],
        }))
    }

    #[test]
    fn the_table() {
        let reference = FieldType::Ref(Box::new(RefTarget {
            module: Name::module("sales").unwrap(),
            entity: Name::entity("Customer").unwrap(),
            table: SqlName::new("customers").unwrap(),
        }));
        let rows = [
            (FieldType::String, "String", "TEXT", "TEXT"),
            (FieldType::Text, "String", "TEXT", "TEXT"),
            (FieldType::Bool, "bool", "BOOLEAN", "BOOLEAN"),
            (FieldType::I32, "i32", "INTEGER", "INTEGER"),
            (FieldType::I64, "i64", "BIGINT", "INTEGER"),
            (FieldType::F64, "f64", "DOUBLE PRECISION", "REAL"),
            (
                FieldType::Decimal,
                "rust_decimal::Decimal",
                "NUMERIC",
                "TEXT",
            ),
            (FieldType::Uuid, "uuid::Uuid", "UUID", "TEXT"),
            (FieldType::Date, "chrono::NaiveDate", "DATE", "TEXT"),
            (
                FieldType::DateTime,
                "chrono::DateTime<chrono::Utc>",
                "TIMESTAMPTZ",
                "TEXT",
            ),
            (FieldType::Json, "serde_json::Value", "JSONB", "TEXT"),
            (status(), "OrderStatus", "TEXT", "TEXT"),
            (reference, "uuid::Uuid", "UUID", "TEXT"),
        ];
        for (kind, rust, postgres, sqlite) in rows {
            let mapping = mapping(&kind);
            assert_eq!(
                (
                    mapping.rust_type.as_str(),
                    mapping.postgres_type.as_str(),
                    mapping.sqlite_type.as_str()
                ),
                (rust, postgres, sqlite),
                "{}",
                kind.keyword()
            );
        }
    }

    #[test]
    fn optional_fields_are_options() {
        let mapping = TypeMapping::new(&FieldType::I64, &column(), &Constraints::default(), true);
        assert_eq!(mapping.rust_type, "i64");
        assert_eq!(mapping.rust_field_type, "Option<i64>");
    }

    #[test]
    fn lengths_and_checks() {
        let constraints = Constraints {
            min_length: Some(2),
            max_length: Some(10),
            ..Constraints::default()
        };
        let string = TypeMapping::new(&FieldType::String, &column(), &constraints, false);
        assert_eq!(string.postgres_type, "VARCHAR(10)");
        assert_eq!(
            string.postgres_check.as_deref(),
            Some("char_length(amount) >= 2")
        );
        assert_eq!(
            string.sqlite_check.as_deref(),
            Some("length(amount) >= 2 AND length(amount) <= 10")
        );
        assert_eq!(
            string.openapi,
            json!({"type": "string", "minLength": 2, "maxLength": 10})
        );
        let text = TypeMapping::new(&FieldType::Text, &column(), &constraints, false);
        assert_eq!(text.postgres_type, "TEXT");
        assert_eq!(
            text.postgres_check.as_deref(),
            Some("char_length(amount) >= 2 AND char_length(amount) <= 10")
        );

        let enumeration = mapping(&status());
        assert_eq!(
            enumeration.postgres_check.as_deref(),
            Some("amount IN ('pending', 'paid')")
        );
        assert_eq!(
            enumeration.openapi,
            json!({"type": "string", "enum": ["pending", "paid"]})
        );
        assert_eq!(mapping(&FieldType::Json).postgres_check, None);

        let bounds = Constraints {
            min: Some(Bound::new(&FieldType::Decimal, Number::Integer(0)).unwrap()),
            ..Constraints::default()
        };
        let decimal = TypeMapping::new(&FieldType::Decimal, &column(), &bounds, false);
        assert_eq!(decimal.postgres_check.as_deref(), Some("amount >= 0"));
        assert_eq!(
            decimal.sqlite_check, None,
            "TEXT decimals cannot be compared numerically"
        );
        let reserved = SqlName::new("order").unwrap();
        let quoted = TypeMapping::new(
            &FieldType::I32,
            &reserved,
            &bounds_for(&FieldType::I32),
            false,
        );
        assert_eq!(quoted.postgres_check.as_deref(), Some("\"order\" >= 1"));
    }

    fn bounds_for(kind: &FieldType) -> Constraints {
        Constraints {
            min: Some(Bound::new(kind, Number::Integer(1)).unwrap()),
            ..Constraints::default()
        }
    }

    #[test]
    fn decimals() {
        assert_eq!(
            Decimal::parse("12.50"),
            Some(Decimal {
                mantissa: 1250,
                scale: 2
            })
        );
        assert_eq!(
            Decimal::parse("-3"),
            Some(Decimal {
                mantissa: -3,
                scale: 0
            })
        );
        for invalid in [
            "",
            "1.",
            ".5",
            "1e3",
            "abc",
            "1.2.3",
            "99999999999999999999",
        ] {
            assert_eq!(Decimal::parse(invalid), None, "{invalid}");
        }
        let bound = Bound::new(&FieldType::Decimal, Number::Float(0.5)).unwrap();
        assert_eq!(bound.rust, "rust_decimal::Decimal::new(5, 1)");
        assert_eq!(bound.sql, "0.5");
    }

    #[test]
    fn bounds() {
        assert_eq!(
            Bound::new(&FieldType::F64, Number::Integer(0))
                .unwrap()
                .rust,
            "0.0"
        );
        assert_eq!(
            Bound::new(&FieldType::I64, Number::Integer(-5))
                .unwrap()
                .rust,
            "-5"
        );
        assert!(matches!(
            Bound::new(&FieldType::I32, Number::Integer(1 << 40)),
            Err(ValueError::OutOfRange { .. })
        ));
        assert!(matches!(
            Bound::new(&FieldType::I64, Number::Float(1.5)),
            Err(ValueError::WrongType { .. })
        ));
    }

    #[test]
    fn defaults_in_every_form() {
        let none = Constraints::default();
        let text = DefaultValue::new(&FieldType::String, &json!("it's \"x\""), &none).unwrap();
        assert_eq!(text.rust, r#"String::from("it's \"x\"")"#);
        assert_eq!(text.postgres, r#"'it''s "x"'"#);
        let flag = DefaultValue::new(&FieldType::Bool, &json!(true), &none).unwrap();
        assert_eq!(
            (
                flag.rust.as_str(),
                flag.postgres.as_str(),
                flag.sqlite.as_str()
            ),
            ("true", "TRUE", "1")
        );
        let float = DefaultValue::new(&FieldType::F64, &json!(2), &none).unwrap();
        assert_eq!(float.rust, "2.0");
        let price = DefaultValue::new(&FieldType::Decimal, &json!("9.90"), &none).unwrap();
        assert_eq!(price.rust, "rust_decimal::Decimal::new(990, 2)");
        assert_eq!(price.postgres, "9.90");
        assert_eq!(price.json, json!("9.90"));
        let state = DefaultValue::new(&status(), &json!("paid"), &none).unwrap();
        assert_eq!(state.rust, "OrderStatus::Paid");
        assert_eq!(state.sqlite, "'paid'");
        assert!(matches!(
            DefaultValue::new(&FieldType::Uuid, &json!("x"), &none),
            Err(ValueError::DefaultNotSupported { kind: "uuid" })
        ));
        assert!(matches!(
            DefaultValue::new(&FieldType::I32, &json!(1_i64 << 40), &none),
            Err(ValueError::OutOfRange { .. })
        ));
    }
}
