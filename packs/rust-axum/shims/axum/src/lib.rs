//! Stands in for `axum` when the rust-axum pack builds an app's `main.rs` (docs/rust-axum.md):
//! the real axum, re-exported, with `serve` recording the Router for the glue instead of
//! accepting connections (the host does that).

pub use axum::*;

use std::cell::RefCell;
use std::future::{ready, Future, IntoFuture, Ready};
use std::task::{Context, Poll, Waker};

use axum::routing::IntoMakeService;
use tower_service::Service;

thread_local! {
    static SERVED: RefCell<Option<Router>> = const { RefCell::new(None) };
}

/// What `axum::serve` accepts here: a `Router`, or `router.into_make_service()`.
pub trait IntoServedRouter {
    fn into_served_router(self) -> Router;
}

impl IntoServedRouter for Router {
    fn into_served_router(self) -> Router {
        self
    }
}

impl IntoServedRouter for IntoMakeService<Router> {
    fn into_served_router(mut self) -> Router {
        let mut future = Service::<()>::call(&mut self, ());
        match std::pin::Pin::new(&mut future).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(router)) => router,
            _ => unreachable!("IntoMakeService answers at once"),
        }
    }
}

/// Records the Router; awaiting the result completes at once with `Ok(())`.
pub fn serve<L, M: IntoServedRouter>(_listener: L, make_service: M) -> Serve {
    SERVED.with(|s| *s.borrow_mut() = Some(make_service.into_served_router()));
    Serve
}

pub struct Serve;

impl Serve {
    pub fn with_graceful_shutdown<F>(self, _signal: F) -> Serve {
        self
    }
}

impl IntoFuture for Serve {
    type Output = std::io::Result<()>;
    type IntoFuture = Ready<std::io::Result<()>>;
    fn into_future(self) -> Self::IntoFuture {
        ready(Ok(()))
    }
}

/// For the glue: the Router main gave to `serve`, once.
#[doc(hidden)]
pub fn __fabricks_take_router() -> Option<Router> {
    SERVED.with(|s| s.borrow_mut().take())
}
