//! A small inventory service: shared state, JSON and form input with validation, query
//! parameters, a custom error type, cookies and a streamed CSV report.

mod error;

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream;
use serde::{Deserialize, Serialize};

pub use error::AppError;

#[derive(Clone, Serialize)]
pub struct Item {
    id: u32,
    name: String,
    qty: u32,
    price_cents: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    name: String,
    qty: u32,
    price_cents: u64,
}

#[derive(Deserialize)]
pub struct Search {
    q: Option<String>,
    min_qty: Option<u32>,
    limit: Option<usize>,
}

#[derive(Deserialize)]
pub struct Restock {
    qty: u32,
}

#[derive(Clone)]
pub struct AppState {
    items: Arc<Mutex<Vec<Item>>>,
    name: &'static str,
}

impl AppState {
    fn seeded() -> Self {
        let items = [("mug", 12, 850), ("sticker", 300, 150), ("t-shirt", 0, 2000), ("poster", 7, 1200)]
            .iter()
            .enumerate()
            .map(|(i, (name, qty, price))| Item { id: i as u32 + 1, name: name.to_string(), qty: *qty, price_cents: *price })
            .collect();
        AppState { items: Arc::new(Mutex::new(items)), name: "inventory" }
    }
}

async fn index(State(state): State<AppState>) -> impl IntoResponse {
    ([("x-service", state.name)], format!("{} service\n", state.name))
}

async fn list(State(state): State<AppState>, Query(search): Query<Search>) -> Json<Vec<Item>> {
    let items = state.items.lock().unwrap();
    let found = items
        .iter()
        .filter(|i| search.q.as_deref().map_or(true, |q| i.name.contains(q)))
        .filter(|i| search.min_qty.map_or(true, |m| i.qty >= m))
        .take(search.limit.unwrap_or(usize::MAX))
        .cloned()
        .collect();
    Json(found)
}

async fn show(State(state): State<AppState>, Path(id): Path<u32>) -> Result<Json<Item>, AppError> {
    let items = state.items.lock().unwrap();
    items.iter().find(|i| i.id == id).cloned().map(Json).ok_or(AppError::NotFound(id))
}

async fn create(State(state): State<AppState>, payload: Result<Json<NewItem>, axum::extract::rejection::JsonRejection>)
    -> Result<Response, AppError> {
    let Json(new) = payload?;
    if new.name.trim().is_empty() {
        return Err(AppError::Invalid("name must not be empty".into()));
    }
    if new.qty > 10_000 {
        return Err(AppError::Invalid(format!("qty {} is over the limit of 10000", new.qty)));
    }
    let mut items = state.items.lock().unwrap();
    let item = Item { id: items.len() as u32 + 1, name: new.name, qty: new.qty, price_cents: new.price_cents };
    items.push(item.clone());
    let location = format!("/items/{}", item.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(item)).into_response())
}

async fn restock(State(state): State<AppState>, Path(id): Path<u32>, Form(form): Form<Restock>)
    -> Result<Json<Item>, AppError> {
    let mut items = state.items.lock().unwrap();
    let item = items.iter_mut().find(|i| i.id == id).ok_or(AppError::NotFound(id))?;
    item.qty = form.qty;
    Ok(Json(item.clone()))
}

async fn login(headers: HeaderMap) -> impl IntoResponse {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("unknown");
    (
        AppendHeaders([
            (header::SET_COOKIE, "session=abc123; Path=/; HttpOnly".to_string()),
            (header::SET_COOKIE, "theme=dark; Path=/; Max-Age=3600".to_string()),
            (header::SET_COOKIE, format!("agent={}; Path=/", agent.len())),
        ]),
        "logged in\n",
    )
}

async fn report(State(state): State<AppState>, Query(search): Query<Search>) -> Response {
    let rows: Vec<Item> = state.items.lock().unwrap().clone();
    let repeat = search.limit.unwrap_or(1);
    let header_row = stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"id,name,qty,price_cents\n"))]);
    let lines = stream::iter((0..repeat).flat_map(move |_| rows.clone())
        .map(|i| Ok(Bytes::from(format!("{},{},{},{}\n", i.id, i.name, i.qty, i.price_cents)))));
    let body = Body::from_stream(futures_util::StreamExt::chain(header_row, lines));
    ([(header::CONTENT_TYPE, "text/csv")], body).into_response()
}

async fn echo(headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let kind = headers.get(header::CONTENT_TYPE).cloned();
    let mut response = body.into_response();
    if let Some(kind) = kind {
        response.headers_mut().insert(header::CONTENT_TYPE, kind);
    }
    response
}

/// The service's routes, with its state.
pub fn app() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/items", get(list).post(create))
        .route("/items/{id}", get(show))
        .route("/items/{id}/restock", post(restock))
        .route("/login", post(login))
        .route("/report.csv", get(report))
        .route("/echo", post(echo))
        .with_state(AppState::seeded())
}
