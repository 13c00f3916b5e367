//! The OpenAPI front-end (parser, 3.1 normalisation, $ref resolution, resources, entity drafts,
//! operations) on arbitrary bytes, read as YAML and as JSON, then its entity schema through the
//! schema front-end to the model the scaffold renders: `axiomod::fuzzing::openapi`. Any panic
//! is a bug; errors are fine when they have a message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for outcome in axiomod::fuzzing::openapi(data) {
        if let Err(message) = outcome {
            assert!(!message.trim().is_empty(), "an error without a message");
        }
    }
});
