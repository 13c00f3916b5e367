//! A format-neutral document tree with byte spans, so TOML and YAML share one validator and
//! produce the same model and the same messages.

use std::ops::Range;

/// A value and where it is in the source (byte offsets).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A TOML table or YAML mapping; entries in source order.
    Map(Vec<Entry>),
    List(Vec<Node>),
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Null,
    /// Something no schema key accepts (a TOML date, an integer beyond i64), described.
    Other(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
}

/// A TOML or YAML syntax error.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Range<usize>,
}

/// A key that appeared twice in the same table; the parser kept the first.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    pub key: String,
    pub span: Range<usize>,
}

impl Value {
    /// How the value reads in a message: "a string", "a table".
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Map(_) => "a table",
            Value::List(_) => "a list",
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Null => "null",
            Value::Other(description) => description,
        }
    }
}

impl Node {
    /// The entries of a map, if it is one.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value as JSON (for defaults); `None` for values JSON cannot hold.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match &self.value {
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|entry| Some((entry.key.clone(), entry.value.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect::<Option<_>>()?)
            }
            Value::String(text) => serde_json::Value::String(text.clone()),
            Value::Integer(number) => serde_json::Value::from(*number),
            Value::Float(number) => {
                serde_json::Number::from_f64(*number).map(serde_json::Value::Number)?
            }
            Value::Bool(flag) => serde_json::Value::Bool(*flag),
            Value::Null => serde_json::Value::Null,
            Value::Other(_) => return None,
        })
    }
}

/// Where a duplicate key was repeated, as found in the tree.
pub struct DuplicateContext {
    /// In words: "entity `Order`", "field `email` of entity `Order`".
    pub description: String,
    /// The first definition, when the tree still has its span.
    pub first: Option<Range<usize>>,
    /// Keys from the root to the duplicate key, inclusive.
    pub path: Vec<String>,
}

/// Finds the context of a duplicate key. The tree holds the first occurrence; the table that
/// contains `duplicate.key` and whose entry starts closest before the duplicate is the one it
/// was repeated in.
pub fn describe_duplicate(root: &Node, duplicate: &DuplicateKey) -> DuplicateContext {
    let mut best: Option<(Vec<&str>, Range<usize>)> = None;
    let mut path = Vec::new();
    find_key(
        root,
        &duplicate.key,
        duplicate.span.start,
        &mut path,
        &mut best,
    );
    let key = &duplicate.key;
    match best {
        Some((path, first)) => {
            let description = match path.as_slice() {
                ["entities"] => format!("entity `{key}`"),
                ["entities", entity, "fields"] => format!("field `{key}` of entity `{entity}`"),
                ["entities", entity] => format!("key `{key}` of entity `{entity}`"),
                ["entities", entity, "fields", field] => {
                    format!("key `{key}` of field `{field}` in entity `{entity}`")
                }
                _ => format!("key `{key}`"),
            };
            let first = (first != duplicate.span).then_some(first);
            let path = path
                .iter()
                .map(|key| key.to_string())
                .chain([key.clone()])
                .collect();
            DuplicateContext {
                description,
                first,
                path,
            }
        }
        None => DuplicateContext {
            description: format!("key `{key}`"),
            first: None,
            path: vec![key.clone()],
        },
    }
}

fn find_key<'a>(
    node: &'a Node,
    key: &str,
    before: usize,
    path: &mut Vec<&'a str>,
    best: &mut Option<(Vec<&'a str>, Range<usize>)>,
) {
    let Value::Map(entries) = &node.value else {
        return;
    };
    for entry in entries {
        let better = best
            .as_ref()
            .is_none_or(|(_, span)| entry.key_span.start > span.start);
        if entry.key == key && entry.key_span.start <= before && better {
            *best = Some((path.clone(), entry.key_span.clone()));
        }
        path.push(&entry.key);
        find_key(&entry.value, key, before, path, best);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(value: Value, span: Range<usize>) -> Node {
        Node { value, span }
    }

    fn entry(key: &str, key_span: Range<usize>, value: Node) -> Entry {
        Entry {
            key: key.to_owned(),
            key_span,
            value,
        }
    }

    /// `entities.Order.fields.email` with the keys at the given offsets.
    fn tree() -> Node {
        let fields = node(
            Value::Map(vec![entry(
                "email",
                40..45,
                node(Value::String("x".into()), 48..51),
            )]),
            30..60,
        );
        let order = node(Value::Map(vec![entry("fields", 20..26, fields)]), 15..60);
        let entities = node(Value::Map(vec![entry("Order", 10..15, order)]), 9..60);
        node(Value::Map(vec![entry("entities", 0..8, entities)]), 0..60)
    }

    #[test]
    fn duplicates_are_described_by_where_they_are() {
        let field = describe_duplicate(
            &tree(),
            &DuplicateKey {
                key: "email".into(),
                span: 70..75,
            },
        );
        assert_eq!(field.description, "field `email` of entity `Order`");
        assert_eq!(field.first, Some(40..45));
        assert_eq!(field.path, ["entities", "Order", "fields", "email"]);

        let entity = describe_duplicate(
            &tree(),
            &DuplicateKey {
                key: "Order".into(),
                span: 80..85,
            },
        );
        assert_eq!(entity.description, "entity `Order`");

        let unknown = describe_duplicate(
            &tree(),
            &DuplicateKey {
                key: "other".into(),
                span: 90..95,
            },
        );
        assert_eq!(unknown.description, "key `other`");
        assert_eq!(unknown.first, None);
    }

    #[test]
    fn json_conversion() {
        let list = node(
            Value::List(vec![
                node(Value::Integer(1), 0..1),
                node(Value::Bool(true), 0..1),
            ]),
            0..1,
        );
        assert_eq!(list.to_json(), Some(serde_json::json!([1, true])));
        assert_eq!(
            tree().to_json(),
            Some(serde_json::json!({"entities": {"Order": {"fields": {"email": "x"}}}}))
        );
        assert_eq!(node(Value::Float(f64::NAN), 0..1).to_json(), None);
        assert_eq!(node(Value::Other("a date-time"), 0..1).to_json(), None);
    }
}
