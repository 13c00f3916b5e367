//! The HTTP middleware stack every route runs behind: request ids, the request span and its log
//! line, metrics, security headers, CORS, problem+json errors, panic catching, timeout and body
//! limit.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_http::HeaderExtractor;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tracing::{Instrument, Level, Span};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use uuid::Uuid;

use crate::platform::config::HttpConfig;
use crate::platform::metrics::RequestTracker;
use crate::platform::problem::{self, Problem};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Set on every response unless the handler set them already.
const SECURITY_HEADERS: [(HeaderName, &str); 3] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// Routes the orchestrator and Prometheus call every few seconds: their requests are logged at
/// DEBUG, not INFO, so that probes do not flood the logs (nor cost a log line each).
const PROBE_PATHS: [&str; 3] = ["/live", "/ready", "/metrics"];

/// Wraps `router` in the middleware stack, outermost layer first.
pub fn with_middleware(router: Router, config: &HttpConfig) -> Router {
    let stack = ServiceBuilder::new()
        .layer(middleware::from_fn(observe))
        .option_layer(cors(&config.cors_allowed_origins))
        .layer(middleware::from_fn(problem::normalize_errors))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout(),
        ))
        .layer(middleware::from_fn_with_state(
            config.body_limit_bytes,
            reject_declared_oversized_body,
        ))
        .layer(DefaultBodyLimit::max(config.body_limit_bytes));
    router.fallback(problem::not_found).layer(stack)
}

/// Middleware, outermost: gives the request its id (the caller's `x-request-id`, or a new
/// UUID), runs it in the request span, then writes its log line and metrics and adds the
/// request id and the security headers to the response. One layer for what every request
/// needs, because each layer costs every request a future of its own.
async fn observe(mut request: Request, next: Next) -> Response {
    let request_id = take_or_make_request_id(&mut request);
    let probe = PROBE_PATHS.contains(&request.uri().path());
    let span = request_span(&request, &request_id, probe);
    let tracker = RequestTracker::start(&request);
    let mut response = next.run(request).instrument(span.clone()).await;
    let latency = tracker.finish(response.status());
    span.in_scope(|| log_response(response.status(), latency, probe));
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID, request_id);
    for (name, value) in SECURITY_HEADERS {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    }
    response
}

/// The caller's request id, or a new UUID v4 set on the request so handlers see it too.
fn take_or_make_request_id(request: &mut Request) -> HeaderValue {
    if let Some(request_id) = request.headers().get(REQUEST_ID) {
        return request_id.clone();
    }
    let mut buffer = Uuid::encode_buffer();
    let request_id = HeaderValue::from_str(Uuid::new_v4().hyphenated().encode_lower(&mut buffer))
        .expect("a hyphenated UUID is a valid header value");
    request.headers_mut().insert(REQUEST_ID, request_id.clone());
    request_id
}

/// The span every log line of a request is written in; it carries the request id. When trace
/// export is on, it continues the caller's trace (W3C `traceparent`/`tracestate` headers) and
/// carries the trace id too. Probes get a span only while DEBUG logs are on: that is when their
/// log line is written.
fn request_span(request: &Request, request_id: &HeaderValue, probe: bool) -> Span {
    if probe && !tracing::enabled!(Level::DEBUG) {
        return Span::none();
    }
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id.to_str().unwrap_or_default(),
        trace_id = tracing::field::Empty,
    );
    let caller = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(request.headers()))
    });
    // Fails only when no OpenTelemetry layer is installed: then there is no trace to join.
    if span.set_parent(caller).is_ok() {
        let span_context = span.context().span().span_context().clone();
        if span_context.is_valid() {
            span.record("trace_id", tracing::field::display(span_context.trace_id()));
        }
    }
    span
}

/// The request's log line: ERROR for a server error on the API, DEBUG for probes, INFO
/// otherwise.
fn log_response(status: StatusCode, latency: Duration, probe: bool) {
    let status = status.as_u16();
    let latency_us = latency.as_micros();
    if probe {
        tracing::debug!(status, latency_us, "finished processing request");
    } else if status >= 500 {
        tracing::error!(status, latency_us, "finished processing request");
    } else {
        tracing::info!(status, latency_us, "finished processing request");
    }
}

/// Answers 413 before any handler runs when `Content-Length` already exceeds the limit.
/// Bodies without a length (chunked) are cut at the same limit by `DefaultBodyLimit` as the
/// handler reads them.
async fn reject_declared_oversized_body(
    State(limit): State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    match declared {
        Some(length) if length > limit => Problem::new(StatusCode::PAYLOAD_TOO_LARGE)
            .with_detail(format!(
                "the request body has {length} bytes; the limit is {limit}"
            ))
            .into_response(),
        _ => next.run(request).await,
    }
}

fn cors(allowed_origins: &[String]) -> Option<CorsLayer> {
    if allowed_origins.is_empty() {
        return None;
    }
    let origins = if allowed_origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            allowed_origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers(Any)
            .expose_headers([REQUEST_ID, header::ETAG, header::LOCATION]),
    )
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("request handler panicked");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR).into_response()
}
