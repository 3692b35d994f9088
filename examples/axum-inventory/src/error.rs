//! The service's error type: every failure answers JSON `{"error": ..., "detail": ...}`.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

pub enum AppError {
    NotFound(u32),
    Invalid(String),
    BadJson(JsonRejection),
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        AppError::BadJson(rejection)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, error, detail) = match self {
            AppError::NotFound(id) => (StatusCode::NOT_FOUND, "not_found", format!("no item {id}")),
            AppError::Invalid(why) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", why),
            AppError::BadJson(rejection) => (rejection.status(), "bad_json", rejection.body_text()),
        };
        (status, [("x-error", error)], Json(json!({ "error": error, "detail": detail }))).into_response()
    }
}
