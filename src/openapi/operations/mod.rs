//! The operations of a spec that are not part of a resource → the IR the operation templates
//! render (`templates/operations/`): per operation its method, its path as axum serves it,
//! typed path/query/header parameters, request body, responses by status and security; and
//! the DTOs ([`dto`]) they use. Handlers validate what the spec constrains; the user fills in
//! an application-service trait with one method per operation.

mod dto;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use super::compare::path_template;
use super::error::OpenApiError;
use super::refs::{Resolver, Target};
use super::resources::{Resource, dereference};
use super::warning::{Warning, child, pointer};
use crate::model::naming::{pascal_case, snake_case};
use dto::{Direction, DtoBuilder, ParameterField, RustType, field_ident, first_line, type_ident};

pub use dto::{Dto, DtoKind};

/// An operation of the spec outside the resources, before it is translated.
#[derive(Debug, Clone)]
pub struct FoundOperation {
    /// The path in the spec (`/pets/{petId}`).
    pub path: String,
    /// Lowercase: `get`, `post` …
    pub method: String,
    /// The operation object, with its pointer.
    target: Target,
    /// The parameters of its path item, with their pointers.
    shared: Vec<(String, Value)>,
}

impl FoundOperation {
    /// Its first tag, with that tag's JSON pointer.
    pub fn first_tag(&self) -> Option<(&str, String)> {
        let tag = self.target.value.get("tags")?.get(0)?.as_str()?;
        Some((tag, child(&self.target.pointer, &["tags", "0"])))
    }
}

/// The paths every generated service answers GET on itself; axum refuses a second handler.
const SERVICE_ROUTES: [&str; 6] = [
    "/live",
    "/ready",
    "/health",
    "/metrics",
    "/openapi.json",
    "/docs",
];

