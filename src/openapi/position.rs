//! Where a JSON pointer points in a spec's text, so that messages can say `file:line:col` as
//! well as the pointer. The text is read again with the spanned YAML reader of the entity
//! schemas (JSON is YAML too); only messages need it, so only the error path pays for it.

use super::warning::unescape;
use crate::schema::{SpannedValue, line_column, parse_spanned_yaml};

/// 1-based line and column of the value at `pointer` (`/paths/~1pets/get`) in `source`; `None`
/// when the text does not parse or has nothing there.
pub fn of_pointer(source: &str, pointer: &str) -> Option<(usize, usize)> {
    let (root, _) = parse_spanned_yaml(source).ok()?;
    let mut node = &root;
    for segment in pointer.split('/').skip(1) {
        let segment = unescape(segment);
        node = match &node.value {
            SpannedValue::Map(entries) => &entries.iter().find(|entry| entry.key == segment)?.value,
            SpannedValue::List(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(line_column(source, node.span.start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_in_yaml_and_json() {
        let yaml =
            "openapi: 3.0.3\npaths:\n  /pets/{id}:\n    get:\n      tags: [a, b]\n      x~y: 1\n";
        assert_eq!(of_pointer(yaml, ""), Some((1, 1)));
        assert_eq!(of_pointer(yaml, "/paths/~1pets~1{id}/get"), Some((5, 7)));
        assert_eq!(
            of_pointer(yaml, "/paths/~1pets~1{id}/get/tags/1"),
            Some((5, 17))
        );
        assert_eq!(
            of_pointer(yaml, "/paths/~1pets~1{id}/get/x~0y"),
            Some((6, 12))
        );
        let json = "{\n  \"info\": {\n    \"title\": \"é\", \"version\": \"1\"\n  }\n}";
        assert_eq!(of_pointer(json, "/info/version"), Some((3, 30)));
    }

    #[test]
    fn nothing_there_or_not_parsable_is_none() {
        assert_eq!(of_pointer("a: 1\n", "/b"), None);
        assert_eq!(of_pointer("a: 1\n", "/a/0"), None);
        assert_eq!(of_pointer("a: [1\n", "/a"), None);
    }
}
