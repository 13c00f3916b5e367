//! The OpenAPI front-end (parser, 3.1 normalisation, $ref resolution, resource detection and
//! entity building) on arbitrary text, both as YAML and as JSON, then the entity schemas it
//! writes through the schema front-end. Any panic is a bug; errors are fine.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["fuzz.yaml", "fuzz.json"] {
        let Ok(translation) = axiomod::openapi::translate_source(source, Path::new(name), None)
        else {
            continue;
        };
        for schema in translation
            .modules
            .iter()
            .filter_map(|module| module.schema.as_deref())
        {
            let _ =
                axiomod::schema::parse_str(schema, "fuzz.toml", axiomod::schema::Format::Toml, &[]);
        }
    }
});
