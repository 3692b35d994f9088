//! The hello-world service: `/` and `/users/{id}` as JSON.

use axum::{extract::Path, routing::get, Json, Router};
use serde::Serialize;

#[derive(Serialize)]
pub struct User {
    id: u32,
    name: String,
}

async fn hello() -> &'static str {
    "Hello World!"
}

async fn user(Path(id): Path<u32>) -> Json<User> {
    Json(User { id, name: format!("User {id}") })
}

/// The service's routes.
pub fn app() -> Router {
    Router::new().route("/", get(hello)).route("/users/{id}", get(user))
}
