//! Spec in = spec out (docs/openapi.md#spec-in--spec-out): each spec that generates is
//! scaffolded into a fresh SQLite project, which is built once; the document the service
//! prints with `<service> openapi` (the one `GET /openapi.json` serves) is compared with the
//! spec. Every difference must lie under the JSON pointer of a warning the generation printed:
//! a part the generator reported as not generated, or generated differently.
//!
//! How warnings cover differences:
//! - a warning at a pointer covers every difference at or below it in the spec;
//! - a resource warning (`resource /pets + /pets/{id} is entity …`, at `/paths/~1pets`) also
//!   covers its item path, and the scaffold's own routes of the resource, served under
//!   `/api/v1/pets…`;
//! - the platform's probes (`/live`, `/ready`, `/health`) are every service's own.

mod support;

use std::path::Path;
use std::process::Command;

use axiomod::openapi::compare::{Difference, Side, compare, path_template};
use serde_json::Value;

/// Corpus specs refused: nothing in them makes a module (webhooks only). Move each into
/// [`COMPARED`] once it generates.
const REFUSED: [&str; 1] = ["corpus/v3.1-webhook-example.yaml"];

/// Paths every generated service serves, whatever its spec.
const PLATFORM_PATHS: [&str; 3] = ["/live", "/ready", "/health"];

/// Where the scaffold serves the routes of a resource.
const RESOURCE_PREFIX: &str = "/api/v1";

#[derive(Debug, serde::Deserialize)]
struct Warning {
    pointer: String,
    message: String,
}

fn spec_path(spec: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/openapi")
        .join(spec)
}

/// `axiomod generate scaffold --openapi <spec> --format json` into `project`: its exit code
/// and warnings.
fn scaffold(project: &Path, spec: &str, dry_run: bool) -> (Option<i32>, Vec<Warning>) {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("axiomod"));
    command
        .args(["generate", "scaffold", "--format", "json", "--openapi"])
        .arg(spec_path(spec))
        .arg("--project")
        .arg(project);
    if dry_run {
        command.arg("--dry-run");
    }
    let output = command.output().expect("axiomod runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings = stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<Warning>(line).ok())
        .collect();
    (output.status.code(), warnings)
}

/// `/paths/~1pets~1{id}` → `/pets/{id}`, for pointers right at a path item.
fn path_of(pointer: &str) -> Option<String> {
    let escaped = pointer.strip_prefix("/paths/")?;
    (!escaped.contains('/')).then(|| escaped.replace("~1", "/").replace("~0", "~"))
}

/// The paths of the resources the warnings name: (collection, item).
fn resources(warnings: &[Warning]) -> Vec<(String, String)> {
    warnings
        .iter()
        .filter_map(|warning| {
            let rest = warning.message.strip_prefix("resource ")?;
            let (collection, rest) = rest.split_once(" + ")?;
            let (item, _) = rest.split_once(' ')?;
            Some((collection.to_owned(), item.to_owned()))
        })
        .collect()
}

/// Whether a warning covers `difference` (the rules in this file's header).
fn covered(difference: &Difference, warnings: &[Warning]) -> bool {
    let under = |base: &str| {
        difference.pointer == base || difference.pointer.starts_with(&format!("{base}/"))
    };
    let resources = resources(warnings);
    match difference.side {
        Side::Input => {
            warnings.iter().any(|warning| under(&warning.pointer))
                || resources.iter().any(|(_, item)| under(&path_pointer(item)))
        }
        Side::Served => {
            let Some(path) = path_of(&difference.pointer) else {
                return false;
            };
            PLATFORM_PATHS.contains(&path.as_str())
                || path.strip_prefix(RESOURCE_PREFIX).is_some_and(|path| {
                    resources.iter().any(|(collection, item)| {
                        [collection, item]
                            .iter()
                            .any(|resource| path_template(resource) == path_template(path))
                    })
                })
        }
    }
}

/// The pointer of a path item.
fn path_pointer(path: &str) -> String {
    format!("/paths/{}", path.replace('~', "~0").replace('/', "~1"))
}

