//! Spec in = spec out: the structural differences between the OpenAPI document a service was
//! generated from and the one it serves (`/openapi.json`, `<service> openapi`).
//!
//! Both documents are normalised first: 3.1 schemas into the 3.0 form (`type: [T, "null"]` →
//! `nullable`), every local `$ref` followed, `allOf` merged into one schema. Compared: the
//! paths (templates compared positionally, so `/pets/{petId}` and `/pets/{pet_id}` are one
//! path), their methods, parameters (`in`, name — except path parameters, whose names never
//! reach the wire — `required`, schema), request bodies (`required`, media types, schemas) and
//! responses (status codes, media types, schemas). Schemas are compared by structure: type,
//! format, nullable, enum, bounds, lengths, pattern, properties, required, items,
//! additionalProperties, oneOf/anyOf. Also the `operationId`s the input gives. Documentation
//! is ignored (see docs/openapi.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

use super::refs::Resolver;
use super::version;
use super::warning::{child, unescape};

/// Which document a [`Difference`]'s pointer points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The input spec: where the part is, or where it would be when only the served
    /// document has it. Inside a referenced schema, the pointer is the schema's own place.
    Input,
    /// The served document: a path the input does not have.
    Served,
}

/// One way the served document differs from the input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Difference {
    pub side: Side,
    /// JSON pointer (RFC 6901) into the document `side` names.
    pub pointer: String,
    pub message: String,
}

/// The differences between `input` (OpenAPI 3.0 or 3.1) and `served`, sorted by pointer.
pub fn compare(input: &Value, served: &Value) -> Vec<Difference> {
    let mut comparison = Comparison {
        input: Document::new("input", input),
        served: Document::new("served", served),
        differences: Vec::new(),
    };
    comparison.paths();
    let mut differences = comparison.differences;
    differences.sort();
    differences.dedup();
    differences
}

