//! Probes: `GET /live` (the process answers), `GET /ready` (its dependencies answer) and
//! `GET /health` (details for people).

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::platform::db;
use crate::platform::problem::Problem;
use crate::platform::state::AppState;

/// A dependency check answers within this time or counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub fn routes(state: AppState) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(live))
        .routes(routes!(ready))
        .routes(routes!(health))
        .with_state(state)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Liveness {
    pub status: &'static str,
}

/// One dependency check.
#[derive(Debug, Serialize, ToSchema)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub latency_ms: u128,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub service: &'static str,
    pub version: &'static str,
    pub uptime_secs: u64,
    pub checks: Vec<Check>,
}

/// The process is up and answering.
#[utoipa::path(get, path = "/live", tag = "health",
    responses((status = 200, description = "The process answers", body = Liveness)))]
async fn live() -> Json<Liveness> {
    Json(Liveness { status: "ok" })
}

/// Every dependency answers; 503 names the failing check.
#[utoipa::path(get, path = "/ready", tag = "health", responses(
    (status = 200, description = "Ready to serve", body = Liveness),
    (status = 503, description = "A dependency is down", body = Problem, content_type = "application/problem+json")))]
async fn ready(State(state): State<AppState>) -> Response {
    let failing: Vec<String> = run_checks(&state)
        .await
        .into_iter()
        .filter(|check| !check.ok)
        .map(|check| format!("{}: {}", check.name, check.error.unwrap_or_default()))
        .collect();
    if failing.is_empty() {
        Json(Liveness { status: "ok" }).into_response()
    } else {
        Problem::new(StatusCode::SERVICE_UNAVAILABLE)
            .with_detail(format!("not ready: {}", failing.join("; ")))
            .into_response()
    }
}

/// Version, uptime and every dependency check.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "Service details", body = Health)))]
async fn health(State(state): State<AppState>) -> Json<Health> {
    let checks = run_checks(&state).await;
    let status = if checks.iter().all(|check| check.ok) {
        "ok"
    } else {
        "degraded"
    };
    Json(Health {
        status,
        service: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        uptime_secs: state.started_at.elapsed().as_secs(),
        checks,
    })
}

async fn run_checks(state: &AppState) -> Vec<Check> {
    vec![timed_check("database", db::ping(&state.db)).await]
}

async fn timed_check<E: std::fmt::Display>(
    name: &'static str,
    check: impl Future<Output = Result<(), E>>,
) -> Check {
    let started = Instant::now();
    let error = match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(error.to_string()),
        Err(_) => Some(format!("no answer within {}s", CHECK_TIMEOUT.as_secs())),
    };
    Check {
        name,
        ok: error.is_none(),
        latency_ms: started.elapsed().as_millis(),
        error,
    }
}
