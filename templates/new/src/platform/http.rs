//! The HTTP middleware stack every route runs behind: request ids, tracing, security headers,
//! CORS, metrics, problem+json errors, panic catching, timeout and body limit.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_http::HeaderExtractor;
use tracing::{Level, Span};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::platform::config::HttpConfig;
use crate::platform::metrics;
use crate::platform::problem::{self, Problem};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps `router` in the middleware stack, outermost layer first.
pub fn with_middleware(router: Router, config: &HttpConfig) -> Router {
    let stack = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        .option_layer(cors(&config.cors_allowed_origins))
        .layer(middleware::from_fn(metrics::track_requests))
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

/// The span every log line of a request is written in; it carries the request id. When trace
/// export is on, it continues the caller's trace (W3C `traceparent`/`tracestate` headers) and
/// carries the trace id too.
fn request_span(request: &Request) -> Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
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

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
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
