//! The schema parser never panics: not on random bytes, not on random edits of a valid schema.
//! Random valid schemas parse to the same model in TOML and YAML, with examples that satisfy
//! every constraint of their field.
//! Every rejected input yields diagnostics that render (spans inside the source).
//! A longer search: `FUZZ_CASES=20000 cargo test --release --test schema_fuzz`.

mod support;

use std::path::Path;

use axiomod::model::{Field, FieldType, Module};
use axiomod::schema::{self, Format};
use proptest::prelude::*;
use regex::Regex;
use serde_json::{Value, json};
use support::schemas::{schema_strategy, to_toml, to_yaml};

fn example(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas/examples")
            .join(name),
    )
    .expect("the example schema exists")
}

/// Parses `source` in `format`; on failure renders every diagnostic as a user would see it.
fn parse_and_render(source: &str, format: Format) {
    match schema::parse_str(source, "fuzz", format, &[]) {
        Ok(module) => {
            serde_json::to_value(&module).expect("a model always serializes");
        }
        Err(errors) => {
            assert!(!errors.errors.is_empty());
            for error in &errors.errors {
                let (line, column) = error.line_column();
                assert!(line >= 1 && column >= 1);
                assert!(error.span().end <= source.len(), "{error:?}");
            }
            let mut rendered = String::new();
            miette::GraphicalReportHandler::new()
                .render_report(&mut rendered, errors.into_report().as_ref())
                .expect("the report renders");
        }
    }
}

/// One edit of a text: delete a range, insert a snippet, or duplicate a line.
#[derive(Debug, Clone)]
enum Edit {
    Delete { at: usize, length: usize },
    Insert { at: usize, text: String },
    DuplicateLine { line: usize },
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let snippet = prop_oneof![
        Just("\n".to_owned()),
        Just("\"".to_owned()),
        Just("[".to_owned()),
        Just("{".to_owned()),
        Just(": ".to_owned()),
        Just(" = ".to_owned()),
        Just("- ".to_owned()),
        Just("  ".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("type = \"enum\"".to_owned()),
        Just("default: 99999999999999999999".to_owned()),
        Just("é".to_owned()),
        "[a-zA-Z0-9_ .,:=\\[\\]{}\"'#\\-\n]{1,12}",
    ];
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(at, length)| Edit::Delete { at, length }),
        (any::<usize>(), snippet).prop_map(|(at, text)| Edit::Insert { at, text }),
        any::<usize>().prop_map(|line| Edit::DuplicateLine { line }),
    ]
}

fn apply(source: &str, edits: &[Edit]) -> String {
    let mut text = source.to_owned();
    for edit in edits {
        match edit {
            Edit::Delete { at, length } => {
                let start = text.floor_char_boundary(at % (text.len() + 1));
                let end = text.floor_char_boundary((start + length).min(text.len()));
                text.replace_range(start..end, "");
            }
            Edit::Insert { at, text: snippet } => {
                let at = text.floor_char_boundary(at % (text.len() + 1));
                text.insert_str(at, snippet);
            }
            Edit::DuplicateLine { line } => {
                let lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let index = line % lines.len();
                    let mut copy: Vec<&str> = lines.clone();
                    copy.insert(index, lines[index]);
                    text = copy.join("\n");
                }
            }
        }
    }
    text
}

/// 64 cases per property (fast enough for every run), or `FUZZ_CASES` for a longer search.
/// Failures print their minimal input; no regression files are written.
fn config() -> ProptestConfig {
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let source = String::from_utf8_lossy(&bytes);
        parse_and_render(&source, Format::Toml);
        parse_and_render(&source, Format::Yaml);
    }

    #[test]
    fn edited_toml_schema_never_panics(edits in proptest::collection::vec(edit_strategy(), 1..6)) {
        parse_and_render(&apply(&example("shop.toml"), &edits), Format::Toml);
    }

    #[test]
    fn edited_yaml_schema_never_panics(edits in proptest::collection::vec(edit_strategy(), 1..6)) {
        parse_and_render(&apply(&example("shop.yaml"), &edits), Format::Yaml);
    }
}

/// Whether `value` satisfies every constraint of `field` (checked independently of axiomod).
fn satisfies(field: &Field, value: &Value) -> bool {
    let constraints = &field.constraints;
    match &field.kind {
        FieldType::String | FieldType::Text => {
            let Some(text) = value.as_str() else {
                return false;
            };
            let length = text.chars().count() as u32;
            constraints.min_length.is_none_or(|min| length >= min)
                && constraints.max_length.is_none_or(|max| length <= max)
                && constraints
                    .pattern
                    .as_ref()
                    .is_none_or(|pattern| Regex::new(&pattern.source).unwrap().is_match(text))
                && constraints
                    .format
                    .is_none_or(|_| text.contains('@') || text.starts_with("http"))
        }
        FieldType::I32 | FieldType::I64 | FieldType::F64 | FieldType::Decimal => {
            let number = match value {
                Value::String(text) => text.parse::<f64>().ok(),
                other => other.as_f64(),
            };
            number.is_some_and(|number| {
                constraints
                    .min
                    .as_ref()
                    .is_none_or(|min| number >= min.number)
                    && constraints
                        .max
                        .as_ref()
                        .is_none_or(|max| number <= max.number)
            })
        }
        FieldType::Enum(enum_type) => enum_type
            .variants
            .iter()
            .any(|variant| json!(variant.value) == *value),
        _ => !value.is_null(),
    }
}

fn check_examples(module: &Module) {
    for entity in &module.entities {
        for field in &entity.fields {
            assert!(
                satisfies(field, &field.examples.example),
                "{}: {}",
                field.name.snake,
                field.examples.example
            );
            assert!(
                satisfies(field, &field.examples.second_example),
                "{}: {}",
                field.name.snake,
                field.examples.second_example
            );
            for invalid in &field.examples.invalid_examples {
                assert!(
                    !satisfies(field, &invalid.value),
                    "{}: {:?}",
                    field.name.snake,
                    invalid
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn valid_schemas_give_the_same_model_in_both_formats(schema in schema_strategy("fuzz")) {
        let (toml, yaml) = (to_toml(&schema), to_yaml(&schema));
        let from_toml = schema::parse_str(&toml, "fuzz.toml", Format::Toml, &[])
            .unwrap_or_else(|errors| panic!("{toml}\n{:?}", errors.into_report()));
        let from_yaml = schema::parse_str(&yaml, "fuzz.yaml", Format::Yaml, &[])
            .unwrap_or_else(|errors| panic!("{yaml}\n{:?}", errors.into_report()));
        prop_assert_eq!(&from_toml, &from_yaml);
        check_examples(&from_toml);
    }
}
