//! The accept loop: HTTP/1.1 with keep-alive on one address, each request routed to a
//! service by the longest matching route, and a graceful stop on SIGINT or SIGTERM.

use crate::pool::{Pool, TrackedBody};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// The header that tells a component where it is mounted (`/api` for route `/api`); the
/// client's own is removed first, so a component can trust it.
pub const MOUNT_HEADER: &str = "x-forwarded-prefix";

/// The services by route, longest first.
pub struct Router {
    routes: Vec<(String, Arc<Pool>)>,
}

impl Router {
    pub fn new(pools: Vec<Arc<Pool>>) -> Self {
        let mut routes: Vec<_> = pools
            .into_iter()
            .map(|p| (p.service.route.trim_end_matches('/').to_string(), p))
            .collect();
        routes.sort_by_key(|(route, _)| std::cmp::Reverse(route.len()));
        Router { routes }
    }

    /// The service whose route is the longest prefix of `path` on a segment boundary.
    fn route(&self, path: &str) -> Option<&(String, Arc<Pool>)> {
        self.routes.iter().find(|(route, _)| {
            route.is_empty()
                || path == route
                || (path.starts_with(route.as_str()) && path.as_bytes()[route.len()] == b'/')
        })
    }
}

fn plain(status: u16, text: &str) -> hyper::Response<wasmtime_wasi_http::p2::body::HyperOutgoingBody> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from(format!("{text}\n"))).map_err(|never| match never {}).boxed_unsync())
        .unwrap()
}

async fn handle(
    router: Arc<Router>,
    mut request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<TrackedBody>, Infallible> {
    request.headers_mut().remove(MOUNT_HEADER);
    let Some((route, pool)) = router.route(request.uri().path()) else {
        let response = plain(404, "Not Found: no service is mounted at this path");
        return Ok(response.map(TrackedBody::untracked));
    };
    if !route.is_empty() {
        request.headers_mut().insert(MOUNT_HEADER, route.parse().unwrap());
    }
    let (reply, done) = pool.dispatch(request);
    let response = match reply.await {
        Ok(Ok(response)) => response,
        Ok(Err(code)) => {
            let reason = format!("{code:?}");
            eprintln!("fabricks-host: {}: {reason}", pool.service.name);
            plain(500, "Internal Server Error")
        }
        Err(_) => plain(500, "Internal Server Error"),
    };
    Ok(response.map(|body| TrackedBody::new(body, done)))
}

/// Resolves on SIGINT or SIGTERM.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

/// Serves until SIGINT/SIGTERM, then lets in-flight requests finish for up to `grace`:
/// idle keep-alive connections are closed at once, so with nothing in flight this returns
/// immediately.
pub async fn serve(listener: TcpListener, router: Router, grace: Duration) -> std::io::Result<()> {
    let router = Arc::new(router);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(pair) => pair,
                    Err(error) => {
                        // EMFILE and friends: wait rather than spin.
                        eprintln!("fabricks-host: accept failed: {error}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let router = Arc::clone(&router);
                let connection = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service_fn(move |req| handle(Arc::clone(&router), req)));
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            _ = &mut stop => break,
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(grace) => {
            eprintln!("fabricks-host: requests still in flight after {:.0} s were cut off", grace.as_secs_f64());
        }
    }
    Ok(())
}

impl TrackedBody {
    /// A body the pool does not wait on (the host's own responses).
    pub fn untracked(body: wasmtime_wasi_http::p2::body::HyperOutgoingBody) -> Self {
        TrackedBody::from_parts(body, None)
    }
}

