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
                unwrapped(&stderr).contains("nopathswithoperations")
                    && stderr.contains("warning: "),
                "{name} must list what it skipped: {stderr}"
            ),
            other => panic!("{name}: exit {other:?}: {stderr}"),
        }
    }
    generated.sort();
    // Only the webhook example has nothing to generate.
    assert_eq!(
        generated,
        [
            "v3.0-api-with-examples.yaml",
            "v3.0-callback-example.yaml",
            "v3.0-link-example.yaml",
            "v3.0-petstore-expanded.yaml",
            "v3.0-petstore.yaml",
            "v3.0-uspto.yaml",
            "v3.1-non-oauth-scopes.yaml",
            "v3.1-tictactoe.yaml",
        ]
    );
    assert_eq!(
        support::files::snapshot(&project),
        before,
        "a dry run writes nothing"
    );
}

#[test]
fn warnings_to_a_closed_stderr_do_not_stop_the_run() {
    // Warnings went out through `eprintln!`, which panics when stderr is a closed pipe: the run
    // stopped with exit 101 after planning, before writing anything.
    let (_folder, project) = new_project();
    let spec = fixtures().join("corpus/v3.0-petstore-expanded.yaml");
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("axiomod"));
    command
        .args(["generate", "scaffold", "--openapi"])
        .arg(&spec)
        .arg("--project")
        .arg(&project)
        .args(["--module", "pets"]);
    let output = support::output_with_closed(command, support::Closed::Stderr);
    assert_eq!(output.status.code(), Some(0));
    assert!(project.join("src/modules/pets/api/pet.rs").is_file());
}

