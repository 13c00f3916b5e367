//! What every module's API layer shares: the JSON body extractor with per-field errors, the
//! request context extractor, list parameters, ETags, and the mapping of service errors to
//! problem+json answers.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::kernel::{
    DEFAULT_LIMIT, Filter, ListQuery, MAX_LIMIT, RequestContext, ServiceError, Sort,
    SortDirection, SortField,
};
use crate::platform::http::REQUEST_ID;
use crate::platform::problem::{FieldError, Problem};

/// A JSON request body. Malformed JSON is answered 400, JSON of the wrong shape 422 naming
/// the field, a body that is not `application/json` 415, and one over the limit 413.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                let essence = value.split(';').next().unwrap_or_default().trim();
                essence == "application/json" || essence.ends_with("+json")
            });
        if !is_json {
            return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE)
                .with_detail("send the body as application/json")
                .into_response());
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        // Syntax first (400), then shape (422): serde_json alone files some shape errors,
        // such as an array where an enum is expected, under syntax.
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|error| {
            Problem::new(StatusCode::BAD_REQUEST)
                .with_detail(format!("malformed JSON: {error}"))
                .into_response()
        })?;
        serde_path_to_error::deserialize(value)
            .map(JsonBody)
            .map_err(|error| {
                let path = error.path().to_string();
                let message = error.into_inner().to_string();
                unprocessable(vec![FieldError {
                    field: error_field(&path, &message),
                    message,
                }])
            })
    }
}

/// The field a shape error of the body is about. serde gives the path of the object a required
/// field is missing from (`.` for the body itself) and names the field only in its message
/// (``missing field `name` ``): the field is that object's path and the name.
fn error_field(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'));
    match (path, missing) {
        (".", Some(name)) => name.to_string(),
        (".", None) => String::new(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) => path.to_string(),
    }
}

fn unprocessable(errors: Vec<FieldError>) -> Response {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY)
        .with_detail("the request has invalid fields")
        .with_errors(errors)
        .into_response()
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let request_id = parts
            .headers
            .get(REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        Ok(RequestContext {
            request_id,
            ..RequestContext::default()
        })
    }
}

/// The request's `If-None-Match` and `If-Match` headers, what conditional requests read:
/// unlike the `HeaderMap` extractor, it does not copy every other header of the request.
pub struct ConditionalHeaders(pub HeaderMap);

impl<S: Send + Sync> FromRequestParts<S> for ConditionalHeaders {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut headers = HeaderMap::new();
        for name in [header::IF_NONE_MATCH, header::IF_MATCH] {
            for value in parts.headers.get_all(&name) {
                headers.append(name.clone(), value.clone());
            }
        }
        Ok(ConditionalHeaders(headers))
    }
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        match self {
            ServiceError::Invalid(violations) => unprocessable(
                violations
                    .into_iter()
                    .map(|violation| FieldError {
                        field: violation.field,
                        message: violation.message,
                    })
                    .collect(),
            ),
            ServiceError::NotFound => Problem::new(StatusCode::NOT_FOUND).into_response(),
            ServiceError::Conflict(detail) => Problem::new(StatusCode::CONFLICT)
                .with_detail(detail)
                .into_response(),
            ServiceError::Stale => Problem::new(StatusCode::PRECONDITION_FAILED)
                .with_detail("the resource changed since it was read; fetch it again")
                .into_response(),
            ServiceError::BadRequest(detail) => Problem::new(StatusCode::BAD_REQUEST)
                .with_detail(detail)
                .into_response(),
            ServiceError::Unauthorized(detail) => Problem::new(StatusCode::UNAUTHORIZED)
                .with_detail(detail)
                .into_response(),
            ServiceError::NotImplemented(detail) => Problem::new(StatusCode::NOT_IMPLEMENTED)
                .with_detail(detail)
                .into_response(),
            ServiceError::Internal(message) => {
                tracing::error!(error = %message, "request failed");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR).into_response()
            }
        }
    }
}

