//! Where a JSON pointer points in a spec's text, so that messages can say `file:line:col` as
//! well as the pointer. The text is read again with the spanned YAML reader of the entity
//! schemas (JSON is YAML too); only messages need it, so only errors and warnings pay for it.

use std::collections::BTreeMap;
use std::path::Path;

use super::warning::{Position, Warning, unescape};
use crate::schema::{SpannedNode, SpannedValue, parse_spanned_yaml};
use crate::text_position::LineIndex;

/// A spec's text read with spans, to place any number of pointers in it.
pub struct Positions<'a> {
    root: SpannedNode,
    lines: LineIndex<'a>,
}

impl<'a> Positions<'a> {
    /// `None` when the text does not parse.
    pub fn read(source: &'a str) -> Option<Positions<'a>> {
        let (root, _) = parse_spanned_yaml(source).ok()?;
        Some(Positions {
            root,
            lines: LineIndex::new(source),
        })
    }

    /// 1-based line and column of the value at `pointer` (`/paths/~1pets/get`); `None` when
    /// there is nothing there.
    pub fn of(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut node = &self.root;
        for segment in pointer.split('/').skip(1) {
            let segment = unescape(segment);
            node = match &node.value {
                SpannedValue::Map(entries) => {
                    &entries.iter().find(|entry| entry.key == segment)?.value
                }
                SpannedValue::List(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(self.lines.line_column(node.span.start))
    }
}

/// 1-based line and column of the value at `pointer` in `source`; `None` when the text does
/// not parse or has nothing there.
pub fn of_pointer(source: &str, pointer: &str) -> Option<(usize, usize)> {
    Positions::read(source)?.of(pointer)
}

/// Gives each warning its position: in the file a `file#pointer` names, or in `source` (the
/// spec at `spec`) for a pointer into the spec, which may itself hold a `#`. Each file is read
/// and parsed once.
pub(super) fn locate_warnings(warnings: &mut [Warning], spec: &Path, source: &str) {
    if warnings.is_empty() {
        return;
    }
    let mut texts = BTreeMap::new();
    for warning in warnings.iter() {
        if let Some((file, _)) = warning.pointer.split_once('#')
            && !texts.contains_key(file)
        {
            texts.insert(file.to_owned(), std::fs::read_to_string(file).ok());
        }
    }
    let other_files: BTreeMap<&str, Positions<'_>> = texts
        .iter()
        .filter_map(|(file, text)| Some((file.as_str(), Positions::read(text.as_deref()?)?)))
        .collect();
    let spec_name = spec.display().to_string();
    let spec_positions = Positions::read(source);
    for warning in warnings.iter_mut() {
        let in_other_file = warning
            .pointer
            .split_once('#')
            .and_then(|(file, pointer)| Some((file, other_files.get(file)?, pointer)));
        let (file, found) = match in_other_file {
            Some((file, positions, pointer)) => (file, positions.of(pointer)),
            None => (
                spec_name.as_str(),
                spec_positions
                    .as_ref()
                    .and_then(|positions| positions.of(&warning.pointer)),
            ),
        };
        warning.position = found.map(|(line, column)| Position {
            file: file.to_owned(),
            line,
            column,
        });
    }
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
    fn warnings_are_placed_in_the_spec_or_in_the_file_their_pointer_names() {
        let folder = tempfile::tempdir().unwrap();
        let spec = folder.path().join("spec.yaml");
        let other = folder.path().join("pet.yaml");
        std::fs::write(&other, "Pet:\n  properties:\n    id: {type: string}\n").unwrap();
        let source = "openapi: 3.0.3\npaths:\n  /pets: {}\n  /a#b: {}\n";
        let mut warnings = vec![
            Warning::new("/paths/~1pets".to_owned(), "a"),
            Warning::new(format!("{}#/Pet/properties/id", other.display()), "b"),
            Warning::new("/nothing/here".to_owned(), "c"),
            Warning::new("/paths/~1a#b".to_owned(), "d"),
        ];
        locate_warnings(&mut warnings, &spec, source);
        let places: Vec<String> = warnings.iter().map(Warning::place).collect();
        assert_eq!(
            places,
            [
                format!("{}:3:10#/paths/~1pets", spec.display()),
                format!("{}:3:9#/Pet/properties/id", other.display()),
                "/nothing/here".to_owned(),
                format!("{}:4:9#/paths/~1a#b", spec.display()),
            ]
        );
    }

    #[test]
    fn nothing_there_or_not_parsable_is_none() {
        assert_eq!(of_pointer("a: 1\n", "/b"), None);
        assert_eq!(of_pointer("a: 1\n", "/a/0"), None);
        assert_eq!(of_pointer("a: [1\n", "/a"), None);
    }
}
