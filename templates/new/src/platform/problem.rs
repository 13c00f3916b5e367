//! RFC 9457 problem details: every error this service answers is `application/problem+json`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// Error bodies of other layers larger than this are not copied into `detail`.
const MAX_DETAIL_BYTES: usize = 4096;

/// A problem details object (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference that identifies the problem type; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path this occurrence happened on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The invalid fields, for 422 answers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name as it appears in the request.
    pub field: String,
    /// Why its value was refused.
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode) -> Self {
        Self {
            problem_type: "about:blank".to_string(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: None,
            instance: None,
            errors: Vec::new(),
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_instance(mut self, instance: impl Into<String>) -> Self {
        self.instance = Some(instance.into());
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).expect("a problem always serializes");
        (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
            body,
        )
            .into_response()
    }
}

/// Answers unknown routes.
pub async fn not_found(request: Request) -> Problem {
    Problem::new(StatusCode::NOT_FOUND)
        .with_detail("no route matches this path")
        .with_instance(request.uri().path())
}

/// Turns an error answer that is not yet problem+json (from axum's extractors or the body
/// limit) into one, keeping its status and headers and using a short plain-text body as the
/// `detail`; `path` becomes the `instance`. Other answers are returned as they are.
pub async fn normalize_error(response: Response, path: &str) -> Response {
    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    if !is_error || is_problem(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let detail = plain_text_detail(&parts.headers, body).await;
    let mut problem = Problem::new(status).with_instance(path);
    if let Some(detail) = detail {
        problem = problem.with_detail(detail);
    }
    let (problem_parts, problem_body) = problem.into_response().into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(problem_parts.headers);
    Response::from_parts(parts, problem_body)
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(CONTENT_TYPE.as_bytes()))
}

async fn plain_text_detail(headers: &axum::http::HeaderMap, body: Body) -> Option<String> {
    let is_text = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/plain"));
    if !is_text {
        return None;
    }
    let bytes = axum::body::to_bytes(body, MAX_DETAIL_BYTES).await.ok()?;
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    (!text.is_empty()).then_some(text)
}