/// The generic part of a list request: `limit`, `cursor`, `sort` (`field` or `-field`) and
/// every other parameter as an equality filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub limit: u32,
    pub cursor: Option<String>,
    pub sort: Option<(String, SortDirection)>,
    pub filters: Vec<(String, String)>,
}

impl ListParams {
    /// Reads the query string pairs; a bad `limit` is a 400.
    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self, ServiceError> {
        let mut params = ListParams {
            limit: DEFAULT_LIMIT,
            cursor: None,
            sort: None,
            filters: Vec::new(),
        };
        for (name, value) in pairs {
            match name.as_str() {
                "limit" => {
                    params.limit = value
                        .parse()
                        .ok()
                        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                        .ok_or_else(|| {
                            ServiceError::BadRequest(format!(
                                "limit must be a whole number from 1 to {MAX_LIMIT}"
                            ))
                        })?;
                }
                "cursor" => params.cursor = Some(value),
                "sort" => {
                    params.sort = Some(match value.strip_prefix('-') {
                        Some(field) => (field.to_string(), SortDirection::Descending),
                        None => (value, SortDirection::Ascending),
                    });
                }
                _ => params.filters.push((name, value)),
            }
        }
        Ok(params)
    }

    /// The list query of an entity whose sortable fields are `Field` and filters `F`; a sort
    /// or filter on a field it does not have, or a filter value of the wrong type, is a 400.
    pub fn into_query<Field: SortField, F: Filter>(self) -> Result<ListQuery<Field, F>, ServiceError> {
        let sort = match self.sort {
            Some((name, direction)) => Sort {
                field: Field::parse(&name).ok_or_else(|| {
                    let names: Vec<&str> = Field::ALL.iter().map(|field| field.name()).collect();
                    ServiceError::BadRequest(format!(
                        "cannot sort by `{name}`; sort by one of: {}",
                        names.join(", ")
                    ))
                })?,
                direction,
            },
            None => Sort {
                field: Field::DEFAULT,
                direction: SortDirection::Ascending,
            },
        };
        let filters = self
            .filters
            .iter()
            .map(|(name, value)| {
                F::parse(name, value)
                    .map_err(ServiceError::BadRequest)?
                    .ok_or_else(|| {
                        ServiceError::BadRequest(format!(
                            "unknown parameter `{name}`; filter on one of: {}",
                            F::FIELDS.join(", ")
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(ListQuery {
            limit: self.limit,
            cursor: self.cursor,
            sort,
            filters,
        })
    }
}

/// The ETag of a resource at `version`.
pub fn etag(version: i64) -> HeaderValue {
    // From the `String` itself: its bytes become the header value's, with no copy.
    HeaderValue::try_from(format!("\"{version}\"")).expect("a quoted number is a valid header")
}

/// True when `If-None-Match` names the current version (the client's copy is fresh).
pub fn is_fresh(headers: &HeaderMap, version: i64) -> bool {
    if !headers.contains_key(header::IF_NONE_MATCH) {
        return false;
    }
    let current = etag(version);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || current == tag.trim_start_matches("W/"))
}

/// The version `If-Match` requires, if the request has one. `*` requires nothing; an ETag
/// that is not one of ours can never match, so it is answered 412.
pub fn required_version(headers: &HeaderMap) -> Result<Option<i64>, ServiceError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_matches('"')
        .parse()
        .map(Some)
        .map_err(|_| ServiceError::Stale)
}

/// For the `Option<T>` fields of a PATCH body that may not be cleared (required fields): a
/// present `null` is refused like any other value of the wrong type (422 naming the field),
/// instead of being taken for an absent field and silently ignored.
pub fn not_null<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// For `Option<Option<T>>` fields of a PATCH body: a present `null` becomes `Some(None)`
/// (clear the field), while an absent field stays `None` (through `#[serde(default)]`).
pub fn present<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}
