//! The OpenAPI front-end (parser, 3.1 normalisation, $ref resolution, resource detection and
//! entity building) on arbitrary text, both as YAML and as JSON, then the entity schema it
//! writes through the schema front-end. Any panic is a bug; errors are fine.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["fuzz.yaml", "fuzz.json"] {
        if let Ok(translation) = axiomod::openapi::translate_source(source, Path::new(name), None)
            && let Some(entity_schema) = translation.schema
        {
            let _ = axiomod::schema::parse_str(
                &entity_schema.toml,
                "fuzz.toml",
                axiomod::schema::Format::Toml,
                &[],
            );
        }
    }
});
