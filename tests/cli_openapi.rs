//! `axiomod generate scaffold --openapi` on the real binary: every spec of the OpenAPI
//! Initiative's corpus is read without a panic, resource-shaped APIs become the same entity
//! schema a person would write, what is not generated is warned about by JSON pointer, and
//! every bad spec exits 2 with its location and writes nothing. Building the generated code
//! is tests/e2e_new.rs's job.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn axiomod() -> Command {
    Command::cargo_bin("axiomod").expect("the axiomod binary is built for tests")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/openapi")
}

/// A fresh SQLite `axiomod new` project in a temporary folder.
fn new_project() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let project = folder.path().join("shop");
    axiomod()
        .args(["new", "shop", "--yes", "--db", "sqlite", "--path"])
        .arg(&project)
        .assert()
        .success();
    (folder, project)
}

fn scaffold(project: &Path, spec: &Path, extra: &[&str]) -> Output {
    axiomod()
        .args(["generate", "scaffold", "--openapi"])
        .arg(spec)
        .arg("--project")
        .arg(project)
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Text without whitespace and the report's frame: reports are wrapped to the terminal width,
/// so messages are compared in this form.
fn unwrapped(text: &str) -> String {
    text.chars()
        .filter(|character| !character.is_whitespace() && *character != '│')
        .collect()
}

fn schema_copy(project: &Path, module: &str) -> toml::Table {
    let text = std::fs::read_to_string(project.join(format!(".axiomod/schemas/{module}.toml")))
        .expect("the schema copy is written");
    text.parse().expect("the schema copy is TOML")
}

#[test]
fn every_corpus_spec_is_read_without_a_panic() {
    let (_folder, project) = new_project();
    let before = support::files::snapshot(&project);
    let corpus = fixtures().join("corpus");
    let mut generated = Vec::new();
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let spec = entry.unwrap().path();
        if spec.extension().is_none_or(|extension| extension != "yaml") {
            continue;
        }
        let output = scaffold(&project, &spec, &["--dry-run"]);
        let name = spec.file_name().unwrap().to_string_lossy().into_owned();
        let stderr = stderr(&output);
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        match output.status.code() {
            Some(0) => generated.push(name),
            Some(2) => assert!(
                unwrapped(&stderr).contains("noresource-shapedpaths")
                    && stderr.contains("warning: /"),
                "{name} must list what it skipped: {stderr}"
            ),
            other => panic!("{name}: exit {other:?}: {stderr}"),
        }
    }
    generated.sort();
    assert_eq!(
        generated,
        ["v3.0-petstore-expanded.yaml", "v3.0-petstore.yaml"]
    );
    assert_eq!(
        support::files::snapshot(&project),
        before,
        "a dry run writes nothing"
    );
}

