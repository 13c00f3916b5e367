//! The OpenAPI front-end never panics: not on random edits of the fixture specs (cut short,
//! YAML/JSON tokens and OpenAPI keywords spliced in anywhere), and the translation it produces
//! for the edits it accepts is an entity schema the schema front-end either accepts or rejects
//! with diagnostics, never a panic either.
//! A longer search: `FUZZ_CASES=20000 cargo test --release --test openapi_fuzz`.

use std::path::{Path, PathBuf};

use axiomod::{openapi, schema};
use proptest::prelude::*;

const SPECS: &[&str] = &[
    "corpus/v3.0-petstore-expanded.yaml",
    "corpus/v3.1-tictactoe.yaml",
    "corpus/v3.0-link-example.yaml",
    "petstore-expanded-3.1.yaml",
    "shop.json",
];

/// Fragments that steer edits towards the front-end's special cases.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\n",
    "- ",
    "  ",
    "\"",
    "'",
    "~1",
    "%7B",
    "#",
    "null",
    "$ref: '#/components/schemas/Pet'",
    "$ref: '#'",
    "$ref: 'missing.yaml#/A'",
    "\"$ref\": \"#/components/schemas/NewPet\"",
    "allOf: [{$ref: '#/components/schemas/Pet'}]",
    "type: [string, \"null\"]",
    "type: object",
    "type: array",
    "format: uuid",
    "const: 1",
    "enum: [a, 1st, null]",
    "readOnly: true",
    "writeOnly: true",
    "exclusiveMinimum: 3",
    "pattern: '(['",
    "maxLength: -1",
    "minimum: 1e400",
    "openapi: 3.1.0",
    "swagger: '2.0'",
    "/{id}",
    "required: [id]",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/openapi")
}

/// An edit of a spec: where, how much to remove, what to insert.
fn edit() -> impl Strategy<Value = (usize, prop::sample::Index, usize, String)> {
    (
        0..SPECS.len(),
        any::<prop::sample::Index>(),
        0usize..40,
        prop_oneof![
            prop::sample::select(TOKENS).prop_map(str::to_owned),
            "[ -~\n]{0,12}",
        ],
    )
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn edited_specs_never_panic(edits in prop::collection::vec(edit(), 1..4), cut in any::<Option<prop::sample::Index>>()) {
        let spec = SPECS[edits[0].0];
        let mut text = std::fs::read_to_string(fixtures().join(spec)).unwrap();
        for (_, at, remove, insert) in &edits {
            let mut start = at.index(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + remove).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.replace_range(start..end, insert);
        }
        if let Some(cut) = cut {
            let mut end = cut.index(text.len() + 1);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
        }
        // With the file shop.json refers to beside it, so its relative $refs still resolve.
        let folder = tempfile::tempdir().unwrap();
        let name = Path::new(spec).file_name().unwrap();
        let path = folder.path().join(name);
        std::fs::write(&path, &text).unwrap();
        std::fs::create_dir_all(folder.path().join("schemas")).unwrap();
        std::fs::copy(fixtures().join("schemas/product.yaml"), folder.path().join("schemas/product.yaml")).unwrap();
        match openapi::translate(&path, None) {
            Ok(translation) => {
                for entity_schema in translation.modules.iter().filter_map(|module| module.schema.as_deref()) {
                    let _ = schema::parse_str(entity_schema, "fuzz.toml", schema::Format::Toml, &[]);
                }
            }
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }
}
