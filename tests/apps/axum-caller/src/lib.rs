//! Calls another service through the host (`wstd::http::Client`, over
//! wasi:http/outgoing-handler) and says what came back, or how the call failed.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use wstd::http::{Body, Client, Request};

#[derive(Deserialize)]
struct Target {
    url: String,
}

async fn fetch(url: String) -> (StatusCode, String) {
    let request = match Request::get(url).body(Body::empty()) {
        Ok(request) => request,
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()),
    };
    match Client::new().send(request).await {
        Ok(mut response) => {
            let status = response.status().as_u16();
            match response.body_mut().str_contents().await {
                Ok(text) => (StatusCode::OK, format!("{status} {text}")),
                Err(error) => (StatusCode::BAD_GATEWAY, format!("{error:?}")),
            }
        }
        Err(error) => (StatusCode::BAD_GATEWAY, format!("{error:?}")),
    }
}

async fn relay(Query(target): Query<Target>) -> (StatusCode, String) {
    fetch(target.url).await
}

pub fn app() -> Router {
    Router::new().route("/relay", get(relay))
}
