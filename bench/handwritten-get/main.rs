//! The hand-written baseline of bench/get-by-id.sh: `GET /api/v1/customers/{id}` in plain axum
//! and sqlx, with the same query and the same JSON body (and `ETag`) as the generated handler,
//! and no middleware. bench/get-by-id.sh compiles it as an extra binary of the generated
//! service's package, so both link the very same dependency builds.
//! Listens on 127.0.0.1:$PORT; reads the database from DATABASE_URL (a pool of 10, the
//! generated service's default).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Row};
use tokio::net::TcpListener;
use uuid::Uuid;

#[derive(Serialize)]
struct Customer {
    id: Uuid,
    email: String,
    name: String,
    phone: Option<String>,
    birthday: Option<chrono::NaiveDate>,
    vip: bool,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    version: i64,
}

async fn get_customer(State(pool): State<PgPool>, Path(id): Path<Uuid>) -> Response {
    let row = sqlx::query(
        "SELECT id, email, name, phone, birthday, vip, created_at, updated_at, version \
         FROM customers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&pool)
    .await;
    let customer = row.and_then(|row| row.map(|row| customer_from(&row)).transpose());
    match customer {
        Ok(Some(customer)) => {
            let etag = HeaderValue::from_str(&format!("\"{}\"", customer.version))
                .expect("a quoted number is a valid header value");
            ([(header::ETAG, etag)], Json(customer)).into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

fn customer_from(row: &sqlx::postgres::PgRow) -> Result<Customer, sqlx::Error> {
    Ok(Customer {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        phone: row.try_get("phone")?,
        birthday: row.try_get("birthday")?,
        vip: row.try_get("vip")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")?.parse()?;
    let database_url = std::env::var("DATABASE_URL")?;
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .connect(&database_url)
        .await?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let router = Router::new()
        .route("/api/v1/customers/{id}", get(get_customer))
        .with_state(pool);
    axum::serve(listener, router).await?;
    Ok(())
}