/// Generates `spec` into a new project, builds it, and checks that every difference between
/// the spec and the served document is covered by a warning.
fn roundtrip(spec: &str, name: &str) {
    let (_workspace, project) = support::project::generate(name, "sqlite", "none");
    let (code, warnings) = scaffold(&project, spec, false);
    assert_eq!(code, Some(0), "{spec} does not generate: {warnings:?}");
    support::project::cargo(&project, &["build"], &[]);
    let output = Command::new(support::project::binary(name))
        .arg("openapi")
        .current_dir(&project)
        .output()
        .expect("the generated binary runs");
    assert!(
        output.status.success(),
        "`{name} openapi` failed: {output:?}"
    );
    let served: Value = serde_json::from_slice(&output.stdout).expect("`openapi` prints JSON");
    let input: Value = serde_norway::from_str(
        &std::fs::read_to_string(spec_path(spec)).expect("the spec is readable"),
    )
    .expect("the spec is YAML");
    let differences = compare(&input, &served);
    let uncovered: Vec<String> = differences
        .iter()
        .filter(|difference| !covered(difference, &warnings))
        .map(|difference| {
            format!(
                "  {:?} {}: {}",
                difference.side, difference.pointer, difference.message
            )
        })
        .collect();
    assert!(
        uncovered.is_empty(),
        "{spec}: the served document differs where no warning says so:\n{}\nwarnings:\n{}",
        uncovered.join("\n"),
        warnings
            .iter()
            .map(|warning| format!("  {}: {}", warning.pointer, warning.message))
            .collect::<Vec<_>>()
            .join("\n")
    );
    if warnings.is_empty() {
        assert!(
            differences.is_empty(),
            "{spec} is generated in full: {differences:?}"
        );
    }
}

/// The specs under fixtures/openapi/ that generate, each compared with what its service
/// serves in a test of its own (they build in parallel), and listed in `COMPARED`.
macro_rules! compared_specs {
    ($($test:ident: $spec:literal in $project:literal;)*) => {
        const COMPARED: &[&str] = &[$($spec),*];
        $(
            #[test]
            fn $test() {
                roundtrip($spec, $project);
            }
        )*
    };
}

compared_specs! {
    petstore_expanded_is_served_as_specified: "corpus/v3.0-petstore-expanded.yaml" in "roundtrip-expanded";
    petstore_is_served_as_specified: "corpus/v3.0-petstore.yaml" in "roundtrip-petstore";
    operations_are_served_as_specified: "operations.yaml" in "roundtrip-operations";
    api_with_examples_is_served_as_specified: "corpus/v3.0-api-with-examples.yaml" in "roundtrip-examples";
    callback_example_is_served_as_specified: "corpus/v3.0-callback-example.yaml" in "roundtrip-callback";
    link_example_is_served_as_specified: "corpus/v3.0-link-example.yaml" in "roundtrip-links";
    uspto_is_served_as_specified: "corpus/v3.0-uspto.yaml" in "roundtrip-uspto";
    non_oauth_scopes_is_served_as_specified: "corpus/v3.1-non-oauth-scopes.yaml" in "roundtrip-scopes";
    tictactoe_is_served_as_specified: "corpus/v3.1-tictactoe.yaml" in "roundtrip-tictactoe";
}

/// The refused specs still are; when one generates, this fails and it moves to [`COMPARED`].
#[test]
fn refused_corpus_specs_are_refused_and_every_corpus_spec_is_listed() {
    let (_workspace, project) = support::project::generate("roundtrip-refused", "sqlite", "none");
    for spec in REFUSED {
        let (code, warnings) = scaffold(&project, spec, true);
        assert_eq!(
            code,
            Some(2),
            "{spec} now generates: move it from REFUSED to COMPARED ({warnings:?})"
        );
    }
    let mut corpus: Vec<String> = std::fs::read_dir(spec_path("corpus"))
        .expect("the corpus folder")
        .map(|entry| {
            entry
                .expect("a corpus entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".yaml"))
        .map(|name| format!("corpus/{name}"))
        .collect();
    corpus.sort();
    let mut listed: Vec<String> = COMPARED
        .iter()
        .chain(&REFUSED)
        .filter(|spec| spec.starts_with("corpus/"))
        .map(|spec| (*spec).to_owned())
        .collect();
    listed.sort();
    assert_eq!(
        listed, corpus,
        "every corpus spec is compared or listed as refused"
    );
}
