//! The workspace's HTTP API: the `shared` crate's model served by axum.

use axum::{
    extract::{Path, Query},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use shared::{slugify, summary, Item};

#[derive(Deserialize)]
struct Text {
    text: String,
}

/// The package version, inherited from the workspace root (`version.workspace = true`).
async fn version() -> String {
    format!("api {}", env!("CARGO_PKG_VERSION"))
}

async fn item(Path(id): Path<u32>) -> Json<Item> {
    Json(Item::numbered(id))
}

async fn slug(Query(query): Query<Text>) -> String {
    slugify(&query.text)
}

async fn summarize(Json(items): Json<Vec<Item>>) -> Json<serde_json::Value> {
    Json(summary(&items))
}

/// The service's routes.
pub fn app() -> Router {
    Router::new()
        .route("/", get(version))
        .route("/items/{id}", get(item))
        .route("/slug", get(slug))
        .route("/summary", post(summarize))
}
