//! Edge cases of the rust-axum glue: an async app function, a panicking handler, a body
//! streamed before a panic, and a counter that tells instances apart.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

#[derive(Deserialize)]
struct Size {
    bytes: usize,
}

async fn panics() -> &'static str {
    panic!("the handler failed on purpose")
}

async fn count(State(counter): State<Arc<AtomicU32>>) -> String {
    (counter.fetch_add(1, Ordering::SeqCst) + 1).to_string()
}

async fn big(Query(size): Query<Size>) -> Body {
    let chunk = Bytes::from(vec![b'a'; 65536]);
    let mut left = size.bytes;
    let chunks = std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let n = left.min(chunk.len());
        left -= n;
        Some(Ok::<_, std::io::Error>(chunk.slice(..n)))
    });
    Body::from_stream(futures_stream(chunks))
}

fn futures_stream<I: Iterator<Item = Result<Bytes, std::io::Error>> + Send + Unpin + 'static>(
    iter: I,
) -> impl futures_core_stream::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_core_stream::Iter(iter)
}

mod futures_core_stream {
    //! A two-line Stream over an iterator (axum re-exports no stream helpers).
    pub use futures_core::Stream;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    pub struct Iter<I>(pub I);
    impl<I: Iterator + Unpin> Stream for Iter<I> {
        type Item = I::Item;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
            Poll::Ready(self.0.next())
        }
    }
}

/// Built asynchronously, as apps that load configuration first do.
pub async fn build_app() -> Router {
    Router::new()
        .route("/", get(|| async { "ok" }))
        .route("/panic", get(panics))
        .route("/count", get(count))
        .route("/big", get(big))
        .with_state(Arc::new(AtomicU32::new(0)))
}