/// Methods an operation can have, in the order of a path item.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keywords compared as values; absent, `false` and (for `nullable`) an optional property's
/// `true` count as the same.
const KEYWORDS: [&str; 17] = [
    "type",
    "format",
    "nullable",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// How a schema is compared.
#[derive(Debug, Clone, Copy)]
struct Context {
    direction: Direction,
    /// The schema of a property or parameter that is not required: its `nullable` is not
    /// compared (the generated code reads a missing value and null alike, as `Option`).
    optional: bool,
}

impl From<Direction> for Context {
    fn from(direction: Direction) -> Context {
        Context {
            direction,
            optional: false,
        }
    }
}

/// Whether a schema is read in a request (readOnly properties left out) or written in a
/// response (writeOnly properties left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

/// A value and its JSON pointer.
#[derive(Debug, Clone)]
struct Located {
    pointer: String,
    value: Value,
}

impl Located {
    fn child(&self, keys: &[&str]) -> Option<Located> {
        let mut value = &self.value;
        for key in keys {
            value = match value {
                Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
                _ => value.get(key)?,
            };
        }
        Some(Located {
            pointer: child(&self.pointer, keys),
            value: value.clone(),
        })
    }
}

/// One normalised document and the references it can follow.
struct Document {
    file: &'static Path,
    resolver: Resolver,
}

impl Document {
    fn new(name: &'static str, document: &Value) -> Document {
        let mut document = document.clone();
        version::normalise_document(&mut document, &mut Vec::new());
        let file = Path::new(name);
        Document {
            file,
            resolver: Resolver::new(file, document),
        }
    }

    fn root(&self) -> Located {
        Located {
            pointer: String::new(),
            value: self
                .resolver
                .value_at(self.file, "")
                .cloned()
                .unwrap_or(Value::Null),
        }
    }

    /// `located`, or what its `$ref` points at (with that place's pointer).
    fn follow(&mut self, located: Located) -> Result<Located, String> {
        let Some(reference) = located.value.get("$ref").and_then(Value::as_str) else {
            return Ok(located);
        };
        let at = child(&located.pointer, &["$ref"]);
        self.resolver
            .resolve(self.file, &at, reference)
            .map(|target| Located {
                pointer: target.pointer,
                value: target.value,
            })
            .map_err(|error| format!("cannot follow `{reference}`: {error}"))
    }
}

struct Comparison {
    input: Document,
    served: Document,
    differences: Vec<Difference>,
}

impl Comparison {
    fn differ(&mut self, pointer: &str, message: impl Into<String>) {
        self.differences.push(Difference {
            side: Side::Input,
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    fn paths(&mut self) {
        let input = paths_by_template(&self.input.root());
        let mut served = paths_by_template(&self.served.root());
        for (template, item) in input {
            match served.remove(&template) {
                Some(served_item) => self.path_item(&item, &served_item),
                None => self.differ(&item.pointer, "path not served"),
            }
        }
        for item in served.into_values() {
            self.differences.push(Difference {
                side: Side::Served,
                pointer: item.pointer,
                message: "path served but not in the input".to_owned(),
            });
        }
    }

    fn path_item(&mut self, input: &Located, served: &Located) {
        let (input, served) = match (
            self.input.follow(input.clone()),
            self.served.follow(served.clone()),
        ) {
            (Ok(input), Ok(served)) => (input, served),
            (Err(message), _) | (_, Err(message)) => return self.differ(&input.pointer, message),
        };
        for method in METHODS {
            match (input.child(&[method]), served.child(&[method])) {
                (Some(operation), Some(served_operation)) => {
                    self.operation(&input, &operation, &served, &served_operation);
                }
                (Some(operation), None) => self.differ(&operation.pointer, "method not served"),
                (None, Some(_)) => self.differ(
                    &child(&input.pointer, &[method]),
                    format!("{} served but not in the input", method.to_uppercase()),
                ),
                (None, None) => {}
            }
        }
    }

    fn operation(
        &mut self,
        input_item: &Located,
        input: &Located,
        served_item: &Located,
        served: &Located,
    ) {
        // Client generators name their methods by it.
        let id = |operation: &Located| operation.value.get("operationId").cloned();
        if let Some(operation_id) = id(input)
            && id(served) != Some(operation_id.clone())
        {
            self.differ(
                &child(&input.pointer, &["operationId"]),
                format!(
                    "operationId is {operation_id} in the input, {} in the served document",
                    shown(&id(served))
                ),
            );
        }
        self.parameters(input_item, input, served_item, served);
        self.request_body(input, served);
        self.responses(input, served);
    }

    fn parameters(
        &mut self,
        input_item: &Located,
        input: &Located,
        served_item: &Located,
        served: &Located,
    ) {
        let path = |item: &Located| unescape(item.pointer.rsplit('/').next().unwrap_or_default());
        let input_parameters = parameters(&mut self.input, &path(input_item), input_item, input);
        let mut served_parameters =
            parameters(&mut self.served, &path(served_item), served_item, served);
        for (key, parameter) in input_parameters {
            let parameter = match parameter {
                Ok(parameter) => parameter,
                Err((at, message)) => {
                    self.differ(&at, message);
                    continue;
                }
            };
            let Some(Ok(served_parameter)) = served_parameters.remove(&key) else {
                self.differ(&parameter.pointer, format!("{key} not served"));
                continue;
            };
            self.required(&key, &parameter, &served_parameter);
            let context = Context {
                direction: Direction::Request,
                optional: !is_required(&parameter),
            };
            self.optional_schemas(
                &parameter.pointer,
                "schema",
                parameter.child(&["schema"]).as_ref(),
                served_parameter.child(&["schema"]).as_ref(),
                context,
                &mut Visiting::default(),
            );
        }
        for key in served_parameters.into_keys() {
            self.differ(
                &child(&input.pointer, &["parameters"]),
                format!("{key} served but not in the input"),
            );
        }
    }

    /// Whether a parameter or request body is required in both documents or in neither.
    fn required(&mut self, what: &str, input: &Located, served: &Located) {
        if is_required(input) != is_required(served) {
            let now = if is_required(served) {
                "required"
            } else {
                "optional"
            };
            self.differ(
                &child(&input.pointer, &["required"]),
                format!("{what} is {now} in the served document"),
            );
        }
    }

    fn request_body(&mut self, input: &Located, served: &Located) {
        let at = child(&input.pointer, &["requestBody"]);
        let (body, served_body) = match (
            input.child(&["requestBody"]),
            served.child(&["requestBody"]),
        ) {
            (None, None) => return,
            (Some(_), None) => return self.differ(&at, "request body not served"),
            (None, Some(_)) => return self.differ(&at, "request body served but not in the input"),
            (Some(body), Some(served_body)) => (body, served_body),
        };
        let (body, served_body) = match (self.input.follow(body), self.served.follow(served_body)) {
            (Ok(body), Ok(served_body)) => (body, served_body),
            (Err(message), _) | (_, Err(message)) => return self.differ(&at, message),
        };
        self.required("the request body", &body, &served_body);
        self.content(&body, &served_body, Direction::Request);
    }

    fn responses(&mut self, input: &Located, served: &Located) {
        let at = child(&input.pointer, &["responses"]);
        let listed = |operation: &Located| match operation.value.get("responses") {
            Some(Value::Object(responses)) => responses.keys().cloned().collect::<BTreeSet<_>>(),
            _ => BTreeSet::new(),
        };
        let served_statuses = listed(served);
        for status in listed(input) {
            let response = input
                .child(&["responses", &status])
                .expect("a listed response");
            let Some(served_response) = served.child(&["responses", &status]) else {
                self.differ(&response.pointer, format!("response {status} not served"));
                continue;
            };
            match (
                self.input.follow(response.clone()),
                self.served.follow(served_response),
            ) {
                (Ok(response), Ok(served_response)) => {
                    self.content(&response, &served_response, Direction::Response);
                }
                (Err(message), _) | (_, Err(message)) => self.differ(&response.pointer, message),
            }
        }
        for status in served_statuses.difference(&listed(input)) {
            self.differ(
                &child(&at, &[status]),
                format!("response {status} served but not in the input"),
            );
        }
    }

    /// The media types of a request body or response, and the schema of each.
    fn content(&mut self, input: &Located, served: &Located, direction: Direction) {
        let media_types = |holder: &Located| match holder.value.get("content") {
            Some(Value::Object(content)) => content.keys().cloned().collect::<BTreeSet<_>>(),
            _ => BTreeSet::new(),
        };
        let served_media = media_types(served);
        let input_media = media_types(input);
        for media in input_media.union(&served_media) {
            let at = child(&input.pointer, &["content", media]);
            match (
                input.child(&["content", media]),
                served.child(&["content", media]),
            ) {
                (Some(_), None) => self.differ(&at, format!("content `{media}` not served")),
                (None, Some(_)) => {
                    self.differ(
                        &at,
                        format!("content `{media}` served but not in the input"),
                    );
                }
                (Some(content), Some(served_content)) => self.optional_schemas(
                    &at,
                    "schema",
                    content.child(&["schema"]).as_ref(),
                    served_content.child(&["schema"]).as_ref(),
                    direction.into(),
                    &mut Visiting::default(),
                ),
                (None, None) => {}
            }
        }
    }

    /// Compares two schemas.
    fn schema(
        &mut self,
        input: &Located,
        served: &Located,
        context: Context,
        visiting: &mut Visiting,
    ) {
        self.member_schema(input, served, None, context, visiting);
    }

    /// [`Self::schema`] of the members of a `oneOf`/`anyOf` whose `discriminator` names
    /// `tag`: that property is left out, since utoipa states it as each member's one-value
    /// enum and the spec through the discriminator.
    fn member_schema(
        &mut self,
        input: &Located,
        served: &Located,
        tag: Option<&str>,
        context: Context,
        visiting: &mut Visiting,
    ) {
        let direction = context.direction;
        let input_ref = reference(&input.value);
        let served_ref = reference(&served.value);
        // A reference already being compared further up: recursion. Both recursing at the
        // same place is equal; the comparison above already covers the rest.
        match (
            input_ref
                .as_ref()
                .is_some_and(|name| visiting.input.contains(name)),
            served_ref
                .as_ref()
                .is_some_and(|name| visiting.served.contains(name)),
        ) {
            (true, true) => return,
            (false, false) => {}
            (input_recurses, _) => {
                return self.differ(
                    &input.pointer,
                    format!(
                        "the schema recurses here only in the {} document",
                        if input_recurses { "input" } else { "served" }
                    ),
                );
            }
        }
        let shapes = (
            Shape::of(&mut self.input, input.clone(), direction),
            Shape::of(&mut self.served, served.clone(), direction),
        );
        let (mut shape, mut served_shape) = match shapes {
            (Ok(shape), Ok(served_shape)) => (shape, served_shape),
            (Err(message), _) | (_, Err(message)) => return self.differ(&input.pointer, message),
        };
        if let Some(tag) = tag {
            for shape in [&mut shape, &mut served_shape] {
                shape.properties.remove(tag);
                shape.required.remove(tag);
            }
        }
        visiting.input.extend(input_ref.clone());
        visiting.served.extend(served_ref.clone());
        self.shapes(&shape, &served_shape, context, visiting);
        if input_ref.is_some() {
            visiting.input.pop();
        }
        if served_ref.is_some() {
            visiting.served.pop();
        }
    }

    /// Compares two normalised schemas: their keywords, then the schemas they hold (which
    /// are no longer optional properties themselves).
    fn shapes(&mut self, input: &Shape, served: &Shape, context: Context, visiting: &mut Visiting) {
        let at = &input.pointer;
        let nested = Context {
            optional: false,
            ..context
        };
        for keyword in KEYWORDS {
            let (value, served_value) = (input.keyword(keyword), served.keyword(keyword));
            if value == served_value
                || implied_format(keyword, input, served)
                || (keyword == "nullable" && context.optional)
            {
                continue;
            }
            self.differ(
                &child(at, &[keyword]),
                format!(
                    "`{keyword}` is {} in the input, {} in the served document",
                    shown(&value),
                    shown(&served_value)
                ),
            );
        }
        if input.required != served.required {
            self.differ(
                &child(at, &["required"]),
                format!(
                    "required properties are {:?} in the input, {:?} in the served document",
                    input.required, served.required
                ),
            );
        }
        for (name, property) in &input.properties {
            let optional = Context {
                optional: !input.required.contains(name),
                ..context
            };
            match served.properties.get(name) {
                Some(served_property) => self.schema(property, served_property, optional, visiting),
                None => self.differ(&property.pointer, format!("property `{name}` not served")),
            }
        }
        for name in served
            .properties
            .keys()
            .filter(|name| !input.properties.contains_key(*name))
        {
            self.differ(
                &child(at, &["properties", name]),
                format!("property `{name}` served but not in the input"),
            );
        }
        self.optional_schemas(
            at,
            "items",
            input.items.as_ref(),
            served.items.as_ref(),
            nested,
            visiting,
        );
        match (&input.additional, &served.additional) {
            (Additional::Schema(schema), Additional::Schema(served_schema)) => {
                self.schema(schema, served_schema, nested, visiting);
            }
            (additional, served_additional) if additional != served_additional => self.differ(
                &child(at, &["additionalProperties"]),
                format!(
                    "additionalProperties is {additional} in the input, {served_additional} in the served document"
                ),
            ),
            _ => {}
        }
        for keyword in ["oneOf", "anyOf"] {
            let alternatives = input
                .alternatives
                .get(keyword)
                .map_or(&[][..], Vec::as_slice);
            let served_alternatives = served
                .alternatives
                .get(keyword)
                .map_or(&[][..], Vec::as_slice);
            if alternatives.len() != served_alternatives.len() {
                self.differ(
                    &child(at, &[keyword]),
                    format!(
                        "`{keyword}` has {} alternatives in the input, {} in the served document",
                        alternatives.len(),
                        served_alternatives.len()
                    ),
                );
                continue;
            }
            for (alternative, served_alternative) in alternatives.iter().zip(served_alternatives) {
                self.member_schema(
                    alternative,
                    served_alternative,
                    input.discriminator.as_deref(),
                    nested,
                    visiting,
                );
            }
        }
    }

    /// The schemas under `keyword` of `at`: compared when both documents have one, a
    /// difference when only one has.
    fn optional_schemas(
        &mut self,
        at: &str,
        keyword: &str,
        input: Option<&Located>,
        served: Option<&Located>,
        context: Context,
        visiting: &mut Visiting,
    ) {
        match (input, served) {
            (Some(schema), Some(served_schema)) => {
                self.schema(schema, served_schema, context, visiting)
            }
            (None, None) => {}
            (schema, _) => self.differ(
                &child(at, &[keyword]),
                format!(
                    "`{keyword}` only in the {} document",
                    if schema.is_some() { "input" } else { "served" }
                ),
            ),
        }
    }
}

/// The references being compared, outermost first, per document.
#[derive(Default)]
struct Visiting {
    input: Vec<String>,
    served: Vec<String>,
}

/// The `required` of a parameter or request body; absent is `false`.
fn is_required(holder: &Located) -> bool {
    holder.value.get("required") == Some(&true.into())
}

/// The `$ref` a schema stands for: its own, or that of its only member besides `null` in
/// `allOf`, `oneOf` or `anyOf` (how a nullable reference is written).
fn reference(schema: &Value) -> Option<String> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return Some(reference.to_owned());
    }
    ["allOf", "oneOf", "anyOf"].iter().find_map(|keyword| {
        let members = schema.get(keyword)?.as_array()?;
        match members
            .iter()
            .filter(|member| !is_null(member))
            .collect::<Vec<_>>()
            .as_slice()
        {
            [only] => reference(only),
            _ => None,
        }
    })
}

/// The path items of a document by their template (`/pets/{}`).
fn paths_by_template(root: &Located) -> BTreeMap<String, Located> {
    let Some(Value::Object(paths)) = root.value.get("paths") else {
        return BTreeMap::new();
    };
    paths
        .keys()
        .map(|path| {
            let item = root.child(&["paths", path]).expect("a listed path");
            (path_template(path), item)
        })
        .collect()
}

/// A path without its parameter names: `/pets/{petId}/toys/{toy}` → `/pets/{}/toys/{}`. Two
/// paths with the same template are one path on the wire.
pub fn path_template(path: &str) -> String {
    let mut template = String::new();
    let mut in_name = false;
    for character in path.chars() {
        match character {
            '{' => {
                in_name = true;
                template.push_str("{}");
            }
            '}' => in_name = false,
            _ if !in_name => template.push(character),
            _ => {}
        }
    }
    template
}

/// A parameter's key: `path parameter 1` (by position in the path), `query parameter `limit``.
type Parameters = BTreeMap<String, Result<Located, (String, String)>>;

/// The parameters of an operation (its own over its path item's), by key.
fn parameters(
    document: &mut Document,
    path: &str,
    item: &Located,
    operation: &Located,
) -> Parameters {
    let positions: Vec<&str> = super::path_parameter_names(path).collect();
    let mut found = Parameters::new();
    for holder in [item, operation] {
        let Some(Value::Array(listed)) = holder.value.get("parameters") else {
            continue;
        };
        for index in 0..listed.len() {
            let parameter = holder
                .child(&["parameters", &index.to_string()])
                .expect("a listed parameter");
            let at = parameter.pointer.clone();
            let parameter = match document.follow(parameter) {
                Ok(parameter) => parameter,
                Err(message) => {
                    found.insert(format!("parameter {at}"), Err((at, message)));
                    continue;
                }
            };
            let text = |key: &str| {
                parameter
                    .value
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            };
            let (name, location) = (text("name"), text("in"));
            let key = match positions.iter().position(|position| *position == name) {
                Some(index) if location == "path" => format!("path parameter {}", index + 1),
                _ => format!("{location} parameter `{name}`"),
            };
            found.insert(key, Ok(parameter));
        }
    }
    found
}

/// additionalProperties: absent or `true` (any), `false`, or a schema.
#[derive(Debug, Clone)]
enum Additional {
    Any,
    None,
    Schema(Located),
}

impl PartialEq for Additional {
    fn eq(&self, other: &Additional) -> bool {
        matches!(
            (self, other),
            (Additional::Any, Additional::Any) | (Additional::None, Additional::None)
        )
    }
}

impl std::fmt::Display for Additional {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            Additional::Any => "any (absent or true)",
            Additional::None => "false",
            Additional::Schema(_) => "a schema",
        })
    }
}