#[test]
fn petstore_expanded_becomes_a_scaffolded_entity_and_reruns_are_no_ops() {
    let (_folder, project) = new_project();
    let spec = fixtures().join("corpus/v3.0-petstore-expanded.yaml");
    let output = scaffold(&project, &spec, &["--module", "pets"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings = stderr(&output);
    for expected in [
        "warning: /paths/~1pets/get/responses/default: GET /pets (findPets): default response not generated",
        "warning: /paths/~1pets/post/responses/200: POST /pets (addPet): response 200 not generated",
        "warning: /paths/~1pets/get/parameters/0: query parameter `tags` of GET /pets not generated",
        "warning: /components/schemas/Pet/allOf/1/properties/id: property `id` is the implicit `id`",
        "warning: /paths/~1pets: resource /pets + /pets/{id} is entity `Pet`",
    ] {
        assert!(
            warnings.contains(expected),
            "missing `{expected}` in:\n{warnings}"
        );
    }
    for file in [
        "src/modules/pets/domain/pet.rs",
        "src/modules/pets/api/pet.rs",
        "src/modules/pets/infrastructure/pet_repository.rs",
        "tests/pets.rs",
    ] {
        assert!(project.join(file).is_file(), "{file} is written");
    }
    let schema = schema_copy(&project, "pets");
    let fields = &schema["entities"]["Pet"]["fields"];
    assert_eq!(fields["name"].to_string(), "{ type = \"string\" }");
    assert_eq!(
        fields["tag"].to_string(),
        "{ type = \"string\", optional = true }"
    );
    assert!(fields.get("id").is_none(), "id is the implicit UUID");

    let again = scaffold(&project, &spec, &["--module", "pets"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("up to date"),
        "{again:?}"
    );
}

#[test]
fn openapi_3_1_idioms_are_normalised() {
    let (_folder, project) = new_project();
    let output = scaffold(
        &project,
        &fixtures().join("petstore-expanded-3.1.yaml"),
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("warning: /webhooks/newPet: webhook not generated"),
        "{}",
        stderr(&output)
    );
    let schema = schema_copy(&project, "swagger_petstore");
    let fields = &schema["entities"]["Pet"]["fields"];
    assert_eq!(
        fields["name"].to_string(),
        "{ type = \"string\", min_length = 1, max_length = 100 }"
    );
    assert_eq!(
        fields["tag"].to_string(),
        "{ type = \"string\", optional = true }"
    );
    assert_eq!(
        fields["kind"].to_string(),
        "{ type = \"enum\", values = [\"dog\"], optional = true }"
    );
    assert_eq!(
        fields["age"].to_string(),
        "{ type = \"i64\", min = 1, max = 40, optional = true }"
    );
}

#[test]
fn json_spec_with_relative_refs_maps_types_constraints_and_names() {
    let (_folder, project) = new_project();
    let output = scaffold(&project, &fixtures().join("shop.json"), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings = stderr(&output);
    for expected in [
        "warning: /security: security requirements not generated",
        "warning: /components/securitySchemes/apiKey: security scheme `apiKey` not generated",
        "warning: /paths/~1products/post/callbacks/onStock: POST /products: callback `onStock` not generated",
        "warning: /paths/~1products/post/requestBody/content/multipart~1form-data: POST /products: request body `multipart/form-data` not generated",
        "warning: /paths/~1products~1{productId}/get/parameters/1: GET /products/{productId}: header parameter `X-Trace` not generated",
        "warning: /paths/~1products~1{productId}/put: PUT /products/{productId}: served as PATCH",
        "warning: /paths/~1products~1{productId}~1publish/post: POST /products/{productId}/publish (publishProduct): not generated",
        "product.yaml#/Product/properties/password: property `password` is writeOnly: not generated",
        "product.yaml#/Product/properties/variant: `Product.variant` is a oneOf: stored as a JSON value",
        "product.yaml#/Product/properties/dimensions: `Product.dimensions` is an object: stored as a JSON value",
        "product.yaml#/Product/properties/createdAt: property `createdAt` is the implicit `created_at`",
        "product.yaml#/Product/properties/version: property `version` is `version_value`",
    ] {
        assert!(
            warnings.contains(expected),
            "missing `{expected}` in:\n{warnings}"
        );
    }
    assert!(
        !warnings.contains("query parameter `status`"),
        "status is a field filter: {warnings}"
    );
    // The module comes from the operations' tag.
    let schema = schema_copy(&project, "catalog");
    let fields = schema["entities"]["Product"]["fields"].as_table().unwrap();
    let field = |name: &str| fields[name].to_string();
    assert_eq!(field("name"), "{ type = \"string\", max_length = 120 }");
    assert_eq!(
        field("sku"),
        "{ type = \"string\", pattern = \"^[A-Z]{3}-[0-9]{4}$\", optional = true }"
    );
    assert_eq!(field("price_cents"), "{ type = \"i64\", min = 0 }");
    assert_eq!(
        field("weight"),
        "{ type = \"f64\", max = 1000.0, optional = true }"
    );
    assert_eq!(
        field("status"),
        "{ type = \"enum\", values = [\"draft\", \"published\", \"in-review\"] }"
    );
    assert_eq!(
        field("contact"),
        "{ type = \"string\", format = \"email\", optional = true }"
    );
    assert_eq!(
        field("homepage"),
        "{ type = \"string\", format = \"url\", optional = true }"
    );
    assert_eq!(field("type"), "{ type = \"string\", optional = true }");
    assert_eq!(
        field("version_value"),
        "{ type = \"i64\", optional = true }"
    );
    assert_eq!(field("released_on"), "{ type = \"date\", optional = true }");
    assert_eq!(
        field("active"),
        "{ type = \"bool\", default = true, optional = true }"
    );
    assert_eq!(field("dimensions"), "{ type = \"json\", optional = true }");
    assert_eq!(field("variant"), "{ type = \"json\", optional = true }");
    for implicit_or_skipped in ["id", "created_at", "password"] {
        assert!(
            !fields.contains_key(implicit_or_skipped),
            "{implicit_or_skipped}"
        );
    }
    let domain =
        std::fs::read_to_string(project.join("src/modules/catalog/domain/product.rs")).unwrap();
    assert!(
        domain.contains("r#type"),
        "a keyword field is a raw identifier"
    );
}

#[test]
fn json_output_lists_warnings_as_json_lines_on_stderr() {
    let (_folder, project) = new_project();
    let spec = fixtures().join("corpus/v3.0-petstore.yaml");
    let output = scaffold(&project, &spec, &["--dry-run", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(plan["dry_run"], true);
    for line in stderr(&output).lines() {
        let warning: serde_json::Value = serde_json::from_str(line).expect("a JSON warning");
        assert!(
            warning["pointer"].as_str().unwrap().starts_with('/'),
            "{line}"
        );
        assert!(warning["message"].is_string(), "{line}");
    }
}

#[test]
fn bad_specs_exit_2_with_their_location_and_write_nothing() {
    let (_folder, project) = new_project();
    let before = support::files::snapshot(&project);
    let bad = fixtures().join("bad");
    let cases: &[(&str, &[&str])] = &[
        (
            "invalid-yaml.yaml",
            &["invalid-yaml.yaml:7:1: invalid YAML"],
        ),
        (
            "invalid-json.json",
            &["invalid-json.json:4:13: invalid JSON"],
        ),
        (
            "swagger2.yaml",
            &["Swagger 2.0 is not supported", "swagger2openapi"],
        ),
        (
            "unsupported-version.yaml",
            &["unsupported OpenAPI version `4.0.0`"],
        ),
        ("no-version.yaml", &["no `openapi` version"]),
        (
            "not-openapi.yaml",
            &["not-openapi.yaml#/info: not a valid OpenAPI 3 document: missing field `version`"],
        ),
        (
            "unresolved-ref.yaml",
            &[
                "#/paths/~1things/post/requestBody/content/application~1json/schema/$ref",
                "cannot resolve $ref `#/components/schemas/Missing`",
            ],
        ),
        (
            "unresolved-file-ref.yaml",
            &[
                "cannot resolve $ref `missing.yaml#/Thing`",
                "missing.yaml does not exist",
            ],
        ),
        (
            "ref-cycle.yaml",
            &[
                "leads back to itself (/components/schemas/A → /components/schemas/B → /components/schemas/A)",
            ],
        ),
        (
            "property-allof-cycle.yaml",
            &["more than 64 nested single-part allOf"],
        ),
        (
            "allof-cycle.yaml",
            &[
                "allof-cycle.yaml#/components/schemas/Loop: the allOf of this schema contains the schema itself",
            ],
        ),
    ];
    for (file, expected) in cases {
        let output = scaffold(&project, &bad.join(file), &["--module", "things"]);
        assert_eq!(output.status.code(), Some(2), "{file}: {output:?}");
        let message = unwrapped(&stderr(&output));
        for text in *expected {
            assert!(
                message.contains(&unwrapped(text)),
                "{file}: missing `{text}` in:\n{}",
                stderr(&output)
            );
        }
    }
    let output = scaffold(
        &project,
        &fixtures().join("corpus/v3.0-petstore.yaml"),
        &["--module", "Not A Module"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--module"), "{}", stderr(&output));
    let output = axiomod()
        .args(["generate", "scaffold", "--module", "pets", "x.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "--module needs --openapi");
    assert_eq!(support::files::snapshot(&project), before);
}
