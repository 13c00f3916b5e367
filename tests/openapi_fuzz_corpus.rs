//! The committed fuzz corpus (fixtures/openapi/fuzz-corpus/: the inputs `scripts/fuzz.sh`
//! found interesting, minimised, and every crash it found) goes through the fuzz target's own
//! function again on every test run, without nightly or cargo-fuzz: no panic, and every
//! rejected reading has a message. Adding a crash as a regression: docs/fuzzing.md.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use axiomod::fuzzing;

#[test]
fn corpus_inputs_never_panic_and_errors_have_messages() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/openapi/fuzz-corpus");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "{} holds {} inputs",
        folder.display(),
        files.len()
    );
    let mut failures = Vec::new();
    let mut models = 0;
    for file in &files {
        let data = std::fs::read(file).unwrap();
        match catch_unwind(AssertUnwindSafe(|| fuzzing::openapi(&data))) {
            Err(_) => failures.push(format!("{}: panicked", file.display())),
            Ok(outcomes) => {
                for outcome in outcomes {
                    match outcome {
                        Ok(model) => models += usize::from(model.is_some()),
                        Err(message) if message.trim().is_empty() => {
                            failures
                                .push(format!("{}: an error without a message", file.display()));
                        }
                        Err(_) => {}
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The corpus still reaches the end of the path: specs whose resources become a model.
    assert!(models > 0, "no corpus input became a model");
}