/// Methods an operation can have, in the order of a path item.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Everything the operation templates render for one module.
#[derive(Debug, Clone, Serialize)]
pub struct Operations {
    pub operations: Vec<Operation>,
    pub dtos: Vec<Dto>,
    /// Regexes of `pattern` checks; `PATTERN_<index>` in the generated DTOs.
    pub patterns: Vec<String>,
    /// Security schemes the operations require.
    pub schemes: Vec<SecurityScheme>,
    /// What the handlers use, for the imports of the generated API file.
    pub uses_path: bool,
    pub uses_query: bool,
    pub uses_headers: bool,
    pub uses_required_header: bool,
    pub uses_body: bool,
    pub uses_json: bool,
    /// Whether a DTO derives `IntoParams`.
    pub uses_into_params: bool,
    /// Whether a handler documents a problem+json answer of its own.
    pub uses_problem: bool,
    /// Whether a response has a status of the spec (`default` alone has none).
    pub uses_status: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    /// Lowercase: `get`, `post` …
    pub method: String,
    /// The path in the spec (`/pets/{petId}`).
    pub spec_path: String,
    /// The path axum serves (`/pets/{pet_id}`).
    pub path: String,
    pub operation_id: String,
    /// The handler and trait method name (snake_case).
    pub name: String,
    /// PascalCase, for its types (`ArchivePetResponse`).
    pub pascal: String,
    pub summary: Option<String>,
    pub path_params: Option<Parameters>,
    pub query_params: Option<Parameters>,
    pub header_params: Option<Parameters>,
    /// The Rust type of the JSON request body.
    pub body: Option<String>,
    /// Its type as utoipa documents it.
    pub body_schema: Option<String>,
    pub responses: Vec<Response>,
    /// The security schemes whose credentials must all be present.
    pub security: Vec<SecurityScheme>,
    /// The header parameters as `utoipa::path` documents them (path and query parameters
    /// are documented by their structs).
    pub header_docs: Vec<HeaderDoc>,
    /// The inputs with checks (`path`, `query`, `headers`, `body`): their `violations`
    /// are gathered before the service is called.
    pub validated: Vec<String>,
    /// Whether the handler can answer 422.
    pub checks_input: bool,
    /// The problem+json answers the handler gives itself that the spec does not list.
    pub problem_responses: Vec<ProblemResponse>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProblemResponse {
    pub status: u16,
    pub description: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeaderDoc {
    pub name: String,
    /// The type, in `Option` when the header is optional.
    pub schema_type: String,
    pub description: Option<String>,
    /// Its constraints as `utoipa` attribute items.
    pub documented: Vec<String>,
}

/// The parameters of one location, held in one DTO struct.
#[derive(Debug, Clone, Serialize)]
pub struct Parameters {
    pub dto: String,
    pub params: Vec<Parameter>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    /// The name on the wire (for a path parameter, the axum route's).
    pub name: String,
    pub ident: String,
    /// The type without `Option`.
    pub rust_type: String,
    pub required: bool,
    pub description: Option<String>,
    /// Its constraints as `utoipa` attribute items.
    pub documented: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub status: u16,
    /// The variant of the operation's response enum (`Ok`, `NotFound`, `Status299`).
    pub variant: String,
    pub description: String,
    /// The Rust type of its JSON body; `None` for an empty answer.
    pub body: Option<String>,
    /// Its type as utoipa documents it.
    pub body_schema: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityScheme {
    /// The name under `components/securitySchemes`.
    pub name: String,
    /// snake_case: `verify_<ident>` is its verifier method.
    pub ident: String,
    /// PascalCase: `<Pascal>Credential` is its extractor.
    pub pascal: String,
    /// `api_key` or `bearer`.
    pub kind: String,
    /// The header that carries the credential.
    pub header: String,
    pub description: Option<String>,
}

/// The operations of the spec outside `resources`, in spec order; path items given by `$ref`
/// are warned about.
pub fn find(
    resolver: &Resolver,
    resources: &[Resource],
    warnings: &mut Vec<Warning>,
) -> Vec<FoundOperation> {
    let file = resolver.root_file().to_owned();
    let covered: BTreeSet<&str> = resources
        .iter()
        .flat_map(|resource| {
            [
                resource.collection_path.as_str(),
                resource.item_path.as_str(),
            ]
        })
        .collect();
    let Some(Value::Object(paths)) = resolver.value_at(&file, "/paths") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    // The first path of each template (`/jobs/{}`): axum serves one name per parameter place.
    let mut first_of_template: BTreeMap<String, &str> = BTreeMap::new();
    for (path, item) in paths {
        if covered.contains(path.as_str()) {
            continue;
        }
        let at = pointer(&["paths", path]);
        let first = *first_of_template.entry(path_template(path)).or_insert(path);
        if first != path {
            warnings.push(Warning::new(
                at,
                format!("{path} not generated: it is {first} with other parameter names, which OpenAPI does not allow and axum cannot serve; merge the two path items"),
            ));
            continue;
        }
        if item.get("$ref").is_some() {
            warnings.push(Warning::new(
                at,
                "path item given by $ref: not generated in this version",
            ));
            continue;
        }
        if let Some(segment) = segment_with_text_after_a_parameter(path) {
            warnings.push(Warning::new(
                at,
                format!("{path} not generated: axum matches a path parameter up to the next `/`, so it cannot serve the segment `{segment}`; give the parameter a segment of its own"),
            ));
            continue;
        }
        let shared = located_parameters(&at, item);
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            if method == "get" && SERVICE_ROUTES.contains(&path.as_str()) {
                warnings.push(Warning::new(
                    child(&at, &[method]),
                    format!("GET {path} not generated: the generated service serves it (probes, metrics, its OpenAPI document and viewer)"),
                ));
                continue;
            }
            found.push(FoundOperation {
                path: path.clone(),
                method: method.to_owned(),
                target: Target {
                    file: file.clone(),
                    pointer: child(&at, &[method]),
                    value: operation.clone(),
                },
                shared: shared.clone(),
            });
        }
    }
    found
}

/// Translates the operations `found` for one module, whose generated code already uses
/// `taken_type_names`; what cannot be generated is warned about. `None` when there is none.
pub fn collect(
    resolver: &mut Resolver,
    found: Vec<FoundOperation>,
    taken_type_names: &[String],
    warnings: &mut Vec<Warning>,
) -> Result<Option<Operations>, OpenApiError> {
    if found.is_empty() {
        return Ok(None);
    }
    let file = resolver.root_file().to_owned();
    let global_security = resolver.value_at(&file, "/security").cloned();
    // Names are settled for every operation before any type is named.
    let mut names: Vec<String> = Vec::new();
    let mut reserved = taken_type_names.to_vec();
    for operation in &found {
        let base = match operation
            .target
            .value
            .get("operationId")
            .and_then(Value::as_str)
        {
            Some(id) => snake_case(id),
            None => format!(
                "{}_{}",
                operation.method,
                snake_case(&operation.path.replace(['{', '}'], ""))
            ),
        };
        let base = function_ident(&base);
        let mut name = base.clone();
        let mut number = 2;
        while names.contains(&name) {
            name = format!("{base}_{number}");
            number += 1;
        }
        reserved.push(format!("{}Response", pascal_case(&name)));
        names.push(name);
    }
    let mut builder = DtoBuilder::new(resolver, &reserved);
    let mut schemes: Vec<SecurityScheme> = Vec::new();
    let mut operations = Vec::new();
    for (found, name) in found.into_iter().zip(names) {
        let operation = operation(
            &mut builder,
            OperationSource {
                path: found.path,
                method: found.method,
                target: found.target,
                shared: found.shared,
                name,
                global_security: global_security.as_ref(),
            },
            &mut schemes,
            warnings,
        )?;
        operations.push(operation);
    }
    let (dtos, patterns, dto_warnings) = builder.finish();
    warnings.extend(dto_warnings);
    let validating: BTreeSet<&str> = dtos
        .iter()
        .filter(|dto| dto.validates)
        .map(|dto| dto.name.as_str())
        .collect();
    for operation in &mut operations {
        let inputs = [
            (
                "path",
                operation.path_params.as_ref().map(|group| &group.dto),
            ),
            (
                "query",
                operation.query_params.as_ref().map(|group| &group.dto),
            ),
            (
                "headers",
                operation.header_params.as_ref().map(|group| &group.dto),
            ),
            ("body", operation.body.as_ref()),
        ];
        operation.validated = inputs
            .into_iter()
            .filter(|(_, dto)| dto.is_some_and(|dto| validating.contains(dto.as_str())))
            .map(|(input, _)| input.to_owned())
            .collect();
        operation.checks_input = !operation.validated.is_empty()
            || operation.body.is_some()
            || operation.header_params.is_some();
        operation.problem_responses = problem_responses(operation);
        if !operation.problem_responses.is_empty() {
            let statuses: Vec<String> = operation
                .problem_responses
                .iter()
                .map(|response| response.status.to_string())
                .collect();
            warnings.push(Warning::new(
                pointer(&["paths", &operation.spec_path, &operation.method, "responses"]),
                format!(
                    "{} {} ({}): the generated handler also answers {} (problem+json), listed in /openapi.json",
                    operation.method.to_uppercase(),
                    operation.spec_path,
                    operation.operation_id,
                    statuses.join(", ")
                ),
            ));
        }
    }
    let any = |test: fn(&Operation) -> bool| operations.iter().any(test);
    Ok(Some(Operations {
        uses_path: any(|operation| operation.path_params.is_some()),
        uses_query: any(|operation| operation.query_params.is_some()),
        uses_headers: any(|operation| operation.header_params.is_some()),
        uses_required_header: any(|operation| {
            operation
                .header_params
                .as_ref()
                .is_some_and(|group| group.params.iter().any(|param| param.required))
        }),
        uses_body: any(|operation| operation.body.is_some()),
        uses_into_params: dtos.iter().any(|dto| dto.params_in.is_some()),
        uses_problem: any(|operation| !operation.problem_responses.is_empty()),
        uses_status: any(|operation| !operation.responses.is_empty()),
        uses_json: any(|operation| {
            operation
                .responses
                .iter()
                .any(|response| response.body.is_some())
        }),
        operations,
        dtos,
        patterns,
        schemes,
    }))
}

struct OperationSource<'a> {
    path: String,
    method: String,
    target: Target,
    /// The parameters of the path item, with their pointers.
    shared: Vec<(String, Value)>,
    name: String,
    global_security: Option<&'a Value>,
}

fn operation(
    builder: &mut DtoBuilder,
    source: OperationSource,
    schemes: &mut Vec<SecurityScheme>,
    warnings: &mut Vec<Warning>,
) -> Result<Operation, OpenApiError> {
    let OperationSource {
        path,
        method,
        target,
        shared,
        name,
        global_security,
    } = source;
    let at = target.pointer.clone();
    let spec = &target.value;
    let pascal = pascal_case(&name);
    let operation_id = spec
        .get("operationId")
        .and_then(Value::as_str)
        .map_or_else(|| name.clone(), str::to_owned);
    let label = format!("{} {path} ({operation_id})", method.to_uppercase());
    if spec.get("callbacks").is_some() {
        warnings.push(Warning::new(
            child(&at, &["callbacks"]),
            format!("{label}: callbacks not generated"),
        ));
    }

    // Parameters: the operation's own override the path item's of the same name and place.
    let mut parameters = located_parameters(&at, spec);
    parameters.extend(shared);
    let mut by_location: [(&str, Vec<ParameterField>, Vec<Parameter>); 3] = [
        ("path", Vec::new(), Vec::new()),
        ("query", Vec::new(), Vec::new()),
        ("header", Vec::new(), Vec::new()),
    ];
    let mut resolved = Vec::new();
    for (parameter_at, value) in parameters {
        resolved.push(dereference(
            builder.resolver(),
            Target {
                file: target.file.clone(),
                pointer: parameter_at,
                value,
            },
        )?);
    }
    for wire in undeclared_path_segments(&path, &resolved) {
        warnings.push(Warning::new(
            builder.resolver().locate(&target.file, &at),
            format!("{label}: path parameter `{wire}` is not declared: read as a string"),
        ));
        resolved.push(Target {
            file: target.file.clone(),
            pointer: at.clone(),
            value: serde_json::json!({
                "name": wire, "in": "path", "required": true, "schema": { "type": "string" }
            }),
        });
    }
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut axum_path = path.clone();
    for parameter in resolved {
        let where_at = builder
            .resolver()
            .locate(&parameter.file, &parameter.pointer);
        let text = |key: &str| parameter.value.get(key).and_then(Value::as_str);
        let (Some(wire), Some(location)) = (text("name"), text("in")) else {
            warnings.push(Warning::new(
                where_at,
                format!("{label}: parameter without `name` and `in` not generated"),
            ));
            continue;
        };
        let key = (wire.to_owned(), location.to_owned());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let Some(slot) = by_location
            .iter_mut()
            .find(|(known, _, _)| *known == location)
        else {
            warnings.push(Warning::new(
                where_at,
                format!("{label}: {location} parameter `{wire}` not generated"),
            ));
            continue;
        };
        let Some(schema) = parameter.value.get("schema") else {
            warnings.push(Warning::new(
                where_at,
                format!("{label}: parameter `{wire}` without a `schema` (content) not generated"),
            ));
            continue;
        };
        let mut schema = Target {
            file: parameter.file.clone(),
            pointer: child(&parameter.pointer, &["schema"]),
            value: schema.clone(),
        };
        let resolved = dereference(builder.resolver(), schema.clone())?;
        let kind = resolved.value.get("type").and_then(Value::as_str);
        let composite =
            matches!(kind, Some("array" | "object")) || resolved.value.get("properties").is_some();
        if composite {
            warnings.push(Warning::new(
                where_at,
                format!(
                    "{label}: {location} parameter `{wire}` is a list or object: not generated"
                ),
            ));
            continue;
        }
        let required = location == "path"
            || parameter.value.get("required").and_then(Value::as_bool) == Some(true);
        let used: Vec<String> = slot.2.iter().map(|known| known.ident.clone()).collect();
        let ident = field_ident(wire, &used);
        let name_on_wire = if location == "path" {
            // axum names the segment like the field, so the path struct needs no rename.
            let segment = ident.trim_start_matches("r#").to_owned();
            axum_path = axum_path.replace(&format!("{{{wire}}}"), &format!("{{{segment}}}"));
            segment
        } else {
            wire.to_owned()
        };
        // A header is parsed with `FromStr`, which enums and untyped values lack.
        let parses = matches!(kind, Some("string" | "integer" | "number" | "boolean"))
            && resolved.value.get("enum").is_none();
        if location == "header" && !parses {
            warnings.push(Warning::new(
                where_at,
                format!("{label}: header `{wire}` read as a plain string (its schema is not a plain scalar)"),
            ));
            schema.value = serde_json::json!({ "type": "string" });
        }
        let description = text("description").map(first_line);
        slot.1
            .push((name_on_wire.clone(), wire.to_owned(), schema, required));
        slot.2.push(Parameter {
            name: name_on_wire,
            ident,
            rust_type: String::new(),
            required,
            description,
            documented: Vec::new(),
        });
    }
    let mut structs = Vec::new();
    for (location, fields, mut params) in by_location {
        if fields.is_empty() {
            structs.push(None);
            continue;
        }
        // axum extracts path and query parameters, and utoipa documents them, from the struct.
        let (suffix, params_in) = match location {
            "path" => ("Path", Some("Path")),
            "query" => ("Query", Some("Query")),
            _ => ("Headers", None),
        };
        let dto_name = builder.parameter_struct(
            &format!("{pascal}{suffix}"),
            &format!("The {location} parameters of `{operation_id}`."),
            params_in,
            fields,
        )?;
        for (param, field) in params.iter_mut().zip(builder.fields(&dto_name)) {
            param.rust_type = field.base_type;
            param.documented = field.documented;
        }
        structs.push(Some(Parameters {
            dto: dto_name,
            params,
        }));
    }
    let header_params = structs.pop().flatten();
    let query_params = structs.pop().flatten();
    let path_params = structs.pop().flatten();
    let header_docs = header_params
        .iter()
        .flat_map(|group| &group.params)
        .map(|param| HeaderDoc {
            name: param.name.clone(),
            schema_type: if param.required {
                param.rust_type.clone()
            } else {
                format!("Option<{}>", param.rust_type)
            },
            description: param.description.clone(),
            documented: param.documented.clone(),
        })
        .collect();

    let body = request_body(builder, &target, &pascal, &label, warnings)?;
    let responses = responses(builder, &target, &pascal, &label, warnings)?;
    let security = security(builder, &target, global_security, &label, schemes, warnings)?;
    Ok(Operation {
        method,
        spec_path: path,
        path: axum_path,
        operation_id,
        name,
        pascal,
        summary: spec
            .get("summary")
            .or_else(|| spec.get("description"))
            .and_then(Value::as_str)
            .map(|text| text.lines().next().unwrap_or_default().to_owned()),
        path_params,
        query_params,
        header_params,
        body_schema: body.as_ref().map(|body| body.schema_type()),
        body: body.map(|body| body.rust),
        responses,
        security,
        header_docs,
        validated: Vec::new(),
        checks_input: false,
        problem_responses: Vec::new(),
    })
}

/// The answers the handler gives itself, besides the spec's: 401 when it checks credentials,
/// 422 when it checks input, 501 until the service method is implemented.
fn problem_responses(operation: &Operation) -> Vec<ProblemResponse> {
    [
        (
            401,
            "Missing or refused credentials",
            !operation.security.is_empty(),
        ),
        (422, "Invalid parameters or body", operation.checks_input),
        (501, "Not implemented yet", true),
    ]
    .into_iter()
    .filter(|(status, _, answered)| {
        *answered
            && !operation
                .responses
                .iter()
                .any(|response| response.status == *status)
    })
    .map(|(status, description, _)| ProblemResponse {
        status,
        description,
    })
    .collect()
}

/// The first segment of `path` with text after a `{parameter}` (`{api}.json`, `{name}:cancel`).
fn segment_with_text_after_a_parameter(path: &str) -> Option<&str> {
    path.split('/').find(|segment| {
        segment
            .split_once('}')
            .is_some_and(|(_, after)| !after.is_empty())
    })
}

/// The `{name}` segments of `path` that no parameter `in: path` declares, in path order.
fn undeclared_path_segments(path: &str, parameters: &[Target]) -> Vec<String> {
    let declared = |name: &str| {
        parameters.iter().any(|parameter| {
            parameter.value.get("in").and_then(Value::as_str) == Some("path")
                && parameter.value.get("name").and_then(Value::as_str) == Some(name)
        })
    };
    super::path_parameter_names(path)
        .filter(|name| !name.is_empty() && !declared(name))
        .map(str::to_owned)
        .collect()
}

/// The `parameters` of a path item or operation at `at`, each with its pointer.
fn located_parameters(at: &str, holder: &Value) -> Vec<(String, Value)> {
    match holder.get("parameters") {
        Some(Value::Array(parameters)) => parameters
            .iter()
            .enumerate()
            .map(|(index, parameter)| {
                (
                    child(at, &["parameters", &index.to_string()]),
                    parameter.clone(),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn request_body(
    builder: &mut DtoBuilder,
    operation: &Target,
    pascal: &str,
    label: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<RustType>, OpenApiError> {
    let Some(body) = operation.value.get("requestBody") else {
        return Ok(None);
    };
    let body = dereference(
        builder.resolver(),
        Target {
            file: operation.file.clone(),
            pointer: child(&operation.pointer, &["requestBody"]),
            value: body.clone(),
        },
    )?;
    let at = builder.resolver().locate(&body.file, &body.pointer);
    let Some(schema) = json_content(&body, &at, label, warnings) else {
        if body.value.get("content").is_some() {
            warnings.push(Warning::new(
                at,
                format!("{label}: request body not generated: it has no JSON content"),
            ));
        }
        return Ok(None);
    };
    if body.value.get("required").and_then(Value::as_bool) != Some(true) {
        warnings.push(Warning::new(
            at,
            format!("{label}: the optional request body is required by the generated handler"),
        ));
    }
    builder
        .type_of(schema, &format!("{pascal}Request"), Direction::Request)
        .map(Some)
}

fn responses(
    builder: &mut DtoBuilder,
    operation: &Target,
    pascal: &str,
    label: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Response>, OpenApiError> {
    let mut responses = Vec::new();
    let Some(Value::Object(listed)) = operation.value.get("responses") else {
        return Ok(responses);
    };
    for (status, response) in listed {
        let at = child(&operation.pointer, &["responses", status]);
        let Some(code) = status
            .parse::<u16>()
            .ok()
            .filter(|code| (100..600).contains(code))
        else {
            warnings.push(Warning::new(
                at,
                format!("{label}: response `{status}` not generated (only numeric status codes are; errors are problem+json)"),
            ));
            continue;
        };
        let response = dereference(
            builder.resolver(),
            Target {
                file: operation.file.clone(),
                pointer: at,
                value: response.clone(),
            },
        )?;
        let where_at = builder.resolver().locate(&response.file, &response.pointer);
        let variant = status_variant(code);
        let body = match json_content(&response, &where_at, label, warnings) {
            Some(schema) => Some(builder.type_of(
                schema,
                &format!("{pascal}{variant}Body"),
                Direction::Response,
            )?),
            None => None,
        };
        responses.push(Response {
            status: code,
            variant,
            description: response
                .value
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
            body_schema: body.as_ref().map(RustType::schema_type),
            body: body.map(|body| body.rust),
        });
    }
    Ok(responses)
}

/// The schema of the JSON content of a request body or response; other media types warned.
fn json_content(
    holder: &Target,
    at: &str,
    label: &str,
    warnings: &mut Vec<Warning>,
) -> Option<Target> {
    let Some(Value::Object(content)) = holder.value.get("content") else {
        return None;
    };
    let json = content.keys().find(|media| {
        let media = media.split(';').next().unwrap_or_default().trim();
        media == "application/json" || media.ends_with("+json")
    });
    for media in content.keys().filter(|media| Some(*media) != json) {
        warnings.push(Warning::new(
            child(at, &["content", media]),
            format!("{label}: content `{media}` not generated (only JSON is)"),
        ));
    }
    let media = json?;
    let schema = content[media].get("schema")?;
    Some(Target {
        file: holder.file.clone(),
        pointer: child(&holder.pointer, &["content", media, "schema"]),
        value: schema.clone(),
    })
}

/// The schemes of the operation's first security requirement (or the document's), added to
/// `schemes` on first use.
fn security(
    builder: &mut DtoBuilder,
    operation: &Target,
    global: Option<&Value>,
    label: &str,
    schemes: &mut Vec<SecurityScheme>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<SecurityScheme>, OpenApiError> {
    let (requirements, at) = match operation.value.get("security") {
        Some(own) => (own, child(&operation.pointer, &["security"])),
        None => match global {
            Some(global) => (global, "/security".to_owned()),
            None => return Ok(Vec::new()),
        },
    };
    let Some(requirements) = requirements.as_array() else {
        return Ok(Vec::new());
    };
    // An empty requirement makes credentials optional: nothing to enforce.
    if requirements.is_empty()
        || requirements
            .iter()
            .any(|requirement| requirement.as_object().is_some_and(Map::is_empty))
    {
        return Ok(Vec::new());
    }
    if requirements.len() > 1 {
        warnings.push(Warning::new(
            at.clone(),
            format!(
                "{label}: only the first of {} alternative security requirements is enforced",
                requirements.len()
            ),
        ));
    }
    let mut required = Vec::new();
    let Some(first) = requirements[0].as_object() else {
        return Ok(required);
    };
    let root = builder.resolver().root_file().to_owned();
    for name in first.keys() {
        if let Some(known) = schemes.iter().find(|scheme| scheme.name == *name) {
            required.push(known.clone());
            continue;
        }
        let scheme_at = pointer(&["components", "securitySchemes", name]);
        let Some(value) = builder.resolver().value_at(&root, &scheme_at).cloned() else {
            warnings.push(Warning::new(
                child(&at, &["0", name]),
                format!("{label}: security scheme `{name}` is not defined"),
            ));
            continue;
        };
        let scheme = dereference(
            builder.resolver(),
            Target {
                file: root.clone(),
                pointer: scheme_at.clone(),
                value,
            },
        )?;
        let text = |key: &str| scheme.value.get(key).and_then(Value::as_str);
        let (kind, header) = match (text("type"), text("in"), text("scheme")) {
            (Some("apiKey"), Some("header"), _) => ("api_key", text("name").unwrap_or("X-API-Key")),
            (Some("http"), _, Some(http)) if http.eq_ignore_ascii_case("bearer") => {
                ("bearer", "Authorization")
            }
            _ => {
                warnings.push(Warning::new(
                    scheme_at,
                    format!("security scheme `{name}` not generated: only API keys in a header and HTTP bearer tokens are"),
                ));
                continue;
            }
        };
        let used: Vec<String> = schemes.iter().map(|scheme| scheme.ident.clone()).collect();
        let ident = field_ident(name, &used).trim_start_matches("r#").to_owned();
        let ident = if ident.starts_with("field_") {
            format!("scheme_{}", ident.trim_start_matches("field_"))
        } else {
            ident
        };
        let scheme = SecurityScheme {
            name: name.clone(),
            pascal: type_ident(&ident),
            ident,
            kind: kind.to_owned(),
            header: header.to_owned(),
            description: text("description").map(first_line),
        };
        schemes.push(scheme.clone());
        required.push(scheme);
    }
    Ok(required)
}

/// A function name from a snake_case operation name: keywords and names that cannot be
/// identifiers get an `_operation` suffix or `operation_` prefix.
fn function_ident(snake: &str) -> String {
    let ident = field_ident(snake, &[]);
    if let Some(keyword) = ident.strip_prefix("r#") {
        format!("{keyword}_operation")
    } else if let Some(rest) = ident.strip_prefix("field_") {
        format!("operation_{rest}")
    } else {
        ident
    }
}

/// The variant of a response status: its reason phrase in PascalCase, else `Status<code>`.
fn status_variant(code: u16) -> String {
    let reason = match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        204 => "NoContent",
        301 => "MovedPermanently",
        302 => "Found",
        303 => "SeeOther",
        304 => "NotModified",
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Gone",
        412 => "PreconditionFailed",
        422 => "UnprocessableEntity",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        _ => return format!("Status{code}"),
    };
    reason.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handlers_own_answers_are_listed_once_and_warned_about() {
        let spec = r##"
openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}}}}
    post:
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
      responses:
        "201": {description: created, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
  /pets/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
  /checks:
    post:
      operationId: check
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
      responses:
        "200": {description: ok}
        "422": {description: invalid}
components:
  schemas:
    Pet: {type: object, required: [name], properties: {name: {type: string}}}
"##;
        let translation = translate(spec);
        let operations = translation
            .modules
            .iter()
            .find_map(|module| module.operations.as_ref())
            .expect("the /checks operation");
        let statuses: Vec<u16> = operations.operations[0]
            .problem_responses
            .iter()
            .map(|response| response.status)
            .collect();
        assert_eq!(statuses, [501], "422 is the spec's own response");
        assert!(translation.warnings.iter().any(|warning| {
            warning.pointer == "/paths/~1checks/post/responses"
                && warning.message.contains("also answers 501 (problem+json)")
        }));
    }

    fn translate(spec: &str) -> crate::openapi::Translation {
        crate::openapi::translate_source(spec, std::path::Path::new("spec.yaml"), None).unwrap()
    }

    /// The operations of the only module of `spec`.
    fn operations_of(spec: &str) -> Operations {
        translate(spec)
            .modules
            .into_iter()
            .find_map(|module| module.operations)
            .expect("an operation")
    }

    /// The fields of the struct DTO `name`.
    fn struct_fields<'o>(operations: &'o Operations, name: &str) -> &'o [dto::DtoField] {
        let dto = operations
            .dtos
            .iter()
            .find(|dto| dto.name == name)
            .expect("the DTO");
        let dto::DtoKind::Struct { fields } = &dto.kind else {
            panic!("{name} is a struct");
        };
        fields
    }

    /// Method and path of each generated operation.
    fn served(translation: &crate::openapi::Translation) -> Vec<(&str, &str)> {
        translation
            .modules
            .iter()
            .find_map(|module| module.operations.as_ref())
            .expect("an operation")
            .operations
            .iter()
            .map(|operation| (operation.method.as_str(), operation.path.as_str()))
            .collect()
    }

    #[test]
    fn an_all_of_wrapping_one_scalar_schema_is_that_schema() {
        let operations = operations_of(
            r##"
openapi: 3.0.3
info: {title: Tickets, version: "1"}
paths:
  /tickets:
    post:
      operationId: buy
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [kind]
              properties:
                kind: {description: the kind, allOf: [{$ref: "#/components/schemas/Kind"}]}
                count: {allOf: [{allOf: [{type: integer, minimum: 1}]}]}
                buyer: {allOf: [{$ref: "#/components/schemas/Buyer"}]}
      responses:
        "204": {description: bought}
components:
  schemas:
    Kind: {type: string, enum: [adult, child]}
    Buyer: {type: object, properties: {name: {type: string}}}
"##,
        );
        let fields = struct_fields(&operations, "BuyRequest");
        let types: Vec<(&str, &str)> = fields
            .iter()
            .map(|field| (field.name.as_str(), field.rust_type.as_str()))
            .collect();
        assert_eq!(
            types,
            [
                ("buyer", "Option<BuyRequestBuyer>"),
                ("count", "Option<i64>"),
                ("kind", "Kind"),
            ]
        );
        let count = &fields[1];
        assert_eq!(count.checks.len(), 1, "minimum: 1 is checked");
    }

    #[test]
    fn discriminator_mappings_by_schema_name_and_several_values_tag_their_member() {
        let operations = operations_of(
            r##"
openapi: 3.0.3
info: {title: Options, version: "1"}
paths:
  /options:
    post:
      operationId: choose
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf: [{$ref: "#/components/schemas/One"}, {$ref: "#/components/schemas/Two"}]
              discriminator:
                propertyName: kind
                mapping: {first: One, second: "#/components/schemas/Two", other: "#/components/schemas/Two"}
      responses:
        "204": {description: chosen}
components:
  schemas:
    One: {type: object, properties: {kind: {type: string}, one: {type: number}}}
    Two: {type: object, properties: {kind: {type: string}, two: {type: string}}}
"##,
        );
        let body = operations
            .dtos
            .iter()
            .find(|dto| dto.name == "ChooseRequest")
            .expect("the body DTO");
        let dto::DtoKind::Union { tag, variants } = &body.kind else {
            panic!("the body is a union");
        };
        assert_eq!(tag.as_deref(), Some("kind"));
        let tags: Vec<(Option<&str>, &[String])> = variants
            .iter()
            .map(|variant| (variant.rename.as_deref(), variant.aliases.as_slice()))
            .collect();
        assert_eq!(
            tags,
            [
                (Some("first"), &[][..]),
                (Some("other"), &["second".to_owned()][..]),
            ]
        );
    }

    #[test]
    fn a_scheme_several_operations_require_is_warned_about_once() {
        let spec = r##"
openapi: 3.0.3
info: {title: Pets, version: "1"}
security: [{oauth: [read]}]
paths:
  /pets/search:
    get:
      responses: {"200": {description: found}}
  /pets/count:
    get:
      responses: {"200": {description: counted}}
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {implicit: {authorizationUrl: "https://example.com/auth", scopes: {read: reading}}}}
"##;
        let translation = translate(spec);
        let warned: Vec<&Warning> = translation
            .warnings
            .iter()
            .filter(|warning| warning.message.contains("only API keys in a header"))
            .collect();
        assert_eq!(warned.len(), 1, "{warned:#?}");
        assert_eq!(warned[0].pointer, "/components/securitySchemes/oauth");
    }

    #[test]
    fn paths_with_text_after_a_parameter_in_a_segment_are_warned_about_and_skipped() {
        let spec = r##"
openapi: 3.0.3
info: {title: Specs, version: "1"}
paths:
  /specs/{provider}/{api}.json:
    get:
      operationId: getApi
      parameters:
        - {name: provider, in: path, required: true, schema: {type: string}}
        - {name: api, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: found}}
  /v{version}/list:
    get:
      operationId: list
      parameters: [{name: version, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: listed}}
"##;
        let translation = translate(spec);
        let operations = translation
            .modules
            .iter()
            .find_map(|module| module.operations.as_ref())
            .expect("the /v{version}/list operation");
        let served: Vec<&str> = operations
            .operations
            .iter()
            .map(|operation| operation.path.as_str())
            .collect();
        assert_eq!(served, ["/v{version}/list"]);
        assert!(
            translation.warnings.iter().any(|warning| {
                warning.pointer == "/paths/~1specs~1{provider}~1{api}.json"
                    && warning.message.contains("`{api}.json`")
            }),
            "{:#?}",
            translation.warnings
        );
    }

    #[test]
    fn paths_that_differ_only_in_parameter_names_are_served_once() {
        let spec = r##"
openapi: 3.1.0
info: {title: Jobs, version: "1"}
paths:
  /jobs/{id}:
    get:
      operationId: readJob
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
  /jobs/{job_id}:
    patch:
      operationId: touchJob
      parameters: [{name: job_id, in: path, required: true, schema: {type: string}}]
"##;
        let translation = translate(spec);
        assert_eq!(served(&translation), [("get", "/jobs/{id}")]);
        assert!(
            translation.warnings.iter().any(|warning| {
                warning.pointer == "/paths/~1jobs~1{job_id}"
                    && warning.message.contains("/jobs/{id}")
            }),
            "{:#?}",
            translation.warnings
        );
    }

    #[test]
    fn number_enums_are_checked() {
        let operations = operations_of(
            r##"
openapi: 3.0.3
info: {title: Levels, version: "1"}
paths:
  /levels:
    post:
      operationId: setLevel
      parameters: [{name: priority, in: query, schema: {type: integer, format: int32, enum: [1, 2]}}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                ratio: {type: number, enum: [0.5, 2]}
      responses:
        "204": {description: set}
"##,
        );
        let checks: Vec<(String, String)> = ["SetLevelQuery", "SetLevelRequest"]
            .iter()
            .flat_map(|dto| {
                operations
                    .dtos
                    .iter()
                    .find(|known| known.name == *dto)
                    .map(|known| match &known.kind {
                        dto::DtoKind::Struct { fields } => fields.clone(),
                        _ => Vec::new(),
                    })
                    .unwrap_or_default()
            })
            .flat_map(|field| field.checks)
            .map(|check| (check.invalid, check.message))
            .collect();
        assert_eq!(
            checks,
            [
                (
                    "![1, 2].contains(value)".to_owned(),
                    "must be one of 1, 2".to_owned()
                ),
                (
                    "![0.5, 2.0].contains(value)".to_owned(),
                    "must be one of 0.5, 2.0".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn gets_of_the_services_own_routes_are_warned_about_and_skipped() {
        let spec = r##"
openapi: 3.1.0
info: {title: Probes, version: "1"}
paths:
  /health:
    get: {operationId: health}
    post: {operationId: reportHealth}
  /metrics:
    get: {operationId: metrics}
  /status:
    get: {operationId: status}
"##;
        let translation = translate(spec);
        assert_eq!(
            served(&translation),
            [("post", "/health"), ("get", "/status")]
        );
        let skipped: Vec<&str> = translation
            .warnings
            .iter()
            .filter(|warning| warning.message.contains("the generated service serves it"))
            .map(|warning| warning.pointer.as_str())
            .collect();
        assert_eq!(skipped, ["/paths/~1health/get", "/paths/~1metrics/get"]);
    }

    #[test]
    fn a_required_reference_to_a_nullable_schema_is_optional() {
        let operations = operations_of(
            r##"
openapi: 3.0.3
info: {title: People, version: "1"}
paths:
  /people:
    post:
      operationId: addPerson
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [home, name]
              properties:
                home: {$ref: "#/components/schemas/Address"}
                name: {type: string}
      responses:
        "204": {description: added}
components:
  schemas:
    Address: {type: object, nullable: true, properties: {city: {type: string}}}
"##,
        );
        let fields = struct_fields(&operations, "AddPersonRequest");
        let types: Vec<&str> = fields
            .iter()
            .map(|field| field.rust_type.as_str())
            .collect();
        assert_eq!(types, ["Option<Address>", "String"]);
    }

    #[test]
    fn an_all_of_of_several_scalar_schemas_is_one_schema_of_their_keywords() {
        let operations = operations_of(
            r##"
openapi: 3.0.3
info: {title: Codes, version: "1"}
paths:
  /codes:
    post:
      operationId: addCode
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [code]
              properties:
                code: {allOf: [{$ref: "#/components/schemas/Code"}, {maxLength: 5}]}
      responses:
        "204": {description: added}
components:
  schemas:
    Code: {type: string, minLength: 1}
"##,
        );
        let fields = struct_fields(&operations, "AddCodeRequest");
        assert_eq!(fields[0].rust_type, "String");
        let messages: Vec<&str> = fields[0]
            .checks
            .iter()
            .map(|check| check.message.as_str())
            .collect();
        assert_eq!(messages.len(), 2, "minLength and maxLength: {messages:?}");
    }

    #[test]
    fn contradicting_all_of_parts_are_warned_about() {
        let spec = r##"
openapi: 3.0.3
info: {title: Quirks, version: "1"}
paths:
  /quirks:
    post:
      operationId: addQuirk
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                quirk: {allOf: [{type: string}, {type: integer}]}
                fine: {allOf: [{type: string}, {type: string, maxLength: 3}]}
      responses:
        "204": {description: added}
"##;
        let translation = translate(spec);
        let contradictions: Vec<(&str, &str)> = translation
            .warnings
            .iter()
            .filter(|warning| warning.message.contains("contradicts"))
            .map(|warning| (warning.pointer.as_str(), warning.message.as_str()))
            .collect();
        assert_eq!(
            contradictions,
            [(
                "/paths/~1quirks/post/requestBody/content/application~1json/schema/properties/quirk/allOf/1/type",
                "`type` contradicts an earlier part of the allOf: the earlier `\"string\"` is kept"
            )]
        );
    }

    #[test]
    fn path_segments_no_parameter_declares_are_found() {
        let declared = Target {
            file: "spec.yaml".into(),
            pointer: "/paths/~1a/get/parameters/0".into(),
            value: serde_json::json!({ "name": "shopId", "in": "path" }),
        };
        let query = Target {
            value: serde_json::json!({ "name": "itemId", "in": "query" }),
            ..declared.clone()
        };
        assert_eq!(
            undeclared_path_segments("/shops/{shopId}/items/{itemId}/{}", &[declared, query]),
            ["itemId"]
        );
        assert!(undeclared_path_segments("/shops", &[]).is_empty());
    }

    #[test]
    fn operation_names_are_identifiers() {
        assert_eq!(function_ident("archive_pet"), "archive_pet");
        assert_eq!(function_ident("move"), "move_operation");
        assert_eq!(function_ident("1up"), "operation_1up");
        assert_eq!(status_variant(404), "NotFound");
        assert_eq!(status_variant(299), "Status299");
    }
}
