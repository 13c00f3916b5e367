//! TOML source → [`Node`] tree, with the span of every key and value.

use toml::de::{DeTable, DeValue};

use super::document::{DuplicateKey, Entry, Node, SyntaxError, Value};

/// The parsed document and its duplicate keys, or the first syntax error.
pub fn parse(source: &str) -> Result<(Node, Vec<DuplicateKey>), SyntaxError> {
    let (table, errors) = DeTable::parse_recoverable(source);
    let mut duplicates = Vec::new();
    for error in errors {
        let span = error.span().unwrap_or(0..0);
        // Recovery keeps the first value of a duplicate key, so validation can go on.
        if error.message() == "duplicate key" {
            duplicates.push(DuplicateKey {
                key: source.get(span.clone()).unwrap_or_default().to_owned(),
                span,
            });
        } else {
            return Err(SyntaxError {
                message: error.message().to_owned(),
                span,
            });
        }
    }
    let span = table.span();
    Ok((
        Node {
            value: convert_table(table.get_ref()),
            span,
        },
        duplicates,
    ))
}

fn convert_table(table: &DeTable<'_>) -> Value {
    Value::Map(
        table
            .iter()
            .map(|(key, value)| Entry {
                key: key.get_ref().to_string(),
                key_span: key.span(),
                value: Node {
                    value: convert(value.get_ref()),
                    span: value.span(),
                },
            })
            .collect(),
    )
}

fn convert(value: &DeValue<'_>) -> Value {
    match value {
        DeValue::String(text) => Value::String(text.to_string()),
        DeValue::Integer(integer) => match i64::from_str_radix(integer.as_str(), integer.radix()) {
            Ok(number) => Value::Integer(number),
            Err(_) => Value::Other("an integer out of range"),
        },
        DeValue::Float(float) => match float.as_str().replace('_', "").parse::<f64>() {
            Ok(number) => Value::Float(number),
            Err(_) => Value::Other("a float"),
        },
        DeValue::Boolean(flag) => Value::Bool(*flag),
        DeValue::Datetime(_) => Value::Other("a date-time"),
        DeValue::Array(items) => Value::List(
            items
                .iter()
                .map(|item| Node {
                    value: convert(item.get_ref()),
                    span: item.span(),
                })
                .collect(),
        ),
        DeValue::Table(table) => convert_table(table),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_spans() {
        let source = "module = \"sales\"\n[entities.Order.fields]\nb = 1\na = { type = \"x\" }\n";
        let (root, duplicates) = parse(source).unwrap();
        assert!(duplicates.is_empty());
        let entries = root.entries().unwrap();
        assert_eq!(entries[0].key, "module");
        assert_eq!(&source[entries[0].value.span.clone()], "\"sales\"");
        let fields = entries[1].value.entries().unwrap()[0]
            .value
            .entries()
            .unwrap()[0]
            .value
            .entries()
            .unwrap();
        assert_eq!(
            fields
                .iter()
                .map(|entry| entry.key.as_str())
                .collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert_eq!(fields[0].value.value, Value::Integer(1));
    }

    #[test]
    fn duplicates_are_reported_and_the_first_kept() {
        let source = "[f]\na = 1\na = 2\n";
        let (root, duplicates) = parse(source).unwrap();
        assert_eq!(
            duplicates,
            [DuplicateKey {
                key: "a".into(),
                span: 10..11
            }]
        );
        assert_eq!(
            root.entries().unwrap()[0].value.entries().unwrap()[0]
                .value
                .value,
            Value::Integer(1)
        );
    }

    #[test]
    fn syntax_errors_have_a_span() {
        let error = parse("a = [1, 2\n").unwrap_err();
        assert!(!error.message.is_empty());
    }
}
