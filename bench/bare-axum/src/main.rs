//! The bare baseline: the same `GET /live` handler and JSON body as a generated service, on the
//! same runtime (tokio multi-threaded, `axum::serve`), with no middleware at all.
//! Listens on 127.0.0.1:$PORT (default 8081).

use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tokio::net::TcpListener;

#[derive(Serialize)]
struct Liveness {
    status: &'static str,
}

async fn live() -> Json<Liveness> {
    Json(Liveness { status: "ok" })
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = match std::env::var("PORT") {
        Ok(value) => value.parse::<u16>().map_err(|error| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("PORT={value:?} is not a port number: {error}"),
            )
        })?,
        Err(_) => 8081,
    };
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let router = Router::new().route("/live", get(live));
    axum::serve(listener, router).await
}