#[test]
fn petstore_expanded_becomes_a_scaffolded_entity_and_reruns_are_no_ops() {
    let (_folder, project) = new_project();
    let spec = fixtures().join("corpus/v3.0-petstore-expanded.yaml");
    let output = scaffold(&project, &spec, &["--module", "pets"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings = stderr(&output);
    for expected in [
        "v3.0-petstore-expanded.yaml:52:11#/paths/~1pets/get/responses/default: GET /pets (findPets): default response not generated",
        "#/paths/~1pets/post/responses/200: POST /pets (addPet): response 200 not generated",
        "#/paths/~1pets/get/parameters/0: query parameter `tags` of GET /pets not generated",
        "#/components/schemas/Pet/allOf/1/properties/id: property `id` is the implicit `id`",
        "#/paths/~1pets: resource /pets + /pets/{id} is entity `Pet`",
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
        stderr(&output)
            .contains("petstore-expanded-3.1.yaml:76:5#/webhooks/newPet: webhook not generated"),
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
        "shop.json:66:15#/security: security requirements of the resource routes not generated",
        "#/paths/~1products/post/callbacks/onStock: POST /products: callback `onStock` not generated",
        "#/paths/~1products/post/requestBody/content/multipart~1form-data: POST /products: request body `multipart/form-data` not generated",
        "#/paths/~1products~1{productId}/get/parameters/1: GET /products/{productId}: header parameter `X-Trace` not generated",
        "#/paths/~1products~1{productId}/put: PUT /products/{productId}: served as PATCH",
        "schemas/product.yaml:49:7#/Product/properties/password: property `password` is writeOnly: not generated",
        "#/Product/properties/variant: `Product.variant` is a oneOf: stored as a JSON value",
        "#/Product/properties/dimensions: `Product.dimensions` is an object: stored as a JSON value",
        "#/Product/properties/createdAt: property `createdAt` is the implicit `created_at`",
        "#/Product/properties/version: property `version` is `version_value`",
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
    // The operation outside the resource is generated, behind the document's API key; the
    // spec does not declare `{productId}`: it is read as a string path parameter.
    let operations =
        std::fs::read_to_string(project.join("src/modules/catalog/api/operations.rs")).unwrap();
    assert!(
        operations.contains("path = \"/products/{product_id}/publish\"")
            && operations.contains("Path<PublishProductPath>")
            && operations.contains("credential_api_key: ApiKeyCredential"),
        "{operations}"
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

/// A spec of `count` resources, each of whose schemas has an `id` property (warned about once
/// per resource: the implicit id of every entity).
fn many_resources(count: usize) -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    for index in 0..count {
        let schema = format!("Thing{index}");
        let reference = serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") });
        let one = serde_json::json!({ "description": "one", "content": { "application/json": { "schema": reference } } });
        paths.insert(
            format!("/things_{index}"),
            serde_json::json!({
                "get": { "responses": { "200": { "description": "all", "content": { "application/json": { "schema": { "type": "array", "items": reference } } } } } },
                "post": { "requestBody": { "content": { "application/json": { "schema": reference } } }, "responses": { "201": one } },
            }),
        );
        paths.insert(
            format!("/things_{index}/{{id}}"),
            serde_json::json!({
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                "get": { "responses": { "200": one } },
                "delete": { "responses": { "204": { "description": "gone" } } },
            }),
        );
        schemas.insert(
            schema,
            serde_json::json!({
                "type": "object",
                "required": ["name"],
                "properties": { "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" } },
            }),
        );
    }
    serde_json::json!({
        "openapi": "3.0.3",
        "info": { "title": "things", "version": "1" },
        "paths": paths,
        "components": { "schemas": schemas },
    })
}

#[test]
fn many_warnings_of_one_kind_are_summarised_for_people_and_listed_in_json() {
    let (folder, project) = new_project();
    let spec = folder.path().join("things.json");
    std::fs::write(&spec, many_resources(8).to_string()).unwrap();
    let implicit_id = "is the implicit `id` of every entity";

    let human = scaffold(&project, &spec, &["--dry-run"]);
    assert!(human.status.success(), "{}", stderr(&human));
    let text = stderr(&human);
    let lines: Vec<&str> = text.lines().collect();
    let shown: Vec<usize> = (0..lines.len())
        .filter(|&index| lines[index].contains(implicit_id))
        .collect();
    assert_eq!(shown.len(), 3, "{text}");
    assert_eq!(
        lines[shown[2] + 1],
        "warning: ... and 5 more of this kind (`--format json` lists every warning)",
        "{text}"
    );
    assert!(
        text.contains("#/components/schemas/Thing0/properties/id: property `id`"),
        "{text}"
    );

    let json = scaffold(&project, &spec, &["--dry-run", "--format", "json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let listed: Vec<serde_json::Value> = stderr(&json)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON warning"))
        .filter(|warning: &serde_json::Value| {
            warning["message"].as_str().unwrap().contains(implicit_id)
        })
        .collect();
    assert_eq!(listed.len(), 8, "{}", stderr(&json));
    assert!(
        listed.iter().all(|warning| warning.get("origin").is_none()),
        "the place in axiomod that raised a warning is not part of its JSON"
    );
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
            &[
                "not-openapi.yaml:3:3#/info: not a valid OpenAPI 3 document: missing field `version`",
            ],
        ),
        (
            "unresolved-ref.yaml",
            &[
                "unresolved-ref.yaml:12:21#/paths/~1things/post/requestBody/content/application~1json/schema/$ref",
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
                "allof-cycle.yaml:28:7#/components/schemas/Loop: the allOf of this schema contains the schema itself",
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

#[test]
fn other_operations_get_handlers_dtos_and_a_service_trait() {
    let (_folder, project) = new_project();
    let spec = fixtures().join("operations.yaml");
    let output = scaffold(&project, &spec, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings = stderr(&output);
    assert!(
        !warnings.contains("not part of a collection + item resource"),
        "operations are generated, not warned about:\n{warnings}"
    );
    let read = |file: &str| {
        std::fs::read_to_string(project.join("src/modules/pets").join(file))
            .unwrap_or_else(|error| panic!("{file}: {error}"))
    };
    let api = read("api/operations.rs");
    for expected in [
        // The spec's path, with the parameter named like the Rust field.
        "path = \"/pets/{pet_id}/archive\"",
        "operation_id = \"archivePet\"",
        // Constraints are documented as the spec states them.
        "params(\n        ArchivePetPath,\n        ArchivePetQuery,\n        (\"X-Request-Tag\" = Option<String>, Header, max_length = 8),",
        "(status = 404, description = \"No such pet\")",
        "credential_api_key: ApiKeyCredential",
        ".verify_bearer(&context, &credential_bearer.0)",
        "header(&raw_headers, \"X-Request-Tag\")?",
        "body.violations(\"\", &mut violations);",
        "Self::Ok(body) => (status(200), Json(body)).into_response()",
        "Self::NotFound => status(404).into_response()",
    ] {
        assert!(
            api.contains(expected),
            "api/operations.rs lacks `{expected}`:\n{api}"
        );
    }
    let dtos = read("application/operation_dtos.rs");
    for expected in [
        "#[into_params(parameter_in = Query)]\npub struct ArchivePetQuery {\n    #[schema(min_length = 3, max_length = 40)]\n    #[param(min_length = 3, max_length = 40)]\n    pub reason: String,",
        "#[schema(min_length = 2, max_length = 20, pattern = \"^[a-z ]+$\")]",
        // A keyword property and enum values that are not identifiers.
        "pub r#type: ArchiveRequestType,",
        "#[serde(rename = \"in-review\")]\n    InReview,",
        // Constraints become checks naming the field.
        "value.chars().count() > 20",
        "!PATTERN_0.is_match(value)",
        "*value < 1",
        "crate::kernel::format::is_email(value)",
        // oneOf with a discriminator and its mapping.
        "#[serde(tag = \"kind\")]\npub enum Animal {\n    #[serde(rename = \"cat\")]\n    Cat(Cat),",
        // additionalProperties as maps.
        "pub counts: std::collections::BTreeMap<String, i64>,",
        "pub labels: Option<std::collections::BTreeMap<String, serde_json::Value>>,",
        // Recursion through a Box.
        "pub parent: Option<Box<Node>>,",
        "pub children: Option<Vec<Node>>,",
    ] {
        assert!(
            dtos.contains(expected),
            "operation_dtos.rs lacks `{expected}`:\n{dtos}"
        );
    }
    // readOnly / writeOnly: the request has `secret` and no `id`, the response the reverse.
    let struct_of = |name: &str| {
        let start = dtos
            .find(&format!("pub struct {name} {{"))
            .unwrap_or_else(|| panic!("no struct {name}:\n{dtos}"));
        dtos[start..start + dtos[start..].find("\n}").unwrap()].to_owned()
    };
    let request = struct_of("AdoptionRequest");
    assert!(
        request.contains("pub secret: Option<String>") && !request.contains("pub id:"),
        "{request}"
    );
    let response = struct_of("Adoption");
    assert!(
        response.contains("pub id: Option<uuid::Uuid>") && !response.contains("secret"),
        "{response}"
    );
    // The discriminator property is the enum's tag, not a field of the member.
    assert!(!struct_of("Cat").contains("kind"));

    let service = read("application/operations.rs");
    for expected in [
        "pub trait PetsOperations: Send + Sync + 'static {",
        "fn archive_pet(\n        &self,\n        context: &RequestContext,\n        path: ArchivePetPath,\n        query: ArchivePetQuery,\n        headers: ArchivePetHeaders,\n        body: ArchiveRequest,\n    ) -> impl Future<Output = Result<ArchivePetResponse, ServiceError>> + Send;",
        "pub enum ArchivePetResponse {",
        "pub trait PetsCredentialVerifier",
        "fn verify_api_key(",
    ] {
        assert!(
            service.contains(expected),
            "application/operations.rs lacks `{expected}`:\n{service}"
        );
    }
    let security = read("api/security.rs");
    assert!(
        security.contains("header_credential(parts, \"X-API-Key\")"),
        "{security}"
    );
    assert!(
        security.contains("pub struct BearerCredential(pub String);"),
        "{security}"
    );
    assert!(read("mod.rs").contains("api::operations::routes("));

    // The implementation is the user's: created once, never overwritten.
    let implementation = project.join("src/modules/pets/application/operations_impl.rs");
    let stub = std::fs::read_to_string(&implementation).unwrap();
    assert!(
        stub.contains("Err(not_implemented(\"archivePet\"))"),
        "{stub}"
    );
    std::fs::write(&implementation, format!("{stub}\n// mine\n")).unwrap();
    let again = scaffold(&project, &spec, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("up to date"),
        "{again:?}"
    );
    assert!(
        std::fs::read_to_string(&implementation)
            .unwrap()
            .ends_with("// mine\n")
    );
}

/// The modules listed in the project's axiomod.toml.
fn registered_modules(project: &Path) -> Vec<String> {
    let manifest: toml::Table = std::fs::read_to_string(project.join("axiomod.toml"))
        .unwrap()
        .parse()
        .unwrap();
    manifest["project"]["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|module| module.as_str().unwrap().to_owned())
        .collect()
}

fn read(project: &Path, file: &str) -> String {
    std::fs::read_to_string(project.join(file)).unwrap_or_else(|error| panic!("{file}: {error}"))
}

#[test]
fn operations_only_specs_become_one_module_per_first_tag() {
    let (_folder, project) = new_project();
    let spec = fixtures().join("tagged-operations.yaml");
    let output = scaffold(&project, &spec, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("Next: implement the operations"),
        "no migration to apply: {output:?}"
    );
    // `Board Games` and `players` are first tags; /ping has none and goes to the title's.
    assert_eq!(
        registered_modules(&project),
        ["board_games", "game_night", "players"]
    );
    let registry = read(&project, "src/modules/mod.rs");
    for module in ["board_games", "game_night", "players"] {
        assert!(
            registry.contains(&format!("pub mod {module};")),
            "{registry}"
        );
        // The layout of `generate module`, plus the operation files.
        for file in [
            "mod.rs",
            "api/mod.rs",
            "api/custom.rs",
            "api/operations.rs",
            "application/mod.rs",
            "application/operations.rs",
            "application/operations_impl.rs",
            "domain/mod.rs",
            "infrastructure/mod.rs",
        ] {
            let path = format!("src/modules/{module}/{file}");
            assert!(project.join(&path).is_file(), "{path} is written");
        }
        // Request and response types only where the operations have some: /ping has none.
        let dtos = format!("src/modules/{module}/application/operation_dtos.rs");
        assert_eq!(
            project.join(&dtos).is_file(),
            module != "game_night",
            "{dtos}"
        );
        assert_eq!(
            read(
                &project,
                &format!("src/modules/{module}/application/mod.rs")
            )
            .contains("pub mod operation_dtos;"),
            module != "game_night",
            "{module}"
        );
        // No entity: no schema copy, no migration, no tests.
        assert!(
            !project
                .join(format!(".axiomod/schemas/{module}.toml"))
                .exists()
        );
        assert!(!project.join(format!("tests/{module}.rs")).exists());
    }
    let migrations = std::fs::read_dir(project.join("migrations"))
        .map(|entries| entries.count())
        .unwrap_or(0);
    let routes = |module: &str| read(&project, &format!("src/modules/{module}/api/operations.rs"));
    let board_games = routes("board_games");
    assert!(
        board_games.contains("path = \"/boards/{board_id}/moves\"")
            && board_games.contains("path = \"/leaderboard\"")
            && !board_games.contains("/players/"),
        "{board_games}"
    );
    let players = routes("players");
    assert!(
        players.contains("path = \"/players/{player_id}/score\"")
            && players.contains("path = \"/players/{player_id}/invite\"")
            && !players.contains("/leaderboard"),
        "{players}"
    );
    assert!(routes("game_night").contains("path = \"/ping\""));
    // Only the module whose operations need a credential gets the extractors.
    assert!(
        project
            .join("src/modules/players/api/security.rs")
            .is_file()
    );
    assert!(
        !project
            .join("src/modules/board_games/api/security.rs")
            .exists()
    );
    assert!(
        read(&project, "src/modules/game_night/application/operations.rs")
            .contains("pub trait GameNightOperations")
    );
    // Each module has its own DTO of the schema both use.
    for module in ["board_games", "players"] {
        let dtos = read(
            &project,
            &format!("src/modules/{module}/application/operation_dtos.rs"),
        );
        assert!(dtos.contains("pub struct Score {"), "{module}: {dtos}");
    }

    let before = support::files::snapshot(&project);
    let again = scaffold(&project, &spec, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("Modules `board_games`, `game_night`, `players` are up to date"),
        "{again:?}"
    );
    assert_eq!(
        support::files::snapshot(&project),
        before,
        "a re-run changes nothing"
    );
    assert_eq!(
        std::fs::read_dir(project.join("migrations"))
            .map(|entries| entries.count())
            .unwrap_or(0),
        migrations
    );

    // The plan covers every module: an edited file of one stops the whole run, and the
    // file another module lacks is not written either.
    let edited = project.join("src/modules/players/api/operations.rs");
    std::fs::write(&edited, format!("{players}\n// mine\n")).unwrap();
    let removed = project.join("src/modules/game_night/api/operations.rs");
    std::fs::remove_file(&removed).unwrap();
    let refused = scaffold(&project, &spec, &[]);
    assert!(!refused.status.success(), "{refused:?}");
    assert!(
        stderr(&refused).contains("players/api/operations.rs"),
        "{}",
        stderr(&refused)
    );
    assert!(
        !removed.exists(),
        "nothing is written when one file conflicts"
    );
}

#[test]
fn module_puts_every_operation_in_one_module_and_dry_runs_write_nothing() {
    let (_folder, project) = new_project();
    let spec = fixtures().join("tagged-operations.yaml");
    let before = support::files::snapshot(&project);
    let output = scaffold(
        &project,
        &spec,
        &["--module", "games", "--dry-run", "--format", "json"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let paths: Vec<&str> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["path"].as_str().unwrap())
        .collect();
    for expected in [
        "axiomod.toml",
        "src/modules/games/api/operations.rs",
        "src/modules/games/api/security.rs",
        "src/modules/games/application/operations_impl.rs",
        "src/modules/mod.rs",
    ] {
        assert!(paths.contains(&expected), "{expected} in {paths:?}");
    }
    assert!(
        paths
            .iter()
            .all(|path| !path.contains("players") && !path.contains("schemas/")),
        "{paths:?}"
    );
    assert_eq!(
        support::files::snapshot(&project),
        before,
        "a dry run writes nothing"
    );

    let output = scaffold(&project, &spec, &["--module", "games"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(registered_modules(&project), ["games"]);
    let routes = read(&project, "src/modules/games/api/operations.rs");
    for path in [
        "/boards/{board_id}/moves",
        "/leaderboard",
        "/players/{player_id}/score",
        "/ping",
    ] {
        assert!(
            routes.contains(&format!("path = \"{path}\"")),
            "{path}: {routes}"
        );
    }
}

#[test]
fn tags_split_resources_and_operations_and_a_module_keeps_its_entities() {
    let (_folder, project) = new_project();
    let output = scaffold(&project, &fixtures().join("tagged-resources.yaml"), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(registered_modules(&project), ["pets", "reports"]);
    // The resource and the untagged operation are in pets, /stats in reports.
    let schema = schema_copy(&project, "pets");
    assert!(schema["entities"].get("Pet").is_some(), "{schema}");
    assert!(!project.join(".axiomod/schemas/reports.toml").exists());
    assert!(
        read(&project, "src/modules/pets/api/operations.rs")
            .contains("path = \"/pets/{pet_id}/feed\"")
    );
    assert!(read(&project, "src/modules/reports/api/operations.rs").contains("path = \"/stats\""));
    assert!(
        read(&project, "Cargo.toml").contains("regex"),
        "the pattern of Pet"
    );

    // Operations only, into a module with entities: the entities stay as they are.
    let copy = read(&project, ".axiomod/schemas/pets.toml");
    let migrations = support::files::snapshot(&project.join("migrations"));
    let output = scaffold(
        &project,
        &fixtures().join("corpus/v3.1-tictactoe.yaml"),
        &["--module", "pets"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read(&project, ".axiomod/schemas/pets.toml"), copy);
    assert_eq!(
        support::files::snapshot(&project.join("migrations")),
        migrations
    );
    let root = read(&project, "src/modules/pets/mod.rs");
    assert!(
        root.contains("api::pet::routes(") && root.contains("api::operations::routes("),
        "{root}"
    );
    assert!(
        read(&project, "src/modules/pets/api/operations.rs")
            .contains("path = \"/board/{row}/{column}\"")
    );
}

#[test]
fn specs_without_operations_and_tags_that_are_no_module_names_exit_2() {
    let (_folder, project) = new_project();
    let before = support::files::snapshot(&project);
    let output = scaffold(
        &project,
        &fixtures().join("corpus/v3.1-webhook-example.yaml"),
        &[],
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let message = stderr(&output);
    assert!(
        message.contains("v3.1-webhook-example.yaml:10:5#/webhooks/newPet: webhook not generated"),
        "{message}"
    );
    assert!(
        unwrapped(&message).contains(&unwrapped(
            "v3.1-webhook-example.yaml: no paths with operations, so there is nothing"
        )),
        "{message}"
    );
    let output = scaffold(&project, &fixtures().join("bad/tag-not-a-module.yaml"), &[]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        unwrapped(&stderr(&output)).contains(&unwrapped(
            "cannot derive a module name from the first tag of POST /crates/{crateId}/open (/paths/~1crates~1{crateId}~1open/post/tags/0) (`crate`)"
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(support::files::snapshot(&project), before);
}

#[test]
fn tags_that_differ_only_in_spelling_share_a_module_with_a_warning() {
    let (folder, project) = new_project();
    let spec = folder.path().join("spelled.yaml");
    std::fs::write(
        &spec,
        r#"openapi: 3.0.3
info: { title: Spelled, version: "1" }
paths:
  /pets/feed:
    post:
      operationId: feedPets
      tags: [Pets]
      responses: { "204": { description: fed } }
  /pets/walk:
    post:
      operationId: walkPets
      tags: [pets]
      responses: { "204": { description: walked } }
  /vets/call:
    post:
      operationId: callVet
      tags: [vets]
      responses: { "204": { description: called } }
"#,
    )
    .unwrap();
    let output = scaffold(&project, &spec, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(registered_modules(&project), ["pets", "vets"]);
    let message = unwrapped(&stderr(&output));
    assert!(
        message.contains(&unwrapped(
            "#/paths/~1pets~1walk/post/tags/0: tags `Pets`, `pets` all become module `pets`"
        )),
        "{message}"
    );
    assert!(!message.contains("module `vets`"), "{message}");
}

/// The `files` of a `--format json` run: each path with its action, a migration's version
/// (the clock's time) replaced by `VERSION`.
fn planned_actions(output: &Output) -> Vec<(String, String)> {
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    plan["files"]
        .as_array()
        .expect("a list of files")
        .iter()
        .map(|file| {
            let path = file["path"].as_str().unwrap();
            let path = match path.strip_prefix("migrations/") {
                Some(name) => format!(
                    "migrations/VERSION{}",
                    name.trim_start_matches(|character: char| character.is_ascii_digit())
                ),
                None => path.to_owned(),
            };
            (path, file["action"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn a_dry_run_plans_exactly_what_the_real_run_then_does() {
    // A dry run formats only the files already on disk: the files it would create must still
    // be listed, and existing ones compared with their formatted contents.
    let (folder, project) = new_project();
    let spec = fixtures().join("corpus/v3.0-petstore-expanded.yaml");
    let output = scaffold(&project, &spec, &["--module", "pets"]);
    assert!(output.status.success(), "{}", stderr(&output));

    // A new optional property: the entity's files are updated and an ALTER migration created.
    let text = std::fs::read_to_string(&spec).unwrap();
    let with_age = text.replace(
        "        tag:\n          type: string\n",
        "        tag:\n          type: string\n        age:\n          type: integer\n          format: int32\n",
    );
    assert_ne!(with_age, text, "the spec gains a property");
    let changed = folder.path().join("petstore.yaml");
    std::fs::write(&changed, with_age).unwrap();
    // One generated file edited (a conflict), one deleted (created again), one of the user's
    // edited (kept).
    support::files::append(&project.join("src/modules/pets/domain/pet.rs"), "// mine\n");
    std::fs::remove_file(project.join("src/modules/pets/api/pet.rs")).unwrap();
    support::files::append(&project.join("src/modules/pets/api/custom.rs"), "// mine\n");

    let arguments = ["--module", "pets", "--force", "--format", "json"];
    let dry_run = scaffold(
        &project,
        &changed,
        &[arguments.as_slice(), &["--dry-run"]].concat(),
    );
    assert!(dry_run.status.success(), "{}", stderr(&dry_run));
    let planned = planned_actions(&dry_run);
    let real = scaffold(&project, &changed, &arguments);
    assert!(real.status.success(), "{}", stderr(&real));
    assert_eq!(planned, planned_actions(&real));

    let action_of = |path: &str| {
        planned
            .iter()
            .find(|(planned_path, _)| planned_path == path)
            .map(|(_, action)| action.as_str())
            .unwrap_or_else(|| panic!("{path} is planned: {planned:?}"))
    };
    assert_eq!(action_of("src/modules/pets/domain/pet.rs"), "conflict");
    assert_eq!(action_of("src/modules/pets/api/pet.rs"), "create");
    assert_eq!(action_of("src/modules/pets/api/custom.rs"), "keep");
    assert_eq!(
        action_of("src/modules/pets/infrastructure/pet_repository.rs"),
        "update"
    );
    assert_eq!(action_of("src/modules/pets/mod.rs"), "unchanged");
    assert!(
        planned.iter().any(
            |(path, action)| path == "migrations/VERSION_alter_pets.up.sql" && action == "create"
        ),
        "{planned:?}"
    );
}

#[test]
fn operations_without_numeric_responses_generate_no_unused_status_helper() {
    let (folder, project) = new_project();
    let spec = folder.path().join("hooks.yaml");
    std::fs::write(
        &spec,
        r#"
openapi: 3.1.0
info: {title: Hooks, version: "1"}
paths:
  /hooks/ping:
    post:
      operationId: ping
  /hooks/logout:
    get:
      operationId: logout
      responses:
        default: {description: done}
"#,
    )
    .unwrap();

    let output = scaffold(&project, &spec, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let api = read(&project, "src/modules/hooks/api/operations.rs");
    assert!(api.contains("async fn ping("), "{api}");
    assert!(!api.contains("fn status("), "{api}");
    assert!(!api.contains("StatusCode"), "{api}");
}