/// A schema after normalisation: references followed, `allOf` merged, a `null` alternative
/// turned into `nullable`, properties the direction leaves out removed.
#[derive(Debug)]
struct Shape {
    pointer: String,
    keywords: Map<String, Value>,
    properties: BTreeMap<String, Located>,
    required: BTreeSet<String>,
    items: Option<Located>,
    additional: Additional,
    alternatives: BTreeMap<&'static str, Vec<Located>>,
    /// The `propertyName` of its `discriminator`.
    discriminator: Option<String>,
}

impl Shape {
    fn of(document: &mut Document, schema: Located, direction: Direction) -> Result<Shape, String> {
        let schema = document.follow(schema)?;
        let mut shape = Shape {
            pointer: schema.pointer.clone(),
            keywords: Map::new(),
            properties: BTreeMap::new(),
            required: BTreeSet::new(),
            items: None,
            additional: Additional::Any,
            alternatives: BTreeMap::new(),
            discriminator: None,
        };
        shape.merge(document, schema, direction)?;
        if shape.keywords.get("type").is_none() && !shape.properties.is_empty() {
            shape.keywords.insert("type".to_owned(), "object".into());
        }
        Ok(shape)
    }

    /// Adds `schema` (already followed) to this shape: its own keywords, then its `allOf`.
    fn merge(
        &mut self,
        document: &mut Document,
        schema: Located,
        direction: Direction,
    ) -> Result<(), String> {
        for keyword in KEYWORDS {
            if let Some(value) = schema.value.get(keyword) {
                self.keywords.insert(keyword.to_owned(), value.clone());
            }
        }
        if let Some(Value::Object(properties)) = schema.value.get("properties") {
            for name in properties.keys() {
                let property = schema
                    .child(&["properties", name])
                    .expect("a listed property");
                let followed = document.follow(property.clone())?;
                let left_out = match direction {
                    Direction::Request => "readOnly",
                    Direction::Response => "writeOnly",
                };
                if [&property.value, &followed.value]
                    .iter()
                    .any(|value| value.get(left_out) == Some(&true.into()))
                {
                    continue;
                }
                self.properties.insert(name.clone(), property);
            }
        }
        if let Some(Value::Array(required)) = schema.value.get("required") {
            self.required
                .extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        self.items = self.items.take().or_else(|| schema.child(&["items"]));
        if let Some(tag) = schema
            .value
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
        {
            self.discriminator = Some(tag.to_owned());
        }
        match schema.child(&["additionalProperties"]) {
            Some(Located {
                value: Value::Bool(false),
                ..
            }) => self.additional = Additional::None,
            Some(Located {
                value: Value::Bool(true),
                ..
            })
            | None => {}
            Some(additional) => self.additional = Additional::Schema(additional),
        }
        for keyword in ["oneOf", "anyOf"] {
            let Some(Value::Array(alternatives)) = schema.value.get(keyword) else {
                continue;
            };
            let mut kept = Vec::new();
            for index in 0..alternatives.len() {
                let alternative = schema
                    .child(&[keyword, &index.to_string()])
                    .expect("a listed alternative");
                if is_null(&document.follow(alternative.clone())?.value) {
                    self.keywords.insert("nullable".to_owned(), true.into());
                } else {
                    kept.push(alternative);
                }
            }
            // `oneOf: [T, null]` is a nullable T.
            if let [single] = kept.as_slice() {
                let single = document.follow(single.clone())?;
                self.merge(document, single, direction)?;
            } else if !kept.is_empty() {
                self.alternatives.entry(keyword).or_default().extend(kept);
            }
        }
        if let Some(Value::Array(parts)) = schema.value.get("allOf") {
            for index in 0..parts.len() {
                let part = schema
                    .child(&["allOf", &index.to_string()])
                    .expect("a listed part");
                let part = document.follow(part)?;
                self.merge(document, part, direction)?;
            }
        }
        Ok(())
    }

    /// A keyword's value in the form compared: absent and its default are the same, numbers
    /// are compared as numbers, enums as sets.
    fn keyword(&self, keyword: &str) -> Option<Value> {
        let value = self.keywords.get(keyword)?;
        match (keyword, value) {
            (_, Value::Bool(false)) => None,
            (_, Value::Number(number)) => number.as_f64().map(Value::from),
            ("enum", Value::Array(values)) => {
                let mut values: Vec<String> = values.iter().map(Value::to_string).collect();
                values.sort();
                Some(values.into_iter().map(Value::from).collect())
            }
            _ => Some(value.clone()),
        }
    }
}

/// A schema of `null` alone: `type: "null"`, or `type: ["null"]` normalised into a bare
/// `nullable: true`.
fn is_null(schema: &Value) -> bool {
    match schema.get("type") {
        Some(kind) => kind == "null",
        None => {
            schema.get("nullable") == Some(&true.into())
                && schema.get("$ref").is_none()
                && schema.get("properties").is_none()
        }
    }
}

/// An integer or number without a format is served with the width of the generated type.
fn implied_format(keyword: &str, input: &Shape, served: &Shape) -> bool {
    keyword == "format"
        && input.keyword("format").is_none()
        && matches!(
            (input.keyword("type"), served.keyword("format")),
            (Some(Value::String(kind)), Some(Value::String(format)))
                if (kind == "integer" && format == "int64") || (kind == "number" && format == "double")
        )
}

fn shown(value: &Option<Value>) -> String {
    value
        .as_ref()
        .map_or_else(|| "absent".to_owned(), Value::to_string)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A 3.0 document with one operation on `/pets/{petId}`, whose pieces the tests vary.
    fn document(parameter: Value, pet: Value, responses: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/pets/{petId}": {"put": {
                "parameters": [
                    {"name": "petId", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
                    parameter
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": pet}}},
                "responses": responses
            }}},
            "components": {"schemas": {"Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 50},
                    "tag": {"type": "string"},
                    "id": {"type": "integer", "readOnly": true}
                }
            }}}
        })
    }

    fn limit() -> Value {
        json!({"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int32", "minimum": 1}})
    }

    fn ok() -> Value {
        json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}})
    }

    fn pointers(differences: &[Difference]) -> Vec<&str> {
        differences
            .iter()
            .map(|difference| difference.pointer.as_str())
            .collect()
    }

    #[test]
    fn identical_documents_have_no_difference() {
        let spec = document(limit(), json!({"$ref": "#/components/schemas/Pet"}), ok());
        assert_eq!(compare(&spec, &spec), []);
    }

    #[test]
    fn a_reference_and_its_inlined_schema_are_equal() {
        let spec = document(limit(), json!({"$ref": "#/components/schemas/Pet"}), ok());
        let inlined = document(
            limit(),
            json!({"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string", "maxLength": 50}, "tag": {"type": "string"}
            }}),
            ok(),
        );
        assert_eq!(compare(&spec, &inlined), []);
    }

    #[test]
    fn nullable_of_3_0_is_the_null_type_of_3_1() {
        let nullable = json!({"type": "object", "properties": {
            "tag": {"type": "string", "nullable": true},
            "owner": {"allOf": [{"$ref": "#/components/schemas/Pet"}], "nullable": true}
        }, "required": ["tag", "owner"]});
        let mut served = document(
            limit(),
            json!({"type": "object", "properties": {
                "tag": {"type": ["string", "null"]},
                "owner": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Pet"}]}
            }, "required": ["tag", "owner"]}),
            ok(),
        );
        served["openapi"] = json!("3.1.0");
        assert_eq!(compare(&document(limit(), nullable, ok()), &served), []);
    }

    #[test]
    fn path_parameter_names_are_not_compared_but_their_schemas_are() {
        let spec = document(limit(), json!({"$ref": "#/components/schemas/Pet"}), ok());
        let mut served = spec.clone();
        let item = served["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/pets/{petId}")
            .unwrap();
        served["paths"]["/pets/{pet_id}"] = item;
        served["paths"]["/pets/{pet_id}"]["put"]["parameters"][0] =
            json!({"name": "pet_id", "in": "path", "required": true, "schema": {"type": "string"}});
        let differences = compare(&spec, &served);
        assert_eq!(
            pointers(&differences),
            ["/paths/~1pets~1{petId}/put/parameters/0/schema/format"]
        );
    }

    #[test]
    fn each_kind_of_difference_is_found_where_the_input_has_it() {
        let spec = document(limit(), json!({"$ref": "#/components/schemas/Pet"}), ok());
        let served = document(
            json!({"name": "limit", "in": "query", "required": true, "schema": {"type": "integer", "format": "int32"}}),
            json!({"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}, "tag": {"type": "integer"}, "extra": {"type": "string"}
            }}),
            json!({
                "201": {"description": "created"},
                "200": {"description": "ok"}
            }),
        );
        let differences = compare(&spec, &served);
        assert_eq!(
            pointers(&differences),
            [
                "/components/schemas/Pet/properties/extra",
                "/components/schemas/Pet/properties/name/maxLength",
                "/components/schemas/Pet/properties/tag/type",
                "/paths/~1pets~1{petId}/put/parameters/1/required",
                "/paths/~1pets~1{petId}/put/parameters/1/schema/minimum",
                "/paths/~1pets~1{petId}/put/responses/200/content/application~1json",
                "/paths/~1pets~1{petId}/put/responses/201",
            ],
            "{differences:#?}"
        );
        assert!(
            differences
                .iter()
                .all(|difference| difference.side == Side::Input)
        );
    }

    #[test]
    fn missing_and_extra_paths_methods_and_parameters() {
        let spec = document(limit(), json!({"$ref": "#/components/schemas/Pet"}), ok());
        let mut served = spec.clone();
        served["paths"]["/pets/{petId}"]["get"] = served["paths"]["/pets/{petId}"]["put"].take();
        served["paths"]["/pets/{petId}"]
            .as_object_mut()
            .unwrap()
            .remove("put");
        served["paths"]["/live"] = json!({"get": {"responses": {}}});
        let differences = compare(&spec, &served);
        assert_eq!(
            differences
                .iter()
                .map(|difference| (difference.side, difference.pointer.as_str()))
                .collect::<Vec<_>>(),
            [
                (Side::Input, "/paths/~1pets~1{petId}/get"),
                (Side::Input, "/paths/~1pets~1{petId}/put"),
                (Side::Served, "/paths/~1live"),
            ]
        );
        let mut named = spec.clone();
        named["paths"]["/pets/{petId}"]["put"]["operationId"] = json!("updatePet");
        let mut renamed = named.clone();
        renamed["paths"]["/pets/{petId}"]["put"]["operationId"] = json!("update_pet");
        assert_eq!(compare(&named, &named), []);
        assert_eq!(
            pointers(&compare(&named, &renamed)),
            ["/paths/~1pets~1{petId}/put/operationId"]
        );
        let mut renamed = spec.clone();
        renamed["paths"]["/pets/{petId}"]["put"]["parameters"][1]["name"] = json!("max");
        assert_eq!(
            pointers(&compare(&spec, &renamed)),
            [
                "/paths/~1pets~1{petId}/put/parameters",
                "/paths/~1pets~1{petId}/put/parameters/1"
            ]
        );
    }

    #[test]
    fn recursive_schemas_end_at_their_first_repetition() {
        let node = json!({"type": "object", "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
        }});
        let mut spec = document(limit(), json!({"$ref": "#/components/schemas/Node"}), ok());
        spec["components"]["schemas"]["Node"] = node.clone();
        let mut served = spec.clone();
        served["components"]["schemas"]["Node"]["properties"]["name"] = json!({"type": "string"});
        assert_eq!(compare(&spec, &spec), []);
        assert_eq!(
            pointers(&compare(&spec, &served)),
            ["/components/schemas/Node/properties/name"]
        );
        // utoipa writes an optional recursive field as a nullable reference.
        let mut nullable = spec.clone();
        nullable["components"]["schemas"]["Node"]["properties"]["parent"] =
            json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Node"}]});
        spec["components"]["schemas"]["Node"]["properties"]["parent"] =
            json!({"$ref": "#/components/schemas/Node"});
        assert_eq!(compare(&spec, &nullable), []);
    }

    #[test]
    fn a_discriminator_property_is_left_to_the_discriminator() {
        let cat = json!({"type": "object", "required": ["kind"], "properties": {
            "kind": {"type": "string"}, "lives": {"type": "integer"}
        }});
        let mut spec = document(
            limit(),
            json!({
                "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"type": "integer"}],
                "discriminator": {"propertyName": "kind"}
            }),
            ok(),
        );
        spec["components"]["schemas"]["Cat"] = cat;
        let mut served = spec.clone();
        let body = &mut served["paths"]["/pets/{petId}"]["put"]["requestBody"];
        body["content"]["application/json"]["schema"] = json!({"oneOf": [
            {"allOf": [
                {"$ref": "#/components/schemas/CatDto"},
                {"type": "object", "required": ["kind"], "properties": {
                    "kind": {"type": "string", "enum": ["cat"]}
                }}
            ]},
            {"type": "integer"}
        ]});
        served["components"]["schemas"]["CatDto"] =
            json!({"type": "object", "properties": {"lives": {"type": "integer"}}});
        assert_eq!(compare(&spec, &served), []);
    }
}
