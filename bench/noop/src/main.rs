//! Baseline for `bench/run.sh`: the same axum + tokio stack as the monitor, answering
//! `202` to `POST /api/rum` without reading the body's meaning or storing anything.

use axum::{http::StatusCode, routing::post, Router};

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3900".to_string());
    let app = Router::new().route(
        "/api/rum",
        post(|_body: axum::body::Bytes| async { StatusCode::ACCEPTED }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
